-- Fast member pages: a member count kept by triggers, indexes for each review sort order,
-- and a small partial index to count concealed members.

ALTER TABLE lists ADD COLUMN member_count INTEGER NOT NULL DEFAULT 0;
UPDATE lists SET member_count = (SELECT COUNT(*) FROM members WHERE members.list_id = lists.id);

CREATE TRIGGER members_count_insert AFTER INSERT ON members BEGIN
    UPDATE lists SET member_count = member_count + 1 WHERE id = NEW.list_id;
END;
CREATE TRIGGER members_count_delete AFTER DELETE ON members BEGIN
    UPDATE lists SET member_count = member_count - 1 WHERE id = OLD.list_id;
END;

-- (list_id, email) is already indexed by the UNIQUE constraint.
CREATE INDEX members_by_list_name ON members (list_id, name, email);
CREATE INDEX members_by_list_date ON members (list_id, subscribed_at, email);
CREATE INDEX members_concealed ON members (list_id) WHERE visibility = 'conceal';

-- At most one live request per list, kind and address.
CREATE INDEX pending_requests_by_email ON pending_requests (list_id, kind, email);
