//! List creation, a list's lifecycle (close, open, copy, rename, purge) and the listmaster's panel (`serveradmin`, the `get_*_lists` reports, `search_user`, `mass_del`), and `search_list`.
//!
//! Every action here that names a list which may be closed or pending is a site row: the
//! table's list rows load open lists only. The operations decide who may act (a 404 for a
//! list the visitor may not see, as everywhere); GET shows a page or a confirmation, POST
//! acts.

use serde::Serialize;

use super::{date, refused_form};
use crate::domain::{List, ListName, ListStatus, ListSummary, ListTemplate, Membership};
use crate::http::Method;
use crate::messages;
use crate::operations::lifecycle::{self, Opened};
use crate::operations::listmaster::{self, MassDelOutcome, Overview};
use crate::operations::lists::{self as list_operations, ListSettings};
use crate::operations::site_check::Finding;
use crate::operations::{Field, Refusal};
use crate::store::NewList;
use crate::web::ctx::{Ctx, Level};
use crate::web::outcome::Outcome;
use crate::web::params::{self, Typed};
use crate::web::Error;

/// What a list's policies mean, as codes the templates turn into sentences.
#[derive(Serialize)]
struct PolicyView {
    visibility: &'static str,
    subscribe: &'static str,
    send: &'static str,
    review: &'static str,
    archive: &'static str,
}

impl PolicyView {
    fn of_template(template: ListTemplate) -> PolicyView {
        let policy = template.policy();
        PolicyView {
            visibility: policy.visibility.as_str(),
            subscribe: policy.subscribe.as_str(),
            send: template.send().as_str(),
            review: policy.review.as_str(),
            archive: policy.archive.as_str(),
        }
    }
}

/// A template offered by the creation form.
#[derive(Serialize)]
struct TemplateOption {
    name: &'static str,
    policy: PolicyView,
}

/// The creation form's fields as typed (Sympa's names).
#[derive(Serialize, Default)]
struct CreateForm {
    listname: Typed,
    subject: Typed,
    template: Typed,
    info: Typed,
    topics: Typed,
}

/// `create_list_request.html` and `create_list.html`.
#[derive(Serialize)]
struct CreateView {
    templates: Vec<TemplateOption>,
    form: CreateForm,
    /// `open` or `pending`: what a request made here becomes.
    outcome: &'static str,
}

fn create_view(ctx: &Ctx<'_>, outcome: ListStatus) -> CreateView {
    let form = &ctx.params;
    let mut typed = CreateForm {
        listname: params::typed(form, "listname", 50),
        subject: params::typed(form, "subject", list_operations::MAX_LIST_SUBJECT),
        template: params::typed(form, "template", 40),
        info: params::typed(form, "info", list_operations::MAX_LIST_DESCRIPTION),
        topics: params::typed(form, "topics", 2_000),
    };
    if typed.template.as_str().is_empty() {
        typed.template = Typed::new(ListTemplate::DiscussionList.as_str(), 40);
    }
    CreateView {
        templates: ListTemplate::ALL
            .iter()
            .map(|t| TemplateOption {
                name: t.as_str(),
                policy: PolicyView::of_template(*t),
            })
            .collect(),
        form: typed,
        outcome: outcome.as_str(),
    }
}

/// `create_list_request`: the form to create (or ask for) a list.
pub fn create_list_request(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let outcome = ctx
        .run(|env, who| list_operations::creation_status(env, who))
        .map_err(Error::from)?;
    ctx.ensure_csrf_token()?;
    Ok(Outcome::page(create_view(ctx, outcome)))
}

