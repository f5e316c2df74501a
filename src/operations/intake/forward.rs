//! Mail for people rather than the list: `LIST-editor@` to the moderators, `LIST-owner@`
//! (after the bounces operations had their look) and `LIST-request@` without commands to the
//! owners, `listmaster@` to the listmasters. The original bytes go out through the outbox
//! with a new envelope and an `X-Loop` line of ours on top; a message that already carries
//! it is never forwarded again.

use serde_json::json;

use super::{requester_for, sender_of, Incoming, Outcome};
use crate::archive;
use crate::domain::{AdminRole, Email, List};
use crate::operations::bounces::{self, BounceOutcome};
use crate::operations::{Env, Error, Tx};
use crate::store::NewMail;

/// The people a list's mail for `role` goes to: its moderators (its owners when it has
/// none) or its owners.
fn people(tx: &Tx<'_, '_>, list: &List, role: AdminRole) -> Result<Vec<Email>, Error> {
    let admins = tx.db.admins(list.id)?;
    let of = |role: AdminRole| -> Vec<Email> {
        admins
            .iter()
            .filter(|a| a.role == role)
            .map(|a| a.email.clone())
            .collect()
    };
    let found = of(role);
    Ok(if found.is_empty() && role == AdminRole::Editor {
        of(AdminRole::Owner)
    } else {
        found
    })
}

/// Queues `incoming`'s bytes for `recipients` with `X-Loop: loop_address` on top, in `tx`.
fn queue_copy(
    tx: &mut Tx<'_, '_>,
    kind: &str,
    list: Option<&List>,
    envelope_from: String,
    recipients: &[Email],
    loop_address: &str,
    incoming: &Incoming<'_>,
) -> Result<(), Error> {
    let mut message = format!("X-Loop: {loop_address}\r\n").into_bytes();
    message.extend_from_slice(incoming.raw);
    tx.queue(Ok(NewMail {
        kind: kind.to_string(),
        list: list.map(|l| l.id),
        envelope_from,
        recipients: recipients.iter().map(|e| e.as_str().to_string()).collect(),
        message,
    }))
}

/// Forwards to the people of `list` in `role` inside `tx`; returns how many.
fn forward_in(
    tx: &mut Tx<'_, '_>,
    list: &List,
    role: AdminRole,
    address: &str,
    why: &str,
    incoming: &Incoming<'_>,
) -> Result<usize, Error> {
    let to = people(tx, list, role)?;
    if !to.is_empty() {
        let envelope = format!("{}-owner@{}", list.name, list.domain);
        queue_copy(
            tx,
            &format!("forward_{why}"),
            Some(list),
            envelope,
            &to,
            address,
            incoming,
        )?;
    }
    tx.audit(
        "mail_forwarded",
        Some(list),
        None,
        json!({
            "to": why,
            "recipients": to.len(),
            "envelope_from": incoming.envelope_from,
            "size": incoming.raw.len(),
        }),
    )?;
    Ok(to.len())
}

/// Whether `incoming` already went through our forward to `address` (a loop).
fn looped(incoming: &Incoming<'_>, address: &str) -> bool {
    incoming.head().has_x_loop(address)
}

fn sender(incoming: &Incoming<'_>) -> Option<Email> {
    let head = incoming.head();
    head.get("from")?;
    sender_of(&head, &archive::parse(incoming.raw).from_addr)
}

/// Mail to `LIST-editor@`: to the moderators (the owners when there are none).
pub fn to_editors(
    env: &mut Env<'_>,
    list: &List,
    incoming: &Incoming<'_>,
) -> Result<Outcome, Error> {
    let address = format!("{}-editor@{}", list.name, list.domain);
    if looped(incoming, &address) {
        log::info!("mail to {address} discarded: it carries our X-Loop");
        return Ok(Outcome::Discarded("x-loop"));
    }
    let requester = requester_for(sender(incoming).as_ref());
    let count = env.transaction(&requester, |tx| {
        forward_in(tx, list, AdminRole::Editor, &address, "editors", incoming)
    })?;
    Ok(Outcome::Forwarded(count))
}

