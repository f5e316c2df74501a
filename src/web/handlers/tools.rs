//! The owners' tools on a list: its texts (editfile, savefile; the site's texts for listmasters), one member's page (editsubscriber), a paste of addresses (import), the reminder (remind) and the log (viewlogs).

use serde::Serialize;

use super::refused_form;
use crate::domain::{
    calendar, Email, List, ReceptionMode, TextFormat, TextKind, TextScope, TextUse,
};
use crate::http::Method;
use crate::messages;
use crate::operations::import::{self, LineProblem};
use crate::operations::logs::{self, LogFilter};
use crate::operations::texts::{self, Preview, TextState};
use crate::operations::{lists, remind, subscriber, Error as OpError, Field, Refusal};
use crate::web::ctx::{Ctx, Level};
use crate::web::outcome::Outcome;
use crate::web::params::{self, Typed};
use crate::web::Error;

/// A time (seconds since the epoch) as `YYYY-MM-DD HH:MM` (UTC).
fn date_time(epoch: i64) -> String {
    let (hour, minute) = (epoch.rem_euclid(86_400) / 3600, epoch.rem_euclid(3600) / 60);
    format!("{} {hour:02}:{minute:02}", super::date(epoch))
}

/// The list named by the `list` argument of a site row that may also work without one
/// (`editfile`, `savefile`): `None` when none is named; an unknown, closed or invisible
/// list is a 404, decided by the operation.
fn named_list(ctx: &mut Ctx<'_>) -> Result<Option<List>, Error> {
    let Some(name) = ctx.param("list").map(str::to_string) else {
        return Ok(None);
    };
    Ok(Some(ctx.run(|env, _| lists::open_list(env, &name))?))
}

/// One text on `editfile.html`.
#[derive(Serialize)]
struct TextRow {
    name: &'static str,
    html: bool,
    /// `page`, `mail` or `post`.
    used: &'static str,
    saved: bool,
    updated_by: Option<String>,
    updated: Option<String>,
}

impl TextRow {
    fn of(state: &TextState) -> TextRow {
        TextRow {
            name: state.kind.name,
            html: state.kind.format == TextFormat::Html,
            used: match state.kind.used {
                TextUse::Page => "page",
                TextUse::Mail => "mail",
                TextUse::Post => "post",
            },
            saved: state.saved.is_some(),
            updated_by: state.saved.as_ref().and_then(|s| s.updated_by.clone()),
            updated: state.saved.as_ref().map(|s| date_time(s.updated_at)),
        }
    }
}

/// What a preview shows on `editfile.html`.
#[derive(Serialize, Default)]
struct PreviewView {
    /// `page`, `mail` or `post`.
    kind: &'static str,
    text: String,
    html: bool,
    header: String,
    footer: String,
}

impl From<Preview> for PreviewView {
    fn from(preview: Preview) -> PreviewView {
        match preview {
            Preview::Page { text, html } => PreviewView {
                kind: "page",
                text,
                html,
                ..PreviewView::default()
            },
            Preview::Mail(text) => PreviewView {
                kind: "mail",
                text,
                ..PreviewView::default()
            },
            Preview::Post { header, footer } => PreviewView {
                kind: "post",
                header,
                footer,
                ..PreviewView::default()
            },
        }
    }
}

/// `editfile.html`: the index of texts, or one text's form (with its preview).
#[derive(Serialize)]
struct EditView {
    /// The list, or none for the site's texts.
    list_name: Option<String>,
    texts: Vec<TextRow>,
    file: Option<TextRow>,
    content: Typed,
    max_kib: usize,
    preview: Option<PreviewView>,
}

/// Which texts: the list's or the site's.
fn scope(list: Option<&List>) -> TextScope {
    if list.is_some() {
        TextScope::List
    } else {
        TextScope::Site
    }
}

