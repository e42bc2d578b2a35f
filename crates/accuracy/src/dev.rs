//! The `dev` split: file templates rule writers may read and tune against.
//!
//! The tree looks like a monorepo of services: each service has config files in many
//! kinds (env, YAML, JSON, ..., source code) with planted secrets among ordinary
//! settings, dotfiles and manifests with credentials in their structure, and files full of
//! hard negatives (lock files, public keys, placeholders, digests).

use crate::corpus::{Corpus, FileBuf};
use crate::names::{camel, dotted, json_escape, pascal, snake, xml_escape};
use crate::negatives::{self as neg, Neg};
use crate::rng::{self, b64, to_hex, G};
use crate::tokens::{self, catalog, Format};
use crate::Size;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Env,
    Yaml,
    Json,
    Toml,
    Ini,
    Properties,
    Xml,
    Hcl,
    Dockerfile,
    Shell,
    GhActions,
    GitlabCi,
    Python,
    Js,
    Ts,
    Go,
    Java,
    Ruby,
    Php,
    CSharp,
    Rust,
}

const KINDS: [Kind; 21] = [
    Kind::Env,
    Kind::Yaml,
    Kind::Json,
    Kind::Toml,
    Kind::Ini,
    Kind::Properties,
    Kind::Xml,
    Kind::Hcl,
    Kind::Dockerfile,
    Kind::Shell,
    Kind::GhActions,
    Kind::GitlabCi,
    Kind::Python,
    Kind::Js,
    Kind::Ts,
    Kind::Go,
    Kind::Java,
    Kind::Ruby,
    Kind::Php,
    Kind::CSharp,
    Kind::Rust,
];

const SERVICES: &[&str] = &[
    "billing",
    "orders",
    "gateway",
    "search",
    "notifier",
    "auth",
    "catalog",
    "reports",
    "ingest",
    "payments",
    "inventory",
    "shipping",
    "analytics",
    "webhooks",
    "admin",
    "scheduler",
    "exporter",
    "crm",
    "media",
    "ledger",
];

