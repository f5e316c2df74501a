//! `wwsympa serve` under the real peers that hand it a socket: spawn-fcgi, multiwatch, systemd-socket-activate, cgi-fcgi; and its own --listen.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::fcgi_client::*;
use crate::support::peer;
use crate::support::process::{
    children, comm, free_port, socket_count, wait_until, Guard, Server, Site,
};

/// A site with two lists, logging at debug level so the listener's origin shows.
fn site(name: &str) -> Site {
    let site = Site::new(name, "log_level = \"debug\"");
    site.create_lists(&["alpha", "beta"]);
    site
}

/// `PROGRAM PEER_ARGS -- wwsympa --config C serve SERVE_ARGS`, in the site, with a clean environment.
fn under(site: &Site, program: &Path, peer_args: &[&str], serve_args: &[&str]) -> Command {
    let mut command = Command::new(program);
    command
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .current_dir(site.path())
        .args(peer_args)
        .arg("--")
        .arg(crate::support::binary())
        .arg("--config")
        .arg(&site.config)
        .arg("serve")
        .args(serve_args);
    command
}

/// Asserts a home page listing the site's lists.
fn assert_home(body: &str) {
    assert!(body.contains(r#"class="action-home""#), "{body}");
    assert!(body.contains(r#"href="/sympa/info/alpha""#), "{body}");
    assert!(body.contains(r#"href="/sympa/info/beta""#), "{body}");
}

/// Runs `cgi-fcgi -bind -connect TARGET` for a GET of `uri`; returns its standard output.
fn cgi_fcgi(cgi_fcgi: &Path, target: &str, uri: &str) -> String {
    let child = Command::new(cgi_fcgi)
        .args(["-bind", "-connect", target])
        .env_clear()
        .env("GATEWAY_INTERFACE", "CGI/1.1")
        .env("REQUEST_METHOD", "GET")
        .env("REQUEST_URI", uri)
        .env("QUERY_STRING", "")
        .env("SERVER_NAME", "localhost")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut guard = Guard::new(child);
    let status = guard.wait_timeout(Duration::from_secs(10));
    let mut out = String::new();
    guard
        .child()
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let mut err = String::new();
    guard
        .child()
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "cgi-fcgi: {status:?} {err}");
    out
}

/// Stops a server with SIGTERM: exit 0, no panic, nothing on stdout.
fn stop_cleanly(server: Server) {
    server.assert_no_panic();
    let log = server.log.clone();
    let status = server.stop(libc::SIGTERM);
    assert!(
        status.success(),
        "{status:?}: {}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

#[test]
fn spawn_fcgi_on_a_unix_socket_with_cgi_fcgi() {
    let (Some(spawn), Some(client)) = (peer("spawn-fcgi"), peer("cgi-fcgi")) else {
        return;
    };
    let site = site("spawn-unix");
    let socket = site.socket("spawn");
    let command = under(
        &site,
        &spawn,
        &["-n", "-s", socket.to_str().unwrap()],
        &["--threads", "1"],
    );
    let mut server = site.spawn_server("spawn", command, Stdio::null());
    server.wait_for_log("serving FastCGI");
    // -n execs in place: the PID is wwsympa's, and it took the socket from fd 0.
    assert_eq!(comm(server.pid()), "wwsympa");
    server.wait_for_log("listener from Stdin");
    let out = cgi_fcgi(&client, socket.to_str().unwrap(), "/sympa/");
    assert!(out.starts_with("Status: 200 OK\r\n"), "{out}");
    assert_home(&out);
    stop_cleanly(server);
}

#[test]
fn spawn_fcgi_on_tcp_ipv4_and_ipv6_with_cgi_fcgi() {
    let (Some(spawn), Some(client)) = (peer("spawn-fcgi"), peer("cgi-fcgi")) else {
        return;
    };
    let site = site("spawn-tcp");
    let ipv6 = std::net::TcpListener::bind("[::1]:0").is_ok();
    let mut hosts = vec!["127.0.0.1"];
    if ipv6 {
        hosts.push("::1");
    } else {
        eprintln!("no IPv6 loopback here: testing IPv4 only");
    }
    for host in hosts {
        let port = free_port(host);
        let command = under(
            &site,
            &spawn,
            &["-n", "-a", host, "-p", &port.to_string()],
            &["--threads", "1"],
        );
        let mut server = site.spawn_server(&format!("spawn-{port}"), command, Stdio::null());
        let logged = server.logged_tcp_addr();
        assert_eq!(logged.port(), port);
        assert_eq!(logged.ip().to_string(), host);
        if !host.contains(':') {
            // libfcgi's HOST:PORT parsing has no IPv6 form: cgi-fcgi only on IPv4.
            let out = cgi_fcgi(&client, &format!("{host}:{port}"), "/sympa/lists");
            assert!(out.starts_with("Status: 200 OK\r\n"), "{host}: {out}");
            assert!(out.contains(r#"class="action-lists""#), "{out}");
        }
        // Our own client as well, straight to the TCP socket.
        let reply = get(&Addr::Tcp(logged), "/sympa/").unwrap();
        assert_home(&reply.ok_body());
        stop_cleanly(server);
    }
}

/// The wwsympa children of `pid`.
fn wwsympa_children(pid: u32) -> Vec<u32> {
    children(pid)
        .into_iter()
        .filter(|&child| comm(child) == "wwsympa")
        .collect()
}

/// `spawn-fcgi -s SOCKET -- multiwatch -f 3 -- wwsympa serve ARGS`, logging to `<name>.log`.
fn multiwatch_three(
    site: &Site,
    spawn: &Path,
    multiwatch: &Path,
    socket: &Path,
    name: &str,
    args: &[&str],
) -> Server {
    let mut command = Command::new(spawn);
    command
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .current_dir(site.path())
        .args(["-n", "-s", socket.to_str().unwrap(), "--"])
        .arg(multiwatch)
        .args(["-f", "3", "--"])
        .arg(crate::support::binary())
        .arg("--config")
        .arg(&site.config)
        .arg("serve")
        .args(args);
    site.spawn_server(name, command, Stdio::null())
}

#[test]
fn multiwatch_three_processes_share_the_socket_and_each_answers() {
    let (Some(spawn), Some(multiwatch)) = (peer("spawn-fcgi"), peer("multiwatch")) else {
        return;
    };
    let site = site("multiwatch");
    let socket = site.socket("mw");
    let server = multiwatch_three(
        &site,
        &spawn,
        &multiwatch,
        &socket,
        "multiwatch",
        &["--threads", "1", "--conns", "1"],
    );
    let watcher = server.pid();
    let mut workers = Vec::new();
    assert!(
        wait_until(Duration::from_secs(10), || {
            workers = wwsympa_children(watcher);
            workers.len() == 3 && server.log_text().matches("serving FastCGI on").count() == 3
        }),
        "multiwatch did not start 3 ready workers: {workers:?} {}",
        server.log_text()
    );
    let baseline: Vec<usize> = workers.iter().map(|&pid| socket_count(pid)).collect();

    // Hold one unfinished request per connection. Each worker has one connection thread, so it
    // takes one connection and no other: find which PID holds each by the socket it accepted.
    let addr = Addr::Unix(socket.clone());
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut conn = addr.connect().unwrap();
        conn.write_all(&begin(1, 1, false)).unwrap();
        let mut holder = None;
        assert!(
            wait_until(Duration::from_secs(5), || {
                holder = workers.iter().zip(&baseline).find_map(|(&pid, &base)| {
                    let busy = socket_count(pid) > base;
                    (busy && !held.iter().any(|(p, _)| *p == pid)).then_some(pid)
                });
                holder.is_some()
            }),
            "no free worker accepted the connection"
        );
        held.push((holder.unwrap(), conn));
    }
    let mut answered_by: Vec<u32> = Vec::new();
    for (pid, mut conn) in held {
        let mut rest = stream(PARAMS, 1, &get_params("/sympa/"), 65535);
        rest.extend(record(STDIN, 1, &[]));
        conn.write_all(&rest).unwrap();
        assert_home(&read_reply(&mut conn, 1).unwrap().ok_body());
        // Its connection is closed again once it answered.
        let base = baseline[workers.iter().position(|&w| w == pid).unwrap()];
        assert!(wait_until(Duration::from_secs(5), || socket_count(pid) == base));
        answered_by.push(pid);
    }
    answered_by.sort_unstable();
    answered_by.dedup();
    assert_eq!(answered_by.len(), 3, "three different PIDs answered");

    // multiwatch turns SIGTERM into SIGUSR1 for each worker; all stop and multiwatch exits 0.
    stop_cleanly(server);
    for pid in workers {
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "{pid} lingers"
        );
    }
}

#[test]
fn systemd_socket_activate_with_listen_fds() {
    let Some(activate) = peer("systemd-socket-activate") else {
        return;
    };
    let site = site("activate");
    let other = site.socket("other");
    let ours = site.socket("ours");
    // Two sockets: the one named like --fd-name's default (wwsympa) is served.
    let command = under(
        &site,
        &activate,
        &[
            "-l",
            other.to_str().unwrap(),
            "-l",
            ours.to_str().unwrap(),
            "--fdname=other:wwsympa",
        ],
        &["--threads", "1"],
    );
    let mut server = site.spawn_server("activate", command, Stdio::null());
    server.wait_for_log(&format!("Listening on {}", ours.display()));
    let reply = get(&Addr::Unix(ours.clone()), "/sympa/").unwrap();
    assert_home(&reply.ok_body());
    assert_eq!(comm(server.pid()), "wwsympa");
    server.wait_for_log("listener from Systemd(\"wwsympa\")");
    let log = server.wait_for_log(&format!("serving FastCGI on unix:{}", ours.display()));
    assert!(!log.contains("LISTEN_"), "{log}");
    stop_cleanly(server);
}

#[test]
fn systemd_socket_activate_on_tcp() {
    let Some(activate) = peer("systemd-socket-activate") else {
        return;
    };
    let site = site("activate-tcp");
    let port = free_port("127.0.0.1");
    let address = format!("127.0.0.1:{port}");
    let command = under(&site, &activate, &["-l", &address], &["--threads", "1"]);
    let mut server = site.spawn_server("activate-tcp", command, Stdio::null());
    server.wait_for_log("Listening on");
    let reply = get(&Addr::Tcp(address.parse().unwrap()), "/sympa/").unwrap();
    assert_home(&reply.ok_body());
    server.wait_for_log("listener from Systemd");
    stop_cleanly(server);
}

#[test]
fn systemd_socket_activate_inetd_style_socket_on_fd_0() {
    let Some(activate) = peer("systemd-socket-activate") else {
        return;
    };
    let site = site("inetd");
    let socket = site.socket("inetd");
    let command = under(
        &site,
        &activate,
        &["--inetd", "-l", socket.to_str().unwrap()],
        &["--threads", "2"],
    );
    let mut server = site.spawn_server("inetd", command, Stdio::null());
    server.wait_for_log("Listening on");
    let addr = Addr::Unix(socket);
    for uri in ["/sympa/", "/sympa/"] {
        assert_home(&get(&addr, uri).unwrap().ok_body());
    }
    server.wait_for_log("listener from Stdin");
    // fd 0 now holds /dev/null, not the listener (children must not inherit it as stdin).
    let fd0 = std::fs::read_link(format!("/proc/{}/fd/0", server.pid())).unwrap();
    assert_eq!(fd0, PathBuf::from("/dev/null"));
    stop_cleanly(server);
}

#[test]
fn listen_on_unix_tcp_and_ipv6() {
    let site = site("listen");
    let mut specs = vec!["127.0.0.1:0".to_string()];
    if std::net::TcpListener::bind("[::1]:0").is_ok() {
        specs.push("[::1]:0".into());
    } else {
        eprintln!("no IPv6 loopback here: testing IPv4 only");
    }
    for (i, spec) in specs.iter().enumerate() {
        let mut server = site.serve(
            &format!("tcp{i}"),
            Stdio::null(),
            &["--listen", spec, "--threads", "2"],
        );
        let addr = server.logged_tcp_addr();
        assert_ne!(addr.port(), 0);
        assert_eq!(addr.is_ipv6(), spec.starts_with('['));
        assert_home(&get(&Addr::Tcp(addr), "/sympa/").unwrap().ok_body());
        stop_cleanly(server);
    }
    let (server, addr) = site.serve_unix("unix", &["--threads", "2"]);
    assert_home(&get(&addr, "/sympa/").unwrap().ok_body());
    stop_cleanly(server);
}

#[test]
fn no_listener_is_a_one_line_error_and_a_failure_exit() {
    let site = Site::new("nolistener", "");
    // Standard input: /dev/null, then a connected (not listening) socket.
    let (connected, _peer) = UnixStream::pair().unwrap();
    for stdin in [
        Stdio::null(),
        Stdio::from(std::os::fd::OwnedFd::from(connected)),
    ] {
        let output = site
            .command(&["serve"])
            .stdin(stdin)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(output.stdout.is_empty(), "{:?}", output.stdout);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("no listening socket"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn listen_on_a_path_that_cannot_be_bound_is_an_error() {
    let site = Site::new("badlisten", "");
    let output = site
        .command(&["serve", "--listen", "unix:/nonexistent-dir/x.sock"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("cannot listen on unix:/nonexistent-dir/x.sock"));
    assert!(output.stdout.is_empty());
}

/// With the default connection threads (dozens per process), connections still spread over
/// every process multiwatch runs: threads wait in `accept` first come, first served, so a
/// process that registered first does not take them all (an exclusive epoll wait did).
#[test]
fn multiwatch_spreads_connections_over_its_processes_with_default_threads() {
    let (Some(spawn), Some(multiwatch)) = (peer("spawn-fcgi"), peer("multiwatch")) else {
        return;
    };
    let site = site("multiwatch-spread");
    let socket = site.socket("mws");
    let server = multiwatch_three(
        &site,
        &spawn,
        &multiwatch,
        &socket,
        "multiwatch-spread",
        &[],
    );
    let watcher = server.pid();
    assert!(
        wait_until(Duration::from_secs(10), || {
            wwsympa_children(watcher).len() == 3
                && server.log_text().matches("serving FastCGI on").count() == 3
        }),
        "multiwatch did not start 3 ready workers: {}",
        server.log_text()
    );
    // More sequential connections than the three processes have connection threads.
    let addr = Addr::Unix(socket.clone());
    for _ in 0..150 {
        let mut conn = addr.connect().unwrap();
        conn.write_all(&get_request(1, "/sympa/", false)).unwrap();
        assert_home(&read_reply(&mut conn, 1).unwrap().ok_body());
    }
    let log = server.log_text();
    stop_cleanly(server);
    let log = log + &std::fs::read_to_string(site.path().join("multiwatch-spread.log")).unwrap();
    let served: Vec<u64> = log
        .lines()
        .filter_map(|line| line.split("stopped after ").nth(1))
        .filter_map(|rest| rest.split_whitespace().next()?.parse().ok())
        .collect();
    assert_eq!(served.len(), 3, "{log}");
    assert!(
        served.iter().all(|&n| n >= 10),
        "every process answered its share: {served:?}"
    );
}
