-- One held request per list, kind, address and state: asking again renews the request (a new
-- key, a new expiry) instead of adding a row, so repeated anonymous requests cannot pile up
-- rows nor mail the address once per attempt. The store's `create_pending` is the upsert.

DELETE FROM pending_requests
WHERE id NOT IN (SELECT MAX(id) FROM pending_requests GROUP BY list_id, kind, email, state);

CREATE UNIQUE INDEX pending_requests_one_per_address ON pending_requests (list_id, kind, email, state);
