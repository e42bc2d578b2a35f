//! Seeded generation helpers. Everything the corpus contains is drawn from one
//! `fastrand` generator per split, so the same seed gives the same bytes.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;

pub const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
pub const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
pub const DIGITS: &[u8] = b"0123456789";
pub const HEX: &[u8] = b"0123456789abcdef";
pub const UPPER_HEX: &[u8] = b"0123456789ABCDEF";
pub const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
pub const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
pub const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
pub const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
pub const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
pub const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
pub const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// The corpus generator's random source.
pub struct G(fastrand::Rng);

impl std::fmt::Debug for G {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("G")
    }
}

impl G {
    pub fn new(seed: u64) -> Self {
        G(fastrand::Rng::with_seed(seed))
    }
    pub fn below(&mut self, n: usize) -> usize {
        self.0.usize(..n)
    }
    pub fn range(&mut self, lo: usize, hi_incl: usize) -> usize {
        self.0.usize(lo..=hi_incl)
    }
    pub fn chance(&mut self, percent: u32) -> bool {
        self.0.u32(..100) < percent
    }
    pub fn chars(&mut self, set: &[u8], n: usize) -> String {
        (0..n).map(|_| set[self.below(set.len())] as char).collect()
    }
    pub fn alnum(&mut self, n: usize) -> String {
        self.chars(ALNUM, n)
    }
    pub fn hex(&mut self, n: usize) -> String {
        self.chars(HEX, n)
    }
    pub fn digits(&mut self, n: usize) -> String {
        // No leading zero, so numeric ids look like ids.
        let mut s = self.chars(&DIGITS[1..], 1);
        s.push_str(&self.chars(DIGITS, n - 1));
        s
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.0.u8(..)).collect()
    }
    pub fn b64_bytes(&mut self, n: usize) -> String {
        let b = self.bytes(n);
        STANDARD.encode(b)
    }
    pub fn b64url_bytes(&mut self, n: usize) -> String {
        let b = self.bytes(n);
        URL_SAFE_NO_PAD.encode(b)
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    pub fn uuid(&mut self) -> String {
        let h = self.hex(32);
        let v = self.pick(&["8", "9", "a", "b"]).to_string();
        format!(
            "{}-{}-4{}-{}{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            v,
            &h[17..20],
            &h[20..32]
        )
    }
    pub fn shuffle<T>(&mut self, xs: &mut [T]) {
        self.0.shuffle(xs)
    }
    /// A random password as people pick them for services: mixed classes, 14-28 chars.
    pub fn password(&mut self) -> String {
        let n = self.range(14, 28);
        let mut s = self.chars(ALNUM, n);
        // one or two symbols that are safe in every file kind and in URLs
        for _ in 0..self.range(1, 2) {
            let at = self.below(s.len());
            let c = *self.pick(&['!', '*', '-', '_', '.', '~']);
            s.insert(at, c);
        }
        s
    }
}

pub fn b64(data: &[u8]) -> String {
    STANDARD.encode(data)
}

pub fn b64url(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// `n` encoded as `width` base62 digits, most significant first (GitHub / npm checksums).
pub fn base62_fixed(mut n: u64, width: usize) -> String {
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8(out).unwrap()
}

/// Lower-case hex of arbitrary bytes.
pub fn to_hex(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02x}")).collect()
}

/// Percent-encodes everything outside the unreserved set (RFC 3986).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-encodes only the characters a URL userinfo or query value must escape,
/// plus every non-alphanumeric one with probability, so encoded passwords show `%XX`.
pub fn percent_encode_all_symbols(s: &str) -> String {
    percent_encode(s)
}

/// Bech32 (BIP-173) encoding, used by age secret keys.
pub fn bech32(hrp: &str, data: &[u8]) -> String {
    const CHARSET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    // regroup 8-bit bytes into 5-bit groups
    let mut groups = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in data {
        acc = (acc << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            groups.push(((acc >> bits) & 31) as u8);
        }
    }
    if bits > 0 {
        groups.push(((acc << (5 - bits)) & 31) as u8);
    }
    fn polymod(values: &[u8]) -> u32 {
        const GEN: [u32; 5] = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
        let mut chk = 1u32;
        for &v in values {
            let top = chk >> 25;
            chk = ((chk & 0x1ffffff) << 5) ^ v as u32;
            for (i, g) in GEN.iter().enumerate() {
                if (top >> i) & 1 == 1 {
                    chk ^= g;
                }
            }
        }
        chk
    }
    let mut values: Vec<u8> = hrp.bytes().map(|c| c >> 5).collect();
    values.push(0);
    values.extend(hrp.bytes().map(|c| c & 31));
    values.extend(&groups);
    values.extend([0u8; 6]);
    let pm = polymod(&values) ^ 1;
    let mut out = String::from(hrp);
    out.push('1');
    for g in &groups {
        out.push(CHARSET[*g as usize] as char);
    }
    for i in 0..6 {
        out.push(CHARSET[((pm >> (5 * (5 - i))) & 31) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let (mut a, mut b) = (G::new(7), G::new(7));
        assert_eq!(a.alnum(40), b.alnum(40));
        assert_ne!(G::new(7).alnum(40), G::new(8).alnum(40));
    }

    #[test]
    fn bech32_matches_the_bip173_test_vector() {
        // BIP-173 lists "a12uel5l" as the valid encoding of hrp "a" with no data.
        assert_eq!(bech32("a", &[]), "a12uel5l");
    }

    #[test]
    fn base62_is_fixed_width() {
        assert_eq!(base62_fixed(0, 6), "000000");
        assert_eq!(base62_fixed(61, 2), "0z");
    }
}
