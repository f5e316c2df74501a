//! Test support: the captured exchanges with the real Sympa (`tests/data/soap-wire/`) read into requests and responses, a reader of Sympa's answers back into [`Out`] values, and the reordering of struct members into the WSDL's order.

use std::path::PathBuf;

use quick_xml::events::Event;
use quick_xml::Reader;

use super::value::{Fault, FaultCode, Out, Reply};
use super::wsdl::members_of;

/// One HTTP exchange of a capture.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The capture file's name (for messages).
    pub file: String,
    /// `GET`, `POST`.
    pub method: String,
    /// Request headers, names lower-cased.
    pub request_headers: Vec<(String, String)>,
    /// The request body, de-chunked.
    pub request_body: Vec<u8>,
    /// The response's status code.
    pub status: u16,
    /// The response body, de-chunked.
    pub response_body: Vec<u8>,
}

impl Exchange {
    /// A request header's value.
    pub fn request_header(&self, name: &str) -> Option<&str> {
        self.request_headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The response body as text.
    pub fn response_text(&self) -> &str {
        std::str::from_utf8(&self.response_body).expect("captured response is UTF-8")
    }
}

/// The directory of the captures.
pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/soap-wire")
}

/// Every capture file (top level and `clients/`), sorted by name.
pub fn files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for d in [dir(), dir().join("clients")] {
        for entry in std::fs::read_dir(&d).expect("capture directory") {
            let path = entry.expect("directory entry").path();
            if path.extension().is_some_and(|e| e == "http") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 90, "captures missing: {}", files.len());
    files
}

/// Every exchange of every capture.
pub fn all() -> Vec<Exchange> {
    files().iter().flat_map(|f| read(f)).collect()
}

/// The exchanges of the capture whose file name starts with `prefix` (`"05-"`).
pub fn capture(prefix: &str) -> Vec<Exchange> {
    let path = files()
        .into_iter()
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
        .unwrap_or_else(|| panic!("no capture {prefix}"));
    read(&path)
}

/// The only exchange of a one-call capture.
pub fn one(prefix: &str) -> Exchange {
    let mut exchanges = capture(prefix);
    assert_eq!(exchanges.len(), 1, "{prefix}");
    exchanges.remove(0)
}

/// Reads a capture file.
pub fn read(path: &std::path::Path) -> Vec<Exchange> {
    let file = path.file_name().unwrap().to_string_lossy().to_string();
    let data = std::fs::read(path).expect("capture file");
    let mut exchanges = Vec::new();
    let mut rest: &[u8] = &data;
    while let Some(after) = rest.strip_prefix(b">>> REQUEST\n".as_slice()) {
        let (method, request_headers, request_body, after) = message(after);
        let after = after
            .strip_prefix(b"\n<<< RESPONSE\n".as_slice())
            .unwrap_or_else(|| panic!("{file}: no response marker"));
        let (status_line, _, response_body, after) = message(after);
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{file}: status line {status_line:?}"));
        let method = method.split(' ').next().unwrap_or("").to_string();
        exchanges.push(Exchange {
            file: file.clone(),
            method,
            request_headers,
            request_body,
            status,
            response_body,
        });
        rest = after.strip_prefix(b"\n".as_slice()).unwrap_or(after);
    }
    assert!(!exchanges.is_empty(), "{file}: no exchange");
    exchanges
}

type Message<'a> = (String, Vec<(String, String)>, Vec<u8>, &'a [u8]);

/// One HTTP message: first line, headers, body, and what follows it.
fn message(data: &[u8]) -> Message<'_> {
    let end = data
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of the head");
    let head = std::str::from_utf8(&data[..end]).expect("head is text");
    let mut lines = head.split("\r\n");
    let first = lines.next().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut rest = &data[end + 4..];
    let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    let body = if let Some(length) = header("content-length") {
        let length: usize = length.parse().expect("content-length");
        let body = rest[..length].to_vec();
        rest = &rest[length..];
        body
    } else if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        let mut body = Vec::new();
        loop {
            let line_end = rest
                .windows(2)
                .position(|w| w == b"\r\n")
                .expect("chunk size");
            let size =
                usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap().trim(), 16)
                    .expect("chunk size");
            rest = &rest[line_end + 2..];
            if size == 0 {
                rest = rest.strip_prefix(b"\r\n".as_slice()).unwrap_or(rest);
                break;
            }
            body.extend_from_slice(&rest[..size]);
            rest = &rest[size + 2..];
        }
        body
    } else {
        Vec::new()
    };
    (first, headers, body, rest)
}

/// A parsed element of a captured answer, with its raw bytes kept.
#[derive(Debug, Clone)]
pub struct Node {
    /// The qualified name (`soapenc:Array`, `item`, `listAddress`).
    pub name: String,
    /// The raw start tag (the whole element when empty).
    pub open: String,
    /// The raw end tag (`""` when empty).
    pub close: String,
    /// Attributes, raw values.
    pub attrs: Vec<(String, String)>,
    /// The raw (escaped) text content when there are no children.
    pub text: String,
    /// Element children.
    pub children: Vec<Node>,
}

impl Node {
    /// An attribute's raw value.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first descendant-or-self with this qualified name.
    pub fn find(&self, name: &str) -> Option<&Node> {
        if self.name == name {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(name))
    }

