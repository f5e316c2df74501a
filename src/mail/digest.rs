//! Digests composed for one member: the MIME digest (RFC 2046 `multipart/digest`: a plain-text table of contents from `templates/mail/digest.txt`, then each archived message as `message/rfc822` with its original bytes, so every message keeps its own sender and signature), the plain-text digest (`templates/mail/digestplain.txt`: each message's text, attachments named and left in the archive) and the summary (`templates/mail/summary.txt`: subjects, senders, dates and archive links).
//!
//! A digest is never DMARC-rewritten: its own `From` is the list's `-request` address, and
//! the messages inside are carried unchanged.

use base64::Engine;
use serde_json::{json, Value};

use super::{Composer, Error, ListContext};
use crate::domain::calendar::rfc5322_date;
use crate::domain::{Email, List};
use crate::store::NewMail;

/// One message of a digest: its table-of-contents entry and its original bytes.
pub struct Entry<'a> {
    /// What the table of contents says of it (`subject`, `from`, `date`, `url`, ...).
    pub toc: Value,
    /// Its bytes as archived.
    pub raw: &'a [u8],
}

/// Which digest of a run this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Issue {
    /// The list's digest number.
    pub number: i64,
    /// This part, from 1, when one period's messages make several digests.
    pub part: u32,
    /// How many parts the period makes.
    pub parts: u32,
}

/// `raw` with every line ending CRLF.
fn crlf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 40);
    let mut previous = 0u8;
    for &b in raw {
        if b == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        previous = b;
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// A header value as RFC 2047 UTF-8 base64 words when it is not plain ASCII.
fn encode_header(text: &str) -> String {
    let text: String = text.chars().filter(|c| !c.is_control()).collect();
    if text.is_ascii() {
        return text;
    }
    // Words of at most 45 bytes of text (60 of base64), cut at character boundaries.
    let mut words = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + 45).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        words.push(format!(
            "=?utf-8?b?{}?=",
            base64::engine::general_purpose::STANDARD.encode(&text[start..end])
        ));
        start = end;
    }
    words.join("\r\n ")
}

/// A boundary that none of `parts` contains.
fn boundary(parts: &[&[u8]]) -> Result<String, Error> {
    loop {
        let candidate = format!(
            "=_digest_{}",
            crate::auth::random_token().map_err(|e| Error::Build(e.to_string()))?
        );
        let needle = candidate.as_bytes();
        if !parts
            .iter()
            .any(|p| p.windows(needle.len()).any(|w| w == needle))
        {
            return Ok(candidate);
        }
    }
}

/// The headers of a digest or summary to `to`: from the list's `-request` address, with
/// the list's headers and `to`'s one-click unsubscribe.
fn head(
    composer: &Composer<'_>,
    to: &Email,
    list: &List,
    subject: &str,
    oneclick_url: &str,
    now: i64,
) -> Result<String, Error> {
    let base_url = composer.config.base_url();
    let name = &list.name;
    let message_id = format!(
        "<digest.{}@{}>",
        crate::auth::random_token().map_err(|e| Error::Build(e.to_string()))?,
        composer.config.domain
    );
    let mut head = String::new();
    let mut add = |name: &str, value: &str| {
        head.push_str(name);
        head.push_str(": ");
        head.push_str(value);
        head.push_str("\r\n");
    };
    add(
        "From",
        &format!(
            "{} <{}-request@{}>",
            encode_header(list.name.as_str()),
            name,
            list.domain
        ),
    );
    add("To", to.as_str());
    add("Subject", &encode_header(subject));
    add("Date", &rfc5322_date(now));
    add("Message-ID", &message_id);
    add("MIME-Version", "1.0");
    add("Precedence", "list");
    add("List-Id", &list.list_id_header());
    add("List-Help", &format!("<{base_url}/help>"));
    add("List-Archive", &format!("<{base_url}/arc/{name}>"));
    add("List-Post", &format!("<mailto:{}>", list.address()));
    add(
        "List-Owner",
        &format!("<mailto:{name}-request@{}>", list.domain),
    );
    add("List-Unsubscribe", &format!("<{oneclick_url}>"));
    add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
    Ok(head)
}

/// Renders `mail/<kind>.txt` with the list's and the digest's values, in the recipient's
/// language ([`Composer::language_of`]): its `Subject:` line and its body.
fn render(
    composer: &Composer<'_>,
    kind: &str,
    to: &Email,
    list: &List,
    vars: Value,
) -> Result<(String, String), Error> {
    let context = ListContext {
        list,
        oneclick_url: None,
    };
    let text = composer.render_text(kind, to, Some(&context), vars)?;
    let (head, body) = text.split_once("\n\n").unwrap_or(("", text.as_str()));
    let subject = head
        .lines()
        .find_map(|line| line.strip_prefix("Subject:"))
        .map(str::trim)
        .unwrap_or(kind)
        .to_string();
    Ok((subject, body.replace("\r\n", "\n").replace('\n', "\r\n")))
}

/// The variables the templates get for one digest.
fn vars(issue: Issue, entries: &[Value]) -> Value {
    json!({
        "issue": issue.number,
        "part": issue.part,
        "parts": issue.parts,
        "messages": entries,
    })
}

