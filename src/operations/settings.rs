//! A list's parameters as owners edit them on the web (`edit_list_request`, `edit_list`): read as text per Sympa parameter, validated, privileges of `domain::params` enforced, saved in one transaction with one audit row.
//!
//! Every parameter is shown and typed as one text value (a choice's stored name, a number,
//! a line, a comma-separated list). Saving takes the values submitted, by parameter name:
//! a parameter left out is unchanged; a value that differs from the current one must be
//! valid and the requester's to change ([`Privilege::Write`]); when any value is refused,
//! nothing is changed and every refused parameter is named
//! ([`Refusal::InvalidSettings`]). A form that changes nothing writes nothing, not even an
//! audit row.

use std::collections::BTreeMap;

use serde_json::json;

use super::bounces::{MAX_DAYS, MAX_THRESHOLD, MAX_WARNINGS, MIN_THRESHOLD};
use super::lists::{
    MAX_LIST_DESCRIPTION, MAX_LIST_SUBJECT, MAX_SUBJECT_TAG, MAX_TOPIC, MAX_TOPICS, MIN_MAX_SIZE,
};
use super::{Env, Error, Refusal, Requester, SettingProblem};
use crate::domain::bounce::{points, POINT};
use crate::domain::custom::{self, CustomAttribute};
use crate::domain::digest::MAX_DIGEST_MESSAGES;
use crate::domain::params::{self, Group, Param, Privilege};
use crate::domain::text::{hidden_char, unfit_for_one_line};
use crate::domain::ReceptionMode;
use crate::domain::{
    ActionKind, ArchiveAccess, BounceSettings, DeliveryMode, DigestSettings, DmarcProtection, List,
    ListPolicy, ListStatus, MailSettings, ReviewPolicy, Roles, SendPolicy, SubscribePolicy,
    UnsubscribePolicy, Visibility,
};

/// The largest `max_size` accepted: 1 GiB (a post larger than that is no list post).
pub const MAX_MAX_SIZE: u64 = 1 << 30;

/// The most attachments `max_attachments` may be set to.
pub const MAX_ATTACHMENTS: u64 = 1000;

/// The most days held posts may wait (`clean_delay_queuemod`).
pub const MAX_HOLD_DAYS: u64 = 365;

/// Every parameter of a list that the settings form shows, as one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListParams {
    /// The subject line.
    pub subject: String,
    /// The description (Sympa's `info`).
    pub description: String,
    /// The topics.
    pub topics: Vec<String>,
    /// The policies (visibility, subscribe, unsubscribe, review, archive).
    pub policy: ListPolicy,
    /// The mail settings (send, sizes, subject tag, personalization, DMARC, hold days).
    pub mail: MailSettings,
    /// The bounce rules.
    pub bounce: BounceSettings,
    /// The digest schedule and size.
    pub digest: DigestSettings,
    /// Open, closed or pending.
    pub status: ListStatus,
    /// The list's language tag (`fr`), "" for the site's.
    pub lang: String,
    /// What subscribers are asked (Sympa's `custom_attribute`).
    pub custom: Vec<CustomAttribute>,
    /// How new members receive the list (Sympa's `default_user_options.reception`).
    pub default_reception: ReceptionMode,
}

/// The kind of value a parameter takes, for the form's input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One line of at most this many characters.
    Line(usize),
    /// Several lines of at most this many characters.
    Text(usize),
    /// A whole number within bounds.
    Number {
        /// The smallest.
        min: u64,
        /// The largest.
        max: u64,
    },
    /// One of these stored names.
    Choice(&'static [&'static str]),
    /// A language tag the site has a catalogue for, or "" for the site's language.
    Language,
}

/// One parameter as the form shows it to a requester.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamView {
    /// Its row of the privilege table (name, group).
    pub param: &'static Param,
    /// What the requester may do with it (never [`Privilege::Hidden`] here).
    pub privilege: Privilege,
    /// Its current value, as typed.
    pub value: String,
    /// The kind of value.
    pub kind: Kind,
}

