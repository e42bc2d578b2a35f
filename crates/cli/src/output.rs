//! Writing a scan's outcome: the report on stdout or to `--report-path`,
//! the summary on stderr, the exit code.

use crate::term::{self, human_bytes};
use crate::{exit, Format, OutputArgs};
use anyhow::{bail, Context, Result};
use leaktrap_core::{Finding, Redaction, Verdict};
use leaktrap_report::{
    file_uri, Artifacts, Csv, Github, GitleaksJson, Json, Jsonl, Junit, Markdown, Report, Reporter,
    Sarif, Text,
};
use leaktrap_scan::Outcome;
use std::borrow::Cow;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The exit code of a clean run whose baseline has stale or expired entries,
/// with `--fail-on-stale`.
const STALE: u8 = 1;

/// Which command ran: it changes the words of the summary.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Scan,
    Staged,
    History,
    Push,
}

/// The redaction the flags ask for.
pub fn redaction(args: &OutputArgs) -> Redaction {
    if args.show_secrets {
        Redaction::Reveal
    } else if let Some(n) = args.redact {
        Redaction::Percent(n)
    } else {
        Redaction::Mask
    }
}

/// The report file, if the report does not go to stdout.
fn report_file(args: &OutputArgs) -> Option<&Path> {
    args.report_path.as_deref().filter(|p| p.as_os_str() != "-")
}

/// The report format: `--format`, else the report file's extension, else text.
///
/// # Errors
/// A report file whose extension names no format, and no `--format`.
pub fn format(args: &OutputArgs) -> Result<Format> {
    if let Some(f) = args.format.or(args.report_format) {
        return Ok(f);
    }
    let Some(path) = report_file(args) else {
        return Ok(Format::Text);
    };
    match format_for(path) {
        Some(f) => Ok(f),
        None => bail!(
            "cannot tell the report format from the name {}: give --format, or a name \
             ending in .sarif, .sarif.json, .json, .jsonl, .ndjson, .csv, .xml (JUnit), \
             .md or .txt",
            path.display()
        ),
    }
}

fn format_for(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    let ext = |e: &str| name.len() > e.len() && name.ends_with(e);
    Some(if ext(".sarif") || ext(".sarif.json") {
        Format::Sarif
    } else if ext(".json") {
        Format::Json
    } else if ext(".jsonl") || ext(".ndjson") {
        Format::Jsonl
    } else if ext(".csv") {
        Format::Csv
    } else if ext(".xml") {
        Format::Junit
    } else if ext(".md") || ext(".markdown") {
        Format::Markdown
    } else if ext(".txt") {
        Format::Text
    } else {
        return None;
    })
}

/// Checks the output flags before a scan, so that a long scan does not end
/// in a usage error: the format can be told, and the report file's directory
/// exists.
///
/// # Errors
/// As [`format`]; the report file's directory does not exist; the report
/// file is a directory.
pub fn check(args: &OutputArgs) -> Result<()> {
    format(args)?;
    if let Some(b) = &args.baseline {
        crate::baseline::load(b)?;
    }
    if let Some(e) = &args.evidence {
        if report_file(args).is_some_and(|r| r == e.as_path()) {
            bail!(
                "the evidence record and the report cannot be the same file ({}): name \
                 another file for --evidence",
                e.display()
            );
        }
        writable(e, "the evidence record")?;
    }
    if let Some(b) = &args.baseline_path {
        crate::gitleaks::load_baseline(b)?;
    }
    if let Some(path) = report_file(args) {
        writable(path, "the report")?;
    }
    Ok(())
}

