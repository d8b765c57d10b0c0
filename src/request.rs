//! Profile + event + context → [`PreparedRequest`], the exact request.
//!
//! Assembly is pure: no I/O, no clock and no randomness except through the
//! [`Context`] passed in. Everything that shows or sends a request — the dry
//! run, the preview, copy-as-curl, delivery — reads the `PreparedRequest`
//! made here; nothing derives a request anywhere else.

use std::time::SystemTime;

use std::cell::RefCell;

use serde_json::{Map, Value};

use crate::clock;
use crate::environment::Variables;
use crate::profile::{Auth, Method, Profile};
use crate::secrets::Secrets;
use crate::template::{Scope, Template, TemplateError, percent_encode};
use crate::wire::{
    PreparedRequest, SecretSet, authority_of, basic_auth, check_header_name, check_header_value,
    is_credential_name,
};

/// Looks up an environment variable.
type EnvLookup<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

/// Where assembly gets what is not in the profile: environment, secrets,
/// clock, ids.
pub struct Context<'a> {
    env: EnvLookup<'a>,
    secrets: std::sync::Arc<Secrets>,
    now: SystemTime,
    random: Box<dyn FnMut() -> [u8; 16] + 'a>,
    /// When set, an unset variable renders as a stand-in and is listed in
    /// `missing_env` instead of failing (used by `validate`).
    lenient_env: bool,
    /// When set, an unset `{{var.X}}` renders as a stand-in too (checking a
    /// profile that is not yet in any environment).
    lenient_vars: bool,
    /// When set, `{{env.X}}` and `{{secret.X}}` render as markers made with
    /// this nonce (see [`placeholder`]), except in the signing secret.
    placeholders: Option<String>,
    /// `{{var.NAME}}`: the command line's values and the selected
    /// environment (the profile's defaults come with the profile).
    vars: Variables,
}

/// The marker a reference renders as in a placeholder context: letters,
/// digits and `_` only, so percent-encoding leaves it whole.
pub fn placeholder(nonce: &str, name: &str) -> String {
    format!("HB{nonce}Q{name}Q{nonce}HB")
}

impl<'a> Context<'a> {
    /// The real environment, the current time and OS randomness.
    pub fn system() -> Context<'static> {
        Context {
            env: Box::new(|n| std::env::var(n).ok()),
            secrets: Default::default(),
            now: SystemTime::now(),
            random: Box::new(clock::random_bytes),
            lenient_env: false,
            lenient_vars: false,
            placeholders: None,
            vars: Variables::default(),
        }
    }

    /// A fully determined context for tests and reproducible previews.
    pub fn fixed(
        env: impl Fn(&str) -> Option<String> + 'a,
        now: SystemTime,
        random: impl FnMut() -> [u8; 16] + 'a,
    ) -> Context<'a> {
        Context {
            env: Box::new(env),
            secrets: Default::default(),
            now,
            random: Box::new(random),
            lenient_env: false,
            lenient_vars: false,
            placeholders: None,
            vars: Variables::default(),
        }
    }

    /// Unset variables and secrets become stand-ins, reported instead of
    /// failing.
    pub fn lenient(mut self) -> Self {
        self.lenient_env = true;
        self
    }

    /// Unset variables become stand-ins too.
    pub fn lenient_vars(mut self) -> Self {
        self.lenient_vars = true;
        self
    }

    /// `{{secret.NAME}}` resolves from this store.
    pub fn with_secrets(mut self, secrets: std::sync::Arc<Secrets>) -> Self {
        self.secrets = secrets;
        self
    }

    /// `{{var.NAME}}` and per-environment secrets come from these.
    pub fn with_variables(mut self, vars: Variables) -> Self {
        self.vars = vars;
        self
    }

    /// The selected environment's name.
    pub fn environment(&self) -> Option<&str> {
        self.vars.name()
    }

    /// References render as [`placeholder`] markers with this nonce.
    pub fn with_placeholders(mut self, nonce: &str) -> Self {
        self.placeholders = Some(nonce.to_string());
        self
    }
}

