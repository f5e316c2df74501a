//! Tera wiring: built-in templates embedded in the binary, overridable file by file from a directory; the only module that imports tera.

mod fields;
mod filters;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use serde::Serialize;

use crate::i18n::{self, Catalogues, Language};

pub use fields::Fields;

/// Every built-in template, by name (the path under `templates/`).
const EMBEDDED: &[(&str, &str)] = &[
    (
        "web/base.html",
        include_str!("../../templates/web/base.html"),
    ),
    (
        "web/error.html",
        include_str!("../../templates/web/error.html"),
    ),
    (
        "web/home.html",
        include_str!("../../templates/web/home.html"),
    ),
    (
        "web/list_policy.html",
        include_str!("../../templates/web/list_policy.html"),
    ),
    (
        "web/create_list_request.html",
        include_str!("../../templates/web/create_list_request.html"),
    ),
    (
        "web/create_list.html",
        include_str!("../../templates/web/create_list.html"),
    ),
    (
        "web/close_list.html",
        include_str!("../../templates/web/close_list.html"),
    ),
    (
        "web/open_list.html",
        include_str!("../../templates/web/open_list.html"),
    ),
    (
        "web/set_pending_list_request.html",
        include_str!("../../templates/web/set_pending_list_request.html"),
    ),
    (
        "web/copy_list.html",
        include_str!("../../templates/web/copy_list.html"),
    ),
    (
        "web/rename_list_request.html",
        include_str!("../../templates/web/rename_list_request.html"),
    ),
    (
        "web/move_list.html",
        include_str!("../../templates/web/move_list.html"),
    ),
    (
        "web/purge_list.html",
        include_str!("../../templates/web/purge_list.html"),
    ),
    (
        "web/list_report.html",
        include_str!("../../templates/web/list_report.html"),
    ),
    (
        "web/get_pending_lists.html",
        include_str!("../../templates/web/get_pending_lists.html"),
    ),
    (
        "web/get_closed_lists.html",
        include_str!("../../templates/web/get_closed_lists.html"),
    ),
    (
        "web/get_latest_lists.html",
        include_str!("../../templates/web/get_latest_lists.html"),
    ),
    (
        "web/get_inactive_lists.html",
        include_str!("../../templates/web/get_inactive_lists.html"),
    ),
    (
        "web/get_biggest_lists.html",
        include_str!("../../templates/web/get_biggest_lists.html"),
    ),
    (
        "web/serveradmin.html",
        include_str!("../../templates/web/serveradmin.html"),
    ),
    (
        "web/search_user.html",
        include_str!("../../templates/web/search_user.html"),
    ),
    (
        "web/mass_del.html",
        include_str!("../../templates/web/mass_del.html"),
    ),
    (
        "web/search_list.html",
        include_str!("../../templates/web/search_list.html"),
    ),
    (
        "web/help.html",
        include_str!("../../templates/web/help.html"),
    ),
    (
        "web/admin.html",
        include_str!("../../templates/web/admin.html"),
    ),
    (
        "web/auto_signoff.html",
        include_str!("../../templates/web/auto_signoff.html"),
    ),
    (
        "web/custom_attributes_form.html",
        include_str!("../../templates/web/custom_attributes_form.html"),
    ),
    (
        "web/edit.html",
        include_str!("../../templates/web/edit.html"),
    ),
    (
        "web/edit_list.html",
        include_str!("../../templates/web/edit_list.html"),
    ),
    (
        "web/edit_list_request.html",
        include_str!("../../templates/web/edit_list_request.html"),
    ),
    (
        "web/editfile.html",
        include_str!("../../templates/web/editfile.html"),
    ),
    (
        "web/savefile.html",
        include_str!("../../templates/web/savefile.html"),
    ),
    (
        "web/editsubscriber.html",
        include_str!("../../templates/web/editsubscriber.html"),
    ),
    (
        "web/import.html",
        include_str!("../../templates/web/import.html"),
    ),
    (
        "web/remind.html",
        include_str!("../../templates/web/remind.html"),
    ),
    (
        "web/viewlogs.html",
        include_str!("../../templates/web/viewlogs.html"),
    ),
    (
        "web/text_title.html",
        include_str!("../../templates/web/text_title.html"),
    ),
    (
        "web/reception_name.html",
        include_str!("../../templates/web/reception_name.html"),
    ),
    (
        "web/tools_links.html",
        include_str!("../../templates/web/tools_links.html"),
    ),
    ("web/arc.html", include_str!("../../templates/web/arc.html")),
    (
        "web/arc_atom.html",
        include_str!("../../templates/web/arc_atom.html"),
    ),
    (
        "web/arc_manage.html",
        include_str!("../../templates/web/arc_manage.html"),
    ),
    (
        "web/arc_gone.html",
        include_str!("../../templates/web/arc_gone.html"),
    ),
    (
        "web/arc_hide.html",
        include_str!("../../templates/web/arc_hide.html"),
    ),
    (
        "web/arc_message.html",
        include_str!("../../templates/web/arc_message.html"),
    ),
    (
        "web/arc_month.html",
        include_str!("../../templates/web/arc_month.html"),
    ),
    (
        "web/arc_searchbox.html",
        include_str!("../../templates/web/arc_searchbox.html"),
    ),
    (
        "web/arc_show.html",
        include_str!("../../templates/web/arc_show.html"),
    ),
    (
        "web/arc_thread.html",
        include_str!("../../templates/web/arc_thread.html"),
    ),
    (
        "web/arcsearch.html",
        include_str!("../../templates/web/arcsearch.html"),
    ),
    (
        "web/arcsearch_form.html",
        include_str!("../../templates/web/arcsearch_form.html"),
    ),
    (
        "web/latest_arc.html",
        include_str!("../../templates/web/latest_arc.html"),
    ),
    (
        "web/list.html",
        include_str!("../../templates/web/list.html"),
    ),
    ("web/msg.html", include_str!("../../templates/web/msg.html")),
    (
        "web/remove_arc.html",
        include_str!("../../templates/web/remove_arc.html"),
    ),
    ("web/rss.html", include_str!("../../templates/web/rss.html")),
    (
        "web/wsdl.html",
        include_str!("../../templates/web/wsdl.html"),
    ),
    (
        "web/search_archives.html",
        include_str!("../../templates/web/search_archives.html"),
    ),
    (
        "web/view_source.html",
        include_str!("../../templates/web/view_source.html"),
    ),
    (
        "web/lists.html",
        include_str!("../../templates/web/lists.html"),
    ),
    (
        "web/language_menu.html",
        include_str!("../../templates/web/language_menu.html"),
    ),
    (
        "web/set_lang.html",
        include_str!("../../templates/web/set_lang.html"),
    ),
    (
        "web/components.html",
        include_str!("../../templates/web/components.html"),
    ),
    (
        "web/login.html",
        include_str!("../../templates/web/login.html"),
    ),
    (
        "web/logout.html",
        include_str!("../../templates/web/logout.html"),
    ),
    (
        "web/passwd_request.html",
        include_str!("../../templates/web/passwd_request.html"),
    ),
    (
        "web/firstpasswd.html",
        include_str!("../../templates/web/firstpasswd.html"),
    ),
    (
        "web/renewpasswd.html",
        include_str!("../../templates/web/renewpasswd.html"),
    ),
    (
        "web/requestpasswd.html",
        include_str!("../../templates/web/requestpasswd.html"),
    ),
    (
        "web/ticket.html",
        include_str!("../../templates/web/ticket.html"),
    ),
    (
        "web/passwd_form.html",
        include_str!("../../templates/web/passwd_form.html"),
    ),
    (
        "web/choosepasswd.html",
        include_str!("../../templates/web/choosepasswd.html"),
    ),
    (
        "web/setpasswd.html",
        include_str!("../../templates/web/setpasswd.html"),
    ),
    (
        "web/pref.html",
        include_str!("../../templates/web/pref.html"),
    ),
    ("web/my.html", include_str!("../../templates/web/my.html")),
    (
        "web/api_tokens.html",
        include_str!("../../templates/web/api_tokens.html"),
    ),
    (
        "web/info.html",
        include_str!("../../templates/web/info.html"),
    ),
    (
        "web/subscribe.html",
        include_str!("../../templates/web/subscribe.html"),
    ),
    (
        "web/signoff.html",
        include_str!("../../templates/web/signoff.html"),
    ),
    (
        "web/oneclick.html",
        include_str!("../../templates/web/oneclick.html"),
    ),
    (
        "web/auth.html",
        include_str!("../../templates/web/auth.html"),
    ),
    (
        "web/suboptions.html",
        include_str!("../../templates/web/suboptions.html"),
    ),
    ("web/set.html", include_str!("../../templates/web/set.html")),
    (
        "web/options_form.html",
        include_str!("../../templates/web/options_form.html"),
    ),
    (
        "web/review.html",
        include_str!("../../templates/web/review.html"),
    ),
    (
        "web/search.html",
        include_str!("../../templates/web/search.html"),
    ),
    (
        "web/members_table.html",
        include_str!("../../templates/web/members_table.html"),
    ),
    ("web/add.html", include_str!("../../templates/web/add.html")),
    ("web/del.html", include_str!("../../templates/web/del.html")),
    (
        "web/subindex.html",
        include_str!("../../templates/web/subindex.html"),
    ),
    (
        "web/auth_add.html",
        include_str!("../../templates/web/auth_add.html"),
    ),
    (
        "web/decl_add.html",
        include_str!("../../templates/web/decl_add.html"),
    ),
    (
        "web/requests_form.html",
        include_str!("../../templates/web/requests_form.html"),
    ),
    (
        "web/sigindex.html",
        include_str!("../../templates/web/sigindex.html"),
    ),
    (
        "web/auth_del.html",
        include_str!("../../templates/web/auth_del.html"),
    ),
    (
        "web/decl_del.html",
        include_str!("../../templates/web/decl_del.html"),
    ),
    (
        "web/export_member.html",
        include_str!("../../templates/web/export_member.html"),
    ),
    (
        "mail/sendpasswd.txt",
        include_str!("../../templates/mail/sendpasswd.txt"),
    ),
    (
        "mail/confirmation.txt",
        include_str!("../../templates/mail/confirmation.txt"),
    ),
    (
        "mail/welcome.txt",
        include_str!("../../templates/mail/welcome.txt"),
    ),
    (
        "mail/remind.txt",
        include_str!("../../templates/mail/remind.txt"),
    ),
    (
        "mail/goodbye.txt",
        include_str!("../../templates/mail/goodbye.txt"),
    ),
    (
        "mail/declined.txt",
        include_str!("../../templates/mail/declined.txt"),
    ),
    (
        "mail/owner_notice.txt",
        include_str!("../../templates/mail/owner_notice.txt"),
    ),
    (
        "mail/list_requested.txt",
        include_str!("../../templates/mail/list_requested.txt"),
    ),
    (
        "mail/list_installed.txt",
        include_str!("../../templates/mail/list_installed.txt"),
    ),
    (
        "mail/list_rejected.txt",
        include_str!("../../templates/mail/list_rejected.txt"),
    ),
    (
        "mail/bounce_warning.txt",
        include_str!("../../templates/mail/bounce_warning.txt"),
    ),
    (
        "mail/bounce_removed.txt",
        include_str!("../../templates/mail/bounce_removed.txt"),
    ),
    (
        "mail/bounce_removed_owner.txt",
        include_str!("../../templates/mail/bounce_removed_owner.txt"),
    ),
    (
        "mail/complaint_removed.txt",
        include_str!("../../templates/mail/complaint_removed.txt"),
    ),
    (
        "mail/digest.txt",
        include_str!("../../templates/mail/digest.txt"),
    ),
    (
        "mail/digestplain.txt",
        include_str!("../../templates/mail/digestplain.txt"),
    ),
    (
        "mail/summary.txt",
        include_str!("../../templates/mail/summary.txt"),
    ),
    (
        "web/reviewbouncing.html",
        include_str!("../../templates/web/reviewbouncing.html"),
    ),
    (
        "web/resetbounce.html",
        include_str!("../../templates/web/resetbounce.html"),
    ),
    (
        "web/viewbounce.html",
        include_str!("../../templates/web/viewbounce.html"),
    ),
    (
        "mail/reject_post.txt",
        include_str!("../../templates/mail/reject_post.txt"),
    ),
    (
        "mail/command_report.txt",
        include_str!("../../templates/mail/command_report.txt"),
    ),
    (
        "mail/moderate.txt",
        include_str!("../../templates/mail/moderate.txt"),
    ),
    (
        "mail/mod_digest.txt",
        include_str!("../../templates/mail/mod_digest.txt"),
    ),
    (
        "mail/mod_reminder.txt",
        include_str!("../../templates/mail/mod_reminder.txt"),
    ),
    (
        "mail/mod_held.txt",
        include_str!("../../templates/mail/mod_held.txt"),
    ),
    (
        "mail/reject.txt",
        include_str!("../../templates/mail/reject.txt"),
    ),
    (
        "web/held_message.html",
        include_str!("../../templates/web/held_message.html"),
    ),
    (
        "web/held_facts.html",
        include_str!("../../templates/web/held_facts.html"),
    ),
    (
        "web/decision_buttons.html",
        include_str!("../../templates/web/decision_buttons.html"),
    ),
    (
        "web/modkey.html",
        include_str!("../../templates/web/modkey.html"),
    ),
    (
        "web/modindex.html",
        include_str!("../../templates/web/modindex.html"),
    ),
    (
        "web/viewmod.html",
        include_str!("../../templates/web/viewmod.html"),
    ),
    (
        "web/distribute.html",
        include_str!("../../templates/web/distribute.html"),
    ),
    (
        "web/reject.html",
        include_str!("../../templates/web/reject.html"),
    ),
    (
        "web/withdraw.html",
        include_str!("../../templates/web/withdraw.html"),
    ),
];

