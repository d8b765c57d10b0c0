//! `hookbench replay`: send recorded deliveries again.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use clap::Args;
use hookbench::deliver::Deliverer;
use hookbench::history::Store;
use hookbench::replay::{self, Job, Options, Tally, Writer};

use super::{FilterArgs, Outcome, Places};

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Records to replay, by id
    pub ids: Vec<i64>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Requests in flight at once
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub concurrency: usize,
    /// At most N requests per second
    #[arg(long, value_name = "N")]
    pub rate: Option<f64>,
    /// Send to this URL: an origin (http://host:port) keeps each record's path
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Replace (or add) a header in every replayed request: NAME:VALUE
    #[arg(long = "header", value_name = "NAME:VALUE")]
    pub headers: Vec<String>,
    /// Replace the body of every replayed request with this file's bytes
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<std::path::PathBuf>,
    /// Sign with a new message id (webhook-id) instead of keeping the record's
    #[arg(long)]
    pub new_id: bool,
    /// Sign again as a provider does (received requests: the history masked their signatures): stripe:whsec_…, github:S, ...; repeatable
    #[arg(long = "sign", value_name = "PROVIDER:SECRET")]
    pub sign: Vec<String>,
    /// Timeout of each request, in seconds
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    pub timeout: u64,
    /// List what would be sent, and send nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Go on with an interrupted run (the last one when no number is given),
    /// skipping what already succeeded
    #[arg(long, value_name = "RUN", num_args = 0..=1, default_missing_value = "0")]
    pub resume: Option<i64>,
}

fn bad(msg: impl std::fmt::Display) -> anyhow::Result<Outcome> {
    super::bad_input([msg.to_string()])
}

