//! Mail commands, Sympa's: to `sympa@` (commands in the Subject and the body's lines),
//! `LIST-request@` (the same, the list implied; mail that holds no command goes to the
//! owners), `LIST-subscribe@` and `LIST-unsubscribe@`. Each command calls the operation the
//! web calls; the sender (the From, unproven) acts as an anonymous requester who typed that
//! address, so subscribing and unsubscribing by mail are confirmed by mail as on the web.
//! A report goes back to the sender.
//!
//! Reading stops at the first line that is not a command, at a signature (`-- `), at
//! `QUIT`/`END`, and after [`MAX_COMMANDS`] commands.

use serde_json::{json, Value};

use super::{may_answer, requester_for, sender_of, Incoming, Outcome, REPLY_PER_ADDRESS};
use crate::archive;
use crate::domain::{Email, List, ListName, ListStatus};
use crate::operations::membership::{self, Outcome as MembershipOutcome};
use crate::operations::moderation::{self, Decided, Decision};
use crate::operations::{lists, Channel, Env, Error, Requester};

/// The most commands run from one message; the lines past it are counted, not run.
pub const MAX_COMMANDS: usize = 20;

/// The most characters of a command line repeated in the report.
const MAX_ECHO_CHARS: usize = 200;

/// One mail command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `SUBSCRIBE LIST [Name]` (`SUB`).
    Subscribe {
        /// The list.
        list: String,
        /// The display name, possibly empty.
        name: String,
    },
    /// `SIGNOFF LIST [ADDRESS]` (`UNSUBSCRIBE`, `UNSUB`): the confirmation goes to the
    /// address, the sender's by default.
    Signoff {
        /// The list.
        list: String,
        /// Another address to unsubscribe.
        email: Option<String>,
    },
    /// `INFO LIST`.
    Info {
        /// The list.
        list: String,
    },
    /// `WHICH`: the lists the sender is on.
    Which,
    /// `HELP`.
    Help,
    /// `LISTS`: the lists of the domain.
    Lists,
    /// `DISTRIBUTE LIST KEY`: a moderator's reply.
    Distribute {
        /// The list.
        list: String,
        /// The moderation key.
        key: String,
    },
    /// `REJECT LIST KEY`.
    Reject {
        /// The list.
        list: String,
        /// The moderation key.
        key: String,
    },
}

/// A line that names a command but cannot be run as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// A list was expected.
    MissingList,
    /// A moderation key was expected.
    MissingKey,
}

impl Problem {
    fn code(self) -> &'static str {
        match self {
            Problem::MissingList => "missing_list",
            Problem::MissingKey => "missing_key",
        }
    }
}

/// What one line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A command.
    Command(Command),
    /// A command word with unusable arguments.
    Bad(Problem),
    /// The end of the commands (`QUIT`, `END`, a signature).
    Stop,
    /// Not a command.
    Other,
}

/// Reads one line. `default_list` is the list of a `LIST-request@` address, used when the
/// line names none.
pub fn parse_line(line: &str, default_list: Option<&str>) -> Line {
    let line = line.trim();
    if line == "--" || line.starts_with("-- ") {
        return Line::Stop;
    }
    let mut words = line.split_whitespace();
    let Some(word) = words.next() else {
        return Line::Other;
    };
    let word = word.to_ascii_lowercase();
    let rest: Vec<&str> = words.collect();
    // With a default list, a first argument that is not its name is the next argument.
    let (list, args): (Option<String>, &[&str]) = match (rest.first(), default_list) {
        (Some(first), Some(default)) if !first.eq_ignore_ascii_case(default) => {
            (Some(default.to_string()), &rest[..])
        }
        (Some(first), _) => (Some(first.to_ascii_lowercase()), &rest[1..]),
        (None, default) => (default.map(str::to_string), &[]),
    };
    let with_list = |make: &dyn Fn(String) -> Command| match &list {
        Some(list) => Line::Command(make(list.clone())),
        None => Line::Bad(Problem::MissingList),
    };
    match word.as_str() {
        "quit" | "end" | "stop" | "exit" => Line::Stop,
        "subscribe" | "sub" => with_list(&|list| Command::Subscribe {
            list,
            name: args.join(" "),
        }),
        "signoff" | "unsubscribe" | "unsub" => with_list(&|list| Command::Signoff {
            list,
            email: args.first().map(|a| a.to_string()),
        }),
        "info" => with_list(&|list| Command::Info { list }),
        "which" | "status" if rest.is_empty() => Line::Command(Command::Which),
        "help" if rest.len() <= 1 => Line::Command(Command::Help),
        "lists" if rest.is_empty() => Line::Command(Command::Lists),
        "distribute" | "reject" => {
            // The list is always written in a moderator's reply; keys are never list names.
            let (list, key) = match rest.as_slice() {
                [list, key, ..] => (Some(list.to_ascii_lowercase()), Some(*key)),
                [key] if default_list.is_some() => (default_list.map(str::to_string), Some(*key)),
                [_] => (None, None),
                [] => (default_list.map(str::to_string), None),
            };
            match (list, key) {
                (None, _) => Line::Bad(Problem::MissingList),
                (Some(_), None) => Line::Bad(Problem::MissingKey),
                (Some(list), Some(key)) => {
                    let key = key.to_string();
                    Line::Command(if word == "distribute" {
                        Command::Distribute { list, key }
                    } else {
                        Command::Reject { list, key }
                    })
                }
            }
        }
        _ => Line::Other,
    }
}

