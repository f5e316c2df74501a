//! Benchmark input (not a test): writes an mbox of synthetic list mail with realistic sizes, threads, quoting and a Zipf vocabulary, the same for the same seed.
//!
//! `cargo run --release --example archive_gen -- COUNT [SEED] > list.mbox`
//!
//! The shape, chosen to look like a busy technical list:
//! - a vocabulary of 50,000 pronounceable pseudo-words drawn with Zipf weights (s = 1.07), so a
//!   few words are in most messages (common), some in about 1% (mid) and most in a handful
//!   (rare); the bench searches them by rank (`word_of_rank`, printed with `--words`);
//! - 30% of messages start a thread, the others answer one of the last 300 messages, with
//!   References and In-Reply-To, `Re:` subjects and 2-12 lines of the parent quoted (`> `);
//! - bodies of 20-400 words wrapped at 72 columns, a signature on a third of them;
//! - headers as a list server's archive holds them (Received, List-Id, DKIM-Signature);
//! - 1% carry a base64 attachment of 8-40 KiB, 1% are HTML-only;
//! - dates advance 20 s to 15 min between messages, from 2020-01-01.

#[path = "words.rs"]
mod words;

use std::io::{self, BufWriter, Write};
use words::word_of_rank;

use wwsympa::domain::calendar::rfc5322_date;

/// Words in the vocabulary.
const VOCABULARY: usize = 50_000;
/// The Zipf exponent of word frequencies.
const ZIPF_S: f64 = 1.07;
/// How far back a reply may reach, in messages.
const REPLY_WINDOW: usize = 300;
/// 2020-01-01T00:00:00Z.
const START: i64 = 1_577_836_800;

/// A small deterministic generator (SplitMix64), so the same seed gives the same file.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn range(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Draws word ranks with Zipf weights through a cumulative table and a binary search.
struct Zipf {
    cumulative: Vec<f64>,
    words: Vec<String>,
}

impl Zipf {
    fn new() -> Zipf {
        let mut total = 0.0;
        let cumulative = (1..=VOCABULARY)
            .map(|k| {
                total += 1.0 / (k as f64).powf(ZIPF_S);
                total
            })
            .collect::<Vec<_>>();
        let cumulative = cumulative.iter().map(|c| c / total).collect();
        Zipf {
            cumulative,
            words: (0..VOCABULARY).map(word_of_rank).collect(),
        }
    }

    fn word(&self, rng: &mut Rng) -> &str {
        let u = rng.unit();
        let rank = self.cumulative.partition_point(|&c| c < u);
        &self.words[rank.min(VOCABULARY - 1)]
    }

    fn words(&self, rng: &mut Rng, count: usize) -> Vec<&str> {
        (0..count).map(|_| self.word(rng)).collect()
    }
}

/// What a later reply needs of a message.
struct Sent {
    message_id: String,
    references: Vec<String>,
    subject: String,
    lines: Vec<String>,
    author: usize,
}

