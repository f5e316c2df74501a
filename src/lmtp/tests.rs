//! Unit tests of the LMTP session over bytes in memory, with a mailbox that records what it was given.

use std::sync::Mutex;
use std::time::Duration;

use super::session::{self, BytesConn, Conn, Ending, Limits, ReadError, Wait};
use super::{Envelope, Mailbox, Reply};

/// A mailbox that knows `list@example.org` and `other@example.org`, panics for
/// `panic@example.org`, and keeps what it is given.
#[derive(Default)]
struct Recorder {
    delivered: Mutex<Vec<(Envelope, Vec<u8>)>>,
    max: u64,
}

impl Recorder {
    fn new(max: u64) -> Recorder {
        Recorder {
            delivered: Mutex::default(),
            max,
        }
    }

    fn messages(&self) -> Vec<(Envelope, Vec<u8>)> {
        self.delivered.lock().unwrap().clone()
    }
}

impl Mailbox for Recorder {
    fn recipient(&self, recipient: &str) -> Reply {
        match recipient {
            "list@example.org"
            | "other@example.org"
            | "panic@example.org"
            | "tempfail@example.org" => Reply::new(250, "2.1.5", "OK"),
            "boom@example.org" => panic!("recipient panics"),
            _ => Reply::new(550, "5.1.1", "No such list"),
        }
    }

    fn deliver(&self, envelope: &Envelope, message: &[u8]) -> Vec<Reply> {
        if envelope.recipients.iter().any(|r| r == "panic@example.org") {
            panic!("deliver panics");
        }
        self.delivered
            .lock()
            .unwrap()
            .push((envelope.clone(), message.to_vec()));
        envelope
            .recipients
            .iter()
            .map(|r| {
                if r == "tempfail@example.org" {
                    Reply::new(451, "4.3.0", "Database unavailable\r\n250 fake")
                } else {
                    Reply::new(250, "2.0.0", "Delivered")
                }
            })
            .collect()
    }

    fn max_size(&self) -> u64 {
        self.max
    }
}

fn run_with(
    input: &[u8],
    chunk: usize,
    mailbox: &Recorder,
    limits: &Limits,
) -> (String, session::Summary) {
    let mut conn = BytesConn::new(input);
    conn.chunk = chunk;
    let summary = session::serve(&mut conn, mailbox, limits);
    (String::from_utf8(conn.output).unwrap(), summary)
}

fn run(input: &[u8], mailbox: &Recorder) -> String {
    run_with(input, 0, mailbox, &Limits::default()).0
}

/// The reply lines, without the greeting and without LHLO's continuation lines.
fn codes(output: &str) -> Vec<String> {
    output
        .lines()
        .skip(1)
        .filter(|l| l.as_bytes().get(3) != Some(&b'-'))
        .map(|l| l.split(' ').take(2).collect::<Vec<_>>().join(" "))
        .collect()
}

const HEAD: &[u8] = b"LHLO mta.example.org\r\nMAIL FROM:<alice@example.net>\r\n";

#[test]
fn greeting_and_lhlo_advertise_the_extensions() {
    let mailbox = Recorder::new(5_000_000);
    let out = run(b"LHLO mta\r\nQUIT\r\n", &mailbox);
    let expected = "220 localhost LMTP server ready\r\n250-localhost\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-SIZE 5000000\r\n250 SMTPUTF8\r\n221 2.0.0 Bye\r\n";
    assert_eq!(out, expected);
}

