//! curl, both ways: a request or a profile as a curl command line, and a
//! curl command line as a profile.
//!
//! [`profile_to_curl`] writes secrets and environment values as `$NAME`
//! references, so the command can be pasted in a ticket; [`to_curl`] writes
//! a request as it is (masked unless revealed). [`from_curl`] reads the
//! options people use for webhooks (`-X`, `-H`, `-d`/`--data`/`--data-raw`/
//! `--data-binary`, `--json`, `-u`, `--url`, `-L`, `-m`) with POSIX shell
//! quoting, and turns `$NAME` back into `{{secret.NAME}}` or `{{env.NAME}}`.

mod ansi;

use ansi::ansi_c;
use base64::Engine;
use serde_json::Value;

use crate::profile::{Auth, Header, Method, Profile};
use crate::request::{self, AssembleError, Context};
use crate::secrets::Secrets;
use crate::wire::{MASK, PreparedRequest};

/// Quotes a word for a POSIX shell.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The curl command that sends this request. Credentials are masked unless
/// `reveal`; `host` and `content-length` are left for curl to write, since
/// it derives the same values from the URL and the body.
pub fn to_curl(req: &PreparedRequest, reveal: bool) -> String {
    let req = if reveal { req.clone() } else { req.redacted() };
    let words = request_words(&req, |s| vec![Seg::Lit(s.to_string())]);
    let cmd = join(&words);
    if !reveal && cmd.contains(MASK) {
        format!("{cmd}  # credentials masked")
    } else {
        cmd
    }
}

/// A piece of a shell word: literal text, or a variable reference.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Lit(String),
    Var(String),
}

type Word = Vec<Seg>;

fn lit(s: &str) -> Word {
    vec![Seg::Lit(s.to_string())]
}

/// A word as shell text: literal runs single-quoted, references as `"$NAME"`.
fn quote_word(word: &Word) -> String {
    let mut out = String::new();
    for seg in word {
        match seg {
            Seg::Lit(s) if s.is_empty() => {}
            Seg::Lit(s) => out.push_str(&shell_quote(s)),
            Seg::Var(v) => out.push_str(&format!("\"${v}\"")),
        }
    }
    if out.is_empty() { "''".into() } else { out }
}

fn join(words: &[Word]) -> String {
    words.iter().map(quote_word).collect::<Vec<_>>().join(" ")
}

/// `curl -X M -H ... --data-binary ... URL`, each text split by `split`.
fn request_words(req: &PreparedRequest, split: impl Fn(&str) -> Word) -> Vec<Word> {
    let mut words = vec![lit("curl"), lit("-X"), lit(&req.method)];
    for (n, v) in &req.headers {
        if n.eq_ignore_ascii_case("host") || n.eq_ignore_ascii_case("content-length") {
            continue;
        }
        words.push(lit("-H"));
        words.push(split(&format!("{n}: {v}")));
    }
    if !req.body.is_empty() {
        words.push(lit("--data-binary"));
        words.push(split(&String::from_utf8_lossy(&req.body)));
    }
    words.push(split(&req.url));
    words
}

/// A profile as a curl command, and what it needs from the environment.
#[derive(Debug, Clone)]
pub struct ProfileCurl {
    pub command: String,
    /// Variables the command reads: (name, is a secret of the store).
    pub vars: Vec<(String, bool)>,
    /// Things worth saying about it.
    pub notes: Vec<String>,
}

