//! Criterion benches of header parsing and the rule set (100 rules) on LogHub-2k
//! lines (read in place from `../shared/data`, or `$LOGTRIAGE_SHARED_DATA`;
//! built-in sample lines when the data is not there).

use _core::header::HeaderParser;
use _core::rules::{Rule, RuleSet};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::hint::black_box;
use std::path::PathBuf;

const SAMPLE: &[&str] = &[
    "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating",
    "081109 203807 222 INFO dfs.DataNode$PacketResponder: Received block blk_-6952295868487656571 of size 67108864 from /10.251.42.84",
    "081109 204005 35 INFO dfs.FSNamesystem: BLOCK* NameSystem.addStoredBlock: blockMap updated: 10.251.73.220:50010 is added to blk_7128370237687728475 size 67108864",
    "081109 204106 329 WARN dfs.DataNode$DataXceiver: 10.251.30.85:50010:Got exception while serving blk_-2918118818249673980 to /10.251.90.64:",
    "081109 204132 26 INFO dfs.FSNamesystem: BLOCK* NameSystem.delete: blk_-5140072410813878235 is added to invalidSet of 10.251.123.20:50010",
];

/// Raw HDFS lines: LogHub-2k when present, else the built-in sample.
fn hdfs_lines() -> Vec<String> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut candidates = vec![];
    if let Ok(dir) = std::env::var("LOGTRIAGE_SHARED_DATA") {
        candidates.push(PathBuf::from(dir));
    }
    candidates.push(manifest.join("../../shared/data"));
    candidates.push(manifest.join("../../../shared/data"));
    for base in candidates {
        if let Ok(text) = std::fs::read_to_string(base.join("loghub-2k/HDFS/HDFS_2k.log")) {
            return text.lines().map(str::to_owned).collect();
        }
    }
    SAMPLE.iter().map(|s| (*s).to_owned()).collect()
}

fn hundred_rules() -> Vec<Rule> {
    let mut rules = vec![
        Rule::new(
            "sshd.auth_failure",
            r"\bFailed (?:password|publickey|none) for (?:invalid user )?\S+ from \S+",
            "Security Alert",
        ),
        Rule::new("kernel.panic", r"(?i)\bkernel panic\b", "Critical Error"),
        Rule::new(
            "kernel.oom_kill",
            r"\bOut of memory: Kill(?:ed)? process\b",
            "Critical Error",
        ),
        Rule::new(
            "http.access_log",
            r#""(?:GET|POST|PUT|DELETE|HEAD) \S+ HTTP/\d(?:\.\d)?" [1-5]\d\d\b"#,
            "HTTP Status",
        ),
        Rule::new(
            "hdfs.exception",
            r"Got exception while serving blk_-?\d+ to /\S+",
            "Error",
        ),
    ];
    let words = [
        "PacketResponder",
        "Receiving block",
        "Deleting block",
        "Verification succeeded",
        "NameSystem.allocateBlock",
        "addStoredBlock",
        "Served block",
        "writeBlock",
        "Starting thread",
        "Connection reset",
        "Broken pipe",
        "session closed",
        "session opened",
        "Accepted publickey",
        "disk full",
        "Retrying connect",
        "heartbeat",
        "checkpoint",
        "Shutting down",
        "Registered",
    ];
    let mut k = 0;
    while rules.len() < 100 {
        let w = words[k % words.len()];
        let pattern = format!(r"\b{w}\b.*\b(?:{k}|id={k}|blk_-?\d+ {k})\b");
        rules.push(Rule {
            priority: (k % 5) as i32,
            ..Rule::new(&format!("synthetic.r{k}"), &pattern, "System Notification")
        });
        k += 1;
    }
    rules
}

fn bench(c: &mut Criterion) {
    let raw = hdfs_lines();
    let parser = HeaderParser::from_preset("hdfs").expect("preset");
    let contents: Vec<String> = raw.iter().map(|l| parser.content(l).0.to_owned()).collect();

    let mut g = c.benchmark_group("header");
    g.throughput(Throughput::Elements(raw.len() as u64));
    g.bench_function("hdfs_parse_batch", |b| {
        b.iter(|| black_box(parser.parse_batch(&raw)))
    });
    g.bench_function("hdfs_content_only", |b| {
        b.iter(|| {
            for l in &raw {
                black_box(parser.content(l));
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("rules");
    g.throughput(Throughput::Elements(contents.len() as u64));
    g.bench_function("compile_100", |b| {
        b.iter_batched(
            hundred_rules,
            |r| RuleSet::new(r).expect("rules"),
            BatchSize::SmallInput,
        )
    });
    let set = RuleSet::new(hundred_rules()).expect("rules");
    let none: &[(&str, &[String])] = &[];
    g.bench_function("match_batch_100_rules", |b| {
        b.iter(|| black_box(set.match_batch(&contents, none).expect("batch")))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
