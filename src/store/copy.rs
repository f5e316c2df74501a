//! Copying a whole site from one database to another (`wwsympa db copy`): every table in batches, resumable, counts checked at the end.
//!
//! Rows keep their ids, so every reference stays right, and each batch is written in one
//! transaction on the destination with `ON CONFLICT DO NOTHING`: a copy that stopped (^C,
//! a lost connection) starts again after the last id the destination holds. Two values are
//! not copied but made again by the destination's own triggers as rows arrive:
//! `lists.member_count` (from the members copied) and `site_version` (any value will do,
//! it only has to move). `schema_version` is the destination's own, made by its migrations.
//!
//! The archive's search index is not copied: SQLite's is contentless (its words cannot be
//! read back) and the two backends' indexes differ in form. The destination's index stays
//! empty until `wwsympa archive reindex` fills it again from the copied bytes
//! ([`CopyReport::needs_reindex`] says when that is needed); everything else of the archive
//! (bytes, numbers, threads, counts) is copied as it is.

use super::{DbInner, Error, Store};

/// A column's type, as both databases can hold it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// `INTEGER` / `BIGINT`, perhaps NULL.
    Int,
    /// `TEXT`, perhaps NULL.
    Text,
    /// SQLite's 0/1, PostgreSQL's `BOOLEAN`.
    Bool,
    /// `BLOB` / `BYTEA`.
    Bytes,
}

/// One value of a row being copied.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
    Bytes(Vec<u8>),
}

/// A table to copy: its columns and how its rows are walked.
#[derive(Debug)]
pub(super) struct Table {
    /// Its name.
    pub(super) name: &'static str,
    /// The columns copied, with their types; the first is the key rows are walked by.
    pub(super) columns: &'static [(&'static str, Kind)],
    /// True when the first column is an integer id (walked by `id > last`, resumable);
    /// false for the small tables keyed otherwise, copied whole.
    pub(super) by_id: bool,
}

