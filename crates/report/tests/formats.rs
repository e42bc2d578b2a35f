//! Every format over hand-made findings: snapshots (insta; `cargo insta
//! review` after a deliberate change), SARIF schema validity, aggregation
//! past GitHub's limit, and the masking policy.
//!
//! The secrets here are obviously fake and none matches a real provider's
//! format.

use leaktrap_core::{
    Confidence, Finding, Location, Origin, OriginKind, Redaction, RuleMeta, ScanStats, Secret,
    Severity, SkipReason, SuppressionKind,
};
use leaktrap_report::{
    file_uri, Artifacts, Csv, Fingerprinter, Github, GitleaksJson, Json, Jsonl, Junit, Markdown,
    Report, Reporter, Sarif, Text, MAX_RESULTS,
};
use serde_json::Value;
use std::borrow::Cow;
use std::sync::Arc;

const FILE_A: &str = "dir with space/naïve café.env";
const TOKEN: &str = "fake_0123456789abcdefghijABCDEFGHIJ01234";
const PASSWORD: &str = "not-a-real-password-42";

/// The content of `FILE_A`: a secret after multi-byte characters on line 1.
fn content_a() -> String {
    format!("ключ={TOKEN}\nsecond line\npassword = \"{PASSWORD}\"\n")
}

fn rule(id: &str, name: &str, severity: Severity, confidence: Confidence) -> Arc<RuleMeta> {
    Arc::new(RuleMeta {
        id: id.into(),
        name: name.into(),
        description: format!("{name}: grants access to the example service."),
        severity,
        confidence,
        tags: vec!["example".into(), "test".into()],
    })
}

/// Where `needle` first occurs in `text`: 1-based lines and columns (code
/// points, exclusive end), 0-based byte offsets.
fn locate(text: &str, needle: &str) -> Location {
    let start = text.find(needle).expect("needle in text");
    let end = start + needle.len();
    let pos = |b: usize| {
        let before = &text[..b];
        let line = before.matches('\n').count() as u64 + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() as u64 + 1)
    };
    let (start_line, start_column) = pos(start);
    let (end_line, end_column) = pos(end);
    Location {
        start_line,
        start_column,
        end_line,
        end_column,
        byte_start: start as u64,
        byte_end: end as u64,
    }
}

fn finding(rule: &Arc<RuleMeta>, path: &str, location: Location, secret: &str) -> Finding {
    Finding {
        rule: rule.clone(),
        path: path.into(),
        location,
        secret: Secret::new(secret.as_bytes()),
        entropy: 4.25,
        origin: None,
        decoded: Vec::new(),
    }
}

fn findings() -> Vec<Finding> {
    let token = rule(
        "example.token",
        "Example service token",
        Severity::High,
        Confidence::High,
    );
    let password = rule(
        "generic.password",
        "Password in configuration",
        Severity::Medium,
        Confidence::Medium,
    );
    let key = rule(
        "example.private-key",
        "Example private key",
        Severity::Critical,
        Confidence::High,
    );
    let weird = rule(
        "example.info",
        "Example | odd `name`",
        Severity::Info,
        Confidence::Low,
    );
    let a = content_a();
    let key_text = "-----BEGIN FAKE KEY-----\nAAAABBBBCCCC\n-----END FAKE KEY-----";
    let key_file = format!("x = 1\n{key_text}\n");
    let mut old = finding(
        &token,
        "old/settings.env",
        locate(&format!("TOKEN={TOKEN}\n"), TOKEN),
        TOKEN,
    );
    old.origin = Some(Box::new(Origin {
        kind: OriginKind::File,
        commit: "0123456789abcdef0123456789abcdef01234567".into(),
        blob: Some("89abcdef0123456789abcdef0123456789abcdef".into()),
        author_name: "Ada Tester".into(),
        author_email: "ada@example.invalid".into(),
        date: "2026-01-02T03:04:05Z".into(),
        summary: format!("add settings with {TOKEN}"),
        also_in: vec!["fedcba9876543210fedcba9876543210fedcba98".into()],
    }));
    let mut all = vec![
        finding(&token, FILE_A, locate(&a, TOKEN), TOKEN),
        finding(&password, FILE_A, locate(&a, PASSWORD), PASSWORD),
        old,
        finding(&key, "src/keys.pem", locate(&key_file, key_text), key_text),
        finding(
            &weird,
            "odd|name`,\"&<x>:y.txt",
            locate("v=fake-info-value-0000\n", "fake-info-value-0000"),
            "fake-info-value-0000",
        ),
    ];
    leaktrap_core::sort_findings(&mut all);
    all
}

