//! `viewlogs`: a list's audit log, filtered by time, action, target, actor and client address, paged, newest first.
//!
//! Client addresses are recorded by the doors that have one (web, SOAP, the JSON API; the
//! shell and mail intake record none) and shown, and searched, only by the list's owners
//! and the listmasters: moderators read the log without them.

use std::net::IpAddr;

use super::{check_length, Env, Error, Field, Refusal, Requester};
use crate::domain::{ActionKind, List, Reason};
use crate::store::{AuditQuery, AuditRecord};

/// Most rows on one page of the log.
pub const MAX_PAGE_SIZE: u64 = 200;

/// What the log is searched for; every filter optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// Rows at or after this time (seconds since the epoch).
    pub since: Option<i64>,
    /// Rows before this time.
    pub until: Option<i64>,
    /// One action (`add`, `savefile`, ...).
    pub action: Option<String>,
    /// Addresses acted upon that contain this text.
    pub target: Option<String>,
    /// Requesters' addresses that contain this text.
    pub actor: Option<String>,
    /// Client addresses: a whole IP address, or the beginning of one ending with a dot or
    /// a colon (`192.0.2.`, `2001:db8:`), as typed ([`AddrFilter::parse`]).
    pub remote_addr: Option<String>,
}

/// A filter on the client address of log rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddrFilter {
    /// This address, in its canonical text form (RFC 5952 for IPv6).
    Exact(String),
    /// Addresses whose text starts so: whole IPv4 octets followed by a dot (1 to 3 of
    /// them), or whole IPv6 groups followed by a colon (1 to 7, no `::`), written as the
    /// canonical form writes them (no leading zeros, lowercase).
    Prefix(String),
}

impl AddrFilter {
    /// Reads what was typed; `None` for anything else than an address or such a prefix.
    pub fn parse(text: &str) -> Option<AddrFilter> {
        let text = text.trim();
        if let Ok(addr) = text.parse::<IpAddr>() {
            return Some(AddrFilter::Exact(addr.to_string()));
        }
        if let Some(head) = text.strip_suffix('.') {
            let octets: Vec<u8> = head
                .split('.')
                .map(|o| {
                    (!o.is_empty() && o.len() <= 3 && o.bytes().all(|b| b.is_ascii_digit()))
                        .then(|| o.parse::<u8>().ok())
                        .flatten()
                })
                .collect::<Option<_>>()?;
            if octets.len() > 3 {
                return None;
            }
            let parts: Vec<String> = octets.iter().map(u8::to_string).collect();
            return Some(AddrFilter::Prefix(format!("{}.", parts.join("."))));
        }
        if let Some(head) = text.strip_suffix(':') {
            let groups: Vec<u16> = head
                .split(':')
                .map(|g| {
                    (!g.is_empty() && g.len() <= 4)
                        .then(|| u16::from_str_radix(g, 16).ok())
                        .flatten()
                })
                .collect::<Option<_>>()?;
            if groups.len() > 7 {
                return None;
            }
            let parts: Vec<String> = groups.iter().map(|g| format!("{g:x}")).collect();
            return Some(AddrFilter::Prefix(format!("{}:", parts.join(":"))));
        }
        None
    }
}

/// One page of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogPage {
    /// The rows, newest first.
    pub rows: Vec<AuditRecord>,
    /// How many rows the filter finds in all.
    pub total: u64,
    /// Whether the rows carry their client addresses (owners and listmasters): when not,
    /// every row's `remote_addr` is `None`.
    pub addresses_shown: bool,
}

/// `viewlogs`: page `page` (from 1) of `size` rows of `list`'s log under `filter`; owners,
/// moderators and listmasters. Address filters are matched without case. The client
/// address filter is for owners and listmasters only (others: [`Reason::NotPermitted`]);
/// one that is neither an address nor a prefix is [`Field::RemoteAddr`].
pub fn viewlogs(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    filter: &LogFilter,
    page: u64,
    size: u64,
) -> Result<LogPage, Error> {
    env.authorize(requester, list, ActionKind::ViewLogs)?;
    let addresses_shown = env.roles(requester, list)?.is_owner();
    let addr = match filter.remote_addr.as_deref() {
        None => None,
        Some(_) if !addresses_shown => return Err(Refusal::Denied(Reason::NotPermitted).into()),
        Some(text) => Some(AddrFilter::parse(text).ok_or(Refusal::InvalidValue {
            field: Field::RemoteAddr,
        })?),
    };
    for text in [&filter.action, &filter.target, &filter.actor]
        .into_iter()
        .flatten()
    {
        check_length(Field::Filter, text, 254)?;
    }
    let target = filter.target.as_ref().map(|t| t.to_lowercase());
    let actor = filter.actor.as_ref().map(|t| t.to_lowercase());
    let size = size.clamp(1, MAX_PAGE_SIZE);
    let query = AuditQuery {
        list: Some(list.id),
        since: filter.since,
        until: filter.until,
        action: filter.action.as_deref(),
        target: target.as_deref(),
        actor: actor.as_deref(),
        remote_addr: match &addr {
            Some(AddrFilter::Exact(a)) => Some(a),
            _ => None,
        },
        remote_prefix: match &addr {
            Some(AddrFilter::Prefix(p)) => Some(p),
            _ => None,
        },
        offset: page.saturating_sub(1).saturating_mul(size),
        limit: size,
    };
    env.snapshot(|db| {
        let mut rows = db.audit_page(&query)?;
        if !addresses_shown {
            for row in &mut rows {
                row.remote_addr = None;
            }
        }
        Ok(LogPage {
            rows,
            total: db.audit_count(&query)?,
            addresses_shown,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::AddrFilter::{self, Exact, Prefix};

    #[test]
    fn address_filters_are_whole_addresses_or_whole_leading_parts() {
        let parse = AddrFilter::parse;
        assert_eq!(parse("192.0.2.7"), Some(Exact("192.0.2.7".into())));
        assert_eq!(parse(" 2001:DB8:0::7 "), Some(Exact("2001:db8::7".into())));
        assert_eq!(parse("192.0.2."), Some(Prefix("192.0.2.".into())));
        assert_eq!(parse("10."), Some(Prefix("10.".into())));
        assert_eq!(parse("010.001."), Some(Prefix("10.1.".into())));
        assert_eq!(parse("2001:0DB8:"), Some(Prefix("2001:db8:".into())));
        assert_eq!(
            parse("1:2:3:4:5:6:7:"),
            Some(Prefix("1:2:3:4:5:6:7:".into()))
        );
        for bad in [
            "",
            ".",
            "192.0.2",
            "192.0.256.",
            "1.2.3.4.",
            "1..2.",
            "a.b.",
            "192.0.2.*",
            "%",
            "2001:db8",
            "1:2:3:4:5:6:7:8:",
            "2001:db8::1:",
            "12345:",
            "g:",
            "192.0.2.7/24",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        // `2001::` and `::` are whole addresses, matched whole.
        assert_eq!(parse("2001::"), Some(Exact("2001::".into())));
        assert_eq!(parse("::"), Some(Exact("::".into())));
    }
}
