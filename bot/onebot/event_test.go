package onebot

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"youthlink/bot"
)

func testDecoder() *decoder {
	r := newRoster()
	r.replace("10001", "555", "青年之家1群", []Member{
		{User: bot.User{ID: "777", Name: "张三", Card: "三哥"}},
		{User: bot.User{ID: "888", Name: "李四"}},
	})
	return &decoder{roster: r, maxText: 64 << 10, now: func() time.Time { return time.Unix(1, 0) }}
}

func decodeOne(t *testing.T, d *decoder, frame string) (bot.Event, error) {
	t.Helper()
	f, err := decodeFrame([]byte(frame))
	if err != nil {
		return bot.Event{}, err
	}
	ev, _, err := d.event(f)
	return ev, err
}

const groupHead = `{"time":1718000000,"self_id":10001,"post_type":"message","message_type":"group","sub_type":"normal","message_id":123,"group_id":555,"user_id":777,"sender":{"user_id":777,"nickname":"张三","card":"三哥","role":"member"},"message":`

// TestCQAndArraySameEvent checks that each message decodes to the same Event in both forms.
func TestCQAndArraySameEvent(t *testing.T) {
	for _, tc := range []struct {
		name, array, cq string
		check           func(bot.Event) string
	}{
		{"at bot and reply",
			`[{"type":"reply","data":{"id":"120"}},{"type":"at","data":{"qq":10001}},{"type":"text","data":{"text":" 今天开会吗"}}]`,
			`[CQ:reply,id=120][CQ:at,qq=10001] 今天开会吗`,
			func(e bot.Event) string {
				if !e.AtBot || e.ReplyTo != "120" || e.Text != "今天开会吗" || e.Mentions != nil {
					return "want AtBot, ReplyTo 120, text 今天开会吗, no mentions"
				}
				return ""
			}},
		{"at others and all",
			`[{"type":"at","data":{"qq":"888"}},{"type":"text","data":{"text":" 和 "}},{"type":"at","data":{"qq":"999","name":"@王五"}},{"type":"at","data":{"qq":"all"}},{"type":"text","data":{"text":"[通知]&"}}]`,
			`[CQ:at,qq=888] 和 [CQ:at,qq=999,name=@王五][CQ:at,qq=all]&#91;通知&#93;&amp;`,
			func(e bot.Event) string {
				want := []bot.User{{ID: "888", Name: "李四"}, {ID: "999", Name: "王五"}}
				if !e.AtAll || e.AtBot || !reflect.DeepEqual(e.Mentions, want) || e.Text != "@李四 和 @王五@全体成员[通知]&" {
					return "want AtAll, mentions 李四 王五, text @李四 和 @王五@全体成员[通知]&"
				}
				return ""
			}},
		{"image only",
			`[{"type":"image","data":{"file":"abc.image","url":"https://x/y?a=1&b=2"}}]`,
			`[CQ:image,file=abc.image,url=https://x/y?a=1&amp;b=2]`,
			func(e bot.Event) string {
				if e.Kind != bot.Image || e.Text != "[图片]" {
					return "want Kind image, text [图片]"
				}
				return ""
			}},
		{"text and face",
			`[{"type":"text","data":{"text":"好的"}},{"type":"face","data":{"id":"178"}}]`,
			`好的[CQ:face,id=178]`,
			func(e bot.Event) string {
				if e.Kind != bot.Text || e.Text != "好的[表情]" {
					return "want Kind text, text 好的[表情]"
				}
				return ""
			}},
		{"unknown segments ignored",
			`[{"type":"text","data":{"text":"hi"}},{"type":"newthing","data":{"x":"1"}}]`,
			`hi[CQ:newthing,x=1]`,
			func(e bot.Event) string {
				if e.Text != "hi" {
					return "want text hi"
				}
				return ""
			}},
	} {
		d := testDecoder()
		arr, err := decodeOne(t, d, groupHead+tc.array+"}")
		if err != nil {
			t.Fatalf("%s: array: %v", tc.name, err)
		}
		cq, err := decodeOne(t, d, groupHead+`"`+strings.ReplaceAll(tc.cq, `"`, `\"`)+`"}`)
		if err != nil {
			t.Fatalf("%s: cq: %v", tc.name, err)
		}
		if !reflect.DeepEqual(arr, cq) {
			t.Fatalf("%s: forms differ:\narray %+v\n   cq %+v", tc.name, arr, cq)
		}
		if msg := tc.check(arr); msg != "" {
			t.Fatalf("%s: %s; got %+v", tc.name, msg, arr)
		}
		if arr.ChatID != "555" || arr.MsgID != "123" || arr.ChatName != "青年之家1群" || !arr.Time.Equal(time.Unix(1718000000, 0)) {
			t.Fatalf("%s: header fields wrong: %+v", tc.name, arr)
		}
	}
}

