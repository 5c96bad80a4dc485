//! Sequence anomaly baseline over sessions of template ids: a count / n-gram
//! next-template model with DeepLog's top-g rule.
//!
//! Training counts, for every position of every *normal* session, which
//! template followed the previous `history` templates (sessions are padded with
//! a start marker and closed with an end marker, so "this session should not
//! end here" is a finding too). Scoring walks a session and flags the first
//! position whose template is not among the `top_g` most frequent successors
//! of its context (or whose count is below `min_count`). Unseen contexts and
//! unseen template ids are always misses. Pure Rust; batches run on rayon.

use crate::error::{CoreError, CoreResult};
use crate::parallel::map_batch;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// Marker before the first template of a session (never a real template id).
pub const START: u32 = u32::MAX;
/// Marker after the last template of a session.
pub const END: u32 = u32::MAX - 1;
/// Format version of [`SequenceModel::to_json`].
pub const STATE_VERSION: u32 = 1;
/// Longest context a model may use.
pub const MAX_HISTORY: usize = 64;

/// Settings of the n-gram model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequenceConfig {
    /// Templates of context before the predicted one (n-gram order minus one).
    pub history: usize,
    /// A template is normal when it ranks among the `top_g` most frequent successors.
    pub top_g: usize,
    /// ... and was seen at least `min_count` times after that context.
    pub min_count: u64,
    /// Whether the end of a session is predicted (a truncated session is then anomalous).
    pub check_end: bool,
}

impl Default for SequenceConfig {
    fn default() -> Self {
        Self {
            history: 4,
            top_g: 9,
            min_count: 1,
            check_end: true,
        }
    }
}

impl SequenceConfig {
    fn validate(&self) -> CoreResult<()> {
        if self.history == 0 || self.history > MAX_HISTORY {
            return Err(CoreError::BadConfig(format!(
                "sequences.history must be in 1..={MAX_HISTORY}, got {}",
                self.history
            )));
        }
        if self.top_g == 0 {
            return Err(CoreError::BadConfig("sequences.top_g must be >= 1".into()));
        }
        Ok(())
    }
}

/// Verdict on one session.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionScore {
    /// At least one position was a miss.
    pub anomalous: bool,
    /// First offending position (index into the session; `len` = unexpected end).
    pub position: Option<usize>,
    /// Template at that position; `None` for an unexpected end (or no finding).
    pub template_id: Option<u32>,
    /// Positions that were misses.
    pub misses: u32,
    /// Positions checked (session length, plus one for the end when checked).
    pub checked: u32,
}

impl SessionScore {
    /// Share of checked positions that were misses, in `[0, 1]`.
    pub fn score(&self) -> f32 {
        if self.checked == 0 {
            0.0
        } else {
            self.misses as f32 / self.checked as f32
        }
    }
}

/// The n-gram next-template model. Training is incremental.
#[derive(Debug, Clone, Default)]
pub struct SequenceModel {
    config: SequenceConfig,
    vocab: BTreeSet<u32>,
    next: HashMap<Vec<u32>, HashMap<u32, u64>>,
    sessions: u64,
}

/// A context and its successors with their counts, as serialised.
type ContextCounts = (Vec<u32>, Vec<(u32, u64)>);

#[derive(Serialize, Deserialize)]
struct State {
    version: u32,
    config: SequenceConfig,
    sessions: u64,
    vocab: Vec<u32>,
    contexts: Vec<ContextCounts>,
}

impl SequenceModel {
    /// An empty model; rejects invalid settings.
    pub fn new(config: SequenceConfig) -> CoreResult<Self> {
        config.validate()?;
        Ok(Self {
            config,
            ..Self::default()
        })
    }

    pub fn config(&self) -> &SequenceConfig {
        &self.config
    }

    /// Template ids seen in training, ascending.
    pub fn vocab(&self) -> Vec<u32> {
        self.vocab.iter().copied().collect()
    }

    /// Distinct contexts learned.
    pub fn contexts(&self) -> usize {
        self.next.len()
    }

    /// Sessions trained on.
    pub fn sessions(&self) -> u64 {
        self.sessions
    }

