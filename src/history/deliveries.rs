//! Deliveries: a first attempt and what descends from it, resolved when
//! an attempt got a 2xx or a person says so (see the schema). Their counts
//! and marks, kept as records are written, imported and marked.

use std::path::Path;

use rusqlite::{OptionalExtension, params};

use super::{HistoryError, Store, query, sql};

impl Store {
    /// Marks the deliveries of these records resolved (or, `false`, open)
    /// by hand, whatever their attempts got; returns each record's
    /// delivery (its first attempt's id), in order.
    pub fn mark_resolved(&mut self, ids: &[i64], resolved: bool) -> Result<Vec<i64>, HistoryError> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sql(&path, e))?;
        let mut roots = Vec::with_capacity(ids.len());
        {
            let mut root_of = tx
                .prepare("SELECT coalesce(root, id) FROM exchanges WHERE id = ?1")
                .map_err(|e| sql(&path, e))?;
            let mut mark = tx
                .prepare("UPDATE deliveries SET manual = ?2 WHERE root = ?1")
                .map_err(|e| sql(&path, e))?;
            for id in ids {
                let root: i64 = root_of
                    .query_row([id], |r| r.get(0))
                    .optional()
                    .map_err(|e| sql(&path, e))?
                    .ok_or(HistoryError::NotFound(*id))?;
                mark.execute(params![root, resolved])
                    .map_err(|e| sql(&path, e))?;
                roots.push(root);
            }
            for root in &roots {
                mark_latest(&tx, *root, &path)?;
            }
        }
        tx.commit().map_err(|e| sql(&path, e))?;
        Ok(roots)
    }
}

/// Counts the records of these deliveries again, from the records
/// themselves (after an import linked them); a mark by hand is kept.
pub(super) fn recount(
    tx: &rusqlite::Transaction<'_>,
    roots: &[i64],
    path: &Path,
) -> Result<(), HistoryError> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO deliveries (root, latest, attempts, succeeded)
                SELECT ?1, max(id), count(*), sum(failed = 0) FROM exchanges
                 WHERE id = ?1 OR root = ?1
             ON CONFLICT(root) DO UPDATE SET latest = excluded.latest,
                attempts = excluded.attempts, succeeded = excluded.succeeded",
        )
        .map_err(|e| sql(path, e))?;
    let mut clear = tx
        .prepare_cached(
            "UPDATE exchanges SET latest = 0, open = 0, troubled = 0 WHERE id = ?1 OR root = ?1",
        )
        .map_err(|e| sql(path, e))?;
    for r in roots {
        stmt.execute([r]).map_err(|e| sql(path, e))?;
        clear.execute([r]).map_err(|e| sql(path, e))?;
        mark_latest(tx, *r, path)?;
    }
    Ok(())
}

/// Puts a delivery's state on its latest attempt (see the schema).
fn mark_latest(tx: &rusqlite::Transaction<'_>, root: i64, path: &Path) -> Result<(), HistoryError> {
    tx.prepare_cached(&format!(
        "UPDATE exchanges SET latest = 1,
            open = (SELECT NOT {RESOLVED} FROM deliveries WHERE root = ?1),
            troubled = (SELECT succeeded < attempts OR manual IS 0 FROM deliveries WHERE root = ?1)
          WHERE id = (SELECT latest FROM deliveries WHERE root = ?1)",
        RESOLVED = query::RESOLVED
    ))
    .and_then(|mut s| s.execute([root]))
    .map_err(|e| sql(path, e))?;
    Ok(())
}
