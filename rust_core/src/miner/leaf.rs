//! The templates of one tree leaf, in leaf order, and for big leaves an
//! inverted index (position, token id) → templates, so that matching a line,
//! looking for siblings and read-only matching score a few candidates
//! instead of the whole leaf.
//!
//! Leaf order (creation order; id order after a state load) decides ties, so
//! it is kept exactly: a small leaf is a plain `Vec` (removal keeps the order
//! of the others); an indexed leaf marks removed entries with a tombstone and
//! drops them in one pass (order kept) once they are half the leaf.
//!
//! The index may over-report: postings of removed templates stay until that
//! pass, and a position that became `<*>` stays under its old token as well.
//! Every caller scores its candidates with the full rule, so a candidate
//! too many changes nothing; a template missing from a posting would, and
//! none ever is (each live template is under its token at every position,
//! `<*>` included).

use super::cluster::Recs;
use super::WILDCARD;
use rustc_hash::FxHashMap;

/// An entry of `slots` whose template was removed (indexed leaves only).
const TOMB: u32 = u32::MAX;
/// End of a posting list.
const NIL: u32 = u32::MAX;
/// Live templates that make a leaf build its index.
const INDEX_MIN: usize = 64;

#[derive(Debug, Clone, Default)]
pub(crate) struct Leaf {
    /// template slots in leaf order; `TOMB` for removed ones (indexed only)
    slots: Vec<u32>,
    live: usize,
    index: Option<Box<Index>>,
}

#[derive(Debug, Clone, Default)]
struct Index {
    /// slot → its entry in `slots`
    pos_of: FxHashMap<u32, u32>,
    /// `key(position, token)` → (first entry of its list, list length)
    heads: FxHashMap<u64, (u32, u32)>,
    /// posting lists: (entry in `slots`, next list entry or `NIL`)
    entries: Vec<(u32, u32)>,
}

#[inline]
fn key(q: usize, tok: u32) -> u64 {
    ((q as u64) << 32) | u64::from(tok)
}

impl Index {
    fn add(&mut self, q: usize, tok: u32, at: u32) {
        let e = self.entries.len() as u32;
        let head = self.heads.entry(key(q, tok)).or_insert((NIL, 0));
        self.entries.push((at, head.0));
        *head = (e, head.1 + 1);
    }

    fn add_template(&mut self, tokens: &[u32], at: u32) {
        for (q, &t) in tokens.iter().enumerate() {
            self.add(q, t, at);
        }
    }

    /// Length of the posting list (stale entries included).
    #[inline]
    fn count(&self, q: usize, tok: u32) -> usize {
        self.heads.get(&key(q, tok)).map_or(0, |h| h.1 as usize)
    }

    /// Templates at position `q` with token `tok` or `<*>`.
    fn cost(&self, q: usize, tok: u32) -> usize {
        self.count(q, tok)
            + if tok == WILDCARD {
                0
            } else {
                self.count(q, WILDCARD)
            }
    }

    fn collect(&self, q: usize, tok: u32, out: &mut Vec<u32>) {
        let mut e = self.heads.get(&key(q, tok)).map_or(NIL, |h| h.0);
        while e != NIL {
            let (at, next) = self.entries[e as usize];
            out.push(at);
            e = next;
        }
    }

    fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.pos_of.capacity() * 9
            + self.heads.capacity() * 17
            + self.entries.capacity() * 8
    }
}

impl Leaf {
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Appends a template (its record is in `recs`).
    pub fn push(&mut self, slot: u32, recs: &Recs) {
        let at = self.slots.len() as u32;
        self.slots.push(slot);
        self.live += 1;
        if let Some(ix) = self.index.as_mut() {
            ix.pos_of.insert(slot, at);
            if let Some(r) = recs.at(slot) {
                ix.add_template(&r.tokens, at);
            }
        } else if self.live >= INDEX_MIN {
            self.rebuild(recs);
        }
    }

