// Package loadgen writes synthetic databases for load tests and
// benchmarks (followup gen): many documents, realistic recommendations,
// tasks in every stage with histories, deadlines before and after the
// generation's "now", tags and clusters (tags.go), and a config to run
// them with. Rows are written with SQL directly, in one transaction, many
// rows per statement: a million tasks take seconds, not the minutes the
// importer would; then the clusters are made through the store. It is
// test tooling: the production store knows nothing of it.
package loadgen

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	// The SQLite driver: store registers it too, loadgen names it.
	_ "github.com/mattn/go-sqlite3"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// Options say what Generate makes.
type Options struct {
	Tasks      int // recommendations, one task each
	Ministries int // owners m001, m002…
	Seed       int64
	// Start is the generation's "now": documents were imported over the
	// four years before it, and deadlines fall before and after it. Zero
	// means the time Generate is called.
	Start time.Time
	// RulesID, when set, is recorded as the assignment rules last applied
	// (see store.ApplyRules): the daemon started with the generated config
	// then keeps the generated owners instead of applying the config's
	// rules to every task again.
	RulesID string
	// SMTP, when set (host:port), makes Config send through that server
	// without TLS instead of writing .eml files.
	SMTP string
}

// Result counts what Generate wrote.
type Result struct {
	Start           time.Time
	Documents       int
	Recommendations int
	Tasks           int
	Events          int
	Unassigned      int // tasks no ministry owns
	Open            int // tasks in a stage that is not final
	ByStage         map[string]int
	Tags            int // distinct tags (themes, affected persons, SDG targets)
	TagRows         int // a recommendation's tag, each
	Clusters        int
	Clustered       int // recommendations in a cluster
}

// ErrNotEmpty is returned by Generate on a database that holds documents.
var ErrNotEmpty = errors.New("the database already holds documents")

// genDocsPer is about how many recommendations one document has.
const genDocsPer = 250

// Generate fills the database at path (created, with store's schema, if
// it does not exist) with o.Tasks recommendations and their tasks,
// deterministically: the same options give byte-identical rows. It
// refuses a database that holds documents.
func Generate(ctx context.Context, path string, o Options) (Result, error) {
	res, clusters, err := generateBase(ctx, path, o)
	if err != nil {
		return res, err
	}
	if err := makeClusters(ctx, path, o, clusters, &res); err != nil {
		return res, fmt.Errorf("generate into %s: %w", path, err)
	}
	return res, nil
}

// generateBase writes every row but the clusters', and returns the
// clusters to make.
func generateBase(ctx context.Context, path string, o Options) (Result, [][]genMember, error) {
	if o.Tasks < 0 || o.Ministries < 1 {
		return Result{}, nil, fmt.Errorf("generate: need tasks >= 0 and ministries >= 1 (got %d and %d)", o.Tasks, o.Ministries)
	}
	if err := checkStages(); err != nil {
		return Result{}, nil, err
	}
	if o.Start.IsZero() {
		o.Start = time.Now()
	}
	o.Start = o.Start.UTC().Truncate(time.Second)
	res := Result{Start: o.Start, ByStage: map[string]int{}}

	// The schema is the store's: it creates the file and migrates it.
	st, err := store.Open(ctx, path, store.Options{Location: time.UTC})
	if err != nil {
		return res, nil, err
	}
	if err := st.Close(); err != nil {
		return res, nil, fmt.Errorf("generate into %s: %w", path, err)
	}
	// A connection of its own, with a large page cache for the index
	// inserts. While it writes, the file is out of WAL mode with the
	// rollback journal in memory: the rows go to the file once instead of
	// twice (WAL, then checkpoint), and a failure still rolls back (new
	// pages need no journal). Foreign keys are not checked row by row
	// either: the rows are consistent by construction (the tests run
	// PRAGMA foreign_key_check), and rows of any table can then be written
	// in any order. Closing the connection ends it all; the journal mode
	// goes back to WAL before.
	sqldb, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_busy_timeout=10000")
	if err != nil {
		return res, nil, fmt.Errorf("generate into %s: %w", path, err)
	}
	// Closing after the commit (or the failure, which is reported) has
	// nothing to lose.
	defer func() { _ = sqldb.Close() }()
	sqldb.SetMaxOpenConns(1)
	conn, err := sqldb.Conn(ctx)
	if err != nil {
		return res, nil, fmt.Errorf("generate into %s: %w", path, err)
	}
	defer func() { _ = conn.Close() }()
	for _, q := range []string{`PRAGMA cache_size = -262144`, `PRAGMA journal_mode = MEMORY`, `PRAGMA synchronous = OFF`, `PRAGMA foreign_keys = OFF`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return res, nil, fmt.Errorf("generate into %s: %w", path, err)
		}
	}
	defer func() {
		// Best effort: store.Open sets it again anyway.
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA journal_mode = WAL`)
	}()

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return res, nil, fmt.Errorf("generate into %s: %w", path, err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM documents`).Scan(&n); err != nil {
		return res, nil, fmt.Errorf("generate into %s: %w", path, err)
	}
	if n > 0 {
		return res, nil, fmt.Errorf("generate into %s: %w (%d); generate into a new file", path, ErrNotEmpty, n)
	}
	// The secondary indexes are built once at the end, from sorted data,
	// instead of row by row: the same indexes, many times faster.
	var indexes []string
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
		AND tbl_name IN ('recommendations', 'tasks', 'task_events', 'recommendation_tags') ORDER BY name`)
	if err != nil {
		return res, nil, err
	}
	var names []string
	for rows.Next() {
		var name, q string
		if err := rows.Scan(&name, &q); err != nil {
			rows.Close()
			return res, nil, err
		}
		names, indexes = append(names, name), append(indexes, q)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, nil, err
	}
	for _, name := range names {
		if _, err := tx.ExecContext(ctx, `DROP INDEX "`+name+`"`); err != nil {
			return res, nil, err
		}
	}
	g := newGenerator(o)
	if err := generateRows(ctx, tx, g, &res); err != nil {
		return res, nil, fmt.Errorf("generate into %s: %w", path, err)
	}
	for _, q := range indexes {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return res, nil, fmt.Errorf("generate into %s: %w", path, err)
		}
	}
	if o.RulesID != "" {
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('rules', ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value`, o.RulesID); err != nil {
			return res, nil, fmt.Errorf("generate into %s: %w", path, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return res, nil, fmt.Errorf("generate into %s: %w", path, err)
	}
	return res, g.clusters, nil
}

