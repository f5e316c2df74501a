-- The site version (004) moves with the archives too, so that the anonymous page cache may
-- keep archive pages: a message archived, held, published, hidden or removed moves it.
CREATE TRIGGER site_version_archive_insert AFTER INSERT ON archive_messages BEGIN
    UPDATE site_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER site_version_archive_update AFTER UPDATE ON archive_messages BEGIN
    UPDATE site_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER site_version_archive_delete AFTER DELETE ON archive_messages BEGIN
    UPDATE site_version SET version = version + 1 WHERE id = 1;
END;
