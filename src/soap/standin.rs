//! TEMPORARY stand-in for the "soapwire" helper's `envelope` and `write` modules, with their signatures, so that the door compiles and is tested before theirs lands; removed at the merge, never on main.

/// Reading requests (stand-in for `soap::envelope`).
pub mod envelope {
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;
    use quick_xml::NsReader;

    use crate::soap::{Call, Fault, Param, Version, NAMESPACE};

    const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
    const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";

    /// SOAP::Lite's Content-Type check: the media type only.
    pub fn check_content_type(value: Option<&str>) -> Result<(), Fault> {
        let Some(value) = value else { return Ok(()) };
        let media = value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
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
            format!("Content-Type must be 'text/xml,' 'multipart/*,' 'application/soap+xml,' 'or 'application/dime' instead of '{media}'"),
            None,
        ))
    }

    fn bad(why: impl std::fmt::Display) -> Fault {
        Fault::client(
            format!("Application failed during request deserialization: \n{why}\n"),
            None,
        )
    }

    struct Node {
        name: String,
        nil: bool,
        base64: bool,
        array: bool,
        text: String,
        children: Vec<(String, Param)>,
    }

    /// Parses an envelope.
    pub fn parse(body: &[u8]) -> Result<Call, Fault> {
        let text = std::str::from_utf8(body).map_err(bad)?;
        let mut reader = NsReader::from_str(text);
        let mut version = None;
        let mut in_body = false;
        let mut method: Option<(String, String)> = None;
        let mut stack: Vec<Node> = Vec::new();
        let mut params = Vec::new();
        let mut depth = 0usize;
        loop {
            let (ns, event) = reader.read_resolved_event().map_err(bad)?;
            let ns = match ns {
                ResolveResult::Bound(ns) => ns.as_ref().to_string(),
                _ => String::new(),
            };
            match event {
                Event::DocType(_) => return Err(bad("a DOCTYPE is not accepted")),
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let empty = matches!(event, Event::Empty(_));
                    let local = e.local_name().as_ref().to_string();
                    depth += 1;
                    if depth > 64 {
                        return Err(bad("too deep"));
                    }
                    if version.is_none() {
                        version = match (ns.as_str(), local.as_str()) {
                            (SOAP11, "Envelope") => Some(Version::Soap11),
                            (SOAP12, "Envelope") => Some(Version::Soap12),
                            _ => return Err(bad("not a SOAP envelope")),
                        };
                    } else if !in_body && method.is_none() && local == "Body" {
                        in_body = true;
                    } else if in_body && method.is_none() {
                        method = Some((local, ns));
                    } else if method.is_some() {
                        let mut node = Node {
                            name: local,
                            nil: false,
                            base64: false,
                            array: false,
                            text: String::new(),
                            children: Vec::new(),
                        };
                        for attr in e.attributes().flatten() {
                            let key = attr.key.local_name().as_ref().to_string();
                            let value = attr
                                .normalized_value(quick_xml::XmlVersion::Explicit1_0)
                                .map_err(bad)?
                                .into_owned();
                            match key.as_str() {
                                "nil" => node.nil = value == "true" || value == "1",
                                "arrayType" => node.array = true,
                                "type" => {
                                    let t = value.rsplit(':').next().unwrap_or("");
                                    node.base64 = t == "base64Binary";
                                    node.array |= t == "Array" || t.starts_with("ArrayOf");
                                }
                                _ => {}
                            }
                        }
                        stack.push(node);
                    }
                    if empty {
                        close(&mut stack, &mut params, &mut depth)?;
                    }
                }
                Event::End(_) => close(&mut stack, &mut params, &mut depth)?,
                Event::Text(t) => {
                    if let Some(node) = stack.last_mut() {
                        node.text.push_str(&t.xml10_content());
                    }
                }
                Event::CData(t) => {
                    if let Some(node) = stack.last_mut() {
                        node.text.push_str(&t.xml10_content());
                    }
                }
                Event::GeneralRef(r) => {
                    let c = match r.resolve_char_ref().map_err(bad)? {
                        Some(c) => c,
                        None => match r.xml10_content().as_ref() {
                            "amp" => '&',
                            "lt" => '<',
                            "gt" => '>',
                            "quot" => '"',
                            "apos" => '\'',
                            _ => return Err(bad("unknown entity")),
                        },
                    };
                    if let Some(node) = stack.last_mut() {
                        node.text.push(c);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        let (Some(version), Some((method, namespace))) = (version, method) else {
            return Err(bad("no method in the body"));
        };
        Ok(Call {
            version,
            method,
            namespace,
            params,
        })
    }

    fn close(
        stack: &mut Vec<Node>,
        params: &mut Vec<Param>,
        depth: &mut usize,
    ) -> Result<(), Fault> {
        *depth = depth.saturating_sub(1);
        let Some(node) = stack.pop() else {
            return Ok(());
        };
        let value = if node.nil {
            Param::Nil
        } else if node.array
            || (!node.children.is_empty() && node.children.iter().all(|(n, _)| n == "item"))
        {
            Param::Array(node.children.into_iter().map(|(_, v)| v).collect())
        } else if !node.children.is_empty() {
            Param::Struct(node.children)
        } else if node.base64 {
            use base64::Engine;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(node.text.trim())
                .map_err(bad)?;
            Param::Text(String::from_utf8(bytes).map_err(bad)?)
        } else {
            Param::Text(node.text)
        };
        match stack.last_mut() {
            Some(parent) => parent.children.push((node.name, value)),
            None => params.push(value),
        }
        Ok(())
    }

    /// SOAPAction, optional; when given it must name the method.
    pub fn check_soap_action(value: Option<&str>, call: &Call) -> Result<(), Fault> {
        let Some(value) = value.map(|v| v.trim().trim_matches('"')) else {
            return Ok(());
        };
        if value.is_empty()
            || value == format!("{}#{}", call.namespace, call.method)
            || value == format!("{}/{}", call.namespace, call.method)
        {
            return Ok(());
        }
        Err(Fault::client(
            format!(
                "SOAPAction shall match 'uri#method' if present (got '{value}', expected '{}#{}'\n",
                call.namespace, call.method
            ),
            None,
        ))
    }

    /// The method must be in `urn:sympasoap`.
    pub fn check_namespace(call: &Call) -> Result<(), Fault> {
        if call.namespace == NAMESPACE {
            Ok(())
        } else {
            Err(Fault::client(
                format!(
                    "Denied access to method ({}) in class (main)\n",
                    call.method
                ),
                None,
            ))
        }
    }
}

/// Writing answers (stand-in for `soap::write`).
pub mod write {
    use crate::soap::{Fault, FaultCode, Out, Reply, Version};

    /// Which shapes.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Mode {
        /// Sympa's.
        Sympa,
        /// The WSDL's.
        Conformant,
    }

    fn frame(version: Version, inner: &str) -> String {
        let (soap, enc) = match version {
            Version::Soap11 => (
                "http://schemas.xmlsoap.org/soap/envelope/",
                "http://schemas.xmlsoap.org/soap/encoding/",
            ),
            Version::Soap12 => (
                "http://www.w3.org/2003/05/soap-envelope",
                "http://www.w3.org/2003/05/soap-encoding",
            ),
        };
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap:Envelope soap:encodingStyle=\"{enc}\" xmlns:soap=\"{soap}\" xmlns:soapenc=\"{enc}\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soap:Body>{inner}</soap:Body></soap:Envelope>")
    }

    fn escape(text: &str) -> String {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('\r', "&#xd;")
    }

    fn value(name: &str, out: &Out, into: &mut String) {
        match out {
            Out::Nil => into.push_str(&format!("<{name} xsi:nil=\"true\" />")),
            Out::Str(s) if s.is_empty() => {
                into.push_str(&format!("<{name} xsi:type=\"xsd:string\" />"))
            }
            Out::Str(s) => into.push_str(&format!(
                "<{name} xsi:type=\"xsd:string\">{}</{name}>",
                escape(s)
            )),
            Out::Bool(b) => {
                into.push_str(&format!("<{name} xsi:type=\"xsd:boolean\">{b}</{name}>"))
            }
            Out::Int(i) => into.push_str(&format!("<{name} xsi:type=\"xsd:int\">{i}</{name}>")),
            Out::Array(items) => {
                let kind = if !items.is_empty() && items.iter().all(|i| matches!(i, Out::Str(_))) {
                    "xsd:string"
                } else {
                    "xsd:anyType"
                };
                if items.is_empty() {
                    into.push_str(&format!("<{name} soapenc:arrayType=\"xsd:anyType[0]\" xsi:type=\"soapenc:Array\" />"));
                    return;
                }
                into.push_str(&format!(
                    "<{name} soapenc:arrayType=\"{kind}[{}]\" xsi:type=\"soapenc:Array\">",
                    items.len()
                ));
                for item in items {
                    value("item", item, into);
                }
                into.push_str(&format!("</{name}>"));
            }
            Out::Struct(members) => {
                into.push_str(&format!("<{name}>"));
                for (n, v) in members {
                    value(n, v, into);
                }
                into.push_str(&format!("</{name}>"));
            }
        }
    }

    /// An answer.
    pub fn response(version: Version, method: &str, reply: &Reply, _mode: Mode) -> String {
        let mut inner = format!("<{method}Response xmlns=\"urn:sympasoap\">");
        value(reply.accessor, &reply.value, &mut inner);
        inner.push_str(&format!("</{method}Response>"));
        frame(version, &inner)
    }

    /// A fault.
    pub fn fault(version: Version, fault: &Fault) -> String {
        let code = match fault.code {
            FaultCode::Client => "soap:Client",
            FaultCode::Server => "soap:Server",
        };
        let detail = match &fault.detail {
            None => String::new(),
            Some(d) if d.is_empty() => "<detail xsi:type=\"xsd:string\" />".into(),
            Some(d) => format!("<detail xsi:type=\"xsd:string\">{}</detail>", escape(d)),
        };
        frame(
            version,
            &format!(
                "<soap:Fault><faultcode>{code}</faultcode><faultstring>{}</faultstring>{detail}</soap:Fault>",
                escape(&fault.string)
            ),
        )
    }
}
