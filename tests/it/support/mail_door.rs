//! The mail side of a site for the MTA tests (Postfix, Exim): a configuration on the selected database, `wwsympa socketmap` and `wwsympa lmtp` listening on free loopback ports.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::db::SiteDb;
use super::{binary, free_port, wait_until, Daemon};

/// The lists' domain of these sites.
pub const DOMAIN: &str = "lists.example.org";

/// A site's mail door, its processes stopped when dropped.
pub struct MailDoor {
    /// The site's configuration file.
    pub config: PathBuf,
    /// Where `wwsympa socketmap` listens (127.0.0.1).
    pub socketmap_port: u16,
    /// Where `wwsympa lmtp` listens (127.0.0.1).
    pub lmtp_port: u16,
    /// `wwsympa socketmap`; drop it to stop the socketmap alone.
    pub socketmap: Option<Daemon>,
    /// `wwsympa lmtp`.
    pub lmtp: Daemon,
}

impl MailDoor {
    /// Writes the site's configuration in `dir` (on `db`, mail out to a port nobody answers)
    /// and starts the socketmap (its `transport` lookups answered with this LMTP server when
    /// `lmtp_transport`, as Postfix asks) and the LMTP server; returns once both listen.
    pub fn start(dir: &Path, db: &SiteDb, lmtp_transport: bool) -> MailDoor {
        let (socketmap_port, lmtp_port) = (free_port(), free_port());
        let config = dir.join("wwsympa.toml");
        std::fs::write(
            &config,
            format!(
                "domain = \"{DOMAIN}\"\nlistmaster = \"boss@example.org\"\n{}smtp_port = {}\n",
                db.toml(),
                free_port()
            ),
        )
        .unwrap();
        let mut socketmap = Command::new(binary());
        socketmap.arg("--config").arg(&config).args([
            "socketmap",
            "--listen",
            &format!("127.0.0.1:{socketmap_port}"),
        ]);
        if lmtp_transport {
            socketmap.args(["--transport", &format!("lmtp:[127.0.0.1]:{lmtp_port}")]);
        }
        let socketmap = Daemon::spawn(socketmap, &dir.join("socketmap.log"));
        let mut lmtp = Command::new(binary());
        lmtp.arg("--config").arg(&config).args([
            "lmtp",
            "--listen",
            &format!("127.0.0.1:{lmtp_port}"),
        ]);
        let lmtp = Daemon::spawn(lmtp, &dir.join("lmtp.log"));
        for port in [socketmap_port, lmtp_port] {
            wait_until("wwsympa listening", || {
                std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
            });
        }
        MailDoor {
            config,
            socketmap_port,
            lmtp_port,
            socketmap: Some(socketmap),
            lmtp,
        }
    }
}
