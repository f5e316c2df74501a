-- Sympa's `not_me` (every post but one's own) and `digestplain` (a plain-text digest)
-- reception modes: the CHECK constraints of members.reception and lists.default_reception
-- name them too.
ALTER TABLE members DROP CONSTRAINT members_reception_check;
ALTER TABLE members ADD CONSTRAINT members_reception_check
    CHECK (reception IN ('mail', 'not_me', 'digest', 'digestplain', 'summary', 'nomail'));
ALTER TABLE lists DROP CONSTRAINT lists_default_reception_check;
ALTER TABLE lists ADD CONSTRAINT lists_default_reception_check
    CHECK (default_reception IN ('mail', 'not_me', 'digest', 'digestplain', 'summary', 'nomail'));
