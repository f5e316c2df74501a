//! Bounces: VERP tokens and delivery status notifications (RFC 3464 and the MTAs' older
//! formats) turned into per-member scores (Mailman's rule, [`crate::domain::bounce`]),
//! warnings and removal after the list's policy, and what the owners' `reviewbouncing` page
//! shows and resets.
//!
//! Who bounced: a VERP token (`LIST-owner+TOKEN@`, `bounce+TOKEN@`) names a recipient row of
//! a delivery ([`verp_recipient`]); its HMAC cannot be forged, so a bounce with a good token
//! is believed whatever its body says. Without a token, the DSN's failed recipients that are
//! members of the list are counted. A forged or unknown token counts nothing.
//!
//! Complaints (ARF feedback reports): with a good token the member is unsubscribed (no mail
//! to them, a notice to the owners), as a member who complains about list mail wants none;
//! without one the complaint is only kept and shown to the owners, because anyone can write
//! a feedback report naming someone else's address.
//!
//! Every bounce that is not plain mail is kept as evidence (`Db::record_bounce`: status,
//! diagnostic, date, the bytes compressed up to 256 KiB) for 90 days ([`KEEP_DAYS`]), and a
//! member's last one as long as their score lives.

mod review;
mod settings;

pub use review::{evidence, reset, review, BounceReview};
pub use settings::{policy, set_policy, MAX_DAYS, MAX_THRESHOLD, MAX_WARNINGS, MIN_THRESHOLD};

use serde_json::json;

use super::{Error, Tx};
use crate::archive::dsn::{self, Recipient, Report as Dsn, Verdict};
use crate::domain::bounce::{self, Counted, Due, Weight};
use crate::domain::{AdminRole, Email, List, ListId};
use crate::mail::{verp, ListContext};
use crate::store::{self, Db, NewBounce};

/// What a message to a list's bounce address was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BounceOutcome {
    /// A bounce (or a complaint) for a member: counted (the first member it named, when a
    /// report names several).
    Counted {
        /// The member.
        email: String,
    },
    /// A bounce that names nobody we know (or a forged token): kept for the owners, not
    /// counted.
    Unattributed,
    /// A report that counts against nobody: a delay, a spam or policy rejection, an
    /// automatic reply, a complaint without a token. Kept for the owners, not forwarded.
    Kept,
    /// Not a bounce (mail for the owners): the caller forwards it to the owners.
    NotABounce,
}

/// How long kept bounces stay (a member's last one stays while their score does), in days.
pub const KEEP_DAYS: i64 = 90;

/// The most bounce records one periodic run acts on; the rest wait for the next run.
pub const MAX_DUE_PER_RUN: u64 = 1000;

/// Handles a message sent to `LIST-owner[+TOKEN]` or `bounce+TOKEN`, in the caller's
/// transaction, at the present time. `list` is `None` for `bounce+TOKEN` (the token's
/// recipient row names it).
pub fn receive(
    tx: &mut Tx<'_, '_>,
    list: Option<&List>,
    token: Option<&str>,
    raw: &[u8],
) -> Result<BounceOutcome, Error> {
    receive_at(tx, list, token, raw, store::now())
}

/// [`receive`] at `now` (seconds since the epoch).
pub fn receive_at(
    tx: &mut Tx<'_, '_>,
    list: Option<&List>,
    token: Option<&str>,
    raw: &[u8],
    now: i64,
) -> Result<BounceOutcome, Error> {
    let report = dsn::read(raw);
    if let Some(token) = token {
        return match token_owner(tx.db, list, token)? {
            Some((list, email)) => by_token(tx, &list, &email, &report, raw, now),
            None => {
                if report == Dsn::Other {
                    // Mail for a person at a mistyped or stale address: the owners' still.
                    return Ok(BounceOutcome::NotABounce);
                }
                keep(
                    tx.db,
                    list.map(|l| l.id),
                    None,
                    "unattributed",
                    None,
                    raw,
                    now,
                )?;
                log::info!(
                    "bounce with an unknown or forged VERP token {token:?}: kept, not counted"
                );
                Ok(BounceOutcome::Unattributed)
            }
        };
    }
    let Some(list) = list else {
        keep(tx.db, None, None, "unattributed", None, raw, now)?;
        return Ok(BounceOutcome::Unattributed);
    };
    match &report {
        Dsn::Other => Ok(BounceOutcome::NotABounce),
        Dsn::AutoReply => Ok(BounceOutcome::Kept),
        Dsn::Complaint { recipients, .. } => {
            let email = recipients.first().map(String::as_str);
            keep(tx.db, Some(list.id), email, "complaint", None, raw, now)?;
            Ok(BounceOutcome::Kept)
        }
        Dsn::Delivery(recipients) => by_report(tx, list, recipients, raw, now),
    }
}