func TestDecodeEvents(t *testing.T) {
	for _, tc := range []struct {
		name, frame string
		want        bot.Event
		err         error // errIgnored, or non-nil for any error
	}{
		{"private",
			`{"time":1718000001,"self_id":"10001","post_type":"message","message_type":"private","sub_type":"friend","message_id":"9","user_id":777,"message":"在吗","sender":{"user_id":777,"nickname":"张三"}}`,
			bot.Event{Platform: bot.QQ, Account: "10001", ChatKind: bot.Private, ChatID: "777", MsgID: "9", Sender: bot.User{ID: "777", Name: "张三"}, Kind: bot.Text, Text: "在吗", Time: time.Unix(1718000001, 0)}, nil},
		{"message_sent by the bot",
			`{"time":1718000002,"self_id":10001,"post_type":"message_sent","message_type":"private","message_id":10,"user_id":10001,"target_id":777,"message":[{"type":"text","data":{"text":"你好"}}],"sender":{"user_id":10001,"nickname":"青联小助手"}}`,
			bot.Event{Platform: bot.QQ, Account: "10001", ChatKind: bot.Private, ChatID: "777", MsgID: "10", Sender: bot.User{ID: "10001", Name: "青联小助手"}, Self: true, Kind: bot.Text, Text: "你好", Time: time.Unix(1718000002, 0)}, nil},
		{"join",
			`{"time":1718000003,"self_id":10001,"post_type":"notice","notice_type":"group_increase","sub_type":"approve","group_id":555,"operator_id":888,"user_id":777}`,
			bot.Event{Platform: bot.QQ, Account: "10001", ChatKind: bot.Group, ChatID: "555", ChatName: "青年之家1群", MsgID: "join:777:1718000003", Sender: bot.User{ID: "777", Name: "张三", Card: "三哥"}, Kind: bot.System, Notice: bot.NoticeJoin, Text: "加入了群聊", Time: time.Unix(1718000003, 0)}, nil},
		{"leave",
			`{"time":1718000004,"self_id":10001,"post_type":"notice","notice_type":"group_decrease","sub_type":"leave","group_id":555,"operator_id":0,"user_id":888}`,
			bot.Event{Platform: bot.QQ, Account: "10001", ChatKind: bot.Group, ChatID: "555", ChatName: "青年之家1群", MsgID: "leave:888:1718000004", Sender: bot.User{ID: "888", Name: "李四"}, Kind: bot.System, Notice: bot.NoticeLeave, Text: "离开了群聊", Time: time.Unix(1718000004, 0)}, nil},
		{"group recall",
			`{"time":1718000005,"self_id":10001,"post_type":"notice","notice_type":"group_recall","group_id":555,"user_id":777,"operator_id":777,"message_id":123}`,
			bot.Event{Platform: bot.QQ, Account: "10001", ChatKind: bot.Group, ChatID: "555", ChatName: "青年之家1群", MsgID: "recall:123", Sender: bot.User{ID: "777", Name: "张三", Card: "三哥"}, Kind: bot.System, Notice: bot.NoticeRecall, Target: "123", Text: "撤回了一条消息", Time: time.Unix(1718000005, 0)}, nil},
		{"friend recall",
			`{"time":1718000006,"self_id":10001,"post_type":"notice","notice_type":"friend_recall","user_id":777,"message_id":9}`,
			bot.Event{Platform: bot.QQ, Account: "10001", ChatKind: bot.Private, ChatID: "777", MsgID: "recall:9", Sender: bot.User{ID: "777"}, Kind: bot.System, Notice: bot.NoticeRecall, Target: "9", Text: "撤回了一条消息", Time: time.Unix(1718000006, 0)}, nil},
		{"heartbeat", `{"time":1718000007,"self_id":10001,"post_type":"meta_event","meta_event_type":"heartbeat","status":{"online":true,"good":true},"interval":15000}`, bot.Event{}, errIgnored},
		{"lifecycle", `{"time":1718000007,"self_id":10001,"post_type":"meta_event","meta_event_type":"lifecycle","sub_type":"connect"}`, bot.Event{}, errIgnored},
		{"friend request", `{"time":1718000007,"self_id":10001,"post_type":"request","request_type":"friend","user_id":1,"comment":"hi","flag":"f"}`, bot.Event{}, errIgnored},
		{"poke notice", `{"time":1718000007,"self_id":10001,"post_type":"notice","notice_type":"notify","sub_type":"poke","group_id":555,"user_id":777,"target_id":10001}`, bot.Event{}, errIgnored},
		{"unknown post_type", `{"time":1,"self_id":10001,"post_type":"telepathy"}`, bot.Event{}, errors.New("any")},
		{"no message_id", `{"time":1,"self_id":10001,"post_type":"message","message_type":"group","group_id":555,"user_id":777,"message":"x"}`, bot.Event{}, errors.New("any")},
		{"no self_id", `{"time":1,"post_type":"message","message_type":"group","message_id":1,"group_id":555,"user_id":777,"message":"x"}`, bot.Event{}, errors.New("any")},
		{"fractional id", `{"time":1,"self_id":10001.5,"post_type":"message"}`, bot.Event{}, errors.New("any")},
		{"bad message", `{"time":1,"self_id":10001,"post_type":"message","message_type":"group","message_id":1,"group_id":555,"user_id":777,"message":{"a":1}}`, bot.Event{}, errors.New("any")},
	} {
		got, err := decodeOne(t, testDecoder(), tc.frame)
		switch {
		case tc.err == errIgnored:
			if !errors.Is(err, errIgnored) {
				t.Errorf("%s: err %v, want ignored", tc.name, err)
			}
		case tc.err != nil:
			if err == nil || errors.Is(err, errIgnored) {
				t.Errorf("%s: err %v, want a decoding error", tc.name, err)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case !reflect.DeepEqual(got, tc.want):
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
}

func TestDecodeLearnsNames(t *testing.T) {
	d := testDecoder()
	if _, err := decodeOne(t, d, `{"time":1,"self_id":10001,"post_type":"message","message_type":"group","message_id":1,"group_id":555,"user_id":999,"message":"hi","sender":{"user_id":999,"nickname":"王五","card":"小王"}}`); err != nil {
		t.Fatal(err)
	}
	ev, err := decodeOne(t, d, groupHead+`"[CQ:at,qq=999] 你好"}`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ev.Mentions, []bot.User{{ID: "999", Name: "王五", Card: "小王"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("mentions %+v, want %+v (names learned from an earlier message)", got, want)
	}
	if got, want := ev.Text, "@小王 你好"; got != want {
		t.Fatalf("text %q, want %q", got, want)
	}
}

func FuzzDecodeEvent(f *testing.F) {
	for _, s := range []string{
		groupHead + `"[CQ:reply,id=120][CQ:at,qq=10001] 今天开会吗"}`,
		groupHead + `[{"type":"at","data":{"qq":888}},{"type":"image","data":{"file":"a"}}]}`,
		`{"time":1,"self_id":10001,"post_type":"notice","notice_type":"group_recall","group_id":555,"user_id":777,"message_id":123}`,
		`{"time":1,"self_id":10001,"post_type":"meta_event","meta_event_type":"heartbeat"}`,
		`{"status":"ok","retcode":0,"data":{"message_id":1},"echo":"yl-1"}`,
		`{"self_id":"1e3","message_id":1e2}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := decodeFrame(data)
		if err != nil {
			return
		}
		d := testDecoder()
		d.maxText = 100
		ev, _, err := d.event(fr)
		if err != nil {
			return
		}
		if ev.Platform != bot.QQ || ev.Account == "" || ev.ChatID == "" || ev.MsgID == "" || ev.Sender.ID == "" {
			t.Fatalf("delivered event lacks identity fields: %+v", ev)
		}
		if ev.Kind == bot.System && ev.Notice == bot.NoticeNone {
			t.Fatalf("system event without notice: %+v", ev)
		}
		if len(ev.Text) > d.maxText+len("…") {
			t.Fatalf("text of %d bytes over the %d limit", len(ev.Text), d.maxText)
		}
		if ev.Sender.ID == ev.Account && !ev.Self {
			t.Fatalf("bot's own message not marked Self: %+v", ev)
		}
	})
}