fn pk(g: &mut G, xs: &[&'static str]) -> &'static str {
    xs[g.below(xs.len())]
}

fn path_for(kind: Kind, g: &mut G) -> &'static str {
    match kind {
        Kind::Env => pk(
            g,
            &[
                ".env",
                ".env.production",
                "config/.env.local",
                ".env.staging",
            ],
        ),
        Kind::Yaml => pk(
            g,
            &[
                "config/settings.yaml",
                "config/production.yml",
                "deploy/values.yaml",
            ],
        ),
        Kind::Json => pk(
            g,
            &[
                "config/config.json",
                "config/production.json",
                "settings.json",
            ],
        ),
        Kind::Toml => pk(g, &["config/app.toml", "settings.toml"]),
        Kind::Ini => pk(g, &["config/app.ini", "setup.cfg", "config/service.conf"]),
        Kind::Properties => pk(
            g,
            &[
                "src/main/resources/application.properties",
                "config/gradle.properties",
            ],
        ),
        Kind::Xml => pk(g, &["App.config", "config/web.config"]),
        Kind::Hcl => pk(
            g,
            &[
                "terraform/terraform.tfvars",
                "terraform/prod.auto.tfvars",
                "infra/variables.tf",
            ],
        ),
        Kind::Dockerfile => pk(g, &["Dockerfile", "docker/Dockerfile.prod"]),
        Kind::Shell => pk(
            g,
            &["scripts/deploy.sh", "scripts/bootstrap.sh", "bin/release"],
        ),
        Kind::GhActions => pk(
            g,
            &[
                ".github/workflows/deploy.yml",
                ".github/workflows/release.yaml",
            ],
        ),
        Kind::GitlabCi => ".gitlab-ci.yml",
        Kind::Python => pk(g, &["app/settings.py", "src/config.py", "scripts/sync.py"]),
        Kind::Js => pk(g, &["src/config.js", "lib/client.js", "server/keys.js"]),
        Kind::Ts => pk(g, &["src/config.ts", "src/env.ts"]),
        Kind::Go => pk(g, &["internal/config/config.go", "cmd/server/keys.go"]),
        Kind::Java => pk(
            g,
            &[
                "src/main/java/com/acme/Config.java",
                "src/main/java/com/acme/Keys.java",
            ],
        ),
        Kind::Ruby => pk(g, &["config/initializers/keys.rb", "lib/client.rb"]),
        Kind::Php => pk(g, &["config/services.php", "app/Config/Keys.php"]),
        Kind::CSharp => pk(g, &["src/Settings.cs", "src/Api/Keys.cs"]),
        Kind::Rust => pk(g, &["src/config.rs", "src/keys.rs"]),
    }
}

fn header(kind: Kind, svc: &str) -> Vec<String> {
    let v: Vec<&str> = match kind {
        Kind::Env => vec!["# environment for the service", "NODE_ENV=production"],
        Kind::Yaml => vec!["# service settings", "app:"],
        Kind::Json => vec!["{"],
        Kind::Toml => vec!["# settings", "[service]"],
        Kind::Ini => vec!["[default]"],
        Kind::Properties => vec!["# application settings", "server.port=8080"],
        Kind::Xml => vec![
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
            "<configuration>",
            "  <appSettings>",
        ],
        Kind::Hcl => vec!["# terraform variables"],
        Kind::Dockerfile => vec!["FROM python:3.12-slim", "WORKDIR /app", "COPY . ."],
        Kind::Shell => vec!["#!/usr/bin/env bash", "set -euo pipefail", ""],
        Kind::GhActions => vec![
            "name: deploy",
            "on:",
            "  push:",
            "    branches: [main]",
            "jobs:",
            "  deploy:",
            "    runs-on: ubuntu-latest",
            "    env:",
        ],
        Kind::GitlabCi => vec!["stages: [build, deploy]", "variables:"],
        Kind::Python => vec!["import os", ""],
        Kind::Js => vec!["'use strict';", ""],
        Kind::Ts => vec!["// configuration", ""],
        Kind::Go => vec!["package config", "", "import \"os\"", "", "var ("],
        Kind::Java => vec!["package com.acme;", "", "public final class Config {"],
        Kind::Ruby => vec!["# frozen_string_literal: true", ""],
        Kind::Php => vec!["<?php", "", "return ["],
        Kind::CSharp => vec!["namespace Acme;", "", "public static class Settings", "{"],
        Kind::Rust => vec!["//! Service configuration.", ""],
    };
    let mut out: Vec<String> = v.into_iter().map(String::from).collect();
    if kind == Kind::Json {
        out.push(format!("  \"service\": \"{svc}\","));
    }
    out
}

fn footer(kind: Kind) -> Vec<String> {
    let v: Vec<&str> = match kind {
        Kind::Json => vec!["  \"version\": 3", "}"],
        Kind::Xml => vec!["  </appSettings>", "</configuration>"],
        Kind::Dockerfile => vec!["EXPOSE 8080", "CMD [\"python\", \"-m\", \"app\"]"],
        Kind::Shell => vec!["", "exec ./bin/server \"$@\""],
        Kind::GhActions => vec![
            "    steps:",
            "      - uses: actions/checkout@v4",
            "      - run: make deploy",
        ],
        Kind::GitlabCi => vec![
            "deploy:",
            "  stage: deploy",
            "  script:",
            "    - make deploy",
        ],
        Kind::Go => vec![")"],
        Kind::Java => vec!["}"],
        Kind::Php => vec!["];"],
        Kind::CSharp => vec!["}"],
        _ => vec![],
    };
    v.into_iter().map(String::from).collect()
}

/// `var = value` in the syntax of the file kind.
fn assign(kind: Kind, var: &str, value: &str) -> String {
    let sq = value.contains('$') || value.contains('"');
    match kind {
        Kind::Env => format!("{var}={value}"),
        Kind::Yaml => format!("  {}: \"{value}\"", snake(var)),
        Kind::Json => format!("  \"{}\": {},", camel(var), json_escape(value)),
        Kind::Toml => format!("{} = \"{value}\"", snake(var)),
        Kind::Ini => format!("{} = {value}", snake(var)),
        Kind::Properties => format!("{}={value}", dotted(var)),
        Kind::Xml => format!(
            "    <add key=\"{}\" value=\"{}\" />",
            pascal(var),
            xml_escape(value)
        ),
        Kind::Hcl => format!("{} = \"{value}\"", snake(var)),
        Kind::Dockerfile => format!("ENV {var}=\"{value}\""),
        Kind::Shell if sq => format!("export {var}='{value}'"),
        Kind::Shell => format!("export {var}=\"{value}\""),
        Kind::GhActions => format!("      {var}: \"{value}\""),
        Kind::GitlabCi => format!("  {var}: \"{value}\""),
        Kind::Python => format!("{var} = \"{value}\""),
        Kind::Js => format!("const {} = '{value}';", camel(var)),
        Kind::Ts => format!("export const {}: string = \"{value}\";", camel(var)),
        Kind::Go => format!("\t{} = \"{value}\"", camel(var)),
        Kind::Java => format!("    static final String {var} = \"{value}\";"),
        Kind::Ruby => format!("{var} = '{value}'"),
        Kind::Php => format!("    '{}' => '{value}',", snake(var)),
        Kind::CSharp => format!("    public const string {} = \"{value}\";", pascal(var)),
        Kind::Rust => format!("pub const {var}: &str = \"{value}\";"),
    }
}

/// `var = <read from the environment>` in languages; `None` for data formats.
fn env_lookup(kind: Kind, var: &str) -> Option<String> {
    Some(match kind {
        Kind::Python => format!("{var} = os.environ.get(\"{var}\")"),
        Kind::Js => format!("const {} = process.env.{var};", camel(var)),
        Kind::Ts => format!(
            "export const {} = process.env[\"{var}\"] ?? \"\";",
            camel(var)
        ),
        Kind::Go => format!("\t{} = os.Getenv(\"{var}\")", camel(var)),
        Kind::Java => format!("    static final String {var} = System.getenv(\"{var}\");"),
        Kind::Ruby => format!("{var} = ENV.fetch('{var}')"),
        Kind::Php => format!("    '{}' => env('{var}'),", snake(var)),
        Kind::CSharp => format!(
            "    public static readonly string {} = Environment.GetEnvironmentVariable(\"{var}\");",
            pascal(var)
        ),
        Kind::Rust => format!(
            "pub fn {}() -> String {{ std::env::var(\"{var}\").unwrap_or_default() }}",
            snake(var)
        ),
        Kind::Shell => format!("export {var}=\"${{{var}:?missing}}\""),
        Kind::GhActions => format!("      {var}: ${{{{ secrets.{var} }}}}"),
        Kind::Dockerfile => format!("ARG {var}"),
        _ => return None,
    })
}

fn filler(g: &mut G, kind: Kind) -> String {
    let (var, val): (&str, String) = match g.below(12) {
        0 => ("LOG_LEVEL", g.pick(&["info", "debug", "warn"]).to_string()),
        1 => ("HTTP_PORT", g.pick(&["8080", "3000", "9000"]).to_string()),
        2 => (
            "REGION",
            g.pick(&["eu-west-1", "us-east-1", "ap-southeast-2"])
                .to_string(),
        ),
        3 => (
            "SERVICE_URL",
            format!("https://api.{}.example.com/v2", g.chars(rng::LOWER, 6)),
        ),
        4 => ("TIMEOUT_SECONDS", g.range(5, 120).to_string()),
        5 => (
            "FEATURE_NEW_CHECKOUT",
            g.pick(&["true", "false"]).to_string(),
        ),
        6 => ("DB_HOST", format!("db-{}.internal", g.chars(rng::LOWER, 5))),
        7 => (
            "DB_USER",
            g.pick(&["app", "readonly", "svc_orders"]).to_string(),
        ),
        8 => ("CACHE_TTL", g.range(30, 3600).to_string()),
        9 => ("SENTRY_ENVIRONMENT", "production".to_string()),
        10 => ("MAX_CONNECTIONS", g.range(10, 200).to_string()),
        _ => ("TOKEN_TTL_SECONDS", g.range(300, 86400).to_string()),
    };
    assign(kind, var, &val)
}

/// What goes into one config file.
enum Item {
    Secret(Format),
    Negative,
    Lookalike,
    Lookup,
    DocPair,
}

fn plant_item(g: &mut G, fb: &mut FileBuf, kind: Kind, item: &Item) {
    match item {
        Item::Secret(fmt) => {
            let start = fb.next();
            if let Some((lvar, lgen)) = fmt.lead {
                let id = lgen(g);
                fb.line(assign(kind, lvar, &id));
            }
            let value = (fmt.gen)(g);
            fb.line(assign(kind, fmt.var, &value));
            fb.mark_secret(start, fmt.family, fmt.id, None);
        }
        Item::Negative => {
            let var = *g.pick(&[
                "API_KEY",
                "SECRET_KEY",
                "DB_PASSWORD",
                "AUTH_TOKEN",
                "GITHUB_TOKEN",
                "STRIPE_SECRET_KEY",
                "NPM_TOKEN",
                "CLIENT_SECRET",
                "SLACK_BOT_TOKEN",
                "OPENAI_API_KEY",
            ]);
            let n: Neg = neg::value(g, var);
            fb.negative(
                assign(kind, n.var.unwrap_or(var), &n.value),
                n.family,
                n.category,
                n.id,
            );
        }
        Item::Lookalike => {
            let (n, var) = neg::lookalike(g);
            fb.negative(assign(kind, var, &n.value), n.family, n.category, n.id);
        }
        Item::Lookup => {
            let var = *g.pick(&[
                "DATABASE_PASSWORD",
                "STRIPE_API_KEY",
                "GITHUB_TOKEN",
                "JWT_SECRET",
                "AWS_SECRET_ACCESS_KEY",
            ]);
            match env_lookup(kind, var) {
                Some(line) => fb.negative(line, "generic", "placeholder", "env-lookup"),
                None => {
                    let n = neg::value(g, var);
                    fb.negative(assign(kind, var, &n.value), n.family, n.category, n.id)
                }
            };
        }
        Item::DocPair => {
            let start = fb.next();
            fb.line(assign(kind, "AWS_ACCESS_KEY_ID", &neg::aws_doc_key_id()));
            fb.line(assign(
                kind,
                "AWS_SECRET_ACCESS_KEY",
                &neg::aws_doc_secret(),
            ));
            fb.mark_negative(start, "cloud", "doc-example", "aws-doc-example-pair");
        }
    }
}

fn config_file(g: &mut G, c: &mut Corpus, svc: &str, kind: Kind, items: Vec<Item>) {
    let mut fb = FileBuf::new(format!("services/{svc}/{}", path_for(kind, g)));
    for l in header(kind, svc) {
        fb.line(l);
    }
    for item in &items {
        for _ in 0..g.range(0, 2) {
            let l = filler(g, kind);
            fb.line(l);
        }
        plant_item(g, &mut fb, kind, item);
    }
    let l = filler(g, kind);
    fb.line(l);
    for l in footer(kind) {
        fb.line(l);
    }
    c.add(fb);
}

pub fn generate(size: Size, seed: u64) -> Corpus {
    let mut g = G::new(seed ^ 0xde5_0001);
    let mut c = Corpus::default();
    let (reps, struct_reps, neg_reps) = match size {
        Size::Small => (2, 1, 1),
        Size::Large => (14, 8, 6),
    };

    // 1. assignments of every catalog format, several times each, in mixed file kinds
    let mut items: Vec<Item> = Vec::new();
    for fmt in catalog() {
        for _ in 0..reps {
            items.push(Item::Secret(fmt));
        }
    }
    let n_secrets = items.len();
    for i in 0..(n_secrets * 3 / 4) {
        items.push(match i % 8 {
            0..=3 => Item::Negative,
            4 | 5 => Item::Lookalike,
            6 => Item::Lookup,
            _ if i % 24 == 7 => Item::DocPair,
            _ => Item::Negative,
        });
    }
    g.shuffle(&mut items);
    let mut file_no = 0;
    while !items.is_empty() {
        let take = g.range(3, 8).min(items.len());
        let chunk: Vec<Item> = items.drain(..take).collect();
        let kind = KINDS[file_no % KINDS.len()];
        let svc = SERVICES[(file_no / KINDS.len()) % SERVICES.len()];
        config_file(&mut g, &mut c, svc, kind, chunk);
        file_no += 1;
    }

    // 2. credentials in structure: dotfiles, manifests, keys, logs
    let structural: &[fn(&mut G, &mut Corpus, &str)] = &[
        aws_credentials,
        gcp_service_account,
        npmrc,
        pypirc,
        netrc,
        pgpass,
        git_credentials,
        docker_config,
        kubeconfig,
        k8s_secret,
        access_log,
        curl_script,
        private_key_files,
        json_escaped_key,
        putty_key,
        htpasswd,
        compose_flags,
        maven_settings,
        web_config,
        spring_properties,
        encoded_values,
        ansible_vault_pass,
        readme_with_secret,
    ];
    for r in 0..struct_reps {
        for (i, f) in structural.iter().enumerate() {
            let svc = SERVICES[(i + r * 7) % SERVICES.len()];
            f(&mut g, &mut c, svc);
        }
    }

    // 3. files of hard negatives
    let negatives: &[fn(&mut G, &mut Corpus, &str)] = &[
        package_lock,
        yarn_lock,
        pnpm_lock,
        go_sum,
        cargo_lock,
        gemfile_lock,
        poetry_lock,
        requirements_hashes,
        public_keys,
        css_data_uri,
        k8s_deployment_refs,
        env_example,
        docs_examples,
        changelog_shas,
        compose_digests,
        azure_emulator,
        test_fixture_names,
    ];
    for r in 0..neg_reps {
        for (i, f) in negatives.iter().enumerate() {
            let svc = SERVICES[(i * 3 + r * 5) % SERVICES.len()];
            f(&mut g, &mut c, svc);
        }
    }
    c
}

// ---------------------------------------------------------------- structural secrets

fn aws_credentials(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("home/{svc}/.aws/credentials"));
    fb.line("[default]");
    let start = fb.next();
    fb.line(format!(
        "aws_access_key_id = {}",
        tokens::aws_key_id(g, "AKIA")
    ));
    fb.line(format!("aws_secret_access_key = {}", tokens::aws_secret(g)));
    fb.mark_secret(start, "cloud", "aws-credentials-file", None);
    fb.line("");
    fb.line("[ci]");
    let start = fb.next();
    fb.line(format!(
        "aws_access_key_id = {}",
        tokens::aws_key_id(g, "ASIA")
    ));
    fb.line(format!("aws_secret_access_key = {}", tokens::aws_secret(g)));
    fb.line(format!(
        "aws_session_token = IQoJb3JpZ2luX2Vj{}",
        g.chars(rng::B64, 300)
    ));
    fb.mark_secret(start, "cloud", "aws-credentials-file-session", None);
    fb.line("region = eu-west-1");
    c.add(fb);
}

