package digest

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"strings"
)

// Formats lists the formats Render knows.
var Formats = []string{"text", "markdown", "html", "json"}

// Render renders d in one of Formats.
func Render(d *Digest, format string) ([]byte, error) {
	switch format {
	case "text":
		return []byte(Text(d) + "\n"), nil
	case "markdown":
		return []byte(Markdown(d)), nil
	case "html":
		return HTML(d)
	case "json":
		return JSON(d)
	}
	return nil, fmt.Errorf("格式「%s」不认识，可选 %s", format, strings.Join(Formats, "、"))
}

// ListMax is how many entries of the needs-effort list and of the quiet groups the text and
// Markdown forms show (they go to chats and robots); HTML and JSON show every one.
const ListMax = 20

// Title is the digest's title: "示范市团委周报 2026-W47".
func Title(d *Digest) string { return d.Committee + "周报 " + d.Week }

// line is one labelled line of the digest, shared by the text and Markdown forms.
type line struct{ label, value string }

// section is a heading with its lines or bullet items.
type section struct {
	title  string
	lines  []line
	items  []string
	empty  string // said when there are no items
	ranked bool   // items are numbered: by places when set, else in order
	places []int  // each item's place, shared by equals (the honor roll)
}

// number is item i's number in a ranked section.
func (s section) number(i int) int {
	if i < len(s.places) {
		return s.places[i]
	}
	return i + 1
}

// sections lays the digest out once for text and Markdown.
func sections(d *Digest) []section {
	var out []section
	out = append(out, section{title: "总体", lines: []line{
		{"活跃团干部", fmt.Sprintf("%d / %d 人", d.ActiveCadres, d.Cadres)},
		{"本周联系青年", fmt.Sprintf("%d 人次（上周 %d，%s）", d.Reached, d.ReachedLastWeek, signed(d.Reached-d.ReachedLastWeek))},
		{"季度覆盖率", fmt.Sprintf("%d%%（已联系 %d / 目标 %d，上周末 %d%%，%s）", d.Coverage, d.QuarterReached, d.Target, d.CoverageLast, signed(d.Coverage-d.CoverageLast))},
		{"互动", joinKinds(d.Interactions, "暂无") + fmt.Sprintf("（上周共 %d）", d.InteractionsLast)},
		{"活动", joinKinds(d.Activities, "本周没有登记活动")},
	}})
	var ts []string
	for _, t := range d.Topics {
		ts = append(ts, fmt.Sprintf("%s(%d)", t.Name, t.N))
	}
	var ks []string
	for _, k := range d.Keywords {
		ks = append(ks, fmt.Sprintf("%s(%d)", k.Name, k.N))
	}
	out = append(out, section{title: "话题", lines: []line{{"热门话题", orNone(strings.Join(ts, " "))}, {"关键词", orNone(strings.Join(ks, " "))}}})
	qs := section{title: fmt.Sprintf("待答复提问（%d 条）", d.OpenQuestions), empty: "没有待答复的提问"}
	for _, q := range d.Questions {
		qs.items = append(qs.items, fmt.Sprintf("%s：%s（已等 %d 天）", q.Cadre, q.Text, q.Waiting))
	}
	out = append(out, qs)
	ps := section{title: "季度“五个一”进度（" + d.Quarter + "）", empty: "没有配置季度计划"}
	for _, p := range d.Plan {
		ps.items = append(ps.items, fmt.Sprintf("%s：%d / %d 人完成", p.Name, p.Done, p.Cadres))
	}
	out = append(out, ps)
	hs := section{title: "光荣榜", empty: "暂无（还没有人获得积分）", ranked: true}
	for _, e := range d.Honor {
		hs.items = append(hs.items, fmt.Sprintf("%s（%s）：%s", e.Cadre, e.Committee, strings.Join(e.Reasons, "，")))
		hs.places = append(hs.places, e.Place)
	}
	out = append(out, hs)
	ns := section{title: fmt.Sprintf("加油榜（%d 人）", len(d.Needs)), empty: "暂无，大家都跟上了进度"}
	for _, e := range d.Needs {
		ns.items = append(ns.items, fmt.Sprintf("%s（%s）：%s", e.Cadre, e.Committee, strings.Join(e.Reasons, "；")))
	}
	ns.items = capped(ns.items, "人")
	out = append(out, ns)
	gs := section{title: fmt.Sprintf("本周沉寂的群（%d 个）", len(d.QuietGroups)), empty: "没有"}
	for _, g := range d.QuietGroups {
		gs.items = append(gs.items, fmt.Sprintf("%s（%s）：本周无消息，此前 %d 条", g.Name, g.Cadre, g.Before))
	}
	gs.items = capped(gs.items, "个群")
	out = append(out, gs)
	return out
}

