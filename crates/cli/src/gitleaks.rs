//! Gitleaks' suppressions, so that a repository keeps them after a switch:
//! `.gitleaksignore` (Gitleaks fingerprints) and `--baseline-path` (a
//! Gitleaks JSON report whose findings are known). docs/migrating.md.
//!
//! A fingerprint names a rule by id. leaktrap's built-in ids differ from
//! Gitleaks' (`github.pat-classic`, not `github-pat`), so an entry matches
//! a finding whose rule id is exactly the entry's: leaktrap's id, or, with
//! a Gitleaks config loaded, the Gitleaks id its rules keep. An entry that
//! names another scanner's id matches nothing: the finding is reported
//! (fail closed), and its fingerprint in leaktrap's report is the one to
//! write instead.

use anyhow::{bail, Result};
use leaktrap_core::{Finding, Redaction, SuppressionKind};
use leaktrap_report::Artifacts;
use leaktrap_scan::Outcome;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The ignore file's name.
pub const IGNORE_NAME: &str = ".gitleaksignore";

/// One `.gitleaksignore` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreEntry {
    /// Set for `commit:file:rule:line` (history findings of that commit).
    commit: Option<String>,
    file: String,
    rule: String,
    line: u64,
}

/// Paths as Gitleaks writes them: `/`-separated, without a leading `./`.
fn normal(path: &str) -> String {
    let p = path.replace('\\', "/");
    let mut s = p.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}

/// Parses an ignore file's text. Lines that are not 3 or 4 `:`-separated
/// parts ending in a line number are warnings `(line, message)`, as
/// Gitleaks warns and goes on.
pub fn parse_ignore(text: &str) -> (Vec<IgnoreEntry>, Vec<(usize, String)>) {
    let mut entries = Vec::new();
    let mut warnings = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.split(':').collect();
        let (commit, file, rule, num) = match parts.as_slice() {
            [f, r, n] => (None, *f, *r, *n),
            [c, f, r, n] => (Some((*c).to_string()), *f, *r, *n),
            _ => {
                warnings.push((
                    i + 1,
                    format!(
                        "not a Gitleaks fingerprint ({} `:`-separated parts): write \
                         `file:rule:line` or `commit:file:rule:line`; line ignored",
                        parts.len()
                    ),
                ));
                continue;
            }
        };
        let Ok(n) = num.trim().parse::<u64>() else {
            warnings.push((
                i + 1,
                "the last part is not a line number: write `file:rule:line` or \
                 `commit:file:rule:line`; line ignored"
                    .to_string(),
            ));
            continue;
        };
        entries.push(IgnoreEntry {
            commit,
            file: normal(file.trim()),
            rule: rule.trim().to_string(),
            line: n,
        });
    }
    (entries, warnings)
}

/// The ignore files in force: `.gitleaksignore` at the repository root
/// (or the directory that anchors the scan), and `--gitleaks-ignore-path`
/// (a file, or a directory holding `.gitleaksignore`).
///
/// # Errors
/// `--gitleaks-ignore-path` names nothing, or a file cannot be read.
pub fn load_ignore(
    root: &Path,
    explicit: Option<&Path>,
    outcome: &mut Outcome,
) -> Result<Vec<IgnoreEntry>> {
    let mut files: Vec<PathBuf> = Vec::new();
    let at_root = root.join(IGNORE_NAME);
    if at_root.is_file() {
        files.push(at_root);
    }
    if let Some(p) = explicit {
        let file = if p.is_dir() {
            p.join(IGNORE_NAME)
        } else {
            p.to_path_buf()
        };
        if p.is_dir() && !file.is_file() {
            // Gitleaks' default `-i .` may well hold none.
        } else if !file.is_file() {
            bail!(
                "--gitleaks-ignore-path {}: no such file; give a `.gitleaksignore` file \
                 or a directory holding one",
                p.display()
            );
        } else {
            let same = |a: &Path, b: &Path| {
                std::fs::canonicalize(a)
                    .ok()
                    .is_some_and(|x| std::fs::canonicalize(b).ok() == Some(x))
            };
            if !files.iter().any(|f| same(f, &file)) {
                files.push(file);
            }
        }
    }
    let mut all = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", f.display()))?;
        let (entries, warnings) = parse_ignore(&text);
        for (line, message) in warnings {
            outcome
                .stats
                .warn(format!("{}:{line}", f.display()), message);
        }
        all.extend(entries);
    }
    Ok(all)
}

/// The paths a finding answers to: as reported (repository-relative) and
/// as named on the command line.
fn paths(f: &Finding, artifacts: &dyn Artifacts) -> (String, String) {
    (normal(&artifacts.repo_path(f)), normal(&f.path))
}

fn commit_of(f: &Finding) -> Option<&str> {
    f.origin.as_deref().map(|o| o.commit.as_str())
}

