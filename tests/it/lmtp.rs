//! LMTP over real sockets: python3's smtplib.LMTP as the client, raw sockets for abuse, a server in this process with a recording mailbox, and the `wwsympa lmtp` and `wwsympa deliver` commands.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use wwsympa::lmtp::{self, Envelope, LmtpFront, Mailbox, Reply};
use wwsympa::runtime::{self, signals::Event, BindSpec};

use crate::support::peer;
use crate::support::process::{signal, wait_until, Site};

/// Knows `list@example.org`, `other@example.org` and `tempfail@example.org`; keeps messages.
struct Recorder {
    delivered: Mutex<Vec<(Envelope, Vec<u8>)>>,
    max: u64,
    /// Each delivery sleeps this long first (a slow database).
    delay: Duration,
    delivering: AtomicUsize,
}

impl Recorder {
    fn new(max: u64) -> Arc<Recorder> {
        Arc::new(Recorder {
            delivered: Mutex::default(),
            max,
            delay: Duration::ZERO,
            delivering: AtomicUsize::new(0),
        })
    }

    fn messages(&self) -> Vec<(Envelope, Vec<u8>)> {
        self.delivered.lock().unwrap().clone()
    }
}

impl Mailbox for Recorder {
    fn recipient(&self, recipient: &str) -> Reply {
        match recipient {
            "list@example.org" | "other@example.org" | "tempfail@example.org" => {
                Reply::new(250, "2.1.5", "OK")
            }
            "refused@example.org" => Reply::new(250, "2.1.5", "OK"),
            _ => Reply::new(550, "5.1.1", "No such list"),
        }
    }

    fn deliver(&self, envelope: &Envelope, message: &[u8]) -> Vec<Reply> {
        self.delivering.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(self.delay);
        self.delivered
            .lock()
            .unwrap()
            .push((envelope.clone(), message.to_vec()));
        envelope
            .recipients
            .iter()
            .map(|r| match r.as_str() {
                "tempfail@example.org" => Reply::new(451, "4.3.0", "Database unavailable"),
                "refused@example.org" => Reply::new(550, "5.7.1", "Posting refused"),
                _ => Reply::new(250, "2.0.0", "Delivered"),
            })
            .collect()
    }

    fn max_size(&self) -> u64 {
        self.max
    }
}

/// An LMTP server on the runtime, in this process, on 127.0.0.1.
struct InProcess {
    addr: String,
    stop: mpsc::Sender<Event>,
    thread: Option<JoinHandle<()>>,
}

impl InProcess {
    fn start(mailbox: Arc<Recorder>, limits: lmtp::Limits, connections: usize) -> InProcess {
        let listener = runtime::bind(&BindSpec::Tcp("127.0.0.1:0".into())).unwrap();
        let front = LmtpFront::new(listener, mailbox, limits).unwrap();
        let addr = front.local_addr();
        let (stop, events) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            let options = runtime::Options {
                connections,
                idle_timeout: None,
            };
            let notifier = runtime::Notifier::from_env();
            runtime::run(Arc::new(front), &options, events, &notifier, &|| Ok(())).unwrap();
        });
        InProcess {
            addr,
            stop,
            thread: Some(thread),
        }
    }

    fn port(&self) -> u16 {
        self.addr.rsplit(':').next().unwrap().parse().unwrap()
    }

    /// Stops the server and waits (10 s at most) for its threads; true if they ended.
    fn stop(&mut self) -> bool {
        let _ = self.stop.send(Event::Stop("test"));
        let thread = self.thread.take().unwrap();
        let ended = wait_until(Duration::from_secs(10), || thread.is_finished());
        if ended {
            thread.join().unwrap();
        }
        ended
    }
}

impl Drop for InProcess {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.stop();
        }
    }
}

/// A raw client: writes bytes, reads reply lines with a timeout.
struct Raw {
    reader: BufReader<TcpStream>,
    stream: TcpStream,
}

impl Raw {
    fn connect(addr: &str) -> Raw {
        let stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Raw {
            reader: BufReader::new(stream.try_clone().unwrap()),
            stream,
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    /// The next reply's last line (`250 2.0.0 OK`); empty at the end of the stream.
    fn reply(&mut self) -> String {
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line).unwrap() == 0 {
                return String::new();
            }
            if line.as_bytes().get(3) != Some(&b'-') {
                return line.trim_end().to_string();
            }
        }
    }

