//! Samples of each bounce format (written for these tests after the MTAs' documented
//! forms), and the classification rule's edges.

use super::*;

const ORIGINAL: &str = "From: team-owner@lists.example.org\nTo: team@lists.example.org\nSubject: Meeting\nMessage-ID: <post-1@example.org>\n\nHello\n";

fn dsn(action: &str, status: &str, diagnostic: &str) -> String {
    format!(
        "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\n\
To: team-owner@lists.example.org\n\
Subject: Undelivered Mail Returned to Sender\n\
Auto-Submitted: auto-replied\n\
MIME-Version: 1.0\n\
Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"B1\"\n\
\n\
--B1\n\
Content-Type: text/plain; charset=us-ascii\n\
\n\
This is the mail system at host mx.example.net.\n\
\n\
I'm sorry to have to inform you that your message could not\n\
be delivered to one or more recipients.\n\
\n\
--B1\n\
Content-Type: message/delivery-status\n\
\n\
Reporting-MTA: dns; mx.example.net\n\
X-Postfix-Queue-ID: 4AB12\n\
Arrival-Date: Sun, 29 Nov 2026 04:00:00 +0000 (UTC)\n\
\n\
Final-Recipient: rfc822; Alice@Example.NET\n\
Original-Recipient: rfc822;alice@example.net\n\
Action: {action}\n\
Status: {status}\n\
Remote-MTA: dns; in.example.net\n\
Diagnostic-Code: smtp; {diagnostic}\n\
\n\
--B1\n\
Content-Type: message/rfc822\n\
\n\
{ORIGINAL}\n\
--B1--\n"
    )
}

fn only(report: &Report) -> &Recipient {
    match report {
        Report::Delivery(r) if r.len() == 1 => &r[0],
        other => panic!("one recipient expected: {other:?}"),
    }
}

#[test]
fn rfc3464_hard_failure() {
    let report = read(
        dsn(
            "failed",
            "5.1.1",
            "550 5.1.1 <alice@example.net>: Recipient address\n    rejected: User unknown in local recipient table",
        )
        .as_bytes(),
    );
    let r = only(&report);
    assert_eq!(r.address, "alice@example.net");
    assert_eq!(r.original.as_deref(), Some("alice@example.net"));
    assert_eq!(r.action, Action::Failed);
    assert_eq!(r.status.map(|s| s.to_string()).as_deref(), Some("5.1.1"));
    assert_eq!(
        r.diagnostic,
        "550 5.1.1 <alice@example.net>: Recipient address rejected: User unknown in local recipient table"
    );
    assert_eq!(r.verdict, Verdict::Hard);
    assert_eq!(report.counted().count(), 1);
}

#[test]
fn rfc3464_soft_failure_and_delay() {
    let soft = read(dsn("failed", "4.4.7", "421 4.4.7 connection timed out").as_bytes());
    assert_eq!(only(&soft).verdict, Verdict::Soft);
    let full = read(dsn("failed", "5.2.2", "552 5.2.2 Mailbox full").as_bytes());
    assert_eq!(only(&full).verdict, Verdict::Soft);
    let delayed = read(dsn("delayed", "4.4.1", "connect to in.example.net: timed out").as_bytes());
    assert_eq!(only(&delayed).action, Action::Delayed);
    assert_eq!(only(&delayed).verdict, Verdict::NotAFailure);
    assert_eq!(delayed.counted().count(), 0);
    let delivered = read(dsn("delivered", "2.0.0", "250 ok").as_bytes());
    assert_eq!(only(&delivered).verdict, Verdict::NotAFailure);
}

#[test]
fn rfc3464_spam_and_policy_rejections_are_not_counted() {
    for (status, diag) in [
        (
            "5.7.1",
            "550 5.7.1 Message rejected as spam by Content Filtering",
        ),
        (
            "5.7.1",
            "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
        ),
        (
            "5.7.26",
            "550-5.7.26 This mail has been blocked because the sender is unauthenticated",
        ),
        (
            "5.7.1",
            "550 5.7.1 Rejected by DMARC policy for example.org",
        ),
        (
            "5.0.0",
            "550 Our system has detected that this message is likely unsolicited mail",
        ),
    ] {
        let report = read(dsn("failed", status, diag).as_bytes());
        assert_eq!(only(&report).verdict, Verdict::Policy, "{diag}");
        assert_eq!(report.counted().count(), 0);
    }
    // A 5.7.x with nothing of policy in its words is the address's failure.
    let denied = read(dsn("failed", "5.7.1", "550 5.7.1 Recipient mailbox is disabled").as_bytes());
    assert_eq!(only(&denied).verdict, Verdict::Hard);
}

