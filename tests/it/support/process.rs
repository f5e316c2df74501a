//! Processes under test: a site directory with config and database, `wwsympa serve` children, kill-on-drop guards, /proc helpers.

#![allow(dead_code)]

use std::fs::File;
use std::io::Read;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::db::SiteDb;
use super::fcgi_client::Addr;
use super::{binary, TempDir};

/// Sends `signal` to one process, by PID.
pub fn signal(pid: u32, signal: libc::c_int) {
    let rc = unsafe { libc::kill(pid as libc::pid_t, signal) };
    assert_eq!(rc, 0, "kill({pid}, {signal}) failed");
}

/// Returns true if and only if `f` became true within `timeout` (checked every 20 ms).
pub fn wait_until(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if f() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The direct children of `pid`, from /proc.
pub fn children(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return found;
    };
    for task in tasks.flatten() {
        if let Ok(text) = std::fs::read_to_string(task.path().join("children")) {
            found.extend(
                text.split_whitespace()
                    .filter_map(|p| p.parse::<u32>().ok()),
            );
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// `pid` and all its descendants, parents first.
pub fn tree(pid: u32) -> Vec<u32> {
    let mut all = vec![pid];
    let mut i = 0;
    while i < all.len() {
        let next = children(all[i]);
        all.extend(next);
        i += 1;
    }
    all
}

/// The number of sockets `pid` has open.
pub fn socket_count(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|fds| {
            fds.flatten()
                .filter(|fd| {
                    std::fs::read_link(fd.path())
                        .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"))
                })
                .count()
        })
        .unwrap_or(0)
}

/// The executable name of `pid` (`comm`).
pub fn comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// A child process killed (with everything it started) when dropped, by PID.
pub struct Guard {
    child: Option<Child>,
    pid: u32,
}

impl Guard {
    pub fn new(child: Child) -> Guard {
        Guard {
            pid: child.id(),
            child: Some(child),
        }
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    pub fn child(&mut self) -> &mut Child {
        self.child.as_mut().expect("the child is still owned")
    }

    /// Returns true if and only if the process has not exited.
    pub fn alive(&mut self) -> bool {
        matches!(self.child().try_wait(), Ok(None))
    }

    /// Waits up to `timeout` for the exit; panics if it does not come.
    pub fn wait_timeout(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child().try_wait().expect("waitpid") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "process {} did not exit within {timeout:?}",
                self.pid
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Ok(None) = child.try_wait() {
            // Stopped first, all of them: a supervisor (nginx's master, multiwatch) that saw a
            // child die before it was killed itself would start another, which then outlived
            // the test (orphaned nginx workers were found after the hosts tests).
            for pid in tree(self.pid) {
                unsafe { libc::kill(pid as libc::pid_t, libc::SIGSTOP) };
            }
            // Listed again: a child started before its parent stopped is in this list.
            for pid in tree(self.pid) {
                unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            }
        }
        let _ = child.wait();
    }
}

/// A site: a directory with a configuration file and a database (of the selected backend,
/// `support::db`), shared by the processes of one test.
pub struct Site {
    pub dir: TempDir,
    pub config: PathBuf,
    pub db: SiteDb,
}

impl Site {
    /// A fresh site with `extra` TOML lines added to the configuration.
    pub fn new(name: &str, extra: &str) -> Site {
        let dir = TempDir::new(name);
        let config = dir.path().join("wwsympa.toml");
        let db = SiteDb::new(dir.path(), "wwsympa.db");
        let site = Site { dir, config, db };
        site.write_config(extra);
        site
    }

    /// Rewrites the configuration file.
    pub fn write_config(&self, extra: &str) {
        std::fs::write(
            &self.config,
            format!(
                "domain = \"lists.example.org\"\nwwsympa_url = \"http://localhost/sympa\"\n{}{extra}\n",
                self.db.toml()
            ),
        )
        .unwrap();
    }

    /// A connection to the site's database, as it is (the commands migrate it).
    pub fn store(&self) -> wwsympa::store::Store {
        self.db.connect()
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A unique socket path inside the site (short enough for sun_path).
    pub fn socket(&self, name: &str) -> PathBuf {
        self.path().join(format!("{name}.sock"))
    }

    /// `wwsympa --config <site> ARGS`, run in the site directory with a clean environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(binary());
        command
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .current_dir(self.path())
            .arg("--config")
            .arg(&self.config)
            .args(args);
        command
    }

    /// Creates lists with `wwsympa list create`.
    pub fn create_lists(&self, names: &[&str]) {
        for name in names {
            let output = self
                .command(&[
                    "list",
                    "create",
                    name,
                    "--subject",
                    &format!("About {name}"),
                ])
                .stdin(Stdio::null())
                .output()
                .unwrap();
            assert!(output.status.success(), "{output:?}");
        }
    }

    /// Starts `wwsympa serve ARGS` with stdin from `stdin`, stdout captured, stderr to `<name>.log`.
    pub fn serve(&self, name: &str, stdin: Stdio, args: &[&str]) -> Server {
        let mut command = self.command(&["serve"]);
        command.args(args);
        self.spawn_server(name, command, stdin)
    }

    /// Starts `command` as a server: stdout captured, stderr to `<name>.log`.
    pub fn spawn_server(&self, name: &str, mut command: Command, stdin: Stdio) -> Server {
        let log = self.path().join(format!("{name}.log"));
        let child = command
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Server {
            guard: Guard::new(child),
            log,
        }
    }

    /// Starts `wwsympa serve --http 127.0.0.1:0 ARGS`, waits until it serves, and returns its address.
    pub fn serve_http(&self, name: &str, args: &[&str]) -> (Server, std::net::SocketAddr) {
        let mut all = vec!["--http", "127.0.0.1:0"];
        all.extend_from_slice(args);
        let mut server = self.serve(name, Stdio::null(), &all);
        let text = server.wait_for_log("serving HTTP on http://");
        let rest = text.split("serving HTTP on http://").nth(1).unwrap();
        let addr = rest.split_whitespace().next().unwrap().parse().unwrap();
        (server, addr)
    }

    /// Starts `wwsympa serve --listen unix:<site>/<name>.sock ARGS` and waits until it answers connections.
    pub fn serve_unix(&self, name: &str, args: &[&str]) -> (Server, Addr) {
        let path = self.socket(name);
        let listen = format!("unix:{}", path.display());
        let mut all = vec!["--listen", &listen];
        all.extend_from_slice(args);
        let mut server = self.serve(name, Stdio::null(), &all);
        server.wait_for_log("serving FastCGI on");
        (server, Addr::Unix(path))
    }
}

/// A running server process with its log.
pub struct Server {
    pub guard: Guard,
    pub log: PathBuf,
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.guard.pid()
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits (5 s at most) until the log contains `needle`; returns the log.
    pub fn wait_for_log(&mut self, needle: &str) -> String {
        let mut text = String::new();
        let found = wait_until(Duration::from_secs(5), || {
            text = self.log_text();
            text.contains(needle) || !self.guard.alive()
        });
        assert!(
            found && text.contains(needle),
            "no {needle:?} in the log of {}: {text}",
            self.pid()
        );
        text
    }

    /// The TCP address the server logged it serves on (`serving FastCGI on ADDR with`).
    pub fn logged_tcp_addr(&mut self) -> std::net::SocketAddr {
        let text = self.wait_for_log("serving FastCGI on");
        let rest = text.split("serving FastCGI on ").nth(1).unwrap();
        rest.split_whitespace().next().unwrap().parse().unwrap()
    }

    /// Sends `sig`, waits for the exit (10 s at most), asserts nothing was written to stdout.
    pub fn stop(mut self, sig: libc::c_int) -> ExitStatus {
        signal(self.pid(), sig);
        self.wait_exit()
    }

    /// Waits for the exit (10 s at most), asserts nothing was written to stdout.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let status = self.guard.wait_timeout(Duration::from_secs(10));
        let mut stdout = Vec::new();
        if let Some(mut pipe) = self.guard.child().stdout.take() {
            pipe.read_to_end(&mut stdout).unwrap();
        }
        assert!(
            stdout.is_empty(),
            "serve wrote to stdout: {:?}",
            String::from_utf8_lossy(&stdout)
        );
        status
    }

    /// Asserts the log has no panic message.
    pub fn assert_no_panic(&self) {
        let text = self.log_text();
        assert!(!text.contains("panicked"), "{text}");
    }
}

/// Passes a listening socket as a child's standard input (what spawn-fcgi and StandardInput=socket do).
pub fn as_stdin(fd: impl Into<OwnedFd>) -> Stdio {
    Stdio::from(fd.into())
}

/// A TCP port that was free a moment ago, for peers that cannot bind port 0 and report it.
pub fn free_port(ip: &str) -> u16 {
    std::net::TcpListener::bind((ip, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
