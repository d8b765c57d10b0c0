//! Replay: send stored requests again, one or thousands, and record each
//! attempt as a new exchange linked to the record it replays.
//!
//! Concurrency and a rate limit bound the sending; a 429 answer pauses every
//! worker for its Retry-After (and the request is tried again); progress is
//! reported as it happens; cancelling stops new sends and abandons those in
//! flight. Results go to the history in batches from one writer thread, so
//! a fast run is not held up by the disk.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::deliver::{Deliverer, SendOptions};
use crate::exchange::{Exchange, Origin};
use crate::history::{HistoryError, Store};
use crate::request::Credentials;
use crate::wire::{MASK, PreparedRequest};

/// How a replay sends.
#[derive(Debug, Clone)]
pub struct Options {
    /// Requests in flight at once (at least 1).
    pub concurrency: usize,
    /// At most this many requests per second.
    pub rate: Option<f64>,
    pub timeout: Duration,
    /// Times a request answered 429 is tried again.
    pub max_429_retries: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            concurrency: 4,
            rate: None,
            timeout: Duration::from_secs(30),
            max_429_retries: 3,
        }
    }
}

/// One request to replay.
#[derive(Debug, Clone)]
pub struct Job {
    /// The record it replays.
    pub source: i64,
    pub request: PreparedRequest,
    pub profile: Option<String>,
    /// The environment its profile is rendered in for its credentials:
    /// the record's, unless the replay names one.
    pub env: Option<String>,
    /// Accept any TLS certificate, as the record's profile says.
    pub insecure: bool,
    /// The user pointed this request where it goes (`--url`, an edited
    /// URL): its profile's credentials may go there.
    pub retargeted: bool,
    /// Signed again with this (a received request, whose signature the
    /// history masked), over its profile's signing.
    pub sign: Option<crate::signing::Signing>,
}

/// The state of a run, as it goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub total: usize,
    /// Sent and answered 2xx.
    pub succeeded: usize,
    /// Answered, but not 2xx.
    pub still_failing: usize,
    /// No answer: a transport error.
    pub errors: usize,
    /// 429 answers waited out and tried again.
    pub throttled: usize,
    /// Of those, answers whose Retry-After was unreadable (`NaN`, `-5`):
    /// ignored, a second waited instead.
    pub bad_retry_after: usize,
    pub cancelled: bool,
}

impl Tally {
    pub fn done(&self) -> usize {
        self.succeeded + self.still_failing + self.errors
    }

    /// `now succeeding: 3, still failing: 1, errors: 0`, after `cancelled.`
    /// when it was.
    pub fn summary(&self) -> String {
        format!(
            "{}now succeeding: {}, still failing: {}, errors: {}",
            if self.cancelled { "cancelled. " } else { "" },
            self.succeeded,
            self.still_failing,
            self.errors
        )
    }
}

/// What the user changes in every record before it goes again.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// Send there (see [`retarget`]): the user's own choice of origin.
    pub url: Option<String>,
    /// Replace or add these headers.
    pub headers: Vec<(String, String)>,
    /// Replace the body.
    pub body: Option<Vec<u8>>,
    /// Sign with a new message id instead of the record's.
    pub new_id: bool,
    /// Render credentials in this environment, not the record's own.
    pub env: Option<String>,
    /// Signings to sign with again: each job takes the first whose
    /// headers its request carries (`replay --sign`, the Receiver view's
    /// secrets).
    pub sign: Vec<crate::signing::Signing>,
}

/// Records made ready to send again.
#[derive(Debug, Default)]
pub struct Prepared {
    pub jobs: Vec<Job>,
    /// Records left out: their request body was cut at the history's cap,
    /// so it is not what was sent (a new body sends them).
    pub cut: Vec<i64>,
    /// What the user must hear before anything is sent.
    pub warnings: Vec<String>,
}

/// Why records could not be made ready.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error(transparent)]
    History(#[from] HistoryError),
    /// Occurs when the URL of [`Changes`] is not one to send to.
    #[error("--url: {0}")]
    Url(String),
}

