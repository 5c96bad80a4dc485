//! Drain-style online template miner with stable ids.
//!
//! Pipeline per line: split on whitespace (at most `max_tokens` tokens, the
//! rest becomes one `<*>`), reduce every token to its shape (variables →
//! `<*>`, see [`tokenize`]), then
//! 1. exact-repeat cache: a hash of the shape sequence → template id,
//!    verified against the template's per-token hashes (no interning, no
//!    allocation on this path);
//! 2. otherwise shapes are interned to `u32` and Drain's prefix tree (token
//!    count, then the first `depth - 2` tokens; variable tokens go to the
//!    `<*>` child) gives candidates;
//! 3. token-type aware similarity: a template `<*>` counts as similar only
//!    where the line has a variable; a template never absorbs a line that has
//!    a *different plain word* at one of its constant positions (words are
//!    constants until proven otherwise). The best candidate ≥ `sim_threshold`
//!    is generalised (differing positions become `<*>`), else a template is
//!    created;
//! 4. sibling merging (fixes over-splitting): when templates of one leaf
//!    differ from each other in exactly one word position and that position
//!    has shown 4 distinct values, they merge into the oldest; the other ids
//!    become aliases ([`Miner::resolve`]).
//!
//! Ids are stable `u32`s that are never reused; a template keeps its id and
//! string id when its text generalises. Beyond `max_templates` the least
//! recently used templates are evicted (in batches of `max_templates / 64`).
//!
//! Memory follows the live templates, not the ids ever given out: templates
//! sit in reused slots (an id → slot map; tree leaves hold slots), the
//! interner is rebuilt from the live templates when it has grown well past
//! them, and [`Miner::prune_aliases`] (run between batches) drops the
//! aliases whose survivor was evicted. Both are amortised and neither
//! changes a live template.

mod cluster;
mod leaf;
mod state;
pub mod tokenize;
mod tree;

pub use cluster::Template;

use crate::error::{CoreError, CoreResult};
use crate::mask::{default_masks, MaskSpec, Masker};
use cluster::{Interner, Rec, Recs};
use rustc_hash::{FxHashMap, FxHasher};
use std::hash::Hasher;
use tokenize::{Shaper, TokenInfo};
use tree::Tree;

/// Interned id of the wildcard token `<*>`.
pub const WILDCARD: u32 = 0;

