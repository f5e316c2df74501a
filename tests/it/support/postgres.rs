//! A private PostgreSQL server for tests that stop and start it (Debian's binaries, a data directory of the test's own, trust on loopback and the test's own networks).

#![allow(dead_code)]

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::process::{free_port, wait_until};

/// A postmaster of our own, stopped (by its PID) when dropped.
pub struct PgServer {
    bin: PathBuf,
    data: PathBuf,
    /// Its port, on every address it listens on.
    pub port: u16,
    listen: String,
    postmaster: Option<Child>,
    uid: u32,
    gid: u32,
}

/// The newest `/usr/lib/postgresql/N/bin`, if PostgreSQL's server is installed.
fn server_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// The uid and gid of the `postgres` account (the server refuses to run as root).
fn postgres_account() -> Option<(u32, u32)> {
    let name = std::ffi::CString::new("postgres").unwrap();
    // SAFETY: getpwnam with a valid C string; the result is read at once, on this thread.
    let entry = unsafe { libc::getpwnam(name.as_ptr()) };
    if entry.is_null() {
        return None;
    }
    // SAFETY: non-null, as checked.
    Some(unsafe { ((*entry).pw_uid, (*entry).pw_gid) })
}

impl PgServer {
    /// Makes a cluster in `dir` and starts it on a free port on 127.0.0.1 and `addresses`.
    /// `None` (SKIPPED) when PostgreSQL is missing and missing peers are allowed; a failure
    /// otherwise (under CI above all).
    pub fn start(dir: &Path, addresses: &[&str]) -> Option<PgServer> {
        let Some(bin) = server_bin() else {
            assert!(
                super::missing_peers_allowed(),
                "PostgreSQL's server (Debian's postgresql) is not installed"
            );
            eprintln!("SKIPPED: PostgreSQL's server is not installed");
            return None;
        };
        let (uid, gid) = postgres_account().expect("the postgres account");
        let data = dir.join("pgdata");
        std::fs::create_dir_all(&data).unwrap();
        for path in [dir, data.as_path()] {
            std::fs::set_permissions(
                path,
                std::os::unix::fs::PermissionsExt::from_mode(if path == data {
                    0o700
                } else {
                    0o755
                }),
            )
            .unwrap();
        }
        std::os::unix::fs::chown(&data, Some(uid), Some(gid)).unwrap();
        let initdb = Command::new(bin.join("initdb"))
            .args([
                "-A",
                "trust",
                "-U",
                "wwsympa",
                "--no-sync",
                "-E",
                "UTF8",
                "-D",
            ])
            .arg(&data)
            .uid(uid)
            .gid(gid)
            .stdout(Stdio::null())
            .output()
            .expect("running initdb");
        assert!(
            initdb.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&initdb.stderr)
        );
        let mut hba = std::fs::read_to_string(data.join("pg_hba.conf")).unwrap();
        hba.push_str("\nhost all all 10.0.0.0/8 trust\n");
        std::fs::write(data.join("pg_hba.conf"), hba).unwrap();
        let mut listen = vec!["127.0.0.1"];
        listen.extend_from_slice(addresses);
        let mut server = PgServer {
            bin,
            data,
            port: free_port("127.0.0.1"),
            listen: listen.join(","),
            postmaster: None,
            uid,
            gid,
        };
        server.resume();
        Some(server)
    }

    /// Starts the postmaster again (after [`PgServer::halt`]) and waits until it answers.
    pub fn resume(&mut self) {
        assert!(self.postmaster.is_none(), "already running");
        let log = std::fs::File::create(self.data.join("server.log")).unwrap();
        let child = Command::new(self.bin.join("postgres"))
            .arg("-D")
            .arg(&self.data)
            .args(["-p", &self.port.to_string()])
            .args(["-c", &format!("listen_addresses={}", self.listen)])
            .args([
                "-c",
                &format!("unix_socket_directories={}", self.data.display()),
            ])
            .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
            .args(["-c", "max_connections=200"])
            .uid(self.uid)
            .gid(self.gid)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("starting postgres");
        self.postmaster = Some(child);
        let up = wait_until(Duration::from_secs(20), || {
            postgres::Client::connect(&self.conninfo("127.0.0.1", "postgres"), postgres::NoTls)
                .is_ok()
        });
        assert!(up, "postgres did not start: {}", self.log());
    }

    /// Stops the postmaster (fast shutdown: connections are cut) and waits until it is gone.
    pub fn halt(&mut self) {
        let Some(mut child) = self.postmaster.take() else {
            return;
        };
        super::process::signal(child.id(), libc::SIGINT);
        let gone = wait_until(Duration::from_secs(20), || {
            matches!(child.try_wait(), Ok(Some(_)))
        });
        if !gone {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data.join("server.log")).unwrap_or_default()
    }

    /// A libpq string for database `name` through `host`.
    pub fn conninfo(&self, host: &str, name: &str) -> String {
        format!(
            "host={host} port={} user=wwsympa dbname={name} connect_timeout=5",
            self.port
        )
    }

    /// Creates database `name`.
    pub fn create_database(&self, name: &str) {
        let mut client =
            postgres::Client::connect(&self.conninfo("127.0.0.1", "postgres"), postgres::NoTls)
                .unwrap();
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
    }

    /// The configuration lines that put a site on database `name` through `host`.
    pub fn config_lines(&self, host: &str, name: &str) -> String {
        format!(
            "db_type = 'PostgreSQL'\ndb_host = '{host}'\ndb_port = {}\ndb_user = 'wwsympa'\ndb_name = '{name}'\n",
            self.port
        )
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        self.halt();
    }
}