/// Mail for the owners of `list` that is not a bounce (`LIST-request@` without commands;
/// `why` names it in the outbox and the audit log).
pub fn to_owners(
    env: &mut Env<'_>,
    list: &List,
    incoming: &Incoming<'_>,
    why: &str,
) -> Result<Outcome, Error> {
    let address = format!("{}-{why}@{}", list.name, list.domain);
    if looped(incoming, &address) {
        log::info!("mail to {address} discarded: it carries our X-Loop");
        return Ok(Outcome::Discarded("x-loop"));
    }
    let requester = requester_for(sender(incoming).as_ref());
    let count = env.transaction(&requester, |tx| {
        forward_in(tx, list, AdminRole::Owner, &address, why, incoming)
    })?;
    Ok(Outcome::Forwarded(count))
}

/// Mail to `LIST-owner[+TOKEN]@` (`list` given) or `bounce+TOKEN@` (`list` `None`): the
/// bounces operations look first, in the same transaction; what is not a bounce goes to the
/// owners (to the listmasters for `bounce+TOKEN@`, which names no list).
pub fn to_owners_by_bounce_token(
    env: &mut Env<'_>,
    list: Option<&List>,
    token: Option<&str>,
    incoming: &Incoming<'_>,
) -> Result<Outcome, Error> {
    let address = match list {
        Some(list) => format!("{}-owner@{}", list.name, list.domain),
        None => format!("bounce@{}", env.config.domain),
    };
    let requester = requester_for(None);
    let listmasters = listmasters(env);
    env.transaction(&requester, |tx| {
        match bounces::receive(tx, list, token, incoming.raw)? {
            BounceOutcome::NotABounce if looped(incoming, &address) => {
                log::info!("mail to {address} discarded: it carries our X-Loop");
                Ok(Outcome::Discarded("x-loop"))
            }
            BounceOutcome::NotABounce => match list {
                Some(list) => forward_in(tx, list, AdminRole::Owner, &address, "owner", incoming)
                    .map(Outcome::Forwarded),
                None => forward_listmasters(tx, &listmasters, &address, incoming)
                    .map(Outcome::Forwarded),
            },
            BounceOutcome::Counted { email } => Ok(Outcome::Bounce(format!("counted for {email}"))),
            BounceOutcome::Unattributed => Ok(Outcome::Bounce("kept, unattributed".into())),
            BounceOutcome::Kept => Ok(Outcome::Bounce("kept, counted against nobody".into())),
        }
    })
}

/// The configured listmasters.
fn listmasters(env: &Env<'_>) -> Vec<Email> {
    env.config
        .listmasters()
        .filter_map(|a| Email::parse(a).ok())
        .collect()
}

fn forward_listmasters(
    tx: &mut Tx<'_, '_>,
    to: &[Email],
    address: &str,
    incoming: &Incoming<'_>,
) -> Result<usize, Error> {
    if !to.is_empty() {
        let envelope = tx.composer.config.service_address();
        queue_copy(
            tx,
            "forward_listmaster",
            None,
            envelope,
            to,
            address,
            incoming,
        )?;
    }
    tx.audit(
        "mail_forwarded",
        None,
        None,
        json!({
            "to": "listmaster",
            "recipients": to.len(),
            "envelope_from": incoming.envelope_from,
            "size": incoming.raw.len(),
        }),
    )?;
    Ok(to.len())
}

/// Mail to `listmaster@DOMAIN`: to the configured listmasters.
pub fn to_listmasters(
    env: &mut Env<'_>,
    domain: &str,
    incoming: &Incoming<'_>,
) -> Result<Outcome, Error> {
    let address = format!("listmaster@{domain}");
    if looped(incoming, &address) {
        log::info!("mail to {address} discarded: it carries our X-Loop");
        return Ok(Outcome::Discarded("x-loop"));
    }
    // Never to the address itself (a listmaster configured as listmaster@ the list domain).
    let to: Vec<Email> = listmasters(env)
        .into_iter()
        .filter(|e| !e.as_str().eq_ignore_ascii_case(&address))
        .collect();
    let requester = requester_for(sender(incoming).as_ref());
    let count = env.transaction(&requester, |tx| {
        forward_listmasters(tx, &to, &address, incoming)
    })?;
    Ok(Outcome::Forwarded(count))
}
