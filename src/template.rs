//! `{{...}}` templates: parse once, render against a [`Scope`].
//!
//! A template is text with expressions between `{{` and `}}`:
//!
//! | expression        | value                                              |
//! |-------------------|----------------------------------------------------|
//! | `event.a.b`       | a path into the sample event (`items.0` indexes)   |
//! | `env.NAME`        | an environment variable                            |
//! | `var.NAME`        | a variable of the selected environment (a template)|
//! | `secret.NAME`     | a value from the secret store                      |
//! | `now`             | the request's instant, RFC 3339 UTC                |
//! | `now_unix`        | the same instant in Unix seconds (a number)        |
//! | `uuid`            | a fresh version 4 UUID                             |
//!
//! Errors carry a byte span into the template text, so callers can point at
//! the exact place in the file the text came from.

use std::fmt;
use std::ops::Range;

use serde_json::Value;

/// One parsed expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A path into the sample event; empty means the whole event.
    Event(Vec<String>),
    Env(String),
    /// A variable: its value is template text, spliced in where it stands.
    Var(String),
    Secret(String),
    Now,
    NowUnix,
    Uuid,
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Event(p) if p.is_empty() => f.write_str("event"),
            Expr::Event(p) => write!(f, "event.{}", p.join(".")),
            Expr::Env(n) => write!(f, "env.{n}"),
            Expr::Var(n) => write!(f, "var.{n}"),
            Expr::Secret(n) => write!(f, "secret.{n}"),
            Expr::Now => f.write_str("now"),
            Expr::NowUnix => f.write_str("now_unix"),
            Expr::Uuid => f.write_str("uuid"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Text(String),
    Expr { expr: Expr, span: Range<usize> },
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    segments: Vec<Segment>,
}

/// A template that did not parse or render, with the span it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TemplateError {
    /// Byte range in the template text.
    pub span: Range<usize>,
    pub message: String,
}

/// What expressions are resolved against.
pub trait Scope {
    fn event(&self) -> Option<&Value>;
    fn env(&self, name: &str) -> Option<String>;
    /// A variable's value as written (template text), or why there is none
    /// (the message names the environment and the variables it has).
    fn var(&self, name: &str) -> Result<String, String>;
    /// A secret's value, or why there is none (not set, store unusable).
    fn secret(&self, name: &str) -> Result<String, String>;
    /// RFC 3339 and Unix seconds of the request's instant.
    fn now(&self) -> (String, i64);
    fn uuid(&mut self) -> String;
}

