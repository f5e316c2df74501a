//! `wwsympa soap …`: what the SOAP interface's administrator needs besides `serve --soap` (a trusted application's password hash).

use anyhow::{bail, Context, Result};
use clap::Subcommand;

/// `wwsympa soap …`'s commands.
#[derive(Subcommand)]
pub enum SoapCommand {
    /// Read a trusted application's password from the first line of standard input and print
    /// the `password_hash` line (argon2id) to put in trusted_applications.conf in place of
    /// its `md5password`.
    HashPassword,
}

/// Runs `wwsympa soap …`.
pub fn run(command: SoapCommand) -> Result<()> {
    match command {
        SoapCommand::HashPassword => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .context("reading the password from standard input")?;
            let password = line.trim_end_matches(['\r', '\n']);
            if password.is_empty() {
                bail!("no password on standard input");
            }
            let hash = wwsympa::auth::hash_password(password)?;
            println!("password_hash {hash}");
            Ok(())
        }
    }
}
