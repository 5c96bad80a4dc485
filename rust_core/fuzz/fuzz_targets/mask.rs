//! Masking: user masks compile or fail with an error; masking any line never
//! panics and is deterministic.
#![no_main]

use _core::mask::{MaskSpec, Masker};
use libfuzzer_sys::fuzz_target;
use logtriage_core_fuzz::split_input;

/// First line: `name\tregex\tplaceholder` triples separated by tabs; an empty
/// first line means the default masks.
fn masker(head: &str) -> Option<Masker> {
    if head.is_empty() {
        return Some(Masker::default());
    }
    let parts: Vec<&str> = head.split('\t').collect();
    let specs: Vec<MaskSpec> = parts
        .chunks(3)
        .take(4)
        .map(|c| MaskSpec::new(c[0], c.get(1).unwrap_or(&""), c.get(2).unwrap_or(&"")))
        .collect();
    Masker::new(&specs).ok()
}

fuzz_target!(|data: &[u8]| {
    let Some((head, lines, body)) = split_input(data) else {
        return;
    };
    let Some(m) = masker(head) else { return };
    let mut counts = vec![0u32; m.names().len()];
    for line in lines.iter().copied().chain([body]) {
        let out = m.mask(line);
        assert_eq!(out, m.mask(line));
        m.count_kinds(line, &mut counts);
    }
});
