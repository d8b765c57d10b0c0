//! The key table as a session has it: the bindings of `keys.rs`, with the
//! keys of some actions moved (`config.ron`'s `keys`), and the names and
//! key words `config.ron` is written in.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::keys::{Action, BINDINGS, Binding, Scope, key_label, matches, short};

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;

use KeyCode::{
    BackTab, Char, Delete as Del, Down, End, Enter, Esc, Home, Left, PageDown, PageUp, Right, Tab,
    Up,
};

/// A key as configured: its code and modifiers.
pub type KeySpec = (KeyCode, KeyModifiers);

/// The key table as this session has it: the bindings, with the keys of
/// some actions replaced (`config.ron`'s `keys`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyMap {
    overrides: std::collections::HashMap<Action, Vec<KeySpec>>,
}

impl KeyMap {
    /// Replaces the keys of `action` wherever it is bound; a key that
    /// another action has in one of those scopes is refused, with both
    /// named.
    pub fn set(&mut self, action: Action, keys: Vec<KeySpec>) -> Result<(), String> {
        for b in BINDINGS.iter().filter(|b| b.action == action) {
            for k in &keys {
                if let Some(other) = BINDINGS.iter().find(|o| {
                    overlap(o.scope, b.scope)
                        && o.action != action
                        && self.keys_of(o).iter().any(|ok| ok == k)
                }) {
                    return Err(format!(
                        "`{}` is {}'s key in {} already: give it another, or move that one too",
                        key_label(k),
                        other.action.name(),
                        b.scope.title()
                    ));
                }
            }
        }
        self.overrides.insert(action, keys);
        Ok(())
    }

    /// The keys of a binding, as configured.
    pub fn keys_of<'a>(&'a self, b: &'a Binding) -> &'a [KeySpec] {
        self.overrides.get(&b.action).map_or(b.keys, Vec::as_slice)
    }

    /// The action of a key in a scope; Global bindings apply in the pane
    /// scopes.
    pub fn lookup(&self, scope: Scope, key: &KeyEvent) -> Option<Action> {
        let find = |s: Scope| {
            BINDINGS
                .iter()
                .filter(|b| b.scope == s)
                .find(|b| self.keys_of(b).iter().any(|k| matches(k, key)))
                .map(|b| b.action)
        };
        match scope {
            Scope::Text | Scope::Json | Scope::Confirm => find(scope),
            Scope::Profiles | Scope::Editor | Scope::Inspector => find(scope)
                .or_else(|| find(Scope::Workbench))
                .or_else(|| find(Scope::Global)),
            _ => find(scope).or_else(|| find(Scope::Global)),
        }
    }

    /// All keys of a binding, joined: `k/↑`.
    pub fn label(&self, b: &Binding) -> String {
        self.keys_of(b)
            .iter()
            .map(key_label)
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Short hints for the status bar: the first key of chosen actions.
    pub fn hints(&self, scope: Scope, actions: &[Action]) -> String {
        actions
            .iter()
            .filter_map(|a| {
                let find = |s: Scope| BINDINGS.iter().find(|b| b.action == *a && b.scope == s);
                let b = find(scope)
                    .or_else(|| find(Scope::Workbench))
                    .or_else(|| find(Scope::Global))?;
                let first = self.keys_of(b).first()?;
                Some(format!("{} {}", key_label(first), short(b.action, b.help)))
            })
            .collect::<Vec<_>>()
            .join("  ")
    }
}

/// Whether a key in one scope can reach the other's action: the same
/// scope, or one that falls back to the other (a pane to the Workbench,
/// every view to Global).
fn overlap(a: Scope, b: Scope) -> bool {
    let typing = |s: Scope| matches!(s, Scope::Text | Scope::Json | Scope::Confirm);
    let pane = |s: Scope| matches!(s, Scope::Profiles | Scope::Editor | Scope::Inspector);
    a == b
        || (a == Scope::Global && !typing(b))
        || (b == Scope::Global && !typing(a))
        || (a == Scope::Workbench && pane(b))
        || (b == Scope::Workbench && pane(a))
}

impl Action {
    /// Its name in `config.ron`: `fire`, `copy-curl`, `view-history`.
    pub fn name(self) -> String {
        let mut out = String::new();
        for (i, c) in format!("{self:?}").chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    }

