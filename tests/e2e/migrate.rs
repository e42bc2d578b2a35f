//! Drop-in migration from Gitleaks, secretlint and detect-secrets: their
//! suppressions, Gitleaks' command lines and report shape, and the import
//! of a detect-secrets baseline (docs/migrating.md).
//!
//! The directive words are written split (`concat!`) where a test needs one
//! that leaktrap's self-scan would warn about.

use super::staged::{git, init_repo, put};
use super::{gh_token, leaktrap, run_json, scan_json, write};
use serde_json::Value;
use std::path::Path;

const RULE: &str = "github.pat-classic";

fn suppressed(v: &Value, kind: &str) -> u64 {
    v["stats"]["suppressed"][kind].as_u64().unwrap_or(0)
}

fn reported_paths(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect()
}

/// Runs leaktrap in `dir`; returns (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = leaktrap().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_peer_suppression_works_in_scan_mode_and_is_counted() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    let t = |n: u32| gh_token(700 + n);
    write(
        r,
        "gl_allow.py",
        format!("a = \"{}\"  # gitleaks:allow\n", t(1)),
    );
    write(
        r,
        "ds_same.py",
        format!("b = \"{}\"  # pragma: allowlist secret\n", t(2)),
    );
    write(
        r,
        "ds_next.py",
        format!(
            "# pragma: allowlist nextline secret\nc = \"{}\"\nc2 = \"{}\"\n",
            t(3),
            t(4)
        ),
    );
    write(
        r,
        "sl_line.js",
        format!("d = \"{}\" // secretlint-disable-line\n", t(5)),
    );
    write(
        r,
        "sl_next.js",
        format!("// secretlint-disable-next-line\ne = \"{}\"\n", t(6)),
    );
    write(
        r,
        "sl_block.js",
        format!(
            "/* secretlint-disable */\nf = \"{}\"\n/* secretlint-enable */\ng = \"{}\"\n",
            t(7),
            t(8)
        ),
    );
    // A rule list: the GitHub rule is named, so its token is suppressed;
    // naming only the AWS rule leaves a GitHub token reported.
    write(
        r,
        "sl_rules.js",
        format!(
            "h = \"{}\" // secretlint-disable-line @secretlint/secretlint-rule-github\n\
             i = \"{}\" // secretlint-disable-line @secretlint/secretlint-rule-aws -- why\n",
            t(9),
            t(10)
        ),
    );
    write(
        r,
        "lt_allow.py",
        format!("j = \"{}\"  # leaktrap:allow\n", t(11)),
    );
    write(r, "ignored_by_gl.py", format!("\n\nk = \"{}\"\n", t(12)));
    write(
        r,
        ".gitleaksignore",
        format!("# known\nignored_by_gl.py:{RULE}:3\nother.py:{RULE}:9\n"),
    );
    write(r, "vendor/lib.js", format!("l = \"{}\"\n", t(13)));
    write(r, ".secretlintignore", "vendor/\n");

    let (code, v, err) = scan_json(r, &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        reported_paths(&v),
        vec!["ds_next.py", "sl_block.js", "sl_rules.js"],
        "{v}"
    );
    let lines: Vec<u64> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["start_line"].as_u64().unwrap())
        .collect();
    assert_eq!(
        lines,
        vec![3, 4, 2],
        "only the line after the pragma, after the block, the AWS-only line"
    );
    assert_eq!(suppressed(&v, "gitleaks-allow"), 1);
    assert_eq!(suppressed(&v, "detect-secrets-pragma"), 2);
    assert_eq!(suppressed(&v, "secretlint-disable"), 4);
    assert_eq!(suppressed(&v, "inline"), 1);
    assert_eq!(suppressed(&v, "gitleaksignore"), 1);
    assert!(v["stats"]["skipped"]["ignored"].as_u64().unwrap() >= 1);
    assert!(
        err.contains("1 gitleaks-allow"),
        "summary names the kinds: {err}"
    );

    // An unknown secretlint rule name suppresses nothing and is named.
    write(
        r,
        "sl_unknown.js",
        format!(
            concat!(
                "m = \"{}\" // secretlint-",
                "disable-line @acme/secretlint-rule-custom\n"
            ),
            t(14)
        ),
    );
    let (_, v, _) = scan_json(r, &[]);
    assert!(reported_paths(&v).contains(&"sl_unknown.js".to_string()));
    let warnings = v["stats"]["warnings"].to_string();
    assert!(
        warnings.contains("sl_unknown.js:1") && warnings.contains("@acme/secretlint-rule-custom"),
        "{warnings}"
    );
}

