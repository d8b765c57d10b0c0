//! The History view's comparison: a record marked with `c` and a second
//! one, or the two records a compare made (`C`, `hookbench compare`),
//! which point at each other.

use super::Ui;
use super::history::{CompareView, HistoryPane};
use crate::tui::message::HistoryMsg;
use crate::tui::tasks::Tasks;

impl HistoryPane {
    /// `c`: mark this record; on a second record, compare the two.
    pub(super) fn compare_step(&mut self, ui: &mut Ui, tasks: &Tasks) {
        let Some((id, pair)) = self.rows.get(self.selected).map(|r| (r.id, r.pair)) else {
            return;
        };
        // A record made by a compare opens that comparison again.
        let mark = self.mark.or(pair);
        match mark {
            None => {
                self.mark = Some(id);
                ui.set_status(format!("#{id} marked: c on another record compares them"));
            }
            Some(m) if m == id => {
                self.mark = None;
                ui.set_status("mark cleared");
            }
            Some(m) => {
                self.mark = None;
                let Some(store) = self.store(ui) else { return };
                // Left and right as they were sent: the pair in its order.
                let (m, id) = if self.mark.is_none() && pair == Some(m) {
                    (m.min(id), m.max(id))
                } else {
                    (m, id)
                };
                tasks.query(store, move |s| {
                    let left = s.get(m).map_err(|e| e.to_string())?;
                    let right = s.get(id).map_err(|e| e.to_string())?;
                    let diff = crate::diff::compare(&left.exchange, &right.exchange);
                    Ok(HistoryMsg::Compared(Box::new(CompareView {
                        left: Box::new(left),
                        right: Box::new(right),
                        diff,
                    })))
                });
            }
        }
    }
}
