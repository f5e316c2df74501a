//! Sympa's 24 SOAP operations: parameters read by position, the operations run through [`crate::operations::run`], answers in Sympa's accessor names and shapes.
//!
//! [`dispatch`] takes a parsed [`Call`] and the request's [`Cx`] (store, configuration,
//! session, trusted applications) and returns a [`Reply`] or a [`Stop`]: a fault, or the
//! database out of reach (a 503, never an empty answer). Who the call acts for is decided
//! here once: the session's user, the session of `authenticateAndRun`, or the `USER_EMAIL`
//! of a trusted application; nothing else (an unknown, expired or foreign session is never
//! an anonymous call, Sympa's CVE-2020-29668).
//!
//! Struct members come in the WSDL's order; `lists` is sorted by name, `review` by address.

use std::net::IpAddr;

use crate::auth;
use crate::config::Config;
use crate::domain::{Email, ListName, Role, User};
use crate::mail;
use crate::operations::limits::{client_key, Limit};
use crate::operations::membership::{self, OptionsChange};
use crate::operations::{self, account, lists, members, Channel, Env, Handoff, Refusal, Requester};
use crate::render::Templates;
use crate::store::{self, MemberQuery, MemberSort, Store};

use super::trusted::{self, Apps};
use super::{faults, Call, Fault, Out, Param, Reply};

/// `amI` and `getUserEmailByCookie` from one client: 120 per 10 minutes. Both tell who is
/// what; Sympa answers them without limit, and they are enumeration oracles.
pub const ORACLE_PER_CLIENT: Limit = Limit {
    bucket: "soap-oracle-client",
    window: 600,
    max: 120,
};

/// One of Sympa's SOAP operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `info(list)`.
    Info,
    /// `complexWhich()`.
    ComplexWhich,
    /// `which()`.
    Which,
    /// `amI(list, function, email)`.
    AmI,
    /// `add(list, email, gecos, quiet)`.
    Add,
    /// `del(list, email, quiet)`.
    Del,
    /// `createList(list, subject, template, description, topics)`.
    CreateList,
    /// `closeList(list)`.
    CloseList,
    /// `review(list)`.
    Review,
    /// `fullReview(list)`.
    FullReview,
    /// `subscribe(list, gecos)`.
    Subscribe,
    /// `signoff(list, email)`; the email is ignored: the caller leaves.
    Signoff,
    /// `login(email, password)`.
    Login,
    /// `casLogin(ticket)`.
    CasLogin,
    /// `getUserEmailByCookie(cookie)`.
    GetUserEmailByCookie,
    /// `authenticateAndRun(email, cookie, service, parameters)`.
    AuthenticateAndRun,
    /// `authenticateRemoteAppAndRun(app, password, vars, service, parameters)`.
    AuthenticateRemoteAppAndRun,
    /// `lists(topic, subtopic)`.
    Lists,
    /// `complexLists(topic, subtopic)`.
    ComplexLists,
    /// `checkCookie()`.
    CheckCookie,
    /// `getDetails(list)`.
    GetDetails,
    /// `setDetails(list, gecos, reception, key, value, ...)`.
    SetDetails,
    /// `setCustom(list, key, value)`.
    SetCustom,
    /// `moveUser(current, new)`.
    MoveUser,
}

impl Op {
    /// Every operation, in the order of the WSDL then the later ones.
    pub const ALL: [Op; 24] = [
        Op::Info,
        Op::ComplexWhich,
        Op::Which,
        Op::AmI,
        Op::Add,
        Op::Del,
        Op::CreateList,
        Op::CloseList,
        Op::Review,
        Op::FullReview,
        Op::Subscribe,
        Op::Signoff,
        Op::Login,
        Op::CasLogin,
        Op::GetUserEmailByCookie,
        Op::AuthenticateAndRun,
        Op::AuthenticateRemoteAppAndRun,
        Op::Lists,
        Op::ComplexLists,
        Op::CheckCookie,
        Op::GetDetails,
        Op::SetDetails,
        Op::SetCustom,
        Op::MoveUser,
    ];

