package bot

import "time"

// Platform names where a message came from.
type Platform string

// Platforms YouthLink knows. Import marks messages backfilled from a chat export.
const (
	WeChat  Platform = "wechat"
	QQ      Platform = "qq"
	Console Platform = "console"
)

// ChatKind tells a group chat from a private (one-to-one) chat.
type ChatKind string

// Chat kinds.
const (
	Group   ChatKind = "group"
	Private ChatKind = "private"
)

// Kind is what a message carries. Only its kind is kept for media: YouthLink downloads nothing.
type Kind string

// Message kinds.
const (
	Text    Kind = "text"
	Image   Kind = "image"
	Sticker Kind = "sticker"
	Voice   Kind = "voice"
	Video   Kind = "video"
	File    Kind = "file"
	System  Kind = "system" // a notice: see Event.Notice
)

// Notice is the kind of a system event.
type Notice string

// Notices adapters report. For NoticeRecall, Event.Target is the recalled message's id.
const (
	NoticeNone   Notice = ""
	NoticeJoin   Notice = "join"   // Event.Sender joined the group
	NoticeLeave  Notice = "leave"  // Event.Sender left or was removed
	NoticeRename Notice = "rename" // the group (ChatName) or Sender changed name
	NoticeRecall Notice = "recall" // Event.Target was recalled
)

// User is a chat member as a platform shows them. ID must be stable across logins: a QQ number,
// or for WeChat the identity key the adapter derives (UserNames change at every login).
type User struct {
	ID   string // platform user id
	Name string // nickname
	Card string // group card (群名片), if any
}

// Display is the name to show: the group card when set, else the nickname, else the id.
func (u User) Display() string {
	switch {
	case u.Card != "":
		return u.Card
	case u.Name != "":
		return u.Name
	}
	return u.ID
}

// Event is one incoming message or notice, already translated by an adapter.
type Event struct {
	Platform Platform
	Account  string   // the bot account that saw it (QQ self_id, WeChat nickname)
	ChatKind ChatKind // group or private
	ChatID   string   // stable chat id: QQ group number, WeChat group name key, private peer id
	ChatName string   // group name as shown
	MsgID    string   // the platform's message id: the dedupe key with Platform and ChatID
	Sender   User
	Self     bool      // sent by the bot account itself
	Mentions []User    // members @-mentioned (not the bot, not @all)
	AtBot    bool      // the bot account was @-mentioned
	AtAll    bool      // @all / @所有人
	ReplyTo  string    // platform message id this message quotes or replies to
	Kind     Kind      // text, image, …, system
	Notice   Notice    // for Kind == System
	Target   string    // for NoticeRecall: the recalled message id
	Text     string    // text with the bot mention stripped; placeholders like [图片] for media
	Time     time.Time // when it was sent
}

// Key is the dedupe key: platform + chat + message id.
func (e *Event) Key() string { return string(e.Platform) + "\x00" + e.ChatID + "\x00" + e.MsgID }

// Chat addresses a conversation for sending.
type Chat struct {
	Platform Platform
	Account  string // which bot account sends; empty: any account of the platform
	Kind     ChatKind
	ID       string
}

// Outgoing is a message waiting in, or leaving, the outbox.
type Outgoing struct {
	ID      int64  // outbox row id, set by the outbox
	Chat    Chat   // where it goes
	Text    string // what it says
	ReplyTo string // platform message id to quote, if the platform can
	Mention []User // members to @-mention, if the platform can
	Key     string // optional idempotency key: a second Enqueue with the same key is dropped
	// Attempts is how often the outbox tried to send it already (set by the store).
	Attempts int
}
