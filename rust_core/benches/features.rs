//! Criterion bench of the text features on LogHub-2k HDFS lines (or a
//! built-in sample when the shared data is not there).

use _core::features::Featurizer;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::path::PathBuf;

fn lines() -> Vec<String> {
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
    vec![
        "081109 204106 329 WARN dfs.DataNode$DataXceiver: 10.251.30.85:50010:Got exception while serving blk_-2918118818249673980 to /10.251.90.64:".to_owned(),
        r#"{"level":"error","msg":"Connection refused","host":"10.0.0.1","retry":3}"#.to_owned(),
        "Caused by: java.io.IOException: Broken pipe\tat org.apache.hadoop.ipc.Client.call(Client.java:42)".to_owned(),
    ]
}

fn bench(c: &mut Criterion) {
    let lines = lines();
    let f = Featurizer::shared();
    let mut row = vec![0f32; f.width()];
    let mut g = c.benchmark_group("features");
    g.throughput(Throughput::Elements(lines.len() as u64));
    g.bench_function("row_by_row", |b| {
        b.iter(|| {
            for l in &lines {
                f.row(l, &mut row);
                black_box(&row);
            }
        })
    });
    g.bench_function("batch", |b| b.iter(|| black_box(f.batch(&lines))));
    let huge = "x1 ".repeat(3_500_000);
    g.throughput(Throughput::Elements(1));
    g.bench_function("ten_megabyte_line", |b| {
        b.iter(|| {
            f.row(&huge, &mut row);
            black_box(&row);
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
