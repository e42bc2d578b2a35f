//! Runs every rule's inline examples through the real engine.

use crate::{Engine, Match, Scratch};
use leaktrap_rules::{Rule, RuleSet};

/// One way a rule's examples disagree with the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    pub origin: String,
    pub rule: String,
    /// What failed, e.g. `examples[2]: no finding`.
    pub message: String,
}

impl std::fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: rule {}: {}", self.origin, self.rule, self.message)
    }
}

/// Compiles `rules` as one set and checks each rule's examples: every example
/// must yield an unsuppressed finding of that rule (with the pinned secret,
/// where one is given), and no negative example may yield one. With `strict`
/// (built-in rules), a rule must also have keywords, at least one example and
/// at least one negative example. All failures are collected, none hidden.
///
/// Failures name the rule and the example's index; they never quote example
/// text (examples are fake, but a user's rule file might hold anything).
///
/// # Errors
/// A pattern that does not compile.
pub fn check_rules(
    rules: &[Rule],
    strict: bool,
) -> Result<Vec<ExampleFailure>, crate::CompileError> {
    let set = RuleSet {
        rules: rules.to_vec(),
        allow: Default::default(),
        allowlists: Vec::new(),
        inline_markers: vec!["leaktrap:allow".into()],
    };
    let engine = Engine::compile(&set)?;
    engine.compile_all()?;
    let mut scratch = Scratch::default();
    let mut failures = Vec::new();
    let mut out: Vec<Match> = Vec::new();
    for (idx, rule) in rules.iter().enumerate() {
        let def = &rule.def;
        let mut fail = |message: String| {
            failures.push(ExampleFailure {
                origin: rule.origin.clone(),
                rule: def.id.clone(),
                message,
            })
        };
        if strict {
            if def.keywords.is_empty() && !crate::compile::whole_file_rule(def) {
                fail(
                    "has no keywords: it would run its regex over every byte of every file (only a rule with a `path` and a regex starting with `\\A` may go without)".into(),
                );
            }
            if def.examples.is_empty() {
                fail("has no examples".into());
            }
            if def.negative_examples.is_empty() {
                fail("has no negative examples".into());
            }
        }
        for (i, ex) in def.examples.iter().enumerate() {
            out.clear();
            engine.scan_example(ex.text().as_bytes(), idx, &mut scratch, &mut out);
            let mine: Vec<&Match> = out.iter().filter(|m| m.rule == idx).collect();
            let live: Vec<&&Match> = mine.iter().filter(|m| m.suppressed.is_none()).collect();
            if live.is_empty() {
                let why = if let Some(m) = mine.first() {
                    format!("suppressed by {}", m.suppressed.map_or("?", |s| s.as_str()))
                } else if let Some(other) = out.iter().find(|m| m.suppressed.is_none()) {
                    format!(
                        "no finding of this rule (rule {} reported the text instead)",
                        engine.rule_meta(other.rule).id
                    )
                } else {
                    "no finding".into()
                };
                fail(format!("examples[{i}]: {why}"));
                continue;
            }
            if let Some(want) = ex.secret() {
                let text = ex.text().as_bytes();
                if !live
                    .iter()
                    .any(|m| &text[m.secret_start..m.secret_end] == want.as_bytes())
                {
                    let got: Vec<usize> =
                        live.iter().map(|m| m.secret_end - m.secret_start).collect();
                    fail(format!(
                        "examples[{i}]: the extracted secret differs from the pinned `secret` ({} chars pinned, {got:?} extracted)",
                        want.chars().count()
                    ));
                }
            }
        }
        for (i, text) in def.negative_examples.iter().enumerate() {
            out.clear();
            engine.scan_example(text.as_bytes(), idx, &mut scratch, &mut out);
            if out.iter().any(|m| m.rule == idx && m.suppressed.is_none()) {
                fail(format!("negative_examples[{i}]: yields a finding"));
            }
        }
    }
    Ok(failures)
}
