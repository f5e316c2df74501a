//! The API's error bodies: every refusal as `{"error": {"code", "message", "field"}}` with its HTTP status, and the API's own errors (token, scope, body, path).

use utoipa::ToSchema;

use crate::domain::Reason;
use crate::http::Response;
use crate::operations::{self, Field, Refusal};
use crate::store;

/// What went wrong, as sent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ToSchema)]
pub struct ErrorDetail {
    /// The stable code programs match on (`unknown_list`, `not_allowed`, `invalid_token`, …).
    pub code: &'static str,
    /// A sentence for people.
    pub message: String,
    /// The field of the request the error is about, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
    /// The custom attribute (its id) a `custom_attributes` error is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribute: Option<Box<str>>,
}

/// Every error answer's body.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// An error answer: status, body and the headers that go with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: ErrorBody,
    /// `Retry-After`, in seconds (429 and 503).
    pub retry_after: Option<u32>,
    /// `Allow` (405).
    pub allow: Option<&'static str>,
    /// `WWW-Authenticate` (401).
    pub authenticate: Option<&'static str>,
}

impl ApiError {
    /// An error with `status`, `code` and `message`.
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                error: ErrorDetail {
                    code,
                    message: message.into(),
                    field: None,
                    attribute: None,
                },
            },
            retry_after: None,
            allow: None,
            authenticate: None,
        }
    }

    /// The same, about `field`.
    pub fn with_field(mut self, field: &'static str) -> ApiError {
        self.body.error.field = Some(field);
        self
    }

    /// 404 for a path the API does not have.
    pub fn not_found() -> ApiError {
        ApiError::new(404, "not_found", "There is nothing at this address.")
    }

    /// 405 with the methods the path takes.
    pub fn method_not_allowed(allow: &'static str) -> ApiError {
        let mut error = ApiError::new(
            405,
            "method_not_allowed",
            "This address does not take this method.",
        );
        error.allow = Some(allow);
        error
    }

    /// 401 for a bearer token that is not a live one.
    pub fn invalid_token() -> ApiError {
        let mut error = ApiError::new(
            401,
            "invalid_token",
            "This token is not valid: it may be mistyped, revoked or expired.",
        );
        error.authenticate = Some("Bearer error=\"invalid_token\"");
        error
    }

    /// 403 for a read token calling what changes something.
    pub fn insufficient_scope() -> ApiError {
        let mut error = ApiError::new(
            403,
            "insufficient_scope",
            "This token may only read: make a token with the write scope for this.",
        );
        error.authenticate = Some("Bearer error=\"insufficient_scope\", scope=\"write\"");
        error
    }

    /// 503 when the database cannot answer.
    pub fn unavailable() -> ApiError {
        let mut error = ApiError::new(
            503,
            "unavailable",
            "The service is unavailable just now. Please try again in a moment.",
        );
        error.retry_after = Some(RETRY_AFTER_UNAVAILABLE);
        error
    }

    /// 500, with nothing of the cause.
    pub fn internal() -> ApiError {
        ApiError::new(
            500,
            "internal",
            "Something went wrong on our side; it has been logged.",
        )
    }

    /// A parameter (query or path) that is not acceptable: 422 about `field`.
    pub fn invalid_parameter(field: &'static str, message: &str) -> ApiError {
        ApiError::new(422, "invalid_value", message).with_field(field)
    }

    /// The answer.
    pub fn response(&self) -> Response {
        let mut response = super::json_response(self.status, &self.body);
        if let Some(seconds) = self.retry_after {
            response = response.with_header("Retry-After", seconds.to_string());
        }
        if let Some(allow) = &self.allow {
            response = response.with_header("Allow", *allow);
        }
        if let Some(value) = self.authenticate {
            response = response.with_header("WWW-Authenticate", value);
        }
        response
    }
}

/// How long a client waits after a 503, in seconds.
pub const RETRY_AFTER_UNAVAILABLE: u32 = 5;

