package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/report/source"
)

// Roles of the body that records a progress update, toward the task.
const (
	RoleLead        = "lead"
	RoleSupport     = "support"
	RoleCoordinator = "coordinator"
)

// Kinds of evidence.
const (
	EvidenceLink = "link"
	EvidenceFile = "file"
)

// Update is one progress update on a task: what a ministry says it did.
// It is never edited: a correction is a new update.
type Update struct {
	ID         int64
	TaskID     int64
	RecID      string // the recommendation's id; filled when read
	Ministry   string // the body that recorded it
	Role       string // RoleLead, RoleSupport or RoleCoordinator
	FocalPoint string // the address the signed link was issued to; "" from the CLI
	Author     string // the name typed in the form
	ClientAddr string // the client's address (web); "" from the CLI
	At         time.Time
	DoneOn     civil.Date // when the work was done; zero when not said
	Text       string
	Public     bool // the coordinator chose to publish it
	Evidence   []Evidence
	// ClusterUpdate is the update made on a cluster's page that this row
	// records on its task (AddClusterUpdate); 0 for an update of its own.
	ClusterUpdate int64
}

// Evidence is a link or a file attached to an update.
type Evidence struct {
	ID          int64
	Kind        string // EvidenceLink or EvidenceFile
	URL         string // for a link
	Title       string // a link's text, or a file's name
	ContentType string // a file's type, judged from its content by the caller
	Size        int64
	SHA256      string
	// Data is a file's content when adding; reads leave it nil (see
	// EvidenceData), so that listing updates never loads the files.
	Data []byte
	// Content, when set instead of Data, is read when the update is
	// written: Size bytes of it, inside the transaction. The store holds
	// one connection, so however many uploads arrive at once, the bytes
	// of one file at a time are in memory (the web spools uploads to
	// temporary files and hands them over as Content).
	Content io.Reader
}

// fileData is the bytes of a file to add: Data, or Size bytes read from
// Content.
func (e Evidence) fileData() ([]byte, error) {
	if e.Content == nil {
		return e.Data, nil
	}
	if e.Size < 0 || e.Size > maxEvidenceSize {
		return nil, fmt.Errorf("evidence %q: %w: size %d", e.Title, ErrInvalid, e.Size)
	}
	b := make([]byte, e.Size)
	if _, err := io.ReadFull(e.Content, b); err != nil {
		return nil, fmt.Errorf("read the evidence %q: %w", e.Title, err)
	}
	return b, nil
}

// maxEvidenceSize bounds a file read from Content: SQLite's own bound on a
// value is 1 GB, and a file is read whole before it is written.
const maxEvidenceSize = 1 << 30

