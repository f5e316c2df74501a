//! Lists as a whole: which ones a requester sees, a list's page, creating and closing one.

use serde_json::json;

use super::limits::LIST_REQUEST_PER_ADDRESS;
use super::{check_length, parse_email, Env, Error, Existing, Field, Refusal, Requester, Tx};
use serde::Serialize;

use crate::config::CreateList;
use crate::domain::authz::can_see;
use crate::domain::text::{hidden_char, unfit_for_one_line};
use crate::domain::MemberVisibility;
use crate::domain::{
    check_new_list_name, decide, ActionKind, Admin, AdminRole, ArchivedState, Decision, Email,
    IndexText, List, ListName, ListPolicy, ListStatus, ListSummary, ListTemplate, MailSettings,
    Reason, Visibility,
};
use crate::mail::notices;
use crate::store::NewList;

/// Everything a new list needs.
#[derive(Debug, Clone)]
pub struct ListSettings {
    /// Name, subject, description, topics, visibility.
    pub list: NewList,
    /// Its policies (the visibility in `list` wins), when no template is given.
    pub policy: ListPolicy,
    /// Its first owner, made a privileged owner, as Sympa does for a list's creator. For a
    /// listmaster with an address, that address when `None`; a requester who is not a
    /// listmaster is always the owner (another address is refused).
    pub owner: Option<String>,
    /// The template it is made from (Sympa's `createList` template): when given, its
    /// presets replace `policy` and the visibility in `list`, and set who may post.
    pub template: Option<ListTemplate>,
}

impl ListSettings {
    /// The settings of a list made from `template`, with no owner named.
    pub fn from_template(list: NewList, template: ListTemplate) -> ListSettings {
        // `create` applies the template's presets, its visibility included.
        ListSettings {
            policy: template.policy(),
            list,
            owner: None,
            template: Some(template),
        }
    }
}

/// The longest list subject, in characters.
pub const MAX_LIST_SUBJECT: usize = 200;

/// The longest list description, in characters.
pub const MAX_LIST_DESCRIPTION: usize = 10_000;

/// The longest topic, in characters.
pub const MAX_TOPIC: usize = 100;

/// The most topics a list has.
pub const MAX_TOPICS: usize = 20;

/// Checks what is typed for a new list: the subject on one line of at most
/// [`MAX_LIST_SUBJECT`] visible characters, the description of at most
/// [`MAX_LIST_DESCRIPTION`] characters with no hidden one (line breaks allowed), at most
/// [`MAX_TOPICS`] topics of at most [`MAX_TOPIC`] characters each, on one line.
fn check_new_list(list: &NewList) -> Result<(), Refusal> {
    check_length(Field::Subject, &list.subject, MAX_LIST_SUBJECT)?;
    if unfit_for_one_line(&list.subject) {
        return Err(Refusal::HiddenCharacters {
            field: Field::Subject,
        });
    }
    check_length(Field::Description, &list.description, MAX_LIST_DESCRIPTION)?;
    if list.description.chars().any(hidden_char) {
        return Err(Refusal::HiddenCharacters {
            field: Field::Description,
        });
    }
    if list.topics.len() > MAX_TOPICS {
        return Err(Refusal::TooMany {
            field: Field::Topics,
            max: MAX_TOPICS,
        });
    }
    for topic in &list.topics {
        check_length(Field::Topics, topic, MAX_TOPIC)?;
        if unfit_for_one_line(topic) {
            return Err(Refusal::HiddenCharacters {
                field: Field::Topics,
            });
        }
    }
    Ok(())
}

/// What a list created by `requester` would be: `Open` for a listmaster or where anyone
/// creates lists (`create_list = public`), `Pending` where a listmaster approves them
/// (`public_listmaster`); refused where only listmasters create lists, and for anonymous
/// requesters ([`Reason::LoginRequired`]). For the creation form, which says which.
pub fn creation_status(env: &Env<'_>, requester: &Requester) -> Result<ListStatus, Error> {
    if requester.listmaster {
        return Ok(ListStatus::Open);
    }
    if requester.email.is_none() {
        return Err(Refusal::Denied(Reason::LoginRequired).into());
    }
    match env.config.create_list {
        CreateList::Listmaster => Err(Refusal::Denied(Reason::NotPermitted).into()),
        CreateList::PublicListmaster => Ok(ListStatus::Pending),
        CreateList::Public => Ok(ListStatus::Open),
    }
}

