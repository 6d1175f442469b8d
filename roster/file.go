package roster

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// tables is the order tables are written in.
var tables = []table{committeeTable, cadreTable, groupTable}

// csv reads the CSV tables one after another.
func (p *parser) csv(b []byte) error {
	if hasBOM(b) {
		b = b[3:]
	}
	if !utf8.Valid(b) {
		return errors.New("名单不是 UTF-8 编码：在 Excel 里请另存为「CSV UTF-8（逗号分隔）」，或直接用 .xlsx")
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	p.startSheet("")
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			p.fail(pe.StartLine, "", "CSV 格式错误：%v", pe.Err)
			continue
		}
		if err != nil {
			return fmt.Errorf("读取 CSV：%w", err)
		}
		line, _ := cr.FieldPos(0)
		p.row(line, rec)
	}
}

// xlsxOptions keep a hostile workbook from filling memory or disk.
var xlsxOptions = excelize.Options{UnzipSizeLimit: 32 << 20, UnzipXMLSizeLimit: 8 << 20}

// xlsx reads every sheet of a workbook.
func (p *parser) xlsx(b []byte) error {
	f, err := excelize.OpenReader(bytes.NewReader(b), xlsxOptions)
	if err != nil {
		return fmt.Errorf("不是有效的 .xlsx 文件（%v）", err)
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			return fmt.Errorf("读取工作表「%s」：%w", sheet, err)
		}
		p.startSheet(sheet)
		for i, row := range rows {
			p.row(i+1, row)
		}
	}
	return nil
}

// write writes a roster in a format.
func write(w io.Writer, r *Roster, format Format) error {
	switch format {
	case CSV:
		return writeCSV(w, r)
	case XLSX:
		return writeXLSX(w, r)
	}
	return fmt.Errorf("不认识的名单格式「%s」：只能是 xlsx 或 csv", format)
}

// writeCSV writes the three tables, each after its header, with a blank line between them and
// a BOM so that Excel reads the file as UTF-8.
func writeCSV(w io.Writer, r *Roster) error {
	var b bytes.Buffer
	b.WriteString("\uFEFF")
	cw := csv.NewWriter(&b)
	cw.UseCRLF = true
	for i, t := range tables {
		if i > 0 {
			cw.Flush()
			b.WriteString("\r\n")
		}
		for _, row := range r.rows(t) {
			rec := make([]string, len(row))
			for j, v := range row {
				rec[j] = fmt.Sprint(v)
			}
			cw.Write(rec)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// writeXLSX writes one sheet per table, headers in bold.
func writeXLSX(w io.Writer, r *Roster) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	for i, t := range tables {
		name := sheetNames[t]
		if i == 0 {
			if err := f.SetSheetName(f.GetSheetName(0), name); err != nil {
				return fmt.Errorf("xlsx sheet: %w", err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("xlsx sheet: %w", err)
		}
		rows := r.rows(t)
		for j, row := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, j+1)
			if err := f.SetSheetRow(name, cell, &row); err != nil {
				return fmt.Errorf("xlsx row: %w", err)
			}
		}
		last, _ := excelize.ColumnNumberToName(len(rows[0]))
		if err := f.SetCellStyle(name, "A1", last+"1", bold); err != nil {
			return fmt.Errorf("xlsx style: %w", err)
		}
		if err := f.SetColWidth(name, "A", last, 18); err != nil {
			return fmt.Errorf("xlsx width: %w", err)
		}
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

// WriteTemplate writes an empty roster workbook: the three sheets with their headers and one
// example row each, for the operator to fill in. The examples' names start with exampleMark, so
// importing the template unchanged is refused row by row.
func WriteTemplate(w io.Writer) error {
	ex := &Roster{
		Committees: []Committee{{Name: "示例团市委", Level: "市级"}, {Name: "示例大学团委", Parent: "示例团市委", Level: "基层"}},
		Cadres:     []Cadre{{Name: "示例王小明", Committee: "示例大学团委", Kind: "full_time", Target: 100}},
		Groups:     []Group{{Name: "示例青年之家", Platform: "qq", Cadre: "示例王小明"}},
	}
	return writeXLSX(w, ex)
}
