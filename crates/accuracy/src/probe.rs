//! The `probe` split: every token format of the catalog in each of many
//! assignment syntaxes and naming styles, one context per file.
//!
//! `dev` and `holdout` plant formats in file templates chosen per split; a
//! rule that recognises a format only in the syntaxes those templates happen
//! to use scores well on `dev` and misses on `holdout` and in users'
//! repositories. This split measures that directly: each format appears in
//! every syntax below, so a miss names the syntax a rule does not read.
//! Rule writers may read and tune on it (like `dev`); it is written from how
//! real projects spell configuration, not from `holdout.rs`.

use crate::corpus::{Corpus, FileBuf};
use crate::names::{camel, dotted, kebab, pascal, snake};
use crate::rng::G;
use crate::tokens::{catalog, Format};
use crate::Size;

/// One syntax: a file path and how a line (or lines) assigns `value` to a
/// variable spelled from `var`. `None` where the syntax cannot hold the
/// value (a multi-line value in a one-line form).
struct Ctx {
    path: &'static str,
    render: fn(var: &str, value: &str) -> Option<String>,
}

fn one_line(v: &str) -> Option<&str> {
    (!v.contains('\n')).then_some(v)
}

const CONTEXTS: &[Ctx] = &[
    Ctx {
        path: "env/.env.production",
        render: |n, v| Some(format!("{n}={}", one_line(v)?)),
    },
    Ctx {
        path: "env/export.sh",
        render: |n, v| Some(format!("export {n}=\"{}\"", one_line(v)?)),
    },
    Ctx {
        path: "yaml/values.yaml",
        render: |n, v| Some(format!("  {}: {}", snake(n), one_line(v)?)),
    },
    Ctx {
        path: "yaml/config.yml",
        render: |n, v| Some(format!("  {}: \"{}\"", camel(n), one_line(v)?)),
    },
    Ctx {
        path: "json/settings.json",
        render: |n, v| Some(format!("  \"{}\": \"{}\",", camel(n), one_line(v)?)),
    },
    Ctx {
        path: "toml/config.toml",
        render: |n, v| Some(format!("{} = \"{}\"", snake(n), one_line(v)?)),
    },
    Ctx {
        path: "ini/app.ini",
        render: |n, v| Some(format!("{} = {}", snake(n), one_line(v)?)),
    },
    Ctx {
        path: "properties/application.properties",
        render: |n, v| Some(format!("{}={}", dotted(n), one_line(v)?)),
    },
    Ctx {
        path: "properties/colon.properties",
        render: |n, v| Some(format!("{}: {}", dotted(n), one_line(v)?)),
    },
    Ctx {
        path: "python/settings.py",
        render: |n, v| {
            Some(format!(
                "{n} = os.environ.get(\"{n}\", \"{}\")",
                one_line(v)?
            ))
        },
    },
    Ctx {
        path: "python/client.py",
        render: |n, v| {
            Some(format!(
                "client = Client({}=\"{}\")",
                snake(n),
                one_line(v)?
            ))
        },
    },
    Ctx {
        path: "js/config.js",
        render: |n, v| {
            Some(format!(
                "const {} = process.env.{n} || '{}';",
                camel(n),
                one_line(v)?
            ))
        },
    },
    Ctx {
        path: "ts/env.ts",
        render: |n, v| Some(format!("  {}: \"{}\",", camel(n), one_line(v)?)),
    },
    Ctx {
        path: "go/config.go",
        render: |n, v| Some(format!("\t{} = \"{}\"", camel(n), one_line(v)?)),
    },
    Ctx {
        path: "go/struct.go",
        render: |n, v| Some(format!("\t\t{}: \"{}\",", pascal(n), one_line(v)?)),
    },
    Ctx {
        path: "java/Config.java",
        render: |n, v| {
            Some(format!(
                "    private static final String {n} = \"{}\";",
                one_line(v)?
            ))
        },
    },
    Ctx {
        path: "java/Setup.java",
        render: |n, v| {
            Some(format!(
                "        builder.set{}(\"{}\");",
                pascal(n),
                one_line(v)?
            ))
        },
    },
    Ctx {
        path: "kotlin/Config.kt",
        render: |n, v| Some(format!("    const val {n}: String = \"{}\"", one_line(v)?)),
    },
    Ctx {
        path: "csharp/Settings.cs",
        render: |n, v| {
            Some(format!(
                "        public const string {} = \"{}\";",
                pascal(n),
                one_line(v)?
            ))
        },
    },
    Ctx {
        path: "ruby/config.rb",
        render: |n, v| Some(format!("ENV[\"{n}\"] ||= \"{}\"", one_line(v)?)),
    },
    Ctx {
        path: "ruby/initializer.rb",
        render: |n, v| Some(format!("  config.{} = '{}'", snake(n), one_line(v)?)),
    },
    Ctx {
        path: "php/config.php",
        render: |n, v| Some(format!("define('{n}', '{}');", one_line(v)?)),
    },
    Ctx {
        path: "php/array.php",
        render: |n, v| Some(format!("    '{}' => '{}',", snake(n), one_line(v)?)),
    },
    Ctx {
        path: "rust/config.rs",
        render: |n, v| Some(format!("const {n}: &str = \"{}\";", one_line(v)?)),
    },
    Ctx {
        path: "swift/Keys.swift",
        render: |n, v| {
            Some(format!(
                "    static let {} = \"{}\"",
                camel(n),
                one_line(v)?
            ))
        },
    },
    Ctx {
        path: "cli/flag.sh",
        render: |n, v| Some(format!("deploy-tool --{} {}", kebab(n), one_line(v)?)),
    },
    Ctx {
        path: "cli/flag-eq.sh",
        render: |n, v| {
            Some(format!(
                "deploy-tool --{}={} --verbose",
                kebab(n),
                one_line(v)?
            ))
        },
    },
    Ctx {
        path: "docker/Dockerfile",
        render: |n, v| Some(format!("ENV {n} {}", one_line(v)?)),
    },
    Ctx {
        path: "docker/docker-compose.yml",
        render: |n, v| Some(format!("      - {n}={}", one_line(v)?)),
    },
    Ctx {
        path: "docker/run.sh",
        render: |n, v| Some(format!("docker run -e {n}={} app:latest", one_line(v)?)),
    },
    Ctx {
        path: "k8s/deployment.yaml",
        render: |n, v| {
            Some(format!(
                "        - name: {n}\n          value: \"{}\"",
                one_line(v)?
            ))
        },
    },
    Ctx {
        path: "ecs/task-definition.json",
        render: |n, v| {
            Some(format!(
                "        {{ \"name\": \"{n}\", \"value\": \"{}\" }},",
                one_line(v)?
            ))
        },
    },
    Ctx {
        path: "terraform/main.tf",
        render: |n, v| Some(format!("  {} = \"{}\"", snake(n), one_line(v)?)),
    },
    Ctx {
        path: "terraform/variables.tf",
        render: |n, v| {
            Some(format!(
                "variable \"{}\" {{\n  type    = string\n  default = \"{}\"\n}}",
                snake(n),
                one_line(v)?
            ))
        },
    },
    Ctx {
        path: "xml/App.config",
        render: |n, v| {
            Some(format!(
                "    <add key=\"{}\" value=\"{}\" />",
                pascal(n),
                one_line(v)?
            ))
        },
    },
    Ctx {
        path: "xml/settings.xml",
        render: |n, v| Some(format!("    <{0}>{1}</{0}>", camel(n), one_line(v)?)),
    },
    Ctx {
        path: "android/strings.xml",
        render: |n, v| {
            Some(format!(
                "    <string name=\"{}\">{}</string>",
                snake(n),
                one_line(v)?
            ))
        },
    },
    Ctx {
        path: "make/Makefile",
        render: |n, v| Some(format!("{n} ?= {}", one_line(v)?)),
    },
    Ctx {
        path: "powershell/setup.ps1",
        render: |n, v| Some(format!("$env:{n} = \"{}\"", one_line(v)?)),
    },
    Ctx {
        path: "gha/workflow.yml",
        render: |n, v| Some(format!("      {n}: {}", one_line(v)?)),
    },
    Ctx {
        path: "logs/app.log",
        render: |n, v| {
            Some(format!(
                "2025-03-01T10:00:00Z INFO loaded config {}={}",
                snake(n),
                one_line(v)?
            ))
        },
    },
    Ctx {
        path: "docs/README.md",
        render: |n, v| Some(format!("Set `{n}` to `{}` before starting.", one_line(v)?)),
    },
    Ctx {
        path: "url/links.txt",
        render: |n, v| {
            Some(format!(
                "https://api.service.test/v1/items?{}={}&limit=10",
                snake(n),
                one_line(v)?
            ))
        },
    },
    Ctx {
        path: "notebook/analysis.ipynb",
        render: |n, v| Some(format!("    \"{} = '{}'\\n\",", snake(n), one_line(v)?)),
    },
    Ctx {
        path: "multi/raw.txt",
        render: |n, v| Some(format!("# {n}\n{v}")),
    },
    Ctx {
        path: "yaml/block.yaml",
        render: |n, v| Some(format!("{}: >-\n  {}", snake(n), one_line(v)?)),
    },
    Ctx {
        path: "json/pretty.json",
        render: |n, v| Some(format!("  \"{}\":\n    \"{}\"", camel(n), one_line(v)?)),
    },
    Ctx {
        path: "python/wrapped.py",
        render: |n, v| Some(format!("{n} = (\n    \"{}\"\n)", one_line(v)?)),
    },
    Ctx {
        path: "xml/element.xml",
        render: |n, v| {
            Some(format!(
                "  <{0}>\n    {1}\n  </{0}>",
                camel(n),
                one_line(v)?
            ))
        },
    },
    Ctx {
        path: "k8s/args.yaml",
        render: |n, v| {
            Some(format!(
                "          args: [\"--{}\", \"{}\"]",
                kebab(n),
                one_line(v)?
            ))
        },
    },
    Ctx {
        path: "k8s/args-list.yaml",
        render: |n, v| {
            Some(format!(
                "            - --{}\n            - {}",
                kebab(n),
                one_line(v)?
            ))
        },
    },
    Ctx {
        path: "http/request.http",
        render: |n, v| Some(format!("{}: {}", kebab(n), one_line(v)?)),
    },
    Ctx {
        path: "http/auth-header.sh",
        render: |_, v| {
            Some(format!(
                "curl -H \"Authorization: Token {}\" https://api.service.test/v1/me",
                one_line(v)?
            ))
        },
    },
    Ctx {
        path: "ini/section.ini",
        render: |n, v| {
            let (section, rest) = n.split_once('_').unwrap_or(("service", n));
            Some(format!(
                "[{}]\n{} = {}",
                section.to_lowercase(),
                rest.to_lowercase(),
                one_line(v)?
            ))
        },
    },
    Ctx {
        path: "toml/table.toml",
        render: |n, v| {
            let (section, rest) = n.split_once('_').unwrap_or(("service", n));
            Some(format!(
                "[{}]\n{} = \"{}\"",
                section.to_lowercase(),
                rest.to_lowercase(),
                one_line(v)?
            ))
        },
    },
    Ctx {
        path: "yaml/nested.yaml",
        render: |n, v| {
            let (section, rest) = n.split_once('_').unwrap_or(("service", n));
            Some(format!(
                "{}:\n  {}: {}",
                section.to_lowercase(),
                rest.to_lowercase(),
                one_line(v)?
            ))
        },
    },
];

