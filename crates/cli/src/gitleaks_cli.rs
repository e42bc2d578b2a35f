//! Gitleaks' command lines, with only the binary's name changed: `dir`
//! (`files`, `directory`), `stdin`, `git` (leaktrap's own history command,
//! which takes Gitleaks' flags too), and the deprecated `detect` and
//! `protect`. Each becomes the leaktrap command that does the same
//! (docs/migrating.md lists the flags and the differences).

use crate::{cmd_git, cmd_scan, cmd_staged, output};
use crate::{CommonArgs, Format, GitArgs, OutputArgs, ScanArgs, StagedArgs};
use anyhow::{bail, Result};
use clap::Args;
use std::path::{Path, PathBuf};

/// `-f/--report-format` as Gitleaks takes it: `json` is Gitleaks' shape;
/// `sarif`, `csv`, `junit` are leaktrap's; leaktrap's other names too.
///
/// # Errors
/// An unknown name, or Gitleaks' `template` (not supported).
pub fn parse_report_format(s: &str) -> Result<Format, String> {
    use clap::ValueEnum;
    match s {
        "json" => Ok(Format::GitleaksJson),
        "template" => Err(
            "Gitleaks' `template` format is not supported; use json, sarif, csv, junit, \
             jsonl, markdown, github or text"
                .into(),
        ),
        other => Format::from_str(other, false).map_err(|_| {
            format!(
                "unknown report format {other:?}: use json (Gitleaks' report shape), sarif, \
                 csv, junit, jsonl, markdown, github, text or gitleaks-json"
            )
        }),
    }
}

/// Gitleaks' `dir [PATH]`.
#[derive(Args)]
pub struct DirArgs {
    /// The directory or file to scan (default `.`).
    #[arg(value_name = "PATH")]
    path: Option<PathBuf>,
    /// Gitleaks' spelling of PATH.
    #[arg(long, short = 's', value_name = "PATH")]
    source: Option<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
    #[command(flatten)]
    output: OutputArgs,
    /// Follow symbolic links.
    #[arg(long)]
    follow_symlinks: bool,
    /// Skip files larger than this many megabytes (10^6 bytes); 0 = no limit.
    #[arg(long, value_name = "MB", default_value_t = 0, alias = "max-file-size")]
    max_target_megabytes: u64,
}

/// Gitleaks' `stdin`.
#[derive(Args)]
pub struct StdinArgs {
    #[command(flatten)]
    common: CommonArgs,
    #[command(flatten)]
    output: OutputArgs,
    /// Accepted; stdin is scanned whole.
    #[arg(long, value_name = "MB", default_value_t = 0)]
    max_target_megabytes: u64,
}

/// Gitleaks' deprecated `detect`.
#[derive(Args)]
pub struct DetectArgs {
    /// The repository or directory (default `.`).
    #[arg(long, short = 's', value_name = "PATH", default_value = ".")]
    source: PathBuf,
    /// Scan the directory's files, not its history (as `dir`).
    #[arg(long)]
    no_git: bool,
    /// Scan standard input (as `stdin`).
    #[arg(long)]
    pipe: bool,
    /// `git log` options (see `leaktrap git --help`).
    #[arg(long, value_name = "OPTS", allow_hyphen_values = true)]
    log_opts: Option<String>,
    #[command(flatten)]
    common: CommonArgs,
    #[command(flatten)]
    output: OutputArgs,
    /// Follow symbolic links (with --no-git).
    #[arg(long)]
    follow_symlinks: bool,
    /// Skip files larger than this many megabytes (10^6 bytes); 0 = no limit.
    #[arg(long, value_name = "MB", default_value_t = 0)]
    max_target_megabytes: u64,
}

/// Gitleaks' deprecated `protect`.
#[derive(Args)]
pub struct ProtectArgs {
    /// The repository (default `.`).
    #[arg(long, short = 's', value_name = "PATH", default_value = ".")]
    source: PathBuf,
    /// Scan what the next commit would add (as `leaktrap staged`).
    #[arg(long)]
    staged: bool,
    #[command(flatten)]
    common: CommonArgs,
    #[command(flatten)]
    output: OutputArgs,
    /// Accepted; staged files are scanned whole.
    #[arg(long, value_name = "MB", default_value_t = 0)]
    max_target_megabytes: u64,
}

/// Gitleaks infers its report format from `-r`'s extension, and `.json`
/// means its own shape: so it does for Gitleaks' command lines.
fn gitleaks_inference(output: &mut OutputArgs) {
    if output.format.is_some() || output.report_format.is_some() {
        return;
    }
    if let Some(p) = &output.report_path {
        let name = p.to_string_lossy().to_ascii_lowercase();
        if name.ends_with(".json") && !name.ends_with(".sarif.json") && name.len() > 5 {
            output.report_format = Some(Format::GitleaksJson);
        }
    }
}

