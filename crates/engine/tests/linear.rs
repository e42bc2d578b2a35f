//! The engine stays linear on hostile input: very long lines, millions of
//! keyword hits, millions of matches on one line. The assertions bound the
//! work done (bytes handed to regexes), not the time taken.

use leaktrap_engine::{Engine, Match, Scratch};
use leaktrap_rules::{parse_rule_file, RuleSet};

const RULES: &str = r#"
[[rule]]
id = "t.token"
name = "Test token"
description = "A test token."
severity = "high"
keywords = ["tok_"]
regex = '''\b(tok_[a-z0-9]{12})\b'''

[[rule]]
id = "t.password"
name = "Password assignment"
description = "A password."
severity = "medium"
confidence = "low"
keywords = ["password", "pass"]
regex = '''(?i)password\s*[:=]\s*["']?([^\s"']{8,64})'''
entropy = 2.5

[[rule]]
id = "t.key-block"
name = "Key block"
description = "A multi-line key."
severity = "high"
keywords = ["BEGIN KEY"]
multiline = true
max_length = 4096
regex = '''-----BEGIN KEY-----\n([A-Za-z0-9+/=\n]{16,4000})\n-----END KEY-----'''
"#;

fn engine() -> Engine {
    let rules = parse_rule_file("t.toml", RULES).unwrap();
    Engine::compile(&RuleSet {
        rules,
        allow: Default::default(),
        allowlists: Vec::new(),
        inline_markers: vec!["leaktrap:allow".into()],
    })
    .unwrap()
}

fn scan(e: &Engine, data: &[u8]) -> (Vec<Match>, u64) {
    let mut s = Scratch::default();
    let mut out = Vec::new();
    e.scan(data, None, &mut s, &mut out);
    (out, s.verified_bytes())
}

#[test]
fn one_long_line_of_keyword_hits_is_verified_once_per_rule() {
    let e = engine();
    // 16 MB on one line, a keyword every 4 bytes for two rules: ~8 million hits.
    let data = "tok_pass".repeat(2 << 20);
    let (out, verified) = scan(&e, data.as_bytes());
    assert!(out.is_empty());
    assert!(
        verified <= 2 * data.len() as u64,
        "verified {verified} bytes of {} (must be at most once per touched rule)",
        data.len()
    );
}

#[test]
fn millions_of_matches_on_one_line_with_an_inline_marker() {
    let e = engine();
    let mut data = String::from("leaktrap:allow ");
    for i in 0..1_000_000u32 {
        data.push_str(&format!("tok_{i:012} "));
    }
    let (out, verified) = scan(&e, data.as_bytes());
    assert_eq!(out.len(), 1_000_000);
    assert!(
        out.iter().all(|m| m.suppressed.is_some()),
        "the marker is on the line"
    );
    assert!(verified <= data.len() as u64);
}

#[test]
fn many_short_lines_and_a_huge_multiline_window() {
    let e = engine();
    let mut data = String::new();
    for _ in 0..200_000 {
        data.push_str("-----BEGIN KEY----- password=\n");
    }
    let (out, verified) = scan(&e, data.as_bytes());
    assert!(out.is_empty());
    assert!(
        verified <= 2 * data.len() as u64,
        "verified {verified} of {}",
        data.len()
    );
}

#[test]
fn multi_line_key_block_is_found_whole() {
    let e = engine();
    let body = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY\nWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2\n";
    let text = format!("x = 1\n-----BEGIN KEY-----\n{body}-----END KEY-----\n");
    let (out, _) = scan(&e, text.as_bytes());
    assert_eq!(out.len(), 1);
    assert_eq!(
        &text[out[0].secret_start..out[0].secret_end],
        body.trim_end()
    );
}

#[test]
fn the_most_confident_rule_reports_a_shared_secret_once() {
    let e = engine();
    let text = "password = tok_abcdef123456\n"; // leaktrap:allow (test input)
    let (out, _) = scan(&e, text.as_bytes());
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(
        out[0].rule, 0,
        "the provider rule wins over the generic one"
    );
}
