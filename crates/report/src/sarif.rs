//! SARIF 2.1.0, shaped for GitHub code scanning (see `docs/formats.md`).

use crate::fingerprint::{line_hashes, Fingerprinter};
use crate::{headline, Artifacts, AsNamed, Level, Report, Reporter};
use leaktrap_core::{Confidence, Finding, Redaction, RuleMeta, Severity};
use serde_json::{json, Map, Value};
use serde_sarif::sarif;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, Write};

/// Results GitHub accepts in one run; past it, results are aggregated.
pub const MAX_RESULTS: usize = 25_000;

/// GitHub's limit on an uploaded SARIF file, gzip-compressed ("10 MB"; the
/// decimal reading, the stricter one). Past it, results are cut further.
pub const MAX_GZIP_BYTES: usize = 10_000_000;

/// Other locations listed on an aggregated result.
const MAX_RELATED: usize = 10;

/// Tags GitHub shows on a rule.
const MAX_TAGS: usize = 10;

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

/// The SARIF log: one run of leaktrap, only the rules that fired, one result
/// per finding (aggregated by rule and secret past [`MAX_RESULTS`]).
pub struct Sarif<'a> {
    /// Repository-relative paths, the root and the content for line hashes.
    pub artifacts: &'a dyn Artifacts,
    /// Results per run at most; [`MAX_RESULTS`] unless testing.
    pub max_results: usize,
    /// Gzip-compressed size at most; [`MAX_GZIP_BYTES`] unless testing.
    pub max_gzip_bytes: usize,
}

impl Default for Sarif<'static> {
    fn default() -> Self {
        Sarif {
            artifacts: &AsNamed,
            max_results: MAX_RESULTS,
            max_gzip_bytes: MAX_GZIP_BYTES,
        }
    }
}

impl<'a> Sarif<'a> {
    pub fn new(artifacts: &'a dyn Artifacts) -> Self {
        Sarif {
            artifacts,
            max_results: MAX_RESULTS,
            max_gzip_bytes: MAX_GZIP_BYTES,
        }
    }
}

impl std::fmt::Debug for Sarif<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sarif")
            .field("max_results", &self.max_results)
            .finish_non_exhaustive()
    }
}

impl Reporter for Sarif<'_> {
    fn write(&self, report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
        let mut max = self.max_results;
        let mut cut: Option<String> = None;
        loop {
            let log = self.log(report, max, cut.as_deref());
            let mut bytes = serde_json::to_vec_pretty(&log)?;
            bytes.push(b'\n');
            // gzip never shrinks text to less than about a thousandth of
            // it, so only a file past the limit itself needs measuring.
            let results = log.runs[0].results.as_ref().map_or(0, Vec::len);
            if bytes.len() <= self.max_gzip_bytes || results <= 1 {
                return out.write_all(&bytes);
            }
            let packed = gzip_len(&bytes)?;
            if packed <= self.max_gzip_bytes {
                return out.write_all(&bytes);
            }
            // Scale the results down to fit, with a margin, and try again.
            let ratio = self.max_gzip_bytes as f64 / packed as f64;
            let fewer = ((results as f64 * ratio * 0.9) as usize).clamp(1, results - 1);
            cut = Some(format!(
                "with {results} results the file was {packed} bytes gzip-compressed, more than \
                 the {} GitHub accepts: results were cut to {fewer} (the most severe kept)",
                self.max_gzip_bytes
            ));
            max = fewer;
        }
    }
}

/// The size of `bytes` gzip-compressed (at the default level, as uploads do).
fn gzip_len(bytes: &[u8]) -> io::Result<usize> {
    struct Count(usize);
    impl Write for Count {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0 += b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut gz = flate2::write::GzEncoder::new(Count(0), flate2::Compression::default());
    gz.write_all(bytes)?;
    Ok(gz.finish()?.0)
}

/// One result to write: a finding, or the first of a group of findings of
/// the same secret under the same rule.
struct Entry<'f> {
    first: &'f Finding,
    fingerprint: String,
    others: Vec<&'f Finding>,
}

