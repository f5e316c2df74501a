//! The mail door against a real store (the database `WWSYMPA_TEST_DB` selects): addresses
//! resolved live, each send policy for each kind of sender, loops and duplicates, broken
//! messages, the size limit, an unreachable database, mail commands and their answers, mail
//! forwarded to people, and never an answer to a robot. Through `lmtp::Mailbox` directly,
//! as the LMTP server calls it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use wwsympa::config::Config;
use wwsympa::domain::{
    AdminRole, ArchiveAccess, Email, ListId, ListName, ListPolicy, ListStatus, ReceptionMode,
    ReviewPolicy, SendPolicy, SubscribePolicy, UnsubscribePolicy, Visibility,
};
use wwsympa::intake::Door;
use wwsympa::lmtp::{Envelope, Mailbox, Reply};
use wwsympa::mail::Wake;
use wwsympa::store::{NewList, NewMember, Target};

use crate::support::db::SiteDb;
use crate::support::TempDir;

const DOMAIN: &str = "lists.example.org";
const OWNER: &str = "owner@example.org";
const MODERATOR: &str = "mod@example.org";
const MEMBER: &str = "ada@example.org";
const OUTSIDER: &str = "eve@example.net";

/// A site with its database and a door on it.
struct Site {
    db: SiteDb,
    config: Config,
    door: Door,
    _dir: TempDir,
}

fn email(text: &str) -> Email {
    Email::parse(text).unwrap()
}

fn site(name: &str) -> Site {
    let dir = TempDir::new(name);
    let db = SiteDb::new(dir.path(), "site.db");
    let mut config = Config {
        domain: DOMAIN.into(),
        listmaster: "boss@example.org".into(),
        wwsympa_url: format!("https://{DOMAIN}/sympa"),
        ..Config::default()
    };
    db.configure(&mut config);
    drop(db.store());
    let door = Door::new(config.clone(), db.target(), Arc::new(Wake::new())).unwrap();
    Site {
        db,
        config,
        door,
        _dir: dir,
    }
}

impl Site {
    /// A list with an owner, a moderator and one member, posting under `send`.
    fn list(&self, name: &str, send: SendPolicy) -> ListId {
        let store = self.db.store();
        let db = store.db();
        let id = db
            .create_list(
                DOMAIN,
                &NewList {
                    name: ListName::parse(name).unwrap(),
                    subject: format!("The {name} list"),
                    description: String::new(),
                    topics: vec![],
                    visibility: Visibility::Noconceal,
                },
            )
            .unwrap();
        db.set_list_policy(
            id,
            &ListPolicy {
                visibility: Visibility::Noconceal,
                subscribe: SubscribePolicy::Open,
                unsubscribe: UnsubscribePolicy::Open,
                review: ReviewPolicy::Owner,
                archive: ArchiveAccess::Public,
            },
        )
        .unwrap();
        let mut settings = db.list_mail_settings(id).unwrap();
        settings.send = send;
        db.set_list_mail_settings(id, &settings).unwrap();
        db.add_admin(id, &email(OWNER), AdminRole::Owner, true)
            .unwrap();
        db.add_admin(id, &email(MODERATOR), AdminRole::Editor, false)
            .unwrap();
        db.add_member(id, &NewMember::new(email(MEMBER))).unwrap();
        id
    }

    fn deliver(&self, from: &str, to: &[&str], raw: &[u8]) -> Vec<Reply> {
        let envelope = Envelope {
            from: from.into(),
            recipients: to.iter().map(|t| t.to_string()).collect(),
        };
        self.door.deliver(&envelope, raw)
    }

    fn one(&self, from: &str, to: &str, raw: &[u8]) -> Reply {
        self.deliver(from, &[to], raw).remove(0)
    }

    fn texts(&self, sql: &str) -> Vec<String> {
        self.db.texts(sql)
    }

    /// The archive states of `list`'s messages, oldest first.
    fn states(&self, list: ListId) -> Vec<String> {
        self.texts(&format!(
            "SELECT state FROM archive_messages WHERE list_id = {} ORDER BY id",
            list.0
        ))
    }

    /// The outbox's kinds, oldest first.
    fn outbox(&self) -> Vec<String> {
        self.texts("SELECT kind FROM outbox ORDER BY id")
    }

    /// The outbox rows of `kind`: (recipients, bytes).
    fn outbox_of(&self, kind: &str) -> Vec<(String, String)> {
        let recipients = self.texts(&format!(
            "SELECT recipients FROM outbox WHERE kind = '{kind}' ORDER BY id"
        ));
        let messages = self.texts(&format!(
            "SELECT message FROM outbox WHERE kind = '{kind}' ORDER BY id"
        ));
        recipients.into_iter().zip(messages).collect()
    }

    /// The `DISTRIBUTE LIST KEY` line of the last moderation notice to the moderator.
    fn distribute_command(&self, list: &str) -> String {
        let notice = self
            .outbox_of("moderate")
            .into_iter()
            .rev()
            .find(|(to, _)| to == MODERATOR)
            .expect("a notice for the moderator");
        let text = crate::support::decode_qp(&notice.1);
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(&format!("DISTRIBUTE {list} ")))
            .unwrap_or_else(|| panic!("{text}"))
            .to_string()
    }

    fn audit(&self) -> Vec<String> {
        self.texts("SELECT action FROM audit_log ORDER BY id")
    }
}

/// A message with a fresh Message-ID.
fn mail(from: &str, to: &str, subject: &str, body: &str) -> Vec<u8> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    format!(
        "From: Someone <{from}>\r\nTo: {to}\r\nSubject: {subject}\r\nDate: Sun, 29 Nov 2026 04:00:00 +0000\r\nMessage-ID: <intake-{n}-{}@example.org>\r\n\r\n{body}\r\n",
        std::process::id()
    )
    .into_bytes()
}

fn assert_reply(reply: &Reply, code: u16, status: &str) {
    assert_eq!((reply.code, reply.status), (code, status), "{reply:?}");
}

