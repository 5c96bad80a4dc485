//! Regex rules compiled once into one `RegexSet` per target (the message, or
//! each named field), with priority resolution: the highest `priority` wins,
//! ties go to the earlier rule.
//!
//! Every pattern is first compiled alone so that a bad one is reported with its
//! rule id, pattern and the regex error. The sets have a compiled-size limit so
//! a huge rule file cannot eat the memory; the regex crate matches in linear
//! time, so a huge line only costs its length.

use crate::error::{regex_reason, CoreError, CoreResult};
use crate::parallel::map_batch;
use regex::{RegexBuilder, RegexSet, RegexSetBuilder};
use std::collections::HashMap;

/// Compiled size limit of one rule's regex.
pub const RULE_SIZE_LIMIT: usize = 10 << 20;
/// Compiled size limit of the whole set of one target.
pub const SET_SIZE_LIMIT: usize = 256 << 20;
/// Lazy DFA cache per set and thread (bigger than the default: many rules).
const SET_DFA_SIZE_LIMIT: usize = 16 << 20;
/// Longest accepted pattern, in bytes.
pub const MAX_PATTERN_BYTES: usize = 64 << 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Stable id such as `sshd.auth_failure` (used in errors and `logtriage.rule`).
    pub id: String,
    pub pattern: String,
    pub label: String,
    pub anomaly: Option<bool>,
    pub priority: i32,
    /// Header field the rule looks at; `None` means the message itself.
    pub field: Option<String>,
}

impl Rule {
    pub fn new(id: &str, pattern: &str, label: &str) -> Self {
        Self {
            id: id.to_owned(),
            pattern: pattern.to_owned(),
            label: label.to_owned(),
            anomaly: None,
            priority: 0,
            field: None,
        }
    }
}

/// The rules of one target compiled into one set.
#[derive(Debug, Clone)]
struct Target {
    field: Option<String>,
    set: RegexSet,
    /// Rule index of each pattern of `set`, in set order.
    rules: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<Rule>,
    targets: Vec<Target>,
}

fn bad_rule(rule: &Rule, reason: String) -> CoreError {
    CoreError::BadRule {
        id: rule.id.clone(),
        pattern: rule.pattern.clone(),
        reason,
    }
}

impl RuleSet {
    pub fn new(rules: Vec<Rule>) -> CoreResult<Self> {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, rule) in rules.iter().enumerate() {
            if rule.id.trim().is_empty() {
                return Err(CoreError::BadConfig(format!("rule #{i} has an empty id")));
            }
            if let Some(j) = seen.insert(rule.id.as_str(), i) {
                return Err(CoreError::BadConfig(format!(
                    "duplicate rule id {:?} (rules #{j} and #{i})",
                    rule.id
                )));
            }
            if rule.label.trim().is_empty() {
                return Err(CoreError::BadConfig(format!(
                    "rule {:?} has an empty label",
                    rule.id
                )));
            }
            if rule.pattern.is_empty() {
                return Err(bad_rule(
                    rule,
                    "empty pattern would match every line".into(),
                ));
            }
            if rule.pattern.len() > MAX_PATTERN_BYTES {
                return Err(bad_rule(
                    rule,
                    format!(
                        "pattern is {} bytes, more than {MAX_PATTERN_BYTES}",
                        rule.pattern.len()
                    ),
                ));
            }
            if matches!(&rule.field, Some(f) if f.is_empty()) {
                return Err(CoreError::BadConfig(format!(
                    "rule {:?} has an empty field name",
                    rule.id
                )));
            }
            RegexBuilder::new(&rule.pattern)
                .size_limit(RULE_SIZE_LIMIT)
                .build()
                .map_err(|e| bad_rule(rule, regex_reason(&e)))?;
        }

