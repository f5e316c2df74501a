//! `wwsympa lmtp` (the LMTP server on the runtime, with this process's outbox sender) and `wwsympa deliver` (one message on standard input for MTAs that pipe, answered with sysexits codes).

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use wwsympa::config::Config;
use wwsympa::intake::Door;
use wwsympa::lmtp::client::{Answer, Client};
use wwsympa::lmtp::{self, Envelope, LmtpFront, Mailbox, Reply};
use wwsympa::mail;
use wwsympa::runtime::{self, BindSpec, Front};
use wwsympa::store::Target;

use super::{open_store, parse_duration};

/// `wwsympa lmtp`'s options.
#[derive(clap::Args)]
pub struct LmtpArgs {
    /// Bind this socket when none is handed over: HOST:PORT ([::1]:PORT for IPv6) or unix:PATH.
    #[arg(long, value_name = "SPEC")]
    listen: Option<BindSpec>,
    /// Connections served at once, each on a thread of its own (Postfix opens up to
    /// lmtp_destination_concurrency_limit, 20 by default).
    #[arg(long, env = "WWSYMPA_LMTP_CONNS", default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=1024))]
    conns: u16,
    /// Longest wait for a client's next command or data line.
    #[arg(long, value_parser = parse_duration, default_value = "300s", value_name = "DURATION")]
    read_timeout: Duration,
    /// Longest session (a client is then told 421 and disconnected).
    #[arg(long, value_parser = parse_duration, default_value = "1h", value_name = "DURATION")]
    session_timeout: Duration,
    /// Recipients accepted per message; more get 452 4.5.3 (the client sends them again).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(100..=100_000))]
    max_recipients: u32,
    /// Exit after this long without a connection (e.g. 90s, 10m); the socket stays with systemd.
    #[arg(long, env = "WWSYMPA_LMTP_IDLE_TIMEOUT", value_parser = parse_duration, value_name = "DURATION")]
    idle_timeout: Option<Duration>,
    /// With several LISTEN_FDS, the name of the one to serve (FileDescriptorName=).
    #[arg(long, value_name = "NAME", default_value = "wwsympa-lmtp")]
    fd_name: String,
    /// Longest sleep of this process's outbox sender between two looks at the outbox; mail
    /// committed here wakes it at once.
    #[arg(long, value_parser = parse_duration, default_value = "5s", value_name = "DURATION")]
    outbox_poll: Duration,
}

/// How long a stopping `wwsympa lmtp` waits for its sender thread to finish the mail in hand.
const LMTP_SENDER_GRACE: Duration = Duration::from_secs(5);

/// Runs `wwsympa lmtp` until a stop signal (or the idle timeout).
pub fn run(config: Config, _config_path: Option<PathBuf>, args: LmtpArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let events = runtime::install_signals().context("installing signal handlers")?;
    let notifier = runtime::Notifier::from_env();
    let (listener, origin) = runtime::acquire(args.listen.as_ref(), Some(&args.fd_name))?;
    log::debug!("listener from {origin:?}");
    if args.read_timeout.is_zero() || args.session_timeout.is_zero() {
        bail!("--read-timeout and --session-timeout must be longer than 0");
    }
    let db = Target::from_config(&config)?;
    // The schema brought up to date when the database answers; when it does not (PostgreSQL
    // restarting), the door answers 451 until it does. Any other failure stops here.
    match open_store(&config) {
        Ok(store) => drop(store),
        Err(e) if super::serve::is_unavailable(&e) => {
            log::warn!("the database cannot be reached yet ({e:#}); answering 451 until it can")
        }
        Err(e) => return Err(e.context("preparing the database")),
    }
    let wake = Arc::new(mail::Wake::new());
    let door = Door::new(config.clone(), db.clone(), Arc::clone(&wake))
        .context("opening the mail door")?;
    let sender = {
        let config = config.clone();
        mail::SenderThread::spawn("lmtp", db, move || config.clone(), wake, args.outbox_poll)
            .context("starting the outbox sender")?
    };
    let limits = lmtp::Limits {
        hostname: config.domain.clone(),
        max_recipients: args.max_recipients as usize,
        idle_timeout: args.read_timeout,
        session_timeout: args.session_timeout,
        ..lmtp::Limits::default()
    };
    let front: Arc<dyn Front> = Arc::new(
        LmtpFront::new(listener, Arc::new(door), limits).context("preparing the listener")?,
    );
    log::info!("ready in {:?}", started.elapsed());
    let options = runtime::Options {
        connections: usize::from(args.conns),
        idle_timeout: args.idle_timeout,
    };
    let served = runtime::run(front, &options, events, &notifier, &|| {
        Err("wwsympa lmtp reads its configuration at start: restart it to apply changes".into())
    });
    sender.stop(LMTP_SENDER_GRACE);
    served?;
    Ok(())
}

/// `wwsympa deliver`'s options.
#[derive(clap::Args)]
pub struct DeliverArgs {
    /// The envelope recipient (Postfix pipe: ${recipient}; Exim: $local_part@$domain).
    #[arg(long, value_name = "ADDR")]
    recipient: String,
    /// The envelope sender (Postfix pipe: ${sender}); empty or absent for the null sender.
    #[arg(long, value_name = "ADDR", default_value = "")]
    sender: String,
    /// Hand the message to this LMTP server (HOST:PORT or unix:PATH) instead of the database.
    #[arg(long, value_name = "SPEC")]
    lmtp: Option<BindSpec>,
    /// How long the LMTP server may take for each step (with --lmtp).
    #[arg(long, value_parser = parse_duration, default_value = "300s", value_name = "DURATION")]
    timeout: Duration,
}

