use pyo3::prelude::*;

/// `True` when every number in the JSON text is a plain 64-bit integer (see
/// `crate::json_numbers`): a fast decoder then reads it exactly.
#[pyfunction]
pub(crate) fn json_integers_only(py: Python<'_>, data: &[u8]) -> bool {
    py.detach(|| crate::json_numbers::integers_only(data))
}
