//! Bounces read from their bytes: RFC 3464 delivery reports, the older texts of Postfix, Exim, Sendmail, qmail and Exchange, ARF complaints (RFC 5965) and auto-replies told apart, and the rule that says which failures count against a member.
//!
//! [`read`] never fails and never panics: it runs under the archive parser's caps and panic
//! guard ([`super::mime::with_message`]), reads at most [`MAX_TEXT_BYTES`] of a text body,
//! keeps at most [`MAX_RECIPIENTS`] recipients and [`MAX_DIAGNOSTIC_CHARS`] of each
//! diagnostic. What it cannot recognise is [`Report::Other`].
//!
//! [`classify`] is the rule: a failure (RFC 3464 `Action: failed`, or a permanent-failure
//! section of an older text) with a 5.x.x status is hard, with 4.x.x (or a full mailbox,
//! 5.2.2, or a message too large, 5.2.3 and 5.3.4) soft; a rejection that names spam or a
//! block list, or a 5.7.x/4.7.x (security or policy) status whose diagnostic speaks of
//! blocking, policy or authentication, is [`Verdict::Policy`]: the receiver refused the
//! message, not the address, so it is not counted. Delays, deliveries and relays are
//! [`Verdict::NotAFailure`].

use mail_parser::{Message, MimeHeaders, PartType};

use super::mime;

/// The most recipients kept from one report.
pub const MAX_RECIPIENTS: usize = 100;

/// The most characters of a diagnostic kept.
pub const MAX_DIAGNOSTIC_CHARS: usize = 500;

/// The most bytes of a text body (or a delivery-status part) read.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// What a message sent to a bounce address is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// A delivery report: one entry per recipient it names (perhaps none when the report
    /// names nobody readable).
    Delivery(Vec<Recipient>),
    /// A complaint (an ARF feedback report): the recipients it names, if any.
    Complaint {
        /// `Feedback-Type` (`abuse`, `fraud`, ...), lowercased.
        feedback_type: String,
        /// `Original-Rcpt-To` addresses, lowercased.
        recipients: Vec<String>,
    },
    /// An automatic reply (vacation, out of office): not a bounce.
    AutoReply,
    /// Nothing recognised: mail for the owners.
    Other,
}

impl Report {
    /// The recipients whose failure counts, with their verdicts (hard or soft).
    pub fn counted(&self) -> impl Iterator<Item = &Recipient> {
        let recipients: &[Recipient] = match self {
            Report::Delivery(r) => r,
            _ => &[],
        };
        recipients
            .iter()
            .filter(|r| matches!(r.verdict, Verdict::Hard | Verdict::Soft))
    }
}

/// What a report says of one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The address (RFC 3464 `Final-Recipient`, else `Original-Recipient`), lowercased.
    pub address: String,
    /// `Original-Recipient`, lowercased, when given.
    pub original: Option<String>,
    /// What the MTA did.
    pub action: Action,
    /// The enhanced status code (RFC 3463), from `Status` or else from the diagnostic.
    pub status: Option<Status>,
    /// The remote server's words (`Diagnostic-Code` or the text's), on one line, capped.
    pub diagnostic: String,
    /// Whether it counts.
    pub verdict: Verdict,
}

/// RFC 3464 `Action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Could not be delivered (and an older text's permanent-failure section).
    Failed,
    /// Not delivered yet; the MTA keeps trying.
    Delayed,
    /// Delivered.
    Delivered,
    /// Relayed to a system that sends no reports.
    Relayed,
    /// Delivered and forwarded on.
    Expanded,
}

impl Action {
    /// Parses the field's value (case does not matter; comments after a space ignored).
    pub fn parse(text: &str) -> Option<Action> {
        let word = text.split_whitespace().next()?.to_ascii_lowercase();
        Some(match word.as_str() {
            "failed" => Action::Failed,
            "delayed" => Action::Delayed,
            "delivered" => Action::Delivered,
            "relayed" => Action::Relayed,
            "expanded" => Action::Expanded,
            _ => return None,
        })
    }
}

