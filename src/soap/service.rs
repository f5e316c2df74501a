//! [`SoapApp`]: the SOAP door as an [`http::Service`]: the path, the method, the checks in SOAP::Lite's order, the session cookie, the answer.
//!
//! A request is answered, in order: 404 off the path of `soap_url`; 411 with an empty body
//! and no cookie when it has no body (GET, HEAD), as SOAP::Lite; 405 for a method other
//! than POST with a body; then, with the session cookies on every answer (faults included),
//! the Content-Type, the envelope, SOAPAction and the namespace are checked and the call
//! dispatched ([`super::ops::dispatch`]). Faults are 500, as SOAP::Lite sends them; a
//! database out of reach is 503 with `Retry-After`, never an empty answer.
//!
//! Sessions are the web's: the same `sympa_session` cookie and the same store rows. The
//! answer sends the id in Sympa's `Set-Cookie2` and in a `Set-Cookie` (which PHP, Python
//! and browsers keep). A request without a live session gets a fresh random id that is
//! stored nowhere (Sympa wrote a row per cookieless call).

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use crate::auth;
use crate::config::Config;
use crate::http::cookie::{self, SESSION_COOKIE};
use crate::http::{self, Body, Method, Request, Response};
use crate::mail;
use crate::render::{self, Templates};
use crate::store::{self, Pool};

use super::ops::{self, Cx, Session, Stop};
use super::trusted::{self, Apps};
use super::{envelope, write};
use super::{Fault, Version};

/// The largest envelope taken: 1 MiB (Sympa's calls are a few hundred bytes; a
/// thousand-member `add` loop is a thousand calls).
pub const BODY_LIMIT: u64 = 1024 * 1024;

/// Idle database connections kept unless told the thread count.
const DEFAULT_CONNECTIONS: usize = 16;

/// What a request is served with; replaced whole on reload.
pub struct State {
    /// The configuration.
    pub config: Config,
    /// The templates (for the mail operations send).
    pub templates: Templates,
    /// The trusted applications (`trusted_applications`).
    pub apps: Apps,
    /// The path of `soap_url`, without a trailing `/` (`/sympasoap`; `` at the root).
    pub path: String,
}

impl State {
    /// Builds the state from a configuration: its templates and trusted applications.
    pub fn new(config: Config) -> Result<State, StartError> {
        let templates =
            Templates::load_with(config.template_dir.as_deref(), config.locale_dir.as_deref())?;
        let apps = Apps::load(&config.trusted_applications)?;
        let path = url_path(&config.soap_url);
        Ok(State {
            config,
            templates,
            apps,
            path,
        })
    }
}

/// The path of a URL without its trailing `/`.
fn url_path(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    let path = path.split(['?', '#']).next().unwrap_or("");
    path.trim_end_matches('/').to_string()
}

