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

/// A `regex` error on one line. Syntax errors print the pattern with a caret under the
/// problem over several lines; this gives `unclosed group at character 19` instead,
/// so a user sees one `error:` line.
pub fn regex_reason(e: &regex::Error) -> String {
    let text = e.to_string();
    let lines: Vec<&str> = text.lines().collect();
    let Some(message) = lines.iter().rev().find_map(|l| l.strip_prefix("error: ")) else {
        return lines.join(" ");
    };
    // The caret line marks characters (not bytes) under the indented pattern line.
    let column = lines.windows(2).find_map(|pair| {
        let (pattern, marks) = (pair[0], pair[1]);
        let at = marks.find('^')?;
        let indent = pattern.len() - pattern.trim_start().len();
        let only_marks = marks.trim().chars().all(|c| c == '^');
        (only_marks && at >= indent).then_some(at - indent + 1)
    });
    match column {
        Some(column) => format!("{message} at character {column}"),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::regex_reason;

    /// The error of a pattern that does not compile (through a parameter: clippy
    /// rejects an invalid literal given to `Regex::new`).
    fn error_of(pattern: &str) -> regex::Error {
        regex::Regex::new(pattern).unwrap_err()
    }

    #[test]
    fn syntax_errors_become_one_line_with_the_character() {
        let e = error_of("^(?P<Content>.*?)($");
        assert_eq!(regex_reason(&e), "unclosed group at character 18");
        let e = error_of("ä[z-a]");
        assert_eq!(
            regex_reason(&e),
            "invalid character class range, the start must be <= the end at character 3"
        );
    }

    #[test]
    fn other_errors_keep_their_text_on_one_line() {
        let e = regex::RegexBuilder::new("a{1000}{1000}")
            .size_limit(100)
            .build()
            .unwrap_err();
        assert!(!regex_reason(&e).contains('\n'));
    }
}
