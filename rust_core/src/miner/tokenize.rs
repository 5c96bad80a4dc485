//! Tokenizer and token classifier of the miner.
//!
//! A line is split on ASCII whitespace. Each token is reduced to its *shape*:
//! the variable parts (the kinds of the default mask table in [`crate::mask`])
//! become `<*>`, the rest is kept. `10.0.0.1:50010` → `<*>`, `blk_-1608` →
//! `blk_<*>`, `uid=0` → `uid=<*>`, `Rect(0,` → `Rect(<*>,`,
//! `/var/log/x.log` → `<*>`. A token whose shape is exactly `<*>` is a
//! wildcard for the miner. The classifier is a byte scanner (no regex); it is
//! used when the miner runs with the default mask set.

/// Longest token (bytes) that is classified; longer tokens are wildcards.
pub const MAX_TOKEN_BYTES: usize = 256;

/// The exported wildcard.
pub const WILDCARD_TEXT: &str = "<*>";

// Byte classes: one table look-up per byte answers every question the
// tokenizer and the classifier ask about it.
/// ASCII whitespace (`u8::is_ascii_whitespace`): separates tokens
const WS: u32 = 1;
/// a digit or one of `/ @ =`: the token goes to the classifier
const TRIGGER: u32 = 1 << 1;
const DOT: u32 = 1 << 2;
const DIGIT: u32 = 1 << 3;
const ALNUM: u32 = 1 << 4;
/// `/` or `@`: only these start paths, URLs and e-mail addresses
const SLASH_AT: u32 = 1 << 5;
const EQ: u32 = 1 << 6;
/// not in `[0-9.:_+%-]` (numbers, IPs, times and dates use only these)
const NOT_NUM: u32 = 1 << 7;
/// an alphanumeric byte that is not a hex digit
const NOT_HEX: u32 = 1 << 8;
const OPEN: u32 = 1 << 9;
const CLOSE: u32 = 1 << 10;
/// joins the parts of one variable: `. : - _ / + %`
const JOIN: u32 = 1 << 11;
/// ends the value of a key=value: `, ; & ) ] }`
const KV_END: u32 = 1 << 12;
/// `t` and `u`, `f` and `l`: a token can hold `true` / `false` only with both
const T: u32 = 1 << 13;
const U: u32 = 1 << 14;
const F: u32 = 1 << 15;
const L: u32 = 1 << 16;

static CLASS: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let mut c = 0;
        if b.is_ascii_whitespace() {
            c |= WS;
        }
        if b.is_ascii_digit() {
            c |= TRIGGER | DIGIT;
        }
        if b.is_ascii_alphanumeric() {
            c |= ALNUM;
            if !b.is_ascii_hexdigit() {
                c |= NOT_HEX;
            }
        }
        if !(b.is_ascii_digit() || matches!(b, b'.' | b':' | b'-' | b'_' | b'+' | b'%')) {
            c |= NOT_NUM;
        }
        if matches!(b, b'(' | b'[' | b'{' | b'<' | b'"' | b'\'') {
            c |= OPEN;
        }
        if matches!(
            b,
            b')' | b']' | b'}' | b'>' | b'"' | b'\'' | b',' | b';' | b':' | b'.'
        ) {
            c |= CLOSE;
        }
        if matches!(b, b'.' | b':' | b'-' | b'_' | b'/' | b'+' | b'%') {
            c |= JOIN;
        }
        if matches!(b, b',' | b';' | b'&' | b')' | b']' | b'}') {
            c |= KV_END;
        }
        match b {
            b'/' => c |= TRIGGER | SLASH_AT,
            b'@' => c |= TRIGGER | SLASH_AT,
            b'=' => c |= TRIGGER | EQ,
            b'.' => c |= DOT,
            b't' => c |= T,
            b'u' => c |= U,
            b'f' => c |= F,
            b'l' => c |= L,
            _ => {}
        }
        t[i] = c;
        i += 1;
    }
    t
};

