package web

// The coordinating body's dashboard (/c/…): the report countdown, progress
// by ministry as SVG bars, what waits for a decision, recent updates and
// every task with filters. Its figures are the coordinator overview's
// (plan.NewOverview): the page and the weekly e-mail never disagree.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
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
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/report"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// dashState is what the dashboard keeps between requests: the overview,
// which reads every open task (0.3 s at 100,000 tasks), rebuilt only when
// a task changed (store.ChangeMark), the day turned, the config was
// reloaded, or a minute passed (for what no task event marks, such as
// failed deliveries), and never more often than ten times its own build
// time. One build at a time: concurrent requests wait for it rather than
// each starting their own.
type dashState struct {
	mu    sync.Mutex
	mark  int64
	day   civil.Date
	cfg   *config.Config
	built time.Time
	// The last build's end and duration on the real clock: the cost of a
	// build is real work, whatever the daemon's clock says.
	builtReal time.Time
	took      time.Duration
	ov        *plan.Overview
	overdue   []store.GroupSel
	// The parts of the page drawn from the overview, rendered once per
	// build: rendering them took two thirds of a request's time.
	parts dashParts
}

// dashParts are the dashboard's sections drawn from the overview, as
// HTML: the reports and progress, the overdue and unassigned lists, and
// what changed.
type dashParts struct {
	Top, Lists, Changes template.HTML
}

// bigBuild is a build long enough to have grown the heap noticeably.
const bigBuild = 100 * time.Millisecond

// overviewMaxAge bounds how stale the dashboard's figures may be when no
// task changed.
const overviewMaxAge = time.Minute

// dashListed is how many tasks each dashboard list shows before "all …".
const dashListed = 10

func (s *Server) dashboardRoutes(mux *http.ServeMux) {
	if s.dash == nil {
		s.dash = &dashState{}
	}
	c := s.coordinatorOnly
	mux.HandleFunc("GET /c/{$}", c(s.handleDashboard))
	mux.HandleFunc("GET /c/tasks", c(s.handleDashTasks))
	mux.HandleFunc("GET /c/tasks.csv", c(s.handleDashCSV))
	mux.HandleFunc("GET /c/task/{id}", c(s.handleDashTask))
	mux.HandleFunc("POST /c/task/{id}/stage", c(s.handleDashStage))
	mux.HandleFunc("POST /c/task/{id}/assign", c(s.handleDashAssign))
	mux.HandleFunc("POST /c/update/{id}/public", c(s.handleDashPublic))
	mux.HandleFunc("POST /c/request/{id}/decide", c(s.handleDashDecide))
	mux.HandleFunc("GET /c/evidence/{id}", c(s.handleDashEvidence))
	mux.HandleFunc("POST /c/report/{id}", c(s.handleDashReport))
	mux.HandleFunc("GET /c/report/{id}/draft/{n}", c(s.handleDashDraft))
	// The address the dashboard's links drafted at, before a draft needed
	// a POST: a bookmark of it leads to the dashboard's reports.
	mux.HandleFunc("GET /c/report/{id}", c(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/c/#reports", http.StatusSeeOther)
	}))
}

// overview returns the cached overview, the overdue groups and the
// rendered parts of the page, building them when stale.
func (s *Server) overview(ctx context.Context) (*plan.Overview, []store.GroupSel, dashParts, error) {
	cfg := s.Config()
	now := s.clock.Now()
	mark, err := s.db.ChangeMark(ctx)
	if err != nil {
		return nil, nil, dashParts{}, err
	}
	d := s.dash
	d.mu.Lock()
	defer d.mu.Unlock()
	day := workflow.Today(cfg.Location, now)
	if d.ov != nil && d.day == day && d.cfg == cfg {
		age := now.Sub(d.built)
		// Unchanged and fresh; or changed, but rebuilt so recently that
		// another build now would keep the database busy more than a
		// tenth of the time (a build holds its only connection: 0.3 s at
		// 100,000 tasks, 2 s or more at a million, while ministries may
		// record something every few seconds).
		if d.mark == mark && age < overviewMaxAge || time.Since(d.builtReal) < 10*d.took {
			return d.ov, d.overdue, d.parts, nil
		}
	}
	start := time.Now()
	var ov *plan.Overview
	err = s.db.Read(ctx, func(r plan.Reader) error {
		var err error
		ov, err = plan.NewOverview(ctx, cfg, r, now, time.Time{})
		return err
	})
	if err != nil {
		return nil, nil, dashParts{}, fmt.Errorf("work out the overview: %w", err)
	}
	sel := make([]store.GroupSel, 0, len(ov.OverdueGroups))
	for _, g := range ov.OverdueGroups {
		sel = append(sel, store.GroupSel{Document: g.Document, Stage: g.Stage, Paragraphs: g.Paragraphs, Except: g.Except})
	}
	parts, err := s.renderParts(cfg, ov)
	if err != nil {
		return nil, nil, dashParts{}, err
	}
	d.mark, d.day, d.cfg, d.built, d.ov, d.overdue, d.parts = mark, day, cfg, now, ov, sel, parts
	d.builtReal, d.took = time.Now(), time.Since(start)
	if d.took > bigBuild {
		// A build over many tasks leaves a large heap behind, and
		// SQLite's page cache what its statements read; hand them back,
		// as the daemon does after a sweep, so that an idle daemon stays
		// small.
		s.releaseMemory(context.WithoutCancel(ctx))
	}
	return ov, sel, parts, nil
}

