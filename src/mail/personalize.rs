//! The copies of a list post: the original header and body bytes untouched but for the list's
//! headers (RFC 2369, 2919, 5064, 8058), an optional subject tag and DMARC From rewriting;
//! built once per delivery, with only the unsubscribe headers made per recipient.
//!
//! A copy is `[signatures][per-recipient headers][common header block][CRLF][body]`: the
//! common block and the body are the same bytes for every recipient of a delivery (so the
//! body hash and the ARC set are computed once), the per-recipient part is two lines.
//! Line ends are CRLF throughout: a bare LF in the stored message becomes CRLF, as the MTA
//! would make it. Incoming `List-*`, `X-Loop`, `Precedence`, `Archived-At` and `Return-Path`
//! are dropped (ours replace them); incoming `DKIM-Signature`s are kept (the author's
//! signature often survives: we change no signed byte unless a tag or From rewriting is on).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// One header field of the original: its name as written and its whole bytes (name, colon,
/// value, folded lines, the final CRLF).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The name, as written.
    pub name: String,
    /// The field's bytes, CRLF-terminated.
    pub raw: Vec<u8>,
}

impl Field {
    /// Returns true if and only if the field is named `name` (any case).
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// The value unfolded (CRLF before whitespace removed), trimmed, as bytes.
    pub fn value(&self) -> Vec<u8> {
        let after = &self.raw[self.name.len() + 1..];
        let mut out = Vec::with_capacity(after.len());
        for &b in after {
            if b != b'\r' && b != b'\n' {
                out.push(b);
            }
        }
        out.trim_ascii().to_vec()
    }
}

/// A stored message split into its header fields and its body, line ends made CRLF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Original {
    /// The header fields in order.
    pub fields: Vec<Field>,
    /// The body (after the blank line), CRLF line ends.
    pub body: Vec<u8>,
    /// Whether any byte of the message is 8-bit (`BODY=8BITMIME`).
    pub eight_bit: bool,
}

/// `bytes` with every bare LF (and a lone CR) made CRLF.
pub fn crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 50);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                out.extend_from_slice(b"\r\n");
                i += 2;
                continue;
            }
            b'\r' | b'\n' => out.extend_from_slice(b"\r\n"),
            b => out.push(b),
        }
        i += 1;
    }
    out
}

impl Original {
    /// Splits `raw`. The header ends at the first empty line; a line that is neither a
    /// field (`name:` with a printable name) nor a continuation (starting with a space or a
    /// tab) also ends it, and starts the body: a message with no separator keeps all its
    /// bytes, and its copies get the empty line a message needs.
    pub fn parse(raw: &[u8]) -> Original {
        let text = crlf(raw);
        let eight_bit = text.iter().any(|b| *b >= 0x80);
        let mut fields: Vec<Field> = Vec::new();
        let mut at = 0;
        let mut body_from = text.len();
        while at < text.len() {
            let end = text[at..]
                .windows(2)
                .position(|w| w == b"\r\n")
                .map(|p| at + p + 2)
                .unwrap_or(text.len());
            let line = &text[at..end];
            if line == b"\r\n" {
                body_from = end;
                break;
            }
            if line[0] == b' ' || line[0] == b'\t' {
                if let Some(last) = fields.last_mut() {
                    last.raw.extend_from_slice(line);
                    if !last.raw.ends_with(b"\r\n") {
                        last.raw.extend_from_slice(b"\r\n");
                    }
                    at = end;
                    continue;
                }
                body_from = at;
                break;
            }
            let name_end = line.iter().position(|b| *b == b':');
            let valid = name_end.is_some_and(|n| {
                n > 0
                    && line[..n]
                        .iter()
                        .all(|b| (33..=126).contains(b) && *b != b':')
            });
            if !valid {
                body_from = at;
                break;
            }
            let n = name_end.unwrap_or(0);
            let mut raw = line.to_vec();
            if !raw.ends_with(b"\r\n") {
                raw.extend_from_slice(b"\r\n");
            }
            fields.push(Field {
                name: String::from_utf8_lossy(&line[..n]).into_owned(),
                raw,
            });
            at = end;
        }
        Original {
            fields,
            body: text[body_from.min(text.len())..].to_vec(),
            eight_bit,
        }
    }

