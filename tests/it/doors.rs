//! The front doors under hostile clients (issue 9): the plain-HTTP door's limits and answers, and slow clients that must not keep the application from others, on FastCGI and HTTP.
//!
//! Most tests run a real `wwsympa serve` and talk to it over raw sockets; the body-limit
//! hook is tested in process, with a service of its own, on both doors.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::net::UnixStream;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use wwsympa::fcgi;
use wwsympa::http::plain::{self, Http};
use wwsympa::http::{FcgiAdapter, Gate, Request, Response, Service};
use wwsympa::runtime::Activity;

use crate::support::fcgi_client::*;
use crate::support::process::{Server, Site};

/// How long any read in these tests may wait.
const WAIT: Duration = Duration::from_secs(10);

/// Sends `bytes` on a fresh connection and reads until the server closes it (or `WAIT`).
fn exchange(addr: SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    stream.write_all(bytes).unwrap();
    read_until_closed(&mut stream)
}

/// Reads until end of stream; a reset ends it too (the server may close with our bytes unread).
fn read_until_closed(stream: &mut impl Read) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return out,
            Err(e) => panic!("the server neither answered nor closed: {e}; got {out:?}"),
        }
    }
}

/// The status codes of the HTTP answers in `raw`, in order (interim ones included).
fn statuses(raw: &[u8]) -> Vec<u16> {
    let text = String::from_utf8_lossy(raw);
    text.match_indices("HTTP/1.1 ")
        .filter_map(|(at, _)| text.get(at + 9..at + 12)?.parse().ok())
        .collect()
}

fn text(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).into_owned()
}

/// The process is alive, serves the home page over HTTP, and logged no panic.
fn still_serves_http(server: &mut Server, addr: SocketAddr) {
    assert!(server.guard.alive(), "process {} died", server.pid());
    let answer = exchange(
        addr,
        b"GET /sympa/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(statuses(&answer), [200], "{}", text(&answer));
    assert!(server.guard.alive(), "process {} died", server.pid());
    server.assert_no_panic();
}

/// Regression: tiny_http 0.12 aborted the whole process ("memory allocation of
/// 9000000000000000000 bytes failed") when it dropped a request whose declared body it had
/// not read, on any path and method.
#[test]
fn huge_content_lengths_get_413_and_the_process_lives() {
    let site = Site::new("http-huge", "");
    let (mut server, addr) = site.serve_http("http", &[]);
    for (method, path, length) in [
        ("POST", "/sympa/login", "9000000000000000000"),
        ("GET", "/sympa/", "100000000000"),
        ("GET", "/sympa/lists", "1000000000"),
        ("HEAD", "/nowhere", "18446744073709551615"),
    ] {
        let request =
            format!("{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\nabc");
        let answer = exchange(addr, request.as_bytes());
        assert_eq!(statuses(&answer), [413], "{length}: {}", text(&answer));
        assert!(text(&answer).contains("Connection: close\r\n"));
    }
    still_serves_http(&mut server, addr);
    assert!(server.stop(libc::SIGTERM).success());
}

/// The door's memory grows with the bytes that arrive, not with the declared length: with a
/// 4 GB body limit, four clients declaring 1 GB each and sending 3 bytes cost next to nothing.
#[test]
fn a_declared_body_is_not_allocated_before_it_arrives() {
    let site = Site::new("http-declared", "max_body_size = 4000000000");
    let (mut server, addr) = site.serve_http("http", &[]);
    let vm_size = |pid: u32| -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmSize:")).unwrap();
        line.split_whitespace()
            .nth(1)
            .unwrap()
            .parse::<u64>()
            .unwrap()
            * 1024
    };
    still_serves_http(&mut server, addr);
    let before = vm_size(server.pid());
    let clients: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut stream = TcpStream::connect(addr).unwrap();
            stream
                .write_all(
                    b"POST /sympa/login HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\nabc",
                )
                .unwrap();
            stream
        })
        .collect();
    // Give the connection threads time to read the heads and start on the bodies.
    std::thread::sleep(Duration::from_millis(500));
    let grown = vm_size(server.pid()).saturating_sub(before);
    // Less than one of the declared bodies (thread arenas of the allocator do take some).
    assert!(
        grown < 1_000_000_000,
        "four 1 GB declarations grew the process by {grown} bytes"
    );
    drop(clients);
    still_serves_http(&mut server, addr);
    assert!(server.stop(libc::SIGTERM).success());
}

