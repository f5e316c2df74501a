//! Reading a message's envelope and index text from its bytes, under size and depth caps and a panic guard.
//!
//! The index text: `body_new` holds the lines of every shown text part that do not start
//! with `>` (after optional spaces), the sender's signature included (so a search for a
//! name in a signature finds the message); `body_quoted` the quoted lines without their
//! marks; an HTML part shown for lack of a text part is turned into text (tags stripped,
//! entities decoded) first. Forwarded messages' text counts as the message's own. Each field
//! is cut at [`MAX_INDEX_FIELD_BYTES`].

use mail_parser::decoders::html::html_to_text;
use mail_parser::{HeaderValue, Message};

use super::ids;
use super::mime::{self, Node};
use crate::domain::IndexText;

/// The version of the text extractor: stored with each index entry; raise it when what
/// [`parse`] puts in [`IndexText`] changes, then run `wwsympa archive reindex`.
pub const EXTRACT_VERSION: u32 = 1;

/// The most bytes of one index field (a giant message does not make a giant entry).
pub const MAX_INDEX_FIELD_BYTES: usize = 64 * 1024;

/// The most Message-IDs kept in [`Parsed::references`] (the newest).
pub const MAX_REFERENCES: usize = 100;

/// The most characters of a subject kept.
pub const MAX_SUBJECT_CHARS: usize = 1_000;

/// The most characters of a sender's name or address kept.
pub const MAX_SENDER_CHARS: usize = 500;

/// What the archive keeps of a message besides its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// Its Message-ID without `<>`; synthesized from the bytes when missing or unusable.
    pub message_id: String,
    /// Whether `message_id` was synthesized.
    pub synthesized_id: bool,
    /// References then In-Reply-To, normalized, without duplicates or itself, oldest first,
    /// at most 100 (the newest kept); the last is the parent.
    pub references: Vec<String>,
    /// The sender's address (From, else Sender, else Return-Path), may be empty.
    pub from_addr: String,
    /// The sender's display name, decoded, may be empty.
    pub from_name: String,
    /// The subject, decoded (RFC 2047, any charset), on one line, at most 1,000 characters.
    pub subject: String,
    /// The Date header in seconds since the epoch, when present and parseable.
    pub date: Option<i64>,
    /// How many attachments (parts that are not shown inline as text or HTML).
    pub attachments: u32,
    /// What the search index holds.
    pub index: IndexText,
}

/// Reads what the archive keeps of `raw`. Never fails and never panics: what cannot be
/// parsed is left empty.
pub fn parse(raw: &[u8]) -> Parsed {
    mime::with_message(raw, |message, headers_only| {
        read(raw, message, headers_only)
    })
    .unwrap_or_else(|| empty(raw))
}

/// What a message's header says of its identity and date, read from its header alone
/// (cheap: for an import that must know a message's date or Message-ID before storing it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Head {
    /// Its Message-ID without `<>`, when present and usable.
    pub message_id: Option<String>,
    /// Its Date header in seconds since the epoch, when present and parseable.
    pub date: Option<i64>,
}

/// Reads [`Head`] from `raw`'s header. Never fails and never panics.
///
/// Only the `Date` and `Message-ID` fields (with their continuation lines) are handed to
/// the parser, so that an import does not pay for reading a header twice.
pub fn head(raw: &[u8]) -> Head {
    let header = &raw[..header_end(raw)];
    let mut wanted = Vec::with_capacity(256);
    let mut keep = false;
    for line in header.split_inclusive(|b| *b == b'\n') {
        if matches!(line.first(), Some(b' ' | b'\t')) {
            if keep {
                wanted.extend_from_slice(line);
            }
            continue;
        }
        let name = line.split(|b| *b == b':').next().unwrap_or(b"");
        keep = name.eq_ignore_ascii_case(b"date") || name.eq_ignore_ascii_case(b"message-id");
        if keep {
            wanted.extend_from_slice(line);
            if !line.ends_with(b"\n") {
                wanted.extend_from_slice(b"\r\n");
            }
        }
    }
    wanted.extend_from_slice(b"\r\n");
    mime::with_message(&wanted, |message, _| Head {
        message_id: mime::raw_header(message, "Message-ID")
            .as_deref()
            .and_then(ids::normalize),
        date: date_of(message),
    })
    .unwrap_or_default()
}