fn scan_args(
    path: PathBuf,
    common: CommonArgs,
    output: OutputArgs,
    follow_symlinks: bool,
    max_file_size: u64,
) -> ScanArgs {
    ScanArgs {
        paths: vec![path],
        common,
        output,
        no_ignore: false,
        follow_symlinks,
        max_file_size,
        threads: None,
        stdin_name: "<stdin>".to_string(),
    }
}

pub fn dir(mut a: DirArgs) -> Result<u8> {
    gitleaks_inference(&mut a.output);
    let path = match (a.source, a.path) {
        (Some(s), None) => s,
        (None, Some(p)) => p,
        (None, None) => PathBuf::from("."),
        (Some(s), Some(p)) if s == p => s,
        (Some(_), Some(_)) => bail!("give the directory once: as PATH or as --source, not both"),
    };
    cmd_scan::run(scan_args(
        path,
        a.common,
        a.output,
        a.follow_symlinks,
        a.max_target_megabytes,
    ))
}

pub fn stdin(mut a: StdinArgs) -> Result<u8> {
    gitleaks_inference(&mut a.output);
    cmd_scan::run(scan_args(PathBuf::from("-"), a.common, a.output, false, 0))
}

pub fn detect(mut a: DetectArgs) -> Result<u8> {
    gitleaks_inference(&mut a.output);
    if a.pipe {
        return cmd_scan::run(scan_args(PathBuf::from("-"), a.common, a.output, false, 0));
    }
    if a.no_git {
        if a.log_opts.is_some() {
            bail!("--log-opts scopes a history scan; it means nothing with --no-git");
        }
        return cmd_scan::run(scan_args(
            a.source,
            a.common,
            a.output,
            a.follow_symlinks,
            a.max_target_megabytes,
        ));
    }
    git(GitArgs {
        repo: a.source,
        common: a.common,
        output: a.output,
        branch: Vec::new(),
        range: Vec::new(),
        since: None,
        max_commits: None,
        all_objects: false,
        allow_shallow: false,
        max_file_size: a.max_target_megabytes,
        threads: None,
        source: None,
        log_opts: a.log_opts,
        staged: false,
        pre_commit: false,
    })
}

pub fn protect(mut a: ProtectArgs) -> Result<u8> {
    gitleaks_inference(&mut a.output);
    if !a.staged {
        bail!(
            "`protect` without --staged scans changes not yet staged, which leaktrap does \
             not do: use `protect --staged` (what the next commit adds, as `leaktrap \
             staged`), or `leaktrap scan` for the working tree"
        );
    }
    staged_in(&a.source, a.common, a.output)
}

/// `leaktrap staged` in the repository at `dir`.
fn staged_in(dir: &Path, mut common: CommonArgs, mut output: OutputArgs) -> Result<u8> {
    if dir != Path::new(".") {
        // Paths given relative to where the command was run keep meaning that.
        let abs = |p: &mut Option<PathBuf>| {
            if let Some(x) = p.as_mut() {
                if let Ok(a) = std::path::absolute(&*x) {
                    *x = a;
                }
            }
        };
        abs(&mut common.config);
        if output.report_path.as_deref() != Some(Path::new("-")) {
            abs(&mut output.report_path);
        }
        abs(&mut output.baseline);
        abs(&mut output.baseline_path);
        abs(&mut output.gitleaks_ignore_path);
        // Gitleaks' `-i` defaults to the directory the command was run in.
        if output.gitleaks_ignore_path.is_none() {
            output.gitleaks_ignore_path = std::path::absolute(".").ok();
        }
        std::env::set_current_dir(dir)
            .map_err(|e| anyhow::anyhow!("cannot enter {}: {e}", dir.display()))?;
    }
    cmd_staged::run(StagedArgs {
        common,
        output,
        all_lines: false,
    })
}

/// `leaktrap git`: leaktrap's flags and Gitleaks' together.
pub fn git(mut a: GitArgs) -> Result<u8> {
    if let Some(s) = a.source.take() {
        if a.repo != Path::new(".") && a.repo != s {
            bail!("give the repository once: as REPO or as --source, not both");
        }
        a.repo = s;
    }
    if a.pre_commit || a.staged {
        if !a.staged {
            bail!(
                "`--pre-commit` without --staged scans changes not yet staged, which \
                 leaktrap does not do: add --staged (what the next commit adds, as \
                 `leaktrap staged`)"
            );
        }
        if a.log_opts.is_some() {
            bail!("--log-opts scopes a history scan; it means nothing with --staged");
        }
        return staged_in(&a.repo, a.common, a.output);
    }
    if let Some(opts) = a.log_opts.take() {
        let scope = parse_log_opts(&opts)?;
        if !a.branch.is_empty()
            || !a.range.is_empty()
            || a.since.is_some()
            || a.max_commits.is_some()
        {
            bail!(
                "--log-opts and --branch, --range, --since or --max-commits both scope the \
                 scan: use one"
            );
        }
        a.branch.extend(scope.revs);
        a.range.extend(scope.ranges);
        a.since = a.since.or(scope.since);
        a.max_commits = a.max_commits.or(scope.max_count);
    }
    output::check(&a.output)?;
    cmd_git::run_git(a)
}

