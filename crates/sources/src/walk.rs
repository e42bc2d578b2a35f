//! The parallel directory walk.

use ignore::{WalkBuilder, WalkState};
use leaktrap_core::SkipReason;
use std::collections::{HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// How to walk.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Scan everything: ignore files are not honoured.
    pub no_ignore: bool,
    pub follow_symlinks: bool,
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Skip (and count) files larger than this.
    pub max_file_size: Option<u64>,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            no_ignore: false,
            follow_symlinks: false,
            threads: 1,
            max_file_size: None,
        }
    }
}

/// A file to scan.
#[derive(Debug)]
pub struct FileEntry<'a> {
    pub path: &'a Path,
    /// The path as the user named it: `/`-separated, without a leading `./`.
    pub display: String,
    /// The path relative to the walk's base directory, for allowlists.
    pub rel: String,
    pub size: u64,
}

/// What the walk hands a visitor.
#[derive(Debug)]
pub enum Entry<'a> {
    File(FileEntry<'a>),
    /// Not scanned, for this reason.
    Skipped {
        display: String,
        reason: SkipReason,
    },
    /// Could not be read (a directory or file); the scan is incomplete.
    Error {
        display: String,
        message: String,
    },
    /// A problem that loses nothing (a bad pattern in an ignore file).
    Warning {
        display: String,
        message: String,
    },
}

/// What the walk itself counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WalkSummary {
    /// Entries (files or whole directories) excluded by ignore files.
    pub ignored: u64,
    /// Their paths, as entries are displayed, sorted.
    pub ignored_paths: Vec<String>,
}

