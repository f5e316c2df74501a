//! LMTP on the runtime's listeners: a [`Front`] whose connection threads each run one [`session`](super::session) at a time, with socket timeouts, the stop signal seen between transactions, and a panic kept to its connection.

use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::session::{self, Conn, Ending, Limits, ReadError, Wait};
use super::Mailbox;
use crate::runtime::{accept_loop, Front, Listener, Stream, WorkerCtx};

/// How long a write may block before the client is given up.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(60);

/// Once the server is stopping, the longest wait for a client finishing its message.
pub const STOP_GRACE: Duration = Duration::from_secs(10);

/// LMTP served on a listener to a [`Mailbox`].
pub struct LmtpFront {
    listener: Listener,
    mailbox: Arc<dyn Mailbox>,
    limits: Limits,
}

impl LmtpFront {
    /// Serves `mailbox` on `listener` (made non-blocking, so threads wait in epoll).
    pub fn new(
        listener: Listener,
        mailbox: Arc<dyn Mailbox>,
        limits: Limits,
    ) -> io::Result<LmtpFront> {
        listener.set_nonblocking()?;
        Ok(LmtpFront {
            listener,
            mailbox,
            limits,
        })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> String {
        self.listener.describe()
    }

    fn serve<S>(&self, stream: &S, ctx: &WorkerCtx) -> io::Result<session::Summary>
    where
        S: AsRawFd,
        for<'s> &'s S: Read + Write,
    {
        let mut conn = SocketConn {
            stream,
            wake: ctx.wake,
            stop: &ctx.stop,
        };
        Ok(session::serve(
            &mut conn,
            self.mailbox.as_ref(),
            &self.limits,
        ))
    }
}

impl Front for LmtpFront {
    fn run_worker(&self, ctx: &WorkerCtx) {
        accept_loop(&self.listener, ctx, |stream| {
            let _guard = ctx.activity.begin();
            let served = catch_unwind(AssertUnwindSafe(|| match &stream {
                Stream::Tcp(s) => {
                    s.set_nodelay(true)?;
                    s.set_write_timeout(Some(WRITE_TIMEOUT))?;
                    self.serve(s, ctx)
                }
                Stream::Unix(s) => {
                    s.set_write_timeout(Some(WRITE_TIMEOUT))?;
                    self.serve(s, ctx)
                }
            }));
            match served {
                Ok(Ok(summary)) => {
                    let level = match summary.ending {
                        Ending::Quit | Ending::Closed | Ending::Stopping => log::Level::Debug,
                        _ => log::Level::Info,
                    };
                    log::log!(
                        level,
                        "lmtp: session ended ({:?}): {} message(s), {} delivery(ies) accepted",
                        summary.ending,
                        summary.messages,
                        summary.accepted
                    );
                }
                Ok(Err(e)) => log::warn!("lmtp: preparing a connection: {e}"),
                Err(_) => log::error!("lmtp: a session panicked; its connection is closed"),
            }
        });
    }

    fn describe(&self) -> String {
        format!("LMTP on {}", self.listener.describe())
    }
}

/// A connected socket as a session's [`Conn`]: waits in poll beside the runtime's wake pipe.
struct SocketConn<'a, S> {
    stream: &'a S,
    wake: RawFd,
    stop: &'a AtomicBool,
}

impl<S> Conn for SocketConn<'_, S>
where
    S: AsRawFd,
    for<'s> &'s S: Read + Write,
{
    fn read(&mut self, buf: &mut [u8], wait: Wait) -> Result<usize, ReadError> {
        let stopping = self.stop.load(Ordering::SeqCst);
        if stopping && wait.stoppable {
            return Err(ReadError::Stopping);
        }
        let timeout = if stopping {
            wait.timeout.min(STOP_GRACE)
        } else {
            wait.timeout
        };
        match wait_for(
            self.stream.as_raw_fd(),
            wait.stoppable.then_some(self.wake),
            timeout,
        ) {
            Readiness::Readable => {}
            Readiness::Woken => return Err(ReadError::Stopping),
            Readiness::TimedOut => return Err(ReadError::TimedOut),
        }
        let mut stream = self.stream;
        loop {
            match stream.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err(ReadError::TimedOut)
                }
                Err(e) => return Err(ReadError::Io(e)),
                Ok(n) => return Ok(n),
            }
        }
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut stream = self.stream;
        stream.write_all(bytes)?;
        stream.flush()
    }
}

enum Readiness {
    Readable,
    Woken,
    TimedOut,
}

/// Waits until `fd` is readable (or closed), `wake` is readable, or `timeout` passes.
fn wait_for(fd: RawFd, wake: Option<RawFd>, timeout: Duration) -> Readiness {
    let deadline = std::time::Instant::now() + timeout;
    let mut fds = [
        libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        },
        libc::pollfd {
            fd: wake.unwrap_or(-1),
            events: libc::POLLIN,
            revents: 0,
        },
    ];
    let count = if wake.is_some() { 2 } else { 1 };
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let ms = left.as_millis().min(i32::MAX as u128) as libc::c_int;
        // SAFETY: poll on an array of `count` initialized pollfds.
        let rc = unsafe { libc::poll(fds.as_mut_ptr(), count, ms) };
        if rc < 0 {
            if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                continue;
            }
            // Let the read report the error.
            return Readiness::Readable;
        }
        if rc == 0 {
            if left.is_zero() {
                return Readiness::TimedOut;
            }
            continue;
        }
        if fds[0].revents != 0 {
            return Readiness::Readable;
        }
        if count == 2 && fds[1].revents != 0 {
            return Readiness::Woken;
        }
    }
}
