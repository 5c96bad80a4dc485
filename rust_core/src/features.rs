//! Text-complexity features: one `f32` row with named columns per line.
//!
//! `length` and the token columns look at the whole line; everything else looks
//! at its first [`MAX_SCAN_BYTES`] (cut on a char boundary) so a 10 MB line
//! costs little more than a 64 KiB one. Ratios are over the chars of that
//! prefix. Columns, in order:
//!
//! - `length`: chars of the line; `tokens`: whitespace-separated tokens;
//!   `mean_token_length`, `max_token_length` (chars);
//! - `digit_ratio`, `alpha_ratio`, `upper_ratio`, `punct_ratio` (neither
//!   alphanumeric, whitespace nor control), `whitespace_ratio`,
//!   `non_ascii_ratio`; `replacement_chars` (U+FFFD: bytes that were not UTF-8);
//! - `entropy`: Shannon entropy of the bytes, in bits (0 for `aaaa`);
//! - `digit_token_ratio`: tokens holding a digit / tokens;
//!   `leading_whitespace` (chars); `truncated` (1 when the prefix was cut);
//! - `mask_<name>` for each mask of the default `Masker`, in its order:
//!   how many times that mask matched;
//! - `kw_*`: case-insensitive keyword words (see [`KEYWORDS`]);
//! - `exception_class` (words like `IOException`, `ValueError`),
//!   `stack_markers` (`Traceback (most recent call last)`, `Caused by:`,
//!   `at a.b.C(`, `File "x", line 3`, `... 12 more`);
//! - `kv_count` (`key=value` pairs), `json_valid` (the line is a JSON
//!   object/array), `json_pairs` (`"key":` pairs);
//! - `http_method` (an HTTP verb followed by a path or URL), `http_version`
//!   (`HTTP/`), `http_status` (the status after `HTTP/x.y"`, else 0),
//!   `url_scheme` (`://`).

use crate::mask::Masker;
use crate::parallel::map_batch;
use regex::Regex;
use std::sync::OnceLock;

/// Bytes of a line the costly columns look at.
pub const MAX_SCAN_BYTES: usize = 64 << 10;

const HEAD: &[&str] = &[
    "length",
    "tokens",
    "mean_token_length",
    "max_token_length",
    "digit_ratio",
    "alpha_ratio",
    "upper_ratio",
    "punct_ratio",
    "whitespace_ratio",
    "non_ascii_ratio",
    "replacement_chars",
    "entropy",
    "digit_token_ratio",
    "leading_whitespace",
    "truncated",
];

/// Keyword columns and the lowercase ASCII words that count for them
/// (`*` at the end: any word with that prefix; at the start: with that suffix).
pub const KEYWORDS: &[(&str, &[&str])] = &[
    ("kw_error", &["error*", "err"]),
    ("kw_warn", &["warn*"]),
    ("kw_fatal", &["fatal*"]),
    ("kw_critical", &["crit*", "emerg", "emergency"]),
    (
        "kw_info",
        &["info", "information", "informational", "notice"],
    ),
    ("kw_debug", &["debug", "dbg", "trace", "verbose"]),
    ("kw_fail", &["fail*"]),
    (
        "kw_denied",
        &[
            "denied",
            "deny",
            "forbidden",
            "unauthorized",
            "unauthorised",
            "disallowed",
            "reject*",
        ],
    ),
    ("kw_refused", &["refus*"]),
    ("kw_timeout", &["timeout*", "timedout"]),
    ("kw_exception", &["*exception", "exceptions"]),
    ("kw_panic", &["panic*"]),
    ("kw_kill", &["kill*", "oom"]),
    (
        "kw_crash",
        &["crash*", "abort*", "segfault", "sigsegv", "died", "dumped"],
    ),
    (
        "kw_invalid",
        &["invalid", "illegal", "malformed", "corrupt", "corrupted"],
    ),
    ("kw_unable", &["unable", "cannot", "couldn", "couldnt"]),
    (
        "kw_auth",
        &[
            "auth*",
            "password",
            "passwd",
            "login",
            "logon",
            "sudo",
            "credential*",
        ],
    ),
    ("kw_success", &["success*", "succeeded", "completed"]),
];

