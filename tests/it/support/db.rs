//! The database a test site runs on, as `WWSYMPA_TEST_DB` selects (`sqlite`, the default, or `postgresql`): one fresh database per site, its configuration lines, stores on it, raw SQL behind the store's back.
//!
//! Every test that makes a site takes its database from here, so the whole suite runs on the
//! selected database. On PostgreSQL each [`SiteDb`] is a database of its own,
//! `wwsympa_it_<pid>_<n>`, created through the role `WWSYMPA_TEST_POSTGRES` names (a libpq
//! string or URL without the database, for a role that may create databases) and dropped
//! `WITH (FORCE)` with the [`SiteDb`]. With `WWSYMPA_TEST_DB=postgresql` and no
//! `WWSYMPA_TEST_POSTGRES`, every such test fails: the run never falls back to SQLite.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use wwsympa::config::{Config, DbType};
use wwsympa::store::{Store, Target};

/// The database a run tests against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A file in the site's directory (the default).
    Sqlite,
    /// A database of its own on the server `WWSYMPA_TEST_POSTGRES` names.
    Postgres,
}

/// The database `WWSYMPA_TEST_DB` selects: `sqlite` (also when unset) or `postgresql`;
/// anything else fails the test.
pub fn backend() -> Backend {
    match std::env::var("WWSYMPA_TEST_DB") {
        Err(std::env::VarError::NotPresent) => Backend::Sqlite,
        Ok(name) if name.is_empty() || name.eq_ignore_ascii_case("sqlite") => Backend::Sqlite,
        Ok(name)
            if name.eq_ignore_ascii_case("postgresql") || name.eq_ignore_ascii_case("postgres") =>
        {
            Backend::Postgres
        }
        other => panic!("WWSYMPA_TEST_DB={other:?}: expected `sqlite` or `postgresql`"),
    }
}

/// A value bound to a placeholder of raw SQL.
#[derive(Clone, Copy, Debug)]
pub enum Value<'a> {
    Text(&'a str),
    Int(i64),
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(text: &'a str) -> Value<'a> {
        Value::Text(text)
    }
}

impl From<i64> for Value<'_> {
    fn from(int: i64) -> Self {
        Value::Int(int)
    }
}

/// The PostgreSQL server of `WWSYMPA_TEST_POSTGRES`, read apart for the configuration lines.
#[derive(Clone, Debug)]
struct Server {
    conninfo: String,
    host: String,
    port: u16,
    user: String,
    password: Option<String>,
}

impl Server {
    /// The server `WWSYMPA_TEST_POSTGRES` names; its absence fails the test, loudly.
    fn from_env() -> Server {
        let conninfo = match std::env::var("WWSYMPA_TEST_POSTGRES") {
            Ok(conninfo) if !conninfo.trim().is_empty() => conninfo,
            _ => panic!(
                "WWSYMPA_TEST_DB=postgresql but WWSYMPA_TEST_POSTGRES names no server: set it to a \
                 libpq string for a role that may create databases, without dbname (e.g. \
                 `host=127.0.0.1 port=5432 user=wwsympa_test password=wwsympa_test`); tests/run does"
            ),
        };
        let config: postgres::Config = conninfo
            .parse()
            .unwrap_or_else(|e| panic!("WWSYMPA_TEST_POSTGRES={conninfo:?}: {e}"));
        let host = match config.get_hosts().first() {
            Some(postgres::config::Host::Tcp(host)) => host.clone(),
            Some(postgres::config::Host::Unix(dir)) => dir.display().to_string(),
            None => "localhost".into(),
        };
        Server {
            host,
            port: config.get_ports().first().copied().unwrap_or(5432),
            user: config
                .get_user()
                .expect("WWSYMPA_TEST_POSTGRES names no user")
                .to_string(),
            password: config
                .get_password()
                .map(|p| String::from_utf8(p.to_vec()).expect("a UTF-8 password")),
            conninfo,
        }
    }

    /// A connection to the database `name` of this server.
    fn client(&self, name: &str) -> postgres::Client {
        let mut config: postgres::Config = self.conninfo.parse().unwrap();
        config
            .dbname(name)
            .connect_timeout(Duration::from_secs(10))
            .connect(postgres::NoTls)
            .unwrap_or_else(|e| panic!("connecting to {name} on WWSYMPA_TEST_POSTGRES: {e}"))
    }

