package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// ministryRoutes registers the ministry's pages (/m/…). Every handler
// reads the ministry from the session, never from the request: a task of
// another ministry is "not found", whatever id is typed in the URL or
// the form.
func (s *Server) ministryRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /m/{$}", s.ministryOnly(s.handleMinistry))
	mux.HandleFunc("GET /m/task/{id}", s.ministryOnly(s.handleTask))
	mux.HandleFunc("POST /m/task/{id}/update", s.ministryOnly(s.handleUpdate))
	mux.HandleFunc("POST /m/task/{id}/stage", s.ministryOnly(s.handleStage))
	mux.HandleFunc("POST /m/task/{id}/not-ours", s.ministryOnly(s.handleNotOurs))
	mux.HandleFunc("GET /m/evidence/{id}", s.ministryOnly(s.handleEvidence))
}

// taskView is a task on a ministry's pages.
type taskView struct {
	Task     workflow.Task
	Role     string // lead or support
	Next     *workflow.Deadline
	Overdue  bool
	Document string
}

func (s *Server) viewOf(cfg *config.Config, t workflow.Task, role string, now time.Time) taskView {
	v := taskView{Task: t, Role: role, Document: t.Document.Symbol}
	today := workflow.Today(cfg.Location, now)
	if d, ok := cfg.Calendar().NextDeadline(t, today); ok {
		v.Next = &d
		v.Overdue = d.Overdue(today)
	}
	return v
}

// ministryPageSize is how many tasks of each list the ministry's page
// shows at a time: a large ministry holds thousands, and a focal point
// needs the first few (overdue, then due soonest).
const ministryPageSize = 50

type ministryPage struct {
	Lead, Support taskList
	Paged         bool // a later page: offer the first
}

// taskList is one of the page's lists, a page of it, and its counts.
type taskList struct {
	Tasks   []taskView
	Count   int    // how many tasks the ministry holds in this role
	Overdue int    // how many of them are overdue
	Next    string // the next page's URL; "" on the last
}

// handleMinistry lists the ministry's tasks, as lead and in support,
// overdue first, then by next deadline, a page of each at a time. The
// query ?lead= and ?support= carry where each list's page starts.
func (s *Server) handleMinistry(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	cfg := s.Config()
	q := r.URL.Query()
	roles := [2]string{store.RoleLead, store.RoleSupport}
	var after [2]tierCursor
	for i, role := range roles {
		c, err := parseTierCursor(q.Get(role))
		if err != nil {
			s.fail(w, r, http.StatusBadRequest, "This page link is damaged. Open your tasks from the first page: /m/")
			return
		}
		after[i] = c
	}
	now := s.clock.Now()
	ctx := r.Context()
	st, err := s.ministryState(ctx, cfg, now)
	if err != nil {
		s.dbFail(w, r, err)
		return
	}
	// The same page for the same focal point (the layout names them)
	// while nothing changed is sent again as it was rendered.
	key := p.Body + "\x00" + p.FocalPoint + "\x00" + after[0].String() + "\x00" + after[1].String()
	if b, ok := st.page(key); ok {
		writePage(w, http.StatusOK, b)
		return
	}
	tiers, err := st.tiers(ctx, s.db, cfg, p.Body)
	if err != nil {
		s.dbFail(w, r, err)
		return
	}
	page := ministryPage{Paged: q.Get(store.RoleLead) != "" || q.Get(store.RoleSupport) != ""}
	lists := [2]*taskList{&page.Lead, &page.Support}
	for i, role := range roles {
		rt := tiers.roles[i]
		lists[i].Count, lists[i].Overdue = rt.count, rt.overdue
		views, next, err := s.ministryList(ctx, cfg, p.Body, role, rt.tiers, after[i], now)
		if err != nil {
			s.dbFail(w, r, err)
			return
		}
		lists[i].Tasks = views
		if next != "" {
			// The next page of one list keeps the other where it is.
			v := url.Values{}
			v.Set(role, next)
			if c := q.Get(roles[1-i]); c != "" {
				v.Set(roles[1-i], c)
			}
			lists[i].Next = "/m/?" + v.Encode() + "#" + role
		}
	}
	b, err := s.renderPage(r, "ministry.html", page)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	st.keep(key, b)
	writePage(w, http.StatusOK, b)
}

