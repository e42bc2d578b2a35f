//! The precision checklist: text that looks like a secret to a naive scanner
//! but is not one. The full built-in rule set runs over each snippet, at a
//! realistic path, and none may yield an unsuppressed finding.
//!
//! Values that would look like secrets (digests, integrity strings, key
//! material) are generated at run time from a fixed seed, so this file holds
//! nothing a scanner could mistake for a credential.

use leaktrap_engine::{Engine, Match, Scratch};
use leaktrap_rules::{builtin_rules, RuleSet};

mod common;
use common::Gen;

/// This file's own shapes.
impl Gen {
    fn alnum(&mut self, n: usize) -> String {
        self.from(
            b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            n,
        )
    }

    fn uuid(&mut self) -> String {
        format!(
            "{}-{}-4{}-a{}-{}",
            self.hex(8),
            self.hex(4),
            self.hex(3),
            self.hex(3),
            self.hex(12)
        )
    }
}

/// (path, text) pairs, each of which must yield no finding.
fn snippets() -> Vec<(&'static str, String)> {
    let mut g = Gen(0x5EED_1EAC_7A9B_0001);
    let mut v: Vec<(&'static str, String)> = Vec::new();

    // Lock files: hashes and integrity strings, judged by the field.
    v.push((
        "package-lock.json",
        format!(
            "    \"node_modules/left-pad\": {{\n      \"version\": \"1.3.0\",\n      \"resolved\": \"https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz\",\n      \"integrity\": \"sha512-{}\",\n      \"dev\": true\n    }},\n      \"integrity\": \"sha1-{}\",\n",
            g.b64(64),
            g.b64(20)
        ),
    ));
    v.push((
        "yarn.lock",
        format!(
            "left-pad@^1.3.0:\n  version \"1.3.0\"\n  resolved \"https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#{}\"\n  integrity sha512-{}\n",
            g.hex(40),
            g.b64(64)
        ),
    ));
    v.push((
        "pnpm-lock.yaml",
        format!(
            "  /left-pad@1.3.0:\n    resolution: {{integrity: sha512-{}}}\n    dev: true\n  /@acme/token-utils@2.0.0:\n    resolution: {{integrity: sha512-{}, tarball: https://npm.acme.test/token-utils.tgz}}\n",
            g.b64(64),
            g.b64(64)
        ),
    ));
    v.push((
        "go.sum",
        format!(
            "github.com/acme/secret-store v1.4.2 h1:{}\ngithub.com/acme/secret-store v1.4.2/go.mod h1:{}\ngolang.org/x/oauth2 v0.21.0 h1:{}\n",
            g.b64(32),
            g.b64(32),
            g.b64(32)
        ),
    ));
    v.push((
        "Cargo.lock",
        format!(
            "[[package]]\nname = \"secrecy\"\nversion = \"0.10.3\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{}\"\n",
            g.hex(64)
        ),
    ));
    v.push((
        "Gemfile.lock",
        format!(
            "CHECKSUMS\n  jwt (2.8.2) sha256={}\n  rack-session (2.0.0) sha256={}\n",
            g.hex(64),
            g.hex(64)
        ),
    ));
    v.push((
        "poetry.lock",
        format!(
            "[[package]]\nname = \"keyring\"\nfiles = [\n    {{file = \"keyring-25.2.1-py3-none-any.whl\", hash = \"sha256:{}\"}},\n    {{file = \"keyring-25.2.1.tar.gz\", hash = \"sha256:{}\"}},\n]\ncontent-hash = \"{}\"\n",
            g.hex(64),
            g.hex(64),
            g.hex(64)
        ),
    ));
    v.push((
        "requirements.txt",
        format!(
            "cryptography==42.0.5 \\\n    --hash=sha256:{} \\\n    --hash=sha256:{}\npython-dotenv==1.0.1 --hash=sha256:{}\n",
            g.hex(64),
            g.hex(64),
            g.hex(64)
        ),
    ));

    // Digests, commit ids, image digests.
    v.push((
        "SHA256SUMS",
        format!(
            "{}  leaktrap-x86_64-linux.tar.gz\n{}  token-helper.zip\n",
            g.hex(64),
            g.hex(64)
        ),
    ));
    v.push((
        "build/config.yaml",
        format!(
            "source:\n  repo: https://github.com/acme/app\n  commit: {}\n  rev: {}\nmd5: {}\nsha1_token_cache: {}\n",
            g.hex(40),
            g.hex(40),
            g.hex(32),
            g.hex(40)
        ),
    ));
    v.push((
        "deploy/app.yaml",
        format!(
            "    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/api@sha256:{}\n          imagePullPolicy: IfNotPresent\n",
            g.hex(64)
        ),
    ));
    v.push((
        "Dockerfile",
        format!(
            "FROM python:3.12-slim@sha256:{}\nARG SECRET_SCANNER_VERSION=8.18.4\n",
            g.hex(64)
        ),
    ));

    // UUIDs without credential context.
    v.push((
        "data/events.json",
        format!(
            "{{\"id\": \"{}\", \"request_id\": \"{}\", \"trace\": \"{}\", \"tenant\": \"{}\"}}\n",
            g.uuid(),
            g.uuid(),
            g.uuid(),
            g.uuid()
        ),
    ));
    v.push((
        "src/Project.csproj",
        format!(
            "<ProjectGuid>{{{}}}</ProjectGuid>\n<UserSecretsId>{}</UserSecretsId>\n",
            g.uuid().to_uppercase(),
            g.uuid()
        ),
    ));

    // Public keys and certificates.
    let pubkey = g.b64(270);
    v.push((
        "keys/deploy.pub",
        format!("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ{pubkey} deploy@ci\n"),
    ));
    v.push((
        "keys/ed.pub",
        format!(
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{} ops@bastion\n",
            g.alnum(43)
        ),
    ));
    let body: Vec<String> = (0..6).map(|_| g.b64(48)).collect();
    v.push((
        "keys/public.pem",
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            body.join("\n")
        ),
    ));
    v.push((
        "certs/ca.crt",
        format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            body.join("\n")
        ),
    ));
    v.push((
        "config/tls.json",
        format!(
            "{{\"certificate\": \"-----BEGIN CERTIFICATE-----\\n{}\\n-----END CERTIFICATE-----\\n\"}}\n",
            body.join("\\n")
        ),
    ));

    // Publishable keys are public by design.
    v.push((
        "web/checkout.js",
        format!(
            "const stripe = Stripe('pk_live_{}');\nconst testKey = 'pk_test_{}';\n",
            g.alnum(99),
            g.alnum(99)
        ),
    ));

    // Inline images.
    v.push((
        "web/logo.css",
        format!(
            ".logo {{ background: url(data:image/png;base64,iVBORw0KGgo{}); }}\n<img src=\"data:image/svg+xml;base64,PHN2Zy{}\" alt=\"token\">\n",
            g.b64(300),
            g.b64(120)
        ),
    ));

    // Placeholders.
    for (path, text) in [
        (".env.example", "API_TOKEN=<your-token>\nSTRIPE_SECRET_KEY=<stripe-secret-key>\n"),
        ("config.yaml", "token: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\napi_key: XXXXXXXXXXXXXXXXXXXXXXXX\n"),
        ("docker-compose.yml", "      POSTGRES_PASSWORD: changeme\n      REDIS_PASSWORD: ${REDIS_PASSWORD}\n      SECRET_KEY: ${SECRET_KEY:-changeme}\n      JWT_SECRET: ${JWT_SECRET:-}\n"),
        ("README.md", "Set `API_KEY=your-api-key` and `password = \"your-password-here\"` before running.\n"),
        ("helm/values.yaml", "  password: {{ .Values.postgresql.auth.password }}\n  token: {{ .Values.api.token | quote }}\n  apiKey: \"{{ required \\\"apiKey\\\" .Values.apiKey }}\"\n"),
        (".github/workflows/ci.yml", "        env:\n          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n          AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n        with:\n          password: ${{ secrets.REGISTRY_PASSWORD }}\n"),
        ("k8s/deploy.yaml", "        env:\n          - name: DB_PASSWORD\n            valueFrom:\n              secretKeyRef:\n                name: db-credentials\n                key: password\n"),
        ("terraform/prod.tfvars", "db_password = var.db_password\napi_token = \"changeme\"\nkms_key_id = \"alias/app-secrets\"\n"),
        ("terraform.tfstate", "            \"password\": null,\n            \"secret_arn\": \"arn:aws:secretsmanager:eu-west-1:111122223333:secret:db\",\n            \"token_type\": \"Bearer\",\n"),
    ] {
        v.push((path, text.to_string()));
    }

    // Environment lookups in the main languages.
    for (path, text) in [
        ("app/settings.py", "SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]\nDB_PASSWORD = os.getenv(\"DB_PASSWORD\")\napi_key = os.environ.get('VENDOR_API_KEY', '')\n"),
        ("src/client.ts", "const token = process.env.API_TOKEN;\nconst apiKey: string = process.env[\"VENDOR_API_KEY\"] ?? \"\";\n"),
        ("src/Main.java", "String password = System.getenv(\"DB_PASSWORD\");\nString secret = System.getProperty(\"client.secret\");\n"),
        ("config/initializers/app.rb", "secret_key_base = ENV[\"SECRET_KEY_BASE\"]\napi_token = ENV.fetch(\"API_TOKEN\")\n"),
        ("public/index.php", "$password = getenv('DB_PASSWORD');\n$apiKey = $_ENV['API_KEY'];\n"),
        ("src/config.rs", "let token = std::env::var(\"API_TOKEN\")?;\nlet password = env::var(\"DB_PASSWORD\").unwrap_or_default();\n"),
        ("src/Startup.cs", "var secret = Environment.GetEnvironmentVariable(\"CLIENT_SECRET\");\nvar password = Configuration[\"Db:Password\"];\n"),
        ("cmd/main.go", "password := os.Getenv(\"DB_PASSWORD\")\ntoken, ok := os.LookupEnv(\"API_TOKEN\")\n"),
        ("scripts/deploy.sh", "export PASSWORD=\"$DB_PASSWORD\"\ncurl -H \"Authorization: Bearer $API_TOKEN\" https://api.acme.test\n"),
    ] {
        v.push((path, text.to_string()));
    }

    // Repeated and sequential characters.
    v.push((
        "config/test.env",
        "PASSWORD=aaaaaaaaaaaaaaaa\nAPI_KEY=0123456789abcdef0123456789abcdef\nSECRET=abcdefghijklmnopqrstuvwxyz\nTOKEN=1234567890123456789012345\nCLIENT_SECRET=0000000000000000000000000000000000000000\n".to_string(),
    ));

    // Provider-documented example values (built here so this file does not
    // spell them out whole).
    let (id, secret) = (
        format!("AKIA{}", "IOSFODNN7EXAMPLE"),
        format!("wJalrXUtnFEMI/K7MDENG/bPxRfi{}", "CYEXAMPLEKEY"),
    );
    v.push((
        "docs/aws.md",
        format!("aws_access_key_id = {id}\naws_secret_access_key = {secret}\n"),
    ));

    // Natural language and identifiers.
    v.push((
        "src/auth.py",
        "password_reset_token = generate_password_reset_token(user)\ntokenizer = AutoTokenizer.from_pretrained(\"bert-base-uncased\")\nsecret_name = \"database-credentials\"\nThe api key must be rotated every ninety days; the token expires.\n".to_string(),
    ));
    // Tokens in a checksummed format whose checksum fails are nobody's
    // secret, whichever rule's name they sit under.
    v.push((
        "infra/prod.tfvars",
        format!(
            "github_oauth_token = \"gho_{}\"\ndatabase_password = \"ghp_{}\"\nclient_secret = \"@CLIENT_SECRET@\"\n",
            g.alnum(36),
            g.alnum(36)
        ),
    ));
    v.push((
        "config/web.config",
        format!(
            "    <add key=\"AwsSecretAccessKey\" value=\"npm_{}\" />\n",
            g.alnum(36)
        ),
    ));
    // An ARN names a secret in a secret store; it does not hold one.
    v.push((
        "lib/client.js",
        "const openaiApiKey = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/api-key';\n// \"arn:aws:secretsmanager:us-east-1:123456789012:secret:SecretName-6RandomCharacters\"\n".to_string(),
    ));
    v.push((
        "src/types.ts",
        "export type TokenResponse = { token_type: \"bearer\"; expires_in: number };\nconst secretManagerClient = new SecretManagerServiceClient();\npassword: PasswordValidator.createStrongPasswordPolicy(),\n".to_string(),
    ));

    v
}

#[test]
fn hard_negatives_yield_no_finding() {
    let engine = common::builtin_engine();
    let mut scratch = Scratch::default();
    let mut out: Vec<Match> = Vec::new();
    let mut failures = Vec::new();
    for (path, text) in snippets() {
        out.clear();
        engine.scan(text.as_bytes(), Some(path), &mut scratch, &mut out);
        for m in out.iter().filter(|m| m.suppressed.is_none()) {
            failures.push(format!(
                "{path}: rule {} on {:?}",
                engine.rule_meta(m.rule).id,
                String::from_utf8_lossy(&text.as_bytes()[m.start..m.end])
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} hard negative(s) yield findings:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // A control: the same engine, paths and scratch do find a generated
    // secret in the same kind of text, so the silence above means something.
    let mut g = Gen(0xC0FF_EE00_1234_5678);
    let control = format!("DB_PASSWORD={}\n", g.alnum(20));
    out.clear();
    engine.scan(
        control.as_bytes(),
        Some("config/test.env"),
        &mut scratch,
        &mut out,
    );
    assert!(
        out.iter().any(|m| m.suppressed.is_none()),
        "the control secret was not found"
    );
}
