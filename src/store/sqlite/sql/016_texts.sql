-- The texts owners and listmasters write on the web (Sympa's editfile): a list's `info`,
-- `homepage`, `welcome.tt2`, `bye.tt2`, `removed.tt2`, `remind.tt2`, `message_header` and
-- `message_footer`, and the site's texts (list_id NULL). One row per text that was saved;
-- no row means the built-in default. Kept as typed, never evaluated as a template.
CREATE TABLE texts (
    id                  INTEGER PRIMARY KEY,
    domain_id           INTEGER NOT NULL REFERENCES domains(id),
    list_id             INTEGER REFERENCES lists(id) ON DELETE CASCADE,  -- NULL: the site's
    name                TEXT NOT NULL,
    body                TEXT NOT NULL,
    updated_by          TEXT,                        -- the editor's address; NULL from the shell
    updated_at          INTEGER NOT NULL
);
CREATE UNIQUE INDEX texts_by_owner ON texts (domain_id, COALESCE(list_id, 0), name);
-- viewlogs: a list's audit rows by action and by address, newest first.
CREATE INDEX audit_log_by_list_action ON audit_log (list_id, action, at);
CREATE INDEX audit_log_by_target ON audit_log (target, at);
