-- Bearer tokens of the JSON API (`<base>/api/v1/`), made by their owner on the web and shown
-- once: only the SHA-256 of the token is kept. A revoked token's row is deleted.
CREATE TABLE api_tokens (
    id                  INTEGER PRIMARY KEY,
    token_hash          TEXT NOT NULL UNIQUE,
    domain_id           INTEGER NOT NULL REFERENCES domains(id),
    email               TEXT NOT NULL,                -- whose token: the requester it stands for
    name                TEXT NOT NULL,                -- what its owner called it
    scope               TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    created_at          INTEGER NOT NULL,
    last_used_at        INTEGER,                      -- updated at most once a minute
    expires_at          INTEGER                       -- NULL: until revoked
);
CREATE INDEX api_tokens_by_owner ON api_tokens (domain_id, email);
