//! Masking: replace variable parts of a message with typed placeholders.
//!
//! Masks are data: `(name, regex, placeholder)`, applied in order. When a
//! regex has a capture group named `v`, only that group is replaced (so
//! `uid=0` becomes `uid=<VAL>`); otherwise the whole match is. The set is
//! configurable; the defaults are:
//!
//! | name | matches | placeholder | example |
//! | --- | --- | --- | --- |
//! | `uuid` | 8-4-4-4-12 hex UUIDs | `<UUID>` | `550e8400-e29b-41d4-a716-446655440000` |
//! | `url` | `scheme://…` | `<URL>` | `http://host:8080/a?b=1` |
//! | `email` | `user@domain.tld` | `<EMAIL>` | `root@example.com` |
//! | `timestamp` | ISO-8601 date-times, `hh:mm:ss[.fff]` | `<TS>` | `2016-09-28 04:30:30.123`, `04:30:31` |
//! | `mac` | MAC addresses (`:` or `-`) | `<MAC>` | `00:1a:2b:3c:4d:5e` |
//! | `ipv6` | full or `::`-compressed IPv6 | `<IP>` | `fe80::1ff:fe23:4567:890a` |
//! | `ipv4` | IPv4 with optional `:port` | `<IP>` | `10.0.0.1:50010` |
//! | `path` | absolute, `~/`, `./` paths (not inside a word) | `<PATH>` | `/var/log/syslog` |
//! | `num` | ints, floats, signed, exponents, units | `<NUM>` | `-42`, `3.5GB`, `12ms`, `1e-3` |
//! | `hex` | `0x…`, hex words mixing digits and a-f | `<HEX>` | `0x1f`, `3fa9c01d` |
//! | `kv` | the value of `key=value` | `<VAL>` | `user=root` → `user=<VAL>` |
//! | `dquote` | content of `"…"` | `<STR>` | `"a b"` → `"<STR>"` |
//! | `squote` | content of `'…'` | `<STR>` | `'x'` → `'<STR>'` |
//!
//! Speed: each default mask has a cheap byte pre-check (e.g. `num` needs a
//! digit, `path` a `/`); one byte scan of the line decides which regexes run.
//! User masks (any spec that differs from a default) always run. The miner
//! does not run these regexes with the default set: it uses an equivalent
//! token classifier ([`crate::miner::tokenize`]) and exports `<*>`.

use crate::error::{regex_reason, CoreError, CoreResult};
use regex::{NoExpand, Regex};
use std::sync::OnceLock;

/// One mask as data: a name (stable id), a regex and the placeholder it writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskSpec {
    pub name: String,
    pub regex: String,
    pub placeholder: String,
}

impl MaskSpec {
    pub fn new(name: &str, regex: &str, placeholder: &str) -> Self {
        Self {
            name: name.to_owned(),
            regex: regex.to_owned(),
            placeholder: placeholder.to_owned(),
        }
    }
}

const HAS_DIGIT: u8 = 1;
const HAS_COLON: u8 = 2;
const HAS_SLASH: u8 = 4;
const HAS_AT: u8 = 8;
const HAS_EQ: u8 = 16;
const HAS_DQUOTE: u8 = 32;
const HAS_SQUOTE: u8 = 64;
const HAS_DASH: u8 = 128;
const ALWAYS: u8 = 0xff;

