//! `hookbench listen`: the built-in receiver on the command line.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use clap::Args;
use hookbench::exchange::Exchange;
use hookbench::receiver::{Limits, Receiver, Script};
use serde_json::json;

use super::{Outcome, Places};

#[derive(Debug, Args)]
pub struct ListenArgs {
    /// Port to listen on
    #[arg(long, default_value_t = 8787)]
    pub port: u16,
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Answer every request with this status
    #[arg(long, value_name = "CODE", conflicts_with = "sequence")]
    pub status: Option<u16>,
    /// Answer with these statuses in turn, repeating: 500,500,200
    #[arg(long, value_name = "CODES")]
    pub sequence: Option<String>,
    /// Wait this long before answering
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub delay: u64,
    /// Add a header to every answer (Retry-After: 2, ...)
    #[arg(long = "header", value_name = "NAME:VALUE")]
    pub headers: Vec<String>,
    /// The answer's body
    #[arg(long, value_name = "TEXT")]
    pub body: Option<String>,
    /// Answer this share of requests with a 500 (0 to 1)
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub failure_rate: f64,
    /// Requests with bodies over this are answered 413 (10MiB, 512KiB, bytes)
    #[arg(long, value_name = "SIZE", default_value = "10MiB", value_parser = super::parse_cap)]
    pub max_body: usize,
    /// Check Standard Webhooks signatures with this secret (whsec_...); repeat for rotation
    #[arg(long = "secret", value_name = "SECRET")]
    pub secrets: Vec<String>,
    /// Check signatures as a provider signs them: standard:whsec_…, stripe:whsec_…, github:S, shopify:S, slack:S, hmac:HEADER:PREFIX:hex|base64:S; repeatable
    #[arg(long = "verify", value_name = "PROVIDER:SECRET")]
    pub verify: Vec<String>,
    /// Answer 401 to a request whose signature is invalid or missing (needs --secret or --verify)
    #[arg(long)]
    pub reject_invalid: bool,
    /// Pass each request on to the app at URL and answer with its answer (an origin keeps the path)
    #[arg(long, value_name = "URL")]
    pub forward_to: Option<String>,
    /// With --forward-to: how long the app may take before the sender gets 504
    #[arg(long, value_name = "SECS", default_value_t = 30, requires = "forward_to", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub forward_timeout: u64,
    /// One JSON object per request instead of a line
    #[arg(long)]
    pub json: bool,
    /// Show received credentials (Authorization, tokens, signatures) instead of masking them
    #[arg(long)]
    pub reveal: bool,
    /// Close a connection idle this long between requests, or stalled in one
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub idle_timeout: u64,
    /// Serve at most this many connections at once (more wait their turn)
    #[arg(long, value_name = "N", default_value_t = 512, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_connections: u64,
    /// Do not record what arrives in the history
    #[arg(long)]
    pub no_history: bool,
}

fn bad(msg: impl std::fmt::Display) -> anyhow::Result<Outcome> {
    super::bad_input([msg.to_string()])
}

/// The receiver's answer, from the flags.
fn script(args: &ListenArgs) -> Result<Script, String> {
    let mut s = Script {
        verify: verifiers(args)?,
        ..Script::default()
    };
    if args.reject_invalid && s.verify.is_empty() {
        return Err("--reject-invalid needs a secret to check with: --verify PROVIDER:SECRET or --secret whsec_…".into());
    }
    s.reject_invalid = args.reject_invalid;
    if let Some(url) = &args.forward_to {
        // The app answers: a scripted answer would never be seen.
        let scripted = [
            ("--status", args.status.is_some()),
            ("--sequence", args.sequence.is_some()),
            ("--failure-rate", args.failure_rate != 0.0),
            ("--body", args.body.is_some()),
            ("--header", !args.headers.is_empty()),
        ];
        if let Some((flag, _)) = scripted.iter().find(|(_, on)| *on) {
            return Err(format!(
                "{flag} scripts an answer, and with --forward-to the app answers: leave one out (--delay still applies)"
            ));
        }
        let mut probe = hookbench::wire::PreparedRequest::plain(
            "POST".into(),
            "http://receiver/".into(),
            Vec::new(),
            Vec::new(),
        );
        hookbench::replay::retarget(&mut probe, url).map_err(|m| format!("--forward-to: {m}"))?;
        if hookbench::receiver::loops_back(url, SocketAddr::new(args.bind, args.port)) {
            return Err(format!(
                "--forward-to {}: that is this receiver's own address, so each request would be passed to itself; give the app's port",
                hookbench::receiver::shown_url(url)
            ));
        }
        s.forward = Some(hookbench::receiver::Forward {
            url: url.clone(),
            timeout: Duration::from_secs(args.forward_timeout),
        });
    }
    if let Some(code) = args.status {
        s.sequence =
            Script::parse_sequence(&code.to_string()).map_err(|m| format!("--status: {m}"))?;
    }
    if let Some(seq) = &args.sequence {
        s.sequence = Script::parse_sequence(seq).map_err(|m| format!("--sequence: {m}"))?;
    }
    s.delay = Duration::from_millis(args.delay);
    for h in &args.headers {
        s.headers
            .push(hookbench::wire::header_line(h).map_err(|m| format!("--header: {m}"))?);
    }
    if let Some(b) = &args.body {
        s.body = b.clone().into_bytes();
    }
    if !(0.0..=1.0).contains(&args.failure_rate) {
        return Err("--failure-rate is a share from 0 to 1".into());
    }
    s.failure_rate = args.failure_rate;
    s.body_cap = args.max_body;
    Ok(s)
}

