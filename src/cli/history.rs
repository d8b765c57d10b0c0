//! `hookbench history`: recorded deliveries, newest first.

use std::io::{IsTerminal, Write};

use clap::Args;
use hookbench::clock;
use hookbench::exchange::printable;
use serde_json::json;

use super::{FilterArgs, Outcome, Places};

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// One JSON object per line instead of a table
    #[arg(long)]
    pub json: bool,
    /// At most this many records
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub limit: usize,
}

pub fn run(places: &Places, args: HistoryArgs) -> anyhow::Result<Outcome> {
    let filter = match args.filter.filter_or_report() {
        Ok(f) => f,
        Err(outcome) => return Ok(outcome),
    };
    let store = places.open_history()?;
    let total = store.count(&filter)?;
    let rows = store.page(&filter, None, args.limit)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        for s in &rows {
            let v = json!({
                "id": s.id,
                "time": clock::rfc3339_millis(clock::from_unix_millis(s.started_ms)),
                "origin": s.origin,
                "replay_of": s.replay_of,
                "profile": s.profile,
                "method": s.method,
                "host": s.host,
                "path": s.path,
                "status": s.status,
                "error": s.error_kind,
                "elapsed_ms": s.elapsed_ms,
                "failed": s.failed,
            });
            writeln!(out, "{v}")?;
        }
        return Ok(Outcome::Success);
    }
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    writeln!(
        out,
        "{:>6}  {:<20}  {:<12}  {:<18}  {:<6}  {:<40}  {:>7}  {:>6}",
        "ID", "TIME (UTC)", "ORIGIN", "PROFILE", "METHOD", "HOST AND PATH", "STATUS", "MS"
    )?;
    for s in &rows {
        let time = clock::rfc3339(clock::from_unix_millis(s.started_ms)).replace('T', " ");
        let line = format!(
            "{:>6}  {:<20}  {:<12}  {:<18}  {:<6}  {:<40}  {:>7}  {:>6}",
            s.id,
            &time[..19],
            s.origin_label(),
            // What a record holds is never sent to the terminal raw.
            clip(&printable(s.profile.as_deref().unwrap_or("-")), 18),
            printable(&s.method),
            clip(&printable(&format!("{}{}", s.host, s.path)), 40),
            s.outcome_label(),
            s.elapsed_ms
        );
        if color && s.failed {
            writeln!(out, "\x1b[31m{line}\x1b[0m")?;
        } else {
            writeln!(out, "{line}")?;
        }
    }
    writeln!(
        out,
        "{} of {total} record(s) matching: {}",
        rows.len(),
        filter.describe()
    )?;
    Ok(Outcome::Success)
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}
