package bot

import (
	"context"
	"fmt"
	"log/slog"
)

// Stored is what storage knew about an event once it was committed: the rows it landed in and the
// roles of the people involved. Handlers read it instead of querying again.
type Stored struct {
	MessageID   int64 // messages row; 0 when the event was not stored (a notice, a refusal)
	New         bool  // false for a duplicate or replay: it is never handled again
	GroupID     int64 // groups row, 0 for private chats
	GroupCadre  int64 // cadre the group is registered to, 0 if none yet
	NewGroup    bool  // the first event ever seen from this group
	SenderID    int64 // identities row of the sender
	SenderCadre int64 // cadre the sender's identity is bound to, 0 for a youth
	OptedOut    bool  // the sender left the statistics
	ReplyToID   int64 // identities row of the author of the quoted message, if known
}

// Context is what a handler gets: a context.Context (with the handler's deadline, cancelled at
// shutdown) plus the event, what storage knew of it, and ways to answer.
type Context struct {
	context.Context
	Event   *Event
	Stored  Stored
	Command string // the command name as typed, without the slash ("" for plain messages)
	Args    string // the text after the command name, trimmed
	Log     *slog.Logger

	out  Enqueuer
	sent *int // messages queued so far for this event, numbering their keys; shared by copies
}

// Enqueuer takes an outgoing message into the persisted outbox.
type Enqueuer interface {
	Enqueue(ctx context.Context, m Outgoing) error
}

// NewContext builds a handler context; the engine does this, tests may too.
func NewContext(ctx context.Context, ev *Event, st Stored, out Enqueuer, log *slog.Logger) *Context {
	if log == nil {
		log = slog.Default()
	}
	return &Context{Context: ctx, Event: ev, Stored: st, out: out, Log: log, sent: new(int)}
}

// Chat is the conversation the event came from.
func (c *Context) Chat() Chat {
	return Chat{Platform: c.Event.Platform, Account: c.Event.Account, Kind: c.Event.ChatKind, ID: c.Event.ChatID}
}

// Reply answers in the same chat, quoting the message and, in a group, mentioning its sender.
func (c *Context) Reply(text string) error {
	m := Outgoing{Chat: c.Chat(), Text: text, ReplyTo: c.Event.MsgID}
	if c.Event.ChatKind == Group {
		m.Mention = []User{c.Event.Sender}
	}
	return c.Send(m)
}

// Send puts a message for any chat into the outbox. A message without a key gets one made of
// the event and the message's place among those this handler queued, so that handling the same
// event again (after a crash) queues nothing twice.
func (c *Context) Send(m Outgoing) error {
	*c.sent++
	if m.Key == "" && c.Event.MsgID != "" {
		m.Key = fmt.Sprintf("handled|%s|%s|%s|%d", c.Event.Platform, c.Event.ChatID, c.Event.MsgID, *c.sent)
	}
	return c.out.Enqueue(c, m)
}