/// What `--secret` and `--verify` check signatures with.
fn verifiers(args: &ListenArgs) -> Result<Vec<hookbench::signing::Verifier>, String> {
    use hookbench::signing::Verifier;
    let mut out = Vec::new();
    for s in &args.secrets {
        hookbench::signing::standard_key(s).map_err(|m| format!("--secret: {m}"))?;
        out.push(Verifier::Standard(s.clone()));
    }
    for v in &args.verify {
        out.push(Verifier::parse(v).map_err(|m| format!("--verify: {m}"))?);
    }
    Ok(out)
}

/// One line, or one JSON object, for a captured request; with verifiers,
/// the signature's verdict (and, when invalid, why). Credentials are
/// masked as the history masks them, unless `reveal`.
pub fn describe(
    ex: &Exchange,
    as_json: bool,
    secrets: &[hookbench::signing::Verifier],
    reveal: bool,
) -> String {
    use hookbench::signing::{Verdict, verify};
    let verdict = (!secrets.is_empty()).then(|| {
        verify(
            secrets,
            &ex.request.headers,
            &ex.request.body,
            hookbench::clock::unix_seconds(std::time::SystemTime::now()),
        )
    });
    let masked;
    let req = if reveal {
        &ex.request
    } else {
        masked = ex.request.redacted();
        &masked
    };
    let (_, target) = hookbench::history::host_and_path(&req.url);
    let status = ex.response.as_ref().map_or(0, |r| r.status);
    if as_json {
        let mut v = json!({
            "time": hookbench::clock::rfc3339_millis(ex.started_at),
            "method": req.method,
            "path": target,
            "headers": req.headers,
            "status": status,
        });
        if ex.origin == hookbench::exchange::Origin::Forwarded {
            v["forwarded"] = json!(true);
            v["elapsed_ms"] = json!(ex.elapsed.as_millis() as u64);
        }
        if let Some(e) = &ex.error {
            v["error"] = json!({"kind": e.kind.as_str(), "message": e.message});
        }
        if let Some(vd) = &verdict {
            v["signature"] = json!(vd.as_str());
            if let Verdict::Invalid(e) = vd {
                v["signature_explanation"] = json!({
                    "signed_content": e.signed_content,
                    "expected": e.expected,
                    "received": e.received,
                    "likely_cause": e.likely_cause,
                });
            }
        }
        match std::str::from_utf8(&req.body) {
            Ok(t) => v["body"] = json!(t),
            Err(_) => {
                use base64::Engine;
                v["body"] = json!(base64::engine::general_purpose::STANDARD.encode(&req.body));
                v["body_encoding"] = json!("base64");
            }
        }
        v.to_string()
    } else {
        let time = hookbench::clock::rfc3339(ex.started_at);
        let mut line = if ex.origin == hookbench::exchange::Origin::Forwarded {
            // What the app answered, and how long it took.
            let app = match (&ex.response, &ex.error) {
                (Some(r), None) => format!("{} in {} ms", r.status, ex.elapsed.as_millis()),
                (_, Some(e)) => format!("failed: {e}"),
                _ => "-".into(),
            };
            format!(
                "{} {} {} {} B -> app {app}",
                &time[11..19],
                req.method,
                target,
                // The size as it arrived (a masked body can be shorter).
                ex.request.body.len(),
            )
        } else {
            format!(
                "{} {} {} {} B -> {}",
                &time[11..19],
                req.method,
                target,
                ex.request.body.len(),
                status
            )
        };
        if let Some(e) = ex
            .error
            .as_ref()
            .filter(|_| ex.origin != hookbench::exchange::Origin::Forwarded)
        {
            line.push_str(&format!("  {e}"));
        }
        match &verdict {
            Some(Verdict::Invalid(e)) => {
                line.push_str(&format!(
                    "  signature INVALID: {}\n    signed content: {}\n    expected: {}\n    received: {}",
                    e.likely_cause,
                    e.signed_content_short(200),
                    e.expected.join(" "),
                    e.received.join(" ")
                ));
            }
            Some(Verdict::Expired { skew_secs }) => {
                line.push_str(&format!(
                    "  signature valid but {}: outside the 5 minute tolerance",
                    hookbench::signing::skew_text(*skew_secs)
                ));
            }
            Some(v) => line.push_str(&format!("  signature {}", v.as_str())),
            None => {}
        }
        line
    }
}

