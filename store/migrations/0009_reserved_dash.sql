-- Reserved for the dash branch's 0009_dashboard.sql: migration numbers must be
-- contiguous and opsa's is 0010. Delete this file when that migration is
-- merged (it changes nothing).
SELECT 1;