/// Walks `root` in parallel. `make_visitor` is called once per thread; the
/// visitor it returns receives every entry that thread walks. `base` is the
/// directory that `FileEntry::rel` is relative to.
pub fn walk<F, V>(root: &Path, base: &Path, opts: &WalkOptions, make_visitor: F) -> WalkSummary
where
    F: Fn() -> V + Sync,
    V: FnMut(Entry<'_>) + Send,
{
    let mut b = WalkBuilder::new(root);
    b.hidden(false)
        .parents(!opts.no_ignore)
        .ignore(!opts.no_ignore)
        .git_ignore(!opts.no_ignore)
        .git_global(!opts.no_ignore)
        .git_exclude(!opts.no_ignore)
        .require_git(false)
        .follow_links(opts.follow_symlinks)
        .threads(opts.threads.max(1))
        .filter_entry(|e| e.file_name() != OsStr::new(".git"));
    if !opts.no_ignore {
        b.add_custom_ignore_filename(".leaktrapignore");
        // secretlint's ignore file, same syntax: kept working after a switch.
        b.add_custom_ignore_filename(".secretlintignore");
    }
    let counting = !opts.no_ignore;
    // Where the root sits under `base`, computed once: entries are the root
    // joined with a remainder, so their relative path is this plus that.
    let root_in_base: PathBuf = std::path::absolute(root)
        .ok()
        .and_then(|a| a.strip_prefix(base).ok().map(Path::to_path_buf))
        .unwrap_or_default();
    let root_in_base = &root_in_base;
    // Per directory: the children the walk yielded. Directories the walk
    // entered but yielded nothing from still appear (with none).
    let yielded: Mutex<HashMap<PathBuf, Names>> = Mutex::new(HashMap::new());
    let max = opts.max_file_size;
    b.build_parallel().run(|| {
        let mut visit = make_visitor();
        let mut guard = FlushOnDrop {
            local: HashMap::new(),
            shared: &yielded,
        };
        Box::new(move |res| {
            match res {
                Ok(ent) => {
                    let path = ent.path();
                    if counting && ent.depth() > 0 {
                        if let (Some(parent), Some(name)) = (path.parent(), path.file_name()) {
                            guard
                                .local
                                .entry(parent.to_path_buf())
                                .or_default()
                                .insert(name.to_os_string());
                        }
                    }
                    let display = display_path(path);
                    let Some(ft) = ent.file_type() else {
                        // stdin is the only entry without a type; not walked here.
                        return WalkState::Continue;
                    };
                    if ft.is_dir() {
                        if counting {
                            guard.local.entry(path.to_path_buf()).or_default();
                        }
                    } else if ft.is_symlink() {
                        visit(Entry::Skipped {
                            display,
                            reason: SkipReason::Symlink,
                        });
                    } else if !ft.is_file() {
                        visit(Entry::Skipped {
                            display,
                            reason: SkipReason::Special,
                        });
                    } else {
                        match ent.metadata() {
                            Err(e) => visit(Entry::Error {
                                display,
                                message: e.to_string(),
                            }),
                            Ok(md) => {
                                let size = md.len();
                                if max.is_some_and(|m| size > m) {
                                    visit(Entry::Skipped {
                                        display,
                                        reason: SkipReason::TooLarge,
                                    });
                                } else {
                                    let rel = rel_path(path, root, root_in_base);
                                    visit(Entry::File(FileEntry {
                                        path,
                                        display,
                                        rel,
                                        size,
                                    }));
                                }
                            }
                        }
                    }
                }
                Err(err) => {
                    let (path, io) = error_path(&err);
                    let display = path.map_or_else(|| display_path(root), display_path);
                    let message = strip_path_prefix(&err.to_string());
                    if io {
                        visit(Entry::Error { display, message });
                    } else {
                        visit(Entry::Warning { display, message });
                    }
                }
            }
            WalkState::Continue
        })
    });
    let yielded = yielded.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut ignored_paths = Vec::new();
    if counting {
        for (dir, seen) in &yielded {
            if let Ok(rd) = std::fs::read_dir(dir) {
                for e in rd.filter_map(Result::ok) {
                    let name = e.file_name();
                    if name != OsStr::new(".git") && !seen.contains(&name) {
                        ignored_paths.push(display_path(&dir.join(name)));
                    }
                }
            }
        }
    }
    ignored_paths.sort();
    WalkSummary {
        ignored: ignored_paths.len() as u64,
        ignored_paths,
    }
}

/// The names of a directory's children.
type Names = HashSet<OsString>;

/// Moves a thread's per-directory counts into the shared map when the
/// thread's visitor is dropped at the end of the walk.
struct FlushOnDrop<'a> {
    local: HashMap<PathBuf, Names>,
    shared: &'a Mutex<HashMap<PathBuf, Names>>,
}

impl Drop for FlushOnDrop<'_> {
    fn drop(&mut self) {
        let mut shared = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        for (k, v) in self.local.drain() {
            shared.entry(k).or_default().extend(v);
        }
    }
}

/// `/`-separated, lossy for names that are not UTF-8, without `./`.
pub(crate) fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s);
    if std::path::MAIN_SEPARATOR == '\\' {
        s.replace('\\', "/")
    } else {
        s.to_string()
    }
}

fn rel_path(path: &Path, root: &Path, root_in_base: &Path) -> String {
    let rest = path.strip_prefix(root).unwrap_or(path);
    let rel = if rest.as_os_str().is_empty() {
        root_in_base.to_path_buf()
    } else {
        root_in_base.join(rest)
    };
    if rel.as_os_str().is_empty() {
        display_path(path.file_name().map_or(path, Path::new))
    } else {
        display_path(&rel)
    }
}

/// The path an `ignore` error is about, and whether it is an I/O error (the
/// entry could not be read) rather than a bad ignore pattern.
fn error_path(err: &ignore::Error) -> (Option<&Path>, bool) {
    match err {
        ignore::Error::WithPath { path, err } => (Some(path.as_path()), error_path(err).1),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Io(_) | ignore::Error::Loop { .. } => (None, true),
        ignore::Error::Partial(errs) => {
            let io = errs.iter().any(|e| error_path(e).1);
            (errs.first().and_then(|e| error_path(e).0), io)
        }
        _ => (None, false),
    }
}

