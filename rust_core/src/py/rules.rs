use super::Lines;
use crate::rules::{Rule, RuleSet};
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use std::collections::HashMap;

type RuleTuple = (String, String, String, Option<bool>, i32, Option<String>);

#[pyclass(name = "RuleSet", module = "logtriage._core", frozen)]
pub(crate) struct PyRuleSet {
    inner: RuleSet,
}

#[pymethods]
impl PyRuleSet {
    #[new]
    fn new(rules: Vec<RuleTuple>) -> PyResult<Self> {
        let rules = rules
            .into_iter()
            .map(|(id, pattern, label, anomaly, priority, field)| Rule {
                id,
                pattern,
                label,
                anomaly,
                priority,
                field,
            })
            .collect();
        Ok(Self {
            inner: RuleSet::new(rules)?,
        })
    }

    #[pyo3(signature = (lines, *, fields = None))]
    fn match_batch<'py>(
        &self,
        py: Python<'py>,
        lines: Lines,
        fields: Option<HashMap<String, Vec<String>>>,
    ) -> PyResult<Bound<'py, PyArray1<i32>>> {
        let fields = fields.unwrap_or_default();
        let out = py.detach(|| {
            let columns: Vec<(&str, &[String])> = fields
                .iter()
                .map(|(name, column)| (name.as_str(), column.as_slice()))
                .collect();
            self.inner.match_batch(&lines, &columns)
        })?;
        Ok(out.into_pyarray(py))
    }

    #[getter]
    fn ids(&self) -> Vec<String> {
        self.inner.rules().iter().map(|r| r.id.clone()).collect()
    }

    #[getter]
    fn labels(&self) -> Vec<String> {
        self.inner.rules().iter().map(|r| r.label.clone()).collect()
    }

    #[getter]
    fn anomalies(&self) -> Vec<Option<bool>> {
        self.inner.rules().iter().map(|r| r.anomaly).collect()
    }

    #[getter]
    fn priorities(&self) -> Vec<i32> {
        self.inner.rules().iter().map(|r| r.priority).collect()
    }

    #[getter]
    fn fields(&self) -> Vec<Option<String>> {
        self.inner.rules().iter().map(|r| r.field.clone()).collect()
    }

    #[getter]
    fn patterns(&self) -> Vec<String> {
        self.inner
            .rules()
            .iter()
            .map(|r| r.pattern.clone())
            .collect()
    }

    fn __len__(&self) -> usize {
        self.inner.rules().len()
    }
}
