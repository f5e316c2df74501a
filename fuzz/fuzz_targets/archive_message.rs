//! Fuzz target: the archive's mail model on arbitrary bytes: parse, display, attachment, sanitize and the mbox round trip, with their promises as the oracle.
//!
//! - `parse` keeps every index field within its cap and always has a Message-ID;
//! - every attachment `display` numbers comes back from `attachment` with the same name,
//!   type and size, and no other number does;
//! - HTML that `display` shows, and `sanitize` of the bytes read as text, hold no script,
//!   no handler and no remote load;
//! - writing the bytes into an mbox and reading it back gives them back (with a final line
//!   end added when they had none).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wwsympa::archive::{
    self, mbox, parse::MAX_INDEX_FIELD_BYTES, sanitize::sanitize, Display, Part,
};

/// Panics if the markup of `html` (its text is escaped, so every `<` starts markup) holds
/// anything that runs or loads.
fn assert_harmless(html: &str) {
    let lower = html.to_ascii_lowercase();
    for tag in lower.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        if tag.starts_with("!--") {
            panic!("a comment survived in {html:?}");
        }
        let mut words = tag.trim_start_matches('/').split_whitespace();
        let name = words.next().unwrap_or("");
        assert!(
            !matches!(
                name,
                "script"
                    | "style"
                    | "iframe"
                    | "object"
                    | "embed"
                    | "form"
                    | "input"
                    | "svg"
                    | "math"
                    | "base"
                    | "meta"
                    | "link"
                    | "video"
                    | "audio"
                    | "body"
            ),
            "<{name}> in {html:?}"
        );
        for (attr, value) in attributes(tag.trim_start_matches('/').trim_start_matches(name)) {
            assert!(!attr.starts_with("on"), "handler {attr} in {html:?}");
            assert!(
                !matches!(
                    attr,
                    "src" | "srcset" | "style" | "background" | "poster" | "action" | "formaction"
                ),
                "{attr} in {html:?}"
            );
            if attr == "href" {
                assert!(
                    value.starts_with("http:")
                        || value.starts_with("https:")
                        || value.starts_with("mailto:"),
                    "href {value} in {html:?}"
                );
            }
        }
    }
}

/// The attributes of a tag's inside after its name, as the serializer writes them
/// (`name="value"`, quotes inside escaped).
fn attributes(mut rest: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            return out;
        }
        let end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let name = &rest[..end];
        rest = &rest[end..];
        let mut value = "";
        if let Some(after) = rest.strip_prefix('=') {
            if let Some(quoted) = after.strip_prefix('"') {
                let close = quoted.find('"').unwrap_or(quoted.len());
                value = &quoted[..close];
                rest = quoted.get(close + 1..).unwrap_or("");
            } else {
                let close = after.find(char::is_whitespace).unwrap_or(after.len());
                value = &after[..close];
                rest = &after[close..];
            }
        }
        out.push((name, value));
    }
}

/// Checks the parts of a shown message, collecting its attachments.
fn check(shown: &Display, attachments: &mut Vec<(usize, String, String, usize)>) {
    for part in &shown.parts {
        match part {
            Part::Html { html } => assert_harmless(html),
            Part::Attachment {
                index,
                name,
                content_type,
                size,
            } => {
                assert!(!name.is_empty() && !name.contains('/') && !name.contains('\\'));
                assert!(!name.chars().any(char::is_control));
                attachments.push((*index, name.clone(), content_type.clone(), *size));
            }
            Part::Message { message } => check(message, attachments),
            Part::Text { lines } => {
                assert!(lines.iter().all(|l| l.depth <= archive::MAX_QUOTE_DEPTH));
            }
            Part::Note { .. } => {}
        }
    }
}

fuzz_target!(
    init: {
        // The mail model catches mail-parser's panics (and its debug assertions, on in fuzz
        // builds) and degrades: that is its promise, so a caught panic must not end the run
        // as libFuzzer's abort-on-panic hook would. A panic that escapes still aborts.
        std::panic::set_hook(Box::new(|_| {}));
    },
    |data: &[u8]| {
    let parsed = archive::parse(data);
    assert!(!parsed.message_id.is_empty());
    for field in [
        &parsed.index.subject,
        &parsed.index.sender,
        &parsed.index.body_new,
        &parsed.index.body_quoted,
        &parsed.index.attachment_names,
    ] {
        assert!(field.len() <= MAX_INDEX_FIELD_BYTES);
    }

    let shown = archive::display(data);
    let mut attachments = Vec::new();
    check(&shown, &mut attachments);
    for (expected, (index, name, content_type, size)) in attachments.iter().enumerate() {
        assert_eq!(*index, expected, "attachments are numbered in order");
        let got = archive::attachment(data, *index).expect("a numbered attachment");
        assert_eq!(&got.name, name);
        assert_eq!(&got.content_type, content_type);
        assert_eq!(got.bytes.len(), *size);
    }
    assert!(archive::attachment(data, attachments.len()).is_none());

    assert_harmless(&sanitize(&String::from_utf8_lossy(data)));

    let mut file = Vec::new();
    mbox::write(&mut file, "fuzz@example.org", 0, data).unwrap();
    let mut reader = mbox::Reader::new(file.as_slice());
    let (_, back) = reader.next().unwrap().unwrap();
    let mut expected = data.to_vec();
    if !expected.is_empty() && !expected.ends_with(b"\n") {
        expected.push(b'\n');
    }
    assert_eq!(back, expected);
    assert!(reader.next().is_none());
    }
);
