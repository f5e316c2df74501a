//! The archive's view of a message, knowing MIME but neither the database nor the web: parsing under caps, permalink ids, the text the index holds, what a page shows, sanitized HTML, search queries, snippets, mbox.
//!
//! Everything here works on the original bytes and never fails on them: a message that
//! cannot be parsed (malformed MIME, endless nesting, a parser panic) is still described as
//! well as its headers allow, and shown as plain text.

pub mod display;
pub mod dsn;
pub mod ids;
pub mod mbox;
mod mime;
pub mod parse;
pub mod plain;
pub mod query;
pub mod sanitize;
pub mod snippet;

pub use display::{attachment, display, Attachment, Display, Line, Note, Part};
pub use mime::{MAX_DEPTH, MAX_MESSAGE_BYTES, MAX_PARTS, MAX_QUOTE_DEPTH};
pub use parse::{parse, Parsed, EXTRACT_VERSION};