// AddUpdate records a progress update with its evidence and its entry in
// the task's audit trail, in one transaction. Callers check who may write
// what (the web checks the session's ministry); the store checks only that
// the update is complete and that the task exists. Messages in also (the
// receipt to the ministry) are enqueued in the same transaction.
func (db *DB) AddUpdate(ctx context.Context, u Update, also ...OutboxMessage) (int64, error) {
	if err := u.check(); err != nil {
		return 0, err
	}
	var id int64
	err := db.tx(ctx, func(tx *txn) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tasks WHERE id = ?`, u.TaskID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return fmt.Errorf("task %d: %w", u.TaskID, ErrNotFound)
		}
		now := db.now().Unix()
		var err error
		if id, err = insertUpdate(ctx, tx, u, now, 0, nil); err != nil {
			return err
		}
		return enqueueAll(ctx, tx, also, now)
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// check trims an update's text and author and refuses an incomplete one.
func (u *Update) check() error {
	u.Text = strings.TrimSpace(u.Text)
	u.Author = strings.TrimSpace(u.Author)
	switch {
	case u.Text == "":
		return fmt.Errorf("progress update: %w: the text of what was done is empty", ErrInvalid)
	case u.Author == "":
		return fmt.Errorf("progress update: %w: no author name", ErrInvalid)
	case u.Ministry == "":
		return fmt.Errorf("progress update: %w: no ministry", ErrInvalid)
	case u.Role != RoleLead && u.Role != RoleSupport && u.Role != RoleCoordinator:
		return fmt.Errorf("progress update: %w: role %q", ErrInvalid, u.Role)
	}
	for _, e := range u.Evidence {
		if e.Kind != EvidenceLink && e.Kind != EvidenceFile {
			return fmt.Errorf("progress update: %w: evidence kind %q", ErrInvalid, e.Kind)
		}
	}
	return nil
}

// insertUpdate writes a checked update on task u.TaskID with its evidence
// and its entry in the task's audit trail. clusterUpdate is the cluster
// update it is part of (0: none). fileRow, when not nil, is shared by
// the rows of one cluster update: the first row written for each file
// (by its place in u.Evidence) holds its bytes, and the others point to
// it, so that a file is read and stored once whatever the members.
func insertUpdate(ctx context.Context, tx *txn, u Update, now, clusterUpdate int64, fileRow map[int]int64) (int64, error) {
	var done, cu any
	if !u.DoneOn.IsZero() {
		done = u.DoneOn.String()
	}
	if clusterUpdate != 0 {
		cu = clusterUpdate
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO task_updates (task_id, ministry, role, focal_point, author, client_addr, at, done_on, text, cluster_update)
		VALUES (?,?,?,?,?,?,?,?,?,?)`, u.TaskID, u.Ministry, u.Role, u.FocalPoint, u.Author, u.ClientAddr, now, done, u.Text, cu)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	for i, e := range u.Evidence {
		var data []byte
		var fileOf any
		if e.Kind == EvidenceFile {
			if first, ok := fileRow[i]; ok {
				fileOf = first
				if err := tx.QueryRowContext(ctx, `SELECT size, sha256 FROM update_evidence WHERE id = ?`, first).Scan(&e.Size, &e.SHA256); err != nil {
					return 0, err
				}
			} else {
				if data, err = e.fileData(); err != nil {
					return 0, err
				}
				e.Size = int64(len(data))
				sum := sha256.Sum256(data)
				e.SHA256 = hex.EncodeToString(sum[:])
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO update_evidence (update_id, kind, url, title, content_type, size, sha256, file_of)
			VALUES (?,?,?,?,?,?,?,?)`, id, e.Kind, e.URL, e.Title, e.ContentType, e.Size, e.SHA256, fileOf)
		if err != nil {
			return 0, err
		}
		if e.Kind != EvidenceFile || fileOf != nil {
			continue
		}
		eid, err := res.LastInsertId()
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO evidence_files (id, data) VALUES (?, ?)`, eid, data); err != nil {
			return 0, err
		}
		if fileRow != nil {
			fileRow[i] = eid
		}
	}
	if err := insertEvent(ctx, tx, eventRow{taskID: u.TaskID, at: now, by: Actor{Name: u.Author, FocalPoint: u.FocalPoint, ClientAddr: u.ClientAddr},
		kind: "update", to: u.Ministry, note: summary(u.Text)}); err != nil {
		return 0, err
	}
	return id, nil
}

// UpdateFilter selects progress updates. Zero fields select everything.
type UpdateFilter struct {
	ID         int64 // one update
	TaskID     int64
	DocumentID int64
	SinceID    int64 // only updates with a larger id (recorded after it)
	OnlyPublic bool
}

// Updates streams the updates f selects, in the order of the documents'
// recommendations, then as recorded; each with its evidence (without the
// files' bytes). One statement joins the evidence, so a report over
// thousands of updates never holds them all. fn must not call the store:
// the statement holds the only connection until Updates returns.
func (db *DB) Updates(ctx context.Context, f UpdateFilter, fn func(Update) error) error {
	q := `SELECT u.id, u.task_id, r.rec_id, u.ministry, u.role, u.focal_point, u.author, u.client_addr, u.at, u.done_on, u.text, u.public,
			COALESCE(u.cluster_update, 0), e.id, e.kind, e.url, e.title, e.content_type, e.size, e.sha256
		FROM task_updates u JOIN recommendations r ON r.id = u.task_id
		LEFT JOIN update_evidence e ON e.update_id = u.id WHERE 1=1`
	var args []any
	if f.ID != 0 {
		q += ` AND u.id = ?`
		args = append(args, f.ID)
	}
	if f.TaskID != 0 {
		q += ` AND u.task_id = ?`
		args = append(args, f.TaskID)
	}
	if f.DocumentID != 0 {
		q += ` AND r.document_id = ?`
		args = append(args, f.DocumentID)
	}
	if f.SinceID != 0 {
		q += ` AND u.id > ?`
		args = append(args, f.SinceID)
	}
	if f.OnlyPublic {
		q += ` AND u.public = 1`
	}
	q += ` ORDER BY r.document_id, r.seq, u.id, e.id`
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var cur Update
	have := false
	for rows.Next() {
		var u Update
		var at int64
		var done sql.NullString
		var eid, esize sql.NullInt64
		var ekind, eurl, etitle, etype, esum sql.NullString
		if err := rows.Scan(&u.ID, &u.TaskID, &u.RecID, &u.Ministry, &u.Role, &u.FocalPoint, &u.Author, &u.ClientAddr,
			&at, &done, &u.Text, &u.Public, &u.ClusterUpdate, &eid, &ekind, &eurl, &etitle, &etype, &esize, &esum); err != nil {
			return fmt.Errorf("read progress updates: %w", err)
		}
		if !have || u.ID != cur.ID {
			if have {
				if err := fn(cur); err != nil {
					return err
				}
			}
			u.At = time.Unix(at, 0).UTC()
			if done.Valid {
				if u.DoneOn, err = civil.ParseDate(done.String); err != nil {
					return fmt.Errorf("progress update %d of %s: stored date %q: %w", u.ID, u.RecID, done.String, err)
				}
			}
			cur, have = u, true
		}
		if eid.Valid {
			cur.Evidence = append(cur.Evidence, Evidence{ID: eid.Int64, Kind: ekind.String, URL: eurl.String, Title: etitle.String,
				ContentType: etype.String, Size: esize.Int64, SHA256: esum.String})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if have {
		return fn(cur)
	}
	return nil
}

// EvidenceData returns one piece of evidence with its file's bytes, and the
// task it belongs to (callers check that the reader may see that task).
func (db *DB) EvidenceData(ctx context.Context, evidenceID int64) (Evidence, int64, error) {
	var e Evidence
	var taskID int64
	var data []byte
	err := db.db.QueryRowContext(ctx, `SELECT e.id, e.kind, e.url, e.title, e.content_type, e.size, e.sha256, u.task_id, f.data
		FROM update_evidence e JOIN task_updates u ON u.id = e.update_id LEFT JOIN evidence_files f ON f.id = COALESCE(e.file_of, e.id)
		WHERE e.id = ?`, evidenceID).Scan(&e.ID, &e.Kind, &e.URL, &e.Title, &e.ContentType, &e.Size, &e.SHA256, &taskID, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return e, 0, fmt.Errorf("evidence %d: %w", evidenceID, ErrNotFound)
	}
	if err != nil {
		return e, 0, err
	}
	e.Data = data
	return e, taskID, nil
}

// SetUpdatePublic marks a progress update public (shown on the public
// progress page and in --only-public drafts) or not, recording who
// decided; it returns the update's task. Marking it as it already is
// changes nothing and records no event.
func (db *DB) SetUpdatePublic(ctx context.Context, updateID int64, public bool, by Actor) (int64, error) {
	by, err := by.named(fmt.Sprintf("publish progress update %d", updateID))
	if err != nil {
		return 0, err
	}
	var taskID int64
	err = db.tx(ctx, func(tx *txn) error {
		var was bool
		err := tx.QueryRowContext(ctx, `SELECT task_id, public FROM task_updates WHERE id = ?`, updateID).Scan(&taskID, &was)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("progress update %d: %w", updateID, ErrNotFound)
		}
		if err != nil || was == public {
			return err
		}
		now := db.now().Unix()
		if _, err := tx.ExecContext(ctx, `UPDATE task_updates SET public = ?, public_at = ?, public_by = ? WHERE id = ?`,
			public, now, by.Name, updateID); err != nil {
			return err
		}
		from, to := "private", "public"
		if !public {
			from, to = to, from
		}
		return insertEvent(ctx, tx, eventRow{taskID: taskID, at: now, by: by,
			kind: "public", from: from, to: to, note: fmt.Sprintf("progress update %d", updateID)})
	})
	return taskID, err
}

// RecentUpdates returns the last limit progress updates, newest first,
// with only the kind of each piece of evidence (the task's page shows the
// rest).
func (db *DB) RecentUpdates(ctx context.Context, limit int) ([]Update, error) {
	q := `SELECT u.id, u.task_id, r.rec_id, u.ministry, u.role, u.focal_point, u.author, u.client_addr,
			u.at, u.done_on, u.text, u.public,
			(SELECT COUNT(*) FROM update_evidence e WHERE e.update_id = u.id AND e.kind = 'file'),
			(SELECT COUNT(*) FROM update_evidence e WHERE e.update_id = u.id AND e.kind <> 'file')
		FROM task_updates u JOIN recommendations r ON r.id = u.task_id ORDER BY u.id DESC LIMIT ?`
	db.traced(q, []any{limit})
	rows, err := db.db.QueryContext(ctx, q, limit)
	if err != nil {
		return nil, fmt.Errorf("recent updates: %w", err)
	}
	defer rows.Close()
	var out []Update
	for rows.Next() {
		u, err := scanUpdateRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recent updates: %w", err)
	}
	return out, nil
}

// TaskUpdates returns a task's progress updates, oldest first, each with
// its evidence (without the files' bytes).
func (db *DB) TaskUpdates(ctx context.Context, taskID int64) ([]Update, error) {
	var out []Update
	err := db.Updates(ctx, UpdateFilter{TaskID: taskID}, func(u Update) error {
		out = append(out, u)
		return nil
	})
	return out, err
}

// scanUpdateRow reads an update (the columns of RecentUpdates); Evidence
// holds an entry for each piece with its kind alone, files first: a list
// of updates counts files and links apart ("files: 1 · links: 1").
func scanUpdateRow(rows *sqlRows) (Update, error) {
	var u Update
	var at int64
	var done sql.NullString
	var files, links int
	if err := rows.Scan(&u.ID, &u.TaskID, &u.RecID, &u.Ministry, &u.Role, &u.FocalPoint, &u.Author, &u.ClientAddr,
		&at, &done, &u.Text, &u.Public, &files, &links); err != nil {
		return u, fmt.Errorf("read progress updates: %w", err)
	}
	u.At = time.Unix(at, 0).UTC()
	if done.Valid {
		d, err := parseStoredDate("", "update date", done)
		if err != nil {
			return u, fmt.Errorf("progress update %d of %s: %w", u.ID, u.RecID, err)
		}
		u.DoneOn = d
	}
	u.Evidence = make([]Evidence, files+links)
	for i := range u.Evidence {
		u.Evidence[i].Kind = EvidenceFile
		if i >= files {
			u.Evidence[i].Kind = EvidenceLink
		}
	}
	return u, nil
}

// ReportUpdates streams the progress updates on a document's tasks with an
// id above sinceID, by recommendation then as recorded.
func (db *DB) ReportUpdates(ctx context.Context, documentID, sinceID int64, fn func(source.Update) error) error {
	return db.Updates(ctx, UpdateFilter{DocumentID: documentID, SinceID: sinceID}, func(u Update) error {
		out := source.Update{ID: u.ID, TaskID: u.TaskID, RecID: u.RecID, Ministry: u.Ministry, Role: u.Role, Author: u.Author,
			At: u.At, DoneOn: u.DoneOn, Text: u.Text, Public: u.Public}
		for _, e := range u.Evidence {
			out.Evidence = append(out.Evidence, source.Evidence{ID: e.ID, Kind: e.Kind, URL: e.URL, Title: e.Title,
				ContentType: e.ContentType, Size: e.Size})
		}
		return fn(out)
	})
}
