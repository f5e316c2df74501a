//! Ctx: everything a handler may use for one request, in place of WWSympa's process-wide globals.
//!
//! It carries the session (and so the CSRF token), the logged-in user, the list named in
//! the URL (loaded once, before the handler) with the requester's roles on it, the notices
//! for the page, and the outbox ids the handler's operations committed (the sender is woken
//! for them once the page is ready; the request never waits on the MTA).

use std::rc::Rc;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::auth;
use crate::config::Config;
use crate::domain::{Decision, List, Roles, User};
use crate::http::cookie::SetCookie;
use crate::http::{Form, Request};
use crate::i18n::Language;
use crate::operations::{self, Channel, Env, Handoff, Refusal, Requester};
use crate::render::Templates;
use crate::store::{Pooled, SessionRecord};

use super::Error;

/// The session cookie's name (Sympa's), shared with the SOAP door.
pub const SESSION_COOKIE: &str = crate::http::cookie::SESSION_COOKIE;

/// The cookie that carries a visitor's CSRF secret while they have no session: forms shown
/// to anonymous visitors need a token, but not a session row (300 cookieless page views
/// used to leave 300 rows). A random 256-bit value; the token is derived from it as from a
/// session id, and a POST must bring both.
pub const CSRF_COOKIE: &str = "sympa_csrf";

/// How a notice is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Information.
    Info,
    /// Something worked.
    Success,
    /// Something was refused or failed.
    Error,
}

/// A message shown above the page content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Notice {
    /// How it is shown.
    pub level: Level,
    /// The text (escaped when rendered).
    pub text: String,
}

/// The visitor's session: the secret id from the cookie and the stored record.
#[derive(Debug, Clone)]
pub struct Session {
    /// The secret id, as in the cookie; only its hash is stored.
    pub secret: String,
    /// The stored record.
    pub record: SessionRecord,
}

/// Per-request state handed to every handler.
pub struct Ctx<'a> {
    /// The configuration in force for this request.
    pub config: &'a Config,
    /// The templates (pages and mail).
    pub templates: &'a Templates,
    /// `wwsympa_url`'s path.
    pub base: &'a str,
    /// The request.
    pub request: &'a Request,
    /// The action's name, after alias resolution.
    pub action: &'static str,
    /// Query and form fields, with the positional path arguments added under their names.
    pub params: Form,
    /// A database connection.
    pub store: Pooled<'a>,
    /// The session, if the visitor has a live one (or one was made to keep something).
    pub session: Option<Session>,
    /// Without a session: the CSRF secret from [`CSRF_COOKIE`], or the one made for this page.
    pub anonymous_csrf: Option<String>,
    /// The logged-in user.
    pub user: Option<User>,
    /// The list named in the URL, for actions that work on one (their handler gets it too).
    pub list: Option<Rc<List>>,
    /// The requester's roles on [`Ctx::list`].
    pub roles: Roles,
    /// For `Access::Policy` rows: what the policy decided.
    pub decision: Option<Decision>,
    /// Notices for the page.
    pub notices: Vec<Notice>,
    /// Cookies to set on the response.
    pub cookies: Vec<SetCookie>,
    /// Wakes this process's outbox sender when an operation committed mail.
    pub outbox: &'a crate::mail::Wake,
    /// Set by handlers of pages that answer conditional GETs (the archive's): the page gets
    /// `ETag` and `Last-Modified`, and a client with a current copy a 304.
    pub validators: Option<super::conditional::Validators>,
    /// Header fields the handler adds to its page (a stricter Content-Security-Policy).
    pub headers: Vec<(String, String)>,
    /// What the request asked for (the `set_lang` cookie, `Accept-Language`), if the site has it.
    pub asked_language: Option<Arc<Language>>,
    /// The page's language: what the request asked for until the user and the list are
    /// known, then chosen by [`Ctx::settle_language`] (see `web/language.rs`).
    pub language: Arc<Language>,
}

