//! The list-mail half of the sender: claims due recipients of a post, builds each copy from
//! the archived bytes, signs it, hands it to the MTA over a few SMTP sessions and records
//! every recipient's reply.
//!
//! One claim is up to [`claim_size`] recipients of ONE delivery, in id order, which is domain
//! order ([`crate::store::Db::claim_delivery_rcpts`]). What every copy of a post shares (the
//! header block with the list's headers, the body, its DKIM body hash, the ARC set) is
//! built once per delivery ([`Prepared`], kept while the delivery is being worked). The
//! claimed recipients are split over at most `maxsmtp` worker threads, each with its own SMTP
//! session: personalized mode sends one transaction per recipient (VERP envelope, one-click
//! URL and DKIM signature of its own), bulk mode one copy to `nrcpt` recipients at a time.
//! The outcomes of a claim are recorded in one transaction when the claim is done.
//!
//! Delivery is at least once: a sender that dies after the MTA took a copy but before the
//! outcome is recorded leaves the row `sending`; once its lease ([`LEASE_SECONDS`]) runs
//! out another sender sends it again. Two live senders never send the same copy: a row is
//! claimed by one of them only, and its outcome is recorded only by the one holding it.
//!
//! Limits, by design or not yet done: the window for a second copy after a crash is one
//! claim (200 recipients by default: under a second of work at the measured rate); a post
//! that arrives with an ARC chain goes out unsealed (continuing a chain needs it verified);
//! DMARC's organizational domain is taken as the last two labels (no public-suffix list);
//! with `mail_transport = "sendmail"` each copy is one run of the program, whose exit status
//! is the only reply. Who gets a copy was decided when the post was queued
//! ([`crate::operations::distribution`]: `mail` members, and `not_me` members but the author).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::dmarc::{Cached, PolicySource};
use super::personalize::{self, Common, FromRewrite, ListFacts, Original};
use super::sign::{self, Dkim, SignError};
use super::smtp::{Reply, Session};
use super::{verp, Error};
use crate::config::{Config, MailTransport};
use crate::domain::DeliveryMode;
use crate::store::{self, ClaimedRcpt, DeliveryRecord, RcptOutcome, RcptState, Store};

/// How long a claim keeps other senders off a recipient, in seconds; a claim's work takes
/// a few seconds (each SMTP step may take [`SMTP_TIMEOUT`]).
pub const LEASE_SECONDS: i64 = 300;

/// How often the lease on a claim being sent is renewed.
const RENEW_EVERY: Duration = Duration::from_secs(60);

/// How long one SMTP step may take.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Recipients per session in a claim in personalized mode.
const PER_SESSION: u32 = 50;

/// Deliveries whose shared parts are kept between claims.
const PREPARED_KEPT: usize = 8;

/// How many recipients one claim takes: [`PER_SESSION`] for each of `maxsmtp` sessions
/// (200 by default), or a bulk transaction's `nrcpt` when that is more; 5,000 at most.
pub fn claim_size(config: &Config) -> u32 {
    (config.maxsmtp.saturating_mul(PER_SESSION))
        .max(config.nrcpt)
        .clamp(1, 5000)
}

/// What one [`Distributor::send_due`] did, in recipients.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// Taken by the MTA.
    pub sent: usize,
    /// Not taken for now; retried later.
    pub deferred: usize,
    /// Refused for good (5xx), or given up.
    pub failed: usize,
}

/// The signing keys, loaded once.
struct Keys {
    dkim: Option<Dkim>,
    arc: Option<sign::Arc>,
}

