//! The JSON API at `<base>/api/v1/`: the same operations as the web, for programs, with bearer tokens and an OpenAPI document generated from its own types.
//!
//! The web process answers it: [`crate::web::App`] hands every request under
//! `<base>/api/v1/` to [`Api::call`] before its own routing. Then, in order: the route
//! ([`route`]: the endpoint, or 404, or 405 with `Allow`), a database connection (503 when
//! none), the caller ([`auth`]: the bearer token, or anonymous; a bad token is 401), the
//! handler (one module per resource: [`lists`], [`members`], [`me`], [`requests`]), which
//! runs operations through [`crate::operations::run`] and answers with the JSON [`types`].
//! Every refusal is an [`error::ErrorBody`] with the refusal's stable code. [`openapi`]
//! derives the OpenAPI 3.1 document from the handlers' annotations and the types.
//!
//! No cookie is ever read (so there is nothing to forge across sites), and no CORS header is
//! sent: browsers on other origins get nothing.

pub mod auth;
pub mod error;
pub mod lists;
pub mod me;
pub mod members;
pub mod openapi;
pub mod requests;
pub mod route;
pub mod types;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::config::Config;
use crate::http::cache::ResponseCache;
use crate::http::{Body, Form, Request, Response};
use crate::mail;
use crate::operations::{self, Env, Handoff};
use crate::render::Templates;
use crate::store::{Pool, Store};

pub use error::{ApiError, ErrorBody};

use auth::Caller;
use route::Endpoint;

/// The largest request body the API reads: 64 KiB.
pub const BODY_LIMIT: u64 = 64 * 1024;

/// The most items one page holds.
pub const MAX_PAGE: usize = 100;

/// Items on a page unless `limit` says otherwise.
pub const DEFAULT_PAGE: usize = 50;

/// The path segments of the API under the base path.
pub const PREFIX: [&str; 2] = ["api", "v1"];

/// What the API answers with: borrowed from the web application for one request.
pub struct Api<'a> {
    /// The configuration in force.
    pub config: &'a Config,
    /// The templates (for the mail operations queue).
    pub templates: &'a Templates,
    /// Database connections.
    pub pool: &'a Pool,
    /// Wakes this process's outbox sender after a commit.
    pub outbox: &'a mail::Wake,
    /// Anonymous answers kept until the lists change ([`cacheable`]).
    pub answers: &'a ResponseCache,
}

/// One request being answered: the caller, the query, the body, and the database.
pub struct Call<'r> {
    /// The request.
    pub request: &'r Request,
    /// Who calls.
    pub caller: Caller,
    /// The query string's parameters.
    pub query: Form,
    store: &'r mut Store,
    config: &'r Config,
    templates: &'r Templates,
    outbox: &'r mail::Wake,
}

impl Call<'_> {
    /// Reads through the operations (nothing is committed).
    pub fn read<T>(
        &mut self,
        work: impl FnOnce(&mut Env<'_>, &operations::Requester) -> Result<T, operations::Error>,
    ) -> Result<T, ApiError> {
        let mut env = Env::new(self.store, self.config, self.templates);
        Ok(work(&mut env, &self.caller.requester)?)
    }

    /// Runs an operation that may change something: refused to read tokens; the mail it
    /// commits leaves after the response.
    pub fn write<T>(
        &mut self,
        work: impl FnOnce(&mut Env<'_>, &operations::Requester) -> Result<T, operations::Error>,
    ) -> Result<T, ApiError> {
        self.caller.may_write()?;
        Ok(operations::run(
            self.store,
            self.config,
            self.templates,
            &self.caller.requester,
            Handoff::Wake(self.outbox),
            work,
        )?)
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        self.config
    }

    /// The JSON body as `T`: `application/json` (415 otherwise), well-formed (400), of the
    /// right shape (422). An empty body is `None`.
    pub fn body<T: DeserializeOwned>(&self) -> Result<Option<T>, ApiError> {
        if self.request.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        let json = self
            .request
            .header("content-type")
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
        if !json {
            return Err(ApiError::new(
                415,
                "unsupported_media_type",
                "The body must be JSON, sent as application/json.",
            ));
        }
        // `null` is no body, as the document's optional bodies allow.
        serde_json::from_slice::<Option<T>>(&self.request.body).map_err(|e| {
            use serde_json::error::Category;
            match e.classify() {
                Category::Data => ApiError::new(
                    422,
                    "invalid_body",
                    format!("The body does not have the expected shape: {e}."),
                ),
                _ => ApiError::new(400, "malformed_json", "The body is not valid JSON."),
            }
        })
    }

    /// The JSON body as `T`; an empty body is refused (422).
    pub fn required_body<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        self.body()?
            .ok_or_else(|| ApiError::new(422, "invalid_body", "This call needs a JSON body."))
    }

    /// The page size asked for (`limit`, 1 to [`MAX_PAGE`]).
    pub fn limit(&self) -> Result<usize, ApiError> {
        match self.query.get("limit") {
            None => Ok(DEFAULT_PAGE),
            Some(text) => text
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_PAGE).contains(n))
                .ok_or_else(|| {
                    ApiError::invalid_parameter("limit", "limit must be a number from 1 to 100.")
                }),
        }
    }

    /// The cursor given (`cursor`), decoded; `None` for the first page.
    pub fn cursor(&self) -> Result<Option<String>, ApiError> {
        match self.query.get("cursor").filter(|c| !c.is_empty()) {
            None => Ok(None),
            Some(text) => decode_cursor(text).map(Some).ok_or_else(|| {
                ApiError::invalid_parameter("cursor", "This cursor was not made by this API.")
            }),
        }
    }
}

