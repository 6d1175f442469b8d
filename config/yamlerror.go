package config

import (
	"bytes"
	"errors"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// yaml.v3 reports type problems as "line N: …" in English; these pick them apart.
var (
	reLine     = regexp.MustCompile(`^line (\d+): (.*)$`)
	reType     = regexp.MustCompile("^cannot unmarshal (!!\\w+)(?: `(.*)`)? into (.+)$")
	reUnknown  = regexp.MustCompile(`^field (\S+) not found in type `)
	reDupKey   = regexp.MustCompile(`^mapping key "(.*)" already defined at line \d+$`)
	reDupField = regexp.MustCompile(`^field (\S+) already set in type `)
	rePath     = regexp.MustCompile(`^[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*|\[\d+\])*`)
	reSegment  = regexp.MustCompile(`[^.\[]+|\[\d+\]`)
)

// syntaxErrors translates the yaml.v3 parser's messages. For the parser's own errors (not the
// scanner's), yaml.v3 counts from 0 the line where the enclosing list or mapping starts.
var syntaxErrors = []struct {
	en, zh string
	parser bool
}{
	{"did not find expected ',' or ']'", "从这一行开始的列表「[ ]」缺少逗号或右方括号", true},
	{"did not find expected ',' or '}'", "从这一行开始的映射「{ }」缺少逗号或右花括号", true},
	{"did not find expected key", "这一行附近缩进没对齐（同一层的键要左对齐）", true},
	{"did not find expected '-' indicator", "从这一行开始的列表里，后面有一行没以「- 」开头或缩进没对齐", true},
	{"did not find expected node content", "这里缺少值", true},
	{"mapping values are not allowed in this context", "这里不能出现「键: 值」（缩进不对，或值里的冒号要加引号？）", false},
	{"could not find expected ':'", "缺少冒号「:」", false},
	{"found character that cannot start any token", "有不能出现在这里的字符（缩进只能用空格，不能用 Tab）", false},
	{"found unexpected end of stream", "文件意外结束（引号或括号没有闭合？）", false},
	{"found unknown escape character", "双引号里有不认识的转义（反斜杠要写成 \\\\）", false},
	{"block sequence entries are not allowed in this context", "这里不能出现列表项「- 」（缩进不对？）", false},
	{"unknown anchor", "引用了不存在的锚点（*名字 之前要有 &名字）", false},
	{"invalid leading UTF-8 octet", "文件不是 UTF-8 编码", false},
	{"control characters are not allowed", "文件里有控制字符", false},
}

// syntaxError turns a yaml.v3 parse error of b into a Chinese *Error with its line; what is not
// translated is kept in brackets.
func syntaxError(file string, b []byte, err error) error {
	s := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := reLine.FindStringSubmatch(s); m != nil {
		line, _ = strconv.Atoi(m[1])
		s = m[2]
	}
	for _, t := range syntaxErrors {
		if strings.Contains(s, t.en) {
			if t.parser && b != nil {
				line = min(line+1, bytes.Count(b, []byte("\n"))+1)
			}
			return &Error{File: file, Line: line, Problem: "YAML 格式错误：" + t.zh}
		}
	}
	return &Error{File: file, Line: line, Problem: "YAML 格式错误（" + s + "）"}
}

// typeErrors turns yaml.v3's type errors into Chinese *Errors naming line and key path. doc is
// the tree that was decoded (its lines are the ones in the messages), orig the same section as
// it stands in the file, prefix its key path, and v the value it was decoded into.
func typeErrors(file, prefix string, te *yaml.TypeError, doc, orig *yaml.Node, v any) error {
	var errs []error
	for _, msg := range te.Errors {
		errs = append(errs, typeError(file, prefix, msg, doc, orig, reflect.TypeOf(v)))
	}
	return errors.Join(errs...)
}

func typeError(file, prefix, msg string, doc, orig *yaml.Node, t reflect.Type) *Error {
	m := reLine.FindStringSubmatch(msg)
	if m == nil {
		return &Error{File: file, Key: prefix, Problem: msg}
	}
	line, _ := strconv.Atoi(m[1])
	msg = m[2]
	e := &Error{File: file, Line: line, Problem: msg}
	at := func(match func(k, v *yaml.Node) bool) []string {
		path, ok := find(doc, nil, match)
		e.Key = keyPath(prefix, path)
		if n := lookup(orig, path); ok && n != nil { // not found: the message's own line stands
			e.Line = n.Line
		}
		return path
	}
	if u := reUnknown.FindStringSubmatch(msg); u != nil {
		path := at(func(k, _ *yaml.Node) bool { return k != nil && k.Line == line && k.Value == u[1] })
		if len(path) > 0 {
			if n := lookupKey(orig, path); n != nil {
				e.Line = n.Line
			}
			path = path[:len(path)-1]
		}
		e.Problem = "不认识这个键（拼写错误？）"
		if keys := fieldsAt(t, path); len(keys) > 0 {
			e.Problem = "不认识这个键（拼写错误？可用的键：" + strings.Join(keys, ", ") + "）"
		}
		return e
	}
	d := reDupKey.FindStringSubmatch(msg)
	if d == nil {
		d = reDupField.FindStringSubmatch(msg)
	}
	if d != nil {
		path := at(func(k, _ *yaml.Node) bool { return k != nil && k.Line == line && k.Value == d[1] })
		e.Problem = "键重复了，只能写一次"
		if len(path) > 0 {
			if p := lookup(orig, path[:len(path)-1]); p != nil && p.Kind == yaml.MappingNode {
				var lines []string
				for i := 0; i+1 < len(p.Content); i += 2 {
					if p.Content[i].Value == d[1] {
						e.Line = p.Content[i].Line
						lines = append(lines, strconv.Itoa(p.Content[i].Line))
					}
				}
				e.Problem = "键重复了，只能写一次（见第 " + strings.Join(lines, "、") + " 行）"
			}
		}
		return e
	}
	if ty := reType.FindStringSubmatch(msg); ty != nil {
		var got *yaml.Node
		path := at(func(_, v *yaml.Node) bool {
			if v.Line != line || !sameValue(v, ty[1], ty[2]) {
				return false
			}
			got = v
			return true
		})
		e.Problem = "应为" + want(typeAt(t, path), ty[3]) + "，不能是" + describe(got, ty[1], ty[2])
	}
	return e
}

// sameValue reports whether n is the node yaml.v3 described by tag and its shortened value.
func sameValue(n *yaml.Node, tag, value string) bool {
	switch tag {
	case "!!seq":
		return n.Kind == yaml.SequenceNode
	case "!!map":
		return n.Kind == yaml.MappingNode
	}
	if n.Kind != yaml.ScalarNode {
		return false
	}
	if v, ok := strings.CutSuffix(value, "..."); ok && len(n.Value) > 10 {
		return strings.HasPrefix(n.Value, v)
	}
	return n.Value == value
}

// describe names in Chinese what the file has where something else was expected.
func describe(n *yaml.Node, tag, value string) string {
	switch {
	case tag == "!!seq":
		return "列表"
	case tag == "!!map":
		return "键值映射"
	case n != nil:
		return "「" + n.Value + "」"
	}
	return "「" + value + "」"
}

// want names in Chinese what a Go type expects in YAML; name is yaml.v3's name for it.
func want(t reflect.Type, name string) string {
	if name == "time.Duration" {
		return "时长（例如 30s、5m、72h）"
	}
	if t == nil {
		return " " + name
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "整数"
	case reflect.Float32, reflect.Float64:
		return "数字"
	case reflect.Bool:
		return " true 或 false"
	case reflect.String:
		return "文字"
	case reflect.Slice, reflect.Array:
		return "列表（每项以「- 」开头）"
	case reflect.Map, reflect.Struct:
		return "键值映射（下一级的「键: 值」）"
	}
	return " " + name
}

// find returns the path to the first node under n (whose path is path) that match accepts;
// match gets the key node for mapping values and nil otherwise.
func find(n *yaml.Node, path []string, match func(k, v *yaml.Node) bool) ([]string, bool) {
	if n == nil {
		return nil, false
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil, false
		}
		n = n.Content[0]
	}
	if len(path) == 0 && match(nil, n) {
		return path, true
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := append(path[:len(path):len(path)], k.Value)
			if match(k, v) {
				return p, true
			}
			if p, ok := find(v, p, match); ok {
				return p, true
			}
		}
	case yaml.SequenceNode:
		for i, v := range n.Content {
			p := append(path[:len(path):len(path)], "["+strconv.Itoa(i)+"]")
			if match(nil, v) {
				return p, true
			}
			if p, ok := find(v, p, match); ok {
				return p, true
			}
		}
	}
	return nil, false
}