/// Creates a list with its policies (or its template's) and owner in one transaction.
///
/// A listmaster creates it open. Any other logged-in requester may ask for one when the
/// site's `create_list` is `public_listmaster` (Sympa's default): the list is created
/// `pending`, the requester its privileged owner, and each configured listmaster gets the
/// `list_requested` mail, at most [`LIST_REQUEST_PER_ADDRESS`] a day per requester; with
/// `create_list = public` it is created open at once (the same daily limit applies); with
/// `create_list = listmaster` they are refused ([`Reason::NotPermitted`]). Anonymous
/// requesters are asked to log in. The name must be one a new list may have
/// ([`crate::domain::check_new_list_name`]: no reserved suffix, no site address;
/// [`Refusal::ListName`]) and no list's, whatever its status ([`Refusal::AlreadyExists`]);
/// a former name of a renamed list is taken over (its links then lead here).
pub fn create(
    env: &mut Env<'_>,
    requester: &Requester,
    settings: &ListSettings,
) -> Result<List, Error> {
    if requester.email.is_none() && !requester.listmaster {
        return Err(Refusal::Denied(Reason::LoginRequired).into());
    }
    let typed_owner = settings.owner.as_deref().map(parse_email).transpose()?;
    let (owner, status) = if requester.listmaster {
        (typed_owner.or(requester.email.clone()), ListStatus::Open)
    } else {
        let status = match env.config.create_list {
            CreateList::Listmaster => return Err(Refusal::Denied(Reason::NotPermitted).into()),
            CreateList::PublicListmaster => ListStatus::Pending,
            CreateList::Public => ListStatus::Open,
        };
        let own = requester.email.clone();
        if typed_owner.is_some() && typed_owner != own {
            return Err(Refusal::Denied(Reason::NotPermitted).into());
        }
        (own, status)
    };
    check_new_name(env, settings.list.name.as_str())?;
    check_new_list(&settings.list)?;
    let mut new_list = settings.list.clone();
    let policy = match settings.template {
        Some(template) => {
            new_list.visibility = template.policy().visibility;
            template.policy()
        }
        None => ListPolicy {
            visibility: settings.list.visibility,
            ..settings.policy
        },
    };
    if !requester.listmaster {
        if let Some(own) = &requester.email {
            env.rate_limit(&LIST_REQUEST_PER_ADDRESS, own.as_str())?;
        }
    }
    let domain = env.config.domain.clone();
    let listmasters: Vec<Email> = env
        .config
        .listmasters()
        .filter_map(|a| Email::parse(a).ok())
        .collect();
    let id = env.transaction(requester, |tx| {
        let id = match tx.db.create_list(&domain, &new_list) {
            Err(crate::store::Error::AlreadyExists(_)) => {
                return Err(Refusal::AlreadyExists(Existing::List(new_list.name.clone())).into())
            }
            other => other?,
        };
        tx.db.forget_old_name(&domain, &new_list.name)?;
        tx.db.set_list_policy(id, &policy)?;
        if status != ListStatus::Open {
            tx.db.set_list_status(id, status)?;
        }
        if let Some(template) = settings.template {
            let mail = MailSettings {
                send: template.send(),
                ..tx.db.list_mail_settings(id)?
            };
            tx.db.set_list_mail_settings(id, &mail)?;
        }
        if let Some(owner) = &owner {
            tx.db.add_admin(id, owner, AdminRole::Owner, true)?;
        }
        let list = tx.db.list_by_id(id)?.expect("just created");
        if status == ListStatus::Pending {
            let by = requester.email.as_ref().map_or("", |e| e.as_str());
            for listmaster in &listmasters {
                let mail = notices::list_requested(&tx.composer, listmaster, &list, by);
                tx.queue(mail)?;
            }
        }
        tx.audit(
            "create_list",
            Some(&list),
            owner.as_ref(),
            json!({
                "policy": policy,
                "status": status.as_str(),
                "template": settings.template.map(ListTemplate::as_str),
            }),
        )?;
        Ok(id)
    })?;
    Ok(env.db().list_by_id(id)?.expect("just created"))
}

