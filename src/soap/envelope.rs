//! Reading a SOAP request: the Content-Type and SOAPAction checks SOAP::Lite makes, and the envelope parsed into a [`Call`] with quick-xml's namespace-aware reader, hardened against hostile XML.
//!
//! What is accepted (reference/soap.md §2.8 and checklist 7–12):
//!
//! - SOAP 1.1 and 1.2 envelopes under any prefix, with or without `encodingStyle`; the
//!   version comes from the Envelope's namespace, and `Header` and `Body` must be in it.
//! - The dispatch element is the first element child of `Body`: its local name is the method,
//!   its namespace URI the call's namespace (`""` when unbound; [`check_namespace`] refuses
//!   anything but `urn:sympasoap`). Later Body children (SOAP 1.1 multi-ref elements) are read
//!   for well-formedness and ignored: `href`/`id` references are not followed.
//! - Parameters by position, element names ignored; values per [`Param`]'s documentation.
//! - Header entries are ignored, except that an entry with `mustUnderstand` true addressed
//!   to us (no `actor`/`role`, or the "next" / "ultimateReceiver" one) is refused with a
//!   Client fault carrying SOAP::Lite's text for the case: we understand no header, and
//!   silently dropping one its sender marked mandatory (a security token, a transaction)
//!   would be wrong. The fault code is `Client`, not `MustUnderstand`: [`FaultCode`] has
//!   only the two codes Sympa uses.
//!
//! Hardening (each a Client fault, never a panic; memory bounded by the body size, which the
//! HTTP layer caps): a DOCTYPE anywhere is refused outright (SOAP forbids DTDs; this rules
//! out entity expansion and external entities), as are processing instructions other than
//! the XML declaration (SOAP 1.2 forbids them); the only entity references are the five
//! predefined ones and numeric character references; nesting at most [`MAX_DEPTH`] elements
//! deep, at most [`MAX_ELEMENTS`] elements, at most as many text bytes as the body holds; the
//! body must be UTF-8 (a leading BOM is skipped); the root must be a SOAP Envelope holding a
//! Body. Fault strings name the problem, never a server path.
//!
//! [`FaultCode`]: super::FaultCode

use std::borrow::Cow;

use base64::Engine as _;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{QName, ResolveResult};
use quick_xml::{NsReader, XmlVersion};

use super::value::{Call, Fault, Param, Version};

/// The deepest element nesting accepted, the Envelope counting as 1.
pub const MAX_DEPTH: usize = 32;
/// The most elements one request may hold, the Envelope included.
pub const MAX_ELEMENTS: usize = 10_000;

/// SOAP 1.1's envelope namespace.
pub const SOAP11_ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// SOAP 1.2's envelope namespace.
pub const SOAP12_ENV: &str = "http://www.w3.org/2003/05/soap-envelope";
/// SOAP 1.1's encoding namespace (`soapenc`).
pub const SOAP11_ENC: &str = "http://schemas.xmlsoap.org/soap/encoding/";
/// SOAP 1.2's encoding namespace.
pub const SOAP12_ENC: &str = "http://www.w3.org/2003/05/soap-encoding";
/// XML Schema's namespace (`xsd`).
pub const XSD: &str = "http://www.w3.org/2001/XMLSchema";
/// XML Schema instance's namespace (`xsi`).
pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The older XML Schema drafts SOAP 1.1 toolkits still send (`xsi:null`, 1999 types).
const XSD_1999: &str = "http://www.w3.org/1999/XMLSchema";
const XSI_1999: &str = "http://www.w3.org/1999/XMLSchema-instance";
const XSD_2000: &str = "http://www.w3.org/2000/10/XMLSchema";
const XSI_2000: &str = "http://www.w3.org/2000/10/XMLSchema-instance";

/// The prefix of every fault about a body that could not be read, as SOAP::Lite words it.
const DESERIALIZATION: &str = "Application failed during request deserialization: \n";

/// Checks the request's Content-Type as SOAP::Lite does: the media type only (parameters
/// such as `charset` or SOAP 1.2's `action` are not looked at). `text/xml`,
/// `application/soap+xml`, `multipart/*`, `application/dime`, an empty value or none pass;
/// anything else is a Client fault with SOAP::Lite's text (capture `54`).
pub fn check_content_type(value: Option<&str>) -> Result<(), Fault> {
    let Some(value) = value else { return Ok(()) };
    let media: String = value
        .split(';')
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    if media.is_empty()
        || media == "text/xml"
        || media == "application/soap+xml"
        || media == "application/dime"
        || media.starts_with("multipart/")
    {
        return Ok(());
    }
    Err(Fault::client(
        format!(
            "Content-Type must be 'text/xml,' 'multipart/*,' 'application/soap+xml,' 'or 'application/dime' instead of '{media}'"
        ),
        None,
    ))
}

