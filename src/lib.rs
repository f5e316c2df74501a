//! wwsympa: a mailing-list web interface in the line of Sympa's WWSympa, served over FastCGI.
//!
//! # Bird's-eye view
//!
//! A web server (nginx, Apache, lighttpd) passes requests over FastCGI on a socket that
//! systemd, spawn-fcgi or multiwatch hands us. [`runtime`] finds that socket and runs
//! connection threads; [`fcgi`] turns records into a request and a response stream; [`http`]
//! turns those into a typed [`http::Request`] and back, and lets a request into the
//! application (through a few handler slots) only once it has arrived whole; [`web`] answers
//! it on WWSympa's URL scheme from the [`store`] (SQLite, behind a seam for PostgreSQL) with [`render`]ed templates.
//!
//! # Entry points
//!
//! `main.rs` parses the command line; `wwsympa serve` wires `runtime` → `http` → `web`.
//! Start reading a page at [`web::App`]'s `call`, and the table of actions in `web/actions.rs`.
//!
//! # Code map and invariants
//!
//! - [`fcgi`]: the FastCGI responder protocol. Invariant: knows nothing of HTTP semantics
//!   beyond CGI's `Status:` line, nor of mailing lists; never panics on peer input.
//! - [`runtime`]: listener discovery, connection threads (one connection each, an exclusive
//!   epoll wait on the listener), signals, idle exit, sd_notify.
//!   Invariant: speaks only `fcgi::Handler` and `runtime::Front`; nothing of mailing lists.
//! - [`http`]: request, response (bytes, or a stream written after the head), forms, the
//!   panic guard, the handler slots ([`http::Gate`]), the two front doors:
//!   [`http::FcgiAdapter`] and the plain-HTTP/1.1 door [`http::plain`] (on httparse). Invariant: nothing of mailing lists; a door reads
//!   the whole request, within its limits and deadline, before it takes a handler slot.
//! - [`lmtp`]: mail intake's protocol (RFC 2033): command parsing, the session with its limits,
//!   the runtime `Front` and a small client. Invariant: nothing of mailing lists (it asks an
//!   [`lmtp::Mailbox`]); never panics on peer data; a panicking mailbox costs one message.
//! - [`intake`]: the mail door ([`intake::Door`], the `Mailbox` over a store pool) and the
//!   MTA's lookups ([`intake::socketmap`]). Invariant: addresses are resolved live from the
//!   database (nothing cached); `250` only after the operation's commit, `451` whenever the
//!   database cannot answer; what a message does is decided in `operations::intake`.
//! - [`soap`]: Sympa's SOAP door (`wwsympa serve --soap`): envelopes read and written as
//!   SOAP::Lite does, Sympa's 24 operations run through [`operations`], sessions shared with
//!   the web. Invariant: Sympa's accessor names, shapes and faults unless the site opts into
//!   the WSDL-conformant mode; no DTD, no entity, bounded depth and size.
//! - [`api`]: the JSON API under `<base>/api/v1/` (bearer tokens, OpenAPI generated from its
//!   types). Invariant: the same operations and refusal codes as every other door.
//! - [`web`]: the action table and handlers. Invariant: every fact about an action is in
//!   its table row; handlers are plain functions named after their action and template.
//! - [`domain`]: list names, addresses, lists, members, roles, policies and the one
//!   authorization rule ([`domain::decide`]). Invariant: no IO, no SQL, no HTTP, no tera.
//! - [`operations`]: what a requester may ask, whatever the channel (web now, SOAP later):
//!   check → one transaction (change + outbox mail + audit row) → value. Invariant: nothing
//!   of HTTP; a refusal is a value ([`operations::Refusal`]), not a failure.
//! - [`auth`]: random tokens from the OS, their stored hashes, argon2id, CSRF and one-click
//!   signatures. Invariant: no token is ever stored in clear.
//! - [`store`]: the only module that writes SQL. Backend-neutral records, errors and handles
//!   (`Store`, `Db`, `Pool`) in `store/`; one module per database beside them, today
//!   `store/sqlite/` (rusqlite, its migration files in `store/sqlite/sql/`). Invariant: no
//!   driver type outside the backend's module; the schema version is in a table; member
//!   counts and the site version are kept by triggers named next to the code that reads them.
//! - [`mail`]: the only module that imports lettre: notices from `templates/mail/` and the
//!   outbox sender ([`mail::sender`]: claims under a lease, a thread in each serving process
//!   woken on commit, and `wwsympa sender`), which also delivers list posts
//!   ([`mail::distribute`]: per-recipient SMTP replies over [`mail::smtp`], copies from the
//!   archived bytes by [`mail::personalize`], DKIM/ARC by [`mail::sign`], DMARC lookups by
//!   [`mail::dmarc`]). Invariant: no request ever talks to the MTA.
//! - [`archive`]: the archive's view of a message (mail-parser, ammonia): envelope, index
//!   text, display model, permalink ids, the search language, mbox, bounce reports (`dsn`). Invariant: no IO but
//!   the readers and writers it is handed; never panics on a message's bytes.
//! - [`render`]: the only module that imports tera.
//! - [`config`]: the configuration file.
//! - [`i18n`]: languages: the `.po` catalogues (embedded from `po/`, completed from
//!   `locale_dir`), the language of the render in progress, `Accept-Language`, dates and
//!   numbers. Invariant: no lookup allocates or locks; nothing of HTTP, tera or the store.
//! - [`messages`]: the one catalogue of sentences: refusals and decisions arrive as codes,
//!   and the doors that speak to people ask here with the person's [`i18n::Language`]
//!   (catalogue domain `messages`); SOAP, the JSON API and the shell pass English.
//!
//! # Layers
//!
//! Imports point one way. Each module may name only the crate modules its line lists (the
//! layering test in `tests/it/tidy.rs` reads these lines and parses every path of `src/`
//! against them; `main.rs` and `cli/` wire everything and may use all):
//!
//! - `fcgi` may use: nothing.
//! - `runtime` may use: `fcgi`.
//! - `http` may use: `fcgi`, `runtime`.
//! - `lmtp` may use: `runtime`.
//! - `logging` may use: nothing.
//! - `domain` may use: nothing.
//! - `domain` may not use: `std::fs`, `std::net`, `std::process`, `std::io`.
//! - `config` may use: `domain`.
//! - `archive` may use: `domain`.
//! - `auth` may use: nothing.
//! - `store` may use: `domain`, `config`.
//! - `i18n` may use: `domain`.
//! - `render` may use: `domain`, `i18n`.
//! - `mail` may use: `domain`, `config`, `store`, `render`, `auth`, `i18n`.
//! - `operations` may use: `domain`, `config`, `store`, `mail`, `render`, `auth`, `archive`, `i18n`.
//! - `messages` may use: `domain`, `operations`, `i18n`, `archive`, `http`.
//! - `intake` may use: `lmtp`, `operations`, `domain`, `config`, `store`, `mail`, `render`, `auth`, `logging`, `archive`.
//! - `soap` may use: `http`, `operations`, `messages`, `domain`, `config`, `store`, `mail`, `render`, `auth`, `logging`, `i18n`.
//! - `api` may use: `http`, `operations`, `messages`, `domain`, `config`, `store`, `mail`, `render`, `auth`, `logging`, `i18n`.
//! - `web` may use: `http`, `operations`, `messages`, `domain`, `config`, `store`, `mail`, `render`, `auth`, `logging`, `archive`, `soap`, `api`, `i18n`.
//! - crate `rusqlite`: only in `store::sqlite`.
//! - crate `postgres`: only in `store::postgres`.
//! - crate `tera`: only in `render`.
//! - crate `spiritless_po`: only in `i18n`.
//! - crate `lettre`: only in `mail`.
//! - crate `mail_parser`: only in `archive`.
//! - crate `mail_auth`: only in `mail::sign` and `mail::dmarc`.
//! - crate `rustls_pki_types`: only in `mail::sign`.
//! - crate `tokio`: only in `mail::dmarc`.
//! - crate `ammonia`: only in `archive::sanitize`.
//! - crate `flate2`: only in `store` and `archive`.
//! - crate `quick_xml`: only in `soap`.
//! - crate `utoipa`: only in `api`.

pub mod api;
pub mod archive;
pub mod auth;
pub mod config;
pub mod domain;
pub mod fcgi;
pub mod http;
pub mod i18n;
pub mod intake;
pub mod lmtp;
pub mod logging;
pub mod mail;
pub mod messages;
pub mod operations;
pub mod render;
pub mod runtime;
pub mod soap;
pub mod store;
pub mod web;