/// Reads these records and makes each a job as `changes` say, with the
/// credentials of its profile put back where they may go (see
/// [`restore_all`]); one whose body was cut is left out unless the body is
/// replaced.
pub fn prepare(
    store: &Store,
    ids: &[i64],
    changes: &Changes,
    profiles_dir: &std::path::Path,
    secrets: &Arc<crate::secrets::Secrets>,
) -> Result<Prepared, PrepareError> {
    let mut out = Prepared::default();
    for record in store.requests(ids)? {
        if record.truncated && changes.body.is_none() {
            out.cut.push(record.id);
            continue;
        }
        let env = changes.env.clone().or(record.env);
        let mut job = edited(record.id, record.request, record.profile, changes)?;
        job.env = env;
        out.jobs.push(job);
    }
    out.warnings = restore_all(&mut out.jobs, profiles_dir, secrets);
    Ok(out)
}

/// One recorded request as a job, changed as `changes` say.
pub fn edited(
    source: i64,
    mut request: PreparedRequest,
    profile: Option<String>,
    changes: &Changes,
) -> Result<Job, PrepareError> {
    if let Some(u) = &changes.url {
        retarget(&mut request, u).map_err(PrepareError::Url)?;
    }
    for (n, v) in &changes.headers {
        request.set_header(n, v);
    }
    if let Some(b) = &changes.body {
        request.set_body(b.clone());
    }
    if changes.new_id {
        request
            .headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case("webhook-id"));
    }
    let sign = changes
        .sign
        .iter()
        .find(|sg| sg.headers().iter().any(|h| request.header(h).is_some()))
        .cloned();
    Ok(Job {
        source,
        request,
        sign,
        profile,
        env: changes.env.clone(),
        insecure: false,
        retargeted: changes.url.is_some(),
    })
}

/// A recorded request as text to edit before replaying it: the text of
/// [`PreparedRequest::to_text`], with a JSON body indented.
pub fn editable_text(request: &PreparedRequest) -> String {
    match std::str::from_utf8(&request.body)
        .ok()
        .and_then(crate::exchange::indent_json)
    {
        Some(pretty) => PreparedRequest::plain(
            request.method.clone(),
            request.url.clone(),
            request.headers.clone(),
            pretty.into_bytes(),
        )
        .to_text(),
        None => request.to_text(),
    }
}

/// What the user did not edit follows what they did. A `Host` left as the
/// original had it names the edited URL's authority; a JSON body that is
/// the original's but for whitespace is sent as the original's bytes (the
/// editor showed it indented), and any other JSON body compact, each number
/// and string as written.
pub fn follow_edits(original: &PreparedRequest, edited: &mut PreparedRequest) {
    let host_of = |r: &PreparedRequest| {
        r.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("host"))
            .map(|(_, v)| v.clone())
    };
    if let (Some(before), Some(now)) = (host_of(original), host_of(edited))
        && before.eq_ignore_ascii_case(&now)
        && let Some(authority) = reqwest::Url::parse(&edited.url)
            .ok()
            .and_then(|u| crate::wire::authority_of(&u))
        && !authority.eq_ignore_ascii_case(&now)
    {
        edited.set_header("host", &authority);
    }
    // Compared and compacted as text: numbers and strings stay as written.
    let compact = |b: &[u8]| {
        std::str::from_utf8(b)
            .ok()
            .and_then(crate::exchange::minify_json)
    };
    if let Some(now) = compact(&edited.body) {
        let body = if compact(&original.body).as_ref() == Some(&now) {
            original.body.clone()
        } else {
            now.into_bytes()
        };
        edited.set_body(body);
    }
}

/// Where a request goes: `--url` with only an origin (`http://host:port` or
/// with a bare `/`) keeps each record's path and query; a URL with a path
/// replaces the whole URL.
pub fn retarget(req: &mut PreparedRequest, url: &str) -> Result<(), String> {
    let target = reqwest::Url::parse(url).map_err(|e| format!("invalid URL `{url}`: {e}"))?;
    if !matches!(target.scheme(), "http" | "https") || target.host_str().is_none() {
        return Err(format!("`{url}` is not an http or https URL with a host"));
    }
    let origin_only = target.path() == "/" && target.query().is_none() && !url.ends_with("//");
    let new = if origin_only {
        let mut u = reqwest::Url::parse(&req.url).map_err(|e| format!("stored URL: {e}"))?;
        u.set_scheme(target.scheme()).ok();
        u.set_host(target.host_str()).map_err(|e| e.to_string())?;
        u.set_port(target.port()).ok();
        u
    } else {
        target
    };
    req.url = new.to_string();
    let authority = crate::wire::authority_of(&new).unwrap_or_default();
    for (n, v) in req.headers.iter_mut() {
        if n.eq_ignore_ascii_case("host") {
            *v = authority.clone();
        }
    }
    Ok(())
}

