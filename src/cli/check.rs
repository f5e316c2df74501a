//! `wwsympa check`: the configuration, the database, the templates and the mail transport, each said fine or not.

use anyhow::{bail, Result};

use wwsympa::config::Config;
use wwsympa::mail;
use wwsympa::render::Templates;
use wwsympa::store::{Error, Store, Target};

/// What `wwsympa check` may check besides the whole site.
#[derive(clap::Subcommand)]
pub enum CheckCommand {
    /// How the installed MTA (Postfix, else Exim) routes a list's addresses to wwsympa: what
    /// is wrong and how to fix it.
    Mta(super::mta::CheckMtaArgs),
}

/// `wwsympa check`: prints what is fine and what is not; errors make it exit 1.
pub fn run(config: &Config) -> Result<()> {
    let mut errors = 0;
    println!(
        "configuration: ok (domain {}, wwsympa_url {})",
        config.domain, config.wwsympa_url
    );
    if config.domain == "localhost" {
        println!("warning: domain is still `localhost`; set `domain` to the lists' mail domain");
    }
    match Target::from_config(config) {
        Err(e) => {
            println!("error: {e}");
            errors += 1;
        }
        Ok(target) => errors += check_database(config, &target),
    }
    match Templates::load_with(config.template_dir.as_deref(), config.locale_dir.as_deref())
        .and_then(|t| t.check_all())
    {
        Ok(()) => println!("templates: ok"),
        Err(e) => {
            println!("error: {e}");
            errors += 1;
        }
    }
    let transport = mail::Transport::from_config(config);
    match transport.check() {
        Ok(()) => println!("mail: ok ({})", transport.describe()),
        Err(e) => println!(
            "warning: mail: {e}; mail stays in the outbox until `wwsympa sender` can deliver it"
        ),
    }
    match mail::distribute::check_keys(config) {
        Ok(Some(keys)) => println!("list mail signing: ok ({keys})"),
        Ok(None) => println!("list mail signing: off (dkim_feature, arc_feature)"),
        Err(e) => {
            println!("error: list mail signing: {e}; list mail waits until the key can be used");
            errors += 1;
        }
    }
    errors += check_trusted_applications(config);
    if errors > 0 {
        bail!("{errors} error(s)");
    }
    Ok(())
}

/// Says whether the database answers and is current; returns the number of errors.
fn check_database(config: &Config, target: &Target) -> usize {
    let where_ = target.describe();
    let store = match Store::connect(target) {
        Ok(store) => store,
        Err(e) => {
            println!("error: database {where_}: {e}");
            if let (true, Error::Unavailable { .. }) = (target.is_postgres(), &e) {
                println!(
                    "hint: is the server running and reachable at db_host/db_port, does the role \
                     db_user exist with that password (db_passwd, db_passwd_file), and the \
                     database db_name (createdb -O ROLE NAME)?"
                );
            }
            return 1;
        }
    };
    let current = match store.is_current() {
        Ok(current) => current,
        Err(e) => {
            println!("error: database {where_}: {e}");
            return 1;
        }
    };
    if !current {
        println!("error: database {where_} is not at the current schema; run `wwsympa db migrate`");
        return 1;
    }
    let counts = store
        .lists(&config.domain)
        .and_then(|lists| Ok((lists.len(), store.db().outbox_counts()?)));
    match counts {
        Ok((lists, outbox)) => {
            println!(
                "database: ok ({where_}; schema current; {lists} open list(s) in {})",
                config.domain
            );
            println!(
                "outbox: {} pending, {} sending, {} sent, {} given up",
                outbox.pending, outbox.sending, outbox.sent, outbox.failed
            );
            if outbox.failed > 0 {
                println!("warning: some mail was given up; see the outbox's last_error");
            }
            0
        }
        Err(e) => {
            println!("error: database {where_}: {e}");
            1
        }
    }
}

/// The SOAP interface's trusted applications: readable, and a warning for each one still on
/// Sympa's unsalted MD5. Returns the number of errors.
fn check_trusted_applications(config: &Config) -> usize {
    let path = &config.trusted_applications;
    match wwsympa::soap::trusted::Apps::load(path) {
        Err(e) => {
            println!("error: {e}");
            1
        }
        Ok(apps) => {
            let count = apps.iter().count();
            if count > 0 {
                println!(
                    "SOAP trusted applications: ok ({count} in {})",
                    path.display()
                );
            }
            for app in apps.iter().filter(|app| app.uses_md5()) {
                println!(
                    "warning: the SOAP trusted application {:?} still has an md5password (unsalted MD5, Sympa's); make a password_hash with `wwsympa soap hash-password` (the password on standard input) and put that line in place of its md5password in {}",
                    app.name,
                    path.display()
                );
            }
            0
        }
    }
}
