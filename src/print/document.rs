//! The bytes sent to a printer, made in memory (never a temporary file), in
//! the format the printer takes.

use std::fmt::Write as _;

use super::media::Media;
use crate::imaging::encode::{EncodeError, Format, encode};
use crate::imaging::{RgbImage, SecretBuf};

/// Document formats we can produce, in order of preference: a JPEG keeps the
/// printer's own scaling out of it when the printer honours its dpi; a PDF
/// fixes the physical page size for printers that do not take JPEG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocFormat {
    /// image/jpeg with a JFIF density.
    Jpeg,
    /// application/pdf, one page of the media's size holding the JPEG.
    Pdf,
}

impl DocFormat {
    /// Preference order.
    pub const PREFERRED: [DocFormat; 2] = [DocFormat::Jpeg, DocFormat::Pdf];

    /// The MIME type IPP uses.
    pub fn mime(self) -> &'static str {
        match self {
            DocFormat::Jpeg => "image/jpeg",
            DocFormat::Pdf => "application/pdf",
        }
    }

    /// The first format of ours that `supported` (a printer's
    /// document-format-supported) lists.
    pub fn choose(supported: &[String]) -> Option<DocFormat> {
        Self::PREFERRED
            .into_iter()
            .find(|f| supported.iter().any(|s| s == f.mime()))
    }
}

/// A print-ready document.
#[derive(Debug)]
pub struct Document {
    /// Its bytes (a face, so owned by a SecretBuf).
    pub bytes: SecretBuf<u8>,
}

/// Encodes `sheet` (already at `dpi`, the size of `media`) as `format`.
pub fn make(
    sheet: &RgbImage,
    media: &Media,
    dpi: u32,
    format: DocFormat,
) -> Result<Document, EncodeError> {
    let jpeg = encode(sheet, Format::Jpeg, dpi as u16)?;
    let bytes = match format {
        DocFormat::Jpeg => jpeg,
        DocFormat::Pdf => pdf_with_jpeg(&jpeg, sheet.width(), sheet.height(), media),
    };
    Ok(Document { bytes })
}

/// A one-page PDF of the media's size (in points) showing the JPEG edge to
/// edge. Written by hand: five objects and a cross-reference table.
fn pdf_with_jpeg(jpeg: &[u8], w_px: u32, h_px: u32, media: &Media) -> SecretBuf<u8> {
    let pt = |mm: f64| mm / 25.4 * 72.0;
    let (pw, ph) = (pt(media.width_mm), pt(media.height_mm));
    let mut out: Vec<u8> = Vec::with_capacity(jpeg.len() + 1024);
    let mut offsets = Vec::with_capacity(5);
    out.extend_from_slice(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n");
    let mut obj = |out: &mut Vec<u8>, body: &[u8]| {
        offsets.push(out.len());
        let _ = writeln!(Head(out), "{} 0 obj", offsets.len());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    obj(&mut out, b"<< /Type /Catalog /Pages 2 0 R >>");
    obj(&mut out, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    let page = format!(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw:.3} {ph:.3}] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>"
    );
    obj(&mut out, page.as_bytes());
    let mut image = format!(
        "<< /Type /XObject /Subtype /Image /Width {w_px} /Height {h_px} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>\nstream\n",
        jpeg.len()
    )
    .into_bytes();
    image.extend_from_slice(jpeg);
    image.extend_from_slice(b"\nendstream");
    obj(&mut out, &image);
    // The sheet's JPEG (faces) is zeroed before it is freed; zeroize's
    // writes are volatile, so the compiler cannot drop them as dead stores.
    zeroize::Zeroize::zeroize(&mut image);
    let content = format!("q {pw:.3} 0 0 {ph:.3} 0 0 cm /Im0 Do Q");
    let stream = format!(
        "<< /Length {} >>\nstream\n{content}\nendstream",
        content.len()
    );
    obj(&mut out, stream.as_bytes());
    let xref = out.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1);
    for o in &offsets {
        let _ = writeln!(tail, "{o:010} 00000 n ");
    }
    let _ = write!(
        tail,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        offsets.len() + 1
    );
    out.extend_from_slice(tail.as_bytes());
    SecretBuf::from_vec(out)
}

/// `write!` into a byte vector.
struct Head<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Head<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_is_preferred_then_pdf() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            DocFormat::choose(&s(&["application/pdf", "image/jpeg"])),
            Some(DocFormat::Jpeg)
        );
        assert_eq!(
            DocFormat::choose(&s(&["application/pdf", "image/urf"])),
            Some(DocFormat::Pdf)
        );
        assert_eq!(DocFormat::choose(&s(&["image/urf"])), None);
    }

    #[test]
    fn pdf_has_the_page_size_and_a_valid_cross_reference() {
        let sheet = RgbImage::black(120, 180);
        let media = Media::parse("4x6").unwrap();
        let doc = make(&sheet, &media, 30, DocFormat::Pdf).unwrap();
        let bytes: &[u8] = &doc.bytes;
        let text = String::from_utf8_lossy(bytes).to_string();
        assert!(bytes.starts_with(b"%PDF-1.4"));
        assert!(
            text.contains("/MediaBox [0 0 288.000 432.000]"),
            "4 x 6 in = 288 x 432 pt"
        );
        assert!(text.contains("/Width 120 /Height 180"));
        // every xref offset points at its object (offsets are in bytes)
        let find = |pat: &[u8]| bytes.windows(pat.len()).rposition(|w| w == pat).unwrap();
        let xref = find(b"xref\n0 6");
        let table = String::from_utf8(bytes[xref..].to_vec()).unwrap();
        for (i, line) in table.lines().skip(3).take(5).enumerate() {
            let off: usize = line[..10].parse().unwrap();
            assert!(
                bytes[off..].starts_with(format!("{} 0 obj", i + 1).as_bytes()),
                "object {}",
                i + 1
            );
        }
        let start: usize = table
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(start, xref);
    }
}
