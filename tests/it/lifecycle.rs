//! Process life of `wwsympa serve` on a socket the test holds (as systemd does): graceful replacement under load, SIGHUP reload, sd_notify, idle exit and re-activation.

use std::io::Write;
use std::os::fd::AsRawFd;
use std::os::unix::net::{UnixDatagram, UnixListener};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::fcgi_client::*;
use crate::support::process::{as_stdin, socket_count, wait_until, Server, Site};

/// Starts `wwsympa serve ARGS` with `listener` as its standard input and waits until it is ready.
fn start_on(site: &Site, name: &str, listener: &UnixListener, args: &[&str]) -> Server {
    let mut server = site.serve(name, as_stdin(listener.try_clone().unwrap()), args);
    server.wait_for_log("serving FastCGI on");
    server
}

/// One home-page request; `Err` describes anything short of a complete 200.
fn check_home(addr: &Addr) -> Result<(), String> {
    let reply = get(addr, "/sympa/").map_err(|e| e.to_string())?;
    if reply.end != Some((0, REQUEST_COMPLETE)) || reply.status() != 200 {
        return Err(format!("{reply:?}"));
    }
    if !reply.body().contains(r#"href="/sympa/info/alpha""#) {
        return Err(format!("unexpected page: {}", reply.body()));
    }
    Ok(())
}

#[test]
fn graceful_replacement_under_load_loses_no_request() {
    let site = Site::new("replace", "");
    site.create_lists(&["alpha"]);
    let path = site.socket("held");
    let listener = UnixListener::bind(&path).unwrap();
    let addr = Addr::Unix(path);

    let mut first = start_on(&site, "a", &listener, &["--threads", "2"]);
    // A request in flight across the stop: begun before SIGTERM, finished after it.
    let base = socket_count(first.pid());
    let mut slow = addr.connect().unwrap();
    slow.write_all(&begin(1, 1, false)).unwrap();
    assert!(wait_until(Duration::from_secs(5), || socket_count(
        first.pid()
    ) == base + 1));

    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let (stop, ok, failures, addr) = (
                Arc::clone(&stop),
                Arc::clone(&ok),
                Arc::clone(&failures),
                addr.clone(),
            );
            std::thread::spawn(move || {
                // Bounded in time by `stop` and in count by the limit.
                for _ in 0..20_000 {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    match check_home(&addr) {
                        Ok(()) => ok.fetch_add(1, Ordering::SeqCst),
                        Err(e) => {
                            failures.lock().unwrap().push(e);
                            0
                        }
                    };
                }
            })
        })
        .collect();

    std::thread::sleep(Duration::from_millis(700));
    let before_term = ok.load(Ordering::SeqCst);
    let second = start_on(&site, "b", &listener, &["--threads", "2"]);
    process_signal(&first, libc::SIGTERM);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        first.guard.alive(),
        "the first worker waits for its request in flight"
    );
    let mut rest = stream(PARAMS, 1, &get_params("/sympa/"), 65535);
    rest.extend(record(STDIN, 1, &[]));
    slow.write_all(&rest).unwrap();
    assert!(read_reply(&mut slow, 1)
        .unwrap()
        .ok_body()
        .contains("alpha"));
    let status = first.wait_exit();
    assert!(status.success(), "SIGTERM: {status:?}");
    let after_term = ok.load(Ordering::SeqCst);

    std::thread::sleep(Duration::from_millis(700));
    let third = start_on(&site, "c", &listener, &["--threads", "2"]);
    let second_log = second.log.clone();
    let status = second.stop(libc::SIGUSR1);
    assert!(status.success(), "SIGUSR1: {status:?}");
    assert!(std::fs::read_to_string(second_log)
        .unwrap()
        .contains("SIGUSR1: finishing"));
    let after_usr1 = ok.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(700));

    stop.store(true, Ordering::SeqCst);
    for client in clients {
        client.join().unwrap();
    }
    let total = ok.load(Ordering::SeqCst);
    third.assert_no_panic();
    assert!(third.stop(libc::SIGTERM).success());
    let failures = failures.lock().unwrap();
    eprintln!(
        "replacement under load: {total} answered, {} failed; {before_term} before SIGTERM, \
         {after_term} when the first exited, {after_usr1} when the second exited",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failed of {}: {:?}",
        failures.len(),
        total + failures.len() as u64,
        &failures[..failures.len().min(5)]
    );
    // Load really ran through every phase.
    assert!(before_term > 10, "{before_term}");
    assert!(after_usr1 > after_term, "{after_term} {after_usr1}");
    assert!(total > after_usr1 + 10, "{after_usr1} {total}");
}