const VISIBILITIES: &[&str] = &["noconceal", "intranet", "conceal"];
const SENDS: &[&str] = &[
    "public",
    "privateoreditorkey",
    "private",
    "editorkey",
    "editorkeyonly",
    "newsletter",
    "closed",
];
const SUBSCRIBES: &[&str] = &[
    "open",
    "open_notify",
    "auth",
    "auth_notify",
    "auth_owner",
    "owner",
    "owner_notify",
    "closed",
];
const UNSUBSCRIBES: &[&str] = &[
    "open",
    "open_notify",
    "auth",
    "auth_notify",
    "owner",
    "owner_notify",
    "closed",
];
const ACCESSES: &[&str] = &["public", "private", "owner", "closed"];
const DELIVERIES: &[&str] = &["personalized", "bulk"];
const DMARCS: &[&str] = &["auto", "always", "never"];
const RECEPTIONS: &[&str] = &[
    "mail",
    "not_me",
    "digest",
    "digestplain",
    "summary",
    "nomail",
];
const STATUSES: &[&str] = &["open", "closed", "pending"];

/// The kind of value of the parameter called `name`.
pub fn kind(name: &str) -> Kind {
    match name {
        "subject" => Kind::Line(MAX_LIST_SUBJECT),
        "info" => Kind::Text(MAX_LIST_DESCRIPTION),
        "topics" => Kind::Line(MAX_TOPICS * (MAX_TOPIC + 2)),
        "visibility" => Kind::Choice(VISIBILITIES),
        "lang" => Kind::Language,
        "send" => Kind::Choice(SENDS),
        "max_size" => Kind::Number {
            min: MIN_MAX_SIZE,
            max: MAX_MAX_SIZE,
        },
        "max_attachments" => Kind::Number {
            min: 0,
            max: MAX_ATTACHMENTS,
        },
        "custom_subject" => Kind::Line(MAX_SUBJECT_TAG),
        "personalization" => Kind::Choice(DELIVERIES),
        "dmarc_protection" => Kind::Choice(DMARCS),
        "clean_delay_queuemod" => Kind::Number {
            min: 1,
            max: MAX_HOLD_DAYS,
        },
        "digest" => Kind::Line(64),
        "digest_max_size" => Kind::Number {
            min: 1,
            max: u64::from(MAX_DIGEST_MESSAGES),
        },
        "default_user_options.reception" => Kind::Choice(RECEPTIONS),
        "subscribe" => Kind::Choice(SUBSCRIBES),
        "unsubscribe" => Kind::Choice(UNSUBSCRIBES),
        "review" | "archive.web_access" => Kind::Choice(ACCESSES),
        "custom_attribute" => Kind::Text(custom::MAX_ATTRIBUTES * 800),
        "bounce.threshold" => Kind::Line(16),
        "bounce.stale_days" | "bounce.warning_days" => Kind::Number {
            min: 1,
            max: u64::from(MAX_DAYS),
        },
        "bounce.warnings" => Kind::Number {
            min: 0,
            max: u64::from(MAX_WARNINGS),
        },
        _ => Kind::Choice(STATUSES),
    }
}

