//! Fingerprints that let a code-scanning service recognise the same finding
//! from one run to the next.
//!
//! - [`line_hashes`]: the value GitHub's SARIF upload (codeql-action,
//!   `fingerprints.ts`) would compute for `partialFingerprints.primaryLocationLineHash`
//!   if it were absent. Supplying it ourselves, over the content the secret
//!   was actually found in, keeps alerts stable when the checkout differs
//!   from what was scanned (a staged blob, a commit in history).
//! - [`secret_fingerprint`]: leaktrap's own location-independent key for a
//!   secret under a rule; [`Fingerprinter`] gives it its prefixed form
//!   (`sha256:…`), or a keyed one (`hmac-sha256:…`) when a key is set.

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// How many characters after a line's start its hash covers.
const SPAN: usize = 100;
/// The polynomial base of the rolling hash.
const BASE: u64 = 37;
/// Stands for the end of the input: one past the last character.
const END: u32 = 0xFFFF;

/// `BASE^SPAN` modulo 2^64: the weight a character has when it leaves the span.
const fn base_pow_span() -> u64 {
    let mut p: u64 = 1;
    let mut i = 0;
    while i < SPAN {
        p = p.wrapping_mul(BASE);
        i += 1;
    }
    p
}

/// Computes GitHub's line hash for every line of `content`, in order, and
/// calls `each(line, hash)` with the 1-based line number and the value as the
/// upload action writes it (`<hex>:<n>`, where `n` counts how many lines of
/// this file so far had the same hex value).
///
/// The scheme, as the upload action defines it:
/// - the content is decoded as UTF-8 (invalid bytes become U+FFFD) and read as
///   UTF-16 code units;
/// - spaces and tabs are skipped everywhere; CR, LF and CRLF all end a line
///   (a CR counts as LF, and an LF right after a CR is skipped);
/// - a line starts at its first character that is not skipped (for an empty
///   line, its line break); after the last character comes one end marker
///   (0xFFFF), which starts a line of its own when the content is empty or
///   ends with a line break;
/// - a line's hash is the polynomial `sum(c[i] * 37^(99-i))` modulo 2^64 over
///   the 100 characters that start at the line's start, counting the end marker
///   and then zeros past the end; it is written in lowercase hex without
///   leading zeros.
pub fn line_hashes(content: &[u8], mut each: impl FnMut(u64, &str)) {
    let text = String::from_utf8_lossy(content);
    let mut h = LineHasher::new();
    let mut emit = |line: u64, hash: u64, counts: &mut HashMap<u64, u32>| {
        let n = counts.entry(hash).or_insert(0);
        *n += 1;
        each(line, &format!("{hash:x}:{n}"));
    };
    for unit in text.encode_utf16() {
        h.feed(u32::from(unit), &mut emit);
    }
    h.feed(END, &mut emit);
    h.drain(&mut emit);
}

/// The rolling state: the last [`SPAN`] characters and, for each, the line
/// that starts at it (0 if none).
struct LineHasher {
    window: [u32; SPAN],
    starts: [u64; SPAN],
    slot: usize,
    hash: u64,
    line: u64,
    at_line_start: bool,
    after_cr: bool,
    counts: HashMap<u64, u32>,
}

impl LineHasher {
    fn new() -> Self {
        LineHasher {
            window: [0; SPAN],
            starts: [0; SPAN],
            slot: 0,
            hash: 0,
            line: 0,
            at_line_start: true,
            after_cr: false,
            counts: HashMap::new(),
        }
    }

    fn feed(&mut self, unit: u32, emit: &mut impl FnMut(u64, u64, &mut HashMap<u64, u32>)) {
        const TAB: u32 = b'\t' as u32;
        const SPACE: u32 = b' ' as u32;
        const LF: u32 = b'\n' as u32;
        const CR: u32 = b'\r' as u32;
        if unit == SPACE || unit == TAB || (self.after_cr && unit == LF) {
            self.after_cr = false;
            return;
        }
        self.after_cr = unit == CR;
        let c = if unit == CR { LF } else { unit };
        self.emit_if_due(emit);
        if self.at_line_start {
            self.at_line_start = false;
            self.line += 1;
            self.starts[self.slot] = self.line;
        }
        if c == LF {
            self.at_line_start = true;
        }
        self.push(c);
    }

