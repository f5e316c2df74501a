//! `wwsympa list …` and `wwsympa member …`: the administration of lists and members:
//! arguments in, operations called as the shell's listmaster, results out.
//!
//! Data (list and member listings, per-address results) goes to standard output; messages
//! and progress go to standard error.

use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};
use clap::Subcommand;

use wwsympa::config::Config;
use wwsympa::domain::bounce::{points, POINT};
use wwsympa::domain::{
    AdminRole, ArchiveAccess, DeliveryMode, DigestSettings, DmarcProtection, ListName, ListPolicy,
    ListTemplate, MailSettings, ReviewPolicy, SendPolicy, SubscribePolicy, UnsubscribePolicy,
    Visibility,
};
use wwsympa::operations::members::{self, Entry};
use wwsympa::operations::{bounces, digests, lists};
use wwsympa::store::NewList;

use super::Admin;

/// `wwsympa list …`.
// Parsed once per process: the size of `Create` does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub enum ListCommand {
    /// Create a list in the configured domain.
    Create {
        /// The list's name.
        name: String,
        /// Its subject line.
        #[arg(long)]
        subject: String,
        /// Its description.
        #[arg(long, default_value = "")]
        description: String,
        /// Topics, comma-separated.
        #[arg(long, default_value = "")]
        topics: String,
        /// Who may see it: noconceal, conceal or intranet.
        #[arg(long, default_value = "noconceal")]
        visibility: String,
        /// Its first owner (a privileged owner).
        #[arg(long, value_name = "EMAIL")]
        owner: Option<String>,
        /// Subscription policy: open, open_notify, auth, auth_notify, auth_owner, owner, owner_notify, closed.
        #[arg(long, default_value = "open")]
        subscribe: String,
        /// Unsubscription policy: open, open_notify, auth, auth_notify, owner, owner_notify, closed.
        #[arg(long, default_value = "open")]
        unsubscribe: String,
        /// Who sees the members: public, private, owner, closed.
        #[arg(long, default_value = "owner")]
        review: String,
        /// Who reads the web archives: public, private, owner, closed.
        #[arg(long, default_value = "private")]
        archive: String,
        /// Who may post: public, privateoreditorkey, private, editorkey, editorkeyonly,
        /// newsletter, closed (see `wwsympa list mail`).
        #[arg(long, default_value = "privateoreditorkey")]
        send: String,
        /// Make it from one of Sympa's list templates (discussion_list, news-letter,
        /// html-news-letter, private_working_group, public_web_forum, web_forum,
        /// intranet_list, confidential, hotline): its presets replace --visibility,
        /// --subscribe, --unsubscribe, --review, --archive and --send.
        #[arg(long)]
        template: Option<String>,
        /// Its language (`fr`, `de`, ...): of its pages for visitors whose browser asks for
        /// none the site has, and of mail to members without a preference; the site's
        /// (`lang`) when not given.
        #[arg(long, default_value = "")]
        lang: String,
    },
    /// Close a list: it keeps its members and history, and answers nothing any more.
    Close {
        /// The list's name.
        name: String,
    },
    /// Print a list's settings, owners and member count.
    Show {
        /// The list's name.
        name: String,
    },
    /// Print a list's mail settings, after changing those given.
    Mail {
        /// The list's name.
        name: String,
        /// Who may post: public, privateoreditorkey, private, editorkey, editorkeyonly,
        /// newsletter, closed.
        #[arg(long)]
        send: Option<String>,
        /// The largest post accepted, in bytes (at least 1024).
        #[arg(long, value_name = "BYTES")]
        max_size: Option<u64>,
        /// Hold posts with more attachments than this; `none` for no limit.
        #[arg(long, value_name = "N|none")]
        max_attachments: Option<String>,
        /// personalized (VERP, one-click unsubscribe per member) or bulk.
        #[arg(long)]
        delivery: Option<String>,
        /// DMARC protection: auto, always, never.
        #[arg(long)]
        dmarc: Option<String>,
        /// A tag put in front of the subject, `[team]`; "" for none.
        #[arg(long)]
        subject_tag: Option<String>,
        /// Days a held post waits for a moderator before it expires.
        #[arg(long)]
        hold_days: Option<u32>,
    },
    /// Print a list's bounce policy, after changing what is given (Mailman's rule: a hard
    /// bounce counts 1, a soft one 0.5, at most once a day).
    Bounces {
        /// The list's name.
        name: String,
        /// Suspend delivery above this score (points, 0.5 to 1000).
        #[arg(long, value_name = "POINTS")]
        threshold: Option<f64>,
        /// Forget a score after this many days without a bounce.
        #[arg(long, value_name = "DAYS")]
        stale_days: Option<u32>,
        /// Warnings sent to a suspended member before removal.
        #[arg(long, value_name = "N")]
        warnings: Option<u32>,
        /// Days between warnings, and from the last one to removal.
        #[arg(long, value_name = "DAYS")]
        warning_days: Option<u32>,
    },
    /// Print a list's digest schedule and size, after changing what is given.
    Digest {
        /// The list's name.
        name: String,
        /// Sympa's `DAYS HH:MM` in UTC: `1,4 06:00` (0 is Sunday), `06:00` for every day,
        /// `none` for no digest.
        #[arg(long)]
        schedule: Option<String>,
        /// The most messages one digest holds (Sympa's `digest_max_size`).
        #[arg(long, value_name = "N")]
        max_size: Option<u32>,
    },
    /// Print the lists of the configured domain: name, status, members, subject.
    Ls {
        /// Closed lists too.
        #[arg(long)]
        all: bool,
    },
}

