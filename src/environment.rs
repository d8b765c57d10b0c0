//! Environments: one profile against a local build, staging and production.
//!
//! An environment is a RON file in `environments/` inside the profiles
//! folder, a name and its variables:
//!
//! ```ron
//! (name: "staging", variables: {"BASE_URL": "https://staging.crm.example.com", "LIST_ID": "42"})
//! ```
//!
//! Templates read them as `{{var.NAME}}`. A value is itself template text
//! (`{{secret.STAGING_TOKEN}}`, `{{env.X}}`), spliced in where the reference
//! stands. A variable is looked up, first to last, in the values given on
//! the command line (`--var NAME=VALUE`), the selected environment, and the
//! profile's own `variables` (its defaults, so that it works with none).

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostic, line_col, locate_value};
use crate::files::io_reason;
use crate::template::{Template, is_identifier};

/// The folder of environments inside a profiles folder.
pub const DIR: &str = "environments";

/// A named set of variables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    pub name: String,
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
}

/// An environment with the file it came from.
#[derive(Debug, Clone)]
pub struct LoadedEnvironment {
    pub path: PathBuf,
    pub environment: Environment,
}

/// The environments folder of a profiles folder.
pub fn dir_of(profiles: &Path) -> PathBuf {
    profiles.join(DIR)
}

/// Whether `name` can name an environment (`--env NAME`, a file name):
/// letters, digits, `-` and `_`.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Reads and checks one environment file.
pub fn load(path: &Path) -> Result<LoadedEnvironment, Diagnostic> {
    let source = fs::read_to_string(path).map_err(|e| {
        Diagnostic::whole_file(path, format!("cannot read environment: {}", io_reason(&e)))
    })?;
    let environment = load_str(path, &source)?;
    Ok(LoadedEnvironment {
        path: path.to_path_buf(),
        environment,
    })
}

/// Parses environment text; `path` names the file in errors.
pub fn load_str(path: &Path, source: &str) -> Result<Environment, Diagnostic> {
    let env: Environment = ron::from_str(source).map_err(|e| {
        let mut msg = e.code.to_string();
        if let Some(first) = msg.get(..1) {
            msg = first.to_lowercase() + &msg[1..];
        }
        Diagnostic::new(
            path,
            e.span.start.line,
            e.span.start.col,
            format!(
                "{msg}: an environment is (name: \"staging\", variables: {{\"NAME\": \"value\"}})"
            ),
        )
    })?;
    let at = |needle: &str, offset: usize, message: String| {
        let (line, col) = locate_value(source, needle)
            .or_else(|| source.find(needle))
            .map_or((1, 1), |i| line_col(source, i + offset));
        Diagnostic::new(path, line, col, message)
    };
    if !is_valid_name(&env.name) {
        return Err(at(
            &env.name,
            0,
            format!(
                "environment name `{}`: use letters, digits, `-` and `_` (it is typed as --env NAME)",
                env.name
            ),
        ));
    }
    for (name, value) in &env.variables {
        if !is_identifier(name) {
            return Err(at(
                name,
                0,
                format!(
                    "variable name `{name}`: use letters, digits and `_`, not starting with a digit (it is written {{{{var.NAME}}}})"
                ),
            ));
        }
        if let Err(e) = Template::parse(value) {
            return Err(at(
                value,
                e.span.start,
                format!("variable `{name}`: {}", e.message),
            ));
        }
    }
    Ok(env)
}

