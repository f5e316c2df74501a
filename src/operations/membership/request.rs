//! Subscription and unsubscription requests: the policy decides, held for the address's owner (one request and one mail per address) or for the list's owners.

use std::collections::BTreeMap;

use serde_json::json;

use crate::auth;
use crate::domain::custom::{self, CustomProblem};
use crate::domain::{ActionKind, Decision, Email, List};
use crate::mail::notices::{self, OwnerNotice, RequestKind};
use crate::operations::limits::{
    CONFIRMATION_MAIL_PER_ADDRESS, SUBSCRIBE_PER_CLIENT, SUBSCRIBE_PER_CLIENT_ADDRESS,
};
use crate::operations::{encode, Env, Error, Refusal, Requester, Tx};

use super::{
    address, check_name, join, leave, notify_owners, Outcome, CONFIRMATION_RESEND_AFTER,
    OWNER_REQUEST_TTL,
};

/// Holds a request for the list's owners and mails them the link that accepts it; a request
/// already waiting for the same address is not doubled.
pub(super) fn hold_for_owner(
    tx: &mut Tx<'_, '_>,
    list: &List,
    kind: RequestKind,
    email: &Email,
    name: &str,
    notify: bool,
    custom: &serde_json::Value,
) -> Result<(), Error> {
    if tx
        .db
        .pending_for(list.id, kind.as_str(), email, "owner")?
        .is_some()
    {
        return Ok(());
    }
    let key = auth::random_token()?;
    tx.db.create_pending(&crate::store::NewPending {
        key_hash: auth::token_hash(&key),
        list: list.id,
        kind: kind.as_str().into(),
        email: email.clone(),
        requested_by: tx.requester.email.clone(),
        state: "owner".into(),
        data: json!({ "name": name, "notify_owners": notify, "custom": custom }),
        ttl: OWNER_REQUEST_TTL,
    })?;
    let (word, notice) = match kind {
        RequestKind::Subscribe => ("add", OwnerNotice::SubscribeRequest),
        RequestKind::Signoff => ("del", OwnerNotice::SignoffRequest),
    };
    let url = format!(
        "{}/auth/{key}/{word}/{}?email={}",
        tx.composer.config.base_url(),
        list.name,
        encode(email.as_str())
    );
    notify_owners(tx, list, notice, email, name, Some(&url))?;
    tx.audit(
        &format!("{}_held", kind.as_str()),
        Some(list),
        Some(email),
        json!({}),
    )
}

/// Holds a request until the address's owner follows the mailed link; `data` keeps the
/// name, `notify_owners` and `then_owner` for when it comes back.
///
/// One request per list, kind and address: asking again within
/// [`CONFIRMATION_RESEND_AFTER`] does nothing (the link sent still works); later, the
/// request is renewed with a new link (the old one stops working). Past
/// [`CONFIRMATION_MAIL_PER_ADDRESS`] mails to the address in an hour, nothing is mailed.
/// The requester's answer is the same in every case.
pub(super) fn hold_for_confirmation(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    kind: RequestKind,
    email: &Email,
    data: serde_json::Value,
) -> Result<(), Error> {
    let recent = env
        .db()
        .pending_for(list.id, kind.as_str(), email, "confirm")?
        .is_some_and(|held| crate::store::now() - held.created_at < CONFIRMATION_RESEND_AFTER);
    if recent {
        log::info!(
            "{} request for {email} on {} already mailed lately",
            kind.as_str(),
            list.name
        );
        return Ok(());
    }
    if env.over_limit(&CONFIRMATION_MAIL_PER_ADDRESS, email.as_str())? {
        log::warn!("confirmation to {email} not sent: {CONFIRMATION_MAIL_PER_ADDRESS:?} reached");
        return Ok(());
    }
    let key = auth::random_token()?;
    let url = format!(
        "{}/auth/{key}/{}?email={}",
        env.config.base_url(),
        kind.as_str(),
        encode(email.as_str())
    );
    let ttl = env.config.one_time_ticket_lifetime as i64;
    env.transaction(requester, |tx| {
        tx.db.create_pending(&crate::store::NewPending {
            key_hash: auth::token_hash(&key),
            list: list.id,
            kind: kind.as_str().into(),
            email: email.clone(),
            requested_by: tx.requester.email.clone(),
            state: "confirm".into(),
            data,
            ttl,
        })?;
        let mail = notices::confirmation(
            &tx.composer,
            email,
            list,
            kind,
            &url,
            (ttl / 3600).max(1) as u64,
        );
        tx.queue(mail)?;
        tx.audit(
            &format!("{}_request", kind.as_str()),
            Some(list),
            Some(email),
            json!({}),
        )
    })
}

