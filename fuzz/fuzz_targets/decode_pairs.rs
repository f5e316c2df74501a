//! Fuzz target: `fcgi::decode_pairs` on arbitrary bytes, with a re-encode round trip as the oracle.
//!
//! The first byte picks the pair limit; the rest is the params stream. Whatever decodes must
//! re-encode (with `encode_pair`) to a stream that decodes to the same pairs, and a stream
//! that decodes must not hold more pairs than the limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wwsympa::fcgi::{decode_pairs, encode_pair, PairsError};

fuzz_target!(|data: &[u8]| {
    let Some((&limit, stream)) = data.split_first() else {
        return;
    };
    let limit = usize::from(limit);
    match decode_pairs(stream, limit) {
        Ok(pairs) => {
            assert!(pairs.len() <= limit);
            let lengths: usize = pairs.iter().map(|(n, v)| n.len() + v.len()).sum();
            assert!(lengths <= stream.len());
            let mut again = Vec::new();
            for (name, value) in &pairs {
                encode_pair(&mut again, name, value);
            }
            assert_eq!(decode_pairs(&again, limit).as_ref(), Ok(&pairs));
        }
        Err(PairsError::TooManyPairs(max)) => assert_eq!(max, limit),
        Err(PairsError::Truncated) => {}
    }
});
