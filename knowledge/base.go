package knowledge

import (
	"context"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// BM25 parameters: the usual values.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// Hit is one passage found for a query.
type Hit struct {
	Title  string  // file title and heading
	Source string  // file name, relative to the knowledge folder
	Text   string  // passage text
	Score  float64 // BM25 score: comparable only within one query
	// Confidence in [0, 1] is the share of the query's informative weight (IDF) that this
	// passage contains. Query words the knowledge base has never seen count against it, so a
	// question about something the files do not cover scores low even if a common word matches.
	Confidence float64
}

// Base is an in-memory BM25 index of passages. It is read-only after construction and safe for
// concurrent searches.
type Base struct {
	tok      Tokenizer
	passages []Passage
	terms    map[string]int32 // term → index into postings and idf
	postings [][]posting
	idf      []float64
	norm     []float64 // per passage: k1·(1 − b + b·len/avgLen)
	scratch  sync.Pool // *scratch
}

type posting struct {
	doc int32
	tf  int32
}

type scratch struct {
	score   []float64
	matched []float64
	touched []int32
}

// Load reads every .md, .markdown and .txt file under dir (hidden files and folders skipped),
// splits them into passages and indexes them. An empty folder gives an empty Base.
func Load(ctx context.Context, dir string, tok Tokenizer) (*Base, error) {
	var passages []Passage
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		name := d.Name()
		if p != dir && strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !(IsMarkdown(name) || strings.EqualFold(filepath.Ext(name), ".txt")) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		passages = append(passages, Split(filepath.ToSlash(rel), string(data))...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load knowledge: %w", err)
	}
	return New(tok, passages), nil
}

// New indexes passages with tok.
func New(tok Tokenizer, passages []Passage) *Base {
	b := &Base{tok: tok, passages: passages, terms: make(map[string]int32), norm: make([]float64, len(passages))}
	tf := make(map[int32]int32)
	var total float64
	for i, p := range passages {
		clear(tf)
		toks := tok.Tokens(p.Title + "\n" + p.Text)
		for _, t := range toks {
			id, ok := b.terms[t]
			if !ok {
				id = int32(len(b.postings))
				b.terms[strings.Clone(t)] = id
				b.postings = append(b.postings, nil)
			}
			tf[id]++
		}
		for id, n := range tf {
			b.postings[id] = append(b.postings[id], posting{doc: int32(i), tf: n})
		}
		b.norm[i] = float64(len(toks))
		total += float64(len(toks))
	}
	n := float64(len(passages))
	if total > 0 {
		avg := total / n
		for i, l := range b.norm {
			b.norm[i] = bm25K1 * (1 - bm25B + bm25B*l/avg)
		}
	}
	b.idf = make([]float64, len(b.postings))
	for id, ps := range b.postings {
		b.idf[id] = idf(n, float64(len(ps)))
	}
	size := len(passages)
	b.scratch.New = func() any {
		return &scratch{score: make([]float64, size), matched: make([]float64, size)}
	}
	return b
}

// idf is the BM25 inverse document frequency (the non-negative variant).
func idf(n, df float64) float64 { return math.Log(1 + (n-df+0.5)/(df+0.5)) }

// Len is the number of passages.
func (b *Base) Len() int { return len(b.passages) }

// Search returns the k best passages for query, best first. Passages that share no term with
// the query are never returned.
func (b *Base) Search(query string, k int) []Hit {
	if k <= 0 || len(b.passages) == 0 {
		return nil
	}
	qterms := unique(b.tok.Tokens(query))
	if len(qterms) == 0 {
		return nil
	}

	// Weight of each query term for Confidence: its IDF when known; unknown terms weigh as
	// much as the average known term (or the IDF of a term seen nowhere, if none is known).
	var known []int32
	var knownIDF float64
	for _, t := range qterms {
		if id, ok := b.terms[t]; ok {
			known = append(known, id)
			knownIDF += b.idf[id]
		}
	}
	if len(known) == 0 {
		return nil
	}
	unknownWeight := knownIDF / float64(len(known))
	totalWeight := knownIDF + unknownWeight*float64(len(qterms)-len(known))

	s := b.scratch.Get().(*scratch)
	defer b.scratch.Put(s)
	for _, id := range known {
		w := b.idf[id]
		for _, p := range b.postings[id] {
			if s.score[p.doc] == 0 {
				s.touched = append(s.touched, p.doc)
			}
			tf := float64(p.tf)
			s.score[p.doc] += w * tf * (bm25K1 + 1) / (tf + b.norm[p.doc])
			s.matched[p.doc] += w
		}
	}

	// Keep the k best in a small sorted slice.
	top := make([]int32, 0, k+1)
	better := func(a, c int32) bool {
		if s.score[a] != s.score[c] {
			return s.score[a] > s.score[c]
		}
		return a < c
	}
	for _, d := range s.touched {
		if len(top) == k && !better(d, top[k-1]) {
			continue
		}
		i := sort.Search(len(top), func(i int) bool { return better(d, top[i]) })
		top = append(top, 0)
		copy(top[i+1:], top[i:])
		top[i] = d
		if len(top) > k {
			top = top[:k]
		}
	}
	hits := make([]Hit, len(top))
	for i, d := range top {
		p := b.passages[d]
		conf := s.matched[d] / totalWeight
		if conf > 1 {
			conf = 1
		}
		hits[i] = Hit{Title: p.Title, Source: p.Source, Text: p.Text, Score: s.score[d], Confidence: conf}
	}
	for _, d := range s.touched {
		s.score[d], s.matched[d] = 0, 0
	}
	s.touched = s.touched[:0]
	return hits
}

// unique drops repeated terms, keeping the first occurrence's order.
func unique(ts []string) []string {
	seen := make(map[string]bool, len(ts))
	out := ts[:0]
	for _, t := range ts {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}