#[test]
fn recipients_are_resolved_live_from_the_database() {
    let site = site("intake-rcpt");
    let team = site.list("team", SendPolicy::Public);
    for address in [
        "team@lists.example.org",
        "TEAM@Lists.Example.Org",
        "team-request@lists.example.org",
        "team-editor@lists.example.org",
        "team-owner@lists.example.org",
        "team-owner+abc-123@lists.example.org",
        "team-subscribe@lists.example.org",
        "team-unsubscribe@lists.example.org",
        "sympa@lists.example.org",
        "listmaster@lists.example.org",
        "bounce+xyz@lists.example.org",
    ] {
        assert_reply(&site.door.recipient(address), 250, "2.1.5");
    }
    assert_reply(
        &site.door.recipient("nosuch@lists.example.org"),
        550,
        "5.1.1",
    );
    assert_reply(
        &site.door.recipient("nosuch-request@lists.example.org"),
        550,
        "5.1.1",
    );
    assert_reply(&site.door.recipient("team@elsewhere.org"), 550, "5.1.2");
    assert_reply(&site.door.recipient("team"), 550, "5.1.3");
    assert_reply(
        &site.door.recipient("t\u{e9}am@lists.example.org"),
        550,
        "5.1.3",
    );
    // A list made after the door opened takes mail at once; one closed stops at once.
    assert_reply(
        &site.door.recipient("fresh@lists.example.org"),
        550,
        "5.1.1",
    );
    let fresh = site.list("fresh", SendPolicy::PrivateOrModerated);
    assert_reply(
        &site.door.recipient("fresh@lists.example.org"),
        250,
        "2.1.5",
    );
    let reply = site.one(
        OUTSIDER,
        "fresh@lists.example.org",
        &mail(OUTSIDER, "fresh@lists.example.org", "First!", "Hello"),
    );
    assert_reply(&reply, 250, "2.0.0");
    assert_eq!(site.states(fresh), ["held"]);
    site.db
        .store()
        .set_list_status(team, ListStatus::Closed)
        .unwrap();
    assert_reply(&site.door.recipient("team@lists.example.org"), 550, "5.1.1");
    assert_reply(
        &site.door.recipient("team-owner@lists.example.org"),
        550,
        "5.1.1",
    );
    // A domain with an open list takes list mail too.
    site.db
        .store()
        .db()
        .create_list(
            "other.example.org",
            &NewList {
                name: ListName::parse("club").unwrap(),
                subject: String::new(),
                description: String::new(),
                topics: vec![],
                visibility: Visibility::Noconceal,
            },
        )
        .unwrap();
    assert_reply(&site.door.recipient("club@other.example.org"), 250, "2.1.5");
    assert_reply(
        &site.door.recipient("sympa@other.example.org"),
        250,
        "2.1.5",
    );
    assert_reply(&site.door.recipient("nope@other.example.org"), 550, "5.1.1");
}

/// What the door should do with a post: `d` distribute, `h` hold, `r` reject.
fn expect(send: SendPolicy, sender: &str) -> char {
    use SendPolicy::*;
    match (send, sender) {
        (Closed, _) => 'r',
        (Public, _) => 'd',
        (Private, OUTSIDER) => 'r',
        (Private, _) => 'd',
        (PrivateOrModerated, OUTSIDER) => 'h',
        (PrivateOrModerated, _) => 'd',
        (Moderated, MODERATOR) => 'd',
        (Moderated, _) => 'h',
        (ModeratedOnly, _) => 'h',
        (Newsletter, OWNER | MODERATOR) => 'd',
        (Newsletter, _) => 'r',
    }
}

/// Each send policy, for an outsider, a member, a moderator and an owner: the post is
/// distributed (archived visible, queued for the members in the same transaction), held
/// (archived in the held state with its moderation row) or rejected (nothing archived, the
/// sender told once) as the policy says.
#[test]
fn each_send_policy_distributes_holds_or_rejects_by_role() {
    let site = site("intake-policies");
    for (index, send) in SendPolicy::ALL.iter().enumerate() {
        let name = format!("l{index}");
        let list = site.list(&name, *send);
        let address = format!("{name}@{DOMAIN}");
        for sender in [OUTSIDER, MEMBER, MODERATOR, OWNER] {
            let verdict = expect(*send, sender);
            let before = site.states(list).len();
            let notices = site.outbox_of("reject_post").len();
            let reply = site.one(
                sender,
                &address,
                &mail(sender, &address, "Hello", "A post."),
            );
            assert_reply(&reply, 250, "2.0.0");
            let states = site.states(list);
            match verdict {
                'h' => {
                    assert_eq!(states.len(), before + 1, "{send:?} {sender}");
                    assert_eq!(states.last().unwrap(), "held", "{send:?} {sender}");
                    assert!(reply.text.contains("held"), "{reply:?}");
                }
                'r' => {
                    assert_eq!(states.len(), before, "{send:?} {sender}: nothing archived");
                    let now = site.outbox_of("reject_post");
                    assert_eq!(now.len(), notices + 1, "{send:?} {sender}: one notice");
                    assert_eq!(now.last().unwrap().0, sender);
                }
                _ => {
                    assert_eq!(states.len(), before + 1, "{send:?} {sender}");
                    assert_eq!(states.last().unwrap(), "visible", "{send:?} {sender}");
                    assert!(reply.text.contains("distributed"), "{reply:?}");
                    // Queued in the same transaction for the list's one member.
                    let rcpts = site.texts(&format!(
                        "SELECT r.email FROM delivery_rcpts r JOIN deliveries d ON d.id = r.delivery_id \
                         WHERE d.message = (SELECT max(id) FROM archive_messages WHERE list_id = {})",
                        list.0
                    ));
                    assert_eq!(rcpts, [MEMBER], "{send:?} {sender}");
                }
            }
        }
    }
    let held = site.texts("SELECT count(*) FROM held_messages");
    let archived_held = site.texts("SELECT count(*) FROM archive_messages WHERE state = 'held'");
    assert_eq!(
        held, archived_held,
        "every held post has its moderation row"
    );
    assert!(site.audit().iter().any(|a| a == "post_held"));
    assert!(site.audit().iter().any(|a| a == "post_rejected"));
}

