//! The profile form, and the JSON editor when the payload or the sample
//! event is being edited.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::{dim, error_style, list_offset, pane_block};
use crate::tui::draft::{AuthKind, Draft, Field, SigningKind};
use crate::tui::state::{EntryKind, JsonTarget, Mode, Pane, State};
use crate::wire::is_credential_name;

const LABEL: usize = 11;

pub fn render(s: &State, area: Rect, buf: &mut Buffer) {
    if let Mode::EditJson { target, area: text } = &s.ui.mode {
        render_json(s, target, text, area, buf);
        return;
    }
    let focused = s.ui.focus == Pane::Editor;
    let title = match s.current() {
        Some(e) => format!(
            " Editor · {}{} ",
            e.path.file_name().unwrap_or_default().to_string_lossy(),
            if s.bench.unsaved(e) { " (unsaved)" } else { "" }
        ),
        None => " Editor ".into(),
    };
    let block = pane_block(title, focused);
    let inner = block.inner(area);
    block.render(area, buf);
    let Some(entry) = s.current() else {
        buf.set_string(inner.x + 1, inner.y, "select or create a profile", dim());
        return;
    };
    let draft = match &entry.kind {
        EntryKind::Ok { draft, .. } => draft,
        EntryKind::Broken(d) => {
            Paragraph::new(vec![
                Line::styled("this file does not parse:", error_style()),
                Line::raw(""),
                Line::styled(d.to_string(), error_style()),
                Line::raw(""),
                Line::styled(
                    "Fix it in an editor; it stays listed until then, and nothing else is affected.",
                    dim(),
                ),
            ])
            .wrap(Wrap { trim: false })
            .render(inner, buf);
            return;
        }
    };

    let errors = s.bench.field_errors();
    // Rows, each followed by its inline errors.
    let mut lines: Vec<(Option<usize>, Line)> = Vec::new();
    let mut selected_line = 0;
    for (i, field) in draft.rows().into_iter().enumerate() {
        if i == s.bench.editor_row {
            selected_line = lines.len();
        }
        lines.push((
            Some(i),
            row_line(s, draft, field, i == s.bench.editor_row && focused),
        ));
        for (_, msg) in errors.iter().filter(|(f, _)| *f == Some(field)) {
            lines.push((
                None,
                Line::from(vec![
                    Span::raw(" ".repeat(LABEL + 1)),
                    Span::styled(format!("↳ {msg}"), error_style()),
                ]),
            ));
        }
    }
    let height = inner.height as usize;
    let offset = list_offset(selected_line + 1, height).min(lines.len().saturating_sub(height));
    for (row, (idx, line)) in lines.iter().skip(offset).take(height).enumerate() {
        let y = inner.y + row as u16;
        buf.set_line(inner.x, y, line, inner.width);
        // The field being typed in shows its text area over the value.
        if let (Some(i), Mode::EditLine { area: text, .. }) = (idx, &s.ui.mode)
            && *i == s.bench.editor_row
        {
            let x = inner.x + LABEL as u16 + 1;
            let r = Rect::new(x, y, inner.width.saturating_sub(LABEL as u16 + 1), 1);
            for cx in r.x..r.right() {
                buf[(cx, y)].reset();
            }
            super::render_text(s, text, r, buf);
        }
    }
}

fn shown_secret(s: &State, value: &str) -> String {
    if s.ui.reveal || value.is_empty() || value.contains("{{") {
        value.to_string()
    } else {
        "•".repeat(value.chars().count().min(12))
    }
}

