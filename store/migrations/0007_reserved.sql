-- Reserved for the ingest branch's 0007_languages_themes.sql: migration
-- numbers must be contiguous and web's is 0008. Delete this file when
-- that migration is merged (it changes nothing).
SELECT 1;