pub fn run(places: &Places, args: ReplayArgs) -> anyhow::Result<Outcome> {
    let mut store = places.open_history()?;
    let (sources, run, url) = match args.resume {
        Some(n) => {
            if !args.ids.is_empty() || !args.filter.is_empty() {
                return bad("--resume goes on with a run as it was: name no records or filters");
            }
            let run = if n == 0 {
                match store.last_run()? {
                    Some(r) => r,
                    None => return bad("there is no replay run to resume"),
                }
            } else {
                n
            };
            let url = match store.run_url(run) {
                Ok(u) => u,
                Err(e) => return bad(e),
            };
            (store.run_pending(run)?, Some(run), url.or(args.url.clone()))
        }
        None => {
            let sources = if !args.ids.is_empty() {
                // --env with ids only says where to render them.
                let others = super::FilterArgs {
                    env: None,
                    ..args.filter.clone()
                };
                if !others.is_empty() {
                    return bad("name records by id or by filter, not both");
                }
                args.ids.clone()
            } else if args.filter.is_empty() {
                return bad("name the records: IDs, or a filter such as --failed");
            } else {
                match args.filter.to_filter() {
                    Ok(f) => {
                        // Deliveries already resolved are not sent again:
                        // say how many were left out.
                        if f.failed && !f.attempts && !f.include_resolved {
                            let all = hookbench::history::Filter {
                                include_resolved: true,
                                ..f.clone()
                            };
                            let skipped = store.count(&all)?.saturating_sub(store.count(&f)?);
                            if skipped > 0 {
                                say!(
                                    "{skipped} delivery(ies) that failed are resolved already (a retry or a replay got a 2xx, or marked by hand): not sent (--include-resolved sends them too)"
                                );
                            }
                        }
                        store.ids(&f)?
                    }
                    Err(m) => return bad(m),
                }
            };
            (sources, None, args.url.clone())
        }
    };

    let mut edits = Vec::new();
    for h in &args.headers {
        match hookbench::wire::header_line(h) {
            Ok(pair) => edits.push(pair),
            Err(m) => return bad(format!("--header: {m}")),
        }
    }
    let body = match &args.body_file {
        Some(p) => match std::fs::read(p) {
            Ok(b) => Some(b),
            Err(e) => return bad(format!("--body-file {}: {e}", p.display())),
        },
        None => None,
    };

    // The requests, as recorded, aimed and with credentials put back.
    // The environment credentials are rendered in: --env, else
    // HOOKBENCH_ENV, else each record's own.
    let env = args
        .filter
        .env
        .clone()
        .or_else(|| std::env::var("HOOKBENCH_ENV").ok())
        .filter(|e| !e.is_empty());
    if let Some(e) = &env
        && let Err(m) = places.environment(e)
    {
        return bad(m);
    }
    let changes = replay::Changes {
        url: url.clone(),
        headers: edits,
        body,
        new_id: args.new_id,
        env,
        sign: match args
            .sign
            .iter()
            .map(|s| hookbench::signing::Verifier::parse(s).map(|v| v.signing()))
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(s) => s,
            Err(m) => return bad(format!("--sign: {m}")),
        },
    };
    let prepared = match replay::prepare(
        &store,
        &sources,
        &changes,
        &places.profiles,
        &places.secrets(),
    ) {
        Ok(p) => p,
        Err(e) => return bad(e),
    };
    if !prepared.cut.is_empty() {
        let list: Vec<String> = prepared.cut.iter().map(|id| format!("#{id}")).collect();
        say!(
            "warning: not replayed, their request bodies were cut at the history's cap so they are not what was sent: {} (replay them with --body-file)",
            list.join(", ")
        );
    }
    for w in &prepared.warnings {
        say!("warning: {}", hookbench::exchange::printable(w));
    }
    let jobs = prepared.jobs;

    // What is about to happen.
    let mut hosts: Vec<(String, usize)> = Vec::new();
    // Most jobs share a few origins: each is parsed once.
    let mut memo: std::collections::HashMap<&str, String> = Default::default();
    for j in &jobs {
        let url = j.request.url.as_str();
        let origin_end = url
            .find("://")
            .and_then(|i| url[i + 3..].find(['/', '?', '#']).map(|k| i + 3 + k))
            .unwrap_or(url.len());
        let h = memo
            .entry(&url[..origin_end])
            .or_insert_with(|| hookbench::history::host_and_path(url).0)
            .clone();
        match hosts.iter_mut().find(|(x, _)| *x == h) {
            Some(e) => e.1 += 1,
            None => hosts.push((h, 1)),
        }
    }
    hosts.sort_by_key(|h| std::cmp::Reverse(h.1));
    let host_list: Vec<String> = hosts.iter().map(|(h, n)| format!("{h} ({n})")).collect();
    say!(
        "{} {} record(s) to {}",
        if args.dry_run {
            "would replay"
        } else {
            "replaying"
        },
        jobs.len(),
        if host_list.is_empty() {
            "nowhere".to_string()
        } else {
            host_list.join(", ")
        }
    );
    if jobs.is_empty() {
        if run.is_some() {
            say!("nothing left to send: every record of the run already succeeded");
            return Ok(Outcome::Success);
        }
        return Ok(Outcome::Success);
    }
    if args.dry_run {
        let mut out = std::io::stdout().lock();
        for j in &jobs {
            writeln!(
                out,
                "#{}  {} {}",
                j.source,
                j.request.method,
                j.request.redacted().url
            )?;
        }
        return Ok(Outcome::Success);
    }
    let run = match run {
        Some(r) => r,
        None => {
            let sent: Vec<i64> = jobs.iter().map(|j| j.source).collect();
            store.new_run(&sent, url.as_deref())?
        }
    };
    say!("run #{run} (if interrupted: hookbench replay --resume {run})");

    let opts = Options {
        concurrency: args.concurrency.max(1),
        rate: args.rate,
        timeout: Duration::from_secs(args.timeout.max(1)),
        ..Options::default()
    };
    let sending = Instant::now();
    let (tally, store) = send_all(store, run, jobs, opts)?;
    let secs = sending.elapsed().as_secs_f64();
    say!(
        "{}; {} sent and recorded in {secs:.2} s ({:.0}/s){}",
        tally.summary(),
        tally.done(),
        tally.done() as f64 / secs.max(1e-6),
        if tally.throttled > 0 {
            format!(" (waited out {} answer(s) 429)", tally.throttled)
        } else {
            String::new()
        }
    );
    if tally.bad_retry_after > 0 {
        say!(
            "warning: {} answer(s) 429 had a Retry-After that is neither whole seconds nor an HTTP date: ignored, waited 1 s",
            tally.bad_retry_after
        );
    }
    if tally.cancelled || tally.done() < tally.total {
        say!("resume with: hookbench replay --resume {run}");
    }
    drop(store);
    Ok(if tally.succeeded == tally.total {
        Outcome::Success
    } else {
        Outcome::Failed
    })
}

