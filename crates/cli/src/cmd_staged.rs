//! `leaktrap staged`: what the next commit would add.

use crate::output::{self, Mode};
use crate::{discover, StagedArgs};
use anyhow::Result;
use leaktrap_core::SkipReason;
use leaktrap_scan::{Outcome, Worker};
use leaktrap_sources::{is_binary, open_repo, staged};
use std::time::Instant;

pub fn run(args: StagedArgs) -> Result<u8> {
    let started = Instant::now();
    output::check(&args.output)?;
    if args.output.evidence.is_some() {
        crate::evidence::want("staged");
    }
    let cwd = std::env::current_dir()?;
    let repo = open_repo(&cwd)?;
    let changes = staged(&repo)?;
    crate::evidence::note_repository_at(&changes.root);
    crate::evidence::note_option("all_lines", args.all_lines);
    let (_config, set) = discover::load_rules(&args.common, &changes.root)?;
    let engine = discover::engine(&args.common, &set)?;
    let mut w = Worker::new(&engine, None);
    let ignore = leaktrapignore(&changes.root, w.stats_mut());
    for (path, reason) in &changes.skipped {
        w.stats_mut().skip(*reason, path.as_str());
    }
    for f in &changes.files {
        if ignore
            .matched_path_or_any_parents(&f.path, false)
            .is_ignore()
        {
            w.stats_mut().skip(SkipReason::Ignored, f.path.as_str());
            continue;
        }
        if engine.path_allowlisted(&f.path) {
            w.stats_mut()
                .skip(SkipReason::AllowlistedPath, f.path.as_str());
            continue;
        }
        let blob;
        let data: &[u8] = if let Some(c) = &f.content {
            c
        } else {
            blob = match repo.find_blob(f.oid) {
                Ok(b) => b,
                Err(e) => {
                    w.stats_mut().error(
                        &f.path,
                        format!("cannot read staged blob {}: {}", f.oid, e.message()),
                    );
                    continue;
                }
            };
            blob.content()
        };
        if is_binary(data) {
            w.stats_mut().skip(SkipReason::Binary, f.path.as_str());
            continue;
        }
        // The whole staged file is scanned, so a multi-line key is seen
        // whole; only what touches an added line is reported.
        w.begin(&f.path, Some(&f.path));
        if !args.all_lines {
            w.set_focus(f.added.clone());
        }
        w.chunk(data, 0);
        w.end();
    }
    let outcome = Outcome::merge([w.finish()]);
    // The staged content, for SARIF's line hashes: what was scanned, not
    // the working tree.
    let blobs = output::RepoArtifacts {
        root: changes.root.clone(),
        content: |f: &leaktrap_core::Finding| {
            let s = changes.files.iter().find(|s| s.path == f.path)?;
            match &s.content {
                Some(c) => Some(c.clone()),
                None => repo.find_blob(s.oid).ok().map(|b| b.content().to_vec()),
            }
        },
    };
    output::finish(
        &outcome,
        &args.output,
        started,
        Mode::Staged,
        &blobs,
        &changes.root,
        &[std::path::PathBuf::from(".")],
    )
}

/// `.leaktrapignore` (and secretlint's `.secretlintignore`) at the
/// repository root, for committed content (staged
/// files, history). `.gitignore` does not apply: a tracked file is tracked,
/// whatever it says. A bad line is a warning (it can only make the scan
/// cover more).
pub(crate) fn leaktrapignore(
    root: &std::path::Path,
    stats: &mut leaktrap_core::ScanStats,
) -> ignore::gitignore::Gitignore {
    let mut b = ignore::gitignore::GitignoreBuilder::new(root);
    // secretlint's ignore file has the same syntax: it keeps working after
    // a switch.
    for name in [".leaktrapignore", ".secretlintignore"] {
        let path = root.join(name);
        if path.is_file() {
            if let Some(e) = b.add(&path) {
                stats.warn(name, e.to_string());
            }
        }
    }
    b.build().unwrap_or_else(|e| {
        stats.warn(".leaktrapignore", e.to_string());
        ignore::gitignore::Gitignore::empty()
    })
}
