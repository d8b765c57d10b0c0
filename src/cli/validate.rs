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
    /// Check in this environment only [default: each profile that uses {{var.*}} in every environment]
    #[arg(long, env = "HOOKBENCH_ENV", value_name = "NAME")]
    pub env: Option<String>,
    /// Set a variable, over the environment's and the profile's: NAME=VALUE
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
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

    // The environments to check in: the one asked for, else every one.
    let selected = super::EnvArgs {
        env: args.env.clone(),
        vars: args.vars.clone(),
    };
    let base = match selected.variables(places) {
        Ok(v) => v,
        Err(m) => {
            say!("error: {m}");
            return Ok(Outcome::BadInput);
        }
    };
    let mut broken_envs = 0;
    let environments: Vec<Option<hookbench::environment::Environment>> =
        if base.environment.is_some() {
            vec![base.environment.clone()]
        } else {
            let (found, broken) = hookbench::environment::scan(dir);
            for d in &broken {
                say!("{d}");
            }
            broken_envs = broken.len();
            found.into_iter().map(|l| Some(l.environment)).collect()
        };

    let (mut ok, mut bad) = (0, 0);
    let mut failing: Vec<String> = Vec::new();
    let mut said = std::collections::HashSet::new();
    for entry in &loaded {
        let l = match entry {
            Err(line) => {
                bad += 1;
                say!("{line}");
                continue;
            }
            Ok(l) => l,
        };
        // A profile that uses no variable does not depend on them.
        let uses_vars = !hookbench::share::needs(&l.profile).vars.is_empty();
        let combos: Vec<Option<&hookbench::environment::Environment>> =
            if uses_vars && !environments.is_empty() {
                environments.iter().map(Option::as_ref).collect()
            } else {
                vec![base.environment.as_ref()]
            };
        let mut passed = Vec::new();
        let mut failed = false;
        for env in combos {
            let vars = hookbench::environment::Variables {
                overrides: base.overrides.clone(),
                environment: env.cloned(),
            };
            let name = vars.name().map(str::to_string);
            let problems = check(l, &secrets, vars, &mut said);
            if problems.is_empty() {
                passed.extend(name);
                continue;
            }
            failed = true;
            let stem = l
                .path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            failing.push(match &name {
                Some(n) => format!("{stem} in {n}"),
                None => stem,
            });
            for p in problems {
                match &name {
                    Some(n) if !p.contains(&format!("environment `{n}`")) => {
                        say!("{p} (in environment {n})")
                    }
                    _ => say!("{p}"),
                }
            }
        }
        if failed {
            bad += 1;
        } else {
            ok += 1;
            let envs = if passed.is_empty() {
                String::new()
            } else {
                format!(" in {}", passed.join(", "))
            };
            out!("ok  {}  ({}){envs}", l.path.display(), l.profile.name);
        }
    }
    say!(
        "{} profile(s) checked: {ok} ok, {bad} with problems",
        loaded.len()
    );
    if !failing.is_empty() {
        say!("failing: {}", failing.join(", "));
    }
    if broken_envs > 0 {
        say!("{broken_envs} environment file(s) do not load");
    }
    Ok(if bad == 0 && broken_envs == 0 && !loaded.is_empty() {
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
fn check(
    l: &LoadedProfile,
    secrets: &Arc<Secrets>,
    vars: hookbench::environment::Variables,
    said: &mut std::collections::HashSet<String>,
) -> Vec<String> {
    // A note is said once, though the profile is checked in several
    // environments.
    let mut note = |line: String| {
        if said.insert(line.clone()) {
            say!("{line}");
        }
    };
    let event = match event::load_for(l, None) {
        Ok(e) => e,
        Err(d) => return vec![d.to_string()],
    };
    // A fixed clock and ids: validation does not depend on when it runs.
    let mut ctx = Context::fixed(|n| std::env::var(n).ok(), UNIX_EPOCH, || [0; 16])
        .with_secrets(secrets.clone())
        .with_variables(vars)
        .lenient();
    match request::assemble(&l.profile, event.as_ref(), &mut ctx) {
        Ok(a) => {
            for w in &a.warnings {
                note(format!("{}: warning: {w}", l.path.display()));
            }
            for name in &a.missing_env {
                note(format!(
                    "{}: note: needs environment variable {name} to fire (unset here)",
                    l.path.display()
                ));
            }
            for name in &a.missing_secrets {
                note(format!(
                    "{}: note: needs secret {name} to fire: hookbench secret set {name}",
                    l.path.display()
                ));
            }
            Vec::new()
        }
        Err(errors) => errors
            .iter()
            .map(|e| Diagnostic::to_string(&e.locate(l)))
            .collect(),
    }
}
