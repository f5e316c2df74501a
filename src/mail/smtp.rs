//! A small SMTP client for list distribution: one session to the local MTA, several
//! transactions on it, and every recipient's own reply (lettre's multi-recipient send stops
//! at the first refused RCPT, and offers no PIPELINING).
//!
//! Plain SMTP over `std::net` with a timeout on every read and write: the peer is the local
//! MTA (`smtp_host`:`smtp_port`), which does TLS to the world. `EHLO` (then `HELO` if
//! refused), `PIPELINING` when offered (MAIL, every RCPT and DATA written at once, RFC
//! 2920), `SIZE=` and `BODY=8BITMIME` on MAIL FROM when offered, dot-stuffing, `RSET`
//! between transactions after a failed one, `QUIT`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// One SMTP reply: the code and its text (the lines joined by a space).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The three-digit code.
    pub code: u16,
    /// The text after the code, lines joined with a space.
    pub text: String,
}

impl Reply {
    /// 2xx.
    pub fn is_positive(&self) -> bool {
        (200..300).contains(&self.code)
    }

    /// 4xx: try again later.
    pub fn is_transient(&self) -> bool {
        (400..500).contains(&self.code)
    }

    /// `"550 5.1.1 no such user"`.
    pub fn line(&self) -> String {
        format!("{} {}", self.code, self.text)
    }
}

/// Why a session broke: the connection, a timeout, or a reply that is not SMTP.
#[derive(Debug, thiserror::Error)]
#[error("SMTP to {peer}: {message}")]
pub struct SessionError {
    /// `host:port`.
    pub peer: String,
    /// What went wrong.
    pub message: String,
}

/// What became of one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The reply to MAIL FROM.
    pub mail: Reply,
    /// One reply per recipient, in order (each recipient's own RCPT reply; when the MAIL
    /// FROM was refused, that reply for all).
    pub rcpts: Vec<Reply>,
    /// The final reply after the data, when some recipient was accepted.
    pub data: Option<Reply>,
}

impl Outcome {
    /// The reply that decides recipient `i`'s fate: its RCPT reply if it was refused, else
    /// the reply after DATA (or the DATA command's refusal).
    pub fn for_rcpt(&self, i: usize) -> &Reply {
        let rcpt = &self.rcpts[i];
        if !rcpt.is_positive() {
            return rcpt;
        }
        self.data.as_ref().unwrap_or(rcpt)
    }
}

/// The extensions the server offered in its EHLO reply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Extensions {
    /// RFC 2920.
    pub pipelining: bool,
    /// RFC 6152.
    pub eight_bit: bool,
    /// RFC 1870: `Some(limit)` (0 = no stated limit).
    pub size: Option<u64>,
}

/// One SMTP session.
pub struct Session {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    peer: String,
    /// What the server offered.
    pub extensions: Extensions,
    /// Whether the last transaction left the server in a state that needs `RSET`.
    dirty: bool,
}

