//! Encoded secrets: base64, hex and percent-encoded text is decoded, and the
//! secrets only the decoded text holds are reported at the encoded text.

use super::staged::{init_repo, put};
use super::{aws_key_id, gh_token, leaktrap, run_json, scan_json, write};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;
use std::fs;

fn b64(s: &str) -> String {
    STANDARD.encode(s)
}

/// Percent-encodes everything but letters and digits.
fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// (path, rule, line, column, decoded) of each finding.
fn decoded(v: &Value) -> Vec<(String, String, u64, u64, Vec<String>)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().into(),
                f["rule_id"].as_str().unwrap().into(),
                f["start_line"].as_u64().unwrap(),
                f["start_column"].as_u64().unwrap(),
                f["decoded"]
                    .as_array()
                    .map(|a| a.iter().map(|e| e.as_str().unwrap().into()).collect())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

/// A Kubernetes Secret, a log line and a nested encoding, with the
/// generated secrets they hide.
fn plant(r: &std::path::Path) -> (String, String) {
    let token = gh_token(900);
    let key_id = aws_key_id(901);
    let conn = format!(
        "postgres://app:{}@db.internal:5432/app",
        &gh_token(902)[4..22]
    );
    write(
        r,
        "k8s/secret.yaml",
        format!(
            "apiVersion: v1\nkind: Secret\ndata:\n  GITHUB_TOKEN: {}\n  AWS_ACCESS_KEY_ID: {}\n",
            b64(&token),
            b64(&key_id)
        ),
    );
    // A token inside a percent-encoded query string.
    write(
        r,
        "logs/access.log",
        format!(
            "GET /cb?state=x&next={} 200\n",
            pct(&format!("auth={token}"))
        ),
    );
    // Base64 around a percent-encoded connection string.
    write(
        r,
        "nested.txt",
        format!("blob: {}\n", b64(&format!("url={}", pct(&conn)))),
    );
    (token, conn)
}