#[test]
fn one_reply_per_accepted_recipient_after_the_dot() {
    let mailbox = Recorder::new(1 << 20);
    let input = [
        HEAD,
        b"RCPT TO:<list@example.org>\r\nRCPT TO:<nobody@example.org>\r\nRCPT TO:<tempfail@example.org>\r\nRCPT TO:<other@example.org>\r\nDATA\r\n",
        b"Subject: hi\r\n\r\nbody\r\n.\r\nQUIT\r\n",
    ]
    .concat();
    let out = run(&input, &mailbox);
    assert_eq!(
        codes(&out),
        [
            "250 SMTPUTF8",
            "250 2.1.0",
            "250 2.1.5",
            "550 5.1.1",
            "250 2.1.5",
            "250 2.1.5",
            "354 Start",
            "250 2.0.0",
            "451 4.3.0",
            "250 2.0.0",
            "221 2.0.0"
        ]
    );
    // The mailbox's CR LF inside a text does not make a reply of its own.
    assert!(out.contains("451 4.3.0 Database unavailable  250 fake\r\n"));
    let messages = mailbox.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].0.from, "alice@example.net");
    assert_eq!(
        messages[0].0.recipients,
        [
            "list@example.org",
            "tempfail@example.org",
            "other@example.org"
        ]
    );
    assert_eq!(messages[0].1, b"Subject: hi\r\n\r\nbody\r\n");
}

#[test]
fn dots_are_unstuffed_and_bare_lf_tolerated() {
    let mailbox = Recorder::new(1 << 20);
    let input = [
        HEAD,
        b"RCPT TO:<list@example.org>\r\nDATA\r\n",
        b"a\r\n..b\r\n.\rc\r\nbare\n..\n...x\r\n.\n",
        b"QUIT\r\n",
    ]
    .concat();
    // Byte by byte too: the scanner's states survive reads that split anywhere.
    for chunk in [0, 1, 2, 3] {
        let mailbox_local = Recorder::new(1 << 20);
        let (out, summary) = run_with(&input, chunk, &mailbox_local, &Limits::default());
        assert!(
            out.ends_with("250 2.0.0 Delivered\r\n221 2.0.0 Bye\r\n"),
            "{out}"
        );
        assert_eq!(summary.accepted, 1);
        assert_eq!(
            mailbox_local.messages()[0].1,
            b"a\r\n.b\r\n\rc\r\nbare\n.\n..x\r\n"
        );
    }
    let _ = mailbox;
}

#[test]
fn the_final_dot_needs_a_line_of_its_own() {
    let mailbox = Recorder::new(1 << 20);
    let input = [
        HEAD,
        b"RCPT TO:<list@example.org>\r\nDATA\r\nx.\r\n .\r\n.\r\n",
    ]
    .concat();
    let out = run(&input, &mailbox);
    assert!(out.ends_with("250 2.0.0 Delivered\r\n"));
    assert_eq!(mailbox.messages()[0].1, b"x.\r\n .\r\n");
}

#[test]
fn size_parameter_over_the_limit_is_552() {
    let mailbox = Recorder::new(1000);
    let out = run(
        b"LHLO m\r\nMAIL FROM:<a@b> SIZE=1001\r\nMAIL FROM:<a@b> SIZE=1000\r\n",
        &mailbox,
    );
    assert_eq!(codes(&out), ["250 SMTPUTF8", "552 5.3.4", "250 2.1.0"]);
}

#[test]
fn a_message_over_the_limit_is_read_to_its_end_then_552_per_recipient() {
    let mailbox = Recorder::new(1000);
    let big = "x".repeat(100).repeat(30) + "\r\n";
    let input = [
        HEAD,
        b"RCPT TO:<list@example.org>\r\nRCPT TO:<other@example.org>\r\nDATA\r\n",
        big.as_bytes(),
        b".\r\nNOOP\r\n",
    ]
    .concat();
    let out = run(&input, &mailbox);
    let codes = codes(&out);
    assert_eq!(
        &codes[codes.len() - 3..],
        ["552 5.3.4", "552 5.3.4", "250 2.0.0"]
    );
    assert!(mailbox.messages().is_empty());
    // Exactly at the limit is fine.
    let mailbox = Recorder::new(5);
    let out = run(
        &[HEAD, b"RCPT TO:<list@example.org>\r\nDATA\r\nabc\r\n.\r\n"].concat(),
        &mailbox,
    );
    assert!(out.ends_with("250 2.0.0 Delivered\r\n"), "{out}");
}