/// Default masks: (name, regex, placeholder, bytes one of which must occur).
const DEFAULTS: &[(&str, &str, &str, u8)] = &[
    (
        "uuid",
        r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b",
        "<UUID>",
        HAS_DASH,
    ),
    (
        "url",
        r#"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"'<>]+"#,
        "<URL>",
        HAS_COLON,
    ),
    (
        "email",
        r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b",
        "<EMAIL>",
        HAS_AT,
    ),
    (
        "timestamp",
        r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?\b|\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b",
        "<TS>",
        HAS_DIGIT,
    ),
    (
        "mac",
        r"\b[0-9a-fA-F]{2}(?:[:-][0-9a-fA-F]{2}){5}\b",
        "<MAC>",
        HAS_COLON | HAS_DASH,
    ),
    (
        "ipv6",
        r"\b(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}\b|\b(?:[0-9a-fA-F]{1,4}:){1,6}:(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){0,5})?(?:\b|$)|::1\b",
        "<IP>",
        HAS_COLON,
    ),
    (
        "ipv4",
        r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b",
        "<IP>",
        HAS_DIGIT,
    ),
    (
        "path",
        r"\B(?:~|\.{1,2})?/[\w.~%+-]+(?:/[\w.~%+-]*)*",
        "<PATH>",
        HAS_SLASH,
    ),
    (
        "num",
        r"(?:\B[-+])?\b\d+(?:\.\d+)*(?:[eE][-+]?\d+)?(?:[a-zA-Z]{1,3}\b|%|\b)",
        "<NUM>",
        HAS_DIGIT,
    ),
    (
        "hex",
        r"\b0[xX][0-9a-fA-F]+\b|\b[0-9a-fA-F]*(?:\d[0-9a-fA-F]*[a-fA-F]|[a-fA-F][0-9a-fA-F]*\d)[0-9a-fA-F]*\b",
        "<HEX>",
        HAS_DIGIT,
    ),
    (
        "kv",
        r#"\b[\w.-]+=(?P<v>[^\s,;&"'<>()\[\]{}][^\s,;&"'()\[\]{}]*)"#,
        "<VAL>",
        HAS_EQ,
    ),
    ("dquote", r#""(?P<v>[^"<][^"]*)""#, "<STR>", HAS_DQUOTE),
    ("squote", r"'(?P<v>[^'<][^']*)'", "<STR>", HAS_SQUOTE),
];

/// The built-in masks, in application order.
pub fn default_masks() -> Vec<MaskSpec> {
    DEFAULTS
        .iter()
        .map(|(n, r, p, _)| MaskSpec::new(n, r, p))
        .collect()
}

#[inline]
fn line_flags(line: &[u8]) -> u8 {
    let mut f = 0u8;
    for &b in line {
        f |= match b {
            b'0'..=b'9' => HAS_DIGIT,
            b':' => HAS_COLON,
            b'/' => HAS_SLASH,
            b'@' => HAS_AT,
            b'=' => HAS_EQ,
            b'"' => HAS_DQUOTE,
            b'\'' => HAS_SQUOTE,
            b'-' => HAS_DASH,
            _ => 0,
        };
    }
    f
}

#[derive(Debug, Clone)]
struct Compiled {
    re: Regex,
    /// replace only the group `v`
    group_v: bool,
    /// line flags one of which is needed (`ALWAYS` for user masks)
    need: u8,
}

#[derive(Debug, Clone)]
pub struct Masker {
    specs: Vec<MaskSpec>,
    compiled: Vec<Compiled>,
}

impl Masker {
    /// Compiles `specs`; every invalid regex is reported in one error. The
    /// default set is compiled once per process and shared (regexes clone cheaply).
    pub fn new(specs: &[MaskSpec]) -> CoreResult<Self> {
        if specs.len() == DEFAULTS.len() && specs == default_masks() {
            return Ok(shared_default().clone());
        }
        Self::compile(specs)
    }

    fn compile(specs: &[MaskSpec]) -> CoreResult<Self> {
        let mut compiled = Vec::with_capacity(specs.len());
        let mut problems = Vec::new();
        for s in specs {
            if s.name.is_empty() {
                problems.push(CoreError::BadMask {
                    name: s.name.clone(),
                    reason: "empty name".to_owned(),
                });
                continue;
            }
            match Regex::new(&s.regex) {
                Ok(re) => {
                    let need = DEFAULTS
                        .iter()
                        .find(|d| d.0 == s.name && d.1 == s.regex)
                        .map_or(ALWAYS, |d| d.3);
                    let group_v = re.capture_names().any(|n| n == Some("v"));
                    compiled.push(Compiled { re, group_v, need });
                }
                Err(e) => problems.push(CoreError::BadMask {
                    name: s.name.clone(),
                    reason: regex_reason(&e),
                }),
            }
        }
        match problems.len() {
            0 => Ok(Self {
                specs: specs.to_vec(),
                compiled,
            }),
            1 => Err(problems.remove(0)),
            _ => Err(CoreError::BadConfig(
                problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            )),
        }
    }

    pub fn names(&self) -> Vec<&str> {
        self.specs.iter().map(|s| s.name.as_str()).collect()
    }

    pub fn specs(&self) -> &[MaskSpec] {
        &self.specs
    }

    #[inline]
    fn runs(c: &Compiled, flags: u8) -> bool {
        c.need == ALWAYS || c.need & flags != 0
    }

    /// Masked text of `line`.
    pub fn mask(&self, line: &str) -> String {
        let flags = line_flags(line.as_bytes());
        let mut out: Option<String> = None;
        for (spec, c) in self.specs.iter().zip(&self.compiled) {
            if !Self::runs(c, flags) {
                continue;
            }
            let cur: &str = out.as_deref().unwrap_or(line);
            let next = if c.group_v {
                replace_group_v(&c.re, cur, &spec.placeholder)
            } else {
                match c.re.replace_all(cur, NoExpand(&spec.placeholder)) {
                    std::borrow::Cow::Borrowed(_) => None,
                    std::borrow::Cow::Owned(s) => Some(s),
                }
            };
            if let Some(n) = next {
                out = Some(n);
            }
        }
        out.unwrap_or_else(|| line.to_owned())
    }

    /// Adds to `counts[i]` the number of matches of mask `i` in `line`
    /// (`counts.len()` must equal the number of masks; extra slots are ignored).
    /// Matches are counted on the original line, independently per mask.
    pub fn count_kinds(&self, line: &str, counts: &mut [u32]) {
        let flags = line_flags(line.as_bytes());
        for (c, comp) in counts.iter_mut().zip(&self.compiled) {
            if Self::runs(comp, flags) {
                *c += comp.re.find_iter(line).count() as u32;
            }
        }
    }
}

/// Replaces group `v` of every match; `None` when nothing matched.
fn replace_group_v(re: &Regex, text: &str, placeholder: &str) -> Option<String> {
    let mut out = String::new();
    let mut last = 0;
    for caps in re.captures_iter(text) {
        if let Some(m) = caps.name("v") {
            out.push_str(&text[last..m.start()]);
            out.push_str(placeholder);
            last = m.end();
        }
    }
    if last == 0 {
        return None;
    }
    out.push_str(&text[last..]);
    Some(out)
}

/// The default masks, compiled on first use.
fn shared_default() -> &'static Masker {
    static DEFAULT: OnceLock<Masker> = OnceLock::new();
    DEFAULT.get_or_init(|| {
        // The built-in table is tested to compile (tests::defaults_compile).
        Masker::compile(&default_masks()).unwrap_or_else(|_| Masker {
            specs: Vec::new(),
            compiled: Vec::new(),
        })
    })
}

