//! `wwsympa serve`: the listener, the application, this process's outbox sender and the front door, run until stopped.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use wwsympa::config::Config;
use wwsympa::fcgi;
use wwsympa::http::plain::{self, Http, HttpFront};
use wwsympa::http::{FcgiAdapter, Gate, Service};
use wwsympa::mail;
use wwsympa::runtime::{self, BindSpec, FcgiFront, Front};
use wwsympa::soap::SoapApp;
use wwsympa::store::Target;
use wwsympa::web::{App, State};

use super::{open_store, parse_duration};

/// `wwsympa serve`'s options.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// Bind this socket when none is handed over: unix:PATH or HOST:PORT ([::1]:PORT for IPv6).
    #[arg(long, value_name = "SPEC")]
    listen: Option<BindSpec>,
    /// Serve plain HTTP on this address instead of FastCGI (for trying it out).
    #[arg(long, value_name = "HOST:PORT", conflicts_with = "listen")]
    http: Option<BindSpec>,
    /// Handler slots: requests the application works on at once. A request takes one only
    /// once it has arrived whole.
    #[arg(long, env = "WWSYMPA_THREADS", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: u16,
    /// Connections served at once, each on a thread of its own that reads the request before
    /// it takes a handler slot (at least --threads; FastCGI's FCGI_MAX_CONNS).
    #[arg(long, env = "WWSYMPA_CONNS", default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=1024))]
    conns: u16,
    /// How long a request (its head or params, and its body) may take to arrive whole;
    /// past it the request is answered 408 (or, without its head, not at all) and its
    /// connection closed.
    #[arg(long, value_parser = parse_duration, default_value = "60s", value_name = "DURATION")]
    request_timeout: Duration,
    /// Exit after this long without a request (e.g. 90s, 10m); the socket stays with systemd.
    #[arg(long, env = "WWSYMPA_IDLE_TIMEOUT", value_parser = parse_duration, value_name = "DURATION")]
    idle_timeout: Option<Duration>,
    /// Serve Sympa's SOAP interface (at the path of `soap_url`) instead of the web interface.
    #[arg(long)]
    soap: bool,
    /// With several LISTEN_FDS, the name of the one to serve (FileDescriptorName=); by default
    /// `wwsympa`, or `sympasoap` with --soap.
    #[arg(long, value_name = "NAME")]
    fd_name: Option<String>,
    /// How long a kept connection (FastCGI keep_conn, HTTP keep-alive) may stay idle between requests.
    #[arg(long, value_parser = parse_duration, default_value = "2s", value_name = "DURATION")]
    keep_conn_idle: Duration,
    /// Longest sleep of this process's outbox sender between two looks at the outbox; mail
    /// committed here wakes it at once.
    #[arg(long, value_parser = parse_duration, default_value = "5s", value_name = "DURATION")]
    outbox_poll: Duration,
}

/// How long a stopping `serve` waits for its sender thread to finish the mail in hand.
const SERVE_SENDER_GRACE: Duration = Duration::from_secs(1);

/// What `serve` runs: the web application or the SOAP one.
trait Served: Service + 'static {
    /// Wakes this process's sender.
    fn wake(&self) -> Arc<mail::Wake>;
    /// The configuration in force.
    fn current(&self) -> Config;
    /// Re-reads the configuration (SIGHUP).
    fn reload_now(&self) -> std::result::Result<(), String>;
}

impl Served for App {
    fn wake(&self) -> Arc<mail::Wake> {
        self.outbox_wake()
    }
    fn current(&self) -> Config {
        self.config()
    }
    fn reload_now(&self) -> std::result::Result<(), String> {
        self.reload()
    }
}

impl Served for SoapApp {
    fn wake(&self) -> Arc<mail::Wake> {
        self.outbox_wake()
    }
    fn current(&self) -> Config {
        self.config()
    }
    fn reload_now(&self) -> std::result::Result<(), String> {
        self.reload()
    }
}

