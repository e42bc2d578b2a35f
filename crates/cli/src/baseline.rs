//! Baselines: known findings, by fingerprint, rule and path, that a scan
//! does not report (`--baseline FILE`), and `leaktrap baseline
//! create|update|check` that maintains the file (docs/baseline.md).
//!
//! The file holds no secret, no line number and no timestamp: only the
//! location-independent fingerprint of (rule, secret), the rule id, the
//! repository-relative path and what people wrote about the entry.

use crate::{discover, BaselineArgs, BaselineCommand};
use anyhow::{bail, Context, Result};
use leaktrap_core::{Finding, SuppressionKind};
use leaktrap_report::{Artifacts, Fingerprinter};
use leaktrap_scan::Outcome;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The baseline's file name at the repository root.
pub const DEFAULT_NAME: &str = ".leaktrap-baseline.json";
const SCHEMA: &str = "leaktrap.baseline";
const SCHEMA_VERSION: u32 = 1;
/// The environment variable holding the fingerprint key.
pub const KEY_VAR: &str = "LEAKTRAP_FINGERPRINT_KEY";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    schema: String,
    schema_version: u32,
    entries: Vec<Entry>,
}

/// One known finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `YYYY-MM-DD`; from the day after, the entry no longer suppresses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

type Key = (String, String, String);

impl Entry {
    fn key(&self) -> Key {
        (
            self.fingerprint.clone(),
            self.rule.clone(),
            self.path.clone(),
        )
    }

    fn expired(&self, today: &str) -> bool {
        // Both are validated `YYYY-MM-DD`, so they compare as strings.
        self.expires.as_deref().is_some_and(|d| d < today)
    }

    /// How warnings name the entry (never a secret: the fingerprint is a
    /// hash, and only its start is shown).
    pub fn describe(&self) -> String {
        let fp = self
            .fingerprint
            .get(..self.fingerprint.find(':').map_or(0, |i| i + 13));
        format!(
            "{} in {} ({}…)",
            self.rule,
            self.path,
            fp.unwrap_or(&self.fingerprint)
        )
    }
}

/// A loaded baseline file.
#[derive(Debug)]
pub struct Baseline {
    pub file: PathBuf,
    pub entries: Vec<Entry>,
}

/// The key read from the config's `fingerprint_key_file`, once per run.
static CONFIG_KEY: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();

/// Records the key named by the config (the first config loaded wins).
pub fn set_config_key(key: Vec<u8>) {
    let _ = CONFIG_KEY.set(key);
}

/// The fingerprinter in force: keyed with `LEAKTRAP_FINGERPRINT_KEY` when it
/// is set and not empty, else with the config's `fingerprint_key_file`,
/// else unkeyed.
pub fn fingerprinter() -> Fingerprinter {
    match std::env::var_os(KEY_VAR) {
        Some(k) if !k.is_empty() => Fingerprinter::keyed(k.as_encoded_bytes()),
        _ => match CONFIG_KEY.get() {
            Some(k) => Fingerprinter::keyed(k),
            None => Fingerprinter::unkeyed(),
        },
    }
}

/// Reads and checks a baseline file.
///
/// # Errors
/// The file cannot be read; it is not valid JSON or not a baseline (named
/// with line and column); an entry is malformed (named by its number).
pub fn load(file: &Path) -> Result<Baseline> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "baseline {} does not exist: create it with `leaktrap baseline create`",
            file.display()
        ),
        Err(e) => bail!("cannot read baseline {}: {e}", file.display()),
    };
    let doc: Doc = serde_json::from_str(&text).map_err(|e| {
        let mut msg = e.to_string();
        // serde_json ends its message with the position; we give it first.
        if let Some(i) = msg.rfind(" at line ") {
            msg.truncate(i);
        }
        anyhow::anyhow!(
            "{}:{}:{}: not a valid leaktrap baseline: {msg}; fix the file, or \
             recreate it with `leaktrap baseline create --force`",
            file.display(),
            e.line(),
            e.column()
        )
    })?;
    if doc.schema != SCHEMA || doc.schema_version != SCHEMA_VERSION {
        bail!(
            "{}: not a leaktrap baseline of a known version (schema {:?}, version {}; \
             expected {SCHEMA:?}, version {SCHEMA_VERSION}): recreate it with \
             `leaktrap baseline create --force`",
            file.display(),
            doc.schema,
            doc.schema_version
        );
    }
    for (i, e) in doc.entries.iter().enumerate() {
        let n = i + 1;
        if !valid_fingerprint(&e.fingerprint) {
            bail!(
                "{}: entry {n} ({} in {}): the fingerprint must be `sha256:` or \
                 `hmac-sha256:` followed by 64 lowercase hex digits; copy it from a \
                 JSON report or rerun `leaktrap baseline update`",
                file.display(),
                e.rule,
                e.path
            );
        }
        if let Some(d) = &e.expires {
            if !valid_date(d) {
                bail!(
                    "{}: entry {n} ({} in {}): expires {d:?} is not a date: write it \
                     as YYYY-MM-DD",
                    file.display(),
                    e.rule,
                    e.path
                );
            }
        }
    }
    Ok(Baseline {
        file: file.to_path_buf(),
        entries: doc.entries,
    })
}

