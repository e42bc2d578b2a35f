//! Named checksum validators.

/// Validators by name, as rule files spell them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Checksum {
    /// GitHub (`ghp_` …) and npm (`npm_`) tokens: after the last `_`, a payload
    /// and then 6 characters holding the CRC32 of the payload in base62.
    Crc32Base62,
}

impl Checksum {
    pub(crate) fn from_name(name: &str) -> Option<Checksum> {
        match name {
            "crc32-base62" => Some(Checksum::Crc32Base62),
            _ => None,
        }
    }

    pub(crate) fn verify(self, secret: &[u8]) -> bool {
        match self {
            Checksum::Crc32Base62 => crc32_base62(secret),
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
    fn base62_pads_and_orders_digits_first() {
        assert_eq!(&base62_6(0), b"000000");
        assert_eq!(&base62_6(61), b"00000z");
        assert_eq!(&base62_6(62), b"000010");
        assert_eq!(&base62_6(u32::MAX), b"4gfFC3");
    }
}