/// `wwsympa member …`.
#[derive(Subcommand)]
pub enum MemberCommand {
    /// Add addresses to a list, each in its own transaction; prints `added` or `already` per address.
    Add {
        /// The list's name.
        list: String,
        /// The addresses.
        #[arg(required = true)]
        emails: Vec<String>,
        /// The display name (with a single address).
        #[arg(long)]
        name: Option<String>,
        /// Send each new member the welcome mail.
        #[arg(long)]
        welcome: bool,
    },
    /// Remove addresses from a list, each in its own transaction; prints `removed` or `absent` per address.
    Del {
        /// The list's name.
        list: String,
        /// The addresses.
        #[arg(required = true)]
        emails: Vec<String>,
        /// Send each removed member the goodbye mail.
        #[arg(long)]
        goodbye: bool,
    },
    /// Print a list's members: address, name, reception mode, visibility.
    Ls {
        /// The list's name.
        list: String,
    },
    /// Add every address of FILE (`-` for standard input): one per line, an optional name
    /// after whitespace, a comma or a semicolon. One transaction, no mail.
    Import {
        /// The list's name.
        list: String,
        /// The file.
        file: PathBuf,
    },
}

fn policy<T: Copy>(
    what: &str,
    text: &str,
    parse: fn(&str) -> Option<T>,
    all: &[T],
    name: fn(T) -> &'static str,
) -> Result<T> {
    parse(text).ok_or_else(|| {
        let names: Vec<&str> = all.iter().map(|p| name(*p)).collect();
        anyhow!("--{what} must be one of {}, not {text:?}", names.join(", "))
    })
}