impl Sarif<'_> {
    fn log(&self, report: &Report<'_>, max_results: usize, cut: Option<&str>) -> sarif::Sarif {
        let rules = fired_rules(report.findings);
        let rule_index: HashMap<&str, usize> = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let (entries, aggregation) =
            Self::entries(report.findings, report.fingerprinter, max_results);
        let line_hashes = self.primary_line_hashes(&entries);
        let results: Vec<sarif::Result> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                self.result(
                    e,
                    rule_index.get(e.first.rule.id.as_str()).copied(),
                    line_hashes.get(&i).cloned(),
                    report.redaction,
                )
            })
            .collect();

        let driver = sarif::ToolComponent::builder()
            .name("leaktrap")
            .semantic_version(report.tool_version)
            .information_uri(env!("CARGO_PKG_REPOSITORY"))
            .rules(rules.iter().map(|r| descriptor(r)).collect::<Vec<_>>())
            .build();

        let mut run_props = Map::new();
        run_props.insert("verdict".into(), json!(report.verdict().as_str()));
        run_props.insert("findings".into(), json!(report.findings.len()));
        run_props.insert("filesScanned".into(), json!(report.stats.files_scanned));
        run_props.insert("bytesScanned".into(), json!(report.stats.bytes_scanned));
        run_props.insert("skipped".into(), json!(report.stats.skipped));
        run_props.insert("suppressed".into(), json!(report.stats.suppressed));
        if let Some(a) = aggregation {
            run_props.insert("aggregated".into(), json!(true));
            run_props.insert("resultsOmitted".into(), json!(a.omitted_results));
            run_props.insert("findingsOmitted".into(), json!(a.omitted_findings));
            run_props.insert(
                "aggregation".into(),
                json!(format!(
                    "{} findings are more than the {} results a run may hold: findings of \
                     the same secret under the same rule are one result (occurrenceCount \
                     says how many, relatedLocations lists up to {MAX_RELATED} others){}. \
                     The JSON report lists every finding.",
                    report.findings.len(),
                    max_results,
                    if a.omitted_results > 0 {
                        format!(
                            "; the {} least severe of those results ({} findings) are left out",
                            a.omitted_results, a.omitted_findings
                        )
                    } else {
                        String::new()
                    }
                )),
            );
        }

        if let Some(cut) = cut {
            run_props.insert("sizeLimited".into(), json!(cut));
        }

        let mut run = sarif::Run::builder()
            .tool(sarif::Tool::from(driver))
            .results(results)
            .invocations(vec![invocation(report)])
            .automation_details(
                sarif::RunAutomationDetails::builder()
                    .id("leaktrap/")
                    .build(),
            )
            .column_kind(json!("unicodeCodePoints"))
            .properties(bag(run_props))
            .build();
        if let Some(root) = self.artifacts.root_uri() {
            let mut bases = BTreeMap::new();
            bases.insert(
                SRCROOT.to_string(),
                sarif::ArtifactLocation::builder().uri(root).build(),
            );
            run.original_uri_base_ids = Some(bases);
        }
        sarif::Sarif::builder()
            .schema(SCHEMA_URI)
            .version(json!("2.1.0"))
            .runs(vec![run])
            .build()
    }

    /// One entry per finding; past the limit, one per (rule, secret), and
    /// past it still, only the most severe.
    fn entries<'f>(
        findings: &'f [Finding],
        fp: &Fingerprinter,
        max_results: usize,
    ) -> (Vec<Entry<'f>>, Option<Aggregation>) {
        let fingerprint = |f: &Finding| fp.fingerprint(&f.rule.id, &f.secret);
        if findings.len() <= max_results {
            let entries = findings
                .iter()
                .map(|f| Entry {
                    first: f,
                    fingerprint: fingerprint(f),
                    others: Vec::new(),
                })
                .collect();
            return (entries, None);
        }
        let mut entries: Vec<Entry<'f>> = Vec::new();
        let mut by_key: HashMap<(&str, String), usize> = HashMap::new();
        for f in findings {
            let fp = fingerprint(f);
            match by_key.entry((f.rule.id.as_str(), fp.clone())) {
                std::collections::hash_map::Entry::Occupied(e) => {
                    entries[*e.get()].others.push(f);
                }
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(entries.len());
                    entries.push(Entry {
                        first: f,
                        fingerprint: fp,
                        others: Vec::new(),
                    });
                }
            }
        }
        let mut aggregation = Aggregation {
            omitted_results: 0,
            omitted_findings: 0,
        };
        if entries.len() > max_results {
            // Keep the most severe; among equals, the first in report order.
            let mut order: Vec<usize> = (0..entries.len()).collect();
            order.sort_by_key(|&i| (std::cmp::Reverse(entries[i].first.rule.severity), i));
            let keep: BTreeSet<usize> = order[..max_results].iter().copied().collect();
            let mut kept = Vec::with_capacity(max_results);
            for (i, e) in entries.into_iter().enumerate() {
                if keep.contains(&i) {
                    kept.push(e);
                } else {
                    aggregation.omitted_results += 1;
                    aggregation.omitted_findings += 1 + e.others.len();
                }
            }
            entries = kept;
        }
        (entries, Some(aggregation))
    }

    /// GitHub's line hash of each entry's primary location, over the content
    /// the finding was found in, for the entries whose content the caller
    /// could supply and which still holds the secret where it was found.
    fn primary_line_hashes(&self, entries: &[Entry<'_>]) -> HashMap<usize, String> {
        // Entries by the content they point into: a path, and for history a blob.
        let mut by_content: BTreeMap<(&str, Option<&str>), Vec<usize>> = BTreeMap::new();
        for (i, e) in entries.iter().enumerate() {
            let f = e.first;
            let blob = f.origin.as_deref().and_then(|o| o.blob.as_deref());
            by_content.entry((&f.path, blob)).or_default().push(i);
        }
        let mut out = HashMap::new();
        for idx in by_content.values() {
            let Some(content) = self.artifacts.content(entries[idx[0]].first) else {
                continue;
            };
            let mut wanted: HashMap<u64, Vec<usize>> = HashMap::new();
            for &i in idx {
                let f = entries[i].first;
                if holds_secret(&content, f) {
                    wanted.entry(f.location.start_line).or_default().push(i);
                }
            }
            if wanted.is_empty() {
                continue;
            }
            line_hashes(&content, |line, hash| {
                if let Some(is) = wanted.get(&line) {
                    for &i in is {
                        out.insert(i, hash.to_string());
                    }
                }
            });
        }
        out
    }

    fn result(
        &self,
        e: &Entry<'_>,
        rule_index: Option<usize>,
        line_hash: Option<String>,
        redaction: Redaction,
    ) -> sarif::Result {
        let f = e.first;
        let mut fingerprints = BTreeMap::new();
        if let Some(h) = line_hash {
            fingerprints.insert("primaryLocationLineHash".to_string(), h);
        }
        // The unkeyed value keeps its historical name and bare hex form; a
        // keyed one gets a name of its own (never the unkeyed hash, which
        // would undo the key).
        let (name, value) = match e.fingerprint.split_once(':') {
            Some(("sha256", hex)) => ("leaktrap/v1", hex),
            Some((_, hex)) => ("leaktrap/hmac-sha256/v1", hex),
            None => ("leaktrap/v1", e.fingerprint.as_str()),
        };
        fingerprints.insert(name.to_string(), value.to_string());

        let mut props = Map::new();
        props.insert("secret".into(), json!(f.secret.render(redaction)));
        props.insert("secretLength".into(), json!(f.secret.char_len()));
        props.insert("redaction".into(), json!(redaction_name(redaction)));
        props.insert("severity".into(), json!(f.rule.severity.as_str()));
        props.insert("confidence".into(), json!(f.rule.confidence.as_str()));
        if !f.decoded.is_empty() {
            props.insert("decoded".into(), json!(f.decoded));
        }
        if let Some(o) = f.origin.as_deref() {
            props.insert("commit".into(), json!(o.commit));
            if let Some(b) = &o.blob {
                props.insert("blob".into(), json!(b));
            }
            props.insert("author".into(), json!(o.author_name));
            props.insert("authorEmail".into(), json!(o.author_email));
            props.insert("date".into(), json!(o.date));
            props.insert("originKind".into(), json!(o.kind));
            if !o.also_in.is_empty() {
                props.insert("alsoIn".into(), json!(o.also_in));
            }
        }

        let mut b = sarif::Result::builder()
            .rule_id(f.rule.id.clone())
            .level(match Level::of(f.rule.severity) {
                Level::Error => sarif::ResultLevel::Error,
                Level::Warning => sarif::ResultLevel::Warning,
                Level::Note => sarif::ResultLevel::Note,
            })
            .message(sarif::Message::builder().text(headline(f)).build())
            .locations(vec![self.location(f, None)])
            .partial_fingerprints(fingerprints)
            .properties(bag(props))
            .build();
        if let Some(i) = rule_index {
            b.rule_index = Some(i64::try_from(i).unwrap_or(i64::MAX));
        }
        if !e.others.is_empty() {
            b.occurrence_count = Some(i64::try_from(1 + e.others.len()).unwrap_or(i64::MAX));
            b.related_locations = Some(
                e.others
                    .iter()
                    .take(MAX_RELATED)
                    .enumerate()
                    .map(|(i, o)| self.location(o, Some(i64::try_from(i + 1).unwrap_or(0))))
                    .collect(),
            );
        }
        b
    }

    fn location(&self, f: &Finding, id: Option<i64>) -> sarif::Location {
        let path = self.artifacts.repo_path(f);
        let artifact = if is_absolute(&path) {
            sarif::ArtifactLocation::builder()
                .uri(file_uri(&path))
                .build()
        } else {
            sarif::ArtifactLocation::builder()
                .uri(encode_path(&path))
                .uri_base_id(SRCROOT)
                .build()
        };
        let l = &f.location;
        let n = |v: u64| i64::try_from(v.max(1)).unwrap_or(i64::MAX);
        let region = sarif::Region::builder()
            .start_line(n(l.start_line))
            .start_column(n(l.start_column))
            .end_line(n(l.end_line.max(l.start_line)))
            .end_column(n(l.end_column))
            .build();
        let physical = sarif::PhysicalLocation::builder()
            .artifact_location(artifact)
            .region(region)
            .build();
        let mut loc = sarif::Location::builder()
            .physical_location(physical)
            .build();
        if let Some(id) = id {
            loc.id = Some(id);
            loc.message = Some(
                sarif::Message::builder()
                    .text("The same secret, also here.")
                    .build(),
            );
        }
        loc
    }
}

