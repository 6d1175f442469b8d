package wechat

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeWeChat speaks the WeChat web protocol openwechat uses (PROTOCOLS.md §A), on loopback.
// UserNames change at every new login, as on the real server.
type fakeWeChat struct {
	srv  *httptest.Server
	idle time.Duration // how long an idle synccheck blocks
	now  func() time.Time

	mu       sync.Mutex
	session  int             // number of logins so far; part of every UserName
	sids     map[string]bool // valid wxsid values
	polls    map[string]int  // login polls per uuid
	uuids    int
	qrLogins int
	pushes   int
	queue    []fakeMsg
	log      []fakeMsg // delivered, for replays
	members  []fakeMember
	sent     []fakeSent
	sendRet  []int // Ret for the next sends, consumed in order (0: ok)
	nextID   int64
	wake     chan struct{}
}

type fakeMember struct{ id, nick, card, seq string }

type fakeMsg struct {
	NewMsgID   int64
	Type       int
	AppMsgType int
	Group      bool   // sent in the group, else privately
	From       string // member id; "" for a system notice
	Content    string // as the member wrote it (unescaped)
	CreateTime int64
}

type fakeSent struct{ To, Content string }

const fakeGroup = "青年之家"

func newFakeWeChat(t testing.TB, now func() time.Time) *fakeWeChat {
	f := &fakeWeChat{
		idle: 80 * time.Millisecond, now: now,
		sids: map[string]bool{}, polls: map[string]int{},
		nextID: 7000000000000000001,
		wake:   make(chan struct{}, 1),
		members: []fakeMember{
			{"bot", "青年助手", "", "100"},
			{"zs", "张三", "三哥", "101"},
			{"ls", "李四", "", "102"},
		},
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// transport rewrites every request to the fake, keeping the real host in X-Orig-Host.
func (f *fakeWeChat) transport() http.RoundTripper {
	target, _ := url.Parse(f.srv.URL)
	return rewrite{target}
}

type rewrite struct{ target *url.URL }

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	c := req.Clone(req.Context())
	c.Header.Set("X-Orig-Host", req.URL.Host)
	c.URL.Scheme, c.URL.Host, c.Host = r.target.Scheme, r.target.Host, r.target.Host
	return http.DefaultTransport.RoundTrip(c)
}

func (f *fakeWeChat) userName(id string) string {
	if id == "bot" {
		return fmt.Sprintf("@self%d", f.session)
	}
	return fmt.Sprintf("@m%s%d", id, f.session)
}

func (f *fakeWeChat) groupUserName() string { return fmt.Sprintf("@@group%d", f.session) }

func (f *fakeWeChat) member(id string) fakeMember {
	for _, m := range f.members {
		if m.id == id {
			return m
		}
	}
	panic("no member " + id)
}

func (f *fakeWeChat) user(m fakeMember) map[string]any {
	return map[string]any{
		"UserName": f.userName(m.id), "NickName": m.nick, "DisplayName": m.card,
		"HeadImgUrl": "/cgi-bin/mmwebwx-bin/webwxgeticon?seq=" + m.seq + "&username=" + f.userName(m.id),
	}
}

// push queues a message and returns its NewMsgId.
func (f *fakeWeChat) push(m fakeMsg) int64 {
	f.mu.Lock()
	f.nextID++
	m.NewMsgID = f.nextID
	if m.CreateTime == 0 {
		m.CreateTime = f.now().Unix()
	}
	f.queue = append(f.queue, m)
	f.mu.Unlock()
	f.poke()
	return m.NewMsgID
}

// replay queues every message delivered so far again, as WeChat does after a hot login.
func (f *fakeWeChat) replay() {
	f.mu.Lock()
	f.queue = append(f.queue, f.log...)
	f.mu.Unlock()
	f.poke()
}

func (f *fakeWeChat) poke() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// expire logs every session out: synccheck and webwxinit answer 1101 from now on.
func (f *fakeWeChat) expire() {
	f.mu.Lock()
	f.sids = map[string]bool{}
	f.mu.Unlock()
	f.poke()
}

func (f *fakeWeChat) addMember(m fakeMember) {
	f.mu.Lock()
	f.members = append(f.members, m)
	f.mu.Unlock()
}

func (f *fakeWeChat) sentMessages() []fakeSent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeSent(nil), f.sent...)
}

