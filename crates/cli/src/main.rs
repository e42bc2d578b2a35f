//! The `leaktrap` command line: the only place that knows flags, config
//! discovery, terminals and exit codes. Scanning and formatting live in the
//! library crates.

mod baseline;
mod cmd_config;
mod cmd_git;
mod cmd_hook;
mod cmd_rules;
mod cmd_scan;
mod cmd_staged;
mod cmd_trace;
mod discover;
mod evidence;
mod gitleaks;
mod gitleaks_cli;
mod output;
mod term;
mod trace_input;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

const EXIT_CODES: &str = "\
Exit codes:
  0  everything was scanned and nothing was found
  1  findings (change with --exit-code); with --fail-on-stale, also stale or
     expired baseline entries
  2  usage, configuration or runtime error (a malformed baseline file too)
  3  no findings, but some input could not be read (each is named on stderr)";

#[derive(Parser)]
#[command(
    name = "leaktrap",
    version,
    about = "Finds secrets in files and git repositories, without printing them.",
    after_help = EXIT_CODES,
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan files and directories (default `.`); `-` scans stdin.
    #[command(after_help = EXIT_CODES)]
    Scan(ScanArgs),
    /// Scan what the next commit would add (the pre-commit hook's command):
    /// the index against HEAD, reporting only secrets on added or changed lines.
    #[command(after_help = EXIT_CODES)]
    Staged(StagedArgs),
    /// Scan git history: every blob reachable from any ref, once, plus commit
    /// and tag messages; each finding names the commit that introduced it.
    #[command(after_help = EXIT_CODES)]
    Git(GitArgs),
    /// Scan what a push would send (the pre-push hook's command): reads git's
    /// pre-push input on stdin, or PRE_COMMIT_FROM_REF/PRE_COMMIT_TO_REF.
    #[command(after_help = EXIT_CODES)]
    Push(PushArgs),
    /// List or check rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Show the configuration in force.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// After an exposure: where known secrets live in the history, since
    /// when, which refs still reach them, and how to purge them. Reads the
    /// secrets from stdin (one per line) or --secret-file, never argv.
    /// Exit 0: found nowhere; 1: found; 2: error.
    Trace(TraceArgs),
    /// Install, remove or show leaktrap's git hooks (pre-commit, pre-push).
    #[command(subcommand)]
    Hook(cmd_hook::HookCommand),
    /// Create, update or check a baseline of known findings
    /// (`.leaktrap-baseline.json`), for `--baseline FILE`; import a
    /// detect-secrets baseline.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Check an evidence record written with --evidence.
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// Gitleaks' `dir` command line: scan a directory, as `scan PATH`
    /// (docs/migrating.md).
    #[command(aliases = ["files", "directory"], after_help = EXIT_CODES)]
    Dir(gitleaks_cli::DirArgs),
    /// Gitleaks' `stdin` command line: scan standard input, as `scan -`.
    #[command(after_help = EXIT_CODES)]
    Stdin(gitleaks_cli::StdinArgs),
    /// Gitleaks' deprecated `detect`: history, or a directory with --no-git.
    #[command(hide = true)]
    Detect(gitleaks_cli::DetectArgs),
    /// Gitleaks' deprecated `protect`: with --staged, as `staged`.
    #[command(hide = true)]
    Protect(gitleaks_cli::ProtectArgs),
}

