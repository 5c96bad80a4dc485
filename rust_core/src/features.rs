//! Text-complexity features. PLACEHOLDER: to be implemented.

pub const FEATURE_NAMES: &[&str] = &["length"];

pub fn feature_names() -> &'static [&'static str] {
    FEATURE_NAMES
}

/// Writes the features of `line` into `out` (`out.len() == FEATURE_NAMES.len()`).
pub fn features(line: &str, out: &mut [f32]) {
    out[0] = line.len() as f32;
}
