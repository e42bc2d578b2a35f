//! Writing a scan's outcome: the report on stdout, the summary on stderr,
//! the exit code.

use crate::term::{self, human_bytes};
use crate::{exit, Format, OutputArgs};
use anyhow::{Context, Result};
use leaktrap_core::{Redaction, Verdict};
use leaktrap_report::{Json, Report, Reporter, Text};
use leaktrap_scan::Outcome;
use std::io::{IsTerminal, Write};
use std::time::Instant;

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

/// Writes the report and the summary and returns the exit code.
///
/// # Errors
/// stdout could not be written.
pub fn finish(outcome: &Outcome, args: &OutputArgs, started: Instant, mode: Mode) -> Result<u8> {
    let report = Report {
        tool_version: env!("CARGO_PKG_VERSION"),
        findings: &outcome.findings,
        stats: &outcome.stats,
        redaction: redaction(args),
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
    summarize(outcome, verdict, started, args.quiet, mode);
    Ok(match verdict {
        Verdict::Clean => exit::CLEAN,
        Verdict::Findings => args.exit_code,
        Verdict::Incomplete => exit::INCOMPLETE,
    })
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
