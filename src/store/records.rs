//! The records the store takes and gives back: plain data, the same whatever the database.

use std::collections::BTreeMap;

use crate::domain::{
    AdminRole, ArchivedState, BounceScore, BounceSettings, Email, HoldReason, IndexText, ListId,
    ListName, MemberVisibility, Month, ReceptionMode, SearchOrder, SearchQuery, User, Visibility,
};

// Accounts, sessions and tickets.

/// An account with what only operations may see.
#[derive(Debug, Clone)]
pub struct UserRecord {
    /// The account.
    pub user: User,
    /// The argon2id PHC string, if a password was chosen.
    pub password_hash: Option<String>,
}

/// What `create_user` needs.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// The address.
    pub email: Email,
    /// The display name.
    pub name: String,
    /// The password hash, if any.
    pub password_hash: Option<String>,
    /// A listmaster of the domain.
    pub listmaster: bool,
}

/// A live session.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    /// The row id (not the secret id, which only the cookie has).
    pub id: i64,
    /// The logged-in address; `None` while anonymous.
    pub email: Option<Email>,
    /// Free-form data (language, where to go after login).
    pub data: serde_json::Map<String, serde_json::Value>,
    /// Last refresh, in seconds since the epoch.
    pub refreshed_at: i64,
}

/// A bearer token of the JSON API, as kept: never the token itself, only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRecord {
    /// The row id, by which its owner revokes it.
    pub id: i64,
    /// Whose token it is: the requester a call with it stands for.
    pub email: Email,
    /// What its owner called it.
    pub name: String,
    /// `read` or `write`.
    pub scope: String,
    /// When it was made, in seconds since the epoch.
    pub created_at: i64,
    /// When it was last used (to the minute), if ever.
    pub last_used_at: Option<i64>,
    /// When it stops working, if ever.
    pub expires_at: Option<i64>,
}

/// A ticket that was just used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRecord {
    /// The address it was mailed to.
    pub email: Email,
    /// Where it leads.
    pub purpose: String,
}

// Lists.

/// What `create_list` needs.
#[derive(Debug, Clone)]
pub struct NewList {
    /// The list's name.
    pub name: ListName,
    /// Its subject line.
    pub subject: String,
    /// Its description.
    pub description: String,
    /// Its topics.
    pub topics: Vec<String>,
    /// Who may see it.
    pub visibility: Visibility,
}

// The outbox.

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewMail {
    /// The template it came from (`sendpasswd`, `welcome`, ...).
    pub kind: String,
    /// The list concerned, if any.
    pub list: Option<ListId>,
    /// The envelope sender.
    pub envelope_from: String,
    /// The envelope recipients.
    pub recipients: Vec<String>,
    /// The RFC 5322 bytes.
    pub message: Vec<u8>,
}

/// A message a sender has claimed and must now try.
#[derive(Debug, Clone)]
pub struct ClaimedMail {
    /// Its row id.
    pub id: i64,
    /// The template it came from.
    pub kind: String,
    /// The envelope sender.
    pub envelope_from: String,
    /// The envelope recipients.
    pub recipients: Vec<String>,
    /// The RFC 5322 bytes.
    pub message: Vec<u8>,
    /// Tries before this one.
    pub attempts: u32,
    /// When it was queued, in seconds since the epoch.
    pub created_at: i64,
}

/// How many messages are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    /// Waiting (first try or a retry).
    pub pending: u64,
    /// Claimed by a sender right now.
    pub sending: u64,
    /// Handed to the MTA.
    pub sent: u64,
    /// Given up.
    pub failed: u64,
}

// List distribution: deliveries and their recipients.

/// What became of one recipient of a delivery (`delivery_rcpts.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RcptState {
    /// Never tried yet.
    Pending,
    /// Claimed by a sender right now.
    Sending,
    /// The MTA took it (a 2xx after DATA).
    Sent,
    /// Not taken for now (a 4xx, or no MTA): tried again later.
    Deferred,
    /// Refused for good (a 5xx), or deferred past `mail_retry_period`.
    Failed,
}

