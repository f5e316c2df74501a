//! Owner pages about members: review and search, add and del, held subscriptions
//! (subindex, auth_add, decl_add) and unsubscriptions (sigindex, auth_del, decl_del), and
//! the CSV export.

use serde::Serialize;
use serde_json::{json, Value};

use super::{date, kept, refused_form};
use crate::domain::{self, ActionKind, AdminRole, Decision, MemberVisibility};
use crate::http::{Method, Response};
use crate::mail::notices::RequestKind;
use crate::operations::members::{self, parse_entries, Entry};
use crate::operations::{Field, Refusal};
use crate::store::{MemberQuery, MemberSort};
use crate::web::ctx::{Ctx, Level};
use crate::web::outcome::Outcome;
use crate::web::Error;

/// Rows per review page unless the URL says otherwise, and the most it may say.
const PAGE_SIZE: u64 = 25;
const MAX_PAGE_SIZE: u64 = 500;
/// Longest search filter, in characters.
const MAX_FILTER: usize = 100;

/// One row of the members table. The owners' links are made here, in Rust, rather than
/// with template filters: a page of 25 rows renders several times faster so.
#[derive(Serialize)]
struct MemberRow<'m> {
    email: &'m str,
    name: &'m str,
    reception: &'static str,
    concealed: bool,
    subscribed: String,
    /// Owners only.
    #[serde(skip_serializing_if = "Option::is_none")]
    set_url: Option<String>,
    /// Owners only.
    #[serde(skip_serializing_if = "Option::is_none")]
    del_url: Option<String>,
}

/// What the review and search pages show about a page of members.
#[derive(Serialize)]
struct MemberPageView<'m> {
    list_path: &'m str,
    members: Vec<MemberRow<'m>>,
    total: u64,
    page: u64,
    pages: u64,
    size: u64,
    sortby: &'static str,
    filter: Option<&'m str>,
    with_concealed: bool,
    is_owner: bool,
    /// Owners and moderators: they decide the held requests.
    handles_requests: bool,
}

/// `prefix` followed by `email` as one path segment.
fn member_url(prefix: &str, email: &str) -> String {
    let mut url = String::with_capacity(prefix.len() + email.len() + 8);
    url.push_str(prefix);
    url.extend(percent_encoding::utf8_percent_encode(
        email,
        crate::web::SEGMENT,
    ));
    url
}

/// The page of members asked by `page`, `size`, `sortby` and `filter`, as a view.
fn member_page(ctx: &mut Ctx<'_>, filter: Option<String>) -> Result<Value, Error> {
    let list = ctx.list.clone().expect("the row loads the list");
    if let Some(filter) = &filter {
        if filter.chars().count() > MAX_FILTER {
            return Err(Refusal::TooLong {
                field: Field::Filter,
                max: MAX_FILTER,
            }
            .into());
        }
    }
    let size = ctx
        .param("size")
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE);
    let page = ctx
        .param("page")
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(1)
        .clamp(1, 1_000_000);
    let sort = MemberSort::parse(ctx.text("sortby"));
    let query = MemberQuery {
        filter: filter.as_deref(),
        include_concealed: false,
        sort,
        offset: (page - 1) * size,
        limit: size,
    };
    // The roles were read for this request before the handler (to check the row's access).
    let roles = ctx.roles;
    let result = ctx
        .run(|env, _| members::review_as(env, &roles, &list, query))
        .map_err(Error::from)?;
    let pages = result.total.div_ceil(size).max(1);
    let is_owner = ctx.roles.is_owner();
    let list_path = crate::web::encode_segment(list.name.as_str());
    let (set_prefix, del_prefix) = (
        format!("{}/set/{list_path}/", ctx.base),
        format!("{}/del/{list_path}/", ctx.base),
    );
    let rows = result
        .members
        .iter()
        .map(|m| MemberRow {
            email: m.email.as_str(),
            name: &m.name,
            reception: m.reception.as_str(),
            concealed: m.visibility == MemberVisibility::Conceal,
            subscribed: date(m.subscribed_at),
            set_url: is_owner.then(|| member_url(&set_prefix, m.email.as_str())),
            del_url: is_owner.then(|| member_url(&del_prefix, m.email.as_str())),
        })
        .collect();
    let view = MemberPageView {
        list_path: &list_path,
        members: rows,
        total: result.total,
        page,
        pages,
        size,
        sortby: sort.as_str(),
        filter: filter.as_deref(),
        with_concealed: result.with_concealed,
        is_owner,
        handles_requests: !matches!(
            domain::decide(ActionKind::ManageRequests, &ctx.roles, &list.policy),
            Decision::Refuse(_)
        ),
    };
    // Strings, numbers and booleans only: this cannot fail (`json!` unwraps the same way).
    Ok(serde_json::to_value(&view).expect("the members view serializes"))
}

