//! The one walk over a message's MIME tree that `parse`, `display` and `attachment` share: the size and depth caps, the panic guard around mail-parser, charset repair, the choice of the shown body and the numbering of attachments.
//!
//! What is shown and what is an attachment, in document order:
//! - `multipart/alternative`: only the first `text/plain` alternative (or the first
//!   multipart alternative holding one) is walked; without one, the last alternative (usually
//!   the HTML). The alternatives not chosen are neither shown nor numbered.
//! - Any other multipart: every child in order.
//! - `text/plain` (and other `text/*` parts that carry no file name) not marked
//!   `Content-Disposition: attachment`: shown as text. `text/html` not so marked: shown as
//!   sanitized HTML. Everything else (images, `application/*`, `winmail.dat`, named text
//!   files): an attachment, numbered from 0.
//! - `message/rfc822`: shown as a message in turn; its own attachments are numbered in the
//!   same sequence (so they can be downloaded), the forwarded message itself is not an
//!   attachment.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::display::Note;
use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::{
    Encoding, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType,
};

/// Messages larger than this many bytes are read for their headers only.
pub const MAX_MESSAGE_BYTES: usize = 64 << 20;

/// How deep multiparts and forwarded messages are descended; deeper parts become a note.
pub const MAX_DEPTH: usize = 20;

/// How many MIME parts of one message are looked at; the rest become a note.
pub const MAX_PARTS: usize = 2_000;

/// The longest attachment file name kept, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// A message's main headers, decoded.
#[derive(Debug, Clone, Default)]
pub(crate) struct Headers {
    /// The headers a page shows, in order, only those present.
    pub shown: Vec<(String, String)>,
}

/// A node of a walked message.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// Text, decoded.
    Text(String),
    /// HTML, as sent (never shown before sanitizing).
    Html(String),
    /// An attachment.
    Attachment {
        /// Its number.
        index: usize,
        /// Its file name, cleaned.
        name: String,
        /// Its content type, lower case.
        content_type: String,
        /// Its decoded size.
        size: usize,
        /// Its decoded bytes, when it is the one asked for.
        bytes: Option<Vec<u8>>,
    },
    /// A forwarded message.
    Message(Headers, Vec<Node>),
    /// Something not shown, and why.
    Note(Note),
}

/// What the walk produced of a whole message.
pub(crate) struct Walked {
    /// The headers.
    pub headers: Headers,
    /// The body.
    pub nodes: Vec<Node>,
}

