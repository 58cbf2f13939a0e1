package web

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
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
	Stage    string // the stage's name
	Next     *workflow.Deadline
	Overdue  bool
	Document string
}

func (s *Server) viewOf(cfg *config.Config, t workflow.Task, role string, now time.Time) taskView {
	v := taskView{Task: t, Role: role, Stage: t.Stage, Document: t.Document.Symbol}
	if st, ok := cfg.Stage(t.Stage); ok {
		v.Stage = st.Name
	}
	if d, ok := workflow.NextDeadline(cfg, t, now); ok {
		v.Next = &d
		v.Overdue = d.Overdue(workflow.Today(cfg, now))
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
	ctx := r.Context()
	q := r.URL.Query()
	var after [2]tierCursor
	for i, role := range []string{store.RoleLead, store.RoleSupport} {
		c, err := parseTierCursor(q.Get(role))
		if err != nil {
			s.fail(w, r, http.StatusBadRequest, "This page link is damaged. Open your tasks from the start: /m/")
			return
		}
		after[i] = c
	}
	groups, err := s.db.MinistryGroups(ctx, p.Body)
	if err != nil {
		s.dbFail(w, r, err)
		return
	}
	now := s.clock.Now()
	today := workflow.Today(cfg, now)
	cal := workflow.NewCalendar(cfg)
	page := ministryPage{Paged: q.Get(store.RoleLead) != "" || q.Get(store.RoleSupport) != ""}
	lists := [2]*taskList{&page.Lead, &page.Support}
	var next [2]string
	for i, role := range []string{store.RoleLead, store.RoleSupport} {
		tiers, count, overdue := tiersOf(cal, groups, role, today)
		lists[i].Count, lists[i].Overdue = count, overdue
		views, cursor, err := s.ministryList(r, p.Body, role, tiers, after[i], cfg, now)
		if err != nil {
			s.dbFail(w, r, err)
			return
		}
		lists[i].Tasks, next[i] = views, cursor
	}
	// Each list's next page keeps the other list where it is.
	for i, role := range []string{store.RoleLead, store.RoleSupport} {
		if next[i] == "" {
			continue
		}
		v := url.Values{}
		v.Set(role, next[i])
		other := []string{store.RoleLead, store.RoleSupport}[1-i]
		if c := q.Get(other); c != "" {
			v.Set(other, c)
		}
		lists[i].Next = "/m/?" + v.Encode() + "#" + role
	}
	s.render(w, r, http.StatusOK, "ministry.html", page)
}

// A tier is the ministry's tasks (in one role) that share a next deadline
// and whether it is missed: the page lists the tiers in order (overdue,
// the longest overdue first; then due soonest; then those without a
// deadline) and each tier's tasks in document order. Deadlines are not
// stored per task: they follow from the task's (document, stage) group
// and, for the follow-up procedure's date, its paragraph, so a tier is a
// set of groups and the database finds its tasks through the index on
// (document_id, stage).
type tier struct {
	key    string // sorts in the page's order
	groups []store.GroupSel
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

// tiersOf sorts the ministry's groups of one role into tiers, and counts
// its tasks in that role and the overdue ones, from the groups' counts.
func tiersOf(cal *workflow.Calendar, groups []store.MinistryGroup, role string, today civil.Date) (tiers []tier, count, overdue int) {
	byKey := map[string]*tier{}
	for _, g := range groups {
		if g.Role != role {
			continue
		}
		var paras []int
		if g.Doc.FollowUp != nil {
			paras = g.Doc.FollowUp.Paragraphs
		}
		sel := store.GroupSel{Document: g.Document, Stage: g.Stage}
		paragraph := 0 // no recommendation has paragraph 0: none of the follow-up's
		switch {
		case len(paras) == 0:
		case g.FollowUp:
			sel.Paragraphs, paragraph = paras, paras[0]
		default:
			sel.Except = paras
		}
		d, ok := workflow.Next(cal.Group(g.Doc, g.Stage), paragraph, today)
		key := tierKey(d, ok, today)
		count += g.Count
		if ok && d.Overdue(today) {
			overdue += g.Count
		}
		t := byKey[key]
		if t == nil {
			t = &tier{key: key}
			byKey[key] = t
		}
		t.groups = append(t.groups, sel)
	}
	for _, t := range byKey {
		tiers = append(tiers, *t)
	}
	slices.SortFunc(tiers, func(a, b tier) int { return cmp.Compare(a.key, b.key) })
	return tiers, count, overdue
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

// ministryList reads one page of a list: the tiers from the cursor on,
// each in document order, until the page is full, and one task more to
// know whether a next page exists. A page reads about as many tasks as it
// shows, whatever the ministry's size.
func (s *Server) ministryList(r *http.Request, ministry, role string, tiers []tier, after tierCursor, cfg *config.Config, now time.Time) ([]taskView, string, error) {
	var views []taskView
	var cursors []tierCursor
	for _, t := range tiers {
		if after.key != "" && t.key < after.key {
			continue
		}
		var from store.MinistryPos
		if t.key == after.key {
			from = after.pos
		}
		tasks, pos, err := s.db.MinistryTaskPage(r.Context(), ministry, role, t.groups, from.Document, from.Seq, ministryPageSize+1-len(views))
		if err != nil {
			return nil, "", err
		}
		for i, mt := range tasks {
			views = append(views, s.viewOf(cfg, mt.Task, role, now))
			cursors = append(cursors, tierCursor{key: t.key, pos: pos[i]})
		}
		if len(views) > ministryPageSize {
			return views[:ministryPageSize], cursors[ministryPageSize-1].String(), nil
		}
	}
	return views, "", nil
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
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, msgNoTask)
		return t, "", false
	}
	if err != nil {
		s.dbFail(w, r, err)
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
	Done      string // what was just recorded
	Form      formState
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

var doneMessages = map[string]string{
	"update":   "Your progress update was recorded. The coordinating body will see it, and your ministry's focal points get a receipt by e-mail.",
	"stage":    "The task was moved. The coordinating body will see it, and your ministry's focal points get a receipt by e-mail.",
	"not-ours": "Your request was sent to the coordinating body, which decides. Your ministry's focal points get a receipt by e-mail.",
}

func (s *Server) showTask(w http.ResponseWriter, r *http.Request, status int, t workflow.Task, role string, form formState) {
	p, _ := PrincipalFrom(r.Context())
	cfg := s.Config()
	ctx := r.Context()
	page := taskPage{taskView: s.viewOf(cfg, t, role, s.clock.Now()), Deadlines: workflow.Deadlines(cfg, t),
		MaxFile: sizeText(maxFileSize), Form: form, Done: doneMessages[r.URL.Query().Get("done")]}
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
	if role == store.RoleLead {
		for _, id := range workflow.AllowedNext(cfg, t.Stage, t.Rec.Status) {
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

// dbFail answers a database error the user cannot do anything about.
func (s *Server) dbFail(w http.ResponseWriter, r *http.Request, err error) {
	s.logger.Error("database", "path", r.URL.Path, "err", err)
	s.fail(w, r, http.StatusServiceUnavailable, "The server cannot reach its database right now. Nothing was saved; please try again in a few minutes.")
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
		form.Error = "Only the lead ministry moves a task; as a supporting ministry, record a progress update instead."
		s.showTask(w, r, http.StatusForbidden, t, role, form)
		return
	}
	by := s.actor(r, form.Name)
	if by.Name == "" {
		form.Error = "Write your name: the record says who moved the task."
		s.showTask(w, r, http.StatusUnprocessableEntity, t, role, form)
		return
	}
	if len(by.Name) > maxName {
		form.Error = "The name is too long."
		s.showTask(w, r, http.StatusUnprocessableEntity, t, role, form)
		return
	}
	cfg := s.Config()
	moved, err := s.db.AdvanceAs(r.Context(), strconv.FormatInt(t.ID, 10), form.Stage, by, "from the web page", func(cur workflow.Task) error {
		return workflow.CheckTransition(cfg, cur, form.Stage)
	})
	var te *workflow.TransitionError
	if errors.As(err, &te) {
		form.Error = "This task cannot move to that stage. " + allowedText(cfg, t)
		s.showTask(w, r, http.StatusUnprocessableEntity, t, role, form)
		return
	}
	if err != nil {
		s.dbFail(w, r, err)
		return
	}
	s.logger.Info("task moved", "task", t.Rec.ID, "from", t.Stage, "to", moved.Stage, "by", by.Name, "focal_point", by.FocalPoint, "client", by.ClientAddr)
	from, to := stageName(cfg, t.Stage), stageName(cfg, moved.Stage)
	s.receipt(r, t, "stage", fmt.Sprintf("%s moved the task from %q to %q.", by.Name, from, to))
	http.Redirect(w, r, fmt.Sprintf("/m/task/%d?done=stage", t.ID), http.StatusSeeOther)
}

func stageName(cfg *config.Config, id string) string {
	if st, ok := cfg.Stage(id); ok {
		return st.Name
	}
	return id
}

func allowedText(cfg *config.Config, t workflow.Task) string {
	var names []string
	for _, id := range workflow.AllowedNext(cfg, t.Stage, t.Rec.Status) {
		names = append(names, stageName(cfg, id))
	}
	if len(names) == 0 {
		return "From its stage it cannot move any further."
	}
	return "From " + strconv.Quote(stageName(cfg, t.Stage)) + " it can move to: " + strings.Join(names, ", ") + "."
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
		form.Error = "Write your name: the record says who asked."
	case len(by.Name) > maxName:
		form.Error = "The name is too long."
	case !known || form.Other == cfg.Coordinator.ID || form.Other == p.Body:
		form.Error = "Choose the ministry you believe this task belongs to."
	case strings.TrimSpace(form.Reason) == "":
		form.Error = "Say why: the coordinating body decides from your reason."
	case len(form.Reason) > maxText:
		form.Error = fmt.Sprintf("The reason is too long (at most %d characters).", maxText)
	}
	if form.Error != "" {
		s.showTask(w, r, http.StatusUnprocessableEntity, t, role, form)
		return
	}
	if _, err := s.db.AddOwnershipRequest(r.Context(), store.OwnershipRequest{TaskID: t.ID, Ministry: p.Body, Proposed: other.ID,
		Reason: form.Reason, By: by}); err != nil {
		s.dbFail(w, r, err)
		return
	}
	s.logger.Info("not-ours request", "task", t.Rec.ID, "ministry", p.Body, "proposed", other.ID, "by", by.Name, "client", by.ClientAddr)
	s.receipt(r, t, "not-ours", fmt.Sprintf("%s asked the coordinating body to give the task to %s, because:\n\n%s", by.Name, other.Name, strings.TrimSpace(form.Reason)))
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
	if errors.Is(err, store.ErrNotFound) || (err == nil && e.Kind != store.EvidenceFile) {
		s.fail(w, r, http.StatusNotFound, "There is no such file.")
		return
	}
	if err != nil {
		s.dbFail(w, r, err)
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
func (s *Server) today() civil.Date { return workflow.Today(s.Config(), s.clock.Now()) }
