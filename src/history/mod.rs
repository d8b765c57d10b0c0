//! The delivery history: every exchange in a SQLite file.
//!
//! WAL mode, so the workbench and a command-line replay can use it at once;
//! a versioned schema with migrations; the file readable by its owner only.
//! Credentials are masked before anything is written, and bodies are kept up
//! to a cap, marked when cut. A file that is damaged, not ours, or from a
//! newer version is reported and never written to.

mod blobs;
mod deliveries;
pub mod io;
mod query;
mod schema;
mod write;

pub use query::{Bucket, Filter, StatusClass, Summary};

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use crate::clock;
use crate::exchange::{ErrorKind, Exchange, Origin, Response, TransportError};
use crate::wire::PreparedRequest;

/// The schema this build reads and writes.
pub const SCHEMA_VERSION: i64 = 5;
/// Marks the file as ours ("HKBH").
const APPLICATION_ID: i64 = 0x484B_4248;
/// Bodies longer than this are stored cut, and marked: 10 MiB, unless
/// `--body-cap` says otherwise.
pub const STORED_BODY_CAP: usize = 10 * 1024 * 1024;

pub use schema::MIGRATIONS;

/// Errors of the history store.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// Occurs when the file is not a SQLite database, is damaged, or is a
    /// database of some other program.
    #[error(
        "{path}: not a usable hookbench history ({detail}); it was left as it is: move it aside to start a new one, or pass --data-dir"
    )]
    Corrupt { path: PathBuf, detail: String },
    /// Occurs when a newer hookbench made the file.
    #[error(
        "{path}: made by a newer hookbench (schema {found}; this one knows {known}); it was left as it is: upgrade hookbench or pass --data-dir"
    )]
    Newer {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    /// Occurs when the folder or file cannot be created.
    #[error("{path}: cannot create the history: {reason}")]
    Create { path: PathBuf, reason: String },
    /// Occurs when no record has this id.
    #[error("no record #{0} in the history")]
    NotFound(i64),
    /// Occurs when no replay run has this number.
    #[error("no replay run #{0} in the history")]
    NoRun(i64),
    /// Any other database failure.
    #[error("{path}: {source}")]
    Sql {
        path: PathBuf,
        source: rusqlite::Error,
    },
}

/// A stored exchange.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: i64,
    pub exchange: Exchange,
    /// The bulk replay run it belongs to.
    pub run: Option<i64>,
    pub request_truncated: bool,
    /// The record it was compared with (`compare`).
    pub pair: Option<i64>,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    body_cap: usize,
    /// The file was found whole when opened: on close, its state is noted
    /// so that the next open need not check it again (see [`Stamp`]).
    sound: bool,
    /// What this writer knows is in `blobs`.
    blobs: blobs::Blobs,
}

impl Drop for Store {
    fn drop(&mut self) {
        if !self.sound {
            return;
        }
        // Fold the log into the file first, so the state noted is the one
        // the next open finds.
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        if let Some(stamp) = Stamp::of(&self.path) {
            stamp.save(&self.path);
        }
    }
}

/// What a history file looked like when hookbench last left it whole: the
/// size and modification time of the file and its write-ahead log. An open
/// that finds the same skips the check of every page, which reads the
/// whole file (about 100 ms for 100,000 records); anything else that
/// changed the file is checked.
#[derive(Debug, PartialEq, Eq)]
struct Stamp(String);

impl Stamp {
    fn file(path: &Path) -> PathBuf {
        let mut p = path.as_os_str().to_owned();
        p.push(".checked");
        PathBuf::from(p)
    }

