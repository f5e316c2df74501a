//! One FastCGI connection: assemble each request from its records, stream the body, batch the response, honour keep_conn.

use std::cell::Cell;
use std::io::{self, BufReader, Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::params::{self, PairsError, Params};
use super::record::{self, kind, status, Header, HEADER_LEN, MAX_SEND_CONTENT};
use super::{Error, Handler, Limits, Request, Socket};

/// Output is written to the socket once this much framed data is waiting.
const FLUSH_AT: usize = 256 * 1024;

/// The socket as the record reader sees it: each read waits at most the read timeout, and
/// never past the deadline of the request being received, so a peer trickling a byte now
/// and then cannot hold a worker for longer than [`Limits::request_timeout`].
struct Paced<'s, S> {
    stream: &'s S,
    /// The read timeout the socket has now.
    timeout: Cell<Option<Duration>>,
    /// When the request being received must be in.
    deadline: Cell<Option<Instant>>,
    /// Set when a read waited out its timeout or the deadline: the peer is stalled, and there
    /// is no point reading away the rest of its request.
    stalled: Cell<bool>,
}

impl<S: Socket> Paced<'_, S> {
    /// Sets the socket's read timeout, unless it has it already (each change is a system call).
    fn set_timeout(&self, timeout: Duration) -> io::Result<()> {
        if self.timeout.get() != Some(timeout) {
            self.stream.set_read_timeout(Some(timeout))?;
            self.timeout.set(Some(timeout));
        }
        Ok(())
    }
}

impl<S: Socket> Read for Paced<'_, S>
where
    for<'a> &'a S: Read,
{
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(deadline) = self.deadline.get() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                self.stalled.set(true);
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the request did not arrive whole within the request timeout",
                ));
            }
            // Shorten the wait only near the deadline, so that most reads change nothing.
            if self.timeout.get().is_none_or(|t| left < t) {
                self.set_timeout(left)?;
            }
        }
        let mut stream = self.stream;
        let result = stream.read(buf);
        if result.as_ref().is_err_and(is_timeout) {
            self.stalled.set(true);
        }
        result
    }
}

/// The reading half: buffered records in, control replies (GET_VALUES, CANT_MPX_CONN) queued out.
struct Inbound<R: Read> {
    reader: BufReader<R>,
    /// Content of the last record read.
    content: Vec<u8>,
    /// How much of `content` a body reader has consumed.
    content_pos: usize,
    /// Management replies waiting to be written.
    ctl: Vec<u8>,
    max_conns: usize,
}

