//! The editable form of a profile: every field as the user is typing it, so
//! that invalid input is kept, shown where it is, and never thrown away.

use serde_json::{Map, Value};

use crate::profile::{Auth, Header, Method, Profile};
use crate::signing::Signing;

/// Which kind of auth the form shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    None,
    Basic,
    Token,
}

impl AuthKind {
    pub fn label(self) -> &'static str {
        match self {
            AuthKind::None => "None",
            AuthKind::Basic => "Basic",
            AuthKind::Token => "Token",
        }
    }

    fn cycle(self, forward: bool) -> AuthKind {
        let all = [AuthKind::None, AuthKind::Basic, AuthKind::Token];
        let i = all.iter().position(|k| *k == self).unwrap_or(0);
        all[(i + if forward { 1 } else { 2 }) % 3]
    }
}

/// Which signing the form shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningKind {
    None,
    StandardWebhooks,
    Hmac,
    Stripe,
    GitHub,
    Shopify,
    Slack,
}

impl SigningKind {
    const ALL: [SigningKind; 7] = [
        SigningKind::None,
        SigningKind::StandardWebhooks,
        SigningKind::Hmac,
        SigningKind::Stripe,
        SigningKind::GitHub,
        SigningKind::Shopify,
        SigningKind::Slack,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SigningKind::None => "None",
            SigningKind::StandardWebhooks => "Standard Webhooks",
            SigningKind::Hmac => "HMAC",
            SigningKind::Stripe => "Stripe",
            SigningKind::GitHub => "GitHub",
            SigningKind::Shopify => "Shopify",
            SigningKind::Slack => "Slack",
        }
    }

    fn cycle(self, forward: bool) -> SigningKind {
        let n = Self::ALL.len();
        let i = Self::ALL.iter().position(|k| *k == self).unwrap_or(0);
        Self::ALL[(i + if forward { 1 } else { n - 1 }) % n]
    }

    fn of(s: &Signing) -> SigningKind {
        match s {
            Signing::StandardWebhooks { .. } => SigningKind::StandardWebhooks,
            Signing::Hmac { .. } => SigningKind::Hmac,
            Signing::Stripe { .. } => SigningKind::Stripe,
            Signing::GitHub { .. } => SigningKind::GitHub,
            Signing::Shopify { .. } => SigningKind::Shopify,
            Signing::Slack { .. } => SigningKind::Slack,
        }
    }
}

/// A row of the editor form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    Method,
    Url,
    /// The profile's defaults of `{{var.NAME}}`, as JSON.
    Variables,
    Auth,
    Username,
    Password,
    Token,
    TokenHeader,
    TokenScheme,
    Headers,
    Header(usize),
    IncludeTrigger,
    Payload,
    Event,
    Timeout,
    FollowRedirects,
    Insecure,
    Signing,
    SigningSecret,
    HmacHeader,
    HmacPrefix,
    HmacEncoding,
    Retry,
}

impl Field {
    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "Name",
            Field::Method => "Method",
            Field::Url => "URL",
            Field::Variables => "Variables",
            Field::Auth => "Auth",
            Field::Username => "  Username",
            Field::Password => "  Password",
            Field::Token => "  Token",
            Field::TokenHeader => "  Header",
            Field::TokenScheme => "  Scheme",
            Field::Headers => "Headers",
            Field::Header(_) => "",
            Field::IncludeTrigger => "Trigger",
            Field::Payload => "Payload",
            Field::Event => "Event",
            Field::Timeout => "Timeout s",
            Field::FollowRedirects => "Redirects",
            Field::Insecure => "TLS",
            Field::Signing => "Signing",
            Field::SigningSecret => "  Secret",
            Field::HmacHeader => "  Header",
            Field::HmacPrefix => "  Prefix",
            Field::HmacEncoding => "  Encoding",
            Field::Retry => "Retry",
        }
    }

    /// The field's name in a message: `URL`, `header #2`.
    pub fn describe(self) -> String {
        match self {
            Field::Header(i) => format!("header #{}", i + 1),
            f => f.label().trim().to_string(),
        }
    }

    /// Fields edited as one line of text.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Field::Name
                | Field::Url
                | Field::Username
                | Field::Password
                | Field::Token
                | Field::TokenHeader
                | Field::TokenScheme
                | Field::Header(_)
                | Field::Timeout
                | Field::SigningSecret
                | Field::HmacHeader
                | Field::HmacPrefix
                | Field::Retry
        )
    }
}

