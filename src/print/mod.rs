//! Print sheets and printing over IPP.
pub mod document;
pub mod draw;
pub mod events;
pub mod ipp;
pub mod job;
pub mod media;
pub mod problem;
pub mod sheet;
pub mod transport;

use crate::imaging::RgbImage;
use media::Media;
use problem::Problem;

/// Where the booth's sheets go: an IPP printer, or a folder in simulation.
pub trait SheetPrinter {
    /// Prints one sheet at `dpi` on `media`.
    fn print_sheet(&mut self, sheet: &RgbImage, dpi: u32, media: &Media) -> Result<(), Problem>;
    /// Whether a sheet on `media` could print now (asked while the booth
    /// shows printer trouble, to clear it when the printer is fine again).
    fn ready(&mut self, _media: &Media) -> Result<(), Problem> {
        Ok(())
    }
}

impl SheetPrinter for ipp::IppPrinter {
    fn print_sheet(&mut self, sheet: &RgbImage, dpi: u32, media: &Media) -> Result<(), Problem> {
        self.print(&ipp::PrintRequest {
            sheet,
            dpi,
            media,
            copies: 1,
        })
        .map(|_| ())
    }
    fn ready(&mut self, media: &Media) -> Result<(), Problem> {
        let status = self.status()?;
        self.preflight(&status, media).map(|_| ())
    }
}

impl SheetPrinter for Box<dyn SheetPrinter + Send> {
    fn print_sheet(&mut self, sheet: &RgbImage, dpi: u32, media: &Media) -> Result<(), Problem> {
        (**self).print_sheet(sheet, dpi, media)
    }
    fn ready(&mut self, media: &Media) -> Result<(), Problem> {
        (**self).ready(media)
    }
}

/// The simulator's printer when nobody named a folder or a printer: the
/// sheet is accepted and dropped (wiped), so a simulated session with a
/// real face (`--libcamera`, a folder of one's own photos) leaves no file.
#[derive(Debug, Default)]
pub struct DiscardPrinter;

impl SheetPrinter for DiscardPrinter {
    fn print_sheet(&mut self, _: &RgbImage, _: u32, _: &Media) -> Result<(), Problem> {
        eprintln!("printer: simulated; the sheet was not kept (--print-dir DIR keeps it)");
        Ok(())
    }
}

/// "Prints" sheets as numbered JPEG files in a folder (simulation, demo).
#[derive(Debug)]
pub struct FolderPrinter {
    dir: std::path::PathBuf,
    count: u32,
}

impl FolderPrinter {
    /// Sheets go to `dir` (created if missing).
    pub fn new(dir: &std::path::Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            count: 0,
        }
    }
}

impl SheetPrinter for FolderPrinter {
    fn print_sheet(&mut self, sheet: &RgbImage, dpi: u32, _media: &Media) -> Result<(), Problem> {
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| Problem::Offline(format!("{}: {e}", self.dir.display())))?;
        let path = self.dir.join(format!("sheet-{}.jpg", self.count + 1));
        crate::imaging::encode::write_file(sheet, &path, dpi as u16)
            .map_err(|e| Problem::Offline(e.to_string()))?;
        self.count += 1;
        Ok(())
    }
}
