//! `leaktrap hook install|uninstall|status` and the hook shims, with real
//! `git commit` and `git push` runs over repositories built with the git CLI
//! (fixed identities and dates, no global or system config).

use super::staged::{git, git_cmd, init_repo};
use super::{gh_token, write};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command as Std, Output};

const MARKER: &str = "# leaktrap-managed hook v1";

fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_leaktrap"))
}

/// PATH with the built binary's directory first.
fn path_with_leaktrap() -> String {
    format!(
        "{}:{}",
        bin().parent().unwrap().display(),
        path_without_leaktrap()
    )
}

/// PATH without any directory that holds a `leaktrap` (git and sh stay).
fn path_without_leaktrap() -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|d| !d.join("leaktrap").exists())
        .collect();
    std::env::join_paths(dirs).unwrap().into_string().unwrap()
}

/// `<exe> hook <args>` in `dir`, isolated from the machine's git config.
fn hook_with(exe: &Path, dir: &Path, args: &[&str]) -> Output {
    Std::new(exe)
        .current_dir(dir)
        .arg("hook")
        .args(args)
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("NO_COLOR", "1")
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("GIT_DIR")
        .env_remove("LEAKTRAP_CONFIG")
        .output()
        .unwrap()
}

/// `leaktrap hook <args>` in `dir`; asserts the exit code, returns stdout.
fn hook(dir: &Path, args: &[&str], code: i32) -> String {
    let out = hook_with(bin(), dir, args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(code),
        "hook {args:?}: stdout {stdout}\nstderr {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A copy of the binary in a directory of its own (a hard link when it
/// can), so a test can install from it and then delete or replace it.
/// Always remove the file before writing another in its place: a hard
/// link shares its content with the real binary.
fn installer() -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let exe = d.path().join("leaktrap");
    if fs::hard_link(bin(), &exe).is_err() {
        fs::copy(bin(), &exe).unwrap();
    }
    (d, exe)
}

fn set_script(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    let _ = fs::remove_file(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn commit(dir: &Path, msg: &str, path: &str) -> (bool, String) {
    let out = git_cmd(dir)
        .env("PATH", path)
        .args(["commit", "-qm", msg])
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn commits(dir: &Path) -> String {
    git(dir, &["rev-list", "--count", "--all"])
        .trim()
        .to_string()
}

/// Non-sample entries of a hooks directory, sorted.
fn hook_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| !n.ends_with(".sample"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Stages a file holding a fresh fake token; returns the token.
fn stage_token(dir: &Path, rel: &str, seed: u32) -> String {
    let t = gh_token(seed);
    write(dir, rel, format!("TOKEN={t}\n"));
    git(dir, &["add", rel]);
    t
}

/// Commits the staged token through the hook and checks that the hook
/// blocked it without printing it, and that HEAD did not move.
fn assert_blocked(dir: &Path, token: &str, rel: &str) {
    let before = commits(dir);
    let (ok, err) = commit(dir, "leak", &path_with_leaktrap());
    assert!(!ok, "the commit must be blocked: {err}");
    assert!(
        err.contains(&format!("{rel}:1:7")) && err.contains("commit blocked"),
        "{err}"
    );
    assert!(!err.contains(token), "the hook must not print the secret");
    assert_eq!(commits(dir), before);
}

#[test]
fn install_blocks_a_secret_commit_and_lets_a_clean_one_through() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    let out = hook(r, &["install"], 0);
    let pre_commit = r.join(".git/hooks/pre-commit");
    assert!(out.contains("pre-commit: installed"), "{out}");
    let text = fs::read_to_string(&pre_commit).unwrap();
    assert!(text.starts_with("#!/bin/sh\n") && text.contains(MARKER));
    assert!(text.contains(&bin().display().to_string()), "{text}");
    assert_eq!(mode(&pre_commit), 0o755);
    assert!(
        !r.join(".git/hooks/pre-push").exists(),
        "only with --pre-push"
    );

    write(r, "ok.txt", "fine\n");
    git(r, &["add", "."]);
    let (ok, err) = commit(r, "clean", &path_with_leaktrap());
    assert!(ok, "{err}");
    assert_eq!(commits(r), "1");

    let t = stage_token(r, "leak.txt", 400);
    assert_blocked(r, &t, "leak.txt");

    let st = hook(r, &["status"], 0);
    assert!(
        st.contains(&format!(
            "pre-commit: installed (leaktrap, chained: no): {}",
            pre_commit.display()
        )),
        "{st}"
    );
    assert!(st.contains("pre-push: not installed"), "{st}");
}

#[test]
fn a_foreign_hook_is_chained_runs_first_and_its_failure_blocks() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    let hooks = r.join(".git/hooks");
    let foreign = "#!/bin/sh\n\
                   echo ran >> .git/foreign.log\n\
                   if [ -f .git/fail-lint ]; then echo 'lint: 3 problems' >&2; exit 3; fi\n";
    set_script(&hooks.join("pre-commit"), foreign);

    let out = hook(r, &["install"], 0);
    assert!(
        out.contains("pre-commit.leaktrap-chained (it runs first"),
        "{out}"
    );
    assert_eq!(
        fs::read_to_string(hooks.join("pre-commit.leaktrap-chained")).unwrap(),
        foreign
    );
    assert!(hook(r, &["status"], 0).contains("installed (leaktrap, chained: yes)"));
    let log = || fs::read_to_string(r.join(".git/foreign.log")).unwrap_or_default();

    // The foreign hook fails: the commit is blocked with its message.
    fs::write(r.join(".git/fail-lint"), "").unwrap();
    write(r, "ok.txt", "fine\n");
    git(r, &["add", "ok.txt"]);
    let (ok, err) = commit(r, "clean", &path_with_leaktrap());
    assert!(!ok && err.contains("lint: 3 problems"), "{err}");
    assert_eq!(log(), "ran\n");
    fs::remove_file(r.join(".git/fail-lint")).unwrap();
    let (ok, err) = commit(r, "clean", &path_with_leaktrap());
    assert!(ok, "{err}");
    assert_eq!(log(), "ran\nran\n");

    // leaktrap blocks a token after the foreign hook ran: it ran first
    // (leaktrap's exec ends the script).
    let t = stage_token(r, "leak.txt", 401);
    assert_blocked(r, &t, "leak.txt");
    assert_eq!(log(), "ran\nran\nran\n");

    // Uninstall puts the foreign hook back, byte for byte, still executable.
    let out = hook(r, &["uninstall"], 0);
    assert!(out.contains("restored the hook it chained"), "{out}");
    assert_eq!(
        fs::read_to_string(hooks.join("pre-commit")).unwrap(),
        foreign
    );
    assert_eq!(mode(&hooks.join("pre-commit")), 0o755);
    assert_eq!(hook_files(&hooks), vec!["pre-commit"]);
    assert!(hook(r, &["status"], 0).contains("pre-commit: foreign hook:"));
    // A second uninstall leaves the foreign hook alone.
    let out = hook(r, &["uninstall"], 0);
    assert!(out.contains("not leaktrap's hook, left alone"), "{out}");
    assert_eq!(
        fs::read_to_string(hooks.join("pre-commit")).unwrap(),
        foreign
    );
}

#[test]
fn reinstalling_rewrites_without_chaining_twice() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    let hooks = r.join(".git/hooks");
    let foreign = "#!/bin/sh\necho ran >> .git/foreign.log\n";
    set_script(&hooks.join("pre-commit"), foreign);
    hook(r, &["install"], 0);
    let first = fs::read_to_string(hooks.join("pre-commit")).unwrap();
    let out = hook(r, &["install"], 0);
    assert!(out.contains("pre-commit: rewrote"), "{out}");
    assert_eq!(fs::read_to_string(hooks.join("pre-commit")).unwrap(), first);
    assert_eq!(
        fs::read_to_string(hooks.join("pre-commit.leaktrap-chained")).unwrap(),
        foreign,
        "our own hook must never be chained"
    );
    assert_eq!(
        hook_files(&hooks),
        vec!["pre-commit", "pre-commit.leaktrap-chained"]
    );
    write(r, "ok.txt", "fine\n");
    git(r, &["add", "."]);
    let (ok, err) = commit(r, "clean", &path_with_leaktrap());
    assert!(ok, "{err}");
    assert_eq!(
        fs::read_to_string(r.join(".git/foreign.log")).unwrap(),
        "ran\n",
        "the foreign hook runs exactly once"
    );
}

#[test]
fn core_hooks_path_relative_to_the_work_tree_is_honoured() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    git(r, &["config", "core.hooksPath", ".githooks"]);
    fs::create_dir_all(r.join("src/deep")).unwrap();
    // Run from a subdirectory: the relative setting is still the top's.
    let out = hook(&r.join("src/deep"), &["install"], 0);
    assert!(
        out.contains("core.hooksPath = .githooks: the hooks go to"),
        "{out}"
    );
    assert!(r.join(".githooks/pre-commit").is_file());
    assert!(!r.join(".git/hooks/pre-commit").exists());
    assert!(!r.join("src/deep/.githooks").exists());
    let st = hook(r, &["status"], 0);
    assert!(st.contains("(core.hooksPath = .githooks)"), "{st}");
    assert!(st.contains("installed (leaktrap, chained: no)"), "{st}");
    let t = stage_token(r, "leak.txt", 402);
    assert_blocked(r, &t, "leak.txt");
}

#[test]
fn a_linked_worktree_uses_the_shared_hooks() {
    let d = tempfile::tempdir().unwrap();
    let main = d.path().join("main");
    let wt = d.path().join("wt");
    fs::create_dir_all(&main).unwrap();
    init_repo(&main);
    write(&main, "a.txt", "a\n");
    git(&main, &["add", "."]);
    git(&main, &["commit", "-qm", "init"]);
    git(&main, &["worktree", "add", "-q", wt.to_str().unwrap()]);
    assert!(wt.join(".git").is_file());
    hook(&wt, &["install"], 0);
    assert!(main.join(".git/hooks/pre-commit").is_file());
    assert!(!main.join(".git/worktrees/wt/hooks").exists());
    let t = stage_token(&wt, "leak.txt", 403);
    assert_blocked(&wt, &t, "leak.txt");
    git(&wt, &["rm", "-q", "--cached", "leak.txt"]);
    write(&wt, "b.txt", "b\n");
    git(&wt, &["add", "b.txt"]);
    let (ok, err) = commit(&wt, "clean", &path_with_leaktrap());
    assert!(ok, "{err}");
}

#[test]
fn a_submodule_gets_its_hook_in_the_superproject_modules_dir() {
    let d = tempfile::tempdir().unwrap();
    let lib = d.path().join("lib");
    let sup = d.path().join("super");
    for r in [&lib, &sup] {
        fs::create_dir_all(r).unwrap();
        init_repo(r);
        write(r, "README", "x\n");
        git(r, &["add", "."]);
        git(r, &["commit", "-qm", "init"]);
    }
    git(
        &sup,
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            lib.to_str().unwrap(),
            "vendor/lib",
        ],
    );
    let sub = sup.join("vendor/lib");
    assert!(sub.join(".git").is_file());
    hook(&sub, &["install"], 0);
    assert!(sup
        .join(".git/modules/vendor/lib/hooks/pre-commit")
        .is_file());
    assert!(!sup.join(".git/hooks/pre-commit").exists());
    let t = stage_token(&sub, "leak.txt", 404);
    assert_blocked(&sub, &t, "leak.txt");
}