/// Puts credentials back where the history masked them, from `creds` (the
/// profile's, when the request goes to the profile's origin; none
/// otherwise): a masked header, query parameter or payload value takes the
/// profile's value of the same name. A masked header or query parameter
/// with no such value is dropped (sending `[redacted]` would only be
/// refused), and so is a URL's user with its masked password; a masked
/// payload value with none is sent as it is. Headers named in `signed` are
/// kept for the signing to fill. Returns what was dropped or left masked.
pub fn restore_credentials(
    req: &mut PreparedRequest,
    creds: &Credentials,
    signed: &[String],
) -> Vec<String> {
    let mut dropped = Vec::new();
    if req.url.contains('@') || req.url.contains('?') {
        restore_url(req, creds, &mut dropped);
    }
    req.headers.retain_mut(|(n, v)| {
        if !v.contains(MASK) || signed.iter().any(|s| s.eq_ignore_ascii_case(n)) {
            return true;
        }
        match creds
            .headers
            .iter()
            .find(|(cn, _)| cn.eq_ignore_ascii_case(n))
        {
            Some((_, cv)) => {
                *v = cv.clone();
                true
            }
            None => {
                dropped.push(n.clone());
                false
            }
        }
    });
    for (n, v) in &creds.headers {
        if !req.headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(n)) {
            req.headers.push((n.clone(), v.clone()));
        }
    }
    if let Ok(text) = std::str::from_utf8(&req.body)
        && text.contains(MASK)
    {
        let masked = format!("\"{MASK}\"");
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (key, r) in crate::wire::credential_values(text) {
            if text[r.clone()] != masked {
                continue;
            }
            out.push_str(&text[at..r.start]);
            match creds.payload.iter().find(|(k, _)| *k == key) {
                Some((_, v)) => out.push_str(v),
                None => {
                    out.push_str(&masked);
                    dropped.push(format!("the body's `{key}` (sent masked)"));
                }
            }
            at = r.end;
        }
        if at > 0 {
            out.push_str(&text[at..]);
            req.set_body(out.into_bytes());
        }
    }
    req.secret_values = creds.secrets.clone();
    req.secret_headers = creds
        .headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    dropped
}

/// The URL part of [`restore_credentials`].
fn restore_url(req: &mut PreparedRequest, creds: &Credentials, dropped: &mut Vec<String>) {
    let Ok(mut url) = reqwest::Url::parse(&req.url) else {
        return;
    };
    let mut changed = false;
    // A masked password in the URL cannot be sent; the user goes with it.
    if url.password().is_some_and(crate::wire::has_masked_password) {
        let _ = url.set_username("");
        let _ = url.set_password(None);
        dropped.push("the user and password in the URL".to_string());
        changed = true;
    }
    if url
        .query()
        .is_some_and(|q| q.contains(MASK) || q.contains("%5Bredacted%5D"))
    {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (k, v) in url.query_pairs() {
            if v != MASK {
                pairs.push((k.into_owned(), v.into_owned()));
                continue;
            }
            match creds.query.iter().find(|(ck, _)| *ck == k) {
                Some((_, cv)) => pairs.push((k.into_owned(), cv.clone())),
                None => dropped.push(format!("the query parameter `{k}`")),
            }
        }
        url.query_pairs_mut().clear().extend_pairs(pairs);
        changed = true;
    }
    if changed {
        req.url = url.to_string();
    }
}

/// `scheme://host:port` of a request's URL ("" when it has none).
fn origin(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| crate::wire::origin_of(&u))
        .unwrap_or_default()
}

/// Seconds (or an HTTP date) of a Retry-After header; 1 s when absent or
/// unreadable (and then whether it was unreadable).
fn retry_after(ex: &Exchange) -> (Duration, bool) {
    match crate::retry::RetryAfter::of(ex) {
        crate::retry::RetryAfter::Wait(d) => (d, false),
        crate::retry::RetryAfter::Absent => (Duration::from_secs(1), false),
        crate::retry::RetryAfter::Invalid(_) => (Duration::from_secs(1), true),
    }
}

