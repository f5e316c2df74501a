//! Whether a post's From must be rewritten to the list's address (DMARC mitigation): the
//! author's domain's published policy (`_dmarc.DOMAIN` TXT through mail-auth's resolver),
//! cached per domain, behind a seam ([`PolicySource`]) so that tests need no DNS.
//!
//! `auto` rewrites only for `p=quarantine` or `p=reject` (for a subdomain without a record of
//! its own: the parent domain's `sp=`, else its `p=`; the parent is the last two labels, no
//! public-suffix list). A lookup that fails means no rewriting (the post goes out as it
//! came, as when the domain publishes nothing); answers are cached for [`CACHE_HOURS`]
//! hours, failures for [`FAILURE_CACHE_SECONDS`] seconds.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::dmarc::{Dmarc, Policy as DmarcPolicy};
use mail_auth::MessageAuthenticator;

use crate::domain::DmarcProtection;

/// How long a domain's policy is trusted.
pub const CACHE_HOURS: u64 = 4;

/// How long a failed lookup is remembered (then asked again).
pub const FAILURE_CACHE_SECONDS: u64 = 600;

/// How long one lookup may take.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// What a domain publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// No record, or `p=none`.
    None,
    /// `p=quarantine`.
    Quarantine,
    /// `p=reject`.
    Reject,
}

/// Where policies come from: DNS ([`Dns`]) or, in tests, a table.
pub trait PolicySource: Send + Sync {
    /// The policy of `domain` (its own record; `Ok(None)` when it has none), or why it could
    /// not be known.
    fn lookup(&self, domain: &str) -> Result<Option<DmarcRecord>, String>;
}

impl PolicySource for Box<dyn PolicySource> {
    fn lookup(&self, domain: &str) -> Result<Option<DmarcRecord>, String> {
        (**self).lookup(domain)
    }
}

/// The parts of a DMARC record that matter here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DmarcRecord {
    /// `p=`.
    pub p: Policy,
    /// `sp=` (the policy for subdomains), `None` when absent.
    pub sp: Option<Policy>,
}

fn policy_of(p: &DmarcPolicy) -> Option<Policy> {
    match p {
        DmarcPolicy::Reject => Some(Policy::Reject),
        DmarcPolicy::Quarantine => Some(Policy::Quarantine),
        DmarcPolicy::None => Some(Policy::None),
        DmarcPolicy::Unspecified => None,
    }
}

/// Parses a `_dmarc` TXT record (`v=DMARC1; p=reject; ...`).
pub fn parse_record(text: &[u8]) -> Option<DmarcRecord> {
    let record = Dmarc::parse(text).ok()?;
    Some(DmarcRecord {
        p: policy_of(&record.p).unwrap_or(Policy::None),
        sp: policy_of(&record.sp),
    })
}

/// Policies from DNS, through mail-auth's resolver (the system's resolv.conf), on a
/// one-thread runtime of its own.
pub struct Dns {
    runtime: tokio::runtime::Runtime,
    resolver: MessageAuthenticator,
}

impl Dns {
    /// The system's resolver.
    pub fn system() -> Result<Dns, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("starting the DNS runtime: {e}"))?;
        let resolver = MessageAuthenticator::new_system_conf()
            .map_err(|e| format!("reading the system's DNS configuration: {e}"))?;
        Ok(Dns { runtime, resolver })
    }
}

impl PolicySource for Dns {
    fn lookup(&self, domain: &str) -> Result<Option<DmarcRecord>, String> {
        let name = format!("_dmarc.{domain}.");
        let answer = self.runtime.block_on(async {
            tokio::time::timeout(LOOKUP_TIMEOUT, self.resolver.txt_raw_lookup(name.as_str())).await
        });
        match answer {
            Err(_) => Err(format!("{name}: timed out")),
            Ok(Ok(text)) => Ok(parse_record(&text)),
            // NXDOMAIN and "no records" are the common "publishes nothing".
            Ok(Err(mail_auth::Error::Dns(mail_auth::DnsError::RecordNotFound(_)))) => Ok(None),
            Ok(Err(e)) => {
                let text = e.to_string();
                if text.contains("no record")
                    || text.contains("NXDomain")
                    || text.contains("not found")
                {
                    Ok(None)
                } else {
                    Err(format!("{name}: {text}"))
                }
            }
        }
    }
}

/// A source with answers cached per domain.
pub struct Cached<S> {
    source: S,
    cache: Mutex<HashMap<String, (Option<Policy>, Instant)>>,
}