impl Session {
    /// Connects to `host:port`, reads the greeting and says `EHLO helo` (or `HELO`); every
    /// read and write may take `timeout`.
    pub fn connect(
        host: &str,
        port: u16,
        helo: &str,
        timeout: Duration,
    ) -> Result<Session, SessionError> {
        let peer = format!("{host}:{port}");
        let fail = |message: String| SessionError {
            peer: peer.clone(),
            message,
        };
        let addrs: Vec<_> = (host, port)
            .to_socket_addrs()
            .map_err(|e| fail(format!("resolving: {e}")))?
            .collect();
        let mut last = None;
        let mut stream = None;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, timeout) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last = Some(e),
            }
        }
        let stream = stream.ok_or_else(|| {
            fail(match last {
                Some(e) => format!("connecting: {e}"),
                None => "no address".into(),
            })
        })?;
        stream
            .set_read_timeout(Some(timeout))
            .and_then(|()| stream.set_write_timeout(Some(timeout)))
            .and_then(|()| stream.set_nodelay(true))
            .map_err(|e| fail(e.to_string()))?;
        let writer = stream.try_clone().map_err(|e| fail(e.to_string()))?;
        let mut session = Session {
            reader: BufReader::new(stream),
            writer,
            peer: peer.clone(),
            extensions: Extensions::default(),
            dirty: false,
        };
        let greeting = session.read_reply()?;
        if greeting.code != 220 {
            return Err(fail(format!("greeting: {}", greeting.line())));
        }
        session.write(format!("EHLO {helo}\r\n").as_bytes())?;
        let (ehlo, lines) = session.read_reply_lines()?;
        if ehlo.code == 250 {
            for line in lines.iter().skip(1) {
                let upper = line.to_ascii_uppercase();
                let mut words = upper.split_whitespace();
                match words.next() {
                    Some("PIPELINING") => session.extensions.pipelining = true,
                    Some("8BITMIME") => session.extensions.eight_bit = true,
                    Some("SIZE") => {
                        session.extensions.size =
                            Some(words.next().and_then(|n| n.parse().ok()).unwrap_or(0))
                    }
                    _ => {}
                }
            }
        } else {
            session.write(format!("HELO {helo}\r\n").as_bytes())?;
            let helo_reply = session.read_reply()?;
            if helo_reply.code != 250 {
                return Err(fail(format!("HELO: {}", helo_reply.line())));
            }
        }
        Ok(session)
    }

    fn fail(&self, message: impl Into<String>) -> SessionError {
        SessionError {
            peer: self.peer.clone(),
            message: message.into(),
        }
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), SessionError> {
        self.writer
            .write_all(bytes)
            .map_err(|e| self.fail(format!("writing: {e}")))
    }

    /// Reads one reply; its lines' texts are returned too (EHLO's extensions).
    fn read_reply_lines(&mut self) -> Result<(Reply, Vec<String>), SessionError> {
        let mut lines = Vec::new();
        let mut code = 0;
        loop {
            let mut line = Vec::new();
            let n = (&mut self.reader)
                .take(4096)
                .read_until(b'\n', &mut line)
                .map_err(|e| self.fail(format!("reading: {e}")))?;
            if n == 0 {
                return Err(self.fail("the server closed the connection"));
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches(['\r', '\n']);
            let bytes = text.as_bytes();
            if bytes.len() < 3 || !bytes[..3].iter().all(u8::is_ascii_digit) {
                return Err(self.fail(format!("not an SMTP reply: {text:?}")));
            }
            let this: u16 = text[..3].parse().unwrap_or(0);
            if code != 0 && this != code {
                return Err(self.fail(format!("a reply changed code midway: {text:?}")));
            }
            code = this;
            let more = bytes.get(3) == Some(&b'-');
            lines.push(text.get(4..).unwrap_or("").to_string());
            if !more {
                break;
            }
            if lines.len() > 100 {
                return Err(self.fail("a reply of more than 100 lines"));
            }
        }
        let reply = Reply {
            code,
            text: lines.join(" "),
        };
        Ok((reply, lines))
    }

    fn read_reply(&mut self) -> Result<Reply, SessionError> {
        self.read_reply_lines().map(|(reply, _)| reply)
    }

    /// One transaction: MAIL FROM `from`, RCPT TO each of `rcpts`, and when any was
    /// accepted, DATA with `message` (CRLF line ends; dot-stuffed here). `eight_bit` says
    /// the message has 8-bit bytes (`BODY=8BITMIME` when offered).
    ///
    /// A refused recipient does not stop the others. An error means the session is broken:
    /// what the recipients' fate is then is unknown (the caller treats them as not sent).
    pub fn send(
        &mut self,
        from: &str,
        rcpts: &[&str],
        message: &[u8],
        eight_bit: bool,
    ) -> Result<Outcome, SessionError> {
        if self.dirty {
            self.write(b"RSET\r\n")?;
            let reply = self.read_reply()?;
            if !reply.is_positive() {
                return Err(self.fail(format!("RSET: {}", reply.line())));
            }
            self.dirty = false;
        }
        for address in std::iter::once(&from).chain(rcpts) {
            if address
                .bytes()
                .any(|b| b.is_ascii_control() || b == b'<' || b == b'>')
            {
                return Err(self.fail(format!(
                    "an address with control characters or brackets: {address:?}"
                )));
            }
        }
        let stuffed = dot_stuff(message);
        let message = stuffed.as_slice();
        let mut mail = format!("MAIL FROM:<{from}>");
        if self.extensions.size.is_some() {
            // The size as sent: CRLF line ends, without the final dot line.
            mail.push_str(&format!(" SIZE={}", stuffed.len() - 3));
        }
        if eight_bit && self.extensions.eight_bit {
            mail.push_str(" BODY=8BITMIME");
        }
        mail.push_str("\r\n");
        self.dirty = true;
        let outcome = if self.extensions.pipelining {
            let mut batch = mail.into_bytes();
            for rcpt in rcpts {
                batch.extend_from_slice(format!("RCPT TO:<{rcpt}>\r\n").as_bytes());
            }
            batch.extend_from_slice(b"DATA\r\n");
            self.write(&batch)?;
            let mail = self.read_reply()?;
            let mut replies = Vec::with_capacity(rcpts.len());
            for _ in rcpts {
                replies.push(self.read_reply()?);
            }
            let data_go = self.read_reply()?;
            self.finish(mail, replies, data_go, message)?
        } else {
            self.write(mail.as_bytes())?;
            let mail = self.read_reply()?;
            if !mail.is_positive() {
                let rcpts = vec![mail.clone(); rcpts.len()];
                return Ok(Outcome {
                    mail,
                    rcpts,
                    data: None,
                });
            }
            let mut replies = Vec::with_capacity(rcpts.len());
            for rcpt in rcpts {
                self.write(format!("RCPT TO:<{rcpt}>\r\n").as_bytes())?;
                replies.push(self.read_reply()?);
            }
            if !replies.iter().any(Reply::is_positive) {
                return Ok(Outcome {
                    mail,
                    rcpts: replies,
                    data: None,
                });
            }
            self.write(b"DATA\r\n")?;
            let data_go = self.read_reply()?;
            self.finish(mail, replies, data_go, message)?
        };
        Ok(outcome)
    }

    /// After the DATA command's reply: the message and its final reply, or the refusals.
    fn finish(
        &mut self,
        mail: Reply,
        mut rcpts: Vec<Reply>,
        data_go: Reply,
        message: &[u8],
    ) -> Result<Outcome, SessionError> {
        if !mail.is_positive() {
            // Pipelined: the RCPTs were refused for want of a sender; their own replies
            // (503) would say nothing useful, the MAIL reply does.
            rcpts.iter_mut().for_each(|r| *r = mail.clone());
            return Ok(Outcome {
                mail,
                rcpts,
                data: None,
            });
        }
        if data_go.code != 354 {
            if rcpts.iter().any(Reply::is_positive) {
                // Some recipients were accepted but DATA was refused: that reply is theirs.
                return Ok(Outcome {
                    mail,
                    rcpts,
                    data: Some(data_go),
                });
            }
            return Ok(Outcome {
                mail,
                rcpts,
                data: None,
            });
        }
        if !rcpts.iter().any(Reply::is_positive) {
            // A server that says 354 with no recipient (against RFC 2920): end the data at
            // once, nothing is delivered.
            self.write(b".\r\n")?;
            let _ = self.read_reply()?;
            return Ok(Outcome {
                mail,
                rcpts,
                data: None,
            });
        }
        // `message` is dot-stuffed already (by `send`).
        self.write(message)?;
        let done = self.read_reply()?;
        self.dirty = false;
        Ok(Outcome {
            mail,
            rcpts,
            data: Some(done),
        })
    }

    /// Says QUIT and closes (errors ignored: the transactions are over).
    pub fn quit(mut self) {
        if self.write(b"QUIT\r\n").is_ok() {
            let _ = self.read_reply();
        }
    }
}

