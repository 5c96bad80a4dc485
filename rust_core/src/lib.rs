//! logtriage core: the per-line hot path (masking, template mining, regex rules,
//! text-complexity features, log-format headers) and the sidecar's JSON number
//! check. Pure Rust; the PyO3 bindings live in `py/` behind the `python` feature
//! so `cargo test` needs no Python.

pub mod error;
pub mod features;
pub mod header;
pub mod json_numbers;
pub mod mask;
pub mod miner;
pub mod parallel;
pub mod rules;
pub mod search_page;
pub mod sequences;

#[cfg(feature = "python")]
mod py;

pub use error::CoreError;
