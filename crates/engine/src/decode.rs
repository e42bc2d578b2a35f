//! Encoded secrets: finding encoded text, decoding it in place, and mapping
//! positions in the decoded text back to the encoded text.
//!
//! A *segment* is a stretch of the buffer that decodes to printable text:
//! - **base64** (standard or URL-safe alphabet): a run of at least
//!   [`B64_MIN`] alphabet characters, or at least [`B64_MIN_PADDED`] followed
//!   by `=` padding;
//! - **hex**: a run of at least [`HEX_MIN`] hex digits, of even length;
//! - **percent**: a run of URL characters, at least [`PCT_MIN`] long, holding
//!   a `%XX` escape.
//!
//! Random tokens, digests, images and identifiers decode to binary and are
//! left alone, so most buffers have no segment at all.
//!
//! A [`Layer`] is the text the engine scans next: each line holding segments
//! (cut to [`CONTEXT`] bytes either side of them on long lines), with the
//! segments replaced by their decoded text, so that a decoded value keeps its
//! context (`password: <base64>` reads `password: <decoded>`). Each layer
//! maps its positions back to its parent's: exactly outside segments, and to
//! the encoded characters that carry the decoded bytes inside them.

use leaktrap_core::Encoding;

/// Shortest base64 run considered.
pub(crate) const B64_MIN: usize = 16;
/// Shortest base64 run considered when `=` padding follows it.
pub(crate) const B64_MIN_PADDED: usize = 8;
/// Shortest hex run considered.
pub(crate) const HEX_MIN: usize = 32;
/// Shortest percent-encoded run considered.
pub(crate) const PCT_MIN: usize = 6;
/// Bytes of a long line kept either side of a segment as its context.
pub(crate) const CONTEXT: usize = 256;

const fn b64_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_')
}

const fn url_char(b: u8) -> bool {
    b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'`' | b'<' | b'>' | b'\\')
}

const fn table(url: bool) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = if url {
            url_char(i as u8)
        } else {
            b64_char(i as u8)
        };
        i += 1;
    }
    t
}

static B64: [bool; 256] = table(false);
static URL: [bool; 256] = table(true);

/// In the base64 alphabets, standard or URL-safe (no padding)?
#[inline(always)]
fn b64(b: u8) -> bool {
    B64[b as usize]
}

/// Part of a percent-encoded URL or form value?
fn urlish(b: u8) -> bool {
    URL[b as usize]
}

fn printable(text: &[u8]) -> bool {
    text.iter()
        .all(|&b| (0x20..0x7f).contains(&b) || matches!(b, b'\n' | b'\r' | b'\t'))
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// A stretch of the parent buffer and what it decodes to.
pub(crate) struct Segment {
    pub start: usize,
    pub end: usize,
    pub enc: Encoding,
    pub decoded: Vec<u8>,
    /// Percent-encoding: for each decoded byte (and one past the last), its
    /// offset in the encoded text.
    pub offsets: Vec<u32>,
}

fn decode_base64(run: &[u8]) -> Option<Vec<u8>> {
    use base64::alphabet::{STANDARD, URL_SAFE};
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    use base64::Engine as _;
    const CONFIG: GeneralPurposeConfig = GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone);
    const STD: GeneralPurpose = GeneralPurpose::new(&STANDARD, CONFIG);
    const URL: GeneralPurpose = GeneralPurpose::new(&URL_SAFE, CONFIG);
    if run.len() % 4 == 1 {
        return None;
    }
    let std = run.iter().any(|b| matches!(b, b'+' | b'/'));
    let url = run.iter().any(|b| matches!(b, b'-' | b'_'));
    let engine = match (std, url) {
        (true, true) => return None,
        (false, true) => &URL,
        _ => &STD,
    };
    // Most runs are identifiers or random tokens. In the base64 of text,
    // the first character of every 4 carries the top 6 bits of a printable
    // byte (or of a tab or line break): that rules most of them out.
    let text_like = |c: &u8| matches!(c, b'C' | b'D' | b'I'..=b'Z' | b'a'..=b'f');
    if !run.iter().step_by(4).take(8).all(text_like) {
        return None;
    }
    let mut head = [0u8; 12];
    let n = run.len().min(16) / 4 * 4;
    if n < run.len() {
        let got = engine.decode_slice(&run[..n], &mut head).ok()?;
        if !printable(&head[..got]) {
            return None;
        }
    }
    let text = engine.decode(run).ok()?;
    printable(&text).then_some(text)
}

