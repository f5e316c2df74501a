//! Member self-service pages: subscribe, signoff, one-click unsubscribe, confirmation links,
//! and one's options (suboptions, set).
//!
//! Every GET here only shows a form or a confirmation button: mail scanners and prefetchers
//! that follow links never subscribe, unsubscribe or confirm anything.

use serde_json::{json, Value};

use super::{kept, refused_form};
use crate::domain::{Decision, MemberVisibility, ReceptionMode};
use crate::http::Method;
use crate::messages;
use crate::operations::membership::{self, OptionsChange, Outcome as Done};
use crate::operations::Refusal;
use crate::web::ctx::{Ctx, Level};
use crate::web::error::refusal_status;
use crate::web::outcome::Outcome;
use crate::web::Error;

fn is_post(ctx: &Ctx<'_>) -> bool {
    ctx.request.method == Method::Post
}

/// What the visitor is told will happen, from the row's policy decision.
fn path_word(decision: Option<Decision>) -> &'static str {
    match decision {
        Some(Decision::Allow { .. }) => "direct",
        Some(Decision::NeedsConfirmation { .. }) => "confirm",
        Some(Decision::NeedsOwnerApproval { .. }) => "owner",
        _ => "refused",
    }
}

/// `subscribe/LIST` (old name `subrequest`): GET shows the form; POST asks to join. The
/// list's subscribe policy says whether it is done at once, confirmed by mail first (always
/// for anonymous visitors) or held for the owners.
pub fn subscribe(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let list = ctx.list.clone().expect("the row loads the list");
    let mut view = json!({
        "form": {
            "email": kept(ctx.text("email"), 254),
            "gecos": kept(ctx.text("gecos"), 150),
        },
        "path": path_word(ctx.decision),
    });
    if !is_post(ctx) {
        if ctx.roles.subscriber {
            ctx.notice(Level::Info, "You are a member of this list already.");
        }
        view["csrf_token"] = json!(ctx.csrf_token()?);
        return Ok(Outcome::page("subscribe", view));
    }
    let email = ctx.param("email").map(str::to_string);
    let name = ctx.text("gecos").to_string();
    match ctx.run(|env, who| membership::subscribe(env, who, &list, email.as_deref(), &name)) {
        Ok(Done::Subscribed) => {
            ctx.flash(
                Level::Success,
                format!("You are now a member of {}.", list.address()),
            )?;
            Ok(Outcome::redirect(&ctx.url("info", &[list.name.as_str()])))
        }
        Ok(done) => {
            view["sent"] = json!(sent_word(done));
            Ok(Outcome::page("subscribe", view))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            refused_form(ctx, "subscribe", &refusal, view)
        }
    }
}

fn sent_word(done: Done) -> &'static str {
    match done {
        Done::HeldForOwner => "owner",
        _ => "confirm",
    }
}

/// `signoff/LIST[?email=]` (old name `sigrequest`): GET shows the button (or, anonymous,
/// the address field); POST asks to leave as the unsubscribe policy says. Anonymous
/// requests are confirmed by mail, with the same answer whether the address is a member.
pub fn signoff(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let list = ctx.list.clone().expect("the row loads the list");
    let mut view = json!({
        "form": { "email": kept(ctx.text("email"), 254) },
        "path": path_word(ctx.decision),
    });
    if !is_post(ctx) {
        view["csrf_token"] = json!(ctx.csrf_token()?);
        return Ok(Outcome::page("signoff", view));
    }
    let email = ctx.param("email").map(str::to_string);
    match ctx.run(|env, who| membership::signoff(env, who, &list, email.as_deref())) {
        Ok(Done::Unsubscribed) => {
            ctx.flash(
                Level::Success,
                format!("You are no longer a member of {}.", list.address()),
            )?;
            Ok(Outcome::redirect(&ctx.url("info", &[list.name.as_str()])))
        }
        Ok(done) => {
            view["sent"] = json!(sent_word(done));
            Ok(Outcome::page("signoff", view))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            refused_form(ctx, "signoff", &refusal, view)
        }
    }
}

/// A link that does not work (any more): 410 with the reason, nothing changed.
fn dead_link(template: &'static str, refusal: &Refusal) -> Outcome {
    let status = match refusal {
        Refusal::InvalidLink => 410,
        other => refusal_status(other),
    };
    Outcome::page_with_status(
        template,
        status,
        json!({ "invalid": true, "message": messages::refusal(refusal) }),
    )
}

/// `oneclick/LIST/<day>-<mac>?email=ADDR` (RFC 8058): the mail client's POST
/// (`List-Unsubscribe=One-Click`), or the button of the GET page, unsubscribes the address
/// the signed id was made for. GET never unsubscribes: it shows that button.
pub fn oneclick(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let list_name = ctx.text("list").to_string();
    let id = ctx.text("id").to_string();
    let email = ctx.text("email").to_string();
    if !is_post(ctx) {
        return match ctx.run(|env, _| membership::oneclick_target(env, &list_name, &id, &email)) {
            Ok((list, email)) => {
                let csrf = ctx.csrf_token()?;
                Ok(Outcome::page(
                    "oneclick",
                    json!({
                        "list_address": list.address(),
                        "list_name": list.name,
                        "id": id,
                        "email": email,
                        "csrf_token": csrf,
                    }),
                ))
            }
            Err(e) => Ok(dead_link("oneclick", &ctx.refusal(e)?)),
        };
    }
    match ctx.run(|env, who| membership::oneclick(env, who, &list_name, &id, &email)) {
        Ok((removed, list)) => Ok(Outcome::page(
            "oneclick",
            json!({
                "done": true,
                "was_member": removed,
                "list_address": list.address(),
                "list_name": list.name,
                "email": email,
            }),
        )),
        Err(e) => Ok(dead_link("oneclick", &ctx.refusal(e)?)),
    }
}