    /// Removes a template (its record may be gone from `recs` already).
    pub fn remove(&mut self, slot: u32, recs: &Recs) {
        let Some(ix) = self.index.as_mut() else {
            let before = self.slots.len();
            self.slots.retain(|&s| s != slot);
            self.live -= before - self.slots.len();
            return;
        };
        let Some(at) = ix.pos_of.remove(&slot) else {
            return;
        };
        self.slots[at as usize] = TOMB;
        self.live -= 1;
        if self.slots.len() - self.live > self.live {
            self.rebuild(recs);
        }
    }

    /// Positions `qs` of the template in `slot` became `<*>`.
    pub fn wildcarded(&mut self, slot: u32, qs: &[usize]) {
        if let Some(ix) = self.index.as_mut() {
            if let Some(&at) = ix.pos_of.get(&slot) {
                for &q in qs {
                    ix.add(q, WILDCARD, at);
                }
            }
        }
    }

    /// Drops the tombstones (order kept) and rebuilds the index from the
    /// templates' current tokens; a leaf that shrank well below the index
    /// size goes back to a plain list.
    pub fn rebuild(&mut self, recs: &Recs) {
        self.slots.retain(|&s| s != TOMB);
        if self.live < INDEX_MIN / 2 {
            self.index = None;
            return;
        }
        let mut ix = Index::default();
        for (at, &slot) in self.slots.iter().enumerate() {
            ix.pos_of.insert(slot, at as u32);
            if let Some(r) = recs.at(slot) {
                ix.add_template(&r.tokens, at as u32);
            }
        }
        self.index = Some(Box::new(ix));
    }

    /// Rebuilds an existing index (token ids were renumbered).
    pub fn reindex(&mut self, recs: &Recs) {
        if self.index.is_some() {
            self.rebuild(recs);
        }
    }

    /// Slots in leaf order that include every template that matches `ids`
    /// (token equal or template `<*>`) at enough positions for a similarity
    /// of `threshold` (see [`min_matches`]).
    pub fn match_slots(&self, ids: &[u32], threshold: f64) -> Slots<'_> {
        self.or_all(self.match_candidates(ids, threshold))
    }

    /// Slots in leaf order that include every template that differs from
    /// `tokens` in one position at most (`<*>` on either side matches).
    pub fn sibling_slots(&self, tokens: &[u32]) -> Slots<'_> {
        self.or_all(self.sibling_candidates(tokens))
    }

    /// Slots in leaf order that include every template that covers `ids`
    /// (every position equal or `<*>`).
    pub fn cover_slots(&self, ids: &[u32]) -> Slots<'_> {
        self.or_all(self.cover_candidates(ids))
    }

    fn or_all(&self, candidates: Option<Vec<u32>>) -> Slots<'_> {
        match candidates {
            Some(c) => Slots::Some(c.into_iter()),
            None => Slots::All(self.slots.iter()),
        }
    }

    /// `None`: scan the whole leaf.
    fn match_candidates(&self, ids: &[u32], threshold: f64) -> Option<Vec<u32>> {
        let ix = self.index.as_deref()?;
        let min_same = min_matches(ids.len(), threshold);
        if min_same == 0 || min_same > ids.len() {
            return None;
        }
        // Pigeonhole: such a template matches at least one of ANY
        // `len - min_same + 1` positions; take the rarest ones.
        let k = ids.len() - min_same + 1;
        let mut costs: Vec<(usize, usize)> = ids
            .iter()
            .enumerate()
            .map(|(q, &t)| (ix.cost(q, t), q))
            .collect();
        if k < costs.len() {
            costs.select_nth_unstable(k);
            costs.truncate(k);
        }
        self.gather(ix, ids, costs)
    }

    /// `None`: scan the whole leaf.
    fn sibling_candidates(&self, tokens: &[u32]) -> Option<Vec<u32>> {
        let ix = self.index.as_deref()?;
        // Two positions where `tokens` has a constant: a sibling differs in
        // at most one of them.
        let mut costs: Vec<(usize, usize)> = tokens
            .iter()
            .enumerate()
            .filter(|&(_, &t)| t != WILDCARD)
            .map(|(q, &t)| (ix.cost(q, t), q))
            .collect();
        if costs.len() < 2 {
            return None;
        }
        if costs.len() > 2 {
            costs.select_nth_unstable(2);
            costs.truncate(2);
        }
        self.gather(ix, tokens, costs)
    }

    /// `None`: scan the whole leaf.
    fn cover_candidates(&self, ids: &[u32]) -> Option<Vec<u32>> {
        let ix = self.index.as_deref()?;
        let best = ids
            .iter()
            .enumerate()
            .map(|(q, &t)| (ix.cost(q, t), q))
            .min()?;
        self.gather(ix, ids, vec![best])
    }

    /// The live templates under `(q, ids[q])` or `(q, <*>)` for the chosen
    /// `(cost, q)`, as slots in leaf order; `None` when they are not fewer
    /// than the leaf.
    fn gather(&self, ix: &Index, ids: &[u32], chosen: Vec<(usize, usize)>) -> Option<Vec<u32>> {
        if chosen.iter().map(|c| c.0).sum::<usize>() >= self.live {
            return None;
        }
        let mut at = Vec::new();
        for (_, q) in chosen {
            ix.collect(q, ids[q], &mut at);
            if ids[q] != WILDCARD {
                ix.collect(q, WILDCARD, &mut at);
            }
        }
        at.sort_unstable();
        at.dedup();
        Some(
            at.into_iter()
                .map(|a| self.slots[a as usize])
                .filter(|&s| s != TOMB)
                .collect(),
        )
    }

    pub fn memory_bytes(&self) -> usize {
        self.slots.capacity() * 4 + self.index.as_ref().map_or(0, |ix| ix.memory_bytes())
    }
}

