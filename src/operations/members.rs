//! What owners do with a list's members: review and search them, add and remove them one at a
//! time or many at once, decide on held subscriptions and unsubscriptions, export and
//! bulk-import.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;

use super::membership::{accept_held, check_name, join, leave};
use super::{Env, Error, Field, Refusal, Requester, Tx};
use crate::domain::{ActionKind, Admin, AdminRole, Email, List, Member};
use crate::mail::notices::{self, RequestKind};
use crate::store::{MemberQuery, NewMember, PendingRecord};

/// Most addresses one web request may add or remove.
pub const MAX_AT_ONCE: usize = 1000;

/// One address typed by an owner, with an optional display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The address as typed.
    pub email: String,
    /// The display name, maybe empty.
    pub name: String,
}

/// Splits text into entries: one per line, `address[ ,;]name`; blank lines and lines
/// starting with `#` are skipped.
pub fn parse_entries(text: &str) -> Vec<Entry> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let split = line
                .find(|c: char| c.is_whitespace() || c == ',' || c == ';')
                .unwrap_or(line.len());
            let (email, rest) = line.split_at(split);
            let name = rest
                .trim_start_matches(|c: char| c.is_whitespace() || c == ',' || c == ';')
                .trim()
                .trim_matches('"')
                .to_string();
            Entry {
                email: email.to_string(),
                name,
            }
        })
        .collect()
}

/// What an `add` did, address by address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddReport {
    /// Now members.
    pub added: Vec<Email>,
    /// Members already: left as they were.
    pub already: Vec<Email>,
    /// Not addresses, or with a name that is not acceptable: left out.
    pub invalid: Vec<String>,
}

/// `add`: adds members, each with a welcome mail unless `quiet`; one transaction.
pub fn add(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    entries: &[Entry],
    quiet: bool,
) -> Result<AddReport, Error> {
    env.authorize(requester, list, ActionKind::ManageMembers)?;
    if entries.len() > MAX_AT_ONCE {
        return Err(Refusal::TooMany {
            field: Field::Email,
            max: MAX_AT_ONCE,
        }
        .into());
    }
    let mut report = AddReport::default();
    let mut valid = Vec::new();
    for entry in entries {
        match (Email::parse(&entry.email), check_name(&entry.name)) {
            (Ok(email), Ok(name)) if entry.email.len() <= 254 => {
                if !valid
                    .iter()
                    .any(|(e, _, _): &(Email, String, String)| *e == email)
                {
                    let oneclick = env.oneclick_url(list, &email)?;
                    valid.push((email, name, oneclick));
                }
            }
            _ => report.invalid.push(entry.email.chars().take(254).collect()),
        }
    }
    let (added, already) = env.transaction(requester, |tx| {
        let (mut added, mut already) = (Vec::new(), Vec::new());
        for (email, name, oneclick) in &valid {
            match join(tx, list, email, name, oneclick, quiet, false, "add") {
                Ok(()) => added.push(email.clone()),
                Err(Error::Refused(Refusal::AlreadyMember)) => already.push(email.clone()),
                Err(e) => return Err(e),
            }
        }
        Ok((added, already))
    })?;
    report.added = added;
    report.already = already;
    Ok(report)
}

/// What a `del` did, address by address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DelReport {
    /// No longer members.
    pub removed: Vec<Email>,
    /// Were no members.
    pub not_member: Vec<Email>,
    /// Not addresses.
    pub invalid: Vec<String>,
}

