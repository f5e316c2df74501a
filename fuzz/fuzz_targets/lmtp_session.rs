//! Fuzz target: arbitrary bytes as a whole LMTP session (a client's side) into `lmtp::session::serve`.
//!
//! The first byte picks the read size (1 to 256 bytes, or all at once), the rest is what the
//! client sends; the limits are small so that they are reached. The mailbox knows the
//! addresses whose local part starts with `l`, keeps each message's size and recipients, and
//! answers 250 or 451 by the message's length. The oracle: no panic; the server's output is
//! a sequence of well-formed replies (three digits in 200-599, then a space or a hyphen, text
//! without control characters, CR LF), the first a 220; each message given to the mailbox is
//! within the size limit and has between 1 and `max_recipients` recipients; every message
//! given to the mailbox followed a 354; and the session's summary agrees with the replies.
#![no_main]

use std::sync::Mutex;

use libfuzzer_sys::fuzz_target;
use wwsympa::lmtp::session::{self, BytesConn, Limits};
use wwsympa::lmtp::{Envelope, Mailbox, Reply};

const MAX_SIZE: u64 = 4096;
const MAX_RECIPIENTS: usize = 5;

#[derive(Default)]
struct Sizes {
    /// (recipients, size) of each message handed over.
    seen: Mutex<Vec<(usize, usize)>>,
}

impl Mailbox for Sizes {
    fn recipient(&self, recipient: &str) -> Reply {
        if recipient.starts_with('l') {
            Reply::new(250, "2.1.5", "OK")
        } else {
            Reply::new(550, "5.1.1", format!("No such list: {recipient}"))
        }
    }

    fn deliver(&self, envelope: &Envelope, message: &[u8]) -> Vec<Reply> {
        self.seen
            .lock()
            .unwrap()
            .push((envelope.recipients.len(), message.len()));
        let reply = if message.len() % 3 == 0 {
            Reply::new(451, "4.3.0", "Try again")
        } else {
            Reply::new(250, "2.0.0", "Delivered")
        };
        vec![reply; envelope.recipients.len()]
    }

    fn max_size(&self) -> u64 {
        MAX_SIZE
    }
}

/// Splits the output into reply lines, checking each; returns the codes and whether each line was a last one.
fn replies(out: &[u8]) -> Vec<(u16, bool)> {
    let mut codes = Vec::new();
    let mut rest = out;
    while !rest.is_empty() {
        let end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .unwrap_or_else(|| panic!("a reply without CR LF: {:?}", String::from_utf8_lossy(rest)));
        let line = &rest[..end];
        rest = &rest[end + 2..];
        assert!(line.len() >= 4, "short reply {line:?}");
        let code: u16 = std::str::from_utf8(&line[..3]).unwrap().parse().unwrap();
        assert!((200..600).contains(&code), "code {code}");
        assert!(line[3] == b' ' || line[3] == b'-', "separator in {line:?}");
        let text = std::str::from_utf8(&line[4..]).expect("reply text in UTF-8");
        assert!(!text.chars().any(char::is_control), "control character in {text:?}");
        codes.push((code, line[3] == b' '));
    }
    codes
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, input)) = data.split_first() else {
        return;
    };
    let mailbox = Sizes::default();
    let limits = Limits {
        hostname: "fuzz.example".into(),
        max_line: 256,
        max_recipients: MAX_RECIPIENTS,
        max_commands: 500,
        max_errors: 50,
        ..Limits::default()
    };
    let mut conn = BytesConn::new(input);
    conn.chunk = usize::from(first);
    let summary = session::serve(&mut conn, &mailbox, &limits);
    let codes = replies(&conn.output);
    assert_eq!(codes.first(), Some(&(220, true)));
    let seen = mailbox.seen.lock().unwrap();
    for &(recipients, size) in seen.iter() {
        assert!((1..=MAX_RECIPIENTS).contains(&recipients));
        assert!(size as u64 <= MAX_SIZE);
    }
    let go_aheads = codes.iter().filter(|&&(code, _)| code == 354).count();
    assert!(seen.len() <= go_aheads);
    assert!(summary.messages as usize <= go_aheads);
    assert!(summary.messages as usize >= seen.len());
    let accepted_after_data: usize = seen
        .iter()
        .filter(|&&(_, size)| size % 3 != 0)
        .map(|&(recipients, _)| recipients)
        .sum();
    assert_eq!(summary.accepted as usize, accepted_after_data);
});