/// An enhanced status code `class.subject.detail` (RFC 3463).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// 2 (success), 4 (temporary) or 5 (permanent).
    pub class: u8,
    /// The subject (1 addressing, 2 mailbox, 3 mail system, 4 network, 5 protocol, 6
    /// content, 7 security or policy).
    pub subject: u16,
    /// The detail.
    pub detail: u16,
}

impl Status {
    /// Parses `5.1.1` (the whole of `text`, trimmed).
    pub fn parse(text: &str) -> Option<Status> {
        let mut parts = text.trim().split('.');
        let class = parts.next()?;
        let subject = parts.next()?;
        let detail = parts.next()?;
        if parts.next().is_some() {
            return None;
        }
        let number = |s: &str, max: usize| -> Option<u16> {
            if s.is_empty() || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        };
        let class = number(class, 1)?;
        if !matches!(class, 2 | 4 | 5) {
            return None;
        }
        Some(Status {
            class: class as u8,
            subject: number(subject, 3)?,
            detail: number(detail, 3)?,
        })
    }

    /// The first enhanced status code in `text` (as in `550 5.1.1 User unknown` or Exchange's
    /// `#5.1.1`), standing alone between non-alphanumeric characters.
    pub fn find(text: &str) -> Option<Status> {
        let bytes = text.as_bytes();
        for (at, b) in bytes.iter().enumerate() {
            if !matches!(b, b'2' | b'4' | b'5') || bytes.get(at + 1) != Some(&b'.') {
                continue;
            }
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'.') {
                continue;
            }
            let end = bytes[at..]
                .iter()
                .position(|c| !(c.is_ascii_digit() || *c == b'.'))
                .map_or(bytes.len(), |n| at + n);
            let candidate = text[at..end].trim_end_matches('.');
            if let Some(status) = Status::parse(candidate) {
                return Some(status);
            }
        }
        None
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// Whether a recipient's failure counts against them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A permanent failure of the address: counts 1.
    Hard,
    /// A temporary failure (or a full mailbox): counts ½.
    Soft,
    /// The receiver refused the message (spam, block list, policy): not counted.
    Policy,
    /// Not a failure (delayed, delivered, relayed): not counted.
    NotAFailure,
}

impl Verdict {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Hard => "hard",
            Verdict::Soft => "soft",
            Verdict::Policy => "policy",
            Verdict::NotAFailure => "not_a_failure",
        }
    }
}

/// Words that make any rejection a refusal of the message's content or sender, not of the
/// address.
const SPAM_WORDS: &[&str] = &[
    "spam",
    "spamhaus",
    "spamcop",
    "unsolicited",
    "blacklist",
    "blacklisted",
    "blocklist",
    "blocklisted",
    "denylist",
    "denylisted",
    "rbl",
    "dnsbl",
    "reputation",
    "phishing",
    "virus",
    "malware",
];

/// Words that make a 4.7.x or 5.7.x (security or policy) rejection a refusal of the
/// message; a word ending in `*` matches as a prefix.
const POLICY_WORDS: &[&str] = &[
    "block*",
    "policy",
    "policies",
    "dmarc",
    "spf",
    "dkim",
    "authenticat*",
    "unauthenticated",
    "junk",
    "bulk",
    "abuse",
    "listed",
    "content",
    "rejected",
    "refused",
];

/// The lowercase alphanumeric words of `text`.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

fn matches_any(text: &str, list: &[&str]) -> bool {
    words(text).any(|word| {
        list.iter().any(|want| match want.strip_suffix('*') {
            Some(prefix) => word.starts_with(prefix),
            None => word == *want,
        })
    })
}

