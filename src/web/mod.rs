//! WWSympa's web interface: an `http::Request` in, an `http::Response` out, on WWSympa's URL scheme.
//!
//! [`App::call`] does, in order: static assets, base-path check, action lookup (aliases
//! included), method check, parameters, the handler (panic-guarded by the http layer), and
//! rendering with the common page fields.

pub mod action;
pub mod actions;
pub mod cache;
pub mod ctx;
pub mod error;
pub mod handlers;
pub mod outcome;

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use serde_json::{json, Value};

use crate::auth;
use crate::config::Config;
use crate::domain::{self, Decision, ListName, ListStatus, Reason, Roles, User};
use crate::http::{cookie, Form, Method, Request, Response, Service};
use crate::mail;
use crate::operations::Refusal;
use crate::render::{self, Templates};
use crate::store::Pool;

pub use error::Error;

use action::{Access, Action, Csrf};
use ctx::{Ctx, Level, Notice, Session, CSRF_COOKIE, SESSION_COOKIE};
use outcome::Outcome;

/// What a request is served with; replaced whole on reload.
pub struct State {
    /// The configuration.
    pub config: Config,
    /// The parsed templates.
    pub templates: Templates,
    /// `wwsympa_url`'s path, computed once.
    pub base: String,
    /// Anonymous pages of `cached` actions; dropped with the state on reload.
    pub pages: cache::PageCache,
}

impl State {
    /// Builds the state from a configuration, loading its templates.
    pub fn new(config: Config) -> Result<State, render::Error> {
        let templates = Templates::load(config.template_dir.as_deref())?;
        let base = config.base_path();
        Ok(State {
            config,
            templates,
            base,
            pages: cache::PageCache::default(),
        })
    }
}

/// The web application.
pub struct App {
    state: RwLock<Arc<State>>,
    pool: Pool,
    config_path: Option<PathBuf>,
    /// Raised when a request has committed mail: the process's sender thread sends it.
    outbox: Arc<mail::Wake>,
}

impl App {
    /// An app over `state`, with the database at the configured `db_name`.
    pub fn new(state: State, config_path: Option<PathBuf>) -> App {
        let pool = Pool::new(state.config.db_name.clone());
        App {
            state: RwLock::new(Arc::new(state)),
            pool,
            config_path,
            outbox: Arc::new(mail::Wake::new()),
        }
    }

    /// What wakes this process's outbox sender when a request has committed mail; a request
    /// itself never talks to the MTA.
    pub fn outbox_wake(&self) -> Arc<mail::Wake> {
        Arc::clone(&self.outbox)
    }

    /// The configuration in force (a copy: a reload replaces it).
    pub fn config(&self) -> Config {
        self.state().config.clone()
    }

    /// Re-reads the configuration file and the templates; on error the running state stays.
    ///
    /// The database path is not changed by a reload.
    pub fn reload(&self) -> Result<(), String> {
        let config = Config::load(self.config_path.as_deref()).map_err(|e| e.to_string())?;
        let state = State::new(config).map_err(|e| e.to_string())?;
        crate::logging::init(crate::logging::level_from_name(&state.config.log_level));
        *self.state.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(state);
        Ok(())
    }

    /// Hands the app an already open connection to the configured database.
    pub fn with_store(self, store: crate::store::Store) -> App {
        self.pool.give(store);
        self
    }

    fn state(&self) -> Arc<State> {
        Arc::clone(&self.state.read().unwrap_or_else(|p| p.into_inner()))
    }
}

impl App {
    /// The largest body the action named in `request`'s path reads: the doors stop reading
    /// (413) past it, so an 8 MiB form to `login` costs nothing. Requests that name no known
    /// action get the largest limit of any row; the row checks again once it is known.
    pub fn body_limit(&self, request: &Request) -> u64 {
        let state = self.state();
        match route(&state, request) {
            Route::Action(name, _) if name.is_empty() => action::BULK_BODY,
            Route::Action(name, _) => {
                actions::find(&name).map_or(action::FORM_BODY, |a| a.max_body)
            }
            Route::Asset(_) | Route::Outside => action::FORM_BODY,
        }
    }
}

impl Service for App {
    fn call(&self, request: &Request) -> Response {
        let state = self.state();
        let response = match route(&state, request) {
            Route::Asset(name) => match render::asset(&name) {
                Some((content_type, bytes)) => Response {
                    status: 200,
                    headers: vec![
                        ("Content-Type".into(), content_type.into()),
                        ("Cache-Control".into(), "public, max-age=86400".into()),
                    ],
                    body: bytes.to_vec(),
                },
                None => error_page(
                    &state,
                    &Error::NotFound("No such file.".into()),
                    Vec::new(),
                    None,
                ),
            },
            Route::Outside => error_page(
                &state,
                &Error::NotFound("This address is not part of the mailing list service.".into()),
                Vec::new(),
                None,
            ),
            Route::Action(name, args) => self.run_action(&state, request, &name, &args),
        };
        secure_headers(response)
    }
}