    /// The first field named `name`.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.is(name))
    }
}

/// Headers a list post never passes on from the original: ours replace them.
fn replaced(field: &Field) -> bool {
    let name = field.name.to_ascii_lowercase();
    name.starts_with("list-")
        || matches!(
            name.as_str(),
            "x-loop" | "precedence" | "archived-at" | "return-path"
        )
}

/// What the list says of itself in every copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListFacts {
    /// `team`.
    pub name: String,
    /// `lists.example.org`.
    pub domain: String,
    /// The web interface's base URL, `https://lists.example.org/sympa`.
    pub base_url: String,
    /// The `Archived-At` URL, when the post is in the archive.
    pub archived_at: Option<String>,
    /// The subject tag (`team` or `[team]`; empty for none).
    pub subject_tag: String,
}

impl ListFacts {
    /// `team@lists.example.org`.
    pub fn address(&self) -> String {
        format!("{}@{}", self.name, self.domain)
    }

    /// The `List-Unsubscribe` value of a bulk copy: the web form and the address.
    pub fn unsubscribe_form(&self) -> String {
        format!(
            "<{}/signoff/{}>,\r\n <mailto:{}-unsubscribe@{}>",
            self.base_url, self.name, self.name, self.domain
        )
    }
}

/// How the From is rewritten (DMARC mitigation), decided once per delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromRewrite {
    /// The author's display name (decoded), or their address when they gave none.
    pub author: String,
}

/// The part of every copy that is the same for each recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Common {
    /// The header block after the per-recipient headers (each field CRLF-terminated),
    /// without the empty line.
    pub header: Vec<u8>,
    /// The body.
    pub body: Vec<u8>,
    /// Whether the copy has 8-bit bytes.
    pub eight_bit: bool,
}

impl Common {
    /// A whole copy: `top` (signatures, per-recipient headers), the common header, the
    /// empty line and the body.
    pub fn copy(&self, top: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(top.len() + self.header.len() + 2 + self.body.len());
        out.extend_from_slice(top);
        out.extend_from_slice(&self.header);
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
        out
    }

    /// The header block and the empty line, with `top` first (what DKIM signs the headers of).
    pub fn head(&self, top: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(top.len() + self.header.len() + 2);
        out.extend_from_slice(top);
        out.extend_from_slice(&self.header);
        out.extend_from_slice(b"\r\n");
        out
    }
}

