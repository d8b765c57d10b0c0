//! Reading and writing profile files: RON, with located errors and atomic
//! saves.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use ron::ser::PrettyConfig;

use super::Profile;
use crate::diag::{Diagnostic, line_col, locate_value};
use crate::files::{io_reason, write_atomic, write_new};

/// A profile with the file it came from and that file's text (kept to point
/// later errors at their line and column).
#[derive(Debug, Clone)]
pub struct LoadedProfile {
    pub path: PathBuf,
    pub source: String,
    pub profile: Profile,
}

impl LoadedProfile {
    /// A diagnostic at the place where `value` is written in the file, moved
    /// on by `offset` bytes within it (or the file's start if not found).
    pub fn diag_at(&self, value: &str, offset: usize, message: impl Into<String>) -> Diagnostic {
        let (line, col) = match locate_value(&self.source, value) {
            Some(at) => line_col(&self.source, at + offset),
            None => (1, 1),
        };
        Diagnostic::new(&self.path, line, col, message)
    }

    /// The sample event file, resolved against the profile's folder.
    pub fn event_path(&self) -> Option<PathBuf> {
        let rel = self.profile.event.as_deref()?;
        let base = self.path.parent().unwrap_or(Path::new("."));
        Some(base.join(rel))
    }
}

/// Errors of finding and writing profiles.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// Occurs when a file does not parse or breaks a rule of the format.
    #[error("{0}")]
    Invalid(#[from] Diagnostic),
    /// Occurs when a name matches no file and no profile's `name`.
    #[error("no profile `{name}` in {dir}: {hint}")]
    NotFound {
        name: String,
        dir: PathBuf,
        hint: String,
    },
    /// Occurs when a save cannot write, flush or rename its file.
    #[error("{path}: cannot save: {source}")]
    Write { path: PathBuf, source: io::Error },
}

/// Reads and checks one profile file.
pub fn load(path: &Path) -> Result<LoadedProfile, Diagnostic> {
    let source = fs::read_to_string(path).map_err(|e| {
        Diagnostic::whole_file(path, format!("cannot read profile: {}", io_reason(&e)))
    })?;
    let profile = load_str(path, &source)?;
    Ok(LoadedProfile {
        path: path.to_path_buf(),
        source,
        profile,
    })
}

/// Parses profile text; `path` is only used to name the file in errors.
pub fn load_str(path: &Path, source: &str) -> Result<Profile, Diagnostic> {
    let profile: Profile = ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str(source)
        .map_err(|e| {
            let mut msg = e.code.to_string();
            if let Some(first) = msg.get(..1) {
                msg = first.to_lowercase() + &msg[1..];
            }
            Diagnostic::new(path, e.span.start.line, e.span.start.col, msg)
        })?;
    let at = |key: &str, message: String| {
        let (line, col) = source.find(key).map_or((1, 1), |i| line_col(source, i));
        Diagnostic::new(path, line, col, message)
    };
    if profile.name.trim().is_empty() {
        return Err(at(
            "name",
            "`name` is empty: give the profile a name".into(),
        ));
    }
    if profile.event.is_some() && profile.sample_event.is_some() {
        return Err(at(
            "sample_event",
            "both `event` (a file) and `sample_event` (inline) are set: keep one".into(),
        ));
    }
    for (name, value) in &profile.variables {
        if !crate::template::is_identifier(name) {
            return Err(at(
                name,
                format!(
                    "variable name `{name}`: use letters, digits and `_`, not starting with a digit"
                ),
            ));
        }
        if let Err(e) = crate::template::Template::parse(value) {
            let (line, col) =
                locate_value(source, value).map_or((1, 1), |i| line_col(source, i + e.span.start));
            return Err(Diagnostic::new(
                path,
                line,
                col,
                format!("variable `{name}`: {}", e.message),
            ));
        }
    }
    if profile.timeout_secs == 0 || profile.timeout_secs > 3600 {
        return Err(at(
            "timeout_secs",
            format!(
                "`timeout_secs` is {}: use a number of seconds from 1 to 3600",
                profile.timeout_secs
            ),
        ));
    }
    Ok(profile)
}

/// The pretty, stable RON a profile is saved as.
pub fn to_ron(profile: &Profile) -> String {
    let config = PrettyConfig::new()
        .indentor("    ".to_string())
        .struct_names(false);
    let mut text = ron::ser::to_string_pretty(profile, config)
        .expect("a profile always serialises: its fields are plain data");
    text.push('\n');
    text
}

