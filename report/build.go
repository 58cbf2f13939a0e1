// Package report drafts the State's report from what followup holds: the
// recommendations of a report's documents, in their order and under their
// headings, each answered by the ministries' progress updates, with a
// visible gap where nothing came, the word count against the UN's limit,
// and an implementation table. A follow-up report, a UPR mid-term report
// and a UPR implementation matrix are drafted the same way.
//
// A draft is built once as a document model (Doc) and written as .docx,
// Markdown or HTML from it (a matrix also as .xlsx), so every format holds
// the same text. The package reads the database through source.Store.
package report

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/i18n"
	"github.com/followup-app/followup/report/docx"
	"github.com/followup-app/followup/report/source"
	"github.com/followup-app/followup/workflow"
)

// Errors a caller may tell apart; each is wrapped with the detail.
var (
	ErrUnknownReport = errors.New("unknown report")
	ErrNoDocuments   = errors.New("the report has no documents")
	ErrNoFollowUp    = errors.New("no follow-up paragraphs")
	ErrBadText       = errors.New("a text the draft cannot hold")
)

// MaxText is the longest text (a recommendation, an update) a draft takes,
// in characters: a recommendation is a few hundred words, and an update of
// 50,000 characters (some 8,000 words, more than a third of a periodic
// report's limit) is a paste gone wrong, not a contribution.
const MaxText = 50000

// Options say what to draft.
type Options struct {
	Report     string // the config's report id
	FollowUp   bool   // only the follow-up paragraphs, with their due date
	Matrix     bool   // the implementation matrix instead of the report
	OnlyPublic bool   // only the updates the coordinator marked public
	// RepairText replaces characters a Word document cannot hold with
	// U+FFFD and cuts texts longer than MaxText, marking each place,
	// instead of refusing to draft.
	RepairText bool
	Now        time.Time // the draft's date
}

// Stats say what a draft holds.
type Stats struct {
	Documents       []string // symbols drafted
	Missing         []string // the report's documents not imported
	Recommendations int
	Updates         int // updates in the draft
	Gaps            int // recommendations without any update
	LastUpdateID    int64
	Contributors    []string // ministries whose updates are in the draft
	Words           int
	WordLimit       int
	Repaired        []string // texts repaired (RepairText)
	Warnings        []string // for the drafter: one line each
}

// data is one document with everything the draft reads about it.
type data struct {
	doc      source.Document
	items    []source.Item
	updates  map[int64][]source.Update
	reminded map[int64]map[string]time.Time
}

// builder assembles a Doc.
type builder struct {
	cfg   *config.Config
	rep   config.Report
	opts  Options
	docs  []*data
	out   *Doc
	stats *Stats
	bad   []string // texts refused
}