// lookup returns the value node at path under n, or nil.
func lookup(n *yaml.Node, path []string) *yaml.Node {
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, seg := range path {
		if n == nil {
			return nil
		}
		next := (*yaml.Node)(nil)
		if i, ok := index(seg); ok {
			if n.Kind == yaml.SequenceNode && i < len(n.Content) {
				next = n.Content[i]
			}
		} else {
			_, next = keyIn(n, seg)
		}
		n = next
	}
	return n
}

// lookupKey returns the key node of the last element of path under n, or nil.
func lookupKey(n *yaml.Node, path []string) *yaml.Node {
	k, _ := keyIn(lookup(n, path[:len(path)-1]), path[len(path)-1])
	return k
}

// keyIn returns the first key named key in mapping m, and its value; nils when there is none.
func keyIn(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for j := 0; j+1 < len(m.Content); j += 2 {
		if m.Content[j].Value == key {
			return m.Content[j], m.Content[j+1]
		}
	}
	return nil, nil
}

func index(seg string) (int, bool) {
	if !strings.HasPrefix(seg, "[") {
		return 0, false
	}
	i, err := strconv.Atoi(strings.Trim(seg, "[]"))
	return i, err == nil
}

// keyPath writes a path as in the messages: ranking.honor_size, cadres[0].name.
func keyPath(prefix string, path []string) string {
	s := prefix
	for _, seg := range path {
		if s != "" && !strings.HasPrefix(seg, "[") {
			s += "."
		}
		s += seg
	}
	return s
}

