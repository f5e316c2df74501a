//! The list administration pages: `admin` (the owners' and moderators' dashboard), `edit_list_request`/`edit_list` (the list's parameters by Sympa's groups) and `edit` (owners and moderators).

use std::collections::BTreeMap;

use serde::Serialize;

use super::date;
use crate::domain::params::{self, Group, Privilege};
use crate::domain::{AdminRole, List};
use crate::http::Method;
use crate::i18n::Language;
use crate::messages;
use crate::operations::admins::{self, AdminFields, MAX_ADMIN_INFO, MAX_ADMIN_NAME};
use crate::operations::dashboard;
use crate::operations::settings::{self, Kind, Saved};
use crate::operations::Refusal;
use crate::web::ctx::{Ctx, Level};
use crate::web::outcome::Outcome;
use crate::web::Error;

/// A recent change on `admin.html`.
#[derive(Serialize)]
struct ChangeRow {
    date: String,
    actor: String,
    action: String,
    target: String,
}

/// A recent post on `admin.html`.
#[derive(Serialize)]
struct PostRow {
    date: String,
    from: String,
    subject: String,
    month: String,
    id: String,
}

/// A tab of the settings form.
#[derive(Serialize)]
struct GroupLink {
    name: &'static str,
    title: String,
}

fn groups(lang: &Language) -> Vec<GroupLink> {
    Group::ALL
        .iter()
        .map(|g| GroupLink {
            name: g.as_str(),
            title: messages::param_group(*g, lang).to_string(),
        })
        .collect()
}

/// `admin.html`.
#[derive(Serialize)]
struct AdminView {
    member_count: u64,
    subscriptions: u64,
    unsubscriptions: u64,
    held: u64,
    bouncing: u64,
    changes: Vec<ChangeRow>,
    posts: Vec<PostRow>,
    is_owner: bool,
    is_privileged: bool,
    is_listmaster: bool,
    groups: Vec<GroupLink>,
    /// The other helpers' pages that exist in this build (linked when they do).
    pages: Vec<&'static str>,
}

/// The administration pages other actions provide, linked from the dashboard when the
/// action table has them.
const ADMIN_PAGES: &[&str] = &[
    "editfile",
    "viewlogs",
    "remind",
    "import",
    "close_list",
    "copy_list",
    "move_list",
];

/// `admin/LIST`: what waits for the owners and moderators, and what happened lately.
pub fn admin(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let board = ctx
        .run(|env, who| dashboard::dashboard(env, who, list))
        .map_err(Error::from)?;
    ctx.ensure_csrf_token()?;
    Ok(Outcome::page(AdminView {
        member_count: board.member_count,
        subscriptions: board.subscriptions,
        unsubscriptions: board.unsubscriptions,
        held: board.held,
        bouncing: board.bouncing,
        changes: board
            .changes
            .into_iter()
            .map(|c| ChangeRow {
                date: date(c.at),
                actor: c.actor.unwrap_or_default(),
                action: c.action,
                target: c.target.unwrap_or_default(),
            })
            .collect(),
        posts: board
            .posts
            .into_iter()
            .map(|p| PostRow {
                date: date(p.arrived_at),
                from: if p.from_name.is_empty() {
                    p.from_addr
                } else {
                    p.from_name
                },
                subject: p.subject,
                month: p.month.to_string(),
                id: p.permalink,
            })
            .collect(),
        is_owner: board.roles.is_owner(),
        is_privileged: board.roles.is_privileged_owner(),
        is_listmaster: board.roles.listmaster,
        groups: groups(&ctx.language),
        pages: ADMIN_PAGES
            .iter()
            .copied()
            .filter(|name| crate::web::actions::find(name).is_some())
            .collect(),
    }))
}

/// One value offered by a parameter with choices.
#[derive(Serialize)]
struct OptionRow {
    value: String,
    label: String,
}

/// One parameter on `edit_list_request.html`.
#[derive(Serialize)]
struct ParamRow {
    name: &'static str,
    label: String,
    hint: Option<String>,
    value: String,
    /// The value shown for a read-only choice.
    value_label: Option<String>,
    editable: bool,
    /// `line`, `text`, `number`, `choice` or `language`.
    kind: &'static str,
    max: u64,
    min: u64,
    options: Vec<OptionRow>,
    error: Option<String>,
}

/// `edit_list_request.html` (and `edit_list` when a form is refused).
#[derive(Serialize)]
struct EditListView {
    group: &'static str,
    group_title: String,
    groups: Vec<GroupLink>,
    params: Vec<ParamRow>,
}

/// The languages a list may be set to: the site's (""), then every catalogue.
fn languages(ctx: &Ctx<'_>) -> Vec<(String, String)> {
    let mut all = vec![(
        String::new(),
        messages::site_language(&ctx.language).to_string(),
    )];
    all.extend(
        ctx.templates
            .catalogues()
            .languages()
            .iter()
            .map(|l| (l.tag().to_string(), l.name().to_string())),
    );
    all
}

