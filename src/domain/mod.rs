//! The mailing-list vocabulary and its rules: names, lists, members, roles; no IO, no HTTP, no SQL, no templates.

pub mod list;
pub mod names;

pub use list::{ListSummary, Visibility};
pub use names::{Email, ListName, NameError};
