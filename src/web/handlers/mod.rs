//! Handlers, grouped by what the user sees; each is a plain `fn(&mut Ctx) -> Result<Outcome, Error>` named after its action.

pub mod account;
pub mod home;
