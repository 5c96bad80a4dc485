//! Miner behaviour: tree matching, generalisation, ids, eviction, huge
//! lines, state save/load and its errors.

use _core::error::CoreError;
use _core::mask::{MaskSpec, Masker};
use _core::miner::{Change, Miner, MinerConfig};
use std::time::Instant;

fn miner() -> Miner {
    Miner::new(MinerConfig::default(), Masker::default()).expect("miner")
}

fn fixture() -> Vec<String> {
    let text = include_str!("fixtures/sample.log");
    text.lines().map(str::to_owned).collect()
}

#[test]
fn variables_share_a_template() {
    let mut m = miner();
    let (a, ca) = m.train_at("Connection from 10.0.0.1:22 closed after 12ms", 100);
    let (b, cb) = m.train_at("Connection from 10.0.0.2:2222 closed after 3.5s", 200);
    assert_eq!(ca, Change::Created);
    assert_eq!(cb, Change::Unchanged);
    assert_eq!(a, b);
    let t = m.template(a).expect("template");
    assert_eq!(t.text, "Connection from <*> closed after <*>");
    assert_eq!(t.count, 2);
    assert_eq!((t.first_seen_s, t.last_seen_s), (100, 200));
}

#[test]
fn generalisation_keeps_ids() {
    let mut m = miner();
    let (a, _) = m.train_at("session opened for user root", 1);
    let sid = m.template(a).expect("t").string_id.clone();
    let (b, c) = m.train_at("session opened for user u1002", 2);
    assert_eq!(a, b);
    assert_eq!(c, Change::Generalized);
    let t = m.template(a).expect("t");
    assert_eq!(t.text, "session opened for user <*>");
    assert_eq!(t.string_id, sid, "string id survives generalisation");
}

#[test]
fn different_lengths_and_words_stay_apart() {
    let mut m = miner();
    let (a, _) = m.train_at("VM Started (Lifecycle Event)", 0);
    let (b, _) = m.train_at("VM Paused (Lifecycle Event)", 0);
    let (c, _) = m.train_at("VM Paused (Lifecycle Event) now", 0);
    assert_ne!(a, b, "two words, few values: constants");
    assert_ne!(b, c);
    assert_eq!(m.len(), 3);
}

#[test]
fn many_values_at_one_position_merge() {
    let mut m = miner();
    let users = ["root", "admin", "oracle", "guest", "test", "ftp"];
    let ids: Vec<u32> = users
        .iter()
        .map(|u| m.train_at(&format!("Invalid user {u} from 10.1.2.3"), 0).0)
        .collect();
    let resolved: Vec<u32> = ids.iter().map(|&i| m.resolve(i)).collect();
    assert!(resolved.iter().all(|&r| r == resolved[0]), "{resolved:?}");
    assert_eq!(
        m.template(ids[0]).expect("t").text,
        "Invalid user <*> from <*>"
    );
    assert_eq!(
        m.template(resolved[0]).expect("t").count,
        users.len() as u64
    );
}

#[test]
fn match_is_read_only() {
    let mut m = miner();
    let (a, _) = m.train_at("disk sda1 is 93% full", 0);
    assert_eq!(m.match_line("disk sda1 is 12% full"), Some(a));
    assert_eq!(m.match_line("completely unrelated words here"), None);
    assert_eq!(m.len(), 1);
    assert_eq!(m.template(a).expect("t").count, 1);
}

#[test]
fn lru_eviction() {
    let cfg = MinerConfig {
        max_templates: 2,
        ..MinerConfig::default()
    };
    let mut m = Miner::new(cfg, Masker::default()).expect("miner");
    let (a, _) = m.train_at("alpha one", 0);
    let (b, _) = m.train_at("beta two three", 0);
    m.train_at("alpha one", 0); // a is now more recent than b
    let (c, _) = m.train_at("gamma four five six", 0);
    assert_eq!(m.len(), 2);
    assert!(m.template(a).is_some());
    assert!(m.template(b).is_none(), "least recently used is evicted");
    assert!(m.template(c).is_some());
    // ids are never reused
    let (d, _) = m.train_at("beta two three", 0);
    assert!(d > c);
}

#[test]
fn huge_line_is_bounded() {
    let mut m = miner();
    let mut line = String::with_capacity(10 << 20);
    while line.len() < 10 << 20 {
        line.push_str("token123 word ");
    }
    let no_space = "x".repeat(10 << 20);
    let t = Instant::now();
    let (a, _) = m.train(&line);
    let (b, _) = m.train(&no_space);
    assert!(t.elapsed().as_secs_f64() < 2.0, "took {:?}", t.elapsed());
    let ta = m.template(a).expect("t");
    assert_eq!(
        ta.text.split(' ').count(),
        MinerConfig::default().max_tokens + 1
    );
    assert!(ta.text.ends_with("<*>"));
    assert_eq!(m.template(b).expect("t").text, "<*>");
    assert!(m.memory_bytes() < 1 << 20, "{}", m.memory_bytes());
}