impl ListParams {
    /// The value of the parameter called `name`, as the form shows it.
    pub fn show(&self, name: &str) -> String {
        match name {
            "subject" => self.subject.clone(),
            "info" => self.description.clone(),
            "topics" => self.topics.join(", "),
            "visibility" => self.policy.visibility.as_str().into(),
            "lang" => self.lang.clone(),
            "send" => self.mail.send.as_str().into(),
            "max_size" => self.mail.max_size.to_string(),
            "max_attachments" => self
                .mail
                .max_attachments
                .map_or(String::new(), |n| n.to_string()),
            "custom_subject" => self.mail.subject_tag.clone(),
            "personalization" => self.mail.delivery.as_str().into(),
            "dmarc_protection" => self.mail.dmarc.as_str().into(),
            "clean_delay_queuemod" => self.mail.hold_days.to_string(),
            "digest" => {
                if self.digest.days == 0 {
                    "none".into()
                } else {
                    self.digest.schedule_text()
                }
            }
            "digest_max_size" => self.digest.max_messages.to_string(),
            "default_user_options.reception" => self.default_reception.as_str().into(),
            "subscribe" => self.policy.subscribe.as_str().into(),
            "unsubscribe" => self.policy.unsubscribe.as_str().into(),
            "review" => self.policy.review.as_str().into(),
            "archive.web_access" => self.policy.archive.as_str().into(),
            "custom_attribute" => custom::show(&self.custom),
            "bounce.threshold" => points(self.bounce.threshold),
            "bounce.stale_days" => self.bounce.stale_days.to_string(),
            "bounce.warnings" => self.bounce.warnings.to_string(),
            "bounce.warning_days" => self.bounce.warning_days.to_string(),
            _ => self.status.as_str().into(),
        }
    }

    /// Sets the parameter called `name` from what was typed, or says what is wrong with it.
    pub fn set(&mut self, name: &str, typed: &str) -> Result<(), SettingProblem> {
        let kind = kind(name);
        let text = typed.trim();
        match name {
            "subject" => {
                self.subject = line(text, MAX_LIST_SUBJECT)?;
                if self.subject.is_empty() {
                    return Err(SettingProblem::Required);
                }
            }
            "info" => {
                let text = typed.replace("\r\n", "\n");
                let text = text.trim_end();
                if text.chars().count() > MAX_LIST_DESCRIPTION {
                    return Err(SettingProblem::TooLong {
                        max: MAX_LIST_DESCRIPTION,
                    });
                }
                if text.chars().any(hidden_char) {
                    return Err(SettingProblem::HiddenCharacters);
                }
                self.description = text.to_string();
            }
            "topics" => {
                let mut topics = Vec::new();
                for topic in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                    let topic = line(topic, MAX_TOPIC)?;
                    if !topics.contains(&topic) {
                        topics.push(topic);
                    }
                }
                if topics.len() > MAX_TOPICS {
                    return Err(SettingProblem::TooMany { max: MAX_TOPICS });
                }
                self.topics = topics;
            }
            "visibility" => {
                self.policy.visibility = match text {
                    "noconceal" => Visibility::Noconceal,
                    "intranet" => Visibility::Intranet,
                    "conceal" => Visibility::Conceal,
                    _ => return Err(SettingProblem::NotAChoice),
                }
            }
            "lang" => {
                // Which tags the site has is checked by `save`, which knows the catalogues.
                if text.len() > 35
                    || !text
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    return Err(SettingProblem::NotAChoice);
                }
                self.lang = text.to_ascii_lowercase().replace('_', "-");
            }
            "send" => self.mail.send = choice(SendPolicy::parse_exact(text))?,
            "max_size" => self.mail.max_size = number(text, kind)?,
            "max_attachments" => {
                self.mail.max_attachments = if text.is_empty() {
                    None
                } else {
                    Some(number(text, kind)? as u32)
                }
            }
            "custom_subject" => {
                if text.chars().count() > MAX_SUBJECT_TAG {
                    return Err(SettingProblem::TooLong {
                        max: MAX_SUBJECT_TAG,
                    });
                }
                if text
                    .chars()
                    .any(|c| c == '\t' || hidden_char(c) || c == '\n' || c == '\r')
                {
                    return Err(SettingProblem::HiddenCharacters);
                }
                self.mail.subject_tag = text.to_string();
            }
            "personalization" => {
                self.mail.delivery = match text {
                    "personalized" => DeliveryMode::Personalized,
                    "bulk" => DeliveryMode::Bulk,
                    _ => return Err(SettingProblem::NotAChoice),
                }
            }
            "dmarc_protection" => {
                self.mail.dmarc = match text {
                    "auto" => DmarcProtection::Auto,
                    "always" => DmarcProtection::Always,
                    "never" => DmarcProtection::Never,
                    _ => return Err(SettingProblem::NotAChoice),
                }
            }
            "clean_delay_queuemod" => self.mail.hold_days = number(text, kind)? as u32,
            "digest" => {
                if text.eq_ignore_ascii_case("none") || text.is_empty() {
                    self.digest.days = 0;
                } else {
                    let (days, minute) =
                        DigestSettings::parse_schedule(text).ok_or(SettingProblem::Schedule)?;
                    if days == 0 {
                        return Err(SettingProblem::Schedule);
                    }
                    self.digest.days = days;
                    self.digest.minute = minute;
                }
            }
            "digest_max_size" => self.digest.max_messages = number(text, kind)? as u32,
            "default_user_options.reception" => {
                // The stored names only (not Sympa's `html` synonym).
                self.default_reception = RECEPTIONS
                    .contains(&text)
                    .then(|| ReceptionMode::parse(text))
                    .flatten()
                    .ok_or(SettingProblem::NotAChoice)?
            }
            "subscribe" => self.policy.subscribe = choice(SubscribePolicy::parse_exact(text))?,
            "unsubscribe" => {
                self.policy.unsubscribe = choice(UnsubscribePolicy::parse_exact(text))?
            }
            "review" => self.policy.review = choice(ReviewPolicy::parse_exact(text))?,
            "archive.web_access" => self.policy.archive = choice(ArchiveAccess::parse_exact(text))?,
            "custom_attribute" => {
                self.custom = custom::parse(typed).map_err(SettingProblem::Custom)?;
            }
            "bounce.threshold" => self.bounce.threshold = threshold(text)?,
            "bounce.stale_days" => self.bounce.stale_days = number(text, kind)? as u32,
            "bounce.warnings" => self.bounce.warnings = number(text, kind)? as u32,
            "bounce.warning_days" => self.bounce.warning_days = number(text, kind)? as u32,
            _ => {
                // `status`: nobody changes it here (`close_list` does); the same value is
                // no change.
                if text != self.status.as_str() {
                    return Err(SettingProblem::NotAllowed);
                }
            }
        }
        Ok(())
    }
}

