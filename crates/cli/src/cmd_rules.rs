//! `leaktrap rules list|check`.

use crate::{discover, exit, CommonArgs};
use anyhow::{Context, Result};
use leaktrap_engine::check_rules;
use leaktrap_rules::parse_rule_file;
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn list(common: &CommonArgs, json: bool) -> Result<u8> {
    let (_, set) = discover::load_rules(common, Path::new("."))?;
    let mut out = std::io::stdout().lock();
    if json {
        let metas: Vec<_> = set
            .rules
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.meta.id,
                    "name": r.meta.name,
                    "description": r.meta.description,
                    "severity": r.meta.severity,
                    "confidence": r.meta.confidence,
                    "tags": r.meta.tags,
                    "keywords": r.def.keywords,
                    "origin": r.origin,
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &metas)?;
        writeln!(out)?;
    } else {
        let w = set.rules.iter().map(|r| r.meta.id.len()).max().unwrap_or(0);
        for r in &set.rules {
            writeln!(
                out,
                "{:<w$}  {:<8}  {:<6}  {}",
                r.meta.id, r.meta.severity, r.meta.confidence, r.meta.name
            )?;
        }
        writeln!(out, "{} rules", set.rules.len())?;
    }
    Ok(exit::CLEAN)
}

pub fn check(files: &[PathBuf], strict: bool) -> Result<u8> {
    let mut failed = 0usize;
    let mut total_rules = 0usize;
    let mut err = std::io::stderr().lock();
    for path in files {
        let origin = path.display().to_string();
        let text =
            std::fs::read_to_string(path).with_context(|| format!("cannot read {origin}"))?;
        let rules = match parse_rule_file(&origin, &text) {
            Ok(r) => r,
            Err(e) => {
                writeln!(err, "leaktrap: {e}")?;
                failed += 1;
                continue;
            }
        };
        total_rules += rules.len();
        match check_rules(&rules, strict) {
            Ok(failures) => {
                for f in &failures {
                    writeln!(err, "leaktrap: {f}")?;
                }
                failed += failures.len();
            }
            Err(e) => {
                writeln!(err, "leaktrap: {e}")?;
                failed += 1;
            }
        }
    }
    if failed == 0 {
        writeln!(
            err,
            "leaktrap: {total_rules} rules in {} file(s): all examples pass",
            files.len()
        )?;
        Ok(exit::CLEAN)
    } else {
        writeln!(err, "leaktrap: {failed} problem(s) in {total_rules} rules")?;
        Ok(1)
    }
}