// A tier is the ministry's tasks (in one role) of one document that share
// a next deadline and whether it is missed: the page lists the tiers in
// order (overdue, the longest overdue first; then due soonest; then those
// without a deadline; documents in import order within each) and each
// tier's tasks in the document's order. Deadlines are not stored per
// task: they follow from the task's (document, stage) group and, for the
// follow-up procedure's date, from whether its paragraph is one of the
// follow-up's. So a tier is a few groups of one document, and the
// database finds their tasks by index (store.MinistryTaskPage); a page
// reads the few tiers whose counts fill it.
type tier struct {
	key    string // the deadline: sorts in the page's order
	doc    int64
	groups []store.RankedGroup
	count  int
}

func compareTiers(a, b tier) int {
	if c := cmp.Compare(a.key, b.key); c != 0 {
		return c
	}
	return cmp.Compare(a.doc, b.doc)
}

// tierKey sorts overdue tiers first ("a" and the date), then those with a
// deadline to come ("b" and the date), then those without ("c").
func tierKey(d workflow.Deadline, ok bool, today civil.Date) string {
	switch {
	case !ok:
		return "c"
	case d.Overdue(today):
		return "a" + d.Date.String()
	}
	return "b" + d.Date.String()
}

// roleTiers is one list of the page: its tiers in order, how many tasks
// it holds and how many are overdue (from the groups' counts).
type roleTiers struct {
	tiers          []tier
	count, overdue int
}

// ministryTiers are a ministry's lead and support tiers.
type ministryTiers struct {
	roles [2]roleTiers // lead, support
}

// tiersOf sorts the ministry's groups into tiers, each group ranked by
// its tier's place.
func tiersOf(cfg *config.Config, groups []store.MinistryGroup, today civil.Date) ministryTiers {
	cal := cfg.Calendar()
	var out ministryTiers
	for i, role := range [2]string{store.RoleLead, store.RoleSupport} {
		rt := &out.roles[i]
		type at struct {
			key string
			doc int64
		}
		byKey := map[at]*tier{}
		for _, g := range groups {
			if g.Role != role {
				continue
			}
			paragraph := 0 // no recommendation has paragraph 0: not one of the follow-up's
			if g.FollowUp && g.Doc.FollowUp != nil && len(g.Doc.FollowUp.Paragraphs) > 0 {
				paragraph = g.Doc.FollowUp.Paragraphs[0]
			}
			d, ok := workflow.Next(cal.Group(g.Doc, g.Stage), paragraph, today)
			key := tierKey(d, ok, today)
			rt.count += g.Count
			if ok && d.Overdue(today) {
				rt.overdue += g.Count
			}
			t := byKey[at{key, g.Document}]
			if t == nil {
				t = &tier{key: key, doc: g.Document}
				byKey[at{key, g.Document}] = t
			}
			t.groups = append(t.groups, store.RankedGroup{Document: g.Document, Stage: g.Stage, FollowUp: g.FollowUp})
			t.count += g.Count
		}
		for _, t := range byKey {
			rt.tiers = append(rt.tiers, *t)
		}
		slices.SortFunc(rt.tiers, compareTiers)
		for r := range rt.tiers {
			for j := range rt.tiers[r].groups {
				rt.tiers[r].groups[j].Rank = r
			}
		}
	}
	return out
}

// ministryCache keeps, while nothing changed, each ministry's tiers and
// the pages rendered from them. Every change to a task appends to the
// audit trail (store.ChangeMark); the tiers also depend on the day and the
// config. Counting a ministry's groups reads every task it holds (15 ms
// at 100,000 tasks for a ministry of 3,300); a page then reads about as
// many tasks as it shows (2 ms), and sending a page kept costs a lookup.
type ministryCache struct {
	mu    sync.Mutex
	state *ministryState
}

// ministryState is what the cache holds for one change mark, day and
// config.
type ministryState struct {
	mark  int64
	today civil.Date
	cfg   *config.Config

	mu    sync.Mutex
	by    map[string]*tierEntry
	pages map[string][]byte
	size  int // bytes in pages
}

// maxKeptPages bounds the memory the kept pages take (a page is about
// 35 KB): past it, pages are rendered and not kept.
const maxKeptPages = 4 << 20

func (s *Server) ministryState(ctx context.Context, cfg *config.Config, now time.Time) (*ministryState, error) {
	mark, err := s.db.ChangeMark(ctx)
	if err != nil {
		return nil, err
	}
	today := workflow.Today(cfg.Location, now)
	c := &s.ministries
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.state; st != nil && st.mark == mark && st.today == today && st.cfg == cfg {
		return st, nil
	}
	c.state = &ministryState{mark: mark, today: today, cfg: cfg, by: map[string]*tierEntry{}, pages: map[string][]byte{}}
	return c.state, nil
}

