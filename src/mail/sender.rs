//! The outbox sender: claims due mail under a lease, hands it to the MTA and records the outcome;
//! one loop for the thread in each serving process (woken on commit) and for `wwsympa sender`.
//!
//! A request never talks to the MTA: it commits its outbox rows and calls [`Wake::notify`].
//! The sender thread wakes, claims what is due ([`crate::store::Db::claim_due_mail`]: one
//! statement, so two senders, in one process or in several, never claim the same row), sends
//! it and marks it sent, or reschedules it with backoff. It also looks every `poll` for rows
//! that other processes queued or that wait for a retry. A sender that dies holding claims
//! leaves them for the others once the lease has run out.
//!
//! The same loop, woken by the same [`Wake`], then works list distribution
//! ([`super::distribute`]): the recipients of posts, claimed under leases in the same way.

use std::sync::{mpsc, Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::distribute::Distributor;
use super::{Error, Transport};
use crate::config::Config;
use crate::store::{self, ClaimedMail, Store, Target};

/// How long a claim keeps other senders off a message, in seconds: longer than one SMTP
/// dialogue that meets every 20-second step timeout. Renewed while a batch is being sent.
pub const LEASE_SECONDS: i64 = 300;

/// How often a sender renews the lease on the batch it is working through.
const RENEW_EVERY: Duration = Duration::from_secs(60);

/// Messages claimed at once.
const BATCH: u32 = 20;

/// How often expired sessions and tickets are purged.
const PURGE_EVERY: Duration = Duration::from_secs(600);

/// The shortest pause between two rounds, so a store that keeps failing is not hammered.
const MIN_PAUSE: Duration = Duration::from_millis(100);

/// Wakes a sender: "mail was committed" or "stop". Shared between the request threads and
/// the sender thread of one process.
#[derive(Debug, Default)]
pub struct Wake {
    state: Mutex<WakeState>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct WakeState {
    /// Bumped by every [`Wake::notify`].
    notified: u64,
    stopping: bool,
}

impl Wake {
    /// A signal nobody has raised yet.
    pub fn new() -> Wake {
        Wake::default()
    }

    fn lock(&self) -> MutexGuard<'_, WakeState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Says that mail was committed: the sender looks at the outbox now.
    pub fn notify(&self) {
        self.lock().notified += 1;
        self.changed.notify_all();
    }

    /// Asks the sender to stop after the message in hand.
    pub fn stop(&self) {
        self.lock().stopping = true;
        self.changed.notify_all();
    }

    /// Returns true if and only if [`Wake::stop`] was called.
    pub fn stopping(&self) -> bool {
        self.lock().stopping
    }

    fn notified(&self) -> u64 {
        self.lock().notified
    }

    /// Waits until a notification after `seen`, a stop, or `timeout`.
    fn wait(&self, seen: u64, timeout: Duration) {
        let guard = self.lock();
        let _unused = self
            .changed
            .wait_timeout_while(guard, timeout, |s| s.notified == seen && !s.stopping)
            .unwrap_or_else(|p| p.into_inner());
    }
}

/// A name for one sender, unique across hosts and processes: `host:pid:role:random`. It is
/// what `claimed_by` holds.
pub fn sender_name(role: &str) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into());
    let nonce: String = crate::auth::random_token()
        .unwrap_or_default()
        .chars()
        .take(8)
        .collect();
    format!("{host}:{}:{role}:{nonce}", std::process::id())
}

/// What one [`send_due`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Handed to the MTA.
    pub sent: usize,
    /// Not taken; will be retried.
    pub deferred: usize,
    /// Not taken, and too old to retry: given up.
    pub failed: usize,
    /// Claimed but not tried, given back at once (a stop, or [`OnFailure::Stop`]).
    pub left: usize,
}

/// What [`send_due`] does with the rest once a message could not be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnFailure {
    /// Try each of them (the sender: every message gets its attempt).
    GoOn,
    /// Give them back, untried, to the senders (the shell: one timeout is all it waits).
    Stop,
}

/// Seconds to wait after `attempts` failed tries: `first` doubled each time, at most an hour.
pub fn retry_delay(first: u64, attempts: u32) -> i64 {
    let delay = first.max(1).saturating_mul(1u64 << attempts.min(20));
    delay.min(3600) as i64
}