/// Wraps words into lines of at most 72 columns.
fn wrap(words: &[&str]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in words {
        if !line.is_empty() && line.len() + 1 + word.len() > 72 {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The `From ` line's date (asctime form).
fn asctime(seconds: i64) -> String {
    let date = rfc5322_date(seconds);
    // "Thu, 01 Jan 2020 00:00:00 +0000" → "Thu Jan  1 00:00:00 2020"
    let parts: Vec<&str> = date.split([' ', ',']).filter(|p| !p.is_empty()).collect();
    let day: u32 = parts[1].parse().unwrap_or(1);
    format!(
        "{} {} {:>2} {} {}",
        parts[0], parts[2], day, parts[4], parts[3]
    )
}

/// Base64 of `bytes`, wrapped at 76 columns.
fn base64_lines(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    let mut column = 0;
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
        column += 4;
        if column == 76 {
            out.push('\n');
            column = 0;
        }
    }
    out.push('\n');
    out
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--words") {
        // The words of the ranks the bench searches for, one per line: `rank word`.
        for rank in args[1..].iter().filter_map(|r| r.parse::<usize>().ok()) {
            println!("{rank} {}", word_of_rank(rank));
        }
        return Ok(());
    }
    let count: usize = match args.first().and_then(|n| n.parse().ok()) {
        Some(count) => count,
        None => {
            eprintln!("usage: archive_gen COUNT [SEED] > file.mbox | archive_gen --words RANK...");
            std::process::exit(2);
        }
    };
    let seed: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1);
    let mut rng = Rng(seed);
    let zipf = Zipf::new();
    let authors: Vec<(String, String)> = (0..2_000)
        .map(|i| {
            let first = word_of_rank(1_000 + i);
            let last = word_of_rank(20_000 + i * 7);
            (
                format!(
                    "{}{} {}{}",
                    &first[..1].to_uppercase(),
                    &first[1..],
                    &last[..1].to_uppercase(),
                    &last[1..]
                ),
                format!("{first}.{last}@example{}.org", i % 40),
            )
        })
        .collect();
    let mut recent: Vec<Sent> = Vec::with_capacity(REPLY_WINDOW);
    let mut out = BufWriter::with_capacity(1 << 20, io::stdout().lock());
    let mut date = START;
    for n in 0..count {
        date += rng.range(20, 900) as i64;
        let author = rng.below(authors.len());
        let (name, address) = &authors[author];
        let message_id = format!(
            "{n}.{seed}.{}@mail.example{}.org",
            rng.next() % 1_000_000,
            author % 40
        );
        let parent = (!recent.is_empty() && !rng.chance(30)).then(|| rng.below(recent.len()));
        let (subject, references, quoted) = match parent {
            Some(p) => {
                let parent = &recent[p];
                let mut references = parent.references.clone();
                references.push(parent.message_id.clone());
                if references.len() > 12 {
                    references.drain(..references.len() - 12);
                }
                let subject = if parent.subject.starts_with("Re: ") {
                    parent.subject.clone()
                } else {
                    format!("Re: {}", parent.subject)
                };
                let start = rng.below(parent.lines.len().max(1));
                let take = rng.range(2, 12);
                let mut quoted = vec![format!(
                    "On {}, {} wrote:",
                    rfc5322_date(date - 3_600),
                    authors[parent.author].0
                )];
                quoted.extend(
                    parent
                        .lines
                        .iter()
                        .skip(start)
                        .take(take)
                        .map(|l| format!("> {l}")),
                );
                (subject, references, quoted)
            }
            None => {
                let length = rng.range(3, 9);
                let words = zipf.words(&mut rng, length);
                (words.join(" "), Vec::new(), Vec::new())
            }
        };
        let body_words = rng.range(20, 400);
        let words = zipf.words(&mut rng, body_words);
        let mut lines = Vec::new();
        for paragraph in words.chunks(60) {
            lines.extend(wrap(paragraph));
            lines.push(String::new());
        }
        let own_lines = lines.clone();
        let mut body = quoted;
        if !body.is_empty() {
            body.push(String::new());
        }
        body.extend(lines);
        if rng.chance(33) {
            body.push("-- ".into());
            body.push(name.clone());
        }
        let mut message = String::with_capacity(4096);
        message.push_str(&format!("From {address} {}\n", asctime(date)));
        message.push_str(&format!(
            "Received: from mail.example{}.org (mail.example{}.org [192.0.2.{}])\n\tby lists.example.org (Postfix) with ESMTPS id {:X}\n\tfor <bench@lists.example.org>; {}\n",
            author % 40,
            author % 40,
            author % 250 + 1,
            rng.next() & 0xFFFF_FFFF,
            rfc5322_date(date)
        ));
        message.push_str(&format!(
            "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example{}.org; s=s1;\n\th=from:to:subject:date:message-id; bh={}=;\n\tb={}\n",
            author % 40,
            base64_lines(&rng.next().to_le_bytes()).trim(),
            base64_lines(&(0..96).map(|_| rng.next() as u8).collect::<Vec<_>>()).replace('\n', "\n\t").trim()
        ));
        message.push_str(&format!("From: {name} <{address}>\n"));
        message.push_str("To: bench@lists.example.org\n");
        message.push_str(&format!("Subject: {subject}\n"));
        message.push_str(&format!("Date: {}\n", rfc5322_date(date)));
        message.push_str(&format!("Message-ID: <{message_id}>\n"));
        if let Some(last) = references.last() {
            message.push_str(&format!("In-Reply-To: <{last}>\n"));
            let refs: Vec<String> = references.iter().map(|r| format!("<{r}>")).collect();
            message.push_str(&format!("References: {}\n", refs.join("\n ")));
        }
        message.push_str("List-Id: <bench.lists.example.org>\nMIME-Version: 1.0\n");
        let text = body.join("\n") + "\n";
        if rng.chance(1) {
            let size = rng.range(8 * 1024, 40 * 1024);
            let bytes: Vec<u8> = (0..size).map(|_| rng.next() as u8).collect();
            message.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=\"b{n}\"\n\n--b{n}\nContent-Type: text/plain; charset=utf-8\n\n{text}\n--b{n}\nContent-Type: application/octet-stream; name=\"data-{n}.bin\"\nContent-Disposition: attachment; filename=\"data-{n}.bin\"\nContent-Transfer-Encoding: base64\n\n{}--b{n}--\n",
                base64_lines(&bytes)
            ));
        } else if rng.chance(1) {
            let html: String = body
                .iter()
                .map(|l| format!("<p>{}</p>\n", l.replace('>', "&gt;")))
                .collect();
            message.push_str(&format!(
                "Content-Type: text/html; charset=utf-8\n\n<html><body>\n{html}</body></html>\n"
            ));
        } else {
            message.push_str(&format!(
                "Content-Type: text/plain; charset=utf-8\n\n{text}"
            ));
        }
        // mboxrd: a body line starting with `From ` (or `>From `) gets one more `>`.
        for line in message.split_inclusive('\n').enumerate() {
            let (i, line) = line;
            let unquoted = line.trim_start_matches('>');
            if i > 0 && unquoted.starts_with("From ") {
                out.write_all(b">")?;
            }
            out.write_all(line.as_bytes())?;
        }
        out.write_all(b"\n")?;
        if recent.len() == REPLY_WINDOW {
            recent.remove(0);
        }
        recent.push(Sent {
            message_id,
            references,
            subject,
            lines: own_lines.into_iter().filter(|l| !l.is_empty()).collect(),
            author,
        });
    }
    out.flush()
}
