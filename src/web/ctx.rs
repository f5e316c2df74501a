//! Ctx: everything a handler may use for one request, in place of WWSympa's process-wide globals.

use serde::Serialize;

use crate::config::Config;
use crate::http::{Form, Request};
use crate::store::Pooled;

/// How a notice is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Information.
    Info,
    /// Something worked.
    Success,
    /// Something was refused or failed.
    Error,
}

/// A message shown above the page content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// How it is shown.
    pub level: Level,
    /// The text (escaped when rendered).
    pub text: String,
}

/// Per-request state handed to every handler.
pub struct Ctx<'a> {
    /// The configuration in force for this request.
    pub config: &'a Config,
    /// The request.
    pub request: &'a Request,
    /// Query and form fields, with the positional path arguments added under their names.
    pub params: Form,
    /// A database connection.
    pub store: Pooled<'a>,
    /// Notices for the page.
    pub notices: Vec<Notice>,
}

impl Ctx<'_> {
    /// The parameter `name`, if given and not empty.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).filter(|v| !v.is_empty())
    }

    /// Adds a notice to the page.
    pub fn notice(&mut self, level: Level, text: impl Into<String>) {
        self.notices.push(Notice {
            level,
            text: text.into(),
        });
    }
}
