//! Mail end to end: a real SMTP server (aiosmtpd) receives what the web's sender sends after
//! the response, the test reads it and follows its links; the sender retries what the MTA did
//! not take.

use std::process::Command;
use std::time::{Duration, Instant};

use wwsympa::domain::{ListName, Visibility};
use wwsympa::mail::{notices, Composer};
use wwsympa::render::Templates;
use wwsympa::store::NewList;

use crate::browser::{body, Site};
use crate::support::{decode_qp, free_port, python_with_aiosmtpd, wait_until, SmtpServer, TempDir};

/// The first `<wwsympa_url>/ticket/...` URL in a text.
fn ticket_url(text: &str) -> String {
    let text = decode_qp(text);
    let start = text
        .find("http://lists.example.org/sympa/ticket/")
        .unwrap_or_else(|| panic!("no ticket URL in {text}"));
    text[start..].split_whitespace().next().unwrap().to_string()
}

/// The ticket URL in the newest queued mail (for tests without an SMTP server).
pub fn ticket_url_in_outbox(site: &Site) -> String {
    let store = site.store();
    let newest = (1..1000)
        .map_while(|id| store.db().outbox_message(id).unwrap())
        .last()
        .expect("a queued mail");
    ticket_url(&String::from_utf8_lossy(&newest))
}

#[test]
fn the_password_mail_arrives_and_its_link_logs_in() {
    let Some(python) = python_with_aiosmtpd() else {
        return;
    };
    let dir = TempDir::new("mail-smtp");
    let port = free_port();
    let smtp = SmtpServer::start(&python, port, &dir.path().join("maildir"));
    let site = Site::new(dir.path(), |c| c.smtp_port = port);
    let _sender = site.start_sender();

    let mut browser = site.browser("192.0.2.1");
    browser.get("/sympa/renewpasswd");
    let response = browser.post(
        "/sympa/requestpasswd",
        &[("email", "reader@example.org"), ("reason", "renewpasswd")],
    );
    assert_eq!(response.status, 200);
    let messages = smtp.wait_for(1);
    let mail = &messages[0];
    assert!(mail.contains("To: reader@example.org"), "{mail}");
    assert!(
        mail.contains("From: SYMPA <sympa@lists.example.org>"),
        "{mail}"
    );
    assert!(mail.contains("Auto-Submitted: auto-generated"));
    // The MTA has it; the sender records that right after.
    wait_until("the outbox to record the mail as sent", || {
        site.store().db().outbox_counts().unwrap().sent == 1
    });
    let counts = site.store().db().outbox_counts().unwrap();
    assert_eq!(
        (counts.sent, counts.pending),
        (1, 0),
        "sent right after commit"
    );

    // Follow the link as the reader would.
    let url = ticket_url(mail);
    let path = url.strip_prefix("http://lists.example.org").unwrap();
    let mut reader = site.browser("203.0.113.4");
    assert_eq!(reader.get(path).status, 200);
    let response = reader.post(path, &[]);
    assert_eq!(response.status, 303, "{}", body(&response));
    reader.get("/sympa/choosepasswd");
    let response = reader.post(
        "/sympa/choosepasswd",
        &[
            ("newpasswd1", "reading is fun"),
            ("newpasswd2", "reading is fun"),
        ],
    );
    assert_eq!(response.status, 303);
    let mut later = site.browser("203.0.113.5");
    later.login("reader@example.org", "reading is fun");
    assert!(body(&later.get("/sympa/pref")).contains("reader@example.org"));
}

#[test]
fn the_sender_retries_after_the_smtp_server_was_down() {
    let Some(python) = python_with_aiosmtpd() else {
        return;
    };
    let dir = TempDir::new("mail-retry");
    let port = free_port();
    let site = Site::new(dir.path(), |c| {
        c.smtp_port = port;
        c.mail_retry_delay = 1;
    });
    // The MTA is down: the page still answers, the mail waits in the outbox.
    let mut browser = site.browser("192.0.2.1");
    browser.get("/sympa/renewpasswd");
    let response = browser.post("/sympa/requestpasswd", &[("email", "late@example.org")]);
    assert_eq!(response.status, 200);
    let counts = site.store().db().outbox_counts().unwrap();
    assert_eq!((counts.pending, counts.sent), (1, 0));

    let smtp = SmtpServer::start(&python, port, &dir.path().join("maildir"));
    let config_path = dir.path().join("wwsympa.toml");
    std::fs::write(
        &config_path,
        format!(
            "domain = 'lists.example.org'\nwwsympa_url = 'http://lists.example.org/sympa'\n\
             {}smtp_host = '127.0.0.1'\nsmtp_port = {port}\nmail_retry_delay = 1\n",
            site.db.toml()
        ),
    )
    .unwrap();
    let mut sender = Command::new(crate::support::binary())
        .args(["--config"])
        .arg(&config_path)
        .args(["sender", "--poll", "200ms"])
        .spawn()
        .unwrap();
    let messages = smtp.wait_for(1);
    assert!(messages[0].contains("To: late@example.org"));
    let url = ticket_url(&messages[0]);
    assert!(url.contains("/sympa/ticket/"));

    // SIGTERM: the sender stops cleanly with 0.
    let pid = sender.id() as libc::pid_t;
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = sender.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the sender did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    let counts = site.store().db().outbox_counts().unwrap();
    assert_eq!((counts.pending, counts.sent), (0, 1));
    // Sent mail keeps no copy of its ticket.
    let store = site.store();
    assert_eq!(store.db().outbox_message(1).unwrap(), Some(Vec::new()));
}

#[test]
fn member_mail_carries_list_headers_and_one_click_unsubscribe() {
    let dir = TempDir::new("mail-headers");
    let site = Site::new(dir.path(), |_| {});
    let mut store = site.store();
    let list_id = store
        .db()
        .create_list(
            "lists.example.org",
            &NewList {
                name: ListName::parse("news").unwrap(),
                subject: "News".into(),
                description: String::new(),
                topics: vec![],
                visibility: Visibility::Noconceal,
            },
        )
        .unwrap();
    let list = store
        .db()
        .list_by_name("lists.example.org", &ListName::parse("news").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(list.id, list_id);
    let templates = Templates::load(None).unwrap();
    let member = wwsympa::domain::Email::parse("ann@example.org").unwrap();
    let env = wwsympa::operations::Env::new(&mut store, &site.config, &templates);
    let oneclick = env.oneclick_url(&list, &member).unwrap();
    assert!(
        oneclick.starts_with("http://lists.example.org/sympa/oneclick/news/"),
        "{oneclick}"
    );
    let composer = Composer {
        config: &site.config,
        templates: &templates,
        db: None,
    };
    let mail = notices::welcome(&composer, &member, &list, &oneclick, None).unwrap();
    let text = String::from_utf8(mail.message).unwrap();
    let unfolded = text.replace("\r\n ", " ");
    assert!(
        unfolded.contains("List-Id: <news.lists.example.org>"),
        "{text}"
    );
    assert!(
        unfolded.contains(&format!("List-Unsubscribe: <{oneclick}>")),
        "{text}"
    );
    assert!(unfolded.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert!(unfolded.contains("List-Archive: <http://lists.example.org/sympa/arc/news>"));
    assert_eq!(mail.envelope_from, "news-owner@lists.example.org");
    assert!(decode_qp(&text).contains("http://lists.example.org/sympa/info/news"));
}
