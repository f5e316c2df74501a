//! A small synchronous LMTP client: one message to a server on a unix or TCP socket, with one answer per recipient (`wwsympa deliver --lmtp`, the intake benchmark).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::time::Duration;

use crate::runtime::BindSpec;

/// A server's reply: its code and the rest of its last line (enhanced status code and text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The three-digit code.
    pub code: u16,
    /// What follows the code on the last line, e.g. `5.1.1 unknown list`.
    pub text: String,
}

impl Answer {
    /// The enhanced status code at the start of the text, if there is one (`5.1.1`).
    pub fn status(&self) -> Option<&str> {
        let word = self.text.split(' ').next()?;
        let parts: Vec<&str> = word.split('.').collect();
        (parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())))
        .then_some(word)
    }
}

impl std::fmt::Display for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.code, self.text)
    }
}

/// Longest reply line read.
const MAX_REPLY_LINE: usize = 4096;
/// Most lines in one reply.
const MAX_REPLY_LINES: usize = 100;

trait Stream: io::Read + io::Write + Send {}
impl<T: io::Read + io::Write + Send> Stream for T {}

/// An LMTP connection after the greeting and `LHLO`.
pub struct Client {
    reader: BufReader<Box<dyn Stream>>,
    writer: Box<dyn Stream>,
}

impl Client {
    /// Connects to `spec`, reads the greeting and says `LHLO name`; every read and write
    /// waits at most `timeout`.
    pub fn connect(spec: &BindSpec, name: &str, timeout: Duration) -> io::Result<Client> {
        let (reader, writer): (Box<dyn Stream>, Box<dyn Stream>) = match spec {
            BindSpec::Unix(path) => {
                let stream = UnixStream::connect(path)?;
                stream.set_read_timeout(Some(timeout))?;
                stream.set_write_timeout(Some(timeout))?;
                (Box::new(stream.try_clone()?), Box::new(stream))
            }
            BindSpec::Tcp(addr) => {
                let stream = TcpStream::connect(addr.as_str())?;
                stream.set_read_timeout(Some(timeout))?;
                stream.set_write_timeout(Some(timeout))?;
                stream.set_nodelay(true)?;
                (Box::new(stream.try_clone()?), Box::new(stream))
            }
        };
        let mut client = Client {
            reader: BufReader::new(reader),
            writer,
        };
        let greeting = client.answer()?;
        if greeting.code != 220 {
            return Err(unexpected("greeting", &greeting));
        }
        client
            .writer
            .write_all(format!("LHLO {name}\r\n").as_bytes())?;
        let lhlo = client.answer()?;
        if lhlo.code != 250 {
            return Err(unexpected("LHLO", &lhlo));
        }
        Ok(client)
    }

    /// Sends one message (its line endings made CR LF, its dots stuffed); returns one answer
    /// per recipient, in order: the `RCPT` refusal, or the answer after the message.
    ///
    /// A refusal of `MAIL` or of `DATA` is every recipient's answer.
    pub fn send(
        &mut self,
        from: &str,
        recipients: &[&str],
        message: &[u8],
    ) -> io::Result<Vec<Answer>> {
        let mut commands = format!("MAIL FROM:<{from}> SIZE={}\r\n", message.len());
        for rcpt in recipients {
            commands.push_str(&format!("RCPT TO:<{rcpt}>\r\n"));
        }
        commands.push_str("DATA\r\n");
        // The server announced PIPELINING: all at once, then the answers in order.
        self.writer.write_all(commands.as_bytes())?;
        let mail = self.answer()?;
        let mut answers: Vec<Option<Answer>> = Vec::with_capacity(recipients.len());
        for _ in recipients {
            let answer = self.answer()?;
            answers.push((answer.code / 100 != 2).then_some(answer));
        }
        let data = self.answer()?;
        if mail.code / 100 != 2 {
            return Ok(vec![mail; recipients.len()]);
        }
        if data.code != 354 {
            return Ok(answers
                .into_iter()
                .map(|a| a.unwrap_or_else(|| data.clone()))
                .collect());
        }
        self.writer.write_all(&wire_data(message))?;
        let mut out = Vec::with_capacity(recipients.len());
        for answer in answers {
            match answer {
                Some(refusal) => out.push(refusal),
                None => out.push(self.answer()?),
            }
        }
        Ok(out)
    }

    /// Says `QUIT` and reads the answer.
    pub fn quit(mut self) -> io::Result<()> {
        self.writer.write_all(b"QUIT\r\n")?;
        self.answer().map(drop)
    }

    /// Reads one reply, multi-line ones whole.
    fn answer(&mut self) -> io::Result<Answer> {
        for _ in 0..MAX_REPLY_LINES {
            let mut line = Vec::new();
            let n = (&mut self.reader)
                .take(MAX_REPLY_LINE as u64)
                .read_until(b'\n', &mut line)?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the LMTP server closed the connection",
                ));
            }
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\r', '\n']);
            let code = line
                .get(..3)
                .and_then(|c| c.parse::<u16>().ok())
                .filter(|c| (200..600).contains(c))
                .ok_or_else(|| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("not an LMTP reply: {line:?}"),
                    )
                })?;
            match line.as_bytes().get(3) {
                Some(b'-') => continue,
                None | Some(b' ') => {
                    return Ok(Answer {
                        code,
                        text: line.get(4..).unwrap_or("").to_string(),
                    })
                }
                Some(_) => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("not an LMTP reply: {line:?}"),
                    ))
                }
            }
        }
        Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "an LMTP reply of too many lines",
        ))
    }
}

fn unexpected(what: &str, answer: &Answer) -> io::Error {
    io::Error::other(format!("the LMTP server refused the {what}: {answer}"))
}

/// `message` as DATA on the wire: CR LF line endings, leading dots doubled, the final dot.
pub fn wire_data(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + message.len() / 32 + 5);
    let mut line_start = true;
    let mut previous = 0u8;
    for &b in message {
        if line_start && b == b'.' {
            out.push(b'.');
        }
        if b == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        line_start = b == b'\n';
        previous = b;
    }
    if !line_start {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_stuffed_and_terminated() {
        assert_eq!(wire_data(b"a\n.b\n..\n"), b"a\r\n..b\r\n...\r\n.\r\n");
        assert_eq!(wire_data(b"a\r\nb"), b"a\r\nb\r\n.\r\n");
        assert_eq!(wire_data(b""), b".\r\n");
        assert_eq!(wire_data(b".\r\n"), b"..\r\n.\r\n");
    }

    #[test]
    fn enhanced_status_codes() {
        let answer = |text: &str| Answer {
            code: 550,
            text: text.into(),
        };
        assert_eq!(answer("5.1.1 no such list").status(), Some("5.1.1"));
        assert_eq!(answer("no such list").status(), None);
        assert_eq!(answer("5.1 x").status(), None);
    }
}
