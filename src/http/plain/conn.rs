//! One plain-HTTP connection: read each request's head and body within the limits and the deadline, then take a handler slot, answer, keep or close.

use std::borrow::Cow;
use std::cell::Cell;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use super::body::{read_chunked, ChunkedError};
use super::{Http, Socket, LINGER_BYTES, LINGER_TIME};
use crate::http::response::{http_date, reason};
use crate::http::{
    body_limit, call_guarded, is_timeout, run_stream, timed_out, Body, Method, Request, Response,
};
use crate::runtime::Activity;

/// A read that would end later than the deadline by more than this gets a shorter socket timeout.
const SLACK: Duration = Duration::from_millis(10);

/// The socket as the request reader sees it: no read returns later than the deadline
/// (give or take [`SLACK`]); past it, reads fail with `TimedOut`.
struct Deadlined<'s, S> {
    stream: &'s S,
    deadline: Cell<Instant>,
    /// The read timeout the socket has now (each change is a system call).
    timeout: Cell<Option<Duration>>,
}

impl<S: Socket> Read for Deadlined<'_, S>
where
    for<'a> &'a S: Read,
{
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let left = self
                .deadline
                .get()
                .saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the request did not arrive whole in time",
                ));
            }
            // A timeout much shorter than what is left only costs wake-ups; a longer one
            // would overshoot the deadline.
            if self
                .timeout
                .get()
                .is_none_or(|t| t > left + SLACK || t < left / 2)
            {
                self.stream.set_read_timeout(Some(left))?;
                self.timeout.set(Some(left));
            }
            let mut stream = self.stream;
            match stream.read(buf) {
                // The wait ended at or before the deadline: look again.
                Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => {}
                other => return other,
            }
        }
    }
}

/// A request the door will not pass on: its answer (none when the client is gone), and
/// whether to read away what the client may still send before closing.
struct Refusal {
    answer: Option<Response>,
    head: bool,
    linger: bool,
    why: String,
}

impl Refusal {
    fn new(status: u16, why: impl Into<String>) -> Refusal {
        let why = why.into();
        Refusal {
            answer: Some(Response::text(
                status,
                format!("{status} {}: {why}\n", reason(status)),
            )),
            head: false,
            linger: true,
            why,
        }
    }

    fn bad(why: impl Into<String>) -> Refusal {
        Refusal::new(400, why)
    }

    fn timed_out() -> Refusal {
        Refusal {
            answer: Some(timed_out()),
            head: false,
            linger: false,
            why: "the request did not arrive whole in time".into(),
        }
    }

    /// The client went away (or the socket failed): nothing to answer.
    fn gone(why: impl Into<String>) -> Refusal {
        Refusal {
            answer: None,
            head: false,
            linger: false,
            why: why.into(),
        }
    }

    /// A read failed: a timeout gets 408, anything else ends the connection.
    fn from_io(e: &io::Error) -> Refusal {
        if is_timeout(e) {
            Refusal::timed_out()
        } else {
            Refusal::gone(e.to_string())
        }
    }
}

/// How the body is framed.
enum Framing {
    Length(u64),
    Chunked,
}

