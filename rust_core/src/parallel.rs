//! Rayon parallelism that can be switched off (`LOGTRIAGE_THREADS=1`), like
//! tokenizers' `TOKENIZERS_PARALLELISM`. After a fork the Python side calls
//! [`disable`] so children never touch the parent's pool.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

static DISABLED: AtomicBool = AtomicBool::new(false);
static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();

/// Below this many lines a batch runs on the calling thread.
pub const MIN_PARALLEL_BATCH: usize = 4096;

/// Turn parallelism off for the rest of the process.
pub fn disable() {
    DISABLED.store(true, Ordering::SeqCst);
}

fn pool() -> Option<&'static rayon::ThreadPool> {
    POOL.get_or_init(|| {
        let threads = std::env::var("LOGTRIAGE_THREADS")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0);
        if threads == 1 {
            return None;
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("logtriage-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

/// Map `f` over `items`, in parallel when the batch is large and parallelism is on.
pub fn map_batch<T, R, F>(items: &[T], f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync + Send,
{
    use rayon::prelude::*;
    match pool() {
        Some(p) if items.len() >= MIN_PARALLEL_BATCH && !DISABLED.load(Ordering::SeqCst) => {
            p.install(|| items.par_iter().map(&f).collect())
        }
        _ => items.iter().map(f).collect(),
    }
}
