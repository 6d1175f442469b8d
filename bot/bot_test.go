package bot

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		in, name, args string
		ok             bool
	}{
		{"/台账", "台账", "", true},
		{"  ／绑定  123456 ", "绑定", "123456", true},
		{"/HELP", "help", "", true},
		{"/活动 线下 植树 @张三", "活动", "线下 植树 @张三", true},
		{"大家好", "", "", false},
		{"/", "", "", false},
		{" ／ ", "", "", false},
		{"/ 帮助", "", "", false},
		{"/ 我觉得这样可以", "", "", false},
		{"/活动：线下 团课", "活动", "线下 团课", true},
		{"/活动:线下 团课", "活动", "线下 团课", true},
		{"/绑定： 123456", "绑定", "123456", true},
		{"/帮助：台账", "帮助", "台账", true},
		{"/：线下", "", "", false},
		{"", "", "", false},
		{"a/台账", "", "", false},
	}
	for _, tt := range tests {
		name, args, ok := ParseCommand(tt.in)
		if name != tt.name || args != tt.args || ok != tt.ok {
			t.Errorf("ParseCommand(%q) = %q %q %v, want %q %q %v", tt.in, name, args, ok, tt.name, tt.args, tt.ok)
		}
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"/台账", "／绑定 1", "/ x", "hello", "/\xff\xfe", "/a\u2005b", "/活动：线下 团课", "／", "/ :x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, args, ok := ParseCommand(s)
		if !ok {
			if name != "" || args != "" {
				t.Fatalf("not a command but name %q args %q", name, args)
			}
			return
		}
		if name == "" || !utf8.ValidString(name) || strings.ContainsAny(name, " \t\n:：") {
			t.Fatalf("bad name %q from %q", name, s)
		}
		if args != strings.TrimSpace(args) {
			t.Fatalf("args not trimmed: %q", args)
		}
	})
}

func TestNormalize(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	ok := Event{Platform: QQ, ChatKind: Group, ChatID: "1", MsgID: "2", Sender: User{ID: "3"}}
	tests := []struct {
		name    string
		edit    func(*Event)
		wantErr string
		check   func(*Event) bool
	}{
		{"fine", func(*Event) {}, "", func(e *Event) bool { return e.Kind == Text && e.Time.Equal(now) }},
		{"no platform", func(e *Event) { e.Platform = "" }, "no platform", nil},
		{"no chat", func(e *Event) { e.ChatID = "" }, "no chat id", nil},
		{"no message id", func(e *Event) { e.MsgID = "" }, "no message id", nil},
		{"no sender", func(e *Event) { e.Sender.ID = "" }, "no sender", nil},
		{"bad chat kind", func(e *Event) { e.ChatKind = "channel" }, "chat kind", nil},
		{"huge id", func(e *Event) { e.MsgID = strings.Repeat("9", 300) }, "id longer", nil},
		{"empty text is kept", func(e *Event) { e.Text = "" }, "", func(e *Event) bool { return e.Text == "" }},
		{"invalid UTF-8 is repaired", func(e *Event) { e.Text = "ab\xff\xfecd" }, "",
			func(e *Event) bool { return utf8.ValidString(e.Text) && strings.HasPrefix(e.Text, "ab") }},
		{"control characters go, newlines stay", func(e *Event) { e.Text = "a\x00b\x1bc\nd" }, "",
			func(e *Event) bool { return e.Text == "abc\nd" }},
		{"1 MB is cut and marked", func(e *Event) { e.Text = strings.Repeat("青", 1<<20/3) }, "",
			func(e *Event) bool {
				return len(e.Text) <= MaxTextBytes && utf8.ValidString(e.Text) && strings.HasSuffix(e.Text, truncMark)
			}},
		{"long names are cut", func(e *Event) { e.Sender.Name = strings.Repeat("名", 200) }, "",
			func(e *Event) bool { return utf8.RuneCountInString(e.Sender.Name) == MaxNameRunes }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := ok
			tt.edit(&ev)
			err := Normalize(&ev, now)
			if tt.wantErr != "" {
				if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want ErrInvalid with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(&ev) {
				t.Fatalf("unexpected event after Normalize: %+v", ev)
			}
		})
	}
}

