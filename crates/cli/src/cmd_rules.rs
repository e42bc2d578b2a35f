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

/// Checks rule files as one set (as the built-in rules are checked), so
/// examples also prove that no other rule in the set takes them over.
pub fn check(files: &[PathBuf], strict: bool) -> Result<u8> {
    let mut problems = 0usize;
    let mut rules = Vec::new();
    let mut err = std::io::stderr().lock();
    for path in files {
        let origin = path.display().to_string();
        let text =
            std::fs::read_to_string(path).with_context(|| format!("cannot read {origin}"))?;
        match parse_rule_file(&origin, &text) {
            Ok(r) => rules.extend(r),
            Err(e) => {
                writeln!(err, "leaktrap: {e}")?;
                problems += 1;
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for r in &rules {
        if !seen.insert(r.def.id.as_str()) {
            writeln!(
                err,
                "leaktrap: {}: rule {}: defined more than once",
                r.origin, r.def.id
            )?;
            problems += 1;
        }
    }
    match check_rules(&rules, strict) {
        Ok(failures) => {
            for f in &failures {
                writeln!(err, "leaktrap: {f}")?;
            }
            problems += failures.len();
        }
        Err(e) => {
            writeln!(err, "leaktrap: {e}")?;
            problems += 1;
        }
    }
    if problems == 0 {
        writeln!(
            err,
            "leaktrap: {} rules in {} file(s): all examples pass",
            rules.len(),
            files.len()
        )?;
        Ok(exit::CLEAN)
    } else {
        writeln!(
            err,
            "leaktrap: {problems} problem(s) in {} rules",
            rules.len()
        )?;
        Ok(1)
    }
}