/// Where `raw`'s header ends (after its blank line), or its length.
fn header_end(raw: &[u8]) -> usize {
    let mut at = 0;
    while let Some(pos) = raw[at..].iter().position(|b| *b == b'\n') {
        let next = at + pos + 1;
        match raw.get(next) {
            Some(b'\n') => return next + 1,
            Some(b'\r') if raw.get(next + 1) == Some(&b'\n') => return next + 2,
            None => return raw.len(),
            _ => at = next,
        }
    }
    raw.len()
}

/// The top Date header, when valid.
fn date_of(message: &Message<'_>) -> Option<i64> {
    message
        .parts
        .first()
        .and_then(|p| {
            p.headers
                .iter()
                .find(|h| h.name().eq_ignore_ascii_case("Date"))
        })
        .and_then(|h| match &h.value {
            HeaderValue::DateTime(date) if date.is_valid() => Some(date.to_timestamp()),
            _ => None,
        })
}

/// What is kept of a message mail-parser could not read at all.
fn empty(raw: &[u8]) -> Parsed {
    Parsed {
        message_id: ids::synthesize(raw),
        synthesized_id: true,
        references: Vec::new(),
        from_addr: String::new(),
        from_name: String::new(),
        subject: String::new(),
        date: None,
        attachments: 0,
        index: IndexText::default(),
    }
}

fn read(raw: &[u8], message: &Message<'_>, headers_only: bool) -> Parsed {
    let (message_id, synthesized_id) = match mime::raw_header(message, "Message-ID")
        .as_deref()
        .and_then(ids::normalize)
    {
        Some(id) => (id, false),
        None => (ids::synthesize(raw), true),
    };
    let references = references(message, &message_id);
    let (from_addr, from_name) = sender(message);
    let subject = mime::text_header(message, "Subject")
        .map(|s| s.chars().take(MAX_SUBJECT_CHARS).collect::<String>())
        .unwrap_or_default();
    let date = date_of(message);
    let walked = mime::walk(message, headers_only, None);
    let mut index = IndexText {
        subject: cap(subject.clone()),
        sender: cap(match (from_name.is_empty(), from_addr.is_empty()) {
            (false, false) => format!("{from_name} {from_addr}"),
            (true, _) => from_addr.clone(),
            (false, true) => from_name.clone(),
        }),
        ..IndexText::default()
    };
    let mut attachments = 0u32;
    collect(&walked.nodes, &mut index, &mut attachments);
    for field in [
        &mut index.body_new,
        &mut index.body_quoted,
        &mut index.attachment_names,
    ] {
        if field.ends_with('\n') {
            field.pop();
        }
    }
    Parsed {
        message_id,
        synthesized_id,
        references,
        from_addr,
        from_name,
        subject,
        date,
        attachments,
        index,
    }
}

/// References, then In-Reply-To, as documented on [`Parsed::references`].
fn references(message: &Message<'_>, own: &str) -> Vec<String> {
    let mut list: Vec<String> = Vec::new();
    let refs = mime::raw_header(message, "References").unwrap_or_default();
    for id in ids::all_in(&refs) {
        if id != own && !list.contains(&id) {
            list.push(id);
        }
    }
    let reply_to = mime::raw_header(message, "In-Reply-To").unwrap_or_default();
    // In-Reply-To names the parent: it goes last, moved there if References had it.
    if let Some(parent) = ids::all_in(&reply_to).into_iter().find(|id| id != own) {
        list.retain(|id| *id != parent);
        list.push(parent);
    }
    if list.len() > MAX_REFERENCES {
        list.drain(..list.len() - MAX_REFERENCES);
    }
    list
}

