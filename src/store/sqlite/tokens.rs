//! Queries on the JSON API's bearer tokens (kept only as their SHA-256).

use rusqlite::{params, OptionalExtension, Row};

use super::{Context, Db};
use crate::domain::Email;
use crate::store::{now, ApiTokenRecord, Error};

/// The columns [`record`] reads, in its order.
const COLUMNS: &str = "t.id, t.email, t.name, t.scope, t.created_at, t.last_used_at, t.expires_at";

/// A row of [`COLUMNS`]; an address that no longer parses makes the row unusable (`None`).
fn record(row: &Row<'_>) -> rusqlite::Result<Option<ApiTokenRecord>> {
    let email: String = row.get(1)?;
    let Ok(email) = Email::parse(&email) else {
        return Ok(None);
    };
    Ok(Some(ApiTokenRecord {
        id: row.get(0)?,
        email,
        name: row.get(2)?,
        scope: row.get(3)?,
        created_at: row.get(4)?,
        last_used_at: row.get(5)?,
        expires_at: row.get(6)?,
    }))
}

impl Db<'_> {
    /// Stores a token of `email` in `domain` whose secret hashes to `token_hash`.
    pub fn create_api_token(
        &self,
        token_hash: &str,
        domain: &str,
        email: &Email,
        name: &str,
        scope: &str,
        expires_at: Option<i64>,
    ) -> Result<ApiTokenRecord, Error> {
        let domain_id = self.ensure_domain(domain)?;
        let at = now();
        let id = self.query_row(
                "INSERT INTO api_tokens (token_hash, domain_id, email, name, scope, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 RETURNING id",
                params![token_hash, domain_id, email.as_str(), name, scope, at, expires_at],
                |row| row.get(0),
            )
            .context("creating an API token")?;
        Ok(ApiTokenRecord {
            id,
            email: email.clone(),
            name: name.to_string(),
            scope: scope.to_string(),
            created_at: at,
            last_used_at: None,
            expires_at,
        })
    }

    /// The live (unexpired) token of `domain` whose secret hashes to `token_hash`.
    pub fn api_token(
        &self,
        token_hash: &str,
        domain: &str,
    ) -> Result<Option<ApiTokenRecord>, Error> {
        self.query_row(
            &format!(
                "SELECT {COLUMNS} FROM api_tokens t JOIN domains d ON d.id = t.domain_id
                     WHERE t.token_hash = ?1 AND d.name = ?2
                       AND (t.expires_at IS NULL OR t.expires_at > ?3)"
            ),
            params![token_hash, domain, now()],
            record,
        )
        .optional()
        .context("reading an API token")
        .map(Option::flatten)
    }

    /// One token of `domain` by its id, expired or not.
    pub fn api_token_by_id(&self, id: i64, domain: &str) -> Result<Option<ApiTokenRecord>, Error> {
        self.query_row(
            &format!(
                "SELECT {COLUMNS} FROM api_tokens t JOIN domains d ON d.id = t.domain_id
                     WHERE t.id = ?1 AND d.name = ?2"
            ),
            params![id, domain],
            record,
        )
        .optional()
        .context("reading an API token")
        .map(Option::flatten)
    }

    /// The tokens of `email` in `domain`, expired ones included, newest first.
    pub fn api_tokens_of(&self, domain: &str, email: &Email) -> Result<Vec<ApiTokenRecord>, Error> {
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM api_tokens t JOIN domains d ON d.id = t.domain_id
                 WHERE d.name = ?1 AND t.email = ?2 ORDER BY t.id DESC"
            ))
            .context("reading API tokens")?;
        let rows = statement
            .query_map(params![domain, email.as_str()], record)
            .context("reading API tokens")?;
        let rows: Vec<Option<ApiTokenRecord>> = rows
            .collect::<Result<_, _>>()
            .context("reading API tokens")?;
        Ok(rows.into_iter().flatten().collect())
    }

    /// Deletes a token; returns true if and only if it existed.
    pub fn delete_api_token(&self, id: i64) -> Result<bool, Error> {
        self.execute("DELETE FROM api_tokens WHERE id = ?1", [id])
            .context("revoking an API token")
            .map(|n| n > 0)
    }

    /// Records a use of token `id` at `at`, unless one was recorded less than a minute before.
    pub fn touch_api_token(&self, id: i64, at: i64) -> Result<(), Error> {
        self.execute(
            "UPDATE api_tokens SET last_used_at = ?2
                 WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at <= ?2 - 60)",
            params![id, at],
        )
        .context("recording an API token's use")
        .map(|_| ())
    }
}
