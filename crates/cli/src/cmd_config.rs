//! `leaktrap config show`.

use crate::{discover, exit, CommonArgs};
use anyhow::Result;
use std::io::Write;
use std::path::Path;

pub fn show(common: &CommonArgs, path: &Path) -> Result<u8> {
    let (config, set) = discover::load_rules(common, path)?;
    let builtin = set
        .rules
        .iter()
        .filter(|r| r.origin.starts_with("rules/"))
        .count();
    let mut out = std::io::stdout().lock();
    writeln!(out, "# config: {}", config.origin)?;
    writeln!(out, "# found by: {}", config.source)?;
    if config.format == leaktrap_rules::ConfigFormat::Gitleaks {
        writeln!(
            out,
            "# format: Gitleaks (shown translated into leaktrap's schema; regexes rewritten from Go RE2)"
        )?;
    }
    writeln!(
        out,
        "# rules in force: {} ({} built-in, {} from config)",
        set.rules.len(),
        builtin,
        set.rules.len() - builtin
    )?;
    writeln!(
        out,
        "# inline allow markers: {}",
        set.inline_markers.join(", ")
    )?;
    write!(out, "{}", config.to_toml())?;
    Ok(exit::CLEAN)
}
