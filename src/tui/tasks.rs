//! The only place the workbench starts work: one function per job, owned
//! inputs in, a [`Message`] out. Disk work runs on the blocking pool,
//! network work as tasks; nothing here touches the state.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;

use super::message::{
    EditorMsg, FireMsg, HistoryMsg, Imported, Message, OpenRecord, ProfilesMsg, ReceiverMsg,
    SharedStore, WriteError,
};
use super::widgets::body;
use crate::deliver::{Deliverer, SendOptions};
use crate::exchange::Exchange;
use crate::history::Store;
use crate::profile::{self, Profile};
use crate::replay::{self, Job, Tally};
use crate::wire::PreparedRequest;

/// Starts the jobs; cheap to clone.
#[derive(Clone)]
pub struct Tasks {
    tx: UnboundedSender<Message>,
    /// Made on the first fire, then shared.
    deliverer: Arc<OnceLock<Deliverer>>,
}

/// A request being sent: cancelling drops it.
#[derive(Debug)]
pub struct Handle(tokio::task::AbortHandle);

impl Handle {
    pub fn cancel(&self) {
        self.0.abort();
    }
}

impl Tasks {
    pub fn new(tx: UnboundedSender<Message>) -> Tasks {
        Tasks {
            tx,
            deliverer: Arc::new(OnceLock::new()),
        }
    }

    fn send(tx: &UnboundedSender<Message>, msg: Message) {
        let _ = tx.send(msg);
    }

