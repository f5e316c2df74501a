//! Shared test helpers: temporary directories, the binary under test, required peers.

#![allow(dead_code)]

pub mod db;
pub mod fcgi_client;
pub mod mail_door;
pub mod nginx;
pub mod postgres;
pub mod process;

use std::path::{Path, PathBuf};

/// The wwsympa binary cargo built for these tests.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_wwsympa"))
}

/// Runs `wwsympa --config CONFIG ARGS...` with `stdin` piped in; asserts it succeeds.
pub fn run_cli(config: &Path, args: &[&str], stdin: &str) {
    use std::io::Write;
    let mut child = std::process::Command::new(binary())
        .arg("--config")
        .arg(config)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "{args:?}");
}

/// A fresh directory under the target dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates `target/tmp/<name>-<pid>-<n>`.
    pub fn new(name: &str) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Returns true if and only if the run said explicitly that tests may skip a missing peer
/// (`WWSYMPA_ALLOW_MISSING_PEERS=1`); otherwise a missing peer fails its test.
pub fn missing_peers_allowed() -> bool {
    std::env::var_os("WWSYMPA_ALLOW_MISSING_PEERS").is_some_and(|v| v == "1")
}

/// Returns the path of the peer program `name`; a missing peer fails the test, naming it.
///
/// Only with [`missing_peers_allowed`] is a missing peer `None`, reported as SKIPPED.
pub fn peer(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .chain(["/usr/local/sbin", "/usr/sbin", "/sbin"].map(PathBuf::from))
            .map(|dir| dir.join(name))
            .find(|path| path.is_file())
    });
    if found.is_none() {
        assert!(
            missing_peers_allowed(),
            "peer `{name}` is missing: run .ci/install-deps (or set WWSYMPA_ALLOW_MISSING_PEERS=1 to skip its tests)"
        );
        eprintln!("SKIPPED: peer `{name}` is not installed (run .ci/install-deps)");
    }
    found
}

/// A `python3` that can import aiosmtpd (Debian's python3-aiosmtpd); its absence fails the
/// test unless [`missing_peers_allowed`].
///
/// The system interpreter comes first: a pyenv shim earlier in PATH lacks Debian's modules.
pub fn python_with_aiosmtpd() -> Option<PathBuf> {
    let candidates = [PathBuf::from("/usr/bin/python3"), PathBuf::from("python3")];
    let found = candidates.into_iter().find(|python| {
        std::process::Command::new(python)
            .args(["-c", "import aiosmtpd"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if found.is_none() {
        assert!(
            missing_peers_allowed(),
            "python3-aiosmtpd is missing: run .ci/install-deps (or set WWSYMPA_ALLOW_MISSING_PEERS=1 to skip its tests)"
        );
        eprintln!("SKIPPED: python3-aiosmtpd is not installed (run .ci/install-deps)");
    }
    found
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    process::free_port("127.0.0.1")
}

/// A real SMTP server (aiosmtpd with its Maildir handler) on 127.0.0.1, killed when dropped.
pub struct SmtpServer {
    child: std::process::Child,
    /// The Maildir its messages land in (`new/`).
    pub maildir: PathBuf,
    /// Its port.
    pub port: u16,
}

impl SmtpServer {
    /// Starts the server on `port`, writing to `maildir`; waits until it accepts connections.
    pub fn start(python: &Path, port: u16, maildir: &Path) -> SmtpServer {
        let child = std::process::Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("starting aiosmtpd");
        let server = SmtpServer {
            child,
            maildir: maildir.to_path_buf(),
            port,
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "aiosmtpd did not start on port {port}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        server
    }

    /// The messages received so far, as text, oldest first.
    pub fn messages(&self) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(self.maildir.join("new"))
            .map(|dir| dir.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect()
    }

    /// Waits up to 15 s for at least `n` messages.
    pub fn wait_for(&self, n: usize) -> Vec<String> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "expected {n} message(s), got {}",
                messages.len()
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Undoes quoted-printable soft line breaks and `=XX` escapes (enough to read our mail's URLs).
pub fn decode_qp(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A child process stopped by its PID (SIGTERM, then SIGKILL after 5 s) when dropped.
pub struct Daemon {
    /// The process.
    pub child: std::process::Child,
}

impl Daemon {
    /// Spawns `command` with standard output and error sent to `log`.
    pub fn spawn(mut command: std::process::Command, log: &Path) -> Daemon {
        let out = std::fs::File::create(log).unwrap();
        let err = out.try_clone().unwrap();
        let child = command
            .stdin(std::process::Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {command:?}: {e}"));
        Daemon { child }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) on the PID of our own child, which we have not waited for yet.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits, when needed, until the rate limits' current window of `window` seconds has at
/// least a minute left, so that a test counting a limit's hits sees them all in one window.
/// The store counts hits in fixed windows aligned on the epoch (an hour's limit turns at the
/// hour), and a test that crosses the turn sees its count start again: flaky once in a while.
/// Waits at most a minute.
pub fn in_one_window(window: i64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let left = window - now.rem_euclid(window);
    if left < 60 {
        std::thread::sleep(std::time::Duration::from_secs(left as u64 + 1));
    }
}

/// Waits up to 15 s until `check` is true.
pub fn wait_until(what: &str, check: impl FnMut() -> bool) {
    assert!(
        process::wait_until(std::time::Duration::from_secs(15), check),
        "timed out waiting for {what}"
    );
}

/// An HTTP/1.1 answer: status, header fields (names lower-cased), body.
pub struct HttpAnswer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpAnswer {
    /// The first header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One request over a fresh connection to 127.0.0.1:`port` (`Connection: close`).
pub fn http(
    port: u16,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> HttpAnswer {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(15)))
        .unwrap();
    let mut request = format!(
        "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    HttpAnswer {
        status,
        headers,
        body: body.to_string(),
    }
}
