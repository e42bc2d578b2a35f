//! Token synthesis in the providers' documented formats.
//!
//! Every value is generated at run time from the seeded generator; none is a real
//! credential. The formats (prefix, length, alphabet, checksum) are written from the
//! providers' documentation and public format descriptions, never from leaktrap's own
//! rules or any other scanner's patterns, so the corpus stays independent ground truth.

use crate::rng::{self, b64, b64url, base62_fixed, G};

pub type GenFn = fn(&mut G) -> String;

/// One token format the corpus plants.
#[derive(Clone, Copy)]
pub struct Format {
    /// Our own id, e.g. "github-pat".
    pub id: &'static str,
    /// Rule family (issue 3's coverage list).
    pub family: &'static str,
    /// The variable name a project would usually give it (upper snake case).
    pub var: &'static str,
    /// The value.
    pub gen: GenFn,
    /// An identifier planted on the line before the secret (AWS key id, Twilio SID...):
    /// its variable name and generator. The label then covers both lines.
    pub lead: Option<(&'static str, GenFn)>,
    /// Has a fixed distinctive shape (prefix or structure): found without a variable name.
    pub prefixed: bool,
}

impl std::fmt::Debug for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

const fn f(id: &'static str, family: &'static str, var: &'static str, gen: GenFn) -> Format {
    Format {
        id,
        family,
        var,
        gen,
        lead: None,
        prefixed: true,
    }
}

/// A format with no distinctive shape: only its variable name says what it is.
const fn c(id: &'static str, family: &'static str, var: &'static str, gen: GenFn) -> Format {
    Format {
        id,
        family,
        var,
        gen,
        lead: None,
        prefixed: false,
    }
}

const fn with_lead(mut fmt: Format, var: &'static str, gen: GenFn) -> Format {
    fmt.lead = Some((var, gen));
    fmt
}

/// GitHub-style token: prefix, 30 base62 chars, then CRC32 of those 30 chars in base62 (6).
pub fn crc_token(g: &mut G, prefix: &str) -> String {
    let body = g.chars(rng::BASE62, 30);
    let crc = crc32fast::hash(body.as_bytes()) as u64;
    format!("{prefix}{body}{}", base62_fixed(crc, 6))
}

/// The same token with its checksum broken (a hard negative).
pub fn crc_token_bad(g: &mut G, prefix: &str) -> String {
    let good = crc_token(g, prefix);
    let mut b = good.into_bytes();
    let i = b.len() - 1 - g.below(3);
    b[i] = if b[i] == b'Q' { b'R' } else { b'Q' };
    String::from_utf8(b).unwrap()
}

pub fn aws_key_id(g: &mut G, prefix: &str) -> String {
    format!("{prefix}{}", g.chars(rng::BASE32, 16))
}

pub fn aws_secret(g: &mut G) -> String {
    g.chars(rng::B64, 40)
}

fn pem_body(g: &mut G, lead: &str, bytes: usize) -> Vec<String> {
    let mut s = lead.to_string();
    s.push_str(&g.b64_bytes(bytes));
    s.as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect()
}

/// A private key block as lines. Kinds: rsa, pkcs8, ec, openssh, encrypted, pgp.
pub fn private_key(g: &mut G, kind: &str) -> Vec<String> {
    let dash = "-----";
    let (label, lead, n) = match kind {
        "rsa" => ("RSA PRIVATE KEY", "MIIEpAIBAAKCAQEA", 1180),
        "pkcs8" => (
            "PRIVATE KEY",
            "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ",
            1180,
        ),
        "ec" => ("EC PRIVATE KEY", "MHcCAQEEI", 110),
        "openssh" => (
            "OPENSSH PRIVATE KEY",
            "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
            300,
        ),
        "encrypted" => (
            "ENCRYPTED PRIVATE KEY",
            "MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI",
            1240,
        ),
        _ => ("PGP PRIVATE KEY BLOCK", "lQOYBF", 900),
    };
    let mut out = vec![format!("{dash}BEGIN {label}{dash}")];
    if kind == "pgp" {
        out.push(String::new());
    }
    out.extend(pem_body(g, lead, n));
    if kind == "pgp" {
        out.push(format!("={}", g.b64_bytes(3)));
    }
    out.push(format!("{dash}END {label}{dash}"));
    out
}

/// A JWT with the given payload claims (JSON object body without braces).
pub fn jwt(g: &mut G, claims: &str) -> String {
    let header = b64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = b64url(format!("{{{claims}}}").as_bytes());
    format!("{header}.{payload}.{}", g.b64url_bytes(32))
}

fn jwt_user(g: &mut G) -> String {
    let sub = g.digits(8);
    let iat = 1_700_000_000 + g.below(60_000_000);
    jwt(
        g,
        &format!(
            r#""sub":"{sub}","name":"svc-deploy","iat":{iat},"exp":{}"#,
            iat + 86400 * 365
        ),
    )
}

fn supabase_service_role(g: &mut G) -> String {
    let refid = g.chars(rng::LOWER, 20);
    jwt(
        g,
        &format!(
            r#""iss":"supabase","ref":"{refid}","role":"service_role","iat":1712000000,"exp":2027576000"#
        ),
    )
}

fn pypi_token(g: &mut G) -> String {
    // A macaroon (v2 binary): location "pypi.org", identifier, caveat, signature.
    let mut m: Vec<u8> = vec![0x02, 0x01, 0x08];
    m.extend(b"pypi.org");
    m.extend([0x02, 0x24]);
    m.extend(g.uuid().as_bytes());
    m.push(0x00);
    let caveat = format!(
        r#"{{"version": 1, "permissions": {{"projects": ["{}"]}}}}"#,
        g.chars(rng::LOWER, 8)
    );
    m.extend([0x02, caveat.len() as u8]);
    m.extend(caveat.as_bytes());
    m.extend([0x00, 0x00, 0x06, 0x20]);
    m.extend(g.bytes(32));
    format!("pypi-{}", b64url(&m))
}

fn age_key(g: &mut G) -> String {
    let data = g.bytes(32);
    rng::bech32("age-secret-key-", &data).to_uppercase()
}

fn azure_account_key(g: &mut G) -> String {
    g.b64_bytes(64)
}

fn azure_conn(g: &mut G) -> String {
    let acct = format!("{}{}", g.chars(rng::LOWER, 8), g.digits(3));
    let key = azure_account_key(g);
    format!("DefaultEndpointsProtocol=https;AccountName={acct};AccountKey={key};EndpointSuffix=core.windows.net")
}

fn azure_sas(g: &mut G) -> String {
    let acct = g.chars(rng::LOWER, 10);
    let sig = rng::percent_encode(&g.b64_bytes(32));
    format!(
        "https://{acct}.blob.core.windows.net/backups?sv=2022-11-02&ss=b&srt=sco&sp=rwdlacx&se=2027-03-01T00:00:00Z&st=2025-03-01T00:00:00Z&spr=https&sig={sig}"
    )
}

fn entra_secret(g: &mut G) -> String {
    let set: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~-";
    format!("{}8Q~{}", g.chars(set, 3), g.chars(set, 34))
}

fn slack_webhook(g: &mut G) -> String {
    let (t, b, s) = (
        g.chars(rng::UPPER_ALNUM, 10),
        g.chars(rng::UPPER_ALNUM, 10),
        g.alnum(24),
    );
    format!("https://hooks.slack.com/services/T{t}/B{b}/{s}")
}

fn discord_bot(g: &mut G) -> String {
    let id = g.digits(18);
    format!(
        "{}.{}.{}",
        b64url(id.as_bytes()),
        g.chars(rng::B64URL, 6),
        g.chars(rng::B64URL, 38)
    )
}

fn discord_webhook(g: &mut G) -> String {
    let id = g.digits(19);
    format!(
        "https://discord.com/api/webhooks/{id}/{}",
        g.chars(rng::B64URL, 68)
    )
}

fn teams_webhook(g: &mut G) -> String {
    let tenant = g.chars(rng::LOWER, 8);
    let (a, b, c) = (g.uuid(), g.uuid(), g.uuid());
    let h = g.hex(32);
    format!("https://{tenant}.webhook.office.com/webhookb2/{a}@{b}/IncomingWebhook/{h}/{c}")
}

fn openai_project(g: &mut G) -> String {
    format!(
        "sk-proj-{}T3BlbkFJ{}",
        g.chars(rng::B64URL, 74),
        g.chars(rng::B64URL, 74)
    )
}

fn openai_legacy(g: &mut G) -> String {
    format!("sk-{}T3BlbkFJ{}", g.alnum(20), g.alnum(20))
}

fn openai_svcacct(g: &mut G) -> String {
    format!(
        "sk-svcacct-{}T3BlbkFJ{}",
        g.chars(rng::B64URL, 74),
        g.chars(rng::B64URL, 74)
    )
}

fn onepassword_sa(g: &mut G) -> String {
    let json = format!(
        r#"{{"signInAddress":"my.1password.com","userAuth":{{"method":"SRPg-4096","alg":"PBES2g-HS256","iterations":650000,"salt":"{}"}},"email":"{}@1passwordserviceaccounts.com","srpX":"{}","muk":{{"alg":"A256GCM","ext":true,"k":"{}","key_ops":["encrypt","decrypt"],"kty":"oct","kid":"mp"}},"secretKey":"A3-{}-{}","throttleSecret":{{"seed":"{}","deviceUuid":"{}"}},"deviceUuid":"{}"}}"#,
        g.b64url_bytes(16),
        g.chars(rng::LOWER_ALNUM, 26),
        g.hex(64),
        g.b64url_bytes(32),
        g.chars(rng::UPPER_ALNUM, 6),
        g.chars(rng::UPPER_ALNUM, 26),
        g.hex(64),
        g.chars(rng::LOWER_ALNUM, 26),
        g.chars(rng::LOWER_ALNUM, 26),
    );
    format!("ops_{}", b64url(json.as_bytes()))
}

fn grafana_cloud(g: &mut G) -> String {
    let json = format!(
        r#"{{"o":"{}","n":"stack-{}-deploy","k":"{}","m":{{"r":"prod-eu-west-2"}}}}"#,
        g.digits(6),
        g.digits(6),
        g.alnum(24)
    );
    format!("glc_{}", b64(json.as_bytes()).trim_end_matches('='))
}

fn grafana_sa(g: &mut G) -> String {
    let body = g.alnum(32);
    // The CRC32 of everything before it, its bytes little-endian, in hex
    // (checked against tokens Grafana's documentation and users published).
    let crc = crc32fast::hash(format!("glsa_{body}").as_bytes()).to_le_bytes();
    let hex: String = crc.iter().map(|b| format!("{b:02x}")).collect();
    format!("glsa_{body}_{hex}")
}

fn sentry_org(g: &mut G) -> String {
    let json = format!(
        r#"{{"iat":{},"url":"https://sentry.io","region_url":"https://us.sentry.io","org":"{}"}}"#,
        1_700_000_000 + g.below(50_000_000),
        g.chars(rng::LOWER, 9)
    );
    format!(
        "sntrys_{}_{}",
        b64(json.as_bytes()).trim_end_matches('='),
        g.chars(rng::B64, 43)
    )
}

fn atlassian(g: &mut G) -> String {
    format!(
        "ATATT3xFfGF0{}={}",
        g.chars(rng::B64URL, 170),
        g.chars(rng::UPPER_HEX, 8)
    )
}

fn braintree(g: &mut G) -> String {
    format!(
        "access_token$production${}${}",
        g.chars(rng::LOWER_ALNUM, 16),
        g.hex(32)
    )
}

fn tfc(g: &mut G) -> String {
    format!("{}.atlasv1.{}", g.alnum(14), g.alnum(67))
}

fn fernet(g: &mut G) -> String {
    let k = g.bytes(32);
    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE, k)
}

