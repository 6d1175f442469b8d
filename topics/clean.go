package topics

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// placeholders are bracketed names that chat platforms and exports write in place of media,
// and the text codes of common WeChat/QQ emoji. Clean removes "[name]" for each of them.
var placeholders = func() map[string]bool {
	names := []string{
		// media and cards
		"图片", "表情", "语音", "视频", "文件", "动画表情", "自定义表情", "表情包", "链接", "位置",
		"名片", "红包", "QQ红包", "微信红包", "转账", "收款", "小程序", "聊天记录", "音乐", "直播",
		"视频号", "公众号", "拍一拍", "闪照", "戳一戳", "礼物", "群公告", "投票", "接龙", "语音通话",
		"视频通话", "通话", "卡片消息", "合并转发", "不支持的消息", "消息", "Photo", "Image", "Sticker",
		"Voice", "Video", "File", "Link", "Emoji",
		// emoji codes
		"微笑", "撇嘴", "色", "发呆", "得意", "流泪", "害羞", "闭嘴", "睡", "大哭", "尴尬", "发怒",
		"调皮", "呲牙", "惊讶", "难过", "酷", "冷汗", "抓狂", "吐", "偷笑", "愉快", "可爱", "白眼",
		"傲慢", "饥饿", "困", "惊恐", "流汗", "憨笑", "悠闲", "奋斗", "咒骂", "疑问", "嘘", "晕",
		"衰", "骷髅", "敲打", "再见", "擦汗", "抠鼻", "鼓掌", "坏笑", "左哼哼", "右哼哼", "哈欠",
		"鄙视", "委屈", "快哭了", "阴险", "亲亲", "吓", "可怜", "笑脸", "生病", "脸红", "破涕为笑",
		"恐惧", "失望", "无语", "嘿哈", "捂脸", "奸笑", "机智", "皱眉", "耶", "吃瓜", "加油", "汗",
		"天啊", "Emm", "社会社会", "旺柴", "好的", "打脸", "哇", "翻白眼", "666", "让我看看", "叹气",
		"苦涩", "裂开", "嘴唇", "爱心", "心碎", "拥抱", "强", "弱", "握手", "胜利", "抱拳", "勾引",
		"拳头", "OK", "合十", "啤酒", "咖啡", "蛋糕", "玫瑰", "凋谢", "菜刀", "炸弹", "便便", "月亮",
		"太阳", "庆祝", "發", "福", "烟花", "爆竹", "猪头", "跳跳", "发抖", "转圈", "Smile", "Grimace",
	}
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}()

// maxPlaceholder is the longest bracket content, in bytes, Clean looks up.
const maxPlaceholder = 3 * 8

// Clean returns text without media placeholders such as [图片] or [动画表情], emoji codes such
// as [微笑], OneBot CQ codes ([CQ:image,…]), URLs (http://, https://, www.), e-mail addresses and
// @-mentions (an @ and a name up to whitespace or U+2005), with whitespace runs collapsed into
// one space and the ends trimmed. Invalid UTF-8 is kept as it is.
func Clean(text string) string {
	if !needsClean(text) {
		return text
	}
	out := make([]byte, 0, len(text))
	space := false // a space is pending: written before the next kept rune
	emit := func(s string) {
		if space && len(out) > 0 {
			out = append(out, ' ')
		}
		space = false
		out = append(out, s...)
	}
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c == '[':
			if n := placeholderLen(text[i:]); n > 0 {
				i += n
				space = true
				continue
			}
		case c == 'h' || c == 'H' || c == 'w' || c == 'W':
			if n := urlLen(text, i); n > 0 {
				i += n
				space = true
				continue
			}
		case c == '@':
			if n := emailLocalLen(out); n > 0 && !space {
				if d := domainLen(text[i+1:]); d > 0 {
					out = out[:len(out)-n]
					for len(out) > 0 && out[len(out)-1] == ' ' {
						out = out[:len(out)-1]
					}
					i += 1 + d
					space = true
					continue
				}
			}
			i += 1 + mentionLen(text[i+1:])
			space = true
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == '＠' {
			i += size + mentionLen(text[i+size:])
			space = true
			continue
		}
		if isSpace(r) {
			space = true
			i += size
			continue
		}
		emit(text[i : i+size])
		i += size
	}
	return string(out)
}

