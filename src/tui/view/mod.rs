//! Drawing: a pure function of the state. Nothing here reads files, waits
//! or parses large bodies; bodies arrive formatted and only visible lines
//! are drawn.

pub mod editor;
pub mod history;
pub mod inspector;
mod overlay;
mod profiles;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Widget};

use super::keys::{Action, Scope};
use super::state::{State, View};

pub use crate::tui::layout::{MIN_HEIGHT, MIN_WIDTH, layout, list_offset};

pub use crate::exchange::human_size as size;

/// A pane's frame, brighter when it has the focus.
pub fn pane_block(title: impl Into<Line<'static>>, focused: bool) -> Block<'static> {
    let style = if focused {
        Style::default().fg(Color::Cyan)
    } else {
        Style::default().fg(Color::DarkGray)
    };
    Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(style)
        .title(title)
}

/// A frame without colour: every cell's colours reset, and what colour
/// alone said in bold (red: an error, a failure) or reversed (a coloured
/// background).
pub fn without_colour(buf: &mut ratatui::buffer::Buffer) {
    for cell in buf.content.iter_mut() {
        if matches!(cell.fg, Color::Red | Color::LightRed) {
            cell.modifier |= Modifier::BOLD;
        }
        if cell.bg != Color::Reset {
            cell.modifier |= Modifier::REVERSED;
        }
        cell.fg = Color::Reset;
        cell.bg = Color::Reset;
    }
}

pub fn error_style() -> Style {
    Style::default().fg(Color::Red)
}

/// Draws a text area and puts the terminal's own cursor where typing goes
/// (screen readers and input methods follow it).
pub fn render_text(
    s: &State,
    text: &ratatui_textarea::TextArea<'static>,
    area: Rect,
    buf: &mut Buffer,
) {
    text.render(area, buf);
    let c = text.screen_cursor();
    let (top, left) = text.scroll_offset();
    let (row, col) = (
        (c.row as u16).saturating_sub(top),
        (c.col as u16).saturating_sub(left),
    );
    if row < area.height && col < area.width {
        s.ui.cursor.set(Some(ratatui::layout::Position::new(
            area.x + col,
            area.y + row,
        )));
    }
}

pub fn dim() -> Style {
    Style::default().fg(Color::DarkGray)
}

impl Widget for &State {
    fn render(self, area: Rect, buf: &mut Buffer) {
        self.ui.cursor.set(None);
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            let msg = format!(
                "terminal too small: hookbench needs {MIN_WIDTH}x{MIN_HEIGHT}, this is {}x{}",
                area.width, area.height
            );
            let y = area.y + area.height / 2;
            Paragraph::new(msg)
                .centered()
                .style(Style::default().fg(Color::Yellow))
                .render(Rect::new(area.x, y, area.width, 1.min(area.height)), buf);
            return;
        }
        let a = self.ui.areas(area);
        tabs(self, a.tabs, buf);
        if self.ui.view != View::Workbench {
            let main = Rect::new(
                area.x,
                a.tabs.bottom(),
                area.width,
                a.status.y - a.tabs.bottom(),
            );
            history::render(self, main, buf);
        } else {
            // A zoomed view draws only the pane that has the screen.
            let drawn = |r: Rect| !r.is_empty();
            if drawn(a.profiles) {
                profiles::render(self, a.profiles, buf);
            }
            if drawn(a.editor) {
                editor::render(self, a.editor, buf);
            }
            if drawn(a.request) {
                inspector::render_request(self, a.request, buf);
            }
            if drawn(a.response) {
                inspector::render_response(self, a.response, buf);
            }
        }
        status_bar(self, a.status, buf);
        overlay::render(self, area, buf);
    }
}

fn tabs(s: &State, area: Rect, buf: &mut Buffer) {
    let tab = |label: &'static str, on: bool| {
        if on {
            Span::styled(label, Style::default().fg(Color::Black).bg(Color::Cyan))
        } else {
            Span::raw(label)
        }
    };
    let line = Line::from(vec![
        Span::styled(" hookbench ", Style::default().add_modifier(Modifier::BOLD)),
        Span::raw(" "),
        tab(" 1 Workbench ", s.ui.view == View::Workbench),
        Span::raw(" "),
        tab(" 2 History ", s.ui.view == View::History),
        Span::raw(" "),
        tab(" 3 Receiver ", s.ui.view == View::Receiver),
        Span::raw("   "),
        // The environment the Workbench renders in.
        match s.bench.environment() {
            Some(e) => Span::styled(
                format!(" env: {} ", e.name),
                Style::default().fg(Color::Black).bg(Color::Yellow),
            ),
            None => Span::styled("env: none (E)", dim()),
        },
        Span::styled(
            if s.bench.environment().is_some() {
                " E"
            } else {
                ""
            },
            dim(),
        ),
        Span::styled("   ? help", dim()),
    ]);
    buf.set_line(area.x, area.y, &line, area.width);
}

fn status_bar(s: &State, area: Rect, buf: &mut Buffer) {
    let scope = s.scope();
    let actions: &[Action] = match scope {
        Scope::Profiles => &[
            Action::Enter,
            Action::Fire,
            Action::NewProfile,
            Action::Help,
            Action::Quit,
        ],
        Scope::Editor => &[
            Action::Enter,
            Action::AddHeader,
            Action::Fire,
            Action::Save,
            Action::Help,
        ],
        Scope::Inspector => &[Action::Search, Action::CopyCurl, Action::Fire, Action::Help],
        Scope::Text => &[Action::Commit, Action::Escape, Action::Save],
        Scope::Json => &[Action::Escape, Action::Save, Action::ExternalEditor],
        Scope::History if s.ui.view == View::Receiver => &[
            Action::ReceiverAnswer,
            Action::ReceiverSecrets,
            Action::ReceiverToggle,
            Action::Replay,
            Action::Help,
        ],
        Scope::History => &[
            Action::FilterFailed,
            Action::Replay,
            Action::BulkReplay,
            Action::Compare,
            Action::Help,
        ],
        Scope::Confirm => &[Action::Yes],
        Scope::Global | Scope::Workbench => &[],
    };
    let mut hints = s.ui.keys.hints(scope, actions);
    // Whole hints only: the last ones give way on a narrow line.
    while hints.chars().count() as u16 + 2 > area.width / 2 {
        match hints.rfind("  ") {
            Some(i) => hints.truncate(i),
            None => break,
        }
    }
    let status_style = if s.ui.status.error {
        Style::default().fg(Color::White).bg(Color::Red)
    } else {
        Style::default()
    };
    // The hints give way to a message that needs the room.
    let message = s.ui.status.text.chars().count() as u16 + 2;
    let hints_width = (hints.chars().count() as u16 + 2).min(area.width / 2);
    let hints_width = if message + hints_width > area.width {
        0
    } else {
        hints_width
    };
    let [left, right] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(hints_width)]).areas(area);
    // A message longer than the line says where to read it whole.
    let text = format!(" {}", s.ui.status.text);
    let room = left.width.saturating_sub(1) as usize;
    let text = if text.chars().count() > room {
        let keep: String = text.chars().take(room.saturating_sub(8)).collect();
        format!("{keep}… (L) ")
    } else {
        text
    };
    buf.set_stringn(left.x, left.y, text, left.width as usize, status_style);
    buf.set_stringn(right.x, right.y, hints, right.width as usize, dim());
}