/// Every environment of a profiles folder, sorted by file name, and the
/// files that did not load (each with its place). No folder: none.
pub fn scan(profiles: &Path) -> (Vec<LoadedEnvironment>, Vec<Diagnostic>) {
    let dir = dir_of(profiles);
    let mut paths: Vec<PathBuf> = match fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "ron") && p.is_file())
            .collect(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => {
            return (
                Vec::new(),
                vec![Diagnostic::whole_file(
                    &dir,
                    format!("cannot read the environments folder: {}", io_reason(&e)),
                )],
            );
        }
    };
    paths.sort();
    let mut found: Vec<LoadedEnvironment> = Vec::new();
    let mut broken = Vec::new();
    for p in paths {
        match load(&p) {
            Ok(l) => {
                if let Some(first) = found
                    .iter()
                    .find(|f| f.environment.name == l.environment.name)
                {
                    broken.push(Diagnostic::whole_file(
                        &p,
                        format!(
                            "environment `{}` is also named in {}: give each a name of its own",
                            l.environment.name,
                            first.path.display()
                        ),
                    ));
                } else {
                    found.push(l);
                }
            }
            Err(d) => broken.push(d),
        }
    }
    (found, broken)
}

/// Why an environment could not be selected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FindError {
    /// Occurs when no file has that name or file name.
    #[error("no environment `{name}` in {dir}: {hint}")]
    NotFound {
        name: String,
        dir: String,
        hint: String,
    },
    /// Occurs when the environment's file does not load.
    #[error("{0}")]
    Invalid(Diagnostic),
}

/// Finds an environment by its name or its file name.
pub fn find(profiles: &Path, name: &str) -> Result<LoadedEnvironment, FindError> {
    let by_stem = dir_of(profiles).join(format!("{name}.ron"));
    let (found, broken) = scan(profiles);
    // Two files of one name: which is meant is not guessed.
    if let Some(d) = broken.iter().find(|d| {
        d.message
            .starts_with(&format!("environment `{name}` is also named"))
    }) {
        return Err(FindError::Invalid(d.clone()));
    }
    if let Some(l) = found.iter().find(|l| l.environment.name == name) {
        return Ok(l.clone());
    }
    if let Some(d) = broken.into_iter().find(|d| d.path == by_stem) {
        return Err(FindError::Invalid(d));
    }
    if let Some(l) = found.iter().find(|l| l.path == by_stem) {
        return Ok(l.clone());
    }
    // Each by its name, and its file's when that differs.
    let names: Vec<String> = found
        .iter()
        .map(|l| {
            let stem = l.path.file_stem().map(|s| s.to_string_lossy().into_owned());
            match stem {
                Some(s) if s != l.environment.name => format!("{} ({s}.ron)", l.environment.name),
                _ => l.environment.name.clone(),
            }
        })
        .collect();
    Err(FindError::NotFound {
        name: name.to_string(),
        dir: dir_of(profiles).display().to_string(),
        hint: if names.is_empty() {
            format!(
                "there are none yet: write {} as (name: \"{name}\", variables: {{}})",
                by_stem.display()
            )
        } else {
            format!("there are {}", names.join(", "))
        },
    })
}

/// The pretty RON an environment is saved as.
pub fn to_ron(env: &Environment) -> String {
    let config = ron::ser::PrettyConfig::new()
        .indentor("    ".to_string())
        .struct_names(false);
    let mut text = ron::ser::to_string_pretty(env, config)
        .expect("an environment always serialises: it is strings");
    text.push('\n');
    text
}

/// Where a variable is looked up: the command line's values, then the
/// selected environment's, then the profile's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Variables {
    /// `--var NAME=VALUE`, first in line.
    pub overrides: BTreeMap<String, String>,
    /// The selected environment.
    pub environment: Option<Environment>,
}

impl Variables {
    /// The selected environment only.
    pub fn of(environment: Option<Environment>) -> Variables {
        Variables {
            overrides: BTreeMap::new(),
            environment,
        }
    }

    /// The selected environment's name.
    pub fn name(&self) -> Option<&str> {
        self.environment.as_ref().map(|e| e.name.as_str())
    }

