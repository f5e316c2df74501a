//! Lists as a whole: the visible lists (paginated), a list's page with the caller's roles and permissions, creating and closing a list.

use crate::domain::{ListName, ListStatus, ListTemplate};
use crate::operations::{lists, Field, Refusal};
use crate::store::NewList;

use super::error::{ApiError, ErrorBody};
use super::types::{CreatedList, Done, ListDetail, ListItem, ListPage, NewListJson};
use super::{encode_cursor, json_response, ok, Answer, Call};

/// The visible lists, by name.
#[utoipa::path(
    get,
    path = "/lists",
    tag = "lists",
    params(
        ("limit" = Option<u32>, Query, description = "Lists per page, 1 to 100 (50 unless given).", minimum = 1, maximum = 100),
        ("cursor" = Option<String>, Query, description = "The `next_cursor` of the page before.", pattern = "^[A-Za-z0-9_-]*$", max_length = 512),
    ),
    responses(
        (status = 200, description = "A page of the lists the caller may see.", body = ListPage),
        (status = 422, description = "A bad `limit` or `cursor` (`invalid_value`).", body = ErrorBody),
    ),
    security((), ("bearer" = []))
)]
pub fn list_lists(call: &mut Call<'_>) -> Answer {
    let limit = call.limit()?;
    let after = call.cursor()?;
    let visible = call.read(|env, requester| lists::visible(env, requester))?;
    let mut page: Vec<ListItem> = visible
        .into_iter()
        .filter(|list| {
            after
                .as_deref()
                .is_none_or(|last| list.name.as_str() > last)
        })
        .take(limit + 1)
        .map(ListItem::from)
        .collect();
    let next_cursor = if page.len() > limit {
        page.truncate(limit);
        page.last().map(|list| encode_cursor(&list.name))
    } else {
        None
    };
    ok(&ListPage {
        lists: page,
        next_cursor,
    })
}

/// A list's page, with what the caller is and may do on it.
#[utoipa::path(
    get,
    path = "/lists/{list}",
    tag = "lists",
    params(("list" = String, Path, description = "The list's name.")),
    responses(
        (status = 200, description = "The list.", body = ListDetail),
        (status = 404, description = "No such list, or one the caller may not see (`unknown_list`).", body = ErrorBody),
    ),
    security((), ("bearer" = []))
)]
pub fn get_list(call: &mut Call<'_>, name: &str) -> Answer {
    let detail = call.read(|env, requester| {
        let list = lists::open_list(env, name)?;
        let info = lists::info(env, requester, &list)?;
        let roles = env.roles(requester, &list)?;
        Ok(ListDetail {
            name: list.name.to_string(),
            address: list.address(),
            subject: list.subject.clone(),
            description: list.description.clone(),
            topics: list.topics.clone(),
            visibility: list.policy.visibility.as_str().to_string(),
            member_count: info.member_count,
            owners: info.owners.into_iter().map(Into::into).collect(),
            roles: roles.into(),
            may: info.may.into(),
        })
    })?;
    ok(&detail)
}

/// Creates a list from a template.
#[utoipa::path(
    post,
    path = "/lists",
    tag = "lists",
    request_body(content = NewListJson, content_type = "application/json"),
    responses(
        (status = 201, description = "The list was created (or waits for a listmaster).", body = CreatedList),
        (status = 403, description = "The caller may not create lists (`not_allowed`), or the token only reads (`insufficient_scope`).", body = ErrorBody),
        (status = 409, description = "A list of this name exists (`already_exists`).", body = ErrorBody),
        (status = 422, description = "A field is not acceptable.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub fn create_list(call: &mut Call<'_>) -> Answer {
    call.caller.logged_in()?;
    call.caller.may_write()?;
    let new: NewListJson = call.required_body()?;
    let settings = settings(&new)?;
    let list = call.write(|env, requester| lists::create(env, requester, &settings))?;
    Ok(json_response(
        201,
        &CreatedList {
            name: list.name.to_string(),
            status: match list.status {
                ListStatus::Open => "open",
                _ => "pending",
            }
            .to_string(),
        },
    ))
}

/// The settings of a new list from its JSON; the operation checks the texts.
fn settings(new: &NewListJson) -> Result<lists::ListSettings, ApiError> {
    let name = ListName::parse(&new.name)
        .map_err(|_| ApiError::invalid_parameter("name", "This is not a valid list name."))?;
    let template = ListTemplate::from(new.template);
    if new.subject.trim().is_empty() {
        return Err(ApiError::from(Refusal::InvalidValue {
            field: Field::Subject,
        }));
    }
    Ok(lists::ListSettings::from_template(
        NewList {
            name,
            subject: new.subject.trim().to_string(),
            description: new.description.clone().unwrap_or_default(),
            topics: new.topics.clone().unwrap_or_default(),
            visibility: template.policy().visibility,
        },
        template,
    ))
}

/// Closes a list (its privileged owners and listmasters).
#[utoipa::path(
    post,
    path = "/lists/{list}/close",
    tag = "lists",
    params(("list" = String, Path, description = "The list's name.")),
    responses(
        (status = 200, description = "The list is closed.", body = Done),
        (status = 403, description = "Not allowed (`not_allowed`, `insufficient_scope`).", body = ErrorBody),
        (status = 404, description = "No such list (`unknown_list`).", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub fn close_list(call: &mut Call<'_>, name: &str) -> Answer {
    call.caller.logged_in()?;
    call.write(|env, requester| {
        let list = lists::open_list(env, name)?;
        lists::close(env, requester, &list)
    })?;
    ok(&Done { ok: true })
}
