//! `application/x-www-form-urlencoded` decoding (query strings and form bodies) into a raw multimap.

/// A decoded form: every name-value pair in order, names possibly repeated.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Form {
    pairs: Vec<(String, String)>,
}

/// Why a form could not be decoded: a code, which the door that answers turns into a
/// sentence in the visitor's language (`messages::form_error`); the English of `Display` is
/// for logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// More fields than the caller takes (a 413, where the others are 400s).
    #[error("the form has {fields} fields; at most {max} are accepted here")]
    TooManyFields {
        /// The fields counted.
        fields: usize,
        /// The most taken.
        max: usize,
    },
    /// A name or value holds a NUL character once decoded.
    #[error("a form field contains a NUL character")]
    Nul,
    /// A name or value is not UTF-8 once decoded.
    #[error("a form field is not valid UTF-8")]
    NotUtf8,
}

impl FormError {
    /// Returns true if and only if the form has more fields than allowed (a 413, where the
    /// other errors are 400s).
    pub fn too_many_fields(&self) -> bool {
        matches!(self, FormError::TooManyFields { .. })
    }
}

/// Fields a form may have unless the caller says otherwise.
pub const DEFAULT_MAX_FIELDS: usize = 64;

impl Form {
    /// Decodes `a=1&b=2` of at most [`DEFAULT_MAX_FIELDS`] fields; see [`Form::parse_limited`].
    pub fn parse(bytes: &[u8]) -> Result<Form, FormError> {
        Form::parse_limited(bytes, DEFAULT_MAX_FIELDS)
    }

    /// Decodes `a=1&b=2`; `+` is a space. A form of more than `max_fields` fields (counted
    /// before anything is decoded, so a body of millions of `&` costs one pass and no memory),
    /// a pair that is not UTF-8 once decoded, or a NUL anywhere, is an error.
    pub fn parse_limited(bytes: &[u8], max_fields: usize) -> Result<Form, FormError> {
        let fields = bytes
            .split(|&b| b == b'&')
            .filter(|p| !p.is_empty())
            .count();
        if fields > max_fields {
            return Err(FormError::TooManyFields {
                fields,
                max: max_fields,
            });
        }
        let mut pairs = Vec::with_capacity(fields);
        for piece in bytes.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
            let (name, value) = match piece.iter().position(|&b| b == b'=') {
                Some(i) => (&piece[..i], &piece[i + 1..]),
                None => (piece, &b""[..]),
            };
            pairs.push((decode(name)?, decode(value)?));
        }
        Ok(Form { pairs })
    }

    /// The first value named `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value named `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Adds one pair after ours.
    pub fn push(&mut self, name: &str, value: &str) {
        self.pairs.push((name.to_string(), value.to_string()));
    }

    /// Adds the pairs of `other` after ours.
    pub fn extend(&mut self, other: Form) {
        self.pairs.extend(other.pairs);
    }

    /// Every pair in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }
}

fn decode(raw: &[u8]) -> Result<String, FormError> {
    let plus_as_space: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    let bytes: Vec<u8> = percent_encoding::percent_decode(&plus_as_space).collect();
    if bytes.contains(&0) {
        return Err(FormError::Nul);
    }
    String::from_utf8(bytes).map_err(|_| FormError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_pairs_in_order() {
        let form = Form::parse(b"email=a%40b.org&name=J+Doe&list=x&list=y&flag").unwrap();
        assert_eq!(form.get("email"), Some("a@b.org"));
        assert_eq!(form.get("name"), Some("J Doe"));
        assert_eq!(form.all("list").collect::<Vec<_>>(), ["x", "y"]);
        assert_eq!(form.get("flag"), Some(""));
        assert_eq!(form.get("missing"), None);
    }

    #[test]
    fn fields_past_the_limit_are_refused_before_decoding() {
        assert_eq!(
            Form::parse_limited(b"a=1&b=2&&c", 3).unwrap().pairs().len(),
            3
        );
        let error = Form::parse_limited(b"a=1&b=2&c=3&d", 3).unwrap_err();
        assert_eq!(error, FormError::TooManyFields { fields: 4, max: 3 });
        assert!(error.too_many_fields());
        let many = "&x".repeat(100_000);
        assert!(Form::parse(many.as_bytes()).is_err());
        assert!(Form::parse(&vec![b'&'; 1_000_000])
            .unwrap()
            .pairs()
            .is_empty());
    }

    #[test]
    fn pairs_are_added_after_the_others() {
        let mut form = Form::parse(b"a=1").unwrap();
        form.push("b", "2");
        form.extend(Form::parse(b"a=3&c=4").unwrap());
        let pairs: Vec<(&str, &str)> = form
            .pairs()
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(pairs, [("a", "1"), ("b", "2"), ("a", "3"), ("c", "4")]);
        assert_eq!(form.get("a"), Some("1"));
    }

    #[test]
    fn nul_characters_are_refused() {
        assert_eq!(Form::parse(b"name=a%00b"), Err(FormError::Nul));
        assert!(!FormError::Nul.too_many_fields());
        assert_eq!(Form::parse(b"a%00=1"), Err(FormError::Nul));
        assert_eq!(Form::parse(b"name=a\0b"), Err(FormError::Nul));
    }

    #[test]
    fn bad_utf8_is_an_error() {
        assert_eq!(Form::parse(b"name=%FF"), Err(FormError::NotUtf8));
        assert_eq!(Form::parse(b"\xff=1"), Err(FormError::NotUtf8));
    }
}