fn group_of(ctx: &Ctx<'_>) -> Result<Group, Error> {
    match ctx.param("group") {
        None => Ok(Group::Description),
        Some(name) => Group::parse(name).ok_or_else(|| {
            Error::NotFound(messages::admin::no_such_group(
                &name.chars().take(60).collect::<String>(),
                &ctx.language,
            ))
        }),
    }
}

fn edit_view(
    lang: &Language,
    languages: &[(String, String)],
    group: Group,
    rows: Vec<settings::ParamView>,
    typed: Option<&BTreeMap<String, String>>,
    problems: &[(&'static str, crate::operations::SettingProblem)],
) -> EditListView {
    let params = rows
        .into_iter()
        .map(|row| {
            let name = row.param.name;
            let editable = row.privilege == Privilege::Write;
            let value = typed
                .filter(|_| editable)
                .and_then(|t| t.get(name).cloned())
                .unwrap_or(row.value);
            let (kind, min, max, options) = match row.kind {
                Kind::Line(max) => ("line", 0, max as u64, Vec::new()),
                Kind::Text(max) => ("text", 0, max as u64, Vec::new()),
                Kind::Number { min, max } => ("number", min, max, Vec::new()),
                Kind::Language => (
                    "language",
                    0,
                    0,
                    languages
                        .iter()
                        .map(|(tag, name)| OptionRow {
                            value: tag.clone(),
                            label: name.clone(),
                        })
                        .collect(),
                ),
                Kind::Choice(values) => (
                    "choice",
                    0,
                    0,
                    values
                        .iter()
                        .map(|v| OptionRow {
                            value: v.to_string(),
                            label: messages::param_option(name, v, lang).to_string(),
                        })
                        .collect(),
                ),
            };
            ParamRow {
                name,
                label: messages::param_label(name, lang).to_string(),
                hint: messages::param_hint(name, lang).map(str::to_string),
                value_label: match kind {
                    "choice" => Some(messages::param_option(name, &value, lang).to_string()),
                    "language" => {
                        Some(languages.iter().find(|(tag, _)| *tag == value).map_or_else(
                            || messages::site_language(lang).to_string(),
                            |(_, n)| n.clone(),
                        ))
                    }
                    _ => None,
                },
                value,
                editable,
                kind,
                min,
                max,
                options,
                error: problems
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, p)| messages::setting_problem(*p, lang)),
            }
        })
        .collect();
    EditListView {
        group: group.as_str(),
        group_title: messages::param_group(group, lang).to_string(),
        groups: groups(lang),
        params,
    }
}

/// `edit_list_request/LIST/GROUP`: the form of one group of parameters (`description`
/// when none is named); read-only parameters shown as text, hidden ones left out.
pub fn edit_list_request(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let group = group_of(ctx)?;
    let rows = ctx
        .run(|env, who| settings::form(env, who, list, group))
        .map_err(Error::from)?;
    ctx.ensure_csrf_token()?;
    Ok(Outcome::page(edit_view(
        &ctx.language,
        &languages(ctx),
        group,
        rows,
        None,
        &[],
    )))
}

/// `edit_list` (POST): saves the submitted parameters, then back to the group's form with a
/// notice; a refused form comes back with every value typed and each problem next to its
/// field, nothing changed.
pub fn edit_list(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let group = group_of(ctx)?;
    let typed: BTreeMap<String, String> = params::PARAMS
        .iter()
        .filter_map(|p| {
            ctx.params
                .get(p.name)
                .map(|v| (p.name.to_string(), v.to_string()))
        })
        .collect();
    match ctx.run(|env, who| settings::save(env, who, list, &typed)) {
        Ok(saved) => {
            let text = match saved {
                Saved::Unchanged => messages::admin::nothing_changed(&ctx.language),
                Saved::Changed(names) => {
                    let labels: Vec<&str> = names
                        .iter()
                        .map(|n| messages::param_label(n, &ctx.language))
                        .collect();
                    messages::admin::settings_saved(&labels, &ctx.language)
                }
            };
            ctx.flash(Level::Success, text)?;
            Ok(Outcome::redirect(&ctx.url(
                "edit_list_request",
                &[list.name.as_str(), group.as_str()],
            )))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            let Refusal::InvalidSettings(problems) = &refusal else {
                return Err(refusal.into());
            };
            let rows = ctx
                .run(|env, who| settings::form(env, who, list, group))
                .map_err(Error::from)?;
            // Problems with parameters of other groups (a forged form) are named above.
            let shown: Vec<&str> = rows.iter().map(|r| r.param.name).collect();
            let elsewhere: Vec<&str> = problems
                .iter()
                .map(|(n, _)| *n)
                .filter(|n| !shown.contains(n))
                .collect();
            ctx.notice(Level::Error, messages::refusal(&refusal, &ctx.language));
            if !elsewhere.is_empty() {
                ctx.notice(
                    Level::Error,
                    format!(
                        "{} {}",
                        messages::setting_problem(
                            crate::operations::SettingProblem::NotAllowed,
                            &ctx.language,
                        ),
                        elsewhere.join(", ")
                    ),
                );
            }
            ctx.ensure_csrf_token()?;
            Ok(Outcome::page_with_status(
                422,
                edit_view(
                    &ctx.language,
                    &languages(ctx),
                    group,
                    rows,
                    Some(&typed),
                    problems,
                ),
            )
            .with_template("edit_list_request"))
        }
    }
}

