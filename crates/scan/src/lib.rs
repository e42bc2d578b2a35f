//! Decides *where is it, and is it suppressed?*
//!
//! A [`Worker`] (one per thread) takes an input's content in chunks, runs the
//! engine over each, keeps every match exactly once across chunk overlaps,
//! turns byte offsets into lines and columns, applies other scanners'
//! suppression comments (`gitleaks:allow`, detect-secrets' pragmas,
//! secretlint's directives: see `directives`), counts suppressed matches by
//! mechanism, and collects findings and statistics. [`Outcome::merge`] then
//! combines workers into a sorted result that does not depend on how the
//! work was spread over threads.
//!
//! It must not know about files, git, command-line flags or output formats.

mod directives;
mod position;

pub use directives::{secretlint_families, Family};

use directives::Directives;
use leaktrap_core::{sort_findings, Finding, Location, ScanStats, Secret};
use leaktrap_engine::{Engine, Match, Scratch};
use position::LineTracker;
use std::sync::atomic::{AtomicU64, Ordering};

/// Live counters for a progress display. Updated once per finished input.
#[derive(Debug, Default)]
pub struct Progress {
    pub inputs: AtomicU64,
    pub bytes: AtomicU64,
}

/// Scans inputs on one thread.
pub struct Worker<'e> {
    engine: &'e Engine,
    scratch: Scratch,
    matches: Vec<Match>,
    findings: Vec<Finding>,
    stats: ScanStats,
    progress: Option<&'e Progress>,
    cur: Option<Current>,
    /// Whether the last finished input could hold a match across lines.
    last_spans_lines: bool,
}

struct Current {
    display: String,
    rel: Option<String>,
    lines: LineTracker,
    bytes: u64,
    /// Line ranges (1-based, inclusive, sorted) that matter: a match that
    /// touches none of them is counted, not reported. `None`: all lines.
    focus: Option<Vec<(u64, u64)>>,
    /// Some chunk could hold a match across lines.
    spans_lines: bool,
    /// Other scanners' suppression comments (`gitleaks:allow`, …).
    directives: Directives,
    /// Path-only rules have been applied.
    path_reported: bool,
}

impl<'e> Worker<'e> {
    pub fn new(engine: &'e Engine, progress: Option<&'e Progress>) -> Self {
        Worker {
            engine,
            scratch: Scratch::default(),
            matches: Vec::new(),
            findings: Vec::new(),
            stats: ScanStats::default(),
            progress,
            cur: None,
            last_spans_lines: false,
        }
    }

    /// Scans one whole input held in memory.
    pub fn scan_bytes(&mut self, display: &str, rel: Option<&str>, data: &[u8]) {
        self.begin(display, rel);
        self.chunk(data, 0);
        self.end();
    }

    /// Starts an input. `display` is shown in reports; `rel` is matched by
    /// path allowlists (`None` for stdin).
    pub fn begin(&mut self, display: &str, rel: Option<&str>) {
        self.cur = Some(Current {
            display: display.to_string(),
            rel: rel.map(str::to_string),
            lines: LineTracker::default(),
            bytes: 0,
            focus: None,
            spans_lines: false,
            directives: Directives::default(),
            path_reported: false,
        });
    }

    /// Reports only matches that touch these line ranges of the current
    /// input (1-based, inclusive): the lines a commit adds or changes.
    /// Others are counted in `ScanStats::outside_changes`.
    pub fn set_focus(&mut self, mut ranges: Vec<(u64, u64)>) {
        ranges.sort_unstable();
        if let Some(cur) = self.cur.as_mut() {
            cur.focus = Some(ranges);
        }
    }

