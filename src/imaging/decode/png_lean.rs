//! A PNG file as its decoder should see it: without its text chunks and
//! its ICC profile.
//!
//! The png crate inflates an `iCCP` profile and every `zTXt`/`iTXt` text
//! into memory while reading the header, bounded only by the whole
//! decode's budget: a 16 x 16 PNG whose profile inflates to 1 GB took
//! 546 MB before it was refused. passbooth uses neither (the photo is
//! taken as sRGB, and no text is read), so those chunks are left out of
//! the bytes the decoder reads. Nothing is copied: the reader walks the
//! file's own bytes, skipping the chunks. The `eXIf` chunk stays (it holds
//! the orientation), and so does every chunk the decoder needs.

use std::io::{BufRead, Read, Seek, SeekFrom};

use super::DecodeError;

/// Chunks the decoder would inflate or buffer and passbooth never reads.
const SKIPPED: [&[u8; 4]; 4] = [b"iCCP", b"tEXt", b"zTXt", b"iTXt"];

/// Most skipped chunks in one file: each is a gap the reader walks
/// around, and no real photo has more than a handful.
pub(super) const MAX_SKIPPED: usize = 4096;

/// The file's bytes with its metadata chunks left out, read in place.
pub(super) struct Lean<'a> {
    bytes: &'a [u8],
    /// Runs of the file that are kept, as (start in the file, length), in
    /// order; consecutive kept chunks are one run.
    runs: Vec<(usize, usize)>,
    /// Position in the lean stream.
    pos: u64,
    /// The run last read, and where it starts in the lean stream.
    run: usize,
    run_at: u64,
    len: u64,
}

/// `bytes` (a PNG file) without its metadata chunks. A file cut short or
/// damaged is passed on as it is from there: the decoder says what is
/// wrong with it.
pub(super) fn without_metadata(bytes: &[u8]) -> Result<Lean<'_>, DecodeError> {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut keep = |start: usize, end: usize| match runs.last_mut() {
        Some((s, l)) if *s + *l == start => *l = end - *s,
        _ => runs.push((start, end - start)),
    };
    // The signature, then chunks: length, type, data, CRC.
    let mut at = 8.min(bytes.len());
    keep(0, at);
    let mut skipped = 0;
    while let Some(header) = bytes.get(at..at + 8) {
        let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let end = at.saturating_add(length).saturating_add(12);
        if end > bytes.len() {
            break;
        }
        if SKIPPED.iter().any(|k| k.as_slice() == &header[4..8]) {
            skipped += 1;
            if skipped > MAX_SKIPPED {
                return Err(DecodeError::Corrupt(format!(
                    "the PNG file has over {MAX_SKIPPED} text or profile chunks"
                )));
            }
        } else {
            keep(at, end);
        }
        at = end;
    }
    keep(at, bytes.len());
    let len = runs.iter().map(|&(_, l)| l as u64).sum();
    Ok(Lean {
        bytes,
        runs,
        pos: 0,
        run: 0,
        run_at: 0,
        len,
    })
}

impl BufRead for Lean<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        while let Some(&(at, len)) = self.runs.get(self.run) {
            let into = self.pos - self.run_at;
            if into < len as u64 {
                return Ok(&self.bytes[at + into as usize..at + len]);
            }
            self.run_at += len as u64;
            self.run += 1;
        }
        Ok(&[])
    }

    fn consume(&mut self, amt: usize) {
        self.pos += amt as u64;
    }
}

impl Read for Lean<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl Seek for Lean<'_> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
        }
        .ok_or_else(|| std::io::Error::other("seek before the start of the file"))?;
        // Walk again from the first run (seeks are rare: format probing).
        self.pos = target;
        (self.run, self.run_at) = (0, 0);
        Ok(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend([0xC0, 0xFF, 0xEE, 0x00]);
        out
    }

    fn read_all(mut lean: Lean<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        lean.read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn metadata_chunks_are_left_out_and_the_rest_read_as_it_is() {
        let head = [b"\x89PNG\r\n\x1a\n".to_vec(), chunk(b"IHDR", &[1; 13])].concat();
        let text = chunk(b"tEXt", b"Comment\0hello");
        let icc = chunk(b"iCCP", &[7; 300]);
        let exif = chunk(b"eXIf", b"MM\0\x2a");
        let idat = [chunk(b"IDAT", &[9; 40]), chunk(b"IDAT", &[8; 3])].concat();
        let tail = chunk(b"IEND", b"");
        let file = [&head[..], &text, &icc, &exif, &idat, &text, &tail].concat();
        let want = [&head[..], &exif, &idat, &tail].concat();
        assert_eq!(read_all(without_metadata(&file).unwrap()), want);
        // Seeking back (as format probing does) reads the same bytes again.
        let mut lean = without_metadata(&file).unwrap();
        let mut first = [0; 30];
        lean.read_exact(&mut first).unwrap();
        assert_eq!(lean.seek(SeekFrom::Start(4)).unwrap(), 4);
        assert_eq!(read_all(lean), want[4..]);
    }

    #[test]
    fn a_cut_file_is_passed_on_as_it_is() {
        let file = [
            b"\x89PNG\r\n\x1a\n".to_vec(),
            chunk(b"IHDR", &[1; 13]),
            chunk(b"iCCP", &[7; 30]),
        ]
        .concat();
        // Cut anywhere short of its end, the profile chunk is incomplete:
        // passed on as it is, for the decoder to call truncated.
        for keep in 0..file.len() {
            let cut = &file[..keep];
            assert_eq!(
                read_all(without_metadata(cut).unwrap()),
                cut,
                "cut at {keep}"
            );
        }
        // Whole, it is left out.
        assert_eq!(read_all(without_metadata(&file).unwrap()), file[..33]);
    }

    #[test]
    fn thousands_of_text_chunks_are_refused() {
        let mut file = b"\x89PNG\r\n\x1a\n".to_vec();
        for _ in 0..=MAX_SKIPPED {
            file.extend(chunk(b"tEXt", b"a\0b"));
            file.extend(chunk(b"IDAT", b"x"));
        }
        assert!(without_metadata(&file).is_err());
    }
}
