//! LMTP command lines: one line (without its line ending) parsed into a [`Command`], or the reply that refuses it; never panics on any bytes.

use super::Reply;

/// Longest path in `MAIL FROM` or `RCPT TO`, angle brackets excluded (RFC 5321 §4.5.3.1.3).
pub const MAX_PATH: usize = 256;

/// A parsed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `LHLO domain`.
    Lhlo(String),
    /// `MAIL FROM:<path> [params]`.
    Mail(MailFrom),
    /// `RCPT TO:<path>`.
    Rcpt(String),
    /// `DATA`.
    Data,
    /// `RSET`.
    Rset,
    /// `NOOP [text]`.
    Noop,
    /// `QUIT`.
    Quit,
    /// `VRFY something`.
    Vrfy,
    /// `HELP [topic]`.
    Help,
    /// `HELO`/`EHLO`: SMTP's greetings, refused in LMTP (RFC 2033 §4.1).
    SmtpGreeting,
    /// A command of SMTP we know but do not offer (`EXPN`, `STARTTLS`, `AUTH`, `BDAT`...).
    NotImplemented,
}

/// `MAIL FROM`'s reverse path and parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MailFrom {
    /// The address, without angle brackets; empty for the null sender.
    pub from: String,
    /// `SIZE=`, the client's estimate of the message size.
    pub size: Option<u64>,
    /// `SMTPUTF8` was given (RFC 6531).
    pub smtputf8: bool,
}

fn syntax(text: &str) -> Reply {
    Reply::new(501, "5.5.4", text)
}

/// Parses one command line (its CR LF removed).
pub fn parse(line: &[u8]) -> Result<Command, Reply> {
    let verb_end = line.iter().position(|&b| b == b' ').unwrap_or(line.len());
    let (verb, rest) = line.split_at(verb_end);
    let args = rest.strip_prefix(b" ").unwrap_or(rest);
    if verb.is_empty() || verb.len() > 10 || !verb.iter().all(u8::is_ascii_alphabetic) {
        return Err(Reply::new(
            500,
            "5.5.2",
            "Syntax error, command unrecognized",
        ));
    }
    let verb = verb.to_ascii_uppercase();
    let no_args = |command: Command| {
        if args.iter().all(|&b| b == b' ') {
            Ok(command)
        } else {
            Err(syntax("Syntax error: no parameters allowed"))
        }
    };
    match verb.as_slice() {
        b"LHLO" => {
            let domain = std::str::from_utf8(args)
                .map_err(|_| syntax("Syntax error: LHLO needs a domain in UTF-8"))?
                .trim();
            if domain.is_empty()
                || domain.len() > 255
                || domain.contains(|c: char| c.is_control() || c == ' ')
            {
                return Err(syntax("Syntax error: LHLO needs a domain"));
            }
            Ok(Command::Lhlo(domain.to_string()))
        }
        b"MAIL" => parse_mail(args).map(Command::Mail),
        b"RCPT" => parse_rcpt(args).map(Command::Rcpt),
        b"DATA" => no_args(Command::Data),
        b"RSET" => no_args(Command::Rset),
        b"QUIT" => no_args(Command::Quit),
        b"NOOP" => Ok(Command::Noop),
        b"HELP" => Ok(Command::Help),
        b"VRFY" => {
            if args.iter().all(|&b| b == b' ') {
                Err(syntax("Syntax error: VRFY needs an argument"))
            } else {
                Ok(Command::Vrfy)
            }
        }
        b"HELO" | b"EHLO" => Ok(Command::SmtpGreeting),
        b"EXPN" | b"STARTTLS" | b"AUTH" | b"BDAT" | b"ETRN" | b"TURN" | b"ATRN" | b"SEND"
        | b"SOML" | b"SAML" => Ok(Command::NotImplemented),
        _ => Err(Reply::new(
            500,
            "5.5.2",
            "Syntax error, command unrecognized",
        )),
    }
}

/// Strips `keyword` (case-insensitive, e.g. `FROM:`) from the front of `args`, then any spaces.
fn after_keyword<'a>(args: &'a [u8], keyword: &[u8]) -> Option<&'a [u8]> {
    if args.len() < keyword.len() || !args[..keyword.len()].eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = &args[keyword.len()..];
    let spaces = rest.iter().take_while(|&&b| b == b' ').count();
    Some(&rest[spaces..])
}

