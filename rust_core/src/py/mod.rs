//! PyO3 bindings: thin `Py*` wrappers, one table of contents below.

mod errors;
mod features;
mod header;
mod json_numbers;
mod mask;
mod miner;
mod rules;
mod search_page;
mod sequences;

use pyo3::prelude::*;

/// Lines from a Python list, copied once into owned Rust strings.
pub(crate) type Lines = Vec<String>;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<mask::PyMasker>()?;
    m.add_class::<miner::PyMiner>()?;
    m.add_class::<rules::PyRuleSet>()?;
    m.add_class::<header::PyHeaderParser>()?;
    m.add_class::<sequences::PySequenceModel>()?;
    m.add_function(wrap_pyfunction!(mask::default_masks, m)?)?;
    m.add_function(wrap_pyfunction!(features::feature_names, m)?)?;
    m.add_function(wrap_pyfunction!(features::features_batch, m)?)?;
    m.add_function(wrap_pyfunction!(header::header_presets, m)?)?;
    m.add_function(wrap_pyfunction!(json_numbers::json_integers_only, m)?)?;
    m.add_function(wrap_pyfunction!(search_page::parse_search_page, m)?)?;
    m.add_function(wrap_pyfunction!(search_page::message_problem, m)?)?;
    m.add_function(wrap_pyfunction!(disable_parallelism, m)?)?;
    Ok(())
}

/// Switch rayon off in this process (called after `os.fork` in the child).
#[pyfunction]
fn disable_parallelism() {
    crate::parallel::disable();
}