/// Runs the replay with a progress bar on a terminal; Ctrl-C cancels.
fn send_all(
    store: Store,
    run: i64,
    jobs: Vec<Job>,
    opts: Options,
) -> anyhow::Result<(Tally, Store)> {
    // One thread: its senders and their connections wake each other
    // without crossing threads, and the other core is left to the history
    // writer (and, on a local test, the server).
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let writer = Writer::spawn(store, Some(run));
    let record = writer.sender();
    let deliverer = Deliverer::new()?;
    let tally = rt.block_on(async move {
        let (progress_tx, progress_rx) = tokio::sync::watch::channel(Tally::default());
        let (cancel_tx, cancel_rx) = tokio::sync::watch::channel(false);
        let bar = std::io::stderr().is_terminal();
        let started = Instant::now();
        let printer = tokio::spawn(async move {
            if !bar {
                return;
            }
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            // Drawn ten times a second until the senders are done.
            while progress_rx.has_changed().is_ok() {
                tick.tick().await;
                draw(&progress_rx.borrow(), started);
            }
            draw(&progress_rx.borrow(), started);
            say!();
        });
        let sender = tokio::spawn(replay::run(
            jobs,
            deliverer,
            opts,
            record,
            progress_tx,
            cancel_rx,
        ));
        tokio::pin!(sender);
        let tally = tokio::select! {
            t = &mut sender => t,
            _ = tokio::signal::ctrl_c() => {
                let _ = cancel_tx.send(true);
                say!("\ncancelling…");
                sender.await
            }
        };
        let _ = printer.await;
        tally
    })?;
    let (store, written) = writer.finish();
    written?;
    Ok((tally, store))
}

fn draw(t: &Tally, started: Instant) {
    let width = 30;
    let done = t.done();
    let filled = (done * width).checked_div(t.total).unwrap_or(width);
    let rate = done as f64 / started.elapsed().as_secs_f64().max(0.001);
    let line = format!(
        "[{}{}] {done}/{}  ok {}  failing {}  errors {}  {rate:.0}/s ",
        "#".repeat(filled),
        ".".repeat(width - filled),
        t.total,
        t.succeeded,
        t.still_failing,
        t.errors
    );
    // Never wider than the terminal: a wrapped line would not be
    // overwritten by the next.
    let cols = hookbench::tui::terminal_columns().unwrap_or(80);
    say_part!("\r{}", fit(&line, cols.saturating_sub(1)));
}

/// `line` cut to at most `cols` characters.
fn fit(line: &str, cols: usize) -> &str {
    match line.char_indices().nth(cols) {
        Some((at, _)) => &line[..at],
        None => line,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_progress_line_is_cut_to_the_terminal() {
        assert_eq!(super::fit("[##..] 2/4  ok 2", 6), "[##..]");
        assert_eq!(super::fit("[##..] 2/4", 80), "[##..] 2/4");
        assert_eq!(super::fit("ééé", 2), "éé");
        assert_eq!(super::fit("abc", 0), "");
    }
}