impl<'a> Ctx<'a> {
    /// The parameter `name`, if given and not empty.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).filter(|v| !v.is_empty())
    }

    /// The parameter `name`, or "".
    pub fn text(&self, name: &str) -> &str {
        self.params.get(name).unwrap_or("")
    }

    /// Adds a notice to the page.
    pub fn notice(&mut self, level: Level, text: impl Into<String>) {
        self.notices.push(Notice {
            level,
            text: text.into(),
        });
    }

    /// Chooses the page's language from what is known now: the user's preference, what the
    /// request asked for, the list's, the site's.
    pub fn settle_language(&mut self) {
        let chosen = super::language::choose(
            self.templates.catalogues(),
            self.user.as_ref().map(|user| user.lang.as_str()),
            self.asked_language.as_ref(),
            self.list.as_ref().map(|list| list.lang.as_str()),
            &self.config.lang,
        );
        if !Arc::ptr_eq(chosen, &self.language) {
            self.language = Arc::clone(chosen);
        }
    }

    /// Sets a cookie that lasts `max_age` seconds (a session cookie without), on this site's path.
    pub fn set_cookie(&mut self, name: &str, value: String, max_age: Option<i64>) {
        let cookie = self.cookie(name, value, max_age);
        self.cookies.retain(|c| c.name != name);
        self.cookies.push(cookie);
    }

    /// Who asks, for operations.
    pub fn requester(&self) -> Requester {
        Requester {
            email: self.user.as_ref().map(|u| u.email.clone()),
            listmaster: self.user.as_ref().is_some_and(|u| u.listmaster),
            remote_addr: self.request.remote_addr,
            channel: Channel::Web,
            // Read before the handler, on the same snapshot as the list.
            known_roles: self.list.as_ref().map(|list| (list.id, self.roles)),
        }
    }

    /// Runs an operation; the mail it committed leaves after the response.
    pub fn run<T>(
        &mut self,
        operation: impl FnOnce(&mut Env<'_>, &Requester) -> Result<T, operations::Error>,
    ) -> Result<T, operations::Error> {
        let requester = self.requester();
        operations::run(
            &mut self.store,
            self.config,
            self.templates,
            &requester,
            Handoff::Wake(self.outbox),
            operation,
        )
    }

    /// The CSRF token for forms: the session's, or without a session the one of the
    /// [`CSRF_COOKIE`] secret, set now if the visitor has none (no row is written).
    pub fn csrf_token(&mut self) -> Result<String, Error> {
        if let Some(session) = &self.session {
            return Ok(auth::csrf_token(&session.secret));
        }
        if let Some(secret) = &self.anonymous_csrf {
            return Ok(auth::csrf_token(secret));
        }
        let secret = auth::random_token().map_err(operations::Error::from)?;
        let cookie = self.cookie(CSRF_COOKIE, secret.clone(), None);
        self.cookies.push(cookie);
        let token = auth::csrf_token(&secret);
        self.anonymous_csrf = Some(secret);
        Ok(token)
    }

    /// Makes sure the page gets a CSRF token for its forms: without a session, the
    /// [`CSRF_COOKIE`] secret is set now if the visitor has none (no row is written). The
    /// page's `csrf_token` field is then the one of the session or of that secret.
    pub fn ensure_csrf_token(&mut self) -> Result<(), Error> {
        self.csrf_token().map(drop)
    }

    /// Returns true if and only if `submitted` is the CSRF token of the visitor's session,
    /// or, without one, of their [`CSRF_COOKIE`] secret.
    pub fn csrf_is_valid(&self, submitted: Option<&str>) -> bool {
        let Some(submitted) = submitted else {
            return false;
        };
        match (&self.session, &self.anonymous_csrf) {
            (Some(session), _) => auth::check_csrf(&session.secret, submitted),
            (None, Some(secret)) => auth::check_csrf(secret, submitted),
            (None, None) => false,
        }
    }

    fn session_cookie(&self, value: String, max_age: Option<i64>) -> SetCookie {
        self.cookie(SESSION_COOKIE, value, max_age)
    }

    fn cookie(&self, name: &str, value: String, max_age: Option<i64>) -> SetCookie {
        SetCookie {
            name: name.into(),
            value,
            path: if self.base.is_empty() {
                "/".into()
            } else {
                self.base.to_string()
            },
            domain: self.config.cookie_domain().map(str::to_string),
            secure: self.request.https,
            max_age,
        }
    }

    /// Starts a fresh session (ending the current one): at login, so the id changes with privilege.
    pub fn start_session(&mut self, user: Option<User>) -> Result<(), Error> {
        if let Some(old) = self.session.take() {
            self.store.db().delete_session(old.record.id)?;
        }
        let secret = auth::random_token().map_err(operations::Error::from)?;
        let ttl = if user.is_some() {
            self.config.session_table_ttl
        } else {
            self.config.anonymous_session_table_ttl
        } as i64;
        let remote = self.request.remote_addr.map(|a| a.to_string());
        let record = self.store.db().create_session(
            &auth::token_hash(&secret),
            &self.config.domain,
            user.as_ref().map(|u| &u.email),
            remote.as_deref(),
            ttl,
        )?;
        let cookie = self.session_cookie(secret.clone(), None);
        self.cookies.retain(|c| c.name != SESSION_COOKIE);
        self.cookies.push(cookie);
        self.session = Some(Session { secret, record });
        self.user = user;
        Ok(())
    }

    /// Ends the session and deletes the cookie.
    pub fn end_session(&mut self) -> Result<(), Error> {
        if let Some(old) = self.session.take() {
            self.store.db().delete_session(old.record.id)?;
        }
        self.user = None;
        let cookie = self.session_cookie(String::new(), Some(0));
        self.cookies.retain(|c| c.name != SESSION_COOKIE);
        self.cookies.push(cookie);
        Ok(())
    }

    /// Keeps a notice for the next page (after a redirect).
    pub fn flash(&mut self, level: Level, text: impl Into<String>) -> Result<(), Error> {
        if self.session.is_none() {
            self.start_session(None)?;
        }
        let session = self.session.as_mut().expect("just made");
        let notices = session
            .record
            .data
            .entry("notices")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = notices {
            list.push(serde_json::json!({ "level": level, "text": text.into() }));
        }
        self.store
            .db()
            .set_session_data(session.record.id, &session.record.data)?;
        Ok(())
    }

    /// Returns true if and only if the visitor is seen through a session or a CSRF secret,
    /// so that a page may hold something of theirs (`Cache-Control: private`).
    pub fn is_private(&self) -> bool {
        self.session.is_some() || self.anonymous_csrf.is_some() || !self.cookies.is_empty()
    }

    /// Returns true if and only if the request's `If-None-Match` names `etag`: the handler
    /// may answer [`super::conditional::not_modified`] without reading more.
    pub fn holds(&self, etag: &str) -> bool {
        super::conditional::etag_matches(self.request, etag)
    }

    /// The URL path of `action` with `args`, each percent-encoded: `<base>/action/arg1/arg2`.
    pub fn url(&self, action: &str, args: &[&str]) -> String {
        let mut url = format!("{}/{action}", self.base);
        for arg in args {
            url.push('/');
            url.push_str(&crate::web::encode_segment(arg));
        }
        url
    }

    /// Turns an operation's error into what the handler returns: a refusal stays a value
    /// for the page to show; a failure becomes a web error.
    pub fn refusal(&self, error: operations::Error) -> Result<Refusal, Error> {
        match error {
            operations::Error::Refused(refusal) => Ok(refusal),
            other => Err(Error::Operation(other)),
        }
    }
}
