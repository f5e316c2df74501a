//! The typed HTTP request every front door produces: method, path, query, headers, client, body.

use std::net::IpAddr;

use crate::fcgi::Params;

/// The request method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// HEAD: answered like GET, without a body.
    Head,
    /// POST.
    Post,
    /// Anything else, upper-cased.
    Other(String),
}

impl Method {
    /// Parses a method name.
    pub fn parse(name: &str) -> Method {
        match name {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Post,
            other => Method::Other(other.to_ascii_uppercase()),
        }
    }

    /// Returns true if and only if the method may change state (anything but GET and HEAD).
    pub fn is_unsafe(&self) -> bool {
        !matches!(self, Method::Get | Method::Head)
    }
}

/// A request refused before the application sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRequest(pub String);

/// One HTTP request, whichever front door it came through.
#[derive(Debug, Clone)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The decoded path, base included (`/sympa/info/mylist`), for logs and cache keys.
    pub path: String,
    /// The path as the client sent it, still percent-encoded: split it at `/` first and
    /// decode each segment after ([`Request::segments`]), so that an encoded `/` (`%2F`, in
    /// an address such as `a/b@x.org`) stays inside its segment.
    pub raw_path: String,
    /// The raw query string, without `?`.
    pub query: String,
    /// Header fields, names lower-case with dashes (`cookie`, `accept-language`).
    pub headers: Vec<(String, String)>,
    /// The client's address, when the server told us.
    pub remote_addr: Option<IpAddr>,
    /// Returns true if and only if the client connected over HTTPS.
    pub https: bool,
    /// The body, already read within the size limit.
    pub body: Vec<u8>,
}

impl Request {
    /// A request for an HTTP request target (`/path?query`); the path must decode to UTF-8.
    pub fn parse_target(method: Method, target: &str) -> Result<Request, BadRequest> {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        Ok(Request {
            method,
            path: percent_decode(path)
                .ok_or_else(|| BadRequest("the request path is not valid UTF-8".into()))?,
            raw_path: path.to_string(),
            query: query.to_string(),
            headers: Vec::new(),
            remote_addr: None,
            https: false,
            body: Vec::new(),
        })
    }

    /// Builds a request from CGI params (FastCGI); the body is added by the caller.
    ///
    /// The path is SCRIPT_NAME followed by PATH_INFO, as servers that split the path send
    /// them; when both are empty, the path part of REQUEST_URI is used. The raw path is
    /// REQUEST_URI's, as the client sent it (the servers decode PATH_INFO, which loses
    /// the difference between `/` and `%2F`), or without one the path re-encoded.
    pub fn from_cgi(params: &Params) -> Result<Request, BadRequest> {
        let text = |name: &str| -> Result<&str, BadRequest> {
            match params.get(name) {
                None => Ok(""),
                Some(bytes) => std::str::from_utf8(bytes)
                    .map_err(|_| BadRequest(format!("{name} is not valid UTF-8"))),
            }
        };
        let method = Method::parse(text("REQUEST_METHOD")?);
        let uri = text("REQUEST_URI")?;
        let uri_path = uri.split_once('?').map_or(uri, |(p, _)| p);
        let mut path = format!("{}{}", text("SCRIPT_NAME")?, text("PATH_INFO")?);
        if path.is_empty() {
            path = percent_decode(uri_path)
                .ok_or_else(|| BadRequest("the request path is not valid UTF-8".into()))?;
        }
        let raw_path = if uri_path.starts_with('/') {
            uri_path.to_string()
        } else {
            path.split('/')
                .map(|segment| percent_encoding::utf8_percent_encode(segment, SEGMENT).to_string())
                .collect::<Vec<_>>()
                .join("/")
        };
        let query =
            String::from_utf8_lossy(params.get("QUERY_STRING").unwrap_or_default()).into_owned();
        let mut headers = Vec::new();
        for (name, value) in params.iter() {
            let Some(field) = name.strip_prefix(b"HTTP_") else {
                continue;
            };
            let Ok(field) = std::str::from_utf8(field) else {
                continue;
            };
            let value = String::from_utf8_lossy(value).into_owned();
            headers.push((field.to_ascii_lowercase().replace('_', "-"), value));
        }
        for (param, field) in [
            ("CONTENT_TYPE", "content-type"),
            ("CONTENT_LENGTH", "content-length"),
        ] {
            if let Some(value) = params.get_str(param).filter(|v| !v.is_empty()) {
                headers.push((field.to_string(), value.to_string()));
            }
        }
        let https = params
            .get_str("HTTPS")
            .is_some_and(|v| v.eq_ignore_ascii_case("on") || v == "1")
            || params.get_str("REQUEST_SCHEME") == Some("https");
        let remote_addr = params.get_str("REMOTE_ADDR").and_then(|a| a.parse().ok());
        Ok(Request {
            method,
            path,
            raw_path,
            query,
            headers,
            remote_addr,
            https,
            body: Vec::new(),
        })
    }