    /// Runs `f` on the blocking pool and sends what it returns.
    fn blocking(&self, f: impl FnOnce() -> Message + Send + 'static) {
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || Self::send(&tx, f()));
    }

    /// Reads the profiles folder, its `events/` and the secret store.
    pub fn load_folder(&self, dir: PathBuf, secrets_path: Option<PathBuf>) {
        self.blocking(move || {
            let secrets = secrets_path
                .map(|p| crate::secrets::Secrets::load_for_lookup(&p))
                .unwrap_or_default();
            let (profiles, error) = match profile::scan_dir(&dir) {
                Ok(p) => (p, None),
                Err(e) => (
                    Vec::new(),
                    Some(format!(
                        "cannot read {}: {e}. Start with --profiles DIR, or press n to create a profile here",
                        dir.display()
                    )),
                ),
            };
            let mut events = Vec::new();
            if let Ok(rd) = std::fs::read_dir(dir.join("events")) {
                let mut paths: Vec<PathBuf> = rd
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "json"))
                    .collect();
                paths.sort();
                for p in paths {
                    let text = std::fs::read_to_string(&p).map_err(|e| e.to_string());
                    events.push((p, text));
                }
            }
            let environments = crate::environment::scan(&dir);
            Message::Profiles(ProfilesMsg::Loaded {
                profiles,
                events,
                error,
                secrets,
                environments,
            })
        });
    }

    /// Opens (and checks) the history.
    pub fn open_history(&self, path: PathBuf, cap: Option<usize>) {
        self.blocking(move || {
            let result = Store::open(&path)
                .map(|mut s| {
                    if let Some(c) = cap {
                        s.set_body_cap(c);
                    }
                    Arc::new(Mutex::new(s))
                })
                .map_err(|e| e.to_string());
            Message::History(HistoryMsg::Opened(result))
        });
    }

    /// Reads a sample event file.
    pub fn load_event(&self, path: PathBuf) {
        self.blocking(move || {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                format!(
                    "cannot read {}: {}",
                    path.display(),
                    crate::files::io_reason(&e)
                )
            });
            Message::Editor(EditorMsg::EventLoaded { path, text })
        });
    }

    /// Writes a sample event; `new` never replaces a file.
    pub fn write_event(&self, path: PathBuf, text: String, new: bool) {
        self.blocking(move || {
            let result = if new {
                crate::files::write_new(&path, text.as_bytes())
            } else {
                crate::files::write_atomic(&path, text.as_bytes())
            }
            .map_err(|e| WriteError::of(&e));
            Message::Editor(EditorMsg::EventSaved { path, result })
        });
    }

    /// Saves a profile; `new` never replaces a file.
    pub fn save_profile(&self, path: PathBuf, p: Profile, new: bool) {
        self.blocking(move || {
            let result = if new {
                profile::save_new(&path, &p)
            } else {
                profile::save(&path, &p)
            }
            .map_err(|e| WriteError::of(&e));
            Message::Profiles(ProfilesMsg::Saved {
                path,
                profile: Box::new(p),
                result,
            })
        });
    }

    /// Writes `saved` (renamed) to `to`, then removes `from`.
    pub fn rename_profile(&self, from: PathBuf, to: PathBuf, saved: Profile) {
        self.blocking(move || {
            let result = if to == from {
                profile::save(&to, &saved)
            } else {
                profile::save_new(&to, &saved)
            }
            .map_err(|e| WriteError::of(&e))
            .and_then(|()| {
                if to != from {
                    std::fs::remove_file(&from).map_err(|e| WriteError::Other(e.to_string()))
                } else {
                    Ok(())
                }
            });
            Message::Profiles(ProfilesMsg::Renamed {
                from,
                to,
                written: Box::new(saved),
                result,
            })
        });
    }

    /// Removes a profile file (one never saved has none: gone already).
    pub fn delete_profile(&self, path: PathBuf) {
        self.blocking(move || {
            let result = match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.to_string()),
                _ => Ok(()),
            };
            Message::Profiles(ProfilesMsg::Deleted { path, result })
        });
    }

    /// Writes the shared copy of a profile.
    pub fn share(
        &self,
        p: Profile,
        stem: String,
        event: Option<serde_json::Value>,
        target: PathBuf,
        environments: Vec<crate::environment::Environment>,
    ) {
        self.blocking(move || {
            let shared = crate::share::share(&p, &stem, event);
            let text = profile::to_ron(&shared.profile);
            let mut result = crate::files::write_atomic(&target, text.as_bytes())
                .map(|()| shared.needs.secrets.clone())
                .map_err(|e| crate::files::io_reason(&e));
            // The environments it uses go beside it, credentials replaced.
            let dir =
                crate::environment::dir_of(target.parent().unwrap_or(std::path::Path::new(".")));
            for env in &environments {
                let Ok(needs) = &mut result else { break };
                let e = crate::share::share_environment(&p, env);
                let to = dir.join(format!("{}.ron", e.environment.name));
                let written = std::fs::create_dir_all(&dir)
                    .map_err(|err| crate::files::io_reason(&err))
                    .and_then(|()| {
                        crate::files::write_output(
                            &to,
                            crate::environment::to_ron(&e.environment).as_bytes(),
                            false,
                            false,
                        )
                        .map_err(|err| err.to_string())
                    });
                match written {
                    Ok(()) => needs.extend(
                        e.replaced
                            .iter()
                            .map(|v| format!("{v} (--env {})", e.environment.name)),
                    ),
                    Err(m) => result = Err(format!("{}: {m}", to.display())),
                }
            }
            Message::Profiles(ProfilesMsg::Shared {
                path: target,
                result,
            })
        });
    }

    /// Sets a secret in the store at `path` (read again first, so nothing
    /// set elsewhere meanwhile is lost); the value is never logged.
    pub fn set_secret(&self, path: PathBuf, name: String, value: String) {
        self.blocking(move || {
            let result = crate::secrets::Secrets::load(&path)
                .and_then(|mut s| {
                    s.set(&name, &value);
                    s.save()
                })
                .map(|()| path)
                .map_err(|e| e.to_string());
            Message::Profiles(ProfilesMsg::SecretSet { name, result })
        });
    }

    /// Completes a path typed in a prompt from what its folder holds.
    pub fn complete_path(&self, typed: String) {
        self.blocking(move || {
            let (completion, choices) = crate::files::complete_path(&typed);
            Message::Profiles(ProfilesMsg::Completed {
                typed,
                completion,
                choices,
            })
        });
    }

    /// Reads a profile file's text, to edit it in $EDITOR.
    pub fn read_for_edit(&self, path: PathBuf) {
        self.blocking(move || {
            let result = std::fs::read_to_string(&path).map_err(|e| crate::files::io_reason(&e));
            Message::Profiles(ProfilesMsg::ReadForEdit { path, result })
        });
    }

    /// Reads the environments of a profiles folder again.
    pub fn scan_environments(&self, dir: PathBuf, epoch: u64) {
        self.blocking(move || {
            let read = crate::environment::scan(&dir);
            Message::Profiles(ProfilesMsg::Environments { epoch, read })
        });
    }

    /// Makes a new environment file (never over one), its folder too.
    pub fn new_environment(&self, path: PathBuf, text: String) {
        self.blocking(move || {
            let made = match path.parent() {
                Some(dir) if !dir.is_dir() => std::fs::create_dir_all(dir),
                _ => Ok(()),
            };
            let result = made
                .and_then(|()| crate::files::write_new(&path, text.as_bytes()))
                .map_err(|e| crate::files::io_reason(&e));
            Message::Profiles(ProfilesMsg::EnvironmentCreated { path, text, result })
        });
    }

    /// `C`: both requests sent at once, recorded as a pair (each pointing
    /// at the other), read back as stored and compared.
    pub fn compare(&self, store: SharedStore, c: Compare) {
        let tx = self.tx.clone();
        let cell = self.deliverer.clone();
        tokio::spawn(async move {
            let failed =
                |m: String| Message::History(HistoryMsg::Failed(format!("not compared: {m}")));
            let deliverer = match deliverer_of(&cell) {
                Ok(d) => d,
                Err(e) => return Self::send(&tx, failed(e)),
            };
            let (l, r) = tokio::join!(
                deliverer.send(&c.left.0, &c.left.1),
                deliverer.send(&c.right.0, &c.right.1)
            );
            let done = tokio::task::spawn_blocking(move || -> Result<HistoryMsg, String> {
                let mut s = store
                    .lock()
                    .map_err(|_| "the history is unavailable".to_string())?;
                let (a, b) = s.insert_pair(&l, &r).map_err(|e| e.to_string())?;
                let left = s.get(a).map_err(|e| e.to_string())?;
                let right = s.get(b).map_err(|e| e.to_string())?;
                let diff = crate::diff::compare(&left.exchange, &right.exchange);
                Ok(HistoryMsg::Compared(Box::new(
                    super::message::CompareView {
                        left: Box::new(left),
                        right: Box::new(right),
                        diff,
                    },
                )))
            })
            .await;
            Self::send(
                &tx,
                match done {
                    Ok(Ok(m)) => Message::History(m),
                    Ok(Err(e)) => failed(e),
                    Err(_) => failed("the history writer stopped".into()),
                },
            );
        });
    }

    /// Writes a profile file's text back (atomically, keeping its mode).
    pub fn write_profile_text(&self, path: PathBuf, text: String) {
        self.blocking(move || {
            let result = crate::files::write_atomic(&path, text.as_bytes())
                .map_err(|e| crate::files::io_reason(&e));
            Message::Profiles(ProfilesMsg::FileWritten { path, result })
        });
    }

    /// Writes a response body to a new file (never over one), its owner's
    /// only, with `mask`'s secrets masked first.
    pub fn save_body(&self, path: PathBuf, body: Vec<u8>, mask: Option<crate::wire::SecretSet>) {
        self.blocking(move || {
            let body = match &mask {
                Some(m) => m.mask_bytes(&body).into_owned(),
                None => body,
            };
            // Into a folder that is there: a typo makes no folders.
            let folder = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                _ => PathBuf::from("."),
            };
            if !folder.is_dir() {
                let result = Err(format!(
                    "no folder {}: make it first, or give another",
                    folder.display()
                ));
                return Message::Profiles(ProfilesMsg::BodySaved { path, result });
            }
            let result = crate::files::write_new(&path, &body)
                .map(|()| body.len())
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::AlreadyExists => {
                        "something is there already: give another name".to_string()
                    }
                    _ => crate::files::io_reason(&e),
                });
            Message::Profiles(ProfilesMsg::BodySaved { path, result })
        });
    }

    /// Brings a profile file into the profiles folder.
    pub fn import_profile(&self, file: PathBuf, dir: PathBuf) {
        self.blocking(move || {
            let result = (|| {
                let loaded = profile::load(&file).map_err(|d| d.to_string())?;
                if let Some(p) = crate::share::check(&loaded).into_iter().next() {
                    return Err(format!("not imported: {p}"));
                }
                let imported = crate::share::import_into(&loaded, &dir)?;
                let loaded = profile::load(&imported.path).map_err(|d| d.to_string())?;
                let event = imported.event.as_ref().map(|p| {
                    (
                        p.clone(),
                        std::fs::read_to_string(p).map_err(|e| e.to_string()),
                    )
                });
                Ok(Box::new(Imported {
                    loaded,
                    needs: imported.needs,
                    event,
                }))
            })();
            Message::Profiles(ProfilesMsg::Imported(result))
        });
    }

    /// Sends a profile's request (and its retries); cancelled by the handle.
    pub fn fire(&self, seq: u64, fire: Fire) -> Handle {
        let tx = self.tx.clone();
        let cell = self.deliverer.clone();
        let handle = tokio::spawn(async move {
            let deliverer = match deliverer_of(&cell) {
                Ok(d) => d,
                Err(error) => {
                    Self::send(&tx, Message::Fire(FireMsg::Failed { seq, error }));
                    return;
                }
            };
            let max = fire.retry.as_ref().map_or(1, |r| r.max_attempts);
            let progress = tx.clone();
            let mut attempts = deliverer
                .send_with_retries(
                    &fire.request,
                    &fire.opts,
                    fire.retry.as_ref(),
                    fire.signing.as_ref(),
                    |n, ex, wait| {
                        if let Some(w) = wait {
                            let ignored = crate::retry::RetryAfter::of(ex)
                                .warning()
                                .map_or_else(String::new, |w| format!(" ({w})"));
                            let text = format!(
                                "attempt {n} of {max}: {}; next in {:.1} s{ignored} (Esc cancels)",
                                ex.outcome(),
                                w.as_secs_f64()
                            );
                            Self::send(&progress, Message::Fire(FireMsg::Attempt { seq, text }));
                        }
                    },
                )
                .await;
            let exchange = attempts.pop().expect("at least one attempt");
            Self::send(
                &tx,
                Message::Fire(FireMsg::Answered {
                    seq,
                    exchange: Box::new(exchange),
                    earlier: attempts,
                }),
            );
        });
        Handle(handle.abort_handle())
    }

    /// Writes a fire's attempts to the history: the first as the fire, the
    /// others linked to it.
    pub fn record_fire(&self, store: SharedStore, seq: u64, attempts: Vec<Exchange>) {
        self.blocking(move || {
            let result = store
                .lock()
                .map_err(|_| "the history is unavailable".to_string())
                .and_then(|mut s| s.insert_attempts(&attempts).map_err(|e| e.to_string()));
            Message::Fire(FireMsg::Recorded { seq, result })
        });
    }

    /// Formats a fire's bodies once, off the UI thread: the request's
    /// already masked, the answer's masked with `known` here (decoded when
    /// gzip or deflate).
    pub fn format_bodies(
        &self,
        seq: u64,
        request: Vec<u8>,
        response: Option<crate::exchange::Response>,
        known: crate::wire::SecretSet,
    ) {
        self.blocking(move || {
            let response = response
                .map(|r| r.masked_cow(&known).shown_body().0.into_owned())
                .unwrap_or_default();
            Message::Fire(FireMsg::Formatted {
                seq,
                request: body::format(&request),
                response: body::format(&response),
            })
        });
    }

    /// Runs `f` on the history; its answer (or error) comes back.
    pub fn query(
        &self,
        store: SharedStore,
        f: impl FnOnce(&mut Store) -> Result<HistoryMsg, String> + Send + 'static,
    ) {
        self.blocking(move || {
            Message::History(match store.lock() {
                Ok(mut s) => f(&mut s).unwrap_or_else(HistoryMsg::Failed),
                Err(_) => HistoryMsg::Failed("the history is unavailable".into()),
            })
        });
    }

    /// Loads a record for the inspector, bodies formatted.
    pub fn open_record(&self, store: SharedStore, id: i64) {
        self.query(store, move |s| {
            let record = s.get(id).map_err(|e| e.to_string())?;
            let request_body = body::format(&record.exchange.request.body);
            let response_body = body::format(
                &record
                    .exchange
                    .response
                    .as_ref()
                    .map(|r| r.shown_body().0.into_owned())
                    .unwrap_or_default(),
            );
            Ok(HistoryMsg::RecordLoaded(Box::new(OpenRecord {
                record: Box::new(record),
                request_body,
                response_body,
            })))
        });
    }

    /// Starts the built-in receiver; what it captures comes back.
    pub fn start_receiver(&self, addr: std::net::SocketAddr, script: crate::receiver::Script) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let (etx, mut erx) = tokio::sync::mpsc::unbounded_channel();
            let started = crate::receiver::Receiver::start(addr, script, etx)
                .await
                .map_err(|e| {
                    format!(
                        "receiver: cannot listen on {addr}: {e} (start with --receiver-port N or --no-receiver)"
                    )
                });
            let ok = started.is_ok();
            Self::send(&tx, Message::Receiver(ReceiverMsg::Started(started)));
            if ok {
                while let Some(ex) = erx.recv().await {
                    if tx
                        .send(Message::Receiver(ReceiverMsg::Received(Box::new(ex))))
                        .is_err()
                    {
                        break;
                    }
                }
            }
        });
    }

    /// Checks a received request's signature (on the request as it came:
    /// the history keeps signatures masked) and records it.
    pub fn record_received(
        &self,
        store: Option<SharedStore>,
        mut ex: Box<Exchange>,
        secrets: Vec<crate::signing::Verifier>,
    ) {
        let tx = self.tx.clone();
        // A custom HMAC header holds a signature: masked as one.
        for v in &secrets {
            if let crate::signing::Verifier::Hmac { header, .. } = v {
                ex.request.secret_headers.push(header.to_ascii_lowercase());
            }
        }
        // So are the secrets it is checked with, wherever they show.
        ex.request.secret_values = ex
            .request
            .secret_values
            .with(secrets.iter().map(|v| v.secret().to_string()));
        tokio::task::spawn_blocking(move || {
            let verdict = (!secrets.is_empty()).then(|| {
                crate::signing::verify(
                    &secrets,
                    &ex.request.headers,
                    &ex.request.body,
                    crate::clock::unix_seconds(std::time::SystemTime::now()),
                )
            });
            let id = match store {
                Some(store) => match store
                    .lock()
                    .map_err(|_| "the history is unavailable".to_string())
                    .and_then(|mut s| s.insert(&ex).map_err(|e| e.to_string()))
                {
                    Ok(id) => Some(id),
                    Err(e) => {
                        Self::send(&tx, Message::History(HistoryMsg::Failed(e)));
                        None
                    }
                },
                None => None,
            };
            Self::send(
                &tx,
                Message::Receiver(ReceiverMsg::Recorded { id, verdict }),
            );
        });
    }

    /// A replay run: the records made jobs (off the UI thread), sent, each
    /// result recorded; progress twenty times a second.
    pub fn replay(&self, run: Replay, cancel: watch::Receiver<bool>) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let done = |tally, error| Message::History(HistoryMsg::BulkDone { tally, error });
            let prepared = tokio::task::spawn_blocking(move || run.prepare())
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r);
            let (ready, options) = match prepared {
                Ok(p) => p,
                Err(e) => {
                    Self::send(&tx, done(Tally::default(), Some(e)));
                    return;
                }
            };
            Self::send(
                &tx,
                Message::History(HistoryMsg::BulkStarted {
                    run: ready.run,
                    warnings: ready.warnings,
                }),
            );
            let writer = replay::Writer::spawn(ready.store, Some(ready.run));
            let deliverer = match Deliverer::new() {
                Ok(d) => d,
                Err(e) => {
                    Self::send(&tx, done(Tally::default(), Some(e.to_string())));
                    return;
                }
            };
            let (ptx, prx) = watch::channel(Tally::default());
            let fwd = tx.clone();
            let forward = tokio::spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_millis(50));
                while prx.has_changed().is_ok() {
                    tick.tick().await;
                    let t = *prx.borrow();
                    Self::send(&fwd, Message::History(HistoryMsg::BulkProgress(t)));
                }
            });
            let tally =
                replay::run(ready.jobs, deliverer, options, writer.sender(), ptx, cancel).await;
            let _ = forward.await;
            let written = tokio::task::spawn_blocking(move || writer.finish().1)
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r.map_err(|e| e.to_string()));
            Self::send(&tx, done(tally, written.err()));
        });
    }
}