impl RcptState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RcptState::Pending => "pending",
            RcptState::Sending => "sending",
            RcptState::Sent => "sent",
            RcptState::Deferred => "deferred",
            RcptState::Failed => "failed",
        }
    }

    /// Parses the stored name.
    pub fn parse(text: &str) -> Option<RcptState> {
        Some(match text {
            "pending" => RcptState::Pending,
            "sending" => RcptState::Sending,
            "sent" => RcptState::Sent,
            "deferred" => RcptState::Deferred,
            "failed" => RcptState::Failed,
            _ => return None,
        })
    }
}

/// A post being delivered, with what the sender needs of its archived message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// Its row id.
    pub id: i64,
    /// The list.
    pub list: ListId,
    /// The archived message (`Db::archived_raw`).
    pub message: i64,
    /// Personalized or bulk, as the list said when the post was queued.
    pub mode: crate::domain::DeliveryMode,
    /// When it was queued, in seconds since the epoch.
    pub created_at: i64,
    /// The archived message's month (for `Archived-At`).
    pub month: Month,
    /// Its Sympa permalink id (for `Archived-At`).
    pub permalink: String,
    /// Its author's address as the archive read it (lowercased), if any.
    pub from_addr: Option<String>,
    /// Its author's display name, decoded, if any.
    pub from_name: Option<String>,
}

/// A recipient row a sender has claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedRcpt {
    /// Its row id (the VERP token names it).
    pub id: i64,
    /// Its delivery.
    pub delivery: i64,
    /// The address.
    pub email: String,
    /// The address's domain.
    pub domain: String,
    /// Tries before this one.
    pub attempts: u32,
}

/// The outcome of one try for one recipient, as a sender records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RcptOutcome {
    /// The recipient row.
    pub id: i64,
    /// `Sent`, `Deferred` or `Failed`.
    pub state: RcptState,
    /// For `Deferred`: when to try again, in seconds since the epoch.
    pub retry_at: i64,
    /// The MTA's reply code (`None` when there was no reply: no MTA, a timeout).
    pub code: Option<u16>,
    /// The MTA's reply text, or what went wrong.
    pub text: String,
}

/// One recipient row as bounce handling and tools read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRcpt {
    /// Its row id.
    pub id: i64,
    /// Its delivery.
    pub delivery: i64,
    /// The delivery's list.
    pub list: ListId,
    /// The archived message delivered.
    pub message: i64,
    /// The address.
    pub email: String,
    /// Where it stands.
    pub state: RcptState,
    /// Tries so far.
    pub attempts: u32,
    /// The MTA's last reply code, if any.
    pub last_code: Option<u16>,
    /// The MTA's last reply text, or what went wrong.
    pub last_text: Option<String>,
    /// When the row last changed (for a failed row: when it failed), seconds since the epoch.
    pub updated_at: i64,
}

/// How many recipients of a delivery (or of all) are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryCounts {
    /// Never tried.
    pub pending: u64,
    /// Claimed now.
    pub sending: u64,
    /// Taken by the MTA.
    pub sent: u64,
    /// Waiting for a retry.
    pub deferred: u64,
    /// Given up.
    pub failed: u64,
}

// Members and held requests.

/// What `add_member` needs.
#[derive(Debug, Clone)]
pub struct NewMember {
    /// The address.
    pub email: Email,
    /// The display name.
    pub name: String,
    /// How messages are received.
    pub reception: ReceptionMode,
    /// Who sees the member.
    pub visibility: MemberVisibility,
    /// Custom attributes.
    pub custom_attributes: BTreeMap<String, String>,
}

impl NewMember {
    /// A member with the default options.
    pub fn new(email: Email) -> NewMember {
        NewMember {
            email,
            name: String::new(),
            reception: ReceptionMode::Mail,
            visibility: MemberVisibility::Noconceal,
            custom_attributes: BTreeMap::new(),
        }
    }
}

/// What `create_pending` needs; the key arrives hashed.
#[derive(Debug, Clone)]
pub struct NewPending {
    /// SHA-256 of the confirmation key.
    pub key_hash: String,
    /// The list.
    pub list: ListId,
    /// `subscribe`, `signoff`, `add`, `del`.
    pub kind: String,
    /// The address concerned.
    pub email: Email,
    /// Who asked, if known.
    pub requested_by: Option<Email>,
    /// `confirm` (waits for the address's owner) or `owner` (waits for a list owner).
    pub state: String,
    /// Extra data (name, custom attributes, ...).
    pub data: serde_json::Value,
    /// Lifetime in seconds.
    pub ttl: i64,
}