// Build builds a draft's document model.
func Build(ctx context.Context, src source.Store, cfg *config.Config, opts Options) (*Doc, *Stats, error) {
	var rep config.Report
	found := false
	var ids []string
	for _, r := range cfg.Reports {
		ids = append(ids, r.ID)
		if r.ID == opts.Report {
			rep, found = r, true
		}
	}
	if !found {
		if len(ids) == 0 {
			return nil, nil, fmt.Errorf("%w %q: the config has no reports (add one under reports:)", ErrUnknownReport, opts.Report)
		}
		return nil, nil, fmt.Errorf("%w %q; expected one of: %s", ErrUnknownReport, opts.Report, strings.Join(ids, ", "))
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	b := &builder{cfg: cfg, rep: rep, opts: opts, stats: &Stats{WordLimit: rep.WordLimit}}
	if err := b.load(ctx, src); err != nil {
		return nil, nil, err
	}
	b.out = &Doc{Lang: "en-GB"}
	var err error
	switch {
	case opts.Matrix:
		b.matrix()
	case opts.FollowUp:
		err = b.followUp()
	default:
		b.report()
	}
	if err != nil {
		return nil, nil, err
	}
	if len(b.bad) > 0 {
		more := ""
		if len(b.bad) > 1 {
			more = fmt.Sprintf(" (and %d more such texts)", len(b.bad)-1)
		}
		return nil, nil, fmt.Errorf("%w: %s%s", ErrBadText, b.bad[0], more)
	}
	b.stats.Words = b.out.Words()
	if b.stats.WordLimit > 0 && b.stats.Words > b.stats.WordLimit && !opts.Matrix {
		b.stats.Warnings = append(b.stats.Warnings, fmt.Sprintf("the draft has %s words, %s over the limit of %s",
			thousands(b.stats.Words), thousands(b.stats.Words-b.stats.WordLimit), thousands(b.stats.WordLimit)))
	}
	return b.out, b.stats, nil
}

// load reads the report's documents, their recommendations, updates and
// reminders.
func (b *builder) load(ctx context.Context, src source.Store) error {
	docs, err := src.ReportDocuments(ctx, b.rep.Documents)
	if err != nil {
		return fmt.Errorf("read the documents of report %s: %w", b.rep.ID, err)
	}
	have := map[string]bool{}
	for _, d := range docs {
		have[d.Symbol] = true
		if d.Kind == workflow.UPRAddendum {
			continue // its positions are on its report's recommendations
		}
		b.docs = append(b.docs, &data{doc: d, updates: map[int64][]source.Update{}, reminded: map[int64]map[string]time.Time{}})
		b.stats.Documents = append(b.stats.Documents, d.Symbol)
	}
	for _, s := range b.rep.Documents {
		if !have[s] {
			b.stats.Missing = append(b.stats.Missing, s)
			b.stats.Warnings = append(b.stats.Warnings, fmt.Sprintf("%s is not imported: its recommendations are not in the draft", s))
		}
	}
	if len(b.docs) == 0 {
		if len(b.rep.Documents) == 0 {
			return fmt.Errorf("%w: report %s lists no documents and none is imported (followup import FILE)", ErrNoDocuments, b.rep.ID)
		}
		return fmt.Errorf("%w: none of the documents of report %s is imported (%s); import one first (followup import FILE)",
			ErrNoDocuments, b.rep.ID, strings.Join(b.rep.Documents, ", "))
	}
	for _, d := range b.docs {
		if err := src.ReportItems(ctx, d.doc.ID, func(it source.Item) error { d.items = append(d.items, it); return nil }); err != nil {
			return fmt.Errorf("read the recommendations of %s: %w", d.doc.Symbol, err)
		}
		err := src.ReportUpdates(ctx, d.doc.ID, 0, func(u source.Update) error {
			b.stats.LastUpdateID = max(b.stats.LastUpdateID, u.ID)
			if b.opts.OnlyPublic && !u.Public {
				d.updates[-u.TaskID] = append(d.updates[-u.TaskID], u) // kept apart, to say what is withheld
				return nil
			}
			d.updates[u.TaskID] = append(d.updates[u.TaskID], u)
			return nil
		})
		if err != nil {
			return fmt.Errorf("read the progress updates of %s: %w", d.doc.Symbol, err)
		}
		rs, err := src.LastReminded(ctx, d.doc.ID)
		if err != nil {
			return fmt.Errorf("read the reminders of %s: %w", d.doc.Symbol, err)
		}
		for _, r := range rs {
			if d.reminded[r.TaskID] == nil {
				d.reminded[r.TaskID] = map[string]time.Time{}
			}
			d.reminded[r.TaskID][r.Ministry] = r.At
		}
		if len(d.items) == 0 {
			b.stats.Warnings = append(b.stats.Warnings, fmt.Sprintf("%s has no recommendations", d.doc.Symbol))
		}
	}
	return nil
}

// clean checks a text the draft will hold: characters XML forbids and
// over-long texts are refused, or repaired and marked with RepairText.
func (b *builder) clean(where, s string) string {
	problem := ""
	if i := strings.IndexFunc(s, func(r rune) bool { return !docx.Allowed(r) }); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		problem = fmt.Sprintf("holds a character a Word document cannot hold (U+%04X at character %d)", r, utf8.RuneCountInString(s[:i])+1)
	} else if !utf8.ValidString(s) {
		problem = "holds bytes that are not UTF-8 text (an unpaired surrogate?)"
	}
	if problem == "" {
		if n := utf8.RuneCountInString(s); n > MaxText {
			problem = fmt.Sprintf("is %s characters long, more than the %s a draft takes", thousands(n), thousands(MaxText))
		}
	}
	if problem == "" {
		return s
	}
	if !b.opts.RepairText {
		b.bad = append(b.bad, where+" "+problem)
		return s
	}
	b.stats.Repaired = append(b.stats.Repaired, where+" "+problem)
	s = docx.Clean(s)
	if n := utf8.RuneCountInString(s); n > MaxText {
		r := []rune(s)
		s = string(r[:MaxText]) + fmt.Sprintf(" […: %s more characters cut from the draft]", thousands(n-MaxText))
	}
	return s
}

