//! Byte offsets to lines and columns, across chunks.

use leaktrap_core::Location;

/// Where the current chunk starts in the whole input, and a cursor within
/// the chunk so that positions asked for in increasing order (as matches
/// come) cost time linear in the chunk, not in the chunk per match.
#[derive(Debug, Default)]
pub(crate) struct LineTracker {
    /// Absolute offset of the chunk's first byte.
    base: u64,
    /// Newlines before the chunk.
    lines_before: u64,
    /// Absolute offset where the line containing the chunk's first byte starts.
    line_start: u64,
    cursor: Cursor,
}

/// A position in the current chunk with its line and column already known.
#[derive(Debug, Clone, Copy)]
struct Cursor {
    at: usize,
    /// Newlines in the chunk before `at`.
    newlines: u64,
    /// 1-based column of `at`.
    column: u64,
}

impl Default for Cursor {
    /// The first byte of an input: line 1, column 1.
    fn default() -> Self {
        Cursor {
            at: 0,
            newlines: 0,
            column: 1,
        }
    }
}

impl LineTracker {
    /// The location of `data[start..end]` (offsets within the current
    /// chunk). Cheapest when asked in increasing order, as matches come.
    pub(crate) fn locate(&mut self, data: &[u8], start: usize, end: usize) -> Location {
        let (start_line, start_column) = self.point_mut(data, start);
        let (end_line, end_column) = self.point_mut(data, end);
        Location {
            start_line,
            start_column,
            end_line,
            end_column,
            byte_start: self.base + start as u64,
            byte_end: self.base + end as u64,
        }
    }

    /// Like [`Self::point`], resuming from the cursor when `at` is at or
    /// after it.
    fn point_mut(&mut self, data: &[u8], at: usize) -> (u64, u64) {
        let c = self.cursor;
        if at < c.at {
            let (line, column) = self.point(data, at);
            self.cursor = Cursor {
                at,
                newlines: line - self.lines_before - 1,
                column,
            };
            return (line, column);
        }
        let span = &data[c.at..at];
        let newlines = memchr::memchr_iter(b'\n', span).count() as u64;
        let column = match memchr::memrchr(b'\n', span) {
            Some(nl) => chars(&span[nl + 1..]) + 1,
            None => c.column + chars(span),
        };
        self.cursor = Cursor {
            at,
            newlines: c.newlines + newlines,
            column,
        };
        (self.lines_before + c.newlines + newlines + 1, column)
    }

    fn point(&self, data: &[u8], at: usize) -> (u64, u64) {
        let before = &data[..at];
        let newlines = memchr::memchr_iter(b'\n', before).count() as u64;
        let line = self.lines_before + newlines + 1;
        let column = match memchr::memrchr(b'\n', before) {
            Some(nl) => chars(&before[nl + 1..]) + 1,
            // The line began in an earlier chunk: that part counts in bytes.
            None => (self.base - self.line_start) + chars(before) + 1,
        };
        (line, column)
    }

    /// The line of the current chunk's first byte.
    pub(crate) fn first_line(&self) -> u64 {
        self.lines_before + 1
    }

    /// Starts a new chunk: the cursor goes back to its first byte.
    pub(crate) fn reset_cursor(&mut self) {
        self.cursor = Cursor {
            at: 0,
            newlines: 0,
            column: self.base - self.line_start + 1,
        };
    }

    /// Moves past `consumed`, the part of a chunk not repeated in the next.
    pub(crate) fn advance(&mut self, consumed: &[u8]) {
        self.lines_before += memchr::memchr_iter(b'\n', consumed).count() as u64;
        if let Some(nl) = memchr::memrchr(b'\n', consumed) {
            self.line_start = self.base + nl as u64 + 1;
        }
        self.base += consumed.len() as u64;
    }
}

/// Characters in `bytes`: UTF-8 code points, each invalid byte counting one.
fn chars(bytes: &[u8]) -> u64 {
    if bytes.is_ascii() {
        return bytes.len() as u64;
    }
    bytes
        .utf8_chunks()
        .map(|c| (c.valid().chars().count() + c.invalid().len()) as u64)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_bytes_count_one_each() {
        assert_eq!(chars(b"ab"), 2);
        assert_eq!(chars("é€".as_bytes()), 2);
        assert_eq!(chars(b"a\xff\xfeb"), 4);
    }

    #[test]
    fn multi_line_span() {
        let mut t = LineTracker::default();
        let data = b"k = -----BEGIN\nabc\nEND-----\n";
        let l = t.locate(data, 4, 27);
        assert_eq!(
            (l.start_line, l.start_column, l.end_line, l.end_column),
            (1, 5, 3, 9)
        );
        // Asked again out of order, the answer is the same.
        let l = t.locate(data, 4, 27);
        assert_eq!(
            (l.start_line, l.start_column, l.end_line, l.end_column),
            (1, 5, 3, 9)
        );
    }
}
