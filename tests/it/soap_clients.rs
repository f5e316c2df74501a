//! Sympa's SOAP API through the real clients: Perl SOAP::Lite with a cookie jar through every operation, PHP SoapClient in WSDL mode, zeep against the conformant mode, and curl's HTTP edge cases on the plain-HTTP door.
//!
//! Each test seeds a site like the one the captures in `reference/soap-wire/` were made on
//! (three lists, members, an owner, a listmaster, a trusted application in a
//! `trusted_applications.conf`), starts `wwsympa serve --http` (the web interface, which
//! serves the WSDL) and `wwsympa serve --soap --http` (the SOAP door) on free loopback ports,
//! and runs a client script from `tests/data/soap/`. The scripts check the shapes each
//! language's code reads and print `ok - NAME` / `not ok - NAME`, then `N passed, N failed`.
//! A missing client (Debian's libsoap-lite-perl, libhttp-cookies-perl, php-cli, php-soap,
//! python3-zeep, curl) fails the test unless `WWSYMPA_ALLOW_MISSING_PEERS=1`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use md5::{Digest, Md5};

use crate::support::process::{wait_until, Guard, Server, Site};
use crate::support::{free_port, missing_peers_allowed, peer};

const DOMAIN: &str = "lists.example.org";
const LISTMASTER: &str = "listmaster@lists.example.org";
const LISTMASTER_PASSWORD: &str = "listmaster's long password";
const OWNER: &str = "owner@lists.example.org";
const OWNER_PASSWORD: &str = "owner's long password";
const SUBSCRIBER: &str = "subscriber001@example.com";
const SUBSCRIBER_PASSWORD: &str = "subscriber's long password";
const APP: &str = "benchapp";
const APP_PASSWORD: &str = "benchapp-secret";

/// A seeded site with its web interface and its SOAP door running on loopback ports.
struct SoapSite {
    site: Site,
    web_port: u16,
    soap_port: u16,
    _web: Server,
    _soap: Server,
}

impl SoapSite {
    /// The WSDL's URL (served by the web interface).
    fn wsdl_url(&self) -> String {
        format!("http://127.0.0.1:{}/sympa/wsdl", self.web_port)
    }

    /// The SOAP endpoint (`soap_url`).
    fn soap_url(&self) -> String {
        format!("http://127.0.0.1:{}/sympasoap", self.soap_port)
    }

    /// The accounts and the trusted application, as the client scripts read them.
    fn client_env(&self, command: &mut Command) {
        command
            .env("LISTMASTER", LISTMASTER)
            .env("LISTMASTER_PASSWORD", LISTMASTER_PASSWORD)
            .env("OWNER", OWNER)
            .env("OWNER_PASSWORD", OWNER_PASSWORD)
            .env("SUBSCRIBER", SUBSCRIBER)
            .env("SUBSCRIBER_PASSWORD", SUBSCRIBER_PASSWORD)
            .env("APP", APP)
            .env("APP_PASSWORD", APP_PASSWORD);
    }
}