func (b *builder) add(bl ...Block) { b.out.Blocks = append(b.out.Blocks, bl...) }

func (b *builder) loc() *time.Location {
	if b.cfg.Location == nil {
		return time.UTC
	}
	return b.cfg.Location
}

func (b *builder) name(id string) string {
	if id == "" {
		return ""
	}
	if m, ok := b.cfg.Ministry(id); ok {
		return m.Name
	}
	return id
}

// state is the State the documents are about.
func (b *builder) state() string {
	for _, d := range b.docs {
		if d.doc.State != "" {
			return b.clean("the state of "+d.doc.Symbol, d.doc.State)
		}
	}
	return "the State"
}

func (b *builder) treaties() string {
	var ts []string
	for _, d := range b.docs {
		if t := treaty(d.doc.Symbol, d.doc.Body); !slices.Contains(ts, t) {
			ts = append(ts, t)
		}
	}
	return strings.Join(ts, "; ")
}

func (b *builder) today() civil.Date { return civil.DateOf(b.opts.Now.In(b.loc())) }

// cover writes the title and the cover block.
func (b *builder) cover(title string, lines ...string) {
	b.out.Title = title
	b.add(para(KTitle, text(title)))
	for _, l := range lines {
		if l != "" {
			b.add(para(KSubtitle, text(l)))
		}
	}
}

// report drafts a periodic (or initial, or UPR) report.
func (b *builder) report() {
	title := b.clean("the report's title", b.rep.Title)
	if title == "" {
		title = kindTitle(b.rep.Kind) + " of " + b.state()
	}
	first := civil.Date{}
	var replies []string
	for _, d := range b.docs {
		if !d.doc.Adopted.IsZero() && (first.IsZero() || d.doc.Adopted.Before(first)) {
			first = d.doc.Adopted
		}
		s := d.doc.Symbol
		if !d.doc.Adopted.IsZero() {
			s += " (adopted on " + longDate(d.doc.Adopted) + ")"
		}
		replies = append(replies, s)
	}
	period := ""
	if !first.IsZero() {
		period = "Period covered: " + longDate(first) + " to " + longDate(b.rep.Due)
	}
	b.cover(title,
		"State: "+b.state(),
		"Treaty: "+b.treaties(),
		"Report: "+kindTitle(b.rep.Kind)+", due on "+longDate(b.rep.Due),
		period,
		"In reply to: "+strings.Join(replies, "; "))
	noteAt := len(b.out.Blocks)

	b.add(para(KHeading1, text("I. Introduction")))
	b.introduction()
	part := 2
	for _, d := range b.docs {
		if d.doc.Kind == workflow.UPRReport {
			b.add(para(KHeading1, text(fmt.Sprintf("%s. Implementation of the recommendations of the universal periodic review (%s)", roman(part), d.doc.Symbol))))
		} else {
			b.add(para(KHeading1, text(fmt.Sprintf("%s. Implementation of the concluding observations (%s)", roman(part), d.doc.Symbol))))
		}
		part++
		b.replies(d, groupsOf(d))
	}
	b.annex()
	b.insertNote(noteAt)
}

// insertNote puts the note to the drafter (date, words, gaps) under the
// cover block, once the text is complete and counted.
func (b *builder) insertNote(at int) {
	words := b.out.Words()
	var parts []string
	parts = append(parts, fmt.Sprintf("Draft of %s, written by followup from the progress updates recorded until then.", longDate(b.today())))
	if b.opts.OnlyPublic {
		parts = append(parts, "Only the updates marked public are included.")
	}
	if b.stats.WordLimit > 0 && !b.opts.Matrix {
		if words > b.stats.WordLimit {
			parts = append(parts, fmt.Sprintf("%s words: %s over the limit of %s words. Shorten it before it is submitted.",
				thousands(words), thousands(words-b.stats.WordLimit), thousands(b.stats.WordLimit)))
		} else {
			parts = append(parts, fmt.Sprintf("%s words of the %s allowed.", thousands(words), thousands(b.stats.WordLimit)))
		}
	} else if !b.opts.Matrix {
		parts = append(parts, fmt.Sprintf("%s words.", thousands(words)))
	}
	if b.stats.Gaps > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d recommendations have no information yet: each is marked in the text.", b.stats.Gaps, b.stats.Recommendations))
	}
	for _, m := range b.stats.Missing {
		parts = append(parts, m+" is not imported: its recommendations are missing.")
	}
	if len(b.stats.Repaired) > 0 {
		parts = append(parts, fmt.Sprintf("%d texts held characters a Word document cannot hold, or were too long: they were repaired (look for \uFFFD and […]).", len(b.stats.Repaired)))
	}
	note := para(KNote, text("["+strings.Join(parts, " ")+"]"))
	b.out.Blocks = slices.Insert(b.out.Blocks, at, note)
}