fn decode_hex(run: &[u8]) -> Option<Vec<u8>> {
    // The high digit of a printable byte (or a tab or line break).
    if !run
        .iter()
        .step_by(2)
        .all(|c| matches!(c, b'0' | b'2'..=b'7'))
    {
        return None;
    }
    let text: Vec<u8> = run
        .chunks_exact(2)
        .map(|p| Some(hex_val(p[0])? << 4 | hex_val(p[1])?))
        .collect::<Option<_>>()?;
    printable(&text).then_some(text)
}

/// Decodes every `%XX` of `run`; `None` unless there is one and the result
/// is printable.
fn decode_percent(run: &[u8]) -> Option<(Vec<u8>, Vec<u32>)> {
    let mut text = Vec::with_capacity(run.len());
    let mut offsets = Vec::with_capacity(run.len() + 1);
    let mut escapes = 0;
    let mut i = 0;
    while i < run.len() {
        offsets.push(i as u32);
        if run[i] == b'%' && i + 2 < run.len() {
            if let (Some(h), Some(l)) = (hex_val(run[i + 1]), hex_val(run[i + 2])) {
                text.push(h << 4 | l);
                escapes += 1;
                i += 3;
                continue;
            }
        }
        text.push(run[i]);
        i += 1;
    }
    offsets.push(run.len() as u32);
    (escapes > 0 && printable(&text)).then_some((text, offsets))
}

/// Bit t set when `block[t]` is a base64 character.
fn class_mask64(block: &[u8]) -> u64 {
    debug_assert_eq!(block.len(), 64);
    #[cfg(target_arch = "x86_64")]
    {
        block
            .chunks_exact(16)
            .enumerate()
            .fold(0, |m, (k, c)| m | u64::from(class_mask16(c)) << (16 * k))
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        block
            .iter()
            .enumerate()
            .fold(0, |m, (k, &b)| m | u64::from(b64(b)) << k)
    }
}

/// [`class_mask64`] for 16 bytes, with SSE2 (part of every x86-64 CPU).
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
fn class_mask16(c: &[u8]) -> u16 {
    use std::arch::x86_64::*;
    assert_eq!(c.len(), 16);
    let set = |b: u8| b as i8;
    // SAFETY: SSE2 is part of the x86-64 baseline, so every intrinsic here is
    // available; `c` holds 16 readable bytes, and the load may be unaligned.
    unsafe {
        let v = _mm_loadu_si128(c.as_ptr().cast::<__m128i>());
        // Comparisons are signed: bytes of 0x80 and above are negative, and
        // fail every "greater than" below.
        let within = |x: __m128i, lo: u8, hi: u8| {
            _mm_and_si128(
                _mm_cmpgt_epi8(x, _mm_set1_epi8(set(lo - 1))),
                _mm_cmplt_epi8(x, _mm_set1_epi8(set(hi + 1))),
            )
        };
        let eq = |b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(set(b)));
        // Setting bit 5 maps A-Z onto a-z (and no other byte into a-z).
        let alpha = within(_mm_or_si128(v, _mm_set1_epi8(0x20)), b'a', b'z');
        let digit = within(v, b'0', b'9');
        let sym = _mm_or_si128(
            _mm_or_si128(eq(b'+'), eq(b'/')),
            _mm_or_si128(eq(b'-'), eq(b'_')),
        );
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(alpha, digit), sym)) as u16
    }
}