fn load_keys(config: &Config) -> Result<Keys, SignError> {
    let dkim_domain = config
        .dkim_signer_domain
        .clone()
        .unwrap_or_else(|| config.domain.clone());
    let dkim = match (&config.dkim_feature, &config.dkim_private_key_path) {
        (true, Some(path)) => Some(Dkim::new(
            sign::load_key(path)?,
            &dkim_domain,
            &config.dkim_selector,
        )),
        (true, None) => {
            return Err(SignError::Key {
                path: "(none)".into(),
                message: "dkim_feature is on but dkim_private_key_path is not set".into(),
            })
        }
        _ => None,
    };
    let arc = if config.arc_feature {
        let path = config
            .arc_private_key_path
            .as_ref()
            .or(config.dkim_private_key_path.as_ref())
            .ok_or_else(|| SignError::Key {
                path: "(none)".into(),
                message: "arc_feature is on but no key is set".into(),
            })?;
        Some(sign::Arc::new(
            sign::load_key(path)?,
            config.arc_signer_domain.as_deref().unwrap_or(&dkim_domain),
            config
                .arc_selector
                .as_deref()
                .unwrap_or(&config.dkim_selector),
            config.arc_srvid.as_deref().unwrap_or(&config.domain),
        ))
    } else {
        None
    };
    Ok(Keys { dkim, arc })
}

/// Says whether the DKIM and ARC keys of `config` can be used (for `wwsympa check`):
/// `Ok(None)` when neither is on, `Ok(Some(description))` when they load.
pub fn check_keys(config: &Config) -> Result<Option<String>, String> {
    let keys = load_keys(config).map_err(|e| e.to_string())?;
    let mut parts = Vec::new();
    if keys.dkim.is_some() {
        parts.push(format!(
            "DKIM d={} s={}",
            config
                .dkim_signer_domain
                .as_deref()
                .unwrap_or(&config.domain),
            config.dkim_selector
        ));
    }
    if keys.arc.is_some() {
        parts.push("ARC sealing".to_string());
    }
    Ok((!parts.is_empty()).then(|| parts.join(", ")))
}

/// What every copy of one post shares.
pub struct Prepared {
    /// The delivery.
    pub delivery: DeliveryRecord,
    /// The list's facts for its headers.
    pub facts: ListFacts,
    /// The header block and body every copy has.
    pub common: Common,
    /// The DKIM body hash, when signing.
    pub body_hash: Option<Vec<u8>>,
    /// The ARC set, when sealing (and the post came without a chain).
    pub arc_set: Vec<u8>,
    /// The one copy of a bulk delivery (signed), built once.
    pub bulk_copy: Option<Vec<u8>>,
}

/// Where a post's copies are handed over.
#[derive(Clone)]
enum Handover {
    Smtp {
        host: String,
        port: u16,
        helo: String,
    },
    Sendmail(std::path::PathBuf),
}

/// The sender's distribution state: keys, the DMARC cache, the posts being worked.
pub struct Distributor {
    keys: Result<Keys, String>,
    dmarc: Cached<Box<dyn PolicySource>>,
    prepared: HashMap<i64, (Arc<Prepared>, Instant)>,
}

impl Distributor {
    /// A distributor with the keys of `config` and DMARC policies from `policies`.
    pub fn new(config: &Config, policies: Box<dyn PolicySource>) -> Distributor {
        let keys = load_keys(config).map_err(|e| e.to_string());
        if let Err(e) = &keys {
            log::error!("distribution: {e}; list mail waits until the key can be used");
        }
        Distributor {
            keys,
            dmarc: Cached::new(policies),
            prepared: HashMap::new(),
        }
    }

    /// A distributor that asks the system's DNS resolver for DMARC policies (when it cannot
    /// be set up, no From is rewritten in `auto` mode, and that is logged).
    pub fn from_config(config: &Config) -> Distributor {
        let policies: Box<dyn PolicySource> = match super::dmarc::Dns::system() {
            Ok(dns) => Box::new(dns),
            Err(e) => {
                log::warn!("DMARC lookups: {e}; From is rewritten only for lists set to always");
                Box::new(super::dmarc::Table(Vec::new()))
            }
        };
        Distributor::new(config, policies)
    }