/// `create_list`: GET shows the form, POST creates the list (open, or pending a
/// listmaster's approval, as the site's `create_list` says).
pub fn create_list(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let outcome = ctx
        .run(|env, who| list_operations::creation_status(env, who))
        .map_err(Error::from)?;
    let view = create_view(ctx, outcome);
    if ctx.request.method != Method::Post {
        ctx.ensure_csrf_token()?;
        return Ok(Outcome::page(view));
    }
    let Some(template) = ListTemplate::parse(ctx.text("template")) else {
        let refusal = Refusal::InvalidValue {
            field: Field::Template,
        };
        return refused_form(ctx, &refusal, view);
    };
    let name = match ListName::parse(ctx.text("listname")) {
        Ok(name) => name,
        Err(_) => {
            let refusal = Refusal::ListName(crate::domain::NameProblem::Syntax);
            return refused_form(ctx, &refusal, view);
        }
    };
    let topics: Vec<String> = ctx
        .text("topics")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    let new = NewList {
        name,
        subject: ctx.text("subject").trim().to_string(),
        description: ctx.text("info").to_string(),
        topics,
        visibility: template.policy().visibility,
    };
    let settings = ListSettings::from_template(new, template);
    match ctx.run(|env, who| list_operations::create(env, who, &settings)) {
        Ok(list) if list.status == ListStatus::Open => {
            ctx.flash(
                Level::Success,
                messages::list_created(&list.name, false, &ctx.language),
            )?;
            Ok(Outcome::redirect(&ctx.url("info", &[list.name.as_str()])))
        }
        Ok(list) => {
            ctx.flash(
                Level::Success,
                messages::list_created(&list.name, true, &ctx.language),
            )?;
            Ok(Outcome::redirect(&ctx.url("my", &[])))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            refused_form(ctx, &refusal, view)
        }
    }
}

/// A list on the lifecycle pages (any status).
#[derive(Serialize)]
struct TargetView {
    name: String,
    address: String,
    subject: String,
    description: String,
    topics: Vec<String>,
    status: &'static str,
    member_count: u64,
}

impl TargetView {
    fn of(list: &List) -> TargetView {
        TargetView {
            name: list.name.to_string(),
            address: list.address(),
            subject: list.subject.clone(),
            description: list.description.clone(),
            topics: list.topics.clone(),
            status: list.status.as_str(),
            member_count: list.member_count,
        }
    }
}

/// The list named by the `list` argument, whatever its status; a 404 as for any unknown
/// list (the operation decides who may see it).
fn named_list(ctx: &mut Ctx<'_>) -> Result<List, Error> {
    let name = ctx.text("list").to_string();
    ctx.run(|env, _| list_operations::find(env, &name))
        .map_err(Error::from)
}

/// `close_list.html`.
#[derive(Serialize)]
struct CloseView {
    target: TargetView,
    note: Typed,
}

/// `close_list`: a privileged owner or a listmaster closes a list (a pending one is
/// rejected: purged, its owners told by mail, with the listmaster's reason). GET confirms.
pub fn close_list(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let list = named_list(ctx)?;
    ctx.run(|env, who| lifecycle::may_manage(env, who, &list))
        .map_err(Error::from)?;
    let view = CloseView {
        target: TargetView::of(&list),
        note: params::typed(&ctx.params, "note", list_operations::MAX_REASON),
    };
    if ctx.request.method != Method::Post {
        ctx.ensure_csrf_token()?;
        return Ok(Outcome::page(view));
    }
    let note = ctx.text("note").to_string();
    match ctx.run(|env, who| list_operations::close_with_reason(env, who, &list, &note)) {
        Ok(()) => {
            let pending = list.status == ListStatus::Pending;
            ctx.flash(
                Level::Success,
                messages::list_closed(&list.name, pending, &ctx.language),
            )?;
            let next = if ctx.user.as_ref().is_some_and(|u| u.listmaster) {
                ctx.url("serveradmin", &[])
            } else {
                ctx.url("my", &[])
            };
            Ok(Outcome::redirect(&next))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            refused_form(ctx, &refusal, view)
        }
    }
}

/// `open_list.html`.
#[derive(Serialize)]
struct OpenView {
    target: TargetView,
}

/// `open_list` (Sympa's `restore_list`, `install_pending_list`): a listmaster reopens a
/// closed list or installs a pending one. GET confirms.
pub fn open_list(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    ctx.run(|_, who| lifecycle::may_open(who))
        .map_err(Error::from)?;
    let list = named_list(ctx)?;
    if ctx.request.method != Method::Post {
        ctx.ensure_csrf_token()?;
        return Ok(Outcome::page(OpenView {
            target: TargetView::of(&list),
        }));
    }
    let opened = ctx
        .run(|env, who| lifecycle::open(env, who, &list))
        .map_err(Error::from)?;
    let text = messages::list_opened(&list.name, opened == Opened::Installed, &ctx.language);
    ctx.flash(Level::Success, text)?;
    Ok(Outcome::redirect(&ctx.url("info", &[list.name.as_str()])))
}