/// Runs `f` on mail-parser's reading of `raw` (headers only beyond [`MAX_MESSAGE_BYTES`]),
/// under a panic guard; `None` when there is nothing parseable or mail-parser panicked.
pub(crate) fn with_message<T>(raw: &[u8], f: impl Fn(&Message<'_>, bool) -> T) -> Option<T> {
    let headers_only = raw.len() > MAX_MESSAGE_BYTES;
    let parsed = catch_unwind(AssertUnwindSafe(|| {
        let parser = MessageParser::default();
        let message = if headers_only {
            parser.parse_headers(raw)
        } else {
            parser.parse(raw)
        }?;
        Some(f(&message, headers_only))
    }));
    match parsed {
        Ok(result) => result,
        Err(_) if !headers_only => {
            // A panic on the whole message: try its headers alone.
            catch_unwind(AssertUnwindSafe(|| {
                let message = MessageParser::default().parse_headers(raw)?;
                Some(f(&message, true))
            }))
            .ok()
            .flatten()
        }
        Err(_) => None,
    }
}

/// Walks `message` (whose bodies are skipped when `headers_only`), keeping the bytes of
/// attachment `want`.
pub(crate) fn walk(message: &Message<'_>, headers_only: bool, want: Option<usize>) -> Walked {
    let mut state = State {
        counter: 0,
        parts: 0,
        want,
    };
    let mut nodes = Vec::new();
    if headers_only {
        nodes.push(Node::Note(Note::TooLarge));
    } else {
        state.part(message, message.raw_message(), 0, 0, &mut nodes);
    }
    Walked {
        headers: headers(message),
        nodes,
    }
}

/// The walk's running counts.
struct State {
    counter: usize,
    parts: usize,
    want: Option<usize>,
}

impl State {
    fn part(
        &mut self,
        message: &Message<'_>,
        base: &[u8],
        id: u32,
        depth: usize,
        out: &mut Vec<Node>,
    ) {
        let Some(part) = message.parts.get(id as usize) else {
            return;
        };
        if depth > MAX_DEPTH {
            out.push(Node::Note(Note::NestedTooDeep));
            return;
        }
        self.parts += 1;
        if self.parts > MAX_PARTS {
            if self.parts == MAX_PARTS + 1 {
                out.push(Node::Note(Note::TooManyParts));
            }
            return;
        }
        let content_type = content_type(part);
        match &part.body {
            PartType::Multipart(children) => {
                if content_type == "multipart/alternative" {
                    if let Some(chosen) = choose_alternative(message, children) {
                        self.part(message, base, chosen, depth + 1, out);
                    }
                } else {
                    for child in children {
                        self.part(message, base, *child, depth + 1, out);
                    }
                }
            }
            PartType::Message(inner) => {
                if depth + 1 > MAX_DEPTH {
                    out.push(Node::Note(Note::NestedTooDeep));
                    return;
                }
                let mut nodes = Vec::new();
                if !inner.parts.is_empty() {
                    self.part(inner, base_of(inner, base), 0, depth + 1, &mut nodes);
                }
                out.push(Node::Message(headers(inner), nodes));
            }
            PartType::Text(text) if shown_as_text(part, &content_type) => {
                out.push(Node::Text(repair_text(base, part, text)));
            }
            PartType::Html(html) if !is_attachment_disposition(part) => {
                out.push(Node::Html(repair_text(base, part, html)));
            }
            body => {
                let index = self.counter;
                self.counter += 1;
                // A text file is offered as sent (its charset kept), so its size is that of
                // its bytes with the transfer encoding undone.
                let text_bytes = match body {
                    PartType::Text(text) | PartType::Html(text) => Some(
                        transfer_decoded(base, part).unwrap_or_else(|| text.as_bytes().to_vec()),
                    ),
                    _ => None,
                };
                let size = text_bytes.as_ref().map_or_else(|| part.len(), Vec::len);
                let bytes = (self.want == Some(index)).then(|| match (text_bytes, body) {
                    (Some(bytes), _) => bytes,
                    (None, PartType::Binary(bytes) | PartType::InlineBinary(bytes)) => {
                        bytes.to_vec()
                    }
                    (None, _) => Vec::new(),
                });
                out.push(Node::Attachment {
                    index,
                    name: file_name(part.attachment_name(), index, &content_type),
                    content_type,
                    size,
                    bytes,
                });
            }
        }
    }
}

/// The alternative of a `multipart/alternative` to show (see the module's documentation).
fn choose_alternative(message: &Message<'_>, children: &[u32]) -> Option<u32> {
    let part_of = |id: &u32| message.parts.get(*id as usize);
    children
        .iter()
        .find(|id| {
            part_of(id).is_some_and(|p| {
                matches!(p.body, PartType::Text(_))
                    && content_type(p) == "text/plain"
                    && !is_attachment_disposition(p)
            })
        })
        .or_else(|| {
            children.iter().find(|id| {
                part_of(id).is_some_and(|p| match &p.body {
                    PartType::Multipart(grand) => grand.iter().any(|g| {
                        part_of(g).is_some_and(|gp| {
                            matches!(gp.body, PartType::Text(_)) && content_type(gp) == "text/plain"
                        })
                    }),
                    _ => false,
                })
            })
        })
        .or_else(|| children.last())
        .copied()
}

/// The bytes a nested message's part offsets count in: mail-parser reads a forwarded
/// message written as is in the same stream as the outer one (offsets in the outer bytes,
/// `base`), and one with a transfer encoding from its decoded bytes (offsets in those).
fn base_of<'b>(inner: &'b Message<'_>, base: &'b [u8]) -> &'b [u8] {
    let own = inner.raw_message();
    let range = base.as_ptr_range();
    if range.contains(&own.as_ptr()) {
        base
    } else {
        own
    }
}

/// Whether a `text/*` part is shown as text rather than offered as an attachment.
fn shown_as_text(part: &MessagePart<'_>, content_type: &str) -> bool {
    !is_attachment_disposition(part)
        && (content_type == "text/plain" || part.attachment_name().is_none())
}

