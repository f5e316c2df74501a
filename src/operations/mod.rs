//! What someone can ask the list server to do, whatever the channel (web, SOAP, shell).
//!
//! Every operation has the same shape: check (rate limits, [`crate::domain::decide`]) →
//! change the store in ONE transaction that also queues the resulting mail and writes the
//! audit row ([`Env::transaction`]) → return a value. Mail is only sent after the commit, by
//! the caller, from [`Env::queued`]. An expected "no" is [`Error::Refused`] with a
//! [`Refusal`] whose text is shown to the requester; anything else is a failure to log.

pub mod account;
pub mod admins;
pub mod archive;
pub mod bounces;
pub mod dashboard;
pub mod digests;
pub mod distribution;
pub mod import;
pub mod intake;
pub mod jobs;
pub mod lifecycle;
pub mod limits;
pub mod listmaster;
pub mod lists;
pub mod logs;
pub mod members;
pub mod membership;
pub mod moderation;
mod refusal;
pub mod remind;
mod run;
pub mod settings;
pub mod site_check;
pub mod subscriber;
pub mod texts;
pub mod tokens;

#[cfg(test)]
mod doors_tests;
#[cfg(test)]
mod env_tests;
#[cfg(test)]
mod listmaster_tests;
#[cfg(test)]
mod owner_pages_tests;
#[cfg(test)]
mod test_support;

pub use refusal::{Existing, Field, Refusal, SettingProblem};
pub use run::{run, Handoff};

use std::net::IpAddr;

use serde_json::Value;

use crate::config::Config;
use crate::domain::{decide, ActionKind, Decision, Email, List, ListId, Roles};
use crate::mail::{self, Composer};
use crate::render::Templates;
use crate::store::{self, AuditEntry, Db, NewMail, Store};

/// Through which door a request came; written to the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// The web interface.
    Web,
    /// The SOAP interface.
    Soap,
    /// The JSON API.
    Api,
    /// The `wwsympa` command line.
    Cli,
    /// Mail: a post, a command to `sympa@` or `LIST-request@`, a bounce, a moderator's
    /// reply (the requester is the message's sender).
    Mail,
}

impl Channel {
    /// The word in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Soap => "soap",
            Channel::Api => "api",
            Channel::Cli => "cli",
            Channel::Mail => "mail",
        }
    }
}

/// Who asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requester {
    /// The authenticated address; `None` for an anonymous visitor.
    pub email: Option<Email>,
    /// A listmaster of the domain (account flag or configuration).
    pub listmaster: bool,
    /// The client's address, when known (rate limits, audit).
    pub remote_addr: Option<IpAddr>,
    /// The door used.
    pub channel: Channel,
    /// The requester's roles on one list, when the door has just read them in this request
    /// from this store (the web does, to answer its own way before the handler): operations
    /// on that list decide from them instead of reading them again. Still decided by the
    /// operation, with [`crate::domain::decide`].
    pub known_roles: Option<(ListId, Roles)>,
}

impl Requester {
    /// An anonymous requester.
    pub fn anonymous(channel: Channel, remote_addr: Option<IpAddr>) -> Requester {
        Requester {
            email: None,
            listmaster: false,
            remote_addr,
            channel,
            known_roles: None,
        }
    }

    /// The administrator at the shell: a listmaster with no address.
    pub fn shell() -> Requester {
        Requester {
            email: None,
            listmaster: true,
            remote_addr: None,
            channel: Channel::Cli,
            known_roles: None,
        }
    }

    /// The client address as text, for the audit log.
    pub fn remote(&self) -> Option<String> {
        self.remote_addr.map(|a| a.to_string())
    }
}

/// Why an operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An expected "no": nothing changed; each door says it its way (a page through
    /// [`crate::messages`], a SOAP fault, a JSON error body) from [`Refusal::code`].
    #[error("refused: {}", .0.code())]
    Refused(Refusal),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// A mail could not be composed.
    #[error(transparent)]
    Mail(#[from] mail::Error),
    /// A secret could not be made.
    #[error(transparent)]
    Auth(#[from] crate::auth::Error),
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Error {
        Error::Refused(refusal)
    }
}

/// What operations work with: the store, the configuration and the mail templates.
pub struct Env<'a> {
    /// The database.
    pub store: &'a mut Store,
    /// The configuration.
    pub config: &'a Config,
    /// The templates (for mail).
    pub templates: &'a Templates,
    /// Outbox ids committed by operations run in this environment, to send after commit.
    pub queued: Vec<i64>,
    /// Deliveries (list posts) committed by operations run in this environment: the sender
    /// is woken for them after the commit, as for [`Env::queued`].
    pub deliveries: Vec<i64>,
}

/// One transaction of one operation: the queries, mail queueing and the audit log.
pub struct Tx<'t, 'c> {
    /// The queries, inside the transaction.
    pub db: &'t Db<'c>,
    /// Composes mail.
    pub composer: Composer<'t>,
    /// Who asks.
    pub requester: &'t Requester,
    queued: Vec<i64>,
    deliveries: Vec<i64>,
}

impl Tx<'_, '_> {
    /// Queues a composed mail in this transaction.
    pub fn queue(&mut self, mail: Result<NewMail, mail::Error>) -> Result<(), Error> {
        let id = self.db.enqueue_mail(&mail?)?;
        self.queued.push(id);
        Ok(())
    }

    /// Notes that delivery `id` was queued in this transaction, so that the door wakes the
    /// sender once it is committed ([`Env::has_mail`]).
    pub fn note_delivery(&mut self, id: i64) {
        self.deliveries.push(id);
    }

