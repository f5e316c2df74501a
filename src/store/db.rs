//! The queries of [`Db`]: each declared once with its contract and forwarded to the backend.
//!
//! This list is the seam: a backend provides every method below, with the same name and
//! signature, on its own `Db` type (`sqlite::Db`, `postgres::Db`); [`queries!`] forwards each
//! to the backend the connection is on.

use std::collections::BTreeMap;

use super::{
    AdminEntry, ApiTokenRecord, ArchiveScope, ArchiveSearch, Archived, ArchivedSummary, AuditEntry,
    AuditLine, AuditQuery, AuditRecord, BounceDue, BounceRecord, BouncingMember, ClaimedMail,
    ClaimedRcpt, Db, DbInner, DeliveryCounts, DeliveryRcpt, DeliveryRecord, DigestState, DueDigest,
    Error, HeldHistory, HeldRecord, KeyedHeld, ListActivity, MemberQuery, MessageKey, NewArchived,
    NewBounce, NewHeld, NewList, NewMail, NewMember, NewPending, NewUser, OutboxCounts,
    PendingRecord, RcptOutcome, SessionRecord, StoredMessage, TextRecord, ThreadNode,
    ThreadSummary, TicketRecord, UserRecord,
};
use crate::domain::{
    Admin, AdminRole, ArchivedState, BounceScore, BounceSettings, DeliveryMode, DigestSettings,
    Email, IndexText, List, ListId, ListName, ListPolicy, ListStatus, ListSummary, MailSettings,
    Member, MemberVisibility, Membership, Month, ReceptionMode, Roles, SenderRule,
};