/// The subject without its reply and forward prefixes (`Re:`, `Fwd:`, `AW:`, `SV:`).
fn strip_prefixes(subject: &str) -> &str {
    let mut subject = subject.trim();
    loop {
        let lower = subject.to_ascii_lowercase();
        let Some(prefix) = ["re:", "fwd:", "fw:", "aw:", "sv:", "tr:"]
            .iter()
            .find(|p| lower.starts_with(*p))
        else {
            return subject;
        };
        subject = subject[prefix.len()..].trim_start();
    }
}

/// The commands of a message: its subject when it is one, then its body's lines until the
/// first that is not; at most [`MAX_COMMANDS`]. Returns each command line with what it is,
/// and how many command lines were left unread past the cap.
pub fn read_commands(
    subject: &str,
    body: &str,
    default_list: Option<&str>,
) -> (Vec<(String, Line)>, usize) {
    let mut found = Vec::new();
    let mut over = 0;
    let mut take = |text: &str, line: Line| {
        if found.len() < MAX_COMMANDS {
            found.push((text.chars().take(MAX_ECHO_CHARS).collect::<String>(), line));
        } else {
            over += 1;
        }
    };
    let subject = strip_prefixes(subject);
    if let line @ (Line::Command(_) | Line::Bad(_)) = parse_line(subject, default_list) {
        take(subject, line);
    }
    for text in body.lines() {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        match parse_line(text, default_list) {
            line @ (Line::Command(_) | Line::Bad(_)) => take(text, line),
            Line::Stop | Line::Other => break,
        }
    }
    (found, over)
}

/// Whether a post's subject or first line looks like a command sent to the list's address
/// by mistake (Sympa's `misaddressed_commands_regexp`): `subscribe`, `unsubscribe`,
/// `signoff`, `unsub`, `help`, or `set LIST nomail|digest|mail`, and nothing more than
/// a few words.
pub fn looks_like_command(line: &str) -> bool {
    let words: Vec<String> = strip_prefixes(line)
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    let Some(first) = words.first() else {
        return false;
    };
    match first.as_str() {
        "subscribe" | "unsubscribe" | "signoff" | "unsub" => words.len() <= 4,
        "help" => words.len() == 1,
        "set" => {
            words.len() == 3 && ["mail", "nomail", "digest", "summary"].contains(&words[2].as_str())
        }
        _ => false,
    }
}

/// Where a command message arrived.
#[derive(Debug, Clone)]
pub enum CommandPlace {
    /// `sympa@DOMAIN`.
    Robot {
        /// The domain whose lists the commands name.
        domain: String,
    },
    /// `LIST-request@`: commands about the list; otherwise the owners.
    Request(List),
    /// `LIST-subscribe@`: a subscription request, whatever the message says.
    Subscribe(List),
    /// `LIST-unsubscribe@`: an unsubscription request.
    Unsubscribe(List),
}

impl CommandPlace {
    fn domain(&self) -> &str {
        match self {
            CommandPlace::Robot { domain } => domain,
            CommandPlace::Request(list)
            | CommandPlace::Subscribe(list)
            | CommandPlace::Unsubscribe(list) => &list.domain,
        }
    }
}

