//! Fingerprints and baselines: `leaktrap baseline create|update|check` and
//! `--baseline FILE` in every mode.

use super::staged::{git, init_repo};
use super::{gh_token, leaktrap, write};
use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::Path;

const FILE: &str = ".leaktrap-baseline.json";

/// leaktrap with no fingerprint key from the environment.
fn lt() -> Command {
    let mut c = leaktrap();
    c.env_remove("LEAKTRAP_FINGERPRINT_KEY");
    c
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = lt().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `<mode> --format json --baseline FILE extra…`: (exit code, report, stderr).
fn with_baseline(dir: &Path, mode: &str, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec![mode, "--format", "json", "--baseline", FILE];
    args.extend_from_slice(extra);
    let (code, out, err) = run(dir, &args);
    let v: Value = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {out}\nstderr: {err}"));
    (code, v, err)
}

fn reported(v: &Value) -> Vec<(String, u64)> {
    super::path_lines(v)
}

fn entries(dir: &Path) -> Vec<Value> {
    let v: Value = serde_json::from_str(&fs::read_to_string(dir.join(FILE)).unwrap()).unwrap();
    assert_eq!(v["schema"], "leaktrap.baseline");
    assert_eq!(v["schema_version"], 1);
    v["entries"].as_array().unwrap().clone()
}

fn repo_with_secret(t: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    init_repo(d.path());
    write(
        d.path(),
        "src/a.py",
        format!("import os\n\nTOKEN = \"{t}\"\n"),
    );
    d
}

#[test]
fn a_baseline_suppresses_known_findings_wherever_their_line_moves() {
    let t1 = gh_token(101);
    let d = repo_with_secret(&t1);
    let r = d.path();

    let (code, _, err) = run(r, &["baseline", "create"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("1 entry"), "{err}");
    let text = fs::read_to_string(r.join(FILE)).unwrap();
    assert!(!text.contains(&t1) && !text.contains("ghp_"), "{text}");
    assert!(
        !text.contains("line\":") && !text.contains("_at\":"),
        "line- and time-free: {text}"
    );
    let e = entries(r);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0]["path"], "src/a.py");
    assert_eq!(e[0]["rule"], "github.pat-classic");
    assert!(e[0]["fingerprint"].as_str().unwrap().starts_with("sha256:"));

    // Clean rescan, counted as one baseline suppression; the baseline file
    // itself is no finding.
    let (code, v, _) = with_baseline(r, "scan", &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["stats"]["suppressed"]["baseline"], 1);
    let (code, _, err) = run(r, &["scan", "--baseline", FILE]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("suppressed: 1 baseline"), "{err}");

    // Lines added above: still suppressed, and the file does not churn.
    write(
        r,
        "src/a.py",
        format!("# one\n# two\n# three\nimport os\n\nTOKEN = \"{t1}\"\n"),
    );
    let (code, v, _) = with_baseline(r, "scan", &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["stats"]["suppressed"]["baseline"], 1);
    let (code, _, err) = run(r, &["baseline", "update"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(fs::read_to_string(r.join(FILE)).unwrap(), text);

    // A new secret on the same line is reported; the known one is not.
    let t2 = gh_token(102);
    write(
        r,
        "src/a.py",
        format!("TOKEN = \"{t1}\"; OTHER = \"{t2}\"\n"),
    );
    let (code, v, _) = with_baseline(r, "scan", &[]);
    assert_eq!(code, 1);
    assert_eq!(reported(&v), [("src/a.py".to_string(), 1)]);
    assert_eq!(v["findings"][0]["start_column"], 62);
    assert_eq!(v["stats"]["suppressed"]["baseline"], 1);

    // The same secret in another file is reported: the path differs.
    write(r, "src/a.py", format!("TOKEN = \"{t1}\"\n"));
    write(r, "src/b.py", format!("TOKEN = \"{t1}\"\n"));
    let (code, v, _) = with_baseline(r, "scan", &[]);
    assert_eq!(code, 1);
    assert_eq!(reported(&v), [("src/b.py".to_string(), 1)]);

    // create does not overwrite without --force.
    let (code, _, err) = run(r, &["baseline", "create"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    let (code, _, err) = run(r, &["baseline", "create", "--force"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(entries(r).len(), 2);
    let text = fs::read_to_string(r.join(FILE)).unwrap();
    assert!(!text.contains(&t1), "{text}");
}

#[test]
fn stale_and_expired_entries_are_reported_and_can_fail_the_run() {
    let t1 = gh_token(201);
    let d = repo_with_secret(&t1);
    let r = d.path();
    assert_eq!(run(r, &["baseline", "create"]).0, 0);
    assert_eq!(run(r, &["baseline", "check"]).0, 0);

    // Expired: the finding is reported and the entry named.
    let text = fs::read_to_string(r.join(FILE)).unwrap();
    let expired = text.replace(
        "\"path\": \"src/a.py\"",
        "\"path\": \"src/a.py\",\n      \"reason\": \"test fixture\",\n      \"owner\": \"sec\",\n      \"expires\": \"2000-01-01\"",
    );
    assert_ne!(expired, text);
    fs::write(r.join(FILE), &expired).unwrap();
    let (code, v, err) = with_baseline(r, "scan", &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(reported(&v), [("src/a.py".to_string(), 3)]);
    assert!(err.contains("expired on 2000-01-01"), "{err}");
    let (code, _, err) = run(r, &["baseline", "check"]);
    assert_eq!(code, 1);
    assert!(err.contains("1 expired"), "{err}");

    // A future date suppresses; update keeps reason, owner and expiry.
    fs::write(r.join(FILE), expired.replace("2000-01-01", "2999-12-31")).unwrap();
    let (code, v, _) = with_baseline(r, "scan", &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(run(r, &["baseline", "update"]).0, 0);
    let e = entries(r);
    assert_eq!(e[0]["reason"], "test fixture");
    assert_eq!(e[0]["owner"], "sec");
    assert_eq!(e[0]["expires"], "2999-12-31");

    // Stale once the secret is gone: a warning, an error with --fail-on-stale,
    // and `check` names it.
    write(r, "src/a.py", "import os\n");
    let (code, v, err) = with_baseline(r, "scan", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("stale entry github.pat-classic in src/a.py"),
        "{err}"
    );
    assert_eq!(v["stats"]["warnings"].as_array().unwrap().len(), 1, "{v}");
    let (code, _, err) = with_baseline(r, "scan", &["--fail-on-stale"]);
    assert_eq!(code, 1);
    assert!(err.contains("--fail-on-stale"), "{err}");
    let (code, _, err) = run(r, &["baseline", "check"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("stale entry github.pat-classic in src/a.py"),
        "{err}"
    );
    assert!(err.contains("1 stale"), "{err}");
    let (code, _, err) = run(r, &["baseline", "update"]);
    assert_eq!(code, 0);
    assert!(err.contains("1 stale dropped"), "{err}");
    assert!(entries(r).is_empty());
    assert_eq!(run(r, &["baseline", "check"]).0, 0);
}

#[test]
fn malformed_or_missing_baselines_are_errors_naming_the_file() {
    let d = repo_with_secret(&gh_token(301));
    let r = d.path();
    fs::write(
        r.join(FILE),
        "{\n  \"schema\": \"leaktrap.baseline\",\n  \"entries\": [,]\n}\n",
    )
    .unwrap();
    let (code, out, err) = run(r, &["scan", "--baseline", FILE]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains(&format!("{FILE}:3:")), "{err}");
    assert!(err.contains("baseline create --force"), "{err}");
    let (code, _, err) = run(r, &["scan", "--baseline", "nope.json"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("nope.json") && err.contains("baseline create"),
        "{err}"
    );
    let (code, _, err) = run(r, &["scan", "--fail-on-stale"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn keyed_fingerprints_differ_from_unkeyed_and_change_with_the_key() {
    let t1 = gh_token(401);
    let d = repo_with_secret(&t1);
    let r = d.path();
    let fp = |key: Option<&str>| {
        let mut c = lt();
        if let Some(k) = key {
            c.env("LEAKTRAP_FINGERPRINT_KEY", k);
        }
        let out = c
            .current_dir(r)
            .args(["scan", "--format", "json"])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["findings"][0]["fingerprint"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let plain = fp(None);
    let a = fp(Some("key-a"));
    let b = fp(Some("key-b"));
    assert!(
        plain.starts_with("sha256:") && plain.len() == 7 + 64,
        "{plain}"
    );
    assert!(a.starts_with("hmac-sha256:") && a.len() == 12 + 64, "{a}");
    assert_ne!(a, b);
    assert_eq!(a, fp(Some("key-a")));
    assert_eq!(plain, fp(Some("")), "an empty key is no key");
    assert_ne!(plain[7..], a[12..]);

    // The key can come from a file named in the config; the environment wins.
    let keys = tempfile::tempdir().unwrap();
    write(keys.path(), "fp.key", "key-a\n");
    write(
        r,
        ".leaktrap.toml",
        format!(
            "fingerprint_key_file = {:?}\n",
            keys.path().join("fp.key").to_str().unwrap()
        ),
    );
    assert_eq!(fp(None), a);
    assert_eq!(fp(Some("key-b")), b);
    write(keys.path(), "fp.key", "");
    let (code, _, err) = run(r, &["scan"]);
    assert_eq!(code, 2);
    assert!(err.contains("fp.key") && err.contains("is empty"), "{err}");
    fs::remove_file(keys.path().join("fp.key")).unwrap();
    let (code, _, err) = run(r, &["scan"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("fp.key") && err.contains(".leaktrap.toml"),
        "{err}"
    );
    fs::remove_file(r.join(".leaktrap.toml")).unwrap();

    // A keyed baseline matches only under the same key, and says why not.
    let out = lt()
        .current_dir(r)
        .env("LEAKTRAP_FINGERPRINT_KEY", "key-a")
        .args(["baseline", "create"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = fs::read_to_string(r.join(FILE)).unwrap();
    assert!(text.contains(&a) && !text.contains(&t1), "{text}");
    let out = lt()
        .current_dir(r)
        .env("LEAKTRAP_FINGERPRINT_KEY", "key-a")
        .args(["scan", "--baseline", FILE])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let (code, _, err) = with_baseline(r, "scan", &[]);
    assert_eq!(code, 1);
    assert!(
        err.contains("hmac-sha256 fingerprints") && err.contains("LEAKTRAP_FINGERPRINT_KEY"),
        "{err}"
    );
}

#[test]
fn baselines_apply_to_staged_and_history_scans() {
    let t1 = gh_token(501);
    let d = repo_with_secret(&t1);
    let r = d.path();
    git(r, &["add", "src/a.py"]);
    git(r, &["commit", "-q", "-m", "add a"]);
    assert_eq!(run(r, &["baseline", "create"]).0, 0);

    // History: the path at the commit matches.
    let (code, v, err) = with_baseline(r, "git", &[]);
    assert_eq!(code, 0, "{v} {err}");
    assert_eq!(v["stats"]["suppressed"]["baseline"], 1);
    let (code, v, _) = run_git_plain(r);
    assert_eq!(code, 1, "{v}");

    // Staged: a new file with the known secret is reported (another path);
    // once it is in the baseline, it is not.
    write(r, "lib/c.py", format!("KEY = \"{t1}\"\n"));
    git(r, &["add", "lib/c.py"]);
    let (code, v, _) = with_baseline(r, "staged", &[]);
    assert_eq!(code, 1);
    assert_eq!(reported(&v), [("lib/c.py".to_string(), 1)]);
    assert_eq!(run(r, &["baseline", "update"]).0, 0);
    let (code, v, err) = with_baseline(r, "staged", &[]);
    assert_eq!(code, 0, "{v} {err}");
    assert_eq!(v["stats"]["suppressed"]["baseline"], 1);
}

fn run_git_plain(r: &Path) -> (i32, Value, String) {
    let (code, out, err) = run(r, &["git", "--format", "json"]);
    (code, serde_json::from_str(&out).unwrap(), err)
}
