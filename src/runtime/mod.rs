//! Process life: connection threads on a front door, signals, idle exit and systemd notification; knows nothing of mailing lists.
//!
//! Each connection thread accepts on the shared listener and serves one connection at a time
//! ([`accept_loop`]). There are many of them (a few dozen): a slow client holds one connection
//! thread, not the application, which the front doors enter through a few handler slots only
//! once a request has arrived whole (`http::Gate`).

pub mod listen;
pub mod notify;
pub mod signals;
pub mod workers;

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

pub use listen::{acquire, bind, BindSpec, ListenError, Listener, Origin, Stream};
pub use notify::Notifier;
pub use workers::{accept_loop, wait_readable, Activity, FcgiFront, Front, WorkerCtx};

pub use signals::Event;

/// How the process runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Connection threads, each serving one connection at a time.
    pub connections: usize,
    /// Exit 0 after this long without a request (the socket stays with whoever handed it over).
    pub idle_timeout: Option<Duration>,
}

/// Caps glibc's malloc arenas at `arenas`. glibc gives threads up to eight arenas per core
/// and a thread keeps the one it first used; with dozens of connection threads that is
/// megabytes of resident memory for nothing, since only a few threads (the handler slots)
/// do most of the allocating at once. Call before the threads start.
pub fn limit_malloc_arenas(arenas: usize) {
    let arenas = arenas.clamp(1, 64) as libc::c_int;
    // SAFETY: mallopt only changes an allocator setting; no thread has its arena yet.
    if unsafe { libc::mallopt(libc::M_ARENA_MAX, arenas) } != 1 {
        log::debug!("mallopt(M_ARENA_MAX, {arenas}) was refused");
    }
}

/// How often STATUS= is refreshed when the counters changed.
const STATUS_EVERY: Duration = Duration::from_secs(5);

/// Installs the signal handlers; call before anything slow, so a stop asked during start-up is not lost.
pub fn install_signals() -> io::Result<mpsc::Receiver<Event>> {
    let (sender, receiver) = mpsc::channel();
    signals::forward(sender)?;
    Ok(receiver)
}

/// Runs `front` on `options.connections` threads until a stop signal or the idle timeout; returns when all have finished.
///
/// `reload` is called on SIGHUP; its error is logged and the old state kept.
pub fn run(
    front: Arc<dyn Front>,
    options: &Options,
    events: mpsc::Receiver<Event>,
    notifier: &Notifier,
    reload: &dyn Fn() -> Result<(), String>,
) -> io::Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    let wake = workers::WakePipe::new()?;
    let activity = Arc::new(Activity::new());
    let mut threads = Vec::new();
    for index in 0..options.connections.max(1) {
        let front = Arc::clone(&front);
        let ctx = WorkerCtx {
            stop: Arc::clone(&stop),
            wake: wake.read_fd(),
            activity: Arc::clone(&activity),
        };
        threads.push(
            std::thread::Builder::new()
                .name(format!("conn-{index}"))
                .spawn(move || front.run_worker(&ctx))?,
        );
    }
    log::info!(
        "serving {} with {} connection thread(s)",
        front.describe(),
        threads.len()
    );
    notifier.send(&format!("READY=1\nSTATUS=serving {}", front.describe()));

    let tick = notifier
        .watchdog_interval()
        .map(|interval| (interval / 2).min(Duration::from_secs(1)))
        .unwrap_or(Duration::from_secs(1));
    let mut last_status = (Instant::now(), 0);
    loop {
        match events.recv_timeout(tick) {
            Ok(Event::Stop(signal)) => {
                log::info!(
                    "{signal}: finishing {} request(s) in flight, then exiting",
                    activity.in_flight()
                );
                break;
            }
            Ok(Event::Reload) => {
                notifier.send("RELOADING=1");
                match reload() {
                    Ok(()) => log::info!("SIGHUP: configuration and templates reloaded"),
                    Err(e) => {
                        log::error!("SIGHUP: reload failed, keeping the running configuration: {e}")
                    }
                }
                notifier.send("READY=1");
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if notifier.watchdog_interval().is_some() {
            notifier.send("WATCHDOG=1");
        }
        let served = activity.served();
        if served != last_status.1 && last_status.0.elapsed() >= STATUS_EVERY {
            notifier.send(&format!(
                "STATUS={served} requests served, {} in flight",
                activity.in_flight()
            ));
            last_status = (Instant::now(), served);
        }
        if let Some(idle) = options.idle_timeout {
            if activity.in_flight() == 0 && activity.idle_for() >= idle {
                log::info!(
                    "no request for {}s: exiting until the next connection",
                    idle.as_secs_f32()
                );
                break;
            }
        }
    }
    notifier.send("STOPPING=1");
    stop.store(true, Ordering::SeqCst);
    wake.wake_all();
    for thread in threads {
        if thread.join().is_err() {
            log::error!("a connection thread panicked while stopping");
        }
    }
    log::info!("stopped after {} request(s)", activity.served());
    Ok(())
}