impl<R: Read> Inbound<R> {
    /// Reads the next record into `self.content`; `Ok(None)` on a clean end of stream between records.
    fn next_record(&mut self) -> Result<Option<Header>, Error> {
        let mut header = [0u8; HEADER_LEN];
        let mut filled = 0;
        while filled < HEADER_LEN {
            match self.reader.read(&mut header[filled..]) {
                Ok(0) if filled == 0 => return Ok(None),
                Ok(0) => return Err(Error::Malformed("connection closed inside a record header")),
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::Io(e)),
            }
        }
        let header = Header::decode(&header).ok_or(Error::Malformed("record version is not 1"))?;
        let total = header.content_len as usize + header.padding_len as usize;
        // The previous record is gone from here on, even if this one cannot be read whole.
        self.content_pos = 0;
        self.content.resize(total, 0);
        if let Err(e) = self.reader.read_exact(&mut self.content) {
            self.content.clear();
            return Err(match e.kind() {
                io::ErrorKind::UnexpectedEof => {
                    Error::Malformed("connection closed inside a record")
                }
                _ => Error::Io(e),
            });
        }
        self.content.truncate(header.content_len as usize);
        Ok(Some(header))
    }

    /// Returns true if and only if the next record is a STDIN record of request `id` already
    /// whole in the read buffer, so that reading it costs no system call and cannot wait.
    fn stdin_buffered(&self, id: u16) -> bool {
        let buffered = self.reader.buffer();
        let Some(header) = buffered
            .get(..HEADER_LEN)
            .and_then(|h| Header::decode(h.try_into().ok()?))
        else {
            return false;
        };
        header.kind == kind::STDIN
            && header.request_id == id
            && buffered.len()
                >= HEADER_LEN + header.content_len as usize + header.padding_len as usize
    }

    /// Answers a management record (request id 0) or records an unexpected one.
    ///
    /// Returns true if and only if the record was a management record and is dealt with.
    fn management(&mut self, header: Header) -> bool {
        if header.request_id != 0 {
            return false;
        }
        match header.kind {
            kind::GET_VALUES => {
                let mut reply = Vec::new();
                // A malformed query gets an empty answer rather than a closed connection.
                for (name, _) in params::decode(&self.content, 64).unwrap_or_default() {
                    let value = match name.as_slice() {
                        b"FCGI_MAX_CONNS" | b"FCGI_MAX_REQS" => self.max_conns.to_string(),
                        b"FCGI_MPXS_CONNS" => "0".to_string(),
                        _ => continue,
                    };
                    params::encode_pair(&mut reply, &name, value.as_bytes());
                }
                reply.truncate(record::MAX_CONTENT);
                record::push(&mut self.ctl, kind::GET_VALUES_RESULT, 0, &reply);
            }
            known if (kind::BEGIN_REQUEST..=kind::UNKNOWN_TYPE).contains(&known) => {
                // Application record types on id 0 belong to no request: ignore them.
            }
            unknown => record::push_unknown_type(&mut self.ctl, unknown),
        }
        true
    }

    /// Handles a record that is not part of the current request `id`.
    fn stray(&mut self, header: Header, id: u16) {
        if self.management(header) {
            return;
        }
        if header.kind == kind::BEGIN_REQUEST && header.request_id != id {
            record::push_end(&mut self.ctl, header.request_id, 0, status::CANT_MPX_CONN);
        } else if !(kind::BEGIN_REQUEST..=kind::UNKNOWN_TYPE).contains(&header.kind) {
            record::push_unknown_type(&mut self.ctl, header.kind);
        }
        // Anything else (DATA, records for requests we are not serving) is ignored.
    }
}

/// How a request body ended, as far as the connection is concerned.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyState {
    Open,
    Complete,
    Aborted,
    TooLarge,
}

/// The request body, read from STDIN records on demand; never buffered whole.
pub struct Body<'a> {
    inner: &'a mut dyn BodySource,
}

impl Read for Body<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read_body(buf)
    }
}

impl<'a> Body<'a> {
    /// A body over any reader; for front doors other than FastCGI and for tests.
    pub fn from_reader(reader: &'a mut dyn BodySource) -> Body<'a> {
        Body { inner: reader }
    }
}

/// Where body bytes come from; implemented for the FastCGI stream and for any `Read`.
pub trait BodySource {
    /// Reads body bytes, as `Read::read`.
    fn read_body(&mut self, buf: &mut [u8]) -> io::Result<usize>;
}

impl<T: Read> BodySource for T {
    fn read_body(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read(buf)
    }
}

/// The STDIN stream of request `id`, with its size limit.
struct Stdin<'a, R: Read> {
    inbound: &'a mut Inbound<R>,
    id: u16,
    received: u64,
    limit: u64,
    state: BodyState,
}

/// The error a body read returns past the configured limit.
#[derive(Debug)]
pub struct BodyTooLarge {
    /// The limit in bytes.
    pub limit: u64,
}

impl std::fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "request body larger than {} bytes", self.limit)
    }
}

impl std::error::Error for BodyTooLarge {}

