-- The web pages behind signed links: sessions, link generations and the
-- ministries' "this is not ours" requests.

-- A session opened by a signed link. The id the browser holds in its
-- cookie is never stored: only its SHA-256, so a copy of the database
-- does not let anyone in.
CREATE TABLE web_sessions (
	id_hash     TEXT PRIMARY KEY,           -- hex SHA-256 of the cookie's random 32 bytes
	focal_point TEXT NOT NULL,              -- address the link was issued to
	body        TEXT NOT NULL,              -- ministry id, or the coordinator's
	coordinator INTEGER NOT NULL DEFAULT 0, -- 1: the coordinating body's session
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	last_seen   INTEGER NOT NULL,
	client_addr TEXT NOT NULL DEFAULT '',   -- where the link was opened from
	revoked_at  INTEGER                     -- set when revoked; the row stays, for the audit
);
CREATE INDEX web_sessions_by_focal ON web_sessions(focal_point);
CREATE INDEX web_sessions_by_body ON web_sessions(body);

-- Link generations: a link carries the sum of the generations of its
-- address, its body and the global one when it was made; bumping any of
-- them ends every link made before. scope: 'all', 'body:ID', 'email:ADDR'.
CREATE TABLE link_generations (
	scope      TEXT PRIMARY KEY,
	generation INTEGER NOT NULL,
	bumped_at  INTEGER NOT NULL,
	bumped_by  TEXT NOT NULL DEFAULT ''
);

-- "This is not ours": a ministry says a task belongs to another; the
-- coordinator decides.
CREATE TABLE ownership_requests (
	id          INTEGER PRIMARY KEY,
	task_id     INTEGER NOT NULL REFERENCES tasks(id),
	ministry    TEXT NOT NULL,              -- the ministry that asks (the task's owner when asked)
	proposed    TEXT NOT NULL,              -- the ministry it names as owner
	reason      TEXT NOT NULL,
	focal_point TEXT NOT NULL DEFAULT '',
	author      TEXT NOT NULL,              -- the name typed in the form
	client_addr TEXT NOT NULL DEFAULT '',
	at          INTEGER NOT NULL,
	decision    TEXT NOT NULL DEFAULT '',   -- '' (open), agreed or refused
	decided_at  INTEGER,
	decided_by  TEXT NOT NULL DEFAULT '',
	decision_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ownership_requests_open ON ownership_requests(decision, id);
CREATE INDEX ownership_requests_by_task ON ownership_requests(task_id, id);
