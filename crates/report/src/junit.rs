//! JUnit XML, for CI test-report views (GitLab's `artifacts:reports:junit`,
//! Jenkins, Azure Pipelines): each finding is a failed test case, each
//! unreadable input an errored one; a clean scan is one passing test case.

use crate::{headline, short_commit, Report, Reporter};
use std::fmt::Write as _;
use std::io::{self, Write};

/// One `<testsuite name="leaktrap">` inside `<testsuites>`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Junit;

impl Reporter for Junit {
    fn write(&self, report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
        let failures = report.findings.len();
        let errors = report.stats.errors.len();
        let tests = (failures + errors).max(1);
        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            out,
            r#"<testsuites name="leaktrap" tests="{tests}" failures="{failures}" errors="{errors}">"#
        )?;
        writeln!(
            out,
            r#"  <testsuite name="leaktrap" tests="{tests}" failures="{failures}" errors="{errors}" skipped="0">"#
        )?;
        writeln!(out, "    <properties>")?;
        for (name, value) in [
            ("leaktrap.version", report.tool_version.to_string()),
            ("leaktrap.verdict", report.verdict().as_str().to_string()),
            (
                "leaktrap.files_scanned",
                report.stats.files_scanned.to_string(),
            ),
        ] {
            writeln!(
                out,
                r#"      <property name="{}" value="{}"/>"#,
                escape(name),
                escape(&value)
            )?;
        }
        writeln!(out, "    </properties>")?;
        for f in report.findings {
            let l = &f.location;
            let mut body = format!(
                "rule: {} ({}, {} severity)\nlocation: {}:{}:{}\nsecret: {}\n",
                f.rule.id,
                f.rule.name,
                f.rule.severity,
                f.path,
                l.start_line,
                l.start_column,
                f.secret.render(report.redaction),
            );
            if let Some(o) = f.origin.as_deref() {
                let _ = writeln!(
                    body,
                    "commit: {} by {} on {}",
                    short_commit(&o.commit),
                    o.author_name,
                    o.date
                );
            }
            let _ = writeln!(body, "{}", f.rule.description);
            writeln!(
                out,
                r#"    <testcase name="{}" classname="leaktrap.{}" file="{}" line="{}">"#,
                escape(&format!("{}:{}:{}", f.path, l.start_line, l.start_column)),
                escape(&f.rule.id),
                escape(&f.path),
                l.start_line
            )?;
            writeln!(
                out,
                r#"      <failure type="{}" message="{}">{}</failure>"#,
                escape(&f.rule.id),
                escape(&headline(f)),
                escape_text(&body)
            )?;
            writeln!(out, "    </testcase>")?;
        }
        for e in &report.stats.errors {
            writeln!(
                out,
                r#"    <testcase name="{}" classname="leaktrap.unreadable" file="{}">"#,
                escape(&e.path),
                escape(&e.path)
            )?;
            writeln!(
                out,
                r#"      <error type="unreadable" message="{}"/>"#,
                escape(&format!(
                    "could not be read, so it was not scanned: {}",
                    e.message
                ))
            )?;
            writeln!(out, "    </testcase>")?;
        }
        if failures + errors == 0 {
            writeln!(
                out,
                r#"    <testcase name="no secrets found" classname="leaktrap.scan"/>"#
            )?;
        }
        writeln!(out, "  </testsuite>")?;
        writeln!(out, "</testsuites>")
    }
}

/// Text for element content: as [`escape`], but tabs and line breaks stay
/// as they are.
fn escape_text(s: &str) -> String {
    escape(s).replace("&#10;", "\n").replace("&#9;", "\t")
}

/// Text for XML content or a double-quoted attribute. Characters XML 1.0
/// cannot carry at all (most C0 controls, U+FFFE, U+FFFF) become U+FFFD;
/// tab, LF and CR are written as character references so that attribute
/// normalisation keeps them.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_quotes_and_controls() {
        assert_eq!(
            escape("a<b>&\"c\"'d'"),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;"
        );
        assert_eq!(
            escape("x\ny\tz\u{1}\u{ffff}"),
            "x&#10;y&#9;z\u{fffd}\u{fffd}"
        );
        assert_eq!(escape("ключ 😀"), "ключ 😀");
        assert_eq!(super::escape_text("a\n\tb\r<"), "a\n\tb&#13;&lt;");
    }
}