/// Reads `<path>` at the front of `text`; returns the address (source route dropped) and what follows.
fn path(text: &[u8]) -> Result<(String, &[u8]), Reply> {
    let Some(inner) = text.strip_prefix(b"<") else {
        return Err(syntax(
            "Syntax error: the address must be in angle brackets",
        ));
    };
    // The closing bracket, outside a quoted local part.
    let mut quoted = false;
    let mut escaped = false;
    let mut end = None;
    for (i, &b) in inner.iter().enumerate() {
        if escaped {
            escaped = false;
        } else if quoted && b == b'\\' {
            escaped = true;
        } else if b == b'"' {
            quoted = !quoted;
        } else if b == b'>' && !quoted {
            end = Some(i);
            break;
        }
    }
    let Some(end) = end else {
        return Err(syntax("Syntax error: no closing angle bracket"));
    };
    let raw = &inner[..end];
    let rest = &inner[end + 1..];
    if raw.len() > MAX_PATH {
        return Err(Reply::new(501, "5.1.3", "Address too long"));
    }
    let address = std::str::from_utf8(raw)
        .map_err(|_| Reply::new(501, "5.1.3", "Address is not valid UTF-8"))?;
    if address.chars().any(|c| c.is_control()) {
        return Err(Reply::new(
            501,
            "5.1.3",
            "Address contains control characters",
        ));
    }
    // An obsolete source route, `<@a,@b:user@example.org>`, is ignored (RFC 5321 §3.3).
    let address = match address.strip_prefix('@') {
        Some(route) => match route.split_once(':') {
            Some((_, mailbox)) => mailbox,
            None => return Err(Reply::new(501, "5.1.3", "Bad source route")),
        },
        None => address,
    };
    if !address.is_empty() && address.contains(' ') && !address.starts_with('"') {
        return Err(Reply::new(501, "5.1.3", "Address contains spaces"));
    }
    Ok((address.to_string(), rest))
}

/// `keyword=value` parameters after the path, separated by spaces.
fn parameters(rest: &[u8]) -> Result<Vec<(String, Option<String>)>, Reply> {
    let text = std::str::from_utf8(rest).map_err(|_| syntax("Parameters are not valid UTF-8"))?;
    if !text.is_empty() && !text.starts_with(' ') {
        return Err(syntax("Syntax error after the address"));
    }
    let mut out = Vec::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let (key, value) = match word.split_once('=') {
            Some((k, v)) => (k, Some(v.to_string())),
            None => (word, None),
        };
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(syntax("Syntax error in a parameter"));
        }
        out.push((key.to_ascii_uppercase(), value));
    }
    Ok(out)
}

fn unsupported(key: &str) -> Reply {
    Reply::new(555, "5.5.4", format!("Parameter {key} not supported"))
}

fn parse_mail(args: &[u8]) -> Result<MailFrom, Reply> {
    let rest =
        after_keyword(args, b"FROM:").ok_or_else(|| syntax("Syntax: MAIL FROM:<address>"))?;
    let (from, rest) = path(rest)?;
    let mut mail = MailFrom {
        from,
        ..MailFrom::default()
    };
    for (key, value) in parameters(rest)? {
        match (key.as_str(), value) {
            ("SIZE", Some(v)) => {
                if v.is_empty() || v.len() > 20 || !v.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(syntax("Syntax error in SIZE"));
                }
                mail.size = Some(v.parse().unwrap_or(u64::MAX));
            }
            ("BODY", Some(v))
                if v.eq_ignore_ascii_case("7BIT") || v.eq_ignore_ascii_case("8BITMIME") => {}
            ("BODY", _) => return Err(unsupported("BODY (only 7BIT and 8BITMIME)")),
            ("SMTPUTF8", None) => mail.smtputf8 = true,
            (key, _) => return Err(unsupported(key)),
        }
    }
    if !mail.smtputf8 && !mail.from.is_ascii() {
        return Err(Reply::new(
            553,
            "5.6.7",
            "Non-ASCII address without SMTPUTF8",
        ));
    }
    Ok(mail)
}