#[inline(always)]
fn class(b: u8) -> u32 {
    CLASS[b as usize]
}

/// What the tokenizer saw in a token: whether it needs the classifier, and
/// which of the classifier's trigger bytes it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenInfo {
    /// classes of the token's bytes
    classes: u32,
    needs: bool,
}

impl TokenInfo {
    /// `false` for plain words, whose shape is the token itself.
    #[inline]
    pub fn needs_shape(self) -> bool {
        self.needs
    }
}

/// Calls `f(token, info)` on each of the first `max_tokens` whitespace
/// tokens of `line`; returns whether more tokens followed (the caller then
/// appends one `<*>`). Never scans past the first non-space byte after the
/// cap.
///
/// Only digits, `/ @ =`, an inner `.` (a final one ends a sentence),
/// `true`/`false`, a month or weekday, or more than [`MAX_TOKEN_BYTES`]
/// bytes send a token to the classifier ([`TokenInfo::needs_shape`]). The
/// split and this test are one pass over the bytes.
#[inline]
pub fn for_each_token<'a>(
    line: &'a str,
    max_tokens: usize,
    mut f: impl FnMut(&'a str, TokenInfo),
) -> bool {
    let b = line.as_bytes();
    let mut n = 0;
    let mut i = skip_space(b, 0);
    while i < b.len() {
        if n >= max_tokens {
            return true;
        }
        let s = i;
        let (e, next, classes) = scan_token(b, i);
        i = next;
        let tok = &b[s..e];
        // a final '.' ends a sentence: only an inner one counts
        let inner_dot = || tok[..tok.len() - 1].contains(&b'.');
        let needs = tok.len() > MAX_TOKEN_BYTES
            || classes & TRIGGER != 0
            || (classes & DOT != 0 && inner_dot())
            || (tok.len() == 3 && is_date_word(tok))
            || ((classes & (T | U) == T | U || classes & (F | L) == F | L) && has_true_false(tok));
        f(&line[s..e], TokenInfo { classes, needs });
        n += 1;
    }
    false
}

/// Index of the first non-space byte of `b[i..]`, or `b.len()`.
#[inline]
fn skip_space(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&x| class(x) & WS == 0)
        .map_or(b.len(), |k| i + k)
}

/// The token that starts at `i`: its end, the start of the next one (or
/// `b.len()`), and the classes of its bytes.
#[inline(never)]
fn scan_token(b: &[u8], i: usize) -> (usize, usize, u32) {
    let mut classes = 0;
    let mut e = i;
    for &x in &b[i..] {
        let c = class(x);
        if c & WS != 0 {
            break;
        }
        classes |= c;
        e += 1;
    }
    (e, skip_space(b, e), classes)
}

/// Does `t` contain `true` or `false` (lower case)?
#[inline]
fn has_true_false(t: &[u8]) -> bool {
    const TRUE: u32 = u32::from_le_bytes(*b"true");
    const FALS: u32 = u32::from_le_bytes(*b"fals");
    t.windows(4).enumerate().any(|(k, w)| {
        let v = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        v == TRUE || (v == FALS && t.get(k + 4) == Some(&b'e'))
    })
}

/// Reusable buffers of the token classifier.
#[derive(Debug, Clone, Default)]
pub struct Shaper {
    segs: Vec<(Seg, usize, usize)>,
    out: String,
}

impl Shaper {
    pub fn new() -> Self {
        Self::default()
    }

    /// The shape of `tok`: variables become `<*>`, the rest is kept.
    pub fn shape(&mut self, tok: &str) -> &str {
        let classes = tok.bytes().fold(0, |a, x| a | class(x));
        self.shape_classified(tok, classes)
    }

    /// [`Shaper::shape`] of a token that [`for_each_token`] reported.
    #[inline]
    pub fn shape_token(&mut self, tok: &str, info: TokenInfo) -> &str {
        self.shape_classified(tok, info.classes)
    }

