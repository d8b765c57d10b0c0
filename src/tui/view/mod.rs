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

use super::keys::{self, Action, Scope};
use super::state::{State, View};

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// Where each part of the screen goes.
#[derive(Debug, Clone, Copy)]
pub struct Areas {
    pub tabs: Rect,
    pub profiles: Rect,
    pub editor: Rect,
    pub request: Rect,
    pub response: Rect,
    pub status: Rect,
}

/// The layout of a frame; also used to map mouse clicks to panes.
pub fn layout(area: Rect) -> Areas {
    let [tabs, main, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let list_width = (area.width / 4).clamp(24, 36);
    let [profiles, right] =
        Layout::horizontal([Constraint::Length(list_width), Constraint::Min(0)]).areas(main);
    let editor_height = (right.height * 9 / 20).max(10);
    let [editor, inspector] =
        Layout::vertical([Constraint::Length(editor_height), Constraint::Min(0)]).areas(right);
    let [request, response] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .areas(inspector);
    Areas {
        tabs,
        profiles,
        editor,
        request,
        response,
        status,
    }
}

/// The first visible row of a list so that `selected` is in view.
pub fn list_offset(selected: usize, height: usize) -> usize {
    if height == 0 {
        return 0;
    }
    selected.saturating_sub(height - 1)
}

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

pub fn error_style() -> Style {
    Style::default().fg(Color::Red)
}

pub fn dim() -> Style {
    Style::default().fg(Color::DarkGray)
}

impl Widget for &State {
    fn render(self, area: Rect, buf: &mut Buffer) {
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
        let a = layout(area);
        tabs(self, a.tabs, buf);
        if self.view != View::Workbench {
            let main = Rect::new(
                area.x,
                a.tabs.bottom(),
                area.width,
                a.status.y - a.tabs.bottom(),
            );
            history::render(self, main, buf);
        } else {
            profiles::render(self, a.profiles, buf);
            editor::render(self, a.editor, buf);
            inspector::render_request(self, a.request, buf);
            inspector::render_response(self, a.response, buf);
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
        tab(" 1 Workbench ", s.view == View::Workbench),
        Span::raw(" "),
        tab(" 2 History ", s.view == View::History),
        Span::raw(" "),
        tab(" 3 Receiver ", s.view == View::Receiver),
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
        Scope::History => &[
            Action::FilterFailed,
            Action::Replay,
            Action::BulkReplay,
            Action::Compare,
            Action::Help,
        ],
        Scope::Global => &[],
    };
    let hints = keys::hints(scope, actions);
    let status_style = if s.status.error {
        Style::default().fg(Color::White).bg(Color::Red)
    } else {
        Style::default()
    };
    let hints_width = (hints.chars().count() as u16 + 2).min(area.width / 2);
    let [left, right] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(hints_width)]).areas(area);
    buf.set_stringn(
        left.x,
        left.y,
        format!(" {}", s.status.text),
        left.width as usize,
        status_style,
    );
    buf.set_stringn(right.x, right.y, hints, right.width as usize, dim());
}
