//! JSON Lines: one finding per line, written as it goes, then one summary line.

use crate::json::{finding, JsonFinding, Tool, JSON_SCHEMA_VERSION};
use crate::{Report, Reporter};
use leaktrap_core::ScanStats;
use serde::Serialize;
use std::io::{self, Write};

/// `{"type":"finding",…}` per finding (the fields of a JSON v1 finding), then
/// always a last line `{"type":"summary",…}`: a report without it was cut off.
#[derive(Debug, Default, Clone, Copy)]
pub struct Jsonl;

#[derive(Serialize)]
struct Line<'a> {
    r#type: &'static str,
    #[serde(flatten)]
    finding: JsonFinding<'a>,
}

#[derive(Serialize)]
struct Summary<'a> {
    r#type: &'static str,
    schema: &'static str,
    schema_version: u32,
    tool: Tool<'a>,
    verdict: &'static str,
    findings: usize,
    stats: &'a ScanStats,
}

impl Reporter for Jsonl {
    fn write(&self, report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
        for f in report.findings {
            let line = Line {
                r#type: "finding",
                finding: finding(f, report.redaction, report.fingerprinter),
            };
            serde_json::to_writer(&mut *out, &line)?;
            out.write_all(b"\n")?;
        }
        let summary = Summary {
            r#type: "summary",
            schema: "leaktrap.report.jsonl",
            schema_version: JSON_SCHEMA_VERSION,
            tool: Tool {
                name: "leaktrap",
                version: report.tool_version,
            },
            verdict: report.verdict().as_str(),
            findings: report.findings.len(),
            stats: report.stats,
        };
        serde_json::to_writer(&mut *out, &summary)?;
        out.write_all(b"\n")
    }
}
