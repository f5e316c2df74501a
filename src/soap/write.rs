//! Writing a SOAP answer or fault: byte for byte SOAP::Lite's frame and typing as Sympa sends them, or the opt-in WSDL-conformant form.
//!
//! [`Mode::Sympa`] (the default; reference/soap.md §2.2–§2.5, checklist 13–19): the XML
//! declaration and the envelope with no newline anywhere, attributes in SOAP::Lite's
//! (alphabetical) order, `" />"` for empty elements, `<{method}Response xmlns="urn:sympasoap">`
//! holding Sympa's accessor, every scalar typed with `xsi:type`, arrays as SOAP-ENC arrays of
//! `item`s (`xsd:string[N]` when every item is a string, `xsd:anyType[N]` otherwise and
//! always when empty), untyped structs. Text escapes `&`, `<`, `>` and CR (`&#xd;`) and not
//! quotes, as SOAP::Lite does; characters XML 1.0 cannot carry (C0 controls other than tab,
//! LF and CR, U+FFFE, U+FFFF) become U+FFFD so that the answer always parses. Non-ASCII text
//! goes out as UTF-8 `xsd:string`, never as Sympa's `xsd:base64Binary` (checklist 18).
//!
//! [`Mode::Conformant`] (checklist 30, §4.4): the answer the WSDL ([`super::wsdl`]) describes,
//! for zeep, .NET and Java: `<ns1:{method}Response xmlns:ns1="urn:sympasoap">`, unqualified
//! accessors named after the WSDL's output part (`return`, `listInfo` for lists, `email` for
//! checkCookie), `info` as one `tns:listType` struct instead of Sympa's one-item array, structs
//! typed `tns:listType`, `tns:userType`, `tns:customType` or `tns:detailsType` (told apart by
//! their members), arrays of them typed `tns:…[N]`, [`Out::Named`] items written as `item`.
//!
//! SOAP 1.2 requests are answered in the SOAP 1.2 namespaces. In Sympa mode the frame is
//! otherwise unchanged, `encodingStyle` on the Envelope included as SOAP::Lite writes it
//! (capture `57`), although SOAP 1.2 allows it only below the Body; the conformant mode puts it
//! on the response element instead.

use super::envelope::{SOAP11_ENC, SOAP11_ENV, SOAP12_ENC, SOAP12_ENV, XSD, XSI};
use super::value::{Fault, FaultCode, Out, Reply, Version};
use super::NAMESPACE;

/// How answers are shaped.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mode {
    /// Sympa's shapes, as every existing Perl and PHP client reads them (the default).
    #[default]
    Sympa,
    /// The shapes the WSDL describes (configuration `soap_wsdl_conformant = true`).
    Conformant {
        /// The WSDL's `targetNamespace`, `<wwsympa_url>/wsdl` ([`super::wsdl::target_namespace`]):
        /// the namespace of the `tns:` types the answers name.
        target_namespace: String,
    },
}

/// The envelope and encoding namespaces of a version.
fn namespaces(version: Version) -> (&'static str, &'static str) {
    match version {
        Version::Soap11 => (SOAP11_ENV, SOAP11_ENC),
        Version::Soap12 => (SOAP12_ENV, SOAP12_ENC),
    }
}

/// The XML declaration and the Envelope's start tag, with `tns` declared when given.
fn open_envelope(out: &mut String, version: Version, encoding_style: bool, tns: Option<&str>) {
    let (env, enc) = namespaces(version);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap:Envelope");
    if encoding_style {
        out.push_str(" soap:encodingStyle=\"");
        out.push_str(enc);
        out.push('"');
    }
    out.push_str(" xmlns:soap=\"");
    out.push_str(env);
    out.push_str("\" xmlns:soapenc=\"");
    out.push_str(enc);
    out.push('"');
    if let Some(tns) = tns {
        out.push_str(" xmlns:tns=\"");
        escape_attribute(out, tns);
        out.push('"');
    }
    out.push_str(" xmlns:xsd=\"");
    out.push_str(XSD);
    out.push_str("\" xmlns:xsi=\"");
    out.push_str(XSI);
    out.push_str("\"><soap:Body>");
}

const CLOSE_ENVELOPE: &str = "</soap:Body></soap:Envelope>";

