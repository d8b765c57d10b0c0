//! Masking: the one rule for credential names, and the set of secret
//! values that masks every form a known secret takes: as written,
//! JSON-escaped any way a JSON writer escapes (and a JSON string hiding one
//! behind escapes decoded), percent-encoded, as a host name (lowercased,
//! IDNA), and the base64 of a Basic credential.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use base64::Engine;

use super::{MASK, PreparedRequest};
use crate::template::{percent_decode, percent_encode};

/// Values shorter than this are not masked where they stand in other text
/// (masking every `ab` would wreck the text and hide nothing).
const MIN_MASKED: usize = 3;

/// The one rule for names that hold a credential, for a header, a URL query
/// parameter or a payload key alike: `Authorization`, `Cookie`,
/// `X-API-Key`, `api_key`, `accessToken`, `client_secret`, `private_key`,
/// `password`, `X-Hub-Signature-256`... The name is cut into words (at
/// `-`, `_`, `.`, digits and lower-to-upper case changes) and a word is a
/// credential word, or ends in one that rarely ends anything else.
pub fn is_credential_name(name: &str) -> bool {
    /// Words that are credentials alone.
    const WORDS: &[&str] = &[
        "authorization",
        "auth",
        "cookie",
        "key",
        "apikey",
        "token",
        "secret",
        "signature",
        "sig",
        "hmac",
        "password",
        "passwd",
        "passphrase",
        "pwd",
        "credential",
        "credentials",
        "jwt",
        "bearer",
    ];
    /// Endings of words written without a break (`accesstoken`,
    /// `clientsecret`); `key` is not one (`monkey`, `hockey`).
    const ENDINGS: &[&str] = &["token", "secret", "password", "signature", "apikey"];
    /// A plural is read as its word (`api_keys`, `tokens`).
    fn singular(w: &str) -> &str {
        match w.strip_suffix(['s', 'S']) {
            Some(s) if s.len() >= 3 => s,
            _ => w,
        }
    }
    /// Names that hold a word above but no credential.
    const NOT: &[&str] = &["idempotency-key", "x-idempotency-key", "idempotency_key"];
    if NOT.iter().any(|n| name.eq_ignore_ascii_case(n)) {
        return false;
    }
    any_word(name, |w| {
        let w = singular(w);
        WORDS.iter().any(|k| w.eq_ignore_ascii_case(k))
            || ENDINGS.iter().any(|e| {
                w.len() > e.len()
                    && w.is_char_boundary(w.len() - e.len())
                    && w[w.len() - e.len()..].eq_ignore_ascii_case(e)
            })
    })
}

/// Whether `f` holds for a word of a name: `X-API-Key` is `X`, `API`,
/// `Key`; `accessToken` is `access`, `Token`; `private_key2` is `private`,
/// `key`. (Called for every key of every body the history writes: it
/// allocates nothing.)
fn any_word(name: &str, mut f: impl FnMut(&str) -> bool) -> bool {
    let mut start = None;
    let mut prev_lower = false;
    for (i, c) in name.char_indices() {
        if !c.is_alphabetic() {
            if let Some(s) = start.take()
                && f(&name[s..i])
            {
                return true;
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower {
            if let Some(s) = start
                && f(&name[s..i])
            {
                return true;
            }
            start = Some(i);
        } else if start.is_none() {
            start = Some(i);
        }
        prev_lower = c.is_lowercase();
    }
    start.is_some_and(|s| f(&name[s..]))
}

/// Known secret values, and every form they take in what is sent and
/// received. Cheap to clone: one set is shared by every request of a replay
/// run. Its `Debug` never shows the values.
#[derive(Clone, Default)]
pub struct SecretSet(Arc<SetInner>);

#[derive(Default)]
struct SetInner {
    values: Vec<String>,
    /// Every form of every value, longest first; made on first use.
    forms: OnceLock<Vec<String>>,
}

impl std::fmt::Debug for SecretSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretSet({} value(s))", self.0.values.len())
    }
}

impl PartialEq for SecretSet {
    fn eq(&self, other: &Self) -> bool {
        self.0.values == other.0.values
    }
}

impl Eq for SecretSet {}

impl From<Vec<String>> for SecretSet {
    fn from(values: Vec<String>) -> Self {
        SecretSet::new(values)
    }
}

