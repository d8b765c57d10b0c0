//! Payloads kept once: request and response headers and bodies are stored
//! by content in `blobs`, so a replay that sends what its original sent
//! (and gets the answer the last one got) adds a row of references, not a
//! copy. Large payloads are kept compressed.
//!
//! A blob is found by a hash of what it stores and its bytes compared, so
//! two payloads whose hashes agree are never merged; a record refers to
//! it by its (small) id. Blobs are never deleted, so an id once seen stays
//! valid.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

/// Payloads up to this size stay in the record's row: a reference would
/// cost as much.
pub const INLINE_MAX: usize = 40;
/// Payloads from this size are compressed (LZ4) when that saves an
/// eighth or more.
const COMPRESS_MIN: usize = 4096;
/// The writer remembers this many recent small blobs, so the same one
/// sent again is matched without reading it back.
const CACHE_ENTRIES: usize = 4096;
/// ... when they are at most this large.
const CACHE_MAX: usize = 4096;

const RAW: i64 = 0;
const LZ4: i64 = 1;

/// The writer's memory of blobs known to be stored.
#[derive(Debug, Default)]
pub struct Blobs {
    /// By hash: the blob's id and its bytes as stored.
    known: HashMap<i64, (i64, Vec<u8>)>,
}

/// Where a payload went.
pub enum Put<'a> {
    /// In the row, as it is.
    Inline(&'a [u8]),
    /// In `blobs`, under this id.
    Blob(i64),
}

impl Blobs {
    /// Forgets everything: a transaction that wrote blobs was rolled back.
    pub fn forget(&mut self) {
        self.known.clear();
    }

    /// Stores `bytes` within the current transaction of `conn` (once, by
    /// content) and says where.
    pub fn put<'a>(&mut self, conn: &Connection, bytes: &'a [u8]) -> rusqlite::Result<Put<'a>> {
        if bytes.len() <= INLINE_MAX {
            return Ok(Put::Inline(bytes));
        }
        let packed = pack(bytes);
        let (codec, data): (i64, &[u8]) = match &packed {
            Some(p) => (LZ4, p),
            None => (RAW, bytes),
        };
        let hash = hash_of(codec, data);
        if let Some((id, known)) = self.known.get(&hash)
            && known.as_slice() == data
        {
            return Ok(Put::Blob(*id));
        }
        let mut same = conn.prepare_cached(
            "SELECT id, data FROM blobs WHERE hash = ?1 AND codec = ?2 AND length(data) = ?3",
        )?;
        let mut found = None;
        let mut rows = same.query(params![hash, codec, data.len() as i64])?;
        while let Some(r) = rows.next()? {
            if r.get_ref(1)?.as_blob()? == data {
                found = Some(r.get(0)?);
                break;
            }
        }
        drop(rows);
        let id = match found {
            Some(id) => id,
            None => {
                conn.prepare_cached("INSERT INTO blobs (hash, codec, data) VALUES (?1, ?2, ?3)")?
                    .execute(params![hash, codec, data])?;
                conn.last_insert_rowid()
            }
        };
        if data.len() <= CACHE_MAX {
            if self.known.len() >= CACHE_ENTRIES {
                self.known.clear();
            }
            self.known.insert(hash, (id, data.to_vec()));
        }
        Ok(Put::Blob(id))
    }
}

/// The bytes of blob `id`.
pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Vec<u8>> {
    let (codec, data): (i64, Vec<u8>) = conn
        .prepare_cached("SELECT codec, data FROM blobs WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| damaged(format!("stored payload {id} is missing")))?;
    unpack(codec, data).map_err(damaged)
}

/// Reads records' payloads; a blob that many of them refer to (the
/// request of a delivery replayed many times) is read once.
pub struct Reader<'c> {
    conn: &'c Connection,
    memo: std::cell::RefCell<HashMap<i64, Vec<u8>>>,
}

impl<'c> Reader<'c> {
    pub fn new(conn: &'c Connection) -> Reader<'c> {
        Reader {
            conn,
            memo: Default::default(),
        }
    }

    /// A record's payload: the blob it refers to, or what its row holds.
    pub fn resolve(&self, inline: Vec<u8>, blob: Option<i64>) -> rusqlite::Result<Vec<u8>> {
        let Some(id) = blob else {
            return Ok(inline);
        };
        if let Some(b) = self.memo.borrow().get(&id) {
            return Ok(b.clone());
        }
        let bytes = get(self.conn, id)?;
        if bytes.len() <= CACHE_MAX {
            let mut memo = self.memo.borrow_mut();
            if memo.len() >= CACHE_ENTRIES {
                memo.clear();
            }
            memo.insert(id, bytes.clone());
        }
        Ok(bytes)
    }

    /// The same, for text (headers as JSON).
    pub fn resolve_text(&self, inline: String, blob: Option<i64>) -> rusqlite::Result<String> {
        match blob {
            Some(id) => String::from_utf8(self.resolve(Vec::new(), Some(id))?)
                .map_err(|_| damaged(format!("stored headers {id} are not text"))),
            None => Ok(inline),
        }
    }
}

/// The bytes a blob of `codec` holds, as they were stored.
pub fn unpack(codec: i64, data: Vec<u8>) -> Result<Vec<u8>, String> {
    match codec {
        RAW => Ok(data),
        LZ4 => {
            // The size it claims is checked before anything is allocated
            // for it: LZ4 packs at most about 255 to 1, and nothing stored
            // is over 1 GiB, so a damaged file cannot ask for gigabytes.
            let claimed = lz4_flex::block::uncompressed_size(&data)
                .map(|(n, _)| n)
                .map_err(|e| format!("a stored payload does not decompress: {e}"))?;
            if claimed > data.len().saturating_mul(255).min(1 << 30) {
                return Err(format!(
                    "a stored payload claims {claimed} bytes from {}",
                    data.len()
                ));
            }
            lz4_flex::block::decompress_size_prepended(&data)
                .map_err(|e| format!("a stored payload does not decompress: {e}"))
        }
        other => Err(format!("a stored payload has an unknown codec {other}")),
    }
}

fn damaged(detail: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Blob,
        format!("{detail} (the history is damaged)").into(),
    )
}

