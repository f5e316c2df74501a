//! Account pages: login, logout, password mails and tickets, choosing a password, preferences, my lists.

use serde::Serialize;

use crate::domain::ListName;
use crate::mail::notices::PasswordReason;
use crate::messages::{self, WebText};
use crate::operations::account;
use crate::operations::{self, Refusal};
use crate::web::actions;
use crate::web::ctx::{Ctx, Level};
use crate::web::handlers::refused_form;
use crate::web::handlers::subscription::dead_link;
use crate::web::outcome::Outcome;
use crate::web::params::{self, Typed, EMAIL_MAX, PASSWORD_MAIL_MAX, PREF_NAME_MAX};
use crate::web::Error;

/// Where to go after login: back to `previous_action/previous_list` when that is a page, else home.
pub(crate) fn return_url(ctx: &Ctx<'_>) -> String {
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

/// The address field of the login and password forms.
#[derive(Serialize)]
struct EmailForm {
    email: Typed,
}

/// `login.html`, `firstpasswd.html`, `renewpasswd.html`: the form, and where to come back to.
#[derive(Serialize)]
struct ReturnView {
    previous_action: Option<String>,
    previous_list: Option<ListName>,
    form: EmailForm,
}

impl ReturnView {
    fn of(ctx: &Ctx<'_>) -> ReturnView {
        ReturnView {
            previous_action: ctx
                .param("previous_action")
                .filter(|a| actions::find(a).is_some())
                .map(str::to_string),
            previous_list: ctx
                .param("previous_list")
                .and_then(|l| ListName::parse(l).ok()),
            form: EmailForm {
                email: params::typed(&ctx.params, "email", EMAIL_MAX),
            },
        }
    }
}

/// `login[/previous_action[/previous_list]]`: the login form; POST checks the password and
/// starts a new session (the id changes at login).
pub fn login(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let view = ReturnView::of(ctx);
    if ctx.request.method != crate::http::Method::Post {
        if ctx.user.is_some() {
            ctx.notice(
                Level::Info,
                messages::web(&WebText::LoggedInAlready, &ctx.language),
            );
        }
        ctx.ensure_csrf_token()?;
        return Ok(Outcome::page(view));
    }
    let email = ctx.text("email").to_string();
    let password = ctx.text("passwd").to_string();
    match ctx.run(|env, who| account::login(env, who, &email, &password)) {
        Ok(user) => {
            ctx.start_session(Some(user))?;
            ctx.flash(
                Level::Success,
                messages::web(&WebText::LoggedIn, &ctx.language),
            )?;
            Ok(Outcome::redirect(&return_url(ctx)))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            refused_form(ctx, &refusal, view)
        }
    }
}

/// `logout.html`: the common fields only.
#[derive(Serialize)]
struct LogoutView {}

/// `logout`: a button on GET (so a link or a prefetch logs nobody out); POST ends the session.
pub fn logout(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    if ctx.request.method != crate::http::Method::Post {
        ctx.ensure_csrf_token()?;
        return Ok(Outcome::page(LogoutView {}));
    }
    ctx.end_session()?;
    ctx.start_session(None)?;
    ctx.flash(
        Level::Success,
        messages::web(&WebText::LoggedOut, &ctx.language),
    )?;
    Ok(Outcome::redirect(&format!("{}/", ctx.base)))
}

fn password_request_form(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let view = ReturnView::of(ctx);
    ctx.ensure_csrf_token()?;
    Ok(Outcome::page(view))
}

/// `firstpasswd`: "first login": asks for the address to mail a ticket to.
pub fn firstpasswd(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    password_request_form(ctx)
}

/// `renewpasswd`: "forgot my password": asks for the address to mail a ticket to.
pub fn renewpasswd(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    password_request_form(ctx)
}

/// `requestpasswd.html`.
#[derive(Serialize)]
struct RequestPasswdView {
    form: EmailForm,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    sent: bool,
}

/// `requestpasswd[/email]`: GET confirms the address; POST mails the ticket. The answer is
/// the same whether the address has an account or not.
pub fn requestpasswd(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let email = params::typed(&ctx.params, "email", PASSWORD_MAIL_MAX);
    let mut view = RequestPasswdView {
        form: EmailForm {
            email: Typed::new(email.as_str(), EMAIL_MAX),
        },
        sent: false,
    };
    if ctx.request.method != crate::http::Method::Post {
        ctx.ensure_csrf_token()?;
        return Ok(Outcome::page(view));
    }
    let reason = if ctx.param("reason") == Some("firstpasswd") {
        PasswordReason::First
    } else {
        PasswordReason::Renew
    };
    match ctx.run(|env, who| account::request_password(env, who, email.as_str(), reason)) {
        Ok(()) => {
            view.sent = true;
            Ok(Outcome::page(view))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            refused_form(ctx, &refusal, view)
        }
    }
}

/// `ticket.html` with the button.
#[derive(Serialize)]
struct TicketView {
    ticket: String,
}

/// `ticket/<ticket>`: GET shows a button (mail scanners that follow links use nothing up);
/// POST uses the ticket once, logs its address in with a new session, and goes to `choosepasswd`.
pub fn ticket(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let ticket = ctx.text("ticket").to_string();
    if ctx.request.method != crate::http::Method::Post {
        let live = ctx.run(|env, _| account::ticket_is_live(env, &ticket))?;
        if !live {
            return Ok(dead_link(410, &Refusal::InvalidLink, &ctx.language));
        }
        ctx.ensure_csrf_token()?;
        return Ok(Outcome::page(TicketView { ticket }));
    }
    match ctx.run(|env, who| account::use_ticket(env, who, &ticket)) {
        Ok((user, _purpose)) => {
            ctx.start_session(Some(user))?;
            ctx.flash(
                Level::Success,
                messages::web(&WebText::LoggedInChoosePassword, &ctx.language),
            )?;
            Ok(Outcome::redirect(&ctx.url("choosepasswd", &[])))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            Ok(dead_link(410, &refusal, &ctx.language))
        }
    }
}

/// `choosepasswd.html` and `setpasswd.html`: the common fields only.
#[derive(Serialize)]
struct PasswordView {}

fn set_password(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
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
                messages::web(&WebText::PasswordSaved, &ctx.language),
            )?;
            Ok(Outcome::redirect(&ctx.url("pref", &[])))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            refused_form(ctx, &refusal, PasswordView {})
        }
    }
}

