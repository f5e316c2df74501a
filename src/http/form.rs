//! `application/x-www-form-urlencoded` decoding (query strings and form bodies) into a raw multimap.

/// A decoded form: every name-value pair in order, names possibly repeated.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Form {
    pairs: Vec<(String, String)>,
}

/// A form that could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError(pub String);

impl Form {
    /// Decodes `a=1&b=2`; `+` is a space; a pair that is not UTF-8 once decoded is an error.
    pub fn parse(bytes: &[u8]) -> Result<Form, FormError> {
        let mut pairs = Vec::new();
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
    String::from_utf8(bytes).map_err(|_| FormError("a form field is not valid UTF-8".into()))
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
    fn bad_utf8_is_an_error() {
        assert!(Form::parse(b"name=%FF").is_err());
        assert!(Form::parse(b"\xff=1").is_err());
    }
}