    /// After the end marker: pads with zeros until every line seen has had
    /// its full span.
    fn drain(&mut self, emit: &mut impl FnMut(u64, u64, &mut HashMap<u64, u32>)) {
        for _ in 0..SPAN {
            self.emit_if_due(emit);
            self.push(0);
        }
    }

    /// The slot about to be overwritten holds the oldest character of the
    /// window: if a line starts there, the window is exactly that line's span.
    fn emit_if_due(&mut self, emit: &mut impl FnMut(u64, u64, &mut HashMap<u64, u32>)) {
        let line = std::mem::take(&mut self.starts[self.slot]);
        if line != 0 {
            emit(line, self.hash, &mut self.counts);
        }
    }

    fn push(&mut self, c: u32) {
        let leaving = std::mem::replace(&mut self.window[self.slot], c);
        self.hash = self
            .hash
            .wrapping_mul(BASE)
            .wrapping_add(u64::from(c))
            .wrapping_sub(base_pow_span().wrapping_mul(u64::from(leaving)));
        self.slot = (self.slot + 1) % SPAN;
    }
}

/// leaktrap's content fingerprint of a secret under a rule, `leaktrap/v1`:
/// the lowercase hex SHA-256 of `"leaktrap/v1" NUL rule-id NUL secret`.
///
/// It does not depend on where the secret is, so it survives moved lines and
/// renamed files. It is an *unkeyed* hash: anyone holding a report can test
/// a guess of the secret against it, and a short or low-entropy secret (a
/// password) can be recovered by brute force. Treat reports as confidential.
pub fn secret_fingerprint(rule_id: &str, secret: &leaktrap_core::Secret) -> String {
    let mut h = Sha256::new();
    h.update(b"leaktrap/v1\0");
    h.update(rule_id.as_bytes());
    h.update(b"\0");
    // Hashed, never shown.
    h.update(secret.expose());
    hex(&h.finalize())
}

/// HMAC-SHA-256 with a secret key.
type HmacSha256 = hmac::Hmac<Sha256>;

/// Computes the fingerprints reports and baselines carry: keyed
/// (`hmac-sha256:` + hex of HMAC-SHA-256 over `rule-id NUL secret`) when a
/// key is set, otherwise the unkeyed [`secret_fingerprint`] as `sha256:` + hex.
/// The prefix says which kind a value is, so values of different kinds never
/// compare equal by accident.
#[derive(Clone, Default)]
pub struct Fingerprinter {
    key: Option<Vec<u8>>,
}

impl std::fmt::Debug for Fingerprinter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key itself.
        f.debug_struct("Fingerprinter")
            .field("kind", &self.kind())
            .finish()
    }
}

impl Fingerprinter {
    /// Without a key: `sha256:` fingerprints.
    pub fn unkeyed() -> Self {
        Fingerprinter { key: None }
    }

    /// With a key: `hmac-sha256:` fingerprints. An empty key is no key.
    pub fn keyed(key: &[u8]) -> Self {
        Fingerprinter {
            key: (!key.is_empty()).then(|| key.to_vec()),
        }
    }