/// Two contexts for one event sent to two environments (`compare`): the
/// same instant, and the same ids (`{{uuid}}`, a signature's message id),
/// the first drawing them, the second given them in the same order.
pub fn twins(
    left: Variables,
    right: Variables,
    secrets: std::sync::Arc<Secrets>,
) -> (Context<'static>, Context<'static>) {
    let drawn: std::rc::Rc<RefCell<Vec<[u8; 16]>>> = Default::default();
    let now = SystemTime::now();
    let env = |n: &str| std::env::var(n).ok();
    let record = drawn.clone();
    let a = Context::fixed(env, now, move || {
        let b = clock::random_bytes();
        record.borrow_mut().push(b);
        b
    });
    let mut next = 0;
    let b = Context::fixed(env, now, move || {
        let got = drawn.borrow().get(next).copied();
        next += 1;
        got.unwrap_or_else(clock::random_bytes)
    });
    (
        a.with_secrets(secrets.clone()).with_variables(left),
        b.with_secrets(secrets).with_variables(right),
    )
}

/// A request and what is worth knowing about how it was made.
#[derive(Debug, Clone)]
pub struct Assembled {
    pub request: PreparedRequest,
    /// Things that are allowed but probably not meant (a payload key that
    /// replaces an event key, a header set twice).
    pub warnings: Vec<String>,
    /// Variables that were unset (only in a lenient context).
    pub missing_env: Vec<String>,
    /// Secrets that were not set (only in a lenient context).
    pub missing_secrets: Vec<String>,
    /// The profile's signing with its secret rendered, to sign retries again.
    pub signing: Option<crate::signing::Signing>,
}

/// Where in a profile a part of the request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Url,
    HeaderName(usize),
    HeaderValue(usize),
    AuthUsername,
    AuthPassword,
    AuthToken,
    AuthHeader,
    SigningSecret,
    SigningHeader,
    /// A value of the payload, by its path (`plan`, `items.0.sku`).
    Payload(String),
    /// A field rendered on its own (see [`render_field`]).
    Field,
}

impl std::fmt::Display for Place {
    /// `url`, `headers[0].value`, `auth.password`, `payload.plan`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Url => f.write_str("url"),
            Place::HeaderName(i) => write!(f, "headers[{i}].name"),
            Place::HeaderValue(i) => write!(f, "headers[{i}].value"),
            Place::AuthUsername => f.write_str("auth.username"),
            Place::AuthPassword => f.write_str("auth.password"),
            Place::AuthToken => f.write_str("auth.token"),
            Place::AuthHeader => f.write_str("auth.header"),
            Place::SigningSecret => f.write_str("signing.secret"),
            Place::SigningHeader => f.write_str("signing.header"),
            Place::Payload(path) => write!(f, "payload.{path}"),
            Place::Field => f.write_str("field"),
        }
    }
}

/// A field of the profile that could not be made into part of a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct AssembleError {
    /// Which field.
    pub field: Place,
    /// The text of that field as written in the profile.
    pub text: String,
    /// Byte offset of the problem in `text`.
    pub offset: usize,
    pub message: String,
}

struct AssemblyScope<'c, 'a> {
    event: Option<&'c Value>,
    /// The profile's variable defaults.
    defaults: &'c std::collections::BTreeMap<String, String>,
    ctx: &'c mut Context<'a>,
    missing_env: RefCell<Vec<String>>,
    missing_secrets: RefCell<Vec<String>>,
    /// Secret values rendered so far: masked wherever they end up.
    used_secrets: RefCell<Vec<String>>,
    /// Rendering the signing secret, which needs its real value even in a
    /// placeholder context.
    in_signing: bool,
}

impl<'c, 'a> AssemblyScope<'c, 'a> {
    fn new(profile: &'c Profile, event: Option<&'c Value>, ctx: &'c mut Context<'a>) -> Self {
        AssemblyScope {
            event,
            defaults: &profile.variables,
            ctx,
            missing_env: Default::default(),
            missing_secrets: Default::default(),
            used_secrets: Default::default(),
            in_signing: false,
        }
    }

    fn placeholder(&self, name: &str) -> Option<String> {
        match &self.ctx.placeholders {
            Some(nonce) if !self.in_signing => Some(placeholder(nonce, name)),
            _ => None,
        }
    }
}