fn valid_fingerprint(s: &str) -> bool {
    let hex = s
        .strip_prefix("sha256:")
        .or_else(|| s.strip_prefix("hmac-sha256:"));
    hex.is_some_and(|h| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let t = &s[r];
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())
            .flatten()
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// Today's date in UTC, `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let (y, m, d) = leaktrap_sources::civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The key of a finding: its fingerprint, rule and repository-relative path.
fn finding_key(f: &Finding, artifacts: &dyn Artifacts, fp: &Fingerprinter) -> Key {
    (
        fp.fingerprint(&f.rule.id, &f.secret),
        f.rule.id.clone(),
        artifacts.repo_path(f).into_owned(),
    )
}

/// What applying a baseline did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Entries that suppressed findings, with how many.
    pub matched: Vec<(Entry, u64)>,
    /// Entries that matched no finding.
    pub stale: Vec<Entry>,
    /// Entries past their date (they suppressed nothing).
    pub expired: Vec<Entry>,
}

impl Applied {
    pub fn any(&self) -> bool {
        !self.stale.is_empty() || !self.expired.is_empty()
    }
}

/// Removes the findings the baseline knows (counted as suppressed by
/// [`SuppressionKind::Baseline`]) and records stale and expired entries as
/// warnings in the outcome's stats.
pub fn apply(
    baseline: &Baseline,
    outcome: &mut Outcome,
    artifacts: &dyn Artifacts,
    fp: &Fingerprinter,
    today: &str,
) -> Applied {
    let entries: BTreeMap<Key, &Entry> = baseline.entries.iter().map(|e| (e.key(), e)).collect();
    let mut matched: BTreeSet<Key> = BTreeSet::new();
    let mut suppressed = 0;
    let mut by_entry: BTreeMap<Key, u64> = BTreeMap::new();
    outcome.findings.retain(|f| {
        let key = finding_key(f, artifacts, fp);
        let Some(e) = entries.get(&key) else {
            return true;
        };
        if e.expired(today) {
            matched.insert(key);
            return true;
        }
        *by_entry.entry(key.clone()).or_default() += 1;
        matched.insert(key);
        suppressed += 1;
        false
    });
    for _ in 0..suppressed {
        outcome.stats.suppress(SuppressionKind::Baseline);
    }
    let mut applied = Applied::default();
    for (key, n) in by_entry {
        if let Some(e) = entries.get(&key) {
            applied.matched.push(((*e).clone(), n));
        }
    }
    let name = baseline.file.display().to_string();
    for (key, e) in &entries {
        if e.expired(today) {
            outcome.stats.warn(
                &name,
                format!(
                    "entry {} expired on {}: it suppresses nothing{}",
                    e.describe(),
                    e.expires.as_deref().unwrap_or_default(),
                    if matched.contains(key) {
                        "; its finding is reported"
                    } else {
                        ""
                    }
                ),
            );
            applied.expired.push((*e).clone());
        }
        if !matched.contains(key) {
            outcome.stats.warn(
                &name,
                format!(
                    "stale entry {}: it matched no finding (`leaktrap baseline update` drops it)",
                    e.describe()
                ),
            );
            applied.stale.push((*e).clone());
        }
    }
    let kinds: BTreeSet<&str> = baseline
        .entries
        .iter()
        .filter_map(|e| e.fingerprint.split_once(':').map(|(k, _)| k))
        .collect();
    if kinds.iter().any(|k| *k != fp.kind()) {
        outcome.stats.warn(
            &name,
            format!(
                "it holds {} fingerprints but this run makes {} ones{}: those entries cannot match",
                kinds.into_iter().collect::<Vec<_>>().join(" and "),
                fp.kind(),
                if fp.kind() == "sha256" {
                    format!(" ({KEY_VAR} is not set)")
                } else {
                    String::new()
                }
            ),
        );
    }
    outcome.stats.normalize();
    applied
}

