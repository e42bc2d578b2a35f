//! The matching engine of leaktrap: decides *is this a secret?*
//!
//! A [`RuleSet`] compiles into an [`Engine`]. Scanning a buffer runs, in order:
//! one Aho-Corasick pass over the bytes for every rule's keywords (its cost per
//! byte does not grow with the number of rules); for each rule whose keyword
//! occurred, its `regex::bytes` regex only in a window around the keyword hits
//! (the rest of the line, or `max_length` bytes for multi-line rules, windows
//! merged so each byte is examined at most once per rule); secret extraction;
//! entropy and character-class bounds; checksum validation; repeated or
//! sequential characters; rule and global allowlists; de-duplication (one
//! secret, one finding: a rule limited by `path` yields to one that is not,
//! then the most confident rule wins); and `leaktrap:allow` on the match's lines. Every step is linear
//! in the input.
//!
//! Then, up to a bounded depth, encoded text (base64, hex, percent-encoding)
//! whose decoding is printable is decoded in place, the lines holding it are
//! scanned again, and what appears only in the decoded text is reported at
//! the encoded text's position (see `decode`).
//!
//! The engine is pure: no files, no threads, no output. Callers keep one
//! [`Scratch`] per thread.

mod check;
mod checksum;
mod compile;
mod decode;
mod filters;
mod keywords;

pub use check::{check_rules, ExampleFailure};
pub use compile::{CompileError, Engine};
pub use filters::{char_classes, looks_sequential, shannon_entropy};

use leaktrap_core::{Encoding, SuppressionKind};

/// A match the engine found. Offsets are into the buffer that was scanned.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// Index of the rule in [`Engine::rules`].
    pub rule: usize,
    /// The whole regex match.
    pub start: usize,
    pub end: usize,
    /// The secret inside it.
    pub secret_start: usize,
    pub secret_end: usize,
    /// Shannon entropy of the secret, bits per byte.
    pub entropy: f32,
    /// Set when an allowlist or an inline comment suppressed it.
    pub suppressed: Option<SuppressionKind>,
    /// Set when the secret was found in decoded text: `start..end` and
    /// `secret_start..secret_end` then span the encoded text in the buffer,
    /// and this holds the decoded secret.
    pub decoded: Option<Box<Decoded>>,
}

/// A secret found by decoding part of the buffer. Its `Debug` shows the
/// secret's length, never the secret.
#[derive(Clone, PartialEq)]
pub struct Decoded {
    /// The secret as decoded.
    pub secret: Vec<u8>,
    /// The decodings that revealed it, outermost first.
    pub encodings: Vec<Encoding>,
}

impl std::fmt::Debug for Decoded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoded")
            .field("secret_len", &self.secret.len())
            .field("encodings", &self.encodings)
            .finish()
    }
}

impl Match {
    /// The secret's bytes: `data[secret_start..secret_end]`, or the decoded
    /// secret for a match found in decoded text.
    pub fn secret<'a>(&'a self, data: &'a [u8]) -> &'a [u8] {
        match &self.decoded {
            Some(d) => &d.secret,
            None => &data[self.secret_start..self.secret_end],
        }
    }
}

/// Per-thread working memory, reused across buffers.
#[derive(Debug, Default)]
pub struct Scratch {
    /// Per rule: merged windows to verify.
    windows: Vec<Vec<Window>>,
    /// Rules that have at least one window in this buffer.
    touched: Vec<usize>,
    /// Per rule: reusable capture slots.
    locs: Vec<Option<regex::bytes::CaptureLocations>>,
    /// Per rule: disabled for the current path by its path allowlist.
    disabled: Vec<bool>,
    candidates: Vec<Match>,
    /// Keyword hits of the current block.
    hits: Vec<keywords::Hit>,
    /// Bytes handed to rule regexes since the scratch was made.
    verified_bytes: u64,
    /// The last buffer had a keyword hit of a multi-line rule (or a rule
    /// without keywords ran over it).
    spans_lines: bool,
    /// Checking rule N's examples: of the rules limited by `path`, only N
    /// runs (as if the path matched it alone).
    example_of: Option<usize>,
}

impl Scratch {
    /// Total length of the windows verified by rule regexes so far: the
    /// measure of the engine's work beyond the keyword pass.
    pub fn verified_bytes(&self) -> u64 {
        self.verified_bytes
    }

    /// Whether the last buffer scanned could hold a match that crosses a
    /// line: a keyword of a multi-line rule was in it, or a rule without
    /// keywords ran over it. When false, each match lies within one line
    /// and depends on nothing but that line's bytes.
    pub fn spans_lines(&self) -> bool {
        self.spans_lines
    }
}

#[derive(Debug, Clone, Copy)]
struct Window {
    start: usize,
    end: usize,
    /// `end` is at a newline or the end of the buffer: hits inside the window
    /// need no extension.
    closed: bool,
}
