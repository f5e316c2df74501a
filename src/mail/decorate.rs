//! The list's `message_header` and `message_footer` texts around the body of a post, as Sympa adds them, before the copies are signed.
//!
//! - A single-part `text/plain` post (no `Content-Type` counts as one) in UTF-8, US-ASCII or
//!   ISO-8859-1, sent as 7bit, 8bit, quoted-printable or base64: the texts go into the body
//!   itself, in the body's charset and transfer encoding (a US-ASCII body that gets
//!   non-ASCII text is declared UTF-8, its superset; a 7bit one then 8bit). The header
//!   comes first, then a blank line, the body, a blank line and the footer.
//! - A `multipart/mixed` post: a `text/plain` part (UTF-8) before its first part and one
//!   after its last part; the other parts are not touched.
//! - Anything else (an HTML-only post, `multipart/alternative`, a signed or encrypted
//!   post, another charset, a non-text body): the post becomes the middle part of a new
//!   `multipart/mixed` message, between a `text/plain` header part and footer part; its own
//!   bytes are kept whole (so an S/MIME or PGP signature still verifies), only its
//!   `Content-*` fields move into the part. Mail programs show an HTML-only post with the
//!   texts as plain text above and below it.
//!
//! The copies are signed (DKIM, ARC) after this, so our own signature covers the texts.
//! An author's DKIM signature over the body no longer verifies once a text is added: as
//! with Sympa, a list that must keep authors' signatures leaves both texts empty.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::personalize::{Field, Original};

/// The parsed `Content-Type` of the whole message.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ContentType {
    /// `type/subtype`, lowercase.
    mime: String,
    /// The parameters in order, names lowercase, values unquoted.
    params: Vec<(String, String)>,
}

