//! Fuzz target: `soap::envelope::parse` on arbitrary bytes, with what it reads written back as an answer and read again as the oracle.
//!
//! Whatever parses must be bounded (no more parameter nodes than the element limit, no
//! deeper than the depth limit, no more text than the input holds), and each parameter,
//! written as a SOAP::Lite-style answer in both SOAP versions, must parse again to the same
//! value (up to what XML cannot carry: such characters come back as U+FFFD, an empty struct
//! as ""). The WSDL-conformant answer and a fault naming the method must be written without
//! a panic and parse too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wwsympa::soap::envelope::{parse, MAX_DEPTH, MAX_ELEMENTS};
use wwsympa::soap::write::{fault, response, Mode};
use wwsympa::soap::{Fault, Out, Param, Reply, Version};

/// Parameter nodes, deepest nesting (a parameter is at depth 1) and text bytes.
fn measure(param: &Param, depth: usize, nodes: &mut usize, deepest: &mut usize, text: &mut usize) {
    *nodes += 1;
    *deepest = (*deepest).max(depth);
    match param {
        Param::Nil => {}
        Param::Text(t) => *text += t.len(),
        Param::Array(items) => {
            for item in items {
                measure(item, depth + 1, nodes, deepest, text);
            }
        }
        Param::Struct(members) => {
            for (name, value) in members {
                *text += name.len();
                measure(value, depth + 1, nodes, deepest, text);
            }
        }
    }
}

/// The answer value for a parameter (struct members all named `m`: the names are static).
fn out(param: &Param) -> Out {
    match param {
        Param::Nil => Out::Nil,
        Param::Text(t) => Out::Str(t.clone()),
        Param::Array(items) => Out::Array(items.iter().map(out).collect()),
        Param::Struct(members) => Out::Struct(members.iter().map(|(_, v)| ("m", out(v))).collect()),
    }
}

fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// What `out(param)`, written and read again, must be.
fn expected(param: &Param) -> Param {
    match param {
        Param::Nil => Param::Nil,
        Param::Text(t) => Param::Text(
            t.chars()
                .map(|c| if xml_char(c) { c } else { '\u{FFFD}' })
                .collect(),
        ),
        Param::Array(items) => Param::Array(items.iter().map(expected).collect()),
        Param::Struct(members) if members.is_empty() => Param::Text(String::new()),
        Param::Struct(members) => Param::Struct(
            members
                .iter()
                .map(|(_, v)| ("m".to_string(), expected(v)))
                .collect(),
        ),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(call) = parse(data) else { return };
    let (mut nodes, mut deepest, mut text) = (0, 0, call.method.len() + call.namespace.len());
    for param in &call.params {
        measure(param, 1, &mut nodes, &mut deepest, &mut text);
    }
    assert!(nodes + 3 <= MAX_ELEMENTS, "{nodes} parameter nodes");
    assert!(deepest + 3 <= MAX_DEPTH, "parameters {deepest} deep");
    assert!(
        text <= data.len(),
        "{text} bytes of text from {} bytes",
        data.len()
    );

    let conformant = Mode::Conformant {
        target_namespace: "http://h/sympa/wsdl".into(),
    };
    for version in [Version::Soap11, Version::Soap12] {
        for param in &call.params {
            let reply = Reply {
                accessor: "result",
                value: out(param),
            };
            let written = response(version, &call.method, &reply, &Mode::Sympa);
            let again = parse(written.as_bytes()).expect("our answer parses");
            assert_eq!(again.version, version);
            assert_eq!(again.params.len(), 1);
            assert_eq!(again.params[0], expected(param), "{written}");
            let written = response(version, &call.method, &reply, &conformant);
            parse(written.as_bytes()).expect("our conformant answer parses");
        }
        let f = Fault::client(call.method.clone(), Some(&call.namespace));
        let written = fault(version, &f);
        let again = parse(written.as_bytes()).expect("our fault parses");
        assert_eq!(again.version, version);
    }
});
