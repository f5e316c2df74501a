-- Languages (issue 14): a list's language, and a user's language made a choice of their own.
--
-- lists.lang: the list's language tag ('' = the site's `lang`), for pages about the list
-- when the visitor's browser names none we have, and for mail to members without one.
ALTER TABLE lists ADD COLUMN lang TEXT NOT NULL DEFAULT '';

-- users.lang: '' now means "no preference" (the browser's language, then the list's, then
-- the site's). Until now the interface spoke English only and every account got the
-- column's default 'en' without choosing it.
ALTER TABLE users ALTER COLUMN lang SET DEFAULT '';
UPDATE users SET lang = '' WHERE lang = 'en';
