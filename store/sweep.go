package store

// The store's side of package plan: the reads the sweep and the digests
// make, and the sweep itself as SQL, run by SQLite over the whole database
// in a few statements so that no task row crosses into Go unless a message
// lists it.

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/followup-app/followup/plan"
)

// execer is what statements run on: a transaction, tracedTx, or
// preparedTx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sqlRows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sqlRow
}

// tracedTx runs statements on a transaction, telling trace about each one
// first when it is set.
type tracedTx struct {
	tx    *txn
	trace func(query string, args []any)
}

func (t tracedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if t.trace != nil {
		t.trace(query, args)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t tracedTx) QueryContext(ctx context.Context, query string, args ...any) (*sqlRows, error) {
	if t.trace != nil {
		t.trace(query, args)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

func (t tracedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sqlRow {
	if t.trace != nil {
		t.trace(query, args)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

// TraceSQL makes every statement a slot (RunSlot, Read) runs call fn
// first, with its arguments: bench/sweepsql prints the statements a sweep
// runs, for the sqlite3 shell to run as the floor preview is compared
// with. nil stops tracing. Not safe to call while a slot runs.
func (db *DB) TraceSQL(fn func(query string, args []any)) { db.trace = fn }

// Read runs fn with a plan.Reader over one consistent state of the
// database (a transaction, rolled back at the end: nothing is written).
func (db *DB) Read(ctx context.Context, fn func(plan.Reader) error) error {
	errDone := errors.New("read done")
	err := db.tx(ctx, func(tx *txn) error {
		s := &SlotTx{q: tracedTx{tx, db.trace}, db: db, now: db.now().Unix(), dryRun: true}
		defer s.dropSweep(context.WithoutCancel(ctx))
		if err := fn(s); err != nil {
			return err
		}
		return errDone
	})
	if errors.Is(err, errDone) {
		return nil
	}
	return err
}

// TaskGroups asks, for each document and each stage that some task is in,
// the index on (document_id, stage) whether the document has a task there:
// a few probes per document, where grouping the tasks would read the whole
// index (0.18 s at 1M tasks, at every sweep and digest).
func (s *SlotTx) TaskGroups(ctx context.Context, open func(stage string) bool) ([]plan.Group, error) {
	return taskGroups(ctx, s.q, s.db, open)
}

func taskGroups(ctx context.Context, q execer, db *DB, keep func(stage string) bool) ([]plan.Group, error) {
	stages, err := stagesInUse(ctx, q)
	if err != nil {
		return nil, err
	}
	var args []any
	for _, st := range stages {
		if keep == nil || keep(st) {
			args = append(args, st)
		}
	}
	if len(args) == 0 {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, `WITH s(stage) AS (VALUES `+strings.TrimSuffix(strings.Repeat("(?),", len(args)), ",")+`)
		SELECT d.id, d.symbol, d.kind, d.adopted, d.imported_at, d.follow_up_due, d.follow_up_paragraphs, d.next_report_due, s.stage
		FROM documents d, s
		WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.document_id = d.id AND t.stage = s.stage)
		ORDER BY d.id, s.stage`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []plan.Group
	var prev plan.Group
	for rows.Next() {
		var g plan.Group
		var adopted, fuDue, nrDue sql.NullString
		var imported int64
		var fuParas string
		if err := rows.Scan(&g.Document, &g.Doc.Symbol, &g.Doc.Kind, &adopted, &imported, &fuDue, &fuParas, &nrDue, &g.Stage); err != nil {
			return nil, err
		}
		if len(out) > 0 && prev.Document == g.Document {
			g.Doc = prev.Doc // the same document: its dates are decoded already
		} else if err := setDocDates(&g.Doc, adopted, imported, fuDue, fuParas, nrDue, db.loc()); err != nil {
			return nil, fmt.Errorf("the tasks of %w", err)
		}
		out = append(out, g)
		prev = g
	}
	return out, rows.Err()
}

// stagesInUse lists the stages tasks are in, sorted. It skips through the
// index on (owner, stage) one owner and one stage at a time, so it costs a
// probe per (owner, stage) pair rather than a read of every task.
func stagesInUse(ctx context.Context, q execer) ([]string, error) {
	rows, err := q.QueryContext(ctx, `WITH RECURSIVE
		o(owner) AS (
			SELECT min(owner) FROM tasks
			UNION ALL
			SELECT (SELECT min(owner) FROM tasks WHERE owner > o.owner) FROM o WHERE o.owner IS NOT NULL),
		s(owner, stage) AS (
			SELECT owner, (SELECT min(stage) FROM tasks WHERE owner = o.owner) FROM o WHERE o.owner IS NOT NULL
			UNION ALL
			SELECT s.owner, (SELECT min(stage) FROM tasks WHERE owner = s.owner AND stage > s.stage)
			FROM s WHERE s.stage IS NOT NULL)
		SELECT DISTINCT stage FROM s WHERE stage IS NOT NULL ORDER BY stage`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var st string
		if err := rows.Scan(&st); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// The sweep's temporary tables, on the transaction's connection:
// sweep_fire holds the fires (esc 1 for the escalation channel; paras
// ',14,26,' for a fire limited to these paragraphs, ” for all),
// sweep_group the (document, stage, channel) groups they fire in,
// sweep_outbox the message each owner's tasks are logged under. (No SQL
// comments: bench/sweepsql prints each statement on one line.)
var sweepTables = []string{`CREATE TEMP TABLE IF NOT EXISTS sweep_fire (
	doc      INTEGER NOT NULL,
	stage    TEXT NOT NULL,
	esc      INTEGER NOT NULL,
	rank     INTEGER NOT NULL,
	paras    TEXT NOT NULL,
	deadline TEXT NOT NULL,
	kind     TEXT NOT NULL,
	PRIMARY KEY (doc, stage, esc, rank)
) WITHOUT ROWID`,
	`CREATE INDEX IF NOT EXISTS temp.sweep_fire_by_rank ON sweep_fire (esc, rank, doc, stage)`,
	`CREATE TEMP TABLE IF NOT EXISTS sweep_group (
	doc   INTEGER NOT NULL,
	stage TEXT NOT NULL,
	esc   INTEGER NOT NULL,
	PRIMARY KEY (doc, stage, esc)
) WITHOUT ROWID`,
	`CREATE TEMP TABLE IF NOT EXISTS sweep_outbox (
	owner     TEXT NOT NULL,
	esc       INTEGER NOT NULL,
	outbox_id INTEGER NOT NULL,
	PRIMARY KEY (owner, esc)
) WITHOUT ROWID`}

// fireBatch is how many fires one INSERT writes.
const fireBatch = 200

// loadSweep fills the temporary tables with q's fires, unless they hold
// them already (Sweep, then LogSweep with the same query).
func (s *SlotTx) loadSweep(ctx context.Context, q plan.SweepQuery) error {
	if len(q.Fires) > 0 && s.swept == &q.Fires[0] && s.nFires == len(q.Fires) {
		return nil
	}
	for _, stmt := range sweepTables {
		if _, err := s.q.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("sweep tables: %w", err)
		}
	}
	for _, t := range []string{"sweep_fire", "sweep_group", "sweep_outbox"} {
		if _, err := s.q.ExecContext(ctx, `DELETE FROM temp.`+t); err != nil {
			return err
		}
	}
	for fires := q.Fires; len(fires) > 0; {
		n := min(len(fires), fireBatch)
		args := make([]any, 0, 7*n)
		for _, f := range fires[:n] {
			paras := ""
			if f.Paragraphs != nil {
				var b strings.Builder
				b.WriteByte(',')
				for _, p := range f.Paragraphs {
					b.WriteString(strconv.Itoa(p))
					b.WriteByte(',')
				}
				paras = b.String()
			}
			esc := 0
			if f.Escalation {
				esc = 1
			}
			args = append(args, f.Document, f.Stage, esc, f.Rank, paras, f.Deadline, f.Kind)
		}
		if _, err := s.q.ExecContext(ctx, `INSERT OR IGNORE INTO temp.sweep_fire (doc, stage, esc, rank, paras, deadline, kind) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?,?,?,?,?,?,?),", n), ","), args...); err != nil {
			return err
		}
		fires = fires[n:]
	}
	if _, err := s.q.ExecContext(ctx, `INSERT OR IGNORE INTO temp.sweep_group SELECT doc, stage, esc FROM temp.sweep_fire`); err != nil {
		return err
	}
	if len(q.Fires) > 0 {
		s.swept, s.nFires = &q.Fires[0], len(q.Fires)
	}
	return nil
}

// dropSweep removes the temporary tables, which would otherwise keep their
// rows in memory for as long as the connection lives.
func (s *SlotTx) dropSweep(ctx context.Context) {
	if s.swept == nil {
		return
	}
	for _, t := range []string{"sweep_fire", "sweep_group", "sweep_outbox"} {
		_, _ = s.q.ExecContext(ctx, `DROP TABLE IF EXISTS temp.`+t) // best effort: a rolled-back transaction drops them too
	}
	s.swept = nil
}

// fireOf selects the fires of the group g (an alias with doc, stage and
// esc) that concern task t and that the reminder log does not hold.
const fireOf = `f.doc = g.doc AND f.stage = g.stage AND f.esc = g.esc
	AND (f.paras = '' OR instr(f.paras, ',' || (SELECT r.paragraph FROM recommendations r WHERE r.id = t.id) || ',') > 0)
	AND NOT EXISTS (SELECT 1 FROM reminder_log l WHERE l.task_id = t.id AND l.deadline = f.deadline AND l.kind = f.kind)`

// sweepCounts is the sweep in one statement: for each task of each group
// with a fire, the lowest rank of its fires not yet logged, counted per
// owner, channel and rank. The innermost query is kept apart (LIMIT -1) so
// that each task's fires are looked up once, and driven by the groups
// (CROSS JOIN) so that only their tasks are read. The counts come back as
// one row per owner and channel, "rank tasks" pairs joined by commas:
// tens of thousands of (owner, rank) pairs over a large database, which
// cost more to step through one row at a time than to read as text.
const sweepCounts = `SELECT owner, esc, group_concat(prim || ' ' || n) FROM (
	SELECT owner, esc, prim, count(*) AS n FROM (
		SELECT t.owner AS owner, g.esc AS esc, (SELECT min(f.rank) FROM temp.sweep_fire f WHERE ` + fireOf + `) AS prim
		FROM temp.sweep_group g CROSS JOIN tasks t ON t.document_id = g.doc AND t.stage = g.stage
		LIMIT -1)
	WHERE prim IS NOT NULL
	GROUP BY prim, esc, owner)
GROUP BY owner, esc`

// sweepListing lists one owner's first tasks in a channel, in order of
// (lowest rank, id), with every rank of their fires: it reads only the
// groups with a fire ranked up to the cutoff, where those tasks are. The
// owner is tested, not looked up (+t.owner): through the index on (owner,
// stage) SQLite would read all of a large owner's tasks in the stage for
// each group.
const sweepListing = `SELECT id, prim, ranks FROM (
	SELECT t.id AS id,
		(SELECT min(f.rank) FROM temp.sweep_fire f WHERE ` + fireOf + `) AS prim,
		(SELECT group_concat(f.rank) FROM temp.sweep_fire f WHERE ` + fireOf + `) AS ranks
	FROM (SELECT DISTINCT doc, stage, esc FROM temp.sweep_fire WHERE esc = ? AND rank <= ?) g
	CROSS JOIN tasks t ON t.document_id = g.doc AND t.stage = g.stage
	WHERE +t.owner = ? AND t.cluster_id IS NULL
	LIMIT -1)
WHERE prim <= ?
ORDER BY prim, id
LIMIT ?`

// sweepClustered is the sweep's clustered tasks, each with its lowest
// rank and all its ranks in each channel with a fire: driven by the
// partial index on tasks.cluster_id, it reads the clustered tasks only,
// which are few, and costs nothing when there are none. Sweep counts each
// cluster's members of one owner once, under the lowest of their ranks.
const sweepClustered = `SELECT owner, esc, cl, id, prim, ranks FROM (
	SELECT t.owner AS owner, g.esc AS esc, t.cluster_id AS cl, t.id AS id,
		(SELECT min(f.rank) FROM temp.sweep_fire f WHERE ` + fireOf + `) AS prim,
		(SELECT group_concat(f.rank) FROM temp.sweep_fire f WHERE ` + fireOf + `) AS ranks
	FROM tasks t CROSS JOIN temp.sweep_group g ON g.doc = t.document_id AND g.stage = t.stage
	WHERE t.cluster_id IS NOT NULL
	LIMIT -1)
WHERE prim IS NOT NULL
ORDER BY owner, esc, cl, id`

// Sweep answers the reminder sweep: one statement counts every task under
// its lowest-ranked fire; then, for each owner and channel, one statement
// lists its first q.List tasks.
func (s *SlotTx) Sweep(ctx context.Context, q plan.SweepQuery) (plan.SweepResult, error) {
	var res plan.SweepResult
	if len(q.Fires) == 0 {
		return res, nil
	}
	if err := s.loadSweep(ctx, q); err != nil {
		return res, err
	}
	rows, err := s.q.QueryContext(ctx, sweepCounts)
	if err != nil {
		return res, err
	}
	for rows.Next() {
		var ch plan.Channel
		var pairs string
		if err := rows.Scan(&ch.Owner, &ch.Escalation, &pairs); err != nil {
			rows.Close()
			return res, err
		}
		first := len(res.Counts)
		for _, p := range strings.Split(pairs, ",") {
			r, n, _ := strings.Cut(p, " ")
			rank, err1 := strconv.Atoi(r)
			tasks, err2 := strconv.Atoi(n)
			if err1 != nil || err2 != nil {
				rows.Close()
				return res, fmt.Errorf("sweep: counts of %q: %q is not a rank and a number", ch.Owner, p)
			}
			res.Counts = append(res.Counts, plan.SweepCount{Channel: ch, Rank: rank, Tasks: tasks})
		}
		slices.SortFunc(res.Counts[first:], func(a, b plan.SweepCount) int { return a.Rank - b.Rank })
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, err
	}
	units, err := s.sweepClusters(ctx, &res)
	if err != nil {
		return res, err
	}
	if q.List <= 0 {
		return res, nil
	}
	// Each channel's cutoff: the rank at which its first q.List tasks are
	// reached (the counts come by rank).
	type cut struct {
		rank, n int
	}
	cuts := map[plan.Channel]*cut{}
	var order []plan.Channel
	for _, c := range res.Counts {
		k := cuts[c.Channel]
		if k == nil {
			k = &cut{}
			cuts[c.Channel] = k
			order = append(order, c.Channel)
		}
		if k.n < q.List {
			k.rank, k.n = c.Rank, k.n+c.Tasks
		}
	}
	slices.SortFunc(order, func(a, b plan.Channel) int {
		if a.Escalation != b.Escalation {
			if a.Escalation {
				return 1
			}
			return -1
		}
		return strings.Compare(a.Owner, b.Owner)
	})
	for _, ch := range order {
		k := cuts[ch]
		rows, err := s.q.QueryContext(ctx, sweepListing, ch.Escalation, k.rank, ch.Owner, k.rank, q.List)
		if err != nil {
			return res, err
		}
		for rows.Next() {
			t := plan.SweepTask{Channel: ch}
			var prim int
			var ranks string
			if err := rows.Scan(&t.ID, &prim, &ranks); err != nil {
				rows.Close()
				return res, err
			}
			for _, r := range strings.Split(ranks, ",") {
				n, err := strconv.Atoi(r)
				if err != nil {
					rows.Close()
					return res, fmt.Errorf("sweep: task %d: ranks %q: %w", t.ID, ranks, err)
				}
				t.Ranks = append(t.Ranks, n)
			}
			slices.Sort(t.Ranks)
			res.Listed = append(res.Listed, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return res, err
		}
	}
	res.Listed = mergeUnits(res.Listed, units, q.List)
	return res, nil
}

// unitKey is a cluster's members of one owner in one channel.
type unitKey struct {
	plan.Channel
	cluster int64
}

// sweepClusters reads the sweep's clustered tasks and counts each
// cluster's members of one owner and channel once, under the lowest of
// their ranks: res.Counts, which counted each task, are corrected. It
// returns the clusters as listed units, each with its members and all
// their ranks.
func (s *SlotTx) sweepClusters(ctx context.Context, res *plan.SweepResult) (map[unitKey]*plan.SweepTask, error) {
	rows, err := s.q.QueryContext(ctx, sweepClustered)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type countKey struct {
		plan.Channel
		rank int
	}
	delta := map[countKey]int{}
	units := map[unitKey]*plan.SweepTask{}
	prim := map[unitKey]int{}
	for rows.Next() {
		var k unitKey
		var id int64
		var p int
		var ranks string
		if err := rows.Scan(&k.Owner, &k.Escalation, &k.cluster, &id, &p, &ranks); err != nil {
			return nil, err
		}
		delta[countKey{k.Channel, p}]--
		u := units[k]
		if u == nil {
			u = &plan.SweepTask{Channel: k.Channel, ID: id, Cluster: k.cluster}
			units[k] = u
			prim[k] = p
		}
		prim[k] = min(prim[k], p)
		u.Members = append(u.Members, id)
		for _, r := range strings.Split(ranks, ",") {
			n, err := strconv.Atoi(r)
			if err != nil {
				return nil, fmt.Errorf("sweep: task %d: ranks %q: %w", id, ranks, err)
			}
			if !slices.Contains(u.Ranks, n) {
				u.Ranks = append(u.Ranks, n)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(units) == 0 {
		return nil, nil
	}
	for k, u := range units {
		slices.Sort(u.Ranks)
		delta[countKey{k.Channel, prim[k]}]++
	}
	// The corrected counts, in the order Sweep gives them: by channel as
	// the counting statement returned them, each by rank.
	out := res.Counts[:0:0]
	seen := map[countKey]bool{}
	for _, c := range res.Counts {
		k := countKey{c.Channel, c.Rank}
		seen[k] = true
		if c.Tasks += delta[k]; c.Tasks > 0 {
			out = append(out, c)
		}
	}
	for k, d := range delta {
		if !seen[k] && d > 0 { // cannot happen: a unit's rank is one of its members'
			return nil, fmt.Errorf("sweep: cluster counted under rank %d of %q, which counts no task", k.rank, k.Owner)
		}
	}
	res.Counts = out
	return units, nil
}

// mergeUnits adds the clusters to the listed tasks of their channels and
// keeps each channel's first list, in order of (lowest rank, first id).
func mergeUnits(listed []plan.SweepTask, units map[unitKey]*plan.SweepTask, list int) []plan.SweepTask {
	if len(units) == 0 {
		return listed
	}
	for _, u := range units {
		listed = append(listed, *u)
	}
	slices.SortStableFunc(listed, func(a, b plan.SweepTask) int {
		if a.Escalation != b.Escalation {
			if a.Escalation {
				return 1
			}
			return -1
		}
		if c := strings.Compare(a.Owner, b.Owner); c != 0 {
			return c
		}
		if c := a.Ranks[0] - b.Ranks[0]; c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	out := listed[:0]
	n := 0
	for i, t := range listed {
		if i > 0 && t.Channel != listed[i-1].Channel {
			n = 0
		}
		if n < list {
			out = append(out, t)
		}
		n++
	}
	return out
}

// LogSweep writes the reminder log of a sweep in one statement: every
// (task, fire) not logged yet, under its owner's message in the channel.
func (s *SlotTx) LogSweep(ctx context.Context, q plan.SweepQuery, outbox map[plan.Channel]int64) error {
	if s.dryRun || len(q.Fires) == 0 || len(outbox) == 0 {
		return nil
	}
	if err := s.loadSweep(ctx, q); err != nil {
		return err
	}
	args := make([]any, 0, 3*len(outbox))
	for ch, id := range outbox {
		args = append(args, ch.Owner, ch.Escalation, id)
	}
	if _, err := s.q.ExecContext(ctx, `INSERT INTO temp.sweep_outbox (owner, esc, outbox_id) VALUES `+
		strings.TrimSuffix(strings.Repeat("(?,?,?),", len(outbox)), ","), args...); err != nil {
		return err
	}
	_, err := s.q.ExecContext(ctx, `INSERT INTO reminder_log (task_id, deadline, kind, outbox_id, at)
		SELECT t.id, f.deadline, f.kind, o.outbox_id, ?
		FROM temp.sweep_fire f
		CROSS JOIN tasks t ON t.document_id = f.doc AND t.stage = f.stage
		CROSS JOIN temp.sweep_outbox o ON o.owner = +t.owner AND o.esc = f.esc
		WHERE f.paras = '' OR instr(f.paras, ',' || (SELECT r.paragraph FROM recommendations r WHERE r.id = t.id) || ',') > 0
		ON CONFLICT DO NOTHING`, s.now)
	return err
}

// OpenTasks streams the tasks in stages, without their texts.
func (s *SlotTx) OpenTasks(ctx context.Context, stages []string, fn func(plan.LightTask) error) error {
	if len(stages) == 0 {
		return nil
	}
	args := make([]any, len(stages))
	for i, st := range stages {
		args[i] = st
	}
	rows, err := s.q.QueryContext(ctx, `SELECT t.id, t.document_id, r.paragraph, t.owner, t.support, t.stage, COALESCE(t.cluster_id, 0)
		FROM tasks t JOIN recommendations r ON r.id = t.id WHERE t.stage IN (`+placeholders(len(stages))+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var t plan.LightTask
	for rows.Next() {
		if err := rows.Scan(&t.ID, &t.Document, &t.Paragraph, &t.Owner, &t.Support, &t.Stage, &t.Cluster); err != nil {
			return err
		}
		if err := fn(t); err != nil {
			return err
		}
	}
	return rows.Err()
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// TasksByID reads the tasks with these ids, texts included, 500 per
// statement.
func (s *SlotTx) TasksByID(ctx context.Context, ids []int64) (map[int64]plan.TaskRow, error) {
	out := make(map[int64]plan.TaskRow, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		ids = ids[n:]
		rows, err := s.q.QueryContext(ctx, `SELECT t.id, t.document_id, r.rec_id, r.paragraph, r.item, r.text, r.status, t.owner, t.support, t.stage
			FROM tasks t JOIN recommendations r ON r.id = t.id WHERE t.id IN (`+placeholders(n)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var t plan.TaskRow
			var support string
			if err := rows.Scan(&t.ID, &t.Document, &t.RecID, &t.Paragraph, &t.Item, &t.Text, &t.Status, &t.Owner, &support, &t.Stage); err != nil {
				rows.Close()
				return nil, err
			}
			if support != "" {
				t.Support = strings.Split(support, ",")
			}
			out[t.ID] = t
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Progress counts tasks by owner and stage.
func (s *SlotTx) Progress(ctx context.Context) ([]plan.OwnerStageCount, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT owner, stage, COUNT(*) FROM tasks GROUP BY owner, stage ORDER BY owner, stage`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []plan.OwnerStageCount
	for rows.Next() {
		var c plan.OwnerStageCount
		if err := rows.Scan(&c.Owner, &c.Stage, &c.Count); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// lateFrom selects the tasks of the late groups in temp.late_group, each
// joined to its tasks through the index on (document_id, stage), the
// groups kept outermost (CROSS JOIN). A task's paragraph is looked up only
// for the groups limited to some paragraphs, which are few.
const lateFrom = `SELECT t.id AS id, t.owner AS owner, g.day AS day, g.k AS k
	FROM temp.late_group g CROSS JOIN tasks t ON t.document_id = g.doc AND t.stage = g.stage
	WHERE CASE WHEN g.paras = '' AND g.exc = '' THEN 1
		WHEN g.paras <> '' THEN instr(g.paras, ',' || (SELECT r.paragraph FROM recommendations r WHERE r.id = t.id) || ',') > 0
		ELSE instr(g.exc, ',' || (SELECT r.paragraph FROM recommendations r WHERE r.id = t.id) || ',') = 0 END`

// lateBatch is how many groups one INSERT writes (6 parameters each,
// under SQLite's limit of 32,766).
const lateBatch = 500

// commaList writes paragraphs as ",3,5," (instr finds ",5,"), "" for none.
func commaList(ps []int) string {
	if len(ps) == 0 {
		return ""
	}
	return "," + intList(ps) + ","
}

// LateTasks counts the tasks of q.Groups by owner and reads the first
// q.Limit by (day, id): two statements over the same selection. The
// groups go into a temporary table, in batches of bound rows: at 1M tasks
// there are some 10,000 of them, and written into the statements as a
// VALUES list (433 KB of SQL each) their compiling took 75 MB.
func (s *SlotTx) LateTasks(ctx context.Context, q plan.LateQuery) (res plan.LateResult, err error) {
	res.ByOwner = map[string]int{}
	if len(q.Groups) == 0 {
		return res, nil
	}
	if _, err := s.q.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS late_group (
		doc INTEGER NOT NULL, stage TEXT NOT NULL, day INTEGER NOT NULL, k INTEGER NOT NULL, paras TEXT NOT NULL, exc TEXT NOT NULL)`); err != nil {
		return res, fmt.Errorf("late groups: %w", err)
	}
	// Dropped after use, or its rows stay in memory for as long as the
	// connection lives (a rolled-back transaction drops it too).
	defer func() {
		if _, derr := s.q.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS temp.late_group`); derr != nil && err == nil {
			err = derr
		}
	}()
	if _, err := s.q.ExecContext(ctx, `DELETE FROM temp.late_group`); err != nil {
		return res, err
	}
	for i := 0; i < len(q.Groups); i += lateBatch {
		n := min(len(q.Groups)-i, lateBatch)
		args := make([]any, 0, 6*n)
		for k, g := range q.Groups[i : i+n] {
			args = append(args, g.Document, g.Stage, g.Day, i+k, commaList(g.Paragraphs), commaList(g.Except))
		}
		if _, err := s.q.ExecContext(ctx, `INSERT INTO temp.late_group (doc, stage, day, k, paras, exc) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?,?,?,?,?,?),", n), ","), args...); err != nil {
			return res, err
		}
	}
	rows, err := s.q.QueryContext(ctx, `SELECT owner, count(*) FROM (`+lateFrom+`) GROUP BY owner`)
	if err != nil {
		return res, err
	}
	for rows.Next() {
		var owner string
		var n int
		if err := rows.Scan(&owner, &n); err != nil {
			rows.Close()
			return res, err
		}
		res.ByOwner[owner] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, err
	}
	if q.Limit <= 0 {
		return res, nil
	}
	rows, err = s.q.QueryContext(ctx, `SELECT id, k FROM (`+lateFrom+`) ORDER BY day, id LIMIT ?`, q.Limit)
	if err != nil {
		return res, err
	}
	defer rows.Close()
	for rows.Next() {
		var t plan.LateTask
		if err := rows.Scan(&t.ID, &t.Group); err != nil {
			return res, err
		}
		res.First = append(res.First, t)
	}
	return res, rows.Err()
}

// Unassigned reads the first limit tasks nobody owns in one of stages, by
// id, through the index on (owner, stage), and counts them.
func (s *SlotTx) Unassigned(ctx context.Context, stages []string, limit int) ([]plan.LightTask, int, error) {
	if len(stages) == 0 {
		return nil, 0, nil
	}
	args := make([]any, 0, len(stages)+1)
	for _, st := range stages {
		args = append(args, st)
	}
	var total int
	if err := s.q.QueryRowContext(ctx, `SELECT count(*) FROM tasks WHERE owner = '' AND stage IN (`+placeholders(len(stages))+`)`,
		args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if total == 0 || limit <= 0 {
		return nil, total, nil
	}
	rows, err := s.q.QueryContext(ctx, `SELECT t.id, t.document_id, r.paragraph, t.stage
		FROM tasks t JOIN recommendations r ON r.id = t.id
		WHERE t.owner = '' AND t.stage IN (`+placeholders(len(stages))+`) ORDER BY t.id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []plan.LightTask
	for rows.Next() {
		var t plan.LightTask
		if err := rows.Scan(&t.ID, &t.Document, &t.Paragraph, &t.Stage); err != nil {
			return nil, 0, err
		}
		out = append(out, t)
	}
	return out, total, rows.Err()
}
