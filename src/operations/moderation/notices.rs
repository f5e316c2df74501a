//! The mail of moderation: the moderators' notice of a held post (with the post attached
//! when small), their digests and reminders, and the sender's notices (held, rejected,
//! expired). Composed in the caller's transaction; nothing is sent here.

use serde_json::{json, Value};

use crate::domain::{AdminRole, Email, List};
use crate::mail::ListContext;
use crate::store::HeldRecord;

use super::{key_hash, Tx, HELD_NOTICES_PER_SENDER, REJECT_NOTICES_PER_SENDER};
use crate::operations::Error;

/// The largest post attached to a moderator's notice (as `message/rfc822`, as Sympa does),
/// in bytes: 512 KiB. A larger one is left out, and the notice says to look at it on the
/// web (a moderator's mailbox is not a place for every 10 MB attachment sent to a list).
pub const ATTACH_MAX: usize = 512 * 1024;

/// The most header bytes looked at to tell an automatic message.
const HEADER_SCAN_MAX: usize = 64 * 1024;

/// Who moderates `list`: its moderators, or its owners when it has none (as Sympa).
pub(super) fn moderators(tx: &Tx<'_, '_>, list: &List) -> Result<Vec<Email>, Error> {
    let admins = tx.db.admins(list.id)?;
    let editors: Vec<Email> = admins
        .iter()
        .filter(|a| a.role == AdminRole::Editor)
        .map(|a| a.email.clone())
        .collect();
    if !editors.is_empty() {
        return Ok(editors);
    }
    Ok(admins
        .into_iter()
        .filter(|a| a.role == AdminRole::Owner)
        .map(|a| a.email)
        .collect())
}

fn context(list: &List) -> ListContext<'_> {
    ListContext {
        list,
        oneclick_url: None,
    }
}

/// What a notice says of a held post and its sender: subject, sender, reasons, size, the
/// sender's membership, rule and earlier held posts on the list.
fn post_vars(tx: &Tx<'_, '_>, list: &List, held: &HeldRecord) -> Result<Value, Error> {
    let sender = held.sender.as_deref().and_then(|s| Email::parse(s).ok());
    let (member, rule, history) = match &sender {
        Some(sender) => (
            tx.db.member(list.id, sender)?.is_some(),
            tx.db.sender_rule(list.id, sender)?,
            tx.db
                .sender_held_history(list.id, sender.as_str(), held.message)?,
        ),
        None => (false, None, Default::default()),
    };
    Ok(json!({
        "subject": held.subject,
        "sender": held.sender,
        "sender_name": held.from_name,
        "reasons": held.reasons,
        "size": held.size,
        "attachments": held.attachments,
        "held_at": held.held_at,
        "expires": held.expires_at,
        "member": member,
        "rule": rule,
        "history": {
            "waiting": history.waiting,
            "distributed": history.distributed,
            "rejected": history.rejected,
            "dropped": history.dropped,
        },
    }))
}

/// The links and mail commands of one key for one post.
fn key_vars(tx: &Tx<'_, '_>, list: &List, key: &str) -> Value {
    let config = tx.composer.config;
    let base = config.base_url();
    let name = list.name.as_str();
    json!({
        "distribute_url": format!("{base}/distribute/{name}/{key}"),
        "reject_url": format!("{base}/reject/{name}/{key}"),
        "command_address": config.service_address(),
        "distribute_command": format!("DISTRIBUTE {name} {key}"),
        "reject_command": format!("REJECT {name} {key}"),
    })
}

fn merge(mut into: Value, from: Value) -> Value {
    if let (Value::Object(into), Value::Object(from)) = (&mut into, from) {
        into.extend(from);
    }
    into
}

