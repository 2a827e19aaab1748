//! `passbooth print FILE --printer URI`.

use super::outln;
use std::path::Path;

use anyhow::Context;

use super::EXIT_PRINTER;
use crate::imaging::decode::{MAX_FILE_BYTES, decode_bytes, read_bounded};
use crate::imaging::encode::recorded_dpi;
use crate::print::ipp::IppPrinter;
use crate::print::media::Media;
use crate::print::{Paper, SheetPrinter, sheet_for};

/// Resolution assumed for a file that records none.
const DEFAULT_DPI: u32 = 300;

pub(super) fn run(
    file: &Path,
    uri: &str,
    media: Option<&str>,
    config: Option<&Path>,
    specs: Option<&Path>,
    paper: &super::PaperArgs,
) -> anyhow::Result<u8> {
    let bytes = read_bounded(file, MAX_FILE_BYTES)?;
    let image = decode_bytes(&bytes).with_context(|| format!("{}", file.display()))?;
    let dpi = recorded_dpi(&bytes).map_or(DEFAULT_DPI, |d| d.round() as u32);
    drop(bytes);
    let mut printer = IppPrinter::open(uri, paper.printer_cert.as_deref())?;
    printer.job_timeout = std::time::Duration::from_secs(paper.timeout);
    let media = match media {
        Some(m) => Media::parse(m)?,
        None => {
            let status = match printer.status() {
                Ok(s) => s,
                Err(problem) => return could_not_print(&problem),
            };
            paper_for(&status, config, specs)?
        }
    };
    // One layout rule for both: a sheet-sized image fits once, a photo as
    // many times as the paper allows.
    let paper = Paper {
        media,
        margin_mm: paper.margin,
        copies: paper.copies,
    };
    let sheet = sheet_for(&image, &paper, dpi, None)?;
    drop(image);
    match printer.print_sheet(&sheet, &paper) {
        Ok(receipt) => {
            let l = &sheet.layout;
            outln!(
                "printed {} ({} on the sheet, {} x {} px at {dpi} dpi, {}) on {uri}: job {}",
                file.display(),
                l.slots.len(),
                l.width,
                l.height,
                receipt.format.unwrap_or("?"),
                receipt.job_id.unwrap_or(0)
            )?;
            Ok(0)
        }
        Err(problem) => could_not_print(&problem),
    }
}

/// The paper when none is named: what a printer reports loaded (a CUPS
/// queue's media-ready is only its guess), else the booth config's (named,
/// or the default one if it exists), else the printer's default.
fn paper_for(
    status: &crate::print::ipp::PrinterStatus,
    config: Option<&Path>,
    specs: Option<&Path>,
) -> anyhow::Result<Media> {
    if !status.is_cups
        && let Some(loaded) = status.media_ready.first()
    {
        return Ok(Media::parse(loaded)?);
    }
    if let Some(c) = super::optional_config(specs, config)? {
        return Ok(c.media);
    }
    status
        .media_default
        .as_deref()
        .and_then(|m| Media::parse(m).ok())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "the printer does not say which paper is loaded; give --media or --config"
            )
        })
}

/// The printer could not print, whenever it says so: one line, exit 4.
fn could_not_print(problem: &crate::print::problem::Problem) -> anyhow::Result<u8> {
    eprintln!("passbooth: {problem} [{}]", problem.code());
    Ok(EXIT_PRINTER)
}
