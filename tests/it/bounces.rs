//! Bounces end to end on the selected database: DSNs to `LIST-owner` counted against members (hard 1, soft ½, once a day), spam rejections, delays, auto-replies and strangers counted against nobody, forged VERP tokens refused, a score past the threshold suspends delivery then warns and removes with notices (the clock passed in), stale scores forgotten, and the owners' `reviewbouncing` page with its CSRF-checked reset.

use wwsympa::domain::bounce::DAY;
use wwsympa::domain::{
    ListName, ReceptionMode, ReviewPolicy, SubscribePolicy, UnsubscribePolicy, Visibility,
};
use wwsympa::operations::bounces::{self, BounceOutcome};
use wwsympa::operations::{Channel, Env, Requester};
use wwsympa::render::Templates;
use wwsympa::store::NewMember;

use crate::browser::{body, Site};
use crate::subscription::{audits, email, is_member, mail_to, site_with, PASSWORD};
use crate::support::TempDir;

/// 2026-11-30 10:00 UTC, a Monday.
const T0: i64 = 1_796_032_800;

fn team_site(name: &str) -> (TempDir, Site) {
    let (dir, site) = site_with(
        name,
        &[(
            "team",
            SubscribePolicy::Open,
            UnsubscribePolicy::Open,
            ReviewPolicy::Private,
            Visibility::Noconceal,
        )],
    );
    let store = site.store();
    let list = team(&site);
    for address in ["alice@example.net", "bob@example.net"] {
        store
            .db()
            .add_member(list.id, &NewMember::new(email(address)))
            .unwrap();
    }
    drop(store);
    (dir, site)
}

fn team(site: &Site) -> wwsympa::domain::List {
    site.store()
        .db()
        .list_by_name("lists.example.org", &ListName::parse("team").unwrap())
        .unwrap()
        .unwrap()
}

/// An RFC 3464 report from Postfix about `address`.
fn dsn(address: &str, status: &str, diagnostic: &str) -> Vec<u8> {
    format!(
        "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\n\
To: team-owner@lists.example.org\r\n\
Subject: Undelivered Mail Returned to Sender\r\n\
Auto-Submitted: auto-replied\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"R\"\r\n\
\r\n\
--R\r\n\
Content-Type: text/plain\r\n\
\r\n\
This is the mail system at host mx.example.net.\r\n\
--R\r\n\
Content-Type: message/delivery-status\r\n\
\r\n\
Reporting-MTA: dns; mx.example.net\r\n\
\r\n\
Final-Recipient: rfc822; {address}\r\n\
Action: failed\r\n\
Status: {status}\r\n\
Diagnostic-Code: smtp; {diagnostic}\r\n\
\r\n\
--R\r\n\
Content-Type: text/rfc822-headers\r\n\
\r\n\
From: someone@example.org\r\n\
To: team@lists.example.org\r\n\
Subject: Hello\r\n\
\r\n\
--R--\r\n"
    )
    .into_bytes()
}

/// Hands `raw` to the bounce operation as intake does for `team-owner[+token]@`, at `now`.
fn receive(site: &Site, token: Option<&str>, raw: &[u8], now: i64) -> BounceOutcome {
    let list = team(site);
    let mut store = site.store();
    let templates = Templates::load(None).unwrap();
    let mut env = Env::new(&mut store, &site.config, &templates);
    let requester = Requester::anonymous(Channel::Mail, None);
    env.transaction(&requester, |tx| {
        bounces::receive_at(tx, Some(&list), token, raw, now)
    })
    .unwrap()
}

fn run_due(site: &Site, now: i64) -> bounces::Report {
    let mut store = site.store();
    let templates = Templates::load(None).unwrap();
    let mut env = Env::new(&mut store, &site.config, &templates);
    bounces::run_due(&mut env, now).unwrap()
}