    /// The raw bytes again, struct members in the WSDL's order.
    pub fn reordered(&self) -> String {
        let mut out = self.open.clone();
        if self.children.is_empty() {
            out.push_str(&self.text);
        } else {
            let mut children: Vec<&Node> = self.children.iter().collect();
            if self.is_struct() {
                let names: Vec<&str> = children.iter().map(|c| c.name.as_str()).collect();
                let order = members_of(struct_type(&names));
                children.sort_by_key(|c| {
                    order
                        .iter()
                        .position(|(m, _, _)| *m == c.name)
                        .unwrap_or(usize::MAX)
                });
            }
            for child in children {
                out.push_str(&child.reordered());
            }
        }
        out.push_str(&self.close);
        out
    }

    /// An element with children that is not an array.
    fn is_struct(&self) -> bool {
        !self.children.is_empty()
            && self.attr("soapenc:arrayType").is_none()
            && !self.name.starts_with("soap:")
            && !self.name.ends_with("Response")
    }
}

/// The WSDL struct type a set of member names belongs to (as the writer's conformant mode
/// tells them apart).
pub fn struct_type(members: &[&str]) -> &'static str {
    let has = |m: &str| members.contains(&m);
    if has("listAddress") {
        "listType"
    } else if has("email") {
        "userType"
    } else if has("key") {
        "customType"
    } else {
        "detailsType"
    }
}

/// Parses a captured answer into its raw element tree; returns the XML declaration (raw) and
/// the root.
pub fn tree(xml: &str) -> (String, Node) {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Node> = Vec::new();
    let mut prolog = String::new();
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event().expect("captured XML parses");
        let after = reader.buffer_position() as usize;
        let raw = &xml[before..after];
        match event {
            Event::Decl(_) => prolog.push_str(raw),
            Event::Start(e) | Event::Empty(e) => {
                let empty = raw.ends_with("/>");
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.expect("attribute");
                        (a.key.0.to_string(), a.value.to_string())
                    })
                    .collect();
                let node = Node {
                    name: e.name().0.to_string(),
                    open: raw.to_string(),
                    close: String::new(),
                    attrs,
                    text: String::new(),
                    children: Vec::new(),
                };
                if empty {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(node),
                        None => return (prolog, node),
                    }
                } else {
                    stack.push(node);
                }
            }
            Event::End(_) => {
                let mut node = stack.pop().expect("open element");
                node.close = raw.to_string();
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => return (prolog, node),
                }
            }
            Event::Text(_) | Event::GeneralRef(_) | Event::CData(_) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(raw);
                }
            }
            Event::Eof => panic!("no root element"),
            _ => {}
        }
    }
}

/// The captured answer with struct members in the WSDL's order.
pub fn reordered(xml: &str) -> String {
    let (prolog, root) = tree(xml);
    prolog + &root.reordered()
}

/// Unescapes text once (the five entities and the `&#xd;` SOAP::Lite writes).
pub fn unescape(raw: &str) -> String {
    raw.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#xd;", "\r")
        .replace("&amp;", "&")
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

/// A captured value element back into an [`Out`], structs in the WSDL's member order and
/// `xsd:base64Binary` decoded into a string (we send those as `xsd:string`).
pub fn value(node: &Node) -> Out {
    if node.attr("xsi:nil") == Some("true") {
        return Out::Nil;
    }
    if node.attr("soapenc:arrayType").is_some() {
        return Out::Array(
            node.children
                .iter()
                .map(|c| {
                    if c.name == "item" {
                        value(c)
                    } else {
                        Out::Named(leak(&c.name), Box::new(value(c)))
                    }
                })
                .collect(),
        );
    }
    if !node.children.is_empty() || node.attr("xsi:type").is_none() {
        let names: Vec<&str> = node.children.iter().map(|c| c.name.as_str()).collect();
        let order = members_of(struct_type(&names));
        let mut members: Vec<(&'static str, Out)> = node
            .children
            .iter()
            .map(|c| (leak(&c.name), value(c)))
            .collect();
        members.sort_by_key(|(name, _)| {
            order
                .iter()
                .position(|(m, _, _)| m == name)
                .unwrap_or(usize::MAX)
        });
        return Out::Struct(members);
    }
    let text = unescape(&node.text);
    match node.attr("xsi:type") {
        Some("xsd:string") => Out::Str(text),
        Some("xsd:boolean") => Out::Bool(text == "true"),
        Some("xsd:int") => Out::Int(text.parse().expect("xsd:int")),
        Some("xsd:base64Binary") => {
            use base64::Engine as _;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text.as_bytes())
                .expect("base64");
            Out::Str(String::from_utf8(bytes).expect("UTF-8"))
        }
        other => panic!("unexpected type {other:?} in {}", node.open),
    }
}

/// A captured success answer: the method (from the wrapper's name) and the reply.
pub fn reply(xml: &str) -> (String, Reply) {
    let (_, root) = tree(xml);
    let body = root.find("soap:Body").expect("Body");
    let wrapper = &body.children[0];
    let method = wrapper
        .name
        .strip_suffix("Response")
        .expect("a Response wrapper")
        .to_string();
    let accessor = &wrapper.children[0];
    (
        method,
        Reply {
            accessor: leak(&accessor.name),
            value: value(accessor),
        },
    )
}

/// A captured fault, its detail unescaped twice (what Sympa meant before its double escape).
pub fn fault(xml: &str) -> Fault {
    let (_, root) = tree(xml);
    let fault = root.find("soap:Fault").expect("Fault");
    let text = |name: &str| fault.find(name).map(|n| unescape(&n.text));
    let code = match text("faultcode").as_deref() {
        Some("soap:Client") => FaultCode::Client,
        Some("soap:Server") => FaultCode::Server,
        other => panic!("faultcode {other:?}"),
    };
    Fault {
        code,
        string: text("faultstring").expect("faultstring"),
        detail: text("detail").map(|d| unescape(&d)),
    }
}