fn laravel_key(g: &mut G) -> String {
    format!("base64:{}", g.b64_bytes(32))
}

fn django_key(g: &mut G) -> String {
    let set: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789!@#%^&*(-_=+)";
    format!("django-insecure-{}", g.chars(set, 50))
}

/// `scheme://user:password@rest`, assembled piecewise (this source holds no URL with
/// credentials in it).
pub fn url_with(scheme: &str, user: &str, password: &str, rest: &str) -> String {
    [scheme, "://", user, ":", password, "@", rest].concat()
}

pub fn url_password(g: &mut G) -> String {
    // Passwords in URLs: alphanumeric plus URL-safe symbols (people percent-encode the rest).
    let n = g.range(14, 24);
    let mut s = g.alnum(n);
    let at = g.below(s.len());
    s.insert(at, *g.pick(&['-', '_', '.', '~']));
    s
}

fn user(g: &mut G) -> String {
    g.pick(&[
        "app",
        "admin",
        "svc_orders",
        "deploy",
        "reporting",
        "etl",
        "backend",
        "api_user",
    ])
    .to_string()
}

fn host(g: &mut G, suffix: &str) -> String {
    format!(
        "{}-{}.{suffix}",
        g.pick(&["db", "primary", "main", "prod", "data"]),
        g.chars(rng::LOWER_ALNUM, 6)
    )
}