/// The slots a look-up scores: the candidates of the index, or all.
pub(crate) enum Slots<'a> {
    Some(std::vec::IntoIter<u32>),
    All(std::slice::Iter<'a, u32>),
}

impl Iterator for Slots<'_> {
    type Item = u32;

    #[inline]
    fn next(&mut self) -> Option<u32> {
        match self {
            Slots::Some(c) => c.next(),
            Slots::All(all) => all.by_ref().copied().find(|&s| s != TOMB),
        }
    }
}

/// The fewest matching positions (of `len`) whose similarity, computed as
/// [`super::Miner::similarity`] does, reaches `threshold`; `len + 1` when
/// none does.
pub(crate) fn min_matches(len: usize, threshold: f64) -> usize {
    let reaches = |m: usize| m as f64 / len as f64 >= threshold;
    // `m / len` rises with `m`: start near the answer, then step to it.
    let mut m = ((threshold * len as f64) as usize).min(len);
    while m > 0 && reaches(m - 1) {
        m -= 1;
    }
    while m <= len && !reaches(m) {
        m += 1;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::super::{Miner, MinerConfig, WILDCARD};
    use super::min_matches;
    use crate::mask::Masker;

    impl super::Leaf {
        /// The live slots, in leaf order.
        fn iter(&self) -> impl Iterator<Item = u32> + '_ {
            self.slots.iter().copied().filter(|&s| s != super::TOMB)
        }
    }

    /// xorshift64: reproducible without a dependency.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    const WORDS: [&str; 8] = [
        "alpha", "beta", "gamma", "delta", "eps", "zeta", "theta", "iota",
    ];

    fn line(rng: &mut Rng, len: usize) -> String {
        (0..len)
            .map(|_| match rng.below(10) {
                0 => "42".to_owned(),
                1 => format!("{}", rng.below(1000)),
                _ => WORDS[rng.below(WORDS.len())].to_owned(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Every live template of an indexed leaf is under its token at every
    /// position, and leaf order is the order of `slots`.
    fn check_index(m: &Miner) {
        for node in &m.tree.nodes {
            let leaf = &node.templates;
            assert_eq!(leaf.iter().count(), leaf.live);
            let Some(ix) = leaf.index.as_deref() else {
                continue;
            };
            for (at, &slot) in leaf.slots.iter().enumerate() {
                if slot == super::TOMB {
                    continue;
                }
                assert_eq!(ix.pos_of[&slot], at as u32);
                let rec = m.recs.at(slot).expect("live slot");
                for (q, &t) in rec.tokens.iter().enumerate() {
                    let mut under = Vec::new();
                    ix.collect(q, t, &mut under);
                    assert!(under.contains(&(at as u32)), "slot {slot} missing at {q}");
                }
            }
        }
    }

    /// The indexed look-ups give what a scan of the whole leaf gives, on
    /// big leaves that see generalisation, merges, evictions, interner
    /// compaction and a state round trip.
    #[test]
    fn indexed_leaf_lookups_equal_a_scan() {
        for (seed, threshold, len) in [
            (1, 0.5, 6),
            (2, 0.3, 5),
            (3, 0.8, 8),
            (4, 1.0, 4),
            (5, 0.2, 10),
            (6, 0.0, 3),
        ] {
            let config = MinerConfig {
                sim_threshold: threshold,
                depth: 3,
                max_children: 2,
                max_templates: 400,
                ..MinerConfig::default()
            };
            let mut m = Miner::new(config, Masker::default()).expect("miner");
            let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ seed);
            let mut indexed = 0;
            for step in 0..6000 {
                let text = line(&mut rng, len);
                let mut ids = Vec::new();
                let mut shaper = std::mem::take(&mut m.shaper);
                m.tokenize_readonly(&text, &mut shaper, &mut ids);
                m.shaper = shaper;
                if let Some(l) = m.tree.search(&ids, m.levels()) {
                    let leaf = &m.tree.nodes[l as usize].templates;
                    indexed += usize::from(leaf.index.is_some());
                    if !ids.contains(&u32::MAX) {
                        let scan = m.best_of(leaf.slots.iter().copied(), &ids, threshold);
                        assert_eq!(m.best_in_leaf(l, &ids, threshold), scan, "step {step}");
                    }
                    let covers: Vec<u32> = leaf
                        .iter()
                        .filter(|&s| m.recs.at(s).is_some_and(|r| Miner::covers(&r.tokens, &ids)))
                        .collect();
                    if let Some(c) = leaf.cover_candidates(&ids) {
                        assert!(covers.iter().all(|s| c.contains(s)));
                    }
                    if let Some(c) = leaf.match_candidates(&ids, threshold) {
                        assert!(c
                            .windows(2)
                            .all(|w| leaf.slots.iter().position(|&s| s == w[0])
                                < leaf.slots.iter().position(|&s| s == w[1])));
                    }
                    let known: Vec<u32> = ids
                        .iter()
                        .map(|&t| if t == u32::MAX { WILDCARD } else { t })
                        .collect();
                    if let Some(c) = leaf.sibling_candidates(&known) {
                        for s in leaf.iter() {
                            let r = m.recs.at(s).expect("live");
                            let differ = r
                                .tokens
                                .iter()
                                .zip(&known)
                                .filter(|&(&a, &b)| a != b && a != WILDCARD && b != WILDCARD)
                                .count();
                            assert!(differ > 1 || c.contains(&s), "sibling {s} missed");
                        }
                    }
                }
                m.train_at(&text, 0);
                if step % 500 == 0 {
                    check_index(&m);
                }
                if step == 3000 {
                    m.compact_interner();
                    check_index(&m);
                    m = Miner::from_bytes(&m.to_bytes()).expect("load");
                    check_index(&m);
                }
            }
            assert!(
                threshold == 0.0 || indexed > 1000,
                "seed {seed}: the index was not exercised ({indexed})"
            );
        }
    }

    #[test]
    fn min_matches_is_the_smallest_count_that_reaches_the_threshold() {
        for len in 1..300 {
            for t in [0.0, 0.1, 0.3, 1.0 / 3.0, 0.5, 0.7, 0.9, 0.999, 1.0] {
                let m = min_matches(len, t);
                assert!(m <= len && m as f64 / len as f64 >= t);
                assert!(m == 0 || ((m - 1) as f64 / len as f64) < t);
            }
        }
        assert_eq!(min_matches(0, 0.5), 1);
    }
}
