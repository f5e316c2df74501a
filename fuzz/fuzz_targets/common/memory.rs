//! The in-memory connection both door targets read from: the input bytes in short reads, the output collected.

use std::cell::{Cell, RefCell};
use std::io::{self, Read, Write};
use std::time::Duration;

/// A connection whose peer sent `input` and then closed.
pub struct Memory<'a> {
    input: &'a [u8],
    pos: Cell<usize>,
    output: RefCell<Vec<u8>>,
}

impl<'a> Memory<'a> {
    /// A connection that will read `input`.
    pub fn new(input: &'a [u8]) -> Memory<'a> {
        Memory {
            input,
            pos: Cell::new(0),
            output: RefCell::new(Vec::new()),
        }
    }

    /// What the door wrote.
    pub fn output(self) -> Vec<u8> {
        self.output.into_inner()
    }
}

impl wwsympa::fcgi::Socket for Memory<'_> {
    fn set_read_timeout(&self, _: Option<Duration>) -> io::Result<()> {
        Ok(())
    }
}

impl Read for &Memory<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let pos = self.pos.get();
        let rest = &self.input[pos..];
        // Short reads (1 to 13 bytes, varying with the position) exercise the partial-read paths.
        let n = rest.len().min(buf.len()).min(1 + pos % 13);
        buf[..n].copy_from_slice(&rest[..n]);
        self.pos.set(pos + n);
        Ok(n)
    }
}

impl Write for &Memory<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.output.borrow_mut().extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
