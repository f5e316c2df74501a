//! A tiny browser over `web::App::call`, or over a real `wwsympa serve --http` process: keeps cookies, finds CSRF tokens, builds requests.
//!
//! [`Site::through_http_door`] starts the real binary on the site's database and makes every
//! browser of the site talk HTTP/1.1 to it, each from a loopback address of its own
//! (`192.0.2.7` becomes `127.0.2.7`), so that per-client limits see distinct clients.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;

use wwsympa::config::Config;
use wwsympa::domain::{ListId, ListName, ListPolicy};
use wwsympa::http::{Method, Request, Response, Service};
use wwsympa::operations::{account, Env, Requester};
use wwsympa::render::Templates;
use wwsympa::store::{NewList, Store};
use wwsympa::web::{App, State};

use crate::support::db::SiteDb;

/// A test site: its configuration and the app over a fresh database in `dir`.
pub struct Site {
    pub config: Config,
    pub app: App,
    /// The directory of the site's files (its database too, on SQLite).
    dir: std::path::PathBuf,
    /// The real server every browser talks to, once [`Site::through_http_door`] started it.
    door: std::sync::OnceLock<(crate::support::process::Server, std::net::SocketAddr)>,
    /// The site's database, on the database the run selected; dropped last, after the
    /// processes that use it.
    pub db: SiteDb,
}

impl Site {
    /// A site in `dir` on a fresh database of the selected backend (`support::db`); `tweak`
    /// adjusts the configuration. Mail goes to a closed port unless `tweak` says otherwise,
    /// so tests never reach a real MTA.
    pub fn new(dir: &Path, tweak: impl FnOnce(&mut Config)) -> Site {
        let db = SiteDb::new(dir, "test.db");
        let mut config = Config {
            domain: "lists.example.org".into(),
            wwsympa_url: "http://lists.example.org/sympa".into(),
            listmaster: "boss@example.org".into(),
            smtp_host: "127.0.0.1".into(),
            smtp_port: crate::support::free_port(),
            ..Config::default()
        };
        db.configure(&mut config);
        tweak(&mut config);
        db.store();
        let app = App::new(State::new(config.clone()).unwrap(), None).unwrap();
        Site {
            config,
            app,
            dir: dir.to_path_buf(),
            door: std::sync::OnceLock::new(),
            db,
        }
    }

