//! The secret store: the values of `{{secret.NAME}}`, kept out of profiles.
//!
//! One RON file, `secrets.ron` in the user config folder, mapping names to
//! values: `{"CRM_TOKEN": "..."}`. It is written readable by its owner only,
//! and a file that group or others can read is refused (with the `chmod`
//! that fixes it) rather than used. Values never leave this module except
//! through [`Secrets::get`], and every request that uses one lists it among
//! its secret values, so it is masked on screen and in the history.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, line_col};

/// The file name in the config folder.
pub const FILE_NAME: &str = "secrets.ron";

/// The secrets, or why they could not be read.
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    path: PathBuf,
    values: BTreeMap<String, String>,
    /// Why the file was not used; every lookup reports it.
    problem: Option<String>,
    /// The file's time, size and mode when it was read (none: no file).
    stamp: Option<Stamp>,
}

type Stamp = (Option<std::time::SystemTime>, u64, u32);

/// What tells a changed file: its modification time, size and mode.
fn stamp_of(meta: &fs::Metadata) -> Stamp {
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode()
    };
    #[cfg(not(unix))]
    let mode = 0;
    (meta.modified().ok(), meta.len(), mode)
}

/// Why a secrets file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// Occurs when group or others may read or write the file.
    #[error(
        "{path}: other users can read or change the secrets file (mode {mode:03o}), so it is not used: run `chmod 600 {path}`, then change any secret others may have seen"
    )]
    Exposed { path: String, mode: u32 },
    /// Occurs when the file does not parse as a map of names to text.
    #[error("{0}")]
    Invalid(Diagnostic),
    /// Occurs when the file cannot be read or written.
    #[error("{path}: {reason}")]
    Io { path: String, reason: String },
}

/// The secrets file in a config folder (`--config-dir`), else in the user's.
pub fn default_path(config_dir: Option<PathBuf>) -> PathBuf {
    let dir = config_dir.unwrap_or_else(|| {
        directories::ProjectDirs::from("", "", "hookbench")
            .map(|p| p.config_dir().to_path_buf())
            .unwrap_or_else(|| PathBuf::from("."))
    });
    dir.join(FILE_NAME)
}

/// The key of a secret's value in one environment: `NAME@staging`.
pub fn scoped_key(name: &str, env: &str) -> String {
    format!("{name}@{env}")
}

/// Whether `name` can be written as `{{secret.NAME}}`.
pub fn is_valid_name(name: &str) -> bool {
    crate::template::is_identifier(name)
}

