//! Queries on list mail: a list's mail settings, held posts, sender rules.

use rusqlite::{params, OptionalExtension};

use super::{Context, Db};
use crate::domain::post::rule_for;
use crate::domain::{
    DeliveryMode, DmarcProtection, Email, ListId, MailSettings, SendPolicy, SenderRule,
};
use crate::store::{now, Error, NewHeld};

impl Db<'_> {
    /// The mail settings of `list` (the defaults when it does not exist).
    pub fn list_mail_settings(&self, list: ListId) -> Result<MailSettings, Error> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT send_policy, max_size, max_attachments, delivery_mode, dmarc_protection,
                        subject_tag, hold_days
                 FROM lists WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([list.0], |row| {
                    Ok(MailSettings {
                        send: SendPolicy::parse(&row.get::<_, String>(0)?),
                        max_size: row.get::<_, i64>(1)?.max(0) as u64,
                        max_attachments: row
                            .get::<_, Option<i64>>(2)?
                            .map(|n| n.clamp(0, u32::MAX as i64) as u32),
                        delivery: DeliveryMode::parse(&row.get::<_, String>(3)?),
                        dmarc: DmarcProtection::parse(&row.get::<_, String>(4)?),
                        subject_tag: row.get(5)?,
                        hold_days: row.get::<_, i64>(6)?.clamp(0, u32::MAX as i64) as u32,
                    })
                })
                .optional()
            })
            .context("reading a list's mail settings")?;
        Ok(row.unwrap_or_default())
    }

    /// Sets every mail setting of `list` at once.
    pub fn set_list_mail_settings(
        &self,
        list: ListId,
        settings: &MailSettings,
    ) -> Result<(), Error> {
        self.execute(
            "UPDATE lists SET send_policy = ?2, max_size = ?3, max_attachments = ?4,
                        delivery_mode = ?5, dmarc_protection = ?6, subject_tag = ?7,
                        hold_days = ?8, updated_at = ?9
                 WHERE id = ?1",
            params![
                list.0,
                settings.send.as_str(),
                settings.max_size.min(i64::MAX as u64) as i64,
                settings.max_attachments.map(i64::from),
                settings.delivery.as_str(),
                settings.dmarc.as_str(),
                settings.subject_tag,
                i64::from(settings.hold_days),
                now(),
            ],
        )
        .context("setting a list's mail settings")?;
        Ok(())
    }

    /// Records a held post.
    pub fn hold_message(&self, held: &NewHeld<'_>) -> Result<(), Error> {
        let reasons: Vec<&str> = held.reasons.iter().map(|r| r.as_str()).collect();
        self.conn
            .prepare_cached(
                "INSERT INTO held_messages (message, list_id, sender, reasons, key_hash, held_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    held.message,
                    held.list.0,
                    held.sender.map(Email::as_str),
                    reasons.join(","),
                    held.key_hash,
                    held.held_at,
                    held.expires_at,
                ])
            })
            .context("holding a post")?;
        Ok(())
    }

    /// The sender rule of `list` that applies to `address` (a ban wins over an allow).
    pub fn sender_rule(&self, list: ListId, address: &Email) -> Result<Option<SenderRule>, Error> {
        Ok(rule_for(&self.sender_rules(list)?, address.as_str()))
    }

    /// Every sender rule of `list`, by pattern.
    pub fn sender_rules(&self, list: ListId) -> Result<Vec<(String, SenderRule)>, Error> {
        let context = "reading sender rules";
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT pattern, rule FROM sender_rules WHERE list_id = ?1 ORDER BY pattern",
            )
            .context(context)?;
        let rows = statement
            .query_map([list.0], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .context(context)?;
        let mut rules = Vec::new();
        for row in rows {
            let (pattern, rule) = row.context(context)?;
            if let Some(rule) = SenderRule::parse(&rule) {
                rules.push((pattern, rule));
            }
        }
        Ok(rules)
    }

    /// Sets (or with `None` removes) the rule for `pattern` (lowercased by the caller).
    pub fn set_sender_rule(
        &self,
        list: ListId,
        pattern: &str,
        rule: Option<SenderRule>,
        by: Option<&Email>,
    ) -> Result<(), Error> {
        let context = "setting a sender rule";
        match rule {
            Some(rule) => self.execute(
                "INSERT INTO sender_rules (list_id, pattern, rule, created_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (list_id, pattern) DO UPDATE
                 SET rule = excluded.rule, created_at = excluded.created_at, created_by = excluded.created_by",
                params![list.0, pattern, rule.as_str(), now(), by.map(Email::as_str)],
            ),
            None => self.execute(
                "DELETE FROM sender_rules WHERE list_id = ?1 AND pattern = ?2",
                params![list.0, pattern],
            ),
        }
        .context(context)?;
        Ok(())
    }
}
