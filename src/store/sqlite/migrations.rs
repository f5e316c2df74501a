//! Schema versions: SQL embedded from `sqlite/sql/NNN_*.sql`, applied in order, the version kept in the `schema_version` table.
//!
//! The files are SQLite's own (`WITHOUT ROWID`, `INTEGER PRIMARY KEY` row ids, SQLite's
//! trigger syntax); a PostgreSQL store has its own files, one per version, creating the same
//! tables, indexes and triggers under the same names.
//!
//! Databases written before the table existed kept their version in `PRAGMA user_version`:
//! such a database (no `schema_version` table) is at that version, and [`migrate`] first
//! records it in the table. The pragma still follows the table, so that a wwsympa from
//! before the table, which reads only the pragma, refuses a newer database instead of
//! applying its migrations a second time.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use super::{error, Context};
use crate::store::Error;

/// Every migration, in order; the version after applying entry `i` is `i + 1`.
const MIGRATIONS: &[(&str, &str)] = &[
    ("001_lists", include_str!("sql/001_lists.sql")),
    (
        "002_accounts_members",
        include_str!("sql/002_accounts_members.sql"),
    ),
    ("003_review", include_str!("sql/003_review.sql")),
    ("004_site_version", include_str!("sql/004_site_version.sql")),
    (
        "005_outbox_claims",
        include_str!("sql/005_outbox_claims.sql"),
    ),
    (
        "006_pending_one_per_address",
        include_str!("sql/006_pending_one_per_address.sql"),
    ),
    ("007_archive", include_str!("sql/007_archive.sql")),
    ("008_mail", include_str!("sql/008_mail.sql")),
    ("009_distribution", include_str!("sql/009_distribution.sql")),
    ("010_moderation", include_str!("sql/010_moderation.sql")),
    (
        "011_bounces_digests",
        include_str!("sql/011_bounces_digests.sql"),
    ),
    (
        "012_delivery_indexes",
        include_str!("sql/012_delivery_indexes.sql"),
    ),
    ("013_api_tokens", include_str!("sql/013_api_tokens.sql")),
    ("014_languages", include_str!("sql/014_languages.sql")),
    ("015_admin_info", include_str!("sql/015_admin_info.sql")),
    ("016_texts", include_str!("sql/016_texts.sql")),
    ("017_list_renames", include_str!("sql/017_list_renames.sql")),
    (
        "018_custom_attributes",
        include_str!("sql/018_custom_attributes.sql"),
    ),
    (
        "019_reception_modes",
        include_str!("sql/019_reception_modes.sql"),
    ),
    (
        "020_archive_version",
        include_str!("sql/020_archive_version.sql"),
    ),
];

/// The table holding the schema version: one row, made by [`migrate`] before any migration.
const SCHEMA_VERSION_TABLE: &str = "CREATE TABLE schema_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
)";

/// The schema version this build expects.
pub fn latest() -> u32 {
    MIGRATIONS.len() as u32
}

/// The SQL of migration `name`.
#[cfg(test)]
pub(super) fn sql_of(name: &str) -> &'static str {
    MIGRATIONS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, sql)| *sql)
        .unwrap_or_else(|| panic!("no migration {name}"))
}

/// Where the version is read from.
enum Source {
    /// The `schema_version` row.
    Table,
    /// `PRAGMA user_version`: a database from before the table, or a new one (0).
    Pragma,
}

/// The version, and where it was read from.
fn read(conn: &Connection) -> rusqlite::Result<(u32, Source)> {
    let row: Option<u32> = conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
            [],
            |_| Ok(()),
        )
        .optional()?
        .map(|()| {
            conn.query_row(
                "SELECT version FROM schema_version WHERE id = 1",
                [],
                |row| row.get(0),
            )
        })
        .transpose()?;
    match row {
        Some(version) => Ok((version, Source::Table)),
        None => conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map(|version| (version, Source::Pragma)),
    }
}

/// The database's schema version (0 for a new database).
pub fn version(conn: &Connection) -> Result<u32, Error> {
    read(conn)
        .map(|(version, _)| version)
        .context("reading the schema version")
}

