package wechat

import (
	"encoding/xml"
	"strconv"
	"strings"
	"unicode/utf8"

	"youthlink/bot"
)

// WeChat message types (openwechat's MsgType values) the adapter knows.
const (
	typeText       = 1
	typeImage      = 3
	typeVoice      = 34
	typeCard       = 42
	typeVideo      = 43
	typeSticker    = 47
	typeApp        = 49
	typeMicroVideo = 62
	typeSys        = 10000
	typeRecall     = 10002
)

// WeChat app message subtypes.
const (
	appLink  = 5
	appFile  = 6
	appEmoji = 8
	appQuote = 57
)

// atSep ends an @-mention in WeChat text (U+2005 FOUR-PER-EM SPACE).
const atSep = "\u2005"

// content is a message's content as the library left it, and what the adapter knows of the group.
type content struct {
	MsgType    int
	AppMsgType int
	Text       string   // Message.Content: sender prefix removed, HTML unescaped, <br/> → \n
	BotNames   []string // the bot's names in this chat: group card and nickname
}

// parsed is a message's content translated, before identities are resolved.
type parsed struct {
	Kind     bot.Kind
	Notice   bot.Notice
	Text     string
	AtBot    bool
	AtAll    bool
	Mentions []string // names @-mentioned, other than the bot and @all
	ReplyTo  string   // quoted message's svrid
	Target   string   // recalled message id
	Names    []string // members a join or leave notice is about; the renamer for a rename
	NewName  string   // the group's new name for NoticeRename
	Drop     bool     // nothing the bot keeps (status notifications, verify requests…)
}

// parse translates message content. It never fails: what it cannot read becomes plain text or a
// system notice without a Notice.
func parse(c content) parsed {
	switch c.MsgType {
	case typeText:
		return parseText(c.Text, c.BotNames)
	case typeImage:
		return parsed{Kind: bot.Image, Text: "[图片]"}
	case typeVoice:
		return parsed{Kind: bot.Voice, Text: "[语音]"}
	case typeVideo, typeMicroVideo:
		return parsed{Kind: bot.Video, Text: "[视频]"}
	case typeSticker:
		return parsed{Kind: bot.Sticker, Text: "[表情]"}
	case typeCard:
		return parsed{Kind: bot.Text, Text: "[名片]"}
	case typeApp:
		return parseApp(c)
	case typeSys:
		return parseNotice(c.Text)
	case typeRecall:
		return parseRecall(c.Text)
	}
	return parsed{Drop: true}
}

// parseText finds @-mentions: the bot's are stripped and set AtBot, @所有人 sets AtAll, the
// others are listed by name and left in the text.
func parseText(s string, botNames []string) parsed {
	p := parsed{Kind: bot.Text}
	var b strings.Builder
	rest := s
	for {
		i := strings.Index(rest, "@")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		after := rest[i+1:]
		name, tail, ok := cutMention(after, botNames)
		if !ok {
			b.WriteString("@")
			rest = after
			continue
		}
		switch {
		case isBotName(name, botNames):
			p.AtBot = true
		case name == "所有人" || strings.EqualFold(name, "all"):
			p.AtAll = true
			b.WriteString("@" + name + atSep)
		default:
			p.Mentions = append(p.Mentions, name)
			b.WriteString("@" + name + atSep)
		}
		rest = tail
	}
	p.Text = strings.TrimSpace(strings.ReplaceAll(b.String(), atSep+atSep, atSep))
	p.Text = strings.Trim(p.Text, atSep+" ")
	return p
}

// cutMention reads the name after an "@": up to U+2005, or a bot name at the very end of the text
// (WeChat may drop the separator there). ok is false when "@" starts no mention.
func cutMention(s string, botNames []string) (name, rest string, ok bool) {
	if j := strings.Index(s, atSep); j > 0 && !strings.Contains(s[:j], "@") && !strings.Contains(s[:j], "\n") {
		return s[:j], s[j+len(atSep):], true
	}
	for _, n := range botNames {
		if n != "" && strings.TrimSpace(s) == n {
			return n, "", true
		}
	}
	return "", s, false
}

func isBotName(name string, botNames []string) bool {
	for _, n := range botNames {
		if n != "" && n == name {
			return true
		}
	}
	return false
}

// appMsg is the part of an app message's XML the adapter reads.
type appMsg struct {
	AppMsg struct {
		Title    string `xml:"title"`
		Type     int    `xml:"type"`
		ReferMsg *struct {
			SvrID       string `xml:"svrid"`
			DisplayName string `xml:"displayname"`
		} `xml:"refermsg"`
	} `xml:"appmsg"`
}

