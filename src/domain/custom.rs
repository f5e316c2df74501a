//! A list's custom attributes (Sympa's `custom_attribute`): what extra fields subscribers are asked, their text form on the settings page, and the check of a value typed at subscription.
//!
//! Each attribute has an id (the key of the member's stored attributes), a name shown to
//! subscribers, a type (`string` one line, `text` several lines, `integer`, `enum` one of
//! its values) and is `optional` or `required`. On the settings form a list's attributes
//! are one per line, fields separated by `|`:
//! `id | name | type | optional or required | values for an enum, separated by commas`.

use serde::Serialize;

/// The most custom attributes one list asks.
pub const MAX_ATTRIBUTES: usize = 20;

/// The longest id (letters, digits, `_`, `.`, `-`).
pub const MAX_ID: usize = 50;

/// The longest name shown.
pub const MAX_NAME: usize = 100;

/// The most values of an enum.
pub const MAX_VALUES: usize = 50;

/// The longest value typed or offered.
pub const MAX_VALUE: usize = 500;

/// The type of an attribute's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributeType {
    /// One line.
    String,
    /// Several lines.
    Text,
    /// A whole number.
    Integer,
    /// One of the attribute's values.
    Enum,
}

impl AttributeType {
    /// Sympa's name.
    pub fn as_str(self) -> &'static str {
        match self {
            AttributeType::String => "string",
            AttributeType::Text => "text",
            AttributeType::Integer => "integer",
            AttributeType::Enum => "enum",
        }
    }

    fn parse(text: &str) -> Option<AttributeType> {
        match text {
            "string" => Some(AttributeType::String),
            "text" => Some(AttributeType::Text),
            "integer" => Some(AttributeType::Integer),
            "enum" => Some(AttributeType::Enum),
            _ => None,
        }
    }
}

/// One custom attribute of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomAttribute {
    /// The key stored with the member's attributes.
    pub id: String,
    /// What subscribers are asked.
    pub name: String,
    /// The type of its value.
    #[serde(rename = "type")]
    pub kind: AttributeType,
    /// Whether it may be left empty.
    pub optional: bool,
    /// The values offered, for an enum.
    pub values: Vec<String>,
}

/// Why a line of definitions, or a value typed, is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomProblem {
    /// Line `n` (from 1) is not `id | name | type | optional|required [| values]`.
    Line(usize),
    /// More than [`MAX_ATTRIBUTES`].
    TooMany,
    /// Two attributes have the same id.
    Duplicate(usize),
    /// A required value is missing.
    Required,
    /// Not a whole number.
    NotInteger,
    /// Not one of the values offered.
    NotOffered,
    /// A control or invisible character (or a line break in a one-line value).
    BadText,
    /// Longer than [`MAX_VALUE`] characters.
    TooLong,
    /// An answer for an attribute the list does not ask (its id).
    Unknown,
}

fn plain(text: &str, max: usize, lines: bool) -> bool {
    text.chars().count() <= max
        && !text
            .chars()
            .any(|c| super::text::hidden_char(c) || (!lines && matches!(c, '\t' | '\n' | '\r')))
}

/// Reads the definitions as typed on the settings form (blank lines skipped).
pub fn parse(text: &str) -> Result<Vec<CustomAttribute>, CustomProblem> {
    let mut all: Vec<CustomAttribute> = Vec::new();
    let lines = text
        .lines()
        .map(str::trim)
        .enumerate()
        .filter(|(_, l)| !l.is_empty());
    for (index, line) in lines {
        let number = index + 1;
        let fields: Vec<&str> = line.split('|').map(str::trim).collect();
        let bad = CustomProblem::Line(number);
        if !(4..=5).contains(&fields.len()) {
            return Err(bad);
        }
        let id = fields[0];
        if id.is_empty()
            || id.len() > MAX_ID
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        {
            return Err(bad);
        }
        let name = fields[1];
        if name.is_empty() || !plain(name, MAX_NAME, false) {
            return Err(bad);
        }
        let kind = AttributeType::parse(fields[2]).ok_or(bad)?;
        let optional = match fields[3] {
            "optional" => true,
            "required" => false,
            _ => return Err(bad),
        };
        let values: Vec<String> = fields
            .get(4)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let values_fit =
            values.len() <= MAX_VALUES && values.iter().all(|v| plain(v, MAX_VALUE, false));
        if !values_fit || (kind == AttributeType::Enum) == values.is_empty() {
            return Err(bad);
        }
        if all.iter().any(|a| a.id == id) {
            return Err(CustomProblem::Duplicate(number));
        }
        all.push(CustomAttribute {
            id: id.to_string(),
            name: name.to_string(),
            kind,
            optional,
            values,
        });
        if all.len() > MAX_ATTRIBUTES {
            return Err(CustomProblem::TooMany);
        }
    }
    Ok(all)
}

