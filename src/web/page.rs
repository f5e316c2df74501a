//! Page assembly: the typed fields every page gets, rendering a handler's view with them, the error page and the headers every response carries.

use std::rc::Rc;
use std::sync::Arc;

use serde::Serialize;

use crate::auth;
use crate::domain::{List, User};
use crate::http::Response;
use crate::i18n::Language;
use crate::render::Fields;

use super::ctx::{Ctx, Notice};
use super::outcome::Page;
use super::state::{LanguageChoice, State};
use super::Error;

/// Who the page is for, taken from the request's context once the handler is done: the
/// user, the token for the page's forms, and the list of the row.
#[derive(Default)]
pub(super) struct Visitor {
    user: Option<User>,
    csrf_token: Option<String>,
    list: Option<Rc<List>>,
    /// Whether `user` is known (`null` when logged out), as on every page a handler answers;
    /// error pages of requests that never reached the handler leave it out.
    known: bool,
    /// The page's language; the site's when unknown.
    language: Option<Arc<Language>>,
}

impl Visitor {
    /// Takes the user and the list out of `ctx`, and the CSRF token of its session or, without
    /// one, of the anonymous CSRF secret it has.
    pub(super) fn take(ctx: &mut Ctx<'_>) -> Visitor {
        let csrf_token = match (&ctx.session, &ctx.anonymous_csrf) {
            (Some(session), _) => Some(auth::csrf_token(&session.secret)),
            (None, Some(secret)) => Some(auth::csrf_token(secret)),
            (None, None) => None,
        };
        Visitor {
            user: ctx.user.take(),
            csrf_token,
            list: ctx.list.take(),
            known: true,
            language: Some(Arc::clone(&ctx.language)),
        }
    }

    /// The tag of the page's language (`Content-Language`, `<html lang>`).
    fn tag<'s>(&'s self, state: &'s State) -> &'s str {
        self.language.as_ref().unwrap_or(&state.language).tag()
    }

    /// A visitor not known further than their language (pages answered before the handler).
    pub(super) fn speaking(language: Option<Arc<Language>>) -> Visitor {
        Visitor {
            language,
            ..Visitor::default()
        }
    }
}

/// The logged-in user, as pages show them.
#[derive(Serialize)]
struct UserView<'a> {
    email: &'a str,
    /// A listmaster: the menu leads to the listmaster's panel.
    listmaster: bool,
}

/// The list of the row, as pages show it.
#[derive(Serialize)]
struct ListHead<'a> {
    name: &'a str,
    address: String,
    subject: &'a str,
}

/// The fields every page gets: about the site, the visitor and the list of the row.
#[derive(Serialize)]
struct Common<'a> {
    base: &'a str,
    static_url: &'a str,
    title: &'a str,
    domain: &'a str,
    lang: &'a str,
    dir: &'static str,
    languages: &'a [LanguageChoice],
    action: &'a str,
    notices: &'a [Notice],
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<Option<UserView<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    csrf_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    list: Option<ListHead<'a>>,
}

impl<'a> Common<'a> {
    fn new(state: &'a State, action: &'a str, notices: &'a [Notice], visitor: &'a Visitor) -> Self {
        let language = visitor.language.as_ref().unwrap_or(&state.language);
        Common {
            base: &state.base,
            static_url: state.config.static_content_url.trim_end_matches('/'),
            title: &state.config.title,
            domain: &state.config.domain,
            lang: language.tag(),
            dir: language.dir(),
            languages: &state.languages,
            action,
            notices,
            user: visitor.known.then(|| {
                visitor.user.as_ref().map(|user| UserView {
                    email: user.email.as_str(),
                    listmaster: user.listmaster,
                })
            }),
            csrf_token: visitor.csrf_token.as_deref(),
            list: visitor.list.as_deref().map(|list| ListHead {
                name: list.name.as_str(),
                address: list.address(),
                subject: &list.subject,
            }),
        }
    }
}

/// Logs failures (not refusals) and renders the error page.
pub(super) fn failure(
    state: &State,
    error: Error,
    notices: &[Notice],
    visitor: &Visitor,
) -> Response {
    if error.status() >= 500 {
        log::error!("{error}");
    }
    error_page(state, &error, notices, visitor)
}

/// Renders `page` with the template `web/<name>.html`, where `name` is the page's own
/// template or else `action`'s, over the common fields.
pub(super) fn render_page(
    state: &State,
    action: &'static str,
    page: &Page,
    notices: &[Notice],
    visitor: &Visitor,
) -> Response {
    let template = page.template.unwrap_or(action);
    let mut fields = Fields::new();
    let rendered = fields
        .add(&Common::new(state, template, notices, visitor))
        .and_then(|()| page.view.fill(&mut fields))
        .and_then(|()| fields.add(&page.errors()))
        .and_then(|()| {
            state
                .templates
                .render_fields(&format!("web/{template}.html"), &fields)
        });
    match rendered {
        Ok(html) => Response::html(page.status, html)
            .with_header("Cache-Control", "no-store")
            .with_header("Content-Language", visitor.tag(state)),
        Err(e) => failure(state, Error::Render(e), notices, visitor),
    }
}

/// What the error page shows besides the common fields.
#[derive(Serialize)]
struct ErrorView {
    status: u16,
    message: String,
}

/// The error page; falls back to plain text if even that template fails.
pub(super) fn error_page(
    state: &State,
    error: &Error,
    notices: &[Notice],
    visitor: &Visitor,
) -> Response {
    let status = error.status();
    let view = ErrorView {
        status,
        message: error.public_message(visitor.language.as_ref().unwrap_or(&state.language)),
    };
    let mut fields = Fields::new();
    let rendered = fields
        .add(&Common::new(state, "error", notices, visitor))
        .and_then(|()| fields.add(&view))
        .and_then(|()| state.templates.render_fields("web/error.html", &fields));
    let response = match rendered {
        Ok(html) => {
            Response::html(status, html).with_header("Content-Language", visitor.tag(state))
        }
        Err(e) => {
            log::error!("{e}");
            Response::text(status, format!("{status} {}\n", view.message))
        }
    };
    match error {
        Error::MethodNotAllowed { allow, .. } => response.with_header("Allow", *allow),
        _ if status == 503 => response.with_header("Retry-After", "5"),
        _ => response,
    }
}

/// Headers every response carries.
pub(super) fn secure_headers(response: Response) -> Response {
    response
        .with_header("X-Content-Type-Options", "nosniff")
        .with_header("Referrer-Policy", "same-origin")
        .with_header(
            "Content-Security-Policy",
            "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
        )
}
