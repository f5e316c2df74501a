//! LMTP (RFC 2033) for mail intake: the protocol, served on the runtime's listeners; knows
//! nothing of mailing lists: it asks a [`Mailbox`] about each recipient and hands it each
//! message.
//!
//! - [`command`]: one command line parsed, or the reply refusing it.
//! - [`session`]: one session's state machine over a [`session::Conn`], with its limits.
//! - [`front`]: the runtime's [`Front`](crate::runtime::Front) serving sessions on a listener.
//! - [`client`]: a small LMTP client (`wwsympa deliver --lmtp`, the benchmark).

pub mod client;
pub mod command;
pub mod front;
pub mod session;
#[cfg(test)]
mod tests;

pub use front::LmtpFront;
pub use session::{Limits, Summary};

/// An SMTP reply: a code, an enhanced status code (RFC 3463) and a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The three-digit code (`250`, `451`, `550`, `552`...).
    pub code: u16,
    /// The enhanced status code, `2.1.5`.
    pub status: &'static str,
    /// The human text, one line, no CR or LF.
    pub text: String,
}

impl Reply {
    /// A reply.
    pub fn new(code: u16, status: &'static str, text: impl Into<String>) -> Reply {
        Reply {
            code,
            status,
            text: text.into(),
        }
    }

    /// Returns true if and only if the code is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.code)
    }
}

/// One message's envelope as the client gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// `MAIL FROM`, without the angle brackets; empty for the null sender `<>`.
    pub from: String,
    /// The recipients the mailbox accepted, in order.
    pub recipients: Vec<String>,
}

/// Where accepted mail goes: the intake door implements it over the store.
///
/// Called from connection threads, several at once.
pub trait Mailbox: Send + Sync {
    /// Whether `recipient` (as given in `RCPT TO`, without angle brackets) is one of ours:
    /// `250 2.1.5`, `550 5.1.1` for an unknown address, `451 4.3.0` when that cannot be known
    /// now (the database is down).
    fn recipient(&self, recipient: &str) -> Reply;

    /// Takes one message for every accepted recipient; returns one reply per recipient, in
    /// `envelope.recipients`' order. A `250` means the message is committed for that
    /// recipient; a `4xx` means nothing was kept for it.
    fn deliver(&self, envelope: &Envelope, message: &[u8]) -> Vec<Reply>;

    /// The largest message taken, in bytes (advertised as `SIZE`; more is refused with `552`).
    fn max_size(&self) -> u64;
}
