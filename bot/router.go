package bot

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"time"
)

// Handler handles one event.
type Handler func(*Context) error

// Middleware wraps a handler: recover, timeout, access checks, tracing.
type Middleware func(Handler) Handler

// Command is one chat command with its help.
type Command struct {
	Name      string   // Chinese name, e.g. "台账"
	Aliases   []string // English or short aliases, e.g. "record"
	Usage     string   // e.g. "/见面 @青年 备注"
	Help      string   // one line of help
	CadreOnly bool     // only bound cadres may use it
	Handler   Handler
}

// UserError is an error whose message is meant for the chat, in plain Chinese.
type UserError struct{ Msg string }

func (e *UserError) Error() string { return e.Msg }

// Say returns an error whose text the chat sees as it is.
func Say(format string, a ...any) error { return &UserError{Msg: fmt.Sprintf(format, a...)} }

// Router sends each event to its command, or to the message handlers when it is not a command.
type Router struct {
	cmds      map[string]*Command
	list      []*Command
	onMessage []Handler
	mw        []Middleware
	// NotCadre is said to someone who is not a bound cadre using a cadre-only command.
	NotCadre string
}

// NewRouter returns an empty router.
func NewRouter() *Router {
	return &Router{
		cmds:     map[string]*Command{},
		NotCadre: "抱歉，这个命令只对已绑定的团干部开放。团干部请先发送「/绑定 绑定码」。",
	}
}

// Use adds middleware around every handler, outermost first.
func (r *Router) Use(mw ...Middleware) { r.mw = append(r.mw, mw...) }

// Handle registers a command. A duplicate name or alias is a programming error and panics at
// start-up, never at run time.
func (r *Router) Handle(c Command) {
	if c.Name == "" || c.Handler == nil {
		panic("bot: command needs a name and a handler")
	}
	cmd := c
	for _, n := range append([]string{c.Name}, c.Aliases...) {
		n = strings.ToLower(n)
		if _, dup := r.cmds[n]; dup {
			panic("bot: duplicate command " + n)
		}
		r.cmds[n] = &cmd
	}
	r.list = append(r.list, &cmd)
}

// OnMessage registers a handler for events that are not commands (each runs in order).
func (r *Router) OnMessage(h Handler) { r.onMessage = append(r.onMessage, h) }

// Commands lists the registered commands in registration order, for help text.
func (r *Router) Commands() []Command {
	out := make([]Command, len(r.list))
	for i, c := range r.list {
		out[i] = *c
	}
	return out
}

// Lookup finds a command by name or alias.
func (r *Router) Lookup(name string) (Command, bool) {
	c, ok := r.cmds[strings.ToLower(name)]
	if !ok {
		return Command{}, false
	}
	return *c, true
}

// Serve routes one event through the middleware to its handler.
func (r *Router) Serve(c *Context) error {
	h := r.route(c)
	for i := len(r.mw) - 1; i >= 0; i-- {
		h = r.mw[i](h)
	}
	return h(c)
}

func (r *Router) route(c *Context) Handler {
	if c.Event.Kind == Text {
		if name, args, ok := ParseCommand(c.Event.Text); ok {
			c.Command, c.Args = name, args
			cmd, found := r.cmds[name]
			if !found {
				return func(c *Context) error {
					return c.Reply(fmt.Sprintf("没有「/%s」这个命令。发送 /帮助 查看可用命令%s。", name, r.suggest(name)))
				}
			}
			if cmd.CadreOnly {
				return func(c *Context) error {
					if c.Stored.SenderCadre == 0 {
						return c.Reply(r.NotCadre)
					}
					return cmd.Handler(c)
				}
			}
			return cmd.Handler
		}
	}
	return func(c *Context) error {
		for _, h := range r.onMessage {
			if err := h(c); err != nil {
				return err
			}
		}
		return nil
	}
}

// suggest names close commands for a mistyped one.
func (r *Router) suggest(name string) string {
	var near []string
	for n := range r.cmds {
		if strings.HasPrefix(n, name) || strings.HasPrefix(name, n) {
			near = append(near, "/"+n)
		}
	}
	if len(near) == 0 {
		return ""
	}
	sort.Strings(near)
	if len(near) > 3 {
		near = near[:3]
	}
	return "，你是不是想用 " + strings.Join(near, " ")
}

// Recover turns a panic in a handler into an error, so one bad message never stops the bot.
func Recover() Middleware {
	return func(next Handler) Handler {
		return func(c *Context) (err error) {
			defer func() {
				if p := recover(); p != nil {
					c.Log.Error("handler panic", "panic", p, "stack", string(debug.Stack()))
					err = fmt.Errorf("handler panic: %v", p)
				}
			}()
			return next(c)
		}
	}
}

// Timeout gives each handler a deadline.
func Timeout(d time.Duration) Middleware {
	return func(next Handler) Handler {
		return func(c *Context) error {
			ctx, cancel := context.WithTimeout(c.Context, d)
			defer cancel()
			inner := *c
			inner.Context = ctx
			return next(&inner)
		}
	}
}

// Errors answers the chat for a handler error: a UserError's text as it is, anything else as a
// short apology, while the log gets the full error.
func Errors() Middleware {
	return func(next Handler) Handler {
		return func(c *Context) error {
			err := next(c)
			if err == nil {
				return nil
			}
			var ue *UserError
			if errors.As(err, &ue) {
				return c.Reply(ue.Msg)
			}
			c.Log.Error("handler failed", "command", c.Command, "err", err)
			if c.Command != "" {
				if rerr := c.Reply("抱歉，处理这条命令时出错了，请稍后再试；如果一直不行，请联系管理员。"); rerr != nil {
					c.Log.Error("reply failed", "err", rerr)
				}
			}
			return nil
		}
	}
}
