//! The corpus: generated files plus the labels that say where the planted secrets and
//! hard negatives are.

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

use crate::tokens::Format;

pub const SECRET: &str = "secret";
pub const HARD_NEGATIVE: &str = "hard-negative";

/// One planted secret or hard negative.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Label {
    /// Path relative to the scanned tree, `/`-separated.
    pub file: String,
    /// 1-based first line.
    pub line: usize,
    /// 1-based last line (equal to `line` for one-line values).
    pub end_line: usize,
    /// `secret` or `hard-negative`.
    pub kind: String,
    /// Rule family: cloud, vcs-ci, chat, ... (for hard negatives, the family imitated).
    pub family: String,
    /// Our own format id, e.g. `github-pat`, `netrc-password`, `lock-npm-integrity`.
    pub format: String,
    /// Hard negatives: the Precision category (placeholder, lockfile, uuid, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Secrets: how the planted value is encoded in the file (base64, hex, percent, json-escaped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
}

/// What `labels.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Labels {
    pub corpus: String,
    pub split: String,
    pub size: String,
    pub seed: u64,
    /// Every file of the tree (so findings in files without labels are matched too).
    pub files: Vec<String>,
    pub labels: Vec<Label>,
}

/// A generated corpus in memory.
#[derive(Debug, Default)]
pub struct Corpus {
    pub files: BTreeMap<String, String>,
    pub labels: Vec<Label>,
}

impl Corpus {
    /// Adds a file; a path already taken gets a numeric suffix on its directory.
    pub fn add(&mut self, mut fb: FileBuf) {
        if self.files.contains_key(&fb.path) {
            let mut n = 2;
            let (dir, name) = match fb.path.rsplit_once('/') {
                Some((d, n)) => (format!("{d}/"), n.to_string()),
                None => (String::new(), fb.path.clone()),
            };
            while self.files.contains_key(&format!("{dir}{n}/{name}")) {
                n += 1;
            }
            let p = format!("{dir}{n}/{name}");
            for l in &mut fb.labels {
                l.file = p.clone();
            }
            fb.path = p;
        }
        let mut text = fb.lines.join("\n");
        text.push('\n');
        self.files.insert(fb.path.clone(), text);
        self.labels.extend(fb.labels);
    }

    pub fn secrets(&self) -> usize {
        self.labels.iter().filter(|l| l.kind == SECRET).count()
    }

    /// Writes `out/tree/...` and `out/labels.json`.
    pub fn write(&self, out: &Path, split: &str, size: &str, seed: u64) -> Result<()> {
        let tree = out.join("tree");
        if tree.exists() {
            std::fs::remove_dir_all(&tree)
                .with_context(|| format!("removing {}", tree.display()))?;
        }
        for (path, text) in &self.files {
            let p = tree.join(path);
            std::fs::create_dir_all(p.parent().unwrap())?;
            std::fs::write(&p, text).with_context(|| format!("writing {}", p.display()))?;
        }
        let mut labels = self.labels.clone();
        labels.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        let doc = Labels {
            corpus: "leaktrap-accuracy/1".into(),
            split: split.into(),
            size: size.into(),
            seed,
            files: self.files.keys().cloned().collect(),
            labels,
        };
        std::fs::write(
            out.join("labels.json"),
            serde_json::to_string_pretty(&doc)? + "\n",
        )?;
        Ok(())
    }
}

/// A file being written line by line, labels recorded as lines are added.
#[derive(Debug)]
pub struct FileBuf {
    pub path: String,
    pub lines: Vec<String>,
    pub labels: Vec<Label>,
}

impl FileBuf {
    pub fn new(path: impl Into<String>) -> Self {
        FileBuf {
            path: path.into(),
            lines: Vec::new(),
            labels: Vec::new(),
        }
    }

    /// Number the next line will get.
    pub fn next(&self) -> usize {
        self.lines.len() + 1
    }

    pub fn line(&mut self, s: impl Into<String>) -> &mut Self {
        let s: String = s.into();
        // multi-line strings are split so line numbers stay right
        for part in s.split('\n') {
            self.lines.push(part.to_string());
        }
        self
    }

    fn label(&mut self, start: usize, kind: &str, family: &str, format: &str) -> &mut Label {
        let end = self.lines.len().max(start);
        self.labels.push(Label {
            file: self.path.clone(),
            line: start,
            end_line: end,
            kind: kind.into(),
            family: family.into(),
            format: format.into(),
            category: None,
            encoding: None,
        });
        self.labels.last_mut().unwrap()
    }

    /// Adds lines holding a planted secret (one label over all of them).
    pub fn secret(&mut self, text: impl Into<String>, family: &str, format: &str) -> &mut Self {
        self.secret_enc(text, family, format, None)
    }

    pub fn secret_enc(
        &mut self,
        text: impl Into<String>,
        family: &str,
        format: &str,
        enc: Option<&str>,
    ) -> &mut Self {
        let start = self.next();
        self.line(text);
        let l = self.label(start, SECRET, family, format);
        l.encoding = enc.map(str::to_string);
        self
    }

    pub fn secret_fmt(&mut self, text: impl Into<String>, fmt: &Format) -> &mut Self {
        self.secret(text, fmt.family, fmt.id)
    }

    /// Marks lines already added (from `start`) as one planted secret.
    pub fn mark_secret(&mut self, start: usize, family: &str, format: &str, enc: Option<&str>) {
        let l = self.label(start, SECRET, family, format);
        l.encoding = enc.map(str::to_string);
    }

    /// Adds lines holding a hard negative.
    pub fn negative(
        &mut self,
        text: impl Into<String>,
        family: &str,
        category: &str,
        format: &str,
    ) -> &mut Self {
        let start = self.next();
        self.line(text);
        let l = self.label(start, HARD_NEGATIVE, family, format);
        l.category = Some(category.into());
        self
    }

    pub fn mark_negative(&mut self, start: usize, family: &str, category: &str, format: &str) {
        let l = self.label(start, HARD_NEGATIVE, family, format);
        l.category = Some(category.into());
    }
}