/// Runs `wwsympa ARGS` on the site with `stdin`; asserts it succeeds.
fn cli(site: &Site, args: &[&str], stdin: &str) {
    let mut child = site
        .command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "wwsympa {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Sympa's `trusted_applications.conf` for [`APP`], with its unsalted MD5 password.
fn trusted_applications() -> String {
    let md5: String = Md5::digest(APP_PASSWORD.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    // Laid out as Sympa's sample (doc/samples/trusted_applications.conf): a paragraph opened
    // by `trusted_application`, indented keys, comments between them.
    format!(
        "# The applications that may act for users over SOAP.\n\
         trusted_application\n\
         \x20 # its name, the appname of authenticateRemoteAppAndRun\n\
         \x20 name {APP}\n\
         \x20 #\n\
         \x20 md5password {md5}\n\
         \x20 # the variables it may set\n\
         \x20 proxy_for_variables USER_EMAIL,remote_host\n"
    )
}

/// Starts `wwsympa serve ARGS --http 127.0.0.1:PORT` and waits until the port answers.
fn serve_on(site: &Site, name: &str, port: u16, args: &[&str]) -> Server {
    let http = format!("127.0.0.1:{port}");
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--http", &http]);
    let mut server = site.serve(name, Stdio::null(), &all);
    let up = wait_until(Duration::from_secs(15), || {
        TcpStream::connect(("127.0.0.1", port)).is_ok() || !server.guard.alive()
    });
    assert!(
        up && server.guard.alive(),
        "wwsympa serve {all:?} did not start: {}",
        server.log_text()
    );
    server
}

/// The site of the captures: bench-discuss (5 members, the first with an account), bench-announce
/// and bench-web (no members), all owned by [`OWNER`]; [`LISTMASTER`]; the trusted application.
fn soap_site(name: &str, conformant: bool) -> SoapSite {
    let site = Site::new(name, "");
    let web_port = free_port();
    let soap_port = free_port();
    let apps = site.path().join("trusted_applications.conf");
    std::fs::write(&apps, trusted_applications()).unwrap();
    std::fs::write(
        &site.config,
        format!(
            "domain = \"{DOMAIN}\"\n\
             listmaster = \"{LISTMASTER}\"\n\
             wwsympa_url = \"http://127.0.0.1:{web_port}/sympa\"\n\
             soap_url = \"http://127.0.0.1:{soap_port}/sympasoap\"\n\
             trusted_applications = \"{}\"\n\
             soap_wsdl_conformant = {conformant}\n\
             smtp_host = \"127.0.0.1\"\n\
             smtp_port = 9\n\
             {}\n",
            apps.display(),
            site.db.toml()
        ),
    )
    .unwrap();
    for (email, password, listmaster) in [
        (LISTMASTER, LISTMASTER_PASSWORD, true),
        (OWNER, OWNER_PASSWORD, false),
        (SUBSCRIBER, SUBSCRIBER_PASSWORD, false),
    ] {
        let mut args = vec!["user", "add", email, "--password-stdin"];
        if listmaster {
            args.push("--listmaster");
        }
        cli(&site, &args, &format!("{password}\n"));
    }
    for (list, subject) in [
        ("bench-discuss", "Benchmark discussion list"),
        ("bench-announce", "Benchmark announcements"),
        ("bench-web", "Benchmark public web forum"),
    ] {
        cli(
            &site,
            &[
                "list",
                "create",
                list,
                "--subject",
                subject,
                "--owner",
                OWNER,
                "--review",
                "owner",
            ],
            "",
        );
    }
    cli(
        &site,
        &[
            "member",
            "add",
            "bench-discuss",
            SUBSCRIBER,
            "--name",
            "Subscriber One",
        ],
        "",
    );
    for n in 2..=5 {
        let email = format!("subscriber{n:03}@example.com");
        cli(&site, &["member", "add", "bench-discuss", &email], "");
    }
    let web = serve_on(&site, "web", web_port, &[]);
    let soap = serve_on(&site, "soap", soap_port, &["--soap"]);
    SoapSite {
        site,
        web_port,
        soap_port,
        _web: web,
        _soap: soap,
    }
}

/// A client script from `tests/data/soap/`.
fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/soap")
        .join(name)
}

/// Returns true if and only if `program ARGS` exits 0 (a client's library is installed).
fn runs(program: &Path, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Returns `program` when `check` runs with it; a missing client library fails the test,
/// naming the Debian package, unless missing peers are allowed.
fn client_with(program: Option<PathBuf>, check: &[&str], package: &str) -> Option<PathBuf> {
    let program = program?;
    if runs(&program, check) {
        return Some(program);
    }
    assert!(
        missing_peers_allowed(),
        "{package} is missing: run .ci/install-deps (or set WWSYMPA_ALLOW_MISSING_PEERS=1 to skip its tests)"
    );
    eprintln!("SKIPPED: {package} is not installed (run .ci/install-deps)");
    None
}

/// Runs a client script (2 minutes at most) and asserts that it ran its `checks` checks and
/// every one passed; returns its output.
fn run_client(site: &SoapSite, mut command: Command, checks: usize) -> String {
    let out_path = site.site.path().join("client.out");
    site.client_env(&mut command);
    let child = command
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut guard = Guard::new(child);
    let status = guard.wait_timeout(Duration::from_secs(120));
    let mut stderr = String::new();
    if let Some(mut pipe) = guard.child().stderr.take() {
        pipe.read_to_string(&mut stderr).unwrap();
    }
    let out = std::fs::read_to_string(&out_path).unwrap();
    let failures: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("not ok") || l.starts_with("#"))
        .collect();
    let last = out.lines().last().unwrap_or_default();
    let passed = out.lines().filter(|l| l.starts_with("ok - ")).count();
    assert!(
        status.success() && failures.is_empty() && last == format!("{passed} passed, 0 failed"),
        "{command:?}: {status:?}\n{}\nstderr: {stderr}\nlog of the SOAP door:\n{}",
        failures.join("\n"),
        site._soap.log_text()
    );
    assert_eq!(
        passed, checks,
        "checks run (the script's count changed?):\n{out}"
    );
    out
}

#[test]
fn perl_soap_lite_with_a_cookie_jar_through_every_operation() {
    let Some(perl) = client_with(
        peer("perl"),
        &["-MSOAP::Lite", "-MHTTP::Cookies", "-e1"],
        "libsoap-lite-perl and libhttp-cookies-perl",
    ) else {
        return;
    };
    let site = soap_site("soap-perl", false);
    let mut command = Command::new(perl);
    command
        .arg(script("soaplite_client.pl"))
        .arg(site.soap_url())
        .arg(site.wsdl_url());
    let out = run_client(&site, command, 102);
    // Every operation of the API was called at least once.
    for op in [
        "login",
        "checkCookie",
        "lists",
        "complexLists",
        "info",
        "which",
        "complexWhich",
        "amI",
        "review",
        "fullReview",
        "subscribe",
        "signoff",
        "add",
        "del",
        "getDetails",
        "setDetails",
        "setCustom",
        "createList",
        "closeList",
        "getUserEmailByCookie",
        "authenticateAndRun",
        "authenticateRemoteAppAndRun",
        "casLogin",
        "moveUser",
    ] {
        assert!(
            out.lines()
                .any(|l| l.starts_with("ok - ") && l.contains(op)),
            "no passing check of {op}:\n{out}"
        );
    }
}

#[test]
fn php_soapclient_in_wsdl_mode_and_without_wsdl() {
    let Some(php) = client_with(
        peer("php"),
        &["-r", "exit(class_exists('SoapClient') ? 0 : 1);"],
        "php-cli and php-soap",
    ) else {
        return;
    };
    let site = soap_site("soap-php", false);
    let mut command = Command::new(php);
    command
        .arg(script("php_client.php"))
        .arg(site.wsdl_url())
        .arg(site.soap_url());
    run_client(&site, command, 35);
}

#[test]
fn zeep_strict_against_the_wsdl_conformant_mode() {
    let python = [PathBuf::from("/usr/bin/python3"), PathBuf::from("python3")]
        .into_iter()
        .find(|python| runs(python, &["-c", "import zeep"]));
    let Some(python) = client_with(
        python.or_else(|| peer("python3")),
        &["-c", "import zeep"],
        "python3-zeep",
    ) else {
        return;
    };
    let site = soap_site("soap-zeep", true);
    let mut command = Command::new(python);
    command
        .arg(script("zeep_client.py"))
        .arg(site.wsdl_url())
        .arg(script("soap-encoding.xsd"));
    run_client(&site, command, 21);
}

/// A SOAP 1.1 envelope as SOAP::Lite writes it: `op` in `urn:sympasoap`, positional string
/// parameters named `c-gensymN`.
fn envelope(op: &str, params: &[&str]) -> String {
    let params: String = params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "<c-gensym{n} xsi:type=\"xsd:string\">{p}</c-gensym{n}>",
                n = 2 * i + 3
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap:Envelope \
         soap:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\" \
         xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" \
         xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\" \
         xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soap:Body>\
         <{op} xmlns=\"urn:sympasoap\">{params}</{op}></soap:Body></soap:Envelope>"
    )
}

