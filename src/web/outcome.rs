//! What handlers return: a page (its typed view, rendered with the action's template by default), or a finished response.

use serde::Serialize;

use crate::http::Response;
use crate::render::{self, Fields};

/// A page's view: one `#[derive(Serialize)]` struct per page, holding exactly what its
/// template uses. Every `Serialize` type is one; the trait only lets [`Outcome`] carry the
/// view without knowing its type.
pub trait View {
    /// Adds the view's fields to what the page is rendered with.
    fn fill(&self, fields: &mut Fields) -> Result<(), render::Error>;
}

impl<T: Serialize> View for T {
    fn fill(&self, fields: &mut Fields) -> Result<(), render::Error> {
        fields.add(self)
    }
}

/// A form field's error, shown next to it: `errors.<field>` in the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The form field's name (Sympa's).
    pub field: &'static str,
    /// The sentence.
    pub text: String,
}

impl Serialize for FieldError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.field, &self.text)?;
        map.end()
    }
}

/// A page to render.
pub struct Page {
    /// Another template than the action's (`web/<template>.html`), said by the handler.
    pub template: Option<&'static str>,
    /// The HTTP status.
    pub status: u16,
    /// The page's own fields, rendered over the common ones.
    pub view: Box<dyn View>,
    /// A refused form's error, next to its field.
    pub error: Option<FieldError>,
}

impl Page {
    /// The `errors` field of a refused form.
    pub(super) fn errors(&self) -> Errors<'_> {
        Errors {
            errors: self.error.as_ref(),
        }
    }
}

/// The part of a page that holds a refused form's error.
#[derive(Serialize)]
pub(super) struct Errors<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a FieldError>,
}

/// A handler's result.
pub enum Outcome {
    /// Render a page.
    Page(Page),
    /// A response built by the handler (downloads, redirects).
    Response(Response),
}

impl std::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Page(page) => f
                .debug_struct("Page")
                .field("template", &page.template)
                .field("status", &page.status)
                .field("error", &page.error)
                .finish_non_exhaustive(),
            Outcome::Response(response) => f.debug_tuple("Response").field(response).finish(),
        }
    }
}

impl Outcome {
    /// A 200 page with the action's template.
    pub fn page(view: impl View + 'static) -> Outcome {
        Outcome::Page(Page {
            template: None,
            status: 200,
            view: Box::new(view),
            error: None,
        })
    }

    /// A page with another status (a refused form: 422, a rate limit: 429, a dead link: 410).
    pub fn page_with_status(status: u16, view: impl View + 'static) -> Outcome {
        Outcome::Page(Page {
            template: None,
            status,
            view: Box::new(view),
            error: None,
        })
    }

    /// The same outcome, a page shown with template `web/<template>.html` instead of the
    /// action's.
    pub fn with_template(mut self, template: &'static str) -> Outcome {
        if let Outcome::Page(page) = &mut self {
            page.template = Some(template);
        }
        self
    }

    /// The same outcome, a page showing `error` next to its field.
    pub fn with_error(mut self, error: FieldError) -> Outcome {
        if let Outcome::Page(page) = &mut self {
            page.error = Some(error);
        }
        self
    }

    /// A 303 to `location` (after a successful POST).
    pub fn redirect(location: &str) -> Outcome {
        Outcome::Response(Response::redirect(location))
    }
}
