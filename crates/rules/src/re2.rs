//! Go RE2 (`regexp/syntax`) patterns rewritten for Rust's `regex` crate.
//!
//! Gitleaks configs are written for Go's regexp. Most of the syntax is the
//! same; the differences that change whether a pattern compiles or what it
//! matches are rewritten here (see `rules/README.md`, "Gitleaks configs"):
//!
//! - `{` that does not start a repetition (`{n}`, `{n,}`, `{n,m}`) is a
//!   literal in Go and an error in Rust: escaped. A lone `}` is escaped too.
//! - `\<` and `\>` are literal `<` and `>` in Go, word boundaries in Rust.
//! - `\w \d \s \b` (and their negations) are ASCII in Go: written out as
//!   ASCII classes, so the result means the same whatever Unicode mode it is
//!   compiled in. Go's `\s` is `[\t\n\f\r ]` (no `\v`).
//! - Octal escapes (`\0`, `\012`, `\123`) become `\x{..}`.
//! - `\Q…\E` quoting is expanded into escaped literals.
//! - `\C` (any byte) becomes `(?-u:[\x00-\xFF])`.
//! - Inside a class, Go reads `[`, `&`, `~` literally, and a `-` that cannot
//!   form a range (after `\w`, or after a range) too; Rust reads them as
//!   nested classes and set operations. Class items are re-emitted escaped.
//!
//! The result starts with `(?-mR)`: in Go `^` and `$` match at the ends of
//! the text unless `(?m)` says otherwise, and `.` matches `\r`.
//!
//! Anything else Go rejects (backreferences, lookaround) is left for the
//! Rust compiler to reject, with its message.

/// Translates a Go RE2 pattern. The error says what is wrong and where.
///
/// # Errors
/// A construct with no Rust equivalent, or a pattern that is malformed in
/// a way the translator notices (an unterminated class or escape).
pub fn translate(pattern: &str) -> Result<String, String> {
    let mut t = Translator {
        src: pattern.chars().collect(),
        pos: 0,
        out: String::with_capacity(pattern.len() + 16),
        unicode: false,
    };
    t.run()?;
    let prefix = if t.unicode { "(?u-mR)" } else { "(?-mR)" };
    Ok(format!("{prefix}{}", t.out))
}

struct Translator {
    src: Vec<char>,
    pos: usize,
    out: String,
    /// The pattern uses `\p{..}`: compile it with Unicode on.
    unicode: bool,
}

const WORD: &str = "0-9A-Za-z_";
const DIGIT: &str = "0-9";
const SPACE: &str = "\\t\\n\\x0C\\r ";

/// One item of a bracketed class.
enum Item {
    Char(char),
    /// Already in Rust class syntax, e.g. `0-9A-Za-z_` or `[^0-9]` or `\pL`.
    Raw(String),
}

impl Translator {
    fn peek(&self, k: usize) -> Option<char> {
        self.src.get(self.pos + k).copied()
    }

    fn run(&mut self) -> Result<(), String> {
        while let Some(c) = self.peek(0) {
            match c {
                '\\' => self.escape_outside()?,
                '[' => self.class()?,
                '{' => {
                    if let Some(len) = self.repetition_len() {
                        let rep: String = self.src[self.pos..self.pos + len].iter().collect();
                        self.out.push_str(&rep);
                        self.pos += len;
                    } else {
                        self.out.push_str("\\{");
                        self.pos += 1;
                    }
                }
                '}' => {
                    self.out.push_str("\\}");
                    self.pos += 1;
                }
                _ => {
                    self.out.push(c);
                    self.pos += 1;
                }
            }
        }
        Ok(())
    }

    /// The length of a valid `{n}`, `{n,}` or `{n,m}` at `pos`, if any.
    fn repetition_len(&self) -> Option<usize> {
        let rest = &self.src[self.pos..];
        let mut i = 1;
        let digits = |i: &mut usize| {
            let s = *i;
            while rest.get(*i).is_some_and(char::is_ascii_digit) {
                *i += 1;
            }
            *i > s
        };
        if !digits(&mut i) {
            return None;
        }
        if rest.get(i) == Some(&',') {
            i += 1;
            digits(&mut i);
        }
        (rest.get(i) == Some(&'}')).then_some(i + 1)
    }

