//! Regex rules compiled into one RegexSet pass. PLACEHOLDER: to be implemented.

use crate::error::CoreResult;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: String,
    pub pattern: String,
    pub label: String,
    pub anomaly: Option<bool>,
    pub priority: i32,
    pub field: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<Rule>,
}

impl RuleSet {
    pub fn new(rules: Vec<Rule>) -> CoreResult<Self> {
        Ok(Self { rules })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Index of the winning rule for a line (rules without `field`).
    pub fn match_line(&self, _line: &str) -> Option<usize> {
        None
    }
}
