package roster

import (
	"bytes"
	"fmt"
	"testing"
	"unicode/utf8"
)

// data is a roster without positions, to compare two parses.
func data(r *Roster) string {
	var b bytes.Buffer
	for _, c := range r.Committees {
		fmt.Fprintf(&b, "%q %q %q\n", c.Name, c.Parent, c.Level)
	}
	for _, c := range r.Cadres {
		fmt.Fprintf(&b, "%q %q %q %d\n", c.Name, c.Committee, c.Kind, c.Target)
	}
	for _, g := range r.Groups {
		fmt.Fprintf(&b, "%q %q %q\n", g.Name, g.Platform, g.Cadre)
	}
	return b.String()
}

// FuzzParseCSV: any input parses without panicking into rows and errors that make sense, and a
// roster without errors writes out and parses back to the same data.
func FuzzParseCSV(f *testing.F) {
	f.Add([]byte(goodCSV))
	f.Add([]byte("团委,上级团委\n甲,\n团干部,所属团委,类别,目标人数\n王,甲,兼职,1e3\n群名,平台,团干部\n\"a\nb\",qq,王\n"))
	f.Add([]byte("\uFEFF团干部,类别\n\"x\"\"y\",专职\n团委,上级团委,层级,团委\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Parse(bytes.NewReader(b), CSV)
		if err != nil {
			return // refused as a whole, with a reason
		}
		for _, e := range r.Errors {
			if e.Row < 1 || !utf8.ValidString(e.Error()) {
				t.Fatalf("bad row error %+v", e)
			}
		}
		if len(r.Errors) > 0 {
			return
		}
		for _, c := range r.Cadres {
			if c.Target <= 0 {
				t.Fatalf("cadre %+v without a positive target", c)
			}
		}
		var out bytes.Buffer
		if err := writeCSV(&out, r); err != nil {
			t.Fatal(err)
		}
		again, err := Parse(&out, CSV)
		if err != nil {
			t.Fatalf("written roster does not parse: %v\n%s", err, out.String())
		}
		if len(again.Errors) > 0 {
			t.Fatalf("written roster has errors %v\n%s", Errors(again.Errors), out.String())
		}
		if data(r) != data(again) {
			t.Fatalf("round trip changed the roster:\n%s\n%s", data(r), data(again))
		}
	})
}

// FuzzParseXLSX: a hostile workbook is refused or parsed, never a panic, and row errors name a
// row.
func FuzzParseXLSX(f *testing.F) {
	var tmpl bytes.Buffer
	if err := WriteTemplate(&tmpl); err != nil {
		f.Fatal(err)
	}
	f.Add(tmpl.Bytes())
	r, err := Parse(bytes.NewReader([]byte(goodCSV)), CSV)
	if err != nil {
		f.Fatal(err)
	}
	var full bytes.Buffer
	if err := writeXLSX(&full, r); err != nil {
		f.Fatal(err)
	}
	f.Add(full.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Parse(bytes.NewReader(b), XLSX)
		if err != nil {
			return
		}
		for _, e := range r.Errors {
			if e.Row < 1 || !utf8.ValidString(e.Error()) {
				t.Fatalf("bad row error %+v", e)
			}
		}
	})
}
