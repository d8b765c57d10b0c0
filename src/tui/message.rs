//! The only way async work reports back to the loop.

use std::path::PathBuf;

use crate::diag::Diagnostic;
use crate::exchange::Exchange;
use crate::profile::LoadedProfile;

use super::widgets::body::FormattedBody;

#[derive(Debug)]
pub enum Message {
    /// The profiles folder was read: each file loaded or with its error,
    /// and the sample events found in `events/`.
    Loaded {
        profiles: Vec<Result<LoadedProfile, Diagnostic>>,
        events: Vec<(PathBuf, Result<String, String>)>,
        error: Option<String>,
        /// The secret store (its problem, when unusable, inside).
        secrets: crate::secrets::Secrets,
    },
    /// A sample event file was read.
    EventLoaded {
        path: PathBuf,
        text: Result<String, String>,
    },
    /// A request finished (or failed); `seq` names the fire it belongs to.
    Fired {
        seq: u64,
        exchange: Box<Exchange>,
        /// Earlier attempts, when the profile retries.
        earlier: Vec<Exchange>,
    },
    /// An attempt of fire `seq` failed and another follows.
    Attempt {
        seq: u64,
        text: String,
    },
    /// The bodies of fire `seq`, formatted off the UI thread.
    Formatted {
        seq: u64,
        request: FormattedBody,
        response: FormattedBody,
    },
    /// The history was opened (or not).
    HistoryOpened(Result<std::sync::Arc<std::sync::Mutex<crate::history::Store>>, String>),
    /// Fire `seq` was written to the history as this record.
    Recorded {
        seq: u64,
        result: Result<i64, String>,
    },
    /// A page of the history list (with the count and, on a reload, the
    /// chart) for query `seq`.
    HistoryPage {
        seq: u64,
        rows: Vec<crate::history::Summary>,
        total: u64,
        buckets: Option<Vec<crate::history::Bucket>>,
    },
    /// A record for the inspector, bodies formatted.
    RecordLoaded(Box<super::history::OpenRecord>),
    /// Two records compared.
    Compared(Box<super::history::CompareView>),
    /// What a bulk replay would send, for the confirmation.
    BulkPreview {
        ids: Vec<i64>,
        hosts: Vec<(String, u64)>,
    },
    BulkStarted {
        run: i64,
        warnings: Vec<String>,
    },
    BulkProgress(crate::replay::Tally),
    BulkDone {
        tally: crate::replay::Tally,
        error: Option<String>,
    },
    /// A history query failed.
    HistoryFailed(String),
    /// The built-in receiver is listening (or could not start).
    ReceiverStarted(Result<crate::receiver::Receiver, String>),
    /// A request arrived at the built-in receiver.
    Received(Box<Exchange>),
    /// ... was checked (with secrets set) and recorded (with a history).
    ReceivedRecorded {
        id: Option<i64>,
        verdict: Option<crate::signing::Verdict>,
    },
    /// The HTTP client could not be made.
    FireFailed {
        seq: u64,
        error: String,
    },
    /// A profile was written (or not).
    Saved {
        path: PathBuf,
        profile: Box<crate::profile::Profile>,
        result: Result<(), String>,
    },
    /// A sample event was written (or not).
    EventSaved {
        path: PathBuf,
        result: Result<(), String>,
    },
    /// A profile file was removed (or not).
    Deleted {
        path: PathBuf,
        result: Result<(), String>,
    },
    /// A shared copy was written (the secrets it needs), or not.
    Shared {
        path: PathBuf,
        result: Result<Vec<String>, String>,
    },
    /// A profile file was imported into the profiles folder, or not.
    ProfileImported(ImportResult),
    /// A profile file was renamed (or not).
    Renamed {
        from: PathBuf,
        to: PathBuf,
        result: Result<(), String>,
    },
}

/// An imported profile as loaded from its new place, what it needs, and the
/// event file copied beside it (with its text).
pub type ImportResult = Result<
    Box<(
        crate::profile::LoadedProfile,
        crate::share::Needs,
        Option<(PathBuf, Result<String, String>)>,
    )>,
    String,
>;