#[test]
fn the_diagnostic_gives_the_status_when_the_field_is_generic_or_missing() {
    let report = read(dsn("failed", "5.0.0", "550 5.2.2 mailbox full").as_bytes());
    assert_eq!(
        only(&report).status.map(|s| s.to_string()).as_deref(),
        Some("5.2.2")
    );
    assert_eq!(only(&report).verdict, Verdict::Soft);
    let report = read(dsn("failed", "bogus", "450 try later").as_bytes());
    assert_eq!(
        only(&report).status.map(|s| s.to_string()).as_deref(),
        Some("4.0.0")
    );
    assert_eq!(only(&report).verdict, Verdict::Soft);
}

#[test]
fn several_recipients_in_one_report() {
    let raw = "From: MAILER-DAEMON@mx.example.net\nTo: t-owner@l.example.org\nSubject: failure\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=x\n\n--x\nContent-Type: text/plain\n\nfailed\n--x\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; a@example.net\nAction: failed\nStatus: 5.1.1\n\nFinal-Recipient: rfc822; b@example.net\nAction: delayed\nStatus: 4.2.0\n\nFinal-Recipient: rfc822; <c@example.net>\nAction: failed\nStatus: 4.4.7\n--x--\n";
    let Report::Delivery(r) = read(raw.as_bytes()) else {
        panic!("a report")
    };
    let got: Vec<(&str, Verdict)> = r.iter().map(|r| (r.address.as_str(), r.verdict)).collect();
    assert_eq!(
        got,
        [
            ("a@example.net", Verdict::Hard),
            ("b@example.net", Verdict::NotAFailure),
            ("c@example.net", Verdict::Soft),
        ]
    );
}

const EXIM: &str = r#"From: Mail Delivery System <Mailer-Daemon@mx.example.com>
To: team-owner@lists.example.org
Subject: Mail delivery failed: returning message to sender
Auto-Submitted: auto-replied

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  bob@example.com
    host mx.example.com [192.0.2.7]
    SMTP error from remote mail server after RCPT TO:<bob@example.com>:
    550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown
  carol@example.com
    mailbox is full: retry timeout exceeded

------ This is a copy of the message, including all the headers. ------

From: someone@example.org
To: dave@example.com
"#;

#[test]
fn exim() {
    let Report::Delivery(r) = read(EXIM.as_bytes()) else {
        panic!("a report")
    };
    assert_eq!(r.len(), 2, "{r:?}");
    assert_eq!(r[0].address, "bob@example.com");
    assert_eq!(r[0].status.map(|s| s.to_string()).as_deref(), Some("5.1.1"));
    assert!(
        r[0].diagnostic.contains("User unknown"),
        "{}",
        r[0].diagnostic
    );
    assert_eq!(r[0].verdict, Verdict::Hard);
    assert_eq!(r[1].address, "carol@example.com");
    assert_eq!(r[1].verdict, Verdict::Hard);
    // The copy of the message names dave: not a recipient of the report.
    assert!(r.iter().all(|r| r.address != "dave@example.com"));
}

#[test]
fn exim_delay_warning_counts_nothing() {
    let raw = "From: Mail Delivery System <Mailer-Daemon@mx.example.com>\nSubject: Warning: message 1abc delayed 24 hours\n\nThis message was created automatically by mail delivery software.\n\nA message that you sent has not yet been delivered to one or more of its\nrecipients after more than 24 hours on the queue on mx.example.com.\n\nThe address to which the message has not yet been delivered is:\n\n  bob@example.com\n    Delay reason: SMTP error from remote mail server after RCPT TO:<bob@example.com>:\n    451 4.3.0 Temporary lookup failure\n\nNo action is required on your part.\n";
    let report = read(raw.as_bytes());
    let r = only(&report);
    assert_eq!(r.address, "bob@example.com");
    assert_eq!(r.action, Action::Delayed);
    assert_eq!(report.counted().count(), 0);
}

