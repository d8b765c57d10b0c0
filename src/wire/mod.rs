//! The wire: [`PreparedRequest`], exactly what goes out, and the checks of
//! what HTTP can carry. [`mask`] keeps a credential off the screen, the
//! history, a log and an export.

mod mask;

pub use mask::{
    SecretSet, credential_spans, credential_values, has_masked_password, is_credential_name,
    mask_credential_value,
};

use base64::Engine;

/// What replaces a secret on screen and in stored records.
pub const MASK: &str = "[redacted]";

/// The request exactly as it goes on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    /// Profiles send POST, PUT, DELETE or PATCH; imported and received requests may
    /// carry any method.
    pub method: String,
    pub url: String,
    /// Every header in order, including `host` and `content-length`.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Values that must not be shown or stored (passwords, tokens).
    pub secret_values: SecretSet,
    /// Lowercase names of headers whose values are credentials.
    pub secret_headers: Vec<String>,
}

impl PreparedRequest {
    /// A request with no known secrets: imported, received or stored ones,
    /// whose credentials (if any) are already masked.
    pub fn plain(
        method: String,
        url: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Self {
        PreparedRequest {
            method,
            url,
            headers,
            body,
            secret_values: SecretSet::default(),
            secret_headers: Vec::new(),
        }
    }

    /// Replaces the first header of this name (any case), or adds it.
    pub fn set_header(&mut self, name: &str, value: &str) {
        match self
            .headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some(h) => h.1 = value.to_string(),
            None => self.headers.push((name.to_string(), value.to_string())),
        }
    }

    /// Replaces the body, and its content-length.
    pub fn set_body(&mut self, body: Vec<u8>) {
        self.headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case("content-length"));
        if !body.is_empty() || self.method != "DELETE" {
            self.headers
                .push(("content-length".into(), body.len().to_string()));
        }
        self.body = body;
    }

    /// The value of the first header with this name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl PreparedRequest {
    /// The request as text to edit: `METHOD URL`, a `Name: value` line per
    /// header (Content-Length left out: it follows the body), a blank
    /// line, the body.
    pub fn to_text(&self) -> String {
        let mut text = format!("{} {}\n", self.method, self.url);
        for (n, v) in &self.headers {
            if !n.eq_ignore_ascii_case("content-length") {
                text.push_str(&format!("{n}: {v}\n"));
            }
        }
        text.push('\n');
        text.push_str(&String::from_utf8_lossy(&self.body));
        text
    }

    /// Reads what [`PreparedRequest::to_text`] writes, as the user edited
    /// it: the URL must parse, each header line must be one HTTP carries.
    pub fn from_text(text: &str) -> Result<PreparedRequest, String> {
        let mut lines = text.split('\n');
        let first = lines.next().unwrap_or_default().trim();
        let (method, url) = first
            .split_once(' ')
            .ok_or("the first line must be `METHOD URL`")?;
        reqwest::Url::parse(url.trim())
            .map_err(|e| format!("invalid URL `{}`: {e}", url.trim()))?;
        let mut headers = Vec::new();
        let mut body_lines = Vec::new();
        let mut in_body = false;
        for line in lines {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if in_body {
                body_lines.push(line);
            } else if line.trim().is_empty() {
                in_body = true;
            } else {
                if !line.contains(':') {
                    return Err(format!("header line `{line}` has no `:`"));
                }
                headers.push(header_line(line)?);
            }
        }
        let mut req = PreparedRequest::plain(
            method.trim().to_ascii_uppercase(),
            url.trim().to_string(),
            headers,
            Vec::new(),
        );
        req.set_body(body_lines.join("\n").into_bytes());
        Ok(req)
    }
}

/// The Authorization value of Basic auth.
pub fn basic_auth(user: &str, password: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {encoded}")
}

/// The base64 part of a Basic auth value: a form of the password that an
/// echo of the header shows.
pub fn basic_blob(user: &str, password: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
}

/// `host[:port]` of a URL, as the `host` header carries it.
pub fn authority_of(url: &reqwest::Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    })
}

/// `scheme://host:port` of a URL, the port always written: what decides
/// where a credential may go.
pub fn origin_of(url: &reqwest::Url) -> Option<String> {
    let host = url.host_str()?;
    let port = url.port_or_known_default()?;
    Some(format!("{}://{host}:{port}", url.scheme()))
}

/// A header name must be an HTTP token.
pub fn check_header_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("empty header name".into());
    }
    match name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(*c)))
    {
        Some(c) => Err(format!(
            "invalid header name `{}`: {c:?} is not allowed in a header name",
            name.escape_debug()
        )),
        None => Ok(()),
    }
}

/// A header value must not hold line breaks, NUL or other control
/// characters: HTTP cannot carry them, so a header holding one is refused
/// where it comes in rather than dropped on the way out.
pub fn check_header_value(value: &str) -> Result<(), String> {
    match value
        .chars()
        .find(|&c| (c.is_control() && c != '\t') || c == '\u{7f}')
    {
        Some(c) => Err(format!(
            "header value holds the control character {c:?}: remove it (line breaks cannot be sent in a header)"
        )),
        None => Ok(()),
    }
}

/// A `NAME: value` line (`NAME:value` too), checked: a valid name, a value
/// HTTP can carry.
pub fn header_line(line: &str) -> Result<(String, String), String> {
    if !line.contains(':') {
        return Err(format!("`{line}`: write NAME: value"));
    }
    let (n, v) = split_header_line(line);
    check_header_name(n).map_err(|m| format!("`{line}`: {m}"))?;
    check_header_value(v).map_err(|m| format!("header `{n}`: {m}"))?;
    Ok((n.to_string(), v.to_string()))
}

/// `NAME: value` taken apart as typed, unchecked (a form still being
/// edited): the name trimmed, the value without its surrounding blanks; no
/// `:` is a name with no value yet.
pub fn split_header_line(line: &str) -> (&str, &str) {
    match line.split_once(':') {
        Some((n, v)) => (n.trim(), v.trim_matches([' ', '\t'])),
        None => (line.trim(), ""),
    }
}

/// Headers from outside (an import, a received request) that HTTP could
/// not carry: the first one, with the reason.
pub fn check_headers(headers: &[(String, String)]) -> Result<(), String> {
    for (n, v) in headers {
        check_header_name(n)?;
        check_header_value(v).map_err(|m| format!("header `{n}`: {m}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_text_reads_back() {
        let r =
            PreparedRequest::from_text("post http://a/x\nX-A: 1\nHost: a\n\n{\"a\":\n1}").unwrap();
        assert_eq!((r.method.as_str(), r.url.as_str()), ("POST", "http://a/x"));
        assert_eq!(r.header("x-a"), Some("1"));
        assert_eq!(r.body, b"{\"a\":\n1}");
        assert_eq!(r.header("content-length"), Some("8"));
        assert_eq!(PreparedRequest::from_text(&r.to_text()).unwrap(), r);
        assert!(PreparedRequest::from_text("nourl").is_err());
        assert!(PreparedRequest::from_text("POST http://a/\nbad header\n").is_err());
        assert!(PreparedRequest::from_text("POST http://a/\nX-A: a\u{0}b\n").is_err());
    }

    #[test]
    fn header_lines_are_checked() {
        assert_eq!(header_line("X-A: 1"), Ok(("X-A".into(), "1".into())));
        assert!(header_line("X-A: a\rb").is_err());
        assert!(header_line("X A: 1").is_err());
        assert!(header_line("nocolon").is_err());
    }
}
