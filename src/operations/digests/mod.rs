//! Digests and summaries of list mail, built from the archive: at each list's scheduled
//! moment (Sympa's `digest DAYS HH:MM`, by default every day at 06:00 UTC) the visible
//! messages archived since the list's last digested one go to its members in `digest` mode
//! as MIME digests, to those in `digestplain` mode as plain-text digests (each message's
//! text; attachments and HTML-only parts are named and left in the archive) and to those in
//! `summary` mode as summaries, at most `digest_max_size`
//! messages a digest (more make several parts).
//!
//! Each list's run is one transaction: it moves the list's digest state (last digested
//! message, last moment handled, issue number) with a conditional update and queues one
//! outbox mail per recipient, so a digest is sent once even when two processes run the
//! jobs at once, and a crash sends none. A period with no message sends nothing. Members
//! whose delivery is disabled by bounces get none.
//!
//! A post held for moderation across a digest's moment has an id below the list's cursor
//! when it is distributed: it goes in the next digest by the time of the moderator's
//! decision (after the last moment handled, up to this one).
//!
//! Limits: a run takes at most [`MAX_PARTS_PER_RUN`] digests' worth of messages per list
//! (the rest go at the next moment). The first run of a list takes the messages that
//! arrived since the moment before. A held post distributed in the seconds between a
//! moment and the run that handles it (the jobs run every minute) may be in two digests.

mod settings;

pub use settings::{set_settings, settings};

use serde_json::{json, Value};

use super::{Channel, Env, Error, Requester};
use crate::domain::bounce::DAY;
use crate::domain::{DigestSettings, ListId, ReceptionMode};
use crate::mail::digest::{self, Entry, Issue};
use crate::store::{self, ArchivedSummary, DigestState};

/// The most digests (parts) one list's run makes.
pub const MAX_PARTS_PER_RUN: u32 = 10;

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// Lists whose moment came.
    pub lists: u32,
    /// Mails queued (one per recipient and part).
    pub mails: u32,
    /// Messages digested.
    pub messages: u32,
}

/// Runs the digests due at `now` (seconds since the epoch).
pub fn run_due(env: &mut Env<'_>, now: i64) -> Result<Report, Error> {
    let mut report = Report::default();
    let schedules = env.db().digest_schedules()?;
    for (list, settings, state) in schedules {
        let Some(slot) = settings.last_slot(now) else {
            continue;
        };
        if state.is_some_and(|s| s.last_slot >= slot) {
            continue;
        }
        let (messages, mails) = run_list(env, list, &settings, state, slot, now)?;
        report.lists += 1;
        report.mails += mails;
        report.messages += messages;
    }
    Ok(report)
}