    /// Claims and sends, as sender `who`, every due recipient, claim after claim, until none
    /// is left or `stop` says so. Only store failures are errors: the MTA's refusals are
    /// recorded on the recipients.
    pub fn send_due(
        &mut self,
        store: &mut Store,
        config: &Config,
        who: &str,
        stop: &dyn Fn() -> bool,
    ) -> Result<Report, Error> {
        let mut report = Report::default();
        let verp_key = secret(store, verp::SECRET_NAME)?;
        let oneclick_key = secret(store, "oneclick")?;
        while !stop() {
            let claimed =
                store
                    .db()
                    .claim_delivery_rcpts(who, LEASE_SECONDS, claim_size(config))?;
            let Some(first) = claimed.first() else {
                break;
            };
            let delivery = first.delivery;
            let outcomes = match self.prepare(store, config, delivery) {
                Ok(Some(prepared)) => {
                    let keys = self.keys.as_ref().ok();
                    let context = Context {
                        config,
                        keys,
                        verp_key: &verp_key,
                        oneclick_key: &oneclick_key,
                    };
                    let mut renew = || {
                        if let Err(e) = store.db().renew_rcpt_claims(who, LEASE_SECONDS) {
                            log::warn!("delivery #{delivery}: renewing the lease: {e}");
                        }
                    };
                    send_claimed(&context, &prepared, &claimed, &mut renew)
                }
                Ok(None) => claimed
                    .iter()
                    .map(|r| {
                        outcome(
                            r.id,
                            RcptState::Failed,
                            None,
                            "the post is no longer in the archive",
                        )
                    })
                    .collect(),
                Err(text) => {
                    let retry = store::now() + retry_after(config, first.attempts);
                    claimed
                        .iter()
                        .map(|r| RcptOutcome {
                            id: r.id,
                            state: RcptState::Deferred,
                            retry_at: retry,
                            code: None,
                            text: text.clone(),
                        })
                        .collect()
                }
            };
            let outcomes = self.settle(store, config, delivery, &claimed, outcomes)?;
            for o in &outcomes {
                match o.state {
                    RcptState::Sent => report.sent += 1,
                    RcptState::Failed => report.failed += 1,
                    _ => report.deferred += 1,
                }
            }
            let held = store
                .transaction(|db| db.record_rcpt_outcomes(who, &outcomes))
                .map_err(Error::Store)?;
            if held < outcomes.len() {
                log::warn!(
                    "delivery #{delivery}: {} recipient(s) sent after their claim ran out; another sender may send them too",
                    outcomes.len() - held
                );
            }
        }
        Ok(report)
    }

    /// Turns deferrals past `mail_retry_period` into failures, logs the claim's result.
    fn settle(
        &mut self,
        store: &Store,
        config: &Config,
        delivery: i64,
        claimed: &[ClaimedRcpt],
        mut outcomes: Vec<RcptOutcome>,
    ) -> Result<Vec<RcptOutcome>, Error> {
        let created = match self.prepared.get(&delivery) {
            Some((p, _)) => p.delivery.created_at,
            None => store
                .db()
                .delivery(delivery)?
                .map(|d| d.created_at)
                .unwrap_or(0),
        };
        let give_up = store::now() - created > config.mail_retry_period as i64;
        let attempts: HashMap<i64, u32> = claimed.iter().map(|r| (r.id, r.attempts)).collect();
        for o in &mut outcomes {
            if o.state == RcptState::Deferred {
                if give_up {
                    o.state = RcptState::Failed;
                    o.text = format!("given up after {} s: {}", config.mail_retry_period, o.text);
                } else {
                    let tries = attempts.get(&o.id).copied().unwrap_or(0);
                    o.retry_at = store::now() + retry_after(config, tries);
                }
            }
        }
        let count = |s| outcomes.iter().filter(|o| o.state == s).count();
        log::info!(
            "delivery #{delivery}: {} sent, {} deferred, {} failed",
            count(RcptState::Sent),
            count(RcptState::Deferred),
            count(RcptState::Failed)
        );
        Ok(outcomes)
    }