/// One owner or moderator on `edit.html`.
#[derive(Serialize)]
struct AdminRow {
    email: String,
    name: String,
    privileged: bool,
    reception: &'static str,
    visibility: &'static str,
    info: String,
}

/// `edit.html`.
#[derive(Serialize)]
struct EditView {
    /// `owner` or `editor`.
    role: &'static str,
    entries: Vec<AdminRow>,
    /// The requester may add, change and remove entries of this role.
    may_manage: bool,
    /// The requester may make owners privileged.
    may_promote: bool,
    /// What was typed in the add form, kept after a refusal.
    typed_email: String,
    typed_name: String,
    error: Option<String>,
    max_name: usize,
    max_info: usize,
}

fn role_of(ctx: &Ctx<'_>) -> Result<AdminRole, Error> {
    match ctx.param("role") {
        None | Some("owner") => Ok(AdminRole::Owner),
        Some("editor") | Some("moderator") => Ok(AdminRole::Editor),
        Some(other) => Err(Error::NotFound(messages::admin::no_such_role(
            &other.chars().take(60).collect::<String>(),
            &ctx.language,
        ))),
    }
}

/// `edit/LIST/ROLE` (`owner` or `editor`): the list's owners or moderators with their
/// details; POST `action=add|update|remove` changes one, then back here with a notice.
pub fn edit(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let role = role_of(ctx)?;
    let mut error = None;
    let mut status = 200;
    if ctx.request.method == Method::Post {
        let email = ctx.text("email").to_string();
        let name = ctx.params.get("gecos").map(str::to_string);
        let profile = ctx.params.get("profile").map(str::to_string);
        let reception = ctx.params.get("reception").map(str::to_string);
        let visibility = ctx.params.get("visibility").map(str::to_string);
        let info = ctx.params.get("info").map(str::to_string);
        let fields = AdminFields {
            name: name.as_deref(),
            profile: profile.as_deref(),
            reception: reception.as_deref(),
            visibility: visibility.as_deref(),
            info: info.as_deref(),
        };
        let what = ctx.text("do").to_string();
        let result = match what.as_str() {
            "add" => ctx
                .run(|env, who| admins::add(env, who, list, role, &email, &fields))
                .map(|e| messages::admin::added(e.email.as_str(), &ctx.language)),
            "update" => ctx
                .run(|env, who| admins::update(env, who, list, role, &email, &fields))
                .map(|e| messages::admin::updated(e.email.as_str(), &ctx.language)),
            "remove" => ctx
                .run(|env, who| admins::remove(env, who, list, role, &email))
                .map(|()| messages::admin::removed(email.trim(), &ctx.language)),
            // An empty form (or an unknown button): nothing to do.
            _ => Ok(String::new()),
        };
        match result {
            Ok(text) => {
                if !text.is_empty() {
                    ctx.flash(Level::Success, text)?;
                }
                return Ok(Outcome::redirect(
                    &ctx.url("edit", &[list.name.as_str(), role.as_str()]),
                ));
            }
            Err(e) => {
                let refusal = ctx.refusal(e)?;
                if matches!(refusal, Refusal::Denied(_)) {
                    return Err(refusal.into());
                }
                error = Some(messages::refusal(&refusal, &ctx.language));
                status = 422;
            }
        }
    }
    let entries = ctx
        .run(|env, who| admins::entries(env, who, list))
        .map_err(Error::from)?;
    let may_manage = ctx
        .run(|env, who| admins::may_manage(env, who, list, role))
        .map_err(Error::from)?;
    let may_promote = ctx
        .run(|env, who| admins::may_manage(env, who, list, AdminRole::Owner))
        .map_err(Error::from)?;
    ctx.ensure_csrf_token()?;
    let kept = |name: &str, max: usize| -> String {
        if error.is_some() && ctx.text("do") == "add" {
            ctx.text(name).chars().take(max).collect()
        } else {
            String::new()
        }
    };
    let view = EditView {
        role: role.as_str(),
        entries: entries
            .into_iter()
            .filter(|e| e.role == role)
            .map(|e| AdminRow {
                email: e.email.as_str().to_string(),
                name: e.name,
                privileged: e.privileged,
                reception: e.reception.as_str(),
                visibility: e.visibility.as_str(),
                info: e.info,
            })
            .collect(),
        may_manage,
        may_promote,
        typed_email: kept("email", 254),
        typed_name: kept("gecos", MAX_ADMIN_NAME),
        error,
        max_name: MAX_ADMIN_NAME,
        max_info: MAX_ADMIN_INFO,
    };
    Ok(Outcome::page_with_status(status, view))
}