/// `ignore` errors read "path: message"; we print the path ourselves.
fn strip_path_prefix(msg: &str) -> String {
    match msg.split_once(": ") {
        Some((head, tail)) if head.contains('/') || head.contains('.') => tail.to_string(),
        _ => msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn collect(
        root: &Path,
        opts: &WalkOptions,
    ) -> (Vec<String>, Vec<(String, SkipReason)>, WalkSummary) {
        let files = Mutex::new(Vec::new());
        let skips = Mutex::new(Vec::new());
        let sum = walk(root, root, opts, || {
            |e: Entry<'_>| match e {
                Entry::File(f) => files.lock().unwrap().push(f.rel),
                Entry::Skipped { display, reason } => skips.lock().unwrap().push((display, reason)),
                _ => {}
            }
        });
        let mut f = files.into_inner().unwrap();
        f.sort();
        let mut s = skips.into_inner().unwrap();
        s.sort();
        (f, s, sum)
    }

    #[test]
    fn honours_ignore_files_includes_dotfiles_skips_git() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        fs::create_dir_all(r.join(".git/objects")).unwrap();
        fs::write(r.join(".git/config"), "x").unwrap();
        fs::create_dir_all(r.join("build")).unwrap();
        fs::write(r.join("build/out.txt"), "x").unwrap();
        fs::write(r.join(".gitignore"), "build/\n*.log\n").unwrap();
        fs::write(r.join(".leaktrapignore"), "fixtures.txt\n").unwrap();
        fs::write(r.join("a.log"), "x").unwrap();
        fs::write(r.join("fixtures.txt"), "x").unwrap();
        fs::write(r.join(".secretlintignore"), "# secretlint's\n/vendor.js\n").unwrap();
        fs::write(r.join("vendor.js"), "x").unwrap();
        fs::write(r.join(".env"), "x").unwrap();
        fs::create_dir_all(r.join(".github")).unwrap();
        fs::write(r.join(".github/ci.yml"), "x").unwrap();
        let (files, _, sum) = collect(r, &WalkOptions::default());
        assert_eq!(
            files,
            vec![
                ".env",
                ".github/ci.yml",
                ".gitignore",
                ".leaktrapignore",
                ".secretlintignore"
            ]
        );
        assert_eq!(sum.ignored, 4, "build/, a.log, fixtures.txt, vendor.js");
        let root = display_path(r);
        let names: Vec<&str> = sum
            .ignored_paths
            .iter()
            .map(|p| p.strip_prefix(&root).unwrap().trim_start_matches('/'))
            .collect();
        assert_eq!(names, vec!["a.log", "build", "fixtures.txt", "vendor.js"]);
        let all = WalkOptions {
            no_ignore: true,
            ..Default::default()
        };
        let (files, _, sum) = collect(r, &all);
        assert_eq!(files.len(), 9, "{files:?}");
        assert!(files.iter().all(|f| !f.starts_with(".git/")));
        assert_eq!(sum.ignored, 0);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_skipped_unless_followed_and_size_limit_counts() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        fs::write(r.join("real.txt"), "hello").unwrap();
        fs::write(r.join("big.txt"), vec![b'x'; 100]).unwrap();
        std::os::unix::fs::symlink(r.join("real.txt"), r.join("link.txt")).unwrap();
        let opts = WalkOptions {
            max_file_size: Some(50),
            ..Default::default()
        };
        let (files, skips, _) = collect(r, &opts);
        assert_eq!(files, vec!["real.txt"]);
        let reasons: Vec<SkipReason> = skips.iter().map(|s| s.1).collect();
        assert_eq!(reasons, vec![SkipReason::TooLarge, SkipReason::Symlink]);
        let follow = WalkOptions {
            follow_symlinks: true,
            ..Default::default()
        };
        let (files, _, _) = collect(r, &follow);
        assert_eq!(files, vec!["big.txt", "link.txt", "real.txt"]);
    }
}
