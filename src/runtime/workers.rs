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

/// Waits until `fd` is readable or `wake` is; returns true if and only if `fd` is.
///
/// Every thread polling the same `fd` wakes on each connection; [`accept_loop`] uses an
/// exclusive epoll wait instead and keeps this only as the fallback.
pub fn wait_readable(fd: RawFd, wake: RawFd) -> bool {
    let mut fds = [
        libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        },
        libc::pollfd {
            fd: wake,
            events: libc::POLLIN,
            revents: 0,
        },
    ];
    loop {
        let rc = unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) };
        if rc < 0 && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
            continue;
        }
        return rc > 0 && fds[1].revents == 0 && fds[0].revents & libc::POLLIN != 0;
    }
}

/// One thread's wait on the listener and the wake pipe: an epoll set in which the listener is
/// registered with `EPOLLEXCLUSIVE`, so that a new connection wakes one idle thread (of all the
/// threads and processes sharing the listener), not every one of the dozens that wait.
///
/// The kernel wakes the exclusive waiter registered first, so a thread registers again after
/// each connection it served ([`Waiter::requeue`]), which puts it at the back: idle threads
/// take their turns, and connections spread over every process sharing the listener
/// (multiwatch) instead of all going to the one whose threads registered first.
struct Waiter {
    epoll: OwnedFd,
    listener: RawFd,
}

/// Adds `target` to the epoll set `epoll` for `events`, tagged `token`.
fn epoll_add(epoll: RawFd, target: RawFd, events: libc::c_int, token: u64) -> io::Result<()> {
    let mut event = libc::epoll_event {
        events: events as u32,
        u64: token,
    };
    // SAFETY: epoll_ctl on descriptors the caller owns, with a valid event.
    if unsafe { libc::epoll_ctl(epoll, libc::EPOLL_CTL_ADD, target, &mut event) } < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// The epoll tokens.
const LISTENER: u64 = 0;
const WAKE: u64 = 1;

impl Waiter {
    fn new(listener: RawFd, wake: RawFd) -> io::Result<Waiter> {
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: epoll_create1 just made this descriptor and nothing else owns it.
        let epoll: OwnedFd = unsafe { std::os::fd::FromRawFd::from_raw_fd(fd) };
        epoll_add(epoll.as_raw_fd(), wake, libc::EPOLLIN, WAKE)?;
        let waiter = Waiter { epoll, listener };
        waiter.register()?;
        Ok(waiter)
    }

    /// Adds the listener to the set, at the back of the listener's queue of waiters.
    fn register(&self) -> io::Result<()> {
        let add = |events| epoll_add(self.epoll.as_raw_fd(), self.listener, events, LISTENER);
        // EPOLLEXCLUSIVE needs Linux 4.5; without it every waiter wakes, as with poll.
        add(libc::EPOLLIN | libc::EPOLLEXCLUSIVE).or_else(|_| add(libc::EPOLLIN))
    }

    /// Takes this thread's turn again from the back of the queue, after it served a connection.
    fn requeue(&self) {
        let mut unused = libc::epoll_event { events: 0, u64: 0 };
        // SAFETY: our own epoll set and the listener registered in it.
        unsafe {
            libc::epoll_ctl(
                self.epoll.as_raw_fd(),
                libc::EPOLL_CTL_DEL,
                self.listener,
                &mut unused,
            )
        };
        if let Err(e) = self.register() {
            log::warn!("epoll: registering the listener again: {e}");
        }
    }

    /// Waits until the listener is readable or the wake pipe is; returns true if and only if
    /// the process is not stopping.
    fn wait(&self) -> bool {
        let mut events = [libc::epoll_event { events: 0, u64: 0 }; 2];
        loop {
            let rc =
                unsafe { libc::epoll_wait(self.epoll.as_raw_fd(), events.as_mut_ptr(), 2, -1) };
            if rc < 0 {
                if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                // Not expected; the caller retries accept, and its stop flag ends the loop.
                std::thread::sleep(std::time::Duration::from_millis(100));
                return true;
            }
            let ready = &events[..rc.max(0) as usize];
            return !ready.iter().any(|event| event.u64 == WAKE);
        }
    }
}

/// Accepts connections on `listener` and hands each to `serve`, one at a time, until `ctx.stop`.
///
/// The listener must be non-blocking. Accepts first and waits only when nothing is pending:
/// under load a connection is usually queued already, and this saves a wait per connection.
pub fn accept_loop(listener: &Listener, ctx: &WorkerCtx, mut serve: impl FnMut(Stream)) {
    let waiter = match Waiter::new(listener.raw_fd(), ctx.wake) {
        Ok(waiter) => Some(waiter),
        Err(e) => {
            log::warn!("epoll: {e}; waiting with poll instead");
            None
        }
    };
    while !ctx.stop.load(Ordering::SeqCst) {
        let stream = match listener.accept() {
            Ok(stream) => stream,
            // Nothing pending, or another thread or process took it.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                match &waiter {
                    Some(waiter) => waiter.wait(),
                    None => wait_readable(listener.raw_fd(), ctx.wake),
                };
                continue;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.raw_os_error() == Some(libc::ECONNABORTED) => continue,
            Err(e) => {
                // EMFILE and friends: wait a little rather than spin, and keep going.
                log::error!("accept: {e}");
                std::thread::sleep(std::time::Duration::from_millis(100));
                continue;
            }
        };
        serve(stream);
        if let Some(waiter) = &waiter {
            waiter.requeue();
        }
    }
}

/// The FastCGI front door: connection threads accepting on one shared listener.
pub struct FcgiFront {
    listener: Listener,
    handler: Arc<dyn fcgi::Handler>,
    limits: fcgi::Limits,
}

impl FcgiFront {
    /// Serves `handler` on `listener`; the listener is made non-blocking so workers wait in poll.
    pub fn new(
        listener: Listener,
        handler: Arc<dyn fcgi::Handler>,
        limits: fcgi::Limits,
    ) -> io::Result<FcgiFront> {
        listener.set_nonblocking()?;
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