impl SecretSet {
    /// The set of these values (empty ones left out, each once).
    pub fn new(values: impl IntoIterator<Item = String>) -> SecretSet {
        let mut out: Vec<String> = Vec::new();
        for v in values {
            if !v.is_empty() && !out.contains(&v) {
                out.push(v);
            }
        }
        SecretSet(Arc::new(SetInner {
            values: out,
            forms: OnceLock::new(),
        }))
    }

    pub fn values(&self) -> &[String] {
        &self.0.values
    }

    pub fn is_empty(&self) -> bool {
        self.0.values.is_empty()
    }

    /// This set and `more`; the same set (shared) when `more` adds nothing.
    pub fn with(&self, more: impl IntoIterator<Item = String>) -> SecretSet {
        let mut added: Vec<String> = Vec::new();
        for v in more {
            if !v.is_empty() && !self.0.values.contains(&v) && !added.contains(&v) {
                added.push(v);
            }
        }
        if added.is_empty() {
            return self.clone();
        }
        SecretSet::new(self.0.values.iter().cloned().chain(added))
    }

    fn forms(&self) -> &[String] {
        self.0.forms.get_or_init(|| {
            let mut forms: Vec<String> = Vec::new();
            let mut add = |f: String| {
                if f.len() >= MIN_MASKED && !forms.contains(&f) {
                    forms.push(f);
                }
            };
            for v in self.0.values.iter().filter(|v| v.len() >= MIN_MASKED) {
                // JSON: as serde writes it, with `/` escaped (PHP), and with
                // everything past ASCII as \uXXXX (Python's default), in
                // either case of hex; each also escaped once more, as an
                // echo repeats a body inside a string.
                let escaped = json_escaped(v);
                let mut json = vec![escaped.clone(), escaped.replace('/', "\\/")];
                json.push(ascii_escaped(&escaped, false));
                json.push(ascii_escaped(&escaped, true));
                for j in json {
                    add(json_escaped(&j));
                    add(j);
                }
                // Percent-encoded: either case of hex, and `+` for a space
                // as forms write it.
                let encoded = percent_encode(v);
                let lower_hex = lower_percent_hex(&encoded);
                add(encoded.replace("%20", "+"));
                add(lower_hex.replace("%20", "+"));
                add(encoded.to_ascii_lowercase());
                add(lower_hex);
                add(encoded);
                // As a host name: lowercased, and IDNA for other scripts.
                add(v.to_lowercase());
                if !v.is_ascii()
                    && let Ok(u) = reqwest::Url::parse(&format!("http://{v}/"))
                    && let Some(h) = u.host_str()
                {
                    add(h.to_string());
                }
                add(v.clone());
            }
            forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
            forms
        })
    }

