//! The due-jobs run: what the list server does on its own when time passes: held posts'
//! digests, reminders and expiry; bounce scores (the deliveries' failures counted, warnings,
//! removals, stale scores forgotten); digests and summaries of list mail.
//!
//! `wwsympa sender` (the outbox service, `wwsympa-sender.service`) calls [`run_due`] once a
//! minute, and `wwsympa jobs` runs it once (for a cron job, or by hand). Each job takes `now`
//! and does only what is due then; two processes running it at once do each thing once (the
//! store's conditional updates decide).

use super::{bounces, digests, moderation, Env, Error};

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// Moderation: digests, reminders, expiry.
    pub moderation: moderation::periodic::Report,
    /// Bounces: failures counted, warnings, removals, stale scores.
    pub bounces: bounces::Report,
    /// Digests and summaries of list mail.
    pub digests: digests::Report,
}

/// How often the sender service runs the due jobs, in seconds.
pub const EVERY_SECONDS: u64 = 60;

/// Runs every job due at `now` (seconds since the epoch).
pub fn run_due(env: &mut Env<'_>, now: i64) -> Result<Report, Error> {
    Ok(Report {
        moderation: moderation::periodic::run(env, now)?,
        bounces: bounces::run_due(env, now)?,
        digests: digests::run_due(env, now)?,
    })
}

/// The time the jobs run at when none is given: now, in seconds since the epoch.
pub fn now() -> i64 {
    crate::store::now()
}
