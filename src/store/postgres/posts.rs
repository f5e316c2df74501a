//! Queries on list mail: a list's mail settings, held posts, sender rules (PostgreSQL).

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
            .query_opt(
                "SELECT send_policy, max_size, max_attachments, delivery_mode, dmarc_protection,
                        subject_tag, hold_days
                 FROM lists WHERE id = $1",
                &[&list.0],
            )
            .context("reading a list's mail settings")?;
        let Some(row) = row else {
            return Ok(MailSettings::default());
        };
        let settings = (|| -> Result<MailSettings, postgres::Error> {
            Ok(MailSettings {
                send: SendPolicy::parse(row.try_get(0)?),
                max_size: row.try_get::<_, i64>(1)?.max(0) as u64,
                max_attachments: row
                    .try_get::<_, Option<i64>>(2)?
                    .map(|n| n.clamp(0, u32::MAX as i64) as u32),
                delivery: DeliveryMode::parse(row.try_get(3)?),
                dmarc: DmarcProtection::parse(row.try_get(4)?),
                subject_tag: row.try_get(5)?,
                hold_days: row.try_get::<_, i64>(6)?.clamp(0, u32::MAX as i64) as u32,
            })
        })();
        settings.context("reading a list's mail settings")
    }

    /// Sets every mail setting of `list` at once.
    pub fn set_list_mail_settings(
        &self,
        list: ListId,
        settings: &MailSettings,
    ) -> Result<(), Error> {
        let max_attachments = settings.max_attachments.map(i64::from);
        let hold_days = i64::from(settings.hold_days);
        self.conn
            .execute(
                "UPDATE lists SET send_policy = $2, max_size = $3, max_attachments = $4,
                    delivery_mode = $5, dmarc_protection = $6, subject_tag = $7,
                    hold_days = $8, updated_at = $9
             WHERE id = $1",
                &[
                    &list.0,
                    &settings.send.as_str(),
                    &(settings.max_size.min(i64::MAX as u64) as i64),
                    &max_attachments,
                    &settings.delivery.as_str(),
                    &settings.dmarc.as_str(),
                    &settings.subject_tag,
                    &hold_days,
                    &now(),
                ],
            )
            .context("setting a list's mail settings")?;
        Ok(())
    }

    /// Records a held post.
    pub fn hold_message(&self, held: &NewHeld<'_>) -> Result<(), Error> {
        let reasons: Vec<&str> = held.reasons.iter().map(|r| r.as_str()).collect();
        self.conn.execute(
            "INSERT INTO held_messages (message, list_id, sender, reasons, key_hash, held_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &held.message,
                &held.list.0,
                &held.sender.map(Email::as_str),
                &reasons.join(","),
                &held.key_hash,
                &held.held_at,
                &held.expires_at,
            ],
        )
        .context("holding a post")?;
        Ok(())
    }

    /// The sender rule of `list` that applies to `address` (a ban wins over an allow).
    pub fn sender_rule(&self, list: ListId, address: &Email) -> Result<Option<SenderRule>, Error> {
        Ok(rule_for(&self.sender_rules(list)?, address.as_str()))
    }

    /// Every sender rule of `list`, by pattern.
    pub fn sender_rules(&self, list: ListId) -> Result<Vec<(String, SenderRule)>, Error> {
        let rows = self
            .conn
            .query(
                "SELECT pattern, rule FROM sender_rules WHERE list_id = $1 ORDER BY pattern",
                &[&list.0],
            )
            .context("reading sender rules")?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                let pattern: String = row.get(0);
                SenderRule::parse(row.get(1)).map(|rule| (pattern, rule))
            })
            .collect())
    }

    /// Sets (or with `None` removes) the rule for `pattern` (lowercased by the caller).
    pub fn set_sender_rule(
        &self,
        list: ListId,
        pattern: &str,
        rule: Option<SenderRule>,
        by: Option<&Email>,
    ) -> Result<(), Error> {
        match rule {
            Some(rule) => self.conn.execute(
                "INSERT INTO sender_rules (list_id, pattern, rule, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (list_id, pattern) DO UPDATE
                 SET rule = excluded.rule, created_at = excluded.created_at, created_by = excluded.created_by",
                &[&list.0, &pattern, &rule.as_str(), &now(), &by.map(Email::as_str)],
            ),
            None => self.conn.execute(
                "DELETE FROM sender_rules WHERE list_id = $1 AND pattern = $2",
                &[&list.0, &pattern],
            ),
        }
        .context("setting a sender rule")?;
        Ok(())
    }
}