fn process_signal(server: &Server, sig: libc::c_int) {
    crate::support::process::signal(server.pid(), sig);
}

/// Collects sd_notify datagrams sent to a socket in the site directory.
struct NotifySocket {
    socket: UnixDatagram,
    path: std::path::PathBuf,
}

impl NotifySocket {
    fn bind(site: &Site) -> NotifySocket {
        let path = site.path().join("notify.sock");
        let socket = UnixDatagram::bind(&path).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        NotifySocket { socket, path }
    }

    /// Messages received until `until` matches one (5 s at most).
    fn until(&self, until: &str) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut messages = Vec::new();
        let mut buf = [0u8; 4096];
        while Instant::now() < deadline {
            if let Ok(n) = self.socket.recv(&mut buf) {
                let message = String::from_utf8_lossy(&buf[..n]).into_owned();
                let done = message.lines().any(|line| line == until);
                messages.push(message);
                if done {
                    return messages;
                }
            }
        }
        panic!("no {until:?} within 5 s: {messages:?}");
    }
}

/// Starts a server on its own unix socket with NOTIFY_SOCKET and `env` set.
fn serve_notified(site: &Site, name: &str, notify: &NotifySocket, env: &[(&str, &str)]) -> Server {
    let listen = format!("unix:{}", site.socket(name).display());
    let mut command = site.command(&["serve", "--listen", &listen, "--threads", "1"]);
    command.env("NOTIFY_SOCKET", &notify.path);
    for (key, value) in env {
        command.env(key, value);
    }
    site.spawn_server(name, command, Stdio::null())
}

