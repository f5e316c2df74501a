//! HTTP vocabulary over the front doors: typed request and response, forms, the panic guard; nothing of mailing lists.
//!
//! The application implements [`Service`]. [`FcgiAdapter`] serves it over FastCGI and
//! [`plain::HttpFront`] over plain HTTP; both build the same [`Request`] and write the same
//! [`Response`], so the application never knows which door was used.
//!
//! Both doors read the whole request (head and body, within the size limit and the request
//! deadline) on their connection thread before they take one of the [`Gate`]'s handler slots
//! and call the application: slow clients cannot take every slot. A streamed body
//! ([`Body::Stream`], see [`response`]) is written after the slot is given back.

pub mod cache;
pub mod cookie;
pub mod form;
pub mod gate;
pub mod plain;
pub mod request;
pub mod response;

use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

pub use form::{Form, FormError};
pub use gate::{Gate, Slot};
pub use request::{percent_decode, BadRequest, Method, Request};
pub use response::{run_stream, Body, Response, Stream};

use crate::fcgi;

/// The application: one request in, one response out.
pub trait Service: Send + Sync {
    /// Answers one request. A panic is caught by [`call_guarded`] and becomes a 500.
    fn call(&self, request: &Request) -> Response;

    /// The largest body this request may have, asked before its body is read (the request has
    /// its head, no body yet); the door uses the smaller of this and its own limit. `None`:
    /// the door's limit.
    fn body_limit(&self, _request: &Request) -> Option<u64> {
        None
    }

    /// The 413 answer for `request`, whose body is over `max` bytes (asked before its body is
    /// read, as [`Service::body_limit`]): [`too_large`] unless the service says it its way.
    fn too_large(&self, _request: &Request, max: u64) -> Response {
        too_large(max)
    }
}

/// The body limit for `request`: the door's `max`, or the service's own if smaller.
pub fn body_limit(service: &dyn Service, request: &Request, max: u64) -> u64 {
    service
        .body_limit(request)
        .map_or(max, |limit| limit.min(max))
}

/// The 413 answer for a body over `max` bytes.
pub fn too_large(max: u64) -> Response {
    Response::text(
        413,
        format!("413 Content Too Large: the limit is {max} bytes\n"),
    )
}

/// The 408 answer for a request that did not arrive whole in time.
pub fn timed_out() -> Response {
    Response::text(
        408,
        "408 Request Timeout: the request did not arrive whole in time\n",
    )
}

/// Returns true if and only if `error` is a read that waited too long.
pub fn is_timeout(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// Calls `service`, turning a panic into a plain 500 for this request only.
pub fn call_guarded(service: &dyn Service, request: &Request) -> Response {
    match catch_unwind(AssertUnwindSafe(|| service.call(request))) {
        Ok(response) => response,
        Err(_) => {
            log::error!(
                "the handler panicked on {:?} {}; answering 500",
                request.method,
                request.path
            );
            Response::text(500, "500 Internal Server Error\n")
        }
    }
}

/// Reads a body of at most `max` bytes: 413 past it (or when `declared` is past it, before
/// reading anything), 408 when it does not arrive in time, 400 when it cannot be read.
///
/// Memory grows with what arrives, never with what is declared.
pub fn read_body(
    reader: &mut dyn Read,
    declared: Option<u64>,
    max: u64,
) -> Result<Vec<u8>, Response> {
    if declared.is_some_and(|len| len > max) {
        return Err(too_large(max));
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(0).min(max).min(INITIAL_BODY) as usize);
    match reader.take(max + 1).read_to_end(&mut body) {
        Ok(_) if body.len() as u64 > max => Err(too_large(max)),
        Ok(_) => Ok(body),
        Err(e)
            if e.get_ref()
                .is_some_and(|inner| inner.is::<fcgi::BodyTooLarge>()) =>
        {
            Err(too_large(max))
        }
        Err(e) if is_timeout(&e) => Err(timed_out()),
        Err(e) => Err(Response::text(
            400,
            format!("400 Bad Request: could not read the body: {e}\n"),
        )),
    }
}

/// The most a body buffer reserves before the bytes arrive.
const INITIAL_BODY: u64 = 64 * 1024;

/// Serves a [`Service`] as a FastCGI responder.
pub struct FcgiAdapter {
    service: Arc<dyn Service>,
    max_body: u64,
    gate: Arc<Gate>,
}

impl FcgiAdapter {
    /// Wraps `service`; bodies over `max_body` bytes (or the service's own limit) get 413;
    /// a request takes one of `gate`'s slots once its body is read.
    pub fn new(service: Arc<dyn Service>, max_body: u64, gate: Arc<Gate>) -> FcgiAdapter {
        FcgiAdapter {
            service,
            max_body,
            gate,
        }
    }
}

impl fcgi::Handler for FcgiAdapter {
    fn handle(&self, mut request: fcgi::Request<'_>, out: &mut fcgi::Output<'_>) -> u32 {
        let response = match Request::from_cgi(&request.params) {
            Err(BadRequest(why)) => Response::text(400, format!("400 Bad Request: {why}\n")),
            Ok(mut http) => {
                let max = body_limit(self.service.as_ref(), &http, self.max_body);
                match read_body(&mut request.body, http.content_length(), max) {
                    Err(refusal) if refusal.status == 413 => self.service.too_large(&http, max),
                    Err(refusal) => refusal,
                    Ok(body) => {
                        http.body = body;
                        let _slot = self.gate.enter();
                        call_guarded(self.service.as_ref(), &http)
                    }
                }
            }
        };
        let head = request.params.get("REQUEST_METHOD") == Some(b"HEAD");
        let mut bytes = Vec::new();
        response.write_cgi(&mut bytes, head);
        if std::io::Write::write_all(out, &bytes).is_err() {
            return 1;
        }
        match response.body {
            Body::Stream(stream) if !head => {
                let what =
                    String::from_utf8_lossy(request.params.get("REQUEST_URI").unwrap_or(b"?"))
                        .into_owned();
                // A failure ends the body here; the request still ends cleanly, and the
                // connection serves the next one.
                match run_stream(stream, out, &what) {
                    Ok(()) => 0,
                    Err(_) => 1,
                }
            }
            _ => 0,
        }
    }
}