/// Runs `wwsympa list …`.
pub fn list(config: &Config, command: ListCommand) -> Result<()> {
    let mut admin = Admin::open(config)?;
    match command {
        ListCommand::Create {
            name,
            subject,
            description,
            topics,
            visibility,
            owner,
            subscribe,
            unsubscribe,
            review,
            archive,
            send,
            template,
            lang,
        } => {
            // A language the site lacks is refused before anything is created.
            if !lang.is_empty() && admin.templates.catalogues().lookup(&lang).is_none() {
                let tags: Vec<&str> = admin
                    .templates
                    .catalogues()
                    .languages()
                    .iter()
                    .map(|l| l.tag())
                    .collect();
                bail!(
                    "lang must be one of {} (or a locale_dir language), not {lang:?}",
                    tags.join(", ")
                );
            }
            let template = template
                .map(|name| {
                    ListTemplate::parse(&name).ok_or_else(|| {
                        let names: Vec<&str> =
                            ListTemplate::ALL.iter().map(|t| t.as_str()).collect();
                        anyhow!("template must be one of {}, not {name:?}", names.join(", "))
                    })
                })
                .transpose()?;
            let visibility = match visibility.as_str() {
                "noconceal" | "conceal" | "intranet" => Visibility::parse(&visibility),
                other => bail!("visibility must be noconceal, conceal or intranet, not {other:?}"),
            };
            let send = policy(
                "send",
                &send,
                SendPolicy::parse_exact,
                SendPolicy::ALL,
                SendPolicy::as_str,
            )?;
            let policy = ListPolicy {
                visibility,
                subscribe: policy(
                    "subscribe",
                    &subscribe,
                    SubscribePolicy::parse_exact,
                    SubscribePolicy::ALL,
                    SubscribePolicy::as_str,
                )?,
                unsubscribe: policy(
                    "unsubscribe",
                    &unsubscribe,
                    UnsubscribePolicy::parse_exact,
                    UnsubscribePolicy::ALL,
                    UnsubscribePolicy::as_str,
                )?,
                review: policy(
                    "review",
                    &review,
                    ReviewPolicy::parse_exact,
                    ReviewPolicy::ALL,
                    ReviewPolicy::as_str,
                )?,
                archive: policy(
                    "archive",
                    &archive,
                    ArchiveAccess::parse_exact,
                    ArchiveAccess::ALL,
                    ArchiveAccess::as_str,
                )?,
            };
            let settings = lists::ListSettings {
                list: NewList {
                    name: ListName::parse(&name)?,
                    subject,
                    description,
                    topics: topics
                        .split(',')
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_string)
                        .collect(),
                    visibility,
                },
                policy,
                owner,
                template,
            };
            let list = admin.run(|env, who| lists::create(env, who, &settings))?;
            if template.is_none() && send != MailSettings::default().send {
                let mail = MailSettings {
                    send,
                    ..MailSettings::default()
                };
                admin.run(|env, who| lists::set_mail_settings(env, who, &list, &mail))?;
            }
            if !lang.is_empty() {
                admin.run(|env, who| lists::set_language(env, who, &list, &lang))?;
            }
            eprintln!("created list {}", list.address());
        }
        ListCommand::Close { name } => {
            let list = admin.list(&name)?;
            admin.run(|env, who| lists::close(env, who, &list))?;
            eprintln!("closed list {}", list.address());
        }
        ListCommand::Show { name } => {
            let list = admin.list(&name)?;
            let db = admin.store.db();
            println!("name\t{}", list.name);
            println!("address\t{}", list.address());
            println!("subject\t{}", list.subject);
            println!("status\t{}", list.status.as_str());
            println!("visibility\t{}", list.policy.visibility.as_str());
            println!("subscribe\t{}", list.policy.subscribe.as_str());
            println!("unsubscribe\t{}", list.policy.unsubscribe.as_str());
            println!("review\t{}", list.policy.review.as_str());
            println!("archive\t{}", list.policy.archive.as_str());
            println!("topics\t{}", list.topics.join(","));
            println!("lang\t{}", list.lang);
            println!("members\t{}", db.member_count(list.id)?);
            print_mail_settings(&db.list_mail_settings(list.id)?);
            for admin in db.admins(list.id)? {
                let role = match (admin.role, admin.privileged) {
                    (AdminRole::Owner, true) => "owner (privileged)",
                    (AdminRole::Owner, false) => "owner",
                    (AdminRole::Editor, _) => "moderator",
                };
                println!("{role}\t{}", admin.email);
            }
        }
        ListCommand::Mail {
            name,
            send,
            max_size,
            max_attachments,
            delivery,
            dmarc,
            subject_tag,
            hold_days,
        } => {
            let list = admin.list(&name)?;
            let mut settings = admin.run(|env, who| lists::mail_settings(env, who, &list))?;
            let before = settings.clone();
            if let Some(send) = send {
                settings.send = policy(
                    "send",
                    &send,
                    SendPolicy::parse_exact,
                    SendPolicy::ALL,
                    SendPolicy::as_str,
                )?;
            }
            if let Some(max_size) = max_size {
                settings.max_size = max_size;
            }
            if let Some(limit) = max_attachments {
                settings.max_attachments = match limit.as_str() {
                    "none" => None,
                    n => Some(n.parse().map_err(|_| {
                        anyhow!("--max-attachments: {n:?} is neither a number nor `none`")
                    })?),
                };
            }
            if let Some(delivery) = delivery {
                settings.delivery = match delivery.as_str() {
                    "personalized" => DeliveryMode::Personalized,
                    "bulk" => DeliveryMode::Bulk,
                    other => bail!("--delivery: {other:?} is not one of personalized, bulk"),
                };
            }
            if let Some(dmarc) = dmarc {
                settings.dmarc = match dmarc.as_str() {
                    "auto" => DmarcProtection::Auto,
                    "always" => DmarcProtection::Always,
                    "never" => DmarcProtection::Never,
                    other => bail!("--dmarc: {other:?} is not one of auto, always, never"),
                };
            }
            if let Some(tag) = subject_tag {
                settings.subject_tag = tag;
            }
            if let Some(days) = hold_days {
                settings.hold_days = days;
            }
            if settings != before {
                admin.run(|env, who| lists::set_mail_settings(env, who, &list, &settings))?;
                eprintln!("changed the mail settings of {}", list.address());
            }
            print_mail_settings(&settings);
        }
        ListCommand::Bounces {
            name,
            threshold,
            stale_days,
            warnings,
            warning_days,
        } => {
            let list = admin.list(&name)?;
            let mut settings = admin.run(|env, who| bounces::policy(env, who, &list))?;
            let before = settings;
            if let Some(points) = threshold {
                if !(points.is_finite() && points >= 0.0) {
                    bail!("--threshold: {points} is not a number of points");
                }
                settings.threshold =
                    (points * f64::from(POINT)).round().min(f64::from(u32::MAX)) as u32;
            }
            if let Some(days) = stale_days {
                settings.stale_days = days;
            }
            if let Some(n) = warnings {
                settings.warnings = n;
            }
            if let Some(days) = warning_days {
                settings.warning_days = days;
            }
            if settings != before {
                admin.run(|env, who| bounces::set_policy(env, who, &list, &settings))?;
                eprintln!("changed the bounce policy of {}", list.address());
            }
            println!("threshold\t{}", points(settings.threshold));
            println!("stale_days\t{}", settings.stale_days);
            println!("warnings\t{}", settings.warnings);
            println!("warning_days\t{}", settings.warning_days);
        }
        ListCommand::Digest {
            name,
            schedule,
            max_size,
        } => {
            let list = admin.list(&name)?;
            let mut settings = admin.run(|env, who| digests::settings(env, who, &list))?;
            let before = settings;
            if let Some(text) = schedule {
                if text == "none" {
                    settings.days = 0;
                } else {
                    let (days, minute) =
                        DigestSettings::parse_schedule(&text).ok_or_else(|| {
                            anyhow!(
                                "--schedule: {text:?} is not DAYS HH:MM (days 0-6, 0 is Sunday)"
                            )
                        })?;
                    settings.days = days;
                    settings.minute = minute;
                }
            }
            if let Some(n) = max_size {
                settings.max_messages = n;
            }
            if settings != before {
                admin.run(|env, who| digests::set_settings(env, who, &list, &settings))?;
                eprintln!("changed the digest settings of {}", list.address());
            }
            if settings.days == 0 {
                println!("schedule\tnone");
            } else {
                println!("schedule\t{}", settings.schedule_text());
            }
            println!("max_size\t{}", settings.max_messages);
        }
        ListCommand::Ls { all } => {
            let db = admin.store.db();
            let lists = if all {
                db.all_lists(&config.domain)?
            } else {
                db.open_lists(&config.domain)?
            };
            for list in lists {
                println!(
                    "{}\t{}\t{}\t{}",
                    list.name,
                    list.status.as_str(),
                    db.member_count(list.id)?,
                    list.subject
                );
            }
        }
    }
    Ok(())
}

