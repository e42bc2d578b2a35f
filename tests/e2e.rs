//! End-to-end tests: the real `leaktrap` binary over trees built in temp dirs.
//! Every token is generated here at run time; none is a real credential.

#[path = "e2e/baseline.rs"]
mod baseline;
#[path = "e2e/decode.rs"]
mod decode;
#[path = "e2e/evidence.rs"]
mod evidence;
#[path = "e2e/formats.rs"]
mod formats;
#[path = "e2e/gitleaks_config.rs"]
mod gitleaks_config;
#[path = "e2e/history.rs"]
mod history;
#[path = "e2e/migrate.rs"]
mod migrate;
#[path = "e2e/staged.rs"]
mod staged;
#[path = "e2e/trace.rs"]
mod trace;

#[cfg(unix)]
#[path = "e2e/hooks.rs"]
mod hooks;

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::Path;

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A GitHub-format classic token with a valid checksum, from a seed.
fn gh_token(seed: u32) -> String {
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(12345);
    let payload: String = (0..30)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            BASE62[(x % 62) as usize] as char
        })
        .collect();
    let mut n = crc32fast::hash(payload.as_bytes());
    let mut check = [b'0'; 6];
    for slot in check.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    format!("ghp_{payload}{}", std::str::from_utf8(&check).unwrap())
}

/// The same token with its last checksum character changed.
fn gh_token_bad_checksum(seed: u32) -> String {
    let mut t = gh_token(seed).into_bytes();
    let last = t.len() - 1;
    t[last] = if t[last] == b'a' { b'b' } else { b'a' };
    String::from_utf8(t).unwrap()
}

fn aws_key_id(seed: u32) -> String {
    const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut x = seed.wrapping_mul(747_796_405).wrapping_add(1);
    let tail: String = (0..16)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            B32[(x % 32) as usize] as char
        })
        .collect();
    format!("AKIA{tail}")
}

/// A 64-character base64 line, from a seed (for key bodies).
fn b64_line(seed: u32) -> String {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut x = seed.wrapping_mul(2_246_822_519).wrapping_add(7);
    (0..64)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            B64[(x % 64) as usize] as char
        })
        .collect()
}

fn leaktrap() -> Command {
    let mut c = Command::cargo_bin("leaktrap").unwrap();
    c.env_remove("LEAKTRAP_CONFIG")
        .env_remove("GITLEAKS_CONFIG")
        .env_remove("GITLEAKS_CONFIG_TOML")
        .env("NO_COLOR", "1");
    c
}

fn write(root: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, content).unwrap();
}

/// Runs `cmd` and returns (exit code, stdout read as JSON, stderr).
fn run_json(cmd: &mut Command) -> (i32, Value, String) {
    let out = cmd.output().unwrap();
    let code = out.status.code().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr: {stderr}"));
    (code, v, stderr)
}

/// Runs `scan --format json` and returns (exit code, report, stderr).
fn scan_json(root: &Path, extra: &[&str]) -> (i32, Value, String) {
    run_json(
        leaktrap()
            .current_dir(root)
            .args(["scan", "--format", "json"])
            .args(extra),
    )
}

/// (path, start line) of every finding in a JSON report.
fn path_lines(v: &Value) -> Vec<(String, u64)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["start_line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn findings(v: &Value) -> Vec<(String, String, u64, u64)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule_id"].as_str().unwrap().to_string(),
                f["start_line"].as_u64().unwrap(),
                f["start_column"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn planted_tokens_are_found_with_rule_line_and_column() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    let t1 = gh_token(1);
    let k1 = aws_key_id(2);
    write(
        r,
        "src/config.py",
        format!("# config\nimport os\nTOKEN = \"{t1}\"\n"),
    );
    write(r, "deploy/aws.env", format!("AWS_ACCESS_KEY_ID={k1}\n"));
    write(
        r,
        "notes.txt",
        format!("wrong checksum: {}\n", gh_token_bad_checksum(3)),
    );
    let (code, v, _) = scan_json(r, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&v),
        vec![
            ("deploy/aws.env".into(), "aws.access-key-id".into(), 1, 19),
            ("src/config.py".into(), "github.pat-classic".into(), 3, 10),
        ]
    );
    assert_eq!(v["verdict"], "findings");
    assert_eq!(v["schema_version"], 1);
}