/// `set_pending_list_request.html`.
#[derive(Serialize)]
struct PendingView {
    target: TargetView,
    policy: PolicyView,
    owners: Vec<String>,
}

/// `set_pending_list_request`: a listmaster reviews a pending list's settings, with the
/// buttons to install it or reject it.
pub fn set_pending_list_request(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    ctx.run(|_, who| lifecycle::may_open(who))
        .map_err(Error::from)?;
    let list = named_list(ctx)?;
    let (mail, owners) = ctx
        .run(|env, who| lifecycle::pending_details(env, who, &list))
        .map_err(Error::from)?;
    ctx.ensure_csrf_token()?;
    Ok(Outcome::page(PendingView {
        policy: PolicyView {
            visibility: list.policy.visibility.as_str(),
            subscribe: list.policy.subscribe.as_str(),
            send: mail.send.as_str(),
            review: list.policy.review.as_str(),
            archive: list.policy.archive.as_str(),
        },
        target: TargetView::of(&list),
        owners: owners.iter().map(|o| o.email.to_string()).collect(),
    }))
}

/// `copy_list.html` and `move_list.html`.
#[derive(Serialize)]
struct NewNameView {
    target: TargetView,
    new_listname: Typed,
}

fn new_name_view(ctx: &Ctx<'_>, list: &List) -> NewNameView {
    NewNameView {
        target: TargetView::of(list),
        new_listname: params::typed(&ctx.params, "new_listname", 50),
    }
}

/// `copy_list`: a new list with this one's configuration and owners (not its members nor
/// archives). GET shows the form.
pub fn copy_list(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    same_robot(ctx)?;
    let view = new_name_view(ctx, list);
    if ctx.request.method != Method::Post {
        ctx.ensure_csrf_token()?;
        return Ok(Outcome::page(view));
    }
    let new_name = ctx.text("new_listname").to_string();
    match ctx.run(|env, who| lifecycle::copy(env, who, list, &new_name)) {
        Ok(moved) => {
            let pending = moved.list.status == ListStatus::Pending;
            ctx.flash(
                Level::Success,
                messages::list_copied(&moved.list.name, pending, &ctx.language),
            )?;
            let next = if pending {
                ctx.url("my", &[])
            } else {
                ctx.url("info", &[moved.list.name.as_str()])
            };
            Ok(Outcome::redirect(&next))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            refused_form(ctx, &refusal, view)
        }
    }
}

/// `rename_list_request`: the form to rename a list (it posts to `move_list`).
pub fn rename_list_request(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let view = new_name_view(ctx, list);
    ctx.ensure_csrf_token()?;
    Ok(Outcome::page(view))
}

/// Refuses a `new_robot` other than the site's domain: lists move only within it.
fn same_robot(ctx: &Ctx<'_>) -> Result<(), Error> {
    match ctx.param("new_robot") {
        Some(robot) if !robot.eq_ignore_ascii_case(&ctx.config.domain) => Err(Error::BadRequest(
            messages::other_robot(&ctx.config.domain, &ctx.language),
        )),
        _ => Ok(()),
    }
}

/// `move_list` (Sympa's `rename_list`): renames the list; its members, archives and held
/// posts follow, and links with the old name are sent on to the new one. With Sympa's
/// `mode=copy`, copies it instead (`copy_list`).
pub fn move_list(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    same_robot(ctx)?;
    if ctx.text("mode") == "copy" {
        return copy_list(ctx, list).map(|page| page.with_template("copy_list"));
    }
    let view = new_name_view(ctx, list);
    if ctx.request.method != Method::Post {
        ctx.ensure_csrf_token()?;
        return Ok(Outcome::page(view));
    }
    let new_name = ctx.text("new_listname").to_string();
    match ctx.run(|env, who| lifecycle::rename(env, who, list, &new_name)) {
        Ok(moved) => {
            ctx.flash(
                Level::Success,
                messages::list_renamed(&list.name, &moved.list.name, &ctx.language),
            )?;
            Ok(Outcome::redirect(
                &ctx.url("info", &[moved.list.name.as_str()]),
            ))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            refused_form(ctx, &refusal, view)
        }
    }
}

