//! The archive's pages on WWSympa's URLs: a list's months, a month by thread and by date, a thread, a message with its raw bytes and attachments, permalinks, streamed exports, feeds, search, and owners hiding, showing, deleting and listing hidden messages.
//!
//! URLs (under the base path):
//!
//! - `arc/LIST`: the months, newest first, and a search box;
//! - `arc/LIST/YYYY-MM` → 301 to `arc/LIST/YYYY-MM/` (the month by thread, page 1);
//!   `…/thrdN.html` by thread, `…/mailN.html` by date, [`read::PAGE_SIZE`] a page;
//! - `…/YYYY-MM/msgNNNNN.html` a message; `…/msgNNNNN/raw` its bytes, exactly, as
//!   `text/plain` without a charset conversion (readable in any browser, never rendered);
//!   `…/msgNNNNN/<index>/<name>` an attachment, always as a download;
//! - `arc/LIST/YYYY-MM.mbox.gz`, `arc/LIST/thread/<id>` and `arc/LIST/thread/<id>.mbox.gz`
//!   (streamed as they are read from the database, see `http::response`);
//! - `arc/LIST/atom.xml`: the list's Atom feed; `rss/latest_arc/LIST`: Sympa's RSS feed;
//! - `msg/LIST/YYYY-MM/<id>` (and Sympa's `arcsearch_id`): a permalink by Sympa's id,
//!   HyperKitty's hash or the Message-ID, whatever the month says; `view_source/…` → raw;
//!   `list/LIST@DOMAIN/message/<hash>/`: HyperKitty's message URL;
//! - `arcsearch_form/LIST`, `arcsearch/LIST`, `search_archives`: search;
//! - `arc_hide`, `arc_show`, `remove_arc` `/LIST/YYYY-MM/NNNNN`: owners' POSTs;
//!   `arc_manage/LIST`: the owners' list of hidden (and deleted) messages.
//!
//! Pages answer conditional GETs (see `web/conditional.rs`); no archive page has script.

use serde::Serialize;

use crate::archive::query::QueryError;
use crate::archive::{self, Part};
use crate::domain::{ArchivedState, List, Month, Reason, SearchOrder};
use crate::http::{Body, Response, Stream};
use crate::i18n::Language;
use crate::messages::{self, WebText};
use crate::operations::archive::manage::{self, Change};
use crate::operations::archive::read::{self, Lookup, SearchIn, SearchPage};
use crate::store::{ArchiveScope, ArchivedSummary};
use crate::web::conditional::{self, etag_of, Validators};
use crate::web::ctx::{Ctx, Level};
use crate::web::outcome::Outcome;
use crate::web::Error;

/// Bumped when what a message page shows of the same message changes (templates, the
/// display model): part of the message page's ETag.
pub const RENDER_VERSION: u32 = 1;
/// The longest search text read; longer ones are refused by the query parser's own cap.
pub const SEARCH_TEXT_MAX: usize = 4_000;
/// How deep forwarded messages inside a message are shown.
pub const MAX_NESTING: usize = 8;

/// The Content-Security-Policy of pages showing mail: nothing loads but our stylesheet and
/// our own images, no script, no plugin, no frame, forms only to us.
pub const MAIL_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Content types an attachment is never served as (they would run in our origin or in a
/// plug-in): served as `application/octet-stream` instead.
const ACTIVE_TYPES: &[&str] = &[
    "html",
    "svg",
    "xml",
    "javascript",
    "ecmascript",
    "pdf",
    "xhtml",
    "x-shockwave-flash",
];

fn not_found(lang: &Language) -> Error {
    Error::NotFound(messages::web(&WebText::NoSuchArchivePage, lang))
}

/// A 301 to `location`.
fn moved(location: &str) -> Outcome {
    Outcome::Response(Response {
        status: 301,
        headers: vec![("Location".into(), location.to_string())],
        body: Body::Bytes(Vec::new()),
    })
}

/// `epoch` as `YYYY-MM-DD HH:MM` (UTC).
fn datetime(epoch: i64) -> String {
    let (y, m, d) = crate::domain::calendar::civil_from_days(epoch.div_euclid(86_400));
    let rest = epoch.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60
    )
}

