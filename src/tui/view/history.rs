//! The History view: filters, a chart of outcomes, the records, and the
//! selected record (or a comparison) below.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Gauge, Widget};

use super::inspector::{line as head_line, render_pane};
use super::{dim, error_style, pane_block};
use crate::clock;
use crate::diff::Change;
use crate::tui::state::history::{BUCKETS, CompareView, filter_line};
use crate::tui::state::inspector::{request_head, response_head};
use crate::tui::state::{JsonTarget, Mode, State};

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

pub fn render(s: &State, area: Rect, buf: &mut Buffer) {
    let h = &s.history;
    let receiver = s.ui.view == crate::tui::state::View::Receiver;
    // The Receiver view says what the receiver does on a line of its own.
    let [state, filters, counts, chart, rest] = Layout::vertical([
        Constraint::Length(u16::from(receiver)),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Min(0),
    ])
    .areas(area);
    if receiver {
        buf.set_stringn(
            state.x + 1,
            state.y,
            s.receiver.state_line(),
            state.width as usize - 1,
            Style::default().fg(Color::Green),
        );
    }
    buf.set_stringn(
        filters.x + 1,
        filters.y,
        filter_line(h),
        filters.width as usize - 1,
        Style::default().fg(Color::Cyan),
    );

    match &h.bulk {
        Some(b) if !b.finished => {
            let t = &b.tally;
            let ratio = if t.total == 0 {
                1.0
            } else {
                t.done() as f64 / t.total as f64
            };
            Gauge::default()
                .gauge_style(Style::default().fg(Color::Cyan).bg(Color::DarkGray))
                .ratio(ratio.clamp(0.0, 1.0))
                .label(format!(
                    "replay run #{}: {}/{} · ok {} · failing {} · errors {} · {:.0} s · Esc cancels",
                    b.run,
                    t.done(),
                    t.total,
                    t.succeeded,
                    t.still_failing,
                    t.errors,
                    b.started.elapsed().as_secs_f64()
                ))
                .render(counts, buf);
        }
        _ => {
            let text = if h.loading && h.rows.is_empty() {
                "loading…".to_string()
            } else {
                format!(
                    "{} {} · showing {} · still failing in {}",
                    h.total,
                    if h.filter.attempts {
                        "records match (every attempt)"
                    } else {
                        "deliveries match (each its latest attempt)"
                    },
                    // Deliveries: the attempts listed under one are not rows.
                    h.rows.iter().filter(|r| !r.nested).count(),
                    // Without colour, red is drawn bold.
                    if s.ui.plain { "bold" } else { "red" }
                )
            };
            buf.set_stringn(
                counts.x + 1,
                counts.y,
                text,
                counts.width as usize - 1,
                Style::default(),
            );
        }
    }
    let detail = if s.ui.zoom {
        // Zoomed: the record (or the comparison) has everything below the
        // filter line.
        let below = Rect::new(area.x, counts.y, area.width, area.bottom() - counts.y);
        Clear.render(below, buf);
        below
    } else {
        render_chart(s, chart, buf);
        let detail_height = rest.height.saturating_mul(11) / 20;
        let [table, detail] =
            Layout::vertical([Constraint::Min(5), Constraint::Length(detail_height)]).areas(rest);
        render_table(s, table, buf);
        detail
    };

    if let Mode::EditJson {
        target: target @ JsonTarget::Replay(_),
        area: text,
    } = &s.ui.mode
    {
        super::editor::render_json(s, target, text, detail, buf);
    } else if let Some(c) = &h.compare {
        render_compare(s, c, detail, buf);
    } else if let Some(open) = &h.open {
        let [req, resp] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(detail);
        let x = &open.record.exchange;
        let mut head = verdict_lines(s.receiver.verdicts.get(&open.record.id));
        head.extend(
            request_head(&x.request, Some(&open.request_body), &[])
                .iter()
                .map(head_line),
        );
        render_pane(
            s,
            h.detail_focus,
            (
                match &x.peer {
                    Some(peer) => {
                        format!(" Request #{} · as received from {peer} ", open.record.id)
                    }
                    None => format!(" Request #{} · as sent ", open.record.id),
                },
                head,
                Some(&open.request_body),
            ),
            h.request_scroll,
            req,
            buf,
        );
        let head = if x.response.is_some() || x.error.is_some() {
            response_head(x, Some(&open.response_body), None)
                .iter()
                .map(head_line)
                .collect()
        } else {
            vec![Line::styled("no answer recorded", dim())]
        };
        render_pane(
            s,
            h.detail_focus,
            (
                // What a forwarded request got came from the app.
                if x.origin == crate::exchange::Origin::Forwarded {
                    " Response · the app's answer ".into()
                } else {
                    " Response ".into()
                },
                head,
                x.response.as_ref().map(|_| &open.response_body),
            ),
            h.response_scroll,
            resp,
            buf,
        );
    } else {
        let block = pane_block(" Record ", false);
        let inner = block.inner(detail);
        block.render(detail, buf);
        let msg = if h.rows.is_empty() && !h.loading {
            "no records: fire a profile (1, then f), or import deliveries with hookbench import"
        } else {
            "select a record"
        };
        buf.set_stringn(inner.x + 1, inner.y, msg, inner.width as usize - 1, dim());
    }
}

