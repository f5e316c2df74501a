//! The malformed-input probe table of reference/fastcgi.md against a real `wwsympa serve`, plus in-process protocol tests.
//!
//! Each probe runs on a fresh connection to its own server process (`--listen unix:…`,
//! one thread); afterwards a normal request must be answered by that same process, which
//! must still be alive and must not have logged a panic.

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use wwsympa::fcgi::{self, Handler, Limits, Output, Request};

use crate::support::fcgi_client::*;
use crate::support::process::{Server, Site};
use crate::support::TempDir;

/// A server for one probe: its own site, socket and process.
struct Probe {
    site: Site,
    server: Server,
    addr: Addr,
}

impl Probe {
    fn start(name: &str) -> Probe {
        Probe::with_config(name, "")
    }

    fn with_config(name: &str, extra: &str) -> Probe {
        Probe::with(name, extra, &[])
    }

    /// One handler slot and one connection thread, so that a probe that wedged the
    /// connection would leave nothing to answer the normal request afterwards.
    fn with(name: &str, extra: &str, args: &[&str]) -> Probe {
        let site = Site::new(&format!("probe-{name}"), extra);
        let mut all = vec!["--threads", "1", "--conns", "1"];
        all.extend_from_slice(args);
        let (server, addr) = site.serve_unix("fcgi", &all);
        Probe { site, server, addr }
    }

    fn connect(&self) -> Conn {
        self.addr.connect().unwrap()
    }