/// The runs of base64 characters in `data[lo..hi]` worth decoding, as
/// `(start, end, padding)`, in order: at least [`B64_MIN`] long, or at least
/// [`B64_MIN_PADDED`] and ended by `=` padding.
///
/// Source code is mostly made of base64 characters, so this must not look
/// at every byte: it probes the last byte of each [`B64_MIN`]-byte window
/// and reads backwards from it only as far as the first byte that is not
/// base64, then moves the window past that byte. Short padded runs are found
/// from the `=` signs, which `memchr` finds fast.
fn base64_runs(data: &[u8], lo: usize, hi: usize) -> Vec<(usize, usize, usize)> {
    let padding = |e: usize| {
        let mut pad = 0;
        while pad < 2 && e + pad < hi && data[e + pad] == b'=' {
            pad += 1;
        }
        pad
    };
    let mut runs = Vec::new();
    let mut i = lo;
    // 64 bytes at a time: bit t of `y` says that bytes t..t+16 of the block
    // are all base64, so a block finds every long run that starts in its
    // first 49 bytes.
    while i + 64 <= hi {
        let m = class_mask64(&data[i..i + 64]);
        let mut y = m & (m >> 1);
        y &= y >> 2;
        y &= y >> 4;
        y &= y >> 8;
        if y == 0 {
            i += 64 - B64_MIN + 1;
            continue;
        }
        // The lowest such bit starts a run: the byte before it is not
        // base64, or belongs to a block or run already done.
        let s = i + y.trailing_zeros() as usize;
        let j = s + B64_MIN;
        let e = data[j..hi]
            .iter()
            .position(|&b| !b64(b))
            .map_or(hi, |q| j + q);
        runs.push((s, e, padding(e)));
        i = e + 1;
    }
    while i + B64_MIN <= hi {
        let j = i + B64_MIN;
        if let Some(q) = data[i..j].iter().rposition(|&b| !b64(b)) {
            // data[i + q] is not base64: no long run starts before it.
            i += q + 1;
            continue;
        }
        let e = data[j..hi]
            .iter()
            .position(|&b| !b64(b))
            .map_or(hi, |q| j + q);
        runs.push((i, e, padding(e)));
        i = e + 1;
    }
    let long = runs.len();
    let mut last = lo;
    for p in memchr::memchr_iter(b'=', &data[lo..hi]).map(|p| p + lo) {
        if p < last || p == lo || !b64(data[p - 1]) {
            continue;
        }
        let mut s = p - 1;
        while s > lo && p - s < B64_MIN && b64(data[s - 1]) {
            s -= 1;
        }
        let pad = padding(p);
        last = p + pad;
        let whole = s == lo || !b64(data[s - 1]);
        let ends = p + pad >= hi || !b64(data[p + pad]);
        if whole && ends && p - s >= B64_MIN_PADDED && p - s < B64_MIN {
            runs.push((s, p, pad));
        }
    }
    if runs.len() > long {
        runs.sort_unstable();
    }
    runs
}

/// Appends the segments of `data[lo..hi]` to `out`, in order.
pub(crate) fn find_segments(data: &[u8], lo: usize, hi: usize, out: &mut Vec<Segment>) {
    let first = out.len();
    // Percent-encoded runs first: they may contain base64 runs, which the
    // next layer then decodes.
    let mut done = lo;
    for p in memchr::memchr_iter(b'%', &data[lo..hi]).map(|p| p + lo) {
        if p < done
            || p + 2 >= hi
            || hex_val(data[p + 1]).is_none()
            || hex_val(data[p + 2]).is_none()
        {
            continue;
        }
        let mut s = p;
        while s > done && urlish(data[s - 1]) {
            s -= 1;
        }
        let mut e = p + 3;
        while e < hi && urlish(data[e]) {
            e += 1;
        }
        done = e;
        if e - s < PCT_MIN {
            continue;
        }
        if let Some((decoded, offsets)) = decode_percent(&data[s..e]) {
            out.push(Segment {
                start: s,
                end: e,
                enc: Encoding::Percent,
                decoded,
                offsets,
            });
        }
    }
    let pct_end = out.len();
    let mut next_pct = first;
    for (s, e, pad) in base64_runs(data, lo, hi) {
        // Inside a percent-encoded segment: the next layer sees it.
        while next_pct < pct_end && out[next_pct].end <= s {
            next_pct += 1;
        }
        if next_pct < pct_end && out[next_pct].start < e + pad {
            continue;
        }
        let len = e - s;
        let run = &data[s..e];
        let (enc, decoded) =
            if len >= HEX_MIN && len % 2 == 0 && run.iter().all(u8::is_ascii_hexdigit) {
                match decode_hex(run) {
                    Some(d) => (Encoding::Hex, d),
                    None => continue,
                }
            } else {
                match decode_base64(run) {
                    Some(d) => (Encoding::Base64, d),
                    None => continue,
                }
            };
        out.push(Segment {
            start: s,
            end: e + pad,
            enc,
            decoded,
            offsets: Vec::new(),
        });
    }
    out[first..].sort_by_key(|s| s.start);
}

/// A piece of a layer's text and where it comes from in the parent.
struct Piece {
    /// Span in the layer's text.
    start: usize,
    end: usize,
    /// Where it starts in the parent.
    from: usize,
    /// `None`: copied as is. Otherwise the segment (its `decoded` moved
    /// into the layer's text).
    seg: Option<Segment>,
}

/// Decoded text to scan, and how to map its positions back to its parent.
#[derive(Default)]
pub(crate) struct Layer {
    pub text: Vec<u8>,
    pieces: Vec<Piece>,
}

