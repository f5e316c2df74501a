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
