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

    mod on_a_list {
        use super::super::*;

        use crate::domain::AdminRole;
        use crate::operations::test_support::{email, run};
        use crate::operations::Channel;

        use crate::store::test_support::{list as new_list, on_both};

        fn owner() -> Requester {
            Requester {
                email: Some(email("own@a.org")),
                ..Requester::anonymous(Channel::Soap, None)
            }
        }

        /// The report in words: each line's number, then what became of it.
        fn words(report: &ImportReport) -> Vec<String> {
            let mut seen: Vec<(usize, String)> = Vec::new();
            for (n, e) in &report.added {
                seen.push((*n, format!("{n} added {}", e.as_str())));
            }
            for (n, e) in &report.already {
                seen.push((*n, format!("{n} already {}", e.as_str())));
            }
            for (n, line, problem) in &report.refused {
                seen.push((*n, format!("{n} {problem:?} {line}")));
            }
            seen.sort();
            seen.into_iter().map(|(_, w)| w).collect()
        }

        #[test]
        fn each_line_is_reported_by_its_number_and_welcomed_unless_quiet() {
            let seen = on_both(|store| {
                let list = new_list(store, "team");
                let db = store.db();
                db.add_admin(list, &email("own@a.org"), AdminRole::Owner, true)
                    .unwrap();
                db.add_member(list, &crate::store::NewMember::new(email("old@a.org")))
                    .unwrap();
                let list = db.list_by_id(list).unwrap().unwrap();
                let long = format!("{}@a.org", "x".repeat(250));
                let paste = format!(
                    "ann@a.org Ann\n\n# note\nold@a.org\nbob@a.org Bob\u{202e}\n{long}\n\
                     not an address\nANN@a.org again\n"
                );
                let mut seen = run(store, |env| {
                    let quiet = import(env, &owner(), &list, &paste, true).unwrap();
                    let loud =
                        import(env, &owner(), &list, "cy@a.org Cy\nann@a.org", false).unwrap();
                    let mut seen = words(&quiet);
                    seen.extend(words(&loud));
                    seen
                });
                let outbox: Vec<String> = (1..100)
                    .map_while(|id| store.db().outbox_message(id).unwrap())
                    .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                    .collect();
                seen.push(format!(
                    "mails {} to cy {}",
                    outbox.len(),
                    outbox.iter().all(|m| m.contains("To: cy@a.org"))
                ));
                seen
            });
            let long = format!("{}@a.org", "x".repeat(250));
            assert_eq!(
                seen,
                [
                    "1 added ann@a.org".to_string(),
                    "4 already old@a.org".into(),
                    "5 BadName bob@a.org Bob\u{202e}".into(),
                    format!("6 BadAddress {long}"),
                    "7 BadAddress not an address".into(),
                    "8 Repeated ANN@a.org again".into(),
                    "1 added cy@a.org".into(),
                    "2 already ann@a.org".into(),
                    "mails 1 to cy true".into(),
                ]
            );
        }

        #[test]
        fn a_paste_of_the_most_lines_is_taken_and_one_more_is_refused_whole() {
            let seen = on_both(|store| {
                let list = new_list(store, "team");
                let db = store.db();
                db.add_admin(list, &email("own@a.org"), AdminRole::Owner, true)
                    .unwrap();
                let list = db.list_by_id(list).unwrap().unwrap();
                // Blank and comment lines do not count.
                let most: String = (0..MAX_LINES)
                    .map(|i| format!("m{i}@a.org\n\n# {i}\n"))
                    .collect();
                let too_many = format!("{most}extra@a.org\n");
                run(store, |env| {
                    let refused = match import(env, &owner(), &list, &too_many, true) {
                        Err(Error::Refused(refusal)) => refusal.code(),
                        other => panic!("{other:?}"),
                    };
                    let members = env.db().member_count(list.id).unwrap();
                    let taken = import(env, &owner(), &list, &most, true).unwrap();
                    (
                        refused,
                        members,
                        taken.added.len(),
                        taken.added[MAX_LINES - 1].0,
                    )
                })
            });
            assert_eq!(seen, ("too_many", 0, MAX_LINES, 3 * MAX_LINES - 2));
        }
    }
}