func (st *ministryState) page(key string) ([]byte, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	b, ok := st.pages[key]
	return b, ok
}

func (st *ministryState) keep(key string, b []byte) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.pages[key]; !ok && st.size+len(b) <= maxKeptPages {
		st.pages[key] = b
		st.size += len(b)
	}
}

// tiers returns the ministry's tiers, counting its groups once however
// many requests ask at the same time (after a change, every focal point's
// next request misses the cache at once; at 1M tasks a count takes 0.4 s).
func (st *ministryState) tiers(ctx context.Context, db *store.DB, cfg *config.Config, ministry string) (ministryTiers, error) {
	st.mu.Lock()
	e, ok := st.by[ministry]
	if !ok {
		e = &tierEntry{done: make(chan struct{})}
		st.by[ministry] = e
	}
	st.mu.Unlock()
	if ok {
		select {
		case <-e.done:
			return e.t, e.err
		case <-ctx.Done():
			return ministryTiers{}, ctx.Err()
		}
	}
	groups, err := db.MinistryGroups(ctx, ministry)
	if err == nil {
		e.t = tiersOf(cfg, groups, st.today)
	} else {
		e.err = err
		st.mu.Lock()
		delete(st.by, ministry) // the next request tries again
		st.mu.Unlock()
	}
	close(e.done)
	return e.t, e.err
}

// tierEntry is a ministry's tiers, or their count under way (done open).
type tierEntry struct {
	done chan struct{}
	t    ministryTiers
	err  error
}

// tierCursor is where a list's page starts: after the task at pos in the
// tier key. It is written "key_document.seq".
type tierCursor struct {
	key string
	pos store.MinistryPos
}

func (c tierCursor) String() string { return c.key + "_" + c.pos.String() }

func parseTierCursor(s string) (tierCursor, error) {
	if s == "" {
		return tierCursor{}, nil
	}
	key, pos, ok := strings.Cut(s, "_")
	if !ok || !validTierKey(key) {
		return tierCursor{}, fmt.Errorf("page cursor %q: %w", s, store.ErrInvalid)
	}
	p, err := store.ParseMinistryPos(pos)
	if err != nil {
		return tierCursor{}, err
	}
	return tierCursor{key: key, pos: p}, nil
}

func validTierKey(k string) bool {
	if k == "c" {
		return true
	}
	if len(k) < 2 || (k[0] != 'a' && k[0] != 'b') {
		return false
	}
	_, err := civil.ParseDate(k[1:])
	return err == nil
}

// ministryList reads one page of a list, and one task more to know
// whether there is a next page: from the cursor's tier, the tiers whose
// counts make a page, in one statement. It returns the page and the next
// page's cursor ("" on the last).
func (s *Server) ministryList(ctx context.Context, cfg *config.Config, ministry, role string, tiers []tier, after tierCursor, now time.Time) ([]taskView, string, error) {
	first := 0
	if after.key != "" {
		// The cursor's tier, or the next one when it has emptied since.
		first, _ = slices.BinarySearchFunc(tiers, tier{key: after.key, doc: after.pos.Document}, compareTiers)
	}
	from := int64(-1) // from the tier's start (sequences start at 0)
	if first < len(tiers) && tiers[first].key == after.key && tiers[first].doc == after.pos.Document {
		from = after.pos.Seq
	}
	var groups []store.RankedGroup
	n := 0
	for i := first; i < len(tiers) && n <= ministryPageSize; i++ {
		groups = append(groups, tiers[i].groups...)
		if i > first || from < 0 {
			n += tiers[i].count // when the page starts inside the first tier, not all its count is to come
		}
	}
	tasks, pos, err := s.db.MinistryTaskPage(ctx, ministry, role, groups, first, from, ministryPageSize+1)
	if err != nil {
		return nil, "", err
	}
	views := make([]taskView, 0, min(len(tasks), ministryPageSize))
	for _, mt := range tasks[:min(len(tasks), ministryPageSize)] {
		views = append(views, s.viewOf(cfg, mt.Task, role, now))
	}
	if len(tasks) <= ministryPageSize {
		return views, "", nil
	}
	last := pos[ministryPageSize-1]
	return views, tierCursor{key: tiers[last.Rank].key, pos: last.MinistryPos}.String(), nil
}

