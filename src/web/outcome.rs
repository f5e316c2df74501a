//! What handlers return: a page to render, a redirect, or a finished response.

use crate::http::Response;

/// A handler's result.
#[derive(Debug)]
pub enum Outcome {
    /// Render `web/<template>.html` with `view` (merged over the common page fields).
    Page {
        /// The template's name, normally the action's.
        template: &'static str,
        /// The HTTP status.
        status: u16,
        /// Page-specific fields.
        view: serde_json::Value,
    },
    /// A response built by the handler (downloads, redirects).
    Response(Response),
}

impl Outcome {
    /// A 200 page.
    pub fn page(template: &'static str, view: serde_json::Value) -> Outcome {
        Outcome::Page {
            template,
            status: 200,
            view,
        }
    }

    /// A page with another status (a refused form: 422, a rate limit: 429, ...).
    pub fn page_with_status(
        template: &'static str,
        status: u16,
        view: serde_json::Value,
    ) -> Outcome {
        Outcome::Page {
            template,
            status,
            view,
        }
    }

    /// A 303 to `location` (after a successful POST).
    pub fn redirect(location: &str) -> Outcome {
        Outcome::Response(Response::redirect(location))
    }
}
