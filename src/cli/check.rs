//! `wwsympa check`: the configuration, the database, the templates and the mail transport, each said fine or not.

use anyhow::{bail, Result};

use wwsympa::config::Config;
use wwsympa::mail;
use wwsympa::render::Templates;
use wwsympa::store::Store;

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
    match Store::open(&config.db_name) {
        Err(e) => {
            println!("error: database {}: {e}", config.db_name.display());
            errors += 1;
        }
        Ok(store) => match store.is_current() {
            Ok(true) => {
                let lists = store.lists(&config.domain)?.len();
                let outbox = store.db().outbox_counts()?;
                println!(
                    "database: ok ({}; schema current; {lists} open list(s) in {})",
                    config.db_name.display(),
                    config.domain
                );
                println!(
                    "outbox: {} pending, {} sending, {} sent, {} given up",
                    outbox.pending, outbox.sending, outbox.sent, outbox.failed
                );
                if outbox.failed > 0 {
                    println!("warning: some mail was given up; see the outbox's last_error");
                }
            }
            Ok(false) => {
                println!(
                    "error: database {} is not at the current schema; run `wwsympa db migrate`",
                    config.db_name.display()
                );
                errors += 1;
            }
            Err(e) => {
                println!("error: database {}: {e}", config.db_name.display());
                errors += 1;
            }
        },
    }
    match Templates::load(config.template_dir.as_deref()).and_then(|t| t.check_all()) {
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
    if errors > 0 {
        bail!("{errors} error(s)");
    }
    Ok(())
}
