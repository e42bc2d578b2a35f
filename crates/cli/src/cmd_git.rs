//! `leaktrap git` (history) and `leaktrap push` (what a push would send).
//!
//! Both scan blobs, each unique blob once, then attribute what they found:
//! for every finding, the commits that introduced its blob at each path
//! where the secret was new (not in that path's version in any parent).
//! A secret that stays in a file through a hundred edits is reported once,
//! at the commit that added it, not once per version.
//!
//! The whole history (`git` with no scope) is read in pack order from every
//! blob in the object store, and provenance (`git log --raw -c`) is started
//! only once something is found, alongside the rest of the scan. A scoped
//! scan (`--branch`, a range, `--since`, `--max-commits`, a push) walks its
//! commits first and reads only the blobs they introduced.

use crate::output::{self, Mode};
use crate::term::{self, ProgressDisplay};
use crate::{discover, GitArgs, PushArgs};
use anyhow::{bail, Context, Result};
use git2::Oid;
use leaktrap_core::{Finding, Origin, OriginKind, ScanStats, SkipReason, SuppressionKind};
use leaktrap_engine::Engine;
use leaktrap_scan::{Outcome, Progress, Worker};
use leaktrap_sources::{
    is_binary, parse_tag, read_objects, rfc3339_utc, BlobRef, CatFile, Changes, CommitMeta, Git,
    Merges, Object, CHUNK_OVERLAP, CHUNK_SIZE,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Instant;

/// What to scan and how.
struct Plan<'a> {
    git: &'a Git,
    /// Revisions as `git log` takes them.
    revs: Vec<String>,
    /// Every blob in the store, in pack order (the whole history).
    full: bool,
    all_objects: bool,
    allow_shallow: bool,
    threads: usize,
    max_blob: Option<u64>,
    quiet: bool,
}

pub fn run_git(args: GitArgs) -> Result<u8> {
    let started = Instant::now();
    output::check(&args.output)?;
    if args.output.evidence.is_some() {
        crate::evidence::want("git");
    }
    let git = Git::discover(&args.repo)?;
    let mut revs: Vec<String> = Vec::new();
    revs.extend(args.branch.iter().cloned());
    revs.extend(args.range.iter().cloned());
    for r in &revs {
        if r.starts_with('-') {
            bail!(
                "`{r}` is not a revision; --branch and --range take names like `main` or `v1..v2`"
            );
        }
    }
    let scoped = !revs.is_empty() || args.since.is_some() || args.max_commits.is_some();
    if revs.is_empty() {
        revs.push("--all".into());
    }
    if let Some(s) = &args.since {
        revs.push(format!("--since={s}"));
    }
    if let Some(n) = args.max_commits {
        revs.push(format!("--max-count={n}"));
    }
    crate::evidence::note_repository(&git, &revs, !scoped);
    for (k, v) in [
        ("all_objects", args.all_objects),
        ("allow_shallow", args.allow_shallow),
    ] {
        crate::evidence::note_option(k, v);
    }
    crate::evidence::note_option("max_file_size_mb", args.max_file_size);
    let plan = Plan {
        git: &git,
        revs,
        full: !scoped,
        all_objects: args.all_objects,
        allow_shallow: args.allow_shallow,
        threads: threads(args.threads),
        max_blob: (args.max_file_size > 0).then(|| args.max_file_size * 1_000_000),
        quiet: args.output.is_quiet(),
    };
    let outcome = history(&plan, &args.common)?;
    let targets = [args.repo.clone()];
    finish(
        &git,
        &outcome,
        &args.output,
        started,
        Mode::History,
        &targets,
    )
}

pub fn run_push(args: PushArgs) -> Result<u8> {
    let started = Instant::now();
    output::check(&args.output)?;
    if args.output.evidence.is_some() {
        crate::evidence::want("push");
    }
    let git = Git::discover(Path::new("."))?;
    let revs = push_revs(&git, &args)?;
    crate::evidence::note_repository(&git, revs.as_deref().unwrap_or_default(), false);
    let Some(revs) = revs else {
        let outcome = Outcome::default();
        return finish(&git, &outcome, &args.output, started, Mode::Push, &[]);
    };
    let plan = Plan {
        git: &git,
        revs,
        full: false,
        all_objects: false,
        allow_shallow: true,
        threads: threads(args.threads),
        max_blob: None,
        quiet: args.output.is_quiet(),
    };
    let outcome = history(&plan, &args.common)?;
    finish(&git, &outcome, &args.output, started, Mode::Push, &[])
}