fn note_once(list: &RefCell<Vec<String>>, name: &str) {
    let mut list = list.borrow_mut();
    if !list.iter().any(|m| m == name) {
        list.push(name.to_string());
    }
}

impl Scope for AssemblyScope<'_, '_> {
    fn event(&self) -> Option<&Value> {
        self.event
    }
    fn env(&self, name: &str) -> Option<String> {
        if let Some(marker) = self.placeholder(name) {
            return Some(marker);
        }
        match (self.ctx.env)(name) {
            Some(v) => Some(v),
            None if self.ctx.lenient_env => {
                note_once(&self.missing_env, name);
                Some(format!("env-{}", name.to_ascii_lowercase()))
            }
            None => None,
        }
    }
    fn secret(&self, name: &str) -> Result<String, String> {
        if let Some(marker) = self.placeholder(name) {
            return Ok(marker);
        }
        match self.ctx.secrets.get_in(name, self.ctx.vars.name()) {
            Ok(v) => {
                if !v.is_empty() {
                    note_once(&self.used_secrets, v);
                }
                Ok(v.to_string())
            }
            Err(_)
                if self.ctx.lenient_env
                    && !self.ctx.secrets.contains_in(name, self.ctx.vars.name()) =>
            {
                note_once(&self.missing_secrets, name);
                Ok(format!("secret-{}", name.to_ascii_lowercase()))
            }
            Err(m) => Err(m),
        }
    }
    fn var(&self, name: &str) -> Result<String, String> {
        match self.ctx.vars.lookup(name, self.defaults) {
            Err(_) if self.ctx.lenient_vars => Ok(format!("var-{}", name.to_ascii_lowercase())),
            found => found,
        }
    }
    fn now(&self) -> (String, i64) {
        (
            clock::rfc3339(self.ctx.now),
            clock::unix_seconds(self.ctx.now),
        )
    }
    fn uuid(&mut self) -> String {
        clock::uuid_v4((self.ctx.random)())
    }
}

impl AssemblyScope<'_, '_> {
    fn render(
        &mut self,
        field: Place,
        text: &str,
        escape: Option<fn(&str) -> String>,
        errors: &mut Vec<AssembleError>,
    ) -> Option<String> {
        let result = Template::parse(text).and_then(|t| t.render(self, escape));
        result
            .map_err(|e| errors.push(field_error(field, text, e)))
            .ok()
    }

    fn render_value(
        &mut self,
        field: Place,
        text: &str,
        errors: &mut Vec<AssembleError>,
    ) -> Option<Value> {
        let result = Template::parse(text).and_then(|t| t.render_value(self));
        result
            .map_err(|e| errors.push(field_error(field, text, e)))
            .ok()
    }
}

fn plain(field: Place, text: &str, message: String) -> AssembleError {
    AssembleError {
        field,
        text: text.to_string(),
        offset: 0,
        message,
    }
}

fn field_error(field: Place, text: &str, e: TemplateError) -> AssembleError {
    AssembleError {
        field,
        text: text.to_string(),
        offset: e.span.start,
        message: e.message,
    }
}

