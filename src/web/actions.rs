//! The action table: one entry per action, sorted by name, and the old names that still work.
//!
//! This is the place to audit who may do what: each row says its path arguments (Sympa's
//! `%action_args`), whether it works on a list, who may run it, and which methods it takes.
//! Every row that takes POST is CSRF-checked unless it says why not.
//!
//! Adding an action: write the operation in `operations/` (check with `Env::authorize`,
//! change the store and queue mail inside `Env::transaction`), a handler
//! `fn <name>(ctx: &mut Ctx) -> Result<Outcome, Error>` in `handlers/` (with `list: &List`
//! after `ctx` for an action on a list) that calls it through `ctx.run(...)` and returns the
//! page's view struct, a template `templates/web/<name>.html` registered in
//! `render::EMBEDDED`, and a row here in name order: `Action::site` or, when the first
//! argument is a list, `Action::list`; `.args(...)` from Sympa's `%action_args`,
//! `.access(...)`, and `.form()` / `.post()` for actions that change things. The row's checks
//! run before the handler; the table tests check the rest.

use super::action::{Access, Action};
use super::handlers::{
    account, admin, archive, bounces, home, language, listadmin, members, moderation, soap,
    subscription, tokens, tools,
};
use crate::domain::ActionKind;

/// Sympa's path arguments of the account pages that come back to where the visitor was.
const RETURN_ARGS: &[&str] = &["previous_action", "previous_list"];

