//! Shared types of leaktrap.
//!
//! This crate owns the vocabulary every other crate speaks: [`Severity`],
//! [`Confidence`], [`RuleMeta`], [`Secret`] (masked by construction), [`Location`],
//! [`Finding`], [`SkipReason`], [`SuppressionKind`] and [`ScanStats`].
//!
//! It must not do I/O, compile regexes, or know about git, files or the command line.

mod secret;
mod stats;

pub use secret::{Redaction, Secret};
pub use stats::{ScanError, ScanStats, SkipReason, SkippedItem, SuppressionKind, Verdict};

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// How bad a leak of this kind of secret is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Lowercase name, as written in rule files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure a rule is that what it matched is a real secret.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    #[default]
    High,
}

impl Confidence {
    /// Lowercase name, as written in rule files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a report needs to know about a rule: never its regex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleMeta {
    pub id: String,
    pub name: String,
    pub description: String,
    pub severity: Severity,
    pub confidence: Confidence,
    pub tags: Vec<String>,
}

/// A span of text in a file. Lines and columns are 1-based; columns count
/// Unicode code points (a byte that is not valid UTF-8 counts as one), and
/// `end_column` is exclusive. Byte offsets are 0-based, `byte_end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub start_line: u64,
    pub start_column: u64,
    pub end_line: u64,
    pub end_column: u64,
    pub byte_start: u64,
    pub byte_end: u64,
}

/// One secret found at one place.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: Arc<RuleMeta>,
    /// The path as the user named it (`/`-separated), or `-` for stdin.
    pub path: String,
    /// Where the secret itself is (not the whole match).
    pub location: Location,
    pub secret: Secret,
    /// Shannon entropy of the secret, bits per byte.
    pub entropy: f32,
    /// Where in git history the content came from (`git`/`push` modes only).
    pub origin: Option<Box<Origin>>,
    /// The decodings that revealed the secret, outermost first (`[Percent,
    /// Base64]`: percent-decoding the text, then base64-decoding part of
    /// that). Empty when the secret was found as written. For a decoded
    /// secret, `location` spans the encoded text in the file and `secret`
    /// holds the decoded value.
    pub decoded: Vec<Encoding>,
}

/// An encoding leaktrap decodes to look for secrets inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// Base64, standard or URL-safe alphabet, padded or not.
    Base64,
    /// Hexadecimal, two digits per byte.
    Hex,
    /// Percent-encoding (`%2F`), as in URLs and form data.
    Percent,
}

impl Encoding {
    /// Lowercase name, as reports write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Base64 => "base64",
            Encoding::Hex => "hex",
            Encoding::Percent => "percent",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of git content a history finding was in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OriginKind {
    /// A file's content (a blob) at `Finding::path`.
    File,
    /// A commit's message.
    CommitMessage,
    /// An annotated tag's message.
    TagMessage,
}

/// Provenance of a history finding: the commit that introduced the content at
/// that path (for a message, the commit or tag itself).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Origin {
    pub kind: OriginKind,
    /// Full hex id of the commit (for a tag message: the tag object).
    pub commit: String,
    /// Full hex id of the blob, for [`OriginKind::File`].
    pub blob: Option<String>,
    pub author_name: String,
    pub author_email: String,
    /// Author date, RFC 3339 in UTC (`2024-01-31T12:00:00Z`).
    pub date: String,
    /// First line of the commit message.
    pub summary: String,
    /// Other commits that introduced the same content at the same path
    /// (cherry-picks, rebased copies), oldest first.
    pub also_in: Vec<String>,
}

impl Finding {
    /// The order every report uses: path, line, column, rule id.
    pub fn sort_key(&self) -> (&str, u64, u64, &str, u64, Option<&str>) {
        (
            &self.path,
            self.location.start_line,
            self.location.start_column,
            &self.rule.id,
            self.location.byte_start,
            self.origin.as_deref().map(|o| o.commit.as_str()),
        )
    }
}

/// Sorts findings into the canonical report order, so that output never
/// depends on thread scheduling.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}
