//! A page of search hits, read for labelling without decoding every `_source`.
//!
//! The sidecar reads pages of documents and writes each one back with its labels
//! added (a guarded re-index). Decoding every `_source` into Python objects only to
//! encode it again cost about a third of its Python CPU. [`parse_page`] reads the
//! parts of a search response that the sidecar needs (point in time, and per hit
//! its index, id, version, routing, sort values and the message at a dotted path)
//! and keeps each `_source` as the exact text the engine sent. [`SourceText::splice_prefix`]
//! gives where the labels object is appended, and [`PageHit::reindex_action_line`] the
//! `_bulk` line that writes the result back, guarded by the version read.
//!
//! Anything outside the plain shape (shard failures, sort values that are not
//! integers, strings, booleans or null, malformed JSON, duplicate hit fields) makes
//! [`parse_page`] answer `None`: the caller then decodes the whole page the exact,
//! slow way, so this module never has to be right about the unusual cases.

use std::borrow::Cow;
use std::fmt;
use std::io::Write;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

/// The key under which the labels are written into a document's source.
pub const LABELS_KEY: &str = "logtriage";

/// One sort value of a hit (what `search_after` sends back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortValue {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Str(String),
}

/// A hit's `_source` as the exact JSON text of the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceText<'a> {
    pub text: &'a str,
    /// Whether the labels can be appended as the last key: an object without a
    /// top-level labels key and without line breaks (a bulk body is one line).
    pub spliceable: bool,
    /// An object without keys (`{}`): the labels follow the brace without a comma.
    pub empty: bool,
}

impl SourceText<'_> {
    /// Where the labels object goes: `(prefix, comma)` with `prefix` the source text
    /// up to (not including) its closing brace, and `comma` whether a comma must
    /// follow (not for an empty object `{}`, whose prefix is `{`); `None` when not
    /// [`Self::spliceable`]. `prefix + [","] + "\"logtriage\":" + labels + "}"` is the
    /// source with the labels added.
    pub fn splice_prefix(&self) -> Option<(&str, bool)> {
        if !self.spliceable {
            return None;
        }
        if self.empty {
            return Some(("{", false));
        }
        Some((self.text.strip_suffix('}')?, true))
    }
}

/// One hit of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageHit<'a> {
    pub index: Cow<'a, str>,
    pub id: Cow<'a, str>,
    pub seq_no: i64,
    pub primary_term: i64,
    pub routing: Option<Cow<'a, str>>,
    pub sort: Vec<SortValue>,
    pub source: Option<SourceText<'a>>,
    /// The message when the value at the path is a JSON string that
    /// [`MessageField::accepts`] (else `None`: absent, null, another type, a string with
    /// a lone surrogate or one that fails the checks; the caller finds out which).
    pub message: Option<String>,
}

impl PageHit<'_> {
    /// The action line (with its line break) of this hit's guarded re-index in a
    /// `_bulk` body: `{"index":{"_index":…,"_id":…,"if_seq_no":…,"if_primary_term":…}}`,
    /// plus `"routing"` when the hit has one. Followed by [`SourceText::splice_prefix`],
    /// the labels and `}`, it is the whole write. `None` only if a name cannot be
    /// encoded, which JSON strings read from the response always can.
    pub fn reindex_action_line(&self) -> Option<Vec<u8>> {
        let mut line = Vec::with_capacity(96 + self.index.len() + self.id.len());
        line.extend_from_slice(br#"{"index":{"_index":"#);
        serde_json::to_writer(&mut line, self.index.as_ref()).ok()?;
        line.extend_from_slice(br#","_id":"#);
        serde_json::to_writer(&mut line, self.id.as_ref()).ok()?;
        write!(
            line,
            r#","if_seq_no":{},"if_primary_term":{}"#,
            self.seq_no, self.primary_term
        )
        .ok()?;
        if let Some(routing) = &self.routing {
            line.extend_from_slice(br#","routing":"#);
            serde_json::to_writer(&mut line, routing.as_ref()).ok()?;
        }
        line.extend_from_slice(b"}}\n");
        Some(line)
    }
}

/// Where a hit's message is and which messages are labelled as they are.
#[derive(Debug, Clone, Copy)]
pub struct MessageField<'p> {
    /// Dotted path in `_source` (see [`value_at_path`]).
    pub path: &'p str,
    /// Longest message in UTF-8 bytes.
    pub max_bytes: usize,
}

/// Why a message string is not labelled as it is (see [`MessageField::problem`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageProblem {
    /// More than `max_bytes` UTF-8 bytes.
    TooLarge { bytes: usize },
    /// A refused control character at a character (not byte) offset.
    ControlChar { char: char, offset: usize },
    /// Empty or only whitespace.
    Blank,
}

