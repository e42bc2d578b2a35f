//! Compiling a rule set, and scanning a buffer with it.

use crate::checksum::Checksum;
use crate::filters::{char_classes, shannon_entropy};
use crate::keywords::Keywords;
use crate::{decode, Decoded, Match, Scratch, Window};
use aho_corasick::AhoCorasick;
use leaktrap_core::{RuleMeta, SuppressionKind};
use leaktrap_rules::{AllowDef, Condition, GroupRef, KeywordScope, RegexTarget, Rule, RuleSet};
use memchr::memmem;
use regex::bytes::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use std::sync::{Arc, OnceLock};
use thiserror::Error;

/// A rule that cannot be compiled, named with its origin and the reason.
#[derive(Debug, Error)]
#[error("{origin}: rule {rule}: {what}: {message}")]
pub struct CompileError {
    pub origin: String,
    pub rule: String,
    /// Which pattern: `regex`, `allow.regexes`, `allow.paths`, `secret_group`.
    pub what: String,
    pub message: String,
}

pub(crate) struct CompiledRule {
    pub(crate) meta: Arc<RuleMeta>,
    multiline: bool,
    /// A keyword hit runs the regex over the whole buffer.
    file_scope: bool,
    /// Gitleaks semantics: secret extraction, strict entropy, de-duplication.
    gitleaks: bool,
    /// `requires`: (rule index, within lines, within columns).
    requires: Vec<(usize, Option<u64>, Option<u64>)>,
    max_len: usize,
    entropy: Option<f32>,
    min_classes: Option<u8>,
    checksum: Option<Checksum>,
    /// What the matcher is built from, kept for lazy compilation.
    source: Rule,
    /// The regex and allowlist: built up front for users' rules (so errors
    /// surface before scanning), on first use for built-in rules (so a scan
    /// of one small file compiles only the rules its keywords call for).
    matcher: OnceLock<Option<Matcher>>,
}

struct Matcher {
    regex: Regex,
    secret_group: usize,
    /// Groups named `secret2`, `secret3`, …: alternatives to `secret`
    /// (e.g. a double-quoted, single-quoted and bare value), tried in order
    /// when the secret group took no part in the match.
    alt_groups: Vec<usize>,
    allow: Vec<CompiledAllow>,
}

impl Matcher {
    /// The secret's span in a match: the secret group, else the first
    /// alternative group that took part.
    fn secret_span(&self, locs: &regex::bytes::CaptureLocations) -> Option<(usize, usize)> {
        locs.get(self.secret_group)
            .or_else(|| self.alt_groups.iter().find_map(|&g| locs.get(g)))
    }
}

/// What `{assign}` in a built-in or user rule's regex stands for: everything
/// between a name and its value in the assignment syntaxes of config files
/// and source code. The name's closing quote (with `]` of an index or `)` of
/// a call), then one of: `=`, `:`, `:=`, `=>`, `?=`, `+=`, `??=`, `||=`,
/// `:-` (a shell default), `(` (a setter or builder call, `setPassword(`); a
/// type annotation (`: &str =`, `: string =`, Go's `NAME string =`, .NET's
/// `key="NAME" value=`); a C# property's initializer (`{ get; set; } =`);
/// or, after a quoted name only, `>` (`<string name="api_key">…`). Spaces
/// around it; the value's opening quote is not included. (A comma after a quoted name, and `||`, `??` or `or` after a
/// lookup, are left out: in code they join a name to the next argument or
/// operand far more often than to a value; rules that want
/// `getenv("NAME", "default")` spell it out with a quoted value.)
pub const ASSIGN: &str = r#"(?:\\?["'`][\])]?(?:>|[ \t]*(?::=|=>|\?\?=|\|\|=|\?=|\+=|=|:-|:|\()[ \t]*|[ \t]*:[ \t]*&?(?:'static[ \t]+)?[A-Za-z_][A-Za-z0-9_:<>\[\]]*[ \t]*=[ \t]*|[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*=[ \t]*)|[ \t]*(?::=|=>|\?\?=|\|\|=|\?=|\+=|=|:-|:|\()[ \t]*|[ \t]*:[ \t]*&?(?:'static[ \t]+)?[A-Za-z_][A-Za-z0-9_:<>\[\]]*[ \t]*=[ \t]*|[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*=[ \t]*|[ \t]*\{[ \t]*get;[^}\r\n]*\}[ \t]*=[ \t]*)"#;

/// What `{qualifier}` stands for: an optional suffix of a name that does not
/// change what it holds — an environment (`_PROD`, `-staging`, `Live`), a
/// role (`_PRIMARY`, `_ADMIN`, `_RO`), an age (`_OLD`, `_NEXT`), an encoding
/// (`_B64`, `_VALUE`) or an ordinal (`2`, `_V3`). A closed list, so that
/// `PASSWORD_FILE`, `TOKEN_URL` or `API_KEY_HEADER` never read as the name of
/// a secret.
pub const QUALIFIER: &str = r"(?i:[_.-]?(?:prod(?:uction)?|live|stag(?:e|ing)|stg|dev(?:elopment)?|test(?:ing)?|qa|uat|sandbox|local|preprod|demo|primary|secondary|backup|old|new|legacy|current|next|prev(?:ious)?|main|master|default|admin|root|readonly|ro|rw|value|raw|plain(?:text)?|str(?:ing)?|b64|base64|v?[0-9]{1,2}))?";

/// What `{join}` stands for, in rules whose value has a format of its own (a
/// provider's key after the provider's variable name): `{qualifier}`, then
/// any `{assign}` join, or a comma (`define('NAME', 'v')`, `setenv("NAME",
/// "v")`, a CSV field), `||` or `??` (lookup defaults), a Markdown table's
/// `|`, `>` (an XML element), "`NAME` to `v`" in prose, or blanks alone
/// (`setx NAME v`, `SetEnv NAME v`, TSV); then the value's optional opening
/// quote. Broader than `{assign}`: the value's own format keeps it precise.
fn join() -> String {
    format!(
        r#"{QUALIFIER}(?:{ASSIGN}|["'`]?[ \t]*,[ \t]*|["'`]?[\])]?[ \t]*(?:\|\||\?\?|\|)[ \t]*|["'`]?>|["'`][ \t]+(?:to|is)[ \t]+|["'`]?[ \t]+)["'`]?"#
    )
}

/// A rule whose file's content is the secret (an Ansible `.vault_pass`):
/// limited to a `path`, with no keywords, not `multiline`, and a regex
/// anchored at the start of the buffer (`\A`). Cheap to try on every buffer
/// (the anchored search ends at the first byte that cannot belong to the
/// value), so it needs no keyword; and, not being multi-line, it is taken to
/// match within a line (a one-line file), so it does not make history
/// rescan a changed version whole.
pub(crate) fn whole_file_rule(def: &leaktrap_rules::RuleDef) -> bool {
    def.keywords.is_empty() && def.path.is_some() && !def.multiline && def.regex.starts_with(r"\A")
}

/// A rule's regex with its macros (`{assign}`, `{qualifier}`, `{join}`)
/// expanded. Gitleaks rules are taken as written.
fn expand_macros(def: &leaktrap_rules::RuleDef) -> std::borrow::Cow<'_, str> {
    if def.gitleaks || !def.regex.contains('{') {
        return std::borrow::Cow::Borrowed(&def.regex);
    }
    let mut s = def.regex.clone();
    if s.contains("{join}") {
        s = s.replace("{join}", &join());
    }
    s = s
        .replace("{assign}", ASSIGN)
        .replace("{qualifier}", QUALIFIER);
    if s == def.regex {
        std::borrow::Cow::Borrowed(&def.regex)
    } else {
        std::borrow::Cow::Owned(s)
    }
}

impl CompiledRule {
    fn matcher(&self) -> Option<&Matcher> {
        self.matcher
            .get_or_init(|| build_matcher(&self.source).ok())
            .as_ref()
    }
}

