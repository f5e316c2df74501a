//! The MTA glue from the shell: `wwsympa mta maps` prints Postfix's static maps (the fallback
//! to the live socketmap), `wwsympa check mta` asks the installed Postfix or Exim how it routes
//! a list's addresses and says what is wrong and how to fix it.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Result};
use clap::{Subcommand, ValueEnum};

use wwsympa::config::Config;
use wwsympa::domain::List;
use wwsympa::intake::socketmap::DEFAULT_TRANSPORT;

use super::open_store;

/// The address suffixes a list answers (besides its own name).
const SUFFIXES: &str = "request|editor|owner|subscribe|unsubscribe";

#[derive(Subcommand)]
pub enum MtaCommand {
    /// Print Postfix regexp maps for the lists of the domain (the static fallback to
    /// `wwsympa socketmap`; run again after creating a list).
    Maps {
        /// Which map: transport (transport_maps), recipients (relay_recipient_maps) or
        /// domains (relay_domains); all three, commented, when not given.
        #[arg(long, value_enum)]
        map: Option<MapName>,
        /// The LMTP next hop the transport map names.
        #[arg(long, default_value = DEFAULT_TRANSPORT, value_name = "TRANSPORT")]
        transport: String,
    },
}

/// A static map.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MapName {
    /// `transport_maps`.
    Transport,
    /// `relay_recipient_maps`.
    Recipients,
    /// `relay_domains`.
    Domains,
}

/// Runs `wwsympa mta …`.
pub fn run(config: &Config, command: MtaCommand) -> Result<()> {
    match command {
        MtaCommand::Maps { map, transport } => {
            let store = open_store(config)?;
            let lists = store.db().open_lists(&config.domain)?;
            print!("{}", maps(config, &lists, map, &transport));
            Ok(())
        }
    }
}

/// `text` with the characters special to Postfix's regular expressions escaped.
fn escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = ".+*?()[]{}|^$\\/".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

/// The regexp maps for `lists` of the configured domain.
fn maps(config: &Config, lists: &[List], which: Option<MapName>, transport: &str) -> String {
    let domain = escape(&config.domain.to_ascii_lowercase());
    let names: Vec<String> = lists.iter().map(|l| escape(l.name.as_str())).collect();
    let robot = escape(&config.email.to_ascii_lowercase());
    let mut patterns = Vec::new();
    if !names.is_empty() {
        patterns.push(format!(
            "/^({})(-({SUFFIXES}))?(\\+[^@]*)?@{domain}$/",
            names.join("|")
        ));
    }
    patterns.push(format!("/^({robot}|listmaster|bounce\\+[^@]*)@{domain}$/"));
    let mut out = String::new();
    let section = |out: &mut String, name: MapName, title: &str, value: &str| {
        if which.is_some_and(|w| w != name) {
            return;
        }
        if which.is_none() {
            out.push_str(&format!("# {title}\n"));
        }
        if name == MapName::Domains {
            out.push_str(&format!("/^{domain}$/ {value}\n"));
        } else {
            for pattern in &patterns {
                out.push_str(&format!("{pattern} {value}\n"));
            }
        }
        if which.is_none() {
            out.push('\n');
        }
    };
    if which.is_none() {
        out.push_str(&format!(
            "# Postfix regexp maps for the {} list(s) of {}, made by `wwsympa mta maps`.\n\
             # Prefer `wwsympa socketmap` (no map to regenerate when a list is created).\n\n",
            lists.len(),
            config.domain
        ));
    }
    section(
        &mut out,
        MapName::Transport,
        "transport_maps = regexp:/etc/postfix/wwsympa_transport",
        transport,
    );
    section(
        &mut out,
        MapName::Recipients,
        "relay_recipient_maps = regexp:/etc/postfix/wwsympa_recipients",
        "OK",
    );
    section(
        &mut out,
        MapName::Domains,
        "relay_domains = regexp:/etc/postfix/wwsympa_domains",
        "OK",
    );
    out
}

/// `wwsympa check mta`'s options.
#[derive(clap::Args)]
pub struct CheckMtaArgs {
    /// The list whose addresses are checked; the domain's first open list by default.
    #[arg(long, value_name = "NAME")]
    list: Option<String>,
    /// Postfix's configuration directory (postconf -c), when not the default.
    #[arg(long, value_name = "DIR")]
    postfix_config: Option<PathBuf>,
    /// The LMTP next hop wwsympa listens on, as Postfix should name it.
    #[arg(long, default_value = DEFAULT_TRANSPORT, value_name = "TRANSPORT")]
    transport: String,
}

/// Findings: each line printed as it comes; errors counted.
struct Report {
    errors: usize,
}

