//! A body formatted once (off the UI thread for large ones) into lines, and a
//! widget that draws only the visible lines, highlighting JSON per line.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// How a body was formatted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Empty,
    /// Valid JSON, re-indented.
    Json,
    /// UTF-8 text, as it came.
    Text,
    /// Not UTF-8: a hex dump.
    Hex,
}

/// Lines of a formatted body: one string and the start of each line.
#[derive(Debug, Clone)]
pub struct FormattedBody {
    pub kind: BodyKind,
    text: String,
    starts: Vec<usize>,
}

impl FormattedBody {
    /// The whole text, as the pane shows it.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    pub fn line(&self, i: usize) -> &str {
        let start = self.starts[i];
        let end = self.starts.get(i + 1).map_or_else(
            || {
                self.text
                    .strip_suffix('\n')
                    .map_or(self.text.len(), str::len)
            },
            |&e| e - 1,
        );
        &self.text[start..end]
    }

    /// The first line at or after `from` (wrapping around) that contains
    /// `needle`, case-insensitively.
    pub fn find(&self, needle: &str, from: usize, forward: bool) -> Option<usize> {
        if needle.is_empty() || self.is_empty() {
            return None;
        }
        let needle = needle.to_lowercase();
        let n = self.len();
        (0..n)
            .map(|k| {
                if forward {
                    (from + k) % n
                } else {
                    (from + n - k) % n
                }
            })
            .find(|&i| self.line(i).to_lowercase().contains(&needle))
    }

    fn from_text(kind: BodyKind, text: String) -> FormattedBody {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        if text.ends_with('\n') {
            starts.pop();
        }
        if text.is_empty() {
            starts.clear();
        }
        FormattedBody { kind, text, starts }
    }
}

/// Formats a body: JSON re-indented, text as is, anything else as hex.
pub fn format(body: &[u8]) -> FormattedBody {
    if body.is_empty() {
        return FormattedBody::from_text(BodyKind::Empty, String::new());
    }
    match std::str::from_utf8(body) {
        Ok(text) => match crate::exchange::indent_json(text) {
            Some(pretty) => FormattedBody::from_text(BodyKind::Json, pretty),
            None => FormattedBody::from_text(
                BodyKind::Text,
                crate::exchange::printable(text).into_owned(),
            ),
        },
        Err(_) => FormattedBody::from_text(BodyKind::Hex, hex_dump(body)),
    }
}

fn hex_dump(body: &[u8]) -> String {
    let mut out = String::with_capacity(body.len() * 4 + 16);
    for (i, chunk) in body.chunks(16).enumerate() {
        out.push_str(&format!("{:08x}  ", i * 16));
        for k in 0..16 {
            match chunk.get(k) {
                Some(b) => out.push_str(&format!("{b:02x} ")),
                None => out.push_str("   "),
            }
        }
        out.push(' ');
        out.extend(chunk.iter().map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        }));
        out.push('\n');
    }
    out
}

/// Colours of a JSON line, found by a small scan of that line alone.
pub fn highlight_json(line: &str) -> Line<'_> {
    let key = Style::default().fg(Color::Cyan);
    let string = Style::default().fg(Color::Green);
    let number = Style::default().fg(Color::Magenta);
    let literal = Style::default().fg(Color::Yellow);
    let mut spans = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut plain_start = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (end, style) = if b == b'"' {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != b'"' {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(bytes.len());
            let is_key = line[end..].trim_start().starts_with(':');
            (end, if is_key { key } else { string })
        } else if b == b'-' || b.is_ascii_digit() {
            let mut j = i + 1;
            while j < bytes.len() && (bytes[j].is_ascii_digit() || b".eE+-".contains(&bytes[j])) {
                j += 1;
            }
            (j, number)
        } else if line[i..].starts_with("true") || line[i..].starts_with("null") {
            (i + 4, literal)
        } else if line[i..].starts_with("false") {
            (i + 5, literal)
        } else {
            i += 1;
            continue;
        };
        if plain_start < i {
            spans.push(Span::raw(&line[plain_start..i]));
        }
        spans.push(Span::styled(&line[i..end], style));
        i = end;
        plain_start = end;
    }
    if plain_start < line.len() {
        spans.push(Span::raw(&line[plain_start..]));
    }
    Line::from(spans)
}

