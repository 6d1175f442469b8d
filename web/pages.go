package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"youthlink/counting"
	"youthlink/period"
	"youthlink/record"
	"youthlink/sheet"
	"youthlink/storage"
)

var funcs = template.FuncMap{
	"kind": func(k counting.Kind) string { return k.Label() },
	"cadreKind": func(k string) string {
		if s, ok := record.KindNames[k]; ok {
			return s
		}
		return k
	},
	"activity": func(k string) string {
		if s, ok := record.ActivityNames[k]; ok {
			return s
		}
		return k
	},
	"time": func(t time.Time) string { return t.In(period.Zone).Format("2006-01-02 15:04") },
	"day":  func(t time.Time) string { return period.Day(t) },
	"join": strings.Join,
	"add":  func(a, b int) int { return a + b },
	"q": func(base, query string) string {
		if query == "" {
			return base
		}
		if strings.Contains(base, "?") {
			return base + "&" + query
		}
		return base + "?" + query
	},
}

type figure struct {
	Label string
	Value string
	Note  string
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request, v *viewer) {
	vw := s.view(w, r, v)
	if !vw.ok {
		return
	}
	ctx := r.Context()
	b, err := s.book(ctx, vw)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	rs := b.In(vw.committee.ID)
	var ids []int64
	reached, inter, offline, f2f, open, cov := 0, 0, 0, 0, 0, 0
	for _, rc := range rs {
		ids = append(ids, rc.Cadre.ID)
		reached += rc.Facts.Reached
		for _, n := range rc.Facts.ByKind {
			inter += n
		}
		offline += rc.Facts.Activities["offline"]
		f2f += rc.Facts.FaceToFace
		open += rc.Facts.OpenQuestions
		cov += rc.Coverage
	}
	avg := 0
	if len(rs) > 0 {
		avg = cov / len(rs)
	}
	end := s.o.Now()
	if vw.span.To.Before(end) {
		end = vw.span.To.Add(-time.Second)
	}
	weeks, err := s.o.Store.WeeklyContact(ctx, ids, end.AddDate(0, 0, -7*11), end)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	topics, keywords, err := s.topicCounts(r, v, vw, 10)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if len(topics) == 0 {
		topics = keywords
	}
	p := v.page(vw.committee.Name+" 概览", "overview", vw)
	p.Data = map[string]any{
		"Figures": []figure{
			{"团干部", strconv.Itoa(len(rs)), "本团委及下级团委"},
			{"直接联系青年", strconv.Itoa(reached), "人（各团干部之和）"},
			{"平均覆盖率", strconv.Itoa(avg) + "%", "直接联系人数 / 目标"},
			{"互动", strconv.Itoa(inter), "次"},
			{"线下活动", strconv.Itoa(offline), "次"},
			{"面对面交流", strconv.Itoa(f2f), "人"},
			{"待答复提问", strconv.Itoa(open), "条"},
		},
		"Weekly":   weekly(weeks),
		"Topics":   topicBars(topics),
		"Coverage": coverage(rs),
		"Records":  rs,
		"Honor":    len(b.Honor(vw.committee.ID)),
		"Needs":    len(b.Needs(vw.committee.ID)),
	}
	s.render(w, r, http.StatusOK, "overview", p)
}