func FuzzNormalize(f *testing.F) {
	f.Add("1", "2", "3", "张三", "你好 @李四", "")
	f.Add("g", "m", "u", "\xff", "a\x00\u2028b", "\ufeff")
	f.Fuzz(func(t *testing.T, chat, msg, user, name, text, card string) {
		ev := Event{Platform: WeChat, ChatKind: Group, ChatID: chat, MsgID: msg, Sender: User{ID: user, Name: name, Card: card}, Text: text}
		if err := Normalize(&ev, time.Now()); err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error not ErrInvalid: %v", err)
			}
			return
		}
		for _, s := range []string{ev.ChatID, ev.MsgID, ev.Sender.ID, ev.Sender.Name, ev.Sender.Card, ev.Text} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 survived: %q", s)
			}
		}
		if len(ev.Text) > MaxTextBytes || strings.ContainsAny(ev.Text, "\x00\x1b") {
			t.Fatalf("unsafe text survived: %q", ev.Text)
		}
	})
}

// trace records middleware and handler order.
func TestRouterMiddlewareOrderAndCadreOnly(t *testing.T) {
	var mu sync.Mutex
	var trace []string
	note := func(s string) { mu.Lock(); trace = append(trace, s); mu.Unlock() }
	r := NewRouter()
	r.Use(func(next Handler) Handler {
		return func(c *Context) error { note("outer:in"); err := next(c); note("outer:out"); return err }
	})
	r.Handle(Command{Name: "台账", Aliases: []string{"record"}, CadreOnly: true, Handler: func(c *Context) error { note("record"); return nil }})
	out := &memOut{}
	run := func(text string, cadre int64) {
		ev := &Event{Platform: Console, ChatKind: Group, ChatID: "g", MsgID: "1", Sender: User{ID: "u"}, Kind: Text, Text: text}
		if err := r.Serve(NewContext(context.Background(), ev, Stored{SenderCadre: cadre}, out, nil)); err != nil {
			t.Fatal(err)
		}
	}
	run("/RECORD", 7)
	if got, want := strings.Join(trace, " "), "outer:in record outer:out"; got != want {
		t.Fatalf("trace = %q, want %q", got, want)
	}
	run("/台账", 0)
	if len(out.msgs) != 1 || !strings.Contains(out.msgs[0].Text, "只对已绑定的团干部开放") {
		t.Fatalf("a youth using a cadre-only command got %+v", out.msgs)
	}
	run("/台", 0)
	if len(out.msgs) != 2 || !strings.Contains(out.msgs[1].Text, "/台账") {
		t.Fatalf("a mistyped command got %+v, want a hint naming /台账", out.msgs)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a duplicate alias did not panic at registration")
		}
	}()
	r.Handle(Command{Name: "记录", Aliases: []string{"record"}, Handler: func(*Context) error { return nil }})
}

func TestRecoverAndErrors(t *testing.T) {
	out := &memOut{}
	h := Recover()(Errors()(func(c *Context) error { return Say("请写上绑定码") }))
	ev := &Event{ChatKind: Group, Kind: Text}
	if err := h(NewContext(context.Background(), ev, Stored{}, out, nil)); err != nil {
		t.Fatal(err)
	}
	if len(out.msgs) != 1 || out.msgs[0].Text != "请写上绑定码" {
		t.Fatalf("user error shown as %+v", out.msgs)
	}
	boom := Recover()(func(c *Context) error { panic("boom") })
	if err := boom(NewContext(context.Background(), ev, Stored{}, out, nil)); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("panic became %v", err)
	}
}

type memOut struct {
	mu   sync.Mutex
	msgs []Outgoing
}

func (m *memOut) Enqueue(_ context.Context, o Outgoing) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.msgs = append(m.msgs, o)
	return nil
}