/// What the signature check of a received request found, for the inspector.
fn verdict_lines(v: Option<&crate::signing::Verdict>) -> Vec<Line<'static>> {
    use crate::signing::Verdict;
    let ok = Style::default()
        .fg(Color::Green)
        .add_modifier(Modifier::BOLD);
    let bad = error_style().add_modifier(Modifier::BOLD);
    match v {
        None => Vec::new(),
        Some(Verdict::Valid) => vec![Line::styled("signature: valid", ok)],
        Some(Verdict::Missing) => vec![Line::styled(
            "signature: missing (no webhook-signature, id or timestamp)",
            bad,
        )],
        Some(Verdict::Expired { skew_secs }) => vec![Line::styled(
            format!(
                "signature: valid, but {} (outside 5 minutes)",
                crate::signing::skew_text(*skew_secs)
            ),
            bad,
        )],
        Some(Verdict::Invalid(e)) => vec![
            Line::styled(format!("signature: INVALID · {}", e.likely_cause), bad),
            Line::styled(
                format!("  signed content: {}", e.signed_content_short(200)),
                dim(),
            ),
            Line::styled(format!("  expected: {}", e.expected.join(" ")), dim()),
            Line::styled(format!("  received: {}", e.received.join(" ")), dim()),
        ],
    }
}

fn render_chart(s: &State, area: Rect, buf: &mut Buffer) {
    let b = &s.history.buckets;
    if b.is_empty() || area.height < 2 {
        return;
    }
    let label = 10u16;
    buf.set_string(area.x + 1, area.y, "ok", Style::default().fg(Color::Green));
    buf.set_string(
        area.x + 1,
        area.y + 1,
        "failed",
        Style::default().fg(Color::Red),
    );
    let width = (area.width.saturating_sub(label + 1) as usize).min(BUCKETS * 2);
    let per = (width / b.len().max(1)).max(1);
    let max = b
        .iter()
        .map(|x| x.ok.max(x.failed))
        .max()
        .unwrap_or(1)
        .max(1);
    let bar = |n: u64| {
        if n == 0 {
            ' '
        } else {
            BARS[((n * 7).div_ceil(max) as usize).min(7)]
        }
    };
    for (i, x) in b.iter().enumerate() {
        let (ok, failed) = (&x.ok, &x.failed);
        for k in 0..per {
            let x = area.x + label + (i * per + k) as u16;
            if x >= area.right() {
                break;
            }
            buf[(x, area.y)].set_char(bar(*ok)).set_fg(Color::Green);
            buf[(x, area.y + 1)]
                .set_char(bar(*failed))
                .set_fg(Color::Red);
        }
    }
    if let (Some(first), Some(last)) = (b.first(), b.last()) {
        let span = format!(
            " {} … {}",
            clock::rfc3339(clock::from_unix_millis(first.start_ms)).replace('T', " "),
            clock::rfc3339(clock::from_unix_millis(last.end_ms)).replace('T', " ")
        );
        let x = area.x + label + (b.len() * per) as u16 + 1;
        if x + 10 < area.right() {
            buf.set_stringn(x, area.y, span, (area.right() - x) as usize, dim());
        }
    }
}