/// Static files served under `static_content_url` when no web server does it: name, content type, bytes.
pub const ASSETS: &[(&str, &str, &[u8])] = &[(
    "wwsympa.css",
    "text/css; charset=utf-8",
    include_bytes!("../../templates/static/wwsympa.css"),
)];

/// Why templates could not be loaded or rendered.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A template file could not be read.
    #[error("cannot read template {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    /// A template does not parse, or rendering failed.
    #[error("template {name}: {message}")]
    Template { name: String, message: String },
    /// A page's fields do not serialize into the template's context.
    #[error("page fields: {0}")]
    Fields(String),
    /// The catalogues could not be loaded.
    #[error(transparent)]
    Catalogues(#[from] i18n::Error),
}

/// Describes a tera error with its whole chain (tera puts the useful part in the source).
fn chain(error: &tera::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        source = inner.source();
    }
    message
}

/// The templates: sources read at start and on reload, each page parsed on its first use.
///
/// Parsing every template up front cost most of the start-up time and memory of a process,
/// and a process often serves only a few pages before it exits (idle timeout, multiwatch
/// recycling). So each page gets its own small tera instance holding the page and the
/// templates it extends, includes or imports, built the first time the page is rendered.
/// Templates overridden from the configured directory are parsed at load time, so that a
/// broken override is reported at start or refused on reload rather than at the first visit.
pub struct Templates {
    sources: HashMap<String, String>,
    pages: HashMap<String, OnceLock<Result<tera::Tera, String>>>,
    catalogues: Arc<Catalogues>,
}

