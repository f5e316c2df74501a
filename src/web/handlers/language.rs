//! `set_lang`: the language menu's target, Sympa's `/set_lang/LANG`.

use serde::Serialize;

use crate::domain::ListName;
use crate::http::Method;
use crate::operations::account;
use crate::web::actions;
use crate::web::ctx::{Ctx, Level};
use crate::web::handlers::account::return_url;
use crate::web::language::{LANG_COOKIE, LANG_COOKIE_AGE};
use crate::web::outcome::Outcome;
use crate::web::state::LanguageChoice;
use crate::web::Error;

/// `set_lang.html`: the languages, as buttons, and where to come back to.
#[derive(Serialize)]
struct SetLangView {
    languages: Vec<LanguageChoice>,
    chosen: Option<String>,
    previous_action: Option<String>,
    previous_list: Option<ListName>,
}

/// `set_lang[/lang]`: chooses the language of the pages (and, for a user, of their mail).
///
/// A POST (from the menu of a user's page, or this page's buttons) saves the choice in the
/// account when logged in, and in the `sympa_lang` cookie in any case, then comes back to
/// `previous_action[/previous_list]`. A GET naming a language does the same for a visitor
/// who is not logged in: it only sets their cookie (the menu of cached pages, which carry no
/// CSRF token, links here), and nothing is stored on the server. For a user, a GET shows the
/// buttons (the account changes only by a POST with their token); so does a GET naming none.
pub fn set_lang(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    let catalogues = ctx.templates.catalogues();
    let wanted = ctx.param("lang");
    let chosen = wanted.and_then(|tag| catalogues.lookup(tag)).cloned();
    let post = ctx.request.method == Method::Post;
    let logged_in = ctx.user.is_some();
    if let Some(language) = chosen.as_ref().filter(|_| post || !logged_in) {
        if post && logged_in {
            let tag = language.tag().to_string();
            if let Err(e) = ctx.run(|env, who| account::set_language(env, who, &tag)) {
                let refusal = ctx.refusal(e)?;
                let text = crate::messages::refusal(&refusal, &ctx.language);
                ctx.notice(Level::Error, text);
                return show(ctx, None);
            }
        }
        ctx.set_cookie(
            LANG_COOKIE,
            language.tag().to_string(),
            Some(LANG_COOKIE_AGE),
        );
        ctx.language = std::sync::Arc::clone(language);
        return Ok(Outcome::redirect(&return_url(ctx)));
    }
    if wanted.is_some() && chosen.is_none() {
        let text = crate::messages::refusal(
            &crate::operations::Refusal::InvalidValue {
                field: crate::operations::Field::Language,
            },
            &ctx.language,
        );
        ctx.notice(Level::Error, text);
    }
    let shown = chosen.map(|language| language.tag().to_string());
    show(ctx, shown)
}

/// The page of buttons.
fn show(ctx: &mut Ctx<'_>, chosen: Option<String>) -> Result<Outcome, Error> {
    ctx.ensure_csrf_token()?;
    let languages = ctx
        .templates
        .catalogues()
        .languages()
        .iter()
        .map(|language| LanguageChoice {
            tag: language.tag().to_string(),
            name: language.name().to_string(),
        })
        .collect();
    Ok(Outcome::page(SetLangView {
        languages,
        chosen: chosen.or_else(|| Some(ctx.language.tag().to_string())),
        previous_action: ctx
            .param("previous_action")
            .filter(|a| actions::find(a).is_some())
            .map(str::to_string),
        previous_list: ctx
            .param("previous_list")
            .and_then(|l| ListName::parse(l).ok()),
    }))
}