fn gcp_service_account(g: &mut G, c: &mut Corpus, svc: &str) {
    let project = format!("{svc}-prod-{}", g.digits(6));
    let mut fb = FileBuf::new(format!("services/{svc}/credentials/service-account.json"));
    fb.line("{");
    fb.line("  \"type\": \"service_account\",");
    fb.line(format!("  \"project_id\": \"{project}\","));
    let start = fb.next();
    fb.line(format!("  \"private_key_id\": \"{}\",", g.hex(40)));
    let key = tokens::private_key(g, "pkcs8").join("\n") + "\n";
    fb.line(format!("  \"private_key\": {},", json_escape(&key)));
    fb.mark_secret(start, "cloud", "gcp-service-account", Some("json-escaped"));
    fb.line(format!(
        "  \"client_email\": \"deployer@{project}.iam.gserviceaccount.com\","
    ));
    fb.line(format!("  \"client_id\": \"{}\",", g.digits(21)));
    fb.line("  \"auth_uri\": \"https://accounts.google.com/o/oauth2/auth\",");
    fb.line("  \"token_uri\": \"https://oauth2.googleapis.com/token\"");
    fb.line("}");
    c.add(fb);
}

fn npmrc(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("services/{svc}/.npmrc"));
    fb.line("registry=https://registry.npmjs.org/");
    let t = tokens::crc_token(g, "npm_");
    fb.secret(
        format!("//registry.npmjs.org/:_authToken={t}"),
        "registries",
        "npmrc-auth-token",
    );
    fb.line("@acme:registry=https://npm.pkg.example.com/");
    let up = b64(format!("ci-bot:{}", g.password()).as_bytes());
    fb.secret_enc(
        format!("//npm.pkg.example.com/:_auth={up}"),
        "structure",
        "npmrc-auth",
        Some("base64"),
    );
    let pw = b64(g.password().as_bytes());
    fb.line("//artifacts.example.com/npm/:username=deploy");
    fb.secret_enc(
        format!("//artifacts.example.com/npm/:_password={pw}"),
        "structure",
        "npmrc-password",
        Some("base64"),
    );
    fb.negative(
        "//registry.example.org/:_authToken=${NPM_TOKEN}",
        "registries",
        "placeholder",
        "npmrc-env-ref",
    );
    c.add(fb);
}

