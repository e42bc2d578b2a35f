//! leaktrap's own JSON report, versioned (see `docs/json-report.md`).

use crate::{scrub, Fingerprinter, Report, Reporter};
use leaktrap_core::{Encoding, Finding, Origin, OriginKind, Redaction, ScanStats};
use serde::Serialize;
use std::borrow::Cow;
use std::io::{self, Write};

/// Bumped on any incompatible change of the JSON report's shape.
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// The JSON report: one object, pretty-printed, trailing newline.
#[derive(Debug, Default, Clone, Copy)]
pub struct Json;

#[derive(Serialize)]
struct Doc<'a> {
    schema: &'static str,
    schema_version: u32,
    tool: Tool<'a>,
    verdict: &'static str,
    findings: Vec<JsonFinding<'a>>,
    stats: &'a ScanStats,
}

#[derive(Serialize)]
pub(crate) struct Tool<'a> {
    pub name: &'static str,
    pub version: &'a str,
}

/// A finding as the JSON and JSONL reports write it.
#[derive(Serialize)]
pub(crate) struct JsonFinding<'a> {
    rule_id: &'a str,
    rule_name: &'a str,
    description: &'a str,
    severity: &'static str,
    confidence: &'static str,
    tags: &'a [String],
    path: &'a str,
    start_line: u64,
    start_column: u64,
    end_line: u64,
    end_column: u64,
    byte_start: u64,
    byte_end: u64,
    /// The secret as the redaction policy shows it.
    secret: String,
    secret_length: usize,
    redaction: &'static str,
    entropy: f64,
    /// Location-independent fingerprint of (rule, secret): `sha256:…`, or
    /// `hmac-sha256:…` with a fingerprint key.
    fingerprint: String,
    /// Provenance of a history finding; absent for files and stdin.
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<JsonOrigin<'a>>,
    /// The decodings that revealed the secret, outermost first; absent for
    /// a secret found as written.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    decoded: &'a [Encoding],
}

/// [`Origin`] with the commit summary scrubbed: a secret found in a commit
/// message may be on its first line.
#[derive(Serialize)]
struct JsonOrigin<'a> {
    kind: OriginKind,
    commit: &'a str,
    blob: Option<&'a str>,
    author_name: &'a str,
    author_email: &'a str,
    date: &'a str,
    summary: Cow<'a, str>,
    also_in: &'a [String],
}

fn origin<'a>(o: &'a Origin, f: &Finding, r: Redaction) -> JsonOrigin<'a> {
    JsonOrigin {
        kind: o.kind,
        commit: &o.commit,
        blob: o.blob.as_deref(),
        author_name: &o.author_name,
        author_email: &o.author_email,
        date: &o.date,
        summary: scrub(&o.summary, f, r),
        also_in: &o.also_in,
    }
}

fn redaction_name(r: Redaction) -> &'static str {
    match r {
        Redaction::Mask => "mask",
        Redaction::Percent(_) => "percent",
        Redaction::Reveal => "none",
    }
}

pub(crate) fn finding<'a>(f: &'a Finding, r: Redaction, fp: &Fingerprinter) -> JsonFinding<'a> {
    let l = &f.location;
    JsonFinding {
        rule_id: &f.rule.id,
        rule_name: &f.rule.name,
        description: &f.rule.description,
        severity: f.rule.severity.as_str(),
        confidence: f.rule.confidence.as_str(),
        tags: &f.rule.tags,
        path: &f.path,
        start_line: l.start_line,
        start_column: l.start_column,
        end_line: l.end_line,
        end_column: l.end_column,
        byte_start: l.byte_start,
        byte_end: l.byte_end,
        secret: f.secret.render(r),
        secret_length: f.secret.char_len(),
        redaction: redaction_name(r),
        entropy: (f64::from(f.entropy) * 1000.0).round() / 1000.0,
        fingerprint: fp.fingerprint(&f.rule.id, &f.secret),
        origin: f.origin.as_deref().map(|o| origin(o, f, r)),
        decoded: &f.decoded,
    }
}

impl Reporter for Json {
    fn write(&self, report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
        let doc = Doc {
            schema: "leaktrap.report",
            schema_version: JSON_SCHEMA_VERSION,
            tool: Tool {
                name: "leaktrap",
                version: report.tool_version,
            },
            verdict: report.verdict().as_str(),
            findings: report
                .findings
                .iter()
                .map(|f| finding(f, report.redaction, report.fingerprinter))
                .collect(),
            stats: report.stats,
        };
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        out.write_all(b"\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leaktrap_core::{Confidence, Location, RuleMeta, Secret, Severity};
    use std::sync::Arc;

    fn sample() -> Vec<Finding> {
        vec![Finding {
            rule: Arc::new(RuleMeta {
                id: "x.token".into(),
                name: "X token".into(),
                description: "Grants X.".into(),
                severity: Severity::High,
                confidence: Confidence::High,
                tags: vec!["x".into()],
            }),
            path: "a/b.env".into(),
            location: Location {
                start_line: 3,
                start_column: 7,
                end_line: 3,
                end_column: 47,
                byte_start: 40,
                byte_end: 80,
            },
            secret: Secret::new(b"xtk_0123456789abcdefghijABCDEFGHIJ012345"),
            entropy: 5.2,
            origin: None,
            decoded: Vec::new(),
        }]
    }

    #[test]
    fn masked_by_default_in_json_and_text() {
        let findings = sample();
        let stats = ScanStats::default();
        for redaction in [
            Redaction::Mask,
            Redaction::Percent(50),
            Redaction::Percent(100),
        ] {
            let report = Report {
                tool_version: "0.0.0",
                findings: &findings,
                stats: &stats,
                redaction,
                fingerprinter: &Fingerprinter::unkeyed(),
            };
            let mut buf = Vec::new();
            Json.write(&report, &mut buf).unwrap();
            crate::text::Text { color: true }
                .write(&report, &mut buf)
                .unwrap();
            let s = String::from_utf8(buf).unwrap();
            assert!(
                !s.contains("xtk_0123456789abcdefghijABCDEFGHIJ012345"),
                "{s}"
            );
            assert!(s.contains("a/b.env"));
        }
        let report = Report {
            tool_version: "0.0.0",
            findings: &findings,
            stats: &stats,
            redaction: Redaction::Reveal,
            fingerprinter: &Fingerprinter::unkeyed(),
        };
        let mut buf = Vec::new();
        Json.write(&report, &mut buf).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(
            v["findings"][0]["secret"],
            "xtk_0123456789abcdefghijABCDEFGHIJ012345"
        );
        assert_eq!(v["schema_version"], 1);
        assert_eq!(v["verdict"], "findings");
        assert_eq!(v["findings"][0]["start_column"], 7);
    }
}
