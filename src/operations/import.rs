//! `import` (Sympa's old `add_request`): the owners' paste of many addresses, with a report line by line.
//!
//! Each line is `address name`, `address,name`, `address;name` or `"Name" <address>`
//! (blank lines and lines starting with `#` are skipped). Every valid address that is not a
//! member joins with the welcome mail unless `quiet`, each with its audit row `import`, all
//! in ONE transaction: the paste is added whole or, on a failure of the database, not at
//! all. A quiet paste (no mail) is inserted in bulk, with the same audit rows. At most
//! [`MAX_LINES`] lines at once.

use serde_json::json;

use super::membership::{check_name, join};
use super::{Env, Error, Field, Refusal, Requester, Tx};
use crate::domain::{ActionKind, Email, List};
use crate::store::{AuditEntry, NewMember};

/// Most lines of one paste (the web's body limit, 2 MiB, holds them).
pub const MAX_LINES: usize = 10_000;

/// Why a line was not added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineProblem {
    /// Not an e-mail address.
    BadAddress,
    /// The name is too long or holds hidden characters.
    BadName,
    /// The address came on an earlier line of the same paste.
    Repeated,
}

/// What became of the lines of a paste.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Now members: line number and address.
    pub added: Vec<(usize, Email)>,
    /// Members already, left as they were.
    pub already: Vec<(usize, Email)>,
    /// Refused: line number, the line (cut at 300 characters) and why.
    pub refused: Vec<(usize, String, LineProblem)>,
}

/// Splits one line into its address and name; `None` for a blank or comment line.
pub fn parse_line(line: &str) -> Option<(String, String)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    // `"Name" <address>` or `Name <address>`.
    if let (Some(open), true) = (line.rfind('<'), line.ends_with('>')) {
        let email = line[open + 1..line.len() - 1].trim().to_string();
        let name = line[..open].trim().trim_matches('"').trim().to_string();
        return Some((email, name));
    }
    let split = line
        .find(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .unwrap_or(line.len());
    let (email, rest) = line.split_at(split);
    let name = rest
        .trim_start_matches(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .trim()
        .trim_matches('"')
        .trim()
        .to_string();
    Some((email.to_string(), name))
}

/// `import`: adds the addresses of `text`, line by line (see the module documentation);
/// owners and listmasters (`ManageMembers`, Sympa's `add` scenario).
pub fn import(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    text: &str,
    quiet: bool,
) -> Result<ImportReport, Error> {
    env.authorize(requester, list, ActionKind::ManageMembers)?;
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| parse_line(line).is_some())
        .collect();
    if lines.len() > MAX_LINES {
        return Err(Refusal::TooMany {
            field: Field::Email,
            max: MAX_LINES,
        }
        .into());
    }
    let mut report = ImportReport::default();
    let mut valid: Vec<(usize, Email, String)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (index, line) in lines {
        let number = index + 1;
        let Some((typed, name)) = parse_line(line) else {
            continue;
        };
        let problem = match (Email::parse(&typed), check_name(&name)) {
            (Ok(email), Ok(name)) if typed.len() <= 254 => {
                if seen.insert(email.clone()) {
                    valid.push((number, email, name));
                    continue;
                }
                LineProblem::Repeated
            }
            (Ok(_), Err(_)) if typed.len() <= 254 => LineProblem::BadName,
            _ => LineProblem::BadAddress,
        };
        report
            .refused
            .push((number, line.trim().chars().take(300).collect(), problem));
    }
    // The one-click links of the welcome mails, made before the transaction.
    let secret = if quiet {
        Vec::new()
    } else {
        env.site_secret("oneclick")?
    };
    let base_url = env.config.base_url().to_string();
    let day = crate::store::now().div_euclid(86_400);
    let (added, already) = env.transaction(requester, |tx| {
        if quiet {
            return add_quietly(tx, list, &valid);
        }
        let (mut added, mut already) = (Vec::new(), Vec::new());
        for (number, email, name) in &valid {
            let oneclick = if quiet {
                String::new()
            } else {
                crate::mail::personalize::oneclick_url(
                    &base_url,
                    list.name.as_str(),
                    &list.address(),
                    email.as_str(),
                    &secret,
                    day,
                )
            };
            match join(tx, list, email, name, &oneclick, quiet, false, "import") {
                Ok(()) => added.push((*number, email.clone())),
                Err(Error::Refused(Refusal::AlreadyMember)) => {
                    already.push((*number, email.clone()))
                }
                Err(e) => return Err(e),
            }
        }
        Ok((added, already))
    })?;
    report.added = added;
    report.already = already;
    Ok(report)
}

/// Who joined and who was a member already, by line.
type Joined = (Vec<(usize, Email)>, Vec<(usize, Email)>);

/// A quiet import: no mail, so the new members are inserted in bulk and their audit rows
/// written at once (a paste of 10,000 lines is a few statements, not 30,000 round trips).
fn add_quietly(
    tx: &mut Tx<'_, '_>,
    list: &List,
    valid: &[(usize, Email, String)],
) -> Result<Joined, Error> {
    let mut existing = std::collections::HashSet::new();
    tx.db.for_each_member(list.id, |member| {
        existing.insert(member.email.clone());
        Ok(())
    })?;
    let (mut added, mut already, mut members) = (Vec::new(), Vec::new(), Vec::new());
    for (number, email, name) in valid {
        if existing.contains(email) {
            already.push((*number, email.clone()));
        } else {
            let mut member = NewMember::new(email.clone());
            member.name.clone_from(name);
            members.push(member);
            added.push((*number, email.clone()));
        }
    }
    tx.db.add_members_bulk(list.id, &members, 0, |_| {})?;
    let remote = tx.requester.remote();
    let entries: Vec<AuditEntry<'_>> = added
        .iter()
        .map(|(_, email)| AuditEntry {
            actor: tx.requester.email.as_ref(),
            remote_addr: remote.clone(),
            channel: tx.requester.channel.as_str(),
            action: "import",
            list: Some(list.id),
            target: Some(email),
            detail: json!({ "quiet": true }),
        })
        .collect();
    tx.db.audit_many(&entries)?;
    Ok((added, already))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_take_every_form_owners_paste() {
        let line = parse_line;
        let pair = |e: &str, n: &str| Some((e.to_string(), n.to_string()));
        assert_eq!(line("ann@x.org"), pair("ann@x.org", ""));
        assert_eq!(
            line("  ann@x.org   Ann Smith "),
            pair("ann@x.org", "Ann Smith")
        );
        assert_eq!(line("ann@x.org,Ann"), pair("ann@x.org", "Ann"));
        assert_eq!(line("ann@x.org;\"Ann\""), pair("ann@x.org", "Ann"));
        assert_eq!(
            line("\"Smith, Ann\" <ann@x.org>"),
            pair("ann@x.org", "Smith, Ann")
        );
        assert_eq!(
            line("Ann Smith <ann@x.org>"),
            pair("ann@x.org", "Ann Smith")
        );
        assert_eq!(line("<ann@x.org>"), pair("ann@x.org", ""));
        assert_eq!(line(""), None);
        assert_eq!(line("   "), None);
        assert_eq!(line("# a comment"), None);
    }
}
