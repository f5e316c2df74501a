//! WWSympa's web interface: an `http::Request` in, an `http::Response` out, on WWSympa's URL scheme.
//!
//! [`App::call`] does, in order: the route (`route.rs`: static assets, base-path check, the
//! action and its arguments), the action lookup (aliases included), the checks of its row
//! (`gate.rs`: size, method, session, CSRF, list, access), the handler (panic-guarded by the
//! http layer) with the list of a list row, and the page (`page.rs`: the handler's typed view
//! rendered with the row's template and the common page fields, the error page, the headers
//! every response carries). Handlers read their parameters through `params.rs`. Handlers run operations through
//! [`crate::operations::run`], which wakes this process's outbox sender when one committed
//! mail. `state.rs` holds what a request is served with.

pub mod action;
pub mod actions;
pub mod conditional;
pub mod ctx;
pub mod error;
mod gate;
pub mod handlers;
pub mod language;
pub mod outcome;
mod page;
pub mod params;
mod route;
mod state;

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use crate::config::Config;
use crate::domain::{Reason, Roles};
use crate::http::{Body, Form, Method, Request, Response, Service};
use crate::i18n::Language;
use crate::mail;
use crate::messages::{self, WebText};
use crate::operations::Refusal;
use crate::render::{self};
use crate::store::Pool;

pub use error::Error;
pub use route::encode_segment;
pub use state::State;

use action::Handler;
use ctx::{Ctx, Level, Notice};
use gate::{form_error, has_session_cookie, method_refusal, prepare, size_refusal};
use outcome::Outcome;
use page::{error_page, failure, render_page, secure_headers, Visitor};
use route::{login_url, route, Route};

/// Idle database connections an [`App`] keeps unless told its thread count.
pub const DEFAULT_CONNECTIONS: usize = 16;

/// The web application.
pub struct App {
    state: RwLock<Arc<State>>,
    pool: Pool,
    config_path: Option<PathBuf>,
    /// Raised when a request has committed mail: the process's sender thread sends it.
    outbox: Arc<mail::Wake>,
}

impl App {
    /// An app over `state`, on the configured database (`db_type`, `db_name`, ...), keeping
    /// up to [`DEFAULT_CONNECTIONS`] idle connections until [`App::with_connections`] says.
    pub fn new(state: State, config_path: Option<PathBuf>) -> Result<App, crate::store::Error> {
        let pool = Pool::new(
            crate::store::Target::from_config(&state.config)?,
            DEFAULT_CONNECTIONS,
        );
        Ok(App {
            state: RwLock::new(Arc::new(state)),
            pool,
            config_path,
            outbox: Arc::new(mail::Wake::new()),
        })
    }