impl<R: Read> Stdin<'_, R> {
    fn read_into(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match self.state {
                BodyState::Open => {}
                BodyState::Complete => return Ok(0),
                BodyState::Aborted => {
                    return Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "request aborted",
                    ))
                }
                BodyState::TooLarge => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        BodyTooLarge { limit: self.limit },
                    ))
                }
            }
            let available = &self.inbound.content[self.inbound.content_pos..];
            if !available.is_empty() {
                let n = available.len().min(buf.len());
                buf[..n].copy_from_slice(&available[..n]);
                self.inbound.content_pos += n;
                return Ok(n);
            }
            let header = match self.inbound.next_record() {
                Ok(Some(header)) => header,
                Ok(None) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Err(Error::Io(e)) => return Err(e),
                Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e.to_string())),
            };
            if header.request_id == self.id && header.kind == kind::STDIN {
                if header.content_len == 0 {
                    self.state = BodyState::Complete;
                } else {
                    self.received += u64::from(header.content_len);
                    if self.received > self.limit {
                        self.state = BodyState::TooLarge;
                    }
                }
            } else if header.request_id == self.id && header.kind == kind::ABORT_REQUEST {
                self.state = BodyState::Aborted;
            } else {
                self.inbound.content.clear();
                self.inbound.stray(header, self.id);
            }
        }
    }
}

impl<R: Read> BodySource for Stdin<'_, R> {
    fn read_body(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_into(buf)
    }
}

/// The response stream: what the handler writes becomes STDOUT records, sent in as few writes as possible.
pub struct Output<'a> {
    writer: &'a mut dyn Write,
    id: u16,
    /// Handler bytes not yet framed.
    pending: Vec<u8>,
    /// Framed records not yet written.
    framed: Vec<u8>,
    written: u64,
}

