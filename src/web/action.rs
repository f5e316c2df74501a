//! The vocabulary of the action table: what an action is, who may run it, how it is called.
//!
//! A row is built with const builders, so the table reads as a list of facts:
//! `Action::site("login", account::login).args(&[..]).form()`, or `Action::list(..)` for an
//! action on the list named by its first argument, whose handler then gets the loaded list.
//! The defaults are the safe ones: GET only, anyone, and — once a row accepts POST — a CSRF
//! check that only an explicit [`Action::csrf_exempt`] with its reason can lift. The page's
//! template is named after the action.

use super::ctx::Ctx;
use super::outcome::Outcome;
use super::Error;
use crate::domain::{ActionKind, List};

/// A handler: a plain function from the request context (and, for list rows, the list the
/// row loaded) to an outcome.
#[derive(Debug, Clone, Copy)]
pub enum Handler {
    /// An action on the site.
    Site(fn(&mut Ctx<'_>) -> Result<Outcome, Error>),
    /// An action on the list named by the first path argument, loaded before it runs.
    List(fn(&mut Ctx<'_>, &List) -> Result<Outcome, Error>),
}

/// Who may run an action, in the vocabulary of [`crate::domain::decide`]: checked before
/// the handler so that the web answers its own way (a 404 for a list the visitor may not
/// see, the login page for an anonymous visitor, 403 otherwise), and decided again by the
/// operation the handler calls, which is what SOAP and JSON rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not.
    Anyone,
    /// Any logged-in user (an anonymous visitor is sent to the login page and back).
    User,
    /// Whatever [`crate::domain::decide`] answers for this kind on the list's policies and
    /// the requester's roles; needs a list row. The decision is in [`Ctx::decision`].
    Policy(ActionKind),
}

/// Which HTTP methods an action answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Methods {
    /// GET and HEAD only: the action changes nothing.
    Read,
    /// GET shows a form, POST acts on it.
    Form,
    /// POST only: the action always changes something.
    Post,
}

impl Methods {
    /// Returns true if and only if the row takes POST.
    pub const fn allows_post(self) -> bool {
        matches!(self, Methods::Form | Methods::Post)
    }

    /// Returns true if and only if the row takes GET and HEAD.
    pub const fn allows_get(self) -> bool {
        matches!(self, Methods::Read | Methods::Form)
    }
}

/// Whether a POST must carry the session's CSRF token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Csrf {
    /// Yes: the default.
    Checked,
    /// No, for the reason given (the request is authenticated some other way).
    Exempt(&'static str),
}

/// One row of the action table: every fact about an action in one place.
#[derive(Debug)]
pub struct Action {
    /// The name in URLs (`<base>/<name>/<args>`), the handler's name and the template's name
    /// (`web/<name>.html`, unless the handler says another).
    pub name: &'static str,
    /// The handler.
    pub handler: Handler,
    /// Names of the positional path arguments, in order (Sympa's `%action_args`).
    pub args: &'static [&'static str],
    /// Who may run it.
    pub access: Access,
    /// How it may be called.
    pub methods: Methods,
    /// Whether its POSTs need the CSRF token.
    pub csrf: Csrf,
    /// Returns true if and only if it works on the list named by the `list` argument, which
    /// is then loaded once; an unknown, closed or invisible list is a 404 page. Set with a
    /// [`Handler::List`] by [`Action::list`].
    pub list: bool,
    /// Returns true if and only if what an anonymous visitor gets depends only on the lists'
    /// rows and the archived messages, so the page may be kept and served again until one of
    /// them changes.
    pub cached: bool,
    /// The largest request body it reads, in bytes; past it the answer is 413 before the
    /// body is read (the doors ask through `Service::body_limit`).
    pub max_body: u64,
    /// The most fields its query string and its form may have (each counted alone).
    pub max_fields: usize,
}

/// [`Action::max_body`] of an ordinary form: login, subscription, options, a password.
pub const FORM_BODY: u64 = 16 * 1024;
/// [`Action::max_fields`] of an ordinary form.
pub const FORM_FIELDS: usize = crate::http::form::DEFAULT_MAX_FIELDS;
/// [`Action::max_body`] of a form that takes many addresses or requests at once (a thousand
/// addresses with names and their encoding fit).
pub const BULK_BODY: u64 = 2 * 1024 * 1024;
/// [`Action::max_fields`] of such a form: the thousand requests an owner may decide at once, and the rest of the form.
pub const BULK_FIELDS: usize = crate::operations::members::MAX_AT_ONCE + FORM_FIELDS;

impl Action {
    /// A GET-only action on the site that anyone may run, without arguments.
    pub const fn site(
        name: &'static str,
        handler: fn(&mut Ctx<'_>) -> Result<Outcome, Error>,
    ) -> Action {
        Action::new(name, Handler::Site(handler), false)
    }

    /// A GET-only action on the list named by the first path argument (name it `list` in
    /// [`Action::args`]); its handler gets the list, loaded once before it runs.
    pub const fn list(
        name: &'static str,
        handler: fn(&mut Ctx<'_>, &List) -> Result<Outcome, Error>,
    ) -> Action {
        Action::new(name, Handler::List(handler), true)
    }

    const fn new(name: &'static str, handler: Handler, list: bool) -> Action {
        Action {
            name,
            handler,
            args: &[],
            access: Access::Anyone,
            methods: Methods::Read,
            csrf: Csrf::Checked,
            list,
            cached: false,
            max_body: FORM_BODY,
            max_fields: FORM_FIELDS,
        }
    }

    /// Takes many addresses or requests at once: a larger body and more fields.
    pub const fn bulk(mut self) -> Action {
        self.max_body = BULK_BODY;
        self.max_fields = BULK_FIELDS;
        self
    }

    /// Names the path arguments.
    pub const fn args(mut self, args: &'static [&'static str]) -> Action {
        self.args = args;
        self
    }

    /// Restricts who may run it.
    pub const fn access(mut self, access: Access) -> Action {
        self.access = access;
        self
    }

    /// GET shows, POST acts (CSRF-checked).
    pub const fn form(mut self) -> Action {
        self.methods = Methods::Form;
        self
    }

    /// POST only (CSRF-checked).
    pub const fn post(mut self) -> Action {
        self.methods = Methods::Post;
        self
    }

    /// Lifts the CSRF check, saying why the request needs none.
    pub const fn csrf_exempt(mut self, reason: &'static str) -> Action {
        self.csrf = Csrf::Exempt(reason);
        self
    }

    /// Its anonymous page may be kept until the lists or the archives change (see
    /// [`http::cache`](crate::http::cache)).
    pub const fn cached(mut self) -> Action {
        self.cached = true;
        self
    }
}
