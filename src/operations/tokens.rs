//! The JSON API's bearer tokens: made by their owner (shown once, kept only hashed), listed, revoked, and checked on each call.
//!
//! A token stands for the account that made it, with a scope: `read` tokens may only call
//! what changes nothing. Nobody mints a token for someone else, listmasters included; a
//! listmaster may revoke anyone's. Making and revoking write an audit row.

use serde_json::json;

use super::{check_length, Env, Error, Field, Refusal, Requester};
use crate::auth;
use crate::domain::text::hidden_char;
use crate::domain::{Email, Reason};
use crate::store::ApiTokenRecord;

/// What a token lets its bearer do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Only what changes nothing (GET).
    Read,
    /// Everything its owner may do.
    Write,
}

impl Scope {
    /// The word stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
        }
    }

    /// Parses `read` or `write`.
    pub fn parse(text: &str) -> Option<Scope> {
        match text {
            "read" => Some(Scope::Read),
            "write" => Some(Scope::Write),
            _ => None,
        }
    }
}

/// What every token starts with, so that secret scanners and people recognise one.
pub const PREFIX: &str = "wws_";

/// The longest token name, in characters.
pub const MAX_NAME: usize = 100;

/// The most tokens one account may hold at once.
pub const MAX_PER_ACCOUNT: usize = 50;

/// The longest lifetime a token may be given, in days (ten years).
pub const MAX_DAYS: u32 = 3650;

/// How often a token's last use is written, at most, in seconds.
pub const TOUCH_EVERY: i64 = 60;

/// A token just made: the secret, shown once and never again, and what is kept of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    /// The bearer token (`wws_` and 256 random bits).
    pub secret: String,
    /// The stored row.
    pub record: ApiTokenRecord,
}

/// Whom a presented token stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bearer {
    /// The token's owner.
    pub email: Email,
    /// The owner is a listmaster (account flag or configuration).
    pub listmaster: bool,
    /// What the token allows.
    pub scope: Scope,
    /// The token's row id.
    pub token_id: i64,
}

fn logged_in(requester: &Requester) -> Result<&Email, Error> {
    requester
        .email
        .as_ref()
        .ok_or_else(|| Refusal::Denied(Reason::LoginRequired).into())
}

/// Makes a token for the requester (never for anyone else), named `name`, with `scope`,
/// living `days` days (`None`: until revoked).
pub fn create(
    env: &mut Env<'_>,
    requester: &Requester,
    name: &str,
    scope: &str,
    days: Option<u32>,
) -> Result<NewToken, Error> {
    let email = logged_in(requester)?.clone();
    let name = name.trim();
    if name.is_empty() {
        return Err(Refusal::InvalidValue {
            field: Field::TokenName,
        }
        .into());
    }
    check_length(Field::TokenName, name, MAX_NAME)?;
    if name.chars().any(|c| c == '\t' || hidden_char(c)) {
        return Err(Refusal::HiddenCharacters {
            field: Field::TokenName,
        }
        .into());
    }
    let scope = Scope::parse(scope).ok_or(Refusal::InvalidValue {
        field: Field::Scope,
    })?;
    if days.is_some_and(|d| d == 0 || d > MAX_DAYS) {
        return Err(Refusal::InvalidValue {
            field: Field::Expiry,
        }
        .into());
    }
    let domain = env.config.domain.clone();
    if env.db().api_tokens_of(&domain, &email)?.len() >= MAX_PER_ACCOUNT {
        return Err(Refusal::TooMany {
            field: Field::TokenName,
            max: MAX_PER_ACCOUNT,
        }
        .into());
    }
    let secret = format!("{PREFIX}{}", auth::random_token()?);
    let hash = auth::token_hash(&secret);
    let expires_at = days.map(|d| store_now() + i64::from(d) * 86_400);
    let record = env.transaction(requester, |tx| {
        let record =
            tx.db
                .create_api_token(&hash, &domain, &email, name, scope.as_str(), expires_at)?;
        tx.audit(
            "api_token_create",
            None,
            Some(&email),
            json!({ "id": record.id, "name": name, "scope": scope.as_str(), "expires_at": expires_at }),
        )?;
        Ok(record)
    })?;
    Ok(NewToken { secret, record })
}

/// The requester's tokens, newest first (expired ones too, so that they can be revoked).
pub fn mine(env: &Env<'_>, requester: &Requester) -> Result<Vec<ApiTokenRecord>, Error> {
    let email = logged_in(requester)?;
    Ok(env.db().api_tokens_of(&env.config.domain, email)?)
}

/// Revokes token `id`: the requester's own; a listmaster's, anyone's. Someone else's token
/// is refused exactly as one that does not exist.
pub fn revoke(env: &mut Env<'_>, requester: &Requester, id: i64) -> Result<(), Error> {
    let email = logged_in(requester)?.clone();
    let missing = || -> Error {
        Refusal::InvalidValue {
            field: Field::Selection,
        }
        .into()
    };
    let token = env
        .db()
        .api_token_by_id(id, &env.config.domain)?
        .filter(|t| t.email == email || requester.listmaster)
        .ok_or_else(missing)?;
    env.transaction(requester, |tx| {
        if !tx.db.delete_api_token(token.id)? {
            return Err(missing());
        }
        tx.audit(
            "api_token_revoke",
            None,
            Some(&token.email),
            json!({ "id": token.id, "name": token.name, "by": email.as_str() }),
        )
    })
}

/// Whom `presented` (the bearer token as sent) stands for: `None` when it is not a live
/// token of this domain (malformed, unknown, revoked, expired). Records the use, at most
/// once a minute.
pub fn authenticate(env: &Env<'_>, presented: &str) -> Result<Option<Bearer>, Error> {
    let Some(random) = presented.strip_prefix(PREFIX) else {
        return Ok(None);
    };
    // Junk is refused before any lookup; the lookup is by hash, so nothing of the secret
    // is compared byte by byte in a time that depends on it.
    if !auth::looks_like_token(random) {
        return Ok(None);
    }
    let hash = auth::token_hash(presented);
    let Some(token) = env.db().api_token(&hash, &env.config.domain)? else {
        return Ok(None);
    };
    let Some(scope) = Scope::parse(&token.scope) else {
        return Ok(None);
    };
    let at = store_now();
    if token
        .last_used_at
        .is_none_or(|last| at - last >= TOUCH_EVERY)
    {
        env.db().touch_api_token(token.id, at)?;
    }
    let listmaster = super::account::is_listmaster(env, &token.email)?;
    Ok(Some(Bearer {
        email: token.email,
        listmaster,
        scope,
        token_id: token.id,
    }))
}

/// Now, in seconds since the epoch.
fn store_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
