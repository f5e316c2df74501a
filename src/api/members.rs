//! A list's members and admins: review (paginated), one membership and its options, add and remove, and the caller's own subscribe and signoff.

use crate::domain::AdminRole;
use crate::operations::lists::open_list;
use crate::operations::members::{self, Entry};
use crate::operations::membership::{self, OptionsChange, Outcome};
use crate::operations::Refusal;
use crate::store::{MemberQuery, MemberSort};

use super::error::{ApiError, ErrorBody};
use super::types::{
    AddMember, AdminList, Done, MemberJson, MemberPage, MemberPatch, MembershipRequest,
    RequestOutcome,
};
use super::{decode_cursor, encode_cursor, json_response, ok, Answer, Call};

/// The members, by address, as the list's review policy lets the caller see them
/// (concealed members only to owners).
#[utoipa::path(
    get,
    path = "/lists/{list}/members",
    tag = "members",
    params(
        ("list" = String, Path, description = "The list's name."),
        ("limit" = Option<u32>, Query, description = "Members per page, 1 to 100 (50 unless given).", minimum = 1, maximum = 100),
        ("cursor" = Option<String>, Query, description = "The `next_cursor` of the page before.", pattern = "^[A-Za-z0-9_-]*$", max_length = 512),
    ),
    responses(
        (status = 200, description = "A page of members.", body = MemberPage),
        (status = 403, description = "The review policy says no (`not_allowed`, `members_only`, `closed_by_policy`).", body = ErrorBody),
        (status = 404, description = "No such list (`unknown_list`).", body = ErrorBody),
        (status = 422, description = "A bad `limit` or `cursor` (`invalid_value`).", body = ErrorBody),
    ),
    security((), ("bearer" = []))
)]
pub fn list_members(call: &mut Call<'_>, name: &str) -> Answer {
    let limit = call.limit()?;
    let offset = match call.query.get("cursor").filter(|c| !c.is_empty()) {
        None => 0,
        Some(cursor) => decode_cursor(cursor)
            .and_then(|position| position.strip_prefix("members:")?.parse::<u64>().ok())
            .ok_or_else(|| {
                ApiError::invalid_parameter("cursor", "This cursor was not made by this API.")
            })?,
    };
    let page = call.read(|env, requester| {
        let list = open_list(env, name)?;
        members::review(
            env,
            requester,
            &list,
            MemberQuery {
                filter: None,
                include_concealed: false,
                sort: MemberSort::Email,
                offset,
                limit: limit as u64,
            },
        )
    })?;
    let shown = page.members.len() as u64;
    let next_cursor = (shown == limit as u64 && offset + shown < page.total)
        .then(|| encode_cursor(&format!("members:{}", offset + shown)));
    ok(&MemberPage {
        members: page.members.into_iter().map(MemberJson::from).collect(),
        total: page.total,
        next_cursor,
    })
}

/// The list's owners and moderators, to whoever may see its members.
#[utoipa::path(
    get,
    path = "/lists/{list}/admins",
    tag = "members",
    params(("list" = String, Path, description = "The list's name.")),
    responses(
        (status = 200, description = "Owners and moderators.", body = AdminList),
        (status = 403, description = "The review policy says no.", body = ErrorBody),
        (status = 404, description = "No such list (`unknown_list`).", body = ErrorBody),
    ),
    security((), ("bearer" = []))
)]
pub fn list_admins(call: &mut Call<'_>, name: &str) -> Answer {
    let (owners, editors) = call.read(|env, requester| {
        let list = open_list(env, name)?;
        Ok((
            members::admins(env, requester, &list, AdminRole::Owner)?,
            members::admins(env, requester, &list, AdminRole::Editor)?,
        ))
    })?;
    ok(&AdminList {
        owners: owners.into_iter().map(Into::into).collect(),
        editors: editors.into_iter().map(Into::into).collect(),
    })
}

