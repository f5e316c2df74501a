//! Queries on users, web sessions and one-time tickets; tokens arrive already hashed.

use rusqlite::{params, OptionalExtension};

use super::{error, is_constraint_violation, Context, Db};
use crate::domain::{Email, User};
use crate::store::{now, Error, NewUser, SessionRecord, TicketRecord, UserRecord};

impl Db<'_> {
    /// The account of `email`, if any.
    pub fn user(&self, email: &Email) -> Result<Option<UserRecord>, Error> {
        self.conn
            .prepare_cached(
                "SELECT name, lang, is_listmaster, password_hash FROM users WHERE email = ?1",
            )
            .and_then(|mut s| {
                s.query_row([email.as_str()], |row| {
                    let password_hash: Option<String> = row.get(3)?;
                    Ok(UserRecord {
                        user: User {
                            email: email.clone(),
                            name: row.get(0)?,
                            lang: row.get(1)?,
                            listmaster: row.get(2)?,
                            has_password: password_hash.is_some(),
                        },
                        password_hash,
                    })
                })
                .optional()
            })
            .context("reading a user")
    }

    /// Creates an account; refuses an address that has one.
    pub fn create_user(&self, user: &NewUser) -> Result<(), Error> {
        let at = now();
        let inserted = self.execute(
            "INSERT INTO users (email, name, password_hash, is_listmaster, lang, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, '', ?5, ?5)",
            params![
                user.email.as_str(),
                user.name,
                user.password_hash,
                user.listmaster,
                at
            ],
        );
        match inserted {
            Ok(_) => Ok(()),
            Err(e) if is_constraint_violation(&e) => {
                Err(Error::AlreadyExists(format!("user {}", user.email)))
            }
            Err(e) => Err(error("creating a user", e)),
        }
    }

    /// Creates an empty account for `email` unless one exists.
    pub fn ensure_user(&self, email: &Email) -> Result<(), Error> {
        self.execute(
            "INSERT INTO users (email, lang, created_at, updated_at) VALUES (?1, '', ?2, ?2)
                 ON CONFLICT (email) DO NOTHING",
            params![email.as_str(), now()],
        )
        .context("creating a user")
        .map(|_| ())
    }

    /// Replaces the password hash of an existing account.
    pub fn set_password_hash(&self, email: &Email, hash: &str) -> Result<(), Error> {
        let changed = self.execute(
                "UPDATE users SET password_hash = ?2, wrong_login_count = 0, updated_at = ?3 WHERE email = ?1",
                params![email.as_str(), hash, now()],
            )
            .context("setting a password")?;
        if changed == 0 {
            return Err(Error::NotFound(format!("user {email}")));
        }
        Ok(())
    }

    /// Sets the listmaster flag of an existing account.
    pub fn set_listmaster(&self, email: &Email, listmaster: bool) -> Result<(), Error> {
        self.execute(
            "UPDATE users SET is_listmaster = ?2, updated_at = ?3 WHERE email = ?1",
            params![email.as_str(), listmaster, now()],
        )
        .context("setting the listmaster flag")
        .map(|_| ())
    }

    /// Saves display name and language.
    pub fn set_preferences(&self, email: &Email, name: &str, lang: &str) -> Result<(), Error> {
        self.execute(
            "UPDATE users SET name = ?2, lang = ?3, updated_at = ?4 WHERE email = ?1",
            params![email.as_str(), name, lang, now()],
        )
        .context("saving preferences")
        .map(|_| ())
    }

    /// Saves the language an account prefers ('' for none).
    pub fn set_user_lang(&self, email: &Email, lang: &str) -> Result<(), Error> {
        self.execute(
            "UPDATE users SET lang = ?2, updated_at = ?3 WHERE email = ?1",
            params![email.as_str(), lang, now()],
        )
        .context("saving a language")
        .map(|_| ())
    }

    /// Records a successful login.
    pub fn record_login(&self, email: &Email, host: Option<&str>) -> Result<(), Error> {
        self.execute(
                "UPDATE users SET last_login_at = ?2, last_login_host = ?3, wrong_login_count = 0 WHERE email = ?1",
                params![email.as_str(), now(), host],
            )
            .context("recording a login")
            .map(|_| ())
    }

    /// Counts a wrong password for an existing account.
    pub fn record_failed_login(&self, email: &Email) -> Result<(), Error> {
        self.execute(
            "UPDATE users SET wrong_login_count = wrong_login_count + 1 WHERE email = ?1",
            [email.as_str()],
        )
        .context("recording a failed login")
        .map(|_| ())
    }

    /// Creates a session whose secret id hashes to `id_hash`, living `ttl` seconds.
    pub fn create_session(
        &self,
        id_hash: &str,
        domain: &str,
        email: Option<&Email>,
        remote_addr: Option<&str>,
        ttl: i64,
    ) -> Result<SessionRecord, Error> {
        let domain_id = self.ensure_domain(domain)?;
        let at = now();
        let id = self.query_row(
                "INSERT INTO sessions (id_hash, domain_id, email, remote_addr, created_at, refreshed_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)
                 RETURNING id",
                params![id_hash, domain_id, email.map(Email::as_str), remote_addr, at, at + ttl],
                |row| row.get(0),
            )
            .context("creating a session")?;
        Ok(SessionRecord {
            id,
            email: email.cloned(),
            data: serde_json::Map::new(),
            refreshed_at: at,
        })
    }

    /// The live session whose secret id hashes to `id_hash` in `domain`, with the account
    /// of its address if it has one.
    pub fn session(
        &self,
        id_hash: &str,
        domain: &str,
    ) -> Result<Option<(SessionRecord, Option<UserRecord>)>, Error> {
        type Row = (
            i64,
            Option<String>,
            String,
            i64,
            Option<String>,
            Option<String>,
            Option<bool>,
            Option<String>,
        );
        let found: Option<Row> = self
            .conn
            .prepare_cached(
                "SELECT s.id, s.email, s.data, s.refreshed_at, u.name, u.lang, u.is_listmaster, u.password_hash
                 FROM sessions s JOIN domains d ON d.id = s.domain_id LEFT JOIN users u ON u.email = s.email
                 WHERE s.id_hash = ?1 AND d.name = ?2 AND s.expires_at > ?3",
            )
            .and_then(|mut s| {
                s.query_row(params![id_hash, domain, now()], |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                        row.get(5)?,
                        row.get(6)?,
                        row.get(7)?,
                    ))
                })
                .optional()
            })
            .context("reading a session")?;
        Ok(found.map(
            |(id, email, data, refreshed_at, name, lang, listmaster, password_hash)| {
                let email = email.and_then(|e| Email::parse(&e).ok());
                let account = crate::store::shared::joined_account(
                    email.as_ref(),
                    name,
                    lang,
                    listmaster,
                    password_hash,
                );
                let record = SessionRecord {
                    id,
                    email,
                    data: serde_json::from_str(&data).unwrap_or_default(),
                    refreshed_at,
                };
                (record, account)
            },
        ))
    }

    /// Extends a session to `ttl` seconds from now.
    pub fn touch_session(&self, id: i64, ttl: i64) -> Result<(), Error> {
        let at = now();
        self.execute(
            "UPDATE sessions SET refreshed_at = ?2, expires_at = ?3 WHERE id = ?1",
            params![id, at, at + ttl],
        )
        .context("refreshing a session")
        .map(|_| ())
    }

    /// Saves a session's data.
    pub fn set_session_data(
        &self,
        id: i64,
        data: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), Error> {
        self.execute(
            "UPDATE sessions SET data = ?2 WHERE id = ?1",
            params![id, serde_json::Value::Object(data.clone()).to_string()],
        )
        .context("saving session data")
        .map(|_| ())
    }

    /// Ends a session.
    pub fn delete_session(&self, id: i64) -> Result<(), Error> {
        self.execute("DELETE FROM sessions WHERE id = ?1", [id])
            .context("ending a session")
            .map(|_| ())
    }

    /// Ends every session of `email` (after a password change, say).
    pub fn delete_sessions_of(&self, email: &Email) -> Result<(), Error> {
        self.execute("DELETE FROM sessions WHERE email = ?1", [email.as_str()])
            .context("ending sessions")
            .map(|_| ())
    }

    /// Marks every unused ticket of `email` used, so that none still logs in; returns how many.
    pub fn revoke_tickets_of(&self, email: &Email) -> Result<usize, Error> {
        self.execute(
                "UPDATE tickets SET used_at = ?2, used_from = 'revoked' WHERE email = ?1 AND used_at IS NULL",
                params![email.as_str(), now()],
            )
            .context("revoking tickets")
    }

    /// Moves everything of `old` to `new` (Sympa's moveUser): the account, every
    /// membership with its bounce record, every owner and moderator role with the
    /// moderator's preferences and digest queue, and the held requests about `old` (one that
    /// would duplicate a request about `new` is dropped); `old`'s sessions end and its
    /// unused tickets are revoked. Refuses ([`Error::AlreadyExists`]) when `new` has an
    /// account, a membership or a role: nothing is merged. Call it in a transaction.
    pub fn move_user(&self, old: &Email, new: &Email) -> Result<(), Error> {
        let context = "moving a user";
        let taken: bool = self
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM users WHERE email = ?1)
                     OR EXISTS (SELECT 1 FROM members WHERE email = ?1)
                     OR EXISTS (SELECT 1 FROM list_admins WHERE email = ?1)",
                [new.as_str()],
                |row| row.get(0),
            )
            .context(context)?;
        if taken {
            return Err(Error::AlreadyExists(format!("user {new}")));
        }
        let at = now();
        let (o, n) = (old.as_str(), new.as_str());
        // A constraint violation here is a concurrent writer giving `new` a row since the check.
        let run = |sql: &str, params: &[&dyn rusqlite::ToSql]| match self.execute(sql, params) {
            Ok(_) => Ok(()),
            Err(e) if is_constraint_violation(&e) => {
                Err(Error::AlreadyExists(format!("user {new}")))
            }
            Err(e) => Err(error(context, e)),
        };
        run(
            "UPDATE users SET email = ?2, updated_at = ?3 WHERE email = ?1",
            params![o, n, at],
        )?;
        run(
            "UPDATE members SET email = ?2, updated_at = ?3 WHERE email = ?1",
            params![o, n, at],
        )?;
        run(
            "UPDATE list_admins SET email = ?2 WHERE email = ?1",
            params![o, n],
        )?;
        // Left behind by a former role of `new`: the moved ones take their place.
        for table in ["moderator_prefs", "moderation_digest_queue"] {
            run(&format!("DELETE FROM {table} WHERE email = ?1"), params![n])?;
            run(
                &format!("UPDATE {table} SET email = ?2 WHERE email = ?1"),
                params![o, n],
            )?;
        }
        run(
            "DELETE FROM pending_requests WHERE email = ?1 AND EXISTS (
                 SELECT 1 FROM pending_requests p WHERE p.email = ?2
                   AND p.list_id = pending_requests.list_id AND p.kind = pending_requests.kind
                   AND p.state = pending_requests.state)",
            params![o, n],
        )?;
        run(
            "UPDATE pending_requests SET email = ?2 WHERE email = ?1",
            params![o, n],
        )?;
        run(
            "UPDATE pending_requests SET requested_by = ?2 WHERE requested_by = ?1",
            params![o, n],
        )?;
        run("DELETE FROM sessions WHERE email = ?1", params![o])?;
        run(
            "UPDATE tickets SET used_at = ?2, used_from = 'revoked' WHERE email = ?1 AND used_at IS NULL",
            params![o, at],
        )?;
        Ok(())
    }

    /// Removes expired sessions, tickets and held requests, and rate-limit counters older
    /// than a day (no window is longer); returns how many sessions went.
    pub fn purge_expired(&self) -> Result<usize, Error> {
        let at = now();
        let sessions = self
            .execute("DELETE FROM sessions WHERE expires_at <= ?1", [at])
            .context("purging sessions")?;
        self.execute("DELETE FROM tickets WHERE expires_at <= ?1", [at])
            .context("purging tickets")?;
        self.execute("DELETE FROM pending_requests WHERE expires_at <= ?1", [at])
            .context("purging held requests")?;
        // Paced rows (window_start 0) keep the time of their last event in `hits`.
        self.execute(
            "DELETE FROM rate_limits WHERE (window_start > 0 AND window_start < ?1)
                    OR (window_start = 0 AND hits < ?1)",
            [at - 86_400],
        )
        .context("purging rate limits")?;
        Ok(sessions)
    }

    /// Stores a ticket whose secret hashes to `ticket_hash`.
    pub fn create_ticket(
        &self,
        ticket_hash: &str,
        domain: &str,
        email: &Email,
        purpose: &str,
        ttl: i64,
    ) -> Result<(), Error> {
        let domain_id = self.ensure_domain(domain)?;
        let at = now();
        self.execute(
            "INSERT INTO tickets (ticket_hash, domain_id, email, purpose, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                ticket_hash,
                domain_id,
                email.as_str(),
                purpose,
                at,
                at + ttl
            ],
        )
        .context("creating a ticket")
        .map(|_| ())
    }

    /// Returns true if and only if a live, unused ticket hashes to `ticket_hash`.
    pub fn ticket_is_live(&self, ticket_hash: &str, domain: &str) -> Result<bool, Error> {
        self.query_row(
                "SELECT 1 FROM tickets t JOIN domains d ON d.id = t.domain_id
                 WHERE t.ticket_hash = ?1 AND d.name = ?2 AND t.used_at IS NULL AND t.expires_at > ?3",
                params![ticket_hash, domain, now()],
                |_| Ok(()),
            )
            .optional()
            .context("reading a ticket")
            .map(|found| found.is_some())
    }

    /// Marks the ticket used, once: `None` when it is unknown, used or expired.
    pub fn use_ticket(
        &self,
        ticket_hash: &str,
        domain: &str,
        used_from: Option<&str>,
    ) -> Result<Option<TicketRecord>, Error> {
        let found = self
            .query_row(
                "UPDATE tickets SET used_at = ?3, used_from = ?4
                 WHERE ticket_hash = ?1 AND used_at IS NULL AND expires_at > ?3
                   AND domain_id = (SELECT id FROM domains WHERE name = ?2)
                 RETURNING email, purpose",
                params![ticket_hash, domain, now(), used_from],
                |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)),
            )
            .optional()
            .context("using a ticket")?;
        Ok(found.and_then(|(email, purpose)| {
            Email::parse(&email)
                .ok()
                .map(|email| TicketRecord { email, purpose })
        }))
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::Email;
    use crate::store::{NewUser, Store};

    fn store() -> Store {
        let mut store = Store::open_in_memory().unwrap();
        store.migrate().unwrap();
        store
    }

    #[test]
    fn ensure_user_leaves_an_existing_account_alone() {
        // `INSERT … ON CONFLICT (email) DO NOTHING`, once `INSERT OR IGNORE`.
        let store = store();
        let db = store.db();
        let email = Email::parse("ann@example.org").unwrap();
        db.create_user(&NewUser {
            email: email.clone(),
            name: "Ann".into(),
            password_hash: Some("$argon2id$x".into()),
            listmaster: true,
        })
        .unwrap();
        db.ensure_user(&email).unwrap();
        let kept = db.user(&email).unwrap().unwrap();
        assert_eq!(kept.user.name, "Ann");
        assert!(kept.user.listmaster);
        assert_eq!(kept.password_hash.as_deref(), Some("$argon2id$x"));
        let new = Email::parse("bob@example.org").unwrap();
        db.ensure_user(&new).unwrap();
        db.ensure_user(&new).unwrap();
        assert!(db.user(&new).unwrap().unwrap().password_hash.is_none());
    }

    #[test]
    fn a_new_session_carries_the_id_of_its_row() {
        // `INSERT … RETURNING id`, once `last_insert_rowid()`.
        let store = store();
        let db = store.db();
        let email = Email::parse("ann@example.org").unwrap();
        let first = db
            .create_session("hash-1", "a.org", Some(&email), None, 600)
            .unwrap();
        // Another insert in between (a ticket) must not confuse the ids.
        db.create_ticket("t", "a.org", &email, "login", 600)
            .unwrap();
        let second = db
            .create_session("hash-2", "a.org", None, None, 600)
            .unwrap();
        assert_ne!(first.id, second.id);
        assert_eq!(
            db.session("hash-1", "a.org").unwrap().unwrap().0.id,
            first.id
        );
        assert_eq!(
            db.session("hash-2", "a.org").unwrap().unwrap().0.id,
            second.id
        );
        let (record, account) = db.session("hash-1", "a.org").unwrap().unwrap();
        assert_eq!(record.email, Some(email.clone()));
        // No account for the address yet, then the account with the session.
        assert!(account.is_none());
        db.ensure_user(&email).unwrap();
        let (_, account) = db.session("hash-1", "a.org").unwrap().unwrap();
        assert_eq!(account.unwrap().user.email, email);
        let (_, anonymous) = db.session("hash-2", "a.org").unwrap().unwrap();
        assert!(anonymous.is_none());
    }
}