/// Writes a profile atomically: a temporary file in the same folder, flushed
/// to disk, then renamed over the target, so a crash never leaves half a file.
pub fn save(path: &Path, profile: &Profile) -> Result<(), ProfileError> {
    write_atomic(path, to_ron(profile).as_bytes()).map_err(|source| ProfileError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Saves a profile as a new file: fails with `AlreadyExists` inside the
/// error, replacing nothing, when the file is there.
pub fn save_new(path: &Path, profile: &Profile) -> Result<(), ProfileError> {
    write_new(path, to_ron(profile).as_bytes()).map_err(|source| ProfileError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Every `*.ron` file in `dir`, sorted by file name, each loaded or with its
/// error: one broken profile never stops the others from loading.
pub fn scan_dir(dir: &Path) -> io::Result<Vec<Result<LoadedProfile, Diagnostic>>> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ron") && p.is_file())
        .collect();
    paths.sort();
    Ok(paths.iter().map(|p| load(p)).collect())
}

/// Finds a profile by path, by file stem in `dir`, or by its `name`.
pub fn find(dir: &Path, arg: &str) -> Result<LoadedProfile, ProfileError> {
    let as_path = Path::new(arg);
    if as_path.is_file() {
        return Ok(load(as_path)?);
    }
    let by_stem = dir.join(format!("{arg}.ron"));
    if by_stem.is_file() {
        return Ok(load(&by_stem)?);
    }
    let not_found = |hint: String| ProfileError::NotFound {
        name: arg.to_string(),
        dir: dir.to_path_buf(),
        hint,
    };
    if arg.ends_with(".ron") || arg.contains('/') {
        return Err(not_found(
            "no such file; give a path to a .ron file or a profile name".into(),
        ));
    }
    let all = scan_dir(dir).map_err(|e| {
        not_found(format!(
            "the folder cannot be read ({}); pass --profiles DIR",
            io_reason(&e)
        ))
    })?;
    let loaded: Vec<LoadedProfile> = all.into_iter().filter_map(Result::ok).collect();
    if let Some(i) = loaded
        .iter()
        .position(|l| l.profile.name == arg)
        .or_else(|| {
            loaded
                .iter()
                .position(|l| l.profile.name.eq_ignore_ascii_case(arg))
        })
    {
        return Ok(loaded.into_iter().nth(i).expect("index from position"));
    }
    let names: Vec<String> = loaded
        .iter()
        .filter_map(|l| l.path.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    Err(not_found(if names.is_empty() {
        "the folder has no valid profiles".into()
    } else {
        format!("available: {}", names.join(", "))
    }))
}

/// Where profiles live: the given folder (from `--profiles` or
/// `HOOKBENCH_PROFILES`), else `./profiles` when it exists, else
/// `profiles` in the config folder (`--config-dir`, else the user's).
pub fn default_dir(explicit: Option<PathBuf>, config_dir: Option<&Path>) -> PathBuf {
    if let Some(d) = explicit {
        return d;
    }
    let local = PathBuf::from("profiles");
    if local.is_dir() {
        return local;
    }
    if let Some(c) = config_dir {
        return c.join("profiles");
    }
    directories::ProjectDirs::from("", "", "hookbench")
        .map(|p| p.config_dir().join("profiles"))
        .unwrap_or(local)
}

/// What a new profiles folder starts with: the local round trip and its
/// sample event and the example environments, as shipped in `profiles/`.
const STARTER: [(&str, &str); 4] = [
    (
        "local-echo.ron",
        include_str!("../../profiles/local-echo.ron"),
    ),
    (
        "events/signup_completed.json",
        include_str!("../../profiles/events/signup_completed.json"),
    ),
    (
        "environments/local.ron",
        include_str!("../../profiles/environments/local.ron"),
    ),
    (
        "environments/staging.ron",
        include_str!("../../profiles/environments/staging.ron"),
    ),
];

/// The first run: when `dir` does not exist, creates it (its owner's only)
/// with the starter profile and its event; says whether it did.
pub fn create_starter(dir: &Path) -> io::Result<bool> {
    if fs::symlink_metadata(dir).is_ok() {
        return Ok(false);
    }
    crate::files::create_private_dir(&dir.join("events"))?;
    crate::files::create_private_dir(&dir.join(crate::environment::DIR))?;
    for (name, text) in STARTER {
        crate::files::write_atomic_private(&dir.join(name), text.as_bytes())?;
    }
    Ok(true)
}
