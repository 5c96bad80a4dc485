use super::Lines;
use crate::error::CoreError;
use crate::header::{HeaderParser, PRESETS};
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use std::collections::HashMap;

#[pyclass(name = "HeaderParser", module = "logtriage._core", frozen)]
pub(crate) struct PyHeaderParser {
    inner: HeaderParser,
}

type ParseOut<'py> = (Bound<'py, PyDict>, Bound<'py, PyArray1<bool>>);

/// Named log formats (`name -> format`).
#[pyfunction]
pub(crate) fn header_presets() -> HashMap<&'static str, &'static str> {
    PRESETS.iter().copied().collect()
}

#[pymethods]
impl PyHeaderParser {
    #[new]
    fn new(log_format: &str) -> PyResult<Self> {
        Ok(Self {
            inner: HeaderParser::new(log_format)?,
        })
    }

    #[staticmethod]
    fn from_preset(name: &str) -> PyResult<Self> {
        Ok(Self {
            inner: HeaderParser::from_preset(name)?,
        })
    }

    #[getter]
    fn fields(&self) -> Vec<String> {
        self.inner.fields().to_vec()
    }

    #[getter]
    fn log_format(&self) -> &str {
        self.inner.format()
    }

    #[pyo3(signature = (lines, *, fields = None))]
    fn parse_batch<'py>(
        &self,
        py: Python<'py>,
        lines: Lines,
        fields: Option<Vec<String>>,
    ) -> PyResult<ParseOut<'py>> {
        let names = self.inner.fields();
        let wanted: Vec<usize> = match &fields {
            None => (0..names.len()).collect(),
            Some(list) => list
                .iter()
                .map(|f| {
                    names
                        .iter()
                        .position(|n| n == f)
                        .ok_or_else(|| CoreError::BadFormat {
                            format: self.inner.format().to_owned(),
                            reason: format!("no field <{f}>; fields are {names:?}"),
                        })
                })
                .collect::<Result<_, _>>()?,
        };
        let content_only = wanted == [self.inner.content_index()];
        let (spans, matched, k) = py.detach(|| {
            if content_only {
                let (spans, matched) = self.inner.content_batch(&lines);
                (spans, matched, 1)
            } else {
                let (spans, matched) = self.inner.parse_batch(&lines);
                (spans, matched, names.len())
            }
        });
        let out = PyDict::new(py);
        for &j in &wanted {
            let at = if content_only { 0 } else { j };
            let column = PyList::new(
                py,
                lines.iter().enumerate().map(|(i, line)| {
                    let (s, e) = spans[i * k + at];
                    &line[s..e]
                }),
            )?;
            out.set_item(&names[j], column)?;
        }
        Ok((out, matched.into_pyarray(py)))
    }
}
