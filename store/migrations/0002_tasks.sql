-- Tasks: the follow-up of each recommendation, with its audit trail.

CREATE TABLE tasks (
	id          INTEGER PRIMARY KEY REFERENCES recommendations(id),
	document_id INTEGER NOT NULL REFERENCES documents(id),
	owner       TEXT NOT NULL DEFAULT '',   -- ministry id; '' = unassigned (the coordinating body holds it)
	support     TEXT NOT NULL DEFAULT '',   -- comma-separated ministry ids
	assigned_by TEXT NOT NULL DEFAULT '',   -- rule name, 'override', or the person who assigned it
	manual      INTEGER NOT NULL DEFAULT 0, -- 1: assigned by hand, never changed by a rule
	stage       TEXT NOT NULL,
	stage_since INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);
-- Deadlines follow from (document, stage): the sweep selects by both.
CREATE INDEX tasks_by_document_stage ON tasks(document_id, stage);
CREATE INDEX tasks_by_owner ON tasks(owner, stage);

-- Every change to a task: who, when, from, to and a note. Never edited.
CREATE TABLE task_events (
	id         INTEGER PRIMARY KEY,
	task_id    INTEGER NOT NULL REFERENCES tasks(id),
	at         INTEGER NOT NULL,
	actor      TEXT NOT NULL,
	kind       TEXT NOT NULL,               -- created, stage, assign
	from_value TEXT NOT NULL DEFAULT '',
	to_value   TEXT NOT NULL DEFAULT '',
	note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX task_events_by_task ON task_events(task_id, id);
CREATE INDEX task_events_by_time ON task_events(at);

CREATE TRIGGER task_events_append_only_u BEFORE UPDATE ON task_events
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER task_events_append_only_d BEFORE DELETE ON task_events
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

-- Small facts the program keeps about itself, e.g. the hash of the
-- assignment rules last applied.
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