pub fn conn_postgres(g: &mut G) -> String {
    let (u, p, h) = (user(g), url_password(g), host(g, "internal.example.com"));
    url_with(
        "postgresql",
        &u,
        &p,
        &format!("{h}:5432/orders?sslmode=require"),
    )
}

fn conn_mysql(g: &mut G) -> String {
    let (u, p, h) = (user(g), url_password(g), host(g, "rds.amazonaws.com"));
    url_with("mysql", &u, &p, &format!("{h}:3306/shop"))
}

fn conn_mongo(g: &mut G) -> String {
    let (u, p) = (user(g), url_password(g));
    let cl = g.chars(rng::LOWER_ALNUM, 5);
    url_with(
        "mongodb+srv",
        &u,
        &p,
        &format!("cluster0.{cl}.mongodb.net/app?retryWrites=true&w=majority"),
    )
}

fn conn_redis(g: &mut G) -> String {
    let (p, h) = (url_password(g), host(g, "cache.example.net"));
    url_with("rediss", "default", &p, &format!("{h}:6380/0"))
}

fn conn_amqp(g: &mut G) -> String {
    let (u, p, h) = (user(g), url_password(g), host(g, "mq.example.org"));
    url_with("amqps", &u, &p, &format!("{h}:5671/vhost"))
}

fn conn_mssql(g: &mut G) -> String {
    let (u, p) = (user(g), g.password());
    let h = host(g, "database.windows.net");
    [
        &format!("Server=tcp:{h},1433;Initial Catalog=billing;User ID={u};"),
        "Pass",
        "word=",
        &p,
        ";Encrypt=True;",
    ]
    .concat()
}