/// Claims and sends, as sender `who`, every message that is due, batch after batch, until
/// none is left or `stop` says so.
///
/// A message the MTA refuses is retried later; after `mail_retry_period` it is given up.
/// Only store failures are errors; send failures are recorded on the message. On an error,
/// the claims still held stay until their lease runs out, unless the caller releases them.
pub fn send_due(
    store: &Store,
    transport: &Transport,
    config: &Config,
    who: &str,
    on_failure: OnFailure,
    stop: &dyn Fn() -> bool,
) -> Result<Delivery, Error> {
    let mut report = Delivery::default();
    while !stop() {
        let batch = store.db().claim_due_mail(who, LEASE_SECONDS, BATCH)?;
        if batch.is_empty() {
            break;
        }
        let mut renewed = Instant::now();
        let mut left = 0;
        for mail in &batch {
            let halted = on_failure == OnFailure::Stop && report.deferred + report.failed > 0;
            if halted || stop() {
                left += 1;
                continue;
            }
            if renewed.elapsed() >= RENEW_EVERY {
                store.db().renew_mail_claims(who, LEASE_SECONDS)?;
                renewed = Instant::now();
            }
            send_one(store, transport, config, who, mail, &mut report)?;
        }
        if left > 0 {
            store.db().release_mail_claims(who)?;
            report.left += left;
            break;
        }
    }
    Ok(report)
}

/// Sends one claimed message and records how it went.
fn send_one(
    store: &Store,
    transport: &Transport,
    config: &Config,
    who: &str,
    mail: &ClaimedMail,
    report: &mut Delivery,
) -> Result<(), Error> {
    let id = mail.id;
    match transport.send(&mail.envelope_from, &mail.recipients, &mail.message) {
        Ok(()) => {
            if store.db().mail_sent(id, who)? {
                log::info!(
                    "mail #{id} ({}) to {} sent",
                    mail.kind,
                    mail.recipients.join(", ")
                );
            } else {
                log::warn!(
                    "mail #{id} ({}) sent after its claim ran out; another sender may send it too",
                    mail.kind
                );
            }
            report.sent += 1;
        }
        Err(e) => {
            let age = store::now() - mail.created_at;
            let give_up = age > config.mail_retry_period as i64;
            let retry_in = (!give_up).then(|| retry_delay(config.mail_retry_delay, mail.attempts));
            store.db().mail_failed(id, who, &e.to_string(), retry_in)?;
            if give_up {
                log::error!("mail #{id} ({}) given up: {e}", mail.kind);
                report.failed += 1;
            } else {
                log::warn!(
                    "mail #{id} ({}) deferred {}s: {e}",
                    mail.kind,
                    retry_in.unwrap_or(0)
                );
                report.deferred += 1;
            }
        }
    }
    Ok(())
}

/// Runs sender `who` on the database `db` until `wake` is stopped: sends whatever is due,
/// then sleeps until notified, until the next message is due, or `poll` at most; purges
/// expired sessions and tickets now and then. `config` is read again each round (a reload
/// changes where mail goes).
///
/// Store errors are logged and retried after a pause: a busy or briefly missing database
/// must not stop the sender.
pub fn run(db: &Target, config: &dyn Fn() -> Config, wake: &Wake, who: &str, poll: Duration) {
    let mut store: Option<Store> = None;
    let mut last_purge: Option<Instant> = None;
    // List distribution's keys and caches, made again when the configuration changes.
    let mut distributor: Option<(Config, Distributor)> = None;
    while !wake.stopping() {
        let seen = wake.notified();
        let config = config();
        let mut round = || -> Result<Option<i64>, Error> {
            let store = match &mut store {
                Some(store) => store,
                None => store.insert(Store::connect(db)?),
            };
            if last_purge.is_none_or(|at| at.elapsed() > PURGE_EVERY) {
                store.db().purge_expired()?;
                last_purge = Some(Instant::now());
            }
            // Notices first: a confirmation must not wait behind a post to 100,000 members.
            let transport = Transport::from_config(&config);
            send_due(store, &transport, &config, who, OnFailure::GoOn, &|| {
                wake.stopping()
            })?;
            let distributor = match &mut distributor {
                Some((made_with, distributor)) if *made_with == config => distributor,
                _ => {
                    &mut distributor
                        .insert((config.clone(), Distributor::from_config(&config)))
                        .1
                }
            };
            distributor.send_due(store, &config, who, &|| wake.stopping())?;
            let mail = store.db().next_mail_due_in()?;
            let rcpts = store.db().next_rcpt_due_in()?;
            Ok(match (mail, rcpts) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            })
        };
        let wait = match round() {
            Ok(Some(seconds)) => Duration::from_secs(seconds as u64).min(poll),
            Ok(None) => poll,
            Err(e) => {
                log::error!("sender: {e}");
                // Give back what this round still held, and start again on a fresh connection.
                if let Some(store) = store.take() {
                    if let Err(e) = store.db().release_mail_claims(who) {
                        log::warn!("sender: releasing claims: {e}");
                    }
                    if let Err(e) = store.db().release_rcpt_claims(who) {
                        log::warn!("sender: releasing recipient claims: {e}");
                    }
                }
                poll
            }
        };
        wake.wait(seen, wait.max(MIN_PAUSE));
    }
    log::info!("sender: stopping");
}

/// A sender running on a thread of its own; [`SenderThread::stop`] ends it.
pub struct SenderThread {
    wake: Arc<Wake>,
    /// Disconnected when the thread ends, however it ends.
    done: mpsc::Receiver<()>,
    handle: Option<JoinHandle<()>>,
}