    /// The shared parts of `delivery`'s copies, built on first use; `Ok(None)` when the post
    /// is gone (deleted from the archive), `Err` when it cannot be sent now (a key).
    fn prepare(
        &mut self,
        store: &Store,
        config: &Config,
        delivery: i64,
    ) -> Result<Option<Arc<Prepared>>, String> {
        if let Some((prepared, used)) = self.prepared.get_mut(&delivery) {
            *used = Instant::now();
            return Ok(Some(Arc::clone(prepared)));
        }
        let keys = self.keys.as_ref().map_err(Clone::clone)?;
        let db = store.db();
        let failed = |e: store::Error| format!("reading the post: {e}");
        let Some(record) = db.delivery(delivery).map_err(failed)? else {
            return Ok(None);
        };
        let Some(list) = db.list_by_id(record.list).map_err(failed)? else {
            return Ok(None);
        };
        let Some(raw) = db.archived_raw(record.message).map_err(failed)? else {
            return Ok(None);
        };
        let settings = db.list_mail_settings(record.list).map_err(failed)?;
        let base_url = config.base_url().to_string();
        let facts = ListFacts {
            name: list.name.to_string(),
            domain: list.domain.to_string(),
            archived_at: (!record.permalink.is_empty()).then(|| {
                format!(
                    "{base_url}/msg/{}/{}/{}",
                    list.name, record.month, record.permalink
                )
            }),
            base_url,
            subject_tag: settings.subject_tag.clone(),
        };
        let mut original = Original::parse(&raw);
        // The list's header and footer texts, as saved when the post is sent.
        let text = |name: &str| {
            db.text(&list.domain, Some(list.id), name)
                .map(|t| t.map(|t| t.body).unwrap_or_default())
                .map_err(failed)
        };
        super::decorate::decorate(
            &mut original,
            &text("message_header")?,
            &text("message_footer")?,
        );
        let rewrite = self
            .dmarc
            .rewrites(settings.dmarc, record.from_addr.as_deref())
            .then(|| FromRewrite {
                author: record
                    .from_name
                    .clone()
                    .or_else(|| record.from_addr.clone())
                    .unwrap_or_default(),
            });
        let common = personalize::common(&original, &facts, rewrite.as_ref());
        let body_hash = keys.dkim.as_ref().map(|d| d.body_hash(&common.body));
        let arc_set = match &keys.arc {
            Some(arc) => match arc.seal(&common.copy(b"")) {
                Ok(Some(set)) => set,
                Ok(None) => {
                    log::info!("delivery #{delivery}: the post came with an ARC chain; not sealed");
                    Vec::new()
                }
                Err(e) => return Err(format!("ARC: {e}")),
            },
            None => Vec::new(),
        };
        let bulk_copy = match record.mode {
            DeliveryMode::Bulk => {
                let unsubscribe = personalize::bulk_unsubscribe_header(&facts);
                let mut top = arc_set.clone();
                if let (Some(dkim), Some(bh)) = (&keys.dkim, &body_hash) {
                    let signature = dkim
                        .sign(&common.head(&unsubscribe), bh, unix_now())
                        .map_err(|e| e.to_string())?;
                    top.splice(0..0, signature);
                }
                top.extend_from_slice(&unsubscribe);
                Some(common.copy(&top))
            }
            DeliveryMode::Personalized => None,
        };
        let prepared = Arc::new(Prepared {
            delivery: record,
            facts,
            common,
            body_hash,
            arc_set,
            bulk_copy,
        });
        if self.prepared.len() >= PREPARED_KEPT {
            if let Some(oldest) = self
                .prepared
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(id, _)| *id)
            {
                self.prepared.remove(&oldest);
            }
        }
        self.prepared
            .insert(delivery, (Arc::clone(&prepared), Instant::now()));
        Ok(Some(prepared))
    }
}

fn secret(store: &Store, name: &str) -> Result<Vec<u8>, Error> {
    let mut candidate = [0u8; 32];
    crate::auth::random_bytes(&mut candidate).map_err(|e| Error::Build(e.to_string()))?;
    Ok(store.db().site_secret(name, &candidate)?)
}

fn unix_now() -> u64 {
    store::now().max(0) as u64
}

/// Seconds before the next try after `attempts` failed ones (as the outbox's retries).
fn retry_after(config: &Config, attempts: u32) -> i64 {
    super::sender::retry_delay(config.mail_retry_delay, attempts)
}

