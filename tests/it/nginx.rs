//! Real nginx (its own instance on a loopback port, stopped by PID) in front of
//! `wwsympa serve` on a unix socket: log in and subscribe with cookies and CSRF tokens.

use std::process::Command;

use crate::browser::csrf_in;
use crate::support::{binary, free_port, http, peer, wait_until, Daemon, HttpAnswer, TempDir};

/// The `sympa_session` cookie a response sets, as `name=value`.
fn session_cookie(answer: &HttpAnswer) -> Option<String> {
    cookie_named(answer, "sympa_session")
}

/// The `name=value` pair of the first non-empty `Set-Cookie` named `name`.
pub(crate) fn cookie_named(answer: &HttpAnswer, name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    answer
        .headers
        .iter()
        .filter(|(n, _)| n == "set-cookie")
        .filter_map(|(_, v)| v.split(';').next())
        .find(|pair| pair.starts_with(&prefix) && pair.len() > prefix.len())
        .map(str::to_string)
}

/// `fields` as an `application/x-www-form-urlencoded` body.
pub(crate) fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(n, v)| {
            format!(
                "{n}={}",
                percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[test]
fn login_and_subscribe_through_nginx() {
    let Some(nginx) = peer("nginx") else {
        return;
    };
    let dir = TempDir::new("nginx");
    let socket = dir.path().join("wwsympa.sock");
    let port = free_port();
    let config = dir.path().join("wwsympa.toml");
    let db = crate::support::db::SiteDb::new(dir.path(), "web.db");
    std::fs::write(
        &config,
        format!(
            "domain = 'lists.example.org'\nwwsympa_url = 'http://127.0.0.1:{port}/sympa'\n\
             {}smtp_host = '127.0.0.1'\nsmtp_port = {}\nlog_level = 'warn'\n",
            db.toml(),
            free_port()
        ),
    )
    .unwrap();
    let run = |args: &[&str], stdin: &str| crate::support::run_cli(&config, args, stdin);
    run(
        &["user", "add", "joe@example.org", "--password-stdin"],
        "a long password\n",
    );
    run(
        &[
            "list",
            "create",
            "news",
            "--subject",
            "News",
            "--review",
            "private",
        ],
        "",
    );

    let mut serve = Command::new(binary());
    serve
        .arg("--config")
        .arg(&config)
        .args(["serve", "--threads", "2", "--listen"])
        .arg(format!("unix:{}", socket.display()));
    let _wwsympa = Daemon::spawn(serve, &dir.path().join("wwsympa.log"));
    wait_until("the wwsympa socket", || socket.exists());

    let prefix = dir.path().join("nginx");
    std::fs::create_dir_all(prefix.join("tmp")).unwrap();
    let user = if unsafe { libc::geteuid() } == 0 {
        "user root root;"
    } else {
        ""
    };
    std::fs::write(
        prefix.join("nginx.conf"),
        format!(
            "{user}\ndaemon off;\nworker_processes 1;\npid {p}/nginx.pid;\nerror_log {p}/error.log warn;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {p}/tmp/body;\n  fastcgi_temp_path {p}/tmp/fastcgi;\n\
               proxy_temp_path {p}/tmp/proxy;\n  uwsgi_temp_path {p}/tmp/uwsgi;\n  scgi_temp_path {p}/tmp/scgi;\n\
               server {{\n    listen 127.0.0.1:{port};\n    location /sympa {{\n      include /etc/nginx/fastcgi_params;\n\
                   fastcgi_pass unix:{socket};\n    }}\n  }}\n}}\n",
            p = prefix.display(),
            socket = socket.display(),
        ),
    )
    .unwrap();
    let mut command = Command::new(nginx);
    command
        .arg("-p")
        .arg(&prefix)
        .arg("-c")
        .arg(prefix.join("nginx.conf"))
        .arg("-e")
        .arg(prefix.join("error.log"));
    let _nginx = Daemon::spawn(command, &prefix.join("stderr.log"));
    wait_until("nginx", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });

    // The login form: a CSRF cookie for its token, and no session yet.
    let page = http(port, "GET", "/sympa/login/info/news", &[], "");
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(
        session_cookie(&page),
        None,
        "no session for an anonymous form"
    );
    let cookie = cookie_named(&page, "sympa_csrf").expect("a CSRF cookie");
    let token = csrf_in(&page.body).expect("a token");
    let urlencoded = ("Content-Type", "application/x-www-form-urlencoded");
    // A wrong password: the form again, with the error.
    let refused = http(
        port,
        "POST",
        "/sympa/login",
        &[("Cookie", &cookie), urlencoded],
        &form(&[
            ("email", "joe@example.org"),
            ("passwd", "wrong one"),
            ("csrf_token", &token),
        ]),
    );
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Wrong e-mail address or password."));
    let login = http(
        port,
        "POST",
        "/sympa/login",
        &[("Cookie", &cookie), urlencoded],
        &form(&[
            ("email", "joe@example.org"),
            ("passwd", "a long password"),
            ("csrf_token", &token),
            ("previous_action", "info"),
            ("previous_list", "news"),
        ]),
    );
    assert_eq!(login.status, 303, "{}", login.body);
    assert_eq!(login.header("location"), Some("/sympa/info/news"));
    let logged_in = session_cookie(&login).expect("a new session at login");
    assert_ne!(logged_in, cookie);

    let page = http(
        port,
        "GET",
        "/sympa/subscribe/news",
        &[("Cookie", &logged_in)],
        "",
    );
    assert_eq!(page.status, 200);
    let token = csrf_in(&page.body).unwrap();
    // The old session's token does not work with the new session.
    let forged = http(
        port,
        "POST",
        "/sympa/subscribe/news",
        &[("Cookie", &logged_in), urlencoded],
        &form(&[("csrf_token", &csrf_in(&refused.body).unwrap())]),
    );
    assert_eq!(forged.status, 403);
    let subscribed = http(
        port,
        "POST",
        "/sympa/subscribe/news",
        &[("Cookie", &logged_in), urlencoded],
        &form(&[("gecos", "Joe"), ("csrf_token", &token)]),
    );
    assert_eq!(subscribed.status, 303, "{}", subscribed.body);
    assert_eq!(subscribed.header("location"), Some("/sympa/info/news"));
    let info = http(
        port,
        "GET",
        "/sympa/info/news",
        &[("Cookie", &logged_in)],
        "",
    );
    assert!(info
        .body
        .contains("You are now a member of news@lists.example.org."));
    assert!(info.body.contains("1 member"));
    let review = http(
        port,
        "GET",
        "/sympa/review/news",
        &[("Cookie", &logged_in)],
        "",
    );
    assert_eq!(review.status, 200);
    assert!(review.body.contains("joe@example.org"));
    // Without the cookie, the private review sends to the login page.
    let anonymous = http(port, "GET", "/sympa/review/news", &[], "");
    assert_eq!(anonymous.status, 303);
    assert_eq!(
        anonymous.header("location"),
        Some("/sympa/login/review/news")
    );
}
