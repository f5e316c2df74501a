//! A post to `LIST@`: loops and duplicates first, then the send policy decides from the
//! sender's roles, the list's sender rules, the attachments and whether it looks like a
//! command; distributed, held or rejected in one transaction.

use serde_json::json;

use super::commands::looks_like_command;
use super::{may_answer, requester_for, sender_of, Incoming, Outcome, REPLY_PER_ADDRESS};
use crate::archive;
use crate::domain::post::{decide_post, PostFacts, PostVerdict};
use crate::domain::{ArchivedState, Email, List, RejectReason, Roles};
use crate::mail::ListContext;
use crate::operations::{archive as archive_ops, distribution, moderation, Env, Error};
use crate::store::{Archived, MessageKey};

/// Handles a post to `list`. Returns once everything it did is committed; a store error
/// means nothing was kept (the door answers `451` and the MTA tries again).
pub fn post(env: &mut Env<'_>, list: &List, incoming: &Incoming<'_>) -> Result<Outcome, Error> {
    let head = incoming.head();
    // Loops: our own copy coming back, through another list or a forwarder.
    if head.has_x_loop(&list.address()) {
        return discard(env, list, "x-loop", "loop: it carries our X-Loop");
    }
    if head.has_list_id(&list.list_id_header()) {
        return discard(env, list, "list-id", "loop: it carries our List-Id");
    }
    if incoming.envelope_from.is_empty() {
        return discard(
            env,
            list,
            "null-sender",
            "sent by the null sender (a bounce)",
        );
    }
    if head.is_auto_reply() {
        return discard(env, list, "auto-reply", "an automatic reply");
    }
    let parsed = archive::parse(incoming.raw);
    let sender = sender_of(&head, &parsed.from_addr);
    if sender
        .as_ref()
        .is_some_and(|s| s.as_str().starts_with("mailer-daemon@"))
    {
        return discard(env, list, "mailer-daemon", "From MAILER-DAEMON");
    }
    // The same Message-ID in this list's archive (held or published): Sympa's "already
    // received". Identical bytes are caught again inside the transaction.
    if !parsed.synthesized_id
        && env
            .db()
            .archived_by_key(list.id, MessageKey::MessageId(&parsed.message_id))?
            .is_some()
    {
        log::info!(
            "post to {}: <{}> already received; nothing done",
            list.address(),
            parsed.message_id
        );
        return Ok(Outcome::Duplicate);
    }
    let (settings, roles, rule) = env.snapshot(|db| {
        let settings = db.list_mail_settings(list.id)?;
        let (roles, rule) = match &sender {
            Some(sender) => (
                db.roles(list.id, Some(sender), false)?,
                db.sender_rule(list.id, sender)?,
            ),
            None => (Roles::ANONYMOUS, None),
        };
        Ok((settings, roles, rule))
    })?;
    let first_line = parsed
        .index
        .body_new
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("");
    let command = looks_like_command(&parsed.subject) || looks_like_command(first_line);
    let verdict = decide_post(
        &settings,
        &PostFacts {
            roles: &roles,
            rule,
            attachments: parsed.attachments,
            looks_like_command: command,
            sender: sender.as_ref(),
        },
    );
    let requester = requester_for(sender.as_ref());
    let stored = archive_ops::Incoming {
        raw: incoming.raw,
        arrived_at: incoming.arrived_at,
        month: None,
        legacy_seq: None,
    };
    let detail = json!({
        "message_id": parsed.message_id,
        "envelope_from": incoming.envelope_from,
        "size": incoming.raw.len(),
    });
    match verdict {
        PostVerdict::Distribute => env.transaction(&requester, |tx| {
            let message = match archive_ops::store_parsed(
                tx.db,
                list,
                &stored,
                &parsed,
                ArchivedState::Visible,
            )? {
                Archived::Stored(message) => message,
                Archived::Duplicate(_) => return Ok(Outcome::Duplicate),
            };
            let queued = distribution::queue_post(tx, list, message, sender.as_ref())?;
            let mut detail = detail.clone();
            detail["recipients"] = json!(queued.recipients);
            tx.audit("post_distributed", Some(list), sender.as_ref(), detail)?;
            Ok(Outcome::Distributed {
                message: message.id,
                recipients: queued.recipients,
            })
        }),
        PostVerdict::Hold(reasons) => env.transaction(&requester, |tx| {
            let message = match archive_ops::store_parsed(
                tx.db,
                list,
                &stored,
                &parsed,
                ArchivedState::Held,
            )? {
                Archived::Stored(message) => message,
                Archived::Duplicate(_) => return Ok(Outcome::Duplicate),
            };
            moderation::hold(
                tx,
                list,
                &settings,
                &moderation::Hold {
                    message,
                    sender: sender.as_ref(),
                    subject: &parsed.subject,
                    reasons: &reasons,
                },
            )?;
            let mut detail = detail.clone();
            detail["reasons"] = json!(reasons);
            tx.audit("post_held", Some(list), sender.as_ref(), detail)?;
            Ok(Outcome::Held {
                message: message.id,
                reasons: reasons.clone(),
            })
        }),
        PostVerdict::Reject(reason) => reject(
            env,
            list,
            incoming,
            &head,
            sender.as_ref(),
            &parsed,
            reason,
            detail,
        ),
    }
}

/// Refuses a post: nothing archived; the sender is told when that cannot be backscatter
/// (see the module documentation of [`super`]) and the address got few answers lately.
#[allow(clippy::too_many_arguments)]
fn reject(
    env: &mut Env<'_>,
    list: &List,
    incoming: &Incoming<'_>,
    head: &super::headers::Head,
    sender: Option<&Email>,
    parsed: &archive::Parsed,
    reason: RejectReason,
    mut detail: serde_json::Value,
) -> Result<Outcome, Error> {
    let answer_to = sender.filter(|to| may_answer(incoming, head, to));
    let notify = match answer_to {
        Some(to) => !env.over_limit(&REPLY_PER_ADDRESS, to.as_str())?,
        None => false,
    };
    detail["reason"] = json!(reason);
    detail["notified"] = json!(notify);
    let requester = requester_for(sender);
    env.transaction(&requester, |tx| {
        if let (true, Some(to)) = (notify, answer_to) {
            let mail = tx.composer.compose(
                "reject_post",
                to,
                Some(&ListContext {
                    list,
                    oneclick_url: None,
                }),
                json!({
                    "reason": reason,
                    "subject": parsed.subject,
                    "message_id": parsed.message_id,
                }),
            );
            tx.queue(mail)?;
        }
        tx.audit("post_rejected", Some(list), sender, detail.clone())
    })?;
    log::info!(
        "post to {} from {} rejected ({reason:?}){}",
        list.address(),
        sender.map_or("(no From)", |s| s.as_str()),
        if notify { "; sender told" } else { "" }
    );
    Ok(Outcome::Rejected {
        reason,
        notified: notify,
    })
}

/// Drops a post that must not go anywhere, with a log line and an audit row.
fn discard(
    env: &mut Env<'_>,
    list: &List,
    code: &'static str,
    why: &str,
) -> Result<Outcome, Error> {
    log::info!("post to {} discarded: {why}", list.address());
    env.transaction(&requester_for(None), |tx| {
        tx.audit("post_discarded", Some(list), None, json!({ "why": code }))
    })?;
    Ok(Outcome::Discarded(code))
}