/// `choosepasswd`: the new-password form after a ticket login; POST saves it.
pub fn choosepasswd(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    if ctx.request.method == crate::http::Method::Post {
        return set_password(ctx);
    }
    ctx.ensure_csrf_token()?;
    Ok(Outcome::page(PasswordView {}))
}

/// `setpasswd` (POST): changes the password from the preferences page.
pub fn setpasswd(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    set_password(ctx)
}

/// A language the preferences form offers ("" for none: the browser's).
#[derive(Serialize)]
struct Language {
    tag: String,
    name: String,
}

/// The values of the preferences form.
#[derive(Serialize)]
struct PrefForm {
    gecos: String,
    lang: String,
}

/// `pref.html`.
#[derive(Serialize)]
struct PrefView {
    form: PrefForm,
    languages: Vec<Language>,
}

/// "The browser's language" (no preference), then every language the site has.
fn languages(ctx: &Ctx<'_>) -> Vec<Language> {
    let none = Language {
        tag: String::new(),
        name: crate::messages::browser_language(&ctx.language).to_string(),
    };
    let all = ctx.templates.catalogues().languages().iter();
    std::iter::once(none)
        .chain(all.map(|language| Language {
            tag: language.tag().to_string(),
            name: language.name().to_string(),
        }))
        .collect()
}

/// `pref`: display name and language (POST saves them), and the password form.
pub fn pref(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    if ctx.request.method != crate::http::Method::Post {
        // The row lets only users in.
        let (gecos, lang) = ctx
            .user
            .as_ref()
            .map(|user| (user.name.clone(), user.lang.clone()))
            .unwrap_or_default();
        ctx.ensure_csrf_token()?;
        return Ok(Outcome::page(PrefView {
            form: PrefForm { gecos, lang },
            languages: languages(ctx),
        }));
    }
    let name = ctx.text("gecos").to_string();
    let lang = ctx.text("lang").to_string();
    match ctx.run(|env, who| account::set_preferences(env, who, &name, &lang)) {
        Ok(()) => {
            // Told in the language just chosen (the request's was chosen before); none
            // chosen: the request's.
            let chosen = ctx
                .templates
                .catalogues()
                .lookup(&lang)
                .cloned()
                .unwrap_or_else(|| ctx.language.clone());
            ctx.flash(
                Level::Success,
                messages::web(&WebText::PreferencesSaved, &chosen),
            )?;
            Ok(Outcome::redirect(&ctx.url("pref", &[])))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            let view = PrefView {
                form: PrefForm {
                    gecos: Typed::new(&name, PREF_NAME_MAX).as_str().to_string(),
                    lang,
                },
                languages: languages(ctx),
            };
            refused_form(ctx, &refusal, view)
        }
    }
}

/// One of the user's lists on `my.html`.
#[derive(Serialize)]
struct MembershipRow {
    name: ListName,
    subject: String,
    roles: Vec<&'static str>,
}

/// `my.html`.
#[derive(Serialize)]
struct MyView {
    memberships: Vec<MembershipRow>,
}

/// `my` (old name `which`): the lists the user belongs to, with the roles held on each.
pub fn my(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let memberships = ctx
        .run(|env, who| account::memberships(env, who))
        .map_err(Error::from)?
        .into_iter()
        .map(|m| MembershipRow {
            roles: m.roles.iter().map(|r| r.as_str()).collect(),
            name: m.list,
            subject: m.subject,
        })
        .collect();
    Ok(Outcome::page(MyView { memberships }))
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Error {
        Error::Operation(operations::Error::Refused(refusal))
    }
}
