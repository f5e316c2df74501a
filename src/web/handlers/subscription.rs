//! Member self-service pages: subscribe, signoff, one-click unsubscribe, confirmation links,
//! and one's options (suboptions, set).
//!
//! Every GET here only shows a form or a confirmation button: mail scanners and prefetchers
//! that follow links never subscribe, unsubscribe or confirm anything.

use serde::Serialize;

use super::refused_form;
use crate::domain::{Decision, Email, List, ListName, Member, MemberVisibility, ReceptionMode};
use crate::http::Method;
use crate::messages::{self, WebText};
use crate::operations::membership::{self, HeldRequest, OptionsChange, Outcome as Done};
use crate::operations::Refusal;
use crate::web::ctx::{Ctx, Level};
use crate::web::error::refusal_status;
use crate::web::outcome::Outcome;
use crate::web::params::{self, Typed, EMAIL_MAX, NAME_MAX, RECEPTION_MAX};
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

/// What the subscribe form keeps of what was typed.
#[derive(Serialize)]
struct SubscribeForm {
    email: Typed,
    gecos: Typed,
}

/// One custom attribute asked on `subscribe.html` (`custom_attributes_form.html`).
#[derive(Serialize)]
struct Question {
    id: String,
    name: String,
    /// `string`, `text`, `integer` or `enum`.
    kind: &'static str,
    optional: bool,
    values: Vec<String>,
    /// What was typed, kept after a refusal.
    value: String,
    error: Option<String>,
}

/// `subscribe.html`.
#[derive(Serialize)]
struct SubscribeView {
    form: SubscribeForm,
    /// The list's custom attributes.
    questions: Vec<Question>,
    path: &'static str,
    /// Once asked: whom the confirmation went to (`confirm`: the visitor; `owner`: the owners).
    #[serde(skip_serializing_if = "Option::is_none")]
    sent: Option<&'static str>,
}

/// `subscribe/LIST` (old name `subrequest`): GET shows the form; POST asks to join. The
/// list's subscribe policy says whether it is done at once, confirmed by mail first (always
/// for anonymous visitors) or held for the owners.
pub fn subscribe(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let asked = ctx
        .run(|env, who| membership::questions(env, who, list))
        .map_err(Error::from)?;
    let answers: std::collections::BTreeMap<String, String> = asked
        .iter()
        .filter_map(|a| {
            let value = ctx.params.get(&format!("custom_{}", a.id))?;
            Some((a.id.clone(), value.to_string()))
        })
        .collect();
    let questions = |error: Option<(&str, String)>| -> Vec<Question> {
        asked
            .iter()
            .map(|a| Question {
                id: a.id.clone(),
                name: a.name.clone(),
                kind: a.kind.as_str(),
                optional: a.optional,
                values: a.values.clone(),
                value: answers
                    .get(&a.id)
                    .map(|v| v.chars().take(crate::domain::custom::MAX_VALUE).collect())
                    .unwrap_or_default(),
                error: error
                    .as_ref()
                    .filter(|(id, _)| *id == a.id)
                    .map(|(_, text)| text.clone()),
            })
            .collect()
    };
    let mut view = SubscribeView {
        questions: questions(None),
        form: SubscribeForm {
            email: params::typed(&ctx.params, "email", EMAIL_MAX),
            gecos: params::typed(&ctx.params, "gecos", NAME_MAX),
        },
        path: path_word(ctx.decision),
        sent: None,
    };
    if !is_post(ctx) {
        if ctx.roles.subscriber {
            ctx.notice(
                Level::Info,
                messages::web(&WebText::MemberAlready, &ctx.language),
            );
        }
        ctx.ensure_csrf_token()?;
        return Ok(Outcome::page(view));
    }
    let email = ctx.param("email").map(str::to_string);
    let name = ctx.text("gecos").to_string();
    let subscribed = ctx.run(|env, who| {
        membership::subscribe_asking(env, who, list, email.as_deref(), &name, Some(&answers))
    });
    match subscribed {
        Ok(Done::Subscribed) => {
            ctx.flash(
                Level::Success,
                messages::web(
                    &WebText::NowMember {
                        list: &list.address(),
                    },
                    &ctx.language,
                ),
            )?;
            Ok(Outcome::redirect(&ctx.url("info", &[list.name.as_str()])))
        }
        Ok(done) => {
            view.sent = Some(sent_word(done));
            Ok(Outcome::page(view))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            if let Refusal::CustomValue { id, problem } = &refusal {
                view.questions = questions(Some((
                    id,
                    messages::custom_problem(*problem, &ctx.language),
                )));
                ctx.ensure_csrf_token()?;
                return Ok(Outcome::page_with_status(422, view));
            }
            refused_form(ctx, &refusal, view)
        }
    }
}