impl Layer {
    /// The layer of `parent`, looking for segments within `regions` (all of
    /// it when `None`). `None` when nothing decodes.
    pub fn build(parent: &[u8], regions: Option<&[(usize, usize)]>) -> Option<Layer> {
        let mut segs = Vec::new();
        match regions {
            None => find_segments(parent, 0, parent.len(), &mut segs),
            Some(rs) => {
                for &(lo, hi) in rs {
                    find_segments(parent, lo, hi, &mut segs);
                }
            }
        }
        if segs.is_empty() {
            return None;
        }
        let mut layer = Layer::default();
        let mut segs = segs.into_iter().peekable();
        // Where the last window ended: windows never overlap.
        let mut done = 0;
        while let Some(seg) = segs.next() {
            // The window: the segment's line, at most CONTEXT bytes either
            // side, extended over every later segment that starts within it.
            let lo = seg.start.saturating_sub(CONTEXT);
            let ws = memchr::memrchr(b'\n', &parent[lo..seg.start])
                .map_or(lo, |p| lo + p + 1)
                .max(done);
            let mut pos = ws;
            let mut seg = seg;
            loop {
                layer.copy(parent, pos, seg.start);
                pos = seg.end;
                let start = layer.text.len();
                layer.text.extend_from_slice(&seg.decoded);
                let end = layer.text.len();
                layer.pieces.push(Piece {
                    start,
                    end,
                    from: seg.start,
                    seg: Some(seg),
                });
                let hi = (pos + CONTEXT).min(parent.len());
                let we = memchr::memchr(b'\n', &parent[pos..hi]).map_or(hi, |p| pos + p);
                match segs.peek() {
                    Some(n) if n.start < we && n.start >= pos => seg = segs.next().expect("peeked"),
                    _ => {
                        layer.copy(parent, pos, we);
                        done = we;
                        // A line break of its own, mapped to the window's end.
                        let start = layer.text.len();
                        layer.text.push(b'\n');
                        layer.pieces.push(Piece {
                            start,
                            end: start + 1,
                            from: we,
                            seg: None,
                        });
                        break;
                    }
                }
            }
        }
        Some(layer)
    }

    fn copy(&mut self, parent: &[u8], from: usize, to: usize) {
        if to > from {
            let start = self.text.len();
            self.text.extend_from_slice(&parent[from..to]);
            self.pieces.push(Piece {
                start,
                end: self.text.len(),
                from,
                seg: None,
            });
        }
    }

    /// The spans of decoded text in this layer, where the next layer looks.
    pub fn decoded_regions(&self) -> Vec<(usize, usize)> {
        self.pieces
            .iter()
            .filter(|p| p.seg.is_some())
            .map(|p| (p.start, p.end))
            .collect()
    }

    /// The decoded piece `[start, end)` overlaps first, if any.
    pub fn decoded_at(&self, start: usize, end: usize) -> Option<Encoding> {
        let i = self.pieces.partition_point(|p| p.end <= start);
        self.pieces[i..]
            .iter()
            .take_while(|p| p.start < end.max(start + 1))
            .find_map(|p| p.seg.as_ref().map(|s| s.enc))
    }