/// The score of `address` on team, in thousandths of a point, and whether it is suspended.
fn score(site: &Site, address: &str) -> Option<(u32, bool)> {
    site.store()
        .db()
        .member_bounce(team(site).id, &email(address))
        .unwrap()
        .map(|r| (r.score, r.disabled_at.is_some()))
}

fn hard(address: &str) -> Vec<u8> {
    dsn(
        address,
        "5.1.1",
        "550 5.1.1 <user>: Recipient address rejected: User unknown",
    )
}

#[test]
fn a_dsn_without_verp_counts_hard_one_soft_half_once_a_day() {
    let (_dir, site) = team_site("bnc-dsn");
    assert_eq!(
        receive(&site, None, &hard("Alice@Example.NET"), T0),
        BounceOutcome::Counted {
            email: "alice@example.net".into()
        }
    );
    assert_eq!(score(&site, "alice@example.net"), Some((1000, false)));
    // The same day again: kept, not counted.
    receive(&site, None, &hard("alice@example.net"), T0 + 3600);
    assert_eq!(score(&site, "alice@example.net"), Some((1000, false)));
    let soft = dsn("alice@example.net", "4.2.2", "452 4.2.2 Mailbox full");
    receive(&site, None, &soft, T0 + DAY);
    assert_eq!(score(&site, "alice@example.net"), Some((1500, false)));
    assert_eq!(score(&site, "bob@example.net"), None);
    // The evidence is kept: three bounces, the last one soft.
    let kept = site.store().db().list_bounces(team(&site).id, 10).unwrap();
    assert_eq!(kept.len(), 3);
    assert_eq!(kept[0].outcome, "soft");
    assert_eq!(kept[0].status.as_deref(), Some("4.2.2"));
    assert_eq!(kept[0].diagnostic, "452 4.2.2 Mailbox full");
}

#[test]
fn spam_rejections_delays_auto_replies_and_strangers_count_nothing() {
    let (_dir, site) = team_site("bnc-none");
    let spam = dsn(
        "alice@example.net",
        "5.7.1",
        "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
    );
    assert_eq!(receive(&site, None, &spam, T0), BounceOutcome::Kept);
    let policy = dsn(
        "alice@example.net",
        "5.7.26",
        "550-5.7.26 This mail has been blocked because the sender is unauthenticated",
    );
    assert_eq!(receive(&site, None, &policy, T0 + DAY), BounceOutcome::Kept);
    let delayed = String::from_utf8(hard("alice@example.net"))
        .unwrap()
        .replace("Action: failed", "Action: delayed");
    assert_eq!(
        receive(&site, None, delayed.as_bytes(), T0 + 2 * DAY),
        BounceOutcome::Kept
    );
    assert_eq!(score(&site, "alice@example.net"), None);
    let vacation = b"From: alice@example.net\r\nTo: team-owner@lists.example.org\r\nSubject: Away\r\nAuto-Submitted: auto-replied\r\n\r\nI am away.\r\n";
    assert_eq!(receive(&site, None, vacation, T0), BounceOutcome::Kept);
    let stranger = hard("stranger@example.net");
    assert_eq!(
        receive(&site, None, &stranger, T0),
        BounceOutcome::Unattributed
    );
    let person = b"From: carol@example.org\r\nTo: team-owner@lists.example.org\r\nSubject: A question\r\n\r\nHow do I post?\r\n";
    assert_eq!(receive(&site, None, person, T0), BounceOutcome::NotABounce);
    // Nothing counted; the spam rejections, the delay and the stranger's bounce are kept.
    assert!(site
        .store()
        .db()
        .bouncing_members(team(&site).id)
        .unwrap()
        .is_empty());
    let kept: Vec<String> = site
        .store()
        .db()
        .list_bounces(team(&site).id, 10)
        .unwrap()
        .into_iter()
        .map(|b| b.outcome)
        .collect();
    let mut sorted = kept.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["not_a_failure", "policy", "policy", "unattributed"]
    );
}

