//! One LMTP session (RFC 2033 over the RFC 5321 subset a local MTA uses): greeting, commands, DATA with dot-unstuffing, one reply per accepted recipient; bounded in line length, recipients, size, commands, errors and time; never panics on peer data, and a panicking [`Mailbox`] costs only its own message.
//!
//! Replies are held while more commands are already buffered and written before the session
//! waits for input (RFC 2920 pipelining), and whenever a good amount is held.

use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use super::command::{self, Command};
use super::{Envelope, Mailbox, Reply};

/// Bounds on one session.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The name in the greeting and the `LHLO` reply.
    pub hostname: String,
    /// Longest command line, its line ending included; longer ones get `500 5.5.2` (data
    /// lines have no such limit: they go straight into the message, up to its size limit).
    pub max_line: usize,
    /// Recipients accepted in one transaction; more get `452 4.5.3`.
    pub max_recipients: usize,
    /// Commands in one session; past it, `421 4.7.0` and the connection closes.
    pub max_commands: u64,
    /// Refused commands (`500`, `501`, `503`) in one session; past it, `421 4.7.0` and close.
    pub max_errors: u32,
    /// Longest wait for the client's next bytes; past it, `421 4.4.2` and close.
    pub idle_timeout: Duration,
    /// Longest session; past it, `421 4.4.2` and close (a message in transfer is dropped).
    pub session_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            hostname: "localhost".into(),
            max_line: 4096,
            max_recipients: 1000,
            max_commands: 100_000,
            max_errors: 20,
            idle_timeout: Duration::from_secs(300),
            session_timeout: Duration::from_secs(3600),
        }
    }
}

/// How long a read may wait, and whether a stop may interrupt it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait {
    /// Longest wait for bytes.
    pub timeout: Duration,
    /// True between transactions: a stopping server may end the session here. Within a
    /// transaction it may not: the message in hand is finished first.
    pub stoppable: bool,
}

/// Why a read returned no bytes.
#[derive(Debug)]
pub enum ReadError {
    /// Nothing arrived within the wait.
    TimedOut,
    /// The server is stopping (only for a stoppable wait).
    Stopping,
    /// The connection failed.
    Io(io::Error),
}

/// The session's connection.
pub trait Conn {
    /// Reads some bytes into `buf`; `Ok(0)` is the end of the stream.
    fn read(&mut self, buf: &mut [u8], wait: Wait) -> Result<usize, ReadError>;
    /// Writes all of `bytes`.
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Returns true if and only if the server is stopping: no new transaction begins.
    fn stopping(&self) -> bool {
        false
    }
}

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The client said `QUIT`.
    Quit,
    /// The client closed the connection (or it broke).
    Closed,
    /// The client was silent for longer than the idle timeout.
    IdleTimeout,
    /// The session lasted longer than the session timeout.
    SessionTimeout,
    /// The server is stopping.
    Stopping,
    /// Too many commands or refused commands.
    TooMany,
}

/// What a session did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// How it ended.
    pub ending: Ending,
    /// Messages received whole (to the final dot).
    pub messages: u64,
    /// `250` replies given after DATA (one per recipient).
    pub accepted: u64,
}

/// Bytes read from the connection at a time.
const READ_CHUNK: usize = 64 * 1024;
/// Replies held before they are written even though more commands are buffered.
const FLUSH_AT: usize = 16 * 1024;
/// Longest reply text written (longer ones are cut at a character boundary).
const MAX_REPLY_TEXT: usize = 400;

/// Runs one session on `conn` until it ends; every message goes to `mailbox`.
pub fn serve(conn: &mut dyn Conn, mailbox: &dyn Mailbox, limits: &Limits) -> Summary {
    let mut session = Session {
        conn,
        mailbox,
        limits,
        buf: vec![0; READ_CHUNK].into_boxed_slice(),
        start: 0,
        end: 0,
        out: Vec::with_capacity(1024),
        began: Instant::now(),
        commands: 0,
        errors: 0,
        greeted: false,
        tx: None,
        messages: 0,
        accepted: 0,
    };
    let ending = session.run();
    Summary {
        ending,
        messages: session.messages,
        accepted: session.accepted,
    }
}