/// A profile as it stands in the form.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub name: String,
    pub method: Method,
    pub url: String,
    /// The profile's variable defaults: a JSON object of names to text
    /// (empty: none).
    pub variables: String,
    pub auth: AuthKind,
    pub username: String,
    pub password: String,
    pub token: String,
    pub token_header: String,
    pub token_scheme: String,
    /// The scheme was written out (in the file or the form): it stays as
    /// written; otherwise it follows the header (`Bearer` on
    /// `Authorization`, none elsewhere), as the file's default does.
    pub token_scheme_set: bool,
    pub headers: Vec<Header>,
    pub include_trigger: bool,
    pub payload: String,
    pub event: Option<String>,
    /// An inline sample event (JSON text), used when `event` names no
    /// file; empty text is none.
    pub sample_event: Option<String>,
    pub timeout: String,
    pub follow_redirects: bool,
    pub insecure: bool,
    pub signing: SigningKind,
    pub signing_secret: String,
    /// HMAC's header, prefix and encoding.
    pub hmac: (String, String, crate::signing::Encoding),
    /// `5 exp 500..30000 jitter`, or empty for none.
    pub retry: String,
}

/// A field whose text cannot become part of a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

impl Draft {
    pub fn from_profile(p: &Profile) -> Draft {
        let (auth, username, password, token, token_header, token_scheme) = match &p.auth {
            Auth::None => (AuthKind::None, "", "", "", "Authorization", "Bearer"),
            Auth::Basic { username, password } => (
                AuthKind::Basic,
                username.as_str(),
                password.as_str(),
                "",
                "Authorization",
                "Bearer",
            ),
            Auth::Token {
                token,
                header,
                scheme,
            } => (
                AuthKind::Token,
                "",
                "",
                token.as_str(),
                Auth::token_header(header),
                Auth::token_scheme(header, scheme),
            ),
        };
        Draft {
            name: p.name.clone(),
            method: p.method,
            url: p.url.clone(),
            variables: if p.variables.is_empty() {
                String::new()
            } else {
                serde_json::to_string_pretty(&p.variables).expect("strings always serialise")
            },
            auth,
            username: username.into(),
            password: password.into(),
            token: token.into(),
            token_header: token_header.into(),
            token_scheme: token_scheme.into(),
            token_scheme_set: matches!(
                &p.auth,
                Auth::Token {
                    scheme: Some(_),
                    ..
                }
            ),
            headers: p.headers.clone(),
            include_trigger: p.include_trigger,
            payload: if p.payload.is_empty() {
                String::new()
            } else {
                serde_json::to_string_pretty(&Value::Object(p.payload.clone()))
                    .expect("JSON values always serialise")
            },
            event: p.event.clone(),
            sample_event: p
                .sample_event
                .as_ref()
                .map(|m| serde_json::to_string_pretty(m).expect("JSON values always serialise")),
            timeout: p.timeout_secs.to_string(),
            follow_redirects: p.follow_redirects,
            insecure: p.insecure,
            signing: p
                .signing
                .as_ref()
                .map_or(SigningKind::None, SigningKind::of),
            signing_secret: p
                .signing
                .as_ref()
                .map(|s| s.secret().to_string())
                .unwrap_or_default(),
            hmac: match &p.signing {
                Some(Signing::Hmac {
                    header,
                    prefix,
                    encoding,
                    ..
                }) => (header.clone(), prefix.clone(), *encoding),
                _ => ("X-Signature".into(), String::new(), Default::default()),
            },
            retry: p
                .retry
                .as_ref()
                .map(crate::retry::Retry::to_text)
                .unwrap_or_default(),
        }
    }

