//! Headless commands, one file each.
//!
//! Output goes through [`out!`] (standard output: a reader that went away,
//! as `| head -1` does, ends the command quietly) and [`say!`] (standard
//! error, for people: a closed one is not worth failing over). Nothing
//! here panics on a closed pipe.

/// A line on standard error; a closed stderr is ignored.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

/// Text on standard error without a line break; a closed stderr is ignored.
macro_rules! say_part {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let mut e = std::io::stderr();
        let _ = write!(e, $($t)*);
        let _ = e.flush();
    }};
}

/// A line on standard output; an error (a closed pipe) returns from the
/// command, which `main` then ends quietly.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($t)*)?;
    }};
}

/// Text on standard output without a line break, as [`out!`].
macro_rules! out_part {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout(), $($t)*)?;
    }};
}

mod compare;
mod curl;
mod fire;
mod history;
mod listen;
mod print;
mod replay;
mod secret;
mod share;
mod shell;
mod transfer;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// Whether what goes to standard output is coloured (`--color`, else
/// NO_COLOR, CLICOLOR_FORCE, TERM and whether it is a terminal).
pub fn colour_on() -> bool {
    anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
}

/// The heading of the options every command takes.
const GLOBAL: &str = "Global options";

/// A terminal workbench for webhooks: build, fire, inspect.
#[derive(Debug, Parser)]
#[command(
    name = "hookbench",
    version,
    about,
    after_help = "Examples:\n  hookbench                         the workbench, on the profiles folder\n  hookbench fire local-echo         send a profile's request, print both sides\n  hookbench replay --failed         send every delivery still failing again, once\n\nhookbench COMMAND --help says more of each."
)]
pub struct Cli {
    /// Folder of profiles [default: ./profiles when it exists, else the user config folder]
    #[arg(long, global = true, env = "HOOKBENCH_PROFILES", value_name = "DIR", help_heading = GLOBAL)]
    pub profiles: Option<PathBuf>,

    /// Folder of the delivery history [default: the user data folder]
    #[arg(long, global = true, env = "HOOKBENCH_DATA_DIR", value_name = "DIR", help_heading = GLOBAL)]
    pub data_dir: Option<PathBuf>,

    /// Folder of secrets.ron, config.ron and (without --profiles or ./profiles) profiles/ [default: the user config folder]
    #[arg(long, global = true, env = "HOOKBENCH_CONFIG_DIR", value_name = "DIR", help_heading = GLOBAL)]
    pub config_dir: Option<PathBuf>,

    /// Bodies longer than this are stored cut in the history (10MiB, 512KiB, bytes) [default: 10MiB]
    #[arg(long, global = true, env = "HOOKBENCH_BODY_CAP", value_name = "SIZE", value_parser = parse_cap, help_heading = GLOBAL)]
    pub body_cap: Option<usize>,

    /// When to colour: auto (on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE forces it), always, never
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN", help_heading = GLOBAL)]
    pub color: ColorWhen,

    /// Workbench: the port of the built-in receiver (on 127.0.0.1)
    #[arg(long, default_value_t = 8787, value_name = "PORT")]
    pub receiver_port: u16,

    /// Workbench: do not start the built-in receiver
    #[arg(long)]
    pub no_receiver: bool,

