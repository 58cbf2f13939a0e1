package store

// The task list of the coordinator's dashboard and its CSV export: every
// task with filters, a page at a time. The figures the
// coordinator's overview also shows (countdown, progress by owner and
// stage, overdue, unassigned, what changed) come from plan.NewOverview over
// DB.Read: one home for them, so the page and the mail never disagree.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// GroupSel selects the tasks of one (document, stage) group: all of them,
// only those of Paragraphs, or all but those of Except. The overdue filter
// is a list of these, worked out from the config's deadlines (deadlines
// are not stored per task; see plan.OverdueGroups).
type GroupSel struct {
	Document   int64
	Stage      string
	Paragraphs []int
	Except     []int
}

// TaskQuery selects tasks for the dashboard's list and its CSV export.
// Empty fields select everything.
type TaskQuery struct {
	Owner    string // ministry id; "unassigned" for tasks no ministry owns
	Stage    string
	Document string // symbol
	Section  string // a section or a subsection, as Sections names them
	Text     string // words found in the recommendation's text or id
	Tags     TagFilter
	// Groups, when InGroups is set, keeps only tasks of these groups (the
	// overdue ones); an empty list then selects nothing.
	Groups   []GroupSel
	InGroups bool
	// After is the cursor of the last task of the previous page ("" for
	// the first page); Limit is the page's size (0: no limit, for the
	// export).
	After string
	Limit int
	// fromTags has the page start from the tag filter's rows (see
	// TaskList).
	fromTags bool
}

// fromTagsUnder is how many matches a tag-filtered page starts from the
// tags' rows under, then sorts them. Walking the recommendations in
// document order instead reads about 51 × all / matches of them for a
// page, at about 0.1 µs each; a match read from the tags and sorted costs
// about 4 µs (its text and counts are read before the sort). At 100,000
// recommendations: 13 matches took 12.1 ms walking, 1.5 ms from the tags;
// 3,939 took 11.5 and 20.6 ms.
const fromTagsUnder = 1000

// DashTask is a task as the dashboard lists it.
type DashTask struct {
	ID         int64
	DocumentID int64
	Symbol     string
	RecID      string
	Paragraph  int
	Item       string
	Section    string
	Subsection string
	Text       string
	Status     string
	Owner      string
	Support    []string
	Stage      string
	StageSince time.Time
	LastUpdate time.Time // the latest progress update; zero when none
	Updates    int       // how many progress updates it has
	cursor     string
}

// Cursor is where a page that ends with this task continues (TaskQuery.After).
func (t DashTask) Cursor() string { return t.cursor }

// TaskPage is one page of the dashboard's list.
type TaskPage struct {
	Tasks []DashTask
	// Total is how many tasks match, counted up to CountCap; TotalCapped
	// says there are more.
	Total       int
	TotalCapped bool
	// Next is the cursor of the next page; "" on the last.
	Next string
}

// CountCap bounds the count of matching tasks: over a million tasks an
// exact count of a text search would read every recommendation on every
// page; "more than 10,000" says enough.
const CountCap = 10000

const dashColumns = `t.id, t.document_id, d.symbol, r.rec_id, r.paragraph, r.item, r.section, r.subsection, r.text, r.status,
	t.owner, t.support, t.stage, t.stage_since, r.seq,
	COALESCE((SELECT u.at FROM task_updates u WHERE u.task_id = t.id ORDER BY u.id DESC LIMIT 1), 0),
	(SELECT COUNT(*) FROM task_updates u WHERE u.task_id = t.id)`

// The list walks the recommendations in document order through their index
// on (document_id, seq): a page reads about as many rows as it shows when
// the filters are broad, and the cursor continues where the page ended.
const dashFrom = ` FROM recommendations r JOIN tasks t ON t.id = r.id JOIN documents d ON d.id = r.document_id`

// where builds the filters' SQL (without the cursor). forCount drops the
// unary + that keeps the page's walk in document order: a count reads
// every match anyway, and the index on (owner, stage) finds them fastest;
// and it has a tag filter start from the tags' rows, for the same reason.
func (q TaskQuery) where(forCount bool) (string, []any) {
	var b strings.Builder
	var args []any
	b.WriteString(` WHERE 1=1`)
	// An owner and a stage together are rare enough for the index on
	// (owner, stage), then a sort; either alone is not (a ministry can hold
	// a fifth of a million tasks: 0.38 s through the index and a sort,
	// 0.01 s walking the documents in order until the page is full), so
	// the unary + keeps SQLite off that index.
	plus := "+"
	if forCount || q.Owner != "" && q.Stage != "" {
		plus = ""
	}
	switch q.Owner {
	case "":
	case "unassigned":
		b.WriteString(` AND ` + plus + `t.owner = ''`)
	default:
		b.WriteString(` AND ` + plus + `t.owner = ?`)
		args = append(args, q.Owner)
	}
	if q.Stage != "" {
		b.WriteString(` AND ` + plus + `t.stage = ?`)
		args = append(args, q.Stage)
	}
	if q.Document != "" {
		b.WriteString(` AND r.document_id = (SELECT id FROM documents WHERE symbol = ?)`)
		args = append(args, q.Document)
	}
	if q.Section != "" {
		// A section or a subsection: "Training" finds the recommendations
		// under that subsection, whatever section holds it.
		b.WriteString(` AND (r.section = ? OR r.subsection = ?)`)
		args = append(args, q.Section, q.Section)
	}
	for _, w := range strings.Fields(q.Text) {
		b.WriteString(` AND (r.text LIKE ? ESCAPE '\' OR r.rec_id LIKE ? ESCAPE '\')`)
		p := "%" + likeEscape(w) + "%"
		args = append(args, p, p)
	}
	tq, targs := q.Tags.sql("r.id")
	switch {
	case forCount:
		// The count reads tasks alone when it can (countFrom): t.id is
		// r.id.
		tq, targs = q.Tags.sqlFromTags("t.id")
	case q.fromTags:
		tq, targs = q.Tags.sqlFromTags("r.id")
	}
	b.WriteString(tq)
	args = append(args, targs...)
	if q.InGroups {
		b.WriteString(groupsSQL(q.Groups, plus))
	}
	return b.String(), args
}

