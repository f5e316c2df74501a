//! Which of our addresses a recipient is, read live from the database: the domain must take
//! list mail (the configured `domain`, or a domain with an open list), and the local part
//! must name an open list's address or the robot's. Nothing is cached, so a new list takes
//! mail at once and a closed one stops at once.
//!
//! A renamed list's old addresses (`move_list` keeps its old names) are not ours any more,
//! but they say where the list went ([`NotOurs::Moved`]) when anyone may see the list
//! (`visibility noconceal`): a mail sender is not authenticated, so for an intranet or
//! concealed list an old name answers as an unknown address does, as the web's old links
//! do for visitors who may not see the list. Bounces of posts sent before the rename
//! (`OLD-owner+TOKEN`, the VERP return path) still reach the renamed list.

use std::cell::RefCell;

use crate::config::Config;
use crate::domain::{List, ListAddress, ListName, ListStatus, Visibility};
use crate::store::{Db, Error};

/// One of our addresses, with its list when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// `LIST@`.
    Post(List),
    /// `LIST-request@`.
    Request(List),
    /// `LIST-editor@`.
    Editor(List),
    /// `LIST-owner[+TOKEN]@`.
    Owner(List, Option<String>),
    /// `LIST-subscribe@`.
    Subscribe(List),
    /// `LIST-unsubscribe@`.
    Unsubscribe(List),
    /// `sympa@DOMAIN` (the configured `email`).
    Robot(String),
    /// `listmaster@DOMAIN`.
    Listmaster(String),
    /// `bounce+TOKEN@`.
    Bounce(String),
}

/// Why an address is not one of ours, for the `550` text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotOurs {
    /// Not `local@domain`.
    Syntax,
    /// A domain that takes no list mail.
    Domain,
    /// No such list or address in the domain.
    Unknown,
    /// An address of a list that was renamed, which anyone may see.
    Moved {
        /// The address asked for (lowercased).
        old: String,
        /// The renamed list's address (`new@domain`).
        list: String,
        /// The renamed list's address of the same kind (`new-request@domain`...), the same
        /// as `list` for the posting address.
        same: String,
    },
}

/// Splits `address` (as in `RCPT TO`, without angle brackets) into its lowercased local part
/// and domain.
pub fn split(address: &str) -> Option<(String, String)> {
    let address = address.trim().trim_start_matches('<').trim_end_matches('>');
    let (local, domain) = address.rsplit_once('@')?;
    let domain = domain.trim_end_matches('.');
    if local.is_empty()
        || domain.is_empty()
        || local.len() > 64
        || domain.len() > 253
        || !address.is_ascii()
        || address.contains(|c: char| c.is_ascii_control() || c == ' ')
    {
        return None;
    }
    Some((local.to_ascii_lowercase(), domain.to_ascii_lowercase()))
}

/// Resolves `address` against the database (and `config` for the robot's local part).
pub fn resolve(
    db: &Db<'_>,
    config: &Config,
    address: &str,
) -> Result<Result<Recipient, NotOurs>, Error> {
    let Some((local, domain)) = split(address) else {
        return Ok(Err(NotOurs::Syntax));
    };
    if !domain.eq_ignore_ascii_case(&config.domain) && !db.is_list_domain(&domain)? {
        return Ok(Err(NotOurs::Domain));
    }
    // The robot's own local part (Sympa's `email`), when it is not `sympa`.
    if local == config.email.to_ascii_lowercase() {
        return Ok(Ok(Recipient::Robot(domain)));
    }
    let failure: RefCell<Option<Error>> = RefCell::new(None);
    let found: RefCell<Vec<List>> = RefCell::new(Vec::new());
    let classified = ListAddress::classify(&local, |name: &ListName| {
        if failure.borrow().is_some() {
            return false;
        }
        match db.list_by_name(&domain, name) {
            Ok(Some(list)) if list.status == ListStatus::Open => {
                found.borrow_mut().push(list);
                true
            }
            Ok(_) => false,
            Err(e) => {
                *failure.borrow_mut() = Some(e);
                false
            }
        }
    });
    if let Some(e) = failure.into_inner() {
        return Err(e);
    }
    let list = |name: &ListName| {
        found
            .borrow()
            .iter()
            .find(|l| &l.name == name)
            .cloned()
            .expect("classify names only lists it was told exist")
    };
    Ok(match classified {
        None => renamed(db, &local, &domain)?,
        Some(ListAddress::Post(name)) => Ok(Recipient::Post(list(&name))),
        Some(ListAddress::Request(name)) => Ok(Recipient::Request(list(&name))),
        Some(ListAddress::Editor(name)) => Ok(Recipient::Editor(list(&name))),
        Some(ListAddress::Owner(name, token)) => Ok(Recipient::Owner(list(&name), token)),
        Some(ListAddress::Subscribe(name)) => Ok(Recipient::Subscribe(list(&name))),
        Some(ListAddress::Unsubscribe(name)) => Ok(Recipient::Unsubscribe(list(&name))),
        Some(ListAddress::Robot) => Ok(Recipient::Robot(domain)),
        Some(ListAddress::Listmaster) => Ok(Recipient::Listmaster(domain)),
        Some(ListAddress::Bounce(token)) => Ok(Recipient::Bounce(token)),
    })
}