    /// Its name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Op::Info => "info",
            Op::ComplexWhich => "complexWhich",
            Op::Which => "which",
            Op::AmI => "amI",
            Op::Add => "add",
            Op::Del => "del",
            Op::CreateList => "createList",
            Op::CloseList => "closeList",
            Op::Review => "review",
            Op::FullReview => "fullReview",
            Op::Subscribe => "subscribe",
            Op::Signoff => "signoff",
            Op::Login => "login",
            Op::CasLogin => "casLogin",
            Op::GetUserEmailByCookie => "getUserEmailByCookie",
            Op::AuthenticateAndRun => "authenticateAndRun",
            Op::AuthenticateRemoteAppAndRun => "authenticateRemoteAppAndRun",
            Op::Lists => "lists",
            Op::ComplexLists => "complexLists",
            Op::CheckCookie => "checkCookie",
            Op::GetDetails => "getDetails",
            Op::SetDetails => "setDetails",
            Op::SetCustom => "setCustom",
            Op::MoveUser => "moveUser",
        }
    }

    /// The operation called `name` (case matters, as in Sympa).
    pub fn from_name(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.name() == name)
    }

    /// Returns true if and only if the run-wrappers may run it: every operation but `login`,
    /// `casLogin` and the two wrappers.
    pub fn is_service(self) -> bool {
        !matches!(
            self,
            Op::Login | Op::CasLogin | Op::AuthenticateAndRun | Op::AuthenticateRemoteAppAndRun
        )
    }
}

/// Why a call gets no [`Reply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// A SOAP fault (HTTP 500).
    Fault(Fault),
    /// The database cannot be reached just now: HTTP 503 with `Retry-After`.
    Unavailable,
}

impl From<Fault> for Stop {
    fn from(fault: Fault) -> Stop {
        Stop::Fault(fault)
    }
}

/// The session a request came with, and the one its answer's cookie names.
#[derive(Debug, Clone, Default)]
pub struct Session {
    /// The id the answer's cookies carry: the live session's, a new one after `login`, or a
    /// fresh random id that is stored nowhere.
    pub id: String,
    /// The live session's row, if the cookie named one.
    pub row: Option<i64>,
    /// Its logged-in user.
    pub user: Option<User>,
}

/// What one request is served with.
pub struct Cx<'a> {
    /// A database connection.
    pub store: &'a mut Store,
    /// The configuration.
    pub config: &'a Config,
    /// The templates (mail).
    pub templates: &'a Templates,
    /// The trusted applications.
    pub apps: &'a Apps,
    /// Wakes this process's outbox sender.
    pub wake: &'a mail::Wake,
    /// The client's address.
    pub remote_addr: Option<IpAddr>,
    /// The cookie's session.
    pub session: Session,
}

/// Who a call acts for.
#[derive(Debug, Clone)]
struct Caller {
    /// The user, if any.
    user: Option<User>,
    /// Authenticated: a logged-in user, or a trusted application even without `USER_EMAIL`
    /// (enough for `amI` and `getUserEmailByCookie`).
    authenticated: bool,
}

/// Runs `call`.
pub fn dispatch(cx: &mut Cx<'_>, call: &Call) -> Result<Reply, Stop> {
    let Some(op) = Op::from_name(&call.method) else {
        return Err(Fault::client(
            format!(
                "Failed to locate method ({}) in class (Sympa::WWW::SOAP)",
                call.method
            ),
            None,
        )
        .into());
    };
    match op {
        Op::Login => login(cx, call),
        Op::CasLogin => Ok(Reply {
            // Sympa's answer when CAS is not configured (we have no CAS): a nil accessor
            // named as SOAP::Lite names an anonymous value.
            accessor: "s-gensym3",
            value: Out::Nil,
        }),
        Op::AuthenticateAndRun => authenticate_and_run(cx, call),
        Op::AuthenticateRemoteAppAndRun => authenticate_remote_app_and_run(cx, call),
        _ => {
            let caller = Caller {
                user: cx.session.user.clone(),
                authenticated: cx.session.user.is_some(),
            };
            service(cx, &caller, op, &call.params)
        }
    }
}

/// `login(email, password)`: a new session bound to the address (the old one ends), whose id
/// is the answer.
fn login(cx: &mut Cx<'_>, call: &Call) -> Result<Reply, Stop> {
    let (Some(email), Some(password)) = (call.param(0).text(), call.param(1).text()) else {
        return Err(faults::parameters("Use : <HTTP host> <email> <password>").into());
    };
    let requester = Requester::anonymous(Channel::Soap, cx.remote_addr);
    let user = run(cx, &requester, Op::Login, "", email, |env, r| {
        account::login(env, r, email, password)
    })?;
    let secret = auth::random_token().map_err(|e| internal(&e))?;
    let db = cx.store.db();
    if let Some(old) = cx.session.row.take() {
        db.delete_session(old).map_err(store_stop)?;
    }
    let remote = cx.remote_addr.map(|a| a.to_string());
    let record = db
        .create_session(
            &auth::token_hash(&secret),
            &cx.config.domain,
            Some(&user.email),
            remote.as_deref(),
            cx.config.session_table_ttl as i64,
        )
        .map_err(store_stop)?;
    cx.session = Session {
        id: secret.clone(),
        row: Some(record.id),
        user: Some(user),
    };
    Ok(result(Out::Str(secret)))
}