/// The message as DATA sends it: lines starting with `.` doubled, ending with CRLF `.` CRLF;
/// a bare LF becomes CRLF.
pub fn dot_stuff(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + message.len() / 64 + 5);
    let mut at_line_start = true;
    let mut previous = 0u8;
    for &byte in message {
        if byte == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        if at_line_start && byte == b'.' {
            out.push(b'.');
        }
        out.push(byte);
        at_line_start = byte == b'\n';
        previous = byte;
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn dot_stuffing_doubles_leading_dots_and_ends_the_data() {
        assert_eq!(dot_stuff(b"a\r\n.b\r\n"), b"a\r\n..b\r\n.\r\n");
        assert_eq!(dot_stuff(b".\nx"), b"..\r\nx\r\n.\r\n");
        assert_eq!(dot_stuff(b""), b"\r\n.\r\n");
        assert_eq!(dot_stuff(b"x.y\r\n"), b"x.y\r\n.\r\n");
    }

    /// A scripted server: answers each line it reads from `script` (command prefix → reply),
    /// records what it read.
    fn server(pipelining: bool, refuse: &'static str) -> (u16, std::thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut out = stream;
            let mut seen = String::new();
            out.write_all(b"220 test ESMTP\r\n").unwrap();
            let mut in_data = false;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                seen.push_str(&line);
                if in_data {
                    if line == ".\r\n" {
                        in_data = false;
                        out.write_all(b"250 2.0.0 queued\r\n").unwrap();
                    }
                    continue;
                }
                let reply: &[u8] = if line.starts_with("EHLO") {
                    if pipelining {
                        b"250-test\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250 8BITMIME\r\n"
                    } else {
                        b"250 test\r\n"
                    }
                } else if line.starts_with("MAIL") || line.starts_with("RSET") {
                    b"250 ok\r\n"
                } else if line.starts_with("RCPT") {
                    if line.contains(refuse) {
                        b"550 5.1.1 no such user\r\n"
                    } else if line.contains("later") {
                        b"450 4.2.0 try later\r\n"
                    } else {
                        b"250 ok\r\n"
                    }
                } else if line.starts_with("DATA") {
                    in_data = true;
                    b"354 go on\r\n"
                } else if line.starts_with("QUIT") {
                    out.write_all(b"221 bye\r\n").unwrap();
                    break;
                } else {
                    b"500 what\r\n"
                };
                out.write_all(reply).unwrap();
            }
            seen
        });
        (port, handle)
    }

    #[test]
    fn each_recipient_gets_its_own_reply_with_and_without_pipelining() {
        for pipelining in [true, false] {
            let (port, server) = server(pipelining, "bad@");
            let mut session = Session::connect(
                "127.0.0.1",
                port,
                "lists.example.org",
                Duration::from_secs(10),
            )
            .unwrap();
            assert_eq!(session.extensions.pipelining, pipelining);
            let outcome = session
                .send(
                    "team-owner+1-x@lists.example.org",
                    &["a@x.org", "bad@y.org", "later@z.org", "b@x.org"],
                    b"Subject: hi\n\n.dot\n",
                    true,
                )
                .unwrap();
            let codes: Vec<u16> = (0..4).map(|i| outcome.for_rcpt(i).code).collect();
            assert_eq!(codes, [250, 550, 450, 250], "pipelining {pipelining}");
            assert_eq!(outcome.for_rcpt(1).text, "5.1.1 no such user");
            // A second transaction on the same session; nothing accepted: no data sent.
            let outcome = session
                .send("x@lists.example.org", &["bad@y.org"], b"x\r\n", false)
                .unwrap();
            assert_eq!(outcome.data, None);
            session.quit();
            let seen = server.join().unwrap();
            assert!(seen.contains("\r\n..dot\r\n.\r\n"), "{seen}");
            if pipelining {
                assert!(
                    seen.contains(
                        "MAIL FROM:<team-owner+1-x@lists.example.org> SIZE=22 BODY=8BITMIME\r\n"
                    ),
                    "{seen}"
                );
            } else {
                assert!(
                    seen.contains("MAIL FROM:<team-owner+1-x@lists.example.org>\r\n"),
                    "{seen}"
                );
            }
            assert_eq!(
                seen.matches("DATA\r\n").count(),
                1 + usize::from(pipelining),
                "{seen}"
            );
        }
    }

    #[test]
    fn a_dead_server_is_an_error_not_an_outcome() {
        let closed = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        assert!(Session::connect("127.0.0.1", port, "h", Duration::from_secs(2)).is_err());
    }
}