/// Whether the part says `Content-Disposition: attachment`.
fn is_attachment_disposition(part: &MessagePart<'_>) -> bool {
    part.content_disposition()
        .is_some_and(|cd| cd.c_type.eq_ignore_ascii_case("attachment"))
}

/// The part's content type, lower case, from its header or else from what it holds.
pub(crate) fn content_type(part: &MessagePart<'_>) -> String {
    match part.content_type() {
        Some(ct) => {
            let mut text = ct.c_type.to_ascii_lowercase();
            text.push('/');
            match &ct.c_subtype {
                Some(sub) => text.push_str(&sub.to_ascii_lowercase()),
                None => text.push_str(if text == "text/" {
                    "plain"
                } else {
                    "octet-stream"
                }),
            }
            text.retain(|c| !c.is_control() && !c.is_whitespace());
            text
        }
        None => match part.body {
            PartType::Text(_) => "text/plain",
            PartType::Html(_) => "text/html",
            PartType::Message(_) => "message/rfc822",
            PartType::Multipart(_) => "multipart/mixed",
            _ => "application/octet-stream",
        }
        .to_owned(),
    }
}

/// A text part's text, decoded again from its bytes when mail-parser had no charset to go
/// by and the bytes were not UTF-8: then they are read as Windows-1252.
fn repair_text(base: &[u8], part: &MessagePart<'_>, text: &str) -> String {
    let known_charset = part
        .content_type()
        .and_then(|ct| ct.attribute("charset"))
        .is_some_and(|cs| charset_decoder(cs.as_bytes()).is_some());
    if known_charset || !text.contains('\u{FFFD}') {
        return text.to_owned();
    }
    match transfer_decoded(base, part) {
        Some(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => windows_1252(error.as_bytes()),
        },
        None => text.to_owned(),
    }
}

/// The part's body with its transfer encoding undone, from `base`, the bytes its offsets
/// count in (see [`base_of`]).
fn transfer_decoded(base: &[u8], part: &MessagePart<'_>) -> Option<Vec<u8>> {
    let raw = base.get(part.offset_body as usize..part.offset_end as usize)?;
    match part.encoding {
        Encoding::Base64 => base64_decode(raw),
        Encoding::QuotedPrintable => quoted_printable_decode(raw),
        Encoding::None => Some(raw.to_vec()),
    }
}

/// `bytes` read as Windows-1252 (a superset of Latin-1's printable characters).
pub(crate) fn windows_1252(bytes: &[u8]) -> String {
    match charset_decoder(b"windows-1252") {
        Some(decode) => decode(bytes),
        None => bytes.iter().map(|b| char::from(*b)).collect(),
    }
}

/// `bytes` as UTF-8 when they are, else as Windows-1252.
pub(crate) fn utf8_or_1252(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => windows_1252(bytes),
    }
}

/// A safe file name for attachment `index`: `declared` stripped of any path and of control
/// characters, at most [`MAX_NAME_CHARS`]; `attachment-N.ext` when nothing is left.
pub(crate) fn file_name(declared: Option<&str>, index: usize, content_type: &str) -> String {
    let name = declared.unwrap_or("");
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        format!("attachment-{}.{}", index + 1, extension(content_type))
    } else {
        cleaned.to_owned()
    }
}

/// The usual file extension for a content type (`bin` when unknown).
fn extension(content_type: &str) -> &'static str {
    match content_type {
        "text/plain" => "txt",
        "text/html" => "html",
        "text/calendar" => "ics",
        "text/x-patch" | "text/x-diff" => "patch",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "application/pdf" => "pdf",
        "application/zip" => "zip",
        "application/ms-tnef" | "application/vnd.ms-tnef" => "dat",
        "application/pgp-signature" => "asc",
        "application/pkcs7-signature" | "application/x-pkcs7-signature" => "p7s",
        "message/rfc822" => "eml",
        _ => "bin",
    }
}

/// The first header named `name` of the message's top part.
fn first_header<'m, 'x>(
    message: &'m Message<'x>,
    name: &str,
) -> Option<&'m mail_parser::Header<'x>> {
    message
        .parts
        .first()?
        .headers
        .iter()
        .find(|h| h.name().eq_ignore_ascii_case(name))
}