    /// The codes of the next `n` replies.
    fn codes(&mut self, n: usize) -> Vec<String> {
        (0..n)
            .map(|_| self.reply().chars().take(3).collect())
            .collect()
    }

    /// True if the server closed the connection (within the read timeout).
    fn closed(&mut self) -> bool {
        let mut rest = Vec::new();
        self.reader.read_to_end(&mut rest).is_ok()
    }
}

const PYTHON_CLIENT: &str = r#"
import json, smtplib, sys
host, port, sender, size_param = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
recipients = json.loads(sys.argv[5])
message = sys.stdin.buffer.read()
out = {}
lmtp = smtplib.LMTP(host, port, timeout=20)
code, _ = lmtp.ehlo()  # LMTP.ehlo_msg is "lhlo"
out["lhlo"] = code
out["features"] = sorted(lmtp.esmtp_features)
out["size"] = lmtp.esmtp_features.get("size")
opts = ["SIZE=%s" % size_param] if size_param else []
code, msg = lmtp.mail(sender, opts)
out["mail"] = code
if code == 250:
    accepted = []
    out["rcpt"] = []
    for r in recipients:
        code, msg = lmtp.rcpt(r)
        out["rcpt"].append(code)
        if code == 250:
            accepted.append(r)
    replies = []
    if accepted:
        code, msg = lmtp.data(message)
        replies.append([code, msg.decode()])
        # RFC 2033: one reply per accepted recipient; smtplib reads only the first.
        for _ in accepted[1:]:
            code, msg = lmtp.getreply()
            replies.append([code, msg.decode()])
    out["data"] = replies
lmtp.quit()
print(json.dumps(out))
"#;

/// Runs python3's smtplib.LMTP against `port`; returns its JSON report.
fn python_send(
    port: u16,
    sender: &str,
    size: &str,
    recipients: &[&str],
    message: &[u8],
) -> Option<serde_json::Value> {
    let python = peer("python3")?;
    let mut child = std::process::Command::new(python)
        .args([
            "-c",
            PYTHON_CLIENT,
            "127.0.0.1",
            &port.to_string(),
            sender,
            size,
        ])
        .arg(serde_json::to_string(recipients).unwrap())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(message).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "python: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(serde_json::from_slice(&output.stdout).unwrap())
}

fn limits() -> lmtp::Limits {
    lmtp::Limits {
        hostname: "lists.example.org".into(),
        ..lmtp::Limits::default()
    }
}

#[test]
fn smtplib_gets_one_reply_per_recipient_and_the_message_unstuffed() {
    let mailbox = Recorder::new(1 << 20);
    let server = InProcess::start(mailbox.clone(), limits(), 4);
    let message =
        b"From: alice@example.net\r\nSubject: dots\r\n\r\n.leading dot\r\n..two\r\n.\r\nend\r\n";
    let Some(report) = python_send(
        server.port(),
        "alice@example.net",
        "",
        &[
            "list@example.org",
            "nobody@example.org",
            "tempfail@example.org",
            "refused@example.org",
            "other@example.org",
        ],
        message,
    ) else {
        return;
    };
    assert_eq!(report["lhlo"], 250);
    let features: Vec<&str> = report["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    for wanted in [
        "pipelining",
        "enhancedstatuscodes",
        "8bitmime",
        "size",
        "smtputf8",
    ] {
        assert!(features.contains(&wanted), "{features:?}");
    }
    assert_eq!(report["size"], "1048576");
    assert_eq!(report["rcpt"], serde_json::json!([250, 550, 250, 250, 250]));
    let data = report["data"].as_array().unwrap();
    let codes: Vec<i64> = data.iter().map(|r| r[0].as_i64().unwrap()).collect();
    assert_eq!(codes, [250, 451, 550, 250]);
    assert!(data[1][1].as_str().unwrap().starts_with("4.3.0"));
    let messages = mailbox.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].1, message);
    assert_eq!(
        messages[0].0.recipients,
        [
            "list@example.org",
            "tempfail@example.org",
            "refused@example.org",
            "other@example.org"
        ]
    );
}

