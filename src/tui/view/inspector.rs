//! The request as sent (or previewed) beside the response.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::{dim, error_style, pane_block};
use crate::tui::state::inspector::{Head, PaneView};
use crate::tui::state::{Pane, State};
use crate::tui::widgets::body::{BodyView, FormattedBody, wrap_line};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

fn header_line(n: &str, v: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{n}: "), Style::default().fg(Color::Cyan)),
        Span::raw(v.to_string()),
    ])
}

/// One head line of the view-model, styled.
pub fn line(h: &Head) -> Line<'static> {
    match h {
        Head::Request { method, url } => Line::from(vec![
            Span::styled(
                method.to_string(),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::raw(" "),
            Span::raw(url.to_string()),
        ]),
        Head::Header(n, v) => header_line(n, v),
        Head::Warning(w) => Line::styled(format!("⚠ {w}"), Style::default().fg(Color::Yellow)),
        Head::Cannot => Line::styled(
            "cannot build the request:",
            error_style().add_modifier(Modifier::BOLD),
        ),
        Head::Problem { at, message } => Line::styled(format!("• {at}{message}"), error_style()),
        Head::Note(t) => Line::styled(t.clone(), dim()),
        Head::Status {
            code,
            reason,
            detail,
        } => {
            let color = match code {
                200..=299 => Color::Green,
                300..=399 => Color::Cyan,
                400..=499 => Color::Yellow,
                _ => Color::Red,
            };
            Line::from(vec![
                Span::styled(
                    format!(" {code} {reason} "),
                    Style::default()
                        .fg(Color::Black)
                        .bg(color)
                        .add_modifier(Modifier::BOLD),
                ),
                Span::raw(format!("  {detail}")),
            ])
        }
        Head::Redirect(u) => Line::styled(format!("↪ redirected to {u}"), dim()),
        Head::Failure(t) => {
            Line::styled(format!("✗ {t}"), error_style().add_modifier(Modifier::BOLD))
        }
        Head::Sending(started) => {
            let ms = started.elapsed().as_millis();
            let frame = SPINNER[(ms / 100) as usize % SPINNER.len()];
            Line::from(vec![
                Span::styled(frame.to_string(), Style::default().fg(Color::Cyan)),
                Span::raw(format!(
                    " sending… {:.1} s   Esc cancels",
                    ms as f64 / 1000.0
                )),
            ])
        }
    }
}

/// A pane's view-model as drawing takes it.
pub fn content<'a>(v: PaneView<'a>) -> (String, Vec<Line<'static>>, Option<&'a FormattedBody>) {
    (v.title, v.head.iter().map(line).collect(), v.body)
}

/// A pane of head lines and a body, from line `scroll`.
pub fn render_pane(
    s: &State,
    focused: bool,
    content: (String, Vec<Line<'static>>, Option<&FormattedBody>),
    scroll: usize,
    area: Rect,
    buf: &mut Buffer,
) {
    let (title, head, body) = content;
    let total = head.len() + body.map_or(0, FormattedBody::len);
    let title = if total > area.height.saturating_sub(2) as usize {
        format!("{title}· {}/{} ", (scroll + 1).min(total), total)
    } else {
        title
    };
    let block = pane_block(title, focused);
    let inner = block.inner(area);
    block.render(area, buf);
    let height = inner.height as usize;
    let mut row = 0;
    for line in head.iter().skip(scroll) {
        if row >= height {
            break;
        }
        if s.ui.wrap {
            for r in wrap_line(line, inner.width as usize, height - row) {
                buf.set_line(inner.x, inner.y + row as u16, &r, inner.width);
                row += 1;
            }
        } else {
            buf.set_line(inner.x, inner.y + row as u16, line, inner.width);
            row += 1;
        }
    }
    if let Some(body) = body
        && row < height
    {
        let body_area = Rect::new(
            inner.x,
            inner.y + row as u16,
            inner.width,
            (height - row) as u16,
        );
        BodyView {
            body,
            scroll: scroll.saturating_sub(head.len()),
            search: s.bench.search.as_deref(),
            wrap: s.ui.wrap,
        }
        .render(body_area, buf);
    }
}

pub fn render_request(s: &State, area: Rect, buf: &mut Buffer) {
    render_pane(
        s,
        s.ui.focus == Pane::Request,
        content(s.bench.request_pane(s.ui.reveal)),
        s.bench.request_scroll,
        area,
        buf,
    );
}

pub fn render_response(s: &State, area: Rect, buf: &mut Buffer) {
    render_pane(
        s,
        s.ui.focus == Pane::Response,
        content(s.bench.response_pane(s.ui.reveal)),
        s.bench.response_scroll,
        area,
        buf,
    );
}