// ownTask loads the task of the URL's {id} if the session's ministry
// leads or supports it. Anything else is 404, so that ids of other
// ministries' tasks cannot even be told apart from ids that do not exist.
func (s *Server) ownTask(w http.ResponseWriter, r *http.Request) (workflow.Task, string, bool) {
	p, _ := PrincipalFrom(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, http.StatusNotFound, msgNoTask)
		return workflow.Task{}, "", false
	}
	t, err := s.db.Task(r.Context(), strconv.FormatInt(id, 10))
	if err != nil {
		s.storeFail(w, r, err, failTexts{notFound: msgNoTask, unavailable: msgNothingSent})
		return t, "", false
	}
	switch {
	case t.Owner == p.Body:
		return t, store.RoleLead, true
	case slices.Contains(t.Support, p.Body):
		return t, store.RoleSupport, true
	}
	s.fail(w, r, http.StatusNotFound, msgNoTask)
	return t, "", false
}

const msgNoTask = "There is no such task among the tasks of your ministry."

type taskPage struct {
	taskView
	Deadlines []workflow.Deadline
	History   []store.Event
	Updates   []store.Update
	Requests  []store.OwnershipRequest
	NextSteps []config.Stage // stages the lead may move it to
	Others    []config.Body  // ministries it could belong to instead
	MaxFile   string
	MaxFiles  int
	Done      string // what was just recorded
	Form      formState
	// Cluster is the group the task is in, when the ministry leads or
	// supports the group: its page records one update for every member.
	Cluster *store.Cluster
}

// formState keeps what was typed when a form is refused, so that nothing
// has to be typed again, and says what was wrong.
type formState struct {
	Which  string // update, stage or not-ours
	Error  string
	Name   string
	Text   string
	DoneOn string
	Links  string
	Reason string
	Stage  string
	Other  string
}

func (s *Server) handleTask(w http.ResponseWriter, r *http.Request) {
	t, role, ok := s.ownTask(w, r)
	if !ok {
		return
	}
	s.showTask(w, r, http.StatusOK, t, role, formState{})
}

// doneMessages say what was just recorded (English; s.tr translates).
var doneMessages = map[string]string{
	"update":   "Your progress update was recorded. The coordinating body will see it, and your ministry's focal points get a receipt by e-mail.",
	"stage":    "The task was moved. The coordinating body will see it, and your ministry's focal points get a receipt by e-mail.",
	"not-ours": "Your request was sent to the coordinating body, which decides. Your ministry's focal points get a receipt by e-mail.",
}

func (s *Server) showTask(w http.ResponseWriter, r *http.Request, status int, t workflow.Task, role string, form formState) {
	p, _ := PrincipalFrom(r.Context())
	cfg := s.Config()
	ctx := r.Context()
	page := taskPage{taskView: s.viewOf(cfg, t, role, s.clock.Now()), Deadlines: cfg.Calendar().Deadlines(t),
		MaxFile: sizeText(maxFileSize), Form: form, MaxFiles: maxFiles}
	if msg, ok := doneMessages[r.URL.Query().Get("done")]; ok {
		page.Done = s.tr(r, msg)
	}
	var err error
	if page.History, err = s.db.History(ctx, t.ID); err != nil {
		s.dbFail(w, r, err)
		return
	}
	if err := s.db.Updates(ctx, store.UpdateFilter{TaskID: t.ID}, func(u store.Update) error {
		page.Updates = append(page.Updates, u)
		return nil
	}); err != nil {
		s.dbFail(w, r, err)
		return
	}
	if page.Requests, err = s.db.OwnershipRequests(ctx, store.OwnershipFilter{TaskID: t.ID}); err != nil {
		s.dbFail(w, r, err)
		return
	}
	c, in, err := s.db.ClusterOf(ctx, t.ID)
	if err != nil {
		s.dbFail(w, r, err)
		return
	}
	if in && (c.Lead == p.Body || slices.Contains(c.Support, p.Body)) {
		page.Cluster = &c
	}
	if role == store.RoleLead {
		for _, id := range workflow.AllowedNext(cfg.Stages, t.Stage, t.Rec.Status) {
			if st, ok := cfg.Stage(id); ok {
				page.NextSteps = append(page.NextSteps, st)
			}
		}
	}
	for _, m := range cfg.Ministries {
		if m.ID != p.Body {
			page.Others = append(page.Others, m)
		}
	}
	s.render(w, r, status, "task.html", page)
}

