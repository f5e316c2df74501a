//! store::Target: which database a store connects to, from the configuration (Sympa's `db_*` parameters) or a URL.

use std::path::{Path, PathBuf};

use super::{postgres, Error};
use crate::config::{Config, DbType};

/// Where a store connects: an SQLite file, or a PostgreSQL database with its credentials.
#[derive(Clone, Debug)]
pub struct Target {
    pub(super) kind: Kind,
}

/// The database behind a [`Target`].
#[derive(Clone, Debug)]
pub(super) enum Kind {
    Sqlite(PathBuf),
    Postgres(Box<postgres::Target>),
}

impl Target {
    /// The configured database. PostgreSQL's password comes from `db_passwd`, else the first
    /// line of `db_passwd_file`, else `$CREDENTIALS_DIRECTORY/db_passwd` (a systemd
    /// credential) when that file exists.
    pub fn from_config(config: &Config) -> Result<Target, Error> {
        match config.db_type {
            DbType::Sqlite => Ok(Target::sqlite(&config.db_name)),
            DbType::Postgres => {
                let password = match (&config.db_passwd, &config.db_passwd_file) {
                    (Some(password), _) => Some(password.clone()),
                    (None, Some(file)) => Some(read_password(file)?),
                    (None, None) => match std::env::var_os("CREDENTIALS_DIRECTORY") {
                        Some(dir) if Path::new(&dir).join("db_passwd").is_file() => {
                            Some(read_password(&Path::new(&dir).join("db_passwd"))?)
                        }
                        _ => None,
                    },
                };
                let name = config.db_name.to_str().ok_or_else(|| Error::Config {
                    message: "db_name is not UTF-8".into(),
                })?;
                // The shipped file's SQLite path left in place when switching to PostgreSQL.
                if name.contains('/') || name.ends_with(".db") {
                    return Err(Error::Config {
                        message: format!(
                            "db_name {name:?} looks like an SQLite file; with db_type = \"PostgreSQL\" \
                             it names the database, such as \"sympa\""
                        ),
                    });
                }
                postgres::Target::from_parts(
                    &config.db_host,
                    config.db_port,
                    name,
                    &config.db_user,
                    password.as_deref(),
                    &config.db_options,
                )
                .map(|target| Target {
                    kind: Kind::Postgres(Box::new(target)),
                })
            }
        }
    }

    /// The SQLite database at `path`.
    pub fn sqlite(path: &Path) -> Target {
        Target {
            kind: Kind::Sqlite(path.to_path_buf()),
        }
    }

    /// A PostgreSQL database named by a `postgresql://user:password@host:port/name` URL or a
    /// libpq `key=value` string; anything else is taken for an SQLite file's path.
    pub fn parse(text: &str) -> Result<Target, Error> {
        let looks_like_postgres = text.starts_with("postgresql://")
            || text.starts_with("postgres://")
            || (text.contains('=') && !text.contains('/'))
            || text.contains("dbname=");
        if looks_like_postgres {
            postgres::Target::parse(text).map(|target| Target {
                kind: Kind::Postgres(Box::new(target)),
            })
        } else {
            Ok(Target::sqlite(Path::new(text)))
        }
    }

    /// `SQLite /var/lib/wwsympa/wwsympa.db` or `PostgreSQL sympa@localhost:5432/sympa`: never
    /// the password.
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Sqlite(path) => format!("SQLite {}", path.display()),
            Kind::Postgres(target) => target.describe(),
        }
    }

    /// Returns true if and only if this is a PostgreSQL database.
    pub fn is_postgres(&self) -> bool {
        matches!(self.kind, Kind::Postgres(_))
    }
}

