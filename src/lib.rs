//! hookbench: a terminal workbench for webhooks.
//!
//! One flow runs through the crate:
//!
//! ```text
//! profile (.ron) ─┐
//! event (.json) ──┼─► template ─► PreparedRequest ─► sign ─► deliver ─► Exchange ─► history
//! secrets / env ──┘   (pure)       (exact bytes)              (I/O)        │
//! receiver (axum) ────────────────────────────────────────────────────► Exchange ─► history
//! ```
//!
//! A map of the modules, in their one-way order (a module imports only
//! those before it; `tests/architecture.rs` holds it):
//!
//! * [`clock`] — time formatting and random ids behind plain functions.
//! * [`diag`] — `file:line:col: message` diagnostics.
//! * [`template`] — `{{...}}` parsing and rendering, errors with spans.
//! * [`files`] — atomic owner-only writes, `-o` targets, the editor's
//!   private file, free names and slugs.
//! * [`wire`] — [`wire::PreparedRequest`], the exact request; the one rule
//!   for credential names, and the masking of every form a secret takes.
//! * [`exchange`] — the record of one attempt: request as sent, response or
//!   classified error; its outcome text; masked copies.
//! * [`signing`] — signatures as Standard Webhooks, a single-header HMAC,
//!   Stripe, GitHub, Shopify and Slack make them: sign, verify, explain a
//!   mismatch.
//! * [`retry`] — which answers are tried again, and after how long.
//! * [`environment`] — named sets of variables for `{{var.NAME}}` (local,
//!   staging, production), in `environments/` beside the profiles.
//! * [`profile`] — the shareable file format: model, RON load and atomic save,
//!   finding profiles by name.
//! * [`secrets`] — the secret store behind `{{secret.NAME}}`: an owner-only
//!   file, refused when others can read it.
//! * [`event`] — sample trigger events (JSON files) and `--set` overrides.
//! * [`request`] — profile + event + [`request::Context`] →
//!   [`wire::PreparedRequest`]: assembly only, pure, no I/O.
//! * [`deliver`] — sends a `PreparedRequest` (reqwest, rustls; a bulk
//!   replay sender keeps its own hyper connections for plain HTTP) →
//!   [`exchange::Exchange`], the request recorded as it arrived.
//! * [`history`] — every exchange in SQLite; filters, paging, HAR and JSON
//!   Lines import and export.
//! * [`receiver`] — a local endpoint that captures requests as exchanges
//!   and answers as scripted (status, sequence, delay, failure rate), or
//!   relays them to the app under test; refuses bad signatures on request.
//! * [`replay`] — bulk replay: preparing jobs (credentials only toward
//!   their profile's origin), concurrency, rate limit, 429 back-off,
//!   progress, cancel, resume.
//! * [`share`] — a profile given away with its credentials replaced by
//!   placeholders, and one brought in without replacing anything.
//! * [`curl`] — curl both ways: a request or a profile as a command line,
//!   a command line as a profile.
//! * [`diff`] — two exchanges compared: headers by name, JSON bodies by
//!   path; the verdict `compare` exits with.
//! * [`tui`] — the workbench: the loop, the key table, one state room per
//!   pane, the only place that starts work (`tui::tasks`), the drawing.
//!
//! Two front ends sit on this core: the workbench ([`tui`], the only module
//! that uses ratatui and crossterm) and the command line (`cli`, in the
//! binary, the only place that uses clap).

pub mod clock;
pub mod curl;
pub mod deliver;
pub mod diag;
pub mod diff;
pub mod environment;
pub mod event;
pub mod exchange;
pub mod files;
pub mod history;
pub mod profile;
pub mod receiver;
pub mod replay;
pub mod request;
pub mod retry;
pub mod secrets;
pub mod share;
pub mod signing;
pub mod template;
pub mod tui;
pub mod wire;

/// The `User-Agent` sent unless a profile sets one.
pub const USER_AGENT: &str = concat!("hookbench/", env!("CARGO_PKG_VERSION"));