    /// Starts `wwsympa serve --http` on this site's database and configuration; from now on
    /// every browser of the site goes through that real door (the in-process app stays for
    /// the store and for checks).
    pub fn through_http_door(&self) {
        let dir = self.dir.clone();
        let config = dir.join("door.toml");
        std::fs::write(
            &config,
            format!(
                "domain = {:?}\nwwsympa_url = {:?}\nlistmaster = {:?}\n{}smtp_host = {:?}\nsmtp_port = {}\n",
                self.config.domain,
                self.config.wwsympa_url,
                self.config.listmaster,
                self.db.toml(),
                self.config.smtp_host,
                self.config.smtp_port,
            ),
        )
        .unwrap();
        let log = dir.join("door.log");
        let child = std::process::Command::new(crate::support::binary())
            .arg("--config")
            .arg(&config)
            .args(["serve", "--http", "127.0.0.1:0"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut server = crate::support::process::Server {
            guard: crate::support::process::Guard::new(child),
            log,
        };
        let text = server.wait_for_log("serving HTTP on http://");
        let rest = text.split("serving HTTP on http://").nth(1).unwrap();
        let addr = rest.split_whitespace().next().unwrap().parse().unwrap();
        assert!(self.door.set((server, addr)).is_ok(), "one door per site");
    }

    /// The address of the real door [`Site::through_http_door`] started, if any.
    pub fn door_addr(&self) -> Option<std::net::SocketAddr> {
        self.door.get().map(|(_, addr)| *addr)
    }

    /// Starts the outbox sender a serving process runs, woken by this site's requests;
    /// stopped when dropped. Without it, mail stays queued in the outbox.
    pub fn start_sender(&self) -> wwsympa::mail::SenderThread {
        let config = self.config.clone();
        wwsympa::mail::SenderThread::spawn(
            "test",
            wwsympa::store::Target::from_config(&self.config).unwrap(),
            move || config.clone(),
            self.app.outbox_wake(),
            std::time::Duration::from_secs(5),
        )
        .unwrap()
    }

    /// A connection to the site's database.
    pub fn store(&self) -> Store {
        self.db.connect()
    }

    /// Creates an account with `password`.
    pub fn add_user(&self, email: &str, password: &str) {
        let mut store = self.store();
        let templates = Templates::load(None).unwrap();
        let mut env = Env::new(&mut store, &self.config, &templates);
        account::create_user(&mut env, &Requester::shell(), email, Some(password), false).unwrap();
    }

    /// Creates a list of the site's domain with `policy` (and `policy.visibility`).
    pub fn add_list(&self, name: &str, description: &str, policy: ListPolicy) -> ListId {
        let store = self.store();
        let db = store.db();
        let id = db
            .create_list(
                &self.config.domain,
                &NewList {
                    name: ListName::parse(name).unwrap(),
                    subject: format!("The {name} list"),
                    description: description.into(),
                    topics: vec![],
                    visibility: policy.visibility,
                },
            )
            .unwrap();
        db.set_list_policy(id, &policy).unwrap();
        id
    }

    /// A browser with no cookies, coming from `remote`.
    pub fn browser(&self, remote: &str) -> Browser<'_> {
        Browser {
            app: &self.app,
            door: self.door.get().map(|(_, addr)| *addr),
            cookies: BTreeMap::new(),
            remote: remote.parse().unwrap(),
            https: false,
            last_csrf: None,
        }
    }
}

/// Cookies, a client address and the last CSRF token seen.
pub struct Browser<'a> {
    app: &'a App,
    door: Option<std::net::SocketAddr>,
    pub cookies: BTreeMap<String, String>,
    pub remote: IpAddr,
    pub https: bool,
    pub last_csrf: Option<String>,
}

/// The body as text.
pub fn body(response: &Response) -> String {
    String::from_utf8(response.body.bytes().to_vec()).unwrap()
}

/// Every `Set-Cookie` field of a response.
pub fn set_cookies(response: &Response) -> Vec<String> {
    response
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.clone())
        .collect()
}

/// The value of the first `name="csrf_token" value="..."` in an HTML page.
pub fn csrf_in(html: &str) -> Option<String> {
    let marker = r#"name="csrf_token" value=""#;
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string()).filter(|t| !t.is_empty())
}