/// Runs `wwsympa serve` until a stop signal (or the idle timeout).
pub fn run(config: Config, config_path: Option<PathBuf>, args: ServeArgs) -> Result<()> {
    let started = std::time::Instant::now();
    runtime::limit_malloc_arenas(usize::from(args.threads));
    let events = runtime::install_signals().context("installing signal handlers")?;
    let notifier = runtime::Notifier::from_env();
    // The listener first: with no socket there is nothing to do, and the message must say so.
    let listener = match &args.http {
        Some(spec) => runtime::bind(spec)?,
        None => {
            let fd_name = args
                .fd_name
                .clone()
                .unwrap_or_else(|| if args.soap { "sympasoap" } else { "wwsympa" }.to_string());
            let (listener, origin) = runtime::acquire(args.listen.as_ref(), Some(&fd_name))?;
            log::debug!("listener from {origin:?}");
            listener
        }
    };
    if args.request_timeout.is_zero() {
        bail!("--request-timeout must be longer than 0");
    }
    let db = Target::from_config(&config)?;
    // A database that cannot be reached now (PostgreSQL restarting) does not stop the
    // service: requests get 503 until it answers. Any other failure (a schema newer than
    // this build, a bad setting) does.
    let store = match open_store(&config) {
        Ok(store) => Some(store),
        Err(e) if is_unavailable(&e) => {
            log::warn!("the database cannot be reached yet ({e:#}); answering 503 until it can");
            None
        }
        Err(e) => return Err(e.context("preparing the database")),
    };
    let threads = usize::from(args.threads);
    if args.soap {
        let mut app = SoapApp::new(config, config_path)?.with_connections(threads);
        if let Some(store) = store {
            app = app.with_store(store);
        }
        serve(
            Arc::new(app),
            listener,
            db,
            &args,
            events,
            &notifier,
            started,
        )
    } else {
        let mut app = App::new(State::new(config)?, config_path)?.with_connections(threads);
        if let Some(store) = store {
            app = app.with_store(store);
        }
        serve(
            Arc::new(app),
            listener,
            db,
            &args,
            events,
            &notifier,
            started,
        )
    }
}

/// Serves `app` on `listener` until stopped, with this process's outbox sender.
fn serve<A: Served>(
    app: Arc<A>,
    listener: runtime::Listener,
    db: Target,
    args: &ServeArgs,
    events: std::sync::mpsc::Receiver<runtime::Event>,
    notifier: &runtime::Notifier,
    started: std::time::Instant,
) -> Result<()> {
    let max_body = app.current().max_body_size;
    // Mail leaves after the response: requests commit it and wake this thread, which sends it
    // (and looks every --outbox-poll for mail of other processes and retries).
    let sender = {
        let app_config = Arc::clone(&app);
        mail::SenderThread::spawn(
            "serve",
            db,
            move || app_config.current(),
            app.wake(),
            args.outbox_poll,
        )
        .context("starting the outbox sender")?
    };
    let threads = usize::from(args.threads);
    let conns = usize::from(args.conns).max(threads);
    let gate = Arc::new(Gate::new(threads));
    let front: Arc<dyn Front> = if args.http.is_some() {
        let limits = plain::Limits {
            max_body,
            keep_alive: args.keep_conn_idle,
            request_timeout: args.request_timeout,
            ..plain::Limits::default()
        };
        let http = Http::new(app.clone(), gate, limits);
        Arc::new(HttpFront::new(listener, http).context("preparing the listener")?)
    } else {
        let limits = fcgi::Limits {
            max_body,
            keep_conn_idle: args.keep_conn_idle,
            request_timeout: args.request_timeout,
            max_conns: conns,
            ..fcgi::Limits::default()
        };
        let handler = Arc::new(FcgiAdapter::new(app.clone(), max_body, gate));
        Arc::new(FcgiFront::new(listener, handler, limits).context("preparing the listener")?)
    };
    log::info!("ready in {:?}", started.elapsed());
    log::info!("{threads} handler slot(s) for {conns} connection(s)");
    let options = runtime::Options {
        connections: conns,
        idle_timeout: args.idle_timeout,
    };
    let served = runtime::run(front, &options, events, notifier, &|| app.reload_now());
    // A sender busy with a hung MTA is left behind: the lease hands its mail to another.
    sender.stop(SERVE_SENDER_GRACE);
    served?;
    Ok(())
}

/// Returns true if and only if `e` says the database cannot be reached just now.
pub(crate) fn is_unavailable(e: &anyhow::Error) -> bool {
    matches!(
        e.downcast_ref::<wwsympa::store::Error>(),
        Some(wwsympa::store::Error::Unavailable { .. })
    )
}
