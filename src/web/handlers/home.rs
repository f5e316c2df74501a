//! The home page and the lists directory.

use serde_json::json;

use crate::domain::ListSummary;
use crate::operations::lists as list_operations;
use crate::web::ctx::Ctx;
use crate::web::outcome::Outcome;
use crate::web::Error;

/// `home`: the service's front page with the lists anyone may see.
pub fn home(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let visible = visible_lists(ctx)?;
    Ok(Outcome::page("home", json!({ "lists": visible })))
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

fn visible_lists(ctx: &mut Ctx<'_>) -> Result<Vec<ListSummary>, Error> {
    Ok(ctx.run(|env, who| list_operations::visible(env, who))?)
}

/// `info/<list>`: the list's page: subject, description, owners, what the visitor may do.
///
/// The row loads the list and answers 404 when it is unknown or invisible to the visitor.
pub fn info(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let list = ctx.list.clone().expect("the row loads the list");
    let info = ctx.run(|env, who| list_operations::info(env, who, &list))?;
    let owners: Vec<_> = info
        .owners
        .iter()
        .map(|a| json!({ "email": a.email, "name": a.name }))
        .collect();
    Ok(Outcome::page(
        "info",
        json!({
            "info": {
                "description": list.description,
                "topics": list.topics,
                "subscribe_policy": list.policy.subscribe,
                "unsubscribe_policy": list.policy.unsubscribe,
            },
            "member_count": info.member_count,
            "owners": owners,
            "is_subscriber": info.is_member,
            "may": info.may,
        }),
    ))
}