#[test]
fn a_forged_verp_token_counts_nothing() {
    let (_dir, site) = team_site("bnc-forged");
    for token in ["1-aaaaaaaaaa", "zz-bbbbbbbbbb", "nodash", "1-"] {
        assert_eq!(
            receive(&site, Some(token), &hard("alice@example.net"), T0),
            BounceOutcome::Unattributed,
            "{token}"
        );
    }
    assert_eq!(score(&site, "alice@example.net"), None);
    let kept = site.store().db().list_bounces(team(&site).id, 10).unwrap();
    assert_eq!(kept.len(), 4);
    assert!(kept.iter().all(|b| b.outcome == "unattributed"));
    // A person's mail to a stale token is still the owners'.
    let person = b"From: carol@example.org\r\nSubject: hi\r\n\r\nHello\r\n";
    assert_eq!(
        receive(&site, Some("1-aaaaaaaaaa"), person, T0),
        BounceOutcome::NotABounce
    );
}

#[test]
fn past_the_threshold_delivery_stops_then_three_warnings_then_removal_with_notices() {
    let (_dir, site) = team_site("bnc-remove");
    let list = team(&site);
    // Alice is in digest mode: suspended, she leaves the digest's recipients too.
    site.store()
        .db()
        .set_member_options(
            list.id,
            &email("alice@example.net"),
            "",
            ReceptionMode::Digest,
            wwsympa::domain::MemberVisibility::Noconceal,
        )
        .unwrap();
    for day in 0..5 {
        receive(&site, None, &hard("alice@example.net"), T0 + day * DAY);
    }
    assert_eq!(
        score(&site, "alice@example.net"),
        Some((5000, false)),
        "5.0 is not above 5.0"
    );
    let digest_recipients =
        |site: &Site| site.store().db().digest_recipients(list.id).unwrap().len();
    assert_eq!(digest_recipients(&site), 1);
    let disabled_at = T0 + 5 * DAY;
    receive(&site, None, &hard("alice@example.net"), disabled_at);
    assert_eq!(score(&site, "alice@example.net"), Some((6000, true)));
    assert_eq!(digest_recipients(&site), 0);
    assert_eq!(audits(&site, "bounce_disable"), 1);

    // The first warning at the next run, then one every 7 days; none twice.
    for (n, at) in [
        (1, disabled_at),
        (2, disabled_at + 7 * DAY),
        (3, disabled_at + 14 * DAY),
    ] {
        let report = run_due(&site, at);
        assert_eq!(report.warned, 1, "warning {n}");
        assert_eq!(run_due(&site, at + 60).warned, 0, "warning {n} once");
        assert_eq!(run_due(&site, at + 7 * DAY - 1).warned, 0);
        let warnings = mail_to(&site, "alice@example.net");
        assert_eq!(warnings.len(), n, "{warnings:?}");
        let last = warnings.last().unwrap();
        assert!(last.contains(&format!("({n}/3)")), "{last}");
        assert!(last.contains("/sympa/resetbounce/team"), "{last}");
        assert!(is_member(&site, "team", "alice@example.net"));
    }
    assert_eq!(audits(&site, "bounce_warning"), 3);
    // Seven days after the third warning: removed, with a notice to her and to the owners.
    let report = run_due(&site, disabled_at + 21 * DAY);
    assert_eq!(report.removed, 1);
    assert!(!is_member(&site, "team", "alice@example.net"));
    assert!(is_member(&site, "team", "bob@example.net"));
    let to_alice = mail_to(&site, "alice@example.net");
    assert_eq!(to_alice.len(), 4);
    assert!(
        to_alice[3].contains("You were removed from team@lists.example.org"),
        "{}",
        to_alice[3]
    );
    let to_owner = mail_to(&site, "owner@example.org");
    assert!(
        to_owner
            .iter()
            .any(|m| m.contains("alice@example.net removed after bounces")),
        "{to_owner:?}"
    );
    assert_eq!(audits(&site, "bounce_remove"), 1);
    assert_eq!(run_due(&site, disabled_at + 30 * DAY).removed, 0);
}