// sameTask checks the form's hidden task id against the URL's: a form
// edited to name another task is refused like a task that is not ours.
func (s *Server) sameTask(w http.ResponseWriter, r *http.Request, t workflow.Task) bool {
	if r.FormValue("task") != strconv.FormatInt(t.ID, 10) {
		s.fail(w, r, http.StatusNotFound, msgNoTask)
		return false
	}
	return true
}

// actor is who is acting: the name typed, the session's focal point and
// the client address.
func (s *Server) actor(r *http.Request, name string) store.Actor {
	p, _ := PrincipalFrom(r.Context())
	return store.Actor{Name: strings.TrimSpace(name), FocalPoint: p.FocalPoint, ClientAddr: s.clientAddr(r)}
}

// handleStage moves the task to a stage the workflow allows; the lead
// ministry only.
func (s *Server) handleStage(w http.ResponseWriter, r *http.Request) {
	t, role, ok := s.ownTask(w, r)
	if !ok || !s.parseSmallForm(w, r) || !s.sameTask(w, r, t) {
		return
	}
	form := formState{Which: "stage", Name: r.FormValue("name"), Stage: r.FormValue("stage")}
	if role != store.RoleLead {
		form.Error = s.tr(r, "Only the lead ministry moves a task; as a supporting ministry, record a progress update instead.")
		s.showTask(w, r, http.StatusForbidden, t, role, form)
		return
	}
	by := s.actor(r, form.Name)
	if by.Name == "" {
		form.Error = s.tr(r, "Write your name: the record says who moved the task.")
		s.showTask(w, r, http.StatusUnprocessableEntity, t, role, form)
		return
	}
	if len(by.Name) > maxName {
		form.Error = s.tr(r, "The name is too long.")
		s.showTask(w, r, http.StatusUnprocessableEntity, t, role, form)
		return
	}
	cfg := s.Config()
	receipt := s.receipt(r, t, notify.ReceiptData{Kind: notify.ReceiptStage, Actor: by.Name, From: t.Stage, To: form.Stage})
	moved, err := s.db.Advance(r.Context(), strconv.FormatInt(t.ID, 10), form.Stage, by, noteFromWebPage, func(cur workflow.Task) error {
		return workflow.CheckTransition(cfg.Stages, cur, form.Stage)
	}, receipt...)
	var te *workflow.TransitionError
	if errors.As(err, &te) {
		form.Error = s.allowedText(r, cfg, t)
		s.showTask(w, r, http.StatusUnprocessableEntity, t, role, form)
		return
	}
	if err != nil {
		s.dbFail(w, r, err)
		return
	}
	s.logger.Info("task moved", "task", t.Rec.ID, "from", t.Stage, "to", moved.Stage, "by", by.Name, "focal_point", by.FocalPoint, "client", by.ClientAddr)
	http.Redirect(w, r, fmt.Sprintf("/m/task/%d?done=stage", t.ID), http.StatusSeeOther)
}

// allowedText refuses a stage the workflow does not allow, naming those
// it does, in the page's language.
func (s *Server) allowedText(r *http.Request, cfg *config.Config, t workflow.Task) string {
	lang := s.pageLang(r)
	var names []string
	for _, id := range workflow.AllowedNext(cfg.Stages, t.Stage, t.Rec.Status) {
		names = append(names, stageLabel(cfg, id, lang))
	}
	if len(names) == 0 {
		return tr(lang, "This task cannot move to that stage: from its stage it cannot move any further.")
	}
	return tr(lang, "This task cannot move to that stage. From “%s” it can move to: %s.", stageLabel(cfg, t.Stage, lang), strings.Join(names, ", "))
}