/// Checks the SOAPAction header against the parsed call, as SOAP::Lite does: absent, or
/// empty once one pair of surrounding quotes is stripped, passes; otherwise it must be
/// `<namespace>#<method>` or `<namespace>/<method>`. A mismatch is a Client fault with
/// SOAP::Lite's exact text, trailing newline and missing parenthesis included (captures
/// `51c`, `55`).
pub fn check_soap_action(value: Option<&str>, call: &Call) -> Result<(), Fault> {
    let Some(value) = value else { return Ok(()) };
    let action = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    if action.is_empty() {
        return Ok(());
    }
    let ns = call.namespace.as_str();
    let method = call.method.as_str();
    let hash = action
        .strip_prefix(ns)
        .and_then(|rest| rest.strip_prefix('#'))
        .is_some_and(|m| m == method);
    let slash = action
        .strip_prefix(ns.strip_suffix('/').unwrap_or(ns))
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(|m| m == method);
    if hash || slash {
        return Ok(());
    }
    Err(Fault::client(
        format!(
            "SOAPAction shall match 'uri#method' if present (got '{action}', expected '{ns}#{method}'\n"
        ),
        None,
    ))
}

/// Refuses a call whose method element is not in `urn:sympasoap` with SOAP::Lite's Client
/// fault (capture `56`, without the Perl file and line SOAP::Lite appends).
pub fn check_namespace(call: &Call) -> Result<(), Fault> {
    if call.namespace == super::NAMESPACE {
        Ok(())
    } else {
        Err(Fault::client(
            format!("Denied access to method ({}) in class (main)", call.method),
            None,
        ))
    }
}

/// Parses a request body into a [`Call`]; any problem is a Client fault
/// `Application failed during request deserialization: \n<reason>` (see the module
/// documentation for what is accepted and refused).
pub fn parse(body: &[u8]) -> Result<Call, Fault> {
    Parser::default().run(body).map_err(|stop| match stop {
        Stop::Bad(reason) => Fault::client(format!("{DESERIALIZATION}{reason}"), None),
        Stop::MustUnderstand => Fault::client(MUST_UNDERSTAND, None),
    })
}

/// SOAP::Lite's faultstring for a mandatory header it does not know.
const MUST_UNDERSTAND: &str = "Unrecognized header has mustUnderstand attribute set to 'true'";

/// Why parsing stopped.
#[derive(Debug)]
enum Stop {
    /// The body is not a request we read: the reason, for the fault string.
    Bad(String),
    /// A header entry we must understand and do not.
    MustUnderstand,
}

impl From<String> for Stop {
    fn from(reason: String) -> Stop {
        Stop::Bad(reason)
    }
}

impl From<&str> for Stop {
    fn from(reason: &str) -> Stop {
        Stop::Bad(reason.to_string())
    }
}

/// What an open element is to the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Envelope,
    Header,
    Body,
    /// The dispatch element.
    Method,
    /// A parameter or a part of one: collected.
    Value,
    /// Read for well-formedness and the limits, not collected.
    Skipped,
}

/// How an element's `xsi:type` (and encoding attributes) ask its content to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Typing {
    #[default]
    Untyped,
    /// Some `xsi:type` that changes nothing here (a string, a number, a struct type).
    Other,
    Base64,
    Boolean,
    Array,
}

/// An open element.
#[derive(Debug)]
struct Frame {
    role: Role,
    /// The element's local name (a struct member's name).
    name: String,
    nil: bool,
    typing: Typing,
    /// Collected children: (local name, had an `xsi:type`, value).
    children: Vec<(String, bool, Param)>,
    text: String,
    /// Whether any element child was seen (collected or not).
    has_elements: bool,
}

#[derive(Default)]
struct Parser {
    stack: Vec<Frame>,
    elements: usize,
    text_bytes: usize,
    text_limit: usize,
    version: Option<Version>,
    envelope_seen: bool,
    body_seen: bool,
    method: Option<(String, String)>,
    params: Option<Vec<Param>>,
}

impl Parser {
    fn run(mut self, body: &[u8]) -> Result<Call, Stop> {
        let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
        if body.iter().all(|b| b.is_ascii_whitespace()) {
            return Err("empty request body".into());
        }
        let text = std::str::from_utf8(body)
            .map_err(|e| format!("the body is not UTF-8 (byte {})", e.valid_up_to()))?;
        self.text_limit = body.len();
        let mut reader = NsReader::from_str(text);
        loop {
            let position = reader.buffer_position();
            let event = reader
                .read_event()
                .map_err(|e| format!("not well-formed XML near byte {position}: {e}"))?;
            match event {
                Event::Start(start) => self.open(&reader, &start, false)?,
                Event::Empty(start) => self.open(&reader, &start, true)?,
                Event::End(_) => self.close()?,
                Event::Text(t) => {
                    let content = t.xml10_content();
                    self.text(&content)?;
                }
                Event::CData(c) => {
                    let content = c.into_inner();
                    self.text(&content)?;
                }
                Event::GeneralRef(r) => {
                    let resolved = if r.is_char_ref() {
                        match r.resolve_char_ref() {
                            Ok(Some(c)) => c,
                            _ => {
                                return Err(format!("invalid character reference &{};", &*r).into())
                            }
                        }
                    } else {
                        match &*r {
                            "lt" => '<',
                            "gt" => '>',
                            "amp" => '&',
                            "apos" => '\'',
                            "quot" => '"',
                            other => {
                                return Err(format!(
                                "entity &{other}; is not allowed (only the five predefined ones)"
                            )
                                .into())
                            }
                        }
                    };
                    let mut buf = [0u8; 4];
                    self.text(resolved.encode_utf8(&mut buf))?;
                }
                Event::DocType(_) => return Err("a DOCTYPE is not allowed in SOAP".into()),
                Event::PI(_) => {
                    return Err("processing instructions are not allowed in SOAP".into())
                }
                Event::Decl(_) | Event::Comment(_) => {}
                Event::Eof => break,
            }
        }
        if !self.stack.is_empty() {
            return Err("unexpected end of document: an element is not closed".into());
        }
        let version = self.version.ok_or("no SOAP Envelope")?;
        if !self.body_seen {
            return Err("the Envelope has no Body".into());
        }
        let (namespace, method) = self.method.ok_or("the Body has no method element")?;
        Ok(Call {
            version,
            method,
            namespace,
            params: self.params.unwrap_or_default(),
        })
    }