    fn escape_outside(&mut self) -> Result<(), String> {
        let at = self.pos;
        let Some(c) = self.peek(1) else {
            return Err(format!("trailing backslash at offset {at}"));
        };
        self.pos += 2;
        match c {
            'd' => self.out.push_str(&format!("[{DIGIT}]")),
            'D' => self.out.push_str(&format!("[^{DIGIT}]")),
            'w' => self.out.push_str(&format!("[{WORD}]")),
            'W' => self.out.push_str(&format!("[^{WORD}]")),
            's' => self.out.push_str(&format!("[{SPACE}]")),
            'S' => self.out.push_str(&format!("[^{SPACE}]")),
            'b' => self.out.push_str("(?-u:\\b)"),
            'B' => self.out.push_str("(?-u:\\B)"),
            'A' | 'z' => {
                self.out.push('\\');
                self.out.push(c);
            }
            'C' => self.out.push_str("(?-u:[\\x00-\\xFF])"),
            'Q' => {
                // Everything up to `\E` (or the end) is literal.
                while let Some(q) = self.peek(0) {
                    if q == '\\' && self.peek(1) == Some('E') {
                        self.pos += 2;
                        break;
                    }
                    push_literal(&mut self.out, q);
                    self.pos += 1;
                }
            }
            'E' => {} // a stray `\E` is ignored by Go
            'p' | 'P' => {
                let class = self.unicode_class(c)?;
                self.out.push_str(&class);
            }
            _ => {
                let ch = self.escaped_char(c, at)?;
                push_literal(&mut self.out, ch);
            }
        }
        Ok(())
    }

    /// `\p{Name}` or `\pL`, with the `\p` already consumed.
    fn unicode_class(&mut self, c: char) -> Result<String, String> {
        self.unicode = true;
        let mut s = format!("\\{c}");
        match self.peek(0) {
            Some('{') => {
                while let Some(x) = self.peek(0) {
                    s.push(x);
                    self.pos += 1;
                    if x == '}' {
                        return Ok(s);
                    }
                }
                Err("unterminated \\p{...} class".into())
            }
            Some(x) => {
                s.push(x);
                self.pos += 1;
                Ok(s)
            }
            None => Err("\\p at the end of the pattern".into()),
        }
    }

    /// The character an escape (other than classes) stands for; `c` is the
    /// character after the backslash, already consumed.
    fn escaped_char(&mut self, c: char, at: usize) -> Result<char, String> {
        Ok(match c {
            'a' => '\x07',
            'f' => '\x0C',
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            'v' => '\x0B',
            'x' => self.hex(at)?,
            '0'..='7' => {
                // Go: `\0` and `\0NN`, or `\NN`/`\NNN` with at least two
                // octal digits; a lone `\1`..`\7` is a backreference.
                let mut v = c.to_digit(8).unwrap_or(0);
                let mut n = 1;
                while n < 3 && self.peek(0).is_some_and(|d| d.is_digit(8)) {
                    v = v * 8 + self.peek(0).and_then(|d| d.to_digit(8)).unwrap_or(0);
                    self.pos += 1;
                    n += 1;
                }
                if c != '0' && n == 1 {
                    return Err(format!(
                        "backreference \\{c} at offset {at} (not supported by RE2 either)"
                    ));
                }
                char::from_u32(v).unwrap_or('\u{FFFD}')
            }
            c if c.is_ascii() && !c.is_ascii_alphanumeric() => c,
            c => {
                return Err(format!(
                    "unsupported escape \\{c} at offset {at} (not valid RE2 either)"
                ))
            }
        })
    }

    /// `\xHH` or `\x{H...}`, with `\x` consumed.
    fn hex(&mut self, at: usize) -> Result<char, String> {
        let mut digits = String::new();
        if self.peek(0) == Some('{') {
            self.pos += 1;
            loop {
                match self.peek(0) {
                    Some('}') => {
                        self.pos += 1;
                        break;
                    }
                    Some(d) if d.is_ascii_hexdigit() => {
                        digits.push(d);
                        self.pos += 1;
                    }
                    _ => return Err(format!("bad \\x{{...}} escape at offset {at}")),
                }
            }
        } else {
            for _ in 0..2 {
                match self.peek(0) {
                    Some(d) if d.is_ascii_hexdigit() => {
                        digits.push(d);
                        self.pos += 1;
                    }
                    _ => return Err(format!("bad \\x escape at offset {at}")),
                }
            }
        }
        u32::from_str_radix(&digits, 16)
            .ok()
            .and_then(char::from_u32)
            .ok_or_else(|| format!("bad \\x escape at offset {at}"))
    }

