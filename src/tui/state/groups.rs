//! The History view's deliveries, expanded: Enter on a delivery of several
//! attempts lists its earlier attempts under it (newest first), Enter again
//! folds them away. An expanded delivery stays expanded when the list is
//! read again (a new record, another page).

use super::Ui;
use super::history::HistoryPane;
use crate::history::Summary;
use crate::tui::message::HistoryMsg;
use crate::tui::tasks::Tasks;

impl HistoryPane {
    /// Enter on the list: a delivery of several attempts opens or folds;
    /// any other row goes into the inspector.
    pub(super) fn enter(&mut self, ui: &mut Ui, tasks: &Tasks) {
        let Some(row) = self.rows.get(self.selected) else {
            return;
        };
        if row.nested || row.attempts < 2 {
            if self.open.is_some() || self.compare.is_some() {
                self.detail_focus = true;
            }
            return;
        }
        let root = row.root;
        if self.expanded.remove(&root) {
            self.rows.retain(|r| !(r.nested && r.root == root));
            ui.set_status(format!("delivery #{root}: attempts folded"));
        } else {
            self.expanded.insert(root);
            self.announce = Some(root);
            self.fetch_attempts(root, ui, tasks);
        }
    }

    fn fetch_attempts(&mut self, root: i64, ui: &mut Ui, tasks: &Tasks) {
        let Some(store) = self.store.clone() else {
            ui.set_error("no history: it could not be opened (see the log), or is off");
            return;
        };
        tasks.query(store, move |s| {
            let rows = s.attempts_of(root).map_err(|e| e.to_string())?;
            Ok(HistoryMsg::Attempts { root, rows })
        });
    }

    /// A delivery's attempts came: those other than its row go under it.
    pub(super) fn on_attempts(&mut self, root: i64, rows: Vec<Summary>, ui: &mut Ui) {
        if !self.expanded.contains(&root) {
            return; // folded again meanwhile
        }
        let Some(at) = self.rows.iter().position(|r| !r.nested && r.root == root) else {
            return; // no longer listed
        };
        let head = self.rows[at].id;
        self.rows.retain(|r| !(r.nested && r.root == root));
        let under: Vec<Summary> = rows
            .into_iter()
            .filter(|r| r.id != head)
            .map(|r| Summary { nested: true, ..r })
            .collect();
        let n = under.len();
        let selected_id = self.rows.get(self.selected).map(|r| r.id);
        self.rows.splice(at + 1..at + 1, under);
        if let Some(i) = selected_id.and_then(|id| self.rows.iter().position(|r| r.id == id)) {
            self.selected = i;
        }
        if self.announce == Some(root) {
            self.announce = None;
            ui.set_status(format!(
                "delivery #{root}: {} attempts, the latest first (Enter folds them)",
                n + 1
            ));
        }
    }

    /// After the list was read again: the expanded deliveries it shows get
    /// their attempts again.
    pub(super) fn refetch_groups(&mut self, ui: &mut Ui, tasks: &Tasks) {
        let listed: Vec<i64> = self
            .expanded
            .iter()
            .copied()
            .filter(|root| {
                self.rows.iter().any(|r| !r.nested && r.root == *root)
                    && !self.rows.iter().any(|r| r.nested && r.root == *root)
            })
            .collect();
        for root in listed {
            self.fetch_attempts(root, ui, tasks);
        }
    }
}
