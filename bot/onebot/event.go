package onebot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"youthlink/bot"
)

// id is a OneBot id (QQ number, group number, message id) that may arrive as a JSON number or
// string. It keeps the decimal text; an empty id means absent.
type id string

// UnmarshalJSON accepts 123, "123" and null.
func (i *id) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*i = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*i = id(strings.TrimSpace(s))
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("id: %w", err)
	}
	if v, err := n.Int64(); err == nil {
		*i = id(strconv.FormatInt(v, 10))
		return nil
	}
	if f, err := n.Float64(); err == nil && f == float64(int64(f)) {
		*i = id(strconv.FormatInt(int64(f), 10))
		return nil
	}
	return fmt.Errorf("id: %s is not an integer", b)
}

// frame is any JSON frame a OneBot implementation sends: an event (post_type set) or an action
// response (status/echo set).
type frame struct {
	Time          int64           `json:"time"`
	SelfID        id              `json:"self_id"`
	PostType      string          `json:"post_type"`
	MessageType   string          `json:"message_type"`
	NoticeType    string          `json:"notice_type"`
	MetaEventType string          `json:"meta_event_type"`
	SubType       string          `json:"sub_type"`
	MessageID     id              `json:"message_id"`
	GroupID       id              `json:"group_id"`
	GroupName     string          `json:"group_name"`
	UserID        id              `json:"user_id"`
	TargetID      id              `json:"target_id"`
	Message       json.RawMessage `json:"message"`
	Sender        struct {
		UserID   id     `json:"user_id"`
		Nickname string `json:"nickname"`
		Card     string `json:"card"`
		Role     string `json:"role"`
	} `json:"sender"`
	CardNew string `json:"card_new"`

	Status  json.RawMessage `json:"status"` // a string in replies, an object in heartbeats
	Retcode int             `json:"retcode"`
	Data    json.RawMessage `json:"data"`
	Echo    json.RawMessage `json:"echo"`
	Msg     string          `json:"msg"`
	Wording string          `json:"wording"`
}

// status is the reply status ("ok", "async", "failed"), or "" when absent or not a string.
func (f *frame) status() string {
	var s string
	if len(f.Status) > 0 && f.Status[0] == '"' && json.Unmarshal(f.Status, &s) == nil {
		return s
	}
	return ""
}

// isEvent tells an event from an action response on a universal socket.
func (f *frame) isEvent() bool { return f.PostType != "" }

// errIgnored marks frames that are consumed on purpose: meta events, requests, notices YouthLink
// has no use for.
var errIgnored = errors.New("ignored")

// decodeFrame parses one frame.
func decodeFrame(data []byte) (*frame, error) {
	var f frame
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("decode frame: %w", err)
	}
	return &f, nil
}

// decoder turns event frames into bot.Events, naming members from the roster.
type decoder struct {
	roster  *roster
	maxText int
	now     func() time.Time
}

// event maps an event frame to a bot.Event. It returns errIgnored for frames consumed without
// delivery and another error for frames that make no sense. truncated reports text cut to maxText.
func (d *decoder) event(f *frame) (ev bot.Event, truncated bool, err error) {
	if f.SelfID == "" && f.PostType != "meta_event" {
		return ev, false, errors.New("event without self_id")
	}
	ev = bot.Event{Platform: bot.QQ, Account: string(f.SelfID), Time: time.Unix(f.Time, 0)}
	if f.Time <= 0 {
		ev.Time = d.now()
	}
	switch f.PostType {
	case "message", "message_sent":
		truncated, err = d.message(f, &ev)
	case "notice":
		err = d.notice(f, &ev)
	case "meta_event", "request":
		err = errIgnored
	default:
		err = fmt.Errorf("unknown post_type %q", f.PostType)
	}
	return ev, truncated, err
}

func (d *decoder) message(f *frame, ev *bot.Event) (truncated bool, err error) {
	if f.MessageID == "" {
		return false, errors.New("message without message_id")
	}
	ev.MsgID = string(f.MessageID)
	ev.Sender = bot.User{ID: string(f.Sender.UserID), Name: f.Sender.Nickname, Card: f.Sender.Card}
	if ev.Sender.ID == "" {
		ev.Sender.ID = string(f.UserID)
	}
	if ev.Sender.ID == "" {
		return false, errors.New("message without user_id")
	}
	ev.Self = f.PostType == "message_sent" || ev.Sender.ID == ev.Account
	switch f.MessageType {
	case "group":
		if f.GroupID == "" {
			return false, errors.New("group message without group_id")
		}
		ev.ChatKind, ev.ChatID = bot.Group, string(f.GroupID)
		ev.ChatName = f.GroupName
		if ev.ChatName == "" {
			ev.ChatName = d.roster.groupName(ev.Account, ev.ChatID)
		}
		d.roster.learn(ev.Account, ev.ChatID, ev.Sender, f.Sender.Role)
	case "private":
		ev.ChatKind, ev.ChatID = bot.Private, ev.Sender.ID
		if ev.Self && f.TargetID != "" {
			ev.ChatID = string(f.TargetID)
		}
	default:
		return false, fmt.Errorf("unknown message_type %q", f.MessageType)
	}
	segs, err := parseMessage(f.Message)
	if err != nil {
		return false, err
	}
	truncated = d.content(segs, ev)
	return truncated, nil
}

