//! Headless commands, one file each.

mod fire;
mod print;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A terminal workbench for webhooks: build, fire, inspect.
#[derive(Debug, Parser)]
#[command(name = "hookbench", version, about)]
pub struct Cli {
    /// Folder of profiles [default: ./profiles when it exists, else the user config folder]
    #[arg(long, global = true, env = "HOOKBENCH_PROFILES", value_name = "DIR")]
    pub profiles: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Assemble a profile's request and send it (or print it with --dry-run)
    Fire(fire::FireArgs),
    /// Check profiles and their events; print each problem as file:line:col
    Validate(validate::ValidateArgs),
}

/// How a command ended, as the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 0: done; for a delivery, a 2xx answer.
    Success,
    /// 1: the far side answered with a non-2xx status, or could not be reached.
    Failed,
    /// 2: the input (arguments, profile, event) was wrong.
    BadInput,
}

impl From<Outcome> for ExitCode {
    fn from(o: Outcome) -> ExitCode {
        ExitCode::from(match o {
            Outcome::Success => 0,
            Outcome::Failed => 1,
            Outcome::BadInput => 2,
        })
    }
}

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let dir = hookbench::profile::default_dir(cli.profiles);
    match cli.command {
        Some(Command::Fire(args)) => fire::run(&dir, args),
        Some(Command::Validate(args)) => validate::run(&dir, args),
        None => {
            hookbench::tui::main(dir)?;
            Ok(Outcome::Success)
        }
    }
}
