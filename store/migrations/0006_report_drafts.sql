-- Drafts of the State's report. Each draft written is recorded, so that
-- the coordinator can see which progress updates arrived since a draft
-- (followup report changes REPORT_ID --since-draft N).
CREATE TABLE report_drafts (
	id             INTEGER PRIMARY KEY,
	report         TEXT NOT NULL,             -- the config's report id
	n              INTEGER NOT NULL,          -- 1, 2, 3… for each report
	at             INTEGER NOT NULL,          -- unix seconds
	drafted_by     TEXT NOT NULL,
	format         TEXT NOT NULL,             -- docx, md, html, xlsx
	options        TEXT NOT NULL DEFAULT '',  -- e.g. "follow-up,only-public"
	file           TEXT NOT NULL DEFAULT '',  -- where it was written ('' when streamed, e.g. to the web)
	sha256         TEXT NOT NULL,             -- of the draft's bytes
	last_update_id INTEGER NOT NULL DEFAULT 0, -- newest progress update on its documents when drafted
	updates        INTEGER NOT NULL DEFAULT 0, -- progress updates it holds
	words          INTEGER NOT NULL DEFAULT 0, -- its word count
	UNIQUE (report, n)
);
