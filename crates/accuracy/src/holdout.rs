//! The `holdout` split.
//!
//! RULE AUTHORS: PLEASE DO NOT READ THIS FILE, AND DO NOT TUNE RULES AGAINST THE HOLDOUT
//! CORPUS'S FINDINGS. It stands in for the repositories users will scan: its file kinds,
//! variable names and surrounding code differ from the dev split on purpose, so that its
//! figures say how the rules generalise. Tune against `dev.rs` and the dev corpus only.

use crate::corpus::{Corpus, FileBuf};
use crate::names::{camel, json_escape, kebab, pascal, snake};
use crate::negatives as neg;
use crate::rng::{self, b64, to_hex, G};
use crate::tokens::{self, catalog, Format};
use crate::Size;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Ctx {
    Compose,
    Helm,
    AppSettings,
    Terraform,
    Notebook,
    Markdown,
    Makefile,
    Jenkinsfile,
    Kotlin,
    Scala,
    Elixir,
    PowerShell,
    Bashrc,
    Swift,
    Postman,
    Systemd,
    CircleCi,
    AnsibleVars,
    PyDict,
    JsObject,
}

const CTXS: [Ctx; 20] = [
    Ctx::Compose,
    Ctx::Helm,
    Ctx::AppSettings,
    Ctx::Terraform,
    Ctx::Notebook,
    Ctx::Markdown,
    Ctx::Makefile,
    Ctx::Jenkinsfile,
    Ctx::Kotlin,
    Ctx::Scala,
    Ctx::Elixir,
    Ctx::PowerShell,
    Ctx::Bashrc,
    Ctx::Swift,
    Ctx::Postman,
    Ctx::Systemd,
    Ctx::CircleCi,
    Ctx::AnsibleVars,
    Ctx::PyDict,
    Ctx::JsObject,
];

const TEAMS: &[&str] = &[
    "atlas", "beacon", "cobalt", "delta", "ember", "falcon", "granite", "harbor", "iris",
    "juniper", "kepler", "lumen", "meridian", "nimbus", "onyx", "polaris",
];

