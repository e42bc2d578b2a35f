//! Inputs of leaktrap: decides *what bytes exist and where they came from*.
//!
//! - [`walk`]: a parallel directory walk (the `ignore` crate) that honours
//!   `.gitignore`, `.ignore`, `.leaktrapignore` and `.secretlintignore`
//!   unless told not to, includes dotfiles, skips `.git`, does not follow
//!   symlinks unless asked, and reports every entry it did not hand over,
//!   with the reason.
//! - [`staged`]: what a commit would add: the index (honouring
//!   `GIT_INDEX_FILE`) against `HEAD`, with the line ranges that are new.
//! - [`Git`]: history through git's plumbing — every blob in pack order,
//!   which commit introduced which blob at which path (`git log --raw -c`),
//!   commit and tag messages, and blob content from `git cat-file --batch`.
//! - [`read_file`] and [`read_stream`]: content in chunks of bounded size, so a
//!   multi-gigabyte file or an endless pipe never has to fit in memory.
//!
//! It must not know about rules, findings or output.

mod git;
mod history;
mod read;
mod walk;

pub use git::{open_repo, staged, GitError, Staged, StagedFile};
pub use history::{
    civil_from_days, parse_tag, read_objects, rfc3339_utc, BlobRef, CatFile, Changes, CommitMeta,
    Git, HistoryError, Intro, Merges, Object,
};
pub use read::{
    is_binary, read_file, read_stream, Chunk, FileContent, CHUNK_OVERLAP, CHUNK_SIZE,
    WHOLE_FILE_LIMIT,
};
pub use walk::{walk, Entry, FileEntry, WalkOptions, WalkSummary};