fn pypirc(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("home/{svc}/.pypirc"));
    fb.line("[distutils]");
    fb.line("index-servers =\n    pypi\n    internal");
    fb.line("");
    fb.line("[pypi]");
    fb.line("username = __token__");
    let t = (catalog().iter().find(|f| f.id == "pypi-token").unwrap().gen)(g);
    fb.secret(format!("password = {t}"), "registries", "pypirc-token");
    fb.line("");
    fb.line("[internal]");
    fb.line("repository = https://pypi.example.com/simple/");
    fb.line("username = uploader");
    fb.secret(
        format!("password = {}", g.password()),
        "structure",
        "pypirc-password",
    );
    c.add(fb);
}

fn netrc(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("home/{svc}/.netrc"));
    let t = tokens::crc_token(g, "ghp_");
    fb.secret(
        format!("machine github.com login ci-bot password {t}"),
        "structure",
        "netrc-github-token",
    );
    fb.line("machine api.heroku.com");
    fb.line("  login ops@example.com");
    let h = format!("HRKU-AA{}", g.chars(rng::B64URL, 58));
    fb.secret(format!("  password {h}"), "structure", "netrc-password");
    fb.line("machine ftp.example.com");
    fb.line("  login backup");
    fb.secret(
        format!("  password {}", g.password()),
        "structure",
        "netrc-password",
    );
    c.add(fb);
}

fn pgpass(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("home/{svc}/.pgpass"));
    for db in ["orders", "analytics"] {
        let line = format!(
            "db-{}.internal:5432:{db}:app:{}",
            g.chars(rng::LOWER, 5),
            g.password()
        );
        fb.secret(line, "structure", "pgpass-password");
    }
    c.add(fb);
}

fn git_credentials(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("home/{svc}/.git-credentials"));
    let t = tokens::crc_token(g, "ghp_");
    fb.secret(
        format!("https://ci-bot:{t}@github.com"),
        "structure",
        "git-credentials-github",
    );
    let gl = format!("glpat-{}", g.chars(rng::B64URL, 20));
    fb.secret(
        format!("https://oauth2:{gl}@gitlab.example.com"),
        "structure",
        "git-credentials-gitlab",
    );
    fb.secret(
        format!("https://deploy:{}@git.example.org", tokens::url_password(g)),
        "structure",
        "git-credentials-password",
    );
    c.add(fb);
}

fn docker_config(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("home/{svc}/.docker/config.json"));
    fb.line("{");
    fb.line("  \"auths\": {");
    let gh = tokens::crc_token(g, "ghp_");
    fb.line("    \"ghcr.io\": {");
    fb.secret_enc(
        format!(
            "      \"auth\": \"{}\"",
            b64(format!("ci-bot:{gh}").as_bytes())
        ),
        "structure",
        "docker-config-auth-ghcr",
        Some("base64"),
    );
    fb.line("    },");
    fb.line("    \"https://index.docker.io/v1/\": {");
    let pw = g.password();
    fb.secret_enc(
        format!(
            "      \"auth\": \"{}\"",
            b64(format!("acmebuild:{pw}").as_bytes())
        ),
        "structure",
        "docker-config-auth",
        Some("base64"),
    );
    fb.line("    }");
    fb.line("  },");
    fb.line("  \"credsStore\": \"desktop\"");
    fb.line("}");
    c.add(fb);
}