/// The log's writer: a thread of its own appending what `lines` carries to
/// the file (owner-only, never through a link); the UI thread only sends.
pub fn log_writer(path: PathBuf, lines: std::sync::mpsc::Receiver<String>) {
    std::thread::spawn(move || {
        let Ok(mut file) = crate::files::open_private_append(&path) else {
            return;
        };
        for line in lines {
            use std::io::Write;
            let _ = writeln!(file, "{line}");
        }
    });
}

/// What a fire sends, and how.
/// The shared sender, made on first use.
fn deliverer_of(cell: &OnceLock<Deliverer>) -> Result<Deliverer, String> {
    match cell.get() {
        Some(d) => Ok(d.clone()),
        None => Deliverer::new()
            .map(|d| cell.get_or_init(|| d).clone())
            .map_err(|e| e.to_string()),
    }
}

/// One event in two environments, each request with how it is sent.
pub struct Compare {
    pub left: (PreparedRequest, SendOptions),
    pub right: (PreparedRequest, SendOptions),
}

pub struct Fire {
    pub request: PreparedRequest,
    pub opts: SendOptions,
    pub retry: Option<crate::retry::Retry>,
    pub signing: Option<crate::signing::Signing>,
}

/// What a replay run from the workbench needs, owned.
pub struct Replay {
    pub history: PathBuf,
    pub profiles: PathBuf,
    pub secrets: Arc<crate::secrets::Secrets>,
    pub ids: Vec<i64>,
    /// One request as the user edited it, instead of the records.
    pub edited: Option<Edited>,
    /// Send there instead (the app a received request is passed on to).
    pub to: Option<String>,
    /// Sign received requests again with these.
    pub sign: Vec<crate::signing::Signing>,
    pub options: replay::Options,
}