/// Declares public methods of [`Db`] that call the backend's method of the same name.
macro_rules! queries {
    ($(
        $(#[$doc:meta])*
        fn $name:ident $(<$lifetime:lifetime>)? (&self $(, $arg:ident: $type:ty)* $(,)?) -> $ret:ty;
    )*) => {
        impl Db<'_> {
            $(
                $(#[$doc])*
                pub fn $name $(<$lifetime>)? (&self $(, $arg: $type)*) -> $ret {
                    match self.inner {
                        DbInner::Sqlite(db) => db.$name($($arg),*),
                        DbInner::Postgres(db) => db.$name($($arg),*),
                    }
                }
            )*
        }
    };
}

queries! {
    // Domains and lists.

    /// The id of `domain`, created if it is new.
    fn ensure_domain(&self, domain: &str) -> Result<i64, Error>;
    /// Creates a list in `domain`; refuses a name that exists ([`Error::AlreadyExists`]).
    fn create_list(&self, domain: &str, list: &NewList) -> Result<ListId, Error>;
    /// Sets every policy of a list at once.
    fn set_list_policy(&self, list: ListId, policy: &ListPolicy) -> Result<(), Error>;
    /// Sets a list's language tag ('' for the site's); the site version moves.
    fn set_list_lang(&self, list: ListId, lang: &str) -> Result<(), Error>;
    /// Sets a list's status (closing keeps its members and history).
    fn set_list_status(&self, list: ListId, status: ListStatus) -> Result<(), Error>;
    /// Deletes a list and everything attached to it, in the caller's transaction (a pending
    /// list withdrawn); returns true if and only if there was one. On SQLite the archive's
    /// search index keeps the entries of visible messages: remove them first
    /// (`set_archived_state` to `Deleted`).
    fn purge_list(&self, list: ListId) -> Result<bool, Error>;
    /// One list by its id, whatever its status.
    fn list_by_id(&self, list: ListId) -> Result<Option<List>, Error>;
    /// Every list of `domain` whatever its status, by name (`wwsympa list ls --all`).
    fn all_lists(&self, domain: &str) -> Result<Vec<List>, Error>;
    /// The open lists of `domain` with their policies, by name.
    fn open_lists(&self, domain: &str) -> Result<Vec<List>, Error>;
    /// One list of `domain`, whatever its status.
    fn list_by_name(&self, domain: &str, name: &ListName) -> Result<Option<List>, Error>;
    /// Renames a list, keeping its old name for links ([`Db::renamed_list`]); a name another
    /// list has is [`Error::AlreadyExists`]. Its members, owners, archives and held posts
    /// follow it (they name it by id).
    fn rename_list(&self, list: ListId, new_name: &ListName) -> Result<(), Error>;
    /// The list that was called `name` in `domain` before a rename, if any.
    fn renamed_list(&self, domain: &str, name: &ListName) -> Result<Option<ListId>, Error>;
    /// Forgets that a list was once called `name` in `domain` (a new list takes the name).
    fn forget_old_name(&self, domain: &str, name: &ListName) -> Result<(), Error>;
    /// When a list was created (seconds since the epoch), `None` for no such list: a
    /// signed link older than its list was made for another list of that name.
    fn list_created_at(&self, list: ListId) -> Result<Option<i64>, Error>;
    /// Removes `email` from a list's owners or moderators (`role`); returns true if and only
    /// if it was one.
    fn remove_admin_role(&self, list: ListId, email: &Email, role: AdminRole) -> Result<bool, Error>;
    /// When each list of `domain` (whatever its status) was made and last received a post.
    fn list_activity(&self, domain: &str) -> Result<Vec<ListActivity>, Error>;

    // The mail door.

    /// Returns true if and only if `domain` has at least one open list (the mail door takes
    /// mail for the configured domain and these).
    fn is_list_domain(&self, domain: &str) -> Result<bool, Error>;

    // Accounts, sessions and tickets; tokens arrive already hashed.

    /// The account of `email`, if any.
    fn user(&self, email: &Email) -> Result<Option<UserRecord>, Error>;
    /// Creates an account; refuses an address that has one ([`Error::AlreadyExists`]).
    fn create_user(&self, user: &NewUser) -> Result<(), Error>;
    /// Creates an empty account for `email` unless one exists.
    fn ensure_user(&self, email: &Email) -> Result<(), Error>;
    /// Replaces the password hash of an existing account ([`Error::NotFound`] otherwise).
    fn set_password_hash(&self, email: &Email, hash: &str) -> Result<(), Error>;
    /// Sets the listmaster flag of an existing account.
    fn set_listmaster(&self, email: &Email, listmaster: bool) -> Result<(), Error>;
    /// Saves the language an account prefers ('' for none: the browser's, the list's, the site's).
    fn set_user_lang(&self, email: &Email, lang: &str) -> Result<(), Error>;
    /// Saves display name and language.
    fn set_preferences(&self, email: &Email, name: &str, lang: &str) -> Result<(), Error>;
    /// Records a successful login.
    fn record_login(&self, email: &Email, host: Option<&str>) -> Result<(), Error>;
    /// Counts a wrong password for an existing account.
    fn record_failed_login(&self, email: &Email) -> Result<(), Error>;
    /// Moves the account, memberships (with bounce records), roles and held requests of
    /// `old` to `new`, ends `old`'s sessions and revokes its tickets, in the caller's
    /// transaction; [`Error::AlreadyExists`] when `new` has an account, a membership or a
    /// role (nothing is merged).
    fn move_user(&self, old: &Email, new: &Email) -> Result<(), Error>;
    /// Creates a session whose secret id hashes to `id_hash`, living `ttl` seconds.
    fn create_session(
        &self,
        id_hash: &str,
        domain: &str,
        email: Option<&Email>,
        remote_addr: Option<&str>,
        ttl: i64,
    ) -> Result<SessionRecord, Error>;
    /// The live session whose secret id hashes to `id_hash` in `domain`, with the account of
    /// its address if it has one: one statement (a page's first read is this one).
    fn session(
        &self,
        id_hash: &str,
        domain: &str,
    ) -> Result<Option<(SessionRecord, Option<UserRecord>)>, Error>;
    /// Extends a session to `ttl` seconds from now.
    fn touch_session(&self, id: i64, ttl: i64) -> Result<(), Error>;
    /// Saves a session's data.
    fn set_session_data(
        &self,
        id: i64,
        data: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), Error>;
    /// Ends a session.
    fn delete_session(&self, id: i64) -> Result<(), Error>;
    /// Ends every session of `email` (after a password change, say).
    fn delete_sessions_of(&self, email: &Email) -> Result<(), Error>;
    /// Marks every unused ticket of `email` used, so that none still logs in; returns how many.
    fn revoke_tickets_of(&self, email: &Email) -> Result<usize, Error>;
    /// Removes expired sessions, tickets and held requests, and rate-limit counters older
    /// than a day (no window is longer); returns how many sessions went.
    fn purge_expired(&self) -> Result<usize, Error>;
    /// Stores a ticket whose secret hashes to `ticket_hash`.
    fn create_ticket(
        &self,
        ticket_hash: &str,
        domain: &str,
        email: &Email,
        purpose: &str,
        ttl: i64,
    ) -> Result<(), Error>;
    /// Returns true if and only if a live, unused ticket hashes to `ticket_hash`.
    fn ticket_is_live(&self, ticket_hash: &str, domain: &str) -> Result<bool, Error>;
    /// Marks the ticket used, once: `None` when it is unknown, used or expired.
    fn use_ticket(
        &self,
        ticket_hash: &str,
        domain: &str,
        used_from: Option<&str>,
    ) -> Result<Option<TicketRecord>, Error>;

    // Bearer tokens of the JSON API; they arrive already hashed.

    /// Stores a token of `email` in `domain` whose secret hashes to `token_hash`.
    fn create_api_token(
        &self,
        token_hash: &str,
        domain: &str,
        email: &Email,
        name: &str,
        scope: &str,
        expires_at: Option<i64>,
    ) -> Result<ApiTokenRecord, Error>;
    /// The live (unexpired) token of `domain` whose secret hashes to `token_hash`.
    fn api_token(&self, token_hash: &str, domain: &str) -> Result<Option<ApiTokenRecord>, Error>;
    /// One token of `domain` by its id, expired or not.
    fn api_token_by_id(&self, id: i64, domain: &str) -> Result<Option<ApiTokenRecord>, Error>;
    /// The tokens of `email` in `domain`, expired ones included, newest first.
    fn api_tokens_of(&self, domain: &str, email: &Email) -> Result<Vec<ApiTokenRecord>, Error>;
    /// Deletes a token; returns true if and only if it existed.
    fn delete_api_token(&self, id: i64) -> Result<bool, Error>;
    /// Records a use of token `id` at `at`, unless one was recorded less than a minute before.
    fn touch_api_token(&self, id: i64, at: i64) -> Result<(), Error>;

    // Members, owners, moderators, roles and held requests.

    /// What `email` is on `list`; `listmaster` comes from the account or the configuration.
    fn roles(&self, list: ListId, email: Option<&Email>, listmaster: bool) -> Result<Roles, Error>;
    /// Adds a member; refuses an address that is one already ([`Error::AlreadyExists`]).
    fn add_member(&self, list: ListId, member: &NewMember) -> Result<(), Error>;
    /// Removes a member; returns true if and only if there was one.
    fn remove_member(&self, list: ListId, email: &Email) -> Result<bool, Error>;
    /// One member of a list.
    fn member(&self, list: ListId, email: &Email) -> Result<Option<Member>, Error>;
    /// A number that changes whenever any list's row changes (its settings or member count):
    /// what the anonymous page cache is keyed on. Kept by the database's triggers (see the
    /// module documentation), so this reads one row.
    fn site_version(&self) -> Result<i64, Error>;
    /// How many members a list has. Kept by the database's triggers (see the module
    /// documentation), so this reads one row.
    fn member_count(&self, list: ListId) -> Result<u64, Error>;
    /// Adds an owner or moderator; refuses a duplicate ([`Error::AlreadyExists`]).
    fn add_admin(
        &self,
        list: ListId,
        email: &Email,
        role: AdminRole,
        privileged: bool,
    ) -> Result<(), Error>;
    /// The owners and moderators of a list, owners first.
    fn admins(&self, list: ListId) -> Result<Vec<Admin>, Error>;
    /// The owners and moderators of a list with every detail, owners first, by address.
    fn admin_entries(&self, list: ListId) -> Result<Vec<AdminEntry>, Error>;
    /// Changes an owner's or moderator's details (privileged, name, reception, visibility,
    /// info; not the address nor the role); returns true if and only if there was one.
    fn update_admin(&self, list: ListId, entry: &AdminEntry) -> Result<bool, Error>;
    /// Removes an owner or moderator; returns true if and only if there was one.
    fn remove_admin(&self, list: ListId, email: &Email, role: AdminRole) -> Result<bool, Error>;
    /// Sets a list's subject, description and topics.
    fn set_list_texts(
        &self,
        list: ListId,
        subject: &str,
        description: &str,
        topics: &[String],
    ) -> Result<(), Error>;
    /// A list's custom attributes, in the text form of `domain::custom` ("" for none).
    fn list_custom_attributes(&self, list: ListId) -> Result<String, Error>;
    /// Sets a list's custom attributes (the text form of `domain::custom`).
    fn set_list_custom_attributes(&self, list: ListId, text: &str) -> Result<(), Error>;
    /// How new members of a list receive it (Sympa's `default_user_options.reception`).
    fn list_default_reception(&self, list: ListId) -> Result<ReceptionMode, Error>;
    /// Sets how new members of a list receive it.
    fn set_list_default_reception(&self, list: ListId, mode: ReceptionMode) -> Result<(), Error>;
    /// Every open list of `domain` where `email` is member, moderator or owner, by name.
    fn memberships(&self, domain: &str, email: &Email) -> Result<Vec<Membership>, Error>;
    /// Holds a request until its key comes back or an owner decides. A request of the same
    /// kind and state for the same address on the list (live or expired) is renewed in
    /// place: new key, data, requester and expiry; its old key stops working. Returns the id.
    fn create_pending(&self, pending: &NewPending) -> Result<i64, Error>;
    /// The live held request whose key hashes to `key_hash`.
    fn pending_by_key(&self, key_hash: &str) -> Result<Option<PendingRecord>, Error>;
    /// The live held request with row id `id`.
    fn pending_by_id(&self, id: i64) -> Result<Option<PendingRecord>, Error>;
    /// Deletes a held request; returns true if and only if it was still there (so two
    /// concurrent confirmations cannot both act).
    fn delete_pending(&self, id: i64) -> Result<bool, Error>;

    // A list's members as a whole: review pages, search, export, bulk import, options.

    /// One page of members, in the query's order; uses the index of that order, so the
    /// first page costs the same for a thousand members as for a hundred thousand.
    fn members_page(&self, list: ListId, query: &MemberQuery<'_>) -> Result<Vec<Member>, Error>;
    /// How many members the query matches: without a filter from the kept count (minus the
    /// concealed ones), with one by scanning the list.
    fn count_members(&self, list: ListId, query: &MemberQuery<'_>) -> Result<u64, Error>;
    /// Calls `each` on every member of a list, by address (for exports and `member ls`).
    fn for_each_member(
        &self,
        list: ListId,
        each: impl FnMut(&Member) -> Result<(), Error>,
    ) -> Result<(), Error>;
    /// Changes a member's options; returns true if and only if the address is a member.
    fn set_member_options(
        &self,
        list: ListId,
        email: &Email,
        name: &str,
        reception: ReceptionMode,
        visibility: MemberVisibility,
    ) -> Result<bool, Error>;
    /// Replaces a member's custom attributes; returns true if and only if the address is a
    /// member.
    fn set_member_custom(
        &self,
        list: ListId,
        email: &Email,
        attributes: &BTreeMap<String, String>,
    ) -> Result<bool, Error>;
    /// Adds many members with one prepared statement (call it inside one transaction);
    /// addresses that are members already are skipped. Calls `progress` with the number of
    /// addresses handled every `every` of them. Returns (added, skipped).
    fn add_members_bulk<'m>(
        &self,
        list: ListId,
        members: impl IntoIterator<Item = &'m NewMember>,
        every: usize,
        progress: impl FnMut(usize),
    ) -> Result<(usize, usize), Error>;
    /// The live held requests of a list in `state` (`confirm` or `owner`), oldest first.
    fn pending_for_list(&self, list: ListId, state: &str) -> Result<Vec<PendingRecord>, Error>;
    /// The live held request of `kind` for `email` on a list in `state`, if any.
    fn pending_for(
        &self,
        list: ListId,
        kind: &str,
        email: &Email,
        state: &str,
    ) -> Result<Option<PendingRecord>, Error>;

    // The outbox: mail written with its cause, claimed under a lease, retried.

    /// Queues a message; returns its id.
    fn enqueue_mail(&self, mail: &NewMail) -> Result<i64, Error>;
    /// Claims up to `limit` messages for sender `who` for `lease_seconds`, oldest first: those
    /// due now, and those whose sender's lease ran out (it died holding them). Two senders
    /// never claim the same row.
    fn claim_due_mail(
        &self,
        who: &str,
        lease_seconds: i64,
        limit: u32,
    ) -> Result<Vec<ClaimedMail>, Error>;
    /// Extends the lease on everything `who` still holds; returns how many rows that is.
    fn renew_mail_claims(&self, who: &str, lease_seconds: i64) -> Result<usize, Error>;
    /// Gives back, untried and due at once, everything `who` still holds; returns how many.
    fn release_mail_claims(&self, who: &str) -> Result<usize, Error>;
    /// Seconds until the next message is due (or a lease runs out), if any is waiting.
    fn next_mail_due_in(&self) -> Result<Option<i64>, Error>;
    /// Records that `who` handed message `id` to the MTA; its bytes (which may hold tickets)
    /// are dropped. False when `who` no longer held the claim (its lease ran out and another
    /// sender took the message over).
    fn mail_sent(&self, id: i64, who: &str) -> Result<bool, Error>;
    /// Records a failed try by `who`: retried `retry_in` seconds from now, or given up when
    /// `None`; the claim is released. False when `who` no longer held the claim.
    fn mail_failed(
        &self,
        id: i64,
        who: &str,
        error: &str,
        retry_in: Option<i64>,
    ) -> Result<bool, Error>;
    /// The bytes of outbox message `id` (empty once sent), without claiming it; for tests
    /// and inspection.
    fn outbox_message(&self, id: i64) -> Result<Option<Vec<u8>>, Error>;
    /// How many messages are in each state.
    fn outbox_counts(&self) -> Result<OutboxCounts, Error>;

    // List distribution: a post's recipients, claimed under a lease, each reply recorded.

    /// Queues archived `message` of `list` for every member whose reception is `mail`, and
    /// every member in `not_me` but its `author` (one `INSERT … SELECT`, recipient rows in
    /// domain order), in the caller's transaction. Returns the delivery's id and its
    /// recipients, or `None` when the message was queued for the list already (nothing is
    /// queued twice).
    fn queue_delivery(
        &self,
        list: ListId,
        message: i64,
        mode: DeliveryMode,
        author: Option<&Email>,
    ) -> Result<Option<(i64, u64)>, Error>;
    /// Claims for sender `who`, for `lease_seconds`, up to `limit` due recipients of ONE
    /// delivery (one that has any), in id order, so grouped by domain. Rows
    /// whose sender's lease ran out (it died holding them) are made due again first. Two
    /// senders never claim the same row.
    fn claim_delivery_rcpts(
        &self,
        who: &str,
        lease_seconds: i64,
        limit: u32,
    ) -> Result<Vec<ClaimedRcpt>, Error>;
    /// One delivery, with what the sender needs of its archived message.
    fn delivery(&self, id: i64) -> Result<Option<DeliveryRecord>, Error>;
    /// Records what the MTA said of recipients `who` holds, in one statement per row (call
    /// it inside one transaction for a batch); returns how many rows `who` still held.
    fn record_rcpt_outcomes(&self, who: &str, outcomes: &[RcptOutcome]) -> Result<usize, Error>;
    /// Extends the lease on every recipient `who` holds; returns how many.
    fn renew_rcpt_claims(&self, who: &str, lease_seconds: i64) -> Result<usize, Error>;
    /// Gives back, untried and due at once, every recipient `who` holds; returns how many.
    fn release_rcpt_claims(&self, who: &str) -> Result<usize, Error>;
    /// Seconds until the next recipient is due (or a lease runs out), if any is waiting.
    fn next_rcpt_due_in(&self) -> Result<Option<i64>, Error>;
    /// How many recipients of delivery `id` (of every delivery with `None`) are in each state.
    fn delivery_counts(&self, id: Option<i64>) -> Result<DeliveryCounts, Error>;
    /// The delivery of archived `message` to `list`, if it was queued.
    fn delivery_of(&self, list: ListId, message: i64) -> Result<Option<i64>, Error>;
    /// One recipient row (a VERP token names it: `mail::verp::decode`).
    fn delivery_rcpt(&self, id: i64) -> Result<Option<DeliveryRcpt>, Error>;
    /// Recipients that failed for good (a 5xx, or retries given up) at or after `since`
    /// (seconds since the epoch), oldest first, `limit` at most: what bounce scoring reads.
    /// Each carries the MTA's final code and text, the time and the delivery. A 5xx code is a
    /// hard bounce; a 4xx code is a soft one given up after `mail_retry_period`; no code
    /// means the MTA never answered for it (it was down all along, or the post was deleted
    /// from the archive before it went out): not a bounce.
    fn delivery_failures_since(&self, since: i64, limit: u32) -> Result<Vec<DeliveryRcpt>, Error>;

    // Archives: original bytes, ids, threads and the search index, written in one go.

    /// Stores a message in its list's archive with its Message-ID, its place in a thread and
    /// its index entry (when `Visible`), in the caller's transaction. Threading is JWZ's
    /// without subject grouping: unseen referenced ids become placeholders; the message
    /// joins the thread of its nearest known ancestor (or of a placeholder that stood for
    /// it); when it links two threads, the smaller one merges into the larger. The same
    /// bytes already in the list's archive are not stored again ([`Archived::Duplicate`]).
    /// A taken `legacy_seq` in the month is [`Error::AlreadyExists`].
    fn archive_message(&self, message: &NewArchived<'_>) -> Result<Archived, Error>;
    /// The months of a list's archive with their visible messages, newest month first.
    fn archive_months(&self, list: ListId) -> Result<Vec<(Month, u64)>, Error>;
    /// The visible messages of a list's month by date (then id), `limit` from `offset`.
    fn archive_month_page(
        &self,
        list: ListId,
        month: Month,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<ArchivedSummary>, Error>;
    /// The hidden and deleted messages of a list, in every month, newest first (by date,
    /// then id), `limit` from `offset`: the owners' list of what readers do not see.
    fn archive_hidden(
        &self,
        list: ListId,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<ArchivedSummary>, Error>;
    /// The threads with a visible message in a list's month, by the date of their last
    /// message in any month, newest first, `limit` from `offset`; and how many there are.
    fn archive_month_threads(
        &self,
        list: ListId,
        month: Month,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<ThreadSummary>, u64), Error>;
    /// Every node of a thread of `list` (messages of every month and placeholders), at most
    /// `limit` messages (the oldest); deleted and hidden messages come as placeholders.
    fn archive_thread(&self, list: ListId, thread: i64, limit: u64) -> Result<Vec<ThreadNode>, Error>;
    /// One message of a list by its month and MHonArc number, whatever its state.
    fn archived_by_seq(
        &self,
        list: ListId,
        month: Month,
        seq: u32,
    ) -> Result<Option<ArchivedSummary>, Error>;
    /// One message of a list by a permalink key, whatever its state; the first stored
    /// when several share the Message-ID.
    fn archived_by_key(
        &self,
        list: ListId,
        key: MessageKey<'_>,
    ) -> Result<Option<ArchivedSummary>, Error>;
    /// The visible messages just before and just after `id` in the list's archive by date
    /// (then id), across months.
    fn archived_neighbours(
        &self,
        list: ListId,
        id: i64,
    ) -> Result<(Option<ArchivedSummary>, Option<ArchivedSummary>), Error>;
    /// The original bytes of message `id`, exactly as stored; `None` when deleted or unknown.
    fn archived_raw(&self, id: i64) -> Result<Option<Vec<u8>>, Error>;
    /// The newest visible messages of the lists (by arrival), at most `limit`, arrived at
    /// or after `since`.
    fn archive_latest(
        &self,
        lists: &[ListId],
        since: i64,
        limit: u64,
    ) -> Result<Vec<ArchivedSummary>, Error>;
    /// Calls `each` on the visible messages of a list's month, or of a thread, oldest first,
    /// with their bytes (for mbox exports, streamed).
    fn for_each_archived(
        &self,
        list: ListId,
        scope: ArchiveScope,
        each: impl FnMut(&ArchivedSummary, &[u8]) -> Result<(), Error>,
    ) -> Result<(), Error>;
    /// The visible messages a search finds, in its order.
    fn archive_search(&self, search: &ArchiveSearch<'_>) -> Result<Vec<ArchivedSummary>, Error>;
    /// How many visible messages a search finds, counting no further than `cap`.
    fn archive_search_count(&self, search: &ArchiveSearch<'_>, cap: u64) -> Result<u64, Error>;
    /// Changes a message's state, with its index entry: `index` is what the entry holds (or
    /// must hold), derived again from the bytes by the same extractor. `Deleted` drops the
    /// bytes for good. Returns the state it had, `None` when there is no such message.
    fn set_archived_state(
        &self,
        id: i64,
        state: ArchivedState,
        index: &IndexText,
    ) -> Result<Option<ArchivedState>, Error>;
    /// Empties the whole search index (before `wwsympa archive reindex` fills it again).
    fn archive_index_clear(&self) -> Result<(), Error>;
    /// Up to `limit` messages with an id above `after`, with their bytes (`None` when
    /// deleted), by id: for reindexing.
    fn archived_after(
        &self,
        after: i64,
        limit: u64,
    ) -> Result<Vec<StoredMessage>, Error>;
    /// Puts a message's entry (as made by extractor `version`) into the emptied index.
    fn archive_index_add(&self, id: i64, index: &IndexText, version: u32) -> Result<(), Error>;
    /// Refreshes what the database's planner knows of the archive tables' sizes, outside a
    /// transaction: an import calls it as the tables grow (after 1, 2, 4, 8… batches), so the
    /// statements each insert runs keep their index plans. PostgreSQL plans from statistics
    /// that a fresh table lacks until autovacuum's next ANALYZE (an import of 100,000
    /// messages fell to 84 messages/s waiting for it); SQLite's planner needs none for these
    /// statements (their join order is fixed), so there it does nothing.
    fn archive_statistics(&self) -> Result<(), Error>;

    // The audit log, rate limits and site secrets.

    /// Appends to the audit log.
    fn audit(&self, entry: &AuditEntry<'_>) -> Result<(), Error>;
    /// Appends many rows to the audit log at once (a bulk import's row per address): on
    /// PostgreSQL one statement per thousand rows rather than one per row.
    fn audit_many(&self, entries: &[AuditEntry<'_>]) -> Result<(), Error>;
    /// The last `limit` audit entries, newest first; for tests and `check`.
    fn recent_audit(&self, limit: u32) -> Result<Vec<AuditLine>, Error>;
    /// The audit rows the query finds, newest first (by time, then id), `limit` from
    /// `offset` (`viewlogs`).
    fn audit_page(&self, query: &AuditQuery<'_>) -> Result<Vec<AuditRecord>, Error>;
    /// How many audit rows the query finds (its offset and limit aside).
    fn audit_count(&self, query: &AuditQuery<'_>) -> Result<u64, Error>;

    // Texts written on the web (`editfile`): a list's, or the site's with `list` `None`.

    /// The saved text `name` of `list` (of the site with `None`) in `domain`, if one was saved.
    fn text(&self, domain: &str, list: Option<ListId>, name: &str) -> Result<Option<TextRecord>, Error>;
    /// Every saved text of `list` (of the site with `None`) in `domain`, by name.
    fn texts(&self, domain: &str, list: Option<ListId>) -> Result<Vec<TextRecord>, Error>;
    /// Saves text `name` (replacing the one saved before), or with `body` `None` forgets it,
    /// so the default is used again; `editor` and the time are kept with it. Moves the site
    /// version, so that no cached page shows the old text.
    fn set_text(
        &self,
        domain: &str,
        list: Option<ListId>,
        name: &str,
        body: Option<&str>,
        editor: Option<&Email>,
    ) -> Result<(), Error>;
    /// Counts one hit of `subject` in `bucket` for the current `window`-second window; returns
    /// the hits in this window, this one included. Older windows of the same pair are dropped.
    fn rate_limit_hit(&self, bucket: &str, subject: &str, window: i64) -> Result<u32, Error>;
    /// Lets one event of `subject` in `bucket` through every `interval` seconds: returns true
    /// if and only if none went through in the last `interval` seconds, and then records this
    /// one. Atomic, so two processes cannot both be let through.
    fn rate_pace(&self, bucket: &str, subject: &str, interval: i64) -> Result<bool, Error>;
    /// The site secret `name`; `candidate` becomes it if there is none yet.
    fn site_secret(&self, name: &str, candidate: &[u8]) -> Result<Vec<u8>, Error>;

    // List mail: settings, held posts, sender rules.

    /// The mail settings of `list` (the defaults when it does not exist).
    fn list_mail_settings(&self, list: ListId) -> Result<MailSettings, Error>;
    /// Sets every mail setting of `list` at once.
    fn set_list_mail_settings(&self, list: ListId, settings: &MailSettings) -> Result<(), Error>;
    /// Records a held post, in the transaction that archived it in the `Held` state.
    fn hold_message(&self, held: &NewHeld<'_>) -> Result<(), Error>;
    /// The sender rule of `list` that applies to `address` (a ban wins over an allow).
    fn sender_rule(&self, list: ListId, address: &Email) -> Result<Option<SenderRule>, Error>;
    /// Every sender rule of `list`, by pattern.
    fn sender_rules(&self, list: ListId) -> Result<Vec<(String, SenderRule)>, Error>;
    /// Sets (or with `None` removes) the rule for `pattern`, lowercased by the caller.
    fn set_sender_rule(
        &self,
        list: ListId,
        pattern: &str,
        rule: Option<SenderRule>,
        by: Option<&Email>,
    ) -> Result<(), Error>;

    // Moderation: held posts as moderators see them, decisions, keys, reminders, digests.

    /// The held post of archived message `message`, decided or not, with what the archive
    /// keeps of it.
    fn held_message(&self, message: i64) -> Result<Option<HeldRecord>, Error>;
    /// The held post of `list` that a mailed key whose hash is `key_hash` opens, decided or
    /// not: for `purpose` `moderate` the post's shared key (Sympa's modkey) or a key mailed
    /// to one moderator; for `withdraw` the key mailed to the sender.
    fn held_by_key(
        &self,
        list: ListId,
        key_hash: &str,
        purpose: &str,
    ) -> Result<Option<KeyedHeld>, Error>;
    /// Records the hash of a key mailed to `holder` for held post `message`; `purpose` is
    /// `moderate` or `withdraw`.
    fn add_moderation_key(
        &self,
        key_hash: &str,
        message: i64,
        holder: &str,
        purpose: &str,
        created_at: i64,
    ) -> Result<(), Error>;
    /// The posts of `list` waiting for a decision, oldest first, `limit` from `offset`.
    fn held_queue(&self, list: ListId, offset: u64, limit: u64) -> Result<Vec<HeldRecord>, Error>;
    /// How many posts of `list` wait for a decision.
    fn held_count(&self, list: ListId) -> Result<u64, Error>;
    /// Records `decision` (`distributed`, `rejected`, `discarded`, `withdrawn`, `expired`)
    /// on held post `message` by `by` at `at` with `note`, if none was taken yet; returns
    /// true if and only if this call took it. One conditional UPDATE, so that of two
    /// moderators acting at once exactly one decides (call it in the transaction of the
    /// state change).
    fn decide_held(
        &self,
        message: i64,
        decision: &str,
        by: Option<&str>,
        note: &str,
        at: i64,
    ) -> Result<bool, Error>;
    /// What the other held posts of `list` from `sender` became (post `except` left out).
    fn sender_held_history(&self, list: ListId, sender: &str, except: i64) -> Result<HeldHistory, Error>;
    /// Undecided posts never reminded, at least half-way between their hold and their
    /// expiry and not yet expired at `now`, oldest first, at most `limit`.
    fn held_due_reminders(&self, now: i64, limit: u64) -> Result<Vec<HeldRecord>, Error>;
    /// Marks an undecided held post reminded at `at`, once; true if and only if this call did.
    fn mark_held_reminded(&self, message: i64, at: i64) -> Result<bool, Error>;
    /// Undecided posts whose expiry is at or before `now`, oldest first, at most `limit`.
    fn held_expired(&self, now: i64, limit: u64) -> Result<Vec<HeldRecord>, Error>;
    /// Every how many minutes `email` wants a digest of `list`'s held posts; 0 (the default)
    /// for one notice per post.
    fn moderator_digest_minutes(&self, list: ListId, email: &str) -> Result<u32, Error>;
    /// Sets it.
    fn set_moderator_digest_minutes(&self, list: ListId, email: &str, minutes: u32) -> Result<(), Error>;
    /// Puts held post `message` in `email`'s next digest of `list`.
    fn queue_moderation_digest(&self, list: ListId, email: &str, message: i64, at: i64) -> Result<(), Error>;
    /// The moderators with queued posts whose digest is due at `now`, at most `limit`.
    fn due_moderation_digests(&self, now: i64, limit: u64) -> Result<Vec<DueDigest>, Error>;
    /// Takes the posts queued for `email`'s digest of `list`, by id, and records the digest
    /// sent at `now`; a second caller gets none.
    fn take_moderation_digest(&self, list: ListId, email: &str, now: i64) -> Result<Vec<i64>, Error>;
    /// The hits of `subject` in `bucket` in the current `window`-second window, without
    /// counting one: a client past a limit of wrong keys is refused before any key is looked up.
    fn rate_limit_hits(&self, bucket: &str, subject: &str, window: i64) -> Result<u32, Error>;

    // Bounces: the evidence, each member's score, each list's policy (`bounces.rs`).

    /// The bounce policy of `list` (the defaults when it does not exist).
    fn bounce_settings(&self, list: ListId) -> Result<BounceSettings, Error>;
    /// Sets the bounce policy of `list`.
    fn set_bounce_settings(&self, list: ListId, settings: &BounceSettings) -> Result<(), Error>;
    /// Keeps a bounce (its bytes compressed, cut at `BOUNCE_KEPT_BYTES`); returns its id.
    fn record_bounce(&self, bounce: &NewBounce<'_>) -> Result<i64, Error>;
    /// The bounce record of member `email` of `list`, if any.
    fn member_bounce(&self, list: ListId, email: &Email) -> Result<Option<BounceScore>, Error>;
    /// Writes the bounce record of member `email` of `list` (and its last bounce, when
    /// given); false when the address is not a member.
    fn set_member_bounce(
        &self,
        list: ListId,
        email: &Email,
        record: &BounceScore,
        last_bounce: Option<i64>,
    ) -> Result<bool, Error>;
    /// Forgets the bounce record of member `email` of `list` (Sympa's `resetbounce`, a
    /// stale score); delivery resumes. True if there was one.
    fn clear_member_bounce(&self, list: ListId, email: &Email) -> Result<bool, Error>;
    /// The members of `list` with a bounce record, highest score first, with their last
    /// bounce.
    fn bouncing_members(&self, list: ListId) -> Result<Vec<BouncingMember>, Error>;
    /// The last `limit` bounces kept for `list`, newest first (those of former members,
    /// complaints, unattributed and uncounted ones included).
    fn list_bounces(&self, list: ListId, limit: u64) -> Result<Vec<BounceRecord>, Error>;
    /// The bytes kept of bounce `id` of `list`.
    fn bounce_raw(&self, list: ListId, id: i64) -> Result<Option<Vec<u8>>, Error>;
    /// Up to `limit` records the periodic job may have to act on at `now`: those of
    /// disabled members, and those with no bounce for their list's `stale_days`.
    fn bounces_due(&self, now: i64, limit: u64) -> Result<Vec<BounceDue>, Error>;
    /// Deletes the kept bounces received before `before` that are no member's last one;
    /// returns how many went.
    fn purge_bounces(&self, before: i64) -> Result<usize, Error>;

    /// Where periodic job `name` stands: the (time, id) of the last row it handled, (0, 0)
    /// before its first run.
    fn job_cursor(&self, name: &str) -> Result<(i64, i64), Error>;
    /// Records where periodic job `name` stands.
    fn set_job_cursor(&self, name: &str, at: i64, id: i64) -> Result<(), Error>;

    // Digests: schedules, where each list stands, what goes in (`digests.rs`).

    /// The digest settings of `list` (the defaults when it does not exist).
    fn digest_settings(&self, list: ListId) -> Result<DigestSettings, Error>;
    /// Sets the digest settings of `list`.
    fn set_digest_settings(&self, list: ListId, settings: &DigestSettings) -> Result<(), Error>;
    /// Every open list with its digest settings and where its digests stand (`None`
    /// before its first digest run).
    fn digest_schedules(&self) -> Result<Vec<(ListId, DigestSettings, Option<DigestState>)>, Error>;
    /// Moves `list`'s digest state from `from` (`None`: it has none yet) to `to`; false
    /// when it was not at `from` any more (another process handled this moment).
    fn advance_digest(
        &self,
        list: ListId,
        from: Option<&DigestState>,
        to: &DigestState,
    ) -> Result<bool, Error>;
    /// Up to `limit` visible messages of `list` with an id above `after` that arrived after
    /// `arrived_after`, by id.
    fn archive_visible_after(
        &self,
        list: ListId,
        after: i64,
        arrived_after: i64,
        limit: u64,
    ) -> Result<Vec<ArchivedSummary>, Error>;
    /// Up to `limit` visible messages of `list` with an id at most `up_to` that were held for
    /// moderation and distributed at a time in `(after, until]`, by id: posts held across a
    /// digest's moment, whose ids are below the list's cursor.
    fn archive_late_distributed(
        &self,
        list: ListId,
        up_to: i64,
        after: i64,
        until: i64,
        limit: u64,
    ) -> Result<Vec<ArchivedSummary>, Error>;
    /// The members of `list` in `digest` or `summary` mode whose delivery is not disabled
    /// by bounces, by address.
    fn digest_recipients(&self, list: ListId) -> Result<Vec<Member>, Error>;
}

/// Queries built from others, the same for every backend.
impl Db<'_> {
    /// The open lists of `domain`, by name.
    pub fn lists(&self, domain: &str) -> Result<Vec<ListSummary>, Error> {
        Ok(self.open_lists(domain)?.into_iter().map(summary).collect())
    }

    /// One open list of `domain`, if it exists.
    pub fn list(&self, domain: &str, name: &ListName) -> Result<Option<ListSummary>, Error> {
        Ok(self
            .list_by_name(domain, name)?
            .filter(|list| list.status == ListStatus::Open)
            .map(summary))
    }
}

/// What the list of lists shows of a list.
fn summary(list: List) -> ListSummary {
    ListSummary {
        name: list.name,
        subject: list.subject,
        topics: list.topics,
        visibility: list.policy.visibility,
    }
}
