//! Grouping accuracy on LogHub-2k (read in place from ../shared/data), with
//! one default configuration for all systems.

use _core::mask::Masker;
use _core::miner::{Miner, MinerConfig};
use std::collections::HashMap;
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

fn data_dir() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("LOGTRIAGE_SHARED_DATA") {
        return Some(PathBuf::from(p));
    }
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        here.join("../../shared/data"),
        here.join("../../../shared/data"),
    ]
    .into_iter()
    .find(|p| p.join("loghub-2k").is_dir())
}

/// Minimal RFC 4180 reader: rows of fields.
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else {
            match c {
                '"' => quoted = true,
                ',' => row.push(std::mem::take(&mut field)),
                '\r' => {}
                '\n' => {
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                _ => field.push(c),
            }
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// (content, ground-truth template) per line.
fn load(dir: &std::path::Path, system: &str) -> Vec<(String, String)> {
    let path = dir.join(format!("loghub-2k/{system}/{system}_2k.log_structured.csv"));
    let text = std::fs::read_to_string(&path).expect("structured csv");
    let rows = read_csv(&text);
    let header = &rows[0];
    let ci = header.iter().position(|h| h == "Content").expect("Content");
    let ti = header
        .iter()
        .position(|h| h == "EventTemplate")
        .expect("EventTemplate");
    rows[1..]
        .iter()
        .map(|r| (r[ci].clone(), r[ti].clone()))
        .collect()
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// LogPAI grouping accuracy and parsing accuracy.
pub fn ga_pa(pred: &[u32], pred_text: &[String], truth: &[String]) -> (f64, f64) {
    let mut gt: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, t) in truth.iter().enumerate() {
        gt.entry(t.as_str()).or_default().push(i);
    }
    let mut pg: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, &p) in pred.iter().enumerate() {
        pg.entry(p).or_default().push(i);
    }
    let mut correct = 0;
    for ids in pg.values() {
        let t = truth[ids[0]].as_str();
        if ids.iter().all(|&i| truth[i] == t) && gt[t].len() == ids.len() {
            correct += ids.len();
        }
    }
    let pa = (0..truth.len())
        .filter(|&i| norm(&truth[i]) == norm(&pred_text[i]))
        .count();
    (
        correct as f64 / truth.len() as f64,
        pa as f64 / truth.len() as f64,
    )
}

#[test]
fn loghub_grouping_accuracy() {
    let dir = data_dir().expect("../shared/data (or LOGTRIAGE_SHARED_DATA) must exist");
    let verbose = std::env::var("MINER_VERBOSE").is_ok();
    let mut total = 0.0;
    let mut lowest = 1.0f64;
    for s in SYSTEMS {
        let rows = load(&dir, s);
        let mut miner = Miner::new(MinerConfig::default(), Masker::default()).expect("miner");
        let ids: Vec<u32> = rows.iter().map(|(c, _)| miner.train_at(c, 0).0).collect();
        // final grouping: ids of merged templates resolve to the survivor
        let ids: Vec<u32> = ids.iter().map(|&i| miner.resolve(i)).collect();
        let texts: Vec<String> = ids
            .iter()
            .map(|&i| {
                miner
                    .template(i)
                    .map(|t| t.text.clone())
                    .unwrap_or_default()
            })
            .collect();
        let truth: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
        let (ga, pa) = ga_pa(&ids, &texts, &truth);
        println!("{s:10} GA {ga:.4} PA {pa:.4} templates {}", miner.len());
        if std::env::var("MINER_DUMP").is_ok_and(|d| d == s) {
            for t in miner.templates() {
                println!("  {:4} {:5} {}", t.id, t.count, t.text);
            }
        }
        if verbose {
            let mut bad: HashMap<String, (usize, String)> = HashMap::new();
            let mut gt_of: HashMap<u32, std::collections::BTreeSet<&str>> = HashMap::new();
            for (i, &id) in ids.iter().enumerate() {
                gt_of.entry(id).or_default().insert(truth[i].as_str());
            }
            let mut gtp: HashMap<&str, std::collections::BTreeSet<u32>> = HashMap::new();
            for (i, &id) in ids.iter().enumerate() {
                gtp.entry(truth[i].as_str()).or_default().insert(id);
            }
            for (t, ps) in &gtp {
                if ps.len() > 1 || gt_of[ps.iter().next().unwrap()].len() > 1 {
                    let n = truth.iter().filter(|x| x == t).count();
                    let e = bad.entry((*t).to_owned()).or_default();
                    e.0 = n;
                    e.1 = ps
                        .iter()
                        .take(4)
                        .map(|p| {
                            miner
                                .template(*p)
                                .map(|x| x.text.clone())
                                .unwrap_or_default()
                        })
                        .collect::<Vec<_>>()
                        .join("  ||  ");
                }
            }
            let mut bad: Vec<_> = bad.into_iter().collect();
            bad.sort_by_key(|b| std::cmp::Reverse(b.1 .0));
            for (t, (n, p)) in bad.iter().take(12) {
                println!("   {n:4} GT {t}\n        -> {p}");
            }
        }
        total += ga;
        lowest = lowest.min(ga);
    }
    let avg = total / SYSTEMS.len() as f64;
    println!("average GA {avg:.4} (lowest {lowest:.4})");
    assert!(avg >= 0.92, "average GA {avg:.4} < 0.92");
}