fn row_line<'a>(s: &State, d: &'a Draft, field: Field, selected: bool) -> Line<'a> {
    let check = |on: bool| if on { "[x] " } else { "[ ] " };
    let value: Vec<Span> = match field {
        Field::Name => vec![Span::raw(d.name.clone())],
        Field::Method => vec![
            Span::styled("◀ ", dim()),
            Span::styled(
                d.method.as_str(),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::styled(" ▶", dim()),
        ],
        Field::Url => vec![Span::raw(d.url.clone())],
        Field::Auth => vec![
            Span::styled("◀ ", dim()),
            Span::raw(d.auth.label()),
            Span::styled(" ▶", dim()),
            Span::styled(
                match d.auth {
                    AuthKind::None => "",
                    AuthKind::Basic => "   Authorization: Basic …",
                    AuthKind::Token => "   <header>: <scheme> <token>",
                },
                dim(),
            ),
        ],
        Field::Username => vec![Span::raw(d.username.clone())],
        Field::Password => vec![Span::raw(shown_secret(s, &d.password))],
        Field::Token => vec![Span::raw(shown_secret(s, &d.token))],
        Field::TokenHeader => vec![Span::raw(d.token_header.clone())],
        Field::TokenScheme => vec![if d.token_scheme.is_empty() {
            Span::styled("(none)", dim())
        } else {
            Span::raw(d.token_scheme.clone())
        }],
        Field::Headers => vec![Span::styled(
            format!(
                "{} · a add · x remove · K/J move · Space on/off",
                d.headers.len()
            ),
            dim(),
        )],
        Field::Header(i) => {
            let h = &d.headers[i];
            let value = if is_credential_name(&h.name) {
                shown_secret(s, &h.value)
            } else {
                h.value.clone()
            };
            let style = if h.enabled { Style::default() } else { dim() };
            vec![
                Span::styled(check(h.enabled), dim()),
                Span::styled(format!("{}: ", h.name), style.add_modifier(Modifier::BOLD)),
                Span::styled(value, style),
            ]
        }
        Field::IncludeTrigger => vec![
            Span::raw(check(d.include_trigger)),
            Span::styled("send the trigger event, payload on top", dim()),
        ],
        Field::Variables => {
            let one_line: String = d.variables.split_whitespace().collect::<Vec<_>>().join(" ");
            if one_line.is_empty() {
                vec![Span::styled(
                    "{}   defaults of {{var.NAME}} · Enter edits",
                    dim(),
                )]
            } else {
                vec![Span::raw(one_line)]
            }
        }
        Field::Payload => {
            let one_line: String = d.payload.split_whitespace().collect::<Vec<_>>().join(" ");
            if one_line.is_empty() {
                vec![Span::styled("{}   Enter edits the JSON", dim())]
            } else {
                vec![Span::raw(one_line)]
            }
        }
        Field::Event => {
            let dirty = s
                .bench
                .event_path()
                .and_then(|p| s.bench.events.get(&p))
                .is_some_and(|doc| doc.dirty());
            vec![
                match &d.event {
                    Some(e) => Span::raw(format!("{e}{}", if dirty { " *" } else { "" })),
                    None if d.sample_event.is_some() => Span::raw("(inline in the profile)"),
                    None => Span::styled("(none)", dim()),
                },
                Span::styled("   Enter pick · c compose · e $EDITOR", dim()),
            ]
        }
        Field::Timeout => vec![Span::raw(d.timeout.clone())],
        Field::FollowRedirects => vec![
            Span::raw(check(d.follow_redirects)),
            Span::styled(
                "follow redirects (credentials never go to another host)",
                dim(),
            ),
        ],
        Field::Insecure => vec![
            Span::raw(check(d.insecure)),
            if d.insecure {
                Span::styled(
                    "accept any certificate (test servers only)",
                    Style::default().fg(Color::Yellow),
                )
            } else {
                Span::styled("accept any certificate (test servers only)", dim())
            },
        ],
        Field::Signing => vec![
            Span::styled("◀ ", dim()),
            Span::raw(d.signing.label()),
            Span::styled(" ▶", dim()),
            Span::styled(
                match d.signing {
                    SigningKind::None => "",
                    SigningKind::StandardWebhooks => "   webhook-id, -timestamp, -signature",
                    SigningKind::Hmac => "   one header: HMAC-SHA256 of the body",
                    SigningKind::Stripe => "   Stripe-Signature: t=…,v1=… over t.body",
                    SigningKind::GitHub => "   X-Hub-Signature-256: sha256=… (hex)",
                    SigningKind::Shopify => "   X-Shopify-Hmac-Sha256 (base64)",
                    SigningKind::Slack => "   X-Slack-Signature: v0=… with its timestamp",
                },
                dim(),
            ),
        ],
        Field::SigningSecret => vec![Span::raw(shown_secret(s, &d.signing_secret))],
        Field::HmacHeader => vec![Span::raw(d.hmac.0.clone())],
        Field::HmacPrefix => vec![if d.hmac.1.is_empty() {
            Span::styled("(none)", dim())
        } else {
            Span::raw(d.hmac.1.clone())
        }],
        Field::HmacEncoding => vec![
            Span::styled("◀ ", dim()),
            Span::raw(match d.hmac.2 {
                crate::signing::Encoding::Hex => "hex",
                crate::signing::Encoding::Base64 => "base64",
            }),
            Span::styled(" ▶", dim()),
        ],
        Field::Retry => {
            if d.retry.trim().is_empty() {
                vec![Span::styled("(none)   e.g. 5 exp 500..30000 jitter", dim())]
            } else {
                vec![Span::raw(d.retry.clone())]
            }
        }
    };
    let label_style = if selected {
        Style::default().fg(Color::Black).bg(Color::Cyan)
    } else {
        Style::default().fg(Color::Gray)
    };
    let label = if let Field::Header(i) = field {
        format!("  #{}", i + 1)
    } else {
        field.label().to_string()
    };
    let mut spans = vec![
        Span::styled(format!("{label:<LABEL$}"), label_style),
        Span::raw(" "),
    ];
    spans.extend(value);
    Line::from(spans)
}