/// Writes the reports. The blobs that findings were in are read once, when
/// SARIF asks for them (its line hashes are over the file at that commit).
fn finish(
    git: &Git,
    outcome: &Outcome,
    args: &crate::OutputArgs,
    started: Instant,
    mode: Mode,
    targets: &[std::path::PathBuf],
) -> Result<u8> {
    // Read on first use: only SARIF's line hashes need the content, so
    // other formats cost no extra git process.
    let blobs: std::sync::OnceLock<HashMap<Oid, Option<Vec<u8>>>> = std::sync::OnceLock::new();
    let artifacts = output::RepoArtifacts {
        root: git.root().to_path_buf(),
        content: |f: &Finding| {
            let oid = Oid::from_str(f.origin.as_deref()?.blob.as_deref()?).ok()?;
            let blobs = blobs.get_or_init(|| {
                let oids: Vec<Oid> = outcome
                    .findings
                    .iter()
                    .filter_map(|f| f.origin.as_deref()?.blob.as_deref())
                    .filter_map(|b| Oid::from_str(b).ok())
                    .collect::<HashSet<_>>()
                    .into_iter()
                    .collect();
                // A failure here only costs SARIF its line hashes.
                read_objects(git, &oids).unwrap_or_default()
            });
            blobs.get(&oid)?.clone()
        },
    };
    output::finish(
        outcome,
        args,
        started,
        mode,
        &artifacts,
        git.root(),
        targets,
    )
}

fn threads(n: Option<usize>) -> usize {
    n.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
}

const ZERO: &str = "0000000000000000000000000000000000000000";

/// The revisions a push sends, from git's pre-push input on stdin or the
/// pre-commit framework's `PRE_COMMIT_FROM_REF`/`PRE_COMMIT_TO_REF`. `None`
/// when it sends no commits (only deletions, or nothing).
fn push_revs(git: &Git, args: &PushArgs) -> Result<Option<Vec<String>>> {
    let remote = args
        .remote
        .clone()
        .or_else(|| std::env::var("PRE_COMMIT_REMOTE_NAME").ok())
        .filter(|r| !r.is_empty());
    let mut positive = Vec::new();
    let mut negative = Vec::new();
    let mut unknown_base = false;
    let from = std::env::var("PRE_COMMIT_FROM_REF")
        .ok()
        .filter(|s| !s.is_empty());
    let to = std::env::var("PRE_COMMIT_TO_REF")
        .ok()
        .filter(|s| !s.is_empty());
    if let Some(to) = to {
        positive.push(to);
        match from {
            Some(f) if f != ZERO && object_exists(git, &f) => negative.push(format!("^{f}")),
            _ => unknown_base = true,
        }
    } else if std::env::var_os("PRE_COMMIT_REMOTE_NAME").is_some() {
        // The pre-commit framework consumed git's input and gives no refs
        // when the push includes a root commit: scan what no ref of the
        // remote has, from the branch being pushed.
        let local = std::env::var("PRE_COMMIT_LOCAL_BRANCH")
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "HEAD".into());
        positive.push(local);
        unknown_base = true;
    } else {
        let stdin = std::io::stdin();
        for (n, line) in stdin.lock().lines().enumerate() {
            let line = line.context("cannot read the pre-push input on stdin")?;
            if line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split_whitespace().collect();
            let [_local_ref, local_oid, _remote_ref, remote_oid] = f[..] else {
                bail!(
                    "pre-push input line {} is not `<local-ref> <local-oid> <remote-ref> <remote-oid>`; \
                     `leaktrap push` is meant to run as git's pre-push hook",
                    n + 1
                );
            };
            if local_oid.trim_start_matches('0').is_empty() {
                continue; // a deletion sends nothing
            }
            positive.push(local_oid.to_string());
            if !remote_oid.trim_start_matches('0').is_empty() && object_exists(git, remote_oid) {
                negative.push(format!("^{remote_oid}"));
            } else {
                unknown_base = true;
            }
        }
    }
    if positive.is_empty() {
        return Ok(None);
    }
    let mut revs = positive;
    revs.extend(negative);
    if unknown_base {
        // A new branch (or a base we do not have): what no ref of that
        // remote already has.
        revs.push("--not".into());
        match remote {
            Some(r) => revs.push(format!("--remotes={r}")),
            None => revs.push("--remotes".into()),
        }
    }
    Ok(Some(revs))
}