fn sent_word(done: Done) -> &'static str {
    match done {
        Done::HeldForOwner => "owner",
        _ => "confirm",
    }
}

/// What the signoff form keeps of what was typed.
#[derive(Serialize)]
struct SignoffForm {
    email: Typed,
}

/// `signoff.html`.
#[derive(Serialize)]
struct SignoffView {
    form: SignoffForm,
    path: &'static str,
    /// Once asked: whom the confirmation went to.
    #[serde(skip_serializing_if = "Option::is_none")]
    sent: Option<&'static str>,
}

/// `signoff/LIST[?email=]` (old name `sigrequest`): GET shows the button (or, anonymous,
/// the address field); POST asks to leave as the unsubscribe policy says. Anonymous
/// requests are confirmed by mail, with the same answer whether the address is a member.
pub fn signoff(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let mut view = SignoffView {
        form: SignoffForm {
            email: params::typed(&ctx.params, "email", EMAIL_MAX),
        },
        path: path_word(ctx.decision),
        sent: None,
    };
    if !is_post(ctx) {
        ctx.ensure_csrf_token()?;
        return Ok(Outcome::page(view));
    }
    let email = ctx.param("email").map(str::to_string);
    match ctx.run(|env, who| membership::signoff(env, who, list, email.as_deref())) {
        Ok(Done::Unsubscribed) => {
            ctx.flash(
                Level::Success,
                messages::web(
                    &WebText::NoLongerMember {
                        list: &list.address(),
                    },
                    &ctx.language,
                ),
            )?;
            Ok(Outcome::redirect(&ctx.url("info", &[list.name.as_str()])))
        }
        Ok(done) => {
            view.sent = Some(sent_word(done));
            Ok(Outcome::page(view))
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            refused_form(ctx, &refusal, view)
        }
    }
}

/// `oneclick.html`, `auth.html`, `ticket.html` for a link that does not work.
#[derive(Serialize)]
pub(super) struct DeadLinkView {
    invalid: bool,
    message: String,
}

/// A link that does not work (any more): the page with the reason, nothing changed.
pub(super) fn dead_link(status: u16, refusal: &Refusal, lang: &crate::i18n::Language) -> Outcome {
    Outcome::page_with_status(
        status,
        DeadLinkView {
            invalid: true,
            message: messages::refusal(refusal, lang),
        },
    )
}

/// A dead confirmation link: 410, or the refusal's own status.
fn dead(refusal: &Refusal, lang: &crate::i18n::Language) -> Outcome {
    let status = match refusal {
        Refusal::InvalidLink => 410,
        other => refusal_status(other),
    };
    dead_link(status, refusal, lang)
}

/// `oneclick.html` before the button is pressed.
#[derive(Serialize)]
struct OneclickAskView {
    list_address: String,
    list_name: ListName,
    id: String,
    email: Email,
}

/// `oneclick.html` once done.
#[derive(Serialize)]
struct OneclickDoneView {
    done: bool,
    was_member: bool,
    list_address: String,
    list_name: ListName,
    email: String,
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
                ctx.ensure_csrf_token()?;
                Ok(Outcome::page(OneclickAskView {
                    list_address: list.address(),
                    list_name: list.name,
                    id,
                    email,
                }))
            }
            Err(e) => Ok(dead(&ctx.refusal(e)?, &ctx.language)),
        };
    }
    match ctx.run(|env, who| membership::oneclick(env, who, &list_name, &id, &email)) {
        Ok((removed, list)) => Ok(Outcome::page(OneclickDoneView {
            done: true,
            was_member: removed,
            list_address: list.address(),
            list_name: list.name,
            email,
        })),
        Err(e) => Ok(dead(&ctx.refusal(e)?, &ctx.language)),
    }
}

/// `auth.html` before the button is pressed.
#[derive(Serialize)]
struct AuthAskView {
    key: String,
    word: &'static str,
    email: Email,
    name: Option<String>,
    list_name: ListName,
    list_address: String,
}

/// `auth.html` once done.
#[derive(Serialize)]
struct AuthDoneView {
    done: &'static str,
    word: &'static str,
    email: Email,
    list_name: ListName,
    list_address: String,
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
            Ok(HeldRequest {
                pending,
                list,
                word,
            }) => {
                ctx.ensure_csrf_token()?;
                Ok(Outcome::page(AuthAskView {
                    key,
                    word,
                    name: pending
                        .data
                        .get("name")
                        .and_then(|n| n.as_str())
                        .map(str::to_string),
                    email: pending.email,
                    list_address: list.address(),
                    list_name: list.name,
                }))
            }
            Err(e) => Ok(dead(&ctx.refusal(e)?, &ctx.language)),
        };
    }
    match ctx.run(|env, who| membership::confirm(env, who, &key, &word, email.as_deref())) {
        Ok((done, held)) => Ok(Outcome::page(AuthDoneView {
            done: match done {
                Done::Subscribed => "subscribed",
                Done::Unsubscribed => "unsubscribed",
                _ => "owner",
            },
            word: held.word,
            email: held.pending.email,
            list_address: held.list.address(),
            list_name: held.list.name,
        })),
        Err(e) => Ok(dead(&ctx.refusal(e)?, &ctx.language)),
    }
}

