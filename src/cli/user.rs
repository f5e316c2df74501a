//! `wwsympa user …`: create accounts, as the shell's listmaster, through the operations.

use anyhow::{Context, Result};
use clap::Subcommand;

use wwsympa::config::Config;
use wwsympa::operations::account;

use super::Admin;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account (without a password, its owner gets one by mail from the login page).
    Add {
        /// The address.
        email: String,
        /// Make the account a listmaster of the domain.
        #[arg(long)]
        listmaster: bool,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

/// Runs `wwsympa user …`.
pub fn run(config: &Config, command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Add {
            email,
            listmaster,
            password_stdin,
        } => add(config, &email, listmaster, password_stdin),
    }
}

fn add(config: &Config, email: &str, listmaster: bool, password_stdin: bool) -> Result<()> {
    let password = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        Some(line.trim_end_matches(['\r', '\n']).to_string())
    } else {
        None
    };
    let mut admin = Admin::open(config)?;
    let user = admin
        .run(|env, who| account::create_user(env, who, email, password.as_deref(), listmaster))?;
    eprintln!(
        "created {}{}{}",
        user.email,
        if listmaster { " (listmaster)" } else { "" },
        if user.has_password {
            ""
        } else {
            " without a password"
        }
    );
    Ok(())
}
