//! The command line's commands, one module each, and what they share: the configuration, the store, and the runner as the shell's listmaster.
//!
//! `main.rs` parses the command line and calls one of these. Data (listings, per-address
//! results) goes to standard output; messages and progress go to standard error.

pub mod archive;
pub mod check;
pub mod db;
pub mod jobs;
pub mod lists;
pub mod lmtp;
pub mod mta;
pub mod sender;
pub mod serve;
pub mod soap;
pub mod socketmap;
pub mod user;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, Context, Result};

use wwsympa::config::{Config, SYSTEM_CONFIG};
use wwsympa::domain::List;
use wwsympa::logging;
use wwsympa::mail;
use wwsympa::operations::{self, lists as list_operations, Env, Handoff, Requester};
use wwsympa::render::Templates;
use wwsympa::store::{Store, Target};

/// Reads the configuration file (the system one when it exists and none is named) and sets
/// the log level it asks for.
pub fn load_config(path: Option<PathBuf>) -> Result<(Config, Option<PathBuf>)> {
    let path = path.or_else(|| Some(PathBuf::from(SYSTEM_CONFIG)).filter(|p| p.exists()));
    let config = Config::load(path.as_deref())?;
    logging::init(logging::level_from_name(&config.log_level));
    Ok((config, path))
}

/// Opens the configured database and brings its schema up to date.
pub fn open_store(config: &Config) -> Result<Store> {
    let mut store = Store::connect(&Target::from_config(config)?)?;
    store.migrate()?;
    Ok(store)
}

/// Parses `90`, `90s`, `500ms`, `10m`, `2h`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
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

/// The store and templates the commands work with.
pub struct Admin {
    config: Config,
    store: Store,
    templates: Templates,
}

impl Admin {
    /// Opens the configured database (migrated) and the templates.
    pub fn open(config: &Config) -> Result<Admin> {
        let store = open_store(config)?;
        Ok(Admin {
            config: config.clone(),
            store,
            templates: Templates::load_with(
                config.template_dir.as_deref(),
                config.locale_dir.as_deref(),
            )?,
        })
    }

    /// Runs an operation as the shell's listmaster; a refusal is a plain error message.
    ///
    /// Queued mail is sent afterwards, by the sender's own code (claims included): the shell
    /// sends whatever is due, its own mail among it, and stops at the first message the MTA
    /// does not take; the rest stays in the outbox for `wwsympa sender` and the serving
    /// processes.
    pub fn run<T>(
        &mut self,
        operation: impl FnOnce(&mut Env<'_>, &Requester) -> Result<T, operations::Error>,
    ) -> Result<T> {
        let who = mail::sender::sender_name("cli");
        let result = operations::run(
            &mut self.store,
            &self.config,
            &self.templates,
            &Requester::shell(),
            Handoff::SendNow(&who),
            operation,
        );
        match result {
            Ok(value) => Ok(value),
            Err(operations::Error::Refused(refusal)) => Err(anyhow!(
                "{}",
                wwsympa::messages::refusal(&refusal, wwsympa::messages::english())
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// The open list called `name`.
    pub fn list(&mut self, name: &str) -> Result<List> {
        self.run(|env, _| list_operations::open_list(env, name))
            .with_context(|| format!("list {name:?}"))
    }
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