// parseApp reads an app message (type 49): quotes, files, links, stickers.
func parseApp(c content) parsed {
	var m appMsg
	x := c.Text
	if i := strings.Index(x, "<msg"); i > 0 {
		x = x[i:]
	}
	if err := xml.Unmarshal([]byte(x), &m); err != nil {
		return parsed{Kind: bot.Text, Text: "[应用消息]"}
	}
	typ := m.AppMsg.Type
	if typ == 0 {
		typ = c.AppMsgType
	}
	title := strings.TrimSpace(m.AppMsg.Title)
	switch {
	case typ == appQuote || m.AppMsg.ReferMsg != nil:
		p := parseText(title, c.BotNames)
		if r := m.AppMsg.ReferMsg; r != nil {
			if id := strings.TrimSpace(r.SvrID); isDecimal(id) {
				p.ReplyTo = id
			}
		}
		return p
	case typ == appFile:
		return parsed{Kind: bot.File, Text: "[文件] " + title}
	case typ == appEmoji:
		return parsed{Kind: bot.Sticker, Text: "[表情]"}
	case typ == appLink:
		return parsed{Kind: bot.Text, Text: "[链接] " + title}
	}
	if title == "" {
		return parsed{Kind: bot.Text, Text: "[应用消息]"}
	}
	return parsed{Kind: bot.Text, Text: "[应用消息] " + title}
}

func isDecimal(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// quoted cuts s into the names between quote marks ("…" or “…”), in order.
func quoted(s string) []string {
	var out []string
	for {
		i := strings.IndexAny(s, "\"“")
		if i < 0 {
			return out
		}
		_, w := utf8.DecodeRuneInString(s[i:])
		s = s[i+w:]
		j := strings.IndexAny(s, "\"”")
		if j < 0 {
			return out
		}
		out = append(out, s[:j])
		_, w = utf8.DecodeRuneInString(s[j:])
		s = s[j+w:]
	}
}

// splitNames splits a notice's list of names ("张三、李四").
func splitNames(s string) []string {
	var out []string
	for _, n := range strings.Split(s, "、") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// parseNotice reads a system notice (type 10000): joins, renames, removals; anything else stays a
// plain system notice.
func parseNotice(s string) parsed {
	p := parsed{Kind: bot.System, Text: s}
	q := quoted(s)
	switch {
	case strings.Contains(s, "修改群名为"):
		_, after, _ := strings.Cut(s, "修改群名为")
		if names := quoted(after); len(names) > 0 {
			p.Notice, p.NewName = bot.NoticeRename, names[0]
			if before, _, _ := strings.Cut(s, "修改群名为"); len(quoted(before)) > 0 {
				p.Names = quoted(before)[:1]
			}
		}
	case strings.Contains(s, "二维码加入群聊") && len(q) > 0:
		// "张三"通过扫描"李四"分享的二维码加入群聊 / "张三"通过扫描二维码加入群聊
		p.Notice, p.Names = bot.NoticeJoin, splitNames(q[0])
	case strings.Contains(s, "加入了群聊") && len(q) > 0:
		// "李四"邀请"张三、王五"加入了群聊 / 你邀请"张三"加入了群聊 / "张三"加入了群聊
		names := q[len(q)-1] // the invitees come last
		p.Notice, p.Names = bot.NoticeJoin, splitNames(names)
	case strings.Contains(s, "移出了群聊") && len(q) > 0:
		// 你将"张三"移出了群聊
		p.Notice, p.Names = bot.NoticeLeave, splitNames(q[len(q)-1])
	}
	return p
}

// revoke is the XML of a recall notice.
type revoke struct {
	Revoke struct {
		MsgID    string `xml:"msgid"`
		OldMsgID string `xml:"oldmsgid"`
		Replace  string `xml:"replacemsg"`
	} `xml:"revokemsg"`
}

// parseRecall reads a recall notice (type 10002): Target is the recalled message's NewMsgId.
func parseRecall(s string) parsed {
	if i := strings.Index(s, "<sysmsg"); i > 0 {
		s = s[i:]
	}
	var r revoke
	if err := xml.Unmarshal([]byte(s), &r); err != nil {
		return parsed{Drop: true}
	}
	id := strings.TrimSpace(r.Revoke.MsgID)
	if !isDecimal(id) {
		id = strings.TrimSpace(r.Revoke.OldMsgID)
	}
	if !isDecimal(id) {
		return parsed{Drop: true}
	}
	return parsed{Kind: bot.System, Notice: bot.NoticeRecall, Target: id, Text: strings.TrimSpace(r.Revoke.Replace)}
}
