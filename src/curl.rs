//! A [`PreparedRequest`] as a curl command line.

use crate::request::{MASK, PreparedRequest};

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
    let mut parts = vec!["curl".to_string(), "-X".into(), req.method.as_str().into()];
    for (n, v) in &req.headers {
        if n.eq_ignore_ascii_case("host") || n.eq_ignore_ascii_case("content-length") {
            continue;
        }
        parts.push("-H".into());
        parts.push(shell_quote(&format!("{n}: {v}")));
    }
    if !req.body.is_empty() {
        parts.push("--data-binary".into());
        parts.push(shell_quote(&String::from_utf8_lossy(&req.body)));
    }
    parts.push(shell_quote(&req.url));
    let cmd = parts.join(" ");
    if !reveal && cmd.contains(MASK) {
        format!("{cmd}  # credentials masked")
    } else {
        cmd
    }
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
}