impl<'a> Output<'a> {
    fn new(writer: &'a mut dyn Write, id: u16) -> Output<'a> {
        Output {
            writer,
            id,
            pending: Vec::with_capacity(16 * 1024),
            framed: Vec::new(),
            written: 0,
        }
    }

    /// Returns true if and only if the handler has written anything.
    pub fn is_started(&self) -> bool {
        self.written > 0
    }

    fn frame_pending(&mut self) {
        record::push_stream(&mut self.framed, kind::STDOUT, self.id, &self.pending);
        self.pending.clear();
    }

    /// Frames what is left, adds the end of STDOUT and END_REQUEST after `ctl`, and writes it all at once.
    fn finish(mut self, ctl: &mut Vec<u8>, app_status: u32) -> io::Result<()> {
        self.frame_pending();
        record::push(&mut self.framed, kind::STDOUT, self.id, &[]);
        record::push_end(
            &mut self.framed,
            self.id,
            app_status,
            status::REQUEST_COMPLETE,
        );
        if !ctl.is_empty() {
            self.writer.write_all(ctl)?;
            ctl.clear();
        }
        self.writer.write_all(&self.framed)?;
        self.writer.flush()
    }
}

impl Write for Output<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(data);
        self.written += data.len() as u64;
        if self.pending.len() >= MAX_SEND_CONTENT {
            self.frame_pending();
            if self.framed.len() >= FLUSH_AT {
                self.writer.write_all(&self.framed)?;
                self.framed.clear();
            }
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A minimal CGI error response written by the protocol layer itself.
fn cgi_error(out: &mut Output<'_>, status_line: &str) -> io::Result<()> {
    let text = format!(
        "Status: {status_line}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{status_line}\n"
    );
    out.write_all(text.as_bytes())
}

/// Serves requests on one connection until the peer closes it, keep_conn is off, `stop` is set, or an error.
///
/// Malformed input ends this connection with an `Err`; the caller logs it and goes on.
/// Returns the number of requests answered.
pub fn serve<S>(
    stream: &S,
    handler: &dyn Handler,
    limits: &Limits,
    stop: &AtomicBool,
) -> Result<u64, Error>
where
    S: Socket,
    for<'s> &'s S: Read + Write,
{
    let mut writer = stream;
    let mut inbound = Inbound {
        reader: BufReader::with_capacity(
            16 * 1024,
            Paced {
                stream,
                timeout: Cell::new(None),
                deadline: Cell::new(None),
                stalled: Cell::new(false),
            },
        ),
        content: Vec::with_capacity(8 * 1024),
        content_pos: 0,
        ctl: Vec::new(),
        max_conns: limits.max_conns,
    };
    let mut served = 0;
    let mut first = true;
    loop {
        // A new connection must start a request soon; between requests of a kept connection,
        // wait only as long as the keep-alive allows.
        let waiting = if first {
            limits.begin_timeout
        } else {
            limits.keep_conn_idle
        };
        let paced = inbound.reader.get_ref();
        paced.deadline.set(None);
        paced.set_timeout(waiting)?;
        let (id, keep_conn) = match wait_for_begin(&mut inbound, &mut writer) {
            Ok(Some(begin)) => begin,
            Ok(None) => return Ok(served),
            // A kept connection that stays quiet is closed without fuss.
            Err(Error::Io(e)) if !first && is_timeout(&e) => return Ok(served),
            Err(e) => return Err(e),
        };
        first = false;
        let paced = inbound.reader.get_ref();
        paced.set_timeout(limits.read_timeout)?;
        paced
            .deadline
            .set(Some(Instant::now() + limits.request_timeout));
        paced.stalled.set(false);
        let params = match read_params(&mut inbound, id, limits)? {
            ParamsOutcome::Complete(params) => params,
            ParamsOutcome::Aborted => {
                record::push_end(&mut inbound.ctl, id, 0, status::REQUEST_COMPLETE);
                writer.write_all(&inbound.ctl)?;
                inbound.ctl.clear();
                if keep_conn {
                    continue;
                }
                return Ok(served);
            }
            ParamsOutcome::TooLarge(why) => {
                log::warn!("fastcgi: refusing request {id}: {why}");
                let mut output = Output::new(&mut writer, id);
                cgi_error(&mut output, "431 Request Header Fields Too Large")?;
                output.finish(&mut inbound.ctl, 0)?;
                // The rest of this request may still be in flight: do not reuse the connection.
                return Ok(served + 1);
            }
        };
        let mut stdin = Stdin {
            inbound: &mut inbound,
            id,
            received: 0,
            limit: limits.max_body,
            state: BodyState::Open,
        };
        let mut output = Output::new(&mut writer, id);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let request = Request {
                params,
                body: Body { inner: &mut stdin },
            };
            handler.handle(request, &mut output)
        }));
        let (app_status, handled) = match outcome {
            Ok(app_status) => (app_status, true),
            Err(_) => {
                log::error!("fastcgi: the handler panicked on request {id}; answering 500");
                if !output.is_started() {
                    cgi_error(&mut output, "500 Internal Server Error")?;
                }
                (1, false)
            }
        };
        let mut reusable = handled && keep_conn && !stop.load(Ordering::Relaxed);
        if reusable && stdin.state == BodyState::Open {
            // Skip what the handler did not read so the next request starts on a record boundary.
            reusable = drain(&mut stdin).is_ok();
        }
        let reusable = reusable && stdin.state == BodyState::Complete;
        let mut ctl = std::mem::take(&mut stdin.inbound.ctl);
        output.finish(&mut ctl, app_status)?;
        served += 1;
        if reusable {
            continue;
        }
        let stalled = stdin.inbound.reader.get_ref().stalled.get();
        if handled && !stalled && matches!(stdin.state, BodyState::Open | BodyState::TooLarge) {
            // The web server may still be sending the body: read it away before closing, so it
            // does not see a reset and turn our answer (a 413, say) into a 502. Not from a
            // peer that stalled: that would hold this thread past the request deadline.
            linger(&mut stdin);
        }
        return Ok(served);
    }
}

/// Discards the rest of a body within its limit.
fn drain<R: Read>(stdin: &mut Stdin<'_, R>) -> io::Result<()> {
    let mut scratch = [0u8; 8192];
    while stdin.read_into(&mut scratch)? > 0 {}
    Ok(())
}

/// Most we read away after answering, and for how long.
const LINGER_BYTES: u64 = 64 * 1024 * 1024;
const LINGER_TIME: Duration = Duration::from_secs(5);