fn kubeconfig(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("home/{svc}/.kube/config"));
    for l in [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- cluster:",
        "    server: https://k8s.example.com:6443",
        "  name: prod",
        "contexts:",
        "- context:",
        "    cluster: prod",
        "    user: admin",
        "  name: prod",
        "current-context: prod",
        "users:",
        "- name: admin",
        "  user:",
    ] {
        fb.line(l);
    }
    let key = tokens::private_key(g, "rsa").join("\n") + "\n";
    fb.secret_enc(
        format!("    client-key-data: {}", b64(key.as_bytes())),
        "structure",
        "kubeconfig-client-key-data",
        Some("base64"),
    );
    fb.line("- name: ci");
    fb.line("  user:");
    let tok = tokens::jwt(
        g,
        r#""iss":"kubernetes/serviceaccount","kubernetes.io/serviceaccount/namespace":"ci","sub":"system:serviceaccount:ci:deployer""#,
    );
    fb.secret(format!("    token: {tok}"), "structure", "kubeconfig-token");
    c.add(fb);
}

fn k8s_secret(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("deploy/k8s/{svc}-secret.yaml"));
    for l in ["apiVersion: v1", "kind: Secret", "metadata:"] {
        fb.line(l);
    }
    fb.line(format!("  name: {svc}-credentials"));
    fb.line("type: Opaque");
    fb.line("data:");
    let cat = catalog();
    for _ in 0..3 {
        let fmt = loop {
            let f = *g.pick(&cat);
            if f.prefixed && f.lead.is_none() {
                break f;
            }
        };
        let v = (fmt.gen)(g);
        fb.secret_enc(
            format!("  {}: {}", snake(fmt.var), b64(v.as_bytes())),
            fmt.family,
            fmt.id,
            Some("base64"),
        );
    }
    fb.secret_enc(
        format!("  db-password: {}", b64(g.password().as_bytes())),
        "structure",
        "k8s-secret-password",
        Some("base64"),
    );
    fb.line("stringData:");
    fb.secret(
        format!("  DATABASE_URL: {}", tokens::conn_postgres(g)),
        "structure",
        "postgres-url",
    );
    c.add(fb);
}

fn access_log(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("logs/{svc}/requests.log"));
    for i in 0..6 {
        let ts = format!(
            "2025-03-0{}T10:{:02}:{:02}Z",
            1 + i % 8,
            g.below(60),
            g.below(60)
        );
        fb.line(format!(
            "{ts} INFO request GET /v1/orders status=200 duration_ms={}",
            g.range(3, 900)
        ));
        match i {
            1 => {
                let t = tokens::jwt(g, r#""sub":"4242","scope":"orders:write""#);
                fb.secret(
                    format!("{ts} DEBUG outgoing headers: Authorization: Bearer {t}"),
                    "structure",
                    "bearer-header-log",
                );
            }
            3 => {
                let cred = b64(format!("svc-reports:{}", g.password()).as_bytes());
                fb.secret_enc(
                    format!("{ts} DEBUG > Authorization: Basic {cred}"),
                    "structure",
                    "basic-auth-header-log",
                    Some("base64"),
                );
            }
            5 => {
                fb.negative(
                    format!("{ts} DEBUG > Authorization: Bearer <token>"),
                    "structure",
                    "placeholder",
                    "bearer-placeholder",
                );
                fb.negative(
                    format!("{ts} INFO trace_id={} span_id={}", g.hex(32), g.hex(16)),
                    "generic",
                    "hex-digest",
                    "trace-id",
                );
            }
            _ => {}
        }
    }
    c.add(fb);
}

fn curl_script(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("services/{svc}/scripts/smoke-test.sh"));
    fb.line("#!/bin/sh");
    fb.line("set -e");
    let t = format!("sk_live_51{}", g.alnum(97));
    fb.secret(
        format!("curl -s https://api.stripe.com/v1/charges -u {t}:"),
        "payments",
        "curl-stripe-basic",
    );
    let t = tokens::crc_token(g, "ghp_");
    fb.secret(
        format!("curl -H \"Authorization: token {t}\" https://api.github.com/user/repos"),
        "structure",
        "curl-auth-header",
    );
    fb.secret(
        format!(
            "curl --user admin:{} https://jenkins.example.com/api/json",
            g.password()
        ),
        "structure",
        "curl-user-password",
    );
    fb.negative(
        "curl -H \"Authorization: Bearer $API_TOKEN\" https://api.example.com/health",
        "structure",
        "placeholder",
        "curl-env-ref",
    );
    c.add(fb);
}

fn private_key_files(g: &mut G, c: &mut Corpus, svc: &str) {
    for (name, kind) in [
        ("id_rsa", "rsa"),
        ("server.key", "pkcs8"),
        ("ec.pem", "ec"),
        ("id_ed25519", "openssh"),
        ("tls-encrypted.key", "encrypted"),
        ("signing.asc", "pgp"),
    ] {
        let mut fb = FileBuf::new(format!("services/{svc}/keys/{name}"));
        let lines = tokens::private_key(g, kind);
        let start = fb.next();
        for l in lines {
            fb.line(l);
        }
        fb.mark_secret(start, "keys", &format!("private-key-{kind}"), None);
        c.add(fb);
    }
}

fn json_escaped_key(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("services/{svc}/config/tls.json"));
    fb.line("{");
    fb.line("  \"enabled\": true,");
    let key = tokens::private_key(g, "rsa").join("\n");
    fb.secret_enc(
        format!("  \"privateKey\": {},", json_escape(&key)),
        "keys",
        "private-key-json-escaped",
        Some("json-escaped"),
    );
    let cert = neg::public_pem(g, true).join("\n");
    fb.negative(
        format!("  \"certificate\": {}", json_escape(&cert)),
        "keys",
        "public-key",
        "certificate-json-escaped",
    );
    fb.line("}");
    c.add(fb);
}

fn putty_key(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("home/{svc}/keys/deploy.ppk"));
    fb.line("PuTTY-User-Key-File-3: ssh-rsa");
    fb.line("Encryption: none");
    fb.line("Comment: deploy-key");
    fb.line("Public-Lines: 6");
    let pubkey = g.b64_bytes(270);
    for chunk in pubkey.as_bytes().chunks(64) {
        fb.line(String::from_utf8(chunk.to_vec()).unwrap());
    }
    let start = fb.next();
    fb.line("Private-Lines: 14");
    let private = g.b64_bytes(650);
    for chunk in private.as_bytes().chunks(64) {
        fb.line(String::from_utf8(chunk.to_vec()).unwrap());
    }
    fb.line(format!("Private-MAC: {}", g.hex(64)));
    fb.mark_secret(start, "keys", "putty-private-key", None);
    c.add(fb);
}

