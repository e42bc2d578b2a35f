//! Gitleaks configs (`.gitleaks.toml`, `--config`, `GITLEAKS_CONFIG*`):
//! every config is written here; every token is generated at run time.

use super::*;

/// A lowercase alphanumeric string of `n` characters with high entropy.
fn random_alnum(seed: u32, n: usize) -> String {
    const A: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(99);
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            A[(x % 36) as usize] as char
        })
        .collect()
}

/// (path, rule, line) of every finding, sorted.
fn plr(v: &Value) -> Vec<(String, String, u64)> {
    let mut out: Vec<_> = findings(v)
        .into_iter()
        .map(|(p, r, l, _)| (p, r, l))
        .collect();
    out.sort();
    out
}

fn t(p: &str, r: &str, l: u64) -> (String, String, u64) {
    (p.to_string(), r.to_string(), l)
}

const ACME: &str = r#"
title = "acme"

[[rules]]
id = "acme-key"
description = "Acme API key"
regex = '''acme_(?:live|test)_([a-z0-9]{24})\b'''
secretGroup = 1
entropy = 3.0
keywords = ["ACME_"]
"#;

#[test]
fn custom_rule_with_secret_group_and_entropy() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".gitleaks.toml", ACME);
    let key = random_alnum(1, 24);
    write(
        root,
        "app.env",
        format!(
            "a = 1\nKEY=acme_live_{key}\nLOW=acme_test_{}\n",
            "a".repeat(24)
        ),
    );
    let (code, v, stderr) = scan_json(root, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(plr(&v), vec![t("app.env", "acme-key", 2)]);
    let f = &v["findings"][0];
    assert_eq!(f["secret_length"], 24);
    assert_eq!(f["start_column"], 15);
    // The notice says the Gitleaks config is in use.
    assert!(
        stderr.contains("using the Gitleaks config") && stderr.contains(".gitleaks.toml"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("Gitleaks").count(), 1, "{stderr}");
    // No built-in rule runs without `useDefault`.
    write(root, "gh.txt", gh_token(3));
    let (_, v, _) = scan_json(root, &[]);
    assert_eq!(plr(&v).len(), 1);
}

#[test]
fn a_keyword_anywhere_in_the_file_runs_the_regex_over_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "gl.toml",
        "[[rules]]\nid = 'pair'\nregex = '''secret: ([a-z0-9]{20})'''\nkeywords = ['vault']\n",
    );
    // The keyword is on line 1, the match on line 3: Gitleaks finds it.
    write(
        root,
        "a.yml",
        format!("# vault settings\nx: 1\nsecret: {}\n", random_alnum(2, 20)),
    );
    write(root, "b.yml", format!("secret: {}\n", random_alnum(3, 20)));
    let (code, v, stderr) = scan_json(root, &["--config", "gl.toml"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(plr(&v), vec![t("a.yml", "pair", 3)]);
}

#[test]
fn extend_use_default_maps_to_builtins_and_disabled_rules_apply() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        ".gitleaks.toml",
        "[extend]\nuseDefault = true\ndisabledRules = ['github.pat-classic', 'github-pat']\n\n[[rules]]\nid = 'acme'\nregex = '''acme_[a-z0-9]{24}'''\n",
    );
    write(
        root,
        "a.txt",
        format!(
            "{}\n{}\nacme_{}\n",
            gh_token(1),
            aws_key_id(2),
            random_alnum(4, 24)
        ),
    );
    let (code, v, stderr) = scan_json(root, &[]);
    assert_eq!(code, 1, "{stderr}");
    let rules: Vec<(u64, String)> = plr(&v).into_iter().map(|(_, r, l)| (l, r)).collect();
    assert_eq!(
        rules,
        vec![
            (3, "acme".to_string()),
            (2, "aws.access-key-id".to_string())
        ],
        "{stderr}"
    );
    // The Gitleaks default id is explained, not silently dropped.
    assert!(stderr.contains("\"github-pat\""), "{stderr}");
}

