-- A counter bumped by every change to the lists table (member counts included, through the
-- triggers of 003), so that pages built only from it can be kept until it moves. One bump
-- per statement: a statement that changes many rows moves it once, which is all a cache
-- keyed on it needs.
CREATE TABLE site_version (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);
INSERT INTO site_version (id, version) VALUES (1, 0);

CREATE FUNCTION site_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE site_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;
CREATE TRIGGER site_version_list_insert AFTER INSERT ON lists
    FOR EACH STATEMENT EXECUTE FUNCTION site_version_bump();
CREATE TRIGGER site_version_list_update AFTER UPDATE ON lists
    FOR EACH STATEMENT EXECUTE FUNCTION site_version_bump();
CREATE TRIGGER site_version_list_delete AFTER DELETE ON lists
    FOR EACH STATEMENT EXECUTE FUNCTION site_version_bump();