/// The text named by the `file` argument, a 404 for any other name (never a path).
fn text_kind(ctx: &Ctx<'_>, list: Option<&List>) -> Result<Option<&'static TextKind>, Error> {
    match ctx.param("file") {
        None => Ok(None),
        Some(name) => TextKind::find(scope(list), name)
            .map(Some)
            .ok_or_else(|| Error::NotFound(messages::tools::no_such_text(&ctx.language))),
    }
}

/// `editfile[/LIST[/FILE]]` (the site's texts with `?file=` and no list, for listmasters):
/// without a file, every text with whether it is saved; with one, its form.
pub fn editfile(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let list = named_list(ctx)?;
    let all = ctx.run(|env, who| texts::all(env, who, list.as_ref()))?;
    let kind = text_kind(ctx, list.as_ref())?;
    let file = kind.and_then(|kind| all.iter().find(|s| s.kind.name == kind.name));
    let content = file
        .and_then(|s| s.saved.as_ref())
        .map(|s| Typed::new(&s.body, usize::MAX))
        .unwrap_or_default();
    let view = EditView {
        list_name: list.map(|l| l.name.to_string()),
        file: file.map(TextRow::of),
        texts: all.iter().map(TextRow::of).collect(),
        content,
        max_kib: crate::domain::texts::MAX_TEXT_BYTES / 1024,
        preview: None,
    };
    ctx.ensure_csrf_token()?;
    Ok(Outcome::page(view))
}

/// `savefile` (POST: `list`, `file`, `content`; `preview` to see it without saving): saves
/// the text, or shows it as it would be used; a refused text stays in the form with the
/// reason next to it.
pub fn savefile(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let list = named_list(ctx)?;
    let all = ctx.run(|env, who| texts::all(env, who, list.as_ref()))?;
    let Some(kind) = text_kind(ctx, list.as_ref())? else {
        return Err(Error::BadRequest(messages::tools::which_text(
            &ctx.language,
        )));
    };
    let typed = ctx.text("content").to_string();
    let mut view = EditView {
        list_name: list.as_ref().map(|l| l.name.to_string()),
        file: all
            .iter()
            .find(|s| s.kind.name == kind.name)
            .map(TextRow::of),
        texts: all.iter().map(TextRow::of).collect(),
        content: Typed::new(&typed, usize::MAX),
        max_kib: crate::domain::texts::MAX_TEXT_BYTES / 1024,
        preview: None,
    };
    let name = kind.name;
    let result = if params::flag(&ctx.params, "preview") {
        ctx.run(|env, who| texts::preview(env, who, list.as_ref(), name, &typed))
            .map(Some)
    } else {
        ctx.run(|env, who| texts::save(env, who, list.as_ref(), name, &typed))
            .map(|()| None)
    };
    match result {
        Ok(Some(preview)) => {
            view.preview = Some(preview.into());
            ctx.ensure_csrf_token()?;
            Ok(Outcome::page(view))
        }
        Ok(None) => {
            let saved = messages::tools::text_saved(name, typed.trim().is_empty(), &ctx.language);
            ctx.flash(Level::Success, saved)?;
            let url = match &list {
                Some(list) => ctx.url("editfile", &[list.name.as_str(), name]),
                None => format!("{}?file={}", ctx.url("editfile", &[]), name),
            };
            Ok(Outcome::redirect(&url))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            if matches!(refusal, Refusal::Denied(_)) {
                return Err(refusal.into());
            }
            refused_form(ctx, &refusal, view)
        }
    }
}

/// One row of a member's history.
#[derive(Serialize)]
struct HistoryRow {
    at: String,
    action: String,
    actor: Option<String>,
    channel: String,
    detail: String,
}

/// `editsubscriber.html`.
#[derive(Serialize)]
struct MemberView {
    email: Email,
    name: String,
    reception: &'static str,
    concealed: bool,
    subscribed: String,
    updated: String,
    custom: Vec<(String, String)>,
    bounce: Option<BounceView>,
    joined: Option<HistoryRow>,
    history: Vec<HistoryRow>,
    may_change: bool,
    receptions: Vec<&'static str>,
}

/// A member's bounce record.
#[derive(Serialize)]
struct BounceView {
    /// The score in points, with one decimal.
    score: String,
    bounces: u32,
    first: String,
    last: String,
    disabled: Option<String>,
}

fn history_row(row: crate::store::AuditRecord) -> HistoryRow {
    HistoryRow {
        at: date_time(row.at),
        action: row.action,
        actor: row.actor,
        channel: row.channel,
        detail: if row.detail == "{}" {
            String::new()
        } else {
            row.detail
        },
    }
}

/// `editsubscriber/LIST/EMAIL`: one member's details and history; owners and moderators
/// see it, owners (and listmasters) get the forms to change or remove the member, which
/// post to `set` and lead to `del`.
pub fn editsubscriber(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let Some(typed) = ctx.param("email").map(str::to_string) else {
        return Err(Error::BadRequest(messages::tools::which_member(
            &ctx.language,
        )));
    };
    let email = Email::parse(&typed).map_err(|_| {
        Error::NotFound(messages::tools::not_a_member(
            &typed,
            &list.address(),
            &ctx.language,
        ))
    })?;
    let details = match ctx.run(|env, who| subscriber::details(env, who, list, &email)) {
        Ok(details) => details,
        Err(OpError::Refused(Refusal::NotAMember)) => {
            return Err(Error::NotFound(messages::tools::not_a_member(
                email.as_str(),
                &list.address(),
                &ctx.language,
            )))
        }
        Err(e) => return Err(e.into()),
    };
    let member = details.member;
    ctx.ensure_csrf_token()?;
    Ok(Outcome::page(MemberView {
        email: member.email,
        name: member.name,
        reception: member.reception.as_str(),
        concealed: member.visibility == crate::domain::MemberVisibility::Conceal,
        subscribed: date_time(member.subscribed_at),
        updated: date_time(member.updated_at),
        custom: member.custom_attributes.into_iter().collect(),
        bounce: details.bounce.map(|b| BounceView {
            score: format!("{}.{}", b.score / 1000, (b.score % 1000) / 100),
            bounces: b.bounces,
            first: date_time(b.first_at),
            last: date_time(b.last_at),
            disabled: b.disabled_at.map(date_time),
        }),
        joined: details.joined.map(history_row),
        history: details.history.into_iter().map(history_row).collect(),
        may_change: details.may_change,
        receptions: ReceptionMode::ALL
            .iter()
            .map(|mode| mode.as_str())
            .collect(),
    }))
}

/// One line of the import report.
#[derive(Serialize)]
struct ReportLine {
    line: usize,
    text: String,
    /// For refused lines: `address`, `name` or `repeated`.
    problem: &'static str,
}

/// What `import` did.
#[derive(Serialize)]
struct ImportReportView {
    added: Vec<ReportLine>,
    already: Vec<ReportLine>,
    refused: Vec<ReportLine>,
}

/// `import.html`.
#[derive(Serialize)]
struct ImportView {
    text: Typed,
    quiet: bool,
    max_lines: usize,
    report: Option<ImportReportView>,
}

/// `import/LIST` (Sympa's old `add_request`): GET shows the textarea; POST adds every valid
/// line (welcomed by mail unless `quiet`) and reports each line: added, member already, or
/// refused and why. What was refused stays in the textarea, to be corrected.
pub fn import(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let text = ctx.text("text").to_string();
    let quiet = params::flag(&ctx.params, "quiet");
    let mut view = ImportView {
        text: Typed::new(&text, usize::MAX),
        quiet,
        max_lines: import::MAX_LINES,
        report: None,
    };
    if ctx.request.method != Method::Post {
        ctx.ensure_csrf_token()?;
        return Ok(Outcome::page(view));
    }
    if text.lines().all(|line| import::parse_line(line).is_none()) {
        return refused_form(ctx, &Refusal::InvalidAddress, view);
    }
    match ctx.run(|env, who| import::import(env, who, list, &text, quiet)) {
        Ok(report) => {
            let line = |(line, email): (usize, Email)| ReportLine {
                line,
                text: email.to_string(),
                problem: "",
            };
            let refused_text: Vec<&str> = report.refused.iter().map(|r| r.1.as_str()).collect();
            view.text = Typed::new(&refused_text.join("\n"), usize::MAX);
            view.report = Some(ImportReportView {
                added: report.added.into_iter().map(line).collect(),
                already: report.already.into_iter().map(line).collect(),
                refused: report
                    .refused
                    .into_iter()
                    .map(|(line, text, problem)| ReportLine {
                        line,
                        text,
                        problem: match problem {
                            LineProblem::BadAddress => "address",
                            LineProblem::BadName => "name",
                            LineProblem::Repeated => "repeated",
                        },
                    })
                    .collect(),
            });
            ctx.ensure_csrf_token()?;
            Ok(Outcome::page(view))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            refused_form(ctx, &refusal, view)
        }
    }
}

/// `remind.html`.
#[derive(Serialize)]
struct RemindView {
    members: u64,
    last: Option<String>,
    /// Hours until the next reminder may go, rounded up; 0: now.
    wait_hours: u64,
    interval_hours: i64,
    /// Whether reminders were just queued (after a POST), and how many.
    sent: bool,
    queued: usize,
}

/// `remind/LIST`: GET asks to confirm (how many members, when the last reminder went);
/// POST queues one reminder per member in the outbox, at most once every
/// [`remind::REMIND_INTERVAL`].
pub fn remind(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let queued = if ctx.request.method == Method::Post {
        match ctx.run(|env, who| remind::remind(env, who, list)) {
            Ok(count) => Some(count),
            Err(e) => {
                let refusal = ctx.refusal(e)?;
                if matches!(refusal, Refusal::Denied(_)) {
                    return Err(refusal.into());
                }
                let status = ctx.run(|env, who| remind::status(env, who, list))?;
                let view = remind_view(&status, None);
                return refused_form(ctx, &refusal, view);
            }
        }
    } else {
        None
    };
    let status = ctx.run(|env, who| remind::status(env, who, list))?;
    ctx.ensure_csrf_token()?;
    Ok(Outcome::page(remind_view(&status, queued)))
}

fn remind_view(status: &remind::RemindStatus, queued: Option<usize>) -> RemindView {
    RemindView {
        members: status.members,
        last: status.last.map(date_time),
        wait_hours: status.wait.div_ceil(3600),
        interval_hours: remind::REMIND_INTERVAL / 3600,
        sent: queued.is_some(),
        queued: queued.unwrap_or(0),
    }
}

/// One row of `viewlogs.html`.
#[derive(Serialize)]
struct LogRow {
    at: String,
    action: String,
    actor: Option<String>,
    target: Option<String>,
    channel: String,
    remote_addr: Option<String>,
    detail: String,
}

/// The filters of `viewlogs.html`, as typed.
#[derive(Serialize)]
struct LogForm {
    date_from: Typed,
    date_to: Typed,
    r#type: Typed,
    target: Typed,
    actor: Typed,
    remote_addr: Typed,
}

/// `viewlogs.html`.
#[derive(Serialize)]
struct LogsView {
    form: LogForm,
    rows: Vec<LogRow>,
    total: u64,
    page: u64,
    pages: u64,
    size: u64,
    /// The filters as a query string, for the paging links.
    query: String,
    actions: &'static [&'static str],
    /// Whether the requester sees (and may search) client addresses: owners, listmasters.
    addresses_shown: bool,
}