/// What `local@domain` is when it names a renamed list by one of its old names: a VERP
/// bounce still counts on the list; any other address says where the list went when anyone
/// may see it, else it is unknown.
fn renamed(db: &Db<'_>, local: &str, domain: &str) -> Result<Result<Recipient, NotOurs>, Error> {
    let failure: RefCell<Option<Error>> = RefCell::new(None);
    let found: RefCell<Option<List>> = RefCell::new(None);
    let classified = ListAddress::classify(local, |name: &ListName| {
        if failure.borrow().is_some() || found.borrow().is_some() {
            return false;
        }
        let list = db.renamed_list(domain, name).and_then(|id| match id {
            Some(id) => db.list_by_id(id),
            None => Ok(None),
        });
        match list {
            Ok(Some(list)) if list.status == ListStatus::Open => {
                *found.borrow_mut() = Some(list);
                true
            }
            Ok(_) => false,
            Err(e) => {
                *failure.borrow_mut() = Some(e);
                false
            }
        }
    });
    if let Some(e) = failure.into_inner() {
        return Err(e);
    }
    let (Some(classified), Some(list)) = (classified, found.into_inner()) else {
        return Ok(Err(NotOurs::Unknown));
    };
    let suffix = match classified {
        ListAddress::Owner(_, Some(token)) => return Ok(Ok(Recipient::Owner(list, Some(token)))),
        _ if list.policy.visibility != Visibility::Noconceal => return Ok(Err(NotOurs::Unknown)),
        ListAddress::Post(_) => "",
        ListAddress::Request(_) => "-request",
        ListAddress::Editor(_) => "-editor",
        ListAddress::Owner(_, None) => "-owner",
        ListAddress::Subscribe(_) => "-subscribe",
        ListAddress::Unsubscribe(_) => "-unsubscribe",
        ListAddress::Robot | ListAddress::Listmaster | ListAddress::Bounce(_) => {
            return Ok(Err(NotOurs::Unknown))
        }
    };
    Ok(Err(NotOurs::Moved {
        old: format!("{local}@{domain}"),
        list: list.address(),
        same: format!("{}{suffix}@{}", list.name, list.domain),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split_lowercased_and_junk_is_refused() {
        assert_eq!(
            split("<Team@Lists.Example.ORG>"),
            Some(("team".into(), "lists.example.org".into()))
        );
        assert_eq!(
            split("team@lists.example.org."),
            Some(("team".into(), "lists.example.org".into()))
        );
        assert_eq!(split("team"), None);
        assert_eq!(split("@x.org"), None);
        assert_eq!(split("team@"), None);
        assert_eq!(split("t\u{e9}am@x.org"), None);
        assert_eq!(split("te am@x.org"), None);
        assert_eq!(split(&format!("{}@x.org", "a".repeat(65))), None);
    }
}
