//! The texts owners and listmasters write on the web (Sympa's `editfile`/`savefile`): read them, save them, preview them; and read them where they are used.
//!
//! A text is kept as typed (line ends normalized) and is never evaluated as a template:
//! mail templates get it as a value, pages escape it (plain texts) or sanitize it with the
//! archive's HTML policy (`homepage`). Saving an empty text forgets it, and the default is
//! used again. Every save writes the audit row `savefile` with the text's name and size.

use serde_json::json;

use super::{Env, Error, Field, Refusal, Requester};
use crate::domain::texts::{self, TextProblem, MAX_TEXT_BYTES};
use crate::domain::{ActionKind, Email, List, Reason, TextFormat, TextKind, TextScope, TextUse};
use crate::mail::{Composer, ListContext};
use crate::store::{Db, TextRecord};

/// One text as the editing page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextState {
    /// What it is.
    pub kind: &'static TextKind,
    /// The saved text, if one was saved.
    pub saved: Option<TextRecord>,
}

/// What a preview shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preview {
    /// A page's text: plain (to be escaped, line breaks kept) or HTML already sanitized.
    Page {
        /// The text or the sanitized HTML.
        text: String,
        /// Whether `text` is sanitized HTML.
        html: bool,
    },
    /// A mail to one member, as they would get it: `Subject:` line, blank line, body.
    Mail(String),
    /// The header or footer of posts, around a sample body.
    Post {
        /// What goes before the message.
        header: String,
        /// What goes after it.
        footer: String,
    },
}

/// The saved text `name` of `list`, for the place that uses it (mail, pages, posts); no
/// authorization: what it reads is what the list shows or sends anyway.
pub(crate) fn stored(db: &Db<'_>, list: &List, name: &str) -> Result<Option<String>, Error> {
    Ok(db
        .text(&list.domain, Some(list.id), name)?
        .map(|record| record.body)
        .filter(|body| !body.is_empty()))
}

/// What a list's page shows of its texts: the `info` description (plain) and the
/// `homepage` (sanitized HTML), each when saved. Whoever may see the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageTexts {
    /// The saved `info`, shown in place of the list's description.
    pub info: Option<String>,
    /// The saved `homepage`, sanitized: shown in place of the description when set.
    pub homepage: Option<String>,
}

/// The texts of `list`'s page (`info`).
pub fn page_texts(env: &Env<'_>, requester: &Requester, list: &List) -> Result<PageTexts, Error> {
    env.authorize(requester, list, ActionKind::SeeList)?;
    let db = env.db();
    Ok(PageTexts {
        info: stored(&db, list, "info")?,
        homepage: stored(&db, list, "homepage")?
            .map(|html| crate::archive::sanitize::sanitize(&html)),
    })
}

/// The site's text `name` (`homepage` sanitized, `helpfile` plain), for the home and help
/// pages; anyone.
pub fn site_text(env: &Env<'_>, name: &str) -> Result<Option<String>, Error> {
    let Some(kind) = TextKind::find(TextScope::Site, name) else {
        return Ok(None);
    };
    let body = env
        .db()
        .text(&env.config.domain, None, kind.name)?
        .map(|record| record.body)
        .filter(|body| !body.is_empty());
    Ok(body.map(|body| match kind.format {
        TextFormat::Html => crate::archive::sanitize::sanitize(&body),
        TextFormat::Plain => body,
    }))
}

/// Who edits: the list's owners and listmasters (`list` given), or the site's listmasters.
fn authorize(env: &Env<'_>, requester: &Requester, list: Option<&List>) -> Result<(), Error> {
    match list {
        Some(list) => env
            .authorize(requester, list, ActionKind::EditTexts)
            .map(drop),
        None if requester.listmaster => Ok(()),
        None if requester.email.is_none() => Err(Refusal::Denied(Reason::LoginRequired).into()),
        None => Err(Refusal::Denied(Reason::NotPermitted).into()),
    }
}

fn scope(list: Option<&List>) -> TextScope {
    match list {
        Some(_) => TextScope::List,
        None => TextScope::Site,
    }
}

/// The text of `scope` called `name`: an unknown name is refused as a value not offered
/// (never looked up as a file).
pub fn kind(scope: TextScope, name: &str) -> Result<&'static TextKind, Refusal> {
    TextKind::find(scope, name).ok_or(Refusal::InvalidValue { field: Field::Text })
}