    /// An opening (or empty) tag.
    fn open<R>(
        &mut self,
        reader: &NsReader<R>,
        start: &BytesStart,
        empty: bool,
    ) -> Result<(), Stop> {
        self.elements += 1;
        if self.elements > MAX_ELEMENTS {
            return Err(format!("more than {MAX_ELEMENTS} elements").into());
        }
        if self.stack.len() + 1 > MAX_DEPTH {
            return Err(format!("elements nested deeper than {MAX_DEPTH}").into());
        }
        let (ns, local) = reader.resolver().resolve_element(start.name());
        let ns = match ns {
            ResolveResult::Bound(ns) => ns.0.to_string(),
            ResolveResult::Unbound => String::new(),
            ResolveResult::Unknown(prefix) => {
                return Err(format!("undeclared namespace prefix '{prefix}'").into())
            }
        };
        let local = local.into_inner().to_string();
        let parent = self.stack.last_mut().map(|f| {
            f.has_elements = true;
            f.role
        });
        let role = match parent {
            None => {
                if self.envelope_seen {
                    return Err("more than one root element".into());
                }
                self.envelope_seen = true;
                self.version = match (ns.as_str(), local.as_str()) {
                    (SOAP11_ENV, "Envelope") => Some(Version::Soap11),
                    (SOAP12_ENV, "Envelope") => Some(Version::Soap12),
                    _ => {
                        return Err(
                            format!("the root element is not a SOAP Envelope but {local}").into(),
                        )
                    }
                };
                Role::Envelope
            }
            Some(Role::Envelope) => {
                let env_ns = match self.version {
                    Some(Version::Soap12) => SOAP12_ENV,
                    _ => SOAP11_ENV,
                };
                match (ns == env_ns, local.as_str()) {
                    (true, "Header") if !self.body_seen => Role::Header,
                    (true, "Body") if !self.body_seen => {
                        self.body_seen = true;
                        Role::Body
                    }
                    (true, "Body") => return Err("more than one Body".into()),
                    _ => Role::Skipped,
                }
            }
            Some(Role::Header) => {
                check_header_entry(reader, start, self.version)?;
                Role::Skipped
            }
            Some(Role::Body) if self.method.is_none() => {
                self.method = Some((ns, local.clone()));
                Role::Method
            }
            Some(Role::Method) | Some(Role::Value) => Role::Value,
            Some(_) => Role::Skipped,
        };
        let (nil, typing) = if matches!(role, Role::Method | Role::Value) {
            read_attributes(reader, start)?
        } else {
            check_attributes(start)?;
            (false, Typing::Untyped)
        };
        self.stack.push(Frame {
            role,
            name: if role == Role::Value {
                local
            } else {
                String::new()
            },
            nil,
            typing,
            children: Vec::new(),
            text: String::new(),
            has_elements: false,
        });
        if empty {
            self.close()?;
        }
        Ok(())
    }

    /// A closing tag (or the end of an empty one).
    fn close(&mut self) -> Result<(), String> {
        let frame = self
            .stack
            .pop()
            .ok_or("a closing tag with no opening tag")?;
        match frame.role {
            Role::Method => {
                let params = if frame.nil && frame.children.is_empty() {
                    Vec::new()
                } else {
                    frame.children.into_iter().map(|(_, _, p)| p).collect()
                };
                self.params = Some(params);
            }
            Role::Value => {
                let typed = frame.typing != Typing::Untyped;
                let name = frame.name;
                let value = value_of(frame.nil, frame.typing, frame.text, frame.children)?;
                let Some(parent) = self.stack.last_mut() else {
                    return Err("a value outside the Body".into());
                };
                parent.children.push((name, typed, value));
            }
            _ => {}
        }
        Ok(())
    }

    /// Character data inside the current element.
    fn text(&mut self, content: &str) -> Result<(), String> {
        self.text_bytes += content.len();
        if self.text_bytes > self.text_limit {
            return Err("more text than the body holds".into());
        }
        match self.stack.last_mut() {
            Some(frame) if frame.role == Role::Value => frame.text.push_str(content),
            Some(_) => {}
            None => {
                if !content.trim_matches(is_xml_space).is_empty() {
                    return Err("text outside the root element".into());
                }
            }
        }
        Ok(())
    }
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// A closed value element's [`Param`].
fn value_of(
    nil: bool,
    typing: Typing,
    text: String,
    children: Vec<(String, bool, Param)>,
) -> Result<Param, String> {
    if nil {
        return Ok(Param::Nil);
    }
    if typing == Typing::Array {
        return Ok(Param::Array(
            children.into_iter().map(|(_, _, p)| p).collect(),
        ));
    }
    if !children.is_empty() {
        if typing == Typing::Untyped && children.iter().all(|(name, _, _)| name == "item") {
            return Ok(Param::Array(
                children.into_iter().map(|(_, _, p)| p).collect(),
            ));
        }
        return Ok(Param::Struct(
            children.into_iter().map(|(n, _, p)| (n, p)).collect(),
        ));
    }
    match typing {
        Typing::Base64 => {
            let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&compact)
                .map_err(|_| "invalid base64 in an xsd:base64Binary value".to_string())?;
            String::from_utf8(bytes)
                .map(Param::Text)
                .map_err(|_| "an xsd:base64Binary value is not UTF-8 text".to_string())
        }
        Typing::Boolean => match text.trim_matches(is_xml_space) {
            "true" | "1" => Ok(Param::Text("true".into())),
            "false" | "0" => Ok(Param::Text("false".into())),
            other => Err(format!("invalid xsd:boolean value '{}'", clip(other))),
        },
        _ => Ok(Param::Text(text)),
    }
}

