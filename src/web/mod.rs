//! WWSympa's web interface: an `http::Request` in, an `http::Response` out, on WWSympa's URL scheme.
//!
//! [`App::call`] does, in order: static assets, base-path check, action lookup (aliases
//! included), method check, parameters, the handler (panic-guarded by the http layer), and
//! rendering with the common page fields.

pub mod action;
pub mod actions;
pub mod ctx;
pub mod error;
pub mod handlers;
pub mod outcome;

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use serde_json::{json, Value};

use crate::config::Config;
use crate::http::{Form, Method, Request, Response, Service};
use crate::render::{self, Templates};
use crate::store::Pool;

pub use error::Error;

use ctx::{Ctx, Level, Notice};
use outcome::Outcome;

/// What a request is served with; replaced whole on reload.
pub struct State {
    /// The configuration.
    pub config: Config,
    /// The parsed templates.
    pub templates: Templates,
    /// `wwsympa_url`'s path, computed once.
    pub base: String,
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
        })
    }
}

/// The web application.
pub struct App {
    state: RwLock<Arc<State>>,
    pool: Pool,
    config_path: Option<PathBuf>,
}

impl App {
    /// An app over `state`, with the database at the configured `db_name`.
    pub fn new(state: State, config_path: Option<PathBuf>) -> App {
        let pool = Pool::new(state.config.db_name.clone());
        App {
            state: RwLock::new(Arc::new(state)),
            pool,
            config_path,
        }
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

    fn state(&self) -> Arc<State> {
        Arc::clone(&self.state.read().unwrap_or_else(|p| p.into_inner()))
    }
}

impl Service for App {
    fn call(&self, request: &Request) -> Response {
        let state = self.state();
        let response = match route(&state, request) {
            Route::Asset(name) => match render::asset(name) {
                Some((content_type, bytes)) => Response {
                    status: 200,
                    headers: vec![
                        ("Content-Type".into(), content_type.into()),
                        ("Cache-Control".into(), "public, max-age=86400".into()),
                    ],
                    body: bytes.to_vec(),
                },
                None => error_page(&state, &Error::NotFound("No such file.".into()), Vec::new()),
            },
            Route::Outside => error_page(
                &state,
                &Error::NotFound("This address is not part of the mailing list service.".into()),
                Vec::new(),
            ),
            Route::Action(name, args) => self.run_action(&state, request, name, &args),
        };
        secure_headers(response)
    }
}

/// Where a path leads.
enum Route<'r> {
    /// A file under `static_content_url`.
    Asset(&'r str),
    /// Not under the base path.
    Outside,
    /// `<base>/<action>/<args...>`; the home page is the empty action.
    Action(&'r str, Vec<&'r str>),
}

fn route<'r>(state: &State, request: &'r Request) -> Route<'r> {
    let path = request.path.as_str();
    if let Some(name) = path
        .strip_prefix(state.config.static_content_url.trim_end_matches('/'))
        .and_then(|p| p.strip_prefix('/'))
    {
        return Route::Asset(name);
    }
    let Some(rest) = path.strip_prefix(state.base.as_str()) else {
        return Route::Outside;
    };
    if !(rest.is_empty() || rest.starts_with('/')) {
        return Route::Outside;
    }
    let mut parts = rest.split('/').filter(|p| !p.is_empty());
    let action = parts.next().unwrap_or("");
    Route::Action(action, parts.collect())
}

impl App {
    fn run_action(&self, state: &State, request: &Request, name: &str, args: &[&str]) -> Response {
        let mut params = match Form::parse(request.query.as_bytes()) {
            Ok(form) => form,
            Err(e) => return error_page(state, &Error::BadRequest(e.0), Vec::new()),
        };
        if request.method == Method::Post {
            match Form::parse(&request.body) {
                Ok(form) => params.extend(form),
                Err(e) => return error_page(state, &Error::BadRequest(e.0), Vec::new()),
            }
        }
        // WWSympa also takes the action as a parameter (`?action=info&list=x`).
        let name = if name.is_empty() {
            params.get("action").unwrap_or("home").to_string()
        } else {
            name.to_string()
        };
        let mut notices = Vec::new();
        let (action, status) = match actions::find(&name) {
            Some(action) => (action, 200),
            None => {
                notices.push(Notice {
                    level: Level::Error,
                    text: format!(
                        "Unknown action “{}”.",
                        name.chars().take(60).collect::<String>()
                    ),
                });
                (actions::find("home").expect("home is in the table"), 404)
            }
        };
        if request.method.is_unsafe() && action.methods == action::Methods::Read {
            return error_page(
                state,
                &Error::BadRequest(format!(
                    "The action “{}” does not accept {:?} requests.",
                    action.name, request.method
                )),
                notices,
            )
            .with_header("Allow", "GET, HEAD");
        }
        if status == 200 {
            let mut positional = Form::default();
            for (arg_name, value) in action.args.iter().zip(args) {
                positional.extend(
                    Form::parse(
                        format!(
                            "{}={}",
                            arg_name,
                            percent_encoding::utf8_percent_encode(
                                value,
                                percent_encoding::NON_ALPHANUMERIC
                            )
                        )
                        .as_bytes(),
                    )
                    .unwrap_or_default(),
                );
            }
            positional.extend(params);
            params = positional;
        }
        let store = match self.pool.get() {
            Ok(store) => store,
            Err(e) => return failure(state, Error::Store(e), notices),
        };
        let mut ctx = Ctx {
            config: &state.config,
            request,
            params,
            store,
            notices,
        };
        let outcome = (action.handler)(&mut ctx);
        let notices = std::mem::take(&mut ctx.notices);
        match outcome {
            Ok(Outcome::Page {
                template,
                status: page_status,
                view,
            }) => {
                let status = if status == 200 { page_status } else { status };
                render_page(state, template, status, view, notices)
            }
            Ok(Outcome::Response(response)) => response,
            Err(e) => failure(state, e, notices),
        }
    }
}

/// Logs failures (not refusals) and renders the error page.
fn failure(state: &State, error: Error, notices: Vec<Notice>) -> Response {
    if error.status() >= 500 {
        log::error!("{error}");
    }
    error_page(state, &error, notices)
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
) -> Response {
    let mut map = common(state, template, notices.clone());
    if let Value::Object(fields) = view {
        map.extend(fields);
    }
    match state
        .templates
        .render(&format!("web/{template}.html"), &map)
    {
        Ok(html) => Response::html(status, html),
        Err(e) => failure(state, Error::Render(e), notices),
    }
}

/// The error page; falls back to plain text if even that template fails.
fn error_page(state: &State, error: &Error, notices: Vec<Notice>) -> Response {
    let status = error.status();
    let mut map = common(state, "error", notices);
    map.insert("status".into(), json!(status));
    map.insert("message".into(), json!(error.public_message()));
    match state.templates.render("web/error.html", &map) {
        Ok(html) => Response::html(status, html),
        Err(e) => {
            log::error!("{e}");
            Response::text(status, format!("{status} {}\n", error.public_message()))
        }
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
