//! Other scanners' suppression comments, honoured so that a repository
//! keeps its annotations when it switches to leaktrap:
//!
//! - Gitleaks: `gitleaks:allow` anywhere on a line of the match;
//! - detect-secrets: `pragma: allowlist secret` on a line of the match,
//!   `pragma: allowlist nextline secret` on the line before it;
//! - secretlint: `secretlint-disable-line` (a line of the match),
//!   `secretlint-disable-next-line` (the line before it), and
//!   `secretlint-disable` … `secretlint-enable` blocks (by position: a
//!   block without an end lasts to the end of the input), each with an
//!   optional comma-separated list of rules and an optional `-- reason`.
//!
//! secretlint's rule names are mapped to leaktrap rule families by
//! [`secretlint_families`]; leaktrap rule ids and families are accepted as
//! they are. A name that maps to nothing known suppresses nothing (fail
//! closed) and is reported as a warning naming the input and line.
//!
//! leaktrap's own `leaktrap:allow` is handled by the engine, first.

use leaktrap_core::SuppressionKind;
use regex::bytes::Regex;
use std::sync::OnceLock;

fn pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"gitleaks:allow|pragma: ?allowlist[ -](?:nextline[ -])?secret|secretlint-(?:disable-next-line|disable-line|disable|enable)",
        )
        .expect("the directive pattern is valid")
    })
}

/// Where a directive applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Lines of the match that hold it.
    Line,
    /// The line after it.
    NextLine,
    /// Everything after it, until a matching end.
    Disable,
    /// Ends (part of) a block.
    Enable,
}

/// Which rules a directive names: `None` is every rule.
type Rules = Option<Vec<String>>;

/// A directive found in the current input.
#[derive(Debug, Clone)]
struct Directive {
    kind: SuppressionKind,
    scope: Scope,
    rules: Rules,
    /// 1-based line.
    line: u64,
    /// Offset in the current chunk (blocks only care).
    offset: usize,
}

/// Which rules a `secretlint-disable` block has turned off.
#[derive(Debug, Clone, Default)]
struct Block {
    /// Every rule, except those re-enabled by name.
    all: bool,
    /// With `all`: re-enabled; without: disabled.
    names: Vec<String>,
}

impl Block {
    fn apply(&mut self, d: &Directive) {
        match (d.scope, &d.rules) {
            (Scope::Disable, None) => {
                *self = Block {
                    all: true,
                    names: Vec::new(),
                }
            }
            (Scope::Enable, None) => *self = Block::default(),
            (Scope::Disable, Some(rs)) if self.all => self.names.retain(|n| !rs.contains(n)),
            (Scope::Enable, Some(rs)) if self.all => self.names.extend(rs.iter().cloned()),
            (Scope::Disable, Some(rs)) => self.names.extend(rs.iter().cloned()),
            (Scope::Enable, Some(rs)) => self.names.retain(|n| !rs.contains(n)),
            _ => {}
        }
    }

    fn covers(&self, rule: &str) -> bool {
        let named = self.names.iter().any(|n| covers(n, rule));
        if self.all {
            !named
        } else {
            named
        }
    }
}

