//! Benchmark (not a test): one post to COUNT members through the sender's distribution (personalized, DKIM per copy) to a local SMTP sink, against the raw signing rate of the same key.
//!
//! `cargo run --release --example distribution_bench -- sink PORT` runs the sink: an SMTP
//! server that offers PIPELINING, takes everything and throws it away (one thread per
//! session), until killed.
//!
//! `cargo run --release --example distribution_bench -- run DIR KEY.pem PORT [COUNT]` makes a
//! fresh SQLite site in DIR with list `bench` and COUNT members (default 100,000) over 1,000
//! domains, archives a 3 kB post and queues it (`queue_post`, timed: the post's
//! transaction), measures the key's raw RSA signing rate (32-byte digests, one thread and
//! one thread per core), then runs `Distributor::send_due` to the sink at 127.0.0.1:PORT and
//! prints recipients/s, CPU per recipient (this process only: the sink is another), and the
//! ratio to the raw rate.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use wwsympa::config::Config;
use wwsympa::domain::{Email, ListName, ReceptionMode, Visibility};
use wwsympa::mail::distribute::Distributor;
use wwsympa::mail::dmarc::Table;
use wwsympa::mail::sign::{load_key, Dkim};
use wwsympa::operations::archive::{store_message, Incoming};
use wwsympa::operations::distribution::queue_post;
use wwsympa::operations::{Channel, Env, Requester};
use wwsympa::render::Templates;
use wwsympa::store::{NewList, NewMember, Store, Target};

fn cpu_seconds() -> f64 {
    // SAFETY: getrusage fills the struct we hand it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(usage.ru_utime) + t(usage.ru_stime)
}

fn session(stream: TcpStream) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = std::io::BufWriter::new(stream);
    let _ = out
        .write_all(b"220 sink ESMTP\r\n")
        .and_then(|()| out.flush());
    let mut line = Vec::new();
    let mut in_data = false;
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if in_data {
            if line == b".\r\n" {
                in_data = false;
                let _ = out.write_all(b"250 2.0.0 queued\r\n");
            } else {
                continue;
            }
        } else {
            let upper = line.to_ascii_uppercase();
            let reply: &[u8] = if upper.starts_with(b"EHLO") {
                b"250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n"
            } else if upper.starts_with(b"DATA") {
                in_data = true;
                b"354 go ahead\r\n"
            } else if upper.starts_with(b"QUIT") {
                let _ = out.write_all(b"221 bye\r\n").and_then(|()| out.flush());
                return;
            } else {
                b"250 OK\r\n"
            };
            let _ = out.write_all(reply);
        }
        // Pipelined commands: answer them all at once, when the client waits.
        if reader.buffer().is_empty() && out.flush().is_err() {
            return;
        }
    }
}

fn sink(port: u16) {
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    eprintln!("sink: listening on 127.0.0.1:{port}");
    for stream in listener.incoming().flatten() {
        std::thread::spawn(move || session(stream));
    }
}