func (f *fakeWeChat) counts() (qr, push int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.qrLogins, f.pushes
}

func (f *fakeWeChat) serve(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasSuffix(p, "/jslogin"):
		f.mu.Lock()
		f.uuids++
		uuid := fmt.Sprintf("uuid%d==", f.uuids)
		f.mu.Unlock()
		fmt.Fprintf(w, `window.QRLogin.code = 200; window.QRLogin.uuid = "%s";`, uuid)
	case strings.HasSuffix(p, "/mmwebwx-bin/login"):
		f.login(w, r)
	case strings.HasSuffix(p, "/webwxnewloginpage"):
		f.mu.Lock()
		f.session++
		sid := fmt.Sprintf("sid%d", f.session)
		f.sids[sid] = true
		f.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: "wxuin", Value: "123456", Path: "/"})
		http.SetCookie(w, &http.Cookie{Name: "webwx_data_ticket", Value: "ticket", Path: "/"})
		fmt.Fprintf(w, `<error><ret>0</ret><message></message><skey>@crypt_sk</skey><wxsid>%s</wxsid><wxuin>123456</wxuin><pass_ticket>pt</pass_ticket><isgrayscale>1</isgrayscale></error>`, sid)
	case strings.HasSuffix(p, "/webwxinit"):
		f.webInit(w, r)
	case strings.HasSuffix(p, "/webwxstatusnotify"):
		fmt.Fprint(w, `{"BaseResponse":{"Ret":0,"ErrMsg":""},"MsgID":"1"}`)
	case strings.HasSuffix(p, "/synccheck"):
		f.syncCheck(w, r)
	case strings.HasSuffix(p, "/webwxsync"):
		f.sync(w)
	case strings.HasSuffix(p, "/webwxgetcontact"):
		f.mu.Lock()
		list := []any{map[string]any{"UserName": f.groupUserName(), "NickName": fakeGroup, "MemberList": []any{}}}
		f.mu.Unlock()
		writeJSON(w, map[string]any{"BaseResponse": map[string]any{"Ret": 0}, "MemberCount": len(list), "MemberList": list, "Seq": 0})
	case strings.HasSuffix(p, "/webwxbatchgetcontact"):
		f.batchGetContact(w, r)
	case strings.HasSuffix(p, "/webwxsendmsg"):
		f.sendMsg(w, r)
	case strings.HasSuffix(p, "/webwxpushloginurl"):
		f.mu.Lock()
		f.pushes++
		f.uuids++
		uuid := fmt.Sprintf("push%d==", f.uuids)
		f.mu.Unlock()
		writeJSON(w, map[string]string{"ret": "0", "msg": "all ok", "uuid": uuid})
	default:
		http.NotFound(w, r)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// login answers the login poll: 408 then 201 then 200 for a QR uuid; 200 at once for a push uuid.
func (f *fakeWeChat) login(w http.ResponseWriter, r *http.Request) {
	uuid := r.URL.Query().Get("uuid")
	f.mu.Lock()
	n := f.polls[uuid]
	f.polls[uuid]++
	push := strings.HasPrefix(uuid, "push")
	if !push && n == 2 {
		f.qrLogins++
	}
	f.mu.Unlock()
	switch {
	case push || n >= 2:
		fmt.Fprintf(w, `window.code=200;
window.redirect_uri="https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=tk&uuid=%s&lang=zh_CN&scan=1&fun=new";`, url.QueryEscape(uuid))
	case n == 1:
		fmt.Fprint(w, `window.code=201;window.userAvatar = 'data:img/jpg;base64,';`)
	default:
		fmt.Fprint(w, `window.code=408;`)
	}
}