    /// The action of a name, among those the key table binds.
    pub fn named(name: &str) -> Option<Action> {
        BINDINGS.iter().map(|b| b.action).find(|a| a.name() == name)
    }
}

/// A key as written in `config.ron`: `f`, `F` (shifted), `Ctrl-s`, `F5`,
/// `Enter`, `Esc`, `Tab`, `Space`, `Up`, `PgDn`, `Home`, `Del`...
pub fn parse_key(s: &str) -> Result<KeySpec, String> {
    let (mods, base) = match s.strip_prefix("Ctrl-").or_else(|| s.strip_prefix("ctrl-")) {
        Some(rest) => (CTRL, rest),
        None => (NONE, s),
    };
    let code = match base {
        "Space" => Char(' '),
        "Tab" => Tab,
        "Shift-Tab" | "BackTab" => return Ok((BackTab, SHIFT)),
        "Enter" => Enter,
        "Esc" => Esc,
        "Up" | "↑" => Up,
        "Down" | "↓" => Down,
        "Left" | "←" => Left,
        "Right" | "→" => Right,
        "PgUp" | "PageUp" => PageUp,
        "PgDn" | "PageDown" => PageDown,
        "Home" => Home,
        "End" => End,
        "Del" | "Delete" => Del,
        f if f.len() >= 2
            && f.starts_with('F')
            && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
        {
            KeyCode::F(f[1..].parse().expect("checked"))
        }
        c if c.chars().count() == 1 => {
            let ch = c.chars().next().expect("one char");
            let mods = if ch.is_ascii_uppercase() {
                mods | SHIFT
            } else {
                mods
            };
            return Ok((Char(ch), mods));
        }
        other => {
            return Err(format!(
                "`{other}` is not a key: write a character (f, F), Ctrl-x, F1..F12, Enter, Esc, Tab, Space, Up, Down, Left, Right, PgUp, PgDn, Home, End or Del"
            ));
        }
    };
    Ok((code, mods))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn pane_scope_falls_back_to_global() {
        assert_eq!(
            KeyMap::default().lookup(Scope::Profiles, &key(Char('j'), NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            KeyMap::default().lookup(Scope::Profiles, &key(Char('f'), NONE)),
            Some(Action::Fire)
        );
        assert_eq!(
            KeyMap::default().lookup(Scope::Editor, &key(Char('x'), NONE)),
            Some(Action::RemoveHeader)
        );
        assert_eq!(
            KeyMap::default().lookup(Scope::Profiles, &key(Char('x'), NONE)),
            Some(Action::Delete)
        );
        assert_eq!(
            KeyMap::default().lookup(Scope::Editor, &key(Char('K'), SHIFT)),
            Some(Action::MoveUp)
        );
        assert_eq!(
            KeyMap::default().lookup(Scope::Editor, &key(Char('s'), CTRL)),
            Some(Action::Save)
        );
    }

    #[test]
    fn text_scopes_never_see_commands() {
        assert_eq!(
            KeyMap::default().lookup(Scope::Text, &key(Char('q'), NONE)),
            None
        );
        assert_eq!(
            KeyMap::default().lookup(Scope::Text, &key(Char('f'), NONE)),
            None
        );
        assert_eq!(
            KeyMap::default().lookup(Scope::Json, &key(Char('e'), NONE)),
            None
        );
        assert_eq!(
            KeyMap::default().lookup(Scope::Json, &key(Char('e'), CTRL)),
            Some(Action::ExternalEditor)
        );
    }

    #[test]
    fn keys_are_moved_by_name_and_a_taken_key_is_refused() {
        let mut m = KeyMap::default();
        assert_eq!(Action::named("copy-curl"), Some(Action::CopyCurl));
        assert_eq!(Action::named("nope"), None);
        m.set(Action::Fire, vec![parse_key("F5").unwrap()]).unwrap();
        assert_eq!(
            m.lookup(Scope::Profiles, &key(KeyCode::F(5), NONE)),
            Some(Action::Fire)
        );
        assert_eq!(m.lookup(Scope::Profiles, &key(Char('f'), NONE)), None);
        let e = m
            .set(Action::Fire, vec![parse_key("q").unwrap()])
            .unwrap_err();
        assert!(e.contains("`q` is quit's key"), "{e}");
        assert_eq!(parse_key("Ctrl-s").unwrap(), (Char('s'), CTRL));
        assert_eq!(parse_key("G").unwrap(), (Char('G'), SHIFT));
        assert!(parse_key("Hyper-x").is_err());
        assert!(parse_key("F13").is_err());
    }
}
