package importer

import (
	"bufio"
	"crypto/sha256"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"youthlink/bot"
)

// WeChat message types as stored in the client's database and written by WeChatMsg.
const (
	wxText     = 1
	wxImage    = 3
	wxVoice    = 34
	wxVideo    = 43
	wxEmoticon = 47
	wxApp      = 49 // SubType 6: file; 57: a quote reply (text)
	wxSystem   = 10000
	wxRecalled = 10002
)

var (
	// wxJoin finds who joined in a WeChat system notice: ""A"邀请"B、C"加入了群聊",
	// "你邀请"B"加入了群聊", ""B"通过扫描"A"分享的二维码加入群聊".
	wxJoinInvite = regexp.MustCompile(`邀请["“](.+?)["”]加入了群聊`)
	wxJoinQR     = regexp.MustCompile(`^["“](.+?)["”]通过扫描.*加入群聊`)
	wxLeave      = regexp.MustCompile(`将["“](.+?)["”]移出了群聊`)
)

// ParseWeChatCSV reads a group chat exported as CSV by WeChatMsg (留痕, LC044/WeChatMsg), whose
// header is localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,
// NickName,Sender. Columns are found by name, so their order does not matter; StrContent and
// CreateTime or StrTime are required. The sender id is the Sender column (the wxid), else the
// NickName. MsgID is "wx-" + localId + "-" + CreateTime: localId is WeChatMsg's own id, and the
// time keeps ids from different message databases apart. It returns an error when r fails or the
// header is not WeChatMsg's; bad records go to the Report.
func ParseWeChatCSV(r io.Reader, group string) (*Result, error) {
	br := bufio.NewReader(r)
	if p, err := br.Peek(3); err == nil && string(p) == "\uFEFF" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("文件是空的，没有 CSV 表头")
	}
	if err != nil {
		return nil, fmt.Errorf("read csv header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(h)] = i
	}
	if _, ok := col["StrContent"]; !ok {
		return nil, errors.New("不是 WeChatMsg（留痕）导出的 CSV：缺少 StrContent 列")
	}
	_, hasCT := col["CreateTime"]
	_, hasST := col["StrTime"]
	if !hasCT && !hasST {
		return nil, errors.New("不是 WeChatMsg（留痕）导出的 CSV：缺少 CreateTime 和 StrTime 列")
	}
	b := newBuilder(group)
	records := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			records++
			b.skip(pe.StartLine, "CSV 格式错误："+pe.Err.Error())
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read csv after record %d: %w", records, err)
		}
		records++
		line := 0
		if len(rec) > 0 {
			line, _ = cr.FieldPos(0)
		}
		b.addWeChat(rec, col, line)
	}
	b.report.Lines = records
	return b.finish(), nil
}

