//! The home page and the lists directory.

use serde_json::json;

use crate::web::ctx::Ctx;
use crate::web::outcome::Outcome;
use crate::web::Error;

/// `home`: the service's front page with the lists anyone may see.
pub fn home(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let lists = visible_lists(ctx)?;
    Ok(Outcome::page("home", json!({ "lists": lists })))
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

fn visible_lists(ctx: &Ctx<'_>) -> Result<Vec<crate::domain::ListSummary>, Error> {
    let mut lists = ctx.store.lists(&ctx.config.domain)?;
    // Anonymous visitors see only lists whose visibility allows it.
    lists.retain(|list| list.visibility == crate::domain::Visibility::Noconceal);
    Ok(lists)
}
