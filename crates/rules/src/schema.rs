//! The rule-file schema, as documented in `rules/README.md`.

use leaktrap_core::{Confidence, Severity};
use serde::{Deserialize, Serialize};

/// Named checksum validators the engine implements.
pub const CHECKSUMS: &[&str] = &["crc32-base62"];

/// A rule file: `[[rule]]` tables.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    #[serde(default)]
    pub rule: Vec<RuleDef>,
}

/// One rule as written in TOML.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub id: String,
    pub name: String,
    pub description: String,
    pub severity: Severity,
    #[serde(default)]
    pub confidence: Confidence,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub regex: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_group: Option<GroupRef>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub multiline: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entropy: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_classes: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
    #[serde(default, skip_serializing_if = "AllowDef::is_empty")]
    pub allow: AllowDef,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Example>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub negative_examples: Vec<String>,
}

/// A capture group, by number or by name.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum GroupRef {
    Index(usize),
    Name(String),
}

/// An example text, optionally pinning the secret it must yield.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Example {
    Text(String),
    Pinned { text: String, secret: String },
}

impl Example {
    pub fn text(&self) -> &str {
        match self {
            Example::Text(t) | Example::Pinned { text: t, .. } => t,
        }
    }

    pub fn secret(&self) -> Option<&str> {
        match self {
            Example::Text(_) => None,
            Example::Pinned { secret, .. } => Some(secret),
        }
    }
}

/// What an allowlist regex is tested on.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum RegexTarget {
    #[default]
    Secret,
    Match,
    Line,
}

/// An allowlist: any criterion that holds suppresses the match.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct AllowDef {
    /// Regexes on the path relative to the scan root, `/`-separated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// Regexes tested on `regex_target`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regexes: Vec<String>,
    #[serde(default)]
    pub regex_target: RegexTarget,
    /// Case-insensitive substrings of the secret.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stopwords: Vec<String>,
}

impl AllowDef {
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty() && self.regexes.is_empty() && self.stopwords.is_empty()
    }
}

impl RuleDef {
    /// Checks what can be checked without compiling the regex.
    ///
    /// # Errors
    /// A message saying what is wrong and how to fix it.
    pub fn validate(&self) -> Result<(), String> {
        let valid_id = self.id.split_once('.').is_some_and(|(p, n)| {
            let part = |s: &str| {
                !s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            };
            part(p) && part(n)
        });
        if !valid_id {
            return Err(format!(
                "rule id {:?} must look like `<provider>.<name>` (lowercase letters, digits and `-`, one dot)",
                self.id
            ));
        }
        if self.name.trim().is_empty() {
            return Err("`name` is empty".into());
        }
        if self.description.trim().is_empty() {
            return Err("`description` is empty".into());
        }
        if self.regex.is_empty() {
            return Err("`regex` is empty".into());
        }
        for k in &self.keywords {
            if k.len() < 3 {
                return Err(format!(
                    "keyword {k:?} is shorter than 3 bytes; short keywords match almost every line"
                ));
            }
        }
        if let Some(c) = &self.checksum {
            if !CHECKSUMS.contains(&c.as_str()) {
                return Err(format!(
                    "unknown checksum validator {c:?}; known: {}",
                    CHECKSUMS.join(", ")
                ));
            }
        }
        if let Some(e) = self.entropy {
            if !(0.0..=8.0).contains(&e) {
                return Err(format!("entropy {e} is outside 0..8 bits per byte"));
            }
        }
        if let Some(m) = self.min_classes {
            if !(1..=4).contains(&m) {
                return Err(format!("min_classes {m} is outside 1..4"));
            }
        }
        if self.max_length == Some(0) {
            return Err("max_length must be at least 1".into());
        }
        Ok(())
    }

    /// The longest match the engine looks for around a keyword.
    pub fn effective_max_length(&self) -> usize {
        self.max_length
            .unwrap_or(if self.multiline { 16384 } else { 1024 })
    }
}
