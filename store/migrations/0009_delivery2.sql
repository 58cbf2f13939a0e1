-- Delivery, second part (issue 10): outcomes per recipient, failures
-- reported only once the overview reporting them was delivered, and a
-- failed reminder planned again.

-- A recipient the relay refused while it accepted the others: the message
-- is sent (the others got it) and the refusal is a failure of its own,
-- listed in the coordinator's overview like a failed message.
CREATE TABLE outbox_recipients (
	id          INTEGER PRIMARY KEY,
	outbox_id   INTEGER NOT NULL REFERENCES outbox(id),
	address     TEXT NOT NULL,
	status      TEXT NOT NULL,           -- failed
	code        INTEGER NOT NULL DEFAULT 0, -- the SMTP reply code
	error       TEXT NOT NULL DEFAULT '',
	at          INTEGER NOT NULL,         -- unix seconds
	reported_at INTEGER,                  -- when an overview listing it was delivered
	UNIQUE (outbox_id, address)
);
CREATE INDEX outbox_recipients_unreported ON outbox_recipients(id) WHERE reported_at IS NULL;

-- What each coordinator overview lists: failed or uncertain messages,
-- refused recipients and changes to where mail goes. They are marked
-- reported when that overview is delivered, not when it is written: an
-- overview that never left must not take its news with it.
CREATE TABLE overview_lists (
	digest_id INTEGER NOT NULL REFERENCES outbox(id), -- the overview's outbox row
	what      TEXT NOT NULL,    -- message (outbox id), recipient (outbox_recipients id), mail_change (mail_changes id)
	ref       INTEGER NOT NULL,
	PRIMARY KEY (digest_id, what, ref)
) WITHOUT ROWID;

-- A trigger, so that whatever records a delivery (the daemon, followup
-- send, a future store) marks what the overview listed in the same
-- statement's transaction. For a message that is no overview, it finds
-- nothing under its id.
CREATE TRIGGER overview_delivered AFTER UPDATE OF status ON outbox
WHEN NEW.status = 'sent' AND OLD.status <> 'sent'
BEGIN
	UPDATE outbox SET reported_at = NEW.sent_at
		WHERE id IN (SELECT ref FROM overview_lists WHERE digest_id = NEW.id AND what = 'message') AND reported_at IS NULL;
	UPDATE outbox_recipients SET reported_at = NEW.sent_at
		WHERE id IN (SELECT ref FROM overview_lists WHERE digest_id = NEW.id AND what = 'recipient') AND reported_at IS NULL;
	UPDATE mail_changes SET reported_at = NEW.sent_at
		WHERE id IN (SELECT ref FROM overview_lists WHERE digest_id = NEW.id AND what = 'mail_change') AND reported_at IS NULL;
END;

-- A reminder that failed was not delivered: its reminder log rows move
-- aside, so the next sweep plans its tasks again (to the addresses then in
-- force) instead of the reminder being lost for good. Done by a trigger so
-- that every way a row fails (refused, out of attempts, relay unreachable)
-- does it in the same transaction. Uncertain rows keep their log: the
-- server may have them. The rows are kept aside, not dropped: resending
-- the failed message (followup outbox resend) before the next sweep puts
-- them back, so its tasks are not reminded twice.
CREATE TABLE reminder_log_failed (
	task_id   INTEGER NOT NULL,
	deadline  TEXT NOT NULL,
	kind      TEXT NOT NULL,
	outbox_id INTEGER NOT NULL,
	at        INTEGER NOT NULL,
	PRIMARY KEY (outbox_id, task_id, deadline, kind)
) WITHOUT ROWID;
CREATE INDEX reminder_log_outbox ON reminder_log(outbox_id);
CREATE TRIGGER outbox_failed_replan AFTER UPDATE OF status ON outbox
WHEN NEW.status = 'failed' AND OLD.status <> 'failed'
BEGIN
	INSERT OR IGNORE INTO reminder_log_failed (task_id, deadline, kind, outbox_id, at)
		SELECT task_id, deadline, kind, outbox_id, at FROM reminder_log WHERE outbox_id = NEW.id;
	DELETE FROM reminder_log WHERE outbox_id = NEW.id;
END;