/// `del`: removes members, each with a goodbye mail unless `quiet`; one transaction.
pub fn del(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    emails: &[&str],
    quiet: bool,
) -> Result<DelReport, Error> {
    env.authorize(requester, list, ActionKind::ManageMembers)?;
    if emails.len() > MAX_AT_ONCE {
        return Err(Refusal::TooMany {
            field: Field::Email,
            max: MAX_AT_ONCE,
        }
        .into());
    }
    let mut report = DelReport::default();
    let mut valid: Vec<Email> = Vec::new();
    for typed in emails {
        match Email::parse(typed) {
            Ok(email) if typed.len() <= 254 => {
                if !valid.contains(&email) {
                    valid.push(email);
                }
            }
            _ => report.invalid.push(typed.chars().take(254).collect()),
        }
    }
    let (removed, not_member) = env.transaction(requester, |tx| {
        let (mut removed, mut not_member) = (Vec::new(), Vec::new());
        for email in &valid {
            match leave(tx, list, email, quiet, false, "del") {
                Ok(()) => removed.push(email.clone()),
                Err(Error::Refused(Refusal::NotAMember)) => not_member.push(email.clone()),
                Err(e) => return Err(e),
            }
        }
        Ok((removed, not_member))
    })?;
    report.removed = removed;
    report.not_member = not_member;
    Ok(report)
}

/// One page of `review`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewPage {
    /// The members on this page.
    pub members: Vec<Member>,
    /// How many match in all.
    pub total: u64,
    /// Returns true if and only if concealed members are shown (to owners).
    pub with_concealed: bool,
}

/// `review` and `search`: a page of members, if the list's review policy lets the requester
/// see them; members who chose to be concealed are shown to owners only.
pub fn review(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    query: MemberQuery<'_>,
) -> Result<ReviewPage, Error> {
    env.authorize(requester, list, ActionKind::Review)?;
    let with_concealed = env.roles(requester, list)?.is_owner();
    let query = MemberQuery {
        include_concealed: with_concealed,
        ..query
    };
    // One snapshot, so that the count and the page agree even while members come and go.
    env.snapshot(|db| {
        Ok(ReviewPage {
            members: db.members_page(list.id, &query)?,
            total: db.count_members(list.id, &query)?,
            with_concealed,
        })
    })
}

/// `review/LIST/owner` and `review/LIST/editor`: the list's owners or moderators, to whoever
/// may see its members.
pub fn admins(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    role: AdminRole,
) -> Result<Vec<Admin>, Error> {
    env.authorize(requester, list, ActionKind::Review)?;
    let mut admins = env.db().admins(list.id)?;
    admins.retain(|a| a.role == role);
    Ok(admins)
}

/// One address of `fullReview`: a member, an owner, a moderator, or several at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FullEntry {
    /// The address.
    pub email: Email,
    /// The display name: the member's, else the owner's or moderator's.
    pub name: String,
    /// A member of the list.
    pub subscriber: bool,
    /// An owner of the list (privileged or not).
    pub owner: bool,
    /// A moderator of the list. Unlike `amI`'s "actual editor", owners do not count when the
    /// list has no moderators: Sympa's fullReview says `isEditor false` for them (capture
    /// `11-fullReview`).
    pub editor: bool,
}

/// `fullReview`: the list's members, owners and moderators merged by address, sorted by
/// address; concealed members included. For owners and listmasters only (Sympa: "Listmaster
/// or listowner required").
pub fn full_review(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
) -> Result<Vec<FullEntry>, Error> {
    env.authorize(requester, list, ActionKind::ManageMembers)?;
    let entry = |email: &Email| FullEntry {
        email: email.clone(),
        name: String::new(),
        subscriber: false,
        owner: false,
        editor: false,
    };
    env.snapshot(|db| {
        let mut entries: BTreeMap<Email, FullEntry> = BTreeMap::new();
        db.for_each_member(list.id, |member| {
            entries.insert(
                member.email.clone(),
                FullEntry {
                    name: member.name.clone(),
                    subscriber: true,
                    ..entry(&member.email)
                },
            );
            Ok(())
        })?;
        for admin in &db.admins(list.id)? {
            let found = entries
                .entry(admin.email.clone())
                .or_insert_with(|| entry(&admin.email));
            if found.name.is_empty() {
                found.name.clone_from(&admin.name);
            }
            match admin.role {
                AdminRole::Owner => found.owner = true,
                AdminRole::Editor => found.editor = true,
            }
        }
        Ok(entries.into_values().collect())
    })
}

