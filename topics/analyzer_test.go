package topics

import (
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// Tests that need the dictionary all use Shared(): it loads once per test binary.

func TestAnalyze(t *testing.T) {
	a := NewAnalyzer(DefaultTaxonomy(), Shared())
	tests := []struct {
		name string
		in   string
		want Analysis
	}{
		{
			name: "volunteer question",
			in:   "明天的志愿服务活动几点集合？",
			want: Analysis{Topics: []string{"志愿服务"}, Keywords: []string{"志愿服务", "活动", "集合"}},
		},
		{
			name: "mention, url and picture",
			in:   "@张三\u2005大家看看这个招聘信息 https://mp.weixin.qq.com/s/abc?x=1 [图片]",
			want: Analysis{Topics: []string{"就业创业"}, Keywords: []string{"招聘", "信息"}},
		},
		{
			name: "email",
			in:   "有问题发邮件到 Tuanwei@example.edu.cn 谢谢",
			want: Analysis{Keywords: []string{"问题", "发邮件"}},
		},
		{
			name: "tag is a topic",
			in:   "#考研# 今年考研的同学们加油，图书馆六点开门",
			want: Analysis{
				Topics:   []string{"学习考试", "考研"},
				Tags:     []string{"考研"},
				Keywords: []string{"考研", "加油", "图书馆", "开门"},
			},
		},
		{
			name: "tag outside taxonomy",
			in:   "#读书分享# 推荐一本书",
			want: Analysis{Topics: []string{"读书分享"}, Tags: []string{"读书分享"}, Keywords: []string{"读书", "分享", "推荐"}},
		},
		{
			name: "pronouns, measure words and relative time words dropped",
			in:   "这件事你来牵个头，这些人本周都报名这次的活动",
			want: Analysis{Keywords: []string{"报名", "活动"}},
		},
		{
			name: "holidays and terms are subjects",
			in:   "暑假去实习还是回家？国庆节放假，期末复习来不及了",
			want: Analysis{Topics: []string{"学习考试", "就业创业"}, Keywords: []string{"暑假", "实习", "回家", "国庆节", "放假", "期末", "复习"}},
		},
		{
			name: "two topics, emoji code dropped",
			in:   "最近压力好大，期末考试复习不完，焦虑得失眠了[捂脸]",
			want: Analysis{Topics: []string{"学习考试", "心理健康"}, Keywords: []string{"压力", "期末考试", "复习", "焦虑", "失眠"}},
		},
		{
			name: "league words stay whole, numbers dropped",
			in:   "青年大学习第十二期来了，请各位团员在周五前完成学习",
			want: Analysis{Topics: []string{"理论学习", "组织建设"}, Keywords: []string{"青年大学习", "团员", "完成", "学习"}},
		},
		{
			name: "latin lower-cased",
			in:   "我在学习Python和Go语言，有没有GitHub项目推荐",
			want: Analysis{Keywords: []string{"学习", "python", "go", "语言", "github", "项目", "推荐"}},
		},
		{
			name: "only noise",
			in:   "[图片][表情] 哈哈哈哈 收到 666",
			want: Analysis{},
		},
		{name: "empty", in: "", want: Analysis{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := a.Analyze(tt.in)
			if !slices.Equal(got.Topics, tt.want.Topics) || !slices.Equal(got.Tags, tt.want.Tags) ||
				!slices.Equal(got.Keywords, tt.want.Keywords) {
				t.Fatalf("Analyze(%q)\n got  %+v\n want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestAnalyzeKeywordLimit(t *testing.T) {
	a := NewAnalyzer(nil, Shared())
	in := strings.Repeat("学习 ", 3) + "志愿 服务 招聘 简历 面试 考研 复习 论文 图书馆 篮球 足球"
	got := a.Analyze(in).Keywords
	want := []string{"学习", "志愿", "服务", "招聘", "简历", "面试", "考研", "复习"}
	if !slices.Equal(got, want) {
		t.Fatalf("Keywords = %q, want %q", got, want)
	}
}

func TestAnalyzeWithoutSegmenter(t *testing.T) {
	a := NewAnalyzer(DefaultTaxonomy(), nil)
	got := a.Analyze("#考研# 简历怎么写")
	if want := []string{"学习考试", "就业创业", "考研"}; !slices.Equal(got.Topics, want) {
		t.Fatalf("Topics = %q, want %q", got.Topics, want)
	}
	if got.Keywords != nil {
		t.Fatalf("Keywords = %q, want none without a segmenter", got.Keywords)
	}
}

func TestCutAndTokens(t *testing.T) {
	s := Shared()
	if got, want := s.Cut("明天的志愿服务活动"), []string{"明天", "的", "志愿服务", "活动"}; !slices.Equal(got, want) {
		t.Fatalf("Cut = %q, want %q", got, want)
	}
	in := "我们明天的志愿服务活动，志愿服务3个小时！https://a.cn [图片]"
	if got, want := s.Tokens(in), []string{"志愿服务", "活动", "志愿服务", "小时"}; !slices.Equal(got, want) {
		t.Fatalf("Tokens = %q, want %q", got, want)
	}
	if got := s.Cut(""); len(got) != 0 {
		t.Fatalf("Cut(\"\") = %q, want nothing", got)
	}
}

func TestWorthCounting(t *testing.T) {
	tests := []struct {
		w    string
		want bool
	}{
		{"志愿", true}, {"go", true}, {"4s店", true}, {"团员", true},
		{"志", false}, {"2024", false}, {"十二", false}, {"二期", false}, {"3个", false},
		{"六点", false}, {"第十", false}, {"？！", false}, {"\xff\xfe", false}, {"", false},
	}
	for _, tt := range tests {
		if got := worthCounting(tt.w); got != tt.want {
			t.Errorf("worthCounting(%q) = %v, want %v", tt.w, got, tt.want)
		}
	}
}

func TestAnalyzeOddInput(t *testing.T) {
	a := NewAnalyzer(DefaultTaxonomy(), Shared())
	for name, in := range map[string]string{
		"invalid utf8": "\xff\xfe志愿\xc3服务\x80#\xff考研#",
		"nul bytes":    "\x00\x00志愿",
		"1 MB":         strings.Repeat("明天的志愿服务活动几点集合？#考研#[图片]https://a.cn @x ", 1<<20/80),
		"1 MB no text": strings.Repeat("[", 1<<20),
		"1 MB one run": strings.Repeat("a", 1<<20),
	} {
		t.Run(name, func(t *testing.T) {
			got := a.Analyze(in)
			checkAnalysis(t, in, got)
		})
	}
}

// checkAnalysis checks what holds for every analysis.
func checkAnalysis(t *testing.T, in string, got Analysis) {
	t.Helper()
	if len(got.Keywords) > MaxKeywords {
		t.Fatalf("Analyze(%.60q): %d keywords, want at most %d", in, len(got.Keywords), MaxKeywords)
	}
	for i, w := range got.Keywords {
		if utf8.RuneCountInString(w) < 2 || !utf8.ValidString(w) || slices.Contains(got.Keywords[:i], w) ||
			w != strings.ToLower(w) || Shared().seg.IsStop(w) {
			t.Fatalf("Analyze(%.60q): bad keyword %q in %q", in, w, got.Keywords)
		}
	}
	for _, tag := range got.Tags {
		if !slices.Contains(got.Topics, tag) {
			t.Fatalf("Analyze(%.60q): tag %q not among topics %q", in, tag, got.Topics)
		}
	}
}

func TestSharedConcurrent(t *testing.T) {
	a := NewAnalyzer(DefaultTaxonomy(), Shared())
	want := a.Analyze("下周有招聘会，记得带简历")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				got := a.Analyze("下周有招聘会，记得带简历")
				if !slices.Equal(got.Keywords, want.Keywords) || !slices.Equal(got.Topics, want.Topics) {
					t.Errorf("concurrent Analyze = %+v, want %+v", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
	if Shared() != Shared() {
		t.Fatal("Shared returned two segmenters")
	}
}

func TestTop(t *testing.T) {
	counts := map[string]int{"志愿": 5, "就业": 9, "考研": 5, "活动": 1, "零": 0}
	tests := []struct {
		n    int
		want []Count
	}{
		{2, []Count{{"就业", 9}, {"志愿", 5}}}, // ties by word: 志 U+5FD7 < 考 U+8003
		{3, []Count{{"就业", 9}, {"志愿", 5}, {"考研", 5}}},
		{0, []Count{{"就业", 9}, {"志愿", 5}, {"考研", 5}, {"活动", 1}}},
		{10, []Count{{"就业", 9}, {"志愿", 5}, {"考研", 5}, {"活动", 1}}},
	}
	for _, tt := range tests {
		if got := Top(counts, tt.n); !slices.Equal(got, tt.want) {
			t.Errorf("Top(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
	if got := Top(nil, 3); len(got) != 0 {
		t.Errorf("Top(nil) = %v, want empty", got)
	}
}

func FuzzAnalyze(f *testing.F) {
	a := NewAnalyzer(DefaultTaxonomy(), Shared())
	Shared().Load() // in each worker before fuzzing, not inside the first input's time
	for _, s := range []string{
		"", "明天的志愿服务活动几点集合？", "#考研# 今年考研的同学们加油", "有问题发邮件到 Tuanwei@example.edu.cn",
		"@张三\u2005招聘 https://a.cn/#x [图片]", "GitHub和Go语言", "\xff\xfe志愿", "第十二期3个",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkAnalysis(t, in, a.Analyze(in))
	})
}

// BenchmarkAnalyze measures one short chat message (27 runes) with the default taxonomy.
func BenchmarkAnalyze(b *testing.B) {
	a := NewAnalyzer(DefaultTaxonomy(), Shared())
	Shared().Load()
	b.ReportAllocs()
	for b.Loop() {
		a.Analyze(benchMsg)
	}
}

// BenchmarkAnalyzeParallel is BenchmarkAnalyze on all cores.
func BenchmarkAnalyzeParallel(b *testing.B) {
	a := NewAnalyzer(DefaultTaxonomy(), Shared())
	Shared().Load()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			a.Analyze(benchMsg)
		}
	})
}

// BenchmarkSharedLoad measures loading the dictionary, as the first use of Shared() does.
// Run it with -benchtime=1x: each load takes seconds and some 150 MB.
func BenchmarkSharedLoad(b *testing.B) {
	b.ReportAllocs()
	var s *Segmenter
	for b.Loop() {
		s = new(Segmenter)
		s.Load()
		if len(s.Cut("志愿服务")) != 1 {
			b.Fatal("dictionary not loaded")
		}
	}
	b.StopTimer()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	runtime.KeepAlive(s) // live in before, garbage in after
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(before.HeapAlloc-after.HeapAlloc)/1e6, "MB-live")
}