/// `secret` read as base64 (standard or URL-safe, padded or not), when
/// that gives printable text: a placeholder such as
/// `ZXhhbXBsZS1hcHAtc2VjcmV0` ("example-app-secret") meets the stopwords
/// its plain form would. Random tokens decode to binary and are left alone.
fn decoded_text(secret: &[u8]) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    use base64::Engine as _;
    if secret.len() < 12 {
        return None;
    }
    let body = secret
        .strip_suffix(b"==")
        .or_else(|| secret.strip_suffix(b"="))
        .unwrap_or(secret);
    let text = STANDARD_NO_PAD
        .decode(body)
        .or_else(|_| URL_SAFE_NO_PAD.decode(body))
        .ok()?;
    text.iter()
        .all(|&b| (0x20..0x7f).contains(&b) || b == b'\n' || b == b'\t')
        .then_some(text)
}

#[derive(Default)]
struct CompiledAllow {
    and: bool,
    regexes: Vec<Regex>,
    target: RegexTarget,
    /// Case-insensitive stopwords.
    stopwords: Option<AhoCorasick>,
    /// Also try stopwords on the secret's base64 decoding.
    decode: bool,
    /// AND lists only (OR lists' paths are applied before scanning).
    paths: Vec<Regex>,
    /// Lowercase full commit ids.
    commits: Vec<String>,
}

impl CompiledAllow {
    fn compile(
        def: &AllowDef,
        err: impl Fn(&str, String) -> CompileError,
    ) -> Result<Self, CompileError> {
        let regexes = def
            .regexes
            .iter()
            .map(|p| build_regex(p).map_err(|e| err("allow.regexes", e)))
            .collect::<Result<Vec<_>, _>>()?;
        let stopwords = if def.stopwords.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .build(&def.stopwords)
                    .map_err(|e| err("allow.stopwords", e.to_string()))?,
            )
        };
        let and = def.condition == Condition::And;
        let paths = if and {
            def.paths
                .iter()
                .map(|p| build_regex(p).map_err(|e| err("allow.paths", e)))
                .collect::<Result<Vec<_>, _>>()?
        } else {
            Vec::new()
        };
        Ok(CompiledAllow {
            and,
            regexes,
            target: def.regex_target,
            stopwords,
            decode: !def.gitleaks,
            paths,
            commits: def.commits.iter().map(|c| c.to_ascii_lowercase()).collect(),
        })
    }

    fn stopword(&self, secret: &[u8]) -> bool {
        self.stopwords.as_ref().is_some_and(|sw| {
            sw.is_match(secret)
                || (self.decode && decoded_text(secret).is_some_and(|t| sw.is_match(&t)))
        })
    }

    /// Whether the list suppresses a match, judged on its content and, for
    /// AND lists, the path (`None`: unknown, so a path criterion fails).
    /// Commits are unknown while scanning: a commit criterion fails here and
    /// is judged by [`Engine::history_allowlisted`].
    fn allows(
        &self,
        secret: &[u8],
        matched: &[u8],
        line: &mut dyn FnMut() -> (usize, usize),
        data: &[u8],
        path: Option<&str>,
    ) -> bool {
        let regex = |line: &mut dyn FnMut() -> (usize, usize)| {
            let target = match self.target {
                RegexTarget::Secret => secret,
                RegexTarget::Match => matched,
                RegexTarget::Line => {
                    let (s, e) = line();
                    &data[s..e]
                }
            };
            self.regexes.iter().any(|r| r.is_match(target))
        };
        if !self.and {
            return self.stopword(secret) || (!self.regexes.is_empty() && regex(line));
        }
        if !self.commits.is_empty() {
            return false;
        }
        if !self.paths.is_empty() {
            let Some(p) = path else { return false };
            if !self.paths.iter().any(|r| r.is_match(p.as_bytes())) {
                return false;
            }
        }
        if self.stopwords.is_some() && !self.stopword(secret) {
            return false;
        }
        if !self.regexes.is_empty() && !regex(line) {
            return false;
        }
        // An AND list of paths alone is applied before scanning.
        self.stopwords.is_some() || !self.regexes.is_empty()
    }

    /// Judged once the path and the commit are known (history scans): OR
    /// lists on their commits and paths, AND lists that name a commit or a
    /// path, on everything they give. A regex on the match or the line is
    /// judged on `context` (the text it targets, when the caller could
    /// read it); without it, such an AND list does not suppress (fail
    /// closed). (An OR list's paths were applied before scanning.)
    fn allows_in_history(
        &self,
        secret: &[u8],
        path: &str,
        commit: &str,
        context: &mut dyn FnMut(RegexTarget) -> Option<Vec<u8>>,
    ) -> bool {
        let commit_ok = || self.commits.iter().any(|c| c.eq_ignore_ascii_case(commit));
        if !self.and {
            return commit_ok();
        }
        if self.commits.is_empty() && self.paths.is_empty() {
            return false;
        }
        if !self.commits.is_empty() && !commit_ok() {
            return false;
        }
        if !self.paths.is_empty() && !self.paths.iter().any(|r| r.is_match(path.as_bytes())) {
            return false;
        }
        if self.stopwords.is_some() && !self.stopword(secret) {
            return false;
        }
        if !self.regexes.is_empty() {
            let hit = match self.target {
                RegexTarget::Secret => self.regexes.iter().any(|r| r.is_match(secret)),
                t => context(t).is_some_and(|text| self.regexes.iter().any(|r| r.is_match(&text))),
            };
            if !hit {
                return false;
            }
        }
        true
    }
}

/// An AND list that names a commit or a path and has a regex on the match
/// or the line: in history, judged only with the content.
fn needs_content_in_history(def: &AllowDef) -> bool {
    def.condition == Condition::And
        && (!def.commits.is_empty() || !def.paths.is_empty())
        && !def.regexes.is_empty()
        && def.regex_target != RegexTarget::Secret
}

/// Whether an allowlist decides on paths before any content is read: an OR
/// list's `paths`, or an AND list of `paths` alone.
fn pre_scan_paths(def: &AllowDef) -> &[String] {
    let usable = match def.condition {
        Condition::Or => true,
        Condition::And => def.is_location_only() && def.commits.is_empty(),
    };
    if usable {
        &def.paths
    } else {
        &[]
    }
}

fn rule_allowlists(def: &leaktrap_rules::RuleDef) -> impl Iterator<Item = &AllowDef> {
    std::iter::once(&def.allow)
        .filter(|a| !a.is_empty())
        .chain(&def.allowlists)
}

/// Compiles a pattern the way every rule pattern is compiled: bytes, ASCII
/// classes (Unicode off), `^`/`$` at line boundaries (CRLF-aware), generous
/// size limits for long bounded repeats.
fn build_regex(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .multi_line(true)
        .crlf(true)
        .size_limit(128 << 20)
        .dfa_size_limit(16 << 20)
        .build()
        .map_err(|e| e.to_string())
}

fn build_set(patterns: &[String]) -> Result<RegexSet, String> {
    RegexSetBuilder::new(patterns)
        .unicode(false)
        .size_limit(128 << 20)
        .build()
        .map_err(|e| e.to_string())
}

/// A compiled rule set. Cheap to share between threads (`Sync`).
pub struct Engine {
    rules: Vec<CompiledRule>,
    keywords: Option<Keywords>,
    /// Keyword pattern id → rules that use it.
    kw_rules: Vec<Vec<usize>>,
    /// Rules without keywords: verified over the whole buffer.
    always: Vec<usize>,
    /// Per-rule path allowlists: one set, pattern index → rule index.
    rule_paths: Option<(RegexSet, Vec<usize>)>,
    /// Rules limited to some paths (`path`): one set, pattern → rule.
    scope: Option<(RegexSet, Vec<usize>)>,
    /// Rules without a regex, reported by path.
    path_only: Vec<usize>,
    global: Vec<CompiledAllow>,
    global_paths: Option<RegexSet>,
    by_id: std::collections::HashMap<String, usize>,
    has_composite: bool,
    /// Rules whose format carries a checksum: a value in that format that
    /// fails it is nobody's secret (see [`Engine::fails_a_checksum`]).
    checksummed: Vec<usize>,
    inline: Vec<memmem::Finder<'static>>,
    /// Keywords of multi-line rules (see [`Engine::may_span_lines`]).
    multiline_kw: Option<aho_corasick::AhoCorasick>,
    /// A multi-line rule without keywords: any content may hold a match.
    multiline_always: bool,
    /// Layers of encoding to decode (0: none).
    decode_depth: usize,
    /// See [`Engine::history_needs_content`].
    history_needs_content: bool,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("rules", &self.rules.len())
            .finish()
    }
}

