//! The plain-HTTP/1.1 front door (`serve --http`) on httparse and the runtime's connection threads, for trying wwsympa out and for browser tests.
//!
//! Every request gets an answer or a clean close, never a panic; what the door accepts:
//!
//! - a head (request line and fields) of at most [`Limits::max_head`] bytes and
//!   [`Limits::max_headers`] fields, else `431`; a malformed request line or field (raw
//!   `0xFF` bytes, a bad method token, an obsolete line folding, HTTP/2 …) gets `400`;
//!   an HTTP/1.1 request needs exactly one `Host` field (`400`);
//! - a new connection must start its request within [`Limits::begin_timeout`]; once it has,
//!   its head and body must be in by [`Limits::request_timeout`] counted from the accept
//!   (from the first byte for the next requests on a kept connection), else `408`;
//! - a `Content-Length` body within the body limit (the door's, or the application's
//!   smaller one, [`super::Service::body_limit`]): a larger declaration gets `413` before a
//!   byte of it is read, and memory only ever grows with the bytes that arrived;
//!   a duplicate, conflicting or invalid `Content-Length` gets `400`;
//! - a `Transfer-Encoding: chunked` body is decoded, with the same limit; any other
//!   transfer coding gets `501`, one without `chunked` last `400`, one beside a
//!   `Content-Length` or in an HTTP/1.0 request `400`;
//! - `Expect: 100-continue` gets `100 Continue` only when the body will be read (not before
//!   a `413`); another expectation gets `417`;
//! - `HEAD` is answered without a body.
//!
//! Kept connections: HTTP/1.1 requests keep the connection unless the client asks to close
//! (pipelined requests are answered in order); HTTP/1.0 requests are answered with
//! `Connection: close`. After a refusal the door answers with `Connection: close` and shuts
//! its sending side, then reads away what the client may still be sending, at most
//! [`LINGER_BYTES`] for [`LINGER_TIME`] into a small scratch buffer (never into memory it
//! keeps), so that the client reads the answer rather than a reset; a client that stalled
//! is not waited for.

mod body;
mod conn;

use std::io;
use std::net::{IpAddr, TcpStream};
use std::os::unix::net::UnixStream;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use super::{Gate, Service};
use crate::fcgi;
use crate::runtime::{accept_loop, Activity, Front, Listener, Stream, WorkerCtx};

pub use body::{read_chunked, ChunkedError};

/// Most bytes read away after a refusal before the connection is closed.
pub const LINGER_BYTES: u64 = 1024 * 1024;
/// Longest time spent reading away after a refusal.
pub const LINGER_TIME: Duration = Duration::from_secs(2);

/// Bounds on what one connection may send, and how long it may take.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request head (request line and fields); past it, 431.
    pub max_head: usize,
    /// Most header fields; past it, 431.
    pub max_headers: usize,
    /// Largest request body (the application may ask for less); past it, 413.
    pub max_body: u64,
    /// How long a new connection may take to send its first byte before it is closed.
    pub begin_timeout: Duration,
    /// How long a kept connection may stay idle between requests.
    pub keep_alive: Duration,
    /// How long a request (head and body) may take to arrive whole; past it, 408.
    pub request_timeout: Duration,
    /// How long writing an answer may block before the connection is given up.
    pub write_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_head: 16 * 1024,
            max_headers: 64,
            max_body: 8 * 1024 * 1024,
            begin_timeout: Duration::from_secs(5),
            keep_alive: Duration::from_secs(2),
            request_timeout: Duration::from_secs(60),
            write_timeout: Duration::from_secs(30),
        }
    }
}

/// A connected socket: a read timeout (as [`fcgi::Socket`]) and a way to stop sending.
pub trait Socket: fcgi::Socket {
    /// Shuts the sending side: the client sees the end of the answer.
    fn shutdown_write(&self) -> io::Result<()>;
}

impl Socket for TcpStream {
    fn shutdown_write(&self) -> io::Result<()> {
        self.shutdown(std::net::Shutdown::Write)
    }
}

impl Socket for UnixStream {
    fn shutdown_write(&self) -> io::Result<()> {
        self.shutdown(std::net::Shutdown::Write)
    }
}

/// A [`Service`] served over HTTP/1.1 connections, with its handler slots and limits.
pub struct Http {
    service: Arc<dyn Service>,
    gate: Arc<Gate>,
    limits: Limits,
}

impl Http {
    /// Serves `service`, entering it through `gate` once a request has arrived whole.
    pub fn new(service: Arc<dyn Service>, gate: Arc<Gate>, limits: Limits) -> Http {
        Http {
            service,
            gate,
            limits,
        }
    }

    /// The limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Serves requests on one connection until the client closes it, a request asks to
    /// close, a refusal, a timeout, or `stop`; returns the number of answers sent.
    ///
    /// `peer` becomes the requests' `remote_addr`; each request counts in `activity` from its
    /// first byte to its answer. An `Err` is a socket error, worth a debug line at most.
    pub fn serve_connection<S>(
        &self,
        stream: &S,
        peer: Option<IpAddr>,
        activity: &Activity,
        stop: &AtomicBool,
    ) -> io::Result<u64>
    where
        S: Socket,
        for<'s> &'s S: io::Read + io::Write,
    {
        conn::serve(self, stream, peer, activity, stop)
    }
}

/// Plain HTTP on a listener, served by the runtime's connection threads.
pub struct HttpFront {
    listener: Listener,
    http: Http,
}

impl HttpFront {
    /// Serves `http` on `listener` (made non-blocking, so threads wait in epoll).
    pub fn new(listener: Listener, http: Http) -> io::Result<HttpFront> {
        listener.set_nonblocking()?;
        Ok(HttpFront { listener, http })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> String {
        self.listener.describe()
    }

    fn serve(&self, stream: &Stream, ctx: &WorkerCtx) -> io::Result<u64> {
        let write_timeout = Some(self.http.limits.write_timeout);
        match stream {
            Stream::Tcp(s) => {
                s.set_nodelay(true)?;
                s.set_write_timeout(write_timeout)?;
                let peer = s.peer_addr().ok().map(|addr| addr.ip());
                self.http
                    .serve_connection(s, peer, &ctx.activity, &ctx.stop)
            }
            Stream::Unix(s) => {
                s.set_write_timeout(write_timeout)?;
                self.http
                    .serve_connection(s, None, &ctx.activity, &ctx.stop)
            }
        }
    }
}

impl Front for HttpFront {
    fn run_worker(&self, ctx: &WorkerCtx) {
        accept_loop(&self.listener, ctx, |stream| {
            if let Err(e) = self.serve(&stream, ctx) {
                log::debug!("http: closing a connection: {e}");
            }
        });
    }

    fn describe(&self) -> String {
        format!("HTTP on http://{}", self.listener.describe())
    }
}
