//! `leaktrap scan`: files, directories and stdin.

use crate::term::{self, human_bytes, ProgressDisplay};
use crate::{discover, exit, Format, ScanArgs};
use anyhow::{bail, Context, Result};
use leaktrap_core::{Redaction, SkipReason, Verdict};
use leaktrap_engine::Engine;
use leaktrap_report::{Json, Report, Reporter, Text};
use leaktrap_scan::{Outcome, Progress, Worker};
use leaktrap_sources::{
    read_file, read_stream, walk, Entry, FileContent, WalkOptions, CHUNK_OVERLAP,
};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub fn run(args: ScanArgs) -> Result<u8> {
    let started = Instant::now();
    for p in &args.paths {
        if p.as_os_str() != "-" && std::fs::symlink_metadata(p).is_err() {
            bail!("path does not exist: {}", p.display());
        }
    }
    let near = args
        .paths
        .iter()
        .find(|p| p.as_os_str() != "-")
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    let (_config, set) = discover::load_rules(&args.common, &near)?;
    let engine = Engine::compile(&set)?;
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let opts = WalkOptions {
        no_ignore: args.no_ignore,
        follow_symlinks: args.follow_symlinks,
        threads,
        max_file_size: (args.max_file_size > 0).then(|| args.max_file_size * 1_000_000),
    };
    let progress = Arc::new(Progress::default());
    let display =
        term::progress_allowed(args.quiet).then(|| ProgressDisplay::start(progress.clone()));

    let mut parts = Vec::new();
    let mut ignored = 0;
    for p in &args.paths {
        if p.as_os_str() == "-" {
            parts.push(scan_stdin(&engine, &args.stdin_name)?);
        } else {
            let (outcome, n) = scan_path(&engine, p, &opts, &progress);
            parts.extend(outcome);
            ignored += n;
        }
    }
    let mut outcome = Outcome::merge(parts);
    if ignored > 0 {
        *outcome
            .stats
            .skipped
            .entry(SkipReason::Ignored)
            .or_default() += ignored;
    }
    if let Some(d) = display {
        d.finish();
    }

    let redaction = if args.show_secrets {
        Redaction::Reveal
    } else if let Some(n) = args.redact {
        Redaction::Percent(n)
    } else {
        Redaction::Mask
    };
    let report = Report {
        tool_version: env!("CARGO_PKG_VERSION"),
        findings: &outcome.findings,
        stats: &outcome.stats,
        redaction,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        Format::Text => {
            let color = term::use_color(args.color, std::io::stdout().is_terminal());
            Text { color }.write(&report, &mut out)
        }
        Format::Json => Json.write(&report, &mut out),
    }
    .and_then(|()| out.flush())
    .context("cannot write the report to stdout")?;
    drop(out);

    let verdict = report.verdict();
    summarize(&outcome, verdict, started, args.quiet);
    Ok(match verdict {
        Verdict::Clean => exit::CLEAN,
        Verdict::Findings => args.exit_code,
        Verdict::Incomplete => exit::INCOMPLETE,
    })
}

/// Walks one path in parallel; returns the workers' outcomes and the count
/// of entries excluded by ignore files.
fn scan_path(
    engine: &Engine,
    root: &Path,
    opts: &WalkOptions,
    progress: &Progress,
) -> (Vec<Outcome>, u64) {
    let base = discover::base_dir(root);
    let results: Mutex<Vec<Outcome>> = Mutex::new(Vec::new());
    let summary = walk(root, &base, opts, || {
        let mut w = ThreadScan {
            worker: Some(Worker::new(engine, Some(progress))),
            buf: Vec::new(),
            results: &results,
        };
        move |e: Entry<'_>| w.visit(e)
    });
    (
        results.into_inner().unwrap_or_else(|e| e.into_inner()),
        summary.ignored,
    )
}

/// One walker thread's scanner; hands its outcome over when dropped.
struct ThreadScan<'a> {
    worker: Option<Worker<'a>>,
    buf: Vec<u8>,
    results: &'a Mutex<Vec<Outcome>>,
}