/// Checks `name` for a new or renamed list: [`crate::domain::check_new_list_name`] with the
/// site's `email`, then that no list of the domain has it, whatever its status.
pub(crate) fn check_new_name(env: &Env<'_>, name: &str) -> Result<ListName, Error> {
    let name = check_new_list_name(name, &env.config.email).map_err(Refusal::ListName)?;
    if env.db().list_by_name(&env.config.domain, &name)?.is_some() {
        return Err(Refusal::AlreadyExists(Existing::List(name)).into());
    }
    Ok(name)
}

/// The open list a signed link names by `name`, made on `day` (days since the epoch): the
/// list called so now, else the list that was called so before a rename (`move_list`), so
/// that links in mail sent before a rename keep working; `None` when there is none, or
/// when the list was created after `day` (the link was made for another list of that name,
/// since renamed away or purged). The caller checks the link's signature or key against
/// `name` or the list's id, never against the list's current name alone.
pub fn by_link_name(env: &Env<'_>, name: &ListName, day: i64) -> Result<Option<List>, Error> {
    let db = env.db();
    let list = match db.list_by_name(&env.config.domain, name)? {
        Some(list) => Some(list),
        None => match db.renamed_list(&env.config.domain, name)? {
            Some(id) => db.list_by_id(id)?,
            None => None,
        },
    };
    let Some(list) = list.filter(|l| l.status == ListStatus::Open) else {
        return Ok(None);
    };
    let created = db.list_created_at(list.id)?.unwrap_or(0);
    if day < created.div_euclid(86_400) {
        return Ok(None);
    }
    Ok(Some(list))
}

/// A list of any status (open, closed, pending) called `name`, or [`Reason::NotVisible`]
/// when there is none. Only for operations that decide access themselves (`close`): it
/// says nothing of who may see the list.
pub fn find(env: &Env<'_>, name: &str) -> Result<List, Error> {
    let not_found = || Error::Refused(Refusal::Denied(Reason::NotVisible));
    let name = ListName::parse(name).map_err(|_| not_found())?;
    env.db()
        .list_by_name(&env.config.domain, &name)?
        .ok_or_else(not_found)
}

/// The role `amI` asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Function {
    Subscriber,
    Editor,
    Owner,
}

/// `amI`: whether `email` is a `subscriber`, an `editor` or an `owner` of `list`.
///
/// `owner` includes the listmasters (by account flag or configuration); `editor` is Sympa's
/// "actual editor": a moderator, or an owner when the list has no moderators (listmasters
/// are not editors). The requester must be authenticated ([`Reason::LoginRequired`]); the
/// list must be visible to them; asking about another address than one's own needs the
/// right to see the list's members (`review`) or being a listmaster, since the answer
/// tells who is on the list. Any other function is [`Field::Function`].
pub fn am_i(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    function: &str,
    email: &str,
) -> Result<bool, Error> {
    if requester.email.is_none() && !requester.listmaster {
        return Err(Refusal::Denied(Reason::LoginRequired).into());
    }
    let function = match function {
        "subscriber" => Function::Subscriber,
        "editor" => Function::Editor,
        "owner" => Function::Owner,
        _ => {
            return Err(Refusal::InvalidValue {
                field: Field::Function,
            }
            .into())
        }
    };
    check_length(Field::Email, email, 254)?;
    let target = parse_email(email)?;
    if requester.email.as_ref() == Some(&target) {
        env.authorize(requester, list, ActionKind::SeeList)?;
    } else {
        env.authorize(requester, list, ActionKind::Review)?;
    }
    let listmaster = super::account::is_listmaster(env, &target)?;
    let roles = env.db().roles(list.id, Some(&target), listmaster)?;
    Ok(match function {
        Function::Subscriber => roles.subscriber,
        Function::Editor => roles.editor,
        Function::Owner => roles.is_owner(),
    })
}

/// The open list called `name`, or [`Reason::NotVisible`] (as for an unknown list).
pub fn open_list(env: &Env<'_>, name: &str) -> Result<List, Error> {
    let not_found = || Error::Refused(Refusal::Denied(Reason::NotVisible));
    let name = ListName::parse(name).map_err(|_| not_found())?;
    env.db()
        .list_by_name(&env.config.domain, &name)?
        .filter(|list| list.status == ListStatus::Open)
        .ok_or_else(not_found)
}

