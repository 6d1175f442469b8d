package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Shanghai on hosts without a zoneinfo database
	"unicode/utf8"

	"youthlink/bot"
)

// Result is what a parser read from one export.
type Result struct {
	Events []bot.Event
	Report Report
}

// Report tells the operator what an import did with every line.
type Report struct {
	Lines    int               // lines (TXT) or records (CSV) read
	Messages int               // events produced
	Skipped  []Problem         // lines dropped, and why
	Repaired []Problem         // lines kept after a repair (bad UTF-8, control characters, cut)
	Members  map[string]Member // member id → the names it showed
}

// Problem is one line the parser could not take as it was.
type Problem struct {
	Line   int    // 1-based line number in the file
	Reason string // in plain Chinese, for the operator
}

// Member is one sender seen in an export. The id is the identity; names change.
type Member struct {
	ID    string
	Name  string   // the latest name
	Names []string // every name seen, in order of first use
}

// maxText caps one message's text; the rest is dropped and reported.
const maxText = 64 << 10

// shanghai is where the exports' local times are.
var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// builder collects events and members and finishes them once the whole export is known.
type builder struct {
	group   string
	events  []bot.Event
	byName  []string          // per event: a name to resolve into Sender at finish, if any
	seen    map[string]int    // occurrence counter for exact repeats
	wxIDs   map[string]string // WeChat message id → a sha256 of what the row said, to tell a repeated row from a clash
	members map[string]*Member
	order   []string // member ids in order of first appearance
	report  Report
}

func newBuilder(group string) *builder {
	return &builder{group: group, seen: map[string]int{}, wxIDs: map[string]string{}, members: map[string]*Member{}}
}

func (b *builder) skip(line int, reason string) {
	b.report.Skipped = append(b.report.Skipped, Problem{line, reason})
}

func (b *builder) repaired(line int, reason string) {
	b.report.Repaired = append(b.report.Repaired, Problem{line, reason})
}

// member records that id showed name.
func (b *builder) member(id, name string) {
	if id == "" {
		return
	}
	m := b.members[id]
	if m == nil {
		m = &Member{ID: id}
		b.members[id] = m
		b.order = append(b.order, id)
	}
	if name == "" {
		return
	}
	m.Name = name
	for _, n := range m.Names {
		if n == name {
			return
		}
	}
	m.Names = append(m.Names, name)
}

// add appends ev, filling the chat fields. resolve, when not empty, is a name to turn into the
// sender at finish (a join notice names the newcomer, not their id). ev.MsgID, when empty, is
// derived from sender, time and text.
func (b *builder) add(ev bot.Event, resolve string) {
	ev.ChatKind = bot.Group
	ev.ChatID = b.group
	ev.ChatName = b.group
	if ev.MsgID == "" {
		ev.MsgID = b.derivedID(ev)
	}
	b.events = append(b.events, ev)
	b.byName = append(b.byName, resolve)
}

// derivedID is a deterministic message id: a hash of sender id (the name only when there is no
// id), time, a hash of the text, and how many identical messages came before this one in the
// export. Names are left out so that a later export, after a rename, gives the same ids.
func (b *builder) derivedID(ev bot.Event) string {
	th := sha256.Sum256([]byte(ev.Text))
	who := ev.Sender.ID
	if who == "" {
		who = "name:" + ev.Sender.Name
	}
	key := who + "\x00" + strconv.FormatInt(ev.Time.Unix(), 10) + "\x00" + hex.EncodeToString(th[:])
	n := b.seen[key]
	b.seen[key] = n + 1
	h := sha256.Sum256([]byte(key + "\x00" + strconv.Itoa(n)))
	return "imp-" + hex.EncodeToString(h[:12])
}

// finish gives every sender their latest name, resolves notices that named a member, finds
// @-mentions of known names, and returns the result.
func (b *builder) finish() *Result {
	names := b.nameIndex()
	for i := range b.events {
		ev := &b.events[i]
		if n := b.byName[i]; n != "" {
			if id, ok := names[n]; ok {
				ev.Sender = bot.User{ID: id}
			}
		}
		if m := b.members[ev.Sender.ID]; m != nil && m.Name != "" {
			ev.Sender.Name = m.Name
		}
		if ev.Kind != bot.System {
			ev.Mentions = b.mentions(ev.Text, names)
		}
	}
	b.report.Members = make(map[string]Member, len(b.members))
	for id, m := range b.members {
		b.report.Members[id] = *m
	}
	b.report.Messages = len(b.events)
	return &Result{Events: b.events, Report: b.report}
}

// nameIndex maps every name seen to the id that last used it.
func (b *builder) nameIndex() map[string]string {
	idx := map[string]string{}
	for _, id := range b.order {
		for _, n := range b.members[id].Names {
			idx[n] = id
		}
	}
	// A member's latest name wins over someone else's old one.
	for _, id := range b.order {
		if n := b.members[id].Name; n != "" {
			idx[n] = id
		}
	}
	return idx
}

// mentions finds "@name" for known names, the longest name first, each member once.
func (b *builder) mentions(text string, names map[string]string) []bot.User {
	var out []bot.User
	done := map[string]bool{}
	for i := 0; i < len(text); {
		j := strings.IndexByte(text[i:], '@')
		if j < 0 {
			break
		}
		rest := text[i+j+1:]
		best := ""
		for n := range names {
			if len(n) > len(best) && strings.HasPrefix(rest, n) {
				best = n
			}
		}
		i += j + 1
		if best == "" {
			continue
		}
		id := names[best]
		i += len(best)
		if done[id] {
			continue
		}
		done[id] = true
		out = append(out, bot.User{ID: id, Name: b.members[id].Name})
	}
	return out
}

// clean makes s valid UTF-8 without control characters (tab and newline stay) and at most max
// bytes, saying what it had to do.
func clean(s string, max int) (string, string) {
	var why []string
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
		why = append(why, "无效的 UTF-8 字节已替换为 �")
	}
	if strings.ContainsFunc(s, isControl) {
		s = strings.Map(func(r rune) rune {
			if isControl(r) {
				return -1
			}
			return r
		}, s)
		why = append(why, "控制字符已删除")
	}
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
		why = append(why, "内容过长，已截断")
	}
	return s, strings.Join(why, "；")
}

func isControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n') || r == 0x7f
}

// placeholders are what exports write for media; a message that is only placeholders of one kind
// is that kind.
var placeholders = map[string]bot.Kind{
	"[图片]": bot.Image,
	"[表情]": bot.Sticker,
	"[语音]": bot.Voice,
	"[视频]": bot.Video,
	"[文件]": bot.File,
}

// kindOf returns the kind of a message body.
func kindOf(text string) bot.Kind {
	t := strings.TrimSpace(text)
	for p, k := range placeholders {
		if t != "" && strings.Trim(strings.ReplaceAll(t, p, ""), " ") == "" {
			return k
		}
	}
	return bot.Text
}