/// Handles a message to a command address. Automatic mail and mail without a usable From
/// run nothing (to `LIST-request@` they go to the owners); the report goes to the From
/// unless that could be backscatter.
pub fn commands(
    env: &mut Env<'_>,
    place: &CommandPlace,
    incoming: &Incoming<'_>,
) -> Result<Outcome, Error> {
    let head = incoming.head();
    let automatic = incoming.envelope_from.is_empty()
        || super::headers::is_robot_address(incoming.envelope_from)
        || head.is_automatic()
        || head.is_list_mail();
    let parsed = archive::parse(incoming.raw);
    let sender = sender_of(&head, &parsed.from_addr);
    let (sender, automatic) = match sender {
        Some(sender) if !automatic && !super::headers::is_robot_address(sender.as_str()) => {
            (sender, false)
        }
        sender => (sender.unwrap_or_else(unknown_sender), true),
    };
    let default_list = match place {
        CommandPlace::Request(list) => Some(list.name.as_str()),
        _ => None,
    };
    let (lines, over) = match place {
        _ if automatic => (Vec::new(), 0),
        CommandPlace::Subscribe(list) => (
            vec![(
                format!("SUBSCRIBE {}", list.name),
                Line::Command(Command::Subscribe {
                    list: list.name.to_string(),
                    // A name the web would refuse (control or direction characters, too
                    // long) is left out rather than failing the subscription.
                    name: membership::check_name(&parsed.from_name).unwrap_or_default(),
                }),
            )],
            0,
        ),
        CommandPlace::Unsubscribe(list) => (
            vec![(
                format!("SIGNOFF {}", list.name),
                Line::Command(Command::Signoff {
                    list: list.name.to_string(),
                    email: None,
                }),
            )],
            0,
        ),
        CommandPlace::Robot { .. } | CommandPlace::Request(_) => {
            read_commands(&parsed.subject, &parsed.index.body_new, default_list)
        }
    };
    if lines.is_empty() {
        if let CommandPlace::Request(list) = place {
            return super::forward::to_owners(env, list, incoming, "request");
        }
        let why = if automatic {
            "automatic mail or no usable From"
        } else {
            "no command"
        };
        log::info!(
            "mail to {} from {:?} discarded: {why}",
            place.domain(),
            incoming.envelope_from
        );
        return Ok(Outcome::Discarded(if automatic {
            "automatic"
        } else {
            "no-command"
        }));
    }
    let mut results = Vec::new();
    let mut help = false;
    for (text, line) in &lines {
        let result = match line {
            Line::Command(Command::Help) => {
                help = true;
                json!({ "code": "help" })
            }
            Line::Command(command) => run(env, place.domain(), &sender, command)?,
            Line::Bad(problem) => json!({ "code": problem.code() }),
            Line::Stop | Line::Other => continue,
        };
        let mut result = result;
        result["line"] = json!(text);
        results.push(result);
    }
    let count = results.len();
    let answer = may_answer(incoming, &head, &sender)
        && !env.over_limit(&REPLY_PER_ADDRESS, sender.as_str())?;
    let requester = requester_for(Some(&sender));
    let codes: Vec<Value> = results.iter().map(|r| r["code"].clone()).collect();
    env.transaction(&requester, |tx| {
        if answer {
            let mail = tx.composer.compose(
                "command_report",
                &sender,
                None,
                json!({
                    "results": results,
                    "help": help,
                    "over": over,
                    "max_commands": MAX_COMMANDS,
                    "robot": format!("{}@{}", tx.composer.config.email, place.domain()),
                }),
            );
            tx.queue(mail)?;
        }
        tx.audit(
            "mail_commands",
            None,
            Some(&sender),
            json!({ "results": codes, "reported": answer }),
        )
    })?;
    Ok(Outcome::Commands {
        count,
        reported: answer,
    })
}

/// A placeholder address for mail without a usable From (nothing is ever sent to it).
fn unknown_sender() -> Email {
    Email::parse("unknown@invalid").expect("a valid address")
}

