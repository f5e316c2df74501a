//! What a message page shows of a message: its main headers, text parts as quoted lines, sanitized HTML when there is no text, attachments to download.

use serde::Serialize;

use super::mime::{self, Node};
use super::sanitize::sanitize;

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
///
/// Text lines carry their quote depth (see [`super::MAX_QUOTE_DEPTH`]) and are given
/// without their quote marks. A message mail-parser cannot read at all is shown as its
/// bytes, as text.
pub fn display(raw: &[u8]) -> Display {
    mime::with_message(raw, |message, headers_only| {
        let walked = mime::walk(message, headers_only, None);
        Display {
            headers: walked.headers.shown,
            parts: convert(walked.nodes),
        }
    })
    .unwrap_or_else(|| Display {
        headers: Vec::new(),
        parts: vec![
            Part::Note {
                text: "This message could not be read as mail; here are its bytes as text."
                    .to_owned(),
            },
            text_part(&mime::utf8_or_1252(&raw[..raw.len().min(MAX_RAW_SHOWN)])),
        ],
    })
}

/// The most bytes of an unreadable message shown as text.
pub const MAX_RAW_SHOWN: usize = 1 << 20;

/// Attachment `index` of `raw` (as numbered by [`display`]), if it has one.
pub fn attachment(raw: &[u8], index: usize) -> Option<Attachment> {
    mime::with_message(raw, |message, headers_only| {
        let walked = mime::walk(message, headers_only, Some(index));
        find(walked.nodes, index)
    })
    .flatten()
}

/// Attachment `index` among `nodes`, with its bytes.
fn find(nodes: Vec<Node>, index: usize) -> Option<Attachment> {
    for node in nodes {
        match node {
            Node::Attachment {
                index: i,
                name,
                content_type,
                bytes: Some(bytes),
                ..
            } if i == index => {
                return Some(Attachment {
                    name,
                    content_type,
                    bytes,
                })
            }
            Node::Message(_, inner) => {
                if let Some(found) = find(inner, index) {
                    return Some(found);
                }
            }
            _ => {}
        }
    }
    None
}

/// The walk's nodes as a page's parts (HTML sanitized here).
fn convert(nodes: Vec<Node>) -> Vec<Part> {
    nodes
        .into_iter()
        .map(|node| match node {
            Node::Text(text) => text_part(&text),
            Node::Html(html) => Part::Html {
                html: sanitize(&html),
            },
            Node::Attachment {
                index,
                name,
                content_type,
                size,
                ..
            } => Part::Attachment {
                index,
                name,
                content_type,
                size,
            },
            Node::Message(headers, inner) => Part::Message {
                message: Box::new(Display {
                    headers: headers.shown,
                    parts: convert(inner),
                }),
            },
            Node::Note(text) => Part::Note { text },
        })
        .collect()
}

/// A text part of `text`'s lines.
fn text_part(text: &str) -> Part {
    Part::Text {
        lines: mime::lines(text)
            .map(|line| {
                let (depth, rest) = mime::split_quote(line);
                Line {
                    depth,
                    text: rest.to_owned(),
                }
            })
            .collect(),
    }
}