/// The actions offered in the type filter: those written on a list's log.
const LOG_ACTIONS: &[&str] = &[
    "add",
    "arc_hide",
    "arc_show",
    "auth_add",
    "auth_del",
    "bounce_remove",
    "close_list",
    "complaint_remove",
    "decl_add",
    "decl_del",
    "del",
    "distribute",
    "import",
    "oneclick",
    "reject",
    "remind",
    "remove_arc",
    "resetbounce",
    "savefile",
    "set",
    "set_custom",
    "signoff",
    "subscribe",
];

/// A `YYYY-MM-DD` date as seconds since the epoch (its first second, UTC).
fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some(calendar::days_from_civil(year, month, day) * 86_400)
}

/// `viewlogs/LIST[/PAGE[/SIZE]]` with `date_from`, `date_to` (`YYYY-MM-DD`, both
/// included), `type`, `target` and `actor`: the list's audit log, newest first.
pub fn viewlogs(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let at = params::MemberPage::parse(&ctx.params);
    let form = LogForm {
        date_from: params::typed(&ctx.params, "date_from", 10),
        date_to: params::typed(&ctx.params, "date_to", 10),
        r#type: params::typed(&ctx.params, "type", 40),
        target: params::typed(&ctx.params, "target", 254),
        actor: params::typed(&ctx.params, "actor", 254),
        remote_addr: params::typed(&ctx.params, "remote_addr", 45),
    };
    let text = |typed: &Typed| {
        let t = typed.as_str().trim();
        (!t.is_empty()).then(|| t.to_string())
    };
    let date = |typed: &Typed| -> Result<Option<i64>, Refusal> {
        match text(typed) {
            None => Ok(None),
            Some(t) => parse_date(&t).map(Some).ok_or(Refusal::InvalidValue {
                field: Field::Filter,
            }),
        }
    };
    let size = at.size.min(logs::MAX_PAGE_SIZE);
    let mut view = LogsView {
        rows: Vec::new(),
        total: 0,
        page: at.page,
        pages: 1,
        size,
        query: String::new(),
        actions: LOG_ACTIONS,
        form,
        // For the form only (the operation decides): whether to offer the address filter.
        addresses_shown: ctx.run(|env, who| env.roles(who, list))?.is_owner(),
    };
    let dates = date(&view.form.date_from)
        .and_then(|from| date(&view.form.date_to).map(|to| (from, to.map(|t| t + 86_400))));
    let (since, until) = match dates {
        Ok(dates) => dates,
        Err(refusal) => return refused_form(ctx, &refusal, view),
    };
    let filter = LogFilter {
        since,
        until,
        action: text(&view.form.r#type),
        target: text(&view.form.target),
        actor: text(&view.form.actor),
        remote_addr: text(&view.form.remote_addr),
    };
    let page = match ctx.run(|env, who| logs::viewlogs(env, who, list, &filter, at.page, size)) {
        Ok(page) => page,
        // A filter that is no address, next to its field; anything else as before.
        Err(crate::operations::Error::Refused(refusal)) if refusal.field().is_some() => {
            return refused_form(ctx, &refusal, view);
        }
        Err(e) => return Err(e.into()),
    };
    view.addresses_shown = page.addresses_shown;
    view.pages = page.total.div_ceil(size).max(1);
    view.total = page.total;
    view.rows = page
        .rows
        .into_iter()
        .map(|row| LogRow {
            at: date_time(row.at),
            action: row.action,
            actor: row.actor,
            target: row.target,
            channel: row.channel,
            remote_addr: row.remote_addr,
            detail: if row.detail == "{}" {
                String::new()
            } else {
                row.detail
            },
        })
        .collect();
    let pairs = [
        ("date_from", &view.form.date_from),
        ("date_to", &view.form.date_to),
        ("type", &view.form.r#type),
        ("target", &view.form.target),
        ("actor", &view.form.actor),
        ("remote_addr", &view.form.remote_addr),
    ];
    view.query = pairs
        .iter()
        .filter(|(_, v)| !v.as_str().is_empty())
        .map(|(k, v)| format!("{k}={}", crate::operations::encode(v.as_str())))
        .collect::<Vec<_>>()
        .join("&");
    Ok(Outcome::page(view))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_read_and_write_as_iso() {
        assert_eq!(parse_date("1970-01-02"), Some(86_400));
        assert_eq!(parse_date("2000-02-29"), Some(951_782_400));
        assert_eq!(parse_date("2000-13-01"), None);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date(""), None);
        assert_eq!(
            date_time(951_782_400 + 3600 * 13 + 60 * 7 + 5),
            "2000-02-29 13:07"
        );
    }
}
