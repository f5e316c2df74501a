//! The web's part of Sympa's SOAP door: the WSDL at `<base>/wsdl`, as WWSympa serves it, and the SOAP encoding schema it imports.

use serde::Serialize;

use crate::http::{Body, Response};
use crate::messages::{self, WebText};
use crate::soap::wsdl;
use crate::web::conditional::Validators;
use crate::web::ctx::Ctx;
use crate::web::outcome::Outcome;
use crate::web::Error;

/// `wsdl.html`: the document [`wsdl::wsdl`] writes for this site, and the two URLs it is
/// filled from, for a site that replaces the template with a WSDL of its own (Sympa's
/// `sympa.wsdl` template could be overridden too).
#[derive(Serialize)]
struct WsdlView {
    wsdl: String,
    wwsympa_url: String,
    soap_url: String,
}

/// `wsdl`: the WSDL of the SOAP API, `targetNamespace` `<wwsympa_url>/wsdl` and the service
/// at `soap_url`; `wsdl/soap-encoding.xsd`: the part of SOAP's encoding schema it imports.
/// `text/xml` as Sympa sends it, the same to everyone (no session is looked at or started),
/// with an ETag so that clients may keep it.
pub fn wsdl(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    ctx.validators = Some(Validators {
        etag: None,
        last_modified: None,
    });
    match ctx.param("part") {
        None | Some("") => {}
        Some(wsdl::ENCODING_SCHEMA_PART) => return Ok(xml(wsdl::ENCODING_SCHEMA.into())),
        Some(_) => {
            return Err(Error::NotFound(messages::web(
                &WebText::NoSuchDocument,
                &ctx.language,
            )))
        }
    }
    let view = WsdlView {
        wsdl: wsdl::wsdl(&ctx.config.wwsympa_url, &ctx.config.soap_url),
        wwsympa_url: ctx.config.wwsympa_url.clone(),
        soap_url: ctx.config.soap_url.clone(),
    };
    let xml_text = ctx
        .templates
        .render("web/wsdl.html", &view)
        .map_err(Error::Render)?;
    Ok(xml(xml_text))
}

/// A `text/xml` answer (no charset, as Sympa sends its WSDL).
fn xml(text: String) -> Outcome {
    Outcome::Response(Response {
        status: 200,
        headers: vec![("Content-Type".into(), "text/xml".into())],
        body: Body::Bytes(text.into_bytes()),
    })
}
