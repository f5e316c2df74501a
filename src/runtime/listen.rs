//! Finding the listening socket: systemd's LISTEN_FDS, a listening socket on standard input, or one we bind.

use std::io;
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, RawFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;

/// Where to bind when no socket is handed over: `unix:PATH` or `HOST:PORT` (IPv6 as `[::1]:PORT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindSpec {
    /// A unix socket at this path.
    Unix(PathBuf),
    /// A TCP address, resolved at bind time.
    Tcp(String),
}

impl std::str::FromStr for BindSpec {
    type Err = String;

    fn from_str(text: &str) -> Result<BindSpec, String> {
        if let Some(path) = text.strip_prefix("unix:") {
            if path.is_empty() {
                return Err("unix: needs a path".into());
            }
            return Ok(BindSpec::Unix(PathBuf::from(path)));
        }
        let tcp = text.strip_prefix("tcp:").unwrap_or(text);
        if tcp
            .rsplit_once(':')
            .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok())
        {
            Ok(BindSpec::Tcp(tcp.to_string()))
        } else {
            Err(format!("`{text}` is neither unix:PATH nor HOST:PORT"))
        }
    }
}

/// A listening socket, unix or TCP.
#[derive(Debug)]
pub enum Listener {
    /// A unix stream socket.
    Unix(UnixListener),
    /// A TCP socket.
    Tcp(TcpListener),
}

/// An accepted connection.
pub enum Stream {
    /// From a unix socket.
    Unix(UnixStream),
    /// From a TCP socket.
    Tcp(TcpStream),
}

/// Where the listener came from, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// systemd's LISTEN_FDS, with the fd's name.
    Systemd(String),
    /// A listening socket on standard input (systemd StandardInput=socket, spawn-fcgi, multiwatch).
    Stdin,
    /// We bound it ourselves.
    Bound(String),
}

/// Why no listener could be had.
#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    /// Nothing was handed over and nothing was asked for.
    #[error("no listening socket: expected LISTEN_FDS from systemd, a listening socket on standard input, or --listen unix:PATH|HOST:PORT")]
    Nothing,
    /// LISTEN_FDS was set for us but unusable.
    #[error("systemd passed LISTEN_FDS but {0}")]
    Systemd(String),
    /// Binding failed.
    #[error("cannot listen on {spec}: {source}")]
    Bind { spec: String, source: io::Error },
    /// A socket call failed.
    #[error("{what}: {source}")]
    Os {
        what: &'static str,
        source: io::Error,
    },
}

impl Listener {
    /// Accepts one connection; the new socket is blocking and close-on-exec.
    pub fn accept(&self) -> io::Result<Stream> {
        match self {
            Listener::Unix(listener) => listener.accept().map(|(stream, _)| Stream::Unix(stream)),
            Listener::Tcp(listener) => listener.accept().map(|(stream, _)| Stream::Tcp(stream)),
        }
    }

    /// Makes accept return `WouldBlock` instead of sleeping, so workers can wait in poll.
    pub fn set_nonblocking(&self) -> io::Result<()> {
        match self {
            Listener::Unix(listener) => listener.set_nonblocking(true),
            Listener::Tcp(listener) => listener.set_nonblocking(true),
        }
    }

    /// The raw descriptor, for poll.
    pub fn raw_fd(&self) -> RawFd {
        match self {
            Listener::Unix(listener) => listener.as_raw_fd(),
            Listener::Tcp(listener) => listener.as_raw_fd(),
        }
    }

    /// A human description of the local address.
    pub fn describe(&self) -> String {
        match self {
            Listener::Unix(listener) => match listener
                .local_addr()
                .ok()
                .and_then(|a| a.as_pathname().map(|p| p.display().to_string()))
            {
                Some(path) => format!("unix:{path}"),
                None => "unix:(unnamed)".into(),
            },
            Listener::Tcp(listener) => match listener.local_addr() {
                Ok(addr) => addr.to_string(),
                Err(_) => "tcp:(unknown)".into(),
            },
        }
    }
}

/// Finds the listener: LISTEN_FDS (by `fd_name` when several), then standard input, then `bind`.
pub fn acquire(
    bind: Option<&BindSpec>,
    fd_name: Option<&str>,
) -> Result<(Listener, Origin), ListenError> {
    if let Some(found) = from_systemd(fd_name)? {
        return Ok(found);
    }
    if is_listening_socket(0) {
        // Keep the listener off fd 0 so that children never inherit it as their stdin.
        let fd = cvt(
            unsafe { libc::fcntl(0, libc::F_DUPFD_CLOEXEC, 3) },
            "moving the listener off standard input",
        )?;
        let null = cvt(
            unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR | libc::O_CLOEXEC) },
            "opening /dev/null",
        )?;
        cvt(
            unsafe { libc::dup2(null, 0) },
            "putting /dev/null on standard input",
        )?;
        unsafe { libc::close(null) };
        return Ok((wrap(fd)?, Origin::Stdin));
    }
    match bind {
        Some(spec) => bind_to(spec).map(|listener| (listener, Origin::Bound(listener_desc(spec)))),
        None => Err(ListenError::Nothing),
    }
}

/// Binds `spec` ourselves, whatever was handed over (the plain-HTTP door).
pub fn bind(spec: &BindSpec) -> Result<Listener, ListenError> {
    bind_to(spec)
}

fn listener_desc(spec: &BindSpec) -> String {
    match spec {
        BindSpec::Unix(path) => format!("unix:{}", path.display()),
        BindSpec::Tcp(addr) => addr.clone(),
    }
}

