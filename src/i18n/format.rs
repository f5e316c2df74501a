//! Dates and numbers per language, written by hand from sentences of the catalogue: the date's pattern, the month names and the thousands separator are translated like any sentence (with a `msgctxt`), so a site's new language brings its own.

/// The sentences formats are made of, as `(msgctxt, msgid)`: each shipped catalogue
/// translates them (the completeness test checks).
///
/// The two date patterns (`date`, the long one, and `short date`) may use `{day}` (1-31),
/// `{dd}` (01-31), `{month}` (the month's name), `{mm}` (01-12), `{year}` and `{yyyy}` (the
/// year in at least four digits); `time` uses `{hour}` (00-23), `{minute}` (00-59) and
/// `{zone}` (the time zone's name, `UTC`); `date and time` puts a `{date}` (long or short)
/// and a `{time}` together. `digits before grouping` is the length from which a number gets
/// thousands separators (`4`: `1,234`; `5`: `1234` but `12.345`); `decimal separator` is
/// the mark before a fraction (`0.5`, `0,5`).
pub const FORMAT_MSGIDS: &[(&str, &str)] = &[
    (DATE, "{month} {day}, {year}"),
    (SEPARATOR, ","),
    (MONTH, "January"),
    (MONTH, "February"),
    (MONTH, "March"),
    (MONTH, "April"),
    (MONTH, "May"),
    (MONTH, "June"),
    (MONTH, "July"),
    (MONTH, "August"),
    (MONTH, "September"),
    (MONTH, "October"),
    (MONTH, "November"),
    (MONTH, "December"),
    // English's short date is ISO 8601: `11/29/2026` reads as the 11th of the 29th month
    // to a British reader and `29/11/2026` as nonsense to an American one; `2026-11-29`
    // means one day to both, and is what the pages showed before.
    (SHORT_DATE, "{yyyy}-{mm}-{dd}"),
    (TIME, "{hour}:{minute} {zone}"),
    (DATE_AND_TIME, "{date}, {time}"),
    (GROUPING, "4"),
    (DECIMAL, "."),
];

/// The `msgctxt` of the long date's pattern.
const DATE: &str = "date";
/// The `msgctxt` of the thousands separator.
const SEPARATOR: &str = "thousands separator";
/// The `msgctxt` of the months' names.
const MONTH: &str = "month";
/// The `msgctxt` of the short (numeric) date's pattern.
const SHORT_DATE: &str = "short date";
/// The `msgctxt` of the time of day's pattern.
const TIME: &str = "time";
/// The `msgctxt` of the pattern joining a date and a time.
const DATE_AND_TIME: &str = "date and time";
/// The `msgctxt` of the number of digits from which numbers are grouped.
const GROUPING: &str = "digits before grouping";
/// The `msgctxt` of the mark between a number's units and its fraction.
const DECIMAL: &str = "decimal separator";

/// The time zone every time is shown in: the store keeps seconds since the epoch, and
/// neither the site nor an account has a zone of its own yet.
pub const ZONE: &str = "UTC";

/// A moment to show: a day, and the time of day when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    /// The year (proleptic Gregorian; any, negative included).
    pub year: i64,
    /// 1 to 12.
    pub month: u8,
    /// 1 to the month's length.
    pub day: u8,
    /// Hour (0-23) and minute (0-59), UTC, when the moment has a time.
    pub time: Option<(u8, u8)>,
}

impl Moment {
    /// The moment `seconds` after 1970-01-01 00:00 UTC (any `i64`, its minute).
    pub fn from_epoch(seconds: i64) -> Moment {
        let (year, month, day) =
            crate::domain::calendar::civil_from_days(seconds.div_euclid(86_400));
        let rest = seconds.rem_euclid(86_400);
        Moment {
            year,
            month,
            day,
            time: Some(((rest / 3600) as u8, (rest % 3600 / 60) as u8)),
        }
    }

