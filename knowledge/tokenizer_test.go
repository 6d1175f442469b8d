package knowledge

import (
	"strings"
	"testing"
	"unicode"
)

// unigrams is the tests' own Tokenizer: one term per Han character, lower-cased ASCII words.
// It differs from Bigrams on purpose, so the index is shown to work with any Tokenizer.
type unigrams struct{}

func (unigrams) Tokens(text string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		word := ""
		for _, r := range f {
			if unicode.Is(unicode.Han, r) {
				if word != "" {
					out, word = append(out, word), ""
				}
				out = append(out, string(r))
				continue
			}
			word += string(r)
		}
		if word != "" {
			out = append(out, word)
		}
	}
	return out
}

func TestBigrams(t *testing.T) {
	tests := []struct {
		in   string
		want string // terms joined by "|"
	}{
		{"", ""},
		{"团", "团"},
		{"入团", "入团"},
		{"入团申请", "入团|团申|申请"},
		{"团费，怎么交？", "团费|怎么|么交"},
		{"Hello World2026", "hello|world2026"},
		{"GPT-4o 模型", "gpt|4o|模型"},
		{"共青团APP下载", "共青|青团|app|下载"},
		{"a团b", "a|团|b"},
		{"  ，。 ", ""},
	}
	for _, tt := range tests {
		if got := strings.Join(Bigrams{}.Tokens(tt.in), "|"); got != tt.want {
			t.Errorf("Bigrams(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