fn outcome(id: i64, state: RcptState, code: Option<u16>, text: &str) -> RcptOutcome {
    RcptOutcome {
        id,
        state,
        retry_at: 0,
        code,
        text: text.to_string(),
    }
}

/// The outcome a reply means: 2xx sent, 5xx failed, anything else deferred.
fn from_reply(id: i64, reply: &Reply) -> RcptOutcome {
    let state = match reply.code {
        200..=299 => RcptState::Sent,
        500..=599 => RcptState::Failed,
        _ => RcptState::Deferred,
    };
    outcome(id, state, Some(reply.code), &reply.text)
}

/// What the workers share.
struct Context<'a> {
    config: &'a Config,
    keys: Option<&'a Keys>,
    verp_key: &'a [u8],
    oneclick_key: &'a [u8],
}

/// Sends the claimed recipients over at most `maxsmtp` sessions at once, calling `renew`
/// every [`RENEW_EVERY`] meanwhile; one outcome per recipient.
fn send_claimed(
    context: &Context<'_>,
    prepared: &Prepared,
    claimed: &[ClaimedRcpt],
    renew: &mut dyn FnMut(),
) -> Vec<RcptOutcome> {
    let config = context.config;
    let handover = match config.mail_transport {
        MailTransport::Smtp => Handover::Smtp {
            host: config.smtp_host.clone(),
            port: config.smtp_port,
            helo: config.domain.clone(),
        },
        MailTransport::Sendmail => Handover::Sendmail(config.sendmail.clone()),
    };
    // At least 25 recipients a session: a session costs more than a few copies.
    let sessions = (config.maxsmtp.max(1) as usize)
        .min(claimed.len().div_ceil(25))
        .max(1);
    let per = claimed.len().div_ceil(sessions);
    let chunks: Vec<&[ClaimedRcpt]> = claimed.chunks(per.max(1)).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                let handover = handover.clone();
                scope.spawn(move || work(context, prepared, &handover, chunk))
            })
            .collect();
        // A slow MTA must not let the lease run out under the sessions' feet.
        let mut renewed = Instant::now();
        while !handles.iter().all(|h| h.is_finished()) {
            std::thread::sleep(Duration::from_millis(2));
            if renewed.elapsed() >= RENEW_EVERY {
                renew();
                renewed = Instant::now();
            }
        }
        handles
            .into_iter()
            .zip(&chunks)
            .flat_map(|(handle, chunk)| {
                handle.join().unwrap_or_else(|_| {
                    chunk
                        .iter()
                        .map(|r| {
                            outcome(
                                r.id,
                                RcptState::Deferred,
                                None,
                                "the sending thread panicked",
                            )
                        })
                        .collect()
                })
            })
            .collect()
    })
}

