//! Human output: one finding per block, masked, optionally coloured.

use crate::{scrub, short_commit, Report, Reporter};
use leaktrap_core::Severity;
use std::io::{self, Write};

/// `path:line:column: severity rule-id: name`, then the masked secret and
/// the rule's description, indented; for a finding in history, the commit
/// that introduced it.
#[derive(Debug, Default, Clone, Copy)]
pub struct Text {
    pub color: bool,
}

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const MAGENTA: &str = "\x1b[35m";

fn severity_color(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "\x1b[1;31m",
        Severity::Medium => "\x1b[33m",
        Severity::Low => "\x1b[36m",
        Severity::Info => "\x1b[2m",
    }
}

impl Reporter for Text {
    fn write(&self, report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
        let paint = |code: &'static str| if self.color { code } else { "" };
        for f in report.findings {
            let l = &f.location;
            writeln!(
                out,
                "{}{}{}:{}:{}: {}{}{} {}{}{}: {}",
                paint(MAGENTA),
                sanitize(&f.path),
                paint(RESET),
                l.start_line,
                l.start_column,
                paint(severity_color(f.rule.severity)),
                f.rule.severity,
                paint(RESET),
                paint(BOLD),
                f.rule.id,
                paint(RESET),
                f.rule.name,
            )?;
            let decoded: Vec<&str> = f.decoded.iter().map(|e| e.as_str()).collect();
            writeln!(
                out,
                "    secret {}{}  {}{}{}",
                sanitize(&f.secret.render(report.redaction)),
                if decoded.is_empty() {
                    String::new()
                } else {
                    format!(" (decoded: {})", decoded.join(" > "))
                },
                paint(DIM),
                first_sentence(&f.rule.description),
                paint(RESET)
            )?;
            if let Some(o) = f.origin.as_deref() {
                writeln!(
                    out,
                    "    in commit {} by {} on {}: {}",
                    short_commit(&o.commit),
                    sanitize(&o.author_name),
                    o.date.get(..10).unwrap_or(&o.date),
                    sanitize(&scrub(&o.summary, f, report.redaction)),
                )?;
            }
        }
        Ok(())
    }
}

/// The description up to its first full stop: the rest is in `rules list`.
fn first_sentence(s: &str) -> &str {
    match s.find(". ") {
        Some(i) => &s[..=i],
        None => s,
    }
}

/// Replaces control characters (a file name or secret could carry terminal
/// escapes) with `?`.
fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}
