//! Finding the repository root and the config in force.

use crate::CommonArgs;
use anyhow::{Context, Result};
use leaktrap_rules::{build_ruleset, Config, RuleSet};
use std::path::{Path, PathBuf};

/// The nearest ancestor of `path` (itself included) that holds `.git`.
pub fn repo_root(path: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(path).ok()?;
    let start = if abs.is_dir() {
        abs.as_path()
    } else {
        abs.parent()?
    };
    start
        .ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The directory that anchors a scan: its config is `.leaktrap.toml` there,
/// and allowlist paths are relative to it. The repository root when there
/// is one; outside a repository, the nearest directory (the scanned one or
/// an ancestor) holding a `.leaktrap.toml`; else the directory scanned (or
/// the file's parent).
pub fn base_dir(path: &Path) -> PathBuf {
    if let Some(r) = repo_root(path) {
        return r;
    }
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = if abs.is_dir() {
        abs
    } else {
        abs.parent().map_or(abs.clone(), Path::to_path_buf)
    };
    dir.ancestors()
        .find(|d| d.join(CONFIG_NAME).is_file())
        .map_or(dir.clone(), Path::to_path_buf)
}

const CONFIG_NAME: &str = ".leaktrap.toml";
const GITLEAKS_NAME: &str = ".gitleaks.toml";

/// Where the config comes from, in order of precedence.
enum Source {
    /// `--config FILE` or `LEAKTRAP_CONFIG` (leaktrap or Gitleaks format).
    Named(PathBuf, &'static str),
    /// `.leaktrap.toml` at the base directory.
    Leaktrap(PathBuf),
    /// `GITLEAKS_CONFIG` (a path).
    GitleaksEnv(PathBuf),
    /// `GITLEAKS_CONFIG_TOML` (the content).
    GitleaksToml(String),
    /// `.gitleaks.toml` at the base directory, when there is no `.leaktrap.toml`.
    GitleaksFile(PathBuf),
}

fn find_source(common: &CommonArgs, near: &Path) -> Option<Source> {
    if let Some(p) = &common.config {
        let from_env = std::env::var_os("LEAKTRAP_CONFIG").is_some_and(|v| Path::new(&v) == p);
        let how = if from_env {
            "LEAKTRAP_CONFIG"
        } else {
            "--config"
        };
        return Some(Source::Named(p.clone(), how));
    }
    let base = base_dir(near);
    let candidate = base.join(CONFIG_NAME);
    if candidate.is_file() {
        return Some(Source::Leaktrap(candidate));
    }
    if let Some(p) = std::env::var_os("GITLEAKS_CONFIG").filter(|v| !v.is_empty()) {
        return Some(Source::GitleaksEnv(PathBuf::from(p)));
    }
    if let Some(t) = std::env::var_os("GITLEAKS_CONFIG_TOML").filter(|v| !v.is_empty()) {
        return Some(Source::GitleaksToml(t.to_string_lossy().into_owned()));
    }
    let gl = base.join(GITLEAKS_NAME);
    gl.is_file().then_some(Source::GitleaksFile(gl))
}

/// Parses a Gitleaks config; `[extend] path` is resolved against the
/// extending file's directory, else the current directory (Gitleaks' rule).
fn parse_gitleaks(origin: &str, dir: Option<&Path>, text: &str) -> Result<Config> {
    let dir = dir.map(Path::to_path_buf);
    let mut read = |from: &str, path: &str| -> Result<(String, String), String> {
        let from_dir = Path::new(from)
            .parent()
            .filter(|_| from != "GITLEAKS_CONFIG_TOML")
            .map(Path::to_path_buf)
            .or_else(|| dir.clone());
        let candidates = [from_dir.map(|d| d.join(path)), Some(PathBuf::from(path))];
        let found = candidates.into_iter().flatten().find(|p| p.is_file());
        let Some(found) = found else {
            return Err(format!(
                "[extend] path {path:?} not found (looked next to {from} and in the current directory)"
            ));
        };
        std::fs::read_to_string(&found)
            .map(|t| (found.display().to_string(), t))
            .map_err(|e| format!("cannot read extended config {}: {e}", found.display()))
    };
    let config = Config::parse_gitleaks(origin, text, &mut read)?;
    for w in &config.warnings {
        eprintln!("leaktrap: warning: {w}");
    }
    Ok(config)
}

/// Loads the config: `--config`/`LEAKTRAP_CONFIG`, else `.leaktrap.toml` in
/// [`base_dir`] of `near`, else `GITLEAKS_CONFIG` (a path), else
/// `GITLEAKS_CONFIG_TOML` (the content), else `.gitleaks.toml` in
/// [`base_dir`] (with a notice on stderr), else none. A file named by
/// `--config` or an environment variable may be in either format.
///
/// # Errors
/// The named file cannot be read, or it does not parse.
pub fn load_config(common: &CommonArgs, near: &Path) -> Result<Config> {
    let Some(source) = find_source(common, near) else {
        return Ok(Config::none());
    };
    let read = |path: &Path| {
        std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config {}", path.display()))
    };
    let (path, how, gitleaks_only) = match source {
        Source::GitleaksToml(text) => {
            crate::evidence::note_config(
                Path::new("GITLEAKS_CONFIG_TOML"),
                "GITLEAKS_CONFIG_TOML",
                text.as_bytes(),
            );
            let mut c = parse_gitleaks("GITLEAKS_CONFIG_TOML", None, &text)?;
            c.source = "GITLEAKS_CONFIG_TOML (Gitleaks format)".into();
            return Ok(c);
        }
        Source::Named(p, how) => (p, how, false),
        Source::Leaktrap(p) => (p, "found at the repository root", false),
        Source::GitleaksEnv(p) => (p, "GITLEAKS_CONFIG", true),
        Source::GitleaksFile(p) => {
            eprintln!(
                "leaktrap: no {CONFIG_NAME}; using the Gitleaks config {}",
                p.display()
            );
            (p, "found at the repository root, no .leaktrap.toml", true)
        }
    };
    let text = read(&path)?;
    crate::evidence::note_config(&path, how, text.as_bytes());
    let origin = path.display().to_string();
    if gitleaks_only || leaktrap_rules::gitleaks::looks_like_gitleaks(&text) {
        let mut c = parse_gitleaks(&origin, path.parent(), &text)?;
        crate::gitleaks::note_config_file(&path);
        c.source = format!("{how} (Gitleaks format)");
        return Ok(c);
    }
    let mut config = Config::parse(&origin, &text)?;
    config.source = how.to_string();
    if let Some(name) = &config.file.fingerprint_key_file {
        let dir = path.parent().unwrap_or(Path::new("."));
        let key_path = dir.join(name);
        let mut key = std::fs::read(&key_path).map_err(|e| {
            anyhow::anyhow!(
                "cannot read the fingerprint key file {} (fingerprint_key_file in {}): {e}",
                key_path.display(),
                path.display()
            )
        })?;
        // A trailing line break is not part of the key.
        while key.last().is_some_and(|b| matches!(b, b'\n' | b'\r')) {
            key.pop();
        }
        if key.is_empty() {
            anyhow::bail!(
                "the fingerprint key file {} (fingerprint_key_file in {}) is empty: put a \
                 random key in it, or remove the setting",
                key_path.display(),
                path.display()
            );
        }
        crate::baseline::set_config_key(key);
    }
    Ok(config)
}

/// The config and the rule set it yields.
///
/// # Errors
/// As [`load_config`], or a rule set problem (unknown ids, clashing rules).
/// Compiles `set` with the command line's engine options (the decoding
/// depth), and records them in the evidence record.
pub fn engine(common: &CommonArgs, set: &RuleSet) -> Result<leaktrap_engine::Engine> {
    let mut engine = leaktrap_engine::Engine::compile(set)?;
    engine.set_decode_depth(common.max_decode_depth);
    crate::evidence::note_option("max_decode_depth", common.max_decode_depth);
    Ok(engine)
}

pub fn load_rules(common: &CommonArgs, near: &Path) -> Result<(Config, RuleSet)> {
    let config = load_config(common, near)?;
    let set = build_ruleset(&config)?;
    crate::evidence::note_rules(&config, &set);
    crate::gitleaks::note_rules(&set);
    Ok((config, set))
}
