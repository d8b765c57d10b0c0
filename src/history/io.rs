//! Import and export of deliveries: JSON Lines and HAR.
//!
//! JSON Lines: one object per line,
//! `{"method", "url", "headers", "body", "status"?, "error"?, "time"?}`, and
//! on export also `id`, `origin`, `profile`, `response_headers`,
//! `response_body`, `elapsed_ms`. Headers are `[[name, value], ...]` (an
//! object `{name: value}` is read too); a body that is not UTF-8 is base64
//! with `"body_encoding": "base64"` beside it; `time` is RFC 3339 or Unix
//! milliseconds; `error` is a message or `{"kind", "message"}`.

use std::time::{Duration, SystemTime};

use base64::Engine;
use serde_json::{Map, Value, json};

use super::Record;
use crate::clock;
use crate::exchange::{ErrorKind, Exchange, Origin, Response, TransportError};
use crate::wire::PreparedRequest;

/// What an import found: the deliveries, and each bad line or entry by
/// number (1-based) with the reason.
#[derive(Debug, Default)]
pub struct Parsed {
    pub exchanges: Vec<Exchange>,
    /// The id each exchange had where it was exported, when the file says.
    pub ids: Vec<Option<i64>>,
    pub bad: Vec<(usize, String)>,
}

/// The origin an export wrote (`fire`, `replay of #12`, ...); a file
/// from elsewhere that names none is an import.
fn origin_of(v: Option<&Value>) -> Result<Origin, String> {
    match v {
        None | Some(Value::Null) => Ok(Origin::Import),
        Some(Value::String(s)) => Origin::parse(s).ok_or_else(|| {
            format!("`origin` `{s}` is not fire, replay of #N, retry of #N, import or received")
        }),
        Some(_) => Err("`origin` must be text".into()),
    }
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

fn body_of(obj: &Map<String, Value>, key: &str, enc_key: &str) -> Result<Vec<u8>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => {
            if obj.get(enc_key).and_then(Value::as_str) == Some("base64") {
                b64()
                    .decode(s)
                    .map_err(|e| format!("`{key}` is not valid base64: {e}"))
            } else {
                Ok(s.clone().into_bytes())
            }
        }
        // A JSON body written as JSON.
        Some(other) => Ok(other.to_string().into_bytes()),
    }
}

fn headers_of(v: Option<&Value>, what: &str) -> Result<Vec<(String, String)>, String> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|h| match h {
                Value::Array(pair) if pair.len() == 2 => match (&pair[0], &pair[1]) {
                    (Value::String(n), Value::String(v)) => Ok((n.clone(), v.clone())),
                    _ => Err(format!("`{what}` pairs must be [name, value] strings")),
                },
                Value::Object(o) => match (o.get("name"), o.get("value")) {
                    (Some(Value::String(n)), Some(Value::String(v))) => Ok((n.clone(), v.clone())),
                    _ => Err(format!("`{what}` entries need a name and a value")),
                },
                _ => Err(format!("`{what}` must be [[name, value], ...]")),
            })
            .collect(),
        Some(Value::Object(o)) => Ok(o
            .iter()
            .map(|(n, v)| {
                (
                    n.clone(),
                    v.as_str().map_or_else(|| v.to_string(), str::to_string),
                )
            })
            .collect()),
        Some(_) => Err(format!("`{what}` must be [[name, value], ...]")),
    }
}

/// The times a record may have: the years 1970 to 9999.
const TIMES_MS: std::ops::Range<i64> = 0..253_402_300_800_000;

/// A time named `key` (the field's name, for messages).
fn time_of(v: Option<&Value>, key: &str) -> Result<SystemTime, String> {
    let ms = match v {
        None | Some(Value::Null) => return Ok(SystemTime::now()),
        Some(Value::Number(n)) => n
            .as_i64()
            .ok_or_else(|| format!("`{key}` must be Unix milliseconds or RFC 3339"))?,
        Some(Value::String(s)) => clock::parse_rfc3339(s)
            .map(clock::unix_millis)
            .ok_or_else(|| format!("`{key}` `{s}` is not RFC 3339 (2026-01-26T10:12:45Z)"))?,
        Some(_) => return Err(format!("`{key}` must be Unix milliseconds or RFC 3339")),
    };
    if !TIMES_MS.contains(&ms) {
        return Err(format!("`{key}` is outside the years 1970 to 9999"));
    }
    Ok(clock::from_unix_millis(ms))
}