#[derive(Subcommand)]
enum EvidenceCommand {
    /// Check that the reports an evidence record names still have their
    /// digests, and that its config files and the rules in force (this
    /// leaktrap with that config) still match. Exit 0: all match; 1: a
    /// mismatch (each is named); 2: the record cannot be read.
    Verify {
        /// The evidence record.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// A checkout of the scanned repository to check config and input
        /// files in (default: the paths the record names).
        #[arg(long, value_name = "DIR")]
        repo: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum BaselineCommand {
    /// Scan PATH (as `scan PATH`) and write every finding to a new baseline.
    Create {
        #[command(flatten)]
        args: BaselineArgs,
        /// Overwrite an existing baseline file.
        #[arg(long)]
        force: bool,
    },
    /// Scan PATH and refresh the baseline: add new findings, keep the
    /// reason, owner and expiry of known ones, drop entries that match nothing.
    Update {
        #[command(flatten)]
        args: BaselineArgs,
    },
    /// Scan PATH and report baseline entries that match nothing (stale) or
    /// have expired; exit 1 if there are any.
    Check {
        #[command(flatten)]
        args: BaselineArgs,
    },
    /// Turn a detect-secrets baseline (`.secrets.baseline`) into leaktrap
    /// baseline entries: PATH is scanned, and each finding whose secret's
    /// SHA-1 an entry of the same file holds becomes an entry, with the
    /// audit label as its reason. Entries are added to the baseline file
    /// (created if need be).
    Import {
        /// The detect-secrets baseline.
        #[arg(value_name = "SECRETS_BASELINE")]
        from: PathBuf,
        #[command(flatten)]
        args: BaselineArgs,
    },
}

#[derive(Args)]
struct BaselineArgs {
    /// The directory to scan (default `.`).
    #[arg(value_name = "PATH", default_value = ".")]
    path: PathBuf,
    /// The baseline file (default: `.leaktrap-baseline.json` at the
    /// repository root of PATH).
    #[arg(long, value_name = "FILE")]
    baseline_file: Option<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
    /// Scan everything: do not honour .gitignore, .ignore, .leaktrapignore or
    /// .secretlintignore.
    #[arg(long)]
    no_ignore: bool,
}

#[derive(Args, Clone)]
struct CommonArgs {
    /// Config file, leaktrap or Gitleaks format (default: $LEAKTRAP_CONFIG,
    /// else `.leaktrap.toml` at the repository root of the first path, else
    /// $GITLEAKS_CONFIG, $GITLEAKS_CONFIG_TOML, or `.gitleaks.toml` there).
    #[arg(long, short = 'c', value_name = "FILE", env = "LEAKTRAP_CONFIG")]
    config: Option<PathBuf>,
    /// Decode base64, hex and percent-encoded text (printable once decoded)
    /// up to this many layers deep, and report the secrets only the decoded
    /// text holds, at the encoded text's position; 0 turns decoding off.
    #[arg(long, value_name = "N", default_value_t = leaktrap_engine::Engine::DEFAULT_DECODE_DEPTH)]
    max_decode_depth: usize,
}

#[derive(Args)]
struct ScanArgs {
    /// Files or directories to scan; `-` reads stdin.
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
    #[command(flatten)]
    output: OutputArgs,
    /// Scan everything: do not honour .gitignore, .ignore, .leaktrapignore or
    /// .secretlintignore.
    #[arg(long)]
    no_ignore: bool,
    /// Follow symbolic links.
    #[arg(long, short = 'L')]
    follow_symlinks: bool,
    /// Skip files larger than this many megabytes (10^6 bytes); 0 = no limit.
    #[arg(
        long,
        value_name = "MB",
        default_value_t = 0,
        alias = "max-target-megabytes"
    )]
    max_file_size: u64,
    /// Worker threads (default: number of cores).
    #[arg(long, short = 'j', value_name = "N")]
    threads: Option<usize>,
    /// Name to show for stdin in reports.
    #[arg(long, value_name = "NAME", default_value = "<stdin>")]
    stdin_name: String,
}

/// What a commit would add: the index against HEAD.
#[derive(Args)]
struct StagedArgs {
    #[command(flatten)]
    common: CommonArgs,
    #[command(flatten)]
    output: OutputArgs,
    /// Also report secrets on lines the commit does not change.
    #[arg(long)]
    all_lines: bool,
}

/// The history of a repository.
#[derive(Args)]
struct GitArgs {
    /// The repository (any directory inside it; default `.`).
    #[arg(value_name = "REPO", default_value = ".")]
    repo: PathBuf,
    #[command(flatten)]
    common: CommonArgs,
    #[command(flatten)]
    output: OutputArgs,
    /// Scan only the history of this ref (repeatable); default: every ref.
    #[arg(long, value_name = "REF")]
    branch: Vec<String>,
    /// Scan only the commits of a range, as `git log` takes it (`v1..v2`).
    #[arg(long, value_name = "RANGE")]
    range: Vec<String>,
    /// Only commits more recent than this date (as `git log --since`).
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// At most this many commits, newest first.
    #[arg(long, value_name = "N")]
    max_commits: Option<u64>,
    /// Also report findings in objects no ref reaches (dropped commits,
    /// stale stashes), which are scanned anyway.
    #[arg(long)]
    all_objects: bool,
    /// Accept a shallow or partial clone: report it as a warning, not as an
    /// incomplete scan (exit 3).
    #[arg(long)]
    allow_shallow: bool,
    /// Skip blobs larger than this many megabytes (10^6 bytes); 0 = no limit.
    #[arg(
        long,
        value_name = "MB",
        default_value_t = 0,
        alias = "max-target-megabytes"
    )]
    max_file_size: u64,
    /// Worker threads (default: number of cores).
    #[arg(long, short = 'j', value_name = "N")]
    threads: Option<usize>,
    /// Gitleaks' spelling of REPO.
    #[arg(
        long,
        short = 's',
        value_name = "REPO",
        help_heading = "Gitleaks compatibility"
    )]
    source: Option<PathBuf>,
    /// Gitleaks' `git log` options, mapped to leaktrap's scoping: `--all`,
    /// revisions and ranges (`A..B`), `--since`/`--after`, `-n`/`--max-count`.
    /// Anything else is an error.
    #[arg(
        long,
        value_name = "OPTS",
        allow_hyphen_values = true,
        help_heading = "Gitleaks compatibility"
    )]
    log_opts: Option<String>,
    /// With --pre-commit: scan what the next commit would add (as `leaktrap
    /// staged`).
    #[arg(long, help_heading = "Gitleaks compatibility")]
    staged: bool,
    /// Gitleaks' pre-commit scan; leaktrap supports it with --staged.
    #[arg(long, help_heading = "Gitleaks compatibility")]
    pre_commit: bool,
}

