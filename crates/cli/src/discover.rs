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

/// Loads the config: `--config`/`LEAKTRAP_CONFIG`, else `.leaktrap.toml` in
/// [`base_dir`] of `near`, else none.
///
/// # Errors
/// The named file cannot be read, or it does not parse.
pub fn load_config(common: &CommonArgs, near: &Path) -> Result<Config> {
    let (path, found_by) = match &common.config {
        Some(p) => {
            let from_env = std::env::var_os("LEAKTRAP_CONFIG").is_some_and(|v| v == p.as_os_str());
            let by = if from_env {
                "LEAKTRAP_CONFIG"
            } else {
                "--config"
            };
            (Some(p.clone()), by.to_string())
        }
        None => {
            let dir = base_dir(near);
            let candidate = dir.join(CONFIG_NAME);
            let by = format!("{CONFIG_NAME} at {}", dir.display());
            (candidate.is_file().then_some(candidate), by)
        }
    };
    let Some(path) = path else {
        return Ok(Config::none());
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read config {}", path.display()))?;
    crate::evidence::note_config(&path, &found_by, text.as_bytes());
    let config = Config::parse(&path.display().to_string(), &text)?;
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
pub fn load_rules(common: &CommonArgs, near: &Path) -> Result<(Config, RuleSet)> {
    let config = load_config(common, near)?;
    let set = build_ruleset(&config)?;
    crate::evidence::note_rules(&config, &set);
    Ok((config, set))
}