fn htpasswd(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("deploy/nginx/{svc}.htpasswd"));
    let salt = g.chars(rng::ALNUM, 8);
    let hash = g.chars(
        b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        22,
    );
    fb.secret(
        format!("admin:$apr1${salt}${hash}"),
        "structure",
        "htpasswd-apr1",
    );
    let bh = g.chars(
        b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        53,
    );
    fb.secret(
        format!("metrics:$2y$10${bh}"),
        "structure",
        "htpasswd-bcrypt",
    );
    c.add(fb);
}

fn compose_flags(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("services/{svc}/docker-compose.yml"));
    fb.line("services:");
    fb.line("  cache:");
    fb.line("    image: redis:7");
    let p = tokens::url_password(g);
    fb.secret(
        format!("    command: redis-server --requirepass {p}"),
        "structure",
        "redis-requirepass",
    );
    fb.line("  db:");
    fb.line("    image: mysql:8");
    fb.line("    environment:");
    fb.secret(
        format!("      MYSQL_ROOT_PASSWORD: {}", g.password()),
        "structure",
        "compose-db-password",
    );
    fb.line("  migrate:");
    fb.line("    image: flyway/flyway:10");
    let p = g.password();
    fb.secret(
        [
            "    command: -url=jdbc:mysql://db/app -user=root -pass",
            "word=",
            &p,
            " migrate",
        ]
        .concat(),
        "structure",
        "password-flag",
    );
    fb.line("  app:");
    fb.line("    environment:");
    fb.negative(
        "      DB_PASSWORD: ${DB_PASSWORD}",
        "generic",
        "placeholder",
        "compose-env-ref",
    );
    c.add(fb);
}

fn maven_settings(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("services/{svc}/.m2/settings.xml"));
    fb.line("<settings>");
    fb.line("  <servers>");
    fb.line("    <server>");
    fb.line("      <id>releases</id>");
    fb.line("      <username>deployer</username>");
    fb.secret(
        format!("      <password>{}</password>", g.password()),
        "structure",
        "maven-settings-password",
    );
    fb.line("    </server>");
    fb.line("    <server>");
    fb.line("      <id>snapshots</id>");
    fb.line("      <username>deployer</username>");
    fb.negative(
        "      <password>${env.MAVEN_PASSWORD}</password>",
        "structure",
        "placeholder",
        "maven-env-ref",
    );
    fb.line("    </server>");
    fb.line("  </servers>");
    fb.line("</settings>");
    c.add(fb);
}

fn web_config(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!(
        "services/{svc}/src/Web/appsettings.Production.json"
    ));
    fb.line("{");
    fb.line("  \"ConnectionStrings\": {");
    let conn = (catalog()
        .iter()
        .find(|f| f.id == "mssql-ado-conn")
        .unwrap()
        .gen)(g);
    fb.secret(
        format!("    \"Default\": \"{conn}\""),
        "structure",
        "appsettings-connection-string",
    );
    fb.line("  },");
    fb.line("  \"Jwt\": {");
    fb.line("    \"Issuer\": \"https://auth.example.com\",");
    fb.secret(
        format!("    \"Key\": \"{}\"", g.b64_bytes(48)),
        "keys",
        "appsettings-jwt-key",
    );
    fb.line("  }");
    fb.line("}");
    c.add(fb);
}

fn spring_properties(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!(
        "services/{svc}/src/main/resources/application-prod.properties"
    ));
    fb.line(format!(
        "spring.datasource.url=jdbc:postgresql://db.internal:5432/{svc}"
    ));
    fb.line("spring.datasource.username=app");
    fb.secret(
        format!("spring.datasource.password={}", g.password()),
        "structure",
        "spring-datasource-password",
    );
    fb.line("spring.jpa.hibernate.ddl-auto=validate");
    fb.secret(
        format!("hibernate.connection.password={}", g.password()),
        "structure",
        "hibernate-password",
    );
    fb.negative(
        "spring.mail.password=${MAIL_PASSWORD}",
        "generic",
        "placeholder",
        "spring-env-ref",
    );
    c.add(fb);
}

fn encoded_values(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("services/{svc}/config/encoded.env"));
    let gh = tokens::crc_token(g, "ghp_");
    fb.secret_enc(
        format!("GITHUB_TOKEN_B64={}", b64(gh.as_bytes())),
        "vcs-ci",
        "github-pat",
        Some("base64"),
    );
    let sk = format!("sk_live_51{}", g.alnum(97));
    fb.secret_enc(
        format!("STRIPE_KEY_HEX={}", to_hex(sk.as_bytes())),
        "payments",
        "stripe-secret-key",
        Some("hex"),
    );
    let pw = g.password() + "@#/";
    fb.secret_enc(
        format!(
            "DATABASE_URL=postgres://app:{}@db.internal:5432/app",
            rng::percent_encode(&pw)
        ),
        "structure",
        "postgres-url",
        Some("percent"),
    );
    let hook = (catalog()
        .iter()
        .find(|f| f.id == "slack-webhook")
        .unwrap()
        .gen)(g);
    fb.secret_enc(
        format!(
            "ALERT_REDIRECT=https://alerts.example.com/forward?target={}",
            rng::percent_encode(&hook)
        ),
        "chat",
        "slack-webhook",
        Some("percent"),
    );
    let ak = format!("sk-ant-api03-{}AA", g.chars(rng::B64URL, 93));
    fb.secret_enc(
        format!("LLM_KEY_B64={}", b64(ak.as_bytes())),
        "ai",
        "anthropic-api-key",
        Some("base64"),
    );
    c.add(fb);
}

fn ansible_vault_pass(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("deploy/ansible/{svc}/.vault_pass"));
    fb.secret(g.alnum(32), "infra", "ansible-vault-password");
    c.add(fb);
}

