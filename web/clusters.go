package web

// Groups of the same ask (clusters, DESIGN.md decision 16) on the pages.
// The coordinating body sees the current suggestions on its dashboard,
// accepts them (store.AcceptSuggestion, the one way a suggestion becomes
// a cluster, as on the command line) and edits the clusters on their
// page (/c/cluster/…). The lead and supporting ministries see a cluster
// on theirs (/m/cluster/…) and record there, once, a progress update and
// a stage move that are recorded against every member.

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/followup-app/followup/cluster"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// dashSuggestions is how many open suggestions the dashboard shows; the
// others are a command away (followup cluster suggest).
const dashSuggestions = 20

// dashClusters is how many groups the dashboard lists, the newest: with
// thousands (a million tasks), listing them all took a second a page.
const dashClusters = 50

// suggestCache keeps what the dashboard's suggestions are made from.
// Suggesting compares every recommendation with every other, seconds for
// a few thousand, and its result changes only with the recommendations
// (their texts and tags), not with the progress recorded on them; so the
// result is kept while the recommendations read the same (a digest of
// package cluster's items, read again only when something changed,
// store.ChangeMark), and only which clusters hold the members is read at
// each request.
type suggestCache struct {
	mu     sync.Mutex
	mark   int64
	ok     bool
	digest [sha256.Size]byte
	res    cluster.Result
	err    error // too many recommendations to compare (ErrInvalid)
}