/// `line` cut into rows of `width` columns, at most `max` of them: the
/// work is that of the rows made, however long the line.
pub fn wrap_line(line: &Line<'_>, width: usize, max: usize) -> Vec<Line<'static>> {
    use unicode_width::UnicodeWidthChar;
    let mut rows = Vec::new();
    if width == 0 || max == 0 {
        return rows;
    }
    let mut row: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    let finish = |row: &mut Vec<Span<'static>>, rows: &mut Vec<Line<'static>>| {
        rows.push(Line::from(std::mem::take(row)).style(line.style));
    };
    'spans: for span in &line.spans {
        let mut rest: &str = &span.content;
        while !rest.is_empty() {
            let mut taken = 0;
            for (i, c) in rest.char_indices() {
                let w = c.width().unwrap_or(0);
                if used + w > width && (used > 0 || i > 0) {
                    break;
                }
                used += w;
                taken = i + c.len_utf8();
            }
            if taken > 0 {
                row.push(Span::styled(rest[..taken].to_string(), span.style));
                rest = &rest[taken..];
            }
            if !rest.is_empty() {
                finish(&mut row, &mut rows);
                used = 0;
                if rows.len() >= max {
                    break 'spans;
                }
            }
        }
    }
    if rows.len() < max && (!row.is_empty() || rows.is_empty()) {
        finish(&mut row, &mut rows);
    }
    rows
}

/// Draws `body` from line `scroll`, only as many lines as fit; with
/// `wrap`, a long line takes as many rows as it needs.
pub struct BodyView<'a> {
    pub body: &'a FormattedBody,
    pub scroll: usize,
    pub search: Option<&'a str>,
    pub wrap: bool,
}

impl Widget for BodyView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let hit = Style::default()
            .bg(Color::Yellow)
            .fg(Color::Black)
            .add_modifier(Modifier::BOLD);
        let needle = self.search.filter(|s| !s.is_empty()).map(str::to_lowercase);
        let height = area.height as usize;
        let mut row = 0;
        for i in self.scroll..self.body.len() {
            if row >= height {
                break;
            }
            let text = self.body.line(i);
            let mut line = match self.body.kind {
                BodyKind::Json => highlight_json(text),
                _ => Line::raw(text),
            };
            if let Some(n) = &needle
                && text.to_lowercase().contains(n.as_str())
            {
                line = line.patch_style(hit);
            }
            if self.wrap {
                for r in wrap_line(&line, area.width as usize, height - row) {
                    buf.set_line(area.x, area.y + row as u16, &r, area.width);
                    row += 1;
                }
            } else {
                buf.set_line(area.x, area.y + row as u16, &line, area.width);
                row += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_indented_and_strings_are_untouched() {
        let f = format(br#"{"a":[1,2],"b":{"c":"x, {y}: \"z\""},"e":{},"f":[]}"#);
        assert_eq!(f.kind, BodyKind::Json);
        let lines: Vec<&str> = (0..f.len()).map(|i| f.line(i)).collect();
        assert_eq!(
            lines,
            [
                "{",
                r#"  "a": ["#,
                "    1,",
                "    2",
                "  ],",
                r#"  "b": {"#,
                r#"    "c": "x, {y}: \"z\"""#,
                "  },",
                r#"  "e": {},"#,
                r#"  "f": []"#,
                "}"
            ]
        );
    }

    #[test]
    fn text_and_binary() {
        let f = format(b"line one\nline two\n");
        assert_eq!(f.kind, BodyKind::Text);
        assert_eq!(f.len(), 2);
        assert_eq!(f.line(1), "line two");
        let f = format(&[0xff, 0x00, b'A']);
        assert_eq!(f.kind, BodyKind::Hex);
        assert!(f.line(0).starts_with("00000000  ff 00 41"), "{}", f.line(0));
        assert!(f.line(0).ends_with("|..A|") || f.line(0).ends_with("..A"));
        assert_eq!(format(b"").len(), 0);
        assert_eq!(format(b"{not json").kind, BodyKind::Text);
    }

    #[test]
    fn search_wraps_both_ways() {
        let f = format(b"a\nneedle\nb\nNEEDLE\n");
        assert_eq!(f.find("needle", 0, true), Some(1));
        assert_eq!(f.find("needle", 2, true), Some(3));
        assert_eq!(f.find("needle", 0, false), Some(3));
        assert_eq!(f.find("zzz", 0, true), None);
    }
}
