//! `leaktrap trace --from-report FILE --finding ID`: the secrets of findings
//! in a leaktrap JSON report. A report never holds a secret, so each one is
//! recovered by scanning again what the finding points at (the blob, commit
//! or file) and keeping the match whose rule and fingerprint are the
//! report's: the secret stays in memory and never reaches argv.

use crate::CommonArgs;
use anyhow::{bail, Context, Result};
use git2::Oid;
use leaktrap_scan::Worker;
use leaktrap_sources::{read_objects, Git};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The secrets of the chosen findings, in the order asked, without repeats.
///
/// `ids`: `all`, a 1-based position in the report's `findings`, or a
/// fingerprint (whole, or a unique prefix of at least 12 characters, with or
/// without its `sha256:`/`hmac-sha256:` kind).
///
/// # Errors
/// The report cannot be read or is not a leaktrap JSON report; an id names
/// no finding or several; the content a finding points at is gone or no
/// longer holds a secret with its fingerprint.
pub fn secrets_from_report(git: &Git, report: &Path, ids: &[String]) -> Result<Vec<Vec<u8>>> {
    let text = std::fs::read_to_string(report)
        .with_context(|| format!("cannot read the report {}", report.display()))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{} is not a leaktrap JSON report ({e}); write one with `--format json -r FILE`",
            report.display()
        )
    })?;
    let Some(findings) = doc["findings"].as_array() else {
        bail!(
            "{} is not a leaktrap JSON report: it has no \"findings\" list; write one with \
             `--format json -r FILE`",
            report.display()
        );
    };
    let mut chosen: Vec<usize> = Vec::new();
    for id in ids {
        for i in pick(findings, id, report)? {
            if !chosen.contains(&i) {
                chosen.push(i);
            }
        }
    }
    if chosen.is_empty() {
        bail!("{} has no findings to trace", report.display());
    }
    let config = CommonArgs {
        config: std::env::var_os("LEAKTRAP_CONFIG").map(PathBuf::from),
        max_decode_depth: leaktrap_engine::Engine::DEFAULT_DECODE_DEPTH,
    };
    let (_config, set) = crate::discover::load_rules(&config, git.root())?;
    let engine = crate::discover::engine(&config, &set)?;
    let fp = crate::baseline::fingerprinter();
    let mut secrets: Vec<Vec<u8>> = Vec::new();
    for i in chosen {
        let f = &findings[i];
        let want_rule = f["rule_id"].as_str();
        let want_fp = f["fingerprint"].as_str();
        let (Some(rule), Some(fingerprint)) = (want_rule, want_fp) else {
            bail!(
                "finding {} of {} has no rule id or fingerprint (a report from an older leaktrap?)",
                i + 1,
                report.display()
            );
        };
        let path = f["path"].as_str().unwrap_or_default();
        let content = content_of(git, f, path)
            .with_context(|| format!("finding {} ({rule} in {path})", i + 1))?;
        let mut w = Worker::new(&engine, None);
        w.scan_bytes(path, Some(path), &content);
        let found =
            w.finish().findings.into_iter().find(|x| {
                x.rule.id == rule && fp.fingerprint(&x.rule.id, &x.secret) == fingerprint
            });
        let Some(found) = found else {
            bail!(
                "finding {} ({rule} in {path}): that content no longer holds a {rule} secret \
                 with fingerprint {fingerprint}{}",
                i + 1,
                if fingerprint.starts_with("hmac-sha256:") {
                    " (the report used keyed fingerprints: set the same LEAKTRAP_FINGERPRINT_KEY)"
                } else {
                    ""
                }
            );
        };
        // A secret found by decoding is not in the history as such: its
        // encoded text is, and that is what must be traced and purged.
        let s = if found.decoded.is_empty() {
            found.secret.expose().to_vec()
        } else {
            let l = found.location;
            content[l.byte_start as usize..l.byte_end as usize].to_vec()
        };
        if !secrets.contains(&s) {
            secrets.push(s);
        }
    }
    Ok(secrets)
}

/// The findings an id names.
fn pick(findings: &[Value], id: &str, report: &Path) -> Result<Vec<usize>> {
    if id == "all" {
        return Ok((0..findings.len()).collect());
    }
    if let Ok(n) = id.parse::<usize>() {
        if n == 0 || n > findings.len() {
            bail!(
                "--finding {n}: {} has {} finding(s), numbered from 1",
                report.display(),
                findings.len()
            );
        }
        return Ok(vec![n - 1]);
    }
    let bare = |s: &str| s.rsplit(':').next().unwrap_or(s).to_ascii_lowercase();
    let want = bare(id);
    if want.len() < 12 || !want.bytes().all(|b| b.is_ascii_hexdigit()) {
        bail!(
            "--finding {id:?}: give `all`, a finding's number (from 1) or its fingerprint \
             (at least 12 hex digits)"
        );
    }
    let hits: Vec<usize> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            f["fingerprint"]
                .as_str()
                .is_some_and(|fp| bare(fp).starts_with(&want))
        })
        .map(|(i, _)| i)
        .collect();
    if hits.is_empty() {
        bail!(
            "--finding {id}: no finding of {} has that fingerprint",
            report.display()
        );
    }
    // Several findings may share a fingerprint (the same secret in several
    // places): they are one secret.
    Ok(hits)
}

/// The bytes a finding was found in: its blob, its commit or tag object
/// (for a message), or the file on disk.
fn content_of(git: &Git, f: &Value, path: &str) -> Result<Vec<u8>> {
    let origin = &f["origin"];
    if origin.is_object() {
        let id = match origin["kind"].as_str() {
            Some("file") => origin["blob"].as_str(),
            _ => origin["commit"].as_str(),
        };
        let Some(oid) = id.and_then(|s| Oid::from_str(s).ok()) else {
            bail!("the finding names no object to read");
        };
        let mut objects = read_objects(git, &[oid])?;
        return match objects.remove(&oid).flatten() {
            Some(c) => Ok(c),
            None => bail!("object {oid} is not in this repository"),
        };
    }
    let candidates = [PathBuf::from(path), git.root().join(path)];
    for c in &candidates {
        if c.is_file() {
            return std::fs::read(c).with_context(|| format!("cannot read {}", c.display()));
        }
    }
    bail!(
        "{path} is not there any more (looked in the current directory and under {})",
        git.root().display()
    )
}