/// A duration in milliseconds named `key`: whole or not, at most a year.
fn millis_of(v: Option<&Value>, key: &str) -> Result<Duration, String> {
    match v {
        None | Some(Value::Null) => Ok(Duration::ZERO),
        Some(t) => t
            .as_f64()
            .filter(|ms| ms.is_finite() && *ms >= 0.0 && *ms <= 366.0 * 86_400_000.0)
            .map(|ms| Duration::from_secs_f64(ms / 1000.0))
            .ok_or_else(|| format!("`{key}` {t} is not a duration in milliseconds (0 to a year)")),
    }
}

/// A method as HTTP carries it: a short token.
fn check_method(method: &str) -> Result<(), String> {
    let ok = !method.is_empty()
        && method.len() <= 32
        && method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`method` {} is not an HTTP method",
            serde_json::to_string(method).unwrap_or_default()
        ))
    }
}

/// A profile name as a record names it: printable text.
fn profile_of(v: Option<&Value>, key: &str) -> Result<Option<String>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.len() <= 200 && !s.chars().any(char::is_control) => {
            Ok(Some(s.clone()))
        }
        Some(Value::String(_)) => Err(format!(
            "`{key}` holds a control character or is over 200 bytes: not a profile name"
        )),
        Some(_) => Err(format!("`{key}` must be text")),
    }
}

/// Who sent a received request: short printable text, or nothing.
fn peer_of(v: Option<&Value>) -> Option<String> {
    v?.as_str()
        .filter(|s| s.len() <= 100 && !s.chars().any(char::is_control))
        .map(str::to_string)
}

fn error_of(v: Option<&Value>) -> Option<TransportError> {
    match v? {
        Value::Null => None,
        Value::String(m) => Some(TransportError {
            kind: ErrorKind::Other,
            message: m.clone(),
        }),
        Value::Object(o) => Some(TransportError {
            kind: super::error_kind(o.get("kind").and_then(Value::as_str).unwrap_or("other")),
            message: o
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        }),
        other => Some(TransportError {
            kind: ErrorKind::Other,
            message: other.to_string(),
        }),
    }
}

fn response(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> Response {
    Response {
        status,
        reason: Response::reason_for(status),
        headers,
        body,
        truncated: false,
        redirects: Vec::new(),
    }
}

fn check_url(url: &str) -> Result<(), String> {
    match reqwest::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(()),
        Ok(u) => Err(format!(
            "`url` scheme `{}` is not http or https",
            u.scheme()
        )),
        Err(e) => Err(format!("`url` `{url}` is invalid: {e}")),
    }
}

/// Headers HTTP could carry, or the first that it could not.
fn checked(headers: Vec<(String, String)>, at: &str) -> Result<Vec<(String, String)>, String> {
    crate::wire::check_headers(&headers).map_err(|m| format!("`{at}`: {m}"))?;
    Ok(headers)
}

/// Method, URL and headers.
type RequestLine = (String, String, Vec<(String, String)>);

/// Method, URL (checked) and headers of an object; `at` prefixes the field
/// names in messages (`request.` in HAR).
fn request_line(obj: &Value, at: &str) -> Result<RequestLine, String> {
    let text = |key: &str| {
        obj.get(key)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("`{at}{key}` is missing"))
    };
    let method = text("method")?.to_ascii_uppercase();
    check_method(&method)?;
    let url = text("url")?.to_string();
    check_url(&url)?;
    let headers = headers_of(obj.get("headers"), &format!("{at}headers"))?;
    // A header HTTP cannot carry would be dropped when sent again, and the
    // record would say it went: the entry is refused instead.
    crate::wire::check_headers(&headers).map_err(|m| format!("`{at}headers`: {m}"))?;
    Ok((method, url, headers))
}

