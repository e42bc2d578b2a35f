//! Test data and set-up shared by the engine's integration tests.

use leaktrap_engine::Engine;
use leaktrap_rules::{builtin_rules, RuleSet};

/// The engine over the built-in rules, with leaktrap's inline marker, as
/// `leaktrap scan` builds it without a config.
pub fn builtin_engine() -> Engine {
    Engine::compile(&RuleSet {
        rules: builtin_rules().expect("built-in rules parse"),
        allow: Default::default(),
        allowlists: Vec::new(),
        inline_markers: vec!["leaktrap:allow".into()],
    })
    .expect("built-in rules compile")
}

/// A small deterministic generator (xorshift64*), enough for test data:
/// values that would look like secrets are made at run time from a fixed
/// seed, so the test files hold nothing a scanner could mistake for one.
pub struct Gen(pub u64);

impl Gen {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// `n` characters drawn from `alphabet`.
    pub fn from(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize] as char)
            .collect()
    }

    pub fn hex(&mut self, n: usize) -> String {
        self.from(b"0123456789abcdef", n)
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }

    /// `n` random bytes in standard base64, padded.
    pub fn b64(&mut self, n: usize) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(self.bytes(n))
    }
}
