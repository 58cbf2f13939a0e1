-- What the daemon says about itself, for `followup status` and a health
-- check: its last heartbeat and the state of delivery. (Meant to be 0006
-- once the branches are merged; the number is the next free one here.)
CREATE TABLE daemon_state (
	key   TEXT PRIMARY KEY, -- heartbeat, delivery
	value TEXT NOT NULL,
	since INTEGER NOT NULL, -- unix seconds: when value last changed
	at    INTEGER NOT NULL  -- unix seconds: when it was last written
);

-- Changes a config reload made to where mail goes (transport, relay,
-- recipients removed), until an overview has told the coordinator.
CREATE TABLE mail_changes (
	id          INTEGER PRIMARY KEY,
	at          INTEGER NOT NULL, -- unix seconds
	summary     TEXT NOT NULL,    -- one line per change: "mail.transport: smtp -> file"
	reported_at INTEGER           -- when an overview listed it
);
CREATE INDEX mail_changes_unreported ON mail_changes(id) WHERE reported_at IS NULL;