/// An opaque cursor for `position`.
pub fn encode_cursor(position: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{position}"))
}

/// What [`encode_cursor`] made; `None` for anything else.
pub fn decode_cursor(cursor: &str) -> Option<String> {
    if cursor.len() > 512 {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("v1:")
        .map(str::to_string)
}

/// A JSON answer.
pub fn json_response(status: u16, value: &impl Serialize) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    Response {
        status,
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("Cache-Control".into(), "no-store".into()),
        ],
        body: Body::Bytes(body),
    }
}

/// What a handler answers: a status and a JSON value.
pub type Answer = Result<Response, ApiError>;

/// 200 with `value`.
pub fn ok(value: &impl Serialize) -> Answer {
    Ok(json_response(200, value))
}

/// The 413 answer for a body over `max` bytes (the doors stop reading it).
pub fn too_large(max: u64) -> Response {
    ApiError::new(
        413,
        "payload_too_large",
        format!("The body is over {max} bytes."),
    )
    .response()
}

/// Returns true if and only if `segments` (the path's, after the base path) are the API's.
pub fn is_api(segments: &[String]) -> bool {
    segments.len() >= PREFIX.len() && segments.iter().zip(PREFIX).all(|(s, p)| s == p)
}

impl Api<'_> {
    /// Answers `request`, whose path after the base path is `rest` (`api/v1/...`, each
    /// segment decoded; `None` when a segment is not UTF-8).
    pub fn call(&self, request: &Request, rest: Option<&[String]>) -> Response {
        let answer = match rest {
            None => Err(ApiError::new(
                400,
                "bad_path",
                "The path is not valid UTF-8 once decoded.",
            )),
            Some(rest) => self.answer(request, &rest[PREFIX.len().min(rest.len())..]),
        };
        answer.unwrap_or_else(|error| error.response())
    }

    fn answer(&self, request: &Request, path: &[String]) -> Answer {
        let endpoint = route::route(&request.method, path)?;
        if let Endpoint::OpenApi = endpoint {
            return Ok(openapi::response(self.config));
        }
        let query = Form::parse_limited(request.query.as_bytes(), 20)
            .map_err(|_| ApiError::new(400, "bad_query", "The query string cannot be read."))?;
        let mut store = self.pool.get()?;
        // Anonymous reads that depend on the lists' rows alone: kept until a list changes.
        let kept = match cacheable(request, &endpoint) {
            true => {
                let version = store.db().site_version()?;
                let key = format!("{}?{}", request.path, request.query);
                if let Some(answer) = self.answers.get(version, &key) {
                    return Ok(answer);
                }
                Some((version, key))
            }
            false => None,
        };
        let caller = {
            let env = Env::new(&mut store, self.config, self.templates);
            auth::caller(&env, request)?
        };
        let mut call = Call {
            request,
            caller,
            query,
            store: &mut store,
            config: self.config,
            templates: self.templates,
            outbox: self.outbox,
        };
        let answer = route::dispatch(&mut call, endpoint)?;
        if let Some((version, key)) = kept {
            if answer.status == 200 {
                self.answers.put(version, key, &answer);
            }
        }
        Ok(answer)
    }
}

/// Whether the answer to `request` may be served from (and kept in) the anonymous cache:
/// `GET lists` without credentials, whose answer (the lists an anonymous visitor sees, as
/// the web's cached home page shows them) is built from the lists' rows only, so the site
/// version says when it changes. Anything that reads members, admins, requests or a caller
/// is not.
fn cacheable(request: &Request, endpoint: &Endpoint) -> bool {
    matches!(endpoint, Endpoint::Lists)
        && request.method == crate::http::Method::Get
        && request.header("authorization").is_none()
}