#[test]
fn extend_path_is_relative_to_the_extending_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "cfg/base.toml", ACME);
    write(
        root,
        "cfg/top.toml",
        "[extend]\npath = 'base.toml'\n\n[[rules]]\nid = 'acme-key'\nentropy = 4.5\n",
    );
    // Entropy of 24 random base-36 characters is about 4.2: raised above it.
    write(
        root,
        "a.txt",
        format!("acme_live_{}\n", random_alnum(5, 24)),
    );
    let (code, v, stderr) = scan_json(root, &["--config", "cfg/top.toml"]);
    assert_eq!((code, plr(&v).len()), (0, 0), "{stderr}");
}

#[test]
fn allowlists_and_condition_line_target_stopwords_and_target_rules() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "gl.toml",
        r#"
[[rules]]
id = "acme-key"
regex = '''acme_([a-z0-9]{24})'''
keywords = ["acme_"]

[[rules.allowlists]]
description = "fixtures marked FAKE"
condition = "AND"
paths = ['''^fixtures/''']
regexTarget = "line"
regexes = ['''FAKE''']

[[rules.allowlists]]
stopwords = ["zzzzzz"]

[[rules]]
id = "other-key"
regex = '''other_([a-z0-9]{24})'''
keywords = ["other_"]

[[allowlists]]
targetRules = ["acme-key"]
paths = ['''^vendor/''']
"#,
    );
    let k = |s| random_alnum(s, 24);
    write(root, "fixtures/a.txt", format!("acme_{} # FAKE\n", k(1)));
    write(root, "fixtures/b.txt", format!("acme_{}\n", k(2)));
    write(root, "src/c.txt", format!("acme_{} # FAKE\n", k(3)));
    write(
        root,
        "src/d.txt",
        format!("acme_abc{}zzzzzz\n", &k(4)[..15]),
    );
    write(
        root,
        "vendor/e.txt",
        format!("acme_{}\nother_{}\n", k(5), k(6)),
    );
    let (code, v, stderr) = scan_json(root, &["--config", "gl.toml"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        plr(&v),
        vec![
            t("fixtures/b.txt", "acme-key", 1),
            t("src/c.txt", "acme-key", 1),
            t("vendor/e.txt", "other-key", 2),
        ]
    );
}

#[test]
fn path_only_and_path_scoped_rules() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "gl.toml",
        r#"
[[rules]]
id = "keystore-file"
description = "A keystore file"
path = '''\.(?:p12|jks)$'''

[[rules]]
id = "tf-secret"
path = '''\.tf$'''
regex = '''secret_key = "([a-z0-9]{20})"'''
"#,
    );
    write(root, "certs/server.p12", b"\x00\x01binary\x00");
    write(root, "certs/readme.txt", "no keys here\n");
    let line = format!("secret_key = \"{}\"\n", random_alnum(7, 20));
    write(root, "infra/main.tf", &line);
    write(root, "infra/notes.txt", &line);
    let (code, v, stderr) = scan_json(root, &["--config", "gl.toml"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        plr(&v),
        vec![
            t("certs/server.p12", "keystore-file", 1),
            t("infra/main.tf", "tf-secret", 1),
        ]
    );
}

#[test]
fn composite_rule_reports_only_with_its_required_rule_nearby() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "gl.toml",
        r#"
[[rules]]
id = "acme-client-id"
regex = '''client_id: (acme[a-z0-9]{12})'''
keywords = ["client_id"]

[[rules.required]]
id = "acme-client-secret"
withinLines = 2

