-- An owner's or moderator's private note (Sympa's admin `info`), edited on `edit`.
ALTER TABLE list_admins ADD COLUMN info TEXT NOT NULL DEFAULT '';
-- A list's custom attributes (Sympa's `custom_attribute`), in the text form of
-- `domain::custom` (one per line): what subscribers are asked.
ALTER TABLE lists ADD COLUMN custom_attributes TEXT NOT NULL DEFAULT '';