#[test]
fn postfix_text() {
    let raw = "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\nSubject: Undelivered Mail Returned to Sender\n\nThis is the mail system at host mx.example.net.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients. It's attached below.\n\n                   The mail system\n\n<erin@example.net>: host in.example.net[192.0.2.9] said: 550 5.1.1\n    <erin@example.net>: Recipient address rejected: User unknown (in reply to\n    RCPT TO command)\n\n<frank@example.net>: host in.example.net[192.0.2.9] said: 452 4.2.2 Mailbox\n    full (in reply to RCPT TO command)\n";
    let Report::Delivery(r) = read(raw.as_bytes()) else {
        panic!("a report")
    };
    assert_eq!(r.len(), 2, "{r:?}");
    assert_eq!(
        (r[0].address.as_str(), r[0].verdict),
        ("erin@example.net", Verdict::Hard)
    );
    assert!(r[0].diagnostic.ends_with("(in reply to RCPT TO command)"));
    assert_eq!(
        (r[1].address.as_str(), r[1].verdict),
        ("frank@example.net", Verdict::Soft)
    );
    let warning = raw.replace(
        "I'm sorry",
        "####### THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #######\n\nI'm sorry",
    );
    assert_eq!(read(warning.as_bytes()).counted().count(), 0);
}

#[test]
fn sendmail() {
    let raw = "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.edu>\nSubject: Returned mail: see transcript for details\n\nThe original message was received at Sun, 29 Nov 2026 04:00:00 GMT\nfrom lists.example.org [198.51.100.1]\n\n   ----- The following addresses had permanent fatal errors -----\n<grace@example.edu>\n    (reason: 550 5.1.1 <grace@example.edu>... User unknown)\n\n   ----- Transcript of session follows -----\n... while talking to mail.example.edu.:\n>>> DATA\n<<< 550 5.1.1 <grace@example.edu>... User unknown\n550 5.1.1 <grace@example.edu>... User unknown\n";
    let report = read(raw.as_bytes());
    let r = only(&report);
    assert_eq!(r.address, "grace@example.edu");
    assert_eq!(
        r.diagnostic,
        "550 5.1.1 <grace@example.edu>... User unknown"
    );
    assert_eq!(r.verdict, Verdict::Hard);
    let transient = raw.replace("permanent fatal", "transient non-fatal");
    assert_eq!(only(&read(transient.as_bytes())).action, Action::Delayed);
}

#[test]
fn qmail() {
    let raw = "From: MAILER-DAEMON@mail.example.com\nSubject: failure notice\n\nHi. This is the qmail-send program at mail.example.com.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n<heidi@example.com>:\n192.0.2.3 does not like recipient.\nRemote host said: 550 5.1.1 No such user\nGiving up on 192.0.2.3.\n\n--- Below this line is a copy of the message.\n\nTo: ivan@example.com\n";
    let report = read(raw.as_bytes());
    let r = only(&report);
    assert_eq!(r.address, "heidi@example.com");
    assert!(r.diagnostic.contains("No such user"));
    assert_eq!(r.verdict, Verdict::Hard);
}