fn line(text: &str, max: usize) -> Result<String, SettingProblem> {
    if text.chars().count() > max {
        return Err(SettingProblem::TooLong { max });
    }
    if unfit_for_one_line(text) {
        return Err(SettingProblem::HiddenCharacters);
    }
    Ok(text.to_string())
}

fn choice<T>(parsed: Option<T>) -> Result<T, SettingProblem> {
    parsed.ok_or(SettingProblem::NotAChoice)
}

fn number(text: &str, kind: Kind) -> Result<u64, SettingProblem> {
    let Kind::Number { min, max } = kind else {
        return Err(SettingProblem::NotAChoice);
    };
    text.parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or(SettingProblem::OutOfRange { min, max })
}

/// A number of points (`2.5`) as thousandths, within the bounce module's bounds.
fn threshold(text: &str) -> Result<u32, SettingProblem> {
    let problem = SettingProblem::Points {
        min: MIN_THRESHOLD,
        max: MAX_THRESHOLD,
    };
    let value: f64 = text.parse().map_err(|_| problem)?;
    if !value.is_finite() {
        return Err(problem);
    }
    let thousandths = (value * f64::from(POINT)).round();
    if thousandths < f64::from(MIN_THRESHOLD) || thousandths > f64::from(MAX_THRESHOLD) {
        return Err(problem);
    }
    Ok(thousandths as u32)
}