/// The MIME digest of `entries` for `to`.
pub fn mime(
    composer: &Composer<'_>,
    to: &Email,
    list: &List,
    issue: Issue,
    entries: &[Entry<'_>],
    oneclick_url: &str,
    now: i64,
) -> Result<NewMail, Error> {
    let tocs: Vec<Value> = entries.iter().map(|e| e.toc.clone()).collect();
    let (subject, toc) = render(composer, "digest", to, list, vars(issue, &tocs))?;
    let raws: Vec<Vec<u8>> = entries.iter().map(|e| crlf(e.raw)).collect();
    let mut parts: Vec<&[u8]> = raws.iter().map(Vec::as_slice).collect();
    parts.push(toc.as_bytes());
    let outer = boundary(&parts)?;
    let inner = format!("{outer}_m");
    let eight_bit = parts.iter().any(|p| p.iter().any(|b| *b >= 0x80));
    let encoding = if eight_bit { "8bit" } else { "7bit" };

    let mut message = head(composer, to, list, &subject, oneclick_url, now)?.into_bytes();
    message.extend_from_slice(
        format!(
            "Content-Type: multipart/mixed; boundary=\"{outer}\"\r\n\
             Content-Transfer-Encoding: {encoding}\r\n\r\n\
             This is a digest of the list {address} in MIME format.\r\n\
             --{outer}\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\
             Content-Transfer-Encoding: 8bit\r\n\
             Content-Disposition: inline\r\n\r\n",
            address = list.address()
        )
        .as_bytes(),
    );
    message.extend_from_slice(toc.as_bytes());
    if !toc.ends_with("\r\n") {
        message.extend_from_slice(b"\r\n");
    }
    message.extend_from_slice(
        format!(
            "--{outer}\r\n\
             Content-Type: multipart/digest; boundary=\"{inner}\"\r\n\
             Content-Transfer-Encoding: {encoding}\r\n\r\n"
        )
        .as_bytes(),
    );
    for raw in &raws {
        message.extend_from_slice(
            format!("--{inner}\r\nContent-Type: message/rfc822\r\n\r\n").as_bytes(),
        );
        message.extend_from_slice(raw);
        // The line end before a boundary belongs to the boundary (RFC 2046 §5.1.1): one
        // more keeps the message's own last line end.
        message.extend_from_slice(b"\r\n");
    }
    message.extend_from_slice(format!("--{inner}--\r\n\r\n--{outer}--\r\n").as_bytes());
    Ok(NewMail {
        kind: "digest".into(),
        list: Some(list.id),
        envelope_from: format!("{}-owner@{}", list.name, list.domain),
        recipients: vec![to.as_str().to_string()],
        message,
    })
}

/// The plain-text digest of `entries` for `to` (Sympa's `digestplain` mode): one
/// `text/plain` mail (`templates/mail/digestplain.txt`) with each message's sender, date,
/// subject, archive link and text, its attachments named and left in the archive. Each entry
/// is a table-of-contents entry with `blocks`, the message's [`crate::archive`] plain blocks
/// (`text`, `html`, `attachment`, `forwarded`, `end_forwarded`, `unreadable`).
pub fn plain(
    composer: &Composer<'_>,
    to: &Email,
    list: &List,
    issue: Issue,
    entries: &[Value],
    oneclick_url: &str,
) -> Result<NewMail, Error> {
    let mut vars = vars(issue, entries);
    vars["oneclick_url"] = json!(oneclick_url);
    let mut mail = composer.compose(
        "digestplain",
        to,
        Some(&ListContext {
            list,
            oneclick_url: Some(oneclick_url.to_string()),
        }),
        vars,
    )?;
    mail.kind = "digest".into();
    Ok(mail)
}

/// The summary of `entries` for `to` (Sympa's `summary` mode): a plain-text mail of
/// subjects, senders, dates and archive links.
pub fn summary(
    composer: &Composer<'_>,
    to: &Email,
    list: &List,
    issue: Issue,
    entries: &[Value],
    oneclick_url: &str,
) -> Result<NewMail, Error> {
    let mut vars = vars(issue, entries);
    vars["oneclick_url"] = json!(oneclick_url);
    let mut mail = composer.compose(
        "summary",
        to,
        Some(&ListContext {
            list,
            oneclick_url: Some(oneclick_url.to_string()),
        }),
        vars,
    )?;
    mail.kind = "summary".into();
    Ok(mail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_become_crlf_once() {
        assert_eq!(crlf(b"a\nb\r\nc"), b"a\r\nb\r\nc\r\n");
        assert_eq!(crlf(b"a\r\n"), b"a\r\n");
        assert_eq!(crlf(b""), b"\r\n");
    }

    #[test]
    fn headers_are_encoded_only_when_needed() {
        assert_eq!(encode_header("team digest"), "team digest");
        assert_eq!(encode_header("a\r\nBcc: x"), "aBcc: x");
        let encoded = encode_header("équipe");
        assert_eq!(encoded, "=?utf-8?b?w6lxdWlwZQ==?=");
        let long = encode_header(&"é".repeat(60));
        assert!(long.split("\r\n ").all(|w| w.len() <= 75), "{long}");
    }

    #[test]
    fn the_boundary_is_in_no_part() {
        let b = boundary(&[b"x"]).unwrap();
        assert!(b.starts_with("=_digest_"));
        let part = format!("--{b}");
        let other = boundary(&[part.as_bytes()]).unwrap();
        assert_ne!(other, b);
    }
}