// renderParts renders the overview's sections of the page.
func (s *Server) renderParts(cfg *config.Config, ov *plan.Overview) (dashParts, error) {
	p := s.overviewPage(cfg, ov)
	pages, err := s.pagesIn(coordLang(cfg)) // the parts are kept for every coordinator's request
	if err != nil {
		return dashParts{}, err
	}
	t, ok := pages["dashboard.html"]
	if !ok {
		return dashParts{}, fmt.Errorf("no template dashboard.html")
	}
	var parts dashParts
	for name, dst := range map[string]*template.HTML{"dash-top": &parts.Top, "dash-lists": &parts.Lists, "dash-changes": &parts.Changes} {
		var buf bytes.Buffer
		if err := t.t.ExecuteTemplate(&buf, name, p); err != nil {
			return parts, fmt.Errorf("render the dashboard's %s: %w", name, err)
		}
		*dst = template.HTML(buf.String()) // html/template escaped it
	}
	return parts, nil
}

// dashboardPage is the data of dashboard.html.
type dashboardPage struct {
	Title      string
	Today      civil.Date
	Reports    []reportView
	Stages     []stageKey
	Bars       []progressBar
	Total      int
	Open       int
	Overdue    []listedView
	OverdueN   int
	Unassigned []listedView
	UnassignN  int
	Requests   []requestView
	Updates    []updateView
	Changes    []plan.Event
	ChangesN   int
	Failures   []plan.Delivery
	Mail       store.MailState // the daemon alive, mail going out: read at each request, never cached
	Parts      dashParts
	AsOf       time.Time  // when the overview's figures were worked out
	Groups     groupsView // cluster suggestions and clusters (clusters.go)
}

type reportView struct {
	plan.Countdown
	Late    int // days past the due date
	Formats []string
}

// stageKey is a stage in the bars' legend, with its colour.
type stageKey struct {
	ID, Name, Colour string
	Final            bool
}

// progressBar is one owner's stacked bar: each segment is a stage's share,
// in percent of the widest owner's total, drawn as SVG rects.
type progressBar struct {
	Owner, Name         string
	Open, Closed, Total int
	Overdue             int
	Segments            []segment
	Link                string
	Summary             string
}

type segment struct {
	X, W   float64
	Colour string
	Title  string
}

// listedView is a task in one of the dashboard's short lists.
type listedView struct {
	ID       int64
	RecID    string
	Label    string
	Text     string
	Owner    string
	Stage    string
	Deadline string
	Overdue  bool
}

type requestView struct {
	store.OwnershipRequest
	MinistryName, ProposedName string
}

type updateView struct {
	store.Update
	MinistryName string
	Files, Links int // the evidence attached: files, and links to elsewhere
}

// stageColours are the bars' colours, in the config's stage order: a
// sequence dark enough on white (WCAG non-text contrast 3:1) and told
// apart without colour by the legend's order and the bars' titles.
var stageColours = []string{"#5c6bc0", "#0277bd", "#00838f", "#ef6c00", "#6d4c41", "#2e7d32", "#558b2f", "#7b1fa2", "#455a64", "#ad1457", "#37474f", "#827717"}

