-- Reserved for the ingest branch's 0007_languages_themes.sql: migration numbers must be
-- contiguous and opsa's is 0010. Delete this file when that migration is
-- merged (it changes nothing).
SELECT 1;