struct Aggregation {
    omitted_results: usize,
    omitted_findings: usize,
}

/// Whether `content` still holds the finding's secret at its byte offsets:
/// otherwise it is not the content the secret was found in.
fn holds_secret(content: &[u8], f: &Finding) -> bool {
    let (Ok(start), Ok(end)) = (
        usize::try_from(f.location.byte_start),
        usize::try_from(f.location.byte_end),
    ) else {
        return false;
    };
    // Compared, never shown.
    content.get(start..end) == Some(f.secret.expose())
}

/// The rules that fired, once each, sorted by id.
fn fired_rules(findings: &[Finding]) -> Vec<&RuleMeta> {
    let mut rules: BTreeMap<&str, &RuleMeta> = BTreeMap::new();
    for f in findings {
        rules.entry(f.rule.id.as_str()).or_insert(&f.rule);
    }
    rules.into_values().collect()
}

fn descriptor(r: &RuleMeta) -> sarif::ReportingDescriptor {
    let mut tags: Vec<String> = vec!["security".into(), "secret".into()];
    for t in &r.tags {
        if !tags.contains(t) {
            tags.push(t.clone());
        }
    }
    tags.truncate(MAX_TAGS);
    let mut props = Map::new();
    props.insert(
        "security-severity".into(),
        json!(security_severity(r.severity)),
    );
    props.insert("precision".into(), json!(precision(r.confidence)));
    let props = sarif::PropertyBag::builder()
        .tags(tags)
        .additional_properties(props.into_iter().collect::<BTreeMap<String, Value>>())
        .build();
    sarif::ReportingDescriptor::builder()
        .id(r.id.clone())
        .name(truncate(&r.name, 255))
        .short_description(
            sarif::MultiformatMessageString::builder()
                .text(truncate(&r.name, 1024))
                .build(),
        )
        .full_description(
            sarif::MultiformatMessageString::builder()
                .text(r.description.clone())
                .build(),
        )
        .help(
            sarif::MultiformatMessageString::builder()
                .text(help_text(r))
                .markdown(help_markdown(r))
                .build(),
        )
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(json!(match Level::of(r.severity) {
                    Level::Error => "error",
                    Level::Warning => "warning",
                    Level::Note => "note",
                }))
                .build(),
        )
        .properties(props)
        .build()
}

