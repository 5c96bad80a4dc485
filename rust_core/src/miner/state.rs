//! Versioned miner state (JSON). Ids, string ids, counters, first/last seen,
//! the recency order and each template's tree route survive; the interner,
//! tree and repeat cache are rebuilt on load.

use super::cluster::{Interner, Rec, Recs, Template};
use super::tree::Tree;
use super::{min_alias_limit, Miner, MinerConfig, MIN_INTERNER_LIMIT, WILDCARD};
use crate::error::{CoreError, CoreResult};
use crate::mask::{MaskSpec, Masker};
use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "logtriage-miner";
pub const VERSION: u32 = 1;
/// Largest `next_id` a state may claim: ids from `u32::MAX - 2` up are
/// reserved (Python's session files use them as markers). Memory does not
/// depend on it: the miner keeps only live templates.
pub const MAX_NEXT_ID: u32 = u32::MAX - 2;

#[derive(Deserialize)]
struct Header {
    format: String,
    version: u32,
}

#[derive(Serialize, Deserialize)]
struct ConfigState {
    sim_threshold: f64,
    depth: usize,
    max_children: usize,
    max_templates: usize,
    max_tokens: usize,
}

#[derive(Serialize, Deserialize)]
struct TemplateState {
    id: u32,
    string_id: String,
    tokens: Vec<String>,
    /// tree route; `null` entries are the `<*>` child
    route: Vec<Option<String>>,
    count: u64,
    first_seen_s: i64,
    last_seen_s: i64,
    last_used: u64,
}

#[derive(Serialize, Deserialize)]
struct State {
    format: String,
    version: u32,
    config: ConfigState,
    masks: Vec<(String, String, String)>,
    next_id: u32,
    tick: u64,
    templates: Vec<TemplateState>,
    /// merged ids: (absorbed, survivor)
    #[serde(default)]
    aliases: Vec<(u32, u32)>,
}

pub fn to_bytes(m: &Miner) -> Vec<u8> {
    let c = &m.config;
    let text = |t: u32| m.interner.text(t).to_owned();
    let state = State {
        format: FORMAT.to_owned(),
        version: VERSION,
        config: ConfigState {
            sim_threshold: c.sim_threshold,
            depth: c.depth,
            max_children: c.max_children,
            max_templates: c.max_templates,
            max_tokens: c.max_tokens,
        },
        masks: m
            .masker
            .specs()
            .iter()
            .map(|s| (s.name.clone(), s.regex.clone(), s.placeholder.clone()))
            .collect(),
        next_id: m.next_id,
        tick: m.tick,
        templates: m
            .recs_by_id()
            .into_iter()
            .map(|r| TemplateState {
                id: r.tpl.id,
                string_id: r.tpl.string_id.clone(),
                tokens: r.tokens.iter().map(|&t| text(t)).collect(),
                route: r
                    .route
                    .iter()
                    .map(|&t| (t != WILDCARD).then(|| text(t)))
                    .collect(),
                count: r.tpl.count,
                first_seen_s: r.tpl.first_seen_s,
                last_seen_s: r.tpl.last_seen_s,
                last_used: r.last_used,
            })
            .collect(),
        aliases: {
            let mut a: Vec<(u32, u32)> = m.aliases.iter().map(|(&k, &v)| (k, v)).collect();
            a.sort_unstable();
            a
        },
    };
    // Serializing plain structs of strings and numbers cannot fail.
    serde_json::to_vec(&state).unwrap_or_default()
}

/// Every absorbed id was given out and is no live template (else it would
/// hide a live or a future template); every survivor was given out.
fn check_aliases(aliases: &[(u32, u32)], recs: &Recs, next_id: u32) -> CoreResult<()> {
    for &(absorbed, survivor) in aliases {
        let given = |id: u32| id < next_id;
        if !given(absorbed) || !given(survivor) || recs.contains(absorbed) {
            return Err(CoreError::BadState(format!(
                "alias {absorbed} -> {survivor} does not fit {next_id} ids"
            )));
        }
    }
    Ok(())
}

pub fn from_bytes(data: &[u8]) -> CoreResult<Miner> {
    let header: Header =
        serde_json::from_slice(data).map_err(|e| CoreError::BadState(e.to_string()))?;
    if header.format != FORMAT {
        return Err(CoreError::BadState(format!(
            "not a miner state (format {:?})",
            header.format
        )));
    }
    if header.version != VERSION {
        return Err(CoreError::StateVersion {
            found: header.version,
            expected: VERSION,
        });
    }
    let st: State = serde_json::from_slice(data).map_err(|e| CoreError::BadState(e.to_string()))?;
    let config = MinerConfig {
        sim_threshold: st.config.sim_threshold,
        depth: st.config.depth,
        max_children: st.config.max_children,
        max_templates: st.config.max_templates,
        max_tokens: st.config.max_tokens,
    };
    let specs: Vec<MaskSpec> = st
        .masks
        .iter()
        .map(|(n, r, p)| MaskSpec::new(n, r, p))
        .collect();
    let masker = Masker::new(&specs)?;
    let mut m = Miner::new(config, masker)?;
    let mut interner = Interner::new();
    let mut tree = Tree::new();
    if st.next_id > MAX_NEXT_ID {
        return Err(CoreError::TooLarge {
            what: "miner state next_id".to_owned(),
            size: st.next_id as usize,
            limit: MAX_NEXT_ID as usize,
        });
    }
    // Memory follows the templates in the state, never `next_id`.
    let mut recs = Recs::default();
    for t in st.templates {
        if t.id >= st.next_id {
            return Err(CoreError::BadState(format!(
                "template id {} >= next_id {}",
                t.id, st.next_id
            )));
        }
        if recs.contains(t.id) {
            return Err(CoreError::BadState(format!(
                "duplicate template id {}",
                t.id
            )));
        }
        let tokens: Vec<u32> = t.tokens.iter().map(|s| interner.intern(s)).collect();
        let route: Vec<u32> = t
            .route
            .iter()
            .map(|s| s.as_deref().map_or(WILDCARD, |s| interner.intern(s)))
            .collect();
        let leaf = tree.replay(tokens.len() as u32, &route);
        let text = t.tokens.join(" ");
        let rec = Rec {
            tpl: Template {
                id: t.id,
                string_id: t.string_id,
                text,
                count: t.count,
                first_seen_s: t.first_seen_s,
                last_seen_s: t.last_seen_s,
            },
            hashes: Vec::new(),
            tokens,
            route,
            leaf,
            last_used: t.last_used,
        };
        let slot = recs.insert(rec);
        tree.nodes[leaf as usize].templates.push(slot, &recs);
    }
    for r in recs.values_mut() {
        r.hashes = r
            .tokens
            .iter()
            .map(|&t| super::str_hash(interner.text(t)))
            .collect();
    }
    check_aliases(&st.aliases, &recs, st.next_id)?;
    m.interner_limit = (2 * interner.len()).max(MIN_INTERNER_LIMIT);
    m.interner = interner;
    m.tree = tree;
    m.recs = recs;
    m.next_id = st.next_id;
    m.tick = st.tick;
    m.aliases = st.aliases.into_iter().collect();
    m.alias_limit = (2 * m.aliases.len()).max(min_alias_limit(m.config.max_templates));
    Ok(m)
}