pub fn run(places: &Places, args: ListenArgs) -> anyhow::Result<Outcome> {
    let script = match script(&args) {
        Ok(s) => s,
        Err(m) => return bad(m),
    };
    let verifiers = script.verify.clone();
    let signature_headers: Vec<String> = verifiers
        .iter()
        .filter_map(|v| match v {
            hookbench::signing::Verifier::Hmac { header, .. } => Some(header.to_ascii_lowercase()),
            _ => None,
        })
        .collect();
    let writer = if args.no_history {
        None
    } else {
        Some(hookbench::replay::Writer::spawn(
            places.open_history()?,
            None,
        ))
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let record = writer.as_ref().map(|w| w.sender());
    // The secret store's values are masked in what arrives too: a fire
    // from this machine brings them.
    // So are the secrets signatures are checked with.
    let known = places
        .secrets()
        .mask_set()
        .with(verifiers.iter().map(|v| v.secret().to_string()));
    let result = rt.block_on(async move {
        // Ctrl-C is listened for before anything is said or received, and
        // once: a signal that comes while a request is being printed is
        // still heard.
        let mut interrupted =
            Interrupt::new().map_err(|e| format!("cannot watch for Ctrl-C: {e}"))?;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Exchange>();
        let bind = SocketAddr::new(args.bind, args.port);
        let limits = Limits {
            idle_timeout: Duration::from_secs(args.idle_timeout),
            max_connections: args.max_connections as usize,
        };
        let receiver = match Receiver::start_with(bind, script.clone(), limits, tx).await {
            Ok(r) => r,
            Err(e) => {
                return Err(format!(
                    "cannot listen on {bind}: {e} (another program on that port? try --port)"
                ));
            }
        };
        let answering = match &script.forward {
            Some(f) => format!(
                "passing each request on to {}",
                hookbench::receiver::shown_url(&f.url)
            ),
            None => format!(
                "answering {}",
                script
                    .sequence
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        };
        let checking = match (verifiers.is_empty(), script.reject_invalid) {
            (true, _) => String::new(),
            (false, false) => "; checking signatures".into(),
            (false, true) => "; answering 401 to a bad or missing signature".into(),
        };
        say!(
            "listening on http://{} ({answering}{checking}); Ctrl-C stops",
            receiver.addr
        );
        let mut out = std::io::stdout();
        // Each request: recorded first (a reader that went away, as
        // `| head -1` does, ends the listening, not the record), then
        // printed; false when listening should end.
        let mut take = |mut ex: Exchange| -> bool {
            ex.request.secret_values = known.clone();
            // A custom HMAC header holds a signature: masked as one.
            ex.request
                .secret_headers
                .extend(signature_headers.iter().cloned());
            let line = describe(&ex, args.json, &verifiers, args.reveal);
            if let Some(r) = &record
                && r.send(ex).is_err()
            {
                // The writer stopped on an error, said below.
                return false;
            }
            writeln!(out, "{line}").and_then(|()| out.flush()).is_ok()
        };
        let mut going = true;
        while going {
            tokio::select! {
                biased;
                ex = rx.recv() => match ex {
                    Some(ex) => going = take(ex),
                    None => break,
                },
                _ = interrupted.recv() => break,
            }
        }
        receiver.stop();
        // What arrived before Ctrl-C is printed and recorded still.
        while going && let Ok(ex) = rx.try_recv() {
            going = take(ex);
        }
        Ok(())
    });
    if let Some(w) = writer {
        let (_, written) = w.finish();
        written?;
    }
    match result {
        Ok(()) => Ok(Outcome::Success),
        Err(m) => bad(m),
    }
}

/// SIGINT, registered when made (so none is missed between then and the
/// first wait).
#[cfg(unix)]
struct Interrupt(tokio::signal::unix::Signal);

#[cfg(unix)]
impl Interrupt {
    fn new() -> std::io::Result<Interrupt> {
        use tokio::signal::unix::{SignalKind, signal};
        signal(SignalKind::interrupt()).map(Interrupt)
    }

    async fn recv(&mut self) {
        self.0.recv().await;
    }
}

#[cfg(not(unix))]
struct Interrupt;

#[cfg(not(unix))]
impl Interrupt {
    fn new() -> std::io::Result<Interrupt> {
        Ok(Interrupt)
    }

    async fn recv(&mut self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