/// Whether a rule name (a leaktrap id or family) covers a rule id.
fn covers(name: &str, rule: &str) -> bool {
    rule == name
        || rule
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// The directives of one input, across its chunks.
#[derive(Debug, Default)]
pub(crate) struct Directives {
    /// Block state at the start of the current chunk.
    block: Block,
    /// Directives of the current chunk (and line directives carried over
    /// from the end of the previous one).
    found: Vec<Directive>,
    /// Whether the current chunk holds a directive that reaches beyond its
    /// own line (next-line or block).
    pub(crate) spans_lines: bool,
}

/// A warning about a directive: the line and the message.
pub(crate) type Warning = (u64, String);

impl Directives {
    /// Finds the directives of a chunk. `first_line` is the line of
    /// `data[0]`; `keep` is where the part repeated in the next chunk
    /// starts (warnings are given only before it, so once). `known` tells
    /// whether a name is a leaktrap rule id or family.
    pub(crate) fn begin_chunk(
        &mut self,
        data: &[u8],
        first_line: u64,
        keep: usize,
        known: &dyn Fn(&str) -> bool,
        warnings: &mut Vec<Warning>,
    ) {
        self.found
            .retain(|d| matches!(d.scope, Scope::Line | Scope::NextLine));
        self.spans_lines = false;
        let mut line = first_line;
        let mut at = 0;
        for m in pattern().find_iter(data) {
            let word = m.as_bytes();
            // `secretlint-disabled` and the like are words, not directives.
            if word.starts_with(b"secretlint-")
                && data
                    .get(m.end())
                    .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                continue;
            }
            line += memchr::memchr_iter(b'\n', &data[at..m.start()]).count() as u64;
            at = m.start();
            let (kind, scope) = match word {
                b"gitleaks:allow" => (SuppressionKind::GitleaksAllow, Scope::Line),
                b"secretlint-disable-line" => (SuppressionKind::SecretlintDisable, Scope::Line),
                b"secretlint-disable-next-line" => {
                    (SuppressionKind::SecretlintDisable, Scope::NextLine)
                }
                b"secretlint-disable" => (SuppressionKind::SecretlintDisable, Scope::Disable),
                b"secretlint-enable" => (SuppressionKind::SecretlintDisable, Scope::Enable),
                w if memchr::memmem::find(w, b"nextline").is_some() => {
                    (SuppressionKind::DetectSecretsPragma, Scope::NextLine)
                }
                _ => (SuppressionKind::DetectSecretsPragma, Scope::Line),
            };
            let rules = if kind == SuppressionKind::SecretlintDisable {
                let rest_end =
                    memchr::memchr(b'\n', &data[m.end()..]).map_or(data.len(), |i| m.end() + i);
                let (rules, unknown) = parse_rules(&data[m.end()..rest_end], known);
                if !unknown.is_empty() && m.start() < keep {
                    warnings.push((
                        line,
                        format!(
                            "`{}` names {} that leaktrap cannot map to its rules, so it \
                             suppresses nothing for {}: name leaktrap rule ids or families \
                             (`leaktrap rules list`), or no rule at all",
                            String::from_utf8_lossy(word),
                            unknown
                                .iter()
                                .map(|u| format!("`{u}`"))
                                .collect::<Vec<_>>()
                                .join(", "),
                            if unknown.len() == 1 { "it" } else { "them" },
                        ),
                    ));
                }
                rules
            } else {
                None
            };
            if scope != Scope::Line {
                self.spans_lines = true;
            }
            self.found.push(Directive {
                kind,
                scope,
                rules,
                line,
                offset: m.start(),
            });
        }
    }

    /// The directive that suppresses a match of `rule` spanning lines
    /// `lines` and starting at `start` in the current chunk, if any.
    pub(crate) fn suppresses(
        &self,
        rule: &str,
        lines: (u64, u64),
        start: usize,
    ) -> Option<SuppressionKind> {
        if self.found.is_empty() && !self.block.all && self.block.names.is_empty() {
            return None;
        }
        let named = |rules: &Rules| match rules {
            None => true,
            Some(rs) => rs.iter().any(|n| covers(n, rule)),
        };
        for d in &self.found {
            let hit = match d.scope {
                Scope::Line => (lines.0..=lines.1).contains(&d.line),
                Scope::NextLine => d.line + 1 == lines.0,
                Scope::Disable | Scope::Enable => false,
            };
            if hit && named(&d.rules) {
                return Some(d.kind);
            }
        }
        let mut block = self.block.clone();
        for d in self
            .found
            .iter()
            .filter(|d| matches!(d.scope, Scope::Disable | Scope::Enable) && d.offset < start)
        {
            block.apply(d);
        }
        block
            .covers(rule)
            .then_some(SuppressionKind::SecretlintDisable)
    }

    /// Ends a chunk: blocks opened or closed before `keep` carry over, and
    /// line directives that can still reach a line of the next chunk
    /// (which starts on line `next_line`).
    pub(crate) fn end_chunk(&mut self, keep: usize, next_line: u64) {
        let mut block = std::mem::take(&mut self.block);
        for d in self
            .found
            .iter()
            .filter(|d| matches!(d.scope, Scope::Disable | Scope::Enable) && d.offset < keep)
        {
            block.apply(d);
        }
        self.block = block;
        self.found.retain(|d| {
            d.offset < keep
                && match d.scope {
                    Scope::Line => d.line >= next_line,
                    Scope::NextLine => d.line + 1 >= next_line,
                    Scope::Disable | Scope::Enable => false,
                }
        });
        // Carried over: no longer at an offset of the next chunk.
        for d in &mut self.found {
            d.offset = 0;
        }
    }
}

