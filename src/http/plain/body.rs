//! Request bodies in `Transfer-Encoding: chunked`, decoded within a size limit from any buffered reader.

use std::io::{self, BufRead, Read};

/// Longest chunk-size line (with its extensions) or trailer line.
const MAX_LINE: usize = 4096;
/// Most trailer bytes accepted (they are read and dropped).
const MAX_TRAILERS: usize = 16 * 1024;

/// Why a chunked body could not be had.
#[derive(Debug)]
pub enum ChunkedError {
    /// The chunks add up to more than the limit (nothing past it is kept).
    TooLarge,
    /// Not valid chunked coding, or the connection ended inside it.
    Malformed(&'static str),
    /// Reading failed (a timeout included).
    Io(io::Error),
}

impl From<io::Error> for ChunkedError {
    fn from(e: io::Error) -> ChunkedError {
        ChunkedError::Io(e)
    }
}

/// Reads one CRLF-terminated line (returned without its CRLF), of at most [`MAX_LINE`] bytes.
fn read_line<R: BufRead>(reader: &mut R, line: &mut Vec<u8>) -> Result<(), ChunkedError> {
    line.clear();
    loop {
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        if buf.is_empty() {
            return Err(ChunkedError::Malformed(
                "the connection ended inside the chunked body",
            ));
        }
        let (take, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(at) => (at + 1, true),
            None => (buf.len(), false),
        };
        if line.len() + take > MAX_LINE + 2 {
            return Err(ChunkedError::Malformed("a chunk line is too long"));
        }
        line.extend_from_slice(&buf[..take]);
        reader.consume(take);
        if done {
            line.pop();
            if line.pop() != Some(b'\r') {
                return Err(ChunkedError::Malformed("a chunk line does not end in CRLF"));
            }
            return Ok(());
        }
    }
}

/// Parses a chunk-size line: hex digits, then optional whitespace and `;extensions` (ignored).
fn chunk_size(line: &[u8]) -> Option<u64> {
    let end = line
        .iter()
        .position(|&b| !b.is_ascii_hexdigit())
        .unwrap_or(line.len());
    let (digits, rest) = line.split_at(end);
    let rest = rest.trim_ascii_start();
    if digits.is_empty() || digits.len() > 15 || !(rest.is_empty() || rest[0] == b';') {
        return None;
    }
    u64::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

/// Decodes a chunked body of at most `max` bytes from `reader`, trailers read and dropped.
///
/// Stops at the first byte past the limit ([`ChunkedError::TooLarge`]); leaves `reader` just
/// past the body, so a following request can be read.
pub fn read_chunked<R: BufRead>(reader: &mut R, max: u64) -> Result<Vec<u8>, ChunkedError> {
    let mut body = Vec::new();
    let mut line = Vec::new();
    loop {
        read_line(reader, &mut line)?;
        let size = chunk_size(&line).ok_or(ChunkedError::Malformed("a chunk size is not valid"))?;
        if size == 0 {
            let mut trailers = 0;
            loop {
                read_line(reader, &mut line)?;
                if line.is_empty() {
                    return Ok(body);
                }
                trailers += line.len();
                if trailers > MAX_TRAILERS {
                    return Err(ChunkedError::Malformed("the trailers are too long"));
                }
            }
        }
        if body.len() as u64 + size > max {
            return Err(ChunkedError::TooLarge);
        }
        let before = body.len();
        reader.by_ref().take(size).read_to_end(&mut body)?;
        if (body.len() - before) as u64 != size {
            return Err(ChunkedError::Malformed(
                "the connection ended inside a chunk",
            ));
        }
        read_line(reader, &mut line)?;
        if !line.is_empty() {
            return Err(ChunkedError::Malformed(
                "chunk data is not followed by CRLF",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(input: &[u8], max: u64) -> Result<(Vec<u8>, Vec<u8>), ChunkedError> {
        let mut reader = io::BufReader::with_capacity(7, input);
        let body = read_chunked(&mut reader, max)?;
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).unwrap();
        Ok((body, rest))
    }

    #[test]
    fn chunks_extensions_and_trailers_decode_and_the_rest_is_left() {
        let (body, rest) = decode(
            b"5;name=value\r\nhello\r\n6 ; x\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\nGET /next",
            100,
        )
        .unwrap();
        assert_eq!(body, b"hello world");
        assert_eq!(rest, b"GET /next");
        let (body, _) = decode(b"A\r\n0123456789\r\n0\r\n\r\n", 10).unwrap();
        assert_eq!(body, b"0123456789");
    }

    #[test]
    fn over_the_limit_is_too_large_before_the_chunk_is_read() {
        assert!(matches!(
            decode(b"ffffffffffffff\r\n", 1000),
            Err(ChunkedError::TooLarge)
        ));
        assert!(matches!(
            decode(b"6\r\nhello!\r\n6\r\nhello!\r\n0\r\n\r\n", 11),
            Err(ChunkedError::TooLarge)
        ));
    }

    #[test]
    fn malformed_chunking_is_refused() {
        for input in [
            &b"\r\nhello\r\n0\r\n\r\n"[..],
            b"-5\r\nhello\r\n0\r\n\r\n",
            b"5x\r\nhello\r\n0\r\n\r\n",
            b"1000000000000000\r\n",
            b"5\nhello\r\n0\r\n\r\n",
            b"5\r\nhelloX\r\n0\r\n\r\n",
            b"5\r\nhel",
            b"5\r\nhello\r\n0\r\n",
        ] {
            assert!(
                matches!(decode(input, 100), Err(ChunkedError::Malformed(_))),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
        let long = [b'1'; 5000];
        assert!(matches!(
            decode(&long, 100),
            Err(ChunkedError::Malformed(_))
        ));
    }
}