/// Adds a member (owners), with a welcome mail unless `quiet`.
#[utoipa::path(
    post,
    path = "/lists/{list}/members",
    tag = "members",
    params(("list" = String, Path, description = "The list's name.")),
    request_body(content = AddMember, content_type = "application/json"),
    responses(
        (status = 201, description = "The address is now a member.", body = MemberJson),
        (status = 403, description = "Not allowed.", body = ErrorBody),
        (status = 404, description = "No such list (`unknown_list`).", body = ErrorBody),
        (status = 409, description = "A member already (`already_member`).", body = ErrorBody),
        (status = 422, description = "Not an address, or a bad name.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub fn add_member(call: &mut Call<'_>, name: &str) -> Answer {
    call.caller.logged_in()?;
    call.caller.may_write()?;
    let add: AddMember = call.required_body()?;
    if let Some(name) = &add.name {
        membership::check_name(name)?;
    }
    let entry = Entry {
        email: add.email.clone(),
        name: add.name.clone().unwrap_or_default(),
    };
    let member = call.write(|env, requester| {
        let list = open_list(env, name)?;
        // Refused before the operation, so that a bad address is one clear error.
        if entry.email.len() > 254 {
            return Err(Refusal::InvalidAddress.into());
        }
        crate::operations::parse_email(&entry.email)?;
        let report = members::add(env, requester, &list, &[entry], add.quiet.unwrap_or(false))?;
        match (report.added.first(), report.already.first()) {
            (Some(email), _) => membership::membership(env, requester, &list, Some(email.as_str())),
            (None, Some(_)) => Err(Refusal::AlreadyMember.into()),
            (None, None) => Err(Refusal::InvalidAddress.into()),
        }
    })?;
    Ok(json_response(201, &MemberJson::from(member)))
}

/// Removes a member (owners), with a goodbye mail unless `quiet=true`.
#[utoipa::path(
    delete,
    path = "/lists/{list}/members/{email}",
    tag = "members",
    params(
        ("list" = String, Path, description = "The list's name."),
        ("email" = String, Path, description = "The member's address."),
        ("quiet" = Option<bool>, Query, description = "No goodbye mail."),
    ),
    responses(
        (status = 200, description = "The address is no longer a member.", body = Done),
        (status = 403, description = "Not allowed.", body = ErrorBody),
        (status = 404, description = "No such list (`unknown_list`) or not a member (`not_member`).", body = ErrorBody),
        (status = 422, description = "Not an address, or a bad `quiet`.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub fn delete_member(call: &mut Call<'_>, name: &str, email: &str) -> Answer {
    call.caller.logged_in()?;
    let quiet = match call.query.get("quiet") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(ApiError::invalid_parameter(
                "quiet",
                "quiet is true or false.",
            ))
        }
    };
    call.write(|env, requester| {
        let list = open_list(env, name)?;
        if email.len() > 254 {
            return Err(Refusal::InvalidAddress.into());
        }
        crate::operations::parse_email(email)?;
        let report = members::del(env, requester, &list, &[email], quiet)?;
        if report.removed.is_empty() {
            return Err(if report.invalid.is_empty() {
                Refusal::NotAMember.into()
            } else {
                Refusal::InvalidAddress.into()
            });
        }
        Ok(())
    })?;
    ok(&Done { ok: true })
}

/// One membership with its options: the caller's own, or any as an owner.
#[utoipa::path(
    get,
    path = "/lists/{list}/members/{email}",
    tag = "members",
    params(
        ("list" = String, Path, description = "The list's name."),
        ("email" = String, Path, description = "The member's address."),
    ),
    responses(
        (status = 200, description = "The membership.", body = MemberJson),
        (status = 401, description = "Anonymous (`login_required`) or a bad token.", body = ErrorBody),
        (status = 403, description = "Not allowed.", body = ErrorBody),
        (status = 404, description = "No such list (`unknown_list`) or not a member (`not_member`).", body = ErrorBody),
        (status = 422, description = "Not an address.", body = ErrorBody),
    ),
    security((), ("bearer" = []))
)]
pub fn get_member(call: &mut Call<'_>, name: &str, email: &str) -> Answer {
    let member = call.read(|env, requester| {
        let list = open_list(env, name)?;
        membership::membership(env, requester, &list, Some(email))
    })?;
    ok(&MemberJson::from(member))
}