pub fn render_json(
    s: &State,
    target: &JsonTarget,
    text: &ratatui_textarea::TextArea<'static>,
    area: Rect,
    buf: &mut Buffer,
) {
    let (title, problem) = match target {
        JsonTarget::Payload => (
            " Payload (JSON) · Esc leaves · Ctrl-s saves · Ctrl-e $EDITOR ".to_string(),
            s.bench
                .field_errors()
                .into_iter()
                .find(|(f, _)| *f == Some(Field::Payload))
                .map(|(_, m)| m),
        ),
        JsonTarget::Variables => (
            " Variables: {\"NAME\": \"value\"} · Esc leaves · Ctrl-s saves ".to_string(),
            s.bench
                .field_errors()
                .into_iter()
                .find(|(f, _)| *f == Some(Field::Variables))
                .map(|(_, m)| m),
        ),
        JsonTarget::Event(p) => (
            format!(
                " Event {} · Esc leaves · Ctrl-s saves · Ctrl-n save as new ",
                p.file_name().unwrap_or_default().to_string_lossy()
            ),
            s.bench
                .events
                .get(p)
                .and_then(|d| d.parsed.as_ref().err().cloned()),
        ),
        JsonTarget::SampleEvent => (
            " Sample event, inline in the profile · Esc leaves · Ctrl-s saves · Ctrl-e $EDITOR "
                .to_string(),
            s.bench
                .field_errors()
                .into_iter()
                .find(|(f, _)| *f == Some(Field::Event))
                .map(|(_, m)| m),
        ),
        JsonTarget::Replay(id) => (
            format!(
                " Replay #{id} with changes · METHOD URL, headers, blank line, body · Ctrl-s sends · Esc leaves "
            ),
            crate::wire::PreparedRequest::from_text(&text.lines().join("\n")).err(),
        ),
        JsonTarget::ProfileFile(p) | JsonTarget::EnvironmentFile(p) => {
            (format!(" {} ", p.display()), None)
        }
    };
    let block = pane_block(title, true);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height < 2 {
        return;
    }
    let text_area = Rect::new(inner.x, inner.y, inner.width, inner.height - 1);
    super::render_text(s, text, text_area, buf);
    let (msg, style) = match problem {
        Some(m) => (m, error_style()),
        None if matches!(target, JsonTarget::Replay(_)) => (
            "ready to send".to_string(),
            Style::default().fg(Color::Green),
        ),
        None if matches!(target, JsonTarget::Replay(_)) => (
            "ready to send".to_string(),
            Style::default().fg(Color::Green),
        ),
        None => ("valid JSON".to_string(), Style::default().fg(Color::Green)),
    };
    buf.set_stringn(
        inner.x,
        inner.bottom() - 1,
        msg,
        inner.width as usize,
        style,
    );
}
