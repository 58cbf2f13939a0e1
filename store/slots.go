package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/followup-app/followup/workflow"
)

// LastSlot returns the last slot a schedule ran for.
func (db *DB) LastSlot(ctx context.Context, name string) (time.Time, bool, error) {
	var last int64
	err := db.db.QueryRowContext(ctx, `SELECT last_slot FROM schedule_slots WHERE name = ?`, name).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, describe(err)
	}
	return time.Unix(last, 0).UTC(), true, nil
}

// SetLastSlot records a slot as run (or skipped) without running anything.
func (db *DB) SetLastSlot(ctx context.Context, name string, slot time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error { return setSlot(ctx, tx, name, slot, db.now().Unix()) })
}

func setSlot(ctx context.Context, tx *sql.Tx, name string, slot time.Time, now int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO schedule_slots (name, last_slot, updated_at) VALUES (?,?,?)
		ON CONFLICT(name) DO UPDATE SET last_slot = excluded.last_slot, updated_at = excluded.updated_at`, name, slot.Unix(), now)
	return err
}

// ErrSlotDone is returned by RunSlot when the slot already ran.
var ErrSlotDone = errors.New("slot already ran")

// SlotTx is the transaction of one schedule run. Everything it enqueues and
// logs commits together with the slot's advance, or nothing does: a crash
// in the middle of a sweep neither loses nor repeats a reminder.
type SlotTx struct {
	tx     *sql.Tx
	db     *DB
	now    int64
	log    *sql.Stmt
	dryRun bool
	stmts  map[string]*sql.Stmt // the sweep runs the same few queries thousands of times
}

// stmt returns a prepared statement for query, prepared once per slot.
func (s *SlotTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.stmts[query]; ok {
		return st, nil
	}
	st, err := s.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if s.stmts == nil {
		s.stmts = map[string]*sql.Stmt{}
	}
	s.stmts[query] = st
	return st, nil
}

// RunSlot runs fn for slot of the named schedule in one transaction and
// records the slot as the schedule's last. It returns ErrSlotDone, and
// runs nothing, when that slot (or a later one) already ran. With dryRun
// everything is rolled back: followup preview shows what would be sent
// without recording anything.
func (db *DB) RunSlot(ctx context.Context, name string, slot time.Time, dryRun bool, fn func(*SlotTx) error) error {
	errRollback := errors.New("dry run")
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var last int64
		err := tx.QueryRowContext(ctx, `SELECT last_slot FROM schedule_slots WHERE name = ?`, name).Scan(&last)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case last >= slot.Unix():
			return ErrSlotDone
		}
		s := &SlotTx{tx: tx, db: db, now: db.now().Unix(), dryRun: dryRun}
		defer func() {
			if s.log != nil {
				s.log.Close()
			}
			for _, st := range s.stmts {
				st.Close()
			}
		}()
		if err := fn(s); err != nil {
			return err
		}
		if err := setSlot(ctx, tx, name, slot, s.now); err != nil {
			return err
		}
		if dryRun {
			return errRollback
		}
		return nil
	})
	if errors.Is(err, errRollback) {
		return nil
	}
	return err
}

// Enqueue adds a message to the outbox within the slot.
func (s *SlotTx) Enqueue(ctx context.Context, m OutboxMessage) (int64, bool, error) {
	return enqueue(ctx, s.tx, m, s.now)
}

// DryRun reports whether nothing the slot does will be kept.
func (s *SlotTx) DryRun() bool { return s.dryRun }

// logBatch is how many reminder log rows one INSERT writes.
const logBatch = 200

// LogReminders records that these tasks were reminded of a deadline, by
// batches of rows per statement (a sweep may log hundreds of thousands).
// The statements run without the caller's cancellation: the sweep is one
// transaction, and the driver would start a goroutine per statement to
// watch a cancellable context. A dry run records nothing.
func (s *SlotTx) LogReminders(ctx context.Context, ids []int64, deadline, kind string, outboxID int64) error {
	if s.dryRun {
		return nil
	}
	ctx = context.WithoutCancel(ctx)
	for len(ids) > 0 {
		n := min(len(ids), logBatch)
		q := `INSERT INTO reminder_log (task_id, deadline, kind, outbox_id, at) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?,?,?,?,?),", n), ",") + ` ON CONFLICT DO NOTHING`
		st, err := s.stmt(ctx, q)
		if err != nil {
			return err
		}
		args := make([]any, 0, 5*n)
		for _, id := range ids[:n] {
			args = append(args, id, deadline, kind, outboxID, s.now)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// LogReminder records that a task was reminded of a deadline; false when
// it already was. A dry run records nothing: it would be rolled back.
func (s *SlotTx) LogReminder(ctx context.Context, taskID int64, deadline, kind string, outboxID int64) (bool, error) {
	if s.dryRun {
		return true, nil
	}
	if s.log == nil {
		stmt, err := s.tx.PrepareContext(ctx, `INSERT INTO reminder_log (task_id, deadline, kind, outbox_id, at)
			VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING`)
		if err != nil {
			return false, err
		}
		s.log = stmt
	}
	res, err := s.log.ExecContext(ctx, taskID, deadline, kind, outboxID, s.now)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// TaskGroup is the tasks of one document in one stage: every deadline
// follows from the document and the stage, so the sweep decides per group
// and reads only the tasks of groups that have something due.
type TaskGroup struct {
	DocumentID int64
	Doc        workflow.DocFacts
	Stage      string
}

// Groups lists the task groups in the stages keep accepts (nil: all), by
// document and stage.
func (s *SlotTx) Groups(ctx context.Context, keep func(stage string) bool) ([]TaskGroup, error) {
	return groups(ctx, s.tx, s.db.loc(), keep)
}

// Groups lists the task groups, outside a slot.
func (db *DB) Groups(ctx context.Context, keep func(stage string) bool) ([]TaskGroup, error) {
	return groups(ctx, db.db, db.loc(), keep)
}

// groups asks, for each document and each stage that some task is in, the
// index on (document_id, stage) whether the document has a task there: a
// few probes per document, where grouping the tasks would read the whole
// index (0.18 s at 1M tasks, at every sweep and digest). The stages are
// those tasks are in, not the config's, so that tasks left in a stage the
// admin has since removed are still seen.
func groups(ctx context.Context, q querier, loc *time.Location, keep func(stage string) bool) ([]TaskGroup, error) {
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
	values := strings.TrimSuffix(strings.Repeat("(?),", len(args)), ",")
	rows, err := q.QueryContext(ctx, `WITH s(stage) AS (VALUES `+values+`)
		SELECT d.id, d.symbol, d.adopted, d.imported_at, d.follow_up_due, d.follow_up_paragraphs, s.stage
		FROM documents d, s
		WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.document_id = d.id AND t.stage = s.stage)
		ORDER BY d.id, s.stage`, args...)
	if err != nil {
		return nil, describe(err)
	}
	defer rows.Close()
	var out []TaskGroup
	var prev TaskGroup
	for rows.Next() {
		var g TaskGroup
		var adopted, fuDue sql.NullString
		var imported int64
		var fuParas string
		if err := rows.Scan(&g.DocumentID, &g.Doc.Symbol, &adopted, &imported, &fuDue, &fuParas, &g.Stage); err != nil {
			return nil, err
		}
		if len(out) > 0 && prev.DocumentID == g.DocumentID {
			g.Doc = prev.Doc // the same document: its dates are decoded already
		} else {
			setDocDates(&g.Doc, adopted, imported, fuDue, fuParas, loc)
		}
		out = append(out, g)
		prev = g
	}
	return out, rows.Err()
}

// stagesInUse lists the stages tasks are in, sorted. It skips through the
// index on (owner, stage) one owner and one stage at a time, so it costs a
// probe per (owner, stage) pair rather than a read of every task.
func stagesInUse(ctx context.Context, q querier) ([]string, error) {
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
		return nil, describe(err)
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

// TaskQuery selects tasks for the sweep and the digests.
type TaskQuery struct {
	DocumentID int64    // 0: any document
	Stages     []string // empty: any stage
	Paragraphs []int    // empty: any paragraph
	Owner      *string  // nil: any owner; "" for unassigned
	Supporter  string   // tasks this ministry supports
	// NotLogged skips tasks already reminded of this deadline this way.
	NotLoggedDeadline, NotLoggedKind string
	Limit                            int // 0: no limit
}

// DueTask is a task as the sweep and the digests need it.
type DueTask struct {
	ID        int64
	DocID     int64
	RecID     string
	Paragraph int
	Item      string
	Text      string
	Status    string
	Owner     string
	Support   []string
	Stage     string
}

func (q TaskQuery) where() (string, []any) {
	var w []string
	var args []any
	if q.DocumentID != 0 {
		w = append(w, `t.document_id = ?`)
		args = append(args, q.DocumentID)
	}
	if len(q.Stages) > 0 {
		w = append(w, `t.stage IN (`+placeholders(len(q.Stages))+`)`)
		for _, s := range q.Stages {
			args = append(args, s)
		}
	}
	if len(q.Paragraphs) > 0 {
		w = append(w, `r.paragraph IN (`+placeholders(len(q.Paragraphs))+`)`)
		for _, p := range q.Paragraphs {
			args = append(args, p)
		}
	}
	if q.Owner != nil {
		w = append(w, `t.owner = ?`)
		args = append(args, *q.Owner)
	}
	if q.Supporter != "" {
		w = append(w, `instr(',' || t.support || ',', ?) > 0`)
		args = append(args, ","+q.Supporter+",")
	}
	if q.NotLoggedKind != "" {
		w = append(w, `NOT EXISTS (SELECT 1 FROM reminder_log l WHERE l.task_id = t.id AND l.deadline = ? AND l.kind = ?)`)
		args = append(args, q.NotLoggedDeadline, q.NotLoggedKind)
	}
	if len(w) == 0 {
		return "", nil
	}
	return ` WHERE ` + strings.Join(w, ` AND `), args
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// TaskSelection is the SQL the sweep runs for one group: followup preview
// and the benchmark compare it with the sqlite3 shell running the same.
func (q TaskQuery) TaskSelection() (string, []any) {
	w, args := q.where()
	sql := `SELECT t.id, t.document_id, r.rec_id, r.paragraph, r.item, r.text, r.status, t.owner, t.support, t.stage
		FROM tasks t JOIN recommendations r ON r.id = t.id` + w + ` ORDER BY t.id`
	if q.Limit > 0 {
		sql += ` LIMIT ` + strconv.Itoa(q.Limit)
	}
	return sql, args
}

// Tasks streams the tasks q selects, in task order.
func (s *SlotTx) Tasks(ctx context.Context, q TaskQuery, fn func(DueTask) error) error {
	return streamTasks(ctx, s.tx, q, fn)
}

// DueTasks streams the tasks q selects, outside a slot.
func (db *DB) DueTasks(ctx context.Context, q TaskQuery, fn func(DueTask) error) error {
	return streamTasks(ctx, db.db, q, fn)
}

func streamTasks(ctx context.Context, qr querier, q TaskQuery, fn func(DueTask) error) error {
	query, args := q.TaskSelection()
	rows, err := qr.QueryContext(ctx, query, args...)
	if err != nil {
		return describe(err)
	}
	defer rows.Close()
	for rows.Next() {
		var t DueTask
		var support string
		if err := rows.Scan(&t.ID, &t.DocID, &t.RecID, &t.Paragraph, &t.Item, &t.Text, &t.Status, &t.Owner, &support, &t.Stage); err != nil {
			return err
		}
		if support != "" {
			t.Support = strings.Split(support, ",")
		}
		if err := fn(t); err != nil {
			return err
		}
	}
	return rows.Err()
}

// LightTask is a task without its text: what the sweep needs to decide,
// before it reads the texts of the few tasks a message lists.
type LightTask struct {
	ID        int64
	DocID     int64
	Paragraph int // 0 unless WithParagraph
	Owner     string
	Support   string // comma-separated
	Stage     string
}

// LightSelection is the SQL of LightTasks: the query the sweep relies on
// for each group with something due (followup's benchmark runs the same in
// the sqlite3 shell).
func (q TaskQuery) LightSelection(withParagraph bool) (string, []any) {
	w, args := q.where()
	if len(q.Paragraphs) > 0 || withParagraph {
		return `SELECT t.id, t.document_id, r.paragraph, t.owner, t.support, t.stage
		FROM tasks t JOIN recommendations r ON r.id = t.id` + w, args
	}
	// Without a paragraph the recommendations table is not needed: the
	// where clause names only columns of tasks then.
	return `SELECT t.id, t.document_id, 0, t.owner, t.support, t.stage FROM tasks t` + w, args
}

// SweepSelection is the SQL the reminder sweep runs for each deadline with
// something due: the ids and owners of the tasks not yet reminded. It is
// "the query the sweep relies on": followup's benchmark runs the same in
// the sqlite3 shell as the floor to compare with.
func (q TaskQuery) SweepSelection() (string, []any) {
	w, args := q.where()
	from := ` FROM tasks t`
	if len(q.Paragraphs) > 0 {
		from += ` JOIN recommendations r ON r.id = t.id`
	}
	return `SELECT t.id, t.owner` + from + w, args
}

// SweepTasks streams the ids and owners of the tasks q selects.
func (s *SlotTx) SweepTasks(ctx context.Context, q TaskQuery, fn func(id int64, owner string) error) error {
	query, args := q.SweepSelection()
	st, err := s.stmt(ctx, query)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var id int64
	var owner string
	for rows.Next() {
		if err := rows.Scan(&id, &owner); err != nil {
			return err
		}
		if err := fn(id, owner); err != nil {
			return err
		}
	}
	return rows.Err()
}

// LightTasks streams the tasks q selects, without their texts.
func (s *SlotTx) LightTasks(ctx context.Context, q TaskQuery, withParagraph bool, fn func(LightTask) error) error {
	query, args := q.LightSelection(withParagraph)
	st, err := s.stmt(ctx, query)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var t LightTask
		if err := rows.Scan(&t.ID, &t.DocID, &t.Paragraph, &t.Owner, &t.Support, &t.Stage); err != nil {
			return err
		}
		if err := fn(t); err != nil {
			return err
		}
	}
	return rows.Err()
}

// TasksByID reads the tasks with these ids, texts included.
func (s *SlotTx) TasksByID(ctx context.Context, ids []int64) (map[int64]DueTask, error) {
	out := make(map[int64]DueTask, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), 500)
		chunk := ids[:n]
		ids = ids[n:]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := s.tx.QueryContext(ctx, `SELECT t.id, t.document_id, r.rec_id, r.paragraph, r.item, r.text, r.status, t.owner, t.support, t.stage
			FROM tasks t JOIN recommendations r ON r.id = t.id WHERE t.id IN (`+placeholders(n)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var t DueTask
			var support string
			if err := rows.Scan(&t.ID, &t.DocID, &t.RecID, &t.Paragraph, &t.Item, &t.Text, &t.Status, &t.Owner, &support, &t.Stage); err != nil {
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

// CountTasks counts the tasks q selects (ignoring its limit).
func (s *SlotTx) CountTasks(ctx context.Context, q TaskQuery) (int, error) {
	w, args := q.where()
	var n int
	err := s.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tasks t JOIN recommendations r ON r.id = t.id`+w, args...).Scan(&n)
	return n, err
}

// CountByOwner counts the tasks q selects per owner.
func (s *SlotTx) CountByOwner(ctx context.Context, q TaskQuery) (map[string]int, error) {
	w, args := q.where()
	rows, err := s.tx.QueryContext(ctx, `SELECT t.owner, COUNT(*) FROM tasks t JOIN recommendations r ON r.id = t.id`+w+` GROUP BY t.owner`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var o string
		var n int
		if err := rows.Scan(&o, &n); err != nil {
			return nil, err
		}
		out[o] = n
	}
	return out, rows.Err()
}

// OwnerStageCount is the number of tasks of one owner in one stage.
type OwnerStageCount struct {
	Owner string
	Stage string
	Count int
}

// Progress counts tasks by owner and stage.
func (s *SlotTx) Progress(ctx context.Context) ([]OwnerStageCount, error) {
	rows, err := s.tx.QueryContext(ctx, `SELECT owner, stage, COUNT(*) FROM tasks GROUP BY owner, stage ORDER BY owner, stage`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OwnerStageCount
	for rows.Next() {
		var c OwnerStageCount
		if err := rows.Scan(&c.Owner, &c.Stage, &c.Count); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// EventLine is a task event with its recommendation id.
type EventLine struct {
	Event
	RecID string
}

// EventsSince returns up to limit task events after since, oldest first,
// and how many there are in all.
func (s *SlotTx) EventsSince(ctx context.Context, since time.Time, limit int) ([]EventLine, int, error) {
	var total int
	if err := s.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM task_events WHERE at > ?`, since.Unix()).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.tx.QueryContext(ctx, `SELECT e.id, e.at, e.actor, e.kind, e.from_value, e.to_value, e.note, r.rec_id
		FROM task_events e JOIN recommendations r ON r.id = e.task_id WHERE e.at > ? ORDER BY e.id DESC LIMIT ?`, since.Unix(), limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []EventLine
	for rows.Next() {
		var e EventLine
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Kind, &e.From, &e.To, &e.Note, &e.RecID); err != nil {
			return nil, 0, err
		}
		e.At = time.Unix(at, 0).UTC()
		out = append([]EventLine{e}, out...)
	}
	return out, total, rows.Err()
}

// LastSent returns when the last message of a kind to a recipient was
// enqueued, among those delivered; zero if none.
func (s *SlotTx) LastSent(ctx context.Context, kind, recipient string) (time.Time, error) {
	var at sql.NullInt64
	err := s.tx.QueryRowContext(ctx, `SELECT MAX(created_at) FROM outbox WHERE kind = ? AND recipient = ? AND status = 'sent'`,
		kind, recipient).Scan(&at)
	if err != nil || !at.Valid {
		return time.Time{}, err
	}
	return time.Unix(at.Int64, 0).UTC(), nil
}

// Unreported returns up to limit failed or uncertain messages no digest
// has reported yet, and how many there are; with mark set they are marked
// reported (in the slot's transaction: only if the digest is enqueued).
func (s *SlotTx) Unreported(ctx context.Context, limit int, mark bool) ([]OutboxMessage, int, error) {
	var total int
	if err := s.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE status IN ('failed','uncertain') AND reported_at IS NULL`).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.tx.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE status IN ('failed','uncertain') AND reported_at IS NULL
		ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, 0, err
	}
	var out []OutboxMessage
	for rows.Next() {
		m, err := scanOutbox(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if mark {
		if _, err := s.tx.ExecContext(ctx, `UPDATE outbox SET reported_at = ? WHERE status IN ('failed','uncertain') AND reported_at IS NULL`, s.now); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}
