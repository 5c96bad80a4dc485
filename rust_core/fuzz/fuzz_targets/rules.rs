//! Rules: arbitrary user rules compile or fail with an error; matching any
//! line never panics and the batch agrees with the per-line answer.
#![no_main]

use _core::rules::{Rule, RuleSet};
use libfuzzer_sys::fuzz_target;
use logtriage_core_fuzz::split_input;

/// First line: rules separated by `\x1f`, each `id\tpattern\tlabel\tpriority\tfield`.
fn rules(head: &str) -> Vec<Rule> {
    head.split('\x1f')
        .take(8)
        .map(|r| {
            let f: Vec<&str> = r.split('\t').collect();
            let get = |i: usize| f.get(i).copied().unwrap_or("");
            Rule {
                anomaly: None,
                priority: get(3).trim().parse().unwrap_or(0),
                field: f.get(4).map(|s| (*s).to_owned()),
                ..Rule::new(get(0), get(1), get(2))
            }
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((head, lines, body)) = split_input(data) else {
        return;
    };
    let Ok(rs) = RuleSet::new(rules(head)) else {
        return;
    };
    // Field `f` of a line is its first word; other fields are absent.
    let first = |l: &'_ str| l.split_whitespace().next().unwrap_or("").to_owned();
    let column: Vec<String> = lines.iter().map(|l| first(l)).collect();
    let batch = rs
        .match_batch(&lines, &[("f", column.as_slice())])
        .expect("columns as long as lines");
    for (line, (&b, value)) in lines.iter().zip(batch.iter().zip(&column)) {
        let one = rs.match_with(line, |name| (name == "f").then_some(value.as_str()));
        assert_eq!(one.map_or(-1, |i| i as i32), b);
        if let Some(i) = rs.match_line(line) {
            assert!(i < rs.len());
        }
    }
    let _ = rs.match_line(body);
});
