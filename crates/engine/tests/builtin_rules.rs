//! Every example and negative example of every built-in rule, through the
//! real engine, with all failures reported at once.

use leaktrap_engine::check_rules;
use leaktrap_rules::builtin_rules;

#[test]
fn every_builtin_example_passes() {
    let rules = builtin_rules().expect("built-in rule files parse");
    assert!(rules.len() >= 40, "only {} built-in rules", rules.len());
    let failures = check_rules(&rules, true).expect("built-in rules compile");
    if !failures.is_empty() {
        let list: Vec<String> = failures.iter().map(ToString::to_string).collect();
        panic!(
            "{} example failure(s):\n{}",
            failures.len(),
            list.join("\n")
        );
    }
}

#[test]
fn builtin_rules_exercise_every_engine_feature() {
    let rules = builtin_rules().unwrap();
    let any = |f: &dyn Fn(&leaktrap_rules::RuleDef) -> bool| rules.iter().any(|r| f(&r.def));
    assert!(any(&|d| d.checksum.is_some()), "a rule with a checksum");
    assert!(any(&|d| d.multiline), "a multi-line rule");
    assert!(
        any(&|d| d.entropy.is_some()),
        "a rule with an entropy bound"
    );
    assert!(
        any(&|d| d.min_classes.is_some()),
        "a rule with a character-class bound"
    );
    assert!(
        any(&|d| !d.allow.stopwords.is_empty()),
        "a rule with stopwords"
    );
    assert!(
        any(&|d| d.examples.iter().any(|e| e.secret().is_some())),
        "a pinned secret"
    );
    assert!(
        any(&|d| d.confidence == leaktrap_core::Confidence::Low),
        "a generic rule"
    );
}
