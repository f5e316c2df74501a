//! Links made for a list before `move_list` renamed it: the one-click unsubscription (the page and RFC 8058's POST), the moderators' `distribute`/`reject` links, confirmation links and `auto_signoff` act on the renamed list; a link naming a name another list has taken over since never acts on that list.

use wwsympa::domain::{
    AdminRole, ArchiveAccess, ListId, ListName, ListPolicy, ReviewPolicy, SubscribePolicy,
    UnsubscribePolicy, Visibility,
};
use wwsympa::operations::Env;
use wwsympa::render::Templates;
use wwsympa::store::NewMember;

use crate::browser::{body, Site};
use crate::moderation::hold;
use crate::subscription::{email, mail_to};
use crate::support::TempDir;

const MEMBER: &str = "member@example.org";

fn policy(visibility: Visibility) -> ListPolicy {
    ListPolicy {
        visibility,
        subscribe: SubscribePolicy::Open,
        unsubscribe: UnsubscribePolicy::Open,
        review: ReviewPolicy::Owner,
        archive: ArchiveAccess::Public,
    }
}

/// A list `name` with a moderator and `MEMBER`.
fn list(site: &Site, name: &str, visibility: Visibility) -> ListId {
    let id = site.add_list(name, "", policy(visibility));
    let store = site.store();
    store
        .db()
        .add_admin(id, &email("mod@example.org"), AdminRole::Editor, false)
        .unwrap();
    store
        .db()
        .add_member(id, &NewMember::new(email(MEMBER)))
        .unwrap();
    id
}

/// The one-click path for `MEMBER` on the list called `name`, signed for that name on `day`
/// (days since the epoch), as the list's mail carries it.
fn oneclick_path(site: &Site, name: &str, day: i64) -> String {
    let mut store = site.store();
    let templates = Templates::load(None).unwrap();
    let env = Env::new(&mut store, &site.config, &templates);
    let secret = env.site_secret("oneclick").unwrap();
    let url = wwsympa::mail::personalize::oneclick_url(
        "/sympa",
        name,
        &format!("{name}@lists.example.org"),
        MEMBER,
        &secret,
        day,
    );
    url
}

fn today() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        / 86_400
}

fn is_member(site: &Site, list: ListId) -> bool {
    site.store()
        .db()
        .member(list, &email(MEMBER))
        .unwrap()
        .is_some()
}

fn decision(site: &Site, message: i64) -> Option<String> {
    let store = site.store();
    let held = store.db().held_message(message).unwrap().unwrap();
    held.decided.map(|d| d.decision)
}

fn rename(site: &Site, list: ListId, to: &str) {
    site.store()
        .db()
        .rename_list(list, &ListName::parse(to).unwrap())
        .unwrap();
}

/// The path of the first link of `mail` starting with `prefix`.
fn path_of(mail: &str, prefix: &str) -> String {
    crate::subscription::link(mail, &format!("http://lists.example.org{prefix}"))
}