/// The curl command that sends what this profile sends. Every
/// `{{secret.NAME}}` and `{{env.NAME}}` is written `"$NAME"`, and a literal
/// credential in the profile is first given a name as `share` does; Basic
/// auth is written `-u`. Signature headers are computed now, with the real
/// secret, and are valid for as long as the receiver's tolerance.
pub fn profile_to_curl(
    profile: &Profile,
    stem: &str,
    event: Option<&Value>,
    secrets: std::sync::Arc<Secrets>,
    variables: &crate::environment::Variables,
) -> Result<ProfileCurl, Vec<AssembleError>> {
    let mut notes = Vec::new();
    let shared = crate::share::share(profile, stem, None);
    let mut p = shared.profile;
    p.signing = profile.signing.clone();
    let nonce =
        crate::clock::uuid_v4(crate::clock::random_bytes()).replace('-', "")[..10].to_uppercase();
    let mut ctx = Context::system()
        .with_secrets(secrets.clone())
        .with_variables(variables.clone())
        .with_placeholders(&nonce);
    let assembled = request::assemble(&p, event, &mut ctx)?;
    let mut req = assembled.request;

    let mut vars: Vec<(String, bool)> = Vec::new();
    let known: Vec<&String> = shared
        .needs
        .secrets
        .iter()
        .chain(&shared.needs.env)
        .collect();
    // A URL's host comes back lowercased, so markers are found in any case
    // and their names matched to the names the profile uses.
    let split = |text: &str| -> Word {
        let open = format!("hb{nonce}q").to_ascii_lowercase();
        let close = format!("q{nonce}hb").to_ascii_lowercase();
        let mut word = Vec::new();
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            let Some(i) = lower.find(&open) else { break };
            let Some(j) = lower[i + open.len()..].find(&close) else {
                break;
            };
            let name = &rest[i + open.len()..i + open.len() + j];
            let name = known
                .iter()
                .find(|k| k.eq_ignore_ascii_case(name))
                .map_or(name.to_string(), |k| k.to_string());
            if i > 0 {
                word.push(Seg::Lit(rest[..i].to_string()));
            }
            word.push(Seg::Var(name));
            rest = &rest[i + open.len() + j + close.len()..];
        }
        if !rest.is_empty() || word.is_empty() {
            word.push(Seg::Lit(rest.to_string()));
        }
        word
    };

    let mut user_word = None;
    if let Auth::Basic { username, password } = &p.auth {
        let mut ctx = Context::system()
            .with_secrets(secrets.clone())
            .with_variables(variables.clone())
            .with_placeholders(&nonce);
        let u = request::render_field(username, &p, event, &mut ctx).map_err(|m| vec![m])?;
        let pw = request::render_field(password, &p, event, &mut ctx).map_err(|m| vec![m])?;
        req.headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
        let mut w = split(&u);
        w.push(Seg::Lit(":".into()));
        w.extend(split(&pw));
        user_word = Some(w);
    }
    if p.signing.is_some() {
        let text = String::from_utf8_lossy(&req.body);
        if text.contains(&format!("HB{nonce}Q")) {
            notes.push(
                "the body takes a secret or variable and the request is signed: the signature is over the placeholder, so use --reveal".into(),
            );
        } else {
            notes.push(
                "the signature headers were computed now: a receiver accepts them for a few minutes".into(),
            );
        }
    }
    let mut words = request_words(&req, split);
    if let Some(w) = user_word {
        words.insert(3, lit("-u"));
        words.insert(4, w);
    }
    if p.follow_redirects {
        words.insert(1, lit("-L"));
    }
    for w in &words {
        for seg in w {
            if let Seg::Var(v) = seg
                && !vars.iter().any(|(n, _)| n == v)
            {
                let is_secret = shared.needs.secrets.contains(v);
                vars.push((v.clone(), is_secret));
            }
        }
    }
    if req
        .url
        .to_ascii_lowercase()
        .contains(&format!("hb{nonce}q").to_ascii_lowercase())
    {
        notes.push(
            "values put in the URL are sent as the variable holds them (hookbench percent-encodes them)".into(),
        );
    }
    // A value the JSON body must escape (a quote, a backslash, a control
    // character) goes in as the variable holds it, and breaks the JSON.
    let body_text = String::from_utf8_lossy(&req.body).to_ascii_lowercase();
    for (name, is_secret) in &vars {
        let marker = crate::request::placeholder(&nonce, name).to_ascii_lowercase();
        let value = if *is_secret {
            secrets.get(name).ok().map(str::to_string)
        } else {
            std::env::var(name).ok()
        };
        if body_text.contains(&marker)
            && value.is_some_and(|v| v.contains(['"', '\\']) || v.chars().any(char::is_control))
        {
            notes.push(format!(
                "`{name}` holds a quote, a backslash or a control character, which the JSON body needs escaped: the command sends it unescaped, so set an escaped value or use --reveal"
            ));
        }
    }
    Ok(ProfileCurl {
        command: join(&words),
        vars,
        notes,
    })
}

// ---- from curl ---------------------------------------------------------

