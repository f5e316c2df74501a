//! The integration tests, one binary: each module is one topic; heavy tests use the real peers.

mod lifecycle;
mod nginx;
mod peers;
mod protocol;
mod support;
mod tidy;
mod web;
