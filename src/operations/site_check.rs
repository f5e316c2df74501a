//! The configuration check of `wwsympa check`, as findings that the shell prints and the listmaster's panel shows: the configuration, the database, the templates, the mail transport and the list-mail signing keys.
//!
//! Only what needs no shell is here (the shell also connects to the database itself and
//! checks the MTA's routing). A finding never holds a secret: database targets are
//! described without their password, mail transports by host and port, keys by path.

use serde::Serialize;

use super::{Env, Error, Refusal, Requester};
use crate::config::Config;
use crate::domain::Reason;
use crate::mail;
use crate::render::Templates;
use crate::store::Store;

/// How a finding is said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Fine.
    Ok,
    /// Works, but should be looked at.
    Warning,
    /// Does not work: `wwsympa check` exits 1.
    Error,
}

/// One thing checked and what was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// How bad.
    pub level: Level,
    /// What was found, in one line (the shell prefixes warnings and errors with their level).
    pub text: String,
}

impl Finding {
    fn new(level: Level, text: impl Into<String>) -> Finding {
        Finding {
            level,
            text: text.into(),
        }
    }
}

/// The configuration itself: its domain and URL.
pub fn configuration(config: &Config) -> Vec<Finding> {
    let mut found = vec![Finding::new(
        Level::Ok,
        format!(
            "configuration: ok (domain {}, wwsympa_url {})",
            config.domain, config.wwsympa_url
        ),
    )];
    if config.domain == "localhost" {
        found.push(Finding::new(
            Level::Warning,
            "domain is still `localhost`; set `domain` to the lists' mail domain",
        ));
    }
    found
}

/// The database the process is connected to (`where_` describes it): at the current schema,
/// how many open lists, and the outbox.
pub fn database(config: &Config, store: &Store, where_: &str) -> Vec<Finding> {
    let current = match store.is_current() {
        Ok(current) => current,
        Err(e) => {
            return vec![Finding::new(
                Level::Error,
                format!("database {where_}: {e}"),
            )]
        }
    };
    if !current {
        return vec![Finding::new(
            Level::Error,
            format!("database {where_} is not at the current schema; run `wwsympa db migrate`"),
        )];
    }
    let counts = store
        .lists(&config.domain)
        .and_then(|lists| Ok((lists.len(), store.db().outbox_counts()?)));
    match counts {
        Ok((lists, outbox)) => {
            let mut found = vec![
                Finding::new(
                    Level::Ok,
                    format!(
                        "database: ok ({where_}; schema current; {lists} open list(s) in {})",
                        config.domain
                    ),
                ),
                Finding::new(
                    Level::Ok,
                    format!(
                        "outbox: {} pending, {} sending, {} sent, {} given up",
                        outbox.pending, outbox.sending, outbox.sent, outbox.failed
                    ),
                ),
            ];
            if outbox.failed > 0 {
                found.push(Finding::new(
                    Level::Warning,
                    "some mail was given up; see the outbox's last_error",
                ));
            }
            found
        }
        Err(e) => vec![Finding::new(
            Level::Error,
            format!("database {where_}: {e}"),
        )],
    }
}

/// The templates (the built-in ones and the site's overrides) all parse and render.
pub fn templates(config: &Config) -> Vec<Finding> {
    let templates =
        match Templates::load_with(config.template_dir.as_deref(), config.locale_dir.as_deref()) {
            Ok(templates) => templates,
            Err(e) => return vec![Finding::new(Level::Error, e.to_string())],
        };
    let mut found = vec![match templates.check_all() {
        Ok(()) => Finding::new(Level::Ok, "templates: ok"),
        Err(e) => Finding::new(Level::Error, e.to_string()),
    }];
    // The catalogues: which languages the site speaks, and whether `lang` is one of them.
    let catalogues = templates.catalogues();
    let tags: Vec<&str> = catalogues.languages().iter().map(|l| l.tag()).collect();
    let from = match &config.locale_dir {
        Some(dir) => format!(", with {}", dir.display()),
        None => String::new(),
    };
    found.push(Finding::new(
        Level::Ok,
        format!("languages: ok ({}{from})", tags.join(", ")),
    ));
    if catalogues.lookup(&config.lang).is_none() {
        found.push(Finding::new(
            Level::Warning,
            format!(
                "lang = {:?} has no catalogue (shipped: en, fr, de, es; or add <locale_dir>/{}/*.po): pages and mail fall back to English",
                config.lang, config.lang
            ),
        ));
    }
    found
}

/// The mail transport answers (an SMTP connection is tried, bounded by the transport's
/// timeout), and the list-mail signing keys can be used.
pub fn mail(config: &Config) -> Vec<Finding> {
    let mut found = Vec::new();
    let transport = mail::Transport::from_config(config);
    found.push(match transport.check() {
        Ok(()) => Finding::new(Level::Ok, format!("mail: ok ({})", transport.describe())),
        Err(e) => Finding::new(
            Level::Warning,
            format!("mail: {e}; mail stays in the outbox until `wwsympa sender` can deliver it"),
        ),
    });
    found.push(match mail::distribute::check_keys(config) {
        Ok(Some(keys)) => Finding::new(Level::Ok, format!("list mail signing: ok ({keys})")),
        Ok(None) => Finding::new(
            Level::Ok,
            "list mail signing: off (dkim_feature, arc_feature)",
        ),
        Err(e) => Finding::new(
            Level::Error,
            format!("list mail signing: {e}; list mail waits until the key can be used"),
        ),
    });
    found
}

/// The whole check for the listmaster's panel, on the database of `env`; listmasters only.
/// The SOAP door's trusted applications are checked by the door itself
/// (`soap::trusted::findings`), which this layer may not name.
pub fn site(env: &Env<'_>, requester: &Requester) -> Result<Vec<Finding>, Error> {
    if !requester.listmaster {
        return Err(Refusal::Denied(if requester.email.is_none() {
            Reason::LoginRequired
        } else {
            Reason::NotPermitted
        })
        .into());
    }
    let config = env.config;
    let where_ = match crate::store::Target::from_config(config) {
        Ok(target) => target.describe(),
        Err(_) => format!("{:?}", config.db_type),
    };
    let mut found = configuration(config);
    found.extend(database(config, env.store, &where_));
    found.extend(templates(config));
    found.extend(mail(config));
    Ok(found)
}
