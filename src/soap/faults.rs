//! Refusals and the door's own cases as Sympa's faults: the code, string and detail Sympa's `SOAP.pm` gives for each operation.
//!
//! Sympa's texts differ from one operation to the next (`Unknown list`, `Unknown list.`,
//! `Undefined list`, `unknown list`; `Not allowed` and `Not allowed.`), and clients match
//! on them, so they are kept as `reference/soap.md` §2.7 lists them. A refusal with no
//! Sympa counterpart gets a fault whose string is its stable code ([`Refusal::code`]).

use crate::domain::Reason;
use crate::messages;
use crate::operations::Refusal;

use super::ops::Op;
use super::Fault;

/// A call that needs a user without one: most operations.
pub fn not_authenticated() -> Fault {
    Fault::client("User not authenticated", Some("You should login first"))
}

/// A call that needs a user without one, for add, del, createList and closeList.
pub fn not_specified() -> Fault {
    Fault::client(
        "User not specified",
        Some("Use a trusted proxy or login first "),
    )
}

/// The fault of a call that needs a user, made without one.
pub fn login_required(op: Op) -> Fault {
    match op {
        Op::Add | Op::Del | Op::CreateList | Op::CloseList => not_specified(),
        _ => not_authenticated(),
    }
}

/// A required parameter left out; `usage` is Sympa's `Use : …` line.
pub fn parameters(usage: &str) -> Fault {
    Fault::client("Incorrect number of parameters", Some(usage))
}

/// A wrong address or password at `login`: a Server fault, as Sympa gives.
pub fn authentication_failed(email: &str) -> Fault {
    Fault::server(
        "Authentication failed",
        Some(&format!("Incorrect password for user {email} or bad login")),
    )
}

/// A rate limit reached (ours: Sympa has none).
pub fn too_many_requests(refusal: &Refusal) -> Fault {
    Fault::server(
        "Too many requests",
        Some(&messages::refusal(refusal, messages::english())),
    )
}

/// `authenticateAndRun` with a session that is unknown, expired or someone else's.
pub fn no_email_from_cookie() -> Fault {
    Fault::client("Could not get email from cookie", Some(""))
}

/// A list name that names no list the requester may see, as `op` says it.
pub fn unknown_list(op: Op, list: &str) -> Fault {
    let unknown = format!("List {list} unknown");
    match op {
        Op::Signoff | Op::AmI => Fault::server("Unknown list.", Some(&unknown)),
        Op::Add | Op::Del => Fault::server("Undefined list", Some("Undefined list")),
        // Sympa's detail has a typo ("inknown"); kept, clients may show it.
        Op::CloseList => Fault::client("unknown list", Some(&format!("inknown list {list}"))),
        Op::GetDetails | Op::SetDetails | Op::SetCustom => {
            Fault::client("List does not exist", Some("Use : <list>"))
        }
        _ => Fault::server("Unknown list", Some(&unknown)),
    }
}

/// The fault for `refusal` from operation `op`, on `list` (when it concerns one) for
/// `email` (the address the call was about, when there is one).
pub fn refusal(op: Op, refusal: &Refusal, list: &str, email: &str) -> Fault {
    refusal_for(op, refusal, list, email)
}

fn refusal_for(op: Op, refusal: &Refusal, list: &str, email: &str) -> Fault {
    match refusal {
        Refusal::Denied(Reason::NotVisible) => unknown_list(op, list),
        Refusal::Denied(Reason::LoginRequired) => login_required(op),
        // Leaving a list one is not on: Sympa's "user" report.
        Refusal::Denied(Reason::NotMember) if op == Op::Signoff => {
            refusal_for(op, &Refusal::NotAMember, list, email)
        }
        Refusal::Denied(reason) => denied(op, *reason),
        Refusal::BadCredentials => authentication_failed(email),
        Refusal::TooManyAttempts | Refusal::TryAgainSoon { .. } => too_many_requests(refusal),
        Refusal::InvalidAddress => match op {
            Op::Add => Fault::client(
                "Unable to add user",
                Some(&format!("Invalid email address provided: '{email}'")),
            ),
            Op::Del => Fault::client(
                "Unable to remove user",
                Some(&format!("Invalid email address provided: '{email}'")),
            ),
            _ => Fault::client(
                refusal.code(),
                Some(&messages::refusal(refusal, messages::english())),
            ),
        },
        Refusal::NotAMember => match op {
            // Sympa's detail misses the list name; kept as it sends it.
            Op::Signoff => Fault::server(
                "Undef",
                Some(&format!("E-mail address {email} was not found in list .")),
            ),
            Op::GetDetails | Op::SetDetails | Op::SetCustom => {
                Fault::client("Not a subscriber to this list", Some("Use : <list>"))
            }
            Op::Del => Fault::server(
                "Not subscribed",
                Some(&format!("Not member of list {list} or not subscribed")),
            ),
            _ => Fault::server(
                refusal.code(),
                Some(&messages::refusal(refusal, messages::english())),
            ),
        },
        Refusal::AlreadyMember => match op {
            Op::Add => Fault::server(
                "Unable to add user",
                Some(&format!("User already member of list {list}")),
            ),
            Op::Subscribe => Fault::server(
                "Already subscribed",
                Some(&format!("{email} is already a member of list {list}")),
            ),
            _ => Fault::server(
                refusal.code(),
                Some(&messages::refusal(refusal, messages::english())),
            ),
        },
        // What the requester typed is at fault.
        Refusal::TooLong { .. }
        | Refusal::HiddenCharacters { .. }
        | Refusal::InvalidValue { .. }
        | Refusal::TooMany { .. }
        | Refusal::TooBig { .. }
        | Refusal::Password(_)
        | Refusal::AlreadyExists(_)
        | Refusal::ListName(_)
        | Refusal::InvalidSettings(_)
        | Refusal::LastOwner
        | Refusal::LastPrivilegedOwner => Fault::client(
            refusal.code(),
            Some(&messages::refusal(refusal, messages::english())),
        ),
        Refusal::InvalidLink | Refusal::TooSoon { .. } | Refusal::NotClosed => Fault::server(
            refusal.code(),
            Some(&messages::refusal(refusal, messages::english())),
        ),
    }
}

