-- Sympa's `not_me` (every post but one's own) and `digestplain` (a plain-text digest)
-- reception modes: the CHECK constraints of members.reception and lists.default_reception
-- name them too.
--
-- SQLite cannot alter a CHECK constraint. This follows the procedure its documentation gives
-- for changing constraints without rewriting the table ("Making Other Kinds Of Table Schema
-- Changes", https://www.sqlite.org/lang_altertable.html#otheralter): the new constraint only
-- widens the old one, so every stored row still satisfies it and no row needs rewriting or
-- checking. The table's text in sqlite_schema is edited in this migration's transaction;
-- `writable_schema = RESET` makes this connection read the schema again; other connections
-- (other processes) read it again before their next statement (the migration's unit test
-- shows both).
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, 'CHECK (reception IN (''mail'', ''digest'', ''summary'', ''nomail''))',
                       'CHECK (reception IN (''mail'', ''not_me'', ''digest'', ''digestplain'', ''summary'', ''nomail''))')
WHERE type = 'table' AND name = 'members';
UPDATE sqlite_schema
SET sql = replace(sql, 'CHECK (default_reception IN (''mail'', ''digest'', ''summary'', ''nomail''))',
                       'CHECK (default_reception IN (''mail'', ''not_me'', ''digest'', ''digestplain'', ''summary'', ''nomail''))')
WHERE type = 'table' AND name = 'lists';
PRAGMA writable_schema = RESET;
