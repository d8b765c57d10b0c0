//! Differences between two exchanges: headers by name, bodies as JSON
//! structures (key by key, item by item) when both parse, else line by line.

use serde_json::Value;

use crate::exchange::Exchange;

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Only on the right.
    Added { at: String, value: String },
    /// Only on the left.
    Removed { at: String, value: String },
    Changed {
        at: String,
        left: String,
        right: String,
    },
}

impl Change {
    pub fn at(&self) -> &str {
        match self {
            Change::Added { at, .. } | Change::Removed { at, .. } | Change::Changed { at, .. } => {
                at
            }
        }
    }
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::Added { at, value } => write!(f, "+ {at}: {value}"),
            Change::Removed { at, value } => write!(f, "- {at}: {value}"),
            Change::Changed { at, left, right } => write!(f, "~ {at}: {left} → {right}"),
        }
    }
}

/// Headers compared by name (case-insensitive), in the left's order, then
/// the right's additions.
pub fn headers(left: &[(String, String)], right: &[(String, String)]) -> Vec<Change> {
    let find = |h: &[(String, String)], n: &str| {
        h.iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for (n, _) in left {
        let key = n.to_ascii_lowercase();
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let (l, r) = (find(left, n), find(right, n));
        if !right.iter().any(|(k, _)| k.eq_ignore_ascii_case(n)) {
            out.push(Change::Removed {
                at: n.clone(),
                value: l,
            });
        } else if l != r {
            out.push(Change::Changed {
                at: n.clone(),
                left: l,
                right: r,
            });
        }
    }
    for (n, v) in right {
        if !left.iter().any(|(k, _)| k.eq_ignore_ascii_case(n))
            && !seen.contains(&n.to_ascii_lowercase())
        {
            seen.push(n.to_ascii_lowercase());
            out.push(Change::Added {
                at: n.clone(),
                value: v.clone(),
            });
        }
    }
    out
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        let mut t: String = s.chars().take(79).collect();
        t.push('…');
        t
    } else {
        s
    }
}

fn json_diff(path: &str, a: &Value, b: &Value, out: &mut Vec<Change>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                let p = key_path(path, k);
                match y.get(k) {
                    Some(vb) => json_diff(&p, va, vb, out),
                    None => out.push(Change::Removed {
                        at: p,
                        value: short(va),
                    }),
                }
            }
            for (k, vb) in y {
                if !x.contains_key(k) {
                    out.push(Change::Added {
                        at: key_path(path, k),
                        value: short(vb),
                    });
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            // Items aligned as a diff aligns lines: one inserted item is
            // one addition, not a change of every later item.
            let keys = |v: &[Value]| v.iter().map(Value::to_string).collect::<Vec<_>>();
            for step in align(&keys(x), &keys(y)) {
                match step {
                    Step::Pair(i, j) => json_diff(&format!("{path}[{i}]"), &x[i], &y[j], out),
                    Step::Left(i) => out.push(Change::Removed {
                        at: format!("{path}[{i}]"),
                        value: short(&x[i]),
                    }),
                    Step::Right(j) => out.push(Change::Added {
                        at: format!("{path}[{j}]"),
                        value: short(&y[j]),
                    }),
                }
            }
        }
        _ if a != b => out.push(Change::Changed {
            at: path.to_string(),
            left: short(a),
            right: short(b),
        }),
        _ => {}
    }
}

/// Bodies compared: as JSON (paths like `$.profile.plan`) when both parse,
/// else line by line.
pub fn bodies(left: &[u8], right: &[u8]) -> Vec<Change> {
    if left == right {
        return Vec::new();
    }
    let parse = |b: &[u8]| {
        if b.is_empty() {
            Some(Value::Null)
        } else {
            serde_json::from_slice::<Value>(b).ok()
        }
    };
    if let (Some(a), Some(b)) = (parse(left), parse(right)) {
        let mut out = Vec::new();
        json_diff("$", &a, &b, &mut out);
        return out;
    }
    let (a, b) = (
        String::from_utf8_lossy(left),
        String::from_utf8_lossy(right),
    );
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    align(&la, &lb)
        .into_iter()
        .filter_map(|step| match step {
            Step::Pair(i, j) => (la[i] != lb[j]).then(|| Change::Changed {
                at: format!("line {}", i + 1),
                left: la[i].to_string(),
                right: lb[j].to_string(),
            }),
            Step::Left(i) => Some(Change::Removed {
                at: format!("line {}", i + 1),
                value: la[i].to_string(),
            }),
            Step::Right(j) => Some(Change::Added {
                at: format!("line {}", j + 1),
                value: lb[j].to_string(),
            }),
        })
        .collect()
}

/// A path to key `k` under `path`: `$.plan`, or `$["a.b"]` for a key that
/// is not a plain name (a dot, a space, a quote in it), so a path reads one
/// way only.
fn key_path(path: &str, k: &str) -> String {
    let plain = k
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && k.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if plain {
        format!("{path}.{k}")
    } else {
        format!(
            "{path}[{}]",
            serde_json::to_string(k).expect("a string always serialises")
        )
    }
}

