//! Reading `Accept-Language` (RFC 9110 §12.5.4) and language tags.

/// Most entries of an `Accept-Language` header looked at (the rest are ignored).
const MAX_ENTRIES: usize = 32;

/// The tag in its one written form: lower case, `-` between subtags (`pt_BR` → `pt-br`).
pub fn normalize(tag: &str) -> String {
    tag.trim()
        .chars()
        .map(|c| {
            if c == '_' {
                '-'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

/// Returns true if `tag` looks like a language tag: 1 to 35 ASCII letters, digits, `-` or
/// `_`, starting with a letter (what a catalogue directory, a cookie or a form may name).
pub fn is_tag(tag: &str) -> bool {
    (1..=35).contains(&tag.len())
        && tag.starts_with(|c: char| c.is_ascii_alphabetic())
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The tags of an `Accept-Language` header, best liked first (by `q`, then by order),
/// normalized; `*`, malformed entries and those with `q=0` left out.
pub fn accepted(header: &str) -> Vec<String> {
    let mut entries: Vec<(u16, usize, String)> = Vec::new();
    for (position, entry) in header.split(',').take(MAX_ENTRIES).enumerate() {
        let mut parts = entry.split(';');
        let tag = parts.next().unwrap_or("").trim();
        if tag == "*" || !is_tag(tag) {
            continue;
        }
        let mut quality = 1000;
        for parameter in parts {
            let Some((name, value)) = parameter.split_once('=') else {
                continue;
            };
            if name.trim().eq_ignore_ascii_case("q") {
                quality = parse_quality(value.trim()).unwrap_or(0);
            }
        }
        if quality > 0 {
            entries.push((quality, position, normalize(tag)));
        }
    }
    entries.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    entries.into_iter().map(|(_, _, tag)| tag).collect()
}

/// A `qvalue` in thousandths: `1`, `1.000`, `0.8`, `0.125`; `None` when malformed.
fn parse_quality(value: &str) -> Option<u16> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_ordered_by_quality_then_position() {
        assert_eq!(
            accepted("de;q=0.5, fr-CA, en;q=0.8, es;q=0.8"),
            ["fr-ca", "en", "es", "de"]
        );
        assert_eq!(accepted("*, it;q=0, pt_BR;q=0.1"), ["pt-br"]);
        assert!(accepted("").is_empty());
        assert!(accepted("fr;q=2, <script>, de;q=x").is_empty());
        assert_eq!(accepted("fr;Q=1.000"), ["fr"]);
    }

    #[test]
    fn qvalues_are_read_to_the_thousandth_and_never_above_one() {
        assert_eq!(parse_quality("1"), Some(1000));
        assert_eq!(parse_quality("1.000"), Some(1000));
        assert_eq!(parse_quality("0.125"), Some(125));
        assert_eq!(parse_quality("0.5"), Some(500));
        assert_eq!(parse_quality("0"), Some(0));
        // More than three decimals, above one, or not a number: malformed.
        assert_eq!(parse_quality("0.1234"), None);
        assert_eq!(parse_quality("1.5"), None);
        assert_eq!(parse_quality("1.001"), None);
        assert_eq!(parse_quality("0.a"), None);
        assert_eq!(parse_quality("2"), None);
    }

    #[test]
    fn a_long_header_is_cut() {
        let header = vec!["xx"; 1000].join(",") + ",fr";
        assert!(accepted(&header).len() <= MAX_ENTRIES);
        assert!(!accepted(&header).contains(&"fr".to_string()));
    }

    #[test]
    fn tags_are_checked_and_normalized() {
        assert!(is_tag("pt_BR") && is_tag("zh-Hant-TW") && is_tag("fr"));
        assert!(!is_tag("") && !is_tag("../fr") && !is_tag("1fr") && !is_tag("fr fr"));
        assert_eq!(normalize(" pt_BR "), "pt-br");
    }
}
