package knowledge

import (
	"path"
	"strings"
	"unicode/utf8"
)

// MaxPassage is the longest passage, in characters. Short paragraphs under one heading are joined
// up to this length; a longer paragraph is cut at sentence ends.
const MaxPassage = 400

// Passage is one searchable piece of a knowledge file.
type Passage struct {
	Title  string // file title, then the heading path: "入团指南 · 申请条件"
	Source string // file name, relative to the knowledge folder, with forward slashes
	Text   string // the paragraph(s), trimmed
}

// IsMarkdown tells whether a file name is read as Markdown (.md, .markdown); other files are
// plain text, where '#' has no meaning.
func IsMarkdown(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".md", ".markdown":
		return true
	}
	return false
}

// Split cuts one file into passages. source is the file name: it decides Markdown or plain text
// and gives the title when the file has no level-1 heading. Invalid UTF-8 is replaced, so any
// input yields well-formed passages.
func Split(source, text string) []Passage {
	text = strings.ToValidUTF8(text, "\uFFFD")
	text = strings.TrimPrefix(text, "\uFEFF")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	md := IsMarkdown(source)
	lines := strings.Split(text, "\n")

	title := strings.TrimSuffix(path.Base(strings.ReplaceAll(source, "\\", "/")), path.Ext(source))
	if md {
		if t := firstH1(lines); t != "" {
			title = t
		}
	}
	title = strings.ToValidUTF8(title, "\uFFFD")
	if strings.TrimSpace(title) == "" {
		title = "未命名"
	}

	s := splitter{source: source, fileTitle: title}
	var para []string
	endPara := func() {
		if len(para) > 0 {
			s.addParagraph(strings.TrimSpace(strings.Join(para, "\n")))
			para = para[:0]
		}
	}
	fence := ""
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		if md {
			if fence != "" {
				if strings.HasPrefix(trimmed, fence) {
					fence = ""
				}
				para = append(para, line)
				continue
			}
			if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
				fence = trimmed[:3]
				para = append(para, line)
				continue
			}
			if level, h, ok := heading(trimmed); ok {
				endPara()
				s.flush()
				s.setHeading(level, h)
				continue
			}
			if isRule(trimmed) {
				endPara()
				continue
			}
		}
		if trimmed == "" {
			endPara()
			continue
		}
		para = append(para, line)
	}
	endPara()
	s.flush()
	return s.out
}

// splitter gathers paragraphs into passages under the current heading.
type splitter struct {
	source    string
	fileTitle string
	headings  [6]string // the current heading of each level
	buf       []string  // paragraphs of the passage being built
	bufLen    int       // its length in characters
	out       []Passage
}

func (s *splitter) setHeading(level int, h string) {
	s.headings[level-1] = h
	for i := level; i < len(s.headings); i++ {
		s.headings[i] = ""
	}
}

func (s *splitter) title() string {
	parts := []string{s.fileTitle}
	for i, h := range s.headings {
		if h == "" || (i == 0 && h == s.fileTitle) {
			continue
		}
		parts = append(parts, h)
	}
	return strings.Join(parts, " · ")
}

func (s *splitter) addParagraph(p string) {
	if p == "" {
		return
	}
	n := runeLen(p)
	if n > MaxPassage {
		s.flush()
		for _, c := range cutSentences(p, MaxPassage) {
			s.buf = append(s.buf, c)
			s.flush()
		}
		return
	}
	if s.bufLen > 0 && s.bufLen+1+n > MaxPassage {
		s.flush()
	}
	s.buf = append(s.buf, p)
	if s.bufLen > 0 {
		s.bufLen++ // the joining newline
	}
	s.bufLen += n
}

func (s *splitter) flush() {
	if len(s.buf) == 0 {
		return
	}
	text := strings.TrimSpace(strings.Join(s.buf, "\n"))
	s.buf, s.bufLen = s.buf[:0], 0
	if text == "" {
		return
	}
	s.out = append(s.out, Passage{Title: s.title(), Source: s.source, Text: text})
}

// cutSentences cuts p into trimmed chunks of at most max characters, preferring to end a chunk
// after a sentence-ending mark.
func cutSentences(p string, max int) []string {
	var out []string
	for p != "" {
		if runeLen(p) <= max {
			out = append(out, p)
			break
		}
		cut, n, lastEnd := 0, 0, 0
		for i, r := range p {
			if n == max {
				cut = i
				break
			}
			n++
			if strings.ContainsRune("。！？；!?;\n", r) {
				lastEnd = i + utf8.RuneLen(r)
			}
		}
		if lastEnd > cut/2 {
			cut = lastEnd
		}
		if c := strings.TrimSpace(p[:cut]); c != "" {
			out = append(out, c)
		}
		p = strings.TrimSpace(p[cut:])
	}
	return out
}

// heading parses an ATX heading line ("## 申请条件 ##").
func heading(line string) (level int, text string, ok bool) {
	for level < len(line) && line[level] == '#' {
		level++
	}
	if level == 0 || level > 6 {
		return 0, "", false
	}
	rest := line[level:]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return 0, "", false // "#话题#" is text, not a heading
	}
	text = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(rest), "#"))
	return level, text, true
}

// firstH1 is the text of the first level-1 heading outside code fences, or "".
func firstH1(lines []string) string {
	fence := ""
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if fence != "" {
			if strings.HasPrefix(t, fence) {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fence = t[:3]
			continue
		}
		if level, h, ok := heading(t); ok && level == 1 && h != "" {
			return h
		}
	}
	return ""
}

// isRule tells a thematic break or setext underline ("---", "***", "===") from text.
func isRule(line string) bool {
	if len(line) < 3 {
		return false
	}
	c := line[0]
	if c != '-' && c != '*' && c != '=' && c != '_' {
		return false
	}
	for i := 0; i < len(line); i++ {
		if line[i] != c && line[i] != ' ' {
			return false
		}
	}
	return true
}
