package sheet

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// WriteXLSX writes one sheet per table, with a bold frozen header row.
func WriteXLSX(w io.Writer, tables []Table) error {
	f := excelize.NewFile()
	defer f.Close()
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F3D6D6"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 9}) // 0%
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	if len(tables) == 0 {
		tables = []Table{{Name: "台账"}}
	}
	names := map[string]bool{}
	for i, t := range tables {
		name := sheetName(t.Name, names)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return fmt.Errorf("xlsx sheet: %w", err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("xlsx sheet: %w", err)
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return fmt.Errorf("xlsx sheet: %w", err)
		}
		if err := sw.SetColWidth(2, 3, 14); err != nil {
			return err
		}
		if err := sw.SetColWidth(len(Header), len(Header), 60); err != nil {
			return err
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		cells := make([]any, len(Header))
		for j, h := range Header {
			cells[j] = excelize.Cell{StyleID: head, Value: h}
		}
		if err := sw.SetRow("A1", cells); err != nil {
			return fmt.Errorf("xlsx header: %w", err)
		}
		for j, r := range t.Records {
			row := Row(j+1, r)
			for k, v := range row {
				if p, ok := v.(Percent); ok {
					row[k] = excelize.Cell{StyleID: pct, Value: float64(p)}
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, j+2)
			if err := sw.SetRow(cell, row); err != nil {
				return fmt.Errorf("xlsx row: %w", err)
			}
		}
		if err := sw.Flush(); err != nil {
			return fmt.Errorf("xlsx flush: %w", err)
		}
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

// sheetName makes a valid, unique sheet name: at most 31 characters, none of []:*?/\.
func sheetName(s string, used map[string]bool) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(s))
	s = strings.Trim(s, "'")
	if s == "" {
		s = "台账"
	}
	base := []rune(s)
	if len(base) > 31 {
		base = base[:31]
	}
	name := string(base)
	for n := 2; used[strings.ToLower(name)]; n++ {
		suffix := "(" + strconv.Itoa(n) + ")"
		b := base
		if len(b)+len([]rune(suffix)) > 31 {
			b = b[:31-len([]rune(suffix))]
		}
		name = string(b) + suffix
	}
	used[strings.ToLower(name)] = true
	return name
}

// WriteCSV writes every table's rows under one header, UTF-8 with a byte-order mark. Cells that a
// spreadsheet would read as a formula are quoted with a leading apostrophe.
func WriteCSV(w io.Writer, tables []Table) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(Header); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	n := 0
	for _, t := range tables {
		for _, r := range t.Records {
			n++
			row := Row(n, r)
			rec := make([]string, len(row))
			for i, v := range row {
				rec[i] = csvCell(v)
			}
			if err := cw.Write(rec); err != nil {
				return fmt.Errorf("write csv: %w", err)
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvCell(v any) string {
	switch x := v.(type) {
	case Percent:
		return strconv.Itoa(int(float64(x)*100+0.5)) + "%"
	case string:
		if x != "" && strings.ContainsRune("=+-@\t\r", rune(x[0])) {
			return "'" + x
		}
		return x
	}
	return fmt.Sprint(v)
}