/// Every action, sorted by name.
pub static ACTIONS: &[Action] = &[
    Action::list("add", members::add)
        .args(&["list", "email"])
        .access(Access::Policy(ActionKind::ManageMembers))
        .bulk()
        .form(),
    // The owners' and moderators' dashboard of a list.
    Action::list("admin", admin::admin)
        .args(&["list"])
        .access(Access::Policy(ActionKind::ManageRequests)),
    // The user's bearer tokens for the JSON API: made (shown once) and revoked here.
    Action::site("api_tokens", tokens::api_tokens)
        .access(Access::User)
        .form(),
    // Every page of a list's archive, by the shape of its path (see `handlers/archive.rs`):
    // months, a month by thread or date, a thread, a message, its bytes and attachments,
    // exports and the Atom feed.
    Action::list("arc", archive::arc)
        .args(&["list", "month", "file", "part", "name"])
        .access(Access::Policy(ActionKind::ReadArchive))
        .cached(),
    Action::list("arc_hide", archive::arc_hide)
        .args(&["list", "month", "seq"])
        .access(Access::Policy(ActionKind::ManageArchive))
        .post(),
    // The owners' list of the messages readers do not see (Sympa's name).
    Action::list("arc_manage", archive::arc_manage)
        .args(&["list"])
        .access(Access::Policy(ActionKind::ManageArchive)),
    Action::list("arc_show", archive::arc_show)
        .args(&["list", "month", "seq"])
        .access(Access::Policy(ActionKind::ManageArchive))
        .post(),
    Action::list("arcsearch", archive::arcsearch)
        .args(&["list"])
        .access(Access::Policy(ActionKind::ReadArchive)),
    Action::list("arcsearch_form", archive::arcsearch_form)
        .args(&["list"])
        .access(Access::Policy(ActionKind::ReadArchive)),
    Action::site("auth", subscription::auth)
        .args(&["id", "heldaction", "listname"])
        .form(),
    Action::list("auth_add", members::auth_add)
        .args(&["list"])
        .access(Access::Policy(ActionKind::ManageRequests))
        .bulk()
        .post(),
    Action::list("auth_del", members::auth_del)
        .args(&["list"])
        .access(Access::Policy(ActionKind::ManageRequests))
        .bulk()
        .post(),
    // Sympa's unsubscribe link for footers, `auto_signoff/LIST/EMAIL`: the signoff page with
    // the address filled in (no login); the unsubscribe policy then decides, as for signoff.
    Action::list("auto_signoff", subscription::signoff)
        .args(&["list", "email"])
        .access(Access::Policy(ActionKind::Signoff)),
    Action::site("choosepasswd", account::choosepasswd)
        .args(&["email", "passwd"])
        .access(Access::User)
        .form(),
    // Lifecycle pages name lists of any status (a pending list is rejected by closing it):
    // site rows whose handler loads the list; the operation decides (a 404 for a list the
    // visitor may not see).
    Action::site("close_list", listadmin::close_list)
        .args(&["list"])
        .access(Access::User)
        .form(),
    Action::list("copy_list", listadmin::copy_list)
        .args(&["list", "new_listname", "new_robot"])
        .access(Access::Policy(ActionKind::ManageList))
        .form(),
    Action::site("create_list", listadmin::create_list)
        .access(Access::User)
        .form(),
    Action::site("create_list_request", listadmin::create_list_request).access(Access::User),
    Action::list("decl_add", members::decl_add)
        .args(&["list"])
        .access(Access::Policy(ActionKind::ManageRequests))
        .bulk()
        .post(),
    Action::list("decl_del", members::decl_del)
        .args(&["list"])
        .access(Access::Policy(ActionKind::ManageRequests))
        .bulk()
        .post(),
    Action::list("del", members::del)
        .args(&["list", "email"])
        .access(Access::Policy(ActionKind::ManageMembers))
        .bulk()
        .form(),
    // The confirm page of a moderator's link (Sympa's URL): GET shows, the buttons POST.
    // Not a list row: the key is the authority, whatever the list's visibility to the
    // visitor; the operation loads the list.
    Action::site("distribute", moderation::distribute)
        .args(&["list", "key"])
        .form(),
    // A list's owners (`owner`) or moderators (`editor`): which of them the requester may
    // change is the operation's to decide (privileged owners manage owners).
    Action::list("edit", admin::edit)
        .args(&["list", "role"])
        .access(Access::Policy(ActionKind::EditSettings))
        .form(),
    // Saves a group of the list's parameters; which ones the requester may change is the
    // operation's to decide (`domain::params`).
    Action::list("edit_list", admin::edit_list)
        .args(&["list", "group"])
        .access(Access::Policy(ActionKind::EditSettings))
        .post(),
    Action::list("edit_list_request", admin::edit_list_request)
        .args(&["list", "group"])
        .access(Access::Policy(ActionKind::EditSettings)),
    // A list's texts (`editfile/LIST[/FILE]`), or without a list the site's (listmasters):
    // not a list row, so that it also works without one; the operation loads and decides.
    Action::site("editfile", tools::editfile)
        .args(&["list", "file", "previous_action"])
        .access(Access::User),
    // One member's details and history: owners and moderators (Sympa: owner, editor).
    Action::list("editsubscriber", tools::editsubscriber)
        .args(&["list", "email"])
        .access(Access::Policy(ActionKind::ViewMember)),
    Action::list("export_member", members::export_member)
        .args(&["list", "format"])
        .access(Access::Policy(ActionKind::ManageMembers)),
    Action::site("firstpasswd", account::firstpasswd).args(RETURN_ARGS),
    // The listmaster's reports (Sympa's): the operation refuses everyone else.
    Action::site("get_biggest_lists", listadmin::get_biggest_lists).access(Access::User),
    Action::site("get_closed_lists", listadmin::get_closed_lists).access(Access::User),
    Action::site("get_inactive_lists", listadmin::get_inactive_lists).access(Access::User),
    Action::site("get_latest_lists", listadmin::get_latest_lists).access(Access::User),
    Action::site("get_pending_lists", listadmin::get_pending_lists).access(Access::User),
    // Where the List-Help header of our mail points: the index, or one topic by Sympa's
    // names (`help/admin-moderate.html`, `help/user`).
    Action::site("help", home::help)
        .args(&["help_topic"])
        .cached(),
    Action::site("home", home::home).cached(),
    // A paste of many addresses (Sympa's `add_request`), with a report line by line.
    Action::list("import", tools::import)
        .args(&["list"])
        .access(Access::Policy(ActionKind::ManageMembers))
        .bulk()
        .form(),
    Action::list("info", home::info)
        .args(&["list"])
        .access(Access::Policy(ActionKind::SeeList))
        .cached(),
    Action::list("latest_arc", archive::latest_arc)
        .args(&["list"])
        .access(Access::Policy(ActionKind::ReadArchive))
        .cached(),
    // HyperKitty's `list/LIST@DOMAIN/message/<hash>/`, sent on to `msg`, which decides.
    Action::site("list", archive::list).args(&["address", "kind", "hash"]),
    Action::site("lists", home::lists)
        .args(&["topic", "subtopic"])
        .cached(),
    Action::site("login", account::login)
        .args(RETURN_ARGS)
        .form(),
    Action::site("logout", account::logout)
        .args(RETURN_ARGS)
        .form(),
    Action::site("mass_del", listadmin::mass_del)
        .args(&["email"])
        .access(Access::User)
        .form(),
    Action::list("modindex", moderation::modindex)
        .args(&["list"])
        .access(Access::Policy(ActionKind::Moderate))
        .bulk()
        .form(),
    Action::list("move_list", listadmin::move_list)
        .args(&["list", "new_listname", "new_robot"])
        .access(Access::Policy(ActionKind::ManageList))
        .form(),
    // The permalink of an archived message (Sympa's `Archived-At`).
    Action::list("msg", archive::msg)
        .args(&["list", "month", "id"])
        .access(Access::Policy(ActionKind::ReadArchive))
        .cached(),
    Action::site("my", account::my).access(Access::User),
    // Not a list row: a member of a concealed list must be able to leave without logging in;
    // the signed id proves the address, and the handler loads the list.
    Action::site("oneclick", subscription::oneclick)
        .args(&["list", "id"])
        .form()
        .csrf_exempt("RFC 8058: the mail client POSTs List-Unsubscribe=One-Click without a session; the id signed with the site secret authenticates the request"),
    Action::site("open_list", listadmin::open_list)
        .args(&["list"])
        .access(Access::User)
        .form(),
    Action::site("pref", account::pref)
        .args(RETURN_ARGS)
        .access(Access::User)
        .form(),
    Action::site("purge_list", listadmin::purge_list)
        .args(&["list"])
        .access(Access::User)
        .bulk()
        .form(),
    Action::site("reject", moderation::reject)
        .args(&["list", "key"])
        .form(),
    // Every member gets the reminder of their subscription, after a confirm step.
    Action::list("remind", tools::remind)
        .args(&["list"])
        .access(Access::Policy(ActionKind::Remind))
        .form(),
    Action::list("remove_arc", archive::remove_arc)
        .args(&["list", "month", "seq"])
        .access(Access::Policy(ActionKind::ManageArchive))
        .post(),
    Action::list("rename_list_request", listadmin::rename_list_request)
        .args(&["list"])
        .access(Access::Policy(ActionKind::ManageList)),
    Action::site("renewpasswd", account::renewpasswd).args(RETURN_ARGS),
    Action::site("requestpasswd", account::requestpasswd)
        .args(&["email"])
        .form(),
    // Members resume their own delivery from the bounce warning's link, owners anyone's:
    // the operation decides which.
    Action::list("resetbounce", bounces::resetbounce)
        .args(&["list", "email"])
        .access(Access::User)
        .form(),
    Action::list("review", members::review)
        .args(&["list", "page", "size", "sortby"])
        .access(Access::Policy(ActionKind::Review)),
    // Feeds answer as to an anonymous visitor, whoever asks: the handler loads the list.
    Action::list("reviewbouncing", bounces::reviewbouncing)
        .args(&["list"])
        .access(Access::Policy(ActionKind::ManageMembers)),
    Action::site("rss", archive::rss).args(&["kind", "list"]),
    // Saves (or with `preview` shows) a text of `editfile`; a text may hold 64 KiB, so the
    // body limit is that of bulk forms.
    Action::site("savefile", tools::savefile)
        .args(&["list", "file"])
        .access(Access::User)
        .bulk()
        .post(),
    Action::list("search", members::search)
        .args(&["list", "filter"])
        .access(Access::Policy(ActionKind::Review)),
    Action::site("search_archives", archive::search_archives),
    Action::site("search_list", listadmin::search_list).args(&["filter_list"]),
    Action::site("search_user", listadmin::search_user)
        .args(&["email"])
        .access(Access::User),
    Action::site("serveradmin", listadmin::serveradmin)
        .args(&["subaction"])
        .access(Access::User),
    // Members change their own options, owners anyone's: the operation decides which.
    Action::list("set", subscription::set)
        .args(&["list", "email", "reception", "gecos"])
        .access(Access::User)
        .form(),
    // The language menu (Sympa's `/set_lang/LANG`): a POST saves a user's choice; a GET
    // naming a language sets only a visitor's cookie (see the handler), else shows the menu.
    Action::site("set_lang", language::set_lang)
        .args(&["lang"])
        .form(),
    Action::site("set_pending_list_request", listadmin::set_pending_list_request)
        .args(&["list"])
        .access(Access::User),
    Action::site("setpasswd", account::setpasswd)
        .access(Access::User)
        .post(),
    Action::list("sigindex", members::sigindex)
        .args(&["list"])
        .access(Access::Policy(ActionKind::ManageRequests)),
    Action::list("signoff", subscription::signoff)
        .args(&["list"])
        .access(Access::Policy(ActionKind::Signoff))
        .form(),
    Action::list("subindex", members::subindex)
        .args(&["list"])
        .access(Access::Policy(ActionKind::ManageRequests)),
    Action::list("suboptions", subscription::suboptions)
        .args(&["list"])
        .access(Access::Policy(ActionKind::EditOwnMembership)),
    Action::list("subscribe", subscription::subscribe)
        .args(&["list"])
        .access(Access::Policy(ActionKind::Subscribe))
        .form(),
    Action::site("ticket", account::ticket)
        .args(&["ticket"])
        .form(),
    Action::list("view_source", archive::view_source)
        .args(&["list", "month", "id"])
        .access(Access::Policy(ActionKind::ReadArchive)),
    // Sympa's: the last bounce kept for a member (or `?id=N`), as text, for owners.
    Action::list("viewbounce", bounces::viewbounce)
        .args(&["list", "email"])
        .access(Access::Policy(ActionKind::ManageMembers)),
    // The list's audit log, filtered and paged: owners, moderators and listmasters.
    Action::list("viewlogs", tools::viewlogs)
        .args(&["list", "page", "size", "sortby"])
        .access(Access::Policy(ActionKind::ViewLogs)),
    Action::list("viewmod", moderation::viewmod)
        .args(&["list", "id", "file"])
        .access(Access::Policy(ActionKind::Moderate))
        .form(),
    // The sender's link from the "your message is held" notice.
    Action::site("withdraw", moderation::withdraw)
        .args(&["list", "key"])
        .form(),
    // The SOAP API's WSDL (Sympa's URL) and the encoding schema it imports: the same
    // documents for everyone.
    Action::site("wsdl", soap::wsdl).args(&["part"]),
];

