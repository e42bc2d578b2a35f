//! Rule files and configuration of leaktrap.
//!
//! Parses rule files (`rules/*.toml`, embedded at build time, and users' own),
//! `.leaktrap.toml` configs, and validates them into a [`RuleSet`]: rule ids,
//! keywords, checksum names, disabled ids and severity overrides are checked
//! here, with errors that name the file, the line and the rule.
//!
//! It must not compile regexes for matching (the engine does) nor find files
//! on disk (the command line does): it parses text it is given.

mod config;
pub mod gitleaks;
pub mod gitleaks_ids;
pub mod re2;
mod schema;

pub use config::{Config, ConfigError, ConfigFile, ConfigFormat};
pub use schema::{
    AllowDef, Condition, Example, GroupRef, KeywordScope, RegexTarget, Required, RuleDef, RuleFile,
    CHECKSUMS,
};

use leaktrap_core::RuleMeta;
use std::collections::BTreeSet;
use std::sync::Arc;

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
}

/// A rule with where it came from, ready for the engine. It serializes to
/// what decides its matches (see [`RuleSet::digest_input`]).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rule {
    pub def: RuleDef,
    /// Derived from `def`.
    #[serde(skip)]
    pub meta: Arc<RuleMeta>,
    /// The file that defined it (`rules/github.toml`, or a config path).
    /// Left out of the digest: the same file named another way is the same rule.
    #[serde(skip)]
    pub origin: String,
    /// Shipped with leaktrap (and proven by its test suite): the engine may
    /// compile it on first use instead of up front.
    pub builtin: bool,
}

/// Everything the engine needs: the rules in force and the global allowlist.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub allow: AllowDef,
    /// More global allowlists (Gitleaks' `[[allowlists]]`).
    pub allowlists: Vec<AllowDef>,
    /// Substrings that suppress a match on their line (`leaktrap:allow`).
    pub inline_markers: Vec<String>,
}

impl RuleSet {
    /// The rule set as canonical JSON: every rule (as in force, severity
    /// overrides applied), the global allowlist and the inline markers, in
    /// a fixed order. Its SHA-256 identifies the rules a scan ran with (the
    /// evidence record carries it); equal digests mean equal behaviour for
    /// the same leaktrap version.
    pub fn digest_input(&self) -> Vec<u8> {
        let mut rules: Vec<&Rule> = self.rules.iter().collect();
        rules.sort_by(|a, b| a.def.id.cmp(&b.def.id));
        let canonical = serde_json::json!({
            "rules": rules,
            "allow": self.allow,
            "inline_markers": self.inline_markers,
        });
        serde_json::to_vec(&canonical).unwrap_or_default()
    }
}

/// The built-in rule files, as embedded: (file name, TOML text).
pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
    builtin::BUILTIN_FILES
}

/// Parses and validates the built-in rules.
///
/// # Errors
/// Only if a built-in file is broken, which the test suite rules out.
pub fn builtin_rules() -> Result<Vec<Rule>, ConfigError> {
    let mut rules = Vec::new();
    for (name, text) in builtin_files() {
        let parsed = parse_rule_file(&format!("rules/{name}"), text)?;
        rules.extend(parsed.into_iter().map(|r| Rule { builtin: true, ..r }));
    }
    check_unique(&rules)?;
    Ok(rules)
}

/// Parses one rule file (`[[rule]]` tables) and validates each rule.
///
/// # Errors
/// A TOML error (with line and column), an unknown field, or a rule that
/// fails validation (bad id, short keyword, unknown checksum).
pub fn parse_rule_file(origin: &str, text: &str) -> Result<Vec<Rule>, ConfigError> {
    let file: RuleFile = config::parse_toml(origin, text)?;
    file.rule
        .into_iter()
        .map(|def| make_rule(origin, def))
        .collect()
}

pub(crate) fn make_rule(origin: &str, def: RuleDef) -> Result<Rule, ConfigError> {
    def.validate().map_err(|message| ConfigError::Rule {
        origin: origin.to_string(),
        rule: def.id.clone(),
        message,
    })?;
    let meta = Arc::new(RuleMeta {
        id: def.id.clone(),
        name: def.name.clone(),
        description: def.description.clone(),
        severity: def.severity,
        confidence: def.confidence,
        tags: def.tags.clone(),
    });
    Ok(Rule {
        def,
        meta,
        origin: origin.to_string(),
        builtin: false,
    })
}

