//! Template filters and the HTML escaper, each tested by a direct call.

use std::collections::HashMap;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Characters left alone in a URL path segment or query value: RFC 3986 unreserved.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Escapes text for HTML content and quoted attributes; unlike tera's default it leaves `/` alone.
///
/// Called on every `{{ }}` of every page: copies the runs between special characters whole
/// rather than character by character.
pub fn escape_html(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = String::with_capacity(input.len() + 16);
    let mut start = 0;
    for (i, byte) in bytes.iter().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        // The special characters are ASCII, so `start..i` lies on character boundaries.
        out.push_str(&input[start..i]);
        out.push_str(entity);
        start = i + 1;
    }
    out.push_str(&input[start..]);
    out
}

/// `urlencode`: percent-encodes a value for use as one path segment or query value.
pub fn urlencode(
    value: &tera::Value,
    _: &HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let text = match value {
        tera::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Ok(tera::Value::String(
        utf8_percent_encode(&text, SEGMENT).to_string(),
    ))
}

/// Registers every filter on `tera`.
pub fn register(tera: &mut tera::Tera) {
    tera.register_filter("urlencode", urlencode);
    tera.set_escape_fn(escape_html);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_but_not_slashes() {
        assert_eq!(
            escape_html(r#"<a href="/x?a=1&b='2'">"#),
            "&lt;a href=&quot;/x?a=1&amp;b=&#39;2&#39;&quot;&gt;"
        );
    }

    #[test]
    fn escapes_around_multibyte_characters() {
        assert_eq!(escape_html(""), "");
        assert_eq!(escape_html("plain é text"), "plain é text");
        assert_eq!(escape_html("é<é>&ü\"'"), "é&lt;é&gt;&amp;ü&quot;&#39;");
        assert_eq!(escape_html("<<"), "&lt;&lt;");
    }

    #[test]
    fn urlencode_keeps_unreserved_characters() {
        let encoded = urlencode(
            &tera::Value::String("a b/c+d.e_f~g-h@é".into()),
            &HashMap::new(),
        )
        .unwrap();
        assert_eq!(
            encoded,
            tera::Value::String("a%20b%2Fc%2Bd.e_f~g-h%40%C3%A9".into())
        );
        assert_eq!(
            urlencode(&tera::Value::from(42), &HashMap::new()).unwrap(),
            tera::Value::String("42".into())
        );
    }
}
