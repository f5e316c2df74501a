//! What a message page shows of a message: its main headers, text parts as quoted lines, sanitized HTML when there is no text, attachments to download.

use serde::Serialize;

/// A message as its page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Display {
    /// The headers shown (From, To, Cc, Date, Subject, Message-ID, In-Reply-To), decoded,
    /// in that order, only those present.
    pub headers: Vec<(String, String)>,
    /// The body's parts, in order.
    pub parts: Vec<Part>,
}

/// A part of a message's body.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Part {
    /// A text part, decoded to UTF-8, as lines with their quote depth.
    Text {
        /// Its lines.
        lines: Vec<Line>,
    },
    /// An HTML part of a message without text, sanitized (no script, no form, no style,
    /// no handler, no remote load).
    Html {
        /// The sanitized HTML.
        html: String,
    },
    /// An attachment, downloadable by its index.
    Attachment {
        /// Its index among the message's attachments, from 0.
        index: usize,
        /// Its file name, stripped of any path.
        name: String,
        /// Its content type, as declared (lower case).
        content_type: String,
        /// Its decoded size in bytes.
        size: usize,
    },
    /// A message forwarded inside this one (message/rfc822), shown in turn.
    Message {
        /// The inner message.
        message: Box<Display>,
    },
    /// Something could not be shown (a part nested too deep, a parser failure): says why.
    Note {
        /// The explanation.
        text: String,
    },
}

/// A line of a text part.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// How many `>` quote it (0 for the sender's own text).
    pub depth: u8,
    /// The line, without its end.
    pub text: String,
}

/// An attachment's bytes, for download.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// Its file name, stripped of any path, never empty.
    pub name: String,
    /// Its declared content type (lower case).
    pub content_type: String,
    /// Its decoded bytes.
    pub bytes: Vec<u8>,
}

/// What the page of `raw` shows. Never fails and never panics.
pub fn display(raw: &[u8]) -> Display {
    let _ = raw;
    todo!()
}

/// Attachment `index` of `raw` (as numbered by [`display`]), if it has one.
pub fn attachment(raw: &[u8], index: usize) -> Option<Attachment> {
    let _ = (raw, index);
    todo!()
}
