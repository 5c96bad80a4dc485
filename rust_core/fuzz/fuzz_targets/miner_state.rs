//! Loading a miner state: arbitrary bytes give a miner or an error, never a
//! panic or an out-of-memory abort; a loaded miner trains and round-trips.
#![no_main]

use _core::miner::Miner;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(mut m) = Miner::from_bytes(data) else {
        return;
    };
    for line in ["a b c", "a b d", "user=root 10.0.0.1 x"] {
        let (id, _) = m.train_at(line, 0);
        assert!(m.template(id).is_some(), "trained id {id} has no template");
        let _ = m.match_line(line);
    }
    let again = Miner::from_bytes(&m.to_bytes()).expect("own state loads");
    assert_eq!(again.len(), m.len());
});