/// Reads and drops the rest of a body, ignoring its limit, for at most [`LINGER_TIME`] and [`LINGER_BYTES`].
fn linger<S: Socket>(stdin: &mut Stdin<'_, Paced<'_, S>>)
where
    for<'a> &'a S: Read,
{
    let deadline = Instant::now() + LINGER_TIME;
    stdin.limit = stdin.received.saturating_add(LINGER_BYTES);
    stdin.state = BodyState::Open;
    let mut scratch = [0u8; 8192];
    // Often the rest of the body (at least its end) is already buffered, as when a handler
    // ignores an empty body: read that first, without a system call or a wait.
    loop {
        let inbound = &stdin.inbound;
        if inbound.content_pos >= inbound.content.len() && !inbound.stdin_buffered(stdin.id) {
            break;
        }
        match stdin.read_into(&mut scratch) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
    // The request's own deadline no longer applies: this one does.
    let paced = stdin.inbound.reader.get_ref();
    paced.deadline.set(Some(deadline));
    if paced.set_timeout(Duration::from_secs(1)).is_err() {
        return;
    }
    while Instant::now() < deadline {
        match stdin.read_into(&mut scratch) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Reads records until a responder BEGIN_REQUEST; answers management records and other roles meanwhile.
fn wait_for_begin<R: Read>(
    inbound: &mut Inbound<R>,
    writer: &mut impl Write,
) -> Result<Option<(u16, bool)>, Error> {
    loop {
        let Some(header) = inbound.next_record()? else {
            return Ok(None);
        };
        if header.kind == kind::BEGIN_REQUEST && header.request_id != 0 {
            let body = inbound.content.as_slice();
            if body.len() < 8 {
                return Err(Error::Malformed("BEGIN_REQUEST shorter than 8 bytes"));
            }
            let role = u16::from_be_bytes([body[0], body[1]]);
            let keep_conn = body[2] & record::FLAG_KEEP_CONN != 0;
            if role == record::ROLE_RESPONDER {
                return Ok(Some((header.request_id, keep_conn)));
            }
            record::push_end(&mut inbound.ctl, header.request_id, 0, status::UNKNOWN_ROLE);
            writer.write_all(&inbound.ctl)?;
            inbound.ctl.clear();
            if !keep_conn {
                return Ok(None);
            }
            continue;
        }
        inbound.stray(header, 0);
        if !inbound.ctl.is_empty() {
            writer.write_all(&inbound.ctl)?;
            inbound.ctl.clear();
        }
    }
}

enum ParamsOutcome {
    Complete(Params),
    Aborted,
    TooLarge(String),
}

/// Collects the PARAMS stream of request `id` (pairs may span records) and decodes it within the limits.
fn read_params<R: Read>(
    inbound: &mut Inbound<R>,
    id: u16,
    limits: &Limits,
) -> Result<ParamsOutcome, Error> {
    let mut raw = Vec::new();
    let mut over = false;
    loop {
        let header = inbound.next_record()?.ok_or(Error::Malformed(
            "connection closed before the end of PARAMS",
        ))?;
        if header.request_id == id {
            match header.kind {
                kind::PARAMS if header.content_len == 0 => break,
                kind::PARAMS => {
                    if raw.len() + inbound.content.len() > limits.max_params_bytes {
                        over = true;
                    } else {
                        raw.extend_from_slice(&inbound.content);
                    }
                    continue;
                }
                kind::ABORT_REQUEST => return Ok(ParamsOutcome::Aborted),
                kind::STDIN => return Err(Error::Malformed("STDIN before the end of PARAMS")),
                _ => {}
            }
        }
        inbound.stray(header, id);
    }
    if over {
        return Ok(ParamsOutcome::TooLarge(format!(
            "params larger than {} bytes",
            limits.max_params_bytes
        )));
    }
    match params::decode(&raw, limits.max_pairs) {
        Ok(pairs) => Ok(ParamsOutcome::Complete(Params::from_pairs(pairs))),
        Err(PairsError::TooManyPairs(max)) => {
            Ok(ParamsOutcome::TooLarge(format!("more than {max} params")))
        }
        Err(PairsError::Truncated) => Err(Error::Malformed(
            "a name-value pair runs past the end of PARAMS",
        )),
    }
}