/// A file can be written at `path`: its directory exists, and it is not a
/// directory itself.
fn writable(path: &Path, what: &str) -> Result<()> {
    {
        let dir = parent_dir(path);
        if !dir.is_dir() {
            bail!(
                "cannot write {what} to {}: {} {}",
                path.display(),
                dir.display(),
                if dir.exists() {
                    "is not a directory"
                } else {
                    "does not exist"
                }
            );
        }
        if path.is_dir() {
            bail!(
                "cannot write {what} to {}: it is a directory",
                path.display()
            );
        }
    }
    Ok(())
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// A `file://` URI for a directory, as SARIF's `originalUriBaseIds` wants.
fn dir_uri(dir: &Path) -> String {
    let mut s = dir.to_string_lossy().into_owned();
    if !s.ends_with(['/', '\\']) {
        s.push('/');
    }
    file_uri(&s)
}

/// Files on disk, for `scan`: paths are made relative to `root` (the
/// repository root, or the directory that anchors the scan), symbolic links
/// resolved; content is read again from disk for GitHub's line hash (the
/// SARIF reporter uses it only if it still holds the secret where it was
/// found).
pub struct WorkingTree {
    root: PathBuf,
    canonical_root: Option<PathBuf>,
}

impl WorkingTree {
    pub fn new(root: PathBuf) -> Self {
        let root = std::path::absolute(&root).unwrap_or(root);
        let canonical_root = std::fs::canonicalize(&root).ok();
        WorkingTree {
            root,
            canonical_root,
        }
    }

    /// The directory paths are relative to.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

fn slashed(p: &Path) -> String {
    let s = p.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '\\' {
        s.replace('\\', "/")
    } else {
        s.into_owned()
    }
}

impl Artifacts for WorkingTree {
    fn root_uri(&self) -> Option<String> {
        Some(dir_uri(&self.root))
    }

    fn repo_path<'f>(&self, f: &'f Finding) -> Cow<'f, str> {
        if f.origin.is_some() {
            // History paths are relative to the repository already.
            return Cow::Borrowed(&f.path);
        }
        let p = Path::new(&f.path);
        if let (Ok(real), Some(root)) = (std::fs::canonicalize(p), &self.canonical_root) {
            if let Ok(rel) = real.strip_prefix(root) {
                return Cow::Owned(slashed(rel));
            }
        }
        match std::path::absolute(p) {
            Ok(abs) => match abs.strip_prefix(&self.root) {
                Ok(rel) => Cow::Owned(slashed(rel)),
                Err(_) => Cow::Owned(slashed(&abs)),
            },
            Err(_) => Cow::Borrowed(&f.path),
        }
    }

    fn content(&self, f: &Finding) -> Option<Vec<u8>> {
        if f.origin.is_some() {
            return None;
        }
        std::fs::read(&f.path).ok()
    }
}

/// Content that is not on disk (a staged or historical blob): paths are
/// relative to `root` already; `content` fetches what a finding was found in.
pub struct RepoArtifacts<F> {
    pub root: PathBuf,
    pub content: F,
}

impl<F: Fn(&Finding) -> Option<Vec<u8>>> Artifacts for RepoArtifacts<F> {
    fn root_uri(&self) -> Option<String> {
        Some(dir_uri(&self.root))
    }

    fn content(&self, f: &Finding) -> Option<Vec<u8>> {
        (self.content)(f)
    }
}

