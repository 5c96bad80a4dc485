//! Log format headers, LogPAI style.
//!
//! A format such as `<Date> <Time> <Pid> <Level> <Component>: <Content>` names
//! header fields as `<Field>`; the text between fields is regular-expression
//! text (`\[`, `( \(<Address>\))?`). Exactly as logparser does, each field
//! becomes a lazy capture `(?P<Field>.*?)`, each run of spaces becomes `\s+`,
//! the whole is anchored `^...$` and matched against the stripped line (Python
//! `str.strip()` semantics). A line that does not match is kept by the caller
//! with the whole stripped line as `Content` and counted as unmatched.

use crate::error::{regex_reason, CoreError, CoreResult};
use crate::parallel::map_batch;
use regex::{CaptureLocations, Regex, RegexBuilder};

/// Compiled size limit of one format's regex.
const FORMAT_SIZE_LIMIT: usize = 1 << 20;

/// Python's `str.isspace()`: Unicode White_Space plus the four ASCII
/// information separators U+001C..U+001F that Python also strips.
#[inline]
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `line.strip()` as Python does it.
#[inline]
pub fn py_strip(line: &str) -> &str {
    line.trim_matches(is_py_space)
}

/// Named formats: the twelve LogHub systems plus a few common shapes.
pub const PRESETS: &[(&str, &str)] = &[
    (
        "android",
        r"<Date> <Time>  <Pid>  <Tid> <Level> <Component>: <Content>",
    ),
    ("apache", r"\[<Time>\] \[<Level>\] <Content>"),
    (
        "bgl",
        r"<Label> <Timestamp> <Date> <Node> <Time> <NodeRepeat> <Type> <Component> <Level> <Content>",
    ),
    (
        "hdfs",
        r"<Date> <Time> <Pid> <Level> <Component>: <Content>",
    ),
    (
        "hpc",
        r"<LogId> <Node> <Component> <State> <Time> <Flag> <Content>",
    ),
    (
        "hadoop",
        r"<Date> <Time> <Level> \[<Process>\] <Component>: <Content>",
    ),
    (
        "linux",
        r"<Month> <Date> <Time> <Level> <Component>(\[<PID>\])?: <Content>",
    ),
    (
        "mac",
        r"<Month>  <Date> <Time> <User> <Component>\[<PID>\]( \(<Address>\))?: <Content>",
    ),
    (
        "openssh",
        r"<Date> <Day> <Time> <Component> sshd\[<Pid>\]: <Content>",
    ),
    (
        "openstack",
        r"<Logrecord> <Date> <Time> <Pid> <Level> <Component> \[<ADDR>\] <Content>",
    ),
    ("spark", r"<Date> <Time> <Level> <Component>: <Content>"),
    (
        "zookeeper",
        r"<Date> <Time> - <Level>  \[<Node>:<Component>@<Id>\] - <Content>",
    ),
    // Classic BSD syslog: `Mar  3 10:00:01 host sshd[42]: message`.
    (
        "syslog",
        r"<Month> <Day> <Time> <Host> <Component>(\[<Pid>\])?: <Content>",
    ),
    // The whole line is the message.
    ("raw", r"<Content>"),
];

/// Format string of a preset, by (case-insensitive) name.
pub fn preset(name: &str) -> Option<&'static str> {
    PRESETS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, f)| *f)
}