/// A successful answer to `method` (the request's method element name; the run-wrappers
/// pass their own name, not the inner service's).
pub fn response(version: Version, method: &str, reply: &Reply, mode: &Mode) -> String {
    let mut out = String::with_capacity(512);
    match mode {
        Mode::Sympa => {
            open_envelope(&mut out, version, true, None);
            out.push('<');
            out.push_str(method);
            out.push_str("Response xmlns=\"");
            out.push_str(NAMESPACE);
            out.push_str("\">");
            sympa_value(&mut out, reply.accessor, &reply.value);
            out.push_str("</");
            out.push_str(method);
            out.push_str("Response>");
        }
        Mode::Conformant { target_namespace } => {
            let soap12 = version == Version::Soap12;
            open_envelope(&mut out, version, !soap12, Some(target_namespace));
            out.push_str("<ns1:");
            out.push_str(method);
            out.push_str("Response xmlns:ns1=\"");
            out.push_str(NAMESPACE);
            out.push('"');
            if soap12 {
                out.push_str(" soap:encodingStyle=\"");
                out.push_str(SOAP12_ENC);
                out.push('"');
            }
            out.push('>');
            let accessor = output_part(method).unwrap_or(reply.accessor);
            match (&reply.value, reply.accessor) {
                // Sympa's info: a one-item array named after its type; the WSDL: a listType.
                (Out::Array(items), "soapenc:Array") if items.len() == 1 => {
                    conformant_value(&mut out, accessor, &items[0])
                }
                (value, _) => conformant_value(&mut out, accessor, value),
            }
            out.push_str("</ns1:");
            out.push_str(method);
            out.push_str("Response>");
        }
    }
    out.push_str(CLOSE_ENVELOPE);
    out
}

/// A fault (§2.7): `faultcode` `soap:Client` or `soap:Server`, the faultstring, and the
/// detail as `xsi:type="xsd:string"` text escaped twice as Sympa does (`Use : <list>` is sent
/// as `Use : &amp;lt;list&amp;gt;`), with no detail element when there is none.
///
/// SOAP 1.2 has no `faultcode`/`faultstring`: its Fault holds `Code/Value` (`soap:Sender` for
/// Client, `soap:Receiver` for Server, the codes SOAP 1.2 §5.4.6 gives them), `Reason/Text`
/// with the mandatory `xml:lang` (`en`), and `Detail` carrying the same text as in 1.1.
pub fn fault(version: Version, fault: &Fault) -> String {
    let mut out = String::with_capacity(512);
    open_envelope(&mut out, version, true, None);
    match version {
        Version::Soap11 => {
            out.push_str("<soap:Fault><faultcode>");
            out.push_str(match fault.code {
                FaultCode::Client => "soap:Client",
                FaultCode::Server => "soap:Server",
            });
            out.push_str("</faultcode><faultstring>");
            escape_text(&mut out, &fault.string);
            out.push_str("</faultstring>");
            detail(&mut out, "detail", fault.detail.as_deref());
        }
        Version::Soap12 => {
            out.push_str("<soap:Fault><soap:Code><soap:Value>");
            out.push_str(match fault.code {
                FaultCode::Client => "soap:Sender",
                FaultCode::Server => "soap:Receiver",
            });
            out.push_str("</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang=\"en\">");
            escape_text(&mut out, &fault.string);
            out.push_str("</soap:Text></soap:Reason>");
            detail(&mut out, "soap:Detail", fault.detail.as_deref());
        }
    }
    out.push_str("</soap:Fault>");
    out.push_str(CLOSE_ENVELOPE);
    out
}

/// The detail element, its text escaped twice.
fn detail(out: &mut String, name: &str, text: Option<&str>) {
    let Some(text) = text else { return };
    let mut once = String::with_capacity(text.len());
    escape_text(&mut once, text);
    out.push('<');
    out.push_str(name);
    out.push_str(" xsi:type=\"xsd:string\"");
    if once.is_empty() {
        out.push_str(" />");
        return;
    }
    out.push('>');
    escape_text(out, &once);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// The WSDL's output part name for an operation, the conformant accessor.
pub fn output_part(method: &str) -> Option<&'static str> {
    super::wsdl::OPERATIONS
        .iter()
        .find(|op| op.name == method)
        .map(|op| op.output.0)
}

/// Whether every item is a string, as SOAP::Lite decides `xsd:string[N]`.
fn all_strings(items: &[Out]) -> bool {
    items.iter().all(|item| match item {
        Out::Str(_) => true,
        Out::Named(_, inner) => matches!(**inner, Out::Str(_)),
        _ => false,
    })
}

