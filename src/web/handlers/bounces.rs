//! The owners' bounce pages: `reviewbouncing` (who bounces, their scores and last bounce, the bounces kept for the list), Sympa's `viewbounce` (a kept bounce's bytes) and `resetbounce` (forget a score so that delivery resumes), which a member may use on their own address from the warning mail's link.

use serde::Serialize;

use super::date;
use crate::domain::bounce::points;
use crate::domain::List;
use crate::http::{Body, Method, Response};
use crate::messages::{self, WebText};
use crate::operations::bounces::{self, BounceReview};
use crate::web::ctx::{Ctx, Level};
use crate::web::outcome::Outcome;
use crate::web::Error;

/// A bouncing member on `reviewbouncing.html`.
#[derive(Serialize)]
struct MemberRow {
    email: String,
    name: String,
    score: String,
    bounces: u32,
    first: String,
    last: String,
    /// Delivery suspended since (a date), with the warnings sent.
    disabled: Option<String>,
    warnings: u32,
    status: Option<String>,
    diagnostic: Option<String>,
    outcome: Option<String>,
}

/// A kept bounce on `reviewbouncing.html`.
#[derive(Serialize)]
struct BounceRow {
    id: i64,
    date: String,
    email: Option<String>,
    outcome: String,
    status: Option<String>,
    diagnostic: String,
    size: u64,
}

/// `reviewbouncing.html`.
#[derive(Serialize)]
struct ReviewView {
    members: Vec<MemberRow>,
    recent: Vec<BounceRow>,
    threshold: String,
    stale_days: u32,
    warnings: u32,
    warning_days: u32,
}

fn view(review: BounceReview) -> ReviewView {
    ReviewView {
        members: review
            .members
            .into_iter()
            .map(|m| MemberRow {
                email: m.email.as_str().to_string(),
                name: m.name,
                score: points(m.record.score),
                bounces: m.record.bounces,
                first: date(m.record.first_at),
                last: date(m.record.last_at),
                disabled: m.record.disabled_at.map(date),
                warnings: m.record.warnings,
                status: m.last.as_ref().and_then(|b| b.status.clone()),
                diagnostic: m.last.as_ref().map(|b| b.diagnostic.clone()),
                outcome: m.last.as_ref().map(|b| b.outcome.clone()),
            })
            .collect(),
        recent: review
            .recent
            .into_iter()
            .map(|b| BounceRow {
                id: b.id,
                date: date(b.received_at),
                email: b.email,
                outcome: b.outcome,
                status: b.status,
                diagnostic: b.diagnostic,
                size: b.size,
            })
            .collect(),
        threshold: points(review.settings.threshold),
        stale_days: review.settings.stale_days,
        warnings: review.settings.warnings,
        warning_days: review.settings.warning_days,
    }
}

/// `reviewbouncing/LIST`: the bouncing members with a reset button each.
pub fn reviewbouncing(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let review = ctx
        .run(|env, who| bounces::review(env, who, list))
        .map_err(Error::from)?;
    ctx.ensure_csrf_token()?;
    Ok(Outcome::page(view(review)))
}

/// `resetbounce.html`: the confirm form a member reaches from the warning mail.
#[derive(Serialize)]
struct ResetView {
    email: Option<String>,
}

/// `resetbounce/LIST[/EMAIL]`: GET shows a confirm button (it changes nothing); POST
/// forgets the scores of the `email` fields (the requester's own address without one) and
/// goes back to `reviewbouncing` (owners) or `suboptions` (a member's own).
pub fn resetbounce(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let emails: Vec<String> = ctx.params.all("email").map(str::to_string).collect();
    if ctx.request.method != Method::Post {
        ctx.ensure_csrf_token()?;
        return Ok(Outcome::page(ResetView {
            email: emails.into_iter().next(),
        }));
    }
    let refs: Vec<&str> = emails.iter().map(String::as_str).collect();
    let own = emails.is_empty()
        || ctx
            .user
            .as_ref()
            .is_some_and(|u| emails.iter().all(|e| e.to_lowercase() == u.email.as_str()));
    let reset = ctx
        .run(|env, who| bounces::reset(env, who, list, &refs))
        .map_err(Error::from)?;
    let text = if reset.is_empty() {
        messages::web(&WebText::NoScoreToReset, &ctx.language)
    } else {
        let done: Vec<&str> = reset.iter().map(|e| e.as_str()).collect();
        messages::web(
            &WebText::ScoresReset {
                addresses: &done.join(", "),
            },
            &ctx.language,
        )
    };
    ctx.flash(Level::Success, text)?;
    let back = if own { "suboptions" } else { "reviewbouncing" };
    Ok(Outcome::redirect(&ctx.url(back, &[list.name.as_str()])))
}

/// `viewbounce/LIST/EMAIL` (Sympa's): the last bounce kept for a member, as text; or
/// `viewbounce/LIST?id=N`, a bounce of the list's latest. Served with `nosniff`, never
/// rendered as HTML.
pub fn viewbounce(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let email = ctx.param("email").map(str::to_string);
    let id = ctx.param("id").and_then(|id| id.parse::<i64>().ok());
    let found = ctx
        .run(|env, who| bounces::evidence(env, who, list, email.as_deref(), id))
        .map_err(Error::from)?;
    let Some(bytes) = found else {
        return Err(Error::NotFound(messages::web(
            &WebText::NoBounceKept,
            &ctx.language,
        )));
    };
    Ok(Outcome::Response(Response {
        status: 200,
        headers: vec![
            ("Content-Type".into(), "text/plain".into()),
            ("Content-Disposition".into(), "inline".into()),
            ("X-Content-Type-Options".into(), "nosniff".into()),
            ("Cache-Control".into(), "no-store".into()),
        ],
        body: Body::Bytes(bytes),
    }))
}
