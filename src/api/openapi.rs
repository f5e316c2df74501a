//! The OpenAPI 3.1 document, derived from the handlers' annotations and the JSON types (never written by hand), with the server URL from `wwsympa_url` and the bearer scheme.

use std::sync::OnceLock;

use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, HttpMethod, RefOr, Server};
use utoipa::{Modify, OpenApi};

use crate::config::Config;
use crate::http::{Body, Response};

use super::error::{ErrorBody, ErrorDetail};
use super::types;

/// The document's paths and schemas, as the handlers declare them.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "wwsympa JSON API",
        description = "Mailing lists: the same operations as the web interface, for programs. Errors are `{\"error\": {\"code\", \"message\", \"field\"}}` with stable codes.",
        license(name = "GPL-2.0-or-later", identifier = "GPL-2.0-or-later"),
    ),
    paths(
        super::lists::list_lists,
        super::lists::create_list,
        super::lists::get_list,
        super::lists::close_list,
        super::members::list_members,
        super::members::add_member,
        super::members::get_member,
        super::members::update_member,
        super::members::delete_member,
        super::members::list_admins,
        super::members::subscribe,
        super::members::signoff,
        super::requests::list_requests,
        super::requests::decide,
        super::me::get_me,
        super::me::my_lists,
    ),
    components(schemas(
        ErrorBody,
        ErrorDetail,
        types::ListItem,
        types::ListPage,
        types::ListDetail,
        types::RolesJson,
        types::PermissionsJson,
        types::AdminJson,
        types::AdminList,
        types::MemberJson,
        types::MemberPage,
        types::AddMember,
        types::MemberPatch,
        types::MembershipRequest,
        types::RequestOutcome,
        types::Me,
        types::MyList,
        types::MyLists,
        types::NewListJson,
        types::CreatedList,
        types::PendingJson,
        types::PendingList,
        types::DecisionJson,
        types::Done,
    )),
    modifiers(&Common),
)]
struct Document;

/// What every operation shares: the bearer scheme, and the errors any call can get.
struct Common;

/// Errors any call can get, with what they mean.
const ANY_CALL: &[(&str, &str)] = &[
    (
        "400",
        "The path, query or body cannot be read (`bad_path`, `bad_query`, `malformed_json`).",
    ),
    (
        "401",
        "A token that is not valid (`invalid_token`), or a call that needs one (`login_required`).",
    ),
    (
        "500",
        "Something went wrong on the server (`internal`); nothing of it is told.",
    ),
    (
        "503",
        "The database cannot answer just now (`unavailable`); see Retry-After.",
    ),
];

/// Errors any call with a body can get.
const WITH_BODY: &[(&str, &str)] = &[
    (
        "403",
        "A read token calling what changes something (`insufficient_scope`), or not allowed.",
    ),
    ("413", "The body is over 64 KiB."),
    (
        "415",
        "The body is not `application/json` (`unsupported_media_type`).",
    ),
    (
        "422",
        "The body does not have the expected shape (`invalid_body`).",
    ),
];

impl Modify for Common {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token made on the web interface's API tokens page (`wws_…`).",
                    ))
                    .build(),
            ),
        );
        let error = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        Content::new(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                            "ErrorBody",
                        )))),
                    )
                    .build(),
            )
        };
        for item in openapi.paths.paths.values_mut() {
            for (method, operation) in [
                (HttpMethod::Get, item.get.as_mut()),
                (HttpMethod::Post, item.post.as_mut()),
                (HttpMethod::Patch, item.patch.as_mut()),
                (HttpMethod::Delete, item.delete.as_mut()),
            ] {
                let Some(operation) = operation else { continue };
                let responses = &mut operation.responses.responses;
                let mut add = |list: &[(&str, &str)]| {
                    for (status, description) in list {
                        responses
                            .entry(status.to_string())
                            .or_insert_with(|| error(description));
                    }
                };
                add(ANY_CALL);
                if matches!(
                    method,
                    HttpMethod::Post | HttpMethod::Patch | HttpMethod::Delete
                ) {
                    add(WITH_BODY);
                }
            }
        }
    }
}

/// The document for `config`: the server is `<wwsympa_url>/api/v1`.
pub fn document(config: &Config) -> utoipa::openapi::OpenApi {
    let mut openapi = Document::openapi();
    openapi.info.version = env!("CARGO_PKG_VERSION").to_string();
    openapi.servers = Some(vec![Server::new(format!(
        "{}/api/v1",
        config.wwsympa_url.trim_end_matches('/')
    ))]);
    openapi
}

/// The document as served, made once per configuration URL.
pub fn response(config: &Config) -> Response {
    /// The document last made, with the URL it was made for.
    type Made = Option<(String, Vec<u8>)>;
    static CACHE: OnceLock<std::sync::Mutex<Made>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut slot = cache.lock().unwrap_or_else(|p| p.into_inner());
    let body = match slot.as_ref() {
        Some((url, body)) if *url == config.wwsympa_url => body.clone(),
        _ => {
            let body = document(config)
                .to_json()
                .map(String::into_bytes)
                .unwrap_or_default();
            *slot = Some((config.wwsympa_url.clone(), body.clone()));
            body
        }
    };
    Response {
        status: 200,
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("Cache-Control".into(), "public, max-age=300".into()),
        ],
        body: Body::Bytes(body),
    }
}
