package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"youthlink/web"
)

// webConfig decodes the config's web section over the defaults.
func webConfig(a *app) (web.Config, error) {
	wc := web.DefaultConfig()
	if err := a.cfg.Decode("web", &a.cfg.Web, &wc); err != nil {
		return wc, err
	}
	return wc, nil
}

// newWeb builds the dashboard on the app's store, creating the first account if there is none
// (its generated password goes to out).
func newWeb(ctx context.Context, a *app, wc web.Config, getenv func(string) string, out io.Writer) (*web.Server, error) {
	if err := web.EnsureAdmin(ctx, a.db, wc, getenv, out); err != nil {
		return nil, fmt.Errorf("管理后台账号：%w", err)
	}
	return web.New(web.Options{Store: a.db, Policy: a.cfg.Policy(), Config: wc, Now: a.now, Log: a.log})
}

// webRunner is the dashboard as one of `run`'s runners (nil when web.enabled is false).
func webRunner(ctx context.Context, a *app, stdout io.Writer) (func(context.Context) error, error) {
	wc, err := webConfig(a)
	if err != nil || !wc.Enabled {
		return nil, err
	}
	srv, err := newWeb(ctx, a, wc, os.Getenv, stdout)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error { return srv.Serve(ctx, wc.Addr) }, nil
}

func cmdWeb(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("web", "只启动管理后台", stdout, stderr)
	cfgPath, dbPath := storeFlags(fs)
	addr := fs.String("addr", "", "监听地址（默认配置里的 web.addr，即 127.0.0.1:8080）")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := openToRead(ctx, *cfgPath, *dbPath, stderr)
	if err != nil {
		return err
	}
	defer a.close()
	wc, err := webConfig(a)
	if err != nil {
		return err
	}
	if *addr != "" {
		wc.Addr = *addr
		if err := wc.Validate(); err != nil {
			fmt.Fprintln(stderr, "-addr："+err.Error())
			return errUsage
		}
	}
	srv, err := newWeb(ctx, a, wc, os.Getenv, stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "管理后台：http://%s/（Ctrl+C 停止）\n", wc.Addr)
	return srv.Serve(ctx, wc.Addr)
}

func cmdWebUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("web-user", "为团委新建管理后台账号并打印生成的密码", stdout, stderr)
	cfgPath, dbPath := storeFlags(fs)
	committee := fs.String("committee", "", "团委名称（账号只能看到这个团委及其下级）")
	name := fs.String("name", "", "用户名")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *committee == "" || *name == "" {
		fmt.Fprintln(stderr, "请用 -committee 和 -name 指定团委和用户名，例如：youthlink web-user -committee 城区团委 -name chengqu")
		return errUsage
	}
	a, err := openFromFlags(ctx, *cfgPath, *dbPath, io.Discard)
	if err != nil {
		return err
	}
	defer a.close()
	pw, err := web.AddAccount(ctx, a.db, *committee, *name, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已为「%s」创建管理后台账号 %s，密码：%s\n密码只显示这一次。\n", *committee, *name, pw)
	return nil
}
