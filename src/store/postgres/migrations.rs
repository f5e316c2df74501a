//! Schema versions on PostgreSQL: SQL embedded from `postgres/sql/NNN_*.sql`, the same versions as SQLite's, applied in order under an advisory lock.

use super::{error, Conn, Context};
use crate::store::Error;

/// Every migration, in order; the version after applying entry `i` is `i + 1`. Each file
/// makes PostgreSQL's form of the SQLite migration of the same name.
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

/// Held by the process migrating, so that two processes starting at once apply each
/// migration once (a different key from the writers' lock).
const MIGRATION_LOCK: i64 = 0x0077_7773_796d_7601;

/// The schema version this build expects.
pub(super) fn latest() -> u32 {
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

/// The database's schema version (0 for a new database).
pub(super) fn version(conn: &Conn) -> Result<u32, Error> {
    let context = "reading the schema version";
    let exists: bool = conn
        .query_one("SELECT to_regclass('schema_version') IS NOT NULL", &[])
        .and_then(|row| row.try_get(0))
        .context(context)?;
    if !exists {
        return Ok(0);
    }
    let version: Option<i64> = conn
        .query_opt("SELECT version FROM schema_version WHERE id = 1", &[])
        .and_then(|row| row.map(|row| row.try_get(0)).transpose())
        .context(context)?;
    Ok(version.unwrap_or(0).clamp(0, i64::from(u32::MAX)) as u32)
}

/// Applies the missing migrations, each in its own transaction with the new version;
/// returns how many ran. Refuses a database newer than this build, changing nothing.
pub(super) fn migrate(conn: &Conn) -> Result<u32, Error> {
    let found = version(conn)?;
    refuse_newer(found)?;
    if found == latest() {
        return Ok(0);
    }
    conn.batch(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
        .context("waiting for other processes' migrations")?;
    let result = apply(conn);
    if let Err(e) = conn.batch(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})")) {
        log::warn!("releasing the migration lock: {e}");
    }
    result
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

/// The loop of [`migrate`], under the migration lock.
fn apply(conn: &Conn) -> Result<u32, Error> {
    conn.batch(
        "CREATE TABLE IF NOT EXISTS schema_version (
             id       BIGINT PRIMARY KEY CHECK (id = 1),
             version  BIGINT NOT NULL
         )",
    )
    .context("making the schema_version table")?;
    let mut applied = 0;
    loop {
        // Read again under the lock: another process may have migrated meanwhile.
        let current = version(conn)?;
        refuse_newer(current)?;
        let Some((name, sql)) = MIGRATIONS.get(current as usize) else {
            return Ok(applied);
        };
        let script = format!(
            "BEGIN;\n{sql}\nINSERT INTO schema_version (id, version) VALUES (1, {next})
             ON CONFLICT (id) DO UPDATE SET version = excluded.version;\nCOMMIT;",
            next = current + 1
        );
        if let Err(e) = conn.batch(&script) {
            let failed = error(*name, e);
            if let Err(e) = conn.batch("ROLLBACK") {
                log::warn!("rolling back migration {name}: {e}");
            }
            return Err(failed);
        }
        log::info!("database: applied migration {name}");
        applied += 1;
    }
}