/// Secrets to trace.
#[derive(Args)]
struct TraceArgs {
    /// The repository (any directory inside it; default `.`).
    #[arg(value_name = "REPO", default_value = ".")]
    repo: PathBuf,
    /// Read the secrets from this file (one per line) instead of stdin.
    #[arg(long, value_name = "FILE")]
    secret_file: Option<PathBuf>,
    /// Trace findings of this leaktrap JSON report (`--format json -r FILE`)
    /// instead of secrets from stdin: each secret is recovered by scanning
    /// again what the finding points at, matched by rule and fingerprint.
    #[arg(long, value_name = "FILE", requires = "finding")]
    from_report: Option<PathBuf>,
    /// With --from-report: which findings, by number (from 1, in the
    /// report's order), by fingerprint (or a unique prefix of 12+ hex
    /// digits), or `all`. Repeatable.
    #[arg(long, value_name = "ID", requires = "from_report")]
    finding: Vec<String>,
    /// Write `git filter-repo --replace-text` expressions here (mode 0600:
    /// the file holds the secrets).
    #[arg(long, value_name = "FILE")]
    purge_file: Option<PathBuf>,
    /// Print JSON (schema `leaktrap.trace` v1) instead of text.
    #[arg(long)]
    json: bool,
    /// Worker threads (default: number of cores).
    #[arg(long, short = 'j', value_name = "N")]
    threads: Option<usize>,
}

/// What a push would send.
#[derive(Args)]
struct PushArgs {
    /// The remote's name, as git passes it to the pre-push hook.
    #[arg(value_name = "REMOTE")]
    remote: Option<String>,
    /// The remote's URL, as git passes it (unused; accepted for the hook).
    #[arg(value_name = "URL")]
    url: Option<String>,
    #[command(flatten)]
    common: CommonArgs,
    #[command(flatten)]
    output: OutputArgs,
    /// Worker threads (default: number of cores).
    #[arg(long, short = 'j', value_name = "N")]
    threads: Option<usize>,
}

/// How findings are shown, and the exit code for them.
#[derive(Args)]
struct OutputArgs {
    /// Report format [default: from --report-path's extension, else text].
    #[arg(long, value_enum, conflicts_with = "report_format")]
    format: Option<Format>,
    /// Report format as Gitleaks' `-f` means it: `json` is Gitleaks' report
    /// shape (= `--format gitleaks-json`); any other name as --format.
    #[arg(long, short = 'f', value_name = "FORMAT",
          value_parser = gitleaks_cli::parse_report_format)]
    report_format: Option<Format>,
    /// Write the report to FILE (atomically, and also when nothing is found);
    /// `-` is stdout. Findings are then also shown as text on stdout.
    #[arg(long, short = 'r', value_name = "FILE")]
    report_path: Option<PathBuf>,
    /// Show secrets in full. Output will contain live credentials.
    #[arg(long, conflicts_with = "redact")]
    show_secrets: bool,
    /// Hide N percent of each secret instead of the default mask
    /// (Gitleaks' semantics; bare flag = 100).
    #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "100",
          require_equals = true, value_parser = clap::value_parser!(u8).range(0..=100))]
    redact: Option<u8>,
    /// Exit code to use when there are findings.
    #[arg(long, value_name = "N", default_value_t = 1)]
    exit_code: u8,
    /// When to colour output.
    #[arg(long, value_enum, default_value_t = term::ColorChoice::Auto)]
    color: term::ColorChoice,
    /// No summary on stderr and no progress.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Do not report findings listed in this baseline file (see `leaktrap
    /// baseline`); warn about its stale and expired entries.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// With --baseline: exit 1 if an entry matched nothing or has expired
    /// (when there is no finding and the scan is complete).
    #[arg(long, requires = "baseline")]
    fail_on_stale: bool,
    /// Also write an evidence record to FILE (JSON, docs/evidence.md): what
    /// was scanned, with which rules and config, what was skipped and
    /// suppressed, the verdict, and the digest of the report file. Check it
    /// later with `leaktrap evidence verify FILE`.
    #[arg(long, value_name = "FILE")]
    evidence: Option<PathBuf>,
    /// A Gitleaks JSON report: its findings are not reported.
    #[arg(
        long,
        short = 'b',
        value_name = "FILE",
        help_heading = "Gitleaks compatibility"
    )]
    baseline_path: Option<PathBuf>,
    /// A `.gitleaksignore` file, or a directory holding one, read besides
    /// the one at the repository root.
    #[arg(
        long,
        short = 'i',
        value_name = "PATH",
        help_heading = "Gitleaks compatibility"
    )]
    gitleaks_ignore_path: Option<PathBuf>,
    /// Accepted for Gitleaks' command lines; leaktrap prints no banner.
    #[arg(long, help_heading = "Gitleaks compatibility")]
    no_banner: bool,
    /// Accepted for Gitleaks' command lines: findings are always shown.
    #[arg(long, short = 'v', help_heading = "Gitleaks compatibility")]
    verbose: bool,
    /// Gitleaks' log level: `error` and `fatal` act as --quiet; others are
    /// accepted.
    #[arg(long, short = 'l', value_name = "LEVEL", help_heading = "Gitleaks compatibility",
          value_parser = ["trace", "debug", "info", "warn", "error", "fatal"])]
    log_level: Option<String>,
}

