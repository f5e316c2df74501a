//! Outgoing mail through lettre: notices composed from `templates/mail/`, the outbox delivery
//! and the long-running sender; the only module that imports lettre.
//!
//! Mail is never sent from inside a change: an operation composes it with a [`notices`]
//! function and queues the bytes in the outbox in the same transaction as the change. After
//! the commit the web process calls [`deliver`] on those ids right away, waiting at most 5
//! seconds per SMTP step and stopping at the first failure; whatever the MTA did not take
//! stays in the outbox and `wwsympa sender` ([`run_sender`]) retries it with backoff.

pub mod notices;
mod transport;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::Mailbox;
use lettre::Message;
use serde_json::{json, Value};

pub use transport::Transport;

use crate::config::Config;
use crate::domain::{Email, List};
use crate::render::{self, Templates};
use crate::store::{self, NewMail, Store};

/// Why a mail could not be composed or sent.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Its template failed.
    #[error("mail template: {0}")]
    Template(#[from] render::Error),
    /// The message could not be built (bad address, bad header).
    #[error("building a mail: {0}")]
    Build(String),
    /// The MTA did not take it.
    #[error("sending a mail: {0}")]
    Send(String),
    /// The outbox failed.
    #[error(transparent)]
    Store(#[from] store::Error),
}

/// What composing needs: the configuration and the templates.
#[derive(Clone, Copy)]
pub struct Composer<'a> {
    /// The configuration (addresses, `wwsympa_url`).
    pub config: &'a Config,
    /// The templates, `mail/<kind>.txt` among them.
    pub templates: &'a Templates,
}

/// The list a mail is about, and whether it goes to a member (one-click unsubscribe link).
pub struct ListContext<'a> {
    /// The list.
    pub list: &'a List,
    /// For mail to a member: the RFC 8058 one-click URL for this recipient.
    pub oneclick_url: Option<String>,
}

impl Composer<'_> {
    /// Renders `mail/<kind>.txt` for `to` and builds the message, with `List-*` headers when a list is concerned.
    ///
    /// The template starts with `Subject: ...` lines, then a blank line, then the body.
    pub fn compose(
        &self,
        kind: &str,
        to: &Email,
        list: Option<&ListContext<'_>>,
        vars: Value,
    ) -> Result<NewMail, Error> {
        let base_url = self.config.base_url();
        let mut view = json!({
            "title": self.config.title,
            "domain": self.config.domain,
            "base_url": base_url,
            "email": to.as_str(),
        });
        if let Some(context) = list {
            view["list"] = json!({
                "name": context.list.name,
                "address": context.list.address(),
                "subject": context.list.subject,
            });
        }
        if let (Value::Object(view), Value::Object(vars)) = (&mut view, vars) {
            view.extend(vars);
        }
        let text = self.templates.render(&format!("mail/{kind}.txt"), &view)?;
        let (head, body) = text.split_once("\n\n").unwrap_or(("", text.as_str()));
        let subject = head
            .lines()
            .find_map(|line| line.strip_prefix("Subject:"))
            .map(str::trim)
            .unwrap_or(kind);

        let from_address = self.config.service_address();
        let from = Mailbox::new(
            Some(self.config.gecos.clone()),
            from_address
                .parse()
                .map_err(|e| Error::Build(format!("service address {from_address:?}: {e}")))?,
        );
        let to_box: Mailbox = to
            .as_str()
            .parse()
            .map_err(|e| Error::Build(format!("recipient {to}: {e}")))?;
        let message_id = format!(
            "<{}@{}>",
            crate::auth::random_token().map_err(|e| Error::Build(e.to_string()))?,
            self.config.domain
        );
        let mut message = Message::builder()
            .from(from)
            .to(to_box)
            .subject(subject)
            .message_id(Some(message_id))
            .date_now()
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| Error::Build(e.to_string()))?;
        let headers = message.headers_mut();
        let mut add = |name: &'static str, value: String| {
            headers.insert_raw(HeaderValue::new(
                HeaderName::new_from_ascii_str(name),
                value,
            ));
        };
        add("Auto-Submitted", "auto-generated".into());
        if let Some(context) = list {
            let name = &context.list.name;
            add("List-Id", context.list.list_id_header());
            add("List-Help", format!("<{base_url}/help>"));
            add("List-Subscribe", format!("<{base_url}/subscribe/{name}>"));
            add("List-Archive", format!("<{base_url}/arc/{name}>"));
            add(
                "List-Owner",
                format!("<mailto:{name}-request@{}>", context.list.domain),
            );
            match &context.oneclick_url {
                Some(url) => {
                    add("List-Unsubscribe", format!("<{url}>"));
                    add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".into());
                }
                None => add("List-Unsubscribe", format!("<{base_url}/signoff/{name}>")),
            }
        }
        Ok(NewMail {
            kind: kind.to_string(),
            list: list.map(|l| l.list.id),
            envelope_from: match list {
                // Bounces of list mail go to the list's owners, as Sympa's LIST-owner.
                Some(context) => format!("{}-owner@{}", context.list.name, context.list.domain),
                None => from_address,
            },
            recipients: vec![to.as_str().to_string()],
            message: message.formatted(),
        })
    }
}

/// What one delivery round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Handed to the MTA.
    pub sent: usize,
    /// Not taken; will be retried.
    pub deferred: usize,
    /// Not taken, and too old to retry: given up.
    pub failed: usize,
    /// Not tried, left in the outbox for the sender (see [`OnFailure::Stop`]).
    pub left: usize,
}