/// `bytes` compressed, when large enough and when that pays.
fn pack(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.len() < COMPRESS_MIN {
        return None;
    }
    let packed = lz4_flex::block::compress_prepend_size(bytes);
    (packed.len() <= bytes.len() - bytes.len() / 8).then_some(packed)
}

/// A blob's hash: 63 bits of SHA-256 over its codec and data.
fn hash_of(codec: i64, data: &[u8]) -> i64 {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(&[codec as u8]);
    ctx.update(data);
    let d = ctx.finish();
    let mut first = [0u8; 8];
    first.copy_from_slice(&d.as_ref()[..8]);
    (u64::from_le_bytes(first) >> 1) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE TABLE blobs (id INTEGER PRIMARY KEY, hash INTEGER NOT NULL,
                codec INTEGER NOT NULL, data BLOB NOT NULL)",
        )
        .unwrap();
        c
    }

    #[test]
    fn small_payloads_stay_inline_and_the_same_payload_is_stored_once() {
        let c = conn();
        let mut b = Blobs::default();
        assert!(matches!(b.put(&c, b"{}").unwrap(), Put::Inline(b"{}")));
        let body = br#"{"eventName":"Signup Completed","profile":{"email":"maria@example.com"}}"#;
        let Put::Blob(first) = b.put(&c, body).unwrap() else {
            panic!("not stored")
        };
        // Again, from the cache and from a writer that forgot it.
        let Put::Blob(again) = b.put(&c, body).unwrap() else {
            panic!()
        };
        b.forget();
        let Put::Blob(third) = b.put(&c, body).unwrap() else {
            panic!()
        };
        assert_eq!((first, first), (again, third));
        let n: i64 = c
            .query_row("SELECT count(*) FROM blobs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(get(&c, first).unwrap(), body);
    }

    #[test]
    fn large_payloads_are_compressed_and_come_back_whole() {
        let c = conn();
        let mut b = Blobs::default();
        let body = br#"{"id":"lead","plan":"pro"},"#.repeat(4000);
        let Put::Blob(id) = b.put(&c, &body).unwrap() else {
            panic!()
        };
        let stored: i64 = c
            .query_row("SELECT length(data) FROM blobs", [], |r| r.get(0))
            .unwrap();
        assert!(stored * 4 < body.len() as i64, "{stored} of {}", body.len());
        assert_eq!(get(&c, id).unwrap(), body);
    }

    #[test]
    fn payloads_whose_hashes_agree_are_kept_apart() {
        let c = conn();
        let mut b = Blobs::default();
        let body = b"the payload that was stored first, long enough for a blob".to_vec();
        let mut other = b"another payload, stored second".to_vec();
        other.resize(body.len(), b'!');
        assert_eq!(body.len(), other.len());
        let Put::Blob(id) = b.put(&c, &body).unwrap() else {
            panic!()
        };
        // The other payload under the first one's hash: a collision.
        c.execute(
            "UPDATE blobs SET hash = ?1 WHERE id = ?2",
            params![hash_of(RAW, &other), id],
        )
        .unwrap();
        b.forget();
        let Put::Blob(second) = b.put(&c, &other).unwrap() else {
            panic!()
        };
        assert_ne!(id, second);
        assert_eq!(get(&c, id).unwrap(), body);
        assert_eq!(get(&c, second).unwrap(), other);
        // A damaged blob is an error, not a wrong body.
        c.execute("UPDATE blobs SET codec = 1 WHERE id = ?1", [id])
            .unwrap();
        assert!(get(&c, id).is_err());
        assert!(get(&c, 12345).unwrap_err().to_string().contains("damaged"));
        // A compressed blob claiming 4 GiB is refused, not allocated.
        let mut huge = u32::MAX.to_le_bytes().to_vec();
        huge.extend_from_slice(&[0x10, b'x']);
        let err = unpack(LZ4, huge).unwrap_err();
        assert!(err.contains("claims"), "{err}");
    }
}
