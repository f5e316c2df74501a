//! Rate limits on login, password mail, subscription and list requests, per address and per client, kept in
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

/// Login attempts from one client for one address: 10 per 15 minutes.
pub const LOGIN_PER_CLIENT_ADDRESS: Limit = Limit {
    bucket: "login-client-address",
    window: 900,
    max: 10,
};
/// Login attempts from one client, whatever the address: 30 per 15 minutes.
pub const LOGIN_PER_CLIENT: Limit = Limit {
    bucket: "login-client",
    window: 900,
    max: 30,
};
/// Login attempts for one address from all clients: past 10 per 15 minutes the address is
/// under attack from many clients, and its password is checked at most once every few
/// seconds ([`Env::login_pace`]) instead of being locked: the owner gets in after a short
/// wait, a botnet gets a guess every few seconds at most.
pub const LOGIN_PER_ADDRESS: Limit = Limit {
    bucket: "login-address",
    window: 900,
    max: 10,
};
/// The longest wait between two password checks of an address under attack, in seconds.
pub const LOGIN_PACE_MAX: i64 = 30;
/// Password mails asked from one client for one address: 3 per hour.
pub const PASSWORD_MAIL_PER_CLIENT_ADDRESS: Limit = Limit {
    bucket: "passwd-client-address",
    window: 3600,
    max: 3,
};
/// Password mails asked from one client: 10 per hour.
pub const PASSWORD_MAIL_PER_CLIENT: Limit = Limit {
    bucket: "passwd-client",
    window: 3600,
    max: 10,
};
/// Password mails sent to one address, whoever asks: 3 per hour. Past it, the request gets
/// the same answer and no mail (the links already sent still work), so nobody can flood an
/// address nor lock its owner out.
pub const PASSWORD_MAIL_PER_ADDRESS: Limit = Limit {
    bucket: "passwd-address",
    window: 3600,
    max: 3,
};
/// Anonymous subscription and unsubscription requests from one client for one address: 5 per hour.
pub const SUBSCRIBE_PER_CLIENT_ADDRESS: Limit = Limit {
    bucket: "subscribe-client-address",
    window: 3600,
    max: 5,
};
/// Anonymous subscription and unsubscription requests from one client: 20 per hour.
pub const SUBSCRIBE_PER_CLIENT: Limit = Limit {
    bucket: "subscribe-client",
    window: 3600,
    max: 20,
};
/// Confirmation mails to one address, all lists and clients together: 10 per hour; past
/// it the request gets the same answer and no mail.
pub const CONFIRMATION_MAIL_PER_ADDRESS: Limit = Limit {
    bucket: "confirm-address",
    window: 3600,
    max: 10,
};

/// Lists asked for by one user who is not a listmaster (each one mails the listmasters):
/// 5 per day.
pub const LIST_REQUEST_PER_ADDRESS: Limit = Limit {
    bucket: "list-request-address",
    window: 86_400,
    max: 5,
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
        if self.over_limit(limit, subject)? {
            log::warn!("rate limit {} reached by {subject}", limit.bucket);
            return Err(Refusal::TooManyAttempts.into());
        }
        Ok(())
    }

    /// Counts a hit and tells whether `limit` is now passed, refusing nothing.
    pub fn over_limit(&self, limit: &Limit, subject: &str) -> Result<bool, Error> {
        Ok(self.hits(limit, subject)? > limit.max)
    }

    fn hits(&self, limit: &Limit, subject: &str) -> Result<u32, Error> {
        Ok(self
            .db()
            .rate_limit_hit(limit.bucket, subject, limit.window)?)
    }

    /// The limits of a request about `address` from `client`: the client's own (all
    /// addresses) and the client's for that address. Requests without a client address
    /// (the shell) are not limited.
    pub fn rate_limit_client(
        &self,
        per_client: &Limit,
        per_client_address: &Limit,
        client: Option<IpAddr>,
        address: &str,
    ) -> Result<(), Error> {
        if let Some(client) = client {
            let client = client_key(client);
            self.rate_limit(per_client, &client)?;
            self.rate_limit(per_client_address, &format!("{client} {address}"))?;
        }
        Ok(())
    }

    /// Counts a login attempt for `address` from all clients; past [`LOGIN_PER_ADDRESS`],
    /// lets one password check through every few seconds (longer as attempts pile up, at
    /// most [`LOGIN_PACE_MAX`]) and refuses the others with "wait a few seconds".
    pub fn login_pace(&self, address: &str) -> Result<(), Error> {
        let hits = i64::from(self.hits(&LOGIN_PER_ADDRESS, address)?);
        let max = i64::from(LOGIN_PER_ADDRESS.max);
        if hits <= max {
            return Ok(());
        }
        let interval = pace_interval(hits, max);
        if self.db().rate_pace("login-pace", address, interval)? {
            return Ok(());
        }
        log::warn!("login attempts for {address:?} paced to one every {interval} s");
        Err(Refusal::TryAgainSoon {
            seconds: interval as u32,
        }
        .into())
    }
}

/// Seconds between two password checks of an address tried `hits` times in the window, past
/// its `max`: 2 s at first, a second more for every `max` further attempts, at most
/// [`LOGIN_PACE_MAX`].
fn pace_interval(hits: i64, max: i64) -> i64 {
    ((hits - max) / max).clamp(2, LOGIN_PACE_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pace_slows_as_attempts_pile_up() {
        assert_eq!(pace_interval(11, 10), 2);
        assert_eq!(pace_interval(40, 10), 3);
        assert_eq!(pace_interval(100, 10), 9);
        assert_eq!(pace_interval(1_000, 10), LOGIN_PACE_MAX);
    }

    #[test]
    fn ipv6_clients_are_grouped_by_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_eq!(client_key("192.0.2.1".parse().unwrap()), "192.0.2.1");
        assert_eq!(client_key("::ffff:192.0.2.1".parse().unwrap()), "192.0.2.1");
    }
}
