//! `wwsympa db …`: bring the schema up to date, add sample lists.

use anyhow::{bail, Result};
use clap::Subcommand;

use wwsympa::config::Config;
use wwsympa::domain::SendPolicy;
use wwsympa::domain::{
    ArchiveAccess, ListPolicy, ReviewPolicy, SubscribePolicy, UnsubscribePolicy,
};
use wwsympa::domain::{ListName, Visibility};
use wwsympa::operations::account;
use wwsympa::operations::archive::import;
use wwsympa::operations::intake;
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
    /// Copy the whole site into another database, such as from SQLite to PostgreSQL when a
    /// site outgrows one host (or back). Stop the services first. The destination is made
    /// and migrated if new; a copy that stopped starts again where it was. Row counts of
    /// every table are compared at the end.
    Copy {
        /// Where to copy to: `postgresql://user:password@host:port/name`, a libpq string
        /// (`host=/var/run/postgresql dbname=sympa`), or an SQLite file's path.
        #[arg(long)]
        to: String,
        /// Where to copy from, in the same forms; by default the configured database.
        #[arg(long)]
        from: Option<String>,
    },
}

/// Runs `wwsympa db …`.
pub fn run(config: &Config, command: DbCommand) -> Result<()> {
    match command {
        DbCommand::Migrate => migrate(config),
        DbCommand::Sample => sample(config),
        DbCommand::Copy { to, from } => copy(config, &to, from.as_deref()),
    }
}

/// `wwsympa db copy`: every table, with a progress bar on a terminal, counts checked.
fn copy(config: &Config, to: &str, from: Option<&str>) -> Result<()> {
    let source = match from {
        Some(text) => Target::parse(text)?,
        None => Target::from_config(config)?,
    };
    let destination = Target::parse(to)?;
    if source.describe() == destination.describe() {
        bail!(
            "the source and the destination are the same database ({})",
            source.describe()
        );
    }
    eprintln!(
        "copying {} to {}",
        source.describe(),
        destination.describe()
    );
    let from = Store::connect(&source)?;
    let mut into = Store::connect(&destination)?;
    let mut bar = Progress::new();
    let report = from.copy_to(&mut into, &mut |table: &str, done: u64, total: u64| {
        bar.show(table, done, total)
    })?;
    bar.finish();
    let mut wrong = 0;
    for (table, source_rows, copied) in &report.tables {
        let verdict = if source_rows == copied {
            "ok"
        } else {
            "DIFFERENT"
        };
        if source_rows != copied {
            wrong += 1;
        }
        println!("{table:<18} {source_rows:>10} {copied:>10}  {verdict}");
    }
    if wrong > 0 {
        bail!(
            "{wrong} table(s) have different row counts: was the source written to during the \
             copy, or did the destination hold other rows? Run the copy again to resume"
        );
    }
    eprintln!(
        "copied; every table has as many rows in {}",
        destination.describe()
    );
    Ok(())
}

/// A progress bar on standard error when it is a terminal; a line per table otherwise.
struct Progress {
    terminal: bool,
    table: String,
    last: (u64, u64),
}

impl Progress {
    fn new() -> Progress {
        Progress {
            terminal: std::io::IsTerminal::is_terminal(&std::io::stderr()),
            table: String::new(),
            last: (0, 0),
        }
    }

    fn show(&mut self, table: &str, done: u64, total: u64) {
        if table != self.table {
            self.end_line();
            self.table = table.to_string();
        }
        self.last = (done, total);
        if self.terminal {
            const WIDTH: u64 = 30;
            let filled = (done.min(total) * WIDTH)
                .checked_div(total)
                .unwrap_or(WIDTH);
            eprint!(
                "\r{table:<18} [{}{}] {done}/{total}",
                "#".repeat(filled as usize),
                " ".repeat((WIDTH - filled) as usize)
            );
        }
    }

    fn end_line(&mut self) {
        if self.table.is_empty() {
            return;
        }
        let (done, total) = self.last;
        if self.terminal {
            eprintln!();
        } else {
            eprintln!("{:<18} {done}/{total}", self.table);
        }
    }

    fn finish(&mut self) {
        self.end_line();
        self.table.clear();
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

/// Posts held on the sample list `users`: from outsiders, one with an attachment-like body,
/// one that looks like a command sent to the list's address.
const SAMPLE_HELD: &[(&str, &str, &str)] = &[
    (
        "Margaret Hamilton <margaret@example.net>",
        "How do I report a bug?",
        "Hello,\n\nI am not on the list yet: where should bug reports go?\n\nMargaret",
    ),
    ("Linus <linus@example.net>", "unsubscribe", "unsubscribe"),
    ("Offers <deals@example.biz>", "Cheap watches", "Buy now!"),
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
                // `users` keeps a public archive, so a newcomer reads one without logging in;
                // the others the shell's default, members only.
                archive: if name == "users" {
                    ArchiveAccess::Public
                } else {
                    ArchiveAccess::Private
                },
            },
            owner: Some(listmaster.clone()),
            template: None,
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
        // Archives to look at, through the import's ingest.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let mail = super::archive::sample_mail(name, &config.domain, SAMPLE_MEMBERS, now);
        let source = mail.into_iter().map(|(date, raw)| {
            Ok(import::Item {
                raw,
                fallback_date: Some(date),
                month: None,
                legacy_seq: None,
                origin: "sample".to_string(),
            })
        });
        admin.run(|env, who| {
            import::import(
                env,
                who,
                &list,
                source,
                import::DEFAULT_BATCH,
                now,
                &mut |_| {},
            )
        })?;
        // Who may post: owners only on `announce`, members (outsiders moderated) on `users`,
        // members only on `dev`, with a subject tag there.
        let mut settings = admin.run(|env, who| lists::mail_settings(env, who, &list))?;
        settings.send = match name {
            "announce" => SendPolicy::Newsletter,
            "dev" => SendPolicy::Private,
            _ => SendPolicy::PrivateOrModerated,
        };
        if name == "dev" {
            settings.subject_tag = "[dev]".into();
        }
        admin.run(|env, who| lists::set_mail_settings(env, who, &list, &settings))?;
        // A few posts waiting for the moderators of `users`, held as the mail door holds them.
        if name == "users" {
            for (n, (from, subject, body)) in SAMPLE_HELD.iter().enumerate() {
                let raw = format!(
                    "From: {from}\nTo: users@{domain}\nSubject: {subject}\nDate: {date}\nMessage-ID: <sample.held.{n}@{domain}>\n\n{body}\n",
                    domain = config.domain,
                    date = wwsympa::domain::calendar::rfc5322_date(now - 3_600 * (3 - n as i64)),
                );
                let incoming = intake::Incoming {
                    envelope_from: from
                        .rsplit_once('<')
                        .map_or(from, |(_, a)| a.trim_end_matches('>')),
                    raw: raw.as_bytes(),
                    arrived_at: now - 3_600 * (3 - n as i64),
                };
                admin.run(|env, _| intake::post(env, &list, &incoming))?;
            }
        }
    }
    eprintln!(
        "added 3 sample lists with members, archives, send policies and 3 held posts on `users` to {}; log in as {listmaster} with the password {password}",
        config.domain
    );
    Ok(())
}
