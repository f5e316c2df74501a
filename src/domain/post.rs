//! List mail's vocabulary and rules: the addresses a list answers, who may post (Sympa's
//! `send` scenario), why a message is held, and what happens to a post; no IO.

use serde::Serialize;

use super::names::{Email, ListName};
pub use super::policy::SendPolicy;
use super::role::Roles;

/// Whether a list's mail is personalized per recipient or sent in bulk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMode {
    /// One SMTP transaction per recipient: VERP envelope, a one-click unsubscribe URL of
    /// their own, a DKIM signature over both unsubscribe headers. The default.
    Personalized,
    /// One signature for all, many recipients per transaction, no one-click (very large
    /// announce lists).
    Bulk,
}

impl DeliveryMode {
    /// Parses the stored name; anything unknown is `Personalized`.
    pub fn parse(text: &str) -> DeliveryMode {
        if text == "bulk" {
            DeliveryMode::Bulk
        } else {
            DeliveryMode::Personalized
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryMode::Personalized => "personalized",
            DeliveryMode::Bulk => "bulk",
        }
    }
}

/// When the From of a post is rewritten to the list's address (DMARC mitigation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DmarcProtection {
    /// When the author's domain publishes `p=quarantine` or `p=reject`. The default.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl DmarcProtection {
    /// Parses the stored name; anything unknown is `Auto`.
    pub fn parse(text: &str) -> DmarcProtection {
        match text {
            "always" => DmarcProtection::Always,
            "never" => DmarcProtection::Never,
            _ => DmarcProtection::Auto,
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            DmarcProtection::Auto => "auto",
            DmarcProtection::Always => "always",
            DmarcProtection::Never => "never",
        }
    }
}

/// A list's mail settings, beside its web policies (`Db::list_mail_settings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailSettings {
    /// Who may post.
    pub send: SendPolicy,
    /// The largest post accepted, in bytes (Sympa's `max_size`); larger ones are refused
    /// at intake (LMTP `552`).
    pub max_size: u64,
    /// Posts with more attachments than this are held (`None`: no limit).
    pub max_attachments: Option<u32>,
    /// Personalized or bulk.
    pub delivery: DeliveryMode,
    /// DMARC mitigation.
    pub dmarc: DmarcProtection,
    /// A `[tag]` put in front of the Subject (Sympa's `custom_subject`); empty for none.
    pub subject_tag: String,
    /// Days held messages wait for a moderator before they expire (a reminder goes out
    /// half-way).
    pub hold_days: u32,
}

impl Default for MailSettings {
    fn default() -> MailSettings {
        MailSettings {
            send: SendPolicy::PrivateOrModerated,
            max_size: 5 * 1024 * 1024,
            max_attachments: None,
            delivery: DeliveryMode::Personalized,
            dmarc: DmarcProtection::Auto,
            subject_tag: String::new(),
            hold_days: 14,
        }
    }
}

/// Which of a list's addresses (or the robot's) a recipient is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListAddress {
    /// `LIST@`: a post.
    Post(ListName),
    /// `LIST-request@`: mail commands, or the owners when it is not a command.
    Request(ListName),
    /// `LIST-editor@`: the moderators.
    Editor(ListName),
    /// `LIST-owner@`, with the VERP token after `+` when there is one: bounces, and mail
    /// for the owners.
    Owner(ListName, Option<String>),
    /// `LIST-subscribe@`.
    Subscribe(ListName),
    /// `LIST-unsubscribe@`.
    Unsubscribe(ListName),
    /// `sympa@`: the robot's mail commands.
    Robot,
    /// `listmaster@`.
    Listmaster,
    /// `bounce+TOKEN@`: a VERP bounce for a list whose name made `LIST-owner+TOKEN` too long.
    Bounce(String),
}

