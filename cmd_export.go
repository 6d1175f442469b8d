package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"youthlink/period"
	"youthlink/record"
	"youthlink/sheet"
	"youthlink/storage"
	"youthlink/web"
)

func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export", "把台账和排名导出为 Excel 或 CSV", stdout, stderr)
	cfgPath, dbPath := storeFlags(fs)
	committee := fs.String("committee", "", "团委名称（默认最上级团委，即全部；有几个最上级团委时必填）")
	quarter := fs.String("quarter", "", "季度，例如 2026Q4（默认本季度）")
	format := fs.String("format", "xlsx", "格式：xlsx 或 csv")
	out := fs.String("o", "", "输出文件（- 表示标准输出）")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := formatFromName(fs.FlagSet, format, *out, stderr); err != nil {
		return err
	}
	if *format != "xlsx" && *format != "csv" {
		fmt.Fprintf(stderr, "-format 只能是 xlsx 或 csv，收到「%s」\n", *format)
		return errUsage
	}
	if *out == "" {
		fmt.Fprintln(stderr, "请用 -o 指定输出文件，例如：youthlink export -format xlsx -o 台账.xlsx")
		return errUsage
	}
	a, err := openToRead(ctx, *cfgPath, *dbPath, io.Discard)
	if err != nil {
		return err
	}
	defer a.close()
	span, err := quarterSpan(a, *quarter)
	if err != nil {
		return err
	}
	book, err := record.Compile(ctx, a.db, a.cfg.Policy(), span, a.now())
	if err != nil {
		return err
	}
	c, err := findCommittee(book.Committees, *committee)
	if err != nil {
		return err
	}
	tables := web.Export(book, c.ID, *format)
	n := len(book.In(c.ID))
	err = writeOut(*out, stdout, func(w io.Writer) error {
		if *format == "csv" {
			return sheet.WriteCSV(w, tables)
		}
		return sheet.WriteXLSX(w, tables)
	})
	if err != nil {
		return err
	}
	if *out != "-" {
		fmt.Fprintf(stdout, "已导出「%s」%s 的 %d 名团干部台账到 %s\n", c.Name, span.Name, n, *out)
	}
	return nil
}

// quarterSpan is the named quarter, or the current one.
func quarterSpan(a *app, q string) (period.Span, error) {
	if q == "" {
		return period.QuarterOf(a.now()), nil
	}
	return period.ParseQuarter(q)
}

// findCommittee finds a committee by name; "" is the one root committee, and an error when there
// are several.
func findCommittee(cs []storage.Committee, name string) (storage.Committee, error) {
	var roots []storage.Committee
	for _, c := range cs {
		if name != "" && c.Name == name {
			return c, nil
		}
		if c.Parent == 0 {
			roots = append(roots, c)
		}
	}
	switch {
	case name != "":
		return storage.Committee{}, fmt.Errorf("团委「%s」不存在", name)
	case len(roots) == 0:
		return storage.Committee{}, fmt.Errorf("还没有任何团委（请先在配置文件的 committees 里写入）")
	case len(roots) > 1: // the first alone would leave the others' cadres out without a word
		names := make([]string, len(roots))
		for i, c := range roots {
			names[i] = c.Name
		}
		return storage.Committee{}, fmt.Errorf("有 %d 个最上级团委（%s），请用 -committee 指定导出哪一个", len(roots), strings.Join(names, "、"))
	}
	return roots[0], nil
}

// formatFromName reconciles -format with the output file's extension: without -format on the
// command line the extension chooses (台账.csv writes CSV), and a -format that contradicts the
// extension is refused rather than writing, say, CSV into 台账.xlsx. Unknown extensions and "-"
// leave -format as it is.
func formatFromName(fs *flag.FlagSet, format *string, out string, stderr io.Writer) error {
	byExt := map[string]string{".xlsx": "xlsx", ".csv": "csv", ".json": "json", ".txt": "text"}
	want, known := byExt[strings.ToLower(filepath.Ext(out))]
	if !known || out == "-" {
		return nil
	}
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "format" })
	switch {
	case !given:
		*format = want
	case *format != want:
		fmt.Fprintf(stderr, "-format %s 与输出文件「%s」的扩展名不符：请改用 -format %s，或把文件名改成 .%s 结尾\n", *format, filepath.Base(out), want, extOf(*format))
		return errUsage
	}
	return nil
}

// extOf is the file extension a -format writes.
func extOf(format string) string {
	if format == "text" {
		return "txt"
	}
	return format
}

// writeOut writes to a file (through a temporary file renamed into place) or, for "-", to stdout.
func writeOut(path string, stdout io.Writer, f func(io.Writer) error) error {
	if path == "-" {
		return f(stdout)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".youthlink-export-*")
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("创建输出文件 %s：文件夹 %s 不存在", path, filepath.Dir(path))
	}
	if err != nil {
		return fmt.Errorf("创建输出文件：%w", err)
	}
	defer os.Remove(tmp.Name())
	if err := f(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("写入输出文件：%w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("写入输出文件：%w", err)
	}
	return nil
}

// writeRecord writes one cadre's record in a format of `record` to path ("" or "-": stdout).
func writeRecord(r *record.Record, format, path string, stdout io.Writer) error {
	if path == "" {
		path = "-"
	}
	err := writeOut(path, stdout, func(w io.Writer) error {
		switch format {
		case "xlsx":
			return sheet.WriteXLSX(w, []sheet.Table{{Name: r.Cadre.Name, Records: []*record.Record{r}}})
		case "json":
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(record.JSON(r))
		}
		_, err := fmt.Fprintln(w, record.Text(r))
		return err
	})
	if err == nil && path != "-" {
		fmt.Fprintf(stdout, "已导出 %s 的联系台账到 %s\n", r.Cadre.Name, path)
	}
	return err
}
