//! Fuzz target: arbitrary bytes as a whole plain-HTTP connection into `plain::Http::serve_connection`.
//!
//! The stream is in memory (input bytes in, in short reads; output collected), the service
//! answers with the sizes it saw and asks for a smaller body limit on `/small`. The oracle:
//! no panic escapes, and what the door wrote is a sequence of whole HTTP/1.1 answers, each
//! with a known status and one Content-Length its body (if any) matches, nothing after an
//! answer that says `Connection: close`, and no 408 (nothing here can time out).
#![no_main]

use std::io;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use wwsympa::http::plain::{self, Http};
use wwsympa::http::{Gate, Request, Response, Service};
use wwsympa::runtime::Activity;

#[path = "common/memory.rs"]
mod memory;

use memory::Memory;

impl plain::Socket for Memory<'_> {
    fn shutdown_write(&self) -> io::Result<()> {
        Ok(())
    }
}

/// Answers with the body and path lengths; `/small` may have 16 bytes of body at most.
struct Sizes;

impl Service for Sizes {
    fn call(&self, request: &Request) -> Response {
        Response::text(
            200,
            format!("{} {}", request.body.len(), request.path.len()),
        )
    }

    fn body_limit(&self, request: &Request) -> Option<u64> {
        request.path.starts_with("/small").then_some(16)
    }
}

/// Checks that `out` is a sequence of whole HTTP/1.1 answers (see the module comment).
fn check_answers(mut out: &[u8]) {
    while !out.is_empty() {
        let mut fields = [httparse::EMPTY_HEADER; 16];
        let mut answer = httparse::Response::new(&mut fields);
        let len = match answer.parse(out) {
            Ok(httparse::Status::Complete(len)) => len,
            other => panic!(
                "not a whole answer: {other:?} in {:?}",
                String::from_utf8_lossy(out)
            ),
        };
        let status = answer.code.unwrap();
        assert!(
            matches!(status, 100 | 200 | 400 | 413 | 417 | 431 | 501),
            "status {status}"
        );
        assert_eq!(answer.version, Some(1));
        out = &out[len..];
        if status == 100 {
            continue;
        }
        let lengths: Vec<usize> = answer
            .headers
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case("content-length"))
            .map(|f| std::str::from_utf8(f.value).unwrap().parse().unwrap())
            .collect();
        assert_eq!(lengths.len(), 1, "one Content-Length");
        let close = answer
            .headers
            .iter()
            .any(|f| f.name.eq_ignore_ascii_case("connection") && f.value == b"close");
        // A HEAD answer has no body: then the next answer (or the end) follows at once. No
        // body here starts like an answer.
        if !(out.is_empty() || out.starts_with(b"HTTP/1.1 ")) {
            assert!(
                out.len() >= lengths[0],
                "a body shorter than its Content-Length"
            );
            out = &out[lengths[0]..];
        }
        if close {
            assert!(out.is_empty(), "bytes after Connection: close");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let stream = Memory::new(data);
    let limits = plain::Limits {
        max_head: 1024,
        max_headers: 16,
        max_body: 1024,
        ..plain::Limits::default()
    };
    let http = Http::new(Arc::new(Sizes), Arc::new(Gate::new(1)), limits);
    let stop = AtomicBool::new(false);
    let _ = http.serve_connection(&stream, None, &Activity::new(), &stop);
    check_answers(&stream.output());
});
