//! Two hosts, one PostgreSQL: two serving processes in two network namespaces the test makes, behind one nginx upstream, on a private PostgreSQL server; sessions and changes cross hosts, writers and senders on both lose and double nothing, and a database that stops gives 503s, never wrong pages, until it is back.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::browser::csrf_in;
use crate::nginx::{cookie_named, form};
use crate::support::nginx::Nginx;
use crate::support::postgres::PgServer;
use crate::support::{
    binary, http, missing_peers_allowed, peer, python_with_aiosmtpd, wait_until, Daemon, TempDir,
};

/// Two network namespaces, each joined to this one by a veth pair: host `i` is
/// `10.231.N.2` inside its namespace, and this side of its link is `10.231.N.1`.
struct Hosts {
    names: [String; 2],
    nets: [u8; 2],
}

impl Hosts {
    /// Makes the namespaces; `None` (SKIPPED) where that is not allowed and missing peers are.
    fn make() -> Option<Hosts> {
        // Unique to this test in this run: tests of one binary share the process id.
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let pid = std::process::id();
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let first = ((pid * 7 + n) % 120) as u8 * 2;
        let hosts = Hosts {
            names: [format!("wwa{pid}{n}"), format!("wwb{pid}{n}")],
            nets: [first, first + 1],
        };
        for (name, net) in hosts.names.iter().zip(hosts.nets) {
            let outside = format!("{name}o");
            let inside = format!("{name}i");
            let steps: Vec<Vec<String>> = vec![
                vec!["netns".into(), "add".into(), name.clone()],
                vec![
                    "link".into(),
                    "add".into(),
                    outside.clone(),
                    "type".into(),
                    "veth".into(),
                    "peer".into(),
                    "name".into(),
                    inside.clone(),
                ],
                vec![
                    "link".into(),
                    "set".into(),
                    inside.clone(),
                    "netns".into(),
                    name.clone(),
                ],
                vec![
                    "addr".into(),
                    "add".into(),
                    format!("10.231.{net}.1/30"),
                    "dev".into(),
                    outside.clone(),
                ],
                vec!["link".into(), "set".into(), outside.clone(), "up".into()],
            ];
            let inside_steps: Vec<Vec<String>> = vec![
                vec![
                    "addr".into(),
                    "add".into(),
                    format!("10.231.{net}.2/30"),
                    "dev".into(),
                    inside.clone(),
                ],
                vec!["link".into(), "set".into(), inside.clone(), "up".into()],
                vec!["link".into(), "set".into(), "lo".into(), "up".into()],
            ];
            for step in steps {
                if !ip(&step) {
                    assert!(
                        missing_peers_allowed(),
                        "cannot make network namespaces (`ip {}`): run the tests as root",
                        step.join(" ")
                    );
                    eprintln!("SKIPPED: cannot make network namespaces");
                    return None;
                }
            }
            for step in inside_steps {
                let mut args = vec!["-n".to_string(), name.clone()];
                args.extend(step);
                assert!(ip(&args), "ip {}", args.join(" "));
            }
        }
        Some(hosts)
    }

    /// Host `i`'s own address.
    fn inside(&self, i: usize) -> String {
        format!("10.231.{}.2", self.nets[i])
    }

    /// This side's address on host `i`'s link (where the database and the SMTP sink are).
    fn outside(&self, i: usize) -> String {
        format!("10.231.{}.1", self.nets[i])
    }

    /// `command` to be run inside host `i`.
    fn on(&self, i: usize, program: &std::path::Path) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.names[i]]).arg(program);
        command
    }
}

impl Drop for Hosts {
    fn drop(&mut self) {
        for name in &self.names {
            // Deleting a namespace deletes the veth pair with it.
            ip(&["netns".into(), "del".into(), name.clone()]);
        }
    }
}

