//! Decides *how it looks*.
//!
//! Every format implements [`Reporter`] and receives a [`Report`]: findings,
//! statistics and one [`Redaction`] policy. A secret reaches output only
//! through `Secret::render(redaction)`; the raw value is never written unless
//! the user chose [`Redaction::Reveal`]. (It is otherwise only hashed, for
//! fingerprints, or compared, to check that content still holds it.)
//!
//! Formats: [`Text`] for people; [`Json`] (versioned, `docs/json-report.md`),
//! [`Jsonl`], [`Csv`], [`Junit`], [`Github`] (workflow annotations),
//! [`Markdown`] (a step summary) and [`Sarif`] (code scanning) for machines;
//! [`GitleaksJson`] writes Gitleaks' report shape for tools that read it.
//! `docs/formats.md` describes each.
//!
//! It must not know about rules' regexes, the engine, files or flags: what a
//! format needs to know about files (a repository-relative path, the content
//! a secret was found in) comes from the caller through [`Artifacts`].

mod csv;
pub mod evidence;
mod fingerprint;
mod github;
mod gitleaks_json;
mod json;
mod jsonl;
mod junit;
mod markdown;
mod sarif;
mod text;

pub use crate::csv::Csv;
pub use fingerprint::{line_hashes, secret_fingerprint, Fingerprinter};
pub use github::Github;
pub use gitleaks_json::{gitleaks_fingerprint, GitleaksJson};
pub use json::{Json, JSON_SCHEMA_VERSION};
pub use jsonl::Jsonl;
pub use junit::Junit;
pub use markdown::Markdown;
pub use sarif::{file_uri, Sarif, MAX_GZIP_BYTES, MAX_RESULTS};
pub use text::Text;

use leaktrap_core::{Finding, Redaction, ScanStats, Severity, Verdict};
use std::borrow::Cow;
use std::io::{self, Write};

/// Everything a format may show.
#[derive(Debug)]
pub struct Report<'a> {
    pub tool_version: &'a str,
    pub findings: &'a [Finding],
    pub stats: &'a ScanStats,
    pub redaction: Redaction,
    /// How findings' fingerprints are computed (keyed or not).
    pub fingerprinter: &'a Fingerprinter,
}

impl Report<'_> {
    pub fn verdict(&self) -> Verdict {
        Verdict::from(self.findings.len(), self.stats)
    }
}

/// An output format.
pub trait Reporter {
    /// Writes the whole report.
    ///
    /// # Errors
    /// The writer failed.
    fn write(&self, report: &Report<'_>, out: &mut dyn Write) -> io::Result<()>;
}

/// What the caller knows about the files findings were found in. Formats
/// that point into a repository (SARIF, GitHub annotations) ask it; the
/// defaults know nothing and use the path as the user named it.
pub trait Artifacts {
    /// The repository root as an absolute `file://` URI ending in `/`
    /// (see [`file_uri`]), if there is one.
    fn root_uri(&self) -> Option<String> {
        None
    }

    /// The finding's path relative to the repository root, `/`-separated.
    /// An absolute path means the file is outside the repository.
    fn repo_path<'f>(&self, finding: &'f Finding) -> Cow<'f, str> {
        Cow::Borrowed(&finding.path)
    }

    /// The whole content the finding was found in (the file, the staged or
    /// historical blob), if it can still be had. Used to compute GitHub's
    /// line hash; content that no longer holds the secret at the finding's
    /// byte offsets is not used.
    fn content(&self, finding: &Finding) -> Option<Vec<u8>> {
        let _ = finding;
        None
    }
}

/// [`Artifacts`] that know nothing: paths as named, no content.
#[derive(Debug, Default, Clone, Copy)]
pub struct AsNamed;

impl Artifacts for AsNamed {}

/// The abbreviated commit id that text-like formats show (12 hex digits,
/// as git abbreviates in large repositories).
pub(crate) fn short_commit(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

/// Severity as the three levels CI systems know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Error,
    Warning,
    Note,
}

impl Level {
    pub(crate) fn of(s: Severity) -> Level {
        match s {
            Severity::Critical | Severity::High => Level::Error,
            Severity::Medium => Level::Warning,
            Severity::Low | Severity::Info => Level::Note,
        }
    }
}

/// Free text that could hold the secret (a commit message's first line, when
/// the secret was found there), with every occurrence of the raw secret
/// replaced by its rendering under `redaction`.
pub(crate) fn scrub<'t>(text: &'t str, finding: &Finding, redaction: Redaction) -> Cow<'t, str> {
    if redaction == Redaction::Reveal {
        return Cow::Borrowed(text);
    }
    // Compared, never shown.
    let raw = String::from_utf8_lossy(finding.secret.expose());
    if raw.is_empty() || !text.contains(raw.as_ref()) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.replace(raw.as_ref(), &finding.secret.render(redaction)))
}

/// The message every format gives for a finding: what was found, never the
/// value.
pub(crate) fn headline(f: &Finding) -> String {
    match f.origin.as_deref() {
        Some(o) => format!(
            "{} detected in commit {} (secret masked)",
            f.rule.name,
            short_commit(&o.commit)
        ),
        None => format!("{} detected (secret masked)", f.rule.name),
    }
}