/// The logged-in user of the live session whose id is `secret` in this domain, refreshed;
/// `None` for an unknown, expired, anonymous or foreign one (the cookie's, for
/// [`crate::soap::service`], and the ids `authenticateAndRun` and `getUserEmailByCookie` name).
pub fn session_user(cx: &Cx<'_>, secret: &str) -> Result<Option<(i64, User)>, Stop> {
    let found = account::live_session(cx.config, &cx.store.db(), secret).map_err(store_stop)?;
    Ok(found.and_then(|(record, user)| Some((record.id, user?))))
}

/// `authenticateAndRun(email, sessionId, service, parameters)`: the session must be live
/// and be `email`'s; the answer's cookie names it.
fn authenticate_and_run(cx: &mut Cx<'_>, call: &Call) -> Result<Reply, Stop> {
    let email = call.param(0).text().unwrap_or("");
    let secret = call.param(1).text().unwrap_or("");
    let found = session_user(cx, secret)?;
    let Some((row, user)) =
        found.filter(|(_, user)| Email::parse(email).is_ok_and(|e| e == user.email))
    else {
        return Err(faults::no_email_from_cookie().into());
    };
    cx.session = Session {
        id: secret.to_string(),
        row: Some(row),
        user: Some(user.clone()),
    };
    let op = wrapped_service(call.param(2))?;
    let caller = Caller {
        user: Some(user),
        authenticated: true,
    };
    service(cx, &caller, op, &wrapped_params(call.param(3)))
}

/// `authenticateRemoteAppAndRun(app, password, vars, service, parameters)`: a trusted
/// application, acting for its `USER_EMAIL` if it may and gives one.
fn authenticate_remote_app_and_run(cx: &mut Cx<'_>, call: &Call) -> Result<Reply, Stop> {
    let name = call.param(0).text().unwrap_or("");
    let password = call.param(1).text().unwrap_or("");
    let Some(app) = cx.apps.authenticate(name, password) else {
        log::info!("SOAP: authentication failed for application {name:?}");
        return Err(Fault::server(
            "Authentication failed",
            Some(&format!("Authentication failed for application {name}")),
        )
        .into());
    };
    let vars = trusted::call_vars(app, call.param(2).text().unwrap_or(""))?;
    let op = wrapped_service(call.param(3))?;
    if !app.may_run(op.name()) {
        return Err(Fault::server(
            "Not allowed.",
            Some(&format!(
                "The application {} may not run {}",
                app.name,
                op.name()
            )),
        )
        .into());
    }
    let user = match vars.iter().find(|(name, _)| name == "USER_EMAIL") {
        None => None,
        Some((_, typed)) => {
            let email = Email::parse(typed).map_err(|_| {
                Fault::client(
                    "Incorrect syntaxe value",
                    Some(&format!("USER_EMAIL {typed} is not an e-mail address")),
                )
            })?;
            Some(proxied_user(cx, email)?)
        }
    };
    let caller = Caller {
        user,
        authenticated: true,
    };
    service(cx, &caller, op, &wrapped_params(call.param(4)))
}

/// The user a trusted application acts for: their account's listmaster flag, or the
/// configuration's, as on the web.
fn proxied_user(cx: &mut Cx<'_>, email: Email) -> Result<User, Stop> {
    let requester = Requester {
        email: Some(email.clone()),
        ..Requester::anonymous(Channel::Soap, cx.remote_addr)
    };
    let account = run(
        cx,
        &requester,
        Op::AuthenticateRemoteAppAndRun,
        "",
        "",
        |env, r| account::current_user(env, r),
    )?;
    Ok(account.unwrap_or_else(|| {
        account::with_site_role(
            cx.config,
            User {
                listmaster: false,
                email,
                name: String::new(),
                lang: String::new(),
                has_password: false,
            },
        )
    }))
}

/// The service a run-wrapper names: a real operation, never a wrapper or a login.
fn wrapped_service(param: &Param) -> Result<Op, Fault> {
    let name = param.text().unwrap_or("");
    Op::from_name(name)
        .filter(|op| op.is_service())
        .ok_or_else(|| {
            Fault::server(
                "Unknown service",
                Some(&format!(
                    "{} is not a service the run-wrappers take",
                    name.chars().take(64).collect::<String>()
                )),
            )
        })
}

