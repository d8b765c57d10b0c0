//! The only way async work reports back to the loop: one message type,
//! grouped by the pane whose file handles it.

use std::path::PathBuf;

use crate::diag::Diagnostic;
use crate::exchange::Exchange;
use crate::history::{Bucket, Summary};
use crate::profile::LoadedProfile;
use crate::replay::Tally;

use super::widgets::body::FormattedBody;
use crate::diff::Comparison;
use crate::history::{Record, Store};

/// Why a file was not written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// Occurs when a new file finds one of its name already there (made
    /// outside the workbench): it is left as it is.
    #[error("a file of that name is already there, and was left as it is")]
    AlreadyThere,
    #[error("{0}")]
    Other(String),
}

impl WriteError {
    pub fn of(e: &(dyn std::error::Error + 'static)) -> WriteError {
        let mut src = Some(e);
        while let Some(err) = src {
            if let Some(io) = err.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::AlreadyExists
            {
                return WriteError::AlreadyThere;
            }
            src = err.source();
        }
        WriteError::Other(e.to_string())
    }
}

/// The history, shared by the tasks that query and write it.
pub type SharedStore = std::sync::Arc<std::sync::Mutex<Store>>;

/// A record opened in the inspector, bodies formatted.
#[derive(Debug)]
pub struct OpenRecord {
    pub record: Box<Record>,
    pub request_body: FormattedBody,
    pub response_body: FormattedBody,
}

/// Two records side by side, and what differs.
#[derive(Debug)]
pub struct CompareView {
    pub left: Box<Record>,
    pub right: Box<Record>,
    pub diff: Comparison,
}

#[derive(Debug)]
pub enum Message {
    Profiles(ProfilesMsg),
    Editor(EditorMsg),
    Fire(FireMsg),
    History(HistoryMsg),
    Receiver(ReceiverMsg),
}

/// The profile list: the folder read, files written, moved, removed.
#[derive(Debug)]
pub enum ProfilesMsg {
    /// The profiles folder was read: each file loaded or with its error,
    /// and the sample events found in `events/`.
    Loaded {
        profiles: Vec<Result<LoadedProfile, Diagnostic>>,
        events: Vec<(PathBuf, Result<String, String>)>,
        error: Option<String>,
        /// The secret store (its problem, when unusable, inside).
        secrets: crate::secrets::Secrets,
        /// The environments (`environments/`), and the files that did not load.
        environments: (Vec<crate::environment::LoadedEnvironment>, Vec<Diagnostic>),
    },
    /// A profile was written (or not).
    Saved {
        path: PathBuf,
        profile: Box<crate::profile::Profile>,
        result: Result<(), WriteError>,
    },
    /// A profile file was removed (or not).
    Deleted {
        path: PathBuf,
        result: Result<(), String>,
    },
    /// A profile file was renamed (or not).
    Renamed {
        from: PathBuf,
        to: PathBuf,
        /// The profile as written there.
        written: Box<crate::profile::Profile>,
        result: Result<(), WriteError>,
    },
    /// A shared copy was written (the secrets it needs), or not.
    Shared {
        path: PathBuf,
        result: Result<Vec<String>, String>,
    },
    /// A profile file was imported into the profiles folder, or not.
    Imported(Result<Box<Imported>, String>),
    /// A path typed in a prompt, completed: the text it completes, the
    /// completion (their longest common start), and the names that fit.
    Completed {
        typed: String,
        completion: String,
        choices: Vec<String>,
    },
    /// A secret was written to the store (its name), or not.
    SecretSet {
        name: String,
        result: Result<PathBuf, String>,
    },
    /// A profile file's text, read to be edited in $EDITOR.
    /// The environments read again (`E`), when `epoch` was the
    /// workbench's count of its own environment changes.
    Environments {
        epoch: u64,
        read: (Vec<crate::environment::LoadedEnvironment>, Vec<Diagnostic>),
    },
    /// A new environment file was made (or not), with the text it holds.
    EnvironmentCreated {
        path: PathBuf,
        text: String,
        result: Result<(), String>,
    },
    ReadForEdit {
        path: PathBuf,
        result: Result<String, String>,
    },
    /// A profile file edited as text was written back, or not.
    FileWritten {
        path: PathBuf,
        result: Result<(), String>,
    },
    /// A response body was written to a file (its size), or not.
    BodySaved {
        path: PathBuf,
        result: Result<usize, String>,
    },
}

/// A profile brought into the profiles folder.
#[derive(Debug)]
pub struct Imported {
    /// As loaded from its new place.
    pub loaded: LoadedProfile,
    /// What it takes from the secret store and the environment.
    pub needs: crate::share::Needs,
    /// The event file copied beside it, with its text.
    pub event: Option<(PathBuf, Result<String, String>)>,
}

/// The form's documents: sample events read and written.
#[derive(Debug)]
pub enum EditorMsg {
    EventLoaded {
        path: PathBuf,
        text: Result<String, String>,
    },
    EventSaved {
        path: PathBuf,
        result: Result<(), WriteError>,
    },
}

/// A fire, `seq` naming which.
#[derive(Debug)]
pub enum FireMsg {
    /// The request finished (an answer or a transport error).
    Answered {
        seq: u64,
        exchange: Box<Exchange>,
        /// Earlier attempts, when the profile retries.
        earlier: Vec<Exchange>,
    },
    /// An attempt failed and another follows.
    Attempt { seq: u64, text: String },
    /// Its bodies, formatted off the UI thread.
    Formatted {
        seq: u64,
        request: FormattedBody,
        response: FormattedBody,
    },
    /// Written to the history as this record.
    Recorded {
        seq: u64,
        result: Result<i64, String>,
    },
    /// The HTTP client could not be made.
    Failed { seq: u64, error: String },
}

/// The History view's queries and replays.
#[derive(Debug)]
pub enum HistoryMsg {
    /// The history was opened (or not).
    Opened(Result<SharedStore, String>),
    /// A page of the list (with the count and, on a reload, the chart) for
    /// query `seq`.
    Page {
        seq: u64,
        rows: Vec<Summary>,
        total: u64,
        buckets: Option<Vec<Bucket>>,
    },
    /// A record for the inspector, bodies formatted.
    RecordLoaded(Box<OpenRecord>),
    /// Two records compared.
    Compared(Box<CompareView>),
    /// A delivery was marked resolved (or open) by hand.
    Marked {
        root: i64,
        resolved: bool,
    },
    /// Every attempt of the delivery whose first attempt is `root`.
    Attempts {
        root: i64,
        rows: Vec<Summary>,
    },
    /// The profile names in the history, for the `p` filter's picker.
    /// The names a filter picks from: profiles, or environments (`env`).
    Names {
        env: bool,
        names: Vec<String>,
    },
    /// What a bulk replay would send, for the confirmation.
    BulkPreview {
        ids: Vec<i64>,
        hosts: Vec<(String, u64)>,
        /// Failed deliveries left out as resolved already.
        skipped: u64,
    },
    BulkStarted {
        run: i64,
        warnings: Vec<String>,
    },
    BulkProgress(Tally),
    BulkDone {
        tally: Tally,
        error: Option<String>,
    },
    /// A query failed.
    Failed(String),
}

/// The built-in receiver.
#[derive(Debug)]
pub enum ReceiverMsg {
    /// It is listening (or could not start).
    Started(Result<crate::receiver::Receiver, String>),
    /// A request arrived.
    Received(Box<Exchange>),
    /// ... was checked (with secrets set) and recorded (with a history).
    Recorded {
        id: Option<i64>,
        verdict: Option<crate::signing::Verdict>,
    },
}
