package importer

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"youthlink/bot"
)

// qqSystemID is the sender id QQ exports give system notices: "系统消息(10000)".
const qqSystemID = "10000"

var (
	// qqHeader is a message header: date, time with a one- or two-digit hour, then the sender.
	qqHeader = regexp.MustCompile(`^(\d{4}-\d{1,2}-\d{1,2}) (\d{1,2}:\d{2}:\d{2}) (.*)$`)
	// qqSender ends a header: the nickname, then the id as the last (digits) or <e-mail> group.
	qqSender = regexp.MustCompile(`^(.*?)\s*(?:\((\d+)\)|<([^<>\s]+)>)\s*$`)
	// qqTitle is a group title QQ prints before the nickname, e.g. 【管理员】.
	qqTitle = regexp.MustCompile(`^【[^】]*】\s*`)
	// qqJoin and qqLeave recognise membership notices; the optional group is the member's id.
	qqJoin  = regexp.MustCompile(`^(.+?)(?:\((\d+)\))?\s*(?:已经|已)?加入(?:了)?(?:本群|该群|群聊)`)
	qqLeave = regexp.MustCompile(`^(.+?)(?:\((\d+)\))?\s*(?:已经|已)?(?:退出(?:了)?(?:本群|该群|群聊)|离开(?:了)?(?:本群|该群|群聊)|被.{0,20}移出(?:了)?(?:本群|该群|群聊))`)
)

// isPreamble tells the lines QQ writes before the first message.
func isPreamble(line string) bool {
	t := strings.TrimSpace(line)
	return t == "" ||
		strings.HasPrefix(t, "消息记录") ||
		strings.HasPrefix(t, "消息分组:") || strings.HasPrefix(t, "消息分组：") ||
		strings.HasPrefix(t, "消息对象:") || strings.HasPrefix(t, "消息对象：") ||
		strings.Trim(t, "=") == ""
}

// qqMsg is a message being read: its header and body lines.
type qqMsg struct {
	line  int // header line number
	when  time.Time
	id    string
	name  string
	body  []string
	valid bool // false: the header was bad, the body is skipped with it
}

// ParseQQText reads a PC QQ "导出消息记录" text export of one group. The file is read line by
// line and never held whole. group names the chat. A header line is
// "YYYY-MM-DD H:MM:SS 昵称(QQ号)" or "… 昵称<e-mail>" — the id is the last such group, so
// nicknames may hold spaces and brackets — and the body runs to the next header. It returns an
// error only when r fails; anything wrong inside the file goes to the Report.
func ParseQQText(r io.Reader, group string) (*Result, error) {
	b := newBuilder(group)
	lr := newLineReader(r)
	var cur *qqMsg
	started := false
	for {
		raw, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read line %d: %w", lr.n+1, err)
		}
		n := lr.n
		if n == 1 {
			raw = strings.TrimPrefix(raw, "\uFEFF")
		}
		line, why := clean(raw, maxLine)
		if lr.long {
			why = strings.TrimPrefix(why+"；行过长，已截断", "；")
		}
		if why != "" {
			b.repaired(n, why)
		}
		if h, ok := parseQQHeader(line, n); ok {
			if cur != nil {
				b.addQQ(cur)
			}
			cur, started = h, true
			if !h.valid {
				b.skip(n, "消息头的时间无效，整条消息已跳过")
			}
			continue
		}
		if !started {
			if !isPreamble(line) {
				b.skip(n, "第一条消息之前的行无法识别")
			}
			continue
		}
		cur.body = append(cur.body, line)
	}
	b.report.Lines = lr.n
	if cur != nil {
		b.addQQ(cur)
	}
	return b.finish(), nil
}

// parseQQHeader recognises a message header line. A line shaped like a header whose date does not
// exist is returned as an invalid header, so its body is not glued to the previous message.
func parseQQHeader(line string, n int) (*qqMsg, bool) {
	m := qqHeader.FindStringSubmatch(line)
	if m == nil {
		return nil, false
	}
	s := qqSender.FindStringSubmatch(m[3])
	if s == nil {
		return nil, false
	}
	id := s[2]
	if id == "" {
		id = s[3]
		if !strings.Contains(id, "@") {
			return nil, false
		}
	}
	h := &qqMsg{line: n, id: id, name: strings.TrimSpace(qqTitle.ReplaceAllString(strings.TrimSpace(s[1]), ""))}
	t, err := time.ParseInLocation("2006-1-2 15:04:05", m[1]+" "+m[2], shanghai)
	h.when, h.valid = t, err == nil
	return h, true
}

// addQQ turns a finished message into an event.
func (b *builder) addQQ(m *qqMsg) {
	if !m.valid {
		return
	}
	// Drop the blank lines that separate messages, and any the sender left at the ends.
	body := strings.Trim(strings.Join(m.body, "\n"), "\n")
	body = strings.TrimRight(body, " \t\n")
	if strings.TrimSpace(body) == "" {
		b.skip(m.line, "消息内容为空")
		return
	}
	if len(body) > maxText {
		body, _ = clean(body, maxText)
		b.repaired(m.line, "消息过长，已截断")
	}
	ev := bot.Event{Sender: bot.User{ID: m.id, Name: m.name}, Text: body, Time: m.when}
	if m.id == qqSystemID {
		ev.Kind = bot.System
		ev.Sender = bot.User{ID: qqSystemID, Name: m.name}
		resolve := ""
		if g := qqJoin.FindStringSubmatch(body); g != nil {
			ev.Notice, ev.Sender, resolve = bot.NoticeJoin, bot.User{ID: g[2], Name: strings.TrimSpace(g[1])}, strings.TrimSpace(g[1])
		} else if g := qqLeave.FindStringSubmatch(body); g != nil {
			ev.Notice, ev.Sender, resolve = bot.NoticeLeave, bot.User{ID: g[2], Name: strings.TrimSpace(g[1])}, strings.TrimSpace(g[1])
		}
		if ev.Notice != bot.NoticeNone && ev.Sender.ID != "" {
			resolve = "" // the notice gave the id
			b.member(ev.Sender.ID, ev.Sender.Name)
		}
		b.add(ev, resolve)
		return
	}
	ev.Kind = kindOf(body)
	b.member(m.id, m.name)
	b.add(ev, "")
}