/// How long dropping a [`SenderThread`] waits for it.
const DROP_GRACE: Duration = Duration::from_secs(1);

impl SenderThread {
    /// Starts [`run`] on a thread named `outbox-sender`, as sender [`sender_name`]`(role)`.
    pub fn spawn(
        role: &str,
        db: Target,
        config: impl Fn() -> Config + Send + 'static,
        wake: Arc<Wake>,
        poll: Duration,
    ) -> std::io::Result<SenderThread> {
        let (done_tx, done) = mpsc::channel::<()>();
        let who = sender_name(role);
        let thread_wake = Arc::clone(&wake);
        let handle = std::thread::Builder::new()
            .name("outbox-sender".into())
            .spawn(move || {
                let _done = done_tx;
                log::debug!("sender {who}: started");
                run(&db, &config, &thread_wake, &who, poll);
            })?;
        Ok(SenderThread {
            wake,
            done,
            handle: Some(handle),
        })
    }

    /// Returns true if and only if the thread has ended (a panic included).
    pub fn is_finished(&self) -> bool {
        self.handle.as_ref().is_none_or(|h| h.is_finished())
    }

    /// Stops the sender and waits up to `grace` for it; true if it ended in time.
    ///
    /// A sender still waiting on the MTA after `grace` is left behind: the process exits
    /// without it, the MTA never sees the message's end, and the lease hands the message
    /// to another sender later.
    pub fn stop(mut self, grace: Duration) -> bool {
        self.stop_within(grace)
    }

    fn stop_within(&mut self, grace: Duration) -> bool {
        let Some(handle) = self.handle.take() else {
            return true;
        };
        self.wake.stop();
        match self.done.recv_timeout(grace) {
            Err(mpsc::RecvTimeoutError::Timeout) => {
                log::warn!(
                    "sender: still busy after {grace:?}; its claims go to another sender when their lease runs out"
                );
                false
            }
            _ => {
                if handle.join().is_err() {
                    log::error!("sender: the thread panicked");
                }
                true
            }
        }
    }
}

impl Drop for SenderThread {
    fn drop(&mut self) {
        self.stop_within(DROP_GRACE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewMail;

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_delay(60, 0), 60);
        assert_eq!(retry_delay(60, 1), 120);
        assert_eq!(retry_delay(60, 5), 1920);
        assert_eq!(retry_delay(60, 6), 3600);
        assert_eq!(retry_delay(60, 200), 3600);
        assert_eq!(retry_delay(0, 0), 1);
    }

    /// With no MTA listening, the shell tries one message and gives the rest back, still
    /// due; the sender tries each.
    #[test]
    fn the_shell_stops_at_the_first_failure_and_the_sender_does_not() {
        let mut store = Store::open_in_memory().unwrap();
        store.migrate().unwrap();
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let config = Config {
            smtp_host: "127.0.0.1".into(),
            smtp_port: closed.local_addr().unwrap().port(),
            ..Config::default()
        };
        drop(closed);
        let mail = NewMail {
            kind: "welcome".into(),
            list: None,
            envelope_from: "sympa@lists.example.org".into(),
            recipients: vec!["a@example.org".into()],
            message: b"Subject: hi\r\n\r\nhi\r\n".to_vec(),
        };
        for _ in 0..3 {
            store.db().enqueue_mail(&mail).unwrap();
        }
        let transport = Transport::from_config(&config);
        let never = || false;
        let report = send_due(&store, &transport, &config, "cli", OnFailure::Stop, &never).unwrap();
        assert_eq!((report.sent, report.deferred, report.left), (0, 1, 2));
        let counts = store.db().outbox_counts().unwrap();
        assert_eq!(
            (counts.pending, counts.sending),
            (3, 0),
            "nothing kept claimed"
        );
        let report = send_due(
            &store,
            &transport,
            &config,
            "sender",
            OnFailure::GoOn,
            &never,
        )
        .unwrap();
        assert_eq!((report.deferred, report.left), (2, 0));
        // All three now wait for their retry.
        let again = send_due(
            &store,
            &transport,
            &config,
            "sender",
            OnFailure::GoOn,
            &never,
        );
        assert_eq!(again.unwrap(), Delivery::default());
    }

    #[test]
    fn a_notification_before_the_wait_is_not_lost() {
        let wake = Wake::new();
        let seen = wake.notified();
        wake.notify();
        let started = Instant::now();
        wake.wait(seen, Duration::from_secs(30));
        assert!(started.elapsed() < Duration::from_secs(5));
        let stopping = Arc::new(Wake::new());
        let waiter = Arc::clone(&stopping);
        let thread =
            std::thread::spawn(move || waiter.wait(waiter.notified(), Duration::from_secs(30)));
        stopping.stop();
        thread.join().unwrap();
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
