//! A message's header fields read straight from its bytes (unfolded, names lowercased), and what they say about where it comes from: automatic mail, list mail, our own loops.
//!
//! The archive's parser reads what the archive keeps; the door also needs fields it does
//! not keep (`X-Loop`, `List-Id`, `Auto-Submitted`, `Precedence`), and a cheap answer before
//! anything is parsed. Never fails and never panics on the bytes: a malformed line is
//! skipped, and at most [`MAX_FIELDS`] fields of at most [`MAX_HEADER_BYTES`] bytes are read.

/// The most header fields read; the rest are ignored.
pub const MAX_FIELDS: usize = 1_000;

/// The most bytes of header read.
pub const MAX_HEADER_BYTES: usize = 256 * 1024;

/// Local parts (of the envelope sender or of From) that only robots use, as Sympa's
/// `loop_prevention_regex`: nothing we send them may start a conversation between robots.
pub const ROBOT_LOCAL_PARTS: &[&str] = &[
    "mailer-daemon",
    "postmaster",
    "sympa",
    "listserv",
    "majordomo",
    "smartlist",
    "mailman",
    "noreply",
    "no-reply",
];

/// A message's header fields, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Head {
    fields: Vec<(String, String)>,
}

impl Head {
    /// Reads the header of `raw` (up to the first empty line).
    pub fn read(raw: &[u8]) -> Head {
        let end = raw.len().min(MAX_HEADER_BYTES);
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut start = 0;
        while start < end && fields.len() < MAX_FIELDS {
            let stop = raw[start..end]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(end, |at| start + at);
            let mut line = &raw[start..stop];
            start = stop + 1;
            if line.last() == Some(&b'\r') {
                line = &line[..line.len() - 1];
            }
            if line.is_empty() {
                break;
            }
            if line[0] == b' ' || line[0] == b'\t' {
                // A continuation: unfolded into the field before it.
                if let Some((_, value)) = fields.last_mut() {
                    value.push(' ');
                    value.push_str(String::from_utf8_lossy(line).trim());
                }
                continue;
            }
            // An mbox "From " line or other junk has no colon in the right place: skipped.
            let Some(colon) = line.iter().position(|&b| b == b':') else {
                continue;
            };
            let name = &line[..colon];
            if name.is_empty() || !name.iter().all(|b| b.is_ascii_graphic()) {
                continue;
            }
            fields.push((
                String::from_utf8_lossy(name).to_ascii_lowercase(),
                String::from_utf8_lossy(&line[colon + 1..])
                    .trim()
                    .to_string(),
            ));
        }
        Head { fields }
    }

    /// The first field `name` (lowercase), unfolded and trimmed.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every field `name` (lowercase), in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the message says a program sent it: `Auto-Submitted` other than `no`
    /// (RFC 3834), `Precedence: bulk|junk|list`, or a vacation program's own fields.
    pub fn is_automatic(&self) -> bool {
        let auto_submitted = self
            .get("auto-submitted")
            .is_some_and(|v| !first_word(v).eq_ignore_ascii_case("no"));
        let precedence = self.get("precedence").is_some_and(|v| {
            ["bulk", "junk", "list"]
                .iter()
                .any(|p| first_word(v).eq_ignore_ascii_case(p))
        });
        let vacation = ["x-autoreply", "x-autorespond", "x-auto-response-suppress"]
            .iter()
            .any(|name| self.get(name).is_some());
        auto_submitted || precedence || vacation
    }

    /// Whether it is an automatic reply (`Auto-Submitted: auto-replied`, a vacation
    /// program): never a post to a list.
    pub fn is_auto_reply(&self) -> bool {
        self.get("auto-submitted")
            .is_some_and(|v| first_word(v).eq_ignore_ascii_case("auto-replied"))
            || self.get("x-autoreply").is_some()
            || self.get("x-autorespond").is_some()
    }

    /// Whether it came through a mailing list (ours or another's): `List-Id`, `List-Post`.
    pub fn is_list_mail(&self) -> bool {
        self.get("list-id").is_some() || self.get("list-post").is_some()
    }

    /// Whether one of its `X-Loop` fields names `address` (compared without case).
    pub fn has_x_loop(&self, address: &str) -> bool {
        self.all("x-loop")
            .any(|v| strip_angles(v).eq_ignore_ascii_case(address))
    }

    /// Whether its `List-Id` is `list_id` (`<name.domain>`), whatever the phrase before it.
    pub fn has_list_id(&self, list_id: &str) -> bool {
        self.all("list-id").any(|v| {
            let v = v.trim();
            let id = match (v.rfind('<'), v.rfind('>')) {
                (Some(open), Some(close)) if open < close => &v[open..=close],
                _ => v,
            };
            id.eq_ignore_ascii_case(list_id)
        })
    }
}

