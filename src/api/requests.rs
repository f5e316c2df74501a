//! Requests waiting for a list's owners: the pending subscriptions and unsubscriptions, and an owner's decision on one.

use crate::mail::notices::RequestKind;
use crate::operations::lists::open_list;
use crate::operations::members;

use super::error::{ApiError, ErrorBody};
use super::types::{DecisionJson, Done, PendingJson, PendingList};
use super::{ok, Answer, Call};

/// The pending subscriptions and unsubscriptions, oldest first (owners).
#[utoipa::path(
    get,
    path = "/lists/{list}/requests",
    tag = "requests",
    params(("list" = String, Path, description = "The list's name.")),
    responses(
        (status = 200, description = "The requests.", body = PendingList),
        (status = 401, description = "Anonymous (`login_required`) or a bad token.", body = ErrorBody),
        (status = 403, description = "Not allowed.", body = ErrorBody),
        (status = 404, description = "No such list (`unknown_list`).", body = ErrorBody),
    ),
    security((), ("bearer" = []))
)]
pub fn list_requests(call: &mut Call<'_>, name: &str) -> Answer {
    let pending = call.read(|env, requester| {
        let list = open_list(env, name)?;
        let mut all = members::requests(env, requester, &list, RequestKind::Subscribe)?;
        all.extend(members::requests(
            env,
            requester,
            &list,
            RequestKind::Signoff,
        )?);
        all.sort_by_key(|p| (p.created_at, p.id));
        Ok(all)
    })?;
    ok(&PendingList {
        requests: pending.into_iter().map(PendingJson::from).collect(),
    })
}

/// Accepts or declines a pending request (owners).
#[utoipa::path(
    post,
    path = "/lists/{list}/requests/{kind}/{email}",
    tag = "requests",
    params(
        ("list" = String, Path, description = "The list's name."),
        ("kind" = String, Path, description = "`subscribe` or `signoff`."),
        ("email" = String, Path, description = "The address of the request."),
    ),
    request_body(content = DecisionJson, content_type = "application/json"),
    responses(
        (status = 200, description = "Decided.", body = Done),
        (status = 403, description = "Not allowed.", body = ErrorBody),
        (status = 404, description = "No such list (`unknown_list`), kind or request (`not_found`).", body = ErrorBody),
        (status = 422, description = "A bad body.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub fn decide(call: &mut Call<'_>, name: &str, kind: &str, email: &str) -> Answer {
    call.caller.logged_in()?;
    let kind = match kind {
        "subscribe" => RequestKind::Subscribe,
        "signoff" => RequestKind::Signoff,
        _ => return Err(ApiError::not_found()),
    };
    call.caller.may_write()?;
    let decision: DecisionJson = call.required_body()?;
    let report = call.write(|env, requester| {
        let list = open_list(env, name)?;
        members::decide_requests(
            env,
            requester,
            &list,
            kind,
            &[email],
            decision.accept,
            decision.quiet.unwrap_or(false),
        )
    })?;
    if report.done.is_empty() {
        return Err(ApiError::new(
            404,
            "not_found",
            "No such request is waiting: it may have been decided already.",
        ));
    }
    ok(&Done { ok: true })
}
