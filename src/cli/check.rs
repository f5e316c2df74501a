//! `wwsympa check`: the configuration, the database, the templates and the mail transport, each said fine or not.
//!
//! The checks themselves are `operations::site_check` (the listmaster's panel shows the
//! same findings) and `soap::trusted::findings`; here the database is connected to first,
//! with hints for a server that does not answer, and the findings are printed.

use anyhow::{bail, Result};

use wwsympa::config::Config;
use wwsympa::operations::site_check::{self, Finding, Level};
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
    let mut found = site_check::configuration(config);
    match Target::from_config(config) {
        Err(e) => found.push(Finding {
            level: Level::Error,
            text: e.to_string(),
        }),
        Ok(target) => found.extend(check_database(config, &target)),
    }
    found.extend(site_check::templates(config));
    found.extend(site_check::mail(config));
    found.extend(wwsympa::soap::trusted::findings(config));
    let mut errors = 0;
    for finding in &found {
        match finding.level {
            Level::Ok => println!("{}", finding.text),
            Level::Warning => println!("warning: {}", finding.text),
            Level::Error => {
                errors += 1;
                println!("error: {}", finding.text);
            }
        }
    }
    if errors > 0 {
        bail!("{errors} error(s)");
    }
    Ok(())
}

/// Connects to the database (with a hint when a PostgreSQL server does not answer), then
/// checks it.
fn check_database(config: &Config, target: &Target) -> Vec<Finding> {
    let where_ = target.describe();
    match Store::connect(target) {
        Ok(store) => site_check::database(config, &store, &where_),
        Err(e) => {
            let mut found = vec![Finding {
                level: Level::Error,
                text: format!("database {where_}: {e}"),
            }];
            if let (true, Error::Unavailable { .. }) = (target.is_postgres(), &e) {
                found.push(Finding {
                    level: Level::Ok,
                    text: "hint: is the server running and reachable at db_host/db_port, does the role \
                           db_user exist with that password (db_passwd, db_passwd_file), and the \
                           database db_name (createdb -O ROLE NAME)?"
                        .into(),
                });
            }
            found
        }
    }
}