#[test]
fn sequence_errors_are_503() {
    let mailbox = Recorder::new(1000);
    let out = run(
        b"MAIL FROM:<a@b>\r\nLHLO m\r\nRCPT TO:<list@example.org>\r\nDATA\r\nMAIL FROM:<a@b>\r\nMAIL FROM:<a@b>\r\nDATA\r\nRCPT TO:<nobody@x>\r\nDATA\r\n",
        &mailbox,
    );
    assert_eq!(
        codes(&out),
        [
            "503 5.5.1",
            "250 SMTPUTF8",
            "503 5.5.1",
            "503 5.5.1",
            "250 2.1.0",
            "503 5.5.1",
            "503 5.5.1",
            "550 5.1.1",
            "503 5.5.1"
        ]
    );
}

#[test]
fn smtp_greetings_and_unknown_commands_are_refused() {
    let mailbox = Recorder::new(1000);
    let out = run(
        b"HELO x\r\nEHLO x\r\nFOO\r\nEXPN x\r\nVRFY x\r\nNOOP\r\nHELP\r\nRSET\r\n",
        &mailbox,
    );
    assert_eq!(
        codes(&out),
        [
            "500 5.5.1",
            "500 5.5.1",
            "500 5.5.2",
            "502 5.5.1",
            "252 2.5.2",
            "250 2.0.0",
            "214 2.0.0",
            "250 2.0.0"
        ]
    );
}

#[test]
fn rset_and_lhlo_drop_the_transaction() {
    let mailbox = Recorder::new(1000);
    let out = run(
        &[HEAD, b"RCPT TO:<list@example.org>\r\nRSET\r\nDATA\r\nMAIL FROM:<a@b>\r\nLHLO again\r\nRCPT TO:<list@example.org>\r\n"].concat(),
        &mailbox,
    );
    assert_eq!(
        codes(&out),
        [
            "250 SMTPUTF8",
            "250 2.1.0",
            "250 2.1.5",
            "250 2.0.0",
            "503 5.5.1",
            "250 2.1.0",
            "250 SMTPUTF8",
            "503 5.5.1"
        ]
    );
}

#[test]
fn overlong_lines_nul_and_bad_utf8_get_errors_not_panics() {
    let mailbox = Recorder::new(1000);
    let long = vec![b'A'; 100_000];
    let input = [
        &long[..],
        b"\r\nNOOP\r\n\0\0\r\nMAIL FROM:<\xff@x>\r\nLHLO m\r\nNOOP\r\n",
    ]
    .concat();
    let out = run(&input, &mailbox);
    assert_eq!(
        codes(&out),
        [
            "500 5.5.2",
            "250 2.0.0",
            "500 5.5.2",
            "501 5.1.3",
            "250 SMTPUTF8",
            "250 2.0.0"
        ]
    );
}

#[test]
fn too_many_errors_close_the_session() {
    let mailbox = Recorder::new(1000);
    let input = "FOO\r\n".repeat(50) + "NOOP\r\n";
    let (out, summary) = run_with(input.as_bytes(), 0, &mailbox, &Limits::default());
    assert_eq!(summary.ending, Ending::TooMany);
    assert_eq!(out.matches("500 5.5.2").count(), 21);
    assert!(
        out.ends_with("421 4.7.0 localhost Too many commands or errors, closing connection\r\n")
    );
}

#[test]
fn too_many_commands_close_the_session() {
    let mailbox = Recorder::new(1000);
    let limits = Limits {
        max_commands: 10,
        ..Limits::default()
    };
    let input = "NOOP\r\n".repeat(20);
    let (out, summary) = run_with(input.as_bytes(), 0, &mailbox, &limits);
    assert_eq!(summary.ending, Ending::TooMany);
    assert_eq!(out.matches("250 2.0.0").count(), 10);
}

