//! The evidence record (`--evidence FILE`) and `leaktrap evidence verify`.

use super::staged::{git, init_repo, put};
use super::{gh_token, leaktrap, write};
use serde_json::Value;
use std::fs;
use std::path::Path;

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = leaktrap()
        .env_remove("LEAKTRAP_FINGERPRINT_KEY")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(p).unwrap()).unwrap()
}

/// The record without the fields that may differ between two runs.
fn timeless(mut v: Value) -> Value {
    v["started_at"] = Value::Null;
    v["finished_at"] = Value::Null;
    v
}

/// A repository with one reported secret, one under a baseline entry with a
/// reason, one allowed inline, an ignored file, a binary file and a config.
fn planted() -> (tempfile::TempDir, [String; 4]) {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    let t = [gh_token(701), gh_token(702), gh_token(703), gh_token(704)];
    write(r, "app/settings.py", format!("TOKEN = \"{}\"\n", t[0]));
    write(r, "app/known.py", format!("OLD = \"{}\"\n", t[1]));
    write(
        r,
        "app/doc.md",
        format!("example: {} # leaktrap:allow\n", t[2]),
    );
    write(r, "vendor/copied.env", format!("X={}\n", t[3]));
    write(r, ".leaktrapignore", "vendor/\n");
    write(r, "logo.png", b"\x89PNG\r\n\x1a\n\0\0\0binary");
    write(
        r,
        ".leaktrap.toml",
        "[severity]\n\"github.pat-classic\" = \"critical\"\n",
    );
    put(r, "README.md", "demo\n", "init", 10);
    // A baseline entry for known.py, with a justification.
    let (code, _, err) = run(r, &["baseline", "create", "."]);
    assert_eq!(code, 0, "{err}");
    let bl = r.join(".leaktrap-baseline.json");
    let mut doc = read_json(&bl);
    let entries = doc["entries"].as_array_mut().unwrap();
    entries.retain(|e| e["path"] == "app/known.py");
    assert_eq!(entries.len(), 1);
    entries[0]["reason"] = "test fixture, revoked 2026-01-01".into();
    entries[0]["owner"] = "security@example.invalid".into();
    fs::write(&bl, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    (d, t)
}

#[test]
fn the_record_says_what_was_scanned_skipped_suppressed_and_found_never_the_secret() {
    let (d, t) = planted();
    let r = d.path();
    // Reports go to an ignored directory, so a second run scans the same.
    fs::create_dir(r.join("out")).unwrap();
    write(r, ".gitignore", "out/\n");
    let args = [
        "scan",
        ".",
        "--baseline",
        ".leaktrap-baseline.json",
        "-r",
        "out/leaktrap.sarif",
        "--evidence",
        "out/evidence.json",
    ];
    let (code, _, err) = run(r, &args);
    assert_eq!(code, 1, "one finding: {err}");
    let ev_text = fs::read_to_string(r.join("out/evidence.json")).unwrap();
    for secret in &t {
        assert!(!ev_text.contains(secret.as_str()), "a secret in the record");
        assert!(
            !ev_text.contains(&secret[4..20]),
            "part of a secret in the record"
        );
    }
    let ev: Value = serde_json::from_str(&ev_text).unwrap();
    assert_eq!(ev["schema"], "leaktrap.evidence");
    assert_eq!(ev["mode"], "scan");
    assert_eq!(ev["verdict"], "findings");
    assert_eq!(ev["exit_code"], 1);
    assert_eq!(ev["tool"]["name"], "leaktrap");
    assert_eq!(ev["tool"]["binary_sha256"].as_str().unwrap().len(), 64);

    // The target: the repository at its HEAD.
    let head = git(r, &["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(ev["target"]["repository"]["head"], head.as_str());
    assert_eq!(ev["target"]["repository"]["head_ref"], "refs/heads/main");
    assert_eq!(ev["target"]["repository"]["shallow"], false);

    // Rules and config: where the config came from, and digests.
    assert!(ev["rules"]["count"].as_u64().unwrap() > 40);
    assert_eq!(ev["rules"]["custom"], 0);
    assert_eq!(ev["rules"]["sha256"].as_str().unwrap().len(), 64);
    let src = &ev["config"]["sources"][0];
    assert_eq!(src["repository_path"], ".leaktrap.toml");
    assert_eq!(src["found_by"], "found at the repository root");
    let inputs: Vec<(&str, &str)> = ev["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap(),
                i["repository_path"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        inputs.contains(&("ignore-file", ".leaktrapignore")),
        "{inputs:?}"
    );
    assert!(
        inputs.contains(&("baseline", ".leaktrap-baseline.json")),
        "{inputs:?}"
    );

    // Every skipped item with its reason.
    let items: Vec<(&str, &str)> = ev["skipped"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["path"].as_str().unwrap(), i["reason"].as_str().unwrap()))
        .collect();
    assert!(
        items.contains(&("./logo.png", "binary")) || items.contains(&("logo.png", "binary")),
        "{items:?}"
    );
    assert!(
        items
            .iter()
            .any(|(p, why)| p.ends_with("vendor") && *why == "ignored"),
        "{items:?}"
    );
    assert_eq!(ev["skipped"]["counts"]["binary"], 1);

    // Suppressions by mechanism, the baseline entry with its reason and owner.
    assert_eq!(ev["suppressions"]["counts"]["inline"], 1);
    assert_eq!(ev["suppressions"]["counts"]["baseline"], 1);
    let m = &ev["suppressions"]["baseline"]["matched"][0];
    assert_eq!(m["path"], "app/known.py");
    assert_eq!(m["reason"], "test fixture, revoked 2026-01-01");
    assert_eq!(m["owner"], "security@example.invalid");
    assert_eq!(m["findings"], 1);

    // Findings by rule and severity (the config's override applied).
    assert_eq!(ev["findings"]["total"], 1);
    assert_eq!(ev["findings"]["by_rule"][0]["rule"], "github.pat-classic");
    assert_eq!(ev["findings"]["by_rule"][0]["severity"], "critical");
    assert_eq!(ev["findings"]["by_severity"]["critical"], 1);
    assert!(ev["counts"]["files_scanned"].as_u64().unwrap() >= 4);

    // The report's digest, with a path relative to the record.
    let rep = &ev["reports"][0];
    assert_eq!(rep["path"], "leaktrap.sarif");
    assert_eq!(rep["format"], "sarif");
    let bytes = fs::read(r.join("out/leaktrap.sarif")).unwrap();
    assert_eq!(rep["bytes"], bytes.len());

    // Same input, same record apart from its times.
    let (code, _, _) = run(r, &args);
    assert_eq!(code, 1);
    assert_eq!(
        timeless(read_json(&r.join("out/evidence.json"))),
        timeless(ev.clone())
    );
    // Whatever the thread count (the command line itself differs).
    let mut more = args.to_vec();
    more.extend(["-j", "3"]);
    run(r, &more);
    let mut threaded = timeless(read_json(&r.join("out/evidence.json")));
    threaded["command_line"] = ev["command_line"].clone();
    assert_eq!(threaded, timeless(ev));
}

#[test]
fn verify_checks_reports_config_and_rules() {
    let (d, _) = planted();
    let r = d.path();
    let (code, _, err) = run(
        r,
        &[
            "scan",
            ".",
            "-r",
            "report.json",
            "--evidence",
            "evidence.json",
        ],
    );
    assert_eq!(code, 1, "{err}");
    let (code, out, err) = run(r, &["evidence", "verify", "evidence.json"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("ok       report"), "{out}");
    assert!(out.contains("the same as at the scan"), "{out}");

    // A report edited after the scan.
    let report = r.join("report.json");
    let original = fs::read(&report).unwrap();
    fs::write(&report, b"{}").unwrap();
    let (code, out, _) = run(r, &["evidence", "verify", "evidence.json"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("MISMATCH report") && out.contains("report.json"),
        "{out}"
    );
    fs::write(&report, original).unwrap();

    // A config that changes the rules in force.
    write(r, ".leaktrap.toml", "disable = [\"github.pat-classic\"]\n");
    let (code, out, _) = run(r, &["evidence", "verify", "evidence.json"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("MISMATCH config"), "{out}");
    assert!(out.contains("MISMATCH rules"), "{out}");

    // Another checkout of the same repository, with --repo.
    let copy = tempfile::tempdir().unwrap();
    write(
        copy.path(),
        ".leaktrap.toml",
        "[severity]\n\"github.pat-classic\" = \"critical\"\n",
    );
    write(copy.path(), ".leaktrapignore", "vendor/\n");
    let (code, out, _) = run(
        r,
        &[
            "evidence",
            "verify",
            "evidence.json",
            "--repo",
            copy.path().to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{out}");

    // Not a record.
    fs::write(r.join("bogus.json"), "{\"schema\": \"leaktrap.baseline\"}").unwrap();
    let (code, _, err) = run(r, &["evidence", "verify", "bogus.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a leaktrap evidence record"), "{err}");
}

#[test]
fn history_records_every_ref_tip_blobs_and_commits() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    put(r, "a.txt", "one\n", "first", 10);
    let first = put(r, "b.txt", "two\n", "second", 20);
    git(r, &["branch", "side", &first]);
    git(r, &["tag", "v1"]);
    let (code, _, err) = run(r, &["git", ".", "--evidence", "ev.json"]);
    assert_eq!(code, 0, "{err}");
    let ev = read_json(&r.join("ev.json"));
    assert_eq!(ev["mode"], "git");
    assert_eq!(ev["verdict"], "clean");
    assert_eq!(ev["counts"]["commits_scanned"], 2);
    assert_eq!(ev["counts"]["blobs_scanned"], 2);
    assert_eq!(ev["counts"]["files_scanned"], 0);
    let refs: Vec<&str> = ev["target"]["repository"]["refs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        refs,
        vec!["refs/heads/main", "refs/heads/side", "refs/tags/v1"]
    );
    assert_eq!(ev["target"]["repository"]["refs"][1]["oid"], first.as_str());
    assert_eq!(ev["reports"].as_array().unwrap().len(), 0);

    // An evidence path in a missing directory is refused before scanning.
    let (code, _, err) = run(r, &["git", ".", "--evidence", "nowhere/ev.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot write the evidence record"), "{err}");
}