func joinKinds(ks []KindCount, none string) string {
	if len(ks) == 0 {
		return none
	}
	var ps []string
	for _, k := range ks {
		ps = append(ps, fmt.Sprintf("%s %d", k.Label, k.N))
	}
	return strings.Join(ps, "，")
}

func orNone(s string) string {
	if s == "" {
		return "暂无"
	}
	return s
}

// Text renders d for a chat: short lines, no markup.
func Text(d *Digest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "【%s】%s 至 %s\n", Title(d), d.From, d.To)
	if d.Overview != "" {
		b.WriteString(d.Overview + "\n")
	}
	for _, s := range sections(d) {
		b.WriteString("\n" + s.title + "\n")
		for _, l := range s.lines {
			fmt.Fprintf(&b, "%s：%s\n", l.label, l.value)
		}
		if s.lines == nil && len(s.items) == 0 {
			b.WriteString("  " + s.empty + "\n")
		}
		for i, it := range s.items {
			if s.ranked {
				fmt.Fprintf(&b, "  %d. %s\n", s.number(i), it)
			} else {
				b.WriteString("  · " + it + "\n")
			}
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// Markdown renders d for webhook robots (WeCom, DingTalk, Feishu cards).
func Markdown(d *Digest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n%s 至 %s\n\n", mdEscape(Title(d)), d.From, d.To)
	if d.Overview != "" {
		b.WriteString("> " + mdEscape(d.Overview) + "\n\n")
	}
	for _, s := range sections(d) {
		b.WriteString("### " + mdEscape(s.title) + "\n")
		for _, l := range s.lines {
			fmt.Fprintf(&b, "- **%s**：%s\n", l.label, mdEscape(l.value))
		}
		if s.lines == nil && len(s.items) == 0 {
			b.WriteString("- " + s.empty + "\n")
		}
		for i, it := range s.items {
			if s.ranked {
				fmt.Fprintf(&b, "%d. %s\n", s.number(i), mdEscape(it))
			} else {
				b.WriteString("- " + mdEscape(it) + "\n")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// mdEscape keeps names and texts from turning into Markdown markup.
func mdEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", "&lt;", ">", "&gt;").Replace(s)
}

//go:embed digest.html.tmpl
var htmlSource string

var htmlTmpl = template.Must(template.New("digest").Funcs(template.FuncMap{
	"title": Title, "join": strings.Join, "signed": signed, "sub": func(a, b int) int { return a - b },
}).Parse(htmlSource))

// HTML renders d as a standalone page (files, e-mail, the dashboard); every text is escaped.
func HTML(d *Digest) ([]byte, error) {
	var b bytes.Buffer
	if err := htmlTmpl.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("render html: %w", err)
	}
	return b.Bytes(), nil
}

// JSON renders d as indented JSON; lists are never null.
func JSON(d *Digest) ([]byte, error) {
	c := *d
	c.Interactions, c.Activities = nonNil(c.Interactions), nonNil(c.Activities)
	c.Topics, c.Keywords, c.Questions = nonNil(c.Topics), nonNil(c.Keywords), nonNil(c.Questions)
	c.Plan, c.Honor, c.Needs, c.QuietGroups = nonNil(c.Plan), nonNil(c.Honor), nonNil(c.Needs), nonNil(c.QuietGroups)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return nil, fmt.Errorf("render json: %w", err)
	}
	return b.Bytes(), nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// capped keeps the first ListMax items of a list and says how many more the full digest has
// (unit: 人, 个群).
func capped(items []string, unit string) []string {
	if len(items) <= ListMax {
		return items
	}
	return append(items[:ListMax:ListMax], fmt.Sprintf("……另有 %d %s，完整名单见 HTML 或 JSON 版周报", len(items)-ListMax, unit))
}