    /// The profile this form describes, or every field that stops it.
    pub fn to_profile(&self) -> Result<Profile, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut err = |field, message: String| errors.push(FieldError { field, message });
        if self.name.trim().is_empty() {
            err(Field::Name, "the name is empty".into());
        }
        let payload = match parse_payload(&self.payload) {
            Ok(p) => p,
            Err(m) => {
                err(Field::Payload, m);
                Map::new()
            }
        };
        let variables = match parse_variables(&self.variables) {
            Ok(v) => v,
            Err(m) => {
                err(Field::Variables, m);
                Default::default()
            }
        };
        let sample_event = match &self.sample_event {
            Some(text) if self.event.is_none() && !text.trim().is_empty() => {
                match parse_object(text, "the sample event") {
                    Ok(m) => Some(m),
                    Err(m) => {
                        err(Field::Event, m);
                        None
                    }
                }
            }
            _ => None,
        };
        let timeout = match self.timeout.trim().parse::<u64>() {
            Ok(t) if (1..=3600).contains(&t) => t,
            _ => {
                err(
                    Field::Timeout,
                    format!(
                        "`{}` is not a number of seconds from 1 to 3600",
                        self.timeout
                    ),
                );
                0
            }
        };
        let retry = match crate::retry::Retry::parse_text(&self.retry) {
            Ok(r) => r,
            Err(m) => {
                err(Field::Retry, m);
                None
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let auth = match self.auth {
            AuthKind::None => Auth::None,
            AuthKind::Basic => Auth::Basic {
                username: self.username.clone(),
                password: self.password.clone(),
            },
            AuthKind::Token => {
                let header = (!self.token_header.is_empty()
                    && !self.token_header.eq_ignore_ascii_case("authorization"))
                .then(|| self.token_header.clone());
                let default_scheme = Auth::token_scheme(&header, &None);
                let scheme = (self.token_scheme_set && self.token_scheme != default_scheme)
                    .then(|| self.token_scheme.clone());
                Auth::Token {
                    token: self.token.clone(),
                    header,
                    scheme,
                }
            }
        };
        Ok(Profile {
            name: self.name.trim().to_string(),
            method: self.method,
            url: self.url.clone(),
            variables,
            auth,
            headers: self.headers.clone(),
            include_trigger: self.include_trigger,
            payload,
            event: self.event.clone(),
            sample_event,
            timeout_secs: timeout,
            follow_redirects: self.follow_redirects,
            insecure: self.insecure,
            signing: match self.signing {
                SigningKind::None => None,
                SigningKind::StandardWebhooks => Some(Signing::StandardWebhooks {
                    secret: self.signing_secret.clone(),
                }),
                SigningKind::Hmac => Some(Signing::Hmac {
                    secret: self.signing_secret.clone(),
                    header: self.hmac.0.clone(),
                    prefix: self.hmac.1.clone(),
                    encoding: self.hmac.2,
                }),
                SigningKind::Stripe => Some(Signing::Stripe {
                    secret: self.signing_secret.clone(),
                }),
                SigningKind::GitHub => Some(Signing::GitHub {
                    secret: self.signing_secret.clone(),
                }),
                SigningKind::Shopify => Some(Signing::Shopify {
                    secret: self.signing_secret.clone(),
                }),
                SigningKind::Slack => Some(Signing::Slack {
                    secret: self.signing_secret.clone(),
                }),
            },
            retry,
        })
    }

    /// The rows of the form, in order.
    pub fn rows(&self) -> Vec<Field> {
        let mut rows = vec![
            Field::Name,
            Field::Method,
            Field::Url,
            Field::Variables,
            Field::Auth,
        ];
        match self.auth {
            AuthKind::None => {}
            AuthKind::Basic => rows.extend([Field::Username, Field::Password]),
            AuthKind::Token => rows.extend([Field::Token, Field::TokenHeader, Field::TokenScheme]),
        }
        rows.push(Field::Headers);
        rows.extend((0..self.headers.len()).map(Field::Header));
        rows.extend([
            Field::IncludeTrigger,
            Field::Payload,
            Field::Event,
            Field::Timeout,
            Field::FollowRedirects,
            Field::Insecure,
            Field::Signing,
        ]);
        if self.signing != SigningKind::None {
            rows.push(Field::SigningSecret);
        }
        if self.signing == SigningKind::Hmac {
            rows.extend([Field::HmacHeader, Field::HmacPrefix, Field::HmacEncoding]);
        }
        rows.push(Field::Retry);
        rows
    }

    /// The text of a text field (headers as `Name: value`).
    pub fn text(&self, f: Field) -> String {
        match f {
            Field::Name => self.name.clone(),
            Field::Url => self.url.clone(),
            Field::Username => self.username.clone(),
            Field::Password => self.password.clone(),
            Field::Token => self.token.clone(),
            Field::TokenHeader => self.token_header.clone(),
            Field::TokenScheme => self.token_scheme.clone(),
            Field::Timeout => self.timeout.clone(),
            Field::SigningSecret => self.signing_secret.clone(),
            Field::HmacHeader => self.hmac.0.clone(),
            Field::HmacPrefix => self.hmac.1.clone(),
            Field::Retry => self.retry.clone(),
            Field::Header(i) => self
                .headers
                .get(i)
                .filter(|h| !h.name.is_empty() || !h.value.is_empty())
                .map(|h| format!("{}: {}", h.name, h.value))
                .unwrap_or_default(),
            Field::Payload => self.payload.clone(),
            _ => String::new(),
        }
    }

    /// Sets a text field from what was typed.
    pub fn set_text(&mut self, f: Field, text: String) {
        match f {
            Field::Name => self.name = text,
            Field::Url => self.url = text,
            Field::Username => self.username = text,
            Field::Password => self.password = text,
            Field::Token => self.token = text,
            Field::TokenHeader => {
                if !self.token_scheme_set {
                    let header = Some(text.clone()).filter(|h| !h.is_empty());
                    self.token_scheme = Auth::token_scheme(&header, &None).to_string();
                }
                self.token_header = text;
            }
            Field::TokenScheme => {
                self.token_scheme = text;
                self.token_scheme_set = true;
            }
            Field::Timeout => self.timeout = text,
            Field::SigningSecret => self.signing_secret = text,
            Field::HmacHeader => self.hmac.0 = text,
            Field::HmacPrefix => self.hmac.1 = text,
            Field::Retry => self.retry = text,
            Field::Payload => self.payload = text,
            Field::Header(i) => {
                if let Some(h) = self.headers.get_mut(i) {
                    let (name, value) = crate::wire::split_header_line(&text);
                    h.name = name.to_string();
                    h.value = value.to_string();
                }
            }
            _ => {}
        }
    }

    /// Enter, Space or Left/Right on a choice field: cycle or toggle it.
    pub fn cycle(&mut self, f: Field, forward: bool) -> bool {
        match f {
            Field::Method => {
                let all = Method::ALL;
                let i = all.iter().position(|m| *m == self.method).unwrap_or(0);
                self.method = all[(i + if forward { 1 } else { all.len() - 1 }) % all.len()];
            }
            Field::Auth => self.auth = self.auth.cycle(forward),
            Field::IncludeTrigger => self.include_trigger = !self.include_trigger,
            Field::FollowRedirects => self.follow_redirects = !self.follow_redirects,
            Field::Insecure => self.insecure = !self.insecure,
            Field::Signing => self.signing = self.signing.cycle(forward),
            Field::HmacEncoding => {
                use crate::signing::Encoding;
                self.hmac.2 = match self.hmac.2 {
                    Encoding::Hex => Encoding::Base64,
                    Encoding::Base64 => Encoding::Hex,
                }
            }
            Field::Header(i) => {
                if let Some(h) = self.headers.get_mut(i) {
                    h.enabled = !h.enabled;
                }
            }
            _ => return false,
        }
        true
    }
}

/// The payload text as a JSON object; empty text is `{}`.
/// The variables' text: a JSON object of names to template text.
pub fn parse_variables(text: &str) -> Result<std::collections::BTreeMap<String, String>, String> {
    let mut out = std::collections::BTreeMap::new();
    for (name, v) in parse_payload(text).map_err(|m| m.replace("the payload", "the variables"))? {
        if !crate::template::is_identifier(&name) {
            return Err(format!(
                "variable name `{name}`: use letters, digits and `_`, not starting with a digit"
            ));
        }
        let Value::String(text) = v else {
            return Err(format!(
                "variable `{name}` is {}: a variable's value is text (a template)",
                crate::template::kind_of(&v)
            ));
        };
        crate::template::Template::parse(&text)
            .map_err(|e| format!("variable `{name}`: {}", e.message))?;
        out.insert(name, text);
    }
    Ok(out)
}

pub fn parse_payload(text: &str) -> Result<Map<String, Value>, String> {
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    parse_object(text, "the payload")
}

/// A JSON object, or what is wrong with the text; `what` names it.
fn parse_object(text: &str, what: &str) -> Result<Map<String, Value>, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(other) => Err(format!(
            "{what} must be a JSON object, not {}",
            crate::template::kind_of(&other)
        )),
        Err(e) => Err(json_error(&e)),
    }
}

