use super::mask::specs_from_py;
use super::Lines;
use crate::mask::Masker;
use crate::miner::{now_s, Change, Miner, MinerConfig};
use numpy::{IntoPyArray, PyArray1};
use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use std::borrow::Cow;
use std::collections::HashMap;

/// UTF-8 of a str; lone surrogates are replaced, never fatal.
fn utf8<'a>(s: &'a Bound<'_, PyString>) -> Cow<'a, str> {
    match s.to_str() {
        Ok(v) => Cow::Borrowed(v),
        Err(_) => Cow::Owned(s.to_string_lossy().into_owned()),
    }
}
use std::sync::Mutex;

type TrainOut<'py> = (
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u8>>,
    Vec<(u32, String)>,
);

#[pyclass(name = "Miner", module = "logtriage._core", frozen)]
pub(crate) struct PyMiner {
    inner: Mutex<Miner>,
}

impl PyMiner {
    fn lock(&self) -> std::sync::MutexGuard<'_, Miner> {
        // A panic while mining would be a bug; the state is still usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[pymethods]
impl PyMiner {
    #[new]
    #[pyo3(signature = (*, sim_threshold = None, depth = None, max_children = None, max_templates = None, max_tokens = None, masks = None))]
    fn new(
        sim_threshold: Option<f64>,
        depth: Option<usize>,
        max_children: Option<usize>,
        max_templates: Option<usize>,
        max_tokens: Option<usize>,
        masks: Option<Vec<(String, String, String)>>,
    ) -> PyResult<Self> {
        let d = MinerConfig::default();
        let config = MinerConfig {
            sim_threshold: sim_threshold.unwrap_or(d.sim_threshold),
            depth: depth.unwrap_or(d.depth),
            max_children: max_children.unwrap_or(d.max_children),
            max_templates: max_templates.unwrap_or(d.max_templates),
            max_tokens: max_tokens.unwrap_or(d.max_tokens),
        };
        let masker = Masker::new(&specs_from_py(masks))?;
        Ok(Self {
            inner: Mutex::new(Miner::new(config, masker)?),
        })
    }

    fn train_batch<'py>(&self, py: Python<'py>, lines: Vec<Bound<'py, PyString>>) -> TrainOut<'py> {
        // Borrow the UTF-8 of each str (no copy for most strings); Python str
        // objects are immutable and `lines` keeps them alive while detached.
        let lines: Vec<Cow<'_, str>> = lines.iter().map(utf8).collect();
        let (ids, changes, changed) = py.detach(|| {
            let mut miner = self.lock();
            // between batches: the ids of the last one were resolved
            miner.prune_aliases();
            let now = now_s();
            let mut ids = Vec::with_capacity(lines.len());
            let mut changes = Vec::with_capacity(lines.len());
            let mut touched = Vec::new();
            // Text of each template as last changed in this batch: one created and then
            // evicted within the batch (more new templates than max_templates) is gone
            // from the miner by the end, yet its lines carry its id.
            let mut texts: HashMap<u32, String> = HashMap::new();
            for line in &lines {
                let (id, change) = miner.train_at(line.as_ref(), now);
                ids.push(id);
                changes.push(change as u8);
                if change != Change::Unchanged {
                    touched.push(id);
                    if let Some(t) = miner.template(id) {
                        texts.insert(id, t.text.clone());
                    }
                }
            }
            // a template merged later in the batch is reported as its survivor
            for t in &mut touched {
                *t = miner.resolve(*t);
            }
            touched.sort_unstable();
            touched.dedup();
            let changed = touched
                .into_iter()
                .filter_map(|id| {
                    let text = miner.template(id).map(|t| t.text.clone());
                    text.or_else(|| texts.remove(&id)).map(|text| (id, text))
                })
                .collect::<Vec<_>>();
            (ids, changes, changed)
        });
        (ids.into_pyarray(py), changes.into_pyarray(py), changed)
    }

    fn match_batch<'py>(&self, py: Python<'py>, lines: Lines) -> Bound<'py, PyArray1<i64>> {
        let ids = py.detach(|| {
            let miner = self.lock();
            lines
                .iter()
                .map(|l| miner.match_line(l).map_or(-1, i64::from))
                .collect::<Vec<_>>()
        });
        ids.into_pyarray(py)
    }

    /// Current id of each template id (merged templates resolve to the survivor).
    fn resolve_batch<'py>(&self, py: Python<'py>, ids: Vec<u32>) -> Bound<'py, PyArray1<u32>> {
        let out = py.detach(|| {
            let miner = self.lock();
            ids.iter().map(|&i| miner.resolve(i)).collect::<Vec<_>>()
        });
        out.into_pyarray(py)
    }

    fn template_text(&self, template_id: u32) -> PyResult<String> {
        self.lock()
            .template(template_id)
            .map(|t| t.text.clone())
            .ok_or_else(|| PyKeyError::new_err(template_id))
    }

    #[allow(clippy::type_complexity)]
    fn templates(&self) -> Vec<(u32, String, String, u64, i64, i64)> {
        self.lock()
            .templates()
            .map(|t| {
                (
                    t.id,
                    t.string_id.clone(),
                    t.text.clone(),
                    t.count,
                    t.first_seen_s,
                    t.last_seen_s,
                )
            })
            .collect()
    }

    fn __len__(&self) -> usize {
        self.lock().len()
    }

    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.lock().to_bytes())
    }

    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<Self> {
        Ok(Self {
            inner: Mutex::new(Miner::from_bytes(data)?),
        })
    }

    fn memory_bytes(&self) -> usize {
        self.lock().memory_bytes()
    }
}