/// Old action names WWSympa still answers (reference §1.10), mapped to today's.
pub static ALIASES: &[(&str, &str)] = &[
    ("add_fromsub", "auth_add"),
    ("add_request", "import"),
    ("arcsearch_id", "msg"),
    ("del_fromsig", "auth_del"),
    ("dump", "export_member"),
    ("ignoresig", "decl_del"),
    ("ignoresub", "decl_add"),
    ("install_pending_list", "open_list"),
    ("lists_categories", "lists"),
    ("loginrequest", "login"),
    ("rename_list", "move_list"),
    ("restore_list", "open_list"),
    ("sigrequest", "signoff"),
    ("subrequest", "subscribe"),
    ("which", "my"),
];

/// The action called `name`, directly or through an alias.
pub fn find(name: &str) -> Option<&'static Action> {
    let name = ALIASES
        .iter()
        .find(|(old, _)| *old == name)
        .map_or(name, |(_, new)| new);
    ACTIONS.iter().find(|action| action.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::action::{Csrf, Handler, Methods};

    #[test]
    fn table_is_sorted_and_unique() {
        for pair in ACTIONS.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} must come before {}",
                pair[0].name,
                pair[1].name
            );
        }
    }

    #[test]
    fn find_resolves_names_and_old_names() {
        assert_eq!(find("info").map(|a| a.name), Some("info"));
        assert_eq!(find("dump").map(|a| a.name), Some("export_member"));
        assert_eq!(find("which").map(|a| a.name), Some("my"));
        assert!(find("no_such_action").is_none());
    }

    #[test]
    fn aliases_point_at_real_actions() {
        for (old, new) in ALIASES {
            assert!(find(new).is_some(), "alias {old} points at unknown {new}");
            assert!(
                ACTIONS.iter().all(|a| a.name != *old),
                "alias {old} shadows an action"
            );
        }
    }

    #[test]
    fn every_action_has_a_template_named_after_it() {
        let templates = crate::render::Templates::load(None).unwrap();
        for action in ACTIONS {
            assert!(
                templates.has(&format!("web/{}.html", action.name)),
                "no template for {}",
                action.name
            );
        }
    }

    #[test]
    fn list_rows_name_the_list_and_policy_rows_have_one() {
        for action in ACTIONS {
            if action.list {
                assert_eq!(
                    action.args.first(),
                    Some(&"list"),
                    "{}: the list is the first path argument",
                    action.name
                );
            }
            assert_eq!(
                action.list,
                matches!(action.handler, Handler::List(_)),
                "{}: a list row has a handler that takes the list, and only a list row",
                action.name
            );
            let needs_list = matches!(action.access, Access::Policy(_));
            assert!(
                !needs_list || action.list,
                "{}: its access needs a list row",
                action.name
            );
        }
    }

    #[test]
    fn csrf_exemptions_are_rare_and_explained() {
        for action in ACTIONS {
            if let Csrf::Exempt(reason) = action.csrf {
                assert!(
                    action.methods != Methods::Read,
                    "{}: an exemption on a read-only row means nothing",
                    action.name
                );
                assert!(
                    reason.len() > 20,
                    "{}: say why it needs no CSRF token",
                    action.name
                );
            }
        }
    }
}
