package notify

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Split cuts s into pieces of at most maxBytes bytes whose concatenation is s. It prefers to cut
// after a newline (when one falls in the second half of the piece), otherwise at a rune boundary;
// it never cuts a valid UTF-8 rune. A single rune longer than maxBytes is kept whole. With
// maxBytes <= 0 or a short s, Split returns s as the only piece.
func Split(s string, maxBytes int) []string {
	if maxBytes <= 0 || len(s) <= maxBytes {
		return []string{s}
	}
	var parts []string
	for len(s) > maxBytes {
		cut := cutPoint(s, maxBytes)
		parts = append(parts, s[:cut])
		s = s[cut:]
	}
	if s != "" {
		parts = append(parts, s)
	}
	return parts
}

// cutPoint returns where to end the next piece of s, len(s) > max > 0.
func cutPoint(s string, max int) int {
	if i := strings.LastIndexByte(s[:max], '\n'); i >= 0 && i+1 >= max/2 {
		return i + 1
	}
	// Walk back to the start of a rune; a rune is at most utf8.UTFMax bytes.
	for i := max; i > 0 && i > max-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			return i
		}
	}
	if max < utf8.UTFMax {
		// The limit is smaller than the rune at the front: keep that rune whole.
		_, size := utf8.DecodeRuneInString(s)
		return size
	}
	return max // invalid UTF-8: no rune to protect
}

// truncNotice ends the last part when a message needed more parts than allowed.
const truncNotice = "\n……（内容过长，后文已截断）"

// parts splits s for a destination that takes at most max bytes and at most maxParts messages.
// When there is more than one part each is prefixed with a marker like "（1/3）\n", and the bytes
// of the marker count toward max. If more than maxParts parts would be needed, the first maxParts
// are kept and the last ends with truncNotice.
func parts(s string, max, maxParts int) []string {
	if max <= 0 || len(s) <= max {
		return []string{s}
	}
	if maxParts <= 0 {
		maxParts = 1
	}
	// Reserve room for the largest marker and, in case we must cut, the notice.
	reserve := len(marker(maxParts, maxParts)) + len(truncNotice)
	room := max - reserve
	if room < utf8.UTFMax {
		room = utf8.UTFMax
	}
	ps := Split(s, room)
	cut := len(ps) > maxParts
	if cut {
		ps = ps[:maxParts]
	}
	n := len(ps)
	out := make([]string, n)
	for i, p := range ps {
		if n > 1 {
			p = marker(i+1, n) + p
		}
		if cut && i == n-1 {
			p += truncNotice
		}
		out[i] = p
	}
	return out
}

// marker labels part i of n.
func marker(i, n int) string { return fmt.Sprintf("（%d/%d）\n", i, n) }