/// Tells each moderator of a newly held post: at once (`moderate`) with a key of their own
/// (so that a decision by its link records who took it), or by queueing it for their digest.
pub(super) fn tell_moderators(
    tx: &mut Tx<'_, '_>,
    list: &List,
    held: &HeldRecord,
    raw: &[u8],
    now: i64,
) -> Result<(), Error> {
    let moderators = moderators(tx, list)?;
    if moderators.is_empty() {
        log::warn!(
            "{}: a post is held but the list has neither moderators nor owners",
            list.address()
        );
        return Ok(());
    }
    let base = tx.composer.config.base_url().to_string();
    let vars = merge(
        post_vars(tx, list, held)?,
        json!({
            "modindex_url": format!("{base}/modindex/{}", list.name),
            "waiting": tx.db.held_count(list.id)?,
        }),
    );
    for moderator in moderators {
        if tx
            .db
            .moderator_digest_minutes(list.id, moderator.as_str())?
            > 0
        {
            tx.db
                .queue_moderation_digest(list.id, moderator.as_str(), held.message, now)?;
            continue;
        }
        let key = crate::auth::random_token()?;
        tx.db.add_moderation_key(
            &key_hash(&key),
            held.message,
            moderator.as_str(),
            "moderate",
            now,
        )?;
        let vars = merge(vars.clone(), key_vars(tx, list, &key));
        let mail = notice_with_post(tx, list, &moderator, vars, raw);
        tx.queue(mail)?;
    }
    Ok(())
}

/// `moderate` to `to`, with the post attached when it is small enough and can travel as
/// 8bit; otherwise the notice says why it is not attached.
fn notice_with_post(
    tx: &Tx<'_, '_>,
    list: &List,
    to: &Email,
    vars: Value,
    raw: &[u8],
) -> Result<crate::store::NewMail, crate::mail::Error> {
    let composer = tx.composer;
    if raw.is_empty() {
        return composer.compose(
            "moderate",
            to,
            Some(&context(list)),
            merge(
                vars,
                json!({ "attached": false, "not_attached": "unreadable" }),
            ),
        );
    }
    if raw.len() > ATTACH_MAX {
        return composer.compose(
            "moderate",
            to,
            Some(&context(list)),
            merge(vars, json!({ "attached": false, "not_attached": "large" })),
        );
    }
    match composer.compose_with_message(
        "moderate",
        to,
        Some(&context(list)),
        merge(vars.clone(), json!({ "attached": true })),
        raw,
    ) {
        Err(crate::mail::Error::Build(_)) => composer.compose(
            "moderate",
            to,
            Some(&context(list)),
            merge(
                vars,
                json!({ "attached": false, "not_attached": "encoding" }),
            ),
        ),
        other => other,
    }
}

/// The entries of a digest or a reminder for `moderator`: each post with a key of its own
/// mailed to that moderator (only its hash is kept), so that the decision records who took
/// it.
pub(super) fn keyed_entries(
    tx: &Tx<'_, '_>,
    list: &List,
    moderator: &Email,
    posts: &[HeldRecord],
    now: i64,
) -> Result<Vec<Value>, Error> {
    let mut entries = Vec::with_capacity(posts.len());
    for held in posts {
        let key = crate::auth::random_token()?;
        tx.db.add_moderation_key(
            &key_hash(&key),
            held.message,
            moderator.as_str(),
            "moderate",
            now,
        )?;
        entries.push(merge(post_vars(tx, list, held)?, key_vars(tx, list, &key)));
    }
    Ok(entries)
}

/// `mod_digest` or `mod_reminder` (`kind`) to `moderator` with `entries`.
pub(super) fn tell_moderator_many(
    tx: &mut Tx<'_, '_>,
    kind: &str,
    list: &List,
    moderator: &Email,
    entries: Vec<Value>,
) -> Result<(), Error> {
    let base = tx.composer.config.base_url().to_string();
    let waiting = tx.db.held_count(list.id)?;
    let count = entries.len();
    let mail = tx.composer.compose(
        kind,
        moderator,
        Some(&context(list)),
        json!({
            "posts": entries,
            "count": count,
            "waiting": waiting,
            "modindex_url": format!("{base}/modindex/{}", list.name),
        }),
    );
    tx.queue(mail)
}

