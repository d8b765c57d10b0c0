//! Filters over the history, and the queries the list, the chart and bulk
//! replay run. Records are paged from SQLite, never all loaded.

use rusqlite::types::Value as SqlValue;

use super::{HistoryError, Store};

/// Whether a delivery (a row of `deliveries`) is resolved: a person said
/// so, or else an attempt got a 2xx.
pub const RESOLVED: &str = "coalesce(manual, succeeded > 0)";

/// A class of outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusClass {
    /// 1xx to 5xx.
    Status(u8),
    /// A transport error: no answer.
    Error,
}

impl StatusClass {
    /// `2xx`, `4`, `5xx`, `error`.
    pub fn parse(s: &str) -> Option<StatusClass> {
        let s = s.trim().to_ascii_lowercase();
        if s == "error" || s == "err" {
            return Some(StatusClass::Error);
        }
        let d = s.strip_suffix("xx").unwrap_or(&s);
        match d.parse::<u8>() {
            Ok(n @ 1..=5) => Some(StatusClass::Status(n)),
            _ => None,
        }
    }

    pub fn label(self) -> String {
        match self {
            StatusClass::Status(n) => format!("{n}xx"),
            StatusClass::Error => "error".into(),
        }
    }
}

/// Which records to list, count, export or replay.
///
/// By default a filter selects deliveries, one record each: the latest
/// attempt of every delivery whose latest attempt matches. With `failed`
/// those are the unresolved deliveries (no attempt got a 2xx, or a person
/// marked it open), unless `include_resolved` brings back every delivery
/// that failed at some point. `attempts` selects records instead, every
/// attempt on its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Transport errors and answers outside 2xx: unresolved deliveries
    /// (with `attempts`, failed records).
    pub failed: bool,
    /// Every record on its own, not one per delivery.
    pub attempts: bool,
    /// With `failed`: resolved deliveries too (those that failed at some
    /// point).
    pub include_resolved: bool,
    pub profile: Option<String>,
    /// Only records rendered in this environment.
    pub env: Option<String>,
    /// Records at or after this time (Unix ms).
    pub since_ms: Option<i64>,
    /// Records before this time (Unix ms).
    pub until_ms: Option<i64>,
    pub status: Option<StatusClass>,
    /// Text in the URL or a body.
    pub text: Option<String>,
    /// Only these origins (`fire`, `replay`, `import`, `received`).
    pub origin: Option<String>,
}

/// A body column as SQL sees it: from its blob when it refers to one.
fn payload(column: &str) -> String {
    format!(
        "coalesce((SELECT hb_unpack(codec, data) FROM blobs WHERE id = {column}_ref), {column})"
    )
}

