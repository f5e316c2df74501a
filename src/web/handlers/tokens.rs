//! `api_tokens`: the user's bearer tokens for the JSON API: the list, a form that makes one (shown once), a revoke button per token.

use serde::Serialize;

use crate::http::Method;
use crate::messages::{self, WebText};
use crate::operations::tokens;
use crate::web::ctx::{Ctx, Level};
use crate::web::outcome::Outcome;
use crate::web::Error;

use super::{date, refused_form};

/// One token on the page (never its secret).
#[derive(Serialize)]
struct TokenRow {
    id: i64,
    name: String,
    scope: String,
    created: String,
    last_used: Option<String>,
    expires: Option<String>,
    expired: bool,
}

/// What the creation form holds.
#[derive(Serialize, Default)]
struct TokenForm {
    name: String,
    scope: String,
    expires_days: String,
}

/// `api_tokens.html`.
#[derive(Serialize)]
struct TokensView {
    tokens: Vec<TokenRow>,
    form: TokenForm,
    /// The token just made: shown on this page only, never again.
    new_token: Option<String>,
    /// The API's address, for the example.
    api_url: String,
    max_days: u32,
}

fn view(
    ctx: &mut Ctx<'_>,
    form: TokenForm,
    new_token: Option<String>,
) -> Result<TokensView, Error> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let tokens = ctx
        .run(|env, who| tokens::mine(env, who))
        .map_err(Error::from)?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            scope: t.scope,
            created: date(t.created_at),
            last_used: t.last_used_at.map(date),
            expires: t.expires_at.map(date),
            expired: t.expires_at.is_some_and(|at| at <= now),
        })
        .collect();
    Ok(TokensView {
        tokens,
        form,
        new_token,
        api_url: format!("{}/api/v1", ctx.config.wwsympa_url.trim_end_matches('/')),
        max_days: tokens::MAX_DAYS,
    })
}

/// `api_tokens`: GET lists the user's tokens; POST `do=create` makes one and shows it once,
/// `do=revoke` with `id` revokes one.
pub fn api_tokens(ctx: &mut Ctx<'_>) -> Result<Outcome, Error> {
    if ctx.request.method != Method::Post {
        ctx.ensure_csrf_token()?;
        let form = TokenForm {
            scope: "read".into(),
            ..TokenForm::default()
        };
        return Ok(Outcome::page(view(ctx, form, None)?));
    }
    match ctx.text("do") {
        "revoke" => {
            let id = ctx.text("id").parse::<i64>().unwrap_or(-1);
            match ctx.run(|env, who| tokens::revoke(env, who, id)) {
                Ok(()) => {
                    ctx.flash(
                        Level::Success,
                        messages::web(&WebText::TokenRevoked, &ctx.language),
                    )?;
                    Ok(Outcome::redirect(&ctx.url("api_tokens", &[])))
                }
                Err(e) => {
                    let refusal = ctx.refusal(e)?;
                    let view = view(ctx, TokenForm::default(), None)?;
                    refused_form(ctx, &refusal, view)
                }
            }
        }
        _ => {
            let form = TokenForm {
                name: ctx.text("name").chars().take(tokens::MAX_NAME).collect(),
                scope: ctx.text("scope").to_string(),
                expires_days: ctx.text("expires_days").chars().take(10).collect(),
            };
            let days = match form.expires_days.trim() {
                "" => Ok(None),
                text => text.parse::<u32>().map(Some),
            };
            let result = match days {
                Ok(days) => {
                    let (name, scope) = (form.name.clone(), form.scope.clone());
                    ctx.run(|env, who| tokens::create(env, who, &name, &scope, days))
                }
                Err(_) => Err(crate::operations::Refusal::InvalidValue {
                    field: crate::operations::Field::Expiry,
                }
                .into()),
            };
            match result {
                Ok(made) => {
                    ctx.ensure_csrf_token()?;
                    ctx.notice(
                        Level::Success,
                        messages::web(&WebText::TokenMade, &ctx.language),
                    );
                    let form = TokenForm {
                        scope: "read".into(),
                        ..TokenForm::default()
                    };
                    Ok(Outcome::page(view(ctx, form, Some(made.secret))?))
                }
                Err(e) => {
                    let refusal = ctx.refusal(e)?;
                    let view = view(ctx, form, None)?;
                    refused_form(ctx, &refusal, view)
                }
            }
        }
    }
}