    /// The first header field named `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The path's segments, split at `/` and then each percent-decoded; empty segments
    /// (`//`, a trailing `/`) are left out. `None` when a segment is not UTF-8.
    pub fn segments(&self) -> Option<Vec<String>> {
        self.raw_path
            .split('/')
            .filter(|segment| !segment.is_empty())
            .map(percent_decode)
            .collect()
    }

    /// The declared body length, if any and valid.
    pub fn content_length(&self) -> Option<u64> {
        self.header("content-length")
            .and_then(|v| v.trim().parse().ok())
    }
}

/// What the raw path of a request without REQUEST_URI encodes: all but RFC 3986 unreserved characters.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Decodes `%XX` escapes; `None` when the result is not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &[u8])]) -> Params {
        Params::from_pairs(
            pairs
                .iter()
                .map(|(n, v)| (n.as_bytes().to_vec(), v.to_vec()))
                .collect(),
        )
    }

    #[test]
    fn split_paths_are_joined() {
        let request = Request::from_cgi(&params(&[
            ("REQUEST_METHOD", b"GET"),
            ("SCRIPT_NAME", b"/sympa"),
            ("PATH_INFO", b"/info/my list"),
            ("QUERY_STRING", b"a=1"),
            ("HTTP_ACCEPT_LANGUAGE", b"fr"),
            ("HTTPS", b"on"),
            ("REMOTE_ADDR", b"::1"),
        ]))
        .unwrap();
        assert_eq!(request.path, "/sympa/info/my list");
        assert_eq!(request.query, "a=1");
        assert_eq!(request.header("accept-language"), Some("fr"));
        assert!(request.https);
        assert_eq!(request.remote_addr, Some("::1".parse().unwrap()));
    }

    #[test]
    fn request_uri_is_the_fallback() {
        let request = Request::from_cgi(&params(&[
            ("REQUEST_METHOD", b"POST"),
            ("REQUEST_URI", b"/sympa/info/caf%C3%A9?x=1"),
        ]))
        .unwrap();
        assert_eq!(request.method, Method::Post);
        assert_eq!(request.path, "/sympa/info/café");
    }

    #[test]
    fn segments_are_split_before_they_are_decoded() {
        let request = Request::from_cgi(&params(&[
            ("REQUEST_METHOD", b"GET"),
            ("SCRIPT_NAME", b"/sympa"),
            ("PATH_INFO", b"/set/news/a/b@x.org/mail"),
            ("REQUEST_URI", b"/sympa/set/news/a%2Fb%40x.org/mail?x=1"),
        ]))
        .unwrap();
        assert_eq!(
            request.segments().unwrap(),
            ["sympa", "set", "news", "a/b@x.org", "mail"]
        );
        let plain = Request::parse_target(Method::Get, "/sympa//info/caf%C3%A9/").unwrap();
        assert_eq!(plain.segments().unwrap(), ["sympa", "info", "café"]);
        // Without REQUEST_URI, the decoded path is all there is.
        let split = Request::from_cgi(&params(&[
            ("SCRIPT_NAME", b"/sympa"),
            ("PATH_INFO", b"/info/my list"),
        ]))
        .unwrap();
        assert_eq!(split.segments().unwrap(), ["sympa", "info", "my list"]);
        let bad = Request::parse_target(Method::Get, "/sympa/%FF").unwrap_err();
        assert!(bad.0.contains("UTF-8"));
    }

    #[test]
    fn bad_utf8_paths_are_refused() {
        assert!(Request::from_cgi(&params(&[("REQUEST_URI", b"/sympa/%FF")])).is_err());
        assert!(Request::from_cgi(&params(&[("PATH_INFO", b"/\xff")])).is_err());
    }
}
