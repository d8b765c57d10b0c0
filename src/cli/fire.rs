//! `hookbench fire`: assemble a profile's request, send it, show both sides.

use std::path::PathBuf;

use clap::Args;
use hookbench::deliver::{Deliverer, SendOptions};
use hookbench::exchange::Exchange;
use hookbench::request::{self, Context};

use super::{Outcome, Places, bad_input, print};

#[derive(Debug, Args)]
pub struct FireArgs {
    /// A .ron file, or the name (file stem or `name`) of a profile in the profiles folder
    pub profile: String,
    /// Sample event to use instead of the profile's
    #[arg(long, value_name = "FILE")]
    pub event: Option<PathBuf>,
    /// Override a value of the sample event: event.profile.plan=pro (JSON if it parses, else text)
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Send to this URL instead of the profile's
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Print the request that would be sent, and send nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Print one JSON object: {"request", "response", "error"}
    #[arg(long)]
    pub json: bool,
    /// Show credentials instead of masking them
    #[arg(long)]
    pub reveal: bool,
    /// Do not record the exchange in the history
    #[arg(long)]
    pub no_history: bool,
    #[command(flatten)]
    pub env: super::EnvArgs,
}

pub fn run(places: &Places, args: FireArgs) -> anyhow::Result<Outcome> {
    let (mut loaded, event) =
        match super::profile_and_event(places, &args.profile, args.event.as_deref(), &args.set) {
            Ok(found) => found,
            Err(m) => return bad_input([m]),
        };
    if let Some(url) = &args.url {
        loaded.profile.url = url.clone();
    }
    let vars = match args.env.variables(places) {
        Ok(v) => v,
        Err(m) => return bad_input([m]),
    };
    let env_name = vars.name().map(str::to_string);

    let assembled = match request::assemble(
        &loaded.profile,
        event.as_ref(),
        &mut Context::system()
            .with_secrets(places.secrets())
            .with_variables(vars),
    ) {
        Ok(a) => a,
        Err(errors) => {
            return bad_input(errors.iter().map(|e| {
                if args.url.is_some() && e.field == hookbench::request::Place::Url {
                    format!("--url: {}", e.message)
                } else {
                    super::in_env(e.locate(&loaded).to_string(), env_name.as_deref())
                }
            }));
        }
    };
    for w in &assembled.warnings {
        say!("warning: {w}");
    }
    let req = &assembled.request;

    if args.dry_run {
        let shown = if args.reveal {
            req.clone()
        } else {
            req.redacted()
        };
        if args.json {
            let v = serde_json::json!({
                "request": hookbench::exchange::request_json(&shown),
                "response": null,
                "error": null,
            });
            out!("{v}");
        } else {
            print::request(&shown);
        }
        return Ok(Outcome::Success);
    }

    // The history is opened (and checked) before anything is sent: a
    // damaged one refuses the fire instead of losing its record.
    let mut history = if args.no_history {
        None
    } else {
        Some(places.open_history()?)
    };
    let retry = loaded.profile.retry.as_ref();
    if let Some(r) = retry {
        let plan: Vec<String> = r
            .schedule()
            .iter()
            .map(|d| format!("{} ms", d.as_millis()))
            .collect();
        say!(
            "retrying up to {} attempts; waits {}{}",
            r.max_attempts,
            plan.join(", "),
            if r.jitter {
                " (half of each random)"
            } else {
                ""
            }
        );
    }
    let attempts = send(
        req,
        SendOptions {
            env: env_name,
            ..SendOptions::for_profile(&loaded.profile)
        },
        retry,
        assembled.signing.as_ref(),
    )?;
    // The record is written (and the history closed) on a thread of its
    // own while the answer is printed: a large body costs one of them,
    // not both.
    let exchange = attempts.last().expect("at least one attempt");
    let all = &attempts;
    let recorded = std::thread::scope(|s| -> anyhow::Result<_> {
        let writer = history
            .take()
            .map(|mut h| s.spawn(move || h.insert_attempts(all)));
        let printed = (|| -> anyhow::Result<()> {
            if args.json {
                out!("{}", exchange.to_json(args.reveal));
            } else {
                print::exchange(exchange, args.reveal);
            }
            Ok(())
        })();
        // Written whether or not the printing worked.
        let recorded = writer.map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        printed?;
        Ok(recorded)
    })?
    .transpose();
    if !args.json
        && let Ok(Some(id)) = &recorded
    {
        // The retries were written right after, in the same transaction.
        let retries = match attempts.len() {
            1 => String::new(),
            2 => format!(" with its retry #{}", id + 1),
            n => format!(" with its retries #{} to #{}", id + 1, *id + n as i64 - 1),
        };
        out!("\n(recorded as #{id}{retries}; hookbench replay {id} sends it again)");
    }
    // What was sent and not recorded is an error, never a warning.
    if let Err(e) = recorded {
        return Err(anyhow::Error::new(e).context("sent, but not recorded in the history"));
    }
    Ok(if exchange.is_success() {
        Outcome::Success
    } else {
        Outcome::Failed
    })
}

fn send(
    req: &hookbench::wire::PreparedRequest,
    opts: SendOptions,
    retry: Option<&hookbench::retry::Retry>,
    signing: Option<&hookbench::signing::Signing>,
) -> anyhow::Result<Vec<Exchange>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let deliverer = Deliverer::new()?;
    let max = retry.map_or(1, |r| r.max_attempts);
    Ok(rt.block_on(
        deliverer.send_with_retries(req, &opts, retry, signing, |n, ex, wait| {
            if retry.is_none() {
                return;
            }
            if let Some(w) = hookbench::retry::RetryAfter::of(ex).warning() {
                say!("warning: attempt {n}: {w}");
            }
            let outcome = ex.outcome();
            match wait {
                Some(w) => say!(
                    "attempt {n} of {max}: {outcome} in {} ms; next in {} ms",
                    ex.elapsed.as_millis(),
                    w.as_millis()
                ),
                None => say!(
                    "attempt {n} of {max}: {outcome} in {} ms",
                    ex.elapsed.as_millis()
                ),
            }
        }),
    ))
}