impl Templates {
    /// Reads the built-in templates, each replaced by `<dir>/<name>` when that file exists,
    /// with the shipped catalogues only.
    pub fn load(dir: Option<&Path>) -> Result<Templates, Error> {
        Templates::load_with(dir, None)
    }

    /// As [`Templates::load`], with the catalogues of `locale_dir` completing and
    /// overriding the shipped ones (see [`Catalogues::load`]).
    pub fn load_with(dir: Option<&Path>, locale_dir: Option<&Path>) -> Result<Templates, Error> {
        let catalogues = Arc::new(Catalogues::load(locale_dir)?);
        let mut sources = HashMap::with_capacity(EMBEDDED.len());
        let mut overridden = Vec::new();
        for (name, builtin) in EMBEDDED {
            let path = dir.map(|dir| dir.join(name)).filter(|path| path.is_file());
            let text = match path {
                Some(path) => {
                    overridden.push(name.to_string());
                    std::fs::read_to_string(&path).map_err(|source| Error::Read {
                        path: path.display().to_string(),
                        source,
                    })?
                }
                None => builtin.to_string(),
            };
            sources.insert(name.to_string(), text);
        }
        let pages = sources
            .keys()
            .map(|name| (name.clone(), OnceLock::new()))
            .collect();
        let templates = Templates {
            sources,
            pages,
            catalogues,
        };
        for name in overridden {
            templates.compiled(&name)?;
        }
        Ok(templates)
    }