fn ip(args: &[String]) -> bool {
    Command::new("ip")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The site: a private PostgreSQL server, two hosts serving FastCGI, nginx in front.
struct Site {
    dir: TempDir,
    hosts: Hosts,
    pg: PgServer,
    _servers: Vec<Daemon>,
    nginx: Nginx,
    /// `http` reaches both hosts on `ports[0]` (the upstream), host 0 on `ports[1]`, host 1 on `ports[2]`.
    ports: [u16; 3],
    smtp_port: u16,
}

/// The configuration of host `i` (`None`: this side, on loopback).
fn config_text(site_pg: &PgServer, db_host: &str, smtp_host: &str, smtp_port: u16) -> String {
    format!(
        "domain = 'lists.example.org'\nwwsympa_url = 'http://lists.example.org/sympa'\n\
         log_level = 'warn'\nsmtp_host = '{smtp_host}'\nsmtp_port = {smtp_port}\n{}",
        site_pg.config_lines(db_host, "site")
    )
}

impl Site {
    fn start(name: &str) -> Option<Site> {
        let nginx_bin = peer("nginx")?;
        let hosts = Hosts::make()?;
        let dir = TempDir::new(name);
        let pg = PgServer::start(dir.path(), &[&hosts.outside(0), &hosts.outside(1)])?;
        pg.create_database("site");
        let smtp_port = crate::support::free_port();
        for i in 0..2 {
            std::fs::write(
                dir.path().join(format!("host{i}.toml")),
                config_text(&pg, &hosts.outside(i), &hosts.outside(i), smtp_port),
            )
            .unwrap();
        }
        std::fs::write(
            dir.path().join("admin.toml"),
            config_text(&pg, "127.0.0.1", "127.0.0.1", smtp_port),
        )
        .unwrap();
        let admin = dir.path().join("admin.toml");
        let run = |args: &[&str], stdin: &str| crate::support::run_cli(&admin, args, stdin);
        run(&["db", "migrate"], "");
        run(
            &["user", "add", "joe@example.org", "--password-stdin"],
            "a long password\n",
        );
        run(&["list", "create", "news", "--subject", "News"], "");
        let mut servers = Vec::new();
        for i in 0..2 {
            let mut serve = hosts.on(i, &binary());
            serve
                .arg("--config")
                .arg(dir.path().join(format!("host{i}.toml")))
                .args(["serve", "--threads", "4", "--listen"])
                .arg(format!("tcp:{}:9000", hosts.inside(i)));
            servers.push(Daemon::spawn(
                serve,
                &dir.path().join(format!("host{i}.log")),
            ));
        }
        let fastcgi = |upstream: &str| {
            format!(
                "location /sympa {{ include /etc/nginx/fastcgi_params; fastcgi_pass {upstream}; \
                 add_header X-Upstream $upstream_addr always; }}"
            )
        };
        let block = format!(
            "upstream both {{ server {a}:9000; server {b}:9000; }}\n\
             server {{ listen 127.0.0.1:PORT0; {all} }}\n\
             server {{ listen 127.0.0.1:PORT1; {one} }}\n\
             server {{ listen 127.0.0.1:PORT2; {two} }}\n",
            a = hosts.inside(0),
            b = hosts.inside(1),
            all = fastcgi("both"),
            one = fastcgi(&format!("{}:9000", hosts.inside(0))),
            two = fastcgi(&format!("{}:9000", hosts.inside(1))),
        );
        let nginx_dir = dir.path().join("nginx");
        std::fs::create_dir_all(&nginx_dir).unwrap();
        let nginx = Nginx::start(&nginx_bin, &nginx_dir, &block, 3);
        let ports = [nginx.ports[0], nginx.ports[1], nginx.ports[2]];
        for port in &ports[1..] {
            wait_until("a host answering through nginx", || {
                http(*port, "GET", "/sympa/lists", &[], "").status == 200
            });
        }
        Some(Site {
            dir,
            hosts,
            pg,
            _servers: servers,
            nginx,
            ports,
            smtp_port,
        })
    }
}

const URLENCODED: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

/// Logs joe in on the host behind `port`; returns the session cookie.
fn log_in(port: u16) -> String {
    let page = http(port, "GET", "/sympa/login", &[], "");
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = cookie_named(&page, "sympa_csrf").expect("a CSRF cookie");
    let token = csrf_in(&page.body).expect("a token");
    let login = http(
        port,
        "POST",
        "/sympa/login",
        &[("Cookie", &csrf), URLENCODED],
        &form(&[
            ("email", "joe@example.org"),
            ("passwd", "a long password"),
            ("csrf_token", &token),
        ]),
    );
    assert_eq!(login.status, 303, "{}", login.body);
    cookie_named(&login, "sympa_session").expect("a session")
}

#[test]
fn a_session_and_a_change_made_on_one_host_hold_on_the_other() {
    let Some(site) = Site::start("hosts-session") else {
        return;
    };
    let [both, first, second] = site.ports;
    // Logged in on the first host; the second knows the session.
    let session = log_in(first);
    let page = http(
        second,
        "GET",
        "/sympa/subscribe/news",
        &[("Cookie", &session)],
        "",
    );
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("joe@example.org"),
        "logged in on the other host"
    );
    // A form from the second host, posted to the first: one CSRF secret for the site.
    let token = csrf_in(&page.body).unwrap();
    let subscribed = http(
        first,
        "POST",
        "/sympa/subscribe/news",
        &[("Cookie", &session), URLENCODED],
        &form(&[("gecos", "Joe"), ("csrf_token", &token)]),
    );
    assert_eq!(subscribed.status, 303, "{}", subscribed.body);
    // The change is there on the next request to the second host.
    let info = http(
        second,
        "GET",
        "/sympa/info/news",
        &[("Cookie", &session)],
        "",
    );
    assert!(info.body.contains("1 member"), "{}", info.body);
    let anonymous = http(second, "GET", "/sympa/lists", &[], "");
    assert!(anonymous.body.contains("News"));
    // Through the upstream, requests land on both hosts and all see the same session.
    let mut upstreams = BTreeSet::new();
    for _ in 0..8 {
        let page = http(both, "GET", "/sympa/info/news", &[("Cookie", &session)], "");
        assert_eq!(page.status, 200);
        assert!(page.body.contains("joe@example.org"));
        assert!(page.body.contains("1 member"));
        upstreams.insert(page.header("x-upstream").unwrap_or("").to_string());
    }
    assert_eq!(upstreams.len(), 2, "both hosts served: {upstreams:?}");
    // Logging out on one host ends the session on both.
    let logout_page = http(
        second,
        "GET",
        "/sympa/info/news",
        &[("Cookie", &session)],
        "",
    );
    let token = csrf_in(&logout_page.body).unwrap();
    let out = http(
        second,
        "POST",
        "/sympa/logout",
        &[("Cookie", &session), URLENCODED],
        &form(&[("csrf_token", &token)]),
    );
    assert!(out.status == 303 || out.status == 200, "{}", out.body);
    let after = http(
        first,
        "GET",
        "/sympa/subscribe/news",
        &[("Cookie", &session)],
        "",
    );
    assert!(
        !after.body.contains("joe@example.org"),
        "logged out everywhere"
    );
    drop(site.nginx);
}