// introduction says how the report was prepared: who coordinated, who
// contributed, the milestones.
func (b *builder) introduction() {
	var bodies []string
	for _, d := range b.docs {
		c := committee(d.doc.Body)
		if d.doc.Kind == workflow.UPRReport {
			c = "universal periodic review"
		}
		if !slices.Contains(bodies, c) {
			bodies = append(bodies, c)
		}
	}
	coord := b.cfg.Coordinator.Name
	b.add(para(KNumbered, text(fmt.Sprintf("The present report was prepared by %s, which coordinates the follow-up of the recommendations of the %s, from the information that the ministries and institutions responsible for each recommendation provided.",
		the(coord), list(bodies)))))
	contributors := b.contributors()
	if len(contributors) > 0 {
		var names []string
		for _, c := range contributors {
			names = append(names, the(b.name(c)))
		}
		b.add(para(KNumbered, text("The following contributed information: "+list(names)+".")))
	} else {
		b.add(para(KNote, text("[No ministry has sent information yet.]")))
	}
	if len(b.rep.Milestones) > 0 {
		var steps []string
		for _, m := range b.rep.Milestones {
			steps = append(steps, fmt.Sprintf("%s (%s)", strings.TrimSuffix(m.Name, "."), longDate(b.rep.Due.Sub(m.Before))))
		}
		steps = append(steps, fmt.Sprintf("submission to the Committee (%s)", longDate(b.rep.Due)))
		b.add(para(KNumbered, text("The report was prepared in these steps: "+strings.Join(steps, "; ")+".")))
	}
}

// contributors lists the ministries with updates in the draft, in the
// config's order.
func (b *builder) contributors() []string {
	seen := map[string]bool{}
	for _, d := range b.docs {
		for id, us := range d.updates {
			if id < 0 {
				continue
			}
			for _, u := range us {
				seen[u.Ministry] = true
			}
		}
	}
	var out []string
	if seen[b.cfg.Coordinator.ID] {
		out = append(out, b.cfg.Coordinator.ID)
	}
	for _, m := range b.cfg.Ministries {
		if seen[m.ID] {
			out = append(out, m.ID)
		}
	}
	var unknown []string
	for id := range seen {
		if !slices.Contains(out, id) {
			unknown = append(unknown, id)
		}
	}
	slices.Sort(unknown)
	out = append(out, unknown...)
	b.stats.Contributors = out
	return out
}

// group is a heading and the items under it.
type group struct {
	heading, sub string
	items        []source.Item
}

// groupsOf groups a document's recommendations for the text: UPR
// recommendations by their first theme when the document gives themes,
// else everything by its own sections and subsections, in document order.
func groupsOf(d *data) []group {
	var out []group
	themed := false
	for _, it := range d.items {
		if len(it.Themes) > 0 {
			themed = true
			break
		}
	}
	if themed {
		idx := map[string]int{}
		for _, it := range d.items {
			th := "Recommendations not grouped by theme"
			if len(it.Themes) > 0 {
				th = it.Themes[0]
			}
			i, ok := idx[th]
			if !ok {
				i = len(out)
				idx[th] = i
				out = append(out, group{heading: "Theme: " + th})
			}
			out[i].items = append(out[i].items, it)
		}
		return out
	}
	for _, it := range d.items {
		r := it.Task.Rec
		if n := len(out); n > 0 && out[n-1].heading == r.Section && out[n-1].sub == r.Subsection {
			out[n-1].items = append(out[n-1].items, it)
			continue
		}
		out = append(out, group{heading: r.Section, sub: r.Subsection, items: []source.Item{it}})
	}
	return out
}