fn jsonl_line(line: &str) -> Result<Exchange, String> {
    let v: Value = serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))?;
    let Some(o) = v.as_object() else {
        return Err("each line must be a JSON object".into());
    };
    let (method, url, headers) = request_line(&v, "")?;
    let body = body_of(o, "body", "body_encoding")?;
    let status = match o.get("status") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .filter(|s| (100..600).contains(s))
                .ok_or("`status` must be a number from 100 to 599")? as u16,
        ),
    };
    let error = error_of(o.get("error"));
    let resp = status.map(|s| -> Result<Response, String> {
        Ok(response(
            s,
            checked(
                headers_of(o.get("response_headers"), "response_headers")?,
                "response_headers",
            )?,
            body_of(o, "response_body", "response_body_encoding")?,
        ))
    });
    Ok(Exchange {
        origin: origin_of(o.get("origin"))?,
        profile: profile_of(o.get("profile"), "profile")?,
        env: profile_of(o.get("env"), "env")?,
        peer: peer_of(o.get("peer")),
        started_at: time_of(o.get("time"), "time")?,
        elapsed: millis_of(o.get("elapsed_ms"), "elapsed_ms")?,
        request: PreparedRequest::plain(method, url, headers, body),
        response: resp.transpose()?,
        error,
    })
}

/// Reads JSON Lines; blank lines are skipped, bad ones reported by number.
pub fn parse_jsonl(text: &str) -> Parsed {
    let mut out = Parsed::default();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match jsonl_line(line) {
            Ok(ex) => {
                let id = serde_json::from_str::<Value>(line)
                    .ok()
                    .and_then(|v| v.get("id").and_then(Value::as_i64));
                out.exchanges.push(ex);
                out.ids.push(id);
            }
            Err(e) => out.bad.push((i + 1, e)),
        }
    }
    out
}

fn har_entry(e: &Value) -> Result<Exchange, String> {
    let req = e.get("request").ok_or("no `request`")?;
    let (method, url, headers) = request_line(req, "request.")?;
    let post = req.get("postData");
    let body = match (
        post.and_then(|p| p.get("text")).and_then(Value::as_str),
        post.and_then(|p| p.get("encoding")).and_then(Value::as_str),
    ) {
        (Some(t), Some("base64")) => b64()
            .decode(t)
            .map_err(|e| format!("`request.postData.text` is not valid base64: {e}"))?,
        (Some(t), _) => t.as_bytes().to_vec(),
        (None, _) => Vec::new(),
    };
    let started_at = time_of(e.get("startedDateTime"), "startedDateTime")?;
    let elapsed = match e.get("time") {
        None | Some(Value::Null) => Duration::ZERO,
        Some(t) => t
            .as_f64()
            .filter(|ms| ms.is_finite())
            .and_then(|ms| Duration::try_from_secs_f64(ms.max(0.0) / 1000.0).ok())
            .filter(|d| d.as_secs() <= 366 * 86_400)
            .ok_or_else(|| {
                format!("`time` {t} is not a duration in milliseconds (at most a year)")
            })?,
    };
    let (response_v, error) = match e.get("response") {
        Some(r) => {
            let status = r.get("status").and_then(Value::as_u64).unwrap_or(0);
            if status == 0 {
                let text = e
                    .get("_error")
                    .and_then(Value::as_str)
                    .unwrap_or("no response (status 0 in the HAR file)");
                // Our own exports write "kind: message".
                let (kind, message) = match text.split_once(": ") {
                    Some((k, m)) if super::error_kind(k) != ErrorKind::Other || k == "other" => {
                        (super::error_kind(k), m.to_string())
                    }
                    _ => (ErrorKind::Other, text.to_string()),
                };
                (None, Some(TransportError { kind, message }))
            } else {
                let content = r.get("content");
                let text = content.and_then(|c| c.get("text")).and_then(Value::as_str);
                let body = match (
                    text,
                    content
                        .and_then(|c| c.get("encoding"))
                        .and_then(Value::as_str),
                ) {
                    (Some(t), Some("base64")) => b64()
                        .decode(t)
                        .map_err(|e| format!("`response.content.text` is not valid base64: {e}"))?,
                    (Some(t), _) => t.as_bytes().to_vec(),
                    (None, _) => Vec::new(),
                };
                (
                    Some(response(
                        status.min(599) as u16,
                        checked(
                            headers_of(r.get("headers"), "response.headers")?,
                            "response.headers",
                        )?,
                        body,
                    )),
                    None,
                )
            }
        }
        None => (None, None),
    };
    Ok(Exchange {
        origin: origin_of(e.get("_origin"))?,
        profile: profile_of(e.get("_profile"), "_profile")?,
        env: profile_of(e.get("_env"), "_env")?,
        peer: peer_of(e.get("_peer")),
        started_at,
        elapsed,
        request: PreparedRequest::plain(method, url, headers, body),
        response: response_v,
        error,
    })
}

