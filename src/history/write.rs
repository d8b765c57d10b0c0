//! Writing records: each joins its delivery as it is written, and its
//! payloads are kept once (see blobs.rs).

use std::path::Path;

use rusqlite::{OptionalExtension, params};

use super::blobs::{Blobs, Put};
use super::{HistoryError, cut, headers_json, host_and_path, sql};
use crate::clock;
use crate::exchange::{Exchange, Origin};

/// How records are written.
#[derive(Debug, Clone, Copy)]
pub(super) struct How {
    /// Of this bulk replay run.
    pub run: Option<i64>,
    /// Each joins its source's delivery (or starts its own) as it is
    /// written; an import links its records itself, afterwards.
    pub link: bool,
    /// As retries of this record, whatever their origin says.
    pub retry_of: Option<i64>,
}

impl How {
    pub fn linked(run: Option<i64>) -> How {
        How {
            run,
            link: true,
            retry_of: None,
        }
    }
}

/// A payload for its row: the bytes it holds there, and the blob it
/// refers to instead.
fn split(p: Put<'_>) -> (&[u8], Option<i64>) {
    match p {
        Put::Inline(b) => (b, None),
        Put::Blob(id) => (&[], Some(id)),
    }
}

/// Headers are text in their column (they were written by serde_json).
fn text(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or_default()
}