impl Browser<'_> {
    fn send(&mut self, method: Method, target: &str, body: Vec<u8>) -> Response {
        let mut request = Request::parse_target(method, target).unwrap();
        request.remote_addr = Some(self.remote);
        request.https = self.https;
        request.body = body;
        if !self.cookies.is_empty() {
            let header = self
                .cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            request.headers.push(("cookie".into(), header));
        }
        request.headers.push((
            "content-type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        let response = match self.door {
            Some(door) => over_http(door, self.remote, &request),
            // A streamed body is run into memory, as a client would read it.
            None => {
                let response = self.app.call(&request);
                let (status, headers) = (response.status, response.headers.clone());
                let body = response.into_bytes().expect("the stream is written whole");
                Response {
                    status,
                    headers,
                    body: body.into(),
                }
            }
        };
        for cookie in set_cookies(&response) {
            let pair = cookie.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if cookie.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        if let Some(token) = csrf_in(&String::from_utf8_lossy(response.body.bytes())) {
            self.last_csrf = Some(token);
        }
        response
    }

    /// GET `target`.
    pub fn get(&mut self, target: &str) -> Response {
        self.send(Method::Get, target, Vec::new())
    }

    /// POST the urlencoded `fields` to `target`, as given (no token added).
    pub fn post_raw(&mut self, target: &str, fields: &[(&str, &str)]) -> Response {
        let body = fields
            .iter()
            .map(|(n, v)| {
                format!(
                    "{}={}",
                    n,
                    percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
                )
            })
            .collect::<Vec<_>>()
            .join("&");
        self.send(Method::Post, target, body.into_bytes())
    }

    /// POST raw bytes.
    pub fn post_bytes(&mut self, target: &str, body: &[u8]) -> Response {
        self.send(Method::Post, target, body.to_vec())
    }

    /// POST `fields` with the last CSRF token seen.
    pub fn post(&mut self, target: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.last_csrf.clone().expect("a page with a form first");
        let mut fields = fields.to_vec();
        fields.push(("csrf_token", &token));
        self.post_raw(target, &fields)
    }

    /// The session cookie's value.
    pub fn session(&self) -> Option<String> {
        self.cookies.get("sympa_session").cloned()
    }

    /// Logs in through the form; panics unless it works.
    pub fn login(&mut self, email: &str, password: &str) {
        self.get("/sympa/login");
        let response = self.post("/sympa/login", &[("email", email), ("passwd", password)]);
        assert_eq!(response.status, 303, "{}", body(&response));
    }
}

/// A TCP connection to `door` from the loopback address that stands for `remote`
/// (`192.0.2.7` → `127.0.2.7`; IPv6 clients share `127.0.0.1`).
fn connect_as(door: std::net::SocketAddr, remote: IpAddr) -> std::net::TcpStream {
    use std::os::fd::FromRawFd;
    let source = match remote {
        IpAddr::V4(v4) => {
            let [_, _, c, d] = v4.octets();
            std::net::Ipv4Addr::new(127, 0, c, d.max(1))
        }
        IpAddr::V6(_) => std::net::Ipv4Addr::LOCALHOST,
    };
    let std::net::SocketAddr::V4(door) = door else {
        panic!("the test door listens on IPv4");
    };
    let sockaddr = |ip: std::net::Ipv4Addr, port: u16| libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: port.to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from(ip).to_be(),
        },
        sin_zero: [0; 8],
    };
    let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
    // SAFETY: a fresh socket of ours, bound and connected with valid sockaddr_in values;
    // it is handed to TcpStream, which then owns and closes it.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
        let stream = std::net::TcpStream::from_raw_fd(fd);
        let local = sockaddr(source, 0);
        let rc = libc::bind(fd, (&local as *const libc::sockaddr_in).cast(), len);
        assert_eq!(rc, 0, "bind {source}: {}", std::io::Error::last_os_error());
        let peer = sockaddr(*door.ip(), door.port());
        let rc = libc::connect(fd, (&peer as *const libc::sockaddr_in).cast(), len);
        assert_eq!(rc, 0, "connect {door}: {}", std::io::Error::last_os_error());
        stream
    }
}

/// Sends `request` as HTTP/1.1 to the real door, from `remote`'s stand-in, and reads the answer.
fn over_http(door: std::net::SocketAddr, remote: IpAddr, request: &Request) -> Response {
    use std::io::{Read, Write};
    let mut stream = connect_as(door, remote);
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let method = match &request.method {
        Method::Get => "GET",
        Method::Head => "HEAD",
        Method::Post => "POST",
        Method::Other(other) => other.as_str(),
    };
    let target = if request.query.is_empty() {
        request.raw_path.clone()
    } else {
        format!("{}?{}", request.raw_path, request.query)
    };
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: lists.example.org\r\nConnection: close\r\nContent-Length: {}\r\n",
        request.body.len()
    );
    for (name, value) in &request.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&request.body);
    // The door may answer (413) before reading the whole body and close.
    let _ = stream.write_all(&bytes);
    let mut raw = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset && !raw.is_empty() => break,
            Err(e) => panic!("reading the answer to {method} {target}: {e}"),
        }
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no head in {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("\r\ntransfer-encoding: chunked")
    {
        body = wwsympa::http::plain::read_chunked(&mut &body[..], u64::MAX)
            .unwrap_or_else(|e| panic!("a chunked body cut short: {e:?}"));
    }
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: body.into(),
    }
}