/// Writes entries sorted and deduplicated, atomically.
fn save(file: &Path, mut entries: Vec<Entry>) -> Result<usize> {
    entries.sort();
    entries.dedup_by(|a, b| a.key() == b.key());
    let doc = Doc {
        schema: SCHEMA.to_string(),
        schema_version: SCHEMA_VERSION,
        entries,
    };
    let mut text = serde_json::to_vec_pretty(&doc).context("cannot encode the baseline")?;
    text.push(b'\n');
    crate::output::write_atomically(file, "the baseline", |w| w.write_all(&text))?;
    Ok(doc.entries.len())
}

/// `leaktrap baseline create|update|check`.
///
/// # Errors
/// The scan or the baseline file failed.
pub fn run(cmd: BaselineCommand) -> Result<u8> {
    #[derive(PartialEq)]
    enum Action {
        Create,
        Update,
        Check,
    }
    let (args, action, force) = match cmd {
        BaselineCommand::Create { args, force } => (args, Action::Create, force),
        BaselineCommand::Update { args } => (args, Action::Update, false),
        BaselineCommand::Check { args } => (args, Action::Check, false),
        BaselineCommand::Import { from, args } => return import(&from, &args),
    };
    let file = baseline_file(&args);
    if action == Action::Create && !force && file.exists() {
        bail!(
            "{} already exists: `leaktrap baseline update` refreshes it, --force overwrites it",
            file.display()
        );
    }
    let existing = if action == Action::Create {
        None
    } else {
        Some(load(&file)?)
    };
    let (mut outcome, tree) = crate::cmd_scan::scan_for_baseline(&args)?;
    let fp = fingerprinter();
    let mut err = std::io::stderr().lock();
    if !outcome.stats.complete() {
        for e in &outcome.stats.errors {
            let _ = writeln!(err, "leaktrap: cannot read {}: {}", e.path, e.message);
        }
    }
    let Some(existing) = existing else {
        let entries: Vec<Entry> = outcome
            .findings
            .iter()
            .map(|f| {
                let (fingerprint, rule, path) = finding_key(f, &tree, &fp);
                Entry {
                    fingerprint,
                    rule,
                    path,
                    reason: None,
                    owner: None,
                    expires: None,
                }
            })
            .collect();
        let n = save(&file, entries)?;
        let _ = writeln!(
            err,
            "leaktrap: wrote {} with {n} entr{} ({} fingerprints)",
            file.display(),
            if n == 1 { "y" } else { "ies" },
            fp.kind()
        );
        return Ok(if outcome.stats.complete() {
            crate::exit::CLEAN
        } else {
            crate::exit::INCOMPLETE
        });
    };
    let keys: BTreeSet<Key> = outcome
        .findings
        .iter()
        .map(|f| finding_key(f, &tree, &fp))
        .collect();
    if action == Action::Update {
        let mut kept = Vec::new();
        let mut known = BTreeSet::new();
        let mut dropped = 0;
        for e in existing.entries {
            if keys.contains(&e.key()) {
                known.insert(e.key());
                kept.push(e);
            } else {
                dropped += 1;
            }
        }
        let before = kept.len();
        for (fingerprint, rule, path) in keys {
            if !known.contains(&(fingerprint.clone(), rule.clone(), path.clone())) {
                kept.push(Entry {
                    fingerprint,
                    rule,
                    path,
                    reason: None,
                    owner: None,
                    expires: None,
                });
            }
        }
        let added = kept.len() - before;
        let n = save(&file, kept)?;
        let _ = writeln!(
            err,
            "leaktrap: updated {}: {n} entr{} ({added} added, {before} kept, {dropped} stale dropped)",
            file.display(),
            if n == 1 { "y" } else { "ies" },
        );
        return Ok(crate::exit::CLEAN);
    }
    // check
    let today = today();
    let known: BTreeSet<Key> = existing.entries.iter().map(Entry::key).collect();
    let new = outcome
        .findings
        .iter()
        .filter(|f| !known.contains(&finding_key(f, &tree, &fp)))
        .count();
    let applied = apply(&existing, &mut outcome, &tree, &fp, &today);
    for w in &outcome.stats.warnings {
        let _ = writeln!(err, "leaktrap: {}: {}", w.path, w.message);
    }
    let _ = writeln!(
        err,
        "leaktrap: {}: {} entr{}, {} stale, {} expired; {new} finding{} not in the baseline",
        file.display(),
        existing.entries.len(),
        if existing.entries.len() == 1 {
            "y"
        } else {
            "ies"
        },
        applied.stale.len(),
        applied.expired.len(),
        if new == 1 { "" } else { "s" },
    );
    Ok(if applied.any() { 1 } else { crate::exit::CLEAN })
}

