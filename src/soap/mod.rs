//! Sympa's SOAP door (`urn:sympasoap`): envelopes read and written as Sympa's SOAP::Lite does, and its 24 operations run through [`crate::operations`].
//!
//! Programs written against Sympa's SOAP server (Perl SOAP::Lite, PHP SoapClient, Java and
//! .NET stubs) must work unchanged: the wire facts and the compatibility checklist are in
//! `reference/soap.md`, and the captured exchanges with the real Sympa in
//! `reference/soap-wire/` are replayed by the tests.
//!
//! - [`value`]: what a call carries in ([`Call`], [`Param`]) and what an answer carries out
//!   ([`Reply`], [`Out`], [`Fault`]); no XML.
//! - [`service`]: [`SoapApp`], the door as an HTTP service: path, method, the checks in
//!   SOAP::Lite's order, the session cookies (the web's sessions), 500 for faults, 503 when
//!   the database is out of reach.
//! - [`ops`]: the 24 operations: who the call acts for (session, `authenticateAndRun`'s
//!   session, a trusted application's `USER_EMAIL`), parameters by position, Sympa's
//!   accessor names and shapes.
//! - [`faults`]: refusals as Sympa's faults, operation by operation.
//! - [`trusted`]: `trusted_applications.conf` (Sympa's MD5 or our argon2id hash).
//! - [`envelope`]: reading a request (Content-Type, SOAPAction, the envelope into a
//!   [`Call`]), hardened against hostile XML.
//! - [`write`]: writing an answer or a fault, byte for byte as SOAP::Lite does, or in the
//!   opt-in WSDL-conformant form.
//! - [`wsdl`]: our WSDL document for the 24 operations and the SOAP encoding schema it
//!   imports, served by the web at `<base>/wsdl` and `<base>/wsdl/soap-encoding.xsd`.
//! - `golden` (tests only): the captures in `tests/data/soap-wire/` read into exchanges, and
//!   Sympa's answers read back into [`Out`] values with struct members in the WSDL's order.

pub mod envelope;
pub mod faults;
#[cfg(test)]
mod golden;
pub mod ops;
pub mod service;
pub mod trusted;
pub mod value;
pub mod write;
pub mod wsdl;

pub use service::SoapApp;
pub use value::{Call, Fault, FaultCode, Out, Param, Reply, Version};

/// The namespace of every operation.
pub const NAMESPACE: &str = "urn:sympasoap";