#[test]
fn reject_notices_never_go_to_robots_and_are_rate_limited() {
    crate::support::in_one_window(3600);
    let site = site("intake-backscatter");
    let list = site.list("closed", SendPolicy::Closed);
    let address = format!("closed@{DOMAIN}");
    // From the null sender: no notice (and no post either).
    site.one("", &address, &mail(OUTSIDER, &address, "x", "y"));
    // Automatic and list mail, robots' From.
    let auto = |header: &str| {
        let mut raw = format!("{header}\r\n").into_bytes();
        raw.extend(mail(OUTSIDER, &address, "x", "y"));
        raw
    };
    for raw in [
        auto("Auto-Submitted: auto-generated"),
        auto("Precedence: bulk"),
        auto("List-Id: Other <other.example.net>"),
        auto("X-Loop: someone@example.net"),
        mail("MAILER-DAEMON@example.net", &address, "x", "y"),
        mail("team-owner@example.net", &address, "x", "y"),
    ] {
        assert_reply(&site.one(OUTSIDER, &address, &raw), 250, "2.0.0");
    }
    assert_eq!(
        site.outbox_of("reject_post").len(),
        0,
        "{:?}",
        site.outbox()
    );
    // A person: told, at most REPLY_PER_ADDRESS times an hour.
    for _ in 0..13 {
        site.one(OUTSIDER, &address, &mail(OUTSIDER, &address, "x", "y"));
    }
    let notices = site.outbox_of("reject_post");
    assert_eq!(notices.len(), 10);
    assert!(
        notices[0].1.contains("nobody may write to this list"),
        "{}",
        notices[0].1
    );
    assert!(notices[0].1.contains("Auto-Submitted: auto-generated"));
    assert!(site.states(list).is_empty());
}

#[test]
fn loops_and_duplicates_are_taken_once() {
    let site = site("intake-loops");
    let list = site.list("team", SendPolicy::PrivateOrModerated);
    let address = format!("team@{DOMAIN}");
    let with = |header: &str, raw: &[u8]| {
        let mut out = format!("{header}\r\n").into_bytes();
        out.extend_from_slice(raw);
        out
    };
    let post = mail(OUTSIDER, &address, "Loop?", "Body");
    for raw in [
        with("X-Loop: team@lists.example.org", &post),
        with("X-Loop: <TEAM@lists.example.org>", &post),
        with("List-Id: The team list <team.lists.example.org>", &post),
        with("Auto-Submitted: auto-replied", &post),
    ] {
        assert_reply(&site.one(OUTSIDER, &address, &raw), 250, "2.0.0");
    }
    assert_reply(&site.one("", &address, &post), 250, "2.0.0");
    assert!(site.states(list).is_empty(), "{:?}", site.states(list));
    // The same bytes twice, then the same Message-ID with other bytes (a re-send through
    // another path): one message.
    assert_reply(&site.one(OUTSIDER, &address, &post), 250, "2.0.0");
    let again = site.one(OUTSIDER, &address, &post);
    assert_reply(&again, 250, "2.0.0");
    assert!(again.text.contains("duplicate"), "{again:?}");
    let mut resent = b"Received: from elsewhere\r\n".to_vec();
    resent.extend_from_slice(&post);
    assert!(site
        .one(OUTSIDER, &address, &resent)
        .text
        .contains("duplicate"));
    assert_eq!(site.states(list), ["held"]);
    assert_eq!(site.texts("SELECT count(*) FROM held_messages"), ["1"]);
    let discarded = site
        .audit()
        .iter()
        .filter(|a| *a == "post_discarded")
        .count();
    assert_eq!(discarded, 5);
}

#[test]
fn broken_messages_are_kept_byte_for_byte_and_never_distributed_unseen() {
    let site = site("intake-broken");
    // A public list: anyone's post is distributed, so a post held here is held for being broken.
    let list = site.list("open", SendPolicy::Public);
    let address = format!("open@{DOMAIN}");
    let messages: Vec<Vec<u8>> = vec![
        // No From at all.
        b"To: open@lists.example.org\r\nSubject: who am I\r\nMessage-ID: <nofrom@x>\r\n\r\nBody\r\n"
            .to_vec(),
        // A From that is no address.
        b"From: not an address\r\nSubject: hm\r\nMessage-ID: <badfrom@x>\r\n\r\nBody\r\n".to_vec(),
        // No Message-ID, no From, 8-bit junk, NUL bytes, a header line without a colon, bare LF.
        b"Subject: \xff\xfe\x00junk\nthis is no header\nX-\x01: \x80\x81\n\n\xc3\x28 body \x00 end\n"
            .to_vec(),
        // Nothing but a body.
        b"\r\njust a body\r\n".to_vec(),
        // Not even that.
        Vec::new(),
    ];
    for raw in &messages {
        assert_reply(&site.one(OUTSIDER, &address, raw), 250, "2.0.0");
    }
    assert_eq!(site.states(list), ["held"; 5]);
    // The archive keeps the bytes as they came.
    let stored = site
        .db
        .column("SELECT id FROM archive_messages ORDER BY id");
    let store = site.db.store();
    for (id, raw) in stored.iter().zip(&messages) {
        let id: i64 = String::from_utf8_lossy(id).parse().unwrap();
        assert_eq!(&store.db().archived_raw(id).unwrap().unwrap(), raw);
    }
}

#[test]
fn a_post_over_the_lists_size_is_refused_and_other_recipients_are_not() {
    let site = site("intake-size");
    let list = site.list("small", SendPolicy::PrivateOrModerated);
    let store = site.db.store();
    let mut settings = store.db().list_mail_settings(list).unwrap();
    settings.max_size = 2_000;
    store.db().set_list_mail_settings(list, &settings).unwrap();
    let address = format!("small@{DOMAIN}");
    let big = mail(OUTSIDER, &address, "Big", &"x".repeat(3_000));
    let replies = site.deliver(OUTSIDER, &[&address, &format!("listmaster@{DOMAIN}")], &big);
    assert_reply(&replies[0], 552, "5.3.4");
    assert_reply(&replies[1], 250, "2.0.0");
    assert!(site.states(list).is_empty());
    let small = mail(OUTSIDER, &address, "Small", "x");
    assert_reply(&site.one(OUTSIDER, &address, &small), 250, "2.0.0");
    assert_eq!(site.states(list), ["held"]);
}

/// A target nothing answers on, of the run's kind: an SQLite file that cannot be opened
/// (its directory is a regular file), or a PostgreSQL port nothing listens on.
fn unreachable(site: &Site) -> Target {
    if site.db.is_postgres() {
        let port = crate::support::free_port();
        Target::parse(&format!(
            "host=127.0.0.1 port={port} user=nobody dbname=nothing connect_timeout=2"
        ))
        .unwrap()
    } else {
        let file = site._dir.path().join("not-a-dir");
        std::fs::write(&file, b"").unwrap();
        Target::parse(&file.join("site.db").display().to_string()).unwrap()
    }
}

