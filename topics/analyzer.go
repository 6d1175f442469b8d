package topics

import (
	"cmp"
	"slices"
)

// MaxKeywords is the most keywords Analyze keeps for one message.
const MaxKeywords = 8

// Analysis is what one message is about.
type Analysis struct {
	Topics   []string // taxonomy topics matched, then tags not already among them
	Tags     []string // #话题# tags, as written (trimmed)
	Keywords []string // distinct words worth counting, in order, at most MaxKeywords
}

// Analyzer analyzes chat messages with a Taxonomy and a Segmenter. It is safe for concurrent
// use.
type Analyzer struct {
	tax *Taxonomy
	seg *Segmenter
}

// NewAnalyzer returns an Analyzer. A nil tax matches no configured topic (tags still count);
// a nil seg finds no keywords and never loads the dictionary.
func NewAnalyzer(tax *Taxonomy, seg *Segmenter) *Analyzer {
	return &Analyzer{tax: tax, seg: seg}
}

// Analyze returns the topics, tags and keywords of one message. Keywords come from the
// cleaned text (see Clean); a tag #考研# also counts as topic "考研".
func (a *Analyzer) Analyze(text string) Analysis {
	clean := Clean(text)
	var an Analysis
	an.Tags = Tags(text)
	if a.tax != nil {
		an.Topics = a.tax.match(clean)
	}
	for _, tag := range an.Tags {
		if !contains(an.Topics, tag) {
			an.Topics = append(an.Topics, tag)
		}
	}
	if a.seg != nil {
		an.Keywords = a.seg.tokens(clean, MaxKeywords)
	}
	return an
}

// Count is a word (or topic) and how many times it was counted.
type Count struct {
	Word string
	N    int
}

// Top returns the n entries of counts with the highest N, ties broken by Word; n <= 0 returns
// them all. Entries with N <= 0 are left out.
func Top(counts map[string]int, n int) []Count {
	out := make([]Count, 0, len(counts))
	for w, c := range counts {
		if c > 0 {
			out = append(out, Count{Word: w, N: c})
		}
	}
	slices.SortFunc(out, func(a, b Count) int {
		if c := cmp.Compare(b.N, a.N); c != 0 {
			return c
		}
		return cmp.Compare(a.Word, b.Word)
	})
	if n > 0 && len(out) > n {
		out = out[:n:n]
	}
	return out
}