/// A detect-secrets baseline (`.secrets.baseline`): only what an import
/// uses; other keys are accepted.
#[derive(Deserialize)]
struct DsBaseline {
    results: BTreeMap<String, Vec<DsEntry>>,
}

#[derive(Deserialize)]
struct DsEntry {
    #[serde(rename = "type")]
    kind: String,
    hashed_secret: String,
    #[serde(default)]
    line_number: Option<u64>,
    /// Set by `detect-secrets audit`: false = not a secret.
    #[serde(default)]
    is_secret: Option<bool>,
}

/// The reason an imported entry carries, from the audit label.
fn ds_reason(is_secret: Option<bool>) -> &'static str {
    match is_secret {
        Some(false) => "detect-secrets audit: not a secret",
        Some(true) => "detect-secrets audit: a real secret (known; rotate it)",
        None => "imported from a detect-secrets baseline (not audited)",
    }
}

/// `leaktrap baseline import SECRETS_BASELINE [PATH]`.
///
/// detect-secrets keys an entry on (file, SHA-1 of the secret, type); a
/// leaktrap entry on (keyed fingerprint of rule and secret, rule, path).
/// One cannot be computed from the other, so the import scans PATH and
/// turns each finding whose secret's SHA-1 an entry of the same file holds
/// into a native entry: exact (the hash proves it is the same secret), and
/// the result needs no new kind of entry, works with `baseline
/// update|check`, and carries no unsalted SHA-1 of a secret forward (a short
/// secret's SHA-1 can be brute-forced). Entries that match no finding are
/// listed and left out: leaktrap does not find that secret (a detect-secrets
/// plugin leaktrap has no rule for, or one that hashes only part of the
/// secret), so there is nothing to suppress.
///
/// # Errors
/// The detect-secrets baseline cannot be read or parsed; the scan or the
/// leaktrap baseline failed.
pub fn import(from: &Path, args: &BaselineArgs) -> Result<u8> {
    use sha1::{Digest, Sha1};
    let text = std::fs::read_to_string(from).map_err(|e| {
        anyhow::anyhow!(
            "cannot read the detect-secrets baseline {}: {e}",
            from.display()
        )
    })?;
    let ds: DsBaseline = serde_json::from_str(&text).map_err(|e| {
        let mut msg = e.to_string();
        if let Some(i) = msg.rfind(" at line ") {
            msg.truncate(i);
        }
        anyhow::anyhow!(
            "{}:{}:{}: not a detect-secrets baseline (an object with `results`: {{file: \
             [{{type, hashed_secret, line_number…}}]}}): {msg}",
            from.display(),
            e.line(),
            e.column()
        )
    })?;
    for (file, entries) in &ds.results {
        for (i, e) in entries.iter().enumerate() {
            let h = &e.hashed_secret;
            if h.len() != 40 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                bail!(
                    "{}: results[{file:?}][{i}] ({}): hashed_secret is not a SHA-1 (40 hex \
                     digits); regenerate the baseline with `detect-secrets scan`",
                    from.display(),
                    e.kind
                );
            }
        }
    }
    let file = baseline_file(args);
    let existing = if file.exists() {
        load(&file)?.entries
    } else {
        Vec::new()
    };
    let (outcome, tree) = crate::cmd_scan::scan_for_baseline(args)?;
    let fp = fingerprinter();
    let mut err = std::io::stderr().lock();
    for e in &outcome.stats.errors {
        let _ = writeln!(err, "leaktrap: cannot read {}: {}", e.path, e.message);
    }
    // (path, SHA-1 of the secret) -> findings' keys. Hashed, never shown.
    let mut by_hash: BTreeMap<(String, String), Vec<Key>> = BTreeMap::new();
    for f in &outcome.findings {
        let key = finding_key(f, &tree, &fp);
        let hash: String = Sha1::digest(f.secret.expose())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        by_hash.entry((key.2.clone(), hash)).or_default().push(key);
    }
    let normal = |p: &str| p.replace('\\', "/").trim_start_matches("./").to_string();
    // Each key once; a real-secret label wins over a false-positive one.
    let mut found: BTreeMap<Key, Option<bool>> = BTreeMap::new();
    let mut missed = 0usize;
    for (name, entries) in &ds.results {
        for e in entries {
            let k = (normal(name), e.hashed_secret.to_ascii_lowercase());
            match by_hash.get(&k) {
                Some(keys) => {
                    for key in keys {
                        let label = found.entry(key.clone()).or_insert(e.is_secret);
                        *label = match (*label, e.is_secret) {
                            (Some(true), _) | (_, Some(true)) => Some(true),
                            (Some(false), _) | (_, Some(false)) => Some(false),
                            _ => None,
                        };
                    }
                }
                None => {
                    missed += 1;
                    let _ = writeln!(
                        err,
                        "leaktrap: {}:{}: {}: no leaktrap finding holds this secret; not imported",
                        name,
                        e.line_number.map_or("?".to_string(), |n| n.to_string()),
                        e.kind
                    );
                }
            }
        }
    }
    let known: BTreeSet<Key> = existing.iter().map(Entry::key).collect();
    let mut entries = existing;
    let mut added = 0;
    for (key, label) in found {
        if known.contains(&key) {
            continue;
        }
        let (fingerprint, rule, path) = key;
        entries.push(Entry {
            fingerprint,
            rule,
            path,
            reason: Some(ds_reason(label).to_string()),
            owner: None,
            expires: None,
        });
        added += 1;
    }
    let n = save(&file, entries)?;
    let _ = writeln!(
        err,
        "leaktrap: imported {added} entr{} from {} into {} ({n} in all, {} fingerprints); \
         {missed} detect-secrets entr{} matched no finding",
        if added == 1 { "y" } else { "ies" },
        from.display(),
        file.display(),
        fp.kind(),
        if missed == 1 { "y" } else { "ies" },
    );
    Ok(if outcome.stats.complete() {
        crate::exit::CLEAN
    } else {
        crate::exit::INCOMPLETE
    })
}