/// Reads LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES (sd_listen_fds), unsets them, and picks one socket.
fn from_systemd(fd_name: Option<&str>) -> Result<Option<(Listener, Origin)>, ListenError> {
    let (Ok(pid), Ok(count)) = (std::env::var("LISTEN_PID"), std::env::var("LISTEN_FDS")) else {
        return Ok(None);
    };
    if pid.trim().parse::<u32>().ok() != Some(std::process::id()) {
        return Ok(None);
    }
    let names = std::env::var("LISTEN_FDNAMES").unwrap_or_default();
    // The variables are meant for this process only, not its children.
    for var in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] {
        std::env::remove_var(var);
    }
    let count: i32 = count
        .trim()
        .parse()
        .map_err(|_| ListenError::Systemd(format!("LISTEN_FDS={count:?} is not a number")))?;
    if count < 1 {
        return Err(ListenError::Systemd("LISTEN_FDS is 0".into()));
    }
    let names: Vec<&str> = names.split(':').collect();
    let index = match fd_name {
        Some(wanted) if count > 1 => names
            .iter()
            .position(|name| *name == wanted)
            .filter(|&i| (i as i32) < count)
            .ok_or_else(|| {
                ListenError::Systemd(format!("no socket is named {wanted:?} in LISTEN_FDNAMES"))
            })?,
        _ => 0,
    };
    for i in 0..count {
        unsafe { libc::fcntl(3 + i, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    let fd = 3 + index as i32;
    if !is_listening_socket(fd) {
        return Err(ListenError::Systemd(format!(
            "fd {fd} is not a listening stream socket"
        )));
    }
    let name = names
        .get(index)
        .filter(|n| !n.is_empty())
        .unwrap_or(&"unnamed")
        .to_string();
    Ok(Some((wrap(fd)?, Origin::Systemd(name))))
}

/// Returns true if and only if `fd` is a socket in the listening state.
fn is_listening_socket(fd: RawFd) -> bool {
    let mut value: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_ACCEPTCONN,
            (&mut value as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    rc == 0 && value != 0
}

/// Wraps a listening fd in the std type matching its address family.
fn wrap(fd: RawFd) -> Result<Listener, ListenError> {
    let mut addr: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    cvt(
        unsafe {
            libc::getsockname(
                fd,
                (&mut addr as *mut libc::sockaddr_storage).cast(),
                &mut len,
            )
        },
        "getsockname",
    )?;
    // SAFETY: the fd is an open listening socket that nothing else in this process owns.
    match i32::from(addr.ss_family) {
        libc::AF_UNIX => Ok(Listener::Unix(unsafe { UnixListener::from_raw_fd(fd) })),
        libc::AF_INET | libc::AF_INET6 => {
            Ok(Listener::Tcp(unsafe { TcpListener::from_raw_fd(fd) }))
        }
        family => Err(ListenError::Os {
            what: "the listening socket",
            source: io::Error::other(format!("unsupported address family {family}")),
        }),
    }
}

/// Binds a socket ourselves; a stale unix socket file (nobody answering) is replaced.
fn bind_to(spec: &BindSpec) -> Result<Listener, ListenError> {
    let fail = |source| ListenError::Bind {
        spec: listener_desc(spec),
        source,
    };
    match spec {
        BindSpec::Unix(path) => {
            if path.exists() && UnixStream::connect(path).is_err() {
                let is_socket = std::fs::symlink_metadata(path)
                    .map(|meta| std::os::unix::fs::FileTypeExt::is_socket(&meta.file_type()))
                    .unwrap_or(false);
                if is_socket {
                    std::fs::remove_file(path).map_err(fail)?;
                }
            }
            UnixListener::bind(path).map(Listener::Unix).map_err(fail)
        }
        BindSpec::Tcp(addr) => {
            let addrs: Vec<_> = addr.to_socket_addrs().map_err(fail)?.collect();
            TcpListener::bind(&addrs[..])
                .map(Listener::Tcp)
                .map_err(fail)
        }
    }
}

fn cvt(rc: libc::c_int, what: &'static str) -> Result<RawFd, ListenError> {
    if rc < 0 {
        Err(ListenError::Os {
            what,
            source: io::Error::last_os_error(),
        })
    } else {
        Ok(rc)
    }
}

/// Gives back the raw fd of a listener, leaving it open; used when handing it to a child.
pub fn into_raw(listener: Listener) -> RawFd {
    match listener {
        Listener::Unix(l) => l.into_raw_fd(),
        Listener::Tcp(l) => l.into_raw_fd(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_specs_parse() {
        assert_eq!(
            "unix:/run/x.sock".parse(),
            Ok(BindSpec::Unix("/run/x.sock".into()))
        );
        assert_eq!(
            "127.0.0.1:9000".parse(),
            Ok(BindSpec::Tcp("127.0.0.1:9000".into()))
        );
        assert_eq!("[::1]:9000".parse(), Ok(BindSpec::Tcp("[::1]:9000".into())));
        assert_eq!(
            "tcp:localhost:9000".parse(),
            Ok(BindSpec::Tcp("localhost:9000".into()))
        );
        assert!("nonsense".parse::<BindSpec>().is_err());
        assert!("unix:".parse::<BindSpec>().is_err());
        assert!("host:99999".parse::<BindSpec>().is_err());
    }

    #[test]
    fn wraps_by_address_family() {
        let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
        let fd = tcp.into_raw_fd();
        assert!(is_listening_socket(fd));
        assert!(matches!(wrap(fd).unwrap(), Listener::Tcp(_)));
        let dir = std::env::temp_dir().join(format!("wwsympa-listen-{}", std::process::id()));
        let unix = UnixListener::bind(&dir).unwrap();
        let fd = unix.into_raw_fd();
        assert!(matches!(wrap(fd).unwrap(), Listener::Unix(_)));
        std::fs::remove_file(&dir).unwrap();
        assert!(!is_listening_socket(-1));
    }
}