/// C0 control characters other than tab, line breaks and ESC, and DEL.
fn is_refused_control(byte: u8) -> bool {
    matches!(byte, 0x00..=0x08 | 0x0b | 0x0c | 0x0e..=0x1a | 0x1c..=0x1f | 0x7f)
}

impl MessageField<'_> {
    /// What is wrong with a message string, checked in this order: more than
    /// `max_bytes`, a refused control character, blank. The only definition of
    /// these checks: Python's `check_message` calls it through `message_problem`.
    pub fn problem(&self, message: &str) -> Option<MessageProblem> {
        if message.len() > self.max_bytes {
            return Some(MessageProblem::TooLarge {
                bytes: message.len(),
            });
        }
        if let Some(byte) = message.bytes().position(is_refused_control) {
            return Some(MessageProblem::ControlChar {
                char: char::from(message.as_bytes()[byte]),
                offset: message[..byte].chars().count(),
            });
        }
        if message.trim().is_empty() {
            return Some(MessageProblem::Blank);
        }
        None
    }

    /// Whether a message is labelled as it is ([`Self::problem`] finds nothing).
    pub fn accepts(&self, message: &str) -> bool {
        self.problem(message).is_none()
    }
}

/// The parts of a search response the sidecar reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPage<'a> {
    pub pit_id: Option<Cow<'a, str>>,
    pub hits: Vec<PageHit<'a>>,
}

#[derive(Deserialize)]
struct ResponseIn<'a> {
    #[serde(borrow, default)]
    pit_id: Option<Cow<'a, str>>,
    #[serde(rename = "_shards", default)]
    shards: Option<ShardsIn>,
    #[serde(borrow)]
    hits: HitsIn<'a>,
}

#[derive(Deserialize)]
struct ShardsIn {
    #[serde(default)]
    failed: u64,
}

#[derive(Deserialize)]
struct HitsIn<'a> {
    #[serde(borrow)]
    hits: Vec<HitIn<'a>>,
}

#[derive(Deserialize)]
struct HitIn<'a> {
    #[serde(rename = "_index", borrow)]
    index: Cow<'a, str>,
    #[serde(rename = "_id", borrow)]
    id: Cow<'a, str>,
    #[serde(rename = "_seq_no")]
    seq_no: i64,
    #[serde(rename = "_primary_term")]
    primary_term: i64,
    #[serde(rename = "_routing", borrow, default)]
    routing: Option<Cow<'a, str>>,
    #[serde(rename = "_source", borrow, default)]
    source: Option<&'a RawValue>,
    #[serde(borrow, default)]
    sort: Option<Vec<&'a RawValue>>,
}

/// A JSON object's members in document order, values kept as text. Sources have a
/// handful of keys, so a scan beats hashing; a repeated key answers with its last
/// value, as a decoder that builds a map would.
#[derive(Debug, Default)]
pub struct Object<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'a> Object<'a> {
    fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    fn contains_key(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Object<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members<'a>(std::marker::PhantomData<Object<'a>>);