    /// Workbench: open in this environment (E picks another)
    #[arg(long, env = "HOOKBENCH_ENV", value_name = "NAME")]
    pub env: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Assemble a profile's request and send it (or print it with --dry-run)
    #[command(
        after_help = "Examples:\n  hookbench fire local-echo\n  hookbench fire crm --set event.profile.plan=pro --dry-run\n  hookbench fire crm --url http://127.0.0.1:8787/ --json"
    )]
    Fire(fire::FireArgs),
    /// Send one event to two environments and compare the two exchanges (exit 1 when they differ)
    #[command(
        after_help = "Examples:\n  hookbench compare local-echo --env local --env staging\n  hookbench compare crm --env staging --env production --ignore id --ignore $.meta.time\n  hookbench compare crm --env local --env staging --json"
    )]
    Compare(compare::CompareArgs),
    /// Check profiles and their events; print each problem as file:line:col
    #[command(
        after_help = "Examples:\n  hookbench validate\n  hookbench validate profiles/crm.ron"
    )]
    Validate(validate::ValidateArgs),
    /// List recorded deliveries, newest first
    #[command(
        after_help = "Examples:\n  hookbench history --failed --since 2h\n  hookbench history --attempts --profile crm --json"
    )]
    History(history::HistoryArgs),
    /// Send recorded deliveries again: by id, or every one a filter selects
    #[command(
        after_help = "Examples:\n  hookbench replay 42\n  hookbench replay --failed --since 1h --dry-run\n  hookbench replay --failed --url http://127.0.0.1:3000 --concurrency 16"
    )]
    Replay(replay::ReplayArgs),
    /// Mark deliveries resolved by hand (fixed by other means), or open again with --undo
    #[command(after_help = "Examples:\n  hookbench resolve 12 15\n  hookbench resolve 12 --undo")]
    Resolve(history::ResolveArgs),
    /// Add deliveries from a HAR or JSON Lines file to the history
    Import(transfer::ImportArgs),
    /// Write recorded deliveries as HAR or JSON Lines (credentials masked)
    Export(transfer::ExportArgs),
    /// Receive webhooks locally: capture every request, answer as scripted
    #[command(
        after_help = "Examples:\n  hookbench listen\n  hookbench listen --port 9000 --sequence 500,500,200\n  hookbench listen --secret whsec_... --json"
    )]
    Listen(listen::ListenArgs),
    /// Write a copy of a profile with every credential replaced by a {{secret.NAME}} placeholder
    #[command(after_help = "Examples:\n  hookbench share crm -o crm.shared.ron")]
    Share(share::ShareArgs),
    /// Copy a profile file into the profiles folder (never replacing one) and list the secrets it needs
    ImportProfile(share::ImportProfileArgs),
    /// Print a curl command that sends what a profile sends (secrets as $NAME)
    #[command(after_help = "Examples:\n  hookbench curl crm\n  hookbench curl crm --reveal | sh")]
    Curl(curl::CurlArgs),
    /// Make a profile from a curl command line (an argument, or stdin)
    #[command(
        after_help = "Examples:\n  hookbench from-curl 'curl -X POST https://api.example.com/hook -d {}' --name api\n  pbpaste | hookbench from-curl"
    )]
    FromCurl(curl::FromCurlArgs),
    /// The secret store behind {{secret.NAME}}: set, list, rm
    #[command(subcommand)]
    Secret(secret::SecretCommand),
    /// Print a shell completion script (bash and zsh also complete profile names and record ids)
    Completions(shell::CompletionsArgs),
    /// Write the man page (one page, or one per command with -o DIR)
    Man(shell::ManArgs),
    /// Names for a completion script: profiles or records
    #[command(hide = true)]
    Complete(shell::CompleteArgs),
}

fn parse_cap(s: &str) -> Result<usize, String> {
    hookbench::history::parse_size(s)
        .ok_or_else(|| format!("`{s}` is not a size: write 10MiB, 512KiB or a number of bytes"))
}

/// Where things are: the profiles folder, the history and secrets files.
pub struct Places {
    pub profiles: PathBuf,
    pub history: PathBuf,
    pub secrets: PathBuf,
    pub body_cap: Option<usize>,
}

impl Places {
    /// The secret store for lookups; when it is unusable, each lookup says
    /// why.
    pub fn secrets(&self) -> std::sync::Arc<hookbench::secrets::Secrets> {
        std::sync::Arc::new(hookbench::secrets::Secrets::load_for_lookup(&self.secrets))
    }

    /// An environment of the profiles folder, by name.
    pub fn environment(&self, name: &str) -> Result<hookbench::environment::Environment, String> {
        hookbench::environment::find(&self.profiles, name)
            .map(|l| l.environment)
            .map_err(|e| e.to_string())
    }

    pub fn open_history(&self) -> anyhow::Result<hookbench::history::Store> {
        let mut store = hookbench::history::Store::open(&self.history)?;
        if let Some(cap) = self.body_cap {
            store.set_body_cap(cap);
        }
        Ok(store)
    }
}

/// The environment a profile is rendered in, for every command that
/// renders one.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct EnvArgs {
    /// Render in this environment: a file of environments/ in the profiles folder (its name or file name)
    #[arg(long, env = "HOOKBENCH_ENV", value_name = "NAME")]
    pub env: Option<String>,
    /// Set a variable for this command, over the environment's and the profile's: NAME=VALUE
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
}

