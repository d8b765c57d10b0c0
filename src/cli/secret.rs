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
        /// The value it has in this environment only (others keep the plain one)
        #[arg(long, value_name = "ENV")]
        env: Option<String>,
    },
    /// List the names of the secrets that are set (never their values)
    List,
    /// Remove a secret
    Rm {
        /// The secret's name
        name: String,
        /// Remove its value in this environment only
        #[arg(long, value_name = "ENV")]
        env: Option<String>,
    },
}

/// The key a secret is stored under: its name, or its name in an
/// environment (which must exist, so that a typo is not stored).
fn key(places: &Places, name: &str, env: Option<&str>) -> Result<String, String> {
    match env {
        None => Ok(name.to_string()),
        Some(e) => {
            places.environment(e)?;
            Ok(hookbench::secrets::scoped_key(name, e))
        }
    }
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
                match n.split_once('@') {
                    Some((name, env)) => out!("{name}  (environment {env})"),
                    None => out!("{n}"),
                }
            }
            Ok(Outcome::Success)
        }
        SecretCommand::Rm { name, env } => {
            let k = match env.as_deref() {
                Some(e) => hookbench::secrets::scoped_key(&name, e),
                None => name.clone(),
            };
            if !store.remove(&k) {
                let in_env = env
                    .map(|e| format!(" in environment `{e}`"))
                    .unwrap_or_default();
                say!("error: no secret `{name}`{in_env} (see `hookbench secret list`)");
                return Ok(Outcome::BadInput);
            }
            store.save()?;
            say!("removed {}", k.replace('@', " in environment "));
            Ok(Outcome::Success)
        }
        SecretCommand::Set { name, env } => {
            if !is_valid_name(&name) {
                say!(
                    "error: `{name}` is not a secret name: use letters, digits and `_`, not starting with a digit"
                );
                return Ok(Outcome::BadInput);
            }
            let k = match key(places, &name, env.as_deref()) {
                Ok(k) => k,
                Err(m) => {
                    say!("error: {m}");
                    return Ok(Outcome::BadInput);
                }
            };
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
            let existed = store.contains(&k);
            store.set(&k, &value);
            store.save()?;
            let in_env = env
                .map(|e| format!(" for environment {e}"))
                .unwrap_or_default();
            say!(
                "{} {name}{in_env} in {}",
                if existed { "changed" } else { "set" },
                places.secrets.display()
            );
            Ok(Outcome::Success)
        }
    }
}