fn readme_with_secret(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("services/{svc}/README.md"));
    fb.line(format!("# {svc}"));
    fb.line("");
    fb.line("Run locally:");
    fb.line("");
    fb.line("```sh");
    let t = format!("xoxb-{}-{}-{}", g.digits(11), g.digits(13), g.alnum(24));
    fb.secret(
        format!("SLACK_BOT_TOKEN={t} npm start"),
        "chat",
        "slack-bot-token",
    );
    fb.negative(
        "OPENAI_API_KEY=<your-openai-key> npm test",
        "ai",
        "placeholder",
        "readme-placeholder",
    );
    fb.line("```");
    c.add(fb);
}

// ---------------------------------------------------------------- hard-negative files

fn package_lock(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("services/{svc}/web/package-lock.json"));
    fb.line("{");
    fb.line(format!("  \"name\": \"{svc}-web\","));
    fb.line("  \"lockfileVersion\": 3,");
    fb.line("  \"packages\": {");
    for (i, p) in ["react", "lodash", "axios", "zod", "vite", "express"]
        .iter()
        .enumerate()
    {
        fb.line(format!("    \"node_modules/{p}\": {{"));
        fb.line(format!(
            "      \"version\": \"{}.{}.{}\",",
            g.range(1, 18),
            g.below(20),
            g.below(10)
        ));
        fb.line(format!(
            "      \"resolved\": \"https://registry.npmjs.org/{p}/-/{p}-1.0.0.tgz\","
        ));
        let v = neg::npm_integrity(g);
        fb.negative(
            format!("      \"integrity\": \"{v}\""),
            "generic",
            "lockfile",
            "lock-npm-integrity",
        );
        fb.line(if i == 5 { "    }" } else { "    }," });
    }
    fb.line("  }");
    fb.line("}");
    c.add(fb);
}

fn yarn_lock(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("services/{svc}/web/yarn.lock"));
    fb.line("# yarn lockfile v1");
    for p in ["chalk", "debug", "ms", "semver"] {
        fb.line("");
        fb.line(format!("{p}@^2.0.0:"));
        fb.line("  version \"2.4.2\"");
        fb.line(format!(
            "  resolved \"https://registry.yarnpkg.com/{p}/-/{p}-2.4.2.tgz#{}\"",
            g.hex(40)
        ));
        let v = if g.chance(50) {
            neg::npm_integrity(g)
        } else {
            neg::sha1_integrity(g)
        };
        fb.negative(
            format!("  integrity {v}"),
            "generic",
            "lockfile",
            "lock-yarn-integrity",
        );
    }
    c.add(fb);
}

fn pnpm_lock(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("services/{svc}/web/pnpm-lock.yaml"));
    fb.line("lockfileVersion: '9.0'");
    fb.line("packages:");
    for p in ["typescript", "esbuild", "rollup"] {
        fb.line(format!("  {p}@5.4.0:"));
        let v = neg::npm_integrity(g);
        fb.negative(
            format!("    resolution: {{integrity: {v}}}"),
            "generic",
            "lockfile",
            "lock-pnpm-integrity",
        );
        fb.line("    engines: {node: '>=14.17'}");
    }
    c.add(fb);
}

fn go_sum(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("services/{svc}/go.sum"));
    for m in [
        "github.com/google/uuid",
        "golang.org/x/sys",
        "github.com/stretchr/testify",
        "gopkg.in/yaml.v3",
    ] {
        let v = neg::go_sum_hash(g);
        fb.negative(
            format!("{m} v1.{}.0 {v}", g.below(20)),
            "generic",
            "lockfile",
            "lock-go-sum",
        );
        let v = neg::go_sum_hash(g);
        fb.negative(
            format!("{m} v1.{}.0/go.mod {v}", g.below(20)),
            "generic",
            "lockfile",
            "lock-go-sum",
        );
    }
    c.add(fb);
}

fn cargo_lock(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("services/{svc}/Cargo.lock"));
    fb.line("version = 4");
    for p in ["serde", "regex", "memchr", "anyhow"] {
        fb.line("");
        fb.line("[[package]]");
        fb.line(format!("name = \"{p}\""));
        fb.line("version = \"1.0.0\"");
        fb.line("source = \"registry+https://github.com/rust-lang/crates.io-index\"");
        fb.negative(
            format!("checksum = \"{}\"", g.hex(64)),
            "generic",
            "lockfile",
            "lock-cargo-checksum",
        );
    }
    c.add(fb);
}

fn gemfile_lock(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("services/{svc}/Gemfile.lock"));
    fb.line("GEM");
    fb.line("  remote: https://rubygems.org/");
    fb.line("  specs:");
    fb.line("    rack (3.0.8)");
    fb.line("    rake (13.1.0)");
    fb.line("");
    fb.line("CHECKSUMS");
    for p in ["rack (3.0.8)", "rake (13.1.0)", "json (2.7.1)"] {
        fb.negative(
            format!("  {p} sha256={}", g.hex(64)),
            "generic",
            "lockfile",
            "lock-gemfile-checksum",
        );
    }
    c.add(fb);
}

fn poetry_lock(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("services/{svc}/poetry.lock"));
    for p in ["requests", "urllib3"] {
        fb.line("[[package]]");
        fb.line(format!("name = \"{p}\""));
        fb.line("version = \"2.31.0\"");
        fb.line("files = [");
        for ext in ["py3-none-any.whl", "tar.gz"] {
            fb.negative(
                format!(
                    "    {{file = \"{p}-2.31.0-{ext}\", hash = \"sha256:{}\"}},",
                    g.hex(64)
                ),
                "generic",
                "lockfile",
                "lock-poetry-hash",
            );
        }
        fb.line("]");
        fb.line("");
    }
    c.add(fb);
}

fn requirements_hashes(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("services/{svc}/requirements.txt"));
    for p in ["django==5.0.3", "celery==5.3.6", "boto3==1.34.0"] {
        fb.line(format!("{p} \\"));
        fb.negative(
            format!("    --hash=sha256:{} \\", g.hex(64)),
            "generic",
            "lockfile",
            "lock-pip-hash",
        );
        fb.negative(
            format!("    --hash=sha256:{}", g.hex(64)),
            "generic",
            "lockfile",
            "lock-pip-hash",
        );
    }
    c.add(fb);
}