/// Whether `address` (an envelope sender or From) belongs to a robot: the null sender, or
/// a local part of [`ROBOT_LOCAL_PARTS`] (also as `LOCAL-something`, `owner-LOCAL`).
pub fn is_robot_address(address: &str) -> bool {
    let address = address.trim().trim_start_matches('<').trim_end_matches('>');
    if address.is_empty() {
        return true;
    }
    let local = address
        .rsplit_once('@')
        .map_or(address, |(local, _)| local)
        .to_ascii_lowercase();
    ROBOT_LOCAL_PARTS.iter().any(|robot| {
        local == *robot
            || local.starts_with(&format!("{robot}-"))
            || local.starts_with(&format!("{robot}+"))
    }) || local.starts_with("owner-")
        || local.ends_with("-owner")
        || local.ends_with("-request")
        || local.ends_with("-bounces")
        || local.contains("-owner+")
        || local.contains("-bounces+")
        || local.starts_with("bounce+")
}

fn first_word(value: &str) -> &str {
    value
        .split(|c: char| c == ';' || c.is_whitespace())
        .find(|w| !w.is_empty())
        .unwrap_or("")
}

fn strip_angles(value: &str) -> &str {
    value
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_unfolded_lowercased_and_stop_at_the_body() {
        let raw = b"From x  Mon Jan 1\r\nSubject: a\r\n  folded\r\nX-Loop: <team@a.org>\r\nX-LOOP: other@b.org\r\nbad line\r\n\r\nX-Loop: body@a.org\r\n";
        let head = Head::read(raw);
        assert_eq!(head.get("subject"), Some("a folded"));
        assert!(head.has_x_loop("TEAM@a.org"));
        assert!(head.has_x_loop("other@b.org"));
        assert!(!head.has_x_loop("body@a.org"));
        assert_eq!(head.all("x-loop").count(), 2);
    }

    #[test]
    fn bare_lf_and_8bit_junk_do_not_break_reading() {
        let raw = b"Subject: \xff\xfe caf\xc3\xa9\nList-Id: Team list <team.a.org>\n\nbody";
        let head = Head::read(raw);
        assert!(head.get("subject").unwrap().contains("caf\u{e9}"));
        assert!(head.has_list_id("<TEAM.a.org>"));
        assert!(!head.has_list_id("<team.b.org>"));
        assert!(head.is_list_mail());
    }

    #[test]
    fn automatic_mail_is_recognized() {
        let head = |text: &str| Head::read(text.as_bytes());
        assert!(!head("Subject: hi\n\n").is_automatic());
        assert!(!head("Auto-Submitted: no\n\n").is_automatic());
        assert!(head("Auto-Submitted: auto-generated\n\n").is_automatic());
        assert!(head("Auto-Submitted: auto-replied; owner-email=x\n\n").is_auto_reply());
        assert!(!head("Auto-Submitted: auto-generated\n\n").is_auto_reply());
        assert!(head("Precedence: bulk\n\n").is_automatic());
        assert!(head("Precedence: JUNK\n\n").is_automatic());
        assert!(!head("Precedence: first-class\n\n").is_automatic());
        assert!(head("X-Autoreply: yes\n\n").is_auto_reply());
    }

    #[test]
    fn robot_addresses_are_recognized() {
        for robot in [
            "",
            "<>",
            "MAILER-DAEMON@x.org",
            "postmaster@x.org",
            "sympa@lists.x.org",
            "team-owner@x.org",
            "team-owner+abc@x.org",
            "team-request@x.org",
            "owner-team@x.org",
            "bounce+q1@x.org",
            "noreply@x.org",
            "mailman-bounces@x.org",
        ] {
            assert!(is_robot_address(robot), "{robot}");
        }
        for person in [
            "ada@x.org",
            "sympathy@x.org",
            "owner@x.org",
            "bob+tag@x.org",
        ] {
            assert!(!is_robot_address(person), "{person}");
        }
    }

    #[test]
    fn the_header_read_is_capped() {
        let mut raw = Vec::new();
        for i in 0..(MAX_FIELDS + 10) {
            raw.extend_from_slice(format!("X-F{i}: v\n").as_bytes());
        }
        raw.extend_from_slice(b"X-Loop: late@a.org\n\n");
        let head = Head::read(&raw);
        assert!(!head.has_x_loop("late@a.org"));
    }
}