// generateRows writes the rows on two goroutines: one draws them, the
// other (this one) inserts them, many rows per statement.
func generateRows(ctx context.Context, tx *sql.Tx, g *generator, res *Result) error {
	batches := make(chan genBatch, 16)
	stop := make(chan struct{})
	drawn := make(chan error, 1)
	go func() {
		defer close(batches)
		drawn <- g.run(ctx, res, batches, stop)
	}()
	// The statements run without the caller's context: with one that can
	// be cancelled, the driver starts a goroutine per statement. The
	// drawing goroutine looks at it between documents instead.
	quiet := context.WithoutCancel(ctx)
	stmts := map[genStmtKey]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	var werr error
	for b := range batches {
		if werr != nil {
			continue // drain, so that the drawing goroutine ends
		}
		key := genStmtKey{b.table, b.rows}
		st := stmts[key]
		if st == nil {
			row := "(" + strings.TrimSuffix(strings.Repeat("?,", b.table.cols), ",") + ")"
			if st, werr = tx.PrepareContext(quiet, b.table.head+strings.TrimSuffix(strings.Repeat(row+",", b.rows), ",")); werr != nil {
				close(stop)
				continue
			}
			stmts[key] = st
		}
		if _, werr = st.ExecContext(quiet, b.args...); werr != nil {
			close(stop)
			continue
		}
		clear(b.args)
		select {
		case g.free <- b.args[:0]:
		default:
		}
	}
	err := <-drawn
	if werr != nil { // the drawing stopped because the writing failed
		return werr
	}
	return err
}

type genStmtKey struct {
	table *genTable
	rows  int
}

// genTable is one table's INSERT and the rows drawn for it and not sent
// yet.
type genTable struct {
	head  string // INSERT INTO t (columns) VALUES
	cols  int
	batch int // rows per statement
	rows  int
	args  []any
}

// genBatch is rows of one table to insert with one statement.
type genBatch struct {
	table *genTable
	rows  int
	args  []any
}

type generator struct {
	o                                  Options
	rng                                *rand.Rand
	docs, recs, tasks, support, events *genTable
	// Tags and clusters are drawn from a generator of their own, so that
	// the other rows are those a seed gave before they were added.
	tagRNG         *rand.Rand
	tags, recTags  *genTable
	tagIDs         map[string]int64 // by kind and name
	groups         map[string][]genMember
	groupSize      map[string]int
	clusters       [][]genMember
	start          int64
	recID, eventID int64
	ministries     []string
	history        []genEvent // reused for each task
	out            chan<- genBatch
	stop           <-chan struct{}
	free           chan []any // argument slices the writer is done with
}

