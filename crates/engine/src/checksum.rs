//! Named checksum validators.

/// Validators by name, as rule files spell them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Checksum {
    /// GitHub (`ghp_` …) and npm (`npm_`) tokens: after the last `_`, a payload
    /// and then 6 characters holding the CRC32 of the payload in base62.
    Crc32Base62,
    /// GitLab routable tokens (`glpat-…`, `glrt-t1_…`): the last 7 characters
    /// are the CRC32 (IEEE) of everything before them, prefix included, in
    /// base36 (`0-9a-z`), left-padded with `0`. A token without a `.` is of
    /// the older, unroutable form, which carries no checksum, and passes.
    GitlabRoutable,
    /// Grafana service account tokens (`glsa_<32>_<8 hex>`): the part after
    /// the last `_` is the CRC32 (IEEE) of everything before that `_`, its
    /// four bytes little-endian, in lowercase hex.
    Crc32HexLe,
    /// Sentry organization tokens (`sntrys_<payload>_<secret>`): exactly two
    /// `_`, and the payload is base64 of a JSON object with an `"iat"` field.
    SentryOrgToken,
}

impl Checksum {
    pub(crate) fn from_name(name: &str) -> Option<Checksum> {
        match name {
            "crc32-base62" => Some(Checksum::Crc32Base62),
            "gitlab-routable" => Some(Checksum::GitlabRoutable),
            "crc32-hex-le" => Some(Checksum::Crc32HexLe),
            "sentry-org-token" => Some(Checksum::SentryOrgToken),
            _ => None,
        }
    }

    pub(crate) fn verify(self, secret: &[u8]) -> bool {
        match self {
            Checksum::Crc32Base62 => crc32_base62(secret),
            Checksum::GitlabRoutable => gitlab_routable(secret),
            Checksum::Crc32HexLe => crc32_hex_le(secret),
            Checksum::SentryOrgToken => sentry_org_token(secret),
        }
    }
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Encodes `n` in base62, left-padded with `0` to 6 characters.
pub(crate) fn base62_6(mut n: u32) -> [u8; 6] {
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out
}

fn crc32_base62(secret: &[u8]) -> bool {
    let tail = match memchr::memrchr(b'_', secret) {
        Some(i) => &secret[i + 1..],
        None => secret,
    };
    if tail.len() < 7 {
        return false;
    }
    let (payload, check) = tail.split_at(tail.len() - 6);
    base62_6(crc32fast::hash(payload)) == check
}

/// Encodes `n` in lowercase base36, left-padded with `0` to 7 characters
/// (`u32::MAX` is `1z141z3`, 7 digits).
pub(crate) fn base36_7(mut n: u32) -> [u8; 7] {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = [b'0'; 7];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[(n % 36) as usize];
        n /= 36;
    }
    out
}

fn gitlab_routable(secret: &[u8]) -> bool {
    if memchr::memchr(b'.', secret).is_none() {
        return true;
    }
    if secret.len() < 8 {
        return false;
    }
    let (body, check) = secret.split_at(secret.len() - 7);
    base36_7(crc32fast::hash(body)) == check
}

/// The CRC32 of `body`, its bytes little-endian, as 8 lowercase hex digits.
pub(crate) fn crc32_hex_le_of(body: &[u8]) -> [u8; 8] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 8];
    for (i, b) in crc32fast::hash(body).to_le_bytes().iter().enumerate() {
        out[2 * i] = HEX[usize::from(b >> 4)];
        out[2 * i + 1] = HEX[usize::from(b & 0xf)];
    }
    out
}

fn crc32_hex_le(secret: &[u8]) -> bool {
    let Some(i) = memchr::memrchr(b'_', secret) else {
        return false;
    };
    crc32_hex_le_of(&secret[..i]) == secret[i + 1..]
}