/// Splits a command line as a POSIX shell would, keeping `$NAME` and
/// `${NAME}` as references. `#` at the start of a word ends the line.
fn shell_split(text: &str) -> Result<Vec<Word>, String> {
    let mut words: Vec<Word> = Vec::new();
    let mut cur: Word = Vec::new();
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    let push_lit = |cur: &mut Word, c: char| match cur.last_mut() {
        Some(Seg::Lit(s)) => s.push(c),
        _ => cur.push(Seg::Lit(c.to_string())),
    };
    // A quoted string is a literal even when empty (`''` is a word).
    let quoted = |cur: &mut Word| {
        if !matches!(cur.last(), Some(Seg::Lit(_))) {
            cur.push(Seg::Lit(String::new()));
        }
    };
    fn var(chars: &mut std::iter::Peekable<std::str::Chars>) -> Result<Option<String>, String> {
        match chars.peek() {
            Some('{') => {
                chars.next();
                let mut name = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        return if crate::template::is_identifier(&name) {
                            Ok(Some(name))
                        } else {
                            Err(format!(
                                "`${{{name}}}`: only plain variables such as ${{NAME}} are understood"
                            ))
                        };
                    }
                    name.push(c);
                }
                Err("`${` is not closed".into())
            }
            Some('(') => Err(
                "command substitution `$(...)` is not supported: put the value in or use $NAME"
                    .into(),
            ),
            Some(c) if c.is_ascii_alphabetic() || *c == '_' => {
                let mut name = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_ascii_alphanumeric() || c == '_' {
                        name.push(c);
                        chars.next();
                    } else {
                        break;
                    }
                }
                Ok(Some(name))
            }
            _ => Ok(None),
        }
    }
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '#' if !in_word => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') => {}
                Some(n) => {
                    push_lit(&mut cur, n);
                    in_word = true;
                }
                None => {}
            },
            '\'' => {
                in_word = true;
                quoted(&mut cur);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(n) => push_lit(&mut cur, n),
                        None => return Err("a single quote is not closed".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                quoted(&mut cur);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(n @ ('"' | '\\' | '$' | '`')) => push_lit(&mut cur, n),
                            Some('\n') => {}
                            Some(n) => {
                                push_lit(&mut cur, '\\');
                                push_lit(&mut cur, n);
                            }
                            None => return Err("a double quote is not closed".into()),
                        },
                        Some('$') => match var(&mut chars)? {
                            Some(name) => cur.push(Seg::Var(name)),
                            None => push_lit(&mut cur, '$'),
                        },
                        Some('`') => {
                            return Err(
                                "command substitution with backquotes is not supported".into()
                            );
                        }
                        Some(n) => push_lit(&mut cur, n),
                        None => return Err("a double quote is not closed".into()),
                    }
                }
            }
            // ANSI-C quoting, as a browser's "Copy as cURL (bash)" writes a
            // string holding a quote or a character outside ASCII.
            '$' if chars.peek() == Some(&'\'') => {
                chars.next();
                in_word = true;
                quoted(&mut cur);
                for n in ansi_c(&mut chars)?.chars() {
                    push_lit(&mut cur, n);
                }
            }
            '$' => {
                in_word = true;
                match var(&mut chars)? {
                    Some(name) => cur.push(Seg::Var(name)),
                    None => push_lit(&mut cur, '$'),
                }
            }
            '`' => return Err("command substitution with backquotes is not supported".into()),
            '|' | ';' | '&' | '<' | '>' => {
                return Err(format!(
                    "`{c}`: give one curl command, without pipes or redirections"
                ));
            }
            c => {
                push_lit(&mut cur, c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// A word as profile text: references become `{{secret.NAME}}` when the
/// store has NAME, else `{{env.NAME}}`.
fn template_text(word: &Word, secrets: &Secrets) -> String {
    word.iter()
        .map(|s| match s {
            Seg::Lit(t) => t.clone(),
            Seg::Var(v) if secrets.contains(v) => format!("{{{{secret.{v}}}}}"),
            Seg::Var(v) => format!("{{{{env.{v}}}}}"),
        })
        .collect()
}

/// A profile from a curl command line (text as typed, quoting and all).
pub fn from_curl(text: &str, secrets: &Secrets) -> Result<Profile, String> {
    from_words(shell_split(text)?, secrets, false)
}

/// The same, reading a body named `@FILE` from that file (relative to the
/// current folder), as curl would.
pub fn from_curl_reading_files(text: &str, secrets: &Secrets) -> Result<Profile, String> {
    from_words(shell_split(text)?, secrets, true)
}

/// A profile from words already split by a shell (no references left); a
/// body named `@FILE` is read from that file.
pub fn from_args(args: &[String], secrets: &Secrets) -> Result<Profile, String> {
    from_words(args.iter().map(|a| lit(a)).collect(), secrets, true)
}

/// The body `@FILE` names. (curl's `-d` drops the file's line breaks;
/// between JSON tokens they are only white space, so it is read as it is.)
fn body_file(flag: &str, d: &str) -> Result<String, String> {
    let path = &d[1..];
    if path == "-" {
        return Err(format!(
            "`{flag} {d}` reads the body from standard input: paste the body itself"
        ));
    }
    std::fs::read_to_string(path).map_err(|e| {
        format!(
            "`{flag} {d}`: cannot read {path}: {}",
            crate::files::io_reason(&e)
        )
    })
}

fn from_words(words: Vec<Word>, secrets: &Secrets, read_files: bool) -> Result<Profile, String> {
    let words: Vec<String> = words.iter().map(|w| template_text(w, secrets)).collect();
    let mut it = words.into_iter().peekable();
    match it.next() {
        Some(w) if w == "curl" || w.ends_with("/curl") => {}
        Some(w) => return Err(format!("`{w}`: the command must start with curl")),
        None => return Err("empty command: paste a curl command".into()),
    }
    let mut method: Option<String> = None;
    let mut url: Option<String> = None;
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut data: Vec<String> = Vec::new();
    let mut json_flag = false;
    let mut user: Option<String> = None;
    let mut follow = false;
    let mut insecure = false;
    let mut timeout: Option<u64> = None;
    let takes_value_ignored = [
        "-o",
        "--output",
        "-w",
        "--write-out",
        "--connect-timeout",
        "-A",
        "--user-agent",
        "-e",
        "--referer",
        "--retry",
        "--cacert",
        "-b",
        "--cookie",
    ];
    let flags_ignored = [
        "-s",
        "--silent",
        "-S",
        "--show-error",
        "-v",
        "--verbose",
        "-i",
        "--include",
        "-f",
        "--fail",
        "--fail-with-body",
        "--compressed",
        "-N",
        "--no-buffer",
        "-g",
        "--globoff",
        "--http1.1",
        "-sS",
        "-Ss",
        "-fsS",
        "-sSf",
    ];
    while let Some(w) = it.next() {
        let mut value = |name: &str| -> Result<String, String> {
            it.next()
                .ok_or_else(|| format!("`{name}` needs a value after it"))
        };
        // -XPOST, -H'Name: v', -dTEXT, -uUSER: the value joined to a short flag.
        let (flag, joined) = match w.as_str() {
            s if s.len() > 2
                && s.starts_with('-')
                && !s.starts_with("--")
                && matches!(s.as_bytes()[1], b'X' | b'H' | b'd' | b'u' | b'm') =>
            {
                (s[..2].to_string(), Some(s[2..].to_string()))
            }
            s => (s.to_string(), None),
        };
        let mut arg = |name: &str| -> Result<String, String> {
            match &joined {
                Some(v) => Ok(v.clone()),
                None => value(name),
            }
        };
        match flag.as_str() {
            "-X" | "--request" => method = Some(arg(&flag)?.to_ascii_uppercase()),
            "-k" | "--insecure" => insecure = true,
            "-H" | "--header" => {
                let h = arg(&flag)?;
                if !h.contains(':') {
                    return Err(format!("header `{h}` has no `:`: write -H 'Name: value'"));
                }
                // A value with a line break is refused here, not written
                // into a profile that could never send it.
                headers.push(crate::wire::header_line(&h)?);
            }
            "-d" | "--data" | "--data-raw" | "--data-binary" | "--data-ascii" => {
                let d = arg(&flag)?;
                if d.starts_with('@') && flag != "--data-raw" {
                    if !read_files {
                        return Err(format!(
                            "`{flag} {d}` reads the body from a file: paste the body itself (or use --data-raw)"
                        ));
                    }
                    data.push(body_file(&flag, &d)?);
                } else {
                    data.push(d);
                }
            }
            "--json" => {
                let d = arg(&flag)?;
                if d.starts_with('@') {
                    if !read_files {
                        return Err(format!(
                            "`--json {d}` reads the body from a file: paste the body itself"
                        ));
                    }
                    data.push(body_file(&flag, &d)?);
                } else {
                    data.push(d);
                }
                json_flag = true;
            }
            "-u" | "--user" => user = Some(arg(&flag)?),
            "--url" => url = Some(arg(&flag)?),
            "-L" | "--location" => follow = true,
            "-m" | "--max-time" => {
                let t = arg(&flag)?;
                let secs: f64 = t
                    .parse()
                    .map_err(|_| format!("`{flag} {t}`: not a number of seconds"))?;
                timeout = Some((secs.ceil() as u64).clamp(1, 3600));
            }
            "-F" | "--form" | "--data-urlencode" | "-G" | "--get" | "-T" | "--upload-file" => {
                return Err(format!(
                    "`{flag}` is not supported: a webhook profile sends a JSON body"
                ));
            }
            f if takes_value_ignored.contains(&f) => {
                arg(f)?;
            }
            f if flags_ignored.contains(&f) => {}
            f if f.starts_with('-') && f.len() > 1 => {
                return Err(format!("curl option `{f}` is not understood here"));
            }
            _ => {
                if url.is_some() {
                    return Err(format!("a second URL `{w}`: give one request per profile"));
                }
                url = Some(w.clone());
            }
        }
    }
    let url = url.ok_or("no URL in the command")?;
    let method_text =
        method.unwrap_or_else(|| if data.is_empty() { "GET" } else { "POST" }.to_string());
    let method = Method::parse(&method_text).ok_or_else(|| {
        format!("{method_text}: a webhook profile sends POST, PUT, DELETE or PATCH (add -X POST)")
    })?;

    let mut profile = Profile::new(default_name(method, &url), method, url.clone());
    profile.include_trigger = false;
    profile.follow_redirects = follow;
    profile.insecure = insecure;
    if let Some(t) = timeout {
        profile.timeout_secs = t;
    }
    if let Some(u) = user {
        let (username, password) = u
            .split_once(':')
            .ok_or("`-u USER` without `:PASSWORD`: write -u user:password")?;
        profile.auth = Auth::Basic {
            username: username.to_string(),
            password: password.to_string(),
        };
    }

    let body = data.join("&");
    let has_body = !data.is_empty();
    for (n, v) in headers {
        let lower = n.to_ascii_lowercase();
        let default = match lower.as_str() {
            "host" | "content-length" => true,
            "user-agent" => v == crate::USER_AGENT,
            "accept" => v == "*/*" || (json_flag && v == "application/json"),
            "content-type" => has_body && v.eq_ignore_ascii_case("application/json"),
            _ => false,
        };
        if default {
            continue;
        }
        if lower == "authorization"
            && matches!(profile.auth, Auth::None)
            && let Some(auth) = auth_from_header(&v)
        {
            profile.auth = auth;
            continue;
        }
        profile.headers.push(Header::new(n, v));
    }
    if json_flag
        && !profile
            .headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case("accept"))
    {
        profile
            .headers
            .push(Header::new("Accept", "application/json"));
    }

    if has_body {
        match serde_json::from_str::<Value>(&body) {
            Ok(Value::Object(map)) => profile.payload = map,
            Ok(_) => {
                return Err(
                    "the body is JSON but not an object: a profile's payload is a JSON object"
                        .into(),
                );
            }
            Err(e) => {
                return Err(format!(
                    "the body is not JSON ({e}): a webhook profile sends a JSON object"
                ));
            }
        }
    }
    Ok(profile)
}

fn auth_from_header(v: &str) -> Option<Auth> {
    let (scheme, rest) = v.split_once(' ')?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(Auth::Token {
            token: rest.to_string(),
            header: None,
            scheme: (scheme != "Bearer").then(|| scheme.to_string()),
        });
    }
    if scheme.eq_ignore_ascii_case("basic") && !rest.contains("{{") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest)
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (u, p) = text.split_once(':')?;
        return Some(Auth::Basic {
            username: u.to_string(),
            password: p.to_string(),
        });
    }
    None
}