/// One list's digests for moment `slot`: (messages digested, mails queued).
fn run_list(
    env: &mut Env<'_>,
    list_id: ListId,
    settings: &DigestSettings,
    state: Option<DigestState>,
    slot: i64,
    now: i64,
) -> Result<(u32, u32), Error> {
    let oneclick_secret = env.site_secret("oneclick")?;
    let base_url = env.config.base_url().to_string();
    let requester = Requester {
        email: None,
        listmaster: true,
        remote_addr: None,
        channel: Channel::Mail,
        known_roles: None,
    };
    env.transaction(&requester, |tx| {
        let Some(list) = tx.db.list_by_id(list_id)? else {
            return Ok((0, 0));
        };
        let (after, arrived_after) = match state {
            Some(s) => (s.last_message, i64::MIN),
            None => (0, settings.last_slot(slot - 1).unwrap_or(slot - 7 * DAY)),
        };
        let per_digest = settings.max_messages.max(1);
        let limit = u64::from(per_digest * MAX_PARTS_PER_RUN);
        // Posts held across the last moment and distributed since: below the cursor.
        let mut messages = match state {
            Some(s) => {
                tx.db
                    .archive_late_distributed(list.id, s.last_message, s.last_slot, slot, limit)?
            }
            None => Vec::new(),
        };
        let late = messages.len();
        messages.extend(tx.db.archive_visible_after(
            list.id,
            after,
            arrived_after,
            limit - late as u64,
        )?);
        let last_message = match messages[late..].last() {
            Some(m) => m.id,
            // A first run with nothing new starts after the newest message.
            None if state.is_none() => tx
                .db
                .archive_latest(&[list.id], 0, 1)?
                .first()
                .map_or(0, |m| m.id),
            None => after,
        };
        let recipients = if messages.is_empty() {
            Vec::new()
        } else {
            tx.db.digest_recipients(list.id)?
        };
        let chunks: Vec<&[ArchivedSummary]> = messages.chunks(per_digest as usize).collect();
        let issues_before = state.map_or(0, |s| s.issues);
        let sending = !recipients.is_empty();
        let to = DigestState {
            last_message,
            last_slot: slot,
            issues: issues_before + if sending { chunks.len() as i64 } else { 0 },
        };
        if !tx.db.advance_digest(list.id, state.as_ref(), &to)? {
            // Another process handled this moment.
            return Ok((0, 0));
        }
        if !sending {
            return Ok((0, 0));
        }
        let link_day = store::now().div_euclid(DAY);
        let mut mails = 0u32;
        let mut digested = 0u32;
        for (index, chunk) in chunks.iter().enumerate() {
            let issue = Issue {
                number: issues_before + index as i64 + 1,
                part: index as u32 + 1,
                parts: chunks.len() as u32,
            };
            let mut raws = Vec::with_capacity(chunk.len());
            let mut tocs = Vec::with_capacity(chunk.len());
            for message in chunk.iter() {
                // A message deleted since it was listed has no bytes: left out.
                let Some(raw) = tx.db.archived_raw(message.id)? else {
                    continue;
                };
                tocs.push(toc(&base_url, list.name.as_str(), message));
                raws.push(raw);
            }
            if raws.is_empty() {
                continue;
            }
            digested += raws.len() as u32;
            let entries: Vec<Entry<'_>> = raws
                .iter()
                .zip(&tocs)
                .map(|(raw, toc)| Entry {
                    toc: toc.clone(),
                    raw,
                })
                .collect();
            // The plain-text digest's messages (their text, attachments named), only when
            // someone reads one.
            let plain: Vec<Value> = if recipients
                .iter()
                .any(|m| m.reception == ReceptionMode::DigestPlain)
            {
                raws.iter()
                    .zip(&tocs)
                    .map(|(raw, toc)| {
                        let mut entry = toc.clone();
                        entry["blocks"] = json!(crate::archive::plain::blocks(raw));
                        entry
                    })
                    .collect()
            } else {
                Vec::new()
            };
            for member in &recipients {
                let id = crate::auth::oneclick_id(
                    &oneclick_secret,
                    &list.address(),
                    member.email.as_str(),
                    link_day,
                );
                let oneclick_url = format!(
                    "{base_url}/oneclick/{}/{}?email={}",
                    list.name,
                    id,
                    super::encode(member.email.as_str())
                );
                let mail = match member.reception {
                    ReceptionMode::Digest => digest::mime(
                        &tx.composer,
                        &member.email,
                        &list,
                        issue,
                        &entries,
                        &oneclick_url,
                        now,
                    ),
                    ReceptionMode::Summary => digest::summary(
                        &tx.composer,
                        &member.email,
                        &list,
                        issue,
                        &tocs,
                        &oneclick_url,
                    ),
                    ReceptionMode::DigestPlain => digest::plain(
                        &tx.composer,
                        &member.email,
                        &list,
                        issue,
                        &plain,
                        &oneclick_url,
                    ),
                    ReceptionMode::Mail | ReceptionMode::NotMe | ReceptionMode::Nomail => continue,
                };
                tx.queue(mail)?;
                mails += 1;
            }
        }
        tx.audit(
            "digest",
            Some(&list),
            None,
            json!({
                "issues": to.issues - issues_before,
                "messages": digested,
                "mails": mails,
                "last_message": last_message,
            }),
        )?;
        Ok((digested, mails))
    })
}

/// What the table of contents says of one message (an empty subject or sender is said by
/// the template, in the list's language).
fn toc(base_url: &str, list: &str, message: &ArchivedSummary) -> Value {
    let from = match (message.from_name.is_empty(), message.from_addr.is_empty()) {
        (false, false) => format!("{} <{}>", message.from_name, message.from_addr),
        (true, false) => message.from_addr.clone(),
        (false, true) => message.from_name.clone(),
        (true, true) => String::new(),
    };
    json!({
        "subject": message.subject.trim(),
        "from": from,
        // Seconds: the template writes them in the reader's language.
        "date": message.date,
        "url": format!("{base_url}/msg/{list}/{}/{}", message.month, message.permalink),
    })
}