/// Assembles the request a profile sends for an event.
pub fn assemble(
    profile: &Profile,
    event: Option<&Value>,
    ctx: &mut Context<'_>,
) -> Result<Assembled, Vec<AssembleError>> {
    let mut scope = AssemblyScope::new(profile, event, ctx);
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut secret_values = Vec::new();
    let mut secret_headers = Vec::new();
    let plain_error = plain;
    if profile.insecure {
        warnings.push(
            "the TLS certificate is not checked (insecure: true, for test servers only)".into(),
        );
    }

    // URL: values percent-encoded, then parsed and checked.
    let url = scope
        .render(Place::Url, &profile.url, Some(percent_encode), &mut errors)
        .and_then(|u| match reqwest::Url::parse(u.trim()) {
            Ok(url) if !matches!(url.scheme(), "http" | "https") => {
                errors.push(plain_error(
                    Place::Url,
                    &profile.url,
                    format!("`{}` is not http or https", url.scheme()),
                ));
                None
            }
            Ok(url) if url.host_str().is_none_or(str::is_empty) => {
                errors.push(plain_error(
                    Place::Url,
                    &profile.url,
                    "the URL has no host".into(),
                ));
                None
            }
            Ok(url) => Some(url),
            Err(e) => {
                // A rendered secret is never quoted: the template is.
                let holds_secret = profile.url.contains("secret.")
                    || scope
                        .used_secrets
                        .borrow()
                        .iter()
                        .any(|v| u.contains(v.as_str()) || u.contains(&percent_encode(v)));
                let shown = if holds_secret {
                    profile.url.as_str()
                } else {
                    u.as_str()
                };
                errors.push(plain_error(
                    Place::Url,
                    &profile.url,
                    format!("invalid URL `{shown}`: {e}"),
                ));
                None
            }
        });

    // Custom headers, in order.
    let mut headers: Vec<(String, String)> = Vec::new();
    for (i, h) in profile.headers.iter().enumerate() {
        if !h.enabled {
            continue;
        }
        if let Err(m) = check_header_name(&h.name) {
            errors.push(plain_error(Place::HeaderName(i), &h.name, m));
            continue;
        }
        let Some(value) = scope.render(Place::HeaderValue(i), &h.value, None, &mut errors) else {
            continue;
        };
        if let Err(m) = check_header_value(&value) {
            errors.push(plain_error(Place::HeaderValue(i), &h.value, m));
            continue;
        }
        if headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(&h.name)) {
            warnings.push(format!("header `{}` is set more than once", h.name));
        }
        headers.push((h.name.clone(), value));
    }

    // Authentication.
    let auth_header = render_auth(&mut scope, &profile.auth, &mut errors, &mut secret_values);
    if let Some((name, value)) = auth_header {
        if let Some(pos) = headers
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(&name))
        {
            warnings.push(format!(
                "the custom header `{}` is replaced by the profile's auth",
                headers[pos].0
            ));
            headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        }
        secret_headers.push(name.to_ascii_lowercase());
        headers.push((name, value));
    }

    // Body: the event with the payload on top, or the payload alone.
    let mut payload = Map::new();
    for (key, value) in &profile.payload {
        if let Some(v) = render_json(&mut scope, key.clone(), value, &mut errors) {
            payload.insert(key.clone(), v);
        }
    }
    let mut body_obj = if profile.include_trigger {
        match event {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        }
    } else {
        Map::new()
    };
    for (key, value) in payload {
        if profile.include_trigger && body_obj.contains_key(&key) {
            warnings.push(format!(
                "payload key `{key}` replaces the event's `{key}` in the body"
            ));
        }
        body_obj.insert(key, value);
    }

    // Signing: the secret rendered now, the signature once the body is known.
    let signing = profile
        .signing
        .as_ref()
        .and_then(|sg| render_signing(&mut scope, sg, &mut errors, &mut secret_values));
    let message_id = signing.as_ref().map(|_| {
        let id = clock::uuid_v4((scope.ctx.random)()).replace('-', "");
        format!("msg_{id}")
    });

    if !errors.is_empty() {
        return Err(errors);
    }
    let url = url.expect("no errors means the URL was made");

    let send_body = !(profile.method == Method::Delete && body_obj.is_empty());
    let body = if send_body {
        serde_json::to_vec(&Value::Object(body_obj)).expect("JSON values always serialise")
    } else {
        Vec::new()
    };
    let has = |headers: &[(String, String)], name: &str| {
        headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    if send_body && !has(&headers, "content-type") {
        headers.push(("content-type".into(), "application/json".into()));
    }
    if !has(&headers, "user-agent") {
        headers.push(("user-agent".into(), crate::USER_AGENT.into()));
    }
    if !has(&headers, "accept") {
        headers.push(("accept".into(), "*/*".into()));
    }
    if let (Some(sg), Some(id)) = (&signing, &message_id) {
        let ts = clock::unix_seconds(scope.ctx.now);
        match crate::signing::sign(sg, id, ts, &body) {
            Ok(sig) => {
                for (n, v) in sig {
                    headers.retain(|(h, _)| !h.eq_ignore_ascii_case(&n));
                    headers.push((n, v));
                }
            }
            Err(m) => {
                let text = profile
                    .signing
                    .as_ref()
                    .map(|s| s.secret().to_string())
                    .unwrap_or_default();
                return Err(vec![plain(Place::SigningSecret, &text, m)]);
            }
        }
    }
    if !has(&headers, "host") {
        headers.push((
            "host".into(),
            authority_of(&url).expect("checked above: the URL has a host"),
        ));
    }
    headers.retain(|(n, _)| !n.eq_ignore_ascii_case("content-length"));
    if send_body {
        headers.push(("content-length".into(), body.len().to_string()));
    }

    for v in scope.used_secrets.take() {
        if !secret_values.contains(&v) {
            secret_values.push(v);
        }
    }
    Ok(Assembled {
        request: PreparedRequest {
            method: profile.method.as_str().to_string(),
            url: url.to_string(),
            headers,
            body,
            secret_values: SecretSet::new(secret_values),
            secret_headers,
        },
        warnings,
        missing_env: scope.missing_env.into_inner(),
        missing_secrets: scope.missing_secrets.into_inner(),
        signing,
    })
}