/// Inserts exchanges within `tx` as `how` says, credentials masked,
/// bodies cut at `cap` and payloads kept once; returns their ids in order.
pub(super) fn insert_in(
    tx: &rusqlite::Transaction<'_>,
    blobs: &mut Blobs,
    items: &[Exchange],
    how: How,
    cap: usize,
    path: &Path,
) -> Result<Vec<i64>, HistoryError> {
    let How {
        run,
        link,
        retry_of,
    } = how;
    let mut ids = Vec::with_capacity(items.len());
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO exchanges (started_ms, origin, replay_of, run, profile, method, url,
                host, path, req_headers, req_body, req_truncated, status, resp_headers,
                resp_body, resp_truncated, error_kind, error_message, elapsed_ms, failed, peer,
                root, latest, open, troubled, req_headers_ref, req_body_ref, resp_headers_ref,
                resp_body_ref, env)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)",
        )
        .map_err(|e| sql(path, e))?;
    // The delivery a source record belongs to: its first attempt, latest
    // attempt, attempts, successes and mark by hand.
    let mut delivery_of = tx
        .prepare_cached(
            "SELECT d.root, d.latest, d.attempts, d.succeeded, d.manual
               FROM exchanges e JOIN deliveries d ON d.root = coalesce(e.root, e.id)
              WHERE e.id = ?1",
        )
        .map_err(|e| sql(path, e))?;
    let mut new_delivery = tx
        .prepare_cached(
            "INSERT OR REPLACE INTO deliveries (root, latest, attempts, succeeded)
             VALUES (?1, ?1, 1, ?2)",
        )
        .map_err(|e| sql(path, e))?;
    let mut grow = tx
        .prepare_cached(
            "UPDATE deliveries SET latest = ?2, attempts = ?3, succeeded = ?4 WHERE root = ?1",
        )
        .map_err(|e| sql(path, e))?;
    let mut supersede = tx
        .prepare_cached("UPDATE exchanges SET latest = 0, open = 0, troubled = 0 WHERE id = ?1")
        .map_err(|e| sql(path, e))?;
    // A run sends to few URLs: each is taken apart once.
    let mut last: Option<(String, (String, String))> = None;
    for ex in items {
        let known = ex.request.known_secrets();
        let req = ex.request.redacted_with(&known);
        let (host, target) = match &last {
            Some((url, parts)) if *url == req.url => parts.clone(),
            _ => {
                let parts = host_and_path(&req.url);
                last = Some((req.url.clone(), parts.clone()));
                parts
            }
        };
        let origin = match retry_of {
            Some(first) => Origin::Retry(Some(first)),
            None => ex.origin,
        };
        let (origin, replay_of) = match origin {
            Origin::Fire => ("fire", None),
            Origin::Replay(id) => ("replay", id),
            Origin::Retry(id) => ("retry", id),
            Origin::Import => ("import", None),
            Origin::Received => ("received", None),
            Origin::Forwarded => ("forwarded", None),
        };
        let (req_body, req_cut) = cut(&req.body, cap);
        let resp = ex.response.as_ref().map(|r| r.masked_cow(&known));
        let resp = resp.as_deref();
        let resp_headers = resp.map(|r| headers_json(&r.headers));
        let req_headers = headers_json(&req.headers);
        let error = ex.error.as_ref().map(|e| e.masked(&known));
        let (resp_body, resp_cut) = match resp {
            Some(r) => {
                let (b, c) = cut(&r.body, cap);
                (Some(b), c || r.truncated)
            }
            None => (None, false),
        };
        // The delivery it belongs to: its source's, or its own.
        let ok = ex.is_success();
        let joined: Option<(i64, i64, i64, i64, Option<bool>)> = match replay_of.filter(|_| link) {
            Some(source) => delivery_of
                .query_row([source], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .optional()
                .map_err(|e| sql(path, e))?,
            None => None,
        };
        let (root, flags) = match joined {
            Some((root, _, attempts, succeeded, manual)) => {
                let (attempts, succeeded) = (attempts + 1, succeeded + i64::from(ok));
                let resolved = manual.unwrap_or(succeeded > 0);
                let troubled = succeeded < attempts || manual == Some(false);
                (Some(root), (true, !resolved, troubled))
            }
            // An import sets its records' deliveries afterwards.
            None => (None, (link, link && !ok, link && !ok)),
        };
        // Each payload once, by content (see blobs.rs).
        let sql_err = |e| sql(path, e);
        let (req_headers, req_headers_ref) =
            split(blobs.put(tx, req_headers.as_bytes()).map_err(sql_err)?);
        let (req_body, req_body_ref) = split(blobs.put(tx, req_body).map_err(sql_err)?);
        let (resp_headers, resp_headers_ref) = match &resp_headers {
            Some(h) => {
                let (h, r) = split(blobs.put(tx, h.as_bytes()).map_err(sql_err)?);
                (Some(h), r)
            }
            None => (None, None),
        };
        let (resp_body, resp_body_ref) = match resp_body {
            Some(b) => {
                let (b, r) = split(blobs.put(tx, b).map_err(sql_err)?);
                (Some(b), r)
            }
            None => (None, None),
        };
        stmt.execute(params![
            clock::unix_millis(ex.started_at),
            origin,
            replay_of,
            run,
            ex.profile,
            req.method,
            req.url,
            host,
            target,
            text(req_headers),
            req_body,
            req_cut,
            resp.map(|r| r.status),
            resp_headers.map(text),
            resp_body,
            resp_cut,
            error.as_ref().map(|e| e.kind.as_str()),
            error.as_ref().map(|e| e.message.as_str()),
            ex.elapsed.as_millis() as i64,
            !ex.is_success(),
            ex.peer,
            root,
            flags.0,
            flags.1,
            flags.2,
            req_headers_ref,
            req_body_ref,
            resp_headers_ref,
            resp_body_ref,
            ex.env,
        ])
        .map_err(|e| sql(path, e))?;
        let id = tx.last_insert_rowid();
        match joined {
            Some((root, previous, attempts, succeeded, _)) => {
                grow.execute(params![root, id, attempts + 1, succeeded + i64::from(ok)])
                    .map_err(|e| sql(path, e))?;
                supersede.execute([previous]).map_err(|e| sql(path, e))?;
            }
            None if link => {
                new_delivery
                    .execute(params![id, ok])
                    .map_err(|e| sql(path, e))?;
            }
            None => {}
        }
        ids.push(id);
    }
    Ok(ids)
}