/// Parses a secretlint rule list (what follows the directive on its line):
/// comma-separated names, then an optional `-- reason`, perhaps closed by
/// `*/` or `-->`. Returns the leaktrap rule families the names map to
/// (`None`: no name, every rule) and the names that map to nothing.
fn parse_rules(rest: &[u8], known: &dyn Fn(&str) -> bool) -> (Rules, Vec<String>) {
    let text = String::from_utf8_lossy(rest);
    // Names: runs of these characters, separated by commas. The list ends
    // at anything else: `-- reason`, `*/`, `-->`, or prose.
    let name_char = |c: char| c.is_ascii_alphanumeric() || "@/._-".contains(c);
    let mut names: Vec<&str> = Vec::new();
    let mut s = text.trim_start();
    while !s.starts_with("--") {
        let end = s.find(|c: char| !name_char(c)).unwrap_or(s.len());
        if end == 0 {
            break;
        }
        names.push(&s[..end]);
        match s[end..].trim_start().strip_prefix(',') {
            Some(r) => s = r.trim_start(),
            None => break,
        }
    }
    if names.is_empty() {
        return (None, Vec::new());
    }
    let mut families = Vec::new();
    let mut unknown = Vec::new();
    for n in names {
        match secretlint_families(n) {
            Some(Family::All) => return (None, unknown),
            Some(Family::Of(fs)) => families.extend(fs.iter().map(|f| (*f).to_string())),
            Some(Family::NoEquivalent) => {}
            None if known(n) => families.push(n.to_string()),
            None => unknown.push(n.to_string()),
        }
    }
    (Some(families), unknown)
}

/// What a secretlint rule name stands for in leaktrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Every rule (the recommended preset).
    All,
    /// These leaktrap rule families.
    Of(&'static [&'static str]),
    /// A secretlint rule leaktrap has no rules for: it suppresses nothing,
    /// and there is nothing for it to suppress.
    NoEquivalent,
}