impl Report {
    fn ok(&mut self, text: &str) {
        println!("ok: {text}");
    }
    fn error(&mut self, text: &str, fix: &str) {
        self.errors += 1;
        println!("error: {text}");
        println!("  fix: {fix}");
    }
    fn warning(&mut self, text: &str, fix: &str) {
        println!("warning: {text}");
        println!("  fix: {fix}");
    }
}

/// Where a program is, in PATH or the sbin directories.
fn program(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&paths)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Runs `program args`; its standard output trimmed, or why it failed.
fn output(program: &PathBuf, args: &[&str]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    if !out.status.success() && out.stdout.is_empty() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `wwsympa check mta`: prints what is fine and what is not; errors make it exit 1.
pub fn check(config: &Config, args: &CheckMtaArgs) -> Result<()> {
    let store = open_store(config)?;
    let lists = store.db().open_lists(&config.domain)?;
    let list = match &args.list {
        Some(name) => match lists.iter().find(|l| l.name.as_str() == name) {
            Some(list) => list.clone(),
            None => bail!("no open list {name} in {}", config.domain),
        },
        None => match lists.first() {
            Some(list) => list.clone(),
            None => bail!(
                "{} has no open list to check with: create one (wwsympa list create) and run this again",
                config.domain
            ),
        },
    };
    let mut report = Report { errors: 0 };
    let postconf = program("postconf");
    let exim = program("exim4").or_else(|| program("exim"));
    match (postconf, exim) {
        (Some(postconf), _) => check_postfix(config, &list, args, &postconf, &mut report),
        (None, Some(exim)) => check_exim(config, &list, &exim, &mut report),
        (None, None) => report.error(
            "no MTA found (neither postconf nor exim in PATH)",
            "install Postfix (or Exim) and see /usr/share/doc/wwsympa/examples/postfix/",
        ),
    }
    if report.errors > 0 {
        bail!("{} error(s)", report.errors);
    }
    Ok(())
}

/// The lookup tables of a Postfix parameter's value (`type:name` entries), and its literal
/// words (domain names).
fn tables(value: &str) -> (Vec<String>, Vec<String>) {
    let mut tables = Vec::new();
    let mut words = Vec::new();
    for item in value
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        if item.starts_with('$') {
            // Read with `postconf -x`, values come expanded; a leftover is not a domain.
            continue;
        }
        if item.contains(':') {
            tables.push(item.to_string());
        } else {
            words.push(item.to_ascii_lowercase());
        }
    }
    (tables, words)
}

