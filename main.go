// Command youthlink is a chat bot that keeps the record of the Communist Youth League's "1+100"
// direct-contact work where the contact happens: in the cadres' WeChat and QQ youth groups.
//
// Run `youthlink -h` for the verbs; each verb has its own -h.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// verb is one subcommand.
type verb struct {
	name, args, help string
	run              func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func verbs() []verb {
	return []verb{
		{"run", "[-config F] [-db F]", "启动机器人：已启用的平台、定时任务和管理后台", cmdRun},
		{"console", "[-config F] [-db F] [-as 名字] [-group 群名]", "在终端里以群成员身份与机器人对话（无需任何账号）", cmdConsole},
		{"demo", "", "把内置的一周样例群聊写入临时数据库，打印台账、光荣榜/加油榜和周报摘要", cmdDemo},
		{"import", "-format qq-txt|wechat-csv [-platform qq|wechat] -group 群名 [-chat 群号] [-config F] [-db F] 文件…", "导入客户端导出的群聊记录（重复导入不会重复计数）", cmdImport},
		{"roster", "import 名单.xlsx | export -o 名单.xlsx | template -o 模板.xlsx [-config F] [-db F]", "用表格导入、导出团委、团干部和群的名单（.xlsx 或 .csv）", cmdRoster},
		{"stats", "-group 群名 [-platform qq|wechat] [-from D] [-to D] -json", "按成员统计一个群的发言、互动、话题和关键词", cmdStats},
		{"record", "-cadre 名字 [-quarter 2026Q4] [-format text|json|xlsx] [-o F]", "打印一名团干部的联系台账", cmdRecord},
		{"bindcode", "-cadre 名字 [-config F] [-db F]", "为团干部生成一次性绑定码（在聊天中发送 /绑定 绑定码）", cmdBindcode},
		{"web", "[-config F] [-db F] [-addr 127.0.0.1:8080]", "只启动管理后台（网页版台账、图表和导出）", cmdWeb},
		{"web-user", "-committee 团委 -name 用户名 [-config F] [-db F]", "为团委新建管理后台账号，打印生成的密码", cmdWebUser},
		{"export", "[-committee 团委] [-quarter 2026Q4] -format xlsx|csv -o F", "把台账和排名导出为 Excel 或 CSV", cmdExport},
		{"digest", "-committee 团委 [-week 2026-W48] [-format text|markdown|html|json] [-send] [-config F] [-db F]", "生成一个团委的周报并打印，或用 -send 发送到配置的去处", cmdDigest},
		{"gen", "-db F [-cadres 1000 -youths 100000 -messages 5000000]", "生成全省规模的合成数据库（性能测试用）", cmdGen},
		{"bench", "[-n N]", "运行性能基准，打印与裸 SQLite 写入的比值", cmdBench},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches to a verb and returns the exit code: 0 ok, 1 failed, 2 usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, v := range verbs() {
		if v.name == args[0] {
			err := v.run(ctx, args[1:], stdout, stderr)
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.Is(err, errUsage):
				return 2
			}
			fmt.Fprintln(stderr, "错误："+err.Error())
			return 1
		}
	}
	fmt.Fprintf(stderr, "没有「%s」这个命令。\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "youthlink —— 团干部“1+100”直接联系青年的聊天机器人与联系台账")
	fmt.Fprintln(w, "\n用法：youthlink 命令 [参数]\n\n命令：")
	for _, v := range verbs() {
		fmt.Fprintf(w, "  %-9s %s\n            %s\n", v.name, v.help, v.args)
	}
	fmt.Fprintln(w, "\n每个命令都有 -h 说明，例如：youthlink record -h")
}

// errUsage marks a usage error already explained to the user.
var errUsage = errors.New("usage")

// newFlags makes a flag set for a verb whose -h prints Chinese usage.
func newFlags(name, summary string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "youthlink %s —— %s\n\n参数：\n", name, summary)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags, turning flag errors into errUsage (the flag package already said why).
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "多余的参数：%v\n", fs.Args())
		fs.Usage()
		return errUsage
	}
	return nil
}
