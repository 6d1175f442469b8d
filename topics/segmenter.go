package topics

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-ego/gse"
)

// Segmenter cuts Chinese text into words with gse and its embedded simplified-Chinese
// dictionary and stop words. The dictionary (about 150 MB in memory, a few seconds to load) is
// loaded once, on first use; after that a Segmenter is safe for concurrent use.
type Segmenter struct {
	once sync.Once
	seg  gse.Segmenter
}

var shared Segmenter

// Shared returns the process-wide Segmenter. It returns at once; the dictionary is loaded by
// the first Cut, Tokens or Load.
func Shared() *Segmenter { return &shared }

// Load loads the dictionary now if it is not loaded yet, so that a program can pay the cost
// at start-up (say, in a goroutine) rather than on the first message.
func (s *Segmenter) Load() {
	s.once.Do(func() {
		s.seg.SkipLog = true
		s.seg.NotLoadHMM = true // Cut uses the dictionary only
		// League words go in first, so that their frequencies win and the costly per-token
		// pass (CalcToken) runs once, at the end of LoadDictEmbed.
		s.seg.Dict = gse.NewDict()
		s.seg.Init()
		for _, w := range leagueWords {
			_ = s.seg.AddToken(w, leagueWordFreq)
		}
		// These only parse embedded strings; they return no error in gse v0.80.3.
		_ = s.seg.LoadDictEmbed("zh_s")
		_ = s.seg.LoadStopEmbed()
		for _, w := range chatStopWords {
			s.seg.StopWordMap[w] = true
		}
	})
}

// leagueWords are League terms the general dictionary cuts apart or ranks low.
var leagueWords = []string{
	"青年大学习", "智慧团建", "三支一扶", "西部计划", "学习强国", "团日活动", "主题团日", "团支部",
	"团干部", "团组织", "团员证", "青年之家", "志愿服务", "推优", "入团", "团课", "考研", "考公",
	"教资", "双选会",
}

// leagueWordFreq is the dictionary frequency given to leagueWords: a common word's.
const leagueWordFreq = 3000

// chatStopWords are chat fillers and time words that would crowd every top-keywords list.
var chatStopWords = []string{
	"哈哈哈", "哈哈哈哈", "嘿嘿", "呵呵", "嗯嗯", "好的", "好滴", "收到", "谢谢", "感谢", "谢谢你",
	"谢谢大家", "大家好", "你好", "您好", "好吧", "对的", "是的", "没事", "没有", "知道", "一下",
	"一个", "这种", "现在", "已经", "今天", "明天", "昨天", "后天", "今晚", "上午", "下午", "晚上",
	"早上", "中午", "几点", "可能", "应该", "需要", "还有", "就是", "然后", "所以", "但是", "因为",
	"这边", "那边", "看看", "觉得", "还是", "真的", "一起", "大家", "同学", "同学们", "老师",
	"请问", "问下", "问一下", "麻烦", "不用", "不会", "不是", "怎么", "这么", "那么", "一样",
	"今年", "去年", "明年", "最近", "周一", "周二", "周三", "周四", "周五", "周六", "周日", "星期一",
	"星期二", "星期三", "星期四", "星期五", "星期六", "星期日", "星期天", "有没有", "是不是",
	"个头", // 牵个头, 带个头
	"本周", "这周", "上周", "下周", "周末", "本月", "这个月", "上个月", "下个月", "每天", "平时", "目前",
	"当时", "以前", "以后", "之前", "之后", "刚才", "马上", "随时", "到时候",
}

// Cut returns the words of text in order, with nothing dropped: the dictionary's shortest-path
// segmentation, without HMM for unknown words. Letters and digits runs stay whole.
func (s *Segmenter) Cut(text string) []string {
	s.Load()
	segs := s.seg.Segment([]byte(text))
	out := make([]string, 0, len(segs))
	for i := range segs {
		out = append(out, text[segs[i].Start():segs[i].End()])
	}
	return out
}