/// The rule (see the module documentation): what a recipient's entry in a report means.
pub fn classify(action: Action, status: Option<Status>, diagnostic: &str) -> Verdict {
    if action != Action::Failed {
        return Verdict::NotAFailure;
    }
    if status.is_some_and(|s| s.class == 2) {
        return Verdict::NotAFailure;
    }
    if matches_any(diagnostic, SPAM_WORDS) {
        return Verdict::Policy;
    }
    match status {
        Some(s) if s.subject == 7 && matches_any(diagnostic, POLICY_WORDS) => Verdict::Policy,
        Some(Status { class: 4, .. }) => Verdict::Soft,
        // A full mailbox, a message over the receiver's size limit: not the address's fault
        // for good.
        Some(Status {
            class: 5,
            subject: 2,
            detail: 2 | 3,
        })
        | Some(Status {
            class: 5,
            subject: 3,
            detail: 4,
        }) => Verdict::Soft,
        _ => Verdict::Hard,
    }
}

/// Reads a message sent to a bounce address. Never fails, never panics.
pub fn read(raw: &[u8]) -> Report {
    mime::with_message(raw, |message, headers_only| {
        if headers_only {
            return if is_auto_reply(message) {
                Report::AutoReply
            } else {
                Report::Other
            };
        }
        read_message(message)
    })
    .unwrap_or(Report::Other)
}

fn read_message(message: &Message<'_>) -> Report {
    let mut delivery_status: Option<String> = None;
    let mut feedback: Option<String> = None;
    let mut text: Option<String> = None;
    for part in message.parts.iter().take(mime::MAX_PARTS) {
        let content_type = mime::content_type(part);
        match content_type.as_str() {
            "message/delivery-status" | "message/global-delivery-status"
                if delivery_status.is_none() =>
            {
                delivery_status = Some(capped_text(part.contents()));
            }
            "message/feedback-report" if feedback.is_none() => {
                feedback = Some(capped_text(part.contents()));
            }
            "text/plain" if text.is_none() => {
                if let PartType::Text(body) = &part.body {
                    text = Some(cap(body, MAX_TEXT_BYTES).to_string());
                }
            }
            _ => {}
        }
    }
    if let Some(report) = feedback {
        return complaint(&report);
    }
    if let Some(fields) = delivery_status {
        let recipients = delivery_report(&fields);
        if !recipients.is_empty() {
            return Report::Delivery(recipients);
        }
    }
    if let Some(text) = &text {
        if let Some(recipients) = text_report(text) {
            return Report::Delivery(recipients);
        }
    }
    if is_report(message) {
        // A delivery report whose recipients could not be read: still a report, naming
        // nobody (kept for the owners, never forwarded as if a person wrote it).
        return Report::Delivery(Vec::new());
    }
    if is_auto_reply(message) {
        return Report::AutoReply;
    }
    Report::Other
}

/// Whether the top part is `multipart/report; report-type=delivery-status`.
fn is_report(message: &Message<'_>) -> bool {
    let Some(top) = message.parts.first() else {
        return false;
    };
    mime::content_type(top) == "multipart/report"
        && top
            .content_type()
            .and_then(|ct| ct.attribute("report-type"))
            .is_some_and(|t| t.eq_ignore_ascii_case("delivery-status"))
}

/// Whether the headers say an automatic reply (RFC 3834 `Auto-Submitted: auto-replied`,
/// the common `X-Autoreply`-like fields, `Precedence: auto_reply`, out-of-office subjects).
fn is_auto_reply(message: &Message<'_>) -> bool {
    let header = |name: &str| mime::raw_header(message, name).map(|v| v.to_ascii_lowercase());
    if header("Auto-Submitted").is_some_and(|v| v.starts_with("auto-replied")) {
        return true;
    }
    if ["X-Autoreply", "X-Autorespond", "X-Autoresponder"]
        .iter()
        .any(|name| header(name).is_some())
    {
        return true;
    }
    if header("Precedence").is_some_and(|v| v == "auto_reply") {
        return true;
    }
    let subject = mime::text_header(message, "Subject")
        .unwrap_or_default()
        .to_lowercase();
    [
        "out of office",
        "out of the office",
        "automatic reply",
        "auto:",
        "autoreply",
        "auto-reply",
        "auto reply",
        "vacation",
        "abwesenheitsnotiz",
        "réponse automatique",
    ]
    .iter()
    .any(|prefix| subject.starts_with(prefix))
}