/// The auth header a profile's auth sends, rendered; problems go to `errors`
/// and the credential itself to `secret_values`.
fn render_auth(
    scope: &mut AssemblyScope<'_, '_>,
    auth: &Auth,
    errors: &mut Vec<AssembleError>,
    secret_values: &mut Vec<String>,
) -> Option<(String, String)> {
    match auth {
        Auth::None => None,
        Auth::Basic { username, password } => {
            let u = scope.render(Place::AuthUsername, username, None, errors);
            let p = scope.render(Place::AuthPassword, password, None, errors);
            match (u, p) {
                (Some(u), _) if u.contains(':') => {
                    errors.push(plain(
                        Place::AuthUsername,
                        username,
                        "a Basic auth username cannot contain `:`".into(),
                    ));
                    None
                }
                (Some(u), Some(p)) => {
                    if !p.is_empty() {
                        secret_values.push(p.clone());
                        // What an echo of the header shows.
                        secret_values.push(crate::wire::basic_blob(&u, &p));
                    }
                    Some(("Authorization".to_string(), basic_auth(&u, &p)))
                }
                _ => None,
            }
        }
        Auth::Token {
            token,
            header,
            scheme,
        } => {
            let name = Auth::token_header(header);
            let scheme = Auth::token_scheme(header, scheme);
            if let Err(m) = check_header_name(name) {
                errors.push(plain(Place::AuthHeader, name, m));
                None
            } else {
                scope
                    .render(Place::AuthToken, token, None, errors)
                    .and_then(|t| {
                        let value = if scheme.is_empty() {
                            t.clone()
                        } else {
                            format!("{scheme} {t}")
                        };
                        match check_header_value(&value) {
                            Ok(()) => {
                                if !t.is_empty() {
                                    secret_values.push(t);
                                }
                                Some((name.to_string(), value))
                            }
                            Err(m) => {
                                errors.push(plain(Place::AuthToken, token, m));
                                None
                            }
                        }
                    })
            }
        }
    }
}

/// A profile's signing with its secret rendered.
fn render_signing(
    scope: &mut AssemblyScope<'_, '_>,
    signing: &crate::signing::Signing,
    errors: &mut Vec<AssembleError>,
    secret_values: &mut Vec<String>,
) -> Option<crate::signing::Signing> {
    use crate::signing::Signing;
    let text = signing.secret();
    if let Signing::Hmac { header, .. } = signing
        && let Err(m) = check_header_name(header)
    {
        errors.push(plain(Place::SigningHeader, header, m));
        return None;
    }
    let unset_before = scope.missing_env.borrow().len() + scope.missing_secrets.borrow().len();
    scope.in_signing = true;
    let secret = scope.render(Place::SigningSecret, text, None, errors);
    scope.in_signing = false;
    let mut secret = secret?;
    // An unset secret or variable is a note (lenient contexts only): the
    // stand-in it rendered as is no key, so sign with a stand-in key.
    let unset_after = scope.missing_env.borrow().len() + scope.missing_secrets.borrow().len();
    if unset_after > unset_before && matches!(signing, Signing::StandardWebhooks { .. }) {
        use base64::Engine;
        secret = format!(
            "whsec_{}",
            base64::engine::general_purpose::STANDARD.encode(secret.as_bytes())
        );
    }
    secret_values.extend(secret.split_whitespace().map(str::to_string));
    Some(signing.with_secret(secret))
}