    /// Maps a position of this layer's text to the parent: a start position
    /// to the first encoded character that carries it, an end position
    /// (`end = true`, exclusive) to one past the last.
    pub fn map(&self, pos: usize, end: bool) -> usize {
        let i = if end {
            self.pieces.partition_point(|p| p.end < pos)
        } else {
            self.pieces.partition_point(|p| p.end <= pos)
        };
        let Some(p) = self.pieces.get(i) else {
            return self.pieces.last().map_or(0, |p| p.from + (p.end - p.start));
        };
        let d = pos.saturating_sub(p.start);
        let Some(seg) = &p.seg else {
            return p.from + d;
        };
        let off = match seg.enc {
            // Decoded byte k is bits 8k..8k+8 of the stream; character i
            // carries bits 6i..6i+6.
            Encoding::Base64 if end => {
                if d == 0 {
                    0
                } else {
                    (8 * d - 1) / 6 + 1
                }
            }
            Encoding::Base64 => 8 * d / 6,
            Encoding::Hex => 2 * d,
            Encoding::Percent => seg
                .offsets
                .get(d)
                .map_or(seg.end - seg.start, |&o| o as usize),
        };
        (p.from + off).min(seg.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn enc(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    fn segs(text: &str) -> Vec<(String, Encoding, String)> {
        let mut out = Vec::new();
        find_segments(text.as_bytes(), 0, text.len(), &mut out);
        out.into_iter()
            .map(|s| {
                (
                    text[s.start..s.end].to_string(),
                    s.enc,
                    String::from_utf8(s.decoded).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn finds_each_encoding_and_leaves_binary_alone() {
        let enc = enc("user:correct horse battery");
        let text = format!(
            "auth: {enc}\nhex = 68656c6c6f2c20776f726c642c2068657820746578740a\n\
             url=https%3A%2F%2Fexample.test%2Fhook%3Fa%3Db\n\
             sha = 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n\
             id = someVeryLongIdentifierNameForAThing\nshort %2F x\n"
        );
        let found = segs(&text);
        assert_eq!(
            found,
            vec![
                (
                    enc.clone(),
                    Encoding::Base64,
                    "user:correct horse battery".into()
                ),
                (
                    "68656c6c6f2c20776f726c642c2068657820746578740a".into(),
                    Encoding::Hex,
                    "hello, world, hex text\n".into()
                ),
                (
                    "url=https%3A%2F%2Fexample.test%2Fhook%3Fa%3Db".into(),
                    Encoding::Percent,
                    "url=https://example.test/hook?a=b".into()
                ),
            ]
        );
    }

    #[test]
    fn the_block_mask_agrees_with_the_table_for_every_byte() {
        for first in (0..=255u8).step_by(64) {
            let block: Vec<u8> = (first..=first.wrapping_add(63)).collect();
            let want = block
                .iter()
                .enumerate()
                .fold(0u64, |m, (k, &b)| m | u64::from(b64(b)) << k);
            assert_eq!(class_mask64(&block), want, "bytes from {first}");
        }
    }

    #[test]
    fn long_runs_are_found_wherever_they_sit_in_a_block() {
        let run = enc("a value long enough to span blocks, decoded");
        for pad in 0..140 {
            let text = format!(
                "{}{run} {}",
                "=;".repeat(pad / 2) + &".".repeat(pad % 2),
                ".".repeat(70)
            );
            let got = base64_runs(text.as_bytes(), 0, text.len());
            let s = text.find(&run).unwrap();
            assert_eq!(
                got,
                vec![(
                    s,
                    s + run.trim_end_matches('=').len(),
                    run.len() - run.trim_end_matches('=').len()
                )],
                "offset {pad}"
            );
        }
    }

    #[test]
    fn short_padded_base64_counts_and_short_unpadded_does_not() {
        assert_eq!(segs(&format!("p: {}", enc("hunter2!")))[0].2, "hunter2!");
        assert!(segs("p: aHVudGVyMg").is_empty());
    }

    #[test]
    fn layer_keeps_context_and_maps_back_to_the_encoded_text() {
        // Made up at run time: no secret-looking literal in the source.
        let secret = &["s3cr3t", "Value", "1234"].join("-");
        let enc = enc(secret);
        let text = format!("first\n  password: {enc}  # note\nlast\n");
        let layer = Layer::build(text.as_bytes(), None).unwrap();
        let t = String::from_utf8(layer.text.clone()).unwrap();
        assert_eq!(t, format!("  password: {secret}  # note\n"));
        let s = t.find(secret).unwrap();
        let (ms, me) = (layer.map(s, false), layer.map(s + secret.len(), true));
        assert_eq!(&text[ms..me], enc.trim_end_matches('='));
        // Part of the secret maps to the characters that carry it.
        let (ps, pe) = (layer.map(s + 3, false), layer.map(s + 6, true));
        assert_eq!(&text[ps..pe], &enc[4..8]);
        // Context maps exactly.
        let p = t.find("password").unwrap();
        assert_eq!(
            &text[layer.map(p, false)..layer.map(p + 8, true)],
            "password"
        );
        assert_eq!(layer.decoded_at(s, s + 1), Some(Encoding::Base64));
        assert_eq!(layer.decoded_at(p, p + 8), None);
    }

    #[test]
    fn long_lines_keep_bounded_context_and_segments_share_a_window() {
        let a = enc("first decoded value");
        let b = enc("second decoded value");
        let filler = "x".repeat(1000);
        let text = format!("{filler} {a} . {b} {filler}\n");
        let layer = Layer::build(text.as_bytes(), None).unwrap();
        let t = String::from_utf8(layer.text.clone()).unwrap();
        assert!(
            t.contains("first decoded value . second decoded value"),
            "{t}"
        );
        assert_eq!(
            t.len(),
            CONTEXT * 2 + "first decoded value . second decoded value\n".len()
        );
        assert_eq!(layer.decoded_regions().len(), 2);
    }

    #[test]
    fn percent_offsets_map_through_escapes() {
        let text = "q=a%2Fb%2Fsecretvalue";
        let layer = Layer::build(text.as_bytes(), None).unwrap();
        let t = String::from_utf8(layer.text.clone()).unwrap();
        assert_eq!(t, "q=a/b/secretvalue\n");
        let s = t.find("b/s").unwrap();
        assert_eq!(&text[layer.map(s, false)..layer.map(s + 3, true)], "b%2Fs");
    }
}