// needsClean reports whether Clean would change text; most chat messages need nothing.
func needsClean(text string) bool {
	if text == "" {
		return false
	}
	if isSpace(firstRune(text)) || isSpace(lastRune(text)) {
		return true
	}
	prevSpace := false
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '[' || c == '@':
				return true
			case c == 'h' || c == 'H' || c == 'w' || c == 'W':
				if urlLen(text, i) > 0 {
					return true
				}
			}
			sp := c == ' '
			if (sp && prevSpace) || (!sp && isSpace(rune(c))) {
				return true
			}
			prevSpace = sp
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == '＠' || isSpace(r) {
			return true
		}
		prevSpace = false
		i += size
	}
	return false
}

func firstRune(s string) rune { r, _ := utf8.DecodeRuneInString(s); return r }
func lastRune(s string) rune  { r, _ := utf8.DecodeLastRuneInString(s); return r }

// isSpace reports white space, including U+2005 that WeChat writes after a mention.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u2005' || r == '\u200b'
}

// placeholderLen returns the length of a placeholder at the start of s ("[图片]"), or 0.
func placeholderLen(s string) int {
	if strings.HasPrefix(s, "[CQ:") {
		if end := strings.IndexByte(s, ']'); end > 0 {
			return end + 1
		}
		return 0
	}
	limit := min(len(s), maxPlaceholder+2)
	end := strings.IndexByte(s[1:limit], ']')
	if end <= 0 || !placeholders[s[1:1+end]] {
		return 0
	}
	return end + 2
}

// urlLen returns the length of a URL starting at text[i], or 0. "www." counts only at the
// start of a word.
func urlLen(text string, i int) int {
	s := text[i:]
	var n int
	switch {
	case hasPrefixFold(s, "https://"):
		n = len("https://")
	case hasPrefixFold(s, "http://"):
		n = len("http://")
	case hasPrefixFold(s, "www."):
		if i > 0 && isURLByte(text[i-1]) {
			return 0
		}
		n = len("www.")
	default:
		return 0
	}
	for n < len(s) && isURLByte(s[n]) {
		n++
	}
	return n
}

// isURLByte reports ASCII bytes that may appear in a URL as people paste it.
func isURLByte(c byte) bool {
	return c > ' ' && c < 0x7f && c != '"' && c != '<' && c != '>' && c != '\\' && c != '^' && c != '`' && c != '{' && c != '|' && c != '}'
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// emailLocalLen returns the length of the e-mail local part at the end of out, or 0.
func emailLocalLen(out []byte) int {
	n := 0
	for n < len(out) && isLocalByte(out[len(out)-1-n]) {
		n++
	}
	return n
}

func isLocalByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

// domainLen returns the length of an e-mail domain (labels joined by dots, at least one dot,
// ending in a letter label) at the start of s, or 0.
func domainLen(s string) int {
	n := 0
	for n < len(s) {
		c := s[n]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' ||
			c == '.' && n > 0 && s[n-1] != '.') {
			break
		}
		n++
	}
	for n > 0 && s[n-1] == '.' { // a sentence-ending dot is not part of the domain
		n--
	}
	if dot := strings.LastIndexByte(s[:n], '.'); dot <= 0 || dot >= n-1 {
		return 0
	}
	return n
}

// mentionLen returns the length of the name after an @: up to white space or U+2005.
func mentionLen(s string) int {
	for i, r := range s {
		if isSpace(r) {
			return i
		}
	}
	return len(s)
}
