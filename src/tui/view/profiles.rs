//! The profile list.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::{dim, error_style, list_offset, pane_block};
use crate::tui::state::{EntryKind, Pane, State};

pub fn render(s: &State, area: Rect, buf: &mut Buffer) {
    let focused = s.ui.focus == Pane::Profiles;
    let block = pane_block(format!(" Profiles ({}) ", s.bench.entries.len()), focused);
    let inner = block.inner(area);
    block.render(area, buf);
    if s.bench.loading {
        buf.set_string(inner.x + 1, inner.y, "loading…", dim());
        return;
    }
    if s.bench.entries.is_empty() {
        let lines = ["no profiles yet", "", "n  new profile"];
        for (i, l) in lines.iter().enumerate() {
            if (i as u16) < inner.height {
                buf.set_string(inner.x + 1, inner.y + i as u16, l, dim());
            }
        }
        return;
    }
    let height = inner.height as usize;
    let offset = list_offset(s.bench.selected, height);
    // Two profiles of one name are told apart by their files.
    let mut names: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for e in &s.bench.entries {
        if let EntryKind::Ok { draft, .. } = &e.kind {
            *names.entry(draft.name.as_str()).or_default() += 1;
        }
    }
    for (row, (i, e)) in s
        .bench
        .entries
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .enumerate()
    {
        let selected = i == s.bench.selected;
        let (name, style, mark) = match &e.kind {
            EntryKind::Ok { draft, .. } => (
                if names.get(draft.name.as_str()).copied().unwrap_or(0) > 1 {
                    // The file first: the part that tells them apart.
                    format!(
                        "{} · {}",
                        e.path.file_name().unwrap_or_default().to_string_lossy(),
                        draft.name
                    )
                } else {
                    draft.name.clone()
                },
                Style::default(),
                if s.bench.unsaved(e) { "*" } else { " " },
            ),
            EntryKind::Broken(_) => (
                e.path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                error_style(),
                "!",
            ),
        };
        let method = match &e.kind {
            EntryKind::Ok { draft, .. } => format!("{:<7}", draft.method.as_str()),
            EntryKind::Broken(_) => "error  ".into(),
        };
        let mut style = style;
        if selected {
            style = style.add_modifier(Modifier::REVERSED);
            if !focused {
                style = style
                    .remove_modifier(Modifier::REVERSED)
                    .add_modifier(Modifier::BOLD);
            }
        }
        let line = Line::from(vec![
            Span::styled(mark, Style::default().fg(Color::Yellow)),
            Span::styled(method.clone(), style.fg(method_color(&method))),
            Span::styled(name, style),
        ]);
        buf.set_line(inner.x, inner.y + row as u16, &line, inner.width);
    }
}

fn method_color(m: &str) -> Color {
    match m.trim() {
        "POST" => Color::Green,
        "PUT" => Color::Blue,
        "PATCH" => Color::Yellow,
        _ => Color::Red,
    }
}
