//! The moderators' pages: the queue of held posts with bulk decisions (`modindex`), one held
//! post (`viewmod`), the confirm pages of the mailed keys (`distribute/LIST/KEY`,
//! `reject/LIST/KEY`, Sympa's URLs) and the sender's withdraw page (`withdraw/LIST/KEY`).
//!
//! GET never decides anything (mail scanners follow links): the key pages show the post and
//! buttons; the buttons POST, with the CSRF token of the visitor's session or anonymous
//! CSRF cookie. The key is the authority there, no login is needed.

use serde::Serialize;

use super::archive::{blocks, disposition, header_rows, served_type, Block, HeaderRow, MAIL_CSP};
use super::subscription::dead_link;
use crate::domain::HoldReason;
use crate::http::Method;
use crate::i18n::Language;
use crate::messages::{self, WebText};
use crate::operations::moderation::pages::{self, HeldPage, QueueItem};
use crate::operations::moderation::{self, reasons, Decided, Decision};
use crate::operations::Refusal;
use crate::store::HeldRecord;
use crate::web::ctx::{Ctx, Level};
use crate::web::error::refusal_status;
use crate::web::outcome::Outcome;
use crate::web::Error;

fn is_post(ctx: &Ctx<'_>) -> bool {
    ctx.request.method == Method::Post
}

/// What a page shows of the sender's history.
#[derive(Serialize)]
struct HistoryView {
    member: bool,
    rule: Option<&'static str>,
    waiting: u64,
    distributed: u64,
    rejected: u64,
    dropped: u64,
}

/// A held post as the pages list it.
#[derive(Serialize)]
struct PostView {
    id: i64,
    subject: String,
    sender: String,
    sender_name: String,
    reasons: Vec<HoldReason>,
    held_at: String,
    age: Age,
    expires: String,
    size: u64,
    attachments: u32,
    history: HistoryView,
    decided: Option<DecidedView>,
}

/// A decision already taken.
#[derive(Serialize)]
struct DecidedView {
    decision: String,
    by: Option<String>,
    at: String,
    note: String,
}

/// How long a post has waited, in the unit the pages say it in (their catalogue words it).
#[derive(Serialize, Debug, PartialEq, Eq)]
struct Age {
    n: i64,
    /// `days`, `hours` or `minutes`.
    unit: &'static str,
}

/// 3 days, 5 hours, 12 minutes: days from two days on, hours from two hours on.
fn age(seconds: i64) -> Age {
    let seconds = seconds.max(0);
    let (n, unit) = if seconds >= 2 * 86_400 {
        (seconds / 86_400, "days")
    } else if seconds >= 2 * 3600 {
        (seconds / 3600, "hours")
    } else {
        (seconds / 60, "minutes")
    };
    Age { n, unit }
}

/// A date and time as `YYYY-MM-DD HH:MM UTC`.
fn when(epoch: i64) -> String {
    let secs = epoch.rem_euclid(86_400);
    format!(
        "{} {:02}:{:02} UTC",
        super::date(epoch),
        secs / 3600,
        secs % 3600 / 60
    )
}

fn post_view(item: &QueueItem, lang: &Language) -> PostView {
    let held: &HeldRecord = &item.held;
    PostView {
        id: held.message,
        subject: if held.subject.trim().is_empty() {
            messages::web(&WebText::NoSubject, lang)
        } else {
            held.subject.clone()
        },
        sender: held.sender.clone().unwrap_or_default(),
        sender_name: held.from_name.clone(),
        reasons: held.reasons.clone(),
        held_at: when(held.held_at),
        age: age(crate::store::now() - held.held_at),
        expires: when(held.expires_at),
        size: held.size,
        attachments: held.attachments,
        history: HistoryView {
            member: item.member,
            rule: item.rule.map(|r| r.as_str()),
            waiting: item.history.waiting,
            distributed: item.history.distributed,
            rejected: item.history.rejected,
            dropped: item.history.dropped,
        },
        decided: held.decided.as_ref().map(|d| DecidedView {
            decision: d.decision.clone(),
            by: d.by.clone(),
            at: when(d.at),
            note: d.note.clone(),
        }),
    }
}

/// `modindex.html`.
#[derive(Serialize)]
struct QueueView {
    posts: Vec<PostView>,
    total: u64,
    /// Where the queue's next page starts, when it has one.
    next_offset: Option<u64>,
    /// Where this page starts (0 for the oldest).
    offset: u64,
    digest_minutes: u32,
    stock_reasons: &'static [reasons::StockReason],
}

