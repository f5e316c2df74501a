//! Postfix's `socketmap_table(5)` lookups answered live from the database, so that a new
//! list takes mail without a `postmap` or an MTA reload: [`lookup`] says what a map holds
//! for a key; [`serve`] speaks the netstring protocol on one connection.
//!
//! The maps, named in the request (`socketmap:inet:127.0.0.1:8025:NAME`):
//!
//! - `transport` (`transport_maps`): our addresses → the LMTP next hop (`lmtp:[127.0.0.1]:8024`
//!   by default); domains and anything else: not found.
//! - `recipients` (`relay_recipient_maps`, `local_recipient_maps`, `virtual_mailbox_maps`):
//!   our addresses → `OK`, so Postfix refuses unknown addresses during the SMTP session
//!   instead of bouncing them later.
//! - `domains` (`relay_domains`): the domains that take list mail → `OK`.
//!
//! A database error is `TEMP` (Postfix defers, never bounces); an unknown map is `PERM`.

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::address::{resolve, split, NotOurs};
use crate::config::Config;
use crate::store::Db;

/// The longest request read (Postfix's own limit for a socketmap query is far below).
pub const MAX_REQUEST: usize = 10_000;

/// The LMTP next hop answered by the `transport` map unless told otherwise.
pub const DEFAULT_TRANSPORT: &str = "lmtp:[127.0.0.1]:8024";

/// The map names served.
pub const MAPS: &[&str] = &["transport", "recipients", "domains"];

/// A socketmap answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// `OK data`.
    Found(String),
    /// `NOTFOUND `.
    NotFound,
    /// `TEMP reason`: try again later.
    Temp(String),
    /// `PERM reason`: a configuration error.
    Perm(String),
}

impl Answer {
    /// The answer as a netstring.
    pub fn encode(&self) -> Vec<u8> {
        let text = match self {
            Answer::Found(data) => format!("OK {data}"),
            Answer::NotFound => "NOTFOUND ".to_string(),
            Answer::Temp(why) => format!("TEMP {why}"),
            Answer::Perm(why) => format!("PERM {why}"),
        };
        netstring(text.as_bytes())
    }
}