/// Writes exchanges to the history from its own thread, a transaction per
/// batch of whatever has arrived.
pub struct Writer {
    tx: Option<std::sync::mpsc::Sender<Exchange>>,
    thread: Option<std::thread::JoinHandle<(Store, Result<usize, HistoryError>)>>,
}

impl Writer {
    pub fn spawn(mut store: Store, run: Option<i64>) -> Writer {
        let (tx, rx) = std::sync::mpsc::channel::<Exchange>();
        let thread = std::thread::spawn(move || {
            let mut written = 0;
            // The log is folded into the file once, at the end, rather
            // than every 4 MB while the run writes (each time with a wait
            // for the disk).
            store.defer_checkpoints(true);
            // Idle, it waits on the channel; busy, it naps between batches
            // instead, so senders never have to wake it for each record.
            while let Ok(first) = rx.recv() {
                let mut batch = vec![first];
                loop {
                    let mut closed = false;
                    while batch.len() < 2048 {
                        match rx.try_recv() {
                            Ok(ex) => batch.push(ex),
                            Err(std::sync::mpsc::TryRecvError::Empty) => break,
                            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                                closed = true;
                                break;
                            }
                        }
                    }
                    match store.insert_many(&batch, run) {
                        Ok(ids) => written += ids.len(),
                        Err(e) => return (store, Err(e)),
                    }
                    let busy = batch.len() > 1;
                    batch.clear();
                    if closed || !busy {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
            }
            store.defer_checkpoints(false);
            (store, Ok(written))
        });
        Writer {
            tx: Some(tx),
            thread: Some(thread),
        }
    }

    pub fn sender(&self) -> std::sync::mpsc::Sender<Exchange> {
        self.tx.clone().expect("the writer is open until finish")
    }

    /// Waits for everything sent to be written; gives the store back.
    pub fn finish(mut self) -> (Store, Result<usize, HistoryError>) {
        drop(self.tx.take());
        self.thread
            .take()
            .expect("finish is called once")
            .join()
            .expect("the writer thread does not panic")
    }
}

/// Paces sends to a rate, across all workers.
struct Pace {
    interval: Option<Duration>,
    next: Mutex<Instant>,
    /// No sends before this (a 429's Retry-After).
    not_before: Mutex<Instant>,
}

impl Pace {
    async fn wait(&self) {
        loop {
            let until = *self.not_before.lock().expect("not poisoned");
            let now = Instant::now();
            if until <= now {
                break;
            }
            tokio::time::sleep(until - now).await;
        }
        if let Some(interval) = self.interval {
            let slot = {
                let mut next = self.next.lock().expect("not poisoned");
                let slot = (*next).max(Instant::now());
                *next = slot + interval;
                slot
            };
            tokio::time::sleep_until(slot.into()).await;
        }
    }