impl ListAddress {
    /// What `local` (the local part of an address in the list domain, already lowercased)
    /// names. `is_list` says whether a name is one of the domain's lists. A list's own name
    /// wins over a suffix (a list called `team-request` gets its posts).
    pub fn classify(local: &str, is_list: impl Fn(&ListName) -> bool) -> Option<ListAddress> {
        let (base, detail) = match local.split_once('+') {
            Some((base, detail)) => (base, Some(detail)),
            None => (local, None),
        };
        if let Some(token) = detail {
            if base == "bounce" {
                return Some(ListAddress::Bounce(token.to_string()));
            }
        }
        let known = |name: &str| ListName::parse(name).ok().filter(|n| is_list(n));
        if let Some(name) = known(base) {
            return Some(ListAddress::Post(name));
        }
        const SUFFIXES: &[&str] = &[
            "-request",
            "-editor",
            "-owner",
            "-subscribe",
            "-unsubscribe",
        ];
        for suffix in SUFFIXES {
            let Some(stem) = base.strip_suffix(suffix) else {
                continue;
            };
            let Some(name) = known(stem) else {
                continue;
            };
            return Some(match *suffix {
                "-request" => ListAddress::Request(name),
                "-editor" => ListAddress::Editor(name),
                "-owner" => ListAddress::Owner(name, detail.map(str::to_string)),
                "-subscribe" => ListAddress::Subscribe(name),
                _ => ListAddress::Unsubscribe(name),
            });
        }
        match base {
            "sympa" => Some(ListAddress::Robot),
            "listmaster" => Some(ListAddress::Listmaster),
            _ => None,
        }
    }
}

/// Why a post waits for a moderator; shown to them, and kept with the held message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldReason {
    /// The list is moderated.
    Moderated,
    /// The sender is not a member.
    NotMember,
    /// More attachments than the list allows.
    TooManyAttachments,
    /// It looks like a command sent to the list's address (`subscribe`, `unsubscribe`...).
    LooksLikeCommand,
}

impl HoldReason {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            HoldReason::Moderated => "moderated",
            HoldReason::NotMember => "not_member",
            HoldReason::TooManyAttachments => "too_many_attachments",
            HoldReason::LooksLikeCommand => "looks_like_command",
        }
    }

    /// Parses the stored name; anything unknown is `Moderated`.
    pub fn parse(text: &str) -> HoldReason {
        match text {
            "not_member" => HoldReason::NotMember,
            "too_many_attachments" => HoldReason::TooManyAttachments,
            "looks_like_command" => HoldReason::LooksLikeCommand,
            _ => HoldReason::Moderated,
        }
    }
}

/// Why a post is refused outright; the sender is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// Only members may post, and the sender is not one.
    NotMember,
    /// Only owners and moderators may post.
    NotAllowed,
    /// Nobody may post.
    Closed,
    /// The sender is banned from the list.
    Banned,
}

/// What the sender rules of a list say of one address (`Db::sender_rule`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SenderRule {
    /// Always accepted, as a member would be ("accept and always allow").
    Allow,
    /// Always rejected ("reject and ban").
    Ban,
}

impl SenderRule {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SenderRule::Allow => "allow",
            SenderRule::Ban => "ban",
        }
    }

    /// Parses the stored name.
    pub fn parse(text: &str) -> Option<SenderRule> {
        match text {
            "allow" => Some(SenderRule::Allow),
            "ban" => Some(SenderRule::Ban),
            _ => None,
        }
    }
}

/// What happens to a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostVerdict {
    /// Archived and sent to the members.
    Distribute,
    /// Archived in the held state until a moderator decides.
    Hold(Vec<HoldReason>),
    /// Refused; the sender gets a notice (not an SMTP error: the MTA would bounce it to a
    /// possibly forged sender).
    Reject(RejectReason),
}

/// What the rules need to know of one post.
#[derive(Debug, Clone, Copy)]
pub struct PostFacts<'a> {
    /// The sender's roles on the list (member, moderator, owner).
    pub roles: &'a Roles,
    /// The list's sender rule for this sender, if any.
    pub rule: Option<SenderRule>,
    /// How many attachments the message has.
    pub attachments: u32,
    /// Whether its subject or first body line is a mail command (`subscribe`, `signoff`...).
    pub looks_like_command: bool,
    /// The sender as the message gives it; `None` when it has no usable From.
    pub sender: Option<&'a Email>,
}

