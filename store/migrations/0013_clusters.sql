-- Groups of the same ask ("clusters", DESIGN.md decision 16): a named
-- group of recommendations from any documents that one action answers.
-- The program suggests them, the coordinating body decides. A cluster has
-- a lead ministry and supporting ones, which become its members' owner and
-- supporting ministries; each member keeps its own task, deadlines and
-- history.

CREATE TABLE clusters (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	lead       TEXT NOT NULL DEFAULT '',   -- ministry id; '' = none (the coordinating body holds it)
	support    TEXT NOT NULL DEFAULT '',   -- comma-separated ministry ids
	lead_by    TEXT NOT NULL DEFAULT '',   -- 'rule' (the owner of most members), or who chose by hand
	suggestion TEXT NOT NULL DEFAULT '',   -- key of the suggestion accepted; '' when made by hand
	score      REAL NOT NULL DEFAULT 0,    -- the suggestion's score
	reason     TEXT NOT NULL DEFAULT '',   -- the suggestion's reason
	created_at INTEGER NOT NULL,
	created_by TEXT NOT NULL,
	updated_at INTEGER NOT NULL
);

-- A recommendation is in one cluster at most: the column, not a table of
-- memberships, because the sweep and the overviews read every open task
-- and a column of the row they read already costs nothing, where a
-- lookup per task would cost a second at a million tasks. The partial
-- index finds a cluster's members, and the clustered tasks alone.
ALTER TABLE tasks ADD COLUMN cluster_id INTEGER REFERENCES clusters(id);
CREATE INDEX tasks_by_cluster ON tasks(cluster_id) WHERE cluster_id IS NOT NULL;

-- What happened to a cluster: made, renamed, its lead chosen, members
-- joining and leaving, updates and stage moves made on its page. Members'
-- own audit trails (task_events) record what touched each of them.
CREATE TABLE cluster_events (
	id          INTEGER PRIMARY KEY,
	cluster_id  INTEGER NOT NULL REFERENCES clusters(id),
	task_id     INTEGER REFERENCES tasks(id), -- the member concerned; NULL for the cluster as a whole
	at          INTEGER NOT NULL,
	actor       TEXT NOT NULL,
	focal_point TEXT NOT NULL DEFAULT '',
	client_addr TEXT NOT NULL DEFAULT '',
	kind        TEXT NOT NULL,               -- created, renamed, lead, joined, left, update, stage
	from_value  TEXT NOT NULL DEFAULT '',
	to_value    TEXT NOT NULL DEFAULT '',
	note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX cluster_events_by_cluster ON cluster_events(cluster_id, id);

CREATE TRIGGER cluster_events_append_only_u BEFORE UPDATE ON cluster_events
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER cluster_events_append_only_d BEFORE DELETE ON cluster_events
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

-- One progress update made on a cluster's page: it is recorded as a
-- task_updates row on every member (each member's history holds it, and
-- keeps it when the member leaves), all pointing here.
CREATE TABLE cluster_updates (
	id         INTEGER PRIMARY KEY,
	cluster_id INTEGER NOT NULL REFERENCES clusters(id),
	at         INTEGER NOT NULL
);
CREATE INDEX cluster_updates_by_cluster ON cluster_updates(cluster_id, id);
ALTER TABLE task_updates ADD COLUMN cluster_update INTEGER REFERENCES cluster_updates(id);
CREATE INDEX task_updates_by_cluster_update ON task_updates(cluster_update) WHERE cluster_update IS NOT NULL;

-- A file attached to a cluster's update is stored once: the evidence rows
-- of the other members name the row whose evidence_files holds the bytes.
ALTER TABLE update_evidence ADD COLUMN file_of INTEGER REFERENCES update_evidence(id);