/// The raw bytes of the first header `name`'s value, unfolded, read as UTF-8 or else
/// Windows-1252, trimmed.
pub(crate) fn raw_header(message: &Message<'_>, name: &str) -> Option<String> {
    let header = first_header(message, name)?;
    let bytes = message
        .raw_message()
        .get(header.offset_start as usize..header.offset_end as usize)?;
    let text = utf8_or_1252(bytes);
    Some(unfold(&text))
}

/// `text` on one line: line ends and tabs become spaces, runs of spaces one, trimmed.
pub(crate) fn unfold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

/// The decoded text of header `name`: mail-parser's decoding (RFC 2047), unless it had to
/// replace bytes, then the raw bytes as UTF-8 or Windows-1252.
pub(crate) fn text_header(message: &Message<'_>, name: &str) -> Option<String> {
    let header = first_header(message, name)?;
    let decoded = match &header.value {
        HeaderValue::Text(text) => Some(text.to_string()),
        HeaderValue::TextList(list) => Some(list.join(", ")),
        _ => None,
    };
    match decoded {
        Some(text) if !text.contains('\u{FFFD}') => Some(unfold(&text)),
        _ => raw_header(message, name),
    }
}

/// The addresses of header `name`, as `Name <address>` joined by commas.
fn address_header(message: &Message<'_>, name: &str) -> Option<String> {
    let header = first_header(message, name)?;
    match &header.value {
        HeaderValue::Address(address) => {
            let shown: Vec<String> = address
                .iter()
                .map(|addr| {
                    let name = addr.name.as_deref().map(unfold).unwrap_or_default();
                    let email = addr.address.as_deref().unwrap_or("");
                    match (name.is_empty(), email.is_empty()) {
                        (false, false) => format!("{name} <{email}>"),
                        (true, false) => email.to_owned(),
                        (false, true) => name,
                        (true, true) => String::new(),
                    }
                })
                .filter(|s| !s.is_empty())
                .collect();
            if shown.is_empty() || shown.iter().any(|s| s.contains('\u{FFFD}')) {
                raw_header(message, name)
            } else {
                Some(shown.join(", "))
            }
        }
        _ => raw_header(message, name),
    }
}

/// The headers a page shows: From, To, Cc, Date, Subject, Message-ID, In-Reply-To.
fn headers(message: &Message<'_>) -> Headers {
    let mut shown = Vec::new();
    for name in ["From", "To", "Cc"] {
        if let Some(value) = address_header(message, name) {
            shown.push((name.to_owned(), value));
        }
    }
    if let Some(value) = raw_header(message, "Date") {
        shown.push(("Date".to_owned(), value));
    }
    if let Some(value) = text_header(message, "Subject") {
        shown.push(("Subject".to_owned(), value));
    }
    for name in ["Message-ID", "In-Reply-To"] {
        if let Some(value) = raw_header(message, name) {
            shown.push((name.to_owned(), value));
        }
    }
    Headers { shown }
}

/// The deepest quote level told apart; deeper quotes count as this deep.
pub const MAX_QUOTE_DEPTH: u8 = 8;

/// A text line's quote depth (its leading `>`, spaces allowed between them, at most
/// [`MAX_QUOTE_DEPTH`]) and the rest of the line after the marks and one space.
pub(crate) fn split_quote(line: &str) -> (u8, &str) {
    let mut depth = 0u8;
    let mut rest = line;
    loop {
        let trimmed = rest.trim_start_matches([' ', '\t']);
        if depth < MAX_QUOTE_DEPTH && trimmed.starts_with('>') {
            depth += 1;
            rest = &trimmed[1..];
        } else {
            break;
        }
    }
    if depth > 0 {
        rest = rest.strip_prefix(' ').unwrap_or(rest);
    } else {
        rest = line;
    }
    (depth, rest)
}

/// The lines of `text`, without their ends (`\n`, `\r\n` or a lone `\r`).
pub(crate) fn lines(text: &str) -> impl Iterator<Item = &str> {
    let text = text.strip_suffix('\n').unwrap_or(text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l))
}