/// `epoch` as RFC 3339 (`YYYY-MM-DDTHH:MM:SSZ`), for Atom.
fn rfc3339(epoch: i64) -> String {
    let (y, m, d) = crate::domain::calendar::civil_from_days(epoch.div_euclid(86_400));
    let rest = epoch.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The URL of a list's archive page: `<base>/arc/LIST/<rest>` (`rest` already encoded).
fn arc_url(ctx: &Ctx<'_>, list: &str, rest: &str) -> String {
    let mut url = ctx.url("arc", &[list]);
    if !rest.is_empty() {
        url.push('/');
        url.push_str(rest);
    }
    url
}

/// `msgNNNNN` of a MHonArc number.
fn msg_file(seq: u32) -> String {
    format!("msg{seq:05}")
}

/// The page of a message.
fn message_url(ctx: &Ctx<'_>, list: &str, summary: &ArchivedSummary) -> String {
    arc_url(
        ctx,
        list,
        &format!("{}/{}.html", summary.month, msg_file(summary.seq)),
    )
}

/// The validators every index page of `list` gets: a hash of the body, the newest arrival.
fn index_validators(ctx: &mut Ctx<'_>, list: &List) -> Result<(), Error> {
    let (_, newest) = ctx.run(|env, who| read::version(env, who, list))?;
    ctx.validators = Some(Validators {
        etag: None,
        last_modified: newest,
    });
    Ok(())
}

/// A message in an index.
#[derive(Serialize)]
struct MessageRow {
    url: String,
    subject: String,
    from: String,
    date: String,
    depth: usize,
}

impl MessageRow {
    fn new(ctx: &Ctx<'_>, list: &str, summary: &ArchivedSummary, depth: usize) -> MessageRow {
        MessageRow {
            url: message_url(ctx, list, summary),
            subject: subject_or_none(&summary.subject, &ctx.language),
            from: sender(summary),
            date: datetime(summary.date),
            depth,
        }
    }
}

fn subject_or_none(subject: &str, lang: &Language) -> String {
    if subject.trim().is_empty() {
        messages::web(&WebText::NoSubject, lang)
    } else {
        subject.to_string()
    }
}

fn sender(summary: &ArchivedSummary) -> String {
    if summary.from_name.trim().is_empty() {
        summary.from_addr.clone()
    } else {
        summary.from_name.clone()
    }
}

/// A month on the archive's home.
#[derive(Serialize)]
struct MonthRow {
    month: Month,
    count: u64,
    url: String,
}

/// `arc.html`: the archive's home.
#[derive(Serialize)]
struct ArcView {
    months: Vec<MonthRow>,
    total: u64,
    /// The owners' page of hidden messages, for those who may manage the archive.
    manage_url: Option<String>,
}

/// `arc/LIST[/...]`: every page of a list's archive, by the shape of its path.
pub fn arc(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let month = ctx.param("month").map(str::to_string);
    let file = ctx.param("file").map(str::to_string);
    let part = ctx.param("part").map(str::to_string);
    let name = ctx.param("name").map(str::to_string);
    let Some(month) = month else {
        return home(ctx, list);
    };
    if month == "atom.xml" && file.is_none() {
        return atom(ctx, list);
    }
    if month == "thread" {
        let Some(file) = file else {
            return Err(not_found(&ctx.language));
        };
        if let Some(id) = file.strip_suffix(".mbox.gz") {
            let id = id.parse::<i64>().map_err(|_| not_found(&ctx.language))?;
            return export(ctx, list, ArchiveScope::Thread(id), &format!("thread-{id}"));
        }
        let id = file.parse::<i64>().map_err(|_| not_found(&ctx.language))?;
        return thread(ctx, list, id);
    }
    if let Some(bare) = month.strip_suffix(".mbox.gz") {
        let month = Month::parse(bare).ok_or_else(|| not_found(&ctx.language))?;
        return export(ctx, list, ArchiveScope::Month(month), bare);
    }
    let month = Month::parse(&month).ok_or_else(|| not_found(&ctx.language))?;
    let Some(file) = file else {
        if ctx.request.raw_path.ends_with('/') {
            return month_by_thread(ctx, list, month, 1);
        }
        return Ok(moved(&arc_url(
            ctx,
            list.name.as_str(),
            &format!("{month}/"),
        )));
    };
    if let Some(n) = numbered(&file, "thrd", ".html") {
        return month_by_thread(ctx, list, month, n);
    }
    if let Some(n) = numbered(&file, "mail", ".html") {
        return month_by_date(ctx, list, month, n);
    }
    if let Some(seq) = message_seq(&file, ".html") {
        if part.is_none() {
            return message(ctx, list, month, seq);
        }
    }
    if let Some(seq) = message_seq(&file, "") {
        match (part.as_deref(), name) {
            (Some("raw"), None) => return raw(ctx, list, month, seq),
            (Some(index), Some(_)) => {
                let index = index
                    .parse::<usize>()
                    .map_err(|_| not_found(&ctx.language))?;
                return attachment(ctx, list, month, seq, index);
            }
            _ => {}
        }
    }
    Err(not_found(&ctx.language))
}

/// `N` of `<prefix>N<suffix>`, N from 1 (at most 9 digits).
fn numbered(file: &str, prefix: &str, suffix: &str) -> Option<u64> {
    let digits = file.strip_prefix(prefix)?.strip_suffix(suffix)?;
    (!digits.is_empty() && digits.len() <= 9 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
        .filter(|n| *n >= 1)
}

/// `NNNNN` of `msgNNNNN<suffix>` (five digits or more, as MHonArc writes them).
fn message_seq(file: &str, suffix: &str) -> Option<u32> {
    let digits = file.strip_prefix("msg")?.strip_suffix(suffix)?;
    (digits.len() >= 5 && digits.len() <= 9 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

fn home(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let months = ctx.run(|env, who| read::months(env, who, list))?;
    let total = months.iter().map(|(_, count)| count).sum();
    let months = months
        .into_iter()
        .filter(|(_, count)| *count > 0)
        .map(|(month, count)| MonthRow {
            month,
            count,
            url: arc_url(ctx, list.name.as_str(), &format!("{month}/")),
        })
        .collect();
    let may_manage = ctx.run(|env, who| read::may_manage(env, who, list))?;
    let manage_url = may_manage.then(|| ctx.url("arc_manage", &[list.name.as_str()]));
    index_validators(ctx, list)?;
    Ok(Outcome::page(ArcView {
        months,
        total,
        manage_url,
    }))
}

/// A thread in a month's index, with its messages of the month.
#[derive(Serialize)]
struct ThreadRow {
    url: String,
    subject: String,
    messages: u64,
    first: String,
    last: String,
    rows: Vec<MessageRow>,
}

/// A link to a page of an index.
#[derive(Serialize)]
struct PageLink {
    number: u64,
    url: String,
    current: bool,
}

/// `arc_month.html`: a month by thread or by date.
#[derive(Serialize)]
struct MonthView {
    month: Month,
    by_thread: bool,
    messages: u64,
    threads: Vec<ThreadRow>,
    rows: Vec<MessageRow>,
    pages: Vec<PageLink>,
    by_thread_url: String,
    by_date_url: String,
    mbox_url: String,
    home_url: String,
}

fn page_links(
    ctx: &Ctx<'_>,
    list: &List,
    month: Month,
    kind: &str,
    pages: u64,
    current: u64,
) -> Vec<PageLink> {
    (1..=pages)
        .map(|number| PageLink {
            number,
            url: arc_url(
                ctx,
                list.name.as_str(),
                &format!("{month}/{kind}{number}.html"),
            ),
            current: number == current,
        })
        .collect()
}

fn month_view(
    ctx: &Ctx<'_>,
    list: &List,
    month: Month,
    by_thread: bool,
    messages: u64,
) -> MonthView {
    MonthView {
        month,
        by_thread,
        messages,
        threads: Vec::new(),
        rows: Vec::new(),
        pages: Vec::new(),
        by_thread_url: arc_url(ctx, list.name.as_str(), &format!("{month}/thrd1.html")),
        by_date_url: arc_url(ctx, list.name.as_str(), &format!("{month}/mail1.html")),
        mbox_url: arc_url(ctx, list.name.as_str(), &format!("{month}.mbox.gz")),
        home_url: arc_url(ctx, list.name.as_str(), ""),
    }
}

fn month_by_thread(
    ctx: &mut Ctx<'_>,
    list: &List,
    month: Month,
    page: u64,
) -> Result<Outcome, Error> {
    let found = ctx.run(|env, who| read::month_by_thread(env, who, list, month, page))?;
    let found = found.ok_or_else(|| not_found(&ctx.language))?;
    let mut view = month_view(ctx, list, month, true, found.messages);
    view.threads = found
        .threads
        .iter()
        .map(|(thread, nodes)| ThreadRow {
            url: arc_url(ctx, list.name.as_str(), &format!("thread/{}", thread.id)),
            subject: subject_or_none(&thread.subject, &ctx.language),
            messages: thread.messages,
            first: datetime(thread.first),
            last: datetime(thread.last),
            rows: nodes
                .iter()
                .filter_map(|node| {
                    node.message
                        .as_ref()
                        .map(|m| MessageRow::new(ctx, list.name.as_str(), m, node.depth))
                })
                .collect(),
        })
        .collect();
    view.pages = page_links(ctx, list, month, "thrd", found.pages, page);
    index_validators(ctx, list)?;
    Ok(Outcome::page(view).with_template("arc_month"))
}

fn month_by_date(
    ctx: &mut Ctx<'_>,
    list: &List,
    month: Month,
    page: u64,
) -> Result<Outcome, Error> {
    let found = ctx.run(|env, who| read::month_by_date(env, who, list, month, page))?;
    let found = found.ok_or_else(|| not_found(&ctx.language))?;
    let mut view = month_view(ctx, list, month, false, found.messages);
    view.rows = found
        .page
        .iter()
        .map(|summary| MessageRow::new(ctx, list.name.as_str(), summary, 0))
        .collect();
    view.pages = page_links(ctx, list, month, "mail", found.pages, page);
    index_validators(ctx, list)?;
    Ok(Outcome::page(view).with_template("arc_month"))
}

/// A line of a thread's tree.
#[derive(Serialize)]
struct NodeRow {
    depth: usize,
    message: Option<MessageRow>,
}

/// `arc_thread.html`.
#[derive(Serialize)]
struct ThreadView {
    subject: String,
    nodes: Vec<NodeRow>,
    mbox_url: String,
    home_url: String,
}

fn thread(ctx: &mut Ctx<'_>, list: &List, id: i64) -> Result<Outcome, Error> {
    let nodes = ctx.run(|env, who| read::thread(env, who, list, id))?;
    let nodes = nodes.ok_or_else(|| not_found(&ctx.language))?;
    let subject = nodes
        .iter()
        .find_map(|node| node.message.as_ref())
        .map(|m| subject_or_none(&m.subject, &ctx.language))
        .unwrap_or_default();
    let nodes = nodes
        .iter()
        .map(|node| NodeRow {
            depth: node.depth,
            message: node
                .message
                .as_ref()
                .map(|m| MessageRow::new(ctx, list.name.as_str(), m, node.depth)),
        })
        .collect();
    let view = ThreadView {
        subject,
        nodes,
        mbox_url: arc_url(ctx, list.name.as_str(), &format!("thread/{id}.mbox.gz")),
        home_url: arc_url(ctx, list.name.as_str(), ""),
    };
    index_validators(ctx, list)?;
    Ok(Outcome::page(view).with_template("arc_thread"))
}

/// A link to another message.
#[derive(Serialize)]
struct Neighbour {
    url: String,
    subject: String,
}

/// A header shown on a message page: its name in the reader's language, its value as sent.
#[derive(Serialize)]
pub(crate) struct HeaderRow {
    name: String,
    value: String,
}

pub(crate) fn header_rows(headers: &[(String, String)], lang: &Language) -> Vec<HeaderRow> {
    headers
        .iter()
        .map(|(name, value)| HeaderRow {
            name: messages::mail_header(name, lang).to_string(),
            value: value.clone(),
        })
        .collect()
}

/// A part as a page shows it: the archive's part, or a note said in the reader's language
/// (`{kind: "note", text}`, as the templates read it).
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum ShownPart {
    /// Text, HTML or an attachment.
    Part(Part),
    /// Why something is not shown.
    Note { kind: &'static str, text: String },
}

impl ShownPart {
    fn note(text: String) -> ShownPart {
        ShownPart::Note { kind: "note", text }
    }
}

/// A block of a message page: the headers of a forwarded message, or a part.
#[derive(Serialize)]
pub(crate) struct Block {
    depth: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    headers: Option<Vec<HeaderRow>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    part: Option<ShownPart>,
}

/// The blocks of `display`'s parts, forwarded messages opened in place, notes in `lang`.
pub(crate) fn blocks(
    display: &archive::Display,
    depth: usize,
    lang: &Language,
    out: &mut Vec<Block>,
) {
    for part in &display.parts {
        match part {
            Part::Message { message } if depth < MAX_NESTING => {
                out.push(Block {
                    depth: depth + 1,
                    headers: Some(header_rows(&message.headers, lang)),
                    part: None,
                });
                blocks(message, depth + 1, lang, out);
            }
            Part::Message { .. } => out.push(Block {
                depth,
                headers: None,
                part: Some(ShownPart::note(messages::web(
                    &WebText::NestedTooDeep,
                    lang,
                ))),
            }),
            Part::Note { note } => out.push(Block {
                depth,
                headers: None,
                part: Some(ShownPart::note(messages::archive_note(*note, lang))),
            }),
            other => out.push(Block {
                depth,
                headers: None,
                part: Some(ShownPart::Part(other.clone())),
            }),
        }
    }
}

/// `arc_message.html`.
#[derive(Serialize)]
struct MessageView {
    subject: String,
    month: Month,
    seq: String,
    headers: Vec<HeaderRow>,
    blocks: Vec<Block>,
    attachment_base: String,
    hidden: bool,
    may_manage: bool,
    previous: Option<Neighbour>,
    next: Option<Neighbour>,
    thread_previous: Option<Neighbour>,
    thread_next: Option<Neighbour>,
    thread_url: String,
    raw_url: String,
    month_url: String,
    permalink: String,
}

fn message(ctx: &mut Ctx<'_>, list: &List, month: Month, seq: u32) -> Result<Outcome, Error> {
    let lookup = ctx.run(|env, who| read::message_summary(env, who, list, month, seq))?;
    let (summary, may_manage) = match lookup {
        Lookup::Found(found) => found,
        Lookup::Missing => return Err(not_found(&ctx.language)),
        Lookup::Gone => return gone(ctx, list),
    };
    let (version, newest) = ctx.run(|env, who| read::version(env, who, list))?;
    if may_manage {
        ctx.ensure_csrf_token()?;
    }
    let who = ctx
        .user
        .as_ref()
        .map(|u| u.email.to_string())
        .unwrap_or_default();
    let token = if ctx.is_private() {
        ctx.csrf_token()?
    } else {
        String::new()
    };
    let etag = etag_of(&[
        &summary.id.to_be_bytes(),
        summary.state.as_str().as_bytes(),
        &RENDER_VERSION.to_be_bytes(),
        // Notes and header names are in the reader's language.
        ctx.language.tag().as_bytes(),
        &[u8::from(may_manage)],
        who.as_bytes(),
        token.as_bytes(),
        version.as_bytes(),
    ]);
    let last_modified = newest.map(|n| n.max(summary.arrived_at));
    if ctx.holds(&etag) {
        let modified = last_modified.map(conditional::http_date);
        return Ok(Outcome::Response(
            conditional::not_modified(&etag, modified.as_deref(), ctx.is_private())
                .with_header("Content-Security-Policy", MAIL_CSP),
        ));
    }
    let page = ctx.run(|env, who| read::message(env, who, list, month, seq))?;
    let page = match page {
        Lookup::Found(page) => page,
        Lookup::Missing => return Err(not_found(&ctx.language)),
        Lookup::Gone => return gone(ctx, list),
    };
    let neighbour = |m: &Option<ArchivedSummary>| {
        m.as_ref().map(|m| Neighbour {
            url: message_url(ctx, list.name.as_str(), m),
            subject: subject_or_none(&m.subject, &ctx.language),
        })
    };
    let mut out = Vec::new();
    blocks(&page.display, 0, &ctx.language, &mut out);
    let file = msg_file(seq);
    let wwsympa_url = ctx.config.wwsympa_url.trim_end_matches('/');
    let view = MessageView {
        subject: subject_or_none(&page.summary.subject, &ctx.language),
        month,
        seq: format!("{seq:05}"),
        headers: header_rows(&page.display.headers, &ctx.language),
        blocks: out,
        attachment_base: arc_url(ctx, list.name.as_str(), &format!("{month}/{file}")),
        hidden: page.summary.state == crate::domain::ArchivedState::Hidden,
        may_manage: page.may_manage,
        previous: neighbour(&page.previous),
        next: neighbour(&page.next),
        thread_previous: neighbour(&page.thread_previous),
        thread_next: neighbour(&page.thread_next),
        thread_url: arc_url(
            ctx,
            list.name.as_str(),
            &format!("thread/{}", page.summary.thread),
        ),
        raw_url: arc_url(ctx, list.name.as_str(), &format!("{month}/{file}/raw")),
        month_url: arc_url(ctx, list.name.as_str(), &format!("{month}/")),
        permalink: format!(
            "{wwsympa_url}/msg/{}/{month}/{}",
            crate::web::encode_segment(list.name.as_str()),
            crate::web::encode_segment(&page.summary.permalink)
        ),
    };
    ctx.validators = Some(Validators {
        etag: Some(etag),
        last_modified,
    });
    ctx.headers
        .push(("Content-Security-Policy".into(), MAIL_CSP.into()));
    Ok(Outcome::page(view).with_template("arc_message"))
}

/// `arc_gone.html`.
#[derive(Serialize)]
struct GoneView {
    home_url: String,
}

/// The 410 page of a deleted message.
fn gone(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let home_url = arc_url(ctx, list.name.as_str(), "");
    Ok(Outcome::page_with_status(410, GoneView { home_url }).with_template("arc_gone"))
}

/// Answers 304 when the client holds `etag`; else `None`.
fn unchanged(ctx: &Ctx<'_>, etag: &str, modified: i64) -> Option<Outcome> {
    ctx.holds(etag).then(|| {
        Outcome::Response(conditional::not_modified(
            etag,
            Some(&conditional::http_date(modified)),
            ctx.is_private(),
        ))
    })
}

/// The validators of a message's bytes (they never change; its state does).
fn bytes_validators(summary: &ArchivedSummary, what: &str) -> (String, i64) {
    (
        etag_of(&[
            &summary.id.to_be_bytes(),
            summary.state.as_str().as_bytes(),
            what.as_bytes(),
        ]),
        summary.arrived_at,
    )
}

fn raw(ctx: &mut Ctx<'_>, list: &List, month: Month, seq: u32) -> Result<Outcome, Error> {
    // Byte-exact, shown as text: `text/plain` without a charset, so nothing transcodes it
    // and no browser renders its HTML.
    serve_bytes(
        ctx,
        list,
        (month, seq),
        "raw",
        |env, who| read::raw(env, who, list, month, seq),
        |(_, bytes)| ("text/plain".into(), "inline".into(), bytes),
    )
}

/// Serves bytes of message `seq` of `month` (its raw form, or one of its attachments,
/// named by `what` in the validators): a 304 when the client holds them, found from the
/// message's row without reading its bytes; otherwise `fetch`, then `respond` gives the
/// content type, the disposition and the body, sent with `nosniff`.
fn serve_bytes<T>(
    ctx: &mut Ctx<'_>,
    list: &List,
    (month, seq): (Month, u32),
    what: &str,
    fetch: impl FnOnce(
        &mut crate::operations::Env<'_>,
        &crate::operations::Requester,
    ) -> Result<Lookup<T>, crate::operations::Error>,
    respond: impl FnOnce(T) -> (String, String, Vec<u8>),
) -> Result<Outcome, Error> {
    let lookup = ctx.run(|env, who| read::message_summary(env, who, list, month, seq))?;
    let summary = match lookup {
        Lookup::Found((summary, _)) => summary,
        Lookup::Missing => return Err(not_found(&ctx.language)),
        Lookup::Gone => return gone(ctx, list),
    };
    let (etag, modified) = bytes_validators(&summary, what);
    if let Some(answer) = unchanged(ctx, &etag, modified) {
        return Ok(answer);
    }
    let found = match ctx.run(fetch)? {
        Lookup::Found(found) => found,
        Lookup::Missing => return Err(not_found(&ctx.language)),
        Lookup::Gone => return gone(ctx, list),
    };
    ctx.validators = Some(Validators {
        etag: Some(etag),
        last_modified: Some(modified),
    });
    let (content_type, disposition, body) = respond(found);
    Ok(Outcome::Response(Response {
        status: 200,
        headers: vec![
            ("Content-Type".into(), content_type),
            ("Content-Disposition".into(), disposition),
            ("X-Content-Type-Options".into(), "nosniff".into()),
        ],
        body: Body::Bytes(body),
    }))
}

/// The content type an attachment is served with: its own, unless active.
pub(crate) fn served_type(declared: &str) -> String {
    let declared = declared.trim().to_ascii_lowercase();
    let sane = declared.contains('/')
        && declared
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/-+.".contains(&b));
    if !sane || ACTIVE_TYPES.iter().any(|active| declared.contains(active)) {
        "application/octet-stream".into()
    } else {
        declared
    }
}

/// `filename*=UTF-8''…` of `name` (RFC 5987), with a plain ASCII fallback.
pub(crate) fn disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        crate::web::encode_segment(name)
    )
}

fn attachment(
    ctx: &mut Ctx<'_>,
    list: &List,
    month: Month,
    seq: u32,
    index: usize,
) -> Result<Outcome, Error> {
    serve_bytes(
        ctx,
        list,
        (month, seq),
        &format!("attachment {index}"),
        |env, who| read::attachment(env, who, list, month, seq, index),
        |found| {
            (
                served_type(&found.content_type),
                disposition(&found.name),
                found.bytes,
            )
        },
    )
}

/// `arc/LIST/YYYY-MM.mbox.gz` and `arc/LIST/thread/ID.mbox.gz`: the month's or thread's
/// visible messages as a gzipped mbox, streamed (see `http::response`): the export is
/// authorized and found not empty before the head is sent, then written from a database
/// connection of its own as the client reads it, in bounded memory whatever its size.
fn export(
    ctx: &mut Ctx<'_>,
    list: &List,
    scope: ArchiveScope,
    name: &str,
) -> Result<Outcome, Error> {
    let Some(export) = ctx.run(|env, who| read::export(env, who, list, scope))? else {
        return Err(not_found(&ctx.language));
    };
    let (fingerprint, newest) = ctx.run(|env, who| read::version(env, who, list))?;
    // The archive's version names the export's content: the same bytes come out of it.
    ctx.validators = Some(Validators {
        etag: Some(etag_of(&[
            b"mbox.gz",
            name.as_bytes(),
            fingerprint.as_bytes(),
        ])),
        last_modified: newest,
    });
    let file = format!("{}-{name}.mbox.gz", list.name.as_str());
    let store = ctx.store.detach().map_err(Error::Store)?;
    let what = file.clone();
    let stream = Stream::new(move |out| {
        let count = read::write_export(&store.db(), &export, out)?;
        log::debug!("export {what}: {count} messages sent");
        Ok(())
    });
    Ok(Outcome::Response(Response::stream(
        200,
        vec![
            ("Content-Type".into(), "application/gzip".into()),
            ("Content-Disposition".into(), disposition(&file)),
        ],
        stream,
    )))
}

/// A feed entry.
#[derive(Serialize)]
struct FeedItem {
    title: String,
    author: String,
    link: String,
    id: String,
    date_rfc822: String,
    date_rfc3339: String,
}

/// `rss.html` and `arc_atom.html`: a feed (XML, autoescaped).
#[derive(Serialize)]
struct FeedView {
    /// The feed's language: the reader's (the list's for a reader that asks for none).
    lang: String,
    list_name: String,
    list_subject: String,
    home: String,
    self_url: String,
    updated_rfc822: String,
    updated_rfc3339: String,
    items: Vec<FeedItem>,
}

/// The feed of `list`'s latest messages, read as an anonymous visitor.
fn feed(
    ctx: &mut Ctx<'_>,
    list: &List,
    template: &str,
    self_path: &str,
) -> Result<Response, Error> {
    let days = ctx
        .param("for")
        .and_then(|d| d.parse::<u64>().ok())
        .unwrap_or(read::FEED_DEFAULT_DAYS);
    let count = ctx
        .param("count")
        .and_then(|c| c.parse::<u64>().ok())
        .unwrap_or(read::FEED_DEFAULT);
    // Feeds are fetched by readers that carry no session: answer as to anyone.
    ctx.user = None;
    ctx.roles = crate::domain::Roles::ANONYMOUS;
    let latest = ctx
        .run(|env, who| read::latest(env, who, list, days, count))
        .map_err(|e| match e {
            // A feed reader cannot log in: a list without a public archive has no feed.
            crate::operations::Error::Refused(crate::operations::Refusal::Denied(
                Reason::LoginRequired | Reason::NotPermitted | Reason::NotMember,
            )) => Error::Forbidden(messages::web(&WebText::FeedNotPublic, &ctx.language)),
            other => Error::Operation(other),
        })?;
    let site = ctx.config.wwsympa_url.trim_end_matches('/').to_string();
    let origin = site
        .strip_suffix(ctx.base)
        .map(str::to_string)
        .unwrap_or_else(|| site.clone());
    let items: Vec<FeedItem> = latest
        .iter()
        .map(|m| {
            let link = format!("{origin}{}", message_url(ctx, list.name.as_str(), m));
            FeedItem {
                title: subject_or_none(&m.subject, &ctx.language),
                author: if m.from_name.trim().is_empty() {
                    m.from_addr.clone()
                } else {
                    format!("{} ({})", m.from_addr, m.from_name)
                },
                id: link.clone(),
                link,
                date_rfc822: conditional::http_date(m.date),
                date_rfc3339: rfc3339(m.date),
            }
        })
        .collect();
    let (_, newest) = ctx.run(|env, who| read::version(env, who, list))?;
    let updated = latest.first().map(|m| m.arrived_at).or(newest).unwrap_or(0);
    let view = FeedView {
        lang: ctx.language.tag().to_string(),
        list_name: list.name.to_string(),
        list_subject: list.subject.clone(),
        home: format!("{origin}{}", arc_url(ctx, list.name.as_str(), "")),
        self_url: format!("{origin}{self_path}"),
        updated_rfc822: conditional::http_date(updated),
        updated_rfc3339: rfc3339(updated),
        items,
    };
    let xml = ctx
        .templates
        .render(template, &view)
        .map_err(Error::Render)?;
    let content_type = if template.contains("atom") {
        "application/atom+xml; charset=utf-8"
    } else {
        "application/rss+xml; charset=utf-8"
    };
    ctx.validators = Some(Validators {
        etag: None,
        last_modified: (updated > 0).then_some(updated),
    });
    Ok(Response {
        status: 200,
        headers: vec![
            ("Content-Type".into(), content_type.into()),
            ("Content-Language".into(), ctx.language.tag().to_string()),
        ],
        body: Body::Bytes(xml.into_bytes()),
    })
}

fn atom(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let path = arc_url(ctx, list.name.as_str(), "atom.xml");
    Ok(Outcome::Response(feed(
        ctx,
        list,
        "web/arc_atom.html",
        &path,
    )?))
}

/// `rss/latest_arc/LIST?for=DAYS&count=N`: Sympa's RSS feed of a list's latest messages,
/// as any anonymous visitor may read it.
pub fn rss(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    if ctx.param("kind") != Some("latest_arc") {
        return Err(Error::NotFound(messages::web(
            &WebText::NoSuchFeed,
            &ctx.language,
        )));
    }
    let name = ctx.param("list").unwrap_or_default().to_string();
    ctx.user = None;
    let list = ctx.run(|env, _| crate::operations::lists::open_list(env, &name))?;
    let path = ctx.url("rss", &["latest_arc", list.name.as_str()]);
    Ok(Outcome::Response(feed(ctx, &list, "web/rss.html", &path)?))
}

/// `latest_arc.html`.
#[derive(Serialize)]
struct LatestView {
    rows: Vec<MessageRow>,
    rss_url: String,
    atom_url: String,
    home_url: String,
}

/// `latest_arc/LIST`: the list's latest messages, with its feeds.
pub fn latest_arc(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let latest =
        ctx.run(|env, who| read::latest(env, who, list, read::FEED_MAX_DAYS, read::FEED_DEFAULT))?;
    let rows = latest
        .iter()
        .map(|m| MessageRow::new(ctx, list.name.as_str(), m, 0))
        .collect();
    let view = LatestView {
        rows,
        rss_url: ctx.url("rss", &["latest_arc", list.name.as_str()]),
        atom_url: arc_url(ctx, list.name.as_str(), "atom.xml"),
        home_url: arc_url(ctx, list.name.as_str(), ""),
    };
    index_validators(ctx, list)?;
    Ok(Outcome::page(view))
}

/// `msg/LIST/YYYY-MM/<id>`: the permalink (Sympa's `Archived-At`), whatever the month says.
pub fn msg(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let key = ctx.param("id").unwrap_or_default().to_string();
    let found = ctx.run(|env, who| read::resolve(env, who, list, &key))?;
    match found {
        Lookup::Found(summary) => Ok(moved(&message_url(ctx, list.name.as_str(), &summary))),
        Lookup::Missing => Err(not_found(&ctx.language)),
        Lookup::Gone => gone(ctx, list),
    }
}

/// `view_source/LIST/YYYY-MM/<id>` (Sympa's): a message's raw bytes, by its permalink or
/// its MHonArc number.
pub fn view_source(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let key = ctx.param("id").unwrap_or_default().to_string();
    let by_seq = ctx
        .param("month")
        .and_then(Month::parse)
        .zip(message_seq(&key, "").or_else(|| key.parse::<u32>().ok()));
    let found = match by_seq {
        Some((month, seq)) => ctx
            .run(|env, who| read::message_summary(env, who, list, month, seq))?
            .map(|(summary, _)| summary),
        None => ctx.run(|env, who| read::resolve(env, who, list, &key))?,
    };
    match found {
        Lookup::Found(m) => Ok(moved(&arc_url(
            ctx,
            list.name.as_str(),
            &format!("{}/{}/raw", m.month, msg_file(m.seq)),
        ))),
        Lookup::Missing => Err(not_found(&ctx.language)),
        Lookup::Gone => gone(ctx, list),
    }
}

/// `list/LIST@DOMAIN/message/<hash>/`: HyperKitty's message URL (a Mailman 3 site's old
/// links, rewritten to our base), answered with a 301 to the message's page.
pub fn list(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let address = ctx.param("address").unwrap_or_default().to_string();
    let (name, domain) = address.split_once('@').unwrap_or((&address, ""));
    if ctx.param("kind") != Some("message")
        || !(domain.is_empty() || domain.eq_ignore_ascii_case(&ctx.config.domain))
    {
        return Err(not_found(&ctx.language));
    }
    let Some(hash) = ctx.param("hash").map(str::to_string) else {
        return Err(not_found(&ctx.language));
    };
    let list = ctx.run(|env, _| crate::operations::lists::open_list(env, name))?;
    let found = ctx.run(|env, who| read::resolve(env, who, &list, &hash))?;
    match found {
        Lookup::Found(summary) => Ok(moved(&message_url(ctx, list.name.as_str(), &summary))),
        Lookup::Missing => Err(not_found(&ctx.language)),
        Lookup::Gone => gone(ctx, &list),
    }
}

/// A search result on a page.
#[derive(Serialize)]
struct HitRow {
    list: String,
    row: MessageRow,
    snippet: Vec<archive::snippet::Fragment>,
}

/// `arcsearch.html`, `arcsearch_form.html` and `search_archives.html`.
#[derive(Serialize)]
struct SearchView {
    q: String,
    site_wide: bool,
    relevance: bool,
    error: Option<String>,
    searched: bool,
    hits: Vec<HitRow>,
    count: u64,
    more: bool,
    next_url: Option<String>,
    relevance_url: Option<String>,
    newest_url: Option<String>,
    action_url: String,
}

/// The query of a search request: `q=` in our language, or Sympa's `key_word` form; a query
/// the parser refuses comes with its reason.
fn parsed_query(ctx: &Ctx<'_>) -> Option<(String, Result<crate::domain::SearchQuery, QueryError>)> {
    let clip = |text: &str| -> Result<String, QueryError> {
        if text.len() > SEARCH_TEXT_MAX {
            Err(QueryError::TooLong)
        } else {
            Ok(text.to_string())
        }
    };
    if let Some(q) = ctx.param("q") {
        let parsed = clip(q).and_then(|q| archive::query::parse(&q));
        return Some((q.chars().take(SEARCH_TEXT_MAX).collect(), parsed));
    }
    let key_word = ctx.param("key_word")?;
    let fields: Vec<&str> = ["subj", "from", "body", "date"]
        .into_iter()
        .filter(|f| ctx.param(f).is_some())
        .collect();
    let form = archive::query::SympaForm {
        key_word,
        how: ctx.text("how"),
        match_: ctx.text("match"),
        fields: &fields,
    };
    let parsed = clip(key_word).and_then(|_| archive::query::from_sympa_form(&form));
    Some((key_word.chars().take(SEARCH_TEXT_MAX).collect(), parsed))
}

fn run_search(
    ctx: &mut Ctx<'_>,
    list: Option<&List>,
    action_url: String,
) -> Result<Outcome, Error> {
    let relevance = ctx.param("order") == Some("relevance");
    let before = ctx.param("before").and_then(|b| b.parse::<i64>().ok());
    let offset = ctx
        .param("offset")
        .and_then(|o| o.parse::<u64>().ok())
        .unwrap_or(0)
        .min(read::COUNT_CAP);
    let mut view = SearchView {
        q: String::new(),
        site_wide: list.is_none(),
        relevance,
        error: None,
        searched: false,
        hits: Vec::new(),
        count: 0,
        more: false,
        next_url: None,
        relevance_url: None,
        newest_url: None,
        action_url: action_url.clone(),
    };
    let Some((text, parsed)) = parsed_query(ctx) else {
        return Ok(Outcome::page(view));
    };
    view.q = text.clone();
    let query = match parsed {
        Ok(query) => query,
        Err(refused) => {
            view.error = Some(messages::search_refused(refused, &ctx.language));
            return Ok(Outcome::page_with_status(422, view));
        }
    };
    let order = if relevance {
        SearchOrder::Relevance
    } else {
        SearchOrder::Newest
    };
    let page = SearchPage {
        query: &query,
        order,
        before: if relevance { None } else { before },
        offset: if relevance { offset } else { 0 },
    };
    let scope = match list {
        Some(list) => SearchIn::List(list),
        None => SearchIn::Site,
    };
    let results = ctx.run(|env, who| read::search(env, who, scope, &page))?;
    let encoded_q: String =
        percent_encoding::utf8_percent_encode(&text, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
    view.searched = true;
    view.count = results.count;
    view.more = results.more;
    view.next_url = match (results.next_before, results.next_offset) {
        (Some(before), _) => Some(format!("{action_url}?q={encoded_q}&before={before}")),
        (_, Some(offset)) => Some(format!(
            "{action_url}?q={encoded_q}&order=relevance&offset={offset}"
        )),
        _ => None,
    };
    view.relevance_url = Some(format!("{action_url}?q={encoded_q}&order=relevance"));
    view.newest_url = Some(format!("{action_url}?q={encoded_q}"));
    view.hits = results
        .hits
        .iter()
        .map(|hit| HitRow {
            list: hit.list.to_string(),
            row: MessageRow::new(ctx, hit.list.as_str(), &hit.summary, 0),
            snippet: hit.snippet.clone(),
        })
        .collect();
    ctx.validators = Some(Validators {
        etag: None,
        last_modified: results.newest,
    });
    Ok(Outcome::page(view))
}

/// `arcsearch_form/LIST`: the search form of a list's archive.
pub fn arcsearch_form(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let url = ctx.url("arcsearch", &[list.name.as_str()]);
    Ok(run_search(ctx, Some(list), url)?.with_template("arcsearch"))
}

/// `arcsearch/LIST?q=…` (or Sympa's `key_word`, `how`, `match` and field boxes): search a
/// list's archive, newest first (or by relevance), with snippets.
pub fn arcsearch(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let url = ctx.url("arcsearch", &[list.name.as_str()]);
    run_search(ctx, Some(list), url)
}

/// `search_archives?q=…`: search every archive the visitor may read.
pub fn search_archives(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let url = ctx.url("search_archives", &[]);
    Ok(run_search(ctx, None, url)?.with_template("arcsearch"))
}

/// The month and number of an owner's POST (`…/LIST/YYYY-MM/NNNNN`).
fn target(ctx: &Ctx<'_>) -> Result<(Month, u32), Error> {
    let month = ctx.param("month").and_then(Month::parse);
    let seq = ctx
        .param("seq")
        .and_then(|s| message_seq(s, "").or_else(|| s.parse::<u32>().ok()));
    month
        .zip(seq)
        .ok_or_else(|| Error::BadRequest(messages::web(&WebText::MessageNotNamed, &ctx.language)))
}

fn owners_change(ctx: &mut Ctx<'_>, list: &List, change: Change) -> Result<Outcome, Error> {
    let (month, seq) = target(ctx)?;
    let done = ctx.run(|env, who| manage::change(env, who, list, month, seq, change))?;
    match done {
        Lookup::Found(_) => {
            let text = match change {
                Change::Hide => messages::web(&WebText::MessageHidden, &ctx.language),
                Change::Show => messages::web(&WebText::MessageShown, &ctx.language),
                Change::Delete => messages::web(&WebText::MessageDeleted, &ctx.language),
            };
            ctx.flash(Level::Success, text)?;
            let url = match change {
                Change::Delete => arc_url(ctx, list.name.as_str(), &format!("{month}/")),
                _ => arc_url(
                    ctx,
                    list.name.as_str(),
                    &format!("{month}/{}.html", msg_file(seq)),
                ),
            };
            Ok(Outcome::redirect(&url))
        }
        Lookup::Missing => Err(not_found(&ctx.language)),
        Lookup::Gone => gone(ctx, list),
    }
}

/// A message readers do not see, on the owners' page.
#[derive(Serialize)]
struct HiddenRow {
    /// Its page (owners see a hidden message); none when deleted (it answers 410).
    url: Option<String>,
    subject: String,
    from: String,
    date: String,
    /// `hidden` or `deleted`.
    state: &'static str,
    /// Where its Show button posts; none when deleted.
    show_url: Option<String>,
}

/// `arc_manage.html`: the owners' list of hidden (and deleted) messages.
#[derive(Serialize)]
struct ManageView {
    rows: Vec<HiddenRow>,
    page: u64,
    previous_url: Option<String>,
    next_url: Option<String>,
    home_url: String,
}

/// `arc_manage/LIST[?page=N]` (Sympa's name): the owners' list of the messages readers do
/// not see, newest first: hidden ones with a link and a Show button, deleted ones greyed.
pub fn arc_manage(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let page = match ctx.param("page") {
        None => 1,
        Some(page) => page
            .parse::<u64>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| not_found(&ctx.language))?,
    };
    let found = ctx.run(|env, who| manage::hidden(env, who, list, page))?;
    ctx.ensure_csrf_token()?;
    let name = list.name.as_str();
    let rows = found
        .messages
        .iter()
        .map(|summary| {
            let hidden = summary.state == ArchivedState::Hidden;
            HiddenRow {
                url: hidden.then(|| message_url(ctx, name, summary)),
                subject: subject_or_none(&summary.subject, &ctx.language),
                from: sender(summary),
                date: datetime(summary.date),
                state: summary.state.as_str(),
                show_url: hidden.then(|| {
                    ctx.url(
                        "arc_show",
                        &[
                            name,
                            &summary.month.to_string(),
                            &format!("{:05}", summary.seq),
                        ],
                    )
                }),
            }
        })
        .collect();
    let page_url = |n: u64| format!("{}?page={n}", ctx.url("arc_manage", &[name]));
    Ok(Outcome::page(ManageView {
        rows,
        page,
        previous_url: (page > 1).then(|| page_url(page - 1)),
        next_url: found.more.then(|| page_url(page + 1)),
        home_url: arc_url(ctx, name, ""),
    }))
}

/// `arc_hide/LIST/YYYY-MM/NNNNN` (POST): an owner hides a message.
pub fn arc_hide(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    owners_change(ctx, list, Change::Hide)
}

/// `arc_show/LIST/YYYY-MM/NNNNN` (POST): an owner shows a hidden message again.
pub fn arc_show(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    owners_change(ctx, list, Change::Show)
}

/// `remove_arc/LIST/YYYY-MM/NNNNN` (POST, Sympa's name): an owner deletes a message.
pub fn remove_arc(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    owners_change(ctx, list, Change::Delete)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_parse_as_mhonarc_writes_them() {
        assert_eq!(numbered("thrd1.html", "thrd", ".html"), Some(1));
        assert_eq!(numbered("mail12.html", "mail", ".html"), Some(12));
        assert_eq!(numbered("mail0.html", "mail", ".html"), None);
        assert_eq!(numbered("mail.html", "mail", ".html"), None);
        assert_eq!(numbered("mail+1.html", "mail", ".html"), None);
        assert_eq!(message_seq("msg00000.html", ".html"), Some(0));
        assert_eq!(message_seq("msg00123", ""), Some(123));
        assert_eq!(message_seq("msg1.html", ".html"), None);
        assert_eq!(message_seq("msg-0001.html", ".html"), None);
    }

    #[test]
    fn active_attachments_are_downloads_of_bytes() {
        assert_eq!(served_type("text/html"), "application/octet-stream");
        assert_eq!(served_type("image/svg+xml"), "application/octet-stream");
        assert_eq!(served_type("application/pdf"), "application/octet-stream");
        assert_eq!(served_type("text/javascript"), "application/octet-stream");
        assert_eq!(served_type("image/png"), "image/png");
        assert_eq!(
            served_type("text/plain; x=\"y\""),
            "application/octet-stream"
        );
        assert_eq!(
            disposition("a b\"é.txt"),
            "attachment; filename=\"a_b__.txt\"; filename*=UTF-8''a%20b%22%C3%A9.txt"
        );
    }

    #[test]
    fn dates_are_written_in_utc() {
        assert_eq!(datetime(1_700_000_000), "2023-11-14 22:13");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
    }
}