    fn of(path: &Path) -> Option<Stamp> {
        let part = |p: &Path| -> Option<String> {
            match std::fs::metadata(p) {
                Ok(m) if m.len() == 0 => Some("0".into()),
                Ok(m) => {
                    let t = m
                        .modified()
                        .ok()?
                        .duration_since(std::time::UNIX_EPOCH)
                        .ok()?;
                    Some(format!("{}@{}", m.len(), t.as_nanos()))
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some("0".into()),
                Err(_) => None,
            }
        };
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        Some(Stamp(format!("{} {}", part(path)?, part(Path::new(&wal))?)))
    }

    fn load(path: &Path) -> Option<Stamp> {
        std::fs::read_to_string(Self::file(path))
            .ok()
            .map(|s| Stamp(s.trim().to_string()))
    }

    fn save(&self, path: &Path) {
        let _ = crate::files::write_scratch(&Self::file(path), self.0.as_bytes());
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// A size such as `10MiB`, `512KiB`, `2MB` or a number of bytes.
pub fn parse_size(s: &str) -> Option<usize> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: usize = n.parse().ok()?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "kib" => 1024,
        "m" | "mb" => 1_000_000,
        "mib" => 1024 * 1024,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1024 * 1024 * 1024,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// Where the history lives: `--data-dir` / `HOOKBENCH_DATA_DIR`, else the
/// user data folder.
pub fn default_path(data_dir: Option<PathBuf>) -> PathBuf {
    let dir = data_dir.unwrap_or_else(|| {
        directories::ProjectDirs::from("", "", "hookbench")
            .map(|p| p.data_dir().to_path_buf())
            .unwrap_or_else(|| PathBuf::from(".hookbench"))
    });
    dir.join("history.sqlite")
}

impl Store {
    /// Opens (creating it when missing) the history at `path`.
    pub fn open(path: &Path) -> Result<Store, HistoryError> {
        let create_err = |e: std::io::Error| HistoryError::Create {
            path: path.to_path_buf(),
            reason: crate::files::io_reason(&e),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::files::create_private_dir(dir).map_err(create_err)?;
        }
        if !path.exists() {
            // Readable by its owner only, before SQLite writes anything.
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .mode(0o600)
                .open(path)
                .map_err(create_err)?;
        }
        let conn = Connection::open(path).map_err(|e| sql(path, e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            body_cap: STORED_BODY_CAP,
            sound: false,
            blobs: blobs::Blobs::default(),
        };
        store.prepare()?;
        Ok(store)
    }

    /// While `defer` holds, the log grows up to 256 MB before it is folded
    /// into the file (a bulk writer's setting); otherwise SQLite's 4 MB.
    pub fn defer_checkpoints(&mut self, defer: bool) {
        let pages = if defer { 65_536 } else { 1000 };
        let _ = self.conn.pragma_update(None, "wal_autocheckpoint", pages);
    }

    /// Bodies over `cap` bytes are stored cut.
    pub fn set_body_cap(&mut self, cap: usize) {
        self.body_cap = cap;
    }

    fn err(&self, e: rusqlite::Error) -> HistoryError {
        sql(&self.path, e)
    }

    fn prepare(&mut self) -> Result<(), HistoryError> {
        let path = self.path.clone();
        self.conn
            .busy_timeout(Duration::from_secs(10))
            .map_err(|e| sql(&path, e))?;
        // A payload as stored, for text search in SQL (see blobs.rs).
        self.conn
            .create_scalar_function(
                "hb_unpack",
                2,
                rusqlite::functions::FunctionFlags::SQLITE_UTF8
                    | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC,
                |ctx| {
                    blobs::unpack(ctx.get(0)?, ctx.get(1)?)
                        .map_err(|e| rusqlite::Error::UserFunctionError(e.into()))
                },
            )
            .map_err(|e| sql(&path, e))?;
        let (version, app_id, tables) = self.header().map_err(|e| sql(&path, e))?;
        if tables > 0 && app_id != APPLICATION_ID {
            return Err(HistoryError::Corrupt {
                path,
                detail: "it is a database of another program".into(),
            });
        }
        if version > SCHEMA_VERSION {
            return Err(HistoryError::Newer {
                path,
                found: version,
                known: SCHEMA_VERSION,
            });
        }
        if tables > 0 {
            let now = Stamp::of(&path);
            if now.is_none() || now != Stamp::load(&path) {
                self.check()?;
            }
        }
        // Another process may be creating the same file right now: each
        // step waits for it, and a busy answer is tried again.
        retry_busy(|| self.conn.pragma_update(None, "journal_mode", "WAL"))
            .map_err(|e| sql(&path, e))?;
        self.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| sql(&path, e))?;
        if version < SCHEMA_VERSION {
            retry_busy(|| self.migrate()).map_err(|e| sql(&path, e))?;
        }
        self.sound = true;
        Ok(())
    }

    /// `user_version`, `application_id` and the number of schema objects.
    fn header(&self) -> rusqlite::Result<(i64, i64, i64)> {
        self.conn.query_row(
            "SELECT (SELECT user_version FROM pragma_user_version),
                    (SELECT application_id FROM pragma_application_id),
                    (SELECT count(*) FROM sqlite_master)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
    }

    /// Brings the schema to this build's version in one immediate
    /// transaction: the version is read again inside it, so of several
    /// processes opening a new file at once one creates the tables and the
    /// others find them made.
    fn migrate(&mut self) -> rusqlite::Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version < SCHEMA_VERSION {
            for m in &MIGRATIONS[version.max(0) as usize..] {
                tx.execute_batch(m)?;
            }
            tx.pragma_update(None, "application_id", APPLICATION_ID)?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        }
        tx.commit()
    }

    /// A damaged file is refused before anything is written to it (or read
    /// from it as if whole): SQLite's quick check of every page's structure,
    /// which reads the file once and skips what only indexes would tell.
    fn check(&self) -> Result<(), HistoryError> {
        let found: String = self
            .conn
            .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if found == "ok" {
            Ok(())
        } else {
            // One line: the first problem, without SQLite's banner.
            let first = found
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with("***"))
                .unwrap_or("unreadable");
            Err(HistoryError::Corrupt {
                path: self.path.clone(),
                detail: format!("the database is damaged: {first}"),
            })
        }
    }

    /// Stores one exchange; returns its id.
    pub fn insert(&mut self, ex: &Exchange) -> Result<i64, HistoryError> {
        Ok(self.insert_many(std::slice::from_ref(ex), None)?[0])
    }

    /// Stores exchanges in one transaction (of bulk replay run `run`).
    pub fn insert_many(
        &mut self,
        items: &[Exchange],
        run: Option<i64>,
    ) -> Result<Vec<i64>, HistoryError> {
        self.written(|tx, blobs, cap, path| {
            write::insert_in(tx, blobs, items, write::How::linked(run), cap, path)
        })
    }

    /// Runs `f` in a transaction and commits; when either fails, the
    /// writer forgets the blobs it thought written.
    fn written<T>(
        &mut self,
        f: impl FnOnce(
            &rusqlite::Transaction<'_>,
            &mut blobs::Blobs,
            usize,
            &Path,
        ) -> Result<T, HistoryError>,
    ) -> Result<T, HistoryError> {
        let (cap, path) = (self.body_cap, self.path.clone());
        // Immediate: the first statement may read (is this payload kept
        // already?), and a reader that then writes after another process
        // did is refused at once rather than waited for.
        let result = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| sql(&path, e))
            .and_then(|tx| {
                let t = f(&tx, &mut self.blobs, cap, &path)?;
                tx.commit().map_err(|e| sql(&path, e))?;
                Ok(t)
            });
        if result.is_err() {
            self.blobs.forget();
        }
        result
    }

    /// Stores the attempts of one delivery, in one transaction: the first
    /// as it is, the others as its retries (`retry of #first`). Returns
    /// the first's id.
    pub fn insert_attempts(&mut self, attempts: &[Exchange]) -> Result<i64, HistoryError> {
        let (first, retries) = attempts.split_first().ok_or(HistoryError::NotFound(0))?;
        self.written(|tx, blobs, cap, path| {
            let one = std::slice::from_ref(first);
            let id = write::insert_in(tx, blobs, one, write::How::linked(None), cap, path)?[0];
            let how = write::How {
                retry_of: Some(id),
                ..write::How::linked(None)
            };
            write::insert_in(tx, blobs, retries, how, cap, path)?;
            Ok(id)
        })
    }

    /// Stores two exchanges compared with each other (`compare`), each a
    /// delivery of its own and each pointing at the other; their ids.
    pub fn insert_pair(&mut self, a: &Exchange, b: &Exchange) -> Result<(i64, i64), HistoryError> {
        self.written(|tx, blobs, cap, path| {
            let both = [a.clone(), b.clone()];
            let ids = write::insert_in(tx, blobs, &both, write::How::linked(None), cap, path)?;
            let (x, y) = (ids[0], ids[1]);
            tx.execute(
                "UPDATE exchanges SET pair = CASE id WHEN ?1 THEN ?2 ELSE ?1 END WHERE id IN (?1, ?2)",
                rusqlite::params![x, y],
            )
            .map_err(|e| sql(path, e))?;
            Ok((x, y))
        })
    }

    /// Stores imported exchanges in one transaction, keeping the links
    /// between them: `exported[i]` is the id item `i` had where it was
    /// exported, and a replay or retry of a record in the same import is
    /// linked to that record's new id. A link to a record not imported
    /// is dropped (it would point at an unrelated record here); the origin
    /// stays.
    pub fn import(
        &mut self,
        items: &[Exchange],
        exported: &[Option<i64>],
    ) -> Result<Vec<i64>, HistoryError> {
        self.written(|tx, blobs, cap, path| {
            let how = write::How {
                link: false,
                ..write::How::linked(None)
            };
            let ids = write::insert_in(tx, blobs, items, how, cap, path)?;
            let new_id: std::collections::HashMap<i64, i64> = exported
                .iter()
                .zip(&ids)
                .filter_map(|(old, new)| old.map(|o| (o, *new)))
                .collect();
            {
                let mut relink = tx
                    .prepare("UPDATE exchanges SET replay_of = ?1 WHERE id = ?2")
                    .map_err(|e| sql(path, e))?;
                for (ex, id) in items.iter().zip(&ids) {
                    if let Some(old) = ex.origin.source() {
                        relink
                            .execute(params![new_id.get(&old), id])
                            .map_err(|e| sql(path, e))?;
                    }
                }
                // Deliveries, in order: a link points at an earlier item.
                let mut set_root = tx
                    .prepare(
                        "UPDATE exchanges SET root = (SELECT coalesce(root, id) FROM exchanges
                            WHERE id = ?1) WHERE id = ?2",
                    )
                    .map_err(|e| sql(path, e))?;
                let mut root_of = tx
                    .prepare("SELECT coalesce(root, id) FROM exchanges WHERE id = ?1")
                    .map_err(|e| sql(path, e))?;
                let mut roots = std::collections::BTreeSet::new();
                for (ex, id) in items.iter().zip(&ids) {
                    if let Some(source) = ex.origin.source().and_then(|o| new_id.get(&o)) {
                        set_root
                            .execute(params![source, id])
                            .map_err(|e| sql(path, e))?;
                    }
                    let root: i64 = root_of
                        .query_row([id], |r| r.get(0))
                        .map_err(|e| sql(path, e))?;
                    roots.insert(root);
                }
                deliveries::recount(tx, &roots.into_iter().collect::<Vec<_>>(), path)?;
            }
            Ok(ids)
        })
    }