/// The open list `name` of `domain`, if there is one.
fn open_list(env: &Env<'_>, domain: &str, name: &str) -> Result<Option<List>, Error> {
    let Ok(name) = ListName::parse(name) else {
        return Ok(None);
    };
    Ok(env
        .db()
        .list_by_name(domain, &name)?
        .filter(|list| list.status == ListStatus::Open))
}

/// Runs one command as the anonymous requester the sender is; returns its result for the
/// report (`code` and what else the template shows).
fn run(env: &mut Env<'_>, domain: &str, sender: &Email, command: &Command) -> Result<Value, Error> {
    let anonymous = Requester::anonymous(Channel::Mail, None);
    let list_named = |env: &Env<'_>, name: &str| open_list(env, domain, name);
    let unknown = |name: &str| json!({ "code": "unknown_list", "list": name });
    let refused = |result: Result<Value, Error>, list: &str| match result {
        Err(Error::Refused(refusal)) => Ok(json!({ "code": refusal.code(), "list": list })),
        other => other,
    };
    match command {
        Command::Subscribe {
            list: name,
            name: display,
        } => {
            let Some(list) = list_named(env, name)? else {
                return Ok(unknown(name));
            };
            let display = membership::check_name(display).unwrap_or_default();
            let result =
                membership::subscribe(env, &anonymous, &list, Some(sender.as_str()), &display)
                    .map(|outcome| json!({ "code": membership_code(outcome), "list": name }));
            refused(result, name)
        }
        Command::Signoff { list: name, email } => {
            let Some(list) = list_named(env, name)? else {
                return Ok(unknown(name));
            };
            let typed = email.as_deref().unwrap_or(sender.as_str());
            let result = membership::signoff(env, &anonymous, &list, Some(typed))
                .map(|outcome| json!({ "code": membership_code(outcome), "list": name }));
            refused(result, name)
        }
        Command::Info { list: name } => {
            let Some(list) = list_named(env, name)? else {
                return Ok(unknown(name));
            };
            let result = lists::info(env, &anonymous, &list).map(|info| {
                json!({
                    "code": "info",
                    "list": name,
                    "address": list.address(),
                    "subject": list.subject,
                    "description": list.description,
                    "members": info.member_count,
                    "subscribe": list.policy.subscribe.as_str(),
                    "may_subscribe": info.may.subscribe,
                })
            });
            refused(result, name)
        }
        Command::Which => {
            let memberships = env.db().memberships(domain, sender)?;
            let lists: Vec<Value> = memberships
                .iter()
                .map(|m| {
                    json!({
                        "list": m.list.as_str(),
                        "subject": m.subject,
                        "roles": m.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                    })
                })
                .collect();
            Ok(json!({ "code": "which", "lists": lists }))
        }
        Command::Lists => {
            let visible = lists::visible(env, &anonymous)?;
            let lists: Vec<Value> = visible
                .iter()
                .map(|l| json!({ "list": l.name.as_str(), "subject": l.subject }))
                .collect();
            Ok(json!({ "code": "lists", "lists": lists }))
        }
        Command::Help => Ok(json!({ "code": "help" })),
        Command::Distribute { list: name, key } | Command::Reject { list: name, key } => {
            // A reply to a notice sent before the list was renamed names its old name: the
            // key is then looked for on the list it was made for (`keyed_list`), never on
            // another list that took the name over.
            let list = match list_named(env, name)? {
                Some(list) => list,
                None if domain.eq_ignore_ascii_case(&env.config.domain) => {
                    match moderation::keyed_list(env, name) {
                        Ok(list) => list,
                        Err(Error::Refused(_)) => return Ok(unknown(name)),
                        Err(e) => return Err(e),
                    }
                }
                None => return Ok(unknown(name)),
            };
            let distribute = matches!(command, Command::Distribute { .. });
            let decision = if distribute {
                Decision::Distribute
            } else {
                Decision::Reject { reason: None }
            };
            let requester = requester_for(Some(sender));
            let decided = env.transaction(&requester, |tx| {
                moderation::decide_by_key(tx, &list, key, &decision, Some(sender))
            })?;
            Ok(match decided {
                Decided::Applied => json!({
                    "code": if distribute { "distributed" } else { "rejected" },
                    "list": name,
                }),
                Decided::Already { decision, .. } => json!({
                    "code": "already_decided",
                    "list": name,
                    "decision": decision,
                }),
                Decided::Unknown => json!({ "code": "unknown_key", "list": name }),
            })
        }
    }
}

