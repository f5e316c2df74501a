-- A list's custom attributes (Sympa's `custom_attribute`), in the text form of
-- `domain::custom` (one per line): what subscribers are asked.
ALTER TABLE lists ADD COLUMN custom_attributes TEXT NOT NULL DEFAULT '';
-- How new members receive the list (Sympa's `default_user_options.reception`).
ALTER TABLE lists ADD COLUMN default_reception TEXT NOT NULL DEFAULT 'mail'
    CHECK (default_reception IN ('mail', 'digest', 'summary', 'nomail'));