/// The list and member a token's recipient row names, if the token is good and the row is
/// still there (and, for `LIST-owner+TOKEN`, belongs to that list).
fn token_owner(
    db: &Db<'_>,
    list: Option<&List>,
    token: &str,
) -> Result<Option<(List, Email)>, Error> {
    let mut candidate = [0u8; 32];
    crate::auth::random_bytes(&mut candidate)?;
    let key = db.site_secret(verp::SECRET_NAME, &candidate)?;
    let Some(id) = verp::decode(&key, token) else {
        return Ok(None);
    };
    let Some((list_id, email)) = verp_recipient(db, id)? else {
        return Ok(None);
    };
    if list.is_some_and(|l| l.id != list_id) {
        return Ok(None);
    }
    Ok(db.list_by_id(list_id)?.map(|list| (list, email)))
}

/// The list and address of delivery recipient row `id`: the glue with distribution's
/// `delivery_rcpts` table (migration 009), which VERP tokens name.
pub fn verp_recipient(db: &Db<'_>, id: u64) -> Result<Option<(ListId, Email)>, Error> {
    let Ok(id) = i64::try_from(id) else {
        return Ok(None);
    };
    Ok(db
        .delivery_rcpt(id)?
        .and_then(|row| Email::parse(&row.email).ok().map(|email| (row.list, email))))
}

/// A bounce whose token named `email` on `list`.
fn by_token(
    tx: &mut Tx<'_, '_>,
    list: &List,
    email: &Email,
    report: &Dsn,
    raw: &[u8],
    now: i64,
) -> Result<BounceOutcome, Error> {
    let (weight, entry) = match report {
        Dsn::Other => return Ok(BounceOutcome::NotABounce),
        Dsn::AutoReply => return Ok(BounceOutcome::Kept),
        Dsn::Complaint { .. } => return complaint(tx, list, email, raw, now),
        Dsn::Delivery(recipients) => {
            // The entry about this address, else the report's first; a report that names
            // nobody readable came back to a token: a hard bounce, as Mailman counts it.
            let entry = recipients
                .iter()
                .find(|r| {
                    r.address == email.as_str() || r.original.as_deref() == Some(email.as_str())
                })
                .or(recipients.first());
            match entry.map(|e| e.verdict) {
                None | Some(Verdict::Hard) => (Some(Weight::Hard), entry),
                Some(Verdict::Soft) => (Some(Weight::Soft), entry),
                Some(Verdict::Policy | Verdict::NotAFailure) => (None, entry),
            }
        }
    };
    let outcome = match (weight, entry) {
        (Some(Weight::Hard), _) => "hard",
        (Some(Weight::Soft), _) => "soft",
        (None, Some(e)) => e.verdict.as_str(),
        (None, None) => "not_a_failure",
    };
    let id = keep_entry(tx.db, list.id, email.as_str(), outcome, entry, raw, now)?;
    match weight {
        Some(weight) => {
            count(tx, list, email, weight, id, now)?;
            Ok(BounceOutcome::Counted {
                email: email.as_str().to_string(),
            })
        }
        None => Ok(BounceOutcome::Kept),
    }
}

