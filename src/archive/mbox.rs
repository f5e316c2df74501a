//! mbox files: reading messages out of one (mboxrd, mboxo and mboxcl2-ish files from Sympa, Mailman and mail clients) and writing them into one (mboxrd).

use std::io::{self, BufRead, Write};

/// Reads messages out of an mbox file, one at a time; each comes with the byte offset of
/// its `From ` line (for progress and for resuming).
pub struct Reader<R> {
    input: R,
}

impl<R: BufRead> Reader<R> {
    /// A reader over `input`.
    pub fn new(input: R) -> Reader<R> {
        Reader { input }
    }
}

impl<R: BufRead> Iterator for Reader<R> {
    type Item = io::Result<(u64, Vec<u8>)>;

    fn next(&mut self) -> Option<Self::Item> {
        let _ = &mut self.input;
        todo!()
    }
}

/// Writes one message in mboxrd form: a `From ` line with `envelope_from` and `date`
/// (seconds since the epoch), the bytes with `>`-quoted `From ` lines, a blank line.
pub fn write(out: &mut impl Write, envelope_from: &str, date: i64, raw: &[u8]) -> io::Result<()> {
    let _ = (out, envelope_from, date, raw);
    todo!()
}