/// Writes the report (to stdout, or atomically to `--report-path` with the
/// findings as text on stdout), then the summary, and returns the exit
/// code, which does not depend on where the report went. `artifacts` says
/// where the scanned content lives: [`WorkingTree`] for files on disk,
/// [`RepoArtifacts`] for blobs. `root` is the repository root (or the
/// directory that anchors the scan) and `targets` what was scanned (the
/// directories, the repository named): `.gitleaksignore` is read there.
///
/// # Errors
/// The format cannot be told; an ignore file or baseline cannot be read;
/// stdout or the report file could not be written.
pub fn finish(
    outcome: &Outcome,
    args: &OutputArgs,
    started: Instant,
    mode: Mode,
    artifacts: &dyn Artifacts,
    root: &Path,
    targets: &[PathBuf],
) -> Result<u8> {
    let format = format(args)?;
    let fingerprinter = crate::baseline::fingerprinter();
    let mut filtered = Outcome {
        findings: outcome.findings.clone(),
        stats: outcome.stats.clone(),
    };
    // Gitleaks' suppressions first (as Gitleaks applies them), then
    // leaktrap's baseline, so stale entries are judged on what is left.
    let ignore = crate::gitleaks::load_ignore(
        root,
        targets,
        args.gitleaks_ignore_path.as_deref(),
        &mut filtered,
    )?;
    crate::gitleaks::apply_ignore(&ignore, &mut filtered, artifacts);
    if let Some(file) = &args.baseline_path {
        let gl = crate::gitleaks::load_baseline(file)?;
        crate::gitleaks::warn_baseline_ids(file, &gl, &mut filtered);
        crate::gitleaks::apply_baseline(&gl, &mut filtered, artifacts);
    }
    let mut stale = false;
    if let Some(file) = &args.baseline {
        let baseline = crate::baseline::load(file)?;
        let applied = crate::baseline::apply(
            &baseline,
            &mut filtered,
            artifacts,
            &fingerprinter,
            &crate::baseline::today(),
        );
        stale = applied.any();
        crate::evidence::note_input("baseline", file);
        crate::evidence::note_baseline(leaktrap_report::evidence::BaselineUse {
            path: std::path::absolute(file)
                .unwrap_or_else(|_| file.clone())
                .display()
                .to_string(),
            matched: applied
                .matched
                .iter()
                .map(|(e, n)| crate::evidence::baseline_entry(e, Some(*n)))
                .collect(),
            stale: applied
                .stale
                .iter()
                .map(|e| crate::evidence::baseline_entry(e, None))
                .collect(),
            expired: applied
                .expired
                .iter()
                .map(|e| crate::evidence::baseline_entry(e, None))
                .collect(),
        });
    }
    if let Some(file) = &args.baseline_path {
        crate::evidence::note_input("gitleaks-baseline", file);
    }
    filtered.stats.normalize();
    let outcome = &filtered;
    let report = Report {
        tool_version: env!("CARGO_PKG_VERSION"),
        findings: &outcome.findings,
        stats: &outcome.stats,
        redaction: redaction(args),
        fingerprinter: &fingerprinter,
    };
    let file = report_file(args);
    let saved = file.map(|path| {
        write_atomically(path, "the report", |out| {
            write_format(format, false, artifacts, &report, out)
        })
    });
    let on_stdout = if file.is_some() { Format::Text } else { format };
    let color =
        on_stdout == Format::Text && term::use_color(args.color, std::io::stdout().is_terminal());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    write_format(on_stdout, color, artifacts, &report, &mut out)
        .and_then(|()| out.flush())
        .context("cannot write the report to stdout")?;
    drop(out);
    let verdict = report.verdict();
    summarize(outcome, verdict, started, args.is_quiet(), mode);
    if stale && args.fail_on_stale && verdict == Verdict::Clean {
        eprintln!(
            "leaktrap: failing because of stale or expired baseline entries (--fail-on-stale); \
             `leaktrap baseline update` drops stale ones"
        );
    }
    if let Some(saved) = saved {
        saved?;
    }
    let code = match verdict {
        Verdict::Clean if stale && args.fail_on_stale => STALE,
        Verdict::Clean => exit::CLEAN,
        Verdict::Findings => args.exit_code,
        Verdict::Incomplete => exit::INCOMPLETE,
    };
    if let Some(evidence) = &args.evidence {
        let reports: Vec<(PathBuf, Format)> = file
            .map(|p| (p.to_path_buf(), format))
            .into_iter()
            .collect();
        crate::evidence::note_option("format", crate::evidence::format_name(format));
        crate::evidence::note_option(
            "redaction",
            match redaction(args) {
                Redaction::Mask => "mask".to_string(),
                Redaction::Percent(n) => format!("redact={n}"),
                Redaction::Reveal => "show-secrets".to_string(),
            },
        );
        crate::evidence::note_option("exit_code_for_findings", args.exit_code);
        crate::evidence::note_option("fail_on_stale", args.fail_on_stale);
        crate::evidence::write(
            evidence,
            &outcome.findings,
            &outcome.stats,
            verdict,
            code,
            &reports,
        )?;
    }
    Ok(code)
}

fn write_format(
    format: Format,
    color: bool,
    artifacts: &dyn Artifacts,
    report: &Report<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => Text { color }.write(report, out),
        Format::Json => Json.write(report, out),
        Format::Jsonl => Jsonl.write(report, out),
        Format::Csv => Csv.write(report, out),
        Format::Junit => Junit.write(report, out),
        Format::Github => Github { artifacts }.write(report, out),
        Format::Markdown => Markdown.write(report, out),
        Format::Sarif => Sarif::new(artifacts).write(report, out),
        Format::GitleaksJson => GitleaksJson { artifacts }.write(report, out),
    }
}

