//! Profiles that travel: a shared copy carries no credential, an imported
//! one lands beside the others without replacing any.
//!
//! [`share`] replaces every literal credential — the auth password or token,
//! the value of a header whose name says it is a credential (Authorization,
//! Cookie, X-API-Key, anything with key, token, secret, signature or
//! password), a signing secret, a URL query parameter or payload key named
//! like one — by a `{{secret.NAME}}` placeholder, and puts the sample event
//! inline, so one file is enough. [`needs`] lists what a profile takes from
//! the secret store and the environment.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::profile::{Auth, LoadedProfile, Profile};
use crate::secrets::Secrets;
use crate::template::{Expr, Template};
use crate::wire::is_credential_name;

/// A profile ready to give away, and what the receiver must set.
#[derive(Debug, Clone)]
pub struct Shared {
    pub profile: Profile,
    /// Placeholders put in place of literal credentials: (name, where).
    pub replaced: Vec<(String, String)>,
    /// Everything the shared profile takes from outside it.
    pub needs: Needs,
}

/// What a profile takes from the secret store and the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    pub secrets: Vec<String>,
    pub env: Vec<String>,
    /// `{{var.X}}`, directly or through another variable.
    pub vars: Vec<String>,
}

impl Needs {
    /// Secrets the store does not have.
    pub fn missing_secrets<'a>(&'a self, store: &'a Secrets) -> impl Iterator<Item = &'a str> {
        self.secrets
            .iter()
            .map(String::as_str)
            .filter(|n| !store.contains(n))
    }

    /// Variables the environment does not have.
    pub fn missing_env(&self) -> impl Iterator<Item = &str> {
        self.env
            .iter()
            .map(String::as_str)
            .filter(|n| std::env::var_os(n).is_none())
    }
}

/// `PIPEDRIVE_UPDATE_PLAN` from `pipedrive-update-plan`.
/// The slug of the name, upper case with `_`, so that it is an identifier.
pub fn secret_prefix(stem: &str) -> String {
    let out = crate::files::slug(stem)
        .to_ascii_uppercase()
        .replace('-', "_");
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("P_{out}")
    } else {
        out
    }
}

/// Gives out secret names, one per distinct literal value.
struct Namer {
    prefix: String,
    given: Vec<(String, String)>,
    replaced: Vec<(String, String)>,
}

