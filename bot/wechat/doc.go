// Package wechat connects YouthLink to personal WeChat through the web (UOS desktop) protocol,
// using github.com/eatmoreapple/openwechat.
//
// The adapter logs in (hot login from a 0600 file in the data dir, then push login, then a QR code
// drawn in the terminal), translates WeChat messages into bot.Events and hands them to a bot.Sink,
// and sends bot.Outgoing texts, split on rune boundaries.
//
// Identities. WeChat UserNames (@…, @@…) change at every login, so they are never stored. Groups
// are keyed by name and follow renames seen while logged in; members are keyed by nickname, group
// card and avatar id through a Directory. When a member cannot be matched with certainty a new
// identity is made: two identities for one person can be merged by a cadre (Directory.Merge), two
// people under one identity could not be told apart again.
//
// Replay rule. Hot login makes WeChat deliver old messages again. The adapter delivers a message
// only if (1) its NewMsgId was not delivered before by this adapter (a bounded in-memory set) and
// (2) it was created no earlier than the second in which this adapter first tried to log in
// (Config.ReplayGrace widens that window). Messages sent while YouthLink was down are therefore
// dropped, not answered late; chat-export import fills such gaps. The engine also dedupes by
// platform, chat and message id.
//
// Threading. openwechat calls the message handler on its polling goroutine; the adapter only
// translates there (which may look a group's members up over HTTP, as openwechat itself does) and
// calls Sink.Deliver, which must not block.
package wechat