/// Returns true if and only if the request carries our session cookie or an anonymous CSRF
/// secret: either may put something of this visitor's own in the page (a token, a name), so
/// such a page is never kept for others.
fn has_session_cookie(request: &Request) -> bool {
    cookie::get(request, SESSION_COOKIE).is_some() || cookie::get(request, CSRF_COOKIE).is_some()
}

/// Where a path leads.
enum Route {
    /// A file under `static_content_url`.
    Asset(String),
    /// Not under the base path.
    Outside,
    /// `<base>/<action>/<args...>`, each segment decoded on its own; the home page is the
    /// empty action.
    Action(String, Vec<String>),
}

/// The segments of a configured path prefix (`/sympa` → `["sympa"]`, `` → `[]`).
fn prefix_segments(prefix: &str) -> impl Iterator<Item = &str> {
    prefix.split('/').filter(|s| !s.is_empty())
}

/// Strips the segments of `prefix` from the front of `segments`.
fn strip_prefix<'s>(segments: &'s [String], prefix: &str) -> Option<&'s [String]> {
    let mut rest = segments;
    for expected in prefix_segments(prefix) {
        match rest.split_first() {
            Some((first, tail)) if first == expected => rest = tail,
            _ => return None,
        }
    }
    Some(rest)
}

fn route(state: &State, request: &Request) -> Route {
    // Split first, then decode each segment (as Sympa does): `a%2Fb@x.org` stays one argument.
    let Some(segments) = request.segments() else {
        return Route::Outside;
    };
    let static_prefix = state.config.static_content_url.trim_end_matches('/');
    if prefix_segments(static_prefix).next().is_some() {
        if let Some(rest) = strip_prefix(&segments, static_prefix).filter(|r| !r.is_empty()) {
            return Route::Asset(rest.join("/"));
        }
    }
    let Some(rest) = strip_prefix(&segments, &state.base) else {
        return Route::Outside;
    };
    match rest.split_first() {
        None => Route::Action(String::new(), Vec::new()),
        Some((action, args)) => Route::Action(action.clone(), args.to_vec()),
    }
}

impl App {
    fn run_action(
        &self,
        state: &State,
        request: &Request,
        name: &str,
        args: &[String],
    ) -> Response {
        // The row named in the path sets the form's limits; with no name in the path
        // (`?action=info`), the largest limits apply until the row is known.
        let max_fields = match actions::find(name) {
            _ if name.is_empty() => action::BULK_FIELDS,
            Some(row) => row.max_fields,
            None => action::FORM_FIELDS,
        };
        let query = match Form::parse_limited(request.query.as_bytes(), max_fields) {
            Ok(form) => form,
            Err(e) => return error_page(state, &form_error(e), Vec::new(), None),
        };
        let body = if request.method == Method::Post {
            match Form::parse_limited(&request.body, max_fields) {
                Ok(form) => form,
                Err(e) => return error_page(state, &form_error(e), Vec::new(), None),
            }
        } else {
            Form::default()
        };
        // WWSympa also takes the action as a parameter (`?action=info&list=x`).
        let name = if name.is_empty() {
            body.get("action")
                .or(query.get("action"))
                .unwrap_or("home")
                .to_string()
        } else {
            name.to_string()
        };
        let mut notices = Vec::new();
        let (action, known) = match actions::find(&name) {
            Some(action) => (action, true),
            None => {
                notices.push(Notice {
                    level: Level::Error,
                    text: format!(
                        "Unknown action “{}”.",
                        name.chars().take(60).collect::<String>()
                    ),
                });
                (actions::find("home").expect("home is in the table"), false)
            }
        };
        if let Some(refusal) = size_refusal(action, request, &query, &body) {
            return error_page(state, &refusal, notices, None);
        }
        if let Some(refusal) = method_refusal(action, &request.method) {
            return error_page(state, &refusal, notices, None);
        }
        let mut params = Form::default();
        if known {
            for (arg_name, value) in action.args.iter().zip(args) {
                params.push(arg_name, value);
            }
        }
        let csrf_submitted = body.get("csrf_token").map(str::to_string);
        params.extend(body);
        params.extend(query);

        let store = match self.pool.get() {
            Ok(store) => store,
            Err(e) => return failure(state, Error::Store(e), notices, None),
        };
        // The anonymous page cache: see `cache.rs` for why a page kept here is never stale.
        let cache_key = (known
            && action.cached
            && !request.method.is_unsafe()
            && notices.is_empty()
            && !has_session_cookie(request))
        .then(|| format!("{}?{}", request.path, request.query));
        let site_version = match &cache_key {
            Some(key) => match store.db().site_version() {
                Ok(version) => {
                    if let Some(page) = state.pages.get(version, key) {
                        return page;
                    }
                    Some(version)
                }
                Err(e) => return failure(state, Error::Store(e), notices, None),
            },
            None => None,
        };
        let mut ctx = Ctx {
            config: &state.config,
            templates: &state.templates,
            base: &state.base,
            request,
            action: action.name,
            params,
            store,
            session: None,
            anonymous_csrf: None,
            user: None,
            list: None,
            roles: Roles::ANONYMOUS,
            decision: None,
            notices,
            cookies: Vec::new(),
            queued_mail: Vec::new(),
        };
        let result = prepare(&mut ctx, action, csrf_submitted.as_deref())
            .and_then(|()| (action.handler)(&mut ctx));
        // The mail is committed; it leaves after the response, from the sender thread.
        let queued_mail = !ctx.queued_mail.is_empty();
        let page = page_fields(&ctx);
        let notices = std::mem::take(&mut ctx.notices);
        let cookies = std::mem::take(&mut ctx.cookies);
        drop(ctx);
        let response = match result {
            Ok(Outcome::Page {
                template,
                status,
                view,
            }) => {
                let status = if known { status } else { 404 };
                render_page(state, template, status, view, notices, page)
            }
            Ok(Outcome::Response(response)) => response,
            Err(Error::LoginRequired(url)) => Response::redirect(&url),
            Err(Error::Operation(crate::operations::Error::Refused(Refusal::Denied(
                Reason::LoginRequired,
            )))) => Response::redirect(&login_url(&state.base, action.name, None)),
            Err(e) => failure(state, e, notices, Some(page)),
        };
        if let (Some(key), Some(version)) = (cache_key, site_version) {
            if response.status == 200 && cookies.is_empty() {
                state.pages.put(version, key, &response);
            }
        }
        if queued_mail {
            self.outbox.notify();
        }
        cookies.iter().fold(response, |response, cookie| {
            response.with_header("Set-Cookie", cookie.header_value())
        })
    }
}