// placeholders are the text shown for segments that are not text.
var placeholders = map[string]string{
	"face": "[表情]", "mface": "[表情]", "image": "[图片]", "record": "[语音]", "video": "[视频]",
	"file": "[文件]", "forward": "[聊天记录]", "json": "[卡片]", "xml": "[卡片]", "share": "[链接]",
	"music": "[音乐]", "location": "[位置]", "contact": "[名片]", "poke": "[戳一戳]", "dice": "[骰子]",
	"rps": "[猜拳]", "markdown": "[卡片]",
}

// mediaKinds are the kinds a message made only of one kind of segment gets.
var mediaKinds = map[string]bot.Kind{
	"image": bot.Image, "face": bot.Sticker, "mface": bot.Sticker, "record": bot.Voice,
	"video": bot.Video, "file": bot.File,
}

// content fills Text, Kind, mentions and ReplyTo from the segments.
func (d *decoder) content(segs []segment, ev *bot.Event) (truncated bool) {
	var b strings.Builder
	hasText := false
	kinds := map[bot.Kind]bool{}
	for _, s := range segs {
		switch s.Type {
		case "text":
			t := s.Data["text"]
			if strings.TrimSpace(t) != "" {
				hasText = true
			}
			b.WriteString(t)
		case "at":
			qq := strings.TrimSpace(s.Data["qq"])
			switch {
			case qq == "":
			case qq == ev.Account:
				ev.AtBot = true
			case qq == "all":
				ev.AtAll = true
				hasText = true
				b.WriteString("@全体成员")
			default:
				u := d.roster.member(ev.Account, ev.ChatID, qq)
				if u.Name == "" && u.Card == "" {
					u.Name = strings.TrimPrefix(s.Data["name"], "@")
				}
				if !hasUser(ev.Mentions, qq) {
					ev.Mentions = append(ev.Mentions, u)
				}
				hasText = true
				b.WriteString("@" + u.Display())
			}
		case "reply":
			if ev.ReplyTo == "" {
				ev.ReplyTo = strings.TrimSpace(s.Data["id"])
			}
		default:
			p, ok := placeholders[s.Type]
			if !ok {
				continue
			}
			if k, ok := mediaKinds[s.Type]; ok {
				kinds[k] = true
			} else {
				hasText = true
			}
			b.WriteString(p)
		}
	}
	ev.Text = strings.TrimSpace(b.String())
	ev.Kind = bot.Text
	if !hasText && len(kinds) == 1 {
		for k := range kinds {
			ev.Kind = k
		}
	}
	if d.maxText > 0 && len(ev.Text) > d.maxText {
		cut := d.maxText
		for cut > 0 && !utf8.RuneStart(ev.Text[cut]) {
			cut--
		}
		ev.Text = ev.Text[:cut] + "…"
		truncated = true
	}
	return truncated
}

func hasUser(us []bot.User, id string) bool {
	for _, u := range us {
		if u.ID == id {
			return true
		}
	}
	return false
}

func (d *decoder) notice(f *frame, ev *bot.Event) error {
	ev.Kind = bot.System
	ev.ChatKind, ev.ChatID = bot.Group, string(f.GroupID)
	user := string(f.UserID)
	switch f.NoticeType {
	case "group_increase":
		ev.Notice, ev.MsgID, ev.Text = bot.NoticeJoin, fmt.Sprintf("join:%s:%d", user, f.Time), "加入了群聊"
	case "group_decrease":
		ev.Notice, ev.MsgID, ev.Text = bot.NoticeLeave, fmt.Sprintf("leave:%s:%d", user, f.Time), "离开了群聊"
	case "group_recall":
		ev.Notice, ev.Target, ev.Text = bot.NoticeRecall, string(f.MessageID), "撤回了一条消息"
		ev.MsgID = "recall:" + ev.Target
	case "friend_recall":
		ev.ChatKind, ev.ChatID = bot.Private, user
		ev.Notice, ev.Target, ev.Text = bot.NoticeRecall, string(f.MessageID), "撤回了一条消息"
		ev.MsgID = "recall:" + ev.Target
	case "group_card":
		ev.Notice, ev.MsgID = bot.NoticeRename, fmt.Sprintf("card:%s:%d", user, f.Time)
		ev.Text = "修改群名片为 " + f.CardNew
	default:
		return errIgnored
	}
	if ev.ChatID == "" || user == "" {
		return fmt.Errorf("notice %s without group_id or user_id", f.NoticeType)
	}
	if ev.Notice == bot.NoticeRecall && ev.Target == "" {
		return fmt.Errorf("notice %s without message_id", f.NoticeType)
	}
	ev.Sender = d.roster.member(ev.Account, ev.ChatID, user)
	ev.Self = user == ev.Account
	if ev.ChatKind == bot.Group {
		ev.ChatName = d.roster.groupName(ev.Account, ev.ChatID)
	}
	switch ev.Notice {
	case bot.NoticeLeave:
		d.roster.forget(ev.Account, ev.ChatID, user)
	case bot.NoticeRename:
		ev.Sender.Card = f.CardNew
		d.roster.learn(ev.Account, ev.ChatID, ev.Sender, "")
	}
	return nil
}