impl Filter {
    /// The WHERE clause and its parameters.
    fn sql(&self) -> (String, Vec<SqlValue>) {
        let mut clauses = Vec::new();
        let mut params = Vec::new();
        // The latest attempt of each delivery carries its delivery's state
        // (see the schema), so each list is an index range.
        match (self.attempts, self.failed, self.include_resolved) {
            (true, true, _) => clauses.push("failed = 1".to_string()),
            (true, false, _) => {}
            (false, false, _) => clauses.push("latest = 1".into()),
            // `latest` too, though `open` implies it: the profile index
            // holds latest attempts only, and SQLite uses it when the
            // query says so.
            (false, true, false) => clauses.push("latest = 1 AND open = 1".into()),
            (false, true, true) => clauses.push("latest = 1 AND troubled = 1".into()),
        }
        if let Some(p) = &self.profile {
            clauses.push("profile = ?".into());
            params.push(SqlValue::Text(p.clone()));
        }
        if let Some(e) = &self.env {
            clauses.push("env = ?".into());
            params.push(SqlValue::Text(e.clone()));
        }
        if let Some(t) = self.since_ms {
            clauses.push("started_ms >= ?".into());
            params.push(SqlValue::Integer(t));
        }
        if let Some(t) = self.until_ms {
            clauses.push("started_ms < ?".into());
            params.push(SqlValue::Integer(t));
        }
        match self.status {
            Some(StatusClass::Status(n)) => {
                clauses.push("status >= ? AND status < ?".into());
                params.push(SqlValue::Integer(n as i64 * 100));
                params.push(SqlValue::Integer(n as i64 * 100 + 100));
            }
            Some(StatusClass::Error) => clauses.push("error_kind IS NOT NULL".into()),
            None => {}
        }
        match self.origin.as_deref() {
            // What the receiver got: captured, or passed on to the app.
            Some("received") => clauses.push("origin IN ('received', 'forwarded')".into()),
            Some(o) => {
                clauses.push("origin = ?".into());
                params.push(SqlValue::Text(o.to_string()));
            }
            None => {}
        }
        if let Some(t) = self.text.as_ref().filter(|t| !t.is_empty()) {
            clauses.push(format!(
                "(instr(url, ?) > 0 OR instr(CAST({} AS TEXT), ?) > 0
                      OR instr(CAST({} AS TEXT), ?) > 0)",
                payload("req_body"),
                payload("resp_body")
            ));
            for _ in 0..3 {
                params.push(SqlValue::Text(t.clone()));
            }
        }
        let sql = if clauses.is_empty() {
            "1".to_string()
        } else {
            clauses.join(" AND ")
        };
        (sql, params)
    }

    /// A short description: `failed, profile=crm, since 2h`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        match (self.failed, self.attempts, self.include_resolved) {
            (true, true, _) => parts.push("failed attempts".to_string()),
            (true, false, false) => parts.push("unresolved deliveries".to_string()),
            (true, false, true) => {
                parts.push("deliveries that failed, resolved or not".to_string())
            }
            (false, true, _) => parts.push("every attempt".to_string()),
            (false, false, _) => {}
        }
        if let Some(s) = self.status {
            parts.push(format!("status {}", s.label()));
        }
        if let Some(p) = &self.profile {
            parts.push(format!("profile `{p}`"));
        }
        if let Some(e) = &self.env {
            parts.push(format!("environment `{e}`"));
        }
        if let Some(o) = &self.origin {
            parts.push(format!("origin {o}"));
        }
        if let Some(t) = &self.text {
            parts.push(format!("text `{t}`"));
        }
        if let Some(t) = self.since_ms {
            parts.push(format!(
                "since {}",
                crate::clock::rfc3339(crate::clock::from_unix_millis(t)).replace('T', " ")
            ));
        }
        if parts.is_empty() {
            "all".into()
        } else {
            parts.join(", ")
        }
    }
}

/// One row of the history list: no bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub id: i64,
    pub started_ms: i64,
    pub origin: String,
    pub replay_of: Option<i64>,
    pub profile: Option<String>,
    /// The environment its profile was rendered in.
    pub env: Option<String>,
    /// The record it was compared with.
    pub pair: Option<i64>,
    pub method: String,
    pub host: String,
    pub path: String,
    pub status: Option<u16>,
    pub error_kind: Option<String>,
    pub elapsed_ms: i64,
    pub failed: bool,
    /// Its delivery: the first attempt's id, the attempts so far, and
    /// whether it is resolved.
    pub root: i64,
    pub attempts: u32,
    pub resolved: bool,
    /// An earlier attempt shown under its delivery's row (the History
    /// view's expanded delivery), not a row of the list itself.
    pub nested: bool,
}

/// The columns [`summary_of`] reads, in its order (the last is
/// [`RESOLVED`], written out).
const SUMMARY_COLUMNS: &str = "id, started_ms, origin, replay_of, profile, method, host, path,
    status, error_kind, elapsed_ms, failed, coalesce(root, id),
    (SELECT attempts FROM deliveries WHERE deliveries.root = coalesce(exchanges.root, exchanges.id)),
    (SELECT coalesce(manual, succeeded > 0) FROM deliveries
      WHERE deliveries.root = coalesce(exchanges.root, exchanges.id)), env, pair";