/// Decides what happens to a post under `settings`.
///
/// A ban wins over everything; an allow rule makes the sender a member for the policy.
/// A message with no usable sender is judged as an outsider's, and where that would
/// distribute it (a public list) it is held instead: it is never distributed unseen.
pub fn decide_post(settings: &MailSettings, facts: &PostFacts<'_>) -> PostVerdict {
    if facts.rule == Some(SenderRule::Ban) {
        return PostVerdict::Reject(RejectReason::Banned);
    }
    let roles = facts.roles;
    let staff = roles.is_owner() || roles.is_editor();
    let member = roles.subscriber || facts.rule == Some(SenderRule::Allow);
    let mut reasons = Vec::new();
    match settings.send {
        SendPolicy::Closed => return PostVerdict::Reject(RejectReason::Closed),
        SendPolicy::Newsletter if !staff => {
            return PostVerdict::Reject(RejectReason::NotAllowed);
        }
        SendPolicy::Private if !(member || staff) => {
            return PostVerdict::Reject(RejectReason::NotMember);
        }
        SendPolicy::PrivateOrModerated if !(member || staff) => reasons.push(HoldReason::NotMember),
        SendPolicy::Moderated if !roles.is_editor() => reasons.push(HoldReason::Moderated),
        SendPolicy::ModeratedOnly => reasons.push(HoldReason::Moderated),
        _ => {}
    }
    if let Some(limit) = settings.max_attachments {
        if facts.attachments > limit {
            reasons.push(HoldReason::TooManyAttachments);
        }
    }
    if facts.looks_like_command && !staff {
        reasons.push(HoldReason::LooksLikeCommand);
    }
    // Nobody to answer for it: never distributed as it is, even where anyone may post.
    if facts.sender.is_none() && !reasons.contains(&HoldReason::NotMember) {
        reasons.push(HoldReason::NotMember);
    }
    if reasons.is_empty() {
        PostVerdict::Distribute
    } else {
        PostVerdict::Hold(reasons)
    }
}