impl Engine {
    /// Compiles every rule of `set`.
    ///
    /// # Errors
    /// The first pattern that does not compile, naming the rule and the reason.
    pub fn compile(set: &RuleSet) -> Result<Engine, CompileError> {
        let mut rules = Vec::with_capacity(set.rules.len());
        let mut keywords: Vec<String> = Vec::new();
        let mut kw_rules: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        let mut path_patterns = Vec::new();
        let mut path_owner = Vec::new();
        let mut ml_keywords: Vec<String> = Vec::new();
        let mut multiline_always = false;
        let mut by_id = std::collections::HashMap::new();
        for (idx, rule) in set.rules.iter().enumerate() {
            by_id.insert(rule.def.id.clone(), idx);
        }
        let mut scope_patterns = Vec::new();
        let mut scope_owner = Vec::new();
        let mut path_only = Vec::new();
        for (idx, rule) in set.rules.iter().enumerate() {
            rules.push(compile_rule(rule, &by_id)?);
            if let Some(p) = &rule.def.path {
                build_regex(p).map_err(|message| CompileError {
                    origin: rule.origin.clone(),
                    rule: rule.def.id.clone(),
                    what: "path".into(),
                    message,
                })?;
                scope_patterns.push(p.clone());
                scope_owner.push(idx);
            }
            for p in rule_allowlists(&rule.def).flat_map(pre_scan_paths) {
                path_patterns.push(p.clone());
                path_owner.push(idx);
            }
            if rule.def.regex.is_empty() {
                if !rule.def.skip_report {
                    path_only.push(idx);
                }
                continue;
            }
            // A composite rule's verdict depends on other lines.
            let spans = rule.def.multiline
                || rule.def.keyword_scope == KeywordScope::File
                || !rule.def.requires.is_empty();
            // A rule without keywords is verified over the whole buffer,
            // where its regex could cross a line: treated as multi-line.
            // A whole-file rule is the exception: it matches a buffer that
            // is one line at most.
            multiline_always |= rule.def.keywords.is_empty()
                && !rule.def.skip_report
                && !whole_file_rule(&rule.def);
            if spans {
                ml_keywords.extend(rule.def.keywords.iter().map(|k| k.to_ascii_lowercase()));
            }
            // Auxiliary rules run only for the composite rules that need them.
            if rule.def.skip_report {
                continue;
            }
            if rule.def.keywords.is_empty() {
                always.push(idx);
            }
            for kw in &rule.def.keywords {
                let kw = kw.to_ascii_lowercase();
                let pid = match keywords.iter().position(|k| *k == kw) {
                    Some(p) => p,
                    None => {
                        keywords.push(kw);
                        kw_rules.push(Vec::new());
                        keywords.len() - 1
                    }
                };
                if !kw_rules[pid].contains(&idx) {
                    kw_rules[pid].push(idx);
                }
            }
        }
        let scope = if scope_patterns.is_empty() {
            None
        } else {
            let set_re = build_set(&scope_patterns).map_err(|message| CompileError {
                origin: "(rule set)".into(),
                rule: "*".into(),
                what: "path".into(),
                message,
            })?;
            Some((set_re, scope_owner))
        };
        let keywords = if keywords.is_empty() {
            None
        } else {
            Some(Keywords::new(&keywords).map_err(|e| CompileError {
                origin: "(rule set)".into(),
                rule: "*".into(),
                what: "keywords".into(),
                message: e.to_string(),
            })?)
        };
        let rule_paths = if path_patterns.is_empty() {
            None
        } else {
            let set_re = build_set(&path_patterns).map_err(|message| {
                // Find the culprit to name it.
                let (i, _) = path_patterns
                    .iter()
                    .enumerate()
                    .find(|(_, p)| build_regex(p).is_err())
                    .unwrap_or((0, &path_patterns[0]));
                let r = &set.rules[path_owner[i]];
                CompileError {
                    origin: r.origin.clone(),
                    rule: r.def.id.clone(),
                    what: "allow.paths".into(),
                    message,
                }
            })?;
            Some((set_re, path_owner))
        };
        let global_err = |what: &str, message: String| CompileError {
            origin: "config".into(),
            rule: "(global allowlist)".into(),
            what: what.into(),
            message,
        };
        let lists: Vec<&AllowDef> = std::iter::once(&set.allow)
            .filter(|a| !a.is_empty())
            .chain(&set.allowlists)
            .collect();
        let global = lists
            .iter()
            .map(|a| CompiledAllow::compile(a, global_err))
            .collect::<Result<Vec<_>, _>>()?;
        let gpaths: Vec<String> = lists
            .iter()
            .flat_map(|a| pre_scan_paths(a))
            .cloned()
            .collect();
        let global_paths = if gpaths.is_empty() {
            None
        } else {
            Some(build_set(&gpaths).map_err(|m| global_err("allow.paths", m))?)
        };
        let inline = set
            .inline_markers
            .iter()
            .map(|m| memmem::Finder::new(m.as_bytes()).into_owned())
            .collect();
        let multiline_kw = if ml_keywords.is_empty() {
            None
        } else {
            Some(
                aho_corasick::AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .build(&ml_keywords)
                    .map_err(|e| CompileError {
                        origin: "(rule set)".into(),
                        rule: "*".into(),
                        what: "keywords".into(),
                        message: e.to_string(),
                    })?,
            )
        };
        let history_needs_content = lists.iter().any(|a| needs_content_in_history(a))
            || set
                .rules
                .iter()
                .any(|r| rule_allowlists(&r.def).any(needs_content_in_history));
        let checksummed = (0..rules.len())
            .filter(|&i| rules[i].checksum.is_some())
            .collect();
        Ok(Engine {
            rules,
            keywords,
            kw_rules,
            always,
            rule_paths,
            scope,
            path_only,
            global,
            global_paths,
            has_composite: set.rules.iter().any(|r| !r.def.requires.is_empty()),
            checksummed,
            by_id,
            inline,
            multiline_kw,
            multiline_always,
            decode_depth: Engine::DEFAULT_DECODE_DEPTH,
            history_needs_content,
        })
    }

