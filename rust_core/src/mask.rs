//! Masking: replace variable parts of a message with typed placeholders.
//! PLACEHOLDER implementation (naive, one regex pass per mask); the miner work replaces it.

use crate::error::{CoreError, CoreResult};
use regex::Regex;

/// One mask as data: a name (stable id), a regex and the placeholder it writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskSpec {
    pub name: String,
    pub regex: String,
    pub placeholder: String,
}

impl MaskSpec {
    pub fn new(name: &str, regex: &str, placeholder: &str) -> Self {
        Self {
            name: name.to_owned(),
            regex: regex.to_owned(),
            placeholder: placeholder.to_owned(),
        }
    }
}

/// The built-in masks, in application order.
pub fn default_masks() -> Vec<MaskSpec> {
    vec![
        MaskSpec::new("ip", r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b", "<IP>"),
        MaskSpec::new("num", r"\b-?\d+(?:\.\d+)?\b", "<NUM>"),
    ]
}

#[derive(Debug, Clone)]
pub struct Masker {
    specs: Vec<MaskSpec>,
    regexes: Vec<Regex>,
}

impl Masker {
    pub fn new(specs: &[MaskSpec]) -> CoreResult<Self> {
        let regexes = specs
            .iter()
            .map(|s| {
                Regex::new(&s.regex).map_err(|e| CoreError::BadMask {
                    name: s.name.clone(),
                    reason: e.to_string(),
                })
            })
            .collect::<CoreResult<Vec<_>>>()?;
        Ok(Self {
            specs: specs.to_vec(),
            regexes,
        })
    }

    pub fn names(&self) -> Vec<&str> {
        self.specs.iter().map(|s| s.name.as_str()).collect()
    }

    /// Masked text of `line`.
    pub fn mask(&self, line: &str) -> String {
        let mut out = line.to_owned();
        for (spec, re) in self.specs.iter().zip(&self.regexes) {
            out = re.replace_all(&out, spec.placeholder.as_str()).into_owned();
        }
        out
    }

    /// Adds to `counts[i]` the number of matches of mask `i` in `line`
    /// (`counts.len()` must equal the number of masks).
    pub fn count_kinds(&self, line: &str, counts: &mut [u32]) {
        for (c, re) in counts.iter_mut().zip(&self.regexes) {
            *c += re.find_iter(line).count() as u32;
        }
    }
}

impl Default for Masker {
    fn default() -> Self {
        Self::new(&default_masks()).expect("built-in masks compile")
    }
}