func newGenerator(o Options) *generator {
	g := &generator{o: o, rng: rand.New(rand.NewPCG(uint64(o.Seed), 0x666f6c6c6f777570)), start: o.Start.Unix(),
		free: make(chan []any, 32), tagRNG: rand.New(rand.NewPCG(uint64(o.Seed), 0x74616773636c7573)),
		tagIDs: map[string]int64{}, groups: map[string][]genMember{}, groupSize: map[string]int{}}
	for i := 1; i <= o.Ministries; i++ {
		g.ministries = append(g.ministries, MinistryID(i))
	}
	g.docs = &genTable{head: `INSERT INTO documents (id, symbol, kind, body, title, state, adopted, next_report_due, next_report_text,
		follow_up_due, follow_up_paragraphs, follow_up_text, source, imported_at, updated_at) VALUES `, cols: 15, batch: 16}
	g.recs = &genTable{head: `INSERT INTO recommendations (id, rec_id, document_id, seq, paragraph, item, section, subsection, verb, text,
		lead, concern, status, recommending_states, themes, affected_persons, sdgs) VALUES `, cols: 17, batch: 64}
	// A recommendation's tags, as the store writes those its documents
	// give (store.tagCache.setTags).
	g.tags = &genTable{head: `INSERT INTO tags (id, kind, name) VALUES `, cols: 3, batch: 64}
	g.recTags = &genTable{head: `INSERT INTO recommendation_tags (tag_id, recommendation_id, by_rule) VALUES `, cols: 3, batch: 256}
	g.tasks = &genTable{head: `INSERT INTO tasks (id, document_id, owner, support, assigned_by, manual, stage, stage_since, updated_at) VALUES `,
		cols: 9, batch: 64}
	// Each supporting ministry of a task, as store.setSupport writes it.
	g.support = &genTable{head: `INSERT INTO task_support (ministry, task_id) VALUES `, cols: 2, batch: 256}
	g.events = &genTable{head: `INSERT INTO task_events (id, task_id, at, actor, kind, from_value, to_value, note) VALUES `,
		cols: 8, batch: 128}
	return g
}

// add appends a row to t, and sends t's rows to the writer when it holds
// a batch.
func (g *generator) add(t *genTable, args ...any) error {
	if t.args == nil {
		select {
		case t.args = <-g.free:
		default:
			t.args = make([]any, 0, t.batch*t.cols)
		}
	}
	t.args = append(t.args, args...)
	if t.rows++; t.rows == t.batch {
		return g.send(t)
	}
	return nil
}

func (g *generator) send(t *genTable) error {
	if t.rows == 0 {
		return nil
	}
	select {
	case g.out <- genBatch{t, t.rows, t.args}:
	case <-g.stop:
		return errors.New("stopped")
	}
	t.args, t.rows = nil, 0
	return nil
}

// MinistryID is the id of the i-th generated ministry, from 1: m001.
func MinistryID(i int) string { return fmt.Sprintf("m%03d", i) }

// genDoc is one document being generated.
type genDoc struct {
	id       int64
	symbol   string
	upr      bool
	body     genBody
	state    genState
	imported int64
	adopted  civil.Date
	size     int
}

const (
	genDay  = 24 * 60 * 60
	genYear = 365 * genDay
)

func (g *generator) run(ctx context.Context, res *Result, out chan<- genBatch, stop <-chan struct{}) error {
	g.out, g.stop = out, stop
	for _, d := range g.plan() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := g.document(d, res); err != nil {
			return err
		}
	}
	g.closeGroups()
	for _, t := range []*genTable{g.docs, g.recs, g.tasks, g.support, g.events, g.tags, g.recTags} {
		if err := g.send(t); err != nil {
			return err
		}
	}
	res.Events = int(g.eventID)
	return nil
}

// plan draws the documents: about one per 250 recommendations, of varied
// sizes adding up to Tasks, imported over the last four years in id order.
func (g *generator) plan() []genDoc {
	if g.o.Tasks == 0 {
		return nil
	}
	n := (g.o.Tasks + genDocsPer - 1) / genDocsPer
	weights := make([]float64, n)
	sum := 0.0
	for i := range weights {
		weights[i] = 0.3 + 1.4*g.rng.Float64()
		sum += weights[i]
	}
	docs := make([]genDoc, n)
	total := 0
	for i := range docs {
		docs[i].size = max(1, int(float64(g.o.Tasks)*weights[i]/sum))
		total += docs[i].size
	}
	// Give or take the rounding, one at a time, so the sizes add up.
	for i := 0; total != g.o.Tasks; i = (i + 1) % n {
		switch {
		case total < g.o.Tasks:
			docs[i].size++
			total++
		case docs[i].size > 1:
			docs[i].size--
			total--
		}
	}
	imports := make([]int64, n)
	for i := range imports {
		// From four years ago to a week ago.
		imports[i] = g.start - 7*genDay - g.rng.Int64N(4*genYear-7*genDay)
	}
	slices.Sort(imports)
	coN, uprN := 0, 0
	for i := range docs {
		d := &docs[i]
		d.id = int64(i + 1)
		d.imported = imports[i]
		d.upr = g.rng.IntN(10) < 4
		importDate := civil.DateOf(time.Unix(d.imported, 0).UTC())
		if d.upr {
			d.symbol = fmt.Sprintf("A/HRC/%d/%d", 5+uprN%55, 7+uprN/55)
			d.body, d.state = genBody{"A/HRC", "UPR"}, genStates[g.rng.IntN(len(genStates))]
			uprN++
			// Adopted at the Working Group, imported weeks to months later.
			d.adopted = importDate.AddDays(-14 - g.rng.IntN(200))
		} else {
			body := genBodies[coN%len(genBodies)]
			st := genStates[(coN/len(genBodies))%len(genStates)]
			d.symbol = fmt.Sprintf("%s/%s/CO/%d", body.prefix, st.code, 1+coN/(len(genBodies)*len(genStates)))
			d.body, d.state = body, st
			coN++
			// Usually imported within months of the adoption; some long after.
			days := 10 + g.rng.IntN(180)
			if g.rng.IntN(5) == 0 {
				days += g.rng.IntN(3 * 365)
			}
			d.adopted = importDate.AddDays(-days)
		}
	}
	return docs
}

