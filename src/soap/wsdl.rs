//! Our WSDL 1.1 document for the 24 operations of Sympa 6.2.80 (`urn:sympasoap`, RPC/encoded), filled in from the configuration, and the table of operations and message parts it is written from.
//!
//! Message part names and types are Sympa's, so that clients generated from Sympa's WSDL (PHP
//! SoapClient in WSDL mode, Perl `SOAP::Lite->service`) send the same requests; the
//! `xsd:minOccurs="0"` marks on optional parts are kept as Sympa writes them (not WSDL 1.1,
//! but what those clients have always read). Where Sympa's WSDL is wrong we say what is sent:
//!
//! - `which` and `lists` answer arrays of strings (`tns:ArrayOfString`), not one `xsd:string`;
//! - `detailsType`'s `subscribeDate` and `updateDate` are `int` (Unix time), as Sympa sends them;
//! - `setCustom` has messages of its own (6.2.80 declares two messages named `setCustom` and
//!   none of the names its portType uses);
//! - `moveUser` (6.2.78+) is described.
//!
//! The types' schema imports SOAP 1.1's encoding schema (for `SOAP-ENC:Array`) from
//! [`ENCODING_SCHEMA_PART`] below the WSDL's own URL, where the web serves
//! [`ENCODING_SCHEMA`] (checklist 31): WSDL-driven clients then need nothing from
//! `schemas.xmlsoap.org` (zeep otherwise fetches it, and fails offline). PHP SoapClient, Perl
//! `SOAP::Lite->service` and zeep 4.2 were run against this document (Debian 12's).
//!
//! The answers Sympa actually sends still differ from this document (accessor names, `info` as
//! an array, untyped structs: reference/soap.md §3); [`super::write::Mode::Conformant`] sends
//! what it says.

use super::write::escape_attribute;
use super::NAMESPACE;

/// One operation: its name, its input parts and its output part, each `(name, type)`, and
/// which input parts are optional.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    /// The operation (and method element) name.
    pub name: &'static str,
    /// Input parts in order: name, type, optional.
    pub input: &'static [(&'static str, &'static str, bool)],
    /// The output part: name, type.
    pub output: (&'static str, &'static str),
}

const STRING: &str = "xsd:string";
const BOOLEAN: &str = "xsd:boolean";

/// The 24 operations, in Sympa 6.2.80's portType order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "info",
        input: &[("listName", STRING, false)],
        output: ("return", "tns:listType"),
    },
    Operation {
        name: "complexWhich",
        input: &[],
        output: ("return", "tns:ArrayOfLists"),
    },
    Operation {
        name: "which",
        input: &[],
        output: ("return", "tns:ArrayOfString"),
    },
    Operation {
        name: "amI",
        input: &[
            ("list", STRING, false),
            ("function", STRING, false),
            ("user", STRING, false),
        ],
        output: ("return", BOOLEAN),
    },
    Operation {
        name: "add",
        input: &[
            ("list", STRING, false),
            ("email", STRING, false),
            ("gecos", STRING, true),
            ("quiet", BOOLEAN, true),
        ],
        output: ("return", BOOLEAN),
    },
    Operation {
        name: "del",
        input: &[
            ("list", STRING, false),
            ("email", STRING, false),
            ("quiet", BOOLEAN, true),
        ],
        output: ("return", BOOLEAN),
    },
    Operation {
        name: "createList",
        input: &[
            ("list", STRING, false),
            ("subject", STRING, false),
            ("template", STRING, false),
            ("description", STRING, false),
            ("topics", STRING, false),
        ],
        output: ("return", BOOLEAN),
    },
    Operation {
        name: "closeList",
        input: &[("list", STRING, false)],
        output: ("return", BOOLEAN),
    },
    Operation {
        name: "review",
        input: &[("list", STRING, false)],
        output: ("return", "tns:ArrayOfString"),
    },
    Operation {
        name: "fullReview",
        input: &[("list", STRING, false)],
        output: ("return", "tns:ArrayOfUsers"),
    },
    Operation {
        name: "subscribe",
        input: &[("list", STRING, false), ("gecos", STRING, true)],
        output: ("return", BOOLEAN),
    },
    Operation {
        name: "signoff",
        input: &[("list", STRING, false), ("email", STRING, true)],
        output: ("return", BOOLEAN),
    },
    Operation {
        name: "login",
        input: &[("email", STRING, false), ("password", STRING, false)],
        output: ("return", STRING),
    },
    Operation {
        name: "casLogin",
        input: &[("proxyTicket", STRING, false)],
        output: ("return", STRING),
    },
    Operation {
        name: "getUserEmailByCookie",
        input: &[("cookie", STRING, false)],
        output: ("return", STRING),
    },
    Operation {
        name: "authenticateAndRun",
        input: &[
            ("email", STRING, false),
            ("cookie", STRING, false),
            ("service", STRING, false),
            ("parameters", "tns:ArrayOfString", true),
        ],
        output: ("return", "tns:ArrayOfString"),
    },
    Operation {
        name: "authenticateRemoteAppAndRun",
        input: &[
            ("appname", STRING, false),
            ("apppassword", STRING, false),
            ("vars", STRING, false),
            ("service", STRING, false),
            ("parameters", "tns:ArrayOfString", true),
        ],
        output: ("return", "tns:ArrayOfString"),
    },
    Operation {
        name: "lists",
        input: &[("topic", STRING, true), ("subtopic", STRING, true)],
        output: ("listInfo", "tns:ArrayOfString"),
    },
    Operation {
        name: "complexLists",
        input: &[],
        output: ("return", "tns:ArrayOfLists"),
    },
    Operation {
        name: "checkCookie",
        input: &[],
        output: ("email", STRING),
    },
    Operation {
        name: "getDetails",
        input: &[("list", STRING, false)],
        output: ("return", "tns:detailsType"),
    },
    Operation {
        name: "setDetails",
        input: &[
            ("list", STRING, false),
            ("gecos", STRING, false),
            ("reception", STRING, true),
            ("custom", "tns:ArrayOfCustom", true),
        ],
        output: ("return", BOOLEAN),
    },
    Operation {
        name: "setCustom",
        input: &[
            ("list", STRING, false),
            ("key", STRING, false),
            ("value", STRING, true),
        ],
        output: ("return", BOOLEAN),
    },
    Operation {
        name: "moveUser",
        input: &[("current_email", STRING, false), ("email", STRING, false)],
        output: ("return", BOOLEAN),
    },
];

