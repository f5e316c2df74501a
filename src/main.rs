//! The `wwsympa` command: parses the command line and wires the pieces; the only place that uses anyhow.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

mod cli;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};

use wwsympa::config::{Config, SYSTEM_CONFIG};
use wwsympa::domain::{ListName, Visibility};
use wwsympa::http::plain::{self, Http, HttpFront};
use wwsympa::http::{FcgiAdapter, Gate};
use wwsympa::mail;
use wwsympa::operations::{self, account, Env, Requester};
use wwsympa::render::Templates;
use wwsympa::runtime::{self, BindSpec, FcgiFront, Front};
use wwsympa::store::{NewList, Store};
use wwsympa::web::{App, State};
use wwsympa::{fcgi, logging};

/// Mailing-list web interface in the line of Sympa's WWSympa, served over FastCGI.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// The configuration file (TOML). Default: /etc/wwsympa/wwsympa.toml when it exists, else built-in defaults.
    #[arg(long, global = true, env = "WWSYMPA_CONFIG", value_name = "PATH")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web interface over FastCGI (or plain HTTP with --http).
    Serve(ServeArgs),
    /// Manage lists.
    List {
        #[command(subcommand)]
        command: cli::ListCommand,
    },
    /// Manage the members of a list.
    Member {
        #[command(subcommand)]
        command: cli::MemberCommand,
    },
    /// Manage the database.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Check the configuration, the database and the mail transport; exits 1 on errors.
    Check,
    /// Send the outbox (what no serving process sent, and the retries), until SIGTERM (exits 0).
    Sender {
        /// Longest sleep between two looks at the outbox.
        #[arg(long, value_parser = parse_duration, default_value = "5s", value_name = "DURATION")]
        poll: Duration,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account (without a password, its owner gets one by mail from the login page).
    Add {
        /// The address.
        email: String,
        /// Make the account a listmaster of the domain.
        #[arg(long)]
        listmaster: bool,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(clap::Args)]
struct ServeArgs {
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
    /// With several LISTEN_FDS, the name of the one to serve (FileDescriptorName=).
    #[arg(long, value_name = "NAME", default_value = "wwsympa")]
    fd_name: String,
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

/// How long a stopping `wwsympa sender` waits for the mail in hand (systemd allows 30 s).
const SENDER_GRACE: Duration = Duration::from_secs(25);

#[derive(Subcommand)]
enum DbCommand {
    /// Bring the schema up to date.
    Migrate,
    /// Add a few sample lists when the domain has none (for trying wwsympa out).
    Sample,
}

/// Parses `90`, `90s`, `500ms`, `10m`, `2h`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration such as 90s or 10m"))?;
    let seconds = match unit {
        "ms" => return Ok(Duration::from_millis(number)),
        "" | "s" => number,
        "m" | "min" => number * 60,
        "h" => number * 3600,
        _ => return Err(format!("unknown unit in `{text}`: use ms, s, m or h")),
    };
    Ok(Duration::from_secs(seconds))
}

fn main() {
    let cli = Cli::parse();
    logging::init(log::LevelFilter::Info);
    if let Err(e) = run(cli) {
        log::error!("{e:#}");
        // Standard error only: standard output may be the socket.
        std::process::exit(1);
    }
}

fn load_config(path: Option<PathBuf>) -> Result<(Config, Option<PathBuf>)> {
    let path = path.or_else(|| Some(PathBuf::from(SYSTEM_CONFIG)).filter(|p| p.exists()));
    let config = Config::load(path.as_deref())?;
    logging::init(logging::level_from_name(&config.log_level));
    Ok((config, path))
}

fn open_store(config: &Config) -> Result<Store> {
    let mut store = Store::open(&config.db_name)?;
    store.migrate()?;
    Ok(store)
}

fn run(cli: Cli) -> Result<()> {
    let (config, config_path) = load_config(cli.config)?;
    match cli.command {
        Command::Serve(args) => serve(config, config_path, args),
        Command::Db {
            command: DbCommand::Migrate,
        } => {
            let mut store = Store::open(&config.db_name)?;
            let applied = store.migrate()?;
            eprintln!(
                "{}: {applied} migration(s) applied; schema is current",
                config.db_name.display()
            );
            Ok(())
        }
        Command::Db {
            command: DbCommand::Sample,
        } => {
            let mut store = open_store(&config)?;
            if !store.lists(&config.domain)?.is_empty() {
                eprintln!("{} already has lists; nothing added", config.domain);
                return Ok(());
            }
            for (name, subject, topics) in [
                ("announce", "Announcements from the team", "news"),
                ("users", "Questions and answers between users", "support"),
                ("dev", "Development of the project", "computing/dev"),
            ] {
                store.create_list(
                    &config.domain,
                    &NewList {
                        name: ListName::parse(name)?,
                        subject: subject.into(),
                        description: String::new(),
                        topics: vec![topics.into()],
                        visibility: Visibility::Noconceal,
                    },
                )?;
            }
            eprintln!("added 3 sample lists to {}", config.domain);
            Ok(())
        }
        Command::List { command } => cli::list(&config, command),
        Command::Member { command } => cli::member(&config, command),
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    listmaster,
                    password_stdin,
                },
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .context("reading the password from standard input")?;
                Some(line.trim_end_matches(['\r', '\n']).to_string())
            } else {
                None
            };
            let mut store = open_store(&config)?;
            let templates = Templates::load(config.template_dir.as_deref())?;
            let mut env = Env::new(&mut store, &config, &templates);
            match account::create_user(
                &mut env,
                &Requester::shell(),
                &email,
                password.as_deref(),
                listmaster,
            ) {
                Ok(user) => {
                    eprintln!(
                        "created {}{}{}",
                        user.email,
                        if listmaster { " (listmaster)" } else { "" },
                        if user.has_password {
                            ""
                        } else {
                            " without a password"
                        }
                    );
                    Ok(())
                }
                Err(operations::Error::Refused(refusal)) => {
                    bail!("{}", wwsympa::messages::refusal(&refusal))
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Check => check(&config),
        Command::Sender { poll } => {
            let events = runtime::install_signals().context("installing signal handlers")?;
            drop(open_store(&config)?);
            log::info!(
                "sender: sending the outbox through {}",
                mail::Transport::from_config(&config).describe()
            );
            let db = config.db_name.clone();
            let sender = mail::SenderThread::spawn(
                "sender",
                db,
                move || config.clone(),
                Arc::new(mail::Wake::new()),
                poll,
            )
            .context("starting the sender thread")?;
            loop {
                match events.recv_timeout(Duration::from_secs(1)) {
                    Ok(runtime::signals::Event::Stop(signal)) => {
                        log::info!("{signal}: finishing the mail in hand, then exiting");
                        break;
                    }
                    Ok(runtime::signals::Event::Reload) => {
                        log::info!("SIGHUP: the sender reads its configuration at start; restart it instead")
                    }
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                }
                if sender.is_finished() {
                    bail!("the sender thread ended unexpectedly");
                }
            }
            sender.stop(SENDER_GRACE);
            Ok(())
        }
    }
}

/// `wwsympa check`: prints what is fine and what is not; errors make it exit 1.
fn check(config: &Config) -> Result<()> {
    let mut errors = 0;
    println!(
        "configuration: ok (domain {}, wwsympa_url {})",
        config.domain, config.wwsympa_url
    );
    if config.domain == "localhost" {
        println!("warning: domain is still `localhost`; set `domain` to the lists' mail domain");
    }
    match Store::open(&config.db_name) {
        Err(e) => {
            println!("error: database {}: {e}", config.db_name.display());
            errors += 1;
        }
        Ok(store) => match store.is_current() {
            Ok(true) => {
                let lists = store.lists(&config.domain)?.len();
                let outbox = store.db().outbox_counts()?;
                println!(
                    "database: ok ({}; schema current; {lists} open list(s) in {})",
                    config.db_name.display(),
                    config.domain
                );
                println!(
                    "outbox: {} pending, {} sending, {} sent, {} given up",
                    outbox.pending, outbox.sending, outbox.sent, outbox.failed
                );
                if outbox.failed > 0 {
                    println!("warning: some mail was given up; see the outbox's last_error");
                }
            }
            Ok(false) => {
                println!(
                    "error: database {} is not at the current schema; run `wwsympa db migrate`",
                    config.db_name.display()
                );
                errors += 1;
            }
            Err(e) => {
                println!("error: database {}: {e}", config.db_name.display());
                errors += 1;
            }
        },
    }
    match Templates::load(config.template_dir.as_deref()).and_then(|t| t.check_all()) {
        Ok(()) => println!("templates: ok"),
        Err(e) => {
            println!("error: {e}");
            errors += 1;
        }
    }
    let transport = mail::Transport::from_config(config);
    match transport.check() {
        Ok(()) => println!("mail: ok ({})", transport.describe()),
        Err(e) => println!(
            "warning: mail: {e}; mail stays in the outbox until `wwsympa sender` can deliver it"
        ),
    }
    if errors > 0 {
        bail!("{errors} error(s)");
    }
    Ok(())
}

fn serve(config: Config, config_path: Option<PathBuf>, args: ServeArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let events = runtime::install_signals().context("installing signal handlers")?;
    let notifier = runtime::Notifier::from_env();
    // The listener first: with no socket there is nothing to do, and the message must say so.
    let listener = match &args.http {
        Some(spec) => runtime::bind(spec)?,
        None => {
            let (listener, origin) = runtime::acquire(args.listen.as_ref(), Some(&args.fd_name))?;
            log::debug!("listener from {origin:?}");
            listener
        }
    };
    if args.request_timeout.is_zero() {
        bail!("--request-timeout must be longer than 0");
    }
    let store = open_store(&config).context("preparing the database")?;
    let max_body = config.max_body_size;
    let db = config.db_name.clone();
    let app = Arc::new(App::new(State::new(config)?, config_path).with_store(store));
    // Mail leaves after the response: requests commit it and wake this thread, which sends it
    // (and looks every --outbox-poll for mail of other processes and retries).
    let sender = {
        let app_config = Arc::clone(&app);
        mail::SenderThread::spawn(
            "serve",
            db,
            move || app_config.config(),
            app.outbox_wake(),
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
    let served = runtime::run(front, &options, events, &notifier, &|| app.reload());
    // A sender busy with a hung MTA is left behind: the lease hands its mail to another.
    sender.stop(SERVE_SENDER_GRACE);
    served?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5d").is_err());
    }
}
