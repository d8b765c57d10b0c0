//! Where each part of the screen goes: a `Rect` in, `Rect`s out. Drawing
//! and input (mouse, scrolling) both read it, so they always agree.

use ratatui::layout::{Constraint, Layout, Rect};

/// The smallest terminal the workbench draws in.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// The parts of the Workbench view.
#[derive(Debug, Clone, Copy)]
pub struct Areas {
    pub tabs: Rect,
    pub profiles: Rect,
    pub editor: Rect,
    pub request: Rect,
    pub response: Rect,
    pub status: Rect,
}

/// The layout of a frame.
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

/// The same areas with pane `i` (in Tab order: profiles, editor, request,
/// response) over all four, and the other three empty.
pub fn zoomed(a: Areas, i: usize) -> Areas {
    let main = a.profiles.union(a.editor).union(a.response);
    let none = Rect::new(main.x, main.y, 0, 0);
    let pick = |k: usize| if k == i { main } else { none };
    Areas {
        tabs: a.tabs,
        profiles: pick(0),
        editor: pick(1),
        request: pick(2),
        response: pick(3),
        status: a.status,
    }
}

/// Everything between the tabs and the status line (the History and
/// Receiver views).
pub fn main_area(area: Rect) -> Rect {
    let a = layout(area);
    Rect::new(
        area.x,
        a.tabs.bottom(),
        area.width,
        a.status.y.saturating_sub(a.tabs.bottom()),
    )
}

/// The first visible row of a list so that `selected` is in view.
pub fn list_offset(selected: usize, height: usize) -> usize {
    if height == 0 {
        return 0;
    }
    selected.saturating_sub(height - 1)
}

/// Rows inside a bordered pane of this area.
pub fn inner_height(r: Rect) -> usize {
    r.height.saturating_sub(2) as usize
}