// Tokens returns the words of Clean(text) worth counting or indexing, in order: lower-cased,
// without stop words, punctuation, numbers and single runes. Words may repeat.
func (s *Segmenter) Tokens(text string) []string {
	return s.tokens(Clean(text), -1)
}

// maxKeywordBytes bounds the text segmented for a message's keywords: the first words of a
// long message are enough to pick a few, and the hot path stays cheap.
const maxKeywordBytes = 4096

// tokens returns at most limit tokens (all when limit < 0) of cleaned text, deduplicated and
// from the first maxKeywordBytes only when limit >= 0.
func (s *Segmenter) tokens(text string, limit int) []string {
	if text == "" || limit == 0 {
		return nil
	}
	if limit >= 0 && len(text) > maxKeywordBytes {
		cut := maxKeywordBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	s.Load()
	segs := s.seg.Segment([]byte(text))
	var out []string
	for i := range segs {
		w := text[segs[i].Start():segs[i].End()]
		if !worthCounting(w) || functionWord(segs[i].Token().Pos()) {
			continue
		}
		w = lower(w)
		if s.seg.StopWordMap[w] {
			continue
		}
		if limit >= 0 {
			if contains(out, w) {
				continue
			}
			if out == nil {
				out = make([]string, 0, limit)
			}
		}
		out = append(out, w)
		if len(out) == limit {
			break
		}
	}
	return out
}

// functionWord reports whether a dictionary part of speech marks a word that says nothing of a
// message's subject: pronouns and demonstratives (这次, 这些, 怎么), numerals and measure words
// (这件, 三个), adverbs, prepositions, conjunctions, particles, interjections, onomatopoeia, and
// place-direction words (最近, 里面). Time words stay: 暑假, 国庆节 and 期末 are what youths talk
// about; the relative ones (本周, 明天) are chat stop words. Nouns, verbs, adjectives, idioms,
// English and words the dictionary gives no part of speech (the League's own) are kept.
func functionWord(pos string) bool {
	if pos == "" {
		return false
	}
	switch pos[0] {
	case 'r', 'm', 'q', 'd', 'p', 'c', 'u', 'y', 'o', 'f':
		return true
	case 'e':
		return pos == "e" // "eng" is an English word
	}
	return false
}

// worthCounting reports whether a word has at least two runes, a letter, valid UTF-8 and is
// not a number: numerals, possibly followed by one classifier (十二期, 六点, 3个).
// It is on the hot path: CJK ideographs and ASCII are decided without unicode tables.
func worthCounting(w string) bool {
	if len(w) < 2 {
		return false
	}
	runes, letter, numerals := 0, false, 0
	var last rune
	for i := 0; i < len(w); {
		r, size := rune(w[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(w[i:])
			if r == utf8.RuneError && size == 1 {
				return false
			}
		}
		i += size
		runes++
		last = r
		if !letter {
			letter = r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0x4e00 && r <= 0x9fff ||
				r >= utf8.RuneSelf && unicode.IsLetter(r)
		}
		if numerals == runes-1 && isNumeral(r) {
			numerals++
		}
	}
	if runes < 2 || !letter || numerals == runes {
		return false
	}
	return !(numerals == runes-1 && isClassifier(last))
}

func isNumeral(r rune) bool {
	switch r {
	case '零', '〇', '一', '二', '两', '三', '四', '五', '六', '七', '八', '九', '十', '百', '千', '万',
		'亿', '几', '第', '半', '.', '%':
		return true
	}
	return r >= '0' && r <= '9'
}

func isClassifier(r rune) bool {
	switch r {
	case '个', '次', '期', '点', '天', '年', '月', '日', '号', '周', '岁', '分', '元', '块', '人',
		'名', '位', '届', '级', '场', '条', '件':
		return true
	}
	return false
}

// lower lower-cases s, allocating only when it has an upper- or title-case letter.
func lower(s string) string {
	for _, r := range s {
		if r >= 'A' && r <= 'Z' || r >= utf8.RuneSelf && (r < 0x4e00 || r > 0x9fff) && unicode.ToLower(r) != r {
			return strings.ToLower(s)
		}
	}
	return s
}
