//! The mail door: the LMTP [`Mailbox`] over the store, which classifies each recipient and
//! hands each message to the intake operations (posts, commands, bounces); and the Postfix
//! lookup table ([`socketmap`]) that tells the MTA which addresses are ours.
//!
//! # Replies
//!
//! - `RCPT`: `250 2.1.5` for one of our addresses ([`address::resolve`]: an open list's
//!   `LIST`, `-request`, `-editor`, `-owner[+TOKEN]`, `-subscribe`, `-unsubscribe`, and
//!   `sympa@`, `listmaster@`, `bounce+TOKEN@` in a list domain); `550 5.1.1` for anything
//!   else (`5.1.2` for a domain that takes no list mail, `5.1.3` for a malformed address,
//!   `5.1.6` "this list has moved to NEW@DOMAIN" for a public list's old address after
//!   `move_list`, see [`address`]);
//!   `451 4.3.0` when the database cannot say (never an accept, never "no such list").
//! - After `DATA`, for each recipient: `250 2.0.0` once what the message caused is
//!   committed (distributed, held, rejected with a notice, a duplicate or a loop dropped,
//!   commands run, forwarded); `552 5.3.4` for a post larger than its list's `max_size`;
//!   `550 5.1.1` when the address stopped being ours since `RCPT`; `451 4.3.0` when the
//!   database failed (nothing is half-stored: the operation's transaction rolled back), or
//!   on a bug (a panic in the operation is caught, logged, and the MTA keeps the message).
//!
//! # What is refused as broken, and what is not
//!
//! Nothing is refused for its form: a message with no Message-ID is archived under one
//! synthesized from its bytes, malformed headers and 8-bit junk are read as well as they
//! can be, and a post with no usable From is never distributed (held, or rejected by a
//! members-only policy, with nobody to tell). Refusing at the SMTP level would make the MTA
//! bounce to a sender that may be forged; only the size limit is enforced that way, since
//! the MTA already knows it.

pub mod address;
pub mod socketmap;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use crate::config::Config;
use crate::lmtp::{Envelope, Mailbox, Reply};
use crate::mail::Wake;
use crate::operations::intake::{self as ops, CommandPlace, Incoming, Outcome};
use crate::operations::{self, Env};
use crate::render::Templates;
use crate::store::{Pool, Target};

use address::{NotOurs, Recipient};

/// Why the door could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The templates (for notices) could not be loaded.
    #[error("loading templates: {0}")]
    Templates(String),
}

/// How many idle database connections the door keeps (one per busy LMTP connection).
const POOL_KEEP: usize = 8;

/// The intake door: one per process, shared by the LMTP connection threads.
pub struct Door {
    config: Config,
    pool: Pool,
    templates: Templates,
    wake: Arc<Wake>,
}

impl Door {
    /// A door over the database `target`; `wake` is the process's sender, woken after each
    /// commit that queued mail.
    pub fn new(config: Config, target: Target, wake: Arc<Wake>) -> Result<Door, Error> {
        let templates =
            Templates::load_with(config.template_dir.as_deref(), config.locale_dir.as_deref())
                .map_err(|e| Error::Templates(e.to_string()))?;
        Ok(Door {
            config,
            pool: Pool::new(target, POOL_KEEP),
            templates,
            wake,
        })
    }