/// The parameters of `list` as they are stored now.
fn read(env: &Env<'_>, list: &List) -> Result<ListParams, Error> {
    env.snapshot(|db| {
        let current = db.list_by_id(list.id)?.unwrap_or_else(|| list.clone());
        Ok(ListParams {
            subject: current.subject,
            description: current.description,
            topics: current.topics,
            policy: current.policy,
            mail: db.list_mail_settings(list.id)?,
            bounce: db.bounce_settings(list.id)?,
            digest: db.digest_settings(list.id)?,
            status: current.status,
            lang: current.lang,
            custom: custom::parse(&db.list_custom_attributes(list.id)?).unwrap_or_default(),
            default_reception: db.list_default_reception(list.id)?,
        })
    })
}

/// What the requester may do with each parameter: by their roles on the list.
fn privileges(env: &Env<'_>, requester: &Requester, list: &List) -> Result<Roles, Error> {
    env.authorize(requester, list, ActionKind::EditSettings)?;
    // `Env::roles` says listmaster for the shell's listmaster (no address) too.
    env.roles(requester, list)
}

/// `edit_list_request/LIST/GROUP`: the parameters of `group` the requester may see, with
/// their values and what they may do with each. Owners of either kind and listmasters.
pub fn form(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
    group: Group,
) -> Result<Vec<ParamView>, Error> {
    let roles = privileges(env, requester, list)?;
    let current = read(env, list)?;
    Ok(params::of(group)
        .filter_map(|param| {
            let privilege = param.privilege(&roles);
            (privilege != Privilege::Hidden).then(|| ParamView {
                param,
                privilege,
                value: current.show(param.name),
                kind: kind(param.name),
            })
        })
        .collect())
}

/// What [`save`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// Nothing differed from what is stored: nothing was written.
    Unchanged,
    /// These parameters changed (one audit row names them with their old and new values).
    Changed(Vec<&'static str>),
}

