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
    match &args.output {
        Some(path) => {
            if let Err(e) = hookbench::files::write_output(path, text.as_bytes(), args.force, false)
            {
                return bad_input([e.to_string()]);
            }
            say!("shared {} as {}", loaded.path.display(), path.display());
        }
        None => out_part!("{text}"),
    }
    for (name, place) in &shared.replaced {
        say!("replaced {place} with {{{{secret.{name}}}}}");
    }
    print_needs("the receiver sets", &shared.needs, None);
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
    let store = Secrets::load_for_lookup(&places.secrets);
    if let Some(p) = store.problem() {
        say!("note: {p}");
    }
    print_needs("before it fires, set", &imported.needs, Some(&store));
    Ok(Outcome::Success)
}
