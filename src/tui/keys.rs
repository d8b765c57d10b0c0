//! The one key table: it drives dispatch and the help overlay alike.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Anywhere no text is being edited.
    Global,
    /// Any pane of the Workbench view.
    Workbench,
    Profiles,
    Editor,
    /// The request and response panes.
    Inspector,
    /// While typing in a field (one line or JSON).
    Text,
    /// While editing JSON (payload or sample event).
    Json,
    /// The History view.
    History,
    /// A question asked (delete, quit, bulk replay): any key not bound
    /// here says no.
    Confirm,
}

impl Scope {
    pub fn title(self) -> &'static str {
        match self {
            Scope::Global => "Anywhere (every view)",
            Scope::Workbench => "Workbench view (any pane)",
            Scope::Profiles => "Profiles",
            Scope::Editor => "Editor",
            Scope::Inspector => "Request / Response",
            Scope::Text => "Typing in a field",
            Scope::Json => "Editing JSON",
            Scope::History => "History",
            Scope::Confirm => "Answering a question",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    NextPane,
    PrevPane,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Enter,
    Toggle,
    Escape,
    Fire,
    Save,
    CopyCurl,
    /// Copy the response body, as the pane shows it.
    CopyBody,
    Reveal,
    /// Wrap long lines, or cut them.
    Wrap,
    /// Every status message of the session.
    Messages,
    /// The focused pane over the whole screen, or back.
    Zoom,
    NewProfile,
    Duplicate,
    Share,
    ImportProfile,
    Rename,
    Delete,
    AddHeader,
    RemoveHeader,
    MoveUp,
    MoveDown,
    ExternalEditor,
    ComposeEvent,
    Search,
    SearchNext,
    SearchPrev,
    /// Write the response body to a file.
    SaveBody,
    /// Read the profiles folder again.
    Reload,
    /// Set a secret the profile needs in the store.
    SetSecret,
    /// Mark a delivery resolved by hand, or open again.
    Resolve,
    /// Text: keep what was typed and leave the field.
    Commit,
    /// JSON: save the sample event being edited as a new file.
    SaveAs,
    ViewWorkbench,
    ViewHistory,
    ViewReceiver,
    FilterFailed,
    FilterStatus,
    FilterTime,
    FilterProfile,
    Replay,
    ReplayEdited,
    BulkReplay,
    Compare,
    /// Pick the environment the Workbench renders in.
    Environment,
    /// Send the profile in two environments and compare.
    CompareEnvironments,
    FilterEnv,
    ReceiverToggle,
    ReceiverAnswer,
    ReceiverSecrets,
    /// Confirm: yes.
    Yes,
    /// Confirm (quitting): save everything, then quit.
    SaveAllQuit,
    /// Confirm (bulk replay): one more, one fewer request in flight.
    MoreConcurrency,
    LessConcurrency,
    /// Confirm (bulk replay): the next higher or lower rate limit.
    FasterRate,
    SlowerRate,
}

pub struct Binding {
    pub scope: Scope,
    pub keys: &'static [(KeyCode, KeyModifiers)],
    pub action: Action,
    pub help: &'static str,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;

macro_rules! b {
    ($scope:ident, [$($k:expr),+], $action:ident, $help:literal) => {
        Binding { scope: Scope::$scope, keys: &[$($k),+], action: Action::$action, help: $help }
    };
}

use KeyCode::{
    BackTab, Char, Delete as Del, Down, End, Enter, Esc, Home, Left, PageDown, PageUp, Right, Tab,
    Up,
};

/// Every binding. Order is the order of the help overlay.
pub static BINDINGS: &[Binding] = &[
    b!(Global, [(Char('?'), NONE)], Help, "help: this list"),
    b!(
        Global,
        [(Char('q'), NONE), (Char('c'), CTRL)],
        Quit,
        "quit (asks when there are unsaved changes)"
    ),
    b!(
        Global,
        [(Char('y'), NONE)],
        CopyCurl,
        "copy the request as a curl command (clipboard)"
    ),
    b!(
        Global,
        [(Char('Y'), SHIFT)],
        CopyBody,
        "copy the response body, as shown (clipboard)"
    ),
    b!(
        Global,
        [(Char('v'), NONE)],
        Reveal,
        "reveal or mask credentials"
    ),
    b!(
        Global,
        [(Char('L'), SHIFT)],
        Messages,
        "the message log: every status message, whole"
    ),
    b!(
        Global,
        [(Char('w'), NONE)],
        Wrap,
        "wrap long lines, or cut them at the edge"
    ),
    b!(
        Global,
        [(Char('z'), NONE)],
        Zoom,
        "zoom: the focused pane (or record) fills the screen"
    ),
    b!(
        Global,
        [(Char('1'), NONE)],
        ViewWorkbench,
        "the Workbench view"
    ),
    b!(Global, [(Char('2'), NONE)], ViewHistory, "the History view"),
    b!(
        Global,
        [(Char('3'), NONE)],
        ViewReceiver,
        "the Receiver view (what the receiver captured)"
    ),
    b!(Workbench, [(Tab, NONE)], NextPane, "next pane"),
    b!(Workbench, [(BackTab, SHIFT)], PrevPane, "previous pane"),
    b!(
        Workbench,
        [(Char('f'), NONE)],
        Fire,
        "fire the selected profile"
    ),
    b!(
        Workbench,
        [(Esc, NONE)],
        Escape,
        "cancel the request; clear the search; to the list"
    ),
    b!(
        Workbench,
        [(Char('s'), CTRL)],
        Save,
        "save the profile (atomic write)"
    ),
    b!(
        Workbench,
        [(Char('k'), CTRL)],
        SetSecret,
        "set a secret the profile needs (typed masked)"
    ),
    b!(
        Workbench,
        [(Char('E'), SHIFT)],
        Environment,
        "environment: pick (n new, e edit in $EDITOR)"
    ),
    b!(
        Workbench,
        [(Char('C'), SHIFT)],
        CompareEnvironments,
        "send in this and another environment, compare"
    ),
    b!(
        Profiles,
        [(Up, NONE), (Char('k'), NONE)],
        Up,
        "previous profile"
    ),
    b!(
        Profiles,
        [(Down, NONE), (Char('j'), NONE)],
        Down,
        "next profile"
    ),
    b!(
        Profiles,
        [(Home, NONE), (Char('g'), NONE)],
        Top,
        "first profile"
    ),
    b!(
        Profiles,
        [(End, NONE), (Char('G'), SHIFT)],
        Bottom,
        "last profile"
    ),
    b!(
        Profiles,
        [(Enter, NONE), (Right, NONE), (Char('l'), NONE)],
        Enter,
        "edit the profile"
    ),
    b!(Profiles, [(Char('n'), NONE)], NewProfile, "new profile"),
    b!(Profiles, [(Char('d'), NONE)], Duplicate, "duplicate"),
    b!(Profiles, [(Char('r'), NONE)], Rename, "rename"),
    b!(
        Profiles,
        [(Char('S'), SHIFT)],
        Share,
        "share: a copy with credentials as {{secret.NAME}}"
    ),
    b!(
        Profiles,
        [(Char('i'), NONE)],
        ImportProfile,
        "import a profile file (or paste a curl command)"
    ),
    b!(
        Profiles,
        [(Char('x'), NONE), (Del, NONE)],
        Delete,
        "delete (asks first)"
    ),
    b!(
        Profiles,
        [(Char('R'), SHIFT)],
        Reload,
        "read the folder again (files added, changed, removed)"
    ),
    b!(
        Profiles,
        [(Char('e'), NONE)],
        ExternalEditor,
        "open a profile file that has errors in $EDITOR"
    ),
    b!(
        Editor,
        [(Up, NONE), (Char('k'), NONE)],
        Up,
        "previous field"
    ),
    b!(
        Editor,
        [(Down, NONE), (Char('j'), NONE)],
        Down,
        "next field"
    ),
    b!(
        Editor,
        [(Enter, NONE)],
        Enter,
        "edit the field; pick an event; cycle a choice"
    ),
    b!(
        Editor,
        [(Left, NONE), (Char('h'), NONE)],
        Left,
        "previous choice (method, auth, signing)"
    ),
    b!(
        Editor,
        [(Right, NONE), (Char('l'), NONE)],
        Right,
        "next choice (method, auth, signing)"
    ),
    b!(
        Editor,
        [(Char(' '), NONE)],
        Toggle,
        "toggle (trigger, redirects, TLS, a header on or off)"
    ),
    b!(Editor, [(Char('a'), NONE)], AddHeader, "add a header"),
    b!(
        Editor,
        [(Char('x'), NONE), (Del, NONE)],
        RemoveHeader,
        "remove the header"
    ),
    b!(Editor, [(Char('K'), SHIFT)], MoveUp, "move the header up"),
    b!(
        Editor,
        [(Char('J'), SHIFT)],
        MoveDown,
        "move the header down"
    ),
    b!(
        Editor,
        [(Char('c'), NONE)],
        ComposeEvent,
        "compose the sample event (file or inline)"
    ),
    b!(
        Editor,
        [(Char('e'), NONE)],
        ExternalEditor,
        "open the payload or event in $EDITOR"
    ),
    b!(Inspector, [(Up, NONE), (Char('k'), NONE)], Up, "scroll up"),
    b!(
        Inspector,
        [(Down, NONE), (Char('j'), NONE)],
        Down,
        "scroll down"
    ),
    b!(
        Inspector,
        [(PageUp, NONE), (Char('u'), CTRL)],
        PageUp,
        "page up"
    ),
    b!(
        Inspector,
        [(PageDown, NONE), (Char('d'), CTRL)],
        PageDown,
        "page down"
    ),
    b!(Inspector, [(Home, NONE), (Char('g'), NONE)], Top, "top"),
    b!(
        Inspector,
        [(End, NONE), (Char('G'), SHIFT)],
        Bottom,
        "bottom"
    ),
    b!(
        Inspector,
        [(Left, NONE), (Char('h'), NONE)],
        Left,
        "request pane"
    ),
    b!(
        Inspector,
        [(Right, NONE), (Char('l'), NONE)],
        Right,
        "response pane"
    ),
    b!(Inspector, [(Char('/'), NONE)], Search, "search the body"),
    b!(Inspector, [(Char('n'), NONE)], SearchNext, "next match"),
    b!(
        Inspector,
        [(Char('o'), NONE)],
        SaveBody,
        "save the response body to a file (masked unless v)"
    ),
    b!(
        Inspector,
        [(Char('N'), SHIFT)],
        SearchPrev,
        "previous match"
    ),
    b!(
        History,
        [(Up, NONE), (Char('k'), NONE)],
        Up,
        "previous record (or scroll, in the inspector)"
    ),
    b!(
        History,
        [(Down, NONE), (Char('j'), NONE)],
        Down,
        "next record (or scroll, in the inspector)"
    ),
    b!(
        History,
        [(PageUp, NONE), (Char('u'), CTRL)],
        PageUp,
        "ten records up"
    ),
    b!(
        History,
        [(PageDown, NONE), (Char('d'), CTRL)],
        PageDown,
        "ten records down"
    ),
    b!(
        History,
        [(Home, NONE), (Char('g'), NONE)],
        Top,
        "newest record"
    ),
    b!(
        History,
        [(End, NONE), (Char('G'), SHIFT)],
        Bottom,
        "oldest loaded record"
    ),
    b!(
        History,
        [(Enter, NONE)],
        Enter,
        "list a delivery's attempts (▸), or into the inspector"
    ),
    b!(
        History,
        [(Char('F'), SHIFT)],
        FilterFailed,
        "filter: failed only, or all"
    ),
    b!(
        History,
        [(Char('s'), NONE)],
        FilterStatus,
        "filter: status class (any, 2xx, 4xx, 5xx, error)"
    ),
    b!(
        History,
        [(Char('p'), NONE)],
        FilterProfile,
        "filter: profile, picked from the names the history holds"
    ),
    b!(
        History,
        [(Char('e'), NONE)],
        FilterEnv,
        "filter: environment the records were sent in"
    ),
    b!(
        History,
        [(Char('t'), NONE)],
        FilterTime,
        "filter: time range (all, hour, day, week)"
    ),
    b!(
        History,
        [(Char('/'), NONE)],
        Search,
        "filter: text in the URL or a body"
    ),
    b!(
        History,
        [(Char('r'), NONE)],
        Replay,
        "replay the record (Receiver view: on to the app)"
    ),
    b!(
        History,
        [(Char('m'), NONE)],
        ReplayEdited,
        "replay with modifications (edit, then Ctrl-s sends)"
    ),
    b!(
        History,
        [(Char('B'), SHIFT)],
        BulkReplay,
        "bulk: replay every record the filter selects (asks first)"
    ),
    b!(
        History,
        [(Char('c'), NONE)],
        Compare,
        "compare: mark, then a second (a compare's pair: at once)"
    ),
    b!(
        History,
        [(Char('R'), SHIFT)],
        Resolve,
        "mark the delivery resolved by hand, or open again"
    ),
    b!(
        History,
        [(Char('o'), NONE)],
        SaveBody,
        "save the record's response body to a file"
    ),
    b!(
        History,
        [(Esc, NONE)],
        Escape,
        "cancel a replay; close the comparison; leave the inspector"
    ),
    b!(
        History,
        [(Left, NONE), (Char('h'), NONE)],
        Left,
        "scroll the request up (inspector)"
    ),
    b!(
        History,
        [(Right, NONE), (Char('l'), NONE)],
        Right,
        "into the inspector; there, scroll the request down"
    ),
    b!(
        History,
        [(Char('S'), SHIFT)],
        ReceiverToggle,
        "Receiver view: stop or start the receiver"
    ),
    b!(
        History,
        [(Char('a'), NONE)],
        ReceiverAnswer,
        "Receiver view: how it answers (500,200 delay=200 fail=0.1 header=N:V body=... | forward=URL)"
    ),
    b!(
        History,
        [(Char('k'), CTRL)],
        ReceiverSecrets,
        "Receiver view: secrets to check signatures with"
    ),
    b!(
        Confirm,
        [(Char('y'), NONE)],
        Yes,
        "yes: delete, quit, start the replay"
    ),
    b!(
        Confirm,
        [(Char('s'), NONE)],
        SaveAllQuit,
        "quitting: save every change, then quit"
    ),
    b!(
        Confirm,
        [(Char('+'), NONE)],
        MoreConcurrency,
        "bulk replay: one more request at a time"
    ),
    b!(
        Confirm,
        [(Char('-'), NONE)],
        LessConcurrency,
        "bulk replay: one fewer request at a time"
    ),
    b!(
        Confirm,
        [(Char('>'), NONE)],
        FasterRate,
        "bulk replay: a higher rate limit"
    ),
    b!(
        Confirm,
        [(Char('<'), NONE)],
        SlowerRate,
        "bulk replay: a lower rate limit"
    ),
    b!(
        Text,
        [(Enter, NONE)],
        Commit,
        "keep the text (one-line fields)"
    ),
    b!(
        Text,
        [(Esc, NONE)],
        Escape,
        "leave the field, keeping the text"
    ),
    b!(Text, [(Char('s'), CTRL)], Save, "keep the text and save"),
    b!(
        Json,
        [(Char('e'), CTRL)],
        ExternalEditor,
        "continue in $EDITOR"
    ),
    b!(
        Json,
        [(Char('n'), CTRL)],
        SaveAs,
        "save the sample event as a new file"
    ),
];

pub(super) fn matches(spec: &(KeyCode, KeyModifiers), key: &KeyEvent) -> bool {
    let (code, mods) = spec;
    match (code, key.code) {
        // Shifted letters arrive as the upper-case char, with or without SHIFT.
        (Char(a), Char(b)) if a.is_ascii_uppercase() => *a == b,
        (Char(a), Char(b)) => *a == b && key.modifiers.difference(SHIFT) == *mods,
        (BackTab, BackTab) => true,
        (a, b) => *a == b && key.modifiers == *mods,
    }
}

/// The keys of an action in a scope, as the help shows them (`y`).
pub fn label_of(scope: Scope, action: Action) -> String {
    BINDINGS
        .iter()
        .find(|b| b.scope == scope && b.action == action)
        .map_or_else(String::new, keys_label)
}

/// A key as the help overlay and status bar show it.
pub fn key_label(spec: &(KeyCode, KeyModifiers)) -> String {
    let (code, mods) = spec;
    let base = match code {
        Char(' ') => "Space".to_string(),
        Char(c) => c.to_string(),
        Tab => "Tab".into(),
        BackTab => "Shift-Tab".into(),
        Enter => "Enter".into(),
        Esc => "Esc".into(),
        Up => "↑".into(),
        Down => "↓".into(),
        Left => "←".into(),
        Right => "→".into(),
        PageUp => "PgUp".into(),
        PageDown => "PgDn".into(),
        Home => "Home".into(),
        End => "End".into(),
        Del => "Del".into(),
        KeyCode::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    };
    if mods.contains(CTRL) {
        format!("Ctrl-{base}")
    } else {
        base
    }
}

/// All keys of a binding, joined: `k/↑`.
pub fn keys_label(b: &Binding) -> String {
    b.keys.iter().map(key_label).collect::<Vec<_>>().join("/")
}

/// A binding's help in a word, for the key hints.
pub(super) fn short(action: Action, help: &str) -> &str {
    match action {
        Action::ReceiverAnswer => "answer",
        Action::ReceiverSecrets => "secrets",
        Action::ReceiverToggle => "stop/start",
        _ => help.split([' ', ':', ';', '(']).next().unwrap_or(help),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice_in_one_scope() {
        for (i, a) in BINDINGS.iter().enumerate() {
            for b in &BINDINGS[i + 1..] {
                if a.scope == b.scope {
                    for k in a.keys {
                        assert!(!b.keys.contains(k), "{:?} bound twice in {:?}", k, a.scope);
                    }
                }
            }
        }
    }
}