/// Serves one connection; see [`Http::serve_connection`].
pub(super) fn serve<S>(
    http: &Http,
    stream: &S,
    peer: Option<IpAddr>,
    activity: &Activity,
    stop: &AtomicBool,
) -> io::Result<u64>
where
    S: Socket,
    for<'s> &'s S: Read + Write,
{
    let limits = &http.limits;
    let accepted = Instant::now();
    let mut reader = BufReader::with_capacity(
        8 * 1024,
        Deadlined {
            stream,
            deadline: Cell::new(accepted),
            timeout: Cell::new(None),
        },
    );
    let mut writer = stream;
    let mut served = 0;
    loop {
        // Wait for the first byte of the next request: briefly on a new connection, as long
        // as the keep-alive allows between requests.
        let wait = if served == 0 {
            accepted + limits.begin_timeout.min(limits.request_timeout)
        } else {
            Instant::now() + limits.keep_alive
        };
        reader.get_ref().deadline.set(wait);
        match reader.fill_buf() {
            Ok([]) => return Ok(served),
            Ok(_) => {}
            // Quiet connections are closed without an answer, as there was no request.
            Err(e) if is_timeout(&e) => return Ok(served),
            Err(e) => return Err(e),
        }
        let _busy = activity.begin();
        // The first request's time counts from the accept, the next ones' from their first byte.
        let begun = if served == 0 {
            accepted
        } else {
            Instant::now()
        };
        reader
            .get_ref()
            .deadline
            .set(begun + limits.request_timeout);
        let (response, head, keep, linger, chunked, what) =
            match read_request(http, &mut reader, &mut writer, peer) {
                Ok((request, keep, http11)) => {
                    let response = {
                        let _slot = http.gate.enter();
                        call_guarded(http.service.as_ref(), &request)
                    };
                    let head = request.method == Method::Head;
                    // A stream to an HTTP/1.0 client ends when the connection does.
                    let keep = keep
                        && !stop.load(Ordering::Relaxed)
                        && (http11 || head || !response.body.is_stream());
                    (response, head, keep, true, http11, Some(request.path))
                }
                Err(refusal) => {
                    let Some(answer) = refusal.answer else {
                        log::debug!("http: client gone: {}", refusal.why);
                        return Ok(served);
                    };
                    log::info!(
                        "http: answering {} to {} and closing: {}",
                        answer.status,
                        peer.map_or_else(|| "a local client".to_string(), |ip| ip.to_string()),
                        refusal.why
                    );
                    (answer, refusal.head, false, refusal.linger, false, None)
                }
            };
        let mut bytes = Vec::new();
        write_response(&mut bytes, &response, head, !keep, chunked);
        writer.write_all(&bytes)?;
        match response.body {
            Body::Stream(producer) if !head => {
                let what = what.unwrap_or_default();
                let mut sink = BodyWriter::new(&mut writer, chunked);
                let written = run_stream(producer, &mut sink, &what).and_then(|()| sink.finish());
                served += 1;
                if written.is_err() {
                    // The body is truncated: without its last chunk the client can tell (an
                    // HTTP/1.0 client by the gzip stream's end); nothing more goes on this
                    // connection.
                    let _ = stream.shutdown_write();
                    return Ok(served);
                }
            }
            _ => {
                writer.flush()?;
                served += 1;
            }
        }
        if !keep {
            if linger {
                read_away(&mut reader, stream);
            }
            return Ok(served);
        }
    }
}

/// After an answer with `Connection: close`: stop sending, then read and drop what the client
/// still sends (at most [`LINGER_BYTES`], for [`LINGER_TIME`]), so that it sees our answer
/// rather than a reset.
fn read_away<S>(reader: &mut BufReader<Deadlined<'_, S>>, stream: &S)
where
    S: Socket,
    for<'s> &'s S: Read,
{
    if stream.shutdown_write().is_err() {
        return;
    }
    reader.get_ref().deadline.set(Instant::now() + LINGER_TIME);
    let mut scratch = [0u8; 8192];
    let mut left = LINGER_BYTES;
    while left > 0 {
        match reader.read(&mut scratch) {
            Ok(0) | Err(_) => return,
            Ok(n) => left = left.saturating_sub(n as u64),
        }
    }
}

/// Finds the end of a head (just past its blank line) in `head`, looking from `from`.
fn head_end(head: &[u8], from: usize) -> Option<usize> {
    (from..head.len()).find_map(|at| {
        if head[at] != b'\n' {
            return None;
        }
        match &head[at + 1..] {
            [b'\n', ..] => Some(at + 2),
            [b'\r', b'\n', ..] => Some(at + 3),
            _ => None,
        }
    })
}

/// Reads one request head (request line to blank line), leaving what follows in `reader`.
///
/// Empty lines before the request line are skipped (RFC 9112 §2.2), within the same limit.
fn read_head<R: BufRead>(reader: &mut R, max: usize) -> Result<Vec<u8>, Refusal> {
    let too_large = || Refusal::new(431, format!("the request head is over {max} bytes"));
    let mut head = Vec::new();
    let mut skipped = 0;
    loop {
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Refusal::from_io(&e)),
        };
        if buf.is_empty() {
            return Err(if head.is_empty() {
                Refusal::gone("the connection ended before a request")
            } else {
                Refusal::bad("the connection ended inside the request head")
            });
        }
        let mut blank = 0;
        if head.is_empty() {
            blank = buf
                .iter()
                .take_while(|&&b| b == b'\r' || b == b'\n')
                .count();
            skipped += blank;
        }
        let from = head.len().saturating_sub(3);
        let rest = &buf[blank..];
        let take = rest.len().min(max + 1 - head.len());
        head.extend_from_slice(&rest[..take]);
        if let Some(end) = head_end(&head, from) {
            let beyond = head.len() - end;
            head.truncate(end);
            reader.consume(blank + take - beyond);
            return Ok(head);
        }
        reader.consume(blank + take);
        if head.len() > max || skipped > max {
            return Err(too_large());
        }
    }
}

