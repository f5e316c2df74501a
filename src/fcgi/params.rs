//! FastCGI name-value pairs (PARAMS, GET_VALUES): decoding with limits, encoding, and the byte-keyed params map.

/// Why a params stream was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PairsError {
    /// A length prefix or a name/value runs past the end of the stream.
    Truncated,
    /// More pairs than the configured limit.
    TooManyPairs(usize),
}

/// One name-value pair, as bytes.
pub type Pair = (Vec<u8>, Vec<u8>);

/// The params of one request, kept as bytes in the order the web server sent them.
///
/// FastCGI does not promise UTF-8, and real servers pass raw bytes in `REQUEST_URI`,
/// `QUERY_STRING` and cookies, so nothing here assumes text.
#[derive(Debug, Default, Clone)]
pub struct Params {
    pairs: Vec<Pair>,
}

impl Params {
    /// Builds params from pairs; used by tests and the plain HTTP front door.
    pub fn from_pairs(pairs: Vec<Pair>) -> Params {
        Params { pairs }
    }

    /// The value of the last pair named `name`, as bytes.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.pairs
            .iter()
            .rev()
            .find(|(key, _)| key.as_slice() == name.as_bytes())
            .map(|(_, value)| value.as_slice())
    }

    /// The value named `name` if it is valid UTF-8.
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.get(name)
            .and_then(|value| std::str::from_utf8(value).ok())
    }

    /// Every pair in arrival order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.pairs
            .iter()
            .map(|(name, value)| (name.as_slice(), value.as_slice()))
    }

    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Returns true if and only if there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

/// Reads one length prefix: one byte below 128, else four bytes with the top bit set.
fn read_len(bytes: &[u8], pos: &mut usize) -> Result<usize, PairsError> {
    let first = *bytes.get(*pos).ok_or(PairsError::Truncated)?;
    if first & 0x80 == 0 {
        *pos += 1;
        return Ok(first as usize);
    }
    let four = bytes.get(*pos..*pos + 4).ok_or(PairsError::Truncated)?;
    *pos += 4;
    Ok((u32::from_be_bytes([four[0], four[1], four[2], four[3]]) & 0x7fff_ffff) as usize)
}

/// Decodes a complete pair stream into pairs, refusing more than `max_pairs`.
///
/// Lengths are checked against the bytes actually present before anything is
/// allocated, so a forged length cannot make us reserve memory.
pub fn decode(bytes: &[u8], max_pairs: usize) -> Result<Vec<Pair>, PairsError> {
    let mut pairs = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        if pairs.len() >= max_pairs {
            return Err(PairsError::TooManyPairs(max_pairs));
        }
        let name_len = read_len(bytes, &mut pos)?;
        let value_len = read_len(bytes, &mut pos)?;
        let end = pos
            .checked_add(name_len)
            .and_then(|n| n.checked_add(value_len))
            .filter(|&end| end <= bytes.len())
            .ok_or(PairsError::Truncated)?;
        let name = bytes[pos..pos + name_len].to_vec();
        let value = bytes[pos + name_len..end].to_vec();
        pairs.push((name, value));
        pos = end;
    }
    Ok(pairs)
}

/// Appends one length prefix.
fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 128 {
        out.push(len as u8);
    } else {
        out.extend_from_slice(&((len as u32) | 0x8000_0000).to_be_bytes());
    }
}

/// Appends one encoded pair.
pub fn encode_pair(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    push_len(out, name.len());
    push_len(out, value.len());
    out.extend_from_slice(name);
    out.extend_from_slice(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_lengths_round_trip() {
        let long_value = vec![b'v'; 300];
        let mut out = Vec::new();
        encode_pair(&mut out, b"SHORT", b"x");
        encode_pair(&mut out, b"LONG", &long_value);
        // The long length is four bytes with the top bit set: 0x8000012c.
        assert_eq!(&out[9..13], &[0x80, 0x00, 0x01, 0x2c]);
        let pairs = decode(&out, 10).unwrap();
        assert_eq!(pairs[0], (b"SHORT".to_vec(), b"x".to_vec()));
        assert_eq!(pairs[1], (b"LONG".to_vec(), long_value));
    }

    #[test]
    fn forged_lengths_are_refused_without_allocating() {
        let stream = [0x80, 0xff, 0xff, 0xff, 0x01, b'a'];
        assert_eq!(decode(&stream, 10), Err(PairsError::Truncated));
        assert_eq!(decode(&[0x85], 10), Err(PairsError::Truncated));
        assert_eq!(decode(&[3, 0, b'a'], 10), Err(PairsError::Truncated));
    }

    #[test]
    fn pair_count_is_limited() {
        let stream = vec![0u8; 2 * 11];
        assert_eq!(decode(&stream, 10), Err(PairsError::TooManyPairs(10)));
        assert_eq!(decode(&stream[..20], 10).unwrap().len(), 10);
    }

    #[test]
    fn non_utf8_values_are_kept_and_later_pairs_survive() {
        let mut out = Vec::new();
        encode_pair(&mut out, b"HTTP_X_LATIN1", b"caf\xe9");
        encode_pair(&mut out, b"REQUEST_URI", b"/x");
        let params = Params::from_pairs(decode(&out, 10).unwrap());
        assert_eq!(params.get("HTTP_X_LATIN1"), Some(&b"caf\xe9"[..]));
        assert_eq!(params.get_str("HTTP_X_LATIN1"), None);
        assert_eq!(params.get_str("REQUEST_URI"), Some("/x"));
    }
}
