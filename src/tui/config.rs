//! `config.ron` in the config folder: the workbench's theme and keys.
//!
//! ```ron
//! (
//!     theme: (accent: "blue", error: "#ff5f5f", ok: "green", warn: "yellow", dim: "gray"),
//!     keys: {"fire": ["F5", "f"], "quit": ["Ctrl-q"]},
//! )
//! ```
//!
//! A missing file is the defaults; every field is optional. An unknown
//! field, colour, action or key is an error with its line and column, as a
//! profile's are. `?` shows the keys as configured.

use std::collections::BTreeMap;
use std::path::Path;

use ratatui::buffer::Buffer;
use ratatui::style::Color;
use serde::Deserialize;

use super::keymap::{KeyMap, parse_key};
use super::keys::Action;
use crate::diag::{Diagnostic, line_col, locate_value};

/// The file name in the config folder.
pub const FILE_NAME: &str = "config.ron";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct File {
    theme: ThemeFile,
    keys: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct ThemeFile {
    accent: Option<String>,
    error: Option<String>,
    ok: Option<String>,
    warn: Option<String>,
    dim: Option<String>,
}

/// What the workbench is drawn with: each colour of the default palette
/// it uses, and the one it becomes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Theme {
    map: Vec<(Color, Color)>,
}

impl Theme {
    /// Recolours a drawn frame: the default palette's roles (accent cyan,
    /// error red, ok green, warn yellow, dim dark gray) as configured.
    pub fn apply(&self, buf: &mut Buffer) {
        if self.map.is_empty() {
            return;
        }
        let to = |c: Color| {
            self.map
                .iter()
                .find(|(from, _)| *from == c)
                .map_or(c, |(_, to)| *to)
        };
        for cell in buf.content.iter_mut() {
            cell.fg = to(cell.fg);
            cell.bg = to(cell.bg);
        }
    }
}

/// The workbench's configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    pub theme: Theme,
    pub keys: KeyMap,
}

/// Reads the configuration; a missing file is the defaults.
pub fn load(path: &Path) -> Result<Config, Diagnostic> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(path, &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(e) => Err(Diagnostic::whole_file(
            path,
            format!(
                "cannot read the configuration: {}",
                crate::files::io_reason(&e)
            ),
        )),
    }
}

/// Parses configuration text; `path` names the file in errors.
pub fn parse(path: &Path, text: &str) -> Result<Config, Diagnostic> {
    if text.trim().is_empty() {
        return Ok(Config::default());
    }
    let file: File = ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str(text)
        .map_err(|e| {
        Diagnostic::new(
            path,
            e.span.start.line,
            e.span.start.col,
            format!(
                "{}: the configuration is (theme: (accent: \"cyan\", ...), keys: {{\"fire\": [\"F5\"]}})",
                e.code
            ),
        )
    })?;
    let at = |needle: &str, message: String| {
        let (line, col) = locate_value(text, needle)
            .or_else(|| text.find(needle))
            .map_or((1, 1), |i| line_col(text, i));
        Diagnostic::new(path, line, col, message)
    };
    let mut theme = Theme::default();
    let roles = [
        (&file.theme.accent, Color::Cyan, "accent"),
        (&file.theme.error, Color::Red, "error"),
        (&file.theme.ok, Color::Green, "ok"),
        (&file.theme.warn, Color::Yellow, "warn"),
        (&file.theme.dim, Color::DarkGray, "dim"),
    ];
    for (value, from, role) in roles {
        let Some(v) = value else { continue };
        let to = colour(v).ok_or_else(|| {
            at(
                v,
                format!(
                    "theme {role}: `{v}` is not a colour: a name (red, lightblue, darkgray, white, ...) or #rrggbb"
                ),
            )
        })?;
        theme.map.push((from, to));
        if from == Color::Red {
            theme.map.push((Color::LightRed, to));
        }
    }
    let mut keys = KeyMap::default();
    for (name, specs) in &file.keys {
        let action = Action::named(name).ok_or_else(|| {
            at(
                name,
                format!("`{name}` is not an action: `?` in the workbench lists them; write its help's name, such as fire, copy-curl, view-history"),
            )
        })?;
        let mut parsed = Vec::new();
        for s in specs {
            parsed.push(parse_key(s).map_err(|m| at(s, format!("keys {name}: {m}")))?);
        }
        if parsed.is_empty() {
            return Err(at(name, format!("keys {name}: give it at least one key")));
        }
        keys.set(action, parsed)
            .map_err(|m| at(name, format!("keys {name}: {m}")))?;
    }
    Ok(Config { theme, keys })
}

/// A colour by name or `#rrggbb`.
fn colour(s: &str) -> Option<Color> {
    if let Some(hex) = s.strip_prefix('#') {
        let v = u32::from_str_radix(hex, 16)
            .ok()
            .filter(|_| hex.len() == 6)?;
        return Some(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
    }
    Some(
        match s.to_ascii_lowercase().replace(['-', '_', ' '], "").as_str() {
            "reset" | "default" => Color::Reset,
            "black" => Color::Black,
            "red" => Color::Red,
            "green" => Color::Green,
            "yellow" => Color::Yellow,
            "blue" => Color::Blue,
            "magenta" => Color::Magenta,
            "cyan" => Color::Cyan,
            "gray" | "grey" => Color::Gray,
            "darkgray" | "darkgrey" => Color::DarkGray,
            "lightred" => Color::LightRed,
            "lightgreen" => Color::LightGreen,
            "lightyellow" => Color::LightYellow,
            "lightblue" => Color::LightBlue,
            "lightmagenta" => Color::LightMagenta,
            "lightcyan" => Color::LightCyan,
            "white" => Color::White,
            _ => return None,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_say_where_and_what() {
        let p = Path::new("config.ron");
        let e = parse(p, "(themes: ())").unwrap_err();
        assert_eq!((e.line, e.col), (1, 2), "{e}");
        let e = parse(p, "(theme: (accent: \"cyann\"))").unwrap_err();
        assert!(e.message.contains("`cyann` is not a colour"), "{e}");
        let e = parse(p, "(\n keys: {\"fyre\": [\"F5\"]})").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("`fyre` is not an action"), "{e}");
        let e = parse(p, "(keys: {\"fire\": [\"Hyper-f\"]})").unwrap_err();
        assert!(e.message.contains("is not a key"), "{e}");
        let e = parse(p, "(keys: {\"fire\": [\"q\"]})").unwrap_err();
        assert!(e.message.contains("quit's key"), "{e}");
        assert_eq!(parse(p, "").unwrap(), Config::default());
        let c = parse(p, "(theme: (accent: \"#102030\"))").unwrap();
        assert_eq!(c.theme.map, [(Color::Cyan, Color::Rgb(0x10, 0x20, 0x30))]);
    }
}