    /// A bracketed class, from `[` to its `]`, re-emitted item by item.
    fn class(&mut self) -> Result<(), String> {
        let at = self.pos;
        self.pos += 1;
        let mut out = String::from("[");
        if self.peek(0) == Some('^') {
            out.push('^');
            self.pos += 1;
        }
        let mut first = true;
        loop {
            let Some(c) = self.peek(0) else {
                return Err(format!("unterminated character class at offset {at}"));
            };
            if c == ']' && !first {
                self.pos += 1;
                break;
            }
            first = false;
            // POSIX class `[:alpha:]` (ASCII in both dialects).
            if c == '[' && self.peek(1) == Some(':') {
                if let Some(len) = self.posix_len() {
                    let s: String = self.src[self.pos..self.pos + len].iter().collect();
                    out.push_str(&s);
                    self.pos += len;
                    continue;
                }
            }
            let lo = self.class_item()?;
            let Item::Char(lo) = lo else {
                if let Item::Raw(r) = lo {
                    out.push_str(&r);
                }
                continue;
            };
            // A range `lo-hi`, unless the `-` is followed by `]`.
            if self.peek(0) == Some('-') && self.peek(1).is_some_and(|n| n != ']') {
                let save = self.pos;
                self.pos += 1;
                match self.class_item()? {
                    Item::Char(hi) => {
                        if hi < lo {
                            return Err(format!("bad character class range at offset {at}"));
                        }
                        push_class_char(&mut out, lo);
                        out.push('-');
                        push_class_char(&mut out, hi);
                        continue;
                    }
                    Item::Raw(_) => {
                        // `a-\w`: Go rejects it as a bad range.
                        self.pos = save;
                        return Err(format!("bad character class range at offset {at}"));
                    }
                }
            }
            push_class_char(&mut out, lo);
        }
        out.push(']');
        self.out.push_str(&out);
        Ok(())
    }

    fn posix_len(&self) -> Option<usize> {
        let rest = &self.src[self.pos..];
        let end = rest.windows(2).position(|w| w == [':', ']'])?;
        let name: String = rest[2..end].iter().collect();
        let name = name.strip_prefix('^').unwrap_or(&name);
        let known = [
            "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print",
            "punct", "space", "upper", "word", "xdigit",
        ];
        known.contains(&name).then_some(end + 2)
    }

    /// One character (or class escape) inside a class.
    fn class_item(&mut self) -> Result<Item, String> {
        let at = self.pos;
        let Some(c) = self.peek(0) else {
            return Err(format!("unterminated character class at offset {at}"));
        };
        self.pos += 1;
        if c != '\\' {
            return Ok(Item::Char(c));
        }
        let Some(e) = self.peek(0) else {
            return Err(format!("trailing backslash at offset {at}"));
        };
        self.pos += 1;
        Ok(match e {
            'd' => Item::Raw(DIGIT.into()),
            'w' => Item::Raw(WORD.into()),
            's' => Item::Raw(SPACE.into()),
            'D' => Item::Raw(format!("[^{DIGIT}]")),
            'W' => Item::Raw(format!("[^{WORD}]")),
            'S' => Item::Raw(format!("[^{SPACE}]")),
            'p' | 'P' => Item::Raw(self.unicode_class(e)?),
            _ => Item::Char(self.escaped_char(e, at)?),
        })
    }
}

/// Appends `c` as a literal outside a class.
fn push_literal(out: &mut String, c: char) {
    if "\\.+*?()|[]{}^$#&-~".contains(c) {
        out.push('\\');
        out.push(c);
    } else if c.is_control() {
        out.push_str(&format!("\\x{{{:X}}}", c as u32));
    } else {
        out.push(c);
    }
}