/// Every malformed request gets an answer, `400 Bad Request`, never a silent close (tiny_http
/// closed the connection without a word on raw 0xFF bytes in the request line).
#[test]
fn malformed_requests_get_400_never_a_silent_close() {
    let site = Site::new("http-malformed", "");
    let (mut server, addr) = site.serve_http("http", &[]);
    let cases: &[(&str, &[u8])] = &[
        ("0xFF in the path", b"GET /\xff HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("0xFF as the method", b"\xff\xfe / HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("garbage", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"),
        ("HTTP/2", b"GET / HTTP/2.0\r\nHost: x\r\n\r\n"),
        ("no version", b"GET /sympa/\r\n\r\n"),
        ("no Host", b"GET /sympa/ HTTP/1.1\r\n\r\n"),
        ("two Hosts", b"GET /sympa/ HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
        ("space before colon", b"GET / HTTP/1.1\r\nHost : x\r\n\r\n"),
        ("folded field", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n"),
        ("NUL in a value", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n"),
        ("not UTF-8 once decoded", b"GET /sympa/%FF HTTP/1.1\r\nHost: x\r\n\r\n"),
        (
            "two Content-Lengths",
            b"POST /sympa/login HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
        ),
        (
            "conflicting Content-Lengths",
            b"POST /sympa/login HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabcd",
        ),
        (
            "a negative Content-Length",
            b"POST /sympa/login HTTP/1.1\r\nHost: x\r\nContent-Length: -3\r\n\r\nabc",
        ),
        (
            "Content-Length past 2^64",
            b"POST /sympa/login HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
        ),
        (
            "Transfer-Encoding beside Content-Length",
            b"POST /sympa/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
        ),
        (
            "chunked not last",
            b"POST /sympa/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
        ),
        (
            "a bad chunk size",
            b"POST /sympa/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        ),
        (
            "a head cut short",
            b"GET /sympa/ HTTP/1.1\r\nHost: x\r\nX-A: unfinis",
        ),
    ];
    for (what, bytes) in cases {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        stream.write_all(bytes).unwrap();
        // The cut-short head is only known to be cut short when we stop sending.
        stream.shutdown(std::net::Shutdown::Write).unwrap();
        let answer = read_until_closed(&mut stream);
        let text = text(&answer);
        assert_eq!(statuses(&answer), [400], "{what}: {text:?}");
        assert!(text.contains("Connection: close\r\n"), "{what}: {text}");
    }
    still_serves_http(&mut server, addr);
    assert!(server.stop(libc::SIGTERM).success());
}

#[test]
fn oversized_heads_get_431() {
    let site = Site::new("http-431", "");
    let (mut server, addr) = site.serve_http("http", &[]);
    let long_field = format!(
        "GET /sympa/ HTTP/1.1\r\nHost: x\r\nX-Long: {}\r\n\r\n",
        "v".repeat(20_000)
    );
    let many_fields = format!(
        "GET /sympa/ HTTP/1.1\r\nHost: x\r\n{}\r\n",
        (0..100)
            .map(|i| format!("X-F{i}: v\r\n"))
            .collect::<String>()
    );
    let blank_lines = "\r\n".repeat(10_000);
    for (what, request) in [
        ("a 20 kB field", long_field),
        ("100 fields", many_fields),
        ("10,000 blank lines", blank_lines),
    ] {
        let answer = exchange(addr, request.as_bytes());
        assert_eq!(statuses(&answer), [431], "{what}: {}", text(&answer));
    }
    // Just under the limits is fine.
    let fine = format!(
        "GET /sympa/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{}\r\n",
        (0..60)
            .map(|i| format!("X-F{i}: v\r\n"))
            .collect::<String>()
    );
    assert_eq!(statuses(&exchange(addr, fine.as_bytes())), [200]);
    still_serves_http(&mut server, addr);
    assert!(server.stop(libc::SIGTERM).success());
}

/// `Expect: 100-continue` gets `100 Continue` when the body will be read, and the final
/// answer at once (no 100) when it will not.
#[test]
fn expect_100_continue_is_answered_only_for_a_wanted_body() {
    let site = Site::new("http-expect", "max_body_size = 1000");
    let (mut server, addr) = site.serve_http("http", &[]);
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    stream
        .write_all(b"POST /sympa/login HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut interim = [0u8; 25];
    stream.read_exact(&mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(b"a=b&c").unwrap();
    let answer = read_until_closed(&mut stream);
    assert!(
        statuses(&answer).first().is_some_and(|s| *s >= 200),
        "{}",
        text(&answer)
    );

    let too_large = exchange(
        addr,
        b"POST /sympa/login HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n",
    );
    assert_eq!(statuses(&too_large), [413], "{}", text(&too_large));
    let odd = exchange(
        addr,
        b"POST /sympa/login HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\nContent-Length: 1\r\n\r\na",
    );
    assert_eq!(statuses(&odd), [417], "{}", text(&odd));
    still_serves_http(&mut server, addr);
    assert!(server.stop(libc::SIGTERM).success());
}

/// Chunked bodies are decoded with the body limit, and leave the connection exactly at the
/// next request.
#[test]
fn chunked_bodies_are_decoded_within_the_body_limit() {
    let site = Site::new("http-chunked", "max_body_size = 1000");
    let (mut server, addr) = site.serve_http("http", &[]);
    let over =
        format!(
        "POST /sympa/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{}0\r\n\r\n",
        "190\r\n".to_string() + &"x".repeat(400) + "\r\n" + "190\r\n" + &"x".repeat(400) + "\r\n"
            + "190\r\n" + &"x".repeat(400) + "\r\n"
    );
    let answer = exchange(addr, over.as_bytes());
    assert_eq!(statuses(&answer), [413], "{}", text(&answer));

    // Within the limit: the login page gets the form (no CSRF token: 403 from the app, not a
    // 400 from the door), and the pipelined GET behind it is answered too.
    let within = b"POST /sympa/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n\
                   5;ext=1\r\nemail\r\n9\r\n=a@b.org&\r\n0\r\nX-Trailer: t\r\n\r\n\
                   GET /sympa/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    let answers = exchange(addr, within);
    assert_eq!(statuses(&answers), [403, 200], "{}", text(&answers));
    still_serves_http(&mut server, addr);
    assert!(server.stop(libc::SIGTERM).success());
}

/// HEAD gets the GET's head with no body, keep-alive answers pipelined requests in order, and
/// HTTP/1.0 is answered with `Connection: close`.
#[test]
fn head_has_no_body_and_kept_connections_answer_in_order() {
    let site = Site::new("http-keep", "");
    let (mut server, addr) = site.serve_http("http", &[]);
    let answers = exchange(
        addr,
        b"HEAD /sympa/ HTTP/1.1\r\nHost: x\r\n\r\n\
          GET /sympa/nowhere-at-all HTTP/1.1\r\nHost: x\r\n\r\n\
          GET /sympa/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    let text = text(&answers);
    assert_eq!(statuses(&answers), [200, 404, 200], "{text}");
    // The HEAD answer is followed directly by the next answer: no body in between.
    let (head, rest) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.contains("Content-Length: "), "{head}");
    assert!(!head.contains("Connection: close"), "{head}");
    assert!(rest.starts_with("HTTP/1.1 404 "), "{rest}");
    assert_eq!(text.matches("Connection: close").count(), 1);

    let old = exchange(addr, b"GET /sympa/ HTTP/1.0\r\n\r\n");
    assert_eq!(statuses(&old), [200]);
    assert!(self::text(&old).contains("Connection: close\r\n"));
    still_serves_http(&mut server, addr);
    assert!(server.stop(libc::SIGTERM).success());
}

/// What a slow client sends: a POST declaring 100 bytes of body, and 7 of them.
const STALLED_HTTP: &[u8] =
    b"POST /sympa/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n1234567";

fn stalled_fcgi() -> Vec<u8> {
    let mut bytes = begin(1, 1, false);
    bytes.extend(stream(
        PARAMS,
        1,
        &request_params("POST", "/sympa/login", Some(100)),
        65535,
    ));
    bytes.extend(record(STDIN, 1, b"1234567"));
    bytes
}

/// Returns true if and only if nothing has been answered on `stream` yet (it is still waiting).
fn unanswered(stream: &UnixStream) -> bool {
    stream.set_nonblocking(true).unwrap();
    let mut byte = [0u8; 1];
    let waiting =
        matches!((&*stream).read(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock);
    stream.set_nonblocking(false).unwrap();
    waiting
}

/// Issue 9 probe: four clients that sent part of a body took all four workers, and a normal
/// request waited 32 s. Slow clients hold connection threads; handler slots are taken only
/// by requests that have arrived whole.
#[test]
fn stalled_fastcgi_bodies_do_not_keep_a_normal_request_waiting() {
    let site = Site::new("stalled-fcgi", "");
    let (server, addr) = site.serve_unix("fcgi", &["--threads", "2", "--request-timeout", "30s"]);
    let Addr::Unix(path) = &addr else {
        unreachable!()
    };
    // Three times the handler slots.
    let stalled: Vec<UnixStream> = (0..6)
        .map(|_| {
            let stream = UnixStream::connect(path).unwrap();
            (&stream).write_all(&stalled_fcgi()).unwrap();
            stream
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let mut conn = addr.connect().unwrap();
    conn.set_read_timeout(Duration::from_secs(5)).unwrap();
    conn.write_all(&get_request(1, "/sympa/", false)).unwrap();
    let reply = read_reply(&mut conn, 1).expect("answered while the slow clients wait");
    let took = started.elapsed();
    reply.ok_body();
    assert!(
        took < Duration::from_millis(800),
        "the normal request took {took:?}"
    );
    assert!(
        stalled.iter().all(unanswered),
        "the slow clients are still waiting for their answer"
    );
    drop(stalled);
    server.assert_no_panic();
    drop(server);
}

#[test]
fn stalled_http_bodies_do_not_keep_a_normal_request_waiting() {
    let site = Site::new("stalled-http", "");
    let (mut server, addr) =
        site.serve_http("http", &["--threads", "2", "--request-timeout", "30s"]);
    let stalled: Vec<TcpStream> = (0..6)
        .map(|_| {
            let mut stream = TcpStream::connect(addr).unwrap();
            stream.write_all(STALLED_HTTP).unwrap();
            stream
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
        .write_all(b"GET /sympa/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let answer = read_until_closed(&mut stream);
    let took = started.elapsed();
    assert_eq!(statuses(&answer), [200], "{}", text(&answer));
    assert!(
        took < Duration::from_millis(800),
        "the normal request took {took:?}"
    );
    for mut client in stalled {
        client.set_nonblocking(true).unwrap();
        let mut byte = [0u8; 1];
        assert!(
            matches!(client.read(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
            "the slow clients are still waiting for their answer"
        );
    }
    still_serves_http(&mut server, addr);
}

/// A client that stops sending its body is answered 408 and cut off at the request timeout.
#[test]
fn a_stalled_fastcgi_body_is_cut_off_at_the_request_timeout() {
    let site = Site::new("cutoff-fcgi", "");
    let (server, addr) = site.serve_unix("fcgi", &["--threads", "1", "--request-timeout", "1s"]);
    let started = Instant::now();
    let mut conn = addr.connect().unwrap();
    conn.write_all(&stalled_fcgi()).unwrap();
    let reply = read_reply(&mut conn, 1).expect("an answer at the deadline");
    let mut rest = Vec::new();
    let _ = conn.read_to_end(&mut rest);
    let took = started.elapsed();
    assert_eq!(reply.status(), 408, "{}", reply.head());
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(3),
        "cut off after {took:?}"
    );
    let home = get(&addr, "/sympa/").unwrap();
    assert_eq!(home.status(), 200);
    server.assert_no_panic();
}

#[test]
fn a_stalled_http_body_is_cut_off_at_the_request_timeout() {
    let site = Site::new("cutoff-http", "");
    let (mut server, addr) =
        site.serve_http("http", &["--threads", "1", "--request-timeout", "1s"]);
    let started = Instant::now();
    let answer = exchange(addr, STALLED_HTTP);
    let took = started.elapsed();
    assert_eq!(statuses(&answer), [408], "{}", text(&answer));
    assert!(text(&answer).contains("Connection: close\r\n"));
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(3),
        "cut off after {took:?}"
    );
    // A head trickled a byte at a time is cut off at the same deadline.
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let started = Instant::now();
    let writer = stream.try_clone().unwrap();
    let trickle = std::thread::spawn(move || {
        for byte in b"GET /sympa/ HTTP/1.1\r\nHost: x\r\nX-Slow: "
            .iter()
            .cycle()
            .take(100)
        {
            if (&writer).write_all(&[*byte]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let answer = read_until_closed(&mut stream);
    let took = started.elapsed();
    assert_eq!(statuses(&answer), [408], "{}", text(&answer));
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(3),
        "cut off after {took:?}"
    );
    drop(stream);
    trickle.join().unwrap();
    // A connection that sends nothing is closed without a word.
    let started = Instant::now();
    assert!(exchange(addr, b"").is_empty());
    assert!(started.elapsed() < Duration::from_secs(3));
    still_serves_http(&mut server, addr);
}

/// Answers with the body length; asks for at most 10 bytes of body on `/small`.
struct Sized;

impl Service for Sized {
    fn call(&self, request: &Request) -> Response {
        Response::text(200, format!("{} bytes", request.body.len()))
    }

    fn body_limit(&self, request: &Request) -> Option<u64> {
        (request.path == "/small").then_some(10)
    }
}

/// Both doors ask the service for its body limit before they read the body, and use the
/// smaller of it and their own.
#[test]
fn the_services_body_limit_lowers_the_doors_limit_on_both_doors() {
    let service: Arc<dyn Service> = Arc::new(Sized);
    let gate = Arc::new(Gate::new(1));
    let limits = plain::Limits {
        max_body: 100,
        ..plain::Limits::default()
    };
    let http = Http::new(service.clone(), gate.clone(), limits);
    for (path, len, status) in [
        ("/small", 10, 200),
        ("/small", 11, 413),
        ("/big", 20, 200),
        ("/big", 101, 413),
    ] {
        let (client, server) = UnixStream::pair().unwrap();
        let body = "x".repeat(len);
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n{body}"
        );
        (&client).write_all(request.as_bytes()).unwrap();
        client.shutdown(std::net::Shutdown::Write).unwrap();
        let served = http
            .serve_connection(&server, None, &Activity::new(), &AtomicBool::new(false))
            .unwrap();
        assert_eq!(served, 1);
        drop(server);
        let answer = read_until_closed(&mut &client);
        assert_eq!(
            statuses(&answer),
            [status],
            "{path} {len}: {}",
            text(&answer)
        );
        if status == 200 {
            assert!(text(&answer).ends_with(&format!("{len} bytes")));
        }
    }

    let adapter = FcgiAdapter::new(service, 100, gate);
    let fcgi_limits = fcgi::Limits::default();
    for (path, len, status) in [
        ("/small", 10, 200),
        ("/small", 11, 413),
        ("/big", 20, 200),
        ("/big", 101, 413),
    ] {
        let (client, server) = UnixStream::pair().unwrap();
        let mut bytes = begin(1, 1, false);
        let params = request_params("POST", path, Some(len));
        bytes.extend(stream(PARAMS, 1, &params, 65535));
        bytes.extend(stream(STDIN, 1, &vec![b'x'; len], 65535));
        (&client).write_all(&bytes).unwrap();
        let served =
            fcgi::serve_connection(&server, &adapter, &fcgi_limits, &AtomicBool::new(false))
                .unwrap();
        assert_eq!(served, 1);
        drop(server);
        let reply = read_reply(&mut &client, 1).unwrap();
        assert_eq!(reply.status(), status, "{path} {len}: {}", reply.head());
        if status == 200 {
            assert_eq!(reply.body(), format!("{len} bytes"));
        }
    }
}

/// The probe's 8 MiB form of 2.7 million empty fields to `/login`: both real doors answer 413
/// from the action's own limit (16 KiB) before reading the body, and a bulk action still takes
/// a larger one.
#[test]
fn a_login_form_past_its_actions_limit_gets_413_before_the_body_is_read() {
    let site = Site::new("http-action-limit", "");
    let (mut server, addr) = site.serve_http("http", &[]);
    let flood = "&a=".repeat(2_700_000);
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let head = format!(
        "POST /sympa/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        flood.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    // Only the head was sent: the answer (and the close) comes before any of the body, or
    // `read_until_closed` gives up after WAIT and fails the test.
    let answer = read_until_closed(&mut stream);
    assert_eq!(statuses(&answer), [413], "{}", text(&answer));
    // A body within the door's limit but past the action's gets 413 too, whole or not.
    let request = format!(
        "POST /sympa/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{}",
        20_000,
        "e".repeat(20_000)
    );
    assert_eq!(statuses(&exchange(addr, request.as_bytes())), [413]);
    // A bulk action's larger body is read (and refused for its missing token, not its size).
    let request = format!(
        "POST /sympa/add/nolist HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{}",
        100_000,
        "e".repeat(100_000)
    );
    let answer = exchange(addr, request.as_bytes());
    assert_ne!(statuses(&answer), [413], "{}", text(&answer));
    still_serves_http(&mut server, addr);

    // The FastCGI door, the same way.
    let (mut fcgi_server, fcgi_addr) = site.serve_unix("fcgi", &[]);
    let mut bytes = begin(1, 1, false);
    bytes.extend(record(
        PARAMS,
        1,
        &request_params("POST", "/sympa/login", Some(flood.len())),
    ));
    bytes.extend(record(PARAMS, 1, &[]));
    let mut conn = fcgi_addr.connect().unwrap();
    conn.set_read_timeout(WAIT).unwrap();
    conn.write_all(&bytes).unwrap();
    let reply = read_reply(&mut conn, 1).unwrap();
    assert_eq!(reply.status(), 413, "{}", reply.head());
    assert!(fcgi_server.guard.alive());
    assert!(fcgi_server.stop(libc::SIGTERM).success());
    assert!(server.stop(libc::SIGTERM).success());
}