#[test]
fn encoded_secrets_are_found_at_the_encoded_text_with_their_decoding() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    let (token, conn) = plant(r);
    let (code, v, err) = scan_json(r, &[]);
    assert_eq!(code, 1, "{err}");
    let yaml = fs::read_to_string(r.join("k8s/secret.yaml")).unwrap();
    let col = |line: &str| line.find(": ").unwrap() as u64 + 3;
    let lines: Vec<&str> = yaml.lines().collect();
    let got = decoded(&v);
    let want_yaml = vec![
        (
            "k8s/secret.yaml".to_string(),
            "github.pat-classic".to_string(),
            4,
            col(lines[3]),
            vec!["base64".to_string()],
        ),
        (
            "k8s/secret.yaml".into(),
            "aws.access-key-id".into(),
            5,
            col(lines[4]),
            vec!["base64".into()],
        ),
    ];
    assert_eq!(
        got.iter()
            .filter(|f| f.0 == "k8s/secret.yaml")
            .cloned()
            .collect::<Vec<_>>(),
        want_yaml,
        "{v:#}"
    );
    let log: Vec<_> = got.iter().filter(|f| f.0 == "logs/access.log").collect();
    assert_eq!(log.len(), 1, "{v:#}");
    assert_eq!(
        (log[0].1.as_str(), &log[0].4[..]),
        ("github.pat-classic", &["percent".to_string()][..])
    );
    let nested: Vec<_> = got.iter().filter(|f| f.0 == "nested.txt").collect();
    assert_eq!(nested.len(), 1, "{v:#}");
    assert_eq!(nested[0].1, "connection-string.postgres");
    assert_eq!(
        nested[0].4,
        vec!["base64".to_string(), "percent".to_string()]
    );

    // The span covers the encoded characters that carry the secret, and the
    // secret itself is the decoded one: shown only when asked.
    let f = &v["findings"].as_array().unwrap()[0];
    let (bs, be) = (
        f["byte_start"].as_u64().unwrap() as usize,
        f["byte_end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&yaml[bs..be], b64(&token).trim_end_matches('='));
    let text = serde_json::to_string(&v).unwrap();
    assert!(!text.contains(&token) && !text.contains(&b64(&token)));
    let (_, shown, _) = scan_json(r, &["--show-secrets"]);
    let shown = serde_json::to_string(&shown).unwrap();
    assert!(
        shown.contains(&token) && shown.contains(&conn[15..33]),
        "{shown}"
    );

    // Depth 1 misses the nested one; 0 turns decoding off.
    let (_, v1, _) = scan_json(r, &["--max-decode-depth", "1"]);
    let paths: Vec<String> = decoded(&v1).into_iter().map(|f| f.0).collect();
    assert!(paths.contains(&"logs/access.log".into()) && !paths.contains(&"nested.txt".into()));
    // Without decoding, only a generic rule sees the base64 as written.
    let (_, v0, _) = scan_json(r, &["--max-decode-depth", "0"]);
    let rules: Vec<(String, usize)> = decoded(&v0).into_iter().map(|f| (f.1, f.4.len())).collect();
    assert_eq!(
        rules,
        vec![("generic.token-assignment".to_string(), 0)],
        "{v0:#}"
    );

    // Text output names the decoding; Gitleaks' report shape tags it.
    let out = leaktrap().current_dir(r).args(["scan"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("(decoded: base64 > percent)"), "{text}");
    let (_, gl, _) = run_json(
        leaktrap()
            .current_dir(r)
            .args(["dir", ".", "-f", "json", "-r", "-"]),
    );
    let tags: Vec<&Value> = gl
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["File"] == "nested.txt")
        .flat_map(|f| f["Tags"].as_array().unwrap())
        .collect();
    assert!(tags.contains(&&Value::from("decoded:percent")), "{gl:#}");
    assert!(tags.contains(&&Value::from("decode-depth:2")), "{gl:#}");
}

#[test]
fn one_secret_is_reported_once_whether_written_plain_or_encoded_around_it() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    let token = gh_token(910);
    // The value is random-looking base64 (a generic rule could take it as
    // written) and decodes to a GitHub token: one finding, the provider's.
    write(r, "app.env", format!("API_SECRET={}\n", b64(&token)));
    let (code, v, err) = scan_json(r, &[]);
    assert_eq!(code, 1, "{err}");
    let got = decoded(&v);
    assert_eq!(got.len(), 1, "{v:#}");
    assert_eq!(
        (got[0].1.as_str(), got[0].4.len()),
        ("github.pat-classic", 1)
    );
    // Binary behind base64 (random bytes, an image) is not decoded text.
    write(
        r,
        "app.env",
        "ICON=data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==\n",
    );
    let (code, v, _) = scan_json(r, &[]);
    assert_eq!(code, 0, "{v:#}");
}

#[test]
fn a_decoded_secret_is_traced_by_its_encoded_text() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    init_repo(r);
    let token = gh_token(920);
    let line = format!("data:\n  token: {}\n", b64(&token));
    put(r, "secret.yaml", &line, "add the secret", 10);
    put(r, "secret.yaml", "data: {}\n", "remove it", 20);
    write(r, "copy.yaml", &line);
    let out = leaktrap()
        .current_dir(r)
        .args(["scan", "copy.yaml", "--format", "json", "-r", "tree.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let (code, v, err) = run_json(leaktrap().current_dir(r).args([
        "trace",
        "--json",
        "--from-report",
        "tree.json",
        "--finding",
        "1",
    ]));
    assert_eq!(code, 1, "{err}");
    let text = v.to_string();
    assert!(
        text.contains("add the secret") || text.contains("secret.yaml"),
        "{v:#}"
    );
    assert!(
        !text.contains(&token) && !text.contains(&b64(&token)),
        "{v:#}"
    );
}