/// The sender's address and name: From, else Sender, else Return-Path.
fn sender(message: &Message<'_>) -> (String, String) {
    let from = message
        .from()
        .or_else(|| message.sender())
        .and_then(|address| address.first());
    let (addr, name) = match from {
        Some(addr) => (
            addr.address.as_deref().unwrap_or("").trim().to_owned(),
            addr.name.as_deref().map(mime::unfold).unwrap_or_default(),
        ),
        None => (
            message.return_address().unwrap_or("").trim().to_owned(),
            String::new(),
        ),
    };
    let name = if name.contains('\u{FFFD}') {
        // Eight-bit bytes without a charset: read the raw header and keep its phrase.
        mime::raw_header(message, "From")
            .map(|raw| {
                raw.split('<')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_matches('"')
                    .to_owned()
            })
            .unwrap_or(name)
    } else {
        name
    };
    let clip = |text: String| -> String {
        text.chars()
            .filter(|c| !c.is_control())
            .take(MAX_SENDER_CHARS)
            .collect()
    };
    (clip(addr), clip(name))
}

/// Adds the text of `nodes` to `index`, counting attachments.
fn collect(nodes: &[Node], index: &mut IndexText, attachments: &mut u32) {
    for node in nodes {
        match node {
            Node::Text(text) => add_text(text, index),
            Node::Html(html) => add_text(&html_to_text(html), index),
            Node::Attachment { name, .. } => {
                *attachments += 1;
                push_line(&mut index.attachment_names, name);
            }
            Node::Message(_, inner) => collect(inner, index, attachments),
            Node::Note(_) => {}
        }
    }
}

/// Splits `text` into new and quoted lines.
fn add_text(text: &str, index: &mut IndexText) {
    for line in mime::lines(text) {
        let (depth, rest) = mime::split_quote(line);
        if depth == 0 {
            push_line(&mut index.body_new, line);
        } else {
            push_line(&mut index.body_quoted, rest);
        }
    }
}

/// Appends `line` and a line end to `field`, unless that would pass the cap.
fn push_line(field: &mut String, line: &str) {
    if field.len() + line.len() < MAX_INDEX_FIELD_BYTES {
        field.push_str(line);
        field.push('\n');
    } else if field.len() < MAX_INDEX_FIELD_BYTES {
        let room = MAX_INDEX_FIELD_BYTES - field.len();
        let mut end = room.min(line.len());
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        field.push_str(&line[..end]);
    }
}