impl Template {
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let mut segments = Vec::new();
        let mut rest = 0;
        while let Some(rel) = text[rest..].find("{{") {
            let open = rest + rel;
            if open > rest {
                segments.push(Segment::Text(text[rest..open].to_string()));
            }
            let inner_start = open + 2;
            let Some(close_rel) = text[inner_start..].find("}}") else {
                return Err(TemplateError {
                    span: open..text.len(),
                    message: "unclosed `{{`: add `}}` after the expression".into(),
                });
            };
            let inner_end = inner_start + close_rel;
            let span = open..inner_end + 2;
            let expr =
                parse_expr(&text[inner_start..inner_end]).map_err(|message| TemplateError {
                    span: span.clone(),
                    message,
                })?;
            segments.push(Segment::Expr { expr, span });
            rest = inner_end + 2;
        }
        if rest < text.len() {
            segments.push(Segment::Text(text[rest..].to_string()));
        }
        Ok(Template { segments })
    }

    /// The expressions, in order.
    pub fn exprs(&self) -> impl Iterator<Item = &Expr> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Expr { expr, .. } => Some(expr),
            Segment::Text(_) => None,
        })
    }

    /// Renders to text. `escape` is applied to each interpolated value (used
    /// to percent-encode values in URLs); literal text is kept as written,
    /// and so is the literal text of a variable's value.
    pub fn render(
        &self,
        scope: &mut dyn Scope,
        escape: Option<fn(&str) -> String>,
    ) -> Result<String, TemplateError> {
        let mut out = String::new();
        self.render_into(&mut out, scope, escape, &mut Vec::new())?;
        Ok(out)
    }

    fn render_into(
        &self,
        out: &mut String,
        scope: &mut dyn Scope,
        escape: Option<fn(&str) -> String>,
        within: &mut Vec<String>,
    ) -> Result<(), TemplateError> {
        for seg in &self.segments {
            match seg {
                Segment::Text(t) => out.push_str(t),
                Segment::Expr {
                    expr: Expr::Var(name),
                    span,
                } => {
                    let at = |message| TemplateError {
                        span: span.clone(),
                        message,
                    };
                    let inner = variable(name, scope, within).map_err(at)?;
                    within.push(name.clone());
                    let done = inner.render_into(out, scope, escape, within);
                    within.pop();
                    done.map_err(|e| at(in_variable(name, &e.message)))?;
                }
                Segment::Expr { expr, span } => {
                    let v = resolve(expr, scope).map_err(|message| TemplateError {
                        span: span.clone(),
                        message,
                    })?;
                    let s = value_as_text(&v);
                    match escape {
                        Some(f) => out.push_str(&f(&s)),
                        None => out.push_str(&s),
                    }
                }
            }
        }
        Ok(())
    }

    /// Renders to a JSON value: a template that is exactly one expression
    /// keeps the JSON type of its value (through a variable too); anything
    /// else becomes a string.
    pub fn render_value(&self, scope: &mut dyn Scope) -> Result<Value, TemplateError> {
        self.render_value_within(scope, &mut Vec::new())
    }

    fn render_value_within(
        &self,
        scope: &mut dyn Scope,
        within: &mut Vec<String>,
    ) -> Result<Value, TemplateError> {
        match self.segments.as_slice() {
            [
                Segment::Expr {
                    expr: Expr::Var(name),
                    span,
                },
            ] => {
                let at = |message| TemplateError {
                    span: span.clone(),
                    message,
                };
                let inner = variable(name, scope, within).map_err(at)?;
                within.push(name.clone());
                let done = inner.render_value_within(scope, within);
                within.pop();
                done.map_err(|e| at(in_variable(name, &e.message)))
            }
            [Segment::Expr { expr, span }] => {
                resolve(expr, scope).map_err(|message| TemplateError {
                    span: span.clone(),
                    message,
                })
            }
            _ => {
                let mut out = String::new();
                self.render_into(&mut out, scope, None, within)?;
                Ok(Value::String(out))
            }
        }
    }

    /// The variables this template names, directly (not those inside them).
    pub fn vars(&self) -> impl Iterator<Item = &str> {
        self.exprs().filter_map(|e| match e {
            Expr::Var(n) => Some(n.as_str()),
            _ => None,
        })
    }
}

/// How deep variables may refer to one another.
const MAX_VAR_DEPTH: usize = 32;

/// A variable's value, parsed; a variable met again inside itself is a
/// cycle, named with the way round it.
fn variable(name: &str, scope: &dyn Scope, within: &[String]) -> Result<Template, String> {
    // A chain this deep is a generated file, not a setup; past it the
    // rendering would exhaust the stack.
    if within.len() >= MAX_VAR_DEPTH {
        return Err(format!(
            "variable `{name}` is {} variables deep (through {}…): at most {MAX_VAR_DEPTH} may refer one to the next",
            within.len(),
            within[..3].join(" -> ")
        ));
    }
    if let Some(start) = within.iter().position(|w| w == name) {
        // The way round, from the variable that came back.
        let mut round: Vec<&str> = within[start..].iter().map(String::as_str).collect();
        round.push(name);
        let what = if round.len() == 2 {
            format!("variable `{name}` refers to itself")
        } else {
            format!(
                "variables {} refer to each other",
                round[..round.len() - 1].join(", ")
            )
        };
        return Err(format!(
            "{what} ({}): give one of them a plain value",
            round.join(" -> ")
        ));
    }
    let text = scope.var(name)?;
    Template::parse(&text).map_err(|e| format!("variable `{name}`: {}", e.message))
}