    /// Scans the next chunk of the current input. Chunks arrive in order; the
    /// last `overlap` bytes of `data` are repeated at the start of the next
    /// chunk (0 for the last chunk), so matches starting there are left to it.
    pub fn chunk(&mut self, data: &[u8], overlap: usize) {
        let Some(cur) = self.cur.as_mut() else {
            return;
        };
        let keep = data.len().saturating_sub(overlap);
        cur.lines.reset_cursor();
        self.matches.clear();
        self.engine.scan(
            data,
            cur.rel.as_deref(),
            &mut self.scratch,
            &mut self.matches,
        );
        cur.spans_lines |= self.scratch.spans_lines();
        let first_line = cur.lines.first_line();
        let engine = self.engine;
        let known = |name: &str| {
            (0..engine.len()).any(|i| {
                let id = &engine.rule_meta(i).id;
                id == name || id.strip_prefix(name).is_some_and(|r| r.starts_with('.'))
            })
        };
        let mut warnings = Vec::new();
        cur.directives
            .begin_chunk(data, first_line, keep, &known, &mut warnings);
        for (line, message) in warnings {
            self.stats.warn(format!("{}:{line}", cur.display), message);
        }
        cur.spans_lines |= cur.directives.spans_lines;
        for m in self
            .matches
            .iter()
            .filter(|m| m.secret_start < keep || overlap == 0)
        {
            let location = cur.lines.locate(data, m.secret_start, m.secret_end);
            if let Some(focus) = &cur.focus {
                if !touches(focus, location.start_line, location.end_line) {
                    self.stats.outside_changes += 1;
                    continue;
                }
            }
            let suppressed = m.suppressed.or_else(|| {
                // The lines of the whole match, as `leaktrap:allow` uses.
                let nl = |s: &[u8]| memchr::memchr_iter(b'\n', s).count() as u64;
                let start = m.start.min(m.secret_start);
                let end = m.end.max(m.secret_end);
                let lines = (
                    location.start_line - nl(&data[start..m.secret_start]),
                    location.end_line + nl(&data[m.secret_end..end]),
                );
                cur.directives
                    .suppresses(&self.engine.rule_meta(m.rule).id, lines, start)
            });
            if let Some(kind) = suppressed {
                self.stats.suppress(kind);
                continue;
            }
            self.findings.push(Finding {
                rule: self.engine.rule_meta(m.rule).clone(),
                path: cur.display.clone(),
                location,
                secret: Secret::new(m.secret(data)),
                entropy: m.entropy,
                origin: None,
                decoded: m
                    .decoded
                    .as_ref()
                    .map_or_else(Vec::new, |d| d.encodings.clone()),
            });
        }
        cur.bytes += keep as u64;
        if overlap > 0 {
            cur.lines.advance(&data[..keep]);
            let next_line = cur.lines.first_line();
            cur.directives.end_chunk(keep, next_line);
        }
    }

    /// Counts `len` bytes of the current input as scanned although the
    /// engine did not see them: the caller knows their matches already (a
    /// history scan keeps an earlier version's findings on the lines a new
    /// version did not change).
    pub fn skip(&mut self, len: usize) {
        if let Some(cur) = self.cur.as_mut() {
            cur.bytes += len as u64;
        }
    }

    /// Reports the current input for rules that match on its path alone
    /// (a rule with `path` and no `regex`). [`Worker::end`] calls it; call
    /// it before [`Worker::abort`] for a file whose content is not scanned
    /// (binary) but whose name still matters.
    pub fn path_findings(&mut self) {
        let Some(cur) = self.cur.as_mut() else {
            return;
        };
        if cur.path_reported {
            return;
        }
        cur.path_reported = true;
        let Some(rel) = cur.rel.as_deref() else {
            return;
        };
        for r in self.engine.path_only_matches(rel) {
            self.findings.push(Finding {
                rule: self.engine.rule_meta(r).clone(),
                path: cur.display.clone(),
                location: Location {
                    start_line: 1,
                    start_column: 1,
                    end_line: 1,
                    end_column: 1,
                    byte_start: 0,
                    byte_end: 0,
                },
                secret: Secret::new(b""),
                entropy: 0.0,
                origin: None,
                decoded: Vec::new(),
            });
        }
    }

    /// Finishes the current input and counts it as scanned.
    pub fn end(&mut self) {
        self.path_findings();
        if let Some(cur) = self.cur.take() {
            self.last_spans_lines = cur.spans_lines;
            self.stats.files_scanned += 1;
            self.stats.bytes_scanned += cur.bytes;
            if let Some(p) = self.progress {
                p.inputs.fetch_add(1, Ordering::Relaxed);
                p.bytes.fetch_add(cur.bytes, Ordering::Relaxed);
            }
        }
    }

    /// Drops the current input without counting it as scanned (binary
    /// content, or a read error the caller records).
    pub fn abort(&mut self) {
        self.cur = None;
    }

    /// Whether the last input finished could hold a match that crosses a
    /// line (see `Scratch::spans_lines`).
    pub fn last_spans_lines(&self) -> bool {
        self.last_spans_lines
    }

    /// How many findings this worker holds so far.
    pub fn findings_len(&self) -> usize {
        self.findings.len()
    }

    /// The findings so far, for a caller that knows more about where they
    /// came from (history scans set their provenance).
    pub fn findings_mut(&mut self) -> &mut Vec<Finding> {
        &mut self.findings
    }

    /// The engine this worker runs.
    pub fn engine(&self) -> &'e Engine {
        self.engine
    }

    /// Statistics for skips and errors the caller records.
    pub fn stats_mut(&mut self) -> &mut ScanStats {
        &mut self.stats
    }

    /// What this worker found and counted.
    pub fn finish(self) -> Outcome {
        Outcome {
            findings: self.findings,
            stats: self.stats,
        }
    }
}

