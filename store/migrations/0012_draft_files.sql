-- The bytes of a draft made on the coordinator's dashboard, kept so that
-- its download is a plain GET of a draft already recorded (making a draft
-- is a POST: a link followed by a browser or a scanner records nothing).
-- Drafts written to a file by the command line have no row here. (IF NOT
-- EXISTS: a test that takes a database back a version runs it again.)
CREATE TABLE IF NOT EXISTS report_draft_files (
	id   INTEGER PRIMARY KEY REFERENCES report_drafts(id),
	data BLOB NOT NULL
);