/// A recorded request as the user edited it before replaying it.
pub struct Edited {
    pub request: PreparedRequest,
    pub profile: Option<String>,
    /// The environment its record was rendered in.
    pub env: Option<String>,
    /// The user moved it to another origin.
    pub retargeted: bool,
}

/// A run ready to go: the store it records to, its number, its jobs and
/// what to say first.
struct Ready {
    store: Store,
    run: i64,
    jobs: Vec<Job>,
    warnings: Vec<String>,
}

impl Replay {
    /// The records as jobs, credentials back, a new run.
    fn prepare(self) -> Result<(Ready, replay::Options), String> {
        let mut store = Store::open(&self.history).map_err(|e| e.to_string())?;
        let mut prepared = match self.edited {
            Some(e) => {
                let mut jobs = vec![Job {
                    source: self.ids[0],
                    request: e.request,
                    profile: e.profile,
                    env: e.env,
                    sign: None,
                    insecure: false,
                    retargeted: e.retargeted,
                }];
                // A received request is signed again with the receiver's secrets.
                jobs[0].sign = self
                    .sign
                    .iter()
                    .find(|sg| {
                        sg.headers()
                            .iter()
                            .any(|h| jobs[0].request.header(h).is_some())
                    })
                    .cloned();
                let warnings = replay::restore_all(&mut jobs, &self.profiles, &self.secrets);
                replay::Prepared {
                    jobs,
                    cut: Vec::new(),
                    warnings,
                }
            }
            None => replay::prepare(
                &store,
                &self.ids,
                &replay::Changes {
                    url: self.to.clone(),
                    sign: self.sign.clone(),
                    ..Default::default()
                },
                &self.profiles,
                &self.secrets,
            )
            .map_err(|e| e.to_string())?,
        };
        if !prepared.cut.is_empty() {
            let list: Vec<String> = prepared.cut.iter().map(|id| format!("#{id}")).collect();
            prepared.warnings.push(format!(
                "not replayed, their request bodies were cut at the history's cap: {} (m edits one before sending)",
                list.join(", ")
            ));
        }
        let ids: Vec<i64> = prepared.jobs.iter().map(|j| j.source).collect();
        let run = store.new_run(&ids, None).map_err(|e| e.to_string())?;
        Ok((
            Ready {
                store,
                run,
                jobs: prepared.jobs,
                warnings: prepared.warnings,
            },
            self.options,
        ))
    }
}

/// Hands `text` to the first clipboard tool this session can reach (`wl-copy`
/// under Wayland, `xclip` or `xsel` under X, `pbcopy` on macOS); its name.
/// The tool is not waited for (xclip serves the selection until another
/// program takes it): a thread reaps it.
pub fn system_clipboard(text: &str) -> Option<&'static str> {
    let has = |v: &str| std::env::var_os(v).is_some_and(|x| !x.is_empty());
    let tools: [(&str, &[&str], bool); 4] = [
        ("wl-copy", &[], has("WAYLAND_DISPLAY")),
        ("xclip", &["-selection", "clipboard"], has("DISPLAY")),
        ("xsel", &["--clipboard", "--input"], has("DISPLAY")),
        ("pbcopy", &[], cfg!(target_os = "macos")),
    ];
    for (tool, args, reachable) in tools {
        if !reachable {
            continue;
        }
        let Ok(mut child) = std::process::Command::new(tool)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
        else {
            continue;
        };
        let written = child
            .stdin
            .take()
            .is_some_and(|mut i| std::io::Write::write_all(&mut i, text.as_bytes()).is_ok());
        std::thread::spawn(move || child.wait());
        if written {
            return Some(tool);
        }
    }
    None
}
