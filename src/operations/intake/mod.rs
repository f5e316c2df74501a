//! What happens to each message the mail door takes: posts (loops, duplicates, the send
//! policy, then distributed, held or rejected), mail commands to `sympa@` and
//! `LIST-request@`, mail for a list's moderators and owners (bounces first), and mail for
//! the listmasters.
//!
//! The door ([`crate::intake`]) classifies the recipient and calls one function here per
//! recipient; each works in its own transactions over an [`Env`], and only returns once
//! what it did is committed. The sender of a message (its From) is not proven: a post is
//! decided from it as Sympa's `send` scenarios do, but a mail command acts as an anonymous
//! requester who typed that address, so subscribing and unsubscribing by mail go through
//! the same confirmation by mail as the web.
//!
//! # Never a source of backscatter or loops
//!
//! Nothing is ever sent in answer to the null sender, to a robot's address
//! ([`headers::is_robot_address`]), to automatic mail (`Auto-Submitted`, `Precedence`) or to
//! list mail (`List-Id`); answers to one address are rate-limited
//! ([`REPLY_PER_ADDRESS`]); a post carrying the list's own `X-Loop` or `List-Id` is dropped;
//! a message forwarded to owners, moderators or listmasters carries an `X-Loop` of its own
//! and is never forwarded twice.

pub mod commands;
mod forward;
pub mod headers;
mod post;

pub use commands::{commands, CommandPlace};
pub use forward::{to_editors, to_listmasters, to_owners, to_owners_by_bounce_token};
pub use post::post;

use crate::domain::{Email, HoldReason, RejectReason};
use crate::operations::limits::Limit;
use crate::operations::{Channel, Requester};

use headers::Head;

/// Answers (reject notices, command reports) sent to one address, all lists together: 10
/// per hour. Past it the message is still handled, and the answer is not sent: a forged
/// From cannot turn us into a mail cannon aimed at someone.
pub const REPLY_PER_ADDRESS: Limit = Limit {
    bucket: "mail-reply-address",
    window: 3600,
    max: 10,
};

/// A message as the door took it for one recipient.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    /// The envelope sender (`MAIL FROM`), empty for the null sender.
    pub envelope_from: &'a str,
    /// The original bytes.
    pub raw: &'a [u8],
    /// When it arrived, in seconds since the epoch.
    pub arrived_at: i64,
}

impl Incoming<'_> {
    /// Its header fields.
    pub fn head(&self) -> Head {
        Head::read(self.raw)
    }
}

/// What became of a message for one recipient; each is a `250` to the MTA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Archived and queued for the members.
    Distributed {
        /// The archived message's id.
        message: i64,
        /// How many recipients it was queued for.
        recipients: u64,
    },
    /// Archived in the held state for the moderators.
    Held {
        /// The archived message's id.
        message: i64,
        /// Why.
        reasons: Vec<HoldReason>,
    },
    /// Refused; `notified` says whether the sender was told.
    Rejected {
        /// Why.
        reason: RejectReason,
        /// Whether a notice was queued for the sender.
        notified: bool,
    },
    /// The same message was delivered before (same bytes, or same Message-ID): nothing done.
    Duplicate,
    /// Dropped without an answer, for the reason given (a loop, an automatic reply).
    Discarded(&'static str),
    /// Mail commands run; the report was queued when `reported`.
    Commands {
        /// How many commands ran.
        count: usize,
        /// Whether the report was queued.
        reported: bool,
    },
    /// Forwarded to that many people (owners, moderators, listmasters).
    Forwarded(usize),
    /// Handled as a bounce by the bounces operations.
    Bounce(String),
}

impl Outcome {
    /// A short word for logs and the `250` reply's text.
    pub fn word(&self) -> &'static str {
        match self {
            Outcome::Distributed { .. } => "distributed",
            Outcome::Held { .. } => "held for moderation",
            Outcome::Rejected { .. } => "rejected",
            Outcome::Duplicate => "duplicate",
            Outcome::Discarded(_) => "discarded",
            Outcome::Commands { .. } => "commands processed",
            Outcome::Forwarded(_) => "forwarded",
            Outcome::Bounce(_) => "bounce processed",
        }
    }
}

/// The sender as the message gives it: its From address, when it has one that parses.
/// (Not `Sender` nor the envelope: the policy speaks of the author, as Sympa's.)
pub fn sender_of(head: &Head, parsed_from: &str) -> Option<Email> {
    head.get("from")?;
    Email::parse(parsed_from).ok()
}

/// The requester for what a message does, recorded as the sender it claims (unproven).
pub fn requester_for(sender: Option<&Email>) -> Requester {
    Requester {
        email: sender.cloned(),
        listmaster: false,
        remote_addr: None,
        channel: Channel::Mail,
        known_roles: None,
    }
}

/// Whether a message may get an answer at all (a notice, a report), whatever it says:
/// not from the null sender or a robot, not automatic, not list mail.
pub fn may_answer(incoming: &Incoming<'_>, head: &Head, to: &Email) -> bool {
    !headers::is_robot_address(incoming.envelope_from)
        && !headers::is_robot_address(to.as_str())
        && !head.is_automatic()
        && !head.is_list_mail()
        && head.get("x-loop").is_none()
}
