//! The request as sent (or previewed) beside the response.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::{dim, error_style, pane_block, size};
use crate::exchange::Exchange;
use crate::tui::draft::Field;
use crate::tui::state::{MaskedHead, Pane, Preview, State};
use crate::tui::widgets::body::{BodyKind, BodyView, FormattedBody};
use crate::wire::PreparedRequest;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// What the request pane shows: a title, head lines, and the body.
fn request_content(s: &State) -> (String, Vec<Line<'static>>, Option<&FormattedBody>) {
    if s.show_sent
        && let Some(x) = s.current().and_then(|e| e.exchange.as_ref())
    {
        let head = request_lines(s, &x.exchange.request, x.request_body.as_ref(), &[]);
        return (" Request · as sent ".into(), head, x.request_body.as_ref());
    }
    match &s.preview {
        Some(Preview {
            result: Ok(a),
            body,
        }) => (
            " Request · preview ".into(),
            request_lines(s, &a.request, Some(body), &a.warnings),
            Some(body),
        ),
        Some(Preview {
            result: Err(errs), ..
        }) => {
            let mut head = vec![Line::styled(
                "cannot build the request:",
                error_style().add_modifier(Modifier::BOLD),
            )];
            head.extend(errs.iter().map(|(f, m)| {
                let at = match f {
                    Some(Field::Payload) | None => String::new(),
                    Some(f) => format!("{}: ", f.describe()),
                };
                Line::styled(format!("• {at}{m}"), error_style())
            }));
            (" Request · preview ".into(), head, None)
        }
        None if s.loading => (
            " Request ".into(),
            vec![Line::styled("loading…", dim())],
            None,
        ),
        None => (
            " Request ".into(),
            vec![Line::styled("no profile selected", dim())],
            None,
        ),
    }
}

pub fn request_lines(
    s: &State,
    req: &PreparedRequest,
    body: Option<&FormattedBody>,
    warnings: &[String],
) -> Vec<Line<'static>> {
    let shown = if s.reveal {
        req.clone()
    } else {
        req.redacted()
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(
            shown.method.as_str().to_string(),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Span::raw(" "),
        Span::raw(shown.url.clone()),
    ])];
    lines.extend(shown.headers.iter().map(|(n, v)| header_line(n, v)));
    for w in warnings {
        lines.push(Line::styled(
            format!("⚠ {w}"),
            Style::default().fg(Color::Yellow),
        ));
    }
    lines.push(body_note(req.body.len(), body));
    lines
}

fn header_line(n: &str, v: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{n}: "), Style::default().fg(Color::Cyan)),
        Span::raw(v.to_string()),
    ])
}

fn body_note(len: usize, body: Option<&FormattedBody>) -> Line<'static> {
    let text = match body.map(|b| b.kind) {
        _ if len == 0 => "── no body ──".to_string(),
        None => format!("── body {} · formatting… ──", size(len)),
        Some(BodyKind::Json) => format!("── body {} · JSON, shown indented ──", size(len)),
        Some(BodyKind::Hex) => format!("── body {} · not UTF-8, shown as hex ──", size(len)),
        Some(_) => format!("── body {} ──", size(len)),
    };
    Line::styled(text, dim())
}

/// What the response pane shows.
fn response_content(s: &State) -> (String, Vec<Line<'static>>, Option<&FormattedBody>) {
    let entry = s.current();
    if let (Some(f), Some(e)) = (&s.inflight, entry)
        && f.path == e.path
    {
        let ms = f.started.elapsed().as_millis();
        let frame = SPINNER[(ms / 100) as usize % SPINNER.len()];
        return (
            " Response ".into(),
            vec![Line::from(vec![
                Span::styled(frame.to_string(), Style::default().fg(Color::Cyan)),
                Span::raw(format!(
                    " sending… {:.1} s   Esc cancels",
                    ms as f64 / 1000.0
                )),
            ])],
            None,
        );
    }
    match entry.and_then(|e| e.exchange.as_ref()) {
        Some(x) => (
            " Response ".into(),
            response_lines(
                &x.exchange,
                x.response_body.as_ref(),
                (!s.reveal).then_some(&x.masked),
            ),
            x.response_body
                .as_ref()
                .filter(|_| x.exchange.response.is_some()),
        ),
        None => (
            " Response ".into(),
            vec![Line::styled("no response yet: f fires the profile", dim())],
            None,
        ),
    }
}

/// The response pane's head: status, redirects, error, headers, then a
/// line about the body; `masked` stands in for the credentials until they
/// are revealed (a record from the history is masked already).
pub fn response_lines(
    x: &Exchange,
    body: Option<&FormattedBody>,
    masked: Option<&MaskedHead>,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let redirects = masked.map_or_else(
        || x.response.as_ref().map_or(&[][..], |r| &r.redirects[..]),
        |m| &m.redirects[..],
    );
    let error = masked.map_or(x.error.as_ref(), |m| m.error.as_ref());
    let ms = x.elapsed.as_millis();
    if let Some(r) = &x.response {
        let color = match r.status {
            200..=299 => Color::Green,
            300..=399 => Color::Cyan,
            400..=499 => Color::Yellow,
            _ => Color::Red,
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {} {} ", r.status, r.reason),
                Style::default()
                    .fg(Color::Black)
                    .bg(color)
                    .add_modifier(Modifier::BOLD),
            ),
            Span::raw(format!(
                "  {ms} ms · {}{}",
                size(r.body.len()),
                if r.truncated { " (cut at the cap)" } else { "" }
            )),
        ]));
        for url in redirects {
            lines.push(Line::styled(format!("↪ redirected to {url}"), dim()));
        }
    }
    if let Some(e) = error {
        lines.push(Line::styled(
            format!("✗ {}: {}  ({ms} ms)", e.kind.as_str(), e.message),
            error_style().add_modifier(Modifier::BOLD),
        ));
    }
    if let Some(r) = &x.response {
        let headers = masked.map_or(&r.headers, |m| &m.headers);
        lines.extend(headers.iter().map(|(n, v)| header_line(n, v)));
        lines.push(body_note(r.body.len(), body));
    }
    lines
}

/// Head length and body of a pane, for search and scrolling.
pub fn body_of(s: &State, pane: Pane) -> Option<(usize, &FormattedBody)> {
    let (_, head, body) = match pane {
        Pane::Request => request_content(s),
        _ => response_content(s),
    };
    body.map(|b| (head.len(), b))
}

/// Total lines of the request and response panes.
pub fn content_lengths(s: &State) -> (usize, usize) {
    let count = |(_, head, body): (String, Vec<Line>, Option<&FormattedBody>)| {
        head.len() + body.map_or(0, FormattedBody::len)
    };
    (count(request_content(s)), count(response_content(s)))
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
    for line in head.iter().skip(scroll).take(height) {
        buf.set_line(inner.x, inner.y + row as u16, line, inner.width);
        row += 1;
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
            search: s.search.as_deref(),
        }
        .render(body_area, buf);
    }
}

pub fn render_request(s: &State, area: Rect, buf: &mut Buffer) {
    render_pane(
        s,
        s.focus == Pane::Request,
        request_content(s),
        s.request_scroll,
        area,
        buf,
    );
}

pub fn render_response(s: &State, area: Rect, buf: &mut Buffer) {
    render_pane(
        s,
        s.focus == Pane::Response,
        response_content(s),
        s.response_scroll,
        area,
        buf,
    );
}
