//! The response every handler returns (its body bytes or a stream), its CGI serialisation, and the reason phrases and dates the doors write.
//!
//! # Streamed bodies
//!
//! Most answers are pages of a few kilobytes, built whole: [`Body::Bytes`], sent with a
//! `Content-Length`. A body that can be large (an archive's month as a gzipped mbox) is a
//! [`Body::Stream`]: a producer that the door runs after it has sent the head, writing the
//! body into the connection through a small buffer, so that memory does not grow with the
//! body's size.
//!
//! The producer is a boxed `FnOnce(&mut dyn Write) -> io::Result<()> + Send + 'static`: it
//! owns what it needs (for the archive, a database connection of its own taken from the
//! pool, which goes back to the pool when the producer is dropped). The other designs were
//! a response borrowing the service (a lifetime on every `Response` in the code) or a sink
//! handed to the service (every handler's signature); an owned producer keeps the
//! [`Service`](super::Service) trait and every handler as they are, and lets the door run
//! it *after* the request has left its handler slot ([`super::Gate`]): a stream goes at the
//! client's pace, and a few slow downloads must not hold every slot. A stream is run on the
//! connection thread that read its request, so the number of streams at once is bounded by
//! the connection threads.
//!
//! The doors frame a stream without a `Content-Length`: FastCGI lets the web server chunk
//! it or close; the plain door sends `Transfer-Encoding: chunked` to HTTP/1.1 clients, and
//! closes the connection after the body for HTTP/1.0 ones. A producer that fails (or
//! panics, see [`run_stream`]) leaves the body truncated, never a second head: the FastCGI
//! request ends there, and the plain door closes the connection without the last chunk.
//! HEAD requests get the head only; the producer is dropped without running.

use std::io::{self, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// What writes a streamed body into the sink a door gives it.
type Producer = Box<dyn FnOnce(&mut dyn Write) -> io::Result<()> + Send + 'static>;

/// A streamed body: a producer run once, after the head is sent.
pub struct Stream(Producer);

impl Stream {
    /// A stream that `producer` writes; it owns what it reads from.
    pub fn new(producer: impl FnOnce(&mut dyn Write) -> io::Result<()> + Send + 'static) -> Stream {
        Stream(Box::new(producer))
    }

    /// Writes the body into `out`: an `Err` (or a panic) leaves it truncated.
    pub fn write_to(self, out: &mut dyn Write) -> io::Result<()> {
        (self.0)(out)
    }
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stream(..)")
    }
}

/// A response's body: bytes built whole, or a stream written after the head.
#[derive(Debug)]
pub enum Body {
    /// The whole body, sent with its length.
    Bytes(Vec<u8>),
    /// A body written by its producer after the head, without a length.
    Stream(Stream),
}

impl Body {
    /// The bytes of a whole body; empty for a stream.
    pub fn bytes(&self) -> &[u8] {
        match self {
            Body::Bytes(bytes) => bytes,
            Body::Stream(_) => &[],
        }
    }

    /// Returns true if and only if the body is a stream.
    pub fn is_stream(&self) -> bool {
        matches!(self, Body::Stream(_))
    }
}

/// Bytes compare by value; a stream equals nothing, not even itself (it has no value
/// before it is run).
impl PartialEq for Body {
    fn eq(&self, other: &Body) -> bool {
        match (self, other) {
            (Body::Bytes(a), Body::Bytes(b)) => a == b,
            _ => false,
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Body {
        Body::Bytes(bytes)
    }
}

/// Runs `stream` into `out`, a panic included: the answer of a stream that failed is an
/// error (already logged here, with `what` naming the request), never a second head.
pub fn run_stream(
    stream: Stream,
    out: &mut dyn Write,
    what: &dyn std::fmt::Display,
) -> io::Result<()> {
    match catch_unwind(AssertUnwindSafe(|| stream.write_to(out))) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => {
            log::warn!("a streamed body ended early on {what}: {e}");
            Err(e)
        }
        Err(_) => {
            log::error!(
                "the producer of a streamed body panicked on {what}; the body is truncated"
            );
            Err(io::Error::other("the producer of a streamed body panicked"))
        }
    }
}

/// One HTTP response.
#[derive(Debug, PartialEq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Header fields in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
}

