//! Drain-style online template miner. PLACEHOLDER: exact-match only, to be implemented.

use crate::error::{CoreError, CoreResult};
use crate::mask::Masker;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct MinerConfig {
    pub sim_threshold: f64,
    pub depth: usize,
    pub max_children: usize,
    pub max_templates: usize,
    pub max_tokens: usize,
}

impl Default for MinerConfig {
    fn default() -> Self {
        Self {
            sim_threshold: 0.5,
            depth: 4,
            max_children: 100,
            max_templates: 100_000,
            max_tokens: 256,
        }
    }
}

impl MinerConfig {
    pub fn validate(&self) -> CoreResult<()> {
        if !(0.0..=1.0).contains(&self.sim_threshold) {
            return Err(CoreError::BadConfig(format!(
                "sim_threshold must be in [0, 1], got {}",
                self.sim_threshold
            )));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Change {
    Unchanged = 0,
    Created = 1,
    Generalized = 2,
}

#[derive(Debug, Clone)]
pub struct Template {
    pub id: u32,
    pub string_id: String,
    pub text: String,
    pub count: u64,
    pub first_seen_s: i64,
    pub last_seen_s: i64,
}

#[derive(Debug, Clone)]
pub struct Miner {
    config: MinerConfig,
    masker: Masker,
    by_text: HashMap<String, u32>,
    templates: Vec<Template>,
}

impl Miner {
    pub fn new(config: MinerConfig, masker: Masker) -> CoreResult<Self> {
        config.validate()?;
        Ok(Self {
            config,
            masker,
            by_text: HashMap::new(),
            templates: Vec::new(),
        })
    }

    pub fn config(&self) -> &MinerConfig {
        &self.config
    }

    pub fn train(&mut self, line: &str) -> (u32, Change) {
        let text = self.masker.mask(line);
        if let Some(&id) = self.by_text.get(&text) {
            self.templates[id as usize].count += 1;
            return (id, Change::Unchanged);
        }
        let id = self.templates.len() as u32;
        self.templates.push(Template {
            id,
            string_id: format!("t{id}"),
            text: text.clone(),
            count: 1,
            first_seen_s: 0,
            last_seen_s: 0,
        });
        self.by_text.insert(text, id);
        (id, Change::Created)
    }

    pub fn match_line(&self, line: &str) -> Option<u32> {
        self.by_text.get(&self.masker.mask(line)).copied()
    }

    pub fn template(&self, id: u32) -> Option<&Template> {
        self.templates.get(id as usize)
    }

    pub fn templates(&self) -> impl Iterator<Item = &Template> {
        self.templates.iter()
    }

    pub fn len(&self) -> usize {
        self.templates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.templates.is_empty()
    }

    pub fn memory_bytes(&self) -> usize {
        self.templates.iter().map(|t| t.text.len() + 64).sum()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        Vec::new()
    }

    pub fn from_bytes(_data: &[u8]) -> CoreResult<Self> {
        Err(CoreError::BadState("not implemented".to_owned()))
    }
}