/// A held request.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingRecord {
    /// Its row id.
    pub id: i64,
    /// The list.
    pub list: ListId,
    /// `subscribe`, `signoff`, `add`, `del`.
    pub kind: String,
    /// The address concerned.
    pub email: Email,
    /// Who asked, if known.
    pub requested_by: Option<Email>,
    /// `confirm` or `owner`.
    pub state: String,
    /// Extra data.
    pub data: serde_json::Value,
    /// When it was made.
    pub created_at: i64,
}

// Review pages.

/// How review pages are sorted (Sympa's `sortby`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberSort {
    /// By address.
    Email,
    /// By display name, then address.
    Name,
    /// By subscription date, oldest first, then address.
    Date,
}

impl MemberSort {
    /// Parses Sympa's `sortby` words; anything else is by address.
    pub fn parse(text: &str) -> MemberSort {
        match text {
            "name" | "gecos" => MemberSort::Name,
            "date" | "subscribed" => MemberSort::Date,
            _ => MemberSort::Email,
        }
    }

    /// The word in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberSort::Email => "email",
            MemberSort::Name => "name",
            MemberSort::Date => "date",
        }
    }
}

/// Which members a review page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberQuery<'a> {
    /// Only members whose address or name contains this (case-insensitive).
    pub filter: Option<&'a str>,
    /// Include members who asked to be concealed (owners only).
    pub include_concealed: bool,
    /// Sort order.
    pub sort: MemberSort,
    /// Rows skipped.
    pub offset: u64,
    /// Rows returned.
    pub limit: u64,
}

// The audit log.

/// An owner or moderator with everything `edit` shows and changes (Sympa's admin entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminEntry {
    /// The address.
    pub email: Email,
    /// Owner or moderator.
    pub role: AdminRole,
    /// A privileged owner (always false for moderators).
    pub privileged: bool,
    /// The display name (Sympa's gecos).
    pub name: String,
    /// Whether they get the admin notices: `Mail` or `NoMail`.
    pub reception: ReceptionMode,
    /// Whether they are shown on the list's page.
    pub visibility: MemberVisibility,
    /// A private note about them (Sympa's `info`), for the other owners.
    pub info: String,
}

/// An audit row as read back: (actor, action, target).
pub type AuditLine = (Option<String>, String, Option<String>);

/// What [`crate::store::Db::audit_page`] looks for: the rows of one list (or of every
/// list with `None`), each filter optional, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery<'a> {
    /// The list.
    pub list: Option<ListId>,
    /// Rows at or after this time (seconds since the epoch).
    pub since: Option<i64>,
    /// Rows before this time.
    pub until: Option<i64>,
    /// Rows of this action only (`add`, `del`, `savefile`, ...).
    pub action: Option<&'a str>,
    /// Rows whose target address contains this text (lowercase).
    pub target: Option<&'a str>,
    /// Rows whose actor address contains this text (lowercase).
    pub actor: Option<&'a str>,
    /// Rows from exactly this client address (in its canonical text form).
    pub remote_addr: Option<&'a str>,
    /// Rows whose client address starts with this text (`192.0.2.`, `2001:db8:`).
    pub remote_prefix: Option<&'a str>,
    /// Rows skipped (paging).
    pub offset: u64,
    /// Rows returned at most.
    pub limit: u64,
}

/// One row of the audit log, whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Its id.
    pub id: i64,
    /// When, in seconds since the epoch.
    pub at: i64,
    /// The requester's address; `None` when anonymous or at the shell.
    pub actor: Option<String>,
    /// The client address.
    pub remote_addr: Option<String>,
    /// `web`, `soap`, `api`, `cli` or `mail`.
    pub channel: String,
    /// What was done.
    pub action: String,
    /// The address acted upon.
    pub target: Option<String>,
    /// The rest, as JSON text.
    pub detail: String,
}

