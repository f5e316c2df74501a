//! Streamed response bodies (issue 10's exports): framing, failures and panics mid-way on both doors (in process, with a service of its own), and a real month of tens of megabytes exported through the plain door and through nginx in bounded memory.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use wwsympa::fcgi;
use wwsympa::http::plain::{self, Http};
use wwsympa::http::{FcgiAdapter, Gate, Request, Response, Service, Stream};
use wwsympa::runtime::Activity;

use crate::support::fcgi_client::*;
use crate::support::nginx::Nginx;
use crate::support::peer;
use crate::support::process::{wait_until, Site};

/// How long any read in these tests may wait.
const WAIT: Duration = Duration::from_secs(30);

/// The bytes `/ok?n=N` streams: N deterministic bytes, written in pieces of odd sizes.
fn pattern(n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| b"abcdefghijklmnopqrstuvwxyz\n"[i * 7 % 27])
        .collect()
}

/// A service with streamed answers: `/ok?n=N` (N bytes), `/fail` and `/panic` (a first
/// piece, then an error or a panic), `/slow` (a large body, counting what it wrote), and any
/// other path a small page.
struct Streamer {
    /// The bytes `/slow` got written before it stopped.
    slow_written: Arc<AtomicU64>,
    /// Set when `/slow`'s producer has returned.
    slow_done: Arc<AtomicBool>,
}

