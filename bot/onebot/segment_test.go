package onebot

import (
	"encoding/json"
	"reflect"
	"testing"
)

func seg(typ string, kv ...string) segment {
	s := segment{Type: typ, Data: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		s.Data[kv[i]] = kv[i+1]
	}
	return s
}

func TestParseCQ(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []segment
	}{
		{"", nil},
		{"你好", []segment{seg("text", "text", "你好")}},
		{"[CQ:at,qq=10001] 你好", []segment{seg("at", "qq", "10001"), seg("text", "text", " 你好")}},
		{"a&amp;b &#91;1&#93; c&#44;d", []segment{seg("text", "text", "a&b [1] c,d")}},
		{"&amp;#91;", []segment{seg("text", "text", "&#91;")}},
		{"[CQ:image,file=a&#44;b.jpg,url=http://x/?a=1&amp;b=2]", []segment{seg("image", "file", "a,b.jpg", "url", "http://x/?a=1&b=2")}},
		{"[CQ:reply,id=-5][CQ:face,id=178]", []segment{seg("reply", "id", "-5"), seg("face", "id", "178")}},
		{"[CQ:at,qq=all]", []segment{seg("at", "qq", "all")}},
		{"[CQ:shake]", []segment{seg("shake")}},
		{"半截 [CQ:at,qq=1", []segment{seg("text", "text", "半截 [CQ:at,qq=1")}},
		{"[CQ:[CQ:at,qq=1]", []segment{seg("text", "text", "[CQ:"), seg("at", "qq", "1")}},
		{"x]y", []segment{seg("text", "text", "x]y")}},
	} {
		if got := parseCQ(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseCQ(%q)\n got %+v\nwant %+v", tc.in, got, tc.want)
		}
	}
}

func TestParseMessageArray(t *testing.T) {
	raw := `[{"type":"at","data":{"qq":10001}},{"type":"reply","data":{"id":-7}},{"type":"text","data":{"text":"[CQ:x]"}},{"type":"image","data":{"file":"a.jpg","sub_type":0,"url":null}}]`
	got, err := parseMessage(json.RawMessage(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := []segment{seg("at", "qq", "10001"), seg("reply", "id", "-7"), seg("text", "text", "[CQ:x]"), seg("image", "file", "a.jpg", "sub_type", "0", "url", "")}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	for _, bad := range []string{`{"type":"text"}`, `42`, `[1,2]`, `"unterminated`} {
		if _, err := parseMessage(json.RawMessage(bad)); err == nil {
			t.Errorf("parseMessage(%s): no error", bad)
		}
	}
}

func TestFormatCQRoundTrip(t *testing.T) {
	segs := []segment{seg("text", "text", "a&b[1],"), seg("image", "file", "x,y].jpg", "url", "http://h/?a=1&b=2"), seg("at", "qq", "all")}
	s := formatCQ(segs)
	if got, want := s, "a&amp;b&#91;1&#93;,[CQ:image,file=x&#44;y&#93;.jpg,url=http://h/?a=1&amp;b=2][CQ:at,qq=all]"; got != want {
		t.Fatalf("formatCQ = %q, want %q", got, want)
	}
	if got := parseCQ(s); !reflect.DeepEqual(got, segs) {
		t.Fatalf("parseCQ(formatCQ) = %+v, want %+v", got, segs)
	}
}

func FuzzParseCQ(f *testing.F) {
	for _, s := range []string{"", "你好", "[CQ:at,qq=10001] hi", "[CQ:image,file=a&#44;b]&amp;", "[CQ:[CQ:", "[CQ:a,b=c=d,e]x]", "&#91;CQ:at,qq=1&#93;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		segs := parseCQ(s)
		for i, sg := range segs {
			if sg.Type == "text" && i > 0 && segs[i-1].Type == "text" {
				t.Fatalf("adjacent text segments in %q", s)
			}
		}
		// Formatting and parsing again must give the same segments.
		again := parseCQ(formatCQ(segs))
		if len(segs) == 0 && len(again) == 0 {
			return
		}
		if !reflect.DeepEqual(again, segs) {
			t.Fatalf("round trip of %q:\n got %+v\nwant %+v", s, again, segs)
		}
	})
}
