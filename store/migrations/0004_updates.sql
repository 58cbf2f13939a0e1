-- What ministries answer: progress updates on their tasks, with evidence.
-- The report draft is written from these rows, and the coordinator's
-- overview lists them among what people did.

-- One progress update: what was done, when, by whom, from where. The text
-- and its authorship never change once recorded; only the coordinator's
-- "public" decision does.
CREATE TABLE task_updates (
	id          INTEGER PRIMARY KEY,
	task_id     INTEGER NOT NULL REFERENCES tasks(id),
	ministry    TEXT NOT NULL,              -- body that recorded it: a ministry id, or the coordinator's
	role        TEXT NOT NULL,              -- lead, support or coordinator, when it was recorded
	focal_point TEXT NOT NULL DEFAULT '',   -- address the signed link was issued to ('' from the CLI)
	author      TEXT NOT NULL,              -- the name the person typed (a link may be forwarded)
	client_addr TEXT NOT NULL DEFAULT '',   -- where it came from (web), '' from the CLI
	at          INTEGER NOT NULL,           -- when it was recorded, unix seconds
	done_on     TEXT,                       -- YYYY-MM-DD the work was done, as the ministry says
	text        TEXT NOT NULL,
	public      INTEGER NOT NULL DEFAULT 0, -- the coordinator chose to publish it
	public_at   INTEGER,
	public_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX task_updates_by_task ON task_updates(task_id, id);
CREATE INDEX task_updates_by_time ON task_updates(at);

CREATE TRIGGER task_updates_keep_text BEFORE UPDATE OF task_id, ministry, role, focal_point, author, client_addr, at, done_on, text ON task_updates
BEGIN SELECT RAISE(ABORT, 'a progress update is never edited; record a new one'); END;
CREATE TRIGGER task_updates_keep_rows BEFORE DELETE ON task_updates
BEGIN SELECT RAISE(ABORT, 'a progress update is never deleted'); END;

-- Evidence of an update: a link, or a file kept in the database (one
-- backup of the SQLite file is the whole state).
CREATE TABLE update_evidence (
	id           INTEGER PRIMARY KEY,
	update_id    INTEGER NOT NULL REFERENCES task_updates(id),
	kind         TEXT NOT NULL,             -- link or file
	url          TEXT NOT NULL DEFAULT '',  -- for a link
	title        TEXT NOT NULL DEFAULT '',  -- a link's text, or a file's name (sanitised, no folders)
	content_type TEXT NOT NULL DEFAULT '',  -- a file's type, from its content
	size         INTEGER NOT NULL DEFAULT 0,
	sha256       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX update_evidence_by_update ON update_evidence(update_id, id);

-- The bytes of a file, apart, so that listing evidence never reads them.
CREATE TABLE evidence_files (
	id   INTEGER PRIMARY KEY REFERENCES update_evidence(id),
	data BLOB NOT NULL
);

-- Who did something through a signed link: the audit trail records the
-- focal point the link was issued to and the client address, beside the
-- name typed in the form (actor).
ALTER TABLE task_events ADD COLUMN focal_point TEXT NOT NULL DEFAULT '';
ALTER TABLE task_events ADD COLUMN client_addr TEXT NOT NULL DEFAULT '';