#[derive(Debug, Clone, PartialEq)]
pub struct MinerConfig {
    /// Minimum similarity (fraction of positions that match) to join a template.
    pub sim_threshold: f64,
    /// Depth of the prefix tree, counting the root and the token-count level.
    pub depth: usize,
    /// Children per inner node before new tokens go to the `<*>` child.
    pub max_children: usize,
    /// Live templates kept; least recently used ones are evicted beyond it.
    pub max_templates: usize,
    /// Tokens of a line the miner looks at; the rest becomes one `<*>`.
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
        let mut problems = Vec::new();
        if !(0.0..=1.0).contains(&self.sim_threshold) {
            problems.push(format!(
                "sim_threshold must be in [0, 1], got {}",
                self.sim_threshold
            ));
        }
        if self.depth < 3 {
            problems.push(format!("depth must be >= 3, got {}", self.depth));
        }
        if self.max_children < 2 {
            problems.push(format!(
                "max_children must be >= 2, got {}",
                self.max_children
            ));
        }
        if self.max_templates < 1 {
            problems.push("max_templates must be >= 1".to_owned());
        }
        if self.max_tokens < 1 {
            problems.push("max_tokens must be >= 1".to_owned());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(CoreError::BadConfig(problems.join("; ")))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Change {
    Unchanged = 0,
    Created = 1,
    Generalized = 2,
}

/// Unix time in seconds.
pub fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[derive(Debug, Clone)]
pub struct Miner {
    config: MinerConfig,
    masker: Masker,
    /// `None`: default masks, the built-in token classifier runs.
    custom_masks: Option<Vec<MaskSpec>>,
    interner: Interner,
    /// interner size that triggers [`Miner::compact_interner`]
    interner_limit: usize,
    tree: Tree,
    /// the live templates (tree leaves hold their slots)
    recs: Recs,
    /// the id the next template gets (ids are never reused)
    next_id: u32,
    cache: FxHashMap<u64, u32>,
    /// templates merged into another: absorbed id → survivor id
    aliases: FxHashMap<u32, u32>,
    /// alias count that triggers [`Miner::prune_aliases`]
    alias_limit: usize,
    tick: u64,
    shaper: Shaper,
    ids_buf: Vec<u32>,
    hash_buf: Vec<u64>,
}

impl Miner {
    pub fn new(config: MinerConfig, masker: Masker) -> CoreResult<Self> {
        config.validate()?;
        let alias_limit = min_alias_limit(config.max_templates);
        let specs = masker.specs().to_vec();
        let custom_masks = if specs == default_masks() {
            None
        } else {
            Some(specs)
        };
        Ok(Self {
            config,
            masker,
            custom_masks,
            interner: Interner::new(),
            interner_limit: MIN_INTERNER_LIMIT,
            tree: Tree::new(),
            recs: Recs::default(),
            next_id: 0,
            cache: FxHashMap::default(),
            aliases: FxHashMap::default(),
            alias_limit,
            tick: 0,
            shaper: Shaper::new(),
            ids_buf: Vec::new(),
            hash_buf: Vec::new(),
        })
    }

    pub fn config(&self) -> &MinerConfig {
        &self.config
    }

    pub fn masker(&self) -> &Masker {
        &self.masker
    }

    fn levels(&self) -> usize {
        self.config.depth - 2
    }

    /// Token ids of `line` into `out`. `intern` adds unseen shapes; otherwise
    /// an unseen shape gets `u32::MAX` (matches nothing but `<*>`).
    fn tokenize_into(&mut self, line: &str, intern: bool, out: &mut Vec<u32>) {
        out.clear();
        let masked;
        let src: &str = if self.custom_masks.is_some() {
            masked = self.masker.mask(line);
            &masked
        } else {
            line
        };
        let shaper = &mut self.shaper;
        let custom = self.custom_masks.as_deref();
        let interner = &mut self.interner;
        let more = tokenize::for_each_token(src, self.config.max_tokens, |t, info| {
            let s = token_shape(t, info, custom, shaper);
            let id = if intern {
                interner.intern(s)
            } else {
                interner.get(s).unwrap_or(u32::MAX)
            };
            out.push(id);
        });
        if more {
            out.push(WILDCARD);
        }
    }

    #[inline]
    fn covers(tpl: &[u32], ids: &[u32]) -> bool {
        tpl.len() == ids.len() && tpl.iter().zip(ids).all(|(&t, &l)| t == l || t == WILDCARD)
    }

    /// Similarity of a template and a line of equal length: (share of
    /// positions that match, wildcard count, word-vs-word mismatches).
    /// A template `<*>` counts as a match only where the line has a
    /// variable too (token-type aware); a different plain word in both is a
    /// *strong* mismatch.
    #[inline]
    fn similarity(&self, tpl: &[u32], ids: &[u32]) -> (f64, usize, usize) {
        if tpl.is_empty() {
            return (1.0, 0, 0);
        }
        let k = knobs();
        let mut same = 0usize;
        let mut wild = 0usize;
        let mut strong = 0usize;
        for (&t, &l) in tpl.iter().zip(ids) {
            if t == WILDCARD {
                wild += 1;
                if k.wild_mode == 1 || (k.wild_mode == 2 && !self.interner.is_word(l)) {
                    same += 1;
                }
            } else if t == l {
                same += 1;
            } else if self.interner.is_word(t) && self.interner.is_word(l) {
                strong += 1;
            }
        }
        (same as f64 / tpl.len() as f64, wild, strong)
    }

    /// The first template of the leaf (leaf order) with the highest
    /// similarity (then the most wildcards) if that is >= `threshold`. Big
    /// leaves score only the templates their index can show to reach it.
    fn best_in_leaf(&self, leaf: u32, ids: &[u32], threshold: f64) -> Option<u32> {
        let slots = self.tree.nodes[leaf as usize]
            .templates
            .match_slots(ids, threshold);
        self.best_of(slots, ids, threshold)
    }

    fn best_of(
        &self,
        slots: impl Iterator<Item = u32>,
        ids: &[u32],
        threshold: f64,
    ) -> Option<u32> {
        let max_strong = knobs().max_strong;
        let mut best: Option<(f64, usize, u32)> = None;
        for slot in slots {
            let Some(rec) = self.recs.at(slot) else {
                continue;
            };
            let tid = rec.tpl.id;
            let (sim, wild, strong) = self.similarity(&rec.tokens, ids);
            if strong > max_strong {
                continue;
            }
            let better = match best {
                None => true,
                Some((bs, bw, _)) => sim > bs || (sim == bs && wild > bw),
            };
            if better {
                best = Some((sim, wild, tid));
            }
        }
        best.filter(|b| b.0 >= threshold).map(|b| b.2)
    }

    /// After `tid` was created: templates of its leaf that differ from it in
    /// exactly one position, word against word, are *siblings*. When a
    /// position has `merge_values` siblings or more, that position is a
    /// variable: the siblings merge into the oldest (ids become aliases).
    fn merge_siblings(&mut self, tid: u32) -> Option<u32> {
        let k = knobs();
        if k.merge_values == 0 {
            return None;
        }
        let rec = self.rec(tid)?;
        let leaf = rec.leaf;
        let tokens = &rec.tokens;
        let mut by_pos: FxHashMap<usize, Vec<u32>> = FxHashMap::default();
        for slot in self.tree.nodes[leaf as usize]
            .templates
            .sibling_slots(tokens)
        {
            let Some(or) = self.recs.at(slot) else {
                continue;
            };
            let o = or.tpl.id;
            if o == tid || or.tokens.len() != tokens.len() {
                continue;
            }
            let mut pos = None;
            let mut ok = true;
            for (q, (&a, &b)) in tokens.iter().zip(&or.tokens).enumerate() {
                if a == b || a == WILDCARD || b == WILDCARD {
                    continue;
                }
                if pos.is_some() || !(self.interner.is_word(a) && self.interner.is_word(b)) {
                    ok = false;
                    break;
                }
                pos = Some(q);
            }
            if let (true, Some(p)) = (ok, pos) {
                by_pos.entry(p).or_default().push(o);
            }
        }
        let (_, group) = by_pos
            .into_iter()
            .filter(|(_, g)| g.len() + 1 >= k.merge_values)
            .max_by_key(|(p, g)| (g.len(), usize::MAX - p))?;
        let mut members = group;
        members.push(tid);
        members.sort_unstable();
        let survivor = members[0];
        let mut tokens = self.rec(survivor)?.tokens.clone();
        let (mut count, mut first, mut last, mut used) = (0u64, i64::MAX, i64::MIN, 0u64);
        for &m in &members {
            if let Some(r) = self.rec(m) {
                for (t, &o) in tokens.iter_mut().zip(&r.tokens) {
                    if *t != o {
                        *t = WILDCARD;
                    }
                }
                count += r.tpl.count;
                first = first.min(r.tpl.first_seen_s);
                last = last.max(r.tpl.last_seen_s);
                used = used.max(r.last_used);
            }
        }
        for &m in &members[1..] {
            if let Some((slot, r)) = self.recs.remove(m) {
                self.tree
                    .remove_template(r.tokens.len() as u32, &r.route, slot, &self.recs);
                self.aliases.insert(m, survivor);
            }
        }
        let text = self.text_of(&tokens);
        let hashes = self.hashes_of(&tokens);
        let old = self.rec(survivor)?;
        let wild: Vec<usize> = (0..tokens.len())
            .filter(|&q| tokens[q] == WILDCARD && old.tokens[q] != WILDCARD)
            .collect();
        if let Some(slot) = self.recs.slot_of(survivor) {
            self.tree.nodes[leaf as usize]
                .templates
                .wildcarded(slot, &wild);
        }
        if let Some(r) = self.recs.get_mut(survivor) {
            r.tokens = tokens;
            r.hashes = hashes;
            r.tpl.text = text;
            r.tpl.count = count;
            r.tpl.first_seen_s = first;
            r.tpl.last_seen_s = last;
            r.last_used = used;
        }
        Some(survivor)
    }

    /// The live template an id stands for now (ids of merged templates
    /// resolve to the template they were merged into).
    pub fn resolve(&self, id: u32) -> u32 {
        let mut cur = id;
        for _ in 0..64 {
            match self.aliases.get(&cur) {
                Some(&next) => cur = next,
                None => break,
            }
        }
        cur
    }

    #[inline]
    fn rec(&self, id: u32) -> Option<&Rec> {
        self.recs.get(id)
    }

    fn text_of(&self, tokens: &[u32]) -> String {
        let mut s = String::with_capacity(tokens.len() * 8);
        for (i, &t) in tokens.iter().enumerate() {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(self.interner.text(t));
        }
        s
    }

    /// Mine one line at the current time.
    pub fn train(&mut self, line: &str) -> (u32, Change) {
        self.train_at(line, now_s())
    }

    /// Mine one line seen at `now_s` (unix seconds).
    pub fn train_at(&mut self, line: &str, now_s: i64) -> (u32, Change) {
        // Fast path: hash the shape sequence without interning; an exact
        // repeat of a known shape sequence is answered from the cache.
        let mut hs = std::mem::take(&mut self.hash_buf);
        let mut shaper = std::mem::take(&mut self.shaper);
        let key = self.line_hashes(line, &mut shaper, &mut hs);
        self.shaper = shaper;
        if let Some(&tid) = self.cache.get(&key) {
            // one look-up: check and touch (see `touch`)
            let hit = self
                .recs
                .get_mut(tid)
                .filter(|r| covers_hashes(&r.hashes, &hs));
            if let Some(rec) = hit {
                self.tick += 1;
                rec.tpl.count += 1;
                rec.tpl.last_seen_s = rec.tpl.last_seen_s.max(now_s);
                rec.last_used = self.tick;
                self.hash_buf = hs;
                return (tid, Change::Unchanged);
            }
        }
        self.hash_buf = hs;
        self.train_new_shape(line, key, now_s)
    }

    /// A line whose shape sequence is not in the repeat cache. Kept out of
    /// line so that the cache path stays small enough to inline.
    #[inline(never)]
    fn train_new_shape(&mut self, line: &str, key: u64, now_s: i64) -> (u32, Change) {
        let mut ids = std::mem::take(&mut self.ids_buf);
        self.tokenize_into(line, true, &mut ids);
        let out = self.train_ids(&ids, key, now_s);
        self.ids_buf = ids;
        if self.interner.len() > self.interner_limit {
            self.compact_interner();
        }
        out
    }

    /// Hash of each token shape of `line` into `out`; returns the sequence key.
    fn line_hashes(&self, line: &str, shaper: &mut Shaper, out: &mut Vec<u64>) -> u64 {
        out.clear();
        let masked;
        let src: &str = if self.custom_masks.is_some() {
            masked = self.masker.mask(line);
            &masked
        } else {
            line
        };
        let custom = self.custom_masks.as_deref();
        let mut key = FxHasher::default();
        let more = tokenize::for_each_token(src, self.config.max_tokens, |t, info| {
            let h = str_hash(token_shape(t, info, custom, shaper));
            key.write_u64(h);
            out.push(h);
        });
        if more {
            let h = wild_hash();
            key.write_u64(h);
            out.push(h);
        }
        key.write_usize(out.len());
        key.finish()
    }

    fn hashes_of(&self, tokens: &[u32]) -> Vec<u64> {
        tokens
            .iter()
            .map(|&t| str_hash(self.interner.text(t)))
            .collect()
    }

    fn touch(&mut self, id: u32, now_s: i64) {
        self.tick += 1;
        let tick = self.tick;
        if let Some(rec) = self.recs.get_mut(id) {
            rec.tpl.count += 1;
            rec.tpl.last_seen_s = rec.tpl.last_seen_s.max(now_s);
            rec.last_used = tick;
        }
    }

    fn train_ids(&mut self, ids: &[u32], h: u64, now_s: i64) -> (u32, Change) {
        let levels = self.levels();
        let found = self
            .tree
            .search(ids, levels)
            .and_then(|leaf| self.best_in_leaf(leaf, ids, self.config.sim_threshold));
        let (tid, change) = match found {
            Some(tid) => {
                let mut wild = Vec::new();
                let mut leaf = 0;
                if let Some(rec) = self.recs.get_mut(tid) {
                    leaf = rec.leaf;
                    for (q, (t, &l)) in rec.tokens.iter_mut().zip(ids).enumerate() {
                        if *t != l && *t != WILDCARD {
                            *t = WILDCARD;
                            rec.hashes[q] = wild_hash();
                            wild.push(q);
                        }
                    }
                }
                let changed = !wild.is_empty();
                if changed {
                    if let Some(slot) = self.recs.slot_of(tid) {
                        self.tree.nodes[leaf as usize]
                            .templates
                            .wildcarded(slot, &wild);
                    }
                    let text = self
                        .rec(tid)
                        .map(|r| self.text_of(&r.tokens))
                        .unwrap_or_default();
                    if let Some(rec) = self.recs.get_mut(tid) {
                        rec.tpl.text = text;
                    }
                }
                self.touch(tid, now_s);
                (
                    tid,
                    if changed {
                        Change::Generalized
                    } else {
                        Change::Unchanged
                    },
                )
            }
            None => {
                let id = self.create(ids, now_s);
                match self.merge_siblings(id) {
                    Some(survivor) => (survivor, Change::Generalized),
                    None => (id, Change::Created),
                }
            }
        };
        if self.cache.len() > 4 * self.config.max_templates.min(1 << 20) + 65_536 {
            self.cache.clear();
        }
        self.cache.insert(h, tid);
        (tid, change)
    }

    fn create(&mut self, ids: &[u32], now_s: i64) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        let (leaf, route) = self
            .tree
            .insert_path(ids, self.levels(), self.config.max_children);
        let text = self.text_of(ids);
        let string_id = string_id_for(&text);
        self.tick += 1;
        let rec = Rec {
            tpl: Template {
                id,
                string_id,
                text,
                count: 1,
                first_seen_s: now_s,
                last_seen_s: now_s,
            },
            tokens: ids.to_vec(),
            hashes: self.hashes_of(ids),
            route,
            leaf,
            last_used: self.tick,
        };
        let slot = self.recs.insert(rec);
        self.tree.nodes[leaf as usize]
            .templates
            .push(slot, &self.recs);
        if self.recs.len() > self.config.max_templates {
            self.evict(id);
        }
        id
    }

    /// Evicts least recently used templates (never `keep`) down to
    /// `max_templates - max_templates / 64`.
    fn evict(&mut self, keep: u32) {
        let max = self.config.max_templates;
        let target = max - max / 64;
        let n = self.recs.len().saturating_sub(target);
        if n == 0 {
            return;
        }
        let mut cand: Vec<(u64, u32)> = self
            .recs
            .values()
            .filter(|r| r.tpl.id != keep)
            .map(|r| (r.last_used, r.tpl.id))
            .collect();
        let n = n.min(cand.len());
        if n < cand.len() {
            cand.select_nth_unstable(n);
        }
        for &(_, id) in &cand[..n] {
            if let Some((slot, rec)) = self.recs.remove(id) {
                self.tree
                    .remove_template(rec.tokens.len() as u32, &rec.route, slot, &self.recs);
            }
        }
    }

    /// Drops the aliases of evicted templates (they resolve to no live
    /// template) and points the others straight at their live survivor,
    /// once there are many (amortised: the next time, once the kept aliases
    /// have doubled). Callers run it between batches, never while ids of a
    /// batch still wait to be resolved: an id whose survivor is gone then
    /// resolves to itself.
    pub fn prune_aliases(&mut self) {
        if self.aliases.len() <= self.alias_limit {
            return;
        }
        let resolved: FxHashMap<u32, u32> = self
            .aliases
            .keys()
            .map(|&a| (a, self.resolve(a)))
            .filter(|&(_, s)| self.recs.contains(s))
            .collect();
        self.aliases = resolved;
        self.alias_limit = (2 * self.aliases.len()).max(min_alias_limit(self.config.max_templates));
    }

    /// Rebuilds the interner from the shapes the live templates use. Token
    /// ids only ever compare for equality and every shape of a live template
    /// (tokens, tree route) is re-interned, so no template changes; shapes
    /// seen only in evicted templates or generalised away are forgotten.
    /// Amortised: runs again once the interner has doubled.
    fn compact_interner(&mut self) {
        let old = std::mem::replace(&mut self.interner, Interner::new());
        let new = &mut self.interner;
        for r in self.recs.values_mut() {
            for t in r.tokens.iter_mut().chain(r.route.iter_mut()) {
                *t = new.intern(old.text(*t));
            }
        }
        self.tree.remap_tokens(|t| new.intern(old.text(t)));
        self.tree.reindex(&self.recs);
        self.interner_limit = (2 * self.interner.len()).max(MIN_INTERNER_LIMIT);
    }

    /// Read-only lookup (like Loki's `Match`): the template that covers the
    /// line exactly (its constants equal, `<*>` anywhere), or `None`.
    pub fn match_line(&self, line: &str) -> Option<u32> {
        SHAPER.with(|s| self.match_with(line, &mut s.borrow_mut()))
    }

    fn match_with(&self, line: &str, shaper: &mut Shaper) -> Option<u32> {
        let mut hs = Vec::new();
        let key = self.line_hashes(line, shaper, &mut hs);
        if let Some(&tid) = self.cache.get(&key) {
            if self.rec(tid).is_some_and(|r| covers_hashes(&r.hashes, &hs)) {
                return Some(tid);
            }
        }
        let mut ids = Vec::new();
        self.tokenize_readonly(line, shaper, &mut ids);
        let leaf = self.tree.search(&ids, self.levels())?;
        self.tree.nodes[leaf as usize]
            .templates
            .cover_slots(&ids)
            .filter_map(|slot| self.recs.at(slot))
            .filter(|r| Self::covers(&r.tokens, &ids))
            .min_by_key(|r| r.tokens.iter().filter(|&&t| t == WILDCARD).count())
            .map(|r| r.tpl.id)
    }

    fn tokenize_readonly(&self, line: &str, shaper: &mut Shaper, out: &mut Vec<u32>) {
        out.clear();
        let masked;
        let src: &str = if self.custom_masks.is_some() {
            masked = self.masker.mask(line);
            &masked
        } else {
            line
        };
        let custom = self.custom_masks.as_deref();
        let more = tokenize::for_each_token(src, self.config.max_tokens, |t, info| {
            let s = token_shape(t, info, custom, shaper);
            out.push(self.interner.get(s).unwrap_or(u32::MAX));
        });
        if more {
            out.push(WILDCARD);
        }
    }

    /// The template of an id (a merged id gives the template it joined).
    pub fn template(&self, id: u32) -> Option<&Template> {
        self.rec(self.resolve(id)).map(|r| &r.tpl)
    }

    /// The live templates, by id.
    pub fn templates(&self) -> impl Iterator<Item = &Template> {
        self.recs_by_id().into_iter().map(|r| &r.tpl)
    }

    /// The live templates' records, by id.
    fn recs_by_id(&self) -> Vec<&Rec> {
        let mut recs: Vec<&Rec> = self.recs.values().collect();
        recs.sort_unstable_by_key(|r| r.tpl.id);
        recs
    }

    pub fn len(&self) -> usize {
        self.recs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.recs.len() == 0
    }

    /// Approximate heap bytes: templates, tree, interner, aliases and
    /// repeat cache.
    pub fn memory_bytes(&self) -> usize {
        self.recs.memory_bytes()
            + self.tree.memory_bytes()
            + self.interner.memory_bytes()
            + self.aliases.capacity() * 9
            + self.cache.capacity() * 17
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        state::to_bytes(self)
    }

    pub fn from_bytes(data: &[u8]) -> CoreResult<Self> {
        state::from_bytes(data)
    }
}

/// The interner is compacted only beyond this many shapes.
const MIN_INTERNER_LIMIT: usize = 16_384;

/// Aliases are pruned only beyond this many.
fn min_alias_limit(max_templates: usize) -> usize {
    max_templates.min(1 << 20) + 4096
}

thread_local! {
    /// the classifier's buffers for the read-only [`Miner::match_line`]
    static SHAPER: std::cell::RefCell<Shaper> = std::cell::RefCell::new(Shaper::new());
}

/// Stable 64-bit hash of a token shape.
#[inline]
fn str_hash(s: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(s.as_bytes());
    h.finish()
}

#[inline]
fn wild_hash() -> u64 {
    str_hash(tokenize::WILDCARD_TEXT)
}

/// Does a template (token hashes) cover a line (token hashes)?
#[inline]
fn covers_hashes(tpl: &[u64], line: &[u64]) -> bool {
    let w = wild_hash();
    tpl.len() == line.len() && tpl.iter().zip(line).all(|(&t, &l)| t == l || t == w)
}

#[derive(Debug, Clone, Copy)]
struct Knobs {
    wild_mode: u8,
    max_strong: usize,
    merge_values: usize,
}

/// Tuned once on LogHub-2k for all systems together (never per system):
/// `<*>` counts as similar only against a variable token, no word-vs-word
/// mismatch is merged online, and 4 sibling values at one position make it
/// a variable.
const KNOBS: Knobs = Knobs {
    wild_mode: 2,
    max_strong: 0,
    merge_values: 4,
};

fn knobs() -> Knobs {
    KNOBS
}

/// Shape of one token (`info`: see [`tokenize::for_each_token`]): the
/// built-in classifier with the default masks, else [`custom_shape`].
#[inline(always)]
fn token_shape<'a>(
    t: &'a str,
    info: TokenInfo,
    custom: Option<&[MaskSpec]>,
    shaper: &'a mut Shaper,
) -> &'a str {
    match custom {
        None if info.needs_shape() => shaper.shape_token(t, info),
        None => t,
        Some(specs) => custom_shape(t, specs, shaper),
    }
}

/// With user masks: their placeholders (already written by the masker)
/// become `<*>`.
#[inline(never)]
fn custom_shape<'a>(t: &'a str, specs: &[MaskSpec], shaper: &'a mut Shaper) -> &'a str {
    if t.len() > tokenize::MAX_TOKEN_BYTES {
        return tokenize::WILDCARD_TEXT;
    }
    if !t.contains('<') {
        return t;
    }
    shaper.wildcard_placeholders(t, specs.iter().map(|sp| sp.placeholder.as_str()))
}

/// `T` + 16 hex digits of a 64-bit FNV-1a hash of the first text. Stable
/// across processes and versions (unlike `std`'s random hasher).
pub fn string_id_for(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in text.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("T{h:016x}")
}
