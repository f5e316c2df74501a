-- The names a list had before it was renamed (`move_list`): links that name an old name
-- (archive permalinks, info pages) are sent on to the list's current name. A row goes when
-- its list is purged; a list created later under an old name takes it over (the row is
-- deleted then, see store/postgres/lifecycle.rs).
CREATE TABLE list_renames (
    domain_id   BIGINT NOT NULL REFERENCES domains(id),
    old_name    TEXT COLLATE "C" NOT NULL,
    list_id     BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    renamed_at  BIGINT NOT NULL,
    PRIMARY KEY (domain_id, old_name)
);
CREATE INDEX list_renames_list ON list_renames (list_id);