    /// The same process is alive, answers a normal request, and logged no panic; then it stops cleanly.
    fn still_serves(mut self) {
        let pid = self.server.pid();
        assert!(self.server.guard.alive(), "process {pid} died");
        let reply = get(&self.addr, "/sympa/lists").unwrap();
        assert!(reply.ok_body().contains(r#"class="action-lists""#));
        assert!(self.server.guard.alive(), "process {pid} died");
        self.server.assert_no_panic();
        let status = self.server.stop(libc::SIGTERM);
        assert!(status.success(), "{status:?}");
        drop(self.site);
    }

    /// Waits until the server logged that it closed a malformed connection.
    fn logged_malformed(&mut self) {
        self.server.wait_for_log("malformed FastCGI input");
    }
}

/// Asserts the server closes the connection without answering a request.
fn closed_without_answer(conn: &mut Conn) {
    let records = read_to_eof(conn).expect("the server closes the connection");
    assert!(
        records
            .iter()
            .all(|r| r.kind != STDOUT && r.kind != END_REQUEST),
        "{records:?}"
    );
}

/// Reproducible bytes (xorshift), standing in for random garbage.
fn garbage(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

#[test]
fn random_bytes_close_the_connection() {
    let mut probe = Probe::start("random");
    let bytes = garbage(64, 0x5eed_1234_abcd_0001);
    // A first byte of 1 would be a valid version and make this a record, not garbage.
    assert_ne!(bytes[0], 1);
    let mut conn = probe.connect();
    conn.write_all(&bytes).unwrap();
    closed_without_answer(&mut conn);
    probe.logged_malformed();
    probe.still_serves();
}

#[test]
fn version_2_header_closes_the_connection() {
    let mut probe = Probe::start("version2");
    let mut bytes = get_request(1, "/sympa/", false);
    bytes[0] = 2;
    let mut conn = probe.connect();
    conn.write_all(&bytes).unwrap();
    closed_without_answer(&mut conn);
    probe.logged_malformed();
    probe.still_serves();
}

#[test]
fn begin_request_with_empty_body_closes_the_connection() {
    let mut probe = Probe::start("emptybegin");
    let mut conn = probe.connect();
    conn.write_all(&record(BEGIN_REQUEST, 1, &[])).unwrap();
    closed_without_answer(&mut conn);
    probe.logged_malformed();
    probe.still_serves();
}

#[test]
fn three_byte_header_then_eof_closes_the_connection() {
    let mut probe = Probe::start("shortheader");
    let mut conn = probe.connect();
    conn.write_all(&[1, BEGIN_REQUEST, 0]).unwrap();
    conn.shutdown_write().unwrap();
    closed_without_answer(&mut conn);
    probe.logged_malformed();
    probe.still_serves();
}

#[test]
fn stdout_and_type_0_from_the_client_are_ignored_or_unknown() {
    let probe = Probe::start("stdout");
    let mut conn = probe.connect();
    let mut bytes = record(STDOUT, 1, b"not for you");
    bytes.extend(record(STDOUT, 0, b"nor this"));
    bytes.extend(record(0, 0, &[0; 8]));
    bytes.extend(get_request(1, "/sympa/lists", false));
    conn.write_all(&bytes).unwrap();
    let reply = read_reply(&mut conn, 1).unwrap();
    assert!(reply.ok_body().contains(r#"class="action-lists""#));
    let unknown: Vec<_> = reply
        .records
        .iter()
        .filter(|r| r.kind == UNKNOWN_TYPE)
        .collect();
    assert_eq!(unknown.len(), 1, "{:?}", reply.records);
    assert_eq!(unknown[0].id, 0);
    assert_eq!(unknown[0].content[0], 0, "UNKNOWN_TYPE names type 0");
    probe.still_serves();
}

#[test]
fn pair_length_beyond_the_content_closes_the_connection() {
    let mut probe = Probe::start("pairlen");
    let mut conn = probe.connect();
    let mut bytes = begin(1, 1, false);
    // Name length 2^31-1, value length 1, then one byte: far more declared than sent.
    bytes.extend(stream(
        PARAMS,
        1,
        &[0xff, 0xff, 0xff, 0xff, 0x01, b'a'],
        65535,
    ));
    bytes.extend(record(STDIN, 1, &[]));
    conn.write_all(&bytes).unwrap();
    closed_without_answer(&mut conn);
    probe.logged_malformed();
    probe.still_serves();
}

#[test]
fn non_utf8_value_before_request_uri_keeps_request_uri() {
    let probe = Probe::start("latin1");
    let mut params = pair(b"HTTP_X_LATIN1", b"caf\xe9");
    params.extend(get_params("/sympa/lists"));
    let mut bytes = begin(1, 1, false);
    bytes.extend(stream(PARAMS, 1, &params, 65535));
    bytes.extend(record(STDIN, 1, &[]));
    let mut conn = probe.connect();
    conn.write_all(&bytes).unwrap();
    let reply = read_reply(&mut conn, 1).unwrap();
    assert!(
        reply.ok_body().contains(r#"class="action-lists""#),
        "REQUEST_URI after the non-UTF-8 value was honoured"
    );
    probe.still_serves();
}

#[test]
fn two_hundred_thousand_empty_pairs_get_431() {
    let probe = Probe::start("manypairs");
    let mut bytes = begin(1, 1, false);
    bytes.extend(stream(PARAMS, 1, &vec![0u8; 2 * 200_000], 65535));
    bytes.extend(record(STDIN, 1, &[]));
    let mut conn = probe.connect();
    conn.write_all(&bytes).unwrap();
    let reply = read_reply(&mut conn, 1).unwrap();
    assert_eq!(reply.status(), 431, "{}", reply.head());
    assert_eq!(reply.end, Some((0, REQUEST_COMPLETE)));
    probe.still_serves();
}

#[test]
fn too_many_small_pairs_get_431() {
    // 3000 distinct short pairs: well under the byte limit, over the pair limit.
    let probe = Probe::start("pairlimit");
    let mut params = get_params("/sympa/lists");
    for i in 0..3000 {
        params.extend(pair(format!("HTTP_X_{i}").as_bytes(), b"v"));
    }
    let mut bytes = begin(1, 1, false);
    bytes.extend(stream(PARAMS, 1, &params, 65535));
    bytes.extend(record(STDIN, 1, &[]));
    let mut conn = probe.connect();
    conn.write_all(&bytes).unwrap();
    let reply = read_reply(&mut conn, 1).unwrap();
    assert_eq!(reply.status(), 431, "{}", reply.head());
    probe.still_serves();
}

#[test]
fn pair_split_across_two_params_records() {
    let probe = Probe::start("split");
    let params = get_params("/sympa/lists");
    let at = find_middle_of(&params, b"/sympa/lists");
    let mut bytes = begin(1, 1, false);
    bytes.extend(record(PARAMS, 1, &params[..at]));
    bytes.extend(record(PARAMS, 1, &params[at..]));
    bytes.extend(record(PARAMS, 1, &[]));
    bytes.extend(record(STDIN, 1, &[]));
    let mut conn = probe.connect();
    conn.write_all(&bytes).unwrap();
    let reply = read_reply(&mut conn, 1).unwrap();
    assert!(reply.ok_body().contains(r#"class="action-lists""#));
    probe.still_serves();
}

/// An offset inside the first occurrence of `needle`, so a split there cuts a value in two.
fn find_middle_of(haystack: &[u8], needle: &[u8]) -> usize {
    let start = haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap();
    start + needle.len() / 2
}

#[test]
fn keep_conn_then_eof_is_a_clean_close() {
    let probe = Probe::start("keepeof");
    let mut conn = probe.connect();
    conn.write_all(&get_request(1, "/sympa/", true)).unwrap();
    let reply = read_reply(&mut conn, 1).unwrap();
    assert!(reply.ok_body().contains(r#"class="action-home""#));
    conn.shutdown_write().unwrap();
    let rest = read_to_eof(&mut conn).unwrap();
    assert!(rest.is_empty(), "{rest:?}");
    probe.still_serves();
}

#[test]
fn two_pipelined_requests_on_one_keep_conn_connection() {
    let probe = Probe::start("pipelined");
    let mut conn = probe.connect();
    let mut bytes = get_request(1, "/sympa/", true);
    bytes.extend(get_request(2, "/sympa/lists", true));
    conn.write_all(&bytes).unwrap();
    let first = read_reply(&mut conn, 1).unwrap();
    assert!(first.ok_body().contains(r#"class="action-home""#));
    let second = read_reply(&mut conn, 2).unwrap();
    assert!(second.ok_body().contains(r#"class="action-lists""#));
    probe.still_serves();
}

#[test]
fn unknown_role_gets_unknown_role() {
    let probe = Probe::start("role");
    let mut conn = probe.connect();
    conn.write_all(&begin(1, 7, false)).unwrap();
    let records = read_to_eof(&mut conn).unwrap();
    let ends: Vec<_> = records.iter().filter_map(|r| r.end_status()).collect();
    assert_eq!(ends, vec![(0, UNKNOWN_ROLE)], "{records:?}");
    assert!(records.iter().all(|r| r.id == 1 || r.kind == UNKNOWN_TYPE));
    probe.still_serves();
}

#[test]
fn padding_7_5_3_1_on_every_record() {
    let probe = Probe::start("padding");
    let paddings = [7u8, 5, 3, 1];
    let mut next = paddings.iter().cycle();
    let params = get_params("/sympa/lists");
    let (a, b) = params.split_at(params.len() / 3);
    let mut bytes = Vec::new();
    let body = [0u8, 1, 0, 0, 0, 0, 0, 0];
    bytes.extend(record_padded(
        BEGIN_REQUEST,
        1,
        &body,
        *next.next().unwrap(),
    ));
    for chunk in [a, b, &[][..]] {
        bytes.extend(record_padded(PARAMS, 1, chunk, *next.next().unwrap()));
    }
    bytes.extend(record_padded(STDIN, 1, &[], *next.next().unwrap()));
    let mut conn = probe.connect();
    conn.write_all(&bytes).unwrap();
    let reply = read_reply(&mut conn, 1).unwrap();
    assert!(reply.ok_body().contains(r#"class="action-lists""#));
    probe.still_serves();
}

#[test]
fn get_values_answers_max_conns_max_reqs_and_no_multiplexing() {
    let probe = Probe::start("getvalues");
    let mut query = pair(b"FCGI_MAX_CONNS", b"");
    query.extend(pair(b"FCGI_MAX_REQS", b""));
    query.extend(pair(b"FCGI_MPXS_CONNS", b""));
    query.extend(pair(b"FCGI_SOMETHING_ELSE", b""));
    let mut conn = probe.connect();
    conn.write_all(&record(GET_VALUES, 0, &query)).unwrap();
    let answer = read_record(&mut conn).unwrap().unwrap();
    assert_eq!((answer.kind, answer.id), (GET_VALUES_RESULT, 0));
    let pairs = decode_pairs(&answer.content);
    let value = |name: &[u8]| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| String::from_utf8(v.clone()).unwrap())
    };
    // One thread: one connection at a time.
    assert_eq!(value(b"FCGI_MAX_CONNS").as_deref(), Some("1"));
    assert_eq!(value(b"FCGI_MAX_REQS").as_deref(), Some("1"));
    assert_eq!(value(b"FCGI_MPXS_CONNS").as_deref(), Some("0"));
    assert_eq!(value(b"FCGI_SOMETHING_ELSE"), None);
    // The connection is still usable for a request.
    conn.write_all(&get_request(1, "/sympa/", false)).unwrap();
    read_reply(&mut conn, 1).unwrap().ok_body();
    probe.still_serves();
}

#[test]
fn second_begin_on_the_same_connection_gets_cant_mpx_conn() {
    let probe = Probe::start("mpx");
    let mut bytes = begin(1, 1, false);
    bytes.extend(begin(2, 1, false));
    bytes.extend(stream(PARAMS, 1, &get_params("/sympa/lists"), 65535));
    bytes.extend(record(STDIN, 1, &[]));
    let mut conn = probe.connect();
    conn.write_all(&bytes).unwrap();
    let reply = read_reply(&mut conn, 1).unwrap();
    assert!(reply.ok_body().contains(r#"class="action-lists""#));
    let refused: Vec<_> = reply
        .records
        .iter()
        .filter(|r| r.id == 2)
        .map(|r| r.end_status())
        .collect();
    assert_eq!(
        refused,
        vec![Some((0, CANT_MPX_CONN))],
        "{:?}",
        reply.records
    );
    probe.still_serves();
}

#[test]
fn abort_request_ends_the_request_and_keeps_the_connection() {
    let probe = Probe::start("abort");
    let mut bytes = begin(1, 1, true);
    bytes.extend(record(PARAMS, 1, &get_params("/sympa/")));
    bytes.extend(record(ABORT_REQUEST, 1, &[]));
    let mut conn = probe.connect();
    conn.write_all(&bytes).unwrap();
    let aborted = read_reply(&mut conn, 1).unwrap();
    assert!(aborted.stdout.is_empty(), "{aborted:?}");
    assert_eq!(aborted.end, Some((0, REQUEST_COMPLETE)));
    // keep_conn was asked: the next request on the same connection is served.
    conn.write_all(&get_request(2, "/sympa/lists", false))
        .unwrap();
    assert!(read_reply(&mut conn, 2)
        .unwrap()
        .ok_body()
        .contains(r#"class="action-lists""#));
    probe.still_serves();
}

#[test]
fn abort_during_the_body_ends_the_request() {
    let probe = Probe::start("abortbody");
    let mut bytes = begin(1, 1, false);
    bytes.extend(stream(
        PARAMS,
        1,
        &request_params("POST", "/sympa/lists", Some(1000)),
        65535,
    ));
    bytes.extend(record(STDIN, 1, &[b'a'; 100]));
    bytes.extend(record(ABORT_REQUEST, 1, &[]));
    let mut conn = probe.connect();
    conn.write_all(&bytes).unwrap();
    let reply = read_reply(&mut conn, 1).unwrap();
    assert!(reply.end.is_some(), "{reply:?}");
    assert_ne!(reply.status(), 200);
    probe.still_serves();
}

#[test]
fn unknown_management_type_gets_unknown_type() {
    let probe = Probe::start("mgmt");
    let mut conn = probe.connect();
    conn.write_all(&record(0x40, 0, b"whatever")).unwrap();
    let answer = read_record(&mut conn).unwrap().unwrap();
    assert_eq!((answer.kind, answer.id), (UNKNOWN_TYPE, 0));
    assert_eq!(answer.content, [0x40, 0, 0, 0, 0, 0, 0, 0]);
    // The connection stays open for a request; close it so the one worker is free again.
    drop(conn);
    probe.still_serves();
}

#[test]
fn post_of_200_kib_in_four_stdin_records_is_read_whole() {
    let probe = Probe::start("bigpost");
    let body = garbage(200 * 1024, 42);
    let mut bytes = begin(1, 1, true);
    bytes.extend(stream(
        PARAMS,
        1,
        // `add` takes the largest bodies (a thousand addresses).
        &request_params("POST", "/sympa/add/nolist", Some(body.len())),
        65535,
    ));
    bytes.extend(stream(STDIN, 1, &body, body.len() / 4));
    let mut conn = probe.connect();
    conn.write_all(&bytes).unwrap();
    let reply = read_reply(&mut conn, 1).unwrap();
    // The body was read within the limit (no 413), and the page refuses POST as it should.
    assert_eq!(reply.end, Some((0, REQUEST_COMPLETE)));
    assert!(
        reply.status() != 413 && reply.status() < 500,
        "{}",
        reply.head()
    );
    // The whole body was consumed on record boundaries: the kept connection serves the next request.
    conn.write_all(&get_request(2, "/sympa/lists", false))
        .unwrap();
    assert!(read_reply(&mut conn, 2)
        .unwrap()
        .ok_body()
        .contains(r#"class="action-lists""#));
    probe.still_serves();
}

#[test]
fn post_over_the_body_limit_gets_413() {
    let probe = Probe::with_config("toolarge", "max_body_size = 1024");
    let body = vec![b'x'; 4096];
    // Once as declared by CONTENT_LENGTH, once with a CONTENT_LENGTH that lies.
    for declared in [4096, 100] {
        let mut bytes = begin(1, 1, false);
        bytes.extend(stream(
            PARAMS,
            1,
            &request_params("POST", "/sympa/lists", Some(declared)),
            65535,
        ));
        bytes.extend(stream(STDIN, 1, &body, 1000));
        let mut conn = probe.connect();
        conn.write_all(&bytes).unwrap();
        let reply = read_reply(&mut conn, 1).unwrap();
        assert_eq!(reply.status(), 413, "declared {declared}: {}", reply.head());
    }
    probe.still_serves();
}

#[test]
fn huge_params_get_431() {
    let probe = Probe::start("hugeparams");
    let mut params = get_params("/sympa/lists");
    params.extend(pair(b"HTTP_COOKIE", &vec![b'c'; 300 * 1024]));
    let mut bytes = begin(1, 1, false);
    bytes.extend(stream(PARAMS, 1, &params, 65535));
    bytes.extend(record(STDIN, 1, &[]));
    let mut conn = probe.connect();
    conn.write_all(&bytes).unwrap();
    let reply = read_reply(&mut conn, 1).unwrap();
    assert_eq!(reply.status(), 431, "{}", reply.head());
    assert_eq!(reply.end, Some((0, REQUEST_COMPLETE)));
    probe.still_serves();
}

/// Panics on `/panic`, reads the body and answers 200 otherwise.
struct Panicky;

impl Handler for Panicky {
    fn handle(&self, mut request: Request<'_>, out: &mut Output<'_>) -> u32 {
        if request.params.get("REQUEST_URI") == Some(b"/panic") {
            panic!("handler panic on purpose");
        }
        let mut body = Vec::new();
        let read = request.body.read_to_end(&mut body);
        write!(
            out,
            "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nread {} ok={}",
            body.len(),
            read.is_ok()
        )
        .unwrap();
        0
    }
}

#[test]
fn a_panicking_handler_gets_500_and_the_thread_keeps_serving() {
    let dir = TempDir::new("panic");
    let path = dir.path().join("s.sock");
    let listener = UnixListener::bind(&path).unwrap();
    let server = std::thread::spawn(move || {
        let stop = AtomicBool::new(false);
        let mut results = Vec::new();
        for _ in 0..2 {
            let (stream, _) = listener.accept().unwrap();
            let result = fcgi::serve_connection(&stream, &Panicky, &Limits::default(), &stop);
            results.push(result.map_err(|e| e.to_string()));
        }
        results
    });
    let addr = Addr::Unix(path);
    let panicked = get(&addr, "/panic").unwrap();
    assert_eq!(panicked.status(), 500, "{panicked:?}");
    assert!(panicked.end.is_some());
    let fine = get(&addr, "/fine").unwrap();
    assert_eq!(fine.ok_body(), "read 0 ok=true");
    let results = server.join().expect("the serving thread did not die");
    assert_eq!(results, vec![Ok(1), Ok(1)]);
}

/// Regression (found by the fuzz target): when the connection ends inside a STDIN record after
/// part of the body was read, the body reader kept an offset past the (shorter) new record; the
/// drain of a kept connection, or the read-away before closing one, then indexed past it and
/// panicked outside the handler's guard, killing the worker thread.
#[test]
fn connection_ending_inside_a_stdin_record_after_a_partial_read_does_not_panic() {
    for keep_conn in [true, false] {
        let (client, server) = UnixStream::pair().unwrap();
        let mut bytes = begin(1, 1, keep_conn);
        bytes.extend(stream(
            PARAMS,
            1,
            &request_params("POST", "/x", Some(400)),
            65535,
        ));
        bytes.extend(record(STDIN, 1, &[b'a'; 300]));
        // A STDIN header announcing 50 bytes, then only 10 of them, then end of stream.
        bytes.extend(&record(STDIN, 1, &[b'b'; 50])[..18]);
        let mut client_writer = &client;
        client_writer.write_all(&bytes).unwrap();
        client.shutdown(std::net::Shutdown::Write).unwrap();
        let stop = AtomicBool::new(false);
        let limits = Limits {
            read_timeout: Duration::from_secs(5),
            ..Limits::default()
        };
        let result = fcgi::serve_connection(&server, &Panicky, &limits, &stop);
        assert!(
            result.is_ok_and(|served| served == 1),
            "keep_conn {keep_conn}"
        );
        drop(server);
        let mut client_reader = &client;
        let reply = read_reply(&mut client_reader, 1).unwrap();
        assert_eq!(reply.body(), "read 300 ok=false");
    }
}

/// Ignores the request body entirely and answers at once.
struct IgnoresBody;

impl Handler for IgnoresBody {
    fn handle(&self, _request: Request<'_>, out: &mut Output<'_>) -> u32 {
        out.write_all(b"Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nhi")
            .unwrap();
        0
    }
}

/// A unix stream that counts the read-timeout changes the protocol makes (each is a system call).
struct Counting {
    stream: UnixStream,
    timeouts: std::sync::Mutex<Vec<Option<Duration>>>,
}

impl fcgi::Socket for Counting {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> std::io::Result<()> {
        self.timeouts.lock().unwrap().push(timeout);
        self.stream.set_read_timeout(timeout)
    }
}

impl Read for &Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        (&self.stream).read(buf)
    }
}

impl Write for &Counting {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        (&self.stream).write(data)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_plain_request_sets_the_read_timeout_twice_at_most() {
    // Twice per connection, even when the handler leaves the (empty, already received) body unread.
    for body in [&b""[..], b"some body"] {
        let (client, server) = UnixStream::pair().unwrap();
        let server = Counting {
            stream: server,
            timeouts: Default::default(),
        };
        let mut bytes = begin(1, 1, false);
        bytes.extend(stream(
            PARAMS,
            1,
            &request_params("POST", "/x", Some(body.len())),
            65535,
        ));
        bytes.extend(stream(STDIN, 1, body, 65535));
        (&client).write_all(&bytes).unwrap();
        let limits = Limits::default();
        let served =
            fcgi::serve_connection(&server, &IgnoresBody, &limits, &AtomicBool::new(false));
        assert_eq!(served.unwrap(), 1);
        // Once to wait for the request, once for the rest of it.
        assert_eq!(
            *server.timeouts.lock().unwrap(),
            vec![Some(limits.begin_timeout), Some(limits.read_timeout)]
        );
        drop(server);
        let reply = read_reply(&mut &client, 1).unwrap();
        assert_eq!(reply.body(), "hi");
        assert!(read_to_eof(&mut &client).unwrap().is_empty());
    }
}

#[test]
fn an_unread_body_still_arriving_is_read_away_before_closing() {
    let (client, server) = UnixStream::pair().unwrap();
    let body = vec![b'x'; 100_000];
    let mut head = begin(1, 1, false);
    head.extend(stream(
        PARAMS,
        1,
        &request_params("POST", "/x", Some(body.len())),
        65535,
    ));
    head.extend(record(STDIN, 1, &body[..1000]));
    (&client).write_all(&head).unwrap();
    let serving = std::thread::spawn(move || {
        let served = fcgi::serve_connection(
            &server,
            &IgnoresBody,
            &Limits::default(),
            &AtomicBool::new(false),
        );
        (served.map_err(|e| e.to_string()), server)
    });
    // The answer comes before the body is complete ...
    let reply = read_reply(&mut &client, 1).unwrap();
    assert_eq!(reply.body(), "hi");
    // ... and the server keeps reading it, so sending the rest does not fail.
    (&client)
        .write_all(&stream(STDIN, 1, &body[1000..], 30_000))
        .unwrap();
    let (served, server) = serving.join().unwrap();
    assert_eq!(served, Ok(1));
    let mut unread = [0u8; 1];
    server.set_nonblocking(true).unwrap();
    assert!(
        matches!((&server).read(&mut unread), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the whole body was read away"
    );
}

/// A connection that never sends a request is closed after `begin_timeout`, not the longer
/// read timeout: idle connections must not hold every worker of a process.
#[test]
fn a_silent_new_connection_is_closed_after_the_begin_timeout() {
    let (client, server) = UnixStream::pair().unwrap();
    let limits = Limits {
        begin_timeout: Duration::from_millis(200),
        read_timeout: Duration::from_secs(30),
        ..Limits::default()
    };
    let started = std::time::Instant::now();
    let result = fcgi::serve_connection(&server, &IgnoresBody, &limits, &AtomicBool::new(false));
    let waited = started.elapsed();
    assert!(
        result.is_err(),
        "a silent connection is given up with an error to log"
    );
    assert!(
        waited >= Duration::from_millis(200) && waited < Duration::from_secs(5),
        "waited {waited:?}"
    );
    drop(client);
}

/// A peer that trickles its request a byte at a time, each byte well within the read timeout,
/// is cut off at the request timeout: it cannot hold a connection for as long as it likes.
///
/// What matters is when the server hangs up and that it serves on afterwards, not which
/// error ends the last read (the shortened socket timeout, `WouldBlock`, usually fires just
/// before the deadline check, `TimedOut`; issue 15).
#[test]
fn a_trickled_request_is_given_up_at_the_request_timeout() {
    const TIMEOUT: Duration = Duration::from_millis(600);
    let probe = Probe::with("trickle", "", &["--request-timeout", "600ms"]);
    let mut conn = probe.connect();
    let mut bytes = begin(1, 1, false);
    bytes.extend(stream(PARAMS, 1, &request_params("GET", "/x", None), 65535));
    // Begin at once, then one byte every 50 ms (the read timeout is 30 s): the params would
    // take far longer than the request timeout to arrive.
    let (head, rest) = bytes.split_at(16);
    let started = std::time::Instant::now();
    conn.write_all(head).unwrap();
    let Conn::Unix(socket) = &conn else {
        unreachable!("the probe listens on a unix socket")
    };
    let writer = socket.try_clone().unwrap();
    let rest = rest.to_vec();
    let trickle = std::thread::spawn(move || {
        for byte in rest.iter().cycle().take(200) {
            std::thread::sleep(Duration::from_millis(50));
            if (&writer).write_all(&[*byte]).is_err() {
                return;
            }
        }
    });
    // The server hangs up without answering: end of stream (or a reset, as we keep writing).
    let mut answer = Vec::new();
    let ended = conn.read_to_end(&mut answer);
    let waited = started.elapsed();
    assert!(
        ended.is_ok()
            || ended
                .as_ref()
                .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset),
        "the server hung up rather than leaving the read to time out: {ended:?}"
    );
    assert!(
        answer.is_empty(),
        "no answer to a request that never arrived"
    );
    // Given up at the deadline: not before it, and not much after it even on a loaded machine.
    assert!(
        waited >= TIMEOUT && waited < TIMEOUT + Duration::from_secs(2),
        "hung up after {waited:?}"
    );
    drop(conn);
    trickle.join().unwrap();
    probe.still_serves();
}
