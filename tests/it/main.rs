//! The integration tests, one binary: each module is one topic; heavy tests use the real peers.

mod deployment;
mod support;
mod web;