#[test]
fn recipients_are_capped_per_transaction() {
    let mailbox = Recorder::new(1 << 20);
    let limits = Limits {
        max_recipients: 3,
        ..Limits::default()
    };
    let mut input = HEAD.to_vec();
    for _ in 0..5 {
        input.extend_from_slice(b"RCPT TO:<list@example.org>\r\n");
    }
    input.extend_from_slice(b"DATA\r\nx\r\n.\r\n");
    let (out, _) = run_with(&input, 0, &mailbox, &limits);
    let codes = codes(&out);
    assert_eq!(
        &codes[2..],
        [
            "250 2.1.5",
            "250 2.1.5",
            "250 2.1.5",
            "452 4.5.3",
            "452 4.5.3",
            "354 Start",
            "250 2.0.0",
            "250 2.0.0",
            "250 2.0.0"
        ]
    );
    assert_eq!(mailbox.messages()[0].0.recipients.len(), 3);
}

#[test]
fn a_client_vanishing_mid_data_delivers_nothing() {
    let mailbox = Recorder::new(1 << 20);
    let input = [
        HEAD,
        b"RCPT TO:<list@example.org>\r\nDATA\r\nSubject: half\r\n\r\nbody\r\n",
    ]
    .concat();
    let (_, summary) = run_with(&input, 0, &mailbox, &Limits::default());
    assert_eq!(summary.ending, Ending::Closed);
    assert!(mailbox.messages().is_empty());
    // Even right after the dot's line start.
    let input = [HEAD, b"RCPT TO:<list@example.org>\r\nDATA\r\nbody\r\n."].concat();
    run(&input, &mailbox);
    assert!(mailbox.messages().is_empty());
}

#[test]
fn a_panicking_mailbox_costs_only_its_message() {
    let mailbox = Recorder::new(1 << 20);
    let input = [
        HEAD,
        b"RCPT TO:<boom@example.org>\r\nRCPT TO:<panic@example.org>\r\nRCPT TO:<list@example.org>\r\nDATA\r\nx\r\n.\r\n",
        b"MAIL FROM:<a@b>\r\nRCPT TO:<list@example.org>\r\nDATA\r\ny\r\n.\r\nQUIT\r\n",
    ]
    .concat();
    let out = run(&input, &mailbox);
    assert_eq!(
        codes(&out),
        [
            "250 SMTPUTF8",
            "250 2.1.0",
            "451 4.3.0",
            "250 2.1.5",
            "250 2.1.5",
            "354 Start",
            "451 4.3.0",
            "451 4.3.0",
            "250 2.1.0",
            "250 2.1.5",
            "354 Start",
            "250 2.0.0",
            "221 2.0.0"
        ]
    );
    assert_eq!(mailbox.messages().len(), 1);
    assert_eq!(mailbox.messages()[0].1, b"y\r\n");
}

#[test]
fn non_ascii_recipients_need_smtputf8() {
    let mailbox = Recorder::new(1000);
    let out = run(
        "LHLO m\r\nMAIL FROM:<a@b>\r\nRCPT TO:<j\u{f6}rg@example.org>\r\nRSET\r\nMAIL FROM:<a@b> SMTPUTF8\r\nRCPT TO:<j\u{f6}rg@example.org>\r\n".as_bytes(),
        &mailbox,
    );
    assert_eq!(
        codes(&out),
        [
            "250 SMTPUTF8",
            "250 2.1.0",
            "553 5.6.7",
            "250 2.0.0",
            "250 2.1.0",
            "550 5.1.1"
        ]
    );
}

/// A connection whose reads time out or report a stop, to see the session's farewells.
struct Scripted {
    input: Vec<u8>,
    then: fn(Wait) -> ReadError,
    output: Vec<u8>,
    waits: Vec<Wait>,
}