/// A text an owner or a listmaster saved (Sympa's `editfile`): a list's, or the site's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRecord {
    /// Its name (`info`, `welcome.tt2`, `message_footer`, ...).
    pub name: String,
    /// What was typed, as it was typed.
    pub body: String,
    /// Who saved it last; `None` from the shell.
    pub updated_by: Option<String>,
    /// When, in seconds since the epoch.
    pub updated_at: i64,
}

/// One line of the audit log: who changed what.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    /// The requester, if known.
    pub actor: Option<&'a Email>,
    /// The client address.
    pub remote_addr: Option<String>,
    /// `web`, `soap` or `cli`.
    pub channel: &'a str,
    /// What was done (`login`, `setpasswd`, `subscribe`, ...).
    pub action: &'a str,
    /// The list concerned.
    pub list: Option<ListId>,
    /// The address acted upon.
    pub target: Option<&'a Email>,
    /// Anything else worth keeping.
    pub detail: serde_json::Value,
}

// Archives.

/// What `archive_message` stores: the original bytes and what was read from them.
#[derive(Debug, Clone)]
pub struct NewArchived<'a> {
    /// The list whose archive keeps it.
    pub list: ListId,
    /// The original RFC 5322 bytes, kept exactly (the store compresses them).
    pub raw: &'a [u8],
    /// Its Message-ID without `<>` (a synthesized one when it had none).
    pub message_id: &'a str,
    /// Sympa's permalink id of that Message-ID (base64url of its MD5, 22 characters).
    pub permalink: &'a str,
    /// HyperKitty's hash of that Message-ID (base32 of its SHA-1, 32 characters).
    pub hyperkitty: &'a str,
    /// The Message-IDs it refers to (References, then In-Reply-To), oldest first, without
    /// `<>`, without duplicates or itself; the last is its parent.
    pub references: &'a [String],
    /// The sender's address, as written (may be empty).
    pub from_addr: &'a str,
    /// The sender's display name (may be empty).
    pub from_name: &'a str,
    /// The decoded subject.
    pub subject: &'a str,
    /// Its date: the Date header when sane, else the arrival; seconds since the epoch.
    pub date: i64,
    /// When it arrived (or was imported), in seconds since the epoch.
    pub arrived_at: i64,
    /// The archive month it belongs to (of arrival, or the source's for an import).
    pub month: Month,
    /// The MHonArc number to keep (`msgNNNNN.html`, from an imported Sympa archive); `None`
    /// gives the next number of the list's month.
    pub legacy_seq: Option<u32>,
    /// How many attachments it has.
    pub attachments: u32,
    /// What the search index holds of it.
    pub index: &'a IndexText,
    /// The version of the extractor that made `index`.
    pub extract_version: u32,
    /// Its state (`Visible` for list mail and imports).
    pub state: ArchivedState,
}

/// What `archive_message` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Archived {
    /// Stored as a new message.
    Stored(ArchivedRef),
    /// The same bytes were already in this list's archive: nothing was added (an import run
    /// twice, a message delivered twice).
    Duplicate(ArchivedRef),
}

impl Archived {
    /// The message, new or already there.
    pub fn message(self) -> ArchivedRef {
        match self {
            Archived::Stored(message) | Archived::Duplicate(message) => message,
        }
    }
}

/// Where an archived message is: its id and its place in Sympa's URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchivedRef {
    /// Its row id: increases with arrival, so newest first is by id.
    pub id: i64,
    /// Its month.
    pub month: Month,
    /// Its number in the list's month (`msgNNNNN.html`), from 0.
    pub seq: u32,
}

/// An archived message as indexes and pages show it, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedSummary {
    /// Its row id.
    pub id: i64,
    /// Its list.
    pub list: ListId,
    /// Its month.
    pub month: Month,
    /// Its number in the month (`msgNNNNN.html`).
    pub seq: u32,
    /// Its thread.
    pub thread: i64,
    /// Its Message-ID, without `<>`.
    pub message_id: String,
    /// Sympa's permalink id.
    pub permalink: String,
    /// The Message-ID of its parent (the last of its references), seen or not.
    pub parent: Option<String>,
    /// The sender's address.
    pub from_addr: String,
    /// The sender's display name.
    pub from_name: String,
    /// The decoded subject.
    pub subject: String,
    /// Its date, in seconds since the epoch.
    pub date: i64,
    /// When it arrived, in seconds since the epoch.
    pub arrived_at: i64,
    /// Its size in bytes, uncompressed.
    pub size: u64,
    /// How many attachments it has.
    pub attachments: u32,
    /// Its state.
    pub state: ArchivedState,
}

