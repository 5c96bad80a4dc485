//! Does a JSON text hold only plain integers?
//!
//! The sidecar writes a document's `_source` back exactly as it read it. A fast
//! decoder that turns every number into an `int` or `float` keeps that promise only
//! when each number is an integer it can hold exactly: no fraction or exponent
//! (`1.50` would come back as `1.5`), no `-0`, within `i64`/`u64`. [`integers_only`]
//! answers that in one pass over the bytes, so the Python side can pick the fast
//! decoder for most responses and the exact one for the rest.

/// `true` when every number token of `json` (outside strings) is an integer without
/// fraction or exponent, not `-0`, and fits in `i64` (negative) or `u64`.
///
/// Only numbers are looked at: the text is not validated (the decoder does that).
/// Malformed input never panics; it may answer either way.
pub fn integers_only(json: &[u8]) -> bool {
    let mut i = 0;
    while i < json.len() {
        match json[i] {
            b'"' => i = skip_string(json, i + 1),
            b'-' | b'0'..=b'9' => {
                let end = number_end(json, i);
                if !plain_integer(&json[i..end]) {
                    return false;
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    true
}

/// Index just past the string whose body starts at `i` (past the closing quote).
fn skip_string(json: &[u8], mut i: usize) -> usize {
    while i < json.len() {
        match json[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    json.len()
}

fn number_end(json: &[u8], start: usize) -> usize {
    json[start..]
        .iter()
        .position(|b| !matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
        .map_or(json.len(), |n| start + n)
}

fn plain_integer(token: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(token) else {
        return false;
    };
    match text.strip_prefix('-') {
        Some("0") => false,
        Some(_) => text.parse::<i64>().is_ok(),
        None => text.parse::<u64>().is_ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::integers_only;

    #[test]
    fn integers_in_range_are_plain() {
        assert!(integers_only(
            br#"{"a":1,"b":[-5,0,18446744073709551615,-9223372036854775808],"c":null}"#
        ));
        assert!(integers_only(b"{}"));
    }

    #[test]
    fn fractions_exponents_and_negative_zero_are_not() {
        for text in [
            &br#"{"a":1.50}"#[..],
            br#"{"a":1e3}"#,
            br#"{"a":2E-1}"#,
            br#"{"a":-0}"#,
            br#"[1,-0.0]"#,
        ] {
            assert!(!integers_only(text), "{}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn integers_beyond_64_bits_are_not() {
        assert!(!integers_only(b"[18446744073709551616]"));
        assert!(!integers_only(b"[-9223372036854775809]"));
    }

    #[test]
    fn numbers_inside_strings_are_ignored() {
        assert!(integers_only(
            br#"{"t":"2026-01-01T00:00:00.000Z","m":"took 1.5e3 ms \" -0.5","n":3}"#
        ));
        assert!(!integers_only(br#"{"m":"a\\","n":0.5}"#));
    }

    #[test]
    fn truncated_input_does_not_panic() {
        assert!(integers_only(br#"{"m":"unterminated \"#));
        assert!(!integers_only(b"[1."));
    }
}
