//! Outgoing mail through lettre: notices composed from `templates/mail/`, and the outbox
//! sender; the only module that imports lettre.
//!
//! Mail is never sent from inside a change, nor while a request waits: an operation composes
//! it with a [`notices`] function and queues the bytes in the outbox in the same transaction
//! as the change. After the commit the request only wakes its process's sender thread
//! ([`sender::Wake::notify`]) and answers; the [`sender`] claims the rows under a lease, hands
//! them to the MTA and retries with backoff what it did not take. `wwsympa sender` runs the
//! same loop as a service.

pub mod decorate;
pub mod digest;
pub mod distribute;
pub mod dmarc;
pub mod notices;
pub mod personalize;
pub mod sender;
pub mod sign;
pub mod smtp;
mod transport;
pub mod verp;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::Mailbox;
use lettre::Message;
use serde_json::{json, Value};

pub use sender::{send_due, Delivery, OnFailure, SenderThread, Wake};
pub use transport::{Transport, CHECK_TIMEOUT};

use crate::config::Config;
use crate::domain::{Email, List};
use crate::i18n::Language;
use crate::render::{self, Templates};
use crate::store::{self, NewMail};

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
    /// The store, to read each recipient's language; without it (or for an address without
    /// an account or a preference) a mail is in the list's language, else the site's.
    pub db: Option<&'a store::Db<'a>>,
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
        self.build(kind, to, list, vars, None)
    }

    /// As [`Composer::compose`], with `message` (a whole RFC 5322 message, such as a held
    /// post) attached as `message/rfc822` after the text (Sympa's moderation notice). A
    /// message that cannot travel as 7bit or 8bit (a NUL byte, a line over 998 bytes) is
    /// not attached: [`Error::Build`], and the caller sends the text alone.
    pub fn compose_with_message(
        &self,
        kind: &str,
        to: &Email,
        list: Option<&ListContext<'_>>,
        vars: Value,
        message: &[u8],
    ) -> Result<NewMail, Error> {
        self.build(kind, to, list, vars, Some(message))
    }

    /// The language of mail to `to`: their account's preference, else `list`'s, else the
    /// site's (`lang`), each when the site has it; English at last.
    pub fn language_of(&self, to: &Email, list: Option<&List>) -> &std::sync::Arc<Language> {
        let catalogues = self.templates.catalogues();
        self.db
            .and_then(|db| db.user(to).ok().flatten())
            .and_then(|record| catalogues.lookup(&record.user.lang))
            .or_else(|| list.and_then(|list| catalogues.lookup(&list.lang)))
            .or_else(|| catalogues.lookup(&self.config.lang))
            .unwrap_or_else(|| catalogues.english())
    }

    /// The text of `mail/<kind>.txt` for `to` as [`Composer::compose`] renders it
    /// (`Subject:` line, blank line, body), without building or queueing a message: what a
    /// preview shows.
    pub fn render_text(
        &self,
        kind: &str,
        to: &Email,
        list: Option<&ListContext<'_>>,
        vars: Value,
    ) -> Result<String, Error> {
        let view = self.view(to, list, vars);
        Ok(self.templates.render(&format!("mail/{kind}.txt"), &view)?)
    }

    /// What a mail template is rendered with: in the recipient's language ([`Composer::language_of`]).
    fn view(&self, to: &Email, list: Option<&ListContext<'_>>, vars: Value) -> Value {
        let language = self.language_of(to, list.map(|context| context.list));
        let mut view = json!({
            "lang": language.tag(),
            "title": self.config.title,
            "domain": self.config.domain,
            "base_url": self.config.base_url(),
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
        view
    }

    fn build(
        &self,
        kind: &str,
        to: &Email,
        list: Option<&ListContext<'_>>,
        vars: Value,
        attached: Option<&[u8]>,
    ) -> Result<NewMail, Error> {
        let base_url = self.config.base_url();
        let text = self.render_text(kind, to, list, vars)?;
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
        let builder = Message::builder()
            .from(from)
            .to(to_box)
            .subject(subject)
            .message_id(Some(message_id))
            .date_now();
        let built = match attached {
            None => builder
                .header(ContentType::TEXT_PLAIN)
                .body(body.to_string()),
            Some(raw) => {
                use lettre::message::header::ContentTransferEncoding;
                use lettre::message::{Body, MultiPart, SinglePart};
                let inner =
                    Body::new_with_encoding(raw.to_vec(), ContentTransferEncoding::EightBit)
                        .map_err(|_| {
                            Error::Build("the message cannot be attached as 8bit".into())
                        })?;
                let rfc822 = ContentType::parse("message/rfc822")
                    .map_err(|e| Error::Build(e.to_string()))?;
                builder.multipart(
                    MultiPart::mixed()
                        .singlepart(SinglePart::plain(body.to_string()))
                        .singlepart(SinglePart::builder().header(rfc822).body(inner)),
                )
            }
        };
        let mut message = built.map_err(|e| Error::Build(e.to_string()))?;
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
