//! The rules a new list name follows beyond its syntax: none of Sympa's reserved suffixes, none of the site's own addresses.
//!
//! Sympa routes `LIST-request@`, `LIST-owner@`, `LIST-editor@`, `LIST-subscribe@` and
//! `LIST-unsubscribe@` to a list's commands and owners, so a list called `team-owner` would
//! take over the owners' address of `team`; and the site answers `sympa@` (its `email`),
//! `listmaster@` and the mail system's own addresses, which no list may shadow.

use super::names::ListName;

/// The endings Sympa gives a list's other addresses; no list name ends with one.
pub const RESERVED_SUFFIXES: &[&str] = &[
    "-request",
    "-owner",
    "-editor",
    "-subscribe",
    "-unsubscribe",
];

/// Local parts every site answers besides its `email`: no list may take them.
pub const SITE_ADDRESSES: &[&str] = &[
    "sympa",
    "listmaster",
    "postmaster",
    "mailer-daemon",
    "abuse",
    "root",
    "bounce",
    "webmaster",
];

/// Why a new list name is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProblem {
    /// Not a list name at all: letters, digits and `. - _ +`, starting with a letter or a
    /// digit, at most 50 characters.
    Syntax,
    /// It ends with one of [`RESERVED_SUFFIXES`] (the one given).
    ReservedSuffix(&'static str),
    /// It is one of the site's own addresses.
    SiteAddress,
}

/// Checks a name typed for a new (or renamed) list: its syntax ([`ListName::parse`]), then
/// [`RESERVED_SUFFIXES`], then the site's addresses: [`SITE_ADDRESSES`] and `site_email`
/// (Sympa's `email`), with or without a reserved suffix of its own (`sympa-request`).
pub fn check_new_list_name(text: &str, site_email: &str) -> Result<ListName, NameProblem> {
    let name = ListName::parse(text).map_err(|_| NameProblem::Syntax)?;
    let site_email = site_email.trim().to_ascii_lowercase();
    let stem = RESERVED_SUFFIXES
        .iter()
        .find_map(|suffix| name.as_str().strip_suffix(suffix));
    let site = |local: &str| local == site_email || SITE_ADDRESSES.contains(&local);
    if site(name.as_str()) || stem.is_some_and(site) {
        return Err(NameProblem::SiteAddress);
    }
    if let Some(suffix) = RESERVED_SUFFIXES
        .iter()
        .find(|suffix| name.as_str().ends_with(*suffix))
    {
        return Err(NameProblem::ReservedSuffix(suffix));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_suffixes_are_refused_whatever_the_case() {
        for suffix in RESERVED_SUFFIXES {
            let name = format!("team{suffix}");
            assert_eq!(
                check_new_list_name(&name, "sympa"),
                Err(NameProblem::ReservedSuffix(suffix)),
                "{name}"
            );
            assert_eq!(
                check_new_list_name(&name.to_uppercase(), "sympa"),
                Err(NameProblem::ReservedSuffix(suffix))
            );
        }
        // The suffix alone in the middle is fine, and so is a longer word ending alike.
        assert!(check_new_list_name("team-owners", "sympa").is_ok());
        assert!(check_new_list_name("request-team", "sympa").is_ok());
        assert!(check_new_list_name("co-editors", "sympa").is_ok());
    }

    #[test]
    fn site_addresses_are_refused_with_or_without_a_suffix() {
        for local in SITE_ADDRESSES {
            assert_eq!(
                check_new_list_name(local, "lists"),
                Err(NameProblem::SiteAddress),
                "{local}"
            );
        }
        assert_eq!(
            check_new_list_name("lists", "lists"),
            Err(NameProblem::SiteAddress)
        );
        assert_eq!(
            check_new_list_name("Lists-Request", "LISTS"),
            Err(NameProblem::SiteAddress)
        );
        assert_eq!(
            check_new_list_name("sympa-owner", "lists"),
            Err(NameProblem::SiteAddress)
        );
        assert!(check_new_list_name("sympathy", "sympa").is_ok());
    }

    #[test]
    fn the_syntax_comes_first_and_good_names_are_lower_cased() {
        for bad in ["", " ", "-x", "a b", "é", &"a".repeat(51), "x/y"] {
            assert_eq!(
                check_new_list_name(bad, "sympa"),
                Err(NameProblem::Syntax),
                "{bad:?}"
            );
        }
        assert_eq!(
            check_new_list_name(" Team.Dev_2+x ", "sympa")
                .unwrap()
                .as_str(),
            "team.dev_2+x"
        );
    }
}
