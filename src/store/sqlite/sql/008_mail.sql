-- List mail: each list's mail settings, the posts held for moderation, and the senders a
-- list always accepts or always refuses. Held posts are archived messages in the 'held'
-- state (007_archive): distributing one is a state change plus outbox rows.

ALTER TABLE lists ADD COLUMN send_policy TEXT NOT NULL DEFAULT 'privateoreditorkey';
ALTER TABLE lists ADD COLUMN max_size INTEGER NOT NULL DEFAULT 5242880;
ALTER TABLE lists ADD COLUMN max_attachments INTEGER;
ALTER TABLE lists ADD COLUMN delivery_mode TEXT NOT NULL DEFAULT 'personalized';
ALTER TABLE lists ADD COLUMN dmarc_protection TEXT NOT NULL DEFAULT 'auto';
ALTER TABLE lists ADD COLUMN subject_tag TEXT NOT NULL DEFAULT '';
ALTER TABLE lists ADD COLUMN hold_days INTEGER NOT NULL DEFAULT 14;

-- One row per held post, kept after the decision so that a second moderator sees what the
-- first did. key_hash: SHA-256 of Sympa's modkey (the /distribute/LIST/KEY links).
CREATE TABLE held_messages (
    message      INTEGER PRIMARY KEY REFERENCES archive_messages(id) ON DELETE CASCADE,
    list_id      INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    sender       TEXT,
    reasons      TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    held_at      INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    reminded_at  INTEGER,
    decided_at   INTEGER,
    decided_by   TEXT,
    decision     TEXT CHECK (decision IN ('distributed', 'rejected', 'discarded', 'withdrawn', 'expired')),
    note         TEXT NOT NULL DEFAULT ''
);
-- The queue page: a list's undecided posts, oldest first; expiry walks all lists.
CREATE INDEX held_messages_queue ON held_messages (list_id, decided_at, held_at);
CREATE INDEX held_messages_expiry ON held_messages (decided_at, expires_at);
-- A sender's history on a list (earlier posts held, rejected).
CREATE INDEX held_messages_sender ON held_messages (list_id, sender);

-- Senders a list always accepts ('allow') or always refuses ('ban'): a lowercased address,
-- or a pattern where '*' stands for any run of characters (Sympa's blocklist form).
CREATE TABLE sender_rules (
    id          INTEGER PRIMARY KEY,
    list_id     INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    pattern     TEXT NOT NULL,
    rule        TEXT NOT NULL CHECK (rule IN ('allow', 'ban')),
    created_at  INTEGER NOT NULL,
    created_by  TEXT,
    UNIQUE (list_id, pattern)
);
