-- Bounces and digests: each list's bounce policy and digest schedule, every bounce kept
-- as evidence, each bouncing member's score, and where each list's digests stand.

-- Bounce policy (Mailman's rule; scores in thousandths of a point).
ALTER TABLE lists ADD COLUMN bounce_threshold INTEGER NOT NULL DEFAULT 5000;
ALTER TABLE lists ADD COLUMN bounce_stale_days INTEGER NOT NULL DEFAULT 7;
ALTER TABLE lists ADD COLUMN bounce_warnings INTEGER NOT NULL DEFAULT 3;
ALTER TABLE lists ADD COLUMN bounce_warning_days INTEGER NOT NULL DEFAULT 7;
-- Digest schedule (Sympa's `digest DAYS HH:MM`: a bit per weekday, 0 Sunday; minutes after
-- midnight UTC) and `digest_max_size`.
ALTER TABLE lists ADD COLUMN digest_days INTEGER NOT NULL DEFAULT 127;
ALTER TABLE lists ADD COLUMN digest_minute INTEGER NOT NULL DEFAULT 360;
ALTER TABLE lists ADD COLUMN digest_max_size INTEGER NOT NULL DEFAULT 25;

-- Every message that came to a bounce address and was a bounce, a complaint or unreadable
-- (list NULL: a bounce+TOKEN whose token named nothing). raw: the bytes, deflated, cut at
-- 256 KiB (size: the bytes' whole length). outcome: 'hard', 'soft', 'policy',
-- 'not_a_failure', 'complaint', 'unattributed'.
CREATE TABLE bounces (
    id           INTEGER PRIMARY KEY,
    list_id      INTEGER REFERENCES lists(id) ON DELETE CASCADE,
    email        TEXT,
    received_at  INTEGER NOT NULL,
    outcome      TEXT NOT NULL,
    status       TEXT,
    diagnostic   TEXT NOT NULL DEFAULT '',
    size         INTEGER NOT NULL,
    codec        TEXT NOT NULL,
    raw          BLOB NOT NULL
);
CREATE INDEX bounces_by_list ON bounces (list_id, received_at);
CREATE INDEX bounces_by_date ON bounces (received_at);

-- A member's bounce score; gone with the member, or when stale or reset. A member with
-- disabled_at set gets no list mail (distribution and digests skip them).
CREATE TABLE member_bounces (
    member_id    INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    list_id      INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    score        INTEGER NOT NULL,
    first_at     INTEGER NOT NULL,
    last_at      INTEGER NOT NULL,
    last_day     INTEGER NOT NULL,
    bounces      INTEGER NOT NULL,
    disabled_at  INTEGER,
    warnings     INTEGER NOT NULL DEFAULT 0,
    warned_at    INTEGER,
    last_bounce  INTEGER REFERENCES bounces(id) ON DELETE SET NULL
);
CREATE INDEX member_bounces_by_list ON member_bounces (list_id, score);
CREATE INDEX member_bounces_by_date ON member_bounces (last_at);
CREATE INDEX member_bounces_disabled ON member_bounces (disabled_at) WHERE disabled_at IS NOT NULL;

-- Where each list's digests stand: the last archived message digested, the last scheduled
-- moment handled, and how many digests went out (their issue numbers).
CREATE TABLE digest_state (
    list_id       INTEGER PRIMARY KEY REFERENCES lists(id) ON DELETE CASCADE,
    last_message  INTEGER NOT NULL,
    last_slot     INTEGER NOT NULL,
    issues        INTEGER NOT NULL DEFAULT 0
);

-- Where periodic jobs that read other tables stand (the bounce job reading the deliveries'
-- failed recipients): the time and id of the last row handled.
CREATE TABLE job_cursors (
    name  TEXT PRIMARY KEY,
    at    INTEGER NOT NULL,
    id    INTEGER NOT NULL
);
