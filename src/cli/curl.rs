//! `hookbench curl` and `hookbench from-curl`.

use std::io::Read;
use std::path::PathBuf;

use clap::Args;
use hookbench::profile;
use hookbench::request::{self, Context};
use hookbench::{curl, event};

use super::{Outcome, Places, bad_input};

#[derive(Debug, Args)]
pub struct CurlArgs {
    /// The profile: a .ron file, a file name in the profiles folder, or a name
    #[arg(value_name = "PROFILE")]
    pub profile: String,
    /// Use another sample event
    #[arg(long, value_name = "FILE")]
    pub event: Option<PathBuf>,
    /// Put the secret values in the command instead of $NAME references
    #[arg(long)]
    pub reveal: bool,
    #[command(flatten)]
    pub env: super::EnvArgs,
}

#[derive(Debug, Args)]
pub struct FromCurlArgs {
    /// The curl command, as one quoted argument; read from stdin when absent
    #[arg(value_name = "COMMAND", allow_hyphen_values = true, num_args = 0..)]
    pub command: Vec<String>,
    /// The profile's name [default: the method, host and path]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Write the profile here [default: a new file in the profiles folder]
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// With -o: replace the file even when it is a link, a FIFO, a device or read-only
    #[arg(long)]
    pub force: bool,
}

/// The options of `from-curl` written after a quoted command
/// (`from-curl 'curl ...' --name X -o FILE`), which the command's own
/// words would otherwise swallow.
#[derive(Debug, clap::Parser)]
#[command(name = "from-curl", no_binary_name = true)]
struct After {
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[arg(long)]
    force: bool,
}

pub fn to_curl(places: &Places, args: CurlArgs) -> anyhow::Result<Outcome> {
    let loaded = match profile::find(&places.profiles, &args.profile) {
        Ok(l) => l,
        Err(e) => return bad_input([e.to_string()]),
    };
    let event = match event::load_for(&loaded, args.event.as_deref()) {
        Ok(e) => e,
        Err(d) => return bad_input([d.to_string()]),
    };
    let secrets = places.secrets();
    let vars = match args.env.variables(places) {
        Ok(v) => v,
        Err(m) => return bad_input([m]),
    };
    let env_name = vars.name().map(str::to_string);
    if args.reveal {
        let mut ctx = Context::system().with_secrets(secrets).with_variables(vars);
        return match request::assemble(&loaded.profile, event.as_ref(), &mut ctx) {
            Ok(a) => {
                out!("{}", curl::to_curl(&a.request, true));
                Ok(Outcome::Success)
            }
            Err(errs) => bad_input(
                errs.iter()
                    .map(|e| super::in_env(e.locate(&loaded).to_string(), env_name.as_deref())),
            ),
        };
    }
    let stem = loaded
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match curl::profile_to_curl(&loaded.profile, &stem, event.as_ref(), secrets, &vars) {
        Ok(c) => {
            out!("{}", c.command);
            if !c.vars.is_empty() {
                let list: Vec<String> = c
                    .vars
                    .iter()
                    .map(|(n, secret)| {
                        if *secret {
                            format!("{n} (secret)")
                        } else {
                            n.clone()
                        }
                    })
                    .collect();
                let per_env = env_name
                    .as_deref()
                    .map(|e| format!(" (secrets: the values for environment {e})"))
                    .unwrap_or_default();
                say!(
                    "reads from the shell's environment: {}{per_env}",
                    list.join(", ")
                );
            }
            for n in &c.notes {
                say!("note: {n}");
            }
            Ok(Outcome::Success)
        }
        Err(errs) => bad_input(
            errs.iter()
                .map(|e| super::in_env(e.locate(&loaded).to_string(), env_name.as_deref())),
        ),
    }
}

pub fn from_curl(places: &Places, mut args: FromCurlArgs) -> anyhow::Result<Outcome> {
    let secrets = places.secrets();
    // One quoted command (it has spaces in it), then our own options.
    if args.command.len() > 1 && args.command[0].trim().contains(char::is_whitespace) {
        let rest = args.command.split_off(1);
        match <After as clap::Parser>::try_parse_from(&rest) {
            Ok(after) => {
                args.name = after.name.or(args.name);
                args.output = after.output.or(args.output);
                args.force |= after.force;
            }
            Err(e) => {
                return bad_input([format!(
                    "after the quoted curl command: {}",
                    e.to_string()
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .trim_start_matches("error: ")
                )]);
            }
        }
    }
    let parsed = match args.command.as_slice() {
        [] => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text)?;
            curl::from_curl_reading_files(&text, &secrets)
        }
        [one] => curl::from_curl_reading_files(one, &secrets),
        many => curl::from_args(many, &secrets),
    };
    let mut p = match parsed {
        Ok(p) => p,
        Err(m) => return bad_input([format!("curl command: {m}")]),
    };
    if let Some(n) = args.name {
        p.name = n;
    }
    let path = match args.output {
        Some(path) => {
            let text = profile::to_ron(&p);
            if let Err(e) =
                hookbench::files::write_output(&path, text.as_bytes(), args.force, false)
            {
                return bad_input([e.to_string()]);
            }
            path
        }
        None => {
            let path = hookbench::share::free_path(
                &places.profiles,
                &hookbench::files::slug(&p.name),
                "ron",
            );
            if let Err(e) = profile::save_new(&path, &p) {
                return bad_input([e.to_string()]);
            }
            path
        }
    };
    out!("{}", path.display());
    say!("wrote profile `{}` to {}", p.name, path.display());
    let needs = hookbench::share::needs(&p);
    let missing: Vec<&str> = needs.missing_secrets(&secrets).collect();
    if !needs.env.is_empty() {
        say!("reads environment variables: {}", needs.env.join(", "));
    }
    if !missing.is_empty() {
        say!("secrets to set: {}", missing.join(", "));
    }
    Ok(Outcome::Success)
}