/// The sender of `held` if they may be told about it: an address that is not the null
/// sender, not a mail robot's, not one of ours, of a message that is not automatic
/// (`Auto-Submitted` other than `no`, `Precedence: bulk/junk/list`), and within `limit`.
fn tellable_sender(
    tx: &Tx<'_, '_>,
    list: &List,
    held: &HeldRecord,
    raw: &[u8],
    limit: &crate::operations::limits::Limit,
) -> Result<Option<Email>, Error> {
    let Some(sender) = held.sender.as_deref().and_then(|s| Email::parse(s).ok()) else {
        return Ok(None);
    };
    let address = sender.as_str();
    let local = address.split('@').next().unwrap_or("");
    let robot = [
        "mailer-daemon",
        "postmaster",
        "noreply",
        "no-reply",
        "bounce",
    ]
    .iter()
    .any(|r| {
        local == *r || local.starts_with(&format!("{r}+")) || local.starts_with(&format!("{r}-"))
    });
    let ours = address.ends_with(&format!("@{}", list.domain))
        && (local == tx.composer.config.email || local.starts_with(list.name.as_str()));
    if robot || ours || is_automatic(raw) {
        return Ok(None);
    }
    let hits = tx.db.rate_limit_hit(limit.bucket, address, limit.window)?;
    if hits > limit.max {
        log::warn!(
            "{}: {address} sent too many held posts lately; not told",
            list.address()
        );
        return Ok(None);
    }
    Ok(Some(sender))
}

/// Returns true if and only if `raw`'s header says it was sent by a program: an
/// `Auto-Submitted` other than `no` (RFC 3834), or `Precedence: bulk, junk or list`.
pub(super) fn is_automatic(raw: &[u8]) -> bool {
    let header = &raw[..raw.len().min(HEADER_SCAN_MAX)];
    let mut current: Vec<u8> = Vec::new();
    let mut fields = Vec::new();
    for line in header.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if matches!(line.first(), Some(b' ' | b'\t')) {
            current.extend_from_slice(line);
        } else {
            if !current.is_empty() {
                fields.push(std::mem::take(&mut current));
            }
            current.extend_from_slice(line);
        }
    }
    if !current.is_empty() {
        fields.push(current);
    }
    fields.iter().any(|field| {
        let text = String::from_utf8_lossy(field);
        let Some((name, value)) = text.split_once(':') else {
            return false;
        };
        let value = value.trim().to_ascii_lowercase();
        match name.trim().to_ascii_lowercase().as_str() {
            "auto-submitted" => !value.starts_with("no"),
            "precedence" => ["bulk", "junk", "list"]
                .iter()
                .any(|p| value.starts_with(p)),
            _ => false,
        }
    })
}

/// `mod_held`: tells the sender their post waits for a moderator, with a withdraw link
/// carrying a key of its own.
pub(super) fn tell_sender_held(
    tx: &mut Tx<'_, '_>,
    list: &List,
    held: &HeldRecord,
    raw: &[u8],
    now: i64,
) -> Result<(), Error> {
    let Some(sender) = tellable_sender(tx, list, held, raw, &HELD_NOTICES_PER_SENDER)? else {
        return Ok(());
    };
    let key = crate::auth::random_token()?;
    tx.db.add_moderation_key(
        &key_hash(&key),
        held.message,
        sender.as_str(),
        "withdraw",
        now,
    )?;
    let base = tx.composer.config.base_url();
    let vars = json!({
        "subject": held.subject,
        "reasons": held.reasons,
        "expires": held.expires_at,
        "withdraw_url": format!("{base}/withdraw/{}/{key}", list.name),
    });
    let mail = tx
        .composer
        .compose("mod_held", &sender, Some(&context(list)), vars);
    tx.queue(mail)
}

/// `reject`: tells the sender their post was `kind` (`rejected` by a moderator, with
/// `note` when given, or `expired`).
pub(super) fn tell_sender_rejected(
    tx: &mut Tx<'_, '_>,
    list: &List,
    held: &HeldRecord,
    raw: &[u8],
    kind: &str,
    note: &str,
) -> Result<(), Error> {
    let Some(sender) = tellable_sender(tx, list, held, raw, &REJECT_NOTICES_PER_SENDER)? else {
        return Ok(());
    };
    let vars = json!({
        "subject": held.subject,
        "kind": kind,
        "note": note,
        "held_at": held.held_at,
    });
    let mail = tx
        .composer
        .compose("reject", &sender, Some(&context(list)), vars);
    tx.queue(mail)
}