/// secretlint's rules (`@secretlint/secretlint-rule-NAME`, or `NAME` alone)
/// as leaktrap rule families. `None`: not a secretlint rule leaktrap knows.
/// docs/migrating.md shows this table.
pub fn secretlint_families(name: &str) -> Option<Family> {
    let short = name
        .strip_prefix("@secretlint/")
        .unwrap_or(name)
        .strip_prefix("secretlint-rule-")?;
    Some(match short {
        "preset-recommend" | "preset-canary" => Family::All,
        "aws" => Family::Of(&["aws"]),
        "gcp" => Family::Of(&["google"]),
        "privatekey" => Family::Of(&["private-key"]),
        "npm" => Family::Of(&["npm"]),
        "basicauth" | "database-connection-string" => Family::Of(&["connection-string"]),
        "slack" => Family::Of(&["slack"]),
        "sendgrid" => Family::Of(&["sendgrid"]),
        "shopify" => Family::Of(&["shopify"]),
        "github" => Family::Of(&["github"]),
        "openai" => Family::Of(&["openai"]),
        "anthropic" => Family::Of(&["anthropic"]),
        "azure" => Family::Of(&["azure"]),
        "huggingface" => Family::Of(&["huggingface"]),
        "linear"
        | "1password"
        | "no-k8s-kind-secret"
        | "no-homedir"
        | "no-dotenv"
        | "secp256k1-privatekey"
        | "pattern"
        | "filter-comments" => Family::NoEquivalent,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(text: &str, known: &dyn Fn(&str) -> bool) -> (Directives, Vec<Warning>) {
        let mut d = Directives::default();
        let mut w = Vec::new();
        d.begin_chunk(text.as_bytes(), 1, text.len(), known, &mut w);
        (d, w)
    }

    fn leaktrap_ids(n: &str) -> bool {
        ["github", "aws", "github.pat-classic"].contains(&n)
    }

    #[test]
    fn line_and_next_line_directives() {
        let text = "a # gitleaks:allow\n# pragma: allowlist nextline secret\nb\nc # pragma: allowlist secret\n// secretlint-disable-next-line\nd\ne // secretlint-disable-line\nf\n";
        let (d, w) = scan(text, &leaktrap_ids);
        assert!(w.is_empty());
        let at = |l| d.suppresses("github.pat-classic", (l, l), 0);
        assert_eq!(at(1), Some(SuppressionKind::GitleaksAllow));
        assert_eq!(at(2), None, "the pragma's own line");
        assert_eq!(at(3), Some(SuppressionKind::DetectSecretsPragma));
        assert_eq!(at(4), Some(SuppressionKind::DetectSecretsPragma));
        assert_eq!(at(6), Some(SuppressionKind::SecretlintDisable));
        assert_eq!(at(7), Some(SuppressionKind::SecretlintDisable));
        assert_eq!(at(8), None);
        assert!(d.spans_lines);
    }

    #[test]
    fn blocks_with_rule_lists() {
        let text = "x\n/* secretlint-disable @secretlint/secretlint-rule-github -- fixtures */\ny\n# secretlint-enable\nz\n# secretlint-disable\nw\n# secretlint-enable aws\nv\n";
        let (d, _) = scan(text, &leaktrap_ids);
        let off = |s: &str| text.find(s).unwrap();
        let gh = |s| d.suppresses("github.pat-classic", (0, 0), off(s));
        let aws = |s| d.suppresses("aws.access-key-id", (0, 0), off(s));
        assert_eq!(gh("x"), None);
        assert_eq!(gh("y"), Some(SuppressionKind::SecretlintDisable));
        assert_eq!(aws("y"), None, "only the github rules");
        assert_eq!(gh("z"), None);
        assert_eq!(gh("w"), Some(SuppressionKind::SecretlintDisable));
        assert_eq!(aws("w"), Some(SuppressionKind::SecretlintDisable));
        assert_eq!(aws("v"), None, "aws enabled again");
        assert_eq!(gh("v"), Some(SuppressionKind::SecretlintDisable));
    }

    #[test]
    fn unknown_rule_names_suppress_nothing_and_warn() {
        // Split so that leaktrap's self-scan does not warn about it.
        let text = concat!(
            "s // secretlint-",
            "disable-line @secretlint/secretlint-rule-nope, mystery\n"
        );
        let (d, w) = scan(text, &leaktrap_ids);
        assert_eq!(d.suppresses("github.pat-classic", (1, 1), 0), None);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].0, 1);
        assert!(w[0].1.contains("`mystery`"), "{}", w[0].1);
        // A leaktrap id is accepted as it is; `-->` ends an HTML comment.
        let text = "s <!-- secretlint-disable-line github.pat-classic -->\n";
        let (d, w) = scan(text, &leaktrap_ids);
        assert!(w.is_empty(), "{w:?}");
        assert!(d.suppresses("github.pat-classic", (1, 1), 0).is_some());
        assert!(d.suppresses("github.oauth-token", (1, 1), 0).is_none());
    }

    #[test]
    fn blocks_and_line_directives_carry_across_chunks() {
        let mut d = Directives::default();
        let mut w = Vec::new();
        let first = "a\n# secretlint-disable\nb\n# pragma: allowlist nextline secret\n";
        d.begin_chunk(first.as_bytes(), 1, first.len(), &leaktrap_ids, &mut w);
        d.end_chunk(first.len(), 5);
        let second = "c\n";
        d.begin_chunk(second.as_bytes(), 5, second.len(), &leaktrap_ids, &mut w);
        assert_eq!(
            d.suppresses("aws.x", (5, 5), 0),
            Some(SuppressionKind::DetectSecretsPragma)
        );
        assert_eq!(
            d.suppresses("aws.x", (6, 6), 0),
            Some(SuppressionKind::SecretlintDisable)
        );
        assert!(!d.spans_lines, "no new directive in this chunk");
    }

    #[test]
    fn rule_lists_end_where_names_end() {
        let known = |_: &str| true;
        let names = |t: &str| parse_rules(t.as_bytes(), &known).0;
        assert_eq!(names(""), None);
        assert_eq!(names(" */"), None);
        assert_eq!(names(" -- just because"), None);
        assert_eq!(
            names(" a.b, c -- reason, not a name"),
            Some(vec!["a.b".to_string(), "c".to_string()])
        );
        assert_eq!(names(" x -->"), Some(vec!["x".to_string()]));
        assert_eq!(names(" x and prose, y"), Some(vec!["x".to_string()]));
        let (d, _) = scan("a secretlint-disabled word\nsecret\n", &known);
        assert_eq!(d.suppresses("aws.x", (2, 2), 27), None);
    }

    #[test]
    fn secretlint_names() {
        assert_eq!(
            secretlint_families("@secretlint/secretlint-rule-gcp"),
            Some(Family::Of(&["google"]))
        );
        assert_eq!(
            secretlint_families("secretlint-rule-linear"),
            Some(Family::NoEquivalent)
        );
        assert_eq!(secretlint_families("github"), None);
        assert!(covers("github", "github.pat-classic"));
        assert!(!covers("git", "github.pat-classic"));
    }
}