fn public_keys(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("home/{svc}/.ssh/authorized_keys"));
    for _ in 0..3 {
        let k = neg::ssh_public_key(g);
        fb.negative(k, "keys", "public-key", "ssh-public-key");
    }
    c.add(fb);
    let mut fb = FileBuf::new(format!("services/{svc}/certs/ca.pem"));
    let start = fb.next();
    for l in neg::public_pem(g, true) {
        fb.line(l);
    }
    fb.mark_negative(start, "keys", "public-key", "certificate-pem");
    c.add(fb);
    let mut fb = FileBuf::new(format!("services/{svc}/keys/jwt-public.pem"));
    let start = fb.next();
    for l in neg::public_pem(g, false) {
        fb.line(l);
    }
    fb.mark_negative(start, "keys", "public-key", "public-key-pem");
    c.add(fb);
}

fn css_data_uri(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("services/{svc}/web/src/icons.css"));
    for name in ["logo", "spinner", "check"] {
        fb.line(format!(".icon-{name} {{"));
        let d = neg::png_data_uri(g);
        fb.negative(
            format!("  background-image: url(\"{d}\");"),
            "generic",
            "image-data",
            "png-data-uri",
        );
        fb.line("}");
    }
    c.add(fb);
}

fn k8s_deployment_refs(_g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("deploy/k8s/{svc}-deployment.yaml"));
    for l in [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "spec:",
        "  template:",
        "    spec:",
        "      containers:",
        "        - name: app",
        "          env:",
        "            - name: DATABASE_PASSWORD",
        "              valueFrom:",
        "                secretKeyRef:",
        "                  name: db-credentials",
    ] {
        fb.line(l);
    }
    fb.negative(
        "                  key: password",
        "generic",
        "placeholder",
        "secret-key-ref",
    );
    fb.line("            - name: STRIPE_SECRET_KEY");
    fb.line("              valueFrom:");
    fb.line("                secretKeyRef:");
    fb.negative(
        "                  name: stripe-secret-key",
        "payments",
        "placeholder",
        "secret-key-ref",
    );
    fb.line("                  key: api-key");
    c.add(fb);
}

fn env_example(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("services/{svc}/.env.example"));
    fb.line("# copy to .env and fill in");
    for var in [
        "STRIPE_SECRET_KEY",
        "GITHUB_TOKEN",
        "DATABASE_PASSWORD",
        "OPENAI_API_KEY",
        "AWS_SECRET_ACCESS_KEY",
        "SENDGRID_API_KEY",
    ] {
        let n = neg::value(g, var);
        fb.negative(
            format!("{}={}", n.var.unwrap_or(var), n.value),
            n.family,
            n.category,
            n.id,
        );
    }
    fb.negative(
        "DATABASE_URL=postgres://user:password@localhost:5432/app",
        "structure",
        "placeholder",
        "url-placeholder-password",
    );
    c.add(fb);
}

fn docs_examples(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("docs/{svc}/configuration.md"));
    fb.line("# Configuration");
    fb.line("");
    fb.line("Set your AWS credentials, for example:");
    fb.line("");
    fb.line("```ini");
    fb.line("[default]");
    let start = fb.next();
    fb.line(format!("aws_access_key_id = {}", neg::aws_doc_key_id()));
    fb.line(format!("aws_secret_access_key = {}", neg::aws_doc_secret()));
    fb.mark_negative(start, "cloud", "doc-example", "aws-doc-example-pair");
    fb.line("```");
    fb.line("");
    fb.line("The API key goes in a header:");
    fb.line("");
    fb.negative(
        "    curl -H 'X-Api-Key: YOUR_API_KEY' https://api.example.com/",
        "generic",
        "placeholder",
        "doc-header-placeholder",
    );
    fb.line("");
    let n = neg::value(g, "API_TOKEN");
    fb.negative(
        format!("Set `API_TOKEN` to `{}`.", n.value),
        n.family,
        n.category,
        n.id,
    );
    c.add(fb);
}

fn changelog_shas(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("services/{svc}/CHANGELOG.md"));
    fb.line("# Changelog");
    for v in 1..5 {
        fb.line("");
        fb.line(format!("## 1.{v}.0"));
        let sha = g.hex(40);
        fb.negative(
            format!("- fix token refresh race ({sha})"),
            "generic",
            "git-sha",
            "git-sha",
        );
    }
    c.add(fb);
}

fn compose_digests(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("deploy/{svc}/compose.override.yml"));
    fb.line("services:");
    for s in ["api", "worker"] {
        fb.line(format!("  {s}:"));
        let d = g.hex(64);
        fb.negative(
            format!("    image: ghcr.io/acme/{s}@sha256:{d}"),
            "generic",
            "image-digest",
            "image-digest",
        );
        fb.line("    environment:");
        let u = g.uuid();
        fb.negative(
            format!("      INSTANCE_ID: \"{u}\""),
            "generic",
            "uuid",
            "uuid",
        );
    }
    c.add(fb);
}

fn azure_emulator(_g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("services/{svc}/local.settings.json"));
    fb.line("{");
    fb.line("  \"IsEncrypted\": false,");
    fb.line("  \"Values\": {");
    fb.negative(
        format!(
            "    \"AzureWebJobsStorage\": \"{}\",",
            neg::azure_emulator_conn()
        ),
        "cloud",
        "doc-example",
        "azure-emulator-key",
    );
    fb.line("    \"FUNCTIONS_WORKER_RUNTIME\": \"dotnet\"");
    fb.line("  }");
    fb.line("}");
    c.add(fb);
}

fn test_fixture_names(g: &mut G, c: &mut Corpus, svc: &str) {
    let mut fb = FileBuf::new(format!("services/{svc}/src/auth/token_names.py"));
    fb.line("\"\"\"Names of the settings that hold credentials.\"\"\"");
    fb.line("");
    for (var, val) in [
        ("PASSWORD_FIELD", "user_password_hash"),
        ("TOKEN_HEADER", "X-Auth-Token"),
        ("SECRET_SETTING", "DJANGO_SECRET_KEY"),
        ("API_KEY_PARAM", "api_key"),
        ("TOKEN_CLASS", "RefreshTokenAuthenticationProvider"),
    ] {
        fb.negative(
            format!("{var} = \"{val}\""),
            "generic",
            "identifier",
            "identifier",
        );
    }
    let u = g.uuid();
    fb.negative(
        format!("DEFAULT_TENANT = \"{u}\""),
        "generic",
        "uuid",
        "uuid",
    );
    c.add(fb);
}
