//! A private nginx for tests (own prefix, loopback high ports, error log to a file) and a tiny HTTP/1.1 client.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::process::{free_port, wait_until, Guard};

/// A running nginx master with its worker, stopped (by PID) when dropped.
pub struct Nginx {
    pub guard: Guard,
    pub dir: PathBuf,
    /// The ports of the `listen PORTn` placeholders, in order.
    pub ports: Vec<u16>,
}

impl Nginx {
    /// Starts `nginx` with `http_block` (the inside of `http {}`), where `PORT0`, `PORT1`, ...
    /// stand for free loopback ports. Retries with other ports if one was taken meanwhile.
    pub fn start(nginx: &Path, dir: &Path, http_block: &str, port_count: usize) -> Nginx {
        for attempt in 0..3 {
            let ports: Vec<u16> = (0..port_count).map(|_| free_port("127.0.0.1")).collect();
            let mut block = http_block.to_string();
            for (i, port) in ports.iter().enumerate() {
                block = block.replace(&format!("PORT{i}"), &port.to_string());
            }
            let tmp = dir.join("tmp");
            std::fs::create_dir_all(&tmp).unwrap();
            let user = if unsafe { libc::geteuid() } == 0 {
                // Workers would otherwise become nobody, who may not connect to our sockets.
                "user root root;"
            } else {
                ""
            };
            let conf = format!(
                "{user}\ndaemon off;\nworker_processes 1;\npid {dir}/nginx.pid;\nerror_log {dir}/error.log info;\n\
                 events {{ worker_connections 256; }}\n\
                 http {{\n access_log off;\n client_body_temp_path {tmp}/body;\n fastcgi_temp_path {tmp}/fastcgi;\n\
                 proxy_temp_path {tmp}/proxy;\n uwsgi_temp_path {tmp}/uwsgi;\n scgi_temp_path {tmp}/scgi;\n{block}\n}}\n",
                dir = dir.display(),
                tmp = tmp.display(),
            );
            let conf_path = dir.join("nginx.conf");
            std::fs::write(&conf_path, conf).unwrap();
            let child = Command::new(nginx)
                .arg("-p")
                .arg(dir)
                .arg("-c")
                .arg(&conf_path)
                .arg("-e")
                .arg(dir.join("error.log"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let mut guard = Guard::new(child);
            let up = wait_until(Duration::from_secs(10), || {
                !guard.alive()
                    || ports
                        .iter()
                        .all(|port| TcpStream::connect(("127.0.0.1", *port)).is_ok())
            });
            if up && guard.alive() {
                return Nginx {
                    guard,
                    dir: dir.to_path_buf(),
                    ports,
                };
            }
            let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
            assert!(
                attempt < 2 && log.contains("Address already in use"),
                "nginx did not start: {log}"
            );
        }
        unreachable!()
    }

    /// The error log so far.
    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
    }

    /// Graceful stop (SIGQUIT), then waits for the exit.
    pub fn stop(mut self) {
        super::process::signal(self.guard.pid(), libc::SIGQUIT);
        self.guard.wait_timeout(Duration::from_secs(10));
    }
}

/// An HTTP response.
#[derive(Debug)]
pub struct HttpReply {
    pub status: u16,
    pub head: String,
    pub body: String,
}

/// One GET on a fresh connection (`Connection: close`).
pub fn http_get(port: u16, path: &str) -> std::io::Result<HttpReply> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    Ok(HttpReply {
        status,
        head: head.to_string(),
        body: body.to_string(),
    })
}
