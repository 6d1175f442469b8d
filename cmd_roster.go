package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"youthlink/roster"
)

// cmdRoster is `roster import FILE`, `roster export -o F` and `roster template -o F`.
func cmdRoster(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "import":
		return rosterImport(ctx, args, stdout, stderr)
	case "export":
		return rosterExport(ctx, args, stdout, stderr)
	case "template":
		return rosterTemplate(args, stdout, stderr)
	case "-h", "-help", "--help", "help":
		rosterUsage(stdout)
		return nil
	}
	if sub != "" {
		fmt.Fprintf(stderr, "roster 没有「%s」这个子命令。\n", sub)
	}
	rosterUsage(stderr)
	return errUsage
}

func rosterUsage(w io.Writer) {
	fmt.Fprintln(w, "youthlink roster —— 用表格（.xlsx 或 .csv）导入、导出团委、团干部和群的名单")
	fmt.Fprintln(w, "\n用法：")
	fmt.Fprintln(w, "  youthlink roster import [-config F] [-db F] 名单.xlsx   导入名单（有任何一行出错就什么都不写入）")
	fmt.Fprintln(w, "  youthlink roster export [-config F] [-db F] -o 名单.xlsx   导出当前名单（.xlsx 或 .csv）")
	fmt.Fprintln(w, "  youthlink roster template -o 模板.xlsx                    生成带表头和示例行的空白模板")
	fmt.Fprintln(w, "\n表头：团委 / 上级团委 / 层级；团干部 / 所属团委 / 类别（专职、挂职、领导机关兼职、兼职）/ 目标人数；群名 / 平台 / 团干部")
}

func rosterImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("roster import", "导入名单（.xlsx 或 .csv）", stdout, stderr)
	cfgPath, dbPath := storeFlags(fs)
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "请给出一个名单文件，例如：youthlink roster import 名单.xlsx")
		return errUsage
	}
	name := fs.Arg(0)
	if err := checkImportFile(name); err != nil {
		return err
	}
	format, err := roster.FormatOf(name)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return fmt.Errorf("读取 %s：%w", showPath(name), err)
	}
	r, err := roster.Parse(bytes.NewReader(b), format)
	if err != nil {
		return fmt.Errorf("%s：%w", showPath(name), err)
	}
	if len(r.Errors) > 0 {
		return roster.Errors(r.Errors)
	}
	a, err := openFromFlags(ctx, *cfgPath, *dbPath, io.Discard)
	if err != nil {
		return err
	}
	defer a.close()
	if err := roster.Apply(ctx, a.db, r); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已导入 %s：团委 %d 个，团干部 %d 名，群 %d 个\n", showPath(name), len(r.Committees), len(r.Cadres), len(r.Groups))
	return nil
}

func rosterExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("roster export", "导出当前名单", stdout, stderr)
	cfgPath, dbPath := storeFlags(fs)
	out := fs.String("o", "", "输出文件，扩展名 .xlsx 或 .csv 决定格式")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(stderr, "请用 -o 指定输出文件，例如：youthlink roster export -o 名单.xlsx")
		return errUsage
	}
	format, err := roster.FormatOf(*out)
	if err != nil {
		return err
	}
	a, err := openToRead(ctx, *cfgPath, *dbPath, io.Discard)
	if err != nil {
		return err
	}
	defer a.close()
	var b bytes.Buffer
	if err := roster.Export(ctx, a.db, &b, format); err != nil {
		return err
	}
	if err := writeFileAtomic(*out, b.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "名单已导出到 %s\n", showPath(*out))
	return nil
}

func rosterTemplate(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("roster template", "生成空白名单模板（.xlsx）", stdout, stderr)
	out := fs.String("o", "名单模板.xlsx", "输出文件（.xlsx）")
	if err := parse(fs, args); err != nil {
		return err
	}
	if format, err := roster.FormatOf(*out); err != nil || format != roster.XLSX {
		return fmt.Errorf("模板是 .xlsx 文件，请把 -o 的扩展名写成 .xlsx（收到 %s）", showPath(*out))
	}
	var b bytes.Buffer
	if err := roster.WriteTemplate(&b); err != nil {
		return err
	}
	if err := writeFileAtomic(*out, b.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "模板已写入 %s：填好后用 youthlink roster import %s 导入\n", showPath(*out), *out)
	return nil
}

// writeFileAtomic writes through a temporary file in the same directory and renames it, so that a
// failed write never leaves half a file under the name.
func writeFileAtomic(name string, b []byte) error {
	if st, err := os.Stat(name); err == nil && st.IsDir() {
		return fmt.Errorf("%s 是目录，请给出文件名", showPath(name))
	}
	f, err := os.CreateTemp(filepath.Dir(name), ".youthlink-*")
	if err != nil {
		return fmt.Errorf("无法写入 %s：%w", showPath(name), err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("写入 %s：%w", showPath(name), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("写入 %s：%w", showPath(name), err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("写入 %s：%w", showPath(name), err)
	}
	if err := os.Rename(f.Name(), name); err != nil {
		return fmt.Errorf("写入 %s：%w", showPath(name), err)
	}
	return nil
}