#[test]
fn secrets_are_masked_in_every_output_unless_revealed() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    let t = gh_token(10);
    write(r, ".env", format!("GITHUB_TOKEN={t}\n"));
    for format in ["text", "json"] {
        let out = leaktrap()
            .current_dir(r)
            .args(["scan", "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let all = [out.stdout, out.stderr].concat();
        let all = String::from_utf8_lossy(&all);
        assert!(
            !all.contains(&t),
            "{format} output leaks the secret:\n{all}"
        );
        assert!(
            !all.contains(&t[4..]),
            "{format} output leaks the secret's body"
        );
        assert!(all.contains("ghp_…(40 chars)"), "{format}: {all}");
    }
    let out = leaktrap()
        .current_dir(r)
        .args(["scan", "--redact=50"])
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.contains(&format!("{}...", &t[..20])) && !s.contains(&t),
        "{s}"
    );
    let out = leaktrap()
        .current_dir(r)
        .args(["scan", "--show-secrets"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(&t));
}

#[test]
fn exit_codes_tell_clean_findings_error_and_incomplete_apart() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(r, "clean.txt", "nothing to see\n");
    leaktrap().current_dir(r).arg("scan").assert().code(0);
    write(r, "leak.txt", format!("{}\n", gh_token(20)));
    leaktrap().current_dir(r).arg("scan").assert().code(1);
    leaktrap()
        .current_dir(r)
        .args(["scan", "--exit-code", "7"])
        .assert()
        .code(7);
    let missing = leaktrap()
        .current_dir(r)
        .args(["scan", "no-such-dir"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&missing.get_output().stderr).into_owned();
    assert!(err.contains("no-such-dir"), "{err}");
    fs::remove_file(r.join("leak.txt")).unwrap();
    // A dangling symlink, followed, cannot be read: the scan is incomplete.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(r.join("gone.txt"), r.join("dangling.txt")).unwrap();
        leaktrap().current_dir(r).arg("scan").assert().code(0);
        let out = leaktrap()
            .current_dir(r)
            .args(["scan", "-L"])
            .assert()
            .code(3);
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(
            err.contains("dangling.txt") && err.contains("incomplete"),
            "{err}"
        );
    }
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_named_and_makes_the_scan_incomplete() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(r, "secret-store/locked.txt", "x\n");
    let locked = r.join("secret-store/locked.txt");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads a 0o000 file anyway; then the file is scanned, clean.
    let readable = fs::read(&locked).is_ok();
    let out = leaktrap().current_dir(r).arg("scan").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    if readable {
        assert_eq!(out.status.code(), Some(0), "{err}");
    } else {
        assert_eq!(out.status.code(), Some(3), "{err}");
        assert!(err.contains("locked.txt"), "{err}");
    }
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o644)).unwrap();
}

#[test]
fn ignore_files_are_honoured_and_no_ignore_scans_everything() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(r, ".gitignore", "build/\n");
    write(r, ".leaktrapignore", "fixtures/\n");
    write(r, "build/out.js", format!("t='{}'\n", gh_token(30)));
    write(r, "fixtures/sample.txt", format!("{}\n", gh_token(31)));
    write(r, "app.js", "console.log(1)\n");
    let (code, v, _) = scan_json(r, &[]);
    assert_eq!(code, 0);
    assert_eq!(v["stats"]["skipped"]["ignored"], 2);
    let (code, v, _) = scan_json(r, &["--no-ignore"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&v).len(), 2);
}

#[test]
fn dotfiles_and_dot_directories_are_scanned_but_not_git() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(r, ".env", format!("GH={}\n", gh_token(40)));
    write(
        r,
        ".github/workflows/ci.yml",
        format!("token: {}\n", gh_token(41)),
    );
    write(r, ".ssh/config", format!("# {}\n", gh_token(42)));
    write(r, ".git/config", format!("# {}\n", gh_token(43)));
    let (_, v, _) = scan_json(r, &[]);
    let paths: Vec<String> = findings(&v).into_iter().map(|f| f.0).collect();
    assert_eq!(
        paths,
        vec![".env", ".github/workflows/ci.yml", ".ssh/config"]
    );
}

#[test]
fn binary_files_are_skipped_and_counted() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    let mut bin = b"\x7fELF\0\0\0".to_vec();
    bin.extend_from_slice(gh_token(50).as_bytes());
    write(r, "tool.bin", bin);
    write(r, "ok.txt", "fine\n");
    let (code, v, stderr) = scan_json(r, &[]);
    assert_eq!(code, 0);
    assert_eq!(v["stats"]["skipped"]["binary"], 1);
    assert_eq!(v["stats"]["files_scanned"], 1);
    assert!(stderr.contains("1 binary"), "{stderr}");
}

