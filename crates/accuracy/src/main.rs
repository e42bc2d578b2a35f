//! `leaktrap-accuracy`: generate the labelled corpus, score scanners' reports on it.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use leaktrap_accuracy::{score, Size, Split};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "leaktrap-accuracy",
    about = "Labelled accuracy corpus and scorer for secret scanners"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Write OUT_DIR/tree/ (the files to scan) and OUT_DIR/labels.json.
    Generate {
        /// dev (rule writers may look at it) or holdout (kept out of sight).
        #[arg(long, default_value = "dev")]
        split: String,
        /// small (the test suite's) or large (benches/).
        #[arg(long, default_value = "small")]
        size: String,
        /// Seed; defaults to the split's own (dev 1, holdout 7919).
        #[arg(long)]
        seed: Option<u64>,
        out_dir: PathBuf,
    },
    /// Score one tool's native report against labels.json.
    Score {
        #[arg(long)]
        labels: PathBuf,
        /// leaktrap, gitleaks, betterleaks, kingfisher, ripsecrets, secretlint, detect-secrets
        #[arg(long)]
        tool: String,
        /// Print the summary as JSON instead of text.
        #[arg(long)]
        json: bool,
        /// How many misses and false positives to list one by one (0 = only the groups).
        #[arg(long, default_value_t = 50)]
        list: usize,
        report: PathBuf,
    },
    /// One table for several tools on one split: TOOL=REPORT arguments.
    Table {
        #[arg(long)]
        labels: PathBuf,
        #[arg(required = true)]
        reports: Vec<String>,
    },
}

fn main() -> Result<()> {
    match Cli::parse().cmd {
        Cmd::Generate {
            split,
            size,
            seed,
            out_dir,
        } => {
            let split = Split::parse(&split)?;
            let size = Size::parse(&size)?;
            let seed = seed.unwrap_or(split.default_seed());
            let c = leaktrap_accuracy::generate_to(split, size, seed, &out_dir)?;
            eprintln!(
                "{} {} corpus, seed {seed}: {} files, {} planted secrets, {} hard negatives in {}",
                split.name(),
                size.name(),
                c.files.len(),
                c.secrets(),
                c.labels.len() - c.secrets(),
                out_dir.join("tree").display()
            );
        }
        Cmd::Score {
            labels,
            tool,
            json,
            list,
            report,
        } => {
            let labels = score::load_labels(&labels)?;
            let s = score::score_file(&labels, &tool, &report)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                print!("{}", score::render(&s, list));
            }
        }
        Cmd::Table { labels, reports } => {
            let labels = score::load_labels(&labels)?;
            let mut scores = Vec::new();
            for r in &reports {
                let (tool, path) = r
                    .split_once('=')
                    .with_context(|| format!("expected TOOL=REPORT, got {r:?}"))?;
                scores.push(score::score_file(
                    &labels,
                    tool,
                    std::path::Path::new(path),
                )?);
            }
            print!("{}", score::render_table(&labels, &scores));
        }
    }
    Ok(())
}