/// An error inside a variable's value, said as such once.
fn in_variable(name: &str, message: &str) -> String {
    if message.starts_with("variable `") {
        message.to_string()
    } else {
        format!("variable `{name}`: {message}")
    }
}

/// A value as it reads inside text: strings bare, everything else as JSON.
pub fn value_as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn parse_expr(raw: &str) -> Result<Expr, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Err("empty `{{}}`: write an expression such as `{{event.eventName}}`".into());
    }
    let (root, rest) = match s.split_once('.') {
        Some((r, rest)) => (r, Some(rest)),
        None => (s, None),
    };
    let path = |rest: Option<&str>| -> Result<Vec<String>, String> {
        let Some(rest) = rest else {
            return Ok(Vec::new());
        };
        rest.split('.')
            .map(|p| {
                if p.is_empty() {
                    Err(format!("empty step in path `{s}`"))
                } else if p.chars().any(char::is_whitespace) {
                    Err(format!("space inside path `{s}`"))
                } else {
                    Ok(p.to_string())
                }
            })
            .collect()
    };
    match (root, rest) {
        ("event", rest) => Ok(Expr::Event(path(rest)?)),
        ("env", Some(name)) if is_identifier(name) => Ok(Expr::Env(name.to_string())),
        ("env", _) => Err(format!(
            "`{s}` is not an environment variable reference: write `{{{{env.NAME}}}}`"
        )),
        ("var", Some(name)) if is_identifier(name) => Ok(Expr::Var(name.to_string())),
        ("var", _) => Err(format!(
            "`{s}` is not a variable reference: write `{{{{var.NAME}}}}` (letters, digits, `_`)"
        )),
        ("secret", Some(name)) if is_identifier(name) => Ok(Expr::Secret(name.to_string())),
        ("secret", _) => Err(format!(
            "`{s}` is not a secret reference: write `{{{{secret.NAME}}}}` (letters, digits, `_`)"
        )),
        ("now", None) => Ok(Expr::Now),
        ("now_unix", None) => Ok(Expr::NowUnix),
        ("uuid", None) => Ok(Expr::Uuid),
        _ => Err(format!(
            "unknown template `{s}`: use event.PATH, var.NAME, env.NAME, secret.NAME, now, now_unix or uuid"
        )),
    }
}

pub fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

fn resolve(expr: &Expr, scope: &mut dyn Scope) -> Result<Value, String> {
    match expr {
        Expr::Event(path) => {
            let Some(event) = scope.event() else {
                return Err(format!(
                    "`{expr}` needs a sample event: set `event` in the profile or pass --event"
                ));
            };
            lookup(event, path).cloned()
        }
        Expr::Env(name) => scope
            .env(name)
            .map(Value::String)
            .ok_or_else(|| format!("environment variable `{name}` is not set")),
        Expr::Secret(name) => scope.secret(name).map(Value::String),
        // Spliced in by the renderer, which knows the text around it.
        Expr::Var(name) => scope.var(name).map(Value::String),
        Expr::Now => Ok(Value::String(scope.now().0)),
        Expr::NowUnix => Ok(Value::from(scope.now().1)),
        Expr::Uuid => Ok(Value::String(scope.uuid())),
    }
}

/// Follows a path into a JSON value; the error names the first missing step
/// and what was there instead.
pub fn lookup<'v>(root: &'v Value, path: &[String]) -> Result<&'v Value, String> {
    let mut cur = root;
    for (i, step) in path.iter().enumerate() {
        let here = if i == 0 {
            "event".to_string()
        } else {
            format!("event.{}", path[..i].join("."))
        };
        cur = match cur {
            Value::Object(map) => map.get(step).ok_or_else(|| {
                let keys: Vec<&str> = map.keys().map(String::as_str).take(12).collect();
                format!(
                    "`{here}` has no key `{step}` (it has: {})",
                    if keys.is_empty() {
                        "nothing".to_string()
                    } else {
                        keys.join(", ")
                    }
                )
            })?,
            Value::Array(items) => {
                let idx: usize = step.parse().map_err(|_| {
                    format!("`{here}` is an array: index it with a number, not `{step}`")
                })?;
                items.get(idx).ok_or_else(|| {
                    format!(
                        "`{here}` has {} item(s): index {idx} is out of range",
                        items.len()
                    )
                })?
            }
            other => {
                return Err(format!(
                    "`{here}` is {}, not an object: it has no `{step}`",
                    kind_of(other)
                ));
            }
        };
    }
    Ok(cur)
}