    /// Keeps at most `threads` idle database connections: one per thread that handles
    /// requests at once.
    pub fn with_connections(mut self, threads: usize) -> App {
        self.pool = Pool::new(self.pool.target().clone(), threads);
        self
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

impl Service for App {
    /// The largest body the action named in `request`'s path reads: the doors stop reading
    /// (413) past it, so an 8 MiB form to `login` costs nothing. A request that names no
    /// action (`?action=` in the form) gets the largest limit of any row; the row checks
    /// again once it is known.
    fn body_limit(&self, request: &Request) -> Option<u64> {
        let state = self.state();
        if api_path(&state, request).is_some() {
            return Some(crate::api::BODY_LIMIT);
        }
        Some(match route(&state, request) {
            Route::Action(name, _) if name.is_empty() => action::BULK_BODY,
            Route::Action(name, _) => {
                actions::find(&name).map_or(action::FORM_BODY, |a| a.max_body)
            }
            Route::Asset(_) | Route::Outside => action::FORM_BODY,
        })
    }

    /// A JSON error with a code under the API's path; elsewhere the error page, in the
    /// language the request asks for (or the site's).
    fn too_large(&self, request: &Request, max: u64) -> Response {
        let state = self.state();
        match api_path(&state, request) {
            Some(_) => secure_headers(crate::api::too_large(max)),
            None => {
                let asked = language::asked(state.templates.catalogues(), request).cloned();
                let text = messages::body_too_large(max, asked.as_ref().unwrap_or(&state.language));
                secure_headers(error_page(
                    &state,
                    &Error::TooLarge(text),
                    &[],
                    &Visitor::speaking(asked),
                ))
            }
        }
    }

    fn call(&self, request: &Request) -> Response {
        let state = self.state();
        if let Some(rest) = api_path(&state, request) {
            let api = crate::api::Api {
                config: &state.config,
                templates: &state.templates,
                pool: &self.pool,
                outbox: &self.outbox,
                answers: &state.api_answers,
            };
            return secure_headers(api.call(request, rest.as_deref()));
        }
        let response = match route(&state, request) {
            Route::Asset(name) => match render::asset(&name) {
                Some((content_type, bytes)) => Response {
                    status: 200,
                    headers: vec![
                        ("Content-Type".into(), content_type.into()),
                        ("Cache-Control".into(), "public, max-age=86400".into()),
                    ],
                    body: Body::Bytes(bytes.to_vec()),
                },
                None => not_found_page(&state, request, &WebText::NoSuchFile),
            },
            Route::Outside => not_found_page(&state, request, &WebText::OutsideService),
            Route::Action(name, args) => self.run_action(&state, request, &name, &args),
        };
        secure_headers(response)
    }
}

/// The 404 page of an address that names no action (a static file, a path outside the
/// service), in the language the request asks for (or the site's).
fn not_found_page(state: &State, request: &Request, text: &WebText<'_>) -> Response {
    let asked = language::asked(state.templates.catalogues(), request).cloned();
    let message = messages::web(text, asked.as_ref().unwrap_or(&state.language));
    error_page(
        state,
        &Error::NotFound(message),
        &[],
        &Visitor::speaking(asked),
    )
}

/// The path after the base path when `request` is for the JSON API (`<base>/api/v1/...`);
/// inside, `None` when a segment is not UTF-8 once decoded.
fn api_path(state: &State, request: &Request) -> Option<Option<Vec<String>>> {
    // Most requests are the web's: they cost one substring search here.
    if !request.raw_path.contains("/api/v1") {
        return None;
    }
    // The raw path's segments, undecoded, say whether it is the API's at all.
    let raw: Vec<String> = request
        .raw_path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let rest = route::strip_prefix(&raw, &state.base)?;
    if !crate::api::is_api(rest) {
        return None;
    }
    let skip = raw.len() - rest.len();
    Some(request.segments().map(|all| all[skip..].to_vec()))
}

impl App {
    fn run_action(
        &self,
        state: &State,
        request: &Request,
        name: &str,
        args: &[String],
    ) -> Response {
        // What the request asks for: the page's language until the user and list are known,
        // and the page cache's key.
        let asked = language::asked(state.templates.catalogues(), request).cloned();
        let speaking = || Visitor::speaking(asked.clone());
        // The language of what is said before the user and list are known (the error page's).
        let speaks: &Language = asked.as_ref().unwrap_or(&state.language);
        // The row named in the path sets the form's limits; with no name in the path
        // (`?action=info`), the largest limits apply until the row is known.
        let max_fields = match actions::find(name) {
            _ if name.is_empty() => action::BULK_FIELDS,
            Some(row) => row.max_fields,
            None => action::FORM_FIELDS,
        };
        let query = match Form::parse_limited(request.query.as_bytes(), max_fields) {
            Ok(form) => form,
            Err(e) => return error_page(state, &form_error(e, speaks), &[], &speaking()),
        };
        let body = if request.method == Method::Post {
            match Form::parse_limited(&request.body, max_fields) {
                Ok(form) => form,
                Err(e) => return error_page(state, &form_error(e, speaks), &[], &speaking()),
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
                    text: messages::web(
                        &WebText::UnknownAction {
                            name: &name.chars().take(60).collect::<String>(),
                        },
                        speaks,
                    ),
                });
                (actions::find("home").expect("home is in the table"), false)
            }
        };
        if let Some(refusal) = size_refusal(action, request, &query, &body, speaks) {
            return error_page(state, &refusal, &notices, &speaking());
        }
        if let Some(refusal) = method_refusal(action, &request.method, speaks) {
            return error_page(state, &refusal, &notices, &speaking());
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
            Err(e) => return failure(state, Error::Store(e), &notices, &speaking()),
        };
        // The anonymous page cache: see `http::cache` for why a page kept here is never stale.
        let cache_key = (known
            && action.cached
            && !request.method.is_unsafe()
            && notices.is_empty()
            && !has_session_cookie(request))
        .then(|| {
            // One entry per language asked for ("" when none: the list's or the site's).
            let tag = asked.as_ref().map_or("", |language| language.tag());
            format!("{tag}|{}?{}", request.path, request.query)
        });
        let site_version = match &cache_key {
            Some(key) => match store.db().site_version() {
                Ok(version) => {
                    if let Some(page) = state.pages.get(version, key) {
                        return conditional::revalidate(request, page);
                    }
                    Some(version)
                }
                Err(e) => return failure(state, Error::Store(e), &notices, &speaking()),
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
            outbox: &self.outbox,
            validators: None,
            headers: Vec::new(),
            language: Arc::clone(asked.as_ref().unwrap_or(&state.language)),
            asked_language: asked.clone(),
        };
        let result = prepare(&mut ctx, action, csrf_submitted.as_deref()).and_then(|()| {
            match (action.handler, ctx.list.clone()) {
                (Handler::Site(handler), _) => handler(&mut ctx),
                (Handler::List(handler), Some(list)) => handler(&mut ctx, &list),
                // `prepare` loads the list of every list row, or answers before the handler.
                (Handler::List(_), None) => Err(Error::NotFound(
                    messages::reason(crate::domain::Reason::NotVisible, &ctx.language).into(),
                )),
            }
        });
        // The mail is committed; it leaves after the response, from the sender thread.
        let private = ctx.is_private();
        let validators = ctx.validators.take();
        let extra_headers = std::mem::take(&mut ctx.headers);
        let visitor = Visitor::take(&mut ctx);
        let notices = std::mem::take(&mut ctx.notices);
        let cookies = std::mem::take(&mut ctx.cookies);
        drop(ctx);
        let response = match result {
            Ok(Outcome::Page(mut page)) => {
                if !known {
                    page.status = 404;
                }
                render_page(state, action.name, &page, &notices, &visitor)
            }
            Ok(Outcome::Response(response)) => response,
            Err(Error::LoginRequired(url)) => Response::redirect(&url),
            Err(Error::Moved(url)) => {
                let mut response = Response::redirect(&url);
                response.status = 301;
                response
            }
            Err(Error::Operation(crate::operations::Error::Refused(Refusal::Denied(
                Reason::LoginRequired,
            )))) => Response::redirect(&login_url(&state.base, action.name, None)),
            Err(e) => failure(state, e, &notices, &visitor),
        };
        let response = match &validators {
            Some(validators) if cookies.is_empty() => {
                conditional::finish(request, response, validators, private)
            }
            _ => response,
        };
        let response = extra_headers
            .into_iter()
            .fold(response, |response, (name, value)| {
                response.with_header(&name, value)
            });
        if let (Some(key), Some(version)) = (cache_key, site_version) {
            if response.status == 200 && cookies.is_empty() {
                state.pages.put(version, key, &response);
            }
        }
        cookies.iter().fold(response, |response, cookie| {
            response.with_header("Set-Cookie", cookie.header_value())
        })
    }
}