// visibleGroups lists the groups of the cadres in a committee's subtree.
func (s *Server) visibleGroups(r *http.Request, v *viewer, vw view) ([]storage.Group, map[int64]storage.Cadre, error) {
	ctx := r.Context()
	cadres, err := s.cadresIn(r, v, vw)
	if err != nil {
		return nil, nil, err
	}
	gs, err := s.o.Store.Groups(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out []storage.Group
	for _, g := range gs {
		if _, ok := cadres[g.Cadre]; ok {
			out = append(out, g)
		}
	}
	return out, cadres, nil
}

// cadresIn maps the cadres of the view's committee subtree by id.
func (s *Server) cadresIn(r *http.Request, v *viewer, vw view) (map[int64]storage.Cadre, error) {
	cadres, err := s.o.Store.Cadres(r.Context())
	if err != nil {
		return nil, err
	}
	sub := (&record.Book{Committees: v.comms}).Subtree(vw.committee.ID)
	out := map[int64]storage.Cadre{}
	for _, c := range cadres {
		if sub[c.Committee] {
			out[c.ID] = c
		}
	}
	return out, nil
}

func (s *Server) topicCounts(r *http.Request, v *viewer, vw view, n int) (topics, keywords []storage.Count, err error) {
	gs, _, err := s.visibleGroups(r, v, vw)
	if err != nil {
		return nil, nil, err
	}
	var ids []int64
	for _, g := range gs {
		ids = append(ids, g.ID)
	}
	return s.o.Store.TopTopics(r.Context(), ids, period.Week(vw.span.From), period.Week(vw.span.To.Add(-time.Second)), n)
}

func (s *Server) lists(w http.ResponseWriter, r *http.Request, v *viewer) {
	vw := s.view(w, r, v)
	if !vw.ok {
		return
	}
	b, err := s.book(r.Context(), vw)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	p := v.page("光荣榜与加油榜", "lists", vw)
	p.Data = map[string]any{"Honor": b.Honor(vw.committee.ID), "Needs": b.Needs(vw.committee.ID)}
	s.render(w, r, http.StatusOK, "lists", p)
}

// cadreRecord finds the cadre of the path in the account's subtree; it answers 404 otherwise
// (a cadre of another committee is not revealed to exist).
func (s *Server) cadreRecord(w http.ResponseWriter, r *http.Request, v *viewer) (*record.Record, view, bool) {
	vw := s.view(w, r, v)
	if !vw.ok {
		return nil, vw, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return nil, vw, false
	}
	cd, err := s.o.Store.CadreByID(r.Context(), id)
	if errors.Is(err, storage.ErrNotFound) || err == nil && !v.sub[cd.Committee] {
		s.notFound(w, r)
		return nil, vw, false
	}
	if err != nil {
		s.internal(w, r, err)
		return nil, vw, false
	}
	b, err := s.book(r.Context(), vw)
	if err != nil {
		s.internal(w, r, err)
		return nil, vw, false
	}
	rc := b.Of(id)
	if rc == nil {
		s.notFound(w, r)
		return nil, vw, false
	}
	return rc, vw, true
}

// kindRow is one line of the interactions table.
type kindRow struct {
	Kind   counting.Kind
	N      int
	Points int
}

func (s *Server) cadre(w http.ResponseWriter, r *http.Request, v *viewer) {
	rc, vw, ok := s.cadreRecord(w, r, v)
	if !ok {
		return
	}
	acts, err := s.o.Store.Activities(r.Context(), rc.Cadre.ID, vw.span)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	var kinds []kindRow
	for _, k := range counting.Kinds {
		kinds = append(kinds, kindRow{k, rc.Facts.ByKind[k], rc.PointsByKind[k]})
	}
	type planRow struct {
		record.Progress
		What string // the evidence link's "what"
	}
	var plan []planRow
	for _, p := range rc.Plan {
		plan = append(plan, planRow{p, planEvidence(p.Item.Counts)})
	}
	p := v.page(rc.Cadre.Name+" 的联系台账", "overview", vw)
	p.Data = map[string]any{"R": rc, "Kinds": kinds, "Activities": acts, "Plan": plan}
	s.render(w, r, http.StatusOK, "cadre", p)
}

// planEvidence is the evidence that backs what a plan item counts.
func planEvidence(counts string) string {
	switch counts {
	case record.CountOffline:
		return "activity:offline"
	case record.CountOnline:
		return "activity:online"
	case record.CountFaceToFace:
		return "kind:face_to_face"
	case record.CountTagPosts:
		return "tags"
	case record.CountAnswers:
		return "kind:answer"
	}
	return "reached"
}

const evidenceLimit = 500

func (s *Server) evidence(w http.ResponseWriter, r *http.Request, v *viewer) {
	rc, vw, ok := s.cadreRecord(w, r, v)
	if !ok {
		return
	}
	ctx := r.Context()
	what := r.FormValue("what")
	data := map[string]any{"R": rc, "What": what, "Limit": evidenceLimit}
	var title string
	var err error
	switch {
	case what == "reached" || what == "":
		title = "直接联系的青年"
		data["What"] = "reached"
		data["Reached"], err = s.o.Store.Reached(ctx, rc.Cadre.ID, vw.span)
		if err == nil {
			data["Evidence"], err = s.evidenceRows(r, rc.Cadre.ID, vw.span, "")
		}
	case strings.HasPrefix(what, "kind:"):
		k := counting.Kind(strings.TrimPrefix(what, "kind:"))
		if !validKind(k) {
			s.notFound(w, r)
			return
		}
		title = "互动：" + k.Label()
		data["Evidence"], err = s.evidenceRows(r, rc.Cadre.ID, vw.span, k)
	case strings.HasPrefix(what, "activity:"):
		k := strings.TrimPrefix(what, "activity:")
		name, known := record.ActivityNames[k]
		if !known {
			s.notFound(w, r)
			return
		}
		title = name
		var acts []storage.Activity
		acts, err = s.o.Store.Activities(ctx, rc.Cadre.ID, vw.span)
		type actRow struct {
			storage.Activity
			Names []string
		}
		var rows []actRow
		for _, a := range acts {
			if a.Kind != k || err != nil {
				continue
			}
			var names []string
			names, err = s.o.Store.ActivityParticipants(ctx, a.ID)
			rows = append(rows, actRow{a, names})
		}
		data["Activities"] = rows
	case what == "tags":
		title = "发起的 #话题#"
		data["Posts"], err = s.o.Store.CadrePosts(ctx, rc.Cadre.ID, vw.span, true, evidenceLimit)
	default:
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	p := v.page(rc.Cadre.Name+" · "+title, "overview", vw)
	data["Heading"] = title
	p.Data = data
	s.render(w, r, http.StatusOK, "evidence", p)
}

// evidenceRow is an interaction with the title of the activity it came from, if any.
type evidenceRow struct {
	storage.Evidence
	Activity string
}

func (s *Server) evidenceRows(r *http.Request, cadre int64, span period.Span, k counting.Kind) ([]evidenceRow, error) {
	ev, err := s.o.Store.Evidence(r.Context(), cadre, span, k, evidenceLimit)
	if err != nil {
		return nil, err
	}
	acts, err := s.o.Store.Activities(r.Context(), cadre, span)
	if err != nil {
		return nil, err
	}
	titles := map[int64]string{}
	for _, a := range acts {
		titles[a.ID] = record.ActivityNames[a.Kind] + "：" + a.Title
	}
	out := make([]evidenceRow, len(ev))
	for i, e := range ev {
		out[i] = evidenceRow{e, titles[e.ActivityID]}
	}
	return out, nil
}

func validKind(k counting.Kind) bool {
	for _, x := range counting.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

type groupRow struct {
	Group    storage.Group
	Cadre    string
	Messages int
	Members  int
	Topics   []storage.Count
}

func (s *Server) groups(w http.ResponseWriter, r *http.Request, v *viewer) {
	vw := s.view(w, r, v)
	if !vw.ok {
		return
	}
	gs, cadres, err := s.visibleGroups(r, v, vw)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	var rows []groupRow
	for _, g := range gs {
		st, err := s.o.Store.GroupStats(r.Context(), g, vw.span.From, vw.span.To, 3)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		rows = append(rows, groupRow{g, cadres[g.Cadre].Name, st.Messages, len(st.Members), st.Topics})
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Messages > rows[j].Messages })
	p := v.page("青年群", "groups", vw)
	p.Data = rows
	s.render(w, r, http.StatusOK, "groups", p)
}

func (s *Server) topics(w http.ResponseWriter, r *http.Request, v *viewer) {
	vw := s.view(w, r, v)
	if !vw.ok {
		return
	}
	topics, keywords, err := s.topicCounts(r, v, vw, 20)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	p := v.page("话题", "topics", vw)
	p.Data = map[string]any{"Topics": topicBars(topics), "Keywords": topicBars(keywords)}
	s.render(w, r, http.StatusOK, "topics", p)
}

func (s *Server) questions(w http.ResponseWriter, r *http.Request, v *viewer) {
	vw := s.view(w, r, v)
	if !vw.ok {
		return
	}
	cadres, err := s.cadresIn(r, v, vw)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	qs, err := s.o.Store.OpenQuestions(r.Context(), 0)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	type row struct {
		Q     storage.Question
		Cadre string
	}
	var rows []row
	for _, q := range qs {
		if c, ok := cadres[q.Cadre]; ok {
			rows = append(rows, row{q, c.Name})
		}
	}
	p := v.page("待答复提问", "questions", vw)
	p.Data = rows
	s.render(w, r, http.StatusOK, "questions", p)
}

type digestFile struct {
	Name string
	Size string
	At   time.Time
}

// digestFiles lists the archive: regular files directly in the directory whose names carry the
// name of a committee the account may see (all of them for an account of a root committee).
func (s *Server) digestFiles(v *viewer) ([]digestFile, bool, error) {
	dir := s.o.Config.DigestDir
	if dir == "" {
		return nil, false, nil
	}
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read digest archive: %w", err)
	}
	root := false
	var names []string
	for _, c := range v.comms {
		if v.sub[c.ID] {
			names = append(names, c.Name)
		}
		if c.ID == v.user.Committee && c.Parent == 0 {
			root = true
		}
	}
	var out []digestFile
	for _, e := range ents {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		mine := root
		for _, n := range names {
			mine = mine || strings.Contains(e.Name(), n)
		}
		if !mine {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, digestFile{Name: e.Name(), Size: sizeText(info.Size()), At: info.ModTime()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out, true, nil
}

func sizeText(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d 字节", n)
	}
	return fmt.Sprintf("%.1f KB", float64(n)/1024)
}

func (s *Server) digests(w http.ResponseWriter, r *http.Request, v *viewer) {
	files, present, err := s.digestFiles(v)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	vw := view{committee: storage.Committee{ID: v.user.Committee}, span: period.QuarterOf(s.o.Now())}
	for _, c := range v.comms {
		if c.ID == v.user.Committee {
			vw.committee = c
		}
	}
	p := v.page("周报存档", "digests", vw)
	p.Data = map[string]any{"Files": files, "Present": present}
	s.render(w, r, http.StatusOK, "digests", p)
}

func (s *Server) digestFile(w http.ResponseWriter, r *http.Request, v *viewer) {
	name := r.PathValue("name")
	files, _, err := s.digestFiles(v)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	for _, f := range files {
		if f.Name == name {
			ct := map[string]string{".html": "text/plain; charset=utf-8", ".md": "text/plain; charset=utf-8",
				".txt": "text/plain; charset=utf-8", ".json": "application/json"}[strings.ToLower(filepath.Ext(name))]
			if ct == "" {
				ct = "application/octet-stream"
			}
			w.Header().Set("Content-Type", ct)
			w.Header().Set("Content-Disposition", disposition("inline", name))
			http.ServeFile(w, r, filepath.Join(s.o.Config.DigestDir, f.Name))
			return
		}
	}
	s.notFound(w, r)
}

// disposition builds a Content-Disposition header with a UTF-8 file name (RFC 6266).
func disposition(kind, name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	return fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, kind, ascii, urlPathEscape(name))
}

func urlPathEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func (s *Server) export(w http.ResponseWriter, r *http.Request, v *viewer) {
	vw := s.view(w, r, v)
	if !vw.ok {
		return
	}
	format := r.FormValue("format")
	if format != "xlsx" && format != "csv" {
		s.fail(w, r, http.StatusBadRequest, "格式只能是 xlsx 或 csv。")
		return
	}
	b, err := s.book(r.Context(), vw)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	name := fmt.Sprintf("%s-%s-联系台账.%s", vw.committee.Name, vw.span.Name, format)
	tables := Export(b, vw.committee.ID, format)
	w.Header().Set("Content-Disposition", disposition("attachment", name))
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		err = sheet.WriteCSV(w, tables)
	} else {
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		err = sheet.WriteXLSX(w, tables)
	}
	if err != nil {
		s.o.Log.Error("导出失败", "err", err)
	}
}

// Export is the tables of a committee's export: in a workbook the ranking of the whole subtree
// first, then one sheet per committee; in CSV the ranking alone.
func Export(b *record.Book, committee int64, format string) []sheet.Table {
	ranking := sheet.Ranking(b, committee, "排名")
	if format == "csv" {
		return []sheet.Table{ranking}
	}
	return append([]sheet.Table{ranking}, sheet.Tables(b, committee)...)
}

func (s *Server) cadreXLSX(w http.ResponseWriter, r *http.Request, v *viewer) {
	rc, vw, ok := s.cadreRecord(w, r, v)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", disposition("attachment", fmt.Sprintf("%s-%s-联系台账.xlsx", rc.Cadre.Name, vw.span.Name)))
	if err := sheet.WriteXLSX(w, []sheet.Table{{Name: rc.Cadre.Name, Records: []*record.Record{rc}}}); err != nil {
		s.o.Log.Error("导出失败", "err", err)
	}
}

func (s *Server) rosterTemplate(w http.ResponseWriter, r *http.Request, v *viewer) {
	if s.o.RosterTemplate == nil {
		s.notFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", disposition("attachment", "名册导入模板.xlsx"))
	if err := s.o.RosterTemplate(w); err != nil {
		s.o.Log.Error("名册模板失败", "err", err)
	}
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, v *viewer, code int, created map[string]string, msg string) {
	users, err := s.o.Store.WebUsers(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	names := map[int64]string{}
	for _, c := range v.comms {
		names[c.ID] = c.Name
	}
	type row struct {
		storage.WebUser
		CommitteeName string
	}
	var rows []row
	for _, u := range users {
		if v.sub[u.Committee] {
			rows = append(rows, row{u, names[u.Committee]})
		}
	}
	vw := view{span: period.QuarterOf(s.o.Now())}
	for _, c := range v.comms {
		if c.ID == v.user.Committee {
			vw.committee = c
		}
	}
	p := v.page("账号管理", "users", vw)
	p.Data = map[string]any{"Users": rows, "Created": created, "Error": msg}
	s.render(w, r, code, "users", p)
}

func (s *Server) users(w http.ResponseWriter, r *http.Request, v *viewer) {
	if !v.user.Admin {
		s.fail(w, r, http.StatusForbidden, "只有管理员可以管理账号。")
		return
	}
	s.usersPage(w, r, v, http.StatusOK, nil, "")
}

func (s *Server) addUser(w http.ResponseWriter, r *http.Request, v *viewer) {
	if !v.user.Admin {
		s.fail(w, r, http.StatusForbidden, "只有管理员可以管理账号。")
		return
	}
	cid, err := strconv.ParseInt(r.PostFormValue("committee"), 10, 64)
	if err != nil || !v.sub[cid] {
		s.usersPage(w, r, v, http.StatusBadRequest, nil, "请选择你所属范围内的团委。")
		return
	}
	var committee string
	for _, c := range v.comms {
		if c.ID == cid {
			committee = c.Name
		}
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	pw, err := AddAccount(r.Context(), s.o.Store, committee, name, false)
	if err != nil {
		s.usersPage(w, r, v, http.StatusBadRequest, nil, err.Error())
		return
	}
	s.o.Log.Info("新建管理后台账号", "by", v.user.Name, "user", name, "committee", committee)
	s.usersPage(w, r, v, http.StatusOK, map[string]string{"Name": name, "Committee": committee, "Password": pw}, "")
}
