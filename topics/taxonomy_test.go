package topics

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestNewTaxonomyErrors(t *testing.T) {
	tests := []struct {
		name string
		in   map[string][]string
		want string
	}{
		{"empty topic", map[string][]string{" ": {"就业"}}, "话题名称不能为空"},
		{"empty keyword", map[string][]string{"就业": {"实习", " "}}, "话题「就业」有空的关键词"},
		{"no keywords", map[string][]string{"就业": nil}, "话题「就业」没有关键词"},
		{"duplicate after trim", map[string][]string{"就业": {"a"}, " 就业 ": {"b"}}, "话题「就业」重复"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tax, err := NewTaxonomy(tt.in)
			if err == nil {
				t.Fatalf("NewTaxonomy(%v) = %v, want error %q", tt.in, tax, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Fatalf("error = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	tax, err := NewTaxonomy(map[string][]string{
		"就业":   {"就业", "实习", "简历", "招聘", "面试", "Offer"},
		"志愿服务": {"志愿", "义工"},
		"考试":   {"考研", "研究生考试", "四六级"},
		"研究":   {"研究生", "科研"},
		"心理":   {"压力", "焦虑"},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, in string
		want     []string
	}{
		{"none", "今天天气不错", nil},
		{"one", "明天的志愿服务活动几点集合？", []string{"志愿服务"}},
		{"sorted, deduped", "投简历准备面试，压力好大，简历还没改完", []string{"就业", "心理"}},
		{"overlapping keywords, byte order", "研究生考试报名开始了", []string{"研究", "考试"}},
		{"suffix of longer partial", "研究生活", []string{"研究"}},
		{"ascii case-insensitive", "拿到OFFER了", []string{"就业"}},
		{"keyword at the end", "周末去做义工", []string{"志愿服务"}},
		{"url does not count", "看 https://jobs.example.com/offer/1 吧", nil},
		{"placeholder does not split", "实[图片]习", nil},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tax.Match(tt.in); !slices.Equal(got, tt.want) {
				t.Fatalf("Match(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// naiveMatch is the obvious implementation, to check the automaton against and to measure.
func naiveMatch(t *Taxonomy, text string) []string {
	text = asciiLower(Clean(text))
	var out []string
	for _, name := range t.topics {
		for _, kw := range t.keywords[name] {
			if strings.Contains(text, asciiLower(kw)) {
				out = append(out, name)
				break
			}
		}
	}
	return out
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func TestMatchAgreesWithNaive(t *testing.T) {
	tax := DefaultTaxonomy()
	msgs := []string{
		"明天的志愿服务活动几点集合？",
		"青年大学习第十二期来了，请各位团员在周五前完成学习",
		"最近压力好大，期末考试复习不完，焦虑得失眠了",
		"西部计划和三支一扶的报名截止了吗？想拿个offer",
		"团日活动改到周六，篮球比赛照常",
	}
	// Every keyword, alone and glued between others, must be found as strings.Contains finds it.
	for _, name := range tax.Topics() {
		for _, kw := range tax.Keywords(name) {
			msgs = append(msgs, kw, "啊"+kw+"吧", strings.ToUpper(kw)+"研究")
		}
	}
	for _, m := range msgs {
		if got, want := tax.Match(m), naiveMatch(tax, m); !slices.Equal(got, want) {
			t.Errorf("Match(%q) = %q, naive %q", m, got, want)
		}
	}
}

func FuzzMatch(f *testing.F) {
	tax := DefaultTaxonomy()
	for _, s := range []string{"", "明天的志愿服务活动几点集合？", "OFFER面试考研", "\xff就\xff业"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if got, want := tax.Match(in), naiveMatch(tax, in); !slices.Equal(got, want) {
			t.Fatalf("Match(%q) = %q, naive %q", in, got, want)
		}
	})
}

func TestDefaultTaxonomy(t *testing.T) {
	tax := DefaultTaxonomy()
	for _, want := range []string{"就业创业", "学习考试", "志愿服务", "心理健康", "婚恋交友", "权益维护", "文体活动", "理论学习"} {
		if !slices.Contains(tax.Topics(), want) {
			t.Errorf("DefaultTaxonomy has no topic %q; has %q", want, tax.Topics())
		}
	}
	if got, want := tax.Match("下周有招聘会，记得带简历"), []string{"就业创业"}; !slices.Equal(got, want) {
		t.Fatalf("Match = %q, want %q", got, want)
	}
}

func TestMatchManyTopics(t *testing.T) {
	m := map[string][]string{}
	for i := range 300 { // more than the bitset kept on the stack
		m[fmt.Sprintf("t%03d", i)] = []string{fmt.Sprintf("词%03d", i)}
	}
	tax, err := NewTaxonomy(m)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tax.Match("词299和词000还有词150"), []string{"t000", "t150", "t299"}; !slices.Equal(got, want) {
		t.Fatalf("Match = %q, want %q", got, want)
	}
}

const benchMsg = "明天的志愿服务活动几点集合？大家记得带上团员证和简历" // 27 runes

func BenchmarkMatch(b *testing.B) {
	tax := DefaultTaxonomy()
	clean := Clean(benchMsg)
	b.Run("aho-corasick", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tax.match(clean)
		}
	})
	b.Run("naive", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			naiveMatch(tax, clean)
		}
	})
}