    /// Drops the databases of earlier runs that died before dropping theirs (their process is
    /// gone), once per run.
    fn sweep_leftovers(&self) {
        static SWEPT: std::sync::Once = std::sync::Once::new();
        SWEPT.call_once(|| {
            let mut admin = self.client("postgres");
            let names: Vec<String> = admin
                .query(
                    "SELECT datname::text FROM pg_database WHERE datname LIKE 'wwsympa\\_it\\_%'",
                    &[],
                )
                .unwrap()
                .iter()
                .map(|row| row.get(0))
                .collect();
            for name in names {
                let pid = name.split('_').nth(2).unwrap_or("");
                let alive = !pid.is_empty() && Path::new("/proc").join(pid).exists();
                if !alive {
                    let _ = admin
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            }
        });
    }
}

/// One site's database: an SQLite file, or a PostgreSQL database dropped with this value.
pub struct SiteDb {
    kind: Kind,
}

enum Kind {
    Sqlite(PathBuf),
    Postgres { server: Server, name: String },
}

/// Quotes `text` as a TOML basic string.
fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `sql` with SQLite's numbered placeholders `?N` written as PostgreSQL's `$N`.
fn numbered_to_dollar(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(|next| next.is_ascii_digit()) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

impl SiteDb {
    /// A fresh database for the site in `dir` on the selected backend: the SQLite file
    /// `dir/<file>`, or a new PostgreSQL database.
    pub fn new(dir: &Path, file: &str) -> SiteDb {
        match backend() {
            Backend::Sqlite => SiteDb::sqlite(&dir.join(file)),
            Backend::Postgres => SiteDb::postgres(),
        }
    }

    /// The SQLite file at `path`, whatever the run selected: for tests about SQLite itself.
    pub fn sqlite(path: &Path) -> SiteDb {
        SiteDb {
            kind: Kind::Sqlite(path.to_path_buf()),
        }
    }

    /// A new empty database `wwsympa_it_<pid>_<n>` on the `WWSYMPA_TEST_POSTGRES` server.
    fn postgres() -> SiteDb {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let server = Server::from_env();
        server.sweep_leftovers();
        let name = format!(
            "wwsympa_it_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let mut admin = server.client("postgres");
        // One statement at a time: neither may run inside the transaction a batch would be.
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        SiteDb {
            kind: Kind::Postgres { server, name },
        }
    }

    /// Returns true if and only if this is a PostgreSQL database.
    pub fn is_postgres(&self) -> bool {
        matches!(self.kind, Kind::Postgres { .. })
    }

    /// The SQLite file, if this is one.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match &self.kind {
            Kind::Sqlite(path) => Some(path),
            Kind::Postgres { .. } => None,
        }
    }

    /// The configuration lines (TOML, each ending with a newline) that name this database.
    pub fn toml(&self) -> String {
        match &self.kind {
            Kind::Sqlite(path) => {
                format!("db_name = {}\n", toml_string(&path.display().to_string()))
            }
            Kind::Postgres { server, name } => {
                let mut lines = format!(
                    "db_type = \"PostgreSQL\"\ndb_host = {}\ndb_port = {}\ndb_user = {}\ndb_name = {}\n",
                    toml_string(&server.host),
                    server.port,
                    toml_string(&server.user),
                    toml_string(name),
                );
                if let Some(password) = &server.password {
                    lines.push_str(&format!("db_passwd = {}\n", toml_string(password)));
                }
                lines
            }
        }
    }

    /// Sets `config`'s `db_*` fields to this database.
    pub fn configure(&self, config: &mut Config) {
        match &self.kind {
            Kind::Sqlite(path) => {
                config.db_type = DbType::Sqlite;
                config.db_name = path.clone();
            }
            Kind::Postgres { server, name } => {
                config.db_type = DbType::Postgres;
                config.db_host = server.host.clone();
                config.db_port = server.port;
                config.db_user = server.user.clone();
                config.db_passwd = server.password.clone();
                config.db_passwd_file = None;
                config.db_name = PathBuf::from(name);
            }
        }
    }

    /// Where a store connects to reach this database.
    pub fn target(&self) -> Target {
        let mut config = Config::default();
        self.configure(&mut config);
        Target::from_config(&config).unwrap()
    }

    /// A connection to the database, as it is (the schema not brought up to date).
    pub fn connect(&self) -> Store {
        Store::connect(&self.target()).unwrap()
    }

    /// A connection to the database, its schema brought up to date.
    pub fn store(&self) -> Store {
        let mut store = self.connect();
        store.migrate().unwrap();
        store
    }

    /// Runs `sql` behind the store's back, with placeholders `?1`, `?2`… (written `$1`, `$2`…
    /// for PostgreSQL); returns how many rows it changed. For SQL both databases take; else
    /// [`SiteDb::execute_each`].
    pub fn execute(&self, sql: &str, params: &[Value<'_>]) -> u64 {
        self.execute_each(sql, &numbered_to_dollar(sql), params)
    }

    /// Runs `sqlite` or `postgres`, whichever this database takes, behind the store's back;
    /// returns how many rows it changed.
    pub fn execute_each(&self, sqlite: &str, postgres: &str, params: &[Value<'_>]) -> u64 {
        match &self.kind {
            Kind::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).unwrap();
                let values = params.iter().map(|value| match value {
                    Value::Text(text) => rusqlite::types::Value::Text(text.to_string()),
                    Value::Int(int) => rusqlite::types::Value::Integer(*int),
                });
                conn.execute(sqlite, rusqlite::params_from_iter(values))
                    .unwrap_or_else(|e| panic!("{sqlite}: {e}")) as u64
            }
            Kind::Postgres { server, name } => {
                let values: Vec<&(dyn postgres::types::ToSql + Sync)> = params
                    .iter()
                    .map(|value| -> &(dyn postgres::types::ToSql + Sync) {
                        match value {
                            Value::Text(text) => text,
                            Value::Int(int) => int,
                        }
                    })
                    .collect();
                server
                    .client(name)
                    .execute(postgres, &values)
                    .unwrap_or_else(|e| panic!("{postgres}: {e}"))
            }
        }
    }

    /// The first column of every row `sql` returns (text or bytes), read behind the store's
    /// back; `sql` has no placeholders and is written so that both databases take it.
    pub fn column(&self, sql: &str) -> Vec<Vec<u8>> {
        match &self.kind {
            Kind::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).unwrap();
                let mut statement = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
                let rows = statement
                    .query_map([], |row| {
                        Ok(match row.get_ref(0)? {
                            rusqlite::types::ValueRef::Null => Vec::new(),
                            rusqlite::types::ValueRef::Integer(i) => i.to_string().into_bytes(),
                            rusqlite::types::ValueRef::Real(r) => r.to_string().into_bytes(),
                            rusqlite::types::ValueRef::Text(t)
                            | rusqlite::types::ValueRef::Blob(t) => t.to_vec(),
                        })
                    })
                    .unwrap();
                rows.map(|r| r.unwrap()).collect()
            }
            Kind::Postgres { server, name } => server
                .client(name)
                .query(sql, &[])
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
                .iter()
                .map(|row| {
                    row.try_get::<_, Option<Vec<u8>>>(0)
                        .map(Option::unwrap_or_default)
                        .or_else(|_| {
                            row.try_get::<_, Option<String>>(0)
                                .map(|t| t.unwrap_or_default().into_bytes())
                        })
                        .or_else(|_| row.try_get::<_, i64>(0).map(|i| i.to_string().into_bytes()))
                        .unwrap_or_else(|e| panic!("{sql}: {e}"))
                })
                .collect(),
        }
    }

    /// [`SiteDb::column`] as text (lossy).
    pub fn texts(&self, sql: &str) -> Vec<String> {
        self.column(sql)
            .into_iter()
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .collect()
    }

    /// Rows of `table`, counted behind the store's back.
    pub fn rows(&self, table: &str) -> i64 {
        let sql = format!("SELECT count(*) FROM {table}");
        match &self.kind {
            Kind::Sqlite(path) => rusqlite::Connection::open(path)
                .unwrap()
                .query_row(&sql, [], |row| row.get(0))
                .unwrap(),
            Kind::Postgres { server, name } => {
                server.client(name).query_one(&sql, &[]).unwrap().get(0)
            }
        }
    }
}

impl Drop for SiteDb {
    fn drop(&mut self) {
        let Kind::Postgres { server, name } = &self.kind else {
            return;
        };
        // No panic here: a drop during a failing test's unwinding would abort the run. A few
        // tries: FORCE may not end a session it has no right to signal (an autovacuum worker
        // that just started on the database), which is gone a moment later. What is left is
        // swept by the next run.
        let drop_once = || {
            let mut config: postgres::Config = server.conninfo.parse()?;
            let mut admin = config
                .dbname("postgres")
                .connect_timeout(Duration::from_secs(10))
                .connect(postgres::NoTls)?;
            admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        };
        for attempt in 1..=5 {
            match drop_once() {
                Ok(()) => return,
                Err(e) if attempt == 5 => eprintln!("dropping the test database {name}: {e}"),
                Err(_) => std::thread::sleep(Duration::from_millis(200 * attempt)),
            }
        }
    }
}

#[test]
fn numbered_placeholders_are_written_for_postgresql() {
    assert_eq!(
        numbered_to_dollar("UPDATE t SET a = ?1 WHERE b = ?12 AND c = '?'"),
        "UPDATE t SET a = $1 WHERE b = $12 AND c = '?'"
    );
}
