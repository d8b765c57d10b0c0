//! `hookbench share` and `hookbench import-profile`: profiles between
//! teammates, with no credential in the file.

use std::path::PathBuf;

use clap::Args;
use hookbench::event;
use hookbench::profile;
use hookbench::secrets::Secrets;
use hookbench::share::{self, Needs};

use super::{Outcome, Places, bad_input};

#[derive(Debug, Args)]
pub struct ShareArgs {
    /// The profile: a .ron file, a file name in the profiles folder, or a name
    #[arg(value_name = "PROFILE")]
    pub profile: String,
    /// Write the shared copy here [default: standard output]
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// With -o: replace the file even when it is a link, a FIFO, a device or read-only
    #[arg(long)]
    pub force: bool,
    /// Share this environment only [default: every environment that sets a variable the profile uses]
    #[arg(long, env = "HOOKBENCH_ENV", value_name = "NAME")]
    pub env: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImportProfileArgs {
    /// A profile file (.ron), typically one made by `hookbench share`
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

pub fn share(places: &Places, args: ShareArgs) -> anyhow::Result<Outcome> {
    let loaded = match profile::find(&places.profiles, &args.profile) {
        Ok(l) => l,
        Err(e) => return bad_input([e.to_string()]),
    };
    let event = match event::load_for(&loaded, None) {
        Ok(e) => e,
        Err(d) => return bad_input([d.to_string()]),
    };
    let stem = loaded
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let shared = share::share(&loaded.profile, &stem, event);
    let text = profile::to_ron(&shared.profile);
    // The environments it uses go with it, credentials replaced.
    let (all, broken) = hookbench::environment::scan(&places.profiles);
    let envs: Vec<share::SharedEnvironment> = match args.env.as_deref().filter(|e| !e.is_empty()) {
        Some(name) => match places.environment(name) {
            Ok(e) => vec![share::share_environment(&loaded.profile, &e)],
            Err(m) => return bad_input([m]),
        },
        None => {
            for d in &broken {
                say!("warning: not shared: {d}");
            }
            share::environments_used(&loaded.profile, &all)
                .into_iter()
                .map(|l| share::share_environment(&loaded.profile, &l.environment))
                .collect()
        }
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = hookbench::files::write_output(path, text.as_bytes(), args.force, false)
            {
                return bad_input([e.to_string()]);
            }
            say!("shared {} as {}", loaded.path.display(), path.display());
            if !envs.is_empty() {
                let dir = hookbench::environment::dir_of(
                    path.parent()
                        .filter(|p| !p.as_os_str().is_empty())
                        .unwrap_or(std::path::Path::new(".")),
                );
                if !dir.exists()
                    && let Err(e) = std::fs::create_dir_all(&dir)
                {
                    return bad_input([format!(
                        "{}: {}",
                        dir.display(),
                        hookbench::files::io_reason(&e)
                    )]);
                }
                for e in &envs {
                    let to = dir.join(format!("{}.ron", e.environment.name));
                    let env_text = hookbench::environment::to_ron(&e.environment);
                    if let Err(err) =
                        hookbench::files::write_output(&to, env_text.as_bytes(), args.force, false)
                    {
                        return bad_input([err.to_string()]);
                    }
                    say!(
                        "shared environment {} as {}",
                        e.environment.name,
                        to.display()
                    );
                }
            }
        }
        None => {
            out_part!("{text}");
            if !envs.is_empty() {
                let names: Vec<&str> = envs.iter().map(|e| e.environment.name.as_str()).collect();
                say!(
                    "it uses the environments {}: with -o FILE they are written beside it, in environments/",
                    names.join(", ")
                );
            }
        }
    }
    for (name, place) in &shared.replaced {
        say!("replaced {place} with {{{{secret.{name}}}}}");
    }
    print_needs("the receiver sets", &shared.needs, None);
    for e in &envs {
        for v in &e.replaced {
            say!(
                "replaced variable {v} of environment {} with {{{{secret.{v}}}}}: the receiver runs `hookbench secret set {v} --env {}`",
                e.environment.name,
                e.environment.name
            );
        }
    }
    Ok(Outcome::Success)
}

/// Prints what a profile needs; with a store, only what is missing from it.
fn print_needs(lead: &str, needs: &Needs, store: Option<&Secrets>) {
    let secrets: Vec<&str> = match store {
        Some(s) => needs.missing_secrets(s).collect(),
        None => needs.secrets.iter().map(String::as_str).collect(),
    };
    let env: Vec<&str> = match store {
        Some(_) => needs.missing_env().collect(),
        None => needs.env.iter().map(String::as_str).collect(),
    };
    if secrets.is_empty() && env.is_empty() {
        if store.is_some() {
            say!("every secret and variable it uses is set");
        }
        return;
    }
    say!("{lead}:");
    for s in secrets {
        say!("  hookbench secret set {s}");
    }
    for v in env {
        say!("  environment variable {v}");
    }
}

pub fn import(places: &Places, args: ImportProfileArgs) -> anyhow::Result<Outcome> {
    let loaded = match profile::load(&args.file) {
        Ok(l) => l,
        Err(d) => return bad_input([d.to_string()]),
    };
    let problems = share::check(&loaded);
    if !problems.is_empty() {
        say!("not imported:");
        return bad_input(problems);
    }
    let imported = match share::import_into(&loaded, &places.profiles) {
        Ok(i) => i,
        Err(m) => return bad_input([m]),
    };
    out!("{}", imported.path.display());
    say!(
        "imported {} as {} (profile `{}`)",
        args.file.display(),
        imported.path.display(),
        imported.name
    );
    if let Some(e) = &imported.event {
        say!("its sample event is {}", e.display());
    }
    let beside = args
        .file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    if beside != places.profiles {
        match share::import_environments(beside, &loaded.profile, &places.profiles) {
            Ok(done) => {
                for d in done {
                    match d {
                        share::EnvironmentImport::Added(p) => {
                            say!("its environment is now {}", p.display())
                        }
                        share::EnvironmentImport::Same(n) => {
                            say!("its environment {n} is here already, the same")
                        }
                        share::EnvironmentImport::Kept { name, theirs } => say!(
                            "kept your environment {name}: the one in {} differs (compare them by hand)",
                            theirs.display()
                        ),
                    }
                }
            }
            Err(m) => say!("warning: its environments were not copied: {m}"),
        }
    }
    let store = Secrets::load_for_lookup(&places.secrets);
    if let Some(p) = store.problem() {
        say!("note: {p}");
    }
    print_needs("before it fires, set", &imported.needs, Some(&store));
    // What its environments take from the store, each for itself.
    let (ours, _) = hookbench::environment::scan(&places.profiles);
    let mut lines = Vec::new();
    for l in share::environments_used(&loaded.profile, &ours) {
        let env = &l.environment;
        let vars = hookbench::environment::Variables::of(Some(env.clone()));
        let missing: Vec<String> = share::needs_in(&loaded.profile, Some(&vars))
            .secrets
            .into_iter()
            .filter(|s| !store.contains_in(s, Some(&env.name)))
            .filter(|s| !imported.needs.secrets.contains(s) || store.contains(s))
            .collect();
        for s in missing {
            lines.push(format!("  hookbench secret set {s} --env {}", env.name));
        }
    }
    if !lines.is_empty() {
        say!("for its environments, set:");
        for l in lines {
            say!("{l}");
        }
    }
    Ok(Outcome::Success)
}