#[test]
fn hook_managers_get_a_snippet_and_nothing_is_written() {
    // husky v9: core.hooksPath = .husky/_
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    fs::create_dir_all(r.join(".husky/_")).unwrap();
    git(r, &["config", "core.hooksPath", ".husky/_"]);
    let out = hook(r, &["install", "--pre-push"], 0);
    assert!(out.contains("managed by husky"), "{out}");
    assert!(
        out.contains("# .husky/pre-commit") && out.contains("leaktrap staged"),
        "{out}"
    );
    assert!(out.contains("leaktrap push \"$@\""), "{out}");
    assert!(out.contains("nothing written"), "{out}");
    assert_eq!(hook_files(&r.join(".husky/_")), Vec::<String>::new());
    assert_eq!(hook_files(&r.join(".git/hooks")), Vec::<String>::new());
    assert!(!r.join(".husky/pre-commit").exists());
    let st = hook(r, &["status"], 0);
    assert!(st.contains("pre-commit: managed by husky"), "{st}");

    // lefthook: a config file at the top of the work tree. A leaktrap hook
    // installed before it came is left as it is, and status says it runs.
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    hook(r, &["install"], 0);
    let ours = fs::read_to_string(r.join(".git/hooks/pre-commit")).unwrap();
    write(r, "lefthook.yml", "pre-commit:\n  commands: {}\n");
    let out = hook(r, &["install", "--pre-push"], 0);
    assert!(out.contains("managed by lefthook (lefthook.yml)"), "{out}");
    assert!(
        out.contains("run: leaktrap push {1} {2}") && out.contains("use_stdin: true"),
        "{out}"
    );
    assert_eq!(hook_files(&r.join(".git/hooks")), vec!["pre-commit"]);
    assert_eq!(
        fs::read_to_string(r.join(".git/hooks/pre-commit")).unwrap(),
        ours
    );
    let st = hook(r, &["status"], 0);
    assert!(
        st.contains("pre-commit: installed (leaktrap, chained: no)")
            && st.contains("pre-push: managed by lefthook (lefthook.yml)"),
        "{st}"
    );

    // The pre-commit framework's own hook script is left as it is.
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    let framework = "#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\n\
                     exec python -mpre_commit hook-impl --hook-type=pre-commit\n";
    set_script(&r.join(".git/hooks/pre-commit"), framework);
    let out = hook(r, &["install"], 0);
    assert!(
        out.contains("managed by the pre-commit framework")
            && out.contains(".pre-commit-config.yaml")
            && out.contains("id: leaktrap-system"),
        "{out}"
    );
    assert_eq!(
        fs::read_to_string(r.join(".git/hooks/pre-commit")).unwrap(),
        framework
    );
    assert_eq!(hook_files(&r.join(".git/hooks")), vec!["pre-commit"]);
}