// stageKeys are the legend of the progress bars: the stages the overview
// counts (the config's, and where a task nobody owns stands).
func (s *Server) stageKeys(cfg *config.Config, stages []config.Stage) []stageKey {
	var out []stageKey
	for i, st := range stages {
		out = append(out, stageKey{ID: st.ID, Name: st.Label(coordLang(cfg)), Colour: stageColours[i%len(stageColours)], Final: st.Final})
	}
	return out
}

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cfg := s.Config()
	ov, _, parts, err := s.overview(ctx)
	if err != nil {
		s.dbError(w, r, err)
		return
	}
	p := dashboardPage{Title: s.tr(r, "Dashboard"), Today: ov.Today, Total: ov.TotalTasks, Open: ov.OpenTasks, Parts: parts, AsOf: ov.At}
	reqs, err := s.db.OwnershipRequests(ctx, store.OwnershipFilter{OnlyOpen: true})
	if err != nil {
		s.dbError(w, r, err)
		return
	}
	for _, q := range reqs {
		p.Requests = append(p.Requests, requestView{OwnershipRequest: q, MinistryName: dashBodyName(cfg, q.Ministry), ProposedName: dashBodyName(cfg, q.Proposed)})
	}
	ups, err := s.db.RecentUpdates(ctx, dashListed)
	if err != nil {
		s.dbError(w, r, err)
		return
	}
	for _, u := range ups {
		v := updateView{Update: u, MinistryName: dashBodyName(cfg, u.Ministry)}
		for _, e := range u.Evidence {
			if e.Kind == store.EvidenceFile {
				v.Files++
			} else {
				v.Links++
			}
		}
		p.Updates = append(p.Updates, v)
	}
	if p.Mail, err = s.db.MailState(ctx, cfg.Schedules.Heartbeat, s.clock.Now()); err != nil {
		s.dbError(w, r, err)
		return
	}
	if p.Groups, err = s.groups(ctx, s.pageLang(r)); err != nil {
		s.dbError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "dashboard.html", p)
}

// overviewPage is the data of the page's parts drawn from the overview.
func (s *Server) overviewPage(cfg *config.Config, ov *plan.Overview) dashboardPage {
	p := dashboardPage{Today: ov.Today, Stages: s.stageKeys(cfg, ov.Stages), Total: ov.TotalTasks, Open: ov.OpenTasks,
		OverdueN: ov.Overdue.Total, UnassignN: ov.Unassigned.Total, Changes: ov.Changes, ChangesN: ov.ChangesTotal, Failures: ov.Failures}
	for _, c := range ov.Reports {
		p.Reports = append(p.Reports, reportView{Countdown: c, Late: max(0, -c.DaysLeft), Formats: []string{"docx", "md"}})
	}
	widest := 1
	for _, pr := range ov.Progress {
		widest = max(widest, pr.Total)
	}
	for _, pr := range ov.Progress {
		b := progressBar{Owner: pr.Owner, Name: pr.Name, Open: pr.Open, Closed: pr.Closed, Total: pr.Total, Overdue: pr.Overdue}
		if pr.Owner == "" {
			b.Name = dashBodyName(cfg, "") // the overview's "Unassigned" is English
		}
		owner := pr.Owner
		if owner == "" {
			owner = "unassigned"
		}
		b.Link = "/c/tasks?" + url.Values{"ministry": {owner}}.Encode()
		x := 0.0
		var parts []string
		for i, n := range pr.Counts {
			if n == 0 {
				continue
			}
			wd := 100 * float64(n) / float64(widest)
			b.Segments = append(b.Segments, segment{X: x, W: wd, Colour: p.Stages[i].Colour, Title: fmt.Sprintf("%s: %d", p.Stages[i].Name, n)})
			parts = append(parts, fmt.Sprintf("%s %d", p.Stages[i].Name, n))
			x += wd
		}
		b.Summary = strings.Join(parts, ", ")
		p.Bars = append(p.Bars, b)
	}
	p.Overdue = s.listed(cfg, ov.Overdue, ov.Today)
	p.Unassigned = s.listed(cfg, ov.Unassigned, ov.Today)
	return p
}

func (s *Server) listed(cfg *config.Config, l plan.TaskList, today civil.Date) []listedView {
	var out []listedView
	w := notify.WordingFor(coordLang(cfg), cfg.Stages)
	for i, t := range l.Tasks {
		if i == dashListed {
			break
		}
		v := listedView{ID: t.Task.ID, RecID: t.Task.RecID, Label: plan.ParagraphLabel(t.Task.Paragraph, t.Task.Item), Text: notify.Shorten(t.Task.Text, 160),
			Owner: dashBodyName(cfg, t.Task.Owner), Stage: dashShownStage(cfg, t.Task.Owner, t.Task.Stage)}
		if t.HasNext {
			v.Deadline = w.Label(t.Next.Label) + ", " + w.Date(t.Next.Date)
			v.Overdue = t.Next.Overdue(today)
		}
		out = append(out, v)
	}
	return out
}

// --- the task list ---------------------------------------------------------

// sectionsCache keeps the sections of every document while no
// recommendation was added or changed (store.RecommendationsMark): listing
// them reads every recommendation, which the task list must not pay at each
// request.
type sectionsCache struct {
	mu   sync.Mutex
	mark [2]int64
	ok   bool
	secs []store.Section
}