impl EnvArgs {
    /// The variables to render with, or what is wrong (an unknown
    /// environment, a file that does not load, a bad `--var`).
    pub fn variables(&self, places: &Places) -> Result<hookbench::environment::Variables, String> {
        let environment = match self.env.as_deref().filter(|e| !e.is_empty()) {
            Some(name) => Some(places.environment(name).map_err(|m| {
                // Said where it came from when not typed here.
                let typed = std::env::args().any(|a| a == "--env" || a.starts_with("--env="));
                if typed {
                    m
                } else {
                    format!("HOOKBENCH_ENV={name}: {m}")
                }
            })?),
            None => None,
        };
        let mut vars = hookbench::environment::Variables::of(environment);
        for a in &self.vars {
            let (k, v) = hookbench::environment::parse_assignment(a)?;
            vars.overrides.insert(k, v);
        }
        Ok(vars)
    }
}

/// A profile found by name and its sample event (another with `event`),
/// changed by `--set`; or the problem, as a line.
pub fn profile_and_event(
    places: &Places,
    name: &str,
    event: Option<&std::path::Path>,
    set: &[String],
) -> Result<(hookbench::profile::LoadedProfile, Option<serde_json::Value>), String> {
    let loaded = hookbench::profile::find(&places.profiles, name).map_err(|e| e.to_string())?;
    let mut ev = hookbench::event::load_for(&loaded, event).map_err(|d| d.to_string())?;
    if !set.is_empty() {
        let v = ev.get_or_insert_with(|| serde_json::json!({}));
        for s in set {
            hookbench::event::apply_set(v, s)?;
        }
    }
    Ok((loaded, ev))
}

/// A problem line of a profile rendered in an environment, which says so
/// unless it names that environment already.
pub fn in_env(line: String, env: Option<&str>) -> String {
    match env {
        Some(e) if !line.contains(&format!("environment `{e}`")) => {
            format!("{line} (in environment {e})")
        }
        _ => line,
    }
}

/// Filters shared by history, replay and export.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FilterArgs {
    /// Only deliveries still failing: no attempt (retry, replay) got a 2xx
    /// and none was marked resolved; one record each, the latest attempt
    #[arg(long)]
    pub failed: bool,
    /// Every attempt on its own (retries and replays too), not one record
    /// per delivery; with --failed, every failed attempt
    #[arg(long)]
    pub attempts: bool,
    /// With --failed: deliveries that failed and were resolved since, too
    #[arg(long, requires = "failed")]
    pub include_resolved: bool,
    /// Only this profile's deliveries
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Only those rendered in this environment (replay: and render them in it)
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Only those of the last DURATION (90s, 30m, 2h, 7d)
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
    /// Only this class: 2xx, 3xx, 4xx, 5xx or error
    #[arg(long, value_name = "CLASS")]
    pub status: Option<String>,
    /// Only those whose URL or a body contains TEXT
    #[arg(long, value_name = "TEXT")]
    pub text: Option<String>,
}

impl FilterArgs {
    pub fn is_empty(&self) -> bool {
        !self.failed
            && self.profile.is_none()
            && self.env.is_none()
            && self.since.is_none()
            && self.status.is_none()
            && self.text.is_none()
    }

    /// The filter, or the problem printed and the exit code to end with.
    pub fn filter_or_report(&self) -> Result<hookbench::history::Filter, Outcome> {
        self.to_filter().map_err(|m| {
            say!("error: {m}");
            Outcome::BadInput
        })
    }

    pub fn to_filter(&self) -> Result<hookbench::history::Filter, String> {
        let since_ms = match &self.since {
            Some(s) => {
                let d = hookbench::clock::parse_duration(s).ok_or_else(|| {
                    format!("--since `{s}`: write a duration such as 90s, 30m, 2h or 7d (at most 1000 years)")
                })?;
                let now = hookbench::clock::unix_millis(std::time::SystemTime::now());
                // parse_duration caps durations, so this cannot overflow.
                Some(now - d.as_millis() as i64)
            }
            None => None,
        };
        let status = match &self.status {
            Some(s) => Some(
                hookbench::history::StatusClass::parse(s)
                    .ok_or_else(|| format!("--status `{s}`: use 2xx, 3xx, 4xx, 5xx or error"))?,
            ),
            None => None,
        };
        Ok(hookbench::history::Filter {
            failed: self.failed,
            attempts: self.attempts,
            include_resolved: self.include_resolved,
            profile: self.profile.clone(),
            env: self.env.clone(),
            since_ms,
            until_ms: None,
            status,
            text: self.text.clone(),
            origin: None,
        })
    }
}