    /// One record, whole.
    pub fn get(&self, id: i64) -> Result<Record, HistoryError> {
        self.conn
            .query_row(
                &format!("SELECT {RECORD_COLUMNS} FROM exchanges WHERE id = ?1"),
                [id],
                |r| row_to_record(&blobs::Reader::new(&self.conn), r),
            )
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or(HistoryError::NotFound(id))
    }

    /// Records by id, in the order given, read in chunks rather than one
    /// query each; an id that is not there is an error.
    pub fn get_many(&self, ids: &[i64]) -> Result<Vec<Record>, HistoryError> {
        let reader = blobs::Reader::new(&self.conn);
        self.rows_by_id(ids, RECORD_COLUMNS, |r| row_to_record(&reader, r), |r| r.id)
    }

    /// Rows of `columns` for these ids, in the order of `ids`, read 500 to a
    /// query; an id with no row is an error.
    fn rows_by_id<T>(
        &self,
        ids: &[i64],
        columns: &str,
        read: impl Fn(&rusqlite::Row) -> rusqlite::Result<T>,
        id_of: fn(&T) -> i64,
    ) -> Result<Vec<T>, HistoryError> {
        let mut by_id = std::collections::HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            let mut stmt = self
                .conn
                .prepare_cached(&format!(
                    "SELECT {columns} FROM exchanges WHERE id IN ({marks})"
                ))
                .map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(chunk), &read)
                .map_err(|e| self.err(e))?;
            for r in rows {
                let r = r.map_err(|e| self.err(e))?;
                by_id.insert(id_of(&r), r);
            }
        }
        ids.iter()
            .map(|id| by_id.remove(id).ok_or(HistoryError::NotFound(*id)))
            .collect()
    }

    /// What a replay needs of these records, in the order of `ids`: the
    /// request as stored, its profile, and whether its body was cut. Leaner
    /// than [`Store::get_many`]: no response is read.
    pub fn requests(&self, ids: &[i64]) -> Result<Vec<StoredRequest>, HistoryError> {
        let reader = blobs::Reader::new(&self.conn);
        self.rows_by_id(
            ids,
            "id, profile, method, url, req_headers, req_body, req_truncated, req_headers_ref,
             req_body_ref, env",
            |r| {
                let headers = reader.resolve_text(r.get(4)?, r.get(7)?)?;
                Ok(StoredRequest {
                    id: r.get(0)?,
                    profile: r.get(1)?,
                    request: PreparedRequest::plain(
                        r.get(2)?,
                        r.get(3)?,
                        request_headers(&headers).0,
                        reader.resolve(r.get(5)?, r.get(8)?)?,
                    ),
                    truncated: r.get(6)?,
                    env: r.get(9)?,
                })
            },
            |r| r.id,
        )
    }

    /// Starts a bulk replay run over these records.
    pub fn new_run(&mut self, sources: &[i64], url: Option<&str>) -> Result<i64, HistoryError> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sql(&path, e))?;
        tx.execute(
            "INSERT INTO runs (created_ms, url) VALUES (?1, ?2)",
            params![clock::unix_millis(std::time::SystemTime::now()), url],
        )
        .map_err(|e| sql(&path, e))?;
        let run = tx.last_insert_rowid();
        // One statement for all the sources, passed as a JSON array.
        let list = serde_json::to_string(sources).expect("numbers always serialise");
        tx.execute(
            "INSERT OR IGNORE INTO run_items (run, source) SELECT ?1, value FROM json_each(?2)",
            params![run, list],
        )
        .map_err(|e| sql(&path, e))?;
        tx.commit().map_err(|e| sql(&path, e))?;
        Ok(run)
    }

    /// The URL override a run was started with.
    pub fn run_url(&self, run: i64) -> Result<Option<String>, HistoryError> {
        self.conn
            .query_row("SELECT url FROM runs WHERE id = ?1", [run], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or(HistoryError::NoRun(run))
    }

    /// The records of a run that have no successful replay in it yet.
    pub fn run_pending(&self, run: i64) -> Result<Vec<i64>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT source FROM run_items i WHERE run = ?1 AND NOT EXISTS (
                    SELECT 1 FROM exchanges e
                    WHERE e.root = (SELECT coalesce(root, id) FROM exchanges WHERE id = i.source)
                      AND e.run = ?1 AND e.replay_of = i.source AND e.failed = 0)
                 ORDER BY source",
            )
            .map_err(|e| self.err(e))?;
        let ids = stmt
            .query_map([run], |r| r.get(0))
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<i64>, _>>()
            .map_err(|e| self.err(e))?;
        Ok(ids)
    }

    /// The latest run, if any.
    pub fn last_run(&self) -> Result<Option<i64>, HistoryError> {
        self.conn
            .query_row("SELECT max(id) FROM runs", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }
}

