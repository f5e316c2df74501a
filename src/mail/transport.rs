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
    Smtp(SmtpTransport),
    Sendmail(SendmailTransport, std::path::PathBuf),
}

impl Transport {
    /// The transport the configuration asks for (`mail_transport`, `smtp_host`, `smtp_port`,
    /// `sendmail`), for the sender and the shell (never a web request): each SMTP step may
    /// take 20 seconds.
    pub fn from_config(config: &Config) -> Transport {
        let timeout = Duration::from_secs(20);
        match config.mail_transport {
            MailTransport::Smtp => Transport {
                // Plain SMTP: the peer is the local MTA, which does TLS to the world.
                inner: Inner::Smtp(
                    SmtpTransport::builder_dangerous(config.smtp_host.clone())
                        .port(config.smtp_port)
                        .hello_name(ClientId::Domain(config.domain.clone()))
                        .timeout(Some(timeout))
                        .build(),
                ),
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
            Inner::Smtp(smtp) => smtp
                .send_raw(&envelope, message)
                .map(|_| ())
                .map_err(|e| Error::Send(format!("{}: {e}", self.description))),
            Inner::Sendmail(sendmail, _) => sendmail
                .send_raw(&envelope, message)
                .map_err(|e| Error::Send(format!("{}: {e}", self.description))),
        }
    }

    /// Checks that the MTA answers (SMTP greeting, or the sendmail program exists).
    pub fn check(&self) -> Result<(), String> {
        match &self.inner {
            Inner::Smtp(smtp) => match smtp.test_connection() {
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
