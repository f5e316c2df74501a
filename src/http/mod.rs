//! HTTP vocabulary over the front doors: typed request and response, forms, the panic guard; nothing of mailing lists.
//!
//! The application implements [`Service`]. [`FcgiAdapter`] serves it over FastCGI and
//! [`plain::HttpFront`] over plain HTTP; both build the same [`Request`] and write the same
//! [`Response`], so the application never knows which door was used.

pub mod cookie;
pub mod form;
pub mod plain;
pub mod request;
pub mod response;

use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

pub use form::{Form, FormError};
pub use request::{percent_decode, BadRequest, Method, Request};
pub use response::Response;

use crate::fcgi;

/// The application: one request in, one response out.
pub trait Service: Send + Sync {
    /// Answers one request. A panic is caught by [`call_guarded`] and becomes a 500.
    fn call(&self, request: &Request) -> Response;
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

/// Reads a body of at most `max` bytes; `Err(413)`-style refusal past it.
pub fn read_body(
    reader: &mut dyn Read,
    declared: Option<u64>,
    max: u64,
) -> Result<Vec<u8>, Response> {
    let too_large = || {
        Response::text(
            413,
            format!("413 Content Too Large: the limit is {max} bytes\n"),
        )
    };
    if declared.is_some_and(|len| len > max) {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(0).min(max) as usize);
    match reader.take(max + 1).read_to_end(&mut body) {
        Ok(_) if body.len() as u64 > max => Err(too_large()),
        Ok(_) => Ok(body),
        Err(e)
            if e.get_ref()
                .is_some_and(|inner| inner.is::<fcgi::BodyTooLarge>()) =>
        {
            Err(too_large())
        }
        Err(e) => Err(Response::text(
            400,
            format!("400 Bad Request: could not read the body: {e}\n"),
        )),
    }
}

/// Serves a [`Service`] as a FastCGI responder.
pub struct FcgiAdapter {
    service: Arc<dyn Service>,
    max_body: u64,
}

impl FcgiAdapter {
    /// Wraps `service`; bodies over `max_body` bytes get 413.
    pub fn new(service: Arc<dyn Service>, max_body: u64) -> FcgiAdapter {
        FcgiAdapter { service, max_body }
    }
}

impl fcgi::Handler for FcgiAdapter {
    fn handle(&self, mut request: fcgi::Request<'_>, out: &mut fcgi::Output<'_>) -> u32 {
        let response = match Request::from_cgi(&request.params) {
            Err(BadRequest(why)) => Response::text(400, format!("400 Bad Request: {why}\n")),
            Ok(mut http) => {
                match read_body(&mut request.body, http.content_length(), self.max_body) {
                    Err(refusal) => refusal,
                    Ok(body) => {
                        http.body = body;
                        call_guarded(self.service.as_ref(), &http)
                    }
                }
            }
        };
        let head = request.params.get("REQUEST_METHOD") == Some(b"HEAD");
        let mut bytes = Vec::new();
        response.write_cgi(&mut bytes, head);
        match std::io::Write::write_all(out, &bytes) {
            Ok(()) => 0,
            Err(_) => 1,
        }
    }
}
