-- A counter bumped by every change to the lists table (member counts included, through the
-- triggers of 003), so that pages built only from it can be kept until it moves.
CREATE TABLE site_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
);
INSERT INTO site_version (id, version) VALUES (1, 0);

CREATE TRIGGER site_version_list_insert AFTER INSERT ON lists BEGIN
    UPDATE site_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER site_version_list_update AFTER UPDATE ON lists BEGIN
    UPDATE site_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER site_version_list_delete AFTER DELETE ON lists BEGIN
    UPDATE site_version SET version = version + 1 WHERE id = 1;
END;
