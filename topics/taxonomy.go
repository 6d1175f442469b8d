package topics

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Taxonomy is a configured set of topics, each with keywords. Match finds all keywords of all
// topics in one pass over the text (an Aho-Corasick automaton over runes). A Taxonomy is
// immutable and safe for concurrent use.
type Taxonomy struct {
	topics   []string            // sorted topic names
	keywords map[string][]string // topic → keywords as configured (trimmed)
	nodes    []acNode            // nodes[0] is the root
}

// acNode is a state of the automaton.
type acNode struct {
	edges []acEdge // sorted by rune
	fail  int32
	out   []int32 // indexes into topics of every keyword ending here, through fail links too
}

type acEdge struct {
	r  rune
	to int32
}

// NewTaxonomy builds a Taxonomy from topic → keywords. Names and keywords are trimmed; keywords
// match case-insensitively (ASCII). A topic without a name, without keywords or with an empty
// keyword is an error.
func NewTaxonomy(m map[string][]string) (*Taxonomy, error) {
	t := &Taxonomy{keywords: make(map[string][]string, len(m)), nodes: []acNode{{}}}
	for name, kws := range m {
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, errors.New("话题名称不能为空")
		}
		if _, dup := t.keywords[name]; dup {
			return nil, fmt.Errorf("话题「%s」重复", name)
		}
		if len(kws) == 0 {
			return nil, fmt.Errorf("话题「%s」没有关键词", name)
		}
		clean := make([]string, 0, len(kws))
		for _, kw := range kws {
			kw = strings.TrimSpace(kw)
			if kw == "" {
				return nil, fmt.Errorf("话题「%s」有空的关键词", name)
			}
			if !utf8.ValidString(kw) {
				return nil, fmt.Errorf("话题「%s」的关键词 %q 不是有效的 UTF-8 文本", name, kw)
			}
			clean = append(clean, kw)
		}
		t.topics = append(t.topics, name)
		t.keywords[name] = clean
	}
	sort.Strings(t.topics)
	for i, name := range t.topics {
		for _, kw := range t.keywords[name] {
			t.insert(strings.ToLower(kw), int32(i))
		}
	}
	t.link()
	return t, nil
}

// insert adds a keyword for topic i to the trie.
func (t *Taxonomy) insert(kw string, i int32) {
	state := int32(0)
	for _, r := range kw {
		next := t.next(state, r)
		if next < 0 {
			next = int32(len(t.nodes))
			t.nodes = append(t.nodes, acNode{})
			e := t.nodes[state].edges
			at, _ := slices.BinarySearchFunc(e, r, func(e acEdge, r rune) int { return int(e.r - r) })
			t.nodes[state].edges = slices.Insert(e, at, acEdge{r: r, to: next})
		}
		state = next
	}
	if !slices.Contains(t.nodes[state].out, i) {
		t.nodes[state].out = append(t.nodes[state].out, i)
	}
}

// link sets fail links breadth first and merges outputs along them.
func (t *Taxonomy) link() {
	queue := make([]int32, 0, len(t.nodes))
	for _, e := range t.nodes[0].edges {
		queue = append(queue, e.to) // fail = root
	}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, e := range t.nodes[u].edges {
			f := t.nodes[u].fail
			for {
				if n := t.next(f, e.r); n >= 0 {
					t.nodes[e.to].fail = n
					break
				}
				if f == 0 {
					break
				}
				f = t.nodes[f].fail
			}
			for _, o := range t.nodes[t.nodes[e.to].fail].out {
				if !slices.Contains(t.nodes[e.to].out, o) {
					t.nodes[e.to].out = append(t.nodes[e.to].out, o)
				}
			}
			queue = append(queue, e.to)
		}
	}
}

