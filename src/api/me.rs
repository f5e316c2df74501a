//! The caller: who the token stands for, and their lists with their roles.

use crate::domain::Reason;
use crate::operations::{account, Refusal};

use super::error::{ApiError, ErrorBody};
use super::types::{Me, MyList, MyLists};
use super::{ok, Answer, Call};

/// Who the token stands for.
#[utoipa::path(
    get,
    path = "/me",
    tag = "me",
    responses(
        (status = 200, description = "The caller.", body = Me),
        (status = 401, description = "No token (`login_required`) or a bad one (`invalid_token`).", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub fn get_me(call: &mut Call<'_>) -> Answer {
    let requester = &call.caller.requester;
    let (Some(email), Some(scope)) = (&requester.email, call.caller.scope) else {
        return Err(ApiError::from(Refusal::Denied(Reason::LoginRequired)));
    };
    ok(&Me {
        email: email.to_string(),
        listmaster: requester.listmaster,
        scope: scope.as_str().to_string(),
    })
}

/// The open lists where the caller is a member, moderator or owner, with their roles.
#[utoipa::path(
    get,
    path = "/me/lists",
    tag = "me",
    responses(
        (status = 200, description = "The caller's lists.", body = MyLists),
        (status = 401, description = "No token (`login_required`) or a bad one (`invalid_token`).", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub fn my_lists(call: &mut Call<'_>) -> Answer {
    let lists = call.read(|env, requester| account::memberships(env, requester))?;
    ok(&MyLists {
        lists: lists.into_iter().map(MyList::from).collect(),
    })
}
