//! `hookbench import` and `hookbench export`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use hookbench::history::io;

use super::{FilterArgs, Outcome, Places};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A HAR file (.har, or JSON with log.entries) or JSON Lines
    pub file: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Har,
    Jsonl,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    #[arg(long, value_enum)]
    pub format: Format,
    /// Write here instead of to standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// With -o: replace the file even when it is a link, a FIFO, a device or read-only
    #[arg(long)]
    pub force: bool,
}

pub fn import(places: &Places, args: ImportArgs) -> anyhow::Result<Outcome> {
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => {
            say!("error: {}: cannot read: {e}", args.file.display());
            return Ok(Outcome::BadInput);
        }
    };
    let is_har = args
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("har"))
        || serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|v| v.get("log").is_some());
    let parsed = if is_har {
        match io::parse_har(&text) {
            Ok(p) => p,
            Err(m) => {
                say!("error: {}: {m}", args.file.display());
                return Ok(Outcome::BadInput);
            }
        }
    } else {
        io::parse_jsonl(&text)
    };
    let what = if is_har { "entry" } else { "line" };
    let mut store = places.open_history()?;
    let ids = store.import(&parsed.exchanges, &parsed.ids)?;
    for (n, reason) in &parsed.bad {
        if is_har {
            say!("{}: {what} {n}: {reason}", args.file.display());
        } else {
            say!("{}:{n}: {reason}", args.file.display());
        }
    }
    match (ids.first(), ids.last()) {
        (Some(a), Some(b)) => say!(
            "imported {} deliver{} as #{a}..#{b}; {} bad {what}(s) skipped",
            ids.len(),
            if ids.len() == 1 { "y" } else { "ies" },
            parsed.bad.len()
        ),
        _ => say!("imported nothing; {} bad {what}(s)", parsed.bad.len()),
    }
    Ok(if parsed.bad.is_empty() {
        Outcome::Success
    } else {
        Outcome::BadInput
    })
}

pub fn export(places: &Places, args: ExportArgs) -> anyhow::Result<Outcome> {
    let filter = match args.filter.filter_or_report() {
        Ok(f) => f,
        Err(outcome) => return Ok(outcome),
    };
    // An export holds records: every attempt, unless it asks for the
    // deliveries still failing (--failed).
    let mut filter = filter;
    if !filter.failed {
        filter.attempts = true;
    }
    let store = places.open_history()?;
    let ids = store.ids(&filter)?;
    let mut text = String::new();
    match args.format {
        Format::Jsonl => {
            for r in store.get_many(&ids)? {
                text.push_str(&io::jsonl_record(&r).to_string());
                text.push('\n');
            }
        }
        Format::Har => {
            let records = store.get_many(&ids)?;
            text = serde_json::to_string_pretty(&io::to_har(&records))?;
            text.push('\n');
        }
    }
    match &args.output {
        Some(path) => {
            // Request data: the file is its owner's only.
            if let Err(e) = hookbench::files::write_output(path, text.as_bytes(), args.force, true)
            {
                return super::bad_input([e.to_string()]);
            }
            say!("exported {} record(s) to {}", ids.len(), path.display());
        }
        None => {
            use std::io::Write;
            std::io::stdout().lock().write_all(text.as_bytes())?;
        }
    }
    Ok(Outcome::Success)
}
