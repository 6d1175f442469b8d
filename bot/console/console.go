// Package console is a terminal chat adapter: a person types messages as any member of a
// simulated group and sees the bot's answers, with no chat account needed.
//
// Lines starting with ":" are console commands (:帮助 lists them): switch the speaker (:as 名字),
// the group (:group 群名), talk privately to the bot (:private), quote a message (^编号 内容).
// "@名字" in a line mentions that member; "@<bot name>" mentions the bot.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"youthlink/bot"
)

// Adapter is the console platform.
type Adapter struct {
	in      io.Reader
	out     io.Writer
	botName string
	// Flush, when set, is called after each line is delivered and waits until the bot has
	// answered, so the answer prints before the next prompt.
	Flush func(ctx context.Context) error
	// Now is the clock for message times.
	Now func() time.Time

	mu      sync.Mutex
	as      string
	group   string
	private bool
	seq     int
	prefix  string
}

// New makes a console adapter speaking as user in group.
func New(in io.Reader, out io.Writer, botName, as, group string) *Adapter {
	return &Adapter{in: in, out: out, botName: botName, as: as, group: group, Now: time.Now,
		prefix: strconv.FormatInt(time.Now().UnixNano(), 36)}
}

// Platform implements bot.Adapter.
func (a *Adapter) Platform() bot.Platform { return bot.Console }

// Help is the list of console commands.
const Help = `控制台命令：
  :as 名字       切换发言人（例如 :as 张三）
  :group 群名    切换所在的群
  :private       切换为与小助手私聊 / 回到群聊
  ^编号 内容     引用编号对应的消息回复（编号见每条消息前的 #）
  @名字          在消息里 @ 某人；@小助手 即 @机器人
  :help 或 :帮助 显示本说明
  :quit 或 :退出 退出`

// Run reads lines until EOF, ":quit" or ctx ends.
func (a *Adapter) Run(ctx context.Context, sink bot.Sink) error {
	sc := bufio.NewScanner(a.in)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	a.prompt()
	for sc.Scan() {
		if ctx.Err() != nil {
			return nil
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			a.prompt()
			continue
		}
		if strings.HasPrefix(line, ":") || strings.HasPrefix(line, "：") {
			if quit := a.command(line); quit {
				return nil
			}
			a.prompt()
			continue
		}
		ev := a.Event(line)
		if err := sink.Deliver(ctx, ev); err != nil {
			fmt.Fprintf(a.out, "（没有收下这条消息：%v）\n", err)
		}
		if a.Flush != nil {
			if err := a.Flush(ctx); err != nil && ctx.Err() == nil {
				fmt.Fprintf(a.out, "（等待回复出错：%v）\n", err)
			}
		}
		a.prompt()
	}
	return sc.Err()
}

func (a *Adapter) prompt() {
	a.mu.Lock()
	where := a.group
	if a.private {
		where = "私聊"
	}
	fmt.Fprintf(a.out, "[%s@%s] > ", a.as, where)
	a.mu.Unlock()
}

// command runs a console command; it reports whether to quit.
func (a *Adapter) command(line string) bool {
	line = strings.TrimLeft(line, ":：")
	name, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	a.mu.Lock()
	defer a.mu.Unlock()
	switch name {
	case "quit", "exit", "q", "退出":
		return true
	case "as", "我是":
		if arg == "" {
			fmt.Fprintln(a.out, "用法：:as 名字")
			return false
		}
		a.as = arg
		fmt.Fprintf(a.out, "现在以「%s」的身份发言。\n", arg)
	case "group", "群":
		if arg == "" {
			fmt.Fprintln(a.out, "用法：:group 群名")
			return false
		}
		a.group, a.private = arg, false
		fmt.Fprintf(a.out, "现在在群「%s」里。\n", arg)
	case "private", "私聊":
		a.private = !a.private
		if a.private {
			fmt.Fprintln(a.out, "现在与小助手私聊。再次输入 :private 回到群聊。")
		} else {
			fmt.Fprintf(a.out, "回到群「%s」。\n", a.group)
		}
	case "help", "帮助", "h":
		fmt.Fprintln(a.out, Help)
	default:
		fmt.Fprintf(a.out, "没有「:%s」这个控制台命令。输入 :help 查看。\n", name)
	}
	return false
}

// Event turns a typed line into an event from the current speaker, numbering it.
func (a *Adapter) Event(line string) bot.Event {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seq++
	ev := bot.Event{
		Platform: bot.Console, Account: "console", ChatKind: bot.Group, ChatID: a.group, ChatName: a.group,
		MsgID: a.prefix + "-" + strconv.Itoa(a.seq), Sender: bot.User{ID: a.as, Name: a.as}, Kind: bot.Text, Time: a.Now(),
	}
	if a.private {
		ev.ChatKind, ev.ChatID, ev.ChatName = bot.Private, a.as, ""
	}
	if strings.HasPrefix(line, "^") {
		num, rest, _ := strings.Cut(line[1:], " ")
		if n, err := strconv.Atoi(num); err == nil && n > 0 {
			ev.ReplyTo = a.prefix + "-" + strconv.Itoa(n)
			line = strings.TrimSpace(rest)
		}
	}
	var words []string
	for _, w := range strings.Fields(line) {
		if strings.HasPrefix(w, "@") && len(w) > 1 {
			who := strings.TrimPrefix(w, "@")
			if who == a.botName {
				ev.AtBot = true
				continue
			}
			if who == "所有人" || who == "all" {
				ev.AtAll = true
			} else {
				ev.Mentions = append(ev.Mentions, bot.User{ID: who, Name: who})
			}
		}
		words = append(words, w)
	}
	ev.Text = strings.Join(words, " ")
	fmt.Fprintf(a.out, "  #%d %s：%s\n", a.seq, a.as, line)
	return ev
}

// Send implements bot.Adapter: it prints the bot's message.
func (a *Adapter) Send(_ context.Context, m bot.Outgoing) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	to := m.Chat.ID
	if m.Chat.Kind == bot.Private {
		to = "私聊 " + to
	}
	var at string
	for _, u := range m.Mention {
		at += "@" + u.Display() + " "
	}
	text := strings.ReplaceAll(m.Text, "\n", "\n    ")
	fmt.Fprintf(a.out, "  %s → %s：%s%s\n", a.botName, to, at, text)
	return "", nil
}