/// A form that could not be decoded: 413 past the field limit, else 400.
fn form_error(error: crate::http::FormError) -> Error {
    if error.too_many_fields {
        Error::TooLarge(error.message)
    } else {
        Error::BadRequest(error.message)
    }
}

/// The size check from the row: 413 when the body or a form has more than the action takes.
fn size_refusal(action: &Action, request: &Request, query: &Form, body: &Form) -> Option<Error> {
    let fields = query.pairs().len().max(body.pairs().len());
    if request.body.len() as u64 > action.max_body {
        Some(Error::TooLarge(format!(
            "The action “{}” takes at most {} bytes.",
            action.name, action.max_body
        )))
    } else if fields > action.max_fields {
        Some(Error::TooLarge(format!(
            "The action “{}” takes at most {} fields.",
            action.name, action.max_fields
        )))
    } else {
        None
    }
}

/// The method check from the row: 405 with the methods it takes.
fn method_refusal(action: &Action, method: &Method) -> Option<Error> {
    let (allowed, allow) = match (action.methods.allows_get(), action.methods.allows_post()) {
        (true, true) => (true, "GET, HEAD, POST"),
        (true, false) => (matches!(method, Method::Get | Method::Head), "GET, HEAD"),
        (false, _) => (*method == Method::Post, "POST"),
    };
    let allowed = allowed && matches!(method, Method::Get | Method::Head | Method::Post);
    (!allowed).then(|| Error::MethodNotAllowed {
        message: format!(
            "The action “{}” does not accept {:?} requests.",
            action.name, method
        ),
        allow,
    })
}

/// `<base>/login/<action>[/<list>]`: where an anonymous visitor is sent, to come back after.
fn login_url(base: &str, action: &str, list: Option<&str>) -> String {
    match list {
        Some(list) => format!("{base}/login/{action}/{}", encode_segment(list)),
        None => format!("{base}/login/{action}"),
    }
}