#[test]
fn gitleaksignore_commit_entries_apply_to_that_commit_in_history() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    let t1 = gh_token(801);
    let first = put(
        r,
        "conf/app.env",
        &format!("x=1\nTOKEN={t1}\n"),
        "add app",
        10,
    );
    let t2 = gh_token(802);
    put(
        r,
        "conf/other.env",
        &format!("TOKEN={t2}\n"),
        "add other",
        20,
    );

    let history = |extra: &[&str]| {
        run_json(
            leaktrap()
                .current_dir(r)
                .args(["git", "--format", "json"])
                .args(extra),
        )
    };
    let (code, v, _) = history(&[]);
    assert_eq!(code, 1);
    assert_eq!(v["findings"].as_array().unwrap().len(), 2);

    // A commit entry for another commit does not apply; for this one, it
    // does. (Written outside the repository, so it is not history.)
    let outside = tempfile::tempdir().unwrap();
    let ign = outside.path().join("ignore");
    std::fs::write(&ign, format!("{}:conf/app.env:{RULE}:2\n", "0".repeat(40))).unwrap();
    let (code, v, _) = history(&["-i", ign.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(suppressed(&v, "gitleaksignore"), 0);
    std::fs::write(
        &ign,
        format!("{}:conf/app.env:{RULE}:2\n", first.to_uppercase()),
    )
    .unwrap();
    let (code, v, _) = history(&["--gitleaks-ignore-path", ign.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(reported_paths(&v), vec!["conf/other.env"]);
    assert_eq!(suppressed(&v, "gitleaksignore"), 1);

    // A commit entry never applies outside history; a 3-part entry applies
    // in every mode, from the repository root's .gitleaksignore.
    let (_, v, _) = scan_json(r, &["-i", ign.to_str().unwrap()]);
    assert_eq!(suppressed(&v, "gitleaksignore"), 0);
    write(r, ".gitleaksignore", format!("conf/other.env:{RULE}:1\n"));
    let (_, v, _) = history(&["-i", ign.to_str().unwrap()]);
    assert_eq!(v["findings"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(suppressed(&v, "gitleaksignore"), 2);
    let (_, v, _) = scan_json(r, &[]);
    assert_eq!(reported_paths(&v), vec!["conf/app.env"]);
}

fn sha1_hex(s: &str) -> String {
    use sha1::{Digest, Sha1};
    Sha1::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn a_detect_secrets_baseline_imports_as_leaktrap_entries_with_audit_labels() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    let (t1, t2) = (gh_token(901), gh_token(902));
    write(
        r,
        "app/settings.py",
        format!("A = \"{t1}\"\nB = \"{t2}\"\n"),
    );
    let t3 = gh_token(903);
    write(r, "new.py", format!("C = \"{t3}\"\n"));
    let ds = serde_json::json!({
        "version": "1.5.0",
        "plugins_used": [{"name": "GitHubTokenDetector"}],
        "filters_used": [],
        "results": {
            "app/settings.py": [
                {"type": "GitHub Token", "filename": "app/settings.py",
                 "hashed_secret": sha1_hex(&t1), "is_verified": false,
                 "line_number": 1, "is_secret": false},
                {"type": "Secret Keyword", "filename": "app/settings.py",
                 "hashed_secret": sha1_hex(&t2), "is_verified": false,
                 "line_number": 2},
                {"type": "Hex High Entropy String", "filename": "app/settings.py",
                 "hashed_secret": sha1_hex("not in any file"), "is_verified": false,
                 "line_number": 7}
            ]
        },
        "generated_at": "2026-01-02T03:04:05Z"
    });
    write(
        r,
        ".secrets.baseline",
        serde_json::to_string_pretty(&ds).unwrap(),
    );
    let (code, _, err) = run(r, &["baseline", "import", ".secrets.baseline"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("imported 2 entries"), "{err}");
    assert!(
        err.contains("app/settings.py:7: Hex High Entropy String: no leaktrap finding"),
        "{err}"
    );
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(r.join(".leaktrap-baseline.json")).unwrap())
            .unwrap();
    let reasons: Vec<&str> = doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons.len(), 2);
    assert!(reasons.contains(&"detect-secrets audit: not a secret"));
    assert!(reasons.contains(&"imported from a detect-secrets baseline (not audited)"));
    let text = doc.to_string();
    for t in [&t1, &t2] {
        assert!(!text.contains(t.as_str()) && !text.contains(&sha1_hex(t)));
    }

    // The imported entries suppress their findings; the new secret is reported.
    let (code, v, _) = scan_json(r, &["--baseline", ".leaktrap-baseline.json"]);
    assert_eq!(code, 1);
    assert_eq!(reported_paths(&v), vec!["new.py"]);
    assert_eq!(suppressed(&v, "baseline"), 2);

    // A malformed file is an error naming it.
    write(r, "bad.baseline", "{\"results\": [1]}");
    let (code, _, err) = run(r, &["baseline", "import", "bad.baseline"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("bad.baseline:1:") && err.contains("detect-secrets"),
        "{err}"
    );
}

/// A directory with one token on line 2 of `cfg/app.env`.
fn planted() -> (tempfile::TempDir, String) {
    let d = tempfile::tempdir().unwrap();
    let t = gh_token(1001);
    write(d.path(), "cfg/app.env", format!("# app\nTOKEN={t}\n"));
    (d, t)
}

#[test]
fn gitleaks_command_lines_work_with_the_binary_name_changed() {
    let (d, t) = planted();
    let r = d.path();
    // gitleaks dir [PATH] / --source, -f json -r FILE: Gitleaks' shape.
    for args in [
        vec!["dir", ".", "-f", "json", "-r", "report.json"],
        vec![
            "dir",
            "--source",
            ".",
            "--report-format",
            "json",
            "--report-path",
            "report.json",
        ],
        vec!["files", "-r", "report.json"],
        vec![
            "detect",
            "--no-git",
            "--source",
            ".",
            "-f",
            "json",
            "-r",
            "report.json",
            "--no-banner",
            "-v",
        ],
    ] {
        let _ = std::fs::remove_file(r.join("report.json"));
        let (code, _, err) = run(r, &args);
        assert_eq!(code, 1, "{args:?}: {err}");
        let text = std::fs::read_to_string(r.join("report.json")).unwrap();
        assert!(
            text.starts_with("[\n {\n  \"RuleID\": \"github.pat-classic\""),
            "{args:?}: {text}"
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v[0]["File"], "cfg/app.env");
        assert_eq!(v[0]["StartLine"], 2);
        assert_eq!(v[0]["Commit"], "");
        assert_eq!(v[0]["Fingerprint"], format!("cfg/app.env:{RULE}:2"));
        assert!(!text.contains(&t), "masked by default: {text}");
    }
    // --exit-code sets the findings code; -r - writes to stdout.
    let (code, out, _) = run(
        r,
        &[
            "dir",
            "-f",
            "json",
            "-r",
            "-",
            "--exit-code",
            "7",
            "-l",
            "error",
        ],
    );
    assert_eq!(code, 7);
    assert!(out.starts_with('['), "{out}");
    // leaktrap's own --format json keeps leaktrap's schema.
    let (_, out, _) = run(r, &["dir", "--format", "json"]);
    assert!(out.contains("\"schema\": \"leaktrap.report\""), "{out}");
    // stdin.
    let out = leaktrap()
        .current_dir(r)
        .args(["stdin", "-f", "json"])
        .write_stdin(format!("x = {t}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"RuleID\""));
    // --redact=N and --show-secrets in Gitleaks' shape.
    let (_, out, _) = run(r, &["dir", "-f", "json", "--redact=50"]);
    assert!(
        out.contains(&format!("\"Secret\": \"{}...\"", &t[..20])),
        "{out}"
    );
    let (_, out, _) = run(r, &["dir", "-f", "json", "--redact"]);
    assert!(out.contains("\"Secret\": \"REDACTED\""), "{out}");
    let (_, out, _) = run(r, &["dir", "-f", "json", "--show-secrets"]);
    assert!(out.contains(&format!("\"Secret\": \"{t}\"")), "{out}");
    // Unsupported log options and template reports are errors naming them.
    let (code, _, err) = run(r, &["git", "--log-opts=--all --no-merges"]);
    assert_eq!(code, 2);
    assert!(err.contains("`--no-merges`"), "{err}");
    let (code, _, err) = run(r, &["dir", "-f", "template"]);
    assert_eq!(code, 2);
    assert!(err.contains("template"), "{err}");
}

#[test]
fn a_gitleaks_report_is_a_baseline() {
    let (d, _) = planted();
    let r = d.path();
    let (code, _, _) = run(r, &["dir", "-f", "json", "-r", "base.json"]);
    assert_eq!(code, 1);
    let (code, v, err) = run_json(leaktrap().current_dir(r).args([
        "scan",
        "--format",
        "json",
        "--baseline-path",
        "base.json",
    ]));
    assert_eq!(code, 0, "{v} {err}");
    assert_eq!(suppressed(&v, "gitleaks-baseline"), 1);
    // Gitleaks compares exact lines: a moved secret is new again.
    let t = gh_token(1001);
    write(r, "cfg/app.env", format!("# app\n\nTOKEN={t}\n"));
    let (code, _, _) = run(r, &["dir", "-b", "base.json"]);
    assert_eq!(code, 1);
    // Not a Gitleaks report: an error naming the file and position.
    write(r, "bad.json", "{\"RuleID\": 1}");
    let (code, _, err) = run(r, &["dir", "-b", "bad.json"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("bad.json:1:") && err.contains("Gitleaks JSON report"),
        "{err}"
    );
}

#[test]
fn gitleaks_history_and_staged_command_lines() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    let t1 = gh_token(1101);
    let c1 = put(r, "a.env", &format!("A={t1}\n"), "first", 10);
    let t2 = gh_token(1102);
    put(r, "b.env", &format!("B={t2}\n"), "second", 20);

    // detect (history by default), git with --log-opts.
    let (code, out, err) = run(r, &["detect", "-f", "json", "-r", "-"]);
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    let a = v
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["File"] == "a.env")
        .unwrap();
    assert_eq!(a["Commit"], c1.as_str());
    assert_eq!(a["Author"], "Ada Tester");
    assert_eq!(a["Fingerprint"], format!("{c1}:a.env:{RULE}:1"));
    let (code, out, _) = run(r, &["git", "-s", ".", "--log-opts=-n 1", "-f", "json"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    let files: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["File"].as_str().unwrap())
        .collect();
    assert_eq!(files, vec!["b.env"], "-n 1: the last commit only");
    let (code, out, _) = run(
        r,
        &["git", "--log-opts", &format!("{c1}..HEAD"), "-f", "json"],
    );
    assert_eq!(code, 1);
    assert!(out.contains("b.env") && !out.contains("\"a.env\""), "{out}");

    // protect --staged and git --pre-commit --staged: what the commit adds.
    let t3 = gh_token(1103);
    write(r, "c.env", format!("C={t3}\n"));
    git(r, &["add", "c.env"]);
    for args in [
        vec!["protect", "--staged", "-f", "json"],
        vec!["git", "--pre-commit", "--staged", "-f", "json"],
    ] {
        let (code, out, err) = run(r, &args);
        assert_eq!(code, 1, "{args:?}: {err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        let files: Vec<&str> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["File"].as_str().unwrap())
            .collect();
        assert_eq!(files, vec!["c.env"], "{args:?}");
    }
    // Unstaged changes are not something leaktrap scans: a clear error.
    let (code, _, err) = run(r, &["protect"]);
    assert_eq!(code, 2);
    assert!(err.contains("--staged"), "{err}");
}

/// Files with one finding each, of leaktrap rules that Gitleaks' default
/// rules `github-pat`, `aws-access-token`, `generic-api-key` and
/// `private-key` cover. Returns the (file, Gitleaks id, line) of each.
fn plant_default_id_findings(r: &Path) -> Vec<(&'static str, &'static str, u64)> {
    write(r, "a.env", format!("# a\nTOKEN={}\n", gh_token(1201)));
    write(r, "b.env", format!("AWS_ID={}\n", super::aws_key_id(1202)));
    let value: String = super::b64_line(1203)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(24)
        .collect();
    write(r, "c.py", format!("api_key = \"{value}\"\n"));
    let body: String = (0..4)
        .map(|i| format!("{}\n", super::b64_line(1210 + i)))
        .collect();
    write(
        r,
        "k.pem",
        format!("-----BEGIN RSA PRIVATE KEY-----\n{body}-----END RSA PRIVATE KEY-----\n"),
    );
    vec![
        ("a.env", "github-pat", 2),
        ("b.env", "aws-access-token", 1),
        ("c.py", "generic-api-key", 1),
        ("k.pem", "private-key", 1),
    ]
}

#[test]
fn gitleaks_default_rule_ids_suppress_the_builtin_rules_that_cover_them() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    let planted = plant_default_id_findings(r);
    let (code, v, err) = scan_json(r, &[]);
    assert_eq!(code, 1, "{err}");
    let rules: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        rules,
        vec![
            "github.pat-classic",
            "aws.access-key-id",
            "generic.api-key-assignment",
            "private-key.rsa"
        ],
        "{v}"
    );

    // .gitleaksignore entries written for Gitleaks' default config.
    let mut ignore: String = planted
        .iter()
        .map(|(f, id, l)| format!("{f}:{id}:{l}\n"))
        .collect();
    // Wrong line, an unknown id, a Gitleaks id leaktrap has no rule for.
    ignore.push_str("a.env:github-pat:9\nb.env:no-such-rule:1\nc.py:pkcs12-file:1\n");
    write(r, ".gitleaksignore", &ignore);
    let (code, v, err) = scan_json(r, &[]);
    assert_eq!(code, 0, "{v} {err}");
    assert_eq!(suppressed(&v, "gitleaksignore"), 4);
    // A Gitleaks id names only the formats it covers: `aws-access-token`
    // on the GitHub token's line suppresses nothing.
    write(r, ".gitleaksignore", "a.env:aws-access-token:2\n");
    let (code, v, _) = scan_json(r, &[]);
    assert_eq!(code, 1);
    assert!(reported_paths(&v).contains(&"a.env".to_string()));
    // Ids that can match nothing are warnings naming the file and line.
    write(r, ".gitleaksignore", &ignore);
    let (_, v, _) = scan_json(r, &[]);
    let warnings = v["stats"]["warnings"].to_string();
    assert!(
        warnings.contains(".gitleaksignore:6") && warnings.contains("no-such-rule"),
        "{warnings}"
    );
    assert!(
        warnings.contains(".gitleaksignore:7") && warnings.contains("pkcs12-file"),
        "{warnings}"
    );
    assert!(!warnings.contains(".gitleaksignore:1"), "{warnings}");

    // History: the same entries, and commit entries, suppress there too.
    std::fs::remove_file(r.join(".gitleaksignore")).unwrap();
    git(r, &["add", "-A"]);
    let c = super::staged::commit_at(r, "plant", 10);
    let history = |extra: &[&str]| {
        run_json(
            leaktrap()
                .current_dir(r)
                .args(["git", "--format", "json"])
                .args(extra),
        )
    };
    let (code, v, _) = history(&[]);
    assert_eq!(code, 1);
    assert_eq!(v["findings"].as_array().unwrap().len(), 4);
    let outside = tempfile::tempdir().unwrap();
    let ign = outside.path().join("gitleaksignore");
    let entries: String = planted
        .iter()
        .enumerate()
        .map(|(i, (f, id, l))| {
            if i % 2 == 0 {
                format!("{c}:{f}:{id}:{l}\n")
            } else {
                format!("{f}:{id}:{l}\n")
            }
        })
        .collect();
    std::fs::write(&ign, entries).unwrap();
    let (code, v, err) = history(&["-i", ign.to_str().unwrap()]);
    assert_eq!(code, 0, "{v} {err}");
    assert_eq!(suppressed(&v, "gitleaksignore"), 4);

    // A Gitleaks baseline with Gitleaks' default ids, in both modes.
    let baseline = |commit: &str| {
        let items: Vec<Value> = planted
            .iter()
            .map(|(f, id, l)| {
                let end = if *f == "k.pem" { 6 } else { *l };
                serde_json::json!({
                    "RuleID": id, "Description": "", "StartLine": l, "EndLine": end,
                    "StartColumn": 1, "EndColumn": 2, "Match": "REDACTED",
                    "Secret": "REDACTED", "File": f, "SymlinkFile": "",
                    "Commit": commit, "Entropy": 4.0, "Author": "", "Email": "",
                    "Date": "", "Message": "", "Tags": [], "Fingerprint": ""
                })
            })
            .collect();
        serde_json::to_string(&items).unwrap()
    };
    let base = outside.path().join("base.json");
    std::fs::write(&base, baseline("")).unwrap();
    let (code, v, err) = scan_json(r, &["-b", base.to_str().unwrap()]);
    assert_eq!(code, 0, "{v} {err}");
    assert_eq!(suppressed(&v, "gitleaks-baseline"), 4);
    std::fs::write(&base, baseline(&c)).unwrap();
    let (code, v, err) = history(&["-b", base.to_str().unwrap()]);
    assert_eq!(code, 0, "{v} {err}");
    assert_eq!(suppressed(&v, "gitleaks-baseline"), 4);
    // An id in a baseline that matches nothing is a warning, once.
    let mut items: Vec<Value> = serde_json::from_str(&baseline(&c)).unwrap();
    for it in &mut items {
        it["RuleID"] = "made-up-rule".into();
    }
    std::fs::write(&base, serde_json::to_string(&items).unwrap()).unwrap();
    let (code, v, _) = history(&["-b", base.to_str().unwrap()]);
    assert_eq!(code, 1);
    let warnings = v["stats"]["warnings"].to_string();
    assert_eq!(warnings.matches("made-up-rule").count(), 1, "{warnings}");
}

#[test]
fn with_a_gitleaks_config_its_own_ids_match_exactly() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    write(
        r,
        ".gitleaks.toml",
        "[[rules]]\nid = \"github-pat\"\nregex = '''ghp_[0-9a-zA-Z]{36}'''\n",
    );
    write(r, "a.env", format!("TOKEN={}\n", gh_token(1301)));
    write(r, ".gitleaksignore", "a.env:github-pat:1\n");
    let (code, v, err) = scan_json(r, &[]);
    assert_eq!(code, 0, "{v} {err}");
    assert_eq!(suppressed(&v, "gitleaksignore"), 1);
    // leaktrap's id names no rule in force here: a warning, nothing hidden.
    write(r, ".gitleaksignore", "a.env:github.pat-classic:1\n");
    let (code, v, _) = scan_json(r, &[]);
    assert_eq!(code, 1);
    assert!(
        v["stats"]["warnings"]
            .to_string()
            .contains("github.pat-classic"),
        "{v}"
    );
}

#[test]
fn the_gitleaks_config_and_the_baseline_file_are_not_scanned() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    let t = gh_token(1401);
    // A config whose comment holds a token, as configs' examples may.
    write(
        r,
        ".gitleaks.toml",
        format!("# e.g. {t}\n[extend]\nuseDefault = true\n"),
    );
    write(r, "app.env", format!("T={}\n", gh_token(1402)));
    let (code, v, err) = scan_json(r, &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(reported_paths(&v), vec!["app.env"]);
    assert_eq!(v["stats"]["skipped"]["scanner-file"], 1, "{v}");
    // The baseline (a report with the secrets shown) is skipped too, in
    // `dir` as in `scan`.
    let (code, _, err) = run(
        r,
        &["dir", "-f", "json", "-r", "base.json", "--show-secrets"],
    );
    assert_eq!(code, 1, "{err}");
    for args in [
        vec!["scan", "--format", "json", "-b", "base.json"],
        vec!["dir", ".", "--format", "json", "-b", "base.json"],
    ] {
        let (code, v, err) = run_json(leaktrap().current_dir(r).args(&args));
        assert_eq!(code, 0, "{args:?}: {v} {err}");
        assert_eq!(v["stats"]["skipped"]["scanner-file"], 2, "{args:?}: {v}");
    }
    // Named with --config, it is skipped as well; a leaktrap config is not
    // a Gitleaks input and is scanned as before.
    std::fs::remove_file(r.join("base.json")).unwrap();
    std::fs::rename(r.join(".gitleaks.toml"), r.join("gl.toml")).unwrap();
    let (_, v, _) = scan_json(r, &["--config", "gl.toml"]);
    assert_eq!(v["stats"]["skipped"]["scanner-file"], 1, "{v}");
    assert_eq!(reported_paths(&v), vec!["app.env"]);
}

#[test]
fn gitleaksignore_is_read_in_the_scan_target_and_the_current_directory() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    write(r, "sub/a.env", format!("A={}\n", gh_token(1501)));
    write(r, "sub/b.env", format!("B={}\n", gh_token(1502)));
    // In the scanned directory (not the repository root).
    write(r, "sub/.gitleaksignore", format!("sub/a.env:{RULE}:1\n"));
    let (code, v, err) = run_json(
        leaktrap()
            .current_dir(r)
            .args(["dir", "sub", "--format", "json"]),
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(reported_paths(&v), vec!["sub/b.env"]);
    assert_eq!(suppressed(&v, "gitleaksignore"), 1);
    // In the current directory, for a scan of another one; `-i` replaces
    // the current directory, as Gitleaks' `-i .` default is replaced.
    std::fs::remove_file(r.join("sub/.gitleaksignore")).unwrap();
    let cwd = tempfile::tempdir().unwrap();
    write(
        cwd.path(),
        ".gitleaksignore",
        format!("sub/b.env:{RULE}:1\n"),
    );
    let target = r.to_str().unwrap();
    let (code, v, _) = run_json(
        leaktrap()
            .current_dir(cwd.path())
            .args(["dir", target, "--format", "json"]),
    );
    assert_eq!(code, 1);
    assert_eq!(suppressed(&v, "gitleaksignore"), 1, "{v}");
    assert!(!reported_paths(&v).iter().any(|p| p.ends_with("b.env")));
    let other = tempfile::tempdir().unwrap();
    let (_, v, _) = run_json(leaktrap().current_dir(cwd.path()).args([
        "dir",
        target,
        "--format",
        "json",
        "-i",
        other.path().to_str().unwrap(),
    ]));
    assert_eq!(suppressed(&v, "gitleaksignore"), 0, "{v}");
    // The same for history: the repository named, and the current directory.
    git(r, &["add", "-A"]);
    super::staged::commit_at(r, "add", 10);
    let (code, v, _) = run_json(
        leaktrap()
            .current_dir(cwd.path())
            .args(["git", target, "--format", "json"]),
    );
    assert_eq!(code, 1);
    assert_eq!(suppressed(&v, "gitleaksignore"), 1, "{v}");
}

#[test]
fn a_commit_entry_naming_a_cherry_pick_of_the_content_suppresses_it() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    put(r, "README", "readme\n", "init", 1);
    let content = format!("TOKEN={}\n", gh_token(1601));
    let first = put(r, "a.env", &content, "on main", 10);
    git(r, &["checkout", "-q", "-b", "side", "HEAD~1"]);
    let picked = put(r, "a.env", &content, "the same, on side", 20);
    let (code, v, _) = run_json(leaktrap().current_dir(r).args(["git", "--format", "json"]));
    assert_eq!(code, 1);
    let f = &v["findings"][0];
    assert_eq!(v["findings"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(f["origin"]["commit"], first.as_str(), "{f}");
    assert_eq!(f["origin"]["also_in"][0], picked.as_str(), "{f}");
    let outside = tempfile::tempdir().unwrap();
    let ign = outside.path().join("ignore");
    std::fs::write(&ign, format!("{picked}:a.env:{RULE}:1\n")).unwrap();
    let (code, v, err) = run_json(leaktrap().current_dir(r).args([
        "git",
        "--format",
        "json",
        "-i",
        ign.to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{v} {err}");
    assert_eq!(suppressed(&v, "gitleaksignore"), 1);
}