/// `purge_list.html`.
#[derive(Serialize)]
struct PurgeView {
    lists: Vec<TargetView>,
    purged: Vec<String>,
    refused: Vec<String>,
}

/// `purge_list`: a listmaster deletes closed lists for good (`list` or `selected_lists`).
/// GET confirms; lists that are not closed are refused, each said.
pub fn purge_list(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let names: Vec<String> = ctx
        .params
        .all("selected_lists")
        .chain(ctx.params.all("list"))
        .filter(|n| !n.is_empty())
        .take(listmaster::MAX_MASS_DEL_LISTS)
        .map(str::to_string)
        .collect();
    ctx.run(|_, who| lifecycle::may_open(who))
        .map_err(Error::from)?;
    let mut lists = Vec::new();
    for name in &names {
        let list = ctx.run(|env, who| lifecycle::closed_list(env, who, name));
        match list {
            Ok(list) => lists.push(list),
            Err(e) => return Err(Error::Operation(e)),
        }
    }
    if lists.is_empty() {
        // Still only for listmasters: a visitor who may not purge learns nothing here.
        ctx.run(|env, who| listmaster::overview(env, who).map(drop))
            .map_err(Error::from)?;
    }
    let mut view = PurgeView {
        lists: lists.iter().map(TargetView::of).collect(),
        purged: Vec::new(),
        refused: Vec::new(),
    };
    if ctx.request.method != Method::Post || lists.is_empty() {
        ctx.ensure_csrf_token()?;
        return Ok(Outcome::page(view));
    }
    for list in &lists {
        match ctx.run(|env, who| lifecycle::purge(env, who, list)) {
            Ok(()) => view.purged.push(list.name.to_string()),
            // A list that is not closed is kept, and said so.
            Err(crate::operations::Error::Refused(Refusal::NotClosed)) => {
                view.refused.push(list.name.to_string())
            }
            Err(e) => return Err(Error::Operation(e)),
        }
    }
    view.lists.clear();
    if view.purged.is_empty() {
        ctx.ensure_csrf_token()?;
        return Ok(Outcome::page_with_status(409, view));
    }
    ctx.ensure_csrf_token()?;
    Ok(Outcome::page(view))
}

/// A row of the listmaster's tables.
#[derive(Serialize)]
struct ListRow {
    name: String,
    subject: String,
    status: &'static str,
    member_count: u64,
    topics: Vec<String>,
    created: String,
    last_post: Option<String>,
}

impl ListRow {
    fn of(overview: &Overview) -> ListRow {
        ListRow {
            name: overview.list.name.to_string(),
            subject: overview.list.subject.clone(),
            status: overview.list.status.as_str(),
            member_count: overview.list.member_count,
            topics: overview.list.topics.clone(),
            created: date(overview.created_at),
            last_post: overview.last_post_at.map(date),
        }
    }
}

/// The filters of `serveradmin`, as typed.
#[derive(Serialize)]
struct PanelFilter {
    status: Typed,
    q: Typed,
    topic: Typed,
}

/// `serveradmin.html`.
#[derive(Serialize)]
struct PanelView {
    lists: Vec<ListRow>,
    total: usize,
    filter: PanelFilter,
    topics: Vec<String>,
    check: Option<Vec<Finding>>,
}