impl OutputArgs {
    /// The defaults, quiet: for scans whose findings are not reported.
    fn quiet() -> Self {
        OutputArgs {
            format: None,
            report_format: None,
            report_path: None,
            show_secrets: false,
            redact: None,
            exit_code: 1,
            color: term::ColorChoice::Auto,
            quiet: true,
            baseline: None,
            fail_on_stale: false,
            evidence: None,
            baseline_path: None,
            gitleaks_ignore_path: None,
            no_banner: false,
            verbose: false,
            log_level: None,
        }
    }

    /// No summary and no progress: `--quiet`, or Gitleaks' `-l error`.
    fn is_quiet(&self) -> bool {
        self.quiet || matches!(self.log_level.as_deref(), Some("error" | "fatal"))
    }
}

/// Report formats (docs/formats.md).
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Masked findings for people.
    Text,
    /// leaktrap's versioned JSON report (docs/json-report.md).
    Json,
    /// One JSON object per finding per line, then a summary line.
    Jsonl,
    /// A header row, then one row per finding.
    Csv,
    /// JUnit XML, for CI test-report views (GitLab, Jenkins).
    Junit,
    /// GitHub Actions annotations (workflow commands).
    Github,
    /// A Markdown summary, for $GITHUB_STEP_SUMMARY or a pull request comment.
    Markdown,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// Gitleaks' JSON report shape (what Gitleaks' `-f json` writes).
    GitleaksJson,
}

#[derive(Subcommand)]
enum RulesCommand {
    /// List the rules in force (built-in plus config).
    List {
        #[command(flatten)]
        common: CommonArgs,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Check rule files: schema, regexes, and every example and negative example.
    Check {
        /// Rule files in the rules/ format.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Also require keywords, examples and negative examples (as for built-ins).
        #[arg(long)]
        strict: bool,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print the effective configuration and where it came from.
    Show {
        #[command(flatten)]
        common: CommonArgs,
        /// Directory whose repository config to show (default `.`).
        #[arg(default_value = ".")]
        path: PathBuf,
    },
}

/// Exit codes, as documented in `--help`.
pub(crate) mod exit {
    pub const CLEAN: u8 = 0;
    pub const ERROR: u8 = 2;
    pub const INCOMPLETE: u8 = 3;
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::ERROR
            } else {
                exit::CLEAN
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Scan(a) => cmd_scan::run(a),
        Command::Staged(a) => cmd_staged::run(a),
        Command::Git(a) => gitleaks_cli::git(a),
        Command::Push(a) => cmd_git::run_push(a),
        Command::Trace(a) => cmd_trace::run(a),
        Command::Rules(RulesCommand::List { common, json }) => cmd_rules::list(&common, json),
        Command::Rules(RulesCommand::Check { files, strict }) => cmd_rules::check(&files, strict),
        Command::Config(ConfigCommand::Show { common, path }) => cmd_config::show(&common, &path),
        Command::Hook(c) => cmd_hook::run(c),
        Command::Baseline(c) => baseline::run(c),
        Command::Evidence(EvidenceCommand::Verify { file, repo }) => {
            evidence::verify(&file, repo.as_deref())
        }
        Command::Dir(a) => gitleaks_cli::dir(a),
        Command::Stdin(a) => gitleaks_cli::stdin(a),
        Command::Detect(a) => gitleaks_cli::detect(a),
        Command::Protect(a) => gitleaks_cli::protect(a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("leaktrap: error: {e:#}");
            ExitCode::from(exit::ERROR)
        }
    }
}
