//! Gitleaks' suppressions, so that a repository keeps them after a switch:
//! `.gitleaksignore` (Gitleaks fingerprints) and `--baseline-path` (a
//! Gitleaks JSON report whose findings are known). docs/migrating.md.
//!
//! A fingerprint names a rule by id. An entry matches a finding whose rule
//! id is the entry's (leaktrap's id, or, with a Gitleaks config loaded, the
//! Gitleaks id its rules keep), or, for a finding of one of leaktrap's
//! built-in rules, an entry naming the Gitleaks default rule that covers
//! the same format (`github-pat` for `github.pat-classic`; the table is
//! [`leaktrap_rules::gitleaks_ids`]). An entry naming an id that matches no
//! rule in force is a warning, and suppresses nothing (fail closed).

use anyhow::{bail, Result};
use leaktrap_core::{Finding, Redaction, SuppressionKind};
use leaktrap_report::Artifacts;
use leaktrap_scan::Outcome;
use serde::Deserialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The rules in force, for judging the rule ids suppressions name.
#[derive(Debug, Default)]
struct InForce {
    /// Every rule id in force.
    ids: HashSet<String>,
    /// The ids of leaktrap's built-in rules among them.
    builtin: HashSet<String>,
}

static IN_FORCE: Mutex<Option<InForce>> = Mutex::new(None);
static CONFIG_FILE: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Records the rules in force (the command line's rule set).
pub fn note_rules(set: &leaktrap_rules::RuleSet) {
    let mut f = InForce::default();
    for r in &set.rules {
        f.ids.insert(r.def.id.clone());
        if r.builtin {
            f.builtin.insert(r.def.id.clone());
        }
    }
    *IN_FORCE.lock().unwrap_or_else(|e| e.into_inner()) = Some(f);
}

/// Records the Gitleaks config file in force, which scans of directories
/// skip as Gitleaks does.
pub fn note_config_file(path: &Path) {
    *CONFIG_FILE.lock().unwrap_or_else(|e| e.into_inner()) = Some(path.to_path_buf());
}

/// The files Gitleaks does not scan: the Gitleaks config file in force and
/// the `--baseline-path` report.
pub fn own_files(baseline_path: Option<&Path>) -> Vec<PathBuf> {
    let config = CONFIG_FILE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    config
        .into_iter()
        .chain(baseline_path.map(Path::to_path_buf))
        .collect()
}

/// Whether a suppression naming `entry_rule` applies to a finding of
/// `finding_rule`: the same id, or a Gitleaks default id that covers the
/// format of the built-in rule that found it.
fn rule_matches(entry_rule: &str, finding_rule: &str) -> bool {
    if entry_rule == finding_rule {
        return true;
    }
    let guard = IN_FORCE.lock().unwrap_or_else(|e| e.into_inner());
    let builtin = guard
        .as_ref()
        .is_none_or(|f| f.builtin.contains(finding_rule));
    builtin && leaktrap_rules::gitleaks_ids::covers(entry_rule, finding_rule)
}

/// Why a suppression naming `rule` can match nothing, if it cannot.
fn unmatched_rule(rule: &str) -> Option<String> {
    use leaktrap_rules::gitleaks_ids::{lookup, Target};
    let guard = IN_FORCE.lock().unwrap_or_else(|e| e.into_inner());
    let f = guard.as_ref()?;
    if f.ids.contains(rule) {
        return None;
    }
    match lookup(rule) {
        Some(Target::None) => Some(format!(
            "`{rule}` is a Gitleaks default rule that no leaktrap rule corresponds to: \
             the entry suppresses nothing"
        )),
        Some(t) if f.builtin.is_empty() => Some(format!(
            "`{rule}` is a Gitleaks default rule id, and neither it nor leaktrap's \
             built-in rules ({}) are in force: the entry suppresses nothing",
            t.ids().join(", ")
        )),
        Some(t) if t.ids().iter().any(|id| f.builtin.contains(*id)) => None,
        Some(_) => Some(format!(
            "the leaktrap rules that Gitleaks' `{rule}` maps to are disabled: the entry \
             suppresses nothing"
        )),
        None => Some(format!(
            "`{rule}` is neither a rule in force nor a Gitleaks default rule id: the \
             entry suppresses nothing (`leaktrap rules list` shows leaktrap's ids)"
        )),
    }
}

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
    /// Where it is in its file (for warnings).
    source_line: usize,
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
            source_line: i + 1,
        });
    }
    (entries, warnings)
}

