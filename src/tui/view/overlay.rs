//! Overlays: help, confirmations, prompts, the event picker.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Widget, Wrap};

use super::dim;
use crate::tui::keys::{BINDINGS, Scope};
use crate::tui::state::{ConfirmKind, Mode, PromptKind, State};

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    h
}

fn frame(area: Rect, buf: &mut Buffer, title: &str) -> Rect {
    Clear.render(area, buf);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(Style::default().fg(Color::Yellow))
        .title(title.to_string());
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

pub fn render(s: &State, area: Rect, buf: &mut Buffer) {
    match &s.ui.mode {
        Mode::Help { scroll } => help(s, *scroll, area, buf),
        Mode::Messages { scroll } => messages(s, *scroll, area, buf),
        Mode::Confirm(kind) => {
            let (title, body) = match kind {
                ConfirmKind::Delete => (
                    " Delete ",
                    format!(
                        "Delete {}?  y deletes the file · any other key keeps it",
                        s.current()
                            .map(|e| e.path.display().to_string())
                            .unwrap_or_default()
                    ),
                ),
                ConfirmKind::SaveSharedEvent { path, others } => (
                    " Save a shared event? ",
                    format!(
                        "{} is also the sample event of {}.  y saves it for them too · any other key does not",
                        path.file_name().unwrap_or_default().to_string_lossy(),
                        others.join(", ")
                    ),
                ),
                ConfirmKind::RenameFile { from, to } => (
                    " Rename the file too? ",
                    format!(
                        "The profile is renamed; its file is {}.  y saves it as {} · any other key saves it where it is",
                        from.file_name().unwrap_or_default().to_string_lossy(),
                        to.file_name().unwrap_or_default().to_string_lossy()
                    ),
                ),
                ConfirmKind::Bulk { hosts, skipped } => (
                    " Bulk replay ",
                    format!(
                        "Replay {} record(s) to {}, {} at a time, {}?{}  y starts · +/- concurrency · </> rate · any other key does not",
                        hosts.iter().map(|(_, n)| n).sum::<u64>(),
                        hosts
                            .iter()
                            .take(3)
                            .map(|(h, n)| format!("{h} ({n})"))
                            .collect::<Vec<_>>()
                            .join(", ")
                            + if hosts.len() > 3 { ", …" } else { "" },
                        s.history.replay_concurrency,
                        s.history
                            .replay_rate
                            .map_or("no rate limit".to_string(), |r| format!("at most {r}/s")),
                        if *skipped > 0 {
                            format!(" ({skipped} failed deliveries resolved already are left out.)")
                        } else {
                            String::new()
                        }
                    ),
                ),
                ConfirmKind::Quit => (
                    " Unsaved changes ",
                    format!(
                        "Unsaved: {}.  s save all and quit · y quit without saving · any other key stays",
                        s.bench.dirty_names().join(", ")
                    ),
                ),
            };
            let width = (body.chars().count() as u16 + 4)
                .min(area.width.saturating_sub(8))
                .max(20);
            let rows = (body.chars().count() as u16).div_ceil(width.saturating_sub(4).max(1));
            let r = centered(area, width, rows + 3);
            let inner = frame(r, buf, title);
            Paragraph::new(body).wrap(Wrap { trim: true }).render(
                Rect::new(
                    inner.x + 1,
                    inner.y,
                    inner.width.saturating_sub(2),
                    inner.height,
                ),
                buf,
            );
        }
        Mode::Prompt { kind, area: text } => {
            let secret_title;
            let title = match kind {
                PromptKind::NewProfile => " New profile: name (or paste a curl command) ",
                PromptKind::ShareTo => " Share: write the copy without credentials to ",
                PromptKind::ImportProfile => " Import: a profile file (path) or a curl command ",
                PromptKind::SaveBody { .. } => " Save the response body to (a new file) ",
                PromptKind::SetSecret(name) => {
                    secret_title = format!(" Secret {name} (typed masked; to the store) ");
                    &secret_title
                }
                PromptKind::Rename => " Rename profile ",
                PromptKind::NewEnvironment => " New environment: name (a file in environments/) ",
                PromptKind::SaveEventAs(_) => " Save the event as (name) ",
                PromptKind::Search => " Search the body ",
                PromptKind::FilterProfile => " Filter: profile name (empty for any) ",
                PromptKind::FilterText => " Filter: text in the URL or a body (empty for any) ",
                PromptKind::ReceiverAnswer => {
                    " Receiver answers: 500,500,200 delay=200 fail=0.1 header=N:V body=... or forward=URL (off) "
                }
                PromptKind::ReceiverSecrets => {
                    " Check signatures: whsec_… stripe:… github:… shopify:… slack:… hmac:… (empty: none) "
                }
            };
            let r = centered(area, 60, 3);
            let inner = frame(r, buf, title);
            super::render_text(s, text, inner, buf);
        }
        Mode::Picker {
            kind,
            items,
            selected,
        } => {
            use crate::tui::state::modes::PickerKind;
            // The environment list shows the highlighted one's variables.
            let vars = match kind {
                PickerKind::Environment | PickerKind::CompareWith => items
                    .get(*selected)
                    .filter(|_| *selected > 0)
                    .map(|name| s.bench.environment_lines(name, s.ui.reveal))
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            let wide = matches!(kind, PickerKind::Environment | PickerKind::CompareWith);
            // As tall as the longest list of variables, so it keeps its size.
            let most = if wide {
                s.bench
                    .environments
                    .iter()
                    .map(|l| l.environment.variables.len())
                    .max()
                    .unwrap_or(0)
            } else {
                0
            };
            let height = (items.len().max(most + 1) as u16 + 2).min(area.height - 4);
            let r = centered(area, if wide { 76 } else { 50 }, height);
            let title = match kind {
                PickerKind::Event => " Sample event ",
                PickerKind::ProfileFilter => " Filter: profile (as the history has them) ",
                PickerKind::EnvFilter => " Filter: environment (as the history has them) ",
                PickerKind::Environment => " Environment · Enter picks · n new · e edits ",
                PickerKind::CompareWith => " Compare with which environment? ",
            };
            let mut inner = frame(r, buf, title);
            if wide {
                let list_width = 24.min(inner.width / 3);
                let right = Rect::new(
                    inner.x + list_width + 1,
                    inner.y,
                    inner.width.saturating_sub(list_width + 1),
                    inner.height,
                );
                let head = if vars.is_empty() && *selected > 0 {
                    "no variables".to_string()
                } else if *selected == 0 {
                    "the profiles' own defaults".to_string()
                } else {
                    if s.ui.reveal {
                        "variables".to_string()
                    } else {
                        "variables (credentials masked)".to_string()
                    }
                };
                buf.set_stringn(right.x, right.y, head, right.width as usize, super::dim());
                for (row, (k, v)) in vars
                    .iter()
                    .take(right.height.saturating_sub(1) as usize)
                    .enumerate()
                {
                    let mut line = format!("{k} = {}", crate::exchange::printable(v));
                    let room = right.width as usize;
                    if line.chars().count() > room && room > 1 {
                        line = line.chars().take(room - 1).collect::<String>() + "…";
                    }
                    buf.set_stringn(
                        right.x,
                        right.y + 1 + row as u16,
                        line,
                        right.width as usize,
                        Style::default(),
                    );
                }
                inner.width = list_width;
            }
            let offset = super::list_offset(*selected, inner.height as usize);
            for (row, (i, item)) in items
                .iter()
                .enumerate()
                .skip(offset)
                .take(inner.height as usize)
                .enumerate()
            {
                let style = if i == *selected {
                    Style::default().add_modifier(Modifier::REVERSED)
                } else {
                    Style::default()
                };
                // The environment in use is marked.
                let mark = *kind == PickerKind::Environment && s.bench.env.as_ref() == Some(item);
                let shown = if mark {
                    format!("{item} ✓")
                } else {
                    item.clone()
                };
                buf.set_stringn(
                    inner.x + 1,
                    inner.y + row as u16,
                    shown,
                    inner.width as usize - 1,
                    style,
                );
            }
        }
        _ => {}
    }
}

/// The message log, newest first, each message whole (wrapped).
fn messages(s: &State, scroll: usize, area: Rect, buf: &mut Buffer) {
    let r = centered(
        area,
        area.width.saturating_sub(8).max(60),
        area.height.saturating_sub(4),
    );
    let inner = frame(
        r,
        buf,
        " Messages, newest first · j/k scroll · any other key closes ",
    );
    let width = inner.width.saturating_sub(1) as usize;
    let mut lines: Vec<Line> = Vec::new();
    for (time, m) in s.ui.messages.iter().rev() {
        let style = if m.error {
            super::error_style()
        } else {
            Style::default()
        };
        for row in word_wrap(&format!("{time}  {}", m.text), width) {
            lines.push(Line::styled(row, style));
        }
        if lines.len() > scroll + inner.height as usize {
            break;
        }
    }
    if lines.is_empty() {
        lines.push(Line::styled("no messages yet", dim()));
    }
    scrolled_lines(&lines, scroll, inner, buf);
}

/// `lines` from `scroll` on (no further than a last full screen), inside
/// `inner`.
fn scrolled_lines(lines: &[Line], scroll: usize, inner: Rect, buf: &mut Buffer) {
    let scroll = scroll.min(lines.len().saturating_sub(inner.height as usize));
    for (row, line) in lines
        .iter()
        .skip(scroll)
        .take(inner.height as usize)
        .enumerate()
    {
        buf.set_line(inner.x + 1, inner.y + row as u16, line, inner.width - 1);
    }
}

/// Text cut into rows of at most `width` characters, between words where
/// it can be (a word longer than a row is cut).
fn word_wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut rows = Vec::new();
    let mut row = String::new();
    for word in text.split(' ') {
        let mut word = word.to_string();
        loop {
            let len = row.chars().count();
            let need = word.chars().count() + usize::from(len > 0);
            if len + need <= width {
                if len > 0 {
                    row.push(' ');
                }
                row.push_str(&word);
                break;
            }
            if len > 0 {
                rows.push(std::mem::take(&mut row));
                continue;
            }
            // A word wider than a row: cut it.
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            rows.push(head);
            if word.is_empty() {
                break;
            }
        }
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(row);
    }
    rows
}

/// The keys as configured.
fn help(s: &State, scroll: usize, area: Rect, buf: &mut Buffer) {
    let mut lines: Vec<Line> = Vec::new();
    let scopes = [
        Scope::Global,
        Scope::Workbench,
        Scope::Profiles,
        Scope::Editor,
        Scope::Inspector,
        Scope::Text,
        Scope::Json,
        Scope::History,
        Scope::Confirm,
    ];
    for scope in scopes {
        lines.push(Line::styled(
            scope.title(),
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        ));
        for b in BINDINGS.iter().filter(|b| b.scope == scope) {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {:<18}", s.ui.keys.label(b)),
                    Style::default().fg(Color::Cyan),
                ),
                Span::raw(b.help),
            ]));
        }
    }
    lines.push(Line::styled(
        "mouse: click a pane to focus it, wheel to scroll",
        dim(),
    ));
    let r = centered(area, 76, area.height.saturating_sub(2));
    let inner = frame(r, buf, " Keys · j/k scroll · any other key closes ");
    scrolled_lines(&lines, scroll, inner, buf);
}
