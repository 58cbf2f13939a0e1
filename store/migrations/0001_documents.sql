-- Imported documents and their recommendations.
-- Dates are civil dates as text (YYYY-MM-DD); instants are INTEGER unix
-- seconds in UTC, rendered in the config's zone by the program.

CREATE TABLE documents (
	id                   INTEGER PRIMARY KEY,
	symbol               TEXT NOT NULL UNIQUE,
	kind                 TEXT NOT NULL,
	body                 TEXT NOT NULL,
	title                TEXT NOT NULL,
	state                TEXT NOT NULL,
	adopted              TEXT,
	parent               TEXT NOT NULL DEFAULT '',
	next_report_due      TEXT,
	next_report_text     TEXT NOT NULL DEFAULT '',
	follow_up_due        TEXT,
	follow_up_paragraphs TEXT NOT NULL DEFAULT '', -- comma-separated paragraph numbers
	follow_up_text       TEXT NOT NULL DEFAULT '',
	source               TEXT NOT NULL,            -- file it was last imported from
	imported_at          INTEGER NOT NULL,         -- first import
	updated_at           INTEGER NOT NULL
);

CREATE TABLE recommendations (
	id                  INTEGER PRIMARY KEY,
	rec_id              TEXT NOT NULL UNIQUE,       -- e.g. CRC/C/OPSC/LAO/CO/1:14a
	document_id         INTEGER NOT NULL REFERENCES documents(id),
	seq                 INTEGER NOT NULL,           -- order in the document
	paragraph           INTEGER NOT NULL,
	item                TEXT NOT NULL,
	section             TEXT NOT NULL,
	subsection          TEXT NOT NULL,
	verb                TEXT NOT NULL,
	text                TEXT NOT NULL,
	lead                TEXT NOT NULL,
	concern             INTEGER,                    -- paragraph number of the concern it answers
	status              TEXT NOT NULL,              -- UPR: supported, noted, pending
	recommending_states TEXT NOT NULL DEFAULT ''    -- JSON array
);
CREATE INDEX recommendations_by_document ON recommendations(document_id, seq);

-- What a corrected version or an addendum changed: old values are kept.
CREATE TABLE recommendation_changes (
	id                INTEGER PRIMARY KEY,
	recommendation_id INTEGER NOT NULL REFERENCES recommendations(id),
	at                INTEGER NOT NULL,
	source            TEXT NOT NULL, -- symbol of the document that changed it
	field             TEXT NOT NULL, -- text, status, section, ...
	old_value         TEXT NOT NULL,
	new_value         TEXT NOT NULL
);
CREATE INDEX recommendation_changes_by_rec ON recommendation_changes(recommendation_id, id);

CREATE TRIGGER recommendation_changes_append_only_u BEFORE UPDATE ON recommendation_changes
BEGIN SELECT RAISE(ABORT, 'recommendation history is append-only'); END;
CREATE TRIGGER recommendation_changes_append_only_d BEFORE DELETE ON recommendation_changes
BEGIN SELECT RAISE(ABORT, 'recommendation history is append-only'); END;