/// Whether `address` (lowercased) matches a sender rule's `pattern`: the address itself, or
/// a pattern where `*` stands for any run of characters (`*@spam.example`), as Sympa's
/// blocklist. No other character is special, so a pattern can never take long to match.
pub fn pattern_matches(pattern: &str, address: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = address.strip_prefix(first) else {
        return false;
    };
    let mut parts: Vec<&str> = parts.collect();
    let Some(last) = parts.pop() else {
        // No '*': the whole address.
        return rest.is_empty();
    };
    for part in parts {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// The rule that applies to `address` among a list's `(pattern, rule)` pairs: a ban wins
/// over an allow.
pub fn rule_for(rules: &[(String, SenderRule)], address: &str) -> Option<SenderRule> {
    let mut found = None;
    for (pattern, rule) in rules {
        if pattern_matches(pattern, address) {
            if *rule == SenderRule::Ban {
                return Some(SenderRule::Ban);
            }
            found = Some(*rule);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    fn name(text: &str) -> ListName {
        ListName::parse(text).unwrap()
    }

    #[test]
    fn addresses_are_classified_and_a_list_name_wins_over_a_suffix() {
        let lists = ["team", "team-request", "a"];
        let is_list = |n: &ListName| lists.contains(&n.as_str());
        let c = |local: &str| ListAddress::classify(local, is_list);
        assert_eq!(c("team"), Some(ListAddress::Post(name("team"))));
        assert_eq!(
            c("team-request"),
            Some(ListAddress::Post(name("team-request")))
        );
        assert_eq!(c("a-request"), Some(ListAddress::Request(name("a"))));
        assert_eq!(c("a-editor"), Some(ListAddress::Editor(name("a"))));
        assert_eq!(c("a-owner"), Some(ListAddress::Owner(name("a"), None)));
        assert_eq!(
            c("a-owner+x1-abc"),
            Some(ListAddress::Owner(name("a"), Some("x1-abc".into())))
        );
        assert_eq!(c("a-subscribe"), Some(ListAddress::Subscribe(name("a"))));
        assert_eq!(
            c("a-unsubscribe"),
            Some(ListAddress::Unsubscribe(name("a")))
        );
        assert_eq!(c("sympa"), Some(ListAddress::Robot));
        assert_eq!(c("listmaster"), Some(ListAddress::Listmaster));
        assert_eq!(c("bounce+q-1"), Some(ListAddress::Bounce("q-1".into())));
        assert_eq!(c("bounce"), None);
        assert_eq!(c("nosuch"), None);
        assert_eq!(c("nosuch-request"), None);
        // A list's posts with a +detail still reach the list.
        assert_eq!(c("team+x"), Some(ListAddress::Post(name("team"))));
    }

    fn verdict(send: SendPolicy, role: Role, rule: Option<SenderRule>) -> PostVerdict {
        let settings = MailSettings {
            send,
            ..MailSettings::default()
        };
        let roles = role.roles();
        let sender = Email::parse("someone@a.org").unwrap();
        decide_post(
            &settings,
            &PostFacts {
                roles: &roles,
                rule,
                attachments: 0,
                looks_like_command: false,
                sender: Some(&sender),
            },
        )
    }

    #[test]
    fn a_post_without_a_sender_is_never_distributed() {
        let anonymous = Role::Anonymous.roles();
        let facts = PostFacts {
            roles: &anonymous,
            rule: None,
            attachments: 0,
            looks_like_command: false,
            sender: None,
        };
        let with = |send| {
            decide_post(
                &MailSettings {
                    send,
                    ..MailSettings::default()
                },
                &facts,
            )
        };
        assert_eq!(
            with(SendPolicy::Public),
            PostVerdict::Hold(vec![HoldReason::NotMember])
        );
        assert_eq!(
            with(SendPolicy::PrivateOrModerated),
            PostVerdict::Hold(vec![HoldReason::NotMember])
        );
        assert_eq!(
            with(SendPolicy::Private),
            PostVerdict::Reject(RejectReason::NotMember)
        );
        assert_eq!(
            with(SendPolicy::Moderated),
            PostVerdict::Hold(vec![HoldReason::Moderated, HoldReason::NotMember])
        );
    }

    #[test]
    fn each_send_policy_sorts_senders_by_role() {
        use PostVerdict::*;
        use SendPolicy::*;
        let hold = |r| Hold(vec![r]);
        let cases = [
            (Public, Role::Anonymous, Distribute),
            (
                PrivateOrModerated,
                Role::Anonymous,
                hold(HoldReason::NotMember),
            ),
            (PrivateOrModerated, Role::Subscriber, Distribute),
            (PrivateOrModerated, Role::Moderator, Distribute),
            (Private, Role::Anonymous, Reject(RejectReason::NotMember)),
            (Private, Role::User, Reject(RejectReason::NotMember)),
            (Private, Role::Subscriber, Distribute),
            (Private, Role::Owner, Distribute),
            (Moderated, Role::Subscriber, hold(HoldReason::Moderated)),
            (Moderated, Role::Owner, hold(HoldReason::Moderated)),
            (Moderated, Role::Moderator, Distribute),
            (ModeratedOnly, Role::Moderator, hold(HoldReason::Moderated)),
            (
                Newsletter,
                Role::Subscriber,
                Reject(RejectReason::NotAllowed),
            ),
            (Newsletter, Role::Owner, Distribute),
            (Newsletter, Role::Moderator, Distribute),
            (Closed, Role::Listmaster, Reject(RejectReason::Closed)),
        ];
        for (policy, role, expected) in cases {
            assert_eq!(verdict(policy, role, None), expected, "{policy:?} {role:?}");
        }
    }

    #[test]
    fn a_ban_wins_and_an_allow_counts_as_membership() {
        assert_eq!(
            verdict(SendPolicy::Public, Role::Owner, Some(SenderRule::Ban)),
            PostVerdict::Reject(RejectReason::Banned)
        );
        assert_eq!(
            verdict(
                SendPolicy::Private,
                Role::Anonymous,
                Some(SenderRule::Allow)
            ),
            PostVerdict::Distribute
        );
        assert_eq!(
            verdict(
                SendPolicy::Newsletter,
                Role::Anonymous,
                Some(SenderRule::Allow)
            ),
            PostVerdict::Reject(RejectReason::NotAllowed)
        );
    }

    #[test]
    fn attachments_and_commands_add_hold_reasons() {
        let settings = MailSettings {
            send: SendPolicy::PrivateOrModerated,
            max_attachments: Some(2),
            ..MailSettings::default()
        };
        let outsider = Role::Anonymous.roles();
        let member = Role::Subscriber.roles();
        let owner = Role::Owner.roles();
        let sender = Email::parse("someone@a.org").unwrap();
        let facts = |roles, attachments, command| PostFacts {
            roles,
            rule: None,
            attachments,
            looks_like_command: command,
            sender: Some(&sender),
        };
        assert_eq!(
            decide_post(&settings, &facts(&member, 2, false)),
            PostVerdict::Distribute
        );
        assert_eq!(
            decide_post(&settings, &facts(&member, 3, false)),
            PostVerdict::Hold(vec![HoldReason::TooManyAttachments])
        );
        assert_eq!(
            decide_post(&settings, &facts(&outsider, 3, true)),
            PostVerdict::Hold(vec![
                HoldReason::NotMember,
                HoldReason::TooManyAttachments,
                HoldReason::LooksLikeCommand
            ])
        );
        assert_eq!(
            decide_post(&settings, &facts(&owner, 0, true)),
            PostVerdict::Distribute
        );
    }

    #[test]
    fn stored_names_round_trip_and_unknown_ones_are_the_safe_default() {
        for mode in [DeliveryMode::Personalized, DeliveryMode::Bulk] {
            assert_eq!(DeliveryMode::parse(mode.as_str()), mode);
        }
        assert_eq!(DeliveryMode::parse("junk"), DeliveryMode::Personalized);
        for dmarc in [
            DmarcProtection::Auto,
            DmarcProtection::Always,
            DmarcProtection::Never,
        ] {
            assert_eq!(DmarcProtection::parse(dmarc.as_str()), dmarc);
        }
        assert_eq!(DmarcProtection::parse("junk"), DmarcProtection::Auto);
        for reason in [
            HoldReason::Moderated,
            HoldReason::NotMember,
            HoldReason::TooManyAttachments,
            HoldReason::LooksLikeCommand,
        ] {
            assert_eq!(HoldReason::parse(reason.as_str()), reason);
        }
        assert_eq!(HoldReason::parse("junk"), HoldReason::Moderated);
        for rule in [SenderRule::Allow, SenderRule::Ban] {
            assert_eq!(SenderRule::parse(rule.as_str()), Some(rule));
        }
        assert_eq!(SenderRule::parse("junk"), None);
        for policy in SendPolicy::ALL {
            assert_eq!(SendPolicy::parse(policy.as_str()), *policy);
        }
        assert_eq!(SendPolicy::parse("junk"), SendPolicy::Closed);
        // The default lets members post and holds the others.
        assert_eq!(MailSettings::default().send, SendPolicy::PrivateOrModerated);
    }

    #[test]
    fn patterns_match_whole_addresses_with_stars() {
        assert!(pattern_matches("a@x.org", "a@x.org"));
        assert!(!pattern_matches("a@x.org", "aa@x.org"));
        assert!(!pattern_matches("a@x.org", "a@x.org.evil"));
        assert!(pattern_matches("*@x.org", "bob@x.org"));
        assert!(!pattern_matches("*@x.org", "bob@y.x.org.com"));
        assert!(pattern_matches("*@*.x.org", "bob@mail.x.org"));
        assert!(!pattern_matches("*@*.x.org", "bob@x.org"));
        assert!(pattern_matches("spam*", "spammer@y.org"));
        assert!(pattern_matches("*", "anyone@y.org"));
        // The end must not overlap what the middle consumed.
        assert!(!pattern_matches("ab*ba", "aba"));
        let rules = vec![
            ("*@x.org".to_string(), SenderRule::Allow),
            ("bad@x.org".to_string(), SenderRule::Ban),
        ];
        assert_eq!(rule_for(&rules, "good@x.org"), Some(SenderRule::Allow));
        assert_eq!(rule_for(&rules, "bad@x.org"), Some(SenderRule::Ban));
        assert_eq!(rule_for(&rules, "a@y.org"), None);
    }
}
