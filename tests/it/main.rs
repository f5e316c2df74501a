//! The integration tests, one binary: each module is one topic; heavy tests use the real peers.

mod accounts;
mod authz;
mod browser;
mod chromium;
mod cli;
mod concurrency;
mod copy;
mod deployment;
mod doors;
mod fastcgi_nginx;
mod flows;
mod hardening;
mod hosts;
mod lifecycle;
mod lists;
mod mail;
mod nginx;
mod outbox;
mod owners;
mod peers;
mod protocol;
mod subscription;
mod support;
mod table;
mod tidy;
mod web;
