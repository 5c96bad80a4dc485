use super::Lines;
use crate::mask::{default_masks as core_default_masks, MaskSpec, Masker};
use crate::parallel::map_batch;
use pyo3::prelude::*;

pub(crate) fn specs_from_py(masks: Option<Vec<(String, String, String)>>) -> Vec<MaskSpec> {
    match masks {
        None => core_default_masks(),
        Some(list) => list
            .into_iter()
            .map(|(name, regex, placeholder)| MaskSpec {
                name,
                regex,
                placeholder,
            })
            .collect(),
    }
}

#[pyfunction]
pub(crate) fn default_masks() -> Vec<(String, String, String)> {
    core_default_masks()
        .into_iter()
        .map(|s| (s.name, s.regex, s.placeholder))
        .collect()
}

#[pyclass(name = "Masker", module = "logtriage._core", frozen)]
pub(crate) struct PyMasker {
    inner: Masker,
}

#[pymethods]
impl PyMasker {
    #[new]
    #[pyo3(signature = (*, masks = None))]
    fn new(masks: Option<Vec<(String, String, String)>>) -> PyResult<Self> {
        Ok(Self {
            inner: Masker::new(&specs_from_py(masks))?,
        })
    }

    fn mask_batch(&self, py: Python<'_>, lines: Lines) -> Vec<String> {
        py.detach(|| map_batch(&lines, |l| self.inner.mask(l)))
    }

    #[getter]
    fn names(&self) -> Vec<String> {
        self.inner.names().into_iter().map(str::to_owned).collect()
    }
}
