//! The configuration file (TOML, Sympa's parameter names) into a typed `Config`; every key has a default.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Where the packaged configuration lives; used when neither `--config` nor `WWSYMPA_CONFIG` is given and it exists.
pub const SYSTEM_CONFIG: &str = "/etc/wwsympa/wwsympa.toml";

/// The whole configuration. Key names follow sympa.conf where Sympa has the parameter.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The mail domain of the lists (Sympa's `domain`).
    pub domain: String,
    /// Addresses of the listmasters (Sympa's `listmaster`), comma-separated; they are listmasters
    /// whether or not their account has the flag (`wwsympa user add --listmaster`).
    pub listmaster: String,
    /// Public URL of the web interface (Sympa's `wwsympa_url`); its path is the base of every link.
    pub wwsympa_url: String,
    /// Public URL of the SOAP interface (Sympa's `soap_url`); `wwsympa serve --soap` answers
    /// at its path, and the WSDL names it.
    pub soap_url: String,
    /// The trusted applications of the SOAP interface (`authenticateRemoteAppAndRun`), in
    /// Sympa's `trusted_applications.conf` format; a missing file means none.
    pub trusted_applications: PathBuf,
    /// Answers SOAP calls in the shapes the WSDL describes (prefixed wrapper, the WSDL's
    /// accessor names, typed structs, `info` as a struct) for zeep, .NET and Java clients,
    /// instead of Sympa's own shapes that Perl and PHP clients read. Off by default.
    pub soap_wsdl_conformant: bool,
    /// Lifetime the SOAP interface gives its session cookie, in seconds (Sympa's
    /// `cookie_expire`); 0 means Sympa's 600 seconds.
    pub cookie_expire: u64,
    /// The database: `SQLite` (one host; the default) or `PostgreSQL` (several hosts on one
    /// server), as Sympa's `db_type` names them (`Pg` is taken for `PostgreSQL`).
    pub db_type: DbType,
    /// With SQLite, the database file, relative paths from the working directory; with
    /// PostgreSQL, the database's name (Sympa's `db_name`).
    pub db_name: PathBuf,
    /// PostgreSQL's host: a name, an address, or the directory of its Unix socket such as
    /// `/var/run/postgresql` (Sympa's `db_host`).
    pub db_host: String,
    /// PostgreSQL's port (Sympa's `db_port`).
    pub db_port: u16,
    /// The PostgreSQL role to connect as (Sympa's `db_user`).
    pub db_user: String,
    /// Its password (Sympa's `db_passwd`); better kept out of this file with `db_passwd_file`.
    pub db_passwd: Option<String>,
    /// A file holding the password (its first line), such as a systemd credential:
    /// `LoadCredential=db_passwd:/etc/wwsympa/db_passwd` in the unit and
    /// `db_passwd_file = "/run/credentials/wwsympa.service/db_passwd"` here. When neither this
    /// nor `db_passwd` is set, `$CREDENTIALS_DIRECTORY/db_passwd` is read if it exists.
    pub db_passwd_file: Option<PathBuf>,
    /// More connection parameters, as Sympa's `db_options`: `key=value` pairs separated by
    /// `;` or spaces, with libpq's names (`connect_timeout=5;application_name=web1`,
    /// `sslmode=disable`).
    pub db_options: String,
    /// The service's name in page titles (Sympa's `title`).
    pub title: String,
    /// Where the web server serves the static files (Sympa's `static_content_url`).
    pub static_content_url: String,
    /// A directory whose templates override the built-in ones, file by file (`web/home.html`, ...).
    pub template_dir: Option<PathBuf>,
    /// A directory of gettext catalogues, `<lang>/<domain>.po` (`fr/base.po`, ...): a file
    /// there completes and overrides the built-in catalogue of its language sentence by
    /// sentence, and a language we do not ship is added by putting its files there.
    pub locale_dir: Option<PathBuf>,
    /// The site's language (Sympa's `lang`): pages for visitors whose browser asks for no
    /// language we have, and mail to people and lists without one of their own.
    pub lang: String,
    /// Largest request body accepted, in bytes; larger ones get 413.
    pub max_body_size: u64,
    /// The domain the session cookie is valid for (Sympa's `cookie_domain`): unset, or
    /// `localhost` as in Sympa, keeps it to the host that set it; `example.org` (a leading dot
    /// is ignored, as browsers do) shares it with every host under example.org.
    pub cookie_domain: Option<String>,
    /// Log verbosity: error, warn, info, debug or trace.
    pub log_level: String,

    /// Local part of the service's own address (Sympa's `email`): mail comes from `email@domain`.
    pub email: String,
    /// Display name on the service's mail (Sympa's `gecos`).
    pub gecos: String,
    /// How mail leaves: `smtp` (to `smtp_host`:`smtp_port`, no setuid helper) or `sendmail`.
    pub mail_transport: MailTransport,
    /// The MTA's sendmail program, used when `mail_transport = "sendmail"` (Sympa's `sendmail`).
    pub sendmail: PathBuf,
    /// The SMTP server that takes our mail, normally the local MTA.
    pub smtp_host: String,
    /// Its port.
    pub smtp_port: u16,
    /// Seconds before the first retry of a mail the MTA did not take; doubled at each try, at most an hour.
    pub mail_retry_delay: u64,
    /// Seconds after which a mail that still could not be sent is given up (default 5 days).
    pub mail_retry_period: u64,
    /// Sign list mail with DKIM (Sympa's `dkim_feature`): every copy, with the list domain's
    /// key, over both unsubscribe headers. Needs `dkim_private_key_path` and `dkim_selector`.
    pub dkim_feature: bool,
    /// The PEM private key (RSA or Ed25519) DKIM signs with (Sympa's `dkim_private_key_path`).
    pub dkim_private_key_path: Option<PathBuf>,
    /// The selector of the key's DNS record, `s=` (Sympa's `dkim_selector`).
    pub dkim_selector: String,
    /// The signing domain, `d=` (Sympa's `dkim_signer_domain`); `domain` when unset.
    pub dkim_signer_domain: Option<String>,
    /// Seal list mail with ARC (Sympa's `arc_feature`), once per post.
    pub arc_feature: bool,
    /// The PEM key ARC seals with (Sympa's `arc_private_key_path`); the DKIM key when unset.
    pub arc_private_key_path: Option<PathBuf>,
    /// The ARC key's selector (Sympa's `arc_selector`); `dkim_selector` when unset.
    pub arc_selector: Option<String>,
    /// The sealing domain (Sympa's `arc_signer_domain`); the DKIM signing domain when unset.
    pub arc_signer_domain: Option<String>,
    /// Our name in `ARC-Authentication-Results` (Sympa's `arc_srvid`); `domain` when unset.
    pub arc_srvid: Option<String>,
    /// At most this many SMTP sessions at once for one batch of list mail (Sympa's `maxsmtp`,
    /// whose default of 40 counted sendmail processes; here 4: the local MTA takes the rest).
    pub maxsmtp: u32,
    /// Recipients per SMTP transaction in bulk mode (Sympa's `nrcpt`, 25 there; 500 here,
    /// Mailman's ceiling).
    pub nrcpt: u32,
    /// Lifetime of a logged-in session, in seconds, renewed by use (Sympa's `session_table_ttl`, 2 days).
    pub session_table_ttl: u64,
    /// Lifetime of an anonymous session, in seconds (Sympa's `anonymous_session_table_ttl`, 1 hour).
    pub anonymous_session_table_ttl: u64,
    /// Lifetime of a mailed login ticket, in seconds (Sympa's `one_time_ticket_lifetime`, 2 days).
    pub one_time_ticket_lifetime: u64,
    /// Who may create lists (Sympa's `create_list` scenario): `listmaster` (listmasters
    /// only) or `public_listmaster` (any logged-in user may ask; the list waits, pending,
    /// for a listmaster, who is told by mail). Default `public_listmaster`, as in Sympa.
    pub create_list: CreateList,
}

