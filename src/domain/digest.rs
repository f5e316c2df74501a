//! Digest schedules: Sympa's `digest DAYS HH:MM` (days 0-6, 0 being Sunday; times in UTC) and `digest_max_size`, and the moment a digest is due.

use serde::Serialize;

use super::bounce::DAY;

/// A list's digest settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DigestSettings {
    /// The days a digest goes out: bit `d` for weekday `d` (0 Sunday … 6 Saturday).
    pub days: u8,
    /// The time of day it goes out, in minutes after midnight UTC.
    pub minute: u16,
    /// The most messages one digest holds (Sympa's `digest_max_size`); more make several.
    pub max_messages: u32,
}

/// The most messages one digest may be set to hold.
pub const MAX_DIGEST_MESSAGES: u32 = 500;

impl Default for DigestSettings {
    /// Every day at 06:00 UTC, 25 messages a digest.
    fn default() -> DigestSettings {
        DigestSettings {
            days: 0b111_1111,
            minute: 6 * 60,
            max_messages: 25,
        }
    }
}

impl DigestSettings {
    /// Parses Sympa's `DAYS HH:MM` (`1,4 06:00`; `0-6` ranges too; the time alone means
    /// every day); `None` when it is not one.
    pub fn parse_schedule(text: &str) -> Option<(u8, u16)> {
        let mut words = text.split_whitespace();
        let first = words.next()?;
        let (days_text, time) = match words.next() {
            Some(time) => (Some(first), time),
            None => (None, first),
        };
        if words.next().is_some() {
            return None;
        }
        let (hours, minutes) = time.split_once(':')?;
        let number = |s: &str| -> Option<u16> {
            // One or two digits: `parse` alone would also take `+6` and `006`.
            if s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        };
        let (hours, minutes) = (number(hours)?, number(minutes)?);
        if hours > 23 || minutes > 59 {
            return None;
        }
        let mut days = 0u8;
        match days_text {
            None => days = 0b111_1111,
            Some(list) => {
                for item in list.split(',') {
                    let (from, to) = item.split_once('-').unwrap_or((item, item));
                    let (from, to) = (number(from)?, number(to)?);
                    if from > 6 || to > 6 || from > to {
                        return None;
                    }
                    for d in from..=to {
                        days |= 1 << d;
                    }
                }
            }
        }
        Some((days, hours * 60 + minutes))
    }

    /// The schedule as Sympa writes it: `1,4 06:00`.
    pub fn schedule_text(&self) -> String {
        let days: Vec<String> = (0..7)
            .filter(|d| self.days & (1 << d) != 0)
            .map(|d| d.to_string())
            .collect();
        format!(
            "{} {:02}:{:02}",
            days.join(","),
            self.minute / 60,
            self.minute % 60
        )
    }

    /// The latest scheduled moment at or before `now` (seconds since the epoch), within the
    /// last week; `None` when no day is chosen.
    pub fn last_slot(&self, now: i64) -> Option<i64> {
        let today = now.div_euclid(DAY);
        (0..8).find_map(|back| {
            let day = today - back;
            let slot = day * DAY + i64::from(self.minute) * 60;
            (self.days & (1 << weekday(day)) != 0 && slot <= now).then_some(slot)
        })
    }
}

/// The weekday of a day number (days since 1970-01-01, a Thursday): 0 Sunday … 6 Saturday.
pub fn weekday(day: i64) -> u32 {
    (day + 4).rem_euclid(7) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::days_from_civil;

    #[test]
    fn sympa_schedules_parse() {
        assert_eq!(
            DigestSettings::parse_schedule("1,4 06:00"),
            Some((0b1_0010, 360))
        );
        assert_eq!(
            DigestSettings::parse_schedule("0-6 23:59"),
            Some((0b111_1111, 1439))
        );
        assert_eq!(
            DigestSettings::parse_schedule("6 0:05"),
            Some((0b100_0000, 5))
        );
        assert_eq!(
            DigestSettings::parse_schedule("07:30"),
            Some((0b111_1111, 450))
        );
        for bad in [
            "",
            "1,4",
            "7 06:00",
            "1 24:00",
            "1 06:60",
            "4-1 06:00",
            "5-7 06:00",
            "+6:00",
            "06:+5",
            "006:00",
            "1 06:000",
            "+1 06:00",
            ":",
            "1 06:00 x",
            "a 06:00",
            "1 0600",
        ] {
            assert_eq!(DigestSettings::parse_schedule(bad), None, "{bad}");
        }
        let s = DigestSettings {
            days: 0b1_0010,
            minute: 360,
            max_messages: 25,
        };
        assert_eq!(s.schedule_text(), "1,4 06:00");
        assert_eq!(
            DigestSettings::default().schedule_text(),
            "0,1,2,3,4,5,6 06:00"
        );
    }

    #[test]
    fn weekdays() {
        assert_eq!(weekday(0), 4, "1970-01-01 was a Thursday");
        assert_eq!(weekday(days_from_civil(2026, 11, 29)), 0, "a Sunday");
        assert_eq!(weekday(days_from_civil(2026, 12, 3)), 4);
    }

    #[test]
    fn the_last_slot() {
        // Monday and Thursday at 06:00.
        let s = DigestSettings {
            days: 0b1_0010,
            minute: 360,
            max_messages: 25,
        };
        let monday = days_from_civil(2026, 11, 30) * DAY;
        assert_eq!(s.last_slot(monday + 6 * 3600), Some(monday + 6 * 3600));
        // Just before Monday's: the Thursday before.
        assert_eq!(
            s.last_slot(monday + 6 * 3600 - 1),
            Some(monday - 4 * DAY + 6 * 3600)
        );
        // Wednesday: still Monday's.
        assert_eq!(
            s.last_slot(monday + 2 * DAY + 20 * 3600),
            Some(monday + 6 * 3600)
        );
        let daily = DigestSettings::default();
        assert_eq!(
            daily.last_slot(monday + 3600),
            Some(monday - DAY + 6 * 3600)
        );
        let never = DigestSettings { days: 0, ..daily };
        assert_eq!(never.last_slot(monday), None);
    }
}
