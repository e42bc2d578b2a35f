//! The evidence record (`--evidence FILE`): what a scan covered, with which
//! rules and config, what it skipped and suppressed and why, the verdict, and
//! the digest of every report it wrote. It never holds a secret: findings
//! appear only as counts by rule and severity. `docs/evidence.md` describes
//! every field; `leaktrap evidence verify` checks one.
//!
//! The command line gathers the facts (files, refs, flags); this module only
//! shapes them, so the document has one definition.

use leaktrap_core::{Finding, ScanError, ScanStats, Severity, SkipReason, SkippedItem, Verdict};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{self, Read, Write};

/// The `schema` field of every evidence record.
pub const EVIDENCE_SCHEMA: &str = "leaktrap.evidence";
/// The `schema_version` field; bumped when a field changes meaning.
pub const EVIDENCE_SCHEMA_VERSION: u32 = 1;

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex SHA-256 of everything `r` yields.
///
/// # Errors
/// Reading failed.
pub fn sha256_reader(mut r: impl Read) -> io::Result<String> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The whole record, in the order it is written.
#[derive(Debug, Serialize)]
pub struct Evidence {
    pub schema: &'static str,
    pub schema_version: u32,
    pub tool: Tool,
    /// `scan`, `staged`, `git` or `push`.
    pub mode: String,
    /// The arguments after the program name, as given.
    pub command_line: Vec<String>,
    /// The options that decide what was scanned and reported.
    pub options: BTreeMap<String, serde_json::Value>,
    pub target: Target,
    pub rules: RulesUsed,
    pub config: ConfigUsed,
    /// Other files that decided the outcome (a baseline, ignore files).
    pub inputs: Vec<InputFile>,
    /// UTC, RFC 3339, to the second. The only fields that differ between
    /// two runs over the same input.
    pub started_at: String,
    pub finished_at: String,
    pub counts: Counts,
    pub skipped: Skipped,
    /// Inputs that could not be read: each makes the scan incomplete.
    pub errors: Vec<ScanError>,
    /// Problems that lost nothing (a bad ignore pattern, a stale entry).
    pub warnings: Vec<ScanError>,
    pub suppressions: Suppressions,
    pub findings: FindingCounts,
    pub verdict: Verdict,
    pub exit_code: u8,
    /// Every report file the run wrote, with its digest.
    pub reports: Vec<ReportFile>,
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: String,
    /// SHA-256 of the executable that ran; `null` if it could not be read.
    pub binary_sha256: Option<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct Target {
    /// The paths scanned, as given (`scan`), else empty.
    pub paths: Vec<String>,
    pub repository: Option<Repository>,
}

#[derive(Debug, Default, Serialize)]
pub struct Repository {
    /// The work tree (or git directory of a bare repository), absolute.
    pub root: String,
    /// The commit HEAD names; `null` on an unborn branch.
    pub head: Option<String>,
    /// The branch HEAD is on (`refs/heads/main`); `null` when detached.
    pub head_ref: Option<String>,
    pub shallow: bool,
    pub partial: bool,
    /// What the history was walked from: `--all`, or the given revisions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub revisions: Vec<String>,
    /// The tip of every ref scanned (`git` over the whole history: all refs).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refs: Vec<RefTip>,
}

#[derive(Debug, Serialize)]
pub struct RefTip {
    pub name: String,
    pub oid: String,
}

#[derive(Debug, Serialize)]
pub struct RulesUsed {
    pub count: usize,
    pub builtin: usize,
    pub custom: usize,
    /// SHA-256 of the rule set as in force (`RuleSet::digest_input`).
    pub sha256: String,
}

#[derive(Debug, Serialize)]
pub struct ConfigUsed {
    /// Each config file read, how it was found, and its bytes' digest.
    /// Empty: no config file, the built-in defaults.
    pub sources: Vec<ConfigSource>,
    /// SHA-256 of the effective config (parsed, canonical JSON).
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConfigSource {
    /// Absolute.
    pub path: String,
    /// Relative to the repository root, when it is inside the repository
    /// (so `evidence verify --repo` can check it in another checkout).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository_path: Option<String>,
    /// `--config`, `LEAKTRAP_CONFIG`, `found at the repository root`,
    /// `GITLEAKS_CONFIG`, `GITLEAKS_CONFIG_TOML`, or `found at the
    /// repository root, no .leaktrap.toml` (a `.gitleaks.toml`).
    pub found_by: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct InputFile {
    /// `baseline`, `ignore-file`.
    pub kind: String,
    /// Absolute.
    pub path: String,
    /// Relative to the repository root, when inside it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository_path: Option<String>,
    pub sha256: String,
}

#[derive(Debug, Serialize)]
pub struct Counts {
    /// Files (`scan`, `staged`) or unique blobs (`git`, `push`) scanned.
    pub files_scanned: u64,
    pub blobs_scanned: u64,
    pub commits_scanned: u64,
    pub bytes_scanned: u64,
}

#[derive(Debug, Serialize)]
pub struct Skipped {
    pub counts: BTreeMap<SkipReason, u64>,
    /// Every skipped input with its reason, sorted by path.
    pub items: Vec<SkippedItem>,
}

#[derive(Debug, Serialize)]
pub struct Suppressions {
    /// By mechanism: `inline`, `rule-allowlist`, `global-allowlist`,
    /// `baseline` (paths excluded by ignore files and allowlists are in
    /// `skipped`).
    pub counts: BTreeMap<String, u64>,
    pub baseline: Option<BaselineUse>,
}

#[derive(Debug, Serialize)]
pub struct BaselineUse {
    pub path: String,
    /// Entries that suppressed findings, with their justification.
    pub matched: Vec<BaselineEntry>,
    /// Entries that matched nothing.
    pub stale: Vec<BaselineEntry>,
    /// Entries past their date: they suppressed nothing.
    pub expired: Vec<BaselineEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub rule: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Findings it suppressed (for `matched`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub findings: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct FindingCounts {
    pub total: usize,
    pub by_severity: BTreeMap<Severity, u64>,
    /// Sorted by rule id.
    pub by_rule: Vec<RuleCount>,
}

#[derive(Debug, Serialize)]
pub struct RuleCount {
    pub rule: String,
    pub severity: Severity,
    pub count: u64,
}

#[derive(Debug, Serialize)]
pub struct ReportFile {
    /// Relative to the evidence file's directory when under it, else absolute.
    pub path: String,
    pub format: String,
    pub bytes: u64,
    pub sha256: String,
}

impl FindingCounts {
    /// Counts only: no value, no location.
    pub fn of(findings: &[Finding]) -> FindingCounts {
        let mut by_severity: BTreeMap<Severity, u64> = BTreeMap::new();
        let mut by_rule: BTreeMap<&str, (Severity, u64)> = BTreeMap::new();
        for f in findings {
            *by_severity.entry(f.rule.severity).or_default() += 1;
            by_rule.entry(&f.rule.id).or_insert((f.rule.severity, 0)).1 += 1;
        }
        FindingCounts {
            total: findings.len(),
            by_severity,
            by_rule: by_rule
                .into_iter()
                .map(|(rule, (severity, count))| RuleCount {
                    rule: rule.to_string(),
                    severity,
                    count,
                })
                .collect(),
        }
    }
}

impl Counts {
    /// `history`: the scan read blobs, not files.
    pub fn of(stats: &ScanStats, history: bool) -> Counts {
        Counts {
            files_scanned: if history { 0 } else { stats.files_scanned },
            blobs_scanned: if history { stats.files_scanned } else { 0 },
            commits_scanned: stats.commits_scanned,
            bytes_scanned: stats.bytes_scanned,
        }
    }
}

impl Skipped {
    pub fn of(stats: &ScanStats) -> Skipped {
        Skipped {
            counts: stats.skipped.clone(),
            items: stats.skipped_items.clone(),
        }
    }
}

impl Evidence {
    /// Writes the record as pretty JSON with a final newline.
    ///
    /// # Errors
    /// The writer failed.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        out.write_all(b"\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_sha256_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_reader(&b"abc"[..]).unwrap(),
            sha256_hex(b"abc"),
            "streamed and whole agree"
        );
    }
}