/// The decision a form names (`do`), with the reason it gives (`reason`: a stock reason's
/// id; `note`: free text, which wins).
fn form_decision(ctx: &Ctx<'_>) -> Option<Decision> {
    let reason = reasons::resolve(ctx.param("reason"), ctx.param("note"));
    Decision::parse(ctx.param("do")?, reason)
}

/// A sentence for what a bulk or single decision did.
fn summary(outcomes: &[(i64, Decided)], decision: &Decision, lang: &Language) -> (Level, String) {
    let applied = outcomes
        .iter()
        .filter(|(_, d)| *d == Decided::Applied)
        .count();
    let mut text = messages::web(
        &WebText::Moderated {
            n: applied,
            decision,
        },
        lang,
    );
    for (id, decided) in outcomes {
        let more = match decided {
            Decided::Already { decision, by, at } => WebText::DecidedAlready {
                id: *id,
                decision,
                by: by.as_deref(),
                at: *at,
            },
            Decided::Unknown => WebText::NotHeld { id: *id },
            Decided::Applied => continue,
        };
        text.push(' ');
        text.push_str(&messages::web(&more, lang));
    }
    let level = if applied == outcomes.len() {
        Level::Success
    } else {
        Level::Info
    };
    (level, text)
}

/// `modindex/LIST`: the posts waiting for a moderator, oldest first, with their reasons,
/// age and sender's history. POST decides for the checked posts at once (`id`, several),
/// or (`do=prefs`) saves the moderator's choice of notices (`digest_minutes`).
pub fn modindex(ctx: &mut Ctx<'_>, list: &crate::domain::List) -> Result<Outcome, Error> {
    if is_post(ctx) {
        let url = ctx.url("modindex", &[list.name.as_str()]);
        if ctx.param("do") == Some("prefs") {
            let minutes = ctx
                .param("digest_minutes")
                .and_then(|m| m.trim().parse::<u32>().ok())
                .ok_or(Refusal::InvalidValue {
                    field: crate::operations::Field::DigestInterval,
                });
            let done = minutes
                .map_err(crate::operations::Error::from)
                .and_then(|m| ctx.run(|env, who| pages::set_digest(env, who, list, m)));
            match done {
                Ok(()) => ctx.flash(
                    Level::Success,
                    messages::web(&WebText::ModerationNoticesSaved, &ctx.language),
                )?,
                Err(e) => {
                    let refusal = ctx.refusal(e)?;
                    ctx.flash(Level::Error, messages::refusal(&refusal, &ctx.language))?;
                }
            }
            return Ok(Outcome::redirect(&url));
        }
        let Some(decision) = form_decision(ctx) else {
            ctx.flash(
                Level::Error,
                messages::web(&WebText::ChooseDecisionMany, &ctx.language),
            )?;
            return Ok(Outcome::redirect(&url));
        };
        let ids: Vec<i64> = ctx
            .params
            .all("id")
            .filter_map(|id| id.trim().parse().ok())
            .collect();
        if ids.is_empty() {
            ctx.flash(
                Level::Error,
                messages::web(&WebText::CheckOneMessage, &ctx.language),
            )?;
            return Ok(Outcome::redirect(&url));
        }
        match ctx.run(|env, who| moderation::decide(env, who, list, &ids, &decision)) {
            Ok(outcomes) => {
                let (level, text) = summary(&outcomes, &decision, &ctx.language);
                ctx.flash(level, text)?;
            }
            Err(e) => {
                let refusal = ctx.refusal(e)?;
                if matches!(refusal, Refusal::Denied(_)) {
                    return Err(refusal.into());
                }
                ctx.flash(Level::Error, messages::refusal(&refusal, &ctx.language))?;
            }
        }
        return Ok(Outcome::redirect(&url));
    }
    let offset = ctx
        .param("offset")
        .and_then(|o| o.parse().ok())
        .unwrap_or(0);
    let queue = ctx
        .run(|env, who| pages::queue(env, who, list, offset))
        .map_err(Error::from)?;
    ctx.ensure_csrf_token()?;
    let shown = queue.items.len() as u64;
    Ok(Outcome::page(QueueView {
        posts: queue
            .items
            .iter()
            .map(|item| post_view(item, &ctx.language))
            .collect(),
        total: queue.total,
        next_offset: (offset + shown < queue.total && shown > 0).then_some(offset + shown),
        offset,
        digest_minutes: queue.digest_minutes,
        stock_reasons: reasons::STOCK,
    }))
}

/// What a page shows of a held post's bytes.
#[derive(Serialize)]
struct MessageBody {
    headers: Vec<HeaderRow>,
    blocks: Vec<Block>,
}