/// One session's share: the copies of `rcpts`, each outcome.
fn work(
    context: &Context<'_>,
    prepared: &Prepared,
    handover: &Handover,
    rcpts: &[ClaimedRcpt],
) -> Vec<RcptOutcome> {
    let mut outcomes = Vec::with_capacity(rcpts.len());
    let mut session = match handover {
        Handover::Smtp { host, port, helo } => {
            match Session::connect(host, *port, helo, SMTP_TIMEOUT) {
                Ok(session) => Some(session),
                Err(e) => {
                    let text = e.to_string();
                    return rcpts
                        .iter()
                        .map(|r| outcome(r.id, RcptState::Deferred, None, &text))
                        .collect();
                }
            }
        }
        Handover::Sendmail(_) => None,
    };
    let facts = &prepared.facts;
    let list = &facts.name;
    let domain = &facts.domain;
    let eight_bit = prepared.common.eight_bit;
    let mut send = |from: &str, to: &[&str], copy: &[u8]| -> Result<Vec<Reply>, String> {
        match (&mut session, handover) {
            (Some(session), _) => session
                .send(from, to, copy, eight_bit)
                .map(|o| (0..to.len()).map(|i| o.for_rcpt(i).clone()).collect())
                .map_err(|e| e.to_string()),
            (None, Handover::Sendmail(program)) => {
                let reply = sendmail(program, from, to, copy);
                Ok(vec![reply; to.len()])
            }
            (None, Handover::Smtp { .. }) => Err("no SMTP session".into()),
        }
    };
    match &prepared.bulk_copy {
        Some(copy) => {
            let from = format!("{list}-owner@{domain}");
            for group in rcpts.chunks(context.config.nrcpt.max(1) as usize) {
                let to: Vec<&str> = group.iter().map(|r| r.email.as_str()).collect();
                match send(&from, &to, copy) {
                    Ok(replies) => outcomes.extend(
                        group
                            .iter()
                            .zip(&replies)
                            .map(|(r, reply)| from_reply(r.id, reply)),
                    ),
                    Err(e) => {
                        let done = outcomes.len();
                        outcomes.extend(
                            rcpts[done..]
                                .iter()
                                .map(|r| outcome(r.id, RcptState::Deferred, None, &e)),
                        );
                        return outcomes;
                    }
                }
            }
        }
        None => {
            let day = store::now().div_euclid(86_400);
            let address = facts.address();
            for (i, rcpt) in rcpts.iter().enumerate() {
                let url = personalize::oneclick_url(
                    &facts.base_url,
                    list,
                    &address,
                    &rcpt.email,
                    context.oneclick_key,
                    day,
                );
                let unsubscribe = personalize::unsubscribe_headers(&url, facts);
                let mut top = Vec::with_capacity(1200 + unsubscribe.len());
                if let (Some(dkim), Some(bh)) = (
                    context.keys.and_then(|k| k.dkim.as_ref()),
                    &prepared.body_hash,
                ) {
                    match dkim.sign(&prepared.common.head(&unsubscribe), bh, unix_now()) {
                        Ok(signature) => top.extend_from_slice(&signature),
                        Err(e) => {
                            outcomes.push(outcome(
                                rcpt.id,
                                RcptState::Deferred,
                                None,
                                &e.to_string(),
                            ));
                            continue;
                        }
                    }
                }
                top.extend_from_slice(&prepared.arc_set);
                top.extend_from_slice(&unsubscribe);
                let copy = prepared.common.copy(&top);
                let from = verp::return_path(context.verp_key, list, domain, rcpt.id.max(0) as u64);
                match send(&from, &[rcpt.email.as_str()], &copy) {
                    Ok(replies) => outcomes.push(from_reply(rcpt.id, &replies[0])),
                    Err(e) => {
                        outcomes.extend(
                            rcpts[i..]
                                .iter()
                                .map(|r| outcome(r.id, RcptState::Deferred, None, &e)),
                        );
                        return outcomes;
                    }
                }
            }
        }
    }
    if let Some(session) = session {
        session.quit();
    }
    outcomes
}

/// Hands one copy to the sendmail program (`-i -f FROM -- RCPT…`); its exit status is the
/// reply: 0 taken, `EX_NOUSER`/`EX_NOHOST` (67, 68) refused, anything else deferred.
fn sendmail(program: &std::path::Path, from: &str, to: &[&str], copy: &[u8]) -> Reply {
    use std::io::Write as _;
    let child = std::process::Command::new(program)
        .args(["-i", "-f", from, "--"])
        .args(to)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            return Reply {
                code: 451,
                text: format!("running {}: {e}", program.display()),
            }
        }
    };
    let written = child
        .stdin
        .take()
        .map(|mut stdin| stdin.write_all(copy))
        .unwrap_or(Ok(()));
    match child.wait_with_output() {
        Ok(out) if out.status.success() && written.is_ok() => Reply {
            code: 250,
            text: format!("taken by {}", program.display()),
        },
        Ok(out) => {
            let code = match out.status.code() {
                Some(67 | 68) => 550,
                _ => 451,
            };
            Reply {
                code,
                text: format!(
                    "{} exited with {}: {}",
                    program.display(),
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            }
        }
        Err(e) => Reply {
            code: 451,
            text: format!("waiting for {}: {e}", program.display()),
        },
    }
}
