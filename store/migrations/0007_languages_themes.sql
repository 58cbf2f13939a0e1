-- The language a document was adopted in ("en", "fr", "es"; '' for
-- documents imported before it was recorded), and the themes OHCHR's UPR
-- matrices give each recommendation (a JSON array), which assignment rules
-- can match.
ALTER TABLE documents ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE recommendations ADD COLUMN themes TEXT NOT NULL DEFAULT '[]';