/// The first line of a password file.
fn read_password(path: &Path) -> Result<String, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
        message: format!("db_passwd_file {}: {e}", path.display()),
    })?;
    Ok(text.lines().next().unwrap_or("").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_chooses_the_database() {
        let sqlite = Target::from_config(&Config::default()).unwrap();
        assert_eq!(sqlite.describe(), "SQLite wwsympa.db");
        assert!(!sqlite.is_postgres());
        let dir = std::env::temp_dir().join(format!("wwsympa-target-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("pw");
        std::fs::write(&file, "s3cret\nignored\n").unwrap();
        let config: Config = toml::from_str(&format!(
            "db_type = 'PostgreSQL'\ndb_name = 'sympa'\ndb_host = '/run/postgresql'\n\
             db_user = 'web'\ndb_passwd_file = '{}'\n",
            file.display()
        ))
        .unwrap();
        let target = Target::from_config(&config).unwrap();
        assert!(target.is_postgres());
        assert_eq!(
            target.describe(),
            "PostgreSQL web@/run/postgresql:5432/sympa"
        );
        let Kind::Postgres(pg) = &target.kind else {
            unreachable!()
        };
        assert_eq!(pg.config().get_password(), Some(&b"s3cret"[..]));
        let missing = Config {
            db_passwd_file: Some(dir.join("none")),
            ..config
        };
        let error = Target::from_config(&missing).unwrap_err().to_string();
        assert!(error.contains("db_passwd_file"), "{error}");
        let left_a_path = Config {
            db_name: "/var/lib/wwsympa/wwsympa.db".into(),
            db_passwd_file: None,
            ..missing
        };
        let error = Target::from_config(&left_a_path).unwrap_err().to_string();
        assert!(error.contains("looks like an SQLite file"), "{error}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn sympas_db_type_names_are_taken() {
        for (text, postgres) in [
            ("SQLite", false),
            ("PostgreSQL", true),
            ("Pg", true),
            ("postgresql", true),
        ] {
            let config: Config = toml::from_str(&format!("db_type = '{text}'")).unwrap();
            assert_eq!(config.db_type == DbType::Postgres, postgres, "{text}");
        }
        assert!(toml::from_str::<Config>("db_type = 'MySQL'").is_err());
    }

    #[test]
    fn urls_and_paths_are_told_apart() {
        assert!(Target::parse("postgresql://u@h/db").unwrap().is_postgres());
        assert!(Target::parse("host=/run/postgresql dbname=db")
            .unwrap()
            .is_postgres());
        assert!(!Target::parse("/var/lib/wwsympa/wwsympa.db")
            .unwrap()
            .is_postgres());
        assert!(!Target::parse("copy.db").unwrap().is_postgres());
        // `key=value` without a slash is a libpq string, refused when it names no database
        // rather than taken for a file's name; a path may hold `=`.
        let error = Target::parse("host=db.example.org user=sympa")
            .unwrap_err()
            .to_string();
        assert!(error.contains("no database"), "{error}");
        assert!(!Target::parse("/srv/site=a/wwsympa.db")
            .unwrap()
            .is_postgres());
    }

    /// `$CREDENTIALS_DIRECTORY/db_passwd` (a systemd credential) is the password when the
    /// configuration names none, and there is none without that file. The variable is set
    /// for a child process running this one test, not in this process, whose other tests
    /// run on other threads.
    #[test]
    fn a_systemd_credential_is_the_password_when_the_configuration_names_none() {
        const CHILD: &str = "WWSYMPA_TEST_CREDENTIALS_CHILD";
        const NAME: &str =
            "store::target::tests::a_systemd_credential_is_the_password_when_the_configuration_names_none";
        if let Some(dir) = std::env::var_os(CHILD) {
            assert_eq!(std::env::var_os("CREDENTIALS_DIRECTORY"), Some(dir.clone()));
            let config: Config =
                toml::from_str("db_type = 'PostgreSQL'\ndb_name = 'sympa'\n").unwrap();
            let password = || match Target::from_config(&config).unwrap().kind {
                Kind::Postgres(pg) => pg.config().get_password().map(<[u8]>::to_vec),
                Kind::Sqlite(_) => unreachable!(),
            };
            assert_eq!(password(), Some(b"from-systemd".to_vec()));
            std::fs::remove_file(Path::new(&dir).join("db_passwd")).unwrap();
            assert_eq!(password(), None);
            return;
        }
        let dir = std::env::temp_dir().join(format!("wwsympa-credentials-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("db_passwd"), "from-systemd\nignored\n").unwrap();
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", NAME, "--test-threads", "1"])
            .env("CREDENTIALS_DIRECTORY", &dir)
            .env(CHILD, &dir)
            .output()
            .unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