/// Splits `format` like Python's `re.split(r"(<[^<>]+>)", format)`:
/// alternating text and field names (`<`/`>` removed).
fn split_format(format: &str) -> (Vec<&str>, Vec<&str>) {
    let bytes = format.as_bytes();
    let mut texts = Vec::new();
    let mut fields = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'<' {
            // `<[^<>]+>` at i?
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != b'<' && bytes[j] != b'>' {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'>' && j > i + 1 {
                texts.push(&format[text_start..i]);
                fields.push(&format[i + 1..j]);
                text_start = j + 1;
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    texts.push(&format[text_start..]);
    (texts, fields)
}

/// A name opened by `<` and not closed by `>` in the literal text of a format.
fn unclosed_field(text: &str) -> Option<&str> {
    text.match_indices('<').find_map(|(i, _)| {
        let rest = &text[i + 1..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        (end > 0 && !rest[end..].starts_with('>')).then(|| &rest[..end])
    })
}

/// The anchored regex logparser builds from a format, and the field names.
pub fn format_regex(format: &str) -> (String, Vec<String>) {
    let (texts, fields) = split_format(format);
    let mut regex = String::with_capacity(format.len() * 2 + 16);
    regex.push('^');
    for (k, text) in texts.iter().enumerate() {
        let mut in_spaces = false;
        for c in text.chars() {
            if c == ' ' {
                if !in_spaces {
                    // Python's `\s` (str.isspace) also covers U+001C..U+001F.
                    regex.push_str(r"[\s\x1C-\x1F]+");
                    in_spaces = true;
                }
            } else {
                regex.push(c);
                in_spaces = false;
            }
        }
        if let Some(field) = fields.get(k) {
            regex.push_str("(?P<");
            regex.push_str(field);
            regex.push_str(">.*?)");
        }
    }
    regex.push('$');
    (regex, fields.into_iter().map(str::to_owned).collect())
}

/// Byte span of one field inside the stripped line.
pub type Span = (usize, usize);

/// Splits raw lines into header fields by a LogPAI-style format.
#[derive(Debug, Clone)]
pub struct HeaderParser {
    format: String,
    fields: Vec<String>,
    content_index: usize,
    regex: Regex,
    /// Capture group index of each field in `regex`, in `fields` order.
    groups: Vec<usize>,
    /// When the format ends with `<Content>`: the regex without its final
    /// `(?P<Content>.*?)$`. On a line without `\n` it gives the same fields
    /// (the lazy tail always matches), Content being the rest of the line, and
    /// it never has to run the capture engine over the message.
    head: Option<(Regex, Vec<Option<usize>>)>,
}

/// Group index of each field in `regex` (`None`: not in it).
fn group_indices(regex: &Regex, fields: &[String]) -> Vec<Option<usize>> {
    fields
        .iter()
        .map(|f| regex.capture_names().position(|n| n == Some(f.as_str())))
        .collect()
}

impl HeaderParser {
    pub fn new(format: &str) -> CoreResult<Self> {
        let bad = |reason: String| CoreError::BadFormat {
            format: format.to_owned(),
            reason,
        };
        let (pattern, fields) = format_regex(format);
        let content_index = fields
            .iter()
            .position(|f| f == "Content")
            .ok_or_else(|| bad("no <Content> field".to_owned()))?;
        if let Some(twice) = fields
            .iter()
            .enumerate()
            .find_map(|(i, f)| fields[..i].contains(f).then_some(f))
        {
            return Err(bad(format!(
                "field <{twice}> appears twice (name the second one differently)"
            )));
        }
        if let Some(name) = split_format(format).0.into_iter().find_map(unclosed_field) {
            // Else every line fails to match the literal `<Name` and is kept whole.
            return Err(bad(format!(
                "'<{name}' has no closing '>' (a field is written <{name}>)"
            )));
        }
        let regex = RegexBuilder::new(&pattern)
            .size_limit(FORMAT_SIZE_LIMIT)
            .build()
            .map_err(|e| bad(format!("invalid regex {pattern:?}: {}", regex_reason(&e))))?;
        let groups = group_indices(&regex, &fields)
            .into_iter()
            .zip(&fields)
            .map(|(g, f)| g.ok_or_else(|| bad(format!("field <{f}> is not a valid group name"))))
            .collect::<CoreResult<Vec<_>>>()?;
        let tail = "(?P<Content>.*?)$";
        let head = if content_index + 1 == fields.len() && pattern.ends_with(tail) {
            let head_pattern = &pattern[..pattern.len() - tail.len()];
            RegexBuilder::new(head_pattern)
                .size_limit(FORMAT_SIZE_LIMIT)
                .build()
                .ok()
                .map(|re| {
                    let g = group_indices(&re, &fields);
                    (re, g)
                })
        } else {
            None
        };
        Ok(Self {
            format: format.to_owned(),
            fields,
            content_index,
            regex,
            groups,
            head,
        })
    }

    /// A parser for a named preset (see [`PRESETS`]).
    pub fn from_preset(name: &str) -> CoreResult<Self> {
        let format = preset(name).ok_or_else(|| CoreError::BadFormat {
            format: name.to_owned(),
            reason: format!(
                "unknown preset; known: {}",
                PRESETS
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?;
        Self::new(format)
    }

    pub fn format(&self) -> &str {
        &self.format
    }

    /// Field names in format order (`Content` included).
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    /// Position of `Content` in [`fields`](Self::fields).
    pub fn content_index(&self) -> usize {
        self.content_index
    }

    /// Reusable capture slots for [`parse_spans`](Self::parse_spans).
    pub fn capture_locations(&self) -> CaptureLocations {
        match &self.head {
            Some((head, _)) => head.capture_locations(),
            None => self.regex.capture_locations(),
        }
    }

    /// Splits `line` and writes the byte span of every field (relative to
    /// `line`, in `fields()` order) into `spans`. Returns `false` when the line
    /// does not match; then `spans` holds empty spans except `Content`, which
    /// covers the whole stripped line.
    pub fn parse_spans(&self, line: &str, locs: &mut CaptureLocations, spans: &mut [Span]) -> bool {
        let stripped = py_strip(line);
        let offset = stripped.as_ptr() as usize - line.as_ptr() as usize;
        if let Some((head, groups)) = &self.head {
            if !stripped.contains('\n') {
                let Some(m) = head.captures_read(locs, stripped) else {
                    self.unmatched_spans(offset, stripped.len(), spans);
                    return false;
                };
                for (k, span) in spans.iter_mut().enumerate().take(self.fields.len()) {
                    *span = if k == self.content_index {
                        (offset + m.end(), offset + stripped.len())
                    } else {
                        groups[k]
                            .and_then(|g| locs.get(g))
                            .map_or((offset, offset), |(s, e)| (offset + s, offset + e))
                    };
                }
                return true;
            }
        }
        let mut own;
        let locs = if self.head.is_some() {
            own = self.regex.capture_locations();
            &mut own
        } else {
            locs
        };
        if self.regex.captures_read(locs, stripped).is_none() {
            self.unmatched_spans(offset, stripped.len(), spans);
            return false;
        }
        for (k, span) in spans.iter_mut().enumerate().take(self.fields.len()) {
            // An optional group that did not take part is an empty field.
            *span = locs
                .get(self.groups[k])
                .map_or((offset, offset), |(s, e)| (offset + s, offset + e));
        }
        true
    }

    fn unmatched_spans(&self, offset: usize, len: usize, spans: &mut [Span]) {
        for (k, span) in spans.iter_mut().enumerate().take(self.fields.len()) {
            *span = if k == self.content_index {
                (offset, offset + len)
            } else {
                (offset, offset)
            };
        }
    }

    /// Field values in `fields()` order, or `None` when the line does not match.
    pub fn parse<'a>(&self, line: &'a str) -> Option<Vec<&'a str>> {
        let mut locs = self.capture_locations();
        let mut spans = vec![(0, 0); self.fields.len()];
        self.parse_spans(line, &mut locs, &mut spans)
            .then(|| spans.iter().map(|&(s, e)| &line[s..e]).collect())
    }

    /// Span of `Content` in `line` and whether the line matched. Faster than
    /// [`parse_spans`](Self::parse_spans) when the format ends with `<Content>`:
    /// only the DFA runs, never the capture engine.
    pub fn content_span(&self, line: &str) -> (Span, bool) {
        if let Some((head, _)) = &self.head {
            let stripped = py_strip(line);
            if !stripped.contains('\n') {
                let offset = stripped.as_ptr() as usize - line.as_ptr() as usize;
                let end = offset + stripped.len();
                return match head.find(stripped) {
                    Some(m) => ((offset + m.end(), end), true),
                    None => ((offset, end), false),
                };
            }
        }
        let mut locs = self.regex.capture_locations();
        let mut spans = vec![(0, 0); self.fields.len()];
        let ok = self.parse_spans(line, &mut locs, &mut spans);
        (spans[self.content_index], ok)
    }

    /// `Content` of a line: the field when it matches, else the whole stripped line.
    pub fn content<'a>(&self, line: &'a str) -> (&'a str, bool) {
        let ((s, e), ok) = self.content_span(line);
        (&line[s..e], ok)
    }

    /// [`content_span`](Self::content_span) for a batch (parallel for big batches).
    pub fn content_batch<S: AsRef<str> + Sync>(&self, lines: &[S]) -> (Vec<Span>, Vec<bool>) {
        map_batch(lines, |l| self.content_span(l.as_ref()))
            .into_iter()
            .unzip()
    }

    /// Spans of every field for a batch (`n * fields().len()` spans, row-major)
    /// and the matched flag per line. Parallel for big batches.
    pub fn parse_batch<S: AsRef<str> + Sync>(&self, lines: &[S]) -> (Vec<Span>, Vec<bool>) {
        let k = self.fields.len();
        let rows = map_batch(lines, |line| {
            let mut locs = self.capture_locations();
            let mut spans = vec![(0, 0); k];
            let ok = self.parse_spans(line.as_ref(), &mut locs, &mut spans);
            (spans, ok)
        });
        let mut spans = Vec::with_capacity(lines.len() * k);
        let mut matched = Vec::with_capacity(lines.len());
        for (row, ok) in rows {
            spans.extend_from_slice(&row);
            matched.push(ok);
        }
        (spans, matched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_logparser_regex() {
        let (re, fields) = format_regex(r"<Date> <Time>  <Pid> \[<Level>\]: <Content>");
        let sp = r"[\s\x1C-\x1F]+";
        assert_eq!(
            re,
            format!(
                r"^(?P<Date>.*?){sp}(?P<Time>.*?){sp}(?P<Pid>.*?){sp}\[(?P<Level>.*?)\]:{sp}(?P<Content>.*?)$"
            )
        );
        assert_eq!(fields, ["Date", "Time", "Pid", "Level", "Content"]);
    }

    #[test]
    fn splits_hdfs_line() {
        let p = HeaderParser::from_preset("HDFS").unwrap();
        let line = "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating\r\n";
        let v = p.parse(line).unwrap();
        assert_eq!(v[0], "081109");
        assert_eq!(v[3], "INFO");
        assert_eq!(v[4], "dfs.DataNode$PacketResponder");
        assert_eq!(
            v[5],
            "PacketResponder 1 for block blk_38865049064139660 terminating"
        );
    }

    #[test]
    fn optional_group_and_lazy_split() {
        let p = HeaderParser::from_preset("linux").unwrap();
        let a = p
            .parse("Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; x")
            .unwrap();
        assert_eq!(a[4], "sshd(pam_unix)");
        assert_eq!(a[5], "19939");
        assert_eq!(a[6], "authentication failure; x");
        let b = p.parse("Jun 14 15:16:02 combo kernel: a: b").unwrap();
        assert_eq!(b[4], "kernel");
        assert_eq!(b[5], "");
        assert_eq!(b[6], "a: b");
    }

    #[test]
    fn unmatched_line_keeps_stripped_content() {
        let p = HeaderParser::from_preset("hdfs").unwrap();
        let line = "  not a header line  ";
        assert!(p.parse(line).is_none());
        assert_eq!(p.content(line), ("not a header line", false));
        let (spans, matched) = p.parse_batch(&[line, "081109 203615 148 INFO c: x"]);
        assert_eq!(matched, [false, true]);
        let k = p.fields().len();
        assert_eq!(spans[p.content_index()], (2, 19));
        assert_eq!(spans[0], (2, 2));
        assert_eq!(spans[k + p.content_index()], (26, 27));
    }

    #[test]
    fn newline_inside_uses_full_regex() {
        let p = HeaderParser::from_preset("hdfs").unwrap();
        // `.` does not cross a newline (as in Python), so this does not match...
        assert!(p.parse("081109 203615 148 INFO c: a\nb").is_none());
        // ...but `\s+` does.
        let v = p.parse("081109\n203615 148 INFO c: ab").unwrap();
        assert_eq!(v[1], "203615");
        assert_eq!(v[5], "ab");
        let raw = HeaderParser::from_preset("raw").unwrap();
        assert_eq!(raw.parse(" x y ").unwrap(), ["x y"]);
    }

    #[test]
    fn content_fast_path_agrees_with_captures() {
        for (name, _) in PRESETS {
            let p = HeaderParser::from_preset(name).unwrap();
            for line in [
                "081109 203615 148 INFO dfs.DataNode: Receiving block blk_1 src: /1.2.3.4:5",
                "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown",
                "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2",
                "  x  ",
                "",
            ] {
                let mut locs = p.capture_locations();
                let mut spans = vec![(0, 0); p.fields().len()];
                let ok = p.parse_spans(line, &mut locs, &mut spans);
                assert_eq!(
                    p.content_span(line),
                    (spans[p.content_index()], ok),
                    "{name}: {line}"
                );
            }
        }
    }

    #[test]
    fn python_strip_semantics() {
        assert_eq!(py_strip("\u{1f}\u{a0} x y\t\r\n"), "x y");
    }

    #[test]
    fn bad_formats() {
        assert!(matches!(
            HeaderParser::new("<Date> <Time> <Level>"),
            Err(CoreError::BadFormat { .. })
        ));
        assert!(matches!(
            HeaderParser::new(r"<Date> (<Content>"),
            Err(CoreError::BadFormat { .. })
        ));
        match HeaderParser::new("<Date <Time> <Content>") {
            Err(CoreError::BadFormat { reason, .. }) => assert_eq!(
                reason,
                "'<Date' has no closing '>' (a field is written <Date>)"
            ),
            other => panic!("expected BadFormat, got {other:?}"),
        }
        // A literal `<` that opens no name is text, e.g. a syslog priority.
        assert!(HeaderParser::new("<<Pri>><Date> <Content>").is_ok());
        match HeaderParser::new("<Date> <Date> <Content>") {
            Err(CoreError::BadFormat { reason, .. }) => assert_eq!(
                reason,
                "field <Date> appears twice (name the second one differently)"
            ),
            other => panic!("expected BadFormat, got {other:?}"),
        }
        assert!(matches!(
            HeaderParser::new("<Da te> <Content>"),
            Err(CoreError::BadFormat { .. })
        ));
        assert!(matches!(
            HeaderParser::from_preset("nope"),
            Err(CoreError::BadFormat { .. })
        ));
    }

    #[test]
    fn every_preset_compiles() {
        for (name, _) in PRESETS {
            HeaderParser::from_preset(name).unwrap();
        }
    }

    #[test]
    fn huge_line_is_linear() {
        let p = HeaderParser::from_preset("hdfs").unwrap();
        let line = format!("081109 203615 148 INFO c: {}", "x ".repeat(5_000_000));
        let t = std::time::Instant::now();
        let (content, ok) = p.content(&line);
        assert!(ok);
        assert_eq!(content.len(), 9_999_999);
        assert!(t.elapsed().as_secs_f64() < 5.0);
    }
}