/// A scalar element: `<name xsi:type="type">text</name>`, or `<name xsi:type="type" />`
/// when the text is empty.
fn scalar(out: &mut String, name: &str, xsi_type: &str, text: &str) {
    out.push('<');
    out.push_str(name);
    out.push_str(" xsi:type=\"");
    out.push_str(xsi_type);
    if text.is_empty() {
        out.push_str("\" />");
        return;
    }
    out.push_str("\">");
    escape_text(out, text);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// The scalars every mode writes the same way; `false` for the others.
fn write_scalar(out: &mut String, name: &str, value: &Out) -> bool {
    match value {
        Out::Nil => {
            out.push('<');
            out.push_str(name);
            out.push_str(" xsi:nil=\"true\" />");
        }
        Out::Str(s) => scalar(out, name, "xsd:string", s),
        Out::Bool(b) => scalar(out, name, "xsd:boolean", if *b { "true" } else { "false" }),
        Out::Int(i) => scalar(out, name, "xsd:int", &i.to_string()),
        _ => return false,
    }
    true
}

/// An array's start tag (`None` item type: empty, written self-closing).
fn array_open(out: &mut String, name: &str, item_type: &str, len: usize) {
    out.push('<');
    out.push_str(name);
    out.push_str(" soapenc:arrayType=\"");
    out.push_str(item_type);
    out.push('[');
    out.push_str(&len.to_string());
    out.push_str("]\" xsi:type=\"soapenc:Array\"");
    if len == 0 {
        out.push_str(" />");
    } else {
        out.push('>');
    }
}

fn close(out: &mut String, name: &str) {
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// A value in Sympa's shapes.
fn sympa_value(out: &mut String, name: &str, value: &Out) {
    if write_scalar(out, name, value) {
        return;
    }
    match value {
        Out::Array(items) => {
            let item_type = if !items.is_empty() && all_strings(items) {
                "xsd:string"
            } else {
                "xsd:anyType"
            };
            array_open(out, name, item_type, items.len());
            if items.is_empty() {
                return;
            }
            for item in items {
                sympa_value(out, "item", item);
            }
            close(out, name);
        }
        Out::Struct(members) => {
            out.push('<');
            out.push_str(name);
            if members.is_empty() {
                out.push_str(" />");
                return;
            }
            out.push('>');
            for (member, value) in members {
                sympa_value(out, member, value);
            }
            close(out, name);
        }
        Out::Named(own, inner) => {
            let own = if name == "item" { *own } else { name };
            sympa_value(out, own, inner);
        }
        _ => {}
    }
}

/// The WSDL type of a struct, told by its members.
fn struct_type(members: &[(&'static str, Out)]) -> Option<&'static str> {
    let has = |m: &str| members.iter().any(|(name, _)| *name == m);
    if has("listAddress") {
        Some("tns:listType")
    } else if has("email") {
        Some("tns:userType")
    } else if has("key") {
        Some("tns:customType")
    } else if has("reception") || has("subscribeDate") || has("custom") {
        Some("tns:detailsType")
    } else {
        None
    }
}

/// A value in the WSDL's shapes.
fn conformant_value(out: &mut String, name: &str, value: &Out) {
    if write_scalar(out, name, value) {
        return;
    }
    match value {
        Out::Array(items) => {
            let first_struct = items.iter().find_map(|item| match item {
                Out::Struct(members) => Some(struct_type(members)),
                _ => None,
            });
            let item_type = if items.is_empty() {
                "xsd:anyType"
            } else if all_strings(items) {
                "xsd:string"
            } else {
                match first_struct {
                    Some(Some(t)) => t,
                    _ => "xsd:anyType",
                }
            };
            array_open(out, name, item_type, items.len());
            if items.is_empty() {
                return;
            }
            for item in items {
                conformant_value(out, "item", item);
            }
            close(out, name);
        }
        Out::Struct(members) => {
            out.push('<');
            out.push_str(name);
            if let Some(t) = struct_type(members) {
                out.push_str(" xsi:type=\"");
                out.push_str(t);
                out.push('"');
            }
            if members.is_empty() {
                out.push_str(" />");
                return;
            }
            out.push('>');
            for (member, value) in members {
                conformant_value(out, member, value);
            }
            close(out, name);
        }
        Out::Named(_, inner) => conformant_value(out, name, inner),
        _ => {}
    }
}

/// Whether XML 1.0 can carry a character.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes text as SOAP::Lite does: `&`, `<`, `>`, CR; quotes left alone.
pub fn escape_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xd;"),
            c if xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

/// Escapes an attribute value (double-quoted): as text, plus `"` and the white space an
/// attribute would otherwise normalise away.
pub fn escape_attribute(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '"' => out.push_str("&quot;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xd;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xa;"),
            c if xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}