/// The definitions as the settings form shows them: what [`parse`] reads back.
pub fn show(attributes: &[CustomAttribute]) -> String {
    attributes
        .iter()
        .map(|a| {
            let mut line = format!(
                "{} | {} | {} | {}",
                a.id,
                a.name,
                a.kind.as_str(),
                if a.optional { "optional" } else { "required" }
            );
            if !a.values.is_empty() {
                line.push_str(" | ");
                line.push_str(&a.values.join(", "));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl CustomAttribute {
    /// Checks a value typed at subscription; returns it as stored ("" for an optional one
    /// left empty).
    pub fn check(&self, typed: &str) -> Result<String, CustomProblem> {
        let value = typed.replace("\r\n", "\n");
        let value = value.trim();
        if value.is_empty() {
            return if self.optional {
                Ok(String::new())
            } else {
                Err(CustomProblem::Required)
            };
        }
        if value.chars().count() > MAX_VALUE {
            return Err(CustomProblem::TooLong);
        }
        match self.kind {
            AttributeType::String | AttributeType::Text => {
                if !plain(value, MAX_VALUE, self.kind == AttributeType::Text) {
                    return Err(CustomProblem::BadText);
                }
            }
            AttributeType::Integer => {
                value
                    .parse::<i64>()
                    .map_err(|_| CustomProblem::NotInteger)?;
            }
            AttributeType::Enum => {
                if !self.values.iter().any(|v| v == value) {
                    return Err(CustomProblem::NotOffered);
                }
            }
        }
        Ok(value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_round_trip_and_bad_lines_are_named() {
        let text = "org | Organisation | string | required\n\nsize|T-shirt size|enum|optional|S, M ,L\nage | Age | integer | optional";
        let all = parse(text).unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[1].values, ["S", "M", "L"]);
        assert!(!all[0].optional && all[1].optional);
        assert_eq!(parse(&show(&all)).unwrap(), all);
        assert_eq!(
            parse("a | A | colour | optional"),
            Err(CustomProblem::Line(1))
        );
        assert_eq!(
            parse("\nbad id | A | string | optional"),
            Err(CustomProblem::Line(2))
        );
        assert_eq!(
            parse("a | A | enum | optional"),
            Err(CustomProblem::Line(1))
        );
        assert_eq!(
            parse("a | A | string | optional | x"),
            Err(CustomProblem::Line(1))
        );
        assert_eq!(parse("a | A | string | maybe"), Err(CustomProblem::Line(1)));
        assert_eq!(
            parse("a | A | string | optional\na | B | text | optional"),
            Err(CustomProblem::Duplicate(2))
        );
        let many: Vec<String> = (0..=MAX_ATTRIBUTES)
            .map(|i| format!("a{i} | A | string | optional"))
            .collect();
        assert_eq!(parse(&many.join("\n")), Err(CustomProblem::TooMany));
        assert_eq!(parse(""), Ok(vec![]));
    }

    #[test]
    fn every_limit_of_a_definition_holds_at_its_edge() {
        let line = |id: &str, name: &str, values: &str| {
            let kind = if values.is_empty() { "string" } else { "enum" };
            parse(&format!("{id} | {name} | {kind} | optional{values}"))
        };
        let bad = Err(CustomProblem::Line(1));
        // The id: not empty, at most MAX_ID characters.
        assert_eq!(line("", "A", ""), bad);
        assert!(line(&"i".repeat(MAX_ID), "A", "").is_ok());
        assert_eq!(line(&"i".repeat(MAX_ID + 1), "A", ""), bad);
        // The name: not empty, at most MAX_NAME characters, one line.
        assert_eq!(line("a", "", ""), bad);
        assert!(line("a", &"n".repeat(MAX_NAME), "").is_ok());
        assert_eq!(line("a", &"n".repeat(MAX_NAME + 1), ""), bad);
        // The values: at most MAX_VALUES, each at most MAX_VALUE characters.
        let values = |n: usize, len: usize| {
            let all: Vec<String> = (0..n)
                .map(|i| format!("{i}{}", "v".repeat(len - 1)))
                .collect();
            format!(" | {}", all.join(","))
        };
        assert!(line("a", "A", &values(MAX_VALUES, 3)).is_ok());
        assert_eq!(line("a", "A", &values(MAX_VALUES + 1, 3)), bad);
        assert!(line("a", "A", &values(2, MAX_VALUE)).is_ok());
        assert_eq!(line("a", "A", &values(2, MAX_VALUE + 1)), bad);
        // Exactly MAX_ATTRIBUTES attributes are accepted.
        let most: Vec<String> = (0..MAX_ATTRIBUTES)
            .map(|i| format!("a{i} | A | string | optional"))
            .collect();
        assert_eq!(parse(&most.join("\n")).unwrap().len(), MAX_ATTRIBUTES);
    }

    #[test]
    fn values_are_checked_by_type() {
        let all = parse("o | O | string | required\nt | T | text | optional\nn | N | integer | optional\ne | E | enum | optional | S, M").unwrap();
        assert_eq!(all[0].check(" ACME "), Ok("ACME".into()));
        assert_eq!(all[0].check(""), Err(CustomProblem::Required));
        assert_eq!(all[0].check("a\nb"), Err(CustomProblem::BadText));
        assert_eq!(all[1].check("a\r\nb"), Ok("a\nb".into()));
        assert_eq!(all[1].check(""), Ok(String::new()));
        assert_eq!(all[2].check("42"), Ok("42".into()));
        assert_eq!(all[2].check("4.2"), Err(CustomProblem::NotInteger));
        assert_eq!(all[3].check("M"), Ok("M".into()));
        assert_eq!(all[3].check("XL"), Err(CustomProblem::NotOffered));
        // Length first, whatever the type; at the limit it is taken.
        let most = "x".repeat(MAX_VALUE);
        assert_eq!(all[0].check(&most), Ok(most.clone()));
        assert_eq!(
            all[0].check(&format!("{most}y")),
            Err(CustomProblem::TooLong)
        );
        assert_eq!(
            all[1].check(&format!("{most}y")),
            Err(CustomProblem::TooLong)
        );
        assert_eq!(
            all[2].check(&"9".repeat(MAX_VALUE + 1)),
            Err(CustomProblem::TooLong)
        );
    }
}
