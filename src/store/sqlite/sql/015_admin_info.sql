-- An owner's or moderator's private note (Sympa's admin `info`), edited on `edit`.
ALTER TABLE list_admins ADD COLUMN info TEXT NOT NULL DEFAULT '';