impl Response {
    /// An HTML page.
    pub fn html(status: u16, body: String) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            body: Body::Bytes(body.into_bytes()),
        }
    }

    /// A plain-text response.
    pub fn text(status: u16, body: impl Into<String>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
            body: Body::Bytes(body.into().into_bytes()),
        }
    }

    /// A 303 See Other to `location`: where a form post lands.
    pub fn redirect(location: &str) -> Response {
        Response {
            status: 303,
            headers: vec![("Location".into(), location.to_string())],
            body: Body::Bytes(Vec::new()),
        }
    }

    /// Adds a header field.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// The first header named `name`, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A response whose body `stream` writes after the head (see the module's docs).
    pub fn stream(status: u16, headers: Vec<(String, String)>, stream: Stream) -> Response {
        Response {
            status,
            headers,
            body: Body::Stream(stream),
        }
    }

    /// The same response when its body is bytes (a stream cannot be copied).
    pub fn try_clone(&self) -> Option<Response> {
        match &self.body {
            Body::Bytes(bytes) => Some(Response {
                status: self.status,
                headers: self.headers.clone(),
                body: Body::Bytes(bytes.clone()),
            }),
            Body::Stream(_) => None,
        }
    }

    /// The whole body, a stream run into memory: for tests and in-process callers.
    pub fn into_bytes(self) -> io::Result<Vec<u8>> {
        match self.body {
            Body::Bytes(bytes) => Ok(bytes),
            Body::Stream(stream) => {
                let mut bytes = Vec::new();
                stream.write_to(&mut bytes)?;
                Ok(bytes)
            }
        }
    }

    /// Appends the CGI form (`Status:` line, fields, blank line, body) to `out`; `head` leaves
    /// out the body. A streamed body has no `Content-Length` and is not written here: the
    /// door runs its producer next.
    pub fn write_cgi(&self, out: &mut Vec<u8>, head: bool) {
        let bytes = self.body.bytes();
        out.reserve(256 + bytes.len());
        out.extend_from_slice(
            format!("Status: {} {}\r\n", self.status, reason(self.status)).as_bytes(),
        );
        for (name, value) in &self.headers {
            // A field must never smuggle a line break into the header block.
            if value.contains(['\r', '\n']) || name.contains(['\r', '\n', ':']) {
                continue;
            }
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        if self.body.is_stream() {
            out.extend_from_slice(b"\r\n");
            return;
        }
        out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", bytes.len()).as_bytes());
        if !head {
            out.extend_from_slice(bytes);
        }
    }
}

/// The reason phrase for the statuses we send.
pub fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        417 => "Expectation Failed",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

/// `time` as an HTTP date (IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`).
pub fn http_date(time: std::time::SystemTime) -> String {
    let secs = time
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = secs / 86_400;
    let rest = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[(days % 7) as usize],
        MONTHS[(month - 1) as usize],
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_are_imf_fixdates() {
        let at = |secs| http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs));
        assert_eq!(at(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(at(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(at(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
        assert_eq!(at(1_767_225_599), "Wed, 31 Dec 2025 23:59:59 GMT");
    }

    #[test]
    fn cgi_form_has_status_fields_and_length() {
        let mut out = Vec::new();
        Response::text(404, "nope")
            .with_header("X-A", "b")
            .write_cgi(&mut out, false);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Status: 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nX-A: b\r\nContent-Length: 4\r\n\r\nnope"
        );
    }

    #[test]
    fn header_injection_is_dropped_and_head_has_no_body() {
        let mut out = Vec::new();
        Response::text(200, "body")
            .with_header("Location", "/x\r\nSet-Cookie: evil=1")
            .write_cgi(&mut out, true);
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains("evil"));
        assert!(text.ends_with("Content-Length: 4\r\n\r\n"));
    }

    #[test]
    fn a_streamed_cgi_head_has_no_length_and_a_panicking_producer_is_an_error() {
        let mut out = Vec::new();
        let response = Response::stream(200, Vec::new(), Stream::new(|out| out.write_all(b"x")));
        response.write_cgi(&mut out, false);
        assert_eq!(String::from_utf8(out).unwrap(), "Status: 200 OK\r\n\r\n");
        assert!(response.try_clone().is_none());
        assert_eq!(response.into_bytes().unwrap(), b"x");
        let mut out = Vec::new();
        let panicking = Stream::new(|out| {
            out.write_all(b"part")?;
            panic!("mid-way")
        });
        assert!(run_stream(panicking, &mut out, &"/test").is_err());
        assert_eq!(out, b"part");
    }
}
