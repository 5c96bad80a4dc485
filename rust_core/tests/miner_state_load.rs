//! Loading hostile miner states: errors, never an abort or a broken miner.
//! Inputs of the `miner_state` fuzz target (rust_core/fuzz).

use _core::mask::Masker;
use _core::miner::{Miner, MinerConfig};
use _core::CoreError;

/// A valid state of a fresh default miner, with `next_id` and `aliases` replaced.
fn state(next_id: &str, aliases: &str) -> Vec<u8> {
    let fresh = Miner::new(MinerConfig::default(), Masker::default()).expect("miner");
    let text = String::from_utf8(fresh.to_bytes()).expect("json");
    let text = text.replace("\"next_id\":0", &format!("\"next_id\":{next_id}"));
    let text = text.replace("\"aliases\":[]", &format!("\"aliases\":{aliases}"));
    assert!(text.contains(&format!("\"next_id\":{next_id}")));
    text.into_bytes()
}

#[test]
fn huge_next_id_is_an_error_not_an_abort() {
    let err = Miner::from_bytes(&state("4294967295", "[]")).unwrap_err();
    assert!(matches!(err, CoreError::TooLarge { .. }), "{err}");
}

#[test]
fn alias_of_a_future_id_is_rejected() {
    // id 0 is the next template this miner creates; an alias would hide it.
    let err = Miner::from_bytes(&state("0", "[[0,7]]")).unwrap_err();
    assert!(matches!(err, CoreError::BadState(_)), "{err}");
}

#[test]
fn alias_of_a_live_template_is_rejected() {
    let mut m = Miner::new(MinerConfig::default(), Masker::default()).expect("miner");
    m.train_at("a b c", 0);
    let text = String::from_utf8(m.to_bytes()).expect("json");
    let bad = text.replace("\"aliases\":[]", "\"aliases\":[[0,0]]");
    assert!(bad.contains("[[0,0]]"));
    let err = Miner::from_bytes(bad.as_bytes()).unwrap_err();
    assert!(matches!(err, CoreError::BadState(_)), "{err}");
}

#[test]
fn valid_aliases_still_load() {
    let loaded = Miner::from_bytes(&state("3", "[[1,0],[2,0]]")).expect("loads");
    assert_eq!(loaded.resolve(2), 0);
}