/// At most 40 characters of a client's value, for a fault string.
fn clip(s: &str) -> Cow<'_, str> {
    match s.char_indices().nth(40) {
        Some((i, _)) => Cow::Owned(format!("{}...", &s[..i])),
        None => Cow::Borrowed(s),
    }
}

/// Checks that an element's attributes are well-formed (unique, closed, known entities).
fn check_attributes(start: &BytesStart) -> Result<(), String> {
    for attr in start.attributes() {
        let attr = attr.map_err(|e| format!("bad attribute: {e}"))?;
        attr.normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| format!("bad attribute value: {e}"))?;
    }
    Ok(())
}

/// The namespace of an attribute's or a QName value's prefix.
fn resolve_prefixed<R>(reader: &NsReader<R>, qname: &str) -> (Option<String>, String) {
    let q = QName(qname);
    let (local, prefix) = q.decompose();
    let ns = match reader.resolver().resolve_prefix(prefix, false) {
        ResolveResult::Bound(ns) => Some(ns.0.to_string()),
        _ => None,
    };
    (ns, local.into_inner().to_string())
}

/// Reads `xsi:nil`, `xsi:type` and the SOAP-ENC array attributes of a value element.
fn read_attributes<R>(reader: &NsReader<R>, start: &BytesStart) -> Result<(bool, Typing), String> {
    let mut nil = false;
    let mut typing = Typing::Untyped;
    let mut array = false;
    for attr in start.attributes() {
        let attr = attr.map_err(|e| format!("bad attribute: {e}"))?;
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| format!("bad attribute value: {e}"))?;
        let (ns, local) = reader.resolver().resolve_attribute(attr.key);
        let ns = match ns {
            ResolveResult::Bound(ns) => ns.0,
            _ => continue,
        };
        let local = local.into_inner();
        match (ns, local) {
            (XSI | XSI_1999 | XSI_2000, "nil" | "null") => {
                nil = matches!(value.trim_matches(is_xml_space), "true" | "1");
            }
            (XSI | XSI_1999 | XSI_2000, "type") => {
                let (type_ns, type_local) =
                    resolve_prefixed(reader, value.trim_matches(is_xml_space));
                typing = typing_of(type_ns.as_deref(), &type_local);
            }
            (SOAP11_ENC | SOAP12_ENC, "arrayType" | "itemType" | "arraySize") => array = true,
            _ => {}
        }
    }
    if array {
        typing = Typing::Array;
    }
    Ok((nil, typing))
}

/// What an `xsi:type` value asks for.
fn typing_of(ns: Option<&str>, local: &str) -> Typing {
    let schema = matches!(ns, None | Some(XSD | XSD_1999 | XSD_2000));
    let encoding = matches!(ns, Some(SOAP11_ENC | SOAP12_ENC));
    if local.starts_with("ArrayOf") || (encoding && local == "Array") {
        return Typing::Array;
    }
    match local {
        "base64Binary" | "base64" if schema || encoding => Typing::Base64,
        "boolean" if schema || encoding => Typing::Boolean,
        _ => Typing::Other,
    }
}

