//! The Drain prefix tree: root → token count → leading tokens → leaf with
//! the slots of its candidate templates ([`super::cluster::Recs`], kept in a
//! [`Leaf`]). Nodes live in an arena (`Vec<Node>`).

use super::cluster::Recs;
use super::leaf::Leaf;
use super::WILDCARD;
use rustc_hash::FxHashMap;

#[derive(Debug, Clone, Default)]
pub(crate) struct Node {
    pub children: FxHashMap<u32, u32>,
    pub wild: Option<u32>,
    pub templates: Leaf,
}

#[derive(Debug, Clone)]
pub(crate) struct Tree {
    pub nodes: Vec<Node>,
    /// token count → first level node
    pub by_len: FxHashMap<u32, u32>,
    /// pruned nodes, reused by `alloc`
    free: Vec<u32>,
}

impl Tree {
    pub fn new() -> Self {
        Self {
            nodes: Vec::new(),
            by_len: FxHashMap::default(),
            free: Vec::new(),
        }
    }

    fn alloc(&mut self) -> u32 {
        if let Some(n) = self.free.pop() {
            return n;
        }
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

    /// Removes the template in slot `id` (`len` tokens, tree `route`; `recs`
    /// holds the leaf's other templates) from its leaf and
    /// prunes the edges left without any template below them, so that the
    /// tree is the one [`replay`](Self::replay) of the live routes builds
    /// (`max_children` decisions, and so ids, survive a state round trip).
    pub fn remove_template(&mut self, len: u32, route: &[u32], id: u32, recs: &Recs) {
        let Some(&root) = self.by_len.get(&len) else {
            return;
        };
        let mut path = vec![root];
        for &tok in route {
            let n = &self.nodes[*path.last().unwrap_or(&root) as usize];
            let next = if tok == WILDCARD {
                n.wild
            } else {
                n.children.get(&tok).copied()
            };
            let Some(next) = next else { return };
            path.push(next);
        }
        let leaf = path[path.len() - 1];
        self.nodes[leaf as usize].templates.remove(id, recs);
        for k in (1..path.len()).rev() {
            if !self.is_empty_node(path[k]) {
                return;
            }
            let parent = &mut self.nodes[path[k - 1] as usize];
            if route[k - 1] == WILDCARD {
                parent.wild = None;
            } else {
                parent.children.remove(&route[k - 1]);
            }
            self.release(path[k]);
        }
        if self.is_empty_node(root) {
            self.by_len.remove(&len);
            self.release(root);
        }
    }

    /// Renames every edge's token (the interner was rebuilt).
    pub fn remap_tokens(&mut self, mut f: impl FnMut(u32) -> u32) {
        for n in &mut self.nodes {
            if !n.children.is_empty() {
                n.children = n.children.iter().map(|(&t, &c)| (f(t), c)).collect();
            }
        }
    }

    /// Rebuilds the leaves' indexes from the templates' tokens (after
    /// [`remap_tokens`](Self::remap_tokens) renumbered them).
    pub fn reindex(&mut self, recs: &Recs) {
        for n in &mut self.nodes {
            n.templates.reindex(recs);
        }
    }

    fn release(&mut self, node: u32) {
        self.nodes[node as usize] = Node::default();
        self.free.push(node);
    }

    fn is_empty_node(&self, node: u32) -> bool {
        let n = &self.nodes[node as usize];
        n.templates.is_empty() && n.children.is_empty() && n.wild.is_none()
    }

    pub fn memory_bytes(&self) -> usize {
        let node = std::mem::size_of::<Node>();
        self.nodes
            .iter()
            .map(|n| node + n.children.capacity() * 12 + n.templates.memory_bytes())
            .sum::<usize>()
            + self.by_len.capacity() * 12
            + self.free.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removal_prunes_to_the_replayed_tree_and_reuses_nodes() {
        let recs = Recs::default();
        let mut tree = Tree::new();
        let (leaf, route) = tree.insert_path(&[1, 2, 3], 2, 100);
        tree.nodes[leaf as usize].templates.push(7, &recs);
        let (other, other_route) = tree.insert_path(&[1, 4, 3], 2, 100);
        tree.nodes[other as usize].templates.push(8, &recs);
        let before = tree.nodes.len();
        for round in 0..100 {
            tree.remove_template(3, &route, 7, &recs);
            let (l, r) = tree.insert_path(&[1, 2 + round % 2 * 3, 3], 2, 100);
            tree.nodes[l as usize].templates.push(7, &recs);
            tree.remove_template(3, &r, 7, &recs);
            let (l, _) = tree.insert_path(&[1, 2, 3], 2, 100);
            tree.nodes[l as usize].templates.push(7, &recs);
        }
        assert_eq!(tree.nodes.len(), before);
        // Only the live paths are left: node 1 has the children 2 and 4.
        let top = tree.by_len[&3];
        assert_eq!(tree.nodes[top as usize].children.len(), 1);
        let one = tree.nodes[top as usize].children[&1];
        assert_eq!(tree.nodes[one as usize].children.len(), 2);
        tree.remove_template(3, &route, 7, &recs);
        tree.remove_template(3, &other_route, 8, &recs);
        assert!(tree.by_len.is_empty());
    }
}
