//! Fuzz target: arbitrary bytes as a whole FastCGI connection into `fcgi::serve_connection`.
//!
//! The stream is in memory (input bytes in, output collected), the handler reads the body
//! and writes a tiny response. The oracle: no panic escapes, and whatever the responder
//! wrote is a well-formed sequence of version-1 records with 8-byte padding.
#![no_main]

use std::io::{Read, Write};
use std::sync::atomic::AtomicBool;

use libfuzzer_sys::fuzz_target;
use wwsympa::fcgi::{self, Handler, Limits, Output, Request};

#[path = "common/memory.rs"]
mod memory;

use memory::Memory;

/// Reads the whole body (within the limit), then answers with the byte count.
struct ReadBody;

impl Handler for ReadBody {
    fn handle(&self, mut request: Request<'_>, out: &mut Output<'_>) -> u32 {
        let mut body = Vec::new();
        let status = match request.body.read_to_end(&mut body) {
            Ok(_) => "200 OK",
            Err(_) => "413 Content Too Large",
        };
        let uri = request.params.get("REQUEST_URI").unwrap_or_default().len();
        let _ = write!(
            out,
            "Status: {status}\r\nContent-Type: text/plain\r\n\r\n{} {uri}\n",
            body.len()
        );
        0
    }
}

/// Checks that `out` is a sequence of whole, padded, version-1 records.
fn check_records(mut out: &[u8]) {
    while !out.is_empty() {
        assert!(out.len() >= 8, "a partial record header was written");
        assert_eq!(out[0], 1, "version");
        let content = usize::from(u16::from_be_bytes([out[4], out[5]]));
        let padding = usize::from(out[6]);
        assert_eq!((content + padding) % 8, 0, "records are padded to 8 bytes");
        assert!(
            matches!(out[1], 3 | 6 | 7 | 10 | 11),
            "the responder sent record type {}",
            out[1]
        );
        let total = 8 + content + padding;
        assert!(out.len() >= total, "a partial record was written");
        out = &out[total..];
    }
}

fuzz_target!(|data: &[u8]| {
    let stream = Memory::new(data);
    let limits = Limits {
        max_params_bytes: 4096,
        max_pairs: 64,
        max_body: 1024,
        ..Limits::default()
    };
    let stop = AtomicBool::new(false);
    let _ = fcgi::serve_connection(&stream, &ReadBody, &limits, &stop);
    check_records(&stream.output());
});