/// What `--log-opts` asked for, in leaktrap's terms.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LogScope {
    revs: Vec<String>,
    ranges: Vec<String>,
    since: Option<String>,
    max_count: Option<u64>,
}

/// Maps Gitleaks' `--log-opts` (split on spaces, as Gitleaks does) to
/// leaktrap's scoping. Gitleaks' options replace its default `--all`, so
/// without `--all` and without a revision, `git log` means HEAD.
///
/// # Errors
/// An option leaktrap does not map, named; a malformed count.
pub fn parse_log_opts(opts: &str) -> Result<LogScope> {
    let mut scope = LogScope::default();
    let mut all = false;
    let mut words = opts.split_whitespace();
    let count = |v: &str| -> Result<u64> {
        v.parse()
            .map_err(|_| anyhow::anyhow!("--log-opts: `{v}` is not a number of commits"))
    };
    while let Some(w) = words.next() {
        let mut value = |name: &str| -> Result<String> {
            words
                .next()
                .map(str::to_string)
                .ok_or_else(|| anyhow::anyhow!("--log-opts: `{name}` needs a value"))
        };
        match w {
            "--all" => all = true,
            "--since" | "--after" => scope.since = Some(value(w)?),
            "-n" | "--max-count" => scope.max_count = Some(count(&value(w)?)?),
            _ if w.starts_with("--since=") || w.starts_with("--after=") => {
                scope.since = w.split_once('=').map(|(_, v)| v.to_string());
            }
            _ if w.starts_with("--max-count=") => {
                scope.max_count = Some(count(&w["--max-count=".len()..])?);
            }
            _ if w.starts_with("-n") && w.len() > 2 => scope.max_count = Some(count(&w[2..])?),
            _ if w.len() > 1
                && w.starts_with('-')
                && w[1..].bytes().all(|b| b.is_ascii_digit()) =>
            {
                scope.max_count = Some(count(&w[1..])?);
            }
            _ if w.starts_with('-') => bail!(
                "--log-opts: `{w}` is not supported; leaktrap maps --all, revisions, ranges \
                 (A..B), --since/--after and -n/--max-count (see docs/migrating.md)"
            ),
            _ if w.contains("..") => scope.ranges.push(w.to_string()),
            _ => scope.revs.push(w.to_string()),
        }
    }
    if all && !(scope.revs.is_empty() && scope.ranges.is_empty()) {
        bail!(
            "--log-opts: `--all` with a revision or range is not supported; give one or the other"
        );
    }
    if !all && scope.revs.is_empty() && scope.ranges.is_empty() {
        scope.revs.push("HEAD".to_string());
    }
    Ok(scope)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_opts_map_to_scoping() {
        let s = parse_log_opts("--all --since=2024-01-01").unwrap();
        assert!(s.revs.is_empty() && s.ranges.is_empty());
        assert_eq!(s.since.as_deref(), Some("2024-01-01"));
        let s = parse_log_opts("v1..v2 -n 5").unwrap();
        assert_eq!(s.ranges, vec!["v1..v2"]);
        assert_eq!(s.max_count, Some(5));
        let s = parse_log_opts("-3").unwrap();
        assert_eq!(s.revs, vec!["HEAD"], "no --all: git log means HEAD");
        assert_eq!(s.max_count, Some(3));
        let s = parse_log_opts("main --max-count=2").unwrap();
        assert_eq!(s.revs, vec!["main"]);
        let e = parse_log_opts("--all --no-merges").unwrap_err().to_string();
        assert!(e.contains("`--no-merges`"), "{e}");
        assert!(parse_log_opts("-n x").is_err());
    }

    #[test]
    fn report_formats_keep_gitleaks_meaning() {
        assert_eq!(parse_report_format("json"), Ok(Format::GitleaksJson));
        assert_eq!(parse_report_format("sarif"), Ok(Format::Sarif));
        assert_eq!(parse_report_format("junit"), Ok(Format::Junit));
        assert_eq!(parse_report_format("markdown"), Ok(Format::Markdown));
        assert!(parse_report_format("template").is_err());
        assert!(parse_report_format("yaml").is_err());
    }
}