// suggestions returns the current suggestions over every recommendation.
// Too many recommendations to compare at once is an ErrInvalid kept like
// a result: the section says so.
func (s *Server) suggestions(ctx context.Context) ([]store.Suggestion, error) {
	mark, err := s.db.ChangeMark(ctx)
	if err != nil {
		return nil, err
	}
	c := &s.suggest
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.ok || c.mark != mark {
		items, err := s.db.ClusterItems(ctx, store.SuggestFilter{})
		switch {
		case errors.Is(err, store.ErrInvalid):
			c.mark, c.ok, c.res, c.err = mark, true, cluster.Result{}, err
		case err != nil:
			return nil, err
		default:
			if d := itemsDigest(items); !c.ok || c.err != nil || d != c.digest {
				c.res, c.digest = cluster.Suggest(items, cluster.Options{}), d
			}
			c.mark, c.ok, c.err = mark, true, nil
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	return s.db.Decided(ctx, c.res)
}

// itemsDigest is a digest of everything Suggest reads of the items.
func itemsDigest(items []cluster.Item) [sha256.Size]byte {
	h := sha256.New()
	for _, it := range items {
		fmt.Fprintf(h, "%q %q %q %q %q %q %q\n", it.ID, it.Symbol, it.Body, it.Language, it.Text, it.States, it.Themes)
	}
	var d [sha256.Size]byte
	h.Sum(d[:0])
	return d
}

// groupsView is the dashboard's section "Groups of the same ask".
type groupsView struct {
	Suggestions []suggestionView
	More        int    // open suggestions not shown
	TooMany     string // why there are no suggestions to show, when too many to compare
	Clusters    []store.Cluster
	// ClustersTotal counts every group; ClustersMore those not listed.
	ClustersTotal, ClustersMore int
}

type suggestionView struct {
	Key, Name, Reason string
	Score             string
	Members           []memberRef
}

// memberRef is a recommendation named for people: "UPR 2025, A/HRC/59/15,
// 140.6", with its task.
type memberRef struct {
	RecID  string
	Ref    string
	TaskID int64
	Taken  bool // another cluster holds it: accepting leaves it out
}

// groups reads the dashboard's section.
func (s *Server) groups(ctx context.Context, lang string) (groupsView, error) {
	var g groupsView
	sugs, err := s.suggestions(ctx)
	if errors.Is(err, store.ErrInvalid) {
		g.TooMany = tr(lang, "There are too many recommendations to compare at once: suggest groups for one State's with followup cluster suggest --state NAME.")
	} else if err != nil {
		return g, err
	}
	var open []store.Suggestion
	for _, sg := range sugs {
		if sg.Open() {
			open = append(open, sg)
		}
	}
	if len(open) > dashSuggestions {
		g.More = len(open) - dashSuggestions
		open = open[:dashSuggestions]
	}
	var ids []string
	for _, sg := range open {
		ids = append(ids, sg.Members...)
	}
	refs, err := s.db.MembersByRec(ctx, ids)
	if err != nil {
		return g, err
	}
	for _, sg := range open {
		v := suggestionView{Key: sg.Key, Name: suggestionName(lang, sg.Suggestion), Reason: suggestionReason(lang, sg.Suggestion),
			Score: strconv.FormatFloat(sg.Score, 'f', 2, 64)}
		for _, id := range sg.Members {
			m := refs[id]
			ref := id
			if m.RecID != "" {
				ref = m.Ref()
			}
			v.Members = append(v.Members, memberRef{RecID: id, Ref: ref, TaskID: m.TaskID, Taken: slices.Contains(sg.Taken, id)})
		}
		g.Suggestions = append(g.Suggestions, v)
	}
	if g.Clusters, err = s.db.Clusters(ctx, store.ClusterFilter{Limit: dashClusters}); err != nil {
		return g, err
	}
	g.ClustersTotal = len(g.Clusters)
	if len(g.Clusters) == dashClusters {
		if g.ClustersTotal, err = s.db.ClusterCount(ctx, store.ClusterFilter{}); err != nil {
			return g, err
		}
	}
	g.ClustersMore = g.ClustersTotal - len(g.Clusters)
	return g, nil
}

// suggestionName is a suggestion's name in lang: a treaty to join is
// named in the page's words; otherwise the name is the words the members
// share, in their own language.
func suggestionName(lang string, sg cluster.Suggestion) string {
	if sg.Why.Ratify != "" {
		return tr(lang, "ratify the %s", cluster.TreatyName(sg.Why.Ratify, lang))
	}
	return sg.Name
}

// suggestionReason says in lang why a suggestion's members go together,
// as cluster's Reason says it in English.
func suggestionReason(lang string, sg cluster.Suggestion) string {
	w := sg.Why
	var parts []string
	if len(w.Treaties) > 0 {
		names := make([]string, len(w.Treaties))
		for i, k := range w.Treaties {
			names[i] = cluster.TreatyName(k, lang)
		}
		parts = append(parts, tr(lang, "shared treaty: %s", strings.Join(names, ", ")))
	}
	if len(w.Terms) > 0 {
		parts = append(parts, tr(lang, "shared terms: %s", strings.Join(w.Terms, ", ")))
	}
	if len(w.Themes) > 0 {
		parts = append(parts, tr(lang, "shared themes: %s", strings.Join(w.Themes, ", ")))
	}
	from := tr(lang, "%d recommendations", len(sg.Members)) + " " + tr(lang, "from %d documents", w.Documents)
	if len(w.Bodies) > 0 {
		from += " (" + strings.Join(w.Bodies, ", ") + ")"
	}
	return strings.Join(append(parts, from), "; ")
}

// clusterOf reads the cluster of the URL's {id}; false when the page was
// answered. Only a number names a cluster in a URL (the store would take
// a name too): anything else is not found.
func (s *Server) clusterOf(w http.ResponseWriter, r *http.Request, say failTexts) (store.ClusterDetail, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.storeFail(w, r, store.ErrNotFound, say)
		return store.ClusterDetail{}, false
	}
	d, err := s.db.Cluster(r.Context(), strconv.FormatInt(id, 10))
	if err != nil {
		s.storeFail(w, r, err, say)
		return d, false
	}
	return d, true
}

const (
	msgNoCluster   = "There is no such group of recommendations."
	msgNoOwnGroup  = "There is no such group among the groups of your ministry."
	msgNeedName    = "Write your name: every change records who made it."
	msgGroupChange = "The recommendations changed since this page was shown; reload it and choose again."
)

// --- the coordinating body --------------------------------------------------

func (s *Server) clusterRoutes(mux *http.ServeMux) {
	c := s.coordinatorOnly
	mux.HandleFunc("POST /c/clusters/accept", c(s.handleAccept))
	mux.HandleFunc("GET /c/cluster/{id}", c(s.handleDashCluster))
	mux.HandleFunc("POST /c/cluster/{id}/rename", c(s.handleClusterRename))
	mux.HandleFunc("POST /c/cluster/{id}/remove", c(s.handleClusterRemove))
	mux.HandleFunc("POST /c/cluster/{id}/lead", c(s.handleClusterLead))
	m := s.ministryOnly
	mux.HandleFunc("GET /m/cluster/{id}", m(s.handleMinistryCluster))
	mux.HandleFunc("POST /m/cluster/{id}/update", m(s.handleClusterUpdate))
}

// handleAccept accepts a suggestion of the dashboard.
func (s *Server) handleAccept(w http.ResponseWriter, r *http.Request) {
	if !s.parseSmallForm(w, r) {
		return
	}
	by := s.actor(r, r.PostFormValue("name"))
	key := strings.TrimSpace(r.PostFormValue("key"))
	switch {
	case by.Name == "":
		s.fail(w, r, http.StatusUnprocessableEntity, msgNeedName)
		return
	case len(by.Name) > maxName:
		s.fail(w, r, http.StatusUnprocessableEntity, "The name is too long.")
		return
	case key == "":
		s.fail(w, r, http.StatusUnprocessableEntity, "Choose a suggestion to accept.")
		return
	}
	spec := store.ClusterSpec{Name: strings.TrimSpace(r.PostFormValue("group"))}
	if spec.Name == "" {
		// The group takes the name the page showed, in its language.
		if sugs, err := s.suggestions(r.Context()); err == nil {
			for _, sg := range sugs {
				if sg.Key == key {
					spec.Name = suggestionName(s.pageLang(r), sg.Suggestion)
				}
			}
		}
	}
	c, _, err := s.db.AcceptSuggestion(r.Context(), store.SuggestFilter{}, key, spec, by)
	var te *store.SuggestionTakenError
	switch {
	case errors.As(err, &te) && te.Cluster != 0:
		s.fail(w, r, http.StatusConflict, "This suggestion was accepted already.")
	case errors.As(err, &te):
		s.fail(w, r, http.StatusConflict, "Other groups hold these recommendations already: there are fewer than two left to group.")
	case err != nil:
		s.storeFail(w, r, err, failTexts{notFound: msgGroupChange, conflict: msgGroupChange,
			invalid: "The group could not be made: its name is empty, too long (at most 200 characters) or another group's."})
	default:
		s.logger.Info("cluster suggestion accepted", "suggestion", key, "cluster", c.ID, "members", c.Members, "by", by.Name, "focal_point", by.FocalPoint)
		http.Redirect(w, r, fmt.Sprintf("/c/cluster/%d?done=accepted", c.ID), http.StatusSeeOther)
	}
}

// clusterPage is the data of cluster.html, for the coordinating body
// (Coordinator) and for a ministry.
type clusterPage struct {
	Coordinator bool
	Cluster     store.ClusterDetail
	LeadName    string
	Support     []string
	Role        string // the ministry's: lead or support
	Members     []memberView
	Next        *workflow.Deadline // the members' nearest deadline
	Overdue     bool
	Updates     []store.Update
	History     []clusterEventView
	Ministries  []option // the lead to choose
	SupportOpt  []option
	NextSteps   []option // stages every member may move to
	MaxFile     string
	MaxFiles    int
	Done        string
	Form        formState
}

type memberView struct {
	store.ClusterMember
	Ref       string
	StageName string
	OwnerName string
	Link      string // its task's page, when the reader may open it
	Next      *workflow.Deadline
	Overdue   bool
}

type clusterEventView struct {
	store.ClusterEvent
	What string
}

// clusterNotices say what was just done on a cluster's page (English;
// s.tr translates).
var clusterNotices = map[string]string{
	"accepted": "The suggestion was accepted: this group now holds its recommendations, and their lead and supporting ministries are the group's.",
	"renamed":  "The group was renamed.",
	"removed":  "The recommendation left the group; it keeps its history and its updates.",
	"lead":     "The lead and supporting ministries were saved, for every recommendation of the group.",
	"update":   "Your progress update was recorded against every recommendation of the group. The coordinating body will see it, and your ministry's focal points get a receipt by e-mail.",
	"stage":    "The recommendations of the group were moved. The coordinating body will see it, and your ministry's focal points get a receipt by e-mail.",
	"both":     "Your progress update was recorded and the recommendations were moved, for every recommendation of the group. Your ministry's focal points get a receipt by e-mail.",
}

// clusterData reads what both pages of a cluster show. tasks are the
// members' tasks, by task id.
func (s *Server) clusterData(ctx context.Context, r *http.Request, d store.ClusterDetail, body string) (clusterPage, map[int64]workflow.Task, error) {
	cfg := s.Config()
	lang := s.pageLang(r)
	p := clusterPage{Cluster: d, LeadName: dashBodyNameIn(cfg, d.Lead, lang), MaxFile: sizeText(maxFileSize), MaxFiles: maxFiles}
	if msg, ok := clusterNotices[r.URL.Query().Get("done")]; ok {
		p.Done = s.tr(r, msg)
	}
	for _, id := range d.Support {
		p.Support = append(p.Support, dashBodyNameIn(cfg, id, lang))
	}
	now := s.clock.Now()
	today := workflow.Today(cfg.Location, now)
	cal := cfg.Calendar()
	tasks := map[int64]workflow.Task{}
	for _, m := range d.Members {
		t, err := s.db.Task(ctx, strconv.FormatInt(m.TaskID, 10))
		if err != nil {
			return p, nil, err
		}
		tasks[m.TaskID] = t
		v := memberView{ClusterMember: m, Ref: m.Ref(), StageName: cfg.ShownStage(t.Owner, t.Stage).Label(lang), OwnerName: dashBodyNameIn(cfg, t.Owner, lang)}
		switch {
		case body == "":
			v.Link = fmt.Sprintf("/c/task/%d", m.TaskID)
		case t.Owner == body || slices.Contains(t.Support, body):
			v.Link = fmt.Sprintf("/m/task/%d", m.TaskID)
		}
		if dl, ok := cal.NextDeadline(t, today); ok {
			v.Next, v.Overdue = &dl, dl.Overdue(today)
			if p.Next == nil || dl.Date.Before(p.Next.Date) {
				p.Next, p.Overdue = v.Next, v.Overdue
			}
		}
		p.Members = append(p.Members, v)
	}
	ups, err := s.db.ClusterUpdates(ctx, d.ID)
	if err != nil {
		return p, nil, err
	}
	p.Updates = ups
	w := notify.WordingFor(lang, cfg.Stages)
	for _, e := range d.Events {
		v := clusterEventView{ClusterEvent: e, What: clusterEventText(cfg, w, e)}
		// The store's notes on how a cluster was made and who chose its
		// lead are words of its own: say them in the page's language.
		switch {
		case e.Kind == "created" && strings.HasPrefix(e.Note, "suggestion "):
			v.Note = tr(lang, "Accepted from the suggestion %s.", strings.TrimPrefix(e.Note, "suggestion "))
		case e.Kind == "lead" && e.Note == workflow.LeadByRule:
			v.Note = tr(lang, "Chosen by the rule: the ministry that owned most of the recommendations.")
		case e.Kind == "lead":
			v.Note = tr(lang, "Chosen by %s.", e.Note)
		case e.Kind == "stage":
			v.Note = "" // "2 of 2 members …", in English: the members' stages are listed above
		}
		p.History = append(p.History, v)
	}
	return p, tasks, nil
}

// clusterEventText says what an entry of a cluster's history records, in
// w's language.
func clusterEventText(cfg *config.Config, w notify.Wording, e store.ClusterEvent) string {
	lang := w.Lang
	switch e.Kind {
	case "created":
		return tr(lang, "The group “%s” was made.", e.To)
	case "renamed":
		return tr(lang, "Renamed from “%s” to “%s”.", e.From, e.To)
	case "lead":
		return tr(lang, "Lead and supporting ministries") + fromTo(cfg, w, "assign", "", e.To)
	case "joined":
		return tr(lang, "%s joined the group.", e.RecID)
	case "left":
		return tr(lang, "%s left the group.", e.RecID)
	case "update":
		return tr(lang, "Progress update by %s, recorded for every recommendation.", dashBodyNameIn(cfg, e.To, lang))
	case "stage":
		return tr(lang, "Moved to “%s”.", w.Stage(e.To))
	}
	return e.Kind
}

func (s *Server) handleDashCluster(w http.ResponseWriter, r *http.Request) {
	d, ok := s.clusterOf(w, r, failTexts{notFound: msgNoCluster})
	if !ok {
		return
	}
	s.renderDashCluster(w, r, http.StatusOK, d, formState{})
}

func (s *Server) renderDashCluster(w http.ResponseWriter, r *http.Request, status int, d store.ClusterDetail, form formState) {
	cfg := s.Config()
	p, _, err := s.clusterData(r.Context(), r, d, "")
	if err != nil {
		s.dbError(w, r, err)
		return
	}
	p.Coordinator, p.Form = true, form
	for _, b := range cfg.Ministries {
		p.Ministries = append(p.Ministries, option{b.ID, b.Name, d.Lead == b.ID})
		p.SupportOpt = append(p.SupportOpt, option{b.ID, b.Name, slices.Contains(d.Support, b.ID)})
	}
	s.render(w, r, status, "cluster.html", p)
}

// clusterForm reads a coordinator's form on a cluster's page and who
// sends it; false when the request was answered.
func (s *Server) clusterForm(w http.ResponseWriter, r *http.Request, which string) (store.ClusterDetail, store.Actor, formState, bool) {
	d, ok := s.clusterOf(w, r, failTexts{notFound: msgNoCluster})
	if !ok || !s.parseSmallForm(w, r) {
		return d, store.Actor{}, formState{}, false
	}
	form := formState{Which: which, Name: r.PostFormValue("name"), Text: r.PostFormValue("group"), Other: r.PostFormValue("rec")}
	by := s.actor(r, form.Name)
	switch {
	case by.Name == "":
		form.Error = s.tr(r, msgNeedName)
	case len(by.Name) > maxName:
		form.Error = s.tr(r, "The name is too long.")
	}
	if form.Error != "" {
		s.renderDashCluster(w, r, http.StatusUnprocessableEntity, d, form)
		return d, by, form, false
	}
	return d, by, form, true
}

// clusterChanged answers a coordinator's change of a cluster: back to
// its page, saying what was done, or the page with why it was refused
// (refused, in the page's language).
func (s *Server) clusterChanged(w http.ResponseWriter, r *http.Request, d store.ClusterDetail, form formState, err error, done, refused string) {
	switch {
	case errors.Is(err, store.ErrInvalid) || errors.Is(err, store.ErrConflict):
		form.Error = refused
		s.renderDashCluster(w, r, statusOf(err), d, form)
	case err != nil:
		s.dbError(w, r, err)
	default:
		s.logger.Info("cluster changed", "cluster", d.ID, "change", done, "focal_point", form.Name)
		http.Redirect(w, r, fmt.Sprintf("/c/cluster/%d?done=%s", d.ID, done), http.StatusSeeOther)
	}
}

func (s *Server) handleClusterRename(w http.ResponseWriter, r *http.Request) {
	d, by, form, ok := s.clusterForm(w, r, "rename")
	if !ok {
		return
	}
	_, err := s.db.RenameCluster(r.Context(), strconv.FormatInt(d.ID, 10), form.Text, by)
	s.clusterChanged(w, r, d, form, err, "renamed",
		s.tr(r, "The name is empty, too long (at most 200 characters) or another group's. Nothing was saved."))
}

func (s *Server) handleClusterRemove(w http.ResponseWriter, r *http.Request) {
	d, by, form, ok := s.clusterForm(w, r, "remove")
	if !ok {
		return
	}
	if !slices.ContainsFunc(d.Members, func(m store.ClusterMember) bool { return m.RecID == form.Other }) {
		form.Error = s.tr(r, "This recommendation is not in the group. Nothing was saved.")
		s.renderDashCluster(w, r, http.StatusUnprocessableEntity, d, form)
		return
	}
	_, err := s.db.RemoveFromCluster(r.Context(), strconv.FormatInt(d.ID, 10), []string{form.Other}, by)
	s.clusterChanged(w, r, d, form, err, "removed", s.tr(r, "This recommendation is not in the group. Nothing was saved."))
}

func (s *Server) handleClusterLead(w http.ResponseWriter, r *http.Request) {
	d, by, form, ok := s.clusterForm(w, r, "lead")
	if !ok {
		return
	}
	cfg := s.Config()
	lead, support, unknown := leadAndSupport(cfg, r, "lead", false)
	if unknown != nil {
		form.Error = s.tr(r, "There is no ministry “%s”.", *unknown)
		s.renderDashCluster(w, r, http.StatusUnprocessableEntity, d, form)
		return
	}
	_, err := s.db.SetClusterLead(r.Context(), strconv.FormatInt(d.ID, 10), lead, support, by)
	s.clusterChanged(w, r, d, form, err, "lead", s.tr(r, "Nothing was saved."))
}

// --- the ministries ------------------------------------------------------

// ownCluster reads the cluster of the URL's {id} if the session's
// ministry leads or supports it; anything else is 404, as for tasks, so
// that another ministry's clusters cannot be told from ids that do not
// exist.
func (s *Server) ownCluster(w http.ResponseWriter, r *http.Request) (store.ClusterDetail, string, bool) {
	p, _ := PrincipalFrom(r.Context())
	d, ok := s.clusterOf(w, r, failTexts{notFound: msgNoOwnGroup, unavailable: msgNothingSent})
	if !ok {
		return d, "", false
	}
	switch {
	case d.Lead == p.Body:
		return d, store.RoleLead, true
	case slices.Contains(d.Support, p.Body):
		return d, store.RoleSupport, true
	}
	s.fail(w, r, http.StatusNotFound, msgNoOwnGroup)
	return d, "", false
}

func (s *Server) handleMinistryCluster(w http.ResponseWriter, r *http.Request) {
	d, role, ok := s.ownCluster(w, r)
	if !ok {
		return
	}
	s.showMinistryCluster(w, r, http.StatusOK, d, role, formState{})
}

func (s *Server) showMinistryCluster(w http.ResponseWriter, r *http.Request, status int, d store.ClusterDetail, role string, form formState) {
	p, _ := PrincipalFrom(r.Context())
	page, tasks, err := s.clusterData(r.Context(), r, d, p.Body)
	if err != nil {
		s.dbFail(w, r, err)
		return
	}
	page.Role, page.Form = role, form
	if role == store.RoleLead {
		for _, id := range clusterNextStages(s.Config(), tasks) {
			page.NextSteps = append(page.NextSteps, option{id, stageLabel(s.Config(), id, s.pageLang(r)), id == form.Stage})
		}
	}
	s.render(w, r, status, "cluster.html", page)
}

// clusterNextStages are the stages the whole cluster may move to: those
// every member not in it already may enter, and that some member is not
// in yet.
func clusterNextStages(cfg *config.Config, tasks map[int64]workflow.Task) []string {
	var out []string
	for _, st := range cfg.Stages {
		some, all := false, true
		for _, t := range tasks {
			if t.Stage == st.ID {
				continue
			}
			some = true
			if workflow.CheckTransition(cfg.Stages, t, st.ID) != nil {
				all = false
				break
			}
		}
		if some && all {
			out = append(out, st.ID)
		}
	}
	return out
}

// clusterUploadFields are the text fields of a cluster's form.
var clusterUploadFields = []string{"cluster", "name", "text", "done_on", "links", "stage"}

// handleClusterUpdate records, from one form, a progress update (text,
// files, links) and a stage move, each against every member of the
// cluster: the update in one transaction (AddClusterUpdate), then the
// move in another (AdvanceCluster). The move is checked against every
// member before anything is written, so that an update is not recorded
// with a move that is then refused.
func (s *Server) handleClusterUpdate(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	leave, ok := s.enterUpload(w, r)
	if !ok {
		return
	}
	defer leave()
	d, role, ok := s.ownCluster(w, r)
	if !ok {
		return
	}
	up, err := readUpload(w, r, filepath.Dir(s.db.Path()), clusterUploadFields)
	if up != nil {
		defer up.close()
	}
	if s.uploadFailed(w, r, err, func(status int, form formState) { s.showMinistryCluster(w, r, status, d, role, form) }) {
		return
	}
	f := up.fields
	if f["cluster"] != strconv.FormatInt(d.ID, 10) {
		s.fail(w, r, http.StatusNotFound, msgNoOwnGroup)
		return
	}
	form := formState{Which: "update", Name: f["name"], Text: f["text"], DoneOn: f["done_on"], Links: f["links"], Stage: strings.TrimSpace(f["stage"])}
	by := s.actor(r, form.Name)
	u := store.Update{Ministry: p.Body, Role: role, FocalPoint: by.FocalPoint, Author: by.Name, ClientAddr: by.ClientAddr, Text: form.Text}
	hasUpdate := strings.TrimSpace(form.Text) != "" || strings.TrimSpace(form.Links) != "" || strings.TrimSpace(form.DoneOn) != "" || len(up.files) > 0
	cfg := s.Config()
	switch {
	case !hasUpdate && form.Stage == "":
		form.Error = s.tr(r, "Write what was done, or choose the stage to move the recommendations to.")
	case hasUpdate && strings.TrimSpace(form.Text) == "":
		form.Error = s.tr(r, "Write what was done: an update needs its text.")
	case by.Name == "":
		form.Error = s.tr(r, "Write your name: the record says who reported it.")
	case len(by.Name) > maxName:
		form.Error = s.tr(r, "The name is too long.")
	case form.Stage != "" && role != store.RoleLead:
		form.Error = s.tr(r, "Only the lead ministry moves a task; as a supporting ministry, record a progress update instead.")
	}
	if form.Error == "" && hasUpdate {
		form.Error = s.updateDetails(r, form, &u, up)
	}
	var moveFrom string
	if form.Error == "" && form.Stage != "" {
		_, tasks, err := s.clusterData(r.Context(), r, d, p.Body)
		if err != nil {
			s.dbFail(w, r, err)
			return
		}
		if !slices.Contains(clusterNextStages(cfg, tasks), form.Stage) {
			form.Error = s.tr(r, "The recommendations of the group cannot all move to that stage.")
		}
		for _, t := range tasks {
			moveFrom = t.Stage
			break
		}
	}
	if form.Error != "" {
		form.Error += " " + s.tr(r, "Nothing was saved.")
		status := http.StatusUnprocessableEntity
		if form.Stage != "" && role != store.RoleLead {
			status = http.StatusForbidden
		}
		s.showMinistryCluster(w, r, status, d, role, form)
		return
	}
	first, err := s.db.Task(r.Context(), strconv.FormatInt(d.Members[0].TaskID, 10))
	if err != nil {
		s.dbFail(w, r, err)
		return
	}
	done := "stage"
	if hasUpdate {
		done = "update"
		receipt := s.clusterReceipt(r, d, first, notify.ReceiptData{Kind: notify.ReceiptUpdate, Actor: by.Name, Text: form.Text})
		if len(up.files) > 0 {
			s.uploads.write.Lock() // one update with files written at a time (handleUpdate says why)
			defer s.uploads.write.Unlock()
		}
		if _, _, err := s.db.AddClusterUpdate(r.Context(), d.ID, u, receipt...); err != nil {
			s.dbFail(w, r, err)
			return
		}
		s.logger.Info("progress update on a cluster", "cluster", d.ID, "members", len(d.Members), "ministry", p.Body, "by", by.Name,
			"files", len(up.files), "client", by.ClientAddr)
	}
	if form.Stage != "" {
		receipt := s.clusterReceipt(r, d, first, notify.ReceiptData{Kind: notify.ReceiptStage, Actor: by.Name, From: moveFrom, To: form.Stage})
		_, err := s.db.AdvanceCluster(r.Context(), d.ID, form.Stage, by, "from the group's web page", func(t workflow.Task) error {
			return workflow.CheckTransition(cfg.Stages, t, form.Stage)
		}, receipt...)
		if err != nil {
			// Another change came between the check and the move.
			var me *store.ClusterMoveError
			if errors.As(err, &me) || errors.Is(err, store.ErrConflict) {
				form = formState{Which: "update", Error: s.tr(r, "The recommendations of the group cannot all move to that stage.")}
				if hasUpdate {
					form.Error += " " + s.tr(r, "Your progress update was recorded.")
				}
				s.showMinistryCluster(w, r, http.StatusConflict, d, role, form)
				return
			}
			s.dbFail(w, r, err)
			return
		}
		s.logger.Info("cluster moved", "cluster", d.ID, "to", form.Stage, "by", by.Name, "focal_point", by.FocalPoint, "client", by.ClientAddr)
		if hasUpdate {
			done = "both"
		}
	}
	http.Redirect(w, r, fmt.Sprintf("/m/cluster/%d?done=%s", d.ID, done), http.StatusSeeOther)
}

// clusterReceipt is the receipt of a change made on a cluster: about its
// first member's document, naming the cluster, with a link to its page.
func (s *Server) clusterReceipt(r *http.Request, d store.ClusterDetail, first workflow.Task, data notify.ReceiptData) []store.OutboxMessage {
	var docs []string
	for _, m := range d.Members {
		if !slices.Contains(docs, m.Symbol) {
			docs = append(docs, m.Symbol)
		}
	}
	return s.receiptAbout(r, first, data, receiptSubject{
		what: d.Name, docs: strings.Join(docs, ", "), url: fmt.Sprintf("%s/m/cluster/%d", s.Config().Web.BaseURL, d.ID)})
}

// EvidenceBase is where the cluster page's files are served to its reader
// (the "updates" template).
func (p clusterPage) EvidenceBase() string {
	if p.Coordinator {
		return "/c"
	}
	return "/m"
}