/// `POST api.example.com/hooks/x` from the method and URL.
fn default_name(method: Method, url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    format!("{method} {}", rest.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("abc"), "abc");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn splitting_follows_the_shell() {
        let w = shell_split(
            "curl -H \"Authorization: Bearer $TOKEN\" \\\n  -d '{\"a\": \"it'\\''s\"}' ${URL}x # tail",
        )
        .unwrap();
        assert_eq!(w.len(), 6, "{w:?}");
        assert_eq!(
            w[2],
            vec![
                Seg::Lit("Authorization: Bearer ".into()),
                Seg::Var("TOKEN".into())
            ]
        );
        assert_eq!(w[3], vec![Seg::Lit("-d".into())]);
        assert_eq!(w[4], vec![Seg::Lit(r#"{"a": "it's"}"#.into())]);
        assert_eq!(w[5], vec![Seg::Var("URL".into()), Seg::Lit("x".into())]);
        assert!(shell_split("curl 'x").is_err());
        // ANSI-C quoting, as a browser copies a string with a quote or
        // characters outside ASCII.
        let w = shell_split(r#"curl --data-raw $'{"name":"O\'Brien","city":"Z\u00fcrich","n":"a\nb","x":"\x41\101"}' x$'\t'y"#)
            .unwrap();
        assert_eq!(
            w[2],
            vec![Seg::Lit(
                "{\"name\":\"O'Brien\",\"city\":\"Zürich\",\"n\":\"a\nb\",\"x\":\"AA\"}".into()
            )]
        );
        assert_eq!(w[3], vec![Seg::Lit("x\ty".into())]);
        assert!(shell_split("curl $'open").is_err());
        assert!(shell_split(r"curl $'\xff'").is_err());
        // UTF-8 given as bytes is read as its characters.
        assert_eq!(
            shell_split(r"curl $'\xc3\xbc'").unwrap()[1],
            vec![Seg::Lit("ü".into())]
        );
        assert!(shell_split("curl $(cat f)").is_err());
        assert!(shell_split("curl x | sh").is_err());
    }

    #[test]
    fn a_command_becomes_a_profile() {
        let store = Secrets::from_values([("CRM_TOKEN", "x")]);
        let p = from_curl(
            "curl -sS -X PUT https://crm.example.com/api/leads \
             -H 'Authorization: Bearer '\"$CRM_TOKEN\" -H 'X-Region: $REGION' \
             -H \"X-Tenant: $TENANT\" --json '{\"plan\": \"pro\"}' -m 7 -L",
            &store,
        )
        .unwrap();
        assert_eq!(p.method, Method::Put);
        assert_eq!(p.url, "https://crm.example.com/api/leads");
        assert_eq!(
            p.auth,
            Auth::Token {
                token: "{{secret.CRM_TOKEN}}".into(),
                header: None,
                scheme: None
            }
        );
        assert_eq!(p.headers[0], Header::new("X-Region", "$REGION"));
        assert_eq!(p.headers[1], Header::new("X-Tenant", "{{env.TENANT}}"));
        assert_eq!(p.payload["plan"], "pro");
        assert_eq!((p.timeout_secs, p.follow_redirects), (7, true));
        assert!(!p.include_trigger);

        // What a browser's "Copy as cURL (bash)" writes for a body with a
        // quote and a character outside ASCII.
        let p = from_curl(
            r#"curl 'https://crm.example.com/api/leads' -H 'content-type: application/json' --data-raw $'{"name":"O\'Brien","city":"Z\u00fcrich"}'"#,
            &store,
        )
        .unwrap();
        assert_eq!(p.payload["name"], "O'Brien");
        assert_eq!(p.payload["city"], "Zürich");

        let p = from_curl("curl -u ops:pw -d '{}' http://h/x", &store).unwrap();
        assert_eq!(
            p.auth,
            Auth::Basic {
                username: "ops".into(),
                password: "pw".into()
            }
        );
        let p = from_curl(
            "curl -H 'Authorization: Basic b3BzOnB3' -XDELETE http://h/x",
            &store,
        )
        .unwrap();
        assert_eq!(p.method, Method::Delete);
        assert!(matches!(p.auth, Auth::Basic { .. }));
    }

    #[test]
    fn what_a_profile_cannot_hold_is_refused_with_the_reason() {
        let s = Secrets::default();
        for (cmd, says) in [
            ("curl http://h/x", "POST, PUT, DELETE or PATCH"),
            ("curl -d 'a=1' http://h/x", "not JSON"),
            ("curl -F a=1 http://h/x", "not supported"),
            ("wget http://h/x", "start with curl"),
            ("curl -d @body.json http://h/x", "from a file"),
            ("curl --frobnicate http://h/x", "not understood"),
            ("curl -X POST", "no URL"),
            // Found by fuzzing: a multi-byte character after a dash.
            ("curl -\u{a1} x", "not understood"),
        ] {
            let e = from_curl(cmd, &s).unwrap_err();
            assert!(e.contains(says), "{cmd}: {e}");
        }
    }
}