    /// The door's connections, for the socketmap server sharing them.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Takes `message` for one recipient.
    fn deliver_one(&self, from: &str, recipient: &str, message: &[u8]) -> Reply {
        let mut store = match self.pool.get() {
            Ok(store) => store,
            Err(e) => {
                log::error!("mail for {recipient}: database unavailable: {e}");
                return temporary();
            }
        };
        let resolved = match address::resolve(&store.db(), &self.config, recipient) {
            Ok(resolved) => resolved,
            Err(e) => {
                log::error!("mail for {recipient}: database error: {e}");
                return temporary();
            }
        };
        let target = match resolved {
            Ok(target) => target,
            Err(why) => return unknown(why),
        };
        if let Recipient::Post(list) = &target {
            match store.db().list_mail_settings(list.id) {
                Ok(settings) if message.len() as u64 > settings.max_size => {
                    log::info!(
                        "post to {} from <{from}> refused: {} bytes over the list's {}",
                        list.address(),
                        message.len(),
                        settings.max_size
                    );
                    return Reply::new(
                        552,
                        "5.3.4",
                        format!(
                            "Message too big for list {} (at most {} bytes)",
                            list.address(),
                            settings.max_size
                        ),
                    );
                }
                Ok(_) => {}
                Err(e) => {
                    log::error!("mail for {recipient}: database error: {e}");
                    return temporary();
                }
            }
        }
        let incoming = Incoming {
            envelope_from: from,
            raw: message,
            arrived_at: now(),
        };
        let mut env = Env::new(&mut store, &self.config, &self.templates);
        let result = match &target {
            Recipient::Post(list) => ops::post(&mut env, list, &incoming),
            Recipient::Request(list) => {
                ops::commands(&mut env, &CommandPlace::Request(list.clone()), &incoming)
            }
            Recipient::Subscribe(list) => {
                ops::commands(&mut env, &CommandPlace::Subscribe(list.clone()), &incoming)
            }
            Recipient::Unsubscribe(list) => ops::commands(
                &mut env,
                &CommandPlace::Unsubscribe(list.clone()),
                &incoming,
            ),
            Recipient::Robot(domain) => ops::commands(
                &mut env,
                &CommandPlace::Robot {
                    domain: domain.clone(),
                },
                &incoming,
            ),
            Recipient::Editor(list) => ops::to_editors(&mut env, list, &incoming),
            Recipient::Owner(list, token) => {
                ops::to_owners_by_bounce_token(&mut env, Some(list), token.as_deref(), &incoming)
            }
            Recipient::Bounce(token) => {
                ops::to_owners_by_bounce_token(&mut env, None, Some(token), &incoming)
            }
            Recipient::Listmaster(domain) => ops::to_listmasters(&mut env, domain, &incoming),
        };
        let queued = env.has_mail();
        drop(env);
        if queued {
            self.wake.notify();
        }
        match result {
            Ok(outcome) => {
                log::info!(
                    "mail for {recipient} from <{from}>, {} bytes: {}",
                    message.len(),
                    describe(&outcome)
                );
                Reply::new(250, "2.0.0", format!("Ok: {}", outcome.word()))
            }
            Err(operations::Error::Refused(refusal)) => {
                // Operations refuse posts with a notice, not an error; this is a command
                // path that let one through.
                log::warn!("mail for {recipient}: refused: {}", refusal.code());
                Reply::new(550, "5.7.1", format!("Refused: {}", refusal.code()))
            }
            Err(e) => {
                log::error!("mail for {recipient} from <{from}>: {e}; the MTA will retry");
                temporary()
            }
        }
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn temporary() -> Reply {
    Reply::new(
        451,
        "4.3.0",
        "Temporary failure: the list server's database is unavailable; try again later",
    )
}

fn unknown(why: NotOurs) -> Reply {
    match why {
        NotOurs::Syntax => Reply::new(550, "5.1.3", "Bad recipient address syntax"),
        NotOurs::Domain => Reply::new(550, "5.1.2", "No mailing lists in this domain"),
        NotOurs::Unknown => Reply::new(550, "5.1.1", "No such list or address here"),
        // RFC 3463 X.1.6, "destination mailbox has moved": the new address is in the text,
        // which the MTA quotes in its bounce.
        NotOurs::Moved { old, list, same } if same == list => Reply::new(
            550,
            "5.1.6",
            format!("<{old}>: this list has moved to {list}"),
        ),
        NotOurs::Moved { old, list, same } => Reply::new(
            550,
            "5.1.6",
            format!("<{old}>: this list has moved to {list} (this address is now {same})"),
        ),
    }
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Distributed {
            message,
            recipients,
        } => format!("distributed (message {message}, {recipients} recipients)"),
        Outcome::Held { message, reasons } => {
            format!("held (message {message}, {reasons:?})")
        }
        Outcome::Rejected { reason, notified } => {
            format!("rejected ({reason:?}; sender told: {notified})")
        }
        Outcome::Discarded(why) => format!("discarded ({why})"),
        Outcome::Commands { count, reported } => {
            format!("{count} command(s); report sent: {reported}")
        }
        Outcome::Forwarded(n) => format!("forwarded to {n}"),
        Outcome::Bounce(what) => format!("bounce: {what}"),
        Outcome::Duplicate => "duplicate; nothing done".into(),
    }
}

impl Mailbox for Door {
    fn recipient(&self, recipient: &str) -> Reply {
        let store = match self.pool.get() {
            Ok(store) => store,
            Err(e) => {
                log::error!("RCPT {recipient}: database unavailable: {e}");
                return temporary();
            }
        };
        match address::resolve(&store.db(), &self.config, recipient) {
            Ok(Ok(_)) => Reply::new(250, "2.1.5", "Ok"),
            Ok(Err(why)) => unknown(why),
            Err(e) => {
                log::error!("RCPT {recipient}: database error: {e}");
                temporary()
            }
        }
    }

    fn deliver(&self, envelope: &Envelope, message: &[u8]) -> Vec<Reply> {
        envelope
            .recipients
            .iter()
            .map(|recipient| {
                catch_unwind(AssertUnwindSafe(|| {
                    self.deliver_one(&envelope.from, recipient, message)
                }))
                .unwrap_or_else(|_| {
                    log::error!("mail for {recipient}: the intake panicked; the MTA will retry");
                    temporary()
                })
            })
            .collect()
    }

    fn max_size(&self) -> u64 {
        self.config.max_body_size
    }
}
