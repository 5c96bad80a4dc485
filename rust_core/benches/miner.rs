//! Criterion: masking + mining + ids per line (`Miner::train_at`), and the
//! regex `Masker`. Lines: LogHub-2k `Content` of all 12 systems read in place
//! from ../shared/data (or `LOGTRIAGE_SHARED_DATA`); the committed fixture
//! when the data is absent.

use _core::mask::Masker;
use _core::miner::{Miner, MinerConfig};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::path::PathBuf;

const SYSTEMS: [&str; 12] = [
    "Android",
    "Apache",
    "BGL",
    "HDFS",
    "HPC",
    "Hadoop",
    "Linux",
    "Mac",
    "OpenSSH",
    "OpenStack",
    "Spark",
    "Zookeeper",
];

/// `Content` column of a LogPAI structured CSV (quoted fields, "" escapes).
fn content_column(text: &str) -> Vec<String> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let (mut row, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut it = text.chars().peekable();
    while let Some(c) = it.next() {
        match (quoted, c) {
            (true, '"') if it.peek() == Some(&'"') => {
                field.push('"');
                it.next();
            }
            (true, '"') => quoted = false,
            (true, _) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, _) => field.push(c),
        }
    }
    if !row.is_empty() || !field.is_empty() {
        row.push(field);
        rows.push(row);
    }
    let Some(ci) = rows
        .first()
        .and_then(|h| h.iter().position(|x| x == "Content"))
    else {
        return Vec::new();
    };
    rows.iter()
        .skip(1)
        .filter_map(|r| r.get(ci).cloned())
        .collect()
}

fn lines() -> Vec<String> {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut dirs: Vec<PathBuf> = std::env::var("LOGTRIAGE_SHARED_DATA")
        .map(|p| vec![PathBuf::from(p)])
        .unwrap_or_default();
    dirs.push(here.join("../../shared/data"));
    dirs.push(here.join("../../../shared/data"));
    for d in dirs {
        let mut out = Vec::new();
        for s in SYSTEMS {
            let p = d.join(format!("loghub-2k/{s}/{s}_2k.log_structured.csv"));
            if let Ok(t) = std::fs::read_to_string(p) {
                out.extend(content_column(&t));
            }
        }
        if !out.is_empty() {
            return out;
        }
    }
    include_str!("../tests/fixtures/sample.log")
        .lines()
        .map(str::to_owned)
        .collect()
}

fn bench(c: &mut Criterion) {
    let base = lines();
    let mut g = c.benchmark_group("miner");
    g.throughput(Throughput::Elements(base.len() as u64));
    g.sample_size(20);
    // warm miner: the steady state of a long-running sidecar
    let mut warm = Miner::new(MinerConfig::default(), Masker::default()).expect("miner");
    for l in &base {
        warm.train_at(l, 0);
    }
    g.bench_function("train_warm", |b| {
        b.iter(|| {
            for l in &base {
                black_box(warm.train_at(l, 0));
            }
        })
    });
    g.bench_function("train_cold", |b| {
        b.iter(|| {
            let mut m = Miner::new(MinerConfig::default(), Masker::default()).expect("miner");
            for l in &base {
                black_box(m.train_at(l, 0));
            }
        })
    });
    g.bench_function("match", |b| {
        b.iter(|| {
            for l in &base {
                black_box(warm.match_line(l));
            }
        })
    });
    let masker = Masker::default();
    g.bench_function("mask_regex", |b| {
        b.iter(|| {
            for l in &base {
                black_box(masker.mask(l));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