#[test]
fn stdin_is_scanned() {
    let t = gh_token(60);
    let out = leaktrap()
        .args(["scan", "-", "--format", "json"])
        .write_stdin(format!("step 1\nexport GH_TOKEN={t}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        findings(&v),
        vec![("<stdin>".into(), "github.pat-classic".into(), 2, 17)]
    );
}

#[test]
fn a_large_file_is_scanned_in_chunks_with_exact_positions() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    // 24 MB: above the whole-file limit, so it is read in windows; tokens at
    // the start, straddling the 8 MiB chunk boundary, and at the end.
    let line = "x".repeat(99) + "\n";
    let mut s = String::with_capacity(24 << 20);
    s.push_str(&format!("{}\n", gh_token(70)));
    while s.len() < (8 << 20) - 20 {
        s.push_str(&line);
    }
    let boundary_line = s.matches('\n').count() as u64 + 1;
    s.push_str(&format!("{}\n", gh_token(71)));
    while s.len() < 24 << 20 {
        s.push_str(&line);
    }
    let last_line = s.matches('\n').count() as u64 + 1;
    s.push_str(&format!("end {}\n", gh_token(72)));
    write(r, "big.log", &s);
    let (code, v, _) = scan_json(r, &[]);
    assert_eq!(code, 1);
    let lines: Vec<(u64, u64)> = findings(&v).into_iter().map(|f| (f.2, f.3)).collect();
    assert_eq!(lines, vec![(1, 1), (boundary_line, 1), (last_line, 5)]);
    assert_eq!(v["stats"]["bytes_scanned"], s.len() as u64);
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    for i in 0..300u32 {
        let body = if i % 3 == 0 {
            format!("a\nb = \"{}\"\n", gh_token(100 + i))
        } else {
            "nothing\n".to_string()
        };
        write(r, &format!("dir{}/file{i}.txt", i % 17), body);
    }
    let run = |t: &str| {
        let out = leaktrap()
            .current_dir(r)
            .args(["scan", "--format", "json", "--threads", t])
            .output()
            .unwrap();
        out.stdout
    };
    let one = run("1");
    assert_eq!(one, run("8"));
    assert_eq!(one, run("3"));
    let v: Value = serde_json::from_slice(&one).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 100);
}

#[test]
fn bad_input_files_are_scanned_without_panics() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(r, "crlf.txt", format!("a\r\nTOKEN={}\r\n", gh_token(80)));
    let mut latin = b"caf\xe9 \xff\xfe = ".to_vec();
    latin.extend_from_slice(gh_token(81).as_bytes());
    write(r, "latin1.txt", latin);
    write(
        r,
        "late-nul.txt",
        format!("{}{}\n\0", "y\n".repeat(10_000), gh_token(82)),
    );
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"name-\xff.txt");
        fs::write(r.join(name), format!("{}\n", gh_token(83))).unwrap();
    }
    let (code, v, stderr) = scan_json(r, &[]);
    assert_eq!(code, 1, "{stderr}");
    let got = findings(&v);
    assert!(
        got.contains(&("crlf.txt".into(), "github.pat-classic".into(), 2, 7)),
        "{got:?}"
    );
    assert!(
        got.contains(&("latin1.txt".into(), "github.pat-classic".into(), 1, 11)),
        "{got:?}"
    );
    assert!(got.iter().any(|f| f.0 == "late-nul.txt"), "{got:?}");
    #[cfg(unix)]
    assert!(got.iter().any(|f| f.0 == "name-\u{fffd}.txt"), "{got:?}");
}

#[test]
fn config_errors_name_the_file_line_and_rule() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(r, "a.txt", "x\n");
    write(
        r,
        ".leaktrap.toml",
        "disable = [\"github.pat-classic\"\n[allow]\n",
    );
    let out = leaktrap().current_dir(r).arg("scan").assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains(".leaktrap.toml:"), "{err}");

    write(
        r,
        ".leaktrap.toml",
        "[[rule]]\nid = \"acme.key\"\nname = \"Acme\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"acme\"]\nregex = '''acme_([a-z]{10'''\n",
    );
    let out = leaktrap().current_dir(r).arg("scan").assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("acme.key") && err.contains("regex"), "{err}");

    write(r, ".leaktrap.toml", "disable = [\"github.pat-clasic\"]\n");
    let out = leaktrap().current_dir(r).arg("scan").assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.contains("github.pat-clasic") && err.contains("github.pat-classic"),
        "{err}"
    );
}

