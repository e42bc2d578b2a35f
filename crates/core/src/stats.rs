//! What a scan covered, skipped and suppressed.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// Why an input was not scanned. Every skip is counted and reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// Excluded by `.gitignore`, `.ignore`, `.leaktrapignore` or `.secretlintignore`.
    Ignored,
    /// Content looks binary (a NUL byte near the start).
    Binary,
    /// Larger than the configured size limit.
    TooLarge,
    /// A symbolic link that was not followed.
    Symlink,
    /// Matched a global allowlist path.
    AllowlistedPath,
    /// Not a regular file (socket, FIFO, device).
    Special,
    /// A submodule (gitlink) entry: its content lives in another repository.
    Submodule,
    /// Could not be read; named in [`ScanStats::errors`].
    Unreadable,
    /// The scanner's own input, which Gitleaks does not scan either: the
    /// Gitleaks config file in force, the `--baseline-path` report.
    ScannerFile,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Ignored => "ignored",
            SkipReason::Binary => "binary",
            SkipReason::TooLarge => "too-large",
            SkipReason::Symlink => "symlink",
            SkipReason::AllowlistedPath => "allowlisted-path",
            SkipReason::Special => "special",
            SkipReason::Submodule => "submodule",
            SkipReason::Unreadable => "unreadable",
            SkipReason::ScannerFile => "scanner-file",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a match that would have been a finding was suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SuppressionKind {
    /// A `leaktrap:allow` comment on the line.
    Inline,
    /// A rule's own allowlist (regexes, stopwords).
    RuleAllowlist,
    /// The config's global allowlist (regexes, stopwords).
    GlobalAllowlist,
    /// An entry of the baseline file given with `--baseline`.
    Baseline,
    /// A `gitleaks:allow` comment on the line (Gitleaks' inline marker).
    GitleaksAllow,
    /// An entry of `.gitleaksignore` (a Gitleaks fingerprint).
    Gitleaksignore,
    /// A finding of the Gitleaks report given with `--baseline-path`.
    GitleaksBaseline,
    /// A `secretlint-disable…` comment (line, next line or block).
    SecretlintDisable,
    /// A detect-secrets `pragma: allowlist secret` or
    /// `pragma: allowlist nextline secret` comment.
    DetectSecretsPragma,
}

impl SuppressionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionKind::Inline => "inline",
            SuppressionKind::RuleAllowlist => "rule-allowlist",
            SuppressionKind::GlobalAllowlist => "global-allowlist",
            SuppressionKind::Baseline => "baseline",
            SuppressionKind::GitleaksAllow => "gitleaks-allow",
            SuppressionKind::Gitleaksignore => "gitleaksignore",
            SuppressionKind::GitleaksBaseline => "gitleaks-baseline",
            SuppressionKind::SecretlintDisable => "secretlint-disable",
            SuppressionKind::DetectSecretsPragma => "detect-secrets-pragma",
        }
    }
}

/// An input that could not be scanned, named so the user can fix it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ScanError {
    pub path: String,
    pub message: String,
}

/// One input that was not scanned, and why (for the evidence record).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SkippedItem {
    /// The path as the scan named it (`blob <oid>` for a history blob).
    pub path: String,
    pub reason: SkipReason,
}

/// Counters of one scan. Merged from every worker; deterministic.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScanStats {
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub skipped: BTreeMap<SkipReason, u64>,
    /// Every skipped input by name, sorted: what `skipped` counts (an
    /// ignored directory is one item). Not in the JSON report (it can be
    /// long); the evidence record lists it.
    #[serde(skip)]
    pub skipped_items: Vec<SkippedItem>,
    pub suppressed: BTreeMap<SuppressionKind, u64>,
    pub errors: Vec<ScanError>,
    /// Findings left out because they touch no changed line (staged and
    /// push scans report only what a change adds).
    #[serde(skip_serializing_if = "is_zero")]
    pub outside_changes: u64,
    /// Commits whose messages were scanned (history and push scans).
    #[serde(skip_serializing_if = "is_zero")]
    pub commits_scanned: u64,
    /// Problems that lost nothing (a bad pattern in an ignore file).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<ScanError>,
}

impl ScanStats {
    /// Records an input that was not scanned.
    pub fn skip(&mut self, reason: SkipReason, path: impl Into<String>) {
        *self.skipped.entry(reason).or_default() += 1;
        self.skipped_items.push(SkippedItem {
            path: path.into(),
            reason,
        });
    }

    pub fn suppress(&mut self, kind: SuppressionKind) {
        *self.suppressed.entry(kind).or_default() += 1;
    }

    /// Records an input that could not be read; it makes the scan incomplete.
    pub fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        let path = path.into();
        self.skip(SkipReason::Unreadable, path.clone());
        self.errors.push(ScanError {
            path,
            message: message.into(),
        });
    }

    /// Records a problem that did not stop anything from being scanned.
    pub fn warn(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.warnings.push(ScanError {
            path: path.into(),
            message: message.into(),
        });
    }

    pub fn merge(&mut self, other: ScanStats) {
        self.files_scanned += other.files_scanned;
        self.outside_changes += other.outside_changes;
        self.commits_scanned += other.commits_scanned;
        self.bytes_scanned += other.bytes_scanned;
        for (k, v) in other.skipped {
            *self.skipped.entry(k).or_default() += v;
        }
        for (k, v) in other.suppressed {
            *self.suppressed.entry(k).or_default() += v;
        }
        self.skipped_items.extend(other.skipped_items);
        self.errors.extend(other.errors);
        self.warnings.extend(other.warnings);
    }

    /// Puts errors in a stable order.
    pub fn normalize(&mut self) {
        self.skipped_items.sort();
        self.errors.sort();
        self.errors.dedup();
        self.warnings.sort();
        self.warnings.dedup();
    }

    /// `12 ignored, 3 binary`: the skip counts as summaries show them;
    /// `None` when nothing was skipped.
    pub fn skipped_summary(&self) -> Option<String> {
        (!self.skipped.is_empty()).then(|| {
            let parts: Vec<String> = self
                .skipped
                .iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect();
            parts.join(", ")
        })
    }

    /// `2 inline, 1 baseline`: the suppression counts as summaries show
    /// them; `None` when nothing was suppressed.
    pub fn suppressed_summary(&self) -> Option<String> {
        (!self.suppressed.is_empty()).then(|| {
            let parts: Vec<String> = self
                .suppressed
                .iter()
                .map(|(k, v)| format!("{v} {}", k.as_str()))
                .collect();
            parts.join(", ")
        })
    }

    /// Whether every input was read.
    pub fn complete(&self) -> bool {
        self.errors.is_empty()
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The outcome of a scan, as exit codes and evidence report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Everything was scanned; nothing was found.
    Clean,
    /// At least one unsuppressed finding.
    Findings,
    /// No findings, but some input could not be scanned.
    Incomplete,
}

impl Verdict {
    pub fn from(findings: usize, stats: &ScanStats) -> Verdict {
        if findings > 0 {
            Verdict::Findings
        } else if !stats.complete() {
            Verdict::Incomplete
        } else {
            Verdict::Clean
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Clean => "clean",
            Verdict::Findings => "findings",
            Verdict::Incomplete => "incomplete",
        }
    }
}