/// `serveradmin[/check]`: the listmaster's panel: every list with filters (status,
/// name/subject search, topic), the reports, the site's texts, `search_user`, and with
/// the `check` subaction the configuration check of `wwsympa check`.
pub fn serveradmin(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let all = ctx
        .run(|env, who| listmaster::overview(env, who))
        .map_err(Error::from)?;
    let check = if ctx.text("subaction") == "check" {
        let config = ctx.config;
        let mut found = ctx
            .run(|env, who| crate::operations::site_check::site(env, who))
            .map_err(Error::from)?;
        found.extend(crate::soap::trusted::findings(config));
        Some(found)
    } else {
        None
    };
    let filter = PanelFilter {
        status: params::typed(&ctx.params, "status", 10),
        q: params::typed(&ctx.params, "q", 100),
        topic: params::typed(&ctx.params, "topic", 100),
    };
    let mut topics: Vec<String> = all.iter().flat_map(|o| o.list.topics.clone()).collect();
    topics.sort();
    topics.dedup();
    let q = filter.q.as_str().trim().to_lowercase();
    let lists: Vec<ListRow> = all
        .iter()
        .filter(|o| {
            let status = filter.status.as_str();
            status.is_empty() || o.list.status.as_str() == status
        })
        .filter(|o| {
            q.is_empty()
                || o.list.name.as_str().contains(&q)
                || o.list.subject.to_lowercase().contains(&q)
        })
        .filter(|o| {
            let topic = filter.topic.as_str();
            topic.is_empty() || o.list.topics.iter().any(|t| t == topic)
        })
        .map(ListRow::of)
        .collect();
    Ok(Outcome::page(PanelView {
        total: all.len(),
        lists,
        filter,
        topics,
        check,
    }))
}

/// A report's page (`get_*_lists.html`).
#[derive(Serialize)]
struct ReportView {
    lists: Vec<ListRow>,
}

/// The lists of the overview that `keep` keeps, sorted by `order`.
fn report(
    ctx: &mut Ctx<'_>,
    keep: impl Fn(&Overview) -> bool,
    order: impl FnMut(&Overview, &Overview) -> std::cmp::Ordering,
) -> Result<Outcome, Error> {
    let mut all = ctx
        .run(|env, who| listmaster::overview(env, who))
        .map_err(Error::from)?;
    all.retain(keep);
    all.sort_by(order);
    if ctx.action != "get_closed_lists" && ctx.action != "get_pending_lists" {
        all.truncate(REPORT_ROWS);
    }
    ctx.ensure_csrf_token()?;
    Ok(Outcome::page(ReportView {
        lists: all.iter().map(ListRow::of).collect(),
    }))
}

/// How many lists the newest, inactive and biggest reports show.
pub const REPORT_ROWS: usize = 100;

/// `get_pending_lists`: the lists waiting for a listmaster, oldest request first.
pub fn get_pending_lists(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    report(
        ctx,
        |o| o.list.status == ListStatus::Pending,
        |a, b| a.created_at.cmp(&b.created_at),
    )
}

/// `get_closed_lists`: the closed lists, by name, to reopen or purge.
pub fn get_closed_lists(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    report(
        ctx,
        |o| o.list.status == ListStatus::Closed,
        |a, b| a.list.name.cmp(&b.list.name),
    )
}

/// `get_latest_lists`: the newest open lists first.
pub fn get_latest_lists(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    report(
        ctx,
        |o| o.list.status == ListStatus::Open,
        |a, b| b.created_at.cmp(&a.created_at),
    )
}

/// `get_inactive_lists`: the open lists by the date of their last message, those that
/// never had one first.
pub fn get_inactive_lists(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    report(
        ctx,
        |o| o.list.status == ListStatus::Open,
        |a, b| a.last_post_at.cmp(&b.last_post_at),
    )
}

/// `get_biggest_lists`: the open lists with the most members first.
pub fn get_biggest_lists(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    report(
        ctx,
        |o| o.list.status == ListStatus::Open,
        |a, b| b.list.member_count.cmp(&a.list.member_count),
    )
}

/// One list of `search_user.html`.
#[derive(Serialize)]
struct RoleRow {
    list: String,
    subject: String,
    roles: Vec<&'static str>,
}

/// `search_user.html`.
#[derive(Serialize)]
struct SearchUserView {
    email: Typed,
    found: Option<Vec<RoleRow>>,
}