fn pk(g: &mut G, xs: &[&'static str]) -> &'static str {
    xs[g.below(xs.len())]
}

fn file_for(ctx: Ctx, g: &mut G) -> &'static str {
    match ctx {
        Ctx::Compose => pk(g, &["docker-compose.prod.yml", "compose.yaml"]),
        Ctx::Helm => pk(g, &["chart/values-prod.yaml", "helm/values.yaml"]),
        Ctx::AppSettings => pk(g, &["src/Api/appsettings.json", "appsettings.Staging.json"]),
        Ctx::Terraform => pk(g, &["infra/main.tf", "infra/providers.tf"]),
        Ctx::Notebook => pk(g, &["notebooks/explore.ipynb", "analysis/prototype.ipynb"]),
        Ctx::Markdown => pk(g, &["docs/setup.md", "CONTRIBUTING.md", "notes/runbook.md"]),
        Ctx::Makefile => "Makefile",
        Ctx::Jenkinsfile => "Jenkinsfile",
        Ctx::Kotlin => pk(
            g,
            &[
                "app/src/main/kotlin/Secrets.kt",
                "src/main/kotlin/Client.kt",
            ],
        ),
        Ctx::Scala => "src/main/scala/Settings.scala",
        Ctx::Elixir => pk(g, &["config/prod.exs", "config/runtime.exs"]),
        Ctx::PowerShell => pk(g, &["tools/setup.ps1", "deploy.ps1"]),
        Ctx::Bashrc => pk(
            g,
            &["dotfiles/.bashrc", "dotfiles/.zshrc", "dotfiles/.profile"],
        ),
        Ctx::Swift => "Sources/App/Keys.swift",
        Ctx::Postman => pk(
            g,
            &[
                "postman/prod.postman_environment.json",
                "api/collection-env.json",
            ],
        ),
        Ctx::Systemd => pk(g, &["ops/worker.service", "ops/api.service"]),
        Ctx::CircleCi => ".circleci/config.yml",
        Ctx::AnsibleVars => pk(
            g,
            &["ansible/group_vars/all.yml", "ansible/host_vars/web1.yml"],
        ),
        Ctx::PyDict => pk(g, &["tools/clients.py", "jobs/settings_local.py"]),
        Ctx::JsObject => pk(g, &["config/default.js", "app/config/keys.mjs"]),
    }
}

/// Names as people actually write them: prefixes, suffixes, provider-first or not.
fn mangle(g: &mut G, var: &str) -> String {
    match g.below(6) {
        0 => var.to_string(),
        1 => format!("PROD_{var}"),
        2 => format!("{var}_V2"),
        3 => format!("APP_{var}"),
        4 => var.replace("_KEY", "_KEY_PRIMARY"),
        _ => format!("{var}_LIVE"),
    }
}

fn open(ctx: Ctx, fb: &mut FileBuf, team: &str) {
    let lines: Vec<String> = match ctx {
        Ctx::Compose => vec![
            "version: \"3.9\"".into(),
            "services:".into(),
            format!("  {team}:"),
            "    image: acme/app:latest".into(),
            "    environment:".into(),
        ],
        Ctx::Helm => vec![
            format!("nameOverride: {team}"),
            "replicaCount: 2".into(),
            "secrets:".into(),
        ],
        Ctx::AppSettings => vec![
            "{".into(),
            "  \"Logging\": { \"LogLevel\": { \"Default\": \"Information\" } },".into(),
            "  \"Integrations\": {".into(),
        ],
        Ctx::Terraform => vec![
            "terraform {".into(),
            "  required_version = \">= 1.6\"".into(),
            "}".into(),
            "".into(),
            "locals {".into(),
        ],
        Ctx::Notebook => vec![
            "{".into(),
            " \"cells\": [".into(),
            "  {".into(),
            "   \"cell_type\": \"code\",".into(),
            "   \"metadata\": {},".into(),
            "   \"source\": [".into(),
            "    \"import os\\n\",".into(),
        ],
        Ctx::Markdown => vec![
            format!("# {team} runbook"),
            "".into(),
            "Export these before running the job:".into(),
            "".into(),
            "```bash".into(),
        ],
        Ctx::Makefile => vec![".PHONY: deploy".into(), "".into()],
        Ctx::Jenkinsfile => vec![
            "pipeline {".into(),
            "  agent any".into(),
            "  environment {".into(),
        ],
        Ctx::Kotlin => vec![
            "package com.acme.app".into(),
            "".into(),
            "object Secrets {".into(),
        ],
        Ctx::Scala => vec!["package acme".into(), "".into(), "object Settings {".into()],
        Ctx::Elixir => vec!["import Config".into(), "".into()],
        Ctx::PowerShell => vec![
            "Set-StrictMode -Version Latest".into(),
            "$ErrorActionPreference = 'Stop'".into(),
        ],
        Ctx::Bashrc => vec!["# shell init".into(), "alias ll='ls -la'".into()],
        Ctx::Swift => vec!["import Foundation".into(), "".into(), "enum Keys {".into()],
        Ctx::Postman => vec![
            "{".into(),
            format!("  \"name\": \"{team} prod\","),
            "  \"values\": [".into(),
        ],
        Ctx::Systemd => vec![
            "[Unit]".into(),
            format!("Description={team} worker"),
            "".into(),
            "[Service]".into(),
        ],
        Ctx::CircleCi => vec![
            "version: 2.1".into(),
            "jobs:".into(),
            "  build:".into(),
            "    docker:".into(),
            "      - image: cimg/base:2024.01".into(),
            "    environment:".into(),
        ],
        Ctx::AnsibleVars => vec!["---".into(), format!("app_name: {team}")],
        Ctx::PyDict => vec!["CLIENTS = {".into()],
        Ctx::JsObject => vec!["export default {".into()],
    };
    for l in lines {
        fb.line(l);
    }
}

fn close(ctx: Ctx, fb: &mut FileBuf) {
    let lines: &[&str] = match ctx {
        Ctx::AppSettings => &["    \"Enabled\": true", "  }", "}"],
        Ctx::Terraform => &["}"],
        Ctx::Notebook => &[
            "    \"print('ok')\"",
            "   ]",
            "  }",
            " ],",
            " \"nbformat\": 4,",
            " \"nbformat_minor\": 5",
            "}",
        ],
        Ctx::Markdown => &["```"],
        Ctx::Makefile => &["", "deploy:", "\t./scripts/deploy.sh"],
        Ctx::Jenkinsfile => &[
            "  }",
            "  stages {",
            "    stage('deploy') { steps { sh 'make deploy' } }",
            "  }",
            "}",
        ],
        Ctx::Kotlin | Ctx::Scala | Ctx::Swift => &["}"],
        Ctx::Postman => &[
            "    { \"key\": \"timeout\", \"value\": \"30\", \"enabled\": true }",
            "  ]",
            "}",
        ],
        Ctx::Systemd => &[
            "ExecStart=/usr/local/bin/worker",
            "",
            "[Install]",
            "WantedBy=multi-user.target",
        ],
        Ctx::CircleCi => &["    steps:", "      - checkout", "      - run: make test"],
        Ctx::PyDict | Ctx::JsObject => &["}"],
        _ => &[],
    };
    for l in lines {
        fb.line(*l);
    }
}

/// Writes `name = value` in the context. Postman puts name and value on separate lines;
/// the returned line number is the one holding the value.
fn put(ctx: Ctx, fb: &mut FileBuf, name: &str, value: &str) -> usize {
    let line = match ctx {
        Ctx::Compose => format!("      - {name}={value}"),
        Ctx::Helm => format!("  {}: {value}", camel(name)),
        Ctx::AppSettings => format!("    \"{}\": {},", pascal(name), json_escape(value)),
        Ctx::Terraform => format!("  {} = \"{value}\"", snake(name)),
        Ctx::Notebook => {
            let code = format!("os.environ[\"{name}\"] = \"{value}\"\n");
            format!("    {},", json_escape(&code))
        }
        Ctx::Markdown => format!("export {name}={value}"),
        Ctx::Makefile => format!("{name} ?= {value}"),
        Ctx::Jenkinsfile => format!("    {name} = '{value}'"),
        Ctx::Kotlin => format!("    const val {name} = \"{value}\""),
        Ctx::Scala => format!("  val {} = \"{value}\"", camel(name)),
        Ctx::Elixir => format!("config :app, {}: \"{value}\"", snake(name)),
        Ctx::PowerShell => format!("$env:{name} = \"{}\"", value.replace('$', "`$")),
        Ctx::Bashrc => format!("export {name}='{value}'"),
        Ctx::Swift => format!("    static let {} = \"{value}\"", camel(name)),
        Ctx::Postman => {
            fb.line("    {");
            fb.line(format!("      \"key\": \"{}\",", camel(name)));
            let n = fb.next();
            fb.line(format!("      \"value\": {},", json_escape(value)));
            fb.line("      \"type\": \"secret\",");
            fb.line("      \"enabled\": true");
            fb.line("    },");
            return n;
        }
        Ctx::Systemd => format!("Environment=\"{name}={value}\""),
        Ctx::CircleCi => format!("      {name}: {value}"),
        Ctx::AnsibleVars => format!("vault_{}: \"{value}\"", snake(name)),
        Ctx::PyDict => format!("    \"{}\": \"{value}\",", kebab(name)),
        Ctx::JsObject => format!("  {}: \"{value}\",", camel(name)),
    };
    let n = fb.next();
    fb.line(line);
    n
}

fn lookup(ctx: Ctx, name: &str) -> Option<String> {
    Some(match ctx {
        Ctx::Kotlin => format!(
            "    val {} = System.getenv(\"{name}\") ?: \"\"",
            camel(name)
        ),
        Ctx::Scala => format!(
            "  val {} = sys.env.getOrElse(\"{name}\", \"\")",
            camel(name)
        ),
        Ctx::Elixir => format!(
            "config :app, {}: System.fetch_env!(\"{name}\")",
            snake(name)
        ),
        Ctx::PowerShell => format!("$apiKey = $env:{name}"),
        Ctx::Swift => format!(
            "    static let {} = ProcessInfo.processInfo.environment[\"{name}\"] ?? \"\"",
            camel(name)
        ),
        Ctx::PyDict => format!("    \"{}\": os.getenv(\"{name}\", \"\"),", kebab(name)),
        Ctx::JsObject => format!("  {}: process.env.{name} || '',", camel(name)),
        Ctx::Terraform => format!("  {} = var.{}", snake(name), snake(name)),
        Ctx::Helm => format!(
            "  {}: {{{{ .Values.global.{} | quote }}}}",
            camel(name),
            camel(name)
        ),
        Ctx::Jenkinsfile => format!("    {name} = credentials('{}')", kebab(name)),
        Ctx::CircleCi => format!("      {name}: ${{{name}}}"),
        Ctx::AnsibleVars => format!("{}: \"{{{{ vault_{} }}}}\"", snake(name), snake(name)),
        _ => return None,
    })
}

fn filler(g: &mut G, ctx: Ctx, fb: &mut FileBuf) {
    let (n, v): (&str, String) = match g.below(8) {
        0 => ("WORKERS", g.range(1, 16).to_string()),
        1 => (
            "PUBLIC_BASE_URL",
            format!("https://{}.example.net", g.chars(rng::LOWER, 7)),
        ),
        2 => ("QUEUE_NAME", format!("jobs-{}", g.chars(rng::LOWER, 4))),
        3 => ("RETRY_LIMIT", g.range(1, 9).to_string()),
        4 => (
            "OTEL_SERVICE_NAME",
            g.pick(&["api", "worker", "cron"]).to_string(),
        ),
        5 => (
            "S3_BUCKET",
            format!("acme-{}-artifacts", g.chars(rng::LOWER, 5)),
        ),
        6 => ("ADMIN_EMAIL", "ops@example.com".to_string()),
        _ => ("SESSION_COOKIE_NAME", "sid".to_string()),
    };
    put(ctx, fb, n, &v);
}

enum Slot {
    Secret(Format),
    Neg,
    Look,
    Lookup,
    Publishable,
}

fn ctx_file(g: &mut G, c: &mut Corpus, team: &str, ctx: Ctx, slots: Vec<Slot>) {
    let mut fb = FileBuf::new(format!("{team}/{}", file_for(ctx, g)));
    open(ctx, &mut fb, team);
    for s in &slots {
        if g.chance(60) {
            filler(g, ctx, &mut fb);
        }
        match s {
            Slot::Secret(fmt) => {
                let mut first = None;
                if let Some((lv, lg)) = fmt.lead {
                    let v = lg(g);
                    let name = mangle(g, lv);
                    first = Some(put(ctx, &mut fb, &name, &v));
                }
                let v = (fmt.gen)(g);
                let name = mangle(g, fmt.var);
                let at = put(ctx, &mut fb, &name, &v);
                fb.mark_secret(first.unwrap_or(at), fmt.family, fmt.id, None);
            }
            Slot::Neg => {
                let name = *g.pick(&[
                    "SERVICE_TOKEN",
                    "PAYMENT_SECRET",
                    "ADMIN_PASSWORD",
                    "GH_PAT",
                    "PUBLISH_TOKEN",
                    "WEBHOOK_SECRET",
                    "LLM_API_KEY",
                ]);
                let n = neg::value(g, name);
                let at = put(ctx, &mut fb, n.var.unwrap_or(name), &n.value);
                fb.mark_negative(at, n.family, n.category, n.id);
            }
            Slot::Look => {
                let (n, _) = neg::lookalike(g);
                let name = *g.pick(&[
                    "BUILD_SHA",
                    "DEPLOYMENT_ID",
                    "BLOB_DIGEST",
                    "CORRELATION_ID",
                ]);
                let at = put(ctx, &mut fb, name, &n.value);
                fb.mark_negative(at, n.family, n.category, n.id);
            }
            Slot::Lookup => {
                let name = *g.pick(&["STRIPE_SECRET", "DB_PASS", "GITHUB_PAT", "SIGNING_KEY"]);
                match lookup(ctx, name) {
                    Some(l) => {
                        fb.negative(l, "generic", "placeholder", "env-lookup");
                    }
                    None => {
                        let n = neg::value(g, name);
                        let at = put(ctx, &mut fb, name, &n.value);
                        fb.mark_negative(at, n.family, n.category, n.id);
                    }
                }
            }
            Slot::Publishable => {
                let v = format!("pk_live_51{}", g.alnum(97));
                let at = put(ctx, &mut fb, "STRIPE_PUBLISHABLE_KEY", &v);
                fb.mark_negative(at, "payments", "publishable-key", "stripe-publishable-key");
            }
        }
    }
    close(ctx, &mut fb);
    c.add(fb);
}

pub fn generate(size: Size, seed: u64) -> Corpus {
    let mut g = G::new(seed.rotate_left(17) ^ 0x0004_01d0_u64);
    let mut c = Corpus::default();
    let (reps, extra) = match size {
        Size::Small => (2, 1),
        Size::Large => (12, 7),
    };
    let mut slots: Vec<Slot> = Vec::new();
    for fmt in catalog() {
        for _ in 0..reps {
            slots.push(Slot::Secret(fmt));
        }
    }
    let n = slots.len();
    for i in 0..(n * 2 / 3) {
        slots.push(match i % 10 {
            0..=4 => Slot::Neg,
            5 | 6 => Slot::Look,
            7 | 8 => Slot::Lookup,
            _ => Slot::Publishable,
        });
    }
    g.shuffle(&mut slots);
    let mut k = 0;
    while !slots.is_empty() {
        let take = g.range(2, 9).min(slots.len());
        let chunk: Vec<Slot> = slots.drain(..take).collect();
        let ctx = CTXS[(k * 7) % CTXS.len()];
        let team = TEAMS[k % TEAMS.len()];
        ctx_file(&mut g, &mut c, team, ctx, chunk);
        k += 1;
    }
    let builders: &[fn(&mut G, &mut Corpus, &str)] = &[
        shell_history,
        minified_sa,
        helm_tls,
        har_file,
        json_logs,
        gh_npmrc,
        multi_secret_yaml,
        tf_heredoc_key,
        ini_profiles,
        config_b64_blob,
        nginx_conf,
        hex_bytes_go,
        known_hosts,
        pipfile_lock,
        yarn_berry,
        html_sri,
        pinned_actions,
        csproj_guids,
        svg_image,
        docstring_examples,
        test_fixtures,
    ];
    for r in 0..extra {
        for (i, b) in builders.iter().enumerate() {
            b(&mut g, &mut c, TEAMS[(i * 5 + r * 3) % TEAMS.len()]);
        }
    }
    c
}

fn fmt_by_id(id: &str) -> Format {
    *catalog().iter().find(|f| f.id == id).unwrap()
}

fn shell_history(g: &mut G, c: &mut Corpus, team: &str) {
    let mut fb = FileBuf::new(format!("{team}/home/.bash_history"));
    fb.line("ls -la");
    fb.line("cd projects/api");
    let p = g.password();
    fb.secret(
        format!("mysql -h db.internal -u root -p{p} app"),
        "structure",
        "password-flag",
    );
    fb.line("git pull --rebase");
    let t = tokens::crc_token(g, "ghp_");
    fb.secret(format!("export GH_TOKEN={t}"), "vcs-ci", "github-pat");
    let d = format!("dckr_pat_{}", g.chars(rng::B64URL, 27));
    fb.secret(
        format!("docker login -u acmebuild -p {d}"),
        "registries",
        "dockerhub-pat",
    );
    fb.secret(
        format!("PGPASSWORD='{}' psql -h db.internal -U app", g.password()),
        "structure",
        "password-flag",
    );
    fb.line("history | grep ssh");
    c.add(fb);
}

fn minified_sa(g: &mut G, c: &mut Corpus, team: &str) {
    let mut fb = FileBuf::new(format!("{team}/deploy/.env.gcp"));
    let project = format!("{team}-{}", g.digits(5));
    let key = tokens::private_key(g, "pkcs8").join("\n") + "\n";
    let json = format!(
        "{{\"type\":\"service_account\",\"project_id\":\"{project}\",\"private_key_id\":\"{}\",\"private_key\":{},\"client_email\":\"ci@{project}.iam.gserviceaccount.com\"}}",
        g.hex(40),
        json_escape(&key)
    );
    fb.line("REGION=europe-west4");
    fb.secret_enc(
        format!("GOOGLE_CREDENTIALS='{json}'"),
        "cloud",
        "gcp-service-account",
        Some("json-escaped"),
    );
    c.add(fb);
}

fn helm_tls(g: &mut G, c: &mut Corpus, team: &str) {
    let mut fb = FileBuf::new(format!("{team}/chart/templates/tls-secret.yaml"));
    for l in [
        "apiVersion: v1",
        "kind: Secret",
        "type: kubernetes.io/tls",
        "metadata:",
        "  name: ingress-tls",
        "stringData:",
        "  tls.crt: |",
    ] {
        fb.line(l);
    }
    for l in neg::public_pem(g, true) {
        fb.line(format!("    {l}"));
    }
    fb.line("  tls.key: |");
    let start = fb.next();
    for l in tokens::private_key(g, "ec") {
        fb.line(format!("    {l}"));
    }
    fb.mark_secret(start, "keys", "private-key-yaml-block", None);
    fb.line("data:");
    let v = fmt_by_id("sendgrid-api-key");
    let tok = (v.gen)(g);
    fb.secret_enc(
        format!("  smtp-api-key: {}", b64(tok.as_bytes())),
        v.family,
        v.id,
        Some("base64"),
    );
    let pw = g.password();
    fb.secret_enc(
        format!("  admin-password: {}", b64(pw.as_bytes())),
        "structure",
        "k8s-secret-password",
        Some("base64"),
    );
    c.add(fb);
}

fn har_file(g: &mut G, c: &mut Corpus, team: &str) {
    let mut fb = FileBuf::new(format!("{team}/debug/session.har"));
    for l in [
        "{",
        "  \"log\": {",
        "    \"entries\": [",
        "      {",
        "        \"request\": {",
        "          \"method\": \"POST\",",
        "          \"url\": \"https://api.example.com/v1/orders\",",
        "          \"headers\": [",
    ] {
        fb.line(l);
    }
    let t = format!(
        "sk-proj-{}T3BlbkFJ{}",
        g.chars(rng::B64URL, 74),
        g.chars(rng::B64URL, 74)
    );
    fb.secret(
        format!("            {{ \"name\": \"Authorization\", \"value\": \"Bearer {t}\" }},"),
        "ai",
        "openai-project-key",
    );
    fb.line("            { \"name\": \"Content-Type\", \"value\": \"application/json\" }");
    fb.line("          ],");
    fb.line("          \"cookies\": [");
    fb.secret(
        format!(
            "            {{ \"name\": \"session\", \"value\": \"{}\" }}",
            g.b64url_bytes(48)
        ),
        "structure",
        "session-cookie",
    );
    for l in ["          ]", "        }", "      }", "    ]", "  }", "}"] {
        fb.line(l);
    }
    c.add(fb);
}

fn json_logs(g: &mut G, c: &mut Corpus, team: &str) {
    let mut fb = FileBuf::new(format!("{team}/logs/app.jsonl"));
    for i in 0..5 {
        let ts = format!("2025-06-1{}T08:{:02}:00Z", i, g.below(60));
        match i {
            1 => {
                let cred = b64(format!("{}:{}", "reporting", g.password()).as_bytes());
                fb.secret_enc(
                    format!("{{\"ts\":\"{ts}\",\"level\":\"debug\",\"req\":{{\"headers\":{{\"authorization\":\"Basic {cred}\"}}}}}}"),
                    "structure",
                    "basic-auth-header-log",
                    Some("base64"),
                );
            }
            3 => {
                let t = format!(
                    "xoxp-{}-{}-{}-{}",
                    g.digits(11),
                    g.digits(11),
                    g.digits(13),
                    g.hex(32)
                );
                fb.secret(format!("{{\"ts\":\"{ts}\",\"level\":\"warn\",\"msg\":\"slack call failed\",\"token\":\"{t}\"}}"), "chat", "slack-user-token");
            }
            _ => {
                let id = g.uuid();
                fb.negative(format!("{{\"ts\":\"{ts}\",\"level\":\"info\",\"request_id\":\"{id}\",\"status\":200}}"), "generic", "uuid", "uuid");
            }
        }
    }
    c.add(fb);
}

fn gh_npmrc(g: &mut G, c: &mut Corpus, team: &str) {
    let mut fb = FileBuf::new(format!("{team}/frontend/.npmrc"));
    fb.line("@acme:registry=https://npm.pkg.github.com");
    let t = tokens::crc_token(g, "ghp_");
    fb.secret(
        format!("//npm.pkg.github.com/:_authToken={t}"),
        "registries",
        "npmrc-auth-token",
    );
    fb.line("always-auth=true");
    fb.negative(
        format!(
            "//registry.npmjs.org/:_authToken={}",
            tokens::crc_token_bad(g, "npm_")
        ),
        "registries",
        "checksum-invalid",
        "npm-token-bad-checksum",
    );
    c.add(fb);
}

fn multi_secret_yaml(g: &mut G, c: &mut Corpus, team: &str) {
    let mut fb = FileBuf::new(format!("{team}/config/integrations.yml"));
    fb.line("integrations:");
    for id in [
        "datadog-api-key",
        "twilio-auth-token",
        "mailgun-key",
        "cohere-api-key",
        "splunk-hec-token",
    ] {
        let f = fmt_by_id(id);
        let key = kebab(f.var.split('_').next().unwrap_or("svc"));
        fb.line(format!("  {key}:"));
        fb.line("    enabled: true");
        let v = (f.gen)(g);
        let field = *g.pick(&["apiKey", "token", "secret", "key"]);
        fb.secret(format!("    {field}: {v}"), f.family, f.id);
    }
    c.add(fb);
}

fn tf_heredoc_key(g: &mut G, c: &mut Corpus, team: &str) {
    let mut fb = FileBuf::new(format!("{team}/infra/bastion.tf"));
    fb.line("resource \"tls_locally_signed_cert\" \"bastion\" {");
    fb.line("  private_key_pem = <<EOT");
    let start = fb.next();
    for l in tokens::private_key(g, "rsa") {
        fb.line(l);
    }
    fb.mark_secret(start, "keys", "private-key-heredoc", None);
    fb.line("EOT");
    fb.line("}");
    fb.line("");
    fb.line("provider \"cloudflare\" {");
    let v = g.chars(rng::B64URL, 40);
    fb.secret(
        format!("  api_token = \"{v}\""),
        "cloud",
        "cloudflare-api-token",
    );
    fb.line("}");
    fb.line("provider \"github\" {");
    fb.negative(
        "  token = var.github_token",
        "vcs-ci",
        "placeholder",
        "tf-var-ref",
    );
    fb.line("}");
    c.add(fb);
}

fn ini_profiles(g: &mut G, c: &mut Corpus, team: &str) {
    let mut fb = FileBuf::new(format!("{team}/home/.aws/credentials"));
    fb.line(format!("[profile-{team}]"));
    let start = fb.next();
    fb.line(format!(
        "aws_access_key_id={}",
        tokens::aws_key_id(g, "AKIA")
    ));
    fb.line(format!("aws_secret_access_key={}", tokens::aws_secret(g)));
    fb.mark_secret(start, "cloud", "aws-credentials-file", None);
    fb.line("[sandbox]");
    let start = fb.next();
    fb.line(format!("aws_access_key_id={}", neg::aws_doc_key_id()));
    fb.line(format!("aws_secret_access_key={}", neg::aws_doc_secret()));
    fb.mark_negative(start, "cloud", "doc-example", "aws-doc-example-pair");
    c.add(fb);
}

fn config_b64_blob(g: &mut G, c: &mut Corpus, team: &str) {
    let mut fb = FileBuf::new(format!("{team}/deploy/settings.env"));
    let f = fmt_by_id("stripe-restricted-key");
    let inner = format!(
        "{{\"stripe\":{{\"key\":\"{}\"}},\"region\":\"eu\"}}",
        (f.gen)(g)
    );
    fb.secret_enc(
        format!("SETTINGS_JSON_B64={}", b64(inner.as_bytes())),
        f.family,
        f.id,
        Some("base64"),
    );
    let h = fmt_by_id("huggingface-token");
    let v = (h.gen)(g);
    fb.secret_enc(
        format!("HF_TOKEN_HEX={}", to_hex(v.as_bytes())),
        h.family,
        h.id,
        Some("hex"),
    );
    let pw = g.password() + "%&=";
    fb.secret_enc(
        format!(
            "BROKER=amqp://worker:{}@mq.internal:5672/",
            rng::percent_encode(&pw)
        ),
        "structure",
        "amqp-url",
        Some("percent"),
    );
    c.add(fb);
}

fn nginx_conf(g: &mut G, c: &mut Corpus, team: &str) {
    let mut fb = FileBuf::new(format!("{team}/ops/nginx/upstream.conf"));
    fb.line("location /internal/ {");
    fb.line("    proxy_pass http://backend;");
    let cred = b64(format!("gateway:{}", g.password()).as_bytes());
    fb.secret_enc(
        format!("    proxy_set_header Authorization \"Basic {cred}\";"),
        "structure",
        "basic-auth-header-nginx",
        Some("base64"),
    );
    fb.line("}");
    fb.line("location /metrics/ {");
    fb.negative(
        "    proxy_set_header Authorization \"Bearer $http_x_token\";",
        "structure",
        "placeholder",
        "nginx-var",
    );
    fb.line("}");
    c.add(fb);
}

fn hex_bytes_go(g: &mut G, c: &mut Corpus, team: &str) {
    let mut fb = FileBuf::new(format!("{team}/pkg/webhook/verify.go"));
    fb.line("package webhook");
    fb.line("");
    let s = format!("whsec_{}", g.alnum(32));
    fb.secret(
        format!("var signingSecret = []byte(\"{s}\")"),
        "payments",
        "stripe-webhook-secret",
    );
    fb.line("");
    fb.negative(
        format!("const emptySHA256 = \"{}\"", g.hex(64)),
        "generic",
        "hex-digest",
        "sha256-digest",
    );
    c.add(fb);
}

fn known_hosts(g: &mut G, c: &mut Corpus, team: &str) {
    let mut fb = FileBuf::new(format!("{team}/home/.ssh/known_hosts"));
    for h in ["github.com", "gitlab.com", "10.0.4.12"] {
        let k = neg::ssh_public_key(g);
        let k = k.rsplit_once(' ').map(|(a, _)| a.to_string()).unwrap_or(k);
        fb.negative(format!("{h} {k}"), "keys", "public-key", "known-hosts");
    }
    c.add(fb);
}

fn pipfile_lock(g: &mut G, c: &mut Corpus, team: &str) {
    let mut fb = FileBuf::new(format!("{team}/Pipfile.lock"));
    fb.line("{");
    fb.line("    \"default\": {");
    fb.line("        \"certifi\": {");
    fb.line("            \"hashes\": [");
    fb.negative(
        format!("                \"sha256:{}\",", g.hex(64)),
        "generic",
        "lockfile",
        "lock-pipfile-hash",
    );
    fb.negative(
        format!("                \"sha256:{}\"", g.hex(64)),
        "generic",
        "lockfile",
        "lock-pipfile-hash",
    );
    fb.line("            ],");
    fb.line("            \"version\": \"==2024.2.2\"");
    fb.line("        }");
    fb.line("    }");
    fb.line("}");
    c.add(fb);
}

fn yarn_berry(g: &mut G, c: &mut Corpus, team: &str) {
    let mut fb = FileBuf::new(format!("{team}/web/yarn.lock"));
    fb.line("__metadata:");
    fb.line("  version: 8");
    for p in ["react", "react-dom"] {
        fb.line("");
        fb.line(format!("\"{p}@npm:^18.2.0\":"));
        fb.line("  version: 18.2.0");
        fb.line(format!("  resolution: \"{p}@npm:18.2.0\""));
        fb.negative(
            format!("  checksum: 10c0/{}", g.hex(128)),
            "generic",
            "lockfile",
            "lock-yarn-berry-checksum",
        );
    }
    c.add(fb);
    let mut fb = FileBuf::new(format!("{team}/web/package-lock.json"));
    fb.line("{");
    fb.line("  \"lockfileVersion\": 1,");
    fb.line("  \"dependencies\": {");
    fb.line("    \"left-pad\": {");
    fb.line("      \"version\": \"1.3.0\",");
    fb.negative(
        format!("      \"integrity\": \"{}\"", neg::sha1_integrity(g)),
        "generic",
        "lockfile",
        "lock-npm-integrity",
    );
    fb.line("    }");
    fb.line("  }");
    fb.line("}");
    c.add(fb);
}

fn html_sri(g: &mut G, c: &mut Corpus, team: &str) {
    let mut fb = FileBuf::new(format!("{team}/public/index.html"));
    fb.line("<!doctype html>");
    fb.line("<html><head>");
    let i = g.b64_bytes(48);
    fb.negative(
        format!("<script src=\"https://cdn.example.com/lib.min.js\" integrity=\"sha384-{i}\" crossorigin=\"anonymous\"></script>"),
        "generic",
        "lockfile",
        "sri-integrity",
    );
    let pk = format!("pk_live_51{}", g.alnum(97));
    fb.negative(
        format!("<script>window.STRIPE_KEY = \"{pk}\";</script>"),
        "payments",
        "publishable-key",
        "stripe-publishable-key",
    );
    fb.line("</head><body></body></html>");
    c.add(fb);
}

fn pinned_actions(g: &mut G, c: &mut Corpus, team: &str) {
    let mut fb = FileBuf::new(format!("{team}/.github/workflows/ci.yml"));
    fb.line("on: [pull_request]");
    fb.line("jobs:");
    fb.line("  test:");
    fb.line("    runs-on: ubuntu-latest");
    fb.line("    steps:");
    fb.negative(
        format!("      - uses: actions/checkout@{} # v4", g.hex(40)),
        "generic",
        "git-sha",
        "pinned-action-sha",
    );
    fb.negative(
        format!("      - uses: actions/setup-node@{} # v4", g.hex(40)),
        "generic",
        "git-sha",
        "pinned-action-sha",
    );
    fb.line("      - run: npm test");
    fb.line("        env:");
    fb.negative(
        "          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}",
        "registries",
        "placeholder",
        "ci-secret-ref",
    );
    c.add(fb);
}

fn csproj_guids(g: &mut G, c: &mut Corpus, team: &str) {
    let mut fb = FileBuf::new(format!("{team}/src/Api/Api.csproj"));
    fb.line("<Project Sdk=\"Microsoft.NET.Sdk.Web\">");
    fb.line("  <PropertyGroup>");
    fb.negative(
        format!(
            "    <ProjectGuid>{{{}}}</ProjectGuid>",
            g.uuid().to_uppercase()
        ),
        "generic",
        "uuid",
        "uuid",
    );
    fb.negative(
        format!("    <UserSecretsId>{}</UserSecretsId>", g.uuid()),
        "generic",
        "uuid",
        "uuid",
    );
    fb.line("  </PropertyGroup>");
    fb.line("</Project>");
    c.add(fb);
}

fn svg_image(g: &mut G, c: &mut Corpus, team: &str) {
    let mut fb = FileBuf::new(format!("{team}/docs/diagram.svg"));
    fb.line(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">",
    );
    let d = neg::png_data_uri(g);
    fb.negative(
        format!("  <image width=\"64\" height=\"64\" xlink:href=\"{d}\"/>"),
        "generic",
        "image-data",
        "png-data-uri",
    );
    fb.line("</svg>");
    c.add(fb);
}

fn docstring_examples(_g: &mut G, c: &mut Corpus, team: &str) {
    let mut fb = FileBuf::new(format!("{team}/sdk/auth.py"));
    fb.line("def client(key_id=None, secret=None):");
    fb.line("    \"\"\"Build a client.");
    fb.line("");
    fb.line("    Example::");
    fb.line("");
    fb.negative(
        format!("        client(\"{}\",", neg::aws_doc_key_id()),
        "cloud",
        "doc-example",
        "aws-doc-example-key-id",
    );
    fb.negative(
        format!("               \"{}\")", neg::aws_doc_secret()),
        "cloud",
        "doc-example",
        "aws-doc-example-secret",
    );
    fb.line("    \"\"\"");
    fb.line("    return Client(key_id or os.environ[\"AWS_ACCESS_KEY_ID\"], secret)");
    c.add(fb);
    let mut fb = FileBuf::new(format!("{team}/tests/storage_test.py"));
    fb.negative(
        format!("AZURITE = \"{}\"", neg::azure_emulator_conn()),
        "cloud",
        "doc-example",
        "azure-emulator-key",
    );
    c.add(fb);
}

fn test_fixtures(g: &mut G, c: &mut Corpus, team: &str) {
    let mut fb = FileBuf::new(format!("{team}/tests/fixtures/tokens.json"));
    fb.line("{");
    fb.negative(
        format!(
            "  \"revokedPat\": \"{}\",",
            tokens::crc_token_bad(g, "ghp_")
        ),
        "vcs-ci",
        "checksum-invalid",
        "github-pat-bad-checksum",
    );
    fb.negative(
        format!("  \"oauth\": \"{}\",", tokens::crc_token_bad(g, "gho_")),
        "vcs-ci",
        "checksum-invalid",
        "github-oauth-bad-checksum",
    );
    fb.negative(
        format!("  \"apiKey\": \"{}\",", "0".repeat(32)),
        "generic",
        "repeated",
        "repeated-char",
    );
    fb.negative(
        "  \"password\": \"hunter2-not-real-see-fixtures\",",
        "generic",
        "identifier",
        "natural-language",
    );
    fb.line("  \"n\": 1");
    fb.line("}");
    c.add(fb);
}
