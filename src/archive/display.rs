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
        /// Why (the door says it in the reader's language).
        note: Note,
    },
}

/// Why something of a message is not shown as it is: a code, which the doors turn into a
/// sentence in the reader's language (`messages::archive_note`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Note {
    /// mail-parser could not read the message at all: its first [`MAX_RAW_SHOWN`] bytes
    /// follow, as text.
    Unreadable,
    /// The message is larger than [`super::MAX_MESSAGE_BYTES`]: only its headers are shown.
    TooLarge,
    /// Parts nested deeper than [`super::MAX_DEPTH`] are not shown.
    NestedTooDeep,
    /// Only the first [`super::MAX_PARTS`] parts of the message are shown.
    TooManyParts,
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
    .filter(|shown| !shown.headers.is_empty() || shows_something(&shown.parts))
    .unwrap_or_else(|| Display {
        headers: Vec::new(),
        parts: vec![
            Part::Note {
                note: Note::Unreadable,
            },
            text_part(&mime::utf8_or_1252(&raw[..raw.len().min(MAX_RAW_SHOWN)])),
        ],
    })
}

/// Whether `parts` show anything (else a message without the headers a page shows is
/// shown as its bytes).
fn shows_something(parts: &[Part]) -> bool {
    parts.iter().any(|part| match part {
        Part::Text { lines } => lines.iter().any(|l| !l.text.trim().is_empty()),
        _ => true,
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
            Node::Note(note) => Part::Note { note },
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::sanitize::tests::{assert_harmless, XSS};

    fn msg(text: &str) -> Vec<u8> {
        text.replace('\n', "\r\n").into_bytes()
    }

    fn texts(parts: &[Part]) -> Vec<(u8, String)> {
        parts
            .iter()
            .flat_map(|p| match p {
                Part::Text { lines } => lines.iter().map(|l| (l.depth, l.text.clone())).collect(),
                _ => Vec::new(),
            })
            .collect()
    }

    const MIXED: &str = "From: =?UTF-8?Q?Ren=C3=A9?= <rene@example.org>\nTo: list@example.org, Bob <bob@example.org>\nCc: carol@example.org\nDate: Tue, 14 Nov 2023 22:13:20 +0000\nSubject: =?ISO-8859-1?Q?r=E9union?=\nMessage-ID: <mixed@example.org>\nIn-Reply-To: <parent@example.org>\nX-Other: not shown\nContent-Type: multipart/mixed; boundary=\"out\"\n\n--out\nContent-Type: multipart/alternative; boundary=\"alt\"\n\n--alt\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nMine =E9t=E9\n> > quoted twice\n>quoted once\n--alt\nContent-Type: text/html\n\n<p>html version</p>\n--alt--\n--out\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\nContent-Transfer-Encoding: base64\n\nAAECAw==\n--out\nContent-Type: image/png\nContent-Disposition: attachment; filename*=UTF-8''%E2%82%AC%20plan.png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--out\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"C:\\\\Users\\\\x\\\\..\\\\secret.bin\"\n\nraw\n--out\nContent-Type: application/pdf\n\n%PDF-1.4\n--out--\n";

    #[test]
    fn headers_are_decoded_in_order() {
        let shown = display(&msg(MIXED));
        let names: Vec<&str> = shown.headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "From",
                "To",
                "Cc",
                "Date",
                "Subject",
                "Message-ID",
                "In-Reply-To"
            ]
        );
        assert_eq!(shown.headers[0].1, "René <rene@example.org>");
        assert_eq!(
            shown.headers[1].1,
            "list@example.org, Bob <bob@example.org>"
        );
        assert_eq!(shown.headers[4].1, "réunion");
        assert_eq!(shown.headers[5].1, "<mixed@example.org>");
    }

    #[test]
    fn alternatives_show_the_text_with_quote_depths() {
        let shown = display(&msg(MIXED));
        assert_eq!(
            texts(&shown.parts),
            vec![
                (0, "Mine été".to_owned()),
                (2, "quoted twice".to_owned()),
                (1, "quoted once".to_owned())
            ]
        );
        assert!(!shown.parts.iter().any(|p| matches!(p, Part::Html { .. })));
    }

    #[test]
    fn attachments_are_numbered_and_downloadable_by_that_number() {
        let raw = msg(MIXED);
        let shown = display(&raw);
        let listed: Vec<(usize, String, String, usize)> = shown
            .parts
            .iter()
            .filter_map(|p| match p {
                Part::Attachment {
                    index,
                    name,
                    content_type,
                    size,
                } => Some((*index, name.clone(), content_type.clone(), *size)),
                _ => None,
            })
            .collect();
        assert_eq!(
            listed,
            vec![
                (0, "winmail.dat".into(), "application/ms-tnef".into(), 4),
                (1, "€ plan.png".into(), "image/png".into(), 8),
                (2, "secret.bin".into(), "application/octet-stream".into(), 3),
                (3, "attachment-4.pdf".into(), "application/pdf".into(), 8),
            ]
        );
        for (index, name, content_type, size) in listed {
            let got = attachment(&raw, index).unwrap();
            assert_eq!(got.name, name);
            assert_eq!(got.content_type, content_type);
            assert_eq!(got.bytes.len(), size);
        }
        assert_eq!(attachment(&raw, 0).unwrap().bytes, vec![0, 1, 2, 3]);
        assert_eq!(attachment(&raw, 2).unwrap().bytes, b"raw".to_vec());
        assert!(attachment(&raw, 4).is_none());
    }

    #[test]
    fn html_only_mail_is_shown_sanitized_whatever_it_holds() {
        for hostile in XSS {
            let raw = msg(&format!(
                "From: a@b\nContent-Type: text/html; charset=utf-8\n\n<p>before</p>{hostile}<p>after</p>\n"
            ));
            let shown = display(&raw);
            let html: Vec<&str> = shown
                .parts
                .iter()
                .filter_map(|p| match p {
                    Part::Html { html } => Some(html.as_str()),
                    _ => None,
                })
                .collect();
            assert_eq!(html.len(), 1, "{hostile}");
            assert!(html[0].contains("<p>before</p>"), "{}", html[0]);
            assert_harmless(hostile, html[0]);
        }
    }

    /// The first message forwarded inside `shown`.
    fn forwarded(shown: &Display) -> &Display {
        shown
            .parts
            .iter()
            .find_map(|p| match p {
                Part::Message { message } => Some(&**message),
                _ => None,
            })
            .expect("a forwarded message")
    }

    #[test]
    fn forwarded_messages_are_shown_in_turn_and_their_attachments_numbered() {
        let raw = msg("From: a@b\nSubject: fwd\nContent-Type: multipart/mixed; boundary=b0\n\n--b0\nContent-Type: text/plain\n\nSee below.\n--b0\nContent-Type: message/rfc822\n\nFrom: inner@x\nSubject: inner subject\nContent-Type: multipart/mixed; boundary=in\n\n--in\nContent-Type: text/plain\n\nInner text.\n--in\nContent-Type: application/pdf; name=doc.pdf\n\n%PDF\n--in\nContent-Type: text/csv; charset=iso-8859-1; name=notes.csv\nContent-Transfer-Encoding: base64\n\nY2Fm6Qo=\n--in--\n--b0--\n");
        let shown = display(&raw);
        let inner = forwarded(&shown);
        assert!(inner
            .headers
            .contains(&("Subject".to_owned(), "inner subject".to_owned())));
        assert_eq!(texts(&inner.parts), vec![(0, "Inner text.".to_owned())]);
        assert!(matches!(
            &inner.parts[1],
            Part::Attachment { index: 0, name, .. } if name == "doc.pdf"
        ));
        assert_eq!(attachment(&raw, 0).unwrap().bytes, b"%PDF".to_vec());
        // A text file comes as sent, in its charset, and its size says so.
        assert!(inner.parts.len() > 2, "{inner:?}");
        assert!(matches!(
            &inner.parts[2],
            Part::Attachment { index: 1, name, size: 5, .. } if name == "notes.csv"
        ));
        assert_eq!(attachment(&raw, 1).unwrap().bytes, b"caf\xe9\n".to_vec());
    }

    #[test]
    fn a_base64_forwarded_message_offers_its_files_as_sent() {
        let raw = msg("From: a@b\nContent-Type: multipart/mixed; boundary=b0\n\n--b0\nContent-Type: text/plain\n\nSee below.\n--b0\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nRnJvbTogaW5uZXJAeA0KU3ViamVjdDogZW5jb2RlZCBpbm5lcg0KQ29udGVudC1UeXBlOiBtdWx0aXBhcnQvbWl4ZWQ7IGJvdW5kYXJ5PWluDQoNCi0taW4NCkNvbnRlbnQtVHlwZTogdGV4dC9wbGFpbg0KDQpJbm5lciB0ZXh0Lg0KLS1pbg0KQ29udGVudC1UeXBlOiB0ZXh0L2NzdjsgY2hhcnNldD1pc28tODg1OS0xOyBuYW1lPW5vdGVzLmNzdg0KQ29udGVudC1UcmFuc2Zlci1FbmNvZGluZzogYmFzZTY0DQoNClkyRm02UW89DQotLWluLS0NCg==\n--b0--\n");
        let shown = display(&raw);
        let inner = forwarded(&shown);
        assert!(inner
            .headers
            .contains(&("Subject".to_owned(), "encoded inner".to_owned())));
        assert_eq!(texts(&inner.parts), vec![(0, "Inner text.".to_owned())]);
        assert!(matches!(
            &inner.parts[1],
            Part::Attachment { index: 0, name, size: 5, .. } if name == "notes.csv"
        ));
        assert_eq!(attachment(&raw, 0).unwrap().bytes, b"caf\xe9\n".to_vec());
    }

    #[test]
    fn deep_nesting_ends_in_a_note() {
        let depth = crate::archive::MAX_DEPTH + 5;
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
        let shown = display(&msg(&text));
        assert!(texts(&shown.parts).is_empty());
        assert!(shown.parts.iter().any(|p| matches!(
            p,
            Part::Note {
                note: Note::NestedTooDeep
            }
        )));
    }

    #[test]
    fn unreadable_bytes_are_shown_as_text() {
        for raw in [b"\x00\x01 not mail \xff".as_slice(), b"\n\n not mail \xff"] {
            let shown = display(raw);
            assert!(shown.headers.is_empty());
            let text: Vec<String> = texts(&shown.parts).into_iter().map(|l| l.1).collect();
            assert!(text.join("\n").contains(" not mail ÿ"), "{shown:?}");
        }
        let shown = display(b"");
        assert!(shown.headers.is_empty());
    }

    #[test]
    fn huge_messages_show_their_headers_and_say_why_not_more() {
        let mut raw = msg("From: a@b\nSubject: huge\nMessage-ID: <huge@x>\n\n");
        raw.resize(crate::archive::MAX_MESSAGE_BYTES + 1, b'a');
        let shown = display(&raw);
        assert!(shown
            .headers
            .contains(&("Subject".to_owned(), "huge".to_owned())));
        assert!(matches!(
            &shown.parts[..],
            [Part::Note {
                note: Note::TooLarge
            }]
        ));
        let parsed = crate::archive::parse(&raw);
        assert_eq!(parsed.message_id, "huge@x");
        assert_eq!(parsed.index.body_new, "");
        raw.truncate(crate::archive::MAX_MESSAGE_BYTES);
        assert!(crate::archive::parse(&raw)
            .index
            .body_new
            .starts_with("aaaa"));
    }

    #[test]
    fn quote_depth_is_capped() {
        let raw = msg("From: a@b\n\n>>>>>>>>>>>> deep\n");
        let lines = texts(&display(&raw).parts);
        assert_eq!(lines[0].0, crate::archive::MAX_QUOTE_DEPTH);
        assert_eq!(lines[0].1, ">>>> deep");
    }
}