#[test]
fn an_unreachable_database_answers_451_never_550() {
    let site = site("intake-down");
    site.list("team", SendPolicy::PrivateOrModerated);
    let mut config = site.config.clone();
    config.db_name = "unused".into();
    let door = Door::new(config, unreachable(&site), Arc::new(Wake::new())).unwrap();
    for address in [
        "team@lists.example.org",
        "nosuch@lists.example.org",
        "sympa@lists.example.org",
    ] {
        assert_reply(&door.recipient(address), 451, "4.3.0");
    }
    let replies = door.deliver(
        &Envelope {
            from: OUTSIDER.into(),
            recipients: vec![format!("team@{DOMAIN}"), format!("sympa@{DOMAIN}")],
        },
        &mail(OUTSIDER, "team@lists.example.org", "x", "help"),
    );
    assert_eq!(replies.len(), 2);
    for reply in &replies {
        assert_reply(reply, 451, "4.3.0");
    }
    // The real database saw nothing.
    assert_eq!(site.texts("SELECT count(*) FROM archive_messages"), ["0"]);
    assert_eq!(site.texts("SELECT count(*) FROM outbox"), ["0"]);
}

#[test]
fn mail_commands_use_the_webs_operations_and_answer_the_sender() {
    let site = site("intake-commands");
    let team = site.list("team", SendPolicy::PrivateOrModerated);
    let robot = format!("sympa@{DOMAIN}");
    let bob = "bob@example.com";
    // SUBSCRIBE by mail: the From is not proof; a confirmation goes to it, as on the web.
    let raw = mail(bob, &robot, "subscribe team Bob Example", "");
    assert_reply(&site.one(bob, &robot, &raw), 250, "2.0.0");
    assert_eq!(site.outbox(), ["confirmation", "command_report"]);
    let store = site.db.store();
    assert!(store.db().member(team, &email(bob)).unwrap().is_none());
    let confirmation = &site.outbox_of("confirmation")[0];
    assert_eq!(confirmation.0, bob);
    assert!(confirmation.1.contains("/auth/"), "{}", confirmation.1);
    let report = &site.outbox_of("command_report")[0];
    assert_eq!(report.0, bob);
    assert!(
        report.1.contains("> subscribe team Bob Example"),
        "{}",
        report.1
    );
    assert!(
        report.1.contains("A confirmation link was mailed"),
        "{}",
        report.1
    );
    // Several commands in the body, up to a signature; the subject is prose.
    let body = "which\r\nINFO team\r\nlists\r\ninfo nosuch\r\nsignoff\r\nhelp\r\n-- \r\nsubscribe team\r\n";
    let raw = mail(MEMBER, &robot, "my commands", body);
    assert_reply(&site.one(MEMBER, &robot, &raw), 250, "2.0.0");
    let reports = site.outbox_of("command_report");
    assert_eq!(reports.len(), 2);
    let report = crate::support::decode_qp(&reports[1].1);
    for needle in [
        "> which",
        "team: The team list (subscriber)",
        "> INFO team",
        "Members: 1",
        "> lists",
        "There is no list called nosuch here.",
        "Which list?",
        "SUBSCRIBE list [Your Name]",
    ] {
        assert!(report.contains(needle), "{needle:?} in {report}");
    }
    assert!(!report.contains("> subscribe team"), "{report}");
    // LIST-request: the list is implied; an unsubscription is confirmed by mail.
    let request = format!("team-request@{DOMAIN}");
    let raw = mail(MEMBER, &request, "unsubscribe", "");
    assert_reply(&site.one(MEMBER, &request, &raw), 250, "2.0.0");
    assert!(store.db().member(team, &email(MEMBER)).unwrap().is_some());
    let confirmations = site.outbox_of("confirmation");
    assert_eq!(confirmations.len(), 2);
    assert_eq!(confirmations[1].0, MEMBER);
    // LIST-request with prose: to the owners, the bytes kept, our X-Loop on top.
    let raw = mail(OUTSIDER, &request, "Question for the owners", "Can I join?");
    assert_reply(&site.one(OUTSIDER, &request, &raw), 250, "2.0.0");
    let forwarded = site.outbox_of("forward_request");
    assert_eq!(forwarded.len(), 1);
    assert_eq!(forwarded[0].0, OWNER);
    assert!(
        forwarded[0].1.as_bytes().ends_with(&raw),
        "the original bytes follow our line"
    );
    assert!(forwarded[0]
        .1
        .starts_with("X-Loop: team-request@lists.example.org\r\n"));
    // LIST-subscribe and LIST-unsubscribe: whatever the message says.
    let carol = "carol@example.com";
    let subscribe = format!("team-subscribe@{DOMAIN}");
    assert_reply(
        &site.one(carol, &subscribe, &mail(carol, &subscribe, "", "")),
        250,
        "2.0.0",
    );
    assert_eq!(site.outbox_of("confirmation").len(), 3);
    // A display name the web would refuse (a direction override) is left out, not fatal.
    let dave = "dave@example.com";
    let raw = format!(
        "From: \u{202e}Evil <{dave}>\r\nTo: {subscribe}\r\nSubject: hi\r\nMessage-ID: <dave@x>\r\n\r\n\r\n"
    );
    assert_reply(&site.one(dave, &subscribe, raw.as_bytes()), 250, "2.0.0");
    assert_eq!(site.outbox_of("confirmation").len(), 4);
    assert!(site.audit().iter().any(|a| a == "subscribe_request"));
    assert!(site.audit().iter().any(|a| a == "mail_commands"));
}

#[test]
fn commands_from_robots_and_automatic_mail_run_nothing_and_get_no_answer() {
    let site = site("intake-robots");
    let team = site.list("team", SendPolicy::PrivateOrModerated);
    let robot = format!("sympa@{DOMAIN}");
    let bob = "bob@example.com";
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("", mail(bob, &robot, "subscribe team", "")),
        (
            "MAILER-DAEMON@example.com",
            mail(bob, &robot, "subscribe team", ""),
        ),
        (bob, {
            let mut raw = b"Auto-Submitted: auto-replied\r\n".to_vec();
            raw.extend(mail(bob, &robot, "subscribe team", ""));
            raw
        }),
        (bob, {
            let mut raw = b"List-Id: <x.example.net>\r\n".to_vec();
            raw.extend(mail(bob, &robot, "subscribe team", ""));
            raw
        }),
        (
            bob,
            mail("mailer-daemon@example.com", &robot, "subscribe team", ""),
        ),
        (bob, b"Subject: subscribe team\r\n\r\n".to_vec()),
    ];
    for (from, raw) in cases {
        assert_reply(&site.one(from, &robot, &raw), 250, "2.0.0");
    }
    assert_eq!(site.outbox(), Vec::<String>::new());
    assert!(site
        .db
        .store()
        .db()
        .member(team, &email(bob))
        .unwrap()
        .is_none());
    assert!(site
        .texts("SELECT count(*) FROM pending_requests")
        .iter()
        .all(|n| n == "0"));
}

