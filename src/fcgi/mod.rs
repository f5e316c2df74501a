//! The FastCGI 1.0 responder protocol, generic: records and params in, a CGI response out; knows nothing of mailing lists.
//!
//! The application plugs in through [`Handler`]. One connection is served at a time per
//! calling thread ([`serve_connection`]); there is no multiplexing (we answer
//! `FCGI_MPXS_CONNS=0` and `CANT_MPX_CONN`). Params stay bytes, the body is streamed with a
//! limit, output is batched into records and written once per response where it fits, and
//! no peer input can make this module panic.

mod conn;
mod params;
mod record;

use std::io;
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::time::Duration;

pub use conn::{serve as serve_connection, Body, BodySource, BodyTooLarge, Output};
pub use params::{decode as decode_pairs, encode_pair, Pair, PairsError, Params};

/// One request as the application sees it.
pub struct Request<'a> {
    /// The CGI params the web server sent, as bytes.
    pub params: Params,
    /// The request body (STDIN), read on demand and limited to [`Limits::max_body`].
    pub body: Body<'a>,
}

/// What the application provides: it reads the request and writes a CGI response.
///
/// The return value is the application status carried in END_REQUEST (0 for success).
/// A panic here is caught: the request gets a 500 and the connection is closed.
pub trait Handler: Send + Sync {
    /// Serves one request, writing the CGI response (headers, blank line, body) to `out`.
    fn handle(&self, request: Request<'_>, out: &mut Output<'_>) -> u32;
}

/// Bounds on what one connection may send us, and how long we wait for it.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest PARAMS stream accepted; past it the request gets 431.
    pub max_params_bytes: usize,
    /// Most name-value pairs accepted; past it the request gets 431.
    pub max_pairs: usize,
    /// Largest request body; reading past it fails with [`BodyTooLarge`].
    pub max_body: u64,
    /// How long a new connection may take to send its first request before we close it, so
    /// that idle connections cannot hold every worker.
    pub begin_timeout: Duration,
    /// How long a kept connection may sit idle between requests before we close it.
    pub keep_conn_idle: Duration,
    /// How long a read may stall inside a request before we give up on the connection.
    pub read_timeout: Duration,
    /// How long a whole request (its params and body) may take to arrive once begun, however
    /// it trickles in; past it the connection is given up.
    pub request_timeout: Duration,
    /// Connections this process serves at once, announced as FCGI_MAX_CONNS and FCGI_MAX_REQS.
    pub max_conns: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_params_bytes: 256 * 1024,
            max_pairs: 2048,
            max_body: 8 * 1024 * 1024,
            begin_timeout: Duration::from_secs(5),
            keep_conn_idle: Duration::from_secs(2),
            read_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(60),
            max_conns: 1,
        }
    }
}

/// Why a connection was given up.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The peer sent something that is not FastCGI.
    #[error("malformed FastCGI input: {0}")]
    Malformed(&'static str),
    /// Reading or writing the socket failed.
    #[error("FastCGI connection: {0}")]
    Io(#[from] io::Error),
}

/// A connected socket the protocol can put a read timeout on.
pub trait Socket {
    /// Sets the read timeout, as the std sockets do.
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
}

impl Socket for UnixStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        UnixStream::set_read_timeout(self, timeout)
    }
}

impl Socket for TcpStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, timeout)
    }
}

/// Record-level building blocks, public for the fuzz target and the protocol tests.
pub mod wire {
    pub use super::record::{
        kind, status, Header, FLAG_KEEP_CONN, HEADER_LEN, MAX_CONTENT, ROLE_RESPONDER,
    };

    /// Appends one padded record to `out`.
    pub fn push_record(out: &mut Vec<u8>, kind: u8, request_id: u16, content: &[u8]) {
        super::record::push(out, kind, request_id, content)
    }
}