/// Builds the common part of a post's copies: the list's headers, then the original's
/// fields (less those ours replace), with the subject tag and the From rewriting applied.
pub fn common(original: &Original, list: &ListFacts, rewrite: Option<&FromRewrite>) -> Common {
    let mut header =
        Vec::with_capacity(1024 + original.fields.iter().map(|f| f.raw.len()).sum::<usize>());
    let base = &list.base_url;
    let (name, domain) = (&list.name, &list.domain);
    let mut add = |field: &str, value: &str| {
        header.extend_from_slice(field.as_bytes());
        header.extend_from_slice(b": ");
        header.extend_from_slice(value.as_bytes());
        header.extend_from_slice(b"\r\n");
    };
    add("List-Id", &format!("<{name}.{domain}>"));
    add("List-Help", &format!("<{base}/help>"));
    add(
        "List-Subscribe",
        &format!("<{base}/subscribe/{name}>,\r\n <mailto:{name}-subscribe@{domain}>"),
    );
    add("List-Post", &format!("<mailto:{name}@{domain}>"));
    add("List-Owner", &format!("<mailto:{name}-request@{domain}>"));
    add("List-Archive", &format!("<{base}/arc/{name}>"));
    if let Some(url) = &list.archived_at {
        add("Archived-At", &format!("<{url}>"));
    }
    add("Precedence", "list");
    add("X-Loop", &list.address());
    let has_reply_to = original.field("Reply-To").is_some();
    let has_cc = original.field("Cc").is_some();
    // The author's own From value, as written (leading space and CRLF included).
    let author = original
        .field("From")
        .map(|f| f.raw[f.name.len() + 1..].to_vec());
    let mut cc_done = false;
    for field in &original.fields {
        if replaced(field) {
            continue;
        }
        if field.is("Subject") && !list.subject_tag.is_empty() {
            let tag = tag_text(&list.subject_tag);
            if contains(&field.value(), tag.as_bytes()) {
                header.extend_from_slice(&field.raw);
            } else {
                header.extend_from_slice(
                    format!("{}: {} ", field.name, encode_text(&tag)).as_bytes(),
                );
                header.extend_from_slice(field.raw[field.name.len() + 1..].trim_ascii_start());
            }
            continue;
        }
        match (rewrite, author.as_deref()) {
            (Some(rewrite), Some(author)) if field.is("From") => {
                let display = encode_phrase(&format!("{} via {}", rewrite.author, list.name));
                header.extend_from_slice(
                    format!("From: {display} <{}>\r\n", list.address()).as_bytes(),
                );
                // Replies go to the author: in Reply-To, or in Cc when the author set a
                // Reply-To of their own (Mailman's rule).
                if !has_reply_to {
                    header.extend_from_slice(b"Reply-To:");
                    header.extend_from_slice(author);
                } else if !has_cc {
                    header.extend_from_slice(b"Cc:");
                    header.extend_from_slice(author);
                }
                continue;
            }
            (Some(_), Some(author)) if field.is("Cc") && has_reply_to && !cc_done => {
                cc_done = true;
                header.extend_from_slice(&field.raw[..field.raw.len() - 2]);
                header.extend_from_slice(b",\r\n ");
                header.extend_from_slice(author.trim_ascii());
                header.extend_from_slice(b"\r\n");
                continue;
            }
            _ => {}
        }
        header.extend_from_slice(&field.raw);
    }
    Common {
        header,
        body: original.body.clone(),
        eight_bit: original.eight_bit,
    }
}