fn domain<'a>(env: &'a Env<'_>, list: Option<&'a List>) -> &'a str {
    list.map_or(env.config.domain.as_str(), |l| l.domain.as_str())
}

/// `editfile` without a file: every text of `list` (of the site with `None`), saved or not.
pub fn all(
    env: &Env<'_>,
    requester: &Requester,
    list: Option<&List>,
) -> Result<Vec<TextState>, Error> {
    authorize(env, requester, list)?;
    let saved = env.db().texts(domain(env, list), list.map(|l| l.id))?;
    Ok(TextKind::of(scope(list))
        .map(|kind| TextState {
            kind,
            saved: saved.iter().find(|r| r.name == kind.name).cloned(),
        })
        .collect())
}

/// `editfile/LIST/FILE`: one text, saved or not.
pub fn one(
    env: &Env<'_>,
    requester: &Requester,
    list: Option<&List>,
    name: &str,
) -> Result<TextState, Error> {
    authorize(env, requester, list)?;
    let kind = kind(scope(list), name)?;
    let saved = env
        .db()
        .text(domain(env, list), list.map(|l| l.id), kind.name)?;
    Ok(TextState { kind, saved })
}

/// Checks a typed text: the refusal says what is wrong with it.
fn checked(typed: &str) -> Result<String, Refusal> {
    texts::normalize(typed).map_err(|problem| match problem {
        TextProblem::TooBig => Refusal::TooBig {
            field: Field::Text,
            max_bytes: MAX_TEXT_BYTES,
        },
        TextProblem::ControlCharacter => Refusal::InvalidValue { field: Field::Text },
    })
}

/// `savefile`: saves text `name` of `list` (of the site with `None`) as typed; an empty text
/// is forgotten (the default comes back). One transaction with the audit row `savefile`.
pub fn save(
    env: &mut Env<'_>,
    requester: &Requester,
    list: Option<&List>,
    name: &str,
    typed: &str,
) -> Result<(), Error> {
    authorize(env, requester, list)?;
    let kind = kind(scope(list), name)?;
    let body = checked(typed)?;
    let domain = domain(env, list).to_string();
    env.transaction(requester, |tx| {
        let body = (!body.is_empty()).then_some(body.as_str());
        tx.db.set_text(
            &domain,
            list.map(|l| l.id),
            kind.name,
            body,
            tx.requester.email.as_ref(),
        )?;
        tx.audit(
            "savefile",
            list,
            None,
            json!({
                "file": kind.name,
                "bytes": body.map_or(0, str::len),
                "reset": body.is_none(),
            }),
        )
    })
}

