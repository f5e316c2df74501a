//! The response every handler returns, and its CGI serialisation.

/// One HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Header fields in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// An HTML page.
    pub fn html(status: u16, body: String) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            body: body.into_bytes(),
        }
    }

    /// A plain-text response.
    pub fn text(status: u16, body: impl Into<String>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
            body: body.into().into_bytes(),
        }
    }

    /// A 303 See Other to `location`: where a form post lands.
    pub fn redirect(location: &str) -> Response {
        Response {
            status: 303,
            headers: vec![("Location".into(), location.to_string())],
            body: Vec::new(),
        }
    }

    /// Adds a header field.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// The first header named `name`, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Appends the CGI form (`Status:` line, fields, blank line, body) to `out`; `head` leaves out the body.
    pub fn write_cgi(&self, out: &mut Vec<u8>, head: bool) {
        out.reserve(256 + self.body.len());
        out.extend_from_slice(
            format!("Status: {} {}\r\n", self.status, reason(self.status)).as_bytes(),
        );
        for (name, value) in &self.headers {
            // A field must never smuggle a line break into the header block.
            if value.contains(['\r', '\n']) || name.contains(['\r', '\n', ':']) {
                continue;
            }
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", self.body.len()).as_bytes());
        if !head {
            out.extend_from_slice(&self.body);
        }
    }
}

/// The reason phrase for the statuses we send.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Content Too Large",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cgi_form_has_status_fields_and_length() {
        let mut out = Vec::new();
        Response::text(404, "nope")
            .with_header("X-A", "b")
            .write_cgi(&mut out, false);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Status: 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nX-A: b\r\nContent-Length: 4\r\n\r\nnope"
        );
    }

    #[test]
    fn header_injection_is_dropped_and_head_has_no_body() {
        let mut out = Vec::new();
        Response::text(200, "body")
            .with_header("Location", "/x\r\nSet-Cookie: evil=1")
            .write_cgi(&mut out, true);
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains("evil"));
        assert!(text.ends_with("Content-Length: 4\r\n\r\n"));
    }
}