/// Appends `c` as a literal inside a class.
fn push_class_char(out: &mut String, c: char) {
    if "\\[]^-&~".contains(c) {
        out.push('\\');
        out.push(c);
    } else if c.is_control() || c == ' ' {
        out.push_str(&format!("\\x{{{:X}}}", c as u32));
    } else {
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::translate;

    fn t(p: &str) -> String {
        translate(p)
            .unwrap_or_else(|e| panic!("{p}: {e}"))
            .trim_start_matches("(?-mR)")
            .to_string()
    }

    /// Compiles the translation the way the engine compiles rule patterns.
    fn re(p: &str) -> regex::bytes::Regex {
        regex::bytes::RegexBuilder::new(&translate(p).unwrap())
            .unicode(false)
            .multi_line(true)
            .crlf(true)
            .build()
            .unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    #[test]
    fn literal_braces_are_escaped_and_repetitions_kept() {
        assert_eq!(t("{abc}"), "\\{abc\\}");
        assert_eq!(t("a{2}b{3,}c{4,5}"), "a{2}b{3,}c{4,5}");
        assert_eq!(t("x{,3}"), "x\\{,3\\}");
        assert_eq!(t("a{2"), "a\\{2");
        assert!(re("import[ \\t]+{").is_match(b"import {"));
        assert!(re("(?:\\d+|{\\d+})").is_match(b"{12}"));
        assert!(re("{{x}}").is_match(b"{{x}}"));
        assert!(re("a{2}").is_match(b"aa"));
        assert!(!re("^a{2}$").is_match(b"a"));
    }

    #[test]
    fn angle_escapes_are_literal_not_word_boundaries() {
        assert_eq!(t("\\<tag\\>"), "<tag>");
        assert!(re("\\<b\\>").is_match(b"<b>"));
        assert!(!re("\\<b\\>").is_match(b"b"));
    }

    #[test]
    fn perl_classes_are_ascii() {
        assert_eq!(t("\\w\\d"), "[0-9A-Za-z_][0-9]");
        let r = re("^\\w+$");
        assert!(r.is_match(b"abc_09"));
        assert!(!r.is_match("é".as_bytes()));
        // Go's \s has no \v.
        assert!(re("a\\sb").is_match(b"a\tb"));
        assert!(!re("a\\sb").is_match(b"a\x0Bb"));
        assert!(re("\\bkey\\b").is_match(b"a key."));
        assert!(!re("\\bkey\\b").is_match(b"akey"));
        // ASCII word boundary even when Unicode classes force Unicode mode.
        let u = translate("\\bk\\pL").unwrap();
        assert!(u.starts_with("(?u-mR)"), "{u}");
        let r = regex::bytes::Regex::new(&u).unwrap();
        assert!(r.is_match("éké".as_bytes()));
    }

    #[test]
    fn classes_with_go_literals() {
        // `-` after a class escape is literal in Go.
        let r = re("^[\\w-.]+$");
        assert!(r.is_match(b"a-b.c"));
        assert!(!r.is_match(b"a/b"));
        // `[` and `&&`, `~~`, `--` are literals.
        let r = re("^[[&~-]+$");
        assert!(r.is_match(b"[&&~~--"));
        assert!(re("[a-c-e]").is_match(b"-"));
        assert!(!re("^[a-c-e]$").is_match(b"d"));
        assert!(re("^[[:alpha:]]+$").is_match(b"abc"));
        assert!(re("^[]a]+$").is_match(b"]a"));
        assert!(re("^[^\\d\\s]+$").is_match(b"ab"));
        assert!(!re("^[^\\d\\s]+$").is_match(b"a1"));
        assert!(re("^[\\W]$").is_match(b"-"));
        assert!(!re("^[\\W]$").is_match(b"a"));
        assert!(translate("[z-a]").is_err());
        assert!(translate("[abc").is_err());
    }

    #[test]
    fn octal_quote_and_any_byte() {
        assert_eq!(t("\\101\\0"), "A\\x{0}");
        assert!(re("\\101\\060").is_match(b"A0"));
        assert!(re("\\12").is_match(b"\n"));
        assert!(translate("(a)\\1").is_err());
        assert_eq!(t("\\Qa.b*\\E+"), "a\\.b\\*+");
        assert!(re("\\Q{x}\\E").is_match(b"{x}"));
        assert!(!re("^\\Qa.b\\E$").is_match(b"axb"));
        assert!(re("^a\\Cb$").is_match(b"a\xFFb"));
    }

    #[test]
    fn flags_and_anchors_keep_go_meaning() {
        // `(?i)` and named groups pass through.
        assert!(re("(?i)token").is_match(b"TOKEN"));
        let r = re("(?P<k>a)(?<v>b)");
        assert_eq!(r.capture_names().flatten().count(), 2);
        // `^`/`$` match at the ends of the text only, unless (?m).
        assert!(!re("^b").is_match(b"a\nb"));
        assert!(re("(?m)^b").is_match(b"a\nb"));
        assert!(!re("a$").is_match(b"a\nb"));
        // `.` matches `\r` (CRLF mode off).
        assert!(re("a.b").is_match(b"a\rb"));
        assert!(re("\\x41\\x{42}\\.").is_match(b"AB."));
        assert!(re("\\@\\:").is_match(b"@:"));
    }

    #[test]
    fn rejected_constructs_error_without_panicking() {
        for p in ["\\", "\\p", "\\xZZ", "\\k", "[", "\\p{L"] {
            assert!(translate(p).is_err(), "{p}");
        }
        // Lookaround passes translation and is rejected by the compiler.
        let x = translate("(?=a)").unwrap();
        assert!(regex::bytes::Regex::new(&x).is_err());
    }
}