    /// The moment a text written by a program gives: `YYYY-MM-DD`, then optionally a time
    /// `HH:MM`, `HH:MM:SS` after a space or a `T`, then optionally `Z`, ` UTC` or `+00:00`.
    /// `None` for anything else (another zone, an impossible date such as February 30).
    /// With `lenient`, anything after a valid `YYYY-MM-DD` is ignored (time included).
    pub fn parse(text: &str, lenient: bool) -> Option<Moment> {
        let bytes = text.as_bytes();
        let head = text.get(..10)?;
        if bytes[4] != b'-' || bytes[7] != b'-' || !head[..4].bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i64 = head[..4].parse().ok()?;
        let month: u8 = two_digits(&head[5..7])?;
        let day: u8 = two_digits(&head[8..10])?;
        let days = crate::domain::calendar::days_from_civil(year, month, day);
        if !(1..=12).contains(&month)
            || day == 0
            || crate::domain::calendar::civil_from_days(days) != (year, month, day)
        {
            return None;
        }
        let date = Moment {
            year,
            month,
            day,
            time: None,
        };
        let rest = &text[10..];
        if rest.is_empty() {
            return Some(date);
        }
        let time = parse_time(rest);
        match (time, lenient) {
            (Some(time), _) => Some(Moment {
                time: Some(time),
                ..date
            }),
            (None, true) => Some(date),
            (None, false) => None,
        }
    }
}

/// Two ASCII digits as a number.
fn two_digits(text: &str) -> Option<u8> {
    let bytes = text.as_bytes();
    (bytes.len() == 2 && bytes.iter().all(u8::is_ascii_digit))
        .then(|| (bytes[0] - b'0') * 10 + (bytes[1] - b'0'))
}

/// The hour and minute of what follows a date: ` HH:MM` or `THH:MM`, optional `:SS`, then
/// nothing, `Z`, ` UTC` or `+00:00`.
fn parse_time(rest: &str) -> Option<(u8, u8)> {
    let rest = rest.strip_prefix(' ').or_else(|| rest.strip_prefix('T'))?;
    let hour = two_digits(rest.get(..2)?)?;
    let rest = rest.get(2..)?.strip_prefix(':')?;
    let minute = two_digits(rest.get(..2)?)?;
    let mut rest = &rest[2..];
    if let Some(seconds) = rest.strip_prefix(':') {
        let second = two_digits(seconds.get(..2)?)?;
        if second > 60 {
            return None;
        }
        rest = &seconds[2..];
    }
    let zone_ok = matches!(rest, "" | "Z" | "z" | " UTC" | "+00:00" | " GMT");
    (zone_ok && hour < 24 && minute < 60).then_some((hour, minute))
}

/// A language's formats, read once from its catalogue.
#[derive(Debug)]
pub(super) struct Formats {
    /// The long date: `{day}`, `{month}`, `{year}`… in the language's order.
    date: String,
    /// The short, numeric date.
    short_date: String,
    /// The time of day.
    time: String,
    /// A date and a time together.
    date_and_time: String,
    /// The month names, January first.
    months: Vec<String>,
    /// Between groups of three digits.
    separator: String,
    /// Numbers with fewer digits than this are not grouped.
    grouping: usize,
    /// Between the units and the fraction.
    decimal: String,
}

impl Formats {
    /// The formats `catalogue` translates (English's where it does not).
    pub(super) fn from_catalogue(catalogue: &spiritless_po::Catalog) -> Formats {
        let get = |context: &str| {
            let (_, msgid) = FORMAT_MSGIDS
                .iter()
                .find(|(c, _)| *c == context)
                .expect("every context is in FORMAT_MSGIDS");
            catalogue.pgettext(context, msgid).to_string()
        };
        Formats {
            date: get(DATE),
            short_date: get(SHORT_DATE),
            time: get(TIME),
            date_and_time: get(DATE_AND_TIME),
            separator: get(SEPARATOR),
            decimal: get(DECIMAL),
            // A translation that is not a small number keeps English's 4.
            grouping: get(GROUPING)
                .trim()
                .parse()
                .ok()
                .filter(|digits| (1..=20).contains(digits))
                .unwrap_or(4),
            months: FORMAT_MSGIDS
                .iter()
                .filter(|(context, _)| *context == MONTH)
                .map(|(context, month)| catalogue.pgettext(context, month).to_string())
                .collect(),
        }
    }

