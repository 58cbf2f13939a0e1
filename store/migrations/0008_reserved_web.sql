-- Reserved for the web branch's 0008_web.sql: migration numbers must be
-- contiguous and opsa's is 0010. Delete this file when that migration is
-- merged (it changes nothing).
SELECT 1;