    fn pause(&self, d: Duration) {
        let mut nb = self.not_before.lock().expect("not poisoned");
        *nb = (*nb).max(Instant::now() + d);
    }
}

/// Sends every job, records every attempt through `record`, reports the
/// tally after each result, and stops early when `cancel` turns true.
pub async fn run(
    jobs: Vec<Job>,
    deliverer: Deliverer,
    opts: Options,
    record: std::sync::mpsc::Sender<Exchange>,
    progress: watch::Sender<Tally>,
    cancel: watch::Receiver<bool>,
) -> Tally {
    let total = jobs.len();
    let jobs = Arc::new(jobs);
    let next = Arc::new(AtomicUsize::new(0));
    let tally = Arc::new(Mutex::new(Tally {
        total,
        ..Tally::default()
    }));
    let pace = Arc::new(Pace {
        interval: opts
            .rate
            .filter(|r| *r > 0.0)
            .map(|r| Duration::from_secs_f64(1.0 / r)),
        next: Mutex::new(Instant::now()),
        not_before: Mutex::new(Instant::now()),
    });
    progress.send_replace(*tally.lock().expect("not poisoned"));
    let mut workers = Vec::new();
    for _ in 0..opts.concurrency.max(1).min(total.max(1)) {
        let (jobs, next, tally, pace) = (jobs.clone(), next.clone(), tally.clone(), pace.clone());
        let (deliverer, opts, record, progress) = (
            deliverer.clone(),
            opts.clone(),
            record.clone(),
            progress.clone(),
        );
        let mut cancel = cancel.clone();
        let stop = cancel.clone();
        let work = async move {
            let mut session = deliverer.session();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                let send_opts = SendOptions {
                    origin: Origin::Replay(Some(job.source)),
                    profile: job.profile.clone(),
                    env: job.env.clone(),
                    insecure: job.insecure,
                    ..SendOptions::new(opts.timeout, false)
                };
                let mut tries = 0;
                let ex = loop {
                    if *stop.borrow() {
                        return;
                    }
                    pace.wait().await;
                    let ex = session.send(&job.request, &send_opts).await;
                    let throttled = ex.response.as_ref().is_some_and(|r| r.status == 429);
                    if throttled && tries < opts.max_429_retries {
                        tries += 1;
                        let (wait, unreadable) = retry_after(&ex);
                        pace.pause(wait);
                        {
                            let mut t = tally.lock().expect("not poisoned");
                            t.throttled += 1;
                            t.bad_retry_after += usize::from(unreadable);
                        }
                        if record.send(ex).is_err() {
                            // The history writer stopped (its error ends
                            // the run): nothing more goes out unrecorded.
                            return;
                        }
                        continue;
                    }
                    break ex;
                };
                let snapshot = {
                    let mut t = tally.lock().expect("not poisoned");
                    match (&ex.response, &ex.error) {
                        (_, Some(_)) => t.errors += 1,
                        (Some(r), None) if r.is_success() => t.succeeded += 1,
                        _ => t.still_failing += 1,
                    }
                    *t
                };
                if record.send(ex).is_err() {
                    return;
                }
                // Read by whoever shows progress, when it likes: no wake-up
                // per result.
                progress.send_replace(snapshot);
            }
        };
        workers.push(tokio::spawn(async move {
            // Cancelling drops the worker, and with it a request in flight.
            tokio::select! {
                () = work => {}
                _ = cancel.wait_for(|c| *c) => {}
            }
        }));
    }
    for w in workers {
        let _ = w.await;
    }
    let mut t = *tally.lock().expect("not poisoned");
    t.cancelled = *cancel.borrow() && t.done() < total;
    t
}

