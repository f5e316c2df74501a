//! Headless Chromium (Debian's) walks the subscription flow against `wwsympa serve --http`
//! at a phone's width, and saves screenshots of the main pages under the target dir.
//!
//! Chromium is driven through the DevTools protocol over `--remote-debugging-pipe` (JSON
//! messages separated by NUL bytes on fds 3 and 4), so no crate beyond serde_json is needed:
//! the test fills and submits the real forms, and the cookies and CSRF tokens are the
//! browser's own.

use std::io::{Read, Write};
use std::os::unix::io::FromRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use crate::support::db::SiteDb;
use base64::Engine;
use serde_json::{json, Value};
use wwsympa::domain::{Email, ListName, ReceptionMode};

use crate::support::{binary, free_port, peer, wait_until, Daemon, TempDir};

/// The whole walk must end within this.
const BUDGET: Duration = Duration::from_secs(30);

/// A Chromium process and the pipe that speaks the DevTools protocol to it.
pub(crate) struct Chromium {
    _process: Daemon,
    commands: std::fs::File,
    answers: Receiver<Value>,
    next_id: u64,
    session: String,
    deadline: Instant,
}

/// Two pipes, close-on-exec; returns (read end, write end) of each.
fn pipe() -> (i32, i32) {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two fds into the array.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    (fds[0], fds[1])
}