impl Namer {
    fn placeholder(&mut self, value: &str, what: &str, place: &str) -> String {
        if let Some((name, _)) = self.given.iter().find(|(_, v)| v == value) {
            return format!("{{{{secret.{name}}}}}");
        }
        let base = format!("{}_{}", self.prefix, secret_prefix(what));
        let mut name = base.clone();
        let mut n = 2;
        while self.given.iter().any(|(g, _)| *g == name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        self.given.push((name.clone(), value.to_string()));
        self.replaced.push((name.clone(), place.to_string()));
        format!("{{{{secret.{name}}}}}")
    }
}

/// Whether a field's text holds anything literal besides templates and a
/// leading scheme word (`Bearer {{env.X}}` does not; `abc{{env.X}}` does).
fn has_literal(text: &str) -> bool {
    let mut rest = text;
    let mut literal = String::new();
    while let Some(open) = rest.find("{{") {
        literal.push_str(&rest[..open]);
        match rest[open..].find("}}") {
            Some(close) => rest = &rest[open + close + 2..],
            None => return true,
        }
    }
    literal.push_str(rest);
    let literal = literal.trim();
    if literal.is_empty() {
        return false;
    }
    if literal == text.trim() {
        return true;
    }
    // A lone scheme word in front of a template is not a credential.
    !(literal.chars().all(|c| c.is_ascii_alphabetic())
        && text.trim_start().starts_with(&format!("{literal} ")))
}

/// `value` with its credential replaced, keeping a scheme word (`Bearer`).
fn replace_credential(namer: &mut Namer, value: &str, what: &str, place: &str) -> Option<String> {
    if value.trim().is_empty() || !has_literal(value) {
        return None;
    }
    if !value.contains("{{")
        && let Some((scheme, rest)) = value.split_once(' ')
        && !scheme.is_empty()
        && scheme.chars().all(|c| c.is_ascii_alphabetic())
        && !rest.trim().is_empty()
    {
        let ph = namer.placeholder(rest.trim(), what, place);
        return Some(format!("{scheme} {ph}"));
    }
    Some(namer.placeholder(value, what, place))
}

/// A copy of the profile with every literal credential replaced, and its
/// sample event (already read by the caller) inline.
pub fn share(profile: &Profile, stem: &str, event: Option<Value>) -> Shared {
    let mut p = profile.clone();
    let mut namer = Namer {
        prefix: secret_prefix(stem),
        given: Vec::new(),
        replaced: Vec::new(),
    };
    match &mut p.auth {
        Auth::None => {}
        Auth::Basic { password, .. } => {
            if let Some(v) = replace_credential(&mut namer, password, "password", "auth.password") {
                *password = v;
            }
        }
        Auth::Token { token, .. } => {
            if let Some(v) = replace_credential(&mut namer, token, "token", "auth.token") {
                *token = v;
            }
        }
    }
    for (i, h) in p.headers.iter_mut().enumerate() {
        if is_credential_name(&h.name)
            && let Some(v) =
                replace_credential(&mut namer, &h.value, &h.name, &format!("headers[{i}]"))
        {
            h.value = v;
        }
    }
    if let Some(sg) = &mut p.signing {
        let secret = sg.secret_mut();
        if let Some(v) = replace_credential(&mut namer, secret, "signing_secret", "signing.secret")
        {
            *secret = v;
        }
    }
    p.url = share_query(&p.url, &mut namer);
    share_payload(&mut p.payload, "payload", &mut namer);
    // The profile's own variable defaults, as an environment's are.
    let defaults = crate::environment::Environment {
        name: String::new(),
        variables: std::mem::take(&mut p.variables),
    };
    let in_credentials = credential_vars(profile);
    for (name, value) in defaults.variables {
        let credential = is_credential_name(&name) || in_credentials.contains(&name);
        let value = match credential {
            true => replace_credential(&mut namer, &value, &name, &format!("variables.{name}"))
                .unwrap_or(value),
            false => value,
        };
        p.variables.insert(name, value);
    }
    if let Some(Value::Object(map)) = event {
        p.event = None;
        p.sample_event = Some(map);
    }
    let needs = needs(&p);
    Shared {
        profile: p,
        replaced: namer.replaced,
        needs,
    }
}

fn share_query(url: &str, namer: &mut Namer) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_string();
    };
    let (query, fragment) = match query.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (query, None),
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if is_credential_name(k) => {
                match replace_credential(namer, v, k, &format!("url ?{k}=")) {
                    Some(ph) => format!("{k}={ph}"),
                    None => pair.to_string(),
                }
            }
            _ => pair.to_string(),
        })
        .collect();
    let mut out = format!("{base}?{}", parts.join("&"));
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

fn share_payload(map: &mut Map<String, Value>, at: &str, namer: &mut Namer) {
    for (k, v) in map.iter_mut() {
        let place = format!("{at}.{k}");
        match v {
            Value::String(s) if is_credential_name(k) => {
                if let Some(ph) = replace_credential(namer, s, k, &place) {
                    *s = ph;
                }
            }
            Value::Object(inner) => share_payload(inner, &place, namer),
            _ => {}
        }
    }
}

/// Every `{{secret.X}}` and `{{env.X}}` a profile uses, in order of first
/// use (and the variables it names, not looked into).
pub fn needs(p: &Profile) -> Needs {
    // The profile's own variable defaults are looked into.
    needs_in(p, Some(&crate::environment::Variables::default()))
}

