-- Claims with leases on the outbox. A sender claims due rows by writing its name in
-- claimed_by and a deadline in lease_until (state 'sending'); no other sender touches them
-- until that lease has run out, which only happens when the first one died while holding
-- them. A sent row keeps claimed_by: who handed it to the MTA.
ALTER TABLE outbox RENAME COLUMN claimed_until TO lease_until;
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
-- The claim's subquery reads pending rows by due time and sending rows by lease.
CREATE INDEX outbox_leases ON outbox (state, lease_until);