        impl<'de: 'a, 'a> Visitor<'de> for Members<'a> {
            type Value = Object<'a>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Object<'a>, M::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(member) = map.next_entry::<Cow<'de, str>, &'de RawValue>()? {
                    members.push(member);
                }
                Ok(Object(members))
            }
        }

        deserializer.deserialize_map(Members(std::marker::PhantomData))
    }
}

/// Read a search response; `None` when it is not the plain shape (see module doc).
pub fn parse_page<'a>(body: &'a [u8], message: &MessageField<'_>) -> Option<SearchPage<'a>> {
    let text = std::str::from_utf8(body).ok()?;
    let response: ResponseIn<'a> = serde_json::from_str(text).ok()?;
    if response.shards.is_some_and(|s| s.failed > 0) {
        return None;
    }
    let hits = response
        .hits
        .hits
        .into_iter()
        .map(|hit| read_hit(hit, message))
        .collect::<Option<Vec<_>>>()?;
    Some(SearchPage {
        pit_id: response.pit_id,
        hits,
    })
}

fn read_hit<'a>(hit: HitIn<'a>, message: &MessageField<'_>) -> Option<PageHit<'a>> {
    let sort = hit
        .sort
        .unwrap_or_default()
        .into_iter()
        .map(sort_value)
        .collect::<Option<Vec<_>>>()?;
    let (source, message) = match hit.source {
        None => (None, None),
        Some(raw) => read_source(raw, message),
    };
    Some(PageHit {
        index: hit.index,
        id: hit.id,
        seq_no: hit.seq_no,
        primary_term: hit.primary_term,
        routing: hit.routing,
        sort,
        source,
        message,
    })
}

/// The source text and its message (see [`MessageField`]).
fn read_source<'a>(
    raw: &'a RawValue,
    field: &MessageField<'_>,
) -> (Option<SourceText<'a>>, Option<String>) {
    let text = raw.get();
    let object: Option<Object<'a>> = if text.starts_with('{') {
        serde_json::from_str(text).ok()
    } else {
        None
    };
    let Some(object) = object else {
        let source = SourceText {
            text,
            spliceable: false,
            empty: false,
        };
        return (Some(source), None);
    };
    let source = SourceText {
        text,
        spliceable: !object.contains_key(LABELS_KEY) && !text.contains(['\n', '\r']),
        empty: object.is_empty(),
    };
    let message = value_at_path(&object, field.path)
        .and_then(json_string)
        .filter(|m| field.accepts(m));
    (Some(source), message)
}

/// The value at a dotted `path` with the sidecar's rule (`get_path` in Python): at
/// each level a literal key holding the rest of the path wins, then nested objects.
pub fn value_at_path<'a>(object: &Object<'a>, path: &str) -> Option<&'a RawValue> {
    if let Some(value) = object.get(path) {
        return Some(value);
    }
    let parts: Vec<&str> = path.split('.').collect();
    let mut owned: Object<'a>;
    let mut node = object;
    for (i, part) in parts.iter().enumerate() {
        let rest = parts[i..].join(".");
        if let Some(value) = node.get(rest.as_str()) {
            return Some(value);
        }
        let child = node.get(part)?;
        owned = serde_json::from_str(child.get()).ok()?;
        node = &owned;
    }
    None
}

fn json_string(value: &RawValue) -> Option<String> {
    let text = value.get();
    if text.starts_with('"') {
        serde_json::from_str(text).ok()
    } else {
        None
    }
}