fn parse_rcpt(args: &[u8]) -> Result<String, Reply> {
    let rest = after_keyword(args, b"TO:").ok_or_else(|| syntax("Syntax: RCPT TO:<address>"))?;
    let (to, rest) = path(rest)?;
    if to.is_empty() {
        return Err(Reply::new(501, "5.1.3", "The null address is no recipient"));
    }
    if let Some((key, _)) = parameters(rest)?.into_iter().next() {
        return Err(unsupported(&key));
    }
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(line: &[u8]) -> u16 {
        match parse(line) {
            Ok(_) => 0,
            Err(reply) => reply.code,
        }
    }

    #[test]
    fn verbs_are_case_insensitive() {
        assert_eq!(
            parse(b"lhlo mta.example.org"),
            Ok(Command::Lhlo("mta.example.org".into()))
        );
        assert_eq!(parse(b"DaTa"), Ok(Command::Data));
        assert_eq!(parse(b"noop whatever"), Ok(Command::Noop));
        assert_eq!(parse(b"QUIT"), Ok(Command::Quit));
        assert_eq!(parse(b"RSET"), Ok(Command::Rset));
        assert_eq!(parse(b"VRFY bob"), Ok(Command::Vrfy));
        assert_eq!(parse(b"EHLO x"), Ok(Command::SmtpGreeting));
        assert_eq!(parse(b"HELO x"), Ok(Command::SmtpGreeting));
        assert_eq!(parse(b"STARTTLS"), Ok(Command::NotImplemented));
    }

    #[test]
    fn unknown_and_garbage_are_500() {
        assert_eq!(code(b"FROB"), 500);
        assert_eq!(code(b""), 500);
        assert_eq!(code(b"\0\0\0"), 500);
        assert_eq!(code(b"\xff\xfe"), 500);
        assert_eq!(code(b"MAIL1 FROM:<a@b>"), 500);
    }

    #[test]
    fn mail_from_with_parameters() {
        let mail = parse(b"MAIL FROM:<a@example.org> SIZE=1234 BODY=8BITMIME SMTPUTF8").unwrap();
        assert_eq!(
            mail,
            Command::Mail(MailFrom {
                from: "a@example.org".into(),
                size: Some(1234),
                smtputf8: true
            })
        );
        assert_eq!(
            parse(b"mail from: <>"),
            Ok(Command::Mail(MailFrom::default()))
        );
        assert_eq!(
            parse(b"MAIL FROM:<@relay.example,@r2.example:u@example.org>"),
            Ok(Command::Mail(MailFrom {
                from: "u@example.org".into(),
                ..MailFrom::default()
            }))
        );
        assert_eq!(
            parse(b"MAIL FROM:<\"a > b\"@example.org>"),
            Ok(Command::Mail(MailFrom {
                from: "\"a > b\"@example.org".into(),
                ..MailFrom::default()
            }))
        );
        // A SIZE too big for u64 is still a size: too big.
        assert_eq!(
            parse(b"MAIL FROM:<a@b> SIZE=99999999999999999999"),
            Ok(Command::Mail(MailFrom {
                from: "a@b".into(),
                size: Some(u64::MAX),
                smtputf8: false
            }))
        );
    }

    #[test]
    fn bad_mail_from() {
        assert_eq!(code(b"MAIL"), 501);
        assert_eq!(code(b"MAIL TO:<a@b>"), 501);
        assert_eq!(code(b"MAIL FROM:a@b"), 501);
        assert_eq!(code(b"MAIL FROM:<a@b"), 501);
        assert_eq!(code(b"MAIL FROM:<a@b>SIZE=1"), 501);
        assert_eq!(code(b"MAIL FROM:<a@b> SIZE=x"), 501);
        assert_eq!(code(b"MAIL FROM:<a@b> SIZE="), 501);
        assert_eq!(code(b"MAIL FROM:<a@b> BODY=BINARYMIME"), 555);
        assert_eq!(code(b"MAIL FROM:<a@b> RET=FULL"), 555);
        assert_eq!(code(b"MAIL FROM:<a\0b@c>"), 501);
        assert_eq!(code(b"MAIL FROM:<a\xffb@c>"), 501);
        assert_eq!(code("MAIL FROM:<j\u{f6}rg@example.org>".as_bytes()), 553);
        assert_eq!(
            code("MAIL FROM:<j\u{f6}rg@example.org> SMTPUTF8".as_bytes()),
            0
        );
        let long = format!("MAIL FROM:<{}@example.org>", "a".repeat(300));
        assert_eq!(code(long.as_bytes()), 501);
    }

    #[test]
    fn rcpt_to() {
        assert_eq!(
            parse(b"RCPT TO:<list@example.org>"),
            Ok(Command::Rcpt("list@example.org".into()))
        );
        assert_eq!(
            parse(b"rcpt to: <Postmaster>"),
            Ok(Command::Rcpt("Postmaster".into()))
        );
        assert_eq!(code(b"RCPT TO:<>"), 501);
        assert_eq!(code(b"RCPT TO:<a@b> NOTIFY=NEVER"), 555);
        assert_eq!(code(b"RCPT FROM:<a@b>"), 501);
    }

    #[test]
    fn commands_without_parameters_refuse_them() {
        assert_eq!(code(b"DATA now"), 501);
        assert_eq!(code(b"QUIT please"), 501);
        assert_eq!(code(b"RSET x"), 501);
        assert_eq!(code(b"LHLO"), 501);
        assert_eq!(code(b"LHLO \xff"), 501);
        assert_eq!(code(b"VRFY"), 501);
    }
}