/// An HTTP/1.1 response read off a connection: status, lower-cased header fields, body.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `sympa_session` a `Set-Cookie` (or `Set-Cookie2`) field sets.
    fn session(&self) -> Option<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n == "set-cookie" || n == "set-cookie2")
            .find_map(|(_, v)| v.strip_prefix("sympa_session="))
            .map(|v| v.split(';').next().unwrap_or_default().to_string())
    }
}

/// Reads one response with a `Content-Length` body off `stream` (the connection stays open).
fn read_response(stream: &mut TcpStream) -> Response {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut byte).expect("reading a response head");
        assert_eq!(
            n, 1,
            "the connection closed inside a response head: {head:?}"
        );
        head.push(byte[0]);
        assert!(head.len() < 65536, "a response head over 64 KiB");
    }
    let head = String::from_utf8(head).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map(|(_, v)| v.parse().unwrap())
        .expect("a SOAP response has a Content-Length");
    let mut body = vec![0; length];
    stream.read_exact(&mut body).unwrap();
    Response {
        status,
        headers,
        body: String::from_utf8(body).unwrap(),
    }
}

/// Writes one SOAP POST on `stream`.
fn post(stream: &mut TcpStream, port: u16, op: &str, body: &str, extra: &str) {
    let request = format!(
        "POST /sympasoap HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: text/xml; charset=utf-8\r\n\
         SOAPAction: \"urn:sympasoap#{op}\"\r\nContent-Length: {}\r\n{extra}\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
}

fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    stream
}

