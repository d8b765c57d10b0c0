//! The built-in receiver: where it listens, how it answers, the secrets it
//! checks signatures with, and what it captured this session. Its records
//! are listed by the History view in the Receiver view.

use std::collections::HashMap;
use std::net::SocketAddr;

use super::Ui;
use crate::receiver::{Receiver, Script};
use crate::signing::Verdict;
use crate::tui::message::ReceiverMsg;
use crate::tui::tasks::Tasks;
use crate::wire::SecretSet;

#[derive(Debug)]
pub struct ReceiverPane {
    /// Where it listens (or is to listen).
    addr: Option<SocketAddr>,
    /// It, once it listens.
    pub running: Option<Receiver>,
    /// How it answers (kept across stop and start).
    pub script: Script,
    /// Secrets it checks Standard Webhooks signatures with (in memory only).
    /// What signatures are checked with (`whsec_…`, `stripe:…`, ...).
    pub secrets: Vec<crate::signing::Verifier>,
    /// Signature verdicts of received records, by record id.
    pub verdicts: HashMap<i64, Verdict>,
    /// Requests captured this session.
    pub received: u64,
    /// While it does not listen: why, and what starts it.
    pub off: String,
}

impl ReceiverPane {
    pub fn new(addr: Option<SocketAddr>) -> ReceiverPane {
        ReceiverPane {
            addr,
            running: None,
            script: Script::default(),
            secrets: Vec::new(),
            verdicts: HashMap::new(),
            received: 0,
            off: match addr {
                Some(a) => format!("starting on {a}…"),
                None => "off (--no-receiver): S starts it on 127.0.0.1:8787".into(),
            },
        }
    }

    pub(super) fn start(&self, tasks: &Tasks) {
        if let Some(addr) = self.addr {
            tasks.start_receiver(addr, self.script.clone());
        }
    }

    /// What the Receiver view says of it.
    pub fn state_line(&self) -> String {
        match &self.running {
            Some(r) => format!(
                "receiver on http://{} · {}{} · {} received this session{}",
                r.addr,
                if self.script.forward.is_some() {
                    ""
                } else {
                    "answers "
                },
                self.script.summary(),
                self.received,
                match self.secrets.len() {
                    0 => String::new(),
                    n => format!(" · checking signatures ({n} secret(s))"),
                }
            ),
            None => format!("receiver {}", self.off),
        }
    }

    /// `S`: stop it, or start it again.
    pub(super) fn toggle(&mut self, ui: &mut Ui, tasks: &Tasks) {
        match self.running.take() {
            Some(r) => {
                let addr = r.addr;
                r.stop();
                self.off = format!("stopped with S: S starts it again on {addr}");
                ui.set_status(format!("receiver on {addr} stopped: S starts it again"));
            }
            None => {
                let addr = *self
                    .addr
                    .get_or_insert_with(|| SocketAddr::from(([127, 0, 0, 1], 8787)));
                tasks.start_receiver(addr, self.script.clone());
                self.off = format!("starting on {addr}…");
                ui.set_status(format!("starting the receiver on {addr}…"));
            }
        }
    }

    /// `a`: how it answers, `500,500,200 delay=200 fail=0.1`.
    pub(super) fn set_answer(&mut self, text: &str, ui: &mut Ui) {
        let mut script = self.script.clone();
        if let Err(m) = script.apply_text(text) {
            ui.set_error(format!("answer not changed: {m}"));
            return;
        }
        if let (Some(f), Some(r)) = (&script.forward, &self.running)
            && crate::receiver::loops_back(&f.url, r.addr)
        {
            ui.set_error(format!(
                "answer not changed: forward={} is the receiver itself; give the app's port",
                crate::receiver::shown_url(&f.url)
            ));
            return;
        }
        if let Some(r) = &self.running {
            r.set_script(script.clone());
        }
        let how = if script.forward.is_some() {
            ""
        } else {
            "answers "
        };
        ui.set_status(format!("the receiver {how}{}", script.summary()));
        self.script = script;
    }

    /// Ctrl-k: the secrets to check signatures with.
    pub(super) fn set_secrets(&mut self, text: &str, ui: &mut Ui) {
        // Refused as typed, not when a request arrives; the secret itself
        // is never repeated in the message.
        let mut verifiers = Vec::new();
        for (i, s) in text.split_whitespace().enumerate() {
            match crate::signing::Verifier::parse(s) {
                Ok(v) => verifiers.push(v),
                Err(m) => {
                    ui.set_error(format!("secret #{} refused: {m}; nothing changed", i + 1));
                    return;
                }
            }
        }
        let mut schemes: Vec<&str> = verifiers.iter().map(|v| v.name()).collect();
        schemes.dedup();
        ui.set_status(if verifiers.is_empty() {
            "signatures are not checked".to_string()
        } else {
            format!(
                "checking {} signatures with {} secret(s), from the next request on",
                schemes.join(", "),
                verifiers.len()
            )
        });
        self.secrets = verifiers;
    }

    /// A receiver message; true when a record landed in the history.
    /// `quiet` keeps the status line for a request in flight; `mask` is the
    /// secret store's values, masked in what arrives.
    pub(super) fn on_message(
        &mut self,
        m: ReceiverMsg,
        ui: &mut Ui,
        tasks: &Tasks,
        history: &mut super::history::HistoryPane,
        quiet: bool,
        mask: &SecretSet,
    ) -> bool {
        match m {
            ReceiverMsg::Started(Ok(r)) => {
                crate::tui::log::line(&format!("receiver listening on {}", r.addr));
                self.running = Some(r);
            }
            ReceiverMsg::Started(Err(e)) => {
                self.off = format!("off: {e}; S tries again");
                ui.set_error(e);
            }
            ReceiverMsg::Received(mut ex) => {
                self.received += 1;
                // A fire from this workbench brings the store's values.
                ex.request.secret_values = mask.clone();
                if !quiet {
                    // Only the URL is shown: masked alone, no body scanned
                    // on the UI thread.
                    let url = crate::wire::PreparedRequest::plain(
                        String::new(),
                        ex.request.url.clone(),
                        Vec::new(),
                        Vec::new(),
                    )
                    .redacted_with(mask)
                    .url;
                    ui.set_status(format!(
                        "received {} {} -> {}",
                        ex.request.method,
                        crate::history::host_and_path(&url).1,
                        ex.response.as_ref().map_or(0, |r| r.status)
                    ));
                }
                history.record(
                    super::history::Write::Received {
                        exchange: ex,
                        secrets: self.secrets.clone(),
                    },
                    tasks,
                );
            }
            ReceiverMsg::Recorded { id, verdict } => {
                if let Some(v) = verdict {
                    let text = match &v {
                        Verdict::Invalid(e) => format!("signature INVALID: {}", e.likely_cause),
                        other => format!("signature {}", other.as_str()),
                    };
                    if !quiet {
                        let line = format!("{} · {text}", ui.status.text);
                        if matches!(v, Verdict::Valid) {
                            ui.set_status(line);
                        } else {
                            ui.set_error(line);
                        }
                    }
                    if let Some(id) = id {
                        self.verdicts.insert(id, v);
                    }
                }
                return true;
            }
        }
        false
    }
}