impl Default for Masker {
    fn default() -> Self {
        shared_default().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> String {
        Masker::default().mask(s)
    }

    #[test]
    fn defaults_compile() {
        let masker = Masker::compile(&default_masks()).expect("defaults compile");
        assert_eq!(masker.names().len(), DEFAULTS.len());
    }

    #[test]
    fn every_kind() {
        assert_eq!(
            m("id 550e8400-e29b-41d4-a716-446655440000 ok"),
            "id <UUID> ok"
        );
        assert_eq!(m("get http://h.com:80/a?b=1 now"), "get <URL> now");
        assert_eq!(m("mail root@example.com sent"), "mail <EMAIL> sent");
        assert_eq!(m("at 2016-09-28 04:30:30.123 x"), "at <TS> x");
        assert_eq!(m("at 04:30:31 x"), "at <TS> x");
        assert_eq!(m("mac 00:1a:2b:3c:4d:5e up"), "mac <MAC> up");
        assert_eq!(m("from fe80::1ff:fe23:4567:890a up"), "from <IP> up");
        assert_eq!(m("from 10.0.0.1:50010 up"), "from <IP> up");
        assert_eq!(m("from 10.0.0.1 up"), "from <IP> up");
        assert_eq!(m("open /var/log/syslog failed"), "open <PATH> failed");
        assert_eq!(m("a/b stays"), "a/b stays");
        assert_eq!(m("addr 0x1f and 3fa9c01d"), "addr <HEX> and <HEX>");
        assert_eq!(
            m("took 12ms for 3.5GB, -42 and 1e-3"),
            "took <NUM> for <NUM>, <NUM> and <NUM>"
        );
        assert_eq!(m("node-123 up"), "node-<NUM> up");
        assert_eq!(m("user=root uid=0"), "user=<VAL> uid=<NUM>");
        assert_eq!(m(r#"say "hello world" now"#), r#"say "<STR>" now"#);
        assert_eq!(m("dev 'sda' gone"), "dev '<STR>' gone");
        assert_eq!(m("plain words only"), "plain words only");
    }

    #[test]
    fn bad_regex_names_mask() {
        let err = Masker::new(&[MaskSpec::new("broken", "(", "<X>")]).unwrap_err();
        assert!(matches!(err, CoreError::BadMask { ref name, .. } if name == "broken"));
    }

    #[test]
    fn custom_masks_always_run() {
        let masker = Masker::new(&[MaskSpec::new("word", r"\bfoo\b", "<FOO>")]).expect("ok");
        assert_eq!(masker.mask("a foo b"), "a <FOO> b");
        let mut counts = [0u32; 1];
        masker.count_kinds("foo foo", &mut counts);
        assert_eq!(counts, [2]);
    }

    #[test]
    fn count_kinds_defaults() {
        let masker = Masker::default();
        let mut counts = vec![0u32; masker.names().len()];
        masker.count_kinds("from 10.0.0.1 took 5ms", &mut counts);
        let ip = masker
            .names()
            .iter()
            .position(|n| *n == "ipv4")
            .expect("ipv4");
        let num = masker
            .names()
            .iter()
            .position(|n| *n == "num")
            .expect("num");
        assert_eq!(counts[ip], 1);
        assert!(counts[num] >= 1);
    }
}
