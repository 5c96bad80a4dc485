use super::Lines;
use crate::features::{feature_names as core_names, features};
use crate::parallel::map_batch;
use numpy::{PyArray1, PyArray2, PyArrayMethods};
use pyo3::prelude::*;

#[pyfunction]
pub(crate) fn feature_names() -> Vec<&'static str> {
    core_names().to_vec()
}

#[pyfunction]
pub(crate) fn features_batch<'py>(
    py: Python<'py>,
    lines: Lines,
) -> PyResult<(Bound<'py, PyArray2<f32>>, Vec<&'static str>)> {
    let k = core_names().len();
    let rows = py.detach(|| {
        map_batch(&lines, |l| {
            let mut row = vec![0f32; k];
            features(l, &mut row);
            row
        })
    });
    let n = rows.len();
    let flat: Vec<f32> = rows.into_iter().flatten().collect();
    let matrix = PyArray1::from_vec(py, flat).reshape([n, k])?;
    Ok((matrix, core_names().to_vec()))
}
