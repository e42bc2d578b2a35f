//! `.leaktrap.toml`: extra rules, disabled ids, allowlists, severity overrides.

use crate::schema::{AllowDef, RuleDef};
use leaktrap_core::Severity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

/// A problem in a rule file or config, naming where it is.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The TOML is malformed or has a field the schema does not know.
    #[error("{origin}:{line}:{column}: {message}")]
    Parse {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// A rule fails validation.
    #[error("{origin}: rule {rule}: {message}")]
    Rule {
        origin: String,
        rule: String,
        message: String,
    },
    /// `disable` or `severity` names a rule that does not exist.
    #[error("{origin}: `{key}` names unknown rule id {rule:?}{}; `leaktrap rules list` shows the ids", hint.as_ref().map(|h| format!(" (did you mean {h:?}?)")).unwrap_or_default())]
    UnknownRule {
        origin: String,
        key: &'static str,
        rule: String,
        hint: Option<String>,
    },
}

/// `.leaktrap.toml` as written.
#[derive(Debug, Clone, Deserialize, Serialize, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Start from the built-in rules (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_builtin: Option<bool>,
    /// Rule ids to turn off.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Global allowlist, applied to every rule.
    #[serde(default)]
    pub allow: AllowDef,
    /// More global allowlists, each with its own `condition`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowlists: Vec<AllowDef>,
    /// Severity overrides by rule id.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// Extra rules, in the rule-file format.
    #[serde(default)]
    pub rule: Vec<RuleDef>,
    /// A file holding the key for keyed (HMAC-SHA-256) fingerprints,
    /// relative to the config file; `LEAKTRAP_FINGERPRINT_KEY` wins over it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint_key_file: Option<String>,
}

/// The format a config was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConfigFormat {
    #[default]
    Leaktrap,
    Gitleaks,
}

/// A loaded config and where it came from.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// A path, `LEAKTRAP_CONFIG`, or `(none)`.
    pub origin: String,
    pub file: ConfigFile,
    pub format: ConfigFormat,
    /// How it was found (`--config`, `GITLEAKS_CONFIG`, …), for `config show`.
    pub source: String,
    /// Things ignored while loading (unknown Gitleaks keys, …).
    pub warnings: Vec<String>,
}

impl Config {
    /// The config in force when there is no file.
    pub fn none() -> Config {
        Config {
            origin: "(no config file)".into(),
            source: "none found".into(),
            ..Config::default()
        }
    }

    /// Parses a config's text.
    ///
    /// # Errors
    /// Malformed TOML or unknown keys, with line and column.
    pub fn parse(origin: &str, text: &str) -> Result<Config, ConfigError> {
        let file: ConfigFile = parse_toml(origin, text)?;
        // Validate user rules early so errors name the config file.
        for def in &file.rule {
            def.validate().map_err(|message| ConfigError::Rule {
                origin: origin.into(),
                rule: def.id.clone(),
                message,
            })?;
        }
        for a in std::iter::once(&file.allow).chain(&file.allowlists) {
            a.validate(true).map_err(|message| ConfigError::Rule {
                origin: origin.into(),
                rule: "(global allowlist)".into(),
                message,
            })?;
        }
        for a in &file.allowlists {
            a.validate_listed().map_err(|message| ConfigError::Rule {
                origin: origin.into(),
                rule: "(global allowlist)".into(),
                message,
            })?;
        }
        Ok(Config {
            origin: origin.into(),
            file,
            ..Config::default()
        })
    }

    /// Parses a Gitleaks config's text (see [`crate::gitleaks`]); `read`
    /// loads the configs `[extend] path` names.
    ///
    /// # Errors
    /// As [`crate::gitleaks::translate`].
    pub fn parse_gitleaks(
        origin: &str,
        text: &str,
        read: &mut crate::gitleaks::ExtendReader<'_>,
    ) -> Result<Config, ConfigError> {
        let t = crate::gitleaks::translate(origin, text, read)?;
        Ok(Config {
            origin: origin.into(),
            file: t.file,
            format: ConfigFormat::Gitleaks,
            warnings: t.warnings,
            ..Config::default()
        })
    }

    /// The effective config as TOML, for `leaktrap config show`.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(&self.file).unwrap_or_else(|e| format!("# cannot render: {e}\n"))
    }
}

/// Parses TOML into `T`, turning errors into line/column messages that never
/// quote the file's text (a config can hold an allowlisted secret).
pub(crate) fn parse_toml<T: for<'de> Deserialize<'de>>(
    origin: &str,
    text: &str,
) -> Result<T, ConfigError> {
    toml::from_str(text).map_err(|e: toml::de::Error| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        ConfigError::Parse {
            origin: origin.into(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_error_names_line_and_column_without_quoting() {
        let text = "disable = [\"a.b\"]\n[allow]\nstopwords = [\"s3cr3t-value\" \n";
        let err = Config::parse("cfg.toml", text).unwrap_err().to_string();
        assert!(err.starts_with("cfg.toml:3:"), "{err}");
        assert!(!err.contains("s3cr3t-value"), "{err}");
    }

    #[test]
    fn unknown_key_is_an_error() {
        let err = Config::parse("cfg.toml", "disabel = []\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("cfg.toml:1:1"), "{err}");
        assert!(err.contains("disabel"), "{err}");
    }

    #[test]
    fn bad_user_rule_names_the_rule() {
        let text = "[[rule]]\nid = \"Bad Id\"\nname = \"n\"\ndescription = \"d\"\nseverity = \"high\"\nregex = \"x\"\n";
        let err = Config::parse("cfg.toml", text).unwrap_err().to_string();
        assert!(err.contains("rule Bad Id"), "{err}");
    }
}