/// Reads a HAR file; bad entries are reported by number (1-based).
pub fn parse_har(text: &str) -> Result<Parsed, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "not a HAR file: invalid JSON at line {}, col {}",
            e.line(),
            e.column()
        )
    })?;
    let entries = v
        .get("log")
        .and_then(|l| l.get("entries"))
        .and_then(Value::as_array)
        .ok_or("not a HAR file: no `log.entries`")?;
    let mut out = Parsed::default();
    for (i, e) in entries.iter().enumerate() {
        match har_entry(e) {
            Ok(ex) => {
                out.exchanges.push(ex);
                out.ids.push(e.get("_id").and_then(Value::as_i64));
            }
            Err(m) => out.bad.push((i + 1, m)),
        }
    }
    Ok(out)
}

fn put_body(obj: &mut Map<String, Value>, key: &str, enc_key: &str, body: &[u8]) {
    match std::str::from_utf8(body) {
        Ok(t) => {
            obj.insert(key.into(), Value::String(t.into()));
        }
        Err(_) => {
            obj.insert(key.into(), Value::String(b64().encode(body)));
            obj.insert(enc_key.into(), Value::String("base64".into()));
        }
    }
}

/// One record as a JSON Lines object.
pub fn jsonl_record(r: &Record) -> Value {
    let ex = &r.exchange;
    let mut o = Map::new();
    o.insert("id".into(), json!(r.id));
    o.insert("time".into(), json!(clock::rfc3339_millis(ex.started_at)));
    o.insert("origin".into(), json!(ex.origin.to_string()));
    o.insert("profile".into(), json!(ex.profile));
    if let Some(e) = &ex.env {
        o.insert("env".into(), json!(e));
    }
    if let Some(p) = &ex.peer {
        o.insert("peer".into(), json!(p));
    }
    o.insert("method".into(), json!(ex.request.method));
    o.insert("url".into(), json!(ex.request.url));
    o.insert("headers".into(), json!(ex.request.headers));
    put_body(&mut o, "body", "body_encoding", &ex.request.body);
    if let Some(resp) = &ex.response {
        o.insert("status".into(), json!(resp.status));
        o.insert("response_headers".into(), json!(resp.headers));
        put_body(
            &mut o,
            "response_body",
            "response_body_encoding",
            &resp.body,
        );
    }
    if let Some(e) = &ex.error {
        o.insert(
            "error".into(),
            json!({"kind": e.kind.as_str(), "message": e.message}),
        );
    }
    o.insert("elapsed_ms".into(), json!(ex.elapsed.as_millis() as u64));
    Value::Object(o)
}

