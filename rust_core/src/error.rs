//! Errors of the core. They stay Rust values until `py/errors.rs` maps them.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CoreError {
    #[error("rule {id:?}: invalid pattern: {reason}")]
    BadRule {
        id: String,
        pattern: String,
        reason: String,
    },
    #[error("mask {name:?}: invalid regex: {reason}")]
    BadMask { name: String, reason: String },
    #[error("invalid configuration: {0}")]
    BadConfig(String),
    #[error("log format {format:?}: {reason}")]
    BadFormat { format: String, reason: String },
    #[error("miner state format version {found} is not supported (expected {expected})")]
    StateVersion { found: u32, expected: u32 },
    #[error("corrupt miner state: {0}")]
    BadState(String),
    #[error("{what} is too large: {size} > {limit}")]
    TooLarge {
        what: String,
        size: usize,
        limit: usize,
    },
}

pub type CoreResult<T> = Result<T, CoreError>;