/// Prints a list's mail settings, one `key<TAB>value` line each.
fn print_mail_settings(settings: &MailSettings) {
    println!("send\t{}", settings.send.as_str());
    println!("max_size\t{}", settings.max_size);
    match settings.max_attachments {
        Some(n) => println!("max_attachments\t{n}"),
        None => println!("max_attachments\tnone"),
    }
    println!("delivery\t{}", settings.delivery.as_str());
    println!("dmarc\t{}", settings.dmarc.as_str());
    println!("subject_tag\t{}", settings.subject_tag);
    println!("hold_days\t{}", settings.hold_days);
}

/// Runs `wwsympa member …`.
pub fn member(config: &Config, command: MemberCommand) -> Result<()> {
    let mut admin = Admin::open(config)?;
    match command {
        MemberCommand::Add {
            list,
            emails,
            name,
            welcome,
        } => {
            let list = admin.list(&list)?;
            if name.is_some() && emails.len() > 1 {
                bail!("--name goes with a single address");
            }
            let (mut added, mut already) = (0, 0);
            for email in &emails {
                let entry = Entry {
                    email: email.clone(),
                    name: name.clone().unwrap_or_default(),
                };
                let report =
                    admin.run(|env, who| members::add(env, who, &list, &[entry], !welcome))?;
                if let Some(invalid) = report.invalid.first() {
                    bail!("{invalid:?} is not a valid e-mail address");
                }
                for email in &report.added {
                    println!("added\t{email}");
                    added += 1;
                }
                for email in &report.already {
                    println!("already\t{email}");
                    already += 1;
                }
            }
            eprintln!(
                "{}: {added} added, {already} members already",
                list.address()
            );
        }
        MemberCommand::Del {
            list,
            emails,
            goodbye,
        } => {
            let list = admin.list(&list)?;
            let (mut removed, mut absent) = (0, 0);
            for email in &emails {
                let report = admin
                    .run(|env, who| members::del(env, who, &list, &[email.as_str()], !goodbye))?;
                if let Some(invalid) = report.invalid.first() {
                    bail!("{invalid:?} is not a valid e-mail address");
                }
                for email in &report.removed {
                    println!("removed\t{email}");
                    removed += 1;
                }
                for email in &report.not_member {
                    println!("absent\t{email}");
                    absent += 1;
                }
            }
            eprintln!(
                "{}: {removed} removed, {absent} were no members",
                list.address()
            );
        }
        MemberCommand::Ls { list } => {
            let list = admin.list(&list)?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            admin.store.db().for_each_member(list.id, |member| {
                use std::io::Write;
                let _ = writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    member.email,
                    member.name,
                    member.reception.as_str(),
                    member.visibility.as_str()
                );
                Ok(())
            })?;
        }
        MemberCommand::Import { list, file } => {
            let list = admin.list(&list)?;
            let started = Instant::now();
            let mut text = String::new();
            if file.as_os_str() == "-" {
                std::io::stdin()
                    .read_to_string(&mut text)
                    .context("reading standard input")?;
            } else {
                text = std::fs::read_to_string(&file)
                    .with_context(|| format!("reading {}", file.display()))?;
            }
            eprintln!("{}: importing into {}", file.display(), list.address());
            let report = admin.run(|env, who| {
                members::import(env, who, &list, &text, |done, total| {
                    eprintln!(
                        "  {done}/{total} addresses ({:.1}s)",
                        started.elapsed().as_secs_f64()
                    );
                })
            })?;
            for (line, text) in &report.invalid {
                eprintln!("  line {line}: not an address: {text:?}");
            }
            if report.invalid_count > report.invalid.len() {
                eprintln!(
                    "  … and {} more invalid lines",
                    report.invalid_count - report.invalid.len()
                );
            }
            eprintln!(
                "{}: {} lines, {} added, {} members already or repeated, {} invalid, in {:.2}s",
                list.address(),
                report.read,
                report.added,
                report.skipped,
                report.invalid_count,
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(())
}