fn assert_soap_ok(response: &Response, op: &str) {
    assert_eq!(response.status, 200, "{op}: {}", response.body);
    assert_eq!(
        response.header("content-type"),
        Some("text/xml; charset=utf-8"),
        "{op}"
    );
    assert!(
        response
            .body
            .contains(&format!("<{op}Response xmlns=\"urn:sympasoap\">")),
        "{op}: {}",
        response.body
    );
}

#[test]
fn keep_alive_carries_two_calls_on_one_connection_and_connection_close_closes() {
    let site = soap_site("soap-keepalive", false);
    let port = site.soap_port;
    let mut stream = connect(port);
    post(
        &mut stream,
        port,
        "login",
        &envelope("login", &[LISTMASTER, LISTMASTER_PASSWORD]),
        "",
    );
    let login = read_response(&mut stream);
    assert_soap_ok(&login, "login");
    assert_ne!(
        login.header("connection").map(str::to_ascii_lowercase),
        Some("close".into()),
        "an HTTP/1.1 call without Connection: close keeps the connection"
    );
    let session = login.session().expect("login sets the session cookie");
    assert!(
        login.body.contains(&format!(
            "<result xsi:type=\"xsd:string\">{session}</result>"
        )),
        "{}",
        login.body
    );
    // The second call on the same connection, with the cookie login set.
    post(
        &mut stream,
        port,
        "checkCookie",
        &envelope("checkCookie", &[]),
        &format!("Cookie: sympa_session={session}\r\n"),
    );
    let check = read_response(&mut stream);
    assert_soap_ok(&check, "checkCookie");
    assert!(
        check.body.contains(&format!(">{LISTMASTER}</result>")),
        "{}",
        check.body
    );
    // Connection: close: the answer, then the end of the connection.
    post(
        &mut stream,
        port,
        "checkCookie",
        &envelope("checkCookie", &[]),
        &format!("Cookie: sympa_session={session}\r\nConnection: close\r\n"),
    );
    let last = read_response(&mut stream);
    assert_soap_ok(&last, "checkCookie");
    let mut rest = Vec::new();
    let started = Instant::now();
    let n = stream
        .read_to_end(&mut rest)
        .expect("the server closes the connection");
    assert_eq!(n, 0, "nothing after the last response: {rest:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "closed at once");
}

/// Runs curl with `args`; returns (its exit status, the response body, curl's verbose trace).
fn curl(curl: &Path, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(curl)
        .args(["-sS", "-v", "--max-time", "20"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn curl_sends_a_chunked_body_and_expect_100_continue() {
    let Some(curl_bin) = peer("curl") else {
        return;
    };
    let site = soap_site("soap-curl", false);
    let body_file = site.site.path().join("login.xml");
    std::fs::write(
        &body_file,
        envelope("login", &[LISTMASTER, LISTMASTER_PASSWORD]),
    )
    .unwrap();
    let data = format!("@{}", body_file.display());
    let url = site.soap_url();
    let common = [
        "-H",
        "Content-Type: text/xml; charset=utf-8",
        "-H",
        "SOAPAction: \"urn:sympasoap#login\"",
        "--data-binary",
        &data,
        "-w",
        "\n%{http_code} %{content_type}",
    ];

    // A chunked request body (no Content-Length).
    let mut args = vec!["-H", "Transfer-Encoding: chunked"];
    args.extend(common);
    args.push(&url);
    let (ok, out, trace) = curl(&curl_bin, &args);
    assert!(ok, "{trace}");
    assert!(trace.contains("> Transfer-Encoding: chunked"), "{trace}");
    assert!(!trace.contains("> Content-Length"), "{trace}");
    assert!(
        out.ends_with("\n200 text/xml; charset=utf-8"),
        "chunked: {out}\n{trace}"
    );
    assert!(
        out.contains("<loginResponse xmlns=\"urn:sympasoap\"><result xsi:type=\"xsd:string\">"),
        "{out}"
    );

    // Expect: 100-continue, with curl willing to wait 10 s for the 100: an answer well before
    // shows the server said 100 Continue (or answered) instead of waiting for the body.
    let mut args = vec!["-H", "Expect: 100-continue", "--expect100-timeout", "10"];
    args.extend(common);
    args.push(&url);
    let started = Instant::now();
    let (ok, out, trace) = curl(&curl_bin, &args);
    let took = started.elapsed();
    assert!(ok, "{trace}");
    assert!(trace.contains("> Expect: 100-continue"), "{trace}");
    assert!(trace.contains("< HTTP/1.1 100 Continue"), "{trace}");
    assert!(
        out.ends_with("\n200 text/xml; charset=utf-8"),
        "expect: {out}\n{trace}"
    );
    assert!(out.contains("<loginResponse"), "{out}");
    assert!(took < Duration::from_secs(5), "took {took:?}: {trace}");
}