/// What a profile uses in an environment: the secrets and variables its
/// variables hold count too.
pub fn needs_in(p: &Profile, vars: Option<&crate::environment::Variables>) -> Needs {
    let mut texts: Vec<&str> = vec![&p.url];
    match &p.auth {
        Auth::None => {}
        Auth::Basic { username, password } => texts.extend([username.as_str(), password]),
        Auth::Token { token, .. } => texts.push(token),
    }
    texts.extend(
        p.headers
            .iter()
            .filter(|h| h.enabled)
            .map(|h| h.value.as_str()),
    );
    if let Some(sg) = &p.signing {
        texts.push(sg.secret());
    }
    let mut payload_texts = Vec::new();
    collect_strings(&Value::Object(p.payload.clone()), &mut payload_texts);
    let mut out = Needs::default();
    let mut queue: Vec<String> = texts
        .into_iter()
        .map(str::to_string)
        .chain(payload_texts)
        .collect();
    queue.reverse();
    while let Some(t) = queue.pop() {
        let Ok(tpl) = Template::parse(&t) else {
            continue;
        };
        for e in tpl.exprs() {
            let (list, name) = match e {
                Expr::Secret(n) => (&mut out.secrets, n),
                Expr::Env(n) => (&mut out.env, n),
                Expr::Var(n) => (&mut out.vars, n),
                _ => continue,
            };
            if list.contains(name) {
                continue;
            }
            list.push(name.clone());
            if let (Expr::Var(n), Some(vars)) = (e, vars)
                && let Ok(value) = vars.lookup(n, &p.variables)
            {
                queue.push(value);
            }
        }
    }
    out
}

fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| collect_strings(i, out)),
        Value::Object(m) => m.values().for_each(|i| collect_strings(i, out)),
        _ => {}
    }
}

/// An environment given away with a profile: every variable that holds a
/// literal credential is replaced by `{{secret.NAME}}` (the variable's own
/// name), which the receiver sets for that environment.
#[derive(Debug, Clone)]
pub struct SharedEnvironment {
    pub environment: crate::environment::Environment,
    /// The variables replaced: each is set with `secret set NAME --env ENV`.
    pub replaced: Vec<String>,
}

/// The environments a profile uses: those that set a variable it names,
/// directly or through another variable.
pub fn environments_used<'a>(
    p: &Profile,
    all: &'a [crate::environment::LoadedEnvironment],
) -> Vec<&'a crate::environment::LoadedEnvironment> {
    all.iter()
        .filter(|l| {
            let vars = crate::environment::Variables::of(Some(l.environment.clone()));
            needs_in(p, Some(&vars))
                .vars
                .iter()
                .any(|v| l.environment.variables.contains_key(v))
        })
        .collect()
}

/// A copy of `env` fit to share beside `p`: a variable is a credential
/// when its name says so or the profile uses it where a credential goes
/// (auth, a credential header, the signing secret).
pub fn share_environment(p: &Profile, env: &crate::environment::Environment) -> SharedEnvironment {
    let in_credentials = credential_vars(p);
    let mut out = env.clone();
    let mut replaced = Vec::new();
    for (name, value) in out.variables.iter_mut() {
        let credential = is_credential_name(name) || in_credentials.contains(name);
        if credential && has_literal(value) {
            *value = format!("{{{{secret.{name}}}}}");
            replaced.push(name.clone());
        }
    }
    SharedEnvironment {
        environment: out,
        replaced,
    }
}

/// The variables a profile uses where a credential goes: auth, a
/// credential header, the signing secret.
fn credential_vars(p: &Profile) -> Vec<String> {
    let mut places: Vec<&str> = Vec::new();
    match &p.auth {
        Auth::None => {}
        Auth::Basic { password, .. } => places.push(password),
        Auth::Token { token, .. } => places.push(token),
    }
    places.extend(
        p.headers
            .iter()
            .filter(|h| is_credential_name(&h.name))
            .map(|h| h.value.as_str()),
    );
    if let Some(sg) = &p.signing {
        places.push(sg.secret());
    }
    places
        .iter()
        .filter_map(|t| Template::parse(t).ok())
        .flat_map(|t| t.vars().map(str::to_string).collect::<Vec<_>>())
        .collect()
}

/// What became of an environment brought in with a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvironmentImport {
    /// Copied into the profiles folder's `environments/`.
    Added(PathBuf),
    /// The folder has it already, the same.
    Same(String),
    /// The folder has one of that name that differs: it is kept.
    Kept { name: String, theirs: PathBuf },
}