// allSections returns the sections of every document (store.Sections).
func (s *Server) allSections(ctx context.Context) ([]store.Section, error) {
	mark, err := s.db.RecommendationsMark(ctx)
	if err != nil {
		return nil, err
	}
	c := &s.sections
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ok && c.mark == mark {
		return c.secs, nil
	}
	secs, err := s.db.Sections(ctx, "")
	if err != nil {
		return nil, err
	}
	c.mark, c.ok, c.secs = mark, true, secs
	return secs, nil
}

// taskFilter is the list's filters as the form sends them.
type taskFilter struct {
	Ministry, Stage, Document, Section, Q string
	Tags                                  tagValues
	Overdue                               bool
	After                                 string
}

func filterOf(v url.Values) taskFilter {
	return taskFilter{Ministry: v.Get("ministry"), Stage: v.Get("stage"), Document: v.Get("document"), Section: v.Get("section"),
		Q: strings.TrimSpace(v.Get("q")), Tags: tagValuesOf(v), Overdue: v.Get("overdue") == "1", After: v.Get("after")}
}

func (f taskFilter) values() url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"ministry": f.Ministry, "stage": f.Stage, "document": f.Document, "section": f.Section, "q": f.Q} {
		if x != "" {
			v.Set(k, x)
		}
	}
	f.Tags.set(v)
	if f.Overdue {
		v.Set("overdue", "1")
	}
	return v
}

// query checks the filters against the config and turns them into a
// store query; a value the form never offers is refused (422) rather than
// silently ignored.
func (s *Server) query(ctx context.Context, cfg *config.Config, f taskFilter) (store.TaskQuery, tagOptions, error) {
	q := store.TaskQuery{Owner: f.Ministry, Stage: f.Stage, Document: f.Document, Section: f.Section, Text: f.Q, After: f.After, Limit: 50}
	lang := coordLang(cfg)
	facets, err := s.db.TagFacets(ctx, 0)
	if err != nil {
		return q, tagOptions{}, err
	}
	var opts tagOptions
	if q.Tags, opts, err = tagFilter(f.Tags, facets, lang); err != nil {
		return q, opts, err
	}
	if f.Ministry != "" && f.Ministry != "unassigned" {
		if _, ok := cfg.Ministry(f.Ministry); !ok {
			return q, opts, &filterError{tr(lang, "There is no ministry “%s”.", f.Ministry)}
		}
	}
	if f.Stage != "" {
		if _, ok := cfg.Stage(f.Stage); !ok {
			return q, opts, &filterError{tr(lang, "There is no stage “%s”.", f.Stage)}
		}
	}
	if len(f.Q) > 200 {
		return q, opts, &filterError{tr(lang, "The search text is too long (%d characters at most).", 200)}
	}
	if f.Overdue {
		_, groups, _, err := s.overview(ctx)
		if err != nil {
			return q, opts, err
		}
		q.InGroups, q.Groups = true, groups
	}
	return q, opts, nil
}

// filterError refuses a filter the form never offers, in the
// coordinator's language.
type filterError struct{ msg string }

func (e *filterError) Error() string { return e.msg }

// tasksPage is the data of dashboard_tasks.html.
type tasksPage struct {
	Title      string
	Filter     taskFilter
	Ministries []option
	Stages     []option
	Documents  []option
	Sections   []option
	Tags       tagOptions
	Tasks      []taskRowView
	Total      int
	Capped     bool
	Next       string
	First      string
	CSV        string
	Error      string
}

type option struct {
	Value, Label string
	Selected     bool
}

type taskRowView struct {
	store.DashTask
	Label, OwnerName, SupportNames, StageName string
	Tags                                      string // its tags on one line
}