/// Writes a file whole or not at all: into a temporary file in the same
/// directory, flushed to disk, then renamed over `path`. A new file gets the
/// permissions any new file gets (the umask applies).
pub fn write_atomically(
    path: &Path,
    what: &str,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let fail = |e: io::Error| {
        // tempfile adds the temporary file's name; the OS error is what matters.
        let e = e.raw_os_error().map_or(e, io::Error::from_raw_os_error);
        anyhow::anyhow!("cannot write {what} to {}: {e}", path.display())
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".leaktrap-report.").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(parent_dir(path)).map_err(fail)?;
    {
        let mut out = io::BufWriter::new(tmp.as_file_mut());
        write(&mut out).and_then(|()| out.flush()).map_err(fail)?;
    }
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// The stderr summary: unreadable inputs by name, then one line of counts,
/// then, for a blocked commit, what to do.
fn summarize(outcome: &Outcome, verdict: Verdict, started: Instant, quiet: bool, mode: Mode) {
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
    let (what, unit) = match mode {
        Mode::Scan => ("", "file"),
        Mode::Staged => (" staged", "file"),
        Mode::History | Mode::Push => ("", "blob"),
    };
    let commits = if stats.commits_scanned > 0 || matches!(mode, Mode::History | Mode::Push) {
        format!(
            " and {} commit{}",
            stats.commits_scanned,
            if stats.commits_scanned == 1 { "" } else { "s" }
        )
    } else {
        String::new()
    };
    let mut line = format!(
        "leaktrap: {} · scanned {}{what} {unit}{} ({}){commits} in {:.2} s",
        match n {
            0 => "no findings".to_string(),
            1 => "1 finding".to_string(),
            n => format!("{n} findings"),
        },
        stats.files_scanned,
        if stats.files_scanned == 1 { "" } else { "s" },
        human_bytes(stats.bytes_scanned),
        started.elapsed().as_secs_f64()
    );
    if let Some(s) = stats.skipped_summary() {
        line.push_str(&format!(" · skipped: {s}"));
    }
    if let Some(s) = stats.suppressed_summary() {
        line.push_str(&format!(" · suppressed: {s}"));
    }
    if stats.outside_changes > 0 {
        line.push_str(&format!(
            " · {} on unchanged lines not reported (--all-lines shows them)",
            stats.outside_changes
        ));
    }
    let _ = writeln!(err, "{line}");
    if verdict == Verdict::Incomplete {
        let _ = writeln!(
            err,
            "leaktrap: incomplete: {} input(s) could not be read; the result is not a clean scan",
            stats.errors.len()
        );
    }
    if mode == Mode::Push && verdict != Verdict::Clean {
        let _ = writeln!(
            err,
            "\nleaktrap: push blocked. What to do:\n\
             \x20 - a real secret: treat it as exposed if it left this machine before; rotate\n\
             \x20   it; then rewrite the commits that carry it (git rebase -i, or git commit\n\
             \x20   --amend for the last one) so no commit you push contains it;\n\
             \x20 - not a secret: put `leaktrap:allow` in a comment on its line, or allowlist it\n\
             \x20   in .leaktrap.toml;\n\
             \x20 - to push anyway, at your own risk: git push --no-verify"
        );
    }
    if mode == Mode::Staged && verdict != Verdict::Clean {
        let _ = writeln!(
            err,
            "\nleaktrap: commit blocked. What to do:\n\
             \x20 - a real secret: remove it from the file, `git add` it again, and rotate the\n\
             \x20   secret if it ever left this machine;\n\
             \x20 - not a secret: put `leaktrap:allow` in a comment on its line, or allowlist it\n\
             \x20   in .leaktrap.toml;\n\
             \x20 - to commit anyway, at your own risk: git commit --no-verify"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_or_fails_naming_the_path() {
        let d = tempfile::tempdir().unwrap();
        let file = d.path().join("r.sarif");
        std::fs::write(&file, "old").unwrap();
        write_atomically(&file, "the report", |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new");

        // A writer that fails leaves the old report and no temporary file.
        let err = write_atomically(&file, "the report", |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("disk full"))
        })
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("r.sarif") && err.contains("disk full"),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new");

        // The rename fails onto a directory: the path and the OS error are named.
        let dir = d.path().join("taken");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("keep"), "x").unwrap();
        let err = write_atomically(&dir, "the report", |w| w.write_all(b"x"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!("cannot write the report to {}: ", dir.display())),
            "{err}"
        );
        assert!(
            !err.contains(".leaktrap-report."),
            "no temporary name: {err}"
        );
        let left: Vec<_> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left.len(), 2, "{left:?}");
    }

    #[test]
    fn formats_follow_from_file_names() {
        let f = |n: &str| format_for(Path::new(n));
        assert_eq!(f("out/leaktrap.sarif"), Some(Format::Sarif));
        assert_eq!(f("x.SARIF.JSON"), Some(Format::Sarif));
        assert_eq!(f("x.json"), Some(Format::Json));
        assert_eq!(f("x.ndjson"), Some(Format::Jsonl));
        assert_eq!(f("junit.xml"), Some(Format::Junit));
        assert_eq!(f("summary.md"), Some(Format::Markdown));
        assert_eq!(f(".json"), None, "a bare extension is a hidden file's name");
        assert_eq!(f("report"), None);
        assert_eq!(f("report.yaml"), None);
    }
}
