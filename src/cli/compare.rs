//! `hookbench compare`: one event sent to two environments, the two
//! exchanges compared.

use std::path::PathBuf;

use clap::Args;
use hookbench::deliver::{Deliverer, SendOptions};
use hookbench::diff;
use hookbench::environment::Variables;
use hookbench::exchange::{Exchange, printable};
use hookbench::request;

use super::{Outcome, Places, bad_input};

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// A .ron file, or the name (file stem or `name`) of a profile in the profiles folder
    pub profile: String,
    /// The two environments, left then right: --env local --env staging
    #[arg(long = "env", value_name = "NAME")]
    pub envs: Vec<String>,
    /// Set a variable on both sides, over the environments' and the profile's: NAME=VALUE
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Leave this JSON path out of the body comparison (id, $.data.created_at); repeatable
    #[arg(long, value_name = "PATH")]
    pub ignore: Vec<String>,
    /// Sample event to use instead of the profile's
    #[arg(long, value_name = "FILE")]
    pub event: Option<PathBuf>,
    /// Override a value of the sample event: event.profile.plan=pro
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Print the two sides and their differences as one JSON object
    #[arg(long)]
    pub json: bool,
    /// Do not record the two exchanges in the history
    #[arg(long)]
    pub no_history: bool,
}

pub fn run(places: &Places, args: CompareArgs) -> anyhow::Result<Outcome> {
    let [left_name, right_name] = match args.envs.as_slice() {
        [a, b] if a == b => {
            return bad_input([format!(
                "--env {a} twice: compare two different environments"
            )]);
        }
        [a, b] => [a.clone(), b.clone()],
        _ => {
            return bad_input([format!(
                "give two environments, --env A --env B (got {})",
                args.envs.len()
            )]);
        }
    };
    let (loaded, event) =
        match super::profile_and_event(places, &args.profile, args.event.as_deref(), &args.set) {
            Ok(found) => found,
            Err(m) => return bad_input([m]),
        };
    let mut envs = Vec::new();
    for name in [&left_name, &right_name] {
        match places.environment(name) {
            Ok(e) => envs.push(e),
            Err(m) => return bad_input([m]),
        }
    }
    let right_env = envs.pop().expect("two");
    let left_env = envs.pop().expect("two");
    let mut overrides = std::collections::BTreeMap::new();
    for a in &args.vars {
        match hookbench::environment::parse_assignment(a) {
            Ok((k, v)) => {
                overrides.insert(k, v);
            }
            Err(m) => return bad_input([m]),
        }
    }
    let side = |env| Variables {
        overrides: overrides.clone(),
        environment: Some(env),
    };

    // One event: the same instant and ids on both sides.
    let (mut lctx, mut rctx) = request::twins(side(left_env), side(right_env), places.secrets());
    let mut assembled = Vec::new();
    for (name, ctx) in [(&left_name, &mut lctx), (&right_name, &mut rctx)] {
        match request::assemble(&loaded.profile, event.as_ref(), ctx) {
            Ok(a) => {
                for w in &a.warnings {
                    say!("warning: {name}: {w}");
                }
                assembled.push(a);
            }
            Err(errors) => {
                return bad_input(errors.iter().map(|e| {
                    let line = e.locate(&loaded).to_string();
                    if line.contains(&format!("environment `{name}`")) {
                        line
                    } else {
                        format!("{line} (in environment {name})")
                    }
                }));
            }
        }
    }
    let mut history = if args.no_history {
        None
    } else {
        Some(places.open_history()?)
    };

    let opts = |env: &str| SendOptions {
        env: Some(env.to_string()),
        ..SendOptions::for_profile(&loaded.profile)
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let deliverer = Deliverer::new()?;
    let (lo, ro) = (opts(&left_name), opts(&right_name));
    let (left, right) = rt.block_on(async {
        tokio::join!(
            deliverer.send(&assembled[0].request, &lo),
            deliverer.send(&assembled[1].request, &ro)
        )
    });
    let ids = match history.as_mut() {
        Some(h) => match h.insert_pair(&left, &right) {
            Ok(ids) => Some(ids),
            Err(e) => {
                return Err(anyhow::Error::new(e).context("sent, but not recorded in the history"));
            }
        },
        None => None,
    };

    let (lm, rm) = (left.redacted(), right.redacted());
    let mut comparison = diff::compare(&lm, &rm);
    let masked = masked_differences(&left, &right, &comparison);
    comparison.request_headers.extend(masked);
    let ignored = comparison.ignore(&args.ignore);
    let verdict = diff::verdict(&left, &right, &comparison);

    if args.json {
        // Each side whole, as `fire --json` prints an exchange.
        let side = |name: &str, ex: &Exchange, id: Option<i64>| {
            let mut v = ex.to_json(false);
            v["env"] = serde_json::json!(name);
            v["id"] = serde_json::json!(id);
            v["class"] = serde_json::json!(diff::class_of(ex));
            v["outcome"] = serde_json::json!(ex.outcome());
            v
        };
        let v = serde_json::json!({
            "profile": loaded.profile.name,
            "left": side(&left_name, &lm, ids.map(|i| i.0)),
            "right": side(&right_name, &rm, ids.map(|i| i.1)),
            "same": verdict.is_ok(),
            "why": verdict.as_ref().err().cloned().unwrap_or_default(),
            "ignored": ignored,
            "differences": comparison.to_json(),
        });
        out!("{v}");
    } else {
        print_comparison(
            &loaded.profile.name,
            [(&left_name, &lm), (&right_name, &rm)],
            ids,
            &comparison,
            ignored,
            &verdict,
        )?;
    }
    Ok(match verdict {
        Ok(()) => Outcome::Success,
        Err(_) => Outcome::Failed,
    })
}

/// Credential headers whose values differ: masked alike on both sides,
/// so the comparison of the masked copies cannot see them; said without
/// their values.
fn masked_differences(a: &Exchange, b: &Exchange, seen: &diff::Comparison) -> Vec<diff::Change> {
    diff::headers(&a.request.headers, &b.request.headers)
        .into_iter()
        .filter(|c| {
            !seen
                .request_headers
                .iter()
                .any(|s| s.at().eq_ignore_ascii_case(c.at()))
        })
        .filter(|c| {
            let secret = |e: &Exchange| {
                e.request
                    .secret_headers
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(c.at()))
                    || hookbench::wire::is_credential_name(c.at())
            };
            secret(a) || secret(b)
        })
        .map(|c| diff::Change::Changed {
            at: c.at().to_string(),
            left: "(masked)".into(),
            right: "(masked, a different value)".into(),
        })
        .collect()
}