#[test]
fn what_cannot_be_chained_is_refused_unless_forced() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    let hooks = r.join(".git/hooks");
    set_script(&r.join("tools/shared-hook"), "#!/bin/sh\nexit 0\n");
    std::os::unix::fs::symlink("../../tools/shared-hook", hooks.join("pre-commit")).unwrap();
    fs::create_dir_all(hooks.join("pre-push")).unwrap();

    for args in [&["install"][..], &["install", "--pre-push"][..]] {
        let out = hook_with(bin(), r, args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("pre-commit is a symbolic link"), "{err}");
        assert!(err.contains("--force"), "{err}");
    }
    // Nothing was written: neither the link nor the directory moved.
    assert_eq!(
        fs::read_link(hooks.join("pre-commit")).unwrap(),
        Path::new("../../tools/shared-hook")
    );
    assert!(hooks.join("pre-push").is_dir());
    assert_eq!(hook_files(&hooks), vec!["pre-commit", "pre-push"]);

    let out = hook(r, &["install", "--pre-push", "--force"], 0);
    assert!(out.contains("pre-commit.leaktrap-replaced"), "{out}");
    for h in ["pre-commit", "pre-push"] {
        assert!(fs::read_to_string(hooks.join(h)).unwrap().contains(MARKER));
    }
    assert_eq!(
        fs::read_link(hooks.join("pre-commit.leaktrap-replaced")).unwrap(),
        Path::new("../../tools/shared-hook")
    );
    assert!(hooks.join("pre-push.leaktrap-replaced").is_dir());
    assert_eq!(
        fs::read_to_string(r.join("tools/shared-hook")).unwrap(),
        "#!/bin/sh\nexit 0\n",
        "the link's target is never written through"
    );
    // A replaced hook is not run, and uninstall does not bring it back.
    hook(r, &["uninstall"], 0);
    assert_eq!(
        hook_files(&hooks),
        vec!["pre-commit.leaktrap-replaced", "pre-push.leaktrap-replaced"]
    );
}