/// Signatures per second of wall time, and CPU seconds per signature (which other load on
/// the machine does not change).
fn raw_rate(dkim: &Dkim, threads: usize, seconds: f64) -> (f64, f64) {
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let cpu_before = cpu_seconds();
    let total: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|i| {
                scope.spawn(move || {
                    let mut n = 0;
                    let mut digest = [i as u8; 32];
                    while Instant::now() < deadline {
                        digest[0] = digest[0].wrapping_add(1);
                        dkim.sign_raw(&digest).unwrap();
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    let cpu = cpu_seconds() - cpu_before;
    (
        total as f64 / started.elapsed().as_secs_f64(),
        cpu / total as f64,
    )
}

fn post_bytes() -> Vec<u8> {
    let mut body = String::new();
    for i in 0..40 {
        body.push_str(&format!(
            "Line {i} of the announcement: caf\u{e9}, cr\u{e8}me, and some more words to fill it.\r\n"
        ));
    }
    format!(
        "From: Ann Example <ann@example.org>\r\nTo: bench@lists.example.org\r\nSubject: The benchmark post\r\nDate: Tue, 05 Mar 2024 10:00:00 +0000\r\nMessage-ID: <bench-1@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}"
    )
    .into_bytes()
}

fn run(dir: &str, key: &str, port: u16, count: usize) {
    let db_path = std::path::Path::new(dir).join("bench.db");
    let _ = std::fs::remove_file(&db_path);
    let config = Config {
        domain: "lists.example.org".into(),
        db_name: db_path.clone(),
        smtp_host: "127.0.0.1".into(),
        smtp_port: port,
        dkim_feature: true,
        dkim_private_key_path: Some(key.into()),
        dkim_selector: "bench".into(),
        maxsmtp: std::env::var("MAXSMTP")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(4),
        ..Config::default()
    };
    let mut store = Store::connect(&Target::from_config(&config).unwrap()).unwrap();
    store.migrate().unwrap();
    let list_id = store
        .db()
        .create_list(
            "lists.example.org",
            &NewList {
                name: ListName::parse("bench").unwrap(),
                subject: "bench".into(),
                description: String::new(),
                topics: vec![],
                visibility: Visibility::Noconceal,
            },
        )
        .unwrap();
    let members: Vec<NewMember> = (0..count)
        .map(|i| {
            let mut m =
                NewMember::new(Email::parse(&format!("member{i}@d{}.example", i % 1000)).unwrap());
            m.reception = ReceptionMode::Mail;
            m
        })
        .collect();
    store
        .transaction(|db| db.add_members_bulk(list_id, members.iter(), 10_000, |_| {}))
        .unwrap();
    let list = store.db().list_by_id(list_id).unwrap().unwrap();
    println!("members: {count}");

    let templates = Templates::load(None).unwrap();
    let raw = post_bytes();
    let requester = Requester::anonymous(Channel::Mail, None);
    let started = Instant::now();
    let mut env = Env::new(&mut store, &config, &templates);
    let queued = env
        .transaction(&requester, |tx| {
            let archived = store_message(
                tx.db,
                &list,
                &Incoming {
                    raw: &raw,
                    arrived_at: 1_709_632_800,
                    month: None,
                    legacy_seq: None,
                },
            )?
            .message();
            queue_post(tx, &list, archived, None)
        })
        .unwrap();
    drop(env);
    let queue_time = started.elapsed();
    println!(
        "queue_post: {} recipients queued in {:.0} ms (the post's whole transaction, archive included)",
        queued.recipients,
        queue_time.as_secs_f64() * 1000.0
    );

    let dkim = Dkim::new(
        load_key(key.as_ref()).unwrap(),
        "lists.example.org",
        "bench",
    );
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (one, cpu_per_signature) = raw_rate(&dkim, 1, 3.0);
    let (all, _) = raw_rate(&dkim, cores, 3.0);
    println!(
        "raw RSA-2048 signing (mail-auth rust-crypto): {one:.0}/s on 1 thread, {all:.0}/s on {cores} threads, {:.2} ms CPU per signature",
        cpu_per_signature * 1000.0
    );

    let mut distributor = Distributor::new(&config, Box::new(Table(Vec::new())));
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let report = distributor
        .send_due(&mut store, &config, "bench", &|| false)
        .unwrap();
    let wall = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;
    assert_eq!(report.sent, count, "{report:?}");
    let rate = count as f64 / wall;
    println!(
        "distribution: {count} copies in {wall:.1} s: {rate:.0} recipients/s, {:.2} ms CPU per recipient ({} sessions)",
        cpu * 1000.0 / count as f64,
        config.maxsmtp
    );
    println!(
        "ratio to the raw signing rate on {cores} threads: {:.0}% (goal >= 80%); on 1 thread: {:.0}%; CPU: a signature's {:.2} ms of the {:.2} ms each recipient costs ({:.0}%)",
        100.0 * rate / all,
        100.0 * rate / one,
        cpu_per_signature * 1000.0,
        cpu * 1000.0 / count as f64,
        100.0 * cpu_per_signature * count as f64 / cpu
    );
    println!(
        "load average during the run: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("sink") => sink(args[2].parse().unwrap()),
        Some("run") => run(
            &args[2],
            &args[3],
            args[4].parse().unwrap(),
            args.get(5).map_or(100_000, |c| c.parse().unwrap()),
        ),
        _ => {
            eprintln!("usage: distribution_bench sink PORT | run DIR KEY.pem PORT [COUNT]");
            std::process::exit(2);
        }
    }
}