impl Table {
    /// `a, b, c`.
    pub(super) fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

use Kind::{Bool, Bytes, Int, Text};

/// Every table, parents before children.
pub(super) const TABLES: &[Table] = &[
    Table {
        name: "domains",
        columns: &[("id", Int), ("name", Text), ("created_at", Int)],
        by_id: true,
    },
    Table {
        name: "lists",
        columns: &[
            ("id", Int),
            ("domain_id", Int),
            ("name", Text),
            ("subject", Text),
            ("description", Text),
            ("topics", Text),
            ("visibility", Text),
            ("subscribe_policy", Text),
            ("unsubscribe_policy", Text),
            ("review_policy", Text),
            ("archive_access", Text),
            ("status", Text),
            ("created_at", Int),
            ("updated_at", Int),
            ("send_policy", Text),
            ("max_size", Int),
            ("max_attachments", Int),
            ("delivery_mode", Text),
            ("dmarc_protection", Text),
            ("subject_tag", Text),
            ("hold_days", Int),
            ("bounce_threshold", Int),
            ("bounce_stale_days", Int),
            ("bounce_warnings", Int),
            ("bounce_warning_days", Int),
            ("digest_days", Int),
            ("digest_minute", Int),
            ("digest_max_size", Int),
            ("lang", Text),
        ],
        by_id: true,
    },
    Table {
        name: "list_renames",
        columns: &[
            ("domain_id", Int),
            ("old_name", Text),
            ("list_id", Int),
            ("renamed_at", Int),
        ],
        by_id: false,
    },
    Table {
        name: "users",
        columns: &[
            ("id", Int),
            ("email", Text),
            ("password_hash", Text),
            ("name", Text),
            ("lang", Text),
            ("is_listmaster", Bool),
            ("wrong_login_count", Int),
            ("last_login_at", Int),
            ("last_login_host", Text),
            ("created_at", Int),
            ("updated_at", Int),
        ],
        by_id: true,
    },
    Table {
        name: "members",
        columns: &[
            ("id", Int),
            ("list_id", Int),
            ("email", Text),
            ("name", Text),
            ("reception", Text),
            ("visibility", Text),
            ("custom_attributes", Text),
            ("subscribed_at", Int),
            ("updated_at", Int),
        ],
        by_id: true,
    },
    Table {
        name: "list_admins",
        columns: &[
            ("id", Int),
            ("list_id", Int),
            ("email", Text),
            ("role", Text),
            ("privileged", Bool),
            ("name", Text),
            ("reception", Text),
            ("visibility", Text),
            ("created_at", Int),
            ("info", Text),
        ],
        by_id: true,
    },
    Table {
        name: "sessions",
        columns: &[
            ("id", Int),
            ("id_hash", Text),
            ("domain_id", Int),
            ("email", Text),
            ("remote_addr", Text),
            ("data", Text),
            ("created_at", Int),
            ("refreshed_at", Int),
            ("expires_at", Int),
        ],
        by_id: true,
    },
    Table {
        name: "api_tokens",
        columns: &[
            ("id", Int),
            ("token_hash", Text),
            ("domain_id", Int),
            ("email", Text),
            ("name", Text),
            ("scope", Text),
            ("created_at", Int),
            ("last_used_at", Int),
            ("expires_at", Int),
        ],
        by_id: true,
    },
    Table {
        name: "tickets",
        columns: &[
            ("id", Int),
            ("ticket_hash", Text),
            ("domain_id", Int),
            ("email", Text),
            ("purpose", Text),
            ("created_at", Int),
            ("expires_at", Int),
            ("used_at", Int),
            ("used_from", Text),
        ],
        by_id: true,
    },
    Table {
        name: "pending_requests",
        columns: &[
            ("id", Int),
            ("key_hash", Text),
            ("list_id", Int),
            ("kind", Text),
            ("email", Text),
            ("requested_by", Text),
            ("state", Text),
            ("data", Text),
            ("created_at", Int),
            ("expires_at", Int),
        ],
        by_id: true,
    },
    Table {
        name: "outbox",
        columns: &[
            ("id", Int),
            ("kind", Text),
            ("list_id", Int),
            ("envelope_from", Text),
            ("recipients", Text),
            ("message", Bytes),
            ("state", Text),
            ("attempts", Int),
            ("next_attempt_at", Int),
            ("lease_until", Int),
            ("claimed_by", Text),
            ("last_error", Text),
            ("created_at", Int),
            ("sent_at", Int),
        ],
        by_id: true,
    },
    Table {
        name: "audit_log",
        columns: &[
            ("id", Int),
            ("at", Int),
            ("actor", Text),
            ("remote_addr", Text),
            ("channel", Text),
            ("action", Text),
            ("list_id", Int),
            ("target", Text),
            ("detail", Text),
        ],
        by_id: true,
    },
    Table {
        name: "archive_threads",
        columns: &[
            ("id", Int),
            ("list_id", Int),
            ("subject", Text),
            ("messages", Int),
            ("first_date", Int),
            ("last_date", Int),
        ],
        by_id: true,
    },
    Table {
        name: "archive_msgids",
        columns: &[
            ("id", Int),
            ("list_id", Int),
            ("message_id", Text),
            ("thread_id", Int),
            ("parent", Text),
            ("message", Int),
        ],
        by_id: true,
    },
    Table {
        name: "archive_messages",
        columns: &[
            ("id", Int),
            ("list_id", Int),
            ("msgid_id", Int),
            ("thread_id", Int),
            ("month", Text),
            ("seq", Int),
            ("date", Int),
            ("arrived_at", Int),
            ("from_addr", Text),
            ("from_name", Text),
            ("subject", Text),
            ("size", Int),
            ("attachments", Int),
            ("state", Text),
            ("extract_version", Int),
            ("sha256", Bytes),
            ("permalink", Text),
            ("hyperkitty", Text),
            ("parent", Text),
        ],
        by_id: true,
    },
    Table {
        name: "archive_raw",
        columns: &[("id", Int), ("codec", Text), ("bytes", Bytes)],
        by_id: true,
    },
    Table {
        name: "held_messages",
        columns: &[
            ("message", Int),
            ("list_id", Int),
            ("sender", Text),
            ("reasons", Text),
            ("key_hash", Text),
            ("held_at", Int),
            ("expires_at", Int),
            ("reminded_at", Int),
            ("decided_at", Int),
            ("decided_by", Text),
            ("decision", Text),
            ("note", Text),
        ],
        by_id: false,
    },
    Table {
        name: "deliveries",
        columns: &[
            ("id", Int),
            ("list_id", Int),
            ("message", Int),
            ("kind", Text),
            ("mode", Text),
            ("created_at", Int),
        ],
        by_id: true,
    },
    Table {
        name: "delivery_rcpts",
        columns: &[
            ("id", Int),
            ("delivery_id", Int),
            ("email", Text),
            ("domain", Text),
            ("state", Text),
            ("attempts", Int),
            ("next_attempt_at", Int),
            ("lease_until", Int),
            ("claimed_by", Text),
            ("last_code", Int),
            ("last_text", Text),
            ("updated_at", Int),
        ],
        by_id: true,
    },
    Table {
        name: "sender_rules",
        columns: &[
            ("id", Int),
            ("list_id", Int),
            ("pattern", Text),
            ("rule", Text),
            ("created_at", Int),
            ("created_by", Text),
        ],
        by_id: true,
    },
    Table {
        name: "moderation_keys",
        columns: &[
            ("key_hash", Text),
            ("message", Int),
            ("holder", Text),
            ("purpose", Text),
            ("created_at", Int),
        ],
        by_id: false,
    },
    Table {
        name: "moderator_prefs",
        columns: &[
            ("list_id", Int),
            ("email", Text),
            ("digest_minutes", Int),
            ("last_digest_at", Int),
        ],
        by_id: false,
    },
    Table {
        name: "moderation_digest_queue",
        columns: &[
            ("list_id", Int),
            ("email", Text),
            ("message", Int),
            ("queued_at", Int),
        ],
        by_id: false,
    },
    Table {
        name: "bounces",
        columns: &[
            ("id", Int),
            ("list_id", Int),
            ("email", Text),
            ("received_at", Int),
            ("outcome", Text),
            ("status", Text),
            ("diagnostic", Text),
            ("size", Int),
            ("codec", Text),
            ("raw", Bytes),
        ],
        by_id: true,
    },
    Table {
        name: "member_bounces",
        columns: &[
            ("member_id", Int),
            ("list_id", Int),
            ("score", Int),
            ("first_at", Int),
            ("last_at", Int),
            ("last_day", Int),
            ("bounces", Int),
            ("disabled_at", Int),
            ("warnings", Int),
            ("warned_at", Int),
            ("last_bounce", Int),
        ],
        by_id: false,
    },
    Table {
        name: "digest_state",
        columns: &[
            ("list_id", Int),
            ("last_message", Int),
            ("last_slot", Int),
            ("issues", Int),
        ],
        by_id: false,
    },
    Table {
        name: "job_cursors",
        columns: &[("name", Text), ("at", Int), ("id", Int)],
        by_id: false,
    },
    Table {
        name: "archive_months",
        columns: &[("list_id", Int), ("month", Text), ("messages", Int)],
        by_id: false,
    },
    Table {
        name: "rate_limits",
        columns: &[
            ("bucket", Text),
            ("subject", Text),
            ("window_start", Int),
            ("hits", Int),
        ],
        by_id: false,
    },
    Table {
        name: "site_secrets",
        columns: &[("name", Text), ("value", Bytes)],
        by_id: false,
    },
    Table {
        name: "texts",
        columns: &[
            ("id", Int),
            ("domain_id", Int),
            ("list_id", Int),
            ("name", Text),
            ("body", Text),
            ("updated_by", Text),
            ("updated_at", Int),
        ],
        by_id: true,
    },
];

/// Rows read and written at a time.
const BATCH: usize = 2000;

/// How a copy went, table by table: `(table, rows in the source, rows in the destination)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// One line per table, in copy order.
    pub tables: Vec<(&'static str, u64, u64)>,
}

impl CopyReport {
    /// Returns true if and only if archived messages were copied: the destination's search
    /// index is then empty (it is never copied) and `wwsympa archive reindex` must run on it.
    pub fn needs_reindex(&self) -> bool {
        self.tables
            .iter()
            .any(|(table, _, to)| *table == "archive_messages" && *to > 0)
    }