    /// `classes`: the classes of `tok`'s bytes, OR-ed (only the DIGIT, EQ,
    /// SLASH_AT and DOT bits are read; more bits do no harm).
    fn shape_classified(&mut self, tok: &str, classes: u32) -> &str {
        self.out.clear();
        let b = tok.as_bytes();
        if b.len() > MAX_TOKEN_BYTES {
            self.out.push_str(WILDCARD_TEXT);
            return &self.out;
        }
        // Split off leading brackets/quotes and trailing punctuation.
        let mut s = 0;
        while s < b.len() && class(b[s]) & OPEN != 0 {
            s += 1;
        }
        let mut e = b.len();
        while e > s && class(b[e - 1]) & CLOSE != 0 {
            e -= 1;
        }
        if s > 0 {
            self.out.push_str(&tok[..s]);
        }
        let core = &tok[s..e];
        let cb = core.as_bytes();
        // numbers, IPs, times, dates: a digit then only digits and joiners
        let numeric = cb.first().is_some_and(u8::is_ascii_digit)
            && cb.iter().all(|&x| class(x) & NOT_NUM == 0);
        if numeric
            || (classes & SLASH_AT != 0 && is_whole_var(cb))
            || (classes & DOT != 0 && is_dotted_name(cb))
        {
            self.out.push_str(WILDCARD_TEXT);
        } else if classes & (DIGIT | EQ) == 0 && !has_var_word(cb) {
            // no run with a digit, no key=value, no true/false/date word:
            // nothing in the core is a variable
            self.out.push_str(core);
        } else {
            self.segs.clear();
            shape_segments(core, &mut self.segs, &mut self.out);
        }
        if e < b.len() {
            self.out.push_str(&tok[e..]);
        }
        &self.out
    }

    /// `tok` with each of `placeholders` (user masks) replaced by `<*>`.
    pub fn wildcard_placeholders<'p>(
        &mut self,
        tok: &str,
        placeholders: impl IntoIterator<Item = &'p str>,
    ) -> &str {
        self.out.clear();
        self.out.push_str(tok);
        for p in placeholders {
            if !p.is_empty() && self.out.contains(p) {
                self.out = self.out.replace(p, WILDCARD_TEXT);
            }
        }
        &self.out
    }
}