func (s *Server) handleDashTasks(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cfg := s.Config()
	f := filterOf(r.URL.Query())
	// The same page for the same coordinator (the layout names them), in
	// the same language, while nothing it shows changed, is sent again
	// as it was rendered.
	var st *taskListState
	var key string
	if !f.Overdue {
		var err error
		if st, err = s.taskListState(ctx, cfg); err != nil {
			s.dbError(w, r, err)
			return
		}
		who, _ := PrincipalFrom(ctx)
		v := f.values()
		if f.After != "" {
			v.Set("after", f.After)
		}
		key = s.pageLang(r) + "\x00" + who.Body + "\x00" + who.FocalPoint + "\x00" + v.Encode()
		if b, ok := st.page(key); ok {
			writePage(w, http.StatusOK, b)
			return
		}
	}
	p := tasksPage{Title: s.tr(r, "All tasks"), Filter: f}
	p.Ministries = append(p.Ministries, option{"", s.tr(r, "Any ministry"), f.Ministry == ""}, option{"unassigned", s.tr(r, "Unassigned"), f.Ministry == "unassigned"})
	for _, b := range append([]config.Body{cfg.Coordinator}, cfg.Ministries...) {
		p.Ministries = append(p.Ministries, option{b.ID, b.Name, f.Ministry == b.ID})
	}
	p.Stages = append(p.Stages, option{"", s.tr(r, "Any stage"), f.Stage == ""})
	for _, st := range cfg.Stages {
		p.Stages = append(p.Stages, option{st.ID, dashStageName(cfg, st.ID), f.Stage == st.ID})
	}
	facets, err := s.db.Facets(ctx)
	if err != nil {
		s.dbError(w, r, err)
		return
	}
	p.Documents = append(p.Documents, option{"", s.tr(r, "Any document"), f.Document == ""})
	for _, d := range facets.Documents {
		p.Documents = append(p.Documents, option{d.Symbol, d.Symbol, f.Document == d.Symbol})
	}
	// The sections of the document chosen, or of every document: each
	// with its subsections under it, which the filter matches too.
	var secs []store.Section
	if f.Document != "" {
		secs, err = s.db.Sections(ctx, f.Document)
	} else {
		secs, err = s.allSections(ctx)
	}
	if err != nil {
		s.dbError(w, r, err)
		return
	}
	if len(secs) > 0 {
		p.Sections = append(p.Sections, option{"", s.tr(r, "Any section"), f.Section == ""})
	}
	chosen := false // a name both a section and a subsection: choose it once
	opt := func(value, label string) option {
		o := option{value, label, !chosen && f.Section == value}
		chosen = chosen || o.Selected
		return o
	}
	for _, sec := range secs {
		if sec.Name != "" {
			p.Sections = append(p.Sections, opt(sec.Name, sec.Name))
		}
		for _, sub := range sec.Subsections {
			// Indented under its section: a select shows no other nesting.
			p.Sections = append(p.Sections, opt(sub, "\u00a0\u00a0\u00a0\u00a0"+sub))
		}
	}
	q, tagOpts, err := s.query(ctx, cfg, f)
	p.Tags = tagOpts
	var fe *filterError
	if errors.As(err, &fe) {
		p.Error = err.Error()
		s.render(w, r, http.StatusUnprocessableEntity, "dashboard_tasks.html", p)
		return
	}
	if err != nil {
		s.dbError(w, r, err)
		return
	}
	page, err := s.db.TaskList(ctx, q)
	if errors.Is(err, store.ErrInvalid) {
		p.Error = s.tr(r, "This page address is damaged; start again from the first page.")
		s.render(w, r, statusOf(err), "dashboard_tasks.html", p)
		return
	}
	if err != nil {
		s.dbError(w, r, err)
		return
	}
	tags, err := s.taskTags(ctx, page.Tasks)
	if err != nil {
		s.dbError(w, r, err)
		return
	}
	for _, t := range page.Tasks {
		var sup []string
		for _, id := range t.Support {
			sup = append(sup, dashBodyName(cfg, id))
		}
		t.Text = notify.Shorten(t.Text, 240)
		p.Tasks = append(p.Tasks, taskRowView{DashTask: t, Label: plan.ParagraphLabel(t.Paragraph, t.Item), OwnerName: dashBodyName(cfg, t.Owner),
			SupportNames: strings.Join(sup, ", "), StageName: dashShownStage(cfg, t.Owner, t.Stage), Tags: tagLine(tags[t.ID], coordLang(cfg))})
	}
	p.Total, p.Capped = page.Total, page.TotalCapped
	v := f.values()
	p.CSV = "/c/tasks.csv?" + v.Encode()
	if f.After != "" {
		p.First = "/c/tasks?" + v.Encode()
	}
	if page.Next != "" {
		v.Set("after", page.Next)
		p.Next = "/c/tasks?" + v.Encode()
	}
	b, err := s.renderPage(r, "dashboard_tasks.html", p)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if st != nil {
		st.keep(key, b)
	}
	writePage(w, http.StatusOK, b)
}

func (s *Server) handleDashCSV(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cfg := s.Config()
	f := filterOf(r.URL.Query())
	f.After = ""
	q, _, err := s.query(ctx, cfg, f)
	var fe *filterError
	if errors.As(err, &fe) {
		s.fail(w, r, http.StatusUnprocessableEntity, err.Error())
		return
	}
	if err != nil {
		s.dbError(w, r, err)
		return
	}
	name := "followup-tasks-" + workflow.Today(cfg.Location, s.clock.Now()).String() + ".csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	if err := WriteTasksCSV(ctx, w, s.db, cfg, q); err != nil {
		// Headers are gone: the download ends short, and the log says why.
		s.logger.Error("export tasks as CSV", "err", err)
	}
}

