//! The integration tests, one binary: each module is one topic; heavy tests use the real peers.
//!
//! Every site runs on the database `WWSYMPA_TEST_DB` selects, `sqlite` (the default) or
//! `postgresql` (a fresh database per site on `WWSYMPA_TEST_POSTGRES`): see `support::db`.
//! `tests/run` runs the suite once on each.

mod accounts;
mod admin;
mod admin_walk;
mod api;
mod api_schemathesis;
mod archive_dkim;
mod archive_import;
mod archives;
mod authz;
mod bounces;
mod browser;
mod catalogues;
mod chromium;
mod cli;
mod concurrency;
mod copy;
mod dates;
mod deployment;
mod digests;
mod distribution;
mod dkim;
mod doors;
mod exim;
mod fastcgi_nginx;
mod flows;
mod hardening;
mod hosts;
mod intake;
mod languages;
mod lifecycle;
mod listmaster;
mod lists;
mod lmtp;
mod mail;
mod moderation;
mod nginx;
mod outbox;
mod owners;
mod pages_po;
mod peers;
mod postfix;
mod protocol;
mod renamed_links;
mod soap;
mod soap_clients;
mod streams;
mod strings;
mod subscription;
mod support;
mod table;
mod tidy;
mod tools;
mod web;