/// Paths, URLs and e-mail addresses are variables as a whole.
fn is_whole_var(c: &[u8]) -> bool {
    if c.len() >= 2 && ((c[0] == b'/' && c[1] != b'/') || (c[0] == b'~' && c[1] == b'/')) {
        // A path, unless it is a key=value or a fraction like "1/2" (starts with '/').
        return !c.contains(&b'=');
    }
    if let Some(p) = c.windows(3).position(|w| w == b"://") {
        return p > 0 && c[..p].iter().all(|x| x.is_ascii_alphabetic());
    }
    if let Some(at) = c.iter().position(|&x| x == b'@') {
        return at > 0
            && c[at + 1..].contains(&b'.')
            && c[..at]
                .iter()
                .all(|x| x.is_ascii_alphanumeric() || matches!(x, b'.' | b'_' | b'-' | b'+'));
    }
    false
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seg {
    Lit,
    /// a word of hex letters only (`b8cc`): joins runs of variables (UUIDs)
    HexLit,
    Var,
    /// the value of a key=value
    KvVar,
}

/// `a.b.c` style names (hosts, packages): 3+ dot-separated parts of `[\w-]`.
fn is_dotted_name(c: &[u8]) -> bool {
    let mut parts = 1;
    let mut prev_dot = true;
    for &x in c {
        if x == b'.' {
            if prev_dot {
                return false;
            }
            parts += 1;
            prev_dot = true;
        } else if x.is_ascii_alphanumeric() || x == b'_' || x == b'-' {
            prev_dot = false;
        } else {
            return false;
        }
    }
    parts >= 3 && !prev_dot
}

/// Month and weekday abbreviations (parts of timestamps), capitalised.
fn is_date_word(r: &[u8]) -> bool {
    if r.len() != 3 || !r[0].is_ascii_uppercase() {
        return false;
    }
    let w = [
        r[0].to_ascii_lowercase(),
        r[1].to_ascii_lowercase(),
        r[2].to_ascii_lowercase(),
    ];
    matches!(
        &w,
        b"jan"
            | b"feb"
            | b"mar"
            | b"apr"
            | b"may"
            | b"jun"
            | b"jul"
            | b"aug"
            | b"sep"
            | b"oct"
            | b"nov"
            | b"dec"
            | b"mon"
            | b"tue"
            | b"wed"
            | b"thu"
            | b"fri"
            | b"sat"
            | b"sun"
    )
}

/// A variable without digits: `true` / `false` (any case), a month or weekday.
fn is_var_word(r: &[u8]) -> bool {
    match r.len() {
        3 => is_date_word(r),
        4 => r.eq_ignore_ascii_case(b"true"),
        5 => r.eq_ignore_ascii_case(b"false"),
        _ => false,
    }
}

/// Is one alphanumeric run of `c` a variable word ([`is_var_word`])?
fn has_var_word(c: &[u8]) -> bool {
    let mut i = 0;
    while i < c.len() {
        if class(c[i]) & ALNUM == 0 {
            i += 1;
            continue;
        }
        let s = i;
        while i < c.len() && class(c[i]) & ALNUM != 0 {
            i += 1;
        }
        if is_var_word(&c[s..i]) {
            return true;
        }
    }
    false
}

/// Kind of an alphanumeric run with `digits` digits; `acc`: its byte classes.
fn classify_run(r: &[u8], digits: usize, acc: u32) -> Seg {
    if digits == 0 {
        if is_var_word(r) {
            return Seg::Var;
        }
        if r.len() >= 4 && acc & NOT_HEX == 0 {
            return Seg::HexLit;
        }
        return Seg::Lit;
    }
    // `eth0`, `ssh2`, `ipv6`: a word with one trailing digit is a name
    let n = r.len();
    if digits == 1 && n >= 3 && r[n - 1].is_ascii_digit() {
        return Seg::Lit;
    }
    Seg::Var
}

/// Shape of a token core: key=value values and alphanumeric runs with digits
/// become `<*>`; runs of variables joined by `.:-_/+%` collapse into one; a
/// core with two or more separate variables (and no `=`) is one variable.
fn shape_segments(core: &str, segs: &mut Vec<(Seg, usize, usize)>, out: &mut String) {
    let b = core.as_bytes();
    let mut i = 0;
    let mut has_eq = false;
    while i < b.len() {
        let c = b[i];
        let cc = class(c);
        if cc & EQ != 0 && i > 0 && (class(b[i - 1]) & ALNUM != 0 || b[i - 1] == b'_') {
            has_eq = true;
            // key=value: the value runs to the next separator.
            segs.push((Seg::Lit, i, i + 1));
            let mut j = i + 1;
            while j < b.len() && class(b[j]) & KV_END == 0 {
                j += 1;
            }
            if j > i + 1 {
                segs.push((Seg::KvVar, i + 1, j));
            }
            i = j;
        } else if cc & ALNUM != 0 {
            let (mut j, mut digits, mut acc) = (i, 0, 0);
            while j < b.len() {
                let k = class(b[j]);
                if k & ALNUM == 0 {
                    break;
                }
                digits += usize::from(k & DIGIT != 0);
                acc |= k;
                j += 1;
            }
            segs.push((classify_run(&b[i..j], digits, acc), i, j));
            i = j;
        } else {
            // one punctuation byte (or a whole UTF-8 char)
            let mut j = i + 1;
            while j < b.len() && !core.is_char_boundary(j) {
                j += 1;
            }
            segs.push((Seg::Lit, i, j));
            i = j;
        }
    }
    // `blk_123`, `rdd_7`: an identifier prefix glued by `_` to a variable is part of it
    let one = |seg: (Seg, usize, usize), c: u8| seg.2 - seg.1 == 1 && b[seg.1] == c;
    for k in (0..segs.len().saturating_sub(2)).rev() {
        let (kind, st, en) = segs[k];
        if !(matches!(kind, Seg::Lit | Seg::HexLit)
            && b[st].is_ascii_alphanumeric()
            && one(segs[k + 1], b'_'))
        {
            continue;
        }
        // `_` then the variable, or `_-` then a negative number
        let v = if segs[k + 2].0 == Seg::Var {
            k + 2
        } else if k + 3 < segs.len() && one(segs[k + 2], b'-') && segs[k + 3].0 == Seg::Var {
            k + 3
        } else {
            continue;
        };
        segs[k] = (Seg::Var, st, en);
        segs[v].0 = Seg::HexLit; // one variable, not two
    }
    let is_var = |s: Seg| matches!(s, Seg::Var | Seg::KvVar);
    let is_join_seg = |seg: &(Seg, usize, usize)| {
        seg.0 == Seg::Lit && seg.2 - seg.1 == 1 && class(b[seg.1]) & JOIN != 0
    };
    // Collapse Var (join (Var|HexLit))* and a sign before a Var.
    let start = out.len();
    let mut groups = 0;
    // start of literal bytes not written yet (segments tile the core)
    let mut lit: Option<usize> = None;
    let mut k = 0;
    while k < segs.len() {
        if is_var(segs[k].0) {
            if let Some(l) = lit.take() {
                out.push_str(&core[l..segs[k].1]);
            }
            if segs[k].0 == Seg::Var {
                groups += 1;
            }
            let mut m = k + 1;
            loop {
                let mut n = m;
                while n < segs.len() && is_join_seg(&segs[n]) {
                    n += 1;
                }
                if n > m && n < segs.len() && matches!(segs[n].0, Seg::Var | Seg::HexLit) {
                    m = n + 1;
                } else {
                    break;
                }
            }
            out.push_str(WILDCARD_TEXT);
            k = m;
        } else {
            let (_, st, en) = segs[k];
            // a sign right before a Var, at the start or after punctuation, is part of it
            let sign = en - st == 1
                && matches!(b[st], b'-' | b'+')
                && k + 1 < segs.len()
                && segs[k + 1].0 == Seg::Var
                && (k == 0 || !b[segs[k - 1].2 - 1].is_ascii_alphanumeric());
            if sign {
                if let Some(l) = lit.take() {
                    out.push_str(&core[l..st]);
                }
            } else if lit.is_none() {
                lit = Some(st);
            }
            k += 1;
        }
    }
    if let Some(l) = lit {
        out.push_str(&core[l..]);
    }
    if groups >= 2 && !has_eq {
        out.truncate(start);
        out.push_str(WILDCARD_TEXT);
    }
}

/// Splits `line` into at most `max_tokens` whitespace tokens; returns whether
/// more tokens followed (the caller then appends one wildcard).
pub fn split_tokens<'a>(line: &'a str, max_tokens: usize, out: &mut Vec<&'a str>) -> bool {
    out.clear();
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        if out.len() >= max_tokens {
            return true;
        }
        let s = i;
        while i < b.len() && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        out.push(&line[s..i]);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(t: &str) -> String {
        Shaper::new().shape(t).to_owned()
    }

    /// (token, needs_shape) of each token of `line`.
    fn toks(line: &str) -> Vec<(&str, bool)> {
        let mut v = Vec::new();
        assert!(!for_each_token(line, 64, |t, i| v.push((t, i.needs_shape()))));
        v
    }

    #[test]
    fn shapes() {
        assert_eq!(sh("10.0.0.1:50010"), "<*>");
        assert_eq!(sh("blk_-1608999687919862906"), "<*>");
        assert_eq!(sh("rdd_42"), "<*>");
        assert_eq!(sh("uid=0"), "uid=<*>");
        assert_eq!(sh("logname="), "logname=");
        assert_eq!(sh("Rect(0,"), "Rect(<*>,");
        assert_eq!(sh("/var/log/x.log"), "<*>");
        assert_eq!(sh("http://a.b/c"), "<*>");
        assert_eq!(sh("root@example.com"), "<*>");
        assert_eq!(sh("12ms"), "<*>");
        assert_eq!(sh("3.5GB"), "<*>");
        assert_eq!(sh("-42"), "<*>");
        assert_eq!(sh("0x1f"), "<*>");
        assert_eq!(sh("(1.2.3.4)"), "(<*>)");
        assert_eq!(sh("node-123"), "node-<*>");
        assert_eq!(sh("hello"), "hello");
        assert_eq!(sh("ready=true,policy=3"), "ready=<*>,policy=<*>");
        assert_eq!(sh("550e8400-e29b-41d4-a716-446655440000"), "<*>");
        assert_eq!(sh(&"x".repeat(300)), "<*>");
        assert_eq!(sh("héllo=1"), "héllo=<*>");
        assert_eq!(sh("Jul"), "<*>");
        assert_eq!(sh("(Sun,"), "(<*>,");
        assert_eq!(sh("enabled:TRUE"), "enabled:<*>");
        assert_eq!(sh("isTrue"), "isTrue");
        assert_eq!(sh("workerEnv.init()"), "workerEnv.init()");
        assert_eq!(sh("a.b.c"), "<*>");
        assert_eq!(sh("a.b"), "a.b");
        assert_eq!(sh("eth0"), "eth0");
        assert_eq!(sh("dead_beef_12"), "<*>");
        assert_eq!(sh("x/y"), "x/y");
        assert_eq!(sh("~/x"), "<*>");
        assert_eq!(sh("a@b"), "a@b");
    }

    #[test]
    fn plain_words_skip_the_classifier() {
        assert_eq!(
            toks(" Got  end. of\ttrue Jul Bye a.b uid=0 \x0c x/y  "),
            vec![
                ("Got", false),
                ("end.", false),
                ("of", false),
                ("true", true),
                ("Jul", true),
                ("Bye", false),
                ("a.b", true),
                ("uid=0", true),
                ("x/y", true),
            ]
        );
        // a token that skips the classifier is its own shape
        for (t, needs) in toks("Got end. of Bye hello, (world) isTrue") {
            if !needs {
                assert_eq!(sh(t), t);
            }
        }
        assert_eq!(
            toks("istrue falsey fals tru a.b. x..")
                .iter()
                .map(|t| t.1)
                .collect::<Vec<_>>(),
            [true, true, false, false, true, true]
        );
        // the classes the tokenizer collects give the same shapes
        let line = "uid=0 (1.2.3.4) a.b.c. blk_-42 Jul enabled:true /x/y end.";
        let mut shaper = Shaper::new();
        for_each_token(line, 64, |t, i| {
            if i.needs_shape() {
                assert_eq!(shaper.shape_token(t, i).to_owned(), sh(t));
            }
        });
        let long = "y".repeat(MAX_TOKEN_BYTES + 1);
        assert_eq!(toks(&long), vec![(long.as_str(), true)]);
    }

    #[test]
    fn split_caps() {
        let mut v = Vec::new();
        assert!(!split_tokens("  a b\tc ", 3, &mut v));
        assert_eq!(v, vec!["a", "b", "c"]);
        assert!(split_tokens("a b c d", 3, &mut v));
        assert_eq!(v.len(), 3);
    }
}