impl ContentType {
    fn parse(value: &str) -> ContentType {
        let mut pieces = split_params(value).into_iter();
        let mime = pieces
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let params = pieces
            .filter_map(|piece| {
                let (name, value) = piece.split_once('=')?;
                let value = value.trim();
                let value = value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .map_or_else(|| value.to_string(), |v| v.replace("\\\"", "\""));
                Some((name.trim().to_ascii_lowercase(), value))
            })
            .collect();
        ContentType { mime, params }
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The field's text with `charset` set to `charset`.
    fn with_charset(&self, charset: &str) -> String {
        let mut out = self.mime.clone();
        let mut set = false;
        for (name, value) in &self.params {
            let value = if name == "charset" {
                set = true;
                charset
            } else {
                value.as_str()
            };
            out.push_str(&format!("; {name}=\"{}\"", value.replace('"', "\\\"")));
        }
        if !set {
            out.push_str(&format!("; charset=\"{charset}\""));
        }
        out
    }
}

/// Splits a header value at the `;` outside quotes.
fn split_params(value: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in value.chars() {
        match c {
            _ if escaped => {
                escaped = false;
                current.push(c);
                continue;
            }
            '\\' if quoted => {
                escaped = true;
                current.push(c);
                continue;
            }
            '"' => quoted = !quoted,
            ';' if !quoted => {
                pieces.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    pieces.push(current);
    pieces
}

/// `text` with line ends made CRLF.
fn crlf_text(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// Adds `header` and `footer` (either may be empty) to `original`'s body, as the module
/// documentation says. Nothing changes when both are empty.
pub fn decorate(original: &mut Original, header: &str, footer: &str) {
    let (header, footer) = (header.trim_end(), footer.trim_end());
    if header.is_empty() && footer.is_empty() {
        return;
    }
    let content_type = original
        .field("Content-Type")
        .map(|f| ContentType::parse(&String::from_utf8_lossy(&f.value())))
        .unwrap_or_else(|| ContentType::parse("text/plain"));
    let encoding = original
        .field("Content-Transfer-Encoding")
        .map(|f| {
            String::from_utf8_lossy(&f.value())
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_else(|| "7bit".into());
    let done = match content_type.mime.as_str() {
        "text/plain" => inline(original, &content_type, &encoding, header, footer),
        "multipart/mixed" => content_type
            .param("boundary")
            .is_some_and(|boundary| add_parts(original, boundary, header, footer)),
        _ => false,
    };
    if !done {
        wrap(original, header, footer);
    }
    original.eight_bit = original.eight_bit
        || original.body.iter().any(|b| *b >= 0x80)
        || original
            .fields
            .iter()
            .any(|f| f.raw.iter().any(|b| *b >= 0x80));
}

/// The texts in the body of a single `text/plain` part; false when its charset or encoding
/// cannot take them.
fn inline(
    original: &mut Original,
    content_type: &ContentType,
    encoding: &str,
    header: &str,
    footer: &str,
) -> bool {
    let charset = content_type
        .param("charset")
        .unwrap_or("us-ascii")
        .to_ascii_lowercase();
    let texts_ascii = header.is_ascii() && footer.is_ascii();
    let to_bytes = |text: &str| -> Option<Vec<u8>> {
        match charset.as_str() {
            "utf-8" | "utf8" => Some(crlf_text(text).into_bytes()),
            "us-ascii" | "ascii" => Some(crlf_text(text).into_bytes()),
            "iso-8859-1" | "latin1" | "iso_8859-1" => crlf_text(text)
                .chars()
                .map(|c| u8::try_from(u32::from(c)).ok())
                .collect(),
            // ASCII text in another ASCII-compatible charset (not UTF-16 or UTF-32).
            other
                if texts_ascii && !other.starts_with("utf-16") && !other.starts_with("utf-32") =>
            {
                Some(crlf_text(text).into_bytes())
            }
            _ => None,
        }
    };
    let (Some(head), Some(foot)) = (to_bytes(header), to_bytes(footer)) else {
        return false;
    };
    let upgrade_charset = !texts_ascii && matches!(charset.as_str(), "us-ascii" | "ascii");
    let body = std::mem::take(&mut original.body);
    let new_body = match encoding {
        "7bit" | "8bit" => {
            if !texts_ascii && encoding == "7bit" {
                set_field(original, "Content-Transfer-Encoding", "8bit");
            }
            joined(&head, &body, &foot)
        }
        "quoted-printable" => {
            let mut out = Vec::new();
            if !head.is_empty() {
                out.extend_from_slice(&quoted_printable(&head));
                out.extend_from_slice(b"\r\n\r\n");
            }
            out.extend_from_slice(&body);
            if !foot.is_empty() {
                if !out.ends_with(b"\r\n") {
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"\r\n");
                out.extend_from_slice(&quoted_printable(&foot));
                out.extend_from_slice(b"\r\n");
            }
            out
        }
        "base64" => {
            let compact: Vec<u8> = body
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            let Ok(decoded) = STANDARD.decode(&compact) else {
                original.body = body;
                return false;
            };
            base64_lines(&joined(&head, &crlf_bytes(&decoded), &foot))
        }
        _ => {
            original.body = body;
            return false;
        }
    };
    original.body = new_body;
    if upgrade_charset {
        let value = ContentType {
            mime: "text/plain".into(),
            params: content_type.params.clone(),
        }
        .with_charset("utf-8");
        set_field(original, "Content-Type", &value);
        if original.field("MIME-Version").is_none() {
            set_field(original, "MIME-Version", "1.0");
        }
    }
    true
}

/// `header`, a blank line, `body`, a blank line, `footer`, each part only when present.
fn joined(header: &[u8], body: &[u8], footer: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(header.len() + body.len() + footer.len() + 8);
    if !header.is_empty() {
        out.extend_from_slice(header);
        out.extend_from_slice(b"\r\n\r\n");
    }
    out.extend_from_slice(body);
    if !footer.is_empty() {
        if !out.is_empty() && !out.ends_with(b"\r\n") {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(footer);
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn crlf_bytes(bytes: &[u8]) -> Vec<u8> {
    super::personalize::crlf(bytes)
}

/// Base64 in lines of 76 characters, CRLF after each.
fn base64_lines(bytes: &[u8]) -> Vec<u8> {
    let encoded = STANDARD.encode(bytes);
    let mut out = Vec::with_capacity(encoded.len() + encoded.len() / 38 + 2);
    for chunk in encoded.as_bytes().chunks(76) {
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Quoted-printable (RFC 2045 §6.7) of CRLF-separated lines: line ends kept as hard breaks,
/// lines cut at 76 characters with soft breaks.
fn quoted_printable(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() * 3 / 2);
    let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    for (i, line) in lines.iter().enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut width = 0;
        for (j, &b) in line.iter().enumerate() {
            let last = j + 1 == line.len();
            let plain = (b == b' ' || b == b'\t') && !last || (33..=126).contains(&b) && b != b'=';
            let piece: Vec<u8> = if plain {
                vec![b]
            } else {
                format!("={b:02X}").into_bytes()
            };
            if width + piece.len() > 75 {
                out.extend_from_slice(b"=\r\n");
                width = 0;
            }
            width += piece.len();
            out.extend_from_slice(&piece);
        }
        if i + 1 < lines.len() {
            out.extend_from_slice(b"\r\n");
        }
    }
    out
}

/// The header fields of a `text/plain` part in UTF-8 holding `text`, then the text.
fn text_part(text: &str) -> Vec<u8> {
    let encoding = if text.is_ascii() { "7bit" } else { "8bit" };
    format!(
        "Content-Type: text/plain; charset=\"utf-8\"\r\nContent-Disposition: inline\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n{}",
        crlf_text(text)
    )
    .into_bytes()
}

/// Finds `needle` in `haystack` from `from`.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The texts as parts of a `multipart/mixed` body; false when its boundaries are not found.
fn add_parts(original: &mut Original, boundary: &str, header: &str, footer: &str) -> bool {
    let delimiter = format!("--{boundary}");
    let body = &original.body;
    // The first delimiter: at the very start, or at the start of a line.
    let first = if body.starts_with(delimiter.as_bytes()) {
        Some(0)
    } else {
        find(body, format!("\r\n{delimiter}").as_bytes(), 0).map(|at| at + 2)
    };
    let close = format!("\r\n{delimiter}--");
    let last = body
        .windows(close.len())
        .rposition(|w| w == close.as_bytes());
    let (Some(first), Some(last)) = (first, last) else {
        return false;
    };
    if last < first {
        return false;
    }
    let mut out = Vec::with_capacity(body.len() + header.len() + footer.len() + 400);
    out.extend_from_slice(&body[..first]);
    if !header.is_empty() {
        out.extend_from_slice(delimiter.as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&text_part(header));
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(&body[first..last]);
    if !footer.is_empty() {
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(delimiter.as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&text_part(footer));
    }
    out.extend_from_slice(&body[last..]);
    original.body = out;
    true
}

/// A boundary found nowhere in `body`.
fn boundary_for(body: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in body {
        hash = (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut n = 0u32;
    loop {
        let boundary = format!("=_wwsympa_{hash:016x}_{n}");
        if find(body, boundary.as_bytes(), 0).is_none() {
            return boundary;
        }
        n += 1;
    }
}

/// The post as the middle part of a new `multipart/mixed` message between the texts.
fn wrap(original: &mut Original, header: &str, footer: &str) {
    let boundary = boundary_for(&original.body);
    let mut inner_head = Vec::new();
    let mut kept = Vec::with_capacity(original.fields.len() + 2);
    for field in std::mem::take(&mut original.fields) {
        if field.name.to_ascii_lowercase().starts_with("content-") {
            inner_head.extend_from_slice(&field.raw);
        } else {
            kept.push(field);
        }
    }
    original.fields = kept;
    if original.field("MIME-Version").is_none() {
        set_field(original, "MIME-Version", "1.0");
    }
    set_field(
        original,
        "Content-Type",
        &format!("multipart/mixed; boundary=\"{boundary}\""),
    );
    let delimiter = format!("--{boundary}");
    let mut out = Vec::with_capacity(original.body.len() + header.len() + footer.len() + 500);
    if !header.is_empty() {
        out.extend_from_slice(delimiter.as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&text_part(header));
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(delimiter.as_bytes());
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&inner_head);
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&original.body);
    if !footer.is_empty() {
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(delimiter.as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&text_part(footer));
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(delimiter.as_bytes());
    out.extend_from_slice(b"--\r\n");
    original.body = out;
}

/// Replaces the field `name` (all of them) by one with `value`, at the place of the first,
/// or at the end.
fn set_field(original: &mut Original, name: &str, value: &str) {
    let raw = format!("{name}: {value}\r\n").into_bytes();
    let field = Field {
        name: name.to_string(),
        raw,
    };
    match original.fields.iter().position(|f| f.is(name)) {
        Some(at) => {
            original.fields[at] = field;
            let mut i = at + 1;
            while i < original.fields.len() {
                if original.fields[i].is(name) {
                    original.fields.remove(i);
                } else {
                    i += 1;
                }
            }
        }
        None => original.fields.push(field),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decorated(raw: &str, header: &str, footer: &str) -> (Original, String) {
        let mut original = Original::parse(raw.as_bytes());
        decorate(&mut original, header, footer);
        let body = String::from_utf8_lossy(&original.body).into_owned();
        (original, body)
    }

    fn field(original: &Original, name: &str) -> String {
        original
            .field(name)
            .map(|f| String::from_utf8_lossy(&f.value()).into_owned())
            .unwrap_or_default()
    }

    #[test]
    fn plain_posts_get_the_texts_in_their_body() {
        let (original, body) = decorated(
            "From: a@x.org\nSubject: hi\n\nHello all\n",
            "-- header --",
            "-- footer --",
        );
        assert_eq!(
            body,
            "-- header --\r\n\r\nHello all\r\n\r\n-- footer --\r\n"
        );
        assert!(
            original.field("Content-Type").is_none(),
            "an ASCII body stays as it was declared"
        );
    }

    #[test]
    fn nothing_changes_without_texts() {
        let raw = "From: a@x.org\nContent-Type: text/html\n\n<p>x</p>\n";
        let (original, _) = decorated(raw, "", "  \n");
        assert_eq!(original, Original::parse(raw.as_bytes()));
    }

    #[test]
    fn a_us_ascii_body_becomes_utf8_for_a_non_ascii_footer() {
        let (original, body) = decorated(
            "From: a@x.org\nContent-Type: text/plain; charset=us-ascii; format=flowed\n\nHi\n",
            "",
            "Désinscription",
        );
        assert!(body.ends_with("\r\nDésinscription\r\n"));
        let ct = field(&original, "Content-Type");
        assert!(ct.contains("charset=\"utf-8\""), "{ct}");
        assert!(ct.contains("format=\"flowed\""), "{ct}");
        assert_eq!(field(&original, "Content-Transfer-Encoding"), "8bit");
        assert!(original.eight_bit);
    }

    #[test]
    fn a_latin1_body_gets_latin1_bytes() {
        let mut original = Original::parse(
            b"Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\nCaf\xe9\n",
        );
        decorate(&mut original, "", "Fin é");
        assert!(original.body.ends_with(b"\r\nFin \xe9\r\n"));
    }

    #[test]
    fn base64_and_quoted_printable_bodies_keep_their_encoding() {
        let raw = format!(
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n{}\n",
            STANDARD.encode("Body é\n")
        );
        let (original, body) = decorated(&raw, "Head", "Foot ü");
        let decoded = STANDARD
            .decode(body.replace("\r\n", ""))
            .map(String::from_utf8)
            .unwrap()
            .unwrap();
        assert_eq!(decoded, "Head\r\n\r\nBody é\r\n\r\nFoot ü\r\n");
        assert_eq!(field(&original, "Content-Transfer-Encoding"), "base64");

        let (_, body) = decorated(
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nCaf=C3=A9\n",
            "",
            "Fin = ü",
        );
        assert_eq!(body, "Caf=C3=A9\r\n\r\nFin =3D =C3=BC\r\n");
    }

    #[test]
    fn long_quoted_printable_lines_are_cut_softly() {
        let encoded = quoted_printable("é".repeat(40).as_bytes());
        let text = String::from_utf8(encoded).unwrap();
        assert!(text.lines().all(|l| l.len() <= 76), "{text}");
        assert!(text.contains("=\r\n"));
    }

    #[test]
    fn multipart_mixed_posts_get_parts_before_and_after() {
        let raw = "Content-Type: multipart/mixed; boundary=\"XX\"\n\npreamble\n--XX\nContent-Type: text/plain\n\nbody\n--XX\nContent-Type: application/pdf\n\nPDF\n--XX--\nepilogue\n";
        let (_, body) = decorated(raw, "HEAD", "FOOT");
        assert_eq!(
            body,
            "preamble\r\n--XX\r\nContent-Type: text/plain; charset=\"utf-8\"\r\nContent-Disposition: inline\r\nContent-Transfer-Encoding: 7bit\r\n\r\nHEAD\r\n--XX\r\nContent-Type: text/plain\r\n\r\nbody\r\n--XX\r\nContent-Type: application/pdf\r\n\r\nPDF\r\n--XX\r\nContent-Type: text/plain; charset=\"utf-8\"\r\nContent-Disposition: inline\r\nContent-Transfer-Encoding: 7bit\r\n\r\nFOOT\r\n--XX--\r\nepilogue\r\n"
        );
    }

    #[test]
    fn html_only_posts_are_wrapped_whole() {
        let raw = "From: a@x.org\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 7bit\n\n<p>Hi</p>\n";
        let (original, body) = decorated(raw, "", "FOOT");
        let ct = field(&original, "Content-Type");
        assert!(ct.starts_with("multipart/mixed; boundary=\""), "{ct}");
        assert!(original.field("Content-Transfer-Encoding").is_none());
        let boundary = ct.split('"').nth(1).unwrap();
        assert_eq!(
            body,
            format!("--{boundary}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n<p>Hi</p>\r\n\r\n--{boundary}\r\nContent-Type: text/plain; charset=\"utf-8\"\r\nContent-Disposition: inline\r\nContent-Transfer-Encoding: 7bit\r\n\r\nFOOT\r\n--{boundary}--\r\n")
        );
    }

    #[test]
    fn content_type_parameters_are_read_with_quotes() {
        let ct = ContentType::parse("Multipart/Mixed; boundary=\"a;b\\\"c\"; x=1");
        assert_eq!(ct.mime, "multipart/mixed");
        assert_eq!(ct.param("boundary"), Some("a;b\"c"));
        assert_eq!(ct.param("x"), Some("1"));
    }
}