impl Chromium {
    pub(crate) fn start(chromium: &Path, profile: &Path, log: &Path) -> Chromium {
        let (command_read, command_write) = pipe();
        let (answer_read, answer_write) = pipe();
        let mut command = Command::new(chromium);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-pipe",
            ])
            .arg(format!("--user-data-dir={}", profile.display()));
        // SAFETY: only async-signal-safe calls (fcntl, dup2) between fork and exec.
        unsafe {
            command.pre_exec(move || {
                // Copies above 10 first, so the dup2 below never meets its own target.
                let read = libc::fcntl(command_read, libc::F_DUPFD, 10);
                let write = libc::fcntl(answer_write, libc::F_DUPFD, 10);
                if read < 0 || write < 0 || libc::dup2(read, 3) < 0 || libc::dup2(write, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let process = Daemon::spawn(command, log);
        // SAFETY: the parent's ends, owned from here on; the child's ends are closed here.
        let (commands, mut answers_pipe) = unsafe {
            libc::close(command_read);
            libc::close(answer_write);
            (
                std::fs::File::from_raw_fd(command_write),
                std::fs::File::from_raw_fd(answer_read),
            )
        };
        let (sender, answers) = channel();
        std::thread::spawn(move || {
            let mut buffer = Vec::new();
            let mut chunk = [0u8; 65536];
            while let Ok(n) = answers_pipe.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                buffer.extend_from_slice(&chunk[..n]);
                while let Some(end) = buffer.iter().position(|&b| b == 0) {
                    let message: Vec<u8> = buffer.drain(..=end).collect();
                    if let Ok(value) = serde_json::from_slice(&message[..end]) {
                        if sender.send(value).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        let mut browser = Chromium {
            _process: process,
            commands,
            answers,
            next_id: 0,
            session: String::new(),
            deadline: Instant::now() + BUDGET,
        };
        let target = browser.call("Target.createTarget", json!({ "url": "about:blank" }));
        let target_id = target["targetId"].as_str().unwrap().to_string();
        let attached = browser.call(
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
        );
        browser.session = attached["sessionId"].as_str().unwrap().to_string();
        // A phone: 390 CSS pixels wide.
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true }),
        );
        browser.call("Page.enable", json!({}));
        browser
    }

    /// Sends one command (to the page's session once attached) and waits for its answer.
    pub(crate) fn call(&mut self, method: &str, params: Value) -> Value {
        match self.try_call(method, params) {
            Ok(result) => result,
            Err(answer) => panic!("{method}: {answer}"),
        }
    }

    /// Sends one command and waits for its answer: the result, or the whole answer when it
    /// is an error.
    fn try_call(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if !self.session.is_empty() {
            message["sessionId"] = json!(self.session);
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.commands.write_all(&bytes).unwrap();
        loop {
            let left = self.deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "Chromium: out of time waiting for {method}"
            );
            let Ok(answer) = self.answers.recv_timeout(left) else {
                panic!("Chromium: no answer to {method}");
            };
            if answer["id"].as_u64() == Some(id) {
                if answer.get("error").is_some() {
                    return Err(answer);
                }
                return Ok(answer["result"].clone());
            }
        }
    }

    /// Evaluates JavaScript in the page and returns its value.
    pub(crate) fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true }),
        );
        result["result"]["value"].clone()
    }

    /// Waits until a new document (one without our marker) has loaded.
    ///
    /// A question asked while the page navigates is answered with an error ("Inspected target
    /// navigated or closed", "Execution context was destroyed"): that is still loading.
    pub(crate) fn wait_for_new_page(&mut self) {
        loop {
            let state = self.try_call(
                "Runtime.evaluate",
                json!({
                    "expression": "(typeof window.__old === 'undefined' ? 'new ' : 'old ') + document.readyState",
                    "returnByValue": true,
                }),
            );
            match state {
                Ok(result) if result["result"]["value"] == "new complete" => return,
                Ok(_) => {}
                Err(answer) => {
                    let message = answer["error"]["message"].as_str().unwrap_or("");
                    assert!(
                        message.contains("navigated")
                            || message.contains("context")
                            || message.contains("destroyed"),
                        "Runtime.evaluate: {answer}"
                    );
                }
            }
            assert!(
                Instant::now() < self.deadline,
                "Chromium: the page did not load"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Opens `url` and waits for it.
    pub(crate) fn open(&mut self, url: &str) {
        self.eval("window.__old = 1");
        self.call("Page.navigate", json!({ "url": url }));
        self.wait_for_new_page();
    }

    /// Runs `script` (which submits a form) and waits for the next page.
    pub(crate) fn submit(&mut self, script: &str) {
        self.eval(&format!("window.__old = 1; {script}"));
        self.wait_for_new_page();
    }

    pub(crate) fn text(&mut self) -> String {
        self.eval("document.body.innerText")
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub(crate) fn location(&mut self) -> String {
        self.eval("location.pathname")
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// Saves a PNG of the page as it shows and returns its path.
    pub(crate) fn screenshot(&mut self, dir: &Path, name: &str) -> PathBuf {
        let shot = self.call("Page.captureScreenshot", json!({ "format": "png" }));
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        self.next_id += 1;
        let message = json!({ "id": self.next_id, "method": "Browser.close", "params": {} });
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        let _ = self.commands.write_all(&bytes);
    }
}

/// The site a browser walk runs on: a configuration in the walk's directory (`extra` lines
/// added to the common ones), its database, and the port `serve --http` will listen on.
pub(crate) struct WalkSite {
    pub(crate) port: u16,
    pub(crate) config: PathBuf,
    pub(crate) db: SiteDb,
}

impl WalkSite {
    pub(crate) fn new(dir: &Path, extra: &str) -> WalkSite {
        let port = free_port();
        let config = dir.join("wwsympa.toml");
        let db = SiteDb::new(dir, "web.db");
        std::fs::write(
            &config,
            format!(
                "domain = 'lists.example.org'\nwwsympa_url = 'http://127.0.0.1:{port}/sympa'\n\
                 {extra}{}smtp_host = '127.0.0.1'\nsmtp_port = {}\nlog_level = 'warn'\n",
                db.toml(),
                free_port()
            ),
        )
        .unwrap();
        WalkSite { port, config, db }
    }

    /// Runs `wwsympa ARGS` on the site.
    pub(crate) fn run(&self, args: &[&str], stdin: &str) {
        crate::support::run_cli(&self.config, args, stdin)
    }

    /// Starts `wwsympa serve --http` and waits until it listens; it stops when dropped.
    pub(crate) fn serve(&self, dir: &Path) -> Daemon {
        let mut serve = Command::new(binary());
        serve
            .arg("--config")
            .arg(&self.config)
            .args(["serve", "--http"])
            .arg(format!("127.0.0.1:{}", self.port));
        let server = Daemon::spawn(serve, &dir.join("serve.log"));
        wait_until("wwsympa --http", || {
            std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
        });
        server
    }

    /// The web interface's address.
    pub(crate) fn base(&self) -> String {
        format!("http://127.0.0.1:{}/sympa", self.port)
    }
}

/// Every screenshot of a walk is a PNG big enough to show a page.
pub(crate) fn assert_screenshots(saved: &[PathBuf]) {
    for path in saved {
        let bytes = std::fs::read(path).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "{}", path.display());
        assert!(
            bytes.len() > 5_000,
            "{} is too small to show a page",
            path.display()
        );
    }
}

#[test]
fn chromium_walks_the_subscription_flow_on_a_phone() {
    let Some(chromium) = peer("chromium") else {
        return;
    };
    let started = Instant::now();
    let dir = TempDir::new("chromium");
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let site = WalkSite::new(dir.path(), "");
    let run = |args: &[&str], stdin: &str| site.run(args, stdin);
    run(
        &["user", "add", "ann@example.org", "--password-stdin"],
        "ann's long password\n",
    );
    run(
        &[
            "list",
            "create",
            "news",
            "--subject",
            "News and announcements",
            "--description",
            "Everything new, once a week.",
            "--review",
            "private",
            "--owner",
            "boss@example.org",
        ],
        "",
    );
    run(
        &["list", "create", "chat", "--subject", "Talk about anything"],
        "",
    );
    run(
        &["member", "add", "news", "bea@example.org", "cy@example.org"],
        "",
    );

    let _server = site.serve(dir.path());

    let base = site.base();
    let mut browser = Chromium::start(
        &chromium,
        &dir.path().join("profile"),
        &dir.path().join("chromium.log"),
    );
    let mut saved = Vec::new();

    browser.open(&format!("{base}/"));
    assert!(browser.text().contains("News and announcements"));
    saved.push(browser.screenshot(&shots, "home"));

    browser.open(&format!("{base}/info/news"));
    assert!(browser.text().contains("Everything new, once a week."));
    saved.push(browser.screenshot(&shots, "info"));

    browser.open(&format!("{base}/login/info/news"));
    saved.push(browser.screenshot(&shots, "login"));
    browser.submit(
        "document.getElementById('f-email').value = 'ann@example.org';
         document.getElementById('f-passwd').value = \"ann's long password\";
         document.querySelector('main form').submit();",
    );
    assert_eq!(browser.location(), "/sympa/info/news");
    assert!(browser.text().contains("You are logged in."));

    browser.open(&format!("{base}/subscribe/news"));
    saved.push(browser.screenshot(&shots, "subscribe"));
    browser.submit(
        "document.getElementById('f-gecos').value = 'Ann Example';
         document.querySelector('main form').submit();",
    );
    assert_eq!(browser.location(), "/sympa/info/news");
    assert!(browser
        .text()
        .contains("You are now a member of news@lists.example.org."));

    browser.open(&format!("{base}/suboptions/news"));
    saved.push(browser.screenshot(&shots, "suboptions"));
    browser.submit(
        "document.querySelector('input[name=reception][value=digest]').checked = true;
         document.querySelector('main form').submit();",
    );
    assert_eq!(browser.location(), "/sympa/suboptions/news");
    assert!(browser.text().contains("Your options are saved."));

    browser.open(&format!("{base}/review/news"));
    let members = browser.text();
    assert!(members.contains("3 members"), "{members}");
    assert!(members.contains("ann@example.org"));
    saved.push(browser.screenshot(&shots, "review"));
    drop(browser);

    let store = site.db.connect();
    let list = store
        .db()
        .list_by_name("lists.example.org", &ListName::parse("news").unwrap())
        .unwrap()
        .unwrap();
    let ann = store
        .db()
        .member(list.id, &Email::parse("ann@example.org").unwrap())
        .unwrap()
        .expect("Ann subscribed");
    assert_eq!(ann.reception, ReceptionMode::Digest);
    assert_eq!(ann.name, "Ann Example");
    assert_screenshots(&saved);
    assert!(
        started.elapsed() < BUDGET,
        "the browser walk took {:?}",
        started.elapsed()
    );
}

#[test]
fn chromium_shows_the_archive_at_desktop_and_phone_widths_without_horizontal_scroll() {
    let Some(chromium) = peer("chromium") else {
        return;
    };
    let dir = TempDir::new("chromium-arc");
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let site = WalkSite::new(dir.path(), "");
    let run = |args: &[&str], stdin: &str| site.run(args, stdin);
    run(
        &[
            "list",
            "create",
            "news",
            "--subject",
            "News",
            "--archive",
            "public",
        ],
        "",
    );
    // A thread with long words, long lines and deep quotes: what overflows a narrow page.
    let long_word = "x".repeat(120);
    let long_line = "word ".repeat(60);
    let mut mbox = String::new();
    for (i, parent) in [(0, ""), (1, "m0@example.org"), (2, "m1@example.org")] {
        mbox.push_str("From a@example.org Mon Jan  1 00:00:00 2024\n");
        mbox.push_str(&format!("Message-ID: <m{i}@example.org>\n"));
        if !parent.is_empty() {
            mbox.push_str(&format!("References: <{parent}>\n"));
        }
        mbox.push_str(&format!(
            "From: Ann Example <ann@example.org>\nSubject: A rather long subject line that goes on and on, number {i} {long_word}\n\
             Date: Tue, 0{} Mar 2024 10:00:00 +0000\nContent-Type: text/plain; charset=utf-8\n\n\
             Hello, message {i}.\n{long_line}\n{long_word}\n> quoted {long_line}\n>> deeper {long_word}\n\n",
            i + 1
        ));
    }
    let file = dir.path().join("news.mbox");
    std::fs::write(&file, mbox).unwrap();
    run(&["archive", "import", "news", file.to_str().unwrap()], "");

    let _server = site.serve(dir.path());
    let base = site.base();
    let mut browser = Chromium::start(
        &chromium,
        &dir.path().join("profile"),
        &dir.path().join("chromium.log"),
    );
    browser.open(&format!("{base}/arc/news/2024-03/thrd1.html"));
    let thread = browser
        .eval("(document.querySelector('a[href*=\"/thread/\"]') || {}).getAttribute('href')");
    let thread = thread
        .as_str()
        .expect("a thread link on the month page")
        .to_string();
    let pages = [
        ("month", format!("{base}/arc/news/2024-03/thrd1.html")),
        ("thread", format!("http://127.0.0.1:{}{thread}", site.port)),
        ("message", format!("{base}/arc/news/2024-03/msg00002.html")),
        ("search", format!("{base}/arcsearch/news?q=word")),
    ];
    let mut saved = Vec::new();
    for (width, height, mobile, label) in [(1280, 900, false, "desktop"), (375, 812, true, "phone")]
    {
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
        );
        for (name, url) in &pages {
            browser.open(url);
            let text = browser.text();
            assert!(text.contains("rather long subject"), "{name}: {text}");
            let overflow = browser.eval(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth",
            );
            assert_eq!(
                overflow.as_i64(),
                Some(0),
                "{name} at {width}px scrolls sideways"
            );
            saved.push(browser.screenshot(&shots, &format!("archive-{name}-{label}")));
        }
    }
    drop(browser);
    assert_screenshots(&saved);
}
