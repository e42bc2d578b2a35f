//! The rule-file schema, as documented in `rules/README.md`.

use leaktrap_core::{Confidence, Severity};
use serde::{Deserialize, Serialize};

/// Named checksum validators the engine implements.
pub const CHECKSUMS: &[&str] = &[
    "crc32-base62",
    "gitlab-routable",
    "crc32-hex-le",
    "sentry-org-token",
];

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
    /// Where keywords must occur: `line` (default: the regex runs on the
    /// lines around keyword hits) or `file` (a hit anywhere runs the regex
    /// over the whole file, as Gitleaks does).
    #[serde(default, skip_serializing_if = "KeywordScope::is_line")]
    pub keyword_scope: KeywordScope,
    /// The pattern. May be empty when `path` is set: the rule then reports
    /// every file whose path matches.
    #[serde(default)]
    pub regex: String,
    /// A regex on the path (relative, `/`-separated): the rule applies only
    /// to matching files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// An auxiliary rule: its matches serve `requires` of other rules and
    /// are never reported themselves.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub skip_report: bool,
    /// A composite rule: a match is reported only when each required rule
    /// matches near it in the same file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<Required>,
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
    /// More allowlists, each with its own `condition`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowlists: Vec<AllowDef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Example>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub negative_examples: Vec<String>,
    /// Loaded from a Gitleaks config: Gitleaks' matching semantics (see
    /// `rules/README.md`, "Gitleaks configs").
    #[serde(skip)]
    pub gitleaks: bool,
}

/// Where a rule's keywords must occur for its regex to run there.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum KeywordScope {
    #[default]
    Line,
    File,
}

impl KeywordScope {
    fn is_line(&self) -> bool {
        *self == KeywordScope::Line
    }
}

/// A rule that must match near a composite rule's match.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Required {
    pub id: String,
    /// At most this many lines apart (start lines of the matches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_lines: Option<u64>,
    /// At most this many columns apart (start columns, in bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_columns: Option<u64>,
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

/// How an allowlist's criteria combine.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Condition {
    /// Any criterion that holds suppresses the match.
    #[default]
    Or,
    /// Every criterion given must hold.
    And,
}

impl Condition {
    fn is_or(&self) -> bool {
        *self == Condition::Or
    }
}

/// An allowlist: with `condition = "or"` (the default) any criterion that
/// holds suppresses the match; with `"and"`, every criterion given must.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct AllowDef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Condition::is_or")]
    pub condition: Condition,
    /// Commit ids (full SHA-1, any case): matches introduced by these
    /// commits are suppressed (history scans only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commits: Vec<String>,
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
    /// From a Gitleaks config: stopwords are not also tried on the
    /// secret's base64 decoding.
    #[serde(skip)]
    pub gitleaks: bool,
}

impl AllowDef {
    /// # Errors
    /// An allowlist in a list of allowlists with nothing in it.
    pub fn validate_listed(&self) -> Result<(), String> {
        if self.is_empty() {
            return Err(
                "an allowlist needs at least one of `commits`, `paths`, `regexes`, `stopwords`"
                    .into(),
            );
        }
        Ok(())
    }

    /// Checks commit ids (`strict`: they must be full ids, since Gitleaks'
    /// exact comparison would silently never match a short one).
    ///
    /// # Errors
    /// A commit id that is not 40 hex digits.
    pub fn validate(&self, strict: bool) -> Result<(), String> {
        for c in self.commits.iter().filter(|_| strict) {
            if c.len() != 40 || !c.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!(
                    "allowlist commit {c:?} is not a full 40-digit commit id"
                ));
            }
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
            && self.regexes.is_empty()
            && self.stopwords.is_empty()
            && self.commits.is_empty()
    }

    /// Whether the allowlist looks only at paths and commits, so that it can
    /// be decided before the content is scanned.
    pub fn is_location_only(&self) -> bool {
        self.regexes.is_empty() && self.stopwords.is_empty()
    }
}

impl RuleDef {
    /// Checks what can be checked without compiling the regex.
    ///
    /// # Errors
    /// A message saying what is wrong and how to fix it.
    pub fn validate(&self) -> Result<(), String> {
        if self.gitleaks {
            return self.validate_common();
        }
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
        for k in &self.keywords {
            if k.len() < 3 {
                return Err(format!(
                    "keyword {k:?} is shorter than 3 bytes; short keywords match almost every line"
                ));
            }
        }
        self.validate_common()
    }

    fn validate_common(&self) -> Result<(), String> {
        if self.id.trim().is_empty() {
            return Err("the rule id is empty".into());
        }
        if self.regex.is_empty() && self.path.is_none() {
            return Err("`regex` is empty (a rule needs `regex`, `path` or both)".into());
        }
        if self.regex.is_empty() && !self.requires.is_empty() {
            return Err("a rule with `requires` needs a `regex`".into());
        }
        self.allow.validate(!self.gitleaks)?;
        for a in &self.allowlists {
            a.validate_listed()?;
            a.validate(!self.gitleaks)?;
        }
        for r in &self.requires {
            if r.id == self.id {
                return Err("a rule cannot require itself".into());
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
