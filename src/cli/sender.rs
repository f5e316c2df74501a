//! `wwsympa sender`: the outbox sender as a service, with the due jobs every minute
//! ([`super::jobs::Jobs`]), stopped by SIGTERM, SIGINT or SIGUSR1.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use wwsympa::config::Config;
use wwsympa::mail;
use wwsympa::runtime;
use wwsympa::store::Target;

use super::open_store;

/// How long a stopping `wwsympa sender` waits for the mail in hand (systemd allows 30 s).
const SENDER_GRACE: Duration = Duration::from_secs(25);

/// Runs `wwsympa sender` until a stop signal; looks at the outbox every `poll` at most.
pub fn run(config: Config, poll: Duration) -> Result<()> {
    let events = runtime::install_signals().context("installing signal handlers")?;
    drop(open_store(&config)?);
    log::info!(
        "sender: sending the outbox through {}",
        mail::Transport::from_config(&config).describe()
    );
    let db = Target::from_config(&config)?;
    let mut jobs = super::jobs::Jobs::new(&config)?;
    let wake = Arc::new(mail::Wake::new());
    let sender = mail::SenderThread::spawn(
        "sender",
        db,
        move || config.clone(),
        Arc::clone(&wake),
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
                log::info!(
                    "SIGHUP: the sender reads its configuration at start; restart it instead"
                )
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if sender.is_finished() {
            bail!("the sender thread ended unexpectedly");
        }
        jobs.tick(&wake);
    }
    sender.stop(SENDER_GRACE);
    Ok(())
}