/// A policy or role that says no (the list exists and is visible).
fn denied(op: Op, reason: Reason) -> Fault {
    let why = messages::reason(reason, messages::english());
    match op {
        Op::Add | Op::Del | Op::Subscribe | Op::Signoff | Op::CreateList => {
            Fault::server("Not allowed.", Some(why))
        }
        Op::FullReview => Fault::client(
            "Not enough privileges",
            Some("Listmaster or listowner required"),
        ),
        Op::CloseList => Fault::client("Not allowed", Some("Not allowed")),
        Op::GetDetails | Op::SetDetails | Op::SetCustom if reason == Reason::NotMember => {
            Fault::client("Not a subscriber to this list", Some("Use : <list>"))
        }
        _ => Fault::server("Not allowed", Some(why)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::FaultCode;

    fn pair(fault: &Fault) -> (FaultCode, &str, Option<&str>) {
        (fault.code, fault.string.as_str(), fault.detail.as_deref())
    }

    #[test]
    fn an_unknown_list_is_said_as_each_operation_of_sympa_says_it() {
        let unknown = Refusal::Denied(Reason::NotVisible);
        let cases = [
            (
                Op::Info,
                FaultCode::Server,
                "Unknown list",
                "List nosuch unknown",
            ),
            (
                Op::Review,
                FaultCode::Server,
                "Unknown list",
                "List nosuch unknown",
            ),
            (
                Op::Subscribe,
                FaultCode::Server,
                "Unknown list",
                "List nosuch unknown",
            ),
            (
                Op::Signoff,
                FaultCode::Server,
                "Unknown list.",
                "List nosuch unknown",
            ),
            (
                Op::AmI,
                FaultCode::Server,
                "Unknown list.",
                "List nosuch unknown",
            ),
            (
                Op::Add,
                FaultCode::Server,
                "Undefined list",
                "Undefined list",
            ),
            (
                Op::Del,
                FaultCode::Server,
                "Undefined list",
                "Undefined list",
            ),
            (
                Op::CloseList,
                FaultCode::Client,
                "unknown list",
                "inknown list nosuch",
            ),
            (
                Op::GetDetails,
                FaultCode::Client,
                "List does not exist",
                "Use : <list>",
            ),
        ];
        for (op, code, string, detail) in cases {
            let fault = refusal(op, &unknown, "nosuch", "a@example.org");
            assert_eq!(pair(&fault), (code, string, Some(detail)), "{op:?}");
        }
    }

    #[test]
    fn not_allowed_has_a_dot_for_the_changes_and_none_for_review() {
        let no = Refusal::Denied(Reason::NotPermitted);
        assert_eq!(refusal(Op::Add, &no, "l", "").string, "Not allowed.");
        assert_eq!(refusal(Op::Review, &no, "l", "").string, "Not allowed");
        assert_eq!(refusal(Op::Review, &no, "l", "").code, FaultCode::Server);
        let close = refusal(Op::CloseList, &no, "l", "");
        assert_eq!(
            pair(&close),
            (FaultCode::Client, "Not allowed", Some("Not allowed"))
        );
        let full = refusal(Op::FullReview, &no, "l", "");
        assert_eq!(full.string, "Not enough privileges");
    }

    #[test]
    fn a_failed_login_is_a_server_fault_and_a_missing_login_a_client_one() {
        let failed = refusal(Op::Login, &Refusal::BadCredentials, "", "x@example.org");
        assert_eq!(
            pair(&failed),
            (
                FaultCode::Server,
                "Authentication failed",
                Some("Incorrect password for user x@example.org or bad login")
            )
        );
        let login = Refusal::Denied(Reason::LoginRequired);
        assert_eq!(
            refusal(Op::Add, &login, "l", "").string,
            "User not specified"
        );
        assert_eq!(
            refusal(Op::Which, &login, "l", "").string,
            "User not authenticated"
        );
    }

    #[test]
    fn a_refusal_without_a_sympa_text_says_its_stable_code() {
        let many = Refusal::TooMany {
            field: crate::operations::Field::Email,
            max: 3,
        };
        let fault = refusal(Op::Add, &many, "l", "");
        assert_eq!(fault.string, "too_many");
        assert_eq!(fault.code, FaultCode::Client);
        let limited = refusal(Op::Login, &Refusal::TooManyAttempts, "", "");
        assert_eq!(limited.string, "Too many requests");
        assert_eq!(limited.code, FaultCode::Server);
    }
}