/// The From of a command mail is not proof: whoever forges it would have us mail reports to
/// the address named. At most `REPLY_PER_ADDRESS` reports an hour go to one address; the
/// commands past it still run and are audited.
#[test]
fn command_reports_to_one_address_are_at_most_ten_an_hour() {
    crate::support::in_one_window(3600);
    let site = site("intake-report-limit");
    site.list("team", SendPolicy::PrivateOrModerated);
    let robot = format!("sympa@{DOMAIN}");
    for _ in 0..13 {
        let raw = mail(OUTSIDER, &robot, "lists", "");
        assert_reply(&site.one(OUTSIDER, &robot, &raw), 250, "2.0.0");
    }
    assert_eq!(site.outbox_of("command_report").len(), 10);
    let audited = site.audit();
    assert_eq!(audited.iter().filter(|a| *a == "mail_commands").count(), 13);
}

#[test]
fn mail_for_people_is_forwarded_once_with_our_x_loop() {
    let site = site("intake-forward");
    site.list("team", SendPolicy::PrivateOrModerated);
    let editor = format!("team-editor@{DOMAIN}");
    let raw = mail(OUTSIDER, &editor, "For the moderators", "Hi");
    assert_reply(&site.one(OUTSIDER, &editor, &raw), 250, "2.0.0");
    let forwarded = site.outbox_of("forward_editors");
    assert_eq!(forwarded.len(), 1);
    assert_eq!(forwarded[0].0, MODERATOR);
    // The copy coming back (a moderator's alias pointing here): dropped.
    let copy = forwarded[0].1.clone().into_bytes();
    assert_reply(&site.one(OUTSIDER, &editor, &copy), 250, "2.0.0");
    assert_eq!(site.outbox_of("forward_editors").len(), 1);
    // listmaster@: to the configured listmasters.
    let listmaster = format!("listmaster@{DOMAIN}");
    let raw = mail(OUTSIDER, &listmaster, "Hello listmaster", "Hi");
    assert_reply(&site.one(OUTSIDER, &listmaster, &raw), 250, "2.0.0");
    let forwarded = site.outbox_of("forward_listmaster");
    assert_eq!(forwarded.len(), 1);
    assert_eq!(forwarded[0].0, "boss@example.org");
    assert!(forwarded[0]
        .1
        .starts_with("X-Loop: listmaster@lists.example.org\r\n"));
}

/// The site's configuration file for the binary: its database, the domain, mail to a closed
/// port (the outbox keeps it).
fn config_file(site: &Site) -> std::path::PathBuf {
    let path = site._dir.path().join("wwsympa.toml");
    std::fs::write(
        &path,
        format!(
            "domain = \"{DOMAIN}\"\nlistmaster = \"boss@example.org\"\n{}smtp_port = {}\n",
            site.db.toml(),
            crate::support::free_port()
        ),
    )
    .unwrap();
    path
}

/// `wwsympa deliver` with `raw` on its standard input; its exit code.
fn deliver_by_pipe(config: &std::path::Path, from: &str, to: &str, raw: &[u8]) -> i32 {
    use std::io::Write;
    let mut child = std::process::Command::new(crate::support::binary())
        .arg("--config")
        .arg(config)
        .args(["deliver", "--sender", from, "--recipient", to])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(raw).unwrap();
    child.wait().unwrap().code().unwrap_or(-1)
}

#[test]
fn deliver_by_pipe_answers_in_sysexits_codes() {
    let site = site("intake-deliver");
    let list = site.list("team", SendPolicy::PrivateOrModerated);
    let store = site.db.store();
    let mut settings = store.db().list_mail_settings(list).unwrap();
    settings.max_size = 2_000;
    store.db().set_list_mail_settings(list, &settings).unwrap();
    let config = config_file(&site);
    let address = format!("team@{DOMAIN}");
    let post = mail(OUTSIDER, &address, "By pipe", "Hello");
    assert_eq!(deliver_by_pipe(&config, OUTSIDER, &address, &post), 0);
    assert_eq!(site.states(list), ["held"]);
    // The same message again: taken (0), kept once.
    assert_eq!(deliver_by_pipe(&config, OUTSIDER, &address, &post), 0);
    assert_eq!(site.states(list), ["held"]);
    assert_eq!(
        deliver_by_pipe(&config, OUTSIDER, &format!("nosuch@{DOMAIN}"), &post),
        67,
        "EX_NOUSER"
    );
    let big = mail(OUTSIDER, &address, "Big", &"x".repeat(3_000));
    assert_eq!(
        deliver_by_pipe(&config, OUTSIDER, &address, &big),
        65,
        "EX_DATAERR"
    );
    // The database unreachable: EX_TEMPFAIL, the MTA keeps the message.
    let down = site._dir.path().join("down.toml");
    let not_a_dir = site._dir.path().join("file");
    std::fs::write(&not_a_dir, b"").unwrap();
    let unreachable = if site.db.is_postgres() {
        format!(
            "db_type = \"PostgreSQL\"\ndb_host = \"127.0.0.1\"\ndb_port = {}\ndb_user = \"nobody\"\ndb_name = \"nothing\"\ndb_options = \"connect_timeout=2\"\n",
            crate::support::free_port()
        )
    } else {
        format!("db_name = \"{}\"\n", not_a_dir.join("site.db").display())
    };
    std::fs::write(&down, format!("domain = \"{DOMAIN}\"\n{unreachable}")).unwrap();
    assert_eq!(
        deliver_by_pipe(&down, OUTSIDER, &address, &post),
        75,
        "EX_TEMPFAIL"
    );
    assert_eq!(site.states(list), ["held"]);
}

/// Reads one SMTP reply (its last line) from `reader`.
fn reply_line(reader: &mut impl std::io::BufRead) -> String {
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert!(!line.is_empty(), "the server closed the connection");
        if line.as_bytes().get(3) != Some(&b'-') {
            return line.trim_end().to_string();
        }
    }
}