// replies writes each recommendation, quoted, with its updates or a gap.
func (b *builder) replies(d *data, groups []group) {
	lastHeading := "\x00"
	for _, g := range groups {
		if g.heading != lastHeading {
			if g.heading != "" {
				b.add(para(KHeading2, text(b.clean("a section heading of "+d.doc.Symbol, g.heading))))
			}
			lastHeading = g.heading
		}
		if g.sub != "" {
			b.add(para(KHeading3, text(b.clean("a subsection heading of "+d.doc.Symbol, g.sub))))
		}
		for _, it := range g.items {
			b.reply(d, it)
		}
	}
}

// reply writes one recommendation and what the ministries said about it.
func (b *builder) reply(d *data, it source.Item) {
	r := it.Task.Rec
	b.stats.Recommendations++
	ref := fmt.Sprintf("Reply to %s of the concluding observations (%s)", paraRef(d.doc.Kind, r), d.doc.Symbol)
	if d.doc.Kind == workflow.UPRReport {
		ref = fmt.Sprintf("Reply to %s (%s)", paraRef(d.doc.Kind, r), d.doc.Symbol)
		if r.Status != "" {
			ref += ": " + r.Status
		}
	}
	intro := para(KRecRef, Span{Text: ref, Bold: true})
	intro.RecID = r.ID
	b.add(intro)
	b.add(b.quote(d, r))
	b.updates(d, it)
	if len(it.AlsoAnswers) > 0 && len(d.updates[it.Task.ID]) > 0 {
		bl := para(KText, text(alsoAnswers(it.AlsoAnswers)))
		bl.RecID = r.ID
		b.add(bl)
	}
}

// alsoAnswers names the other members of a recommendation's cluster, from
// any mechanism, that the work just reported answers too: "This also
// answers A/HRC/59/15, 140.6 (UPR, 2025)."
func alsoAnswers(ss []source.Sibling) string {
	refs := make([]string, len(ss))
	for i, s := range ss {
		who := s.Body
		if s.Year > 0 {
			who += fmt.Sprintf(", %d", s.Year)
		}
		refs[i] = fmt.Sprintf("%s, %s (%s)", s.Symbol, workflow.ParagraphLabel(s.Paragraph, s.Item), who)
	}
	if n := len(refs); n > 1 {
		return "This also answers " + strings.Join(refs[:n-1], "; ") + " and " + refs[n-1] + "."
	}
	return "This also answers " + refs[0] + "."
}

// quote is the recommendation as the document words it: a lettered item
// after its paragraph's opening, a UPR recommendation with the States
// that made it.
func (b *builder) quote(d *data, r workflow.Recommendation) Block {
	body := b.clean("the text of "+r.ID, r.Text)
	var q string
	switch {
	case d.doc.Kind == workflow.UPRReport:
		q = body
		if len(r.RecommendingStates) > 0 {
			q += " (" + strings.Join(r.RecommendingStates, ") (") + ")"
		}
	case r.Item != "" && r.Lead != "":
		q = b.clean("the opening of paragraph "+fmt.Sprint(r.Paragraph)+" of "+d.doc.Symbol, r.Lead) + " (" + r.Item + ") " + body
	default:
		q = body
	}
	bl := para(KQuote, text(q))
	bl.Lang = d.doc.Language
	bl.RecID = r.ID
	return bl
}

// updates writes a task's updates, the lead ministry's first, then the
// supporting ministries', then the rest, each as recorded; or the gap.
func (b *builder) updates(d *data, it source.Item) {
	t := it.Task
	us := slices.Clone(d.updates[t.ID])
	rank := func(m string) int {
		switch {
		case m == t.Owner:
			return 0
		case slices.Contains(t.Support, m):
			return 1 + slices.Index(t.Support, m)
		}
		return 1 + len(t.Support)
	}
	slices.SortStableFunc(us, func(x, y source.Update) int { return rank(x.Ministry) - rank(y.Ministry) })
	if len(us) == 0 {
		b.stats.Gaps++
		b.add(b.gap(d, t))
		return
	}
	for _, u := range us {
		b.stats.Updates++
		where := fmt.Sprintf("update %d from %s on %s", u.ID, the(b.name(u.Ministry)), t.Rec.ID)
		txt := b.clean(where, u.Text)
		paras := splitParagraphs(txt)
		role := ""
		switch {
		case u.Ministry == t.Owner:
			role = " (lead)"
		case slices.Contains(t.Support, u.Ministry):
			role = " (supporting)"
		}
		for i, p := range paras {
			bl := para(KNumbered, text(p))
			bl.RecID = t.Rec.ID
			if i == len(paras)-1 {
				for _, e := range u.Evidence {
					bl.Spans = append(bl.Spans, Span{Footnote: b.evidence(where, e)})
				}
				attribution := fmt.Sprintf(" [%s%s, %s", b.name(u.Ministry), role, longInstant(u.At, b.loc()))
				if !u.DoneOn.IsZero() {
					attribution += "; done on " + longDate(u.DoneOn)
				}
				bl.Spans = append(bl.Spans, Span{Text: attribution + "]", Italic: true, Note: true})
			}
			b.add(bl)
		}
	}
}

