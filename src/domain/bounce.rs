//! Bounce scores (Mailman's explainable rule): a hard bounce counts 1, a soft one ½, at most once a day per member; past the list's threshold delivery is disabled; a disabled member gets warnings some days apart, then is removed; a score with no bounce for some days is stale and forgotten.
//!
//! Scores are kept in thousandths of a point ([`POINT`]) so that the rule works on integers.

use serde::Serialize;

/// One point of bounce score, in the unit scores are kept in.
pub const POINT: u32 = 1000;

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// A list's bounce policy (Mailman's `bounce_score_threshold`, `bounce_info_stale_after`,
/// `bounce_you_are_disabled_warnings` and `..._interval`), with Mailman's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BounceSettings {
    /// Delivery is disabled when the score goes above this (thousandths of a point; 5000).
    pub threshold: u32,
    /// Days without a counted bounce after which a score is forgotten (7).
    pub stale_days: u32,
    /// Warnings sent to a disabled member before removal (3).
    pub warnings: u32,
    /// Days between warnings, and from the last warning to removal (7).
    pub warning_days: u32,
}

impl Default for BounceSettings {
    fn default() -> BounceSettings {
        BounceSettings {
            threshold: 5 * POINT,
            stale_days: 7,
            warnings: 3,
            warning_days: 7,
        }
    }
}

/// How much one counted bounce weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// A permanent failure: one point.
    Hard,
    /// A temporary failure: half a point.
    Soft,
}

impl Weight {
    /// In thousandths of a point.
    pub fn value(self) -> u32 {
        match self {
            Weight::Hard => POINT,
            Weight::Soft => POINT / 2,
        }
    }
}

/// A member's bounce record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct BounceScore {
    /// The score, in thousandths of a point.
    pub score: u32,
    /// When the first bounce of this record came.
    pub first_at: i64,
    /// When the last bounce came (counted or not).
    pub last_at: i64,
    /// The day (seconds ÷ 86,400) of the last counted bounce.
    pub last_day: i64,
    /// Bounces received in this record, counted or not.
    pub bounces: u32,
    /// When delivery was disabled.
    pub disabled_at: Option<i64>,
    /// Warnings sent since.
    pub warnings: u32,
    /// When the last warning went.
    pub warned_at: Option<i64>,
}

/// What one bounce did to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// Added to the score.
    Added,
    /// Not added: one was counted today already (or delivery is already disabled).
    NotToday,
    /// Added, and the score went past the threshold: delivery is disabled now.
    Disabled,
}

/// Whether `record` is stale at `now`: no bounce for more than the list's `stale_days`.
pub fn is_stale(record: &BounceScore, now: i64, settings: &BounceSettings) -> bool {
    record.disabled_at.is_none() && now - record.last_at > i64::from(settings.stale_days) * DAY
}

/// Counts a bounce of `weight` at `now` into `record` (`None`: the member's first).
pub fn count(
    record: Option<BounceScore>,
    weight: Weight,
    now: i64,
    settings: &BounceSettings,
) -> (BounceScore, Counted) {
    let fresh = BounceScore {
        first_at: now,
        last_at: now,
        last_day: i64::MIN,
        ..BounceScore::default()
    };
    let mut record = match record {
        Some(r) if !is_stale(&r, now, settings) => r,
        _ => fresh,
    };
    record.last_at = now;
    record.bounces = record.bounces.saturating_add(1);
    let today = now.div_euclid(DAY);
    if record.disabled_at.is_some() || record.last_day == today {
        return (record, Counted::NotToday);
    }
    record.last_day = today;
    record.score = record.score.saturating_add(weight.value());
    if record.score > settings.threshold {
        record.disabled_at = Some(now);
        (record, Counted::Disabled)
    } else {
        (record, Counted::Added)
    }
}

/// What the periodic job does with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Nothing yet.
    Nothing,
    /// Forget it: stale.
    Forget,
    /// Send warning number `n` (1-based).
    Warn(u32),
    /// Remove the member.
    Remove,
}

/// What is due for `record` at `now`.
pub fn due(record: &BounceScore, now: i64, settings: &BounceSettings) -> Due {
    let Some(disabled_at) = record.disabled_at else {
        return if is_stale(record, now, settings) {
            Due::Forget
        } else {
            Due::Nothing
        };
    };
    let interval = i64::from(settings.warning_days) * DAY;
    let since = record.warned_at.unwrap_or(disabled_at);
    let waited = record.warned_at.is_none() || now - since >= interval;
    if !waited {
        return Due::Nothing;
    }
    if record.warnings < settings.warnings {
        Due::Warn(record.warnings + 1)
    } else {
        Due::Remove
    }
}