/// Puts credentials back in every job from its profile (see
/// [`restore_credentials`]), and signs it again, when the job goes to the
/// profile's own origin or the user pointed it elsewhere (`--url`, an
/// edited URL); returns what the user should be told, before anything is
/// sent: a line for each job that goes elsewhere and gets no credentials,
/// and one for each origin the user pointed credentials at.
pub fn restore_all(
    jobs: &mut [Job],
    profiles_dir: &std::path::Path,
    secrets: &Arc<crate::secrets::Secrets>,
) -> Vec<String> {
    let (creds, mut warnings) = credentials_by_profile(jobs, profiles_dir, secrets);
    let none = Credentials::default();
    // What could not be put back, by the profile whose credentials were
    // used (none: no profile's).
    let mut dropped: std::collections::BTreeMap<
        Option<String>,
        std::collections::BTreeSet<String>,
    > = Default::default();
    let mut pointed = std::collections::BTreeSet::new();
    let mut withheld = Vec::new();
    // Most jobs go to a few URLs: each is taken apart once.
    let mut last: Option<(String, String)> = None;
    for job in jobs.iter_mut() {
        let profile = job.profile.as_deref().unwrap_or_default();
        let here = match &last {
            Some((url, here)) if *url == job.request.url => here.clone(),
            _ => {
                let here = origin(&job.request.url);
                last = Some((job.request.url.clone(), here.clone()));
                here
            }
        };
        let key = (profile.to_string(), job.env.clone());
        let mut held_back = false;
        let c = match creds.get(&key).and_then(Option::as_ref) {
            Some(c) if c.origin == here => c,
            // The profile's origin may hold a secret (its host): said masked.
            Some(c) if job.retargeted => {
                let own = c.secrets.mask(&c.origin).into_owned();
                pointed.insert((profile.to_string(), here, own));
                c
            }
            Some(c) => {
                withheld.push(format!(
                    "#{}: profile `{profile}`'s credentials not sent: the request goes to {here}, the profile sends to {}",
                    job.source,
                    c.secrets.mask(&c.origin)
                ));
                held_back = true;
                &none
            }
            None => &none,
        };
        let signing = job.sign.as_ref().or(c.signing.as_ref()).cloned();
        let signed = signing.as_ref().map(signing_headers).unwrap_or_default();
        let from = (!std::ptr::eq(c, &none)).then(|| profile.to_string());
        let lost = restore_credentials(&mut job.request, c, &signed);
        // Held back from another origin: said once, above, not twice.
        if !lost.is_empty() && !held_back {
            dropped.entry(from).or_default().extend(lost);
        }
        if let Some(sg) = &signing
            && let Err(m) = crate::signing::resign(&mut job.request, sg)
        {
            warnings.push(format!("#{}: not signed again: {m}", job.source));
        }
        job.insecure = c.insecure;
    }
    for (profile, to, own) in pointed {
        warnings.push(format!(
            "profile `{profile}`'s credentials go to {to}, where you pointed the replay (the profile sends to {own})"
        ));
    }
    warnings.extend(withheld);
    for (from, names) in dropped {
        let names = names.into_iter().collect::<Vec<_>>().join(", ");
        let sends = |p: &str| {
            creds
                .iter()
                .find(|((name, _), _)| name == p)
                .and_then(|(_, c)| c.as_ref())
                .map(|c| {
                    c.headers
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default()
        };
        warnings.push(match from {
            None => format!("masked in the history and no profile to take them from, so not sent: {names}"),
            Some(p) if sends(&p).is_empty() => format!(
                "masked in the history and not among profile `{p}`'s credentials as saved, so not sent: {names}"
            ),
            Some(p) => format!(
                "masked in the history and not among profile `{p}`'s credentials as saved, so not sent: {names}; the profile's own are sent instead: {}",
                sends(&p)
            ),
        });
    }
    warnings
}

/// The headers a signing writes.
fn signing_headers(sg: &crate::signing::Signing) -> Vec<String> {
    sg.headers()
}

/// A profile's name and the environment it is rendered in.
pub type ProfileIn = (String, Option<String>);

/// Credentials for each profile and environment named by the jobs, the
/// profile found in the profiles folder and rendered with its sample event
/// in that environment; a profile or environment that is missing, or a
/// profile that does not render, gives none, with the reason.
pub fn credentials_by_profile(
    jobs: &[Job],
    profiles_dir: &std::path::Path,
    secrets: &Arc<crate::secrets::Secrets>,
) -> (HashMap<ProfileIn, Option<Credentials>>, Vec<String>) {
    let mut out = HashMap::new();
    let mut problems = Vec::new();
    let mut environments: HashMap<String, Result<crate::environment::Environment, String>> =
        HashMap::new();
    for job in jobs {
        let Some(name) = &job.profile else { continue };
        let key = (name.clone(), job.env.clone());
        if out.contains_key(&key) {
            continue;
        }
        let vars = match &job.env {
            None => Ok(crate::environment::Variables::default()),
            Some(e) => environments
                .entry(e.clone())
                .or_insert_with(|| {
                    crate::environment::find(profiles_dir, e)
                        .map(|l| l.environment)
                        .map_err(|err| err.to_string())
                })
                .clone()
                .map(|env| crate::environment::Variables::of(Some(env))),
        };
        let vars = match vars {
            Ok(v) => v,
            Err(m) => {
                problems.push(format!(
                    "profile `{name}`: credentials not rendered, so none are sent: {m}"
                ));
                out.insert(key, None);
                continue;
            }
        };
        let creds = match crate::profile::find(profiles_dir, name) {
            Ok(l) => match crate::event::load_for(&l, None) {
                Ok(event) => match crate::request::credentials(
                    &l.profile,
                    event.as_ref(),
                    &mut crate::request::Context::system()
                        .with_secrets(secrets.clone())
                        .with_variables(vars),
                ) {
                    Ok(c) => Some(c),
                    Err(errs) => {
                        problems.push(format!(
                            "profile `{name}`: credentials not rendered, so none are sent: {}",
                            errs[0].locate(&l)
                        ));
                        None
                    }
                },
                Err(d) => {
                    problems.push(format!("profile `{name}`: {d}"));
                    None
                }
            },
            Err(e) => {
                problems.push(format!("profile `{name}`: {e}"));
                None
            }
        };
        out.insert(key, creds);
    }
    (out, problems)
}

#[cfg(test)]
mod tests;
