//! Dates and numbers per language, written by hand from sentences of the catalogue: the date's pattern, the month names and the thousands separator are translated like any sentence (with a `msgctxt`), so a site's new language brings its own.

/// The sentences formats are made of, as `(msgctxt, msgid)`: each shipped catalogue
/// translates them (the completeness test checks).
pub const FORMAT_MSGIDS: &[(&str, &str)] = &[
    ("date", "{month} {day}, {year}"),
    ("thousands separator", ","),
    ("month", "January"),
    ("month", "February"),
    ("month", "March"),
    ("month", "April"),
    ("month", "May"),
    ("month", "June"),
    ("month", "July"),
    ("month", "August"),
    ("month", "September"),
    ("month", "October"),
    ("month", "November"),
    ("month", "December"),
];

/// A language's formats, read once from its catalogue.
#[derive(Debug)]
pub(super) struct Formats {
    /// `{day}`, `{month}` and `{year}` in the language's order.
    date: String,
    /// The month names, January first.
    months: Vec<String>,
    /// Between groups of three digits.
    separator: String,
}

impl Formats {
    /// The formats `catalogue` translates (English's where it does not).
    pub(super) fn from_catalogue(catalogue: &spiritless_po::Catalog) -> Formats {
        let get = |context: &str, msgid: &str| catalogue.pgettext(context, msgid).to_string();
        Formats {
            date: get(FORMAT_MSGIDS[0].0, FORMAT_MSGIDS[0].1),
            separator: get(FORMAT_MSGIDS[1].0, FORMAT_MSGIDS[1].1),
            months: FORMAT_MSGIDS[2..]
                .iter()
                .map(|(context, month)| get(context, month))
                .collect(),
        }
    }

    /// `n` with the separator between groups of three digits.
    pub(super) fn number(&self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3 + 1);
        if n < 0 {
            out.push('-');
        }
        for (index, digit) in digits.chars().enumerate() {
            if index > 0 && (digits.len() - index) % 3 == 0 {
                out.push_str(&self.separator);
            }
            out.push(digit);
        }
        out
    }

    /// The date written out in the language's pattern; a month out of range is shown as its number.
    pub(super) fn date(&self, year: i64, month: u8, day: u8) -> String {
        let name = month
            .checked_sub(1)
            .and_then(|index| self.months.get(index as usize))
            .cloned()
            .unwrap_or_else(|| month.to_string());
        super::fill(&self.date, |placeholder, out| {
            match placeholder {
                "day" => out.push_str(&day.to_string()),
                "month" => out.push_str(&name),
                "year" => out.push_str(&year.to_string()),
                _ => return None,
            }
            Some(())
        })
    }
}