#[test]
fn exchange_and_office_365() {
    let o365 = "From: Microsoft Outlook <postmaster@example.onmicrosoft.com>\nSubject: Undeliverable: Meeting\nContent-Type: text/plain\n\nYour message to judy@example.org couldn't be delivered.\n\nDelivery has failed to these recipients or groups:\n\njudy@example.org<mailto:judy@example.org>\nThe email address you entered couldn't be found. Please check the recipient's email address and try to resend the message.\n\nDiagnostic information for administrators:\n\nGenerating server: AM0PR01MB1234.eurprd01.prod.outlook.com\n\njudy@example.org\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'\n";
    let report = read(o365.as_bytes());
    let r = only(&report);
    assert_eq!(r.address, "judy@example.org");
    assert_eq!(r.status.map(|s| s.to_string()).as_deref(), Some("5.1.10"));
    assert_eq!(r.verdict, Verdict::Hard);

    let old = "From: System Administrator <postmaster@corp.example>\nSubject: Undeliverable: Meeting\n\nYour message did not reach some or all of the intended recipients.\n\n      Subject:  Meeting\n      Sent:     1/2/2024 10:00 AM\n\nThe following recipient(s) cannot be reached:\n\n      Ken Example (ken@corp.example) on 1/2/2024 10:00 AM\n            The e-mail account does not exist at the organization this message was sent to.\n            <mx.corp.example #5.1.1 smtp;550 5.1.1 User unknown>\n";
    let report = read(old.as_bytes());
    let r = only(&report);
    assert_eq!(r.address, "ken@corp.example");
    assert_eq!(r.status.map(|s| s.to_string()).as_deref(), Some("5.1.1"));
    assert_eq!(r.verdict, Verdict::Hard);
}

#[test]
fn arf_complaint() {
    let raw = "From: feedback@isp.example\nTo: team-owner@lists.example.org\nSubject: Abuse report\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=feedback-report; boundary=\"f\"\n\n--f\nContent-Type: text/plain\n\nThis is an email abuse report.\n--f\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: SomeGenerator/1.0\nVersion: 1\nOriginal-Mail-From: <team-owner@lists.example.org>\nOriginal-Rcpt-To: <Lena@Example.com>\nArrival-Date: Sun, 29 Nov 2026 04:00:00 +0000\n\n--f\nContent-Type: message/rfc822\n\nFrom: x@example.org\nTo: team@lists.example.org\nSubject: hi\n\nbody\n--f--\n";
    assert_eq!(
        read(raw.as_bytes()),
        Report::Complaint {
            feedback_type: "abuse".into(),
            recipients: vec!["lena@example.com".into()],
        }
    );
}

#[test]
fn auto_replies_and_ordinary_mail_are_not_bounces() {
    let vacation = "From: mike@example.com\nTo: team-owner@lists.example.org\nSubject: Away\nAuto-Submitted: auto-replied (vacation)\n\nI am away until Monday.\n";
    assert_eq!(read(vacation.as_bytes()), Report::AutoReply);
    let ooo = "From: mike@example.com\nSubject: Automatic reply: Meeting\nX-Auto-Response-Suppress: All\n\nAway.\n";
    assert_eq!(read(ooo.as_bytes()), Report::AutoReply);
    let person = "From: nina@example.com\nTo: team-owner@lists.example.org\nSubject: Question about the list\n\nHello owners, how do I post?\n";
    assert_eq!(read(person.as_bytes()), Report::Other);
    // A DSN carries `Auto-Submitted: auto-replied` too (Postfix): it stays a DSN.
    assert!(matches!(
        read(dsn("failed", "5.1.1", "550 unknown").as_bytes()),
        Report::Delivery(_)
    ));
}

#[test]
fn a_report_naming_nobody_readable_is_still_a_report() {
    let raw = "From: MAILER-DAEMON@mx\nSubject: x\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; not an address\nAction: failed\n--b--\n";
    assert_eq!(read(raw.as_bytes()), Report::Delivery(Vec::new()));
}

#[test]
fn junk_never_panics_and_is_other() {
    for raw in [
        &b""[..],
        b"\xff\xfe\x00garbage",
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=\"\"\n\n--\n",
        b"Content-Type: message/delivery-status\n\nFinal-Recipient: ;\nAction:\nStatus: 5.\n",
        b"Subject: x\n\nThis is the qmail-send program\n<@>:\n<a@b.c>:\n",
    ] {
        let _ = read(raw);
    }
    let many: String = (0..500)
        .map(|i| {
            format!("Final-Recipient: rfc822; u{i}@example.net\nAction: failed\nStatus: 5.1.1\n\n")
        })
        .collect();
    let raw = format!("Subject: x\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: message/delivery-status\n\n{many}--b--\n");
    let Report::Delivery(r) = read(raw.as_bytes()) else {
        panic!("a report")
    };
    assert_eq!(r.len(), MAX_RECIPIENTS);
}

