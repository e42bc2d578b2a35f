//! Randomness measures applied to candidate secrets.

/// Shannon entropy in bits per byte.
pub fn shannon_entropy(bytes: &[u8]) -> f32 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let n = bytes.len() as f64;
    let mut h = 0.0f64;
    for &c in counts.iter().filter(|&&c| c > 0) {
        let p = f64::from(c) / n;
        h -= p * p.log2();
    }
    h as f32
}

/// How many of the classes lowercase, uppercase, digit and other occur.
pub fn char_classes(bytes: &[u8]) -> u8 {
    let (mut lo, mut up, mut di, mut ot) = (false, false, false, false);
    for &b in bytes {
        match b {
            b'a'..=b'z' => lo = true,
            b'A'..=b'Z' => up = true,
            b'0'..=b'9' => di = true,
            _ => ot = true,
        }
    }
    u8::from(lo) + u8::from(up) + u8::from(di) + u8::from(ot)
}

/// Whether `bytes` looks made up rather than random: mostly
/// repeated or sequential neighbours (`aaaa`, `0123456789abcdef`,
/// `abcd1234abcd1234`, `zyxw`), or one short unit repeated (`Ab1Ab1Ab1Ab1`).
/// Random tokens have about one such neighbour pair in 30; these strings
/// have more than half. Secrets shorter than 8 bytes are left alone.
pub fn looks_sequential(bytes: &[u8]) -> bool {
    if bytes.len() < 8 {
        return false;
    }
    let pairs = bytes.len() - 1;
    let steady = bytes
        .windows(2)
        .filter(|w| {
            let d = i16::from(w[1]) - i16::from(w[0]);
            (-1..=1).contains(&d)
        })
        .count();
    if steady * 2 > pairs {
        return true;
    }
    // One unit of at most a third of the length, repeated throughout
    // (checked on short secrets only, so the work stays linear).
    bytes.len() <= 256
        && (1..=bytes.len() / 3).any(|p| bytes[p..].iter().zip(bytes).all(|(a, b)| a == b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_bounds() {
        assert_eq!(shannon_entropy(b""), 0.0);
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"ab") - 1.0).abs() < 1e-6);
        assert!((shannon_entropy(b"0123456789abcdef") - 4.0).abs() < 1e-6);
    }

    #[test]
    fn sequential_and_repeated() {
        for fake in [
            &b"aaaaaaaaaaaa"[..],
            b"0123456789abcdef0123456789abcdef",
            b"abcd1234abcd1234",
            b"zyxwvutsrqpo",
            b"Ab1Ab1Ab1Ab1Ab1",
            b"1234567890123456789012345",
            b"ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        ] {
            assert!(looks_sequential(fake), "{}", String::from_utf8_lossy(fake));
        }
        for real in [&b"uGx8a8NW5t2rm0rG"[..], b"k7Qp2vX9Lm", b"ab12cd"] {
            assert!(!looks_sequential(real), "{}", String::from_utf8_lossy(real));
        }
    }

    #[test]
    fn classes() {
        assert_eq!(char_classes(b"abc"), 1);
        assert_eq!(char_classes(b"aB3"), 3);
        assert_eq!(char_classes(b"aB3!"), 4);
    }
}
