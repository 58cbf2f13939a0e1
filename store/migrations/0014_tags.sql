-- Tags: the human rights themes, groups of affected persons and SDG
-- targets of each recommendation (issue 19). A UHRI export and OHCHR's UPR
-- matrices give them; the config's tag rules add more.
--
-- The recommendation's own columns (themes, since 0007, affected_persons,
-- sdgs: JSON arrays) keep what its documents gave, with their history in
-- recommendation_changes like every other field; annotation_id is the UHRI
-- annotation it came from. recommendation_tags holds the same tags, and
-- those the tag rules give (by_rule = 1), one row each, so that the task
-- lists find a tag's recommendations through an index: a JSON array can
-- only be searched by reading every recommendation. Every statement that
-- writes a recommendation's tag columns writes its rows in the same
-- transaction (store.setDocTags), as task_support follows tasks.support.

ALTER TABLE recommendations ADD COLUMN affected_persons TEXT NOT NULL DEFAULT '[]';
ALTER TABLE recommendations ADD COLUMN sdgs TEXT NOT NULL DEFAULT '[]';
ALTER TABLE recommendations ADD COLUMN annotation_id TEXT NOT NULL DEFAULT '';

-- One row per tag: a few hundred themes repeated over hundreds of
-- thousands of recommendations. Case does not make another tag.
CREATE TABLE tags (
	id   INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,                -- theme, person, sdg
	name TEXT NOT NULL COLLATE NOCASE, -- as first written; an SDG as its number ("16.3")
	UNIQUE (kind, name)
);

CREATE TABLE recommendation_tags (
	tag_id            INTEGER NOT NULL REFERENCES tags(id),
	recommendation_id INTEGER NOT NULL REFERENCES recommendations(id),
	by_rule           INTEGER NOT NULL DEFAULT 0, -- 1: given by the config's tag rules
	PRIMARY KEY (tag_id, recommendation_id, by_rule)
) WITHOUT ROWID;
CREATE INDEX recommendation_tags_by_rec ON recommendation_tags(recommendation_id);

-- The themes already there (from UPR matrices).
INSERT OR IGNORE INTO tags (kind, name)
SELECT 'theme', trim(j.value) FROM recommendations r, json_each(r.themes) j
WHERE r.themes NOT IN ('', '[]') AND trim(j.value) != '';
INSERT OR IGNORE INTO recommendation_tags (tag_id, recommendation_id)
SELECT g.id, r.id FROM recommendations r, json_each(r.themes) j JOIN tags g ON g.kind = 'theme' AND g.name = trim(j.value)
WHERE r.themes NOT IN ('', '[]');
