//! Trusted applications (`trusted_applications.conf` in Sympa's format): who may call `authenticateRemoteAppAndRun`, as whom, and which services.
//!
//! The file is paragraphs separated by blank lines, one `key value` per line, `#` comments:
//!
//! ```text
//! trusted_application
//!   name portal
//!   password_hash $argon2id$v=19$m=19456,t=2,p=1$...
//!   proxy_for_variables USER_EMAIL,remote_host
//!   allow_commands lists,which,info
//! ```
//!
//! (The `trusted_application` line that opens a paragraph in Sympa's sample is optional.)
//!
//! Each paragraph has exactly one of `md5password` (Sympa's unsalted MD5 in hex, accepted so
//! that an existing file keeps working; `wwsympa check` warns about each) and
//! `password_hash` (an argon2id PHC string, from `wwsympa soap hash-password`). Secrets are
//! compared in constant time. Of the variables an application passes, only those listed in
//! its `proxy_for_variables` are kept; `USER_EMAIL` makes the call act as that address.

use std::path::Path;

use md5::{Digest, Md5};

use crate::auth;

use super::Fault;

/// How an application proves who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Secret {
    /// Sympa's `md5password`: the MD5 of the password, in lower-case hex.
    Md5(String),
    /// Our `password_hash`: an argon2id PHC string.
    Hash(String),
}

/// One trusted application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    /// Its name, as the first parameter of `authenticateRemoteAppAndRun` gives it.
    pub name: String,
    secret: Secret,
    /// The variables it may set (`USER_EMAIL`, `remote_host`, ...).
    pub proxy_for_variables: Vec<String>,
    /// Sympa's `set_variables` (`name=value` pairs): fixed values that every call of the
    /// application gets, over what its `vars` say ([`call_vars`]); `USER_EMAIL` among them
    /// pins the address the application acts for.
    pub set_variables: Vec<(String, String)>,
    /// The services it may run; `None`: every service the run-wrappers take.
    pub allow_commands: Option<Vec<String>>,
}

impl App {
    /// Returns true if and only if the application still uses Sympa's unsalted MD5.
    pub fn uses_md5(&self) -> bool {
        matches!(self.secret, Secret::Md5(_))
    }

    /// Returns true if and only if the application may run `service`.
    pub fn may_run(&self, service: &str) -> bool {
        self.allow_commands
            .as_ref()
            .is_none_or(|allowed| allowed.iter().any(|a| a == service))
    }

    /// Returns true if and only if `password` is this application's.
    fn check(&self, password: &str) -> bool {
        match &self.secret {
            Secret::Md5(hex) => {
                auth::constant_time_eq(md5_hex(password).as_bytes(), hex.as_bytes())
            }
            Secret::Hash(phc) => auth::verify_password(password, Some(phc)),
        }
    }
}