/// `auth/<key>/<word>[/LIST]?email=ADDR`: a confirmation link from a mail. GET shows what
/// would be done and a button; POST does it, once. A forged, replayed or expired key, or
/// another address, is a clear "link not valid" and changes nothing.
pub fn auth(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let key = ctx.text("id").to_string();
    let word = ctx.text("heldaction").to_string();
    let email = ctx.param("email").map(str::to_string);
    if !is_post(ctx) {
        return match ctx.run(|env, _| membership::held_request(env, &key, &word, email.as_deref()))
        {
            Ok(held) => {
                let csrf = ctx.csrf_token()?;
                Ok(Outcome::page(
                    "auth",
                    json!({
                        "key": key,
                        "word": held.word,
                        "email": held.pending.email,
                        "name": held.pending.data["name"],
                        "list_name": held.list.name,
                        "list_address": held.list.address(),
                        "csrf_token": csrf,
                    }),
                ))
            }
            Err(e) => Ok(dead_link("auth", &ctx.refusal(e)?)),
        };
    }
    match ctx.run(|env, who| membership::confirm(env, who, &key, &word, email.as_deref())) {
        Ok((done, held)) => Ok(Outcome::page(
            "auth",
            json!({
                "done": match done {
                    Done::Subscribed => "subscribed",
                    Done::Unsubscribed => "unsubscribed",
                    _ => "owner",
                },
                "word": held.word,
                "email": held.pending.email,
                "list_name": held.list.name,
                "list_address": held.list.address(),
            }),
        )),
        Err(e) => Ok(dead_link("auth", &ctx.refusal(e)?)),
    }
}

/// The choices of the options form.
fn choices() -> Value {
    json!({
        "receptions": ReceptionMode::ALL.iter().map(|m| json!({
            "value": m.as_str(),
            "label": match m {
                ReceptionMode::Mail => "Each message as it comes",
                ReceptionMode::Digest => "A digest of the messages",
                ReceptionMode::Summary => "A summary: subjects and links",
                ReceptionMode::Nomail => "No mail (stay a member)",
            },
        })).collect::<Vec<_>>(),
    })
}

fn options_view(member: &crate::domain::Member, own: bool) -> Value {
    let mut view = choices();
    view["form"] = json!({
        "email": member.email,
        "gecos": member.name,
        "reception": member.reception.as_str(),
        "visibility": member.visibility.as_str(),
    });
    view["own"] = json!(own);
    view["subscribed"] = json!(super::date(member.subscribed_at));
    view
}

/// `suboptions/LIST`: the member's own options, in a form that posts to `set`.
pub fn suboptions(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let list = ctx.list.clone().expect("the row loads the list");
    let member = ctx
        .run(|env, who| membership::membership(env, who, &list, None))
        .map_err(Error::from)?;
    let mut view = options_view(&member, true);
    view["csrf_token"] = json!(ctx.csrf_token()?);
    Ok(Outcome::page("suboptions", view))
}

/// `set/LIST[/EMAIL[/RECEPTION[/GECOS]]]`: GET shows the options form filled with the
/// values of the link; POST saves them. A member changes their own; owners change anyone's.
pub fn set(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let list = ctx.list.clone().expect("the row loads the list");
    let email = ctx.param("email").map(str::to_string);
    let reception = ctx.param("reception").map(str::to_string);
    let visibility = ctx.param("visibility").map(str::to_string);
    let name = ctx.params.get("gecos").map(str::to_string);
    let own = email.is_none()
        || ctx.user.as_ref().is_some_and(|u| {
            email.as_deref().map(str::to_lowercase).as_deref() == Some(u.email.as_str())
        });
    if !is_post(ctx) {
        let member = ctx
            .run(|env, who| membership::membership(env, who, &list, email.as_deref()))
            .map_err(Error::from)?;
        let mut view = options_view(&member, own);
        if let Some(mode) = reception.as_deref().and_then(ReceptionMode::parse) {
            view["form"]["reception"] = json!(mode.as_str());
        }
        if let Some(name) = &name {
            view["form"]["gecos"] = json!(kept(name, 150));
        }
        view["csrf_token"] = json!(ctx.csrf_token()?);
        return Ok(Outcome::page("set", view));
    }
    let change = OptionsChange {
        email: email.as_deref(),
        reception: reception.as_deref(),
        visibility: visibility.as_deref(),
        name: name.as_deref(),
    };
    match ctx.run(|env, who| membership::set_options(env, who, &list, &change)) {
        Ok(member) => {
            if own {
                ctx.flash(Level::Success, "Your options are saved.")?;
                Ok(Outcome::redirect(
                    &ctx.url("suboptions", &[list.name.as_str()]),
                ))
            } else {
                ctx.flash(
                    Level::Success,
                    format!("The options of {} are saved.", member.email),
                )?;
                Ok(Outcome::redirect(&ctx.url("review", &[list.name.as_str()])))
            }
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            if matches!(refusal, Refusal::Denied(_) | Refusal::NotAMember) {
                return Err(refusal.into());
            }
            let mut view = choices();
            view["form"] = json!({
                "email": kept(email.as_deref().unwrap_or(""), 254),
                "gecos": kept(name.as_deref().unwrap_or(""), 150),
                "reception": kept(reception.as_deref().unwrap_or(""), 20),
                "visibility": if visibility.as_deref() == Some(MemberVisibility::Conceal.as_str()) { "conceal" } else { "noconceal" },
            });
            view["own"] = json!(own);
            refused_form(ctx, "set", &refusal, view)
        }
    }
}
