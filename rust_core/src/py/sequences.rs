use crate::sequences::{SequenceConfig, SequenceModel};
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use std::sync::Mutex;

type ScoreOut<'py> = (
    Bound<'py, PyArray1<bool>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<f32>>,
);

#[pyclass(name = "SequenceModel", module = "logtriage._core", frozen)]
pub(crate) struct PySequenceModel {
    inner: Mutex<SequenceModel>,
}

impl PySequenceModel {
    fn lock(&self) -> std::sync::MutexGuard<'_, SequenceModel> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[pymethods]
impl PySequenceModel {
    #[new]
    #[pyo3(signature = (*, history = None, top_g = None, min_count = None, check_end = None))]
    fn new(
        history: Option<usize>,
        top_g: Option<usize>,
        min_count: Option<u64>,
        check_end: Option<bool>,
    ) -> PyResult<Self> {
        let d = SequenceConfig::default();
        let config = SequenceConfig {
            history: history.unwrap_or(d.history),
            top_g: top_g.unwrap_or(d.top_g),
            min_count: min_count.unwrap_or(d.min_count),
            check_end: check_end.unwrap_or(d.check_end),
        };
        Ok(Self {
            inner: Mutex::new(SequenceModel::new(config)?),
        })
    }

    fn train_batch(&self, py: Python<'_>, sessions: Vec<Vec<u32>>) -> PyResult<()> {
        py.detach(|| self.lock().train_batch(&sessions))?;
        Ok(())
    }

    fn score_batch<'py>(&self, py: Python<'py>, sessions: Vec<Vec<u32>>) -> ScoreOut<'py> {
        let scores = py.detach(|| self.lock().score_batch(&sessions));
        let n = scores.len();
        let (mut anomalous, mut position, mut template, mut misses, mut score) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for s in &scores {
            anomalous.push(s.anomalous);
            position.push(s.position.map_or(-1, |p| p as i64));
            template.push(s.template_id.map_or(-1, i64::from));
            misses.push(s.misses);
            score.push(s.score());
        }
        (
            anomalous.into_pyarray(py),
            position.into_pyarray(py),
            template.into_pyarray(py),
            misses.into_pyarray(py),
            score.into_pyarray(py),
        )
    }

    fn to_json(&self) -> PyResult<String> {
        Ok(self.lock().to_json()?)
    }

    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(Self {
            inner: Mutex::new(SequenceModel::from_json(text)?),
        })
    }

    #[getter]
    fn history(&self) -> usize {
        self.lock().config().history
    }

    #[getter]
    fn top_g(&self) -> usize {
        self.lock().config().top_g
    }

    #[getter]
    fn min_count(&self) -> u64 {
        self.lock().config().min_count
    }

    #[getter]
    fn check_end(&self) -> bool {
        self.lock().config().check_end
    }

    #[getter]
    fn vocab(&self) -> Vec<u32> {
        self.lock().vocab()
    }

    #[getter]
    fn contexts(&self) -> usize {
        self.lock().contexts()
    }

    #[getter]
    fn sessions_trained(&self) -> u64 {
        self.lock().sessions()
    }
}