/// A request target in origin form: `http://host/path?q` becomes `/path?q`.
fn origin_form(target: &str) -> Cow<'_, str> {
    let scheme = target.get(..8).unwrap_or(target).to_ascii_lowercase();
    let rest = if scheme.starts_with("http://") {
        &target[7..]
    } else if scheme.starts_with("https://") {
        &target[8..]
    } else {
        return Cow::Borrowed(target);
    };
    match rest.find(['/', '?']) {
        Some(at) if rest.as_bytes()[at] == b'/' => Cow::Borrowed(&rest[at..]),
        Some(at) => Cow::Owned(format!("/{}", &rest[at..])),
        None => Cow::Borrowed("/"),
    }
}

/// Reads and checks one request, its body included; `Ok` has the request, whether the
/// client allows keeping the connection, and whether it speaks HTTP/1.1 (and so takes a
/// chunked body).
fn read_request<R: BufRead>(
    http: &Http,
    reader: &mut R,
    writer: &mut impl Write,
    peer: Option<IpAddr>,
) -> Result<(Request, bool, bool), Refusal> {
    let limits = &http.limits;
    let head = read_head(reader, limits.max_head)?;
    let mut fields = vec![httparse::EMPTY_HEADER; limits.max_headers];
    let mut parsed = httparse::Request::new(&mut fields);
    match parsed.parse(&head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => {
            return Err(Refusal::bad("the request head is incomplete"))
        }
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Refusal::new(
                431,
                format!("more than {} header fields", limits.max_headers),
            ))
        }
        Err(e) => return Err(Refusal::bad(format!("malformed request: {e}"))),
    }
    let (Some(method), Some(target), Some(version)) = (parsed.method, parsed.path, parsed.version)
    else {
        return Err(Refusal::bad("the request line is incomplete"));
    };
    let is_head = method == "HEAD";
    let refuse = |mut refusal: Refusal| {
        refusal.head = is_head;
        refusal
    };
    let mut request = Request::parse_target(Method::parse(method), &origin_form(target))
        .map_err(|e| refuse(Refusal::bad(e.0)))?;
    request.remote_addr = peer;
    request.headers = parsed
        .headers
        .iter()
        .map(|field| {
            (
                field.name.to_ascii_lowercase(),
                String::from_utf8_lossy(field.value).into_owned(),
            )
        })
        .collect();
    let values = |name: &str| -> Vec<&str> {
        request
            .headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    if version == 1 && values("host").len() != 1 {
        return Err(refuse(Refusal::bad(
            "an HTTP/1.1 request needs exactly one Host field",
        )));
    }
    let framing = framing(
        version,
        &values("transfer-encoding"),
        &values("content-length"),
    )
    .map_err(refuse)?;
    let keep = version == 1
        && !values("connection").iter().any(|v| {
            v.split(',')
                .any(|token| token.trim().eq_ignore_ascii_case("close"))
        });
    let expect_continue = match values("expect").as_slice() {
        [] => false,
        [value] if value.trim().eq_ignore_ascii_case("100-continue") => version == 1,
        _ => {
            return Err(refuse(Refusal::new(
                417,
                "the only expectation understood is 100-continue",
            )))
        }
    };
    let max = body_limit(http.service.as_ref(), &request, limits.max_body);
    if let Framing::Length(declared) = framing {
        if declared > max {
            let mut refusal = refuse(Refusal::new(413, ""));
            refusal.answer = Some(http.service.too_large(&request, max));
            refusal.why = format!("a body of {declared} bytes is declared, the limit is {max}");
            return Err(refusal);
        }
    }
    let has_body = !matches!(framing, Framing::Length(0));
    if expect_continue && has_body {
        writer
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .and_then(|()| writer.flush())
            .map_err(|e| Refusal::gone(e.to_string()))?;
    }
    request.body = match framing {
        Framing::Length(0) => Vec::new(),
        Framing::Length(declared) => {
            let mut body = Vec::with_capacity(declared.min(64 * 1024) as usize);
            match reader.by_ref().take(declared).read_to_end(&mut body) {
                Ok(_) if body.len() as u64 == declared => body,
                Ok(_) => return Err(refuse(Refusal::bad("the connection ended inside the body"))),
                Err(e) => return Err(refuse(Refusal::from_io(&e))),
            }
        }
        Framing::Chunked => match read_chunked(reader, max) {
            Ok(body) => body,
            Err(ChunkedError::TooLarge) => {
                let mut refusal = refuse(Refusal::new(413, ""));
                refusal.answer = Some(http.service.too_large(&request, max));
                refusal.why = format!("the chunked body is over the limit of {max} bytes");
                return Err(refusal);
            }
            Err(ChunkedError::Malformed(why)) => return Err(refuse(Refusal::bad(why))),
            Err(ChunkedError::Io(e)) => return Err(refuse(Refusal::from_io(&e))),
        },
    };
    Ok((request, keep, version == 1))
}

