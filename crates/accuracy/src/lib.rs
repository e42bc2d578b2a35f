//! Labelled accuracy corpus for leaktrap (issue 3, "How it is shown").
//!
//! `generate` writes a tree of files with planted secrets and hard negatives plus
//! `labels.json`; `score` reads a scanner's native report and measures recall, precision
//! and hard-negative hits against those labels. Two splits: `dev` (templates in
//! `dev.rs`, for rule writers) and `holdout` (its own templates in `holdout.rs`, which
//! rule writers should not read), plus `probe` (every format in every syntax of
//! `probe.rs`, which shows the syntaxes a rule does not read).
//!
//! Every token is synthesised at run time in the provider's documented format (with a
//! valid checksum where the format has one); nothing here is a real credential.

pub mod corpus;
pub mod dev;
pub mod holdout;
pub mod names;
pub mod negatives;
pub mod probe;
pub mod rng;
pub mod score;
pub mod tokens;

use anyhow::{bail, Result};

pub use corpus::{Corpus, Label, Labels};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Small,
    Large,
}

impl Size {
    pub fn parse(s: &str) -> Result<Size> {
        Ok(match s {
            "small" => Size::Small,
            "large" => Size::Large,
            _ => bail!("unknown size {s:?} (small or large)"),
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Large => "large",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Dev,
    Holdout,
    /// Every format in every syntax (`probe.rs`), readable like `dev`.
    Probe,
}

impl Split {
    pub fn parse(s: &str) -> Result<Split> {
        Ok(match s {
            "dev" => Split::Dev,
            "holdout" => Split::Holdout,
            "probe" => Split::Probe,
            _ => bail!("unknown split {s:?} (dev, holdout or probe)"),
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            Split::Dev => "dev",
            Split::Holdout => "holdout",
            Split::Probe => "probe",
        }
    }
    /// The seed each split uses unless told otherwise (the splits never share one).
    pub fn default_seed(self) -> u64 {
        match self {
            Split::Dev => 1,
            Split::Holdout => 7_919,
            Split::Probe => 2,
        }
    }
}

/// Builds a corpus in memory.
pub fn generate(split: Split, size: Size, seed: u64) -> Corpus {
    match split {
        Split::Dev => dev::generate(size, seed),
        Split::Holdout => holdout::generate(size, seed),
        Split::Probe => probe::generate(size, seed),
    }
}

/// Builds a corpus and writes `out/tree/` and `out/labels.json`.
pub fn generate_to(split: Split, size: Size, seed: u64, out: &std::path::Path) -> Result<Corpus> {
    let c = generate(split, size, seed);
    c.write(out, split.name(), size.name(), seed)?;
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_and_labels() {
        for split in [Split::Dev, Split::Holdout] {
            let (a, b) = (
                generate(split, Size::Small, 3),
                generate(split, Size::Small, 3),
            );
            assert_eq!(a.files, b.files);
            assert_eq!(a.labels, b.labels);
            assert_ne!(a.files, generate(split, Size::Small, 4).files);
        }
    }

    #[test]
    fn labels_point_at_real_non_empty_lines() {
        for split in [Split::Dev, Split::Holdout] {
            let c = generate(split, Size::Small, split.default_seed());
            assert!(c.secrets() > 250, "{split:?}: {} secrets", c.secrets());
            for l in &c.labels {
                let text = &c.files[&l.file];
                let n = text.lines().count();
                assert!(
                    l.line >= 1 && l.line <= l.end_line && l.end_line <= n,
                    "{l:?}"
                );
                let line = text.lines().nth(l.line - 1).unwrap();
                assert!(!line.trim().is_empty(), "{l:?}");
            }
            // one label per line: a line is either a secret or a hard negative, never both
            let mut seen = std::collections::HashSet::new();
            for l in &c.labels {
                for n in l.line..=l.end_line {
                    assert!(
                        seen.insert((l.file.clone(), n)),
                        "two labels on {}:{n}",
                        l.file
                    );
                }
            }
        }
    }

    #[test]
    fn every_catalog_format_is_planted_in_both_splits() {
        for split in [Split::Dev, Split::Holdout] {
            let c = generate(split, Size::Small, split.default_seed());
            for f in tokens::catalog() {
                assert!(
                    c.labels.iter().any(|l| l.format == f.id),
                    "{split:?} lacks {}",
                    f.id
                );
            }
        }
    }

    #[test]
    fn github_checksums_hold_and_broken_ones_do_not() {
        let mut g = rng::G::new(9);
        let check = |t: &str| {
            let body = &t[4..34];
            rng::base62_fixed(crc32fast::hash(body.as_bytes()) as u64, 6) == t[34..]
        };
        for _ in 0..50 {
            assert!(check(&tokens::crc_token(&mut g, "ghp_")));
            assert!(!check(&tokens::crc_token_bad(&mut g, "ghp_")));
        }
    }
}
