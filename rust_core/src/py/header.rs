use super::Lines;
use crate::header::HeaderParser;
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use std::collections::HashMap;

#[pyclass(name = "HeaderParser", module = "logtriage._core", frozen)]
pub(crate) struct PyHeaderParser {
    inner: HeaderParser,
}

type ParseOut<'py> = (HashMap<String, Vec<String>>, Bound<'py, PyArray1<bool>>);

#[pymethods]
impl PyHeaderParser {
    #[new]
    fn new(log_format: &str) -> PyResult<Self> {
        Ok(Self {
            inner: HeaderParser::new(log_format)?,
        })
    }

    #[getter]
    fn fields(&self) -> Vec<String> {
        self.inner.fields().to_vec()
    }

    fn parse_batch<'py>(&self, py: Python<'py>, lines: Lines) -> ParseOut<'py> {
        let (columns, matched) = py.detach(|| {
            let names = self.inner.fields();
            let content_at = names.iter().position(|n| n == "Content").unwrap_or(0);
            let mut columns: Vec<Vec<String>> = vec![Vec::with_capacity(lines.len()); names.len()];
            let mut matched = Vec::with_capacity(lines.len());
            for line in &lines {
                match self.inner.parse(line) {
                    Some(values) => {
                        for (col, v) in columns.iter_mut().zip(values) {
                            col.push(v.to_owned());
                        }
                        matched.push(true);
                    }
                    None => {
                        for (i, col) in columns.iter_mut().enumerate() {
                            col.push(if i == content_at {
                                line.trim().to_owned()
                            } else {
                                String::new()
                            });
                        }
                        matched.push(false);
                    }
                }
            }
            let columns = names
                .iter()
                .cloned()
                .zip(columns)
                .collect::<HashMap<_, _>>();
            (columns, matched)
        });
        (columns, matched.into_pyarray(py))
    }
}
