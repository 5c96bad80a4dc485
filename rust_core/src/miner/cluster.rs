//! Templates (Drain's clusters) and the token interner.

use super::WILDCARD;
use rustc_hash::FxHashMap;

/// A mined template, as other modules and Python see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Stable integer id; never reused, never changed by generalisation.
    pub id: u32,
    /// Stable string id: a hash of the template's *first* text.
    pub string_id: String,
    /// Current text, `<*>` for variables.
    pub text: String,
    pub count: u64,
    pub first_seen_s: i64,
    pub last_seen_s: i64,
}

/// A template plus what the miner needs to route and match it.
#[derive(Debug, Clone)]
pub(crate) struct Rec {
    pub tpl: Template,
    pub tokens: Vec<u32>,
    /// hash of each token's text (`<*>` hashed too): the repeat cache's check
    pub hashes: Vec<u64>,
    pub route: Vec<u32>,
    pub leaf: u32,
    pub last_used: u64,
}

impl Rec {
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Option<Rec>>()
            + self.tokens.capacity() * 4
            + self.hashes.capacity() * 8
            + self.route.capacity() * 4
            + self.tpl.text.capacity()
            + self.tpl.string_id.capacity()
    }
}

/// Token shapes interned to `u32`; id 0 is the wildcard `<*>`.
#[derive(Debug, Clone)]
pub(crate) struct Interner {
    map: FxHashMap<Box<str>, u32>,
    strs: Vec<Box<str>>,
    /// `true` for plain words (shapes without `<*>`)
    word: Vec<bool>,
}

impl Interner {
    pub fn new() -> Self {
        let mut s = Self {
            map: FxHashMap::default(),
            strs: Vec::new(),
            word: Vec::new(),
        };
        let w = s.intern(super::tokenize::WILDCARD_TEXT);
        debug_assert_eq!(w, WILDCARD);
        s
    }

    #[inline]
    pub fn get(&self, s: &str) -> Option<u32> {
        self.map.get(s).copied()
    }

    #[inline]
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.map.get(s) {
            return id;
        }
        let id = self.strs.len() as u32;
        let b: Box<str> = s.into();
        self.word.push(!s.contains(super::tokenize::WILDCARD_TEXT));
        self.strs.push(b.clone());
        self.map.insert(b, id);
        id
    }

    /// Shapes interned (the wildcard included).
    pub fn len(&self) -> usize {
        self.strs.len()
    }

    #[inline]
    pub fn text(&self, id: u32) -> &str {
        self.strs.get(id as usize).map_or("<*>", |s| s)
    }

    /// A plain word (no variable part); unknown ids are not words.
    #[inline]
    pub fn is_word(&self, id: u32) -> bool {
        self.word.get(id as usize).copied().unwrap_or(false)
    }

    pub fn memory_bytes(&self) -> usize {
        self.strs.iter().map(|s| 2 * s.len() + 32).sum::<usize>() + self.map.capacity() * 24
    }
}

/// The live templates: one slot each (slots of removed templates are
/// reused) and an id → slot map. Tree leaves hold slots, so scanning a leaf
/// needs no hashing; memory follows the live templates, not the ids given.
#[derive(Debug, Clone, Default)]
pub(crate) struct Recs {
    slots: Vec<Option<Rec>>,
    free: Vec<u32>,
    by_id: FxHashMap<u32, u32>,
}

impl Recs {
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    #[inline]
    pub fn contains(&self, id: u32) -> bool {
        self.by_id.contains_key(&id)
    }

    #[inline]
    pub fn get(&self, id: u32) -> Option<&Rec> {
        self.by_id.get(&id).and_then(|&s| self.at(s))
    }

    #[inline]
    pub fn get_mut(&mut self, id: u32) -> Option<&mut Rec> {
        let s = *self.by_id.get(&id)?;
        self.slots.get_mut(s as usize).and_then(Option::as_mut)
    }

    /// The slot of a live template.
    #[inline]
    pub fn slot_of(&self, id: u32) -> Option<u32> {
        self.by_id.get(&id).copied()
    }

    /// The template in a slot (tree leaves hold slots).
    #[inline]
    pub fn at(&self, slot: u32) -> Option<&Rec> {
        self.slots.get(slot as usize).and_then(Option::as_ref)
    }

    /// Adds a template (its id must be new); returns its slot.
    pub fn insert(&mut self, rec: Rec) -> u32 {
        let id = rec.tpl.id;
        let slot = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = Some(rec);
                s
            }
            None => {
                self.slots.push(Some(rec));
                (self.slots.len() - 1) as u32
            }
        };
        self.by_id.insert(id, slot);
        slot
    }

    /// Removes a template: its slot and record.
    pub fn remove(&mut self, id: u32) -> Option<(u32, Rec)> {
        let slot = self.by_id.remove(&id)?;
        let rec = self.slots.get_mut(slot as usize).and_then(Option::take)?;
        self.free.push(slot);
        Some((slot, rec))
    }

    pub fn values(&self) -> impl Iterator<Item = &Rec> {
        self.slots.iter().flatten()
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Rec> {
        self.slots.iter_mut().flatten()
    }

    pub fn memory_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Option<Rec>>()
            + self.free.capacity() * 4
            + self.by_id.capacity() * 9
            + self.values().map(Rec::memory_bytes).sum::<usize>()
    }
}
