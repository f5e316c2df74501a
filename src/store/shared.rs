//! What both backends say and read the same way: the column lists and orders of their queries, and the records made from plain column values.

use crate::domain::{Email, ListName, Membership, MembershipBounce, Role, User};
use crate::store::{DeliveryCounts, MemberSort, OutboxCounts, UserRecord};

/// The columns a list is read from, for `FROM lists l JOIN domains d`.
/// [`LIST_COLUMNS`] as a literal, for statements written with `concat!` (the list reads
/// are on every page: their SQL is not formatted again at each call).
macro_rules! list_columns {
    () => {
        "l.id, l.name, d.name, l.subject, l.description, l.topics, l.visibility,
     l.subscribe_policy, l.unsubscribe_policy, l.review_policy, l.archive_access, l.status,
     l.member_count, l.lang"
    };
}
pub(super) use list_columns;

/// The columns a list is read from.
pub(super) const LIST_COLUMNS: &str = list_columns!();

/// The columns a member is read from.
pub(super) const MEMBER_COLUMNS: &str =
    "email, name, reception, visibility, custom_attributes, subscribed_at, updated_at";

/// The columns a held request is read from.
pub(super) const PENDING_COLUMNS: &str =
    "id, list_id, kind, email, requested_by, state, data, created_at";

/// The `ORDER BY` of a sort, each served by an index of the `003_review` migration.
pub(super) fn order_by(sort: MemberSort) -> &'static str {
    match sort {
        MemberSort::Email => "email",
        MemberSort::Name => "name, email",
        MemberSort::Date => "subscribed_at, email",
    }
}

/// The comma-separated words of a stored list (topics, recipients), empty ones left out.
pub(super) fn split_commas(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// A row of `memberships`: the stored role and privilege as the role shown.
pub(super) fn membership_role(role: &str, privileged: bool) -> Role {
    match (role, privileged) {
        ("owner", true) => Role::PrivilegedOwner,
        ("owner", false) => Role::Owner,
        ("editor", _) => Role::Moderator,
        _ => Role::Subscriber,
    }
}

/// A membership's bounce data from its record's columns: count, first and last times, the
/// last bounce's status code, the score (`None` when nothing was counted).
pub(super) fn membership_bounce(
    count: i64,
    first_at: i64,
    last_at: i64,
    code: Option<String>,
    score: i64,
) -> MembershipBounce {
    MembershipBounce {
        count: u32::try_from(count).unwrap_or(u32::MAX),
        first_at,
        last_at,
        code: code.filter(|c| !c.is_empty()),
        score: u32::try_from(score).ok().filter(|s| *s > 0),
    }
}

/// Adds one role row to `memberships` (rows come by list name): to the last membership when
/// it is the same list, else as a new one. The subscriber row brings the bounce data.
pub(super) fn push_membership(
    memberships: &mut Vec<Membership>,
    list: ListName,
    subject: String,
    role: Role,
    bounce: Option<MembershipBounce>,
) {
    match memberships.last_mut() {
        Some(last) if last.list == list => {
            last.roles.push(role);
            if bounce.is_some() {
                last.bounce = bounce;
            }
        }
        _ => memberships.push(Membership {
            list,
            subject,
            roles: vec![role],
            bounce,
        }),
    }
}

/// Counts `n` messages in `state` (`pending`, `sending`, `sent`; anything else is given up).
pub(super) fn count_state(counts: &mut OutboxCounts, state: &str, n: u64) {
    match state {
        "pending" => counts.pending = n,
        "sending" => counts.sending = n,
        "sent" => counts.sent = n,
        _ => counts.failed = n,
    }
}

/// Adds one `GROUP BY state` row of `delivery_rcpts` to the counts.
pub(super) fn count_rcpt_state(counts: &mut DeliveryCounts, state: &str, n: u64) {
    match state {
        "pending" => counts.pending = n,
        "sending" => counts.sending = n,
        "sent" => counts.sent = n,
        "deferred" => counts.deferred = n,
        _ => counts.failed = n,
    }
}

/// The account joined to a session (`LEFT JOIN users`): `None` when the session is anonymous
/// or its address has no account (every account column is then NULL).
pub(super) fn joined_account(
    email: Option<&Email>,
    name: Option<String>,
    lang: Option<String>,
    listmaster: Option<bool>,
    password_hash: Option<String>,
) -> Option<UserRecord> {
    match (email, name, lang, listmaster) {
        (Some(email), Some(name), Some(lang), Some(listmaster)) => Some(UserRecord {
            user: User {
                email: email.clone(),
                name,
                lang,
                listmaster,
                has_password: password_hash.is_some(),
            },
            password_hash,
        }),
        _ => None,
    }
}

/// The columns of a held post (`HeldRecord`), `h` the held row and `m` its archived message.
pub(super) const HELD_COLUMNS: &str = "h.message, h.list_id, h.sender, m.from_name, m.subject,
    m.size, m.attachments, h.reasons, h.held_at, h.expires_at, h.reminded_at, h.decided_at,
    h.decided_by, h.decision, h.note, m.month, m.seq";

/// What [`HELD_COLUMNS`] are read from.
pub(super) const HELD_FROM: &str = "held_messages h JOIN archive_messages m ON m.id = h.message";

/// A held post's stored reasons (`a,b`), in order.
pub(super) fn parse_reasons(text: &str) -> Vec<crate::domain::HoldReason> {
    text.split(',')
        .filter(|r| !r.is_empty())
        .map(crate::domain::HoldReason::parse)
        .collect()
}

/// Adds `count` held posts that became `decision` ("" while waiting) to `history`.
pub(super) fn add_to_history(history: &mut crate::store::HeldHistory, decision: &str, count: i64) {
    let count = count.max(0) as u64;
    match decision {
        "" => history.waiting += count,
        "distributed" => history.distributed += count,
        "rejected" | "discarded" => history.rejected += count,
        _ => history.dropped += count,
    }
}

/// An admin entry from its stored columns; `None` for a row edited by hand into something
/// unreadable (a bad address or role), which is skipped.
pub(crate) fn admin_entry(
    email: &str,
    role: &str,
    privileged: bool,
    name: String,
    reception: &str,
    visibility: &str,
    info: String,
) -> Option<crate::store::AdminEntry> {
    use crate::domain::{AdminRole, MemberVisibility, ReceptionMode};
    Some(crate::store::AdminEntry {
        email: Email::parse(email).ok()?,
        role: AdminRole::parse(role)?,
        privileged,
        name,
        reception: if reception == "nomail" {
            ReceptionMode::Nomail
        } else {
            ReceptionMode::Mail
        },
        visibility: MemberVisibility::parse(visibility),
        info,
    })
}

/// The stored reception of an admin entry: only `mail` and `nomail` exist for them.
pub(crate) fn admin_reception(mode: crate::domain::ReceptionMode) -> &'static str {
    if mode == crate::domain::ReceptionMode::Nomail {
        "nomail"
    } else {
        "mail"
    }
}
