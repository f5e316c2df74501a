//! mbox files: reading messages out of one (mboxrd, mboxo and mboxcl2-ish files from Sympa, Mailman and mail clients) and writing them into one (mboxrd).
//!
//! A message starts at a line beginning `From ` at the start of the file or after a blank
//! line; the blank line before the next `From ` line belongs to the file, not the message.
//! Lines `>From `, `>>From `… lose one `>` when read and lines `From `, `>From `… gain one
//! when written (mboxrd), so that reading what was written gives the bytes back, provided
//! they end with a line end: mbox cannot tell a message without one, and the writer adds
//! `\n` to it. A file that does not start with `From ` is read as one message. Files with
//! CRLF line ends are read the same way.

use std::io::{self, BufRead, Write};

use crate::domain::calendar::{civil_from_days, days_from_civil, MONTH_NAMES as MONTHS, WEEKDAYS};

/// Reads messages out of an mbox file, one at a time; each comes with the byte offset of
/// its `From ` line (for progress and for resuming).
pub struct Reader<R> {
    input: R,
    /// Bytes read so far.
    offset: u64,
    /// The `From ` line read ahead, with its offset, starting the next message.
    next_from: Option<(u64, Vec<u8>)>,
    /// The `From ` line of the message last returned (empty when the file had none).
    from_line: Vec<u8>,
    /// Whether the start of the file was looked at.
    started: bool,
    /// Whether the file is one message without a `From ` line.
    single: bool,
    /// Whether the input is exhausted.
    done: bool,
}

impl<R: BufRead> Reader<R> {
    /// A reader over `input`.
    pub fn new(input: R) -> Reader<R> {
        Reader {
            input,
            offset: 0,
            next_from: None,
            from_line: Vec::new(),
            started: false,
            single: false,
            done: false,
        }
    }

    /// The `From ` line (without its end) of the message last returned; empty when the file
    /// had none.
    pub fn from_line(&self) -> &[u8] {
        &self.from_line
    }

    /// Reads one line (with its end) into `line`; false at the end of the input.
    fn read_line(&mut self, line: &mut Vec<u8>) -> io::Result<bool> {
        line.clear();
        let n = self.input.read_until(b'\n', line)?;
        self.offset += n as u64;
        Ok(n > 0)
    }

    fn read_message(&mut self) -> io::Result<Option<(u64, Vec<u8>)>> {
        let mut line = Vec::new();
        if !self.started {
            self.started = true;
            if !self.read_line(&mut line)? {
                self.done = true;
                return Ok(None);
            }
            if line.starts_with(b"From ") {
                self.next_from = Some((0, std::mem::take(&mut line)));
            } else {
                self.single = true;
                let mut message = std::mem::take(&mut line);
                self.input.read_to_end(&mut message)?;
                self.done = true;
                self.from_line.clear();
                return Ok(Some((0, message)));
            }
        }
        let Some((start, from)) = self.next_from.take() else {
            self.done = true;
            return Ok(None);
        };
        self.from_line = trim_end(&from).to_vec();
        let mut message = Vec::new();
        // Whether the last line appended was blank (a candidate separator).
        let mut last_blank_len = None;
        loop {
            let line_start = self.offset;
            if !self.read_line(&mut line)? {
                self.done = true;
                if let Some(len) = last_blank_len {
                    message.truncate(message.len() - len);
                }
                return Ok(Some((start, message)));
            }
            if last_blank_len.is_some() && line.starts_with(b"From ") {
                let len = last_blank_len.unwrap_or(0);
                message.truncate(message.len() - len);
                self.next_from = Some((line_start, std::mem::take(&mut line)));
                return Ok(Some((start, message)));
            }
            last_blank_len = match line.as_slice() {
                b"\n" => Some(1),
                b"\r\n" => Some(2),
                _ => None,
            };
            let quoted = line.iter().take_while(|b| **b == b'>').count();
            if quoted > 0 && line[quoted..].starts_with(b"From ") {
                message.extend_from_slice(&line[1..]);
            } else {
                message.extend_from_slice(&line);
            }
        }
    }
}

impl<R: BufRead> Iterator for Reader<R> {
    type Item = io::Result<(u64, Vec<u8>)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done && self.next_from.is_none() {
            return None;
        }
        if self.single {
            return None;
        }
        match self.read_message() {
            Ok(Some(message)) => Some(Ok(message)),
            Ok(None) => None,
            Err(error) => {
                self.done = true;
                self.next_from = None;
                Some(Err(error))
            }
        }
    }
}

