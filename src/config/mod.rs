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
    /// Address of the listmaster (Sympa's `listmaster`); the first one when several, comma-separated.
    pub listmaster: String,
    /// Public URL of the web interface (Sympa's `wwsympa_url`); its path is the base of every link.
    pub wwsympa_url: String,
    /// Public URL of the SOAP interface (Sympa's `soap_url`).
    pub soap_url: String,
    /// The SQLite database file (Sympa's `db_name`); relative paths are from the working directory.
    pub db_name: PathBuf,
    /// The service's name in page titles (Sympa's `title`).
    pub title: String,
    /// Where the web server serves the static files (Sympa's `static_content_url`).
    pub static_content_url: String,
    /// A directory whose templates override the built-in ones, file by file (`web/home.html`, ...).
    pub template_dir: Option<PathBuf>,
    /// Largest request body accepted, in bytes; larger ones get 413.
    pub max_body_size: u64,
    /// Log verbosity: error, warn, info, debug or trace.
    pub log_level: String,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            domain: "localhost".into(),
            listmaster: "listmaster@localhost".into(),
            wwsympa_url: "http://localhost/sympa".into(),
            soap_url: "http://localhost/sympasoap".into(),
            db_name: PathBuf::from("wwsympa.db"),
            title: "Mailing lists service".into(),
            static_content_url: "/static-sympa".into(),
            template_dir: None,
            max_body_size: 8 * 1024 * 1024,
            log_level: "info".into(),
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
        Ok(())
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
    fn unknown_keys_are_errors() {
        assert!(toml::from_str::<Config>("domian = 'x'").is_err());
        let config: Config =
            toml::from_str("domain = 'lists.example.org'\ndb_name = '/var/lib/x.db'").unwrap();
        assert_eq!(config.domain, "lists.example.org");
    }
}