    /// The value of a variable as written, or a message naming the
    /// environment and the variables that exist.
    pub fn lookup(
        &self,
        name: &str,
        defaults: &BTreeMap<String, String>,
    ) -> Result<String, String> {
        if let Some(v) = self.overrides.get(name) {
            return Ok(v.clone());
        }
        if let Some(v) = self
            .environment
            .as_ref()
            .and_then(|e| e.variables.get(name))
        {
            return Ok(v.clone());
        }
        if let Some(v) = defaults.get(name) {
            return Ok(v.clone());
        }
        let mut known: Vec<&str> = self.overrides.keys().map(String::as_str).collect();
        if let Some(e) = &self.environment {
            known.extend(e.variables.keys().map(String::as_str));
        }
        known.extend(defaults.keys().map(String::as_str));
        known.sort_unstable();
        known.dedup();
        let has = if known.is_empty() {
            "none is set".to_string()
        } else {
            format!("it has {}", known.join(", "))
        };
        Err(match &self.environment {
            Some(e) => format!(
                "variable `{name}` is not set in environment `{}` ({has}): add it to {}/{}.ron",
                e.name, DIR, e.name
            ),
            None => format!(
                "variable `{name}` is not set and no environment is selected ({has}): select one (--env NAME, or E in the workbench) or give the profile a default in `variables`"
            ),
        })
    }
}

/// Parses `NAME=VALUE` of `--var`.
pub fn parse_assignment(s: &str) -> Result<(String, String), String> {
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| format!("--var `{s}`: write NAME=VALUE"))?;
    if !is_identifier(name) {
        return Err(format!(
            "--var `{s}`: `{name}` is not a variable name (letters, digits and `_`)"
        ));
    }
    Template::parse(value).map_err(|e| format!("--var `{s}`: {}", e.message))?;
    Ok((name.to_string(), value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_command_line_then_the_environment_then_the_profile() {
        let defaults = vars(&[("A", "profile"), ("B", "profile"), ("C", "profile")]);
        let v = Variables {
            overrides: vars(&[("A", "cli")]),
            environment: Some(Environment {
                name: "staging".into(),
                variables: vars(&[("A", "env"), ("B", "env")]),
            }),
        };
        assert_eq!(v.lookup("A", &defaults).unwrap(), "cli");
        assert_eq!(v.lookup("B", &defaults).unwrap(), "env");
        assert_eq!(v.lookup("C", &defaults).unwrap(), "profile");
        let e = v.lookup("D", &defaults).unwrap_err();
        assert!(e.contains("environment `staging` (it has A, B, C)"), "{e}");
        let e = Variables::default()
            .lookup("D", &BTreeMap::new())
            .unwrap_err();
        assert!(
            e.contains("no environment is selected (none is set)"),
            "{e}"
        );
    }

    #[test]
    fn a_file_is_checked_and_errors_have_their_place() {
        let p = Path::new("environments/x.ron");
        let ok = load_str(
            p,
            r#"(name: "staging", variables: {"BASE_URL": "http://a"})"#,
        )
        .unwrap();
        assert_eq!(ok.variables["BASE_URL"], "http://a");
        let e = load_str(p, "(name: \"x\",\n variables: {\"A\": \"{{event.a\"})").unwrap_err();
        assert_eq!((e.line, e.col), (2, 20), "{e}");
        assert!(e.message.contains("variable `A`: unclosed"), "{e}");
        let e = load_str(p, r#"(name: "a b")"#).unwrap_err();
        assert!(e.message.contains("environment name `a b`"), "{e}");
        let e = load_str(p, r#"(name: "a", variables: {"1X": ""})"#).unwrap_err();
        assert!(e.message.contains("variable name `1X`"), "{e}");
        let e = load_str(p, r#"(name: "a", vars: {})"#).unwrap_err();
        assert!(e.to_string().starts_with("environments/x.ron:1:"), "{e}");
        assert_eq!(parse_assignment("A=b=c").unwrap().1, "b=c");
        assert!(parse_assignment("a b=c").is_err());
        assert!(parse_assignment("A").is_err());
    }
}
