//! Hard-negative values: things that look like secrets and are not (issue 3, Precision).
//! Shared by both splits; where they are placed is up to each split's templates.

use crate::rng::{self, b64, G};
use crate::tokens;

/// A hard-negative value to put where a secret could be.
#[derive(Debug, Clone)]
pub struct Neg {
    pub family: &'static str,
    pub category: &'static str,
    pub id: &'static str,
    pub value: String,
    /// The variable name the value belongs under, when the value has a provider shape.
    pub var: Option<&'static str>,
}

fn neg(family: &'static str, category: &'static str, id: &'static str, value: String) -> Neg {
    Neg {
        family,
        category,
        id,
        value,
        var: None,
    }
}

fn under(mut n: Neg, var: &'static str) -> Neg {
    n.var = Some(var);
    n
}

/// The AWS documentation's example access key id (built from pieces so this source file
/// holds no key-shaped literal).
pub fn aws_doc_key_id() -> String {
    ["AKIA", "IOSFODNN7", "EXAMPLE"].concat()
}

/// The AWS documentation's example secret access key.
pub fn aws_doc_secret() -> String {
    ["wJalrXUtnFEMI", "/K7MDENG/", "bPxRfiCY", "EXAMPLEKEY"].concat()
}

/// The Azure Storage emulator (Azurite) account key, published in Microsoft's docs.
pub fn azure_emulator_key() -> String {
    [
        "Eby8vdM02xNOcqFlqUwJ",
        "PLlmEtlCDXJ1OUzFT50u",
        "SRZ6IFsuFq2UVErCz4I6",
        "tq/K1SZFPTOtr/KBHBek",
        "soGMGw==",
    ]
    .concat()
}

pub fn azure_emulator_conn() -> String {
    format!(
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;",
        azure_emulator_key()
    )
}

/// A value placed on a secret-looking variable that is not a secret. `var` is the
/// variable's name, used by placeholders that name it.
pub fn value(g: &mut G, var: &str) -> Neg {
    let lower = var.to_lowercase();
    match g.below(22) {
        0 => under(
            neg(
                "vcs-ci",
                "checksum-invalid",
                "github-pat-bad-checksum",
                tokens::crc_token_bad(g, "ghp_"),
            ),
            "GITHUB_TOKEN",
        ),
        1 => under(
            neg(
                "registries",
                "checksum-invalid",
                "npm-token-bad-checksum",
                tokens::crc_token_bad(g, "npm_"),
            ),
            "NPM_TOKEN",
        ),
        2 => under(
            neg(
                "vcs-ci",
                "checksum-invalid",
                "github-oauth-bad-checksum",
                tokens::crc_token_bad(g, "gho_"),
            ),
            "GITHUB_OAUTH_TOKEN",
        ),
        3 => neg(
            "generic",
            "placeholder",
            "angle-placeholder",
            format!("<{}>", lower.replace('_', "-")),
        ),
        4 => neg(
            "generic",
            "placeholder",
            "x-placeholder",
            "x".repeat(g.range(16, 40)),
        ),
        5 => neg(
            "generic",
            "placeholder",
            "changeme",
            g.pick(&[
                "changeme",
                "change-me",
                "CHANGE_ME",
                "REPLACE_ME",
                "changeit",
            ])
            .to_string(),
        ),
        6 => neg(
            "generic",
            "placeholder",
            "your-key",
            format!("your-{}-here", lower.replace('_', "-")),
        ),
        7 => neg("generic", "placeholder", "shell-var", format!("${{{var}}}")),
        8 => neg(
            "generic",
            "placeholder",
            "template-var",
            format!("{{{{ .Values.{} }}}}", lower),
        ),
        9 => neg(
            "generic",
            "placeholder",
            "jinja-var",
            format!("{{{{ {lower} }}}}"),
        ),
        10 => neg(
            "generic",
            "placeholder",
            "masked",
            "*".repeat(g.range(8, 16)),
        ),
        11 => under(
            neg(
                "payments",
                "placeholder",
                "stripe-x-placeholder",
                format!("sk_live_{}", "x".repeat(24)),
            ),
            "STRIPE_SECRET_KEY",
        ),
        12 => under(
            neg(
                "vcs-ci",
                "placeholder",
                "github-x-placeholder",
                format!("ghp_{}", "X".repeat(36)),
            ),
            "GITHUB_TOKEN",
        ),
        13 => neg(
            "generic",
            "repeated",
            "repeated-char",
            g.pick(&["a", "0", "X", "f"]).repeat(g.range(24, 40)),
        ),
        14 => neg(
            "generic",
            "repeated",
            "sequential",
            g.pick(&[
                "abcdefghijklmnopqrstuvwxyz",
                "0123456789abcdef0123456789abcdef",
                "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345",
                "1234567890123456789012345678901234567890",
                "qwertyuiopasdfghjklzxcvbnm",
            ])
            .to_string(),
        ),
        15 => under(
            neg(
                "payments",
                "publishable-key",
                "stripe-publishable-key",
                format!("pk_live_51{}", g.alnum(97)),
            ),
            "STRIPE_PUBLISHABLE_KEY",
        ),
        16 => neg(
            "generic",
            "identifier",
            "identifier",
            g.pick(&[
                "X-Api-Key",
                "AuthorizationHeaderProvider",
                "prod/payments/stripe-secret-key",
                "projects/acme-prod/secrets/db-password/versions/latest",
                "password_reset_token",
                "DATABASE_PASSWORD_FILE",
                "secretsmanager:GetSecretValue",
                "TokenRefreshInterceptor",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/api-key",
            ])
            .to_string(),
        ),
        17 => neg(
            "generic",
            "placeholder",
            "dummy",
            g.pick(&["dummy", "test", "example", "none", "null", "false", "TODO"])
                .to_string(),
        ),
        18 => neg(
            "generic",
            "identifier",
            "natural-language",
            g.pick(&[
                "please set this in the vault",
                "see the onboarding wiki",
                "the secret lives in 1password",
                "ask the platform team",
            ])
            .to_string(),
        ),
        19 => neg(
            "generic",
            "placeholder",
            "redacted",
            g.pick(&["[REDACTED]", "<redacted>", "REDACTED", "[hidden]"])
                .to_string(),
        ),
        20 => neg(
            "vcs-ci",
            "placeholder",
            "ci-secret-ref",
            format!("${{{{ secrets.{var} }}}}"),
        ),
        _ => neg(
            "generic",
            "placeholder",
            "at-placeholder",
            format!("@{var}@"),
        ),
    }
}

