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
    // Most text needs nothing: one look at its bytes, then one copy. A byte that may need
    // something is one of the escaped ones, a control, or 0xEF (which starts U+FFFE and
    // U+FFFF, not XML characters).
    let plain = |b: u8| {
        !matches!(b, b'&' | b'<' | b'>' | b'\r' | 0xEF) && (b >= 0x20 || b == b'\t' || b == b'\n')
    };
    if text.bytes().all(plain) {
        out.push_str(text);
        return;
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::envelope::parse;
    use crate::soap::golden;

    fn conformant() -> Mode {
        Mode::Conformant {
            target_namespace: "http://127.0.0.1:8081/sympa/wsdl".into(),
        }
    }

    /// Reads a document to its end with quick-xml: it is well-formed.
    fn well_formed(xml: &str) {
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut depth = 0i32;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Start(_)) => depth += 1,
                Ok(quick_xml::events::Event::End(_)) => depth -= 1,
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{e}: {xml}"),
            }
        }
        assert_eq!(depth, 0, "{xml}");
    }

    /// Sympa sent this non-ASCII gecos as base64Binary; we send UTF-8 xsd:string (checklist 18).
    fn as_we_send_it(xml: &str) -> String {
        xml.replace(
            r#"<gecos xsi:type="xsd:base64Binary">Wm/DqyDDnG7Dr2PDtmTDqQ==</gecos>"#,
            r#"<gecos xsi:type="xsd:string">Zoë Ünïcödé</gecos>"#,
        )
    }

    #[test]
    fn every_captured_answer_is_written_byte_for_byte() {
        let mut written = 0;
        for ex in golden::all() {
            if ex.method != "POST" || ex.status != 200 {
                continue;
            }
            let call = parse(&ex.request_body).unwrap_or_else(|f| panic!("{}: {f:?}", ex.file));
            let captured = ex.response_text();
            let (method, reply) = golden::reply(captured);
            // The wrapper is named after the request's method, run-wrappers included.
            assert_eq!(method, call.method, "{}", ex.file);
            let ours = response(call.version, &call.method, &reply, &Mode::Sympa);
            assert_eq!(
                ours,
                as_we_send_it(&golden::reordered(captured)),
                "{}",
                ex.file
            );
            well_formed(&ours);
            well_formed(&response(call.version, &call.method, &reply, &conformant()));
            written += 1;
        }
        assert!(written >= 80, "only {written} answers");
    }

    #[test]
    fn every_captured_fault_is_written_byte_for_byte() {
        let mut written = 0;
        for ex in golden::all() {
            if ex.status != 500 || ex.response_body.is_empty() {
                continue;
            }
            let version = parse(&ex.request_body)
                .map(|c| c.version)
                .unwrap_or(Version::Soap11);
            let captured = ex.response_text();
            let ours = fault(version, &golden::fault(captured));
            assert_eq!(ours, captured, "{}", ex.file);
            well_formed(&ours);
            written += 1;
        }
        assert!(written >= 30, "only {written} faults");
    }

    /// The capture's answer with the WSDL's member order, and the version and method of its call.
    fn expected(prefix: &str) -> (Version, String, String) {
        let ex = golden::one(prefix);
        let call = parse(&ex.request_body).unwrap();
        (
            call.version,
            call.method,
            as_we_send_it(&golden::reordered(ex.response_text())),
        )
    }

    fn s(text: &str) -> Out {
        Out::Str(text.into())
    }

    #[test]
    fn replies_built_as_the_operations_build_them_match_sympa() {
        // login: the session id (taken from the capture, it varies between runs).
        let (v, m, want) = expected("01-");
        let sid = want
            .split("<result xsi:type=\"xsd:string\">")
            .nth(1)
            .and_then(|r| r.split('<').next())
            .unwrap()
            .to_string();
        let reply = Reply {
            accessor: "result",
            value: Out::Str(sid),
        };
        assert_eq!(response(v, &m, &reply, &Mode::Sympa), want);

        // info: a one-item array of the list's struct, false flags left out.
        let listinfo = Out::Struct(vec![
            ("listAddress", s("bench-discuss@lists.example.org")),
            (
                "homepage",
                s("http://127.0.0.1:8081/sympa/info/bench-discuss"),
            ),
            ("isOwner", Out::Bool(true)),
            ("subject", s("Benchmark discussion list")),
        ]);
        let info = Reply {
            accessor: "soapenc:Array",
            value: Out::Array(vec![listinfo]),
        };
        let (v, m, want) = expected("05-");
        assert_eq!(response(v, &m, &info, &Mode::Sympa), want);
        // The same answer to a SOAP 1.2 request, in SOAP 1.2's namespaces (57).
        let (v, m, want) = expected("57-");
        assert_eq!(v, Version::Soap12);
        assert_eq!(response(v, &m, &info, &Mode::Sympa), want);

        // An empty review: `result` holding no_subscribers in a string array of one.
        let empty = Reply {
            accessor: "return",
            value: Out::Array(vec![Out::Named("result", Box::new(s("no_subscribers")))]),
        };
        let (v, m, want) = expected("10b-");
        assert_eq!(response(v, &m, &empty, &Mode::Sympa), want);

        // casLogin without CAS: a nil accessor.
        let nil = Reply {
            accessor: "s-gensym506",
            value: Out::Nil,
        };
        let (v, m, want) = expected("78-");
        assert_eq!(response(v, &m, &nil, &Mode::Sympa), want);

        // getDetails with custom attributes, one of them empty; dates as xsd:int.
        let pair = |k: &str, v: &str| Out::Struct(vec![("key", s(k)), ("value", s(v))]);
        let details = Reply {
            accessor: "return",
            value: Out::Struct(vec![
                ("gecos", s("Owner As Subscriber")),
                ("reception", s("digest")),
                ("subscribeDate", Out::Int(1_795_347_531)),
                ("updateDate", Out::Int(1_795_347_531)),
                (
                    "custom",
                    Out::Array(vec![pair("color", "blue"), pair("size", "")]),
                ),
            ]),
        };
        let (v, m, want) = expected("14d-");
        assert_eq!(response(v, &m, &details, &Mode::Sympa), want);

        // An empty array is anyType[0], self-closing.
        let none = Reply {
            accessor: "return",
            value: Out::Array(vec![]),
        };
        let (v, m, want) = expected("74-");
        assert_eq!(response(v, &m, &none, &Mode::Sympa), want);

        // complexWhich for a subscriber: the three flags, bounceCount, a nil bounceScore.
        let which = Reply {
            accessor: "return",
            value: Out::Array(vec![Out::Struct(vec![
                ("listAddress", s("bench-discuss@lists.example.org")),
                (
                    "homepage",
                    s("http://127.0.0.1:8081/sympa/info/bench-discuss"),
                ),
                ("isSubscriber", Out::Bool(true)),
                ("isOwner", Out::Bool(false)),
                ("isEditor", Out::Bool(false)),
                ("subject", s("Benchmark discussion list")),
                ("bounceCount", Out::Int(0)),
                ("bounceScore", Out::Nil),
            ])]),
        };
        let (v, m, want) = expected("19c-");
        assert_eq!(response(v, &m, &which, &Mode::Sympa), want);
    }

    #[test]
    fn each_character_that_needs_escaping_is_escaped_alone_in_plain_text() {
        let escaped = |text: &str| {
            let mut out = String::new();
            escape_text(&mut out, text);
            out
        };
        for (special, expected) in [
            ("&", "&amp;"),
            ("<", "&lt;"),
            (">", "&gt;"),
            ("\r", "&#xd;"),
            ("\u{1}", "\u{fffd}"),
            ("\u{1f}", "\u{fffd}"),
            ("\u{fffe}", "\u{fffd}"),
            ("\u{ffff}", "\u{fffd}"),
        ] {
            assert_eq!(
                escaped(&format!("plain {special} text")),
                format!("plain {expected} text"),
                "{special:?}"
            );
        }
        // Text needing nothing is copied as it is, tabs, line feeds and U+EFFF included.
        let plain = "Liste d'été\t\n\u{efff}\u{fffd}\u{10000} \"quoted\"";
        assert_eq!(escaped(plain), plain);
    }

    #[test]
    fn text_is_escaped_as_soap_lite_escapes_it() {
        let reply = Reply {
            accessor: "result",
            value: s("a&b<c>d\"e'f\r\ng\u{1}h\u{fffe}é"),
        };
        let xml = response(Version::Soap11, "x", &reply, &Mode::Sympa);
        assert!(
            xml.contains(
                "<result xsi:type=\"xsd:string\">a&amp;b&lt;c&gt;d\"e'f&#xd;\ng\u{fffd}h\u{fffd}é</result>"
            ),
            "{xml}"
        );
        well_formed(&xml);
        let empty = Reply {
            accessor: "result",
            value: s(""),
        };
        assert!(
            response(Version::Soap11, "x", &empty, &Mode::Sympa).contains(
                "<xResponse xmlns=\"urn:sympasoap\"><result xsi:type=\"xsd:string\" /></xResponse>"
            )
        );
    }

    #[test]
    fn faults_escape_the_detail_twice_and_omit_a_missing_one() {
        let f = Fault::client("Incorrect number of parameters", Some("Use : <list> & co"));
        let xml = fault(Version::Soap11, &f);
        assert!(xml.ends_with("<soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>Incorrect number of parameters</faultstring><detail xsi:type=\"xsd:string\">Use : &amp;lt;list&amp;gt; &amp;amp; co</detail></soap:Fault></soap:Body></soap:Envelope>"), "{xml}");
        let f = Fault::server("Internal <error>", None);
        let xml = fault(Version::Soap11, &f);
        assert!(xml.ends_with("<faultcode>soap:Server</faultcode><faultstring>Internal &lt;error&gt;</faultstring></soap:Fault></soap:Body></soap:Envelope>"), "{xml}");
        let f = Fault::client("Could not get email from cookie", Some(""));
        assert!(fault(Version::Soap11, &f).contains("<detail xsi:type=\"xsd:string\" />"));
    }

    #[test]
    fn soap12_faults_use_code_reason_and_detail() {
        let f = Fault::client("Unknown list", Some("List <x> unknown"));
        let xml = fault(Version::Soap12, &f);
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap:Envelope soap:encodingStyle=\"http://www.w3.org/2003/05/soap-encoding\" xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:soapenc=\"http://www.w3.org/2003/05/soap-encoding\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soap:Body><soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang=\"en\">Unknown list</soap:Text></soap:Reason><soap:Detail xsi:type=\"xsd:string\">List &amp;lt;x&amp;gt; unknown</soap:Detail></soap:Fault></soap:Body></soap:Envelope>"
        );
        let xml = fault(Version::Soap12, &Fault::server("x", None));
        assert!(xml.contains("<soap:Value>soap:Receiver</soap:Value>"));
        assert!(!xml.contains("Detail"));
        well_formed(&xml);
    }

    #[test]
    fn the_conformant_mode_writes_what_the_wsdl_says() {
        let mode = Mode::Conformant {
            target_namespace: "http://h/s?a=1&b=\"2\"/wsdl".into(),
        };
        let login = Reply {
            accessor: "result",
            value: s("12345678901234"),
        };
        let xml = response(Version::Soap11, "login", &login, &mode);
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap:Envelope soap:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:tns=\"http://h/s?a=1&amp;b=&quot;2&quot;/wsdl\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soap:Body><ns1:loginResponse xmlns:ns1=\"urn:sympasoap\"><return xsi:type=\"xsd:string\">12345678901234</return></ns1:loginResponse></soap:Body></soap:Envelope>"
        );
        let mode = conformant();
        let check = Reply {
            accessor: "result",
            value: s("a@b"),
        };
        assert!(response(Version::Soap11, "checkCookie", &check, &mode)
            .contains("<ns1:checkCookieResponse xmlns:ns1=\"urn:sympasoap\"><email xsi:type=\"xsd:string\">a@b</email></ns1:checkCookieResponse>"));
        // info: the struct itself, typed.
        let list = Out::Struct(vec![
            ("listAddress", s("l@x")),
            ("isOwner", Out::Bool(true)),
        ]);
        let info = Reply {
            accessor: "soapenc:Array",
            value: Out::Array(vec![list.clone()]),
        };
        let body = "<return xsi:type=\"tns:listType\"><listAddress xsi:type=\"xsd:string\">l@x</listAddress><isOwner xsi:type=\"xsd:boolean\">true</isOwner></return>";
        assert!(response(Version::Soap11, "info", &info, &mode).contains(body));
        // ... also inside a run-wrapper.
        assert!(response(Version::Soap11, "authenticateAndRun", &info, &mode).contains(body));
        // Arrays of structs typed by their members; lists' part is listInfo.
        let lists = Reply {
            accessor: "listInfo",
            value: Out::Array(vec![list.clone(), list]),
        };
        let xml = response(Version::Soap11, "complexLists", &lists, &mode);
        assert!(xml.contains("<return soapenc:arrayType=\"tns:listType[2]\" xsi:type=\"soapenc:Array\"><item xsi:type=\"tns:listType\"><listAddress"), "{xml}");
        let names = Reply {
            accessor: "listInfo",
            value: Out::Array(vec![s("a"), s("b")]),
        };
        assert!(response(Version::Soap11, "lists", &names, &mode).contains("<listInfo soapenc:arrayType=\"xsd:string[2]\" xsi:type=\"soapenc:Array\"><item xsi:type=\"xsd:string\">a</item>"));
        let users = Reply {
            accessor: "return",
            value: Out::Array(vec![Out::Struct(vec![
                ("email", s("a@x")),
                ("gecos", s("")),
            ])]),
        };
        assert!(response(Version::Soap11, "fullReview", &users, &mode).contains("<return soapenc:arrayType=\"tns:userType[1]\" xsi:type=\"soapenc:Array\"><item xsi:type=\"tns:userType\"><email xsi:type=\"xsd:string\">a@x</email><gecos xsi:type=\"xsd:string\" /></item></return>"));
        // getDetails: detailsType holding an ArrayOfCustom.
        let details = Reply {
            accessor: "return",
            value: Out::Struct(vec![
                ("gecos", s("g")),
                (
                    "custom",
                    Out::Array(vec![Out::Struct(vec![("key", s("k")), ("value", s("v"))])]),
                ),
            ]),
        };
        assert!(response(Version::Soap11, "getDetails", &details, &mode).contains("<return xsi:type=\"tns:detailsType\"><gecos xsi:type=\"xsd:string\">g</gecos><custom soapenc:arrayType=\"tns:customType[1]\" xsi:type=\"soapenc:Array\"><item xsi:type=\"tns:customType\"><key"));
        // The empty review's `result` is a plain item.
        let empty = Reply {
            accessor: "return",
            value: Out::Array(vec![Out::Named("result", Box::new(s("no_subscribers")))]),
        };
        assert!(response(Version::Soap11, "review", &empty, &mode).contains("<return soapenc:arrayType=\"xsd:string[1]\" xsi:type=\"soapenc:Array\"><item xsi:type=\"xsd:string\">no_subscribers</item></return>"));
        // SOAP 1.2: encodingStyle on the response element, not the Envelope.
        let xml = response(Version::Soap12, "login", &login, &mode);
        assert!(
            xml.contains("<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\""),
            "{xml}"
        );
        assert!(xml.contains("<ns1:loginResponse xmlns:ns1=\"urn:sympasoap\" soap:encodingStyle=\"http://www.w3.org/2003/05/soap-encoding\">"), "{xml}");
        well_formed(&xml);
    }

    #[test]
    fn every_operation_has_a_conformant_accessor() {
        for op in crate::soap::wsdl::OPERATIONS {
            let expected = match op.name {
                "lists" => "listInfo",
                "checkCookie" => "email",
                _ => "return",
            };
            assert_eq!(output_part(op.name), Some(expected), "{}", op.name);
        }
        assert_eq!(output_part("noSuchMethod"), None);
    }
}