/// What a replay needs to send as the profile would: where the profile
/// sends, its credentials there, and its signing with the secret rendered.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// `scheme://host:port` of the profile's URL: credentials go there only.
    pub origin: String,
    /// The auth header and custom headers named like credentials.
    pub headers: Vec<(String, String)>,
    /// Query parameters of the URL named like credentials.
    pub query: Vec<(String, String)>,
    /// Payload values under keys named like credentials, as JSON text.
    pub payload: Vec<(String, String)>,
    pub signing: Option<crate::signing::Signing>,
    /// The profile accepts any TLS certificate (`insecure: true`).
    pub insecure: bool,
    /// Every secret value the profile renders.
    pub secrets: SecretSet,
}

/// A profile's credentials, rendered as it would send them with `event`
/// (its sample event): the origin of its URL, its auth header and custom
/// headers named like credentials, query parameters and payload keys named
/// like credentials, and its signing. Replays use them in place of what the
/// history masked, and only toward that origin.
pub fn credentials(
    profile: &Profile,
    event: Option<&Value>,
    ctx: &mut Context<'_>,
) -> Result<Credentials, Vec<AssembleError>> {
    let assembled = assemble(profile, event, ctx)?;
    let req = &assembled.request;
    let url = reqwest::Url::parse(&req.url).expect("assembly made a valid URL");
    let mut names: Vec<String> = profile
        .headers
        .iter()
        .filter(|h| h.enabled && is_credential_name(&h.name))
        .map(|h| h.name.clone())
        .collect();
    names.extend(req.secret_headers.iter().cloned());
    let mut headers: Vec<(String, String)> = Vec::new();
    for n in names {
        if let Some(v) = req.header(&n)
            && !headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(&n))
        {
            headers.push((n, v.to_string()));
        }
    }
    let query = url
        .query_pairs()
        .filter(|(k, _)| is_credential_name(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let payload = match std::str::from_utf8(&req.body) {
        Ok(text) => crate::wire::credential_values(text)
            .into_iter()
            .map(|(k, r)| (k, text[r].to_string()))
            .collect(),
        Err(_) => Vec::new(),
    };
    Ok(Credentials {
        origin: crate::wire::origin_of(&url).expect("assembly made a URL with a host"),
        headers,
        query,
        payload,
        signing: assembled.signing.clone(),
        insecure: profile.insecure,
        secrets: req.known_secrets(),
    })
}

/// One text field of a profile rendered on its own (as `curl` writes `-u`).
pub fn render_field(
    text: &str,
    profile: &Profile,
    event: Option<&Value>,
    ctx: &mut Context<'_>,
) -> Result<String, AssembleError> {
    let mut scope = AssemblyScope::new(profile, event, ctx);
    let mut errors = Vec::new();
    scope
        .render(Place::Field, text, None, &mut errors)
        .ok_or_else(|| errors.remove(0))
}

/// A payload value rendered; `path` is where it stands in the payload.
fn render_json(
    scope: &mut AssemblyScope<'_, '_>,
    path: String,
    value: &Value,
    errors: &mut Vec<AssembleError>,
) -> Option<Value> {
    match value {
        Value::String(s) => scope.render_value(Place::Payload(path), s, errors),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, v) in items.iter().enumerate() {
                out.push(render_json(scope, format!("{path}.{i}"), v, errors)?);
            }
            Some(Value::Array(out))
        }
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                out.insert(
                    k.clone(),
                    render_json(scope, format!("{path}.{k}"), v, errors)?,
                );
            }
            Some(Value::Object(out))
        }
        other => Some(other.clone()),
    }
}

impl AssembleError {
    /// This error as a diagnostic pointing into the profile's file.
    pub fn locate(&self, loaded: &crate::profile::LoadedProfile) -> crate::diag::Diagnostic {
        loaded.diag_at(&self.text, self.offset, self.to_string())
    }
}
