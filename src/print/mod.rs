//! Print sheets and printing over IPP.
mod attrs;
mod document;
mod draw;
mod events;
pub mod health;
pub mod ipp;
mod job;
pub mod media;
pub mod problem;
mod sheet;
pub mod transport;

use crate::imaging::RgbImage;
pub use health::PrinterHealth;
use media::Media;
use problem::Problem;
use sheet::SheetOptions;
pub use sheet::{SheetError, SheetLayout, Slot};

/// The paper a sheet is laid out for, and how many of it to print.
#[derive(Debug, Clone, PartialEq)]
pub struct Paper {
    /// The paper.
    pub media: Media,
    /// Unprintable border of the printer, mm (0 for borderless printers).
    pub margin_mm: f64,
    /// Copies of the sheet.
    pub copies: u32,
}

impl Paper {
    /// One borderless sheet of `media`.
    pub fn new(media: Media) -> Self {
        Self {
            media,
            margin_mm: 0.0,
            copies: 1,
        }
    }
}

/// A sheet ready to print: the image, where the photos are on it, and its
/// resolution.
#[derive(Debug)]
pub struct Sheet {
    /// The sheet, the size of the paper at `dpi`.
    pub image: RgbImage,
    /// Where the photos are.
    pub layout: SheetLayout,
    /// Its resolution.
    pub dpi: u32,
}

/// The sheet for `photo` at `dpi` on `paper`, captioned with the document's
/// caption and today's date when one is given. The booth, `compose --sheet`
/// and `print` all make their sheets here.
pub fn sheet_for(
    photo: &RgbImage,
    paper: &Paper,
    dpi: u32,
    caption: Option<&str>,
) -> Result<Sheet, SheetError> {
    let opts = SheetOptions {
        media: paper.media.clone(),
        margin_mm: paper.margin_mm,
        dpi,
    };
    let (image, layout) = draw::sheet(photo, &opts, caption)?;
    Ok(Sheet { image, layout, dpi })
}

/// What a printer says of a job it took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Receipt {
    /// The printer's job id (an IPP printer's; none for a folder).
    pub job_id: Option<i32>,
    /// The document format sent.
    pub format: Option<&'static str>,
}

/// Where sheets go: an IPP printer, or a folder in simulation. The booth,
/// `compose --print` and `print` all print through it.
pub trait SheetPrinter {
    /// Prints `paper.copies` of `sheet` on `paper.media`.
    fn print_sheet(&mut self, sheet: &Sheet, paper: &Paper) -> Result<Receipt, Problem>;
    /// Whether a sheet on `media` could print now (asked while the booth
    /// shows printer trouble, to clear it when the printer is fine again).
    fn ready(&mut self, _media: &Media) -> Result<(), Problem> {
        Ok(())
    }
    /// Its state, problems and supplies, if it is a printer that says
    /// (a folder does not).
    fn health(&mut self) -> Option<Result<PrinterHealth, Problem>> {
        None
    }
}

impl SheetPrinter for ipp::IppPrinter {
    fn print_sheet(&mut self, sheet: &Sheet, paper: &Paper) -> Result<Receipt, Problem> {
        let done = self.print(&ipp::PrintRequest {
            sheet: &sheet.image,
            dpi: sheet.dpi,
            media: &paper.media,
            copies: paper.copies,
        })?;
        Ok(Receipt {
            job_id: Some(done.job_id),
            format: Some(done.format),
        })
    }
    fn ready(&mut self, media: &Media) -> Result<(), Problem> {
        let status = self.status()?;
        self.preflight(&status, media).map(|_| ())
    }
    fn health(&mut self) -> Option<Result<PrinterHealth, Problem>> {
        Some(self.status().map(|s| PrinterHealth::from_status(&s)))
    }
}

impl SheetPrinter for Box<dyn SheetPrinter + Send> {
    fn print_sheet(&mut self, sheet: &Sheet, paper: &Paper) -> Result<Receipt, Problem> {
        (**self).print_sheet(sheet, paper)
    }
    fn ready(&mut self, media: &Media) -> Result<(), Problem> {
        (**self).ready(media)
    }
    fn health(&mut self) -> Option<Result<PrinterHealth, Problem>> {
        (**self).health()
    }
}

/// The simulator's printer when nobody named a folder or a printer: the
/// sheet is accepted and dropped (wiped), so a simulated session with a
/// real face (`--libcamera`, a folder of one's own photos) leaves no file.
#[derive(Debug, Default)]
pub struct DiscardPrinter;

impl SheetPrinter for DiscardPrinter {
    fn print_sheet(&mut self, _: &Sheet, _: &Paper) -> Result<Receipt, Problem> {
        eprintln!("printer: simulated; the sheet was not kept (--print-dir DIR keeps it)");
        Ok(Receipt::default())
    }
}

/// "Prints" sheets as numbered JPEG files in a folder (simulation, demo):
/// one file per copy.
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
    fn print_sheet(&mut self, sheet: &Sheet, paper: &Paper) -> Result<Receipt, Problem> {
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| Problem::Offline(format!("{}: {e}", self.dir.display())))?;
        for _ in 0..paper.copies {
            // Past the sheets already there (a restarted booth, a second
            // demo): an earlier sheet is never written over.
            let path = loop {
                let path = self.dir.join(format!("sheet-{}.jpg", self.count + 1));
                self.count += 1;
                if !path.exists() {
                    break path;
                }
            };
            crate::imaging::encode::write_file(&sheet.image, &path, sheet.dpi as u16)
                .map_err(|e| Problem::Offline(e.to_string()))?;
        }
        Ok(Receipt::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_printer_writes_one_file_per_copy() {
        let dir = tempfile::TempDir::new().unwrap();
        let mut printer = FolderPrinter::new(&dir.path().join("sheets"));
        let photo = RgbImage::black(600, 600);
        let paper = Paper {
            copies: 3,
            ..Paper::new(Media::parse("4x6").unwrap())
        };
        let sheet = sheet_for(&photo, &paper, 300, None).unwrap();
        assert_eq!(sheet.layout.slots.len(), 6);
        assert_eq!(
            printer.print_sheet(&sheet, &paper).unwrap(),
            Receipt::default()
        );
        let mut names: Vec<String> = std::fs::read_dir(dir.path().join("sheets"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["sheet-1.jpg", "sheet-2.jpg", "sheet-3.jpg"]);
        // A printer started again on the same folder writes past them.
        let mut again = FolderPrinter::new(&dir.path().join("sheets"));
        again
            .print_sheet(&sheet, &Paper::new(Media::parse("4x6").unwrap()))
            .unwrap();
        assert!(dir.path().join("sheets/sheet-4.jpg").exists());
        assert_eq!(
            std::fs::read_dir(dir.path().join("sheets"))
                .unwrap()
                .count(),
            4
        );
    }
}
