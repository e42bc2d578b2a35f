//! Gitleaks configs (`.gitleaks.toml`), mapped onto leaktrap's model.
//!
//! The schema is Gitleaks' (documented in `rules/README.md`, "Gitleaks
//! configs"): keys are case-insensitive, `[extend]` pulls in another config
//! (`useDefault` means leaktrap's built-in rules; `path` another Gitleaks
//! config, relative to the extending file), rule and global allowlists in
//! both the current (`[[…allowlists]]`) and legacy (`[…allowlist]`) forms,
//! `targetRules`, composite rules (`[[rules.required]]`) and `skipReport`.
//! Every regex is translated from Go RE2 syntax ([`crate::re2`]).

use crate::config::{parse_toml, ConfigError};
use crate::schema::{AllowDef, Condition, GroupRef, KeywordScope, RegexTarget, Required, RuleDef};
use crate::ConfigFile;
use leaktrap_core::{Confidence, Severity};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::{Table, Value};

/// Whether `text` looks like a Gitleaks config rather than a leaktrap one:
/// `[[rules]]` tables, `[extend]`, or `useDefault`, and no `[[rule]]`.
pub fn looks_like_gitleaks(text: &str) -> bool {
    let Ok(table) = text.parse::<Table>() else {
        // Unparsable: decide on the headers, so the error comes from the
        // right parser.
        let lower = text.to_ascii_lowercase();
        return (lower.contains("[[rules]]") || lower.contains("[extend]"))
            && !lower.contains("[[rule]]");
    };
    let keys: Vec<String> = table.keys().map(|k| k.to_ascii_lowercase()).collect();
    if keys.iter().any(|k| k == "rule") {
        return false;
    }
    keys.iter().any(|k| {
        matches!(
            k.as_str(),
            "rules" | "extend" | "allowlists" | "minversion" | "title"
        )
    }) || (keys.iter().any(|k| k == "allowlist") && !keys.iter().any(|k| k == "allow"))
}

/// Reads the config an `[extend] path` names: given the extending file's
/// origin and the path as written, returns the new origin and its text.
pub type ExtendReader<'a> = dyn FnMut(&str, &str) -> Result<(String, String), String> + 'a;

