//! The ways mail leaves: SMTP to the local MTA (the default) or its sendmail program.

use std::time::Duration;

use lettre::address::{Address, Envelope};
use lettre::transport::smtp::extension::ClientId;
use lettre::{SendmailTransport, SmtpTransport, Transport as _};

use super::Error;
use crate::config::{Config, MailTransport};

/// A configured way to hand mail to the MTA.
pub struct Transport {
    inner: Inner,
    description: String,
}

enum Inner {
    /// The transport mail is sent on, and the one [`Transport::check`] probes with (the
    /// same MTA, with [`CHECK_TIMEOUT`]).
    Smtp(SmtpTransport, Box<SmtpTransport>),
    Sendmail(SendmailTransport, std::path::PathBuf),
}

/// How long each step of [`Transport::check`]'s SMTP probe may take (connecting, the
/// greeting, EHLO, NOOP): the probe runs inside a listmaster's web request
/// (`serveradmin/check`), so an MTA that accepts and never answers makes a failed check
/// in seconds, never a held worker. The resolution of `smtp_host` is not bounded by it
/// (the system's resolver decides): give an address or `localhost`.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

fn smtp(config: &Config, timeout: Duration) -> SmtpTransport {
    // Plain SMTP: the peer is the local MTA, which does TLS to the world.
    SmtpTransport::builder_dangerous(config.smtp_host.clone())
        .port(config.smtp_port)
        .hello_name(ClientId::Domain(config.domain.clone()))
        .timeout(Some(timeout))
        .build()
}

impl Transport {
    /// The transport the configuration asks for (`mail_transport`, `smtp_host`, `smtp_port`,
    /// `sendmail`), for the sender and the shell (never a web request): each SMTP step may
    /// take 20 seconds.
    pub fn from_config(config: &Config) -> Transport {
        let timeout = Duration::from_secs(20);
        match config.mail_transport {
            MailTransport::Smtp => Transport {
                inner: Inner::Smtp(smtp(config, timeout), Box::new(smtp(config, CHECK_TIMEOUT))),
                description: format!("SMTP to {}:{}", config.smtp_host, config.smtp_port),
            },
            MailTransport::Sendmail => Transport {
                inner: Inner::Sendmail(
                    SendmailTransport::new_with_command(config.sendmail.as_os_str()),
                    config.sendmail.clone(),
                ),
                description: format!("sendmail program {}", config.sendmail.display()),
            },
        }
    }

    /// Says where mail goes, for logs and `wwsympa check`.
    pub fn describe(&self) -> &str {
        &self.description
    }

    /// Hands one message to the MTA.
    pub fn send(&self, from: &str, recipients: &[String], message: &[u8]) -> Result<(), Error> {
        let parse = |a: &str| {
            a.parse::<Address>()
                .map_err(|e| Error::Build(format!("bad envelope address {a:?}: {e}")))
        };
        let to = recipients
            .iter()
            .map(|r| parse(r))
            .collect::<Result<Vec<_>, _>>()?;
        let envelope = Envelope::new(Some(parse(from)?), to)
            .map_err(|e| Error::Build(format!("bad envelope: {e}")))?;
        match &self.inner {
            Inner::Smtp(smtp, _) => smtp
                .send_raw(&envelope, message)
                .map(|_| ())
                .map_err(|e| Error::Send(format!("{}: {e}", self.description))),
            Inner::Sendmail(sendmail, _) => sendmail
                .send_raw(&envelope, message)
                .map_err(|e| Error::Send(format!("{}: {e}", self.description))),
        }
    }

    /// Checks that the MTA answers (SMTP greeting, EHLO and NOOP, each step within
    /// [`CHECK_TIMEOUT`]; or the sendmail program exists).
    pub fn check(&self) -> Result<(), String> {
        match &self.inner {
            Inner::Smtp(_, probe) => match probe.test_connection() {
                Ok(true) => Ok(()),
                Ok(false) => Err(format!("{} does not answer", self.description)),
                Err(e) => Err(format!("{}: {e}", self.description)),
            },
            Inner::Sendmail(_, path) => {
                if path.is_file() {
                    Ok(())
                } else {
                    Err(format!("{} does not exist", path.display()))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_of_an_mta_that_never_answers_fails_within_its_timeout() {
        // Accepts connections (the kernel does, into the backlog) and never says a word.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let config = Config {
            domain: "lists.example.org".into(),
            smtp_host: "127.0.0.1".into(),
            smtp_port: listener.local_addr().unwrap().port(),
            ..Config::default()
        };
        let transport = Transport::from_config(&config);
        let started = std::time::Instant::now();
        let checked = transport.check();
        let took = started.elapsed();
        let error = checked.expect_err("a silent MTA is no MTA");
        assert!(error.starts_with("SMTP to 127.0.0.1:"), "{error}");
        assert!(
            took >= CHECK_TIMEOUT / 2,
            "{took:?}: it did wait for a greeting"
        );
        assert!(
            took < CHECK_TIMEOUT * 3,
            "{took:?}: bounded by the check's timeout"
        );
        drop(listener);
    }
}