fn sort_value(raw: &RawValue) -> Option<SortValue> {
    let text = raw.get();
    match text.as_bytes().first()? {
        b'n' => Some(SortValue::Null),
        b't' => Some(SortValue::Bool(true)),
        b'f' => Some(SortValue::Bool(false)),
        b'"' => serde_json::from_str(text).ok().map(SortValue::Str),
        _ if text.contains(['.', 'e', 'E']) || text == "-0" => None,
        b'-' => text.parse().ok().map(SortValue::Int),
        _ => text.parse().ok().map(SortValue::UInt),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGE: MessageField<'static> = MessageField {
        path: "message",
        max_bytes: 64,
    };

    /// The bytes the labels object follows (`splice_head` of the Python `Hit`).
    fn splice_head(source: &SourceText<'_>) -> Option<String> {
        source
            .splice_prefix()
            .map(|(text, comma)| format!("{text}{}", if comma { "," } else { "" }))
    }

    fn page(hits: &str) -> String {
        format!(
            r#"{{"pit_id":"p1","took":3,"_shards":{{"total":1,"failed":0}},"hits":{{"hits":[{hits}]}}}}"#
        )
    }

    const HIT: &str = r#"{"_index":"i","_id":"a\"b","_seq_no":7,"_primary_term":2,"_score":null,"_source":{"message":"x \u00e9","n":1.50},"sort":[1767225600000,42]}"#;

    #[test]
    fn reads_the_plain_shape() {
        let body = page(HIT);
        let p = parse_page(body.as_bytes(), &MESSAGE).unwrap();
        assert_eq!(p.pit_id.as_deref(), Some("p1"));
        let h = &p.hits[0];
        assert_eq!((h.index.as_ref(), h.id.as_ref()), ("i", "a\"b"));
        assert_eq!((h.seq_no, h.primary_term, h.routing.clone()), (7, 2, None));
        assert_eq!(
            h.sort,
            vec![SortValue::UInt(1767225600000), SortValue::UInt(42)]
        );
        assert_eq!(h.message.as_deref(), Some("x é"));
        let source = h.source.as_ref().unwrap();
        assert_eq!(source.text, r#"{"message":"x \u00e9","n":1.50}"#);
        assert_eq!(
            splice_head(source).unwrap(),
            r#"{"message":"x \u00e9","n":1.50,"#
        );
    }

    #[test]
    fn reindex_action_lines_guard_the_version_read() {
        let body = page(HIT);
        let p = parse_page(body.as_bytes(), &MESSAGE).unwrap();
        assert_eq!(
            String::from_utf8(p.hits[0].reindex_action_line().unwrap()).unwrap(),
            concat!(
                r#"{"index":{"_index":"i","_id":"a\"b","if_seq_no":7,"if_primary_term":2}}"#,
                "\n"
            )
        );
        let routed = page(&HIT.replace(r#""_score""#, r#""_routing":"r\u00e9\n","_score""#));
        let p = parse_page(routed.as_bytes(), &MESSAGE).unwrap();
        assert_eq!(
            String::from_utf8(p.hits[0].reindex_action_line().unwrap()).unwrap(),
            "{\"index\":{\"_index\":\"i\",\"_id\":\"a\\\"b\",\"if_seq_no\":7,\
             \"if_primary_term\":2,\"routing\":\"ré\\n\"}}\n"
        );
    }

    #[test]
    fn unusual_pages_are_left_to_the_caller() {
        let failed = r#"{"_shards":{"failed":1},"hits":{"hits":[]}}"#;
        assert!(parse_page(failed.as_bytes(), &MESSAGE).is_none());
        let float_sort = page(&HIT.replace("[1767225600000,42]", "[1.5]"));
        assert!(parse_page(float_sort.as_bytes(), &MESSAGE).is_none());
        assert!(parse_page(b"{\"hits\":", &MESSAGE).is_none());
        assert!(parse_page(&[0xff, 0xfe], &MESSAGE).is_none());
        let no_seq = page(r#"{"_index":"i","_id":"a","_primary_term":1}"#);
        assert!(parse_page(no_seq.as_bytes(), &MESSAGE).is_none());
    }

    #[test]
    fn sources_that_cannot_take_the_labels_as_a_suffix() {
        let cases = [
            (r#"{"logtriage":{"label":"x"},"message":"m"}"#, false),
            ("{\"message\":\"m\",\n\"a\":1}", false),
            (r#"{"message":"m"}"#, true),
        ];
        for (source, spliceable) in cases {
            let hit = HIT.replace(r#"{"message":"x \u00e9","n":1.50}"#, source);
            let body = page(&hit);
            let p = parse_page(body.as_bytes(), &MESSAGE).unwrap();
            let s = p.hits[0].source.as_ref().unwrap();
            assert_eq!(s.spliceable, spliceable, "{source}");
            assert_eq!(splice_head(s).is_some(), spliceable);
            assert_eq!(p.hits[0].message.as_deref(), Some("m"));
        }
        let empty = page(&HIT.replace(r#"{"message":"x \u00e9","n":1.50}"#, "{ }"));
        let p = parse_page(empty.as_bytes(), &MESSAGE).unwrap();
        assert_eq!(
            splice_head(p.hits[0].source.as_ref().unwrap()).unwrap(),
            "{"
        );
        assert_eq!(p.hits[0].message, None);
    }

    #[test]
    fn messages_follow_the_dotted_path_rule() {
        let object: Object<'_> = serde_json::from_str(
            r#"{"log.message":"literal","log":{"message":"nested","a.b":"dotted"},"n":5}"#,
        )
        .unwrap();
        let get = |p: &str| value_at_path(&object, p).map(|v| v.get().to_owned());
        assert_eq!(get("log.message").as_deref(), Some("\"literal\""));
        assert_eq!(get("log.a.b").as_deref(), Some("\"dotted\""));
        assert_eq!(get("n").as_deref(), Some("5"));
        assert_eq!(get("n.x"), None);
        assert_eq!(get("missing"), None);
        let repeated: Object<'_> = serde_json::from_str(r#"{"m":"first","m":"last"}"#).unwrap();
        assert_eq!(
            value_at_path(&repeated, "m").map(|v| v.get()),
            Some("\"last\"")
        );
        // A number, null or a lone surrogate is not a message the fast path returns.
        for source in [
            r#"{"message":5}"#,
            r#"{"message":null}"#,
            r#"{"message":"\ud800"}"#,
        ] {
            let body = page(&HIT.replace(r#"{"message":"x \u00e9","n":1.50}"#, source));
            let p = parse_page(body.as_bytes(), &MESSAGE).unwrap();
            assert_eq!(p.hits[0].message, None, "{source}");
        }
    }

    #[test]
    fn problems_say_what_and_where() {
        let field = MessageField {
            path: "message",
            max_bytes: 8,
        };
        assert_eq!(
            field.problem("ééééé"),
            Some(MessageProblem::TooLarge { bytes: 10 })
        );
        assert_eq!(
            field.problem("é\u{7f}x"),
            Some(MessageProblem::ControlChar {
                char: '\u{7f}',
                offset: 1
            })
        );
        assert_eq!(field.problem(" \u{3000}\n"), Some(MessageProblem::Blank));
        assert_eq!(field.problem("é\tx"), None);
    }

    #[test]
    fn messages_that_fail_the_checks_are_left_to_the_caller() {
        let field = MessageField {
            path: "m",
            max_bytes: 8,
        };
        assert!(field.accepts("ok \u{1b}[0m"));
        assert!(field.accepts("ééé\tx")); // 8 bytes
        assert!(!field.accepts("éééé\tx")); // 10 bytes
        for bad in ["a\u{0}b", "a\u{7f}", "\u{1c}x", " \u{3000}\u{a0}\n", ""] {
            assert!(!field.accepts(bad), "{bad:?}");
        }
    }

    #[test]
    fn sort_values() {
        let body = page(&HIT.replace(
            "[1767225600000,42]",
            r#"[-9223372036854775808,"k\"1",null,true,18446744073709551615]"#,
        ));
        let p = parse_page(body.as_bytes(), &MESSAGE).unwrap();
        assert_eq!(
            p.hits[0].sort,
            vec![
                SortValue::Int(i64::MIN),
                SortValue::Str("k\"1".into()),
                SortValue::Null,
                SortValue::Bool(true),
                SortValue::UInt(u64::MAX),
            ]
        );
    }
}