/// `data` as a netstring: `LENGTH:data,`.
pub fn netstring(data: &[u8]) -> Vec<u8> {
    let mut out = format!("{}:", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.push(b',');
    out
}

/// What `map` holds for `key`.
pub fn lookup(db: &Db<'_>, config: &Config, transport: &str, map: &str, key: &str) -> Answer {
    let key = key.trim();
    match map {
        "transport" | "recipients" => {
            // Domain keys (`example.org`, `.example.org`) and catch-alls (`@example.org`)
            // are not ours to route: only whole addresses are.
            if !key.contains('@') || key.starts_with('@') || split(key).is_none() {
                return Answer::NotFound;
            }
            match resolve(db, config, key) {
                Ok(Ok(_)) if map == "transport" => Answer::Found(transport.to_string()),
                Ok(Ok(_)) => Answer::Found("OK".into()),
                // A public list's old address comes to us, so that the sender is told
                // (550 5.1.6) where the list went rather than the MTA's "User unknown".
                Ok(Err(NotOurs::Moved { .. })) if map == "transport" => {
                    Answer::Found(transport.to_string())
                }
                Ok(Err(NotOurs::Moved { .. })) => Answer::Found("OK".into()),
                Ok(Err(_)) => Answer::NotFound,
                Err(e) => {
                    log::error!("socketmap {map} {key}: {e}");
                    Answer::Temp("database unavailable".into())
                }
            }
        }
        "domains" => {
            let domain = key.trim_end_matches('.').to_ascii_lowercase();
            if domain.is_empty() || domain.contains('@') {
                return Answer::NotFound;
            }
            if domain == config.domain.to_ascii_lowercase() {
                return Answer::Found("OK".into());
            }
            match db.is_list_domain(&domain) {
                Ok(true) => Answer::Found("OK".into()),
                Ok(false) => Answer::NotFound,
                Err(e) => {
                    log::error!("socketmap domains {key}: {e}");
                    Answer::Temp("database unavailable".into())
                }
            }
        }
        _ => Answer::Perm(format!("unknown map {map:?}; ours are {}", MAPS.join(", "))),
    }
}

/// Reads the rest of a netstring request whose first byte was `first`.
fn read_rest(first: u8, reader: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut length: usize = 0;
    let mut digits = 0;
    let mut byte = [first];
    loop {
        match byte[0] {
            b'0'..=b'9' if digits < 6 => {
                length = length * 10 + usize::from(byte[0] - b'0');
                digits += 1;
            }
            b':' if digits > 0 => break,
            _ => return Err(bad("malformed netstring length")),
        }
        if reader.read(&mut byte)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    }
    if length > MAX_REQUEST {
        return Err(bad("request too long"));
    }
    let mut data = vec![0u8; length + 1];
    reader.read_exact(&mut data)?;
    if data.pop() != Some(b',') {
        return Err(bad("netstring without its comma"));
    }
    Ok(data)
}

/// Waits for the first byte of the next request: `None` when the client closed the
/// connection, stayed idle `idle_limit`, or `stop` was raised. The stream's read timeout
/// (set by the caller, a second or so) is how often `stop` is looked at.
fn next_byte(
    reader: &mut impl Read,
    stop: &AtomicBool,
    idle_limit: Duration,
) -> io::Result<Option<u8>> {
    let idle_since = Instant::now();
    let mut byte = [0u8; 1];
    loop {
        match reader.read(&mut byte) {
            Ok(0) => return Ok(None),
            Ok(_) => return Ok(Some(byte[0])),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                if stop.load(Ordering::SeqCst) || idle_since.elapsed() >= idle_limit {
                    return Ok(None);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

/// Serves requests on one connection until the client closes it, stays idle `idle_limit`
/// between requests, `stop` is raised (looked at between requests, at each read timeout the
/// caller set on the stream), or the client breaks the protocol. `answer` gets the map name
/// and the key. Returns how many requests were answered.
pub fn serve<S: Read + Write>(
    stream: &mut S,
    stop: &AtomicBool,
    idle_limit: Duration,
    mut answer: impl FnMut(&str, &str) -> Answer,
) -> io::Result<u64> {
    let mut answered = 0;
    while !stop.load(Ordering::SeqCst) {
        let Some(first) = next_byte(stream, stop, idle_limit)? else {
            break;
        };
        let request = read_rest(first, stream)?;
        let text = String::from_utf8_lossy(&request);
        let reply = match text.split_once(' ') {
            Some((map, key)) if !map.is_empty() => answer(map, key),
            _ => Answer::Perm("expected `name key`".into()),
        };
        stream.write_all(&reply.encode())?;
        stream.flush()?;
        answered += 1;
    }
    Ok(answered)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Duplex {
        input: io::Cursor<Vec<u8>>,
        output: Vec<u8>,
        /// Read timeouts to report before the input (an idle client).
        timeouts: u32,
    }

    impl Read for Duplex {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.timeouts > 0 {
                self.timeouts -= 1;
                return Err(io::ErrorKind::WouldBlock.into());
            }
            self.input.read(buf)
        }
    }

    impl Write for Duplex {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.output.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn exchange(input: &[u8]) -> (io::Result<u64>, String) {
        let mut duplex = Duplex {
            input: io::Cursor::new(input.to_vec()),
            output: Vec::new(),
            timeouts: 3,
        };
        let stop = AtomicBool::new(false);
        let idle = Duration::from_secs(60);
        let result = serve(&mut duplex, &stop, idle, |map, key| match (map, key) {
            ("transport", "team@a.org") => Answer::Found("lmtp:[127.0.0.1]:8024".into()),
            ("domains", "a.org") => Answer::Found("OK".into()),
            _ => Answer::NotFound,
        });
        (result, String::from_utf8(duplex.output).unwrap())
    }

    #[test]
    fn requests_are_answered_in_netstrings() {
        let (result, out) =
            exchange(b"20:transport team@a.org,13:domains a.org,17:transport x@b.org,");
        assert_eq!(result.unwrap(), 3);
        assert_eq!(out, "24:OK lmtp:[127.0.0.1]:8024,5:OK OK,9:NOTFOUND ,");
        assert_eq!(Answer::Temp("db".into()).encode(), b"7:TEMP db,");
    }

    #[test]
    fn an_idle_client_is_let_go_at_a_stop_or_its_idle_limit() {
        let stop = AtomicBool::new(false);
        let mut idle = Duplex {
            input: io::Cursor::new(b"13:domains a.org,".to_vec()),
            output: Vec::new(),
            timeouts: u32::MAX,
        };
        let answered = serve(&mut idle, &stop, Duration::ZERO, |_, _| Answer::NotFound);
        assert_eq!(answered.unwrap(), 0);
        stop.store(true, Ordering::SeqCst);
        let mut busy = Duplex {
            input: io::Cursor::new(b"13:domains a.org,".to_vec()),
            output: Vec::new(),
            timeouts: 0,
        };
        let answered = serve(&mut busy, &stop, Duration::from_secs(60), |_, _| {
            Answer::NotFound
        });
        assert_eq!(
            answered.unwrap(),
            0,
            "a stopping server takes no new request"
        );
    }

    #[test]
    fn broken_netstrings_end_the_connection_without_an_answer() {
        for input in [
            &b"5:abc"[..],
            b"x:abc,",
            b"3:abcd",
            b"9999999:a,",
            b"20001:",
            b":abc,",
        ] {
            let (result, out) = exchange(input);
            assert!(result.is_err(), "{input:?}");
            assert_eq!(out, "", "{input:?}");
        }
        let (result, out) = exchange(b"5:hello,");
        assert_eq!(result.unwrap(), 1);
        assert!(
            out.starts_with("7:PERM exp") || out.contains("PERM"),
            "{out}"
        );
    }
}
