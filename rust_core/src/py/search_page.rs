use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};

use crate::search_page::{parse_page, MessageField, MessageProblem, PageHit, SortValue};

/// One hit as the positional arguments of `logtriage.sources.search.Hit`.
type HitRow<'py> = (
    Bound<'py, PyString>,
    String,
    i64,
    i64,
    Bound<'py, PyList>,
    Option<String>,
    Option<Bound<'py, PyBytes>>,
    Option<Bound<'py, PyBytes>>,
    Option<String>,
);

/// What is wrong with a message string: `(reason, detail)` as in
/// `logtriage.sources.search.MessageProblem`, or `None` when it is labelled as it is.
#[pyfunction]
pub(crate) fn message_problem(
    message: &str,
    field: &str,
    max_bytes: usize,
) -> Option<(&'static str, String)> {
    let field_check = MessageField {
        path: field,
        max_bytes,
    };
    Some(match field_check.problem(message)? {
        MessageProblem::TooLarge { bytes } => (
            "message_too_large",
            format!("{bytes} bytes > max_message_bytes {max_bytes}"),
        ),
        MessageProblem::ControlChar { char, offset } => (
            "message_control_chars",
            format!(
                "control character U+{:04X} at offset {offset}",
                u32::from(char)
            ),
        ),
        MessageProblem::Blank => (
            "message_empty",
            format!("field '{field}' is empty or blank"),
        ),
    })
}

/// A search response read for labelling (see `crate::search_page`):
/// `(pit_id, hits)`, or `None` when the caller must decode it the exact way.
#[pyfunction]
pub(crate) fn parse_search_page<'py>(
    py: Python<'py>,
    body: &[u8],
    message_field: &str,
    max_message_bytes: usize,
) -> PyResult<Option<(Option<String>, Vec<HitRow<'py>>)>> {
    let message = MessageField {
        path: message_field,
        max_bytes: max_message_bytes,
    };
    let Some(page) = py.detach(|| parse_page(body, &message)) else {
        return Ok(None);
    };
    // A page comes from one or a few indices: hits of the same index share its name.
    let mut index_name: Option<(String, Bound<'py, PyString>)> = None;
    let hits = page
        .hits
        .into_iter()
        .map(|hit| {
            let index = match &index_name {
                Some((name, object)) if *name == hit.index => object.clone(),
                _ => {
                    let object = PyString::new(py, &hit.index);
                    index_name = Some((hit.index.to_string(), object.clone()));
                    object
                }
            };
            hit_row(py, index, hit)
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok(Some((page.pit_id.map(String::from), hits)))
}

fn hit_row<'py>(
    py: Python<'py>,
    index: Bound<'py, PyString>,
    hit: PageHit<'_>,
) -> PyResult<HitRow<'py>> {
    let sort = PyList::empty(py);
    for value in &hit.sort {
        match value {
            SortValue::Null => sort.append(py.None())?,
            SortValue::Bool(b) => sort.append(*b)?,
            SortValue::Int(i) => sort.append(*i)?,
            SortValue::UInt(u) => sort.append(*u)?,
            SortValue::Str(s) => sort.append(s.as_str())?,
        }
    }
    // A source the labels can be appended to travels as the head of its re-index
    // (action line, then the source up to its closing brace); any other as its text.
    let splice = hit.source.as_ref().and_then(|s| s.splice_prefix());
    let action = splice.and_then(|_| hit.reindex_action_line());
    let (raw, head) = match (splice, action) {
        (Some((text, comma)), Some(action)) => {
            let head =
                PyBytes::new_with(py, action.len() + text.len() + usize::from(comma), |buf| {
                    let (line, rest) = buf.split_at_mut(action.len());
                    line.copy_from_slice(&action);
                    rest[..text.len()].copy_from_slice(text.as_bytes());
                    if comma {
                        rest[text.len()] = b',';
                    }
                    Ok(())
                })?;
            (None, Some(head))
        }
        _ => (
            hit.source
                .as_ref()
                .map(|s| PyBytes::new(py, s.text.as_bytes())),
            None,
        ),
    };
    Ok((
        index,
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