/// A non-secret identifier value that looks random: hashes, ids, digests.
pub fn lookalike(g: &mut G) -> (Neg, &'static str) {
    match g.below(6) {
        0 => (neg("generic", "uuid", "uuid", g.uuid()), "REQUEST_ID"),
        1 => (
            neg("generic", "git-sha", "git-sha", g.hex(40)),
            "GIT_COMMIT",
        ),
        2 => (
            neg("generic", "hex-digest", "sha256-digest", g.hex(64)),
            "ARTIFACT_SHA256",
        ),
        3 => (
            neg(
                "generic",
                "image-digest",
                "image-digest",
                format!("ghcr.io/acme/api@sha256:{}", g.hex(64)),
            ),
            "IMAGE",
        ),
        4 => (
            neg("generic", "hex-digest", "md5-digest", g.hex(32)),
            "CONTENT_MD5",
        ),
        _ => (neg("generic", "uuid", "uuid", g.uuid()), "TENANT_ID"),
    }
}

pub fn npm_integrity(g: &mut G) -> String {
    format!("sha512-{}", g.b64_bytes(64))
}

pub fn sha1_integrity(g: &mut G) -> String {
    format!("sha1-{}", g.b64_bytes(20))
}

pub fn go_sum_hash(g: &mut G) -> String {
    format!("h1:{}", g.b64_bytes(32))
}

/// An OpenSSH public key line.
pub fn ssh_public_key(g: &mut G) -> String {
    if g.chance(50) {
        let mut blob = vec![0, 0, 0, 11];
        blob.extend(b"ssh-ed25519");
        blob.extend([0, 0, 0, 32]);
        blob.extend(g.bytes(32));
        format!("ssh-ed25519 {} dev@laptop", b64(&blob))
    } else {
        let mut blob = vec![0, 0, 0, 7];
        blob.extend(b"ssh-rsa");
        blob.extend([0, 0, 0, 3, 1, 0, 1, 0, 0, 1, 1, 0]);
        blob.extend(g.bytes(256));
        format!("ssh-rsa {} deploy@ci", b64(&blob))
    }
}

/// A PEM public key or certificate block as lines.
pub fn public_pem(g: &mut G, cert: bool) -> Vec<String> {
    let dash = "-----";
    let (label, lead, n) = if cert {
        ("CERTIFICATE", "MIIDdzCCAl+gAwIBAgIE", 880)
    } else {
        (
            "PUBLIC KEY",
            "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
            260,
        )
    };
    let mut body = lead.to_string();
    body.push_str(&g.b64_bytes(n));
    let mut out = vec![format!("{dash}BEGIN {label}{dash}")];
    out.extend(
        body.as_bytes()
            .chunks(64)
            .map(|c| String::from_utf8(c.to_vec()).unwrap()),
    );
    out.push(format!("{dash}END {label}{dash}"));
    out
}

/// A base64 PNG data URI (image data, not a secret).
pub fn png_data_uri(g: &mut G) -> String {
    let mut png = vec![
        0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d,
    ];
    png.extend(b"IHDR");
    let n = g.range(60, 200);
    png.extend(g.bytes(n));
    format!("data:image/png;base64,{}", b64(&png))
}

/// A token that is structurally right but whose only "randomness" is a word pattern.
pub fn words_value(g: &mut G) -> String {
    let w = [
        "correct", "horse", "battery", "staple", "orange", "river", "cloud", "paper",
    ];
    (0..4).map(|_| *g.pick(&w)).collect::<Vec<_>>().join("-")
}

pub fn hex(g: &mut G, n: usize) -> String {
    g.chars(rng::HEX, n)
}
