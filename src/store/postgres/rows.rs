//! Rows of any table as plain values, for `store::copy` (PostgreSQL).

use postgres::types::{IsNull, ToSql, Type};

use super::{Context, Db};
use crate::store::copy::{Kind, Table, Value};
use crate::store::Error;

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(n) => n.to_sql(ty, out),
            Value::Bool(b) => b.to_sql(ty, out),
            Value::Text(text) => text.to_sql(ty, out),
            Value::Bytes(bytes) => bytes.to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        <i64 as ToSql>::accepts(ty)
            || <bool as ToSql>::accepts(ty)
            || <String as ToSql>::accepts(ty)
            || <Vec<u8> as ToSql>::accepts(ty)
    }

    postgres::types::to_sql_checked!();
}

/// Column `i` of `row` as a value of `kind`.
fn value(row: &postgres::Row, i: usize, kind: Kind) -> Result<Value, postgres::Error> {
    Ok(match kind {
        Kind::Int => row
            .try_get::<_, Option<i64>>(i)?
            .map_or(Value::Null, Value::Int),
        Kind::Text => row
            .try_get::<_, Option<String>>(i)?
            .map_or(Value::Null, Value::Text),
        Kind::Bool => row
            .try_get::<_, Option<bool>>(i)?
            .map_or(Value::Null, Value::Bool),
        Kind::Bytes => row
            .try_get::<_, Option<Vec<u8>>>(i)?
            .map_or(Value::Null, Value::Bytes),
    })
}

impl Db<'_> {
    /// How many rows `table` has.
    pub(crate) fn count_rows(&self, table: &Table) -> Result<u64, Error> {
        self.conn
            .query_one(&format!("SELECT COUNT(*) FROM {}", table.name), &[])
            .and_then(|row| row.try_get::<_, i64>(0))
            .context(&format!("counting {}", table.name))
            .map(|n| n.max(0) as u64)
    }

    /// The largest id in `table` (0 when empty).
    pub(crate) fn max_id(&self, table: &Table) -> Result<i64, Error> {
        self.conn
            .query_one(
                &format!("SELECT COALESCE(MAX(id), 0)::bigint FROM {}", table.name),
                &[],
            )
            .and_then(|row| row.try_get(0))
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
        let rows = if table.by_id {
            self.conn.query(
                &format!(
                    "SELECT {columns} FROM {} WHERE id > $1 ORDER BY id LIMIT $2",
                    table.name
                ),
                &[&after, &(limit.min(i64::MAX as usize) as i64)],
            )
        } else {
            self.conn
                .query(&format!("SELECT {columns} FROM {}", table.name), &[])
        }
        .context(&context)?;
        rows.iter()
            .map(|row| {
                table
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, (_, kind))| value(row, i, *kind))
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<_, _>>()
            .context(&context)
    }

    /// Inserts `rows` into `table`, skipping those whose key is there already; returns how
    /// many were added.
    pub(crate) fn write_rows(&self, table: &Table, rows: &[Vec<Value>]) -> Result<u64, Error> {
        let context = format!("writing {}", table.name);
        let placeholders = (1..=table.columns.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({placeholders}) ON CONFLICT DO NOTHING",
            table.name,
            table.column_list()
        );
        let mut added = 0;
        for row in rows {
            let params: Vec<&(dyn ToSql + Sync)> =
                row.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
            added += self.conn.execute(&sql, &params).context(&context)?;
        }
        Ok(added)
    }

    /// Moves `table`'s id generator past the ids copied in, so that the next row made here
    /// does not take one of them.
    pub(crate) fn after_ids_copied(&self, table: &Table) -> Result<(), Error> {
        self.conn
            .query_one(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{0}', 'id'), GREATEST((SELECT MAX(id) FROM {0}), 1))",
                    table.name
                ),
                &[],
            )
            .context(&format!("moving {}'s ids on", table.name))
            .map(drop)
    }
}
