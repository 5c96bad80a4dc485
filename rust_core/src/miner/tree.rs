//! The Drain prefix tree: root → token count → leading tokens → leaf with
//! candidate template ids. Nodes live in an arena (`Vec<Node>`).

use super::WILDCARD;
use rustc_hash::FxHashMap;

#[derive(Debug, Clone, Default)]
pub(crate) struct Node {
    pub children: FxHashMap<u32, u32>,
    pub wild: Option<u32>,
    pub templates: Vec<u32>,
}

#[derive(Debug, Clone)]
pub(crate) struct Tree {
    pub nodes: Vec<Node>,
    /// token count → first level node
    pub by_len: FxHashMap<u32, u32>,
}

impl Tree {
    pub fn new() -> Self {
        Self {
            nodes: Vec::new(),
            by_len: FxHashMap::default(),
        }
    }

    fn alloc(&mut self) -> u32 {
        self.nodes.push(Node::default());
        (self.nodes.len() - 1) as u32
    }

    /// Leaf for a line (read-only); `None` when no path exists.
    pub fn search(&self, tokens: &[u32], levels: usize) -> Option<u32> {
        let mut node = *self.by_len.get(&(tokens.len() as u32))?;
        for &tok in tokens.iter().take(levels) {
            let n = &self.nodes[node as usize];
            node = if tok == WILDCARD {
                n.wild?
            } else {
                match n.children.get(&tok) {
                    Some(&c) => c,
                    None => n.wild?,
                }
            };
        }
        Some(node)
    }

    /// Creates (or follows) the path of a new template, Drain's way; returns
    /// the leaf and the route taken (`WILDCARD` for the `<*>` child).
    pub fn insert_path(
        &mut self,
        tokens: &[u32],
        levels: usize,
        max_children: usize,
    ) -> (u32, Vec<u32>) {
        let len = tokens.len() as u32;
        let mut node = match self.by_len.get(&len) {
            Some(&n) => n,
            None => {
                let n = self.alloc();
                self.by_len.insert(len, n);
                n
            }
        };
        let mut route = Vec::with_capacity(levels.min(tokens.len()));
        for &tok in tokens.iter().take(levels) {
            let n = &self.nodes[node as usize];
            let go_wild = if tok == WILDCARD {
                true
            } else if n.children.contains_key(&tok) {
                false
            } else if n.wild.is_some() {
                n.children.len() >= max_children
            } else {
                n.children.len() + 1 >= max_children
            };
            route.push(if go_wild { WILDCARD } else { tok });
            node = self.step(node, if go_wild { WILDCARD } else { tok });
        }
        (node, route)
    }

    /// Follows (creating) one edge.
    pub fn step(&mut self, node: u32, tok: u32) -> u32 {
        let existing = if tok == WILDCARD {
            self.nodes[node as usize].wild
        } else {
            self.nodes[node as usize].children.get(&tok).copied()
        };
        if let Some(c) = existing {
            return c;
        }
        let c = self.alloc();
        let n = &mut self.nodes[node as usize];
        if tok == WILDCARD {
            n.wild = Some(c);
        } else {
            n.children.insert(tok, c);
        }
        c
    }

    /// Replays a stored route (state load).
    pub fn replay(&mut self, len: u32, route: &[u32]) -> u32 {
        let mut node = match self.by_len.get(&len) {
            Some(&n) => n,
            None => {
                let n = self.alloc();
                self.by_len.insert(len, n);
                n
            }
        };
        for &tok in route {
            node = self.step(node, tok);
        }
        node
    }

    pub fn remove_template(&mut self, leaf: u32, id: u32) {
        if let Some(n) = self.nodes.get_mut(leaf as usize) {
            n.templates.retain(|&t| t != id);
        }
    }

    pub fn memory_bytes(&self) -> usize {
        let node = std::mem::size_of::<Node>();
        self.nodes
            .iter()
            .map(|n| node + n.children.capacity() * 12 + n.templates.capacity() * 4)
            .sum::<usize>()
            + self.by_len.capacity() * 12
    }
}