/// Brings in the environments beside an imported profile file (its
/// folder's `environments/`) that the profile uses, never replacing one.
pub fn import_environments(
    from_profiles: &Path,
    profile: &Profile,
    into_profiles: &Path,
) -> Result<Vec<EnvironmentImport>, String> {
    let (theirs, _) = crate::environment::scan(from_profiles);
    let (ours, _) = crate::environment::scan(into_profiles);
    let mut out = Vec::new();
    for l in environments_used(profile, &theirs) {
        let name = &l.environment.name;
        match ours.iter().find(|o| o.environment.name == *name) {
            Some(o) if o.environment == l.environment => {
                out.push(EnvironmentImport::Same(name.clone()))
            }
            Some(_) => out.push(EnvironmentImport::Kept {
                name: name.clone(),
                theirs: l.path.clone(),
            }),
            None => {
                let dir = crate::environment::dir_of(into_profiles);
                if !dir.exists() {
                    crate::files::create_private_dir(&dir).map_err(|e| {
                        format!("{}: {}", dir.display(), crate::files::io_reason(&e))
                    })?;
                }
                let path = free_path(&dir, name, "ron");
                let text = crate::environment::to_ron(&l.environment);
                crate::files::write_new(&path, text.as_bytes())
                    .map_err(|e| format!("{}: {}", path.display(), crate::files::io_reason(&e)))?;
                out.push(EnvironmentImport::Added(path));
            }
        }
    }
    Ok(out)
}

/// Checks a profile as `validate` does: its event loads and every template
/// resolves (unset secrets and variables allowed). One line per problem,
/// `file:line:col: message`.
pub fn check(loaded: &LoadedProfile) -> Vec<String> {
    let event = match crate::event::load_for(loaded, None) {
        Ok(e) => e,
        Err(d) => return vec![d.to_string()],
    };
    let mut ctx = crate::request::Context::fixed(|_| None, std::time::UNIX_EPOCH, || [0; 16])
        .lenient()
        .lenient_vars();
    // A URL made of variables is only whole in an environment.
    let url_of_vars = loaded.profile.url.contains("var.");
    match crate::request::assemble(&loaded.profile, event.as_ref(), &mut ctx) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .iter()
            .filter(|e| !(url_of_vars && e.field == crate::request::Place::Url))
            .map(|e| e.locate(loaded).to_string())
            .collect(),
    }
}