/// `edit_list`: saves the submitted parameters (by Sympa name; unknown names are ignored,
/// parameters left out are unchanged) in one transaction with one `edit_list` audit row
/// holding the old and new value of each changed parameter. A value that differs from the
/// stored one but is not the requester's to change, or is not valid, refuses the whole form
/// ([`Refusal::InvalidSettings`], every such parameter named); nothing is changed then.
pub fn save(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    submitted: &BTreeMap<String, String>,
) -> Result<Saved, Error> {
    let roles = privileges(env, requester, list)?;
    let before = read(env, list)?;
    let mut after = before.clone();
    let mut problems = Vec::new();
    let mut changed = Vec::new();
    for param in params::PARAMS {
        let Some(typed) = submitted.get(param.name) else {
            continue;
        };
        let mut candidate = after.clone();
        if let Err(problem) = candidate.set(param.name, typed) {
            problems.push((param.name, problem));
            continue;
        }
        if candidate.show(param.name) == before.show(param.name) {
            continue;
        }
        if param.name == "lang"
            && !candidate.lang.is_empty()
            && env.templates.catalogues().get(&candidate.lang).is_none()
        {
            problems.push((param.name, SettingProblem::NotAChoice));
            continue;
        }
        if param.privilege(&roles) != Privilege::Write {
            problems.push((param.name, SettingProblem::NotAllowed));
            continue;
        }
        after = candidate;
        changed.push(param.name);
    }
    if !problems.is_empty() {
        return Err(Refusal::InvalidSettings(problems).into());
    }
    if changed.is_empty() {
        return Ok(Saved::Unchanged);
    }
    let detail: BTreeMap<&str, serde_json::Value> = changed
        .iter()
        .map(|name| {
            (
                *name,
                json!({ "before": before.show(name), "after": after.show(name) }),
            )
        })
        .collect();
    env.transaction(requester, |tx| {
        if (&after.subject, &after.description, &after.topics)
            != (&before.subject, &before.description, &before.topics)
        {
            tx.db
                .set_list_texts(list.id, &after.subject, &after.description, &after.topics)?;
        }
        if after.lang != before.lang {
            tx.db.set_list_lang(list.id, &after.lang)?;
        }
        if after.default_reception != before.default_reception {
            tx.db
                .set_list_default_reception(list.id, after.default_reception)?;
        }
        if after.custom != before.custom {
            tx.db
                .set_list_custom_attributes(list.id, &custom::show(&after.custom))?;
        }
        if after.policy != before.policy {
            tx.db.set_list_policy(list.id, &after.policy)?;
        }
        if after.mail != before.mail {
            tx.db.set_list_mail_settings(list.id, &after.mail)?;
        }
        if after.bounce != before.bounce {
            tx.db.set_bounce_settings(list.id, &after.bounce)?;
        }
        if after.digest != before.digest {
            tx.db.set_digest_settings(list.id, &after.digest)?;
        }
        tx.audit("edit_list", Some(list), None, json!({ "changes": detail }))
    })?;
    Ok(Saved::Changed(changed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ListParams {
        ListParams {
            subject: "Team".into(),
            description: "About".into(),
            topics: vec!["a".into()],
            policy: ListPolicy {
                visibility: Visibility::Noconceal,
                subscribe: SubscribePolicy::Open,
                unsubscribe: UnsubscribePolicy::Open,
                review: ReviewPolicy::Owner,
                archive: ArchiveAccess::Private,
            },
            mail: MailSettings::default(),
            bounce: BounceSettings::default(),
            digest: DigestSettings::default(),
            status: ListStatus::Open,
            lang: String::new(),
            custom: Vec::new(),
            default_reception: ReceptionMode::Mail,
        }
    }

    #[test]
    fn every_parameter_round_trips_through_its_text() {
        let params = sample();
        for param in params::PARAMS {
            let mut copy = params.clone();
            copy.set(param.name, &params.show(param.name))
                .unwrap_or_else(|e| panic!("{}: {e:?}", param.name));
            assert_eq!(copy, params, "{}", param.name);
        }
    }

    #[test]
    fn values_are_parsed_and_bounded() {
        let mut p = sample();
        p.set("topics", " x, y ,, x ").unwrap();
        assert_eq!(p.topics, ["x", "y"]);
        p.set("bounce.threshold", "2.5").unwrap();
        assert_eq!(p.bounce.threshold, 2500);
        p.set("digest", "1,4 13:26").unwrap();
        assert_eq!(p.show("digest"), "1,4 13:26");
        p.set("digest", "none").unwrap();
        assert_eq!(p.digest.days, 0);
        p.set("lang", "pt_BR").unwrap();
        assert_eq!(p.lang, "pt-br");
        p.set("max_attachments", "").unwrap();
        assert_eq!(p.mail.max_attachments, None);
        p.set("info", "line one\r\nline two\r\n").unwrap();
        assert_eq!(p.description, "line one\nline two");
        let refused = |name: &str, value: &str| sample().set(name, value).unwrap_err();
        // The bounds themselves are accepted, one step beyond is not.
        p.set("subject", &"é".repeat(MAX_LIST_SUBJECT)).unwrap();
        assert_eq!(p.subject.chars().count(), MAX_LIST_SUBJECT);
        for bound in [MIN_THRESHOLD, MAX_THRESHOLD] {
            p.set("bounce.threshold", &points(bound)).unwrap();
            assert_eq!(p.bounce.threshold, bound);
        }
        for beyond in [MIN_THRESHOLD - 1, MAX_THRESHOLD + 1] {
            assert!(matches!(
                sample().set(
                    "bounce.threshold",
                    &format!("{:.3}", f64::from(beyond) / 1000.0)
                ),
                Err(SettingProblem::Points { .. })
            ));
        }
        assert_eq!(refused("subject", "  "), SettingProblem::Required);
        assert_eq!(
            refused("subject", "a\u{202e}b"),
            SettingProblem::HiddenCharacters
        );
        assert_eq!(
            refused("subject", &"x".repeat(MAX_LIST_SUBJECT + 1)),
            SettingProblem::TooLong {
                max: MAX_LIST_SUBJECT
            }
        );
        assert_eq!(refused("send", "everyone"), SettingProblem::NotAChoice);
        assert_eq!(refused("lang", "fr<b>"), SettingProblem::NotAChoice);
        assert_eq!(refused("visibility", "secret"), SettingProblem::NotAChoice);
        assert_eq!(
            refused("max_size", "1023"),
            SettingProblem::OutOfRange {
                min: MIN_MAX_SIZE,
                max: MAX_MAX_SIZE
            }
        );
        assert!(matches!(
            refused("clean_delay_queuemod", "0"),
            SettingProblem::OutOfRange { .. }
        ));
        assert!(matches!(
            refused("bounce.threshold", "NaN"),
            SettingProblem::Points { .. }
        ));
        assert!(matches!(
            refused("bounce.threshold", "0.1"),
            SettingProblem::Points { .. }
        ));
        assert_eq!(refused("digest", "8 10:00"), SettingProblem::Schedule);
        assert_eq!(refused("digest", "1 25:00"), SettingProblem::Schedule);
        assert_eq!(
            refused(
                "topics",
                &(0..=MAX_TOPICS)
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            SettingProblem::TooMany { max: MAX_TOPICS }
        );
        assert_eq!(refused("status", "closed"), SettingProblem::NotAllowed);
        assert_eq!(
            refused("custom_subject", "a\tb"),
            SettingProblem::HiddenCharacters
        );
    }

    mod on_a_list {
        use super::super::*;

        use crate::domain::AdminRole;
        use crate::operations::test_support::{email, listmaster, run, user};
        use crate::operations::Channel;

        use crate::store::test_support::{list as new_list, on_both};
        use crate::store::{NewMember, Store};

        fn said<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
            match result {
                Ok(value) => format!("{value:?}"),
                Err(Error::Refused(Refusal::InvalidSettings(problems))) => {
                    format!("refused {problems:?}")
                }
                Err(Error::Refused(refusal)) => refusal.code().into(),
                Err(e) => panic!("{e}"),
            }
        }

        fn typed(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect()
        }

        /// The list `team`: own@ its privileged owner, plain@ a normal owner, sub@ a member.
        fn team(store: &mut Store) -> List {
            let id = new_list(store, "team");
            let db = store.db();
            db.add_admin(id, &email("own@a.org"), AdminRole::Owner, true)
                .unwrap();
            db.add_admin(id, &email("plain@a.org"), AdminRole::Owner, false)
                .unwrap();
            db.add_member(id, &NewMember::new(email("sub@a.org")))
                .unwrap();
            db.list_by_id(id).unwrap().unwrap()
        }

        fn edits(store: &Store) -> usize {
            store
                .db()
                .recent_audit(100)
                .unwrap()
                .iter()
                .filter(|(_, action, _)| action == "edit_list")
                .count()
        }

        #[test]
        fn each_role_sees_the_parameters_it_may_and_changes_only_those_it_may_write() {
            let seen = on_both(|store| {
                let list = team(store);
                let mut seen = run(store, |env| {
                    let mut seen = Vec::new();
                    for who in [
                        Requester::anonymous(Channel::Soap, None),
                        user("sub@a.org"),
                        user("plain@a.org"),
                        user("own@a.org"),
                        listmaster(),
                    ] {
                        seen.push(match form(env, &who, &list, Group::Sending) {
                            Ok(views) => views
                                .iter()
                                .filter(|v| ["send", "max_size"].contains(&v.param.name))
                                .map(|v| format!("{} {:?}", v.param.name, v.privilege))
                                .collect::<Vec<_>>()
                                .join(", "),
                            Err(e) => said::<()>(Err(e)),
                        });
                    }
                    let plain = user("plain@a.org");
                    let send = read(env, &list).unwrap().show("send");
                    let other = SENDS.iter().find(|s| **s != send).unwrap();
                    // A value not theirs to change refuses the whole form.
                    seen.push(said(save(
                        env,
                        &plain,
                        &list,
                        &typed(&[("subject", "New"), ("send", other), ("max_size", "2048")]),
                    )));
                    seen.push(read(env, &list).unwrap().subject);
                    // The same value of a read-only parameter is no change of it.
                    seen.push(said(save(
                        env,
                        &plain,
                        &list,
                        &typed(&[("subject", "New"), ("send", &send)]),
                    )));
                    seen.push(said(save(
                        env,
                        &plain,
                        &list,
                        &typed(&[("subject", "New"), ("send", &send)]),
                    )));
                    seen.push(said(save(
                        env,
                        &user("own@a.org"),
                        &list,
                        &typed(&[("send", other)]),
                    )));
                    seen.push(format!(
                        "{}",
                        read(env, &list).unwrap().show("send") == *other
                    ));
                    seen.push(said(save(env, &user("sub@a.org"), &list, &typed(&[]))));
                    seen
                });
                seen.push(format!("edits {}", edits(store)));
                seen
            });
            assert_eq!(
                seen,
                [
                    "login_required",
                    "not_allowed",
                    "send Read",
                    "send Write",
                    "send Write, max_size Write",
                    r#"refused [("send", NotAllowed), ("max_size", NotAllowed)]"#,
                    "",
                    r#"Changed(["subject"])"#,
                    "Unchanged",
                    r#"Changed(["send"])"#,
                    "true",
                    "not_allowed",
                    "edits 2",
                ]
            );
        }

        #[test]
        fn every_kind_of_setting_is_stored_in_one_change_with_one_audit_row() {
            let values = [
                ("info", "About the team"),
                ("topics", "art, music"),
                ("visibility", "conceal"),
                ("lang", "fr"),
                ("max_size", "2048"),
                ("custom_subject", "TEAM"),
                ("digest", "1,4 13:26"),
                ("default_user_options.reception", "nomail"),
                ("review", "public"),
                ("custom_attribute", "org | Organisation | string | required"),
                ("bounce.warnings", "4"),
            ];
            let seen = on_both(|store| {
                let list = team(store);
                let mut seen = run(store, |env| {
                    let before = read(env, &list).unwrap();
                    let mut seen = vec![said(save(
                        env,
                        &listmaster(),
                        &list,
                        &typed(&[("lang", "xx")]),
                    ))];
                    seen.push(said(save(env, &listmaster(), &list, &typed(&values))));
                    let after = read(env, &list).unwrap();
                    for (name, value) in values {
                        seen.push(format!(
                            "{name}: {} {}",
                            before.show(name) != value,
                            after.show(name) == value
                        ));
                    }
                    seen
                });
                seen.push(format!("edits {}", edits(store)));
                seen
            });
            let mut expected = vec![r#"refused [("lang", NotAChoice)]"#.to_string()];
            expected.push(format!(
                "Changed({:?})",
                params::PARAMS
                    .iter()
                    .map(|p| p.name)
                    .filter(|name| values.iter().any(|(n, _)| n == name))
                    .collect::<Vec<_>>()
            ));
            expected.extend(values.iter().map(|(name, _)| format!("{name}: true true")));
            expected.push("edits 1".into());
            assert_eq!(seen, expected);
        }
    }

    #[test]
    fn choices_offered_are_the_ones_accepted() {
        for param in params::PARAMS {
            if let Kind::Choice(values) = kind(param.name) {
                if param.name == "status" {
                    continue;
                }
                for value in values {
                    let mut p = sample();
                    p.set(param.name, value).unwrap();
                    assert_eq!(p.show(param.name), *value, "{}", param.name);
                }
            }
        }
    }
}