/// The MD5 of `text` in lower-case hex, as Sympa's `md5password` holds it.
pub fn md5_hex(text: &str) -> String {
    Md5::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Why the file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// It exists but cannot be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A paragraph is not right.
    #[error("trusted applications, line {line}: {message}")]
    Syntax {
        /// The line (1-based) where the paragraph or the key starts.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// The trusted applications of the site.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Apps {
    apps: Vec<App>,
}

impl Apps {
    /// Reads the file at `path`; a missing file means no application.
    pub fn load(path: &Path) -> Result<Apps, Error> {
        match std::fs::read_to_string(path) {
            Ok(text) => Apps::parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Apps::default()),
            Err(source) => Err(Error::Read {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    /// Parses the file's text.
    pub fn parse(text: &str) -> Result<Apps, Error> {
        let mut apps = Vec::new();
        let mut current: Vec<(usize, String, String)> = Vec::new();
        for (index, raw) in text.lines().chain(std::iter::once("")).enumerate() {
            let line = raw.trim();
            if line.starts_with('#') {
                continue;
            }
            if line.is_empty() {
                if !current.is_empty() {
                    apps.push(paragraph(&std::mem::take(&mut current))?);
                }
                continue;
            }
            let (key, value) = line
                .split_once(|c: char| c.is_whitespace())
                .map_or((line, ""), |(k, v)| (k, v.trim()));
            // Sympa's own files open each paragraph with a `trusted_application` line.
            if key == "trusted_application" && value.is_empty() {
                if !current.is_empty() {
                    apps.push(paragraph(&std::mem::take(&mut current))?);
                }
                continue;
            }
            current.push((index + 1, key.to_string(), value.to_string()));
        }
        for (i, app) in apps.iter().enumerate() {
            if apps[..i].iter().any(|other| other.name == app.name) {
                return Err(Error::Syntax {
                    line: 0,
                    message: format!("the application {:?} is defined twice", app.name),
                });
            }
        }
        Ok(Apps { apps })
    }

    /// Every application.
    pub fn iter(&self) -> impl Iterator<Item = &App> {
        self.apps.iter()
    }

    /// The application called `name`, if `password` is its own. The work done is the same
    /// whether the name is known or not.
    pub fn authenticate(&self, name: &str, password: &str) -> Option<&App> {
        match self.apps.iter().find(|app| app.name == name) {
            Some(app) => app.check(password).then_some(app),
            None => {
                // The same comparison against nothing, so that the timing does not say
                // which names exist.
                let _ = auth::constant_time_eq(md5_hex(password).as_bytes(), &[b'0'; 32]);
                None
            }
        }
    }
}

/// One paragraph's lines, checked.
fn paragraph(lines: &[(usize, String, String)]) -> Result<App, Error> {
    let first = lines[0].0;
    let mut name = None;
    let mut secrets = Vec::new();
    let mut proxy = Vec::new();
    let mut set = Vec::new();
    let mut allow = None;
    for (line, key, value) in lines {
        let syntax = |message: String| Error::Syntax {
            line: *line,
            message,
        };
        match key.as_str() {
            "name" if !value.is_empty() => name = Some(value.clone()),
            "md5password" => {
                let hex = value.to_ascii_lowercase();
                if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(syntax("md5password must be 32 hexadecimal digits".into()));
                }
                secrets.push(Secret::Md5(hex));
            }
            "password_hash" => {
                if !value.starts_with("$argon2") {
                    return Err(syntax(
                        "password_hash must be an argon2 PHC string (`wwsympa soap hash-password`)"
                            .into(),
                    ));
                }
                secrets.push(Secret::Hash(value.clone()));
            }
            "proxy_for_variables" => proxy = comma_list(value),
            "set_variables" => {
                for pair in comma_list(value) {
                    let (k, v) = pair.split_once('=').ok_or_else(|| {
                        syntax(format!("set_variables: {pair:?} is not name=value"))
                    })?;
                    set.push((k.trim().to_string(), v.trim().to_string()));
                }
            }
            "allow_commands" => allow = Some(comma_list(value)),
            other => return Err(syntax(format!("unknown or empty key {other:?}"))),
        }
    }
    let name = name.ok_or_else(|| Error::Syntax {
        line: first,
        message: "a paragraph without a name".into(),
    })?;
    if secrets.len() != 1 {
        return Err(Error::Syntax {
            line: first,
            message: format!(
                "the application {name:?} needs exactly one of md5password and password_hash"
            ),
        });
    }
    Ok(App {
        name,
        secret: secrets.remove(0),
        proxy_for_variables: proxy,
        set_variables: set,
        allow_commands: allow,
    })
}

fn comma_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

/// Reads `authenticateRemoteAppAndRun`'s `vars` (`NAME=value,NAME=value`) and keeps the
/// variables `app` may set, dropping the others silently as Sympa does; a variable without
/// `=` is Sympa's fault.
pub fn proxied_vars(app: &App, vars: &str) -> Result<Vec<(String, String)>, Fault> {
    let mut kept = Vec::new();
    for var in vars.split(',').filter(|v| !v.is_empty()) {
        // No `=`, or a name that is empty or not a variable's: Sympa's one fault.
        let parsed = var.split_once('=').filter(|(name, _)| {
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        });
        let Some((name, value)) = parsed else {
            return Err(Fault::server(
                "Incorrect syntaxe value",
                Some(&format!("Unrecognized syntaxe  {var}")),
            ));
        };
        if app.proxy_for_variables.iter().any(|p| p == name) {
            kept.push((name.to_string(), value.to_string()));
        }
    }
    Ok(kept)
}

/// The variables of one `authenticateRemoteAppAndRun` call: the proxied ones of `vars`
/// ([`proxied_vars`]), then the application's `set_variables` over them, as Sympa sets them.
pub fn call_vars(app: &App, vars: &str) -> Result<Vec<(String, String)>, Fault> {
    let mut all = proxied_vars(app, vars)?;
    for (name, value) in &app.set_variables {
        all.retain(|(kept, _)| kept != name);
        all.push((name.clone(), value.clone()));
    }
    Ok(all)
}

/// The trusted applications file of `config`, as findings of the configuration check
/// (`wwsympa check` and the listmaster's panel): readable, and a warning for each
/// application still on Sympa's unsalted MD5 (no password is ever in a finding).
pub fn findings(config: &crate::config::Config) -> Vec<crate::operations::site_check::Finding> {
    use crate::operations::site_check::{Finding, Level};
    let path = &config.trusted_applications;
    match Apps::load(path) {
        Err(e) => vec![Finding {
            level: Level::Error,
            text: e.to_string(),
        }],
        Ok(apps) => {
            let mut found = Vec::new();
            let count = apps.iter().count();
            if count > 0 {
                found.push(Finding {
                    level: Level::Ok,
                    text: format!(
                        "SOAP trusted applications: ok ({count} in {})",
                        path.display()
                    ),
                });
            }
            for app in apps.iter().filter(|app| app.uses_md5()) {
                found.push(Finding {
                    level: Level::Warning,
                    text: format!(
                        "the SOAP trusted application {:?} still has an md5password (unsalted MD5, Sympa's); make a password_hash with `wwsympa soap hash-password` (the password on standard input) and put that line in place of its md5password in {}",
                        app.name,
                        path.display()
                    ),
                });
            }
            found
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SYMPA: &str = "# Sympa's sample\nname benchapp\nmd5password 2B1D1E7E01C2C7FD4A8FF0D0C4CB1D0A\nproxy_for_variables USER_EMAIL,remote_host\n\n\nname other\nmd5password 00000000000000000000000000000000\nallow_commands lists, which\nset_variables a=1,b=2\n";

    #[test]
    fn md5_is_sympas_hex() {
        assert_eq!(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
    }

    #[test]
    fn reads_sympas_paragraphs() {
        let text = SYMPA.replace(
            "2B1D1E7E01C2C7FD4A8FF0D0C4CB1D0A",
            &md5_hex("benchapp-secret").to_uppercase(),
        );
        let apps = Apps::parse(&text).unwrap();
        let names: Vec<&str> = apps.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["benchapp", "other"]);
        let app = apps.authenticate("benchapp", "benchapp-secret").unwrap();
        assert!(app.uses_md5());
        assert_eq!(app.proxy_for_variables, ["USER_EMAIL", "remote_host"]);
        assert!(app.may_run("add"));
        assert!(apps.authenticate("benchapp", "wrong").is_none());
        assert!(apps.authenticate("nosuch", "benchapp-secret").is_none());
        let other = apps.iter().nth(1).unwrap();
        assert!(other.may_run("which") && !other.may_run("add"));
        assert_eq!(
            other.set_variables,
            [("a".to_string(), "1".to_string()), ("b".into(), "2".into())]
        );
    }

    #[test]
    fn reads_paragraphs_opened_by_trusted_application_lines() {
        // Sympa's sample file: a `trusted_application` line opens each paragraph, keys are
        // indented and comments sit between them; two paragraphs need no blank line between.
        let text = format!(
            "# comment\ntrusted_application\n  # its name\n  name benchapp\n  md5password {}\n  proxy_for_variables USER_EMAIL\ntrusted_application\n  name other\n  md5password {}\n",
            md5_hex("one"),
            md5_hex("two")
        );
        let apps = Apps::parse(&text).unwrap();
        let names: Vec<&str> = apps.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["benchapp", "other"]);
        assert!(apps.authenticate("benchapp", "one").is_some());
        assert!(apps.authenticate("other", "two").is_some());
        assert!(apps.authenticate("other", "one").is_none());
    }

    #[test]
    fn takes_an_argon2_hash() {
        let hash = auth::hash_password("s3cret-for-the-portal").unwrap();
        let apps = Apps::parse(&format!("name portal\npassword_hash {hash}\n")).unwrap();
        let app = apps
            .authenticate("portal", "s3cret-for-the-portal")
            .unwrap();
        assert!(!app.uses_md5());
        assert!(apps.authenticate("portal", "s3cret").is_none());
    }

    #[test]
    fn refuses_paragraphs_that_are_not_right() {
        for bad in [
            "md5password d41d8cd98f00b204e9800998ecf8427e\n",
            "name a\n",
            "name a\nmd5password xyz\n",
            "name a\nmd5password d41d8cd98f00b204e9800998ecf8427e\npassword_hash $argon2id$x\n",
            "name a\npassword_hash plain\n",
            "name a\nmd5password d41d8cd98f00b204e9800998ecf8427e\ncolour blue\n",
            "name a\nmd5password d41d8cd98f00b204e9800998ecf8427e\n\nname a\nmd5password d41d8cd98f00b204e9800998ecf8427e\n",
        ] {
            assert!(Apps::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Apps::parse("# nothing\n\n").unwrap(), Apps::default());
    }

    #[test]
    fn a_missing_file_is_no_application() {
        let apps = Apps::load(Path::new("/nonexistent/wwsympa/trusted.conf")).unwrap();
        assert_eq!(apps.iter().count(), 0);
    }

    #[test]
    fn load_reads_the_file_a_missing_one_is_none_and_an_unreadable_one_an_error() {
        let dir = std::env::temp_dir().join(format!("wwsympa-trusted-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("trusted_applications.conf");
        std::fs::write(&file, format!("name app\nmd5password {}\n", md5_hex("pw"))).unwrap();
        let apps = Apps::load(&file).unwrap();
        assert!(apps.authenticate("app", "pw").is_some());
        assert_eq!(
            Apps::load(&dir.join("missing.conf")).unwrap(),
            Apps::default()
        );
        // A directory cannot be read as a file: an error, not "no application".
        assert!(matches!(Apps::load(&dir), Err(Error::Read { .. })));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn syntax_errors_name_their_line() {
        let md5 = md5_hex("pw");
        let line_of = |text: &str| match Apps::parse(text) {
            Err(Error::Syntax { line, .. }) => line,
            other => panic!("{other:?}"),
        };
        // A bad md5password on line 3 (comments count).
        assert_eq!(line_of("# c\nname a\nmd5password 123\n"), 3);
        // 31 hexadecimal digits, and 32 characters that are not all hexadecimal.
        assert_eq!(line_of(&format!("name a\nmd5password {}\n", &md5[..31])), 2);
        assert_eq!(
            line_of(&format!("name a\nmd5password {}g\n", &md5[..31])),
            2
        );
        // `trusted_application` with a value is no paragraph opener but an unknown key.
        assert_eq!(
            line_of(&format!(
                "trusted_application x\nname a\nmd5password {md5}\n"
            )),
            1
        );
        // A name must have a value.
        assert!(Apps::parse(&format!("name\nmd5password {md5}\n")).is_err());
    }

    #[test]
    fn vars_with_an_empty_or_odd_name_are_sympas_fault() {
        let apps = Apps::parse(&format!(
            "name a\nmd5password {}\nproxy_for_variables USER_EMAIL\n",
            md5_hex("x")
        ))
        .unwrap();
        let app = apps.iter().next().unwrap();
        for vars in ["=a@example.org", "USER-EMAIL=a@example.org", "USER EMAIL=x"] {
            let fault = proxied_vars(app, vars).unwrap_err();
            assert_eq!(fault.string, "Incorrect syntaxe value", "{vars}");
        }
    }

    #[test]
    fn set_variables_win_over_the_proxied_ones() {
        let apps = Apps::parse(&format!(
            "name a\nmd5password {}\nproxy_for_variables USER_EMAIL,remote_host\nset_variables USER_EMAIL=fixed@example.org,lang=fr\n",
            md5_hex("x")
        ))
        .unwrap();
        let app = apps.iter().next().unwrap();
        assert_eq!(
            call_vars(app, "USER_EMAIL=asked@example.org,remote_host=h").unwrap(),
            [
                ("remote_host".to_string(), "h".to_string()),
                ("USER_EMAIL".to_string(), "fixed@example.org".to_string()),
                ("lang".to_string(), "fr".to_string()),
            ]
        );
        // A syntax error in `vars` is still Sympa's fault.
        assert!(call_vars(app, "USER_EMAIL").is_err());
    }

    #[test]
    fn vars_keep_only_the_proxied_ones_and_fault_as_sympa() {
        let apps = Apps::parse(&format!(
            "name a\nmd5password {}\nproxy_for_variables USER_EMAIL\n",
            md5_hex("x")
        ))
        .unwrap();
        let app = apps.iter().next().unwrap();
        assert_eq!(
            proxied_vars(app, "USER_EMAIL=a@example.org,remote_host=h").unwrap(),
            [("USER_EMAIL".to_string(), "a@example.org".to_string())]
        );
        assert_eq!(proxied_vars(app, "").unwrap(), []);
        let fault = proxied_vars(app, "USER_EMAIL").unwrap_err();
        assert_eq!(fault.string, "Incorrect syntaxe value");
        assert_eq!(
            fault.detail.as_deref(),
            Some("Unrecognized syntaxe  USER_EMAIL")
        );
        assert_eq!(fault.code, crate::soap::FaultCode::Server);
    }
}