fn object_exists(git: &Git, oid: &str) -> bool {
    git.command()
        .args(["cat-file", "-e", &format!("{oid}^{{commit}}")])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn history(plan: &Plan<'_>, common: &crate::CommonArgs) -> Result<Outcome> {
    let git = plan.git;
    let (_config, set) = discover::load_rules(common, git.root())?;
    let engine = discover::engine(common, &set)?;
    let mut head = ScanStats::default();
    // Cut-short history: incomplete, unless the user accepts it.
    let mut limited = |msg: &str| {
        let at = git.root().display().to_string();
        if plan.allow_shallow {
            head.warn(at, msg);
        } else {
            head.errors.push(leaktrap_core::ScanError {
                path: at,
                message: msg.into(),
            });
        }
    };
    if git.is_shallow()? {
        limited(
            "this is a shallow clone: commits before the shallow boundary were not scanned \
             (fetch them with `git fetch --unshallow`, or accept this with --allow-shallow)",
        );
    }
    if git.is_partial()? {
        limited(
            "this is a partial clone: objects left on the promisor remote are not here and \
             were not scanned (leaktrap never fetches); scan a full clone, or accept this \
             with --allow-shallow",
        );
    }
    let ignore = crate::cmd_staged::leaktrapignore(git.root(), &mut head);

    let progress = Arc::new(Progress::default());
    let display = term::progress_allowed(plan.quiet)
        .then(|| ProgressDisplay::start(progress.clone(), "blobs"));

    // Scoped: walk first, then read what the walk introduced. Whole
    // history: read everything in pack order while the walk runs beside.
    let mut messages = Outcome::default();
    let (mut blobs, pre_changes) = if plan.full {
        (Vec::new(), None)
    } else {
        let (ch, msgs) = walk(git, &engine, &plan.revs, Merges::Combined)?;
        messages = msgs;
        let list: Vec<BlobRef> = ch
            .order
            .iter()
            .map(|&oid| BlobRef {
                oid,
                size: 0,
                base: None,
            })
            .collect();
        (list, Some(ch))
    };

    let mut walked = None;
    let mut parts = Vec::new();
    std::thread::scope(|s| -> Result<()> {
        // The whole history's walk gives provenance and commit messages,
        // and tells which introduced blobs are missing. It starts first: it
        // is the longest single thread of work.
        let prov = plan
            .full
            .then(|| s.spawn(|| walk(git, &engine, &plan.revs, Merges::Skip)));
        if plan.full {
            blobs = git.all_blobs()?;
        }
        parts = scan_blobs(git, &engine, &blobs, plan, &progress);
        walked = prov.map(|h| h.join());
        Ok(())
    })?;
    if let Some(d) = display {
        d.finish();
    }
    let mut blob_outcome = Outcome::merge(parts);
    let changes = match (pre_changes, walked) {
        (Some(c), _) => c,
        (None, None) => Changes::default(),
        (None, Some(Err(_))) => bail!("the history walk crashed"),
        (None, Some(Ok(res))) => {
            let (mut ch, msgs) = res?;
            messages = msgs;
            let present: HashSet<Oid> = blobs.iter().map(|b| b.oid).collect();
            missing_blobs(&ch, &present, plan.allow_shallow, &mut blob_outcome.stats);
            // Blobs no ordinary commit introduced: a merge's resolution, or
            // nothing reachable. Only then are merges diffed.
            let orphans: HashSet<Oid> = blob_outcome
                .findings
                .iter()
                .filter_map(|f| Oid::from_str(&f.path).ok())
                .filter(|o| !ch.intros.contains_key(o))
                .collect();
            if !orphans.is_empty() {
                let m = git.changes(&plan.revs, Some(&orphans), Merges::Only, |_, _| {})?;
                ch.absorb(m);
            }
            ch
        }
    };
    let mut outcome = attribute(git, &engine, plan, blob_outcome, &changes, &ignore)?;
    outcome.stats.merge(head);
    let mut all = vec![outcome, messages];
    if plan.full {
        all.push(scan_tags(git, &engine)?);
    }
    Ok(Outcome::merge(all))
}

/// Names every blob the walk says a commit introduced that the object
/// store does not have: the scan is then incomplete, never clean.
fn missing_blobs(ch: &Changes, present: &HashSet<Oid>, accept: bool, stats: &mut ScanStats) {
    const NAMED: usize = 50;
    let missing: Vec<&Oid> = ch.order.iter().filter(|o| !present.contains(o)).collect();
    if missing.is_empty() {
        return;
    }
    if accept {
        stats.warn(
            "(git objects)",
            format!(
                "{} blob(s) are not in this partial clone and were not scanned",
                missing.len()
            ),
        );
        return;
    }
    for oid in missing.iter().take(NAMED) {
        let Some(i) = ch.intros.get(oid).and_then(|l| l.first()) else {
            continue;
        };
        let c = &ch.commits[i.commit as usize];
        stats.error(
            format!("{} at {}", i.path, c.oid),
            format!("blob {oid} is missing from the repository (corrupt, or a partial clone)"),
        );
    }
    if missing.len() > NAMED {
        stats.error(
            "(git objects)",
            format!("{} more blobs are missing", missing.len() - NAMED),
        );
    }
}

/// Reads and scans `blobs` on `plan.threads` workers, each with its own
/// `git cat-file --batch`. The list is cut into contiguous parts of about
/// [`PART_BYTES`] that workers take in turn: within a part, delta bases
/// stay in git's cache and in ours.
fn scan_blobs(
    git: &Git,
    engine: &Engine,
    blobs: &[BlobRef],
    plan: &Plan<'_>,
    progress: &Progress,
) -> Vec<Outcome> {
    let parts = split(blobs, PART_BYTES);
    let next = AtomicUsize::new(0);
    let workers = plan.threads.min(parts.len()).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let (next, parts) = (&next, &parts);
                s.spawn(move || {
                    let mut w = Worker::new(engine, Some(progress));
                    if let Err(e) = blob_worker(git, blobs, parts, next, &mut w, plan.max_blob) {
                        w.stats_mut().error("(git objects)", e.to_string());
                    }
                    w.finish()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    let mut o = Outcome::default();
                    o.stats.error("(git objects)", "a scan worker crashed");
                    o
                })
            })
            .collect()
    })
}