/// Records as a HAR 1.2 document.
pub fn to_har(records: &[Record]) -> Value {
    let entries: Vec<Value> = records
        .iter()
        .map(|r| {
            let ex = &r.exchange;
            let hdrs = |h: &[(String, String)]| -> Vec<Value> {
                h.iter()
                    .map(|(n, v)| json!({"name": n, "value": v}))
                    .collect()
            };
            let mime = |h: &[(String, String)]| {
                h.iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
                    .map_or_else(String::new, |(_, v)| v.clone())
            };
            let mut request = json!({
                "method": ex.request.method,
                "url": ex.request.url,
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": hdrs(&ex.request.headers),
                "queryString": [],
                "headersSize": -1,
                "bodySize": ex.request.body.len(),
            });
            if !ex.request.body.is_empty() {
                // Bytes that are not UTF-8 go as base64, marked, as
                // response bodies do: a round trip keeps them.
                request["postData"] = match std::str::from_utf8(&ex.request.body) {
                    Ok(t) => json!({"mimeType": mime(&ex.request.headers), "text": t}),
                    Err(_) => json!({
                        "mimeType": mime(&ex.request.headers),
                        "text": b64().encode(&ex.request.body),
                        "encoding": "base64",
                    }),
                };
            }
            let response = match &ex.response {
                Some(resp) => {
                    let mut content =
                        json!({"size": resp.body.len(), "mimeType": mime(&resp.headers)});
                    match std::str::from_utf8(&resp.body) {
                        Ok(t) => content["text"] = json!(t),
                        Err(_) => {
                            content["text"] = json!(b64().encode(&resp.body));
                            content["encoding"] = json!("base64");
                        }
                    }
                    json!({
                        "status": resp.status,
                        "statusText": resp.reason,
                        "httpVersion": "HTTP/1.1",
                        "cookies": [],
                        "headers": hdrs(&resp.headers),
                        "content": content,
                        "redirectURL": "",
                        "headersSize": -1,
                        "bodySize": resp.body.len(),
                    })
                }
                None => json!({
                    "status": 0, "statusText": "", "httpVersion": "HTTP/1.1", "cookies": [],
                    "headers": [], "content": {"size": 0, "mimeType": ""}, "redirectURL": "",
                    "headersSize": -1, "bodySize": -1,
                }),
            };
            let mut entry = json!({
                "startedDateTime": clock::rfc3339_millis(ex.started_at),
                "time": ex.elapsed.as_secs_f64() * 1000.0,
                "request": request,
                "response": response,
                "cache": {},
                "timings": {"send": 0, "wait": ex.elapsed.as_secs_f64() * 1000.0, "receive": 0},
                "comment": format!("hookbench #{} ({})", r.id, ex.origin),
                "_id": r.id,
                "_origin": ex.origin.to_string(),
                "_profile": ex.profile,
            });
            if let Some(p) = &ex.peer {
                entry["_peer"] = json!(p);
            }
            if let Some(e) = &ex.env {
                entry["_env"] = json!(e);
            }
            if let Some(e) = &ex.error {
                entry["_error"] = json!(format!("{}: {}", e.kind.as_str(), e.message));
            }
            entry
        })
        .collect();
    json!({"log": {
        "version": "1.2",
        "creator": {"name": "hookbench", "version": env!("CARGO_PKG_VERSION")},
        "entries": entries,
    }})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_reads_good_lines_and_numbers_bad_ones() {
        let text = r#"{"method": "post", "url": "http://a/x", "headers": [["X-A", "1"]], "body": "{}", "status": 500, "time": "2026-01-26T10:12:45Z"}

not json
{"method": "PUT", "url": "http://a/y", "headers": {"X-B": "2"}, "error": "timed out", "time": 1769422365000}
{"url": "http://a/z"}
{"method": "POST", "url": "ftp://a/"}
{"method": "POST", "url": "http://a/b", "status": 42}
"#;
        let p = parse_jsonl(text);
        assert_eq!(p.exchanges.len(), 2);
        assert_eq!(p.exchanges[0].request.method, "POST");
        assert_eq!(p.exchanges[0].response.as_ref().unwrap().status, 500);
        assert_eq!(
            clock::unix_seconds(p.exchanges[0].started_at),
            1_769_422_365
        );
        assert_eq!(
            p.exchanges[1].request.headers,
            [("X-B".to_string(), "2".to_string())]
        );
        assert_eq!(p.exchanges[1].error.as_ref().unwrap().message, "timed out");
        let lines: Vec<usize> = p.bad.iter().map(|(n, _)| *n).collect();
        assert_eq!(lines, [3, 5, 6, 7]);
        assert!(p.bad[1].1.contains("`method` is missing"));
    }
}