// --- one task ----------------------------------------------------------------

// dashTaskPage is the data of dashboard_task.html.
type dashTaskPage struct {
	Title      string
	Task       workflow.Task
	Label      string
	OwnerName  string
	Support    []string
	StageName  string
	Deadlines  []workflow.Deadline
	Next       []option
	Ministries []option
	SupportOpt []option
	Updates    []updateView
	History    []store.Event
	Requests   []requestView
	Notice     string
	Error      string
	Cluster    *store.Cluster // the group the task is in
}

// taskOf reads the task of the URL's {id}; false when the page was
// answered (404 for an id that is not a task).
func (s *Server) taskOf(w http.ResponseWriter, r *http.Request) (workflow.Task, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, http.StatusNotFound, "There is no such task.")
		return workflow.Task{}, false
	}
	t, err := s.db.Task(r.Context(), strconv.FormatInt(id, 10))
	if err != nil {
		s.storeFail(w, r, err, failTexts{notFound: "There is no such task."})
		return t, false
	}
	return t, true
}

func (s *Server) handleDashTask(w http.ResponseWriter, r *http.Request) {
	t, ok := s.taskOf(w, r)
	if !ok {
		return
	}
	s.renderDashTask(w, r, http.StatusOK, t, r.URL.Query().Get("done"), "")
}

// notices say what was just done (English; s.tr translates).
var notices = map[string]string{
	"stage":   "The task was moved.",
	"assign":  "The assignment was saved.",
	"public":  "The update's visibility was saved.",
	"decided": "The decision was recorded.",
}

func (s *Server) renderDashTask(w http.ResponseWriter, r *http.Request, status int, t workflow.Task, done, errText string) {
	ctx := r.Context()
	cfg := s.Config()
	p := dashTaskPage{Title: t.Rec.ID, Task: t, Label: plan.ParagraphLabel(t.Rec.Paragraph, t.Rec.Item), OwnerName: dashBodyName(cfg, t.Owner),
		StageName: dashShownStage(cfg, t.Owner, t.Stage), Deadlines: cfg.Calendar().Deadlines(t), Error: errText}
	if n, ok := notices[done]; ok {
		p.Notice = s.tr(r, n)
	}
	for _, id := range t.Support {
		p.Support = append(p.Support, dashBodyName(cfg, id))
	}
	for _, id := range workflow.AllowedNext(cfg.Stages, t.Stage, t.Rec.Status) {
		p.Next = append(p.Next, option{id, dashStageName(cfg, id), false})
	}
	p.Ministries = append(p.Ministries, option{"", s.tr(r, "Unassigned (the coordinating body holds it)"), t.Owner == ""})
	for _, b := range cfg.Ministries {
		p.Ministries = append(p.Ministries, option{b.ID, b.Name, t.Owner == b.ID})
		p.SupportOpt = append(p.SupportOpt, option{b.ID, b.Name, slices.Contains(t.Support, b.ID)})
	}
	ups, err := s.db.TaskUpdates(ctx, t.ID)
	if err != nil {
		s.dbError(w, r, err)
		return
	}
	for _, u := range ups {
		p.Updates = append(p.Updates, updateView{Update: u, MinistryName: dashBodyName(cfg, u.Ministry)})
	}
	if p.History, err = s.db.History(ctx, t.ID); err != nil {
		s.dbError(w, r, err)
		return
	}
	if c, in, err := s.db.ClusterOf(ctx, t.ID); err != nil {
		s.dbError(w, r, err)
		return
	} else if in {
		p.Cluster = &c
	}
	reqs, err := s.db.OwnershipRequests(ctx, store.OwnershipFilter{TaskID: t.ID})
	if err != nil {
		s.dbError(w, r, err)
		return
	}
	for _, q := range reqs {
		p.Requests = append(p.Requests, requestView{OwnershipRequest: q, MinistryName: dashBodyName(cfg, q.Ministry), ProposedName: dashBodyName(cfg, q.Proposed)})
	}
	s.render(w, r, status, "dashboard_task.html", p)
}

// done redirects to the task's page after a change (POST, then GET: a
// reload does not send the form again).
func done(w http.ResponseWriter, r *http.Request, taskID int64, what string) {
	http.Redirect(w, r, fmt.Sprintf("/c/task/%d?done=%s", taskID, what), http.StatusSeeOther)
}

