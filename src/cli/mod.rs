//! The command line: argument parsing, dispatch, exit codes. Commands live in
//! their own modules; this one only routes.

mod bench;
mod cameras;
mod demo;
mod doctor;
mod photo;
mod print;
mod run;
mod specs;
mod stats;
mod voice;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::engine::BackgroundMode;
use crate::print::media::Media;
use crate::privacy::checkpoint::{Point, checkpoint};

/// Exit status of a rejected photo (0 is accepted, 1 an error).
pub const EXIT_REJECTED: u8 = 3;
/// Exit status of a usage, input or I/O error.
pub const EXIT_ERROR: u8 = 1;
/// Exit status when the printer could not print (out of paper, offline...).
pub const EXIT_PRINTER: u8 = 4;

/// passbooth: compliant passport and ID photos from a portrait or a booth.
#[derive(Debug, Parser)]
#[command(name = "passbooth", version, about)]
pub struct Cli {
    /// Folder of country spec files (default: installed or source `specs/`).
    #[arg(long, global = true, value_name = "DIR")]
    pub specs: Option<PathBuf>,
    /// Folder of model files (default: installed or source `models/`).
    #[arg(long, global = true, value_name = "DIR")]
    pub models: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// Background handling on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Background {
    /// Leave the background as photographed.
    Keep,
    /// Replace it with the spec's colour (only where the spec allows edits).
    Replace,
    /// Replace it only when it fails and the spec allows it.
    Auto,
}

impl From<Background> for BackgroundMode {
    fn from(b: Background) -> Self {
        match b {
            Background::Keep => BackgroundMode::Keep,
            Background::Replace => BackgroundMode::Replace,
            Background::Auto => BackgroundMode::Auto,
        }
    }
}

/// What `compose` and `check` share.
#[derive(Debug, Args)]
struct PhotoArgs {
    /// The portrait: JPEG, PNG, WebP, TIFF, BMP, PNM or HEIC/HEIF.
    input: PathBuf,
    /// Spec id, e.g. us-passport (see `passbooth specs`).
    #[arg(long)]
    spec: String,
    /// Print resolution (default: the spec's, 300; 600 supported).
    #[arg(long, value_parser = clap::value_parser!(u32).range(150..=1200))]
    dpi: Option<u32>,
    /// Background handling.
    #[arg(long, value_enum, default_value_t = Background::Auto)]
    background: Background,
    /// Print the report as one JSON object.
    #[arg(long)]
    json: bool,
}

impl PhotoArgs {
    fn into_request(
        self,
        output: Option<PathBuf>,
        sheet: Option<photo::SheetRequest>,
        digital: Option<String>,
    ) -> photo::Request {
        photo::Request {
            input: self.input,
            spec: self.spec,
            output,
            dpi: self.dpi,
            background: self.background.into(),
            json: self.json,
            sheet,
            digital,
        }
    }
}

