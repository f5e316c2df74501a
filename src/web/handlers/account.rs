//! Account pages: login, logout, password mails and tickets, choosing a password, preferences, my lists.

use serde_json::{json, Value};

use crate::domain::ListName;
use crate::mail::notices::PasswordReason;
use crate::messages;
use crate::operations::account::{self, LANGUAGES};
use crate::operations::{self, Refusal};
use crate::web::actions;
use crate::web::ctx::{Ctx, Level};
use crate::web::handlers::refused_form;
use crate::web::outcome::Outcome;
use crate::web::Error;

/// Where to go after login: back to `previous_action/previous_list` when that is a page, else home.
fn return_url(ctx: &Ctx<'_>) -> String {
    let Some(action) = ctx.param("previous_action").and_then(actions::find) else {
        return format!("{}/", ctx.base);
    };
    if !action.methods.allows_get() || matches!(action.name, "login" | "logout" | "ticket") {
        return format!("{}/", ctx.base);
    }
    match ctx.param("previous_list").map(ListName::parse) {
        Some(Ok(list)) => ctx.url(action.name, &[list.as_str()]),
        _ => ctx.url(action.name, &[]),
    }
}

fn previous(ctx: &Ctx<'_>) -> Value {
    json!({
        "previous_action": ctx.param("previous_action").filter(|a| actions::find(a).is_some()),
        "previous_list": ctx.param("previous_list").and_then(|l| ListName::parse(l).ok()),
    })
}

/// `login[/previous_action[/previous_list]]`: the login form; POST checks the password and
/// starts a new session (the id changes at login).
pub fn login(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let mut view = previous(ctx);
    view["form"] = json!({ "email": ctx.text("email").chars().take(254).collect::<String>() });
    if ctx.request.method != crate::http::Method::Post {
        if ctx.user.is_some() {
            ctx.notice(Level::Info, "You are logged in already.");
        }
        view["csrf_token"] = json!(ctx.csrf_token()?);
        return Ok(Outcome::page("login", view));
    }
    let email = ctx.text("email").to_string();
    let password = ctx.text("passwd").to_string();
    match ctx.run(|env, who| account::login(env, who, &email, &password)) {
        Ok(user) => {
            ctx.start_session(Some(user))?;
            ctx.flash(Level::Success, "You are logged in.")?;
            Ok(Outcome::redirect(&return_url(ctx)))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            refused_form(ctx, "login", &refusal, view)
        }
    }
}

/// `logout`: a button on GET (so a link or a prefetch logs nobody out); POST ends the session.
pub fn logout(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    if ctx.request.method != crate::http::Method::Post {
        let csrf = ctx.csrf_token()?;
        return Ok(Outcome::page("logout", json!({ "csrf_token": csrf })));
    }
    ctx.end_session()?;
    ctx.start_session(None)?;
    ctx.flash(Level::Success, "You are logged out.")?;
    Ok(Outcome::redirect(&format!("{}/", ctx.base)))
}

fn password_request_form(ctx: &mut Ctx<'_>, template: &'static str) -> Result<Outcome, Error> {
    let mut view = previous(ctx);
    view["form"] = json!({ "email": ctx.text("email").chars().take(254).collect::<String>() });
    view["csrf_token"] = json!(ctx.csrf_token()?);
    Ok(Outcome::page(template, view))
}

/// `firstpasswd`: "first login": asks for the address to mail a ticket to.
pub fn firstpasswd(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    password_request_form(ctx, "firstpasswd")
}

/// `renewpasswd`: "forgot my password": asks for the address to mail a ticket to.
pub fn renewpasswd(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    password_request_form(ctx, "renewpasswd")
}

/// `requestpasswd[/email]`: GET confirms the address; POST mails the ticket. The answer is
/// the same whether the address has an account or not.
pub fn requestpasswd(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let email = ctx.text("email").chars().take(300).collect::<String>();
    let mut view = json!({ "form": { "email": email.chars().take(254).collect::<String>() } });
    if ctx.request.method != crate::http::Method::Post {
        view["csrf_token"] = json!(ctx.csrf_token()?);
        return Ok(Outcome::page("requestpasswd", view));
    }
    let reason = if ctx.param("reason") == Some("firstpasswd") {
        PasswordReason::First
    } else {
        PasswordReason::Renew
    };
    match ctx.run(|env, who| account::request_password(env, who, &email, reason)) {
        Ok(()) => {
            view["sent"] = json!(true);
            Ok(Outcome::page("requestpasswd", view))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            refused_form(ctx, "requestpasswd", &refusal, view)
        }
    }
}