// groupsSQL selects the tasks of groups. Whole groups are one row-value
// IN over a list SQLite turns into an ephemeral index, so walking the
// tasks costs a lookup each (an EXISTS over a VALUES table read the whole
// list for every task: 8.5 s for a page at 100,000 tasks); groups limited
// to some paragraphs, few, are spelt out. The values are written into the
// statement rather than bound: a million tasks make tens of thousands of
// groups, beyond SQLite's limit of bound parameters, and they are numbers
// and stage ids quoted as SQL strings.
//
// plus is "+" for a page: SQLite 3.54 would otherwise drive the statement
// from the list through the index on (document_id, stage) and sort every
// overdue task for a page of fifty (0.36 s at 1M tasks); with the index
// kept out it walks the documents in order and stops when the page is
// full. The count ("") may use the index: it reads the matches anyway.
func groupsSQL(groups []GroupSel, plus string) string {
	doc, stage := plus+"t.document_id", plus+"t.stage"
	var whole, parts []string
	for _, g := range groups {
		key := strconv.FormatInt(g.Document, 10) + "," + sqlString(g.Stage)
		switch {
		case len(g.Paragraphs) > 0:
			parts = append(parts, "("+doc+" = "+strconv.FormatInt(g.Document, 10)+" AND "+stage+" = "+sqlString(g.Stage)+
				" AND r.paragraph IN ("+intList(g.Paragraphs)+"))")
		case len(g.Except) > 0:
			parts = append(parts, "("+doc+" = "+strconv.FormatInt(g.Document, 10)+" AND "+stage+" = "+sqlString(g.Stage)+
				" AND r.paragraph NOT IN ("+intList(g.Except)+"))")
		default:
			whole = append(whole, "("+key+")")
		}
	}
	if len(whole) > 0 {
		parts = append(parts, "("+doc+", "+stage+") IN (VALUES "+strings.Join(whole, ",")+")")
	}
	if len(parts) == 0 {
		return ` AND 0`
	}
	return ` AND ` + orTree(parts)
}

// orTree joins terms with OR as a balanced tree of parentheses: SQLite
// refuses an expression more than 1,000 deep, and a flat chain of OR is
// as deep as it is long (a million tasks can make thousands of groups
// limited to some paragraphs).
func orTree(terms []string) string {
	if len(terms) == 1 {
		return terms[0]
	}
	mid := len(terms) / 2
	return "(" + orTree(terms[:mid]) + " OR " + orTree(terms[mid:]) + ")"
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func intList(ps []int) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = strconv.Itoa(p)
	}
	return strings.Join(out, ",")
}

// likeEscape makes a word match itself in LIKE: % and _ are not wildcards
// when someone searches for them.
func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// parseCursor reads "document.seq"; a cursor that does not parse is an
// ErrInvalid error (a hand-edited URL), never a panic or a silent restart.
func parseCursor(c string) (doc, seq int64, err error) {
	a, b, ok := strings.Cut(c, ".")
	if ok {
		doc, err = strconv.ParseInt(a, 10, 64)
		if err == nil {
			seq, err = strconv.ParseInt(b, 10, 64)
		}
	}
	if !ok || err != nil {
		return 0, 0, fmt.Errorf("page cursor %q: %w", c, ErrInvalid)
	}
	return doc, seq, nil
}

// countFrom is the count's FROM: the tasks alone unless a filter reads
// the recommendation. Every task has its recommendation and every
// recommendation its document (foreign keys, checked by the store), so
// the joins the page needs for its columns change no count; without them
// a count of 10,000 tasks reads 10,000 rows instead of 30,000 (a
// ministry's, its index alone), and a tag's matches are looked up in the
// tasks only: at 100,000 tasks, an SDG goal's 3,939 matches took 6.5 ms
// with the joins and 2.8 ms without (the sqlite3 shell).
func (q TaskQuery) countFrom() string {
	rec := q.Document != "" || q.Section != "" || strings.TrimSpace(q.Text) != ""
	if q.InGroups {
		for _, g := range q.Groups {
			rec = rec || len(g.Paragraphs) > 0 || len(g.Except) > 0
		}
	}
	if rec {
		return ` FROM tasks t JOIN recommendations r ON r.id = t.id`
	}
	return ` FROM tasks t`
}