/// Bytes of blobs per part. Fixed, not derived from the thread count: a
/// part's outcome (which versions are scanned as deltas, hence the
/// suppression counts) depends only on its blobs, so output is the same
/// for any `--threads`.
pub(crate) const PART_BYTES: u64 = 32 << 20;

/// Cuts `blobs` into contiguous ranges of about `target` bytes.
pub(crate) fn split(blobs: &[BlobRef], target: u64) -> Vec<std::ops::Range<usize>> {
    let mut parts = Vec::new();
    let (mut start, mut acc) = (0, 0u64);
    for (i, b) in blobs.iter().enumerate() {
        acc += b.size.max(1);
        if acc >= target {
            parts.push(start..i + 1);
            start = i + 1;
            acc = 0;
        }
    }
    if start < blobs.len() {
        parts.push(start..blobs.len());
    }
    parts
}

/// Recently scanned blobs of one worker: content and findings, so that a
/// blob stored as a delta against one of them is scanned only where it
/// differs. In git's packs a base is at most ~1000 blobs before its delta
/// (all of git/git's 153k delta blobs are), so a short memory suffices.
struct Recent {
    map: HashMap<Oid, Arc<Seen>>,
    order: std::collections::VecDeque<Oid>,
    bytes: usize,
}

struct Seen {
    content: Vec<u8>,
    findings: Vec<Finding>,
    /// Holds a keyword of a multi-line rule.
    multiline: bool,
}

impl Recent {
    const MAX_BLOBS: usize = 1500;
    const MAX_BYTES: usize = 96 << 20;

    fn new() -> Recent {
        Recent {
            map: HashMap::new(),
            order: std::collections::VecDeque::new(),
            bytes: 0,
        }
    }

    fn put(&mut self, oid: Oid, seen: Seen) {
        self.bytes += seen.content.len();
        if self.map.insert(oid, Arc::new(seen)).is_none() {
            self.order.push_back(oid);
        }
        while self.order.len() > Self::MAX_BLOBS || self.bytes > Self::MAX_BYTES {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some(s) = self.map.remove(&old) {
                self.bytes -= s.content.len();
            }
        }
    }
}

fn blob_worker(
    git: &Git,
    blobs: &[BlobRef],
    parts: &[std::ops::Range<usize>],
    next: &AtomicUsize,
    w: &mut Worker<'_>,
    max: Option<u64>,
) -> Result<()> {
    let mut recent = Recent::new();
    let mut big: Vec<u8> = Vec::new();
    read_parts(git, blobs, parts, next, |cat, b, first| {
        if first {
            // Each part starts with an empty memory, so what it finds and
            // counts never depends on which worker took which part before.
            recent = Recent::new();
        }
        scan_one(cat, b, w, max, &mut recent, &mut big)
    })
}

/// One worker's reading: takes parts of `blobs` in turn (from `next`),
/// asks its own `git cat-file --batch` for them from a feeder thread, and
/// hands each answer to `each` (`first`: the first blob of a part), which
/// must consume the object from `cat`.
pub(crate) fn read_parts(
    git: &Git,
    blobs: &[BlobRef],
    parts: &[std::ops::Range<usize>],
    next: &AtomicUsize,
    mut each: impl FnMut(&mut CatFile, &BlobRef, bool) -> Result<()>,
) -> Result<()> {
    let mut cat = git.cat_file()?;
    let input = cat.take_input().context("cat-file has no input pipe")?;
    let (part_tx, part_rx) = mpsc::sync_channel::<usize>(2);
    let result = std::thread::scope(|s| -> Result<()> {
        s.spawn(move || {
            let mut input = std::io::BufWriter::with_capacity(64 * 1024, input);
            loop {
                let p = next.fetch_add(1, Ordering::Relaxed);
                if p >= parts.len() || part_tx.send(p).is_err() {
                    break;
                }
                for b in &blobs[parts[p].clone()] {
                    if writeln!(input, "{}", b.oid).is_err() {
                        return;
                    }
                }
                if input.flush().is_err() {
                    return;
                }
            }
        });
        for p in part_rx {
            for (k, b) in blobs[parts[p].clone()].iter().enumerate() {
                each(&mut cat, b, k == 0)?;
            }
        }
        Ok(())
    });
    let finished = cat.finish();
    result?;
    finished?;
    Ok(())
}

