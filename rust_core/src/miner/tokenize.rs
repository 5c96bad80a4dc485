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

/// Does the token need the classifier at all? (Fast path: plain words.)
/// One pass: digits, `/ @ =`, an inner `.`, `true`/`false`, or a capitalised 3-letter
/// word (month/weekday) send a token to [`shape_token`].
#[inline]
pub fn needs_shape(tok: &[u8]) -> bool {
    let n = tok.len();
    if n == 0 {
        return false;
    }
    if n > MAX_TOKEN_BYTES || (n == 3 && tok[0].is_ascii_uppercase()) {
        return true;
    }
    // branch-free class scan; a final '.' (end of sentence) does not count
    let mut acc = 0u8;
    for &b in &tok[..n - 1] {
        acc |= CLASS[b as usize];
    }
    acc |= CLASS[tok[n - 1] as usize] & !DOT;
    if acc & (TRIGGER | DOT) != 0 {
        return true;
    }
    acc & TF != 0 && (contains(tok, b"true") || contains(tok, b"false"))
}

const TRIGGER: u8 = 1;
const DOT: u8 = 2;
const TF: u8 = 4;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = b'0';
    while c <= b'9' {
        t[c as usize] = TRIGGER;
        c += 1;
    }
    t[b'/' as usize] = TRIGGER;
    t[b'@' as usize] = TRIGGER;
    t[b'=' as usize] = TRIGGER;
    t[b'.' as usize] = DOT;
    t[b't' as usize] = TF;
    t[b'f' as usize] = TF;
    t
};

#[inline]
fn contains(h: &[u8], n: &[u8]) -> bool {
    h.windows(n.len()).any(|w| w == n)
}

#[inline]
fn is_open(b: u8) -> bool {
    matches!(b, b'(' | b'[' | b'{' | b'<' | b'"' | b'\'')
}

#[inline]
fn is_close(b: u8) -> bool {
    matches!(
        b,
        b')' | b']' | b'}' | b'>' | b'"' | b'\'' | b',' | b';' | b':' | b'.'
    )
}

#[inline]
fn is_join(b: u8) -> bool {
    matches!(b, b'.' | b':' | b'-' | b'_' | b'/' | b'+' | b'%')
}

/// Writes the shape of `tok` into `out` (cleared first).
pub fn shape_token(tok: &str, out: &mut String) {
    out.clear();
    let b = tok.as_bytes();
    if b.len() > MAX_TOKEN_BYTES {
        out.push_str(WILDCARD_TEXT);
        return;
    }
    // Split off leading brackets/quotes and trailing punctuation.
    let mut s = 0;
    while s < b.len() && is_open(b[s]) {
        s += 1;
    }
    let mut e = b.len();
    while e > s && is_close(b[e - 1]) {
        e -= 1;
    }
    out.push_str(&tok[..s]);
    let core = &tok[s..e];
    let cb = core.as_bytes();
    // numbers, IPs, times, dates: a digit then only digits and joiners
    let numeric = !cb.is_empty()
        && cb[0].is_ascii_digit()
        && cb
            .iter()
            .all(|&x| x.is_ascii_digit() || matches!(x, b'.' | b':' | b'-' | b'_' | b'+' | b'%'));
    if numeric || is_whole_var(cb) {
        out.push_str(WILDCARD_TEXT);
    } else {
        shape_core(core, out);
    }
    out.push_str(&tok[e..]);
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

#[derive(Clone, Copy, PartialEq, Eq)]
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

/// Month and weekday abbreviations (parts of timestamps).
fn is_date_word(r: &[u8]) -> bool {
    const WORDS: [&[u8]; 19] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec", b"mon", b"tue", b"wed", b"thu", b"fri", b"sat", b"sun",
    ];
    r.len() == 3 && r[0].is_ascii_uppercase() && WORDS.iter().any(|w| r.eq_ignore_ascii_case(w))
}

/// Kind of an alphanumeric run.
fn classify_run(r: &[u8]) -> Seg {
    let digits = r.iter().filter(|x| x.is_ascii_digit()).count();
    if digits == 0 {
        if r.eq_ignore_ascii_case(b"true") || r.eq_ignore_ascii_case(b"false") || is_date_word(r) {
            return Seg::Var;
        }
        if r.len() >= 4 && r.iter().all(u8::is_ascii_hexdigit) {
            return Seg::HexLit;
        }
        return Seg::Lit;
    }
    // `eth0`, `ssh2`, `ipv6`: a word with one trailing digit is a name
    let n = r.len();
    if digits == 1
        && n >= 3
        && r[n - 1].is_ascii_digit()
        && r[..n - 1].iter().all(u8::is_ascii_alphabetic)
    {
        return Seg::Lit;
    }
    Seg::Var
}

/// Shape of a token core: key=value values and alphanumeric runs with digits
/// become `<*>`; runs of variables joined by `.:-_/+%` collapse into one; a
/// core with two or more separate variables (and no `=`) is one variable.
fn shape_core(core: &str, out: &mut String) {
    let b = core.as_bytes();
    if is_dotted_name(b) {
        out.push_str(WILDCARD_TEXT);
        return;
    }
    SEGS.with(|cell| {
        let mut segs = cell.borrow_mut();
        segs.clear();
        shape_segments(core, &mut segs, out);
    });
}

thread_local! {
    static SEGS: std::cell::RefCell<Vec<(Seg, usize, usize)>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn shape_segments(core: &str, segs: &mut Vec<(Seg, usize, usize)>, out: &mut String) {
    let b = core.as_bytes();
    let mut i = 0;
    let mut has_eq = false;
    while i < b.len() {
        let c = b[i];
        if c == b'=' && i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_') {
            has_eq = true;
            // key=value: the value runs to the next separator.
            segs.push((Seg::Lit, i, i + 1));
            let mut j = i + 1;
            while j < b.len() && !matches!(b[j], b',' | b';' | b'&' | b')' | b']' | b'}') {
                j += 1;
            }
            if j > i + 1 {
                segs.push((Seg::KvVar, i + 1, j));
            }
            i = j;
        } else if c.is_ascii_alphanumeric() {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_alphanumeric() {
                j += 1;
            }
            segs.push((classify_run(&b[i..j]), i, j));
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
    let is_join_seg =
        |seg: &(Seg, usize, usize)| seg.0 == Seg::Lit && seg.2 - seg.1 == 1 && is_join(b[seg.1]);
    // Collapse Var (join (Var|HexLit))* and a sign before a Var.
    let start = out.len();
    let mut groups = 0;
    let mut k = 0;
    while k < segs.len() {
        if is_var(segs[k].0) {
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
            if !sign {
                out.push_str(&core[st..en]);
            }
            k += 1;
        }
    }
    if groups >= 2 && !has_eq {
        out.truncate(start);
        out.push_str(WILDCARD_TEXT);
    }
}

/// Calls `f` on each of the first `max_tokens` whitespace tokens of `line`;
/// returns whether more tokens followed (the caller then appends one `<*>`).
/// Never scans past the first non-space byte after the cap.
#[inline]
pub fn for_each_token<'a>(line: &'a str, max_tokens: usize, mut f: impl FnMut(&'a str)) -> bool {
    let b = line.as_bytes();
    let mut n = 0;
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        if n >= max_tokens {
            return true;
        }
        let s = i;
        while i < b.len() && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        f(&line[s..i]);
        n += 1;
    }
    false
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
        let mut s = String::new();
        shape_token(t, &mut s);
        s
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