/// `line` without its line end.
fn trim_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The date of a `From ` line (`From sender Thu Jan  1 00:00:00 2024`, a time zone allowed
/// before or after the year), in seconds since the epoch, read as UTC.
pub fn from_line_date(line: &[u8]) -> Option<i64> {
    let text = String::from_utf8_lossy(line);
    let words: Vec<&str> = text.split_whitespace().collect();
    let month_at = words
        .iter()
        .position(|w| MONTHS.iter().any(|m| m.eq_ignore_ascii_case(w)))?;
    let month = MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(words[month_at]))? as u8
        + 1;
    let day: u8 = words.get(month_at + 1)?.parse().ok()?;
    let mut time = words.get(month_at + 2)?.split(':');
    let hour: i64 = time.next()?.parse().ok()?;
    let minute: i64 = time.next()?.parse().ok()?;
    let second: i64 = time.next().unwrap_or("0").parse().ok()?;
    let year: i64 = words[month_at + 3..]
        .iter()
        .take(2)
        .find_map(|w| (w.len() == 4).then(|| w.parse().ok()).flatten())?;
    if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second)
}

/// `date` (seconds since the epoch) as asctime writes it, in UTC.
fn asctime(date: i64) -> String {
    let days = date.div_euclid(86_400);
    let seconds = date.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{} {} {:2} {:02}:{:02}:{:02} {}",
        WEEKDAYS[days.rem_euclid(7) as usize],
        MONTHS[usize::from(month) - 1],
        day,
        seconds / 3_600,
        seconds % 3_600 / 60,
        seconds % 60,
        year
    )
}

/// Writes one message in mboxrd form: a `From ` line with `envelope_from` and `date`
/// (seconds since the epoch), the bytes with `>`-quoted `From ` lines, a blank line.
///
/// An empty or unusable `envelope_from` (holding whitespace or control characters) is
/// written `MAILER-DAEMON`; bytes without a final line end get one.
pub fn write(out: &mut impl Write, envelope_from: &str, date: i64, raw: &[u8]) -> io::Result<()> {
    let sender = if envelope_from.is_empty()
        || envelope_from
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        "MAILER-DAEMON"
    } else {
        envelope_from
    };
    writeln!(out, "From {sender} {}", asctime(date))?;
    for line in raw.split_inclusive(|b| *b == b'\n') {
        let quoted = line.iter().take_while(|b| **b == b'>').count();
        if line[quoted..].starts_with(b"From ") {
            out.write_all(b">")?;
        }
        out.write_all(line)?;
    }
    if !raw.is_empty() && !raw.ends_with(b"\n") {
        out.write_all(b"\n")?;
    }
    out.write_all(b"\n")
}

/// How hard [`GzWriter`] compresses (flate2's 1 to 9): 6, the usual balance.
pub const GZIP_LEVEL: u32 = 6;

/// A gzip stream over `W` (the web's `.mbox.gz` exports): what is written to it is
/// compressed into `W`; [`GzWriter::finish`] writes the gzip trailer and gives `W` back.
pub struct GzWriter<W: Write> {
    encoder: flate2::write::GzEncoder<W>,
}

impl<W: Write> GzWriter<W> {
    /// A gzip stream writing into `inner`.
    pub fn new(inner: W) -> GzWriter<W> {
        GzWriter {
            encoder: flate2::write::GzEncoder::new(inner, flate2::Compression::new(GZIP_LEVEL)),
        }
    }

    /// Ends the stream (the rest of the compressed data and the trailer) and returns the
    /// writer underneath.
    pub fn finish(self) -> io::Result<W> {
        self.encoder.finish()
    }
}

