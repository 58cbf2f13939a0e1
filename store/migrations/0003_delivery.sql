-- The daemon: schedule slots, the outbox and the reminder log.

-- The last slot each schedule ran for. The database, not the in-memory
-- scheduler, says what has run: a restart neither repeats nor loses a run.
CREATE TABLE schedule_slots (
	name       TEXT PRIMARY KEY,   -- reminders, coordinator_digest, ministry_digest
	last_slot  INTEGER NOT NULL,   -- unix seconds
	updated_at INTEGER NOT NULL
);

-- Every message, rendered once, with a unique key: a message is enqueued at
-- most once, whatever happens to the process.
CREATE TABLE outbox (
	id           INTEGER PRIMARY KEY,
	key          TEXT NOT NULL UNIQUE,     -- e.g. reminder:mps:1798768800
	kind         TEXT NOT NULL,            -- reminder, escalation, coordinator-digest, ministry-digest
	recipient    TEXT NOT NULL,            -- ministry id, or the coordinator's
	subject      TEXT NOT NULL,
	message_id   TEXT NOT NULL,
	env_from     TEXT NOT NULL,
	env_to       TEXT NOT NULL,            -- comma-separated addresses
	status       TEXT NOT NULL DEFAULT 'pending', -- pending, sending, sent, failed, uncertain
	attempts     INTEGER NOT NULL DEFAULT 0,
	next_attempt INTEGER NOT NULL,         -- unix seconds
	last_error   TEXT NOT NULL DEFAULT '',
	response     TEXT NOT NULL DEFAULT '', -- the server's reply on success
	created_at   INTEGER NOT NULL,
	sent_at      INTEGER,
	reported_at  INTEGER,                  -- when a coordinator digest reported a failure
	batch        TEXT NOT NULL DEFAULT ''     -- claim token of the delivery batch
);
-- Partial indexes: a message leaves "pending" once, and recording that it
-- was sent touches no index at all.
CREATE INDEX outbox_pending ON outbox(next_attempt) WHERE status = 'pending';
CREATE INDEX outbox_unreported ON outbox(id) WHERE status IN ('failed', 'uncertain') AND reported_at IS NULL;

-- The rendered message, apart: a status change rewrites the small outbox
-- row, not a message of tens of kilobytes.
CREATE TABLE outbox_bodies (
	id  INTEGER PRIMARY KEY REFERENCES outbox(id),
	raw BLOB NOT NULL -- the RFC 5322 message, as sent
);
CREATE INDEX outbox_by_kind ON outbox(kind, recipient, created_at);

-- Which task was reminded of which deadline, and how: a reminder is never
-- sent twice for the same task, deadline and lead time. A moved deadline
-- has a new key, so its reminders go out again and the old ones never come
-- back.
CREATE TABLE reminder_log (
	task_id   INTEGER NOT NULL REFERENCES tasks(id),
	deadline  TEXT NOT NULL,    -- workflow.Deadline.Key(), e.g. stage:assigned:2027-01-31
	kind      TEXT NOT NULL,    -- lead:30d, due, overdue:0, escalation
	outbox_id INTEGER NOT NULL REFERENCES outbox(id),
	at        INTEGER NOT NULL,
	PRIMARY KEY (task_id, deadline, kind)
) WITHOUT ROWID;