    /// The names `name` needs besides itself: every template its source names, transitively,
    /// and the templates defining components when one of those calls a component.
    fn closure(&self, name: &str) -> Vec<String> {
        let mut needed = vec![name.to_string()];
        let mut next = 0;
        let mut calls_component = false;
        while next < needed.len() {
            let source = &self.sources[&needed[next]];
            calls_component |= calls_a_component(source);
            for (index, _) in source.match_indices('"') {
                let rest = &source[index + 1..];
                let Some(end) = rest.find('"') else { break };
                let quoted = &rest[..end];
                if self.sources.contains_key(quoted) && !needed.iter().any(|n| n == quoted) {
                    needed.push(quoted.to_string());
                }
            }
            next += 1;
        }
        if calls_component {
            let mut definers: Vec<&String> = self
                .sources
                .iter()
                .filter(|(n, source)| source.contains("{% component ") && !needed.contains(n))
                .map(|(n, _)| n)
                .collect();
            definers.sort();
            needed.extend(definers.into_iter().cloned());
        }
        needed
    }

    /// The tera instance for page `name`, parsed on first use.
    fn compiled(&self, name: &str) -> Result<&tera::Tera, Error> {
        let fail = |message: String| Error::Template {
            name: name.to_string(),
            message,
        };
        let slot = self
            .pages
            .get(name)
            .ok_or_else(|| fail("no such template".into()))?;
        let built = slot.get_or_init(|| {
            let mut tera = tera::Tera::new();
            tera.autoescape_on([".html"]);
            filters::register(&mut tera);
            let sources = self
                .closure(name)
                .into_iter()
                .map(|needed| {
                    let text = self.sources[&needed].clone();
                    (needed, text)
                })
                .collect::<Vec<_>>();
            tera.add_raw_templates(sources)
                .map(|()| tera)
                .map_err(|e| chain(&e))
        });
        built.as_ref().map_err(|message| fail(message.clone()))
    }