/// A mail transaction under way: after `MAIL`, before the end of `DATA`.
struct Transaction {
    from: String,
    smtputf8: bool,
    recipients: Vec<String>,
}

struct Session<'a> {
    conn: &'a mut dyn Conn,
    mailbox: &'a dyn Mailbox,
    limits: &'a Limits,
    /// Bytes read and not yet consumed: `buf[start..end]`.
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    /// Replies not yet written.
    out: Vec<u8>,
    began: Instant,
    commands: u64,
    errors: u32,
    greeted: bool,
    tx: Option<Transaction>,
    messages: u64,
    accepted: u64,
}

/// A command line as read.
enum Line {
    /// The line, its line ending removed.
    Whole(Vec<u8>),
    /// Longer than the limit; read away to its end.
    TooLong,
}

/// Where the DATA scanner is within a line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DataState {
    /// At the start of a line.
    LineStart,
    /// After a dot at the start of a line.
    Dot,
    /// After a dot and a CR at the start of a line.
    DotCr,
    /// Within a line.
    Middle,
}

impl Session<'_> {
    fn run(&mut self) -> Ending {
        let greeting = format!(
            "220 {} LMTP server ready\r\n",
            clean_text(&self.limits.hostname)
        );
        self.out.extend_from_slice(greeting.as_bytes());
        let ending = self.commands_loop();
        let farewell = match ending {
            Ending::IdleTimeout => {
                Some(Reply::new(421, "4.4.2", "Idle timeout, closing connection"))
            }
            Ending::SessionTimeout => Some(Reply::new(
                421,
                "4.4.2",
                "Session too long, closing connection",
            )),
            Ending::Stopping => Some(Reply::new(
                421,
                "4.3.2",
                "Service shutting down, closing connection",
            )),
            Ending::TooMany => Some(Reply::new(
                421,
                "4.7.0",
                "Too many commands or errors, closing connection",
            )),
            Ending::Quit => Some(Reply::new(221, "2.0.0", "Bye")),
            Ending::Closed => None,
        };
        if let Some(reply) = farewell {
            if reply.code == 421 {
                let host = clean_text(&self.limits.hostname);
                let line = format!("421 {} {} {}\r\n", reply.status, host, reply.text);
                self.out.extend_from_slice(line.as_bytes());
            } else {
                self.reply(&reply);
            }
        }
        let _ = self.flush();
        ending
    }

    fn commands_loop(&mut self) -> Ending {
        loop {
            let line = match self.read_line() {
                Ok(line) => line,
                Err(ending) => return ending,
            };
            self.commands += 1;
            if self.commands > self.limits.max_commands {
                return Ending::TooMany;
            }
            // A stopping server finishes the transaction in hand but begins no other.
            if self.tx.is_none() && self.conn.stopping() {
                return Ending::Stopping;
            }
            let parsed = match line {
                Line::Whole(line) => command::parse(&line),
                Line::TooLong => Err(Reply::new(500, "5.5.2", "Line too long")),
            };
            let reply = match parsed {
                Ok(Command::Quit) => return Ending::Quit,
                Ok(Command::Data) => match self.data() {
                    Ok(None) => continue,
                    Ok(Some(reply)) => reply,
                    Err(ending) => return ending,
                },
                Ok(command) => self.command(command),
                Err(reply) => reply,
            };
            if matches!(reply.code, 500 | 501 | 503) {
                self.errors += 1;
                if self.errors > self.limits.max_errors {
                    self.reply(&reply);
                    return Ending::TooMany;
                }
            }
            self.reply(&reply);
            if self.out.len() >= FLUSH_AT && self.flush().is_err() {
                return Ending::Closed;
            }
        }
    }

    /// Answers every command but `DATA` and `QUIT`.
    fn command(&mut self, command: Command) -> Reply {
        match command {
            Command::Lhlo(_) => {
                self.greeted = true;
                self.tx = None;
                let host = clean_text(&self.limits.hostname);
                let size = self.mailbox_max_size();
                let text = format!(
                    "250-{host}\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-SIZE {size}\r\n250 SMTPUTF8\r\n"
                );
                self.out.extend_from_slice(text.as_bytes());
                // Written already: an empty-text marker the caller skips.
                Reply::new(0, "", "")
            }
            Command::Mail(mail) => {
                if !self.greeted {
                    return Reply::new(503, "5.5.1", "Send LHLO first");
                }
                if self.tx.is_some() {
                    return Reply::new(503, "5.5.1", "Nested MAIL command");
                }
                let max = self.mailbox_max_size();
                if mail.size.is_some_and(|size| size > max) {
                    return Reply::new(
                        552,
                        "5.3.4",
                        format!("Message too big: the limit is {max} bytes"),
                    );
                }
                self.tx = Some(Transaction {
                    from: mail.from,
                    smtputf8: mail.smtputf8,
                    recipients: Vec::new(),
                });
                Reply::new(250, "2.1.0", "Sender OK")
            }
            Command::Rcpt(to) => {
                let max = self.limits.max_recipients;
                let Some(tx) = &self.tx else {
                    return Reply::new(503, "5.5.1", "Need MAIL before RCPT");
                };
                if !tx.smtputf8 && !to.is_ascii() {
                    return Reply::new(553, "5.6.7", "Non-ASCII address without SMTPUTF8");
                }
                if tx.recipients.len() >= max {
                    return Reply::new(
                        452,
                        "4.5.3",
                        format!("Too many recipients: at most {max} per message"),
                    );
                }
                let mailbox = self.mailbox;
                let reply = match catch_unwind(AssertUnwindSafe(|| mailbox.recipient(&to))) {
                    Ok(reply) => checked(reply),
                    Err(_) => {
                        log::error!("lmtp: the mailbox panicked on recipient {to:?}");
                        Reply::new(451, "4.3.0", "Temporary failure, try again later")
                    }
                };
                if reply.is_success() {
                    if let Some(tx) = &mut self.tx {
                        tx.recipients.push(to);
                    }
                }
                reply
            }
            Command::Rset => {
                self.tx = None;
                Reply::new(250, "2.0.0", "OK")
            }
            Command::Noop => Reply::new(250, "2.0.0", "OK"),
            Command::Vrfy => Reply::new(252, "2.5.2", "Cannot VRFY; send the message and see"),
            Command::Help => Reply::new(
                214,
                "2.0.0",
                "Commands: LHLO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP",
            ),
            Command::SmtpGreeting => Reply::new(500, "5.5.1", "This is LMTP: send LHLO"),
            Command::NotImplemented => Reply::new(502, "5.5.1", "Command not implemented"),
            Command::Data | Command::Quit => Reply::new(503, "5.5.1", "Bad sequence of commands"),
        }
    }

    fn mailbox_max_size(&self) -> u64 {
        let mailbox = self.mailbox;
        catch_unwind(AssertUnwindSafe(|| mailbox.max_size())).unwrap_or(0)
    }

    /// `DATA`: reads the message and gives one reply per accepted recipient (written here),
    /// or returns the one reply that refuses the command.
    fn data(&mut self) -> Result<Option<Reply>, Ending> {
        let Some(tx) = &self.tx else {
            return Ok(Some(Reply::new(
                503,
                "5.5.1",
                "Need MAIL and RCPT before DATA",
            )));
        };
        if tx.recipients.is_empty() {
            return Ok(Some(Reply::new(503, "5.5.1", "No valid recipients")));
        }
        self.reply(&Reply::new(
            354,
            "",
            "Start mail input; end with <CRLF>.<CRLF>",
        ));
        let max = self.mailbox_max_size();
        let (message, too_big) = self.read_message(max)?;
        let Some(tx) = self.tx.take() else {
            return Ok(Some(Reply::new(503, "5.5.1", "Bad sequence of commands")));
        };
        self.messages += 1;
        let envelope = Envelope {
            from: tx.from,
            recipients: tx.recipients,
        };
        let count = envelope.recipients.len();
        let replies = if too_big {
            vec![
                Reply::new(
                    552,
                    "5.3.4",
                    format!("Message too big: the limit is {max} bytes")
                );
                count
            ]
        } else {
            let mailbox = self.mailbox;
            match catch_unwind(AssertUnwindSafe(|| mailbox.deliver(&envelope, &message))) {
                Ok(mut replies) => {
                    if replies.len() != count {
                        log::error!(
                            "lmtp: the mailbox gave {} replies for {count} recipients",
                            replies.len()
                        );
                        replies.truncate(count);
                        replies.resize(
                            count,
                            Reply::new(451, "4.3.0", "Temporary failure, try again later"),
                        );
                    }
                    replies.into_iter().map(checked).collect()
                }
                Err(_) => {
                    log::error!(
                        "lmtp: the mailbox panicked on a message from {:?}",
                        envelope.from
                    );
                    vec![Reply::new(451, "4.3.0", "Temporary failure, try again later"); count]
                }
            }
        };
        drop(message);
        for reply in &replies {
            if reply.is_success() {
                self.accepted += 1;
            }
            self.reply(reply);
        }
        Ok(None)
    }

    /// Reads the message up to the final dot, unstuffing dots; keeps at most `max` bytes and
    /// says whether there were more (then the message is read away, not kept).
    fn read_message(&mut self, max: u64) -> Result<(Vec<u8>, bool), Ending> {
        let mut message = Vec::new();
        let mut too_big = false;
        let mut state = DataState::LineStart;
        let keep = |message: &mut Vec<u8>, bytes: &[u8], too_big: &mut bool| {
            if *too_big {
                return;
            }
            if (message.len() + bytes.len()) as u64 > max {
                *too_big = true;
                *message = Vec::new();
            } else {
                message.extend_from_slice(bytes);
            }
        };
        loop {
            if self.start == self.end {
                self.fill(false)?;
            }
            let chunk = &self.buf[self.start..self.end];
            let mut i = 0;
            while i < chunk.len() {
                match state {
                    DataState::Middle => {
                        let rest = &chunk[i..];
                        match rest.iter().position(|&b| b == b'\n') {
                            Some(at) => {
                                keep(&mut message, &rest[..=at], &mut too_big);
                                i += at + 1;
                                state = DataState::LineStart;
                            }
                            None => {
                                keep(&mut message, rest, &mut too_big);
                                i = chunk.len();
                            }
                        }
                    }
                    DataState::LineStart => {
                        if chunk[i] == b'.' {
                            state = DataState::Dot;
                            i += 1;
                        } else {
                            state = DataState::Middle;
                        }
                    }
                    DataState::Dot => match chunk[i] {
                        b'\n' => {
                            self.start += i + 1;
                            return Ok((message, too_big));
                        }
                        b'\r' => {
                            state = DataState::DotCr;
                            i += 1;
                        }
                        // A stuffed dot: dropped, the rest of the line kept.
                        _ => state = DataState::Middle,
                    },
                    DataState::DotCr => {
                        if chunk[i] == b'\n' {
                            self.start += i + 1;
                            return Ok((message, too_big));
                        }
                        // `.` CR and something else: the dot was stuffing, the CR is data.
                        keep(&mut message, b"\r", &mut too_big);
                        state = DataState::Middle;
                    }
                }
            }
            self.start = self.end;
        }
    }

    /// Reads one command line, within the line limit.
    fn read_line(&mut self) -> Result<Line, Ending> {
        let mut line = Vec::new();
        let mut too_long = false;
        loop {
            let chunk = &self.buf[self.start..self.end];
            let (part, found) = match chunk.iter().position(|&b| b == b'\n') {
                Some(at) => (&chunk[..at], true),
                None => (chunk, false),
            };
            if !too_long {
                if line.len() + part.len() >= self.limits.max_line {
                    too_long = true;
                    line = Vec::new();
                } else {
                    line.extend_from_slice(part);
                }
            }
            if found {
                self.start += part.len() + 1;
                if too_long {
                    return Ok(Line::TooLong);
                }
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Line::Whole(line));
            }
            self.start = self.end;
            // Between transactions, and not within a line, a stopping server may end here.
            let stoppable = self.tx.is_none() && line.is_empty() && !too_long;
            self.fill(stoppable)?;
        }
    }

    /// Writes the held replies, then reads more bytes into the (empty) buffer.
    fn fill(&mut self, stoppable: bool) -> Result<(), Ending> {
        if self.flush().is_err() {
            return Err(Ending::Closed);
        }
        let elapsed = self.began.elapsed();
        if elapsed >= self.limits.session_timeout {
            return Err(Ending::SessionTimeout);
        }
        let left = self.limits.session_timeout - elapsed;
        let wait = Wait {
            timeout: self.limits.idle_timeout.min(left),
            stoppable,
        };
        self.start = 0;
        self.end = 0;
        match self.conn.read(&mut self.buf, wait) {
            Ok(0) => Err(Ending::Closed),
            Ok(n) => {
                self.end = n.min(self.buf.len());
                Ok(())
            }
            Err(ReadError::TimedOut) if wait.timeout < self.limits.idle_timeout => {
                Err(Ending::SessionTimeout)
            }
            Err(ReadError::TimedOut) => Err(Ending::IdleTimeout),
            Err(ReadError::Stopping) => Err(Ending::Stopping),
            Err(ReadError::Io(_)) => Err(Ending::Closed),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.out.is_empty() {
            return Ok(());
        }
        let result = self.conn.write_all(&self.out);
        self.out.clear();
        result
    }

    /// Holds one reply; code 0 means it was written already.
    fn reply(&mut self, reply: &Reply) {
        if reply.code == 0 {
            return;
        }
        let text = clean_text(&reply.text);
        let line = if reply.status.is_empty() {
            format!("{} {}\r\n", reply.code, text)
        } else {
            format!("{} {} {}\r\n", reply.code, clean_text(reply.status), text)
        };
        self.out.extend_from_slice(line.as_bytes());
    }
}

