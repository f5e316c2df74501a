//! Everything checked once before a handler, from its table row: size, method, session, CSRF, the list, access.

use std::rc::Rc;

use crate::auth;
use crate::domain::{self, Decision, ListName, ListStatus, Reason};
use crate::http::{cookie, Form, Method, Request};
use crate::i18n::Language;
use crate::messages::{self, WebText};
use crate::operations::account;

use super::action::{Access, Action, Csrf};
use super::ctx::{Ctx, Notice, Session, CSRF_COOKIE, SESSION_COOKIE};
use super::route::login_url;
use super::Error;

/// Returns true if and only if the request carries our session cookie or an anonymous CSRF
/// secret: either may put something of this visitor's own in the page (a token, a name), so
/// such a page is never kept for others.
pub(super) fn has_session_cookie(request: &Request) -> bool {
    cookie::get(request, SESSION_COOKIE).is_some() || cookie::get(request, CSRF_COOKIE).is_some()
}

/// A form that could not be decoded: 413 past the field limit, else 400, told in `lang`.
pub(super) fn form_error(error: crate::http::FormError, lang: &Language) -> Error {
    let message = messages::form_error(error, lang);
    if error.too_many_fields() {
        Error::TooLarge(message)
    } else {
        Error::BadRequest(message)
    }
}

/// The size check from the row: 413 when the body or a form has more than the action takes
/// (told in `lang`).
pub(super) fn size_refusal(
    action: &Action,
    request: &Request,
    query: &Form,
    body: &Form,
    lang: &Language,
) -> Option<Error> {
    let fields = query.pairs().len().max(body.pairs().len());
    if request.body.len() as u64 > action.max_body {
        Some(Error::TooLarge(messages::web(
            &WebText::ActionTooLarge {
                action: action.name,
                max: action.max_body,
            },
            lang,
        )))
    } else if fields > action.max_fields {
        Some(Error::TooLarge(messages::web(
            &WebText::ActionTooManyFields {
                action: action.name,
                max: action.max_fields,
            },
            lang,
        )))
    } else {
        None
    }
}

/// The method check from the row: 405 with the methods it takes (told in `lang`).
pub(super) fn method_refusal(action: &Action, method: &Method, lang: &Language) -> Option<Error> {
    let (allowed, allow) = match (action.methods.allows_get(), action.methods.allows_post()) {
        (true, true) => (true, "GET, HEAD, POST"),
        (true, false) => (matches!(method, Method::Get | Method::Head), "GET, HEAD"),
        (false, _) => (*method == Method::Post, "POST"),
    };
    let allowed = allowed && matches!(method, Method::Get | Method::Head | Method::Post);
    (!allowed).then(|| Error::MethodNotAllowed {
        message: messages::web(
            &WebText::MethodNotAccepted {
                action: action.name,
                method: &format!("{method:?}"),
            },
            lang,
        ),
        allow,
    })
}

/// Everything checked once before the handler, from the row: session, CSRF, list, access.
pub(super) fn prepare(
    ctx: &mut Ctx<'_>,
    action: &Action,
    csrf_submitted: Option<&str>,
) -> Result<(), Error> {
    load_session(ctx)?;
    ctx.settle_language();
    if ctx.request.method == Method::Post {
        if let Csrf::Checked = action.csrf {
            if !ctx.csrf_is_valid(csrf_submitted) {
                log::info!("{}: POST without a valid CSRF token refused", action.name);
                return Err(Error::Forbidden(
                    messages::form_expired(&ctx.language).into(),
                ));
            }
        }
    }
    let requester_listmaster = ctx.user.as_ref().is_some_and(|u| u.listmaster);
    if action.list {
        let Some(name) = ctx.param("list") else {
            return Err(Error::BadRequest(messages::web(
                &WebText::ListNotNamed,
                &ctx.language,
            )));
        };
        let not_found =
            || Error::NotFound(messages::reason(Reason::NotVisible, &ctx.language).into());
        let name = ListName::parse(name).map_err(|_| not_found())?;
        let email = ctx.user.as_ref().map(|u| &u.email);
        let domain = &ctx.config.domain;
        // The list and the requester's roles in it, read on one snapshot.
        let found = ctx.store.snapshot(|db| {
            let Some(list) = db
                .list_by_name(domain, &name)?
                .filter(|list| list.status == ListStatus::Open)
            else {
                return Ok(None);
            };
            let roles = db.roles(list.id, email, requester_listmaster)?;
            Ok::<_, Error>(Some((list, roles)))
        })?;
        let Some((list, roles)) = found else {
            return Err(moved_or_not_found(ctx, action, &name)?);
        };
        ctx.roles = roles;
        if !domain::authz::can_see(&ctx.roles, list.policy.visibility) {
            return Err(not_found());
        }
        ctx.list = Some(Rc::new(list));
        ctx.settle_language();
    }
    let logged_in = ctx.user.is_some();
    let roles = ctx.roles;
    let allowed = match action.access {
        Access::Anyone => true,
        Access::User => logged_in,
        Access::Policy(kind) => {
            // The table test holds every policy row to a list row; were one not, no list is
            // one the visitor may see.
            let Some(list) = ctx.list.as_ref() else {
                return Err(Error::NotFound(
                    messages::reason(Reason::NotVisible, &ctx.language).into(),
                ));
            };
            match domain::decide(kind, &roles, &list.policy) {
                Decision::Refuse(Reason::NotVisible) => {
                    return Err(Error::NotFound(
                        messages::reason(Reason::NotVisible, &ctx.language).into(),
                    ))
                }
                Decision::Refuse(Reason::LoginRequired) => false,
                Decision::Refuse(reason) => {
                    return Err(Error::Forbidden(
                        messages::reason(reason, &ctx.language).into(),
                    ))
                }
                decision => {
                    ctx.decision = Some(decision);
                    true
                }
            }
        }
    };
    if allowed {
        return Ok(());
    }
    if !logged_in {
        let list = ctx.list.as_ref().map(|l| l.name.to_string());
        // Sent to the login page, and back here after.
        return Err(Error::LoginRequired(login_url(
            ctx.base,
            action.name,
            list.as_deref(),
        )));
    }
    Err(Error::Forbidden(
        messages::reason(Reason::NotPermitted, &ctx.language).into(),
    ))
}