/// Closes a list as Sympa's `closeList` does: an open list becomes closed (it keeps its
/// members and history but answers nothing); a pending one (asked for, never opened) is
/// purged with everything attached to it, and its owners are told by mail
/// (`list_rejected`). Privileged owners and listmasters only.
pub fn close(env: &mut Env<'_>, requester: &Requester, list: &List) -> Result<(), Error> {
    close_with_reason(env, requester, list, "")
}

/// [`close`], with the reason a listmaster gives for rejecting a pending list (put in the
/// mail to its owners; ignored for an open list).
pub fn close_with_reason(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    reason: &str,
) -> Result<(), Error> {
    env.authorize(requester, list, ActionKind::ManageList)?;
    check_length(Field::Note, reason, MAX_REASON)?;
    // Read again: the status may have changed since the caller read the list.
    let Some(current) = env.db().list_by_id(list.id)? else {
        return Err(Refusal::Denied(Reason::NotVisible).into());
    };
    if current.status != ListStatus::Pending {
        return env.transaction(requester, |tx| {
            tx.db.set_list_status(list.id, ListStatus::Closed)?;
            tx.audit("close_list", Some(list), None, json!({}))
        });
    }
    env.transaction(requester, |tx| {
        let by = tx.requester.email.as_ref().map_or("", |e| e.as_str());
        for owner in tx.db.admins(list.id)? {
            if owner.role == AdminRole::Owner {
                let mail = notices::list_rejected(&tx.composer, &owner.email, &current, by, reason);
                tx.queue(mail)?;
            }
        }
        purge_in(tx, list)
    })
}

/// The longest reason a listmaster gives for rejecting a pending list, in characters.
pub const MAX_REASON: usize = 2_000;

/// Deletes `list` and everything attached to it in `tx`, with its `purge_list` audit row
/// (written first: it keeps its text once the list is gone, its list id then cleared by the
/// database) and its archive's search entries.
pub(crate) fn purge_in(tx: &mut Tx<'_, '_>, list: &List) -> Result<(), Error> {
    tx.audit(
        "purge_list",
        Some(list),
        None,
        json!({ "list": list.address(), "subject": list.subject }),
    )?;
    // The search index's entries are removed with their messages' states.
    let mut after = 0;
    loop {
        let batch = tx.db.archive_visible_after(list.id, after, i64::MIN, 500)?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        for message in &batch {
            let index = match tx.db.archived_raw(message.id)? {
                Some(raw) => crate::archive::parse(&raw).index,
                None => IndexText::default(),
            };
            tx.db
                .set_archived_state(message.id, ArchivedState::Deleted, &index)?;
        }
    }
    tx.db.purge_list(list.id)?;
    Ok(())
}

/// The lists of the domain waiting for a listmaster (asked for by users, `pending`), by
/// name (Sympa's `get_pending_lists`); listmasters only.
pub fn pending(env: &Env<'_>, requester: &Requester) -> Result<Vec<List>, Error> {
    listmaster_only(requester)?;
    let mut lists = env.db().all_lists(&env.config.domain)?;
    lists.retain(|list| list.status == ListStatus::Pending);
    Ok(lists)
}

/// Opens a pending list (Sympa's `install_pending_list`), with an audit row, and tells its
/// owners by mail (`list_installed`); listmasters only. A list that is not pending is left
/// as it is.
pub fn install_pending(env: &mut Env<'_>, requester: &Requester, list: &List) -> Result<(), Error> {
    listmaster_only(requester)?;
    env.transaction(requester, |tx| {
        let Some(current) = tx.db.list_by_id(list.id)? else {
            return Err(Refusal::Denied(Reason::NotVisible).into());
        };
        if current.status != ListStatus::Pending {
            return Ok(());
        }
        tx.db.set_list_status(list.id, ListStatus::Open)?;
        let by = tx.requester.email.as_ref().map_or("", |e| e.as_str());
        for owner in tx.db.admins(list.id)? {
            if owner.role == AdminRole::Owner {
                let mail = notices::list_installed(&tx.composer, &owner.email, &current, by);
                tx.queue(mail)?;
            }
        }
        tx.audit("install_pending_list", Some(list), None, json!({}))
    })
}

