//! The integration tests, one binary: each module is one topic; heavy tests use the real peers.

mod accounts;
mod browser;
mod cli;
mod lifecycle;
mod lists;
mod mail;
mod nginx;
mod peers;
mod protocol;
mod support;
mod tidy;
mod web;