/// Builds the probe corpus: every catalog format in every context. `Small`
/// keeps every third format (all contexts), `Large` all of them.
pub fn generate(size: Size, seed: u64) -> Corpus {
    let mut g = G::new(seed);
    let formats: Vec<Format> = catalog()
        .into_iter()
        .enumerate()
        .filter(|(i, _)| size == Size::Large || i % 3 == 0)
        .map(|(_, f)| f)
        .collect();
    let mut corpus = Corpus::default();
    for ctx in CONTEXTS {
        let mut fb = FileBuf::new(format!("probe/{}", ctx.path));
        for fmt in &formats {
            // A bare value is findable only by its shape.
            if ctx.path.starts_with("multi/") && !fmt.prefixed {
                continue;
            }
            let value = (fmt.gen)(&mut g);
            let Some(text) = (ctx.render)(fmt.var, &value) else {
                continue;
            };
            if let Some((lead_var, lead_gen)) = fmt.lead {
                let lead = lead_gen(&mut g);
                let Some(lead_text) = (ctx.render)(lead_var, &lead) else {
                    continue;
                };
                let start = fb.next();
                fb.line(lead_text);
                fb.line(text);
                fb.mark_secret(start, fmt.family, fmt.id, None);
            } else {
                fb.secret_fmt(text, fmt);
            }
            fb.line("");
        }
        corpus.add(fb);
    }
    corpus
}