#[test]
fn size_limits_refuse_at_mail_from_and_after_data() {
    let mailbox = Recorder::new(10_000);
    let server = InProcess::start(mailbox.clone(), limits(), 4);
    let big = vec![b'x'; 30_000];
    let Some(report) = python_send(
        server.port(),
        "a@example.net",
        "30000",
        &["list@example.org"],
        &big,
    ) else {
        return;
    };
    assert_eq!(report["mail"], 552);
    // Without SIZE= the message is read to its end, then refused for each recipient.
    let mut message = b"Subject: big\r\n\r\n".to_vec();
    for _ in 0..300 {
        message.extend_from_slice(&[b'y'; 100]);
        message.extend_from_slice(b"\r\n");
    }
    let report = python_send(
        server.port(),
        "a@example.net",
        "",
        &["list@example.org", "other@example.org"],
        &message,
    )
    .unwrap();
    let codes: Vec<i64> = report["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[0].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [552, 552]);
    assert!(mailbox.messages().is_empty());
}

#[test]
fn pipelined_garbage_nul_bad_utf8_and_overlong_lines_get_replies_in_order() {
    let mailbox = Recorder::new(1 << 20);
    let server = InProcess::start(mailbox.clone(), limits(), 4);
    let mut client = Raw::connect(&server.addr);
    assert!(client.reply().starts_with("220 lists.example.org"));
    let mut burst = b"LHLO test\r\nMAIL FROM:<a@example.net>\r\nRCPT TO:<list@example.org>\r\nRCPT TO:<x@y>\r\nNOOP\r\n".to_vec();
    burst.extend_from_slice(b"\0\0\0\r\n\xff\xfe\xfd\r\nRCPT TO:<\xc3\x28@example.org>\r\n");
    burst.extend(std::iter::repeat_n(b'A', 200_000));
    burst.extend_from_slice(b"\r\nEHLO x\r\nDATA\r\nbody line\r\n.\r\nQUIT\r\n");
    client.send(&burst);
    assert_eq!(
        client.codes(12),
        ["250", "250", "250", "550", "250", "500", "500", "501", "500", "500", "354", "250"]
    );
    assert!(client.reply().starts_with("221"));
    assert!(client.closed());
    assert_eq!(mailbox.messages()[0].1, b"body line\r\n");
}

#[test]
fn thousands_of_recipients_are_capped_and_each_accepted_one_answered() {
    let mailbox = Recorder::new(1 << 20);
    let server = InProcess::start(mailbox.clone(), limits(), 4);
    let mut client = Raw::connect(&server.addr);
    client.reply();
    let mut burst = b"LHLO test\r\nMAIL FROM:<>\r\n".to_vec();
    for _ in 0..5000 {
        burst.extend_from_slice(b"RCPT TO:<list@example.org>\r\n");
    }
    burst.extend_from_slice(b"DATA\r\n");
    // The replies are read on another thread: a client that writes without reading is
    // what a pipelining MTA does, and the server must not deadlock on it.
    let stream = client.stream.try_clone().unwrap();
    let writer = std::thread::spawn(move || {
        let mut stream = stream;
        stream.write_all(&burst).unwrap();
        stream
    });
    let codes = client.codes(5003);
    let mut stream = writer.join().unwrap();
    assert_eq!(codes[0], "250");
    assert_eq!(codes[1], "250");
    assert!(codes[2..1002].iter().all(|c| c == "250"));
    assert!(codes[1002..5002].iter().all(|c| c == "452"));
    assert_eq!(codes[5002], "354");
    stream.write_all(b"x\r\n.\r\n").unwrap();
    let after = client.codes(1000);
    assert!(after.iter().all(|c| c == "250"), "{after:?}");
    assert_eq!(mailbox.messages()[0].0.recipients.len(), 1000);
}

#[test]
fn a_client_vanishing_mid_data_delivers_nothing_and_the_server_goes_on() {
    let mailbox = Recorder::new(1 << 20);
    let server = InProcess::start(mailbox.clone(), limits(), 4);
    {
        let mut client = Raw::connect(&server.addr);
        client.reply();
        client.send(b"LHLO t\r\nMAIL FROM:<a@b>\r\nRCPT TO:<list@example.org>\r\nDATA\r\nSubject: half\r\n\r\nhalf a body");
        assert_eq!(client.codes(4), ["250", "250", "250", "354"]);
        // Dropped here: the connection closes mid-DATA.
    }
    {
        let mut client = Raw::connect(&server.addr);
        client.reply();
        client
            .send(b"LHLO t\r\nMAIL FROM:<a@b>\r\nRCPT TO:<list@example.org>\r\nDATA\r\nbody\r\n.");
        assert_eq!(client.codes(4), ["250", "250", "250", "354"]);
        // Half-closed right after the dot, without its line ending: no final dot yet.
        client.stream.shutdown(std::net::Shutdown::Write).unwrap();
        assert!(client.closed());
    }
    let mut client = Raw::connect(&server.addr);
    client.reply();
    client
        .send(b"LHLO t\r\nMAIL FROM:<a@b>\r\nRCPT TO:<list@example.org>\r\nDATA\r\nwhole\r\n.\r\n");
    assert_eq!(client.codes(5), ["250", "250", "250", "354", "250"]);
    let messages = mailbox.messages();
    assert_eq!(messages.len(), 1, "only the whole message");
    assert_eq!(messages[0].1, b"whole\r\n");
}

#[test]
fn an_idle_client_does_not_block_another_and_is_timed_out() {
    let mailbox = Recorder::new(1 << 20);
    let short = lmtp::Limits {
        idle_timeout: Duration::from_secs(2),
        ..limits()
    };
    let server = InProcess::start(mailbox.clone(), short, 2);
    let mut idle = Raw::connect(&server.addr);
    assert!(idle.reply().starts_with("220"));
    idle.send(b"LHLO t\r\nMAIL FROM:<a@b>\r\nRCPT TO:<list@example.org>\r\nDATA\r\nstarted");
    assert_eq!(idle.codes(4), ["250", "250", "250", "354"]);
    // The idle one holds a thread; the other thread serves a second client at once.
    let begun = Instant::now();
    let mut busy = Raw::connect(&server.addr);
    busy.reply();
    busy.send(b"LHLO t\r\nMAIL FROM:<a@b>\r\nRCPT TO:<list@example.org>\r\nDATA\r\nquick\r\n.\r\n");
    assert_eq!(busy.codes(5), ["250", "250", "250", "354", "250"]);
    assert!(
        begun.elapsed() < Duration::from_secs(1),
        "{:?}",
        begun.elapsed()
    );
    // The idle client is told and disconnected after the idle timeout; nothing of it kept.
    let reply = idle.reply();
    assert!(reply.starts_with("421 4.4.2"), "{reply}");
    assert!(begun.elapsed() >= Duration::from_millis(1500));
    assert!(idle.closed());
    assert_eq!(mailbox.messages().len(), 1);
}

#[test]
fn a_stop_finishes_the_message_in_hand_and_closes_idle_sessions() {
    let mailbox = Recorder::new(1 << 20);
    let mut server = InProcess::start(mailbox.clone(), limits(), 4);
    let mut between = Raw::connect(&server.addr);
    between.reply();
    between.send(b"LHLO t\r\n");
    between.codes(1);
    let mut within = Raw::connect(&server.addr);
    within.reply();
    within
        .send(b"LHLO t\r\nMAIL FROM:<a@b>\r\nRCPT TO:<list@example.org>\r\nDATA\r\nfirst half\r\n");
    assert_eq!(within.codes(4), ["250", "250", "250", "354"]);
    let stop = server.stop.clone();
    let _ = stop.send(Event::Stop("test"));
    // The session between transactions is closed with 421 at once.
    let reply = between.reply();
    assert!(reply.starts_with("421 4.3.2"), "{reply}");
    // The message in hand is finished and answered, then the session ends.
    within.send(b"second half\r\n.\r\nMAIL FROM:<a@b>\r\n");
    assert_eq!(within.codes(1), ["250"]);
    // No new transaction once stopping.
    let reply = within.reply();
    assert!(reply.starts_with("421 4.3.2"), "{reply}");
    assert!(within.closed());
    assert!(server.stop(), "the server stopped");
    assert_eq!(mailbox.messages()[0].1, b"first half\r\nsecond half\r\n");
}

/// The site's `wwsympa lmtp` on a fresh port; waits until it serves.
fn start_lmtp(site: &Site, name: &str, args: &[&str]) -> (crate::support::process::Server, String) {
    let port = crate::support::free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut command = site.command(&["lmtp", "--listen", &addr]);
    command.args(args);
    let mut server = site.spawn_server(name, command, Stdio::null());
    server.wait_for_log("serving LMTP on");
    (server, addr)
}

#[test]
fn wwsympa_lmtp_greets_answers_lhlo_and_stops_on_sigterm() {
    let site = Site::new("lmtp-cmd", "");
    let (mut server, addr) = start_lmtp(&site, "lmtp", &[]);
    let mut client = Raw::connect(&addr);
    assert!(client.reply().starts_with("220 lists.example.org"));
    client.send(b"LHLO t\r\nHELO t\r\nQUIT\r\n");
    assert_eq!(client.codes(3), ["250", "500", "221"]);
    signal(server.pid(), libc::SIGTERM);
    assert!(server.wait_exit().success());
    server.assert_no_panic();
}

#[test]
fn wwsympa_lmtp_exits_when_idle_and_serves_a_socket_on_stdin() {
    let site = Site::new("lmtp-idle", "");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let command = site.command(&["lmtp", "--idle-timeout", "1s"]);
    let mut server =
        site.spawn_server("lmtp", command, crate::support::process::as_stdin(listener));
    server.wait_for_log("serving LMTP on");
    let mut client = Raw::connect(&addr);
    assert!(client.reply().starts_with("220"));
    client.send(b"QUIT\r\n");
    assert!(client.reply().starts_with("221"));
    let began = Instant::now();
    assert!(server.wait_exit().success());
    assert!(began.elapsed() < Duration::from_secs(5));
}

/// `wwsympa deliver --lmtp` with `message` on stdin; returns the exit code and stderr.
fn deliver(site: &Site, args: &[&str], message: &[u8]) -> (i32, String) {
    let mut child = site
        .command(&["deliver"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // The command may refuse before reading it all.
    let _ = stdin.write_all(message);
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert!(output.stdout.is_empty(), "deliver wrote to stdout");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn deliver_over_lmtp_exits_with_sysexits_codes() {
    let mailbox = Recorder::new(10_000);
    let server = InProcess::start(mailbox.clone(), limits(), 4);
    let site = Site::new("deliver-lmtp", "");
    let lmtp = server.addr.clone();
    let message = b"From: a@example.net\nSubject: piped\n\n.dot\nbody\n";
    let run = |rcpt: &str, message: &[u8]| {
        deliver(
            &site,
            &[
                "--lmtp",
                &lmtp,
                "--recipient",
                rcpt,
                "--sender",
                "a@example.net",
            ],
            message,
        )
    };
    assert_eq!(run("list@example.org", message).0, 0);
    // Line endings made CR LF and the dot stuffed on the wire, unstuffed by the server.
    assert_eq!(
        mailbox.messages()[0].1,
        b"From: a@example.net\r\nSubject: piped\r\n\r\n.dot\r\nbody\r\n"
    );
    assert_eq!(mailbox.messages()[0].0.from, "a@example.net");
    let (code, stderr) = run("nobody@example.org", message);
    assert_eq!(code, 67, "{stderr}");
    assert!(stderr.contains("550 5.1.1"), "{stderr}");
    assert_eq!(run("refused@example.org", message).0, 65);
    assert_eq!(run("tempfail@example.org", message).0, 75);
    // Over the server's size: 552 after the data, a permanent refusal.
    assert_eq!(run("list@example.org", &vec![b'x'; 20_000]).0, 65);
    // No server: try again later.
    let port = crate::support::free_port();
    let (code, stderr) = deliver(
        &site,
        &[
            "--lmtp",
            &format!("127.0.0.1:{port}"),
            "--recipient",
            "list@example.org",
        ],
        message,
    );
    assert_eq!(code, 75, "{stderr}");
    // Bad arguments keep the message too.
    let (code, _) = deliver(&site, &["--recipient"], message);
    assert_eq!(code, 75);
    // The refused and the deferred ones reached the mailbox (which answered them), the big one not.
    assert_eq!(mailbox.messages().len(), 3);
}

#[test]
fn deliver_refuses_an_oversized_message_before_the_database() {
    let site = Site::new("deliver-big", "max_body_size = 1000");
    let (code, stderr) = deliver(
        &site,
        &["--recipient", "list@example.org"],
        &vec![b'x'; 5000],
    );
    assert_eq!(code, 65, "{stderr}");
    assert!(stderr.contains("552 5.3.4"), "{stderr}");
}

/// A post numbered `n` of the flood, with a Message-ID of its own.
fn flood_message(n: usize) -> Vec<u8> {
    format!(
        "From: Flood Sender <flood@example.net>\r\nTo: flood@lists.example.org\r\nSubject: flood {n}\r\nMessage-ID: <flood-{n}@test.example>\r\nDate: Sun, 29 Nov 2026 04:00:00 +0000\r\n\r\nmessage number {n}\r\n{}\r\n",
        "some words of a body ".repeat(20)
    )
    .into_bytes()
}

/// The Message-IDs (without angle brackets) of the stored messages, whatever their state
/// (distributed or held), one entry per stored message, read from the archive tables.
fn archived_ids(site: &Site) -> Vec<String> {
    site.db
        .texts("SELECT i.message_id FROM archive_messages m JOIN archive_msgids i ON i.id = m.msgid_id")
        .into_iter()
        .map(|id| id.trim_start_matches('<').trim_end_matches('>').to_string())
        .collect()
}

/// Sends messages `todo` over `conns` connections to `addr` until all are done or the server
/// goes away; returns the numbers that were answered 250.
fn flood(addr: &str, todo: Vec<usize>, conns: usize, acked: &Arc<Mutex<Vec<usize>>>) {
    let todo = Arc::new(Mutex::new(todo));
    let threads: Vec<_> = (0..conns)
        .map(|_| {
            let (todo, acked, addr) = (todo.clone(), acked.clone(), addr.to_string());
            std::thread::spawn(move || {
                let spec: BindSpec = addr.parse().unwrap();
                let Ok(mut client) =
                    lmtp::client::Client::connect(&spec, "flood.example", Duration::from_secs(30))
                else {
                    return;
                };
                loop {
                    let Some(n) = todo.lock().unwrap().pop() else {
                        let _ = client.quit();
                        return;
                    };
                    match client.send(
                        "flood@example.net",
                        &["flood@lists.example.org"],
                        &flood_message(n),
                    ) {
                        Ok(answers) if answers[0].code == 250 => acked.lock().unwrap().push(n),
                        Ok(answers) => panic!("message {n} refused: {}", answers[0]),
                        // The server was killed: this one and the rest are not acknowledged.
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
}

/// The flood list's send policy: public, so every post is distributed (to no member) and
/// archived in the transaction that answers 250.
const FLOOD_SEND: &str = "public";

#[test]
fn kill_9_during_a_flood_loses_no_acknowledged_message_and_stores_none_twice() {
    const COUNT: usize = 1000;
    let site = Site::new("lmtp-kill", "");
    site.create_lists(&["flood"]);
    let settings = site
        .command(&[
            "list", "mail", "flood", "--send", FLOOD_SEND, "--dmarc", "never",
        ])
        .output()
        .unwrap();
    assert!(settings.status.success(), "{settings:?}");
    let (server, addr) = start_lmtp(&site, "lmtp-1", &[]);
    let acked = Arc::new(Mutex::new(Vec::new()));
    let killer = {
        let acked = acked.clone();
        let pid = server.pid();
        std::thread::spawn(move || {
            // Killed in the middle of the flood, while deliveries are in flight.
            let reached = wait_until(Duration::from_secs(120), || {
                acked.lock().unwrap().len() >= COUNT / 3
            });
            signal(pid, libc::SIGKILL);
            reached
        })
    };
    flood(&addr, (0..COUNT).collect(), 4, &acked);
    assert!(
        killer.join().unwrap(),
        "a third of the flood was acknowledged before the kill"
    );
    let mut server = server;
    let _ = server.guard.wait_timeout(Duration::from_secs(10));
    let first: Vec<usize> = acked.lock().unwrap().clone();
    assert!(
        first.len() < COUNT,
        "the kill came before the end of the flood"
    );
    // Every acknowledged message is stored, once; what was not acknowledged may or may not be.
    let stored = archived_ids(&site);
    for n in &first {
        let id = format!("flood-{n}@test.example");
        assert_eq!(
            stored.iter().filter(|s| **s == id).count(),
            1,
            "{id} after the kill"
        );
    }
    eprintln!(
        "killed after {} acknowledged; {} stored",
        first.len(),
        stored.len()
    );
    // The MTA sends again what was not acknowledged, to the restarted server.
    let (mut again, addr) = start_lmtp(&site, "lmtp-2", &[]);
    let missing: Vec<usize> = (0..COUNT).filter(|n| !first.contains(n)).collect();
    flood(&addr, missing, 4, &acked);
    assert_eq!(acked.lock().unwrap().len(), COUNT);
    signal(again.pid(), libc::SIGTERM);
    assert!(again.wait_exit().success());
    again.assert_no_panic();
    let mut stored = archived_ids(&site);
    stored.sort();
    let mut expected: Vec<String> = (0..COUNT)
        .map(|n| format!("flood-{n}@test.example"))
        .collect();
    expected.sort();
    assert_eq!(stored, expected, "each message stored exactly once");
}

#[test]
fn deliver_in_process_stores_the_post_and_answers_with_sysexits() {
    let site = Site::new("deliver-door", "");
    site.create_lists(&["piped"]);
    let settings = site
        .command(&["list", "mail", "piped", "--send", FLOOD_SEND])
        .output()
        .unwrap();
    assert!(settings.status.success(), "{settings:?}");
    // As Postfix's pipe(8) hands it over: LF line endings, a Return-Path added.
    let message = b"Return-Path: <a@example.net>\nFrom: a@example.net\nSubject: piped\nMessage-ID: <piped-1@test.example>\n\nbody\n";
    let args = [
        "--recipient",
        "piped@lists.example.org",
        "--sender",
        "a@example.net",
    ];
    let (code, stderr) = deliver(&site, &args, message);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(archived_ids(&site), ["piped-1@test.example"]);
    // The same message again (the MTA retried after a lost answer): stored once.
    assert_eq!(deliver(&site, &args, message).0, 0);
    assert_eq!(archived_ids(&site), ["piped-1@test.example"]);
    let (code, stderr) = deliver(&site, &["--recipient", "nosuch@lists.example.org"], message);
    assert_eq!(code, 67, "{stderr}");
    assert!(stderr.contains("550 5.1.1"), "{stderr}");
    // A database that does not answer: try again later, never a bounce.
    let down = Site::new("deliver-down", "");
    std::fs::write(
        &down.config,
        "domain = \"lists.example.org\"\ndb_type = \"PostgreSQL\"\ndb_host = \"127.0.0.1\"\ndb_port = 1\ndb_name = \"none\"\ndb_user = \"none\"\n",
    )
    .unwrap();
    let (code, stderr) = deliver(&down, &args, message);
    assert_eq!(code, 75, "{stderr}");
    assert!(stderr.contains("451 4.3.0"), "{stderr}");
}

#[test]
fn wwsympa_lmtp_serves_the_socket_systemd_names_wwsympa_lmtp() {
    use std::os::fd::AsRawFd;
    use std::os::unix::process::CommandExt;
    let site = Site::new("lmtp-fds", "");
    let other = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mine = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let (other_fd, mine_fd) = (other.as_raw_fd(), mine.as_raw_fd());
    // As systemd passes them: fds 3 and 4, named; LISTEN_PID is the pid that execs wwsympa.
    let mut command = std::process::Command::new("/bin/sh");
    command
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("LISTEN_FDS", "2")
        .env("LISTEN_FDNAMES", "wwsympa:wwsympa-lmtp")
        .arg("-c")
        .arg(format!(
            "LISTEN_PID=$$ exec '{}' --config '{}' lmtp",
            crate::support::binary().display(),
            site.config.display()
        ));
    // SAFETY: only fcntl and dup2 between fork and exec.
    unsafe {
        command.pre_exec(move || {
            let high_other = libc::fcntl(other_fd, libc::F_DUPFD, 10);
            let high_mine = libc::fcntl(mine_fd, libc::F_DUPFD, 10);
            if high_other < 0
                || high_mine < 0
                || libc::dup2(high_other, 3) < 0
                || libc::dup2(high_mine, 4) < 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    };
    let mut server = site.spawn_server("lmtp", command, Stdio::null());
    server.wait_for_log("serving LMTP on");
    let mut client = Raw::connect(&mine.local_addr().unwrap().to_string());
    assert!(client.reply().starts_with("220 lists.example.org"));
    // The other socket is not ours: connected (the kernel queues it), never greeted.
    let mut stranger = TcpStream::connect(other.local_addr().unwrap()).unwrap();
    stranger
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut byte = [0u8; 1];
    assert!(
        stranger.read(&mut byte).is_err(),
        "no greeting on the web's socket"
    );
    signal(server.pid(), libc::SIGTERM);
    assert!(server.wait_exit().success());
}