impl Conn for Scripted {
    fn read(&mut self, buf: &mut [u8], wait: Wait) -> Result<usize, ReadError> {
        self.waits.push(wait);
        if self.input.is_empty() {
            return Err((self.then)(wait));
        }
        let n = self.input.len().min(buf.len());
        buf[..n].copy_from_slice(&self.input[..n]);
        self.input.drain(..n);
        Ok(n)
    }

    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.output.extend_from_slice(bytes);
        Ok(())
    }
}

fn scripted(
    input: &[u8],
    then: fn(Wait) -> ReadError,
    limits: &Limits,
) -> (Scripted, session::Summary) {
    let mailbox = Recorder::new(1000);
    let mut conn = Scripted {
        input: input.to_vec(),
        then,
        output: Vec::new(),
        waits: Vec::new(),
    };
    let summary = session::serve(&mut conn, &mailbox, limits);
    (conn, summary)
}

#[test]
fn idle_clients_get_421() {
    let (conn, summary) = scripted(b"LHLO m\r\n", |_| ReadError::TimedOut, &Limits::default());
    assert_eq!(summary.ending, Ending::IdleTimeout);
    assert!(String::from_utf8(conn.output)
        .unwrap()
        .ends_with("421 4.4.2 localhost Idle timeout, closing connection\r\n"));
    assert_eq!(conn.waits[0].timeout, Duration::from_secs(300));
}

#[test]
fn a_stop_ends_the_session_between_transactions_only() {
    // Between transactions the wait is stoppable, and a stop is a 421.
    let (conn, summary) = scripted(b"LHLO m\r\n", |_| ReadError::Stopping, &Limits::default());
    assert_eq!(summary.ending, Ending::Stopping);
    assert!(String::from_utf8(conn.output)
        .unwrap()
        .ends_with("421 4.3.2 localhost Service shutting down, closing connection\r\n"));
    assert!(conn.waits.iter().all(|w| w.stoppable));
    // Within a transaction (and within DATA) no wait is stoppable.
    let (conn, _) = scripted(
        &[HEAD, b"RCPT TO:<list@example.org>\r\nDATA\r\nx"].concat(),
        |_| ReadError::TimedOut,
        &Limits::default(),
    );
    assert!(!conn.waits.last().unwrap().stoppable);
}

#[test]
fn the_session_timeout_bounds_the_waits() {
    let limits = Limits {
        session_timeout: Duration::from_secs(10),
        ..Limits::default()
    };
    let (conn, summary) = scripted(b"LHLO m\r\n", |_| ReadError::TimedOut, &limits);
    assert_eq!(summary.ending, Ending::SessionTimeout);
    assert!(conn
        .waits
        .iter()
        .all(|w| w.timeout <= Duration::from_secs(10)));
}

#[test]
fn pipelined_replies_come_in_order_in_one_write() {
    let mailbox = Recorder::new(1 << 20);
    let mut conn = BytesConn::new(
        b"LHLO m\r\nMAIL FROM:<a@b>\r\nRCPT TO:<list@example.org>\r\nRCPT TO:<x@y>\r\nNOOP\r\n",
    );
    // Count the writes: the four replies go out together, before the next read.
    struct Counting<'a>(BytesConn<'a>, usize);
    impl Conn for Counting<'_> {
        fn read(&mut self, buf: &mut [u8], wait: Wait) -> Result<usize, ReadError> {
            self.0.read(buf, wait)
        }
        fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
            self.1 += 1;
            self.0.write_all(bytes)
        }
    }
    let mut counting = Counting(std::mem::replace(&mut conn, BytesConn::new(b"")), 0);
    session::serve(&mut counting, &mailbox, &Limits::default());
    let out = String::from_utf8(counting.0.output).unwrap();
    assert_eq!(
        codes(&out),
        [
            "250 SMTPUTF8",
            "250 2.1.0",
            "250 2.1.5",
            "550 5.1.1",
            "250 2.0.0"
        ]
    );
    // The greeting, then everything answered to the one read.
    assert_eq!(counting.1, 2);
}