/// A file name in `dir` like `want` that no file has yet: `x.ron`,
/// `x-2.ron`, `x-3.ron`...
pub fn free_path(dir: &Path, want: &str, ext: &str) -> PathBuf {
    crate::files::free_name(dir, want, ext, Path::exists)
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct Imported {
    pub path: PathBuf,
    pub name: String,
    /// The sample event file copied beside the profiles, if any.
    pub event: Option<PathBuf>,
    pub needs: Needs,
}

/// Copies a checked profile into `dir` without replacing anything: a free
/// file name, a `name` no other profile there has, and its event file (if
/// it names one) copied into `dir/events`. The file is copied as written
/// unless something in it had to change.
pub fn import_into(loaded: &LoadedProfile, dir: &Path) -> Result<Imported, String> {
    let io =
        |p: &Path, e: std::io::Error| format!("{}: {}", p.display(), crate::files::io_reason(&e));
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let mut profile = loaded.profile.clone();
    let mut changed = false;

    let taken: Vec<String> = crate::profile::scan_dir(dir)
        .map_err(|e| io(dir, e))?
        .into_iter()
        .filter_map(Result::ok)
        .map(|l| l.profile.name)
        .collect();
    if taken.contains(&profile.name) {
        let base = profile.name.clone();
        profile.name = (2..)
            .map(|n| format!("{base} ({n})"))
            .find(|n| !taken.contains(n))
            .expect("some number is free");
        changed = true;
    }

    let mut event_copy = None;
    if let Some(src) = loaded.event_path() {
        let text = std::fs::read(&src).map_err(|e| io(&src, e))?;
        let events = dir.join("events");
        std::fs::create_dir_all(&events).map_err(|e| io(&events, e))?;
        let file_name = src
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| "event.json".into());
        let same = events.join(&file_name);
        let target = if std::fs::read(&same).is_ok_and(|t| t == text) {
            same
        } else {
            let stem = Path::new(&file_name)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "event".into());
            let p = free_path(&events, &stem, "json");
            crate::files::write_atomic(&p, &text).map_err(|e| io(&p, e))?;
            p
        };
        let rel = format!(
            "events/{}",
            target.file_name().unwrap_or_default().to_string_lossy()
        );
        if profile.event.as_deref() != Some(rel.as_str()) {
            profile.event = Some(rel);
            changed = true;
        }
        event_copy = Some(target);
    }

    let stem = loaded
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "profile".into());
    let stem = stem.strip_suffix(".shared").unwrap_or(&stem).to_string();
    let path = free_path(dir, &stem, "ron");
    let bytes = if changed {
        crate::profile::to_ron(&profile).into_bytes()
    } else {
        loaded.source.clone().into_bytes()
    };
    crate::files::write_atomic(&path, &bytes).map_err(|e| io(&path, e))?;
    Ok(Imported {
        path,
        name: profile.name.clone(),
        event: event_copy,
        needs: needs(&profile),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Header;
    use crate::profile::Method;

    #[test]
    fn literal_credentials_become_placeholders_and_templates_stay() {
        let mut p = Profile::new(
            "CRM",
            Method::Post,
            "https://x.example/a?api_key=k3y&page=2&token={{env.T}}",
        );
        p.auth = Auth::Basic {
            username: "ops".into(),
            password: "hunter22".into(),
        };
        p.headers = vec![
            Header::new("Authorization", "Bearer abc123"),
            Header::new("X-Api-Key", "hunter22"),
            Header::new("Cookie", "sid=zzz"),
            Header::new("X-Trace", "keep-me"),
            Header::new("X-Signature", "{{env.SIG}}"),
        ];
        p.payload
            .insert("apiSecret".into(), Value::String("pp-999".into()));
        p.payload.insert("plan".into(), Value::String("pro".into()));
        let s = share(&p, "crm-lead", Some(serde_json::json!({"eventName": "x"})));
        let text = crate::profile::to_ron(&s.profile);
        for secret in ["k3y", "hunter22", "abc123", "sid=zzz", "pp-999"] {
            assert!(!text.contains(secret), "{secret} left in {text}");
        }
        assert!(text.contains("keep-me") && text.contains("\"pro\""));
        assert!(
            text.contains("Bearer {{secret.CRM_LEAD_AUTHORIZATION}}"),
            "{text}"
        );
        // The same value shares one name.
        assert_eq!(
            s.profile.headers[1].value, "{{secret.CRM_LEAD_PASSWORD}}",
            "{text}"
        );
        assert!(
            s.profile
                .url
                .contains("api_key={{secret.CRM_LEAD_API_KEY}}&page=2")
        );
        assert!(s.profile.url.contains("token={{env.T}}"));
        assert_eq!(s.profile.headers[4].value, "{{env.SIG}}");
        assert_eq!(s.needs.env, vec!["T".to_string(), "SIG".into()]);
        assert_eq!(s.needs.secrets.len(), 5, "{:?}", s.needs);
        assert!(s.profile.sample_event.is_some() && s.profile.event.is_none());
    }

    #[test]
    fn prefixes_are_identifiers() {
        assert_eq!(
            secret_prefix("pipedrive-update-plan"),
            "PIPEDRIVE_UPDATE_PLAN"
        );
        assert_eq!(secret_prefix("3d--x"), "P_3D_X");
        assert_eq!(secret_prefix("--"), "PROFILE");
    }

    #[test]
    fn scheme_words_before_templates_are_not_literal() {
        assert!(!has_literal("Bearer {{env.X}}"));
        assert!(!has_literal("{{secret.X}}"));
        assert!(has_literal("abc{{env.X}}"));
        assert!(has_literal("plain"));
    }
}