/// Index of `kw_timeout` in [`KEYWORDS`] (`timed out` counts too).
const KW_TIMEOUT: usize = 9;

const TAIL: &[&str] = &[
    "exception_class",
    "stack_markers",
    "kv_count",
    "json_valid",
    "json_pairs",
    "http_method",
    "http_version",
    "http_status",
    "url_scheme",
];

const HTTP_METHODS: &[&str] = &[
    "GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS", "CONNECT", "TRACE",
];

/// Computes feature rows; holds the masker whose kinds become `mask_*` columns.
#[derive(Debug)]
pub struct Featurizer {
    masker: Masker,
    names: Vec<String>,
    stack: Regex,
    http_status: Regex,
    /// Exact and prefix keyword patterns by first letter: (column, pattern, is_prefix).
    by_letter: Vec<Vec<(usize, &'static str, bool)>>,
    /// Suffix keyword patterns: (column, suffix).
    suffixes: Vec<(usize, &'static str)>,
}

/// Keyword columns a lowercase word counts for, each at most once.
fn keyword_columns(f: &Featurizer, word: &str, hits: &mut [u32]) {
    let mut seen = 0u64;
    let first = word.as_bytes()[0];
    if first.is_ascii_lowercase() {
        for &(k, pat, prefix) in &f.by_letter[usize::from(first - b'a')] {
            if seen & (1 << k) == 0
                && (if prefix {
                    word.starts_with(pat)
                } else {
                    word == pat
                })
            {
                seen |= 1 << k;
                hits[k] += 1;
            }
        }
    }
    for &(k, suffix) in &f.suffixes {
        if seen & (1 << k) == 0 && word.ends_with(suffix) {
            seen |= 1 << k;
            hits[k] += 1;
        }
    }
}

/// Largest char boundary `<= max` of `s`.
fn floor_boundary(s: &str, max: usize) -> usize {
    if max >= s.len() {
        return s.len();
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl Featurizer {
    pub fn new(masker: Masker) -> Self {
        let mut names: Vec<String> = HEAD.iter().map(|s| (*s).to_owned()).collect();
        names.extend(masker.names().iter().map(|n| format!("mask_{n}")));
        names.extend(KEYWORDS.iter().map(|(n, _)| (*n).to_owned()));
        names.extend(TAIL.iter().map(|s| (*s).to_owned()));
        let stack = Regex::new(
            r#"Traceback \(most recent call last\)|Caused by:|(?:^|\s)at [\w$]+(?:\.[\w$<>]+)+\(|File "[^"]*", line \d+|\.\.\. \d+ more"#,
        )
        .expect("built-in regex compiles");
        let http_status =
            Regex::new(r#"HTTP/\d(?:\.\d)?" ([1-5]\d\d)\b"#).expect("built-in regex compiles");
        let mut by_letter = vec![Vec::new(); 26];
        let mut suffixes = Vec::new();
        for (k, (_, pats)) in KEYWORDS.iter().enumerate() {
            for pat in pats.iter() {
                if let Some(suffix) = pat.strip_prefix('*') {
                    suffixes.push((k, suffix));
                } else {
                    let (p, prefix) = match pat.strip_suffix('*') {
                        Some(p) => (p, true),
                        None => (*pat, false),
                    };
                    if let Some(first) = p.bytes().next().filter(u8::is_ascii_lowercase) {
                        by_letter[usize::from(first - b'a')].push((k, p, prefix));
                    }
                }
            }
        }
        Self {
            masker,
            names,
            stack,
            http_status,
            by_letter,
            suffixes,
        }
    }

    /// The featurizer of the default masks, built once.
    pub fn shared() -> &'static Featurizer {
        static SHARED: OnceLock<Featurizer> = OnceLock::new();
        SHARED.get_or_init(|| Featurizer::new(Masker::default()))
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn width(&self) -> usize {
        self.names.len()
    }

    /// Writes the features of `line` into `out` (`out.len() == width()`).
    pub fn row(&self, line: &str, out: &mut [f32]) {
        debug_assert_eq!(out.len(), self.width());
        out.fill(0.0);
        let mut col = 0;
        let mut put = |v: f32| {
            out[col] = v;
            col += 1;
        };

        // Whole line: length and tokens.
        let length = line.chars().count();
        let (mut tokens, mut token_chars, mut max_token) = (0usize, 0usize, 0usize);
        for t in line.split_whitespace() {
            let n = t.chars().count();
            tokens += 1;
            token_chars += n;
            max_token = max_token.max(n);
        }
        put(length as f32);
        put(tokens as f32);
        put(if tokens > 0 {
            token_chars as f32 / tokens as f32
        } else {
            0.0
        });
        put(max_token as f32);

        // Prefix: char classes.
        let cut = floor_boundary(line, MAX_SCAN_BYTES);
        let text = &line[..cut];
        let (mut chars, mut digit, mut alpha, mut upper, mut punct, mut space, mut non_ascii) =
            (0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize);
        let mut replacement = 0usize;
        for c in text.chars() {
            chars += 1;
            if c.is_ascii() {
                if c.is_ascii_digit() {
                    digit += 1;
                } else if c.is_ascii_alphabetic() {
                    alpha += 1;
                    upper += usize::from(c.is_ascii_uppercase());
                } else if c.is_ascii_whitespace() || c == '\u{b}' {
                    space += 1;
                } else if !c.is_ascii_control() {
                    punct += 1;
                }
            } else {
                non_ascii += 1;
                replacement += usize::from(c == '\u{FFFD}');
                if c.is_numeric() {
                    digit += 1;
                } else if c.is_alphabetic() {
                    alpha += 1;
                    upper += usize::from(c.is_uppercase());
                } else if c.is_whitespace() {
                    space += 1;
                } else if !c.is_control() {
                    punct += 1;
                }
            }
        }
        let ratio = |n: usize| {
            if chars > 0 {
                n as f32 / chars as f32
            } else {
                0.0
            }
        };
        put(ratio(digit));
        put(ratio(alpha));
        put(ratio(upper));
        put(ratio(punct));
        put(ratio(space));
        put(ratio(non_ascii));
        put(replacement as f32);

        // Entropy of the bytes.
        let mut hist = [0u32; 256];
        for &b in text.as_bytes() {
            hist[b as usize] += 1;
        }
        let total = text.len() as f64;
        let entropy = if total > 0.0 {
            hist.iter()
                .filter(|&&h| h > 0)
                .map(|&h| {
                    let p = f64::from(h) / total;
                    -p * p.log2()
                })
                .sum::<f64>()
        } else {
            0.0
        };
        put(entropy as f32);

        let (mut scanned_tokens, mut digit_tokens) = (0usize, 0usize);
        for t in text.split_whitespace() {
            scanned_tokens += 1;
            digit_tokens += usize::from(t.bytes().any(|b| b.is_ascii_digit()));
        }
        put(if scanned_tokens > 0 {
            digit_tokens as f32 / scanned_tokens as f32
        } else {
            0.0
        });
        put(text.chars().take_while(|c| c.is_whitespace()).count() as f32);
        put(if cut < line.len() { 1.0 } else { 0.0 });

        // Masks.
        let kinds = self.masker.names().len();
        let mut counts = vec![0u32; kinds];
        self.masker.count_kinds(text, &mut counts);
        for c in counts {
            put(c as f32);
        }

        // Words: keywords, exception classes, HTTP verbs.
        let mut kw = [0u32; KEYWORDS.len()];
        let (mut exception_class, mut http_method) = (0u32, 0u32);
        let mut lower = String::new();
        let mut prev_timed = false;
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if !bytes[i].is_ascii_alphabetic() {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            let word = &text[start..i];
            lower.clear();
            lower.push_str(word);
            lower.make_ascii_lowercase();
            keyword_columns(self, &lower, &mut kw);
            if prev_timed && lower == "out" {
                kw[KW_TIMEOUT] += 1; // "timed out" counts for kw_timeout
            }
            prev_timed = lower == "timed";
            let first_upper = bytes[start].is_ascii_uppercase();
            if first_upper
                && ((word.len() > 9 && word.ends_with("Exception"))
                    || (word.len() > 5 && word.ends_with("Error")))
            {
                exception_class += 1;
            }
            if first_upper
                && HTTP_METHODS.contains(&word)
                && bytes.get(i) == Some(&b' ')
                && matches!(bytes.get(i + 1), Some(b'/') | Some(b'h'))
            {
                http_method += 1;
            }
        }
        for k in kw {
            put(k as f32);
        }
        put(exception_class as f32);
        let maybe_stack = text.starts_with("at ")
            || [
                " at ",
                "\tat ",
                "Caused by:",
                "Traceback",
                "File \"",
                "... ",
            ]
            .iter()
            .any(|m| text.contains(m));
        put(if maybe_stack {
            self.stack.find_iter(text).count() as f32
        } else {
            0.0
        });

        // key=value pairs: `=` between a key char and a value char.
        let mut kv = 0u32;
        for (j, &b) in bytes.iter().enumerate() {
            if b == b'=' && j > 0 && j + 1 < bytes.len() {
                let before = bytes[j - 1];
                let after = bytes[j + 1];
                if (before.is_ascii_alphanumeric() || matches!(before, b'_' | b'.' | b'-' | b']'))
                    && !after.is_ascii_whitespace()
                    && after != b'='
                {
                    kv += 1;
                }
            }
        }
        put(kv as f32);

        // JSON-ness.
        let trimmed = text.trim();
        let looks_json = (trimmed.starts_with('{') && trimmed.ends_with('}'))
            || (trimmed.starts_with('[') && trimmed.ends_with(']'));
        let valid = cut == line.len()
            && looks_json
            && serde_json::from_str::<serde::de::IgnoredAny>(trimmed).is_ok();
        put(if valid { 1.0 } else { 0.0 });
        let mut pairs = 0u32;
        for (j, _) in text.match_indices('"') {
            let rest = &bytes[j + 1..];
            let ws = rest.iter().take_while(|b| **b == b' ').count();
            if rest.get(ws) == Some(&b':') && j > 0 {
                pairs += 1;
            }
        }
        put(pairs as f32);

        // HTTP and URLs.
        put(http_method as f32);
        put(text.matches("HTTP/").count() as f32);
        put(if !text.contains("HTTP/") {
            0.0
        } else {
            self.http_status
                .captures(text)
                .and_then(|c| c.get(1))
                .and_then(|m| m.as_str().parse::<u16>().ok())
                .map_or(0.0, f32::from)
        });
        put(text.matches("://").count() as f32);
        debug_assert_eq!(col, self.width());
    }

    /// Row-major `n * width()` features of a batch (parallel for big batches).
    pub fn batch<S: AsRef<str> + Sync>(&self, lines: &[S]) -> Vec<f32> {
        let k = self.width();
        let rows = map_batch(lines, |line| {
            let mut row = vec![0f32; k];
            self.row(line.as_ref(), &mut row);
            row
        });
        let mut flat = Vec::with_capacity(lines.len() * k);
        for row in rows {
            flat.extend_from_slice(&row);
        }
        flat
    }
}

/// Column names of the shared featurizer.
pub fn feature_names() -> &'static [String] {
    Featurizer::shared().names()
}

/// Writes the features of `line` into `out` (`out.len() == feature_names().len()`).
pub fn features(line: &str, out: &mut [f32]) {
    Featurizer::shared().row(line, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feats(line: &str) -> impl Fn(&str) -> f32 {
        let f = Featurizer::shared();
        let mut row = vec![0f32; f.width()];
        f.row(line, &mut row);
        move |name: &str| {
            let at = f
                .names()
                .iter()
                .position(|n| n == name)
                .unwrap_or_else(|| panic!("no column {name}"));
            row[at]
        }
    }

    #[test]
    fn names_are_unique_and_include_masks() {
        let names = feature_names();
        let mut sorted = names.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        assert_eq!(KEYWORDS[KW_TIMEOUT].0, "kw_timeout");
        for m in Masker::default().names() {
            assert!(names.contains(&format!("mask_{m}")));
        }
    }

    #[test]
    fn basic_values() {
        let f = feats("aaaa");
        assert_eq!(f("length"), 4.0);
        assert_eq!(f("tokens"), 1.0);
        assert_eq!(f("entropy"), 0.0);
        assert_eq!(f("alpha_ratio"), 1.0);
        let f = feats("ab 12 CD!");
        assert_eq!(f("length"), 9.0);
        assert_eq!(f("tokens"), 3.0);
        assert_eq!(f("mean_token_length"), 7.0 / 3.0);
        assert_eq!(f("max_token_length"), 3.0);
        assert_eq!(f("digit_ratio"), 2.0 / 9.0);
        assert_eq!(f("upper_ratio"), 2.0 / 9.0);
        assert_eq!(f("punct_ratio"), 1.0 / 9.0);
        assert_eq!(f("whitespace_ratio"), 2.0 / 9.0);
        assert_eq!(f("digit_token_ratio"), 1.0 / 3.0);
        let f = feats("abcd");
        assert!((f("entropy") - 2.0).abs() < 1e-6);
        let f = feats("");
        assert_eq!(f("length"), 0.0);
        assert_eq!(f("entropy"), 0.0);
    }

    #[test]
    fn keywords_and_markers() {
        let f = feats("ERROR Failed password; Connection timed out, timeout=30 user=root");
        assert_eq!(f("kw_error"), 1.0);
        assert_eq!(f("kw_fail"), 1.0);
        assert_eq!(f("kw_auth"), 1.0);
        assert_eq!(f("kw_timeout"), 2.0);
        assert_eq!(f("kv_count"), 2.0);
        let f = feats("Caused by: java.io.IOException: x\n\tat org.apache.Foo.bar(Foo.java:12)");
        assert_eq!(f("exception_class"), 1.0);
        assert_eq!(f("kw_exception"), 1.0);
        assert_eq!(f("stack_markers"), 2.0);
        let f = feats(r#"1.2.3.4 - - "GET /index.html HTTP/1.1" 404 12 "http://x.org/""#);
        assert_eq!(f("http_method"), 1.0);
        assert_eq!(f("http_version"), 1.0);
        assert_eq!(f("http_status"), 404.0);
        assert_eq!(f("url_scheme"), 1.0);
        let f = feats(r#"{"a": 1, "b": [true, null]}"#);
        assert_eq!(f("json_valid"), 1.0);
        assert_eq!(f("json_pairs"), 2.0);
        let f = feats(r#"{"a": 1, "b": "#);
        assert_eq!(f("json_valid"), 0.0);
    }

    #[test]
    fn unicode_and_replacement() {
        let f = feats("caf\u{e9} \u{FFFD}\u{FFFD}");
        assert_eq!(f("length"), 7.0);
        assert_eq!(f("replacement_chars"), 2.0);
        assert_eq!(f("non_ascii_ratio"), 3.0 / 7.0);
    }

    #[test]
    fn huge_line_is_capped() {
        let line = "é".repeat(5 << 20);
        let t = std::time::Instant::now();
        let f = feats(&line);
        assert_eq!(f("length"), (5 << 20) as f32);
        assert_eq!(f("truncated"), 1.0);
        assert_eq!(f("tokens"), 1.0);
        assert!(t.elapsed().as_secs_f64() < 2.0);
    }

    #[test]
    fn batch_is_row_major() {
        let f = Featurizer::shared();
        let lines: Vec<String> = (0..5000).map(|i| "x".repeat(i % 50)).collect();
        let flat = f.batch(&lines);
        assert_eq!(flat.len(), lines.len() * f.width());
        for (i, line) in lines.iter().enumerate() {
            assert_eq!(flat[i * f.width()], line.len() as f32);
        }
    }
}