/// A mailbox's reply as it may go on the wire: a code in 200-599, else a temporary failure.
fn checked(reply: Reply) -> Reply {
    if (200..600).contains(&reply.code) {
        reply
    } else {
        log::error!("lmtp: the mailbox answered with code {}", reply.code);
        Reply::new(451, "4.3.0", "Temporary failure, try again later")
    }
}

/// `text` on one line: control characters become spaces, cut to [`MAX_REPLY_TEXT`] bytes.
fn clean_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_REPLY_TEXT));
    for c in text.chars() {
        if out.len() + c.len_utf8() > MAX_REPLY_TEXT {
            break;
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    out
}

/// A [`Conn`] over bytes in memory, for tests and the fuzz target: reads `input` in pieces of
/// `chunk` bytes (the whole rest when 0), keeps what is written; the end of `input` is the
/// client closing the connection.
pub struct BytesConn<'a> {
    /// What the client sends, not yet read.
    pub input: &'a [u8],
    /// Largest piece one read returns (0: all that is left).
    pub chunk: usize,
    /// What the server wrote.
    pub output: Vec<u8>,
}

impl<'a> BytesConn<'a> {
    /// A connection on which the client sends `input` and then closes.
    pub fn new(input: &'a [u8]) -> BytesConn<'a> {
        BytesConn {
            input,
            chunk: 0,
            output: Vec::new(),
        }
    }
}

impl Conn for BytesConn<'_> {
    fn read(&mut self, buf: &mut [u8], _wait: Wait) -> Result<usize, ReadError> {
        let mut n = self.input.len().min(buf.len());
        if self.chunk > 0 {
            n = n.min(self.chunk);
        }
        buf[..n].copy_from_slice(&self.input[..n]);
        self.input = &self.input[n..];
        Ok(n)
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.output.extend_from_slice(bytes);
        Ok(())
    }
}
