//! `wwsympa db …`: bring the schema up to date, add sample lists.

use anyhow::Result;
use clap::Subcommand;

use wwsympa::config::Config;
use wwsympa::domain::{
    ArchiveAccess, ListPolicy, ReviewPolicy, SubscribePolicy, UnsubscribePolicy,
};
use wwsympa::domain::{ListName, Visibility};
use wwsympa::operations::account;
use wwsympa::operations::lists::{self, ListSettings};
use wwsympa::operations::members::{self, Entry};
use wwsympa::store::{NewList, Store, Target};

use super::Admin;

#[derive(Subcommand)]
pub enum DbCommand {
    /// Bring the schema up to date.
    Migrate,
    /// Add a few sample lists when the domain has none (for trying wwsympa out).
    Sample,
}

/// Runs `wwsympa db …`.
pub fn run(config: &Config, command: DbCommand) -> Result<()> {
    match command {
        DbCommand::Migrate => migrate(config),
        DbCommand::Sample => sample(config),
    }
}

fn migrate(config: &Config) -> Result<()> {
    let target = Target::from_config(config)?;
    let mut store = Store::connect(&target)?;
    let applied = store.migrate()?;
    eprintln!(
        "{}: {applied} migration(s) applied; schema is current",
        target.describe()
    );
    Ok(())
}

/// Names of the sample members (one list gets all, the others some).
const SAMPLE_MEMBERS: &[(&str, &str)] = &[
    ("ada", "Ada Lovelace"),
    ("alan", "Alan Turing"),
    ("grace", "Grace Hopper"),
    ("edsger", "Edsger Dijkstra"),
    ("barbara", "Barbara Liskov"),
    ("ken", "Ken Thompson"),
];

/// Adds, when the domain has no list yet, three sample lists with members, owned by the
/// first configured listmaster, whose account gets a random password printed once (for
/// trying wwsympa out: log in with it, then choose another on the preferences page).
fn sample(config: &Config) -> Result<()> {
    let mut admin = Admin::open(config)?;
    if !admin.run(|env, who| lists::visible(env, who))?.is_empty() {
        eprintln!("{} already has lists; nothing added", config.domain);
        return Ok(());
    }
    let listmaster = config
        .listmasters()
        .next()
        .unwrap_or("listmaster@localhost")
        .to_string();
    let password = wwsympa::auth::random_token()?;
    admin.run(|env, who| {
        account::create_user(env, who, &listmaster, Some(&password), true).map(drop)
    })?;
    for (index, (name, subject, topics, description)) in [
        (
            "announce",
            "Announcements from the team",
            "news",
            "News of the project, a few times a year. Only the owners write here.",
        ),
        (
            "users",
            "Questions and answers between users",
            "support",
            "Ask how to do something, and help others.",
        ),
        (
            "dev",
            "Development of the project",
            "computing/dev",
            "Patches, plans and reviews.",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let settings = ListSettings {
            list: NewList {
                name: ListName::parse(name)?,
                subject: subject.into(),
                description: description.into(),
                topics: vec![topics.into()],
                visibility: Visibility::Noconceal,
            },
            // The shell's defaults for `list create`.
            policy: ListPolicy {
                visibility: Visibility::Noconceal,
                subscribe: SubscribePolicy::Open,
                unsubscribe: UnsubscribePolicy::Open,
                review: ReviewPolicy::Owner,
                archive: ArchiveAccess::Private,
            },
            owner: Some(listmaster.clone()),
        };
        let list = admin.run(|env, who| lists::create(env, who, &settings))?;
        let entries: Vec<Entry> = SAMPLE_MEMBERS
            .iter()
            .skip(index)
            .map(|(local, name)| Entry {
                email: format!("{local}@{}", config.domain),
                name: (*name).into(),
            })
            .collect();
        admin.run(|env, who| members::add(env, who, &list, &entries, true))?;
    }
    eprintln!(
        "added 3 sample lists with members to {}; log in as {listmaster} with the password {password}",
        config.domain
    );
    Ok(())
}
