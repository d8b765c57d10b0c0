//! Diagnostics that point into a file: `file:line:col: message`.
//!
//! Every error that comes from something a user wrote in a file (a profile, an
//! event) carries its location, so the CLI and the TUI can print one line that
//! says where and what.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem found in a file, with a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl Diagnostic {
    pub fn new(path: &Path, line: usize, col: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.to_path_buf(),
            line: line.max(1),
            col: col.max(1),
            message: message.into(),
        }
    }

    /// A problem with the file as a whole (it is missing, unreadable, ...).
    pub fn whole_file(path: &Path, message: impl Into<String>) -> Self {
        Self::new(path, 1, 1, message)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.col,
            self.message
        )
    }
}

impl std::error::Error for Diagnostic {}

/// Line and column (1-based, columns counted in characters) of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = &source[..floor_char_boundary(source, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Finds where a string value stands in a source file, as a byte offset of its
/// first character, so an error inside a parsed value can point into the file.
///
/// Looks for the value as a quoted literal first, then anywhere. Values
/// written with escapes may not be found; the caller then falls back to the
/// start of the file.
pub fn locate_value(source: &str, value: &str) -> Option<usize> {
    if value.is_empty() {
        return None;
    }
    let quoted = format!("\"{value}\"");
    if let Some(i) = source.find(&quoted) {
        return Some(i + 1);
    }
    // Written with escapes (`\n`, `\"`): look for the escaped literal.
    if let Ok(escaped) = serde_json::to_string(value)
        && let Some(i) = source.find(&escaped)
    {
        return Some(i + 1);
    }
    source.find(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one_in_chars() {
        let s = "ab\ncdé\nf";
        assert_eq!(line_col(s, 0), (1, 1));
        assert_eq!(line_col(s, 3), (2, 1));
        assert_eq!(line_col(s, 8), (3, 1));
        assert_eq!(line_col(s, 7), (2, 4));
    }

    #[test]
    fn locate_prefers_quoted_literal() {
        let s = "name: \"x abc\",\nurl: \"abc\",";
        assert_eq!(locate_value(s, "abc"), Some(21));
        assert_eq!(locate_value(s, "zzz"), None);
        let s = "h: [(\"X\", \"a\\nb\")]";
        assert_eq!(locate_value(s, "a\nb"), Some(11));
    }
}
