//! `leaktrap staged` and the pre-commit hook, over repositories built with
//! the git CLI (fixed identities and dates, no global or system config).

use super::{gh_token, leaktrap, write};
use serde_json::Value;
use std::path::Path;
use std::process::Command as Std;

/// Runs git in `dir` with a fixed identity and date, isolated from the
/// machine's configuration. Panics (with git's stderr) if git fails.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_cmd(dir).args(args).output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn git_cmd(dir: &Path) -> Std {
    let mut c = Std::new("git");
    c.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ada Tester")
        .env("GIT_AUTHOR_EMAIL", "ada@example.invalid")
        .env("GIT_AUTHOR_DATE", "2026-01-02T03:04:05Z")
        .env("GIT_COMMITTER_NAME", "Ada Tester")
        .env("GIT_COMMITTER_EMAIL", "ada@example.invalid")
        .env("GIT_COMMITTER_DATE", "2026-01-02T03:04:05Z");
    c
}

pub fn init_repo(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["config", "commit.gpgsign", "false"]);
}

/// Commits what is staged (empty allowed) at a fixed date, `at` seconds
/// after 2026-01-01T00:00:00Z; returns the new commit's id.
pub fn commit_at(dir: &Path, msg: &str, at: u32) -> String {
    let when = format!("@{} +0000", 1_767_225_600 + u64::from(at));
    let out = git_cmd(dir)
        .args(["commit", "-q", "--allow-empty", "-m", msg])
        .env("GIT_AUTHOR_DATE", &when)
        .env("GIT_COMMITTER_DATE", &when)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    git(dir, &["rev-parse", "HEAD"]).trim().to_string()
}

/// Writes `rel`, stages everything and commits it with [`commit_at`].
pub fn put(dir: &Path, rel: &str, content: &str, msg: &str, at: u32) -> String {
    super::write(dir, rel, content);
    git(dir, &["add", "-A"]);
    commit_at(dir, msg, at)
}

/// Runs `staged --format json` twice, through git's plumbing and through
/// libgit2 alone (`LEAKTRAP_GIT_CLI=0`), checks that both agree, and
/// returns (exit code, report, stderr).
fn staged_json(dir: &Path, extra: &[&str], envs: &[(&str, &str)]) -> (i32, Value, String) {
    let run = |cli: &str| {
        let mut c = leaktrap();
        c.current_dir(dir)
            .args(["staged", "--format", "json"])
            .args(extra)
            .env("LEAKTRAP_GIT_CLI", cli);
        for (k, v) in envs {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let out = run("1");
    let alt = run("0");
    assert_eq!(
        (out.status.code(), &out.stdout),
        (alt.status.code(), &alt.stdout),
        "git plumbing and libgit2 disagree; stderr: {}",
        String::from_utf8_lossy(&alt.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}); stderr: {stderr}"));
    (out.status.code().unwrap(), v, stderr)
}

fn found(v: &Value) -> Vec<(String, u64)> {
    super::path_lines(v)
}

#[test]
fn first_commit_on_an_unborn_head_is_scanned() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    write(
        r,
        "app/config.py",
        format!("DEBUG = True\nTOKEN = \"{}\"\n", gh_token(200)),
    );
    git(r, &["add", "."]);
    let (code, v, err) = staged_json(r, &[], &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(found(&v), vec![("app/config.py".into(), 2)]);
    assert!(
        err.contains("commit blocked") && err.contains("--no-verify"),
        "{err}"
    );
    assert!(!err.contains(&gh_token(200)));
}

#[test]
fn the_index_is_scanned_not_the_working_tree() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    write(r, "a.txt", "hello\n");
    git(r, &["add", "."]);
    git(r, &["commit", "-qm", "init"]);
    // A secret only in the working tree (not staged) does not block...
    write(r, "a.txt", format!("hello\n{}\n", gh_token(201)));
    let (code, v, _) = staged_json(r, &[], &[]);
    assert_eq!((code, found(&v).len()), (0, 0));
    // ...a staged secret blocks even after the working tree is cleaned.
    git(r, &["add", "a.txt"]);
    write(r, "a.txt", "hello\n");
    let (code, v, _) = staged_json(r, &[], &[]);
    assert_eq!(code, 1);
    assert_eq!(found(&v), vec![("a.txt".into(), 2)]);
}

#[test]
fn only_added_lines_count_unless_all_lines() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    write(r, "settings.env", format!("OLD={}\nA=1\n", gh_token(202)));
    git(r, &["add", "."]);
    git(
        r,
        &["commit", "-qm", "old secret, committed before leaktrap"],
    );
    write(
        r,
        "settings.env",
        format!("OLD={}\nA=1\nB=2\n", gh_token(202)),
    );
    git(r, &["add", "."]);
    let (code, v, err) = staged_json(r, &[], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["stats"]["outside_changes"], 1);
    assert!(err.contains("1 on unchanged lines"), "{err}");
    let (code, v, _) = staged_json(r, &["--all-lines"], &[]);
    assert_eq!(code, 1);
    assert_eq!(found(&v), vec![("settings.env".into(), 1)]);
}