/// Paper options shared by `compose --sheet` and `print`.
#[derive(Debug, Args)]
pub(crate) struct PaperArgs {
    /// Unprintable border of the printer, mm (0 for borderless printers).
    #[arg(long, default_value_t = 0.0, value_name = "MM")]
    pub(crate) margin: f64,
    /// Copies of the sheet to print.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub(crate) copies: u32,
    /// Seconds a print job may take before it is canceled.
    #[arg(long, default_value_t = 120, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub(crate) timeout: u64,
    /// The certificate (PEM) an ipps:// printer must present: pinned, no
    /// other is accepted (a printer's own self-signed certificate).
    #[arg(long, value_name = "PEM")]
    pub(crate) printer_cert: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Turn a portrait into a photo that meets a country's rules, and
    /// optionally a print sheet of it, written and/or printed.
    Compose {
        #[command(flatten)]
        photo: PhotoArgs,
        /// Where to write the photo, or the sheet with --sheet (.jpg, .jpeg or .png).
        #[arg(short, long, required_unless_present = "print")]
        output: Option<PathBuf>,
        /// Lay the photo out on a sheet of this paper: an IPP keyword
        /// (na_index-4x6_4x6in), a size (100x150mm) or a short name (4x6,
        /// 10x15, postcard, selphy-l, 5x7, a6, a4, letter).
        #[arg(long, value_name = "MEDIA")]
        sheet: Option<String>,
        /// Print the sheet on this IPP printer (ipp://host/ipp/print or a CUPS
        /// queue ipp://localhost:631/printers/NAME) without writing any file.
        #[arg(long, value_name = "URI", requires = "sheet")]
        print: Option<String>,
        /// Write the photo as a file for this online portal (see `passbooth
        /// specs`): its pixel size, JPEG quality and file size searched to
        /// meet the portal's rules, and checked in the report.
        #[arg(long, value_name = "PROFILE", conflicts_with_all = ["sheet", "print"])]
        digital: Option<String>,
        #[command(flatten)]
        paper: PaperArgs,
    },
    /// Print a photo or a sheet (JPEG or PNG with its dpi recorded): a sheet
    /// the size of the paper prints as it is, a photo is laid out in copies.
    Print {
        /// The file.
        file: PathBuf,
        /// The IPP printer URI.
        #[arg(long, value_name = "URI")]
        printer: String,
        /// The paper (default: what a printer reports loaded, else the
        /// booth config's paper, else the printer's default paper).
        #[arg(long, value_name = "MEDIA")]
        media: Option<String>,
        /// The booth config whose paper to use (default
        /// /etc/passbooth/passbooth.toml, if there is one).
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
        #[command(flatten)]
        paper: PaperArgs,
    },
    /// Report whether a portrait can make a compliant photo, writing nothing.
    Check {
        #[command(flatten)]
        photo: PhotoArgs,
    },
    /// Run one whole booth session in simulation (no hardware, no config):
    /// writes the sheet and screen snapshots.
    Demo {
        /// Folder for the sheet and the snapshots.
        #[arg(long, default_value = "demo-output")]
        out: PathBuf,
        /// Spec id.
        #[arg(long, default_value = crate::booth::DEFAULT_SPEC)]
        spec: String,
        /// Languages, one session each, the attract screen cycling through
        /// them: en, de, fr, es, it, pl, tr, uk.
        #[arg(long, value_delimiter = ',', default_value = "en,de", value_parser = parse_lang)]
        lang: Vec<crate::session::prompts::Language>,
        /// Also write the simulated camera's stills as JPEG files into DIR
        /// (frames for libcamera's virtual camera).
        #[arg(long, value_name = "DIR")]
        camera_frames: Option<PathBuf>,
    },
    /// Run the booth: simulated (--simulate: the screen in a PNG file, the
    /// button on stdin), or with the camera, SPI screen, GPIO button and LED
    /// of the config file.
    Run(run::RunOptions),
    /// Check everything the booth needs (config, specs, models, camera,
    /// screen, GPIO lines, printer and paper); exits 1 on any problem.
    Doctor {
        /// The booth's config file (default /etc/passbooth/passbooth.toml).
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
    },
    /// Show what each camera offers and the streams the booth would ask
    /// for (viewfinder and still: format and size).
    Cameras {
        /// The booth's config file (default /etc/passbooth/passbooth.toml).
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
        /// Print each camera's offer as JSON (the stream plan tests' form).
        #[arg(long)]
        json: bool,
    },
    /// Show the booth's counters (sessions, prints, rejections by reason,
    /// printer and camera errors), from the config's stats file.
    Stats {
        /// The booth's config file (default /etc/passbooth/passbooth.toml).
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Measure what this machine costs the booth (live frame, still,
    /// sheet, model load) on the built-in portrait; no hardware needed.
    Bench {
        /// Spec id the still is composed for.
        #[arg(long, default_value = crate::booth::DEFAULT_SPEC)]
        spec: String,
        /// Fewer runs (a first look in a second or two).
        #[arg(long)]
        quick: bool,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the country specs, or show one.
    Specs {
        /// Spec id to show.
        id: Option<String>,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The spoken guidance's recordings: render, check, or play one.
    #[command(subcommand)]
    Voice(voice::VoiceCommand),
}

/// The booth config named by `--config`, or the default one if there is
/// one (`None` when neither): for commands that work without a booth.
pub(crate) fn optional_config(
    specs: Option<&std::path::Path>,
    config: Option<&std::path::Path>,
) -> anyhow::Result<Option<crate::config::Config>> {
    let default = std::path::Path::new(crate::config::DEFAULT_PATH);
    let Some(path) = config.or_else(|| default.exists().then_some(default)) else {
        return Ok(None);
    };
    let lib = crate::spec::SpecLibrary::load_dir(&crate::config::assets::locate(
        crate::config::assets::Asset::Specs,
        specs,
    ))?;
    Ok(Some(crate::config::Config::load(path, &lib)?))
}

pub(crate) fn parse_lang(s: &str) -> Result<crate::session::prompts::Language, String> {
    s.parse()
}

/// Standard output could not be written (a full disk, a closed pipe): one
/// line and exit 1, never a panic.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the output")]
pub struct OutputError(#[source] pub std::io::Error);

/// `print!` that returns [`OutputError`] instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*).map_err($crate::cli::OutputError)
    }};
}

/// `println!` that returns [`OutputError`] instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*).map_err($crate::cli::OutputError)
    }};
}