func (s *Server) handleDashStage(w http.ResponseWriter, r *http.Request) {
	t, ok := s.taskOf(w, r)
	if !ok || !s.parseSmallForm(w, r) {
		return
	}
	cfg := s.Config()
	by := s.actor(r, r.PostFormValue("name"))
	if by.Name == "" {
		s.renderDashTask(w, r, http.StatusUnprocessableEntity, t, "", s.tr(r, "Write your name: every change records who made it."))
		return
	}
	to := r.PostFormValue("to")
	_, err := s.db.Advance(r.Context(), strconv.FormatInt(t.ID, 10), to, by, strings.TrimSpace(r.PostFormValue("note")), func(cur workflow.Task) error {
		return workflow.CheckTransition(cfg.Stages, cur, to)
	})
	var te *workflow.TransitionError
	switch {
	case errors.As(err, &te):
		s.renderDashTask(w, r, http.StatusUnprocessableEntity, t, "", s.allowedText(r, cfg, t))
	case err != nil:
		s.dbError(w, r, err)
	default:
		s.logger.Info("task moved", "task", t.Rec.ID, "from", t.Stage, "to", to, "by", by.Name, "focal_point", by.FocalPoint)
		done(w, r, t.ID, "stage")
	}
}

func (s *Server) handleDashAssign(w http.ResponseWriter, r *http.Request) {
	t, ok := s.taskOf(w, r)
	if !ok || !s.parseSmallForm(w, r) {
		return
	}
	cfg := s.Config()
	by := s.actor(r, r.PostFormValue("name"))
	if by.Name == "" {
		s.renderDashTask(w, r, http.StatusUnprocessableEntity, t, "", s.tr(r, "Write your name: every change records who made it."))
		return
	}
	owner, support, unknown := leadAndSupport(cfg, r, "owner", true)
	if unknown != nil {
		s.renderDashTask(w, r, http.StatusUnprocessableEntity, t, "", s.tr(r, "There is no ministry “%s”.", *unknown))
		return
	}
	if _, err := s.db.Assign(r.Context(), strconv.FormatInt(t.ID, 10), owner, support, by, r.PostFormValue("note")); err != nil {
		s.dbError(w, r, err)
		return
	}
	s.logger.Info("task assigned", "task", t.Rec.ID, "owner", owner, "support", strings.Join(support, ","), "by", by.Name, "focal_point", by.FocalPoint)
	done(w, r, t.ID, "assign")
}

// leadAndSupport reads a form's lead ministry (its field lead) and
// supporting ministries (field support, without the lead nor repeats).
// unknown is the first that is not one of cfg's ministries, nil when all
// are; an empty lead is one when noLead is false.
func leadAndSupport(cfg *config.Config, r *http.Request, lead string, noLead bool) (string, []string, *string) {
	owner := r.PostFormValue(lead)
	var support []string
	for _, id := range r.PostForm["support"] {
		if id != owner && !slices.Contains(support, id) {
			support = append(support, id)
		}
	}
	for _, id := range append([]string{owner}, support...) {
		if id == "" && noLead {
			continue
		}
		if _, ok := cfg.Ministry(id); !ok || id == cfg.Coordinator.ID {
			return owner, support, &id
		}
	}
	return owner, support, nil
}

// decision reads a form's yes-or-no answer for the record id in the path,
// with the name of who answers: the coordinator's decisions on an update
// or a request. It answers the request itself (404 for an id that names
// nothing, 413, 422) and returns false when the form is not complete.
func (s *Server) decision(w http.ResponseWriter, r *http.Request, notFound, field, yes, no, choose string) (id int64, by store.Actor, answer, ok bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, http.StatusNotFound, notFound)
		return 0, by, false, false
	}
	if !s.parseSmallForm(w, r) {
		return 0, by, false, false
	}
	by = s.actor(r, r.PostFormValue("name"))
	if by.Name == "" {
		s.fail(w, r, http.StatusUnprocessableEntity, "Write your name: every decision records who made it.")
		return 0, by, false, false
	}
	switch r.PostFormValue(field) {
	case yes:
		return id, by, true, true
	case no:
		return id, by, false, true
	}
	s.fail(w, r, http.StatusUnprocessableEntity, choose)
	return 0, by, false, false
}

func (s *Server) handleDashPublic(w http.ResponseWriter, r *http.Request) {
	id, by, public, ok := s.decision(w, r, "There is no such progress update.", "public", "1", "0", "Choose whether the update is public.")
	if !ok {
		return
	}
	taskID, err := s.db.SetUpdatePublic(r.Context(), id, public, by)
	if err != nil {
		s.storeFail(w, r, err, failTexts{notFound: "There is no such progress update."})
		return
	}
	done(w, r, taskID, "public")
}