func (g *generator) document(d genDoc, res *Result) error {
	body, state := d.body, d.state
	source := "documents/" + strings.ReplaceAll(d.symbol, "/", "_") + ".docx"
	recs := g.recommendations(d, body, state)
	if d.upr {
		err := g.add(g.docs, d.id, d.symbol, string(workflow.UPRReport), "UPR",
			"Report of the Working Group on the Universal Periodic Review", state.name, d.adopted.String(),
			nil, "", nil, "", "", source, d.imported, d.imported)
		if err != nil {
			return err
		}
	} else {
		nrDue := d.adopted.AddMonths(48 + 12*g.rng.IntN(2))
		nrText := fmt.Sprintf("The Committee invites the State party to submit its next periodic report by %s and to include therein information on the follow-up to the present concluding observations.", genLongDate(nrDue))
		var fuDue any
		var fuParas, fuText string
		if g.rng.IntN(10) < 6 { // a follow-up procedure on two to four paragraphs
			var paras []int
			for _, r := range recs {
				if len(paras) == 0 || paras[len(paras)-1] != r.paragraph {
					paras = append(paras, r.paragraph)
				}
			}
			k := min(len(paras), 2+g.rng.IntN(3))
			pick := slices.Clone(paras)
			g.rng.Shuffle(len(pick), func(i, j int) { pick[i], pick[j] = pick[j], pick[i] })
			pick = pick[:k]
			slices.Sort(pick)
			var ps, words []string
			for _, p := range pick {
				ps = append(ps, strconv.Itoa(p))
				words = append(words, strconv.Itoa(p))
			}
			months := 12 * (1 + g.rng.IntN(2))
			fuDue = d.adopted.AddMonths(months).String()
			fuParas = strings.Join(ps, ",")
			fuText = fmt.Sprintf("In accordance with its follow-up procedure, the Committee requests the State party to provide, within %s, information on the implementation of the recommendations made in paragraphs %s above.",
				map[int]string{12: "one year", 24: "two years"}[months], strings.Join(words, ", "))
		}
		err := g.add(g.docs, d.id, d.symbol, string(workflow.ConcludingObservations), body.name,
			"Concluding observations on the periodic report of "+state.name, state.name, d.adopted.String(),
			nrDue.String(), nrText, fuDue, fuParas, fuText, source, d.imported, d.imported)
		if err != nil {
			return err
		}
	}
	res.Documents++
	for seq, r := range recs {
		if err := g.recommendation(d, seq, r, res); err != nil {
			return err
		}
	}
	return nil
}

type genRec struct {
	paragraph  int
	item       string
	section    string
	subsection string
	verb       string
	text       string
	lead       string
	concern    int
	status     string
	states     string
}