fn help_text(r: &RuleMeta) -> String {
    format!(
        "{name} ({id})\n\n{description}\n\n\
         A secret in a repository is exposed to everyone who can read the repository or \
         its history, and to every clone, fork, CI log and cache of it.\n\n\
         1. Rotate or revoke it first, at its issuer: removing it from the code does not \
         make it secret again.\n\
         2. Remove it from the code and load it at run time from a secret manager or the \
         environment.\n\
         3. Purge it from git history (for example with git filter-repo) if the repository \
         is shared, and ask the host to drop cached views and forks.\n\n\
         To find every commit and branch that carries it and who introduced it, trace the \
         incident with `leaktrap trace`.\n\n\
         Not a secret (a test value, an example)? Put leaktrap:allow in a comment on its \
         line, or allowlist it in .leaktrap.toml.",
        name = r.name,
        id = r.id,
        description = r.description
    )
}

fn help_markdown(r: &RuleMeta) -> String {
    format!(
        "**{name}** (`{id}`)\n\n{description}\n\n\
         A secret in a repository is exposed to everyone who can read the repository or \
         its history, and to every clone, fork, CI log and cache of it.\n\n\
         1. **Rotate or revoke it first**, at its issuer: removing it from the code does \
         not make it secret again.\n\
         2. **Remove it from the code** and load it at run time from a secret manager or \
         the environment.\n\
         3. **Purge it from git history** (for example with `git filter-repo`) if the \
         repository is shared, and ask the host to drop cached views and forks.\n\n\
         To find every commit and branch that carries it and who introduced it, trace the \
         incident with `leaktrap trace`.\n\n\
         Not a secret (a test value, an example)? Put `leaktrap:allow` in a comment on its \
         line, or allowlist it in `.leaktrap.toml`.",
        name = r.name,
        id = r.id,
        description = r.description
    )
}

