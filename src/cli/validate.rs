//! `hookbench validate`: check profiles and their events.

use std::sync::Arc;
use std::time::UNIX_EPOCH;

use clap::Args;
use hookbench::profile::{self, LoadedProfile};
use hookbench::request::{self, Context};
use hookbench::{diag::Diagnostic, event};

use super::{Outcome, Places};
use hookbench::secrets::Secrets;

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Profiles to check (files or names); all in the profiles folder when none
    #[arg(value_name = "PROFILE")]
    pub names: Vec<String>,
}

pub fn run(places: &Places, args: ValidateArgs) -> anyhow::Result<Outcome> {
    let dir = places.profiles.as_path();
    let secrets = Arc::new(match Secrets::load(&places.secrets) {
        Ok(s) => s,
        Err(e) => {
            say!("note: {e}");
            Secrets::default()
        }
    });
    let loaded: Vec<Result<LoadedProfile, String>> = if args.names.is_empty() {
        profile::scan_dir(dir)
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot read the profiles folder {}: {e}; pass --profiles DIR",
                    dir.display()
                )
            })?
            .into_iter()
            .map(|r| r.map_err(|d| d.to_string()))
            .collect()
    } else {
        args.names
            .iter()
            .map(|p| profile::find(dir, p).map_err(|e| e.to_string()))
            .collect()
    };

    let (mut ok, mut bad) = (0, 0);
    for entry in &loaded {
        let problems = match entry {
            Err(line) => vec![line.clone()],
            Ok(l) => check(l, &secrets),
        };
        if problems.is_empty() {
            ok += 1;
            out!(
                "ok  {}  ({})",
                entry
                    .as_ref()
                    .map(|l| l.path.display().to_string())
                    .unwrap_or_default(),
                entry
                    .as_ref()
                    .map(|l| l.profile.name.clone())
                    .unwrap_or_default()
            );
        } else {
            bad += 1;
            for p in problems {
                say!("{p}");
            }
        }
    }
    say!(
        "{} profile(s) checked: {ok} ok, {bad} with problems",
        loaded.len()
    );
    Ok(if bad == 0 && !loaded.is_empty() {
        Outcome::Success
    } else {
        if loaded.is_empty() {
            say!("no profiles found in {}", dir.display());
        }
        Outcome::BadInput
    })
}

/// Every problem of one loaded profile, as printable lines; notes (unset
/// variables) and warnings go to stderr without counting as problems.
fn check(l: &LoadedProfile, secrets: &Arc<Secrets>) -> Vec<String> {
    let event = match event::load_for(l, None) {
        Ok(e) => e,
        Err(d) => return vec![d.to_string()],
    };
    // A fixed clock and ids: validation does not depend on when it runs.
    let mut ctx = Context::fixed(|n| std::env::var(n).ok(), UNIX_EPOCH, || [0; 16])
        .with_secrets(secrets.clone())
        .lenient();
    match request::assemble(&l.profile, event.as_ref(), &mut ctx) {
        Ok(a) => {
            for w in &a.warnings {
                say!("{}: warning: {w}", l.path.display());
            }
            for name in &a.missing_env {
                say!(
                    "{}: note: needs environment variable {name} to fire (unset here)",
                    l.path.display()
                );
            }
            for name in &a.missing_secrets {
                say!(
                    "{}: note: needs secret {name} to fire: hookbench secret set {name}",
                    l.path.display()
                );
            }
            Vec::new()
        }
        Err(errors) => errors
            .iter()
            .map(|e| Diagnostic::to_string(&e.locate(l)))
            .collect(),
    }
}