/// `line L, col C: message` of a JSON error.
pub fn json_error(e: &serde_json::Error) -> String {
    let s = e.to_string();
    let msg = s.rfind(" at line ").map_or(s.as_str(), |i| &s[..i]);
    format!(
        "invalid JSON at line {}, col {}: {msg}",
        e.line(),
        e.column()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn profile_round_trips_through_the_form() {
        for text in [
            r#"(name: "a", method: POST, url: "http://h/")"#,
            r#"(name: "b", method: PUT, url: "http://h/", auth: Basic(username: "u", password: "p"),
                headers: [("X-A", "1"), ("X-B", "2", false)], include_trigger: false,
                payload: {"n": 1, "s": "{{event.x}}"}, event: "events/e.json", timeout_secs: 9,
                follow_redirects: true)"#,
            r#"(name: "c", method: DELETE, url: "http://h/", auth: Token(token: "t"))"#,
            r#"(name: "e", method: POST, url: "http://h/", auth: Token(token: "t", header: "X-Key", scheme: "Key"))"#,
            r#"(name: "f", method: POST, url: "http://h/", insecure: true,
                signing: StandardWebhooks(secret: "{{env.WHSEC}}"),
                retry: (max_attempts: 4, backoff: Fixed(ms: 250), jitter: false))"#,
            r#"(name: "g", method: POST, url: "http://h/",
                signing: Hmac(secret: "s", header: "X-Sig", prefix: "sha256=", encoding: Base64),
                retry: (max_attempts: 5, backoff: Exponential(initial_ms: 500, max_ms: 30000), jitter: true))"#,
        ] {
            let p = crate::profile::load_str(Path::new("x"), text).unwrap();
            assert_eq!(Draft::from_profile(&p).to_profile().unwrap(), p, "{text}");
        }
        // A scheme written out that equals the default is saved as the default.
        let p = crate::profile::load_str(
            Path::new("x"),
            r#"(name: "d", method: POST, url: "http://h/", auth: Token(token: "t", header: "X-Key", scheme: ""))"#,
        )
        .unwrap();
        let back = Draft::from_profile(&p).to_profile().unwrap();
        assert_eq!(
            back.auth,
            Auth::Token {
                token: "t".into(),
                header: Some("X-Key".into()),
                scheme: None
            }
        );
    }

    #[test]
    fn bad_fields_are_reported_and_kept() {
        let p = crate::profile::load_str(Path::new("x"), r#"(name: "a", method: POST, url: "u")"#)
            .unwrap();
        let mut d = Draft::from_profile(&p);
        d.set_text(Field::Payload, "{\"a\": ".into());
        d.set_text(Field::Timeout, "soon".into());
        let errs = d.to_profile().unwrap_err();
        assert_eq!(errs[0].field, Field::Payload);
        assert!(
            errs[0].message.starts_with("invalid JSON at line 1"),
            "{}",
            errs[0].message
        );
        assert_eq!(errs[1].field, Field::Timeout);
        assert_eq!(d.payload, "{\"a\": ");
    }

    #[test]
    fn signing_and_retry_are_edited_in_the_form() {
        let mut d = Draft::from_profile(&Profile::new("a", Method::Post, "u"));
        assert!(!d.rows().contains(&Field::SigningSecret));
        d.cycle(Field::Signing, true);
        assert!(d.rows().contains(&Field::SigningSecret));
        d.set_text(Field::SigningSecret, "{{secret.WHSEC}}".into());
        d.set_text(Field::Retry, "3 fixed 200".into());
        d.cycle(Field::Insecure, true);
        let p = d.to_profile().unwrap();
        assert_eq!(
            p.signing,
            Some(Signing::StandardWebhooks {
                secret: "{{secret.WHSEC}}".into()
            })
        );
        assert_eq!(p.retry.unwrap().to_text(), "3 fixed 200");
        assert!(p.insecure);
        d.cycle(Field::Signing, true);
        assert!(d.rows().contains(&Field::HmacEncoding));
        d.set_text(Field::HmacHeader, "X-Hub-Signature-256".into());
        d.set_text(Field::HmacPrefix, "sha256=".into());
        d.cycle(Field::HmacEncoding, true);
        assert_eq!(
            d.to_profile().unwrap().signing,
            Some(Signing::Hmac {
                secret: "{{secret.WHSEC}}".into(),
                header: "X-Hub-Signature-256".into(),
                prefix: "sha256=".into(),
                encoding: crate::signing::Encoding::Base64,
            })
        );
        d.set_text(Field::Retry, "often".into());
        let errs = d.to_profile().unwrap_err();
        assert_eq!(errs[0].field, Field::Retry);
    }

    #[test]
    fn header_rows_split_on_the_first_colon() {
        let mut d = Draft::from_profile(&Profile::new("a", Method::Post, "u"));
        d.headers.push(Header::new("", ""));
        d.set_text(Field::Header(0), "X-Url: http://a:1/".into());
        assert_eq!(d.headers[0], Header::new("X-Url", "http://a:1/"));
        assert_eq!(d.text(Field::Header(0)), "X-Url: http://a:1/");
    }
}