/// `ticket/<ticket>`: GET shows a button (mail scanners that follow links use nothing up);
/// POST uses the ticket once, logs its address in with a new session, and goes to `choosepasswd`.
pub fn ticket(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let ticket = ctx.text("ticket").to_string();
    if ctx.request.method != crate::http::Method::Post {
        let live = ctx.run(|env, _| account::ticket_is_live(env, &ticket))?;
        if !live {
            return Ok(Outcome::page_with_status(
                "ticket",
                410,
                json!({ "invalid": true, "message": messages::refusal(&Refusal::InvalidLink) }),
            ));
        }
        let csrf = ctx.csrf_token()?;
        return Ok(Outcome::page(
            "ticket",
            json!({ "ticket": ticket, "csrf_token": csrf }),
        ));
    }
    match ctx.run(|env, who| account::use_ticket(env, who, &ticket)) {
        Ok((user, _purpose)) => {
            ctx.start_session(Some(user))?;
            ctx.flash(Level::Success, "You are logged in. Choose your password.")?;
            Ok(Outcome::redirect(&ctx.url("choosepasswd", &[])))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            Ok(Outcome::page_with_status(
                "ticket",
                410,
                json!({ "invalid": true, "message": messages::refusal(&refusal) }),
            ))
        }
    }
}

fn set_password(ctx: &mut Ctx<'_>, template: &'static str) -> Result<Outcome, Error> {
    let first = ctx.text("newpasswd1").to_string();
    let second = ctx.text("newpasswd2").to_string();
    match ctx.run(|env, who| account::set_password(env, who, &first, &second)) {
        Ok(()) => {
            // The operation ended every session of the account, this one included: the
            // visitor goes on in a fresh one, with a new id.
            let user = ctx.user.clone();
            ctx.session = None;
            ctx.start_session(user)?;
            ctx.flash(
                Level::Success,
                "Your password is saved. You were logged out everywhere else, and the links mailed before no longer work.",
            )?;
            Ok(Outcome::redirect(&ctx.url("pref", &[])))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            refused_form(ctx, template, &refusal, json!({}))
        }
    }
}

/// `choosepasswd`: the new-password form after a ticket login; POST saves it.
pub fn choosepasswd(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    if ctx.request.method == crate::http::Method::Post {
        return set_password(ctx, "choosepasswd");
    }
    let csrf = ctx.csrf_token()?;
    Ok(Outcome::page("choosepasswd", json!({ "csrf_token": csrf })))
}

/// `setpasswd` (POST): changes the password from the preferences page.
pub fn setpasswd(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    set_password(ctx, "setpasswd")
}

/// `pref`: display name and language (POST saves them), and the password form.
pub fn pref(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let user = ctx.user.clone().expect("the row needs a user");
    let languages: Vec<Value> = LANGUAGES
        .iter()
        .map(|(tag, name)| json!({ "tag": tag, "name": name }))
        .collect();
    if ctx.request.method != crate::http::Method::Post {
        let csrf = ctx.csrf_token()?;
        return Ok(Outcome::page(
            "pref",
            json!({
                "form": { "gecos": user.name, "lang": user.lang },
                "languages": languages,
                "csrf_token": csrf,
            }),
        ));
    }
    let name = ctx.text("gecos").to_string();
    let lang = ctx.text("lang").to_string();
    match ctx.run(|env, who| account::set_preferences(env, who, &name, &lang)) {
        Ok(()) => {
            ctx.flash(Level::Success, "Your preferences are saved.")?;
            Ok(Outcome::redirect(&ctx.url("pref", &[])))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            let view = json!({
                "form": { "gecos": name.chars().take(300).collect::<String>(), "lang": lang },
                "languages": languages,
            });
            refused_form(ctx, "pref", &refusal, view)
        }
    }
}

/// `my` (old name `which`): the lists the user belongs to, with the roles held on each.
pub fn my(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let memberships = ctx
        .run(|env, who| account::memberships(env, who))
        .map_err(Error::from)?;
    let lists: Vec<Value> = memberships
        .iter()
        .map(|m| {
            json!({
                "name": m.list,
                "subject": m.subject,
                "roles": m.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                "admin": m.roles.iter().any(|r| *r >= crate::domain::Role::Moderator),
            })
        })
        .collect();
    Ok(Outcome::page("my", json!({ "memberships": lists })))
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Error {
        Error::Operation(operations::Error::Refused(refusal))
    }
}