impl Streamer {
    fn new() -> Streamer {
        Streamer {
            slow_written: Arc::new(AtomicU64::new(0)),
            slow_done: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl Service for Streamer {
    fn call(&self, request: &Request) -> Response {
        let headers = vec![("Content-Type".to_string(), "text/plain".to_string())];
        let stream = match request.path.as_str() {
            "/ok" => {
                let n: usize = request.query.trim_start_matches("n=").parse().unwrap();
                Stream::new(move |out| {
                    let bytes = pattern(n);
                    for piece in bytes.chunks(1000 + n % 17) {
                        out.write_all(piece)?;
                    }
                    Ok(())
                })
            }
            "/fail" => Stream::new(|out| {
                out.write_all(&pattern(200_000))?;
                Err(std::io::Error::other("the database went away"))
            }),
            "/panic" => Stream::new(|out| {
                out.write_all(&pattern(200_000))?;
                panic!("a producer panics mid-way");
            }),
            "/slow" => {
                let (written, done) = (self.slow_written.clone(), self.slow_done.clone());
                Stream::new(move |out| {
                    let piece = pattern(64 * 1024);
                    let result = (|| {
                        for _ in 0..16 * 1024 {
                            out.write_all(&piece)?;
                            written.fetch_add(piece.len() as u64, Ordering::SeqCst);
                        }
                        Ok(())
                    })();
                    done.store(true, Ordering::SeqCst);
                    result
                })
            }
            _ => return Response::text(200, "small"),
        };
        Response::stream(200, headers, stream)
    }
}

/// Reads one HTTP/1.1 answer from `reader`: status, lower-cased head, body (chunked decoded,
/// by length, or to the end), and whether the body was complete.
fn read_http(reader: &mut impl BufRead, head_only: bool) -> (u16, String, Vec<u8>, bool) {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert!(
            !line.is_empty(),
            "the connection ended inside a head: {head}"
        );
        if line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let status = head[9..12].parse().unwrap();
    let head = head.to_ascii_lowercase();
    if head_only {
        return (status, head, Vec::new(), true);
    }
    if head.contains("transfer-encoding: chunked") {
        return match plain::read_chunked(reader, u64::MAX) {
            Ok(body) => (status, head, body, true),
            Err(_) => (status, head, Vec::new(), false),
        };
    }
    if let Some(at) = head.find("content-length: ") {
        let len: usize = head[at + 16..]
            .split("\r\n")
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let mut body = vec![0; len];
        reader.read_exact(&mut body).unwrap();
        return (status, head, body, true);
    }
    let mut body = Vec::new();
    let _ = reader.read_to_end(&mut body);
    (status, head, body, true)
}

/// The plain door: HTTP/1.1 gets a chunked body and keeps the connection; HEAD gets the head
/// only; HTTP/1.0 gets the body to the close; a producer that fails or panics leaves the
/// body without its last chunk and the connection closed, and the door goes on.
#[test]
fn the_plain_door_frames_streams_and_cuts_them_on_failure() {
    let service: Arc<dyn Service> = Arc::new(Streamer::new());
    let http = Arc::new(Http::new(
        service,
        Arc::new(Gate::new(1)),
        plain::Limits::default(),
    ));
    let serve = |requests: String| {
        let (client, server) = UnixStream::pair().unwrap();
        client.set_read_timeout(Some(WAIT)).unwrap();
        let http = http.clone();
        let door = std::thread::spawn(move || {
            let served =
                http.serve_connection(&server, None, &Activity::new(), &AtomicBool::new(false));
            drop(server);
            served
        });
        (&client).write_all(requests.as_bytes()).unwrap();
        (client, door)
    };
    let big = 3 * 1024 * 1024 + 5;
    let (client, door) = serve(format!(
        "GET /ok?n={big} HTTP/1.1\r\nHost: x\r\n\r\n\
         HEAD /ok?n=10 HTTP/1.1\r\nHost: x\r\n\r\n\
         GET /ok?n=0 HTTP/1.1\r\nHost: x\r\n\r\n\
         GET /small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    ));
    let mut reader = BufReader::new(&client);
    let (status, head, body, whole) = read_http(&mut reader, false);
    assert_eq!((status, whole), (200, true));
    assert!(head.contains("transfer-encoding: chunked"), "{head}");
    assert!(!head.contains("content-length"), "{head}");
    assert!(body == pattern(big), "the body arrives whole");
    let (status, head, _, _) = read_http(&mut reader, true);
    assert_eq!(status, 200);
    assert!(!head.contains("connection: close"), "{head}");
    let (status, _, body, whole) = read_http(&mut reader, false);
    assert_eq!((status, body.len(), whole), (200, 0, true));
    // The HEAD answer had no body: the next answer starts right after it.
    let (status, _, body, _) = read_http(&mut reader, false);
    assert_eq!((status, body.as_slice()), (200, &b"small"[..]));
    assert_eq!(door.join().unwrap().unwrap(), 4);

    let (client, door) = serve("GET /ok?n=100000 HTTP/1.0\r\n\r\n".into());
    let (status, head, body, _) = read_http(&mut BufReader::new(&client), false);
    assert_eq!(status, 200);
    assert!(head.contains("connection: close"), "{head}");
    assert!(!head.contains("transfer-encoding"), "{head}");
    assert!(body == pattern(100_000));
    assert_eq!(door.join().unwrap().unwrap(), 1);

    for path in ["/fail", "/panic"] {
        let (client, door) = serve(format!(
            "GET {path} HTTP/1.1\r\nHost: x\r\n\r\nGET /small HTTP/1.1\r\nHost: x\r\n\r\n"
        ));
        let mut reader = BufReader::new(&client);
        let (status, _, _, whole) = read_http(&mut reader, false);
        assert_eq!(status, 200);
        assert!(!whole, "{path}: a truncated body has no last chunk");
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).unwrap();
        assert!(rest.is_empty(), "{path}: nothing after the cut: {rest:?}");
        assert_eq!(door.join().unwrap().unwrap(), 1, "{path}");
    }
}

/// FastCGI: a stream larger than the door's buffers arrives whole; a producer that fails or
/// panics mid-way ends its request with a truncated body, and the next request on the same
/// kept connection is answered.
#[test]
fn a_failed_stream_ends_its_fastcgi_request_and_the_connection_goes_on() {
    let service: Arc<dyn Service> = Arc::new(Streamer::new());
    let adapter = Arc::new(FcgiAdapter::new(service, 1024, Arc::new(Gate::new(1))));
    let (client, server) = UnixStream::pair().unwrap();
    client.set_read_timeout(Some(WAIT)).unwrap();
    let door = std::thread::spawn(move || {
        fcgi::serve_connection(
            &server,
            adapter.as_ref(),
            &fcgi::Limits::default(),
            &AtomicBool::new(false),
        )
    });
    let big = 2 * 1024 * 1024 + 3;
    let big_uri = format!("/ok?n={big}");
    let steps = [
        ("/fail", 1),
        ("/small", 2),
        ("/panic", 3),
        ("/small", 4),
        (big_uri.as_str(), 5),
        ("/small", 6),
    ];
    for (uri, id) in steps {
        (&client).write_all(&get_request(id, uri, id != 6)).unwrap();
        let reply = read_reply(&mut &client, id).unwrap();
        assert_eq!(reply.status(), 200, "{uri}: {}", reply.head());
        assert_eq!(
            reply.head().contains("Content-Length"),
            uri == "/small",
            "{uri}: a stream has no length"
        );
        let start = reply
            .stdout
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap()
            + 4;
        let body = &reply.stdout[start..];
        match uri {
            "/fail" | "/panic" => {
                assert_eq!(reply.end.map(|e| e.0), Some(1), "{uri}: app status");
                assert!(body.len() >= 200_000 && body == &pattern(body.len())[..]);
            }
            "/small" => assert_eq!(body, b"small"),
            _ => {
                assert_eq!(reply.end.map(|e| e.0), Some(0));
                assert!(body == pattern(big), "{uri}: the body arrives whole");
            }
        }
    }
    assert_eq!(door.join().unwrap().unwrap(), 6);
}

/// A client that goes away in the middle of a stream: the producer stops at the next write
/// (it does not produce the rest), the door returns, and the service serves on.
#[test]
fn a_client_gone_mid_stream_stops_the_producer() {
    let streamer = Streamer::new();
    let (written, done) = (streamer.slow_written.clone(), streamer.slow_done.clone());
    let service: Arc<dyn Service> = Arc::new(streamer);
    let http = Arc::new(Http::new(
        service,
        Arc::new(Gate::new(1)),
        plain::Limits::default(),
    ));
    let (client, server) = UnixStream::pair().unwrap();
    client.set_read_timeout(Some(WAIT)).unwrap();
    let door = {
        let http = http.clone();
        std::thread::spawn(move || {
            http.serve_connection(&server, None, &Activity::new(), &AtomicBool::new(false))
        })
    };
    (&client)
        .write_all(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut some = vec![0; 256 * 1024];
    (&client).read_exact(&mut some).unwrap();
    drop(client);
    // The write failed: the door gave the connection up (whatever it tells its caller).
    let _ = door.join().unwrap();
    assert!(done.load(Ordering::SeqCst));
    let sent = written.load(Ordering::SeqCst);
    assert!(
        sent < 64 * 1024 * 1024,
        "the producer stopped early: {sent}"
    );
    // The door serves the next connection.
    let (client, server) = UnixStream::pair().unwrap();
    (&client)
        .write_all(b"GET /small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    http.serve_connection(&server, None, &Activity::new(), &AtomicBool::new(false))
        .unwrap();
    drop(server);
    let (status, _, body, _) = read_http(&mut BufReader::new(&client), false);
    assert_eq!((status, body.as_slice()), (200, &b"small"[..]));
}

/// The messages of the big month: `count` messages of about 16 KiB of incompressible text
/// each, in March 2024, one a minute, as (mbox file, each message's bytes).
fn big_month(count: usize) -> (Vec<u8>, Vec<Vec<u8>>) {
    const DAYS: [&str; 7] = ["Fri", "Sat", "Sun", "Mon", "Tue", "Wed", "Thu"];
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut file = Vec::new();
    let mut messages = Vec::new();
    for i in 0..count {
        let (day, hour, minute) = (1 + i / 1440, i / 60 % 24, i % 60);
        let weekday = DAYS[(day - 1) % 7];
        let mut message = format!(
            "From: Ann <ann@example.org>\nTo: big@lists.example.org\nSubject: Big message {i}\n\
             Message-ID: <big{i}@example.org>\nDate: {weekday}, {day:02} Mar 2024 {hour:02}:{minute:02}:00 +0000\n\
             MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n"
        )
        .into_bytes();
        for _ in 0..210 {
            for _ in 0..76 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                message.push(CHARS[(seed % 64) as usize]);
            }
            message.push(b'\n');
        }
        file.extend_from_slice(
            format!("From ann@example.org {weekday} Mar {day:2} {hour:02}:{minute:02}:00 2024\n")
                .as_bytes(),
        );
        file.extend_from_slice(&message);
        file.push(b'\n');
        messages.push(message);
    }
    (file, messages)
}

/// The peak resident memory of process `pid`, in bytes (`VmHWM`).
fn peak_memory(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    kib * 1024
}

/// Checks a downloaded export: gzip, every message of the month in order, byte for byte.
fn check_export(body: &[u8], messages: &[Vec<u8>], how: &str) {
    let mut mbox = Vec::new();
    flate2::read::GzDecoder::new(body)
        .read_to_end(&mut mbox)
        .unwrap_or_else(|e| panic!("{how}: not a whole gzip stream: {e}"));
    let found: Vec<Vec<u8>> = wwsympa::archive::mbox::Reader::new(&mbox[..])
        .map(|m| m.unwrap().1)
        .collect();
    assert_eq!(found.len(), messages.len(), "{how}: the messages");
    for (i, (found, expected)) in found.iter().zip(messages).enumerate() {
        assert!(found == expected, "{how}: message {i} differs");
    }
}

/// GET (or HEAD) `path` on a fresh connection to `port` with `Connection: close`; the body
/// of a HEAD answer is what came after the head.
fn fetch(port: u16, method: &str, path: &str) -> (u16, String, Vec<u8>, bool) {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    (&stream)
        .write_all(
            format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .unwrap();
    let mut reader = BufReader::new(&stream);
    let mut answer = read_http(&mut reader, method == "HEAD");
    if method == "HEAD" {
        // Whatever follows the head of a HEAD answer, up to the close, is a body sent wrongly.
        reader.read_to_end(&mut answer.2).unwrap();
    }
    answer
}

/// A month of 24 MiB, exported three times at once through each door, arrives whole and
/// byte-exact while the serving process's peak memory grows by less than half of one
/// export.
/// HEAD gets the head only; a client that leaves mid-download costs the server nothing more.
#[test]
fn a_big_month_streams_whole_in_bounded_memory_through_both_doors() {
    let site = Site::new("stream-big", "");
    let output = site
        .command(&[
            "list",
            "create",
            "big",
            "--subject",
            "Big",
            "--archive",
            "public",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let (file, messages) = big_month(1600);
    let mbox = site.path().join("big.mbox");
    std::fs::write(&mbox, &file).unwrap();
    let output = site
        .command(&["archive", "import", "big", mbox.to_str().unwrap()])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let size = file.len() as u64;
    assert!(size > 24 * 1024 * 1024, "{size}");
    let path = "/sympa/arc/big/2024-03.mbox.gz";
    // Three exports at once cost less than half of what one built whole did (its gzip
    // alone is three quarters of its size, and the door copied it once more).
    let bound = size / 2;

    let download_three = |port: u16, pid: u32, how: &str| {
        let before = peak_memory(pid);
        std::thread::scope(|scope| {
            let downloads: Vec<_> = (0..3)
                .map(|_| scope.spawn(|| fetch(port, "GET", path)))
                .collect();
            let mut first: Option<Vec<u8>> = None;
            for download in downloads {
                let (status, head, body, whole) = download.join().unwrap();
                assert_eq!(status, 200, "{how}: {head}");
                assert!(head.contains("content-type: application/gzip"), "{head}");
                assert!(whole, "{how}");
                // The same archive gives the same bytes: the first is read through.
                match &first {
                    None => {
                        check_export(&body, &messages, how);
                        first = Some(body);
                    }
                    Some(first) => assert!(*first == body, "{how}: the exports differ"),
                }
            }
        });
        let grown = peak_memory(pid).saturating_sub(before);
        eprintln!("{how}: the peak memory grew by {grown} bytes for three exports of {size}");
        assert!(
            grown < bound,
            "{how}: the server's peak memory grew by {grown} bytes for exports of {size}"
        );
    };

    // The plain door.
    let (mut server, addr) = site.serve_http("http", &["--threads", "4"]);
    let port = addr.port();
    // Warm up: the first pages load templates and open connections.
    assert_eq!(fetch(port, "GET", "/sympa/arc/big").0, 200);
    download_three(port, server.pid(), "plain door");
    let (status, head, body, _) = fetch(port, "HEAD", path);
    assert_eq!(status, 200);
    assert!(head.contains("content-disposition"), "{head}");
    assert!(body.is_empty());
    // Clients that leave after the first bytes, as many as the server has threads: the
    // others are served as before (no thread is lost waiting on them).
    for _ in 0..4 {
        let stream = TcpStream::connect(addr).unwrap();
        (&stream)
            .write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
            .unwrap();
        let mut some = [0u8; 4096];
        (&stream).read_exact(&mut some).unwrap();
    }
    download_three(port, server.pid(), "plain door, after clients left");
    assert!(server.guard.alive());
    server.assert_no_panic();
    drop(server);

    // nginx over FastCGI.
    let Some(nginx) = peer("nginx") else {
        return;
    };
    let (mut server, addr) = site.serve_unix("fcgi", &["--threads", "4"]);
    let Addr::Unix(socket) = addr else {
        unreachable!()
    };
    let dir = site.path().join("nginx");
    std::fs::create_dir_all(&dir).unwrap();
    let proxy = Nginx::start(
        &nginx,
        &dir,
        &format!(
            "server {{ listen 127.0.0.1:PORT0; location /sympa {{ include /etc/nginx/fastcgi_params; \
             fastcgi_pass unix:{}; }} }}",
            socket.display()
        ),
        1,
    );
    let port = proxy.ports[0];
    assert_eq!(fetch(port, "GET", "/sympa/arc/big").0, 200);
    download_three(port, server.pid(), "nginx");
    let (status, _, body, _) = fetch(port, "HEAD", path);
    assert_eq!(status, 200);
    assert!(body.is_empty());
    assert!(wait_until(WAIT, || server.guard.alive()));
    server.assert_no_panic();
    proxy.stop();
}