impl IgnoreEntry {
    fn matches(&self, f: &Finding, paths: &(String, String)) -> bool {
        self.rule == f.rule.id
            && self.line == f.location.start_line
            && (self.file == paths.0 || self.file == paths.1)
            && match &self.commit {
                None => true,
                Some(c) => commit_of(f).is_some_and(|fc| fc.eq_ignore_ascii_case(c)),
            }
    }
}

/// Removes the findings `.gitleaksignore` entries name, counting them.
pub fn apply_ignore(entries: &[IgnoreEntry], outcome: &mut Outcome, artifacts: &dyn Artifacts) {
    if entries.is_empty() {
        return;
    }
    let mut n = 0;
    outcome.findings.retain(|f| {
        let p = paths(f, artifacts);
        let hit = entries.iter().any(|e| e.matches(f, &p));
        n += u64::from(hit);
        !hit
    });
    for _ in 0..n {
        outcome.stats.suppress(SuppressionKind::Gitleaksignore);
    }
}

/// A finding of a Gitleaks JSON report, as a baseline (the fields leaktrap
/// compares; the others are accepted and not used).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BaselineFinding {
    #[serde(rename = "RuleID")]
    rule_id: String,
    file: String,
    start_line: u64,
    #[serde(default)]
    end_line: Option<u64>,
    #[serde(default)]
    commit: String,
    #[serde(default)]
    secret: String,
}

/// Reads a Gitleaks JSON report to use as a baseline.
///
/// # Errors
/// It cannot be read, or it is not a Gitleaks JSON report (named with line
/// and column).
pub fn load_baseline(file: &Path) -> Result<Vec<BaselineFinding>> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        anyhow::anyhow!("cannot read the Gitleaks baseline {}: {e}", file.display())
    })?;
    serde_json::from_str(&text).map_err(|e| {
        let mut msg = e.to_string();
        if let Some(i) = msg.rfind(" at line ") {
            msg.truncate(i);
        }
        anyhow::anyhow!(
            "{}:{}:{}: not a Gitleaks JSON report (an array of findings with RuleID, \
             File, StartLine…): {msg}; give a report written by `gitleaks … -f json` or \
             `leaktrap … -f json`",
            file.display(),
            e.line(),
            e.column()
        )
    })
}

impl BaselineFinding {
    /// Gitleaks compares every field but `Fingerprint`, `Tags`, `Link` and
    /// `SymlinkFile`. leaktrap compares those that identify the same secret
    /// at the same place: rule, file, lines, commit, and the secret unless
    /// the report shows it redacted (Gitleaks skips `Secret` under
    /// `--redact` too). Description, columns, `Match`, `Entropy` and the
    /// commit's metadata depend on the scanner that wrote the report, or
    /// follow from the commit.
    fn matches(&self, f: &Finding, paths: &(String, String)) -> bool {
        let file = normal(&self.file);
        self.rule_id == f.rule.id
            && self.start_line == f.location.start_line
            && self.end_line.is_none_or(|l| l == f.location.end_line)
            && (file == paths.0 || file == paths.1)
            && self
                .commit
                .eq_ignore_ascii_case(commit_of(f).unwrap_or_default())
            && self.secret_matches(f)
    }

    fn secret_matches(&self, f: &Finding) -> bool {
        let s = self.secret.as_str();
        // Compared, never shown.
        let raw = String::from_utf8_lossy(f.secret.expose());
        s == raw
            || s == "REDACTED"
            || s == f.secret.render(Redaction::Mask)
            || s.strip_suffix("...")
                .is_some_and(|prefix| raw.starts_with(prefix) && prefix.len() < raw.len())
    }
}

/// Removes the findings a Gitleaks baseline knows, counting them.
pub fn apply_baseline(
    baseline: &[BaselineFinding],
    outcome: &mut Outcome,
    artifacts: &dyn Artifacts,
) {
    if baseline.is_empty() {
        return;
    }
    let mut n = 0;
    outcome.findings.retain(|f| {
        let p = paths(f, artifacts);
        let hit = baseline.iter().any(|b| b.matches(f, &p));
        n += u64::from(hit);
        !hit
    });
    for _ in 0..n {
        outcome.stats.suppress(SuppressionKind::GitleaksBaseline);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_lines_parse_like_gitleaks() {
        let text = "# comment\n\n  src/a.env:github.pat-classic:3  \n\
                    0123abcd:.\\conf\\b.py:aws.access-key-id:10\nbroken line\na:b:x\n";
        let (e, w) = parse_ignore(text);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].file, "src/a.env");
        assert_eq!(e[0].commit, None);
        assert_eq!(e[1].commit.as_deref(), Some("0123abcd"));
        assert_eq!(e[1].file, "conf/b.py");
        assert_eq!(e[1].line, 10);
        let lines: Vec<usize> = w.iter().map(|x| x.0).collect();
        assert_eq!(lines, vec![5, 6]);
    }
}
