//! GitHub Actions workflow commands: one annotation per finding, shown on the
//! run's summary and, in a pull request, on the changed file.

use crate::{short_commit, Artifacts, AsNamed, Level, Report, Reporter};
use std::io::{self, Write};

/// `::error file=…,line=…,endLine=…,col=…,endColumn=…,title=…::message` per
/// finding (`error` for high and critical, `warning` for medium, `notice`
/// for low and info), and one `::error` per input that could not be read.
pub struct Github<'a> {
    /// Where findings' paths are made relative to the repository root, which
    /// is what GitHub resolves `file=` against.
    pub artifacts: &'a dyn Artifacts,
}

impl Default for Github<'static> {
    fn default() -> Self {
        Github {
            artifacts: &AsNamed,
        }
    }
}

impl std::fmt::Debug for Github<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Github")
    }
}

impl Reporter for Github<'_> {
    fn write(&self, report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
        for f in report.findings {
            let l = &f.location;
            let command = match Level::of(f.rule.severity) {
                Level::Error => "error",
                Level::Warning => "warning",
                Level::Note => "notice",
            };
            let path = self.artifacts.repo_path(f);
            let mut props = vec![
                ("file", path.into_owned()),
                ("line", l.start_line.to_string()),
                ("endLine", l.end_line.to_string()),
            ];
            // GitHub uses columns only on a one-line annotation; its end
            // column is the last character's (inclusive).
            if l.start_line == l.end_line {
                props.push(("col", l.start_column.to_string()));
                props.push((
                    "endColumn",
                    l.end_column
                        .saturating_sub(1)
                        .max(l.start_column)
                        .to_string(),
                ));
            }
            props.push(("title", format!("leaktrap: {}", f.rule.name)));
            let mut message = format!(
                "{} ({}, {} severity): secret {}",
                f.rule.name,
                f.rule.id,
                f.rule.severity,
                f.secret.render(report.redaction)
            );
            if let Some(o) = f.origin.as_deref() {
                message.push_str(&format!(
                    ", introduced in commit {} by {} on {}",
                    short_commit(&o.commit),
                    o.author_name,
                    o.date
                ));
            }
            message.push_str(". Rotate it first, then remove it.");
            command_line(out, command, &props, &message)?;
        }
        for e in &report.stats.errors {
            command_line(
                out,
                "error",
                &[
                    ("file", e.path.clone()),
                    ("title", "leaktrap: input not scanned".to_string()),
                ],
                &format!(
                    "could not be read, so the scan is incomplete: {}",
                    e.message
                ),
            )?;
        }
        Ok(())
    }
}

fn command_line(
    out: &mut dyn Write,
    command: &str,
    props: &[(&str, String)],
    message: &str,
) -> io::Result<()> {
    let props: Vec<String> = props
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    writeln!(
        out,
        "::{command} {}::{}",
        props.join(","),
        escape_data(message)
    )
}

/// A command's message: `%`, CR and LF are encoded so that the text cannot
/// end the command or start another.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: as [`escape_data`], plus `:` and `,`, which delimit
/// properties.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_runner() {
        assert_eq!(escape_data("100%\r\n::x"), "100%25%0D%0A::x");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