    /// `n` with the separator between groups of three digits, from the language's
    /// `digits before grouping` on (`1234` stays whole in Spanish, `12.345` does not).
    pub(super) fn number(&self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3 + 1);
        if n < 0 {
            out.push('-');
        }
        self.push_grouped(&mut out, &digits);
        out
    }

    /// A decimal number written by a program (`-1234.5`: an optional `-`, ASCII digits, an
    /// optional `.` and more digits) the language's way (`-1,234.5`, `-1 234,5`); `None`
    /// for any other text.
    pub(super) fn decimal(&self, text: &str) -> Option<String> {
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (units, fraction) = match unsigned.split_once('.') {
            Some((units, fraction)) => (units, Some(fraction)),
            None => (unsigned, None),
        };
        let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if !digits(units) || fraction.is_some_and(|f| !digits(f)) {
            return None;
        }
        let mut out = String::with_capacity(text.len() + units.len() / 3 * 3 + 2);
        if negative {
            out.push('-');
        }
        self.push_grouped(&mut out, units);
        if let Some(fraction) = fraction {
            out.push_str(&self.decimal);
            out.push_str(fraction);
        }
        Some(out)
    }

    /// `digits` (ASCII), grouped by three from [`Formats::grouping`] digits on.
    fn push_grouped(&self, out: &mut String, digits: &str) {
        if digits.len() < self.grouping {
            out.push_str(digits);
            return;
        }
        for (index, digit) in digits.chars().enumerate() {
            if index > 0 && (digits.len() - index) % 3 == 0 {
                out.push_str(&self.separator);
            }
            out.push(digit);
        }
    }

    /// The date written out in the language's pattern; a month out of range is shown as its number.
    pub(super) fn date(&self, year: i64, month: u8, day: u8) -> String {
        self.fill_date(&self.date, year, month, day)
    }

    /// The date in the language's short, numeric pattern (`2026-11-29`, `29/11/2026`).
    pub(super) fn short_date(&self, year: i64, month: u8, day: u8) -> String {
        self.fill_date(&self.short_date, year, month, day)
    }

    /// The time of day (`13:05 UTC`).
    pub(super) fn time(&self, hour: u8, minute: u8) -> String {
        super::fill(&self.time, |placeholder, out| {
            match placeholder {
                "hour" => push_two(out, hour),
                "minute" => push_two(out, minute),
                "zone" => out.push_str(ZONE),
                _ => return None,
            }
            Some(())
        })
    }

    /// `moment` in full: the long (or, with `short`, the short) date, then its time when it
    /// has one (`November 29, 2026, 13:05 UTC`, `29/11/2026 à 13:05 UTC`).
    pub(super) fn moment(&self, moment: &Moment, short: bool) -> String {
        let date = if short {
            self.short_date(moment.year, moment.month, moment.day)
        } else {
            self.date(moment.year, moment.month, moment.day)
        };
        let Some((hour, minute)) = moment.time else {
            return date;
        };
        let time = self.time(hour, minute);
        super::fill(&self.date_and_time, |placeholder, out| {
            match placeholder {
                "date" => out.push_str(&date),
                "time" => out.push_str(&time),
                _ => return None,
            }
            Some(())
        })
    }

    /// `pattern` (a date's) filled with the day `year-month-day`.
    fn fill_date(&self, pattern: &str, year: i64, month: u8, day: u8) -> String {
        use std::fmt::Write as _;
        super::fill(pattern, |placeholder, out| {
            match placeholder {
                "day" => {
                    let _ = write!(out, "{day}");
                }
                "dd" => push_two(out, day),
                "month" => match month
                    .checked_sub(1)
                    .and_then(|index| self.months.get(usize::from(index)))
                {
                    Some(name) => out.push_str(name),
                    None => {
                        let _ = write!(out, "{month}");
                    }
                },
                "mm" => push_two(out, month),
                "year" => {
                    let _ = write!(out, "{year}");
                }
                "yyyy" => {
                    let _ = write!(out, "{year:04}");
                }
                _ => return None,
            }
            Some(())
        })
    }
}

/// `n` in two digits at least (`05`).
fn push_two(out: &mut String, n: u8) {
    use std::fmt::Write as _;
    let _ = write!(out, "{n:02}");
}