/// A problem with the input: each line printed as `error: ...`, exit 2.
pub fn bad_input(lines: impl IntoIterator<Item = String>) -> anyhow::Result<Outcome> {
    for l in lines {
        say!("error: {l}");
    }
    Ok(Outcome::BadInput)
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
    match cli.color {
        // anstream takes any value as forcing; by the convention `0` does not.
        ColorWhen::Auto if std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v == "0") => {
            use std::io::IsTerminal;
            let off = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
                || std::env::var_os("TERM").is_some_and(|t| t == "dumb");
            if off || !std::io::stdout().is_terminal() {
                anstream::ColorChoice::Never.write_global();
            } else {
                anstream::ColorChoice::Always.write_global();
            }
        }
        ColorWhen::Auto => {}
        ColorWhen::Always => anstream::ColorChoice::Always.write_global(),
        ColorWhen::Never => anstream::ColorChoice::Never.write_global(),
    }
    let explicit = cli.profiles.is_some();
    let dir = hookbench::profile::default_dir(cli.profiles, cli.config_dir.as_deref());
    // The first run outside the repository: the user's profiles folder is
    // made, with the profile that works offline.
    let uses_profiles = matches!(
        cli.command,
        None | Some(
            Command::Fire(_)
                | Command::Compare(_)
                | Command::Validate(_)
                | Command::Replay(_)
                | Command::Curl(_)
                | Command::Share(_)
                | Command::ImportProfile(_)
                | Command::FromCurl(_)
        )
    );
    let mut notice = None;
    if uses_profiles && !explicit && dir.is_absolute() {
        match hookbench::profile::create_starter(&dir) {
            Ok(true) => {
                let said = format!(
                    "first run: created {} with the local-echo profile (it fires at the built-in receiver, 127.0.0.1:8787)",
                    dir.display()
                );
                say!("hookbench: {said}");
                notice = Some(format!("{said}; f fires it"));
            }
            Ok(false) => {}
            Err(e) => say!(
                "warning: could not create the profiles folder {}: {}",
                dir.display(),
                hookbench::files::io_reason(&e)
            ),
        }
    }
    let places = Places {
        profiles: dir.clone(),
        history: hookbench::history::default_path(cli.data_dir),
        secrets: hookbench::secrets::default_path(cli.config_dir),
        body_cap: cli.body_cap,
    };
    match cli.command {
        Some(Command::Fire(args)) => fire::run(&places, args),
        Some(Command::Validate(args)) => validate::run(&places, args),
        Some(Command::Compare(args)) => compare::run(&places, args),
        Some(Command::History(args)) => history::run(&places, args),
        Some(Command::Replay(args)) => replay::run(&places, args),
        Some(Command::Resolve(args)) => history::resolve(&places, args),
        Some(Command::Import(args)) => transfer::import(&places, args),
        Some(Command::Export(args)) => transfer::export(&places, args),
        Some(Command::Listen(args)) => listen::run(&places, args),
        Some(Command::Secret(cmd)) => secret::run(&places, cmd),
        Some(Command::Share(args)) => share::share(&places, args),
        Some(Command::Curl(args)) => curl::to_curl(&places, args),
        Some(Command::FromCurl(args)) => curl::from_curl(&places, args),
        Some(Command::ImportProfile(args)) => share::import(&places, args),
        Some(Command::Completions(args)) => shell::completions(args),
        Some(Command::Man(args)) => shell::man(args),
        Some(Command::Complete(args)) => shell::complete(&places, args),
        None => {
            // A configuration that does not load is said before the
            // terminal is taken.
            let config_path = places
                .secrets
                .with_file_name(hookbench::tui::config::FILE_NAME);
            let config = match hookbench::tui::config::load(&config_path) {
                Ok(c) => c,
                Err(d) => return bad_input([d.to_string()]),
            };
            let ended = hookbench::tui::main(hookbench::tui::Options {
                profiles: dir,
                history: Some(places.history),
                body_cap: places.body_cap,
                secrets: Some(places.secrets),
                plain: !colour_on(),
                notice,
                env: cli.env.filter(|e| !e.is_empty()),
                config,
                receiver: (!cli.no_receiver)
                    .then(|| std::net::SocketAddr::from(([127, 0, 0, 1], cli.receiver_port))),
            })?;
            if let hookbench::tui::Ended::Signal { name, number, kept } = ended {
                say!("hookbench: stopped by {name}");
                for p in kept {
                    say!("unsaved changes kept in {}", p.display());
                }
                std::process::exit(128 + number);
            }
            Ok(Outcome::Success)
        }
    }
}