/// A run-wrapper's parameters: an array's items (a nil or absent one is none).
fn wrapped_params(param: &Param) -> Vec<Param> {
    match param {
        Param::Nil => Vec::new(),
        Param::Array(items) => items.clone(),
        Param::Struct(members) => members.iter().map(|(_, v)| v.clone()).collect(),
        Param::Text(_) => vec![param.clone()],
    }
}

/// Parameter `index` of `params`, nil when left out.
fn param(params: &[Param], index: usize) -> &Param {
    params.get(index).unwrap_or(&Param::Nil)
}

/// Parameter `index` as text, "" when nil or left out.
fn text(params: &[Param], index: usize) -> &str {
    param(params, index).text().unwrap_or("")
}

/// Runs operation `op` for `caller`.
fn service(cx: &mut Cx<'_>, caller: &Caller, op: Op, params: &[Param]) -> Result<Reply, Stop> {
    // amI and getUserEmailByCookie need authentication (design/decisions.md), unlike
    // Sympa's; every other service needs a user.
    let needs = match op {
        Op::AmI | Op::GetUserEmailByCookie => caller.authenticated,
        _ => caller.user.is_some(),
    };
    if !needs {
        return Err(faults::login_required(op).into());
    }
    let requester = Requester {
        email: caller.user.as_ref().map(|u| u.email.clone()),
        listmaster: caller.user.as_ref().is_some_and(|u| u.listmaster),
        remote_addr: cx.remote_addr,
        channel: Channel::Soap,
        known_roles: None,
    };
    let me = caller
        .user
        .as_ref()
        .map_or(String::new(), |u| u.email.to_string());
    match op {
        Op::CheckCookie => Ok(result(Out::Str(me))),
        Op::GetUserEmailByCookie => {
            limit_oracle(cx, &requester, op)?;
            let email = session_user(cx, text(params, 0))?
                .map_or_else(|| "nobody".to_string(), |(_, user)| user.email.to_string());
            Ok(result(Out::Str(email)))
        }
        Op::Lists | Op::ComplexLists => {
            let topic = text(params, 0);
            let subtopic = text(params, 1);
            let mut found = run(cx, &requester, op, "", "", |env, r| lists::visible(env, r))?;
            found.retain(|list| topic_matches(&list.topics, topic, subtopic));
            found.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()));
            let items = found
                .iter()
                .map(|list| {
                    let members = vec![
                        (
                            "listAddress",
                            Out::Str(format!("{}@{}", list.name, cx.config.domain)),
                        ),
                        ("homepage", Out::Str(homepage(cx.config, &list.name))),
                        ("subject", Out::Str(list.subject.clone())),
                    ];
                    if op == Op::Lists {
                        Out::Str(joined(&members))
                    } else {
                        Out::Struct(members)
                    }
                })
                .collect();
            Ok(Reply {
                accessor: "listInfo",
                value: Out::Array(items),
            })
        }
        Op::Which | Op::ComplexWhich => {
            let memberships = run(cx, &requester, op, "", "", |env, r| {
                let mut found = Vec::new();
                for m in account::memberships(env, r)? {
                    // Sympa's "actual editor": the roles say it, the membership does not.
                    let editor = lists::open_list(env, m.list.as_str())
                        .and_then(|list| env.roles(r, &list))
                        .is_ok_and(|roles| roles.editor);
                    found.push((m, editor));
                }
                Ok(found)
            })?;
            let items = memberships
                .iter()
                .map(|(m, editor)| {
                    let subscriber = m.roles.contains(&Role::Subscriber);
                    let owner = m
                        .roles
                        .iter()
                        .any(|r| matches!(r, Role::Owner | Role::PrivilegedOwner));
                    let mut members = vec![
                        (
                            "listAddress",
                            Out::Str(format!("{}@{}", m.list, cx.config.domain)),
                        ),
                        ("homepage", Out::Str(homepage(cx.config, &m.list))),
                        ("isSubscriber", Out::Bool(subscriber)),
                        ("isOwner", Out::Bool(owner)),
                        ("isEditor", Out::Bool(*editor)),
                        ("subject", Out::Str(m.subject.clone())),
                    ];
                    if subscriber {
                        // Bounce fields for members only; the dates and code only when the
                        // member has bounce data.
                        match &m.bounce {
                            Some(b) => {
                                members.push(("firstBounceDate", Out::Int(b.first_at)));
                                members.push(("lastBounceDate", Out::Int(b.last_at)));
                                members.push(("bounceCount", Out::Int(i64::from(b.count))));
                                if let Some(code) = &b.code {
                                    members.push(("bounceCode", Out::Str(code.clone())));
                                }
                                members.push((
                                    "bounceScore",
                                    b.score.map_or(Out::Nil, |s| Out::Int(i64::from(s / 1000))),
                                ));
                            }
                            None => {
                                members.push(("bounceCount", Out::Int(0)));
                                members.push(("bounceScore", Out::Nil));
                            }
                        }
                    }
                    if op == Op::Which {
                        Out::Str(joined(&members))
                    } else {
                        Out::Struct(members)
                    }
                })
                .collect();
            Ok(Reply {
                accessor: "return",
                value: Out::Array(items),
            })
        }
        Op::Info => {
            let name = text(params, 0);
            let (list, info) = run(cx, &requester, op, name, "", |env, r| {
                let list = lists::open_list(env, name)?;
                let info = lists::info(env, r, &list)?;
                Ok((list, info))
            })?;
            let mut members = vec![
                ("listAddress", Out::Str(list.address())),
                ("homepage", Out::Str(homepage(cx.config, &list.name))),
            ];
            // Sympa leaves out a false flag; its owner includes the listmaster.
            for (name, on) in [
                ("isSubscriber", info.is_member),
                ("isOwner", info.is_owner || requester.listmaster),
                ("isEditor", info.is_editor),
            ] {
                if on {
                    members.push((name, Out::Bool(true)));
                }
            }
            members.push(("subject", Out::Str(list.subject.clone())));
            Ok(Reply {
                accessor: "soapenc:Array",
                value: Out::Array(vec![Out::Struct(members)]),
            })
        }
        Op::AmI => {
            limit_oracle(cx, &requester, op)?;
            let name = text(params, 0);
            let function = text(params, 1);
            let email = text(params, 2);
            if !matches!(function, "subscriber" | "editor" | "owner") {
                return Err(Fault::server(
                    "Unknown function.",
                    Some(&format!("Function {function} unknown")),
                )
                .into());
            }
            // A trusted application without USER_EMAIL may act as any address (it would
            // only have to name one), so it may ask about any: it asks as the site does.
            let asking = if caller.user.is_none() {
                Requester {
                    listmaster: true,
                    ..requester.clone()
                }
            } else {
                requester.clone()
            };
            let answer = run(cx, &asking, op, name, email, |env, r| {
                let list = lists::open_list(env, name)?;
                lists::am_i(env, r, &list, function, email)
            })?;
            Ok(result(Out::Bool(answer)))
        }
        Op::Review => {
            let name = text(params, 0);
            let page = run(cx, &requester, op, name, "", |env, r| {
                let list = lists::open_list(env, name)?;
                members::review(
                    env,
                    r,
                    &list,
                    MemberQuery {
                        filter: None,
                        include_concealed: false,
                        sort: MemberSort::Email,
                        offset: 0,
                        limit: i64::MAX as u64,
                    },
                )
            })?;
            let mut emails: Vec<String> =
                page.members.iter().map(|m| m.email.to_string()).collect();
            emails.sort();
            let items = if emails.is_empty() {
                // Sympa: a one-item array holding `<result>no_subscribers</result>`.
                vec![Out::Named(
                    "result",
                    Box::new(Out::Str("no_subscribers".into())),
                )]
            } else {
                emails.into_iter().map(Out::Str).collect()
            };
            Ok(Reply {
                accessor: "return",
                value: Out::Array(items),
            })
        }
        Op::FullReview => {
            let name = text(params, 0);
            let entries = run(cx, &requester, op, name, "", |env, r| {
                let list = lists::open_list(env, name)?;
                members::full_review(env, r, &list)
            })?;
            let items = entries
                .into_iter()
                .map(|entry| {
                    Out::Struct(vec![
                        ("email", Out::Str(entry.email.to_string())),
                        ("gecos", Out::Str(entry.name)),
                        ("isSubscriber", Out::Bool(entry.subscriber)),
                        ("isOwner", Out::Bool(entry.owner)),
                        ("isEditor", Out::Bool(entry.editor)),
                    ])
                })
                .collect();
            Ok(Reply {
                accessor: "return",
                value: Out::Array(items),
            })
        }
        Op::Subscribe => {
            let name = text(params, 0);
            let gecos = text(params, 1);
            run(cx, &requester, op, name, &me, |env, r| {
                let list = lists::open_list(env, name)?;
                membership::subscribe(env, r, &list, None, gecos)
            })?;
            Ok(result(Out::Bool(true)))
        }
        Op::Signoff => {
            let name = text(params, 0);
            run(cx, &requester, op, name, &me, |env, r| {
                let list = lists::open_list(env, name)?;
                membership::signoff(env, r, &list, None)
            })?;
            Ok(result(Out::Bool(true)))
        }
        Op::Add => {
            let name = text(params, 0);
            let email = text(params, 1);
            let gecos = text(params, 2);
            let quiet = param(params, 3).as_bool().unwrap_or(false);
            if email.is_empty() {
                return Err(faults::parameters("Use : <list> <email> [user gecos] [quiet]").into());
            }
            let report = run(cx, &requester, op, name, email, |env, r| {
                let list = lists::open_list(env, name)?;
                members::add(
                    env,
                    r,
                    &list,
                    &[members::Entry {
                        email: email.to_string(),
                        name: gecos.to_string(),
                    }],
                    quiet,
                )
            })?;
            if !report.invalid.is_empty() {
                return Err(faults::refusal(op, &Refusal::InvalidAddress, name, email).into());
            }
            if !report.already.is_empty() {
                return Err(faults::refusal(op, &Refusal::AlreadyMember, name, email).into());
            }
            Ok(result(Out::Bool(true)))
        }
        Op::Del => {
            let name = text(params, 0);
            let email = text(params, 1);
            let quiet = param(params, 2).as_bool().unwrap_or(false);
            if email.is_empty() {
                return Err(faults::parameters("Use : <list> <email> [quiet]").into());
            }
            let report = run(cx, &requester, op, name, email, |env, r| {
                let list = lists::open_list(env, name)?;
                members::del(env, r, &list, &[email], quiet)
            })?;
            if !report.invalid.is_empty() {
                return Err(faults::refusal(op, &Refusal::InvalidAddress, name, email).into());
            }
            if !report.not_member.is_empty() {
                return Err(faults::refusal(op, &Refusal::NotAMember, name, email).into());
            }
            Ok(result(Out::Bool(true)))
        }
        Op::GetDetails => {
            let name = text(params, 0);
            let member = run(cx, &requester, op, name, &me, |env, r| {
                let list = lists::open_list(env, name)?;
                membership::membership(env, r, &list, None)
            })?;
            let custom = member
                .custom_attributes
                .iter()
                .map(|(k, v)| {
                    Out::Struct(vec![
                        ("key", Out::Str(k.clone())),
                        ("value", Out::Str(v.clone())),
                    ])
                })
                .collect();
            Ok(Reply {
                accessor: "return",
                value: Out::Struct(vec![
                    ("gecos", Out::Str(member.name.clone())),
                    ("reception", Out::Str(member.reception.as_str().to_string())),
                    ("subscribeDate", Out::Int(member.subscribed_at)),
                    ("updateDate", Out::Int(member.updated_at)),
                    ("custom", Out::Array(custom)),
                ]),
            })
        }
        Op::SetDetails => {
            let name = text(params, 0);
            let gecos = param(params, 1).text();
            // Sympa ignores a reception mode it does not know.
            let reception = param(params, 2)
                .text()
                .filter(|r| crate::domain::ReceptionMode::parse(r).is_some());
            let pairs = custom_pairs(&params[params.len().min(3)..]);
            let custom: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            run(cx, &requester, op, name, &me, |env, r| {
                let list = lists::open_list(env, name)?;
                membership::set_options(
                    env,
                    r,
                    &list,
                    &OptionsChange {
                        email: None,
                        reception,
                        visibility: None,
                        name: gecos,
                        custom: &custom,
                    },
                )
            })?;
            Ok(result(Out::Bool(true)))
        }
        Op::SetCustom => {
            let name = text(params, 0);
            let key = text(params, 1);
            let value = text(params, 2);
            if key.is_empty() {
                return Err(faults::parameters("Use : <list> <key> <value>").into());
            }
            run(cx, &requester, op, name, &me, |env, r| {
                let list = lists::open_list(env, name)?;
                membership::set_custom(env, r, &list, key, value)
            })?;
            Ok(result(Out::Bool(true)))
        }
        Op::CreateList => {
            let name = text(params, 0);
            let subject = text(params, 1);
            let template = text(params, 2);
            let description = text(params, 3);
            let topics = text(params, 4);
            let missing: Vec<&str> = [
                ("listname", name),
                ("subject", subject),
                ("template", template),
                ("description", description),
                ("topics", topics),
            ]
            .iter()
            .filter(|(_, value)| value.is_empty())
            .map(|(what, _)| *what)
            .collect();
            if !missing.is_empty() {
                // Sympa concatenates the names oddly (`, template, descriptiontopics`); ours
                // is a plain list.
                return Err(Fault::server(
                    "Missing parameter",
                    Some(&format!(
                        "Missing required parameter(s) : {}",
                        missing.join(", ")
                    )),
                )
                .into());
            }
            let Ok(list_name) = ListName::parse(name) else {
                return Err(Fault::client(
                    "Incorrect listname",
                    Some(&format!("{name} is not a valid list name")),
                )
                .into());
            };
            let Some(template) = crate::domain::ListTemplate::parse(template) else {
                return Err(Fault::server(
                    "Unable to create list",
                    Some(&format!("Unknown list template {template}")),
                )
                .into());
            };
            let settings = lists::ListSettings::from_template(
                store::NewList {
                    name: list_name,
                    subject: subject.to_string(),
                    description: description.to_string(),
                    topics: topics
                        .split(',')
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_string)
                        .collect(),
                    visibility: crate::domain::Visibility::Noconceal,
                },
                template,
            );
            run(cx, &requester, op, name, &me, |env, r| {
                lists::create(env, r, &settings)
            })?;
            Ok(result(Out::Bool(true)))
        }
        Op::CloseList => {
            let name = text(params, 0);
            run(cx, &requester, op, name, &me, |env, r| {
                let list = lists::find(env, name)?;
                lists::close(env, r, &list)
            })?;
            Ok(result(Out::Bool(true)))
        }
        Op::MoveUser => {
            let current = text(params, 0);
            let new = text(params, 1);
            if current.is_empty() || new.is_empty() {
                return Err(faults::parameters("Use : <current_email> <email>").into());
            }
            run(cx, &requester, op, "", current, |env, r| {
                account::move_user(env, r, current, new)
            })?;
            Ok(result(Out::Bool(true)))
        }
        Op::Login | Op::CasLogin | Op::AuthenticateAndRun | Op::AuthenticateRemoteAppAndRun => {
            // The run-wrappers refuse these before; `dispatch` runs them itself.
            Err(Fault::server("Unknown service", Some(op.name())).into())
        }
    }
}