/// `search_user[/email]`: every list where an address is a member, moderator or owner,
/// with a button to remove it from all of them (`mass_del`).
pub fn search_user(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let typed = params::typed(&ctx.params, "email", 254);
    let mut view = SearchUserView {
        email: typed.clone(),
        found: None,
    };
    let email = typed.as_str().trim().to_string();
    if email.is_empty() {
        // The panel's page is for listmasters only, even empty.
        ctx.run(|env, who| listmaster::overview(env, who).map(drop))
            .map_err(Error::from)?;
        return Ok(Outcome::page(view));
    }
    match ctx.run(|env, who| listmaster::search_user(env, who, &email)) {
        Ok((_, found)) => {
            view.found = Some(found.iter().map(role_row).collect());
            ctx.ensure_csrf_token()?;
            Ok(Outcome::page(view))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            if let Refusal::Denied(_) = refusal {
                return Err(Error::Operation(refusal.into()));
            }
            refused_form(ctx, &refusal, view)
        }
    }
}

fn role_row(membership: &Membership) -> RoleRow {
    RoleRow {
        list: membership.list.to_string(),
        subject: membership.subject.clone(),
        roles: membership.roles.iter().map(|r| r.as_str()).collect(),
    }
}

/// `mass_del.html`.
#[derive(Serialize)]
struct MassDelView {
    email: Typed,
    lists: Vec<String>,
    quiet: bool,
    report: Option<Vec<MassDelRow>>,
}

/// One list of `mass_del`'s report.
#[derive(Serialize)]
struct MassDelRow {
    list: String,
    outcome: &'static str,
}

/// `mass_del`: removes one address from the selected lists (`email`, `lists`, optional
/// `quiet`: no goodbye mail); GET confirms, POST reports list by list.
pub fn mass_del(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let lists: Vec<String> = ctx
        .params
        .all("lists")
        .filter(|n| !n.is_empty())
        .take(listmaster::MAX_MASS_DEL_LISTS + 1)
        .map(str::to_string)
        .collect();
    let mut view = MassDelView {
        email: params::typed(&ctx.params, "email", 254),
        lists,
        quiet: params::flag(&ctx.params, "quiet"),
        report: None,
    };
    // Only for listmasters, whatever is asked.
    ctx.run(|env, who| listmaster::overview(env, who).map(drop))
        .map_err(Error::from)?;
    if ctx.request.method != Method::Post {
        ctx.ensure_csrf_token()?;
        return Ok(Outcome::page(view));
    }
    if view.lists.is_empty() {
        let refusal = Refusal::InvalidValue {
            field: Field::Selection,
        };
        return refused_form(ctx, &refusal, view);
    }
    let email = view.email.as_str().to_string();
    let names: Vec<&str> = view.lists.iter().map(String::as_str).collect();
    let quiet = view.quiet;
    match ctx.run(|env, who| listmaster::mass_del(env, who, &email, &names, quiet)) {
        Ok(report) => {
            view.report = Some(
                report
                    .into_iter()
                    .map(|(list, outcome)| MassDelRow {
                        list,
                        outcome: match outcome {
                            MassDelOutcome::Removed { .. } => "removed",
                            MassDelOutcome::LastOwner => "last_owner",
                            MassDelOutcome::NotThere => "not_there",
                            MassDelOutcome::NoSuchList => "no_such_list",
                        },
                    })
                    .collect(),
            );
            ctx.ensure_csrf_token()?;
            Ok(Outcome::page(view))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            refused_form(ctx, &refusal, view)
        }
    }
}

/// `search_list.html`.
#[derive(Serialize)]
struct SearchListView {
    filter: Typed,
    lists: Option<Vec<ListSummary>>,
}

/// `search_list[/filter]`: the lists the visitor may see whose name, subject or
/// description holds the filter.
pub fn search_list(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let typed = params::typed(&ctx.params, "filter_list", 200);
    let filter = typed.as_str().to_string();
    let mut view = SearchListView {
        filter: typed,
        lists: None,
    };
    if filter.trim().is_empty() {
        return Ok(Outcome::page(view));
    }
    match ctx.run(|env, who| list_operations::search(env, who, &filter)) {
        Ok(found) => {
            view.lists = Some(found);
            Ok(Outcome::page(view))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            refused_form(ctx, &refusal, view)
        }
    }
}
