//! Sample trigger events: JSON files shaped like the platform's own events.

use std::fs;
use std::path::Path;

use serde_json::{Map, Value};

use crate::diag::Diagnostic;
use crate::files::io_reason as file_io_reason;
use crate::profile::LoadedProfile;

/// The sample event of a profile: `explicit` (from `--event`) or the file
/// the profile names, or none. A file that cannot be read is reported at the
/// profile's `event` field; invalid JSON at its place in the event file.
pub fn load_for(
    loaded: &LoadedProfile,
    explicit: Option<&Path>,
) -> Result<Option<Value>, Diagnostic> {
    if let Some(p) = explicit {
        return load(p).map(Some);
    }
    let Some(path) = loaded.event_path() else {
        return Ok(loaded.profile.sample_event.clone().map(Value::Object));
    };
    if let Err(e) = fs::metadata(&path) {
        let rel = loaded.profile.event.as_deref().unwrap_or_default();
        return Err(loaded.diag_at(
            rel,
            0,
            format!(
                "cannot read event file `{}`: {} (paths are relative to the profile's folder)",
                path.display(),
                file_io_reason(&e)
            ),
        ));
    }
    load(&path).map(Some)
}

/// Reads an event file; it must hold one JSON object.
pub fn load(path: &Path) -> Result<Value, Diagnostic> {
    let text = fs::read_to_string(path).map_err(|e| {
        Diagnostic::whole_file(
            path,
            format!("cannot read event file: {}", file_io_reason(&e)),
        )
    })?;
    parse(path, &text)
}

/// Parses event text; `path` names the file in errors.
pub fn parse(path: &Path, text: &str) -> Result<Value, Diagnostic> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        Diagnostic::new(
            path,
            e.line(),
            e.column(),
            format!("invalid JSON: {}", strip_pos(&e)),
        )
    })?;
    if !value.is_object() {
        return Err(Diagnostic::whole_file(
            path,
            format!(
                "an event must be a JSON object, not {}",
                crate::template::kind_of(&value)
            ),
        ));
    }
    Ok(value)
}

/// serde_json's message without its " at line L column C" tail.
fn strip_pos(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Applies `--set PATH=VALUE`: PATH is `event.a.b` (array items by number);
/// VALUE is JSON when it parses as JSON, else a string. Missing objects on
/// the way are created.
/// How deep a `--set` path may go (an event nested deeper is no webhook's,
/// and serialising a much deeper one would exhaust the stack).
pub const MAX_SET_DEPTH: usize = 64;

/// A long argument as an error quotes it: its start.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

pub fn apply_set(event: &mut Value, assignment: &str) -> Result<(), String> {
    let (path, raw) = assignment
        .split_once('=')
        .ok_or_else(|| format!("`--set {}`: expected PATH=VALUE", shorten(assignment)))?;
    let steps: Vec<&str> = path.trim().split('.').collect();
    if steps.first() != Some(&"event") || steps.len() < 2 || steps.iter().any(|s| s.is_empty()) {
        return Err(format!(
            "`--set {}`: the path must start with `event.`, e.g. event.profile.plan=pro",
            shorten(assignment)
        ));
    }
    if steps.len() > MAX_SET_DEPTH + 1 {
        return Err(format!(
            "`--set {}`: the path is {} levels deep; at most {MAX_SET_DEPTH}",
            shorten(assignment),
            steps.len() - 1
        ));
    }
    let value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string()));
    let mut cur = event;
    let last = steps.len() - 1;
    for (i, step) in steps.iter().enumerate().skip(1) {
        let here = steps[..i].join(".");
        if let Value::Array(items) = cur {
            let idx: usize = step
                .parse()
                .map_err(|_| format!("`{here}` is an array: index it with a number"))?;
            let len = items.len();
            let slot = items.get_mut(idx).ok_or_else(|| {
                format!("`{here}` has {len} item(s): index {idx} is out of range")
            })?;
            if i == last {
                *slot = value;
                return Ok(());
            }
            cur = slot;
            continue;
        }
        if cur.is_null() {
            *cur = Value::Object(Map::new());
        }
        let Value::Object(map) = cur else {
            return Err(format!(
                "`{here}` is {}, so it has no `{step}`",
                crate::template::kind_of(cur)
            ));
        };
        if i == last {
            map.insert(step.to_string(), value);
            return Ok(());
        }
        cur = map
            .entry(step.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    unreachable!("the loop returns at the last step")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn set_overrides_and_creates() {
        let mut e = json!({"profile": {"plan": "free"}, "items": [{"sku": "a"}]});
        apply_set(&mut e, "event.profile.plan=pro").unwrap();
        apply_set(&mut e, "event.profile.seats=5").unwrap();
        apply_set(&mut e, "event.items.0.sku=\"b\"").unwrap();
        apply_set(&mut e, "event.new.deep={\"x\":[1]}").unwrap();
        assert_eq!(
            e,
            json!({"profile": {"plan": "pro", "seats": 5}, "items": [{"sku": "b"}],
                   "new": {"deep": {"x": [1]}}})
        );
        assert!(apply_set(&mut e, "profile.plan=x").is_err());
        assert!(apply_set(&mut e, "event.items.x=1").is_err());
        assert!(apply_set(&mut e, "event.profile.plan.x=1").is_err());
        assert!(apply_set(&mut e, "event.profile").is_err());
    }

    #[test]
    fn parse_errors_have_line_and_column() {
        let d = parse(Path::new("e.json"), "{\n  \"a\": 1,\n  \"b\" 2\n}").unwrap_err();
        assert_eq!((d.line, d.col), (3, 7));
        assert!(
            d.message.starts_with("invalid JSON: expected `:`"),
            "{}",
            d.message
        );
        let d = parse(Path::new("e.json"), "[1]").unwrap_err();
        assert!(d.message.contains("not an array"));
    }
}
