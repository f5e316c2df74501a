//! Benchmark (not a test): the mail door alone (no LMTP, no MTA), messages per second taken
//! with `250` after each commit, as `wwsympa lmtp`'s connection threads call it.
//!
//! `cargo run --release --example intake_door -- sqlite PATH.db [COUNT] [THREADS] [SIZE]`
//! `cargo run --release --example intake_door -- postgres 'host=… user=… password=… dbname=…' [COUNT] [THREADS] [SIZE]`
//!
//! Makes a list (outsiders moderated), then delivers COUNT (default 2,000) distinct posts of
//! about SIZE bytes (default 10,240) from outsiders through `Door::deliver`, from THREADS
//! threads (default 2): each post is parsed, archived in the held state and indexed, its
//! moderation row written, in one transaction. The database must be new.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use wwsympa::config::Config;
use wwsympa::domain::{ListName, Visibility};
use wwsympa::intake::Door;
use wwsympa::lmtp::{Envelope, Mailbox};
use wwsympa::mail::Wake;
use wwsympa::store::{NewList, Store, Target};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: intake_door sqlite|postgres TARGET [COUNT] [THREADS] [SIZE]");
        std::process::exit(2);
    }
    let target = Target::parse(&args[2]).expect("a database");
    let count: usize = args.get(3).map_or(2_000, |a| a.parse().unwrap());
    let threads: usize = args.get(4).map_or(2, |a| a.parse().unwrap());
    let size: usize = args.get(5).map_or(10_240, |a| a.parse().unwrap());
    let mut store = Store::connect(&target).expect("connecting");
    store.migrate().expect("migrating");
    let config = Config {
        domain: "lists.example.org".into(),
        ..Config::default()
    };
    store
        .db()
        .create_list(
            &config.domain,
            &NewList {
                name: ListName::parse("bench").unwrap(),
                subject: "Bench".into(),
                description: String::new(),
                topics: vec![],
                visibility: Visibility::Noconceal,
            },
        )
        .expect("a new database");
    drop(store);
    let door = Arc::new(Door::new(config, target, Arc::new(Wake::new())).unwrap());
    let paragraph = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod \
                     tempor incididunt ut labore et dolore magna aliqua. ";
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let door = Arc::clone(&door);
            let next = Arc::clone(&next);
            std::thread::spawn(move || {
                let mut latencies = Vec::new();
                loop {
                    let n = next.fetch_add(1, Ordering::SeqCst);
                    if n >= count {
                        break latencies;
                    }
                    let mut body = format!("Post number {n}.\r\n");
                    while body.len() < size {
                        body.push_str(paragraph);
                        body.push_str(&format!("word{} \r\n", n % 997));
                    }
                    let raw = format!(
                        "From: Sender {n} <sender{n}@example.net>\r\nTo: bench@lists.example.org\r\nSubject: Post {n}\r\nMessage-ID: <bench.{n}@example.net>\r\nDate: Sun, 29 Nov 2026 04:00:00 +0000\r\n\r\n{body}"
                    );
                    let envelope = Envelope {
                        from: format!("sender{n}@example.net"),
                        recipients: vec!["bench@lists.example.org".into()],
                    };
                    let one = Instant::now();
                    let replies = door.deliver(&envelope, raw.as_bytes());
                    latencies.push(one.elapsed().as_secs_f64() * 1000.0);
                    assert_eq!(replies[0].code, 250, "{:?}", replies[0]);
                }
            })
        })
        .collect();
    let mut latencies: Vec<f64> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    println!(
        "{count} posts of ~{size} bytes, {threads} thread(s): {:.0} messages/s; latency p50 {:.1} ms, p99 {:.1} ms",
        count as f64 / elapsed,
        at(0.5),
        at(0.99)
    );
}
