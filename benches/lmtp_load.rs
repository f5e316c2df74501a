//! Intake load generator for benches/lmtp-bench.sh: CONNS LMTP connections each send their share of COUNT posts of about SIZE bytes to one list, and the messages/s, latencies and refusals are printed.
//!
//! Usage: `lmtp_load ADDR RECIPIENT COUNT [CONNS] [SIZE]` (ADDR is HOST:PORT or unix:PATH).
//! Every message has a Message-ID of its own (`<lmtp-load-RUN-N@bench.example>`), a From,
//! a Subject and a body of plain words, so each is a new post, archived and indexed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wwsympa::lmtp::client::Client;
use wwsympa::runtime::BindSpec;

const WORDS: &[&str] = &[
    "list",
    "archive",
    "message",
    "thread",
    "reply",
    "subscribe",
    "member",
    "owner",
    "moderator",
    "digest",
    "bounce",
    "server",
    "delivery",
    "question",
    "answer",
    "patch",
    "release",
    "review",
    "meeting",
    "agenda",
    "budget",
    "report",
    "draft",
    "proposal",
    "minutes",
    "deadline",
    "update",
    "the",
    "a",
    "of",
    "to",
    "and",
    "in",
    "is",
    "for",
    "that",
    "with",
    "on",
    "we",
    "should",
];

/// A post of about `size` bytes, numbered `n`.
fn message(run: u64, n: u64, size: usize) -> Vec<u8> {
    let mut text = format!(
        "From: Sender {n} <sender{}@example.net>\r\nTo: bench@lists.example.org\r\nSubject: load test message {n} about {}\r\nMessage-ID: <lmtp-load-{run}-{n}@bench.example>\r\nDate: Sun, 29 Nov 2026 04:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
        n % 97,
        WORDS[(n as usize) % WORDS.len()]
    );
    let mut state = n
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut line = 0;
    while text.len() < size {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let word = WORDS[(state >> 33) as usize % WORDS.len()];
        text.push_str(word);
        line += word.len() + 1;
        if line > 70 {
            text.push_str("\r\n");
            line = 0;
        } else {
            text.push(' ');
        }
    }
    text.push_str("\r\n");
    text.into_bytes()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: lmtp_load ADDR RECIPIENT COUNT [CONNS] [SIZE]");
        std::process::exit(2);
    }
    let spec: BindSpec = args[1].parse().expect("ADDR: HOST:PORT or unix:PATH");
    let recipient = args[2].clone();
    let count: u64 = args[3].parse().expect("COUNT");
    let conns: u64 = args.get(4).map(|a| a.parse().expect("CONNS")).unwrap_or(4);
    let size: usize = args
        .get(5)
        .map(|a| a.parse().expect("SIZE"))
        .unwrap_or(10_000);
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let next = Arc::new(AtomicU64::new(0));
    let accepted = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(Mutex::new(Vec::<String>::new()));
    let latencies = Arc::new(Mutex::new(Vec::<Duration>::with_capacity(count as usize)));
    let began = Instant::now();
    let threads: Vec<_> = (0..conns)
        .map(|_| {
            let (spec, recipient) = (spec.clone(), recipient.clone());
            let (next, accepted, refused, latencies) = (
                next.clone(),
                accepted.clone(),
                refused.clone(),
                latencies.clone(),
            );
            std::thread::spawn(move || {
                let mut client = Client::connect(&spec, "bench.example", Duration::from_secs(60))
                    .expect("connecting to the LMTP server");
                loop {
                    let n = next.fetch_add(1, Ordering::SeqCst);
                    if n >= count {
                        break;
                    }
                    let body = message(run, n, size);
                    let sent = Instant::now();
                    let answers = client
                        .send("sender@example.net", &[recipient.as_str()], &body)
                        .expect("sending a message");
                    latencies.lock().unwrap().push(sent.elapsed());
                    match answers.first() {
                        Some(answer) if answer.code == 250 => {
                            accepted.fetch_add(1, Ordering::SeqCst);
                        }
                        Some(answer) => refused.lock().unwrap().push(answer.to_string()),
                        None => refused.lock().unwrap().push("no answer".into()),
                    }
                }
                let _ = client.quit();
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("a client thread failed");
    }
    let elapsed = began.elapsed().as_secs_f64();
    let mut latencies = latencies.lock().unwrap().clone();
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    };
    let accepted = accepted.load(Ordering::SeqCst);
    let refused = refused.lock().unwrap();
    println!(
        "messages={count} conns={conns} size={size} accepted_250={accepted} refused={} seconds={elapsed:.2} msgs_per_s={:.0} p50_ms={:.1} p99_ms={:.1}",
        refused.len(),
        accepted as f64 / elapsed,
        pct(0.5),
        pct(0.99)
    );
    if let Some(first) = refused.first() {
        println!("first refusal: {first}");
    }
}
