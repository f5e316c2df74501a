-- A list's custom attributes (Sympa's `custom_attribute`), in the text form of
-- `domain::custom` (one per line): what subscribers are asked.
ALTER TABLE lists ADD COLUMN custom_attributes TEXT NOT NULL DEFAULT '';
