//! Cross-module: header fields feed field rules; contents feed rules and features.

use _core::features::{feature_names, Featurizer};
use _core::header::HeaderParser;
use _core::rules::{Rule, RuleSet};
use _core::CoreError;

const LINES: &[&str] = &[
    "Dec 10 06:55:46 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2",
    "Dec 10 06:55:48 LabSZ sshd[24200]: Connection closed by 173.234.31.186 [preauth]",
    "Dec 10 07:07:38 LabSZ sshd[24206]: reverse mapping checking getaddrinfo for ns.example.com [1.2.3.4] failed - POSSIBLE BREAK-IN ATTEMPT!",
    "garbage line without a header",
];

fn rules() -> RuleSet {
    let mut closed = Rule::new(
        "sshd.closed",
        r"^Connection closed by",
        "System Notification",
    );
    closed.field = None;
    let mut day = Rule::new("date.dec", r"^Dec$", "User Action");
    day.field = Some("Date".to_owned());
    day.priority = -1;
    let mut breakin = Rule::new(
        "sshd.break_in",
        "POSSIBLE BREAK-IN ATTEMPT",
        "Security Alert",
    );
    breakin.priority = 10;
    breakin.anomaly = Some(true);
    RuleSet::new(vec![
        Rule::new(
            "sshd.auth_failure",
            r"\bFailed password for",
            "Security Alert",
        ),
        closed,
        day,
        breakin,
    ])
    .expect("rules compile")
}

#[test]
fn header_then_rules() {
    let parser = HeaderParser::from_preset("openssh").expect("preset");
    let (spans, matched) = parser.parse_batch(LINES);
    assert_eq!(matched, [true, true, true, false]);
    let k = parser.fields().len();
    let col = |name: &str| -> Vec<&str> {
        let j = parser
            .fields()
            .iter()
            .position(|f| f == name)
            .expect("field");
        LINES
            .iter()
            .enumerate()
            .map(|(i, l)| &l[spans[i * k + j].0..spans[i * k + j].1])
            .collect()
    };
    let content = col("Content");
    let date = col("Date");
    assert_eq!(content[3], "garbage line without a header");
    let got = rules()
        .match_batch(&content, &[("Date", &date[..])])
        .expect("match");
    assert_eq!(got, [0, 1, 3, -1]);
}

#[test]
fn features_of_contents() {
    let f = Featurizer::shared();
    let flat = f.batch(LINES);
    assert_eq!(flat.len(), LINES.len() * feature_names().len());
    let at = |name: &str| f.names().iter().position(|n| n == name).expect("column");
    assert_eq!(flat[at("kw_fail")], 1.0);
    assert_eq!(flat[at("kw_auth")], 1.0);
    assert_eq!(flat[at("length")], LINES[0].len() as f32);
}

#[test]
fn errors_carry_ids() {
    let err = RuleSet::new(vec![Rule::new("bad.one", "(", "Error")]).unwrap_err();
    assert!(matches!(err, CoreError::BadRule { ref id, .. } if id == "bad.one"));
    assert!(err.to_string().contains("bad.one"));
    assert!(matches!(
        HeaderParser::new("<Date> <Level>"),
        Err(CoreError::BadFormat { .. })
    ));
}