/// setDetails' custom attributes: trailing key/value pairs, or 6.2.80's one array of
/// `{key, value}` structs.
fn custom_pairs(params: &[Param]) -> Vec<(String, String)> {
    if let [Param::Array(items)] = params {
        return items
            .iter()
            .filter_map(|item| match item {
                Param::Struct(members) => {
                    let get = |name: &str| {
                        members
                            .iter()
                            .find(|(n, _)| n == name)
                            .and_then(|(_, v)| v.text())
                            .map(str::to_string)
                    };
                    Some((get("key")?, get("value").unwrap_or_default()))
                }
                _ => None,
            })
            .collect();
    }
    params
        .chunks(2)
        .filter_map(|pair| {
            let key = pair[0].text()?;
            let value = pair.get(1).and_then(Param::text).unwrap_or("");
            Some((key.to_string(), value.to_string()))
        })
        .collect()
}

/// Counts a call of an enumeration oracle against the client's limit.
fn limit_oracle(cx: &mut Cx<'_>, requester: &Requester, op: Op) -> Result<(), Stop> {
    let Some(addr) = cx.remote_addr else {
        return Ok(());
    };
    run(cx, requester, op, "", "", |env, _| {
        env.rate_limit(&ORACLE_PER_CLIENT, &client_key(addr))
    })
}

