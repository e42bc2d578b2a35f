//! Scoring a scanner's report against the labels.
//!
//! A finding is a (file, line range). Findings are first reduced to unique
//! (file, start line) pairs, so a tool that reports one secret under several rules is
//! not penalised twice. A finding whose range covers a planted secret's line range is a
//! true positive and marks that secret found; any other finding is a false positive, and
//! also a hard-negative hit when it covers a hard-negative label.
//! Secret values are never printed: only file:line and the format id.

use anyhow::{bail, Context, Result};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;

use crate::corpus::{Label, Labels, HARD_NEGATIVE, SECRET};

/// Tools whose native reports `parse_report` reads.
pub const TOOLS: &[&str] = &[
    "leaktrap",
    "gitleaks",
    "betterleaks",
    "kingfisher",
    "ripsecrets",
    "secretlint",
    "detect-secrets",
];

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    pub path: String,
    pub start_line: usize,
    pub end_line: usize,
}

fn num(v: &Value) -> Option<usize> {
    v.as_u64().map(|n| n as usize)
}

fn get_str(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

/// Parses a tool's native report into findings.
pub fn parse_report(tool: &str, text: &str) -> Result<Vec<Finding>> {
    let mut out = Vec::new();
    let push =
        |out: &mut Vec<Finding>, path: Option<String>, s: Option<usize>, e: Option<usize>| {
            if let (Some(path), Some(s)) = (path, s) {
                out.push(Finding {
                    path,
                    start_line: s,
                    end_line: e.unwrap_or(s).max(s),
                });
            }
        };
    if tool == "ripsecrets" {
        // path:line:content
        for l in text.lines() {
            let mut parts = l.splitn(3, ':');
            let (Some(p), Some(n)) = (parts.next(), parts.next()) else {
                continue;
            };
            if let Ok(n) = n.parse::<usize>() {
                push(&mut out, Some(p.to_string()), Some(n), None);
            }
        }
        return Ok(out);
    }
    let text = text.trim();
    if text.is_empty() {
        return Ok(out);
    }
    let v: Value =
        serde_json::from_str(text).with_context(|| format!("{tool} report is not JSON"))?;
    match tool {
        "leaktrap" => {
            for f in v["findings"]
                .as_array()
                .context("leaktrap report: no findings array")?
            {
                push(
                    &mut out,
                    get_str(f, "path"),
                    num(&f["start_line"]),
                    num(&f["end_line"]),
                );
            }
        }
        "gitleaks" | "betterleaks" if v.is_array() => {
            for f in v.as_array().unwrap() {
                push(
                    &mut out,
                    get_str(f, "File"),
                    num(&f["StartLine"]),
                    num(&f["EndLine"]),
                );
            }
        }
        "betterleaks" => {
            for f in v["findings"]
                .as_array()
                .context("betterleaks report: no findings array")?
            {
                let loc = &f["location"];
                push(
                    &mut out,
                    get_str(loc, "path"),
                    num(&loc["start_line"]),
                    num(&loc["end_line"]),
                );
            }
        }
        "kingfisher" => {
            if let Some(arr) = v["findings"].as_array() {
                for f in arr {
                    let x = &f["finding"];
                    push(&mut out, get_str(x, "path"), num(&x["line"]), None);
                }
            }
        }
        "secretlint" => {
            for file in v.as_array().context("secretlint report: not an array")? {
                let path = get_str(file, "filePath");
                for m in file["messages"].as_array().into_iter().flatten() {
                    push(
                        &mut out,
                        path.clone(),
                        num(&m["loc"]["start"]["line"]),
                        num(&m["loc"]["end"]["line"]),
                    );
                }
            }
        }
        "detect-secrets" => {
            for (path, entries) in v["results"]
                .as_object()
                .context("detect-secrets report: no results")?
            {
                for e in entries.as_array().into_iter().flatten() {
                    push(&mut out, Some(path.clone()), num(&e["line_number"]), None);
                }
            }
        }
        "gitleaks" => bail!("gitleaks report: expected a JSON array"),
        _ => bail!("unknown tool {tool:?}; known: {}", TOOLS.join(", ")),
    }
    Ok(out)
}

/// Per-family figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FamilyScore {
    pub planted: usize,
    pub found: usize,
    pub true_findings: usize,
    pub hard_negatives: usize,
    pub hard_negative_hits: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    pub file: String,
    pub line: usize,
    pub format: String,
    pub family: String,
    pub encoding: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FalsePositive {
    pub file: String,
    pub line: usize,
    /// The hard negative it hit, if any: `category/format`.
    pub hard_negative: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Score {
    pub tool: String,
    pub split: String,
    pub planted: usize,
    pub found: usize,
    pub recall: f64,
    pub findings: usize,
    pub true_findings: usize,
    pub false_positives: usize,
    pub precision: f64,
    pub hard_negatives: usize,
    pub hard_negative_hits: usize,
    pub families: BTreeMap<String, FamilyScore>,
    /// category -> (labelled, hit)
    pub hard_negative_categories: BTreeMap<String, (usize, usize)>,
    /// encoding -> (planted, found)
    pub encodings: BTreeMap<String, (usize, usize)>,
    pub misses: Vec<Miss>,
    pub false_positive_list: Vec<FalsePositive>,
    /// Indices (into `labels.labels`) of the secrets found.
    #[serde(skip)]
    pub found_set: BTreeSet<usize>,
}

/// Maps a reported path onto a file of the corpus: exact, or the longest corpus path the
/// reported one ends with (reports carry the scan root as given: `out/tree/a/b`, `./a/b`,
/// absolute paths...).
fn normalise<'a>(files: &'a HashSet<&'a str>, p: &str) -> String {
    let p = p.replace('\\', "/");
    let p = p.trim_start_matches("./");
    if files.contains(p) {
        return p.to_string();
    }
    for (i, ch) in p.char_indices() {
        if ch == '/' && files.contains(&p[i + 1..]) {
            return p[i + 1..].to_string();
        }
    }
    p.to_string()
}

pub fn score(labels: &Labels, tool: &str, findings: &[Finding]) -> Score {
    let files: HashSet<&str> = labels.files.iter().map(String::as_str).collect();
    // unique (file, start line); end = widest reported
    let mut uniq: BTreeMap<(String, usize), usize> = BTreeMap::new();
    for f in findings {
        let path = normalise(&files, &f.path);
        let e = uniq.entry((path, f.start_line)).or_insert(f.end_line);
        *e = (*e).max(f.end_line);
    }
    let mut by_file: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, l) in labels.labels.iter().enumerate() {
        by_file.entry(l.file.as_str()).or_default().push(i);
    }
    let mut families: BTreeMap<String, FamilyScore> = BTreeMap::new();
    let mut cats: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut encodings: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for l in &labels.labels {
        let fam = families.entry(l.family.clone()).or_default();
        if l.kind == SECRET {
            fam.planted += 1;
            if let Some(e) = &l.encoding {
                encodings.entry(e.clone()).or_default().0 += 1;
            }
        } else {
            fam.hard_negatives += 1;
            cats.entry(l.category.clone().unwrap_or_default())
                .or_default()
                .0 += 1;
        }
    }
    let mut found_set = BTreeSet::new();
    let mut hn_hit_set = BTreeSet::new();
    let (mut tp, mut fp_list) = (0, Vec::new());
    for ((path, s), e) in &uniq {
        let cands = by_file.get(path.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        let overl = |l: &Label| l.line <= *e && *s <= l.end_line;
        let secrets: Vec<usize> = cands
            .iter()
            .copied()
            .filter(|&i| labels.labels[i].kind == SECRET && overl(&labels.labels[i]))
            .collect();
        if let Some(&first) = secrets.first() {
            tp += 1;
            families
                .get_mut(&labels.labels[first].family)
                .unwrap()
                .true_findings += 1;
            found_set.extend(secrets);
            continue;
        }
        let hn = cands
            .iter()
            .copied()
            .find(|&i| labels.labels[i].kind == HARD_NEGATIVE && overl(&labels.labels[i]));
        if let Some(i) = hn {
            let l = &labels.labels[i];
            if hn_hit_set.insert(i) {
                families.get_mut(&l.family).unwrap().hard_negative_hits += 1;
                cats.get_mut(l.category.as_deref().unwrap_or_default())
                    .unwrap()
                    .1 += 1;
            }
        }
        fp_list.push(FalsePositive {
            file: path.clone(),
            line: *s,
            hard_negative: hn.map(|i| {
                let l = &labels.labels[i];
                format!("{}/{}", l.category.as_deref().unwrap_or("?"), l.format)
            }),
        });
    }
    for (fam, f) in families.iter_mut() {
        f.found = found_set
            .iter()
            .filter(|&&i| &labels.labels[i].family == fam)
            .count();
    }
    let mut misses = Vec::new();
    for (i, l) in labels.labels.iter().enumerate() {
        if l.kind != SECRET {
            continue;
        }
        if found_set.contains(&i) {
            if let Some(e) = &l.encoding {
                encodings.get_mut(e).unwrap().1 += 1;
            }
        } else {
            misses.push(Miss {
                file: l.file.clone(),
                line: l.line,
                format: l.format.clone(),
                family: l.family.clone(),
                encoding: l.encoding.clone(),
            });
        }
    }
    let planted = labels.labels.iter().filter(|l| l.kind == SECRET).count();
    let hard_negatives = labels.labels.len() - planted;
    let findings_n = uniq.len();
    Score {
        tool: tool.to_string(),
        split: labels.split.clone(),
        planted,
        found: found_set.len(),
        recall: ratio(found_set.len(), planted),
        findings: findings_n,
        true_findings: tp,
        false_positives: fp_list.len(),
        precision: ratio(tp, findings_n),
        hard_negatives,
        hard_negative_hits: hn_hit_set.len(),
        families,
        hard_negative_categories: cats,
        encodings,
        misses,
        false_positive_list: fp_list,
        found_set,
    }
}

/// Reads labels.json.
pub fn load_labels(path: &std::path::Path) -> Result<Labels> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// Reads and scores one report file.
pub fn score_file(labels: &Labels, tool: &str, report: &std::path::Path) -> Result<Score> {
    let text =
        std::fs::read_to_string(report).with_context(|| format!("reading {}", report.display()))?;
    let findings = parse_report(tool, &text)?;
    Ok(score(labels, tool, &findings))
}

/// 1.0 when the denominator is 0 (no findings: nothing wrong reported).
pub fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// What kind of file a path is, for grouping misses (extension or dotfile name).
pub fn file_kind(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.starts_with('.') && !name[1..].contains('.') {
        return name.to_string();
    }
    if name.starts_with(".env") {
        return ".env*".into();
    }
    match name.rsplit_once('.') {
        Some((_, ext)) if !ext.is_empty() && ext.len() <= 10 => format!("*.{ext}"),
        _ => name.to_string(),
    }
}

/// The full human report for one tool.
pub fn render(s: &Score, list_limit: usize) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "tool: {}   split: {}", s.tool, s.split);
    let _ = writeln!(
        o,
        "recall:    {} ({} of {} planted secrets found)",
        pct(s.recall),
        s.found,
        s.planted
    );
    let _ = writeln!(
        o,
        "precision: {} ({} of {} unique file:line findings on a planted secret; {} false positives)",
        pct(s.precision),
        s.true_findings,
        s.findings,
        s.false_positives
    );
    let _ = writeln!(
        o,
        "hard-negative hits: {} of {} hard negatives",
        s.hard_negative_hits, s.hard_negatives
    );
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{:<14} {:>7} {:>6} {:>8} {:>6} {:>7} {:>10}",
        "family", "planted", "found", "recall", "hn", "hn-hits", "precision"
    );
    for (fam, f) in &s.families {
        let prec = ratio(f.true_findings, f.true_findings + f.hard_negative_hits);
        let _ = writeln!(
            o,
            "{:<14} {:>7} {:>6} {:>8} {:>6} {:>7} {:>10}",
            fam,
            f.planted,
            f.found,
            if f.planted > 0 {
                pct(ratio(f.found, f.planted))
            } else {
                "-".into()
            },
            f.hard_negatives,
            f.hard_negative_hits,
            pct(prec)
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "encoded secrets found:");
    for (e, (n, k)) in &s.encodings {
        let _ = writeln!(o, "  {e:<14} {k} of {n}");
    }
    let _ = writeln!(o, "hard-negative hits by category:");
    for (c, (n, k)) in &s.hard_negative_categories {
        let _ = writeln!(o, "  {c:<18} {k} of {n}");
    }
    let mut by_fmt: BTreeMap<&str, (usize, BTreeSet<String>)> = BTreeMap::new();
    for m in &s.misses {
        let e = by_fmt.entry(&m.format).or_default();
        e.0 += 1;
        e.1.insert(
            file_kind(&m.file)
                + m.encoding
                    .as_deref()
                    .map(|x| format!(" ({x})"))
                    .unwrap_or_default()
                    .as_str(),
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "misses by format ({}):", s.misses.len());
    for (f, (n, kinds)) in &by_fmt {
        let _ = writeln!(
            o,
            "  {f:<32} {n:>4}  in {}",
            kinds.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    let mut fp_by: BTreeMap<String, (usize, BTreeSet<String>)> = BTreeMap::new();
    for fp in &s.false_positive_list {
        let key = fp
            .hard_negative
            .clone()
            .unwrap_or_else(|| "(unlabelled line)".into());
        let e = fp_by.entry(key).or_default();
        e.0 += 1;
        e.1.insert(file_kind(&fp.file));
    }
    let _ = writeln!(
        o,
        "false positives by what they hit ({}):",
        s.false_positives
    );
    for (k, (n, kinds)) in &fp_by {
        let _ = writeln!(
            o,
            "  {k:<40} {n:>4}  in {}",
            kinds.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    if list_limit > 0 {
        let _ = writeln!(o);
        let _ = writeln!(o, "misses:");
        for m in s.misses.iter().take(list_limit) {
            let enc = m
                .encoding
                .as_deref()
                .map(|e| format!(" [{e}]"))
                .unwrap_or_default();
            let _ = writeln!(o, "  {}:{}  {}{enc}", m.file, m.line, m.format);
        }
        if s.misses.len() > list_limit {
            let _ = writeln!(o, "  ... {} more", s.misses.len() - list_limit);
        }
        let _ = writeln!(o, "false positives:");
        for fp in s.false_positive_list.iter().take(list_limit) {
            let hn = fp
                .hard_negative
                .as_deref()
                .map(|h| format!("  hard negative {h}"))
                .unwrap_or_default();
            let _ = writeln!(o, "  {}:{}{hn}", fp.file, fp.line);
        }
        if s.false_positive_list.len() > list_limit {
            let _ = writeln!(o, "  ... {} more", s.false_positive_list.len() - list_limit);
        }
    }
    o
}

/// A side-by-side table of several tools on one split, with the union of the peers.
pub fn render_table(labels: &Labels, scores: &[Score]) -> String {
    let mut o = String::new();
    let planted = labels.labels.iter().filter(|l| l.kind == SECRET).count();
    let _ = writeln!(
        o,
        "split: {} ({} files, {} planted secrets, {} hard negatives)",
        labels.split,
        labels.files.len(),
        planted,
        labels.labels.len() - planted
    );
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "| tool | recall | precision | findings | false positives | hard-negative hits |"
    );
    let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|");
    for s in scores {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} of {} |",
            s.tool,
            pct(s.recall),
            pct(s.precision),
            s.findings,
            s.false_positives,
            s.hard_negative_hits,
            s.hard_negatives
        );
    }
    let peers: Vec<&Score> = scores.iter().filter(|s| s.tool != "leaktrap").collect();
    let union = |set: &[&Score]| -> BTreeSet<usize> {
        set.iter()
            .flat_map(|s| s.found_set.iter().copied())
            .collect()
    };
    let peer_union = union(&peers);
    let all: Vec<&Score> = scores.iter().collect();
    let all_union = union(&all);
    if !peers.is_empty() {
        let _ = writeln!(
            o,
            "| all peers together (union) | {} | | | | |",
            pct(ratio(peer_union.len(), planted))
        );
    }
    let _ = writeln!(
        o,
        "| every tool together (union) | {} | | | | |",
        pct(ratio(all_union.len(), planted))
    );
    // per family recall
    let fams: BTreeSet<&String> = labels
        .labels
        .iter()
        .filter(|l| l.kind == SECRET)
        .map(|l| &l.family)
        .collect();
    let _ = writeln!(o);
    let _ = write!(o, "| family (planted) |");
    for s in scores {
        let _ = write!(o, " {} |", s.tool);
    }
    let _ = writeln!(o, " peers union |");
    let _ = write!(o, "|---|");
    for _ in scores {
        let _ = write!(o, "---:|");
    }
    let _ = writeln!(o, "---:|");
    for fam in fams {
        let idx: Vec<usize> = labels
            .labels
            .iter()
            .enumerate()
            .filter(|(_, l)| l.kind == SECRET && &l.family == fam)
            .map(|(i, _)| i)
            .collect();
        let _ = write!(o, "| {fam} ({}) |", idx.len());
        for s in scores {
            let f = &s.families[fam];
            let prec = ratio(f.true_findings, f.true_findings + f.hard_negative_hits);
            let _ = write!(o, " {} / {} |", pct(ratio(f.found, f.planted)), pct(prec));
        }
        let u = idx.iter().filter(|i| peer_union.contains(i)).count();
        let _ = writeln!(o, " {} |", pct(ratio(u, idx.len())));
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "(per family: recall / precision, precision counting only hits on that family's hard negatives)");
    // hard-negative categories
    let cats: BTreeSet<String> = labels
        .labels
        .iter()
        .filter_map(|l| l.category.clone())
        .collect();
    let _ = writeln!(o);
    let _ = write!(o, "| hard-negative hits |");
    for s in scores {
        let _ = write!(o, " {} |", s.tool);
    }
    let _ = writeln!(o);
    let _ = write!(o, "|---|");
    for _ in scores {
        let _ = write!(o, "---:|");
    }
    let _ = writeln!(o);
    for c in cats {
        let total = scores
            .first()
            .map(|s| s.hard_negative_categories[&c].0)
            .unwrap_or(0);
        let _ = write!(o, "| {c} ({total}) |");
        for s in scores {
            let _ = write!(o, " {} |", s.hard_negative_categories[&c].1);
        }
        let _ = writeln!(o);
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Labels {
        let l = |file: &str, line, end, kind: &str, fam: &str| Label {
            file: file.into(),
            line,
            end_line: end,
            kind: kind.into(),
            family: fam.into(),
            format: "x".into(),
            category: (kind == HARD_NEGATIVE).then(|| "placeholder".into()),
            encoding: None,
        };
        Labels {
            corpus: "t".into(),
            split: "dev".into(),
            size: "small".into(),
            seed: 1,
            files: vec!["a/.env".into(), "b/key.pem".into(), "c.txt".into()],
            labels: vec![
                l("a/.env", 2, 2, SECRET, "cloud"),
                l("a/.env", 3, 3, HARD_NEGATIVE, "generic"),
                l("b/key.pem", 1, 20, SECRET, "keys"),
                l("c.txt", 5, 5, SECRET, "generic"),
            ],
        }
    }

    #[test]
    fn matching_dedup_and_hard_negatives() {
        let f = |p: &str, s, e| Finding {
            path: p.into(),
            start_line: s,
            end_line: e,
        };
        let findings = vec![
            f("/tmp/x/tree/a/.env", 2, 2),
            f("./a/.env", 2, 2),    // duplicate of the first
            f("tree/a/.env", 3, 3), // hard negative hit
            f("b/key.pem", 7, 7),   // inside the key block
            f("c.txt", 9, 9),       // plain false positive
        ];
        let s = score(&labels(), "t", &findings);
        assert_eq!(s.findings, 4);
        assert_eq!(s.true_findings, 2);
        assert_eq!(s.found, 2);
        assert_eq!(s.false_positives, 2);
        assert_eq!(s.hard_negative_hits, 1);
        assert_eq!(s.misses.len(), 1);
        assert_eq!(s.misses[0].file, "c.txt");
        assert!((s.recall - 2.0 / 3.0).abs() < 1e-9);
        assert!((s.precision - 0.5).abs() < 1e-9);
    }

    #[test]
    fn parses_each_report_format() {
        let lt = r#"{"findings":[{"path":"a/.env","start_line":2,"end_line":2}]}"#;
        assert_eq!(parse_report("leaktrap", lt).unwrap().len(), 1);
        let gl = r#"[{"File":"a/.env","StartLine":2,"EndLine":2}]"#;
        assert_eq!(parse_report("gitleaks", gl).unwrap()[0].start_line, 2);
        let bl = r#"{"findings":[{"location":{"path":"a/.env","start_line":2,"end_line":3}}]}"#;
        assert_eq!(parse_report("betterleaks", bl).unwrap()[0].end_line, 3);
        let kf = r#"{"findings":[{"finding":{"path":"a/.env","line":2}}]}"#;
        assert_eq!(parse_report("kingfisher", kf).unwrap()[0].start_line, 2);
        let rs = "a/.env:2:TOKEN=abc:def\n";
        assert_eq!(parse_report("ripsecrets", rs).unwrap()[0].path, "a/.env");
        let sl = r#"[{"filePath":"/x/a/.env","messages":[{"loc":{"start":{"line":2},"end":{"line":2}}}]}]"#;
        assert_eq!(parse_report("secretlint", sl).unwrap().len(), 1);
        let ds = r#"{"results":{"a/.env":[{"line_number":2},{"line_number":3}]}}"#;
        assert_eq!(parse_report("detect-secrets", ds).unwrap().len(), 2);
        assert!(parse_report("nosuch", "{}").is_err());
    }
}