/// `text` cut at [`MAX_INDEX_FIELD_BYTES`] on a character boundary.
fn cap(mut text: String) -> String {
    if text.len() > MAX_INDEX_FIELD_BYTES {
        let mut end = MAX_INDEX_FIELD_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(text: &str) -> Vec<u8> {
        text.replace('\n', "\r\n").into_bytes()
    }

    #[test]
    fn reads_the_envelope_of_a_plain_message() {
        let raw = msg("From: \"Ann Example\" <ann@example.org>\nTo: list@example.org\nSubject: Hello\n  world\nDate: Tue, 14 Nov 2023 22:13:20 +0000\nMessage-ID: <one@example.org>\n\nNew text.\n> quoted text\n>> deeper\n-- \nAnn\n");
        let parsed = parse(&raw);
        assert_eq!(parsed.message_id, "one@example.org");
        assert!(!parsed.synthesized_id);
        assert_eq!(parsed.from_addr, "ann@example.org");
        assert_eq!(parsed.from_name, "Ann Example");
        assert_eq!(parsed.subject, "Hello world");
        assert_eq!(parsed.date, Some(1_700_000_000));
        assert_eq!(parsed.attachments, 0);
        assert_eq!(parsed.index.subject, "Hello world");
        assert_eq!(parsed.index.sender, "Ann Example ann@example.org");
        assert_eq!(parsed.index.body_new, "New text.\n-- \nAnn");
        assert_eq!(parsed.index.body_quoted, "quoted text\ndeeper");
        assert_eq!(parsed.index.attachment_names, "");
    }

    #[test]
    fn references_put_the_parent_last_without_duplicates_or_self() {
        let raw = msg("From: a@b\nMessage-ID: <self@x>\nReferences: <c@x> <a@x>\n <self@x> <b@x> <a@x>\nIn-Reply-To: <a@x>\nSubject: re\n\nx\n");
        assert_eq!(parse(&raw).references, vec!["c@x", "b@x", "a@x"]);
        let many: String = (0..150).map(|i| format!(" <r{i}@x>")).collect();
        let raw = msg(&format!("From: a@b\nReferences:{many}\n\nx\n"));
        let refs = parse(&raw).references;
        assert_eq!(refs.len(), MAX_REFERENCES);
        assert_eq!(refs[0], "r50@x");
        assert_eq!(refs[99], "r149@x");
    }

    #[test]
    fn missing_or_broken_message_ids_are_synthesized_from_the_bytes() {
        let raw = msg("From: a@b\nSubject: none\n\nx\n");
        let parsed = parse(&raw);
        assert!(parsed.synthesized_id);
        assert_eq!(parsed.message_id, ids::synthesize(&raw));
        let raw = msg("From: a@b\nMessage-ID: <has space@x>\n\nx\n");
        assert!(parse(&raw).synthesized_id);
        // Duplicate Message-ID headers: the first counts.
        let raw = msg("From: a@b\nMessage-ID: <first@x>\nMessage-ID: <second@x>\n\nx\n");
        assert_eq!(parse(&raw).message_id, "first@x");
    }

    #[test]
    fn encoded_word_subjects_are_decoded_in_their_charsets() {
        for (header, expected) in [
            ("=?UTF-8?B?w6l0w6kgZW5zb2xlaWxsw6k=?=", "été ensoleillé"),
            ("=?ISO-8859-1?Q?caf=E9?= au lait", "café au lait"),
            ("=?KOI8-R?B?8NLJ18XU?=", "Привет"),
            ("=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=", "こんにちは"),
        ] {
            let raw = msg(&format!("From: a@b\nSubject: {header}\n\nx\n"));
            assert_eq!(parse(&raw).subject, expected, "{header}");
        }
    }

    #[test]
    fn eight_bit_without_charset_is_utf8_or_latin1() {
        let mut raw = b"From: Ren\xe9 <r@x>\r\nSubject: caf\xe9\r\n\r\nd\xe9j\xe0 vu\r\n".to_vec();
        let parsed = parse(&raw);
        assert_eq!(parsed.subject, "café");
        assert_eq!(parsed.from_name, "René");
        assert_eq!(parsed.index.body_new, "déjà vu");
        raw = "From: r@x\r\nSubject: café\r\n\r\ndéjà vu\r\n"
            .as_bytes()
            .to_vec();
        let parsed = parse(&raw);
        assert_eq!(parsed.subject, "café");
        assert_eq!(parsed.index.body_new, "déjà vu");
    }

    #[test]
    fn dates_from_1970_and_the_future_are_read_as_written() {
        let raw = msg("From: a@b\nDate: Thu, 01 Jan 1970 00:00:00 +0000\n\nx\n");
        assert_eq!(parse(&raw).date, Some(0));
        let raw = msg("From: a@b\nDate: Fri, 01 Jan 2100 00:00:00 +0000\n\nx\n");
        assert_eq!(parse(&raw).date, Some(4_102_444_800));
        let raw = msg("From: a@b\nDate: someday\n\nx\n");
        assert_eq!(parse(&raw).date, None);
    }

    #[test]
    fn alternative_parts_index_the_text_and_attachments_their_names() {
        let raw = msg("From: a@b\nMessage-ID: <m@x>\nContent-Type: multipart/mixed; boundary=\"out\"\n\n--out\nContent-Type: multipart/alternative; boundary=\"alt\"\n\n--alt\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nPlain caf=C3=A9\n--alt\nContent-Type: text/html\n\n<p>Html only words</p>\n--alt--\n--out\nContent-Type: application/ms-tnef\nContent-Disposition: attachment; filename=\"winmail.dat\"\nContent-Transfer-Encoding: base64\n\nAAECAw==\n--out\nContent-Type: image/png\nContent-Disposition: attachment; filename=\"../../etc/x.png\"\n\nPNG\n--out--\n");
        let parsed = parse(&raw);
        assert_eq!(parsed.index.body_new, "Plain café");
        assert_eq!(parsed.attachments, 2);
        assert_eq!(parsed.index.attachment_names, "winmail.dat\nx.png");
    }

    #[test]
    fn html_only_mail_is_indexed_as_text() {
        let raw = msg("From: a@b\nContent-Type: text/html; charset=utf-8\n\n<html><body><p>Hello &amp; <b>welcome</b></p><script>evil()</script></body></html>\n");
        let body = parse(&raw).index.body_new;
        assert!(body.contains("Hello & welcome"), "{body}");
        assert!(!body.contains('<'), "{body}");
    }

    #[test]
    fn forwarded_messages_and_deep_nesting_do_not_break_anything() {
        let raw = msg("From: a@b\nContent-Type: multipart/mixed; boundary=b0\n\n--b0\nContent-Type: text/plain\n\nSee below.\n--b0\nContent-Type: message/rfc822\n\nFrom: inner@x\nSubject: inner\nContent-Type: multipart/mixed; boundary=in\n\n--in\nContent-Type: text/plain\n\nInner text.\n--in\nContent-Type: application/pdf; name=doc.pdf\n\n%PDF\n--in--\n--b0--\n");
        let parsed = parse(&raw);
        assert_eq!(parsed.index.body_new, "See below.\nInner text.");
        assert_eq!(parsed.attachments, 1);
        assert_eq!(parsed.index.attachment_names, "doc.pdf");

        let depth = mime::MAX_DEPTH + 10;
        let mut text = String::from("From: a@b\n");
        for level in 0..depth {
            text.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=b{level}\n\n--b{level}\n"
            ));
        }
        text.push_str("Content-Type: text/plain\n\ndeep words\n");
        for level in (0..depth).rev() {
            text.push_str(&format!("--b{level}--\n"));
        }
        let parsed = parse(&msg(&text));
        assert!(!parsed.index.body_new.contains("deep words"));
    }

    #[test]
    fn malformed_mime_and_huge_headers_still_give_a_result() {
        let raw = msg("From: a@b\nSubject: broken\nContent-Type: multipart/mixed; boundary=nope\n\n--other\nContent-Type: text/plain\n\nsome text\n");
        let parsed = parse(&raw);
        assert_eq!(parsed.subject, "broken");
        let long = "x".repeat(2_000_000);
        let raw = msg(&format!(
            "From: a@b\nSubject: {long}\nX-Long: {long}\n\nbody\n"
        ));
        let parsed = parse(&raw);
        assert_eq!(parsed.subject.chars().count(), MAX_SUBJECT_CHARS);
        assert!(parsed.index.subject.len() <= MAX_INDEX_FIELD_BYTES);
        let parsed = parse(b"");
        assert!(parsed.synthesized_id);
        let parsed = parse(b"\xff\xfe\x00garbage");
        assert!(parsed.synthesized_id);
    }

    #[test]
    fn heads_read_the_header_alone() {
        let raw = msg("From: a@b\nMessage-ID: <h@x>\nDate: Tue, 14 Nov 2023 22:13:20 +0000\n\nDate: Mon, 1 Jan 2001 00:00:00 +0000\n");
        assert_eq!(
            head(&raw),
            Head {
                message_id: Some("h@x".to_owned()),
                date: Some(1_700_000_000)
            }
        );
        assert_eq!(head(b"no header at all"), Head::default());
        // Folded fields, other fields around them, the first of two.
        let raw = msg("Received: from x\n by y; Mon, 1 Jan 2001 00:00:00 +0000\nMESSAGE-ID:\n <folded@x>\nSubject: s\nDate: Tue, 14 Nov 2023\n 22:13:20 +0000\nMessage-ID: <second@x>\n\nbody\n");
        assert_eq!(
            head(&raw),
            Head {
                message_id: Some("folded@x".to_owned()),
                date: Some(1_700_000_000)
            }
        );
        // It agrees with the whole parse.
        let parsed = parse(&raw);
        assert_eq!(Some(parsed.message_id), head(&raw).message_id);
        assert_eq!(parsed.date, head(&raw).date);
        assert_eq!(head(b""), Head::default());
    }

    #[test]
    fn index_fields_are_capped() {
        let body = "word ".repeat(100_000);
        let raw = msg(&format!("From: a@b\n\n{body}\n> {body}\n"));
        let parsed = parse(&raw);
        assert!(parsed.index.body_new.len() <= MAX_INDEX_FIELD_BYTES);
        assert!(parsed.index.body_new.len() > MAX_INDEX_FIELD_BYTES - 10);
        assert!(parsed.index.body_quoted.len() <= MAX_INDEX_FIELD_BYTES);
    }
}
