//! The home page, the help page, the lists directory and a list's page.

use serde::Serialize;

use crate::domain::{Email, List, ListName, ListSummary};
use crate::operations::lists::{self as list_operations, Permissions};
use crate::web::ctx::Ctx;
use crate::web::outcome::Outcome;
use crate::web::{params, Error};

/// A list on the home page.
#[derive(Serialize)]
struct HomeRow {
    name: ListName,
    subject: String,
}

/// `home.html`.
#[derive(Serialize)]
struct HomeView {
    lists: Vec<HomeRow>,
}

/// `home`: the service's front page with the lists anyone may see.
pub fn home(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let lists = visible_lists(ctx)?
        .into_iter()
        .map(|list| HomeRow {
            name: list.name,
            subject: list.subject,
        })
        .collect();
    Ok(Outcome::page(HomeView { lists }))
}

/// `help.html`.
#[derive(Serialize)]
struct HelpView {
    listmaster: String,
}

/// `help`: how to use the service (where `List-Help` points).
pub fn help(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let listmaster = ctx
        .config
        .listmasters()
        .next()
        .unwrap_or_default()
        .to_string();
    Ok(Outcome::page(HelpView { listmaster }))
}

/// A list in the directory.
#[derive(Serialize)]
struct ListsRow {
    name: ListName,
    subject: String,
    topics: Vec<String>,
}

/// `lists.html`.
#[derive(Serialize)]
struct ListsView {
    lists: Vec<ListsRow>,
    topic: Option<String>,
}

/// `lists[/topic[/subtopic]]`: the lists, optionally those on one topic.
pub fn lists(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let mut lists = visible_lists(ctx)?;
    let topic = params::topic(&ctx.params);
    if let Some(topic) = &topic {
        let under = format!("{topic}/");
        lists.retain(|list| {
            list.topics
                .iter()
                .any(|t| t == topic || t.starts_with(&under))
        });
    }
    let lists = lists
        .into_iter()
        .map(|list| ListsRow {
            name: list.name,
            subject: list.subject,
            topics: list.topics,
        })
        .collect();
    Ok(Outcome::page(ListsView { lists, topic }))
}

fn visible_lists(ctx: &mut Ctx<'_>) -> Result<Vec<ListSummary>, Error> {
    Ok(ctx.run(|env, who| list_operations::visible(env, who))?)
}

/// An owner on a list's page.
#[derive(Serialize)]
struct OwnerRow {
    email: Email,
    name: String,
}

/// What `info.html` shows of the list besides its name, address and subject.
#[derive(Serialize)]
struct About {
    description: String,
    topics: Vec<String>,
}

/// `info.html`.
#[derive(Serialize)]
struct InfoView {
    info: About,
    member_count: u64,
    owners: Vec<OwnerRow>,
    is_subscriber: bool,
    may: Permissions,
    /// Whether the visitor moderates the list, and then how many posts wait.
    moderates: bool,
    held: u64,
}

/// `info/<list>`: the list's page: subject, description, owners, what the visitor may do.
///
/// The row loads the list and answers 404 when it is unknown or invisible to the visitor.
pub fn info(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let info = ctx.run(|env, who| list_operations::info(env, who, list))?;
    let held = match ctx.user {
        Some(_) => {
            ctx.run(|env, who| crate::operations::moderation::pages::held_count(env, who, list))?
        }
        None => None,
    };
    let owners = info
        .owners
        .into_iter()
        .map(|admin| OwnerRow {
            email: admin.email,
            name: admin.name,
        })
        .collect();
    Ok(Outcome::page(InfoView {
        info: About {
            description: list.description.clone(),
            topics: list.topics.clone(),
        },
        member_count: info.member_count,
        owners,
        is_subscriber: info.is_member,
        may: info.may,
        moderates: held.is_some(),
        held: held.unwrap_or(0),
    }))
}