#[test]
fn sd_notify_ready_then_stopping_and_watchdog_only_when_asked() {
    let site = Site::new("notify", "");
    let plain_site = Site::new("notify-plain", "");
    let notify = NotifySocket::bind(&site);
    let plain_notify = NotifySocket::bind(&plain_site);
    let watched = serve_notified(&site, "w", &notify, &[("WATCHDOG_USEC", "300000")]);
    let plain = serve_notified(&plain_site, "p", &plain_notify, &[]);

    let ready = notify.until("READY=1");
    assert_eq!(ready.len(), 1, "READY=1 comes first: {ready:?}");
    // The socket is served once READY=1 is sent.
    let reply = get(&Addr::Unix(site.socket("w")), "/sympa/").unwrap();
    assert!(reply.ok_body().contains(r#"class="action-home""#));
    let beats = notify.until("WATCHDOG=1");
    assert!(beats.iter().all(|m| !m.contains("STOPPING")), "{beats:?}");
    notify.until("WATCHDOG=1");
    assert!(watched.stop(libc::SIGTERM).success());
    let end = notify.until("STOPPING=1");
    assert!(end.iter().all(|m| !m.contains("READY=1")), "{end:?}");

    let messages = plain_notify.until("READY=1");
    assert_eq!(messages.len(), 1, "{messages:?}");
    // Longer than the watchdog interval above: nothing asked for a watchdog here.
    std::thread::sleep(Duration::from_millis(1200));
    assert!(plain.stop(libc::SIGTERM).success());
    let end = plain_notify.until("STOPPING=1");
    assert!(end.iter().all(|m| !m.contains("WATCHDOG")), "{end:?}");
}

#[test]
fn sighup_reloads_the_configuration() {
    let site = Site::new("reload", "title = \"First Title\"");
    let notify = NotifySocket::bind(&site);
    let mut server = serve_notified(&site, "r", &notify, &[]);
    notify.until("READY=1");
    let addr = Addr::Unix(site.socket("r"));
    let title = |addr: &Addr| {
        let body = get(addr, "/sympa/").unwrap().ok_body();
        body.split("<title>")
            .nth(1)
            .and_then(|rest| rest.split("</title>").next())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(title(&addr), "First Title");
    site.write_config("title = \"Second Title\"");
    process_signal(&server, libc::SIGHUP);
    let reloading = notify.until("READY=1");
    assert!(
        reloading.iter().any(|m| m.contains("RELOADING=1")),
        "{reloading:?}"
    );
    assert_eq!(title(&addr), "Second Title");
    server.wait_for_log("SIGHUP: configuration and templates reloaded");

    // A broken file is refused and the running configuration kept.
    site.write_config("title = ");
    process_signal(&server, libc::SIGHUP);
    server.wait_for_log("SIGHUP: reload failed");
    assert_eq!(title(&addr), "Second Title");
    assert!(server.guard.alive());
    server.assert_no_panic();
    assert!(server.stop(libc::SIGTERM).success());
}

#[test]
fn idle_exit_and_reactivation_lose_no_connection() {
    let site = Arc::new(Site::new("idle", ""));
    site.create_lists(&["alpha"]);
    let path = site.socket("held");
    let listener = UnixListener::bind(&path).unwrap();
    let addr = Addr::Unix(path);
    let done = Arc::new(AtomicBool::new(false));
    // Each start's exit status.
    let exits = Arc::new(Mutex::new(Vec::new()));

    // The harness: like a systemd socket unit, start the service when a connection is pending
    // and nothing runs, and wait for it to exit.
    let harness = {
        let (done, exits, site) = (Arc::clone(&done), Arc::clone(&exits), Arc::clone(&site));
        let listener = listener.try_clone().unwrap();
        std::thread::spawn(move || {
            let mut starts = 0;
            while !done.load(Ordering::SeqCst) && starts < 10 {
                if !pending(&listener, Duration::from_millis(20)) {
                    continue;
                }
                starts += 1;
                let mut server = site.serve(
                    &format!("run{starts}"),
                    as_stdin(listener.try_clone().unwrap()),
                    &["--threads", "1", "--idle-timeout", "1s"],
                );
                // Exits on its own after the idle time; nothing on stdout.
                let status = server.wait_exit();
                exits.lock().unwrap().push(status);
            }
        })
    };

    // Gaps beyond the idle time (each needs a new start), and one near it (either way).
    let mut results = Vec::new();
    for gap in [0, 3000, 1000, 3000] {
        std::thread::sleep(Duration::from_millis(gap));
        results.push(check_home(&addr));
    }
    // Let the last one time out too.
    assert!(wait_until(Duration::from_secs(5), || exits
        .lock()
        .unwrap()
        .len()
        >= 3));
    std::thread::sleep(Duration::from_millis(2500));
    done.store(true, Ordering::SeqCst);
    harness.join().unwrap();
    assert_eq!(results, vec![Ok(()); 4]);
    let exits = exits.lock().unwrap();
    // Every start served at least one client, and the gaps beyond the idle time forced a start.
    assert!(exits.len() >= 3 && exits.len() <= 4, "{exits:?}");
    assert!(exits.iter().all(|s| s.success()), "{exits:?}");
}

/// Returns true if and only if a connection is waiting on `listener` (within `timeout`).
fn pending(listener: &UnixListener, timeout: Duration) -> bool {
    let mut fds = [libc::pollfd {
        fd: listener.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    }];
    let rc = unsafe { libc::poll(fds.as_mut_ptr(), 1, timeout.as_millis() as libc::c_int) };
    rc > 0 && fds[0].revents & libc::POLLIN != 0
}
