//! Schema versions: SQL embedded from `store/sql/NNN_*.sql`, applied in order, tracked in `PRAGMA user_version`.

use rusqlite::Connection;

use super::Error;

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
];

/// The schema version this build expects.
pub fn latest() -> u32 {
    MIGRATIONS.len() as u32
}

/// Applies the missing migrations, each in its own transaction; returns how many ran.
pub fn migrate(conn: &mut Connection) -> Result<u32, Error> {
    let current: u32 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(|e| Error::sql("reading the schema version", e))?;
    if current > latest() {
        return Err(Error::SchemaTooNew {
            found: current,
            known: latest(),
        });
    }
    let mut applied = 0;
    for (index, (name, sql)) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn
            .transaction()
            .map_err(|e| Error::sql("starting a migration", e))?;
        tx.execute_batch(sql).map_err(|e| Error::sql(*name, e))?;
        tx.pragma_update(None, "user_version", index as u32 + 1)
            .map_err(|e| Error::sql(*name, e))?;
        tx.commit().map_err(|e| Error::sql(*name, e))?;
        log::info!("database: applied migration {name}");
        applied += 1;
    }
    Ok(applied)
}