fn body_of(page: &HeldPage, lang: &Language) -> Option<MessageBody> {
    page.display.as_ref().map(|display| {
        let mut out = Vec::new();
        blocks(display, 0, lang, &mut out);
        MessageBody {
            headers: header_rows(&display.headers, lang),
            blocks: out,
        }
    })
}

/// `viewmod.html`.
#[derive(Serialize)]
struct ViewmodView {
    post: PostView,
    /// Where the post's attachments are downloaded (`viewmod/LIST/ID/N`).
    attachment_base: String,
    message: Option<MessageBody>,
    stock_reasons: &'static [reasons::StockReason],
}

/// `viewmod/LIST/ID` (or Sympa's `viewmod/LIST/KEY`): one held post, rendered through the
/// archive's safe renderer (headers, text, sanitized HTML, attachments named), with the
/// decision buttons; POST decides for it and goes back to the queue.
pub fn viewmod(ctx: &mut Ctx<'_>, list: &crate::domain::List) -> Result<Outcome, Error> {
    let id = ctx.text("id").to_string();
    if let Some(file) = ctx.param("file").map(str::to_string) {
        return viewmod_attachment(ctx, list, &id, &file);
    }
    let found = ctx
        .run(|env, who| pages::view(env, who, list, &id))
        .map_err(Error::from)?;
    let Some(page) = found else {
        return Err(Error::NotFound(messages::web(
            &WebText::NoSuchHeldMessage,
            &ctx.language,
        )));
    };
    if is_post(ctx) {
        let url = ctx.url("modindex", &[list.name.as_str()]);
        let Some(decision) = form_decision(ctx) else {
            ctx.flash(
                Level::Error,
                messages::web(&WebText::ChooseDecisionOne, &ctx.language),
            )?;
            return Ok(Outcome::redirect(
                &ctx.url("viewmod", &[list.name.as_str(), &id]),
            ));
        };
        let message = page.item.held.message;
        match ctx.run(|env, who| moderation::decide(env, who, list, &[message], &decision)) {
            Ok(outcomes) => {
                let (level, text) = summary(&outcomes, &decision, &ctx.language);
                ctx.flash(level, text)?;
            }
            Err(e) => {
                let refusal = ctx.refusal(e)?;
                if matches!(refusal, Refusal::Denied(_)) {
                    return Err(refusal.into());
                }
                ctx.flash(Level::Error, messages::refusal(&refusal, &ctx.language))?;
            }
        }
        return Ok(Outcome::redirect(&url));
    }
    ctx.ensure_csrf_token()?;
    ctx.headers
        .push(("Content-Security-Policy".into(), MAIL_CSP.into()));
    let attachment_base = ctx.url(
        "viewmod",
        &[list.name.as_str(), &page.item.held.message.to_string()],
    );
    Ok(Outcome::page(ViewmodView {
        attachment_base,
        post: post_view(&page.item, &ctx.language),
        message: body_of(&page, &ctx.language),
        stock_reasons: reasons::STOCK,
    }))
}

/// `viewmod/LIST/ID/N`: attachment `N` of a held post, as the archive serves attachments
/// (active types as bytes to download, `nosniff`).
fn viewmod_attachment(
    ctx: &mut Ctx<'_>,
    list: &crate::domain::List,
    id: &str,
    file: &str,
) -> Result<Outcome, Error> {
    let text = messages::web(&WebText::NoSuchHeldAttachment, &ctx.language);
    let missing = || Error::NotFound(text.clone());
    let index: usize = file.parse().map_err(|_| missing())?;
    let found = ctx
        .run(|env, who| pages::attachment(env, who, list, id, index))
        .map_err(Error::from)?
        .ok_or_else(missing)?;
    Ok(Outcome::Response(crate::http::Response {
        status: 200,
        headers: vec![
            ("Content-Type".into(), served_type(&found.content_type)),
            ("Content-Disposition".into(), disposition(&found.name)),
            ("X-Content-Type-Options".into(), "nosniff".into()),
            ("Cache-Control".into(), "private, no-store".into()),
        ],
        body: crate::http::Body::Bytes(found.bytes),
    }))
}

/// `distribute.html`, `reject.html` and `withdraw.html`: the post a key opens, and what
/// was decided for it once decided.
#[derive(Serialize)]
struct KeyView {
    list_name: String,
    list_address: String,
    key: String,
    post: PostView,
    message: Option<MessageBody>,
    stock_reasons: &'static [reasons::StockReason],
    /// Set once this visitor's POST decided: what it did.
    done: Option<&'static str>,
}