/// Who may create lists (the `create_list` key).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
pub enum CreateList {
    /// Listmasters only.
    #[serde(rename = "listmaster")]
    Listmaster,
    /// Any logged-in user may ask: the list is created pending, and listmasters are told.
    #[serde(rename = "public_listmaster")]
    PublicListmaster,
    /// Any logged-in user creates a list, open at once, as its privileged owner (Sympa's
    /// `create_list` scenario that answers `do_it` to everyone authenticated).
    #[serde(rename = "public")]
    Public,
}

/// Which database holds the site.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
pub enum DbType {
    /// One file on this host (`db_name`).
    #[serde(rename = "SQLite", alias = "sqlite")]
    Sqlite,
    /// A PostgreSQL server, shared by every host of the site.
    #[serde(
        rename = "PostgreSQL",
        alias = "Pg",
        alias = "postgresql",
        alias = "postgres"
    )]
    Postgres,
}

/// How outgoing mail is handed to the MTA.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MailTransport {
    /// SMTP to `smtp_host`:`smtp_port`.
    Smtp,
    /// The `sendmail` program.
    Sendmail,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            domain: "localhost".into(),
            listmaster: "listmaster@localhost".into(),
            wwsympa_url: "http://localhost/sympa".into(),
            soap_url: "http://localhost/sympasoap".into(),
            trusted_applications: PathBuf::from("/etc/wwsympa/trusted_applications.conf"),
            soap_wsdl_conformant: false,
            cookie_expire: 0,
            db_type: DbType::Sqlite,
            db_name: PathBuf::from("wwsympa.db"),
            db_host: "localhost".into(),
            db_port: 5432,
            db_user: "sympa".into(),
            db_passwd: None,
            db_passwd_file: None,
            db_options: String::new(),
            title: "Mailing lists service".into(),
            static_content_url: "/static-sympa".into(),
            template_dir: None,
            locale_dir: None,
            lang: "en".into(),
            max_body_size: 8 * 1024 * 1024,
            cookie_domain: None,
            log_level: "info".into(),
            email: "sympa".into(),
            gecos: "SYMPA".into(),
            mail_transport: MailTransport::Smtp,
            sendmail: PathBuf::from("/usr/sbin/sendmail"),
            smtp_host: "localhost".into(),
            smtp_port: 25,
            mail_retry_delay: 60,
            mail_retry_period: 5 * 24 * 3600,
            dkim_feature: false,
            dkim_private_key_path: None,
            dkim_selector: String::new(),
            dkim_signer_domain: None,
            arc_feature: false,
            arc_private_key_path: None,
            arc_selector: None,
            arc_signer_domain: None,
            arc_srvid: None,
            maxsmtp: 4,
            nrcpt: 500,
            session_table_ttl: 2 * 24 * 3600,
            anonymous_session_table_ttl: 3600,
            one_time_ticket_lifetime: 2 * 24 * 3600,
            create_list: CreateList::PublicListmaster,
        }
    }
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown or mistyped keys.
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    /// A value is out of range.
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl Config {
    /// Loads `path`, or the defaults when `path` is `None`.
    pub fn load(path: Option<&Path>) -> Result<Config, Error> {
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.into(),
            source,
        })?;
        let config: Config = toml::from_str(&text).map_err(|e| Error::Parse {
            path: path.into(),
            message: e.to_string(),
        })?;
        config.validate().map_err(|message| Error::Invalid {
            path: path.into(),
            message,
        })?;
        Ok(config)
    }

    /// Checks values that parse but make no sense.
    pub fn validate(&self) -> Result<(), String> {
        if !self.wwsympa_url.starts_with("http://") && !self.wwsympa_url.starts_with("https://") {
            return Err(format!(
                "wwsympa_url {:?} must start with http:// or https://",
                self.wwsympa_url
            ));
        }
        if self.domain.is_empty() || self.domain.contains(['/', '@', ' ']) {
            return Err(format!("domain {:?} is not a domain name", self.domain));
        }
        if !self.static_content_url.starts_with('/') {
            return Err(format!(
                "static_content_url {:?} must be a path starting with /",
                self.static_content_url
            ));
        }
        if self.email.is_empty() || self.email.contains(['@', ' ', ',', '<', '>']) {
            return Err(format!(
                "email {:?} must be the local part of the service address, such as sympa",
                self.email
            ));
        }
        if let Some(domain) = &self.cookie_domain {
            let name = domain.trim_start_matches('.');
            let valid = !name.is_empty()
                && name.len() <= 253
                && name.split('.').all(|label| {
                    !label.is_empty()
                        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                });
            if !valid {
                return Err(format!("cookie_domain {domain:?} is not a domain name"));
            }
        }
        if self.dkim_feature
            && (self.dkim_private_key_path.is_none() || self.dkim_selector.trim().is_empty())
        {
            return Err("dkim_feature needs dkim_private_key_path and dkim_selector".to_string());
        }
        if self.arc_feature
            && (self.arc_private_key_path.is_none() && self.dkim_private_key_path.is_none()
                || self.arc_selector.is_none() && self.dkim_selector.trim().is_empty())
        {
            return Err("arc_feature needs a key and a selector (arc_private_key_path and arc_selector, or the DKIM ones)".to_string());
        }
        if self.maxsmtp == 0 || self.nrcpt == 0 {
            return Err("maxsmtp and nrcpt must be at least 1".to_string());
        }
        for address in self.listmasters() {
            if crate::domain::Email::parse(address).is_err() {
                return Err(format!("listmaster {address:?} is not an e-mail address"));
            }
        }
        Ok(())
    }

    /// The service's own address, `email@domain` (Sympa's robot address).
    pub fn service_address(&self) -> String {
        format!("{}@{}", self.email, self.domain)
    }

    /// The listmasters named in the configuration (Sympa's `listmaster`, comma-separated).
    pub fn listmasters(&self) -> impl Iterator<Item = &str> {
        self.listmaster
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
    }

    /// Returns true if and only if `email` is one of the configured listmasters.
    pub fn is_listmaster(&self, email: &crate::domain::Email) -> bool {
        self.listmasters()
            .any(|a| a.eq_ignore_ascii_case(email.as_str()))
    }

    /// The Domain attribute of the session cookie: `None` keeps the cookie to its host.
    pub fn cookie_domain(&self) -> Option<&str> {
        self.cookie_domain
            .as_deref()
            .map(|d| d.trim_start_matches('.'))
            .filter(|d| !d.is_empty() && !d.eq_ignore_ascii_case("localhost"))
    }

    /// `wwsympa_url` without a trailing slash: the start of every link in mail.
    pub fn base_url(&self) -> &str {
        self.wwsympa_url.trim_end_matches('/')
    }

    /// The path part of `wwsympa_url` without a trailing slash: `/sympa`, or `` at the root.
    pub fn base_path(&self) -> String {
        let after_scheme = self
            .wwsympa_url
            .split_once("://")
            .map_or(self.wwsympa_url.as_str(), |(_, rest)| rest);
        match after_scheme.find('/') {
            Some(i) => after_scheme[i..].trim_end_matches('/').to_string(),
            None => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_a_default() {
        let config: Config = toml::from_str("").unwrap();
        assert_eq!(config, Config::default());
        assert_eq!(config.base_path(), "/sympa");
    }

    #[test]
    fn base_path_comes_from_wwsympa_url() {
        let with = |url: &str| {
            Config {
                wwsympa_url: url.into(),
                ..Config::default()
            }
            .base_path()
        };
        assert_eq!(with("https://lists.example.org/wws/"), "/wws");
        assert_eq!(with("https://lists.example.org"), "");
        assert_eq!(with("http://h:8080/a/b"), "/a/b");
    }

    #[test]
    fn create_list_takes_its_three_values_and_names_them_otherwise() {
        assert_eq!(Config::default().create_list, CreateList::PublicListmaster);
        let config: Config = toml::from_str("create_list = 'listmaster'").unwrap();
        assert_eq!(config.create_list, CreateList::Listmaster);
        let config: Config = toml::from_str("create_list = 'public_listmaster'").unwrap();
        assert_eq!(config.create_list, CreateList::PublicListmaster);
        let config: Config = toml::from_str("create_list = 'public'").unwrap();
        assert_eq!(config.create_list, CreateList::Public);
        for bad in ["'intranet'", "'Listmaster'", "''", "true"] {
            let message = toml::from_str::<Config>(&format!("create_list = {bad}"))
                .unwrap_err()
                .to_string();
            if bad.starts_with('\'') {
                assert!(
                    message.contains("listmaster") && message.contains("public_listmaster"),
                    "{bad}: {message}"
                );
            }
        }
    }

    #[test]
    fn unknown_keys_are_errors() {
        assert!(toml::from_str::<Config>("domian = 'x'").is_err());
        let config: Config =
            toml::from_str("domain = 'lists.example.org'\ndb_name = '/var/lib/x.db'").unwrap();
        assert_eq!(config.domain, "lists.example.org");
    }

    #[test]
    fn cookie_domain_follows_sympa() {
        let with = |domain: Option<&str>| Config {
            cookie_domain: domain.map(str::to_string),
            ..Config::default()
        };
        assert_eq!(with(None).cookie_domain(), None);
        assert_eq!(with(Some("localhost")).cookie_domain(), None);
        assert_eq!(
            with(Some(".example.org")).cookie_domain(),
            Some("example.org")
        );
        assert!(with(Some("example.org")).validate().is_ok());
        for bad in ["", ".", "a b.org", "x.org; Secure", "a..org", "é.org"] {
            assert!(with(Some(bad)).validate().is_err(), "{bad:?}");
        }
    }
}
