//! Owner pages about members: review and search, add and del, held subscriptions
//! (subindex, auth_add, decl_add) and unsubscriptions (sigindex, auth_del, decl_del), and
//! the CSV export.

use serde::ser::{SerializeSeq, SerializeStruct, Serializer};
use serde::Serialize;

use super::{date, day, refused_form};
use crate::domain::{self, ActionKind, Admin, Decision, Email, List, Member, MemberVisibility};
use crate::http::{Body, Method, Response};
use crate::mail::notices::RequestKind;
use crate::messages::{self, WebText};
use crate::operations::members::{self, parse_entries, Entry};
use crate::operations::Refusal;
use crate::store::MemberQuery;
use crate::web::ctx::{Ctx, Level};
use crate::web::outcome::Outcome;
use crate::web::params::{self, Export, Filter, MemberPage, Review, Typed};
use crate::web::Error;

/// The rows of the members table, serialized one member at a time as
/// `{email, name, reception, concealed, subscribed, set_url, del_url}`. The owners' links
/// are made here, in Rust, rather than with template filters: a page of 25 rows renders
/// several times faster so. Each row is written into the page's fields straight from the
/// member read from the store: no copy of its address or name, no string of its own for
/// its date or links.
struct MemberRows {
    members: Vec<Member>,
    /// The prefixes of the owners' links (`<base>/set/<list>/`, `<base>/del/<list>/`);
    /// owners only.
    links: Option<(String, String)>,
}

impl Serialize for MemberRows {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.members.len()))?;
        for member in &self.members {
            seq.serialize_element(&MemberRow {
                member,
                links: self
                    .links
                    .as_ref()
                    .map(|(set, del)| (set.as_str(), del.as_str())),
            })?;
        }
        seq.end()
    }
}

/// One row of [`MemberRows`].
struct MemberRow<'a> {
    member: &'a Member,
    links: Option<(&'a str, &'a str)>,
}

impl Serialize for MemberRow<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let m = self.member;
        let fields = if self.links.is_some() { 7 } else { 5 };
        let mut row = serializer.serialize_struct("MemberRow", fields)?;
        row.serialize_field("email", m.email.as_str())?;
        row.serialize_field("name", &m.name)?;
        row.serialize_field("reception", m.reception.as_str())?;
        row.serialize_field("concealed", &(m.visibility == MemberVisibility::Conceal))?;
        row.serialize_field("subscribed", day(m.subscribed_at).as_str())?;
        if let Some((set_prefix, del_prefix)) = self.links {
            // One buffer for both links: the set link, then the del link over it.
            let mut url = String::with_capacity(set_prefix.len().max(del_prefix.len()) + 48);
            url.push_str(set_prefix);
            crate::web::route::push_segment(&mut url, m.email.as_str());
            row.serialize_field("set_url", &url)?;
            url.replace_range(..set_prefix.len(), del_prefix);
            row.serialize_field("del_url", &url)?;
        } else {
            row.skip_field("set_url")?;
            row.skip_field("del_url")?;
        }
        row.end()
    }
}

/// `review.html` (members) and `search.html`: a page of members.
#[derive(Serialize)]
struct MemberPageView {
    list_path: String,
    members: MemberRows,
    total: u64,
    page: u64,
    pages: u64,
    size: u64,
    sortby: &'static str,
    filter: Option<String>,
    with_concealed: bool,
    is_owner: bool,
    /// Owners and moderators: they decide the held requests.
    handles_requests: bool,
}