#[test]
fn the_hook_fails_closed_when_the_binary_is_gone() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    let (_keep, exe) = installer();
    let out = hook_with(&exe, r, &["install"]);
    assert!(out.status.success());
    let text = fs::read_to_string(r.join(".git/hooks/pre-commit")).unwrap();
    assert!(text.contains(&exe.display().to_string()), "{text}");
    fs::remove_file(&exe).unwrap();

    // Neither the recorded binary nor one on PATH: even a clean commit is
    // refused, with the way out.
    write(r, "ok.txt", "fine\n");
    git(r, &["add", "."]);
    let (ok, err) = commit(r, "clean", &path_without_leaktrap());
    assert!(!ok, "the hook must fail closed");
    assert!(
        err.contains("leaktrap binary was not found") && err.contains("git commit --no-verify"),
        "{err}"
    );
    assert_eq!(
        git_cmd(r)
            .args(["rev-parse", "-q", "--verify", "HEAD"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(1),
        "nothing was committed"
    );
    let st = Std::new(bin())
        .current_dir(r)
        .args(["hook", "status"])
        .env("PATH", path_without_leaktrap())
        .env("HOME", r)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    let st = String::from_utf8_lossy(&st.stdout).into_owned();
    assert!(
        st.contains("[leaktrap is neither at the recorded path nor on PATH"),
        "{st}"
    );

    // With leaktrap on PATH the hook falls back to it and checks again.
    let (ok, err) = commit(r, "clean", &path_with_leaktrap());
    assert!(ok, "{err}");
    let t = stage_token(r, "leak.txt", 405);
    assert_blocked(r, &t, "leak.txt");
}

/// A stand-in for `leaktrap` that records its arguments and stdin and
/// exits with the code in `<log>.exit` (0 without one).
fn fake_leaktrap(path: &Path, log: &Path) {
    let l = log.display();
    set_script(
        path,
        &format!(
            "#!/bin/sh\necho \"$@\" > '{l}.args'\ncat > '{l}.stdin'\n\
             if [ -f '{l}.exit' ]; then exit \"$(cat '{l}.exit')\"; fi\n"
        ),
    );
}

fn push(dir: &Path, path: &str) -> (bool, String) {
    let out = git_cmd(dir)
        .env("PATH", path)
        .args(["push", "-q", "origin", "main"])
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A repository with one commit and a bare `origin` beside it; returns
/// (repository, remote).
fn repo_with_remote(d: &Path) -> (PathBuf, PathBuf) {
    let r = d.join("work");
    let remote = d.join("origin.git");
    fs::create_dir_all(&r).unwrap();
    init_repo(&r);
    git(d, &["init", "-q", "--bare", "origin.git"]);
    git(&r, &["remote", "add", "origin", remote.to_str().unwrap()]);
    write(&r, "a.txt", "a\n");
    git(&r, &["add", "."]);
    git(&r, &["commit", "-qm", "one"]);
    (r, remote)
}

#[test]
fn the_pre_push_hook_replays_stdin_to_the_chained_hook_and_to_leaktrap() {
    let d = tempfile::tempdir().unwrap();
    let (r, remote) = repo_with_remote(d.path());
    let hooks = r.join(".git/hooks");
    let logs = d.path().join("logs");
    fs::create_dir_all(&logs).unwrap();
    // The foreign pre-push hook records what it got, like leaktrap's stand-in.
    fake_leaktrap(&hooks.join("pre-push"), &logs.join("foreign"));
    let (_keep, exe) = installer();
    assert!(hook_with(&exe, &r, &["install", "--pre-push"])
        .status
        .success());
    assert!(r.join(".git/hooks/pre-commit").is_file());
    fake_leaktrap(&exe, &logs.join("leaktrap"));
    let read = |name: &str| fs::read_to_string(logs.join(name)).unwrap_or_default();

    let one = git(&r, &["rev-parse", "HEAD"]).trim().to_string();
    let (ok, err) = push(&r, &path_without_leaktrap());
    assert!(ok, "{err}");
    let line = format!("refs/heads/main {one} refs/heads/main {}\n", "0".repeat(40));
    assert_eq!(read("foreign.stdin"), line);
    assert_eq!(read("leaktrap.stdin"), line, "leaktrap gets the same refs");
    let args = format!("origin {}\n", remote.display());
    assert_eq!(read("foreign.args"), args);
    assert_eq!(read("leaktrap.args"), format!("push {args}"));

    // leaktrap's refusal stops the push.
    write(&r, "b.txt", "b\n");
    git(&r, &["add", "."]);
    git(&r, &["commit", "-qm", "two", "--no-verify"]);
    fs::write(logs.join("leaktrap.exit"), "1").unwrap();
    let (ok, _) = push(&r, &path_without_leaktrap());
    assert!(!ok, "leaktrap's failure blocks the push");
    assert_eq!(git(&remote, &["rev-parse", "main"]).trim(), one);

    // The chained hook's refusal stops it before leaktrap runs.
    fs::remove_file(logs.join("leaktrap.exit")).unwrap();
    fs::remove_file(logs.join("leaktrap.stdin")).unwrap();
    fs::write(logs.join("foreign.exit"), "4").unwrap();
    let (ok, _) = push(&r, &path_without_leaktrap());
    assert!(!ok, "the chained hook's failure blocks the push");
    assert!(!logs.join("leaktrap.stdin").exists());
    assert_eq!(git(&remote, &["rev-parse", "main"]).trim(), one);

    // Without a chained hook, stdin goes straight through.
    fs::remove_file(logs.join("foreign.exit")).unwrap();
    hook_with(bin(), &r, &["uninstall"]);
    fs::remove_file(hooks.join("pre-push")).unwrap();
    fs::remove_file(&exe).unwrap();
    assert!(hook_with(&exe_copy(&exe), &r, &["install", "--pre-push"])
        .status
        .success());
    fake_leaktrap(&exe, &logs.join("leaktrap"));
    let two = git(&r, &["rev-parse", "HEAD"]).trim().to_string();
    let (ok, err) = push(&r, &path_without_leaktrap());
    assert!(ok, "{err}");
    assert_eq!(
        read("leaktrap.stdin"),
        format!("refs/heads/main {two} refs/heads/main {one}\n")
    );
    assert_eq!(git(&remote, &["rev-parse", "main"]).trim(), two);
}

/// Puts a copy of the real binary back at `exe` (see [`installer`]).
fn exe_copy(exe: &Path) -> PathBuf {
    let _ = fs::remove_file(exe);
    if fs::hard_link(bin(), exe).is_err() {
        fs::copy(bin(), exe).unwrap();
    }
    exe.to_path_buf()
}

#[test]
fn the_pre_push_shim_passes_arguments_and_stdin_and_fails_closed() {
    let d = tempfile::tempdir().unwrap();
    let (r, remote) = repo_with_remote(d.path());
    let shims = Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks");
    git(&r, &["config", "core.hooksPath", shims.to_str().unwrap()]);
    let st = hook(&r, &["status"], 0);
    assert!(st.contains("pre-push: installed (leaktrap shim)"), "{st}");
    let out = hook(&r, &["install", "--pre-push"], 0);
    assert!(out.contains("pre-push: nothing to do"), "{out}");

    let (ok, err) = push(&r, &path_without_leaktrap());
    assert!(!ok, "no leaktrap on PATH: the push is blocked");
    assert!(
        err.contains("not found on PATH") && err.contains("--no-verify"),
        "{err}"
    );
    let fake_dir = d.path().join("fake-bin");
    let logs = d.path().join("log");
    fake_leaktrap(&fake_dir.join("leaktrap"), &logs);
    let path = format!("{}:{}", fake_dir.display(), path_without_leaktrap());
    let (ok, err) = push(&r, &path);
    assert!(ok, "{err}");
    let one = git(&r, &["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(
        fs::read_to_string(logs.with_extension("stdin")).unwrap(),
        format!("refs/heads/main {one} refs/heads/main {}\n", "0".repeat(40))
    );
    assert_eq!(
        fs::read_to_string(logs.with_extension("args")).unwrap(),
        format!("push origin {}\n", remote.display())
    );
}

#[test]
fn outside_a_repository_is_an_error_naming_the_directory() {
    let d = tempfile::tempdir().unwrap();
    for sub in ["install", "uninstall", "status"] {
        let out = hook_with(bin(), d.path(), &[sub]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("is not inside a git repository")
                && err.contains(&d.path().display().to_string()),
            "{err}"
        );
    }
}

/// The installed pre-push hook with the real `leaktrap push`: a push that
/// would send a commit adding a secret (committed past the pre-commit hook)
/// is refused (the remote does not
/// move) without printing the secret; once the commit is rewritten, the
/// push goes through.
#[test]
fn the_installed_pre_push_hook_blocks_a_push_that_adds_a_secret() {
    let d = tempfile::tempdir().unwrap();
    let (r, remote) = repo_with_remote(d.path());
    hook(&r, &["install", "--pre-push"], 0);
    let (ok, err) = push(&r, &path_with_leaktrap());
    assert!(ok, "a clean first push goes through: {err}");
    let token = gh_token(91);
    write(&r, "deploy.env", format!("TOKEN={token}\n"));
    git(&r, &["add", "."]);
    // Past the pre-commit hook (someone used --no-verify).
    git(
        &r,
        &["commit", "-q", "--no-verify", "-m", "deploy settings"],
    );
    let before = git(&remote, &["rev-parse", "main"]);
    let out = git_cmd(&r)
        .env("PATH", path_with_leaktrap())
        .args(["push", "-q", "origin", "main"])
        .output()
        .unwrap();
    let err =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the push must be refused: {err}");
    assert!(
        err.contains("deploy.env") && err.contains("push blocked"),
        "{err}"
    );
    assert!(!err.contains(&token), "the hook must not print the secret");
    assert_eq!(git(&remote, &["rev-parse", "main"]), before);
    // Rewritten without the secret, the push goes through.
    write(&r, "deploy.env", "TOKEN=${DEPLOY_TOKEN}\n");
    git(&r, &["add", "."]);
    git(
        &r,
        &[
            "commit",
            "-q",
            "--no-verify",
            "--amend",
            "-m",
            "deploy settings",
        ],
    );
    let (ok, err) = push(&r, &path_with_leaktrap());
    assert!(ok, "{err}");
}