fn stats() -> ScanStats {
    let mut s = ScanStats {
        files_scanned: 7,
        bytes_scanned: 12_345,
        ..ScanStats::default()
    };
    s.skip(SkipReason::Binary, "logo.png");
    s.suppress(SuppressionKind::Inline);
    s.error("locked.env", "Permission denied (os error 13)");
    s
}

/// What a CLI would supply: the repository root, and `FILE_A`'s content.
struct Repo;

impl Artifacts for Repo {
    fn root_uri(&self) -> Option<String> {
        Some(file_uri("/work/repo/"))
    }
    fn repo_path<'f>(&self, f: &'f Finding) -> Cow<'f, str> {
        Cow::Borrowed(&f.path)
    }
    fn content(&self, f: &Finding) -> Option<Vec<u8>> {
        (f.path == FILE_A && f.origin.is_none()).then(|| content_a().into_bytes())
    }
}

fn render(
    reporter: &dyn Reporter,
    findings: &[Finding],
    stats: &ScanStats,
    r: Redaction,
) -> String {
    let report = Report {
        tool_version: "0.0.0-test",
        findings,
        stats,
        redaction: r,
        fingerprinter: &Fingerprinter::unkeyed(),
    };
    let mut out = Vec::new();
    reporter.write(&report, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn all_formats() -> Vec<(&'static str, Box<dyn Reporter>)> {
    vec![
        ("text", Box::new(Text { color: false })),
        ("json", Box::new(Json)),
        ("jsonl", Box::new(Jsonl)),
        ("csv", Box::new(Csv)),
        ("junit", Box::new(Junit)),
        ("github", Box::new(Github { artifacts: &Repo })),
        ("markdown", Box::new(Markdown)),
        ("sarif", Box::new(Sarif::new(&Repo))),
        ("gitleaks_json", Box::new(GitleaksJson { artifacts: &Repo })),
    ]
}

#[test]
fn snapshots_of_every_format() {
    let f = findings();
    let s = stats();
    let clean = ScanStats {
        files_scanned: 3,
        bytes_scanned: 300,
        ..ScanStats::default()
    };
    for (name, reporter) in all_formats() {
        insta::assert_snapshot!(
            format!("{name}_findings"),
            render(reporter.as_ref(), &f, &s, Redaction::Mask)
        );
        insta::assert_snapshot!(
            format!("{name}_clean"),
            render(reporter.as_ref(), &[], &clean, Redaction::Mask)
        );
    }
}

#[test]
fn no_format_shows_a_raw_secret_unless_revealed() {
    let f = findings();
    let s = stats();
    let secrets = [TOKEN, PASSWORD, "AAAABBBBCCCC", "fake-info-value-0000"];
    for (name, reporter) in all_formats() {
        for r in [
            Redaction::Mask,
            Redaction::Percent(50),
            Redaction::Percent(100),
        ] {
            let out = render(reporter.as_ref(), &f, &s, r);
            for secret in secrets {
                assert!(!out.contains(secret), "{name} {r:?} shows {secret}:\n{out}");
            }
        }
        // Revealed, the value is there (so this test can fail), in every format.
        let out = render(reporter.as_ref(), &f, &s, Redaction::Reveal);
        assert!(
            out.contains(TOKEN),
            "{name} hides a revealed secret:\n{out}"
        );
    }
}

fn sarif_validator() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/sarif-schema-2.1.0.json"
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn assert_valid_sarif(v: &jsonschema::Validator, doc: &Value) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .take(10)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF: {errors:#?}");
}

#[test]
fn sarif_is_valid_and_shaped_for_github() {
    let v = sarif_validator();
    let f = findings();
    let s = stats();
    let doc: Value =
        serde_json::from_str(&render(&Sarif::new(&Repo), &f, &s, Redaction::Mask)).unwrap();
    assert_valid_sarif(&v, &doc);
    let run = &doc["runs"][0];
    assert_eq!(doc["runs"].as_array().unwrap().len(), 1);
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "example.info",
            "example.private-key",
            "example.token",
            "generic.password"
        ],
        "fired rules, once each, sorted"
    );
    for r in run["results"].as_array().unwrap() {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i], r["ruleId"].as_str().unwrap());
        assert!(
            r["partialFingerprints"]["leaktrap/v1"]
                .as_str()
                .unwrap()
                .len()
                == 64
        );
    }
    let first = &run["results"][0];
    let loc = &first["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "dir%20with%20space/na%C3%AFve%20caf%C3%A9.env"
    );
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(loc["region"]["startLine"], 1);
    assert_eq!(
        loc["region"]["startColumn"], 6,
        "after 5 multi-byte characters"
    );
    assert_eq!(loc["region"]["endColumn"], 6 + TOKEN.len() as u64);
    // The line hash of line 1 of the content, as GitHub computes it.
    let mut expected = None;
    leaktrap_report::line_hashes(content_a().as_bytes(), |line, h| {
        if line == 1 {
            expected = Some(h.to_string());
        }
    });
    assert_eq!(
        first["partialFingerprints"]["primaryLocationLineHash"].as_str(),
        expected.as_deref()
    );
    // No content for the others: the upload action fills the hash in.
    assert!(run["results"][2]["partialFingerprints"]
        .get("primaryLocationLineHash")
        .is_none());
    assert_eq!(
        run["invocations"][0]["executionSuccessful"], false,
        "an unreadable input makes the run incomplete"
    );

    let clean: Value = serde_json::from_str(&render(
        &Sarif::new(&Repo),
        &[],
        &ScanStats::default(),
        Redaction::Mask,
    ))
    .unwrap();
    assert_valid_sarif(&v, &clean);
    assert_eq!(clean["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(
        clean["runs"][0]["tool"]["driver"]["rules"],
        serde_json::json!([])
    );
    assert_eq!(
        clean["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
}

#[test]
fn sarif_line_hash_is_left_out_when_the_content_no_longer_holds_the_secret() {
    struct Changed;
    impl Artifacts for Changed {
        fn content(&self, _: &Finding) -> Option<Vec<u8>> {
            Some(format!("inserted line\n{}", content_a()).into_bytes())
        }
    }
    let f = findings();
    let doc: Value = serde_json::from_str(&render(
        &Sarif::new(&Changed),
        &f[..1],
        &ScanStats::default(),
        Redaction::Mask,
    ))
    .unwrap();
    let fp = &doc["runs"][0]["results"][0]["partialFingerprints"];
    assert!(fp.get("primaryLocationLineHash").is_none(), "{fp}");
}

#[test]
fn sarif_past_the_result_limit_aggregates_by_rule_and_secret() {
    let token = rule(
        "example.token",
        "Example token",
        Severity::High,
        Confidence::High,
    );
    let low = rule("example.low", "Example low", Severity::Low, Confidence::Low);
    // MAX_RESULTS + 500 findings of 3 secrets, then MAX_RESULTS distinct
    // low-severity secrets: more distinct secrets than a run may hold.
    let mut many = Vec::new();
    let text = format!("t={TOKEN}\n");
    for i in 0..(MAX_RESULTS + 500) {
        let secret = format!("{TOKEN}{}", i % 3);
        let mut f = finding(
            &token,
            &format!("many/{:05}.env", i),
            locate(&text, TOKEN),
            &secret,
        );
        f.location.end_column += 1;
        many.push(f);
    }
    let v = sarif_validator();
    let doc: Value = serde_json::from_str(&render(
        &Sarif::new(&leaktrap_report::AsNamed),
        &many,
        &ScanStats::default(),
        Redaction::Mask,
    ))
    .unwrap();
    assert_valid_sarif(&v, &doc);
    let run = &doc["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    let total: u64 = results
        .iter()
        .map(|r| r["occurrenceCount"].as_u64().unwrap())
        .sum();
    assert_eq!(total as usize, MAX_RESULTS + 500);
    assert_eq!(results[0]["relatedLocations"].as_array().unwrap().len(), 10);
    assert_eq!(run["properties"]["aggregated"], true);
    assert_eq!(run["properties"]["resultsOmitted"], 0);
    assert!(run["properties"]["aggregation"]
        .as_str()
        .unwrap()
        .contains("occurrenceCount"));

    for i in 0..MAX_RESULTS {
        many.push(finding(
            &low,
            &format!("low/{i:05}.env"),
            locate("v=x\n", "x"),
            &format!("low-{i}"),
        ));
    }
    leaktrap_core::sort_findings(&mut many);
    let doc: Value = serde_json::from_str(&render(
        &Sarif::default(),
        &many,
        &ScanStats::default(),
        Redaction::Mask,
    ))
    .unwrap();
    let run = &doc["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), MAX_RESULTS, "never more than GitHub accepts");
    assert_eq!(run["properties"]["resultsOmitted"], 3);
    assert_eq!(run["properties"]["findingsOmitted"], 3);
    assert!(
        results
            .iter()
            .filter(|r| r["ruleId"] == "example.token")
            .count()
            == 3,
        "the most severe results are kept"
    );
    assert_valid_sarif(&v, &doc);
}

#[test]
fn sarif_past_the_gzip_size_limit_cuts_results_and_says_so() {
    let low = rule("example.low", "Example low", Severity::Low, Confidence::Low);
    let high = rule(
        "example.high",
        "Example high",
        Severity::High,
        Confidence::High,
    );
    // Distinct secrets in distinct files: nothing to aggregate.
    let mut many: Vec<Finding> = (0..3000)
        .map(|i| {
            finding(
                &low,
                &format!("dir{}/file-{i:05}-{:x}.env", i % 97, i * 7919),
                locate("v=x\n", "x"),
                &format!("low-secret-{i}-{:x}", i * 104_729),
            )
        })
        .collect();
    many.push(finding(
        &high,
        "zzz/last.env",
        locate("v=x\n", "x"),
        "high-secret",
    ));
    leaktrap_core::sort_findings(&mut many);
    let limit = 40_000;
    let sarif = Sarif {
        max_gzip_bytes: limit,
        ..Sarif::new(&leaktrap_report::AsNamed)
    };
    let text = render(&sarif, &many, &ScanStats::default(), Redaction::Mask);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
    let packed = gz.finish().unwrap().len();
    assert!(packed <= limit, "{packed} bytes gzipped");
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_valid_sarif(&sarif_validator(), &doc);
    let run = &doc["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert!(
        results.len() < many.len() && results.len() > 100,
        "{}",
        results.len()
    );
    assert!(
        results.iter().any(|r| r["ruleId"] == "example.high"),
        "the most severe is kept"
    );
    let note = run["properties"]["sizeLimited"].as_str().unwrap();
    assert!(note.contains("gzip-compressed"), "{note}");
    assert_eq!(run["properties"]["aggregated"], true);
    // Under the limit, nothing is cut.
    let whole = render(
        &Sarif::new(&leaktrap_report::AsNamed),
        &many,
        &ScanStats::default(),
        Redaction::Mask,
    );
    let doc: Value = serde_json::from_str(&whole).unwrap();
    assert_eq!(
        doc["runs"][0]["results"].as_array().unwrap().len(),
        many.len()
    );
    assert!(doc["runs"][0]["properties"]["sizeLimited"].is_null());
}

#[test]
fn a_secret_in_a_commit_summary_is_scrubbed() {
    let f = findings();
    let json = render(&Json, &f, &stats(), Redaction::Mask);
    assert!(json.contains("add settings with fake…(40 chars)"), "{json}");
    let text = render(&Text { color: false }, &f, &stats(), Redaction::Percent(50));
    assert!(!text.contains(TOKEN));
}

#[test]
fn a_fingerprint_key_replaces_the_unkeyed_hash_in_json_and_sarif() {
    let f = findings();
    let s = stats();
    let keyed = Fingerprinter::keyed(b"test key");
    let render_with = |reporter: &dyn Reporter, fp: &Fingerprinter| {
        let report = Report {
            tool_version: "0.0.0-test",
            findings: &f,
            stats: &s,
            redaction: Redaction::Mask,
            fingerprinter: fp,
        };
        let mut out = Vec::new();
        reporter.write(&report, &mut out).unwrap();
        serde_json::from_slice::<Value>(&out).unwrap()
    };
    let plain = render_with(&Json, &Fingerprinter::unkeyed());
    let json = render_with(&Json, &keyed);
    let sarif = render_with(&Sarif::new(&Repo), &keyed);
    let unkeyed = plain["findings"][0]["fingerprint"].as_str().unwrap();
    let fp = json["findings"][0]["fingerprint"].as_str().unwrap();
    assert!(unkeyed.starts_with("sha256:"), "{unkeyed}");
    assert!(fp.starts_with("hmac-sha256:"), "{fp}");
    let pf = &sarif["runs"][0]["results"][0]["partialFingerprints"];
    assert!(pf.get("leaktrap/v1").is_none(), "{pf}");
    assert_eq!(
        pf["leaktrap/hmac-sha256/v1"].as_str().unwrap(),
        &fp["hmac-sha256:".len()..]
    );
    assert_valid_sarif(&sarif_validator(), &sarif);
    let text = serde_json::to_string(&sarif).unwrap();
    assert!(!text.contains(&unkeyed["sha256:".len()..]), "{text}");
}

#[test]
fn gitleaks_json_has_gitleaks_field_names_order_and_fingerprints() {
    let f = findings();
    let s = stats();
    let text = render(&GitleaksJson { artifacts: &Repo }, &f, &s, Redaction::Mask);
    assert!(text.starts_with("[\n {\n  \"RuleID\": "), "{text}");
    assert!(text.ends_with("]\n"));
    let v: Value = serde_json::from_str(&text).unwrap();
    let first = v[0].as_object().unwrap();
    let keys: Vec<&str> = first.keys().map(String::as_str).collect();
    // serde_json's map keeps insertion order only with preserve_order, so
    // check the order in the text.
    let order = [
        "RuleID",
        "Description",
        "StartLine",
        "EndLine",
        "StartColumn",
        "EndColumn",
        "Match",
        "Secret",
        "File",
        "SymlinkFile",
        "Commit",
        "Entropy",
        "Author",
        "Email",
        "Date",
        "Message",
        "Tags",
        "Fingerprint",
    ];
    assert_eq!(keys.len(), order.len(), "{keys:?}");
    let block = &text[..text.find("\n },").unwrap()];
    let positions: Vec<usize> = order
        .iter()
        .map(|k| block.find(&format!("\"{k}\":")).expect(k))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{block}");
    let history = v
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["Commit"] != "")
        .unwrap();
    assert_eq!(
        history["Fingerprint"],
        "0123456789abcdef0123456789abcdef01234567:old/settings.env:example.token:1"
    );
    assert_eq!(history["Author"], "Ada Tester");
    assert_eq!(v[0]["Fingerprint"], format!("{FILE_A}:example.token:1"));
    assert_eq!(v[0]["EndColumn"], 5 + TOKEN.len() as u64, "inclusive");
    assert_eq!(
        render(&GitleaksJson { artifacts: &Repo }, &[], &s, Redaction::Mask),
        "[]\n"
    );
}
