//! Connection threads: each waits on the shared listener and serves one connection at a time until told to stop.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crate::fcgi;

use super::listen::{Listener, Stream};

/// Counters shared by the workers and the supervisor: requests in flight, served, and the last activity.
pub struct Activity {
    started: Instant,
    in_flight: AtomicUsize,
    served: AtomicU64,
    /// Milliseconds since `started` at the last request's end.
    last_ms: AtomicU64,
}

impl Activity {
    /// Fresh counters, with "now" as the last activity.
    pub fn new() -> Activity {
        Activity {
            started: Instant::now(),
            in_flight: AtomicUsize::new(0),
            served: AtomicU64::new(0),
            last_ms: AtomicU64::new(0),
        }
    }

    /// Marks a request as begun; the returned guard marks it ended when dropped.
    pub fn begin(&self) -> RequestGuard<'_> {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        RequestGuard { activity: self }
    }

    /// Requests being served now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// Requests answered since start.
    pub fn served(&self) -> u64 {
        self.served.load(Ordering::Relaxed)
    }

    /// Time since the last request ended (or since start).
    pub fn idle_for(&self) -> std::time::Duration {
        let now = self.started.elapsed();
        now.saturating_sub(std::time::Duration::from_millis(
            self.last_ms.load(Ordering::Relaxed),
        ))
    }
}

impl Default for Activity {
    fn default() -> Activity {
        Activity::new()
    }
}

/// Ends a request's accounting when dropped.
pub struct RequestGuard<'a> {
    activity: &'a Activity,
}

impl Drop for RequestGuard<'_> {
    fn drop(&mut self) {
        let activity = self.activity;
        activity.served.fetch_add(1, Ordering::Relaxed);
        activity.last_ms.store(
            activity.started.elapsed().as_millis() as u64,
            Ordering::Relaxed,
        );
        activity.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What each worker thread needs to know about stopping.
pub struct WorkerCtx {
    /// Set when the process is stopping.
    pub stop: Arc<AtomicBool>,
    /// Becomes readable when the process is stopping; workers poll it beside their listener.
    pub wake: RawFd,
    /// Shared counters.
    pub activity: Arc<Activity>,
}

/// A front door served by connection threads: FastCGI or plain HTTP on a listener.
pub trait Front: Send + Sync {
    /// Runs one connection thread's loop until `ctx.stop` is set.
    fn run_worker(&self, ctx: &WorkerCtx);
    /// A short description for the log.
    fn describe(&self) -> String;
}

/// A self-pipe whose read end becomes readable once `wake_all` is called.
pub struct WakePipe {
    read: OwnedFd,
    write: OwnedFd,
}

impl WakePipe {
    /// Opens the pipe (close-on-exec).
    pub fn new() -> io::Result<WakePipe> {
        let mut fds = [0; 2];
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: pipe2 just created both descriptors and nothing else owns them.
        let (read, write) = unsafe {
            (
                std::os::fd::FromRawFd::from_raw_fd(fds[0]),
                std::os::fd::FromRawFd::from_raw_fd(fds[1]),
            )
        };
        Ok(WakePipe { read, write })
    }

    /// The end to poll.
    pub fn read_fd(&self) -> RawFd {
        self.read.as_raw_fd()
    }

    /// Makes the read end readable for good: every poller wakes.
    pub fn wake_all(&self) {
        let byte = 1u8;
        unsafe { libc::write(self.write.as_raw_fd(), (&byte as *const u8).cast(), 1) };
    }
}

/// How long a connection thread blocks in `accept` before it looks at the stop flag again.
pub const ACCEPT_WAIT: std::time::Duration = std::time::Duration::from_millis(200);

/// Accepts connections on `listener` and hands each to `serve`, one at a time, until `ctx.stop`.
///
/// The listener must be blocking with [`ACCEPT_WAIT`] as its receive timeout
/// ([`Listener::set_accept_timeout`]). Each thread blocks in `accept` itself: the kernel
/// queues blocked acceptors first come, first served, across every thread and process
/// sharing the listener, so that the connections spread over the processes (multiwatch,
/// several instances) instead of going to whichever registered first, as an exclusive epoll
/// wait does, or waking every waiter, as `poll` does. A thread that has just served goes to
/// the back of that queue. A stop is seen within [`ACCEPT_WAIT`]; a connection accepted as
/// the stop comes is still served.
pub fn accept_loop(listener: &Listener, ctx: &WorkerCtx, mut serve: impl FnMut(Stream)) {
    while !ctx.stop.load(Ordering::SeqCst) {
        let stream = match listener.accept() {
            Ok(stream) => stream,
            // The accept timeout: look at the stop flag and wait again.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) =>
            {
                continue
            }
            Err(e) if e.raw_os_error() == Some(libc::ECONNABORTED) => continue,
            Err(e) => {
                // EMFILE and friends: wait a little rather than spin, and keep going.
                log::error!("accept: {e}");
                std::thread::sleep(std::time::Duration::from_millis(100));
                continue;
            }
        };
        serve(stream);
    }
}

/// The FastCGI front door: connection threads accepting on one shared listener.
pub struct FcgiFront {
    listener: Listener,
    handler: Arc<dyn fcgi::Handler>,
    limits: fcgi::Limits,
}

impl FcgiFront {
    /// Serves `handler` on `listener`; its threads block in `accept` ([`accept_loop`]).
    pub fn new(
        listener: Listener,
        handler: Arc<dyn fcgi::Handler>,
        limits: fcgi::Limits,
    ) -> io::Result<FcgiFront> {
        listener.set_accept_timeout(ACCEPT_WAIT)?;
        Ok(FcgiFront {
            listener,
            handler,
            limits,
        })
    }
}

/// Counts requests around the application's handler.
struct Counted<'a> {
    inner: &'a dyn fcgi::Handler,
    activity: &'a Activity,
}

impl fcgi::Handler for Counted<'_> {
    fn handle(&self, request: fcgi::Request<'_>, out: &mut fcgi::Output<'_>) -> u32 {
        let _guard = self.activity.begin();
        self.inner.handle(request, out)
    }
}

impl Front for FcgiFront {
    fn run_worker(&self, ctx: &WorkerCtx) {
        let counted = Counted {
            inner: self.handler.as_ref(),
            activity: &ctx.activity,
        };
        accept_loop(&self.listener, ctx, |stream| {
            let result = match &stream {
                Stream::Unix(s) => fcgi::serve_connection(s, &counted, &self.limits, &ctx.stop),
                Stream::Tcp(s) => fcgi::serve_connection(s, &counted, &self.limits, &ctx.stop),
            };
            if let Err(e) = result {
                log::warn!("closing a FastCGI connection: {e}");
            }
        });
    }

    fn describe(&self) -> String {
        format!("FastCGI on {}", self.listener.describe())
    }
}