// addWeChat turns one CSV record into an event, or reports why not.
func (b *builder) addWeChat(rec []string, col map[string]int, line int) {
	field := func(name string) string {
		i, ok := col[name]
		if !ok || i >= len(rec) {
			return ""
		}
		return rec[i]
	}
	if i := col["StrContent"]; i >= len(rec) {
		b.skip(line, fmt.Sprintf("列数不足：%d 列，表头有 %d 列", len(rec), len(col)))
		return
	}
	var whys []string
	get := func(name string, max int) string {
		s, why := clean(field(name), max)
		if why != "" {
			whys = append(whys, name+"："+why)
		}
		return strings.TrimSpace(s)
	}
	content := get("StrContent", maxText)
	nick, remark := get("NickName", 256), get("Remark", 256)
	id := get("Sender", 256)
	localID, ct := get("localId", 64), get("CreateTime", 64)
	typ, subType := get("Type", 16), get("SubType", 16)
	strTime := get("StrTime", 64)
	if len(whys) > 0 {
		b.repaired(line, strings.Join(whys, "；"))
	}

	when, ok := wxTime(ct, strTime)
	if !ok {
		b.skip(line, "时间无效："+strconv.Quote(ct+" "+strTime))
		return
	}
	t := wxText
	if typ != "" {
		n, err := strconv.Atoi(typ)
		if err != nil {
			b.skip(line, "消息类型无效："+strconv.Quote(typ))
			return
		}
		t = n
	}
	if id == "" {
		id = nick
	}
	name := nick
	if name == "" {
		name = remark
	}
	ev := bot.Event{Sender: bot.User{ID: id, Name: name}, Time: when, Text: content}
	if localID != "" {
		// localId is unique in a real export; a file with a row repeated (or two files pasted
		// together) may hold it twice: the same message is imported once, a different one gets
		// an id derived from its content instead.
		wid := "wx-" + localID + "-" + strconv.FormatInt(when.Unix(), 10)
		// The row is kept as a sha256 of what it said, which tells a repeat from a clash as well.
		h := sha256.Sum256([]byte(id + "\x00" + nick + "\x00" + typ + "\x00" + subType + "\x00" + content))
		fp := string(h[:])
		switch prev, used := b.wxIDs[wid]; {
		case !used:
			b.wxIDs[wid] = fp
			ev.MsgID = wid
		case prev == fp:
			b.skip(line, "与前面一行是同一条消息（localId、时间和内容都相同），只导入一次")
			return
		}
	}
	switch t {
	case wxText:
		ev.Kind = bot.Text
	case wxImage:
		ev.Kind, ev.Text = bot.Image, "[图片]"
	case wxVoice:
		ev.Kind, ev.Text = bot.Voice, "[语音]"
	case wxVideo:
		ev.Kind, ev.Text = bot.Video, "[视频]"
	case wxEmoticon:
		ev.Kind, ev.Text = bot.Sticker, "[表情]"
	case wxApp:
		switch {
		case subType == "6":
			ev.Kind, ev.Text = bot.File, "[文件]"
		case content == "" || strings.HasPrefix(content, "<"):
			ev.Kind, ev.Text = bot.Text, "[分享]"
		default:
			ev.Kind = bot.Text // a quote reply or a link title
		}
	case wxSystem, wxRecalled:
		b.addWeChatNotice(ev)
		return
	default:
		if content == "" {
			b.skip(line, "未知的消息类型 "+typ+"，且没有内容")
			return
		}
		ev.Kind = bot.Text
	}
	if ev.Kind == bot.Text && content == "" {
		b.skip(line, "消息内容为空")
		return
	}
	if id == "" {
		b.skip(line, "没有发送者")
		return
	}
	b.member(id, name)
	if m := b.members[id]; remark != "" && remark != name && !slices.Contains(m.Names, remark) {
		m.Names = append(m.Names, remark) // known for @-mentions; the nickname stays the name
	}
	b.add(ev, "")
}

// addWeChatNotice adds a system notice, recognising joins and removals by the quoted names.
func (b *builder) addWeChatNotice(ev bot.Event) {
	ev.Kind = bot.System
	ev.Sender = bot.User{ID: "system", Name: "系统消息"}
	resolve := ""
	for _, p := range []struct {
		re *regexp.Regexp
		n  bot.Notice
	}{{wxJoinInvite, bot.NoticeJoin}, {wxJoinQR, bot.NoticeJoin}, {wxLeave, bot.NoticeLeave}} {
		if g := p.re.FindStringSubmatch(ev.Text); g != nil {
			// Several people invited at once are listed with 、: the notice is about the first.
			first, _, _ := strings.Cut(g[1], "、")
			ev.Notice, resolve = p.n, first
			ev.Sender = bot.User{Name: first}
			break
		}
	}
	b.add(ev, resolve)
}

// wxTime reads CreateTime (Unix seconds, or milliseconds) or else StrTime in Asia/Shanghai.
func wxTime(createTime, strTime string) (time.Time, bool) {
	if n, err := strconv.ParseInt(createTime, 10, 64); err == nil && n > 0 {
		if n > 1e12 {
			return time.UnixMilli(n).In(shanghai), true
		}
		return time.Unix(n, 0).In(shanghai), true
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006/01/02 15:04:05", "2006-1-2 15:04:05"} {
		if t, err := time.ParseInLocation(layout, strTime, shanghai); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
