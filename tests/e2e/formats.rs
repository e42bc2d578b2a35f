//! Report formats and `--report-path` through the real binary: the masking
//! sweep over every format and mode, SARIF from real scans against the
//! schema, format inference, atomic and always-written reports.

use super::staged::{git, init_repo};
use super::{gh_token, leaktrap, write};
use serde_json::Value;
use std::fs;
use std::path::Path;

const FORMATS: [(&str, &str); 8] = [
    ("text", "txt"),
    ("json", "json"),
    ("jsonl", "jsonl"),
    ("csv", "csv"),
    ("junit", "xml"),
    ("github", "log"),
    ("markdown", "md"),
    ("sarif", "sarif"),
];

const SPACED: &str = "dir with space/naïve café.env";

/// A repository with two secrets, both staged: one after multi-byte
/// characters on line 1 of a file whose name has spaces and accents.
fn planted_repo(r: &Path) -> [String; 2] {
    let t1 = gh_token(500);
    let t2 = gh_token(501);
    init_repo(r);
    write(r, SPACED, format!("ключ={t1}\nsecond = line\n"));
    write(
        r,
        "app/settings.py",
        format!("DEBUG = True\nTOKEN = \"{t2}\"\n"),
    );
    git(r, &["add", "."]);
    [t1, t2]
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = leaktrap().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn no_format_in_any_mode_shows_a_raw_secret_unless_asked() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    let [t1, t2] = planted_repo(r);
    // A secret found only by decoding: neither its decoded value nor its
    // encoded text may show.
    let t4 = gh_token(503);
    let encoded = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &t4);
    write(
        r,
        "deploy/secret.yaml",
        format!("kind: Secret\ndata:\n  token: {encoded}\n"),
    );
    git(r, &["add", "."]);
    let reports = tempfile::tempdir().unwrap();
    let validator = sarif_validator();
    // For the history and push modes: a commit holding both files, whose
    // message holds a third secret.
    let t3 = gh_token(502);
    let mut secrets = vec![t1.clone(), t2.clone(), t4.clone()];
    for mode in ["scan", "staged", "git", "push"] {
        if mode == "git" {
            git(
                r,
                &["commit", "-q", "-m", &format!("settings\n\nold token {t3}")],
            );
            secrets.push(t3.clone());
        }
        for (format, ext) in FORMATS {
            for hide in [&[][..], &["--redact"][..], &["--redact=50"][..]] {
                let name = format!("{mode}-{format}-{}.{ext}", hide.len());
                let file = reports.path().join(&name);
                // To a file (stdout then has the findings as text) and to stdout.
                // With the evidence record beside it.
                let evidence_file = reports.path().join(format!("{name}.evidence.json"));
                let mut to_file = vec![mode, "--format", format, "-r"];
                to_file.push(file.to_str().unwrap());
                to_file.extend(["--evidence", evidence_file.to_str().unwrap()]);
                to_file.extend(hide);
                let (code, out, err) = run_mode(r, mode, &to_file);
                assert_eq!(code, 1, "{mode} {format} {hide:?}: {err}");
                let report = fs::read_to_string(&file).unwrap();
                let evidence = fs::read_to_string(&evidence_file).unwrap();
                let mut to_stdout = vec![mode, "--format", format];
                to_stdout.extend(hide);
                let (code2, out2, err2) = run_mode(r, mode, &to_stdout);
                if format == "sarif" && matches!(mode, "git" | "push") {
                    // History findings: valid SARIF, with their commit.
                    let doc = valid_sarif(&validator, &report);
                    assert!(
                        results(&doc)
                            .iter()
                            .all(|x| x["properties"]["commit"].as_str().is_some()),
                        "{report}"
                    );
                }
                assert_eq!(code2, 1);
                for s in secrets.iter().chain([&encoded]) {
                    let tail = &s[s.len() - 16..];
                    for (what, text) in [
                        ("report file", &report),
                        ("evidence record", &evidence),
                        ("stdout", &out),
                        ("stderr", &err),
                        ("stdout", &out2),
                        ("stderr", &err2),
                        ("report file name", &name),
                    ] {
                        assert!(
                            !text.contains(s.as_str()) && !text.contains(tail),
                            "{mode} --format {format} {hide:?}: the {what} shows a secret:\n{text}"
                        );
                    }
                }
                assert!(!report.is_empty());
            }
            // Asked to show them, every format does (so the sweep above can fail).
            let file = reports.path().join(format!("{mode}-{format}-shown.{ext}"));
            let (code, _, _) = run_mode(
                r,
                mode,
                &[
                    mode,
                    "--format",
                    format,
                    "--show-secrets",
                    "-r",
                    file.to_str().unwrap(),
                ],
            );
            assert_eq!(code, 1);
            let report = fs::read_to_string(&file).unwrap();
            for s in &secrets {
                assert!(report.contains(s.as_str()), "{mode} {format}:\n{report}");
            }
        }
    }
}