impl ThreadScan<'_> {
    fn visit(&mut self, e: Entry<'_>) {
        let Some(w) = self.worker.as_mut() else {
            return;
        };
        match e {
            Entry::File(f) => {
                if w.engine().path_allowlisted(&f.rel) {
                    w.stats_mut().skip(SkipReason::AllowlistedPath);
                    return;
                }
                w.begin(&f.display, Some(&f.rel));
                let res = read_file(f.path, Some(f.size), &mut self.buf, |c| {
                    w.chunk(c.data, if c.last { 0 } else { CHUNK_OVERLAP })
                });
                match res {
                    Ok(FileContent::Text(_)) => w.end(),
                    Ok(FileContent::Binary) => {
                        w.abort();
                        w.stats_mut().skip(SkipReason::Binary);
                    }
                    Err(err) => {
                        w.abort();
                        w.stats_mut().error(f.display, err.to_string());
                    }
                }
                // Do not keep a huge buffer alive after an unusually big file.
                if self.buf.capacity() > 16 << 20 {
                    self.buf = Vec::new();
                }
            }
            Entry::Skipped { reason, .. } => w.stats_mut().skip(reason),
            Entry::Error { display, message } => w.stats_mut().error(display, message),
            Entry::Warning { display, message } => w.stats_mut().warn(display, message),
        }
    }
}

impl Drop for ThreadScan<'_> {
    fn drop(&mut self) {
        if let Some(w) = self.worker.take() {
            self.results
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(w.finish());
        }
    }
}

fn scan_stdin(engine: &Engine, name: &str) -> Result<Outcome> {
    let mut w = Worker::new(engine, None);
    let mut buf = Vec::new();
    w.begin(name, None);
    let stdin = std::io::stdin();
    match read_stream(stdin.lock(), &mut buf, |c| {
        w.chunk(c.data, if c.last { 0 } else { CHUNK_OVERLAP })
    }) {
        Ok(_) => w.end(),
        Err(e) => {
            w.abort();
            w.stats_mut().error(name, e.to_string());
        }
    }
    Ok(w.finish())
}

/// The stderr summary: unreadable inputs by name, then one line of counts.
fn summarize(outcome: &Outcome, verdict: Verdict, started: Instant, quiet: bool) {
    let stats = &outcome.stats;
    let mut err = std::io::stderr().lock();
    for e in &stats.errors {
        let _ = writeln!(err, "leaktrap: cannot read {}: {}", e.path, e.message);
    }
    if quiet {
        return;
    }
    for w in &stats.warnings {
        let _ = writeln!(err, "leaktrap: warning: {}: {}", w.path, w.message);
    }
    let n = outcome.findings.len();
    let mut line = format!(
        "leaktrap: {} · scanned {} {} ({}) in {:.2} s",
        match n {
            0 => "no findings".to_string(),
            1 => "1 finding".to_string(),
            n => format!("{n} findings"),
        },
        stats.files_scanned,
        if stats.files_scanned == 1 {
            "file"
        } else {
            "files"
        },
        human_bytes(stats.bytes_scanned),
        started.elapsed().as_secs_f64()
    );
    if !stats.skipped.is_empty() {
        let parts: Vec<String> = stats
            .skipped
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect();
        line.push_str(&format!(" · skipped: {}", parts.join(", ")));
    }
    if !stats.suppressed.is_empty() {
        let parts: Vec<String> = stats
            .suppressed
            .iter()
            .map(|(k, v)| format!("{v} {}", k.as_str()))
            .collect();
        line.push_str(&format!(" · suppressed: {}", parts.join(", ")));
    }
    let _ = writeln!(err, "{line}");
    if verdict == Verdict::Incomplete {
        let _ = writeln!(
            err,
            "leaktrap: incomplete: {} input(s) could not be read; the result is not a clean scan",
            stats.errors.len()
        );
    }
}
