package onebot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// segment is one piece of a OneBot message: {"type":"at","data":{"qq":"10001"}}. Data values
// are kept as strings whatever JSON type the implementation sent (at.qq may be a number).
type segment struct {
	Type string
	Data map[string]string
}

// parseMessage decodes the message field of an event: a segment array or a CQ string.
func parseMessage(raw json.RawMessage) ([]segment, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return nil, nil
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("message string: %w", err)
		}
		return parseCQ(s), nil
	case raw[0] == '[':
		var arr []struct {
			Type string                     `json:"type"`
			Data map[string]json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(raw, &arr); err != nil {
			return nil, fmt.Errorf("message array: %w", err)
		}
		segs := make([]segment, 0, len(arr))
		for _, a := range arr {
			s := segment{Type: a.Type, Data: make(map[string]string, len(a.Data))}
			for k, v := range a.Data {
				s.Data[k] = jsonScalar(v)
			}
			segs = append(segs, s)
		}
		return segs, nil
	}
	return nil, fmt.Errorf("message: neither a string nor an array")
}

// jsonScalar renders a JSON value as the string a CQ code would carry: strings unquoted,
// numbers and booleans as written, anything else as its JSON text.
func jsonScalar(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) > 0 && v[0] == '"' {
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
	}
	if string(v) == "null" {
		return ""
	}
	return string(v)
}

// parseCQ splits a CQ string such as "[CQ:at,qq=10001] 你好&#91;1&#93;" into segments. Text
// outside codes becomes text segments; a "[CQ:" without its closing "]" is kept as text.
func parseCQ(s string) []segment {
	var segs []segment
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			segs = append(segs, segment{Type: "text", Data: map[string]string{"text": cqUnescape(text.String())}})
			text.Reset()
		}
	}
	for len(s) > 0 {
		i := strings.Index(s, "[CQ:")
		if i < 0 {
			text.WriteString(s)
			break
		}
		end := strings.IndexByte(s[i:], ']')
		if end < 0 {
			text.WriteString(s)
			break
		}
		end += i
		// The code opens at the last "[" before its "]": in "[CQ:[CQ:at,qq=1]" the first
		// "[CQ:" is text. If that "[" does not open "[CQ:", all of it is text.
		k := i + strings.LastIndexByte(s[i:end], '[')
		if !strings.HasPrefix(s[k:], "[CQ:") {
			text.WriteString(s[:end+1])
			s = s[end+1:]
			continue
		}
		text.WriteString(s[:k])
		flush()
		segs = append(segs, parseCQCode(s[k+len("[CQ:"):end]))
		s = s[end+1:]
	}
	flush()
	return segs
}

// parseCQCode parses "type,k=v,k=v" (the inside of a CQ code).
func parseCQCode(body string) segment {
	parts := strings.Split(body, ",")
	seg := segment{Type: strings.TrimSpace(parts[0]), Data: make(map[string]string, len(parts)-1)}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		seg.Data[k] = cqUnescape(v)
	}
	return seg
}

var (
	cqUnescaper = strings.NewReplacer("&#91;", "[", "&#93;", "]", "&#44;", ",", "&amp;", "&")
	cqEscaper   = strings.NewReplacer("&", "&amp;", "[", "&#91;", "]", "&#93;")
	cqArgEsc    = strings.NewReplacer("&", "&amp;", "[", "&#91;", "]", "&#93;", ",", "&#44;")
)

// cqUnescape undoes CQ escaping in one pass, so "&amp;#91;" stays "&#91;".
func cqUnescape(s string) string { return cqUnescaper.Replace(s) }

// formatCQ renders segments as a CQ string, the inverse of parseCQ. Keys are written in sorted
// order so the output is stable. Used by tests and logs.
func formatCQ(segs []segment) string {
	var b strings.Builder
	for _, s := range segs {
		if s.Type == "text" {
			b.WriteString(cqEscaper.Replace(s.Data["text"]))
			continue
		}
		b.WriteString("[CQ:")
		b.WriteString(s.Type)
		for _, k := range slices.Sorted(maps.Keys(s.Data)) {
			b.WriteString(",")
			b.WriteString(k)
			b.WriteString("=")
			b.WriteString(cqArgEsc.Replace(s.Data[k]))
		}
		b.WriteString("]")
	}
	return b.String()
}