/// Runs a mode; `push` gets the pre-push line of a new branch on stdin.
fn run_mode(dir: &Path, mode: &str, args: &[&str]) -> (i32, String, String) {
    if mode != "push" {
        return run(dir, args);
    }
    let head = git(dir, &["rev-parse", "HEAD"]);
    let line = format!(
        "refs/heads/main {} refs/heads/main {}\n",
        head.trim(),
        "0".repeat(40)
    );
    let mut c = leaktrap();
    c.current_dir(dir).args(args).write_stdin(line);
    let out = c.output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn sarif_validator() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/sarif-schema-2.1.0.json"
    );
    let schema: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn valid_sarif(v: &jsonschema::Validator, text: &str) -> Value {
    let doc: Value = serde_json::from_str(text).expect("SARIF is JSON");
    let errors: Vec<String> = v
        .iter_errors(&doc)
        .take(10)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF: {errors:#?}");
    doc
}

/// GitHub's line hash of `line` in `content`.
fn line_hash(content: &[u8], line: u64) -> String {
    let mut found = None;
    leaktrap_report::line_hashes(content, |l, h| {
        if l == line {
            found = Some(h.to_string());
        }
    });
    found.unwrap()
}

fn results(doc: &Value) -> &Vec<Value> {
    doc["runs"][0]["results"].as_array().unwrap()
}

#[test]
fn sarif_from_real_scans_is_valid_and_points_at_the_right_place() {
    let v = sarif_validator();
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    let [t1, _] = planted_repo(r);

    let (code, out, err) = run(r, &["scan", "--format", "sarif"]);
    assert_eq!(code, 1, "{err}");
    let doc = valid_sarif(&v, &out);
    let res = results(&doc);
    assert_eq!(res.len(), 2);
    let first = res
        .iter()
        .find(|x| x["locations"][0]["physicalLocation"]["region"]["startLine"] == 1)
        .unwrap();
    let loc = &first["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "dir%20with%20space/na%C3%AFve%20caf%C3%A9.env"
    );
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    let region = &loc["region"];
    assert_eq!(
        (
            &region["startLine"],
            &region["startColumn"],
            &region["endLine"],
            &region["endColumn"]
        ),
        (&1.into(), &6.into(), &1.into(), &46.into()),
        "1-based, in characters, exclusive end, after 5 two-byte characters"
    );
    assert_eq!(
        first["partialFingerprints"]["primaryLocationLineHash"],
        line_hash(&fs::read(r.join(SPACED)).unwrap(), 1).as_str()
    );
    let root = fs::canonicalize(r).unwrap();
    assert_eq!(
        doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        format!("file://{}/", root.display()).as_str()
    );
    assert!(!out.contains(&t1));

    // Scanning a subdirectory by an absolute path from elsewhere: URIs stay
    // relative to the repository root.
    let elsewhere = tempfile::tempdir().unwrap();
    let app = root.join("app");
    let (_, out, _) = run(
        elsewhere.path(),
        &["scan", "--format", "sarif", app.to_str().unwrap()],
    );
    let doc = valid_sarif(&v, &out);
    assert_eq!(
        results(&doc)[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "app/settings.py"
    );

    // Staged: the hash is over the staged content, even once the working
    // tree has moved on.
    write(
        r,
        "app/settings.py",
        "# a line added after staging\nDEBUG = True\n",
    );
    let staged_py = git(r, &["show", ":app/settings.py"]);
    let (code, out, err) = run(r, &["staged", "--format", "sarif"]);
    assert_eq!(code, 1, "{err}");
    let doc = valid_sarif(&v, &out);
    let py = results(&doc)
        .iter()
        .find(|x| {
            x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app/settings.py"
        })
        .unwrap();
    assert_eq!(
        py["partialFingerprints"]["primaryLocationLineHash"],
        line_hash(staged_py.as_bytes(), 2).as_str()
    );
}

#[test]
fn sarif_of_a_clean_scan_and_of_many_findings_is_valid() {
    let v = sarif_validator();
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(r, "clean.txt", "nothing to see\n");
    let (code, out, _) = run(r, &["scan", "--format", "sarif"]);
    assert_eq!(code, 0);
    let doc = valid_sarif(&v, &out);
    assert_eq!(doc["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(
        doc["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );

    // 1,200 findings over 40 files, on line 1 and after multi-byte text.
    for f in 0..40u32 {
        let body: String = (0..30u32)
            .map(|i| format!("é={}\n", gh_token(1000 + f * 30 + i)))
            .collect();
        write(r, &format!("many/f{f:02}.txt"), body);
    }
    let (code, out, _) = run(r, &["scan", "--format", "sarif"]);
    assert_eq!(code, 1);
    let doc = valid_sarif(&v, &out);
    let res = results(&doc);
    assert_eq!(res.len(), 1200);
    assert_eq!(
        doc["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    for x in res {
        let region = &x["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startColumn"], 3);
        assert!(x["partialFingerprints"]["primaryLocationLineHash"].is_string());
    }
}

#[test]
fn the_report_path_picks_the_format_and_is_always_written_atomically() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    let [t1, _] = planted_repo(r);
    let out_dir = tempfile::tempdir().unwrap();
    let o = out_dir.path();
    let cases = [
        ("r.sarif", "\"$schema\""),
        ("r.sarif.json", "\"$schema\""),
        ("r.json", "\"schema_version\": 1"),
        ("r.jsonl", "{\"type\":\"summary\""),
        ("r.ndjson", "{\"type\":\"summary\""),
        ("r.csv", "rule_id,rule_name"),
        ("R.XML", "<testsuites"),
        ("r.md", "## leaktrap"),
        ("r.txt", "github.pat-classic"),
    ];
    for (name, marker) in cases {
        let path = o.join(name);
        let (code, out, err) = run(r, &["scan", "-r", path.to_str().unwrap()]);
        assert_eq!(code, 1, "{name}: {err}");
        let report = fs::read_to_string(&path).unwrap();
        assert!(report.contains(marker), "{name}: {report}");
        // People still see the findings, as text.
        assert!(
            out.contains("github.pat-classic") && !out.contains(&t1),
            "{out}"
        );
    }
    // --format wins over the extension; `-` is stdout.
    let p = o.join("forced.txt");
    run(r, &["scan", "--format", "csv", "-r", p.to_str().unwrap()]);
    assert!(fs::read_to_string(&p).unwrap().starts_with("rule_id,"));
    let (_, out, _) = run(r, &["scan", "-r", "-", "--format", "jsonl"]);
    assert!(out.lines().last().unwrap().contains("\"type\":\"summary\""));
    // The file is replaced whole, and no temporary file is left behind.
    fs::write(o.join("r.sarif"), "old content").unwrap();
    run(r, &["scan", "-r", o.join("r.sarif").to_str().unwrap()]);
    assert!(fs::read_to_string(o.join("r.sarif"))
        .unwrap()
        .starts_with('{'));
    let names: Vec<String> = fs::read_dir(o)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp")), "{names:?}");

    // Clean: every format still writes a report, and the exit code is the
    // one without --report-path.
    let clean = tempfile::tempdir().unwrap();
    write(clean.path(), "a.txt", "nothing\n");
    let v = sarif_validator();
    for (format, ext) in FORMATS {
        let p = o.join(format!("clean.{ext}"));
        let (code, _, err) = run(
            clean.path(),
            &["scan", "--format", format, "-r", p.to_str().unwrap()],
        );
        assert_eq!(code, 0, "{format}: {err}");
        assert_eq!(run(clean.path(), &["scan", "--format", format]).0, 0);
        let report = fs::read_to_string(&p).unwrap();
        match format {
            "sarif" => {
                valid_sarif(&v, &report);
            }
            "json" => assert!(report.contains("\"verdict\": \"clean\"")),
            "junit" => assert!(report.contains("no secrets found")),
            "csv" => assert!(report.starts_with("rule_id,")),
            "jsonl" => assert!(report.contains("\"verdict\":\"clean\"")),
            "markdown" => assert!(report.contains("no secrets found")),
            _ => {}
        }
    }
}

#[test]
fn bad_report_paths_are_clear_errors_before_scanning() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(r, "a.txt", "nothing\n");
    let (code, _, err) = run(r, &["scan", "-r", "report.out"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot tell the report format from the name report.out")
            && err.contains("--format"),
        "{err}"
    );
    assert!(!err.contains("scanned"), "fails before scanning: {err}");
    let (code, _, err) = run(r, &["scan", "-r", "no/such/dir/r.sarif"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no/such/dir/r.sarif") && err.contains("does not exist"),
        "{err}"
    );
    fs::create_dir(r.join("taken.sarif")).unwrap();
    let (code, _, err) = run(r, &["scan", "-r", "taken.sarif"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("taken.sarif") && err.contains("directory"),
        "{err}"
    );
    let (code, _, err) = run(r, &["scan", "-r", "a.txt/r.sarif"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("a.txt/r.sarif") && err.contains("a.txt is not a directory"),
        "{err}"
    );
    let (code, _, err) = run(r, &["staged", "-r", "report.out"]);
    assert_eq!(code, 2, "{err}");
}
