-- Archives: every list message kept byte-exact (compressed), its Message-ID and thread,
-- month counts, and a full-text index. See store/archiving.rs for the design.

-- Threads: the subject of the first visible message, the visible messages and their first
-- and last dates (NULL when none is visible), refreshed by the store on every change.
CREATE TABLE archive_threads (
    id          INTEGER PRIMARY KEY,
    list_id     INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    subject     TEXT NOT NULL,
    messages    INTEGER NOT NULL DEFAULT 0,
    first_date  INTEGER,
    last_date   INTEGER
);
CREATE INDEX archive_threads_list ON archive_threads (list_id);

-- Every Message-ID of a list, seen (message: the first message stored with it) or only
-- referred to (a placeholder, message NULL), with its thread and its parent's Message-ID.
CREATE TABLE archive_msgids (
    id          INTEGER PRIMARY KEY,
    list_id     INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    message_id  TEXT NOT NULL,
    thread_id   INTEGER NOT NULL,
    parent      TEXT,
    message     INTEGER,
    UNIQUE (list_id, message_id)
);
CREATE INDEX archive_msgids_thread ON archive_msgids (thread_id);

-- One row per stored message; its bytes are in archive_raw.
CREATE TABLE archive_messages (
    id               INTEGER PRIMARY KEY,
    list_id          INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    msgid_id         INTEGER NOT NULL REFERENCES archive_msgids(id) ON DELETE CASCADE,
    thread_id        INTEGER NOT NULL,
    month            TEXT NOT NULL,
    seq              INTEGER NOT NULL,
    date             INTEGER NOT NULL,
    arrived_at       INTEGER NOT NULL,
    from_addr        TEXT NOT NULL,
    from_name        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    size             INTEGER NOT NULL,
    attachments      INTEGER NOT NULL,
    state            TEXT NOT NULL,
    extract_version  INTEGER NOT NULL,
    sha256           BLOB NOT NULL,
    permalink        TEXT NOT NULL,
    hyperkitty       TEXT NOT NULL,
    parent           TEXT,
    UNIQUE (list_id, month, seq),
    UNIQUE (list_id, sha256)
);
-- Month pages, and the threads of a month.
CREATE INDEX archive_messages_month ON archive_messages (list_id, month, state, date, id);
-- Neighbours by date across months.
CREATE INDEX archive_messages_dates ON archive_messages (list_id, state, date, id);
-- The newest messages of a list (feeds, the pages' validators): read backwards, no sort.
CREATE INDEX archive_messages_latest ON archive_messages (list_id, state, id);
-- A thread's messages, and its counts.
CREATE INDEX archive_messages_thread ON archive_messages (thread_id, state, date, id);
CREATE INDEX archive_messages_permalink ON archive_messages (list_id, permalink);
CREATE INDEX archive_messages_hyperkitty ON archive_messages (list_id, hyperkitty);
CREATE INDEX archive_messages_msgid ON archive_messages (msgid_id, id);

-- The original bytes, compressed (codec 'deflate'); gone once the message is deleted.
CREATE TABLE archive_raw (
    id     INTEGER PRIMARY KEY REFERENCES archive_messages(id) ON DELETE CASCADE,
    codec  TEXT NOT NULL,
    bytes  BLOB NOT NULL
);

-- The visible messages of each month of a list.
CREATE TABLE archive_months (
    list_id   INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    month     TEXT NOT NULL,
    messages  INTEGER NOT NULL,
    PRIMARY KEY (list_id, month)
) WITHOUT ROWID;

-- The search index of visible messages, rowid = archive_messages.id; contentless, so an
-- entry is removed by giving back exactly the words it was made of. scope holds the list
-- (l42) and the month of the message's date (d202401).
CREATE VIRTUAL TABLE archive_index USING fts5(
    scope, subject, sender, body_new, body_quoted, attach_names,
    content = '', tokenize = 'unicode61 remove_diacritics 2'
);
