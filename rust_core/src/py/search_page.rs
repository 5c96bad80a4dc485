use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

use crate::search_page::{parse_page, PageHit, SortValue};

/// One hit as the positional arguments of `logtriage.sources.search.Hit`.
type HitRow<'py> = (
    String,
    String,
    i64,
    i64,
    Bound<'py, PyList>,
    Option<String>,
    Option<Bound<'py, PyBytes>>,
    Option<Bound<'py, PyBytes>>,
    Option<String>,
);

/// A search response read for labelling (see `crate::search_page`):
/// `(pit_id, hits)`, or `None` when the caller must decode it the exact way.
#[pyfunction]
pub(crate) fn parse_search_page<'py>(
    py: Python<'py>,
    body: &[u8],
    message_field: &str,
) -> PyResult<Option<(Option<String>, Vec<HitRow<'py>>)>> {
    let Some(page) = py.detach(|| parse_page(body, message_field)) else {
        return Ok(None);
    };
    let hits = page
        .hits
        .into_iter()
        .map(|hit| hit_row(py, hit))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(Some((page.pit_id.map(String::from), hits)))
}

fn hit_row<'py>(py: Python<'py>, hit: PageHit<'_>) -> PyResult<HitRow<'py>> {
    let sort = PyList::empty(py);
    for value in hit.sort {
        match value {
            SortValue::Null => sort.append(py.None())?,
            SortValue::Bool(b) => sort.append(b)?,
            SortValue::Int(i) => sort.append(i)?,
            SortValue::UInt(u) => sort.append(u)?,
            SortValue::Str(s) => sort.append(s)?,
        }
    }
    let raw = hit
        .source
        .as_ref()
        .map(|s| PyBytes::new(py, s.text.as_bytes()));
    let head = hit
        .source
        .as_ref()
        .and_then(|s| s.splice_head())
        .map(|h| PyBytes::new(py, h.as_bytes()));
    Ok((
        hit.index.into_owned(),
        hit.id.into_owned(),
        hit.seq_no,
        hit.primary_term,
        sort,
        hit.routing.map(String::from),
        raw,
        head,
        hit.message,
    ))
}
