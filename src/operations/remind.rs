//! `remind`: every member gets the reminder of their subscription (Sympa's `remind.tt2`), queued in the outbox, at most once per [`REMIND_INTERVAL`] per list.

use serde_json::json;

use super::{Env, Error, Refusal, Requester};
use crate::domain::{ActionKind, Email, List};
use crate::mail::notices;
use crate::store::{self, AuditQuery};

/// The least time between two reminders of a list, in seconds (24 hours): members are not
/// to be mailed twice a day by mistake (a double click, two owners at once).
pub const REMIND_INTERVAL: i64 = 24 * 3600;

/// What the confirm page of `remind` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemindStatus {
    /// Members who would get the reminder.
    pub members: u64,
    /// When the last reminder was sent, if any.
    pub last: Option<i64>,
    /// Seconds until a reminder may be sent again (0: now).
    pub wait: u64,
}

/// When the last reminder of `list` was queued.
fn last_remind(db: &store::Db<'_>, list: &List) -> Result<Option<i64>, Error> {
    let rows = db.audit_page(&AuditQuery {
        list: Some(list.id),
        action: Some("remind"),
        limit: 1,
        ..AuditQuery::default()
    })?;
    Ok(rows.first().map(|row| row.at))
}

fn wait(last: Option<i64>, now: i64) -> u64 {
    last.map_or(0, |at| (at + REMIND_INTERVAL - now).max(0) as u64)
}

/// What `remind` would do now; owners and listmasters.
pub fn status(env: &Env<'_>, requester: &Requester, list: &List) -> Result<RemindStatus, Error> {
    env.authorize(requester, list, ActionKind::Remind)?;
    let db = env.db();
    let last = last_remind(&db, list)?;
    Ok(RemindStatus {
        members: db.member_count(list.id)?,
        last,
        wait: wait(last, store::now()),
    })
}

/// `remind`: queues the reminder for every member (whatever their reception mode: it is
/// about the subscription), with the owners' `remind.tt2` when saved, in ONE transaction
/// with the audit row `remind`; refuses ([`Refusal::TooSoon`]) within [`REMIND_INTERVAL`]
/// of the last one. Returns how many were queued; a list without members queues nothing
/// and records nothing.
pub fn remind(env: &mut Env<'_>, requester: &Requester, list: &List) -> Result<usize, Error> {
    env.authorize(requester, list, ActionKind::Remind)?;
    let secret = env.site_secret("oneclick")?;
    let base_url = env.config.base_url().to_string();
    env.transaction(requester, |tx| {
        // Read inside the transaction: two owners at once queue, and the second is refused.
        let now = store::now();
        let waiting = wait(last_remind(tx.db, list)?, now);
        if waiting > 0 {
            return Err(Refusal::TooSoon { seconds: waiting }.into());
        }
        let mut members: Vec<Email> = Vec::new();
        tx.db.for_each_member(list.id, |member| {
            members.push(member.email.clone());
            Ok(())
        })?;
        if members.is_empty() {
            return Ok(0);
        }
        let text = super::texts::stored(tx.db, list, "remind.tt2")?;
        let day = now.div_euclid(86_400);
        for email in &members {
            let oneclick = crate::mail::personalize::oneclick_url(
                &base_url,
                list.name.as_str(),
                &list.address(),
                email.as_str(),
                &secret,
                day,
            );
            let mail = notices::remind(&tx.composer, email, list, &oneclick, text.as_deref());
            tx.queue(mail)?;
        }
        tx.audit(
            "remind",
            Some(list),
            None,
            json!({ "members": members.len() }),
        )?;
        Ok(members.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_counts_from_the_last_reminder() {
        assert_eq!(wait(None, 1_000_000), 0);
        assert_eq!(wait(Some(1_000_000), 1_000_000), REMIND_INTERVAL as u64);
        assert_eq!(wait(Some(1_000_000), 1_000_000 + REMIND_INTERVAL - 1), 1);
        assert_eq!(wait(Some(1_000_000), 1_000_000 + REMIND_INTERVAL), 0);
        // A day: still 1 hour to wait 23 hours later.
        assert_eq!(wait(Some(0), 23 * 3600), 3600);
    }

    mod on_lists {
        use super::super::*;

        use crate::domain::AdminRole;
        use crate::operations::test_support::{email, run, user};

        use crate::store::test_support::{list as new_list, on_both};
        use crate::store::{AuditEntry, NewMember, Store};

        fn said<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
            match result {
                Ok(value) => format!("{value:?}"),
                Err(Error::Refused(Refusal::TooSoon { .. })) => "too_soon".into(),
                Err(Error::Refused(refusal)) => refusal.code().into(),
                Err(e) => panic!("{e}"),
            }
        }

        /// A list owned by own@ with `members`.
        fn list(store: &mut Store, name: &str, members: &[&str]) -> List {
            let id = new_list(store, name);
            let db = store.db();
            db.add_admin(id, &email("own@a.org"), AdminRole::Owner, true)
                .unwrap();
            for member in members {
                db.add_member(id, &NewMember::new(email(member))).unwrap();
            }
            db.list_by_id(id).unwrap().unwrap()
        }

        #[test]
        fn each_list_is_reminded_once_a_day_whatever_else_happened() {
            let seen = on_both(|store| {
                let team = list(store, "team", &["a@a.org", "b@a.org"]);
                let other = list(store, "other", &["c@a.org"]);
                let empty = list(store, "empty", &[]);
                // Other changes of the list are no reminder.
                store
                    .db()
                    .audit(&AuditEntry {
                        actor: None,
                        remote_addr: None,
                        channel: "cli",
                        action: "add",
                        list: Some(team.id),
                        target: Some(&email("a@a.org")),
                        detail: json!({}),
                    })
                    .unwrap();
                let own = user("own@a.org");
                let mut seen = run(store, |env| {
                    let status = |env: &Env<'_>, list: &List| match status(env, &own, list) {
                        Ok(s) => format!("{} {} {}", s.members, s.last.is_some(), s.wait > 0),
                        Err(e) => said::<()>(Err(e)),
                    };
                    vec![
                        status(env, &team),
                        said(remind(env, &user("a@a.org"), &team)),
                        said(remind(env, &own, &empty)),
                        said(remind(env, &own, &team)),
                        status(env, &team),
                        said(remind(env, &own, &team)),
                        status(env, &other),
                        said(remind(env, &own, &other)),
                        said(remind(env, &own, &empty)),
                    ]
                });
                let outbox: Vec<String> = (1..100)
                    .map_while(|id| store.db().outbox_message(id).unwrap())
                    .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                    .collect();
                seen.push(format!("mails {}", outbox.len()));
                seen
            });
            assert_eq!(
                seen,
                [
                    "2 false false",
                    "not_allowed",
                    "0",
                    "2",
                    "2 true true",
                    "too_soon",
                    "1 false false",
                    "1",
                    "0",
                    "mails 3",
                ]
            );
        }
    }
}