/// A reception mode offered by the options form (the template words each).
#[derive(Serialize)]
struct ReceptionChoice {
    value: &'static str,
}

/// The reception modes the options form offers.
fn receptions() -> Vec<ReceptionChoice> {
    ReceptionMode::ALL
        .iter()
        .map(|m| ReceptionChoice { value: m.as_str() })
        .collect()
}

/// The values of the options form.
#[derive(Serialize)]
struct OptionsForm {
    email: String,
    gecos: String,
    reception: String,
    visibility: &'static str,
}

/// `suboptions.html` and `set.html`.
#[derive(Serialize)]
struct OptionsView {
    receptions: Vec<ReceptionChoice>,
    form: OptionsForm,
    own: bool,
    /// The date of subscription; left out when a refused form is shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    subscribed: Option<String>,
}

fn options_view(member: Member, own: bool) -> OptionsView {
    OptionsView {
        receptions: receptions(),
        form: OptionsForm {
            reception: member.reception.as_str().to_string(),
            visibility: member.visibility.as_str(),
            email: member.email.as_str().to_string(),
            gecos: member.name,
        },
        own,
        subscribed: Some(super::date(member.subscribed_at)),
    }
}

/// `suboptions/LIST`: the member's own options, in a form that posts to `set`.
pub fn suboptions(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
    let member = ctx
        .run(|env, who| membership::membership(env, who, list, None))
        .map_err(Error::from)?;
    ctx.ensure_csrf_token()?;
    Ok(Outcome::page(options_view(member, true)))
}

/// `set/LIST[/EMAIL[/RECEPTION[/GECOS]]]`: GET shows the options form filled with the
/// values of the link; POST saves them. A member changes their own; owners change anyone's.
pub fn set(ctx: &mut Ctx<'_>, list: &List) -> Result<Outcome, Error> {
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
            .run(|env, who| membership::membership(env, who, list, email.as_deref()))
            .map_err(Error::from)?;
        let mut view = options_view(member, own);
        if let Some(mode) = params::reception(&ctx.params) {
            view.form.reception = mode.as_str().to_string();
        }
        if let Some(name) = &name {
            view.form.gecos = Typed::new(name, NAME_MAX).as_str().to_string();
        }
        ctx.ensure_csrf_token()?;
        return Ok(Outcome::page(view));
    }
    let change = OptionsChange {
        email: email.as_deref(),
        reception: reception.as_deref(),
        visibility: visibility.as_deref(),
        name: name.as_deref(),
        custom: &[],
    };
    match ctx.run(|env, who| membership::set_options(env, who, list, &change)) {
        Ok(member) => {
            if own {
                ctx.flash(
                    Level::Success,
                    messages::web(&WebText::OptionsSaved, &ctx.language),
                )?;
                Ok(Outcome::redirect(
                    &ctx.url("suboptions", &[list.name.as_str()]),
                ))
            } else {
                ctx.flash(
                    Level::Success,
                    messages::web(
                        &WebText::OptionsOfSaved {
                            email: member.email.as_str(),
                        },
                        &ctx.language,
                    ),
                )?;
                Ok(Outcome::redirect(&ctx.url("review", &[list.name.as_str()])))
            }
        }
        Err(e) => {
            let refusal = ctx.refusal(e)?;
            if matches!(refusal, Refusal::Denied(_) | Refusal::NotAMember) {
                return Err(refusal.into());
            }
            let kept =
                |text: Option<&str>, max| Typed::new(text.unwrap_or(""), max).as_str().to_string();
            let view = OptionsView {
                receptions: receptions(),
                form: OptionsForm {
                    email: kept(email.as_deref(), EMAIL_MAX),
                    gecos: kept(name.as_deref(), NAME_MAX),
                    reception: kept(reception.as_deref(), RECEPTION_MAX),
                    visibility: if visibility.as_deref() == Some(MemberVisibility::Conceal.as_str())
                    {
                        "conceal"
                    } else {
                        "noconceal"
                    },
                },
                own,
                subscribed: None,
            };
            refused_form(ctx, &refusal, view)
        }
    }
}
