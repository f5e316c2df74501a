//! Rate limits on login, password mail and subscription, per address and per client, kept in
//! the store so every process shares them.

use std::net::IpAddr;

use super::{Env, Error, Refusal};

/// One limit: at most `max` hits per `window` seconds in `bucket`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// The counter's name.
    pub bucket: &'static str,
    /// The window, in seconds.
    pub window: i64,
    /// Hits allowed in one window.
    pub max: u32,
}

/// Login attempts for one address: 10 per 15 minutes.
pub const LOGIN_PER_ADDRESS: Limit = Limit {
    bucket: "login-address",
    window: 900,
    max: 10,
};
/// Login attempts from one client: 30 per 15 minutes.
pub const LOGIN_PER_CLIENT: Limit = Limit {
    bucket: "login-client",
    window: 900,
    max: 30,
};
/// Password mails to one address: 3 per hour.
pub const PASSWORD_MAIL_PER_ADDRESS: Limit = Limit {
    bucket: "passwd-address",
    window: 3600,
    max: 3,
};
/// Password mails asked from one client: 10 per hour.
pub const PASSWORD_MAIL_PER_CLIENT: Limit = Limit {
    bucket: "passwd-client",
    window: 3600,
    max: 10,
};
/// Subscription and unsubscription requests for one address: 5 per hour.
pub const SUBSCRIBE_PER_ADDRESS: Limit = Limit {
    bucket: "subscribe-address",
    window: 3600,
    max: 5,
};
/// Subscription and unsubscription requests from one client: 20 per hour.
pub const SUBSCRIBE_PER_CLIENT: Limit = Limit {
    bucket: "subscribe-client",
    window: 3600,
    max: 20,
};

/// The key of a client: its IPv4 address, or the /64 of an IPv6 one (a host usually has a whole /64).
pub fn client_key(addr: IpAddr) -> String {
    match addr {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

impl Env<'_> {
    /// Counts a hit (committed at once, so a refusal that follows does not undo it) and
    /// refuses once `limit` is passed.
    pub fn rate_limit(&self, limit: &Limit, subject: &str) -> Result<(), Error> {
        let hits = self
            .db()
            .rate_limit_hit(limit.bucket, subject, limit.window)?;
        if hits > limit.max {
            log::warn!("rate limit {} reached by {subject}", limit.bucket);
            return Err(Refusal::TooManyAttempts.into());
        }
        Ok(())
    }

    /// Applies a per-address and a per-client limit.
    pub fn rate_limit_both(
        &self,
        per_address: &Limit,
        address: &str,
        per_client: &Limit,
        client: Option<IpAddr>,
    ) -> Result<(), Error> {
        if let Some(client) = client {
            self.rate_limit(per_client, &client_key(client))?;
        }
        self.rate_limit(per_address, address)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_grouped_by_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_eq!(client_key("192.0.2.1".parse().unwrap()), "192.0.2.1");
        assert_eq!(client_key("::ffff:192.0.2.1".parse().unwrap()), "192.0.2.1");
    }
}