fn listmaster_only(requester: &Requester) -> Result<(), Refusal> {
    if requester.listmaster {
        Ok(())
    } else if requester.email.is_none() {
        Err(Refusal::Denied(Reason::LoginRequired))
    } else {
        Err(Refusal::Denied(Reason::NotPermitted))
    }
}

/// The open lists of the domain that `requester` may see, by name: the public ones for
/// everyone; for a logged-in requester also the intranet ones and the concealed ones where
/// they are a member, moderator or owner; every list for a listmaster (`home`, `lists`).
pub fn visible(env: &Env<'_>, requester: &Requester) -> Result<Vec<ListSummary>, Error> {
    Ok(visible_lists(env, requester)?
        .into_iter()
        .map(|list| ListSummary {
            name: list.name,
            subject: list.subject,
            topics: list.topics,
            visibility: list.policy.visibility,
        })
        .collect())
}

/// The lists of [`visible`], whole.
fn visible_lists(env: &Env<'_>, requester: &Requester) -> Result<Vec<List>, Error> {
    let email = requester.email.as_ref();
    env.snapshot(|db| {
        let mut visible = Vec::new();
        for list in db.open_lists(&env.config.domain)? {
            // The shell's listmaster has no address, so no roles to read: it sees every list.
            let shown = list.policy.visibility == Visibility::Noconceal
                || requester.listmaster
                || (email.is_some()
                    && can_see(&db.roles(list.id, email, false)?, list.policy.visibility));
            if shown {
                visible.push(list);
            }
        }
        Ok(visible)
    })
}

/// The longest `search_list` filter, in characters.
pub const MAX_LIST_FILTER: usize = 100;

/// `search_list`: the lists of [`visible`] whose name, subject or description holds
/// `filter` (ignoring case; surrounding spaces are ignored). The same lists are read and
/// the same work is done whatever the filter finds, so neither the answer nor its time
/// tells of a list the requester may not see. An empty filter finds nothing; one longer
/// than [`MAX_LIST_FILTER`] characters is refused.
pub fn search(
    env: &Env<'_>,
    requester: &Requester,
    filter: &str,
) -> Result<Vec<ListSummary>, Error> {
    check_length(Field::Filter, filter, MAX_LIST_FILTER)?;
    let needle = filter.trim().to_lowercase();
    if needle.is_empty() {
        return Ok(Vec::new());
    }
    Ok(visible_lists(env, requester)?
        .into_iter()
        .filter(|list| {
            list.name.as_str().contains(&needle)
                || list.subject.to_lowercase().contains(&needle)
                || list.description.to_lowercase().contains(&needle)
        })
        .map(|list| ListSummary {
            name: list.name,
            subject: list.subject,
            topics: list.topics,
            visibility: list.policy.visibility,
        })
        .collect())
}

/// What the requester may do on a list, as its page offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Permissions {
    /// Subscribe (not a member yet, and the policy lets them ask).
    pub subscribe: bool,
    /// Unsubscribe (a member; or anonymous, who may always ask by mail).
    pub signoff: bool,
    /// See the members.
    pub review: bool,
    /// Read the archives.
    pub archive: bool,
    /// Decide on held requests.
    pub requests: bool,
}

/// A list's page (`info`), as the requester may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListInfo {
    /// How many members it has.
    pub member_count: u64,
    /// Its owners; empty for an anonymous requester (no harvesting by crawlers).
    pub owners: Vec<Admin>,
    /// Returns true if and only if the requester is a member.
    pub is_member: bool,
    /// Returns true if and only if the requester owns the list or is a listmaster.
    pub is_owner: bool,
    /// Returns true if and only if the requester is the list's actual editor: a moderator,
    /// or an owner when the list has no moderators (Sympa's `isEditor`).
    pub is_editor: bool,
    /// What the requester may do.
    pub may: Permissions,
}