#[test]
fn wwsympa_lmtp_answers_each_recipient_after_its_own_commit() {
    use std::io::{BufReader, Write};
    let site = site("intake-lmtp");
    let team = site.list("team", SendPolicy::PrivateOrModerated);
    let small = site.list("small", SendPolicy::PrivateOrModerated);
    {
        let store = site.db.store();
        let mut settings = store.db().list_mail_settings(small).unwrap();
        settings.max_size = 1_024;
        store.db().set_list_mail_settings(small, &settings).unwrap();
    }
    let config = config_file(&site);
    let port = crate::support::free_port();
    let mut command = std::process::Command::new(crate::support::binary());
    command
        .arg("--config")
        .arg(&config)
        .args(["lmtp", "--listen", &format!("127.0.0.1:{port}")]);
    let _server = crate::support::Daemon::spawn(command, &site._dir.path().join("lmtp.log"));
    crate::support::wait_until("wwsympa lmtp listening", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut say = |line: &str, reader: &mut BufReader<std::net::TcpStream>| {
        writer.write_all(format!("{line}\r\n").as_bytes()).unwrap();
        reply_line(reader)
    };
    assert!(reply_line(&mut reader).starts_with("220"));
    assert!(say("LHLO test.example", &mut reader).starts_with("250"));
    assert!(say(&format!("MAIL FROM:<{OUTSIDER}>"), &mut reader).starts_with("250"));
    let rcpts = [
        format!("team@{DOMAIN}"),
        format!("nosuch@{DOMAIN}"),
        format!("small@{DOMAIN}"),
        format!("sympa@{DOMAIN}"),
    ];
    let answers: Vec<String> = rcpts
        .iter()
        .map(|r| say(&format!("RCPT TO:<{r}>"), &mut reader))
        .collect();
    assert!(answers[0].starts_with("250 2.1.5"), "{answers:?}");
    assert!(answers[1].starts_with("550 5.1.1"), "{answers:?}");
    assert!(answers[2].starts_with("250 2.1.5"), "{answers:?}");
    assert!(answers[3].starts_with("250 2.1.5"), "{answers:?}");
    assert!(say("DATA", &mut reader).starts_with("354"));
    let body = format!("which\r\n{}\r\n", "filler line\r\n".repeat(100));
    let raw = mail(OUTSIDER, &rcpts[0], "Hello lmtp", &body);
    writer.write_all(&raw).unwrap();
    writer.write_all(b".\r\n").unwrap();
    // One reply per accepted recipient, in order: team, small, sympa.
    let team_reply = reply_line(&mut reader);
    let small_reply = reply_line(&mut reader);
    let robot_reply = reply_line(&mut reader);
    assert!(team_reply.starts_with("250 2.0.0"), "{team_reply}");
    assert!(small_reply.starts_with("552 5.3.4"), "{small_reply}");
    assert!(robot_reply.starts_with("250 2.0.0"), "{robot_reply}");
    // Each 250 was committed before it was said.
    assert_eq!(site.states(team), ["held"]);
    assert!(site.states(small).is_empty());
    assert!(site.outbox().contains(&"command_report".to_string()));
    writer.write_all(b"QUIT\r\n").unwrap();
}

#[test]
fn a_moderator_distributes_or_rejects_by_mail_with_the_key() {
    let site = site("intake-modkey");
    let team = site.list("team", SendPolicy::PrivateOrModerated);
    let address = format!("team@{DOMAIN}");
    let robot = format!("sympa@{DOMAIN}");
    let held = mail(OUTSIDER, &address, "Please let me in", "Hello");
    assert_reply(&site.one(OUTSIDER, &address, &held), 250, "2.0.0");
    assert_eq!(site.states(team), ["held"]);
    // The moderator's notice holds the command to send back.
    let command = site.distribute_command("team");
    // A wrong key changes nothing and says so.
    let wrong = mail(MODERATOR, &robot, "Re: DISTRIBUTE team notTheKey", "");
    assert_reply(&site.one(MODERATOR, &robot, &wrong), 250, "2.0.0");
    assert_eq!(site.states(team), ["held"]);
    // The reply with the key distributes it, once.
    let reply = mail(
        MODERATOR,
        &robot,
        &format!("Re: {command}"),
        "> quoted notice",
    );
    assert_reply(&site.one(MODERATOR, &robot, &reply), 250, "2.0.0");
    assert_eq!(site.states(team), ["visible"]);
    let again = mail(MODERATOR, &robot, &format!("Re: {command}"), "");
    assert_reply(&site.one(MODERATOR, &robot, &again), 250, "2.0.0");
    let rcpts = site.texts("SELECT email FROM delivery_rcpts");
    assert_eq!(rcpts, [MEMBER], "queued once");
    let reports: Vec<String> = site
        .outbox_of("command_report")
        .into_iter()
        .map(|(to, text)| {
            assert_eq!(to, MODERATOR);
            crate::support::decode_qp(&text)
        })
        .collect();
    assert_eq!(reports.len(), 3);
    assert!(
        reports[0].contains("No message of team waits with this key"),
        "{}",
        reports[0]
    );
    assert!(
        reports[1].contains("The message was distributed to team."),
        "{}",
        reports[1]
    );
    assert!(
        reports[2].contains("This message was already distributed"),
        "{}",
        reports[2]
    );
    // REJECT with the key of another held post.
    let second = mail(OUTSIDER, &address, "Second try", "Hello again");
    assert_reply(&site.one(OUTSIDER, &address, &second), 250, "2.0.0");
    let notice = site
        .outbox_of("moderate")
        .into_iter()
        .rfind(|(to, _)| to == MODERATOR)
        .unwrap();
    let text = crate::support::decode_qp(&notice.1);
    let reject = text
        .split(['(', ')', '\n'])
        .map(|l| l.trim().trim_start_matches("or ").trim())
        .find(|l| l.starts_with("REJECT team "))
        .unwrap_or_else(|| panic!("{text}"))
        .to_string();
    let raw = mail(MODERATOR, &robot, &reject, "");
    assert_reply(&site.one(MODERATOR, &robot, &raw), 250, "2.0.0");
    assert_eq!(site.states(team), ["visible", "rejected"]);
    let last = crate::support::decode_qp(&site.outbox_of("command_report").pop().unwrap().1);
    assert!(last.contains("The message was rejected."), "{last}");
}

#[test]
fn mail_to_the_owner_address_is_a_bounce_or_goes_to_the_owners() {
    let site = site("intake-owner");
    site.list("team", SendPolicy::PrivateOrModerated);
    let owner_address = format!("team-owner@{DOMAIN}");
    // A person writing to the owners: forwarded, bytes kept, our X-Loop on top.
    let raw = mail(OUTSIDER, &owner_address, "A question for the owners", "Hi");
    assert_reply(&site.one(OUTSIDER, &owner_address, &raw), 250, "2.0.0");
    let forwarded = site.outbox_of("forward_owner");
    assert_eq!(forwarded.len(), 1);
    assert_eq!(forwarded[0].0, OWNER);
    assert!(forwarded[0].1.as_bytes().ends_with(&raw));
    // A delivery status notification: the bounces' business, not the owners' mailbox.
    let dsn = format!(
        "From: MAILER-DAEMON@mx.example.net\r\nTo: {owner_address}\r\nSubject: Undelivered Mail Returned to Sender\r\n\
         Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n\
         --B\r\nContent-Type: text/plain\r\n\r\nI could not deliver it.\r\n\
         --B\r\nContent-Type: message/delivery-status\r\n\r\n\
         Reporting-MTA: dns; mx.example.net\r\n\r\n\
         Final-Recipient: rfc822; gone@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n\
         Diagnostic-Code: smtp; 550 5.1.1 no such user\r\n\r\n--B--\r\n"
    );
    let reply = site.one("", &owner_address, dsn.as_bytes());
    assert_reply(&reply, 250, "2.0.0");
    assert!(reply.text.contains("bounce"), "{reply:?}");
    assert_eq!(site.outbox_of("forward_owner").len(), 1, "not forwarded");
    // The forwarded copy coming back to the owner address: not forwarded again.
    let copy = forwarded[0].1.clone().into_bytes();
    assert_reply(&site.one(OUTSIDER, &owner_address, &copy), 250, "2.0.0");
    assert_eq!(site.outbox_of("forward_owner").len(), 1);
}

/// Asks a socketmap server one question; its netstring answer's text.
fn socketmap_ask(port: u16, map: &str, key: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let request = format!("{map} {key}");
    stream
        .write_all(format!("{}:{request},", request.len()).as_bytes())
        .unwrap();
    let mut answer = Vec::new();
    let mut byte = [0u8; 1];
    while stream.read(&mut byte).unwrap() == 1 {
        answer.push(byte[0]);
        if byte[0] == b',' {
            break;
        }
    }
    let text = String::from_utf8(answer).unwrap();
    let (_, rest) = text.split_once(':').unwrap();
    rest.trim_end_matches(',').to_string()
}

#[test]
fn the_socketmap_answers_live_and_says_temp_never_notfound_when_the_database_is_down() {
    let site = site("intake-socketmap");
    site.list("team", SendPolicy::PrivateOrModerated);
    let config = config_file(&site);
    let start = |config: &std::path::Path, name: &str| {
        let port = crate::support::free_port();
        let mut command = std::process::Command::new(crate::support::binary());
        command.arg("--config").arg(config).args([
            "socketmap",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ]);
        let daemon = crate::support::Daemon::spawn(command, &site._dir.path().join(name));
        crate::support::wait_until("wwsympa socketmap listening", || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        (daemon, port)
    };
    let (_live, port) = start(&config, "socketmap.log");
    let ask = |map: &str, key: &str| socketmap_ask(port, map, key);
    assert_eq!(ask("domains", DOMAIN), "OK OK");
    assert_eq!(ask("domains", "elsewhere.org"), "NOTFOUND ");
    assert_eq!(
        ask("transport", "team@lists.example.org"),
        "OK lmtp:[127.0.0.1]:8024"
    );
    assert_eq!(
        ask("transport", "team-owner+x1@lists.example.org"),
        "OK lmtp:[127.0.0.1]:8024"
    );
    assert_eq!(ask("transport", DOMAIN), "NOTFOUND ");
    assert_eq!(ask("recipients", "sympa@lists.example.org"), "OK OK");
    assert_eq!(ask("recipients", "fresh@lists.example.org"), "NOTFOUND ");
    assert!(ask("nosuchmap", "x").starts_with("PERM "));
    // A list made now is known at the next lookup.
    site.list("fresh", SendPolicy::Public);
    assert_eq!(ask("recipients", "fresh@lists.example.org"), "OK OK");
    // The database down: TEMP (Postfix defers), never NOTFOUND (Postfix would refuse for good).
    let down = site._dir.path().join("down.toml");
    let not_a_dir = site._dir.path().join("plain-file");
    std::fs::write(&not_a_dir, b"").unwrap();
    let unreachable = if site.db.is_postgres() {
        format!(
            "db_type = \"PostgreSQL\"\ndb_host = \"127.0.0.1\"\ndb_port = {}\ndb_user = \"nobody\"\ndb_name = \"nothing\"\ndb_options = \"connect_timeout=2\"\n",
            crate::support::free_port()
        )
    } else {
        format!("db_name = \"{}\"\n", not_a_dir.join("site.db").display())
    };
    std::fs::write(&down, format!("domain = \"{DOMAIN}\"\n{unreachable}")).unwrap();
    let (_down, port) = start(&down, "socketmap-down.log");
    for (map, key) in [
        ("transport", "team@lists.example.org"),
        ("recipients", "nosuch@lists.example.org"),
        ("domains", "elsewhere.org"),
    ] {
        let answer = socketmap_ask(port, map, key);
        assert!(answer.starts_with("TEMP "), "{map} {key}: {answer}");
    }
}

#[test]
fn members_in_not_me_mode_get_every_post_but_their_own() {
    let site = site("intake-not-me");
    let list = site.list("team", SendPolicy::Public);
    {
        let store = site.db.store();
        for (address, reception) in [
            ("nm@example.org", ReceptionMode::NotMe),
            ("all@example.org", ReceptionMode::Mail),
            ("quiet@example.org", ReceptionMode::Nomail),
        ] {
            let mut member = NewMember::new(email(address));
            member.reception = reception;
            store.db().add_member(list, &member).unwrap();
        }
    }
    let address = format!("team@{DOMAIN}");
    let recipients = |site: &Site| {
        site.texts(
            "SELECT email FROM delivery_rcpts WHERE delivery_id = (SELECT MAX(id) FROM deliveries) \
             ORDER BY email",
        )
    };
    // The not_me member's own post (envelope and From alike) reaches the others only; the
    // author in `mail` mode gets a copy of their own post (Sympa's default).
    for (author, expected) in [
        ("nm@example.org", vec!["ada@example.org", "all@example.org"]),
        (
            "all@example.org",
            vec!["ada@example.org", "all@example.org", "nm@example.org"],
        ),
        (
            OUTSIDER,
            vec!["ada@example.org", "all@example.org", "nm@example.org"],
        ),
    ] {
        let reply = site.one(
            author,
            &address,
            &mail(author, &address, "Hello", "A post."),
        );
        assert_reply(&reply, 250, "2.0.0");
        assert_eq!(recipients(&site), expected, "post by {author}");
    }
    // Address case does not let the author's copy through.
    let raw = mail("NM@Example.ORG", &address, "Hello", "Shouting.");
    assert_reply(&site.one("NM@Example.ORG", &address, &raw), 250, "2.0.0");
    assert_eq!(recipients(&site), ["ada@example.org", "all@example.org"]);
}

#[test]
fn a_renamed_lists_old_addresses_say_where_it_went_over_lmtp_and_deliver() {
    use wwsympa::lmtp::client::Client;
    use wwsympa::runtime::BindSpec;
    let site = site("intake-moved");
    let team = site.list("team", SendPolicy::Public);
    let hidden = site.list("hidden", SendPolicy::Public);
    {
        let store = site.db.store();
        let db = store.db();
        let mut policy = db.list_by_id(hidden).unwrap().unwrap().policy;
        policy.visibility = Visibility::Conceal;
        db.set_list_policy(hidden, &policy).unwrap();
        db.rename_list(team, &ListName::parse("crew").unwrap())
            .unwrap();
        db.rename_list(hidden, &ListName::parse("covert").unwrap())
            .unwrap();
    }
    let config = config_file(&site);
    let port = crate::support::free_port();
    let mut command = std::process::Command::new(crate::support::binary());
    command
        .arg("--config")
        .arg(&config)
        .args(["lmtp", "--listen", &format!("127.0.0.1:{port}")]);
    let _server = crate::support::Daemon::spawn(command, &site._dir.path().join("lmtp.log"));
    crate::support::wait_until("wwsympa lmtp listening", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let spec: BindSpec = format!("127.0.0.1:{port}").parse().unwrap();
    let mut client =
        Client::connect(&spec, "test.example", std::time::Duration::from_secs(30)).unwrap();
    let rcpts = [
        format!("team@{DOMAIN}"),
        format!("team-request@{DOMAIN}"),
        format!("team-owner@{DOMAIN}"),
        format!("team-editor@{DOMAIN}"),
        format!("team-subscribe@{DOMAIN}"),
        format!("team-unsubscribe@{DOMAIN}"),
        format!("crew@{DOMAIN}"),
        format!("hidden@{DOMAIN}"),
        format!("nosuch@{DOMAIN}"),
    ];
    let to: Vec<&str> = rcpts.iter().map(String::as_str).collect();
    let raw = mail(MEMBER, &rcpts[0], "To the old name", "Hello");
    let answers = client.send(MEMBER, &to, &raw).unwrap();
    let _ = client.quit();
    let lines: Vec<String> = answers.iter().map(|a| a.to_string()).collect();
    assert_eq!(
        lines[0],
        format!("550 5.1.6 <team@{DOMAIN}>: this list has moved to crew@{DOMAIN}")
    );
    for (line, suffix) in lines[1..6].iter().zip([
        "-request",
        "-owner",
        "-editor",
        "-subscribe",
        "-unsubscribe",
    ]) {
        assert_eq!(
            line,
            &format!(
                "550 5.1.6 <team{suffix}@{DOMAIN}>: this list has moved to crew@{DOMAIN} \
                 (this address is now crew{suffix}@{DOMAIN})"
            )
        );
    }
    // The new name takes the post; a concealed list's old name tells nothing.
    assert!(lines[6].starts_with("250 2.0.0"), "{lines:?}");
    assert!(lines[7].starts_with("550 5.1.1"), "{lines:?}");
    assert!(!lines[7].contains("covert"), "{lines:?}");
    assert!(lines[8].starts_with("550 5.1.1"), "{lines:?}");
    assert_eq!(site.states(team).len(), 1, "only the post to crew@ is kept");
    assert!(site.states(hidden).is_empty());
    // Bounces of posts sent before the rename (the VERP return path) still come in.
    assert_reply(
        &site.door.recipient(&format!("team-owner+abc123@{DOMAIN}")),
        250,
        "2.1.5",
    );
    // `wwsympa deliver`: EX_NOUSER with the same line on standard error.
    use std::io::Write;
    let mut child = std::process::Command::new(crate::support::binary())
        .arg("--config")
        .arg(&config)
        .args(["deliver", "--sender", MEMBER, "--recipient", &rcpts[1]])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&raw).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(67), "EX_NOUSER");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "550 5.1.6 <team-request@{DOMAIN}>: this list has moved to crew@{DOMAIN}"
        )),
        "{stderr}"
    );
    // The socketmap routes a public list's old addresses to us (so that the sender reads
    // the 5.1.6), and not a concealed list's.
    let store = site.db.store();
    let db = store.db();
    let found = |key: &str| {
        wwsympa::intake::socketmap::lookup(&db, &site.config, "lmtp:x", "recipients", key)
    };
    assert_eq!(
        found(&rcpts[1]),
        wwsympa::intake::socketmap::Answer::Found("OK".into())
    );
    assert_eq!(
        found(&rcpts[7]),
        wwsympa::intake::socketmap::Answer::NotFound
    );
}

#[test]
fn a_moderators_reply_naming_a_renamed_lists_old_name_still_decides() {
    let site = site("intake-modkey-renamed");
    let team = site.list("team", SendPolicy::PrivateOrModerated);
    let address = format!("team@{DOMAIN}");
    let robot = format!("sympa@{DOMAIN}");
    let held = mail(OUTSIDER, &address, "Held before the rename", "Hello");
    assert_reply(&site.one(OUTSIDER, &address, &held), 250, "2.0.0");
    let command = site.distribute_command("team");
    site.db
        .store()
        .db()
        .rename_list(team, &ListName::parse("crew").unwrap())
        .unwrap();
    let reply = mail(MODERATOR, &robot, &format!("Re: {command}"), "");
    assert_reply(&site.one(MODERATOR, &robot, &reply), 250, "2.0.0");
    assert_eq!(
        site.states(team),
        ["visible"],
        "distributed on the renamed list"
    );
    let report = crate::support::decode_qp(&site.outbox_of("command_report").pop().unwrap().1);
    assert!(!report.contains("unknown_list"), "{report}");
}
