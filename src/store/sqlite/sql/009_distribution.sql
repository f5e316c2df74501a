-- List distribution: one row per post being delivered, one row per recipient with the
-- recipient's own state and the MTA's last reply. Written in the post's transaction
-- (operations::distribution::queue_post), worked by the sender (mail::distribute) under
-- leases, read by bounce handling (failed rows, VERP tokens name a recipient row's id).

CREATE TABLE deliveries (
    id          INTEGER PRIMARY KEY,
    list_id     INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    message     INTEGER NOT NULL REFERENCES archive_messages(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL DEFAULT 'post' CHECK (kind IN ('post')),
    mode        TEXT NOT NULL DEFAULT 'personalized' CHECK (mode IN ('personalized', 'bulk')),
    created_at  INTEGER NOT NULL,
    UNIQUE (list_id, message, kind)
);

-- state: pending (never tried), sending (claimed under a lease by claimed_by), sent (the MTA
-- took it: last_code 2xx), deferred (4xx or no MTA: tried again at next_attempt_at), failed
-- (5xx, or deferred past mail_retry_period: last_code and last_text say why; updated_at when).
CREATE TABLE delivery_rcpts (
    id               INTEGER PRIMARY KEY,
    delivery_id      INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    email            TEXT NOT NULL,
    domain           TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'sending', 'sent', 'deferred', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    lease_until      INTEGER,
    claimed_by       TEXT,
    last_code        INTEGER,
    last_text        TEXT,
    updated_at       INTEGER NOT NULL
);
-- Claiming: the due rows of one delivery in id order (ids follow domain order at queueing,
-- so a claim is grouped by domain); only rows waiting for a try are in this index.
CREATE INDEX delivery_rcpts_waiting ON delivery_rcpts (delivery_id, id)
    WHERE state IN ('pending', 'deferred');
-- Leases that ran out (a sender died holding them), and the next due time.
CREATE INDEX delivery_rcpts_state ON delivery_rcpts (state, lease_until);
CREATE INDEX delivery_rcpts_due ON delivery_rcpts (state, next_attempt_at);
-- Bounce handling: failures since a time; counts per delivery.
CREATE INDEX delivery_rcpts_updated ON delivery_rcpts (state, updated_at);
CREATE INDEX delivery_rcpts_by_delivery ON delivery_rcpts (delivery_id, state);
