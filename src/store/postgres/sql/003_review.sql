-- Fast member pages: a member count kept by triggers, indexes for each review sort order,
-- and a small partial index to count concealed members.
--
-- The count triggers run once per statement, not once per row, reading the statement's
-- transition table: a bulk import of 100,000 members in chunks of a thousand rewrites the
-- list's row a hundred times, not 100,000 times (each rewrite is a new row version here).

ALTER TABLE lists ADD COLUMN member_count BIGINT NOT NULL DEFAULT 0;
UPDATE lists SET member_count = (SELECT COUNT(*) FROM members WHERE members.list_id = lists.id);

CREATE FUNCTION members_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE lists SET member_count = member_count + added.n
    FROM (SELECT list_id, COUNT(*) AS n FROM new_members GROUP BY list_id) AS added
    WHERE lists.id = added.list_id;
    RETURN NULL;
END;
$$;
CREATE FUNCTION members_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE lists SET member_count = member_count - removed.n
    FROM (SELECT list_id, COUNT(*) AS n FROM old_members GROUP BY list_id) AS removed
    WHERE lists.id = removed.list_id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER members_count_insert AFTER INSERT ON members
    REFERENCING NEW TABLE AS new_members
    FOR EACH STATEMENT EXECUTE FUNCTION members_count_added();
CREATE TRIGGER members_count_delete AFTER DELETE ON members
    REFERENCING OLD TABLE AS old_members
    FOR EACH STATEMENT EXECUTE FUNCTION members_count_removed();

-- (list_id, email) is already indexed by the UNIQUE constraint.
CREATE INDEX members_by_list_name ON members (list_id, name, email);
CREATE INDEX members_by_list_date ON members (list_id, subscribed_at, email);
CREATE INDEX members_concealed ON members (list_id) WHERE visibility = 'conceal';

-- At most one live request per list, kind and address.
CREATE INDEX pending_requests_by_email ON pending_requests (list_id, kind, email);
