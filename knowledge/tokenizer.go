package knowledge

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Tokenizer cuts text into index terms. Implementations must be safe for concurrent use and
// return the same terms for the same text.
type Tokenizer interface {
	Tokens(text string) []string
}

// Bigrams is a Tokenizer that needs no dictionary: runs of Chinese (Han) characters become
// overlapping two-character terms (a lone character stays a term of its own), and runs of
// letters or digits become lower-cased words. Punctuation and spaces separate terms.
type Bigrams struct{}

// Tokens implements Tokenizer.
func (Bigrams) Tokens(text string) []string {
	out := make([]string, 0, len(text)/3)
	var han []int // byte offsets of the Han characters in the current run
	flushHan := func(end int) {
		switch len(han) {
		case 0:
		case 1:
			out = append(out, text[han[0]:end])
		default:
			for i := 0; i+1 < len(han); i++ {
				stop := end
				if i+2 < len(han) {
					stop = han[i+2]
				}
				out = append(out, text[han[i]:stop])
			}
		}
		han = han[:0]
	}
	word := -1 // byte offset where the current letter/digit word starts
	for i, r := range text {
		isHan := unicode.Is(unicode.Han, r)
		isWord := !isHan && (unicode.IsLetter(r) || unicode.IsDigit(r))
		if !isWord && word >= 0 {
			out = append(out, lower(text[word:i]))
			word = -1
		}
		if !isHan {
			flushHan(i)
		}
		switch {
		case isHan:
			han = append(han, i)
		case isWord && word < 0:
			word = i
		}
	}
	if word >= 0 {
		out = append(out, lower(text[word:]))
	}
	flushHan(len(text))
	return out
}

// lower lower-cases s, without allocating when it is lower-case already.
func lower(s string) string {
	for _, r := range s {
		if unicode.IsUpper(r) {
			return strings.ToLower(s)
		}
	}
	return s
}

// runeLen is the number of characters in s.
func runeLen(s string) int { return utf8.RuneCountInString(s) }