/// `--baseline-file`, else the default name at the scanned path's
/// repository root.
fn baseline_file(args: &BaselineArgs) -> PathBuf {
    args.baseline_file
        .clone()
        .unwrap_or_else(|| discover::base_dir(&args.path).join(DEFAULT_NAME))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(valid_date("2024-02-29"));
        assert!(!valid_date("2023-02-29"));
        assert!(!valid_date("2024-13-01"));
        assert!(!valid_date("2024-1-01"));
        assert!(!valid_date("+024-01-01"));
        assert_eq!(leaktrap_sources::civil_from_days(0), (1970, 1, 1));
        assert_eq!(leaktrap_sources::civil_from_days(19_782), (2024, 2, 29));
        assert!(valid_date(&today()));
    }

    #[test]
    fn malformed_files_are_named_with_line_and_column() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("b.json");
        std::fs::write(&f, "{\n  \"schema\": \"leaktrap.baseline\",\n  oops\n}").unwrap();
        let e = load(&f).unwrap_err().to_string();
        assert!(e.starts_with(&format!("{}:3:3: ", f.display())), "{e}");
        assert!(e.contains("baseline create --force"), "{e}");
        std::fs::write(
            &f,
            r#"{"schema":"leaktrap.baseline","schema_version":1,"entries":[{"fingerprint":"x","rule":"r","path":"p"}]}"#,
        )
        .unwrap();
        let e = load(&f).unwrap_err().to_string();
        assert!(e.contains("entry 1 (r in p)"), "{e}");
        let fp = format!("sha256:{}", "a".repeat(64));
        std::fs::write(
            &f,
            format!(r#"{{"schema":"leaktrap.baseline","schema_version":1,"entries":[{{"fingerprint":"{fp}","rule":"r","path":"p","expires":"soon"}}]}}"#),
        )
        .unwrap();
        let e = load(&f).unwrap_err().to_string();
        assert!(e.contains("YYYY-MM-DD"), "{e}");
    }
}
