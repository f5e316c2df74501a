//! A message as a plain-text digest shows it (Sympa's `digestplain`): its text parts with their quote marks, and in place of everything else a block saying what was left in the archive.

use serde::Serialize;

use super::display::{self, Display, Part};

/// One block of a message's plain text, in order. A forwarded message's blocks follow its
/// [`Block::Forwarded`] and end at its [`Block::EndForwarded`] (flat, so that a template can
/// show them with one loop).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// Text as the sender wrote it (quote marks `> ` put back), lines ended by `\n`.
    Text {
        /// The text.
        text: String,
    },
    /// An HTML part of a message without text: not shown in plain text.
    Html,
    /// An attachment, left in the archive.
    Attachment {
        /// Its file name.
        name: String,
        /// Its content type.
        content_type: String,
        /// Its decoded size in bytes.
        size: usize,
    },
    /// A forwarded message begins: its main headers.
    Forwarded {
        /// Its `From`, decoded, or empty.
        from: String,
        /// Its `Subject`, decoded, or empty.
        subject: String,
        /// Its `Date` as written, or empty.
        date: String,
    },
    /// The forwarded message that began last ends.
    EndForwarded,
    /// Something of the message could not be shown (a part nested too deep, bytes that are
    /// not mail).
    Unreadable,
}

/// The blocks of `raw`'s body, as [`display::display`] reads it. Never fails, never panics.
pub fn blocks(raw: &[u8]) -> Vec<Block> {
    let shown = display::display(raw);
    let mut out = Vec::new();
    push_parts(&shown.parts, &mut out);
    out
}

/// Appends the blocks of `parts` (and of the messages forwarded in them) to `out`.
fn push_parts(parts: &[Part], out: &mut Vec<Block>) {
    for part in parts {
        match part {
            Part::Text { lines } => {
                let mut text = String::new();
                for line in lines {
                    for _ in 0..line.depth {
                        text.push('>');
                    }
                    if line.depth > 0 && !line.text.is_empty() {
                        text.push(' ');
                    }
                    text.push_str(&line.text);
                    text.push('\n');
                }
                // Consecutive text parts read as one text.
                if let Some(Block::Text { text: before }) = out.last_mut() {
                    before.push_str(&text);
                } else {
                    out.push(Block::Text { text });
                }
            }
            Part::Html { .. } => out.push(Block::Html),
            Part::Attachment {
                name,
                content_type,
                size,
                ..
            } => out.push(Block::Attachment {
                name: name.clone(),
                content_type: content_type.clone(),
                size: *size,
            }),
            Part::Message { message } => {
                out.push(forwarded(message));
                push_parts(&message.parts, out);
                out.push(Block::EndForwarded);
            }
            Part::Note { .. } => out.push(Block::Unreadable),
        }
    }
}

/// The [`Block::Forwarded`] of a forwarded message.
fn forwarded(message: &Display) -> Block {
    let header = |name: &str| {
        message
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    };
    Block::Forwarded {
        from: header("From"),
        subject: header("Subject"),
        date: header("Date"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_keeps_its_quotes_and_attachments_are_named() {
        let raw = b"From: Ann <ann@example.org>\r\nSubject: Hi\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=b\r\n\r\n\
--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n> > deep\r\n> said\r\nCaf\xc3\xa9 answer\r\n\
--b\r\nContent-Type: application/pdf; name=\"plan.pdf\"\r\n\
Content-Disposition: attachment; filename=\"plan.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b--\r\n";
        let blocks = blocks(raw);
        assert_eq!(
            blocks,
            [
                Block::Text {
                    text: ">> deep\n> said\nCafé answer\n".into()
                },
                Block::Attachment {
                    name: "plan.pdf".into(),
                    content_type: "application/pdf".into(),
                    size: 5,
                },
            ]
        );
    }

    #[test]
    fn html_only_and_forwarded_messages_are_blocks() {
        let raw = b"From: a@example.org\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=b\r\n\r\n\
--b\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n\
--b\r\nContent-Type: message/rfc822\r\n\r\n\
From: Bob <bob@example.org>\r\nSubject: Inner\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\
Content-Type: text/html\r\n\r\n<p>Hello <script>x</script></p>\r\n--b--\r\n";
        let blocks = blocks(raw);
        assert_eq!(blocks.len(), 4, "{blocks:?}");
        assert_eq!(
            blocks[0],
            Block::Text {
                text: "See below.\n".into()
            }
        );
        match &blocks[1] {
            // (The archive's view does not read a forwarded message's Date today.)
            Block::Forwarded { from, subject, .. } => {
                assert_eq!(from, "Bob <bob@example.org>");
                assert_eq!(subject, "Inner");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(blocks[2], Block::Html);
        assert_eq!(blocks[3], Block::EndForwarded);
    }

    #[test]
    fn bytes_that_are_not_mail_say_so_and_keep_their_text() {
        let blocks = blocks(b"\x00\x01 just bytes");
        assert!(blocks.contains(&Block::Unreadable), "{blocks:?}");
    }
}