/// sysexits(3): delivered.
pub const EX_OK: i32 = 0;
/// sysexits(3): the message was refused for good (a 5xx other than an unknown address).
pub const EX_DATAERR: i32 = 65;
/// sysexits(3): no such recipient (550 5.1.1), or a renamed list's old address (550 5.1.6).
pub const EX_NOUSER: i32 = 67;
/// sysexits(3): try again later (4xx, the database down, anything unexpected).
pub const EX_TEMPFAIL: i32 = 75;

/// The exit code for an answer: 0 for 2xx, 67 for 5.1.1 (unknown) and 5.1.6 (a renamed
/// list's old address: the text on standard error says where it went), 65 for another 5xx,
/// 75 otherwise.
pub fn exit_code(code: u16, status: Option<&str>) -> i32 {
    match code {
        200..=299 => EX_OK,
        500..=599 if matches!(status, Some("5.1.1" | "5.1.6")) => EX_NOUSER,
        500..=599 => EX_DATAERR,
        _ => EX_TEMPFAIL,
    }
}

/// Runs `wwsympa deliver`; returns the process's exit code. Everything it says goes to
/// standard error, which the MTA logs and quotes in its bounce.
pub fn deliver(config: Option<PathBuf>, args: DeliverArgs) -> i32 {
    match try_deliver(config, &args) {
        Ok((code, line)) => {
            if code == EX_OK {
                log::debug!("deliver: {} <- {:?}: {line}", args.recipient, args.sender);
            } else {
                eprintln!("{line}");
            }
            code
        }
        Err(e) => {
            eprintln!("wwsympa deliver: {e:#} (temporary failure, the MTA will try again)");
            EX_TEMPFAIL
        }
    }
}

/// Delivers; returns the exit code and the answer's line.
fn try_deliver(config: Option<PathBuf>, args: &DeliverArgs) -> Result<(i32, String)> {
    let (config, _) = super::load_config(config)?;
    let max = config.max_body_size;
    let mut message = Vec::new();
    std::io::stdin()
        .lock()
        .take(max.saturating_add(1))
        .read_to_end(&mut message)
        .context("reading the message on standard input")?;
    if message.len() as u64 > max {
        let reply = Reply::new(
            552,
            "5.3.4",
            format!("Message too big: the limit is {max} bytes"),
        );
        return Ok((exit_code(reply.code, Some(reply.status)), line(&reply)));
    }
    let message = crlf(&message);
    if let Some(spec) = &args.lmtp {
        let mut client = Client::connect(spec, &config.domain, args.timeout)
            .with_context(|| format!("connecting to the LMTP server {spec:?}"))?;
        let answers = client
            .send(&args.sender, &[args.recipient.as_str()], &message)
            .context("talking to the LMTP server")?;
        let _ = client.quit();
        let answer = answers.into_iter().next().unwrap_or(Answer {
            code: 451,
            text: "4.3.0 no answer".into(),
        });
        return Ok((exit_code(answer.code, answer.status()), answer.to_string()));
    }
    let db = Target::from_config(&config)?;
    // The wwsympa-sender service sends what this delivery queues (within its poll).
    let door =
        Door::new(config, db, Arc::new(mail::Wake::new())).context("opening the mail door")?;
    Ok(in_process(&door, &args.sender, &args.recipient, &message))
}

/// The same steps as an LMTP session: the recipient, then the message.
fn in_process(door: &dyn Mailbox, sender: &str, recipient: &str, message: &[u8]) -> (i32, String) {
    let guarded = |f: &dyn Fn() -> Reply| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
            .unwrap_or_else(|_| Reply::new(451, "4.3.0", "Temporary failure, try again later"))
    };
    let reply = guarded(&|| door.recipient(recipient));
    if !reply.is_success() {
        return (exit_code(reply.code, Some(reply.status)), line(&reply));
    }
    let envelope = Envelope {
        from: sender.to_string(),
        recipients: vec![recipient.to_string()],
    };
    let reply = guarded(&|| {
        door.deliver(&envelope, message)
            .into_iter()
            .next()
            .unwrap_or_else(|| Reply::new(451, "4.3.0", "Temporary failure, try again later"))
    });
    (exit_code(reply.code, Some(reply.status)), line(&reply))
}

fn line(reply: &Reply) -> String {
    format!("{} {} {}", reply.code, reply.status, reply.text)
}

/// `message` with bare LF line endings made CR LF, as it would arrive over LMTP.
fn crlf(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + message.len() / 32);
    let mut previous = 0u8;
    for &b in message {
        if b == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        previous = b;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sysexits_follow_the_reply() {
        assert_eq!(exit_code(250, Some("2.0.0")), EX_OK);
        assert_eq!(exit_code(550, Some("5.1.1")), EX_NOUSER);
        assert_eq!(exit_code(550, Some("5.1.6")), EX_NOUSER);
        assert_eq!(exit_code(550, Some("5.7.1")), EX_DATAERR);
        assert_eq!(exit_code(552, Some("5.3.4")), EX_DATAERR);
        assert_eq!(exit_code(550, None), EX_DATAERR);
        assert_eq!(exit_code(451, Some("4.3.0")), EX_TEMPFAIL);
        assert_eq!(exit_code(0, None), EX_TEMPFAIL);
    }

    #[test]
    fn line_endings_become_crlf() {
        assert_eq!(crlf(b"a\nb\r\nc"), b"a\r\nb\r\nc");
        assert_eq!(crlf(b"\n\n"), b"\r\n\r\n");
    }
}