/// Runs `f` again while SQLite answers that the file is busy (another
/// process holds it), for up to ten seconds.
fn retry_busy<T>(mut f: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let until = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match f() {
            Err(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
                ) && std::time::Instant::now() < until =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

fn sql(path: &Path, e: rusqlite::Error) -> HistoryError {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    match e.sqlite_error_code() {
        Some(NotADatabase) | Some(DatabaseCorrupt) => HistoryError::Corrupt {
            path: path.to_path_buf(),
            detail: e.to_string(),
        },
        _ => HistoryError::Sql {
            path: path.to_path_buf(),
            source: e,
        },
    }
}

fn cut(body: &[u8], cap: usize) -> (&[u8], bool) {
    if body.len() > cap {
        (&body[..cap], true)
    } else {
        (body, false)
    }
}

fn headers_json(h: &[(String, String)]) -> String {
    serde_json::to_string(h).expect("header pairs always serialise")
}

fn parse_headers(s: &str) -> Vec<(String, String)> {
    serde_json::from_str(s).unwrap_or_default()
}

/// A stored request, as a replay reads it.
#[derive(Debug, Clone)]
pub struct StoredRequest {
    pub id: i64,
    pub profile: Option<String>,
    /// The environment it was rendered in.
    pub env: Option<String>,
    pub request: PreparedRequest,
    /// The body was cut at the history's cap: it is not what was sent.
    pub truncated: bool,
}

/// Host (with port) and path with query of a URL.
pub fn host_and_path(url: &str) -> (String, String) {
    match reqwest::Url::parse(url) {
        Ok(u) => {
            let host = crate::wire::authority_of(&u).unwrap_or_default();
            let mut path = u.path().to_string();
            if let Some(q) = u.query() {
                path.push('?');
                path.push_str(q);
            }
            (host, path)
        }
        Err(_) => (String::new(), url.to_string()),
    }
}

fn error_kind(s: &str) -> ErrorKind {
    match s {
        "timeout" => ErrorKind::Timeout,
        "connection_refused" => ErrorKind::ConnectionRefused,
        "dns" => ErrorKind::Dns,
        "tls" => ErrorKind::Tls,
        "redirect" => ErrorKind::Redirect,
        "incomplete" => ErrorKind::Incomplete,
        _ => ErrorKind::Other,
    }
}

/// A stored request's headers, and the peer address an older file kept
/// among them (never a header that was sent or is to be sent again).
fn request_headers(json: &str) -> (Vec<(String, String)>, Option<String>) {
    let mut headers = parse_headers(json);
    let peer = headers
        .iter()
        .position(|(n, _)| n == "x-hookbench-peer")
        .map(|i| headers.remove(i).1);
    (headers, peer)
}

/// The columns `row_to_record` reads, in its order.
const RECORD_COLUMNS: &str = "id, started_ms, origin, replay_of, run, profile, method, url,
    req_headers, req_body, req_truncated, status, resp_headers, resp_body, resp_truncated,
    error_kind, error_message, elapsed_ms, peer, req_headers_ref, req_body_ref, resp_headers_ref,
    resp_body_ref, env, pair";

/// A record from its row, its payloads read where they are kept.
fn row_to_record(blobs: &blobs::Reader, r: &rusqlite::Row) -> rusqlite::Result<Record> {
    let origin: String = r.get(2)?;
    let replay_of: Option<i64> = r.get(3)?;
    let status: Option<u16> = r.get(11)?;
    let resp_headers: Option<String> = match r.get(12)? {
        Some(h) => Some(blobs.resolve_text(h, r.get(21)?)?),
        None => None,
    };
    let error_kind_s: Option<String> = r.get(15)?;
    let (headers, legacy_peer) = request_headers(&blobs.resolve_text(r.get(8)?, r.get(19)?)?);
    let response = if status.is_some() || resp_headers.is_some() {
        let status = status.unwrap_or(0);
        Some(Response {
            status,
            reason: Response::reason_for(status),
            headers: resp_headers
                .as_deref()
                .map(parse_headers)
                .unwrap_or_default(),
            body: blobs.resolve(
                r.get::<_, Option<Vec<u8>>>(13)?.unwrap_or_default(),
                r.get(22)?,
            )?,
            truncated: r.get(14)?,
            redirects: Vec::new(),
        })
    } else {
        None
    };
    Ok(Record {
        id: r.get(0)?,
        run: r.get(4)?,
        request_truncated: r.get(10)?,
        pair: r.get(24)?,
        exchange: Exchange {
            origin: match (origin.as_str(), replay_of) {
                ("replay", of) => Origin::Replay(of),
                ("retry", of) => Origin::Retry(of),
                ("import", _) => Origin::Import,
                ("received", _) => Origin::Received,
                ("forwarded", _) => Origin::Forwarded,
                _ => Origin::Fire,
            },
            profile: r.get(5)?,
            env: r.get(23)?,
            peer: r.get::<_, Option<String>>(18)?.or(legacy_peer),
            started_at: clock::from_unix_millis(r.get(1)?),
            elapsed: Duration::from_millis(r.get::<_, i64>(17)?.max(0) as u64),
            request: PreparedRequest::plain(
                r.get(6)?,
                r.get(7)?,
                headers,
                blobs.resolve(r.get(9)?, r.get(20)?)?,
            ),
            response,
            error: error_kind_s
                .map(|k| -> rusqlite::Result<TransportError> {
                    Ok(TransportError {
                        kind: error_kind(&k),
                        message: r.get::<_, Option<String>>(16)?.unwrap_or_default(),
                    })
                })
                .transpose()?,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10MiB"), Some(10 * 1024 * 1024));
        assert_eq!(parse_size("512 KiB"), Some(512 * 1024));
        assert_eq!(parse_size("2000"), Some(2000));
        assert_eq!(parse_size("1MB"), Some(1_000_000));
        assert_eq!(parse_size("lots"), None);
    }
}
