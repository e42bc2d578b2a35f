//! CSV: a header row, then one row per finding (RFC 4180: CRLF line ends,
//! fields quoted when they hold a comma, a quote or a line break).

use crate::{short_commit, Report, Reporter};
use std::io::{self, Write};

/// One row per finding; a clean scan writes only the header.
#[derive(Debug, Default, Clone, Copy)]
pub struct Csv;

const HEADER: [&str; 14] = [
    "rule_id",
    "rule_name",
    "severity",
    "confidence",
    "path",
    "start_line",
    "start_column",
    "end_line",
    "end_column",
    "secret",
    "secret_length",
    "commit",
    "author",
    "date",
];

impl Reporter for Csv {
    fn write(&self, report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
        let mut w = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .from_writer(out);
        w.write_record(HEADER)?;
        for f in report.findings {
            let l = &f.location;
            let o = f.origin.as_deref();
            w.write_record([
                cell(&f.rule.id),
                cell(&f.rule.name),
                f.rule.severity.as_str().to_string(),
                f.rule.confidence.as_str().to_string(),
                cell(&f.path),
                l.start_line.to_string(),
                l.start_column.to_string(),
                l.end_line.to_string(),
                l.end_column.to_string(),
                cell(&f.secret.render(report.redaction)),
                f.secret.char_len().to_string(),
                o.map_or_else(String::new, |o| short_commit(&o.commit).to_string()),
                o.map_or_else(String::new, |o| cell(&o.author_name)),
                o.map_or_else(String::new, |o| cell(&o.date)),
            ])?;
        }
        w.flush()
    }
}

/// A text cell, defused for spreadsheets: a cell that starts with `=`, `+`,
/// `-`, `@`, a tab or a CR would be read as a formula, so it gets a leading `'`
/// (a scanned repository chooses its file names).
fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_defused() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("-----BEGIN"), "'-----BEGIN");
        assert_eq!(cell("src/a.py"), "src/a.py");
    }
}