/// For a list row naming no list: when a list was renamed from that name (`move_list`), a
/// GET or HEAD is sent on, permanently, to the same action on its new name with the same
/// path arguments (the query string is not kept) — but only if the visitor may see the
/// list, so that an old name tells nothing of a concealed list; anything else is the 404 of
/// an unknown list.
fn moved_or_not_found(ctx: &Ctx<'_>, action: &Action, name: &ListName) -> Result<Error, Error> {
    let not_found = Error::NotFound(messages::reason(Reason::NotVisible, &ctx.language).into());
    if !matches!(ctx.request.method, Method::Get | Method::Head) {
        return Ok(not_found);
    }
    let email = ctx.user.as_ref().map(|u| &u.email);
    let listmaster = ctx.user.as_ref().is_some_and(|u| u.listmaster);
    let domain = &ctx.config.domain;
    let renamed = ctx.store.snapshot(|db| {
        let Some(id) = db.renamed_list(domain, name)? else {
            return Ok::<_, Error>(None);
        };
        let Some(list) = db
            .list_by_id(id)?
            .filter(|list| list.status == ListStatus::Open)
        else {
            return Ok(None);
        };
        let roles = db.roles(list.id, email, listmaster)?;
        Ok(domain::authz::can_see(&roles, list.policy.visibility).then_some(list.name))
    })?;
    let Some(new_name) = renamed else {
        return Ok(not_found);
    };
    let mut args = vec![new_name.as_str()];
    for arg in &action.args[1..] {
        match ctx.param(arg) {
            Some(value) => args.push(value),
            None => break,
        }
    }
    Ok(Error::Moved(ctx.url(action.name, &args)))
}

/// Loads the session named by the cookie, its user and its kept notices; refreshes it now
/// and then. Without a live session, keeps the anonymous CSRF secret of [`CSRF_COOKIE`].
pub(super) fn load_session(ctx: &mut Ctx<'_>) -> Result<(), Error> {
    load_live_session(ctx)?;
    if ctx.session.is_none() {
        ctx.anonymous_csrf = cookie::get(ctx.request, CSRF_COOKIE)
            .filter(|secret| auth::looks_like_token(secret))
            .map(str::to_string);
    }
    Ok(())
}

pub(super) fn load_live_session(ctx: &mut Ctx<'_>) -> Result<(), Error> {
    let Some(secret) = cookie::get(ctx.request, SESSION_COOKIE) else {
        return Ok(());
    };
    let found = account::live_session(ctx.config, &ctx.store.db(), secret)?;
    let Some((mut record, user)) = found else {
        return Ok(());
    };
    ctx.user = user;
    if let Some(serde_json::Value::Array(kept)) = record.data.remove("notices") {
        for notice in kept {
            if let Ok(notice) = serde_json::from_value::<Notice>(notice) {
                ctx.notices.push(notice);
            }
        }
        ctx.store.db().set_session_data(record.id, &record.data)?;
    }
    ctx.session = Some(Session {
        secret: secret.to_string(),
        record,
    });
    Ok(())
}