    fn padded(&self, session: &[u32]) -> Vec<u32> {
        let h = self.config.history;
        let mut seq = Vec::with_capacity(h + session.len() + 1);
        seq.extend(std::iter::repeat_n(START, h));
        seq.extend_from_slice(session);
        seq.push(END);
        seq
    }

    /// Count the transitions of normal sessions. Template ids equal to the
    /// markers ([`START`], [`END`]) are rejected.
    pub fn train_batch(&mut self, sessions: &[Vec<u32>]) -> CoreResult<()> {
        for session in sessions {
            if let Some(bad) = session.iter().find(|&&t| t == START || t == END) {
                return Err(CoreError::BadConfig(format!(
                    "template id {bad} is reserved by the sequence model"
                )));
            }
        }
        let h = self.config.history;
        for session in sessions {
            self.vocab.extend(session.iter().copied());
            let seq = self.padded(session);
            for i in h..seq.len() {
                let counts = match self.next.get_mut(&seq[i - h..i]) {
                    Some(c) => c,
                    None => self.next.entry(seq[i - h..i].to_vec()).or_default(),
                };
                *counts.entry(seq[i]).or_insert(0) += 1;
            }
            self.sessions += 1;
        }
        Ok(())
    }

    /// Whether `next` is an expected successor of `context`.
    fn expected(&self, context: &[u32], next: u32) -> bool {
        let Some(counts) = self.next.get(context) else {
            return false;
        };
        let Some(&count) = counts.get(&next) else {
            return false;
        };
        if count < self.config.min_count {
            return false;
        }
        // Rank by count (descending), ties by id: `next` is in the top g when
        // fewer than g candidates beat it.
        let better = counts
            .iter()
            .filter(|&(&id, &c)| c > count || (c == count && id < next))
            .count();
        better < self.config.top_g
    }

    /// Score one session (template ids in time order).
    pub fn score(&self, session: &[u32]) -> SessionScore {
        let h = self.config.history;
        let seq = self.padded(session);
        let last = if self.config.check_end {
            seq.len()
        } else {
            seq.len() - 1
        };
        let mut out = SessionScore {
            anomalous: false,
            position: None,
            template_id: None,
            misses: 0,
            checked: 0,
        };
        for i in h..last {
            out.checked += 1;
            let next = seq[i];
            let known = next == END || self.vocab.contains(&next);
            if known && self.expected(&seq[i - h..i], next) {
                continue;
            }
            out.misses += 1;
            if !out.anomalous {
                out.anomalous = true;
                out.position = Some(i - h);
                out.template_id = (next != END).then_some(next);
            }
        }
        out
    }

    /// Score many sessions (in parallel for large batches).
    pub fn score_batch(&self, sessions: &[Vec<u32>]) -> Vec<SessionScore> {
        map_batch(sessions, |s| self.score(s))
    }

    /// Serialise to JSON (versioned; contexts sorted so output is stable).
    pub fn to_json(&self) -> CoreResult<String> {
        let mut contexts: Vec<ContextCounts> = self
            .next
            .iter()
            .map(|(k, v)| {
                let mut v: Vec<(u32, u64)> = v.iter().map(|(&a, &b)| (a, b)).collect();
                v.sort_unstable();
                (k.clone(), v)
            })
            .collect();
        contexts.sort_unstable();
        let state = State {
            version: STATE_VERSION,
            config: self.config,
            sessions: self.sessions,
            vocab: self.vocab(),
            contexts,
        };
        serde_json::to_string(&state).map_err(|e| CoreError::BadState(e.to_string()))
    }