    /// Writes the audit row for this change.
    pub fn audit(
        &self,
        action: &str,
        list: Option<&List>,
        target: Option<&Email>,
        detail: Value,
    ) -> Result<(), Error> {
        self.db.audit(&AuditEntry {
            actor: self.requester.email.as_ref(),
            remote_addr: self.requester.remote(),
            channel: self.requester.channel.as_str(),
            action,
            list: list.map(|l| l.id),
            target,
            detail,
        })?;
        Ok(())
    }
}

impl<'a> Env<'a> {
    /// An environment over `store`.
    pub fn new(store: &'a mut Store, config: &'a Config, templates: &'a Templates) -> Env<'a> {
        Env {
            store,
            config,
            templates,
            queued: Vec::new(),
            deliveries: Vec::new(),
        }
    }

    /// Returns true if and only if operations run in this environment committed mail (outbox
    /// rows or list deliveries): the door then wakes its process's sender.
    pub fn has_mail(&self) -> bool {
        !self.queued.is_empty() || !self.deliveries.is_empty()
    }

    /// Queries outside a transaction (reads, rate-limit counters that must survive a refusal).
    pub fn db(&self) -> Db<'_> {
        self.store.db()
    }

    /// Runs the reads of `work` on one snapshot (see [`Store::snapshot`]).
    pub fn snapshot<T>(&self, work: impl FnOnce(&Db<'_>) -> Result<T, Error>) -> Result<T, Error> {
        self.store.snapshot(work)
    }

    /// Runs `work` in one transaction; its queued mail is remembered in [`Env::queued`] once committed.
    pub fn transaction<T>(
        &mut self,
        requester: &Requester,
        work: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let composer = Composer {
            config: self.config,
            templates: self.templates,
            db: None,
        };
        let mut queued = Vec::new();
        let mut deliveries = Vec::new();
        let value = self.store.transaction(|db| {
            let mut tx = Tx {
                db,
                // Inside the transaction, recipients' languages are read from the store.
                composer: Composer {
                    db: Some(db),
                    ..composer
                },
                requester,
                queued: Vec::new(),
                deliveries: Vec::new(),
            };
            let value = work(&mut tx)?;
            queued = tx.queued;
            deliveries = tx.deliveries;
            Ok::<_, Error>(value)
        })?;
        self.queued.extend(queued);
        self.deliveries.extend(deliveries);
        Ok(value)
    }

    /// What `requester` is on `list`; the shell's listmaster has no address but is one.
    pub fn roles(&self, requester: &Requester, list: &List) -> Result<Roles, Error> {
        if let Some((known, roles)) = requester.known_roles {
            if known == list.id {
                return Ok(roles);
            }
        }
        if requester.email.is_none() && requester.listmaster {
            return Ok(Roles {
                user: true,
                listmaster: true,
                ..Roles::ANONYMOUS
            });
        }
        Ok(self
            .db()
            .roles(list.id, requester.email.as_ref(), requester.listmaster)?)
    }

    /// Decides `kind` for `requester` on `list`; a refusal becomes [`Error::Refused`].
    pub fn authorize(
        &self,
        requester: &Requester,
        list: &List,
        kind: ActionKind,
    ) -> Result<Decision, Error> {
        match decide(kind, &self.roles(requester, list)?, &list.policy) {
            Decision::Refuse(reason) => Err(Refusal::Denied(reason).into()),
            decision => Ok(decision),
        }
    }
}

impl Env<'_> {
    /// The RFC 8058 one-click unsubscribe URL for `email` on `list`, made today.
    pub fn oneclick_url(&self, list: &List, email: &Email) -> Result<String, Error> {
        let secret = self.site_secret("oneclick")?;
        let day = store::now().div_euclid(86_400);
        // The same URL as the one in each copy of a list post (the sender makes those).
        Ok(mail::personalize::oneclick_url(
            self.config.base_url(),
            list.name.as_str(),
            &list.address(),
            email.as_str(),
            &secret,
            day,
        ))
    }

    /// The site secret `name`, made from the OS random source on first use.
    pub fn site_secret(&self, name: &str) -> Result<Vec<u8>, Error> {
        let mut candidate = [0u8; 32];
        crate::auth::random_bytes(&mut candidate)?;
        Ok(self.db().site_secret(name, &candidate)?)
    }
}

/// Percent-encodes `text` for a URL as Sympa does: all but `A-Za-z0-9-._~` (so `@` is `%40`).
pub fn encode(text: &str) -> String {
    const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(text, UNRESERVED).to_string()
}

/// Checks that `text` has at most `max` characters.
pub fn check_length(field: Field, text: &str, max: usize) -> Result<(), Refusal> {
    if text.chars().count() > max {
        Err(Refusal::TooLong { field, max })
    } else {
        Ok(())
    }
}

/// Parses an address typed by someone, as a refusal when it is not one.
pub fn parse_email(text: &str) -> Result<Email, Refusal> {
    Email::parse(text).map_err(|_| Refusal::InvalidAddress)
}

#[cfg(test)]
mod tests {
    use super::{check_length, Field, Refusal};

    #[test]
    fn a_text_of_the_longest_length_is_accepted_and_one_character_more_refused() {
        assert_eq!(check_length(Field::Name, &"é".repeat(5), 5), Ok(()));
        assert_eq!(
            check_length(Field::Name, &"é".repeat(6), 5),
            Err(Refusal::TooLong {
                field: Field::Name,
                max: 5
            })
        );
    }
}
