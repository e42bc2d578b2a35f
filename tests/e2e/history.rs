//! `leaktrap git` (history) and `leaktrap push`, over repositories built with
//! the git CLI (fixed identities and dates).

use super::staged::{commit_at, git, git_cmd, init_repo, put};
use super::{gh_token, leaktrap, write};
use serde_json::Value;
use std::path::Path;

fn history_json(dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    super::run_json(
        leaktrap()
            .current_dir(dir)
            .args(["git", "--format", "json"])
            .args(extra),
    )
}

/// (path, line, commit, kind) of every finding.
fn found(v: &Value) -> Vec<(String, u64, String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["start_line"].as_u64().unwrap(),
                f["origin"]["commit"].as_str().unwrap_or("").to_string(),
                f["origin"]["kind"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_removed_secret_is_found_once_and_attributed_to_the_commit_that_added_it() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    init_repo(d);
    put(d, "README", "hello\n", "init", 0);
    let token = gh_token(11);
    let added = put(
        d,
        "conf/app.env",
        &format!("# settings\nmode=dev\nTOKEN={token}\n"),
        "add settings",
        10,
    );
    // Edits that keep the secret do not report it again.
    put(
        d,
        "conf/app.env",
        &format!("# settings\nmode=prod\nlevel=2\nTOKEN={token}\n"),
        "tune",
        20,
    );
    // A rename moves the secret; it is not a new one.
    git(d, &["mv", "conf/app.env", "conf/prod.env"]);
    commit_at(d, "rename", 25);
    put(
        d,
        "conf/prod.env",
        "# settings\nmode=prod\n",
        "remove token",
        30,
    );
    let (code, v, err) = history_json(d, &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        found(&v),
        vec![("conf/app.env".into(), 3, added.clone(), "file".into())]
    );
    let o = &v["findings"][0]["origin"];
    assert_eq!(o["author_name"], "Ada Tester");
    assert_eq!(o["author_email"], "ada@example.invalid");
    assert_eq!(o["date"], "2026-01-01T00:00:10Z");
    assert_eq!(o["summary"], "add settings");
    assert_eq!(v["findings"][0]["rule_id"], "github.pat-classic");
    assert!(err.contains("and 5 commits"), "{err}");
    // Never the secret itself.
    let text = leaktrap().current_dir(d).arg("git").output().unwrap();
    assert!(!String::from_utf8_lossy(&text.stdout).contains(&token));
    assert!(!String::from_utf8_lossy(&text.stderr).contains(&token));
}

#[test]
fn branches_tags_stash_merges_deleted_files_and_messages_are_covered() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    init_repo(d);
    let base = put(d, "a.txt", "a\n", "init", 0);
    // Only on a branch.
    git(d, &["checkout", "-q", "-b", "side"]);
    let on_branch = put(d, "side.txt", &format!("k={}\n", gh_token(1)), "side", 10);
    // Only on a tag (the commit is on no branch).
    git(d, &["checkout", "-q", "--detach", &base]);
    let on_tag = put(
        d,
        "tagged.txt",
        &format!("k={}\n", gh_token(2)),
        "tagged",
        20,
    );
    git(d, &["tag", "only-tag"]);
    git(d, &["checkout", "-q", "main"]);
    // Added then the file deleted.
    let deleted = put(d, "gone.txt", &format!("k={}\n", gh_token(3)), "gone", 30);
    git(d, &["rm", "-q", "gone.txt"]);
    commit_at(d, "delete gone", 40);
    // In a commit message.
    commit_at(d, &format!("rotate\n\nold key was {}", gh_token(4)), 50);
    let in_message = git(d, &["rev-parse", "HEAD"]).trim().to_string();
    // Only in a merge's resolution (an "evil merge").
    git(d, &["checkout", "-q", "-b", "feature"]);
    put(d, "f.txt", "feature\n", "feature", 60);
    git(d, &["checkout", "-q", "main"]);
    put(d, "m.txt", "main\n", "main work", 70);
    let out = git_cmd(d)
        .args(["merge", "-q", "--no-commit", "--no-ff", "feature"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    write(d, "merged.txt", format!("k={}\n", gh_token(5)));
    git(d, &["add", "merged.txt"]);
    commit_at(d, "merge feature", 80);
    let merge = git(d, &["rev-parse", "HEAD"]).trim().to_string();
    // Only in the stash.
    write(d, "a.txt", format!("a\nk={}\n", gh_token(6)));
    let out = git_cmd(d)
        .args(["stash", "push", "-q", "-m", "wip"])
        .env("GIT_COMMITTER_DATE", "@1767225690 +0000")
        .env("GIT_AUTHOR_DATE", "@1767225690 +0000")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (code, v, err) = history_json(d, &[]);
    assert_eq!(code, 1, "{err}");
    let got = found(&v);
    let expect = |path: &str, commit: &str, kind: &str| {
        assert!(
            got.iter()
                .any(|g| g.0 == path && (commit.is_empty() || g.2 == commit) && g.3 == kind),
            "no {kind} finding at {path} from {commit}: {got:?}"
        );
    };
    expect("side.txt", &on_branch, "file");
    expect("tagged.txt", &on_tag, "file");
    expect("gone.txt", &deleted, "file");
    expect("(commit message)", &in_message, "commit-message");
    expect("merged.txt", &merge, "file");
    expect("a.txt", "", "file");
    assert_eq!(got.len(), 6, "{got:?}");

    // Annotated tag messages are scanned too.
    let out = git_cmd(d)
        .args([
            "tag",
            "-a",
            "v1",
            "-m",
            &format!("release\n\ntoken {}", gh_token(7)),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let (_, v, _) = history_json(d, &[]);
    assert!(found(&v)
        .iter()
        .any(|g| g.0 == "(tag message refs/tags/v1)" && g.3 == "tag-message"));

    // Same bytes whatever the thread count.
    let one = leaktrap()
        .current_dir(d)
        .args(["git", "--format", "json", "-j", "1"])
        .output()
        .unwrap();
    let three = leaktrap()
        .current_dir(d)
        .args(["git", "--format", "json", "-j", "3"])
        .output()
        .unwrap();
    assert_eq!(one.stdout, three.stdout);
}

#[test]
fn scope_options_limit_the_commits() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    init_repo(d);
    let first = put(
        d,
        "a.txt",
        &format!("k={}\n", gh_token(21)),
        "old secret",
        0,
    );
    put(d, "b.txt", "b\n", "clean", 100_000);
    git(d, &["checkout", "-q", "-b", "side"]);
    put(
        d,
        "c.txt",
        &format!("k={}\n", gh_token(22)),
        "side secret",
        200_000,
    );
    git(d, &["checkout", "-q", "main"]);

    let (code, v, _) = history_json(d, &["--branch", "main"]);
    assert_eq!(code, 1);
    assert_eq!(found(&v).len(), 1);
    assert_eq!(found(&v)[0].0, "a.txt");

    let range = format!("{first}..main");
    let (code, v, err) = history_json(d, &["--range", &range]);
    assert_eq!(code, 0, "{err} {v}");
    assert!(err.contains("and 1 commit "), "{err}");

    let (code, v, _) = history_json(d, &["--max-commits", "1", "--branch", "side"]);
    assert_eq!(code, 1);
    assert_eq!(found(&v)[0].0, "c.txt");

    let (code, _, _) = history_json(d, &["--since", "2026-01-02T12:00:00Z"]);
    assert_eq!(code, 1, "the side branch's commit is recent");
    let (code, _, _) = history_json(d, &["--since", "2026-01-01T12:00:00Z", "--branch", "main"]);
    assert_eq!(code, 0, "main's secret is older than --since");

    let out = leaktrap()
        .current_dir(d)
        .args(["git", "--branch", "no-such-branch"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("bad revision 'no-such-branch'"), "{err}");
    let out = leaktrap().args(["git", "/no/such/dir"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("/no/such/dir is not inside a git repository (no such directory)"),
        "{err}"
    );
}

#[test]
fn ignore_files_and_allowlists_apply_to_the_path_at_each_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    init_repo(d);
    let content = format!("k={}\n", gh_token(31));
    write(d, "vendor/lib.txt", &content);
    write(d, "src/copy.txt", &content);
    write(d, ".leaktrapignore", "vendor/\n");
    git(d, &["add", "-A"]);
    commit_at(d, "same blob at two paths", 0);
    let (code, v, _) = history_json(d, &[]);
    assert_eq!(code, 1);
    let got = found(&v);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "src/copy.txt");
    assert_eq!(v["stats"]["skipped"]["ignored"], 1);
}

#[test]
fn unreachable_objects_are_reported_only_when_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    init_repo(d);
    put(d, "a.txt", "a\n", "init", 0);
    put(d, "b.txt", &format!("k={}\n", gh_token(41)), "oops", 10);
    git(d, &["reset", "-q", "--hard", "HEAD~1"]);
    let (code, v, err) = history_json(d, &[]);
    assert_eq!(code, 0, "{v}");
    assert!(err.contains("--all-objects"), "{err}");
    let (code, v, _) = history_json(d, &["--all-objects"]);
    assert_eq!(code, 1);
    assert!(found(&v)[0].0.starts_with("(unreachable blob "), "{v}");
}

#[test]
fn shallow_clones_and_missing_objects_are_incomplete_not_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir(&src).unwrap();
    init_repo(&src);
    put(&src, "a.txt", "a\n", "one", 0);
    put(&src, "b.txt", "b\n", "two", 10);
    let url = format!("file://{}", src.display());
    git(
        tmp.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let sh = tmp.path().join("shallow");
    let (code, _, err) = history_json(&sh, &[]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("shallow clone"), "{err}");
    let (code, _, err) = history_json(&sh, &["--allow-shallow"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning"), "{err}");

    // A blob deleted from the object store is named; the scan is incomplete.
    let blob = git(&src, &["rev-parse", "HEAD:b.txt"]).trim().to_string();
    let obj = src.join(".git/objects").join(&blob[..2]).join(&blob[2..]);
    std::fs::remove_file(&obj).unwrap();
    let (code, _, err) = history_json(&src, &[]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains(&blob), "{err}");
    assert!(err.contains("b.txt"), "{err}");
}

/// Runs `leaktrap push` with pre-push input on stdin.
fn push(dir: &Path, input: &str, envs: &[(&str, &str)]) -> (i32, String) {
    let mut c = leaktrap();
    c.current_dir(dir)
        .args(["push", "origin", "file:///remote"])
        .write_stdin(input.as_bytes().to_vec());
    for (k, v) in envs {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn push_scans_exactly_what_would_be_sent() {
    let tmp = tempfile::tempdir().unwrap();
    let remote = tmp.path().join("remote.git");
    let d = tmp.path().join("work");
    std::fs::create_dir(&d).unwrap();
    git(tmp.path(), &["init", "-q", "--bare", "remote.git"]);
    init_repo(&d);
    git(&d, &["remote", "add", "origin", remote.to_str().unwrap()]);
    // An old secret already on the remote.
    put(&d, "old.txt", &format!("k={}\n", gh_token(51)), "old", 0);
    git(&d, &["push", "-q", "origin", "main"]);
    let pushed = git(&d, &["rev-parse", "HEAD"]).trim().to_string();
    let z = "0".repeat(40);

    // An update that adds nothing secret: clean, although the file with
    // the old secret changes.
    put(
        &d,
        "old.txt",
        &format!("more\nk={}\n", gh_token(51)),
        "touch",
        10,
    );
    let head = git(&d, &["rev-parse", "HEAD"]).trim().to_string();
    let line = format!("refs/heads/main {head} refs/heads/main {pushed}\n");
    let (code, out) = push(&d, &line, &[]);
    assert_eq!(code, 0, "{out}");

    // An update that adds a secret: blocked, masked, with advice.
    let token = gh_token(52);
    put(&d, "new.txt", &format!("k={token}\n"), "new", 20);
    let head = git(&d, &["rev-parse", "HEAD"]).trim().to_string();
    let line = format!("refs/heads/main {head} refs/heads/main {pushed}\n");
    let (code, out) = push(&d, &line, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("new.txt") && out.contains("push blocked"),
        "{out}"
    );
    assert!(!out.contains(&token), "the secret leaked: {out}");

    // A new branch: only commits no remote-tracking ref has.
    git(&d, &["fetch", "-q", "origin"]);
    git(&d, &["checkout", "-q", "-b", "topic", &pushed]);
    put(&d, "t.txt", "clean\n", "topic", 30);
    let topic = git(&d, &["rev-parse", "HEAD"]).trim().to_string();
    let line = format!("refs/heads/topic {topic} refs/heads/topic {z}\n");
    let (code, out) = push(&d, &line, &[]);
    assert_eq!(code, 0, "the old secret is already on the remote: {out}");
    let line = format!("refs/heads/main {head} refs/heads/other {z}\n");
    let (code, out) = push(&d, &line, &[]);
    assert_eq!(code, 1, "{out}");

    // A deletion sends nothing.
    let line = format!("(delete) {z} refs/heads/old {pushed}\n");
    let (code, out) = push(&d, &line, &[]);
    assert_eq!(code, 0, "{out}");

    // The pre-commit framework's variables.
    let (code, out) = push(
        &d,
        "",
        &[
            ("PRE_COMMIT_FROM_REF", pushed.as_str()),
            ("PRE_COMMIT_TO_REF", head.as_str()),
        ],
    );
    assert_eq!(code, 1, "{out}");
    let (code, out) = push(
        &d,
        "",
        &[
            ("PRE_COMMIT_FROM_REF", pushed.as_str()),
            ("PRE_COMMIT_TO_REF", topic.as_str()),
        ],
    );
    assert_eq!(code, 0, "{out}");

    // The framework without refs (a push with a root commit): what no ref
    // of the remote has, from the branch named.
    let (code, out) = push(
        &d,
        "",
        &[
            ("PRE_COMMIT_REMOTE_NAME", "origin"),
            ("PRE_COMMIT_LOCAL_BRANCH", "main"),
        ],
    );
    assert_eq!(code, 1, "{out}");
    let (code, out) = push(
        &d,
        "",
        &[
            ("PRE_COMMIT_REMOTE_NAME", "origin"),
            ("PRE_COMMIT_LOCAL_BRANCH", "topic"),
        ],
    );
    assert_eq!(code, 0, "{out}");

    // Garbage on stdin is an error, not a clean pass.
    let (code, out) = push(&d, "not a pre-push line\n", &[]);
    assert_eq!(code, 2, "{out}");
}

#[test]
fn a_blob_larger_than_a_read_window_is_scanned_whole_with_exact_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    init_repo(d);
    // 9.4 MB of short lines, then a token: past the first 8 MiB window.
    let filler = "abcdefghijklmnopqrstuvwxyz0123456789 lorem ipsum dolor sit\n".repeat(160_000);
    let token = gh_token(61);
    let content = format!("{filler}k={token}\n");
    put(d, "big.txt", &content, "big", 0);
    let (code, v, err) = history_json(d, &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(found(&v)[0].0, "big.txt");
    assert_eq!(found(&v)[0].1, 160_001);
    assert_eq!(v["findings"][0]["start_column"], 3);
}

/// A file edited over many commits, with secrets added, moved, removed and
/// re-added, lines inserted before and after them, a private key block and
/// an allow comment; packed so versions are stored as deltas. Scanning only
/// what each delta changes must give exactly the findings of scanning every
/// version whole.
#[test]
fn delta_scans_find_exactly_what_whole_scans_find() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    init_repo(d);
    let mut lines: Vec<String> = (0..200)
        .map(|i| format!("setting_{i} = value {i}"))
        .collect();
    let mut seed: u32 = 7;
    let mut rnd = |n: u32| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        (seed >> 8) % n
    };
    let key_block = |i: u32| {
        let body: String = (0..6)
            .map(|k| format!("{}\n", super::b64_line(i * 10 + k)))
            .collect();
        format!("-----BEGIN RSA PRIVATE KEY-----\n{body}-----END RSA PRIVATE KEY-----")
    };
    for c in 0..40u32 {
        for _ in 0..3 {
            let at = rnd(lines.len() as u32) as usize;
            match rnd(6) {
                0 => lines.insert(at, format!("token_{c} = {}", gh_token(c * 7 + 1))),
                1 => {
                    lines.remove(at);
                }
                2 => lines.insert(at, format!("plain line {c}")),
                3 => lines[at] = format!("changed {c} {}", lines[at]),
                _ => lines.insert(
                    at,
                    format!("ok_{c} = {} # leaktrap:allow", gh_token(c * 7 + 2)),
                ),
            }
        }
        put(
            d,
            "app.conf",
            &(lines.join("\n") + "\n"),
            &format!("edit {c}"),
            c,
        );
        if c % 9 == 0 {
            // A key file whose key is replaced between the same header lines.
            let pad: String = (0..100).map(|i| format!("# note {i}\n")).collect();
            let keys = format!("{pad}{}\n{pad}", key_block(c));
            put(d, "keys.pem", &keys, "key", c);
        }
        if c % 5 == 0 {
            put(
                d,
                "copy.conf",
                &(lines.join("\n") + "\n"),
                &format!("copy {c}"),
                c,
            );
        }
    }
    git(d, &["repack", "-adfq", "--window=50", "--depth=50"]);
    let bases = git(
        d,
        &[
            "cat-file",
            "--batch-all-objects",
            "--batch-check=%(objecttype) %(deltabase)",
        ],
    );
    let deltas = bases
        .lines()
        .filter(|l| l.starts_with("blob ") && !l.ends_with(&"0".repeat(40)))
        .count();
    assert!(deltas > 20, "the pack should hold blob deltas: {bases}");
    let run = |on: &str| {
        let out = leaktrap()
            .current_dir(d)
            // One worker: every base is in its memory of recent blobs.
            .args(["git", "--format", "json", "-j", "1"])
            .env("LEAKTRAP_DELTA_SCAN", on)
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["findings"].clone()
    };
    let whole = run("0");
    let delta = run("1");
    assert!(whole.as_array().unwrap().len() > 10, "{whole}");
    assert!(
        whole
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"] == "private-key.rsa"),
        "{whole}"
    );
    assert_eq!(whole, delta);
}

#[test]
fn a_partial_clone_is_incomplete_and_nothing_is_fetched() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir(&src).unwrap();
    init_repo(&src);
    git(&src, &["config", "uploadpack.allowFilter", "true"]);
    put(&src, "a.txt", &format!("k={}\n", gh_token(71)), "one", 0);
    let url = format!("file://{}", src.display());
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--no-checkout",
            "--filter=blob:none",
            &url,
            "partial",
        ],
    );
    let p = tmp.path().join("partial");
    let before = git(&p, &["count-objects", "-v"]);
    let (code, v, err) = history_json(&p, &[]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("partial clone"), "{err}");
    assert!(found(&v).is_empty());
    // The missing blob is named, and was not fetched from the promisor.
    assert!(err.contains("a.txt"), "{err}");
    assert_eq!(git(&p, &["count-objects", "-v"]), before);
    let (code, _, err) = history_json(&p, &["--allow-shallow"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("not in this partial clone"), "{err}");
}

#[test]
fn a_vault_password_file_is_found_by_its_path_in_the_tree_and_in_history() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    init_repo(d);
    // A one-line file whose content is the secret: only its name says so.
    let password: String = super::b64_line(7)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(28)
        .collect();
    put(
        d,
        "deploy/ansible/.vault_pass",
        &format!("{password}\n"),
        "add vault password",
        10,
    );
    // A one-word commit message is no file: the path-limited rule does not
    // apply to it, random-looking or not.
    put(d, "docs/token.txt", &format!("{password}\n"), &password, 20);
    git(d, &["rm", "-q", "deploy/ansible/.vault_pass"]);
    commit_at(d, "remove vault password", 30);

    let (_, v, err) = history_json(d, &[]);
    let hits: Vec<(String, u64)> = found(&v).into_iter().map(|(p, l, _, _)| (p, l)).collect();
    assert_eq!(
        hits,
        vec![("deploy/ansible/.vault_pass".to_string(), 1)],
        "{err}"
    );
    assert_eq!(
        v["findings"][0]["rule_id"], "ansible.vault-password-file",
        "{v}"
    );
    // In the tree, the same way: a path that says nothing is not a finding.
    write(d, "deploy/ansible/.vault_pass.txt", format!("{password}\n"));
    let (_, v, err) = super::scan_json(d, &[]);
    assert_eq!(
        super::path_lines(&v),
        vec![("deploy/ansible/.vault_pass.txt".to_string(), 1)],
        "{err}"
    );
}
