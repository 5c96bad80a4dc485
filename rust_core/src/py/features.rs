use super::Lines;
use crate::features::Featurizer;
use numpy::{PyArray1, PyArray2, PyArrayMethods};
use pyo3::prelude::*;

/// Column names of `features_batch`.
#[pyfunction]
pub(crate) fn feature_names() -> Vec<String> {
    Featurizer::shared().names().to_vec()
}

/// Text-complexity features: `float32[n, k]` and the `k` column names.
#[pyfunction]
pub(crate) fn features_batch<'py>(
    py: Python<'py>,
    lines: Lines,
) -> PyResult<(Bound<'py, PyArray2<f32>>, Vec<String>)> {
    let featurizer = Featurizer::shared();
    let k = featurizer.width();
    let n = lines.len();
    let flat = py.detach(|| featurizer.batch(&lines));
    let matrix = PyArray1::from_vec(py, flat).reshape([n, k])?;
    Ok((matrix, featurizer.names().to_vec()))
}