/// The last path segment of the encoding schema's URL, below `<wwsympa_url>/wsdl/`.
pub const ENCODING_SCHEMA_PART: &str = "soap-encoding.xsd";

/// The parts of SOAP 1.1's encoding schema (`http://schemas.xmlsoap.org/soap/encoding/`) our
/// WSDL uses: the `arrayType` attribute and the `Array` type its array types restrict. It
/// names no type of its own namespace (zeep would then try to import that namespace from
/// the Internet), so `Array` takes any attribute.
pub const ENCODING_SCHEMA: &str = r###"<?xml version="1.0" encoding="UTF-8"?>
<!-- What wwsympa's WSDL uses of SOAP 1.1's encoding schema. -->
<schema xmlns="http://www.w3.org/2001/XMLSchema" targetNamespace="http://schemas.xmlsoap.org/soap/encoding/">
  <attribute name="arrayType" type="string"/>
  <attribute name="offset" type="string"/>
  <complexType name="Array">
    <sequence>
      <any namespace="##any" minOccurs="0" maxOccurs="unbounded" processContents="lax"/>
    </sequence>
    <anyAttribute namespace="##any" processContents="lax"/>
  </complexType>
  <complexType name="Struct">
    <sequence>
      <any namespace="##any" minOccurs="0" maxOccurs="unbounded" processContents="lax"/>
    </sequence>
    <anyAttribute namespace="##any" processContents="lax"/>
  </complexType>
</schema>
"###;

/// The WSDL's `targetNamespace` (and its types' namespace) for a site: `<wwsympa_url>/wsdl`,
/// as Sympa names it. [`super::write::Mode::Conformant`] needs it.
pub fn target_namespace(wwsympa_url: &str) -> String {
    format!("{}/wsdl", wwsympa_url.trim_end_matches('/'))
}

/// The struct types: name and members (name, type, required).
/// A struct member: name, XML Schema type, required.
pub type Member = (&'static str, &'static str, bool);

const STRUCTS: &[(&str, &[Member])] = &[
    (
        "listType",
        &[
            ("listAddress", "string", true),
            ("homepage", "string", false),
            ("isSubscriber", "boolean", false),
            ("isOwner", "boolean", false),
            ("isEditor", "boolean", false),
            ("subject", "string", false),
            ("info", "string", false),
            ("firstBounceDate", "int", false),
            ("lastBounceDate", "int", false),
            ("bounceCount", "int", false),
            ("bounceCode", "string", false),
            ("bounceScore", "int", false),
        ],
    ),
    (
        "userType",
        &[
            ("email", "string", true),
            ("gecos", "string", false),
            ("isSubscriber", "boolean", false),
            ("isOwner", "boolean", false),
            ("isEditor", "boolean", false),
        ],
    ),
    (
        "customType",
        &[("key", "string", true), ("value", "string", false)],
    ),
    (
        "detailsType",
        &[
            ("gecos", "string", false),
            ("reception", "string", false),
            ("subscribeDate", "int", false),
            ("updateDate", "int", false),
            ("custom", "tns:ArrayOfCustom", false),
        ],
    ),
];