#[test]
fn config_disables_allowlists_and_adds_rules() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(r, "a.txt", format!("{}\nacme_abcdefghij\n", gh_token(90)));
    write(r, "fixtures/b.txt", format!("{}\n", gh_token(91)));
    write(
        r,
        ".leaktrap.toml",
        "disable = [\"github.pat-classic\"]\n[allow]\npaths = ['''^fixtures/''']\n\
         [[rule]]\nid = \"acme.key\"\nname = \"Acme key\"\ndescription = \"d\"\nseverity = \"low\"\n\
         keywords = [\"acme_\"]\nregex = '''\\b(acme_[a-z]{10})\\b'''\n",
    );
    let (code, v, _) = scan_json(r, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&v),
        vec![("a.txt".into(), "acme.key".into(), 2, 1)]
    );
    assert_eq!(v["stats"]["skipped"]["allowlisted-path"], 1);
    // Path allowlists match paths relative to the config's root, whichever
    // directory is scanned and however it is named.
    let (_, v, _) = scan_json(r, &["fixtures"]);
    assert_eq!(v["stats"]["skipped"]["allowlisted-path"], 1);
    let abs = r.join("fixtures");
    let (_, v, _) = scan_json(r, &[abs.to_str().unwrap()]);
    assert_eq!(v["stats"]["skipped"]["allowlisted-path"], 1);
    let shown = leaktrap()
        .current_dir(r)
        .args(["config", "show"])
        .assert()
        .code(0);
    let s = String::from_utf8_lossy(&shown.get_output().stdout).into_owned();
    assert!(
        s.contains(".leaktrap.toml") && s.contains("acme.key"),
        "{s}"
    );
}

#[test]
fn inline_allow_suppresses_and_is_counted() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(
        r,
        "a.py",
        format!("t = \"{}\"  # leaktrap:allow\n", gh_token(95)),
    );
    let (code, v, _) = scan_json(r, &[]);
    assert_eq!(code, 0);
    assert_eq!(v["stats"]["suppressed"]["inline"], 1);
}

/// Generic assignment rules skip unit-test sources (fixtures), where provider
/// formats are still found; the same line elsewhere is a finding.
#[test]
fn generic_assignments_in_unit_test_sources_are_fixtures_but_tokens_are_not() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    let value: String = b64_line(3)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(32)
        .collect();
    let line = format!("\tCookieSecret: \"{value}\",\n");
    write(r, "internal/gateway_test.go", &line);
    write(r, "internal/gateway.go", &line);
    write(
        r,
        "tests/test_client.py",
        format!("TOKEN = \"{}\"\n", gh_token(5)),
    );
    let (_, v, err) = scan_json(r, &[]);
    let mut got = findings(&v)
        .into_iter()
        .map(|(p, rule, _, _)| (p, rule))
        .collect::<Vec<_>>();
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                "internal/gateway.go".to_string(),
                "generic.secret-assignment".to_string()
            ),
            (
                "tests/test_client.py".to_string(),
                "github.pat-classic".to_string()
            ),
        ],
        "{err}"
    );
}

#[test]
fn rules_list_and_check() {
    let out = leaktrap().args(["rules", "list"]).assert().code(0);
    let s = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(s.contains("github.pat-classic"), "{s}");
    let d = tempfile::tempdir().unwrap();
    let good = d.path().join("good.toml");
    fs::write(
        &good,
        "[[rule]]\nid = \"acme.key\"\nname = \"Acme\"\ndescription = \"d\"\nseverity = \"high\"\n\
         keywords = [\"acme_\"]\nregex = '''\\b(acme_[a-z]{10})\\b'''\n\
         examples = [\"k = acme_abcdefghij\"]\nnegative_examples = [\"acme_short\"]\n",
    )
    .unwrap();
    leaktrap()
        .args(["rules", "check"])
        .arg(&good)
        .assert()
        .code(0);
    let bad = d.path().join("bad.toml");
    fs::write(
        &bad,
        "[[rule]]\nid = \"acme.key\"\nname = \"Acme\"\ndescription = \"d\"\nseverity = \"high\"\n\
         keywords = [\"acme_\"]\nregex = '''\\b(acme_[a-z]{10})\\b'''\n\
         examples = [\"k = acme_abc\"]\nnegative_examples = [\"acme_abcdefghij\"]\n",
    )
    .unwrap();
    let out = leaktrap()
        .args(["rules", "check"])
        .arg(&bad)
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.contains("examples[0]") && err.contains("negative_examples[0]"),
        "{err}"
    );
}