// typeAt follows path from t through structs (by yaml tag), maps and slices; nil if it can't.
func typeAt(t reflect.Type, path []string) reflect.Type {
	for _, seg := range path {
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t == nil {
			return nil
		}
		switch t.Kind() {
		case reflect.Slice, reflect.Array, reflect.Map:
			t = t.Elem()
		case reflect.Struct:
			t = field(t, seg)
		default:
			return nil
		}
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// field is the type of t's field with YAML key name, looking into inline structs; nil if none.
func field(t reflect.Type, name string) reflect.Type {
	for _, f := range yamlFields(t) {
		if f.key == name {
			return f.typ
		}
	}
	return nil
}

// fieldsAt lists the YAML keys of the struct at path under t, or nil if it is not a struct.
func fieldsAt(t reflect.Type, path []string) []string {
	t = typeAt(t, path)
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	var keys []string
	for _, f := range yamlFields(t) {
		keys = append(keys, f.key)
	}
	return keys
}

// yamlField is a key a struct takes in YAML, and the type of its value.
type yamlField struct {
	key string
	typ reflect.Type
}

// yamlFields lists the keys struct type t takes, as yaml.v3 reads its tags: inline structs'
// keys in their place, untagged fields by their lower-cased name, unexported and "-" fields left
// out.
func yamlFields(t reflect.Type) []yamlField {
	var out []yamlField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		key, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch {
		case !f.IsExported() || key == "-":
		case strings.Contains(opts, "inline"):
			out = append(out, yamlFields(f.Type)...)
		case key == "":
			out = append(out, yamlField{strings.ToLower(f.Name), f.Type})
		default:
			out = append(out, yamlField{key, f.Type})
		}
	}
	return out
}

// validateError places the error of a section's Validate: the key path it starts with, in full
// (platforms.onebot.connections[0].mode) or relative to the section (digest.cron), is printed
// once, and the line is that of the deepest part of the path present in n.
func validateError(file, key string, n *yaml.Node, err error) error {
	msg := err.Error()
	p := rePath.FindString(msg)
	rel, full := strings.CutPrefix(p, key)
	switch {
	case full && (rel == "" || rel[0] == '.' || rel[0] == '['):
	case p != "" && lookup(n, segments(p)) != nil:
		rel = p
	default:
		return &Error{File: file, Key: key, Problem: msg}
	}
	segs := segments(rel)
	e := &Error{File: file, Key: keyPath(key, segs), Problem: strings.TrimLeft(msg[len(p):], ":： ")}
	for i := len(segs); i > 0; i-- {
		if nd := lookup(n, segs[:i]); nd != nil {
			e.Line = nd.Line
			break
		}
	}
	return e
}

// segments splits a key path: connections[0].mode is connections, [0], mode.
func segments(path string) []string { return reSegment.FindAllString(path, -1) }