/// The rate limits of a subscription or unsubscription request: per client and per client
/// and address for anonymous requests (who may type anyone's address); none for a logged-in
/// requester, who acts on their own address only and cannot be locked out of it by others.
pub(super) fn limit_anonymous(
    env: &Env<'_>,
    requester: &Requester,
    email: &Email,
) -> Result<(), Error> {
    if requester.email.is_some() {
        return Ok(());
    }
    env.rate_limit_client(
        &SUBSCRIBE_PER_CLIENT,
        &SUBSCRIBE_PER_CLIENT_ADDRESS,
        requester.remote_addr,
        email.as_str(),
    )
}

/// `subscribe`: joins `list` as the policy says. A logged-in requester subscribes their own
/// address; an anonymous one types it and always confirms by mail first. The list's custom
/// attributes are not asked (SOAP, the JSON API): see [`subscribe_asking`].
pub fn subscribe(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    typed_email: Option<&str>,
    name: &str,
) -> Result<Outcome, Error> {
    subscribe_asking(env, requester, list, typed_email, name, None)
}

/// [`subscribe`] with the answers to the list's custom attributes (Sympa's
/// `custom_attribute`, by id), as the web's form asks them: each is checked against its
/// definition ([`Refusal::CustomValue`] for the first refused, nothing done; an answer to
/// an attribute the list does not ask is [`CustomProblem::Unknown`]), and kept with
/// the membership once it exists, through a confirmation or an owner's approval too.
/// `None` asks nothing.
pub fn subscribe_asking(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    typed_email: Option<&str>,
    name: &str,
    answers: Option<&BTreeMap<String, String>>,
) -> Result<Outcome, Error> {
    let name = check_name(name)?;
    let email = address(requester, typed_email)?;
    let decision = env.authorize(requester, list, ActionKind::Subscribe)?;
    let mut custom = BTreeMap::new();
    if let Some(answers) = answers {
        let asked = custom::parse(&env.db().list_custom_attributes(list.id)?).unwrap_or_default();
        // An answer to a question the list does not ask is refused, not dropped (a client
        // program with a typo learns it); the web form sends only what it asked.
        if let Some(id) = answers
            .keys()
            .find(|id| !asked.iter().any(|a| &a.id == *id))
        {
            return Err(Refusal::CustomValue {
                id: id.chars().take(custom::MAX_ID).collect(),
                problem: CustomProblem::Unknown,
            }
            .into());
        }
        for attribute in &asked {
            let typed = answers.get(&attribute.id).map_or("", String::as_str);
            let value = attribute
                .check(typed)
                .map_err(|problem| Refusal::CustomValue {
                    id: attribute.id.clone(),
                    problem,
                })?;
            if !value.is_empty() {
                custom.insert(attribute.id.clone(), value);
            }
        }
    }
    let custom_json = json!(custom);
    // Members learn they are members; anonymous visitors learn it only from the mailed link.
    if requester.email.is_some() && env.db().member(list.id, &email)?.is_some() {
        return Err(Refusal::AlreadyMember.into());
    }
    limit_anonymous(env, requester, &email)?;
    match decision {
        Decision::Allow { notify_owners } => {
            let oneclick = env.oneclick_url(list, &email)?;
            env.transaction(requester, |tx| {
                join(
                    tx,
                    list,
                    &email,
                    &name,
                    &oneclick,
                    false,
                    notify_owners,
                    "subscribe",
                )?;
                keep_custom(tx, list, &email, &custom_json)
            })?;
            Ok(Outcome::Subscribed)
        }
        Decision::NeedsConfirmation {
            notify_owners,
            then_owner,
        } => {
            hold_for_confirmation(
                env,
                requester,
                list,
                RequestKind::Subscribe,
                &email,
                json!({ "name": name, "notify_owners": notify_owners, "then_owner": then_owner, "custom": custom_json }),
            )?;
            Ok(Outcome::ConfirmationSent)
        }
        Decision::NeedsOwnerApproval { notify_owners } => {
            env.transaction(requester, |tx| {
                hold_for_owner(
                    tx,
                    list,
                    RequestKind::Subscribe,
                    &email,
                    &name,
                    notify_owners,
                    &custom_json,
                )
            })?;
            Ok(Outcome::HeldForOwner)
        }
        Decision::Refuse(reason) => Err(Refusal::Denied(reason).into()),
    }
}