func (f *fakeWeChat) webInit(w http.ResponseWriter, r *http.Request) {
	var req struct{ BaseRequest struct{ Sid string } }
	_ = json.NewDecoder(r.Body).Decode(&req)
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.sids[req.BaseRequest.Sid] {
		writeJSON(w, map[string]any{"BaseResponse": map[string]any{"Ret": 1101, "ErrMsg": ""}})
		return
	}
	writeJSON(w, map[string]any{
		"BaseResponse": map[string]any{"Ret": 0},
		"User":         f.user(f.member("bot")),
		"SyncKey":      map[string]any{"Count": 1, "List": []any{map[string]any{"Key": 1, "Val": f.session}}},
		"ContactList":  []any{},
	})
}

func (f *fakeWeChat) syncCheck(w http.ResponseWriter, r *http.Request) {
	sid := r.URL.Query().Get("sid")
	deadline := time.NewTimer(f.idle)
	defer deadline.Stop()
	for {
		f.mu.Lock()
		valid, queued := f.sids[sid], len(f.queue) > 0
		f.mu.Unlock()
		switch {
		case !valid:
			fmt.Fprint(w, `window.synccheck={retcode:"1101",selector:"0"}`)
			return
		case queued:
			fmt.Fprint(w, `window.synccheck={retcode:"0",selector:"2"}`)
			return
		}
		select {
		case <-f.wake:
		case <-deadline.C:
			fmt.Fprint(w, `window.synccheck={retcode:"0",selector:"0"}`)
			return
		case <-r.Context().Done():
			return
		}
	}
}

func (f *fakeWeChat) sync(w http.ResponseWriter) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var list []any
	for _, m := range f.queue {
		from, to, body := f.userName(m.From), f.userName("bot"), m.Content
		if m.Type == typeText || m.Type == typeApp || m.Type == typeRecall {
			body = strings.ReplaceAll(html.EscapeString(body), "\n", "<br/>")
		}
		if m.Group {
			from = f.groupUserName()
			if m.From != "" {
				body = f.userName(m.From) + ":<br/>" + body
			}
		}
		list = append(list, map[string]any{
			"MsgId": strconv.FormatInt(m.NewMsgID, 10), "NewMsgId": m.NewMsgID,
			"MsgType": m.Type, "AppMsgType": m.AppMsgType, "FromUserName": from, "ToUserName": to,
			"Content": body, "CreateTime": m.CreateTime, "Status": 3,
		})
	}
	f.log = append(f.log, f.queue...)
	f.queue = nil
	writeJSON(w, map[string]any{
		"BaseResponse": map[string]any{"Ret": 0}, "AddMsgCount": len(list), "AddMsgList": list,
		"SyncKey": map[string]any{"Count": 1, "List": []any{map[string]any{"Key": 1, "Val": time.Now().UnixNano()}}},
	})
}

func (f *fakeWeChat) batchGetContact(w http.ResponseWriter, r *http.Request) {
	var req struct{ List []struct{ UserName string } }
	_ = json.NewDecoder(r.Body).Decode(&req)
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []any
	for _, q := range req.List {
		if q.UserName != f.groupUserName() {
			for _, m := range f.members {
				if f.userName(m.id) == q.UserName {
					out = append(out, f.user(m))
				}
			}
			continue
		}
		var ms []any
		for _, m := range f.members {
			ms = append(ms, f.user(m))
		}
		out = append(out, map[string]any{"UserName": q.UserName, "NickName": fakeGroup, "MemberCount": len(ms), "MemberList": ms})
	}
	writeJSON(w, map[string]any{"BaseResponse": map[string]any{"Ret": 0}, "Count": len(out), "ContactList": out})
}

func (f *fakeWeChat) sendMsg(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Msg struct{ Content, ToUserName string }
	}
	_ = json.NewDecoder(r.Body).Decode(&req)
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.sendRet) > 0 {
		ret := f.sendRet[0]
		f.sendRet = f.sendRet[1:]
		if ret != 0 {
			writeJSON(w, map[string]any{"BaseResponse": map[string]any{"Ret": ret}})
			return
		}
	}
	to := req.Msg.ToUserName
	if to == f.groupUserName() {
		to = fakeGroup
	}
	f.sent = append(f.sent, fakeSent{To: to, Content: req.Msg.Content})
	writeJSON(w, map[string]any{"BaseResponse": map[string]any{"Ret": 0}, "MsgID": strconv.Itoa(9000 + len(f.sent)), "LocalID": "1"})
}
