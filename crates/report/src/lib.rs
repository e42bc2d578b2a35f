//! Decides *how it looks*.
//!
//! Every format implements [`Reporter`] and receives a [`Report`]: findings,
//! statistics and one [`Redaction`] policy. A secret reaches output only
//! through `Secret::render(redaction)`; the raw value is never written unless
//! the user chose [`Redaction::Reveal`].
//!
//! It must not know about rules' regexes, the engine, files or flags.

mod fingerprint;
mod json;
mod text;

pub use fingerprint::{line_hashes, secret_fingerprint};
pub use json::{Json, JSON_SCHEMA_VERSION};
pub use text::Text;

use leaktrap_core::{Finding, Redaction, ScanStats, Verdict};
use std::io::{self, Write};

/// Everything a format may show.
#[derive(Debug)]
pub struct Report<'a> {
    pub tool_version: &'a str,
    pub findings: &'a [Finding],
    pub stats: &'a ScanStats,
    pub redaction: Redaction,
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