#[test]
fn state_round_trip_keeps_ids() {
    let mut m = miner();
    let lines = fixture();
    let ids: Vec<u32> = lines.iter().map(|l| m.train_at(l, 7).0).collect();
    let bytes = m.to_bytes();
    let mut r = Miner::from_bytes(&bytes).expect("load");
    assert_eq!(r.len(), m.len());
    for t in m.templates() {
        let u = r.template(t.id).expect("same id");
        assert_eq!(u, t);
    }
    // training the restored miner on the same lines creates nothing new
    for (l, &id) in lines.iter().zip(&ids) {
        let (id2, change) = r.train_at(l, 8);
        assert_eq!(id2, m.resolve(id), "{l}");
        assert_ne!(change, Change::Created);
    }
    assert_eq!(r.len(), m.len(), "no template was created on reload");
}

#[test]
fn state_errors() {
    assert!(matches!(
        Miner::from_bytes(b"garbage"),
        Err(CoreError::BadState(_))
    ));
    assert!(matches!(
        Miner::from_bytes(b""),
        Err(CoreError::BadState(_))
    ));
    let newer = br#"{"format":"logtriage-miner","version":99}"#;
    assert!(matches!(
        Miner::from_bytes(newer),
        Err(CoreError::StateVersion {
            found: 99,
            expected: 1
        })
    ));
    let other = br#"{"format":"something-else","version":1}"#;
    assert!(matches!(
        Miner::from_bytes(other),
        Err(CoreError::BadState(_))
    ));
}

#[test]
fn bad_config_is_rejected() {
    let cfg = MinerConfig {
        sim_threshold: 1.5,
        depth: 1,
        ..MinerConfig::default()
    };
    let err = Miner::new(cfg, Masker::default()).unwrap_err();
    assert!(
        matches!(err, CoreError::BadConfig(ref s) if s.contains("sim_threshold") && s.contains("depth"))
    );
}

#[test]
fn custom_masks_drive_the_miner() {
    let masker = Masker::new(&[MaskSpec::new("color", r"\b(?:red|green|blue)\b", "<COLOR>")])
        .expect("masker");
    let mut m = Miner::new(MinerConfig::default(), masker).expect("miner");
    let (a, _) = m.train_at("paint the wall red today", 0);
    let (b, _) = m.train_at("paint the wall blue today", 0);
    assert_eq!(a, b);
    assert_eq!(m.template(a).expect("t").text, "paint the wall <*> today");
    let bytes = m.to_bytes();
    let r = Miner::from_bytes(&bytes).expect("load");
    assert_eq!(r.match_line("paint the wall green today"), Some(a));
}

/// A distinct plain word per `i` (no digits: the classifier keeps it).
fn word(i: usize) -> String {
    const LETTERS: &[u8] = b"bcdghjkmnpqrsvwxz";
    let mut w = String::from("q");
    for p in 0..5 {
        w.push(LETTERS[i / 17usize.pow(p) % 17] as char);
    }
    w
}

#[test]
fn memory_follows_live_templates_and_compaction_changes_no_template() {
    let config = MinerConfig {
        max_templates: 100,
        ..MinerConfig::default()
    };
    let mut m = Miner::new(config, Masker::default()).expect("miner");
    let (keep, _) = m.train_at("user alice logged in from 10.0.0.1", 0);
    let (merged, _) = m.train_at("job alpha step one failed", 0);
    for step in ["two", "three", "four"] {
        m.train_at(&format!("job alpha step {step} failed"), 0);
    }
    assert_eq!(m.resolve(merged), merged, "the oldest sibling survives");
    let mut peak = 0;
    let mut last = 0;
    for n in 0..40_000 {
        let line: Vec<String> = (0..5).map(|j| word(5 * n + j)).collect();
        let (id, change) = m.train_at(&line.join(" "), 0);
        assert_eq!(change, Change::Created);
        assert!(id > last, "ids are never given twice");
        last = id;
        if n % 50 == 0 {
            // the two old templates stay live and keep matching as before
            assert_eq!(m.train_at("user alice logged in from 10.0.0.2", 0).0, keep);
            assert_eq!(m.train_at("job alpha step five failed", 0).0, merged);
        }
        peak = peak.max(m.memory_bytes());
    }
    // 200,000 distinct words were interned (and compacted away): ~20 MB before.
    assert!(peak < 3_000_000, "{peak} bytes");
    assert_eq!(
        m.template(keep).expect("live").text,
        "user alice logged in from <*>"
    );
    assert_eq!(
        m.template(merged).expect("live").text,
        "job alpha step <*> failed"
    );
    // A word of a live template is still a word: a different one is no match.
    let (other, change) = m.train_at("user alice logged out from 10.0.0.1", 0);
    assert_eq!(change, Change::Created);
    assert_ne!(other, keep);
    let loaded = Miner::from_bytes(&m.to_bytes()).expect("loads");
    assert_eq!(loaded.to_bytes(), m.to_bytes());
}