// next returns the child of state for r, or -1.
func (t *Taxonomy) next(state int32, r rune) int32 {
	e := t.nodes[state].edges
	if len(e) <= 8 {
		for _, x := range e {
			if x.r == r {
				return x.to
			}
		}
		return -1
	}
	lo, hi := 0, len(e)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if e[m].r < r {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(e) && e[lo].r == r {
		return e[lo].to
	}
	return -1
}

// Topics returns the topic names, sorted.
func (t *Taxonomy) Topics() []string { return slices.Clone(t.topics) }

// Keywords returns the keywords of a topic as configured, or nil.
func (t *Taxonomy) Keywords(topic string) []string { return slices.Clone(t.keywords[topic]) }

// Match returns the topics with a keyword in Clean(text), in the order of Topics.
func (t *Taxonomy) Match(text string) []string {
	return t.match(Clean(text))
}

// match is Match on text already cleaned.
func (t *Taxonomy) match(text string) []string {
	if t == nil || len(t.topics) == 0 || text == "" {
		return nil
	}
	var small [4]uint64
	bits := small[:]
	if n := (len(t.topics) + 63) / 64; n > len(small) {
		bits = make([]uint64, n)
	}
	found := 0
	state := int32(0)
	for _, r := range text {
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		for {
			if n := t.next(state, r); n >= 0 {
				state = n
				break
			}
			if state == 0 {
				break
			}
			state = t.nodes[state].fail
		}
		for _, o := range t.nodes[state].out {
			if bits[o/64]&(1<<(o%64)) == 0 {
				bits[o/64] |= 1 << (o % 64)
				found++
			}
		}
	}
	if found == 0 {
		return nil
	}
	out := make([]string, 0, found)
	for i, name := range t.topics {
		if bits[i/64]&(1<<(i%64)) != 0 {
			out = append(out, name)
		}
	}
	return out
}

// DefaultTaxonomy returns topics of League youth work with common keywords, for a
// configuration that sets none.
func DefaultTaxonomy() *Taxonomy {
	t, err := NewTaxonomy(map[string][]string{
		"就业创业": {"就业", "创业", "实习", "简历", "招聘", "面试", "求职", "offer", "工作机会", "岗位", "宣讲会", "双选会", "三支一扶", "西部计划", "见习"},
		"学习考试": {"考试", "考研", "考公", "复习", "四级", "六级", "期末", "考证", "教资", "保研", "论文", "学分", "挂科", "图书馆", "备考"},
		"志愿服务": {"志愿", "义工", "公益", "服务时长", "献血", "支教", "社区服务", "青年突击队", "文明实践"},
		"心理健康": {"心理", "焦虑", "压力", "抑郁", "失眠", "情绪", "心情不好", "崩溃", "内耗", "倾诉", "心理咨询"},
		"婚恋交友": {"相亲", "联谊", "脱单", "交友", "恋爱", "婚恋", "单身"},
		"权益维护": {"权益", "维权", "欠薪", "工资拖欠", "劳动合同", "投诉", "社保", "法律援助", "霸凌", "诈骗", "被骗", "12355"},
		"文体活动": {"比赛", "篮球", "足球", "羽毛球", "跑步", "运动会", "晚会", "演出", "唱歌", "合唱", "书法", "摄影", "观影", "徒步", "团建"},
		"理论学习": {"理论学习", "青年大学习", "学习强国", "党史", "团史", "主题教育", "二十大", "思政", "团课", "党课", "习近平", "新思想", "读书会"},
		"组织建设": {"团员", "入团", "团费", "团组织", "推优", "团支部", "组织关系", "智慧团建", "换届", "团籍", "入党", "积极分子", "团日活动"},
		"安全健康": {"安全", "防溺水", "消防", "反诈", "疫苗", "体检", "急救", "防汛"},
		"乡村振兴": {"乡村振兴", "返乡", "农村", "助农", "三下乡", "驻村"},
	})
	if err != nil {
		panic("topics: default taxonomy: " + err.Error()) // a bug in the literal above
	}
	return t
}
