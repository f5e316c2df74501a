//! `wwsympa jobs`: runs the due jobs once (held posts' digests, reminders and expiry; bounce
//! scores, warnings and removals; digests of list mail), and
//! the same run once a minute inside `wwsympa sender` ([`Jobs`]).

use std::time::{Duration, Instant};

use anyhow::Result;

use wwsympa::config::Config;
use wwsympa::mail;
use wwsympa::operations::{self, jobs, Handoff, Requester};
use wwsympa::render::Templates;
use wwsympa::store::Store;

use super::{open_store, Admin};

/// Runs the jobs due at `at` (now by default) and says what they did on standard error.
pub fn run(config: &Config, at: Option<i64>) -> Result<()> {
    let mut admin = Admin::open(config)?;
    let now = at.unwrap_or_else(jobs::now);
    let report = admin.run(|env, _| jobs::run_due(env, now))?;
    eprintln!("{}", describe(&report));
    Ok(())
}

fn describe(report: &jobs::Report) -> String {
    let m = report.moderation;
    let b = report.bounces;
    let d = report.digests;
    format!(
        "moderation: {} digest(s) sent, {} held post(s) reminded, {} expired; \
         bounces: {} delivery failure(s) read, {} warning(s), {} member(s) removed, {} score(s) forgotten; \
         digests: {} list(s) due, {} mail(s) queued with {} message(s)",
        m.digests, m.reminded, m.expired, b.delivery_failures, b.warned, b.removed, b.forgotten,
        d.lists, d.mails, d.messages
    )
}

/// The due jobs inside the sender service: its own connection and templates, run every
/// [`jobs::EVERY_SECONDS`]; the mail they queue wakes the sender thread.
pub struct Jobs {
    config: Config,
    store: Option<Store>,
    templates: Templates,
    last: Option<Instant>,
}

impl Jobs {
    /// Loads the templates; the database is opened at the first run.
    pub fn new(config: &Config) -> Result<Jobs> {
        Ok(Jobs {
            config: config.clone(),
            store: None,
            templates: Templates::load_with(
                config.template_dir.as_deref(),
                config.locale_dir.as_deref(),
            )?,
            last: None,
        })
    }

    /// Runs the jobs if a minute passed since the last run; a failure is logged (the next
    /// run tries again with a new connection), never fatal to the sender.
    pub fn tick(&mut self, wake: &mail::Wake) {
        let every = Duration::from_secs(jobs::EVERY_SECONDS);
        if self.last.is_some_and(|last| last.elapsed() < every) {
            return;
        }
        self.last = Some(Instant::now());
        let store = match self.store.take() {
            Some(store) if !store.is_broken() => store,
            _ => match open_store(&self.config) {
                Ok(store) => store,
                Err(e) => {
                    log::warn!("due jobs: {e:#}");
                    return;
                }
            },
        };
        let mut store = store;
        let done = operations::run(
            &mut store,
            &self.config,
            &self.templates,
            &Requester::shell(),
            Handoff::Wake(wake),
            |env, _| jobs::run_due(env, jobs::now()),
        );
        match done {
            Ok(report) if report != jobs::Report::default() => {
                log::info!("due jobs: {}", describe(&report))
            }
            Ok(_) => {}
            Err(e) => log::warn!("due jobs: {e}"),
        }
        self.store = Some(store);
    }
}