fn conn_jdbc(g: &mut G) -> String {
    let (u, p, h) = (user(g), url_password(g), host(g, "example.com"));
    [
        &format!("jdbc:postgresql://{h}:5432/inventory?user={u}&"),
        "pass",
        "word=",
        &p,
    ]
    .concat()
}

fn conn_sqlalchemy(g: &mut G) -> String {
    let (u, p, h) = (user(g), url_password(g), host(g, "example.com"));
    url_with("postgresql+psycopg2", &u, &p, &format!("{h}/analytics"))
}

fn url_creds(g: &mut G) -> String {
    let (u, p) = (user(g), url_password(g));
    let h = g
        .pick(&[
            "artifacts.example.com",
            "registry.corp.example",
            "git.example.org",
        ])
        .to_string();
    url_with("https", &u, &p, &format!("{h}/repository/releases/"))
}

fn generic_random(g: &mut G) -> String {
    let n = g.range(20, 40);
    g.alnum(n)
}

fn generic_hexsecret(g: &mut G) -> String {
    g.hex(64)
}

/// Every format planted by assignment (`VAR = value` in some file kind).
pub fn catalog() -> Vec<Format> {
    vec![
        // ---- cloud
        with_lead(
            f("aws-key-pair", "cloud", "AWS_SECRET_ACCESS_KEY", aws_secret),
            "AWS_ACCESS_KEY_ID",
            |g| aws_key_id(g, "AKIA"),
        ),
        c(
            "aws-secret-key",
            "cloud",
            "AWS_SECRET_ACCESS_KEY",
            aws_secret,
        ),
        with_lead(
            f("aws-session-token", "cloud", "AWS_SESSION_TOKEN", |g| {
                format!("IQoJb3JpZ2luX2Vj{}", g.chars(rng::B64, 340))
            }),
            "AWS_ACCESS_KEY_ID",
            |g| aws_key_id(g, "ASIA"),
        ),
        f("gcp-api-key", "cloud", "GOOGLE_API_KEY", |g| {
            format!("AIza{}", g.chars(rng::B64URL, 35))
        }),
        f(
            "azure-storage-conn",
            "cloud",
            "AZURE_STORAGE_CONNECTION_STRING",
            azure_conn,
        ),
        c(
            "azure-storage-key",
            "cloud",
            "AZURE_STORAGE_KEY",
            azure_account_key,
        ),
        f("azure-sas-url", "cloud", "AZURE_BLOB_SAS_URL", azure_sas),
        f(
            "azure-entra-secret",
            "cloud",
            "AZURE_CLIENT_SECRET",
            entra_secret,
        ),
        f("azure-devops-pat", "cloud", "AZURE_DEVOPS_PAT", |g| {
            format!("{}AZDO{}", g.alnum(76), g.alnum(4))
        }),
        c(
            "azure-devops-pat-legacy",
            "cloud",
            "AZURE_DEVOPS_EXT_PAT",
            |g| g.chars(b"abcdefghijklmnopqrstuvwxyz234567", 52),
        ),
        f("digitalocean-pat", "cloud", "DIGITALOCEAN_TOKEN", |g| {
            format!("dop_v1_{}", g.hex(64))
        }),
        c(
            "cloudflare-api-token",
            "cloud",
            "CLOUDFLARE_API_TOKEN",
            |g| g.chars(rng::B64URL, 40),
        ),
        c(
            "cloudflare-global-key",
            "cloud",
            "CLOUDFLARE_API_KEY",
            |g| g.hex(37),
        ),
        f("heroku-api-key", "cloud", "HEROKU_API_KEY", |g| {
            format!("HRKU-AA{}", g.chars(rng::B64URL, 58))
        }),
        c("heroku-api-key-legacy", "cloud", "HEROKU_API_KEY", |g| {
            g.uuid()
        }),
        with_lead(
            c(
                "alibaba-key-pair",
                "cloud",
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                |g| g.alnum(30),
            ),
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            |g| format!("LTAI{}", g.alnum(20)),
        ),
        c("ibm-cloud-api-key", "cloud", "IBMCLOUD_API_KEY", |g| {
            g.chars(rng::B64URL, 44)
        }),
        c("fastly-api-token", "cloud", "FASTLY_API_TOKEN", |g| {
            g.chars(rng::B64URL, 32)
        }),
        f("netlify-pat", "cloud", "NETLIFY_AUTH_TOKEN", |g| {
            format!("nfp_{}", g.alnum(36))
        }),
        c("vercel-token", "cloud", "VERCEL_TOKEN", |g| g.alnum(24)),
        f("flyio-token", "cloud", "FLY_API_TOKEN", |g| {
            format!("FlyV1 fm2_{}", g.chars(rng::B64, 160))
        }),
        c("oracle-auth-token", "cloud", "OCI_AUTH_TOKEN", |g| {
            format!("{}({}){}", g.alnum(8), g.alnum(3), g.alnum(8))
        }),
        // ---- source hosting and CI
        f("github-pat", "vcs-ci", "GITHUB_TOKEN", |g| {
            crc_token(g, "ghp_")
        }),
        f("github-oauth", "vcs-ci", "GITHUB_OAUTH_TOKEN", |g| {
            crc_token(g, "gho_")
        }),
        f("github-user-to-server", "vcs-ci", "GH_USER_TOKEN", |g| {
            crc_token(g, "ghu_")
        }),
        f("github-app-installation", "vcs-ci", "GH_APP_TOKEN", |g| {
            crc_token(g, "ghs_")
        }),
        f("github-refresh", "vcs-ci", "GITHUB_REFRESH_TOKEN", |g| {
            crc_token(g, "ghr_")
        }),
        f("github-fine-grained", "vcs-ci", "GH_TOKEN", |g| {
            format!(
                "github_pat_11{}_{}",
                g.chars(rng::UPPER_ALNUM, 20),
                g.alnum(59)
            )
        }),
        f("gitlab-pat", "vcs-ci", "GITLAB_TOKEN", |g| {
            format!("glpat-{}", g.chars(rng::B64URL, 20))
        }),
        f(
            "gitlab-deploy-token",
            "vcs-ci",
            "GITLAB_DEPLOY_TOKEN",
            |g| format!("gldt-{}", g.chars(rng::B64URL, 20)),
        ),
        f("gitlab-runner-token", "vcs-ci", "CI_RUNNER_TOKEN", |g| {
            format!("glrt-{}", g.chars(rng::B64URL, 20))
        }),
        f(
            "gitlab-runner-registration",
            "vcs-ci",
            "REGISTRATION_TOKEN",
            |g| format!("GR1348941{}", g.chars(rng::B64URL, 20)),
        ),
        f(
            "gitlab-trigger-token",
            "vcs-ci",
            "GITLAB_TRIGGER_TOKEN",
            |g| format!("glptt-{}", g.hex(40)),
        ),
        f("gitlab-feed-token", "vcs-ci", "GITLAB_FEED_TOKEN", |g| {
            format!("glft-{}", g.chars(rng::B64URL, 20))
        }),
        f(
            "gitlab-oauth-secret",
            "vcs-ci",
            "GITLAB_OAUTH_SECRET",
            |g| format!("gloas-{}", g.hex(64)),
        ),
        f("gitlab-ci-job-token", "vcs-ci", "CI_JOB_TOKEN", |g| {
            format!("glcbt-{}_{}", g.hex(2), g.chars(rng::B64URL, 20))
        }),
        f(
            "bitbucket-app-password",
            "vcs-ci",
            "BITBUCKET_APP_PASSWORD",
            |g| format!("ATBB{}", g.alnum(32)),
        ),
        f("circleci-pat", "vcs-ci", "CIRCLECI_TOKEN", |g| {
            format!("CCIPAT_{}_{}", g.alnum(22), g.hex(40))
        }),
        c("travis-token", "vcs-ci", "TRAVIS_API_TOKEN", |g| {
            g.chars(rng::B64URL, 22)
        }),
        f("buildkite-token", "vcs-ci", "BUILDKITE_API_TOKEN", |g| {
            format!("bkua_{}", g.hex(40))
        }),
        c("jenkins-api-token", "vcs-ci", "JENKINS_API_TOKEN", |g| {
            format!("11{}", g.hex(32))
        }),
        // ---- chat
        f("slack-bot-token", "chat", "SLACK_BOT_TOKEN", |g| {
            format!("xoxb-{}-{}-{}", g.digits(11), g.digits(13), g.alnum(24))
        }),
        f("slack-user-token", "chat", "SLACK_USER_TOKEN", |g| {
            format!(
                "xoxp-{}-{}-{}-{}",
                g.digits(11),
                g.digits(11),
                g.digits(13),
                g.hex(32)
            )
        }),
        f("slack-app-token", "chat", "SLACK_APP_TOKEN", |g| {
            format!(
                "xapp-1-A{}-{}-{}",
                g.chars(rng::UPPER_ALNUM, 10),
                g.digits(13),
                g.hex(64)
            )
        }),
        f("slack-config-token", "chat", "SLACK_CONFIG_TOKEN", |g| {
            format!("xoxe.xoxp-1-{}", g.chars(rng::ALNUM, 146))
        }),
        f("slack-webhook", "chat", "SLACK_WEBHOOK_URL", slack_webhook),
        f(
            "discord-bot-token",
            "chat",
            "DISCORD_BOT_TOKEN",
            discord_bot,
        ),
        f(
            "discord-webhook",
            "chat",
            "DISCORD_WEBHOOK",
            discord_webhook,
        ),
        f("telegram-bot-token", "chat", "TELEGRAM_BOT_TOKEN", |g| {
            format!("{}:AA{}", g.digits(10), g.chars(rng::B64URL, 33))
        }),
        f("teams-webhook", "chat", "TEAMS_WEBHOOK_URL", teams_webhook),
        c("mattermost-token", "chat", "MATTERMOST_TOKEN", |g| {
            g.chars(rng::LOWER_ALNUM, 26)
        }),
        // ---- payments
        f("stripe-secret-key", "payments", "STRIPE_SECRET_KEY", |g| {
            format!("sk_live_51{}", g.alnum(97))
        }),
        f(
            "stripe-restricted-key",
            "payments",
            "STRIPE_RESTRICTED_KEY",
            |g| format!("rk_live_51{}", g.alnum(97)),
        ),
        f(
            "stripe-webhook-secret",
            "payments",
            "STRIPE_WEBHOOK_SECRET",
            |g| format!("whsec_{}", g.alnum(32)),
        ),
        f(
            "square-access-token",
            "payments",
            "SQUARE_ACCESS_TOKEN",
            |g| format!("EAAA{}", g.chars(rng::B64URL, 60)),
        ),
        f(
            "square-oauth-secret",
            "payments",
            "SQUARE_APPLICATION_SECRET",
            |g| format!("sq0csp-{}", g.chars(rng::B64URL, 43)),
        ),
        f(
            "braintree-access-token",
            "payments",
            "BRAINTREE_ACCESS_TOKEN",
            braintree,
        ),
        c(
            "paypal-client-secret",
            "payments",
            "PAYPAL_CLIENT_SECRET",
            |g| format!("E{}", g.chars(rng::B64URL, 79)),
        ),
        // Adyen's keys: "AQE" and base64 parts separated by "-", the last of
        // them printable punctuation-rich text.
        f("adyen-api-key", "payments", "ADYEN_API_KEY", |g| {
            format!(
                "AQE{}=-{}=-{}",
                g.chars(rng::ALNUM, 77),
                g.chars(rng::ALNUM, 43),
                g.chars(rng::ALNUM, 16)
            )
        }),
        f(
            "shopify-access-token",
            "payments",
            "SHOPIFY_ACCESS_TOKEN",
            |g| format!("shpat_{}", g.hex(32)),
        ),
        f(
            "shopify-shared-secret",
            "payments",
            "SHOPIFY_API_SECRET",
            |g| format!("shpss_{}", g.hex(32)),
        ),
        f(
            "shopify-custom-app",
            "payments",
            "SHOPIFY_CUSTOM_APP_TOKEN",
            |g| format!("shpca_{}", g.hex(32)),
        ),
        // ---- AI
        f("openai-project-key", "ai", "OPENAI_API_KEY", openai_project),
        f("openai-legacy-key", "ai", "OPENAI_KEY", openai_legacy),
        f(
            "openai-service-account",
            "ai",
            "OPENAI_API_KEY",
            openai_svcacct,
        ),
        f("anthropic-api-key", "ai", "ANTHROPIC_API_KEY", |g| {
            format!("sk-ant-api03-{}AA", g.chars(rng::B64URL, 93))
        }),
        f("anthropic-admin-key", "ai", "ANTHROPIC_ADMIN_KEY", |g| {
            format!("sk-ant-admin01-{}AA", g.chars(rng::B64URL, 93))
        }),
        f("huggingface-token", "ai", "HF_TOKEN", |g| {
            format!(
                "hf_{}",
                g.chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 34)
            )
        }),
        c("cohere-api-key", "ai", "COHERE_API_KEY", |g| g.alnum(40)),
        c("mistral-api-key", "ai", "MISTRAL_API_KEY", |g| g.alnum(32)),
        f("groq-api-key", "ai", "GROQ_API_KEY", |g| {
            format!("gsk_{}", g.alnum(52))
        }),
        f("replicate-token", "ai", "REPLICATE_API_TOKEN", |g| {
            format!("r8_{}", g.alnum(37))
        }),
        f("gemini-api-key", "ai", "GEMINI_API_KEY", |g| {
            format!("AIza{}", g.chars(rng::B64URL, 35))
        }),
        f("perplexity-api-key", "ai", "PERPLEXITY_API_KEY", |g| {
            format!("pplx-{}", g.alnum(48))
        }),
        f("xai-api-key", "ai", "XAI_API_KEY", |g| {
            format!("xai-{}", g.alnum(80))
        }),
        // ---- package registries
        f("npm-token", "registries", "NPM_TOKEN", |g| {
            crc_token(g, "npm_")
        }),
        f("pypi-token", "registries", "PYPI_API_TOKEN", pypi_token),
        f("rubygems-key", "registries", "GEM_HOST_API_KEY", |g| {
            format!("rubygems_{}", g.hex(48))
        }),
        f("nuget-key", "registries", "NUGET_API_KEY", |g| {
            format!("oy2{}", g.chars(rng::LOWER_ALNUM, 43))
        }),
        f(
            "cratesio-token",
            "registries",
            "CARGO_REGISTRY_TOKEN",
            |g| format!("cio{}", g.alnum(32)),
        ),
        f("dockerhub-pat", "registries", "DOCKERHUB_TOKEN", |g| {
            format!("dckr_pat_{}", g.chars(rng::B64URL, 27))
        }),
        f("jfrog-api-key", "registries", "ARTIFACTORY_API_KEY", |g| {
            format!("AKCp{}", g.alnum(69))
        }),
        f(
            "jfrog-reference-token",
            "registries",
            "JFROG_ACCESS_TOKEN",
            |g| format!("cmVmdGtuOjAxOj{}", g.alnum(50)),
        ),
        // ---- secrets and infrastructure tools
        f("vault-service-token", "infra", "VAULT_TOKEN", |g| {
            format!("hvs.CAESI{}", g.chars(rng::B64URL, 86))
        }),
        f("vault-batch-token", "infra", "VAULT_BATCH_TOKEN", |g| {
            format!("hvb.AAAAAQ{}", g.chars(rng::B64URL, 128))
        }),
        f("vault-recovery-token", "infra", "VAULT_ROOT_TOKEN", |g| {
            format!("hvr.{}", g.chars(rng::B64URL, 24))
        }),
        f("terraform-cloud-token", "infra", "TFE_TOKEN", tfc),
        f("doppler-service-token", "infra", "DOPPLER_TOKEN", |g| {
            format!("dp.st.prd.{}", g.alnum(43))
        }),
        f(
            "doppler-personal-token",
            "infra",
            "DOPPLER_PERSONAL_TOKEN",
            |g| format!("dp.pt.{}", g.alnum(43)),
        ),
        f("pulumi-token", "infra", "PULUMI_ACCESS_TOKEN", |g| {
            format!("pul-{}", g.hex(40))
        }),
        f(
            "onepassword-service-account",
            "infra",
            "OP_SERVICE_ACCOUNT_TOKEN",
            onepassword_sa,
        ),
        f("infisical-token", "infra", "INFISICAL_TOKEN", |g| {
            format!("st.{}.{}.{}", g.uuid(), g.hex(32), g.hex(32))
        }),
        // ---- observability
        c("datadog-api-key", "observability", "DD_API_KEY", |g| {
            g.hex(32)
        }),
        c("datadog-app-key", "observability", "DD_APP_KEY", |g| {
            g.hex(40)
        }),
        f(
            "newrelic-user-key",
            "observability",
            "NEW_RELIC_API_KEY",
            |g| format!("NRAK-{}", g.chars(rng::UPPER_ALNUM, 27)),
        ),
        f(
            "newrelic-license-key",
            "observability",
            "NEW_RELIC_LICENSE_KEY",
            |g| format!("{}NRAL", g.hex(36)),
        ),
        f(
            "sentry-user-token",
            "observability",
            "SENTRY_AUTH_TOKEN",
            |g| format!("sntryu_{}", g.hex(64)),
        ),
        f(
            "sentry-org-token",
            "observability",
            "SENTRY_ORG_TOKEN",
            sentry_org,
        ),
        f(
            "grafana-service-account",
            "observability",
            "GRAFANA_SA_TOKEN",
            grafana_sa,
        ),
        f(
            "grafana-cloud-token",
            "observability",
            "GRAFANA_CLOUD_API_KEY",
            grafana_cloud,
        ),
        f(
            "honeycomb-ingest-key",
            "observability",
            "HONEYCOMB_API_KEY",
            |g| format!("hcaik_01{}", g.chars(rng::LOWER_ALNUM, 56)),
        ),
        c("pagerduty-token", "observability", "PAGERDUTY_TOKEN", |g| {
            format!("u+{}", g.chars(rng::B64URL, 18))
        }),
        c(
            "splunk-hec-token",
            "observability",
            "SPLUNK_HEC_TOKEN",
            |g| g.uuid(),
        ),
        f("dynatrace-token", "observability", "DT_API_TOKEN", |g| {
            format!(
                "dt0c01.{}.{}",
                g.chars(rng::UPPER_ALNUM, 24),
                g.chars(rng::UPPER_ALNUM, 64)
            )
        }),
        c(
            "opsgenie-api-key",
            "observability",
            "OPSGENIE_API_KEY",
            |g| g.uuid(),
        ),
        // ---- messaging and email
        f("sendgrid-api-key", "messaging", "SENDGRID_API_KEY", |g| {
            format!(
                "SG.{}.{}",
                g.chars(rng::B64URL, 22),
                g.chars(rng::B64URL, 43)
            )
        }),
        f("mailgun-key-legacy", "messaging", "MAILGUN_API_KEY", |g| {
            format!("key-{}", g.hex(32))
        }),
        c("mailgun-key", "messaging", "MAILGUN_API_KEY", |g| {
            format!("{}-{}-{}", g.hex(32), g.hex(8), g.hex(8))
        }),
        f("mailchimp-api-key", "messaging", "MAILCHIMP_API_KEY", |g| {
            format!("{}-us{}", g.hex(32), g.range(1, 21))
        }),
        c(
            "postmark-server-token",
            "messaging",
            "POSTMARK_SERVER_TOKEN",
            |g| g.uuid(),
        ),
        with_lead(
            c("twilio-auth-token", "messaging", "TWILIO_AUTH_TOKEN", |g| {
                g.hex(32)
            }),
            "TWILIO_ACCOUNT_SID",
            |g| format!("AC{}", g.hex(32)),
        ),
        f("twilio-api-key", "messaging", "TWILIO_API_KEY", |g| {
            format!("SK{}", g.hex(32))
        }),
        c("vonage-api-secret", "messaging", "VONAGE_API_SECRET", |g| {
            g.alnum(16)
        }),
        // ---- productivity and data
        f(
            "atlassian-api-token",
            "productivity",
            "JIRA_API_TOKEN",
            atlassian,
        ),
        f("linear-api-key", "productivity", "LINEAR_API_KEY", |g| {
            format!("lin_api_{}", g.alnum(40))
        }),
        f("notion-token", "productivity", "NOTION_TOKEN", |g| {
            format!("ntn_{}{}", g.digits(11), g.alnum(35))
        }),
        f(
            "notion-legacy-secret",
            "productivity",
            "NOTION_API_KEY",
            |g| format!("secret_{}", g.alnum(43)),
        ),
        f("asana-pat", "productivity", "ASANA_ACCESS_TOKEN", |g| {
            format!("2/{}/{}:{}", g.digits(16), g.digits(16), g.hex(32))
        }),
        f("airtable-pat", "productivity", "AIRTABLE_API_KEY", |g| {
            format!("pat{}.{}", g.alnum(14), g.hex(64))
        }),
        f("postman-api-key", "productivity", "POSTMAN_API_KEY", |g| {
            format!("PMAK-{}-{}", g.hex(24), g.hex(34))
        }),
        f("figma-pat", "productivity", "FIGMA_TOKEN", |g| {
            format!("figd_{}", g.chars(rng::B64URL, 40))
        }),
        f(
            "databricks-token",
            "productivity",
            "DATABRICKS_TOKEN",
            |g| format!("dapi{}", g.hex(32)),
        ),
        f(
            "supabase-service-role",
            "productivity",
            "SUPABASE_SERVICE_ROLE_KEY",
            supabase_service_role,
        ),
        f(
            "planetscale-token",
            "productivity",
            "PLANETSCALE_SERVICE_TOKEN",
            |g| format!("pscale_tkn_{}", g.chars(rng::B64URL, 43)),
        ),
        f(
            "planetscale-password",
            "productivity",
            "PLANETSCALE_DB_PASSWORD",
            |g| format!("pscale_pw_{}", g.chars(rng::B64URL, 43)),
        ),
        c(
            "snowflake-password",
            "productivity",
            "SNOWFLAKE_PASSWORD",
            |g| g.password(),
        ),
        // ---- workflow engines
        f("prefect-api-key", "workflow", "PREFECT_API_KEY", |g| {
            format!("pnu_{}", g.alnum(36))
        }),
        c(
            "airflow-fernet-key",
            "workflow",
            "AIRFLOW__CORE__FERNET_KEY",
            fernet,
        ),
        f("n8n-api-key", "workflow", "N8N_API_KEY", jwt_user),
        c("windmill-token", "workflow", "WM_TOKEN", |g| g.alnum(32)),
        // ---- keys and tokens in general
        f("age-secret-key", "keys", "SOPS_AGE_KEY", age_key),
        f("jwt", "keys", "ACCESS_TOKEN", jwt_user),
        c("jwt-signing-secret", "keys", "JWT_SECRET", |g| {
            g.b64_bytes(48)
        }),
        // ---- credentials in structure
        f("postgres-url", "structure", "DATABASE_URL", conn_postgres),
        f("mysql-url", "structure", "MYSQL_URL", conn_mysql),
        f("mongodb-srv-url", "structure", "MONGODB_URI", conn_mongo),
        f("redis-url", "structure", "REDIS_URL", conn_redis),
        f("amqp-url", "structure", "AMQP_URL", conn_amqp),
        f(
            "mssql-ado-conn",
            "structure",
            "SQLSERVER_CONNECTION",
            conn_mssql,
        ),
        f("jdbc-url", "structure", "JDBC_URL", conn_jdbc),
        f(
            "sqlalchemy-url",
            "structure",
            "SQLALCHEMY_DATABASE_URI",
            conn_sqlalchemy,
        ),
        f("url-credentials", "structure", "REPO_URL", url_creds),
        f(
            "django-secret-key",
            "structure",
            "DJANGO_SECRET_KEY",
            django_key,
        ),
        c(
            "rails-secret-key-base",
            "structure",
            "SECRET_KEY_BASE",
            |g| g.hex(128),
        ),
        f("laravel-app-key", "structure", "APP_KEY", laravel_key),
        c("flask-secret-key", "structure", "FLASK_SECRET_KEY", |g| {
            g.hex(48)
        }),
        // ---- generic assignments
        c("generic-password", "generic", "DB_PASSWORD", |g| {
            g.password()
        }),
        c("generic-secret", "generic", "CLIENT_SECRET", generic_random),
        c("generic-api-key", "generic", "API_KEY", generic_random),
        c("generic-token", "generic", "AUTH_TOKEN", generic_random),
        c(
            "generic-hex-secret",
            "generic",
            "SIGNING_SECRET",
            generic_hexsecret,
        ),
    ]
}
