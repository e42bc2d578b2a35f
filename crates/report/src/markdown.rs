//! A Markdown summary for people reading CI: `$GITHUB_STEP_SUMMARY`, a pull
//! request comment, a merge request note.

use crate::{short_commit, Report, Reporter};
use leaktrap_core::{Severity, Verdict};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Verdict, counts, a table of findings (masked), then what was not scanned.
#[derive(Debug, Default, Clone, Copy)]
pub struct Markdown;

/// Rows shown at most: GitHub caps a step summary at 1 MiB.
const MAX_ROWS: usize = 1000;

impl Reporter for Markdown {
    fn write(&self, report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
        let findings = report.findings;
        let stats = report.stats;
        let n = findings.len();
        match report.verdict() {
            Verdict::Clean => writeln!(out, "## leaktrap: no secrets found")?,
            Verdict::Findings => writeln!(
                out,
                "## leaktrap: {n} {} found",
                if n == 1 { "secret" } else { "secrets" }
            )?,
            Verdict::Incomplete => writeln!(out, "## leaktrap: incomplete scan")?,
        }
        writeln!(out)?;
        let mut by_severity: BTreeMap<std::cmp::Reverse<Severity>, usize> = BTreeMap::new();
        for f in findings {
            *by_severity
                .entry(std::cmp::Reverse(f.rule.severity))
                .or_default() += 1;
        }
        let mut line = format!("**Verdict:** {}", report.verdict().as_str());
        if !by_severity.is_empty() {
            let parts: Vec<String> = by_severity
                .iter()
                .map(|(s, k)| format!("{k} {}", s.0))
                .collect();
            line.push_str(&format!(" ({})", parts.join(", ")));
        }
        line.push_str(&format!(
            " · scanned {} {} ({} bytes)",
            stats.files_scanned,
            if stats.files_scanned == 1 {
                "file"
            } else {
                "files"
            },
            stats.bytes_scanned
        ));
        if let Some(s) = stats.skipped_summary() {
            line.push_str(&format!(" · skipped: {s}"));
        }
        if let Some(s) = stats.suppressed_summary() {
            line.push_str(&format!(" · suppressed: {s}"));
        }
        writeln!(out, "{line}")?;
        if n > 0 {
            let history = findings.iter().any(|f| f.origin.is_some());
            writeln!(out)?;
            if history {
                writeln!(out, "| Severity | Rule | Location | Secret | Commit |")?;
                writeln!(out, "|---|---|---|---|---|")?;
            } else {
                writeln!(out, "| Severity | Rule | Location | Secret |")?;
                writeln!(out, "|---|---|---|---|")?;
            }
            for f in findings.iter().take(MAX_ROWS) {
                let l = &f.location;
                write!(
                    out,
                    "| {} | {} {} | {} | {} |",
                    f.rule.severity,
                    text(&f.rule.name),
                    code(&f.rule.id),
                    code(&format!("{}:{}:{}", f.path, l.start_line, l.start_column)),
                    code(&f.secret.render(report.redaction)),
                )?;
                if history {
                    let commit = f.origin.as_deref().map_or_else(String::new, |o| {
                        format!(
                            "{} {}, {}",
                            code(short_commit(&o.commit)),
                            text(&o.author_name),
                            text(o.date.get(..10).unwrap_or(&o.date))
                        )
                    });
                    write!(out, " {commit} |")?;
                }
                writeln!(out)?;
            }
            if n > MAX_ROWS {
                writeln!(out)?;
                writeln!(
                    out,
                    "…and {} more, not shown here: the JSON or SARIF report lists every finding.",
                    n - MAX_ROWS
                )?;
            }
            writeln!(out)?;
            writeln!(
                out,
                "**What to do:** treat each secret as compromised. Rotate or revoke it at its \
                 issuer first, then remove it from the code, then purge it from git history \
                 (`leaktrap trace` shows where it has been). If it is not a secret, put \
                 `leaktrap:allow` in a comment on its line or allowlist it in `.leaktrap.toml`."
            )?;
        }
        if !stats.errors.is_empty() {
            writeln!(out)?;
            writeln!(
                out,
                "### Not scanned: {} {} could not be read",
                stats.errors.len(),
                if stats.errors.len() == 1 {
                    "input"
                } else {
                    "inputs"
                }
            )?;
            writeln!(out)?;
            for e in stats.errors.iter().take(MAX_ROWS) {
                writeln!(out, "- {}: {}", code(&e.path), text(&e.message))?;
            }
            if stats.errors.len() > MAX_ROWS {
                writeln!(out, "- …and {} more", stats.errors.len() - MAX_ROWS)?;
            }
        }
        Ok(())
    }
}

/// Prose that Markdown must show as it is, inside a table cell or after a
/// list marker: punctuation that means something inline (emphasis, code,
/// links, images, tables, HTML, entities, math, emoji, mentions, autolinks)
/// is backslash-escaped, and line breaks and other controls become spaces, so a
/// name cannot break the table or format itself.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.push(' ');
        } else if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '['
                | ']'
                | '<'
                | '>'
                | '!'
                | '|'
                | '~'
                | '$'
                | '&'
                | ':'
                | '@'
                | '.'
        ) {
            out.push('\\');
            out.push(c);
        } else {
            out.push(c);
        }
    }
    out
}

/// A value (path, rule id, secret) as a code span, which shows everything
/// literally: the fence is one backtick longer than any run of backticks in
/// the value; only `|` is escaped (a table cell ends at a bare `|`, even in
/// code), and line breaks and other controls become spaces.
fn code(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let body: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace('|', "\\|");
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = body.starts_with(['`', ' ']) || body.ends_with(['`', ' ']);
    let pad = if pad { " " } else { "" };
    format!("{fence}{pad}{body}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::{code, text};

    #[test]
    fn prose_cannot_break_the_table_or_format() {
        assert_eq!(text("a|b`c`"), "a\\|b\\`c\\`");
        assert_eq!(text("line\nbreak"), "line break");
        assert_eq!(text("@team $x$ <b>"), "\\@team \\$x\\$ \\<b\\>");
        assert_eq!(text("naïve.env"), "naïve\\.env");
    }

    #[test]
    fn values_are_code_spans() {
        assert_eq!(code("ghp_…(40 chars)"), "`ghp_…(40 chars)`");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("x``y`"), "``` x``y` ```");
        assert_eq!(code("two\nlines"), "`two lines`");
        assert_eq!(code(""), "");
    }
}