/// Why the SOAP door cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database settings.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// The templates.
    #[error(transparent)]
    Render(#[from] render::Error),
    /// The trusted applications' file.
    #[error(transparent)]
    Trusted(#[from] trusted::Error),
}

/// The SOAP application (`wwsympa serve --soap`).
pub struct SoapApp {
    state: RwLock<Arc<State>>,
    pool: Pool,
    config_path: Option<PathBuf>,
    outbox: Arc<mail::Wake>,
}

impl SoapApp {
    /// An app over `config`, on the configured database.
    pub fn new(config: Config, config_path: Option<PathBuf>) -> Result<SoapApp, StartError> {
        let pool = Pool::new(
            crate::store::Target::from_config(&config)?,
            DEFAULT_CONNECTIONS,
        );
        Ok(SoapApp {
            state: RwLock::new(Arc::new(State::new(config)?)),
            pool,
            config_path,
            outbox: Arc::new(mail::Wake::new()),
        })
    }

    /// Keeps at most `threads` idle database connections.
    pub fn with_connections(mut self, threads: usize) -> SoapApp {
        self.pool = Pool::new(self.pool.target().clone(), threads);
        self
    }

    /// Hands the app an already open connection to the configured database.
    pub fn with_store(self, store: crate::store::Store) -> SoapApp {
        self.pool.give(store);
        self
    }

    /// What wakes this process's outbox sender when a call has committed mail.
    pub fn outbox_wake(&self) -> Arc<mail::Wake> {
        Arc::clone(&self.outbox)
    }

    /// The configuration in force (a copy: a reload replaces it).
    pub fn config(&self) -> Config {
        self.state().config.clone()
    }

    /// Re-reads the configuration, the templates and the trusted applications; on error the
    /// running state stays.
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

impl http::Service for SoapApp {
    fn body_limit(&self, _request: &Request) -> Option<u64> {
        Some(BODY_LIMIT)
    }

    fn call(&self, request: &Request) -> Response {
        let state = self.state();
        if request.path.trim_end_matches('/') != state.path {
            return Response::text(
                404,
                "404 Not Found: the SOAP interface answers at the path of soap_url only\n",
            );
        }
        if request.body.is_empty() {
            // SOAP::Lite's answer to a request without a body (GET, HEAD): no content, no cookie.
            return Response {
                status: 411,
                headers: Vec::new(),
                body: Body::Bytes(Vec::new()),
            };
        }
        if !matches!(&request.method, Method::Post)
            && request.method != Method::Other("M-POST".into())
        {
            return Response::text(405, "405 Method Not Allowed: SOAP calls are POSTed\n")
                .with_header("Allow", "POST");
        }
        let mut store = match self.pool.get() {
            Ok(store) => store,
            Err(e) => return failure(Stop::Unavailable, &e),
        };
        let mut cx = Cx {
            store: &mut store,
            config: &state.config,
            templates: &state.templates,
            apps: &state.apps,
            wake: &self.outbox,
            remote_addr: request.remote_addr,
            session: Session::default(),
        };
        let found = match cookie::get(request, SESSION_COOKIE) {
            Some(secret) => ops::session_user(&cx, secret),
            None => Ok(None),
        };
        cx.session = match found {
            Ok(Some((row, user))) => Session {
                id: cookie::get(request, SESSION_COOKIE)
                    .unwrap_or_default()
                    .to_string(),
                row: Some(row),
                user: Some(user),
            },
            Ok(None) => match auth::random_token() {
                Ok(id) => Session {
                    id,
                    row: None,
                    user: None,
                },
                Err(e) => return failure(Stop::Fault(Fault::server("Internal error", None)), &e),
            },
            Err(stop) => return failure(stop, &"reading the session"),
        };
        let (version, method, answer) = call(&mut cx, request);
        let session_id = cx.session.id.clone();
        drop(cx);
        let mode = if state.config.soap_wsdl_conformant {
            write::Mode::Conformant {
                target_namespace: super::wsdl::target_namespace(&state.config.wwsympa_url),
            }
        } else {
            write::Mode::Sympa
        };
        let (status, body) = match answer {
            Ok(reply) => (200, write::response(version, &method, &reply, &mode)),
            Err(Stop::Fault(fault)) => (500, write::fault(version, &fault)),
            Err(Stop::Unavailable) => return failure(Stop::Unavailable, &"the database"),
        };
        Response {
            status,
            headers: vec![("Content-Type".into(), "text/xml; charset=utf-8".into())],
            body: Body::Bytes(body.into_bytes()),
        }
        .with_header(
            "Set-Cookie2",
            set_cookie2(&state.config, request, &session_id),
        )
        .with_header("Set-Cookie", set_cookie(request, &session_id))
    }
}

/// The checks of SOAP::Lite in its order, then the dispatch: the envelope's version, the
/// method's name and the answer.
fn call(cx: &mut Cx<'_>, request: &Request) -> (Version, String, Result<super::Reply, Stop>) {
    if let Err(fault) = envelope::check_content_type(header(request, "content-type")) {
        return (Version::Soap11, String::new(), Err(fault.into()));
    }
    let call = match envelope::parse(&request.body) {
        Ok(call) => call,
        Err(fault) => return (Version::Soap11, String::new(), Err(fault.into())),
    };
    let checked = envelope::check_soap_action(header(request, "soapaction"), &call)
        .and_then(|()| envelope::check_namespace(&call));
    let answer = match checked {
        Ok(()) => ops::dispatch(cx, &call),
        Err(fault) => Err(fault.into()),
    };
    (call.version, call.method, answer)
}

fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request
        .headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The answer when the call cannot be answered: 503 with `Retry-After` when the database is
/// out of reach, else a plain 500 (what the fault would say is already logged).
fn failure(stop: Stop, what: &dyn std::fmt::Display) -> Response {
    match stop {
        Stop::Unavailable => {
            log::warn!("SOAP: the database cannot be reached ({what}); answering 503");
            Response::text(
                503,
                "503 Service Unavailable: the lists' database cannot be reached just now; nothing was read or changed\n",
            )
            .with_header("Retry-After", "5")
        }
        Stop::Fault(_) => {
            log::error!("SOAP: {what}");
            Response::text(500, "500 Internal Server Error\n")
        }
    }
}

/// Sympa's `Set-Cookie2`: `domain` is `cookie_domain`, else the host the client asked for
/// (none for localhost); `max-age` is `cookie_expire`, 600 when 0.
pub fn set_cookie2(config: &Config, request: &Request, id: &str) -> String {
    let host = header(request, "host").map(host_name);
    let domain = config
        .cookie_domain()
        .map(str::to_string)
        .or_else(|| host.filter(|h| !h.is_empty() && h != "localhost"));
    let max_age = if config.cookie_expire == 0 {
        600
    } else {
        config.cookie_expire
    };
    match domain {
        Some(domain) => {
            format!("{SESSION_COOKIE}={id}; domain={domain}; path=/; max-age={max_age}")
        }
        None => format!("{SESSION_COOKIE}={id}; path=/; max-age={max_age}"),
    }
}

/// The `Set-Cookie` beside it, for PHP SoapClient, zeep and browsers: HttpOnly and
/// SameSite=Lax as the web's, so that no other site's form posts with it.
pub fn set_cookie(request: &Request, id: &str) -> String {
    let secure = if request.https { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={id}; path=/; HttpOnly; SameSite=Lax{secure}")
}

/// A Host header's name, without its port.
fn host_name(host: &str) -> String {
    let host = host.trim();
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("").to_string();
    }
    host.rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host, |(name, _)| name)
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(host: Option<&str>, https: bool) -> Request {
        let mut request = Request::parse_target(Method::Post, "/sympasoap").unwrap();
        if let Some(host) = host {
            request.headers.push(("host".into(), host.into()));
        }
        request.https = https;
        request
    }

    #[test]
    fn the_path_is_soap_urls() {
        assert_eq!(url_path("http://localhost/sympasoap"), "/sympasoap");
        assert_eq!(url_path("https://h.example.org:8443/a/soap/"), "/a/soap");
        assert_eq!(url_path("http://h.example.org"), "");
    }

    #[test]
    fn cookies_are_sympas_and_ours() {
        let config = Config::default();
        assert_eq!(
            set_cookie2(&config, &request(Some("127.0.0.1:8082"), false), "abc"),
            "sympa_session=abc; domain=127.0.0.1; path=/; max-age=600"
        );
        assert_eq!(
            set_cookie2(&config, &request(Some("localhost:80"), false), "abc"),
            "sympa_session=abc; path=/; max-age=600"
        );
        let shared = Config {
            cookie_domain: Some("example.org".into()),
            cookie_expire: 3600,
            ..Config::default()
        };
        assert_eq!(
            set_cookie2(&shared, &request(Some("lists.example.org"), false), "abc"),
            "sympa_session=abc; domain=example.org; path=/; max-age=3600"
        );
        assert_eq!(
            set_cookie(&request(None, true), "abc"),
            "sympa_session=abc; path=/; HttpOnly; SameSite=Lax; Secure"
        );
        assert_eq!(
            set_cookie(&request(None, false), "abc"),
            "sympa_session=abc; path=/; HttpOnly; SameSite=Lax"
        );
    }
}
