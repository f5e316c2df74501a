//! One-click unsubscription (RFC 8058) by the signed id of a list's mail.

use crate::auth;
use crate::domain::{Email, List, ListName};
use crate::operations::{Env, Error, Refusal, Requester};

use super::{leave, ONECLICK_VALIDITY_DAYS};

/// Checks a one-click id (`<day>-<mac>`) for `email` on the list called `list_name` (now,
/// or when the id was made: a renamed list's old links keep working); any mismatch, an old
/// id, an id older than the list (made for another list of that name) or a closed list is
/// [`Refusal::InvalidLink`].
pub fn oneclick_target(
    env: &Env<'_>,
    list_name: &str,
    id: &str,
    email: &str,
) -> Result<(List, Email), Error> {
    let invalid = || Error::Refused(Refusal::InvalidLink);
    let name = ListName::parse(list_name).map_err(|_| invalid())?;
    let email = Email::parse(email).map_err(|_| invalid())?;
    // The day the id was made, for a list created since (under a name taken over).
    let day = id
        .split_once('-')
        .and_then(|(day, _)| day.parse::<i64>().ok())
        .ok_or_else(invalid)?;
    // The list called so now, or before a rename: the id is checked against the name it
    // was made for (the one in the link), the list unsubscribed from is the renamed one.
    let list = crate::operations::lists::by_link_name(env, &name, day)?.ok_or_else(invalid)?;
    let secret = env.site_secret("oneclick")?;
    let today = crate::store::now().div_euclid(86_400);
    if !auth::check_oneclick(
        &secret,
        &format!("{name}@{}", list.domain),
        email.as_str(),
        id,
        today,
        ONECLICK_VALIDITY_DAYS,
    ) {
        return Err(invalid());
    }
    Ok((list, email))
}

/// `oneclick` (RFC 8058): unsubscribes the address the signed id was made for, without a
/// login and without the list's unsubscribe policy (the id proves the mailbox, as in
/// Sympa). Returns false when the address was no member (anymore): nothing to do.
pub fn oneclick(
    env: &mut Env<'_>,
    requester: &Requester,
    list_name: &str,
    id: &str,
    email: &str,
) -> Result<(bool, List), Error> {
    let (list, email) = oneclick_target(env, list_name, id, email)?;
    let removed = env.transaction(requester, |tx| {
        match leave(tx, &list, &email, false, false, "oneclick") {
            Ok(()) => Ok(true),
            Err(Error::Refused(Refusal::NotAMember)) => Ok(false),
            Err(e) => Err(e),
        }
    })?;
    Ok((removed, list))
}
