//! The `wwsympa` command: parses the command line and hands it to one of `cli/`'s commands.

use std::path::PathBuf;
use std::time::Duration;

mod cli;

use anyhow::Result;
use clap::{Parser, Subcommand};

use wwsympa::logging;

use cli::parse_duration;

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
    /// Serve the web interface over FastCGI (or plain HTTP with --http); with --soap, Sympa's
    /// SOAP interface.
    Serve(cli::serve::ServeArgs),
    /// Manage lists.
    List {
        #[command(subcommand)]
        command: cli::lists::ListCommand,
    },
    /// Manage the members of a list.
    Member {
        #[command(subcommand)]
        command: cli::lists::MemberCommand,
    },
    /// Manage the database.
    Db {
        #[command(subcommand)]
        command: cli::db::DbCommand,
    },
    /// Manage list archives: import, reindex, list.
    Archive {
        #[command(subcommand)]
        command: cli::archive::ArchiveCommand,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: cli::user::UserCommand,
    },
    /// The SOAP interface's trusted applications: make a password hash.
    Soap {
        #[command(subcommand)]
        command: cli::soap::SoapCommand,
    },
    /// Check the configuration, the database and the mail transport; exits 1 on errors.
    /// `wwsympa check mta` checks the MTA's routing to wwsympa instead.
    Check {
        #[command(subcommand)]
        what: Option<cli::check::CheckCommand>,
    },
    /// The MTA glue: static Postfix maps.
    Mta {
        #[command(subcommand)]
        command: cli::mta::MtaCommand,
    },
    /// Answer Postfix's socketmap lookups (transport, recipients, domains) from the database,
    /// until SIGTERM.
    Socketmap(cli::socketmap::SocketmapArgs),
    /// Receive mail over LMTP (RFC 2033) from the MTA, on the socket systemd hands over
    /// (wwsympa-lmtp.socket) or --listen.
    Lmtp(cli::lmtp::LmtpArgs),
    /// Deliver one message read on standard input (for MTAs that pipe: Postfix pipe(8), Exim);
    /// exits 0, 67 (no such address), 65 (refused) or 75 (try again later).
    Deliver(cli::lmtp::DeliverArgs),
    /// Run the due jobs once: digests of held posts for moderators, reminders half-way to
    /// their expiry, expiry; bounce warnings and removals; digests of list mail (`wwsympa
    /// sender` runs them every minute).
    Jobs {
        /// Run as if the time were this (seconds since the epoch), for tests and catching up.
        #[arg(long, value_name = "EPOCH")]
        at: Option<i64>,
    },
    /// Send the outbox (what no serving process sent, and the retries), and run the due jobs
    /// every minute, until SIGTERM (exits 0).
    Sender {
        /// Longest sleep between two looks at the outbox.
        #[arg(long, value_parser = parse_duration, default_value = "5s", value_name = "DURATION")]
        poll: Duration,
    },
}

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // An MTA running `wwsympa deliver` with bad arguments must keep the message: EX_TEMPFAIL.
        Err(e) if is_deliver() && e.use_stderr() => {
            let _ = e.print();
            std::process::exit(cli::lmtp::EX_TEMPFAIL);
        }
        Err(e) => e.exit(),
    };
    logging::init(log::LevelFilter::Info);
    let cli = match cli.command {
        Command::Deliver(args) => std::process::exit(cli::lmtp::deliver(cli.config, args)),
        command => Cli { command, ..cli },
    };
    if let Err(e) = run(cli) {
        log::error!("{e:#}");
        // Standard error only: standard output may be the socket.
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<()> {
    let (config, config_path) = cli::load_config(cli.config)?;
    match cli.command {
        Command::Serve(args) => cli::serve::run(config, config_path, args),
        Command::Db { command } => cli::db::run(&config, command),
        Command::List { command } => cli::lists::list(&config, command),
        Command::Member { command } => cli::lists::member(&config, command),
        Command::User { command } => cli::user::run(&config, command),
        Command::Archive { command } => cli::archive::run(&config, command),
        Command::Soap { command } => cli::soap::run(command),
        Command::Check { what: None } => cli::check::run(&config),
        Command::Check {
            what: Some(cli::check::CheckCommand::Mta(args)),
        } => cli::mta::check(&config, &args),
        Command::Mta { command } => cli::mta::run(&config, command),
        Command::Socketmap(args) => cli::socketmap::run(config, args),
        Command::Jobs { at } => cli::jobs::run(&config, at),
        Command::Sender { poll } => cli::sender::run(config, poll),
        Command::Lmtp(args) => cli::lmtp::run(config, config_path, args),
        // Answered in main, with sysexits codes.
        Command::Deliver(_) => Ok(()),
    }
}

/// Returns true if and only if the command line asks for `wwsympa deliver`.
fn is_deliver() -> bool {
    std::env::args_os().skip(1).any(|arg| arg == "deliver")
}