fn render_table(s: &State, area: Rect, buf: &mut Buffer) {
    let h = &s.history;
    let focused = !h.detail_focus;
    let block = pane_block(" History · newest first ", focused);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 {
        return;
    }
    // The Receiver view has no profiles to show: each request's signature
    // verdict (this session's checks) takes their column.
    let receiver = s.ui.view == crate::tui::state::View::Receiver;
    // Narrow: shorter time, origin and profile, no milliseconds and the
    // path alone (the host is in the inspector), so the path still shows.
    let narrow = inner.width < 110;
    let (time_w, origin_w, third_w) = if narrow { (14, 9, 10) } else { (19, 11, 16) };
    let header = format!(
        "  {:>6}  {:<time_w$}  {:<origin_w$}  {:<third_w$}  {:<6}  {:>8}  {}{}",
        "ID",
        if narrow { "TIME" } else { "TIME (UTC)" },
        "ORIGIN",
        if receiver { "SIGNATURE" } else { "PROFILE" },
        "METHOD",
        "STATUS",
        if narrow { "" } else { "    MS  " },
        if narrow { "PATH" } else { "HOST AND PATH" }
    );
    buf.set_stringn(
        inner.x,
        inner.y,
        header,
        inner.width as usize,
        dim().add_modifier(Modifier::BOLD),
    );
    let rows_height = inner.height.saturating_sub(1) as usize;
    let offset = super::list_offset(h.selected, rows_height);
    for (row, (i, r)) in h
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows_height)
        .enumerate()
    {
        let time = clock::rfc3339(clock::from_unix_millis(r.started_ms)).replace('T', " ");
        let origin = r.origin_label();
        let outcome = match r.error_kind.as_deref() {
            Some("connection_refused") => "refused".to_string(),
            _ => r.outcome_label(),
        };
        // A delivery of several attempts says how many; one resolved by
        // hand says so.
        let outcome = match (
            if r.nested { 1 } else { r.attempts },
            r.failed && r.resolved,
        ) {
            (n, true) if n > 1 => format!("✓{outcome}×{n}"),
            (_, true) => format!("✓{outcome}"),
            (n, false) if n > 1 => format!("{outcome}×{n}"),
            _ => outcome,
        };
        let outcome = clip(&outcome, 8);
        // ▸ a delivery of several attempts (Enter lists them), ▾ listed,
        // ↳ an earlier attempt under it.
        let mark = if h.mark == Some(r.id) {
            "◆ "
        } else if r.nested {
            " ↳"
        } else if r.attempts > 1 && h.expanded.contains(&r.root) {
            "▾ "
        } else if r.attempts > 1 {
            "▸ "
        } else {
            "  "
        };
        let third: std::borrow::Cow<str> = match (receiver, s.receiver.verdicts.get(&r.id)) {
            (true, Some(v)) => v.as_str().into(),
            (true, None) => "not checked".into(),
            // PROFILE@ENV when it was sent in an environment.
            (false, _) => match (&r.profile, &r.env) {
                (Some(p), Some(e)) => format!("{p}@{e}").into(),
                (Some(p), None) => p.as_str().into(),
                (None, _) => "-".into(),
            },
        };
        let time = if narrow {
            time.get(5..19).unwrap_or(&time)
        } else {
            &time[..19.min(time.len())]
        };
        let ms = if narrow {
            String::new()
        } else {
            format!("{:>6}  ", r.elapsed_ms)
        };
        let text = format!(
            "{mark}{:>6}  {:<time_w$}  {:<origin_w$}  {:<third_w$}  {:<6}  {:>8}  {ms}{}{}",
            r.id,
            time,
            clip(&origin, origin_w),
            clip(&third, third_w),
            clip(&r.method, 6),
            outcome,
            if narrow { "" } else { r.host.as_str() },
            r.path
        );
        let mut style = if r.failed && !r.resolved {
            error_style()
        } else {
            Style::default()
        };
        if r.nested {
            style = style.add_modifier(Modifier::DIM);
        }
        if i == h.selected {
            style = style.add_modifier(if focused {
                Modifier::REVERSED
            } else {
                Modifier::BOLD
            });
        }
        buf.set_stringn(
            inner.x,
            inner.y + 1 + row as u16,
            text,
            inner.width as usize,
            style,
        );
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn change_line(c: &Change) -> Line<'static> {
    let (style, text) = match c {
        Change::Added { .. } => (Style::default().fg(Color::Green), c.to_string()),
        Change::Removed { .. } => (Style::default().fg(Color::Red), c.to_string()),
        Change::Changed { .. } => (Style::default().fg(Color::Yellow), c.to_string()),
    };
    Line::styled(format!("    {text}"), style)
}