/// Everything checked once before the handler, from the row: session, CSRF, list, access.
fn prepare(ctx: &mut Ctx<'_>, action: &Action, csrf_submitted: Option<&str>) -> Result<(), Error> {
    load_session(ctx)?;
    if ctx.request.method == Method::Post {
        if let Csrf::Checked = action.csrf {
            if !ctx.csrf_is_valid(csrf_submitted) {
                log::info!("{}: POST without a valid CSRF token refused", action.name);
                return Err(Error::Forbidden(
                    "This form has expired or did not come from this site, so nothing was done. Please reload the page and try again.".into(),
                ));
            }
        }
    }
    let requester_listmaster = ctx.user.as_ref().is_some_and(|u| u.listmaster);
    if action.list {
        let Some(name) = ctx.param("list") else {
            return Err(Error::BadRequest(
                "Which list? The address names none.".into(),
            ));
        };
        let not_found = || Error::NotFound("No such list.".into());
        let name = ListName::parse(name).map_err(|_| not_found())?;
        let email = ctx.user.as_ref().map(|u| &u.email);
        let domain = &ctx.config.domain;
        // The list and the requester's roles in it, read on one snapshot.
        let (list, roles) = ctx
            .store
            .snapshot(|db| {
                let Some(list) = db
                    .list_by_name(domain, &name)?
                    .filter(|list| list.status == ListStatus::Open)
                else {
                    return Ok(None);
                };
                let roles = db.roles(list.id, email, requester_listmaster)?;
                Ok::<_, Error>(Some((list, roles)))
            })?
            .ok_or_else(not_found)?;
        ctx.roles = roles;
        if !domain::authz::can_see(&ctx.roles, list.policy.visibility) {
            return Err(not_found());
        }
        ctx.list = Some(list);
    }
    let logged_in = ctx.user.is_some();
    let roles = ctx.roles;
    let allowed = match action.access {
        Access::Anyone => true,
        Access::User => logged_in,
        Access::Subscriber => roles.subscriber,
        Access::Moderator => roles.is_editor(),
        Access::Owner => roles.is_owner(),
        Access::PrivilegedOwner => roles.is_privileged_owner(),
        Access::Listmaster => requester_listmaster,
        Access::Policy(kind) => {
            let list = ctx.list.as_ref().expect("policy rows have a list");
            match domain::decide(kind, &roles, &list.policy) {
                Decision::Refuse(Reason::NotVisible) => {
                    return Err(Error::NotFound("No such list.".into()))
                }
                Decision::Refuse(Reason::LoginRequired) => false,
                Decision::Refuse(reason) => return Err(Error::Forbidden(reason.text().into())),
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
    Err(Error::Forbidden(Reason::NotPermitted.text().into()))
}

/// Loads the session named by the cookie, its user and its kept notices; refreshes it now
/// and then. Without a live session, keeps the anonymous CSRF secret of [`CSRF_COOKIE`].
fn load_session(ctx: &mut Ctx<'_>) -> Result<(), Error> {
    load_live_session(ctx)?;
    if ctx.session.is_none() {
        ctx.anonymous_csrf = cookie::get(ctx.request, CSRF_COOKIE)
            .filter(|secret| auth::looks_like_token(secret))
            .map(str::to_string);
    }
    Ok(())
}

fn load_live_session(ctx: &mut Ctx<'_>) -> Result<(), Error> {
    let Some(secret) = cookie::get(ctx.request, SESSION_COOKIE) else {
        return Ok(());
    };
    if !auth::looks_like_token(secret) {
        return Ok(());
    }
    let domain = &ctx.config.domain;
    // The session and its account, read on one snapshot.
    let found = ctx.store.snapshot(|db| {
        let Some(record) = db.session(&auth::token_hash(secret), domain)? else {
            return Ok(None);
        };
        let account = match &record.email {
            Some(email) => db.user(email)?,
            None => None,
        };
        Ok::<_, Error>(Some((record, account)))
    })?;
    let Some((mut record, account)) = found else {
        return Ok(());
    };
    if let Some(found) = account {
        let listmaster = found.user.listmaster || ctx.config.is_listmaster(&found.user.email);
        ctx.user = Some(User {
            listmaster,
            ..found.user
        });
    }
    let ttl = if ctx.user.is_some() {
        ctx.config.session_table_ttl
    } else {
        ctx.config.anonymous_session_table_ttl
    } as i64;
    if crate::store::now() - record.refreshed_at > 60 {
        ctx.store.db().touch_session(record.id, ttl)?;
    }
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

/// The fields about the visitor and the list that every page gets.
fn page_fields(ctx: &Ctx<'_>) -> serde_json::Map<String, Value> {
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

/// What [`encode_segment`] encodes: all but the RFC 3986 unreserved characters.
pub(crate) const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path segment (RFC 3986 unreserved characters stay).
pub fn encode_segment(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, SEGMENT).to_string()
}

/// Logs failures (not refusals) and renders the error page.
fn failure(
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
fn common(state: &State, action: &str, notices: Vec<Notice>) -> serde_json::Map<String, Value> {
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

fn render_page(
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
fn error_page(
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
        _ => response,
    }
}

/// Headers every response carries.
fn secure_headers(response: Response) -> Response {
    response
        .with_header("X-Content-Type-Options", "nosniff")
        .with_header("Referrer-Policy", "same-origin")
        .with_header(
            "Content-Security-Policy",
            "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
        )
}
