//! `wwsympa socketmap`: Postfix's socketmap lookups (`transport`, `recipients`, `domains`) answered live from the database, on the same runtime as the other services (LISTEN_FDS, fd 0, `--listen`; notify, idle exit, graceful stop).

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use wwsympa::config::Config;
use wwsympa::intake::socketmap::{self, Answer, DEFAULT_TRANSPORT};
use wwsympa::runtime::{self, accept_loop, BindSpec, Front, Listener, Stream, WorkerCtx};
use wwsympa::store::{Pool, Target};

use super::{open_store, parse_duration};

/// `wwsympa socketmap`'s options.
#[derive(clap::Args)]
pub struct SocketmapArgs {
    /// Bind this socket when none is handed over: HOST:PORT (127.0.0.1:8025) or unix:PATH.
    #[arg(long, value_name = "SPEC")]
    listen: Option<BindSpec>,
    /// What the `transport` map answers for our addresses: the LMTP next hop of `wwsympa lmtp`.
    #[arg(long, env = "WWSYMPA_LMTP_TRANSPORT", default_value = DEFAULT_TRANSPORT, value_name = "TRANSPORT")]
    transport: String,
    /// Connections served at once (Postfix keeps one per process that looks up, and closes it
    /// after 10 s idle).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=1024))]
    conns: u16,
    /// Longest wait for a client's next request before its connection is closed (a stop
    /// signal closes idle connections within a second).
    #[arg(long, value_parser = parse_duration, default_value = "60s", value_name = "DURATION")]
    read_timeout: Duration,
    /// Exit after this long without a connection (e.g. 10m); the socket stays with systemd.
    #[arg(long, env = "WWSYMPA_SOCKETMAP_IDLE_TIMEOUT", value_parser = parse_duration, value_name = "DURATION")]
    idle_timeout: Option<Duration>,
    /// With several LISTEN_FDS, the name of the one to serve (FileDescriptorName=).
    #[arg(long, value_name = "NAME", default_value = "wwsympa-socketmap")]
    fd_name: String,
}

/// How often a connection waiting for its next request looks whether the process stops.
const STOP_CHECK: Duration = Duration::from_secs(1);

/// The socketmap front door: connection threads on one listener, one database connection
/// from the pool per lookup.
struct SocketmapFront {
    listener: Listener,
    pool: Pool,
    config: Config,
    transport: String,
    read_timeout: Duration,
}

impl SocketmapFront {
    fn serve<S: Read + Write>(&self, stream: &mut S, ctx: &WorkerCtx) {
        let result = socketmap::serve(stream, &ctx.stop, self.read_timeout, |map, key| {
            let _request = ctx.activity.begin();
            match self.pool.get() {
                Ok(store) => {
                    socketmap::lookup(&store.db(), &self.config, &self.transport, map, key)
                }
                Err(e) => {
                    log::error!("socketmap {map} {key}: {e}");
                    Answer::Temp("database unavailable".into())
                }
            }
        });
        match result {
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => log::warn!("closing a socketmap connection: {e}"),
        }
    }
}

impl Front for SocketmapFront {
    fn run_worker(&self, ctx: &WorkerCtx) {
        accept_loop(&self.listener, ctx, |stream| match stream {
            Stream::Unix(mut s) => {
                let _ = s.set_nonblocking(false);
                let _ = s.set_read_timeout(Some(STOP_CHECK));
                self.serve(&mut s, ctx);
            }
            Stream::Tcp(mut s) => {
                let _ = s.set_nonblocking(false);
                let _ = s.set_read_timeout(Some(STOP_CHECK));
                let _ = s.set_nodelay(true);
                self.serve(&mut s, ctx);
            }
        });
    }

    fn describe(&self) -> String {
        format!("socketmap on {}", self.listener.describe())
    }
}

/// Runs `wwsympa socketmap` until a stop signal (or the idle timeout).
pub fn run(config: Config, args: SocketmapArgs) -> Result<()> {
    let events = runtime::install_signals().context("installing signal handlers")?;
    let notifier = runtime::Notifier::from_env();
    let (listener, origin) = runtime::acquire(args.listen.as_ref(), Some(&args.fd_name))?;
    log::debug!("listener from {origin:?}");
    if args.read_timeout.is_zero() {
        bail!("--read-timeout must be longer than 0");
    }
    if args.transport.trim().is_empty() || args.transport.contains(char::is_whitespace) {
        bail!(
            "--transport {:?} is not a Postfix next hop such as {DEFAULT_TRANSPORT}",
            args.transport
        );
    }
    let db = Target::from_config(&config)?;
    // Lookups answer TEMP (Postfix defers) until the database answers.
    match open_store(&config) {
        Ok(store) => drop(store),
        Err(e) => {
            log::warn!("the database cannot be used yet ({e:#}); answering TEMP until it can")
        }
    }
    listener
        .set_nonblocking()
        .context("preparing the listener")?;
    let conns = usize::from(args.conns);
    let front: Arc<dyn Front> = Arc::new(SocketmapFront {
        listener,
        pool: Pool::new(db, conns),
        config,
        transport: args.transport,
        read_timeout: args.read_timeout,
    });
    let options = runtime::Options {
        connections: conns,
        idle_timeout: args.idle_timeout,
    };
    runtime::run(front, &options, events, &notifier, &|| {
        Err(
            "wwsympa socketmap reads its configuration at start: restart it to apply changes"
                .into(),
        )
    })?;
    Ok(())
}