/// "a string", "a number", ... for messages.
pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `%XX` escapes turned back into the bytes they stand for.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes all but RFC 3986 unreserved characters.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Fixed(Value, u32);
    impl Scope for Fixed {
        fn event(&self) -> Option<&Value> {
            Some(&self.0)
        }
        fn env(&self, name: &str) -> Option<String> {
            (name == "HOME_X").then(|| "/h".to_string())
        }
        fn var(&self, name: &str) -> Result<String, String> {
            match name {
                "BASE" => Ok("http://h:1/a b".into()),
                "WHO" => Ok("{{event.eventName}}".into()),
                "AGE" => Ok("{{event.profile.age}}".into()),
                "LOOP" => Ok("x{{var.POOL}}".into()),
                "POOL" => Ok("{{var.LOOP}}".into()),
                "BROKEN" => Ok("{{event.nope}}".into()),
                _ => Err(format!("variable `{name}` is not set in environment `t`")),
            }
        }
        fn secret(&self, name: &str) -> Result<String, String> {
            match name {
                "TOKEN" => Ok("s3cret".into()),
                _ => Err(format!("secret `{name}` is not set")),
            }
        }
        fn now(&self) -> (String, i64) {
            ("2026-01-26T10:12:45Z".into(), 1_769_422_365)
        }
        fn uuid(&mut self) -> String {
            self.1 += 1;
            format!("u{}", self.1)
        }
    }

    fn scope() -> Fixed {
        Fixed(
            json!({"eventName": "Signup Completed", "profile": {"plan": "free", "age": 30},
                   "items": [{"sku": "A-1"}, {"sku": "B-2"}]}),
            0,
        )
    }

    fn render(t: &str) -> Result<String, TemplateError> {
        Template::parse(t)?.render(&mut scope(), None)
    }

    #[test]
    fn interpolates_each_kind() {
        assert_eq!(
            render("{{ event.eventName }}/{{event.items.1.sku}}").unwrap(),
            "Signup Completed/B-2"
        );
        assert_eq!(render("{{env.HOME_X}}").unwrap(), "/h");
        assert_eq!(render("Bearer {{secret.TOKEN}}").unwrap(), "Bearer s3cret");
        let e = render("{{secret.NOPE}}").unwrap_err();
        assert_eq!(
            (e.span, e.message.as_str()),
            (0..15, "secret `NOPE` is not set")
        );
        assert!(Template::parse("{{secret.a b}}").is_err());
        assert_eq!(
            render("{{now}} {{now_unix}}").unwrap(),
            "2026-01-26T10:12:45Z 1769422365"
        );
        assert_eq!(render("{{uuid}},{{uuid}}").unwrap(), "u1,u2");
        assert_eq!(render("age {{event.profile.age}}").unwrap(), "age 30");
        assert_eq!(render("{ not a template }").unwrap(), "{ not a template }");
    }

    #[test]
    fn single_expression_keeps_json_type() {
        let t = Template::parse("{{event.profile}}").unwrap();
        assert_eq!(
            t.render_value(&mut scope()).unwrap(),
            json!({"plan": "free", "age": 30})
        );
        let t = Template::parse("{{event.profile.age}}").unwrap();
        assert_eq!(t.render_value(&mut scope()).unwrap(), json!(30));
        let t = Template::parse("x{{event.profile.age}}").unwrap();
        assert_eq!(t.render_value(&mut scope()).unwrap(), json!("x30"));
    }

    #[test]
    fn errors_name_the_problem_and_span() {
        let e = render("a {{event.profile.plann}}").unwrap_err();
        assert_eq!(e.span, 2..25);
        assert!(e.message.contains("no key `plann`"), "{}", e.message);
        assert!(e.message.contains("plan, age"), "{}", e.message);

        let e = render("{{env.NOPE_X}}").unwrap_err();
        assert_eq!(e.message, "environment variable `NOPE_X` is not set");

        let e = render("{{event.items.x}}").unwrap_err();
        assert!(e.message.contains("index it with a number"));
        let e = render("{{event.items.5}}").unwrap_err();
        assert!(e.message.contains("out of range"));
        let e = render("{{event.eventName.x}}").unwrap_err();
        assert!(e.message.contains("is a string"));

        let e = Template::parse("ok {{event.a").unwrap_err();
        assert_eq!(e.span, 3..12);
        assert!(e.message.contains("unclosed"));
        assert!(
            Template::parse("{{bogus}}")
                .unwrap_err()
                .message
                .contains("unknown template")
        );
        assert!(
            Template::parse("{{}}")
                .unwrap_err()
                .message
                .contains("empty")
        );
        assert!(Template::parse("{{env}}").is_err());
        assert!(Template::parse("{{event..a}}").is_err());
    }

    #[test]
    fn a_variable_is_template_text_spliced_in() {
        // Its literal text is not escaped, the values inside it are.
        let t = Template::parse("{{var.BASE}}/{{var.WHO}}").unwrap();
        assert_eq!(
            t.render(&mut scope(), Some(percent_encode)).unwrap(),
            "http://h:1/a b/Signup%20Completed"
        );
        // A lone variable keeps the JSON type of what it holds.
        let t = Template::parse("{{var.AGE}}").unwrap();
        assert_eq!(t.render_value(&mut scope()).unwrap(), json!(30));
        let e = render("a {{var.LOOP}}").unwrap_err();
        assert_eq!(e.span, 2..14);
        assert!(e.message.contains("LOOP -> POOL -> LOOP"), "{}", e.message);
        let e = render("{{var.BROKEN}}").unwrap_err();
        assert!(
            e.message
                .starts_with("variable `BROKEN`: `event` has no key `nope`"),
            "{}",
            e.message
        );
        // A chain deeper than the cap is an error, not a stack overflow.
        struct Chain;
        impl Scope for Chain {
            fn event(&self) -> Option<&Value> {
                None
            }
            fn env(&self, _: &str) -> Option<String> {
                None
            }
            fn var(&self, name: &str) -> Result<String, String> {
                let n: usize = name[1..].parse().unwrap();
                Ok(format!("{{{{var.V{}}}}}", n + 1))
            }
            fn secret(&self, _: &str) -> Result<String, String> {
                Err("none".into())
            }
            fn now(&self) -> (String, i64) {
                (String::new(), 0)
            }
            fn uuid(&mut self) -> String {
                String::new()
            }
        }
        let e = Template::parse("{{var.V0}}")
            .unwrap()
            .render(&mut Chain, None)
            .unwrap_err();
        assert!(e.message.contains("at most 32"), "{}", e.message);
        let e = render("{{var.NOPE}}").unwrap_err();
        assert!(e.message.contains("environment `t`"), "{}", e.message);
        assert!(Template::parse("{{var}}").is_err());
        assert!(Template::parse("{{var.a-b}}").is_err());
    }

    #[test]
    fn url_escape_applies_to_values_only() {
        let t = Template::parse("/x?src={{event.eventName}}&a=b c").unwrap();
        assert_eq!(
            t.render(&mut scope(), Some(percent_encode)).unwrap(),
            "/x?src=Signup%20Completed&a=b c"
        );
        assert_eq!(percent_encode("a/b?c=d&é"), "a%2Fb%3Fc%3Dd%26%C3%A9");
    }
}