fn summary_of(r: &rusqlite::Row) -> rusqlite::Result<Summary> {
    Ok(Summary {
        id: r.get(0)?,
        started_ms: r.get(1)?,
        origin: r.get(2)?,
        replay_of: r.get(3)?,
        profile: r.get(4)?,
        method: r.get(5)?,
        host: r.get(6)?,
        path: r.get(7)?,
        status: r.get(8)?,
        error_kind: r.get(9)?,
        elapsed_ms: r.get(10)?,
        failed: r.get(11)?,
        root: r.get(12)?,
        attempts: r.get::<_, Option<u32>>(13)?.unwrap_or(1),
        resolved: r.get::<_, Option<bool>>(14)?.unwrap_or(false),
        env: r.get(15)?,
        pair: r.get(16)?,
        nested: false,
    })
}

impl Summary {
    /// `fire`, `replay #3`, `import`, `received`.
    pub fn origin_label(&self) -> String {
        match (self.origin.as_str(), self.replay_of) {
            ("replay", Some(id)) => format!("replay #{id}"),
            ("retry", Some(id)) => format!("retry #{id}"),
            (o, _) => o.to_string(),
        }
    }

    /// The status, or the error kind.
    pub fn outcome_label(&self) -> String {
        match (&self.error_kind, self.status) {
            (Some(k), _) => k.clone(),
            (None, Some(st)) => st.to_string(),
            (None, None) => "-".into(),
        }
    }
}

