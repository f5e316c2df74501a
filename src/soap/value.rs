//! What a SOAP call carries in and what its answer carries out, with no XML: the seam between the envelope and the operations.

/// The SOAP version of an envelope: the answer is written in the request's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// SOAP 1.1 (`http://schemas.xmlsoap.org/soap/envelope/`), what every Sympa client sends.
    Soap11,
    /// SOAP 1.2 (`http://www.w3.org/2003/05/soap-envelope`); answered in SOAP 1.2 namespaces,
    /// as SOAP::Lite does.
    Soap12,
}

/// One parameter as a client sent it, read by position (element names are ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    /// `xsi:nil="true"`, or a trailing parameter the client left out.
    Nil,
    /// A scalar: text as sent (an empty element is `""`), `xsd:base64Binary` decoded (UTF-8,
    /// what SOAP::Lite sends for any non-ASCII string), `xsd:boolean` as `true` or `false`,
    /// numbers as their digits (a session id may start with `0`).
    Text(String),
    /// A SOAP-ENC array (or an untyped element whose children are all `item`): its values.
    Array(Vec<Param>),
    /// Any other element with children: its members by name, in order.
    Struct(Vec<(String, Param)>),
}

impl Param {
    /// The text of a scalar; `None` for nil, arrays and structs.
    pub fn text(&self) -> Option<&str> {
        match self {
            Param::Text(text) => Some(text),
            _ => None,
        }
    }

    /// A boolean as SOAP clients send one: `true`/`1` and `false`/`0` (any case, trimmed);
    /// nil and the empty string are false; anything else is `None`.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Param::Nil => Some(false),
            Param::Text(text) => match text.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => Some(true),
                "false" | "0" | "" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }
}

/// A parsed request: which operation, with which parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The envelope's version.
    pub version: Version,
    /// The method element's local name (`lists`, `authenticateAndRun`).
    pub method: String,
    /// The method element's namespace URI (`urn:sympasoap` for every real call; the door
    /// refuses any other, after checking SOAPAction against it as SOAP::Lite does).
    pub namespace: String,
    /// The parameters, by position.
    pub params: Vec<Param>,
}

impl Call {
    /// Parameter `index`, [`Param::Nil`] when the client left it out.
    pub fn param(&self, index: usize) -> &Param {
        self.params.get(index).unwrap_or(&Param::Nil)
    }
}

/// A value in an answer, typed as Sympa types it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Out {
    /// `xsi:nil="true"`.
    Nil,
    /// `xsd:string`.
    Str(String),
    /// `xsd:boolean`, written `true` or `false`.
    Bool(bool),
    /// `xsd:int`.
    Int(i64),
    /// A SOAP-ENC array of `item`s: `xsd:string[N]` when every item is a string,
    /// `xsd:anyType[N]` otherwise and always when empty.
    Array(Vec<Out>),
    /// An untyped struct, members in this order.
    Struct(Vec<(&'static str, Out)>),
    /// A value written under its own element name where an array would write `item`: Sympa's
    /// empty review is an `xsd:string[1]` array holding `<result>no_subscribers</result>`
    /// (`Out::Array(vec![Out::Named("result", Box::new(Out::Str("no_subscribers".into())))])`).
    /// It counts as its inner value for the array's type; the WSDL-conformant mode writes
    /// it as a plain `item`.
    Named(&'static str, Box<Out>),
}

/// A successful answer: the accessor element inside `<opResponse>` and its value.
///
/// The accessor is Sympa's, not its WSDL's (`result`, `listInfo`, `return`, `soapenc:Array`
/// for `info`); the WSDL-conformant mode renames it from the operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The accessor element's name.
    pub accessor: &'static str,
    /// Its value.
    pub value: Out,
}

/// Which side a fault blames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultCode {
    /// `soap:Client` (SOAP 1.2: `soap:Sender`).
    Client,
    /// `soap:Server` (SOAP 1.2: `soap:Receiver`).
    Server,
}

/// A SOAP fault, answered with HTTP 500 whatever its code, as SOAP::Lite does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// Client or Server.
    pub code: FaultCode,
    /// Sympa's faultstring for the case (clients match on it).
    pub string: String,
    /// The `<detail>` text; `None` writes no detail element.
    pub detail: Option<String>,
}

impl Fault {
    /// A Client fault.
    pub fn client(string: impl Into<String>, detail: Option<&str>) -> Fault {
        Fault {
            code: FaultCode::Client,
            string: string.into(),
            detail: detail.map(str::to_string),
        }
    }

    /// A Server fault.
    pub fn server(string: impl Into<String>, detail: Option<&str>) -> Fault {
        Fault {
            code: FaultCode::Server,
            string: string.into(),
            detail: detail.map(str::to_string),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_read_as_clients_send_them() {
        for (text, expected) in [
            ("true", Some(true)),
            ("1", Some(true)),
            (" TRUE ", Some(true)),
            ("false", Some(false)),
            ("0", Some(false)),
            ("", Some(false)),
            ("yes", None),
        ] {
            assert_eq!(Param::Text(text.into()).as_bool(), expected, "{text:?}");
        }
        assert_eq!(Param::Nil.as_bool(), Some(false));
        assert_eq!(Param::Array(Vec::new()).as_bool(), None);
    }

    #[test]
    fn a_missing_parameter_is_nil() {
        let call = Call {
            version: Version::Soap11,
            method: "lists".into(),
            namespace: crate::soap::NAMESPACE.into(),
            params: vec![Param::Text("a".into())],
        };
        assert_eq!(call.param(0).text(), Some("a"));
        assert_eq!(call.param(1), &Param::Nil);
        assert_eq!(call.param(1).text(), None);
    }
}