/// Whether `[start, end]` intersects any of the sorted ranges.
fn touches(ranges: &[(u64, u64)], start: u64, end: u64) -> bool {
    // The first range that ends at or after `start`...
    let i = ranges.partition_point(|r| r.1 < start);
    // ...must also begin at or before `end`.
    ranges.get(i).is_some_and(|r| r.0 <= end)
}

/// The result of a scan.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub stats: ScanStats,
}

impl Outcome {
    /// Combines worker outcomes into one, in canonical order.
    pub fn merge(parts: impl IntoIterator<Item = Outcome>) -> Outcome {
        let mut all = Outcome::default();
        for p in parts {
            all.findings.extend(p.findings);
            all.stats.merge(p.stats);
        }
        all.normalize();
        all
    }

    /// Sorts findings and errors so output is deterministic.
    pub fn normalize(&mut self) {
        sort_findings(&mut self.findings);
        self.stats.normalize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leaktrap_rules::{parse_rule_file, RuleSet};

    fn engine() -> Engine {
        let rules = parse_rule_file(
            "t.toml",
            r#"
[[rule]]
id = "t.token"
name = "Test token"
description = "A test token."
severity = "high"
keywords = ["tok_"]
regex = '''\b(tok_[a-z0-9]{12})\b'''
"#,
        )
        .unwrap();
        Engine::compile(&RuleSet {
            rules,
            allow: Default::default(),
            allowlists: Vec::new(),
            inline_markers: vec!["leaktrap:allow".into()],
        })
        .unwrap()
    }

    #[test]
    fn lines_and_columns_are_one_based_and_count_code_points() {
        let e = engine();
        let mut w = Worker::new(&e, None);
        let text = "first line\nπ = \"tok_a1b2c3d4e5f6\"\nx tok_zzzzzzzzzzzz # leaktrap:allow\n";
        w.scan_bytes("f.txt", Some("f.txt"), text.as_bytes());
        let out = w.finish();
        assert_eq!(out.findings.len(), 1);
        let l = out.findings[0].location;
        assert_eq!(
            (l.start_line, l.start_column, l.end_line, l.end_column),
            (2, 6, 2, 22)
        );
        assert_eq!(
            &text[l.byte_start as usize..l.byte_end as usize],
            "tok_a1b2c3d4e5f6"
        );
        assert_eq!(out.stats.suppressed.values().sum::<u64>(), 1);
        assert_eq!(out.stats.files_scanned, 1);
    }

    #[test]
    fn focus_keeps_only_matches_on_changed_lines() {
        let e = engine();
        let mut w = Worker::new(&e, None);
        let text = "tok_aaaaaaaaaaaa\nx\ntok_bbbbbbbbbbbb\ntok_cccccccccccc\n";
        w.begin("f", None);
        w.set_focus(vec![(3, 3)]);
        w.chunk(text.as_bytes(), 0);
        w.end();
        let out = w.finish();
        let lines: Vec<u64> = out.findings.iter().map(|f| f.location.start_line).collect();
        assert_eq!(lines, vec![3]);
        assert_eq!(out.stats.outside_changes, 2);
        assert!(touches(&[(1, 2), (5, 9)], 2, 2));
        assert!(touches(&[(1, 2), (5, 9)], 3, 6));
        assert!(!touches(&[(1, 2), (5, 9)], 3, 4));
        assert!(!touches(&[], 1, 1));
    }

    #[test]
    fn chunked_input_finds_each_secret_once_with_absolute_positions() {
        let e = engine();
        // Build an input and cut it into overlapping chunks by hand.
        let mut text = String::new();
        for i in 0..2000 {
            text.push_str(&format!("line {i} tok_{:012}\n", i));
        }
        let data = text.as_bytes();
        let (size, overlap) = (4096, 512);
        let mut w = Worker::new(&e, None);
        w.begin("big", None);
        let mut off = 0;
        loop {
            let end = (off + size).min(data.len());
            let last = end == data.len();
            w.chunk(&data[off..end], if last { 0 } else { overlap });
            if last {
                break;
            }
            off = end - overlap;
        }
        w.end();
        let out = Outcome::merge([w.finish()]);
        assert_eq!(out.findings.len(), 2000);
        for (i, f) in out.findings.iter().enumerate() {
            assert_eq!(f.location.start_line, i as u64 + 1);
            let col = format!("line {i} ").len() as u64 + 1;
            assert_eq!(f.location.start_column, col, "line {}", i + 1);
            let s = f.location.byte_start as usize;
            assert_eq!(&data[s..s + 4], b"tok_");
        }
        assert_eq!(out.stats.bytes_scanned, data.len() as u64);
    }
}