/// A delivery report without a token: its failed recipients that are members are counted.
fn by_report(
    tx: &mut Tx<'_, '_>,
    list: &List,
    recipients: &[Recipient],
    raw: &[u8],
    now: i64,
) -> Result<BounceOutcome, Error> {
    let mut first_counted: Option<String> = None;
    let mut kept: Option<i64> = None;
    let mut named_member = false;
    for entry in recipients {
        let mut member = None;
        for address in [Some(entry.address.as_str()), entry.original.as_deref()]
            .into_iter()
            .flatten()
        {
            if let Ok(email) = Email::parse(address) {
                if tx.db.member(list.id, &email)?.is_some() {
                    member = Some(email);
                    break;
                }
            }
        }
        let Some(email) = member else { continue };
        named_member = true;
        let weight = match entry.verdict {
            Verdict::Hard => Weight::Hard,
            Verdict::Soft => Weight::Soft,
            Verdict::Policy | Verdict::NotAFailure => {
                if kept.is_none() {
                    kept = Some(keep_entry(
                        tx.db,
                        list.id,
                        email.as_str(),
                        entry.verdict.as_str(),
                        Some(entry),
                        raw,
                        now,
                    )?);
                }
                continue;
            }
        };
        let id = keep_entry(
            tx.db,
            list.id,
            email.as_str(),
            entry.verdict.as_str(),
            Some(entry),
            raw,
            now,
        )?;
        count(tx, list, &email, weight, id, now)?;
        first_counted.get_or_insert_with(|| email.as_str().to_string());
    }
    if let Some(email) = first_counted {
        return Ok(BounceOutcome::Counted { email });
    }
    if named_member {
        return Ok(BounceOutcome::Kept);
    }
    let first = recipients.first();
    keep_entry(
        tx.db,
        list.id,
        first.map_or("", |r| r.address.as_str()),
        "unattributed",
        first,
        raw,
        now,
    )?;
    Ok(BounceOutcome::Unattributed)
}

/// Counts one bounce of `weight` (kept as bounce `id`) against `email`.
fn count(
    tx: &mut Tx<'_, '_>,
    list: &List,
    email: &Email,
    weight: Weight,
    id: i64,
    now: i64,
) -> Result<(), Error> {
    let settings = tx.db.bounce_settings(list.id)?;
    let before = tx.db.member_bounce(list.id, email)?;
    let (record, counted) = bounce::count(before, weight, now, &settings);
    tx.db.set_member_bounce(list.id, email, &record, Some(id))?;
    if counted == Counted::Disabled {
        tx.audit(
            "bounce_disable",
            Some(list),
            Some(email),
            json!({ "score": bounce::points(record.score) }),
        )?;
    }
    Ok(())
}

/// A complaint whose token named `email`: the member leaves without mail; the owners are told.
fn complaint(
    tx: &mut Tx<'_, '_>,
    list: &List,
    email: &Email,
    raw: &[u8],
    now: i64,
) -> Result<BounceOutcome, Error> {
    keep(
        tx.db,
        Some(list.id),
        Some(email.as_str()),
        "complaint",
        None,
        raw,
        now,
    )?;
    if tx.db.member(list.id, email)?.is_none() {
        return Ok(BounceOutcome::Kept);
    }
    super::membership::leave(tx, list, email, true, false, "complaint_remove")?;
    tell_owners(tx, list, "complaint_removed", email, json!({}))?;
    Ok(BounceOutcome::Counted {
        email: email.as_str().to_string(),
    })
}

/// Keeps a bounce with what `entry` says of it.
fn keep_entry(
    db: &Db<'_>,
    list: ListId,
    email: &str,
    outcome: &str,
    entry: Option<&Recipient>,
    raw: &[u8],
    now: i64,
) -> Result<i64, Error> {
    let status = entry.and_then(|e| e.status).map(|s| s.to_string());
    Ok(db.record_bounce(&NewBounce {
        list: Some(list),
        email: (!email.is_empty()).then_some(email),
        received_at: now,
        outcome,
        status: status.as_deref(),
        diagnostic: entry.map_or("", |e| e.diagnostic.as_str()),
        raw,
    })?)
}

fn keep(
    db: &Db<'_>,
    list: Option<ListId>,
    email: Option<&str>,
    outcome: &str,
    status: Option<&str>,
    raw: &[u8],
    now: i64,
) -> Result<i64, Error> {
    Ok(db.record_bounce(&NewBounce {
        list,
        email,
        received_at: now,
        outcome,
        status,
        diagnostic: "",
        raw,
    })?)
}

