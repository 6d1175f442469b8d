package llm

import (
	"regexp"
	"strings"
)

// Placeholders that replace personal data in text sent to the model or shown from it.
const (
	PhoneMask  = "[手机号]"
	IDCardMask = "[身份证号]"
	EmailMask  = "[邮箱]"
)

var (
	// 18-digit resident ID: 17 digits and a digit or X check character.
	idCardRE = regexp.MustCompile(`[1-9]\d{16}[\dXx]`)
	// Mainland mobile: optional +86/86, then 1[3-9] and 9 digits, optionally grouped 3-4-4.
	phoneRE = regexp.MustCompile(`(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}`)
	emailRE = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
)

// Redact replaces Chinese mobile numbers, 18-digit ID-card numbers and e-mail addresses in s with
// PhoneMask, IDCardMask and EmailMask. Numbers must stand alone: digits right before or after a
// candidate (a longer number, an order id) leave it untouched. Redact(Redact(s)) == Redact(s).
func Redact(s string) string {
	s = replaceStandalone(s, idCardRE, IDCardMask, isDigitOrX)
	s = replaceStandalone(s, phoneRE, PhoneMask, isDigit)
	s = emailRE.ReplaceAllString(s, EmailMask)
	return s
}

func isDigit(b byte) bool    { return b >= '0' && b <= '9' }
func isDigitOrX(b byte) bool { return isDigit(b) || b == 'X' || b == 'x' }

// replaceStandalone replaces the matches of re in s that are not glued to a digit before or to a
// byte for which glued reports true after. A rejected match is searched again one byte later, so
// "170 17000000000" still finds the number a longer, rejected match began inside.
func replaceStandalone(s string, re *regexp.Regexp, mask string, glued func(byte) bool) string {
	var b strings.Builder
	last, pos := 0, 0
	for pos < len(s) {
		m := re.FindStringIndex(s[pos:])
		if m == nil {
			break
		}
		start, end := pos+m[0], pos+m[1]
		if (start > 0 && isDigit(s[start-1])) || (end < len(s) && glued(s[end])) {
			pos = start + 1
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(mask)
		last, pos = end, end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
