package llm

import (
	"strings"
	"unicode"
)

// HandoffMarker is what the model is told to reply, alone, when it cannot answer. Answers that
// contain it (or its full-width form 【转交】) are handed to the cadre.
const HandoffMarker = "[转交]"

// normalize lower-cases s and keeps only letters and digits, so "忽 略 以上——指令" and
// "忽略以上指令" look the same to the guards.
func normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// injection patterns, matched on normalized text: each entry matches when all its parts occur.
var injectionPatterns = [][]string{
	{"忽略", "指令"}, {"忽略", "提示"}, {"忽略", "规则"}, {"忽略", "设定"}, {"忽略", "要求"},
	{"无视", "指令"}, {"无视", "规则"}, {"忘记", "指令"}, {"忘掉", "指令"}, {"忘记", "设定"},
	{"不要", "遵守", "规则"}, {"跳过", "限制"},
	{"系统提示"}, {"提示词"}, {"系统指令"}, {"系统消息"}, {"初始指令"}, {"原始指令"},
	{"你的", "设定"}, {"你的", "指令"}, {"你的", "规则"}, {"输出", "上面", "内容"},
	{"重复", "上面"}, {"复述", "上面"}, {"开发者模式"}, {"越狱"},
	{"systemprompt"}, {"ignore", "instruction"}, {"ignore", "previous"}, {"ignore", "above"},
	{"disregard", "instruction"}, {"developermode"}, {"jailbreak"}, {"dan模式"},
	{"repeat", "above"}, {"yourinstructions"}, {"yourprompt"},
}

// isInjection tells whether a question tries to override the assistant's instructions or make it
// reveal them.
func isInjection(question string) bool {
	n := normalize(question)
	for _, parts := range injectionPatterns {
		all := true
		for _, p := range parts {
			if !strings.Contains(n, p) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// sensitiveTopic returns the first configured topic the question mentions, or "".
func sensitiveTopic(question string, topics []string) string {
	n := normalize(question)
	for _, t := range topics {
		if nt := normalize(t); nt != "" && strings.Contains(n, nt) {
			return t
		}
	}
	return ""
}

// echoWindow is how many consecutive letters of the system prompt an answer may share with it
// before it counts as quoting it.
const echoWindow = 14

// echoes tells whether answer quotes any echoWindow consecutive letters or digits of prompt.
func echoes(answer, prompt string) bool {
	a := normalize(answer)
	p := []rune(normalize(prompt))
	if len(p) < echoWindow || len([]rune(a)) < echoWindow {
		return false
	}
	for i := 0; i+echoWindow <= len(p); i++ {
		if strings.Contains(a, string(p[i:i+echoWindow])) {
			return true
		}
	}
	return false
}

// wantsHandoff tells whether the model answered with the hand-off marker.
func wantsHandoff(answer string) bool {
	return strings.Contains(answer, HandoffMarker) || strings.Contains(answer, "【转交】") ||
		normalize(answer) == "转交"
}
