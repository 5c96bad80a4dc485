//! Header parsing: any format either fails to compile with an error or parses
//! every line; unmatched lines keep the whole stripped line as `Content`.
#![no_main]

use _core::header::{py_strip, HeaderParser, PRESETS};
use libfuzzer_sys::fuzz_target;
use logtriage_core_fuzz::split_input;

/// First line `@n`: preset number `n`; otherwise the first line is the format.
fn parser(head: &str) -> Option<HeaderParser> {
    match head.strip_prefix('@') {
        Some(n) => {
            let k = n.trim().parse::<usize>().ok()? % PRESETS.len();
            Some(HeaderParser::new(PRESETS[k].1).expect("presets compile"))
        }
        None if head.len() <= 512 => HeaderParser::new(head).ok(),
        None => None,
    }
}

fn check_line(p: &HeaderParser, line: &str) {
    let mut locs = p.capture_locations();
    let mut spans = vec![(0, 0); p.fields().len()];
    let ok = p.parse_spans(line, &mut locs, &mut spans);
    for &(s, e) in &spans {
        assert!(
            s <= e && line.get(s..e).is_some(),
            "span {s}..{e} of {line:?}"
        );
    }
    let content = &line[spans[p.content_index()].0..spans[p.content_index()].1];
    if !ok {
        assert_eq!(content, py_strip(line));
    }
    assert_eq!(p.content(line), (content, ok));
    assert_eq!(p.parse(line).is_some(), ok);
}

fuzz_target!(|data: &[u8]| {
    let Some((head, lines, body)) = split_input(data) else {
        return;
    };
    let Some(p) = parser(head) else { return };
    for line in &lines {
        check_line(&p, line);
    }
    check_line(&p, body);
    let (spans, matched) = p.parse_batch(&lines);
    assert_eq!(matched.len(), lines.len());
    assert_eq!(spans.len(), lines.len() * p.fields().len());
    let (content, matched_c) = p.content_batch(&lines);
    assert_eq!((content.len(), &matched_c), (lines.len(), &matched));
});
