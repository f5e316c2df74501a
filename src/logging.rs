//! Logging to stderr in a form the journal reads (`<N>` priority prefixes under systemd); never to stdout.

use std::io::Write;

use log::{Level, LevelFilter, Metadata, Record};

struct StderrLogger {
    journal: bool,
}

impl log::Log for StderrLogger {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let line = if self.journal {
            // sd-daemon(3) priorities: the journal strips the prefix and keeps the level.
            let priority = match record.level() {
                Level::Error => 3,
                Level::Warn => 4,
                Level::Info => 6,
                Level::Debug | Level::Trace => 7,
            };
            format!("<{priority}>{}\n", record.args())
        } else {
            format!(
                "wwsympa[{}] {}: {}\n",
                std::process::id(),
                record.level(),
                record.args()
            )
        };
        // One write per line, so lines from several threads and processes do not interleave.
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }

    fn flush(&self) {}
}

/// Parses a level name; unknown names mean `info`.
pub fn level_from_name(name: &str) -> LevelFilter {
    name.parse().unwrap_or(LevelFilter::Info)
}

/// Installs the logger once; later calls only change the level (used on reload).
pub fn init(level: LevelFilter) {
    let journal = std::env::var_os("JOURNAL_STREAM").is_some();
    let _ = log::set_boxed_logger(Box::new(StderrLogger { journal }));
    log::set_max_level(level);
}
