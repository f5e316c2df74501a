-- Accounts, memberships, admins, sessions, tickets, held requests, the outbox, the audit log,
-- rate-limit counters and site secrets. Tokens and keys are stored only as SHA-256 hashes.

-- Global users (Sympa's user_table): one account per address.
CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    email               TEXT NOT NULL UNIQUE,
    password_hash       TEXT,                       -- argon2id PHC string; NULL until a password is chosen
    name                TEXT NOT NULL DEFAULT '',   -- Sympa's gecos
    lang                TEXT NOT NULL DEFAULT 'en',
    is_listmaster       INTEGER NOT NULL DEFAULT 0 CHECK (is_listmaster IN (0, 1)),
    wrong_login_count   INTEGER NOT NULL DEFAULT 0,
    last_login_at       INTEGER,
    last_login_host     TEXT,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);

-- List members (Sympa's subscriber_table).
CREATE TABLE members (
    id                  INTEGER PRIMARY KEY,
    list_id             INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    email               TEXT NOT NULL,
    name                TEXT NOT NULL DEFAULT '',
    reception           TEXT NOT NULL DEFAULT 'mail'
                        CHECK (reception IN ('mail', 'digest', 'summary', 'nomail')),
    visibility          TEXT NOT NULL DEFAULT 'noconceal' CHECK (visibility IN ('noconceal', 'conceal')),
    custom_attributes   TEXT NOT NULL DEFAULT '{}',  -- a JSON object of string values
    subscribed_at       INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    UNIQUE (list_id, email)
);
CREATE INDEX members_by_email ON members (email);

-- Owners and moderators (Sympa's admin_table).
CREATE TABLE list_admins (
    id                  INTEGER PRIMARY KEY,
    list_id             INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    email               TEXT NOT NULL,
    role                TEXT NOT NULL CHECK (role IN ('owner', 'editor')),
    privileged          INTEGER NOT NULL DEFAULT 0 CHECK (privileged IN (0, 1)),
    name                TEXT NOT NULL DEFAULT '',
    reception           TEXT NOT NULL DEFAULT 'mail' CHECK (reception IN ('mail', 'nomail')),
    visibility          TEXT NOT NULL DEFAULT 'noconceal' CHECK (visibility IN ('noconceal', 'conceal')),
    created_at          INTEGER NOT NULL,
    UNIQUE (list_id, email, role)
);
CREATE INDEX list_admins_by_email ON list_admins (email);

-- Web sessions. The id itself is only in the visitor's cookie.
CREATE TABLE sessions (
    id                  INTEGER PRIMARY KEY,
    id_hash             TEXT NOT NULL UNIQUE,
    domain_id           INTEGER NOT NULL REFERENCES domains(id),
    email               TEXT,                        -- NULL while anonymous
    remote_addr         TEXT,
    data                TEXT NOT NULL DEFAULT '{}',  -- a JSON object (language, return address, ...)
    created_at          INTEGER NOT NULL,
    refreshed_at        INTEGER NOT NULL,
    expires_at          INTEGER NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- One-time tickets mailed to log in (Sympa's one_time_ticket_table).
CREATE TABLE tickets (
    id                  INTEGER PRIMARY KEY,
    ticket_hash         TEXT NOT NULL UNIQUE,
    domain_id           INTEGER NOT NULL REFERENCES domains(id),
    email               TEXT NOT NULL,
    purpose             TEXT NOT NULL,               -- what the ticket leads to: 'choosepasswd', ...
    created_at          INTEGER NOT NULL,
    expires_at          INTEGER NOT NULL,
    used_at             INTEGER,
    used_from           TEXT
);

-- Requests waiting for the requester's confirmation or an owner's decision (Sympa's auth spool).
CREATE TABLE pending_requests (
    id                  INTEGER PRIMARY KEY,
    key_hash            TEXT NOT NULL UNIQUE,
    list_id             INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    kind                TEXT NOT NULL,               -- 'subscribe', 'signoff', 'add', 'del'
    email               TEXT NOT NULL,               -- the address the request is about
    requested_by        TEXT,                        -- who asked; NULL for an anonymous web visitor
    state               TEXT NOT NULL CHECK (state IN ('confirm', 'owner')),
    data                TEXT NOT NULL DEFAULT '{}',  -- a JSON object: name, custom attributes, ...
    created_at          INTEGER NOT NULL,
    expires_at          INTEGER NOT NULL
);
CREATE INDEX pending_requests_by_list ON pending_requests (list_id, state);

-- Mail waiting to be handed to the MTA; written in the same transaction as its cause.
CREATE TABLE outbox (
    id                  INTEGER PRIMARY KEY,
    kind                TEXT NOT NULL,               -- the template: 'sendpasswd', 'welcome', ...
    list_id             INTEGER REFERENCES lists(id) ON DELETE SET NULL,
    envelope_from       TEXT NOT NULL,
    recipients          TEXT NOT NULL,               -- comma-separated addresses
    message             BLOB NOT NULL,               -- the RFC 5322 bytes; emptied once sent
    state               TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     INTEGER NOT NULL,
    claimed_until       INTEGER,
    last_error          TEXT,
    created_at          INTEGER NOT NULL,
    sent_at             INTEGER
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

-- Who changed what (Sympa's logs_table, for changes only).
CREATE TABLE audit_log (
    id                  INTEGER PRIMARY KEY,
    at                  INTEGER NOT NULL,
    actor               TEXT,                        -- the requester's address; NULL when anonymous
    remote_addr         TEXT,
    channel             TEXT NOT NULL,               -- 'web', 'soap', 'cli'
    action              TEXT NOT NULL,
    list_id             INTEGER REFERENCES lists(id) ON DELETE SET NULL,
    target              TEXT,                        -- the address acted upon
    detail              TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_by_list ON audit_log (list_id, at);

-- Fixed-window counters shared by every process.
CREATE TABLE rate_limits (
    bucket              TEXT NOT NULL,               -- 'login-address', 'login-client', ...
    subject             TEXT NOT NULL,               -- an address or a client IP
    window_start        INTEGER NOT NULL,
    hits                INTEGER NOT NULL,
    PRIMARY KEY (bucket, subject, window_start)
) WITHOUT ROWID;

-- Random keys made on first use (one-click unsubscribe signatures, ...).
CREATE TABLE site_secrets (
    name                TEXT PRIMARY KEY,
    value               BLOB NOT NULL
) WITHOUT ROWID;