/// The array types: name and item type.
const ARRAYS: &[(&str, &str)] = &[
    ("ArrayOfLists", "tns:listType[]"),
    ("ArrayOfUsers", "tns:userType[]"),
    ("ArrayOfString", "xsd:string[]"),
    ("ArrayOfCustom", "tns:customType[]"),
];

/// The members of a struct type (`listType`, `userType`, `customType`, `detailsType`) in
/// the WSDL's order, which is the order our answers use (checklist 17; Sympa's is random):
/// name, XML Schema type, required. Empty for an unknown type.
pub fn members_of(type_name: &str) -> &'static [Member] {
    STRUCTS
        .iter()
        .find(|(name, _)| *name == type_name)
        .map(|(_, members)| *members)
        .unwrap_or(&[])
}

/// Our WSDL for a site: `targetNamespace` `<wwsympa_url>/wsdl`, the service at `soap_url`,
/// both escaped for XML.
pub fn wsdl(wwsympa_url: &str, soap_url: &str) -> String {
    let mut tns = String::new();
    escape_attribute(&mut tns, &target_namespace(wwsympa_url));
    let mut location = String::new();
    escape_attribute(&mut location, soap_url);
    let mut encoding_location = String::new();
    escape_attribute(
        &mut encoding_location,
        &format!("{}/{ENCODING_SCHEMA_PART}", target_namespace(wwsympa_url)),
    );
    let encoding = super::envelope::SOAP11_ENC;

    let mut w = String::with_capacity(24 * 1024);
    w.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    w.push_str("<!-- Sympa's SOAP API (urn:sympasoap) as served by wwsympa -->\n");
    w.push_str(&format!(
        "<definitions name=\"Sympa\" targetNamespace=\"{tns}\"\n  xmlns=\"http://schemas.xmlsoap.org/wsdl/\"\n  xmlns:soap=\"http://schemas.xmlsoap.org/wsdl/soap/\"\n  xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"\n  xmlns:tns=\"{tns}\">\n\n"
    ));

    w.push_str(&format!(
        "  <types>\n    <schema xmlns=\"http://www.w3.org/2001/XMLSchema\" targetNamespace=\"{tns}\"\n      xmlns:SOAP-ENC=\"{encoding}\" xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\">\n      <import namespace=\"{encoding}\" schemaLocation=\"{encoding_location}\"/>\n"
    ));
    for (name, item) in ARRAYS {
        w.push_str(&format!(
            "      <complexType name=\"{name}\">\n        <complexContent>\n          <restriction base=\"SOAP-ENC:Array\">\n            <attribute ref=\"SOAP-ENC:arrayType\" wsdl:arrayType=\"{item}\"/>\n          </restriction>\n        </complexContent>\n      </complexType>\n"
        ));
    }
    for (name, members) in STRUCTS {
        w.push_str(&format!(
            "      <complexType name=\"{name}\">\n        <all>\n"
        ));
        for (member, ty, required) in members.iter() {
            w.push_str(&format!(
                "          <element name=\"{member}\" type=\"{ty}\" minOccurs=\"{}\"/>\n",
                u8::from(*required)
            ));
        }
        w.push_str("        </all>\n      </complexType>\n");
    }
    w.push_str("    </schema>\n  </types>\n\n");

    for op in OPERATIONS {
        w.push_str(&format!("  <message name=\"{}Request\">\n", op.name));
        for (part, ty, optional) in op.input {
            let optional = if *optional {
                " xsd:minOccurs=\"0\""
            } else {
                ""
            };
            w.push_str(&format!(
                "    <part name=\"{part}\" type=\"{ty}\"{optional}/>\n"
            ));
        }
        w.push_str("  </message>\n");
        w.push_str(&format!(
            "  <message name=\"{}Response\">\n    <part name=\"{}\" type=\"{}\"/>\n  </message>\n",
            op.name, op.output.0, op.output.1
        ));
    }

    w.push_str("\n  <portType name=\"SympaPort\">\n");
    for op in OPERATIONS {
        w.push_str(&format!(
            "    <operation name=\"{0}\">\n      <input message=\"tns:{0}Request\"/>\n      <output message=\"tns:{0}Response\"/>\n    </operation>\n",
            op.name
        ));
    }
    w.push_str("  </portType>\n\n");

    w.push_str("  <binding name=\"SOAP\" type=\"tns:SympaPort\">\n    <soap:binding style=\"rpc\" transport=\"http://schemas.xmlsoap.org/soap/http\"/>\n");
    let body = format!(
        "<soap:body use=\"encoded\" namespace=\"{NAMESPACE}\" encodingStyle=\"{encoding}\"/>"
    );
    for op in OPERATIONS {
        w.push_str(&format!(
            "    <operation name=\"{0}\">\n      <soap:operation soapAction=\"{NAMESPACE}#{0}\"/>\n      <input>{body}</input>\n      <output>{body}</output>\n    </operation>\n",
            op.name
        ));
    }
    w.push_str("  </binding>\n\n");

    w.push_str(&format!(
        "  <service name=\"SympaSOAP\">\n    <port name=\"SympaPort\" binding=\"tns:SOAP\">\n      <soap:address location=\"{location}\"/>\n    </port>\n  </service>\n</definitions>\n"
    ));
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::golden::{self, Node};

    fn document(xml: &str) -> Node {
        golden::tree(xml).1
    }

    fn children<'a>(node: &'a Node, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        node.children.iter().filter(move |c| c.name == name)
    }

    /// Message name -> its parts (name, type), in order.
    fn messages(root: &Node) -> Vec<(String, Vec<(String, String)>)> {
        children(root, "message")
            .map(|m| {
                let parts = children(m, "part")
                    .map(|p| {
                        (
                            p.attr("name").unwrap().to_string(),
                            p.attr("type").unwrap().to_string(),
                        )
                    })
                    .collect();
                (m.attr("name").unwrap().to_string(), parts)
            })
            .collect()
    }

    fn parts<'a>(
        messages: &'a [(String, Vec<(String, String)>)],
        name: &str,
    ) -> &'a [(String, String)] {
        &messages
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no message {name}"))
            .1
    }

    #[test]
    fn the_24_operations_are_described_and_bound() {
        assert_eq!(OPERATIONS.len(), 24);
        let xml = wsdl(
            "https://lists.example.org/sympa",
            "https://lists.example.org/sympasoap",
        );
        let root = document(&xml);
        assert_eq!(root.name, "definitions");
        assert_eq!(
            root.attr("targetNamespace"),
            Some("https://lists.example.org/sympa/wsdl")
        );
        let messages = messages(&root);
        let port = children(&root, "portType").next().unwrap();
        let binding = children(&root, "binding").next().unwrap();
        let ops: Vec<&str> = children(port, "operation")
            .map(|o| o.attr("name").unwrap())
            .collect();
        let names: Vec<&str> = OPERATIONS.iter().map(|o| o.name).collect();
        assert_eq!(ops, names);
        for op in children(port, "operation") {
            let name = op.attr("name").unwrap();
            let input = children(op, "input")
                .next()
                .unwrap()
                .attr("message")
                .unwrap();
            let output = children(op, "output")
                .next()
                .unwrap()
                .attr("message")
                .unwrap();
            // Every message the portType names exists.
            parts(&messages, input.strip_prefix("tns:").unwrap());
            parts(&messages, output.strip_prefix("tns:").unwrap());
            let bound = children(binding, "operation")
                .find(|b| b.attr("name") == Some(name))
                .unwrap_or_else(|| panic!("{name} not bound"));
            assert_eq!(
                bound.find("soap:operation").unwrap().attr("soapAction"),
                Some(format!("urn:sympasoap#{name}").as_str())
            );
            for side in ["input", "output"] {
                let body = children(bound, side)
                    .next()
                    .unwrap()
                    .find("soap:body")
                    .unwrap();
                assert_eq!(body.attr("namespace"), Some("urn:sympasoap"), "{name}");
                assert_eq!(body.attr("use"), Some("encoded"), "{name}");
            }
        }
        let service = children(&root, "service").next().unwrap();
        assert_eq!(
            service.find("soap:address").unwrap().attr("location"),
            Some("https://lists.example.org/sympasoap")
        );
        // Every type a part or a member names is declared.
        let schema = root.find("schema").unwrap();
        let declared: Vec<String> = children(schema, "complexType")
            .map(|t| format!("tns:{}", t.attr("name").unwrap()))
            .collect();
        for (_, parts) in &messages {
            for (_, ty) in parts {
                assert!(
                    ty.starts_with("xsd:") || declared.contains(ty),
                    "{ty} undeclared"
                );
            }
        }
    }

    #[test]
    fn message_parts_are_sympas() {
        // The 20 operations of Sympa's 6.2.70 WSDL (capture 00): the same request parts,
        // and the same response parts but where Sympa's WSDL says a string for an array.
        let sympa = document(golden::one("00-").response_text());
        let sympa = messages(&sympa);
        let ours = document(&wsdl(
            "http://127.0.0.1:8081/sympa",
            "http://127.0.0.1:8081/sympasoap",
        ));
        let ours = messages(&ours);
        assert_eq!(sympa.len(), 40);
        for (name, sympa_parts) in &sympa {
            let mut expected = sympa_parts.clone();
            if name == "whichResponse" || name == "listsResponse" {
                assert_eq!(expected[0].1, "xsd:string");
                expected[0].1 = "tns:ArrayOfString".into();
            }
            assert_eq!(parts(&ours, name), expected.as_slice(), "{name}");
        }
        // The four 6.2.80 added (read from its sympa.wsdl), moveUser with its 6.2.78 parts.
        let named =
            |m: &str| -> Vec<String> { parts(&ours, m).iter().map(|(n, _)| n.clone()).collect() };
        assert_eq!(named("getDetailsRequest"), ["list"]);
        assert_eq!(
            named("setDetailsRequest"),
            ["list", "gecos", "reception", "custom"]
        );
        assert_eq!(named("setCustomRequest"), ["list", "key", "value"]);
        assert_eq!(named("moveUserRequest"), ["current_email", "email"]);
        // The types Sympa's clients deserialise into, with Sympa's members.
        let root = document(&wsdl("http://h/sympa", "http://h/sympasoap"));
        let schema = root.find("schema").unwrap();
        let members = |t: &str| -> Vec<String> {
            children(schema, "complexType")
                .find(|c| c.attr("name") == Some(t))
                .unwrap()
                .find("all")
                .unwrap()
                .children
                .iter()
                .map(|e| e.attr("name").unwrap().to_string())
                .collect()
        };
        assert_eq!(
            members("userType"),
            ["email", "gecos", "isSubscriber", "isOwner", "isEditor"]
        );
        assert_eq!(members("listType")[0], "listAddress");
        assert_eq!(members("listType").len(), 12);
    }

    #[test]
    fn urls_are_escaped_and_a_trailing_slash_dropped() {
        let xml = wsdl("http://h/s?a=1&b=\"x\"/", "http://h/soap?x=<1>&y");
        assert!(xml.contains(r#"targetNamespace="http://h/s?a=1&amp;b=&quot;x&quot;/wsdl""#));
        assert!(xml.contains(r#"location="http://h/soap?x=&lt;1&gt;&amp;y""#));
        let root = document(&xml);
        assert_eq!(
            root.find("soap:address").unwrap().attr("location"),
            Some("http://h/soap?x=&lt;1&gt;&amp;y")
        );
        assert_eq!(target_namespace("http://h/sympa/"), "http://h/sympa/wsdl");
    }

    #[test]
    fn the_encoding_schema_is_imported_from_below_the_wsdl() {
        let root = document(&wsdl("https://h/sympa", "https://h/sympasoap"));
        let import = root.find("schema").unwrap().find("import").unwrap();
        assert_eq!(
            import.attr("namespace"),
            Some("http://schemas.xmlsoap.org/soap/encoding/")
        );
        assert_eq!(
            import.attr("schemaLocation"),
            Some("https://h/sympa/wsdl/soap-encoding.xsd")
        );
        let schema = document(ENCODING_SCHEMA);
        assert_eq!(
            schema.attr("targetNamespace"),
            Some("http://schemas.xmlsoap.org/soap/encoding/")
        );
        // What the WSDL refers to in that namespace is declared there.
        assert!(schema
            .children
            .iter()
            .any(|c| c.name == "complexType" && c.attr("name") == Some("Array")));
        assert!(schema
            .children
            .iter()
            .any(|c| c.name == "attribute" && c.attr("name") == Some("arrayType")));
        // And nothing of its own namespace is referred to (zeep would fetch it).
        assert!(!ENCODING_SCHEMA.contains("ref="));
        assert!(!ENCODING_SCHEMA.contains("xmlns:"));
    }

    #[test]
    fn struct_members_in_the_wsdls_order() {
        let names: Vec<&str> = members_of("detailsType").iter().map(|m| m.0).collect();
        assert_eq!(
            names,
            [
                "gecos",
                "reception",
                "subscribeDate",
                "updateDate",
                "custom"
            ]
        );
        assert!(members_of("noSuchType").is_empty());
    }
}
