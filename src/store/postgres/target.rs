//! Where a PostgreSQL store connects: Sympa's `db_*` parameters, or a `postgresql://` URL, made into the driver's settings.

use std::str::FromStr;
use std::time::Duration;

use crate::store::Error;

/// How long connecting may take unless `db_options` says `connect_timeout`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A PostgreSQL server, database and role, with the password; [`Target::describe`] leaves
/// the password out.
#[derive(Clone)]
pub(crate) struct Target {
    config: postgres::Config,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// A libpq value, quoted.
fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

impl Target {
    /// From Sympa's parameters; `options` are libpq `key=value` pairs separated by `;` or
    /// spaces and override the others.
    pub(crate) fn from_parts(
        host: &str,
        port: u16,
        name: &str,
        user: &str,
        password: Option<&str>,
        options: &str,
    ) -> Result<Target, Error> {
        let mut conninfo = format!(
            "host={} port={port} dbname={} user={} application_name=wwsympa",
            quote(host),
            quote(name),
            quote(user)
        );
        if let Some(password) = password {
            conninfo.push_str(&format!(" password={}", quote(password)));
        }
        for option in options.split(';').map(str::trim).filter(|o| !o.is_empty()) {
            conninfo.push(' ');
            conninfo.push_str(option);
        }
        Target::parse(&conninfo)
    }

    /// From a `postgresql://user:password@host:port/name?options` URL or a libpq string.
    pub(crate) fn parse(text: &str) -> Result<Target, Error> {
        let mut config = postgres::Config::from_str(text).map_err(|e| Error::Config {
            message: format!("the PostgreSQL connection settings: {e}"),
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_ssl_mode() == postgres::config::SslMode::Require {
            return Err(Error::Config {
                message: "sslmode=require: this build speaks to PostgreSQL without TLS; \
                          connect through its Unix socket (db_host = \"/var/run/postgresql\") \
                          or a private network"
                    .into(),
            });
        }
        // Without TLS, `prefer` is `disable`: say it, rather than try TLS and fall back.
        config.ssl_mode(postgres::config::SslMode::Disable);
        if config.get_dbname().is_none() {
            return Err(Error::Config {
                message: "the PostgreSQL connection settings name no database".into(),
            });
        }
        Ok(Target { config })
    }

    /// The driver's settings.
    pub(crate) fn config(&self) -> &postgres::Config {
        &self.config
    }

    /// `PostgreSQL sympa@localhost:5432/sympa`, without the password.
    pub(crate) fn describe(&self) -> String {
        let host = match self.config.get_hosts().first() {
            Some(postgres::config::Host::Tcp(name)) => name.clone(),
            Some(postgres::config::Host::Unix(path)) => path.display().to_string(),
            None => "localhost".into(),
        };
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        format!(
            "PostgreSQL {}@{host}:{port}/{}",
            self.config.get_user().unwrap_or("?"),
            self.config.get_dbname().unwrap_or("?")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sympas_parameters_make_the_settings_and_options_override_them() {
        let target = Target::from_parts(
            "/var/run/postgresql",
            5433,
            "sym pa",
            "o'brien",
            Some("p\\w'd"),
            "connect_timeout=9; application_name=web1",
        )
        .unwrap();
        assert_eq!(
            target.describe(),
            "PostgreSQL o'brien@/var/run/postgresql:5433/sym pa"
        );
        assert_eq!(target.config().get_password(), Some(&b"p\\w'd"[..]));
        assert_eq!(
            target.config().get_connect_timeout(),
            Some(&Duration::from_secs(9))
        );
        assert_eq!(target.config().get_application_name(), Some("web1"));
        assert!(!format!("{target:?}").contains("w'd"), "no password shown");
        assert_eq!(format!("{target:?}"), target.describe(), "what is shown");
    }

    #[test]
    fn urls_work_and_bad_settings_are_explained() {
        let target = Target::parse("postgresql://ann:secret@db.example.org:6000/lists").unwrap();
        assert_eq!(
            target.describe(),
            "PostgreSQL ann@db.example.org:6000/lists"
        );
        assert_eq!(
            target.config().get_connect_timeout(),
            Some(&CONNECT_TIMEOUT)
        );
        for bad in [
            "postgresql://ann@db/lists?sslmode=require",
            "host=db user=ann",
            "host=db dbname=x nonsense",
        ] {
            let error = Target::parse(bad).unwrap_err().to_string();
            assert!(
                error.contains("PostgreSQL") || error.contains("TLS"),
                "{bad}: {error}"
            );
        }
    }
}