fn sentry_org_token(secret: &[u8]) -> bool {
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    use base64::Engine as _;
    let Some(body) = secret.strip_prefix(b"sntrys_") else {
        return false;
    };
    let mut parts = body.split(|&b| b == b'_');
    let (Some(payload), Some(_), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let payload = payload
        .iter()
        .rposition(|&b| b != b'=')
        .map_or(&payload[..0], |end| &payload[..=end]);
    let Ok(json) = STANDARD_NO_PAD
        .decode(payload)
        .or_else(|_| URL_SAFE_NO_PAD.decode(payload))
    else {
        return false;
    };
    let json = json.trim_ascii();
    json.first() == Some(&b'{')
        && json.last() == Some(&b'}')
        && memchr::memmem::find(json, b"\"iat\"").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(prefix: &str, payload: &str) -> String {
        let c = base62_6(crc32fast::hash(payload.as_bytes()));
        format!("{prefix}{payload}{}", std::str::from_utf8(&c).unwrap())
    }

    #[test]
    fn valid_and_invalid_checksums() {
        let t = token("ghp_", "abcdefghijklmnopqrstuvwxyz0123");
        assert_eq!(t.len(), 40);
        assert!(Checksum::Crc32Base62.verify(t.as_bytes()));
        let mut bad = t.into_bytes();
        let last = bad.len() - 1;
        bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
        assert!(!Checksum::Crc32Base62.verify(&bad));
        assert!(!Checksum::Crc32Base62.verify(b"ghp_short"));
    }

    #[test]
    fn gitlab_routable_tokens() {
        // Assembled here so the source holds no whole token.
        let prefix = ["gl", "pat-"].concat();
        let body = format!("{prefix}AbCdEfGhIjKlMnOpQrStUvWxYz0.01.0r");
        let good = format!(
            "{body}{}",
            std::str::from_utf8(&base36_7(crc32fast::hash(body.as_bytes()))).unwrap()
        );
        assert!(Checksum::GitlabRoutable.verify(good.as_bytes()));
        let mut bad = good.clone().into_bytes();
        let last = bad.len() - 1;
        bad[last] = if bad[last] == b'a' { b'b' } else { b'a' };
        assert!(!Checksum::GitlabRoutable.verify(&bad));
        // The older form has no `.` and no checksum.
        let legacy = format!("{prefix}AbCdEfGhIjKlMnOpQrSt");
        assert!(Checksum::GitlabRoutable.verify(legacy.as_bytes()));
        assert_eq!(&base36_7(0), b"0000000");
        assert_eq!(&base36_7(u32::MAX), b"1z141z3");
    }

    #[test]
    fn crc32_hex_le_tokens() {
        let body = "glsa_AbCdEfGhIjKlMnOpQrStUvWxYz012345";
        let good = format!(
            "{body}_{}",
            std::str::from_utf8(&crc32_hex_le_of(body.as_bytes())).unwrap()
        );
        assert!(Checksum::Crc32HexLe.verify(good.as_bytes()));
        let bad = format!("{body}_00000000");
        assert!(!Checksum::Crc32HexLe.verify(bad.as_bytes()));
        assert!(!Checksum::Crc32HexLe.verify(b"no-underscore"));
    }

    #[test]
    fn sentry_org_token_structure() {
        use base64::Engine as _;
        let payload = base64::engine::general_purpose::STANDARD
            .encode(r#"{"iat": 1.5, "url": "https://sentry.invalid", "org": "o"}"#);
        let good = format!("sntrys_{payload}_{}", "Q".repeat(43));
        assert!(Checksum::SentryOrgToken.verify(good.as_bytes()));
        let no_iat = base64::engine::general_purpose::STANDARD.encode(r#"{"url": "x"}"#);
        let bad = format!("sntrys_{no_iat}_{}", "Q".repeat(43));
        assert!(!Checksum::SentryOrgToken.verify(bad.as_bytes()));
        let three = format!("sntrys_{payload}_{}_x", "Q".repeat(43));
        assert!(!Checksum::SentryOrgToken.verify(three.as_bytes()));
    }

    #[test]
    fn base62_pads_and_orders_digits_first() {
        assert_eq!(&base62_6(0), b"000000");
        assert_eq!(&base62_6(61), b"00000z");
        assert_eq!(&base62_6(62), b"000010");
        assert_eq!(&base62_6(u32::MAX), b"4gfFC3");
    }
}
