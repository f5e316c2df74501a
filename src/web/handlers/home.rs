//! The home page, the help page, the lists directory and a list's page.

use serde::Serialize;

use crate::domain::{ActionKind, Email, List, ListName, ListSummary};
use crate::operations::lists::{self as list_operations, Permissions};
use crate::operations::texts;
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
    /// The site's `homepage` text (listmasters' `editfile`), sanitized HTML.
    intro: Option<String>,
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
    let intro = ctx.run(|env, _| texts::site_text(env, "homepage"))?;
    Ok(Outcome::page(HomeView { lists, intro }))
}

/// The help topics, by their names in URLs: for members, moderators, owners and
/// listmasters.
pub const HELP_TOPICS: &[&str] = &[
    "user-subscribe",
    "user-options",
    "user-signoff",
    "arc",
    "admin-moderate",
    "admin",
    "admin-members",
    "admin-editfile",
    "listmaster",
];

/// Sympa's help topics (`help/<topic>.html`, linked from its mails and pages), each shown
/// as ours that says the same (`""`: the index).
pub const HELP_ALIASES: &[(&str, &str)] = &[
    ("admin-archives", "arc"),
    ("admin-bounces", "admin-members"),
    ("admin-closelist", "admin"),
    ("admin-createlist", "listmaster"),
    ("admin-editlist", "admin"),
    ("admin-editlist-archives", "admin"),
    ("admin-editlist-bounces", "admin"),
    ("admin-editlist-command", "admin"),
    ("admin-editlist-description", "admin"),
    ("admin-editlist-other", "admin"),
    ("admin-editlist-sending", "admin"),
    ("admin-renamelist", "listmaster"),
    ("admin-rules", "admin"),
    ("admin-users", "admin-members"),
    ("arc-post", "arc"),
    ("arc-search", "arc"),
    ("arc-search-advanced", "arc"),
    ("arc-search-result", "arc"),
    ("arc-search-simple", "arc"),
    ("commands", ""),
    ("editfile", "admin-editfile"),
    ("editlist", "admin"),
    ("faq", ""),
    ("faq-admin", "admin"),
    ("faq-user", "user-subscribe"),
    ("faq-user-contact", ""),
    ("faqadmin", "admin"),
    ("faquser", "user-subscribe"),
    ("index", ""),
    ("introduction", ""),
    ("introduction-features", ""),
    ("mail_commands", ""),
    ("sendmsg", "user-subscribe"),
    ("suspend", "user-options"),
    ("user", "user-subscribe"),
    ("user-unsubscribe", "user-signoff"),
];

/// The topic `typed` names (`admin-moderate`, `admin-moderate.html`, Sympa's names), `""`
/// for the index; `None` when it names none.
pub fn help_topic(typed: &str) -> Option<&'static str> {
    let name = typed.trim_matches('/');
    let name = name.strip_suffix(".html").unwrap_or(name);
    if name.is_empty() {
        return Some("");
    }
    HELP_TOPICS
        .iter()
        .copied()
        .find(|t| *t == name)
        .or_else(|| {
            HELP_ALIASES
                .iter()
                .find(|(old, _)| *old == name)
                .map(|(_, t)| *t)
        })
}

/// `help.html`.
#[derive(Serialize)]
struct HelpView {
    /// The topic shown; `""` for the index.
    topic: &'static str,
    listmaster: String,
    /// The site's `helpfile` text (listmasters' `editfile`): who to ask, plain text.
    contact: Option<String>,
}

/// `help[/TOPIC]`: the index of help topics, or one of them (Sympa's names are kept, with
/// or without `.html`); an unknown topic is a 404.
pub fn help(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let topic = help_topic(ctx.text("help_topic"))
        .ok_or_else(|| Error::NotFound(crate::messages::tools::NO_SUCH_HELP.into()))?;
    let listmaster = ctx
        .config
        .listmasters()
        .next()
        .unwrap_or_default()
        .to_string();
    let contact = ctx.run(|env, _| texts::site_text(env, "helpfile"))?;
    Ok(Outcome::page(HelpView {
        topic,
        listmaster,
        contact,
    }))
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
    /// The owners' `info` text when saved, else the list's description: plain text.
    description: String,
    topics: Vec<String>,
    /// The owners' `homepage`, sanitized HTML: shown instead of the description when set.
    homepage: Option<String>,
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
    /// The owners' and moderators' tools the visitor may use.
    tools: ToolLinks,
}

/// Which tools `info.html` links to (`tools_links.html`).
#[derive(Serialize)]
struct ToolLinks {
    /// Texts, import and reminder: owners and listmasters.
    texts: bool,
    /// The log: owners, moderators and listmasters.
    logs: bool,
}

/// `info/<list>`: the list's page: subject, description, owners, what the visitor may do.
///
/// The row loads the list and answers 404 when it is unknown or invisible to the visitor.
pub fn info(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let info = ctx.run(|env, who| list_operations::info(env, who, list))?;
    let page_texts = ctx.run(|env, who| texts::page_texts(env, who, list))?;
    let roles = ctx.roles;
    let may = |kind: ActionKind| {
        !matches!(
            crate::domain::decide(kind, &roles, &list.policy),
            crate::domain::Decision::Refuse(_)
        )
    };
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
            description: page_texts.info.unwrap_or_else(|| list.description.clone()),
            topics: list.topics.clone(),
            homepage: page_texts.homepage,
        },
        member_count: info.member_count,
        owners,
        is_subscriber: info.is_member,
        may: info.may,
        moderates: held.is_some(),
        held: held.unwrap_or(0),
        tools: ToolLinks {
            texts: may(ActionKind::EditTexts),
            logs: may(ActionKind::ViewLogs),
        },
    }))
}
