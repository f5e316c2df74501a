//! What the operations' unit tests share: addresses, requesters of each kind, a site's configuration and an `Env` on it, and an operation's answer in a word.

use super::{Channel, Env, Error, Requester};
use crate::config::Config;
use crate::domain::Email;
use crate::render::Templates;
use crate::store::Store;

/// `text` as an address (it must be one).
pub fn email(text: &str) -> Email {
    Email::parse(text).unwrap()
}

/// A logged-in user at `address` (no listmaster), calling as SOAP does.
pub fn user(address: &str) -> Requester {
    Requester {
        email: Some(email(address)),
        ..Requester::anonymous(Channel::Soap, None)
    }
}

/// lm@a.org, a listmaster.
pub fn listmaster() -> Requester {
    Requester {
        listmaster: true,
        ..user("lm@a.org")
    }
}

/// The site `a.org` at `http://a.org/sympa`, whose listmaster is lm@a.org.
pub fn config() -> Config {
    Config {
        domain: "a.org".into(),
        wwsympa_url: "http://a.org/sympa".into(),
        listmaster: "lm@a.org".into(),
        ..Config::default()
    }
}

/// `work` with an `Env` on `store` and the site of [`config`].
pub fn run<T>(store: &mut Store, work: impl FnOnce(&mut Env<'_>) -> T) -> T {
    let templates = Templates::load(None).unwrap();
    let config = config();
    let mut env = Env::new(store, &config, &templates);
    work(&mut env)
}

/// What an operation answered, in a word: `ok`, or the refusal's code.
pub fn said<T>(result: Result<T, Error>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(Error::Refused(refusal)) => refusal.code().into(),
        Err(e) => panic!("{e}"),
    }
}