fn print_comparison(
    profile: &str,
    sides: [(&String, &Exchange); 2],
    ids: Option<(i64, i64)>,
    c: &diff::Comparison,
    ignored: usize,
    verdict: &Result<(), Vec<String>>,
) -> anyhow::Result<()> {
    out!(
        "compare {}: {} (left) and {} (right)",
        printable(profile),
        sides[0].0,
        sides[1].0
    );
    let width = sides[0].0.len().max(sides[1].0.len());
    for (i, (name, ex)) in sides.iter().enumerate() {
        let id = ids
            .map(|p| format!("  #{}", if i == 0 { p.0 } else { p.1 }))
            .unwrap_or_default();
        out!(
            "  {name:<width$}  {} {}  ->  {} in {} ms{id}",
            ex.request.method,
            printable(&ex.request.url),
            ex.outcome(),
            ex.elapsed.as_millis()
        );
    }
    for (title, changes) in c.sections() {
        if changes.is_empty() {
            out!("{title}: the same");
            continue;
        }
        out!("{title}:");
        for ch in changes {
            out!("  {}", printable(&ch.to_string()));
        }
    }
    if ignored > 0 {
        out!("({ignored} difference(s) at the --ignore paths left out)");
    }
    match verdict {
        Ok(()) => out!("same: one outcome class, equal response bodies"),
        Err(why) => out!("different: {}", why.join("; ")),
    }
    if let Some((a, b)) = ids {
        out!("(recorded as #{a} and #{b}, compared with each other)");
    }
    Ok(())
}