// ListMark is a fingerprint of everything the task list shows and
// filters on; it changes whenever any of it may have (see
// DB.TaskListMark).
type ListMark struct {
	changes   int64    // ChangeMark: every change to a task appends to its audit trail
	recs      [2]int64 // RecommendationsMark: a recommendation added or changed, its tags included
	documents int64    // a document added (one without recommendations still lists in the form)
	tagRules  string   // the tag rules applied: the tags they give
}

// TaskListMark reads the task list's mark in one statement: each part
// reads one end of an index, or one row.
func (db *DB) TaskListMark(ctx context.Context) (ListMark, error) {
	var m ListMark
	const q = `SELECT (SELECT COALESCE(MAX(id), 0) FROM task_events) + (SELECT COALESCE(MAX(id), 0) FROM cluster_events),
		(SELECT COALESCE(MAX(id), 0) FROM recommendations), (SELECT COALESCE(MAX(id), 0) FROM recommendation_changes),
		(SELECT COALESCE(MAX(id), 0) FROM documents), COALESCE((SELECT value FROM meta WHERE key = 'tag_rules'), '')`
	db.traced(q, nil)
	err := db.db.QueryRowContext(ctx, q).Scan(&m.changes, &m.recs[0], &m.recs[1], &m.documents, &m.tagRules)
	if err != nil {
		return m, fmt.Errorf("read the task list's mark: %w", err)
	}
	return m, nil
}

// TaskList returns a page of the tasks q selects, in document order, and
// how many match (up to CountCap).
func (db *DB) TaskList(ctx context.Context, q TaskQuery) (TaskPage, error) {
	var page TaskPage
	where, args := q.where(true)
	var n int
	// The count walks the same rows without the texts; it stops after
	// CountCap+1.
	countSQL, countArgs := `SELECT COUNT(*) FROM (SELECT 1`+q.countFrom()+where+` LIMIT ?)`, append(args[:len(args):len(args)], CountCap+1)
	db.traced(countSQL, countArgs)
	err := db.db.QueryRowContext(ctx, countSQL, countArgs...).Scan(&n)
	if err != nil {
		return page, fmt.Errorf("count tasks: %w", err)
	}
	page.Total, page.TotalCapped = min(n, CountCap), n > CountCap
	// The count says how the page should find the matches of a tag
	// filter: from the tags when they are few, in document order when
	// they are many.
	q.fromTags = !q.Tags.Empty() && n < fromTagsUnder
	where, args = q.where(false)
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	// One more than the page, to know whether there is a next one.
	err = db.listTasks(ctx, q, where, args, limit+1, func(t DashTask) error {
		page.Tasks = append(page.Tasks, t)
		return nil
	})
	if err != nil {
		return page, err
	}
	if len(page.Tasks) > limit {
		page.Tasks = page.Tasks[:limit]
		page.Next = page.Tasks[limit-1].cursor
	}
	return page, nil
}

// EachTask streams every task q selects, in document order (the CSV
// export): one statement, no page held in memory. fn must not call the
// store: the statement holds the only connection until EachTask returns.
func (db *DB) EachTask(ctx context.Context, q TaskQuery, fn func(DashTask) error) error {
	where, args := q.where(false)
	return db.listTasks(ctx, q, where, args, q.Limit, fn)
}

func (db *DB) listTasks(ctx context.Context, q TaskQuery, where string, args []any, limit int, fn func(DashTask) error) error {
	sqlText := `SELECT ` + dashColumns + dashFrom + where
	args = args[:len(args):len(args)]
	if q.After != "" {
		doc, seq, err := parseCursor(q.After)
		if err != nil {
			return err
		}
		sqlText += ` AND (r.document_id, r.seq) > (?, ?)`
		args = append(args, doc, seq)
	}
	sqlText += ` ORDER BY r.document_id, r.seq`
	if limit > 0 {
		sqlText += ` LIMIT ?`
		args = append(args, limit)
	}
	db.traced(sqlText, args)
	rows, err := db.db.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return fmt.Errorf("list tasks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t DashTask
		var support string
		var since, last, seq int64
		if err := rows.Scan(&t.ID, &t.DocumentID, &t.Symbol, &t.RecID, &t.Paragraph, &t.Item, &t.Section, &t.Subsection,
			&t.Text, &t.Status, &t.Owner, &support, &t.Stage, &since, &seq, &last, &t.Updates); err != nil {
			return fmt.Errorf("list tasks: %w", err)
		}
		if support != "" {
			t.Support = strings.Split(support, ",")
		}
		t.StageSince = time.Unix(since, 0).UTC()
		if last != 0 {
			t.LastUpdate = time.Unix(last, 0).UTC()
		}
		t.cursor = strconv.FormatInt(t.DocumentID, 10) + "." + strconv.FormatInt(seq, 10)
		if err := fn(t); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list tasks: %w", err)
	}
	return nil
}