    /// Returns true if and only if every table has as many rows on both sides.
    pub fn counts_agree(&self) -> bool {
        self.tables.iter().all(|(_, from, to)| from == to)
    }
}

/// What a copy tells its caller as it goes.
pub trait CopyProgress {
    /// `table` now has `done` of `total` rows on the destination.
    fn advanced(&mut self, table: &str, done: u64, total: u64);
}

impl<F: FnMut(&str, u64, u64)> CopyProgress for F {
    fn advanced(&mut self, table: &str, done: u64, total: u64) {
        self(table, done, total)
    }
}

impl Store {
    /// Copies every row of this database into `to` (migrated first), resuming after what
    /// `to` already holds; returns both sides' counts. Both databases must be at this
    /// build's schema; services writing to this one should be stopped meanwhile (rows
    /// written to a table already copied stay behind; the counts then disagree).
    pub fn copy_to(
        &self,
        to: &mut Store,
        progress: &mut dyn CopyProgress,
    ) -> Result<CopyReport, Error> {
        if !self.is_current()? {
            return Err(Error::Config {
                message: "the source database is not at this build's schema; run `wwsympa db migrate` on it first".into(),
            });
        }
        to.migrate()?;
        let mut tables = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            let total = self.db().inner.count_rows(table)?;
            let mut done = to.db().inner.count_rows(table)?;
            progress.advanced(table.name, done, total);
            if table.by_id {
                let mut after = to.db().inner.max_id(table)?;
                loop {
                    let rows = self.db().inner.read_rows(table, after, BATCH)?;
                    let Some(Value::Int(last)) = rows.last().map(|row| row[0].clone()) else {
                        break;
                    };
                    let written = to.transaction(|db| db.inner.write_rows(table, &rows))?;
                    done += written;
                    after = last;
                    progress.advanced(table.name, done, total);
                }
                to.db().inner.after_ids_copied(table)?;
            } else {
                let rows = self.db().inner.read_rows(table, i64::MIN, usize::MAX)?;
                to.transaction(|db| db.inner.write_rows(table, &rows))?;
            }
            let copied = to.db().inner.count_rows(table)?;
            progress.advanced(table.name, copied, total);
            tables.push((table.name, total, copied));
        }
        Ok(CopyReport { tables })
    }
}