/// One node of a thread: a message, or a Message-ID that messages refer to but the archive
/// has not seen (a placeholder for an unseen parent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadNode {
    /// The Message-ID, without `<>`.
    pub message_id: String,
    /// The Message-ID of its parent in the thread, if it has one.
    pub parent: Option<String>,
    /// The message, when the archive has it (and it is not deleted).
    pub message: Option<ArchivedSummary>,
}

/// A thread as month pages list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadSummary {
    /// Its id.
    pub id: i64,
    /// The subject of its first message.
    pub subject: String,
    /// Its visible messages, in every month.
    pub messages: u64,
    /// The date of its first and of its last visible message.
    pub first: i64,
    /// See `first`.
    pub last: i64,
}

/// How a permalink names a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKey<'a> {
    /// By Message-ID, without `<>`.
    MessageId(&'a str),
    /// By Sympa's permalink id.
    Permalink(&'a str),
    /// By HyperKitty's hash.
    HyperKitty(&'a str),
}

/// Where a search looks and which page of results it wants.
#[derive(Debug, Clone)]
pub struct ArchiveSearch<'a> {
    /// The lists searched (the requester may read each one's archive); never empty.
    pub lists: &'a [ListId],
    /// The query.
    pub query: &'a SearchQuery,
    /// The order asked for.
    pub order: SearchOrder,
    /// Only messages with an id below this one (the next page of a newest-first search).
    pub before: Option<i64>,
    /// Messages skipped (relevance order only).
    pub offset: u64,
    /// The most messages returned.
    pub limit: u64,
}

/// Which messages an export walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveScope {
    /// One month.
    Month(Month),
    /// One thread, across months.
    Thread(i64),
}

/// A message with its bytes (`None` once deleted), as reindexing reads them.
pub type StoredMessage = (ArchivedSummary, Option<Vec<u8>>);

// List mail.

/// A post to hold for moderation (`Db::hold_message`), in the transaction that archived it
/// in the held state.
#[derive(Debug, Clone)]
pub struct NewHeld<'a> {
    /// The archived message (state `Held`).
    pub message: i64,
    /// Its list.
    pub list: ListId,
    /// Its sender as the message gives it; `None` when it has no usable From.
    pub sender: Option<&'a Email>,
    /// Why it is held.
    pub reasons: &'a [HoldReason],
    /// SHA-256 (hex) of its moderation key, Sympa's modkey.
    pub key_hash: &'a str,
    /// When it was held.
    pub held_at: i64,
    /// When it expires if nobody decides.
    pub expires_at: i64,
}

// Bounces and digests.

/// A message to a bounce address kept as evidence (`Db::record_bounce`).
#[derive(Debug, Clone)]
pub struct NewBounce<'a> {
    /// The list, when known.
    pub list: Option<ListId>,
    /// The address it is about, when one is named.
    pub email: Option<&'a str>,
    /// When it came.
    pub received_at: i64,
    /// What it was: `hard`, `soft`, `policy`, `not_a_failure`, `complaint`, `unattributed`.
    pub outcome: &'a str,
    /// The enhanced status code, when given.
    pub status: Option<&'a str>,
    /// The remote server's words.
    pub diagnostic: &'a str,
    /// Its bytes (the store keeps at most [`BOUNCE_KEPT_BYTES`] of them, compressed).
    pub raw: &'a [u8],
}

/// The most bytes of a bounce kept as evidence.
pub const BOUNCE_KEPT_BYTES: usize = 256 * 1024;

