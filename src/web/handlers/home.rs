//! The home page and the lists directory.

use serde_json::json;

use crate::domain::authz::can_see;
use crate::domain::{ListSummary, Visibility};
use crate::web::ctx::Ctx;
use crate::web::outcome::Outcome;
use crate::web::Error;

/// `home`: the service's front page with the lists anyone may see.
pub fn home(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let lists = visible_lists(ctx)?;
    Ok(Outcome::page("home", json!({ "lists": lists })))
}

/// `help`: how to use the service (where `List-Help` points).
pub fn help(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let listmaster = ctx
        .config
        .listmasters()
        .next()
        .unwrap_or_default()
        .to_string();
    Ok(Outcome::page("help", json!({ "listmaster": listmaster })))
}

/// `arc/<list>[/<month>/<file>]`: the archive's place (where `List-Archive` points); says
/// that no archive is kept yet, to whoever the list's archive policy lets in.
pub fn arc(_ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    Ok(Outcome::page("arc", json!({})))
}

/// `lists[/topic[/subtopic]]`: the lists, optionally those on one topic.
pub fn lists(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let mut lists = visible_lists(ctx)?;
    let topic = match (ctx.param("topic"), ctx.param("subtopic")) {
        (Some(topic), Some(sub)) => Some(format!("{topic}/{sub}")),
        (Some(topic), None) => Some(topic.to_string()),
        _ => None,
    };
    if let Some(topic) = &topic {
        lists.retain(|list| {
            list.topics
                .iter()
                .any(|t| t == topic || t.starts_with(&format!("{topic}/")))
        });
    }
    Ok(Outcome::page(
        "lists",
        json!({ "lists": lists, "topic": topic }),
    ))
}

/// The open lists the visitor may see: the public ones for everyone; for a logged-in
/// visitor also the intranet ones and the concealed ones where they are a member,
/// moderator or owner; every list for a listmaster (the one visibility rule, `can_see`).
fn visible_lists(ctx: &Ctx<'_>) -> Result<Vec<ListSummary>, Error> {
    let email = ctx.user.as_ref().map(|u| &u.email);
    let listmaster = ctx.user.as_ref().is_some_and(|u| u.listmaster);
    let domain = &ctx.config.domain;
    ctx.store.snapshot(|db| {
        let mut visible = Vec::new();
        for list in db.open_lists(domain)? {
            let shown = list.policy.visibility == Visibility::Noconceal
                || (email.is_some()
                    && can_see(
                        &db.roles(list.id, email, listmaster)?,
                        list.policy.visibility,
                    ));
            if shown {
                visible.push(ListSummary {
                    name: list.name,
                    subject: list.subject,
                    topics: list.topics,
                    visibility: list.policy.visibility,
                });
            }
        }
        Ok::<_, Error>(visible)
    })
}

/// `info/<list>`: the list's page: subject, description, owners, what the visitor may do.
///
/// The row loads the list and answers 404 when it is unknown or invisible to the visitor.
pub fn info(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    use crate::domain::{decide, ActionKind, AdminRole, Decision};
    let list = ctx.list.clone().expect("the row loads the list");
    let roles = ctx.roles;
    let can = |kind: ActionKind| !matches!(decide(kind, &roles, &list.policy), Decision::Refuse(_));
    let member_count = ctx.store.db().member_count(list.id)?;
    // Owners' addresses only for logged-in visitors: no harvesting by crawlers.
    let owners: Vec<_> = if ctx.user.is_some() {
        ctx.store
            .db()
            .admins(list.id)?
            .into_iter()
            .filter(|a| a.role == AdminRole::Owner)
            .map(|a| json!({ "email": a.email, "name": a.name }))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Outcome::page(
        "info",
        json!({
            "info": {
                "description": list.description,
                "topics": list.topics,
                "subscribe_policy": list.policy.subscribe,
                "unsubscribe_policy": list.policy.unsubscribe,
            },
            "member_count": member_count,
            "owners": owners,
            "is_subscriber": roles.subscriber,
            "may": {
                "subscribe": !roles.subscriber && can(ActionKind::Subscribe),
                "signoff": roles.subscriber || (ctx.user.is_none() && can(ActionKind::Signoff)),
                "review": can(ActionKind::Review),
                "archive": can(ActionKind::ReadArchive),
                "requests": can(ActionKind::ManageRequests),
            },
        }),
    ))
}
