//! Rows of any table as plain values, for `store::copy` (SQLite).

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::ToSql;

use super::{Context, Db};
use crate::store::copy::{Kind, Table, Value};
use crate::store::Error;

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(n) => ToSqlOutput::Borrowed(ValueRef::Integer(*n)),
            Value::Bool(b) => ToSqlOutput::Borrowed(ValueRef::Integer(i64::from(*b))),
            Value::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
            Value::Bytes(bytes) => ToSqlOutput::Borrowed(ValueRef::Blob(bytes)),
        })
    }
}

/// Column `i` of `row` as a value of `kind`.
fn value(row: &rusqlite::Row<'_>, i: usize, kind: Kind) -> rusqlite::Result<Value> {
    Ok(match (row.get_ref(i)?, kind) {
        (ValueRef::Null, _) => Value::Null,
        (ValueRef::Integer(n), Kind::Bool) => Value::Bool(n != 0),
        (ValueRef::Integer(n), _) => Value::Int(n),
        (ValueRef::Text(text), Kind::Bytes) | (ValueRef::Blob(text), Kind::Bytes) => {
            Value::Bytes(text.to_vec())
        }
        (ValueRef::Text(text), _) | (ValueRef::Blob(text), _) => {
            Value::Text(String::from_utf8_lossy(text).into_owned())
        }
        (ValueRef::Real(x), _) => Value::Int(x as i64),
    })
}

impl Db<'_> {
    /// How many rows `table` has.
    pub(crate) fn count_rows(&self, table: &Table) -> Result<u64, Error> {
        self.conn
            .query_row(&format!("SELECT COUNT(*) FROM {}", table.name), [], |row| {
                row.get(0)
            })
            .context(&format!("counting {}", table.name))
    }

    /// The largest id in `table` (0 when empty).
    pub(crate) fn max_id(&self, table: &Table) -> Result<i64, Error> {
        self.conn
            .query_row(
                &format!("SELECT COALESCE(MAX(id), 0) FROM {}", table.name),
                [],
                |row| row.get(0),
            )
            .context(&format!("reading {}", table.name))
    }

    /// Up to `limit` rows of `table` after id `after`, by id; a table not walked by id
    /// comes whole.
    pub(crate) fn read_rows(
        &self,
        table: &Table,
        after: i64,
        limit: usize,
    ) -> Result<Vec<Vec<Value>>, Error> {
        let context = format!("reading {}", table.name);
        let columns = table.column_list();
        let sql = if table.by_id {
            format!(
                "SELECT {columns} FROM {} WHERE id > ?1 ORDER BY id LIMIT {}",
                table.name,
                limit.min(i64::MAX as usize)
            )
        } else {
            format!("SELECT {columns} FROM {}", table.name)
        };
        let mut statement = self.conn.prepare(&sql).context(&context)?;
        let read = |row: &rusqlite::Row<'_>| -> rusqlite::Result<Vec<Value>> {
            table
                .columns
                .iter()
                .enumerate()
                .map(|(i, (_, kind))| value(row, i, *kind))
                .collect()
        };
        let rows = if table.by_id {
            statement.query_map([after], read)
        } else {
            statement.query_map([], read)
        }
        .context(&context)?;
        rows.collect::<Result<_, _>>().context(&context)
    }

    /// Inserts `rows` into `table`, skipping those whose key is there already; returns how
    /// many were added.
    pub(crate) fn write_rows(&self, table: &Table, rows: &[Vec<Value>]) -> Result<u64, Error> {
        let context = format!("writing {}", table.name);
        let placeholders = (1..=table.columns.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut statement = self
            .conn
            .prepare(&format!(
                "INSERT INTO {} ({}) VALUES ({placeholders}) ON CONFLICT DO NOTHING",
                table.name,
                table.column_list()
            ))
            .context(&context)?;
        let mut added = 0;
        for row in rows {
            added += statement
                .execute(rusqlite::params_from_iter(row.iter()))
                .context(&context)? as u64;
        }
        Ok(added)
    }
}