fn refuse_newer(found: u32) -> Result<(), Error> {
    if found > latest() {
        return Err(Error::SchemaTooNew {
            found,
            known: latest(),
        });
    }
    Ok(())
}

/// Records the version in the table's one row and, for older builds, in the pragma.
fn record(conn: &Connection, version: u32) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO schema_version (id, version) VALUES (1, ?1)
         ON CONFLICT (id) DO UPDATE SET version = excluded.version",
        [version],
    )?;
    conn.pragma_update(None, "user_version", version)
}

/// Applies the missing migrations, each in its own write transaction that first reads the
/// version again (so two processes migrating at once apply each migration once); returns
/// how many ran. Refuses a database newer than this build, changing nothing.
pub fn migrate(conn: &mut Connection) -> Result<u32, Error> {
    let context = "reading the schema version";
    // Up to date: no write lock taken.
    if let (version, Source::Table) = read(conn).context(context)? {
        refuse_newer(version)?;
        if version == latest() {
            return Ok(0);
        }
    }
    let mut applied = 0;
    loop {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context("starting a migration")?;
        let (current, source) = read(&tx).context(context)?;
        refuse_newer(current)?;
        if let Source::Pragma = source {
            tx.execute_batch(SCHEMA_VERSION_TABLE)
                .and_then(|()| record(&tx, current))
                .context("making the schema_version table")?;
            if current > 0 {
                log::info!("database: schema version {current} now kept in table schema_version");
            }
        }
        let Some((name, sql)) = MIGRATIONS.get(current as usize) else {
            tx.commit().context("recording the schema version")?;
            return Ok(applied);
        };
        tx.execute_batch(sql).map_err(|e| error(*name, e))?;
        record(&tx, current + 1).map_err(|e| error(*name, e))?;
        tx.commit().map_err(|e| error(*name, e))?;
        log::info!("database: applied migration {name}");
        applied += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database as a build from before the table left it: migrations up to `version`
    /// applied, the version in the pragma only.
    fn from_before_the_table(version: u32) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        for (_, sql) in &MIGRATIONS[..version as usize] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", version).unwrap();
        conn
    }

    fn pragma(conn: &Connection) -> u32 {
        conn.query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap()
    }

    fn has_table(conn: &Connection) -> bool {
        matches!(read(conn).unwrap().1, Source::Table)
    }

    #[test]
    fn a_new_database_gets_the_table_and_every_migration() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(version(&conn).unwrap(), 0);
        assert_eq!(migrate(&mut conn).unwrap(), latest());
        assert!(has_table(&conn));
        assert_eq!(version(&conn).unwrap(), latest());
        assert_eq!(pragma(&conn), latest());
        assert_eq!(migrate(&mut conn).unwrap(), 0);
    }

    #[test]
    fn a_database_from_before_the_table_is_at_its_user_version_and_upgraded() {
        let mut conn = from_before_the_table(4);
        conn.execute(
            "INSERT INTO domains (name, created_at) VALUES ('a.org', 0)",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO lists (domain_id, name, created_at, updated_at) VALUES (1, 'news', 0, 0)",
            [],
        )
        .unwrap();
        assert_eq!(version(&conn).unwrap(), 4);
        assert!(!has_table(&conn));
        // Only 005 and 006 run: 001 to 004 would fail on tables that exist.
        assert_eq!(migrate(&mut conn).unwrap(), latest() - 4);
        assert!(has_table(&conn));
        assert_eq!(version(&conn).unwrap(), latest());
        assert_eq!(pragma(&conn), latest());
        let lists: u32 = conn
            .query_row("SELECT COUNT(*) FROM lists", [], |row| row.get(0))
            .unwrap();
        assert_eq!(lists, 1, "the data is kept");
        // 005 ran: the outbox has its claim column.
        conn.execute("UPDATE outbox SET claimed_by = 'x'", [])
            .unwrap();
    }

    #[test]
    fn a_database_from_before_the_table_at_the_latest_version_only_gets_the_table() {
        let mut conn = from_before_the_table(latest());
        assert_eq!(migrate(&mut conn).unwrap(), 0);
        assert!(has_table(&conn));
        assert_eq!(version(&conn).unwrap(), latest());
    }

    #[test]
    fn a_newer_database_is_refused_and_left_alone() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        record(&conn, latest() + 1).unwrap();
        assert!(matches!(
            migrate(&mut conn),
            Err(Error::SchemaTooNew { found, known }) if found == latest() + 1 && known == latest()
        ));
        assert_eq!(version(&conn).unwrap(), latest() + 1);

        // From before the table too: refused, and no table made.
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", latest() + 1)
            .unwrap();
        assert!(matches!(
            migrate(&mut conn),
            Err(Error::SchemaTooNew { .. })
        ));
        assert!(!has_table(&conn));
    }

    #[test]
    fn the_reception_modes_migration_widens_both_checks_and_keeps_every_row() {
        // A file database, so that a second connection sees the change as another process would.
        let dir = std::env::temp_dir().join(format!("wwsympa-mig19-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("db.sqlite");
        let _ = std::fs::remove_file(&path);
        let mut conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
        for (_, sql) in &MIGRATIONS[..18] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 18).unwrap();
        conn.execute_batch(
            "INSERT INTO domains (id, name, created_at) VALUES (1, 'd', 0);
             INSERT INTO lists (id, domain_id, name, created_at, updated_at) VALUES (1, 1, 'team', 0, 0);
             INSERT INTO members (list_id, email, reception, subscribed_at, updated_at)
                 VALUES (1, 'a@d', 'digest', 0, 0), (1, 'b@d', 'nomail', 0, 0);",
        )
        .unwrap();
        let other = Connection::open(&path).unwrap();
        // The other connection has read the old schema.
        let refused = other.execute(
            "INSERT INTO members (list_id, email, reception, subscribed_at, updated_at)
             VALUES (1, 'x@d', 'not_me', 0, 0)",
            [],
        );
        assert!(refused.is_err(), "the old CHECK refuses not_me");
        assert_eq!(migrate(&mut conn).unwrap() as usize, MIGRATIONS.len() - 18);
        // The migrating connection and another one both use the new schema.
        conn.execute(
            "INSERT INTO members (list_id, email, reception, subscribed_at, updated_at)
             VALUES (1, 'd@d', 'not_me', 0, 0)",
            [],
        )
        .unwrap();
        conn.execute("DELETE FROM members WHERE email = 'd@d'", [])
            .unwrap();
        for (email, mode) in [("c@d", "not_me"), ("e@d", "digestplain")] {
            other
                .execute(
                    "INSERT INTO members (list_id, email, reception, subscribed_at, updated_at)
                     VALUES (1, ?1, ?2, 0, 0)",
                    [email, mode],
                )
                .unwrap();
        }
        other
            .execute(
                "UPDATE lists SET default_reception = 'not_me' WHERE id = 1",
                [],
            )
            .unwrap();
        let wrong = other.execute(
            "INSERT INTO members (list_id, email, reception, subscribed_at, updated_at)
             VALUES (1, 'f@d', 'sometimes', 0, 0)",
            [],
        );
        assert!(
            wrong.is_err(),
            "the widened CHECK still refuses other values"
        );
        let wrong = other.execute("UPDATE lists SET default_reception = 'x' WHERE id = 1", []);
        assert!(wrong.is_err());
        let rows: Vec<(String, String)> = other
            .prepare("SELECT email, reception FROM members ORDER BY email")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            rows,
            [
                ("a@d".to_string(), "digest".to_string()),
                ("b@d".into(), "nomail".into()),
                ("c@d".into(), "not_me".into()),
                ("e@d".into(), "digestplain".into()),
            ]
        );
        let count: i64 = other
            .query_row("SELECT member_count FROM lists WHERE id = 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(count, 4, "the count triggers still run");
        let check: String = other
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        drop((conn, other));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
