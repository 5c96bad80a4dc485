//! The one place where core errors become Python exceptions (logtriage.errors).

use crate::error::CoreError;
use pyo3::import_exception;
use pyo3::PyErr;

import_exception!(logtriage.errors, ConfigError);
import_exception!(logtriage.errors, RuleError);
import_exception!(logtriage.errors, StateError);

impl From<CoreError> for PyErr {
    fn from(err: CoreError) -> PyErr {
        let message = err.to_string();
        match err {
            CoreError::BadRule { id, pattern, .. } => RuleError::new_err((message, id, pattern)),
            CoreError::StateVersion { .. } | CoreError::BadState(_) => StateError::new_err(message),
            CoreError::BadMask { .. }
            | CoreError::BadConfig(_)
            | CoreError::BadFormat { .. }
            | CoreError::TooLarge { .. } => ConfigError::new_err(message),
        }
    }
}
