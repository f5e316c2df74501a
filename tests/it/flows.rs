//! The whole member journey with a real SMTP server (aiosmtpd): subscribe → confirm by the
//! mailed link → get a password by mail → change options from the welcome mail's link →
//! leave with the one-click link of the welcome mail's headers; every link is a WWSympa URL.

use wwsympa::domain::{
    ReceptionMode, ReviewPolicy, SubscribePolicy, UnsubscribePolicy, Visibility,
};

use crate::browser::{body, Site};
use crate::subscription::{email, PASSWORD};
use crate::support::{decode_qp, free_port, python_with_aiosmtpd, wait_until, SmtpServer, TempDir};

/// The first URL starting with `prefix` in a mail, as a path on the site.
fn link(mail: &str, prefix: &str) -> String {
    let text = decode_qp(mail).replace("\r\n ", " ").replace("\r\n", "\n");
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} in {text}"));
    let url = text[start..]
        .split(|c: char| c.is_whitespace() || c == '>')
        .next()
        .unwrap();
    url.strip_prefix("http://lists.example.org")
        .unwrap()
        .to_string()
}

#[test]
fn subscribe_confirm_change_options_and_leave_by_mail() {
    let Some(python) = python_with_aiosmtpd() else {
        return;
    };
    let dir = TempDir::new("flow-smtp");
    let port = free_port();
    let smtp = SmtpServer::start(&python, port, &dir.path().join("maildir"));
    let site = Site::new(dir.path(), |c| c.smtp_port = port);
    let _sender = site.start_sender();
    site.add_user("owner@example.org", PASSWORD);
    {
        use wwsympa::domain::{AdminRole, ArchiveAccess, ListName, ListPolicy};
        use wwsympa::store::NewList;
        let store = site.store();
        let id = store
            .db()
            .create_list(
                "lists.example.org",
                &NewList {
                    name: ListName::parse("readers").unwrap(),
                    subject: "For readers".into(),
                    description: String::new(),
                    topics: vec![],
                    visibility: Visibility::Noconceal,
                },
            )
            .unwrap();
        store
            .db()
            .set_list_policy(
                id,
                &ListPolicy {
                    visibility: Visibility::Noconceal,
                    subscribe: SubscribePolicy::OpenNotify,
                    unsubscribe: UnsubscribePolicy::Open,
                    review: ReviewPolicy::Owner,
                    archive: ArchiveAccess::Private,
                },
            )
            .unwrap();
        store
            .db()
            .add_admin(id, &email("owner@example.org"), AdminRole::Owner, true)
            .unwrap();
    }

    // 1. Subscribe anonymously: a confirmation arrives.
    let mut reader = site.browser("192.0.2.1");
    assert_eq!(reader.get("/sympa/subscribe/readers").status, 200);
    let response = reader.post(
        "/sympa/subscribe/readers",
        &[("email", "reader@example.org"), ("gecos", "Rea Der")],
    );
    assert_eq!(response.status, 200, "{}", body(&response));
    let mails = smtp.wait_for(1);
    assert!(mails[0].contains("To: reader@example.org"));
    assert!(mails[0].contains("Subject: Please confirm: subscribe to readers@lists.example.org"));
    let confirm = link(&mails[0], "http://lists.example.org/sympa/auth/");
    assert!(
        confirm.ends_with("/subscribe?email=reader%40example.org"),
        "{confirm}"
    );

    // 2. Follow it: a button, then the welcome (and the owner's notice).
    assert_eq!(reader.get(&confirm).status, 200);
    let done = reader.post(&confirm, &[]);
    assert!(body(&done).contains("reader@example.org is now a member"));
    let mails = smtp.wait_for(3);
    let welcome = mails
        .iter()
        .find(|m| m.contains("Subject: Welcome to the list readers@lists.example.org"))
        .expect("the welcome");
    assert!(mails.iter().any(|m| m.contains("To: owner@example.org")
        && decode_qp(m).contains("New member: reader@example.org (Rea Der)")));
    let unfolded = welcome.replace("\r\n ", " ");
    assert!(unfolded.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert!(unfolded.contains("List-Id: <readers.lists.example.org>"));
    let oneclick = link(welcome, "http://lists.example.org/sympa/oneclick/readers/");
    let options = link(welcome, "http://lists.example.org/sympa/suboptions/readers");
    assert_eq!(options, "/sympa/suboptions/readers");

    // 3. The options page needs a login: the link leads to the login page, which comes back.
    let response = reader.get(&options);
    assert_eq!(
        response.header("Location"),
        Some("/sympa/login/suboptions/readers")
    );
    reader.get("/sympa/renewpasswd");
    reader.post("/sympa/requestpasswd", &[("email", "reader@example.org")]);
    let mails = smtp.wait_for(4);
    let ticket = link(&mails[3], "http://lists.example.org/sympa/ticket/");
    reader.get(&ticket);
    assert_eq!(reader.post(&ticket, &[]).status, 303);
    reader.get("/sympa/choosepasswd");
    let response = reader.post(
        "/sympa/choosepasswd",
        &[
            ("newpasswd1", "reading all day"),
            ("newpasswd2", "reading all day"),
        ],
    );
    assert_eq!(response.status, 303);
    let page = reader.get(&options);
    assert_eq!(page.status, 200);
    assert!(body(&page).contains("Subscribed as <strong>reader@example.org</strong>"));
    let response = reader.post(
        "/sympa/set/readers",
        &[
            ("reception", "summary"),
            ("visibility", "conceal"),
            ("gecos", "Rea Der"),
        ],
    );
    assert_eq!(response.status, 303);
    assert!(body(&reader.get(&options)).contains(r#"value="summary" checked"#));
    {
        use wwsympa::domain::ListName;
        let store = site.store();
        let list = store
            .db()
            .list_by_name("lists.example.org", &ListName::parse("readers").unwrap())
            .unwrap()
            .unwrap();
        let member = store
            .db()
            .member(list.id, &email("reader@example.org"))
            .unwrap()
            .unwrap();
        assert_eq!(member.reception, ReceptionMode::Summary);
    }

    // 4. Leave with the one-click link of the welcome's List-Unsubscribe header, as a mail
    //    client does (RFC 8058: a POST without cookies).
    assert!(
        oneclick.starts_with("/sympa/oneclick/readers/"),
        "{oneclick}"
    );
    let mut mail_client = site.browser("203.0.113.50");
    let response = mail_client.post_raw(&oneclick, &[("List-Unsubscribe", "One-Click")]);
    assert_eq!(response.status, 200, "{}", body(&response));
    let mails = smtp.wait_for(5);
    assert!(mails[4].contains("Subject: You left the list readers@lists.example.org"));
    assert!(reader.get(&options).status == 403, "no longer a member");
    wait_until("the outbox to record five sent mails", || {
        site.store().db().outbox_counts().unwrap().sent == 5
    });
    let counts = site.store().db().outbox_counts().unwrap();
    assert_eq!(
        (counts.pending, counts.sent),
        (0, 5),
        "all sent right after commit"
    );
}
