package wechat

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"youthlink/bot"
)

func TestParse(t *testing.T) {
	bots := []string{"小助手", "青年助手"}
	tests := []struct {
		name string
		in   content
		want parsed
	}{
		{"plain", content{MsgType: typeText, Text: "大家好"}, parsed{Kind: bot.Text, Text: "大家好"}},
		{"at bot prefix", content{MsgType: typeText, Text: "@小助手\u2005今天开会吗", BotNames: bots},
			parsed{Kind: bot.Text, Text: "今天开会吗", AtBot: true}},
		{"at bot by nickname at end", content{MsgType: typeText, Text: "问个事 @青年助手", BotNames: bots},
			parsed{Kind: bot.Text, Text: "问个事", AtBot: true}},
		{"at other and bot", content{MsgType: typeText, Text: "@张三\u2005@小助手\u2005帮我查", BotNames: bots},
			parsed{Kind: bot.Text, Text: "@张三\u2005帮我查", AtBot: true, Mentions: []string{"张三"}}},
		{"at all", content{MsgType: typeText, Text: "@所有人\u2005明天开会", BotNames: bots},
			parsed{Kind: bot.Text, Text: "@所有人\u2005明天开会", AtAll: true}},
		{"email is no mention", content{MsgType: typeText, Text: "发到 a@b.com", BotNames: bots},
			parsed{Kind: bot.Text, Text: "发到 a@b.com"}},
		{"image", content{MsgType: typeImage}, parsed{Kind: bot.Image, Text: "[图片]"}},
		{"sticker", content{MsgType: typeSticker}, parsed{Kind: bot.Sticker, Text: "[表情]"}},
		{"voice", content{MsgType: typeVoice}, parsed{Kind: bot.Voice, Text: "[语音]"}},
		{"video", content{MsgType: typeVideo}, parsed{Kind: bot.Video, Text: "[视频]"}},
		{"file", content{MsgType: typeApp, Text: `<msg><appmsg><title>报名表.xlsx</title><type>6</type></appmsg></msg>`},
			parsed{Kind: bot.File, Text: "[文件] 报名表.xlsx"}},
		{"quote", content{MsgType: typeApp, BotNames: bots, Text: `<msg><appmsg><title>@小助手` + "\u2005" + `这个呢</title><type>57</type><refermsg><type>1</type><svrid>1234567890123</svrid><displayname>张三</displayname><content>原话</content></refermsg></appmsg></msg>`},
			parsed{Kind: bot.Text, Text: "这个呢", AtBot: true, ReplyTo: "1234567890123"}},
		{"quote with bad svrid", content{MsgType: typeApp, Text: `<msg><appmsg><title>嗯</title><type>57</type><refermsg><svrid>x1</svrid></refermsg></appmsg></msg>`},
			parsed{Kind: bot.Text, Text: "嗯"}},
		{"broken app xml", content{MsgType: typeApp, Text: `<msg><appmsg>`}, parsed{Kind: bot.Text, Text: "[应用消息]"}},
		{"join by qr", content{MsgType: typeSys, Text: `"张三"通过扫描二维码加入群聊`},
			parsed{Kind: bot.System, Notice: bot.NoticeJoin, Text: `"张三"通过扫描二维码加入群聊`, Names: []string{"张三"}}},
		{"join by shared qr", content{MsgType: typeSys, Text: `"张三"通过扫描"李四"分享的二维码加入群聊`},
			parsed{Kind: bot.System, Notice: bot.NoticeJoin, Text: `"张三"通过扫描"李四"分享的二维码加入群聊`, Names: []string{"张三"}}},
		{"invite two", content{MsgType: typeSys, Text: `"李四"邀请"张三、王五"加入了群聊`},
			parsed{Kind: bot.System, Notice: bot.NoticeJoin, Text: `"李四"邀请"张三、王五"加入了群聊`, Names: []string{"张三", "王五"}}},
		{"you invited", content{MsgType: typeSys, Text: `你邀请"赵六"加入了群聊`},
			parsed{Kind: bot.System, Notice: bot.NoticeJoin, Text: `你邀请"赵六"加入了群聊`, Names: []string{"赵六"}}},
		{"rename", content{MsgType: typeSys, Text: `"李四"修改群名为“青年之家2群”`},
			parsed{Kind: bot.System, Notice: bot.NoticeRename, Text: `"李四"修改群名为“青年之家2群”`, Names: []string{"李四"}, NewName: "青年之家2群"}},
		{"removed", content{MsgType: typeSys, Text: `你将"王五"移出了群聊`},
			parsed{Kind: bot.System, Notice: bot.NoticeLeave, Text: `你将"王五"移出了群聊`, Names: []string{"王五"}}},
		{"other notice", content{MsgType: typeSys, Text: `"张三" 拍了拍我`}, parsed{Kind: bot.System, Text: `"张三" 拍了拍我`}},
		{"recall", content{MsgType: typeRecall, Text: `<sysmsg type="revokemsg"><revokemsg><session>@@g</session><oldmsgid>111</oldmsgid><msgid>7000000000000000002</msgid><replacemsg><![CDATA["张三" 撤回了一条消息]]></replacemsg></revokemsg></sysmsg>`},
			parsed{Kind: bot.System, Notice: bot.NoticeRecall, Target: "7000000000000000002", Text: `"张三" 撤回了一条消息`}},
		{"recall old id only", content{MsgType: typeRecall, Text: `<sysmsg><revokemsg><oldmsgid>111</oldmsgid></revokemsg></sysmsg>`},
			parsed{Kind: bot.System, Notice: bot.NoticeRecall, Target: "111"}},
		{"recall garbage", content{MsgType: typeRecall, Text: `<sysmsg>`}, parsed{Drop: true}},
		{"status notify", content{MsgType: 51}, parsed{Drop: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parse(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("parse(%+v)\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want []string
	}{
		{"short", "你好", 5, []string{"你好"}},
		{"exact", "一二三", 3, []string{"一二三"}},
		{"runes", "一二三四五六七", 3, []string{"一二三", "四五六", "七"}},
		{"prefers newline late in piece", "ab\ncdefgh\nij", 8, []string{"ab\ncdefg", "h\nij"}},
		{"newline near end", "abcdefg\nhij", 8, []string{"abcdefg\n", "hij"}},
		{"no limit", "abc", 0, []string{"abc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := split(tt.in, tt.max); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("split(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	seeds := []struct {
		typ  int
		text string
	}{
		{typeText, "@小助手\u2005今天开会吗"},
		{typeText, "@张三\u2005@所有人\u2005@"},
		{typeApp, `<msg><appmsg><title>嗯</title><type>57</type><refermsg><svrid>123</svrid></refermsg></appmsg></msg>`},
		{typeSys, `"李四"邀请"张三、王五"加入了群聊`},
		{typeSys, `"李四"修改群名为“青年之家”`},
		{typeRecall, `<sysmsg><revokemsg><msgid>1</msgid></revokemsg></sysmsg>`},
	}
	for _, s := range seeds {
		f.Add(s.typ, s.text)
	}
	f.Fuzz(func(t *testing.T, typ int, text string) {
		p := parse(content{MsgType: typ, Text: text, BotNames: []string{"小助手"}})
		if p.Drop {
			return
		}
		if p.Kind == "" {
			t.Fatalf("no kind for type %d %q", typ, text)
		}
		if p.ReplyTo != "" && !isDecimal(p.ReplyTo) || p.Target != "" && !isDecimal(p.Target) {
			t.Fatalf("non-numeric id: %+v", p)
		}
		if p.AtBot && strings.Contains(p.Text, "@小助手"+atSep) {
			t.Fatalf("bot mention left in %q", p.Text)
		}
		if utf8.ValidString(text) && !utf8.ValidString(p.Text) {
			t.Fatalf("invalid UTF-8 out of valid input: %q", p.Text)
		}
		if p.Notice == bot.NoticeRename && p.NewName == "" && !strings.Contains(text, "“”") && !strings.Contains(text, `""`) {
			t.Fatalf("rename without a name: %q", text)
		}
	})
}

func FuzzSplit(f *testing.F) {
	f.Add("团员青年联系台账\n😀abc", 3)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max <= 0 || max > 1000 || !utf8.ValidString(s) {
			return
		}
		parts := split(s, max)
		if strings.Join(parts, "") != s {
			t.Fatalf("pieces %q do not join to %q", parts, s)
		}
		for _, p := range parts {
			if utf8.RuneCountInString(p) > max || !utf8.ValidString(p) || (p == "" && s != "") {
				t.Fatalf("bad piece %q of %q (max %d)", p, s, max)
			}
		}
	})
}