/// Refuses a header entry that must be understood by us.
fn check_header_entry<R>(
    reader: &NsReader<R>,
    start: &BytesStart,
    version: Option<Version>,
) -> Result<(), Stop> {
    let env_ns = match version {
        Some(Version::Soap12) => SOAP12_ENV,
        _ => SOAP11_ENV,
    };
    let mut must = false;
    let mut for_us = true;
    for attr in start.attributes() {
        let attr = attr.map_err(|e| format!("bad attribute: {e}"))?;
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| format!("bad attribute value: {e}"))?;
        let (ns, local) = reader.resolver().resolve_attribute(attr.key);
        if !matches!(ns, ResolveResult::Bound(ns) if ns.0 == env_ns) {
            continue;
        }
        match local.into_inner() {
            "mustUnderstand" => must = matches!(value.trim_matches(is_xml_space), "1" | "true"),
            "actor" | "role" => {
                for_us = matches!(
                    value.trim_matches(is_xml_space),
                    "" | "http://schemas.xmlsoap.org/soap/actor/next"
                        | "http://www.w3.org/2003/05/soap-envelope/role/next"
                        | "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver"
                )
            }
            _ => {}
        }
    }
    if must && for_us {
        return Err(Stop::MustUnderstand);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::golden;
    use crate::soap::FaultCode;

    const ENV11: &str = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#;

    /// A SOAP 1.1 envelope around a Body's content.
    fn envelope(body: &str) -> Vec<u8> {
        format!(r#"<?xml version="1.0" encoding="UTF-8"?>{ENV11}<soap:Body>{body}</soap:Body></soap:Envelope>"#)
            .into_bytes()
    }

    /// A call to `method` in urn:sympasoap with these parameter elements.
    fn call_with(params: &str) -> Vec<u8> {
        envelope(&format!(r#"<info xmlns="urn:sympasoap">{params}</info>"#))
    }

    fn text(s: &str) -> Param {
        Param::Text(s.to_string())
    }

    /// A refusal: a Client deserialization fault whose reason contains `needle`, and no path.
    fn refused(body: &[u8], needle: &str) {
        let fault = parse(body).expect_err(needle);
        assert_eq!(fault.code, FaultCode::Client, "{needle}");
        assert!(
            fault.string.starts_with(DESERIALIZATION),
            "{needle}: {:?}",
            fault.string
        );
        assert!(
            fault.string.contains(needle),
            "{needle}: {:?}",
            fault.string
        );
        assert!(!fault.string.contains("/usr/"), "{:?}", fault.string);
        assert_eq!(fault.detail, None);
    }

    /// The method element of a captured request (raw tree) and its parameter count.
    fn captured_param_count(body: &[u8]) -> usize {
        let (_, root) = golden::tree(std::str::from_utf8(body).unwrap());
        let body = root
            .children
            .iter()
            .find(|c| c.name.ends_with(":Body"))
            .expect("Body");
        let method = &body.children[0];
        if method.attr("xsi:nil") == Some("true") {
            0
        } else {
            method.children.len()
        }
    }

    #[test]
    fn every_captured_request_parses_as_sympa_read_it() {
        let mut seen = 0;
        for ex in golden::all() {
            if ex.method != "POST" {
                continue;
            }
            seen += 1;
            let parsed = parse(&ex.request_body);
            if ex.file.starts_with("53-") {
                let fault = parsed.expect_err("53 is malformed");
                assert_eq!(fault.code, FaultCode::Client);
                assert!(
                    fault.string.starts_with(DESERIALIZATION),
                    "{:?}",
                    fault.string
                );
                continue;
            }
            let call = parsed.unwrap_or_else(|f| panic!("{}: {f:?}", ex.file));
            // The method is the one SOAPAction (or SOAP 1.2's action parameter) names, but
            // in 51c, sent with a mismatched one on purpose.
            let action = ex
                .request_header("soapaction")
                .map(str::to_string)
                .or_else(|| {
                    ex.request_header("content-type")
                        .and_then(|ct| ct.split("action=").nth(1))
                        .map(str::to_string)
                });
            if let Some(action) = action.filter(|_| !ex.file.starts_with("51c-")) {
                let action = action.trim_matches('"');
                if let Some((_, method)) = action.split_once('#') {
                    assert_eq!(call.method, method, "{}", ex.file);
                }
            }
            let expected_ns = match &ex.file[..3] {
                "55-" => "http://127.0.0.1:8081/sympa/wsdl",
                "56-" => "",
                _ => NAMESPACE_FOR_TESTS,
            };
            assert_eq!(call.namespace, expected_ns, "{}", ex.file);
            let version = if ex.file.starts_with("57-") {
                Version::Soap12
            } else {
                Version::Soap11
            };
            assert_eq!(call.version, version, "{}", ex.file);
            assert_eq!(
                call.params.len(),
                captured_param_count(&ex.request_body),
                "{}: {:?}",
                ex.file,
                call.params
            );
        }
        assert!(seen > 120, "only {seen} POSTs");
    }

    const NAMESPACE_FOR_TESTS: &str = crate::soap::NAMESPACE;

    #[test]
    fn captured_parameters_read_by_position() {
        let call = parse(&golden::one("18-").request_body).unwrap();
        assert_eq!(call.method, "authenticateAndRun");
        assert_eq!(
            call.params,
            vec![
                text("listmaster@lists.example.org"),
                text("92370215419787"),
                text("lists"),
                Param::Array(vec![]),
            ]
        );
        // A session id with a leading zero stays text.
        let call = parse(&golden::one("79-").request_body).unwrap();
        assert!(call.param(1).text().unwrap().starts_with('0'), "{call:?}");
        // SOAP::Lite's array of one string.
        let call = parse(&golden::one("19d-").request_body).unwrap();
        assert_eq!(call.param(4), &Param::Array(vec![text("bench-discuss")]));
        // An empty string is "".
        let call = parse(&golden::one("14c-").request_body).unwrap();
        assert_eq!(
            call.params,
            vec![text("bench-announce"), text("size"), text("")]
        );
        // xsd:boolean kept as true.
        let call = parse(&golden::one("16-").request_body).unwrap();
        assert_eq!(call.param(3), &text("true"));
        // SOAP::Lite's nil method element: no parameters.
        let call = parse(&golden::one("03-").request_body).unwrap();
        assert_eq!((call.method.as_str(), call.params.len()), ("lists", 0));
    }

    #[test]
    fn base64_binary_is_decoded_to_utf8_text() {
        let call = parse(&golden::one("70-").request_body).unwrap();
        assert_eq!(call.param(2), &text("Zoë Ünïcödé"));
        assert_eq!(call.param(3), &text("true"));
        // Line-wrapped base64 (MIME style) decodes too.
        let call = parse(&call_with(
            r#"<a xsi:type="xsd:base64Binary">Wm/DqyDDnG7Dr2PD
tmTDqQ==</a>"#,
        ))
        .unwrap();
        assert_eq!(call.param(0), &text("Zoë Ünïcödé"));
    }

    #[test]
    fn bad_base64_or_non_utf8_base64_is_a_client_fault() {
        refused(
            &call_with(r#"<a xsi:type="xsd:base64Binary">not*base64</a>"#),
            "invalid base64",
        );
        // 0xff 0xfe: valid base64, not UTF-8.
        refused(
            &call_with(r#"<a xsi:type="xsd:base64Binary">//4=</a>"#),
            "not UTF-8",
        );
    }

    #[test]
    fn clients_arrays_are_read_whatever_their_form() {
        // zeep: untyped element whose children are all `item`.
        let ex = golden::one("zeep-authenticateAndRun");
        let call = parse(&ex.request_body).unwrap();
        assert_eq!(call.method, "authenticateAndRun");
        assert_eq!(call.param(3), &Param::Array(vec![text("bench-discuss")]));
        // PHP: xsi:type="ns2:ArrayOfString" with SOAP-ENC:arrayType.
        let php = golden::capture("php-soapclient-wsdl-session");
        let info = php
            .iter()
            .filter_map(|ex| parse(&ex.request_body).ok())
            .find(|c| c.method == "authenticateAndRun" && c.param(2).text() == Some("info"))
            .expect("PHP's authenticateAndRun(info)");
        assert_eq!(info.param(3), &Param::Array(vec![text("bench-discuss")]));
        // SOAP::Lite->service: the array lost as nil.
        let perl = golden::capture("perl-soaplite-service-wsdl-session");
        let nil = perl
            .iter()
            .filter_map(|ex| parse(&ex.request_body).ok())
            .find(|c| c.method == "authenticateAndRun")
            .expect("Perl's authenticateAndRun");
        assert_eq!(nil.param(3), &Param::Nil);
        // ArrayOf* under xsi:type alone, and SOAP 1.2's itemType.
        let call = parse(&call_with(
            r#"<a xmlns:t="urn:x" xsi:type="t:ArrayOfString"><x>1</x><y>2</y></a><b xmlns:e="http://www.w3.org/2003/05/soap-encoding" e:itemType="xsd:string"><v>3</v></b><c xsi:type="soapenc:Array"/>"#,
        ))
        .unwrap();
        assert_eq!(
            call.params,
            vec![
                Param::Array(vec![text("1"), text("2")]),
                Param::Array(vec![text("3")]),
                Param::Array(vec![]),
            ]
        );
    }

    #[test]
    fn phps_array_of_custom_is_an_array_of_structs() {
        // What PHP SoapClient sends for setDetails's 6.2.80 `custom` part from our WSDL.
        let body = br#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:sympasoap" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:ns2="http://127.0.0.1:8095/sympa/wsdl" xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><SOAP-ENV:Body><ns1:setDetails><list xsi:type="xsd:string">l</list><gecos xsi:type="xsd:string">g</gecos><reception xsi:type="xsd:string">mail</reception><custom SOAP-ENC:arrayType="ns2:customType[1]" xsi:type="ns2:ArrayOfCustom"><item xsi:type="ns2:customType"><key xsi:type="xsd:string">k</key><value xsi:type="xsd:string">v</value></item></custom></ns1:setDetails></SOAP-ENV:Body></SOAP-ENV:Envelope>"#;
        let call = parse(body).unwrap();
        assert_eq!(call.method, "setDetails");
        assert_eq!(
            call.param(3),
            &Param::Array(vec![Param::Struct(vec![
                ("key".into(), text("k")),
                ("value".into(), text("v")),
            ])])
        );
    }

    #[test]
    fn structs_and_mixed_children_are_structs() {
        let call = parse(&call_with(
            r#"<a><key>color</key><value>blue</value></a><b xsi:type="xsd:anyType"><item>1</item></b>"#,
        ))
        .unwrap();
        assert_eq!(
            call.params,
            vec![
                Param::Struct(vec![
                    ("key".into(), text("color")),
                    ("value".into(), text("blue"))
                ]),
                // Typed, so not zeep's untyped array.
                Param::Struct(vec![("item".into(), text("1"))]),
            ]
        );
    }

    #[test]
    fn scalars_nil_booleans_numbers_and_references() {
        let call = parse(&call_with(
            r#"<a xsi:nil="true"/><b xsi:nil="1">ignored</b><c/><d xsi:type="xsd:boolean"> 1 </d><e xsi:type="xsd:boolean">0</e><f>false</f><g xsi:type="xsd:long">0012</g><h>&lt;&amp;&gt;&quot;&apos;&#233;&#x20AC;</h><i><![CDATA[<raw & text>]]></i><j>  spaced  </j>"#,
        ))
        .unwrap();
        assert_eq!(
            call.params,
            vec![
                Param::Nil,
                Param::Nil,
                text(""),
                text("true"),
                text("false"),
                text("false"),
                text("0012"),
                text("<&>\"'é€"),
                text("<raw & text>"),
                text("  spaced  "),
            ]
        );
        refused(
            &call_with(r#"<a xsi:type="xsd:boolean">yes</a>"#),
            "xsd:boolean",
        );
        refused(&call_with("<a>&#0;</a>"), "character reference");
    }

    #[test]
    fn soap12_envelopes_and_any_prefix() {
        let call = parse(&golden::one("57-").request_body).unwrap();
        assert_eq!(call.version, Version::Soap12);
        assert_eq!(
            (call.method.as_str(), call.namespace.as_str()),
            ("info", "urn:sympasoap")
        );
        assert_eq!(call.params, vec![text("bench-discuss")]);
        let body = br#"<E:Envelope xmlns:E="http://schemas.xmlsoap.org/soap/envelope/"><E:Header><t:trace xmlns:t="urn:t">x</t:trace></E:Header><E:Body><m:review xmlns:m="urn:sympasoap"><list>l</list></m:review></E:Body></E:Envelope>"#;
        let call = parse(body).unwrap();
        assert_eq!(
            (call.version, call.method.as_str()),
            (Version::Soap11, "review")
        );
        assert_eq!(call.params, vec![text("l")]);
    }

    #[test]
    fn a_mandatory_header_is_refused_and_an_optional_one_ignored() {
        let with_header = |attrs: &str| {
            format!(r#"{ENV11}<soap:Header><t:tx xmlns:t="urn:t" {attrs}>1</t:tx></soap:Header><soap:Body><lists xmlns="urn:sympasoap"/></soap:Body></soap:Envelope>"#).into_bytes()
        };
        let fault = parse(&with_header(r#"soap:mustUnderstand="1""#)).unwrap_err();
        assert_eq!(fault.code, FaultCode::Client);
        assert_eq!(fault.string, MUST_UNDERSTAND);
        assert!(parse(&with_header(r#"soap:mustUnderstand="0""#)).is_ok());
        assert!(parse(&with_header(
            r#"soap:mustUnderstand="1" soap:actor="urn:someone-else""#
        ))
        .is_ok());
        // An unqualified mustUnderstand is not SOAP's.
        assert!(parse(&with_header(r#"mustUnderstand="1""#)).is_ok());
    }

    #[test]
    fn dtds_and_entities_are_refused() {
        let laughs = format!(
            r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>{ENV11}<soap:Body><info xmlns="urn:sympasoap"><a>&lol3;</a></info></soap:Body></soap:Envelope>"#
        );
        refused(laughs.as_bytes(), "DOCTYPE");
        let external = format!(
            r#"<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>{ENV11}<soap:Body><info xmlns="urn:sympasoap"><a>&x;</a></info></soap:Body></soap:Envelope>"#
        );
        refused(external.as_bytes(), "DOCTYPE");
        refused(b"<!DOCTYPE soap>", "DOCTYPE");
        // Without a DTD, a named entity is unknown.
        refused(&call_with("<a>&x;</a>"), "entity &x; is not allowed");
        refused(&call_with("<a>&nbsp;</a>"), "entity &nbsp; is not allowed");
        // A DOCTYPE after the root's start is not XML at all, and refused either way.
        let late = format!("{ENV11}<!DOCTYPE x><soap:Body/></soap:Envelope>");
        assert_eq!(parse(late.as_bytes()).unwrap_err().code, FaultCode::Client);
    }

    /// An envelope whose method's first parameter is nested `levels` deep below the method.
    fn nested(levels: usize) -> Vec<u8> {
        call_with(&format!(
            "{}x{}",
            "<a>".repeat(levels),
            "</a>".repeat(levels)
        ))
    }

    #[test]
    fn depth_32_is_read_and_33_refused() {
        // Envelope, Body, method: 3 levels; 29 more make 32.
        let call = parse(&nested(29)).unwrap();
        let mut depth = 3;
        let mut p = call.param(0).clone();
        while let Param::Struct(mut members) = p {
            depth += 1;
            p = members.remove(0).1;
        }
        assert_eq!((depth + 1, p), (32, text("x")));
        refused(&nested(30), "nested deeper than 32");
    }

    #[test]
    fn ten_thousand_elements_are_read_and_one_more_refused() {
        // Envelope, Body, method: 3 elements; 9 997 parameters make 10 000.
        let call = parse(&call_with(&"<p>1</p>".repeat(9_997))).unwrap();
        assert_eq!(call.params.len(), 9_997);
        refused(
            &call_with(&"<p>1</p>".repeat(9_998)),
            "more than 10000 elements",
        );
        // Nesting is bounded too, so 10 001 elements refused whatever their shape.
        refused(
            &call_with(&"<p/>".repeat(9_998)),
            "more than 10000 elements",
        );
    }

    #[test]
    fn documents_that_are_not_a_soap_request_are_refused() {
        refused(b"", "empty request body");
        refused(b" \r\n\t", "empty request body");
        refused(b"\xff\xfe<x/>", "not UTF-8");
        refused(b"<html><body/></html>", "not a SOAP Envelope");
        refused(
            br#"<Envelope xmlns="urn:other"><Body><info xmlns="urn:sympasoap"/></Body></Envelope>"#,
            "not a SOAP Envelope",
        );
        refused(format!("{ENV11}</soap:Envelope>").as_bytes(), "no Body");
        refused(
            format!("{ENV11}<soap:Header/></soap:Envelope>").as_bytes(),
            "no Body",
        );
        refused(&envelope(""), "no method element");
        refused(&envelope("text only"), "no method element");
        refused(
            format!("{ENV11}<soap:Body><a/></soap:Body><soap:Body/></soap:Envelope>").as_bytes(),
            "more than one Body",
        );
        let mut two_roots = envelope("<info xmlns=\"urn:sympasoap\"/>");
        two_roots.extend_from_slice(b"<x/>");
        refused(&two_roots, "more than one root");
        let mut trailing = envelope("<info xmlns=\"urn:sympasoap\"/>");
        trailing.extend_from_slice(b"junk");
        refused(&trailing, "text outside the root");
        let unclosed = format!("{ENV11}<soap:Body><info xmlns=\"urn:sympasoap\">");
        refused(unclosed.as_bytes(), "not closed");
        refused(&call_with("<a>1</b>"), "not well-formed");
        refused(&call_with("<p:a>1</p:a>"), "undeclared namespace prefix");
        refused(&call_with(r#"<a x="1" x="2">1</a>"#), "bad attribute");
        let pi = format!("<?xml version=\"1.0\"?><?evil x?>{ENV11}<soap:Body/></soap:Envelope>");
        refused(pi.as_bytes(), "processing instructions");
        // The captured malformed request: the reason is ours, with no server path.
        refused(&golden::one("53-").request_body, "not well-formed");
    }

    #[test]
    fn a_bom_comments_and_whitespace_between_elements_are_fine() {
        let body = format!(
            "\u{feff}<?xml version=\"1.0\"?>\n<!-- c -->\n{ENV11}\n  <soap:Body>\n    <info xmlns=\"urn:sympasoap\">\n      <a>x</a>\n    </info>\n  </soap:Body>\n</soap:Envelope>\n"
        );
        let call = parse(body.as_bytes()).unwrap();
        assert_eq!(call.params, vec![text("x")]);
    }

    #[test]
    fn content_types_pass_or_fault_as_soap_lite_does() {
        for ok in [
            None,
            Some(""),
            Some("text/xml"),
            Some("text/xml; charset=utf-8"),
            Some("Text/XML;charset=UTF-8"),
            Some(r#"application/soap+xml; charset=utf-8; action="urn:sympasoap#info""#),
            Some("multipart/related; boundary=x"),
            Some("application/dime"),
        ] {
            assert_eq!(check_content_type(ok), Ok(()), "{ok:?}");
        }
        // Every captured request but 54 passes; 54 gets Sympa's fault, byte for byte.
        for ex in golden::all().iter().filter(|ex| ex.method == "POST") {
            let checked = check_content_type(ex.request_header("content-type"));
            if ex.file.starts_with("54-") {
                assert_eq!(checked, Err(golden::fault(ex.response_text())), "54");
            } else {
                assert_eq!(checked, Ok(()), "{}", ex.file);
            }
        }
        let fault = check_content_type(Some("application/json; charset=utf-8")).unwrap_err();
        assert!(fault.string.ends_with("instead of 'application/json'"));
    }

    #[test]
    fn soap_action_must_match_the_call_when_present() {
        let mut checked = 0;
        for ex in golden::all().iter().filter(|ex| ex.method == "POST") {
            let Ok(call) = parse(&ex.request_body) else {
                continue;
            };
            let result = check_soap_action(ex.request_header("soapaction"), &call);
            if ex.file.starts_with("51c-") || ex.file.starts_with("55-") {
                assert_eq!(
                    result,
                    Err(golden::fault(ex.response_text())),
                    "{}",
                    ex.file
                );
                checked += 1;
            } else {
                assert_eq!(result, Ok(()), "{}", ex.file);
            }
        }
        assert_eq!(checked, 2);
        let call = Call {
            version: Version::Soap11,
            method: "info".into(),
            namespace: "urn:sympasoap".into(),
            params: vec![],
        };
        for ok in [
            None,
            Some(""),
            Some("\"\""),
            Some("\"urn:sympasoap#info\""),
            Some("urn:sympasoap/info"),
        ] {
            assert_eq!(check_soap_action(ok, &call), Ok(()), "{ok:?}");
        }
        for bad in [
            "\"urn:sympasoap#lists\"",
            "urn:sympasoap#infos",
            "urn:sympasoapinfo",
            "\"urn:sympasoap#info",
            "#info",
        ] {
            let fault = check_soap_action(Some(bad), &call).unwrap_err();
            assert_eq!(fault.code, FaultCode::Client);
            assert!(
                fault.string.ends_with("expected 'urn:sympasoap#info'\n"),
                "{bad}: {:?}",
                fault.string
            );
        }
    }

    #[test]
    fn only_urn_sympasoap_is_dispatched() {
        let ex = golden::one("56-");
        let call = parse(&ex.request_body).unwrap();
        let captured = golden::fault(ex.response_text());
        let fault = check_namespace(&call).unwrap_err();
        assert_eq!(fault.code, captured.code);
        // Sympa's text up to the Perl location it appends.
        assert_eq!(fault.string, captured.string.split(" at /").next().unwrap());
        assert_eq!(
            fault.string,
            "Denied access to method (info) in class (main)"
        );
        let call = parse(&golden::one("55-").request_body).unwrap();
        assert!(check_namespace(&call).is_err());
        let call = parse(&golden::one("05-").request_body).unwrap();
        assert_eq!(check_namespace(&call), Ok(()));
    }
}