/// Returns true if and only if a list with `topics` is one `lists(topic, subtopic)` asks
/// for: all for an empty topic, those without topics for `topicsless`, else those with
/// `topic` (or `topic/subtopic`).
pub fn topic_matches(topics: &[String], topic: &str, subtopic: &str) -> bool {
    match (topic, subtopic) {
        ("", _) => true,
        ("topicsless", _) => topics.is_empty(),
        (topic, "") => topics
            .iter()
            .any(|t| t == topic || t.split('/').next() == Some(topic)),
        (topic, subtopic) => topics.iter().any(|t| *t == format!("{topic}/{subtopic}")),
    }
}

/// A list's page, as Sympa's `homepage`.
fn homepage(config: &Config, name: &ListName) -> String {
    format!("{}/info/{}", config.base_url(), name)
}

/// `k=v;k=v` as Sympa's `which` and `lists` write a struct: booleans 0/1, nil empty, and a
/// `;` in a value turned into `,`.
fn joined(members: &[(&'static str, Out)]) -> String {
    use std::fmt::Write as _;
    // One string, no allocation per member: `lists` writes one per list on every call.
    let mut out = String::with_capacity(members.len() * 32);
    for (index, (key, value)) in members.iter().enumerate() {
        if index > 0 {
            out.push(';');
        }
        out.push_str(key);
        out.push('=');
        match value {
            Out::Str(text) if !text.contains(';') => out.push_str(text),
            Out::Str(text) => out.extend(text.chars().map(|c| if c == ';' { ',' } else { c })),
            Out::Bool(b) => out.push(if *b { '1' } else { '0' }),
            Out::Int(i) => {
                let _ = write!(out, "{i}");
            }
            _ => {}
        }
    }
    out
}

/// A scalar answer under `result`.
fn result(value: Out) -> Reply {
    Reply {
        accessor: "result",
        value,
    }
}

/// Runs `operation` through [`operations::run`]; a refusal becomes `op`'s fault.
fn run<T>(
    cx: &mut Cx<'_>,
    requester: &Requester,
    op: Op,
    list: &str,
    email: &str,
    operation: impl FnOnce(&mut Env<'_>, &Requester) -> Result<T, operations::Error>,
) -> Result<T, Stop> {
    operations::run(
        cx.store,
        cx.config,
        cx.templates,
        requester,
        Handoff::Wake(cx.wake),
        operation,
    )
    .map_err(|error| match error {
        operations::Error::Refused(refusal) => {
            Stop::Fault(faults::refusal(op, &refusal, list, email))
        }
        operations::Error::Store(e) => store_stop(e),
        other => internal(&other),
    })
}

/// A store failure: 503 when the database is out of reach or busy, else a Server fault.
pub fn store_stop(error: store::Error) -> Stop {
    match error {
        store::Error::Busy { .. } | store::Error::Unavailable { .. } => Stop::Unavailable,
        other => internal(&other),
    }
}

/// A failure of ours: logged, and a Server fault that says nothing of the inside.
fn internal(error: &dyn std::fmt::Display) -> Stop {
    log::error!("SOAP: {error}");
    Stop::Fault(Fault::server(
        "Internal error",
        Some("The server could not answer this call; the error has been logged."),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_its_wire_name() {
        for op in Op::ALL {
            assert_eq!(Op::from_name(op.name()), Some(op));
        }
        assert_eq!(Op::from_name("Lists"), None);
        assert_eq!(Op::from_name("noSuchMethod"), None);
        let services = Op::ALL.iter().filter(|op| op.is_service()).count();
        assert_eq!(services, 20);
    }

    #[test]
    fn topics_filter_as_sympa() {
        let topics = vec!["computers/software".to_string(), "art".to_string()];
        assert!(topic_matches(&topics, "", ""));
        assert!(topic_matches(&topics, "computers", ""));
        assert!(topic_matches(&topics, "computers", "software"));
        assert!(!topic_matches(&topics, "computers", "hardware"));
        assert!(topic_matches(&topics, "art", ""));
        assert!(!topic_matches(&topics, "topicsless", ""));
        assert!(topic_matches(&[], "topicsless", ""));
        assert!(!topic_matches(&[], "art", ""));
    }

    #[test]
    fn joined_strings_are_sympas() {
        let members = vec![
            ("subject", Out::Str("a;b".into())),
            ("isOwner", Out::Bool(true)),
            ("isEditor", Out::Bool(false)),
            ("bounceCount", Out::Int(0)),
            ("bounceScore", Out::Nil),
        ];
        assert_eq!(
            joined(&members),
            "subject=a,b;isOwner=1;isEditor=0;bounceCount=0;bounceScore="
        );
    }

    #[test]
    fn custom_pairs_come_trailing_or_as_an_array() {
        let t = |s: &str| Param::Text(s.into());
        assert_eq!(
            custom_pairs(&[t("color"), t("blue"), t("size")]),
            [
                ("color".into(), "blue".into()),
                ("size".into(), String::new())
            ]
        );
        let array = Param::Array(vec![Param::Struct(vec![
            ("key".into(), t("color")),
            ("value".into(), t("red")),
        ])]);
        assert_eq!(
            custom_pairs(&[array]),
            [("color".to_string(), "red".to_string())]
        );
    }
}
