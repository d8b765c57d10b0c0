//! A hidden one-line prompt on the terminal, for `secret set`.

use std::io::Write;

/// Reads a line from the terminal without echoing it. `None` on Ctrl-C or
/// Esc. The terminal is left in its normal mode whatever happens.
pub fn read_hidden(prompt: &str) -> std::io::Result<Option<String>> {
    use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
    use ratatui::crossterm::terminal;

    let mut err = std::io::stderr();
    write!(err, "{prompt}")?;
    err.flush()?;
    terminal::enable_raw_mode()?;
    let result = (|| -> std::io::Result<Option<String>> {
        let mut value = String::new();
        loop {
            match event::read()? {
                Event::Key(k) if k.kind != KeyEventKind::Release => match k.code {
                    KeyCode::Enter => return Ok(Some(value)),
                    KeyCode::Esc => return Ok(None),
                    KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                        return Ok(None);
                    }
                    KeyCode::Backspace => {
                        value.pop();
                    }
                    KeyCode::Char(c) => value.push(c),
                    _ => {}
                },
                Event::Paste(text) => value.push_str(&text),
                _ => {}
            }
        }
    })();
    let _ = terminal::disable_raw_mode();
    writeln!(err)?;
    result
}
