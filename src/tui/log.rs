//! A log file in the data directory, written by a background thread: never
//! the screen, never the UI thread's time.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::OnceLock;
use std::sync::mpsc::{Sender, channel};

static LOG: OnceLock<Mutex<Sender<String>>> = OnceLock::new();

/// Starts writing lines to `path` (appending). Later calls do nothing.
pub fn init(path: &Path) {
    let path = path.to_path_buf();
    let (tx, rx) = channel::<String>();
    if LOG.set(Mutex::new(tx)).is_err() {
        return;
    }
    super::tasks::log_writer(path, rx);
}

/// The log file's place when there is no history: the user data folder.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "hookbench").map(|p| p.data_dir().join("hookbench.log"))
}

/// Appends a line, with the time; nothing happens before `init`.
pub fn line(msg: &str) {
    if let Some(tx) = LOG.get()
        && let Ok(tx) = tx.lock()
    {
        let now = crate::clock::rfc3339(std::time::SystemTime::now());
        let _ = tx.send(format!("{now} {msg}"));
    }
}
