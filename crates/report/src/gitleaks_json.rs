//! Gitleaks' JSON report shape, so that tools reading Gitleaks reports keep
//! working: a top-level array, one-space indent, trailing newline, `[]`
//! when there is nothing; fields in Gitleaks' order with Gitleaks' names.
//!
//! What differs from Gitleaks, on purpose (docs/migrating.md):
//! - `Secret` and `Match` follow leaktrap's redaction policy (masked by
//!   default); `Match` is the secret, as leaktrap keeps no other text of
//!   the line;
//! - columns are those of the secret, counted in characters, `EndColumn`
//!   inclusive as Gitleaks has it, without Gitleaks' +1 shift on every line
//!   but a fragment's first;
//! - `Message` is the commit message's first line (scrubbed of the secret);
//! - `Link` is never written (Gitleaks omits it without a platform).

use crate::{scrub, Artifacts, AsNamed, Report, Reporter};
use leaktrap_core::Finding;
use serde::Serialize;
use std::borrow::Cow;
use std::io::{self, Write};

/// The Gitleaks-shaped JSON report (`--format gitleaks-json`, or Gitleaks'
/// own `-f json` / `--report-format json`).
pub struct GitleaksJson<'a> {
    /// Where findings' paths are made relative to the repository root.
    pub artifacts: &'a dyn Artifacts,
}

impl Default for GitleaksJson<'static> {
    fn default() -> Self {
        GitleaksJson {
            artifacts: &AsNamed,
        }
    }
}

impl std::fmt::Debug for GitleaksJson<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GitleaksJson")
    }
}

/// One finding, fields in Gitleaks' order.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GlFinding<'a> {
    #[serde(rename = "RuleID")]
    rule_id: &'a str,
    description: &'a str,
    start_line: u64,
    end_line: u64,
    start_column: u64,
    end_column: u64,
    #[serde(rename = "Match")]
    matched: String,
    secret: String,
    file: Cow<'a, str>,
    symlink_file: &'static str,
    commit: &'a str,
    entropy: f32,
    author: &'a str,
    email: &'a str,
    date: &'a str,
    message: Cow<'a, str>,
    tags: Cow<'a, [String]>,
    fingerprint: String,
}

/// Gitleaks' fingerprint of a finding: `file:rule:line`, or
/// `commit:file:rule:line` when the finding has a commit. `.gitleaksignore`
/// entries are these.
pub fn gitleaks_fingerprint(commit: Option<&str>, file: &str, rule: &str, line: u64) -> String {
    match commit {
        Some(c) if !c.is_empty() => format!("{c}:{file}:{rule}:{line}"),
        _ => format!("{file}:{rule}:{line}"),
    }
}

/// The rule's tags; for a decoded secret, Gitleaks' `decoded:<encoding>` (the
/// innermost) and `decode-depth:<n>` after them.
fn gitleaks_tags(f: &Finding) -> Cow<'_, [String]> {
    match f.decoded.last() {
        None => Cow::Borrowed(&f.rule.tags),
        Some(inner) => {
            let mut tags = f.rule.tags.clone();
            tags.push(format!("decoded:{inner}"));
            tags.push(format!("decode-depth:{}", f.decoded.len()));
            Cow::Owned(tags)
        }
    }
}

impl Reporter for GitleaksJson<'_> {
    fn write(&self, report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
        let r = report.redaction;
        let findings: Vec<GlFinding<'_>> = report
            .findings
            .iter()
            .map(|f: &Finding| {
                let l = &f.location;
                let o = f.origin.as_deref();
                let file = self.artifacts.repo_path(f);
                let commit = o.map_or("", |o| o.commit.as_str());
                let secret = f.secret.render(r);
                GlFinding {
                    rule_id: &f.rule.id,
                    description: &f.rule.description,
                    start_line: l.start_line,
                    end_line: l.end_line,
                    start_column: l.start_column,
                    end_column: if l.start_line == l.end_line {
                        l.end_column.saturating_sub(1).max(l.start_column)
                    } else {
                        l.end_column.saturating_sub(1).max(1)
                    },
                    matched: secret.clone(),
                    secret,
                    fingerprint: gitleaks_fingerprint(
                        Some(commit),
                        &file,
                        &f.rule.id,
                        l.start_line,
                    ),
                    file,
                    symlink_file: "",
                    commit,
                    entropy: f.entropy,
                    author: o.map_or("", |o| o.author_name.as_str()),
                    email: o.map_or("", |o| o.author_email.as_str()),
                    date: o.map_or("", |o| o.date.as_str()),
                    message: o.map_or(Cow::Borrowed(""), |o| scrub(&o.summary, f, r)),
                    tags: gitleaks_tags(f),
                }
            })
            .collect();
        let fmt = serde_json::ser::PrettyFormatter::with_indent(b" ");
        let mut ser = serde_json::Serializer::with_formatter(&mut *out, fmt);
        findings.serialize(&mut ser)?;
        out.write_all(b"\n")
    }
}