/// GitHub's scale: over 9 critical, 7 to 8.9 high, 4 to 6.9 medium, under 4 low.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

fn precision(c: Confidence) -> &'static str {
    match c {
        Confidence::High => "high",
        Confidence::Medium => "medium",
        Confidence::Low => "low",
    }
}

fn redaction_name(r: Redaction) -> &'static str {
    match r {
        Redaction::Mask => "mask",
        Redaction::Percent(_) => "percent",
        Redaction::Reveal => "none",
    }
}

fn invocation(report: &Report<'_>) -> sarif::Invocation {
    let mut notes: Vec<sarif::Notification> = Vec::new();
    for e in &report.stats.errors {
        notes.push(
            sarif::Notification::builder()
                .level(json!("error"))
                .message(
                    sarif::Message::builder()
                        .text(format!(
                            "Not scanned: cannot read {}: {}",
                            e.path, e.message
                        ))
                        .build(),
                )
                .build(),
        );
    }
    for w in &report.stats.warnings {
        notes.push(
            sarif::Notification::builder()
                .level(json!("warning"))
                .message(
                    sarif::Message::builder()
                        .text(format!("{}: {}", w.path, w.message))
                        .build(),
                )
                .build(),
        );
    }
    let mut inv = sarif::Invocation::builder()
        .execution_successful(report.stats.complete())
        .build();
    if !notes.is_empty() {
        inv.tool_execution_notifications = Some(notes);
    }
    inv
}

fn bag(props: Map<String, Value>) -> sarif::PropertyBag {
    sarif::PropertyBag::builder()
        .additional_properties(props.into_iter().collect::<BTreeMap<String, Value>>())
        .build()
}

fn truncate(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => s[..i].to_string(),
        None => s.to_string(),
    }
}

/// Whether a `/`-separated path is absolute (`/x`, or a drive `C:/x`).
fn is_absolute(path: &str) -> bool {
    path.starts_with('/') || drive_prefix(path).is_some()
}

/// `C:` of `C:/…`.
fn drive_prefix(path: &str) -> Option<&str> {
    let b = path.as_bytes();
    (b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/').then(|| &path[..2])
}

/// A `file://` URI for an absolute, `/`-separated path (`\` is taken as `/`).
/// Pass a path ending in `/` for a directory, as `originalUriBaseIds` wants.
pub fn file_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    match drive_prefix(&path) {
        Some(drive) => format!("file:///{drive}{}", encode_path(&path[2..])),
        None if path.starts_with('/') => format!("file://{}", encode_path(&path)),
        None => format!("file:///{}", encode_path(&path)),
    }
}

/// Percent-encodes a `/`-separated path as a URI path: every byte but the
/// unreserved characters of RFC 3986 and `/` (so spaces, `%`, `#`, `?`, `:`
/// and non-ASCII characters are encoded).
fn encode_path(path: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uris() {
        assert_eq!(
            encode_path("dir with space/naïve.env"),
            "dir%20with%20space/na%C3%AFve.env"
        );
        assert_eq!(encode_path("a:b#c?d%e"), "a%3Ab%23c%3Fd%25e");
        assert_eq!(file_uri("/home/u/repo/"), "file:///home/u/repo/");
        assert_eq!(file_uri("C:\\work\\repo\\"), "file:///C:/work/repo/");
        assert_eq!(file_uri("/tmp/a b"), "file:///tmp/a%20b");
        assert!(is_absolute("/x") && is_absolute("D:/x") && !is_absolute("x/y"));
    }

    #[test]
    fn truncation_is_on_characters() {
        assert_eq!(truncate("ключ", 2), "кл");
        assert_eq!(truncate("ab", 5), "ab");
    }
}