/// A Gitleaks config translated into a leaktrap [`ConfigFile`], with
/// warnings for what was ignored.
#[derive(Debug, Clone)]
pub struct Translated {
    pub file: ConfigFile,
    pub title: Option<String>,
    pub warnings: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct GlFile {
    title: Option<String>,
    extend: Option<GlExtend>,
    rules: Vec<GlRule>,
    allowlist: Option<GlAllow>,
    allowlists: Vec<GlAllow>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct GlExtend {
    path: Option<String>,
    url: Option<String>,
    usedefault: bool,
    disabledrules: Vec<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct GlRule {
    id: String,
    description: String,
    regex: Option<String>,
    path: Option<String>,
    secretgroup: usize,
    entropy: f64,
    keywords: Vec<String>,
    tags: Vec<String>,
    skipreport: bool,
    allowlist: Option<GlAllow>,
    allowlists: Vec<GlAllow>,
    required: Vec<GlRequired>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct GlRequired {
    id: String,
    withinlines: Option<u64>,
    withincolumns: Option<u64>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct GlAllow {
    description: Option<String>,
    condition: String,
    commits: Vec<String>,
    paths: Vec<String>,
    regextarget: String,
    regexes: Vec<String>,
    stopwords: Vec<String>,
    targetrules: Vec<String>,
}

const ALLOW_KEYS: &[&str] = &[
    "description",
    "condition",
    "commits",
    "paths",
    "regextarget",
    "regexes",
    "stopwords",
];

/// Gitleaks keys are case-insensitive: lowercase every table key.
fn lowercase_keys(v: Value) -> Value {
    match v {
        Value::Table(t) => Value::Table(
            t.into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), lowercase_keys(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(lowercase_keys).collect()),
        other => other,
    }
}

/// Keys Gitleaks does not know (it ignores them; we warn).
fn unknown_keys(t: &Table) -> Vec<String> {
    let mut out = Vec::new();
    let check = |t: &Table, known: &[&str], at: &str, out: &mut Vec<String>| {
        for k in t.keys() {
            if !known.contains(&k.as_str()) {
                out.push(if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                });
            }
        }
    };
    check(
        t,
        &[
            "title",
            "description",
            "minversion",
            "extend",
            "rules",
            "allowlist",
            "allowlists",
        ],
        "",
        &mut out,
    );
    let tables = |v: Option<&Value>| -> Vec<Table> {
        match v {
            Some(Value::Table(t)) => vec![t.clone()],
            Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_table().cloned()).collect(),
            _ => Vec::new(),
        }
    };
    for e in tables(t.get("extend")) {
        check(
            &e,
            &["path", "url", "usedefault", "disabledrules"],
            "extend",
            &mut out,
        );
    }
    let global_allow: Vec<&str> = ALLOW_KEYS.iter().copied().chain(["targetrules"]).collect();
    for key in ["allowlist", "allowlists"] {
        for a in tables(t.get(key)) {
            check(&a, &global_allow, key, &mut out);
        }
    }
    for r in tables(t.get("rules")) {
        check(
            &r,
            &[
                "id",
                "description",
                "regex",
                "path",
                "secretgroup",
                "entropy",
                "keywords",
                "tags",
                "skipreport",
                "allowlist",
                "allowlists",
                "required",
            ],
            "rules",
            &mut out,
        );
        for key in ["allowlist", "allowlists"] {
            for a in tables(r.get(key)) {
                check(&a, ALLOW_KEYS, &format!("rules.{key}"), &mut out);
            }
        }
        for q in tables(r.get("required")) {
            check(
                &q,
                &["id", "withinlines", "withincolumns"],
                "rules.required",
                &mut out,
            );
        }
    }
    out.sort();
    out.dedup();
    out
}

fn parse_file(origin: &str, text: &str) -> Result<(GlFile, Vec<String>), ConfigError> {
    let table: Table = parse_toml(origin, text)?;
    let Value::Table(table) = lowercase_keys(Value::Table(table)) else {
        unreachable!("a table stays a table")
    };
    let warnings = unknown_keys(&table)
        .into_iter()
        .map(|k| format!("{origin}: unknown key `{k}` ignored (Gitleaks ignores it too)"))
        .collect();
    let file = GlFile::deserialize(Value::Table(table)).map_err(|e| ConfigError::Parse {
        origin: origin.into(),
        line: 1,
        column: 1,
        message: format!("not a valid Gitleaks config: {}", e.message().trim()),
    })?;
    Ok((file, warnings))
}

/// Parses and translates a Gitleaks config. `read` loads configs named by
/// `[extend] path`.
///
/// # Errors
/// Malformed TOML, a wrong type, a regex that cannot be translated (naming
/// the rule), both `useDefault` and `path` in `[extend]`, both legacy and
/// current allowlist forms, an unknown `targetRules` or required rule id.
pub fn translate(
    origin: &str,
    text: &str,
    read: &mut ExtendReader<'_>,
) -> Result<Translated, ConfigError> {
    let mut warnings = Vec::new();
    let loaded = load(origin, text, read, 0, &mut warnings)?;
    let Loaded {
        title,
        use_default,
        rules,
        global,
        targeted,
        builtin_disabled,
    } = loaded;
    let mut rules = rules;
    for (id, lists) in targeted {
        let Some(r) = rules.iter_mut().find(|r| r.id == id) else {
            return Err(ConfigError::Rule {
                origin: origin.into(),
                rule: id,
                message: "`targetRules` of an allowlist names this id, but no rule has it".into(),
            });
        };
        r.allowlists.extend(lists);
    }
    for r in &rules {
        for q in &r.requires {
            if !rules.iter().any(|x| x.id == q.id) {
                return Err(ConfigError::Rule {
                    origin: origin.into(),
                    rule: r.id.clone(),
                    message: format!(
                        "[[rules.required]] names rule {:?}, which does not exist",
                        q.id
                    ),
                });
            }
        }
    }
    for r in &rules {
        r.validate().map_err(|message| ConfigError::Rule {
            origin: origin.into(),
            rule: r.id.clone(),
            message,
        })?;
    }
    let file = ConfigFile {
        use_builtin: Some(use_default),
        disable: builtin_disabled,
        allowlists: global,
        rule: rules,
        ..ConfigFile::default()
    };
    Ok(Translated {
        file,
        title,
        warnings,
    })
}

struct Loaded {
    title: Option<String>,
    use_default: bool,
    rules: Vec<RuleDef>,
    global: Vec<AllowDef>,
    targeted: Vec<(String, Vec<AllowDef>)>,
    /// `disabledRules` ids that name leaktrap built-in rules.
    builtin_disabled: Vec<String>,
}

/// Gitleaks follows `[extend]` at most this deep.
const MAX_EXTEND_DEPTH: usize = 2;

fn load(
    origin: &str,
    text: &str,
    read: &mut ExtendReader<'_>,
    depth: usize,
    warnings: &mut Vec<String>,
) -> Result<Loaded, ConfigError> {
    let (gl, w) = parse_file(origin, text)?;
    warnings.extend(w);
    let rule_err = |rule: &str, message: String| ConfigError::Rule {
        origin: origin.into(),
        rule: rule.into(),
        message,
    };
    let mut rules: Vec<RuleDef> = Vec::new();
    for r in &gl.rules {
        let def = translate_rule(r).map_err(|m| rule_err(&r.id, m))?;
        if let Some(i) = rules.iter().position(|x| x.id == def.id) {
            // Gitleaks keeps the last definition of a repeated id.
            rules[i] = def;
        } else {
            rules.push(def);
        }
    }
    let mut global = Vec::new();
    let mut targeted: Vec<(String, Vec<AllowDef>)> = Vec::new();
    if gl.allowlist.is_some() && !gl.allowlists.is_empty() {
        return Err(rule_err(
            "(global allowlist)",
            "[allowlist] (legacy) and [[allowlists]] cannot both be used; move the legacy table into [[allowlists]]".into(),
        ));
    }
    for a in gl.allowlist.iter().chain(&gl.allowlists) {
        let def = translate_allow(a).map_err(|m| rule_err("(global allowlist)", m))?;
        if a.targetrules.is_empty() {
            global.push(def);
        } else {
            for id in &a.targetrules {
                match targeted.iter_mut().find(|(t, _)| t == id) {
                    Some((_, v)) => v.push(def.clone()),
                    None => targeted.push((id.clone(), vec![def.clone()])),
                }
            }
        }
    }
    let mut out = Loaded {
        title: gl.title.clone(),
        use_default: false,
        rules,
        global,
        targeted,
        builtin_disabled: Vec::new(),
    };
    let Some(ext) = &gl.extend else {
        return Ok(out);
    };
    if ext.url.is_some() {
        warnings.push(format!(
            "{origin}: [extend] url is ignored (Gitleaks does not implement it either)"
        ));
    }
    if depth >= MAX_EXTEND_DEPTH {
        if ext.usedefault || ext.path.is_some() {
            warnings.push(format!(
                "{origin}: [extend] ignored: Gitleaks follows `extend` at most {MAX_EXTEND_DEPTH} levels deep"
            ));
        }
        return Ok(out);
    }
    let base = match (&ext.path, ext.usedefault) {
        (Some(_), true) => {
            return Err(rule_err(
                "(extend)",
                "[extend] sets both `useDefault` and `path`; keep one".into(),
            ))
        }
        (Some(path), false) => {
            let (o, t) = read(origin, path).map_err(|m| rule_err("(extend)", m))?;
            Some(load(&o, &t, read, depth + 1, warnings)?)
        }
        (None, true) => {
            out.use_default = true;
            None
        }
        (None, false) => None,
    };
    let disabled = &ext.disabledrules;
    let Some(base) = base else {
        // `useDefault`: the base rules are leaktrap's built-ins. Gitleaks'
        // ids do not name them; leaktrap ids do.
        for id in disabled {
            if id.contains('.') {
                out.builtin_disabled.push(id.clone());
            } else {
                warnings.push(format!(
                    "{origin}: disabledRules: {id:?} is a Gitleaks default rule id; `useDefault` \
                     means leaktrap's built-in rules, whose ids look like `github.pat` \
                     (`leaktrap rules list`); ignored"
                ));
            }
        }
        return Ok(out);
    };
    out.use_default |= base.use_default;
    out.builtin_disabled.extend(base.builtin_disabled);
    for id in disabled {
        if !base.rules.iter().any(|r| &r.id == id) {
            warnings.push(format!(
                "{origin}: disabledRules: {id:?} is not a rule of the extended config; ignored"
            ));
        }
    }
    let mine = std::mem::take(&mut out.rules);
    let mut merged: Vec<RuleDef> = Vec::new();
    for b in base.rules {
        if disabled.contains(&b.id) {
            continue;
        }
        merged.push(b);
    }
    for r in mine {
        match merged.iter_mut().find(|b| b.id == r.id) {
            Some(b) => merge_rule(b, r),
            None => merged.push(r),
        }
    }
    out.rules = merged;
    out.global.extend(base.global);
    for (id, lists) in base.targeted {
        match out.targeted.iter_mut().find(|(t, _)| *t == id) {
            Some((_, v)) => v.extend(lists),
            None => out.targeted.push((id, lists)),
        }
    }
    if out.title.is_none() {
        out.title = base.title;
    }
    Ok(out)
}

/// Gitleaks' merge of a redefined rule: what the extending config sets
/// wins; tags, keywords and allowlists are appended.
fn merge_rule(base: &mut RuleDef, mine: RuleDef) {
    if !mine.description.is_empty() && mine.description != mine.id {
        base.description = mine.description;
    }
    if mine.entropy.is_some() {
        base.entropy = mine.entropy;
    }
    if mine.secret_group.is_some() {
        base.secret_group = mine.secret_group;
    }
    if !mine.regex.is_empty() {
        base.regex = mine.regex;
    }
    if mine.path.is_some() {
        base.path = mine.path;
    }
    base.tags.extend(mine.tags);
    base.keywords.extend(mine.keywords);
    base.allowlists.extend(mine.allowlists);
}

fn tr(what: &str, p: &str) -> Result<String, String> {
    crate::re2::translate(p).map_err(|e| format!("{what}: cannot translate the Go regex: {e}"))
}

fn translate_rule(r: &GlRule) -> Result<RuleDef, String> {
    if r.id.trim().is_empty() {
        return Err("a [[rules]] table has an empty or missing `id`".into());
    }
    let regex = match &r.regex {
        Some(p) if !p.is_empty() => tr("regex", p)?,
        _ => String::new(),
    };
    let path = match &r.path {
        Some(p) if !p.is_empty() => Some(tr("path", p)?),
        _ => None,
    };
    if r.allowlist.is_some() && !r.allowlists.is_empty() {
        return Err(
            "[rules.allowlist] (legacy) and [[rules.allowlists]] cannot both be used".into(),
        );
    }
    let allowlists = r
        .allowlist
        .iter()
        .chain(&r.allowlists)
        .map(|a| {
            if !a.targetrules.is_empty() {
                return Err("`targetRules` is only valid in global allowlists".to_string());
            }
            translate_allow(a)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let requires = r
        .required
        .iter()
        .map(|q| {
            if q.id.trim().is_empty() {
                return Err("[[rules.required]] has an empty `id`".to_string());
            }
            Ok(Required {
                id: q.id.clone(),
                within_lines: q.withinlines,
                within_columns: q.withincolumns,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let description = if r.description.trim().is_empty() {
        r.id.clone()
    } else {
        r.description.clone()
    };
    Ok(RuleDef {
        id: r.id.clone(),
        name: r.id.clone(),
        description,
        severity: Severity::High,
        confidence: Confidence::default(),
        tags: r.tags.clone(),
        keywords: r.keywords.iter().map(|k| k.to_lowercase()).collect(),
        keyword_scope: KeywordScope::File,
        regex,
        path,
        skip_report: r.skipreport,
        requires,
        secret_group: (r.secretgroup > 0).then_some(GroupRef::Index(r.secretgroup)),
        multiline: true,
        max_length: None,
        entropy: (r.entropy != 0.0).then_some(r.entropy),
        min_classes: None,
        checksum: None,
        allow: AllowDef::default(),
        allowlists,
        examples: Vec::new(),
        negative_examples: Vec::new(),
        gitleaks: true,
    })
}

fn translate_allow(a: &GlAllow) -> Result<AllowDef, String> {
    let condition = match a.condition.to_ascii_uppercase().as_str() {
        "" | "OR" | "||" => Condition::Or,
        "AND" | "&&" => Condition::And,
        other => {
            return Err(format!(
                "unknown allowlist condition {other:?} (expected \"OR\" or \"AND\")"
            ))
        }
    };
    let regex_target = match a.regextarget.as_str() {
        "" | "secret" => RegexTarget::Secret,
        "match" => RegexTarget::Match,
        "line" => RegexTarget::Line,
        other => {
            return Err(format!(
            "unknown allowlist regexTarget {other:?} (expected \"secret\", \"match\" or \"line\")"
        ))
        }
    };
    let def = AllowDef {
        description: a.description.clone(),
        condition,
        commits: a.commits.clone(),
        paths: a
            .paths
            .iter()
            .map(|p| tr("allowlist path", p))
            .collect::<Result<_, _>>()?,
        regexes: a
            .regexes
            .iter()
            .map(|p| tr("allowlist regex", p))
            .collect::<Result<_, _>>()?,
        regex_target,
        stopwords: a.stopwords.clone(),
        gitleaks: true,
    };
    def.validate_listed()?;
    Ok(def)
}

/// Origin → text of configs, for tests and callers that hold them in memory.
pub fn reader_from_map(
    files: BTreeMap<String, String>,
) -> impl FnMut(&str, &str) -> Result<(String, String), String> {
    move |_from, path| {
        files
            .get(path)
            .map(|t| (path.to_string(), t.clone()))
            .ok_or_else(|| format!("cannot read extended config {path:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tr_ok(text: &str) -> Translated {
        let mut none = reader_from_map(BTreeMap::new());
        translate("g.toml", text, &mut none).unwrap_or_else(|e| panic!("{e}"))
    }

    fn tr_err(text: &str) -> String {
        let mut none = reader_from_map(BTreeMap::new());
        translate("g.toml", text, &mut none)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn detects_the_format() {
        assert!(looks_like_gitleaks("[[rules]]\nid = \"a\"\nregex = 'x'\n"));
        assert!(looks_like_gitleaks("[extend]\nuseDefault = true\n"));
        assert!(looks_like_gitleaks(
            "title = \"t\"\n[allowlist]\npaths = ['x']\n"
        ));
        assert!(!looks_like_gitleaks("[[rule]]\nid = \"a.b\"\n"));
        assert!(!looks_like_gitleaks(
            "disable = []\n[allow]\npaths = ['x']\n"
        ));
        assert!(!looks_like_gitleaks(""));
    }

    #[test]
    fn keys_are_case_insensitive_and_rules_translate() {
        let t = tr_ok(
            "title = 'T'\n[[rules]]\nID = 'tok'\nregex = '''tok_(\\w{8})'''\nSecretGroup = 1\nentropy = 2.5\nkeywords = ['TOK_']\nmystery = 1\n",
        );
        assert_eq!(t.title.as_deref(), Some("T"));
        assert_eq!(t.file.use_builtin, Some(false));
        let r = &t.file.rule[0];
        assert_eq!(r.id, "tok");
        assert_eq!(r.secret_group, Some(GroupRef::Index(1)));
        assert_eq!(r.entropy, Some(2.5));
        assert_eq!(r.keywords, vec!["tok_"]);
        assert!(r.regex.contains("[0-9A-Za-z_]{8}"), "{}", r.regex);
        assert!(t.warnings.iter().any(|w| w.contains("rules.mystery")));
    }

    #[test]
    fn allowlists_legacy_and_current_and_targets() {
        let t = tr_ok(
            "[[rules]]\nid = 'a'\nregex = 'a+'\n[rules.allowlist]\nstopwords = ['x']\n\
             [[rules]]\nid = 'b'\nregex = 'b+'\n[[rules.allowlists]]\ncondition = 'AND'\nregexTarget = 'line'\nregexes = ['q']\npaths = ['p']\n\
             [[allowlists]]\ntargetRules = ['a']\nstopwords = ['y']\n[[allowlists]]\npaths = ['z']\n",
        );
        let a = &t.file.rule[0];
        assert_eq!(a.allowlists.len(), 2);
        let b = &t.file.rule[1];
        assert_eq!(b.allowlists[0].condition, Condition::And);
        assert_eq!(b.allowlists[0].regex_target, RegexTarget::Line);
        assert_eq!(t.file.allowlists.len(), 1);
        let e = tr_err("[[rules]]\nid = 'a'\nregex = 'a'\n[[allowlists]]\ntargetRules = ['nope']\nstopwords = ['y']\n");
        assert!(e.contains("nope") && e.contains("targetRules"), "{e}");
        let e = tr_err("[allowlist]\npaths=['a']\n[[allowlists]]\npaths=['b']\n");
        assert!(e.contains("legacy"), "{e}");
        let e = tr_err("[[rules]]\nid = 'a'\nregex = 'a'\n[[rules.allowlists]]\ncondition = 'XOR'\nstopwords=['s']\n");
        assert!(e.contains("rule a") && e.contains("XOR"), "{e}");
        let e = tr_err(
            "[[rules]]\nid = 'a'\nregex = 'a'\n[[rules.allowlists]]\ndescription = 'empty'\n",
        );
        assert!(e.contains("at least one"), "{e}");
    }

    #[test]
    fn bad_regex_names_the_rule() {
        let e = tr_err("[[rules]]\nid = 'broken'\nregex = '''[abc'''\n");
        assert!(e.starts_with("g.toml: rule broken: regex:"), "{e}");
        let e = tr_err("[[rules]]\nid = 'nothing'\ndescription = 'd'\n");
        assert!(e.contains("rule nothing"), "{e}");
        let e = tr_err("[[rules]]\nid = 'a'\nregex = 'a'\n[[rules.required]]\nid = 'ghost'\n");
        assert!(e.contains("ghost"), "{e}");
    }

    #[test]
    fn extend_path_merges_and_disables() {
        let base = "title = 'base'\n[[rules]]\nid = 'one'\nregex = 'one'\nkeywords = ['one']\n\
                    [[rules]]\nid = 'two'\nregex = 'two'\n[[rules]]\nid = 'three'\nregex = 'three'\n\
                    [[allowlists]]\nstopwords = ['base']\n";
        let top = "[extend]\npath = 'base.toml'\ndisabledRules = ['two', 'missing']\n\
                   [[rules]]\nid = 'one'\nentropy = 3.0\nkeywords = ['uno']\n";
        let mut read = reader_from_map([("base.toml".to_string(), base.to_string())].into());
        let t = translate("top.toml", top, &mut read).unwrap();
        let ids: Vec<&str> = t.file.rule.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, vec!["one", "three"]);
        let one = &t.file.rule[0];
        assert_eq!(one.entropy, Some(3.0));
        assert_eq!(one.keywords, vec!["one", "uno"]);
        assert!(one.regex.ends_with("one"));
        assert_eq!(t.file.allowlists.len(), 1);
        assert_eq!(t.title.as_deref(), Some("base"));
        assert!(t.warnings.iter().any(|w| w.contains("missing")));
        let e = tr_err("[extend]\nuseDefault = true\npath = 'x'\n");
        assert!(e.contains("useDefault"), "{e}");
    }

    #[test]
    fn use_default_maps_to_builtins() {
        let t =
            tr_ok("[extend]\nuseDefault = true\ndisabledRules = ['github-pat', 'github.pat']\n");
        assert_eq!(t.file.use_builtin, Some(true));
        assert_eq!(t.file.disable, vec!["github.pat"]);
        assert!(t.warnings.iter().any(|w| w.contains("github-pat")));
    }
}
