//! Account operations: create a user, log in, mail a password ticket, use it, set a password, save preferences, move to a new address.

use serde_json::json;

use super::limits::{
    LOGIN_PER_CLIENT, LOGIN_PER_CLIENT_ADDRESS, PASSWORD_MAIL_PER_ADDRESS,
    PASSWORD_MAIL_PER_CLIENT, PASSWORD_MAIL_PER_CLIENT_ADDRESS,
};
use super::{check_length, parse_email, Env, Error, Existing, Field, Refusal, Requester};
use crate::auth;
use crate::config::Config;
use crate::domain::user::{check_new_password, MAX_PASSWORD_LEN};
use crate::domain::{Email, Membership, Reason, User};
use crate::mail::notices::{self, PasswordReason};
use crate::store::{self, Db, NewUser, SessionRecord};

/// The ticket purpose that leads to choosing a password.
pub const CHOOSE_PASSWORD: &str = "choosepasswd";

/// Returns true if `lang` may be saved as an account's language: a language the site has
/// (its tag as the catalogues write it), or "" for none.
fn offered(env: &Env<'_>, lang: &str) -> bool {
    lang.is_empty()
        || env
            .templates
            .catalogues()
            .get(lang)
            .is_some_and(|language| language.tag() == lang)
}

/// `user` with its site role as every door derives it: a listmaster when its account says so
/// or the configuration's `listmaster` names its address. The one place this rule is written.
pub fn with_site_role(config: &Config, user: User) -> User {
    let listmaster = user.listmaster || config.is_listmaster(&user.email);
    User { listmaster, ..user }
}

/// The live session whose secret (the cookie's value, or the id a SOAP client names) is `secret`
/// in this site's domain, with its account's user (site role derived) when it is logged in;
/// refreshed to its time to live (the logged-in or the anonymous one) when last refreshed over
/// a minute ago. `None` for a malformed, unknown, expired or foreign secret. Every door that
/// reads sessions (the web gate, SOAP) reads them through here.
pub fn live_session(
    config: &Config,
    db: &Db<'_>,
    secret: &str,
) -> Result<Option<(SessionRecord, Option<User>)>, store::Error> {
    if !auth::looks_like_token(secret) {
        return Ok(None);
    }
    let Some((record, account)) = db.session(&auth::token_hash(secret), &config.domain)? else {
        return Ok(None);
    };
    let user = account.map(|found| with_site_role(config, found.user));
    if store::now() - record.refreshed_at > SESSION_REFRESH_AFTER {
        let ttl = if user.is_some() {
            config.session_table_ttl
        } else {
            config.anonymous_session_table_ttl
        };
        db.touch_session(record.id, ttl as i64)?;
    }
    Ok(Some((record, user)))
}

/// Seconds after which a read session's expiry is pushed back (not on every request: one
/// write a minute per session at most).
const SESSION_REFRESH_AFTER: i64 = 60;

/// Whether `email` is a listmaster, by the rule of [`with_site_role`], whether or not it has an
/// account (the configuration may name an address that never logged in).
pub fn is_listmaster(env: &Env<'_>, email: &Email) -> Result<bool, Error> {
    Ok(env.config.is_listmaster(email)
        || env
            .db()
            .user(email)?
            .is_some_and(|record| record.user.listmaster))
}

/// Creates an account (`wwsympa user add`); the password, when given, is checked and hashed.
pub fn create_user(
    env: &mut Env<'_>,
    requester: &Requester,
    email: &str,
    password: Option<&str>,
    listmaster: bool,
) -> Result<User, Error> {
    if !requester.listmaster {
        return Err(Refusal::Denied(Reason::NotPermitted).into());
    }
    let email = parse_email(email)?;
    let password_hash = match password {
        Some(password) => {
            check_new_password(password, password).map_err(Refusal::Password)?;
            Some(auth::hash_password(password)?)
        }
        None => None,
    };
    env.transaction(requester, |tx| {
        if tx.db.user(&email)?.is_some() {
            return Err(Refusal::AlreadyExists(Existing::Account(email.clone())).into());
        }
        tx.db.create_user(&NewUser {
            email: email.clone(),
            name: String::new(),
            password_hash,
            listmaster,
        })?;
        tx.audit(
            "user_add",
            None,
            Some(&email),
            json!({ "listmaster": listmaster }),
        )?;
        Ok(())
    })?;
    Ok(env
        .db()
        .user(&email)?
        .map(|record| record.user)
        .expect("just created"))
}