/// One step of two sequences aligned: an item of each side taken together
/// (equal, or one replacing the other), or one only on the left or right.
enum Step {
    Pair(usize, usize),
    Left(usize),
    Right(usize),
}

/// The sequences aligned by a diff (Myers, given half a second; past that
/// the rest is compared item by item).
fn align<T: Eq + std::hash::Hash + Ord>(a: &[T], b: &[T]) -> Vec<Step> {
    use similar::DiffOp;
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(500);
    let mut steps = Vec::new();
    for op in similar::capture_diff_slices_deadline(similar::Algorithm::Myers, a, b, Some(deadline))
    {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => steps.extend((0..len).map(|k| Step::Pair(old_index + k, new_index + k))),
            DiffOp::Delete {
                old_index, old_len, ..
            } => steps.extend((old_index..old_index + old_len).map(Step::Left)),
            DiffOp::Insert {
                new_index, new_len, ..
            } => steps.extend((new_index..new_index + new_len).map(Step::Right)),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                let both = old_len.min(new_len);
                steps.extend((0..both).map(|k| Step::Pair(old_index + k, new_index + k)));
                steps.extend((old_index + both..old_index + old_len).map(Step::Left));
                steps.extend((new_index + both..new_index + new_len).map(Step::Right));
            }
        }
    }
    steps
}

/// Every difference between two exchanges, by section.
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    pub request_line: Vec<Change>,
    pub request_headers: Vec<Change>,
    pub request_body: Vec<Change>,
    pub outcome: Vec<Change>,
    pub response_headers: Vec<Change>,
    pub response_body: Vec<Change>,
}

/// Headers that differ on every attempt and say nothing about it.
fn volatile(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "date" | "content-length" | "x-request-id" | "webhook-timestamp" | "webhook-signature"
    )
}

pub fn compare(a: &Exchange, b: &Exchange) -> Comparison {
    let mut c = Comparison::default();
    let line = |e: &Exchange| format!("{} {}", e.request.method, e.request.url);
    if line(a) != line(b) {
        c.request_line.push(Change::Changed {
            at: "request".into(),
            left: line(a),
            right: line(b),
        });
    }
    c.request_headers = headers(&a.request.headers, &b.request.headers)
        .into_iter()
        .filter(|ch| !volatile(ch.at()))
        .collect();
    c.request_body = bodies(&a.request.body, &b.request.body);
    let outcome = Exchange::outcome;
    if outcome(a) != outcome(b) {
        c.outcome.push(Change::Changed {
            at: "outcome".into(),
            left: outcome(a),
            right: outcome(b),
        });
    }
    let empty = Vec::new();
    let rh = |e: &Exchange| {
        e.response
            .as_ref()
            .map_or(empty.clone(), |r| r.headers.clone())
    };
    c.response_headers = headers(&rh(a), &rh(b))
        .into_iter()
        .filter(|ch| !volatile(ch.at()))
        .collect();
    let rb = |e: &Exchange| e.response.as_ref().map_or(Vec::new(), |r| r.body.clone());
    c.response_body = bodies(&rb(a), &rb(b));
    c
}

impl Change {
    /// As data: `{"change": "changed", "at": "$.plan", "left": .., "right": ..}`.
    pub fn to_json(&self) -> Value {
        match self {
            Change::Added { at, value } => {
                serde_json::json!({"change": "added", "at": at, "right": value})
            }
            Change::Removed { at, value } => {
                serde_json::json!({"change": "removed", "at": at, "left": value})
            }
            Change::Changed { at, left, right } => {
                serde_json::json!({"change": "changed", "at": at, "left": left, "right": right})
            }
        }
    }
}

impl Comparison {
    /// The sections with their titles, in reading order.
    pub fn sections(&self) -> [(&'static str, &Vec<Change>); 6] {
        [
            ("request", &self.request_line),
            ("request headers", &self.request_headers),
            ("request body", &self.request_body),
            ("outcome", &self.outcome),
            ("response headers", &self.response_headers),
            ("response body", &self.response_body),
        ]
    }

    /// Leaves out of both bodies the differences at or under these JSON
    /// paths (`id`, `$.data.created_at`, `$["a.b"]`, `items[0]`); returns
    /// how many were left out.
    pub fn ignore(&mut self, paths: &[String]) -> usize {
        let paths: Vec<String> = paths.iter().map(|p| normal_path(p)).collect();
        let under = |at: &str| {
            paths.iter().any(|p| {
                at == p
                    || at
                        .strip_prefix(p.as_str())
                        .is_some_and(|rest| rest.starts_with(['.', '[']))
            })
        };
        let before = self.request_body.len() + self.response_body.len();
        self.request_body.retain(|c| !under(c.at()));
        self.response_body.retain(|c| !under(c.at()));
        before - self.request_body.len() - self.response_body.len()
    }

    /// Every section as data, for `--json`.
    pub fn to_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        for (title, changes) in self.sections() {
            m.insert(
                title.replace(' ', "_"),
                Value::Array(changes.iter().map(Change::to_json).collect()),
            );
        }
        Value::Object(m)
    }
}

