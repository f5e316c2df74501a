//! A small blocking FastCGI client speaking raw records, written independently of `src/fcgi` so it can judge it.

#![allow(dead_code)]

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::Duration;

pub const BEGIN_REQUEST: u8 = 1;
pub const ABORT_REQUEST: u8 = 2;
pub const END_REQUEST: u8 = 3;
pub const PARAMS: u8 = 4;
pub const STDIN: u8 = 5;
pub const STDOUT: u8 = 6;
pub const STDERR: u8 = 7;
pub const GET_VALUES: u8 = 9;
pub const GET_VALUES_RESULT: u8 = 10;
pub const UNKNOWN_TYPE: u8 = 11;

pub const REQUEST_COMPLETE: u8 = 0;
pub const CANT_MPX_CONN: u8 = 1;
pub const UNKNOWN_ROLE: u8 = 3;

/// How long any read from the server may take before the test fails.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// One record, padded to a multiple of 8 as the specification recommends.
pub fn record(kind: u8, id: u16, content: &[u8]) -> Vec<u8> {
    record_padded(kind, id, content, ((8 - content.len() % 8) % 8) as u8)
}

/// One record with an explicit padding length.
pub fn record_padded(kind: u8, id: u16, content: &[u8], padding: u8) -> Vec<u8> {
    assert!(content.len() <= 65535, "a record holds at most 65535 bytes");
    let mut out = vec![1, kind];
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&(content.len() as u16).to_be_bytes());
    out.push(padding);
    out.push(0);
    out.extend_from_slice(content);
    // Padding bytes are garbage on purpose: the server must skip them, not read them.
    out.extend(std::iter::repeat_n(0xa5, padding as usize));
    out
}

/// A name-value length prefix.
fn length(n: usize) -> Vec<u8> {
    if n < 128 {
        vec![n as u8]
    } else {
        ((n as u32) | 0x8000_0000).to_be_bytes().to_vec()
    }
}

/// One encoded name-value pair.
pub fn pair(name: &[u8], value: &[u8]) -> Vec<u8> {
    let mut out = length(name.len());
    out.extend(length(value.len()));
    out.extend_from_slice(name);
    out.extend_from_slice(value);
    out
}

/// A BEGIN_REQUEST record.
pub fn begin(id: u16, role: u16, keep_conn: bool) -> Vec<u8> {
    let mut body = role.to_be_bytes().to_vec();
    body.push(u8::from(keep_conn));
    body.extend_from_slice(&[0; 5]);
    record(BEGIN_REQUEST, id, &body)
}

/// A stream (PARAMS or STDIN) cut into records of at most `chunk` bytes, then the empty record that ends it.
pub fn stream(kind: u8, id: u16, data: &[u8], chunk: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for piece in data.chunks(chunk.clamp(1, 65535)) {
        out.extend(record(kind, id, piece));
    }
    out.extend(record(kind, id, &[]));
    out
}

/// The CGI params of a GET for `uri` (path and query), as nginx's fastcgi_params would send them.
pub fn get_params(uri: &str) -> Vec<u8> {
    request_params("GET", uri, None)
}

/// The CGI params of a request; `content_length` adds CONTENT_LENGTH and a form CONTENT_TYPE.
pub fn request_params(method: &str, uri: &str, content_length: Option<usize>) -> Vec<u8> {
    request_params_from(method, uri, content_length, "127.0.0.1")
}

/// [`request_params`] for a request from the client at `remote` (REMOTE_ADDR).
pub fn request_params_from(
    method: &str,
    uri: &str,
    content_length: Option<usize>,
    remote: &str,
) -> Vec<u8> {
    let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
    let mut out = Vec::new();
    for (name, value) in [
        ("GATEWAY_INTERFACE", "CGI/1.1"),
        ("SERVER_PROTOCOL", "HTTP/1.1"),
        ("REQUEST_METHOD", method),
        ("REQUEST_URI", uri),
        ("DOCUMENT_URI", path),
        ("QUERY_STRING", query),
        ("SERVER_NAME", "localhost"),
        ("REMOTE_ADDR", remote),
        ("HTTP_HOST", "localhost"),
    ] {
        out.extend(pair(name.as_bytes(), value.as_bytes()));
    }
    if let Some(len) = content_length {
        out.extend(pair(b"CONTENT_LENGTH", len.to_string().as_bytes()));
        out.extend(pair(b"CONTENT_TYPE", b"application/x-www-form-urlencoded"));
    }
    out
}

/// A whole GET request with id `id`: BEGIN, params, empty STDIN.
pub fn get_request(id: u16, uri: &str, keep_conn: bool) -> Vec<u8> {
    let mut out = begin(id, 1, keep_conn);
    out.extend(stream(PARAMS, id, &get_params(uri), 65535));
    out.extend(record(STDIN, id, &[]));
    out
}

/// A record as the server sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub kind: u8,
    pub id: u16,
    pub content: Vec<u8>,
}

impl Record {
    /// The (appStatus, protocolStatus) of an END_REQUEST.
    pub fn end_status(&self) -> Option<(u32, u8)> {
        (self.kind == END_REQUEST && self.content.len() == 8).then(|| {
            (
                u32::from_be_bytes(self.content[..4].try_into().unwrap()),
                self.content[4],
            )
        })
    }
}