[[rules]]
id = "acme-client-secret"
regex = '''client_secret: ([a-z0-9]{32})'''
skipReport = true
"#,
    );
    let id = |s| format!("client_id: acme{}", random_alnum(s, 12));
    let secret = |s| format!("client_secret: {}", random_alnum(s, 32));
    // Near: reported (the primary only).
    write(
        root,
        "near.yml",
        format!("{}\nx: 1\n{}\n", id(1), secret(2)),
    );
    // Too far apart: not reported.
    write(
        root,
        "far.yml",
        format!("{}\n{}{}\n", id(3), "x: 1\n".repeat(5), secret(4)),
    );
    // The auxiliary rule alone never reports.
    write(root, "alone.yml", format!("{}\n", secret(5)));
    let (code, v, stderr) = scan_json(root, &["--config", "gl.toml"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(plr(&v), vec![t("near.yml", "acme-client-id", 1)]);
}

#[test]
fn go_regex_syntax_is_translated() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // Literal braces, `\<`, an octal escape and `[\w-.]` all compile.
    write(
        root,
        "gl.toml",
        r#"
[[rules]]
id = "braced"
regex = '''\<tok\>{([\w-.]{12})}\075'''
keywords = ["<tok>"]
"#,
    );
    write(root, "a.txt", "x <tok>{ab-cd.ef_123}= y\n");
    let (code, v, stderr) = scan_json(root, &["--config", "gl.toml"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(plr(&v), vec![t("a.txt", "braced", 1)]);
    assert_eq!(v["findings"][0]["secret_length"], 12);
}

#[test]
fn a_regex_that_cannot_compile_is_an_error_naming_the_file_and_rule() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "gl.toml",
        "[[rules]]\nid = 'good'\nregex = 'a+'\n\n[[rules]]\nid = 'look-around'\nregex = '''(?=x)abc'''\n",
    );
    write(root, "a.txt", "abc\n");
    let out = leaktrap()
        .current_dir(root)
        .args(["scan", "--config", "gl.toml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("gl.toml") && stderr.contains("rule look-around"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Untranslatable syntax too.
    write(
        root,
        "gl.toml",
        "[[rules]]\nid = 'open'\nregex = '''[abc'''\n",
    );
    let out = leaktrap()
        .current_dir(root)
        .args(["scan", "--config", "gl.toml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("rule open"), "{stderr}");
}

#[test]
fn discovery_order_and_config_show() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(root)
        .status()
        .unwrap();
    write(root, ".gitleaks.toml", ACME);
    write(
        root,
        "a.txt",
        format!("acme_live_{}\n", random_alnum(9, 24)),
    );
    let show = |envs: &[(&str, &str)]| {
        let mut c = leaktrap();
        c.current_dir(root).args(["config", "show"]);
        for (k, v) in envs {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let s = show(&[]);
    assert!(s.contains("# format: Gitleaks"), "{s}");
    assert!(s.contains(".gitleaks.toml"), "{s}");
    // GITLEAKS_CONFIG_TOML wins over .gitleaks.toml.
    let s = show(&[(
        "GITLEAKS_CONFIG_TOML",
        "[[rules]]\nid = 'from-env'\nregex = 'x{3}'\n",
    )]);
    assert!(
        s.contains("GITLEAKS_CONFIG_TOML") && s.contains("from-env"),
        "{s}"
    );
    // GITLEAKS_CONFIG (a path) wins over GITLEAKS_CONFIG_TOML.
    write(
        root,
        "other.toml",
        "[[rules]]\nid = 'from-path'\nregex = 'y{3}'\n",
    );
    let s = show(&[
        ("GITLEAKS_CONFIG", "other.toml"),
        ("GITLEAKS_CONFIG_TOML", "[[rules]]\nid = 'x'\nregex = 'x'\n"),
    ]);
    assert!(s.contains("from-path"), "{s}");
    // A .leaktrap.toml wins over every Gitleaks source.
    write(root, ".leaktrap.toml", "disable = []\n");
    let s = show(&[("GITLEAKS_CONFIG", "other.toml")]);
    assert!(
        s.contains(".leaktrap.toml") && !s.contains("Gitleaks"),
        "{s}"
    );
}

/// Runs `git --format json` in `repo` with `extra`.
fn history_json(repo: &Path, extra: &[&str]) -> (i32, Value, String) {
    run_json(
        leaktrap()
            .current_dir(repo)
            .args(["git", "--format", "json"])
            .args(extra),
    )
}

#[test]
fn in_history_and_allowlists_judge_the_line_and_the_match() {
    use super::staged::{init_repo, put};
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    init_repo(&repo);
    let k = |s| random_alnum(s, 24);
    write(&repo, "fixtures/a.txt", format!("acme_{} # FAKE\n", k(11)));
    write(&repo, "fixtures/b.txt", format!("acme_{}\n", k(12)));
    put(
        &repo,
        "src/c.txt",
        &format!("x\nacme_{} # FAKE\n", k(13)),
        "acme",
        10,
    );
    let second = put(
        &repo,
        "y.txt",
        &format!("other_test_{}\nother_live_{}\n", k(14), k(15)),
        "other",
        20,
    );
    put(
        &repo,
        "z.txt",
        &format!("other_test_{}\n", k(16)),
        "more",
        30,
    );
    // Outside the repository, so that it is not part of its history.
    let config = dir.path().join("gl.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[[rules]]
id = "acme-key"
regex = '''acme_([a-z0-9]{{24}})'''
keywords = ["acme_"]

[[rules.allowlists]]
condition = "AND"
paths = ['''^fixtures/''']
regexTarget = "line"
regexes = ['''FAKE''']

[[rules]]
id = "other-key"
regex = '''other_(?:test|live)_([a-z0-9]{{24}})'''
keywords = ["other_"]

[[rules.allowlists]]
condition = "AND"
commits = ["{second}"]
regexTarget = "match"
regexes = ['''^other_test_''']
"#
        ),
    )
    .unwrap();
    let (code, v, stderr) = history_json(&repo, &["--config", config.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        plr(&v),
        vec![
            t("fixtures/b.txt", "acme-key", 1),
            t("src/c.txt", "acme-key", 2),
            t("y.txt", "other-key", 2),
            t("z.txt", "other-key", 1),
        ],
        "the FAKE line under fixtures/ and the test key of the allowed commit are allowed"
    );
    assert_eq!(v["stats"]["suppressed"]["rule-allowlist"], 2, "{v}");
}

#[test]
fn in_history_commit_allowlists_and_path_only_rules() {
    use super::staged::{init_repo, put};
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    init_repo(&repo);
    let line = |s| format!("secret_key = \"{}\"\n", random_alnum(s, 20));
    let first = put(&repo, "infra/old.tf", &line(21), "old", 10);
    write(&repo, "certs/server.p12", b"\x00\x01binary\x00");
    put(&repo, "infra/main.tf", &line(22), "new", 20);
    put(&repo, "infra/notes.txt", &line(23), "notes", 30);
    let config = dir.path().join("gl.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[[rules]]
id = "keystore-file"
description = "A keystore file"
path = '''\.(?:p12|jks)$'''

[[rules]]
id = "tf-secret"
path = '''\.tf$'''
regex = '''secret_key = "([a-z0-9]{{20}})"'''

[[allowlists]]
description = "reviewed"
commits = ["{}"]
"#,
            first.to_uppercase()
        ),
    )
    .unwrap();
    let (code, v, stderr) = history_json(&repo, &["--config", config.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        plr(&v),
        vec![
            t("certs/server.p12", "keystore-file", 1),
            t("infra/main.tf", "tf-secret", 1),
        ],
        "the allowed commit's secret and the text file are not reported"
    );
    let commits: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["origin"]["commit"].as_str().unwrap())
        .collect();
    assert_eq!(
        commits[0], commits[1],
        "both introduced by the second commit"
    );
    assert_ne!(commits[0], first);
}

#[test]
fn on_stdin_path_scoped_rules_do_not_run() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "gl.toml",
        r#"
[[rules]]
id = "keystore-file"
path = '''\.p12$'''

[[rules]]
id = "tf-secret"
path = '''\.tf$'''
regex = '''secret_key = "([a-z0-9]{20})"'''

[[rules]]
id = "any-secret"
regex = '''other_key = "([a-z0-9]{20})"'''
"#,
    );
    let text = format!(
        "secret_key = \"{}\"\nother_key = \"{}\"\n",
        random_alnum(31, 20),
        random_alnum(32, 20)
    );
    for args in [
        vec!["scan", "-", "--format", "json", "--config", "gl.toml"],
        vec!["stdin", "--format", "json", "--config", "gl.toml"],
        vec![
            "scan",
            "-",
            "--format",
            "json",
            "--config",
            "gl.toml",
            "--stdin-name",
            "main.tf",
        ],
    ] {
        let (code, v, stderr) = run_json(
            leaktrap()
                .current_dir(root)
                .args(&args)
                .write_stdin(text.clone()),
        );
        assert_eq!(code, 1, "{args:?}: {stderr}");
        let rules: Vec<String> = plr(&v).into_iter().map(|(_, r, _)| r).collect();
        assert_eq!(rules, vec!["any-secret"], "{args:?}");
    }
}