/// A JSON path as the differences write it: `$.` in front when it is not.
fn normal_path(p: &str) -> String {
    let p = p.trim();
    if p.starts_with('$') {
        p.to_string()
    } else if p.starts_with('[') {
        format!("${p}")
    } else {
        format!("$.{p}")
    }
}

/// The class of an outcome: `2xx` ... `5xx`, or `error` for no answer.
pub fn class_of(e: &Exchange) -> String {
    match (&e.response, &e.error) {
        (Some(r), None) => format!("{}xx", r.status / 100),
        _ => "error".into(),
    }
}

/// Whether two exchanges count as the same (`compare` exits 0): their
/// outcomes are of one class and their response bodies are equal, the
/// ignored paths left out. When not, why, in a few words each.
pub fn verdict(a: &Exchange, b: &Exchange, c: &Comparison) -> Result<(), Vec<String>> {
    let mut why = Vec::new();
    let (ca, cb) = (class_of(a), class_of(b));
    if ca != cb {
        why.push(format!("the outcomes differ ({ca}, {cb})"));
    }
    if !c.response_body.is_empty() {
        why.push(format!(
            "the response bodies differ in {} place(s)",
            c.response_body.len()
        ));
    }
    if why.is_empty() { Ok(()) } else { Err(why) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn ignored_paths_leave_their_subtrees_out() {
        let mut c = Comparison {
            response_body: bodies(
                br#"{"id":1,"data":{"at":"x","n":1},"a.b":1,"ok":true}"#,
                br#"{"id":2,"data":{"at":"y","n":1},"a.b":2,"ok":false}"#,
            ),
            ..Default::default()
        };
        assert_eq!(c.response_body.len(), 4);
        let left_out = c.ignore(&["id".into(), "$.data".into(), r#"$["a.b"]"#.into()]);
        assert_eq!(left_out, 3);
        let shown: Vec<String> = c.response_body.iter().map(|c| c.to_string()).collect();
        assert_eq!(shown, ["~ $.ok: true → false"]);
        // A path is a whole step: `$.i` is not `$.id`.
        let mut c = Comparison {
            response_body: bodies(br#"{"id":1}"#, br#"{"id":2}"#),
            ..Default::default()
        };
        assert_eq!(c.ignore(&["i".into()]), 0);
    }

    #[test]
    fn header_differences_by_name() {
        let d = headers(
            &h(&[("X-A", "1"), ("X-B", "2"), ("X-C", "3")]),
            &h(&[("x-a", "1"), ("X-B", "20"), ("X-D", "4")]),
        );
        let shown: Vec<String> = d.iter().map(|c| c.to_string()).collect();
        assert_eq!(shown, ["~ X-B: 2 → 20", "- X-C: 3", "+ X-D: 4"]);
    }

    #[test]
    fn json_bodies_differ_by_path() {
        let d = bodies(
            br#"{"plan":"free","profile":{"email":"a@x","tags":[1,2]},"old":true}"#,
            br#"{"profile":{"tags":[1,3,4],"email":"a@x"},"plan":"pro","new":null}"#,
        );
        let shown: Vec<String> = d.iter().map(|c| c.to_string()).collect();
        assert_eq!(
            shown,
            [
                "~ $.plan: \"free\" → \"pro\"",
                "~ $.profile.tags[1]: 2 → 3",
                "+ $.profile.tags[2]: 4",
                "- $.old: true",
                "+ $.new: null"
            ]
        );
        // Key order alone is no difference.
        assert!(bodies(br#"{"a":1,"b":2}"#, br#"{"b":2,"a":1}"#).is_empty());
    }

    #[test]
    fn text_bodies_differ_by_line() {
        let d = bodies(b"a\nb\nc", b"a\nB");
        let shown: Vec<String> = d.iter().map(|c| c.to_string()).collect();
        assert_eq!(shown, ["~ line 2: b → B", "- line 3: c"]);
        // One inserted line is one addition; the lines after it are equal.
        let d = bodies(
            b"<p>\nname\nplan\nscore\n</p>",
            b"<p>\nnew\nname\nplan\nscore\n</p>",
        );
        let shown: Vec<String> = d.iter().map(|c| c.to_string()).collect();
        assert_eq!(shown, ["+ line 2: new"]);
    }

    #[test]
    fn arrays_are_aligned_and_odd_keys_written_unambiguously() {
        let d = bodies(
            br#"{"tags":["a","b","c"],"a.b":1,"list":[{"id":1,"v":"x"},{"id":2}]}"#,
            br#"{"tags":["new","a","b","c"],"a.b":2,"list":[{"id":1,"v":"y"},{"id":2}]}"#,
        );
        let shown: Vec<String> = d.iter().map(|c| c.to_string()).collect();
        assert_eq!(
            shown,
            [
                "+ $.tags[0]: \"new\"",
                "~ $[\"a.b\"]: 1 → 2",
                "~ $.list[0].v: \"x\" → \"y\""
            ]
        );
    }
}