/// The ignore files in force, as Gitleaks reads them plus leaktrap's
/// repository root: `.gitleaksignore` at the repository root (or the
/// directory that anchors the scan), in each scan target (a directory
/// scanned, the repository named), and `--gitleaks-ignore-path` (a file, or
/// a directory holding `.gitleaksignore`), which defaults to the current
/// directory as Gitleaks' `-i .` does. Each file is read once.
///
/// # Errors
/// An explicit `--gitleaks-ignore-path` names nothing, or a file cannot be
/// read.
pub fn load_ignore(
    root: &Path,
    targets: &[PathBuf],
    explicit: Option<&Path>,
    outcome: &mut Outcome,
) -> Result<Vec<IgnoreEntry>> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut add = |file: PathBuf| {
        let key = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
        if seen.insert(key) {
            files.push(file);
        }
    };
    for dir in std::iter::once(root).chain(targets.iter().map(PathBuf::as_path)) {
        let f = dir.join(IGNORE_NAME);
        if f.is_file() {
            add(f);
        }
    }
    match explicit {
        Some(p) if p.is_dir() => {
            // A directory may well hold none, as Gitleaks' default `-i .`.
            let f = p.join(IGNORE_NAME);
            if f.is_file() {
                add(f);
            }
        }
        Some(p) if p.is_file() => add(p.to_path_buf()),
        Some(p) => bail!(
            "--gitleaks-ignore-path {}: no such file; give a `.gitleaksignore` file \
             or a directory holding one",
            p.display()
        ),
        None => {
            let f = Path::new(".").join(IGNORE_NAME);
            if f.is_file() {
                add(f);
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
        for e in &entries {
            if let Some(message) = unmatched_rule(&e.rule) {
                outcome
                    .stats
                    .warn(format!("{}:{}", f.display(), e.source_line), message);
            }
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

/// Every commit that introduced the finding's content at its path: the one
/// reported, and those it is `also_in` (a cherry-pick, say).
fn commits_of(f: &Finding) -> impl Iterator<Item = &str> {
    f.origin
        .as_deref()
        .into_iter()
        .flat_map(|o| std::iter::once(&o.commit).chain(&o.also_in))
        .map(String::as_str)
}

impl IgnoreEntry {
    fn matches(&self, f: &Finding, paths: &(String, String)) -> bool {
        self.line == f.location.start_line
            && (self.file == paths.0 || self.file == paths.1)
            && match &self.commit {
                None => true,
                Some(c) => commits_of(f).any(|fc| fc.eq_ignore_ascii_case(c)),
            }
            && rule_matches(&self.rule, &f.rule.id)
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
    parse_baseline(file, &text)
}

/// Warns, once per id, about the rule ids of a Gitleaks baseline that match
/// no rule in force.
pub fn warn_baseline_ids(file: &Path, baseline: &[BaselineFinding], outcome: &mut Outcome) {
    let mut seen = HashSet::new();
    for b in baseline {
        if seen.insert(b.rule_id.as_str()) {
            if let Some(message) = unmatched_rule(&b.rule_id) {
                outcome.stats.warn(file.display().to_string(), message);
            }
        }
    }
}

fn parse_baseline(file: &Path, text: &str) -> Result<Vec<BaselineFinding>> {
    serde_json::from_str(text).map_err(|e| {
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
        self.start_line == f.location.start_line
            && self.end_line.is_none_or(|l| l == f.location.end_line)
            && (file == paths.0 || file == paths.1)
            && if f.origin.is_some() {
                commits_of(f).any(|c| c.eq_ignore_ascii_case(&self.commit))
            } else {
                self.commit.is_empty()
            }
            && self.secret_matches(f)
            && rule_matches(&self.rule_id, &f.rule.id)
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