/// `[tag]` from a configured tag given with or without its brackets.
fn tag_text(tag: &str) -> String {
    let tag = tag.trim();
    if tag.starts_with('[') && tag.ends_with(']') {
        tag.to_string()
    } else {
        format!("[{tag}]")
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Unstructured header text (a Subject's): as it is when it is ASCII, as RFC 2047 encoded
/// words when not.
pub fn encode_text(text: &str) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    if clean.is_ascii() {
        clean
    } else {
        encoded_words(&clean)
    }
}

/// A phrase for a header: as a quoted string when it is ASCII (quotes and backslashes
/// escaped), as RFC 2047 encoded words (UTF-8, base64, at most 75 characters each) when not.
pub fn encode_phrase(text: &str) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    if clean.is_ascii() {
        let escaped = clean.replace('\\', "\\\\").replace('"', "\\\"");
        return format!("\"{escaped}\"");
    }
    encoded_words(&clean)
}

/// `text` as RFC 2047 encoded words (UTF-8, base64, at most 75 characters each), folded.
fn encoded_words(clean: &str) -> String {
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in clean.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(format!("=?UTF-8?B?{}?=", STANDARD.encode(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(format!("=?UTF-8?B?{}?=", STANDARD.encode(chunk.as_bytes())));
    }
    words.join("\r\n ")
}

/// The RFC 8058 one-click unsubscribe URL of `email` on list `name` (`address`) made on
/// `day` (days since the epoch) under the site's `oneclick` secret: Sympa's
/// `/oneclick/LIST/DAY-MAC?email=…` form, which the web's one-click route checks.
pub fn oneclick_url(
    base_url: &str,
    name: &str,
    address: &str,
    email: &str,
    secret: &[u8],
    day: i64,
) -> String {
    let id = crate::auth::oneclick_id(secret, address, email, day);
    format!(
        "{base_url}/oneclick/{name}/{id}?email={}",
        url_encode(email)
    )
}

/// Percent-encodes `text` for a URL as Sympa does: all but `A-Za-z0-9-._~` (so `@` is `%40`).
pub fn url_encode(text: &str) -> String {
    const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(text, UNRESERVED).to_string()
}

/// The per-recipient headers of a personalized copy: `List-Unsubscribe` with the
/// recipient's one-click URL and the list's unsubscribe address, and
/// `List-Unsubscribe-Post` (RFC 8058).
pub fn unsubscribe_headers(oneclick_url: &str, list: &ListFacts) -> Vec<u8> {
    format!(
        "List-Unsubscribe: <{oneclick_url}>,\r\n <mailto:{}-unsubscribe@{}>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
        list.name, list.domain
    )
    .into_bytes()
}

/// The `List-Unsubscribe` header of a bulk copy (no one-click: the URL would have to name
/// each recipient).
pub fn bulk_unsubscribe_header(list: &ListFacts) -> Vec<u8> {
    format!("List-Unsubscribe: {}\r\n", list.unsubscribe_form()).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> ListFacts {
        ListFacts {
            name: "team".into(),
            domain: "lists.example.org".into(),
            base_url: "https://lists.example.org/sympa".into(),
            archived_at: Some("https://lists.example.org/sympa/msg/team/2024-03/abc".into()),
            subject_tag: String::new(),
        }
    }

    fn text(bytes: &[u8]) -> String {
        String::from_utf8_lossy(bytes).into_owned()
    }

    const POST: &[u8] = b"Received: from a\r\n\tby b\r\nFrom: Ann <ann@example.org>\r\nSubject: Hello\r\n  world\r\nList-Id: <old.example.net>\r\nX-Loop: old@example.net\r\nDKIM-Signature: v=1; d=example.org;\r\n b=abc\r\n\r\nBody \xe9\r\n.line\r\n";

    #[test]
    fn the_original_bytes_pass_untouched_with_the_list_headers_first() {
        let original = Original::parse(POST);
        assert_eq!(original.fields.len(), 6);
        assert_eq!(original.fields[3].value(), b"<old.example.net>");
        assert_eq!(original.field("subject").unwrap().value(), b"Hello  world");
        assert!(original.eight_bit);
        let common = common(&original, &facts(), None);
        let copy = text(&common.copy(&unsubscribe_headers("https://u/1", &facts())));
        assert!(copy.starts_with("List-Unsubscribe: <https://u/1>,\r\n <mailto:team-unsubscribe@lists.example.org>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\nList-Id: <team.lists.example.org>\r\n"), "{copy}");
        assert!(copy
            .contains("Archived-At: <https://lists.example.org/sympa/msg/team/2024-03/abc>\r\n"));
        assert!(copy.contains("Precedence: list\r\nX-Loop: team@lists.example.org\r\n"));
        // The incoming List-Id and X-Loop are gone; the author's fields are byte for byte.
        assert!(!copy.contains("old.example.net"), "{copy}");
        assert!(copy.contains("Received: from a\r\n\tby b\r\nFrom: Ann <ann@example.org>\r\nSubject: Hello\r\n  world\r\n"));
        // The author's signature and the 8-bit body, byte for byte.
        assert!(common.copy(b"").ends_with(
            b"DKIM-Signature: v=1; d=example.org;\r\n b=abc\r\n\r\nBody \xe9\r\n.line\r\n"
        ));
    }

    #[test]
    fn lf_input_becomes_crlf_and_a_message_without_separator_gets_one() {
        let lf = Original::parse(b"From: a@b.org\nSubject: x\n folded\n\nline 1\nline 2\n");
        assert_eq!(lf.fields[1].raw, b"Subject: x\r\n folded\r\n");
        assert_eq!(lf.body, b"line 1\r\nline 2\r\n");
        let no_separator = Original::parse(b"From: a@b.org\r\nSubject: x\r\n");
        assert_eq!(no_separator.fields.len(), 2);
        assert!(no_separator.body.is_empty());
        let copy = common(&no_separator, &facts(), None).copy(b"");
        assert!(copy.ends_with(b"Subject: x\r\n\r\n"), "{}", text(&copy));
        // A line that is no header field starts the body (nothing is lost).
        let junk = Original::parse(b"From: a@b.org\r\nthis is not a header\r\nmore\r\n");
        assert_eq!(junk.fields.len(), 1);
        assert_eq!(junk.body, b"this is not a header\r\nmore\r\n");
        let copy = common(&junk, &facts(), None).copy(b"");
        assert!(copy.ends_with(b"From: a@b.org\r\n\r\nthis is not a header\r\nmore\r\n"));
        // No header at all, no final newline.
        let bare = Original::parse(b"just text");
        assert!(bare.fields.is_empty());
        assert_eq!(bare.body, b"just text");
    }

    #[test]
    fn the_subject_tag_is_added_once() {
        let list = ListFacts {
            subject_tag: "team".into(),
            ..facts()
        };
        let copy = text(&common(&Original::parse(POST), &list, None).copy(b""));
        assert!(
            copy.contains("\r\nSubject: [team] Hello\r\n  world\r\n"),
            "{copy}"
        );
        let accented = ListFacts {
            subject_tag: "\u{e9}quipe".into(),
            ..facts()
        };
        let copy = text(&common(&Original::parse(POST), &accented, None).copy(b""));
        assert!(
            copy.contains("\r\nSubject: =?UTF-8?B?W8OpcXVpcGVd?= Hello\r\n"),
            "{copy}"
        );
        let reply = Original::parse(b"Subject: Re: [team] Hello\r\n\r\nx");
        let copy = text(&common(&reply, &list, None).copy(b""));
        assert!(copy.contains("\r\nSubject: Re: [team] Hello\r\n"), "{copy}");
    }

    #[test]
    fn from_rewriting_moves_the_author_to_reply_to_or_cc() {
        let rewrite = FromRewrite {
            author: "Ann".into(),
        };
        let copy = text(&common(&Original::parse(POST), &facts(), Some(&rewrite)).copy(b""));
        assert!(copy.contains("\r\nFrom: \"Ann via team\" <team@lists.example.org>\r\nReply-To: Ann <ann@example.org>\r\n"), "{copy}");
        let with_reply_to = Original::parse(
            b"From: =?UTF-8?B?w4VzYQ==?= <asa@example.org>\r\nReply-To: other@example.org\r\nCc: c@example.org\r\n\r\nx",
        );
        let rewrite = FromRewrite {
            author: "\u{c5}sa".into(),
        };
        let copy = text(&common(&with_reply_to, &facts(), Some(&rewrite)).copy(b""));
        assert!(
            copy.contains(
                "\r\nFrom: =?UTF-8?B?w4VzYSB2aWEgdGVhbQ==?= <team@lists.example.org>\r\n"
            ),
            "{copy}"
        );
        assert!(
            copy.contains("\r\nCc: c@example.org,\r\n =?UTF-8?B?w4VzYQ==?= <asa@example.org>\r\n"),
            "{copy}"
        );
        assert_eq!(copy.matches("\r\nCc:").count(), 1, "{copy}");
        assert!(copy.contains("Reply-To: other@example.org\r\n"));
    }

    #[test]
    fn phrases_are_quoted_or_encoded() {
        assert_eq!(encode_phrase("Ann \"A\" via x"), "\"Ann \\\"A\\\" via x\"");
        assert_eq!(
            encode_phrase("\u{c5}sa via team"),
            "=?UTF-8?B?w4VzYSB2aWEgdGVhbQ==?="
        );
        let long = encode_phrase(&"\u{e9}".repeat(60));
        assert!(long.split("\r\n ").all(|w| w.len() <= 75), "{long}");
    }
}