    /// Restore a model written by [`SequenceModel::to_json`].
    pub fn from_json(text: &str) -> CoreResult<Self> {
        #[derive(Deserialize)]
        struct Version {
            version: u32,
        }
        let v: Version =
            serde_json::from_str(text).map_err(|e| CoreError::BadState(e.to_string()))?;
        if v.version != STATE_VERSION {
            return Err(CoreError::StateVersion {
                found: v.version,
                expected: STATE_VERSION,
            });
        }
        let state: State =
            serde_json::from_str(text).map_err(|e| CoreError::BadState(e.to_string()))?;
        state
            .config
            .validate()
            .map_err(|e| CoreError::BadState(e.to_string()))?;
        let h = state.config.history;
        if let Some((k, _)) = state.contexts.iter().find(|(k, _)| k.len() != h) {
            return Err(CoreError::BadState(format!(
                "context of length {} in a model with history {h}",
                k.len()
            )));
        }
        Ok(Self {
            config: state.config,
            vocab: state.vocab.into_iter().collect(),
            next: state
                .contexts
                .into_iter()
                .map(|(k, v)| (k, v.into_iter().collect()))
                .collect(),
            sessions: state.sessions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(history: usize, top_g: usize) -> SequenceModel {
        SequenceModel::new(SequenceConfig {
            history,
            top_g,
            ..SequenceConfig::default()
        })
        .expect("valid config")
    }

    #[test]
    fn normal_sessions_pass_and_deviations_are_located() {
        let mut m = model(2, 1);
        m.train_batch(&[vec![1, 2, 3, 4], vec![1, 2, 3, 4]])
            .unwrap();
        let ok = m.score(&[1, 2, 3, 4]);
        assert!(!ok.anomalous);
        assert_eq!(ok.checked, 5);
        let bad = m.score(&[1, 2, 4, 3]);
        assert!(bad.anomalous);
        assert_eq!(bad.position, Some(2));
        assert_eq!(bad.template_id, Some(4));
    }

    #[test]
    fn truncated_session_is_flagged_at_its_end() {
        let mut m = model(2, 3);
        m.train_batch(&[vec![1, 2, 3, 4]]).unwrap();
        let s = m.score(&[1, 2, 3]);
        assert!(s.anomalous);
        assert_eq!(s.position, Some(3));
        assert_eq!(s.template_id, None);
    }

    #[test]
    fn unseen_template_ids_are_misses() {
        let mut m = model(1, 5);
        m.train_batch(&[vec![1, 2, 1, 2]]).unwrap();
        let s = m.score(&[1, 99, 2]);
        assert!(s.anomalous);
        assert_eq!(s.template_id, Some(99));
        assert!(s.score() > 0.0);
    }

    #[test]
    fn top_g_widens_what_is_normal() {
        let mut strict = model(1, 1);
        let mut loose = model(1, 2);
        let data = vec![vec![1, 2], vec![1, 2], vec![1, 3]];
        strict.train_batch(&data).unwrap();
        loose.train_batch(&data).unwrap();
        assert!(strict.score(&[1, 3]).anomalous);
        assert!(!loose.score(&[1, 3]).anomalous);
    }

    #[test]
    fn bad_config_and_reserved_ids_are_errors() {
        assert!(SequenceModel::new(SequenceConfig {
            history: 0,
            ..SequenceConfig::default()
        })
        .is_err());
        let mut m = model(2, 1);
        assert!(m.train_batch(&[vec![1, END]]).is_err());
        assert_eq!(m.sessions(), 0);
    }

    #[test]
    fn json_round_trip_keeps_verdicts() {
        let mut m = model(3, 2);
        m.train_batch(&[vec![5, 6, 7, 8, 9], vec![5, 6, 8, 7, 9]])
            .unwrap();
        let back = SequenceModel::from_json(&m.to_json().unwrap()).unwrap();
        assert_eq!(back.vocab(), m.vocab());
        assert_eq!(back.contexts(), m.contexts());
        for s in [vec![5, 6, 7, 8, 9], vec![5, 7, 6], vec![]] {
            assert_eq!(back.score(&s), m.score(&s));
        }
        assert!(matches!(
            SequenceModel::from_json(r#"{"version": 99}"#),
            Err(CoreError::StateVersion { found: 99, .. })
        ));
        assert!(SequenceModel::from_json("not json").is_err());
    }

    #[test]
    fn batch_matches_single() {
        let mut m = model(2, 1);
        m.train_batch(&[vec![1, 2, 3]]).unwrap();
        let batch: Vec<Vec<u32>> = (0..5000).map(|i| vec![1, 2, (i % 4) as u32]).collect();
        let scores = m.score_batch(&batch);
        for (s, b) in scores.iter().zip(&batch) {
            assert_eq!(*s, m.score(b));
        }
    }
}