/// `subindex` (`kind` subscribe) / `sigindex` (`kind` signoff): the requests of that kind
/// waiting for an owner, oldest first.
pub fn requests(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    kind: RequestKind,
) -> Result<Vec<PendingRecord>, Error> {
    env.authorize(requester, list, ActionKind::ManageRequests)?;
    Ok(env
        .db()
        .pending_for_list(list.id, "owner")?
        .into_iter()
        .filter(|p| p.kind == kind.as_str())
        .collect())
}

/// What `auth_add` / `decl_add` / `auth_del` / `decl_del` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionReport {
    /// Accepted or declined.
    pub done: Vec<Email>,
    /// No waiting request for these (decided meanwhile, or never asked).
    pub missing: Vec<String>,
}

/// Decides on held requests of `kind`, in one transaction; each request is consumed once, so
/// a replayed decision finds nothing and changes nothing.
///
/// Accepting (`auth_add`, `auth_del`) does what the owners' mailed link does
/// ([`accept_held`]): the address joins with the welcome mail or leaves with the goodbye
/// mail, unless `quiet`. An address that joined (or left) meanwhile only has its request
/// consumed. Declining (`decl_add`, `decl_del`) leaves the membership as it is and tells the
/// requester, unless `quiet`.
pub fn decide_requests(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    kind: RequestKind,
    emails: &[&str],
    accept: bool,
    quiet: bool,
) -> Result<DecisionReport, Error> {
    env.authorize(requester, list, ActionKind::ManageRequests)?;
    if emails.len() > MAX_AT_ONCE {
        return Err(Refusal::TooMany {
            field: Field::Email,
            max: MAX_AT_ONCE,
        }
        .into());
    }
    let mut report = DecisionReport::default();
    let mut found = Vec::new();
    for typed in emails {
        let pending = match Email::parse(typed) {
            Ok(email) => env
                .db()
                .pending_for(list.id, kind.as_str(), &email, "owner")?,
            Err(_) => None,
        };
        match pending {
            Some(pending)
                if !found
                    .iter()
                    .any(|(p, _): &(PendingRecord, _)| p.id == pending.id) =>
            {
                // Only a welcome mail carries the one-click link.
                let oneclick = match (accept, kind) {
                    (true, RequestKind::Subscribe) => env.oneclick_url(list, &pending.email)?,
                    _ => String::new(),
                };
                found.push((pending, oneclick));
            }
            Some(_) => {}
            None => report.missing.push(typed.chars().take(254).collect()),
        }
    }
    report.done = env.transaction(requester, |tx| {
        let mut done = Vec::new();
        for (pending, oneclick) in &found {
            if !tx.db.delete_pending(pending.id)? {
                continue;
            }
            if accept {
                match accept_held(tx, list, kind, pending, oneclick, quiet) {
                    Ok(()) => {}
                    Err(Error::Refused(Refusal::AlreadyMember))
                        if kind == RequestKind::Subscribe => {}
                    Err(Error::Refused(Refusal::NotAMember)) if kind == RequestKind::Signoff => {}
                    Err(e) => return Err(e),
                }
            } else {
                decline_held(tx, list, kind, &pending.email, quiet)?;
            }
            done.push(pending.email.clone());
        }
        Ok(done)
    })?;
    Ok(report)
}

/// Declines a held request (the caller has deleted it): the membership stays as it is, the
/// requester gets the "declined" mail unless `quiet`, the audit row is `decl_add` /
/// `decl_del`.
fn decline_held(
    tx: &mut Tx<'_, '_>,
    list: &List,
    kind: RequestKind,
    email: &Email,
    quiet: bool,
) -> Result<(), Error> {
    if !quiet {
        let mail = notices::declined(&tx.composer, email, list, kind);
        tx.queue(mail)?;
    }
    let action = match kind {
        RequestKind::Subscribe => "decl_add",
        RequestKind::Signoff => "decl_del",
    };
    tx.audit(action, Some(list), Some(email), json!({ "quiet": quiet }))
}