#[test]
fn links_in_mail_sent_before_a_rename_act_on_the_renamed_list() {
    let dir = TempDir::new("renamed-links");
    let site = Site::new(dir.path(), |_| {});
    // Concealed: the keys are the authority, whatever the list's visibility.
    let news = list(&site, "news", Visibility::Conceal);
    let oneclick = oneclick_path(&site, "news", today());
    let (first, _) = hold(
        &site,
        news,
        "From: Ann <ann@example.net>\r\nTo: news@lists.example.org\r\nSubject: Held one\r\nMessage-ID: <renamed-1@example.net>\r\n\r\nFirst\r\n",
    );
    let notice = mail_to(&site, "mod@example.org").remove(0);
    let distribute = path_of(&notice, "/sympa/distribute/news/");
    let reject = path_of(&notice, "/sympa/reject/news/");
    rename(&site, news, "letters");

    // The moderator's links from before the rename open the post on the renamed list, and act.
    let mut moderator = site.browser("192.0.2.70");
    let page = moderator.get(&reject);
    assert_eq!(page.status, 200, "{}", body(&page));
    assert!(body(&page).contains("Held one"), "{}", body(&page));
    moderator.get(&distribute);
    let done = moderator.post(&distribute, &[("do", "distribute")]);
    assert_eq!(done.status, 200, "{}", body(&done));
    assert_eq!(decision(&site, first), Some("distributed".into()));

    // One-click: the page, then the mail client's POST (RFC 8058) with no cookie or token.
    let mut client = site.browser("203.0.113.70");
    let page = client.get(&oneclick);
    assert_eq!(page.status, 200, "{}", body(&page));
    assert!(is_member(&site, news));
    let response = client.post_raw(&oneclick, &[("List-Unsubscribe", "One-Click")]);
    assert_eq!(response.status, 200, "{}", body(&response));
    assert!(body(&response).contains("is no longer a member"));
    assert!(!is_member(&site, news));
    // The signature is still checked against the name it was made for: an id signed for
    // the new name does not open the old one's link.
    site.store()
        .db()
        .add_member(news, &NewMember::new(email(MEMBER)))
        .unwrap();
    let new_id = oneclick_path(&site, "letters", today());
    let crossed = oneclick.replace(
        oneclick.split('/').nth(4).unwrap(),
        new_id.split('/').nth(4).unwrap(),
    );
    assert_ne!(crossed, oneclick);
    let refused = client.post_raw(&crossed, &[("List-Unsubscribe", "One-Click")]);
    assert_eq!(refused.status, 410, "{}", body(&refused));
    assert!(is_member(&site, news));

    // auto_signoff (the footer's link, no key): sent on to the renamed list, for a list
    // anyone may see.
    let public = list(&site, "open", Visibility::Noconceal);
    // A confirmation link mailed before the rename (it names no list, only its key).
    let mut newcomer = site.browser("192.0.2.73");
    newcomer.get("/sympa/subscribe/open");
    let asked = newcomer.post("/sympa/subscribe/open", &[("email", "new@example.org")]);
    assert_eq!(asked.status, 200, "{}", body(&asked));
    let confirm = path_of(&mail_to(&site, "new@example.org")[0], "/sympa/auth/");
    rename(&site, public, "wide");
    newcomer.get(&confirm);
    let joined = newcomer.post(&confirm, &[]);
    assert_eq!(joined.status, 200, "{}", body(&joined));
    assert!(site
        .store()
        .db()
        .member(public, &email("new@example.org"))
        .unwrap()
        .is_some());
    let mut visitor = site.browser("192.0.2.71");
    let moved = visitor.get("/sympa/auto_signoff/open/member%40example.org");
    assert_eq!(moved.status, 301);
    let location = moved
        .headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("location"))
        .map(|(_, value)| value.clone())
        .unwrap();
    assert!(
        location.ends_with("/sympa/auto_signoff/wide/member@example.org")
            || location.ends_with("/sympa/auto_signoff/wide/member%40example.org"),
        "{location}"
    );
}

#[test]
fn an_old_link_never_acts_on_a_list_that_took_its_name_over() {
    let dir = TempDir::new("renamed-takeover");
    let site = Site::new(dir.path(), |_| {});
    let old = list(&site, "news", Visibility::Noconceal);
    // The old list is older than the links below; the links were made three days ago.
    site.db.execute(
        &format!(
            "UPDATE lists SET created_at = created_at - 864000 WHERE id = {}",
            old.0
        ),
        &[],
    );
    let oneclick = oneclick_path(&site, "news", today() - 3);
    let (held, _) = hold(
        &site,
        old,
        "From: Ann <ann@example.net>\r\nTo: news@lists.example.org\r\nSubject: Held two\r\nMessage-ID: <renamed-2@example.net>\r\n\r\nSecond\r\n",
    );
    let notice = mail_to(&site, "mod@example.org").remove(0);
    let distribute = path_of(&notice, "/sympa/distribute/news/");
    rename(&site, old, "letters");
    // A new list takes the name `news` over (as create_list does, it forgets the old name).
    site.store()
        .db()
        .forget_old_name("lists.example.org", &ListName::parse("news").unwrap())
        .unwrap();
    let new = list(&site, "news", Visibility::Noconceal);
    let (_, _) = hold(
        &site,
        new,
        "From: Ann <ann@example.net>\r\nTo: news@lists.example.org\r\nSubject: Held three\r\nMessage-ID: <renamed-3@example.net>\r\n\r\nThird\r\n",
    );

    // The moderation key was made for the old list's post: on the new list it opens nothing.
    let mut moderator = site.browser("192.0.2.72");
    let page = moderator.get(&distribute);
    assert_eq!(page.status, 410, "{}", body(&page));
    let forced = moderator.post_raw(&distribute, &[("do", "distribute")]);
    assert!(forced.status >= 400, "{}", body(&forced));
    assert_eq!(decision(&site, held), None);

    // The one-click id was signed for `news@` before the new list existed: refused there,
    // the member stays on both lists.
    let mut client = site.browser("203.0.113.72");
    let refused = client.post_raw(&oneclick, &[("List-Unsubscribe", "One-Click")]);
    assert_eq!(refused.status, 410, "{}", body(&refused));
    assert!(is_member(&site, new));
    assert!(is_member(&site, old));
    // A link the new list made itself works.
    let fresh = oneclick_path(&site, "news", today());
    let response = client.post_raw(&fresh, &[("List-Unsubscribe", "One-Click")]);
    assert_eq!(response.status, 200, "{}", body(&response));
    assert!(!is_member(&site, new));
    assert!(is_member(&site, old));
}
