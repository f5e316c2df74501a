//! The vocabulary of the action table: what an action is, who may run it, how it is called.

use super::ctx::Ctx;
use super::outcome::Outcome;
use super::Error;

/// A handler: a plain function from the request context to an outcome.
pub type Handler = fn(&mut Ctx<'_>) -> Result<Outcome, Error>;

/// Who may run an action; checked once, before the handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not.
    Anyone,
}

/// Which HTTP methods an action answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Methods {
    /// GET and HEAD only: the action changes nothing.
    Read,
}

/// One row of the action table: every fact about an action in one place.
#[derive(Debug)]
pub struct Action {
    /// The name in URLs (`<base>/<name>/<args>`), the handler's name and the template's name.
    pub name: &'static str,
    /// The handler.
    pub handler: Handler,
    /// Names of the positional path arguments, in order (Sympa's `%action_args`).
    pub args: &'static [&'static str],
    /// Who may run it.
    pub access: Access,
    /// How it may be called.
    pub methods: Methods,
}