/// `review/LIST[/PAGE[/SIZE[/SORTBY]]][?filter=]`: one page of members, sorted by email,
/// name or date, optionally filtered; `review/LIST/owner` and `review/LIST/editor` list the
/// owners and the moderators instead, as in WWSympa. Who may see it is the list's review policy.
pub fn review(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    if let Some(role) = ctx.param("page").and_then(AdminRole::parse) {
        let list = ctx.list.as_ref().expect("the row loads the list");
        let mut admins = ctx.store.db().admins(list.id)?;
        admins.retain(|a| a.role == role);
        return Ok(Outcome::page(
            "review",
            json!({ "admins_role": role.as_str(), "admins": admins }),
        ));
    }
    let filter = ctx.param("filter").map(str::to_string);
    let view = member_page(ctx, filter)?;
    Ok(Outcome::page("review", view))
}

/// `search/LIST/FILTER`: the members whose address or name contains the filter.
pub fn search(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let Some(filter) = ctx.param("filter").map(str::to_string) else {
        return Ok(Outcome::page(
            "search",
            json!({ "members": [], "total": 0, "filter": "" }),
        ));
    };
    let view = member_page(ctx, Some(filter))?;
    Ok(Outcome::page("search", view))
}

/// Every value of the `email` fields, each split into lines.
fn typed_addresses(ctx: &Ctx<'_>) -> String {
    ctx.params.all("email").collect::<Vec<_>>().join("\n")
}

/// `add/LIST[/EMAIL]`: GET shows the form (one address per line, optional name after it);
/// POST adds them, each welcomed by mail unless `quiet`.
pub fn add(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let list = ctx.list.clone().expect("the row loads the list");
    let typed = typed_addresses(ctx);
    let mut view = json!({ "form": { "email": kept(&typed, 100_000), "quiet": ctx.param("quiet").is_some() } });
    if ctx.request.method != Method::Post {
        view["csrf_token"] = json!(ctx.csrf_token()?);
        return Ok(Outcome::page("add", view));
    }
    let mut entries = parse_entries(&typed);
    if let (Some(name), [only]) = (ctx.param("gecos"), entries.as_mut_slice()) {
        if only.name.is_empty() {
            only.name = name.to_string();
        }
    }
    if entries.is_empty() {
        return refused_form(ctx, "add", &Refusal::InvalidAddress, view);
    }
    let quiet = ctx.param("quiet").is_some();
    match ctx.run(|env, who| members::add(env, who, &list, &entries, quiet)) {
        Ok(report) if report.added.is_empty() && report.already.is_empty() => {
            view["report"] = json!({ "invalid": report.invalid });
            refused_form(ctx, "add", &Refusal::InvalidAddress, view)
        }
        Ok(report) => {
            view["report"] = json!({
                "added": report.added,
                "already": report.already,
                "invalid": report.invalid,
            });
            view["form"]["email"] = json!(report.invalid.join("\n"));
            view["csrf_token"] = json!(ctx.csrf_token()?);
            Ok(Outcome::page("add", view))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            refused_form(ctx, "add", &refusal, view)
        }
    }
}

/// `del/LIST[/EMAIL]`: GET asks to confirm the addresses; POST removes them, each told by
/// mail unless `quiet`.
pub fn del(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let list = ctx.list.clone().expect("the row loads the list");
    let typed = typed_addresses(ctx);
    let mut view = json!({ "form": { "email": kept(&typed, 100_000), "quiet": ctx.param("quiet").is_some() } });
    if ctx.request.method != Method::Post {
        view["csrf_token"] = json!(ctx.csrf_token()?);
        return Ok(Outcome::page("del", view));
    }
    let addresses: Vec<Entry> = parse_entries(&typed);
    let emails: Vec<&str> = addresses.iter().map(|e| e.email.as_str()).collect();
    if emails.is_empty() {
        return refused_form(ctx, "del", &Refusal::InvalidAddress, view);
    }
    let quiet = ctx.param("quiet").is_some();
    match ctx.run(|env, who| members::del(env, who, &list, &emails, quiet)) {
        Ok(report) if report.removed.is_empty() && report.not_member.is_empty() => {
            view["report"] = json!({ "invalid": report.invalid });
            refused_form(ctx, "del", &Refusal::InvalidAddress, view)
        }
        Ok(report) => {
            view["report"] = json!({
                "removed": report.removed,
                "not_member": report.not_member,
                "invalid": report.invalid,
            });
            view["form"]["email"] = json!("");
            view["csrf_token"] = json!(ctx.csrf_token()?);
            Ok(Outcome::page("del", view))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            refused_form(ctx, "del", &refusal, view)
        }
    }
}