impl<S: PolicySource> Cached<S> {
    /// Caches `source`'s answers.
    pub fn new(source: S) -> Cached<S> {
        Cached {
            source,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The policy that applies to mail From `domain` (lowercased), `None` when unknown.
    pub fn policy(&self, domain: &str) -> Option<Policy> {
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        let now = Instant::now();
        if let Some((policy, until)) = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&domain)
        {
            if *until > now {
                return *policy;
            }
        }
        let (policy, ttl) = match self.resolve(&domain) {
            Ok(policy) => (Some(policy), Duration::from_secs(CACHE_HOURS * 3600)),
            Err(e) => {
                log::warn!("DMARC policy of {domain}: {e}; its mail is not rewritten");
                (None, Duration::from_secs(FAILURE_CACHE_SECONDS))
            }
        };
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() > 100_000 {
            cache.retain(|_, (_, until)| *until > now);
        }
        cache.insert(domain, (policy, now + ttl));
        policy
    }

    fn resolve(&self, domain: &str) -> Result<Policy, String> {
        if let Some(record) = self.source.lookup(domain)? {
            return Ok(record.p);
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() > 2 {
            let parent = labels[labels.len() - 2..].join(".");
            if let Some(record) = self.source.lookup(&parent)? {
                return Ok(record.sp.unwrap_or(record.p));
            }
        }
        Ok(Policy::None)
    }

    /// Whether mail from `author` (an address) is sent From the list under `mode`.
    pub fn rewrites(&self, mode: DmarcProtection, author: Option<&str>) -> bool {
        match mode {
            DmarcProtection::Never => false,
            DmarcProtection::Always => true,
            DmarcProtection::Auto => {
                let Some(domain) = author.and_then(|a| a.rsplit_once('@')).map(|(_, d)| d) else {
                    return false;
                };
                matches!(
                    self.policy(domain),
                    Some(Policy::Quarantine | Policy::Reject)
                )
            }
        }
    }
}

/// A fixed table of records, for tests: `(domain, record text)`; `"FAIL"` as the text makes
/// the lookup fail.
pub struct Table(pub Vec<(String, String)>);

impl PolicySource for Table {
    fn lookup(&self, domain: &str) -> Result<Option<DmarcRecord>, String> {
        match self.0.iter().find(|(d, _)| d == domain) {
            Some((_, text)) if text == "FAIL" => Err("SERVFAIL".into()),
            Some((_, text)) => Ok(parse_record(text.as_bytes())),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Counting(Table, AtomicUsize);

    impl PolicySource for Counting {
        fn lookup(&self, domain: &str) -> Result<Option<DmarcRecord>, String> {
            self.1.fetch_add(1, Ordering::SeqCst);
            self.0.lookup(domain)
        }
    }

    #[test]
    fn only_quarantine_and_reject_rewrite_in_auto_mode() {
        let table = Table(vec![
            ("reject.example".into(), "v=DMARC1; p=reject".into()),
            (
                "quarantine.example".into(),
                "v=DMARC1; p=quarantine; pct=100".into(),
            ),
            ("none.example".into(), "v=DMARC1; p=none".into()),
            ("broken.example".into(), "FAIL".into()),
            (
                "parent.example".into(),
                "v=DMARC1; p=none; sp=reject".into(),
            ),
        ]);
        let cached = Cached::new(Counting(table, AtomicUsize::new(0)));
        let auto = |a: &str| cached.rewrites(DmarcProtection::Auto, Some(a));
        assert!(auto("a@reject.example"));
        assert!(auto("a@QUARANTINE.example"));
        assert!(!auto("a@none.example"));
        assert!(!auto("a@nothing.example"));
        assert!(!auto("a@broken.example"), "a failed lookup never rewrites");
        assert!(
            auto("a@mail.parent.example"),
            "a subdomain takes the parent's sp="
        );
        assert!(!cached.rewrites(DmarcProtection::Auto, None));
        assert!(cached.rewrites(DmarcProtection::Always, Some("a@none.example")));
        assert!(!cached.rewrites(DmarcProtection::Never, Some("a@reject.example")));
        // Cached: asking again looks nothing up.
        let before = cached.source.1.load(Ordering::SeqCst);
        assert!(auto("b@reject.example"));
        assert!(!auto("b@broken.example"));
        assert_eq!(cached.source.1.load(Ordering::SeqCst), before);
    }
}