fn check_postfix(
    config: &Config,
    list: &List,
    args: &CheckMtaArgs,
    postconf: &PathBuf,
    report: &mut Report,
) {
    let dir = args
        .postfix_config
        .as_ref()
        .map(|d| d.display().to_string());
    let with_dir = |rest: &[&str]| -> Vec<String> {
        let mut all = Vec::new();
        if let Some(dir) = &dir {
            all.push("-c".to_string());
            all.push(dir.clone());
        }
        all.extend(rest.iter().map(|s| s.to_string()));
        all
    };
    let param = |name: &str| -> Result<String, String> {
        let argv = with_dir(&["-xh", name]);
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        output(postconf, &argv)
    };
    let postmap = program("postmap").unwrap_or_else(|| PathBuf::from("postmap"));
    let query = |key: &str, table: &str| -> Option<String> {
        let argv = with_dir(&["-q", key, table]);
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        output(&postmap, &argv).ok().filter(|s| !s.is_empty())
    };
    let setting = |name: &str, value: &str| match &dir {
        Some(dir) => format!("postconf -c {dir} -e '{name} = {value}' && postfix -c {dir} reload"),
        None => format!("postconf -e '{name} = {value}' && postfix reload"),
    };
    let domain = list.domain.to_ascii_lowercase();
    let address = list.address();
    let owner_verp = format!("{}-owner+check@{domain}", list.name);
    let socketmap = "socketmap:inet:127.0.0.1:8025";
    println!(
        "checking Postfix ({}) with the list {address}",
        dir.as_deref().unwrap_or("/etc/postfix")
    );

    match param("recipient_delimiter") {
        Ok(value) if value.contains('+') => report.ok("recipient_delimiter has +"),
        Ok(value) => report.error(
            &format!("recipient_delimiter is {value:?}: VERP bounces (LIST-owner+TOKEN) would be refused"),
            &setting("recipient_delimiter", "+"),
        ),
        Err(e) => {
            report.error(&format!("postconf fails: {e}"), "check Postfix's configuration directory (--postfix-config)");
            return;
        }
    }

    // Does Postfix take mail for the domain?
    let relay = param("relay_domains").unwrap_or_default();
    let destination = param("mydestination").unwrap_or_default();
    let (relay_tables, relay_words) = tables(&relay);
    let (_, destination_words) = tables(&destination);
    let relayed =
        relay_words.contains(&domain) || relay_tables.iter().any(|t| query(&domain, t).is_some());
    if relayed {
        report.ok(&format!("{domain} is in relay_domains"));
    } else if destination_words.contains(&domain) {
        report.warning(
            &format!("{domain} is in mydestination: its unknown addresses go to local delivery"),
            &format!(
                "remove it from mydestination and {}",
                setting("relay_domains", &format!("{socketmap}:domains"))
            ),
        );
    } else {
        report.error(
            &format!(
                "Postfix does not take mail for {domain} (neither relay_domains nor mydestination)"
            ),
            &setting(
                "relay_domains",
                &format!("$mydestination, {socketmap}:domains"),
            ),
        );
    }

    // Does it route the list's addresses to wwsympa?
    let transport = param("transport_maps").unwrap_or_default();
    let (transport_tables, _) = tables(&transport);
    for key in [address.as_str(), owner_verp.as_str()] {
        let answer = transport_tables.iter().find_map(|t| query(key, t));
        match answer {
            Some(next) if next.starts_with("lmtp:") => {
                report.ok(&format!("transport_maps sends {key} to {next}"));
                if next != args.transport {
                    report.warning(
                        &format!("the next hop {next} is not {}", args.transport),
                        "make it the address `wwsympa lmtp` listens on (wwsympa-lmtp.socket)",
                    );
                }
            }
            Some(next) => report.error(
                &format!("transport_maps sends {key} to {next}, not to wwsympa's LMTP"),
                &setting("transport_maps", &format!("{socketmap}:transport")),
            ),
            None => report.error(
                &format!("transport_maps does not route {key} to wwsympa"),
                &format!(
                    "start wwsympa-socketmap.socket (systemctl enable --now wwsympa-socketmap.socket), then {}",
                    setting("transport_maps", &format!("{socketmap}:transport"))
                ),
            ),
        }
    }

    // Are unknown addresses refused during the SMTP session (no backscatter)?
    if relayed {
        let recipients = param("relay_recipient_maps").unwrap_or_default();
        let (recipient_tables, _) = tables(&recipients);
        let known = recipient_tables
            .iter()
            .any(|t| query(&address, t).is_some());
        let unknown = format!("no-such-list-{}@{domain}", std::process::id());
        let refuses_unknown = !recipient_tables.is_empty()
            && !recipient_tables
                .iter()
                .any(|t| query(&unknown, t).is_some());
        if known && refuses_unknown {
            report.ok("relay_recipient_maps knows the list and refuses unknown addresses");
        } else {
            report.error(
                "relay_recipient_maps does not know the list's addresses: Postfix would accept mail for unknown lists and bounce it later (backscatter)",
                &setting("relay_recipient_maps", &format!("{socketmap}:recipients")),
            );
        }
    }

    // Debian runs lmtp chrooted: a unix: socket path is relative to the queue directory.
    if transport_tables
        .iter()
        .find_map(|t| query(&address, t))
        .is_some_and(|next| next.starts_with("lmtp:unix:"))
    {
        report.warning(
            "the LMTP next hop is a unix socket: Debian's lmtp runs chrooted in /var/spool/postfix, where an absolute path means /var/spool/postfix/PATH",
            &format!("use {DEFAULT_TRANSPORT}, or a socket under /var/spool/postfix/private/"),
        );
    }
    let _ = config;
}

fn check_exim(config: &Config, list: &List, exim: &PathBuf, report: &mut Report) {
    let address = list.address();
    println!("checking Exim ({}) with the list {address}", exim.display());
    for key in [
        address.clone(),
        format!("{}-owner+check@{}", list.name, list.domain),
    ] {
        match output(exim, &["-bt", &key]) {
            Ok(text) if text.contains("wwsympa") => {
                report.ok(&format!("exim routes {key} through wwsympa's router"))
            }
            Ok(text) => report.error(
                &format!("exim does not route {key} to wwsympa: {}", text.lines().last().unwrap_or("")),
                "add the router and transport of /usr/share/doc/wwsympa/examples/exim/wwsympa.conf (Debian: /etc/exim4/conf.d/) and run update-exim4.conf",
            ),
            Err(e) => report.error(&format!("exim -bt {key}: {e}"), "check that exim runs (exim -bV)"),
        }
    }
    let _ = config;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_values_split_into_tables_and_words() {
        let (tables, words) =
            tables("$mydestination, socketmap:inet:127.0.0.1:8025:domains Lists.X.org");
        assert_eq!(tables, ["socketmap:inet:127.0.0.1:8025:domains"]);
        assert_eq!(words, ["lists.x.org"]);
    }

    #[test]
    fn regexp_specials_are_escaped() {
        assert_eq!(escape("lists.example.org"), "lists\\.example\\.org");
        assert_eq!(escape("a+b"), "a\\+b");
    }
}