/// Sends `kind` to every owner of `list` about `email`.
fn tell_owners(
    tx: &mut Tx<'_, '_>,
    list: &List,
    kind: &str,
    email: &Email,
    vars: serde_json::Value,
) -> Result<(), Error> {
    let owners: Vec<Email> = tx
        .db
        .admins(list.id)?
        .into_iter()
        .filter(|a| a.role == AdminRole::Owner)
        .map(|a| a.email)
        .collect();
    let mut vars = vars;
    vars["member"] = json!(email.as_str());
    for owner in owners {
        let mail = tx.composer.compose(
            kind,
            &owner,
            Some(&ListContext {
                list,
                oneclick_url: None,
            }),
            vars.clone(),
        );
        tx.queue(mail)?;
    }
    Ok(())
}

/// A recipient the MTA refused for good while a delivery was sent (a 5xx, or a 4xx retried
/// until given up): what distribution recorded, counted like a bounce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryFailure {
    /// The recipient row's id.
    pub id: i64,
    /// The list.
    pub list: ListId,
    /// The address.
    pub email: String,
    /// The MTA's reply code, when it gave one.
    pub code: Option<u16>,
    /// The MTA's reply text, or what went wrong.
    pub text: String,
    /// When it failed.
    pub at: i64,
}

/// The cursor of [`count_delivery_failures`] (`Db::job_cursor`).
const FAILURES_CURSOR: &str = "bounces.delivery_failures";

/// The most delivery failures one run counts; the rest wait for the next run.
pub const MAX_FAILURES_PER_RUN: u32 = 1000;

/// The glue with distribution: its failed recipient rows after `(at, id)`, oldest first.
fn delivery_failures(
    db: &Db<'_>,
    at: i64,
    id: i64,
    limit: u32,
) -> Result<Vec<DeliveryFailure>, Error> {
    // Rows are read from the cursor's second on; those of that second already handled are
    // skipped, and the page grows when a whole page was such rows (many failures recorded
    // in one second).
    let mut page = limit.max(1);
    loop {
        let rows = db.delivery_failures_since(at, page)?;
        let full = rows.len() as u32 == page;
        let fresh: Vec<DeliveryFailure> = rows
            .into_iter()
            .filter(|r| (r.updated_at, r.id) > (at, id))
            .take(limit as usize)
            .map(|r| DeliveryFailure {
                id: r.id,
                list: r.list,
                email: r.email,
                code: r.last_code,
                text: r.last_text.unwrap_or_default(),
                at: r.updated_at,
            })
            .collect();
        if !fresh.is_empty() || !full || page >= MAX_FAILURES_PAGE {
            return Ok(fresh);
        }
        page = page.saturating_mul(4).min(MAX_FAILURES_PAGE);
    }
}

/// The largest page of failures read to get past those of one second already handled.
const MAX_FAILURES_PAGE: u32 = 1 << 20;

/// Counts the failures distribution recorded since the last run as bounces of their
/// members, each in a transaction that also moves the cursor (so each counts once).
/// Returns how many were read.
pub fn count_delivery_failures(
    env: &mut super::Env<'_>,
    requester: &super::Requester,
) -> Result<u32, Error> {
    let (at, id) = env.db().job_cursor(FAILURES_CURSOR)?;
    let failures = delivery_failures(&env.db(), at, id, MAX_FAILURES_PER_RUN)?;
    let read = failures.len() as u32;
    for failure in failures {
        env.transaction(requester, |tx| {
            tx.db
                .set_job_cursor(FAILURES_CURSOR, failure.at, failure.id)?;
            let Some(list) = tx.db.list_by_id(failure.list)? else {
                return Ok(());
            };
            let reply = match failure.code {
                Some(code) => format!("{code} {}", failure.text),
                None => failure.text.clone(),
            };
            let diagnostic: String = reply.chars().take(dsn::MAX_DIAGNOSTIC_CHARS).collect();
            let status = dsn::reply_status(&diagnostic);
            let verdict = dsn::classify(dsn::Action::Failed, status, &diagnostic);
            let Ok(email) = Email::parse(&failure.email) else {
                return Ok(());
            };
            let member = tx.db.member(list.id, &email)?.is_some();
            let outcome = if member {
                verdict.as_str()
            } else {
                "unattributed"
            };
            let status_text = status.map(|s| s.to_string());
            let kept = tx.db.record_bounce(&NewBounce {
                list: Some(list.id),
                email: Some(email.as_str()),
                received_at: failure.at,
                outcome,
                status: status_text.as_deref(),
                diagnostic: &diagnostic,
                raw: b"",
            })?;
            let weight = match verdict {
                Verdict::Hard => Weight::Hard,
                Verdict::Soft => Weight::Soft,
                Verdict::Policy | Verdict::NotAFailure => return Ok(()),
            };
            if member {
                count(tx, &list, &email, weight, kept, failure.at)?;
            }
            Ok(())
        })?;
    }
    Ok(read)
}