/// The first `max` bytes of `text`, cut at a character boundary.
fn cap(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn capped_text(bytes: &[u8]) -> String {
    mime::utf8_or_1252(&bytes[..bytes.len().min(MAX_TEXT_BYTES)])
}

/// A diagnostic on one line, at most [`MAX_DIAGNOSTIC_CHARS`] characters.
fn diagnostic(text: &str) -> String {
    mime::unfold(text)
        .chars()
        .take(MAX_DIAGNOSTIC_CHARS)
        .collect()
}

/// The groups of `Name: value` fields of a report body, continuation lines unfolded, names
/// lowercased; groups are separated by blank lines.
fn field_groups(text: &str) -> Vec<Vec<(String, String)>> {
    let mut groups = Vec::new();
    let mut group: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            if !group.is_empty() {
                groups.push(std::mem::take(&mut group));
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = group.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            if group.len() < 100 {
                group.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
            }
        }
    }
    if !group.is_empty() {
        groups.push(group);
    }
    groups
}

/// The address of an RFC 3464 recipient field (`rfc822; user@example.org`), lowercased;
/// `None` when it is not an address.
fn typed_address(value: &str) -> Option<String> {
    let address = match value.split_once(';') {
        Some((_, address)) => address,
        None => value,
    };
    bare_address(address)
}

/// `text` as a plain address (angle brackets and a trailing colon removed), lowercased, when
/// it looks like one: one `@`, something on each side, no spaces.
fn bare_address(text: &str) -> Option<String> {
    let text = text.trim().trim_end_matches(':').trim();
    let text = text
        .strip_prefix('<')
        .and_then(|t| t.strip_suffix('>'))
        .unwrap_or(text)
        .trim();
    let (local, domain) = text.rsplit_once('@')?;
    if local.is_empty()
        || domain.is_empty()
        || !domain.contains('.')
        || text.len() > 254
        || text.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '(' | ')' | ',')
        })
    {
        return None;
    }
    Some(text.to_lowercase())
}

/// The text after `smtp;` (or any `type;`) in a `Diagnostic-Code`.
fn diagnostic_value(value: &str) -> &str {
    match value.split_once(';') {
        Some((kind, rest)) if !kind.contains(' ') && kind.len() < 20 => rest.trim(),
        _ => value.trim(),
    }
}

/// The status of a recipient: the `Status` field unless it is missing or the generic
/// `x.0.0`, then the diagnostic's enhanced code, then its basic reply code (`550`).
fn status_of(field: Option<&str>, diagnostic: &str) -> Option<Status> {
    let given = field.and_then(|f| Status::parse(f.split_whitespace().next().unwrap_or("")));
    let generic = given.is_none_or(|s| s.subject == 0 && s.detail == 0);
    if generic {
        if let Some(found) = Status::find(diagnostic) {
            return Some(found);
        }
    }
    given.or_else(|| basic_code(diagnostic))
}

/// The status an SMTP reply's text gives (`550 5.1.1 ...`, or `550 ...` as 5.0.0): for the
/// failures a delivery recorded itself.
pub fn reply_status(reply: &str) -> Option<Status> {
    status_of(None, reply)
}

/// `5.0.0` or `4.0.0` from a basic SMTP reply code at the start of `text` (`550 ...`).
fn basic_code(text: &str) -> Option<Status> {
    let code = text.trim_start().get(..3)?;
    let class = match code.as_bytes() {
        [b'5', b, c] if b.is_ascii_digit() && c.is_ascii_digit() => 5,
        [b'4', b, c] if b.is_ascii_digit() && c.is_ascii_digit() => 4,
        _ => return None,
    };
    Some(Status {
        class,
        subject: 0,
        detail: 0,
    })
}

