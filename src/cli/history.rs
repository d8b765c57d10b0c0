//! `hookbench history`: recorded deliveries, newest first.

use std::io::Write;

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
    if total == 0
        && let Some(e) = &filter.env
    {
        let known = store.env_names(50)?;
        if !known.contains(e) {
            say!(
                "note: no record was sent in environment `{e}`; the history has {}",
                if known.is_empty() {
                    "none in an environment".to_string()
                } else {
                    known.join(", ")
                }
            );
        }
    }
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
                "env": s.env,
                "compared_with": s.pair,
                "method": s.method,
                "host": s.host,
                "path": s.path,
                "status": s.status,
                "error": s.error_kind,
                "elapsed_ms": s.elapsed_ms,
                "failed": s.failed,
                "delivery": s.root,
                "attempts": s.attempts,
                "resolved": s.resolved,
            });
            writeln!(out, "{v}")?;
        }
        return Ok(Outcome::Success);
    }
    let color = super::colour_on();
    writeln!(
        out,
        "{:>6}  {:<20}  {:<12}  {:<24}  {:<6}  {:<40}  {:>7}  {:>6}  {:>8}",
        "ID",
        "TIME (UTC)",
        "ORIGIN",
        "PROFILE",
        "METHOD",
        "HOST AND PATH",
        "STATUS",
        "MS",
        "ATTEMPTS"
    )?;
    for s in &rows {
        let time = clock::rfc3339(clock::from_unix_millis(s.started_ms)).replace('T', " ");
        let line = format!(
            "{:>6}  {:<20}  {:<12}  {:<24}  {:<6}  {:<40}  {:>7}  {:>6}  {:>8}",
            s.id,
            &time[..19],
            s.origin_label(),
            // What a record holds is never sent to the terminal raw.
            // PROFILE@ENV when it was rendered in an environment.
            clip(
                &printable(&match (&s.profile, &s.env) {
                    (Some(p), Some(e)) => format!("{p}@{e}"),
                    (Some(p), None) => p.clone(),
                    (None, _) => "-".into(),
                }),
                24,
            ),
            printable(&s.method),
            clip(&printable(&format!("{}{}", s.host, s.path)), 40),
            s.outcome_label(),
            s.elapsed_ms,
            format!(
                "{}{}",
                s.attempts,
                if s.resolved && s.failed { " ✓" } else { "" }
            )
        );
        if color && s.failed {
            writeln!(out, "\x1b[31m{line}\x1b[0m")?;
        } else {
            writeln!(out, "{line}")?;
        }
    }
    writeln!(
        out,
        "{} of {total} {} matching: {}",
        rows.len(),
        if filter.attempts {
            "record(s)"
        } else {
            "deliveries (the latest attempt of each; --attempts lists every one)"
        },
        filter.describe()
    )?;
    Ok(Outcome::Success)
}

#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// Records (any attempt of a delivery marks the whole delivery)
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<i64>,
    /// Mark them open instead: failing, whatever their attempts got
    #[arg(long)]
    pub undo: bool,
}

/// `hookbench resolve`: deliveries marked resolved (or open) by hand.
pub fn resolve(places: &Places, args: ResolveArgs) -> anyhow::Result<Outcome> {
    let mut store = places.open_history()?;
    let roots = match store.mark_resolved(&args.ids, !args.undo) {
        Ok(r) => r,
        Err(hookbench::history::HistoryError::NotFound(id)) => {
            say!(
                "error: no record #{id} in the history (hookbench history lists them); nothing was marked"
            );
            return Ok(Outcome::BadInput);
        }
        Err(e) => return Err(e.into()),
    };
    for (id, root) in args.ids.iter().zip(&roots) {
        let what = if args.undo { "open" } else { "resolved" };
        if id == root {
            out!("delivery #{root}: {what}");
        } else {
            out!("delivery #{root} (of #{id}): {what}");
        }
    }
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