/// Reads one record; `Ok(None)` on a clean end of stream before a header. Checks the server's framing.
pub fn read_record(reader: &mut impl Read) -> io::Result<Option<Record>> {
    let mut header = [0u8; 8];
    let mut filled = 0;
    while filled < 8 {
        match reader.read(&mut header[filled..])? {
            0 if filled == 0 => return Ok(None),
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => filled += n,
        }
    }
    assert_eq!(
        header[0], 1,
        "the server sent a record of version {}",
        header[0]
    );
    let len = u16::from_be_bytes([header[4], header[5]]) as usize;
    let padding = header[6] as usize;
    assert_eq!(
        (len + padding) % 8,
        0,
        "the server's records are padded to 8 bytes"
    );
    let mut content = vec![0u8; len + padding];
    reader.read_exact(&mut content)?;
    content.truncate(len);
    Ok(Some(Record {
        kind: header[1],
        id: u16::from_be_bytes([header[2], header[3]]),
        content,
    }))
}

/// Every record until the server closes the connection.
pub fn read_to_eof(reader: &mut impl Read) -> io::Result<Vec<Record>> {
    let mut records = Vec::new();
    while let Some(record) = read_record(reader)? {
        records.push(record);
    }
    Ok(records)
}

/// The answer to one request.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    /// Every record read, in order, including management ones.
    pub records: Vec<Record>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// (appStatus, protocolStatus) of the END_REQUEST.
    pub end: Option<(u32, u8)>,
}

impl Reply {
    /// The HTTP status of the CGI response (200 when there is no Status: line).
    pub fn status(&self) -> u16 {
        let head = self.head();
        head.lines()
            .find_map(|line| line.strip_prefix("Status: "))
            .and_then(|rest| rest.get(..3))
            .and_then(|code| code.parse().ok())
            .unwrap_or(200)
    }

    /// The CGI header block, as text.
    pub fn head(&self) -> String {
        let end = find(&self.stdout, b"\r\n\r\n").unwrap_or(self.stdout.len());
        String::from_utf8_lossy(&self.stdout[..end]).into_owned()
    }

    /// The body after the header block, as text.
    pub fn body(&self) -> String {
        let start = find(&self.stdout, b"\r\n\r\n").map_or(self.stdout.len(), |i| i + 4);
        String::from_utf8_lossy(&self.stdout[start..]).into_owned()
    }

    /// Asserts a complete 200 answer and returns its body.
    pub fn ok_body(&self) -> String {
        assert_eq!(
            self.end,
            Some((0, REQUEST_COMPLETE)),
            "END_REQUEST: {self:?}"
        );
        assert_eq!(self.status(), 200, "{}", self.head());
        self.body()
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads records until the END_REQUEST of request `id`; errors when the connection ends first.
pub fn read_reply(reader: &mut impl Read, id: u16) -> io::Result<Reply> {
    let mut reply = Reply::default();
    loop {
        let Some(record) = read_record(reader)? else {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("connection closed before END_REQUEST {id}: {reply:?}"),
            ));
        };
        if record.id == id {
            match record.kind {
                STDOUT => reply.stdout.extend_from_slice(&record.content),
                STDERR => reply.stderr.extend_from_slice(&record.content),
                END_REQUEST => {
                    reply.end = record.end_status();
                    reply.records.push(record);
                    return Ok(reply);
                }
                _ => {}
            }
        }
        reply.records.push(record);
    }
}

/// Where a FastCGI server listens.
#[derive(Debug, Clone)]
pub enum Addr {
    Unix(PathBuf),
    Tcp(SocketAddr),
}

impl Addr {
    /// Connects, with the test read timeout.
    pub fn connect(&self) -> io::Result<Conn> {
        let conn = match self {
            Addr::Unix(path) => Conn::Unix(UnixStream::connect(path)?),
            Addr::Tcp(addr) => Conn::Tcp(TcpStream::connect_timeout(addr, READ_TIMEOUT)?),
        };
        conn.set_read_timeout(READ_TIMEOUT)?;
        Ok(conn)
    }
}

/// A connection to a FastCGI server.
pub enum Conn {
    Unix(UnixStream),
    Tcp(TcpStream),
}

impl Conn {
    pub fn set_read_timeout(&self, timeout: Duration) -> io::Result<()> {
        match self {
            Conn::Unix(s) => s.set_read_timeout(Some(timeout)),
            Conn::Tcp(s) => s.set_read_timeout(Some(timeout)),
        }
    }

    /// Closes our sending half: the server sees end of stream.
    pub fn shutdown_write(&self) -> io::Result<()> {
        match self {
            Conn::Unix(s) => s.shutdown(std::net::Shutdown::Write),
            Conn::Tcp(s) => s.shutdown(std::net::Shutdown::Write),
        }
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Unix(s) => s.read(buf),
            Conn::Tcp(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Unix(s) => s.write(data),
            Conn::Tcp(s) => s.write(data),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One GET on a fresh connection, request id 1, keep_conn off.
pub fn get(addr: &Addr, uri: &str) -> io::Result<Reply> {
    let mut conn = addr.connect()?;
    conn.write_all(&get_request(1, uri, false))?;
    read_reply(&mut conn, 1)
}

/// Decodes a name-value stream (GET_VALUES_RESULT); panics on a malformed one.
pub fn decode_pairs(mut bytes: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    fn len(bytes: &mut &[u8]) -> usize {
        if bytes[0] < 128 {
            let n = bytes[0] as usize;
            *bytes = &bytes[1..];
            n
        } else {
            let n = u32::from_be_bytes(bytes[..4].try_into().unwrap()) & 0x7fff_ffff;
            *bytes = &bytes[4..];
            n as usize
        }
    }
    let mut pairs = Vec::new();
    while !bytes.is_empty() {
        let name_len = len(&mut bytes);
        let value_len = len(&mut bytes);
        pairs.push((
            bytes[..name_len].to_vec(),
            bytes[name_len..name_len + value_len].to_vec(),
        ));
        bytes = &bytes[name_len + value_len..];
    }
    pairs
}