    /// Renders template `name` with `view` (a struct or a map) as its context.
    pub fn render(&self, name: &str, view: &impl Serialize) -> Result<String, Error> {
        let mut fields = Fields::new();
        fields.add(view)?;
        self.render_fields(name, &fields)
    }

    /// Renders template `name` with `fields`, gathered from several parts, in the language
    /// its `lang` field names (a tag of [`Templates::catalogues`]; English without one):
    /// every `t()` and `tn()` of the template and of those it includes, imports or calls
    /// looks sentences up there.
    pub fn render_fields(&self, name: &str, fields: &Fields) -> Result<String, Error> {
        let tera = self.compiled(name)?;
        let language = fields
            .0
            .get("lang")
            .and_then(|lang| lang.as_str())
            .and_then(|tag| self.catalogues.get(tag))
            .unwrap_or_else(|| self.catalogues.english());
        i18n::rendering_in(language, || tera.render(name, &fields.0)).map_err(|e| Error::Template {
            name: name.to_string(),
            message: chain(&e),
        })
    }

    /// The languages the templates are rendered in.
    pub fn catalogues(&self) -> &Catalogues {
        &self.catalogues
    }

    /// The language `tag` when the site has it (`fr-CA` → `fr`), else English.
    pub fn language(&self, tag: &str) -> &Arc<Language> {
        self.catalogues
            .lookup(tag)
            .unwrap_or_else(|| self.catalogues.english())
    }

