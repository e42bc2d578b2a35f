//! A secret value that cannot be printed by accident.

use std::fmt;

/// How a secret is shown in output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Redaction {
    /// A short prefix and the length: `ghp_…(40 chars)`. Never the whole value.
    #[default]
    Mask,
    /// Hide this percentage of the value (Gitleaks' `--redact=N`), counted in
    /// characters: the first `round(len * (100 - N) / 100)` characters are kept
    /// and `...` is appended. 100 shows `REDACTED`.
    Percent(u8),
    /// Show the value in full. Only ever set by an explicit user flag.
    Reveal,
}

/// The bytes of a secret. `Debug` and `Display` are masked; the raw value is
/// only reachable through [`Secret::expose`], a greppable call.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(Box<[u8]>);

impl Secret {
    pub fn new(bytes: &[u8]) -> Self {
        Secret(bytes.into())
    }

    /// The raw bytes. Every call site must be a deliberate reveal, a hash, or
    /// a comparison; never a path to output without a [`Redaction`] decision.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Length in characters (code points; invalid UTF-8 bytes count one each).
    pub fn char_len(&self) -> usize {
        char_count(&self.0)
    }

    /// The secret as shown under `policy`.
    pub fn render(&self, policy: Redaction) -> String {
        let text = String::from_utf8_lossy(&self.0);
        let chars: Vec<char> = text.chars().collect();
        let n = chars.len();
        match policy {
            Redaction::Reveal => text.into_owned(),
            Redaction::Mask => {
                // Show at most 4 characters and never more than a fifth of the
                // value, so short passwords show nothing useful.
                let keep = (n / 5).min(4);
                let prefix: String = chars[..keep].iter().collect();
                format!("{prefix}…({n} chars)")
            }
            Redaction::Percent(p) => {
                let p = p.min(100) as usize;
                if p == 100 {
                    return "REDACTED".to_string();
                }
                let keep = round_half_even(n * (100 - p), 100);
                // Never reveal the whole value through rounding.
                let keep = keep.min(n.saturating_sub(1));
                let prefix: String = chars[..keep].iter().collect();
                format!("{prefix}...")
            }
        }
    }
}

fn round_half_even(num: usize, den: usize) -> usize {
    let q = num / den;
    let r = num % den;
    match (2 * r).cmp(&den) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q % 2),
    }
}

/// Counts code points; bytes that are not valid UTF-8 count one each.
pub(crate) fn char_count(bytes: &[u8]) -> usize {
    String::from_utf8_lossy(bytes).chars().count()
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.render(Redaction::Mask))
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Redaction::Mask))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_shows_at_most_a_short_prefix() {
        let s = Secret::new(b"ghp_aaaaaaaaaabbbbbbbbbbccccccccccdddddd");
        assert_eq!(s.render(Redaction::Mask), "ghp_…(40 chars)");
        assert_eq!(format!("{s}"), "ghp_…(40 chars)");
        assert_eq!(format!("{s:?}"), "Secret(ghp_…(40 chars))");
        let short = Secret::new(b"hunter2!");
        assert_eq!(short.render(Redaction::Mask), "h…(8 chars)");
        let tiny = Secret::new(b"abc");
        assert_eq!(tiny.render(Redaction::Mask), "…(3 chars)");
    }

    #[test]
    fn percent_follows_gitleaks_rounding_on_char_boundaries() {
        let s = Secret::new(b"ABCDQWERTYUIOPASDFGH");
        assert_eq!(s.render(Redaction::Percent(50)), "ABCDQWERTY...");
        assert_eq!(s.render(Redaction::Percent(20)), "ABCDQWERTYUIOPAS...");
        assert_eq!(s.render(Redaction::Percent(100)), "REDACTED");
        assert_eq!(s.render(Redaction::Percent(0)), "ABCDQWERTYUIOPASDFG...");
        let u = Secret::new("пароль-секрет".as_bytes());
        assert_eq!(u.render(Redaction::Percent(50)), "пароль...");
    }

    #[test]
    fn reveal_is_explicit() {
        let s = Secret::new(b"value");
        assert_eq!(s.render(Redaction::Reveal), "value");
        assert_eq!(s.expose(), b"value");
    }
}
