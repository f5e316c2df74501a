//! A real nginx in front of `wwsympa serve` on a unix socket at the FastCGI level: keep_conn off and on (upstream keepalive), home, lists and 404.

use std::time::Duration;

use crate::support::nginx::{http_get, Nginx};
use crate::support::peer;
use crate::support::process::{socket_count, wait_until, Site};

#[test]
fn nginx_fastcgi_pass_with_keep_conn_off_and_on() {
    let Some(nginx) = peer("nginx") else {
        return;
    };
    let site = Site::new("nginx", "");
    site.create_lists(&["alpha", "beta"]);
    let (server, _) = site.serve_unix("fcgi", &["--threads", "2", "--keep-conn-idle", "3s"]);
    let socket = site.socket("fcgi");
    let http = format!(
        "upstream wws_keep {{ server unix:{socket}; keepalive 4; }}\n\
         server {{ listen 127.0.0.1:PORT0;\n\
           location /sympa {{ include /etc/nginx/fastcgi_params; fastcgi_pass unix:{socket}; }} }}\n\
         server {{ listen 127.0.0.1:PORT1;\n\
           location /sympa {{ include /etc/nginx/fastcgi_params; fastcgi_pass wws_keep; fastcgi_keep_conn on; }} }}\n",
        socket = socket.display()
    );
    let nginx_dir = site.path().join("nginx");
    std::fs::create_dir_all(&nginx_dir).unwrap();
    let front = Nginx::start(&nginx, &nginx_dir, &http, 2);
    let (plain, kept) = (front.ports[0], front.ports[1]);
    let pid = server.pid();
    let baseline = socket_count(pid);

    for port in [plain, kept] {
        let home = http_get(port, "/sympa/").unwrap();
        assert_eq!(home.status, 200, "{home:?}");
        assert!(
            home.head.contains("Content-Type: text/html"),
            "{}",
            home.head
        );
        assert!(home.body.contains(r#"class="action-home""#));
        assert!(
            home.body.contains(r#"href="/sympa/info/alpha""#),
            "{}",
            home.body
        );
        let lists = http_get(port, "/sympa/lists").unwrap();
        assert_eq!(lists.status, 200);
        assert!(lists.body.contains(r#"class="action-lists""#));
        assert!(lists.body.contains(r#"href="/sympa/info/beta""#));
        let missing = http_get(port, "/sympa/no_such_action").unwrap();
        assert_eq!(missing.status, 404, "{missing:?}");
        assert!(missing.body.contains("Unknown action"), "{}", missing.body);
        let outside = http_get(port, "/sympathy").unwrap();
        assert_eq!(outside.status, 404, "{outside:?}");
        if port == plain {
            // keep_conn off: every FastCGI connection is closed once answered.
            assert!(
                wait_until(Duration::from_secs(5), || socket_count(pid) == baseline),
                "a FastCGI connection stayed open without keep_conn"
            );
        }
    }
    // keep_conn on: nginx reused one FastCGI connection for those sequential requests and keeps
    // it (read at once: the idle limit is 3 s so that a loaded machine does not close it first).
    assert_eq!(socket_count(pid), baseline + 1, "one kept connection");
    // Our idle limit for kept connections (3 s) closes it; nginx then opens a new one.
    assert!(
        wait_until(Duration::from_secs(10), || socket_count(pid) == baseline),
        "the kept connection was not closed after --keep-conn-idle"
    );
    for _ in 0..3 {
        assert_eq!(http_get(kept, "/sympa/").unwrap().status, 200);
    }
    let log = front.error_log();
    assert!(!log.contains("[error]"), "{log}");
    front.stop();
    server.assert_no_panic();
    assert!(server.stop(libc::SIGTERM).success());
}
