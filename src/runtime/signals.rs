//! Signals as events: TERM, INT and USR1 ask for a graceful stop, HUP for a reload.

use std::sync::mpsc::Sender;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGUSR1};
use signal_hook::iterator::Signals;

/// What a signal asks the process to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Stop accepting, finish what is in flight, exit 0 (TERM, INT, USR1: multiwatch's stop signal).
    Stop(&'static str),
    /// Reload configuration and templates (HUP).
    Reload,
}

/// Installs the handlers and forwards each signal to `events` from a background thread.
pub fn forward(events: Sender<Event>) -> std::io::Result<()> {
    let mut signals = Signals::new([SIGTERM, SIGINT, SIGUSR1, SIGHUP])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                let event = match signal {
                    SIGHUP => Event::Reload,
                    SIGTERM => Event::Stop("SIGTERM"),
                    SIGINT => Event::Stop("SIGINT"),
                    _ => Event::Stop("SIGUSR1"),
                };
                if events.send(event).is_err() {
                    break;
                }
            }
        })?;
    Ok(())
}