/// Reads the next answer of `cat` (expected to be `b`) and scans it.
fn scan_one(
    cat: &mut leaktrap_sources::CatFile,
    b: &BlobRef,
    w: &mut Worker<'_>,
    max: Option<u64>,
    recent: &mut Recent,
    big: &mut Vec<u8>,
) -> Result<()> {
    let oid = b.oid;
    let Some((got, obj)) = cat.next_header()? else {
        bail!("git cat-file stopped before blob {oid}");
    };
    if got != oid {
        bail!("git cat-file answered {got} when {oid} was asked for");
    }
    let size = match obj {
        Object::Missing => {
            w.stats_mut().error(
                format!("blob {oid}"),
                "object is missing from the repository (a partial clone, or corruption)",
            );
            return Ok(());
        }
        Object::Found { kind, size } if kind == "blob" => size,
        Object::Found { kind, size } => {
            cat.skip(size)?;
            cat.end_object()?;
            w.stats_mut().error(
                format!("object {oid}"),
                format!("expected a blob, found a {kind}"),
            );
            return Ok(());
        }
    };
    if max.is_some_and(|m| size > m) {
        cat.skip(size)?;
        cat.end_object()?;
        w.stats_mut()
            .skip(SkipReason::TooLarge, format!("blob {oid}"));
        return Ok(());
    }
    if size > CHUNK_SIZE as u64 {
        return scan_streamed(cat, oid, size, w, big);
    }
    let mut content = vec![0u8; usize::try_from(size).unwrap_or(usize::MAX)];
    cat.read_content(&mut content)?;
    cat.end_object()?;
    if is_binary(&content) {
        w.stats_mut()
            .skip(SkipReason::Binary, format!("blob {oid}"));
        return Ok(());
    }
    let name = oid.to_string();
    let before = w.findings_len();
    let base = b
        .base
        .filter(|_| delta_scans())
        .and_then(|o| recent.map.get(&o).cloned());
    let multiline = match base {
        Some(d) if !d.multiline => scan_delta(w, &name, &content, &d),
        _ => {
            w.begin(&name, None);
            w.chunk(&content, 0);
            w.end();
            w.last_spans_lines()
        }
    };
    let findings = w.findings_mut()[before..].to_vec();
    recent.put(
        oid,
        Seen {
            content,
            findings,
            multiline,
        },
    );
    Ok(())
}

/// Scans `new`, a version of `old` (a blob already scanned, with no
/// multi-line rule keyword), only over the lines where they differ; keeps
/// `old`'s findings on the lines before and after, moved to their place in
/// `new`. Every match lies within a line (unless a multi-line rule keyword
/// shows up in the changed lines: then `new` is scanned whole), so the
/// findings are exactly those of a whole scan. Returns whether `new` holds
/// a multi-line rule keyword.
fn scan_delta(w: &mut Worker<'_>, name: &str, new: &[u8], old: &Seen) -> bool {
    let d = &old.content;
    let prefix = common_prefix(new, d);
    let max_suffix = new.len().min(d.len()) - prefix;
    let suffix = common_suffix(new, d).min(max_suffix);
    // Lines of `new` that differ: [a, b). `a` starts a line in both.
    let a = memchr::memrchr(b'\n', &new[..prefix]).map_or(0, |i| i + 1);
    let delta = new.len() as i64 - d.len() as i64;
    let from = (new.len() - suffix).saturating_sub(1);
    let mut b = memchr::memchr(b'\n', &new[from..]).map_or(new.len(), |i| from + i + 1);
    // `b` must start a line in `old` too, at the same distance from the end.
    while b < new.len() {
        let bd = (b as i64 - delta) as usize;
        if bd > a && d[bd - 1] == b'\n' {
            break;
        }
        b = memchr::memchr(b'\n', &new[b..]).map_or(new.len(), |i| b + i + 1);
    }
    let bd = (b as i64 - delta) as usize;
    let whole = |w: &mut Worker<'_>| {
        w.begin(name, None);
        w.chunk(new, 0);
        w.end();
        true
    };
    // A multi-line rule keyword across the edges of the changed lines (the
    // unchanged lines have none: `old` has none).
    let edge = 64;
    let edges = [
        &new[a.saturating_sub(edge)..(a + edge).min(new.len())],
        &new[b.saturating_sub(edge)..(b + edge).min(new.len())],
    ];
    if edges.iter().any(|e| w.engine().may_span_lines(e)) {
        return whole(w);
    }
    // The changed lines are scanned as an input of their own (they start
    // a line, so columns are right); the few findings there are then moved
    // past the unchanged lines before them, which are counted only then.
    let before = w.findings_len();
    let saved = {
        let st = w.stats_mut();
        (st.suppressed.clone(), st.files_scanned, st.bytes_scanned)
    };
    w.begin(name, None);
    w.chunk(&new[a..b], 0);
    w.skip(a + (new.len() - b));
    w.end();
    if w.last_spans_lines() {
        // A multi-line rule keyword among the changed lines: undo, and scan
        // the whole blob.
        w.findings_mut().truncate(before);
        let st = w.stats_mut();
        (st.suppressed, st.files_scanned, st.bytes_scanned) = saved;
        return whole(w);
    }
    if w.findings_len() > before {
        let lines_before = memchr::memchr_iter(b'\n', &new[..a]).count() as u64;
        for f in &mut w.findings_mut()[before..] {
            let l = &mut f.location;
            l.byte_start += a as u64;
            l.byte_end += a as u64;
            l.start_line += lines_before;
            l.end_line += lines_before;
        }
    }
    // Old findings outside the changed lines, moved into place.
    let lines_delta = memchr::memchr_iter(b'\n', &new[a..b]).count() as i64
        - memchr::memchr_iter(b'\n', &d[a..bd]).count() as i64;
    let kept: Vec<Finding> = old
        .findings
        .iter()
        .filter_map(|f| {
            let l = &f.location;
            let mut f = f.clone();
            f.path = name.to_string();
            if l.byte_end as usize <= a {
                Some(f)
            } else if l.byte_start as usize >= bd {
                let shift = |v: u64, by: i64| (v as i64 + by) as u64;
                let loc = &mut f.location;
                loc.byte_start = shift(loc.byte_start, delta);
                loc.byte_end = shift(loc.byte_end, delta);
                loc.start_line = shift(loc.start_line, lines_delta);
                loc.end_line = shift(loc.end_line, lines_delta);
                Some(f)
            } else {
                None
            }
        })
        .collect();
    let fs = w.findings_mut();
    fs.extend(kept);
    fs[before..].sort_by_key(|f| f.location.byte_start);
    false
}