// splitParagraphs cuts an update at blank lines: each paragraph of what a
// ministry wrote becomes a numbered paragraph.
func splitParagraphs(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var out []string
	for _, p := range strings.Split(s, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		out = []string{strings.TrimSpace(s)}
	}
	return out
}

// evidence is a footnote naming a link or an attached file.
func (b *builder) evidence(where string, e source.Evidence) []Span {
	title := b.clean(where+": the title of evidence "+fmt.Sprint(e.ID), e.Title)
	if e.Kind == "link" {
		u := b.clean(where+": the address of evidence "+fmt.Sprint(e.ID), e.URL)
		if title == "" || title == u {
			return []Span{{Text: u, Link: u}}
		}
		return []Span{text(title + ": "), {Text: u, Link: u}}
	}
	desc := "Attached file: " + title
	if e.Size > 0 {
		desc += fmt.Sprintf(" (%s)", i18n.FileSize(e.Size))
	}
	return []Span{text(desc + ".")}
}

// gap is the visible mark of a recommendation nobody answered.
func (b *builder) gap(d *data, t workflow.Task) Block {
	var s string
	withheld := len(d.updates[-t.ID])
	switch {
	case withheld > 0:
		s = fmt.Sprintf("[No public information: %d progress update(s) not marked public.]", withheld)
	case t.Owner == "":
		s = "[No information received: no ministry is responsible for this recommendation yet.]"
	default:
		s = fmt.Sprintf("[No information received from %s.", the(b.name(t.Owner)))
		if at, ok := d.reminded[t.ID][t.Owner]; ok {
			s += " Last reminded on " + longInstant(at, b.loc()) + ".]"
		} else {
			s += " No reminder sent yet.]"
		}
	}
	bl := para(KNote, text(s))
	bl.RecID = t.Rec.ID
	return bl
}

// lastUpdate is a task's newest update in the draft.
func lastUpdate(d *data, taskID int64) (source.Update, bool) {
	us := d.updates[taskID]
	if len(us) == 0 {
		return source.Update{}, false
	}
	last := us[0]
	for _, u := range us[1:] {
		if u.At.After(last.At) || (u.At.Equal(last.At) && u.ID > last.ID) {
			last = u
		}
	}
	return last, true
}

// stageName is the stage a task is shown in: "Not yet assigned" for one
// nobody owns still in the initial stage (config.ShownStage).
func (b *builder) stageName(t workflow.Task) string {
	if s := b.cfg.ShownStage(t.Owner, t.Stage); s.Name != "" {
		return s.Name
	}
	return t.Stage
}

// annex is the implementation table: each recommendation, its ministries,
// its stage and the date of its last update.
func (b *builder) annex() {
	b.add(para(KHeading1, text("Annex")))
	b.add(para(KHeading2, text("Implementation of the recommendations")))
	t := &Table{Widths: []int{3400, 1700, 1900, 1300, 1300}, Header: []string{"Recommendation", "Lead ministry", "Supporting ministries", "Stage", "Last update"}}
	for _, d := range b.docs {
		t.Rows = append(t.Rows, Row{Group: d.doc.Symbol})
		for _, it := range d.items {
			tk := it.Task
			var sup []string
			for _, s := range tk.Support {
				sup = append(sup, b.name(s))
			}
			lead := b.name(tk.Owner)
			if lead == "" {
				lead = "Unassigned"
			}
			last := "None"
			if u, ok := lastUpdate(d, tk.ID); ok {
				last = longInstant(u.At, b.loc())
			}
			t.Rows = append(t.Rows, Row{RecID: tk.Rec.ID, Cells: []Cell{
				{Lines: []string{shortRef(d.doc.Kind, tk.Rec) + " " + excerpt(b.clean("the text of "+tk.Rec.ID, tk.Rec.Text), 110)}},
				{Lines: []string{lead}}, {Lines: []string{strings.Join(sup, ", ")}}, {Lines: []string{b.stageName(tk)}}, {Lines: []string{last}},
			}})
		}
	}
	b.add(Block{Kind: KTable, Table: t})
}

