//! `passbooth print FILE --printer URI`.

use super::outln;
use std::path::Path;

use anyhow::Context;

use super::EXIT_PRINTER;
use crate::imaging::SecretBuf;
use crate::imaging::decode::decode_bytes;
use crate::imaging::encode::recorded_dpi;
use crate::print::draw;
use crate::print::ipp::{IppPrinter, PrintRequest};
use crate::print::media::Media;
use crate::print::sheet::SheetOptions;

/// Resolution assumed for a file that records none.
const DEFAULT_DPI: u32 = 300;

pub(super) fn run(
    file: &Path,
    uri: &str,
    media: Option<&str>,
    paper: &super::PaperArgs,
) -> anyhow::Result<u8> {
    let (margin_mm, copies) = (paper.margin, paper.copies);
    let bytes = SecretBuf::from_vec(
        std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?,
    );
    let image = decode_bytes(&bytes).with_context(|| format!("{}", file.display()))?;
    let dpi = recorded_dpi(&bytes).map_or(DEFAULT_DPI, |d| d.round() as u32);
    drop(bytes);
    let mut printer = IppPrinter::new(uri)?;
    printer.job_timeout = std::time::Duration::from_secs(paper.timeout);
    let media = match media {
        Some(m) => Media::parse(m)?,
        None => {
            let status = printer.status().map_err(|p| anyhow::anyhow!(p))?;
            let loaded = status.media_ready.first().ok_or_else(|| {
                anyhow::anyhow!("the printer does not say which paper is loaded; give --media")
            })?;
            Media::parse(loaded)?
        }
    };
    // One layout rule for both: a sheet-sized image fits once, a photo as
    // many times as the paper allows.
    let opts = SheetOptions {
        media: media.clone(),
        margin_mm,
        dpi,
    };
    let (sheet, l) = draw::sheet(&image, &opts, None)?;
    drop(image);
    match printer.print(&PrintRequest {
        sheet: &sheet,
        dpi,
        media: &media,
        copies,
    }) {
        Ok(done) => {
            outln!(
                "printed {} ({} on the sheet, {} x {} px at {dpi} dpi, {}) on {uri}: job {}",
                file.display(),
                l.slots.len(),
                l.width,
                l.height,
                done.format,
                done.job_id
            )?;
            Ok(0)
        }
        Err(problem) => {
            eprintln!("passbooth: {problem} [{}]", problem.code());
            Ok(EXIT_PRINTER)
        }
    }
}