/// The page of members `at`, maybe filtered, as a view.
fn member_page(
    ctx: &mut Ctx<'_>,
    list: &List,
    at: MemberPage,
    filter: Option<Filter>,
) -> Result<MemberPageView, Error> {
    let query = MemberQuery {
        filter: filter.as_ref().map(Filter::as_str),
        include_concealed: false,
        sort: at.sort,
        offset: at.offset(),
        limit: at.size,
    };
    let result = ctx
        .run(|env, who| members::review(env, who, list, query))
        .map_err(Error::from)?;
    let pages = result.total.div_ceil(at.size).max(1);
    let is_owner = ctx.roles.is_owner();
    let list_path = crate::web::encode_segment(list.name.as_str());
    let members = MemberRows {
        members: result.members,
        links: is_owner.then(|| {
            (
                format!("{}/set/{list_path}/", ctx.base),
                format!("{}/del/{list_path}/", ctx.base),
            )
        }),
    };
    Ok(MemberPageView {
        list_path,
        members,
        total: result.total,
        page: at.page,
        pages,
        size: at.size,
        sortby: at.sort.as_str(),
        filter: filter.map(|f| f.as_str().to_string()),
        with_concealed: result.with_concealed,
        is_owner,
        handles_requests: !matches!(
            domain::decide(ActionKind::ManageRequests, &ctx.roles, &list.policy),
            Decision::Refuse(_)
        ),
    })
}

/// An owner or a moderator on `review.html`.
#[derive(Serialize)]
struct AdminRow {
    email: Email,
    name: String,
    privileged: bool,
}

/// `review.html` for the owners or the moderators.
#[derive(Serialize)]
struct AdminsView {
    admins_role: &'static str,
    admins: Vec<AdminRow>,
}

/// `review/LIST[/PAGE[/SIZE[/SORTBY]]][?filter=]`: one page of members, sorted by email,
/// name or date, optionally filtered; `review/LIST/owner` and `review/LIST/editor` list the
/// owners and the moderators instead, as in WWSympa. Who may see it is the list's review policy.
pub fn review(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    match Review::parse(&ctx.params)? {
        Review::Admins(role) => {
            let admins = ctx.run(|env, who| members::admins(env, who, list, role))?;
            let admins = admins
                .into_iter()
                .map(
                    |Admin {
                         email,
                         name,
                         privileged,
                         ..
                     }| AdminRow {
                        email,
                        name,
                        privileged,
                    },
                )
                .collect();
            Ok(Outcome::page(AdminsView {
                admins_role: role.as_str(),
                admins,
            }))
        }
        Review::Members(at, filter) => Ok(Outcome::page(member_page(ctx, list, at, filter)?)),
    }
}

/// `search.html` without a filter.
#[derive(Serialize)]
struct EmptySearchView {
    members: [(); 0],
    total: u64,
    filter: &'static str,
}

/// `search/LIST/FILTER`: the members whose address or name contains the filter.
pub fn search(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let Some(filter) = params::filter(&ctx.params)? else {
        return Ok(Outcome::page(EmptySearchView {
            members: [],
            total: 0,
            filter: "",
        }));
    };
    let at = MemberPage::parse(&ctx.params);
    Ok(Outcome::page(member_page(ctx, list, at, Some(filter))?))
}

/// What the add and del forms keep of what was typed.
#[derive(Serialize)]
struct AddressesForm {
    email: Typed,
    quiet: bool,
}

impl AddressesForm {
    fn of(ctx: &Ctx<'_>, typed: &str) -> AddressesForm {
        AddressesForm {
            email: Typed::new(typed, params::ADDRESSES_MAX),
            quiet: params::flag(&ctx.params, "quiet"),
        }
    }
}

/// What `add` did.
#[derive(Serialize)]
struct AddReportView {
    #[serde(skip_serializing_if = "Option::is_none")]
    added: Option<Vec<Email>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    already: Option<Vec<Email>>,
    invalid: Vec<String>,
}

/// `add.html`.
#[derive(Serialize)]
struct AddView {
    form: AddressesForm,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<AddReportView>,
}