/// A kept bounce.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BounceRecord {
    /// Its id.
    pub id: i64,
    /// The list, when known.
    pub list: Option<ListId>,
    /// The address it is about, when one was named.
    pub email: Option<String>,
    /// When it came.
    pub received_at: i64,
    /// What it was (see [`NewBounce::outcome`]).
    pub outcome: String,
    /// The enhanced status code, when given.
    pub status: Option<String>,
    /// The remote server's words.
    pub diagnostic: String,
    /// Its whole size in bytes.
    pub size: u64,
}

/// A member with a bounce score, for the owners' `reviewbouncing` page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BouncingMember {
    /// The member's address.
    pub email: Email,
    /// The member's name.
    pub name: String,
    /// The score and its dates.
    pub record: BounceScore,
    /// The last bounce, when still kept.
    pub last: Option<BounceRecord>,
}

/// A member's bounce record, for the periodic job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BounceDue {
    /// The list.
    pub list: ListId,
    /// The member.
    pub email: Email,
    /// The record.
    pub record: BounceScore,
    /// The list's policy.
    pub settings: BounceSettings,
}

/// Where a list's digests stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DigestState {
    /// The last archived message digested (its id).
    pub last_message: i64,
    /// The last scheduled moment handled.
    pub last_slot: i64,
    /// How many digests went out.
    pub issues: i64,
}

/// A held post as the moderators' pages and notices show it: its `held_messages` row with
/// what the archive keeps of the message (`Db::held_message`, `Db::held_queue`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldRecord {
    /// The archived message's id.
    pub message: i64,
    /// Its list.
    pub list: ListId,
    /// Its sender as the message gave it (lowercased address), if it had a usable one.
    pub sender: Option<String>,
    /// The sender's display name, from the archive (may be empty).
    pub from_name: String,
    /// Its decoded subject, from the archive.
    pub subject: String,
    /// Its size in bytes.
    pub size: u64,
    /// How many attachments it has.
    pub attachments: u32,
    /// Its archive month.
    pub month: Month,
    /// Its number in the month.
    pub seq: u32,
    /// Why it is held.
    pub reasons: Vec<HoldReason>,
    /// When it was held.
    pub held_at: i64,
    /// When it expires if nobody decides.
    pub expires_at: i64,
    /// When the moderators were reminded of it, if they were.
    pub reminded_at: Option<i64>,
    /// What was decided (`distributed`, `rejected`, `discarded`, `withdrawn`, `expired`),
    /// by whom and when; `None` while it waits.
    pub decided: Option<HeldDecision>,
}

/// What was decided for a held post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldDecision {
    /// `distributed`, `rejected`, `discarded`, `withdrawn` or `expired`.
    pub decision: String,
    /// Who decided, when known (a moderator's address, the sender's; `None` for expiry or
    /// a key whose holder is not known).
    pub by: Option<String>,
    /// When.
    pub at: i64,
    /// The reason given to the sender, if any.
    pub note: String,
}

/// What a list's held posts say of one sender (`Db::sender_held_history`), this post left
/// out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HeldHistory {
    /// Earlier posts of theirs still waiting.
    pub waiting: u64,
    /// Earlier held posts of theirs that moderators distributed.
    pub distributed: u64,
    /// Earlier held posts of theirs that were rejected or discarded.
    pub rejected: u64,
    /// Earlier held posts of theirs that they withdrew or that expired.
    pub dropped: u64,
}

/// What a mailed moderation key opens (`Db::held_by_key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedHeld {
    /// The held post.
    pub held: HeldRecord,
    /// To whom the key was mailed, when it was mailed to one person (a moderator's digest,
    /// the sender's withdraw link); `None` for the post's shared key (Sympa's modkey).
    pub holder: Option<String>,
}

/// A moderator whose digest of held posts is due (`Db::due_moderation_digests`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDigest {
    /// The list.
    pub list: ListId,
    /// The moderator.
    pub email: String,
}

/// When a list was made and when it last received a post (`Db::list_activity`): what the
/// listmaster's reports of the newest and the inactive lists sort on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListActivity {
    /// The list.
    pub list: ListId,
    /// When it was created, in seconds since the epoch.
    pub created_at: i64,
    /// When its archive last received a message (whatever its state now), if ever.
    pub last_post_at: Option<i64>,
}