/// What the subscribe form of `list` asks besides the address and name: the list's custom
/// attributes, for whoever may see the list.
pub fn questions(
    env: &Env<'_>,
    requester: &Requester,
    list: &List,
) -> Result<Vec<custom::CustomAttribute>, Error> {
    env.authorize(requester, list, ActionKind::SeeList)?;
    Ok(custom::parse(&env.db().list_custom_attributes(list.id)?).unwrap_or_default())
}

/// Keeps the answers to the custom attributes (`custom`, a JSON object of strings, as a
/// held request's data holds them) with the membership of `email`; nothing when there are
/// none.
pub(crate) fn keep_custom(
    tx: &mut Tx<'_, '_>,
    list: &List,
    email: &Email,
    custom: &serde_json::Value,
) -> Result<(), Error> {
    let Some(object) = custom.as_object() else {
        return Ok(());
    };
    let values: BTreeMap<String, String> = object
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect();
    if !values.is_empty() {
        tx.db.set_member_custom(list.id, email, &values)?;
    }
    Ok(())
}

/// What [`hold_for_confirmation`] does when the address is not a member, short of holding
/// a request and mailing it: the same reads, the same count against the address's mail
/// limit and one committed transaction (its audit line), so that the answer takes as long
/// as a member's and the timing does not tell an anonymous visitor who is a member. (On
/// PostgreSQL a transaction is several round trips; skipping it was measurable.)
fn note_for_a_stranger(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    kind: RequestKind,
    email: &Email,
) -> Result<(), Error> {
    env.db()
        .pending_for(list.id, kind.as_str(), email, "confirm")?;
    if env.over_limit(&CONFIRMATION_MAIL_PER_ADDRESS, email.as_str())? {
        return Ok(());
    }
    env.transaction(requester, |tx| {
        tx.audit(
            &format!("{}_request", kind.as_str()),
            Some(list),
            Some(email),
            json!({ "member": false }),
        )
    })
}

/// `signoff`: leaves `list` as the unsubscribe policy says. Anonymous requests always
/// confirm by mail, and get the same answer whether the address is a member or not.
pub fn signoff(
    env: &mut Env<'_>,
    requester: &Requester,
    list: &List,
    typed_email: Option<&str>,
) -> Result<Outcome, Error> {
    let email = address(requester, typed_email)?;
    let decision = env.authorize(requester, list, ActionKind::Signoff)?;
    limit_anonymous(env, requester, &email)?;
    let is_member = env.db().member(list.id, &email)?.is_some();
    match decision {
        Decision::Allow { notify_owners } => {
            env.transaction(requester, |tx| {
                leave(tx, list, &email, false, notify_owners, "signoff")
            })?;
            Ok(Outcome::Unsubscribed)
        }
        Decision::NeedsConfirmation {
            notify_owners,
            then_owner,
        } => {
            if is_member {
                hold_for_confirmation(
                    env,
                    requester,
                    list,
                    RequestKind::Signoff,
                    &email,
                    json!({ "notify_owners": notify_owners, "then_owner": then_owner }),
                )?;
            } else {
                note_for_a_stranger(env, requester, list, RequestKind::Signoff, &email)?;
            }
            Ok(Outcome::ConfirmationSent)
        }
        Decision::NeedsOwnerApproval { notify_owners } => {
            if !is_member {
                return Err(Refusal::NotAMember.into());
            }
            env.transaction(requester, |tx| {
                hold_for_owner(
                    tx,
                    list,
                    RequestKind::Signoff,
                    &email,
                    "",
                    notify_owners,
                    &serde_json::Value::Null,
                )
            })?;
            Ok(Outcome::HeldForOwner)
        }
        Decision::Refuse(reason) => Err(Refusal::Denied(reason).into()),
    }
}
