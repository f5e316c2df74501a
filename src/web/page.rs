//! Page assembly: the fields every page gets, rendering a handler's view, the error page and the headers every response carries.

use serde_json::{json, Value};

use crate::auth;
use crate::http::Response;

use super::ctx::{Ctx, Notice};
use super::state::State;
use super::Error;

/// The fields about the visitor and the list that every page gets.
pub(super) fn page_fields(ctx: &Ctx<'_>) -> serde_json::Map<String, Value> {
    let mut map = serde_json::Map::new();
    map.insert("user".into(), json!(ctx.user));
    if let Some(session) = &ctx.session {
        map.insert(
            "csrf_token".into(),
            json!(auth::csrf_token(&session.secret)),
        );
    }
    if let Some(list) = &ctx.list {
        map.insert(
            "list".into(),
            json!({
                "name": list.name,
                "address": list.address(),
                "subject": list.subject,
            }),
        );
        map.insert("roles".into(), json!(ctx.roles));
    }
    map
}

/// Logs failures (not refusals) and renders the error page.
pub(super) fn failure(
    state: &State,
    error: Error,
    notices: Vec<Notice>,
    page: Option<serde_json::Map<String, Value>>,
) -> Response {
    if error.status() >= 500 {
        log::error!("{error}");
    }
    error_page(state, &error, notices, page)
}

/// The fields every page gets.
pub(super) fn common(
    state: &State,
    action: &str,
    notices: Vec<Notice>,
) -> serde_json::Map<String, Value> {
    let mut map = serde_json::Map::new();
    map.insert("base".into(), json!(state.base));
    map.insert(
        "static_url".into(),
        json!(state.config.static_content_url.trim_end_matches('/')),
    );
    map.insert("title".into(), json!(state.config.title));
    map.insert("domain".into(), json!(state.config.domain));
    map.insert("lang".into(), json!("en"));
    map.insert("action".into(), json!(action));
    map.insert("notices".into(), json!(notices));
    map
}

pub(super) fn render_page(
    state: &State,
    template: &str,
    status: u16,
    view: Value,
    notices: Vec<Notice>,
    page: serde_json::Map<String, Value>,
) -> Response {
    let mut map = common(state, template, notices.clone());
    map.extend(page.clone());
    if let Value::Object(fields) = view {
        map.extend(fields);
    }
    match state
        .templates
        .render(&format!("web/{template}.html"), &map)
    {
        Ok(html) => Response::html(status, html).with_header("Cache-Control", "no-store"),
        Err(e) => failure(state, Error::Render(e), notices, Some(page)),
    }
}

/// The error page; falls back to plain text if even that template fails.
pub(super) fn error_page(
    state: &State,
    error: &Error,
    notices: Vec<Notice>,
    page: Option<serde_json::Map<String, Value>>,
) -> Response {
    let status = error.status();
    let mut map = common(state, "error", notices);
    map.extend(page.unwrap_or_default());
    map.insert("status".into(), json!(status));
    map.insert("message".into(), json!(error.public_message()));
    let response = match state.templates.render("web/error.html", &map) {
        Ok(html) => Response::html(status, html),
        Err(e) => {
            log::error!("{e}");
            Response::text(status, format!("{status} {}\n", error.public_message()))
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