        // Group by target, keeping first-appearance order of targets.
        let mut order: Vec<Option<String>> = Vec::new();
        let mut members: Vec<Vec<usize>> = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            let at = match order.iter().position(|f| *f == rule.field) {
                Some(at) => at,
                None => {
                    order.push(rule.field.clone());
                    members.push(Vec::new());
                    order.len() - 1
                }
            };
            members[at].push(i);
        }
        let targets = order
            .into_iter()
            .zip(members)
            .map(|(field, idx)| {
                let set = RegexSetBuilder::new(idx.iter().map(|&i| rules[i].pattern.as_str()))
                    .size_limit(SET_SIZE_LIMIT)
                    .dfa_size_limit(SET_DFA_SIZE_LIMIT)
                    .build()
                    .map_err(|e| {
                        CoreError::BadConfig(format!(
                            "the {} rules on {} do not compile together: {e}",
                            idx.len(),
                            field.as_deref().unwrap_or("the message")
                        ))
                    })?;
                Ok(Target {
                    field,
                    set,
                    rules: idx,
                })
            })
            .collect::<CoreResult<Vec<_>>>()?;
        Ok(Self { rules, targets })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Field names the rules look at (the message excluded).
    pub fn fields(&self) -> Vec<&str> {
        self.targets
            .iter()
            .filter_map(|t| t.field.as_deref())
            .collect()
    }

    /// Better of two candidate rule indices: higher priority, then earlier.
    #[inline]
    fn better(&self, a: Option<usize>, b: usize) -> usize {
        match a {
            None => b,
            Some(a) => {
                let (pa, pb) = (self.rules[a].priority, self.rules[b].priority);
                if pb > pa || (pb == pa && b < a) {
                    b
                } else {
                    a
                }
            }
        }
    }

    fn best_in(&self, target: &Target, text: &str, best: Option<usize>) -> Option<usize> {
        // Most lines match no rule: one cheap pass says so.
        if !target.set.is_match(text) {
            return best;
        }
        let mut best = best;
        for k in target.set.matches(text).iter() {
            best = Some(self.better(best, target.rules[k]));
        }
        best
    }

    /// Winning rule for a line; `field` gives the value of a named field
    /// (`None`: the field is absent and its rules cannot fire).
    pub fn match_with<'a, F>(&self, line: &'a str, field: F) -> Option<usize>
    where
        F: Fn(&str) -> Option<&'a str>,
    {
        let mut best = None;
        for target in &self.targets {
            let text = match &target.field {
                None => Some(line),
                Some(name) => field(name),
            };
            if let Some(text) = text {
                best = self.best_in(target, text, best);
            }
        }
        best
    }

    /// Winning rule for a line (rules with a `field` cannot fire).
    pub fn match_line(&self, line: &str) -> Option<usize> {
        self.match_with(line, |_| None)
    }

    /// Index of the winning rule per line, -1 for none. `fields` holds named
    /// columns, each as long as `lines`; rules on a field without a column do
    /// not fire.
    pub fn match_batch<S, C>(&self, lines: &[S], fields: &[(&str, &[C])]) -> CoreResult<Vec<i32>>
    where
        S: AsRef<str> + Sync,
        C: AsRef<str> + Sync,
    {
        for (name, column) in fields {
            if column.len() != lines.len() {
                return Err(CoreError::BadConfig(format!(
                    "field {name:?} has {} values for {} lines",
                    column.len(),
                    lines.len()
                )));
            }
        }
        // Column of each target, resolved once.
        let columns: Vec<Option<&[C]>> = self
            .targets
            .iter()
            .map(|t| {
                t.field
                    .as_deref()
                    .and_then(|f| fields.iter().find(|(n, _)| *n == f).map(|(_, c)| *c))
            })
            .collect();
        let index: Vec<usize> = (0..lines.len()).collect();
        Ok(map_batch(&index, |&i| {
            let mut best = None;
            for (target, column) in self.targets.iter().zip(&columns) {
                let text = match (&target.field, column) {
                    (None, _) => lines[i].as_ref(),
                    (Some(_), Some(col)) => col[i].as_ref(),
                    (Some(_), None) => continue,
                };
                best = self.best_in(target, text, best);
            }
            best.map_or(-1, |b| b as i32)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: &str, pattern: &str, priority: i32, field: Option<&str>) -> Rule {
        Rule {
            priority,
            field: field.map(str::to_owned),
            ..Rule::new(id, pattern, "Error")
        }
    }

    #[test]
    fn priority_then_order() {
        let rs = RuleSet::new(vec![
            rule("a", "fail", 0, None),
            rule("b", "failed", 0, None),
            rule("c", "password", 5, None),
            rule("d", "pass", 5, None),
        ])
        .unwrap();
        assert_eq!(rs.match_line("it failed"), Some(0));
        assert_eq!(rs.match_line("failed password"), Some(2));
        assert_eq!(rs.match_line("pass"), Some(3));
        assert_eq!(rs.match_line("nothing here"), None);
    }

    #[test]
    fn field_rules() {
        let rs = RuleSet::new(vec![
            rule("msg", "timeout", 0, None),
            rule("lvl", "^(ERROR|FATAL)$", 1, Some("Level")),
            rule("comp", "^sshd", 2, Some("Component")),
        ])
        .unwrap();
        assert_eq!(rs.fields(), ["Level", "Component"]);
        let lines = ["read timeout", "ok", "ERROR here", "timeout"];
        let level = ["INFO", "ERROR", "INFO", "FATAL"];
        let comp = ["kernel", "kernel", "kernel", "sshd[1]"];
        let got = rs
            .match_batch(&lines, &[("Level", &level[..]), ("Component", &comp[..])])
            .unwrap();
        assert_eq!(got, [0, 1, -1, 2]);
        // Without columns only message rules fire.
        let none: &[(&str, &[&str])] = &[];
        assert_eq!(rs.match_batch(&lines, none).unwrap(), [0, -1, -1, 0]);
        // Columns must have one value per line.
        assert!(matches!(
            rs.match_batch(&lines, &[("Level", &level[..2])]),
            Err(CoreError::BadConfig(_))
        ));
    }

    #[test]
    fn bad_rule_names_id_pattern_and_error() {
        let err = RuleSet::new(vec![
            rule("ok", "a", 0, None),
            rule("x.bad", "a(b", 0, None),
        ])
        .unwrap_err();
        match err {
            CoreError::BadRule {
                id,
                pattern,
                reason,
            } => {
                assert_eq!(id, "x.bad");
                assert_eq!(pattern, "a(b");
                assert!(reason.contains("unclosed group"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn config_errors() {
        assert!(matches!(
            RuleSet::new(vec![rule("a", "x", 0, None), rule("a", "y", 0, None)]),
            Err(CoreError::BadConfig(_))
        ));
        assert!(matches!(
            RuleSet::new(vec![rule("a", "", 0, None)]),
            Err(CoreError::BadRule { .. })
        ));
        assert!(matches!(
            RuleSet::new(vec![rule("", "x", 0, None)]),
            Err(CoreError::BadConfig(_))
        ));
        // A rule that compiles to more than the per-rule limit.
        assert!(matches!(
            RuleSet::new(vec![rule("big", r"\w{1000}\w{1000}", 0, None)]),
            Err(CoreError::BadRule { .. })
        ));
    }

    #[test]
    fn huge_line() {
        let rs = RuleSet::new(vec![rule("a", r"kernel panic", 0, None)]).unwrap();
        let mut line = "x".repeat(10 << 20);
        assert_eq!(rs.match_line(&line), None);
        line.push_str(" kernel panic");
        assert_eq!(rs.match_line(&line), Some(0));
    }

    #[test]
    fn big_batch_parallel_same_as_serial() {
        let rs = RuleSet::new(vec![rule("a", r"\d{3}", 0, None), rule("b", "z", 1, None)]).unwrap();
        let lines: Vec<String> = (0..10_000)
            .map(|i| format!("n{i} {}", if i % 7 == 0 { "z" } else { "" }))
            .collect();
        let none: &[(&str, &[&str])] = &[];
        let got = rs.match_batch(&lines, none).unwrap();
        for (line, g) in lines.iter().zip(got) {
            assert_eq!(rs.match_line(line).map_or(-1, |b| b as i32), g);
        }
    }
}
