//! Engine throughput (MB/s) with the built-in rules, over generated text:
//! source-like code with no secrets, the same with a planted token every
//! ~4 KB, and keyword-dense text (config files full of `token`, `secret`,
//! `password` assignments that are not secrets).
//!
//! Run: `cargo bench -p leaktrap-engine` (figures in benches/README.md).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use leaktrap_engine::{Engine, Match, Scratch};
use leaktrap_rules::{build_ruleset, Config};

/// Deterministic pseudo-random generator (xorshift), so the corpus is the
/// same on every run and contains no real credential.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
    fn alnum(&mut self, n: usize) -> String {
        const A: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        (0..n)
            .map(|_| A[(self.next() % 62) as usize] as char)
            .collect()
    }
}

const WORDS: &[&str] = &[
    "func", "return", "err", "nil", "if", "for", "range", "ctx", "context", "string", "int",
    "struct", "type", "var", "const", "package", "import", "value", "config", "client", "server",
    "request", "response", "handler", "logger", "metrics", "query", "label", "stream", "chunk",
];

fn code(rng: &mut Rng, bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 100);
    while s.len() < bytes {
        let indent = (rng.next() % 4) as usize;
        s.push_str(&"\t".repeat(indent));
        for _ in 0..(3 + rng.next() % 8) {
            s.push_str(rng.pick(WORDS));
            s.push_str(rng.pick(&[" ", "(", ").", ", ", " := ", ".", " == "]));
        }
        s.push('\n');
    }
    s
}

fn keyword_dense(rng: &mut Rng, bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 100);
    while s.len() < bytes {
        let name = rng.pick(&[
            "token",
            "secret",
            "password",
            "api_key",
            "auth_token",
            "secret_key",
        ]);
        let value = rng.pick(&[
            "os.getenv(\"X\")",
            "\"changeme\"",
            "${VAR}",
            "get_token()",
            "null",
            "\"\"",
        ]);
        s.push_str(&format!("{name} = {value}\n"));
    }
    s
}

fn with_tokens(rng: &mut Rng, bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 100);
    while s.len() < bytes {
        s.push_str(&code(rng, 4000));
        s.push_str(&format!(
            "\tkey := \"sk-proj-{}T3BlbkFJ{}\"\n",
            rng.alnum(40),
            rng.alnum(40)
        ));
    }
    s
}

fn bench(c: &mut Criterion) {
    let set = build_ruleset(&Config::none()).expect("built-in rules");
    let engine = Engine::compile(&set).expect("compile");
    engine.compile_all().expect("compile all");
    let mut rng = Rng(0x5eed_1eaf_7a11_cafe);
    let size = 8 << 20;
    let inputs = [
        ("code-no-secrets", code(&mut rng, size)),
        ("code-with-tokens", with_tokens(&mut rng, size)),
        ("keyword-dense-config", keyword_dense(&mut rng, size)),
    ];
    let mut group = c.benchmark_group("engine");
    group.sample_size(20);
    for (name, data) in &inputs {
        group.throughput(Throughput::Bytes(data.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), data, |b, data| {
            let mut scratch = Scratch::default();
            let mut out: Vec<Match> = Vec::new();
            b.iter(|| {
                out.clear();
                engine.scan(data.as_bytes(), None, &mut scratch, &mut out);
                out.len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