/// Seconds to wait after `attempts` failed tries: `first` doubled each time, at most an hour.
pub fn retry_delay(first: u64, attempts: u32) -> i64 {
    let delay = first.max(1).saturating_mul(1u64 << attempts.min(20));
    delay.min(3600) as i64
}

/// What [`deliver`] does with the rest of its messages once one could not be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnFailure {
    /// Try each of them (the sender: every message gets its attempt).
    GoOn,
    /// Leave them in the outbox, untried, for the sender (a web request: when the MTA does
    /// not answer, one timeout is all the visitor should wait).
    Stop,
}

/// Tries to send the outbox messages `ids` that are due and not claimed by another sender.
///
/// A message the MTA refuses is retried later; after `mail_retry_period` it is given up.
/// Only store failures are errors; send failures are recorded on the message.
pub fn deliver(
    store: &Store,
    transport: &Transport,
    config: &Config,
    ids: &[i64],
    on_failure: OnFailure,
) -> Result<Delivery, Error> {
    let mut report = Delivery::default();
    for &id in ids {
        if on_failure == OnFailure::Stop && report.deferred + report.failed > 0 {
            report.left += 1;
            continue;
        }
        let Some(mail) = store.db().claim_mail(id)? else {
            continue;
        };
        match transport.send(&mail.envelope_from, &mail.recipients, &mail.message) {
            Ok(()) => {
                store.db().mail_sent(id)?;
                log::info!(
                    "mail #{id} ({}) to {} sent",
                    mail.kind,
                    mail.recipients.join(", ")
                );
                report.sent += 1;
            }
            Err(e) => {
                let age = store::now() - mail.created_at;
                let give_up = age > config.mail_retry_period as i64;
                let retry_in =
                    (!give_up).then(|| retry_delay(config.mail_retry_delay, mail.attempts));
                store.db().mail_failed(id, &e.to_string(), retry_in)?;
                if give_up {
                    log::error!("mail #{id} ({}) given up: {e}", mail.kind);
                    report.failed += 1;
                } else {
                    log::warn!(
                        "mail #{id} ({}) deferred {}s: {e}",
                        mail.kind,
                        retry_in.unwrap_or(0)
                    );
                    report.deferred += 1;
                }
            }
        }
    }
    Ok(report)
}

/// Runs until `stop` is set: sends whatever is due, sleeps until the next message is due
/// (at most `poll`), purges expired sessions and tickets now and then.
///
/// Store errors are logged and retried after a pause: a busy or briefly missing database
/// must not stop the sender.
pub fn run_sender(
    store: &Store,
    transport: &Transport,
    config: &Config,
    stop: &AtomicBool,
    poll: Duration,
) {
    let mut last_purge: Option<Instant> = None;
    while !stop.load(Ordering::SeqCst) {
        let mut round = || -> Result<Option<i64>, Error> {
            if last_purge.is_none_or(|at| at.elapsed() > Duration::from_secs(600)) {
                store.db().purge_expired()?;
                last_purge = Some(Instant::now());
            }
            loop {
                let due = store.db().due_mail(100)?;
                if due.is_empty() || stop.load(Ordering::SeqCst) {
                    break;
                }
                let report = deliver(store, transport, config, &due, OnFailure::GoOn)?;
                if report.sent == 0 {
                    break;
                }
            }
            Ok(store.db().next_mail_due_in()?)
        };
        let wait = match round() {
            Ok(Some(seconds)) => Duration::from_secs(seconds as u64).min(poll),
            Ok(None) => poll,
            Err(e) => {
                log::error!("sender: {e}");
                poll
            }
        }
        .max(Duration::from_millis(100));
        let until = Instant::now() + wait;
        while !stop.load(Ordering::SeqCst) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    log::info!("sender: stopping");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_delay(60, 0), 60);
        assert_eq!(retry_delay(60, 1), 120);
        assert_eq!(retry_delay(60, 5), 1920);
        assert_eq!(retry_delay(60, 6), 3600);
        assert_eq!(retry_delay(60, 200), 3600);
        assert_eq!(retry_delay(0, 0), 1);
    }

    /// With no MTA listening, a web request tries one message and leaves the rest, still
    /// due, to the sender; the sender tries each.
    #[test]
    fn a_request_stops_at_the_first_failure_and_the_sender_does_not() {
        let mut store = Store::open_in_memory().unwrap();
        store.migrate().unwrap();
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let config = Config {
            smtp_host: "127.0.0.1".into(),
            smtp_port: closed.local_addr().unwrap().port(),
            ..Config::default()
        };
        drop(closed);
        let mail = store::NewMail {
            kind: "welcome".into(),
            list: None,
            envelope_from: "sympa@lists.example.org".into(),
            recipients: vec!["a@example.org".into()],
            message: b"Subject: hi\r\n\r\nhi\r\n".to_vec(),
        };
        let ids: Vec<i64> = (0..3)
            .map(|_| store.db().enqueue_mail(&mail).unwrap())
            .collect();
        let transport = Transport::for_requests(&config);
        let report = deliver(&store, &transport, &config, &ids, OnFailure::Stop).unwrap();
        assert_eq!((report.sent, report.deferred, report.left), (0, 1, 2));
        // The two left are still due now; the one tried waits for its retry.
        let due = store.db().due_mail(10).unwrap();
        assert_eq!(due, ids[1..]);
        let report = deliver(&store, &transport, &config, &due, OnFailure::GoOn).unwrap();
        assert_eq!((report.deferred, report.left), (2, 0));
    }
}