    /// Compiles every rule now, including built-in rules that would
    /// otherwise compile on first use.
    ///
    /// # Errors
    /// The first pattern that does not compile.
    pub fn compile_all(&self) -> Result<(), CompileError> {
        for rule in &self.rules {
            if rule.matcher.get().is_none() {
                let m = build_matcher(&rule.source)?;
                let _ = rule.matcher.set(Some(m));
            }
        }
        Ok(())
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// What reports need to know about rule `idx`.
    pub fn rule_meta(&self, idx: usize) -> &Arc<RuleMeta> {
        &self.rules[idx].meta
    }

    /// Whether the global allowlist excludes this path (relative, `/`-separated)
    /// from scanning altogether.
    pub fn path_allowlisted(&self, rel_path: &str) -> bool {
        self.global_paths
            .as_ref()
            .is_some_and(|s| s.is_match(rel_path.as_bytes()))
    }

    /// Whether rule `rule_id`'s own allowlist excludes this path. Scans that
    /// learn a content's paths only after scanning it (git history) apply
    /// per-rule path allowlists with this.
    pub fn rule_path_allowlisted(&self, rule_id: &str, rel_path: &str) -> bool {
        let Some((set, owner)) = &self.rule_paths else {
            return false;
        };
        set.matches(rel_path.as_bytes())
            .iter()
            .any(|i| self.rules[owner[i]].meta.id == rule_id)
    }

    /// Whether rule `rule_id` applies to files at `rel_path`: false only for
    /// a rule limited by `path` to other files. Scans that learn paths after
    /// scanning (git history) filter with this.
    /// Whether rule `rule_id` is limited to some paths (has a `path`): it
    /// applies to files only, never to text that has no path (a commit or
    /// tag message).
    pub fn rule_is_path_limited(&self, rule_id: &str) -> bool {
        match (&self.scope, self.by_id.get(rule_id)) {
            (Some((_, owner)), Some(idx)) => owner.contains(idx),
            _ => false,
        }
    }

    pub fn rule_applies_to_path(&self, rule_id: &str, rel_path: &str) -> bool {
        let Some((set, owner)) = &self.scope else {
            return true;
        };
        let Some(&idx) = self.by_id.get(rule_id) else {
            return true;
        };
        if !owner.contains(&idx) {
            return true;
        }
        set.matches(rel_path.as_bytes())
            .iter()
            .any(|i| owner[i] == idx)
    }

    /// Whether an allowlist that needs the commit (or, in an AND list, the
    /// path) suppresses a finding of `rule_id` introduced by `commit` at
    /// `rel_path`. History scans call this once both are known. `content`
    /// is the blob the finding is in with the secret's byte range, for AND
    /// lists with a regex on the match or the line
    /// ([`Engine::history_needs_content`]); `None` if the caller did not
    /// read it, and such lists then do not suppress.
    pub fn history_allowlisted(
        &self,
        rule_id: &str,
        secret: &[u8],
        rel_path: &str,
        commit: &str,
        content: Option<(&[u8], usize, usize)>,
    ) -> bool {
        let idx = self.by_id.get(rule_id).copied();
        let mut context = |target: RegexTarget| -> Option<Vec<u8>> {
            let (data, ss, se) = content?;
            if se > data.len() || ss > se || &data[ss..se] != secret {
                return None;
            }
            let (s, e) = match target {
                RegexTarget::Line => line_span(data, ss, se),
                RegexTarget::Match => self.match_around(idx?, data, ss, se)?,
                RegexTarget::Secret => (ss, se),
            };
            Some(data[s..e].to_vec())
        };
        if self
            .global
            .iter()
            .any(|a| a.allows_in_history(secret, rel_path, commit, &mut context))
        {
            return true;
        }
        let Some(idx) = idx else {
            return false;
        };
        self.rules[idx].matcher().is_some_and(|m| {
            m.allow
                .iter()
                .any(|a| a.allows_in_history(secret, rel_path, commit, &mut context))
        })
    }

    /// Whether [`Engine::history_allowlisted`] needs the content to judge
    /// some allowlist: an AND list naming commits or paths with a regex on
    /// the match or the line.
    pub fn history_needs_content(&self) -> bool {
        self.history_needs_content
    }

    /// The match of rule `idx` that holds the secret at `ss..se`: the rule
    /// run again from the start of the secret's line (as a scan window
    /// starts), with Gitleaks' trimming of line breaks.
    fn match_around(
        &self,
        idx: usize,
        data: &[u8],
        ss: usize,
        se: usize,
    ) -> Option<(usize, usize)> {
        let rule = &self.rules[idx];
        let matcher = rule.matcher()?;
        let (ls, _) = line_span(data, ss, se);
        let mut pos = ls;
        while pos <= data.len() {
            let m = matcher.regex.find_at(data, pos)?;
            let (mut ms, mut me) = (m.start(), m.end());
            if ms > ss {
                return None;
            }
            if rule.gitleaks {
                while ms < me && data[ms] == b'\n' {
                    ms += 1;
                }
                while me > ms && data[me - 1] == b'\n' {
                    me -= 1;
                }
            }
            if ms <= ss && me >= se {
                return Some((ms, me));
            }
            pos = if m.end() > m.start() {
                m.end()
            } else {
                m.end() + 1
            };
        }
        None
    }

    /// Rules without a regex whose `path` matches `rel_path` (and that no
    /// path allowlist excludes there): each reports the file itself.
    pub fn path_only_matches(&self, rel_path: &str) -> Vec<usize> {
        if self.path_only.is_empty() {
            return Vec::new();
        }
        self.path_only
            .iter()
            .copied()
            .filter(|&r| {
                let id = &self.rules[r].meta.id;
                !self.rule_path_allowlisted(id, rel_path) && self.rule_applies_to_path(id, rel_path)
            })
            .collect()
    }

    /// Whether a match in `data` could span lines: it holds a keyword of a
    /// multi-line rule (a private-key header, say), or such a rule has no
    /// keywords. When this is false, every match lies within one line, so
    /// scanning only the lines a new version of a file changed, and keeping
    /// the old version's matches on the lines it did not, gives exactly the
    /// matches of a scan of the whole new version.
    pub fn may_span_lines(&self, data: &[u8]) -> bool {
        self.multiline_always
            || self
                .multiline_kw
                .as_ref()
                .is_some_and(|ac| ac.is_match(data))
    }

    /// Scans `data`, appending matches (sorted by secret position) to `out`.
    /// `rel_path` is the path relative to the scan root, for per-rule path
    /// allowlists; `None` for stdin and examples.
    pub fn scan(
        &self,
        data: &[u8],
        rel_path: Option<&str>,
        scratch: &mut Scratch,
        out: &mut Vec<Match>,
    ) {
        self.scan_with(data, rel_path, rel_path.is_some(), scratch, out);
    }

    /// [`Engine::scan`] as if at a path that matches rule `r`'s `path`
    /// and no other rule's: how rule `r`'s examples are checked.
    pub(crate) fn scan_example(
        &self,
        data: &[u8],
        r: usize,
        scratch: &mut Scratch,
        out: &mut Vec<Match>,
    ) {
        scratch.example_of = Some(r);
        self.scan_with(data, None, true, scratch, out);
        scratch.example_of = None;
    }

    fn scan_with(
        &self,
        data: &[u8],
        rel_path: Option<&str>,
        path_known: bool,
        scratch: &mut Scratch,
        out: &mut Vec<Match>,
    ) {
        self.collect(data, rel_path, scratch);
        if self.decode_depth > 0 {
            let spans_lines = scratch.spans_lines;
            let mut cands = std::mem::take(&mut scratch.candidates);
            self.decode(data, None, rel_path, path_known, 1, scratch, &mut cands);
            scratch.candidates = cands;
            scratch.spans_lines = spans_lines;
        }
        self.finish(data, path_known, scratch, out);
    }

    /// Sets how many layers of encoding (base64 inside percent-encoding
    /// inside…) [`Engine::scan`] decodes to look for secrets; 0 turns
    /// decoding off. The default is [`Engine::DEFAULT_DECODE_DEPTH`].
    pub fn set_decode_depth(&mut self, depth: usize) {
        self.decode_depth = depth;
    }

    /// Layers of encoding decoded unless set otherwise: Gitleaks' default.
    pub const DEFAULT_DECODE_DEPTH: usize = 5;

    /// Scans the decoded layer of `data` (segments only within `regions`,
    /// all of `data` when `None`) and the layers below it, down to the
    /// decoding depth, and appends what was found only in decoded text to
    /// `into`, in `data`'s positions.
    #[allow(clippy::too_many_arguments)]
    fn decode(
        &self,
        data: &[u8],
        regions: Option<&[(usize, usize)]>,
        rel_path: Option<&str>,
        path_known: bool,
        depth: usize,
        scratch: &mut Scratch,
        into: &mut Vec<Match>,
    ) {
        let Some(layer) = decode::Layer::build(data, regions) else {
            return;
        };
        let text = &layer.text;
        self.collect(text, rel_path, scratch);
        if depth < self.decode_depth {
            let mut cands = std::mem::take(&mut scratch.candidates);
            let regions = layer.decoded_regions();
            self.decode(
                text,
                Some(&regions),
                rel_path,
                path_known,
                depth + 1,
                scratch,
                &mut cands,
            );
            scratch.candidates = cands;
        }
        let mut found = Vec::new();
        self.finish(text, path_known, scratch, &mut found);
        for mut m in found {
            // Found in copied context alone: the parent's scan has it.
            let Some(enc) = layer.decoded_at(m.secret_start, m.secret_end) else {
                continue;
            };
            match &mut m.decoded {
                Some(d) => d.encodings.insert(0, enc),
                None => {
                    m.decoded = Some(Box::new(Decoded {
                        secret: text[m.secret_start..m.secret_end].to_vec(),
                        encodings: vec![enc],
                    }))
                }
            }
            m.start = layer.map(m.start, false);
            m.end = layer.map(m.end, true);
            m.secret_start = layer.map(m.secret_start, false);
            m.secret_end = layer.map(m.secret_end, true).max(m.secret_start + 1);
            m.start = m.start.min(m.secret_start);
            m.end = m.end.max(m.secret_end);
            into.push(m);
        }
    }

    /// Runs the keyword pass and every rule over `data`, leaving the
    /// candidates in `scratch`.
    fn collect(&self, data: &[u8], rel_path: Option<&str>, scratch: &mut Scratch) {
        self.prepare(rel_path, scratch);
        if let Some(kw) = &self.keywords {
            let mut hits = std::mem::take(&mut scratch.hits);
            kw.scan(data, &mut hits, |batch| {
                for h in batch {
                    let start = h.end - kw.pattern_len(h.pattern);
                    for &r in &self.kw_rules[h.pattern as usize] {
                        if !scratch.disabled[r] {
                            self.add_hit(data, r, start, h.end, scratch);
                        }
                    }
                }
            });
            scratch.hits = hits;
        }
        for &r in &self.always {
            if !scratch.disabled[r] {
                if scratch.windows[r].is_empty() {
                    scratch.touched.push(r);
                }
                scratch.windows[r].clear();
                scratch.windows[r].push(Window {
                    start: 0,
                    end: data.len(),
                    closed: true,
                });
            }
        }
        scratch.spans_lines =
            self.multiline_always || scratch.touched.iter().any(|&r| self.rules[r].multiline);
        scratch.candidates.clear();
        // Verify in rule order so the outcome never depends on hit order.
        scratch.touched.sort_unstable();
        let touched = std::mem::take(&mut scratch.touched);
        for &r in &touched {
            self.verify(data, r, rel_path, scratch);
            scratch.windows[r].clear();
        }
        scratch.touched = touched;
        scratch.touched.clear();
        if self.has_composite {
            self.composite(data, rel_path, scratch);
        }
    }

    fn prepare(&self, rel_path: Option<&str>, scratch: &mut Scratch) {
        let n = self.rules.len();
        if scratch.windows.len() != n {
            scratch.windows = (0..n).map(|_| Vec::new()).collect();
            scratch.locs = (0..n).map(|_| None).collect();
            scratch.disabled = vec![false; n];
        }
        scratch.disabled.iter_mut().for_each(|d| *d = false);
        if let (Some((set, owner)), Some(path)) = (&self.rule_paths, rel_path) {
            for i in set.matches(path.as_bytes()).iter() {
                scratch.disabled[owner[i]] = true;
            }
        }
        // Rules limited to some paths: off unless the path matches. With no
        // path (history blobs), on: the caller filters by path afterwards.
        if let (Some((_, owner)), Some(r)) = (&self.scope, scratch.example_of) {
            for &o in owner {
                scratch.disabled[o] = o != r;
            }
        }
        if let (Some((set, owner)), Some(path)) = (&self.scope, rel_path) {
            let hits = set.matches(path.as_bytes());
            for (i, &r) in owner.iter().enumerate() {
                if !hits.matched(i) {
                    scratch.disabled[r] = true;
                }
            }
            // A rule with several patterns is on if any matched.
            for i in hits.iter() {
                scratch.disabled[owner[i]] = false;
            }
            if let Some((set, owner)) = &self.rule_paths {
                for i in set.matches(path.as_bytes()).iter() {
                    scratch.disabled[owner[i]] = true;
                }
            }
        }
    }

    /// Records a keyword hit for rule `r`: the window to verify is the hit's
    /// line (at most `max_len` bytes either side), or `max_len` bytes either
    /// side for multi-line rules. Windows are merged as they come, and each
    /// newline search covers only bytes no earlier window covered, so the
    /// total work is linear in the buffer whatever the number of hits.
    fn add_hit(&self, data: &[u8], r: usize, hs: usize, he: usize, scratch: &mut Scratch) {
        let rule = &self.rules[r];
        let len = data.len();
        let wins = &mut scratch.windows[r];
        if wins.is_empty() {
            scratch.touched.push(r);
        }
        if rule.file_scope {
            if wins.is_empty() {
                wins.push(Window {
                    start: 0,
                    end: len,
                    closed: true,
                });
            }
            return;
        }
        let lo = hs.saturating_sub(rule.max_len);
        let hi = he.saturating_add(rule.max_len).min(len);
        if rule.multiline {
            if let Some(last) = wins.last_mut() {
                if lo <= last.end {
                    last.end = last.end.max(hi);
                    return;
                }
            }
            wins.push(Window {
                start: lo,
                end: hi,
                closed: true,
            });
            return;
        }
        if let Some(last) = wins.last_mut() {
            if hs < last.end {
                if !last.closed && last.end < hi {
                    match memchr::memchr(b'\n', &data[last.end..hi]) {
                        Some(i) => {
                            last.end += i;
                            last.closed = true;
                        }
                        None => {
                            last.end = hi;
                            last.closed = hi == len;
                        }
                    }
                }
                return;
            }
        }
        let floor = wins.last().map_or(lo, |l| lo.max(l.end));
        let start = match memchr::memrchr(b'\n', &data[floor..hs]) {
            Some(i) => floor + i + 1,
            None => floor,
        };
        let (end, closed) = match memchr::memchr(b'\n', &data[he..hi]) {
            Some(i) => (he + i, true),
            None => (hi, hi == len),
        };
        if let Some(last) = wins.last_mut() {
            if start <= last.end {
                last.end = end;
                last.closed = closed;
                return;
            }
        }
        wins.push(Window { start, end, closed });
    }

    fn verify(&self, data: &[u8], r: usize, path: Option<&str>, scratch: &mut Scratch) {
        let wins = std::mem::take(&mut scratch.windows[r]);
        let mut locs = scratch.locs[r].take();
        self.run_rule(
            data,
            r,
            &wins,
            path,
            &mut locs,
            &mut scratch.verified_bytes,
            &mut scratch.candidates,
        );
        scratch.locs[r] = locs;
        scratch.windows[r] = wins;
    }

    /// Runs rule `r`'s regex over `wins`, pushing candidates to `out`.
    #[allow(clippy::too_many_arguments)]
    fn run_rule(
        &self,
        data: &[u8],
        r: usize,
        wins: &[Window],
        path: Option<&str>,
        locs: &mut Option<regex::bytes::CaptureLocations>,
        verified: &mut u64,
        out: &mut Vec<Match>,
    ) {
        let rule = &self.rules[r];
        // Built-in patterns are compiled by the test suite; a user's pattern
        // was compiled (and any error reported) in `Engine::compile`.
        let Some(matcher) = rule.matcher() else {
            return;
        };
        let locs = locs.get_or_insert_with(|| matcher.regex.capture_locations());
        for w in wins {
            *verified += (w.end - w.start) as u64;
            let hay = &data[..w.end];
            let mut pos = w.start;
            while pos <= w.end {
                let Some(m) = matcher.regex.captures_read_at(locs, hay, pos) else {
                    break;
                };
                let (mut ms, mut me) = (m.start(), m.end());
                pos = if me > ms { me } else { me + 1 };
                let (ss, se) = if rule.gitleaks {
                    // Gitleaks trims line breaks off the match, then takes
                    // the secret from the regex run again on the match alone.
                    while ms < me && data[ms] == b'\n' {
                        ms += 1;
                    }
                    while me > ms && data[me - 1] == b'\n' {
                        me -= 1;
                    }
                    gitleaks_secret(matcher, data, ms, me)
                } else {
                    let Some(g) = matcher.secret_span(locs) else {
                        continue;
                    };
                    g
                };
                if se <= ss {
                    continue;
                }
                let found = self.candidate(data, r, matcher, (ms, me), (ss, se), path);
                // An allowlisted value may hold the real assignment:
                // `key = process.env.KEY || "…"`. Search on from the value,
                // not past it. (Only after an allowlist: doing it after every
                // value the entropy or class filters drop cost 10% on loki.
                // Gitleaks' rules keep Gitleaks' non-overlapping matches.)
                if !rule.gitleaks && found.as_ref().is_some_and(|c| c.suppressed.is_some()) {
                    pos = pos.min(ss.max(ms + 1));
                }
                if let Some(c) = found {
                    out.push(c);
                }
            }
        }
    }

    fn candidate(
        &self,
        data: &[u8],
        r: usize,
        matcher: &Matcher,
        (ms, me): (usize, usize),
        (ss, se): (usize, usize),
        path: Option<&str>,
    ) -> Option<Match> {
        let rule = &self.rules[r];
        let secret = &data[ss..se];
        let entropy = shannon_entropy(secret);
        if let Some(min) = rule.entropy {
            // Gitleaks wants strictly more than its threshold.
            if entropy < min || (rule.gitleaks && entropy <= min) {
                return None;
            }
        }
        if rule
            .min_classes
            .is_some_and(|min| char_classes(secret) < min)
        {
            return None;
        }
        if rule.checksum.is_some_and(|c| !c.verify(secret)) {
            return None;
        }
        // Repeated or sequential characters are placeholders, not secrets.
        // Built-in rules only: a user's rule matches what its pattern says.
        if rule.source.builtin && crate::filters::looks_sequential(secret) {
            return None;
        }
        // A value in the format of a checksummed token whose checksum fails
        // is nobody's secret, whichever rule (without a checksum of its own)
        // matched it under its name: `github_token = "gho_<bad checksum>"`.
        if rule.checksum.is_none() && rule.source.builtin && self.fails_a_checksum(secret) {
            return None;
        }
        let matched = &data[ms..me];
        let mut span = None;
        let mut line = || *span.get_or_insert_with(|| line_span(data, ms, me));
        let suppressed = if matcher
            .allow
            .iter()
            .any(|a| a.allows(secret, matched, &mut line, data, path))
        {
            Some(SuppressionKind::RuleAllowlist)
        } else if self
            .global
            .iter()
            .any(|a| a.allows(secret, matched, &mut line, data, path))
        {
            Some(SuppressionKind::GlobalAllowlist)
        } else {
            None
        };
        Some(Match {
            rule: r,
            start: ms,
            end: me,
            secret_start: ss,
            secret_end: se,
            entropy,
            suppressed,
            decoded: None,
        })
    }

    /// Whether `secret` holds a value in the format of a rule that carries
    /// a checksum (a GitHub or npm token) whose checksum is wrong: a made-up
    /// or corrupted token, which no other built-in rule may report either.
    fn fails_a_checksum(&self, secret: &[u8]) -> bool {
        self.checksummed.iter().any(|&r| {
            let rule = &self.rules[r];
            let (Some(m), Some(check)) = (rule.matcher(), rule.checksum) else {
                return false;
            };
            m.regex
                .captures(secret)
                .and_then(|c| c.get(m.secret_group))
                .is_some_and(|g| !check.verify(g.as_bytes()))
        })
    }

    /// Composite rules: keeps a match of a rule with `requires` only when
    /// every required rule matches (unsuppressed) within the distances given.
    /// Required rules run over the whole buffer, whatever their keywords,
    /// as Gitleaks runs them.
    fn composite(&self, data: &[u8], path: Option<&str>, scratch: &mut Scratch) {
        let mut needed: Vec<usize> = scratch
            .candidates
            .iter()
            .flat_map(|c| self.rules[c.rule].requires.iter().map(|q| q.0))
            .collect();
        if needed.is_empty() {
            return;
        }
        needed.sort_unstable();
        needed.dedup();
        let whole = [Window {
            start: 0,
            end: data.len(),
            closed: true,
        }];
        let mut aux: std::collections::HashMap<usize, Vec<Match>> = Default::default();
        for &r in &needed {
            let mut found = Vec::new();
            if !scratch.disabled[r] {
                let mut locs = None;
                self.run_rule(
                    data,
                    r,
                    &whole,
                    path,
                    &mut locs,
                    &mut scratch.verified_bytes,
                    &mut found,
                );
            }
            found.retain(|m| m.suppressed.is_none());
            aux.insert(r, found);
        }
        let newlines: Vec<usize> = memchr::memchr_iter(b'\n', data).collect();
        // (line, column) of an offset, both 0-based; columns in bytes.
        let pos = |off: usize| {
            let line = newlines.partition_point(|&n| n < off);
            let start = if line == 0 { 0 } else { newlines[line - 1] + 1 };
            (line as u64, (off - start) as u64)
        };
        scratch.candidates.retain(|c| {
            let (pl, pc) = pos(c.start);
            self.rules[c.rule].requires.iter().all(|&(r, wl, wc)| {
                aux.get(&r).is_some_and(|found| {
                    found.iter().any(|m| {
                        let (l, col) = pos(m.start);
                        wl.is_none_or(|n| l.abs_diff(pl) <= n)
                            && wc.is_none_or(|n| col.abs_diff(pc) <= n)
                    })
                })
            })
        });
    }

    /// Gitleaks' de-duplication: a finding of a rule whose id contains
    /// `generic` is dropped when another (non-generic) rule found a secret
    /// containing it on the same line.
    fn gitleaks_filter(&self, data: &[u8], gl: &mut Vec<Match>) {
        let generic = |m: &Match| {
            self.rules[m.rule]
                .meta
                .id
                .to_ascii_lowercase()
                .contains("generic")
        };
        if !gl.iter().any(generic) {
            return;
        }
        let line_of = |m: &Match| memchr::memrchr(b'\n', &data[..m.start]).map_or(0, |i| i + 1);
        let keep: Vec<bool> = gl
            .iter()
            .map(|g| {
                if !generic(g) {
                    return true;
                }
                let secret = g.secret(data);
                let line = line_of(g);
                !gl.iter().any(|h| {
                    h.rule != g.rule
                        && h.suppressed.is_none()
                        && !generic(h)
                        && line_of(h) == line
                        && memmem::find(h.secret(data), secret).is_some()
                })
            })
            .collect();
        let mut k = keep.into_iter();
        gl.retain(|_| k.next().unwrap_or(true));
    }

    /// De-duplicates overlapping secrets (see [`Engine::beats`]), applies
    /// inline allow comments, and appends the result to `out`.
    fn finish(&self, data: &[u8], path_known: bool, scratch: &mut Scratch, out: &mut Vec<Match>) {
        let cands = &mut scratch.candidates;
        cands.sort_by_key(|c| (c.secret_start, c.secret_end, c.rule));
        let first = out.len();
        let mut gl: Vec<Match> = Vec::new();
        for c in cands.drain(..) {
            // Rules from a Gitleaks config keep Gitleaks' de-duplication.
            if self.rules[c.rule].gitleaks {
                gl.push(c);
                continue;
            }
            if let Some(last) = out[first..].last_mut() {
                if c.secret_start < last.secret_end {
                    if self.beats(&c, last, path_known) {
                        *last = c;
                    }
                    continue;
                }
            }
            out.push(c);
        }
        if !gl.is_empty() {
            self.gitleaks_filter(data, &mut gl);
            out.extend(gl);
            out[first..].sort_by_key(|c| (c.secret_start, c.secret_end, c.rule));
        }
        // Inline markers: usually absent, so look for them once per buffer
        // first; only then find each match's lines, resuming from the last
        // line found so that many matches on one long line stay linear.
        if out.len() > first && self.inline.iter().any(|f| f.find(data).is_some()) {
            let mut lines = LineCache::default();
            for m in &mut out[first..] {
                if m.suppressed.is_none() {
                    let (ls, le) = lines.span(data, m.start, m.end);
                    let line = &data[ls..le];
                    if self.inline.iter().any(|f| f.find(line).is_some()) {
                        m.suppressed = Some(SuppressionKind::Inline);
                    }
                }
            }
        }
    }

    /// Whether candidate `a` replaces the overlapping candidate `b`.
    ///
    /// Where the path is unknown (history blobs, filtered by path later), a
    /// rule limited by `path` yields to a live finding of a rule that is
    /// not: it may be dropped by its path later and must not hide a finding
    /// another rule would keep. A suppressed finding keeps nothing, so it
    /// yields to the path-limited one instead (otherwise a generic rule's
    /// allowlist would silence a live path-limited finding). Where the path
    /// is known, a path-limited rule ran only because the path matched, and
    /// ranks like any other. Otherwise [`Engine::rank`] decides, suppressed
    /// or not: a provider rule's allowlist (a documented example value, say)
    /// silences the generic rule that matched the same text.
    fn beats(&self, a: &Match, b: &Match, path_known: bool) -> bool {
        if !path_known {
            let limited = |m: &Match| self.rules[m.rule].source.def.path.is_some();
            let (la, lb) = (limited(a), limited(b));
            if la != lb {
                let unlimited = if la { b } else { a };
                return unlimited.suppressed.is_none() == lb;
            }
        }
        self.rank(a) > self.rank(b)
    }

    fn rank(&self, m: &Match) -> (bool, u8, bool, usize, u8, std::cmp::Reverse<usize>) {
        let meta = &self.rules[m.rule].meta;
        (
            // A provider rule always outranks a generic one.
            !meta.id.starts_with("generic."),
            meta.confidence as u8,
            // Then a secret as written outranks one found by decoding.
            m.decoded.is_none(),
            m.secret_end - m.secret_start,
            meta.severity as u8,
            std::cmp::Reverse(m.rule),
        )
    }
}

/// [`line_span`] for spans that come in increasing order: the line found
/// last is remembered, so each byte is searched for newlines about once.
#[derive(Default)]
struct LineCache {
    start: usize,
    end: usize,
    valid: bool,
}

impl LineCache {
    fn span(&mut self, data: &[u8], start: usize, end: usize) -> (usize, usize) {
        let ls = if self.valid && start >= self.start && start <= self.end {
            self.start
        } else if self.valid && start > self.end {
            // The newline at `self.end` (or a later one) starts this line.
            memchr::memrchr(b'\n', &data[self.end..start]).map_or(self.end, |i| self.end + i + 1)
        } else {
            memchr::memrchr(b'\n', &data[..start]).map_or(0, |i| i + 1)
        };
        let le = if self.valid && end <= self.end && start >= self.start {
            self.end
        } else {
            memchr::memchr(b'\n', &data[end..]).map_or(data.len(), |i| end + i)
        };
        *self = LineCache {
            start: ls,
            end: le,
            valid: true,
        };
        (ls, le)
    }
}

/// The lines a span touches: from the start of its first line to the end of
/// its last (excluding the newline).
pub(crate) fn line_span(data: &[u8], start: usize, end: usize) -> (usize, usize) {
    let s = memchr::memrchr(b'\n', &data[..start]).map_or(0, |i| i + 1);
    let e = memchr::memchr(b'\n', &data[end..]).map_or(data.len(), |i| end + i);
    (s, e)
}

fn compile_rule(
    rule: &Rule,
    by_id: &std::collections::HashMap<String, usize>,
) -> Result<CompiledRule, CompileError> {
    let def = &rule.def;
    let err = |what: &str, message: String| CompileError {
        origin: rule.origin.clone(),
        rule: def.id.clone(),
        what: what.into(),
        message,
    };
    let checksum = match &def.checksum {
        Some(name) => Some(
            Checksum::from_name(name)
                .ok_or_else(|| err("checksum", format!("unknown validator {name:?}")))?,
        ),
        None => None,
    };
    let requires = def
        .requires
        .iter()
        .map(|q| {
            by_id
                .get(&q.id)
                .map(|&i| (i, q.within_lines, q.within_columns))
                .ok_or_else(|| err("requires", format!("no rule has id {:?}", q.id)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let path_only = def.regex.is_empty();
    let matcher = if path_only {
        // Nothing to match; its path allowlists are compiled with the set.
        for a in rule_allowlists(def) {
            CompiledAllow::compile(a, err)?;
        }
        OnceLock::from(None)
    } else if rule.builtin {
        OnceLock::new()
    } else {
        OnceLock::from(Some(build_matcher(rule)?))
    };
    Ok(CompiledRule {
        meta: rule.meta.clone(),
        multiline: def.multiline,
        file_scope: def.keyword_scope == KeywordScope::File,
        gitleaks: def.gitleaks,
        requires,
        max_len: def.effective_max_length(),
        entropy: def.entropy.map(|e| e as f32),
        min_classes: def.min_classes,
        checksum,
        source: rule.clone(),
        matcher,
    })
}

fn build_matcher(rule: &Rule) -> Result<Matcher, CompileError> {
    let def = &rule.def;
    let err = |what: &str, message: String| CompileError {
        origin: rule.origin.clone(),
        rule: def.id.clone(),
        what: what.into(),
        message,
    };
    let regex = build_regex(&expand_macros(def)).map_err(|m| err("regex", m))?;
    let secret_group = match &def.secret_group {
        Some(GroupRef::Index(i)) => {
            if *i >= regex.captures_len() {
                return Err(err(
                    "secret_group",
                    format!(
                        "group {i} does not exist; the regex has {} capture group(s)",
                        regex.captures_len() - 1
                    ),
                ));
            }
            *i
        }
        Some(GroupRef::Name(n)) => regex
            .capture_names()
            .position(|c| c == Some(n.as_str()))
            .ok_or_else(|| {
                err(
                    "secret_group",
                    format!("the regex has no group named {n:?}"),
                )
            })?,
        // Gitleaks: the first group that matched something (see
        // `gitleaks_secret`).
        None if def.gitleaks => 0,
        None => regex
            .capture_names()
            .position(|c| c == Some("secret"))
            .unwrap_or(if regex.captures_len() > 1 { 1 } else { 0 }),
    };
    // Paths of OR lists are compiled once, as one set, by `Engine::compile`.
    let alt_groups = if def.gitleaks {
        Vec::new()
    } else {
        (2..)
            .map_while(|n| {
                let name = format!("secret{n}");
                regex.capture_names().position(|c| c == Some(name.as_str()))
            })
            .collect()
    };
    let allow = rule_allowlists(def)
        .map(|a| CompiledAllow::compile(a, err))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Matcher {
        regex,
        secret_group,
        alt_groups,
        allow,
    })
}

/// Gitleaks' secret: the regex run again on the match alone; then the
/// `secretGroup`, or else the first group that matched something, or else
/// the whole match.
fn gitleaks_secret(m: &Matcher, data: &[u8], ms: usize, me: usize) -> (usize, usize) {
    let Some(caps) = m.regex.captures(&data[ms..me]) else {
        return (ms, me);
    };
    if caps.len() < 2 {
        return (ms, me);
    }
    if m.secret_group > 0 {
        return caps
            .get(m.secret_group)
            .map_or((ms, ms), |g| (ms + g.start(), ms + g.end()));
    }
    caps.iter()
        .skip(1)
        .flatten()
        .find(|g| !g.is_empty())
        .map_or((ms, me), |g| (ms + g.start(), ms + g.end()))
}

#[cfg(test)]
mod tests {

    #[test]
    fn base64_placeholders_decode_to_text_and_random_tokens_do_not() {
        assert_eq!(
            decoded_text(b"ZXhhbXBsZS1hcHAtc2VjcmV0").as_deref(),
            Some(&b"example-app-secret"[..])
        );
        assert_eq!(
            decoded_text(b"ZXhhbXBsZS1jb29raWUtc2VjcmV0enp6").as_deref(),
            Some(&b"example-cookie-secretzzz"[..])
        );
        // Padded, and URL-safe alphabet.
        assert_eq!(
            decoded_text(b"c2hvcnQgdGV4dCE=").as_deref(),
            Some(&b"short text!"[..])
        );
        assert!(decoded_text(b"hlVzbIVKMeeZTxNrHMb4hV2aVwAA4bte").is_none());
        assert!(decoded_text(b"D31SJpSmPe6aUDTtU2zqAoW1gqEKoH5T").is_none());
        assert!(decoded_text(b"short").is_none());
        assert!(decoded_text(b"not base64 at all!!").is_none());
    }

    use super::*;
    use leaktrap_rules::parse_rule_file;

    fn set(extra: &str) -> RuleSet {
        rule_set(&format!(
            "[[rule]]\nid = \"t.ok\"\nname = \"n\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"tok_\"]\nregex = '''tok_[a-z]+'''\n\n\
             [[rule]]\nid = \"t.bad\"\nname = \"n\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"bad_\"]\nregex = '''bad_[a-z]+'''\n{extra}"
        ))
    }

    /// The rules of a rule file's text, nothing else.
    fn rule_set(text: &str) -> RuleSet {
        RuleSet {
            rules: parse_rule_file("t.toml", text).unwrap(),
            ..Default::default()
        }
    }

    /// A user rule with `{assign}` and alternative secret groups: each
    /// syntax yields the value, whichever alternative matched it.
    #[test]
    fn assign_macro_and_alternative_secret_groups() {
        let text = "[[rule]]\nid = \"t.key\"\nname = \"n\"\ndescription = \"d\"\nseverity = \"high\"\n\
                    keywords = [\"acme\"]\n\
                    regex = \'\'\'(?i)acme_key{assign}(?:\"(?P<secret>[^\"]+)\"|(?P<secret2>[a-z0-9]+))\'\'\'\n";
        let e = Engine::compile(&rule_set(text)).unwrap();
        let mut s = Scratch::default();
        for (line, want) in [
            (&b"ACME_KEY=abc123"[..], &b"abc123"[..]),
            (b"acme_key: \"x y z\"", b"x y z"),
            (b"\"acme_key\" => \"q1\"", b"q1"),
            (b"const ACME_KEY: &str = \"r2\";", b"r2"),
            (b"<add key=\"Acme_Key\" value=\"s3\" />", b"s3"),
            (b"var acme_key string = \"t4\"", b"t4"),
            (b"cfg.setAcme_Key(\"u5\")", b"u5"),
            (b"ENV[\"ACME_KEY\"] ||= \"v6\"", b"v6"),
            (b"public string Acme_Key { get; set; } = \"w7\";", b"w7"),
        ] {
            let mut out = Vec::new();
            e.scan(line, Some("a.txt"), &mut s, &mut out);
            let got: Vec<&[u8]> = out
                .iter()
                .map(|m| &line[m.secret_start..m.secret_end])
                .collect();
            assert_eq!(got, vec![want], "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn join_macro_reads_every_join_and_qualifier_but_not_other_suffixes() {
        let text =
            "[[rule]]\nid = \"t.key\"\nname = \"n\"\ndescription = \"d\"\nseverity = \"high\"\n\
                    keywords = [\"acme\"]\n\
                    regex = \'\'\'(?i:acme_?key){join}([0-9a-f]{8})\\b\'\'\'\n";
        let e = Engine::compile(&rule_set(text)).unwrap();
        let mut s = Scratch::default();
        let scan = |line: &[u8], s: &mut Scratch| {
            let mut out = Vec::new();
            e.scan(line, Some("a.txt"), s, &mut out);
            out.iter()
                .map(|m| line[m.secret_start..m.secret_end].to_vec())
                .collect::<Vec<_>>()
        };
        for line in [
            &b"ACME_KEY=0a1b2c3d"[..],
            b"define('ACME_KEY', '0a1b2c3d');",
            b"os.Setenv(\"ACME_KEY\", \"0a1b2c3d\")",
            b"ACME_KEY,0a1b2c3d",
            b"ACME_KEY\t0a1b2c3d",
            b"setx ACME_KEY 0a1b2c3d",
            b"| `ACME_KEY` | `0a1b2c3d` |",
            b"Set `ACME_KEY` to `0a1b2c3d` first.",
            b"<AcmeKey>0a1b2c3d</AcmeKey>",
            b"ENV['ACME_KEY'] || '0a1b2c3d'",
            b"ACME_KEY_PROD=0a1b2c3d",
            b"acme_key2: 0a1b2c3d",
            b"acmeKeyStaging = \"0a1b2c3d\"",
        ] {
            assert_eq!(
                scan(line, &mut s),
                vec![b"0a1b2c3d".to_vec()],
                "{}",
                String::from_utf8_lossy(line)
            );
        }
        for line in [
            &b"ACME_KEY_FILE=0a1b2c3d"[..],
            b"ACME_KEY_ID: 0a1b2c3d",
            b"ACME_KEY_HEADER 0a1b2c3d",
        ] {
            assert!(
                scan(line, &mut s).is_empty(),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }

    /// Where the path is unknown, a path-limited rule yields to a live
    /// finding of an unlimited rule, but not to one its allowlist
    /// suppressed: that would drop the secret altogether.
    #[test]
    fn a_suppressed_candidate_never_hides_a_live_path_limited_one() {
        let text = "[[rule]]\nid = \"t.wide\"\nname = \"n\"\ndescription = \"d\"\nseverity = \"high\"\n\
                    keywords = [\"key=\"]\nregex = \'\'\'key=([a-z0-9]+)\'\'\'\n\
                    [rule.allow]\nstopwords = [\"demo\"]\n\n\
                    [[rule]]\nid = \"t.env\"\nname = \"n\"\ndescription = \"d\"\nseverity = \"high\"\n\
                    keywords = [\"key=\"]\nregex = \'\'\'key=([a-z0-9]+)\'\'\'\npath = \'\'\'\\.env$\'\'\'\n";
        let e = Engine::compile(&rule_set(text)).unwrap();
        let mut s = Scratch::default();
        let live = |line: &[u8], s: &mut Scratch| {
            let mut out = Vec::new();
            e.scan(line, None, s, &mut out);
            out.iter()
                .filter(|m| m.suppressed.is_none())
                .map(|m| e.rule_meta(m.rule).id.clone())
                .collect::<Vec<_>>()
        };
        // The unlimited rule's allowlist suppresses its own finding only.
        assert_eq!(live(b"key=demo4f9a2c", &mut s), vec!["t.env"]);
        // Both live: the unlimited rule keeps the finding.
        assert_eq!(live(b"key=b7e1f04c9d", &mut s), vec!["t.wide"]);
    }

    #[test]
    fn a_bad_pattern_is_named_with_its_rule_and_field() {
        for (extra, what) in [
            ("[rule.allow]\npaths = ['''(unclosed''']\n", "allow.paths"),
            ("[rule.allow]\nregexes = ['''[z-a]''']\n", "allow.regexes"),
            ("secret_group = 3\n", "secret_group"),
            ("secret_group = \"nope\"\n", "secret_group"),
        ] {
            let err = Engine::compile(&set(extra)).unwrap_err();
            assert_eq!(
                (err.rule.as_str(), err.what.as_str()),
                ("t.bad", what),
                "{err}"
            );
            assert!(err.to_string().starts_with("t.toml: rule t.bad: "), "{err}");
        }
    }

    #[test]
    fn per_rule_path_allowlist_applies_to_that_rule_only() {
        let e = Engine::compile(&set("[rule.allow]\npaths = ['''^fixtures/''']\n")).unwrap();
        let mut s = Scratch::default();
        let mut out = Vec::new();
        e.scan(b"tok_abc bad_abc", Some("fixtures/a.txt"), &mut s, &mut out);
        let ids: Vec<&str> = out
            .iter()
            .map(|m| e.rule_meta(m.rule).id.as_str())
            .collect();
        assert_eq!(ids, vec!["t.ok"]);
        out.clear();
        e.scan(b"tok_abc bad_abc", Some("src/a.txt"), &mut s, &mut out);
        assert_eq!(out.len(), 2);
    }
}