#[test]
fn statuses_parse_strictly() {
    assert_eq!(
        Status::parse("5.1.1"),
        Some(Status {
            class: 5,
            subject: 1,
            detail: 1
        })
    );
    for bad in [
        "", "5", "5.1", "5.1.1.1", "3.1.1", "5.1.x", "5.1000.1", "55.1.1", "5..1",
    ] {
        assert_eq!(Status::parse(bad), None, "{bad}");
    }
    assert_eq!(
        Status::find("550 5.1.1 nope")
            .map(|s| s.to_string())
            .as_deref(),
        Some("5.1.1")
    );
    assert_eq!(
        Status::find("<mx #4.4.7 smtp;>")
            .map(|s| s.to_string())
            .as_deref(),
        Some("4.4.7")
    );
    // Inside a version number or an IP address, it is not a status.
    assert_eq!(Status::find("v15.2.1 host 10.5.1.1"), None);
    assert_eq!(
        Status::find("5.1.1."),
        Some(Status {
            class: 5,
            subject: 1,
            detail: 1
        })
    );
}

#[test]
fn the_rule() {
    let s = |t: &str| Status::parse(t);
    assert_eq!(
        classify(Action::Failed, s("5.1.1"), "user unknown"),
        Verdict::Hard
    );
    assert_eq!(
        classify(Action::Failed, None, "no such user"),
        Verdict::Hard
    );
    assert_eq!(classify(Action::Failed, s("4.2.0"), ""), Verdict::Soft);
    assert_eq!(classify(Action::Failed, s("5.2.2"), ""), Verdict::Soft);
    assert_eq!(classify(Action::Failed, s("5.2.3"), ""), Verdict::Soft);
    assert_eq!(classify(Action::Failed, s("5.3.4"), ""), Verdict::Soft);
    assert_eq!(classify(Action::Failed, s("5.2.1"), ""), Verdict::Hard);
    assert_eq!(classify(Action::Failed, s("5.3.3"), ""), Verdict::Hard);
    assert_eq!(classify(Action::Failed, s("5.2.4"), ""), Verdict::Hard);
    assert_eq!(
        classify(Action::Failed, s("2.0.0"), ""),
        Verdict::NotAFailure
    );
    assert_eq!(
        classify(Action::Delayed, s("5.1.1"), ""),
        Verdict::NotAFailure
    );
    assert_eq!(classify(Action::Delivered, None, ""), Verdict::NotAFailure);
    assert_eq!(classify(Action::Relayed, None, ""), Verdict::NotAFailure);
    assert_eq!(classify(Action::Expanded, None, ""), Verdict::NotAFailure);
    assert_eq!(
        classify(Action::Failed, s("5.1.1"), "SPAM detected"),
        Verdict::Policy
    );
    assert_eq!(
        classify(Action::Failed, s("4.7.0"), "temporarily blocked"),
        Verdict::Policy
    );
    assert_eq!(
        classify(Action::Failed, s("4.7.0"), "try again"),
        Verdict::Soft
    );
    assert_eq!(
        classify(Action::Failed, s("5.7.1"), "authentication required"),
        Verdict::Policy
    );
    // Policy words count only with a 7 subject; spam words always.
    assert_eq!(
        classify(Action::Failed, s("5.1.1"), "mailbox blocked"),
        Verdict::Hard
    );
    // Words, not substrings.
    assert_eq!(
        classify(Action::Failed, s("5.1.1"), "nospamuser unknown"),
        Verdict::Hard
    );
    assert_eq!(Action::parse("Failed (permanent)"), Some(Action::Failed));
    assert_eq!(Action::parse("DELAYED"), Some(Action::Delayed));
    assert_eq!(Action::parse("delivered"), Some(Action::Delivered));
    assert_eq!(Action::parse("relayed"), Some(Action::Relayed));
    assert_eq!(Action::parse("expanded"), Some(Action::Expanded));
    assert_eq!(Action::parse("bounced"), None);
    assert_eq!(Action::parse(""), None);
}