/// Checks an address and password; the answer and the work done are the same whether the
/// account exists or not.
///
/// Rate-limited per client and per client and address (a refusal, 429); an address tried
/// from many clients is never locked: its password is checked at most once every few
/// seconds ([`Env::login_pace`]), so its owner still gets in.
pub fn login(
    env: &mut Env<'_>,
    requester: &Requester,
    email: &str,
    password: &str,
) -> Result<User, Error> {
    let email_key: String = email.trim().to_lowercase().chars().take(254).collect();
    env.rate_limit_client(
        &LOGIN_PER_CLIENT,
        &LOGIN_PER_CLIENT_ADDRESS,
        requester.remote_addr,
        &email_key,
    )?;
    env.login_pace(&email_key)?;
    let parsed = Email::parse(email).ok();
    let record = match &parsed {
        Some(email) => env.db().user(email)?,
        None => None,
    };
    let stored = record.as_ref().and_then(|r| r.password_hash.as_deref());
    let password = if password.len() > MAX_PASSWORD_LEN {
        ""
    } else {
        password
    };
    if !auth::verify_password(password, stored) {
        if let Some(email) = parsed.as_ref().filter(|_| record.is_some()) {
            env.db().record_failed_login(email)?;
        }
        log::info!("login failed for {email_key:?}");
        return Err(Refusal::BadCredentials.into());
    }
    let record = record.expect("a password matched, so the account exists");
    let user = record.user;
    let requester = Requester {
        email: Some(user.email.clone()),
        ..requester.clone()
    };
    env.transaction(&requester, |tx| {
        tx.db
            .record_login(&user.email, requester.remote().as_deref())?;
        tx.audit("login", None, None, json!({}))?;
        Ok(())
    })?;
    Ok(with_site_role(env.config, user))
}

/// Mails a one-time ticket that logs in and leads to choosing a password (`requestpasswd`).
///
/// Whether or not the address has an account, the same mail is sent and the same answer
/// given, so the form reveals nothing; the account is created when the ticket is used.
/// Rate-limited per client and per client and address (429); past
/// [`PASSWORD_MAIL_PER_ADDRESS`] mails to the address in an hour, whoever asks, the answer
/// is the same and no mail leaves (the links sent before still work).
pub fn request_password(
    env: &mut Env<'_>,
    requester: &Requester,
    email: &str,
    reason: PasswordReason,
) -> Result<(), Error> {
    check_length(Field::Email, email, 254)?;
    let email = parse_email(email)?;
    env.rate_limit_client(
        &PASSWORD_MAIL_PER_CLIENT,
        &PASSWORD_MAIL_PER_CLIENT_ADDRESS,
        requester.remote_addr,
        email.as_str(),
    )?;
    if env.over_limit(&PASSWORD_MAIL_PER_ADDRESS, email.as_str())? {
        log::warn!("password mail to {email} not sent: {PASSWORD_MAIL_PER_ADDRESS:?} reached");
        return Ok(());
    }
    let ticket = auth::random_token()?;
    let url = format!("{}/ticket/{ticket}", env.config.base_url());
    let domain = env.config.domain.clone();
    let ttl = env.config.one_time_ticket_lifetime as i64;
    env.transaction(requester, |tx| {
        tx.db.create_ticket(
            &auth::token_hash(&ticket),
            &domain,
            &email,
            CHOOSE_PASSWORD,
            ttl,
        )?;
        let mail = notices::sendpasswd(&tx.composer, &email, &url, reason);
        tx.queue(mail)?;
        tx.audit("requestpasswd", None, Some(&email), json!({}))?;
        Ok(())
    })
}

/// Returns true if and only if `ticket` is live: unknown, used and expired tickets are all
/// simply "not valid" (`ticket` shown on GET, before the button).
pub fn ticket_is_live(env: &Env<'_>, ticket: &str) -> Result<bool, Error> {
    if !auth::looks_like_token(ticket) {
        return Ok(false);
    }
    Ok(env
        .db()
        .ticket_is_live(&auth::token_hash(ticket), &env.config.domain)?)
}

/// Uses a mailed ticket once: logs its address in (creating the account if needed).
/// Returns the user and where the ticket leads.
pub fn use_ticket(
    env: &mut Env<'_>,
    requester: &Requester,
    ticket: &str,
) -> Result<(User, String), Error> {
    if !auth::looks_like_token(ticket) {
        return Err(Refusal::InvalidLink.into());
    }
    let domain = env.config.domain.clone();
    let hash = auth::token_hash(ticket);
    let used_from = requester.remote();
    let (email, purpose) = env.transaction(requester, |tx| {
        let Some(found) = tx.db.use_ticket(&hash, &domain, used_from.as_deref())? else {
            return Err(Refusal::InvalidLink.into());
        };
        tx.db.ensure_user(&found.email)?;
        tx.db.record_login(&found.email, used_from.as_deref())?;
        tx.audit(
            "ticket",
            None,
            Some(&found.email),
            json!({ "purpose": found.purpose }),
        )?;
        Ok((found.email, found.purpose))
    })?;
    let user = env
        .db()
        .user(&email)?
        .map(|record| record.user)
        .expect("the account was just ensured");
    Ok((with_site_role(env.config, user), purpose))
}