/// `info`: the list's page for `requester`, if they may see the list.
pub fn info(env: &Env<'_>, requester: &Requester, list: &List) -> Result<ListInfo, Error> {
    env.authorize(requester, list, ActionKind::SeeList)?;
    let roles = env.roles(requester, list)?;
    let can = |kind: ActionKind| !matches!(decide(kind, &roles, &list.policy), Decision::Refuse(_));
    let anonymous = requester.email.is_none() && !requester.listmaster;
    env.snapshot(|db| {
        let owners = if anonymous {
            Vec::new()
        } else {
            // An owner who chose not to be shown (`edit`: visibility conceal) is shown to the
            // other owners and listmasters only.
            db.admin_entries(list.id)?
                .into_iter()
                .filter(|a| {
                    a.role == AdminRole::Owner
                        && (a.visibility != MemberVisibility::Conceal || roles.is_owner())
                })
                .map(|a| Admin {
                    email: a.email,
                    role: a.role,
                    privileged: a.privileged,
                    name: a.name,
                })
                .collect()
        };
        Ok(ListInfo {
            member_count: list.member_count,
            owners,
            is_member: roles.subscriber,
            is_owner: roles.is_owner(),
            is_editor: roles.editor,
            may: Permissions {
                subscribe: !roles.subscriber && can(ActionKind::Subscribe),
                signoff: roles.subscriber || (anonymous && can(ActionKind::Signoff)),
                review: can(ActionKind::Review),
                archive: can(ActionKind::ReadArchive),
                requests: can(ActionKind::ManageRequests),
            },
        })
    })
}

/// A list's mail settings (who may post, sizes, delivery, DMARC, subject tag, hold days),
/// for its owners and listmasters.
pub fn mail_settings(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
) -> Result<MailSettings, Error> {
    env.authorize(requester, list, ActionKind::ManageList)?;
    Ok(env.db().list_mail_settings(list.id)?)
}

/// Replaces a list's mail settings, for its privileged owners and listmasters, with an
/// audit row holding the old and new values. A `max_size` under 1 kB or a `hold_days` of 0
/// is refused: they would make every post fail or expire at once.
pub fn set_mail_settings(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    settings: &MailSettings,
) -> Result<(), Error> {
    env.authorize(requester, list, ActionKind::ManageList)?;
    if settings.max_size < MIN_MAX_SIZE {
        return Err(Refusal::InvalidValue {
            field: Field::MaxSize,
        }
        .into());
    }
    if settings.hold_days == 0 {
        return Err(Refusal::InvalidValue {
            field: Field::HoldDays,
        }
        .into());
    }
    check_length(Field::SubjectTag, &settings.subject_tag, MAX_SUBJECT_TAG)?;
    if settings
        .subject_tag
        .chars()
        .any(|c| c == '\t' || hidden_char(c))
    {
        return Err(Refusal::HiddenCharacters {
            field: Field::SubjectTag,
        }
        .into());
    }
    env.transaction(requester, |tx| {
        let before = tx.db.list_mail_settings(list.id)?;
        tx.db.set_list_mail_settings(list.id, settings)?;
        tx.audit(
            "set_mail_settings",
            Some(list),
            None,
            json!({ "before": before, "after": settings }),
        )
    })
}

/// Sets a list's language (`wwsympa list create --lang`): a tag the site has a catalogue
/// for (any case, `_` or `-`, a region falling back to its language: `fr_CA` → `fr`), or ""
/// for the site's; refused with [`Field::Language`] otherwise.
pub fn set_language(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    lang: &str,
) -> Result<String, Error> {
    env.authorize(requester, list, ActionKind::ManageList)?;
    let tag = match lang {
        "" => String::new(),
        tag => env
            .templates
            .catalogues()
            .lookup(tag)
            .map(|language| language.tag().to_string())
            .ok_or(Refusal::InvalidValue {
                field: Field::Language,
            })?,
    };
    env.transaction(requester, |tx| {
        tx.db.set_list_lang(list.id, &tag)?;
        tx.audit(
            "set_lang",
            Some(list),
            None,
            json!({ "before": list.lang, "after": tag }),
        )
    })?;
    Ok(tag)
}

/// The smallest `max_size` accepted: 1 kB.
pub const MIN_MAX_SIZE: u64 = 1024;

/// The longest subject tag, in characters.
pub const MAX_SUBJECT_TAG: usize = 64;