fn membership_code(outcome: MembershipOutcome) -> &'static str {
    match outcome {
        MembershipOutcome::Subscribed => "subscribed",
        MembershipOutcome::Unsubscribed => "unsubscribed",
        MembershipOutcome::ConfirmationSent => "confirmation_sent",
        MembershipOutcome::HeldForOwner => "held_for_owner",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(line: &str) -> Line {
        parse_line(line, None)
    }

    #[test]
    fn command_lines_parse_as_sympa_writes_them() {
        assert_eq!(
            cmd("SUBSCRIBE team Ada Lovelace"),
            Line::Command(Command::Subscribe {
                list: "team".into(),
                name: "Ada Lovelace".into()
            })
        );
        assert_eq!(
            cmd("sub Team"),
            Line::Command(Command::Subscribe {
                list: "team".into(),
                name: String::new()
            })
        );
        assert_eq!(
            cmd("unsubscribe team other@x.org"),
            Line::Command(Command::Signoff {
                list: "team".into(),
                email: Some("other@x.org".into())
            })
        );
        assert_eq!(cmd("signoff"), Line::Bad(Problem::MissingList));
        assert_eq!(
            cmd("INFO team"),
            Line::Command(Command::Info {
                list: "team".into()
            })
        );
        assert_eq!(cmd("which"), Line::Command(Command::Which));
        assert_eq!(cmd("help"), Line::Command(Command::Help));
        assert_eq!(cmd("lists"), Line::Command(Command::Lists));
        assert_eq!(
            cmd("DISTRIBUTE team abcDEF123"),
            Line::Command(Command::Distribute {
                list: "team".into(),
                key: "abcDEF123".into()
            })
        );
        assert_eq!(cmd("reject team"), Line::Bad(Problem::MissingList));
        assert_eq!(cmd("quit"), Line::Stop);
        assert_eq!(cmd("-- "), Line::Stop);
        assert_eq!(cmd("Hello, please add me"), Line::Other);
        assert_eq!(cmd("help me with my build please"), Line::Other);
    }

    #[test]
    fn a_request_address_implies_its_list() {
        let line = |text| parse_line(text, Some("team"));
        assert_eq!(
            line("subscribe"),
            Line::Command(Command::Subscribe {
                list: "team".into(),
                name: String::new()
            })
        );
        assert_eq!(
            line("subscribe Ada Lovelace"),
            Line::Command(Command::Subscribe {
                list: "team".into(),
                name: "Ada Lovelace".into()
            })
        );
        assert_eq!(
            line("subscribe team Ada"),
            Line::Command(Command::Subscribe {
                list: "team".into(),
                name: "Ada".into()
            })
        );
        assert_eq!(
            line("unsubscribe"),
            Line::Command(Command::Signoff {
                list: "team".into(),
                email: None
            })
        );
        assert_eq!(
            line("reject K3Y"),
            Line::Command(Command::Reject {
                list: "team".into(),
                key: "K3Y".into()
            })
        );
    }

    #[test]
    fn reading_stops_at_prose_signatures_and_the_cap() {
        let (found, over) = read_commands(
            "Re: which",
            "\nINFO team\nlists\n\nThanks!\nsubscribe other\n",
            None,
        );
        let lines: Vec<&str> = found.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(lines, ["which", "INFO team", "lists"]);
        assert_eq!(over, 0);
        let (found, _) = read_commands("hello", "help\n-- \nsubscribe team\n", None);
        assert_eq!(found.len(), 1);
        let body = "which\n".repeat(MAX_COMMANDS + 5);
        let (found, over) = read_commands("", &body, None);
        assert_eq!((found.len(), over), (MAX_COMMANDS, 5));
    }

    #[test]
    fn misaddressed_commands_are_recognized() {
        assert!(looks_like_command("unsubscribe"));
        assert!(looks_like_command("Re: unsubscribe me please"));
        assert!(looks_like_command("subscribe team"));
        assert!(looks_like_command("help"));
        assert!(looks_like_command("set team nomail"));
        assert!(!looks_like_command("Help with the build"));
        assert!(!looks_like_command(
            "unsubscribe links in mail are broken for me"
        ));
        assert!(!looks_like_command("Settings are lost"));
        assert!(!looks_like_command(""));
    }
}