/// The page of the requests of `kind` waiting for an owner (`subindex`, `sigindex`).
fn pending_page(
    ctx: &mut Ctx<'_>,
    kind: RequestKind,
    template: &'static str,
) -> Result<Outcome, Error> {
    let list = ctx.list.clone().expect("the row loads the list");
    let requests = ctx
        .run(|env, who| members::requests(env, who, &list, kind))
        .map_err(Error::from)?;
    let rows: Vec<Value> = requests
        .iter()
        .map(|p| {
            json!({
                "email": p.email,
                "name": p.data["name"],
                "date": date(p.created_at),
            })
        })
        .collect();
    let csrf = ctx.csrf_token()?;
    Ok(Outcome::page(
        template,
        json!({ "requests": rows, "csrf_token": csrf }),
    ))
}

/// `subindex/LIST`: subscriptions waiting for an owner, with accept and decline buttons.
pub fn subindex(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    pending_page(ctx, RequestKind::Subscribe, "subindex")
}

/// `sigindex/LIST`: unsubscriptions waiting for an owner, with accept and decline buttons.
pub fn sigindex(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    pending_page(ctx, RequestKind::Signoff, "sigindex")
}

/// Accepts or declines the held requests of `kind` chosen by the `email` fields (one per
/// request), then goes back to their page with what was done.
fn decide(ctx: &mut Ctx<'_>, kind: RequestKind, accept: bool) -> Result<Outcome, Error> {
    let list = ctx.list.clone().expect("the row loads the list");
    let emails: Vec<String> = ctx.params.all("email").map(str::to_string).collect();
    let (template, index) = match (kind, accept) {
        (RequestKind::Subscribe, true) => ("auth_add", "subindex"),
        (RequestKind::Subscribe, false) => ("decl_add", "subindex"),
        (RequestKind::Signoff, true) => ("auth_del", "sigindex"),
        (RequestKind::Signoff, false) => ("decl_del", "sigindex"),
    };
    if emails.is_empty() {
        ctx.notice(Level::Error, "Choose at least one request.");
        let csrf = ctx.csrf_token()?;
        return Ok(Outcome::page_with_status(
            template,
            422,
            json!({ "csrf_token": csrf }),
        ));
    }
    let quiet = ctx.param("quiet").is_some();
    let refs: Vec<&str> = emails.iter().map(String::as_str).collect();
    let report = ctx
        .run(|env, who| members::decide_requests(env, who, &list, kind, &refs, accept, quiet))
        .map_err(Error::from)?;
    let verb = if accept { "Accepted" } else { "Declined" };
    if !report.done.is_empty() {
        let done: Vec<&str> = report.done.iter().map(|e| e.as_str()).collect();
        ctx.flash(Level::Success, format!("{verb}: {}.", done.join(", ")))?;
    }
    if !report.missing.is_empty() {
        ctx.flash(
            Level::Error,
            format!(
                "No waiting request (decided already?): {}.",
                report.missing.join(", ")
            ),
        )?;
    }
    Ok(Outcome::redirect(&ctx.url(index, &[list.name.as_str()])))
}

/// `auth_add/LIST` (old name `add_fromsub`, POST): accepts the chosen held subscriptions.
pub fn auth_add(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    decide(ctx, RequestKind::Subscribe, true)
}

/// `decl_add/LIST` (old name `ignoresub`, POST): declines the chosen held subscriptions.
pub fn decl_add(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    decide(ctx, RequestKind::Subscribe, false)
}

/// `auth_del/LIST` (old name `del_fromsig`, POST): accepts the chosen held unsubscriptions.
pub fn auth_del(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    decide(ctx, RequestKind::Signoff, true)
}

/// `decl_del/LIST` (old name `ignoresig`, POST): declines the chosen held unsubscriptions.
pub fn decl_del(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    decide(ctx, RequestKind::Signoff, false)
}

/// `export_member/LIST[/FORMAT]` (old name `dump`): without a format, a page with the
/// download links; `full` (CSV with names, modes, dates) or `light` (addresses only) is the
/// download, named `LIST@DOMAIN.csv`.
pub fn export_member(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let list = ctx.list.clone().expect("the row loads the list");
    let light = match ctx.param("format") {
        None => return Ok(Outcome::page("export_member", json!({}))),
        Some("light") => true,
        Some(_) => false,
    };
    let csv = ctx
        .run(|env, who| members::export(env, who, &list, light))
        .map_err(Error::from)?;
    let response = Response {
        status: 200,
        headers: vec![
            ("Content-Type".into(), "text/csv; charset=utf-8".into()),
            (
                "Content-Disposition".into(),
                format!("attachment; filename=\"{}.csv\"", list.address()),
            ),
            ("Cache-Control".into(), "no-store".into()),
        ],
        body: csv.into_bytes(),
    };
    Ok(Outcome::Response(response))
}
