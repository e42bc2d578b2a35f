//! `leaktrap scan`: files, directories and stdin.

use crate::term::{self, ProgressDisplay};
use crate::{discover, output, BaselineArgs, OutputArgs, ScanArgs};
use anyhow::{bail, Result};
use leaktrap_core::SkipReason;
use leaktrap_engine::Engine;
use leaktrap_scan::{Outcome, Progress, Worker};
use leaktrap_sources::{
    read_file, read_stream, walk, Entry, FileContent, WalkOptions, CHUNK_OVERLAP,
};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub fn run(args: ScanArgs) -> Result<u8> {
    let started = Instant::now();
    output::check(&args.output)?;
    if args.output.evidence.is_some() {
        crate::evidence::want("scan");
    }
    crate::evidence::note_paths(&args.paths);
    if let Some(first) = args.paths.iter().find(|p| p.as_os_str() != "-") {
        crate::evidence::note_repository_at(first);
    }
    crate::evidence::note_option("no_ignore", args.no_ignore);
    crate::evidence::note_option("follow_symlinks", args.follow_symlinks);
    crate::evidence::note_option("max_file_size_mb", args.max_file_size);
    let (outcome, files) = scan(&args)?;
    let root = files.root().to_path_buf();
    let targets: Vec<PathBuf> = args
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-" && p.is_dir())
        .cloned()
        .collect();
    let code = output::finish(
        &outcome,
        &args.output,
        started,
        output::Mode::Scan,
        &files,
        &root,
        &targets,
    )?;
    Ok(code)
}

/// Scans one path as `scan PATH` would, quietly, for `leaktrap baseline`.
///
/// # Errors
/// As `scan`; stdin cannot hold a baseline's findings.
pub fn scan_for_baseline(args: &BaselineArgs) -> Result<(Outcome, output::WorkingTree)> {
    if args.path.as_os_str() == "-" {
        bail!("a baseline is made from files: give a directory, not `-`");
    }
    scan(&ScanArgs {
        paths: vec![args.path.clone()],
        common: args.common.clone(),
        output: OutputArgs::quiet(),
        no_ignore: args.no_ignore,
        follow_symlinks: false,
        max_file_size: 0,
        threads: None,
        stdin_name: "<stdin>".to_string(),
    })
}

/// The scan itself: findings and stats, and where the files are.
fn scan(args: &ScanArgs) -> Result<(Outcome, output::WorkingTree)> {
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
    let engine = discover::engine(&args.common, &set)?;
    let own = OwnFiles::new(crate::gitleaks::own_files(
        args.output.baseline_path.as_deref(),
    ));
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
    let display = term::progress_allowed(args.output.is_quiet())
        .then(|| ProgressDisplay::start(progress.clone(), "files"));

    let mut parts = Vec::new();
    let mut ignored: Vec<String> = Vec::new();
    for p in &args.paths {
        if p.as_os_str() == "-" {
            parts.push(scan_stdin(&engine, &args.stdin_name));
        } else {
            let (outcome, paths) = scan_path(&engine, p, &opts, &progress, &own);
            parts.extend(outcome);
            ignored.extend(paths);
        }
    }
    let mut outcome = Outcome::merge(parts);
    for path in ignored {
        outcome.stats.skip(SkipReason::Ignored, path);
    }
    outcome.stats.normalize();
    if let Some(d) = display {
        d.finish();
    }

    let files = output::WorkingTree::new(discover::base_dir(&near));
    Ok((outcome, files))
}

/// Walks one path in parallel; returns the workers' outcomes and the
/// entries excluded by ignore files.
fn scan_path(
    engine: &Engine,
    root: &Path,
    opts: &WalkOptions,
    progress: &Progress,
    own: &OwnFiles,
) -> (Vec<Outcome>, Vec<String>) {
    let base = discover::base_dir(root);
    let results: Mutex<Vec<Outcome>> = Mutex::new(Vec::new());
    let summary = walk(root, &base, opts, || {
        let mut w = ThreadScan {
            worker: Some(Worker::new(engine, Some(progress))),
            buf: Vec::new(),
            results: &results,
            own,
        };
        move |e: Entry<'_>| w.visit(e)
    });
    (
        results.into_inner().unwrap_or_else(|e| e.into_inner()),
        summary.ignored_paths,
    )
}

/// Files a directory scan skips, as Gitleaks does: the Gitleaks config
/// file in force and the `--baseline-path` report.
struct OwnFiles {
    /// (file name, canonical path)
    files: Vec<(std::ffi::OsString, PathBuf)>,
}

impl OwnFiles {
    fn new(paths: Vec<PathBuf>) -> OwnFiles {
        let files = paths
            .into_iter()
            .filter_map(|p| {
                let canon = std::fs::canonicalize(&p).ok()?;
                Some((canon.file_name()?.to_os_string(), canon))
            })
            .collect();
        OwnFiles { files }
    }

    fn contains(&self, path: &Path) -> bool {
        // The name first: canonicalizing every file would cost a syscall each.
        let Some(name) = path.file_name() else {
            return false;
        };
        self.files
            .iter()
            .any(|(n, canon)| n == name && std::fs::canonicalize(path).is_ok_and(|c| &c == canon))
    }
}

/// One walker thread's scanner; hands its outcome over when dropped.
struct ThreadScan<'a> {
    worker: Option<Worker<'a>>,
    buf: Vec<u8>,
    results: &'a Mutex<Vec<Outcome>>,
    own: &'a OwnFiles,
}

impl ThreadScan<'_> {
    fn visit(&mut self, e: Entry<'_>) {
        let Some(w) = self.worker.as_mut() else {
            return;
        };
        match e {
            Entry::File(f) => {
                if self.own.contains(f.path) {
                    w.stats_mut().skip(SkipReason::ScannerFile, f.display);
                    return;
                }
                if w.engine().path_allowlisted(&f.rel) {
                    w.stats_mut().skip(SkipReason::AllowlistedPath, f.display);
                    return;
                }
                w.begin(&f.display, Some(&f.rel));
                let res = read_file(f.path, Some(f.size), &mut self.buf, |c| {
                    w.chunk(c.data, if c.last { 0 } else { CHUNK_OVERLAP })
                });
                match res {
                    Ok(FileContent::Text(_)) => w.end(),
                    Ok(FileContent::Binary) => {
                        w.path_findings();
                        w.abort();
                        w.stats_mut().skip(SkipReason::Binary, f.display);
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
            Entry::Skipped { reason, display } => w.stats_mut().skip(reason, display),
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

/// A read error is recorded (the scan is then incomplete), not returned.
/// Standard input has no path: as in Gitleaks, rules limited by `path`
/// are judged against an empty one (so they do not run), and so are path
/// allowlists.
fn scan_stdin(engine: &Engine, name: &str) -> Outcome {
    let mut w = Worker::new(engine, None);
    let mut buf = Vec::new();
    w.begin(name, Some(""));
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
    w.finish()
}
