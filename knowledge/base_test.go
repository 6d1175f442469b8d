package knowledge

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

func loadTestdata(t *testing.T, tok Tokenizer) *Base {
	t.Helper()
	b, err := Load(context.Background(), filepath.Join("testdata", "kb"), tok)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLoad(t *testing.T) {
	b := loadTestdata(t, Bigrams{})
	// rudan.md: intro, 申请条件, 入团流程; faq/tuanfei.txt: two paragraphs joined.
	// .hidden.md and notes.json are not read.
	if got, want := b.Len(), 4; got != want {
		t.Fatalf("Len = %d, want %d", got, want)
	}
	var sources []string
	for _, p := range b.passages {
		sources = append(sources, p.Source+"|"+p.Title)
	}
	want := []string{"faq/tuanfei.txt|tuanfei", "rudan.md|入团指南", "rudan.md|入团指南 · 申请条件", "rudan.md|入团指南 · 入团流程"}
	if !slices.Equal(sources, want) {
		t.Fatalf("passages %q, want %q", sources, want)
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load(context.Background(), filepath.Join("testdata", "missing"), Bigrams{}); err == nil {
		t.Fatal("Load of a missing folder: want an error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Load(ctx, filepath.Join("testdata", "kb"), Bigrams{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Load with a cancelled context: err = %v, want context.Canceled", err)
	}
	b, err := Load(context.Background(), t.TempDir(), Bigrams{})
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Search("团费", 3); len(got) != 0 {
		t.Fatalf("empty base returned %d hits", len(got))
	}
}

func TestSearch(t *testing.T) {
	for _, tok := range []Tokenizer{Bigrams{}, unigrams{}} {
		b := loadTestdata(t, tok)
		tests := []struct {
			query     string
			wantTitle string  // best hit; "" for none or only weak ones (confidence < 0.35)
			minConf   float64 // best hit's confidence at least
			maxConf   float64 // and at most
		}{
			{"入团的申请条件是什么", "入团指南 · 申请条件", 0.5, 1},
			{"怎么交团费", "tuanfei", 0.5, 1},
			{"团员证丢了", "tuanfei", 0.9, 1},
			{"入团宣誓", "入团指南 · 入团流程", 0.9, 1},
			{"火星移民签证", "", 0, 0},
			{"", "", 0, 0},
		}
		for _, tt := range tests {
			hits := b.Search(tt.query, 3)
			if tt.wantTitle == "" {
				if len(hits) != 0 && hits[0].Confidence >= 0.35 {
					t.Errorf("%T %q: best hit %q has confidence %.2f, want none or < 0.35", tok, tt.query, hits[0].Title, hits[0].Confidence)
				}
				continue
			}
			if len(hits) == 0 {
				t.Errorf("%T %q: no hits, want %q", tok, tt.query, tt.wantTitle)
				continue
			}
			if got := hits[0].Title; got != tt.wantTitle {
				t.Errorf("%T %q: best hit %q, want %q", tok, tt.query, got, tt.wantTitle)
			}
			if c := hits[0].Confidence; c < tt.minConf || c > tt.maxConf {
				t.Errorf("%T %q: confidence %.2f, want in [%.2f, %.2f]", tok, tt.query, c, tt.minConf, tt.maxConf)
			}
			for i := 1; i < len(hits); i++ {
				if hits[i].Score > hits[i-1].Score {
					t.Errorf("%T %q: hits not sorted by score: %v", tok, tt.query, hits)
				}
			}
		}
	}
}

func TestConfidenceTellsWeakFromGood(t *testing.T) {
	b := loadTestdata(t, Bigrams{})
	good := b.Search("团员证丢了怎么补办", 1)
	// Shares only "团员" with the files; the rest is unknown to them.
	weak := b.Search("团员出国旅游签证怎么办理", 1)
	if len(good) == 0 || len(weak) == 0 {
		t.Fatalf("want a hit for both queries, got %d and %d", len(good), len(weak))
	}
	if good[0].Confidence < 0.6 || weak[0].Confidence > 0.4 {
		t.Fatalf("good match confidence %.2f, weak match %.2f: want ≥ 0.6 and ≤ 0.4", good[0].Confidence, weak[0].Confidence)
	}
}

func TestSearchK(t *testing.T) {
	var ps []Passage
	for i := range 20 {
		ps = append(ps, Passage{Title: fmt.Sprint("第", i, "条"), Source: "x.md", Text: strings.Repeat("团费 ", i+1)})
	}
	b := New(unigrams{}, ps)
	for _, k := range []int{0, 1, 5, 20, 50} {
		hits := b.Search("团费", k)
		if got, want := len(hits), min(k, 20); got != want {
			t.Fatalf("k=%d: %d hits, want %d", k, got, want)
		}
		// More occurrences score higher: the best is the last passage.
		if k > 0 && hits[0].Title != "第19条" {
			t.Fatalf("k=%d: best %q, want 第19条", k, hits[0].Title)
		}
	}
	// Searches leave no state behind: the same query scores the same twice.
	a, c := b.Search("团费", 3), b.Search("团费", 3)
	if a[0].Score != c[0].Score {
		t.Fatalf("repeated search scored %v then %v", a[0].Score, c[0].Score)
	}
}

func TestSearchConcurrent(t *testing.T) {
	b := loadTestdata(t, Bigrams{})
	want := b.Search("入团宣誓", 2)
	done := make(chan []Hit)
	for range 8 {
		go func() { done <- b.Search("入团宣誓", 2) }()
	}
	for range 8 {
		if got := <-done; !slices.Equal(got, want) {
			t.Fatalf("concurrent search got %v, want %v", got, want)
		}
	}
}

// synthetic builds about size bytes of Markdown knowledge files from a fixed vocabulary.
func synthetic(size int) []Passage {
	words := strings.Fields(`共青团 青年 团员 团干部 入团 申请 条件 流程 团费 交纳 标准 学生 在职 就业 创业 实习
		简历 补贴 政策 志愿 服务 时长 认证 学习 理论 组织 生活 会议 支部 委员 选举 推优 入党 积极分子
		培训 考核 评议 表彰 奖励 荣誉 证书 档案 转接 关系 迁移 毕业 返乡 社区 报到 活动 线上 线下
		面对面 联系 台账 季度 计划 光荣榜 加油榜 积分 排名 基层 县级 市级 省级 团委 书记 宣传 网络
		文明 安全 心理 健康 咨询 热线 法律 援助 权益 保护 维护 农村 城市 企业 高校 中学 职业 技能`)
	r := rand.New(rand.NewPCG(1, 2))
	var ps []Passage
	n, file := 0, 0
	for n < size {
		file++
		source := fmt.Sprintf("policy%04d.md", file)
		var sb strings.Builder
		fmt.Fprintf(&sb, "# 政策%d\n\n", file)
		for s := range 10 {
			fmt.Fprintf(&sb, "## 第%d节 %s\n\n", s, words[r.IntN(len(words))])
			for range 2 {
				for range 40 {
					sb.WriteString(words[r.IntN(len(words))])
					if r.IntN(8) == 0 {
						sb.WriteString("。")
					}
				}
				sb.WriteString("。\n\n")
			}
		}
		n += sb.Len()
		ps = append(ps, Split(source, sb.String())...)
	}
	return ps
}

// BenchmarkBuild10MB indexes about 10 MB of synthetic knowledge files with Bigrams.
func BenchmarkBuild10MB(b *testing.B) {
	ps := synthetic(10 << 20)
	var bytes int64
	for _, p := range ps {
		bytes += int64(len(p.Title) + len(p.Text))
	}
	b.SetBytes(bytes)
	b.ResetTimer()
	for b.Loop() {
		New(Bigrams{}, ps)
	}
	b.ReportMetric(float64(len(ps)), "passages")
}

// BenchmarkQuery10MB searches the 10 MB base and reports the 50th and 99th percentile of the
// per-query durations (target: p99 < 10 ms).
func BenchmarkQuery10MB(b *testing.B) {
	base := New(Bigrams{}, synthetic(10<<20))
	queries := []string{
		"团费交纳标准是多少", "入团申请需要什么条件", "大学生实习补贴政策", "志愿服务时长怎么认证",
		"毕业后团组织关系怎么转接", "心理健康咨询热线", "推优入党的流程", "返乡社区报到",
		"光荣榜积分排名", "火星移民签证", "团干部 面对面 联系 台账 季度 计划", "青年",
	}
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		start := time.Now()
		base.Search(queries[i%len(queries)], 5)
		durations = append(durations, time.Since(start))
		i++
	}
	b.StopTimer()
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	pct := func(p float64) float64 {
		return float64(durations[int(p*float64(len(durations)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