    /// Returns true if and only if a template called `name` exists.
    pub fn has(&self, name: &str) -> bool {
        self.sources.contains_key(name)
    }

    /// Parses every template now; for tests and `wwsympa check`.
    pub fn check_all(&self) -> Result<(), Error> {
        for name in self.sources.keys() {
            self.compiled(name)?;
        }
        Ok(())
    }
}

/// Returns true if `source` calls a component: `{{ <name .../> }}` or `{% <name> %}`.
fn calls_a_component(source: &str) -> bool {
    ["{{", "{%"].iter().any(|open| {
        source
            .match_indices(open)
            .any(|(i, _)| source[i + 2..].trim_start().starts_with('<'))
    })
}

/// The static asset called `name`, if it is one of ours.
pub fn asset(name: &str) -> Option<(&'static str, &'static [u8])> {
    ASSETS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, content_type, bytes)| (*content_type, *bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_templates_parse_and_escape() {
        let templates = Templates::load(None).unwrap();
        templates.check_all().unwrap();
        assert!(templates.has("web/home.html"));
        let view = serde_json::json!({
            "base": "/sympa", "static_url": "/static-sympa", "title": "<T>", "action": "error",
            "status": 404, "message": "<script>x</script>", "notices": [], "lang": "en",
        });
        let page = templates.render("web/error.html", &view).unwrap();
        assert!(page.contains("&lt;script&gt;x&lt;/script&gt;"), "{page}");
        assert!(!page.contains("<script>x"));
    }

    #[test]
    fn a_directory_overrides_one_template() {
        let dir = std::env::temp_dir().join(format!("wwsympa-tpl-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("web")).unwrap();
        std::fs::write(dir.join("web/error.html"), "custom {{ status }}").unwrap();
        let templates = Templates::load(Some(&dir)).unwrap();
        assert_eq!(
            templates
                .render("web/error.html", &serde_json::json!({"status": 404}))
                .unwrap(),
            "custom 404"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn broken_overrides_are_reported() {
        let dir = std::env::temp_dir().join(format!("wwsympa-tpl-bad-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("web")).unwrap();
        std::fs::write(dir.join("web/error.html"), "{% if %}").unwrap();
        assert!(Templates::load(Some(&dir)).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[cfg(test)]
mod lazy_tests {
    use super::*;

    #[test]
    fn a_page_needs_what_it_extends_includes_and_imports() {
        let templates = Templates::load(None).unwrap();
        let needed = templates.closure("web/home.html");
        assert_eq!(needed[0], "web/home.html");
        assert!(needed.iter().any(|n| n == "web/base.html"), "{needed:?}");
        let login = templates.closure("web/login.html");
        assert!(
            login.iter().any(|n| n == "web/components.html"),
            "{login:?}"
        );
        assert!(
            !needed.iter().any(|n| n == "web/components.html"),
            "{needed:?}"
        );
        assert!(templates.closure("web/error.html").len() < EMBEDDED.len());
    }

    #[test]
    fn an_unknown_template_is_an_error_not_a_panic() {
        let templates = Templates::load(None).unwrap();
        assert!(templates
            .render("web/nothing.html", &serde_json::json!({}))
            .is_err());
    }
}