/// `add/LIST[/EMAIL]`: GET shows the form (one address per line, optional name after it);
/// POST adds them, each welcomed by mail unless `quiet`.
pub fn add(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let typed = params::addresses(&ctx.params);
    let mut view = AddView {
        form: AddressesForm::of(ctx, &typed),
        report: None,
    };
    if ctx.request.method != Method::Post {
        ctx.ensure_csrf_token()?;
        return Ok(Outcome::page(view));
    }
    let mut entries = parse_entries(&typed);
    if let (Some(name), [only]) = (ctx.param("gecos"), entries.as_mut_slice()) {
        if only.name.is_empty() {
            only.name = name.to_string();
        }
    }
    if entries.is_empty() {
        return refused_form(ctx, &Refusal::InvalidAddress, view);
    }
    let quiet = view.form.quiet;
    match ctx.run(|env, who| members::add(env, who, list, &entries, quiet)) {
        Ok(report) if report.added.is_empty() && report.already.is_empty() => {
            view.report = Some(AddReportView {
                added: None,
                already: None,
                invalid: report.invalid,
            });
            refused_form(ctx, &Refusal::InvalidAddress, view)
        }
        Ok(report) => {
            view.form.email = Typed::new(&report.invalid.join("\n"), usize::MAX);
            view.report = Some(AddReportView {
                added: Some(report.added),
                already: Some(report.already),
                invalid: report.invalid,
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

/// What `del` did.
#[derive(Serialize)]
struct DelReportView {
    #[serde(skip_serializing_if = "Option::is_none")]
    removed: Option<Vec<Email>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    not_member: Option<Vec<Email>>,
    invalid: Vec<String>,
}

/// `del.html`.
#[derive(Serialize)]
struct DelView {
    form: AddressesForm,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<DelReportView>,
}

/// `del/LIST[/EMAIL]`: GET asks to confirm the addresses; POST removes them, each told by
/// mail unless `quiet`.
pub fn del(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let typed = params::addresses(&ctx.params);
    let mut view = DelView {
        form: AddressesForm::of(ctx, &typed),
        report: None,
    };
    if ctx.request.method != Method::Post {
        ctx.ensure_csrf_token()?;
        return Ok(Outcome::page(view));
    }
    let addresses: Vec<Entry> = parse_entries(&typed);
    let emails: Vec<&str> = addresses.iter().map(|e| e.email.as_str()).collect();
    if emails.is_empty() {
        return refused_form(ctx, &Refusal::InvalidAddress, view);
    }
    let quiet = view.form.quiet;
    match ctx.run(|env, who| members::del(env, who, list, &emails, quiet)) {
        Ok(report) if report.removed.is_empty() && report.not_member.is_empty() => {
            view.report = Some(DelReportView {
                removed: None,
                not_member: None,
                invalid: report.invalid,
            });
            refused_form(ctx, &Refusal::InvalidAddress, view)
        }
        Ok(report) => {
            view.form.email = Typed::default();
            view.report = Some(DelReportView {
                removed: Some(report.removed),
                not_member: Some(report.not_member),
                invalid: report.invalid,
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

/// A held request on `subindex.html` / `sigindex.html`.
#[derive(Serialize)]
struct RequestRow {
    email: Email,
    name: Option<String>,
    date: String,
}

/// `subindex.html` and `sigindex.html`.
#[derive(Serialize)]
struct RequestsView {
    requests: Vec<RequestRow>,
}

/// The page of the requests of `kind` waiting for an owner (`subindex`, `sigindex`).
fn pending_page(ctx: &mut Ctx<'_>, list: &List, kind: RequestKind) -> Result<Outcome, Error> {
    let requests = ctx
        .run(|env, who| members::requests(env, who, list, kind))
        .map_err(Error::from)?;
    let requests = requests
        .into_iter()
        .map(|p| RequestRow {
            name: p
                .data
                .get("name")
                .and_then(|n| n.as_str())
                .map(str::to_string),
            date: date(p.created_at),
            email: p.email,
        })
        .collect();
    ctx.ensure_csrf_token()?;
    Ok(Outcome::page(RequestsView { requests }))
}

/// `subindex/LIST`: subscriptions waiting for an owner, with accept and decline buttons.
pub fn subindex(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    pending_page(ctx, list, RequestKind::Subscribe)
}

/// `sigindex/LIST`: unsubscriptions waiting for an owner, with accept and decline buttons.
pub fn sigindex(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    pending_page(ctx, list, RequestKind::Signoff)
}

/// `auth_add.html`, `decl_add.html`, `auth_del.html`, `decl_del.html`: nothing chosen.
#[derive(Serialize)]
struct NothingChosenView {}

/// Accepts or declines the held requests of `kind` chosen by the `email` fields (one per
/// request), then goes back to their page with what was done.
fn decide(
    ctx: &mut Ctx<'_>,
    list: &List,
    kind: RequestKind,
    accept: bool,
) -> Result<Outcome, Error> {
    let emails: Vec<String> = ctx.params.all("email").map(str::to_string).collect();
    let index = match kind {
        RequestKind::Subscribe => "subindex",
        RequestKind::Signoff => "sigindex",
    };
    if emails.is_empty() {
        ctx.notice(
            Level::Error,
            messages::web(&WebText::ChooseRequest, &ctx.language),
        );
        ctx.ensure_csrf_token()?;
        return Ok(Outcome::page_with_status(422, NothingChosenView {}));
    }
    let quiet = params::flag(&ctx.params, "quiet");
    let refs: Vec<&str> = emails.iter().map(String::as_str).collect();
    let report = ctx
        .run(|env, who| members::decide_requests(env, who, list, kind, &refs, accept, quiet))
        .map_err(Error::from)?;
    if !report.done.is_empty() {
        let done: Vec<&str> = report.done.iter().map(|e| e.as_str()).collect();
        let addresses = done.join(", ");
        let text = if accept {
            WebText::RequestsAccepted {
                addresses: &addresses,
            }
        } else {
            WebText::RequestsDeclined {
                addresses: &addresses,
            }
        };
        ctx.flash(Level::Success, messages::web(&text, &ctx.language))?;
    }
    if !report.missing.is_empty() {
        ctx.flash(
            Level::Error,
            messages::web(
                &WebText::NoWaitingRequest {
                    addresses: &report.missing.join(", "),
                },
                &ctx.language,
            ),
        )?;
    }
    Ok(Outcome::redirect(&ctx.url(index, &[list.name.as_str()])))
}

/// `auth_add/LIST` (old name `add_fromsub`, POST): accepts the chosen held subscriptions.
pub fn auth_add(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    decide(ctx, list, RequestKind::Subscribe, true)
}

/// `decl_add/LIST` (old name `ignoresub`, POST): declines the chosen held subscriptions.
pub fn decl_add(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    decide(ctx, list, RequestKind::Subscribe, false)
}

/// `auth_del/LIST` (old name `del_fromsig`, POST): accepts the chosen held unsubscriptions.
pub fn auth_del(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    decide(ctx, list, RequestKind::Signoff, true)
}

/// `decl_del/LIST` (old name `ignoresig`, POST): declines the chosen held unsubscriptions.
pub fn decl_del(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    decide(ctx, list, RequestKind::Signoff, false)
}

/// `export_member.html`: the links, from the common fields.
#[derive(Serialize)]
struct ExportView {}

/// `export_member/LIST[/FORMAT]` (old name `dump`): without a format, a page with the
/// download links; `full` (CSV with names, modes, dates) or `light` (addresses only) is the
/// download, named `LIST@DOMAIN.csv`.
pub fn export_member(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let light = match Export::parse(&ctx.params) {
        Export::Page => return Ok(Outcome::page(ExportView {})),
        Export::Light => true,
        Export::Full => false,
    };
    let csv = ctx
        .run(|env, who| members::export(env, who, list, light))
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
        body: Body::Bytes(csv.into_bytes()),
    };
    Ok(Outcome::Response(response))
}
