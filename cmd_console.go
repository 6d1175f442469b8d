package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"youthlink/bot"
	"youthlink/bot/console"
)

func cmdConsole(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("console", "在终端里以群成员身份与机器人对话", stdout, stderr)
	cfgPath, dbPath := storeFlags(fs)
	as := fs.String("as", "", "以谁的身份发言（默认配置里的第一位团干部）")
	group := fs.String("group", "控制台青年群", "所在的群")
	if err := parse(fs, args); err != nil {
		return err
	}
	return runConsole(ctx, *cfgPath, *dbPath, *as, *group, os.Stdin, stdout, stderr)
}

// runConsole wires the console adapter to a full app; with no -db it uses a temporary database.
func runConsole(ctx context.Context, cfgPath, dbPath, as, group string, in io.Reader, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		return err
	}
	if dbPath == "" {
		dir, err := os.MkdirTemp("", "youthlink-console-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dbPath = filepath.Join(dir, "console.db")
	}
	a, err := openApp(ctx, cfg, appOptions{db: dbPath, log: io.Discard, analyze: analyzer(cfg)})
	if err != nil {
		return err
	}
	defer a.close()
	// On the console, a member named like a configured cadre is that cadre: no bind code needed.
	var cadres []string
	for _, c := range cfg.Cadres {
		cd, err := a.db.CadreByName(ctx, c.Name)
		if err != nil {
			return err
		}
		if _, err := a.db.BindIdentity(ctx, bot.Console, bot.User{ID: c.Name, Name: c.Name}, cd.ID); err != nil {
			return err
		}
		cadres = append(cadres, c.Name)
	}
	if as == "" {
		as = "张三"
		if len(cadres) > 0 {
			as = cadres[0]
		}
	}
	con := console.New(in, stdout, cfg.Bot.Name, as, group)
	con.Now = a.now
	con.Flush = a.settle
	a.addAdapter(bot.Console, con, bot.Limits{})
	stop := a.start(ctx)
	defer stop()
	fmt.Fprintf(stdout, "YouthLink 控制台 —— 你现在是「%s」，在群「%s」里。\n", as, group)
	if len(cadres) > 0 {
		fmt.Fprintf(stdout, "配置里的团干部（以他们的名字发言即为已绑定的团干部）：%s\n", strings.Join(cadres, "、"))
	}
	fmt.Fprintf(stdout, "试试：/帮助、/登记本群、@%s 入团需要什么条件？、/台账。输入 :help 查看控制台命令，:quit 退出。\n", cfg.Bot.Name)
	if err := con.Run(ctx, a.engine); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\n再见！")
	return a.settle(ctx)
}
