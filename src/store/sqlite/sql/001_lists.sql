-- Domains (Sympa's robots) and their lists; lists are keyed by domain and name.
CREATE TABLE domains (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE lists (
    id                  INTEGER PRIMARY KEY,
    domain_id           INTEGER NOT NULL REFERENCES domains(id),
    name                TEXT NOT NULL,
    subject             TEXT NOT NULL DEFAULT '',
    description         TEXT NOT NULL DEFAULT '',
    topics              TEXT NOT NULL DEFAULT '',
    visibility          TEXT NOT NULL DEFAULT 'noconceal',
    subscribe_policy    TEXT NOT NULL DEFAULT 'open',
    unsubscribe_policy  TEXT NOT NULL DEFAULT 'open',
    review_policy       TEXT NOT NULL DEFAULT 'owner',
    archive_access      TEXT NOT NULL DEFAULT 'private',
    status              TEXT NOT NULL DEFAULT 'open',
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    UNIQUE (domain_id, name)
);
