-- Moderation beside the held posts of 008_mail: the keys of the links mailed to one person
-- (a moderator's digest, the sender's withdraw link), each moderator's choice between one
-- notice per held post and a digest, and the posts waiting for a moderator's next digest.

-- A key mailed to one person for one held post; only its SHA-256 is kept. 'moderate': the
-- links of a moderator's digest (the per-post notices carry held_messages.key_hash, Sympa's
-- modkey); 'withdraw': the sender's link to take their own post back.
CREATE TABLE moderation_keys (
    key_hash    TEXT PRIMARY KEY,
    message     BIGINT NOT NULL REFERENCES held_messages(message) ON DELETE CASCADE,
    holder      TEXT NOT NULL,
    purpose     TEXT NOT NULL CHECK (purpose IN ('moderate', 'withdraw')),
    created_at  BIGINT NOT NULL
);
CREATE INDEX moderation_keys_message ON moderation_keys (message);

-- How a moderator of a list is told of held posts: digest_minutes = 0 is one notice per
-- post (the default, also for moderators without a row); N > 0 a digest at most every N
-- minutes. last_digest_at: when the last digest went out.
CREATE TABLE moderator_prefs (
    list_id         BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    email           TEXT NOT NULL,
    digest_minutes  BIGINT NOT NULL DEFAULT 0,
    last_digest_at  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (list_id, email)
);

-- Held posts waiting for a moderator's next digest.
CREATE TABLE moderation_digest_queue (
    list_id    BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    message    BIGINT NOT NULL REFERENCES held_messages(message) ON DELETE CASCADE,
    queued_at  BIGINT NOT NULL,
    PRIMARY KEY (list_id, email, message)
);
