//! Mining: training never panics, and ids are stable across a state round
//! trip: train A, save, load, train B gives the ids of training A then B in
//! one miner.
#![no_main]

use _core::mask::{default_masks, MaskSpec, Masker};
use _core::miner::{Miner, MinerConfig};
use libfuzzer_sys::fuzz_target;
use logtriage_core_fuzz::{byte, split_input};

/// Config from the first five bytes (small limits so that eviction, the
/// `<*>` child and token truncation all happen); byte 5 odd adds a user mask.
fn miner(knobs: &[u8]) -> Miner {
    let config = MinerConfig {
        sim_threshold: f64::from(byte(knobs, 0)) / 255.0,
        depth: 3 + usize::from(byte(knobs, 1) % 6),
        max_children: 2 + usize::from(byte(knobs, 2) % 8),
        max_templates: 1 + usize::from(byte(knobs, 3) % 64),
        max_tokens: 1 + usize::from(byte(knobs, 4) % 40),
    };
    let mut specs = default_masks();
    if byte(knobs, 5) % 2 == 1 {
        specs.push(MaskSpec::new("word", r"\bid\w*", "<ID>"));
    }
    let masker = Masker::new(&specs).expect("masks compile");
    Miner::new(config, masker).expect("valid config")
}

fn train(m: &mut Miner, lines: &[&str], t0: i64) -> Vec<(u32, u32, String)> {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let (id, _) = m.train_at(l, t0 + i as i64);
            let text = m.template(id).map(|t| t.text.clone()).unwrap_or_default();
            (id, m.resolve(id), text)
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((head, lines, _)) = split_input(data) else {
        return;
    };
    // Lines up to a `--` line are A, the rest B.
    let cut = lines
        .iter()
        .position(|l| l.trim_end() == "--")
        .unwrap_or(lines.len() / 2);
    let (a, b) = (&lines[..cut], &lines[(cut + 1).min(lines.len())..]);

    let mut whole = miner(head.as_bytes());
    train(&mut whole, a, 1_000);
    let expected = train(&mut whole, b, 1_000 + a.len() as i64);

    let mut first = miner(head.as_bytes());
    train(&mut first, a, 1_000);
    let mut loaded = Miner::from_bytes(&first.to_bytes()).expect("own state loads");
    assert_eq!(loaded.len(), first.len());
    let got = train(&mut loaded, b, 1_000 + a.len() as i64);
    assert_eq!(got, expected);
    for l in a.iter().chain(b) {
        assert_eq!(loaded.match_line(l), whole.match_line(l));
    }
});