/// How long a client waits after a rate limit, in seconds (the limits' windows are minutes).
pub const RETRY_AFTER_LIMIT: u32 = 60;

/// The name of `field` in the API's bodies and parameters.
pub fn field_name(field: Field) -> &'static str {
    match field {
        Field::Email => "email",
        Field::Password => "password",
        Field::NewPassword => "new_password",
        Field::Name => "name",
        Field::Language => "lang",
        Field::Reception => "reception",
        Field::Visibility => "visibility",
        Field::Filter => "filter",
        Field::MaxSize => "max_size",
        Field::HoldDays => "hold_days",
        Field::SubjectTag => "subject_tag",
        Field::BouncePolicy => "bounce_policy",
        Field::DigestSchedule => "digest",
        Field::Note => "note",
        Field::Decision => "accept",
        Field::Selection => "id",
        Field::DigestInterval => "digest_minutes",
        Field::TokenName => "name",
        Field::Scope => "scope",
        Field::Expiry => "expires_days",
        Field::Function => "function",
        Field::Template => "template",
        Field::CustomAttribute => "custom_attributes",
        Field::Subject => "subject",
        Field::Description => "description",
        Field::Topics => "topics",
        Field::Profile => "profile",
        Field::Info => "info",
        Field::Text => "content",
        Field::ListName => "listname",
        Field::RemoteAddr => "remote_addr",
    }
}

/// The status of a refusal.
pub fn refusal_status(refusal: &Refusal) -> u16 {
    match refusal {
        Refusal::Denied(Reason::NotVisible) => 404,
        Refusal::Denied(Reason::LoginRequired) => 401,
        Refusal::Denied(_) => 403,
        Refusal::BadCredentials => 401,
        Refusal::TooManyAttempts | Refusal::TryAgainSoon { .. } | Refusal::TooSoon { .. } => 429,
        Refusal::AlreadyExists(_)
        | Refusal::AlreadyMember
        | Refusal::LastOwner
        | Refusal::LastPrivilegedOwner
        | Refusal::NotClosed => 409,
        Refusal::NotAMember => 404,
        Refusal::InvalidLink => 410,
        Refusal::InvalidAddress
        | Refusal::Password(_)
        | Refusal::TooLong { .. }
        | Refusal::HiddenCharacters { .. }
        | Refusal::InvalidValue { .. }
        | Refusal::TooMany { .. }
        | Refusal::InvalidSettings(_)
        | Refusal::CustomValue { .. }
        | Refusal::ListName(_)
        | Refusal::TooBig { .. } => 422,
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> ApiError {
        let mut error = ApiError::new(
            refusal_status(&refusal),
            refusal.code(),
            crate::messages::refusal(&refusal, crate::messages::english()),
        );
        error.body.error.field = refusal.field().map(field_name);
        if let Refusal::CustomValue { id, .. } = &refusal {
            error.body.error.field = Some(field_name(Field::CustomAttribute));
            error.body.error.attribute = Some(id.as_str().into());
        }
        error.retry_after = match refusal {
            Refusal::TooManyAttempts => Some(RETRY_AFTER_LIMIT),
            Refusal::TryAgainSoon { seconds } => Some(seconds.max(1)),
            Refusal::TooSoon { seconds } => Some(u32::try_from(seconds.max(1)).unwrap_or(u32::MAX)),
            _ => None,
        };
        error
    }
}

impl From<store::Error> for ApiError {
    fn from(error: store::Error) -> ApiError {
        match error {
            store::Error::Unavailable { .. } | store::Error::Busy { .. } => {
                log::warn!("JSON API: {error}");
                ApiError::unavailable()
            }
            other => {
                log::error!("JSON API: {other}");
                ApiError::internal()
            }
        }
    }
}

impl From<operations::Error> for ApiError {
    fn from(error: operations::Error) -> ApiError {
        match error {
            operations::Error::Refused(refusal) => refusal.into(),
            operations::Error::Store(e) => e.into(),
            other => {
                log::error!("JSON API: {other}");
                ApiError::internal()
            }
        }
    }
}