/// `savefile` with `preview`: what the text would look like, nothing saved. A mail text is
/// shown in the mail a member would get (addressed to the requester, or to a sample
/// address at the shell), a page's text as the page shows it, a header or footer around a
/// sample post.
pub fn preview(
    env: &Env<'_>,
    requester: &Requester,
    list: Option<&List>,
    name: &str,
    typed: &str,
) -> Result<Preview, Error> {
    authorize(env, requester, list)?;
    let kind = kind(scope(list), name)?;
    let body = checked(typed)?;
    let text = (!body.is_empty()).then_some(body.as_str());
    match (kind.used, kind.mail, list) {
        (TextUse::Mail, Some(template), Some(list)) => {
            let to = requester
                .email
                .clone()
                .unwrap_or_else(|| Email::parse("member@example.org").expect("a valid address"));
            // The preview is in the requester's language, as the mail would be to them.
            let db = env.db();
            let composer = Composer {
                config: env.config,
                templates: env.templates,
                db: Some(&db),
            };
            // The link in a preview is a sample: it is made for the requester's address.
            let oneclick = env.oneclick_url(list, &to)?;
            let context = ListContext {
                list,
                oneclick_url: Some(oneclick.clone()),
            };
            let vars = match template {
                "goodbye" => json!({ "removed": kind.name == "removed.tt2", "list_text": text }),
                _ => json!({ "oneclick_url": oneclick, "list_text": text }),
            };
            Ok(Preview::Mail(composer.render_text(
                template,
                &to,
                Some(&context),
                vars,
            )?))
        }
        (TextUse::Post, _, _) => Ok(if kind.name == "message_header" {
            Preview::Post {
                header: body,
                footer: String::new(),
            }
        } else {
            Preview::Post {
                header: String::new(),
                footer: body,
            }
        }),
        _ => Ok(match kind.format {
            TextFormat::Html => Preview::Page {
                text: crate::archive::sanitize::sanitize(&body),
                html: true,
            },
            TextFormat::Plain => Preview::Page {
                text: body,
                html: false,
            },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::AdminRole;
    use crate::operations::test_support::{email, listmaster, run, said, user};
    use crate::operations::Channel;

    use crate::store::test_support::{list as new_list, on_both};
    use crate::store::{NewMember, Store};

    /// The list `team` of `a.org`: own@ its owner, mod@ a moderator, sub@ a subscriber.
    fn team(store: &mut Store) -> List {
        let id = new_list(store, "team");
        let db = store.db();
        db.add_admin(id, &email("own@a.org"), AdminRole::Owner, true)
            .unwrap();
        db.add_admin(id, &email("mod@a.org"), AdminRole::Editor, false)
            .unwrap();
        db.add_member(id, &NewMember::new(email("sub@a.org")))
            .unwrap();
        db.list_by_id(id).unwrap().unwrap()
    }

    fn savefiles(store: &Store) -> usize {
        store
            .db()
            .recent_audit(100)
            .unwrap()
            .iter()
            .filter(|(_, action, _)| action == "savefile")
            .count()
    }

    #[test]
    fn a_lists_texts_are_its_owners_and_the_sites_its_listmasters() {
        let seen = on_both(|store| {
            let list = team(store);
            let mut seen: Vec<String> = run(store, |env| {
                [
                    Requester::anonymous(Channel::Soap, None),
                    user("x@a.org"),
                    user("sub@a.org"),
                    user("mod@a.org"),
                    user("own@a.org"),
                    listmaster(),
                ]
                .iter()
                .map(|who| {
                    format!(
                        "{} {} {} {}",
                        said(all(env, who, Some(&list))),
                        said(one(env, who, None, "helpfile")),
                        said(save(env, who, None, "helpfile", "typed")),
                        said(preview(env, who, Some(&list), "info", "typed")),
                    )
                })
                .collect()
            });
            seen.push(format!("saved {}", savefiles(store)));
            seen
        });
        assert_eq!(
            seen,
            [
                "login_required login_required login_required login_required",
                "not_allowed not_allowed not_allowed not_allowed",
                "not_allowed not_allowed not_allowed not_allowed",
                "not_allowed not_allowed not_allowed not_allowed",
                "ok not_allowed not_allowed ok",
                "ok ok ok ok",
                "saved 1",
            ]
        );
    }

    #[test]
    fn saved_texts_are_read_where_they_are_used_and_an_empty_one_is_forgotten() {
        let seen = on_both(|store| {
            let list = team(store);
            let own = user("own@a.org");
            let lm = listmaster();
            let anyone = Requester::anonymous(Channel::Web, None);
            run(store, |env| {
                save(env, &own, Some(&list), "info", "About us\r\n").unwrap();
                save(
                    env,
                    &own,
                    Some(&list),
                    "homepage",
                    "<p>Hi</p><script>alert(1)</script>",
                )
                .unwrap();
                save(env, &lm, None, "helpfile", "Ask lm@a.org").unwrap();
                save(env, &lm, None, "homepage", "<b>All</b><script>x()</script>").unwrap();
                let mut seen = vec![
                    format!("{:?}", page_texts(env, &anyone, &list).unwrap()),
                    format!("{:?}", site_text(env, "helpfile").unwrap()),
                    format!("{:?}", site_text(env, "homepage").unwrap()),
                    format!("{:?}", site_text(env, "welcome.tt2").unwrap()),
                ];
                // The editing page: every text of the scope, the saved ones with their text.
                let texts = |list: Option<&List>| -> Vec<String> {
                    all(env, &lm, list)
                        .unwrap()
                        .iter()
                        .map(|state| {
                            let saved = state.saved.as_ref().map(|r| r.body.as_str());
                            format!("{}={}", state.kind.name, saved.unwrap_or("-"))
                        })
                        .collect()
                };
                seen.push(texts(Some(&list)).join(" "));
                seen.push(texts(None).join(" "));
                let state = one(env, &own, Some(&list), "homepage").unwrap();
                seen.push(format!(
                    "{} {:?} {}",
                    state.kind.name,
                    state.kind.scope,
                    state.saved.unwrap().body
                ));
                seen.push(said(one(env, &own, Some(&list), "../config")));
                seen.push(said(one(env, &lm, None, "info")));
                seen.push(said(one(env, &lm, None, "homepage")));
                // Refused texts change nothing; an empty one brings the default back.
                seen.push(said(save(env, &own, Some(&list), "info", "nul\0")));
                seen.push(said(save(
                    env,
                    &own,
                    Some(&list),
                    "info",
                    &"x".repeat(MAX_TEXT_BYTES + 1),
                )));
                seen.push(format!(
                    "{:?}",
                    page_texts(env, &anyone, &list).unwrap().info
                ));
                save(env, &own, Some(&list), "info", "  \n").unwrap();
                save(env, &lm, None, "helpfile", "").unwrap();
                seen.push(format!(
                    "{:?} {:?} {:?}",
                    page_texts(env, &anyone, &list).unwrap().info,
                    stored(&env.db(), &list, "info").unwrap(),
                    site_text(env, "helpfile").unwrap()
                ));
                seen
            })
        });
        assert_eq!(
            seen,
            [
                r#"PageTexts { info: Some("About us"), homepage: Some("<p>Hi</p>") }"#,
                r#"Some("Ask lm@a.org")"#,
                r#"Some("<b>All</b>")"#,
                "None",
                "info=About us homepage=<p>Hi</p><script>alert(1)</script> welcome.tt2=- \
                 bye.tt2=- removed.tt2=- remind.tt2=- message_header=- message_footer=-",
                "homepage=<b>All</b><script>x()</script> helpfile=Ask lm@a.org",
                "homepage List <p>Hi</p><script>alert(1)</script>",
                "invalid_value",
                "invalid_value",
                "ok",
                "invalid_value",
                "too_big",
                r#"Some("About us")"#,
                "None None None",
            ]
        );
    }

    #[test]
    fn a_preview_shows_each_text_where_it_goes_and_saves_nothing() {
        let seen = on_both(|store| {
            let list = team(store);
            let own = user("own@a.org");
            let seen = run(store, |env| {
                let show =
                    |name: &str, typed: &str| match preview(env, &own, Some(&list), name, typed)
                        .unwrap()
                    {
                        Preview::Mail(mail) => {
                            let subject = mail.lines().next().unwrap_or("").to_string();
                            format!(
                                "mail {subject} | typed shown: {}",
                                mail.contains("Typed here")
                            )
                        }
                        other => format!("{other:?}"),
                    };
                vec![
                    show("welcome.tt2", "Typed here"),
                    show("welcome.tt2", ""),
                    show("remind.tt2", "Typed here"),
                    show("bye.tt2", "Typed here"),
                    show("removed.tt2", "Typed here"),
                    show("message_header", "Typed here"),
                    show("message_footer", "Typed here"),
                    show("homepage", "<i>Typed</i><script>x</script>"),
                    show("info", "<i>Typed</i>"),
                ]
            });
            (
                seen,
                savefiles(store),
                store.db().texts("a.org", Some(list.id)).unwrap().len(),
            )
        });
        let (seen, audited, saved) = seen;
        assert_eq!(
            seen,
            [
                "mail Subject: Welcome to the list team@a.org | typed shown: true",
                "mail Subject: Welcome to the list team@a.org | typed shown: false",
                "mail Subject: Reminder: you are subscribed to team@a.org | typed shown: true",
                "mail Subject: You left the list team@a.org | typed shown: true",
                "mail Subject: You were removed from team@a.org | typed shown: true",
                r#"Post { header: "Typed here", footer: "" }"#,
                r#"Post { header: "", footer: "Typed here" }"#,
                r#"Page { text: "<i>Typed</i>", html: true }"#,
                r#"Page { text: "<i>Typed</i>", html: false }"#,
            ]
        );
        assert_eq!((audited, saved), (0, 0));
    }
}