/// A score as points for people: `2.5`.
pub fn points(score: u32) -> String {
    let whole = score / POINT;
    let rest = score % POINT;
    if rest == 0 {
        whole.to_string()
    } else {
        let decimals = format!("{rest:03}");
        format!("{whole}.{}", decimals.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_800_000_000 - 1_800_000_000 % DAY + 3600;

    fn run(days: &[(i64, Weight)]) -> (BounceScore, Vec<Counted>) {
        let settings = BounceSettings::default();
        let mut record = None;
        let mut outcomes = Vec::new();
        for (at, weight) in days {
            let (r, c) = count(record, *weight, *at, &settings);
            record = Some(r);
            outcomes.push(c);
        }
        (record.unwrap(), outcomes)
    }

    #[test]
    fn hard_counts_one_soft_half_once_a_day() {
        let (r, c) = run(&[
            (T0, Weight::Hard),
            (T0 + 60, Weight::Hard),
            (T0 + DAY, Weight::Soft),
        ]);
        assert_eq!(r.score, 1500);
        assert_eq!(r.bounces, 3);
        assert_eq!(c, [Counted::Added, Counted::NotToday, Counted::Added]);
        assert_eq!(r.first_at, T0);
        assert_eq!(r.last_at, T0 + DAY);
        assert_eq!(r.last_day, (T0 + DAY) / DAY);
    }

    #[test]
    fn past_the_threshold_disables_not_at_it() {
        let days: Vec<(i64, Weight)> = (0..6).map(|d| (T0 + d * DAY, Weight::Hard)).collect();
        let (r, c) = run(&days[..5]);
        assert_eq!(r.score, 5000);
        assert_eq!(r.disabled_at, None, "5.0 is not above 5.0");
        assert!(c.iter().all(|c| *c == Counted::Added));
        let (r, c) = run(&days);
        assert_eq!(c[5], Counted::Disabled);
        assert_eq!(r.disabled_at, Some(T0 + 5 * DAY));
        // Once disabled, more bounces change no score.
        let (r2, c2) = count(
            Some(r),
            Weight::Hard,
            T0 + 6 * DAY,
            &BounceSettings::default(),
        );
        assert_eq!(c2, Counted::NotToday);
        assert_eq!(r2.score, r.score);
        assert_eq!(r2.disabled_at, r.disabled_at);
    }

    #[test]
    fn a_stale_score_starts_again() {
        let settings = BounceSettings::default();
        let (r, _) = run(&[(T0, Weight::Hard), (T0 + DAY, Weight::Hard)]);
        assert!(!is_stale(&r, T0 + DAY + 7 * DAY, &settings));
        assert!(is_stale(&r, T0 + DAY + 7 * DAY + 1, &settings));
        assert_eq!(due(&r, T0 + DAY + 7 * DAY, &settings), Due::Nothing);
        assert_eq!(due(&r, T0 + DAY + 7 * DAY + 1, &settings), Due::Forget);
        let (r, c) = count(Some(r), Weight::Soft, T0 + 9 * DAY, &settings);
        assert_eq!(c, Counted::Added);
        assert_eq!(r.score, 500);
        assert_eq!(r.bounces, 1);
        assert_eq!(r.first_at, T0 + 9 * DAY);
    }

    #[test]
    fn warnings_then_removal() {
        let settings = BounceSettings::default();
        let mut r = BounceScore {
            score: 5500,
            disabled_at: Some(T0),
            last_at: T0,
            ..BounceScore::default()
        };
        assert_eq!(due(&r, T0, &settings), Due::Warn(1));
        r.warnings = 1;
        r.warned_at = Some(T0);
        assert_eq!(due(&r, T0 + 7 * DAY - 1, &settings), Due::Nothing);
        assert_eq!(due(&r, T0 + 7 * DAY, &settings), Due::Warn(2));
        r.warnings = 3;
        r.warned_at = Some(T0 + 14 * DAY);
        assert_eq!(due(&r, T0 + 21 * DAY - 1, &settings), Due::Nothing);
        assert_eq!(due(&r, T0 + 21 * DAY, &settings), Due::Remove);
        // A disabled member is never stale: the warnings run their course.
        assert_eq!(due(&r, T0 + 100 * DAY, &settings), Due::Remove);
        let none = BounceSettings {
            warnings: 0,
            ..settings
        };
        let fresh = BounceScore {
            disabled_at: Some(T0),
            ..BounceScore::default()
        };
        assert_eq!(due(&fresh, T0, &none), Due::Remove);
    }

    #[test]
    fn points_read_as_people_write_them() {
        assert_eq!(points(0), "0");
        assert_eq!(points(500), "0.5");
        assert_eq!(points(5500), "5.5");
        assert_eq!(points(6000), "6");
        assert_eq!(points(1250), "1.25");
        assert_eq!(Weight::Hard.value(), 1000);
        assert_eq!(Weight::Soft.value(), 500);
    }
}
