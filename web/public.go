package web

// The public progress page (web.public: true; off by default, and then
// every /public/ address is 404): per document and recommendation, the
// stage and the progress updates the coordinator marked public. No names
// or addresses of people: an update shows the body that recorded it and
// its dates, never its author, focal point or client address.

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
)

func (s *Server) publicRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /public/{$}", s.publicOnly(s.handlePublicIndex))
	mux.HandleFunc("GET /public/doc/{id}", s.publicOnly(s.handlePublicDoc))
}

// publicOnly serves h when the admin turned the public page on.
func (s *Server) publicOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r = withLang(r, publicLang(s.Config(), r.URL.Query().Get("lang")))
		if !s.Config().Web.Public {
			s.fail(w, r, http.StatusNotFound, "There is no page at this address.")
			return
		}
		h(w, r)
	}
}

type publicIndex struct {
	Documents []store.DocFacet
}

// publicLang is the public pages' language: the one the reader chose
// (?lang=, from the links atop each page) when the pages are written in
// it, else the coordinating body's, which is the State's choice.
func publicLang(cfg *config.Config, asked string) string {
	if slices.Contains(pageLanguages, asked) {
		return asked
	}
	return coordLang(cfg)
}

func (s *Server) handlePublicIndex(w http.ResponseWriter, r *http.Request) {
	f, err := s.db.Facets(r.Context())
	if err != nil {
		s.dbError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "public.html", publicIndex{Documents: f.Documents})
}

// publicDoc is the data of public_doc.html.
type publicDoc struct {
	Title    string
	Doc      store.DocFacet
	Sections []publicSection
	// The tag filters: what the form offers, what was chosen, and a
	// value it never offers, refused.
	Tags   tagOptions
	Filter tagValues
	Error  string
}

type publicSection struct {
	Name string
	Recs []publicRec
}

// publicRec is a recommendation on the public page; Stage and Owner are
// ids, which the page names in its language.
type publicRec struct {
	ID, Label, Text, Stage, Owner string
	Updates                       []publicUpdate
}

// publicUpdate is an update as the public sees it: no person in it.
type publicUpdate struct {
	Body   string // the id of the body that recorded it
	At     time.Time
	DoneOn civil.Date
	Text   string
	Links  []store.Evidence // links only: files stay with the coordinating body
}

// publicDocLimit bounds a document's page: concluding observations hold
// tens of recommendations, a UPR report a few hundred.
const publicDocLimit = 2000

func (s *Server) handlePublicDoc(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cfg := s.Config()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, http.StatusNotFound, "There is no such document.")
		return
	}
	f, err := s.db.Facets(ctx)
	if err != nil {
		s.dbError(w, r, err)
		return
	}
	var doc *store.DocFacet
	for i := range f.Documents {
		if f.Documents[i].ID == id {
			doc = &f.Documents[i]
		}
	}
	if doc == nil {
		s.fail(w, r, http.StatusNotFound, "There is no such document.")
		return
	}
	p := publicDoc{Title: doc.Symbol, Doc: *doc, Filter: tagValuesOf(r.URL.Query())}
	facets, err := s.db.TagFacets(ctx, doc.ID)
	if err != nil {
		s.dbError(w, r, err)
		return
	}
	tags, opts, err := tagFilter(p.Filter, facets, s.pageLang(r))
	p.Tags = opts
	if err != nil {
		p.Error = err.Error()
		s.render(w, r, http.StatusUnprocessableEntity, "public_doc.html", p)
		return
	}
	byTask := map[int64]*publicRec{}
	var sections []string
	secRecs := map[string][]*publicRec{}
	err = s.db.EachTask(ctx, store.TaskQuery{Document: doc.Symbol, Tags: tags, Limit: publicDocLimit}, func(t store.DashTask) error {
		pr := &publicRec{ID: t.RecID, Label: plan.ParagraphLabel(t.Paragraph, t.Item), Text: t.Text, Stage: t.Stage, Owner: t.Owner}
		byTask[t.ID] = pr
		if _, ok := secRecs[t.Section]; !ok {
			sections = append(sections, t.Section)
		}
		secRecs[t.Section] = append(secRecs[t.Section], pr)
		return nil
	})
	if err != nil {
		s.dbError(w, r, err)
		return
	}
	err = s.db.Updates(ctx, store.UpdateFilter{DocumentID: doc.ID, OnlyPublic: true}, func(u store.Update) error {
		pr := byTask[u.TaskID]
		if pr == nil {
			return nil
		}
		pu := publicUpdate{Body: u.Ministry, At: u.At.In(cfg.Location), DoneOn: u.DoneOn, Text: u.Text}
		for _, e := range u.Evidence {
			if e.Kind == store.EvidenceLink {
				pu.Links = append(pu.Links, e)
			}
		}
		pr.Updates = append(pr.Updates, pu)
		return nil
	})
	if err != nil {
		s.dbError(w, r, err)
		return
	}
	for _, sec := range sections {
		ps := publicSection{Name: sec}
		for _, pr := range secRecs[sec] {
			ps.Recs = append(ps.Recs, *pr)
		}
		p.Sections = append(p.Sections, ps)
	}
	s.render(w, r, http.StatusOK, "public_doc.html", p)
}
