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
	"strings"
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
		{"stats", "-group 群名 [-platform qq|wechat] [-from D] [-to D] -json [-config F] [-db F]", "按成员统计一个群的发言、互动、话题和关键词", cmdStats},
		{"record", "-cadre 名字 [-quarter 2026Q4] [-format text|json|xlsx] [-o F] [-config F] [-db F]", "打印一名团干部的联系台账", cmdRecord},
		{"bindcode", "-cadre 名字 [-config F] [-db F]", "为团干部生成一次性绑定码（在聊天中发送 /绑定 绑定码）", cmdBindcode},
		{"web", "[-config F] [-db F] [-addr 127.0.0.1:8080]", "只启动管理后台（网页版台账、图表和导出）", cmdWeb},
		{"web-user", "-committee 团委 -name 用户名 [-config F] [-db F]", "为团委新建管理后台账号，打印生成的密码", cmdWebUser},
		{"export", "[-committee 团委] [-quarter 2026Q4] -format xlsx|csv -o F [-config F] [-db F]", "把台账和排名导出为 Excel 或 CSV", cmdExport},
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
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
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

// flags is a verb's flag set with the writers its help and errors go to.
type flags struct {
	*flag.FlagSet
	name, summary  string
	stdout, stderr io.Writer
}

// newFlags makes a flag set for a verb: -h prints Chinese help to stdout, flag errors are said
// in Chinese on stderr (the flag package's own English output is discarded).
func newFlags(name, summary string, stdout, stderr io.Writer) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flags{FlagSet: fs, name: name, summary: summary, stdout: stdout, stderr: stderr}
}

// help writes the verb's summary and its flags, each with its Chinese default.
func (f *flags) help(w io.Writer) {
	fmt.Fprintf(w, "youthlink %s —— %s\n\n参数：\n", f.name, f.summary)
	f.VisitAll(func(fl *flag.Flag) {
		kind, usage := flag.UnquoteUsage(fl)
		line := "  -" + fl.Name
		if k := flagKinds[kind]; k != "" {
			line += " " + k
		}
		fmt.Fprintf(w, "%s\n    \t%s", line, strings.ReplaceAll(usage, "\n", "\n    \t"))
		if d := fl.DefValue; d != "" && d != "false" && d != "0" && !strings.Contains(usage, "默认") {
			fmt.Fprintf(w, "（默认 %s）", d)
		}
		fmt.Fprintln(w)
	})
}

// flagKinds names the flag package's value kinds in Chinese ("" for a bool: no value).
var flagKinds = map[string]string{"string": "值", "value": "值", "int": "整数", "uint": "整数", "float": "数字", "duration": "时长"}

// parse parses flags that take no positional arguments.
func parse(fs *flags, args []string) error {
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.stderr, "多余的参数：%s，用 youthlink %s -h 查看\n", strings.Join(fs.Args(), " "), fs.name)
		return errUsage
	}
	return nil
}

// parseArgs parses flags, leaving positional arguments in fs.Args(). -h prints help to stdout
// and returns flag.ErrHelp; a flag error is said in Chinese on stderr and returns errUsage.
func parseArgs(fs *flags, args []string) error {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		fs.help(fs.stdout)
		return err
	}
	fmt.Fprintf(fs.stderr, "%s，用 youthlink %s -h 查看\n", fs.explain(err), fs.name)
	return errUsage
}

// explain says a flag package error in Chinese.
func (f *flags) explain(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return "不认识的参数 " + name
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return "参数 " + name + " 后面缺少值"
	}
	if arg, ok := strings.CutPrefix(msg, "bad flag syntax: "); ok {
		return "参数写法不对：" + arg
	}
	var value, name string
	if _, e := fmt.Sscanf(msg, "invalid value %q for flag -%s", &value, &name); e == nil {
		name = strings.TrimSuffix(name, ":")
		kind := "值"
		if fl := f.Lookup(name); fl != nil {
			k, _ := flag.UnquoteUsage(fl)
			if flagKinds[k] != "" {
				kind = flagKinds[k]
			}
		}
		if kind == "时长" {
			kind += "（例如 30s、5m、2h）"
		}
		return fmt.Sprintf("参数 -%s 要一个%s，收到「%s」", name, kind, value)
	}
	if _, e := fmt.Sscanf(msg, "invalid boolean value %q for -%s", &value, &name); e == nil {
		return fmt.Sprintf("参数 -%s 只能是 true 或 false，收到「%s」", strings.TrimSuffix(name, ":"), value)
	}
	return "参数有误：" + msg
}