/// Length of the longest common prefix, compared a word at a time.
fn common_prefix(x: &[u8], y: &[u8]) -> usize {
    let n = x.len().min(y.len());
    let mut i = 0;
    while i + 8 <= n {
        let a = u64::from_le_bytes(x[i..i + 8].try_into().unwrap_or_default());
        let b = u64::from_le_bytes(y[i..i + 8].try_into().unwrap_or_default());
        if a != b {
            return i + ((a ^ b).trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < n && x[i] == y[i] {
        i += 1;
    }
    i
}

/// Length of the longest common suffix, compared a word at a time.
fn common_suffix(x: &[u8], y: &[u8]) -> usize {
    let n = x.len().min(y.len());
    let (xl, yl) = (x.len(), y.len());
    let mut i = 0;
    while i + 8 <= n {
        let a = u64::from_be_bytes(x[xl - i - 8..xl - i].try_into().unwrap_or_default());
        let b = u64::from_be_bytes(y[yl - i - 8..yl - i].try_into().unwrap_or_default());
        if a != b {
            return i + ((a ^ b).trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < n && x[xl - 1 - i] == y[yl - 1 - i] {
        i += 1;
    }
    i
}

/// Whether versions stored as deltas are scanned only where they differ
/// from their base (`LEAKTRAP_DELTA_SCAN=0` scans every blob whole: for
/// measuring, and for checking that both give the same findings).
fn delta_scans() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("LEAKTRAP_DELTA_SCAN").is_none_or(|v| v != "0"))
}

/// Scans a blob too large to hold whole, in windows.
fn scan_streamed(
    cat: &mut leaktrap_sources::CatFile,
    oid: Oid,
    size: u64,
    w: &mut Worker<'_>,
    buf: &mut Vec<u8>,
) -> Result<()> {
    let first = CHUNK_SIZE;
    buf.resize(first, 0);
    cat.read_content(buf)?;
    if is_binary(buf) {
        cat.skip(size - first as u64)?;
        cat.end_object()?;
        w.stats_mut()
            .skip(SkipReason::Binary, format!("blob {oid}"));
        return Ok(());
    }
    let mut left = size - first as u64;
    w.begin(&oid.to_string(), None);
    while left > 0 {
        // Keep the last CHUNK_OVERLAP bytes for the next window.
        let keep = CHUNK_OVERLAP.min(buf.len());
        w.chunk(buf, keep);
        let tail_start = buf.len() - keep;
        buf.copy_within(tail_start.., 0);
        let more = usize::try_from(left)
            .unwrap_or(usize::MAX)
            .min(CHUNK_SIZE - keep);
        buf.resize(keep + more, 0);
        cat.read_content(&mut buf[keep..])?;
        left -= more as u64;
    }
    w.chunk(buf, 0);
    w.end();
    cat.end_object()?;
    Ok(())
}

/// Drops the findings from `before` on of rules limited to some paths: a
/// commit or tag message is no file, so they do not apply to it (a message
/// that is one random-looking word is not a `.vault_pass`).
fn drop_path_limited(engine: &Engine, w: &mut Worker<'_>, before: usize) {
    let found = w.findings_mut();
    let tail = found.split_off(before);
    found.extend(
        tail.into_iter()
            .filter(|f| !engine.rule_is_path_limited(&f.rule.id)),
    );
}

/// Walks `revs` for provenance, scanning every commit message on the way.
fn walk(git: &Git, engine: &Engine, revs: &[String], merges: Merges) -> Result<(Changes, Outcome)> {
    let mut w = Worker::new(engine, None);
    let ch = git.changes(revs, None, merges, |meta, body| {
        let before = w.findings_len();
        w.scan_bytes("(commit message)", None, body);
        drop_path_limited(engine, &mut w, before);
        for f in &mut w.findings_mut()[before..] {
            f.origin = Some(Box::new(origin(
                OriginKind::CommitMessage,
                meta,
                None,
                vec![],
            )));
        }
    })?;
    let mut o = w.finish();
    // Messages count as commits, not as files.
    o.stats.commits_scanned = ch.walked;
    o.stats.files_scanned = 0;
    o.stats.bytes_scanned = 0;
    Ok((ch, o))
}

/// Scans annotated tags' messages.
fn scan_tags(git: &Git, engine: &Engine) -> Result<Outcome> {
    let tags = git.annotated_tags()?;
    let mut w = Worker::new(engine, None);
    if tags.is_empty() {
        return Ok(w.finish());
    }
    let oids: Vec<Oid> = tags.iter().map(|t| t.1).collect();
    let objects = read_objects(git, &oids)?;
    for (name, oid) in &tags {
        let Some(Some(content)) = objects.get(oid) else {
            w.stats_mut()
                .error(format!("tag {name}"), "tag object is missing");
            continue;
        };
        let (tagger, email, time, msg) = parse_tag(content);
        let before = w.findings_len();
        w.scan_bytes(&format!("(tag message {name})"), None, msg);
        drop_path_limited(engine, &mut w, before);
        let meta = CommitMeta {
            oid: *oid,
            author_name: tagger,
            author_email: email,
            time,
            commit_time: time,
            summary: String::from_utf8_lossy(msg.split(|&b| b == b'\n').next().unwrap_or_default())
                .into_owned(),
        };
        for f in &mut w.findings_mut()[before..] {
            f.origin = Some(Box::new(origin(
                OriginKind::TagMessage,
                &meta,
                None,
                vec![],
            )));
        }
    }
    let mut o = w.finish();
    o.stats.files_scanned = 0;
    o.stats.bytes_scanned = 0;
    Ok(o)
}

/// Rules that report a file by its path alone (`path` and no `regex`): one
/// finding per path and rule, naming the commits that added or changed a
/// file there.
fn path_only_findings(
    engine: &Engine,
    changes: &Changes,
    ignore: &ignore::gitignore::Gitignore,
    out: &mut Vec<Finding>,
) {
    let mut hits: BTreeMap<(&str, usize), Vec<(&CommitMeta, Oid)>> = BTreeMap::new();
    for oid in &changes.order {
        for intro in changes.intros.get(oid).into_iter().flatten() {
            let path = intro.path.as_str();
            if ignore.matched_path_or_any_parents(path, false).is_ignore()
                || engine.path_allowlisted(path)
            {
                continue;
            }
            let commit = &changes.commits[intro.commit as usize];
            for r in engine.path_only_matches(path) {
                let id = &engine.rule_meta(r).id;
                if !engine.history_allowlisted(id, b"", path, &commit.oid.to_string(), None) {
                    hits.entry((path, r)).or_default().push((commit, *oid));
                }
            }
        }
    }
    for ((path, r), mut commits) in hits {
        commits.sort_by_key(|(c, _)| (c.time, c.oid));
        commits.dedup_by_key(|(c, _)| c.oid);
        let also: Vec<String> = commits[1..]
            .iter()
            .map(|(c, _)| c.oid.to_string())
            .collect();
        let (first, blob) = commits[0];
        out.push(Finding {
            rule: engine.rule_meta(r).clone(),
            path: path.to_string(),
            location: leaktrap_core::Location {
                start_line: 1,
                start_column: 1,
                end_line: 1,
                end_column: 1,
                byte_start: 0,
                byte_end: 0,
            },
            secret: leaktrap_core::Secret::new(b""),
            entropy: 0.0,
            origin: Some(Box::new(origin(OriginKind::File, first, Some(blob), also))),
            decoded: Vec::new(),
        });
    }
}

fn origin(kind: OriginKind, c: &CommitMeta, blob: Option<Oid>, also_in: Vec<String>) -> Origin {
    Origin {
        kind,
        commit: c.oid.to_string(),
        blob: blob.map(|b| b.to_string()),
        author_name: c.author_name.clone(),
        author_email: c.author_email.clone(),
        date: rfc3339_utc(c.time),
        summary: c.summary.clone(),
        also_in,
    }
}

/// Turns findings keyed by blob into findings at each path and commit
/// where the secret was new, applying path ignores and allowlists to the
/// path at that commit.
fn attribute(
    git: &Git,
    engine: &Engine,
    plan: &Plan<'_>,
    blob_outcome: Outcome,
    changes: &Changes,
    ignore: &ignore::gitignore::Gitignore,
) -> Result<Outcome> {
    let Outcome {
        findings,
        mut stats,
    } = blob_outcome;
    let mut by_blob: BTreeMap<Oid, Vec<Finding>> = BTreeMap::new();
    for f in findings {
        let oid = Oid::from_str(&f.path).context("internal: finding without a blob id")?;
        by_blob.entry(oid).or_default().push(f);
    }
    // The versions each introduction replaced, to tell new secrets from
    // ones carried over.
    let mut parents: HashSet<Oid> = HashSet::new();
    for oid in by_blob.keys() {
        for i in changes.intros.get(oid).into_iter().flatten() {
            parents.extend(i.parents.iter().filter(|p| !p.is_zero()));
            if i.parents.iter().all(Oid::is_zero) {
                let c = &changes.commits[i.commit as usize];
                parents.extend(changes.deleted.get(&c.oid).into_iter().flatten());
            }
        }
    }
    let parents: Vec<Oid> = parents.into_iter().collect();
    let old = if parents.is_empty() {
        HashMap::new()
    } else {
        read_objects(git, &parents)?
    };
    // AND allowlists with a regex on the match or the line are judged on
    // the blob's text: read the blobs that hold findings, only then.
    let content = if engine.history_needs_content() {
        let oids: Vec<Oid> = by_blob.keys().copied().collect();
        read_objects(git, &oids)?
    } else {
        HashMap::new()
    };
    let blob_refs = if plan.full && by_blob.keys().any(|o| !changes.intros.contains_key(o)) {
        git.refs_to_blobs()?
    } else {
        Vec::new()
    };

    let mut out = Vec::new();
    let mut unreachable = 0u64;
    for (oid, fs) in by_blob {
        let Some(intros) = changes.intros.get(&oid) else {
            let refs: Vec<&String> = blob_refs
                .iter()
                .filter(|(_, b)| *b == oid)
                .map(|(r, _)| r)
                .collect();
            if let Some(r) = refs.first() {
                for mut f in fs {
                    f.path = (*r).clone();
                    out.push(f);
                }
            } else if plan.all_objects {
                for mut f in fs {
                    f.path = format!("(unreachable blob {oid})");
                    out.push(f);
                }
            } else {
                unreachable += fs.len() as u64;
            }
            continue;
        };
        // (path, finding index) -> commits where the secret was new.
        let mut new_at: BTreeMap<(&str, usize), Vec<&CommitMeta>> = BTreeMap::new();
        let mut paths_seen: HashSet<&str> = HashSet::new();
        for intro in intros {
            let path = intro.path.as_str();
            let first_time = paths_seen.insert(path);
            if ignore.matched_path_or_any_parents(path, false).is_ignore() {
                if first_time {
                    stats.skip(SkipReason::Ignored, path);
                }
                continue;
            }
            if engine.path_allowlisted(path) {
                if first_time {
                    stats.skip(SkipReason::AllowlistedPath, path);
                }
                continue;
            }
            let commit = &changes.commits[intro.commit as usize];
            for (k, f) in fs.iter().enumerate() {
                // A rule limited to other paths does not apply here.
                if !engine.rule_applies_to_path(&f.rule.id, path) {
                    continue;
                }
                if engine.rule_path_allowlisted(&f.rule.id, path) {
                    if first_time {
                        stats.suppress(SuppressionKind::RuleAllowlist);
                    }
                    continue;
                }
                let secret = f.secret.expose();
                let text = content.get(&oid).and_then(Option::as_deref).map(|d| {
                    let at = |b: u64| usize::try_from(b).unwrap_or(usize::MAX);
                    (d, at(f.location.byte_start), at(f.location.byte_end))
                });
                if engine.history_allowlisted(
                    &f.rule.id,
                    secret,
                    path,
                    &commit.oid.to_string(),
                    text,
                ) {
                    stats.suppress(SuppressionKind::RuleAllowlist);
                    continue;
                }
                let holds = |p: &Oid| {
                    !p.is_zero()
                        && old
                            .get(p)
                            .and_then(Option::as_ref)
                            .is_some_and(|c| memchr::memmem::find(c, secret).is_some())
                };
                // In a parent's version at this path; or, for a new path,
                // in a file the same commit deleted (a rename).
                let carried = intro.parents.iter().any(holds)
                    || (intro.parents.iter().all(Oid::is_zero)
                        && changes
                            .deleted
                            .get(&commit.oid)
                            .is_some_and(|d| d.iter().any(holds)));
                if !carried {
                    new_at.entry((path, k)).or_default().push(commit);
                }
            }
        }
        for ((path, k), mut commits) in new_at {
            commits.sort_by_key(|a| (a.time, a.oid));
            commits.dedup_by_key(|c| c.oid);
            let also: Vec<String> = commits[1..].iter().map(|c| c.oid.to_string()).collect();
            let mut f = fs[k].clone();
            f.path = path.to_string();
            f.origin = Some(Box::new(origin(
                OriginKind::File,
                commits[0],
                Some(oid),
                also,
            )));
            out.push(f);
        }
    }
    path_only_findings(engine, changes, ignore, &mut out);
    if unreachable > 0 {
        stats.warn(
            "(unreachable objects)",
            format!(
                "{unreachable} finding(s) in objects no ref reaches were not reported \
                 (--all-objects reports them)"
            ),
        );
    }
    Ok(Outcome {
        findings: out,
        stats,
    })
}

#[cfg(test)]
mod tests {
    use super::{common_prefix, common_suffix};

    #[test]
    fn common_prefix_and_suffix_match_a_byte_by_byte_count() {
        let cases: [(&[u8], &[u8]); 6] = [
            (b"", b""),
            (b"abc", b"abd"),
            (b"0123456789abcdefXYZ", b"0123456789abcdefXYz"),
            (b"same", b"same"),
            (b"short", b"shorter and longer"),
            (b"xx0123456789abcdefgh", b"0123456789abcdefgh"),
        ];
        for (x, y) in cases {
            let p = x.iter().zip(y).take_while(|(a, b)| a == b).count();
            let s = x
                .iter()
                .rev()
                .zip(y.iter().rev())
                .take_while(|(a, b)| a == b)
                .count();
            assert_eq!(common_prefix(x, y), p, "{x:?} {y:?}");
            assert_eq!(common_suffix(x, y), s, "{x:?} {y:?}");
        }
    }
}
