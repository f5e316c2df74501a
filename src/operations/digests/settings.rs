//! A list's digest schedule and size, read and changed by those who manage the list.

use serde_json::json;

use crate::domain::digest::MAX_DIGEST_MESSAGES;
use crate::domain::{ActionKind, DigestSettings, List};
use crate::operations::{Env, Error, Field, Refusal, Requester};

/// The digest settings of `list`.
pub fn settings(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
) -> Result<DigestSettings, Error> {
    env.authorize(requester, list, ActionKind::ManageList)?;
    Ok(env.db().digest_settings(list.id)?)
}

/// Whether `settings` can be kept: days within the week (none: no digest is sent), a time
/// within the day, 1 to [`MAX_DIGEST_MESSAGES`] messages a digest.
pub fn valid(settings: &DigestSettings) -> bool {
    settings.days <= 0b111_1111
        && settings.minute < 24 * 60
        && (1..=MAX_DIGEST_MESSAGES).contains(&settings.max_messages)
}

/// Replaces the digest settings of `list`, with an audit row holding the old and new values.
pub fn set_settings(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    settings: &DigestSettings,
) -> Result<(), Error> {
    env.authorize(requester, list, ActionKind::ManageList)?;
    if !valid(settings) {
        return Err(Refusal::InvalidValue {
            field: Field::DigestSchedule,
        }
        .into());
    }
    env.transaction(requester, |tx| {
        let before = tx.db.digest_settings(list.id)?;
        tx.db.set_digest_settings(list.id, settings)?;
        tx.audit(
            "set_digest",
            Some(list),
            None,
            json!({ "before": before.schedule_text(), "after": settings.schedule_text(),
                    "max_size_before": before.max_messages, "max_size": settings.max_messages }),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        let ok = DigestSettings::default();
        assert!(valid(&ok));
        assert!(valid(&DigestSettings { days: 0, ..ok }));
        assert!(valid(&DigestSettings {
            minute: 1439,
            max_messages: MAX_DIGEST_MESSAGES,
            ..ok
        }));
        assert!(valid(&DigestSettings {
            max_messages: 1,
            ..ok
        }));
        assert!(!valid(&DigestSettings {
            days: 0b1000_0000,
            ..ok
        }));
        assert!(!valid(&DigestSettings { minute: 1440, ..ok }));
        assert!(!valid(&DigestSettings {
            max_messages: 0,
            ..ok
        }));
        assert!(!valid(&DigestSettings {
            max_messages: MAX_DIGEST_MESSAGES + 1,
            ..ok
        }));
    }
}