    /// The prefix of the values this fingerprinter makes, without the colon.
    pub fn kind(&self) -> &'static str {
        if self.key.is_some() {
            "hmac-sha256"
        } else {
            "sha256"
        }
    }

    /// The fingerprint of `secret` under `rule_id`: `<kind>:<64 hex digits>`.
    pub fn fingerprint(&self, rule_id: &str, secret: &leaktrap_core::Secret) -> String {
        match &self.key {
            None => format!("sha256:{}", secret_fingerprint(rule_id, secret)),
            Some(key) => {
                // HMAC takes a key of any length.
                let Ok(mut m) = <HmacSha256 as KeyInit>::new_from_slice(key) else {
                    unreachable!("HMAC accepts keys of every length")
                };
                m.update(rule_id.as_bytes());
                m.update(b"\0");
                // Hashed, never shown.
                m.update(secret.expose());
                format!("hmac-sha256:{}", hex(&m.finalize().into_bytes()))
            }
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(content: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut expect = 1;
        line_hashes(content.as_bytes(), |line, h| {
            assert_eq!(line, expect, "lines come in order");
            expect += 1;
            out.push(h.to_string());
        });
        out
    }

    /// The definition, computed directly rather than by rolling: normalise
    /// the text into characters with line starts, then sum each span.
    fn reference(content: &str) -> Vec<String> {
        let mut chars: Vec<u64> = Vec::new();
        let mut starts = Vec::new();
        let mut at_start = true;
        let mut after_cr = false;
        let units: Vec<u32> = content.encode_utf16().map(u32::from).chain([END]).collect();
        for u in units {
            if u == 0x20 || u == 0x09 || (after_cr && u == 0x0A) {
                after_cr = false;
                continue;
            }
            after_cr = u == 0x0D;
            let c = if u == 0x0D { 0x0A } else { u };
            if at_start {
                starts.push(chars.len());
                at_start = false;
            }
            if c == 0x0A {
                at_start = true;
            }
            chars.push(u64::from(c));
        }
        let mut counts: HashMap<u64, u32> = HashMap::new();
        starts
            .into_iter()
            .map(|s| {
                let mut h: u64 = 0;
                for k in 0..SPAN {
                    let c = chars.get(s + k).copied().unwrap_or(0);
                    h = h.wrapping_mul(BASE).wrapping_add(c);
                }
                let n = counts.entry(h).or_insert(0);
                *n += 1;
                format!("{h:x}:{n}")
            })
            .collect()
    }

    #[test]
    fn empty_content_is_one_line_holding_the_end_marker() {
        // 0xFFFF * 37^99 mod 2^64, worked out by hand from the definition.
        let mut w: u64 = 0xFFFF;
        for _ in 0..99 {
            w = w.wrapping_mul(37);
        }
        assert_eq!(format!("{w:x}:1"), "c129715d7a2bc9a3:1");
        assert_eq!(all(""), ["c129715d7a2bc9a3:1"]);
    }

    #[test]
    fn a_one_character_file() {
        // 'a' then the end marker then 98 zeros.
        let mut w: u64 = 97;
        w = w.wrapping_mul(37).wrapping_add(0xFFFF);
        for _ in 0..98 {
            w = w.wrapping_mul(37);
        }
        assert_eq!(all("a"), [format!("{w:x}:1")]);
    }

    #[test]
    fn rolling_agrees_with_the_definition() {
        let long_line = "x".repeat(250);
        let cases = [
            "a\nb\nc",
            "  indented\n\tand tabbed\n",
            "windows\r\nline\r\nends\r\n",
            "old mac\rends\r",
            "mixed\r\n\n\r \nlast",
            "cr then space \r \n keeps the LF",
            &long_line,
            "same\nsame\nsame\nsame\n",
            "naïve café = \"ключ\"\n😀 astral\n",
            "\n\n\n",
        ];
        for c in cases {
            assert_eq!(all(c), reference(c), "{c:?}");
        }
    }

    #[test]
    fn line_breaks_are_normalised_and_blanks_ignored() {
        let lf = all("key = 1\nother = 2\n");
        assert_eq!(lf, all("key = 1\r\nother = 2\r\n"));
        assert_eq!(lf, all("key = 1\rother = 2\r"));
        assert_eq!(lf, all("key=1\n  other\t=2\n"));
        assert_eq!(lf.len(), 3, "the end marker after the last break is a line");
    }

    #[test]
    fn repeated_lines_are_numbered() {
        // Ten equal lines: the first lines see the same 100 characters (the
        // span reaches over the next lines), so they share a hash and are
        // told apart by the counter; near the end the spans differ.
        let hashes = all(&"Lorem ipsum dolor sit amet.\n".repeat(10));
        assert_eq!(hashes.len(), 11);
        let first = hashes[0].split(':').next().unwrap().to_string();
        for (i, h) in hashes.iter().take(6).enumerate() {
            assert_eq!(*h, format!("{first}:{}", i + 1));
        }
        assert!(!hashes[6].starts_with(&first));
    }

    #[test]
    fn published_values_of_the_upload_action() {
        // Values from the upload action's own test suite, as a cross-check
        // that we read the definition the same way.
        assert_eq!(
            all(" a\nb\n  \t\tc\n d"),
            [
                "271789c17abda88f:1",
                "54703d4cd895b18:1",
                "180aee12dab6264:1",
                "a23a3dc5e078b07b:1"
            ]
        );
        let expected = [
            "e9496ae3ebfced30:1",
            "fb7c023a8b9ccb3f:1",
            "ce8ba1a563dcdaca:1",
            "e20e36e16fcb0cc8:1",
            "b3edc88f2938467e:1",
            "c8e28b0b4002a3a0:1",
            "c129715d7a2bc9a3:1",
        ];
        assert_eq!(
            all(" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n"),
            expected
        );
        assert_eq!(
            all(" hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n"),
            expected
        );
        let lorem = all(&"Lorem ipsum dolor sit amet.\n".repeat(10));
        assert_eq!(lorem[0], "a7f2ff13bc495cf2:1");
        assert_eq!(lorem[6], "a7f2ff1481e87703:1");
        assert_eq!(lorem[10], "c129715d7a2bc9a3:1");
    }

    #[test]
    fn non_ascii_counts_utf16_units_and_bad_bytes_are_replacement_characters() {
        // An astral character is two UTF-16 units.
        let mut w: u64 = 0xD83D;
        w = w.wrapping_mul(37).wrapping_add(0xDE00);
        w = w.wrapping_mul(37).wrapping_add(0xFFFF);
        for _ in 0..97 {
            w = w.wrapping_mul(37);
        }
        assert_eq!(all("😀"), [format!("{w:x}:1")]);
        let mut got = Vec::new();
        line_hashes(b"\xff", |_, h| got.push(h.to_string()));
        assert_eq!(got, all("\u{FFFD}"));
    }

    #[test]
    fn keyed_fingerprints_are_hmac_sha256_and_depend_on_the_key() {
        use leaktrap_core::Secret;
        let s = Secret::new(b"abc");
        let unkeyed = Fingerprinter::unkeyed().fingerprint("x.rule", &s);
        assert_eq!(
            unkeyed,
            format!("sha256:{}", secret_fingerprint("x.rule", &s))
        );
        let k1 = Fingerprinter::keyed(b"key one").fingerprint("x.rule", &s);
        let k2 = Fingerprinter::keyed(b"key two").fingerprint("x.rule", &s);
        assert!(
            k1.starts_with("hmac-sha256:") && k1.len() == 12 + 64,
            "{k1}"
        );
        assert_ne!(k1, k2);
        assert_ne!(k1[12..], unkeyed[7..]);
        assert_eq!(Fingerprinter::keyed(b"").kind(), "sha256");
        assert!(!format!("{:?}", Fingerprinter::keyed(b"key one")).contains("key one"));
        // RFC 4231 test case 2, to show this is plain HMAC-SHA-256.
        let mut m = <HmacSha256 as KeyInit>::new_from_slice(b"Jefe").unwrap();
        m.update(b"what do ya want for nothing?");
        assert_eq!(
            hex(&m.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // The exact preimage.
        let mut m = <HmacSha256 as KeyInit>::new_from_slice(b"key one").unwrap();
        m.update(b"x.rule\0abc");
        assert_eq!(
            k1,
            format!("hmac-sha256:{}", hex(&m.finalize().into_bytes()))
        );
    }

    #[test]
    fn secret_fingerprint_is_domain_separated_sha256() {
        use leaktrap_core::Secret;
        let s = Secret::new(b"abc");
        let f = secret_fingerprint("x.rule", &s);
        assert_eq!(f.len(), 64);
        assert_eq!(f, secret_fingerprint("x.rule", &Secret::new(b"abc")));
        assert_ne!(f, secret_fingerprint("x.rul", &Secret::new(b"eabc")));
        assert_ne!(f, secret_fingerprint("y.rule", &s));
        // The exact preimage, and the hex encoding against FIPS 180-2's
        // "abc" test vector.
        assert_eq!(f, hex(&Sha256::digest(b"leaktrap/v1\0x.rule\0abc")));
        assert_eq!(
            hex(&Sha256::digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
