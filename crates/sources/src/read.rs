//! Reading content in bounded chunks.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Files up to this size are read whole into a reused buffer.
pub const WHOLE_FILE_LIMIT: u64 = 8 << 20;
/// Larger inputs are scanned in chunks of this size...
pub const CHUNK_SIZE: usize = 8 << 20;
/// ...each repeating the last bytes of the previous one, so a secret that
/// straddles a chunk boundary is seen whole. Longer than any rule's match.
pub const CHUNK_OVERLAP: usize = 64 << 10;

/// Bytes to look at for a NUL when deciding whether content is binary.
const BINARY_PROBE: usize = 8 << 10;

/// A piece of an input. `offset` is the position of `data[0]` in the whole
/// input; a chunk after the first starts with the last [`CHUNK_OVERLAP`] bytes
/// of the one before.
#[derive(Debug)]
pub struct Chunk<'a> {
    pub data: &'a [u8],
    pub offset: u64,
    pub last: bool,
}

/// What reading a file found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileContent {
    /// Text, handed over in chunks; this many bytes in all.
    Text(u64),
    /// A NUL byte near the start: not scanned.
    Binary,
}

/// Whether content looks binary: a NUL byte in its first 8 KiB, as git and
/// ripgrep decide.
pub fn is_binary(head: &[u8]) -> bool {
    memchr::memchr(0, &head[..head.len().min(BINARY_PROBE)]).is_some()
}

/// Reads a file and hands its content to `f`: whole when small (into `buf`,
/// reused between calls), otherwise in memory-mapped chunks so that memory
/// stays bounded whatever the file's size. `size` is the size the caller
/// already knows (from the directory walk), saving a `stat`; a file that
/// grew since is still read to its end.
///
/// # Errors
/// Opening, reading or mapping failed; the caller names the file.
pub fn read_file(
    path: &Path,
    size: Option<u64>,
    buf: &mut Vec<u8>,
    mut f: impl FnMut(Chunk<'_>),
) -> io::Result<FileContent> {
    let mut file = File::open(path)?;
    let size = match size {
        Some(s) => s,
        None => file.metadata()?.len(),
    };
    if size <= WHOLE_FILE_LIMIT {
        let n = read_whole(&mut file, size as usize, buf)?;
        let data = &buf[..n];
        if is_binary(data) {
            return Ok(FileContent::Binary);
        }
        f(Chunk {
            data,
            offset: 0,
            last: true,
        });
        return Ok(FileContent::Text(n as u64));
    }
    let mut offset = 0u64;
    loop {
        let len = (size - offset).min(CHUNK_SIZE as u64) as usize;
        let map = map_window(&file, offset, len)?;
        if offset == 0 && is_binary(&map) {
            return Ok(FileContent::Binary);
        }
        let last = offset + len as u64 >= size;
        f(Chunk {
            data: &map,
            offset,
            last,
        });
        if last {
            return Ok(FileContent::Text(size));
        }
        offset += (len - CHUNK_OVERLAP) as u64;
    }
}

/// Reads `file` to its end into `buf`, returning the number of bytes; the
/// content is `buf[..n]`. `buf` is a pool: it only grows and is never
/// cleared, so nothing is zeroed twice; `expected + 1` bytes of room let
/// the usual case finish in two `read` calls (the data, then end of file)
/// with no `stat` or `seek` (which `File::read_to_end` adds for its hint).
fn read_whole(file: &mut File, expected: usize, buf: &mut Vec<u8>) -> io::Result<usize> {
    if buf.len() < expected + 1 {
        buf.resize(expected + 1, 0);
    }
    let mut n = 0;
    loop {
        if n == buf.len() {
            let grow = buf.len().max(8192);
            buf.resize(buf.len() + grow, 0);
        }
        match file.read(&mut buf[n..]) {
            Ok(0) => return Ok(n),
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Maps `len` bytes of `file` from `offset`, read-only.
#[allow(unsafe_code)]
fn map_window(file: &File, offset: u64, len: usize) -> io::Result<memmap2::Mmap> {
    // SAFETY: the map is read-only and dropped before this function's caller
    // returns. If another process truncates or rewrites the file while it is
    // mapped, reads may see the new bytes or fault (SIGBUS), the same
    // trade-off ripgrep makes; we map only files above WHOLE_FILE_LIMIT, one
    // window at a time, so that memory stays bounded.
    unsafe {
        memmap2::MmapOptions::new()
            .offset(offset)
            .len(len)
            .map(file)
    }
}

/// Reads a stream (stdin) in chunks with overlap, handing each to `f`.
/// Content is scanned whatever it looks like: the user piped it in.
///
/// # Errors
/// A read error.
pub fn read_stream(
    mut r: impl Read,
    buf: &mut Vec<u8>,
    mut f: impl FnMut(Chunk<'_>),
) -> io::Result<u64> {
    buf.clear();
    let mut offset = 0u64;
    let mut total = 0u64;
    loop {
        // Fill up to CHUNK_SIZE or EOF.
        let mut eof = false;
        while buf.len() < CHUNK_SIZE {
            let start = buf.len();
            buf.resize(CHUNK_SIZE, 0);
            match r.read(&mut buf[start..]) {
                Ok(0) => {
                    buf.truncate(start);
                    eof = true;
                    break;
                }
                Ok(n) => {
                    buf.truncate(start + n);
                    total += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => buf.truncate(start),
                Err(e) => return Err(e),
            }
        }
        f(Chunk {
            data: buf,
            offset,
            last: eof,
        });
        if eof {
            return Ok(total);
        }
        let keep_from = buf.len() - CHUNK_OVERLAP;
        buf.drain(..keep_from);
        offset += keep_from as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_chunks_overlap_and_cover_everything() {
        let n = CHUNK_SIZE * 2 + 12345;
        let data: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
        let mut buf = Vec::new();
        let mut chunks = Vec::new();
        let total = read_stream(&data[..], &mut buf, |c| {
            assert_eq!(
                c.data,
                &data[c.offset as usize..c.offset as usize + c.data.len()]
            );
            chunks.push((c.offset, c.data.len(), c.last));
        })
        .unwrap();
        assert_eq!(total, n as u64);
        assert!(chunks.len() >= 3);
        assert!(chunks.last().unwrap().2);
        for w in chunks.windows(2) {
            assert_eq!(w[0].0 + w[0].1 as u64 - CHUNK_OVERLAP as u64, w[1].0);
        }
        let (o, l, _) = *chunks.last().unwrap();
        assert_eq!(o + l as u64, n as u64);
    }

    #[test]
    fn large_file_is_mapped_in_windows() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.txt");
        let n = (WHOLE_FILE_LIMIT as usize) + CHUNK_SIZE + 7;
        std::fs::write(&p, vec![b'a'; n]).unwrap();
        let mut buf = Vec::new();
        let mut max = 0;
        let mut end = 0;
        let got = read_file(&p, None, &mut buf, |c| {
            max = max.max(c.data.len());
            end = c.offset + c.data.len() as u64;
        })
        .unwrap();
        assert_eq!(got, FileContent::Text(n as u64));
        assert!(max <= CHUNK_SIZE);
        assert_eq!(end, n as u64);
        assert!(
            buf.capacity() < 1 << 20,
            "large files must not be read into the buffer"
        );
    }

    #[test]
    fn binary_detection() {
        assert!(is_binary(b"abc\0def"));
        assert!(!is_binary(b"plain text\n"));
    }
}
