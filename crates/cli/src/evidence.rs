//! `--evidence FILE`: gathers what the record needs while the run goes
//! (config files read, rules in force, the target, options), and writes it
//! at the end; `leaktrap evidence verify FILE` checks one later.
//!
//! Gathering costs nothing unless the run asked for a record: every `note_*`
//! returns at once when [`want`] was not called.

use crate::{CommonArgs, Format};
use anyhow::{bail, Context, Result};
use leaktrap_core::{Finding, ScanStats, Verdict};
use leaktrap_report::evidence::{
    sha256_hex, sha256_reader, BaselineEntry, BaselineUse, ConfigSource, ConfigUsed, Counts,
    Evidence, FindingCounts, InputFile, RefTip, ReportFile, Repository, RulesUsed, Skipped,
    Suppressions, Target, Tool, EVIDENCE_SCHEMA, EVIDENCE_SCHEMA_VERSION,
};
use leaktrap_rules::{Config, RuleSet};
use leaktrap_sources::Git;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::SystemTime;

static WANTED: AtomicBool = AtomicBool::new(false);
static RECORD: Mutex<Option<Record>> = Mutex::new(None);

/// What the run noted so far.
struct Record {
    started: SystemTime,
    mode: &'static str,
    options: BTreeMap<String, Value>,
    config: Vec<ConfigSource>,
    config_sha256: Option<String>,
    rules: Option<RulesUsed>,
    target: Target,
    inputs: Vec<InputFile>,
    baseline: Option<BaselineUse>,
}

/// Starts a record: the run was asked for one.
pub fn want(mode: &'static str) {
    WANTED.store(true, Ordering::Relaxed);
    *lock() = Some(Record {
        started: SystemTime::now(),
        mode,
        options: BTreeMap::new(),
        config: Vec::new(),
        config_sha256: None,
        rules: None,
        target: Target::default(),
        inputs: Vec::new(),
        baseline: None,
    });
}

fn wanted() -> bool {
    WANTED.load(Ordering::Relaxed)
}

fn lock() -> std::sync::MutexGuard<'static, Option<Record>> {
    RECORD.lock().unwrap_or_else(|e| e.into_inner())
}

fn with(f: impl FnOnce(&mut Record)) {
    if wanted() {
        if let Some(r) = lock().as_mut() {
            f(r);
        }
    }
}

/// An option that decides what was scanned or reported.
pub fn note_option(key: &str, value: impl Into<Value>) {
    if wanted() {
        let value = value.into();
        with(|r| {
            r.options.insert(key.to_string(), value);
        });
    }
}

/// A config file read, how it was found, and its bytes.
pub fn note_config(path: &Path, found_by: &str, bytes: &[u8]) {
    with(|r| {
        r.config.push(ConfigSource {
            path: absolute(path),
            repository_path: None,
            found_by: found_by.to_string(),
            sha256: sha256_hex(bytes),
        });
    });
}

/// The digest of a config as parsed (what decides behaviour, not comments).
pub fn config_digest(config: &Config) -> String {
    sha256_hex(&serde_json::to_vec(&config.file).unwrap_or_default())
}

/// The digest of a rule set (`RuleSet::digest_input`).
pub fn rules_digest(set: &RuleSet) -> String {
    sha256_hex(&set.digest_input())
}

/// The config and the rule set in force.
pub fn note_rules(config: &Config, set: &RuleSet) {
    if !wanted() {
        return;
    }
    let builtin = set.rules.iter().filter(|r| r.builtin).count();
    let rules = RulesUsed {
        count: set.rules.len(),
        builtin,
        custom: set.rules.len() - builtin,
        sha256: rules_digest(set),
    };
    let config_sha = config_digest(config);
    with(|r| {
        r.rules = Some(rules);
        r.config_sha256 = Some(config_sha);
    });
}

/// A file that decided the outcome (`baseline`, `ignore-file`).
pub fn note_input(kind: &str, path: &Path) {
    if !wanted() {
        return;
    }
    let Ok(bytes) = std::fs::read(path) else {
        return;
    };
    with(|r| {
        r.inputs.push(InputFile {
            kind: kind.to_string(),
            path: absolute(path),
            repository_path: None,
            sha256: sha256_hex(&bytes),
        });
    });
}