/// The recipients of an RFC 3464 `message/delivery-status` body.
fn delivery_report(text: &str) -> Vec<Recipient> {
    let mut out = Vec::new();
    for group in field_groups(text) {
        let get = |name: &str| {
            group
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let original = get("original-recipient").and_then(typed_address);
        let Some(address) = get("final-recipient")
            .and_then(typed_address)
            .or_else(|| original.clone())
        else {
            continue;
        };
        let Some(action) = get("action").and_then(Action::parse) else {
            continue;
        };
        let diag = diagnostic(diagnostic_value(get("diagnostic-code").unwrap_or("")));
        let status = status_of(get("status"), &diag);
        out.push(Recipient {
            verdict: classify(action, status, &diag),
            address,
            original,
            action,
            status,
            diagnostic: diag,
        });
        if out.len() == MAX_RECIPIENTS {
            break;
        }
    }
    out
}

/// An ARF report (`message/feedback-report`).
fn complaint(text: &str) -> Report {
    let mut feedback_type = String::new();
    let mut recipients = Vec::new();
    for group in field_groups(text) {
        for (name, value) in group {
            match name.as_str() {
                "feedback-type" if feedback_type.is_empty() => {
                    feedback_type = value.to_ascii_lowercase().chars().take(40).collect()
                }
                "original-rcpt-to" | "removal-recipient" => {
                    if let Some(address) = bare_address(&value) {
                        if !recipients.contains(&address) && recipients.len() < MAX_RECIPIENTS {
                            recipients.push(address);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    Report::Complaint {
        feedback_type,
        recipients,
    }
}

/// Where a text bounce's own words end: the copy of the original message.
const COPY_MARKERS: &[&str] = &[
    "--- below this line is a copy of the message",
    "------ this is a copy of the message",
    "----- original message -----",
    "------ original message",
    "original message headers:",
    "----- unsent message follows -----",
    "------- returned mail follows",
];

/// The recipients of a bounce written as text by an MTA that sends no RFC 3464 report (or
/// whose report could not be read); `None` when the text is none of the known forms.
fn text_report(text: &str) -> Option<Vec<Recipient>> {
    let lower = text.to_lowercase();
    let end = COPY_MARKERS
        .iter()
        .filter_map(|m| lower.find(m))
        .min()
        .unwrap_or(lower.len());
    // `to_lowercase` can change byte lengths (rarely): fall back to the whole text.
    let (text, lower) = if lower.len() == text.len() {
        (&text[..end], &lower[..end])
    } else {
        (text, lower.as_str())
    };
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let lower_lines: Vec<&str> = lower.lines().map(|l| l.trim_end_matches('\r')).collect();
    if lower_lines.len() != lines.len() {
        return None;
    }
    let found = if lower.contains("created automatically by mail delivery software") {
        exim(&lines, lower)
    } else if lower.contains("this is the qmail-send program") {
        qmail(&lines)
    } else if lower.contains("this is the mail system at host")
        || lower.contains("this is the postfix program at host")
    {
        postfix(&lines, lower)
    } else if lower.contains("the following addresses had permanent fatal errors")
        || lower.contains("the following addresses had transient non-fatal errors")
    {
        sendmail(&lines, &lower_lines)
    } else if lower.contains("delivery has failed to these recipients or groups")
        || lower.contains("delivery is delayed to these recipients or groups")
        || lower.contains("the following recipient(s) cannot be reached")
    {
        exchange(&lines, &lower_lines, lower)
    } else {
        return None;
    };
    let mut out: Vec<Recipient> = Vec::new();
    for (address, action, diag) in found {
        if out.iter().any(|r| r.address == address) {
            continue;
        }
        let diag = diagnostic(&diag);
        let status = status_of(None, &diag);
        out.push(Recipient {
            verdict: classify(action, status, &diag),
            address,
            original: None,
            action,
            status,
            diagnostic: diag,
        });
        if out.len() == MAX_RECIPIENTS {
            break;
        }
    }
    Some(out)
}

type Found = Vec<(String, Action, String)>;

/// Exim: `The following address(es) failed:` then each address indented by two spaces, its
/// diagnostic indented further; a delay warning says `has not yet been delivered`.
fn exim(lines: &[&str], lower: &str) -> Found {
    let action = if lower.contains("has not yet been delivered") {
        Action::Delayed
    } else {
        Action::Failed
    };
    let mut out = Found::new();
    let mut current: Option<(String, String)> = None;
    let mut in_list = false;
    for line in lines {
        let trimmed = line.trim();
        let l = trimmed.to_lowercase();
        if !in_list {
            in_list = l.contains("address(es) failed")
                || l.contains("address(es) deferred")
                || l.contains("the following address(es)")
                || l.contains("not yet been delivered is:")
                || l.contains("not yet been delivered are:");
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if trimmed.is_empty() {
            continue;
        }
        if indent == 0 {
            break;
        }
        if indent <= 2 {
            if let Some(address) = bare_address(trimmed.split_whitespace().next().unwrap_or("")) {
                if let Some(done) = current.take() {
                    out.push((done.0, action, done.1));
                }
                current = Some((address, String::new()));
                continue;
            }
        }
        if let Some((_, diag)) = current.as_mut() {
            diag.push(' ');
            diag.push_str(trimmed);
        }
    }
    if let Some(done) = current {
        out.push((done.0, action, done.1));
    }
    out
}

/// qmail: `<address>:` alone on a line, then the diagnostic up to a blank line.
fn qmail(lines: &[&str]) -> Found {
    let mut out = Found::new();
    let mut current: Option<(String, String)> = None;
    for line in lines {
        let trimmed = line.trim();
        if trimmed.starts_with('<') && trimmed.ends_with(">:") {
            if let Some(done) = current.take() {
                out.push((done.0, Action::Failed, done.1));
            }
            current = bare_address(trimmed).map(|a| (a, String::new()));
            continue;
        }
        if trimmed.is_empty() {
            if let Some(done) = current.take() {
                out.push((done.0, Action::Failed, done.1));
            }
            continue;
        }
        if let Some((_, diag)) = current.as_mut() {
            diag.push(' ');
            diag.push_str(trimmed);
        }
    }
    if let Some(done) = current {
        out.push((done.0, Action::Failed, done.1));
    }
    out
}

/// Postfix's text: `<address>: diagnostic...` up to a blank line; a delay warning says `THIS
/// IS A WARNING ONLY`.
fn postfix(lines: &[&str], lower: &str) -> Found {
    let action = if lower.contains("this is a warning only") {
        Action::Delayed
    } else {
        Action::Failed
    };
    let mut out = Found::new();
    let mut current: Option<(String, String)> = None;
    for line in lines {
        let trimmed = line.trim();
        // A recipient starts a line; an indented `<address>:` continues a diagnostic.
        if let Some(rest) = line.strip_prefix('<') {
            if let Some((address, diag)) = rest.split_once(">:") {
                if let Some(address) = bare_address(address) {
                    if let Some(done) = current.take() {
                        out.push((done.0, action, done.1));
                    }
                    current = Some((address, diag.trim().to_string()));
                    continue;
                }
            }
        }
        if trimmed.is_empty() {
            if let Some(done) = current.take() {
                out.push((done.0, action, done.1));
            }
            continue;
        }
        if let Some((_, diag)) = current.as_mut() {
            diag.push(' ');
            diag.push_str(trimmed);
        }
    }
    if let Some(done) = current {
        out.push((done.0, action, done.1));
    }
    out
}

/// Sendmail: after `----- The following addresses had permanent fatal errors -----`, each
/// `<address>` with `(reason: ...)` below it; `transient non-fatal errors` is a delay.
fn sendmail(lines: &[&str], lower_lines: &[&str]) -> Found {
    let mut out = Found::new();
    let mut action = None;
    let mut current: Option<(String, String)> = None;
    for (line, l) in lines.iter().zip(lower_lines) {
        let trimmed = line.trim();
        if l.contains("permanent fatal errors") {
            action = Some(Action::Failed);
            continue;
        }
        if l.contains("transient non-fatal errors") {
            action = Some(Action::Delayed);
            continue;
        }
        let Some(act) = action else { continue };
        if trimmed.starts_with("-----") {
            if let Some(done) = current.take() {
                out.push((done.0, act, done.1));
            }
            action = None;
            continue;
        }
        if let Some(reason) = trimmed
            .strip_prefix("(reason:")
            .or_else(|| trimmed.strip_prefix("(Reason:"))
        {
            if let Some((_, diag)) = current.as_mut() {
                diag.push_str(reason.trim_end_matches(')').trim());
            }
            continue;
        }
        if let Some(address) = bare_address(trimmed) {
            if let Some(done) = current.take() {
                out.push((done.0, act, done.1));
            }
            current = Some((address, String::new()));
            continue;
        }
        if trimmed.is_empty() {
            if let Some(done) = current.take() {
                out.push((done.0, act, done.1));
            }
        }
    }
    if let (Some(done), Some(act)) = (current, action) {
        out.push((done.0, act, done.1));
    }
    out
}

/// The address in an Exchange recipient line: `user@example.org`, `Name (user@example.org)`,
/// `user@example.org<mailto:user@example.org>`, `user@example.org on 1/2/2024 10:00 AM`.
fn exchange_address(line: &str) -> Option<String> {
    let line = line.trim();
    if let Some(inner) = line
        .rsplit_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(inner, _)| inner)
    {
        if let Some(address) = bare_address(inner) {
            return Some(address);
        }
    }
    let first = line.split_whitespace().next()?;
    let first = first.split("<mailto:").next().unwrap_or(first);
    bare_address(first)
}

/// Exchange and Office 365: the recipients listed after `Delivery has failed to these
/// recipients or groups:` (or the older `The following recipient(s) cannot be reached:`),
/// each diagnostic being the `Remote Server returned '...'` line or the `<host #5.1.1 ...>`
/// line that names it.
fn exchange(lines: &[&str], lower_lines: &[&str], lower: &str) -> Found {
    let action = if lower.contains("delivery is delayed to these recipients") {
        Action::Delayed
    } else {
        Action::Failed
    };
    let mut out = Found::new();
    let mut in_list = false;
    for (line, l) in lines.iter().zip(lower_lines) {
        if l.contains("delivery has failed to these recipients")
            || l.contains("delivery is delayed to these recipients")
            || l.contains("the following recipient(s) cannot be reached")
        {
            in_list = true;
            continue;
        }
        if !in_list {
            continue;
        }
        if l.contains("diagnostic information for administrators") {
            break;
        }
        if let Some(address) = exchange_address(line) {
            if !out.iter().any(|(a, _, _)| *a == address) {
                out.push((address, action, String::new()));
            }
        }
    }
    // The diagnostics: a `Remote Server returned` or `#5.x.x` line after each address.
    let mut last: Option<usize> = None;
    for (line, l) in lines.iter().zip(lower_lines) {
        if let Some(address) = exchange_address(line) {
            last = out.iter().position(|(a, _, _)| *a == address);
            continue;
        }
        let names_status =
            l.contains("remote server returned") || l.contains("#5.") || l.contains("#4.");
        if names_status {
            let index = last.or(if out.len() == 1 { Some(0) } else { None });
            if let Some(index) = index {
                if out[index].2.is_empty() {
                    out[index].2 = line.trim().to_string();
                }
            }
        }
    }
    if out.iter().all(|(_, _, d)| d.is_empty()) && out.len() == 1 {
        // Office 365's friendly text alone: keep its explanation.
        if let Some(line) = lines.iter().find(|l| {
            let l = l.to_lowercase();
            l.contains("couldn't be found") || l.contains("does not exist")
        }) {
            out[0].2 = line.trim().to_string();
        }
    }
    out
}

#[cfg(test)]
mod tests;