/// How the body of a request with these `Transfer-Encoding` and `Content-Length` values is framed.
fn framing(version: u8, codings: &[&str], lengths: &[&str]) -> Result<Framing, Refusal> {
    if !codings.is_empty() {
        if version == 0 {
            return Err(Refusal::bad("Transfer-Encoding in an HTTP/1.0 request"));
        }
        if !lengths.is_empty() {
            return Err(Refusal::bad(
                "both Transfer-Encoding and Content-Length are given",
            ));
        }
        let codings: Vec<String> = codings
            .iter()
            .flat_map(|v| v.split(','))
            .map(|c| c.trim().to_ascii_lowercase())
            .filter(|c| !c.is_empty())
            .collect();
        return match codings.as_slice() {
            [only] if only == "chunked" => Ok(Framing::Chunked),
            [.., last] if last == "chunked" => Err(Refusal::new(
                501,
                "no transfer coding but chunked is supported",
            )),
            _ => Err(Refusal::bad("the last transfer coding is not chunked")),
        };
    }
    match lengths {
        [] => Ok(Framing::Length(0)),
        [one] => {
            let one = one.trim();
            if one.is_empty() || !one.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Refusal::bad("the Content-Length is not a number"));
            }
            one.parse()
                .map(Framing::Length)
                .map_err(|_| Refusal::bad("the Content-Length is too large a number"))
        }
        _ => Err(Refusal::bad("more than one Content-Length")),
    }
}

