//! A list's bounce policy, read and changed by those who manage the list (its privileged owners, listmasters), within named bounds.

use serde_json::json;

use crate::domain::bounce::POINT;
use crate::domain::{ActionKind, BounceSettings, List};
use crate::operations::{Env, Error, Field, Refusal, Requester};

/// The lowest threshold: half a point (one soft bounce would then suspend delivery).
pub const MIN_THRESHOLD: u32 = POINT / 2;
/// The highest threshold: 1,000 points.
pub const MAX_THRESHOLD: u32 = 1000 * POINT;
/// The most days for `stale_days` and `warning_days`.
pub const MAX_DAYS: u32 = 365;
/// The most warnings before removal.
pub const MAX_WARNINGS: u32 = 20;

/// The bounce policy of `list`.
pub fn policy(env: &Env<'_>, requester: &Requester, list: &List) -> Result<BounceSettings, Error> {
    env.authorize(requester, list, ActionKind::ManageList)?;
    Ok(env.db().bounce_settings(list.id)?)
}

/// Whether `settings` are within the bounds above (days at least 1).
pub fn valid(settings: &BounceSettings) -> bool {
    (MIN_THRESHOLD..=MAX_THRESHOLD).contains(&settings.threshold)
        && (1..=MAX_DAYS).contains(&settings.stale_days)
        && (1..=MAX_DAYS).contains(&settings.warning_days)
        && settings.warnings <= MAX_WARNINGS
}

/// Replaces the bounce policy of `list`, with an audit row holding the old and new values.
pub fn set_policy(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    settings: &BounceSettings,
) -> Result<(), Error> {
    env.authorize(requester, list, ActionKind::ManageList)?;
    if !valid(settings) {
        return Err(Refusal::InvalidValue {
            field: Field::BouncePolicy,
        }
        .into());
    }
    env.transaction(requester, |tx| {
        let before = tx.db.bounce_settings(list.id)?;
        tx.db.set_bounce_settings(list.id, settings)?;
        tx.audit(
            "set_bounce_policy",
            Some(list),
            None,
            json!({ "before": before, "after": settings }),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        let ok = BounceSettings::default();
        assert!(valid(&ok));
        for bad in [
            BounceSettings {
                threshold: MIN_THRESHOLD - 1,
                ..ok
            },
            BounceSettings {
                threshold: MAX_THRESHOLD + 1,
                ..ok
            },
            BounceSettings {
                stale_days: 0,
                ..ok
            },
            BounceSettings {
                stale_days: MAX_DAYS + 1,
                ..ok
            },
            BounceSettings {
                warning_days: 0,
                ..ok
            },
            BounceSettings {
                warning_days: MAX_DAYS + 1,
                ..ok
            },
            BounceSettings {
                warnings: MAX_WARNINGS + 1,
                ..ok
            },
        ] {
            assert!(!valid(&bad), "{bad:?}");
        }
        for good in [
            BounceSettings {
                threshold: MIN_THRESHOLD,
                ..ok
            },
            BounceSettings {
                threshold: MAX_THRESHOLD,
                ..ok
            },
            BounceSettings {
                stale_days: 1,
                warning_days: MAX_DAYS,
                ..ok
            },
            BounceSettings { warnings: 0, ..ok },
            BounceSettings {
                warnings: MAX_WARNINGS,
                stale_days: MAX_DAYS,
                warning_days: 1,
                ..ok
            },
        ] {
            assert!(valid(&good), "{good:?}");
        }
    }
}
