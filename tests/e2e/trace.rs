//! `leaktrap trace`: repositories built with the git CLI (fixed identities
//! and dates), secrets generated at run time.

use super::staged::{commit_at, git, init_repo, put};
use super::{gh_token, leaktrap, write};
use serde_json::Value;
use std::path::Path;

/// Runs `trace --json` with the secrets on stdin: (exit code, report, stdout+stderr).
fn trace(dir: &Path, secrets: &[&str], extra: &[&str]) -> (i32, Value, String) {
    let out = leaktrap()
        .current_dir(dir)
        .args(["trace", "--json"])
        .args(extra)
        .write_stdin(secrets.join("\n") + "\n")
        .output()
        .unwrap();
    let all =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), v, all)
}

fn commits(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| e["commit"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_secret_added_removed_and_re_added_on_a_branch_is_traced_with_its_reach() {
    let tmp = tempfile::tempdir().unwrap();
    let remote = tmp.path().join("remote.git");
    let d = tmp.path().join("work");
    std::fs::create_dir(&d).unwrap();
    git(tmp.path(), &["init", "-q", "--bare", "remote.git"]);
    init_repo(&d);
    git(&d, &["remote", "add", "origin", remote.to_str().unwrap()]);
    let s = gh_token(801);
    put(&d, "README", "hi\n", "init", 0);
    let added = put(
        &d,
        "conf/app.env",
        &format!("A=1\nTOKEN={s}\n"),
        "add token",
        10,
    );
    let removed = put(&d, "conf/app.env", "A=1\n", "remove token", 20);
    git(&d, &["push", "-q", "origin", "main"]);
    git(&d, &["checkout", "-q", "-b", "local-only"]);
    let readded = put(&d, "other/copy.txt", &format!("t={s}\n"), "oops again", 30);
    git(&d, &["checkout", "-q", "main"]);
    // Not in any file, not anywhere: found nowhere.
    let absent = gh_token(802);

    let (code, v, all) = trace(&d, &[&s, &absent], &[]);
    assert_eq!(code, 1, "{all}");
    assert!(!all.contains(&s), "trace must not print the secret: {all}");
    let t = &v["secrets"][0];
    assert_eq!(t["found"], true);
    assert_eq!(
        commits(&t["introduced"]),
        vec![added.clone(), readded.clone()]
    );
    assert_eq!(commits(&t["removed"]), vec![removed.clone()]);
    assert_eq!(t["introduced"][0]["path"], "conf/app.env");
    assert_eq!(t["introduced"][0]["lines"], serde_json::json!([2]));
    assert_eq!(t["introduced"][1]["path"], "other/copy.txt");
    assert_eq!(t["introduced"][0]["date"], "2026-01-01T00:00:10Z");
    // Still at the tip of the local branch only; pushed (origin/main's
    // history has the adding commit).
    let tips: Vec<&str> = t["at_tips"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(tips, vec!["refs/heads/local-only"]);
    assert_eq!(t["at_tips"]["refs/heads/local-only"][0], "other/copy.txt");
    assert_eq!(t["pushed"], true);
    let hist: Vec<&str> = t["in_history_of"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        hist.contains(&"refs/remotes/origin/main") && hist.contains(&"refs/heads/local-only"),
        "{hist:?}"
    );
    assert_eq!(t["exposure"]["since"], "2026-01-01T00:00:10Z");
    assert!(
        t["exposure"]["until"].is_null(),
        "still at a tip: still exposed"
    );
    assert_eq!(v["secrets"][1]["found"], false);
    assert_eq!(t["introduced"][0]["committed"], "2026-01-01T00:00:10Z");
    // Per branch: what its history holds, in order.
    let steps = |r: &str| -> Vec<(String, String)> {
        t["timeline"][r]
            .as_array()
            .unwrap_or_else(|| panic!("no timeline for {r}: {}", t["timeline"]))
            .iter()
            .map(|s| {
                (
                    s["change"].as_str().unwrap().to_string(),
                    s["commit"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let (i, r) = ("introduced".to_string(), "removed".to_string());
    assert_eq!(
        steps("refs/heads/main"),
        vec![(i.clone(), added.clone()), (r.clone(), removed.clone())]
    );
    assert_eq!(
        steps("refs/heads/local-only"),
        vec![
            (i.clone(), added.clone()),
            (r.clone(), removed.clone()),
            (i.clone(), readded.clone())
        ]
    );
    assert_eq!(steps("refs/remotes/origin/main"), steps("refs/heads/main"));

    // In several files of a commit that was never pushed: every path, and
    // not pushed.
    let local = gh_token(803);
    git(&d, &["checkout", "-q", "local-only"]);
    write(&d, "x/one.env", format!("K={local}\n"));
    let two = put(
        &d,
        "y/two.env",
        &format!("\n\nK={local}\n"),
        "two files",
        40,
    );
    let (code, v, _) = trace(&d, &[&local], &[]);
    assert_eq!(code, 1);
    let t = &v["secrets"][0];
    let paths: Vec<&str> = t["introduced"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, vec!["x/one.env", "y/two.env"]);
    assert_eq!(commits(&t["introduced"]), vec![two.clone(), two]);
    assert_eq!(t["introduced"][1]["lines"], serde_json::json!([3]));
    assert_eq!(t["pushed"], false);
    assert_eq!(
        t["in_history_of"],
        serde_json::json!(["refs/heads/local-only"])
    );

    // Only the absent one: exit 0.
    let (code, v, _) = trace(&d, &[&absent], &[]);
    assert_eq!(code, 0);
    assert_eq!(v["secrets"][0]["found"], false);
}

#[test]
fn tags_stash_messages_reflogs_and_unreachable_objects_are_searched() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    init_repo(d);
    put(d, "a.txt", "a\n", "init", 0);
    // In a commit message only.
    let m = gh_token(811);
    // On the summary line itself: it must not come back in the report.
    let in_msg = commit_at(d, &format!("rotate {m}\n\nold value {m}"), 10);
    // In an annotated tag's message only.
    let t = gh_token(812);
    git(d, &["tag", "-a", "v1", "-m", &format!("release {t}")]);
    // Only in the stash.
    let st = gh_token(813);
    write(d, "a.txt", format!("a\n{st}\n"));
    git(d, &["stash", "-q"]);
    // Only in a commit dropped by a reset (the reflog still has it).
    let rl = gh_token(814);
    put(d, "r.txt", &format!("{rl}\n"), "dropped", 20);
    git(d, &["reset", "-q", "--hard", "HEAD~1"]);
    // Only in a blob no commit has (never committed; `git add` then reset).
    let un = gh_token(815);
    write(d, "u.txt", format!("{un}\n"));
    git(d, &["add", "u.txt"]);
    git(d, &["reset", "-q"]);

    let (code, v, all) = trace(d, &[&m, &t, &st, &rl, &un], &[]);
    assert_eq!(code, 1, "{all}");
    let s = |i: usize| &v["secrets"][i];
    // Lines 1 and 3 of its message; the stash's own commits quote the
    // summary ("WIP on main: <id> rotate ..."), so they hold it too.
    let msgs = commits(&s(0)["messages"]);
    assert_eq!(msgs.iter().filter(|c| **c == in_msg).count(), 2, "{msgs:?}");
    assert!(s(0)["messages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["path"] == "(commit message, line 1)"));
    assert_eq!(s(1)["messages"][0]["path"], "(tag message refs/tags/v1)");
    assert!(s(2)["at_tips"]["refs/stash"].is_array(), "{}", s(2));
    assert_eq!(s(3)["found"], true);
    assert_eq!(
        s(3)["introduced"].as_array().unwrap().len(),
        1,
        "found through the reflog"
    );
    assert!(s(3)["at_tips"].as_object().unwrap().is_empty());
    assert_eq!(
        s(4)["unreachable_blobs"].as_array().unwrap().len(),
        1,
        "{}",
        s(4)
    );
    for x in [&m, &t, &st, &rl, &un] {
        assert!(!all.contains(x.as_str()));
    }
}

#[test]
fn the_purge_file_is_private_and_filter_repo_style() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("r");
    std::fs::create_dir(&d).unwrap();
    init_repo(&d);
    let s = gh_token(821);
    put(&d, "a.txt", &format!("{s}\n"), "add", 0);
    let purge = tmp.path().join("purge.txt");
    let out = leaktrap()
        .current_dir(&d)
        .args(["trace", "--purge-file", purge.to_str().unwrap()])
        .write_stdin(format!("{s}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("STILL EXPOSED") && text.contains("Rotate"),
        "{text}"
    );
    assert!(!text.contains(&s));
    assert_eq!(
        std::fs::read_to_string(&purge).unwrap(),
        format!("literal:{s}==>***REMOVED***\n")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&purge).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn secrets_are_never_taken_from_the_command_line_and_bad_input_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    init_repo(d);
    put(d, "a.txt", "a\n", "init", 0);
    // A positional argument is the repository, not a secret.
    let out = leaktrap()
        .current_dir(d)
        .args(["trace", "ghp_notarealsecret"])
        .write_stdin("x".repeat(20) + "\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let (code, _, all) = trace(d, &[""], &[]);
    assert_eq!(code, 2);
    assert!(all.contains("no secret given"), "{all}");
    let (code, _, all) = trace(d, &["short"], &[]);
    assert_eq!(code, 2);
    assert!(all.contains("at least 8 bytes"), "{all}");
}

#[test]
fn findings_of_a_report_are_traced_without_the_secret_on_any_command_line() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    let s = gh_token(811);
    let other = gh_token(812);
    let added = put(r, "conf/app.env", &format!("TOKEN={s}\n"), "add", 10);
    put(r, "conf/app.env", "TOKEN=\n", "remove", 20);
    put(r, "lib/keep.txt", &format!("k={other}\n"), "other", 30);
    // A history report, and a working-tree report.
    let report = r.join("history.json");
    let out = leaktrap()
        .current_dir(r)
        .args(["git", ".", "--format", "json", "-r"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let n = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .position(|f| f["path"] == "conf/app.env")
        .unwrap()
        + 1;
    let fp = doc["findings"][n - 1]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    let by = |id: &str| {
        let out = leaktrap()
            .current_dir(r)
            .args([
                "trace",
                "--json",
                "--from-report",
                "history.json",
                "--finding",
                id,
            ])
            .output()
            .unwrap();
        let all = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(!all.contains(&s) && !all.contains(&other), "{all}");
        (
            out.status.code().unwrap(),
            serde_json::from_slice::<Value>(&out.stdout).unwrap_or(Value::Null),
            all,
        )
    };
    for id in [
        n.to_string(),
        fp.clone(),
        fp["sha256:".len()..][..16].to_string(),
    ] {
        let (code, v, all) = by(&id);
        assert_eq!(code, 1, "{id}: {all}");
        assert_eq!(v["secrets"].as_array().unwrap().len(), 1, "{id}");
        assert_eq!(commits(&v["secrets"][0]["introduced"]), vec![added.clone()]);
    }
    let (code, v, _) = by("all");
    assert_eq!(code, 1);
    assert_eq!(v["secrets"].as_array().unwrap().len(), 2);

    let ws = r.join("tree.json");
    let out = leaktrap()
        .current_dir(r)
        .args(["scan", ".", "--format", "json", "-r"])
        .arg(&ws)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = leaktrap()
        .current_dir(r)
        .args([
            "trace",
            "--json",
            "--from-report",
            "tree.json",
            "--finding",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["secrets"][0]["at_tips"]["refs/heads/main"][0],
        "lib/keep.txt"
    );

    // Bad ids and content that no longer holds the secret are errors.
    let (code, _, all) = by("9");
    assert_eq!(code, 2);
    assert!(all.contains("numbered from 1"), "{all}");
    let (code, _, all) = by("zz");
    assert_eq!(code, 2);
    assert!(all.contains("fingerprint"), "{all}");
    write(r, "lib/keep.txt", "k=rotated\n");
    let out = leaktrap()
        .current_dir(r)
        .args(["trace", "--from-report", "tree.json", "--finding", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no longer holds"), "{err}");
}

#[test]
fn reflog_entries_that_reach_it_are_listed() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    let s = gh_token(821);
    put(r, "a.txt", "a\n", "base", 10);
    let bad = put(r, "k.env", &format!("K={s}\n"), "oops", 20);
    git(r, &["reset", "-q", "--hard", "HEAD~1"]);
    let (code, v, _) = trace(r, &[&s], &[]);
    assert_eq!(code, 1);
    let t = &v["secrets"][0];
    assert_eq!(t["in_history_of"], serde_json::json!([]));
    let entries: Vec<&str> = t["reflog"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    let short = &bad[..12];
    assert!(
        entries.contains(&format!("HEAD@{{1}} ({short})").as_str()),
        "{entries:?}"
    );
    assert!(
        entries.iter().any(|e| e.starts_with("refs/heads/main@{")),
        "{entries:?}"
    );
}

#[test]
fn a_blob_larger_than_a_window_is_searched_across_window_edges() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    let s = gh_token(831);
    // A secret inside another: the two matches overlap.
    let inner = s[3..31].to_string();
    // 100-byte lines up to 20 bytes before the 8 MiB window edge, then the
    // secret across it, then more lines, then the secret again last.
    let edge = 8 << 20;
    let mut content = Vec::with_capacity(edge + (1 << 20));
    let line = format!("{}\n", "y".repeat(99));
    while content.len() + 100 <= edge - 20 {
        content.extend_from_slice(line.as_bytes());
    }
    let straddle_line = content.len() / 100 + 1;
    content.resize(edge - 20, b'z');
    content.extend_from_slice(format!("{s}\n").as_bytes());
    while content.len() < edge + (1 << 20) {
        content.extend_from_slice(line.as_bytes());
    }
    let last_line = content.iter().filter(|&&b| b == b'\n').count() + 1;
    content.extend_from_slice(format!("k={s}").as_bytes());
    write(r, "big.txt", &content);
    git(r, &["add", "big.txt"]);
    commit_at(r, "big", 10);
    let (code, v, all) = trace(r, &[&s, &inner], &[]);
    assert_eq!(code, 1, "{all}");
    for t in v["secrets"].as_array().unwrap() {
        assert_eq!(
            t["introduced"][0]["lines"],
            serde_json::json!([straddle_line, last_line]),
            "{t}"
        );
    }
}