/// Appends the HTTP/1.1 form of `response`'s head and body: status line, Date, the
/// response's own fields (framing fields excepted), the framing, `Connection: close` if
/// `close`, the body unless `head`.
///
/// Bytes get a `Content-Length`. A stream gets `Transfer-Encoding: chunked` when `chunked`
/// (the client speaks HTTP/1.1), else no framing (its end is the connection's, and `close`
/// must be set); its body is not written here but through a [`BodyWriter`].
fn write_response(out: &mut Vec<u8>, response: &Response, head: bool, close: bool, chunked: bool) {
    let status = response.status;
    let bytes = response.body.bytes();
    out.reserve(256 + bytes.len());
    out.extend_from_slice(format!("HTTP/1.1 {status} {}\r\n", reason(status)).as_bytes());
    out.extend_from_slice(format!("Date: {}\r\n", http_date(SystemTime::now())).as_bytes());
    for (name, value) in &response.headers {
        let framing = ["content-length", "transfer-encoding", "connection", "date"]
            .iter()
            .any(|f| name.eq_ignore_ascii_case(f));
        // A field must never smuggle a line break into the head.
        let bad = name.is_empty()
            || name.bytes().any(|b| !b.is_ascii_graphic() || b == b':')
            || value.contains(['\r', '\n']);
        if framing || bad {
            continue;
        }
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    let bodyless = status < 200 || status == 204 || status == 304;
    if !bodyless {
        if !response.body.is_stream() {
            out.extend_from_slice(format!("Content-Length: {}\r\n", bytes.len()).as_bytes());
        } else if chunked {
            out.extend_from_slice(b"Transfer-Encoding: chunked\r\n");
        }
    }
    if close {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if !head && !bodyless {
        out.extend_from_slice(bytes);
    }
}

/// The largest chunk a [`BodyWriter`] holds before it sends it.
const CHUNK: usize = 32 * 1024;

/// Room kept before a [`BodyWriter`]'s bytes for the chunk's size line (`8000\r\n` at most),
/// so that a chunk goes out in one write.
const SIZE_LINE: usize = 8;

/// A streamed body on its way to the client: in chunks of at most [`CHUNK`] bytes (never an
/// empty one before the end), or as it comes for an HTTP/1.0 client; [`BodyWriter::finish`]
/// sends the rest and the last chunk.
struct BodyWriter<'w, W: Write> {
    out: &'w mut W,
    chunked: bool,
    /// [`SIZE_LINE`] bytes of room, then the bytes of the next chunk, then room for its `\r\n`.
    buffer: Vec<u8>,
}

impl<'w, W: Write> BodyWriter<'w, W> {
    fn new(out: &'w mut W, chunked: bool) -> BodyWriter<'w, W> {
        let mut buffer = Vec::with_capacity(SIZE_LINE + CHUNK + 2);
        buffer.resize(SIZE_LINE, 0);
        BodyWriter {
            out,
            chunked,
            buffer,
        }
    }

    /// The bytes held for the next chunk.
    fn held(&self) -> usize {
        self.buffer.len() - SIZE_LINE
    }

    /// Sends what is held as one chunk (nothing if empty), in one write.
    fn send(&mut self) -> io::Result<()> {
        if self.held() == 0 {
            return Ok(());
        }
        let from = if self.chunked {
            let line = format!("{:x}\r\n", self.held());
            let from = SIZE_LINE - line.len();
            self.buffer[from..SIZE_LINE].copy_from_slice(line.as_bytes());
            self.buffer.extend_from_slice(b"\r\n");
            from
        } else {
            SIZE_LINE
        };
        let sent = self.out.write_all(&self.buffer[from..]);
        self.buffer.truncate(SIZE_LINE);
        sent
    }

    /// Sends the rest, the last chunk, and flushes.
    fn finish(&mut self) -> io::Result<()> {
        self.send()?;
        if self.chunked {
            self.out.write_all(b"0\r\n\r\n")?;
        }
        self.out.flush()
    }
}

impl<W: Write> Write for BodyWriter<'_, W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        let take = data.len().min(CHUNK - self.held());
        self.buffer.extend_from_slice(&data[..take]);
        if self.held() >= CHUNK {
            self.send()?;
        }
        Ok(take)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_end_of_a_head_is_found_with_either_line_ending() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nA: b\r\n\r\nbody", 0), Some(24));
        assert_eq!(head_end(b"GET / HTTP/1.1\nA: b\n\nbody", 0), Some(21));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nA: b\r\n", 0), None);
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n\r", 0), None);
    }

    #[test]
    fn absolute_targets_become_origin_form() {
        assert_eq!(origin_form("/sympa/lists?x=1"), "/sympa/lists?x=1");
        assert_eq!(origin_form("http://h:8080/sympa/lists?x"), "/sympa/lists?x");
        assert_eq!(origin_form("HTTPS://h"), "/");
        assert_eq!(origin_form("http://h?q=1"), "/?q=1");
        assert_eq!(origin_form("*"), "*");
        assert_eq!(origin_form("http"), "http");
    }

    #[test]
    fn framing_refuses_ambiguity() {
        let status = |r: Result<Framing, Refusal>| match r {
            Ok(Framing::Length(n)) => format!("length {n}"),
            Ok(Framing::Chunked) => "chunked".into(),
            Err(refusal) => refusal.answer.unwrap().status.to_string(),
        };
        assert_eq!(status(framing(1, &[], &[])), "length 0");
        assert_eq!(status(framing(1, &[], &[" 12 "])), "length 12");
        assert_eq!(status(framing(1, &[], &["12", "12"])), "400");
        assert_eq!(status(framing(1, &[], &["12, 13"])), "400");
        assert_eq!(status(framing(1, &[], &["-1"])), "400");
        assert_eq!(status(framing(1, &[], &["+1"])), "400");
        assert_eq!(status(framing(1, &[], &["99999999999999999999"])), "400");
        assert_eq!(status(framing(1, &["Chunked"], &[])), "chunked");
        assert_eq!(status(framing(1, &["chunked"], &["3"])), "400");
        assert_eq!(status(framing(0, &["chunked"], &[])), "400");
        assert_eq!(status(framing(1, &["gzip, chunked"], &[])), "501");
        assert_eq!(status(framing(1, &["chunked, gzip"], &[])), "400");
    }

    #[test]
    fn responses_frame_their_body_and_drop_injected_fields() {
        let mut out = Vec::new();
        let response = Response::text(200, "hi")
            .with_header("Content-Length", "999")
            .with_header("X-Evil", "a\r\nSet-Cookie: x=1")
            .with_header("Bad Name", "v");
        write_response(&mut out, &response, false, true, true);
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 200 OK\r\nDate: "), "{text}");
        assert!(text.ends_with(
            "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"
        ));
        assert!(!text.contains("999") && !text.contains("x=1") && !text.contains("Bad"));
        let mut out = Vec::new();
        write_response(&mut out, &response, true, false, true);
        assert!(String::from_utf8(out)
            .unwrap()
            .ends_with("Content-Length: 2\r\n\r\n"));
        let mut out = Vec::new();
        write_response(&mut out, &Response::redirect("/x"), false, false, true);
        assert!(String::from_utf8(out)
            .unwrap()
            .ends_with("Location: /x\r\nContent-Length: 0\r\n\r\n"));
    }

    #[test]
    fn a_stream_is_chunked_for_http11_and_close_delimited_for_http10() {
        let stream = || {
            Response::stream(
                200,
                vec![("Content-Length".into(), "5".into())],
                crate::http::Stream::new(|out| out.write_all(b"x")),
            )
        };
        let mut out = Vec::new();
        write_response(&mut out, &stream(), false, false, true);
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.ends_with("Transfer-Encoding: chunked\r\n\r\n"),
            "{text}"
        );
        assert!(!text.contains("Content-Length"), "{text}");
        let mut out = Vec::new();
        write_response(&mut out, &stream(), false, true, false);
        let text = String::from_utf8(out).unwrap();
        assert!(text.ends_with("GMT\r\nConnection: close\r\n\r\n"), "{text}");
        assert!(!text.contains("Transfer-Encoding") && !text.contains("Content-Length"));
    }

    #[test]
    fn a_body_writer_sends_bounded_chunks_and_the_last_one_on_finish() {
        let data: Vec<u8> = (0..CHUNK * 3 + 123).map(|i| (i % 251) as u8).collect();
        let mut wire = Vec::new();
        let mut writer = BodyWriter::new(&mut wire, true);
        writer.write_all(&[]).unwrap();
        for piece in data.chunks(1000) {
            writer.write_all(piece).unwrap();
        }
        writer.flush().unwrap();
        writer.flush().unwrap();
        writer.finish().unwrap();
        // Every chunk is within the bound and none is empty before the last.
        let mut at = &wire[..];
        let mut sizes = Vec::new();
        loop {
            let line_end = at.windows(2).position(|w| w == b"\r\n").unwrap();
            let size =
                usize::from_str_radix(std::str::from_utf8(&at[..line_end]).unwrap(), 16).unwrap();
            sizes.push(size);
            at = &at[line_end + 2 + size + 2..];
            if size == 0 {
                break;
            }
        }
        assert!(at.is_empty());
        assert_eq!(sizes.last(), Some(&0));
        assert!(
            sizes[..sizes.len() - 1]
                .iter()
                .all(|&s| s > 0 && s <= CHUNK),
            "{sizes:?}"
        );
        assert_eq!(read_chunked(&mut &wire[..], u64::MAX).unwrap(), data);
        // Without chunking (HTTP/1.0), the bytes go as they are.
        let mut wire = Vec::new();
        let mut writer = BodyWriter::new(&mut wire, false);
        writer.write_all(&data).unwrap();
        writer.finish().unwrap();
        assert_eq!(wire, data);
    }
}