    /// `text` with every form of every value replaced by [`MASK`], and in
    /// JSON, every string that hides one behind escapes of any kind.
    pub fn mask<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.is_empty() {
            return Cow::Borrowed(text);
        }
        match self.mask_forms(text) {
            Cow::Borrowed(t) => mask_json_strings(self, t, 0),
            Cow::Owned(t) => Cow::Owned(mask_json_strings(self, &t, 0).into_owned()),
        }
    }

    /// The forms alone.
    fn mask_forms<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for f in self.forms() {
            if out.contains(f.as_str()) {
                out = Cow::Owned(out.replace(f.as_str(), MASK));
            }
        }
        out
    }

    /// The same for bytes that may not be text.
    pub fn mask_bytes<'a>(&self, bytes: &'a [u8]) -> Cow<'a, [u8]> {
        if self.is_empty() {
            return Cow::Borrowed(bytes);
        }
        if let Ok(text) = std::str::from_utf8(bytes) {
            return match self.mask(text) {
                Cow::Borrowed(_) => Cow::Borrowed(bytes),
                Cow::Owned(s) => Cow::Owned(s.into_bytes()),
            };
        }
        let mut out = Cow::Borrowed(bytes);
        for f in self.forms() {
            let f = f.as_bytes();
            if find(&out, f, 0).is_some() {
                let mut next = Vec::with_capacity(out.len());
                let mut at = 0;
                while let Some(i) = find(&out, f, at) {
                    next.extend_from_slice(&out[at..i]);
                    next.extend_from_slice(MASK.as_bytes());
                    at = i + f.len();
                }
                next.extend_from_slice(&out[at..]);
                out = Cow::Owned(next);
            }
        }
        out
    }

    /// Whether any form of any value stands in `text`.
    pub fn appears_in(&self, text: &[u8]) -> bool {
        if self.is_empty() {
            return false;
        }
        self.forms()
            .iter()
            .any(|f| find(text, f.as_bytes(), 0).is_some())
            || std::str::from_utf8(text)
                .is_ok_and(|t| matches!(mask_json_strings(self, t, 0), Cow::Owned(_)))
    }
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// JSON-escaped text with every character past ASCII as `\uXXXX` (a
/// surrogate pair past the first plane).
fn ascii_escaped(escaped: &str, upper: bool) -> String {
    let mut out = String::with_capacity(escaped.len());
    for c in escaped.chars() {
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        let mut units = [0u16; 2];
        for u in c.encode_utf16(&mut units) {
            if upper {
                out.push_str(&format!("\\u{u:04X}"));
            } else {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out
}

/// Percent-encoded text with the hex digits of each escape lowercase (the
/// text around them as it is).
fn lower_percent_hex(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut left = 0;
    for c in encoded.chars() {
        if c == '%' {
            left = 2;
            out.push(c);
        } else if left > 0 {
            left -= 1;
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` (JSON) with each string literal that hides a secret behind
/// escapes of any kind decoded, masked and written again.
fn mask_json_strings<'a>(set: &SecretSet, text: &'a str, depth: u8) -> Cow<'a, str> {
    if depth > 3 || !looks_json(text) || !text.contains('\\') {
        return Cow::Borrowed(text);
    }
    let b = text.as_bytes();
    let mut out = String::new();
    let mut at = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'"' {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i + 1;
        let mut escapes = false;
        let end = loop {
            match b.get(j) {
                None => break None,
                Some(b'\\') => {
                    escapes = true;
                    j += 2;
                }
                Some(b'"') => break Some(j + 1),
                Some(_) => j += 1,
            }
        };
        let Some(end) = end else { break };
        if escapes && let Ok(decoded) = serde_json::from_str::<String>(&text[start..end]) {
            let inner = mask_json_strings(set, &decoded, depth + 1);
            let masked = set.mask_forms(&inner);
            if masked != decoded.as_str() {
                out.push_str(&text[at..start]);
                out.push_str(&serde_json::to_string(masked.as_ref()).expect("a string"));
                at = end;
            }
        }
        i = end;
    }
    if at == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// A string as it stands inside a JSON string (without the quotes).
fn json_escaped(s: &str) -> String {
    let quoted = serde_json::to_string(s).expect("a string always serialises");
    quoted[1..quoted.len() - 1].to_string()
}

impl PreparedRequest {
    fn is_credential_header(&self, name: &str) -> bool {
        self.secret_headers
            .iter()
            .any(|s| s.eq_ignore_ascii_case(name))
            || is_credential_name(name)
    }

    /// Every secret this request carries: the known values, the values of
    /// its credential headers (and the password inside a Basic one), the
    /// password of its URL, and the values of query parameters and payload
    /// keys named like credentials. An answer that echoes any of them is
    /// masked with this set too.
    pub fn known_secrets(&self) -> SecretSet {
        let mut found = Vec::new();
        for (n, v) in &self.headers {
            if !self.is_credential_header(n) || v.contains(MASK) {
                continue;
            }
            let credential = match split_scheme(v) {
                Some((scheme, rest)) => {
                    if scheme.eq_ignore_ascii_case("basic")
                        && let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(rest)
                        && let Ok(pair) = String::from_utf8(raw)
                        && let Some((_, password)) = pair.split_once(':')
                    {
                        found.push(password.to_string());
                    }
                    rest
                }
                None => v.as_str(),
            };
            found.push(credential.to_string());
        }
        if let Some(p) = url_password(&self.url) {
            found.push(p);
        }
        if let Some((_, query)) = self.url.split_once('?') {
            let query = query.split('#').next().unwrap_or_default();
            found.extend(credential_pairs(query).map(|r| form_decode(&query[r]).into_owned()));
        }
        if let Ok(text) = std::str::from_utf8(&self.body) {
            if is_form(&self.headers) && !looks_json(text) {
                found.extend(credential_pairs(text).map(|r| form_decode(&text[r]).into_owned()));
            } else {
                for r in credential_spans(text) {
                    let raw = &text[r];
                    found.push(
                        serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.to_string()),
                    );
                }
            }
        }
        found.retain(|v| v != MASK);
        self.secret_values.with(found)
    }

    /// A copy fit for the screen, a log or the history: credential headers
    /// masked (keeping a scheme word such as `Basic`), query parameters and
    /// payload keys named like credentials masked, and every form of every
    /// known secret masked wherever it appears in the URL, a header or the
    /// body.
    pub fn redacted(&self) -> PreparedRequest {
        self.redacted_with(&self.known_secrets())
    }

    /// The same with the secrets already gathered (see
    /// [`PreparedRequest::known_secrets`]).
    pub fn redacted_with(&self, known: &SecretSet) -> PreparedRequest {
        let headers = self
            .headers
            .iter()
            .map(|(n, v)| {
                if self.is_credential_header(n) {
                    (n.clone(), mask_credential_value(v))
                } else {
                    (n.clone(), known.mask(v).into_owned())
                }
            })
            .collect();
        let body = match std::str::from_utf8(&self.body) {
            Ok(text) => {
                let keyed = if is_form(&self.headers) && !looks_json(text) {
                    mask_pairs(text)
                } else {
                    mask_spans(text, &credential_spans(text))
                };
                match known.mask(&keyed) {
                    Cow::Borrowed(_) if matches!(keyed, Cow::Borrowed(_)) => self.body.clone(),
                    masked => masked.into_owned().into_bytes(),
                }
            }
            Err(_) => known.mask_bytes(&self.body).into_owned(),
        };
        PreparedRequest {
            method: self.method.clone(),
            url: mask_url(&self.url, known),
            headers,
            body,
            secret_values: SecretSet::default(),
            secret_headers: self.secret_headers.clone(),
        }
    }
}

/// `Basic abc` is `("Basic", "abc")`: a scheme word before the credential.
fn split_scheme(v: &str) -> Option<(&str, &str)> {
    match v.split_once(' ') {
        Some((scheme, rest))
            if !scheme.is_empty()
                && scheme.chars().all(|c| c.is_ascii_alphabetic())
                && !rest.trim().is_empty() =>
        {
            Some((scheme, rest.trim()))
        }
        _ => None,
    }
}

/// A credential header's value masked, keeping its scheme word.
pub fn mask_credential_value(v: &str) -> String {
    match split_scheme(v) {
        Some((scheme, _)) => format!("{scheme} {MASK}"),
        None => MASK.to_string(),
    }
}

/// A URL with its password, its credential query parameters and every
/// known secret masked.
fn mask_url(url: &str, known: &SecretSet) -> String {
    let url = match url.split_once('?') {
        Some((base, rest)) => {
            let (query, fragment) = match rest.split_once('#') {
                Some((q, f)) => (q, Some(f)),
                None => (rest, None),
            };
            let mut out = format!("{base}?{}", mask_pairs(query));
            if let Some(f) = fragment {
                out.push('#');
                out.push_str(f);
            }
            Cow::Owned(out)
        }
        None => Cow::Borrowed(url),
    };
    mask_url_password(known.mask(&url).into_owned())
}

/// The byte ranges of the values of `name=value` pairs (a query, a form
/// body) whose name is a credential's.
fn credential_pairs(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut at = 0;
    text.split('&').filter_map(move |pair| {
        let start = at;
        at += pair.len() + 1;
        let (k, v) = pair.split_once('=')?;
        (!v.is_empty() && v != MASK && is_credential_name(&form_decode(k)))
            .then(|| start + k.len() + 1..start + pair.len())
    })
}

/// `name=value&...` with the values of credential names masked.
fn mask_pairs(text: &str) -> Cow<'_, str> {
    let ranges: Vec<Range<usize>> = credential_pairs(text).collect();
    if ranges.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        out.push_str(&text[at..r.start]);
        out.push_str(MASK);
        at = r.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// A query or form value as text (`+` is a space).
fn form_decode(s: &str) -> Cow<'_, str> {
    if !s.contains(['%', '+']) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(percent_decode(&s.replace('+', " ")))
}

/// A body that reads as JSON whatever its content type says (curl's
/// `-d` calls every body a form).
fn looks_json(text: &str) -> bool {
    matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'['))
}

fn is_form(headers: &[(String, String)]) -> bool {
    headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("content-type")
            && v.to_ascii_lowercase()
                .contains("application/x-www-form-urlencoded")
    })
}

/// `text` with each range replaced by `"[redacted]"`.
fn mask_spans<'a>(text: &'a str, spans: &[Range<usize>]) -> Cow<'a, str> {
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in spans {
        out.push_str(&text[at..r.start]);
        out.push('"');
        out.push_str(MASK);
        out.push('"');
        at = r.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// The byte ranges of the JSON values in `text` that stand under a key
/// named like a credential: strings (with their quotes) and numbers, also
/// as items of an array under such a key. Objects under such a key are
/// looked into key by key. Text that is not JSON gives what was found
/// before it stopped making sense; nothing panics.
pub fn credential_spans(text: &str) -> Vec<Range<usize>> {
    credential_values(text)
        .into_iter()
        .map(|(_, r)| r)
        .collect()
}

/// The same, each with the key it stands under.
pub fn credential_values(text: &str) -> Vec<(String, Range<usize>)> {
    enum Frame {
        /// `key`: the credential key whose value comes next, if it is one.
        Object {
            key: Option<String>,
            want_key: bool,
        },
        Array {
            key: Option<String>,
        },
    }
    let b = text.as_bytes();
    let start = b.iter().position(|c| !c.is_ascii_whitespace());
    if !matches!(start.map(|i| b[i]), Some(b'{' | b'[')) {
        return Vec::new();
    }
    let value_key = |stack: &[Frame]| -> Option<String> {
        match stack.last() {
            Some(Frame::Object {
                key,
                want_key: false,
            }) => key.clone(),
            Some(Frame::Array { key }) => key.clone(),
            _ => None,
        }
    };
    let mut stack: Vec<Frame> = Vec::new();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            c if c.is_ascii_whitespace() || c == b':' => i += 1,
            b'{' => {
                stack.push(Frame::Object {
                    key: None,
                    want_key: true,
                });
                i += 1;
            }
            b'[' => {
                let key = value_key(&stack);
                stack.push(Frame::Array { key });
                i += 1;
            }
            b'}' | b']' => {
                stack.pop();
                i += 1;
            }
            b',' => {
                if let Some(Frame::Object { want_key, .. }) = stack.last_mut() {
                    *want_key = true;
                }
                i += 1;
            }
            b'"' => {
                let mut j = i + 1;
                let end = loop {
                    match b.get(j) {
                        None => return out,
                        Some(b'\\') => j += 2,
                        Some(b'"') => break j + 1,
                        Some(_) => j += 1,
                    }
                };
                if let Some(Frame::Object {
                    key,
                    want_key: want @ true,
                }) = stack.last_mut()
                {
                    let raw = &text[i..end];
                    // Most keys are plain and no credential: nothing is
                    // allocated for them.
                    *key = if raw.contains('\\') {
                        serde_json::from_str::<String>(raw)
                            .ok()
                            .filter(|k| is_credential_name(k))
                    } else {
                        let plain = &raw[1..raw.len() - 1];
                        is_credential_name(plain).then(|| plain.to_string())
                    };
                    *want = false;
                } else if let Some(k) = value_key(&stack) {
                    out.push((k, i..end));
                }
                i = end;
            }
            c => {
                let from = i;
                while i < b.len() && !b" \t\r\n,]}:\"".contains(&b[i]) {
                    i += 1;
                }
                if (c == b'-' || c.is_ascii_digit())
                    && let Some(k) = value_key(&stack)
                {
                    out.push((k, from..i));
                }
                if i == from {
                    i += 1;
                }
            }
        }
    }
    out
}

/// The password in a URL (`http://user:PASSWORD@host/`), decoded; none
/// when it is the mask.
fn url_password(url: &str) -> Option<String> {
    if !url.contains('@') {
        return None;
    }
    let u = reqwest::Url::parse(url).ok()?;
    let p = u.password()?;
    (!has_masked_password(p)).then(|| percent_decode(p))
}

/// A URL with the password in it (`http://user:PASSWORD@host/`) masked.
fn mask_url_password(url: String) -> String {
    if !url.contains('@') {
        return url;
    }
    match reqwest::Url::parse(&url) {
        Ok(mut u) if u.password().is_some_and(|p| !has_masked_password(p)) => {
            let _ = u.set_password(Some(MASK));
            u.to_string()
        }
        _ => url,
    }
}

/// Whether a URL's password is the mask (as a URL writes it).
pub fn has_masked_password(password: &str) -> bool {
    percent_decode(password) == MASK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names_are_known_in_any_form() {
        for name in [
            "Authorization",
            "PROXY-AUTHORIZATION",
            "cookie",
            "Set-Cookie",
            "X-API-Key",
            "x-auth-TOKEN",
            "Stripe-Signature",
            "X-Webhook-Secret",
            "X-Password",
            "X-Hub-Signature-256",
            "X-Shopify-Hmac-Sha256",
            "token",
            "apikey",
            "api_key",
            "apiKey",
            "password",
            "secret",
            "client_secret",
            "clientSecret",
            "private_key",
            "accessToken",
            "access_token",
            "refreshtoken",
            "key",
        ] {
            assert!(is_credential_name(name), "{name}");
        }
        for name in [
            "Content-Type",
            "X-Journey",
            "Host",
            "Accept",
            "Ke",
            "monkey",
            "keyword",
            "author",
            "Idempotency-Key",
            "tokenizer",
            "email",
            "plan",
        ] {
            assert!(!is_credential_name(name), "{name}");
        }
    }

    #[test]
    fn every_form_of_a_secret_is_masked() {
        let set = SecretSet::new(vec![r#"pa"ss\w0rd"#.to_string(), "HostSecret".into()]);
        let body = r#"{"note":"pa\"ss\\w0rd","echo":"{\"p\":\"pa\\\"ss\\\\w0rd\"}"}"#;
        let masked = set.mask(body);
        assert!(!masked.contains("w0rd"), "{masked}");
        assert_eq!(
            set.mask("http://hostsecret.example/x?q=pa%22ss%5Cw0rd"),
            "http://[redacted].example/x?q=[redacted]"
        );
        let binary = [&[0xff, 0xfe][..], b"HostSecret", &[0xff]].concat();
        assert_eq!(
            set.mask_bytes(&binary).as_ref(),
            [&[0xff, 0xfe][..], MASK.as_bytes(), &[0xff]].concat()
        );
        assert!(set.appears_in(b"xx hostsecret"));
        // Escapes of any kind, as other JSON writers make them.
        let other = SecretSet::new(vec![r#"Tok"en\ÄBC Xy/Z9"#.to_string()]);
        for text in [
            r#"{"a":"Bearer Tok\"en\\\u00c4BC Xy/Z9"}"#,
            r#"{"a":"Bearer Tok\"en\\\u00C4BC Xy\/Z9"}"#,
            r#"{"a":"{\"b\":\"Tok\\\"en\\\\\\u00c4BC Xy/Z9\"}"}"#,
            r#"{"a":"\u0054ok\"en\\ÄBC Xy/Z9"}"#,
            "Tok%22en%5c%c3%84BC%20Xy%2fZ9",
            "Tok%22en%5C%C3%84BC+Xy%2FZ9",
        ] {
            let m = other.mask(text);
            assert!(!m.contains("Z9"), "{text} -> {m}");
            assert!(other.appears_in(text.as_bytes()), "{text}");
        }
        assert_eq!(format!("{set:?}"), "SecretSet(2 value(s))");
    }

    #[test]
    fn credential_keys_are_masked_in_queries_and_bodies() {
        let req = PreparedRequest::plain(
            "POST".into(),
            "https://a.example/x?api_key=k3y-v4lue&plan=pro&token=".into(),
            vec![("content-type".into(), "application/json".into())],
            br#"{"plan":"pro","password":"hunter22","nested":{"client_secret":"cs-123","n":1},"pin_token":12345,"tags":["a"],"api_keys":["k1x","k2x"]}"#.to_vec(),
        );
        let r = req.redacted();
        assert_eq!(
            r.url,
            "https://a.example/x?api_key=[redacted]&plan=pro&token="
        );
        let body = String::from_utf8(r.body).unwrap();
        assert_eq!(
            body,
            r#"{"plan":"pro","password":"[redacted]","nested":{"client_secret":"[redacted]","n":1},"pin_token":"[redacted]","tags":["a"],"api_keys":["[redacted]","[redacted]"]}"#
        );
        let known = req.known_secrets();
        for v in ["k3y-v4lue", "hunter22", "cs-123", "12345", "k1x"] {
            assert!(known.values().iter().any(|k| k == v), "{v}");
        }
    }

    #[test]
    fn a_form_body_is_masked_by_key() {
        let req = PreparedRequest::plain(
            "POST".into(),
            "http://a/".into(),
            vec![(
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            )],
            b"user=ops&password=s3cr%26t&x=1".to_vec(),
        );
        assert_eq!(req.redacted().body, b"user=ops&password=[redacted]&x=1");
        assert!(req.known_secrets().values().contains(&"s3cr&t".to_string()));
    }

    #[test]
    fn the_scanner_survives_anything() {
        for text in [
            "{",
            "[",
            "{\"password\"",
            "{\"password\":",
            "{\"password\":\"x",
            "]]]}}}",
            "{\"a\\",
            "[1,2,",
            "{\"token\":-}",
            "\u{1F600}{\"k\":1}",
        ] {
            let _ = credential_spans(text);
        }
        assert_eq!(credential_spans(r#"{"token" : "t1"}"#), vec![(11..15)]);
    }
}