#[test]
fn a_score_with_no_bounce_for_a_week_is_forgotten() {
    let (_dir, site) = team_site("bnc-stale");
    receive(&site, None, &hard("alice@example.net"), T0);
    assert_eq!(run_due(&site, T0 + 7 * DAY).forgotten, 0);
    assert_eq!(score(&site, "alice@example.net"), Some((1000, false)));
    assert_eq!(run_due(&site, T0 + 7 * DAY + 1).forgotten, 1);
    assert_eq!(score(&site, "alice@example.net"), None);
}

#[test]
fn owners_review_bouncing_members_and_reset_them_by_post_with_csrf() {
    let (_dir, site) = team_site("bnc-review");
    receive(&site, None, &hard("alice@example.net"), T0);
    let soft = dsn("alice@example.net", "4.2.2", "452 4.2.2 Mailbox full");
    receive(&site, None, &soft, T0 + DAY);
    receive(&site, None, &hard("stranger@example.net"), T0 + DAY);

    // A member who is not an owner may not see the page.
    let mut member = site.browser("192.0.2.10");
    member.login("member@example.org", PASSWORD);
    let refused = member.get("/sympa/reviewbouncing/team");
    assert_eq!(refused.status, 403, "{}", body(&refused));

    let mut owner = site.browser("192.0.2.11");
    owner.login("owner@example.org", PASSWORD);
    let page = owner.get("/sympa/reviewbouncing/team");
    assert_eq!(page.status, 200);
    let html = body(&page);
    assert!(html.contains("alice@example.net"), "{html}");
    assert!(html.contains(r#"<td class="score">1.5</td>"#), "{html}");
    assert!(html.contains("452 4.2.2 Mailbox full"), "{html}");
    assert!(html.contains("4.2.2"));
    // The stranger's bounce is listed among the latest, counted against nobody.
    assert!(html.contains("stranger@example.net"));
    assert!(html.contains("unattributed"));
    assert!(!html.contains("bob@example.net"));

    // The last bounce itself, as text, never as HTML.
    let raw = owner.get("/sympa/viewbounce/team/alice%40example.net");
    assert_eq!(raw.status, 200);
    assert!(raw
        .headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("content-type") && v == "text/plain"));
    assert!(body(&raw).contains("Diagnostic-Code: smtp; 452 4.2.2 Mailbox full"));
    assert_eq!(
        owner.get("/sympa/viewbounce/team/bob%40example.net").status,
        404
    );
    assert_eq!(
        member
            .get("/sympa/viewbounce/team/alice%40example.net")
            .status,
        403
    );
    let stranger_id = site.store().db().list_bounces(team(&site).id, 1).unwrap()[0].id;
    let by_id = owner.get(&format!("/sympa/viewbounce/team?id={stranger_id}"));
    assert!(body(&by_id).contains("stranger@example.net"));

    // Without the token: refused, nothing changed. A GET changes nothing either.
    let forged = owner.post_raw("/sympa/resetbounce/team", &[("email", "alice@example.net")]);
    assert_eq!(forged.status, 403, "{}", body(&forged));
    owner.get("/sympa/resetbounce/team/alice@example.net");
    assert_eq!(score(&site, "alice@example.net"), Some((1500, false)));
    // The member may not reset another's score.
    member.get("/sympa/resetbounce/team");
    let other = member.post("/sympa/resetbounce/team", &[("email", "alice@example.net")]);
    assert_eq!(other.status, 403, "{}", body(&other));
    assert_eq!(score(&site, "alice@example.net"), Some((1500, false)));

    owner.get("/sympa/reviewbouncing/team");
    let reset = owner.post("/sympa/resetbounce/team", &[("email", "alice@example.net")]);
    assert_eq!(reset.status, 303, "{}", body(&reset));
    assert_eq!(score(&site, "alice@example.net"), None);
    assert_eq!(audits(&site, "resetbounce"), 1);
    let after = body(&owner.get("/sympa/reviewbouncing/team"));
    assert!(after.contains("No member bounces."), "{after}");
}

#[test]
fn a_member_resumes_their_own_delivery_from_the_warning_link() {
    let (_dir, site) = team_site("bnc-self");
    receive(&site, None, &hard("member@example.org"), T0);
    assert_eq!(score(&site, "member@example.org"), Some((1000, false)));
    let mut member = site.browser("192.0.2.12");
    member.login("member@example.org", PASSWORD);
    let page = member.get("/sympa/resetbounce/team");
    assert_eq!(page.status, 200);
    assert!(body(&page).contains("Resume delivery"));
    assert_eq!(score(&site, "member@example.org"), Some((1000, false)));
    let done = member.post("/sympa/resetbounce/team", &[]);
    assert_eq!(done.status, 303, "{}", body(&done));
    assert_eq!(score(&site, "member@example.org"), None);
}

#[test]
fn bounces_arrive_through_the_mail_door() {
    use std::sync::Arc;
    use wwsympa::intake::Door;
    use wwsympa::lmtp::{Envelope, Mailbox};

    let (_dir, site) = team_site("bnc-door");
    let door = Door::new(
        site.config.clone(),
        site.db.target(),
        Arc::new(wwsympa::mail::Wake::new()),
    )
    .unwrap();
    let deliver = |to: &str, raw: &[u8]| {
        let envelope = Envelope {
            from: String::new(),
            recipients: vec![to.to_string()],
        };
        let reply = door.deliver(&envelope, raw).remove(0);
        assert_eq!(reply.code, 250, "{reply:?}");
    };
    deliver("team-owner@lists.example.org", &hard("bob@example.net"));
    assert_eq!(score(&site, "bob@example.net"), Some((1000, false)));
    // A forged token on the VERP address counts nothing.
    deliver(
        "team-owner+1-aaaaaaaaaa@lists.example.org",
        &hard("alice@example.net"),
    );
    assert_eq!(score(&site, "alice@example.net"), None);
    // A person's mail to the owners' address is forwarded to them, not counted.
    let person = b"From: carol@example.org\r\nTo: team-owner@lists.example.org\r\nSubject: A question\r\nMessage-ID: <q1@example.org>\r\n\r\nHow do I post?\r\n";
    deliver("team-owner@lists.example.org", person);
    let forwarded = site
        .db
        .texts("SELECT recipients FROM outbox WHERE kind = 'forward_owner'");
    assert_eq!(forwarded, ["owner@example.org"]);
    assert!(crate::subscription::outbox(&site)
        .iter()
        .any(|m| m.contains("How do I post?")));
    let kept = site.store().db().list_bounces(team(&site).id, 10).unwrap();
    assert_eq!(kept.len(), 2);
}

/// Archives a post on team and queues its delivery (distribution's recipient rows); returns
/// the VERP token of `address`'s row.
fn delivered_token(site: &Site, address: &str) -> String {
    let list = team(site);
    let raw = b"From: owner@example.org\r\nTo: team@lists.example.org\r\nSubject: News\r\nMessage-ID: <news-1@example.org>\r\n\r\nHello\r\n";
    let mut store = site.store();
    let message = store
        .transaction(|db| {
            wwsympa::operations::archive::store_message(
                db,
                &list,
                &wwsympa::operations::archive::Incoming {
                    raw,
                    arrived_at: T0,
                    month: None,
                    legacy_seq: None,
                },
            )
        })
        .unwrap()
        .message();
    store
        .db()
        .queue_delivery(
            list.id,
            message.id,
            wwsympa::domain::DeliveryMode::Personalized,
            None,
        )
        .unwrap();
    let id: u64 = site
        .db
        .texts(&format!(
            "SELECT id FROM delivery_rcpts WHERE email = '{address}'"
        ))
        .first()
        .unwrap_or_else(|| panic!("no recipient row for {address}"))
        .parse()
        .unwrap();
    let key = store
        .db()
        .site_secret(wwsympa::mail::verp::SECRET_NAME, &[7u8; 32])
        .unwrap();
    wwsympa::mail::verp::token(&key, id)
}

#[test]
fn a_verp_bounce_counts_for_its_recipient_whatever_its_body_names() {
    let (_dir, site) = team_site("bnc-verp");
    let token = delivered_token(&site, "alice@example.net");
    // The body names another address (a forwarding alias): the token decides.
    assert_eq!(
        receive(&site, Some(&token), &hard("alias@elsewhere.example"), T0),
        BounceOutcome::Counted {
            email: "alice@example.net".into()
        }
    );
    assert_eq!(score(&site, "alice@example.net"), Some((1000, false)));
    // A bounce that reads as nothing came back to the token: a hard bounce.
    let bare = b"From: MAILER-DAEMON@mx.example.net\r\nSubject: failure\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n--x\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n--x--\r\n";
    receive(&site, Some(&token), bare, T0 + DAY);
    assert_eq!(score(&site, "alice@example.net"), Some((2000, false)));
    // A spam rejection through the token: kept, not counted.
    let spam = dsn("alice@example.net", "5.7.1", "550 5.7.1 rejected as spam");
    assert_eq!(
        receive(&site, Some(&token), &spam, T0 + 2 * DAY),
        BounceOutcome::Kept
    );
    assert_eq!(score(&site, "alice@example.net"), Some((2000, false)));
    // bounce+TOKEN@ names no list: the row does.
    let list = team(&site);
    let mut store = site.store();
    let templates = Templates::load(None).unwrap();
    let mut env = Env::new(&mut store, &site.config, &templates);
    let requester = Requester::anonymous(Channel::Mail, None);
    let outcome = env
        .transaction(&requester, |tx| {
            bounces::receive_at(tx, None, Some(&token), &hard("x@y.example"), T0 + 3 * DAY)
        })
        .unwrap();
    assert_eq!(
        outcome,
        BounceOutcome::Counted {
            email: "alice@example.net".into()
        }
    );
    drop(env);
    assert_eq!(score(&site, "alice@example.net"), Some((3000, false)));
    // The same token at another list's owner address: not believed.
    let other = site.add_list(
        "other",
        "",
        wwsympa::domain::ListPolicy {
            visibility: Visibility::Noconceal,
            subscribe: SubscribePolicy::Open,
            unsubscribe: UnsubscribePolicy::Open,
            review: ReviewPolicy::Private,
            archive: wwsympa::domain::ArchiveAccess::Private,
        },
    );
    let other = site.store().db().list_by_id(other).unwrap().unwrap();
    let mut store = site.store();
    let mut env = Env::new(&mut store, &site.config, &templates);
    let outcome = env
        .transaction(&requester, |tx| {
            bounces::receive_at(
                tx,
                Some(&other),
                Some(&token),
                &hard("alice@example.net"),
                T0 + 4 * DAY,
            )
        })
        .unwrap();
    assert_eq!(outcome, BounceOutcome::Unattributed);
    assert_eq!(list.name.as_str(), "team");
    assert_eq!(score(&site, "alice@example.net"), Some((3000, false)));
}

#[test]
fn a_complaint_through_a_token_unsubscribes_without_mail_and_tells_the_owners() {
    let (_dir, site) = team_site("bnc-arf");
    let token = delivered_token(&site, "alice@example.net");
    let arf = |rcpt: &str| {
        format!(
            "From: feedback@isp.example\r\nSubject: Abuse report\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=feedback-report; boundary=\"f\"\r\n\r\n\
--f\r\nContent-Type: text/plain\r\n\r\nThis is an email abuse report.\r\n\
--f\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nVersion: 1\r\n\
Original-Rcpt-To: <{rcpt}>\r\n\r\n\
--f\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: owner@example.org\r\nSubject: News\r\n\r\n--f--\r\n"
        )
        .into_bytes()
    };
    // Without a token anyone could write one: kept and shown, nothing else.
    assert_eq!(
        receive(&site, None, &arf("bob@example.net"), T0),
        BounceOutcome::Kept
    );
    assert!(is_member(&site, "team", "bob@example.net"));
    assert_eq!(
        receive(&site, Some(&token), &arf("alice@example.net"), T0),
        BounceOutcome::Counted {
            email: "alice@example.net".into()
        }
    );
    assert!(!is_member(&site, "team", "alice@example.net"));
    assert!(
        mail_to(&site, "alice@example.net").is_empty(),
        "no mail to who complained"
    );
    let notices = mail_to(&site, "owner@example.org");
    assert!(
        notices
            .iter()
            .any(|m| m.contains("The mail provider of alice@example.net sent a complaint")),
        "{notices:?}"
    );
    assert_eq!(audits(&site, "complaint_remove"), 1);
    let kept: Vec<String> = site
        .store()
        .db()
        .list_bounces(team(&site).id, 10)
        .unwrap()
        .into_iter()
        .map(|b| b.outcome)
        .collect();
    assert_eq!(kept, ["complaint", "complaint"]);
}

#[test]
fn failures_the_delivery_recorded_count_once_and_suspended_members_get_no_more_posts() {
    let (_dir, site) = team_site("bnc-failed");
    delivered_token(&site, "alice@example.net");
    let fail = |address: &str, code: i64, text: &str, at: i64| {
        site.db.execute(
            "UPDATE delivery_rcpts SET state = 'failed', last_code = ?1, last_text = ?2, updated_at = ?3 WHERE email = ?4",
            &[
                crate::support::db::Value::Int(code),
                crate::support::db::Value::Text(text),
                crate::support::db::Value::Int(at),
                crate::support::db::Value::Text(address),
            ],
        )
    };
    assert_eq!(
        fail(
            "alice@example.net",
            550,
            "5.1.1 <alice@example.net>: User unknown",
            T0
        ),
        1
    );
    assert_eq!(
        fail("bob@example.net", 554, "5.7.1 Message rejected as spam", T0),
        1
    );
    let report = run_due(&site, T0 + 60);
    assert_eq!(report.delivery_failures, 2);
    assert_eq!(score(&site, "alice@example.net"), Some((1000, false)));
    assert_eq!(
        score(&site, "bob@example.net"),
        None,
        "a spam rejection counts nothing"
    );
    // Read once.
    assert_eq!(run_due(&site, T0 + 120).delivery_failures, 0);
    assert_eq!(score(&site, "alice@example.net"), Some((1000, false)));
    // Suspended: the next post's delivery leaves her out.
    let list = team(&site);
    let off = wwsympa::domain::BounceScore {
        score: 6000,
        disabled_at: Some(T0),
        last_at: T0,
        ..Default::default()
    };
    site.store()
        .db()
        .set_member_bounce(list.id, &email("alice@example.net"), &off, None)
        .unwrap();
    let raw = b"From: owner@example.org\r\nTo: team@lists.example.org\r\nSubject: More\r\nMessage-ID: <news-2@example.org>\r\n\r\nHello\r\n";
    let mut store = site.store();
    let message = store
        .transaction(|db| {
            wwsympa::operations::archive::store_message(
                db,
                &list,
                &wwsympa::operations::archive::Incoming {
                    raw,
                    arrived_at: T0 + DAY,
                    month: None,
                    legacy_seq: None,
                },
            )
        })
        .unwrap()
        .message();
    let (delivery, recipients) = store
        .db()
        .queue_delivery(
            list.id,
            message.id,
            wwsympa::domain::DeliveryMode::Personalized,
            None,
        )
        .unwrap()
        .unwrap();
    let addresses = site.db.texts(&format!(
        "SELECT email FROM delivery_rcpts WHERE delivery_id = {delivery} ORDER BY email"
    ));
    assert_eq!(addresses, ["bob@example.net", "member@example.org"]);
    assert_eq!(recipients, 2);
}