func (s *Server) handleDashDecide(w http.ResponseWriter, r *http.Request) {
	id, by, agree, ok := s.decision(w, r, "There is no such request.", "decision", "agree", "refuse", "Choose to agree or to refuse.")
	if !ok {
		return
	}
	// The request's task, for the page to go back to (requests are few:
	// they wait for a person's decision).
	reqs, err := s.db.OwnershipRequests(r.Context(), store.OwnershipFilter{})
	if err != nil {
		s.dbError(w, r, err)
		return
	}
	i := slices.IndexFunc(reqs, func(q store.OwnershipRequest) bool { return q.ID == id })
	if i < 0 {
		s.fail(w, r, http.StatusNotFound, "There is no such request.")
		return
	}
	err = s.db.DecideOwnership(r.Context(), id, agree, by, strings.TrimSpace(r.PostFormValue("note")))
	switch {
	case err != nil:
		s.storeFail(w, r, err, failTexts{notFound: "There is no such request.", conflict: "This request was already decided."})
	default:
		s.logger.Info("ownership request decided", "request", id, "agree", agree, "by", by.Name, "focal_point", by.FocalPoint)
		done(w, r, reqs[i].TaskID, "decided")
	}
}

// handleDashEvidence serves an attached file to the coordinator, as a
// download: its stored type, never rendered in the site's origin.
func (s *Server) handleDashEvidence(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, http.StatusNotFound, "There is no such file.")
		return
	}
	e, _, err := s.db.EvidenceData(r.Context(), id)
	switch {
	case err != nil:
		s.storeFail(w, r, err, failTexts{notFound: "There is no such file."})
		return
	case e.Kind != store.EvidenceFile:
		s.fail(w, r, http.StatusNotFound, "There is no such file.")
		return
	}
	serveFile(w, e)
}

// handleDashReport drafts a report of the config (.docx by default,
// format=md), records it with its bytes and the coordinator's focal point
// as its drafter, and sends the browser to its download. Making a draft
// writes, so it is a POST from the dashboard's form: a link followed by
// a browser, a mail scanner or another site's page records nothing.
func (s *Server) handleDashReport(w http.ResponseWriter, r *http.Request) {
	cfg := s.Config()
	id := r.PathValue("id")
	if !slices.ContainsFunc(cfg.Reports, func(rep config.Report) bool { return rep.ID == id }) {
		s.fail(w, r, http.StatusNotFound, "There is no such report in the config.")
		return
	}
	if !s.parseSmallForm(w, r) {
		return
	}
	f := report.Format(r.PostFormValue("format"))
	if f == "" {
		f = report.DOCX
	}
	if f != report.DOCX && f != report.Markdown {
		s.fail(w, r, http.StatusUnprocessableEntity, "A draft is offered as docx or md.")
		return
	}
	p, _ := PrincipalFrom(r.Context())
	req := report.Request{Options: report.Options{Report: id, Now: s.clock.Now(), RepairText: true}, Format: f, By: p.FocalPoint}
	rendered, err := report.Render(r.Context(), s.db, cfg, req)
	if err != nil {
		s.logger.Error("draft report", "report", id, "err", err)
		s.fail(w, r, http.StatusUnprocessableEntity, "The draft could not be made: %s", err.Error())
		return
	}
	d, err := rendered.Keep(r.Context(), s.db)
	if err != nil {
		s.dbError(w, r, err)
		return
	}
	s.logger.Info("report drafted", "report", id, "draft", d.N, "format", string(f), "by", p.FocalPoint)
	http.Redirect(w, r, fmt.Sprintf("/c/report/%s/draft/%d", url.PathEscape(id), d.N), http.StatusSeeOther)
}

// handleDashDraft sends a draft recorded by handleDashReport, as a
// download; it writes nothing, so it may be fetched again.
func (s *Server) handleDashDraft(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n <= 0 {
		s.fail(w, r, http.StatusNotFound, "There is no such file.")
		return
	}
	d, data, err := s.db.DraftFile(r.Context(), id, n)
	switch {
	case err != nil:
		s.storeFail(w, r, err, failTexts{notFound: "There is no such file."})
		return
	case data == nil:
		// data is nil for a draft the command line wrote to a file.
		s.fail(w, r, http.StatusNotFound, "There is no such file.")
		return
	}
	f := report.Format(d.Format)
	w.Header().Set("Content-Type", f.ContentType())
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-draft-%d.%s"`, url.PathEscape(id), d.N, f))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data) // the client went away: it may fetch the draft again
}