impl Secrets {
    /// Reads the store; a missing file is an empty store.
    pub fn load(path: &Path) -> Result<Secrets, SecretsError> {
        let shown = path.display().to_string();
        let meta = match fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(Secrets {
                    path: path.to_path_buf(),
                    ..Secrets::default()
                });
            }
            Err(e) => {
                return Err(SecretsError::Io {
                    path: shown,
                    reason: crate::files::io_reason(&e),
                });
            }
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(SecretsError::Exposed { path: shown, mode });
            }
        }
        #[cfg(not(unix))]
        let _ = meta;
        let text = fs::read_to_string(path).map_err(|e| SecretsError::Io {
            path: shown.clone(),
            reason: crate::files::io_reason(&e),
        })?;
        let values = parse(path, &text).map_err(SecretsError::Invalid)?;
        Ok(Secrets {
            path: path.to_path_buf(),
            values,
            problem: None,
            stamp: Some(stamp_of(&meta)),
        })
    }

    /// Reads the store for lookups: when it cannot be used, every lookup
    /// fails with the reason, so a request that needs no secret still works.
    pub fn load_for_lookup(path: &Path) -> Secrets {
        Secrets::load(path).unwrap_or_else(|e| Secrets {
            path: path.to_path_buf(),
            values: BTreeMap::new(),
            problem: Some(e.to_string()),
            stamp: fs::metadata(path).ok().map(|m| stamp_of(&m)),
        })
    }

    /// Whether the file changed (was written, made, removed or had its
    /// mode changed) since it was read: one `stat`, no read.
    pub fn changed_on_disk(&self) -> bool {
        !self.path.as_os_str().is_empty()
            && fs::metadata(&self.path).ok().map(|m| stamp_of(&m)) != self.stamp
    }

    /// A store with these values and no file (for tests and previews).
    pub fn from_values<I, K, V>(values: I) -> Secrets
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Secrets {
            path: PathBuf::new(),
            values: values
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            problem: None,
            stamp: None,
        }
    }

    /// Why the file is not used, when it is not.
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The value of a secret, or why there is none.
    pub fn get(&self, name: &str) -> Result<&str, String> {
        if let Some(p) = &self.problem {
            return Err(format!("secret `{name}`: {p}"));
        }
        self.values
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| format!("secret `{name}` is not set: run `hookbench secret set {name}`"))
    }

    /// The value a secret has in an environment: its own value there
    /// (`secret set NAME --env ENV`), else the plain one.
    pub fn get_in(&self, name: &str, env: Option<&str>) -> Result<&str, String> {
        if self.problem.is_none()
            && let Some(v) = env.and_then(|e| self.values.get(&scoped_key(name, e)))
        {
            return Ok(v);
        }
        self.get(name).map_err(|m| match env {
            Some(e) if self.problem.is_none() => format!(
                "secret `{name}` is not set, in environment `{e}` or plainly: run `hookbench secret set {name} --env {e}` (or without --env for every environment)"
            ),
            _ => m,
        })
    }

    pub fn contains(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// Whether a secret has a value in an environment (its own or the plain one).
    pub fn contains_in(&self, name: &str, env: Option<&str>) -> bool {
        self.contains(name) || env.is_some_and(|e| self.contains(&scoped_key(name, e)))
    }

    /// Every value of the store as a set to mask with: what arrives at the
    /// receiver may carry them (a fire from this machine), and the history
    /// never holds one.
    pub fn mask_set(&self) -> crate::wire::SecretSet {
        crate::wire::SecretSet::new(self.values.values().cloned())
    }

    /// The names, sorted; never the values.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    pub fn set(&mut self, name: &str, value: &str) {
        self.values.insert(name.to_string(), value.to_string());
    }

    /// Removes a secret; false when it was not set.
    pub fn remove(&mut self, name: &str) -> bool {
        self.values.remove(name).is_some()
    }

    /// Writes the store: owner-only folder and file, atomically.
    pub fn save(&self) -> Result<(), SecretsError> {
        let io_err = |e: io::Error| SecretsError::Io {
            path: self.path.display().to_string(),
            reason: crate::files::io_reason(&e),
        };
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.exists()
        {
            crate::files::create_private_dir(dir).map_err(io_err)?;
        }
        let text = ron::ser::to_string_pretty(&self.values, ron::ser::PrettyConfig::default())
            .expect("a map of strings always serialises");
        crate::files::write_atomic_private(&self.path, format!("{text}\n").as_bytes())
            .map_err(io_err)
    }
}

fn parse(path: &Path, text: &str) -> Result<BTreeMap<String, String>, Diagnostic> {
    if text.trim().is_empty() {
        return Ok(BTreeMap::new());
    }
    let values: BTreeMap<String, String> = ron::from_str(text).map_err(|e| {
        let (line, col) = (e.span.start.line, e.span.start.col);
        Diagnostic::new(
            path,
            line,
            col,
            format!(
                "{}: the secrets file is a map such as {{\"NAME\": \"value\"}}; fix it or set the secrets again with `hookbench secret set`",
                e.code
            ),
        )
    })?;
    // A name, or a name's value in one environment (`NAME@staging`).
    let valid = |k: &str| match k.split_once('@') {
        Some((name, env)) => is_valid_name(name) && crate::environment::is_valid_name(env),
        None => is_valid_name(k),
    };
    if let Some(bad) = values.keys().find(|k| !valid(k)) {
        let at = text.find(&format!("\"{bad}\"")).unwrap_or(0);
        let (line, col) = line_col(text, at);
        return Err(Diagnostic::new(
            path,
            line,
            col,
            format!(
                "`{bad}` is not a secret name: use letters, digits and `_` (and NAME@ENV for a value in one environment)"
            ),
        ));
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_an_empty_store_and_lookups_say_how_to_set() {
        let dir = tempfile::tempdir().unwrap();
        let s = Secrets::load(&dir.path().join("secrets.ron")).unwrap();
        assert_eq!(s.names().count(), 0);
        let e = s.get("CRM_TOKEN").unwrap_err();
        assert!(e.contains("hookbench secret set CRM_TOKEN"), "{e}");
    }

    #[test]
    fn saved_values_load_back_and_the_file_is_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cfg").join("secrets.ron");
        let mut s = Secrets::load(&path).unwrap();
        s.set("A_TOKEN", "t0k\"en");
        s.save().unwrap();
        let back = Secrets::load(&path).unwrap();
        assert_eq!(back.get("A_TOKEN").unwrap(), "t0k\"en");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            let dmode = fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(dmode, 0o700);
        }
    }

    #[test]
    fn a_bad_file_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.ron");
        fs::write(&path, "{\"A\": \"x\",\n \"B\" 3}").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        }
        let e = Secrets::load(&path).unwrap_err().to_string();
        assert!(e.starts_with(&format!("{}:2:", path.display())), "{e}");
    }
}