fn render_compare(s: &State, c: &CompareView, area: Rect, buf: &mut Buffer) {
    let label = |r: &crate::history::Record| {
        let x = &r.exchange;
        let outcome = match (&x.response, &x.error) {
            (_, Some(e)) => e.kind.as_str().to_string(),
            (Some(resp), None) => format!("{} {}", resp.status, resp.reason),
            _ => "-".into(),
        };
        let env = x
            .env
            .as_ref()
            .map(|e| format!(" in {e}"))
            .unwrap_or_default();
        format!("#{}{env} ({}, {outcome})", r.id, x.origin)
    };
    let title = format!(
        " Compare {} ↔ {} · Esc closes ",
        label(&c.left),
        label(&c.right)
    );
    let block = pane_block(title, s.history.detail_focus);
    let inner = block.inner(area);
    block.render(area, buf);
    let d = &c.diff;
    let mut lines: Vec<Line<'static>> = Vec::new();
    let section = |lines: &mut Vec<Line<'static>>, name: &str, changes: &[Change]| {
        let head = if changes.is_empty() {
            Line::from(vec![
                Span::styled(
                    format!("{name}: "),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
                Span::styled("same", dim()),
            ])
        } else {
            Line::styled(
                format!("{name}: {} difference(s)", changes.len()),
                Style::default().add_modifier(Modifier::BOLD),
            )
        };
        lines.push(head);
        lines.extend(changes.iter().map(change_line));
    };
    section(&mut lines, "request line", &d.request_line);
    section(&mut lines, "request headers", &d.request_headers);
    section(&mut lines, "request body", &d.request_body);
    section(&mut lines, "outcome", &d.outcome);
    section(&mut lines, "response headers", &d.response_headers);
    section(&mut lines, "response body", &d.response_body);
    // The verdict `hookbench compare` exits with.
    lines.push(
        match crate::diff::verdict(&c.left.exchange, &c.right.exchange, d) {
            Ok(()) => Line::styled(
                "same: one outcome class, equal response bodies",
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Err(why) => Line::styled(
                format!("different: {}", why.join("; ")),
                Style::default().add_modifier(Modifier::BOLD),
            ),
        },
    );
    lines.push(Line::styled(
        "left → right: ~ changed · - only on the left · + only on the right (date and length headers left out)",
        dim(),
    ));
    let scroll = s.history.compare_scroll.min(lines.len().saturating_sub(1));
    for (row, line) in lines
        .iter()
        .skip(scroll)
        .take(inner.height as usize)
        .enumerate()
    {
        buf.set_line(
            inner.x + 1,
            inner.y + row as u16,
            line,
            inner.width.saturating_sub(1),
        );
    }
}