/// A key page: GET shows the post and the buttons (or what was decided already); POST
/// runs `act` and shows what it did, or what someone else did first.
fn key_page(
    ctx: &mut Ctx<'_>,
    purpose: &'static str,
    act: impl FnOnce(
        &mut Ctx<'_>,
        &crate::domain::List,
        &str,
    ) -> Result<Result<(Decided, &'static str), Refusal>, Error>,
) -> Result<Outcome, Error> {
    let list_name = ctx.text("list").to_string();
    let key = ctx.text("key").to_string();
    let list = match ctx.run(|env, _| moderation::keyed_list(env, &list_name)) {
        Ok(list) => list,
        Err(e) => return Ok(dead(&ctx.refusal(e)?, &ctx.language)),
    };
    let mut done = None;
    if is_post(ctx) {
        match act(ctx, &list, &key)? {
            Ok((Decided::Applied, what)) => done = Some(what),
            Ok(_) => {}
            Err(refusal) => return Ok(dead(&refusal, &ctx.language)),
        }
    }
    let page = match ctx.run(|env, who| pages::by_key(env, who, &list, &key, purpose)) {
        Ok(page) => page,
        Err(e) => return Ok(dead(&ctx.refusal(e)?, &ctx.language)),
    };
    if page.item.held.decided.is_none() {
        ctx.ensure_csrf_token()?;
    }
    ctx.headers
        .push(("Content-Security-Policy".into(), MAIL_CSP.into()));
    Ok(Outcome::page(KeyView {
        list_address: list.address(),
        list_name: list.name.as_str().to_string(),
        key,
        post: post_view(&page.item, &ctx.language),
        message: body_of(&page, &ctx.language),
        stock_reasons: reasons::STOCK,
        done,
    }))
}

/// A key that opens nothing (wrong, or too many wrong ones from this client): the page
/// says so, nothing changed.
fn dead(refusal: &Refusal, lang: &crate::i18n::Language) -> Outcome {
    let status = match refusal {
        Refusal::InvalidLink => 410,
        other => refusal_status(other),
    };
    dead_link(status, refusal, lang)
}

/// The decision of a key page's POST.
fn decide_by_key(
    ctx: &mut Ctx<'_>,
    list: &crate::domain::List,
    key: &str,
) -> Result<Result<(Decided, &'static str), Refusal>, Error> {
    let Some(decision) = form_decision(ctx) else {
        return Ok(Err(Refusal::InvalidValue {
            field: crate::operations::Field::Decision,
        }));
    };
    let word = match decision {
        Decision::Distribute => "distributed",
        Decision::DistributeAndAllow => "allowed",
        Decision::Reject { .. } => "rejected",
        Decision::RejectAndBan { .. } => "banned",
        Decision::Discard => "discarded",
    };
    match ctx.run(|env, who| moderation::decide_with_key(env, who, list, key, &decision)) {
        Ok(decided) => Ok(Ok((decided, word))),
        Err(e) => Ok(Err(ctx.refusal(e)?)),
    }
}

/// `distribute/LIST/KEY` (Sympa's link in the moderators' notice): the held post and the
/// buttons, Distribute first; no login needed, the key is the authority.
pub fn distribute(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    key_page(ctx, "moderate", decide_by_key)
}

/// `reject/LIST/KEY`: the same page, rejection first (reasons, ban, discard).
pub fn reject(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    key_page(ctx, "moderate", decide_by_key)
}

/// `withdraw/LIST/KEY`: the sender's link from the "your message is held" notice; the
/// button takes the post back.
pub fn withdraw(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    key_page(ctx, "withdraw", |ctx, list, key| {
        match ctx.run(|env, who| moderation::withdraw_with_key(env, who, list, key)) {
            Ok(decided) => Ok(Ok((decided, "withdrawn"))),
            Err(e) => Ok(Err(ctx.refusal(e)?)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_says_minutes_then_hours_from_two_hours_then_days_from_two_days() {
        let at = |n, unit| Age { n, unit };
        assert_eq!(age(-5), at(0, "minutes"));
        assert_eq!(age(59), at(0, "minutes"));
        assert_eq!(age(60), at(1, "minutes"));
        assert_eq!(age(2 * 3600 - 1), at(119, "minutes"));
        assert_eq!(age(2 * 3600), at(2, "hours"));
        assert_eq!(age(2 * 86_400 - 1), at(47, "hours"));
        assert_eq!(age(2 * 86_400), at(2, "days"));
        assert_eq!(age(9 * 86_400 + 3600), at(9, "days"));
    }
}
