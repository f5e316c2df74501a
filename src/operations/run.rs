//! The one runner: every door runs an operation through [`run`], which hands the mail it committed to the outbox sender.
//!
//! An operation writes its mail to the outbox in its own transaction ([`super::Tx::queue`]);
//! what becomes of it afterwards depends on the door, and is said once here by a
//! [`Handoff`]: a request wakes its process's sender and returns (the mail leaves after the
//! response); the shell sends at once, stopping at the first message the MTA refuses.

use super::{Env, Error, Requester};
use crate::config::Config;
use crate::mail;
use crate::render::Templates;
use crate::store::Store;

/// What becomes of the mail an operation committed.
#[derive(Clone, Copy)]
pub enum Handoff<'a> {
    /// Wake this process's sender: the mail leaves after the response (web, SOAP, JSON).
    Wake(&'a mail::Wake),
    /// Send what is due now, as `sender` names itself in its claims, and stop at the first
    /// message the MTA does not take; the rest stays in the outbox (the shell).
    SendNow(&'a str),
}

/// Runs `operation` for `requester` on `store`, then hands the mail it committed over as
/// `handoff` says. The operation's own result is returned untouched.
pub fn run<T>(
    store: &mut Store,
    config: &Config,
    templates: &Templates,
    requester: &Requester,
    handoff: Handoff<'_>,
    operation: impl FnOnce(&mut Env<'_>, &Requester) -> Result<T, Error>,
) -> Result<T, Error> {
    let mut env = Env::new(store, config, templates);
    let result = operation(&mut env, requester);
    let committed = env.has_mail();
    let posts = env.deliveries.len();
    drop(env);
    if posts > 0 {
        if let Handoff::SendNow(_) = handoff {
            // The shell does not wait for a whole list: the sender service delivers posts.
            log::info!("{posts} list post(s) queued; `wwsympa sender` (wwsympa-sender.service) delivers them");
        }
    }
    if committed {
        hand_over(store, config, handoff);
    }
    result
}

fn hand_over(store: &Store, config: &Config, handoff: Handoff<'_>) {
    match handoff {
        Handoff::Wake(wake) => wake.notify(),
        Handoff::SendNow(who) => {
            let transport = mail::Transport::from_config(config);
            match mail::send_due(
                store,
                &transport,
                config,
                who,
                mail::OnFailure::Stop,
                &|| false,
            ) {
                Ok(report) if report.deferred + report.failed + report.left > 0 => log::warn!(
                    "{} mail(s) not sent now; they stay in the outbox for `wwsympa sender`",
                    report.deferred + report.failed + report.left
                ),
                Ok(_) => {}
                Err(e) => {
                    // What this process still held goes back to the senders at once.
                    let _ = store.db().release_mail_claims(who);
                    log::warn!("sending mail: {e}; it stays in the outbox");
                }
            }
        }
    }
}