fn logged_in(requester: &Requester) -> Result<&Email, Error> {
    requester
        .email
        .as_ref()
        .ok_or_else(|| Refusal::Denied(Reason::LoginRequired).into())
}

/// Sets the requester's password, typed twice (`setpasswd`, `choosepasswd`), and revokes
/// what the old one, or a reset, had opened: every session of the account (the caller's
/// included: a web caller starts a fresh one) and every mailed ticket not used yet.
pub fn set_password(
    env: &mut Env<'_>,
    requester: &Requester,
    first: &str,
    second: &str,
) -> Result<(), Error> {
    let email = logged_in(requester)?.clone();
    check_new_password(first, second).map_err(Refusal::Password)?;
    let hash = auth::hash_password(first)?;
    env.transaction(requester, |tx| {
        tx.db.ensure_user(&email)?;
        tx.db.set_password_hash(&email, &hash)?;
        tx.db.delete_sessions_of(&email)?;
        let revoked = tx.db.revoke_tickets_of(&email)?;
        tx.audit(
            "setpasswd",
            None,
            Some(&email),
            json!({ "revoked_tickets": revoked }),
        )?;
        Ok(())
    })
}

/// Saves the requester's display name and language (`pref`).
pub fn set_preferences(
    env: &mut Env<'_>,
    requester: &Requester,
    name: &str,
    lang: &str,
) -> Result<(), Error> {
    let email = logged_in(requester)?.clone();
    let name = super::membership::check_name(name)?;
    if !offered(env, lang) {
        return Err(Refusal::InvalidValue {
            field: Field::Language,
        }
        .into());
    }
    env.transaction(requester, |tx| {
        tx.db.ensure_user(&email)?;
        tx.db.set_preferences(&email, &name, lang)?;
        tx.audit("pref", None, Some(&email), json!({ "lang": lang }))?;
        Ok(())
    })
}

/// `set_lang` for a logged-in requester: saves the language of their pages and mail in
/// their account (`lang` a tag the site has, or "" to follow the browser's again).
pub fn set_language(env: &mut Env<'_>, requester: &Requester, lang: &str) -> Result<(), Error> {
    let email = logged_in(requester)?.clone();
    if !offered(env, lang) {
        return Err(Refusal::InvalidValue {
            field: Field::Language,
        }
        .into());
    }
    env.transaction(requester, |tx| {
        tx.db.ensure_user(&email)?;
        tx.db.set_user_lang(&email, lang)?;
        tx.audit("set_lang", None, Some(&email), json!({ "lang": lang }))?;
        Ok(())
    })
}

/// The requester's account, if logged in and it exists.
pub fn current_user(env: &Env<'_>, requester: &Requester) -> Result<Option<User>, Error> {
    let Some(email) = &requester.email else {
        return Ok(None);
    };
    Ok(env
        .db()
        .user(email)?
        .map(|record| with_site_role(env.config, record.user)))
}

/// The open lists where the requester is member, moderator or owner (`which`/`my`).
pub fn memberships(env: &Env<'_>, requester: &Requester) -> Result<Vec<Membership>, Error> {
    let email = logged_in(requester)?;
    Ok(env.db().memberships(&env.config.domain, email)?)
}

/// `moveUser` (Sympa 6.2.78): moves the account of `current` to the address `new`, with
/// every membership (and its bounce data), every owner and moderator role and the held
/// requests, in one transaction with an audit row; the sessions of `current` end (the
/// requester's own included, when they moved themselves: they log in again as `new`).
///
/// The requester must be `current` itself, logged in, or a listmaster. `new` must be an
/// address; when it already has an account, a membership or a role anywhere the move is
/// refused ([`Existing::Account`]): accounts are not merged.
pub fn move_user(
    env: &mut Env<'_>,
    requester: &Requester,
    current: &str,
    new: &str,
) -> Result<(), Error> {
    if requester.email.is_none() && !requester.listmaster {
        return Err(Refusal::Denied(Reason::LoginRequired).into());
    }
    check_length(Field::Email, current, 254)?;
    let current = parse_email(current)?;
    if !requester.listmaster && requester.email.as_ref() != Some(&current) {
        return Err(Refusal::Denied(Reason::NotPermitted).into());
    }
    check_length(Field::Email, new, 254)?;
    let new = parse_email(new)?;
    if new == current {
        return Err(Refusal::AlreadyExists(Existing::Account(new)).into());
    }
    env.transaction(requester, |tx| {
        match tx.db.move_user(&current, &new) {
            Err(crate::store::Error::AlreadyExists(_)) => {
                return Err(Refusal::AlreadyExists(Existing::Account(new.clone())).into())
            }
            other => other?,
        }
        tx.audit(
            "move_user",
            None,
            Some(&new),
            json!({ "from": current.as_str() }),
        )
    })
}