/// Changes a membership's options: the caller's own, or any as an owner.
#[utoipa::path(
    patch,
    path = "/lists/{list}/members/{email}",
    tag = "members",
    params(
        ("list" = String, Path, description = "The list's name."),
        ("email" = String, Path, description = "The member's address."),
    ),
    request_body(content = MemberPatch, content_type = "application/json"),
    responses(
        (status = 200, description = "The membership as it is now.", body = MemberJson),
        (status = 403, description = "Not allowed.", body = ErrorBody),
        (status = 404, description = "No such list (`unknown_list`) or not a member (`not_member`).", body = ErrorBody),
        (status = 422, description = "A value that is not offered, or a bad name.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub fn update_member(call: &mut Call<'_>, name: &str, email: &str) -> Answer {
    call.caller.logged_in()?;
    call.caller.may_write()?;
    let patch: MemberPatch = call.body()?.unwrap_or_default();
    let custom: Vec<(&str, &str)> = patch
        .custom_attributes
        .iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let member = call.write(|env, requester| {
        let list = open_list(env, name)?;
        membership::set_options(
            env,
            requester,
            &list,
            &OptionsChange {
                email: Some(email),
                reception: patch.reception.as_deref(),
                visibility: patch.visibility.as_deref(),
                name: patch.name.as_deref(),
                custom: &custom,
            },
        )
    })?;
    ok(&MemberJson::from(member))
}

/// An authenticated caller acts for the token's own address: another address in the body
/// is refused rather than ignored.
fn own_address(call: &Call<'_>, typed: Option<&str>) -> Result<(), ApiError> {
    match (&call.caller.requester.email, typed) {
        (Some(own), Some(typed)) if !typed.trim().eq_ignore_ascii_case(own.as_str()) => {
            Err(ApiError::new(
                422,
                "invalid_body",
                "A token acts for its own address: leave email out.",
            )
            .with_field("email"))
        }
        _ => Ok(()),
    }
}

fn outcome(outcome: Outcome) -> RequestOutcome {
    RequestOutcome {
        outcome: match outcome {
            Outcome::Subscribed => "subscribed",
            Outcome::Unsubscribed => "unsubscribed",
            Outcome::ConfirmationSent => "confirmation_sent",
            Outcome::HeldForOwner => "held_for_owner",
        }
        .to_string(),
    }
}

/// Subscribes the caller (an anonymous caller names the address and confirms by mail).
#[utoipa::path(
    post,
    path = "/lists/{list}/subscribe",
    tag = "members",
    params(("list" = String, Path, description = "The list's name.")),
    request_body(content = Option<MembershipRequest>, content_type = "application/json"),
    responses(
        (status = 200, description = "What became of the request.", body = RequestOutcome),
        (status = 403, description = "The policy says no.", body = ErrorBody),
        (status = 404, description = "No such list (`unknown_list`).", body = ErrorBody),
        (status = 409, description = "A member already (`already_member`).", body = ErrorBody),
        (status = 422, description = "Not an address, a bad name, or a custom attribute refused (`custom_attribute_required`, `custom_attribute_too_long`, `unknown_custom_attribute`, `invalid_custom_attribute`; `attribute` names it).", body = ErrorBody),
        (status = 429, description = "Too many requests (`rate_limited`); see Retry-After.", body = ErrorBody),
    ),
    security((), ("bearer" = []))
)]
pub fn subscribe(call: &mut Call<'_>, name: &str) -> Answer {
    call.caller.may_write()?;
    let body: MembershipRequest = call.body()?.unwrap_or_default();
    own_address(call, body.email.as_deref())?;
    // The list's questions are always asked: leaving the object out answers none of them.
    let answers = body.custom_attributes.clone().unwrap_or_default();
    let done = call.write(|env, requester| {
        let list = open_list(env, name)?;
        membership::subscribe_asking(
            env,
            requester,
            &list,
            body.email.as_deref(),
            body.name.as_deref().unwrap_or(""),
            Some(&answers),
        )
    })?;
    ok(&outcome(done))
}

/// Unsubscribes the caller (an anonymous caller names the address and confirms by mail).
#[utoipa::path(
    post,
    path = "/lists/{list}/signoff",
    tag = "members",
    params(("list" = String, Path, description = "The list's name.")),
    request_body(content = Option<MembershipRequest>, content_type = "application/json"),
    responses(
        (status = 200, description = "What became of the request.", body = RequestOutcome),
        (status = 403, description = "The policy says no.", body = ErrorBody),
        (status = 404, description = "No such list (`unknown_list`), or not a member (`not_member`).", body = ErrorBody),
        (status = 422, description = "Not an address.", body = ErrorBody),
        (status = 429, description = "Too many requests (`rate_limited`); see Retry-After.", body = ErrorBody),
    ),
    security((), ("bearer" = []))
)]
pub fn signoff(call: &mut Call<'_>, name: &str) -> Answer {
    call.caller.may_write()?;
    let body: MembershipRequest = call.body()?.unwrap_or_default();
    if body.name.is_some() {
        return Err(ApiError::new(422, "invalid_body", "signoff takes no name.").with_field("name"));
    }
    if body.custom_attributes.is_some() {
        return Err(
            ApiError::new(422, "invalid_body", "signoff takes no custom attributes.")
                .with_field("custom_attributes"),
        );
    }
    own_address(call, body.email.as_deref())?;
    let done = call.write(|env, requester| {
        let list = open_list(env, name)?;
        membership::signoff(env, requester, &list, body.email.as_deref())
    })?;
    ok(&outcome(done))
}
