//! Git inputs: what a commit would add (the index against `HEAD`).

use git2::{Delta, DiffFindOptions, DiffOptions, FileMode, Index, Oid, Repository};
use leaktrap_core::SkipReason;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// A git operation failed; the message says which and on what.
#[derive(Debug, Error)]
pub enum GitError {
    #[error("{path} is not inside a git repository ({source})")]
    NotARepo { path: String, source: git2::Error },
    #[error("{what}: {source}")]
    Git { what: String, source: git2::Error },
}

fn git(what: impl Into<String>) -> impl FnOnce(git2::Error) -> GitError {
    let what = what.into();
    move |source| GitError::Git { what, source }
}

/// One staged file whose content is new or changed.
#[derive(Debug, Clone)]
pub struct StagedFile {
    /// Path in the repository, `/`-separated.
    pub path: String,
    /// The staged blob.
    pub oid: Oid,
    /// 1-based, inclusive line ranges that the commit adds or changes.
    pub added: Vec<(u64, u64)>,
}

/// What `git commit` would record, as far as new content goes.
#[derive(Debug, Default)]
pub struct Staged {
    /// Repository work tree (or git dir for a bare repository).
    pub root: PathBuf,
    pub files: Vec<StagedFile>,
    /// Staged entries not scanned, with the reason.
    pub skipped: Vec<(String, SkipReason)>,
    /// Whether `HEAD` has no commit yet.
    pub unborn: bool,
}

/// Opens the repository that contains `path`, honouring `GIT_DIR`, and the
/// index git would commit from, honouring `GIT_INDEX_FILE` (set by
/// `git commit -a` and `git commit <paths>` to a temporary index).
///
/// # Errors
/// Not a repository, or the index cannot be read.
pub fn open_staged(path: &Path) -> Result<(Repository, Index), GitError> {
    let repo = if std::env::var_os("GIT_DIR").is_some() {
        Repository::open_from_env()
    } else {
        Repository::discover(path)
    }
    .map_err(|source| GitError::NotARepo {
        path: path.display().to_string(),
        source,
    })?;
    let index = match std::env::var_os("GIT_INDEX_FILE") {
        Some(f) if !f.is_empty() => {
            let f = PathBuf::from(f);
            // Git resolves a relative GIT_INDEX_FILE against the directory
            // the command runs in; hooks run at the top of the work tree.
            let f = if f.is_relative() {
                std::env::current_dir().map(|d| d.join(&f)).unwrap_or(f)
            } else {
                f
            };
            Index::open(&f).map_err(git(format!("cannot read GIT_INDEX_FILE {}", f.display())))?
        }
        _ => repo.index().map_err(git("cannot read the index"))?,
    };
    Ok((repo, index))
}

/// The staged changes: every added, modified, renamed or copied file of
/// the index compared with `HEAD` (everything, when `HEAD` is unborn), and
/// for each the line ranges it adds. Deletions add nothing; pure renames
/// and mode changes add no lines; submodules are skipped and counted.
///
/// # Errors
/// Reading `HEAD`, its tree or the index failed.
pub fn staged(repo: &Repository, index: &Index) -> Result<Staged, GitError> {
    let (head_tree, unborn) = match repo.head() {
        Ok(h) => (
            Some(
                h.peel_to_tree()
                    .map_err(git("cannot read the tree of HEAD"))?,
            ),
            false,
        ),
        Err(e)
            if e.code() == git2::ErrorCode::UnbornBranch
                || e.code() == git2::ErrorCode::NotFound =>
        {
            (None, true)
        }
        Err(e) => return Err(git("cannot resolve HEAD")(e)),
    };
    let mut opts = DiffOptions::new();
    opts.context_lines(0)
        .ignore_submodules(false)
        .include_typechange(true)
        .force_text(true);
    let mut diff = repo
        .diff_tree_to_index(head_tree.as_ref(), Some(index), Some(&mut opts))
        .map_err(git("cannot compare the index with HEAD"))?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true).copies(true)))
        .map_err(git("cannot detect renames"))?;

    let out = RefCell::new(Staged {
        root: repo.workdir().unwrap_or_else(|| repo.path()).to_path_buf(),
        unborn,
        ..Staged::default()
    });
    diff.foreach(
        &mut |delta, _| {
            let new = delta.new_file();
            let path = new
                .path()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let mut o = out.borrow_mut();
            match delta.status() {
                Delta::Deleted | Delta::Unmodified | Delta::Ignored | Delta::Untracked => {}
                _ if new.mode() == FileMode::Commit => {
                    o.skipped.push((path, SkipReason::Submodule))
                }
                _ => o.files.push(StagedFile {
                    path,
                    oid: new.id(),
                    added: Vec::new(),
                }),
            }
            true
        },
        None,
        Some(&mut |delta, hunk| {
            let mut o = out.borrow_mut();
            let new_path = delta
                .new_file()
                .path()
                .map(|p| p.to_string_lossy().replace('\\', "/"));
            if let (Some(f), Some(p)) = (o.files.last_mut(), new_path) {
                if f.path == p && hunk.new_lines() > 0 {
                    let start = u64::from(hunk.new_start());
                    f.added
                        .push((start, start + u64::from(hunk.new_lines()) - 1));
                }
            }
            true
        }),
        None,
    )
    .map_err(git("cannot read the staged diff"))?;
    let mut staged = out.into_inner();
    // A changed file with no added lines (a pure rename, a mode change, a
    // deletion of lines only) brings no new content.
    staged.files.retain(|f| !f.added.is_empty());
    staged.files.sort_by(|a, b| a.path.cmp(&b.path));
    staged.skipped.sort();
    Ok(staged)
}
