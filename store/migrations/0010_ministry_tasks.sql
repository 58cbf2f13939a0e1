-- The supporting ministries of each task, one row each, so that a
-- ministry's page finds the tasks it supports through an index: tasks.support
-- (a comma-separated list, kept for the readers that show it) cannot be
-- searched by an index, and matching it with LIKE read every task.
-- Every statement that writes tasks.support writes this table in the same
-- transaction (store.setSupport).

CREATE TABLE task_support (
	ministry TEXT NOT NULL,
	task_id  INTEGER NOT NULL REFERENCES tasks(id),
	PRIMARY KEY (ministry, task_id)
) WITHOUT ROWID;
CREATE INDEX task_support_by_task ON task_support(task_id);

-- The tasks already there: split each list at its commas.
WITH RECURSIVE split(task_id, item, rest) AS (
	SELECT id, '', support || ',' FROM tasks WHERE support != ''
	UNION ALL
	SELECT task_id, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1)
	FROM split WHERE rest != ''
)
INSERT OR IGNORE INTO task_support (ministry, task_id)
SELECT item, task_id FROM split WHERE item != '';

-- The ministry's page reads its tasks group by group, (owner, stage,
-- document): the owner index gains the document, keeping its prefix
-- (owner, stage), which the dashboard's counts use.
DROP INDEX tasks_by_owner;
CREATE INDEX tasks_by_owner ON tasks(owner, stage, document_id);