// recommendations draws a document's recommendations: numbered paragraphs
// with or without lettered items for concluding observations; numbered
// recommendations with the recommending States and the State's position
// for a UPR report.
func (g *generator) recommendations(d genDoc, body genBody, state genState) []genRec {
	out := make([]genRec, 0, d.size)
	if d.upr {
		const section = "II. Conclusions and/or recommendations"
		leads := map[string]string{
			workflow.StatusSupported: "The following recommendations will be examined by " + state.name + ", which enjoy its support:",
			workflow.StatusNoted:     "The following recommendations will be examined by " + state.name + ", which has noted them:",
			workflow.StatusPending:   "The following recommendations will be examined by " + state.name + ", which will provide responses in due time:",
		}
		supported := int(float64(d.size) * (0.55 + 0.25*g.rng.Float64()))
		pending := 0
		if g.rng.IntN(4) == 0 {
			pending = d.size / 20
		}
		para := 100 + g.rng.IntN(40)
		item := 0
		for i := 0; i < d.size; i++ {
			status := workflow.StatusSupported
			switch {
			case i >= supported+pending:
				status = workflow.StatusNoted
			case i >= supported:
				status = workflow.StatusPending
			}
			if i == supported || i == supported+pending {
				if i > 0 {
					para++
				}
				item = 0
			}
			item++
			states := g.recommendingStates(state)
			text := g.sentence(false) + " (" + strings.Join(states, "); (") + ")"
			out = append(out, genRec{paragraph: para, item: strconv.Itoa(item), section: section, text: text,
				lead: leads[status], status: status, states: `["` + strings.Join(states, `","`) + `"]`})
		}
		return out
	}
	para := 5 + g.rng.IntN(4)
	si := 0
	for len(out) < d.size {
		if para > 8 && g.rng.IntN(5) == 0 {
			si++
		}
		sec := genSections[si%len(genSections)]
		sub := genSubsections[(si*7+para)%len(genSubsections)]
		concern := 0
		if g.rng.IntN(2) == 0 {
			concern = para
			para++ // the concern's paragraph comes first
		}
		verb := genVerbs[g.rng.IntN(len(genVerbs))]
		items := 0
		if g.rng.IntN(5) < 3 {
			items = 2 + g.rng.IntN(5)
		}
		if items == 0 {
			out = append(out, genRec{paragraph: para, section: sec, subsection: sub, concern: concern,
				text: "The Committee " + verb.phrase + " the State party " + verb.to + genLower(g.sentence(true)), states: "[]", verb: verb.word})
		}
		lead := "The Committee " + verb.phrase + " the State party:"
		for k := 0; k < items && len(out) < d.size; k++ {
			text := g.sentence(false)
			if k < items-1 {
				text = strings.TrimSuffix(text, ".") + ";"
			}
			out = append(out, genRec{paragraph: para, item: string(rune('a' + k)), section: sec, subsection: sub, verb: verb.word,
				concern: concern, text: text, lead: lead, states: "[]"})
		}
		para++
	}
	return out[:d.size]
}

