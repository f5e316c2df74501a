//! Cookies: reading the `Cookie` header, writing `Set-Cookie` with safe defaults (HttpOnly, SameSite=Lax).

use super::Request;

/// The session cookie's name (Sympa's), shared by the web and SOAP doors.
pub const SESSION_COOKIE: &str = "sympa_session";

/// The value of cookie `name` in the request's `Cookie` header(s), if present and plain.
pub fn get<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request
        .headers
        .iter()
        .filter(|(n, _)| n == "cookie")
        .flat_map(|(_, value)| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim_matches('"'))
}

/// A `Set-Cookie` field: always HttpOnly and SameSite=Lax; Secure when asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCookie {
    /// The name.
    pub name: String,
    /// The value; must be a cookie-octet string (we only set base64url tokens).
    pub value: String,
    /// The Path attribute.
    pub path: String,
    /// The Domain attribute; `None` keeps the cookie to the host that set it.
    pub domain: Option<String>,
    /// Adds Secure (set it when the request came over HTTPS).
    pub secure: bool,
    /// Max-Age in seconds; `None` makes a browser-session cookie; `Some(0)` deletes it.
    pub max_age: Option<i64>,
}

impl SetCookie {
    /// The field value.
    pub fn header_value(&self) -> String {
        let mut out = format!(
            "{}={}; Path={}; HttpOnly; SameSite=Lax",
            self.name,
            self.value,
            if self.path.is_empty() {
                "/"
            } else {
                &self.path
            }
        );
        if let Some(domain) = &self.domain {
            out.push_str("; Domain=");
            out.push_str(domain);
        }
        if let Some(age) = self.max_age {
            out.push_str(&format!("; Max-Age={age}"));
        }
        if self.secure {
            out.push_str("; Secure");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Method;

    #[test]
    fn finds_a_cookie_among_several() {
        let mut request = Request::parse_target(Method::Get, "/").unwrap();
        request
            .headers
            .push(("cookie".into(), "a=1; sympa_session=abc_-; b=\"2\"".into()));
        assert_eq!(get(&request, "sympa_session"), Some("abc_-"));
        assert_eq!(get(&request, "b"), Some("2"));
        assert_eq!(get(&request, "c"), None);
    }

    #[test]
    fn set_cookie_has_the_safe_attributes() {
        let cookie = SetCookie {
            name: "sympa_session".into(),
            value: "xyz".into(),
            path: "/sympa".into(),
            domain: None,
            secure: true,
            max_age: None,
        };
        assert_eq!(
            cookie.header_value(),
            "sympa_session=xyz; Path=/sympa; HttpOnly; SameSite=Lax; Secure"
        );
        let gone = SetCookie {
            path: String::new(),
            secure: false,
            max_age: Some(0),
            ..cookie
        };
        assert_eq!(
            gone.header_value(),
            "sympa_session=xyz; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
        );
        let shared = SetCookie {
            domain: Some("example.org".into()),
            ..gone
        };
        assert_eq!(
            shared.header_value(),
            "sympa_session=xyz; Path=/; HttpOnly; SameSite=Lax; Domain=example.org; Max-Age=0"
        );
    }
}