/// What a periodic run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// Stale scores forgotten.
    pub forgotten: u32,
    /// Warnings sent to disabled members.
    pub warned: u32,
    /// Members removed after their warnings.
    pub removed: u32,
    /// Old kept bounces deleted.
    pub purged: u64,
    /// Delivery failures read (and counted when they name a member and count).
    pub delivery_failures: u32,
}

/// The periodic job at `now`: the deliveries' failures counted, stale scores forgotten, warnings to disabled members, removal
/// after the last warning (with notices to them and to the owners), old bounces purged. Each
/// member is one transaction that acts only if the record is still what was read, so two
/// processes running at once act once.
pub fn run_due(env: &mut super::Env<'_>, now: i64) -> Result<Report, Error> {
    let mut report = Report::default();
    let requester = super::Requester {
        email: None,
        listmaster: true,
        remote_addr: None,
        channel: super::Channel::Mail,
        known_roles: None,
    };
    report.delivery_failures = count_delivery_failures(env, &requester)?;
    let due = env.db().bounces_due(now, MAX_DUE_PER_RUN)?;
    for item in due {
        let what = bounce::due(&item.record, now, &item.settings);
        if what == Due::Nothing {
            continue;
        }
        let done = env.transaction(&requester, |tx| {
            if tx.db.member_bounce(item.list, &item.email)? != Some(item.record) {
                return Ok(false);
            }
            let Some(list) = tx.db.list_by_id(item.list)? else {
                return Ok(false);
            };
            match what {
                Due::Nothing => return Ok(false),
                Due::Forget => {
                    tx.db.clear_member_bounce(list.id, &item.email)?;
                }
                Due::Warn(n) => {
                    let mut record = item.record;
                    record.warnings = n;
                    record.warned_at = Some(now);
                    tx.db
                        .set_member_bounce(list.id, &item.email, &record, None)?;
                    let mail = tx.composer.compose(
                        "bounce_warning",
                        &item.email,
                        Some(&ListContext {
                            list: &list,
                            oneclick_url: None,
                        }),
                        json!({
                            "warning": n,
                            "warnings": item.settings.warnings,
                            "score": bounce::points(record.score),
                            "days": item.settings.warning_days,
                        }),
                    );
                    tx.queue(mail)?;
                    tx.audit(
                        "bounce_warning",
                        Some(&list),
                        Some(&item.email),
                        json!({ "warning": n }),
                    )?;
                }
                Due::Remove => {
                    super::membership::leave(tx, &list, &item.email, true, false, "bounce_remove")?;
                    let vars = json!({
                        "score": bounce::points(item.record.score),
                        "warnings": item.record.warnings,
                    });
                    let mail = tx.composer.compose(
                        "bounce_removed",
                        &item.email,
                        Some(&ListContext {
                            list: &list,
                            oneclick_url: None,
                        }),
                        vars.clone(),
                    );
                    tx.queue(mail)?;
                    tell_owners(tx, &list, "bounce_removed_owner", &item.email, vars)?;
                }
            }
            Ok(true)
        })?;
        if done {
            match what {
                Due::Forget => report.forgotten += 1,
                Due::Warn(_) => report.warned += 1,
                Due::Remove => report.removed += 1,
                Due::Nothing => {}
            }
        }
    }
    report.purged = env.db().purge_bounces(now - KEEP_DAYS * bounce::DAY)? as u64;
    Ok(report)
}