pub(crate) use {out, outln};

/// Parses the arguments, runs the command, and maps the outcome to an exit
/// status; every error is one line on stderr.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { 0 };
            if let Err(write) = e.print() {
                eprintln!("passbooth: {:#}", anyhow::Error::from(OutputError(write)));
                return ExitCode::from(EXIT_ERROR);
            }
            return ExitCode::from(code);
        }
    };
    let result = run(cli).and_then(|code| {
        use std::io::Write as _;
        std::io::stdout().flush().map_err(OutputError)?;
        Ok(code)
    });
    // Everything the command held is dropped by now.
    checkpoint(Point::Exit);
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("passbooth: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    let assets = photo::Assets {
        specs: cli.specs,
        models: cli.models,
    };
    match cli.command {
        Command::Compose {
            photo,
            output,
            sheet,
            print,
            digital,
            paper,
        } => {
            let sheet = match sheet {
                Some(media) => Some(photo::SheetRequest {
                    media: Media::parse(&media)?,
                    margin_mm: paper.margin,
                    printer: print,
                    copies: paper.copies,
                    timeout_s: paper.timeout,
                    certificate: paper.printer_cert,
                }),
                None => None,
            };
            photo::run(&assets, &photo.into_request(output, sheet, digital))
        }
        Command::Check { photo } => photo::run(&assets, &photo.into_request(None, None, None)),
        Command::Print {
            file,
            printer,
            media,
            config,
            paper,
        } => print::run(
            &file,
            &printer,
            media.as_deref(),
            config.as_deref(),
            assets.specs.as_deref(),
            &paper,
        ),
        Command::Run(options) => {
            run::run(assets.specs.as_deref(), assets.models.as_deref(), options)
        }
        Command::Demo {
            out,
            spec,
            lang,
            camera_frames,
        } => demo::run(
            assets.specs.as_deref(),
            assets.models.as_deref(),
            &out,
            &spec,
            &lang,
            camera_frames.as_deref(),
        ),
        Command::Doctor { config } => Ok(doctor::run(
            assets.specs.as_deref(),
            assets.models.as_deref(),
            config.as_deref(),
        )?),
        Command::Cameras { config, json } => {
            cameras::run(assets.specs.as_deref(), config.as_deref(), json)
        }
        Command::Stats { config, json } => {
            stats::run(assets.specs.as_deref(), config.as_deref(), json)
        }
        Command::Bench { spec, quick, json } => bench::run(
            assets.specs.as_deref(),
            assets.models.as_deref(),
            &spec,
            quick,
            json,
        ),
        Command::Specs { id, json } => specs::run(assets.specs.as_deref(), id.as_deref(), json),
        Command::Voice(cmd) => voice::run(cmd),
    }
}