// excerpt shortens a text to about n characters at a word boundary.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, ",;:") + "…"
}

// followUpDue is when the follow-up information is due: the date the
// document states, else one year after adoption (two for CEDAW and CMW,
// whose rules say so).
func followUpDue(doc source.Document) (civil.Date, string) {
	if doc.FollowUp != nil && !doc.FollowUp.Due.IsZero() {
		return doc.FollowUp.Due, "as the concluding observations ask"
	}
	if doc.Adopted.IsZero() {
		return civil.Date{}, ""
	}
	if doc.Body == "CEDAW" || doc.Body == "CMW" {
		return doc.Adopted.AddMonths(24), "two years after the adoption of the concluding observations"
	}
	return doc.Adopted.AddMonths(12), "one year after the adoption of the concluding observations"
}

// followUp drafts the information on the follow-up paragraphs only.
func (b *builder) followUp() error {
	var with []*data
	for _, d := range b.docs {
		if d.doc.FollowUp != nil && len(d.doc.FollowUp.Paragraphs) > 0 {
			with = append(with, d)
		}
	}
	if len(with) == 0 {
		return fmt.Errorf("%w: none of the documents of report %s (%s) asks for follow-up information on some paragraphs",
			ErrNoFollowUp, b.rep.ID, strings.Join(b.stats.Documents, ", "))
	}
	b.docs = with
	b.stats.Documents = nil
	var lines []string
	for _, d := range with {
		b.stats.Documents = append(b.stats.Documents, d.doc.Symbol)
		due, why := followUpDue(d.doc)
		ps := make([]string, len(d.doc.FollowUp.Paragraphs))
		for i, p := range d.doc.FollowUp.Paragraphs {
			ps[i] = fmt.Sprint(p)
		}
		l := fmt.Sprintf("Follow-up to paragraphs %s of the concluding observations (%s)", list(ps), d.doc.Symbol)
		if len(ps) == 1 {
			l = fmt.Sprintf("Follow-up to paragraph %s of the concluding observations (%s)", ps[0], d.doc.Symbol)
		}
		if !due.IsZero() {
			l += fmt.Sprintf(": due on %s (%s)", longDate(due), why)
		}
		lines = append(lines, l)
	}
	title := "Information received from " + b.state() + " on follow-up to the concluding observations"
	b.cover(title, append([]string{"State: " + b.state(), "Treaty: " + b.treaties()}, lines...)...)
	noteAt := len(b.out.Blocks)
	b.add(para(KHeading1, text("I. Introduction")))
	for _, d := range with {
		ps := make([]string, len(d.doc.FollowUp.Paragraphs))
		for i, p := range d.doc.FollowUp.Paragraphs {
			ps[i] = fmt.Sprint(p)
		}
		adopted := ""
		if !d.doc.Adopted.IsZero() {
			adopted = ", adopted on " + longDate(d.doc.Adopted) + ","
		}
		b.add(para(KNumbered, text(fmt.Sprintf("In its concluding observations (%s)%s the %s asked %s to provide information on the implementation of the recommendations in paragraphs %s. The present report gives that information.",
			d.doc.Symbol, adopted, committee(d.doc.Body), b.state(), list(ps)))))
	}
	part := 2
	for _, d := range with {
		for _, p := range d.doc.FollowUp.Paragraphs {
			var items []source.Item
			for _, it := range d.items {
				if it.Task.Rec.Paragraph == p {
					items = append(items, it)
				}
			}
			b.add(para(KHeading1, text(fmt.Sprintf("%s. Information on the recommendation contained in paragraph %d of the concluding observations (%s)", roman(part), p, d.doc.Symbol))))
			part++
			if len(items) == 0 {
				b.add(para(KNote, text(fmt.Sprintf("[Paragraph %d holds no recommendation that followup imported.]", p))))
				continue
			}
			for _, it := range items {
				if it.Task.Rec.Item != "" {
					b.add(para(KHeading2, text(fmt.Sprintf("Paragraph %d (%s)", p, it.Task.Rec.Item))))
				}
				b.stats.Recommendations++
				b.add(b.quote(d, it.Task.Rec))
				b.updates(d, it)
			}
		}
	}
	b.stats.WordLimit = 0 // the UN sets no word limit for follow-up information
	b.insertNote(noteAt)
	return nil
}