impl DbInner<'_> {
    fn count_rows(&self, table: &Table) -> Result<u64, Error> {
        match self {
            DbInner::Sqlite(db) => db.count_rows(table),
            DbInner::Postgres(db) => db.count_rows(table),
        }
    }

    fn max_id(&self, table: &Table) -> Result<i64, Error> {
        match self {
            DbInner::Sqlite(db) => db.max_id(table),
            DbInner::Postgres(db) => db.max_id(table),
        }
    }

    fn read_rows(&self, table: &Table, after: i64, limit: usize) -> Result<Vec<Vec<Value>>, Error> {
        match self {
            DbInner::Sqlite(db) => db.read_rows(table, after, limit),
            DbInner::Postgres(db) => db.read_rows(table, after, limit),
        }
    }

    fn write_rows(&self, table: &Table, rows: &[Vec<Value>]) -> Result<u64, Error> {
        match self {
            DbInner::Sqlite(db) => db.write_rows(table, rows),
            DbInner::Postgres(db) => db.write_rows(table, rows),
        }
    }

    fn after_ids_copied(&self, table: &Table) -> Result<(), Error> {
        match self {
            DbInner::Sqlite(_) => Ok(()),
            DbInner::Postgres(db) => db.after_ids_copied(table),
        }
    }
}