/// Quotes one CSV field (RFC 4180), and defuses spreadsheet formulas: a field whose first
/// character, spaces aside, is `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`.
/// Every column goes through it, addresses included (`=cmd@x.org` is a valid address).
fn csv_field(text: &str) -> String {
    let text = if text
        .trim_start_matches(' ')
        .starts_with(['=', '+', '-', '@', '\t', '\r'])
    {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// `export_member`: every member as CSV (`email,name,reception,visibility,subscribed`), or
/// only the addresses when `light`; for owners.
pub fn export(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    light: bool,
) -> Result<String, Error> {
    env.authorize(requester, list, ActionKind::ManageMembers)?;
    let mut out = String::from(if light {
        "email\r\n"
    } else {
        "email,name,reception,visibility,subscribed\r\n"
    });
    env.db().for_each_member(list.id, |member| {
        out.push_str(&csv_field(member.email.as_str()));
        if !light {
            out.push(',');
            out.push_str(&csv_field(&member.name));
            out.push(',');
            out.push_str(member.reception.as_str());
            out.push(',');
            out.push_str(member.visibility.as_str());
            out.push(',');
            out.push_str(&member.subscribed_at.to_string());
        }
        out.push_str("\r\n");
        Ok(())
    })?;
    Ok(out)
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Lines read (entries, not counting blank and comment lines).
    pub read: usize,
    /// Now members.
    pub added: usize,
    /// Members already, or repeated in the file.
    pub skipped: usize,
    /// Lines that are not an address, with their line number (first 100 kept).
    pub invalid: Vec<(usize, String)>,
    /// How many lines were invalid in all.
    pub invalid_count: usize,
}

/// `wwsympa member import`: adds every address of `text` (one per line, optional name after
/// whitespace, a comma or a semicolon) without mail, in ONE transaction with one prepared
/// statement; `progress` is called with the count of addresses done every 10,000. One audit
/// row says how many were added.
pub fn import(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    text: &str,
    mut progress: impl FnMut(usize, usize),
) -> Result<ImportReport, Error> {
    env.authorize(requester, list, ActionKind::ManageMembers)?;
    let mut report = ImportReport::default();
    let mut members = Vec::new();
    let reception = env.db().list_default_reception(list.id)?;
    for (index, line) in text.lines().enumerate() {
        let entries = parse_entries(line);
        let Some(entry) = entries.first() else {
            continue;
        };
        report.read += 1;
        match (Email::parse(&entry.email), check_name(&entry.name)) {
            (Ok(email), Ok(name)) if entry.email.len() <= 254 => {
                let mut member = NewMember::new(email);
                member.name = name;
                member.reception = reception;
                members.push(member);
            }
            _ => {
                report.invalid_count += 1;
                if report.invalid.len() < 100 {
                    report
                        .invalid
                        .push((index + 1, line.chars().take(300).collect()));
                }
            }
        }
    }
    let total = members.len();
    let (added, skipped) = env.transaction(requester, |tx| {
        let counts = tx
            .db
            .add_members_bulk(list.id, &members, 10_000, |done| progress(done, total))?;
        tx.audit(
            "import",
            Some(list),
            None,
            json!({ "added": counts.0, "skipped": counts.1, "invalid": report.invalid_count }),
        )?;
        Ok(counts)
    })?;
    report.added = added;
    report.skipped = skipped;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_take_an_optional_name() {
        let entries = parse_entries(
            "a@x.org\n\n# comment\nb@x.org   Bea Smith\nc@x.org,\"Cy\"\n d@x.org;Dee \n",
        );
        let pairs: Vec<(&str, &str)> = entries
            .iter()
            .map(|e| (e.email.as_str(), e.name.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("a@x.org", ""),
                ("b@x.org", "Bea Smith"),
                ("c@x.org", "Cy"),
                ("d@x.org", "Dee")
            ]
        );
    }

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("Ann"), "Ann");
        assert_eq!(csv_field("Doe, Jane"), "\"Doe, Jane\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=1+1"), "'=1+1");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("-2+3@x.org"), "'-2+3@x.org");
        assert_eq!(csv_field("  =1"), "'  =1");
        assert_eq!(csv_field("\tx"), "'\tx");
        assert_eq!(csv_field("a-b@x.org"), "a-b@x.org");
    }
}
