//! Who calls: the bearer token of `Authorization`, checked through [`crate::operations::tokens`]; no token is an anonymous caller, a bad one is refused (never anonymous).

use crate::http::Request;
use crate::operations::tokens::{self, Scope};
use crate::operations::{Channel, Env, Requester};

use super::error::ApiError;

/// The caller of one request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who asks, for the operations.
    pub requester: Requester,
    /// The token's scope; `None` for an anonymous caller.
    pub scope: Option<Scope>,
}

impl Caller {
    /// Refuses an anonymous caller (401 `login_required`), before anything about the list
    /// is looked at: for what only authenticated callers may ever do.
    pub fn logged_in(&self) -> Result<(), ApiError> {
        if self.requester.email.is_none() {
            return Err(
                crate::operations::Refusal::Denied(crate::domain::Reason::LoginRequired).into(),
            );
        }
        Ok(())
    }

    /// Refuses a read token on what changes something (403 `insufficient_scope`).
    pub fn may_write(&self) -> Result<(), ApiError> {
        match self.scope {
            Some(Scope::Read) => Err(ApiError::insufficient_scope()),
            _ => Ok(()),
        }
    }
}

/// The caller of `request`: anonymous without `Authorization`; a bearer token must be a live
/// one (401 `invalid_token` otherwise, as for any other scheme). Cookies are never looked at.
pub fn caller(env: &Env<'_>, request: &Request) -> Result<Caller, ApiError> {
    let anonymous = || Caller {
        requester: Requester::anonymous(Channel::Api, request.remote_addr),
        scope: None,
    };
    let Some(value) = request.header("authorization") else {
        return Ok(anonymous());
    };
    let value = value.trim();
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::invalid_token());
    }
    let Some(bearer) = tokens::authenticate(env, token.trim())? else {
        return Err(ApiError::invalid_token());
    };
    Ok(Caller {
        requester: Requester {
            email: Some(bearer.email),
            listmaster: bearer.listmaster,
            remote_addr: request.remote_addr,
            channel: Channel::Api,
            known_roles: None,
        },
        scope: Some(bearer.scope),
    })
}