// handleNotOurs records "this is not ours" for the coordinator to decide.
func (s *Server) handleNotOurs(w http.ResponseWriter, r *http.Request) {
	t, role, ok := s.ownTask(w, r)
	if !ok || !s.parseSmallForm(w, r) || !s.sameTask(w, r, t) {
		return
	}
	p, _ := PrincipalFrom(r.Context())
	form := formState{Which: "not-ours", Name: r.FormValue("name"), Other: r.FormValue("ministry"), Reason: r.FormValue("reason")}
	by := s.actor(r, form.Name)
	cfg := s.Config()
	other, known := cfg.Ministry(form.Other)
	switch {
	case by.Name == "":
		form.Error = s.tr(r, "Write your name: the record says who asked.")
	case len(by.Name) > maxName:
		form.Error = s.tr(r, "The name is too long.")
	case !known || form.Other == cfg.Coordinator.ID || form.Other == p.Body:
		form.Error = s.tr(r, "Choose the ministry you believe this task belongs to.")
	case strings.TrimSpace(form.Reason) == "":
		form.Error = s.tr(r, "Say why: the coordinating body decides from your reason.")
	case len(form.Reason) > maxText:
		form.Error = s.tr(r, "The reason is too long (at most %d characters).", maxText)
	}
	if form.Error != "" {
		s.showTask(w, r, http.StatusUnprocessableEntity, t, role, form)
		return
	}
	receipt := s.receipt(r, t, notify.ReceiptData{Kind: notify.ReceiptNotOurs, Actor: by.Name, Other: other.Name, Text: form.Reason})
	if _, err := s.db.AddOwnershipRequest(r.Context(), store.OwnershipRequest{TaskID: t.ID, Ministry: p.Body, Proposed: other.ID,
		Reason: form.Reason, By: by}, receipt...); err != nil {
		s.dbFail(w, r, err)
		return
	}
	s.logger.Info("not-ours request", "task", t.Rec.ID, "ministry", p.Body, "proposed", other.ID, "by", by.Name, "client", by.ClientAddr)
	http.Redirect(w, r, fmt.Sprintf("/m/task/%d?done=not-ours", t.ID), http.StatusSeeOther)
}

// Limits of what a form may carry.
const (
	maxName      = 200
	maxText      = 20000
	maxSmallForm = 64 << 10
)

// parseSmallForm reads a form without files, refusing a body over
// maxSmallForm with 413.
func (s *Server) parseSmallForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxSmallForm)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.fail(w, r, http.StatusRequestEntityTooLarge, "The form is too large.")
			return false
		}
		s.fail(w, r, http.StatusBadRequest, "The form could not be read; please send it again.")
		return false
	}
	return true
}

// handleEvidence sends an attached file, to a ministry that leads or
// supports its task.
func (s *Server) handleEvidence(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, http.StatusNotFound, "There is no such file.")
		return
	}
	e, taskID, err := s.db.EvidenceData(r.Context(), id)
	if err != nil {
		s.storeFail(w, r, err, failTexts{notFound: "There is no such file.", unavailable: msgNothingSent})
		return
	}
	if e.Kind != store.EvidenceFile {
		s.fail(w, r, http.StatusNotFound, "There is no such file.")
		return
	}
	t, err := s.db.Task(r.Context(), strconv.FormatInt(taskID, 10))
	if err != nil || (t.Owner != p.Body && !slices.Contains(t.Support, p.Body)) {
		s.fail(w, r, http.StatusNotFound, "There is no such file.")
		return
	}
	serveFile(w, e)
}

// serveFile sends evidence as a download, never rendered in the page's
// origin (an HTML file renamed .pdf must not run there).
func serveFile(w http.ResponseWriter, e store.Evidence) {
	h := w.Header()
	h.Set("Content-Type", e.ContentType)
	h.Set("Content-Disposition", contentDisposition(e.Title))
	h.Set("Content-Length", strconv.Itoa(len(e.Data)))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	_, _ = w.Write(e.Data) // the client may have gone
}

// sizeText writes a byte count for people: 10 MB.
func sizeText(n int64) string {
	return fmt.Sprintf("%d MB", n>>20)
}

// today is the date in the config's zone, for date fields.
func (s *Server) today() civil.Date { return workflow.Today(s.Config().Location, s.clock.Now()) }

// MinistryPageWork does the database work of a ministry's first page
// without the cache (the groups counted, then a page of each list) and
// returns how many tasks it lists: bench/dashsql times it against the
// sqlite3 shell running the same statements.
func MinistryPageWork(ctx context.Context, db *store.DB, cfg *config.Config, ministry string, now time.Time) (int, error) {
	groups, err := db.MinistryGroups(ctx, ministry)
	if err != nil {
		return 0, err
	}
	tiers := tiersOf(cfg, groups, workflow.Today(cfg.Location, now))
	s := &Server{db: db}
	n := 0
	for i, role := range [2]string{store.RoleLead, store.RoleSupport} {
		views, _, err := s.ministryList(ctx, cfg, ministry, role, tiers.roles[i].tiers, tierCursor{}, now)
		if err != nil {
			return 0, err
		}
		n += len(views)
	}
	return n, nil
}

// EvidenceBase is where the task page's files are served: the ministry's
// side (the "updates" template).
func (taskPage) EvidenceBase() string { return "/m" }
