//! Reusable widgets.

pub mod body;