#[test]
fn git_index_file_is_honoured() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    write(r, "a.txt", "clean\n");
    git(r, &["add", "."]);
    git(r, &["commit", "-qm", "init"]);
    write(r, "a.txt", format!("clean\n{}\n", gh_token(203)));
    // As `git commit -a` does: a temporary index holding the change.
    let tmp_index = r.join(".git/tmp-index");
    git(r, &["read-tree", "--index-output=.git/tmp-index", "HEAD"]);
    let out = git_cmd(r)
        .env("GIT_INDEX_FILE", &tmp_index)
        .args(["add", "a.txt"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let (code, _, _) = staged_json(r, &[], &[]);
    assert_eq!(code, 0, "the default index has nothing staged");
    let (code, v, _) = staged_json(r, &[], &[("GIT_INDEX_FILE", tmp_index.to_str().unwrap())]);
    assert_eq!(code, 1);
    assert_eq!(found(&v), vec![("a.txt".into(), 2)]);
}

#[test]
fn renames_deletions_binaries_and_submodules() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    write(r, "old/name.txt", format!("x\n{}\n", gh_token(204)));
    write(r, "gone.txt", format!("{}\n", gh_token(205)));
    git(r, &["add", "."]);
    git(r, &["commit", "-qm", "before"]);
    git(r, &["mv", "old/name.txt", "new-name.txt"]);
    git(r, &["rm", "-q", "gone.txt"]);
    let mut bin = b"\0\x01\x02".to_vec();
    bin.extend_from_slice(gh_token(206).as_bytes());
    write(r, "blob.bin", bin);
    git(r, &["add", "blob.bin"]);
    // Two new files with the same content: one blob, two paths, both scanned.
    write(r, "twin-a.txt", "nothing secret\n");
    write(r, "twin-b.txt", "nothing secret\n");
    git(r, &["add", "twin-a.txt", "twin-b.txt"]);
    let head = git(r, &["rev-parse", "HEAD"]);
    let cacheinfo = format!("160000,{},vendor/sub", head.trim());
    git(r, &["update-index", "--add", "--cacheinfo", &cacheinfo]);
    let (code, v, err) = staged_json(r, &[], &[]);
    assert_eq!(
        code, 0,
        "a pure rename adds nothing, a deletion adds nothing: {err}"
    );
    assert_eq!(v["stats"]["skipped"]["binary"], 1, "{v}");
    assert_eq!(v["stats"]["skipped"]["submodule"], 1, "{v}");
    assert_eq!(v["stats"]["files_scanned"], 2, "{v}");
}

#[test]
fn a_multi_line_key_is_seen_whole_when_one_line_changes() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    // A key body generated here; only the END line is added by the commit.
    let body: String = (0..12)
        .map(|i| format!("{}\n", super::b64_line(300 + i)))
        .collect();
    write(
        r,
        "id_rsa",
        format!("-----BEGIN RSA PRIVATE KEY-----\n{body}"),
    );
    git(r, &["add", "."]);
    git(r, &["commit", "-qm", "half a key"]);
    write(
        r,
        "id_rsa",
        format!("-----BEGIN RSA PRIVATE KEY-----\n{body}-----END RSA PRIVATE KEY-----\n"),
    );
    git(r, &["add", "."]);
    let (code, v, err) = staged_json(r, &[], &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(v["findings"][0]["rule_id"], "private-key.rsa");
}

#[test]
fn outside_a_repository_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    let out = leaktrap()
        .current_dir(d.path())
        .arg("staged")
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("not inside a git repository"), "{err}");
}

#[cfg(unix)]
#[test]
fn the_pre_commit_hook_blocks_and_fails_closed() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    let hooks = Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks");
    git(r, &["config", "core.hooksPath", hooks.to_str().unwrap()]);
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_leaktrap"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let commit = |msg: &str, path: &str| {
        git_cmd(r)
            .env("PATH", path)
            .args(["commit", "-qm", msg])
            .output()
            .unwrap()
    };

    write(r, "ok.txt", "fine\n");
    git(r, &["add", "."]);
    let out = commit("clean", &path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    write(r, "leak.txt", format!("{}\n", gh_token(207)));
    git(r, &["add", "."]);
    let out = commit("leak", &path);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "the commit must be blocked");
    assert!(
        err.contains("leak.txt:1:1") && err.contains("commit blocked"),
        "{err}"
    );
    assert!(
        !err.contains(&gh_token(207)),
        "the hook must not print the secret"
    );
    assert_eq!(git(r, &["rev-list", "--count", "HEAD"]).trim(), "1");

    // Without the binary the hook refuses rather than letting secrets by.
    let out = commit("leak", "/usr/bin:/bin");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success());
    assert!(err.contains("not found"), "{err}");
}