func (g *generator) recommendingStates(self genState) []string {
	n := 1 + g.rng.IntN(3)/2
	var out []string
	for len(out) < n {
		s := genStates[g.rng.IntN(len(genStates))].name
		if s != self.name && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// sentence draws the text of one recommendation from a few templates:
// an action, an object with a topic, and zero to three qualifiers, so that
// lengths vary from a line to a paragraph.
func (g *generator) sentence(full bool) string {
	topic := genTopics[g.rng.IntN(len(genTopics))]
	var b strings.Builder
	b.WriteString(genActions[g.rng.IntN(len(genActions))])
	b.WriteByte(' ')
	b.WriteString(strings.ReplaceAll(genObjects[g.rng.IntN(len(genObjects))], "{}", topic))
	q := g.rng.IntN(4)
	if full {
		q++
	}
	for i := 0; i < q; i++ {
		b.WriteString(genQualifiers[g.rng.IntN(len(genQualifiers))])
	}
	if g.rng.IntN(6) == 0 {
		b.WriteString("; and ")
		b.WriteString(genLower(genActions[g.rng.IntN(len(genActions))]))
		b.WriteByte(' ')
		b.WriteString(strings.ReplaceAll(genObjects[g.rng.IntN(len(genObjects))], "{}", genTopics[g.rng.IntN(len(genTopics))]))
	}
	b.WriteByte('.')
	return b.String()
}

func genLower(s string) string {
	if s == "" || strings.HasPrefix(s, "ILO") {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func genLongDate(d civil.Date) string {
	return fmt.Sprintf("%d %s %d", d.Day, d.Month, d.Year)
}

// Stages of the default workflow, in path order.
// The stages the generator moves tasks through: config.Default()'s
// (checkStages verifies it), which Config writes into the generated
// config.
const (
	stAssigned     = "assigned"
	stAcknowledged = "acknowledged"
	stPlanned      = "action_planned"
	stInProgress   = "in_progress"
	stImplemented  = "implemented"
	stPartial      = "partially_implemented"
	stReported     = "reported"
	stNotAccepted  = "not_accepted"
)

// checkStages makes sure the stages the generator uses are the default
// config's, and final where it expects.
func checkStages() error {
	def := config.Default()
	for _, id := range []string{stAssigned, stAcknowledged, stPlanned, stInProgress, stImplemented, stPartial, stReported, stNotAccepted} {
		s, ok := def.Stage(id)
		final := id == stReported || id == stNotAccepted
		if !ok || s.Final != final {
			return fmt.Errorf("generate: stage %q is not a default stage of that kind (final %v): the generator and config.Default disagree", id, final)
		}
	}
	if def.InitialStage != stAssigned {
		return fmt.Errorf("generate: the default initial stage is %q, the generator starts tasks in %q", def.InitialStage, stAssigned)
	}
	return nil
}

// genStageWeights give the chance of each stage by the age of the
// document: young documents are mostly assigned, old ones mostly under
// way or reported.
var genStageWeights = []struct {
	maxAge  int64
	weights [7]int // assigned, acknowledged, planned, in progress, implemented, partially, reported
}{
	{30 * genDay, [7]int{85, 15, 0, 0, 0, 0, 0}},
	{91 * genDay, [7]int{30, 50, 20, 0, 0, 0, 0}},
	{genYear, [7]int{8, 17, 30, 40, 3, 2, 0}},
	{2 * genYear, [7]int{5, 8, 15, 45, 12, 8, 7}},
	{1 << 62, [7]int{3, 5, 10, 35, 15, 10, 22}},
}

var genPath = []string{stAssigned, stAcknowledged, stPlanned, stInProgress, stImplemented, stPartial, stReported}

// stagePath draws a task's stage and the stages it went through after
// assigned, in order.
func (g *generator) stagePath(d genDoc, status string) []string {
	age := g.start - d.imported
	var w [7]int
	for _, b := range genStageWeights {
		if age < b.maxAge {
			w = b.weights
			break
		}
	}
	total := 0
	for _, x := range w {
		total += x
	}
	r := g.rng.IntN(total)
	k := 0
	for ; r >= w[k]; k++ {
		r -= w[k]
	}
	if status == workflow.StatusNoted && k >= 2 && g.rng.IntN(2) == 0 {
		// A noted recommendation is often closed as not accepted.
		if g.rng.IntN(2) == 0 {
			return []string{stNotAccepted}
		}
		return []string{stAcknowledged, stNotAccepted}
	}
	switch genPath[k] {
	case stAssigned:
		return nil
	case stImplemented:
		return []string{stAcknowledged, stPlanned, stInProgress, stImplemented}
	case stPartial:
		return []string{stAcknowledged, stPlanned, stInProgress, stPartial}
	case stReported:
		last := stImplemented
		if g.rng.IntN(3) == 0 {
			last = stPartial
		}
		return []string{stAcknowledged, stPlanned, stInProgress, last, stReported}
	}
	return genPath[1 : k+1]
}

var genNotes = []string{"", "", "", "", "focal point confirmed", "circular issued to provincial departments",
	"budget line requested", "draft decree submitted to the Government", "training held in three provinces",
	"see the ministry's annual report", "inter-ministerial meeting held"}

func (g *generator) recommendation(d genDoc, seq int, r genRec, res *Result) error {
	g.recID++
	id := g.recID
	recID := workflow.RecID(d.symbol, r.paragraph, r.item)
	var concern any
	if r.concern > 0 {
		concern = r.concern
	}
	tags := g.drawTags()
	if err := g.add(g.recs, id, recID, d.id, seq, r.paragraph, r.item, r.section, r.subsection, r.verb, r.text, r.lead, concern, r.status, r.states,
		jsonList(tags.Themes), jsonList(tags.AffectedPersons), jsonList(tags.SDGs)); err != nil {
		return err
	}
	if err := g.writeTags(id, tags, res); err != nil {
		return err
	}
	res.Recommendations++

	// The owner: 3% unassigned; the others skewed, as a few ministries hold
	// most recommendations.
	owner, by, manual := "", workflow.Unassigned, 0
	if g.rng.IntN(100) >= 3 {
		u := g.rng.Float64()
		owner = g.ministries[int(u*u*float64(len(g.ministries)))]
		by = fmt.Sprintf("rule %d", 1+g.rng.IntN(12))
	}
	var support []string
	if owner != "" && len(g.ministries) > 1 && g.rng.IntN(5) == 0 {
		for n := 1 + g.rng.IntN(2); len(support) < n && len(support) < len(g.ministries)-1; {
			m := g.ministries[g.rng.IntN(len(g.ministries))]
			if m != owner && !slices.Contains(support, m) {
				support = append(support, m)
			}
		}
	}
	path := g.stagePath(d, r.status)
	stage := stAssigned
	if len(path) > 0 {
		stage = path[len(path)-1]
	}
	created := d.imported
	events := g.history[:0]
	events = append(events, genEvent{created, "import", "created", "", ownerText(owner, support), by})
	updated := created
	// A few tasks were reassigned by hand, at some time after the import.
	if owner != "" && g.rng.IntN(50) == 0 {
		from := g.ministries[g.rng.IntN(len(g.ministries))]
		at := created + 1 + g.rng.Int64N(max(1, min(g.start-created, 60*genDay)))
		events = append(events, genEvent{at, "Secretariat", "assign", ownerText(from, nil), ownerText(owner, support),
			"reassigned at the ministry's request"})
		by, manual, updated = "Secretariat", 1, at
	}
	since := created
	if len(path) > 0 {
		// The moves happen at increasing times between the import and now.
		times := make([]int64, len(path))
		for i := range times {
			times[i] = created + 1 + g.rng.Int64N(max(1, g.start-created-3600))
		}
		slices.Sort(times)
		from := stAssigned
		actor := "Secretariat"
		if owner != "" {
			actor = "Focal point, " + genMinistryName(owner)
		}
		for i, to := range path {
			events = append(events, genEvent{times[i], actor, "stage", from, to, genNotes[g.rng.IntN(len(genNotes))]})
			from = to
		}
		since = times[len(times)-1]
		updated = max(updated, since)
	}
	g.history = events
	g.cluster(d, recID)
	if err := g.add(g.tasks, id, d.id, owner, strings.Join(support, ","), by, manual, stage, since, updated); err != nil {
		return err
	}
	for _, m := range support {
		if err := g.add(g.support, m, id); err != nil {
			return err
		}
	}
	// Events in the order they happened, as the audit trail records them.
	slices.SortStableFunc(events, func(a, b genEvent) int { return cmp.Compare(a.at, b.at) })
	for _, e := range events {
		g.eventID++
		if err := g.add(g.events, g.eventID, id, e.at, e.actor, e.kind, e.from, e.to, e.note); err != nil {
			return err
		}
	}
	res.Tasks++
	res.ByStage[stage]++
	if owner == "" {
		res.Unassigned++
	}
	if stage != stReported && stage != stNotAccepted {
		res.Open++
	}
	return nil
}

type genEvent struct {
	at                          int64
	actor, kind, from, to, note string
}

func genMinistryName(id string) string { return "Ministry " + strings.TrimPrefix(id, "m") }

// Config is a config for a generated database, built from
// config.Default(): its ministries (one focal point each at example.org),
// a coordinator, two reports due a year and two years after Start with
// milestones, the default stages, and mail written as .eml files into
// mailDir (or sent to o.SMTP without TLS).
func Config(o Options, dbPath, mailDir string) *config.Config {
	start := o.Start
	if start.IsZero() {
		start = time.Now()
	}
	today := civil.DateOf(start.UTC())
	c := config.Default()
	c.Database = dbPath
	for i := 1; i <= o.Ministries; i++ {
		id := MinistryID(i)
		c.Ministries = append(c.Ministries, config.Body{ID: id, Name: genMinistryName(id), Language: "en",
			FocalPoints: []config.FocalPoint{{Name: "Focal point, " + genMinistryName(id), Email: id + "@example.org"}}})
	}
	for i, years := range []int{1, 2} {
		c.Reports = append(c.Reports, config.Report{ID: fmt.Sprintf("report-%d", i+1), Title: fmt.Sprintf("Periodic report %d", i+1), Kind: config.ReportPeriodic,
			WordLimit: config.DefaultWordLimit(config.ReportPeriodic),
			Due:       today.AddMonths(12 * years), Milestones: []config.Milestone{
				{Name: "Ministries send their inputs", Before: civil.Span{Months: 9}},
				{Name: "Consolidated draft circulated to ministries", Before: civil.Span{Months: 6}},
				{Name: "National validation workshop", Before: civil.Span{Months: 3}},
			}})
	}
	c.Digests.MaxListed = 50
	c.Mail.From = "Follow-up of UN recommendations <followup@example.org>"
	c.Mail.Dir = mailDir
	if host, port, ok := strings.Cut(o.SMTP, ":"); o.SMTP != "" && ok {
		c.Mail.Transport = "smtp"
		c.Mail.SMTP.Host = host
		c.Mail.SMTP.Port, _ = strconv.Atoi(port)
		c.Mail.SMTP.TLS = "none"
	}
	return c
}

// ConfigYAML is Config written as the config file an admin would edit
// (config.Config.Show), after a comment that says what it is for.
func ConfigYAML(o Options, dbPath, mailDir string) []byte {
	start := o.Start
	if start.IsZero() {
		start = time.Now()
	}
	head := fmt.Sprintf("# A config for a database made by `followup gen` (seed %d, %d tasks, %d ministries,\n"+
		"# generated as of %s). For load tests: the addresses are at example.org.\n",
		o.Seed, o.Tasks, o.Ministries, start.UTC().Format(time.RFC3339))
	return append([]byte(head), Config(o, dbPath, mailDir).Show()...)
}

// The vocabulary of generated documents.

type genBody struct{ prefix, name string }

var genBodies = []genBody{
	{"CRC/C", "CRC"}, {"CEDAW/C", "CEDAW"}, {"CCPR/C", "CCPR"}, {"E/C.12", "CESCR"}, {"CERD/C", "CERD"},
	{"CAT/C", "CAT"}, {"CRPD/C", "CRPD"}, {"CMW/C", "CMW"}, {"CED/C", "CED"},
}

type genState struct{ code, name string }

var genStates = []genState{
	{"LAO", "Lao People's Democratic Republic"}, {"MNG", "Mongolia"}, {"KHM", "Cambodia"}, {"VNM", "Viet Nam"},
	{"THA", "Thailand"}, {"MMR", "Myanmar"}, {"IDN", "Indonesia"}, {"PHL", "Philippines"}, {"NPL", "Nepal"},
	{"BGD", "Bangladesh"}, {"LKA", "Sri Lanka"}, {"PAK", "Pakistan"}, {"KAZ", "Kazakhstan"}, {"KGZ", "Kyrgyzstan"},
	{"UZB", "Uzbekistan"}, {"TJK", "Tajikistan"}, {"GEO", "Georgia"}, {"ARM", "Armenia"}, {"MDA", "Republic of Moldova"},
	{"ALB", "Albania"}, {"SRB", "Serbia"}, {"URY", "Uruguay"}, {"PRY", "Paraguay"}, {"BOL", "Bolivia (Plurinational State of)"},
	{"PER", "Peru"}, {"ECU", "Ecuador"}, {"GTM", "Guatemala"}, {"HND", "Honduras"}, {"SEN", "Senegal"}, {"GHA", "Ghana"},
	{"KEN", "Kenya"}, {"UGA", "Uganda"}, {"TZA", "United Republic of Tanzania"}, {"ZMB", "Zambia"}, {"MWI", "Malawi"},
	{"MOZ", "Mozambique"}, {"MAR", "Morocco"}, {"TUN", "Tunisia"}, {"JOR", "Jordan"}, {"FJI", "Fiji"},
}

var genSections = []string{
	"A. General measures of implementation", "B. Definition of the child", "C. General principles",
	"D. Civil rights and freedoms", "E. Violence against children", "F. Family environment and alternative care",
	"G. Disability, basic health and welfare", "H. Education, leisure and cultural activities",
	"I. Special protection measures", "J. Access to justice and remedies", "K. Equality and non-discrimination",
}

var genSubsections = []string{
	"Legislation", "Comprehensive policy and strategy", "Coordination", "Allocation of resources", "Data collection",
	"Independent monitoring", "Dissemination, awareness-raising and training", "Cooperation with civil society",
	"Birth registration", "Freedom of expression", "Right to privacy", "Torture and ill-treatment",
	"Gender-based violence", "Sexual exploitation and abuse", "Harmful practices", "Children deprived of a family environment",
	"Children with disabilities", "Health and health services", "Mental health", "Standard of living",
	"Education, including vocational training", "Economic exploitation, including child labour",
	"Administration of juvenile justice", "Asylum-seeking and refugee children", "Impact of climate change",
}

type genVerb struct{ word, phrase, to string }

var genVerbs = []genVerb{
	{"recommends", "recommends that", ""}, {"urges", "urges", "to "}, {"encourages", "encourages", "to "},
	{"calls upon", "calls upon", "to "}, {"reiterates", "reiterates its recommendation that", ""},
}

var genActions = []string{
	"Strengthen", "Adopt", "Ensure the effective implementation of", "Take all measures necessary to implement",
	"Develop and implement", "Allocate sufficient human, technical and financial resources to", "Establish",
	"Review and amend", "Continue its efforts to strengthen", "Expedite the adoption of", "Evaluate", "Expand",
	"Consider ratifying", "Raise awareness of", "Systematically collect and analyse data on",
}

var genObjects = []string{
	"the national plan of action on {}", "legislation on {}", "a comprehensive system of data collection on {}",
	"the mandate of the national human rights institution with regard to {}", "mechanisms to monitor {}",
	"training programmes for judges, prosecutors and law enforcement officials on {}",
	"services for victims of {}", "the coordination of policies on {}", "its strategy to combat {}",
	"the ILO conventions relevant to {}", "complaint mechanisms that are accessible to victims of {}",
}

var genTopics = []string{
	"violence against children", "trafficking in persons", "birth registration", "child labour",
	"the rights of persons with disabilities", "access to justice", "gender equality", "freedom of expression",
	"torture and ill-treatment", "the independence of the judiciary", "the rights of indigenous peoples",
	"the impact of climate change", "inclusive education", "maternal and child health", "domestic violence",
	"the sale and sexual exploitation of children", "statelessness", "the rights of migrant workers",
	"enforced disappearance", "conditions of detention", "discrimination against women", "hate speech",
	"online child sexual abuse material", "child marriage", "the juvenile justice system", "poverty reduction",
}

var genQualifiers = []string{
	", in consultation with civil society organizations and children",
	", including in rural and remote areas",
	", with a view to ensuring its effective implementation",
	", and ensure that perpetrators are prosecuted and adequately punished",
	", in line with the principles relating to the status of national institutions (the Paris Principles)",
	", and allocate adequate human, technical and financial resources for its implementation",
	", with a particular focus on girls, children with disabilities and children belonging to minority groups",
	", and provide information thereon in its next periodic report",
	", taking into account target 16.2 of the Sustainable Development Goals",
	", with the technical assistance of the United Nations Children's Fund (UNICEF), among others",
}

// ownerText writes an assignment for the audit trail as the store does:
// "mps +moj,na", or "unassigned".
func ownerText(owner string, support []string) string {
	s := owner
	if s == "" {
		s = "unassigned"
	}
	if len(support) > 0 {
		s += " +" + strings.Join(support, ",")
	}
	return s
}