impl<W: Write> Write for GzWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.encoder.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.encoder.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8]) -> Vec<(u64, Vec<u8>)> {
        Reader::new(bytes).map(|m| m.unwrap()).collect()
    }

    #[test]
    fn splits_on_from_lines_after_blank_lines_only() {
        let file = b"From a@b Thu Jan  1 00:00:00 2024\nSubject: one\n\nbody\nFrom here is not a separator\n\nFrom c@d Fri Jan  2 00:00:00 2024\nSubject: two\n\nx\n\n";
        let messages = read_all(file);
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].0, 0);
        assert_eq!(
            messages[0].1,
            b"Subject: one\n\nbody\nFrom here is not a separator\n".to_vec()
        );
        let second = file.windows(8).position(|w| w == b"From c@d").unwrap() as u64;
        assert_eq!(messages[1].0, second);
        assert_eq!(messages[1].1, b"Subject: two\n\nx\n".to_vec());
    }

    #[test]
    fn unescapes_one_quote_mark_and_handles_crlf() {
        let file = b"From a Thu Jan  1 00:00:00 2024\r\nS: x\r\n\r\n>From me\r\n>>From you\r\n> From not\r\n\r\nFrom b Thu Jan  1 00:00:00 2024\r\nS: y\r\n\r\n";
        let messages = read_all(file);
        assert_eq!(messages.len(), 2);
        assert_eq!(
            messages[0].1,
            b"S: x\r\n\r\nFrom me\r\n>From you\r\n> From not\r\n".to_vec()
        );
        assert_eq!(messages[1].1, b"S: y\r\n".to_vec());
    }

    #[test]
    fn a_file_without_from_line_is_one_message() {
        let file = b"Subject: x\n\nFrom here\n\nFrom there\n";
        let messages = read_all(file);
        assert_eq!(messages, vec![(0, file.to_vec())]);
        assert!(read_all(b"").is_empty());
    }

    #[test]
    fn large_messages_come_whole() {
        let body = "line of text\n".repeat(200_000);
        let mut file = Vec::new();
        write(&mut file, "a@b", 0, body.as_bytes()).unwrap();
        write(&mut file, "a@b", 0, b"S: small\n").unwrap();
        let messages = read_all(&file);
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].1, body.as_bytes());
    }

    #[test]
    fn reading_what_was_written_gives_the_bytes_back() {
        let bodies: Vec<&[u8]> = vec![
            b"Subject: a\n\nFrom the start\n",
            b"Subject: b\n\n>From quoted\n>>From twice\n\nFrom after blank\n",
            b"From first line\n",
            b"\n\n\n",
            b"Subject: crlf\r\n\r\nFrom x\r\n\r\n",
            b"",
            b"Subject: c\n\n>\n> From x\nFrom\n",
            b"Subject: trailing blank\n\nx\n\n",
        ];
        let mut file = Vec::new();
        for body in &bodies {
            write(&mut file, "sender@example.org", 1_700_000_000, body).unwrap();
        }
        let messages: Vec<Vec<u8>> = read_all(&file).into_iter().map(|m| m.1).collect();
        let expected: Vec<Vec<u8>> = bodies.iter().map(|b| b.to_vec()).collect();
        assert_eq!(messages, expected);
    }

    #[test]
    fn reading_what_was_written_gives_random_awkward_bytes_back() {
        // Bodies assembled from the pieces mbox finds hard, by a small fixed generator.
        const PIECES: &[&[u8]] = &[
            b"From ",
            b">From ",
            b">>From ",
            b"From",
            b"\n",
            b"\r\n",
            b"\n\n",
            b"x",
            b">",
            b" ",
            b"\r",
            b"From x\n",
            b"\nFrom \n",
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut bodies = Vec::new();
        for _ in 0..2_000 {
            let mut body = Vec::new();
            for _ in 0..next(12) {
                body.extend_from_slice(PIECES[next(PIECES.len())]);
            }
            bodies.push(body);
        }
        let mut file = Vec::new();
        for body in &bodies {
            write(&mut file, "s@x", 0, body).unwrap();
        }
        let read: Vec<Vec<u8>> = read_all(&file).into_iter().map(|m| m.1).collect();
        assert_eq!(read.len(), bodies.len());
        for (got, body) in read.iter().zip(&bodies) {
            let mut expected = body.clone();
            if !expected.is_empty() && !expected.ends_with(b"\n") {
                expected.push(b'\n');
            }
            assert_eq!(got, &expected, "{:?}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn a_message_without_final_line_end_gains_one() {
        let mut file = Vec::new();
        write(&mut file, "s", 0, b"S: x\n\nFrom no end").unwrap();
        write(&mut file, "s", 0, b"S: y\n\n").unwrap();
        let messages = read_all(&file);
        assert_eq!(messages[0].1, b"S: x\n\nFrom no end\n".to_vec());
        assert_eq!(messages[1].1, b"S: y\n\n".to_vec());
    }

    #[test]
    fn gzip_streams_read_back_as_the_same_mbox() {
        let mut gz = GzWriter::new(Vec::new());
        write(&mut gz, "a@b", 0, b"S: one\n\nFrom x\n").unwrap();
        write(&mut gz, "a@b", 0, b"S: two\n\nbody\n").unwrap();
        let compressed = gz.finish().unwrap();
        assert_eq!(&compressed[..2], &[0x1f, 0x8b]);
        let mut plain = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(compressed.as_slice()),
            &mut plain,
        )
        .unwrap();
        let messages: Vec<Vec<u8>> = read_all(&plain).into_iter().map(|m| m.1).collect();
        assert_eq!(
            messages,
            vec![b"S: one\n\nFrom x\n".to_vec(), b"S: two\n\nbody\n".to_vec()]
        );
    }

    #[test]
    fn from_lines_carry_their_dates() {
        let mut file = Vec::new();
        write(&mut file, "a b", 1_700_000_000, b"x\n").unwrap();
        assert!(file.starts_with(b"From MAILER-DAEMON Tue Nov 14 22:13:20 2023\n"));
        let mut reader = Reader::new(file.as_slice());
        reader.next().unwrap().unwrap();
        assert_eq!(from_line_date(reader.from_line()), Some(1_700_000_000));
        assert_eq!(
            from_line_date(b"From x@y Sat Jan  3 01:02:03 +0100 1998"),
            Some(days_from_civil(1998, 1, 3) * 86_400 + 3_723)
        );
        assert_eq!(from_line_date(b"From x@y yesterday"), None);
        assert_eq!(asctime(0), "Thu Jan  1 00:00:00 1970");
    }
}