/// The paths `scan` was given.
pub fn note_paths(paths: &[PathBuf]) {
    with(|r| {
        r.target.paths = paths.iter().map(|p| p.display().to_string()).collect();
    });
}

/// The repository scanned: HEAD, and with `refs`, the tip of every ref
/// (a whole-history scan); `revisions` as the history was walked.
pub fn note_repository(git: &Git, revisions: &[String], refs: bool) {
    if !wanted() {
        return;
    }
    let repo = repository(git, revisions, refs);
    let ignore = git.root().join(".leaktrapignore");
    if ignore.is_file() {
        note_input("ignore-file", &ignore);
    }
    with(|r| r.target.repository = Some(repo));
}

/// The repository holding `path`, if any (for `scan` and `staged`).
pub fn note_repository_at(path: &Path) {
    if !wanted() {
        return;
    }
    let dir = if path.is_dir() {
        path
    } else {
        path.parent().unwrap_or(Path::new("."))
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    if let Some(root) = crate::discover::repo_root(dir) {
        if let Ok(git) = Git::discover(&root) {
            note_repository(&git, &[], false);
            return;
        }
    }
    let ignore = crate::discover::base_dir(path).join(".leaktrapignore");
    if ignore.is_file() {
        note_input("ignore-file", &ignore);
    }
}

fn repository(git: &Git, revisions: &[String], with_refs: bool) -> Repository {
    let out = |args: &[&str]| -> Option<String> {
        let o = git
            .command()
            .args(args)
            .stderr(std::process::Stdio::null())
            .output()
            .ok()?;
        let s = String::from_utf8_lossy(&o.stdout).trim().to_string();
        (o.status.success() && !s.is_empty()).then_some(s)
    };
    let refs = if with_refs {
        git.refs()
            .map(|rs| {
                rs.into_iter()
                    .map(|r| RefTip {
                        name: r.name,
                        oid: r.oid.to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    Repository {
        root: absolute(git.root()),
        head: out(&["rev-parse", "--verify", "-q", "HEAD^{commit}"]),
        head_ref: out(&["symbolic-ref", "-q", "HEAD"]),
        shallow: git.is_shallow().unwrap_or(false),
        partial: git.is_partial().unwrap_or(false),
        revisions: revisions.to_vec(),
        refs,
    }
}

/// What a baseline did (entries that matched, stale and expired ones).
pub fn note_baseline(use_: BaselineUse) {
    with(|r| r.baseline = Some(use_));
}

/// A baseline entry as the record shows it.
pub fn baseline_entry(e: &crate::baseline::Entry, findings: Option<u64>) -> BaselineEntry {
    BaselineEntry {
        fingerprint: e.fingerprint.clone(),
        rule: e.rule.clone(),
        path: e.path.clone(),
        reason: e.reason.clone(),
        owner: e.owner.clone(),
        expires: e.expires.clone(),
        findings,
    }
}

fn absolute(p: &Path) -> String {
    std::path::absolute(p)
        .unwrap_or_else(|_| p.to_path_buf())
        .display()
        .to_string()
}

/// UTC, RFC 3339, to the second.
fn utc(t: SystemTime) -> String {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    leaktrap_sources::rfc3339_utc(i64::try_from(secs).unwrap_or(0))
}

/// The name a format has in `--format`.
pub fn format_name(f: Format) -> String {
    use clap::ValueEnum;
    f.to_possible_value()
        .map_or_else(String::new, |v| v.get_name().to_string())
}

/// Writes the record to `file` (atomically), once the reports are written.
///
/// # Errors
/// A report file could not be read back for its digest, or the record could
/// not be written.
pub fn write(
    file: &Path,
    findings: &[Finding],
    stats: &ScanStats,
    verdict: Verdict,
    exit_code: u8,
    reports: &[(PathBuf, Format)],
) -> Result<()> {
    let Some(mut record) = lock().take() else {
        bail!("internal error: no evidence was gathered for this run");
    };
    if let Some(root) = record
        .target
        .repository
        .as_ref()
        .map(|r| PathBuf::from(&r.root))
    {
        let inside = |p: &str| {
            Path::new(p)
                .strip_prefix(&root)
                .ok()
                .map(|r| r.to_string_lossy().replace('\\', "/"))
        };
        for s in &mut record.config {
            s.repository_path = inside(&s.path);
        }
        for i in &mut record.inputs {
            i.repository_path = inside(&i.path);
        }
    }
    let evidence_dir = std::path::absolute(file)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    let mut report_files = Vec::new();
    for (path, format) in reports {
        let f = std::fs::File::open(path)
            .with_context(|| format!("cannot read back the report {}", path.display()))?;
        let bytes = f.metadata().map(|m| m.len()).unwrap_or(0);
        let sha256 = sha256_reader(f)
            .with_context(|| format!("cannot read back the report {}", path.display()))?;
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.clone());
        let shown = abs
            .strip_prefix(&evidence_dir)
            .map_or_else(|_| abs.display().to_string(), |r| r.display().to_string());
        report_files.push(ReportFile {
            path: shown,
            format: format_name(*format),
            bytes,
            sha256,
        });
    }
    let mut counts = BTreeMap::new();
    for (k, v) in &stats.suppressed {
        counts.insert(k.as_str().to_string(), *v);
    }
    let history = matches!(record.mode, "git" | "push");
    let binary_sha256 = std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::File::open(p).ok())
        .and_then(|f| sha256_reader(f).ok());
    let evidence = Evidence {
        schema: EVIDENCE_SCHEMA,
        schema_version: EVIDENCE_SCHEMA_VERSION,
        tool: Tool {
            name: "leaktrap",
            version: env!("CARGO_PKG_VERSION").to_string(),
            binary_sha256,
        },
        mode: record.mode.to_string(),
        command_line: std::env::args_os()
            .skip(1)
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        options: record.options,
        target: record.target,
        rules: record.rules.unwrap_or(RulesUsed {
            count: 0,
            builtin: 0,
            custom: 0,
            sha256: String::new(),
        }),
        config: ConfigUsed {
            sources: record.config,
            sha256: record.config_sha256.unwrap_or_default(),
        },
        inputs: record.inputs,
        started_at: utc(record.started),
        finished_at: utc(SystemTime::now()),
        counts: Counts::of(stats, history),
        skipped: Skipped::of(stats),
        errors: stats.errors.clone(),
        warnings: stats.warnings.clone(),
        suppressions: Suppressions {
            counts,
            baseline: record.baseline,
        },
        findings: FindingCounts::of(findings),
        verdict,
        exit_code,
        reports: report_files,
    };
    crate::output::write_atomically(file, "the evidence record", |out| evidence.write(out))
}

/// Checks an evidence record: do the reports it names still have their
/// digests, and do the config files and the rules in force (this leaktrap
/// with that config) still match? Exit 0: all match; 1: something differs.
///
/// # Errors
/// The record cannot be read or is not an evidence record.
pub fn verify(file: &Path, repo: Option<&Path>) -> Result<u8> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the evidence record {}", file.display()))?;
    let doc: Value = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not an evidence record: it is not valid JSON",
            file.display()
        )
    })?;
    if doc["schema"] != json!(EVIDENCE_SCHEMA) {
        bail!(
            "{} is not a leaktrap evidence record (its \"schema\" is not {EVIDENCE_SCHEMA:?})",
            file.display()
        );
    }
    if doc["schema_version"].as_u64() != Some(u64::from(EVIDENCE_SCHEMA_VERSION)) {
        bail!(
            "{} has schema_version {}; this leaktrap reads version {EVIDENCE_SCHEMA_VERSION}",
            file.display(),
            doc["schema_version"]
        );
    }
    let dir = std::path::absolute(file)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    let mut bad = 0;
    let mut say = |ok: bool, what: String| {
        println!("{} {what}", if ok { "ok      " } else { "MISMATCH" });
        if !ok {
            bad += 1;
        }
    };

    let str_of = |v: &Value| v.as_str().unwrap_or_default().to_string();
    for r in doc["reports"].as_array().into_iter().flatten() {
        let path = dir.join(str_of(&r["path"]));
        let want = str_of(&r["sha256"]);
        match std::fs::File::open(&path).map(sha256_reader) {
            Ok(Ok(got)) => say(
                got == want,
                format!(
                    "report {}{}",
                    path.display(),
                    if got == want {
                        String::new()
                    } else {
                        " has changed since the scan".to_string()
                    }
                ),
            ),
            Ok(Err(e)) | Err(e) => say(
                false,
                format!("report {}: cannot read: {e}", path.display()),
            ),
        }
    }

    let sources = doc["config"]["sources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    // Where a file recorded at `path` (and `repository_path`) is now.
    let locate = |v: &Value| -> PathBuf {
        match (repo, v["repository_path"].as_str()) {
            (Some(r), Some(rel)) => r.join(rel),
            _ => PathBuf::from(str_of(&v["path"])),
        }
    };
    for s in &sources {
        let path = locate(s);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let same = sha256_hex(&bytes) == str_of(&s["sha256"]);
                say(
                    same,
                    format!(
                        "config {}{}",
                        path.display(),
                        if same {
                            ""
                        } else {
                            " has changed since the scan"
                        }
                    ),
                );
            }
            Err(e) => say(
                false,
                format!("config {}: cannot read: {e}", path.display()),
            ),
        }
    }

    // The rules in force now: this leaktrap, with the same config file.
    for i in doc["inputs"].as_array().into_iter().flatten() {
        let path = locate(i);
        let same = std::fs::read(&path).map(|b| sha256_hex(&b) == str_of(&i["sha256"]));
        say(
            same.as_ref().is_ok_and(|s| *s),
            format!(
                "{} {}{}",
                str_of(&i["kind"]),
                path.display(),
                match same {
                    Ok(true) => String::new(),
                    Ok(false) => " has changed since the scan".to_string(),
                    Err(e) => format!(": cannot read: {e}"),
                }
            ),
        );
    }
    let common = CommonArgs {
        config: sources.first().map(&locate),
        max_decode_depth: leaktrap_engine::Engine::DEFAULT_DECODE_DEPTH,
    };
    let near = repo.map(Path::to_path_buf).unwrap_or_else(|| {
        doc["target"]["repository"]["root"]
            .as_str()
            .map_or_else(|| PathBuf::from("."), PathBuf::from)
    });
    match crate::discover::load_rules(&common, &near) {
        Ok((config, set)) => {
            let rules = rules_digest(&set);
            let want = str_of(&doc["rules"]["sha256"]);
            say(
                rules == want,
                format!(
                    "rules: {} in force{}",
                    set.rules.len(),
                    if rules == want {
                        ", the same as at the scan".to_string()
                    } else {
                        format!(
                            ", not the {} the scan ran with (another leaktrap version, or \
                             another config)",
                            doc["rules"]["count"]
                        )
                    }
                ),
            );
            let conf = config_digest(&config);
            say(
                conf == str_of(&doc["config"]["sha256"]),
                "effective config".to_string(),
            );
        }
        Err(e) => say(false, format!("rules: cannot load them now: {e:#}")),
    }

    let version = str_of(&doc["tool"]["version"]);
    if version != env!("CARGO_PKG_VERSION") {
        println!(
            "note     the scan ran leaktrap {version}; this is {}",
            env!("CARGO_PKG_VERSION")
        );
    }
    println!(
        "verdict  {} (exit {}), {} finding(s), {} report(s)",
        str_of(&doc["verdict"]),
        doc["exit_code"],
        doc["findings"]["total"],
        doc["reports"].as_array().map_or(0, Vec::len)
    );
    if bad > 0 {
        eprintln!("leaktrap: {bad} mismatch(es): the evidence no longer matches");
        Ok(1)
    } else {
        Ok(0)
    }
}
