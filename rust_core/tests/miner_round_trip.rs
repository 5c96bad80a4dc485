//! Template ids survive a state round trip even after evictions: train A,
//! save, load, train B gives the ids of training A then B in one miner.

use _core::mask::Masker;
use _core::miner::{Miner, MinerConfig};

fn miner() -> Miner {
    let config = MinerConfig {
        max_templates: 4,
        max_children: 3,
        depth: 4,
        ..MinerConfig::default()
    };
    Miner::new(config, Masker::default()).expect("valid config")
}

fn train(m: &mut Miner, lines: &[&str]) -> Vec<u32> {
    lines.iter().map(|l| m.train_at(l, 0).0).collect()
}

#[test]
fn ids_stable_after_evictions() {
    // Evicting `p a` used to leave its tree edge behind, so the trained miner
    // sent `p c` to the `<*>` child (3 children) and the loaded one did not.
    let a = ["p a", "p b", "q z", "r y", "s x"];
    let b = ["p c", "p d", "p e", "p f", "p g", "p h", "p c", "p e"];
    let mut whole = miner();
    train(&mut whole, &a);
    let expected = train(&mut whole, &b);

    let mut first = miner();
    train(&mut first, &a);
    let mut loaded = Miner::from_bytes(&first.to_bytes()).expect("loads");
    assert_eq!(train(&mut loaded, &b), expected);
    assert_eq!(loaded.to_bytes(), whole.to_bytes());
}