impl Store {
    /// How many records match.
    pub fn count(&self, f: &Filter) -> Result<u64, HistoryError> {
        let (w, p) = f.sql();
        self.conn
            .query_row(
                &format!("SELECT count(*) FROM exchanges WHERE {w}"),
                rusqlite::params_from_iter(p),
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
            .map_err(|e| self.err(e))
    }

    /// Up to `limit` matching records, newest first by time (then by id),
    /// after `before` in that order: `(started_ms, id)` of the last row of
    /// the previous page.
    pub fn page(
        &self,
        f: &Filter,
        before: Option<(i64, i64)>,
        limit: usize,
    ) -> Result<Vec<Summary>, HistoryError> {
        let (w, mut p) = f.sql();
        let mut sql = format!("SELECT {SUMMARY_COLUMNS} FROM exchanges WHERE {w}");
        if let Some((ms, id)) = before {
            sql.push_str(" AND (started_ms < ? OR (started_ms = ? AND id < ?))");
            p.extend([ms, ms, id].map(SqlValue::Integer));
        }
        sql.push_str(" ORDER BY started_ms DESC, id DESC LIMIT ?");
        p.push(SqlValue::Integer(limit as i64));
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(p), summary_of)
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// Every attempt of the delivery whose first attempt is `root`, newest
    /// first.
    pub fn attempts_of(&self, root: i64) -> Result<Vec<Summary>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {SUMMARY_COLUMNS} FROM exchanges WHERE id = ?1 OR root = ?1
                 ORDER BY started_ms DESC, id DESC"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([root], summary_of)
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// The profile names the history holds, sorted (at most `limit`).
    pub fn profile_names(&self, limit: usize) -> Result<Vec<String>, HistoryError> {
        self.names_in(
            "SELECT DISTINCT profile FROM exchanges WHERE profile IS NOT NULL
             ORDER BY profile LIMIT ?1",
            limit,
        )
    }

    /// The environments the history's records were rendered in, sorted.
    pub fn env_names(&self, limit: usize) -> Result<Vec<String>, HistoryError> {
        self.names_in(
            "SELECT DISTINCT env FROM exchanges WHERE env IS NOT NULL ORDER BY env LIMIT ?1",
            limit,
        )
    }

    fn names_in(&self, sql: &str, limit: usize) -> Result<Vec<String>, HistoryError> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([limit as i64], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// Ids of every matching record, oldest first.
    pub fn ids(&self, f: &Filter) -> Result<Vec<i64>, HistoryError> {
        let (w, p) = f.sql();
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT id FROM exchanges WHERE {w} ORDER BY id"))
            .map_err(|e| self.err(e))?;
        let ids = stmt
            .query_map(rusqlite::params_from_iter(p), |r| r.get(0))
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<i64>, _>>()
            .map_err(|e| self.err(e))?;
        Ok(ids)
    }

    /// Hosts of the matching records with their counts, most first.
    pub fn hosts(&self, f: &Filter) -> Result<Vec<(String, u64)>, HistoryError> {
        let (w, p) = f.sql();
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT host, count(*) FROM exchanges WHERE {w} GROUP BY host ORDER BY 2 DESC"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(p), |r| {
                Ok((r.get(0)?, r.get::<_, i64>(1)? as u64))
            })
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// Successes and failures in `n` equal intervals over the matching
    /// records' time span.
    pub fn buckets(&self, f: &Filter, n: usize) -> Result<Vec<Bucket>, HistoryError> {
        let (w, p) = f.sql();
        let n = n.max(1) as i64;
        let (lo, hi): (Option<i64>, Option<i64>) = self
            .conn
            .query_row(
                &format!("SELECT min(started_ms), max(started_ms) FROM exchanges WHERE {w}"),
                rusqlite::params_from_iter(p.clone()),
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| self.err(e))?;
        let (Some(lo), Some(hi)) = (lo, hi) else {
            return Ok(Vec::new());
        };
        let width = ((hi - lo) / n + 1).max(1);
        let mut out: Vec<Bucket> = (0..n)
            .map(|i| Bucket {
                start_ms: lo + i * width,
                end_ms: (lo + (i + 1) * width - 1).min(hi),
                ok: 0,
                failed: 0,
            })
            .collect();
        let mut params = vec![SqlValue::Integer(lo), SqlValue::Integer(width)];
        params.extend(p);
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT (started_ms - ?1) / ?2 AS b, sum(failed = 0), sum(failed)
                 FROM exchanges WHERE {} GROUP BY b",
                // Positional parameters after the two above.
                renumber(&w, 3)
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params), |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (b, ok, failed) = row.map_err(|e| self.err(e))?;
            if let Some(slot) = out.get_mut(b as usize) {
                slot.ok += ok as u64;
                slot.failed += failed as u64;
            }
        }
        Ok(out)
    }
}

/// One interval of the outcome chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    /// When the interval starts (Unix ms).
    pub start_ms: i64,
    /// When it ends (Unix ms, included): the last one's is the newest
    /// record's time.
    pub end_ms: i64,
    pub ok: u64,
    pub failed: u64,
}

/// Numbers the bare `?` placeholders of a clause from `first` on.
fn renumber(clause: &str, first: usize) -> String {
    let mut out = String::new();
    let mut n = first;
    for c in clause.chars() {
        if c == '?' {
            out.push_str(&format!("?{n}"));
            n += 1;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_reads_resolved_as_the_rest_of_the_history_does() {
        assert!(SUMMARY_COLUMNS.contains(RESOLVED));
    }

    #[test]
    fn status_classes_parse() {
        assert_eq!(StatusClass::parse("5xx"), Some(StatusClass::Status(5)));
        assert_eq!(StatusClass::parse("2"), Some(StatusClass::Status(2)));
        assert_eq!(StatusClass::parse("error"), Some(StatusClass::Error));
        assert_eq!(StatusClass::parse("7xx"), None);
    }

    #[test]
    fn placeholders_are_renumbered() {
        assert_eq!(renumber("a = ? AND b = ?", 3), "a = ?3 AND b = ?4");
    }
}
