//! `hookbench secret set|list|rm`: the secret store from the command line.
//!
//! A value is read from a hidden prompt, or from standard input when that is
//! not a terminal; never from the command line, where it would stay in the
//! shell's history and be visible to other users in the process list.

use std::io::{IsTerminal, Read};

use clap::Subcommand;
use hookbench::secrets::{Secrets, is_valid_name};

use super::{Outcome, Places};

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Set a secret: the value is asked for (hidden), or read from stdin
    Set {
        /// The name used as {{secret.NAME}} (letters, digits, _)
        name: String,
    },
    /// List the names of the secrets that are set (never their values)
    List,
    /// Remove a secret
    Rm {
        /// The secret's name
        name: String,
    },
}

pub fn run(places: &Places, cmd: SecretCommand) -> anyhow::Result<Outcome> {
    let mut store = match Secrets::load(&places.secrets) {
        Ok(s) => s,
        Err(e) => {
            say!("error: {e}");
            return Ok(Outcome::BadInput);
        }
    };
    match cmd {
        SecretCommand::List => {
            let names: Vec<&str> = store.names().collect();
            if names.is_empty() {
                say!(
                    "no secrets in {}: add one with `hookbench secret set NAME`",
                    places.secrets.display()
                );
            }
            for n in names {
                out!("{n}");
            }
            Ok(Outcome::Success)
        }
        SecretCommand::Rm { name } => {
            if !store.remove(&name) {
                say!("error: no secret `{name}` (see `hookbench secret list`)");
                return Ok(Outcome::BadInput);
            }
            store.save()?;
            say!("removed {name}");
            Ok(Outcome::Success)
        }
        SecretCommand::Set { name } => {
            if !is_valid_name(&name) {
                say!(
                    "error: `{name}` is not a secret name: use letters, digits and `_`, not starting with a digit"
                );
                return Ok(Outcome::BadInput);
            }
            let value = if std::io::stdin().is_terminal() {
                match hookbench::tui::read_hidden(&format!("value for {name} (hidden): "))? {
                    Some(v) => v,
                    None => {
                        say!("cancelled: {name} not changed");
                        return Ok(Outcome::BadInput);
                    }
                }
            } else {
                let mut text = String::new();
                std::io::stdin().read_to_string(&mut text)?;
                // One trailing line break is the end of the input, not the value.
                let trimmed = text
                    .strip_suffix("\r\n")
                    .or_else(|| text.strip_suffix('\n'))
                    .unwrap_or(&text);
                trimmed.to_string()
            };
            if value.is_empty() {
                say!("error: the value is empty: {name} not changed");
                return Ok(Outcome::BadInput);
            }
            if value.contains(['\r', '\n']) {
                say!(
                    "error: the value holds a line break, which cannot be sent in a header: {name} not changed"
                );
                return Ok(Outcome::BadInput);
            }
            let existed = store.contains(&name);
            store.set(&name, &value);
            store.save()?;
            say!(
                "{} {name} in {}",
                if existed { "changed" } else { "set" },
                places.secrets.display()
            );
            Ok(Outcome::Success)
        }
    }
}