fn check_unique(rules: &[Rule]) -> Result<(), ConfigError> {
    let mut seen = BTreeSet::new();
    for r in rules {
        if !seen.insert(r.def.id.as_str()) {
            return Err(ConfigError::Rule {
                origin: r.origin.clone(),
                rule: r.def.id.clone(),
                message: "this rule id is defined twice; ids must be unique".into(),
            });
        }
    }
    Ok(())
}

/// Builds the rule set in force: built-ins (unless `use_builtin` is false),
/// plus the config's rules, minus disabled ids, with severity overrides.
///
/// # Errors
/// A disabled or overridden id that names no rule, a user rule whose id
/// clashes with another, or a broken built-in file.
pub fn build_ruleset(config: &Config) -> Result<RuleSet, ConfigError> {
    let mut rules = if config.file.use_builtin.unwrap_or(true) {
        builtin_rules()?
    } else {
        Vec::new()
    };
    for def in &config.file.rule {
        rules.push(make_rule(&config.origin, def.clone())?);
    }
    check_unique(&rules)?;
    let known: BTreeSet<String> = rules.iter().map(|r| r.def.id.clone()).collect();
    for id in &config.file.disable {
        if !known.contains(id) {
            return Err(ConfigError::UnknownRule {
                origin: config.origin.clone(),
                key: "disable",
                rule: id.clone(),
                hint: nearest(id, &known),
            });
        }
    }
    for id in config.file.severity.keys() {
        if !known.contains(id) {
            return Err(ConfigError::UnknownRule {
                origin: config.origin.clone(),
                key: "severity",
                rule: id.clone(),
                hint: nearest(id, &known),
            });
        }
    }
    let disabled: BTreeSet<&String> = config.file.disable.iter().collect();
    rules.retain(|r| !disabled.contains(&r.def.id));
    for r in &mut rules {
        if let Some(sev) = config.file.severity.get(&r.def.id) {
            r.def.severity = *sev;
            Arc::make_mut(&mut r.meta).severity = *sev;
        }
    }
    for r in &rules {
        for q in &r.def.requires {
            if !rules.iter().any(|x| x.def.id == q.id) {
                return Err(ConfigError::Rule {
                    origin: r.origin.clone(),
                    rule: r.def.id.clone(),
                    message: format!("`requires` names rule {:?}, which is not in force", q.id),
                });
            }
        }
    }
    Ok(RuleSet {
        rules,
        allow: config.file.allow.clone(),
        allowlists: config.file.allowlists.clone(),
        inline_markers: vec!["leaktrap:allow".to_string()],
    })
}

/// The known id closest to `id`, for "did you mean" hints.
fn nearest(id: &str, known: &BTreeSet<String>) -> Option<String> {
    known
        .iter()
        .map(|k| (edit_distance(id, k), k))
        .filter(|(d, k)| *d <= 3.max(k.len() / 4))
        .min()
        .map(|(_, k)| k.clone())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use leaktrap_core::Severity;

    #[test]
    fn builtin_rules_parse_and_are_unique() {
        let rules = builtin_rules().expect("built-in rules parse");
        assert!(!rules.is_empty());
    }

    #[test]
    fn unknown_disabled_id_is_named_with_a_hint() {
        let rules = builtin_rules().unwrap();
        let some_id = rules[0].def.id.clone();
        let typo = format!("{some_id}x");
        let cfg = Config::parse(".leaktrap.toml", &format!("disable = [{typo:?}]\n")).unwrap();
        let err = build_ruleset(&cfg).unwrap_err().to_string();
        assert!(err.contains(&typo), "{err}");
        assert!(err.contains(&some_id), "hint missing: {err}");
    }

    #[test]
    fn disable_and_severity_override_apply() {
        let rules = builtin_rules().unwrap();
        let a = rules[0].def.id.clone();
        let b = rules[1].def.id.clone();
        let cfg = Config::parse(
            "c.toml",
            &format!("disable = [{a:?}]\n[severity]\n{b:?} = \"info\"\n"),
        )
        .unwrap();
        let set = build_ruleset(&cfg).unwrap();
        assert!(set.rules.iter().all(|r| r.def.id != a));
        let rb = set.rules.iter().find(|r| r.def.id == b).unwrap();
        assert_eq!(rb.meta.severity, Severity::Info);
    }
}