#[test]
fn writers_on_two_hosts_lose_and_double_nothing_and_two_senders_send_each_mail_once() {
    let Some(python) = python_with_aiosmtpd() else {
        return;
    };
    let Some(site) = Site::start("hosts-writers") else {
        return;
    };
    // Eight CLI processes, four on each host, adding their own addresses and 20 shared ones.
    let shared: Vec<String> = (0..20).map(|i| format!("s{i:02}@example.org")).collect();
    let mut children = Vec::new();
    for k in 0..8 {
        let mut command = site.hosts.on(k % 2, &binary());
        let mut addresses: Vec<String> = (0..30)
            .map(|i| format!("w{k}-{i:02}@example.org"))
            .collect();
        for (j, address) in shared.iter().enumerate() {
            addresses.insert((j * 3 + k) % addresses.len(), address.clone());
        }
        command
            .arg("--config")
            .arg(site.dir.path().join(format!("host{}.toml", k % 2)))
            .args(["member", "add", "news"])
            .args(&addresses)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        children.push(command.spawn().unwrap());
    }
    let mut lines = Vec::new();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        lines.extend(
            String::from_utf8(output.stdout)
                .unwrap()
                .lines()
                .map(str::to_string),
        );
    }
    let added = lines.iter().filter(|l| l.starts_with("added\t")).count();
    let already = lines.iter().filter(|l| l.starts_with("already\t")).count();
    assert_eq!((added, already), (8 * 30 + 20, 7 * 20));
    let mut client =
        postgres::Client::connect(&site.pg.conninfo("127.0.0.1", "site"), postgres::NoTls).unwrap();
    let row = client
        .query_one(
            "SELECT (SELECT COUNT(*) FROM members), (SELECT member_count FROM lists WHERE name = 'news'),
                    (SELECT COUNT(*) FROM outbox WHERE state = 'pending')",
            &[],
        )
        .unwrap();
    let (members, kept, pending): (i64, i64, i64) = (row.get(0), row.get(1), row.get(2));
    assert_eq!((members, kept), (260, 260));
    // 300 messages queued in the one outbox (the shell adds members without mail).
    let store = wwsympa::store::Store::connect(
        &wwsympa::store::Target::parse(&site.pg.conninfo("127.0.0.1", "site")).unwrap(),
    )
    .unwrap();
    for i in 0..300 {
        store
            .db()
            .enqueue_mail(&wwsympa::store::NewMail {
                kind: "test".into(),
                list: None,
                envelope_from: "sympa@lists.example.org".into(),
                recipients: vec![format!("r{i}@example.org")],
                message: format!(
                    "Message-ID: <m{i}@test>\r\nFrom: sympa@lists.example.org\r\n\
                     To: r{i}@example.org\r\nSubject: {i}\r\n\r\nbody {i}\r\n"
                )
                .into_bytes(),
            })
            .unwrap();
    }
    let queued = pending + 300;

    // Two senders, one per host, drain the outbox into one SMTP sink: each mail once.
    let maildir = site.dir.path().join("maildir");
    let mut sink = Command::new(&python);
    sink.args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("0.0.0.0:{}", site.smtp_port))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir);
    let _sink = Daemon::spawn(sink, &site.dir.path().join("smtp.log"));
    wait_until("the SMTP sink", || {
        std::net::TcpStream::connect(("127.0.0.1", site.smtp_port)).is_ok()
    });
    let _senders: Vec<Daemon> = (0..2)
        .map(|i| {
            let mut sender = site.hosts.on(i, &binary());
            sender
                .arg("--config")
                .arg(site.dir.path().join(format!("host{i}.toml")))
                .args(["sender", "--poll", "1s"]);
            Daemon::spawn(sender, &site.dir.path().join(format!("sender{i}.log")))
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let pending: i64 = client
            .query_one("SELECT COUNT(*) FROM outbox WHERE state <> 'sent'", &[])
            .unwrap()
            .get(0);
        if pending == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{pending} mail(s) still unsent");
        std::thread::sleep(Duration::from_millis(200));
    }
    let by: Vec<(String, i64)> = client
        .query(
            "SELECT claimed_by, COUNT(*) FROM outbox GROUP BY claimed_by",
            &[],
        )
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    // The serving processes' own sender threads take part too: four senders on two hosts.
    assert!(by.len() >= 2, "several senders sent: {by:?}");
    assert_eq!(by.iter().map(|(_, n)| n).sum::<i64>(), queued);
    std::thread::sleep(Duration::from_millis(500));
    let files: Vec<String> = std::fs::read_dir(maildir.join("new"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(
        files.len() as i64,
        queued,
        "each mail reached the sink once"
    );
    let ids: BTreeSet<&str> = files
        .iter()
        .filter_map(|m| {
            m.lines()
                .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
        })
        .collect();
    assert_eq!(ids.len() as i64, queued, "no message twice");
}

#[test]
fn postgresql_stopped_under_load_gives_503s_never_wrong_pages_then_full_service() {
    let Some(mut site) = Site::start("hosts-outage") else {
        return;
    };
    let both = site.ports[0];
    let session = log_in(site.ports[1]);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Four clients, two anonymous and two logged in, on both hosts through the upstream.
    let clients: Vec<_> = (0..4)
        .map(|k| {
            let stop = std::sync::Arc::clone(&stop);
            let cookie = if k % 2 == 0 {
                Some(session.clone())
            } else {
                None
            };
            std::thread::spawn(move || {
                let mut seen: Vec<(Instant, u16, bool)> = Vec::new();
                let paths = ["/sympa/lists", "/sympa/info/news", "/sympa/"];
                let mut i = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let headers: Vec<(&str, &str)> = match &cookie {
                        Some(c) => vec![("Cookie", c.as_str())],
                        None => vec![],
                    };
                    let page = http(both, "GET", paths[i % paths.len()], &headers, "");
                    // A page that answers 200 shows the list, and the logged-in user.
                    let right = page.status != 200
                        || (page.body.contains("news")
                            && (cookie.is_none() || page.body.contains("joe@example.org")));
                    if page.status == 503 {
                        assert!(
                            page.header("retry-after").is_some(),
                            "503 without Retry-After"
                        );
                    }
                    seen.push((Instant::now(), page.status, right));
                    i += 1;
                    std::thread::sleep(Duration::from_millis(20));
                }
                seen
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(800));
    let stopped_at = Instant::now();
    site.pg.halt();
    std::thread::sleep(Duration::from_secs(3));
    site.pg.resume();
    let back_at = Instant::now();
    std::thread::sleep(Duration::from_secs(4));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let seen: Vec<(Instant, u16, bool)> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    let statuses: BTreeSet<u16> = seen.iter().map(|(_, status, _)| *status).collect();
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 503),
        "only 200 and 503: {statuses:?}"
    );
    assert!(
        seen.iter().all(|(_, _, right)| *right),
        "a 200 page without its list or its user"
    );
    let during = seen
        .iter()
        .filter(|(at, _, _)| *at > stopped_at + Duration::from_millis(300) && *at < back_at)
        .count();
    let refused = seen
        .iter()
        .filter(|(at, status, _)| *status == 503 && *at > stopped_at && *at < back_at)
        .count();
    assert!(
        during > 0 && refused > 0,
        "the outage was seen: {during} requests, {refused} 503s"
    );
    // Full service within seconds of its return: the last two seconds are all 200.
    let late: Vec<u16> = seen
        .iter()
        .filter(|(at, _, _)| *at > back_at + Duration::from_secs(2))
        .map(|(_, status, _)| *status)
        .collect();
    assert!(
        !late.is_empty() && late.iter().all(|s| *s == 200),
        "{late:?}"
    );
    // The logged-in session survived the outage.
    let page = http(both, "GET", "/sympa/info/news", &[("Cookie", &session)], "");
    assert!(page.body.contains("joe@example.org"));
}
